/* store.c -- stored-article records and zstd blocks (format in store.h). */
#include "store.h"

#include <string.h>
#define ZDICT_STATIC_LINKING_ONLY /* ZDICT_trainFromBuffer_fastCover, exported by libzstd */
#include <zdict.h>
/* for ZSTD_createDDict_byReference (exported by libzstd; its prototype is in
** the part of zstd.h that the header calls experimental) */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include "../util/mem.h"

#define NFIELDS 7

static const char *field_at(const nd_doc *d, int i) {
  switch (i) {
    case 0: return d->id;
    case 1: return d->title;
    case 2: return d->date;
    case 3: return d->source;
    case 4: return d->url;
    case 5: return d->body;
    default: return d->extra_json;
  }
}

void rec_encode(buf *out, const nd_doc *d) {
  uint8_t mask = 0;
  for (int i = 0; i < NFIELDS; i++)
    if (field_at(d, i)) mask |= (uint8_t)(1u << i);
  buf_putc(out, mask);
  for (int i = 0; i < NFIELDS; i++) {
    const char *f = field_at(d, i);
    if (f) buf_put_bytes(out, f, strlen(f));
  }
  buf_put_uvarint(out, d->n_marked);
  for (size_t i = 0; i < d->n_marked; i++) buf_put_bytes(out, d->marked[i], strlen(d->marked[i]));
}

int rec_decode(const uint8_t *rec, size_t len, struct nd_document **out) {
  const uint8_t *p = rec, *end = rec + len;
  if (len < 2 || (*p & 0x80)) return -1;
  uint8_t mask = *p++;
  const uint8_t *s[NFIELDS] = {0};
  size_t n[NFIELDS] = {0};
  size_t total = 0;
  for (int i = 0; i < NFIELDS; i++) {
    if (!(mask & (1u << i))) continue;
    if (get_bytes(&p, end, &s[i], &n[i])) return -1;
    total += n[i] + 1;
  }
  uint64_t nm;
  if (get_uvarint(&p, end, &nm) || nm > len) return -1;
  const uint8_t *mstart = p;
  for (uint64_t i = 0; i < nm; i++) {
    const uint8_t *ms;
    size_t ml;
    if (get_bytes(&p, end, &ms, &ml)) return -1;
    total += ml + 1;
  }
  struct nd_document *d = mem_calloc(1, sizeof *d);
  if (!d) return -2;
  d->mem = mem_alloc(total + 1);
  d->marked = mem_calloc(nm + 1, sizeof *d->marked);
  if (!d->mem || !d->marked) { nd_document_free(d); return -2; }
  char *w = d->mem;
  const char **dst[NFIELDS] = {&d->doc.id, &d->doc.title, &d->doc.date, &d->doc.source,
                               &d->doc.url, &d->doc.body, &d->doc.extra_json};
  for (int i = 0; i < NFIELDS; i++) {
    if (!s[i]) continue;
    memcpy(w, s[i], n[i]);
    w[n[i]] = 0;
    *dst[i] = w;
    w += n[i] + 1;
  }
  p = mstart;
  for (uint64_t i = 0; i < nm; i++) {
    const uint8_t *ms;
    size_t ml;
    get_bytes(&p, end, &ms, &ml);
    memcpy(w, ms, ml);
    w[ml] = 0;
    d->marked[i] = w;
    w += ml + 1;
  }
  d->doc.marked = d->marked;
  d->doc.n_marked = (size_t)nm;
  *out = d;
  return 0;
}

int rec_id(const uint8_t *rec, size_t len, const char **id, size_t *n) {
  const uint8_t *p = rec, *s;
  if (len < 2 || (*p & 0x80) || !(*p & 1)) return -1;
  p++;
  if (get_bytes(&p, rec + len, &s, n)) return -1;
  *id = (const char *)s;
  return 0;
}

void nd_document_free(nd_document *d) {
  if (!d) return;
  mem_free(d->mem);
  mem_free(d->marked);
  mem_free(d);
}

const nd_doc *nd_document_doc(const nd_document *d) { return &d->doc; }

int stw_init(store_writer *w, int level, const uint8_t *dict, size_t dict_len, buf *out) {
  memset(w, 0, sizeof *w);
  w->level = level;
  w->cctx = ZSTD_createCCtx();
  if (!w->cctx) return -1;
  if (dict && dict_len) {
    w->dict = dict;
    w->dict_len = dict_len;
    w->cdict = ZSTD_createCDict(dict, dict_len, level);
    if (!w->cdict) return -1;
    w->trained = 1;
    buf_put(out, dict, dict_len);
    w->off = dict_len;
    if (out->oom) return -1;
  }
  return 0;
}

void stw_free(store_writer *w) {
  buf_free(&w->blk);
  buf_free(&w->table);
  buf_free(&w->pend);
  buf_free(&w->pend_ends);
  buf_free(&w->sizes);
  if (w->cctx) ZSTD_freeCCtx(w->cctx);
  ZSTD_freeCDict(w->cdict);
  w->cctx = NULL;
  w->cdict = NULL;
}

/* Compress raw block bytes to *out and enter them in the table. */
static int compress_block(store_writer *w, const uint8_t *raw, size_t n, buf *out) {
  size_t bound = ZSTD_compressBound(n);
  if (buf_reserve(out, bound)) return -1;
  /* Each frame carries its content size (store_block needs it) and a
  ** checksum of its content, so that a damaged block is an error rather
  ** than different text: small blocks leave most of a frame's bytes in
  ** literals, where zstd itself would not notice. */
  ZSTD_CCtx_reset(w->cctx, ZSTD_reset_session_and_parameters);
  if (ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_compressionLevel, w->level)) ||
      ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_checksumFlag, 1)) ||
      ZSTD_isError(ZSTD_CCtx_setParameter(w->cctx, ZSTD_c_contentSizeFlag, 1)) ||
      (w->cdict && ZSTD_isError(ZSTD_CCtx_refCDict(w->cctx, w->cdict))))
    return -1;
  size_t k = ZSTD_compress2(w->cctx, out->p + out->n, bound, raw, n);
  if (ZSTD_isError(k)) return -1;
  out->n += k;
  buf_put_u64(&w->table, w->off);
  w->off += k;
  return w->table.oom ? -1 : 0;
}

/* Train the dictionary on the pending blocks (it is written first), then
** compress them.  Without enough samples, or if training fails, there is
** no dictionary. */
static int train(store_writer *w, buf *out) {
  w->trained = 1;
  size_t nsamples = w->sizes.n / sizeof(size_t);
  if (w->pend.n >= STORE_TRAIN / 16 && nsamples >= 32) {
    /* at most 1/16 of the samples: a small segment gets a small one */
    size_t cap = w->pend.n / 16 < STORE_DICT_MAX ? w->pend.n / 16 : STORE_DICT_MAX;
    uint8_t *dict = mem_alloc(cap);
    if (!dict) return -1;
    /* fastCover with fixed parameters: ZDICT_trainFromBuffer() tries
    ** several and costs about four times as much for the same ratio here
    ** (docs/benchmarks.md). */
    ZDICT_fastCover_params_t fp = {.k = 200, .d = 8, .f = 20, .steps = 1, .nbThreads = 1, .accel = 4,
                                   .zParams = {.compressionLevel = w->level}};
    size_t k = ZDICT_trainFromBuffer_fastCover(dict, cap, w->pend.p, (const size_t *)(void *)w->sizes.p,
                                               (unsigned)nsamples, fp);
    if (!ZDICT_isError(k) && k > 0) {
      w->cdict = ZSTD_createCDict(dict, k, w->level);
      if (!w->cdict) { mem_free(dict); return -1; }
      buf_put(out, dict, k);
      w->off += k;
    }
    mem_free(dict);
    if (out->oom) return -1;
  }
  size_t start = 0;
  for (size_t i = 0; i < w->pend_ends.n / 8; i++) {
    size_t end = (size_t)rd_u64(w->pend_ends.p + i * 8);
    if (compress_block(w, w->pend.p + start, end - start, out)) return -1;
    start = end;
  }
  buf_free(&w->pend);
  buf_free(&w->pend_ends);
  buf_free(&w->sizes);
  return 0;
}

static int flush_block(store_writer *w, buf *out) {
  if (w->nin == 0) return 0;
  int rc = 0;
  if (w->trained) {
    rc = compress_block(w, w->blk.p, w->blk.n, out);
  } else {
    buf_put(&w->pend, w->blk.p, w->blk.n);
    buf_put_u64(&w->pend_ends, w->pend.n);
    if (w->pend.oom || w->pend_ends.oom) rc = -1;
    else if (w->pend.n >= STORE_TRAIN) rc = train(w, out);
  }
  w->nblocks++;
  w->nin = 0;
  buf_reset(&w->blk);
  return rc;
}

int stw_add_record(store_writer *w, const uint8_t *rec, size_t len, buf *out, uint32_t *block, uint32_t *idx) {
  size_t at = w->blk.n;
  buf_put_bytes(&w->blk, rec, len);
  w->raw += len;
  if (w->blk.oom) return -1;
  size_t n = w->blk.n - at; /* a sample: the record with its length */
  if (!w->trained) {
    buf_put(&w->sizes, &n, sizeof n);
    if (w->sizes.oom) return -1;
  }
  *block = w->nblocks;
  *idx = w->nin++;
  if (w->blk.n >= STORE_BLOCK) return flush_block(w, out);
  return 0;
}

int stw_copy_block(store_writer *w, const uint8_t *frame, size_t n, buf *out, uint32_t *block) {
  unsigned long long raw = ZSTD_getFrameContentSize(frame, n);
  if (!w->dict_len || raw == ZSTD_CONTENTSIZE_ERROR || raw == ZSTD_CONTENTSIZE_UNKNOWN) return -2;
  if (ZSTD_findFrameCompressedSize(frame, n) != n) return -2; /* not exactly one frame (errors are huge) */
  if (flush_block(w, out)) return -1;
  buf_put(out, frame, n);
  buf_put_u64(&w->table, w->off);
  w->off += n;
  w->raw += raw;
  *block = w->nblocks++;
  return out->oom || w->table.oom ? -1 : 0;
}

int stw_finish(store_writer *w, buf *out, uint64_t *table_off) {
  if (flush_block(w, out)) return -1;
  if (!w->trained && train(w, out)) return -1;
  *table_off = w->off;
  buf_put_u64(&w->table, w->off);
  buf_put(out, w->table.p, w->table.n);
  return out->oom || w->table.oom ? -1 : 0;
}

int store_open(store *s, const uint8_t *base, size_t len, uint64_t table_off, uint32_t nblocks) {
  memset(s, 0, sizeof *s);
  s->base = base;
  s->table_off = table_off;
  s->nblocks = nblocks;
  if (table_off > len || (uint64_t)nblocks + 1 > (len - table_off) / 8) return -1;
  uint64_t dict_len = rd_u64(base + table_off);
  if (dict_len > table_off) return -1;
  if (nblocks && dict_len) {
    /* By reference: the dictionary stays in the mapped file, not copied
    ** at every open (up to STORE_DICT_MAX per segment, which made opening
    ** an archive cost a copy of every segment's dictionary). */
    s->ddict = ZSTD_createDDict_byReference(base, (size_t)dict_len);
    s->dctx = ZSTD_createDCtx();
    if (!s->ddict || !s->dctx) {
      store_close(s);
      return -2;
    }
  }
  return 0;
}

void store_close(store *s) {
  ZSTD_freeDDict(s->ddict);
  ZSTD_freeDCtx(s->dctx);
  s->ddict = s->dctx = NULL;
}

int stw_has_dict(const store_writer *w, const uint8_t *dict, size_t len) {
  return w->dict_len && len == w->dict_len && memcmp(dict, w->dict, len) == 0;
}

const uint8_t *store_dict(const store *s, size_t *len) {
  *len = (size_t)rd_u64(s->base + s->table_off);
  return s->base;
}

int store_frame(const store *s, uint32_t b, const uint8_t **frame, size_t *len) {
  if (b >= s->nblocks) return -1;
  uint64_t lo = rd_u64(s->base + s->table_off + (uint64_t)b * 8);
  uint64_t hi = rd_u64(s->base + s->table_off + (uint64_t)(b + 1) * 8);
  if (lo >= hi || hi > s->table_off) return -1;
  *frame = s->base + lo;
  *len = (size_t)(hi - lo);
  return 0;
}

int store_block(const store *s, uint32_t b, buf *out) {
  const uint8_t *f;
  size_t n;
  if (store_frame(s, b, &f, &n)) return -1;
  unsigned long long raw = ZSTD_getFrameContentSize(f, n);
  if (raw == ZSTD_CONTENTSIZE_ERROR || raw == ZSTD_CONTENTSIZE_UNKNOWN || raw > ((size_t)1 << 34)) return -1;
  buf_reset(out);
  if (buf_reserve(out, (size_t)raw)) return -2;
  size_t k = s->ddict ? ZSTD_decompress_usingDDict(s->dctx, out->p, (size_t)raw, f, n, s->ddict)
                      : ZSTD_decompress(out->p, (size_t)raw, f, n);
  if (ZSTD_isError(k) || k != raw) return -1;
  out->n = k;
  return 0;
}

int rec_find(const uint8_t *blk, size_t n, uint32_t idx, const uint8_t **rec, size_t *len) {
  const uint8_t *p = blk, *end = blk + n;
  for (uint32_t i = 0;; i++) {
    const uint8_t *r;
    size_t l;
    if (get_bytes(&p, end, &r, &l)) return -1;
    if (i == idx) { *rec = r; *len = l; return 0; }
  }
}
