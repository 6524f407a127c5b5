/* segment.c -- writing and mapping segments (format in segment.h). */
#include "segment.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/date.h"
#include "../util/mem.h"
#include "bm25.h"
#include "newsdex.h"

static const char *const EXT[SF_COUNT + 1] = {"dic", "doc", "pos", "fld", "sto", "meta"};
#define SF_META SF_COUNT
#define META_MAGIC 0x3954454d5844444eULL /* "NDDXMET9": SEG_VERSION */
/* "NDDXMET8" is read too: the same files, but dictionary entries with
** their written forms as they are (codec/dict.h) and keyword terms with
** positions.  "NDDXMET7" as well: every postings block in Stream VByte
** (PL_CODEC_SVB).  A merge rewrites either at the current version.
** Earlier versions: "NDDXMET1" (no id strings), "NDDXMET2" (12-byte skip
** entries, no block bounds), "NDDXMET3" (no topics), "NDDXMET4" (no length
** bytes; blocks bounded with exact lengths), "NDDXMET5" (source indexed
** word by word, not as one whole-value term), "NDDXMET6" (no fingerprints,
** stories, threads or newest dates).  Refused with ND_ERR_VERSION. */
#define META_MAGIC_V8 0x3854454d5844444eULL /* "NDDXMET8" */
#define META_MAGIC_SVB 0x3754454d5844444eULL /* "NDDXMET7" */
#define META_MAGIC_OLD(m) ((m) >= 0x3154454d5844444eULL && (m) < META_MAGIC_SVB && ((m) & 0x00ffffffffffffffULL) == 0x0054454d5844444eULL)
#define META_FIXED 14
#define META_FIELDS (META_FIXED + 2 * SF_COUNT)

void seg_file_name(uint32_t segno, int k, char *out) { sprintf(out, "s%06u.%s", segno % 1000000u, EXT[k]); }

/* Rows (u64 key, u32 doc) and (u32 key, u32 doc) by key then doc; date
** rows by signed date then doc. */
static int cmp_doc_at(const void *a, const void *b, size_t off) {
  uint32_t u = rd_u32((const uint8_t *)a + off), v = rd_u32((const uint8_t *)b + off);
  return (u > v) - (u < v);
}

static int cmp_row12(const void *a, const void *b) {
  uint64_t x = rd_u64(a), y = rd_u64(b);
  return x != y ? (x < y ? -1 : 1) : cmp_doc_at(a, b, 8);
}

static int cmp_row8(const void *a, const void *b) {
  uint32_t x = rd_u32(a), y = rd_u32(b);
  return x != y ? (x < y ? -1 : 1) : cmp_doc_at(a, b, 4);
}

static int cmp_date_row(const void *a, const void *b) {
  int64_t x = (int64_t)rd_u64(a), y = (int64_t)rd_u64(b);
  return x != y ? (x < y ? -1 : 1) : cmp_doc_at(a, b, 8);
}

/* Row width and order of each column (SC_*). */
static const struct {
  size_t width;
  spill_cmp cmp;
} COLS[SC_COUNT] = {{12, cmp_date_row}, {12, cmp_row12}, {4, NULL},  {1, NULL},          {8, cmp_row8},  {2 * FP_K, NULL},
                    {24, NULL},         {8, cmp_row8},   {12, cmp_row12}, {12, cmp_row12}, {4, NULL}};

/* ---- writing ---------------------------------------------------------- */

int segw_open(seg_writer *w, const nd_storage *st, uint32_t segno, int zstd_level, const uint8_t *zdict,
              size_t zdict_len) {
  memset(w, 0, sizeof *w);
  w->segno = segno;
  w->m.version = SEG_VERSION;
  w->st = st;
  dw_init(&w->dw);
  w->dw.forms = 1;
  pl_writer_init(&w->pl);
  for (int k = 0; k < SC_COUNT; k++) spill_init(&w->col[k], st, segno, (unsigned)k, COLS[k].width, COLS[k].cmp);
  buf_init(&w->norms);
  buf_init(&w->dmax);
  for (int k = 0; k < SF_COUNT; k++) buf_init(&w->out[k]);
  if (stw_init(&w->stw, zstd_level, zdict, zdict_len, &w->out[SF_STO])) return ND_ERR_NOMEM;
  for (int k = 0; k < SF_COUNT; k++) {
    char name[24];
    seg_file_name(segno, k, name);
    int e = sink_open(&w->f[k], st, name);
    if (e) { /* nothing was created (it may exist already): just free the sink */
      sink_abort(&w->f[k]);
      return status_from_errno(e);
    }
    w->open_files = k + 1;
  }
  return 0;
}

/* Move staged bytes of file k to its sink when there are enough. */
static int drain(seg_writer *w, int k, int force) {
  if (w->out[k].oom) return ND_ERR_NOMEM;
  if (force || w->out[k].n >= (1u << 20)) sink_write_buf(&w->f[k], &w->out[k]);
  return w->f[k].err ? status_from_errno(w->f[k].err) : 0;
}

/* The story columns of the next document (docno): its signature, keys,
** band entries and newest-date window.  0 or -1 (out of memory). */
static int add_story_row(seg_writer *w, uint32_t docno, int64_t date, const seg_docx *x, uint64_t idhash) {
  uint8_t row[2 * FP_K];
  int rc = 0;
  if (x->story != idhash) {
    wr_u32(row, docno);
    rc = spill_put(&w->col[SC_JOINERS], row, 1);
    w->m.njoiners++;
  }
  for (int k = 0; k < FP_K; k++) {
    row[2 * k] = (uint8_t)x->sig[k];
    row[2 * k + 1] = (uint8_t)(x->sig[k] >> 8);
  }
  if (!rc) rc = spill_put(&w->col[SC_SIGS], row, 1);
  wr_u64(row, x->story);
  wr_u64(row + 8, x->thread);
  wr_u64(row + 16, x->simhash);
  if (!rc) rc = spill_put(&w->col[SC_KEYS], row, 1);
  if (!fp_empty(x->sig)) {
    uint32_t key[FP_BANDS];
    fp_bands(x->sig, key);
    for (int b = 0; b < FP_BANDS && !rc; b++) {
      wr_u32(row, key[b]);
      wr_u32(row + 4, docno);
      rc = spill_put(&w->col[SC_BANDS], row, 1);
    }
    w->m.nbands += FP_BANDS;
  }
  wr_u64(row, x->story);
  wr_u32(row + 8, docno);
  if (!rc) rc = spill_put(&w->col[SC_STORYIX], row, 1);
  wr_u64(row, x->thread);
  if (!rc) rc = spill_put(&w->col[SC_THREADIX], row, 1);
  if (rc) return rc;
  if (docno % SEG_DATE_WINDOW == 0) buf_put_u64(&w->dmax, (uint64_t)DATE_NONE);
  if (w->dmax.oom) return ND_ERR_NOMEM;
  uint8_t *last = w->dmax.p + w->dmax.n - 8;
  int64_t cur = (int64_t)rd_u64(last);
  if (date != DATE_NONE && (cur == DATE_NONE || date > cur)) wr_u64(last, (uint64_t)date);
  return 0;
}

/* Enter the next document, stored as record idx of store block blk. */
static int add_row(seg_writer *w, const char *id, size_t idlen, int64_t date, uint32_t title_len, uint32_t body_len,
                   uint32_t blk, uint32_t idx, const seg_docx *x) {
  uint32_t docno = w->m.ndocs;
  uint8_t code[2] = {bm25_len_code(title_len), bm25_len_code(body_len)};
  buf_put(&w->norms, code, 2);
  w->m.ndocs++;
  buf *f = &w->out[SF_FLD];
  buf_put_u32(f, title_len);
  buf_put_u32(f, body_len);
  buf_put_u64(f, (uint64_t)date);
  buf_put_u32(f, blk);
  buf_put_u32(f, idx);
  uint8_t row[12];
  int rc = 0;
  if (date != DATE_NONE) {
    wr_u64(row, (uint64_t)date);
    wr_u32(row + 8, docno);
    rc = spill_put(&w->col[SC_DATES], row, 1);
    w->m.ndates++;
  }
  uint64_t idhash = hash64(id, idlen);
  wr_u64(row, idhash);
  wr_u32(row + 8, docno);
  if (!rc) rc = spill_put(&w->col[SC_IDS], row, 1);
  uint64_t idbytes = w->col[SC_IDSTR].rows;
  if (idbytes + idlen > UINT32_MAX) return ND_ERR_LIMIT;
  wr_u32(row, (uint32_t)idbytes);
  if (!rc) rc = spill_put(&w->col[SC_IDOFF], row, 1);
  if (!rc) rc = spill_put(&w->col[SC_IDSTR], id, idlen);
  w->m.sum_title_len += title_len;
  w->m.sum_body_len += body_len;
  if (!rc) rc = add_story_row(w, docno, date, x, idhash);
  if (!rc && w->norms.oom) rc = ND_ERR_NOMEM;
  if (!rc) rc = drain(w, SF_STO, 0);
  return rc ? rc : drain(w, SF_FLD, 0);
}

int segw_doc(seg_writer *w, const uint8_t *rec, size_t len, int64_t date, uint32_t title_len, uint32_t body_len,
             const seg_docx *x) {
  const char *id;
  size_t idlen;
  uint32_t blk, idx;
  if (rec_id(rec, len, &id, &idlen)) return ND_ERR_INVALID;
  if (stw_add_record(&w->stw, rec, len, &w->out[SF_STO], &blk, &idx)) return ND_ERR_NOMEM;
  return add_row(w, id, idlen, date, title_len, body_len, blk, idx, x);
}

/* Copy document x of s as the writer's next, its record taken from the
** decompressed block in `data`. */
static int copy_record(seg_writer *w, const segment *s, uint32_t x, const buf *data) {
  const uint8_t *rec;
  size_t len, idlen;
  uint32_t blk, idx;
  const char *id = seg_id(s, x, &idlen);
  if (!id || rec_find(data->p, data->n, seg_rec_of(s, x), &rec, &len)) return ND_ERR_CORRUPT;
  if (stw_add_record(&w->stw, rec, len, &w->out[SF_STO], &blk, &idx)) return ND_ERR_NOMEM;
  seg_docx dx;
  seg_docx_of(s, x, &dx);
  return add_row(w, id, idlen, seg_date(s, x), seg_title_len(s, x), seg_body_len(s, x), blk, idx, &dx);
}

int segw_copy_docs(seg_writer *w, const segment *s, const roaring_bitmap_t *del, uint32_t *remap, buf *scratch) {
  size_t dlen;
  const uint8_t *zd = store_dict(&s->st, &dlen);
  int same = stw_has_dict(&w->stw, zd, dlen);
  for (uint32_t d = 0, e; d < s->m.ndocs; d = e) {
    uint32_t b = seg_block_of(s, d);
    int whole = same;
    for (e = d; e < s->m.ndocs && seg_block_of(s, e) == b; e++)
      if ((del && roaring_bitmap_contains(del, e)) || seg_rec_of(s, e) != e - d) whole = 0;
    if (whole) {
      const uint8_t *f;
      size_t n, idlen;
      uint32_t nb;
      if (store_frame(&s->st, b, &f, &n)) return ND_ERR_CORRUPT;
      int r = stw_copy_block(&w->stw, f, n, &w->out[SF_STO], &nb);
      if (r) return r == -1 ? ND_ERR_NOMEM : ND_ERR_CORRUPT;
      for (uint32_t x = d; x < e; x++) {
        const char *id = seg_id(s, x, &idlen);
        if (!id) return ND_ERR_CORRUPT;
        remap[x] = w->m.ndocs;
        seg_docx dx;
        seg_docx_of(s, x, &dx);
        int rc = add_row(w, id, idlen, seg_date(s, x), seg_title_len(s, x), seg_body_len(s, x), nb, x - d, &dx);
        if (rc) return rc;
      }
      continue;
    }
    int r = store_block(&s->st, b, scratch);
    if (r) return r == -2 ? ND_ERR_NOMEM : ND_ERR_CORRUPT;
    for (uint32_t x = d; x < e; x++) {
      remap[x] = UINT32_MAX;
      if (del && roaring_bitmap_contains(del, x)) continue;
      remap[x] = w->m.ndocs;
      int rc = copy_record(w, s, x, scratch);
      if (rc) return rc;
    }
  }
  return 0;
}

int segw_term_begin(seg_writer *w, const char *term, size_t len) {
  if (len > DICT_MAX_TERM) return ND_ERR_INVALID;
  memcpy(w->term, term, len);
  w->termlen = len;
  pl_writer_reset(&w->pl);
  return 0;
}

int segw_term_doc(seg_writer *w, uint32_t doc, uint32_t tft, uint32_t tfb, const uint32_t *pos, size_t npos) {
  return pl_add(&w->pl, doc, tft, tfb, pos, npos) ? ND_ERR_NOMEM : 0;
}

/* Block bounds: tf' under the segment's own average lengths (bm25.h). */
typedef struct impact_ctx {
  const uint8_t *norms; /* the lengths as the scorer will see them */
  double avg_t, avg_b;
} impact_ctx;

static double impact_text(const void *ctx, uint32_t doc, uint32_t tft, uint32_t tfb) {
  const impact_ctx *c = ctx;
  const uint8_t *len = c->norms + 2 * (size_t)doc;
  return bm25_tf(tft, tfb, bm25_norm(bm25_len_decode(len[0]), c->avg_t), bm25_norm(bm25_len_decode(len[1]), c->avg_b));
}

static double impact_count(const void *ctx, uint32_t doc, uint32_t tft, uint32_t tfb) {
  (void)ctx, (void)doc, (void)tft;
  return tfb;
}

int segw_term_end(seg_writer *w) {
  if (w->pl.n == 0) return 0;
  size_t d0 = w->out[SF_DOC].n, p0 = w->out[SF_POS].n;
  impact_ctx ic = {w->norms.p, bm25_avg(w->m.sum_title_len, w->m.ndocs), bm25_avg(w->m.sum_body_len, w->m.ndocs)};
  int keyword = seg_keyword_term(w->term, w->termlen);
  pl_impact imp = {keyword ? impact_count : impact_text, &ic};
  if (w->pl.docs[w->pl.n - 1] >= w->m.ndocs) return ND_ERR_INVALID;
  if (pl_finish(&w->pl, &imp, &w->out[SF_DOC], &w->out[SF_POS])) return ND_ERR_NOMEM;
  term_info ti = {(uint32_t)w->pl.n, w->doc_off, w->out[SF_DOC].n - d0, w->pos_off, w->out[SF_POS].n - p0};
  w->doc_off += ti.doc_len;
  w->pos_off += ti.pos_len;
  if (dw_add(&w->dw, w->term, w->termlen, &ti, &w->out[SF_DIC])) return ND_ERR_NOMEM;
  if (w->term[0] == SEG_TOPIC_PREFIX) {
    if (w->m.nterms > UINT32_MAX) return ND_ERR_LIMIT;
    for (size_t i = 0; i < w->pl.n; i++) {
      uint8_t row[8];
      wr_u32(row, w->pl.docs[i]);
      wr_u32(row + 4, (uint32_t)w->m.nterms);
      int rc = spill_put(&w->col[SC_TOPREF], row, 1);
      if (rc) return rc;
    }
  }
  w->m.nterms++;
  int rc;
  if ((rc = drain(w, SF_DOC, 0)) || (rc = drain(w, SF_POS, 0)) || (rc = drain(w, SF_DIC, 0))) return rc;
  return 0;
}


static void put_meta(buf *b, const seg_meta *m) {
  buf_put_u64(b, META_MAGIC);
  uint64_t v[META_FIELDS] = {m->ndocs, m->nterms, m->dict_index_off, m->dict_nblocks, m->store_table_off,
                             m->store_nblocks, m->ndates, m->sum_title_len, m->sum_body_len, m->raw_bytes, m->id_bytes,
                             m->topic_refs, m->nbands, m->njoiners};
  for (int k = 0; k < SF_COUNT; k++) {
    v[META_FIXED + 2 * k] = m->size[k];
    v[META_FIXED + 1 + 2 * k] = m->hash[k];
  }
  for (int i = 0; i < META_FIELDS; i++) buf_put_u64(b, v[i]);
  buf_put_u64(b, hash64(b->p, b->n));
}

/* 0, -1 (damaged) or -2 (an older format). */
static int get_meta(const uint8_t *p, size_t n, seg_meta *m) {
  if (n >= 8 && META_MAGIC_OLD(rd_u64(p))) return -2;
  uint64_t magic = n >= 8 ? rd_u64(p) : 0;
  if (n != 8 * (META_FIELDS + 2) || (magic != META_MAGIC && magic != META_MAGIC_V8 && magic != META_MAGIC_SVB) ||
      rd_u64(p + n - 8) != hash64(p, n - 8))
    return -1;
  m->version = magic == META_MAGIC ? SEG_VERSION : magic == META_MAGIC_V8 ? 8 : 7;
  uint64_t v[META_FIELDS];
  for (int i = 0; i < META_FIELDS; i++) v[i] = rd_u64(p + 8 + 8 * i);
  if (v[0] > UINT32_MAX || v[5] > UINT32_MAX) return -1;
  m->ndocs = (uint32_t)v[0];
  m->nterms = v[1];
  m->dict_index_off = v[2];
  m->dict_nblocks = v[3];
  m->store_table_off = v[4];
  m->store_nblocks = (uint32_t)v[5];
  m->ndates = v[6];
  m->sum_title_len = v[7];
  m->sum_body_len = v[8];
  m->raw_bytes = v[9];
  m->id_bytes = v[10];
  m->topic_refs = v[11];
  m->nbands = v[12];
  m->njoiners = v[13];
  for (int k = 0; k < SF_COUNT; k++) {
    m->size[k] = v[META_FIXED + 2 * k];
    m->hash[k] = v[META_FIXED + 1 + 2 * k];
  }
  return 0;
}

/* Free the writer's memory and remove its columns' runs; its files stay
** as they are. */
static void release(seg_writer *w) {
  w->open_files = 0;
  for (int k = 0; k < SF_COUNT; k++) buf_free(&w->out[k]);
  dw_free(&w->dw);
  stw_free(&w->stw);
  pl_writer_free(&w->pl);
  for (int k = 0; k < SC_COUNT; k++) spill_free(&w->col[k]); /* and their runs */
  buf_free(&w->norms);
  buf_free(&w->dmax);
}

/* Column k appended to .fld, in its order. */
typedef struct fld_out {
  seg_writer *w;
  size_t width;
  uint32_t next, sum; /* the topic lists: the next doc whose offset is due, rows before it */
} fld_out;

static int fld_rows(void *ctx, const uint8_t *rows, size_t n) {
  fld_out *o = ctx;
  buf_put(&o->w->out[SF_FLD], rows, n * o->width);
  return drain(o->w, SF_FLD, 0);
}

/* A column is freed (its runs removed) once written: a storage that maps
** a file by copying it (PostgreSQL's) holds one column's runs at a time. */
static int put_col(seg_writer *w, int k) {
  fld_out o = {w, COLS[k].width, 0, 0};
  int rc = spill_each(&w->col[k], fld_rows, &o);
  spill_free(&w->col[k]);
  return rc;
}

/* The topic lists from the (doc, ordinal) rows sorted by doc then
** ordinal: each doc's offset (its rows before it; ndocs + 1 of them), then
** the ordinals, each doc's ascending. */
static int topic_offsets(void *ctx, const uint8_t *rows, size_t n) {
  fld_out *o = ctx;
  for (size_t i = 0; i < n; i++) {
    for (uint32_t d = rd_u32(rows + 8 * i); o->next <= d; o->next++) buf_put_u32(&o->w->out[SF_FLD], o->sum);
    o->sum++;
  }
  return drain(o->w, SF_FLD, 0);
}

static int topic_ords(void *ctx, const uint8_t *rows, size_t n) {
  fld_out *o = ctx;
  for (size_t i = 0; i < n; i++) buf_put_u32(&o->w->out[SF_FLD], rd_u32(rows + 8 * i + 4));
  return drain(o->w, SF_FLD, 0);
}

static int put_topics(seg_writer *w) {
  spill *t = &w->col[SC_TOPREF];
  if (t->rows > UINT32_MAX) return ND_ERR_LIMIT;
  fld_out o = {w, 8, 0, 0};
  int rc = spill_each(t, topic_offsets, &o);
  for (; !rc && o.next <= w->m.ndocs; o.next++) buf_put_u32(&w->out[SF_FLD], o.sum);
  if (!rc) rc = spill_each(t, topic_ords, &o);
  w->m.topic_refs = t->rows;
  spill_free(t);
  return rc;
}

int segw_finish(seg_writer *w, seg_meta *out) {
  int rc = 0;
  uint64_t off;
  if (dw_finish(&w->dw, &w->out[SF_DIC], &off)) { rc = ND_ERR_NOMEM; goto fail; }
  w->m.dict_index_off = off;
  w->m.dict_nblocks = w->dw.nblocks;
  if (stw_finish(&w->stw, &w->out[SF_STO], &off)) { rc = ND_ERR_NOMEM; goto fail; }
  w->m.store_table_off = off;
  w->m.store_nblocks = w->stw.nblocks;
  w->m.raw_bytes = w->stw.raw;
  /* .fld after the document table: the date and id indexes, the ids,
  ** the topic lists, the length bytes, the story columns and tables */
  uint8_t end[4];
  wr_u32(end, (uint32_t)w->col[SC_IDSTR].rows);
  w->m.id_bytes = w->col[SC_IDSTR].rows;
  if ((rc = put_col(w, SC_DATES)) || (rc = put_col(w, SC_IDS)) || (rc = spill_put(&w->col[SC_IDOFF], end, 1)) ||
      (rc = put_col(w, SC_IDOFF)) || (rc = put_col(w, SC_IDSTR)) || (rc = put_topics(w)))
    goto fail;
  buf_put(&w->out[SF_FLD], w->norms.p, w->norms.n);
  if ((rc = put_col(w, SC_SIGS)) || (rc = put_col(w, SC_KEYS)) || (rc = put_col(w, SC_BANDS)) ||
      (rc = put_col(w, SC_STORYIX)) || (rc = put_col(w, SC_THREADIX)))
    goto fail;
  buf_put(&w->out[SF_FLD], w->dmax.p, w->dmax.n);
  if ((rc = put_col(w, SC_JOINERS))) goto fail;
  uint8_t pad[PL_PAD] = {0};
  buf_put(&w->out[SF_DOC], pad, sizeof pad);
  for (int k = 0; k < SF_COUNT; k++)
    if ((rc = drain(w, k, 1))) goto fail;
  for (int k = 0; k < SF_COUNT; k++) {
    w->m.size[k] = w->f[k].off;
    int e = sink_close(&w->f[k], &w->m.hash[k]);
    if (e) { rc = status_from_errno(e); goto fail; }
  }
  buf meta;
  buf_init(&meta);
  put_meta(&meta, &w->m);
  char name[24];
  seg_file_name(w->segno, SF_META, name);
  int e = meta.oom ? ENOMEM : vfs_replace(w->st, name, meta.p, meta.n);
  buf_free(&meta);
  if (e) { rc = status_from_errno(e); goto fail; }
  if (out) *out = w->m;
  release(w);
  return 0;
fail:
  segw_abort(w);
  return rc;
}

void segw_abort(seg_writer *w) {
  /* No allocation here: this also runs after memory ran out. */
  char name[24];
  for (int k = 0; k < w->open_files; k++) {
    int open = w->f[k].file != NULL;
    sink_abort(&w->f[k]); /* removes a file still open */
    seg_file_name(w->segno, k, name);
    if (!open) vfs_remove(w->st, name);
  }
  release(w);
}

/* ---- reading ---------------------------------------------------------- */

int seg_postings(pl_cursor *c, const segment *s, const term_info *ti) {
  size_t dn = s->f[SF_DOC].n, pn = s->f[SF_POS].n;
  /* the .doc range leaves the file's padding after it (postings.h) */
  if (ti->df > s->m.ndocs || ti->doc_off > dn || ti->doc_len > dn - ti->doc_off ||
      dn - ti->doc_off - ti->doc_len < PL_PAD || ti->pos_off > pn || ti->pos_len > pn - ti->pos_off) {
    static const uint8_t none[1];
    pl_open(c, seg_codec(&s->m), none, 0, none, 0, 0);
    c->err = 1;
    return -1;
  }
  return pl_open(c, seg_codec(&s->m), s->f[SF_DOC].p + ti->doc_off, ti->doc_len, s->f[SF_POS].p + ti->pos_off, ti->pos_len,
                 ti->df);
}

int seg_open(segment *s, const nd_storage *st, uint32_t segno, char *err, size_t errcap) {
  memset(s, 0, sizeof *s);
  s->segno = segno;
  char name[24];
  buf meta;
  buf_init(&meta);
  int rc = 0;
  seg_file_name(segno, SF_META, name);
  int e = vfs_read(st, name, &meta);
  if (e) {
    rc = status_from_errno(e);
    snprintf(err, errcap, "%s: %s", name, strerror(e));
    goto done;
  }
  int gm = get_meta(meta.p, meta.n, &s->m);
  if (gm == -2) {
    rc = ND_ERR_VERSION;
    snprintf(err, errcap, "%s: written by an older version of newsdex (rebuild the archive from its sources)", name);
    goto done;
  }
  if (gm) {
    rc = ND_ERR_CORRUPT;
    snprintf(err, errcap, "%s: damaged segment meta (bad size, magic or checksum)", name);
    goto done;
  }
  for (int k = 0; k < SF_COUNT; k++) {
    seg_file_name(segno, k, name);
    if ((e = vfs_map(st, name, &s->f[k]))) {
      rc = status_from_errno(e);
      snprintf(err, errcap, "%s: %s", name, strerror(e));
      goto done;
    }
    if (s->f[k].n != s->m.size[k]) {
      rc = ND_ERR_CORRUPT;
      snprintf(err, errcap, "%s: size %zu, expected %llu", name, s->f[k].n, (unsigned long long)s->m.size[k]);
      goto done;
    }
  }
  const seg_meta *m = &s->m;
  uint64_t nwin = ((uint64_t)m->ndocs + SEG_DATE_WINDOW - 1) / SEG_DATE_WINDOW;
  uint64_t fld_need = (uint64_t)m->ndocs * (SEG_DOC_ROW + 12 + 4 + 4 + 2 + 2 * FP_K + 24 + 12 + 12) + 8 +
                      m->ndates * 12 + m->id_bytes + m->topic_refs * 4 + m->nbands * 8 + nwin * 8 + m->njoiners * 4;
  if (m->topic_refs > m->size[SF_FLD] || m->nbands > (uint64_t)m->ndocs * FP_BANDS || m->njoiners > m->ndocs ||
      m->size[SF_FLD] != fld_need ||
      m->size[SF_DOC] < PL_PAD || m->ndates > m->ndocs) {
    rc = ND_ERR_CORRUPT;
    snprintf(err, errcap, "s%06u: inconsistent sizes in meta", segno);
    goto done;
  }
  if (dict_open(&s->d, s->f[SF_DIC].p, s->f[SF_DIC].n, m->dict_index_off, m->dict_nblocks, m->nterms,
                m->version >= 9)) {
    rc = ND_ERR_CORRUPT;
    snprintf(err, errcap, "s%06u.dic: damaged block index", segno);
    goto done;
  }
  int so = store_open(&s->st, s->f[SF_STO].p, s->f[SF_STO].n, m->store_table_off, m->store_nblocks);
  if (so) {
    rc = so == -2 ? ND_ERR_NOMEM : ND_ERR_CORRUPT;
    snprintf(err, errcap, "s%06u.sto: damaged block table", segno);
    goto done;
  }
  s->docs = s->f[SF_FLD].p;
  s->dates = s->docs + (size_t)m->ndocs * SEG_DOC_ROW;
  s->ids = s->dates + (size_t)m->ndates * 12;
  s->idoff = s->ids + (size_t)m->ndocs * 12;
  s->idstr = s->idoff + ((size_t)m->ndocs + 1) * 4;
  s->topoff = s->idstr + m->id_bytes;
  s->topics = s->topoff + ((size_t)m->ndocs + 1) * 4;
  s->norms = s->topics + (size_t)m->topic_refs * 4;
  s->sigs = s->norms + (size_t)m->ndocs * 2;
  s->keys = s->sigs + (size_t)m->ndocs * 2 * FP_K;
  s->bands = s->keys + (size_t)m->ndocs * 24;
  s->storyix = s->bands + (size_t)m->nbands * 8;
  s->threadix = s->storyix + (size_t)m->ndocs * 12;
  s->dmax = s->threadix + (size_t)m->ndocs * 12;
  s->joiners = s->dmax + (size_t)nwin * 8;
done:
  buf_free(&meta);
  if (rc) seg_close(s);
  return rc;
}

void seg_close(segment *s) {
  store_close(&s->st);
  for (int k = 0; k < SF_COUNT; k++) vfs_unmap(&s->f[k]);
}

int seg_topics_ok(const segment *s) {
  if (rd_u32(s->topoff + (size_t)s->m.ndocs * 4) != s->m.topic_refs) return 0;
  for (uint32_t d = 0; d < s->m.ndocs; d++) {
    uint32_t n;
    const uint8_t *t = seg_topics(s, d, &n);
    if (!t) return 0;
    for (uint32_t i = 0; i < n; i++)
      if (rd_u32(t + 4 * i) >= s->m.nterms || (i && rd_u32(t + 4 * i) <= rd_u32(t + 4 * (i - 1)))) return 0;
  }
  return 1;
}

void seg_sig(const segment *s, uint32_t d, uint16_t sig[FP_K]) {
  const uint8_t *p = s->sigs + (size_t)d * 2 * FP_K;
  for (int k = 0; k < FP_K; k++) sig[k] = rd_u16(p + 2 * k);
}

void seg_docx_of(const segment *s, uint32_t d, seg_docx *x) {
  seg_sig(s, d, x->sig);
  x->story = seg_story(s, d);
  x->thread = seg_thread(s, d);
  x->simhash = seg_simhash(s, d);
}

int64_t seg_newest(const segment *s, uint32_t lo, uint32_t hi) {
  int64_t best = DATE_NONE;
  if (hi >= s->m.ndocs) hi = s->m.ndocs - 1;
  for (uint32_t w = lo / SEG_DATE_WINDOW; lo <= hi && w <= hi / SEG_DATE_WINDOW; w++) {
    int64_t v = (int64_t)rd_u64(s->dmax + (size_t)w * 8);
    if (v != DATE_NONE && (best == DATE_NONE || v > best)) best = v;
  }
  return best;
}

/* First row of a sorted table of n rows of `size` bytes whose key (u32 or
** u64 at its start) is >= k. */
static size_t lower_bound(const uint8_t *t, size_t n, size_t size, uint64_t k) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    uint64_t v = size == 8 ? rd_u32(t + mid * size) : rd_u64(t + mid * size);
    if (v < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

void seg_band_docs(const segment *s, uint32_t key, int (*fn)(void *ctx, uint32_t doc), void *ctx) {
  size_t n = (size_t)s->m.nbands;
  for (size_t i = lower_bound(s->bands, n, 8, key); i < n && rd_u32(s->bands + i * 8) == key; i++) {
    uint32_t d = rd_u32(s->bands + i * 8 + 4);
    if (d < s->m.ndocs && fn(ctx, d)) break;
  }
}

void seg_key_docs(const segment *s, int which, uint64_t k, int (*fn)(void *ctx, uint32_t doc), void *ctx) {
  const uint8_t *t = which == 2 ? s->ids : which ? s->threadix : s->storyix;
  size_t n = s->m.ndocs;
  for (size_t i = lower_bound(t, n, 12, k); i < n && rd_u64(t + i * 12) == k; i++) {
    uint32_t d = rd_u32(t + i * 12 + 8);
    if (d < s->m.ndocs && fn(ctx, d)) break;
  }
}

int seg_has_topic(const segment *s, uint32_t d, uint32_t ord) {
  uint32_t n;
  const uint8_t *t = seg_topics(s, d, &n);
  for (uint32_t i = 0; i < n; i++)
    if (rd_u32(t + 4 * i) == ord) return 1;
  return 0;
}

/* A key index (story or thread): sorted, one row per doc, each row's key
** the doc's.  1 or 0. */
static int key_index_ok(const segment *s, int which, uint8_t *seen) {
  const uint8_t *t = which ? s->threadix : s->storyix;
  memset(seen, 0, s->m.ndocs);
  for (uint32_t i = 0; i < s->m.ndocs; i++) {
    uint32_t d = rd_u32(t + (size_t)i * 12 + 8);
    if (d >= s->m.ndocs || seen[d] || rd_u64(t + (size_t)i * 12) != (which ? seg_thread(s, d) : seg_story(s, d)) ||
        (i && cmp_row12(t + (size_t)(i - 1) * 12, t + (size_t)i * 12) > 0))
      return 0;
    seen[d] = 1;
  }
  return 1;
}

int seg_stories_check(const segment *s, char *err, size_t errcap) {
  uint64_t want = 0;
  uint16_t sig[FP_K];
  for (uint32_t d = 0; d < s->m.ndocs; d++) {
    seg_sig(s, d, sig);
    want += fp_empty(sig) ? 0 : FP_BANDS;
  }
  const char *what = NULL;
  if (want != s->m.nbands) what = "band table has the wrong number of entries";
  for (uint64_t i = 0; !what && i < s->m.nbands; i++) {
    const uint8_t *e = s->bands + i * 8;
    uint32_t d = rd_u32(e + 4), key[FP_BANDS];
    int found = 0;
    if (d < s->m.ndocs) {
      seg_sig(s, d, sig);
      fp_bands(sig, key);
      for (int b = 0; b < FP_BANDS; b++) found |= key[b] == rd_u32(e);
    }
    if (!found || (i && cmp_row8(e - 8, e) > 0)) what = "band table disagrees with the signatures";
  }
  uint8_t *seen = mem_alloc((size_t)s->m.ndocs + 1);
  if (!seen) return ND_ERR_NOMEM;
  if (!what && !key_index_ok(s, 0, seen)) what = "story index disagrees with the story keys";
  if (!what && !key_index_ok(s, 1, seen)) what = "thread index disagrees with the thread keys";
  mem_free(seen);
  for (uint32_t w = 0; !what && w * SEG_DATE_WINDOW < s->m.ndocs; w++) {
    int64_t best = DATE_NONE;
    for (uint32_t d = w * SEG_DATE_WINDOW; d < s->m.ndocs && d < (w + 1) * SEG_DATE_WINDOW; d++) {
      int64_t v = seg_date(s, d);
      if (v != DATE_NONE && (best == DATE_NONE || v > best)) best = v;
    }
    if ((int64_t)rd_u64(s->dmax + (size_t)w * 8) != best) what = "newest-date table disagrees with the dates";
  }
  uint64_t j = 0;
  for (uint32_t d = 0; !what && d < s->m.ndocs; d++) {
    size_t n;
    const char *id = seg_id(s, d, &n);
    if (!id) { what = "id strings damaged"; break; }
    int joiner = seg_story(s, d) != hash64(id, n);
    if (joiner && (j >= s->m.njoiners || rd_u32(s->joiners + j * 4) != d)) what = "joiner list disagrees with the story keys";
    j += joiner;
  }
  if (!what && j != s->m.njoiners) what = "joiner list disagrees with the story keys";
  if (!what) return 0;
  snprintf(err, errcap, "s%06u.fld: %s", s->segno, what);
  return ND_ERR_CORRUPT;
}

int seg_verify(const segment *s, char *err, size_t errcap) {
  for (int k = 0; k < SF_COUNT; k++) {
    if (hash64(s->f[k].p, s->f[k].n) != s->m.hash[k]) {
      char name[24];
      seg_file_name(s->segno, k, name);
      snprintf(err, errcap, "%s: checksum mismatch (the file is damaged)", name);
      return ND_ERR_CORRUPT;
    }
  }
  /* Dictionary sorted, postings inside their files and readable, docs in range. */
  dict_iter it;
  int r = dict_seek(&it, &s->d, "", 0);
  uint64_t nterms = 0;
  char prev[DICT_MAX_TERM + 1];
  size_t prevlen = 0;
  uint32_t *pos = NULL;
  size_t poscap = 0;
  uint64_t topic_refs = 0;
  int rc = 0;
  if (!seg_topics_ok(s)) {
    snprintf(err, errcap, "s%06u.fld: topic list damaged", s->segno);
    return ND_ERR_CORRUPT;
  }
  if ((rc = seg_stories_check(s, err, errcap))) return rc;
  while (r == 1) {
    if (nterms) {
      size_t mlen = prevlen < it.len ? prevlen : it.len;
      int c = memcmp(prev, it.term, mlen);
      if (c > 0 || (c == 0 && prevlen >= it.len)) {
        snprintf(err, errcap, "s%06u.dic: terms out of order at \"%s\"", s->segno, it.term);
        rc = ND_ERR_CORRUPT;
        break;
      }
    }
    memcpy(prev, it.term, it.len);
    prevlen = it.len;
    nterms++;
    const term_info *ti = &it.ti;
    pl_cursor c;
    if (seg_postings(&c, s, ti)) {
      snprintf(err, errcap, "s%06u.dic: postings of \"%s\" out of range or undecodable", s->segno, it.term);
      rc = ND_ERR_CORRUPT;
      break;
    }
    uint32_t seen = 0;
    for (; c.doc != PL_END && !c.err; pl_next(&c)) {
      seen++;
      uint32_t tf = pl_tft(&c) + pl_tfb(&c);
      if (c.doc >= s->m.ndocs || tf == 0 || pl_tft(&c) > seg_title_len(s, c.doc)) { c.err = 1; break; }
      if (tf > poscap) {
        uint32_t *np = mem_realloc(pos, (size_t)tf * sizeof *pos);
        if (!np) { rc = ND_ERR_NOMEM; break; }
        pos = np;
        poscap = tf;
      }
      if (pl_positions(&c, pos) < 0) break;
      uint32_t tl = seg_title_len(s, c.doc), bl = seg_body_len(s, c.doc);
      if (it.term[0] == SEG_TOPIC_PREFIX && !seg_has_topic(s, c.doc, (uint32_t)it.ord)) { c.err = 1; break; }
      topic_refs += it.term[0] == SEG_TOPIC_PREFIX;
      for (uint32_t j = 0; j < tf && !seg_keyword_term(it.term, it.len); j++) {
        int in_title = pos[j] < tl;
        if ((j < pl_tft(&c)) != in_title || (!in_title && (pos[j] <= tl || pos[j] > tl + bl))) { c.err = 1; break; }
      }
    }
    if (rc) break;
    if (c.err || seen != ti->df) {
      snprintf(err, errcap, "s%06u: postings of \"%s\" are damaged or disagree with the document table", s->segno, it.term);
      rc = ND_ERR_CORRUPT;
      break;
    }
    r = dict_next(&it);
  }
  mem_free(pos);
  if (rc) return rc;
  if (r < 0 || nterms != s->m.nterms) {
    snprintf(err, errcap, "s%06u.dic: damaged (read %llu of %llu terms)", s->segno, (unsigned long long)nterms,
             (unsigned long long)s->m.nterms);
    return ND_ERR_CORRUPT;
  }
  if (topic_refs != s->m.topic_refs) {
    snprintf(err, errcap, "s%06u.fld: topic list has %llu entries, the topic terms' postings %llu", s->segno,
             (unsigned long long)s->m.topic_refs, (unsigned long long)topic_refs);
    return ND_ERR_CORRUPT;
  }
  for (uint64_t i = 0; i < s->m.ndates; i++) {
    if (rd_u32(s->dates + i * 12 + 8) >= s->m.ndocs ||
        (i && (int64_t)rd_u64(s->dates + i * 12) < (int64_t)rd_u64(s->dates + (i - 1) * 12))) {
      snprintf(err, errcap, "s%06u.fld: date index damaged at entry %llu", s->segno, (unsigned long long)i);
      return ND_ERR_CORRUPT;
    }
  }
  for (uint32_t i = 0; i < s->m.ndocs; i++) {
    if (rd_u32(s->ids + (size_t)i * 12 + 8) >= s->m.ndocs || (i && rd_u64(s->ids + (size_t)i * 12) < rd_u64(s->ids + (size_t)(i - 1) * 12)) ||
        rd_u32(s->docs + (size_t)i * SEG_DOC_ROW + 16) >= s->m.store_nblocks) {
      snprintf(err, errcap, "s%06u.fld: document table or id index damaged at %u", s->segno, i);
      return ND_ERR_CORRUPT;
    }
  }
  for (uint32_t i = 0; i <= s->m.ndocs; i++) {
    uint32_t o = rd_u32(s->idoff + (size_t)i * 4);
    if (o > s->m.id_bytes || (i && o < rd_u32(s->idoff + (size_t)(i - 1) * 4)) || (i == s->m.ndocs && o != s->m.id_bytes)) {
      snprintf(err, errcap, "s%06u.fld: id strings table damaged at %u", s->segno, i);
      return ND_ERR_CORRUPT;
    }
  }
  return 0;
}

/* Decode record `idx` of the decompressed block in `data`. */
static int get_record(const buf *data, uint32_t idx, struct nd_document **out) {
  const uint8_t *rec;
  size_t len;
  if (rec_find(data->p, data->n, idx, &rec, &len)) return ND_ERR_CORRUPT;
  int r = rec_decode(rec, len, out);
  return r == -2 ? ND_ERR_NOMEM : r ? ND_ERR_CORRUPT : 0;
}

int seg_get(const segment *s, uint32_t d, buf *scratch, struct nd_document **out) {
  if (d >= s->m.ndocs) return ND_ERR_CORRUPT;
  const uint8_t *row = s->docs + (size_t)d * SEG_DOC_ROW;
  int r = store_block(&s->st, rd_u32(row + 16), scratch);
  if (r) return r == -2 ? ND_ERR_NOMEM : ND_ERR_CORRUPT;
  return get_record(scratch, rd_u32(row + 20), out);
}

int seg_get_cached(const segment *s, uint32_t d, blk_cache *c, struct nd_document **out) {
  if (d >= s->m.ndocs) return ND_ERR_CORRUPT;
  const uint8_t *row = s->docs + (size_t)d * SEG_DOC_ROW;
  uint32_t b = rd_u32(row + 16);
  if (c->seg != s || c->block != b) {
    c->seg = NULL;
    int r = store_block(&s->st, b, &c->data);
    if (r) return r == -2 ? ND_ERR_NOMEM : ND_ERR_CORRUPT;
    c->seg = s;
    c->block = b;
  }
  return get_record(&c->data, rd_u32(row + 20), out);
}

const char *seg_id(const segment *s, uint32_t d, size_t *len) {
  if (d >= s->m.ndocs) return NULL;
  uint32_t a = rd_u32(s->idoff + (size_t)d * 4), b = rd_u32(s->idoff + (size_t)d * 4 + 4);
  if (a > b || b > s->m.id_bytes) return NULL;
  *len = b - a;
  return (const char *)s->idstr + a;
}

int seg_find_id(const segment *s, const char *id, const roaring_bitmap_t *deleted, uint32_t *doc) {
  size_t idlen = strlen(id);
  uint64_t h = hash64(id, idlen);
  size_t lo = 0, hi = s->m.ndocs;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (rd_u64(s->ids + mid * 12) < h) lo = mid + 1;
    else hi = mid;
  }
  for (; lo < s->m.ndocs && rd_u64(s->ids + lo * 12) == h; lo++) {
    uint32_t d = rd_u32(s->ids + lo * 12 + 8);
    if (deleted && roaring_bitmap_contains(deleted, d)) continue;
    size_t n;
    const char *got = seg_id(s, d, &n);
    if (!got) return ND_ERR_CORRUPT;
    int same = n == idlen && !memcmp(got, id, n);
    if (same) { *doc = d; return 1; }
  }
  return 0;
}
