/* membuf.c -- in-memory inverted index of buffered articles (see membuf.h). */
#include "membuf.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "../codec/store.h"
#include "../util/buf.h"
#include "../util/mem.h"
#include "srcterm.h"


/* What a term costs the buffer besides its bytes and postings: its entry
** and its share of the hash table.  A constant, not sizeof(mterm), so that
** where buffers end (and so the segments written) does not depend on the
** build. */
#define TERM_OVERHEAD 80

typedef struct mterm {
  uint32_t off;      /* in the term arena */
  uint32_t len;
  uint32_t last_doc;
  uint32_t df;
  buf post;          /* per doc: doc delta, tft, tfb, positions deltas */
} mterm;

typedef struct docinfo {
  size_t rec_off;
  int64_t date;
  uint32_t title_len, body_len;
  uint64_t idhash;
  uint32_t prev_same; /* the previous doc (+1) in the same id slot, 0: none */
  seg_docx x;
} docinfo;

struct membuf {
  mterm *terms;
  size_t nterms, capterms;
  uint32_t *slots;   /* open addressing: term index + 1, 0 = empty */
  size_t nslots;
  buf arena;         /* term bytes */
  buf recs;          /* encoded records, each length-prefixed */
  docinfo *docs;
  size_t ndocs, capdocs;
  uint32_t *idslots; /* open addressing on idhash: the latest doc (+1) */
  size_t nidslots;
  roaring_bitmap_t *deleted;
  size_t post_bytes;
  uint32_t *ids;     /* scratch of mb_put: the buffer's ids of an article's terms */
  size_t capids;
  int oom;           /* postings half-written by a failed put: unusable */
};

membuf *mb_new(void) {
  membuf *mb = mem_calloc(1, sizeof *mb);
  if (!mb) return NULL;
  mb->nslots = 1024;
  mb->slots = mem_calloc(mb->nslots, sizeof *mb->slots);
  if (!mb->slots) { mem_free(mb); return NULL; }
  return mb;
}

void mb_free(membuf *mb) {
  if (!mb) return;
  for (size_t i = 0; i < mb->nterms; i++) buf_free(&mb->terms[i].post);
  mem_free(mb->terms);
  mem_free(mb->slots);
  buf_free(&mb->arena);
  buf_free(&mb->recs);
  mem_free(mb->docs);
  mem_free(mb->idslots);
  mem_free(mb->ids);
  if (mb->deleted) roaring_bitmap_free(mb->deleted);
  mem_free(mb);
}

uint32_t mb_ndocs(const membuf *mb) { return (uint32_t)mb->ndocs; }

size_t mb_bytes(const membuf *mb) {
  return mb->arena.n + mb->recs.n + mb->post_bytes + mb->nterms * TERM_OVERHEAD + mb->ndocs * sizeof(docinfo) +
         mb->nidslots * sizeof *mb->idslots;
}

const roaring_bitmap_t *mb_deleted(const membuf *mb) { return mb->deleted; }

static int rehash(membuf *mb) {
  size_t n = mb->nslots * 2;
  uint32_t *s = mem_calloc(n, sizeof *s);
  if (!s) return -1;
  for (size_t i = 0; i < mb->nterms; i++) {
    mterm *t = &mb->terms[i];
    size_t h = (size_t)XXH3_64bits(mb->arena.p + t->off, t->len) & (n - 1);
    while (s[h]) h = (h + 1) & (n - 1);
    s[h] = (uint32_t)i + 1;
  }
  mem_free(mb->slots);
  mb->slots = s;
  mb->nslots = n;
  return 0;
}

/* Index of the term t[0..len) whose XXH3 is hash, inserting it if new; -1
** if out of memory. */
static long term_id(membuf *mb, const char *t, size_t len, uint64_t hash) {
  size_t mask = mb->nslots - 1, h = (size_t)hash & mask;
  for (; mb->slots[h]; h = (h + 1) & mask) {
    mterm *e = &mb->terms[mb->slots[h] - 1];
    if (e->len == len && !memcmp(mb->arena.p + e->off, t, len)) return (long)mb->slots[h] - 1;
  }
  if (mem_grow(&mb->terms, &mb->capterms, mb->nterms, sizeof *mb->terms)) return -1;
  if (mb->arena.n + len > UINT32_MAX) return -1;
  mterm *e = &mb->terms[mb->nterms];
  memset(e, 0, sizeof *e);
  e->off = (uint32_t)mb->arena.n;
  e->len = (uint32_t)len;
  buf_put(&mb->arena, t, len);
  if (mb->arena.oom) return -1;
  mb->slots[h] = (uint32_t)++mb->nterms;
  if (mb->nterms * 2 > mb->nslots && rehash(mb)) return -1;
  return (long)mb->nterms - 1;
}

/* ---- analysing an article (any thread) -------------------------------- */

/* A distinct term of the article being analysed. */
typedef struct sterm {
  uint64_t hash;
  uint32_t off, len;  /* in the scratch arena */
  uint32_t cnt, at;   /* its tokens; where its positions go in `grouped` */
  uint32_t slot;      /* its slot in the scratch table, cleared afterwards */
} sterm;

typedef struct tokpos {
  uint32_t term, pos;
} tokpos;

struct mb_scratch {
  sterm *terms;       /* the article's distinct terms, in order of first use */
  size_t nterms, capterms;
  uint32_t *slots;    /* open addressing on the hash: term index + 1 */
  size_t nslots;
  buf arena;          /* their bytes */
  tokpos *tp;         /* its tokens, in the order the analyzer gave them */
  size_t ntp, captp;
  uint32_t *grouped;  /* their positions grouped by term */
  size_t capgrouped;
  uint64_t *words;    /* the hashes of the words fingerprinted */
  size_t nwords, capwords;
};

mb_scratch *mb_scratch_new(void) { return mem_calloc(1, sizeof(mb_scratch)); }

void mb_scratch_free(mb_scratch *sc) {
  if (!sc) return;
  mem_free(sc->terms);
  mem_free(sc->slots);
  buf_free(&sc->arena);
  mem_free(sc->tp);
  mem_free(sc->grouped);
  mem_free(sc->words);
  mem_free(sc);
}

void mb_prep_init(mb_prep *p) {
  memset(p, 0, sizeof *p);
  buf_init(&p->rec);
  buf_init(&p->bytes);
}

void mb_prep_free(mb_prep *p) {
  buf_free(&p->rec);
  buf_free(&p->bytes);
  mem_free(p->terms);
  mb_prep_init(p);
}

/* Empty the scratch table for the next article (it stays sized). */
static void scratch_clear(mb_scratch *sc) {
  for (size_t i = 0; i < sc->nterms; i++) sc->slots[sc->terms[i].slot] = 0;
  sc->nterms = 0;
  sc->ntp = 0;
  buf_restart(&sc->arena);
}

static int scratch_rehash(mb_scratch *sc) {
  size_t n = sc->nslots ? sc->nslots * 2 : 1024;
  uint32_t *s = mem_calloc(n, sizeof *s);
  if (!s) return -1;
  for (size_t i = 0; i < sc->nterms; i++) {
    size_t h = (size_t)sc->terms[i].hash & (n - 1);
    while (s[h]) h = (h + 1) & (n - 1);
    s[h] = (uint32_t)i + 1;
    sc->terms[i].slot = (uint32_t)h;
  }
  mem_free(sc->slots);
  sc->slots = s;
  sc->nslots = n;
  return 0;
}

/* Record one token of term t[0..len) at pos.  0 or -1 (out of memory). */
static int scratch_token(mb_scratch *sc, const char *t, size_t len, uint32_t pos) {
  if ((sc->nterms + 1) * 2 > sc->nslots && scratch_rehash(sc)) return -1;
  uint64_t hash = XXH3_64bits(t, len);
  size_t mask = sc->nslots - 1, h = (size_t)hash & mask;
  for (; sc->slots[h]; h = (h + 1) & mask) {
    const sterm *e = &sc->terms[sc->slots[h] - 1];
    if (e->hash == hash && e->len == len && !memcmp(sc->arena.p + e->off, t, len)) break;
  }
  if (!sc->slots[h]) {
    if (mem_grow(&sc->terms, &sc->capterms, sc->nterms, sizeof *sc->terms)) return -1;
    sc->terms[sc->nterms] = (sterm){hash, (uint32_t)sc->arena.n, (uint32_t)len, 0, 0, (uint32_t)h};
    buf_put(&sc->arena, t, len);
    if (sc->arena.oom) return -1;
    sc->slots[h] = (uint32_t)++sc->nterms;
  }
  if (mem_grow(&sc->tp, &sc->captp, sc->ntp, sizeof *sc->tp)) return -1;
  sc->tp[sc->ntp++] = (tokpos){sc->slots[h] - 1, pos};
  sc->terms[sc->slots[h] - 1].cnt++;
  return 0;
}

static int on_token(void *ctx, const an_token *tok) {
  return scratch_token(ctx, tok->term, tok->len, tok->pos);
}

/* Group the article's positions by term (a counting sort: tokens arrive in
** position order, so each group comes out sorted; the rare exception -- a
** joined compound emitted after its parts -- is put right by an insertion
** sort of its group).  0 or -1 (out of memory). */
static int group_tokens(mb_scratch *sc) {
  if (sc->ntp && mem_grow(&sc->grouped, &sc->capgrouped, sc->ntp - 1, sizeof *sc->grouped)) return -1;
  uint32_t at = 0;
  for (size_t u = 0; u < sc->nterms; u++) {
    sc->terms[u].at = at;
    at += sc->terms[u].cnt;
  }
  for (size_t k = 0; k < sc->ntp; k++) sc->grouped[sc->terms[sc->tp[k].term].at++] = sc->tp[k].pos;
  for (size_t u = 0; u < sc->nterms; u++) {
    sterm *t = &sc->terms[u];
    t->at -= t->cnt;
    uint32_t *g = sc->grouped + t->at;
    for (uint32_t i = 1; i < t->cnt; i++) /* usually no move at all */
      for (uint32_t j = i; j > 0 && g[j] < g[j - 1]; j--) {
        uint32_t x = g[j];
        g[j] = g[j - 1];
        g[j - 1] = x;
      }
  }
  return 0;
}

/* The article's fingerprints (index/fingerprint.h): MinHash of the body's
** words in order (the title's when the body has none), each position once
** (a hyphenated compound's extra whole-word token has its first part's
** position and is left out); SimHash of its distinct words of 4 bytes or
** more.  Tokens come in position order within a field, the title's
** (positions 0 .. tl-1) before the body's (tl+1 ..), keyword terms
** (position 0) last.  0 or -1 (out of memory). */
static int fingerprint(mb_scratch *sc, uint32_t tl, seg_docx *x) {
  if (sc->ntp && mem_grow(&sc->words, &sc->capwords, sc->ntp - 1, sizeof *sc->words)) return -1;
  size_t n = 0;
  for (int body = 1; body >= 0 && n == 0; body--) {
    int64_t last = -1;
    for (size_t k = 0; k < sc->ntp; k++) {
      uint32_t pos = sc->tp[k].pos;
      const sterm *t = &sc->terms[sc->tp[k].term];
      if ((body ? pos <= tl : pos >= tl) || (int64_t)pos <= last ||
          seg_keyword_term((const char *)sc->arena.p + t->off, t->len))
        continue;
      last = pos;
      sc->words[n++] = t->hash;
    }
  }
  sc->nwords = n;
  fp_minhash(sc->words, n, x->sig);
  fp_simhash sh;
  fp_simhash_init(&sh);
  for (size_t u = 0; u < sc->nterms; u++) {
    const sterm *t = &sc->terms[u];
    if (t->len >= 4 && !seg_keyword_term((const char *)sc->arena.p + t->off, t->len)) fp_simhash_add(&sh, t->hash, t->cnt);
  }
  x->simhash = fp_simhash_end(&sh);
  x->story = x->thread = 0;
  return 0;
}

/* Write the grouped terms into p: each term's bytes, then its title and
** body counts and position deltas as the buffer's postings hold them. */
static int encode_terms(const mb_scratch *sc, uint32_t tl, mb_prep *p) {
  if (sc->nterms && !(p->terms = mem_alloc(sc->nterms * sizeof *p->terms))) return -1;
  p->nterms = sc->nterms;
  for (size_t u = 0; u < sc->nterms; u++) {
    const sterm *t = &sc->terms[u];
    const char *bytes = (const char *)sc->arena.p + t->off;
    const uint32_t *g = sc->grouped + t->at;
    mb_term *o = &p->terms[u];
    o->hash = t->hash;
    o->len = t->len;
    o->off = p->bytes.n;
    buf_put(&p->bytes, bytes, t->len);
    uint32_t tft = 0;
    for (uint32_t k = 0; k < t->cnt && !seg_keyword_term(bytes, t->len); k++) tft += g[k] < tl;
    buf_put_uvarint(&p->bytes, tft);
    buf_put_uvarint(&p->bytes, t->cnt - tft);
    uint32_t prev = 0;
    for (uint32_t k = 0; k < t->cnt; k++) {
      buf_put_uvarint(&p->bytes, g[k] - prev);
      prev = g[k];
    }
    o->post_len = p->bytes.n - o->off - t->len;
  }
  return p->bytes.oom ? -1 : 0;
}

int mb_prepare(analyzer *an, mb_scratch *sc, const nd_doc *d, int64_t date, const buf *topics, mb_prep *p) {
  mb_prep_free(p);
  scratch_clear(sc);
  uint32_t tl = 0, bl = 0;
  int rc = ND_ERR_NOMEM;
  if (d->title && an_analyze(an, d->title, strlen(d->title), 0, on_token, sc, &tl)) goto fail;
  if (an_analyze(an, d->body, strlen(d->body), tl + 1, on_token, sc, &bl)) goto fail;
  /* keyword terms, one at position 0: the source's whole value (index/srcterm.h), the key topics */
  if (d->source) {
    char st[DICT_MAX_TERM + 1];
    size_t sn;
    if (src_term(d->source, strlen(d->source), st, &sn) || (sn && scratch_token(sc, st, sn, 0))) goto fail;
  }
  for (size_t at = 0; topics && at < topics->n; at += 1 + topics->p[at])
    if (scratch_token(sc, (const char *)topics->p + at + 1, topics->p[at], 0)) goto fail;
  if (fingerprint(sc, tl, &p->x) || group_tokens(sc) || encode_terms(sc, tl, p)) goto fail;
  rec_encode(&p->rec, d);
  if (p->rec.oom) goto fail;
  p->idhash = XXH3_64bits(d->id, strlen(d->id));
  p->date = date;
  p->title_len = tl;
  p->body_len = bl;
  rc = 0;
fail:
  if (rc) mb_prep_free(p);
  return rc;
}

/* ---- buffering (in order, one thread) ---------------------------------- */

/* The id slot of hash h: the one holding a doc with that hash, or the
** empty one where it goes. */
static uint32_t *id_slot(const membuf *mb, uint64_t h) {
  size_t mask = mb->nidslots - 1, i = (size_t)h & mask;
  while (mb->idslots[i] && mb->docs[mb->idslots[i] - 1].idhash != h) i = (i + 1) & mask;
  return &mb->idslots[i];
}

/* Room in the id table for one more doc (kept at most half full). */
static int id_reserve(membuf *mb) {
  if ((mb->ndocs + 1) * 2 <= mb->nidslots) return 0;
  size_t n = mb->nidslots ? mb->nidslots * 2 : 1024;
  uint32_t *old = mb->idslots;
  size_t nold = mb->nidslots;
  if (!(mb->idslots = mem_calloc(n, sizeof *mb->idslots))) {
    mb->idslots = old;
    return -1;
  }
  mb->nidslots = n;
  for (size_t i = 0; i < nold; i++)
    if (old[i]) *id_slot(mb, mb->docs[old[i] - 1].idhash) = old[i];
  mem_free(old);
  return 0;
}

int mb_put(membuf *mb, const mb_prep *p) {
  if (mb->oom) return ND_ERR_NOMEM;
  if (mb->ndocs >= UINT32_MAX - 1) return ND_ERR_LIMIT;
  if (mem_grow(&mb->docs, &mb->capdocs, mb->ndocs, sizeof *mb->docs) || id_reserve(mb)) return ND_ERR_NOMEM;
  if (p->nterms && mem_grow(&mb->ids, &mb->capids, p->nterms - 1, sizeof *mb->ids)) return ND_ERR_NOMEM;
  uint32_t doc = (uint32_t)mb->ndocs;
  for (size_t u = 0; u < p->nterms; u++) {
    const mb_term *o = &p->terms[u];
    long id = term_id(mb, (const char *)p->bytes.p + o->off, o->len, o->hash);
    if (id < 0) return ND_ERR_NOMEM;
    mb->ids[u] = (uint32_t)id;
  }
  /* Records first, so that a failure leaves no postings pointing at a missing doc. */
  size_t rec_off = mb->recs.n;
  buf_put_bytes(&mb->recs, p->rec.p, p->rec.n);
  if (mb->recs.oom) return ND_ERR_NOMEM;
  for (size_t u = 0; u < p->nterms; u++) {
    const mb_term *o = &p->terms[u];
    mterm *t = &mb->terms[mb->ids[u]];
    size_t before = t->post.cap;
    buf_put_uvarint(&t->post, t->df ? doc - t->last_doc : doc);
    buf_put(&t->post, p->bytes.p + o->off + o->len, o->post_len);
    if (t->post.oom) { /* postings of this doc are half-written: the buffer is lost */
      mb->oom = 1;
      return ND_ERR_NOMEM;
    }
    mb->post_bytes += t->post.cap - before;
    t->last_doc = doc;
    t->df++;
  }
  uint32_t *slot = id_slot(mb, p->idhash);
  mb->docs[doc] = (docinfo){rec_off, p->date, p->title_len, p->body_len, p->idhash, *slot, p->x};
  *slot = doc + 1;
  mb->ndocs++;
  return 0;
}

/* The record of buffered doc i. */
static int doc_record(const membuf *mb, uint32_t i, const uint8_t **rec, size_t *len) {
  const uint8_t *p = mb->recs.p + mb->docs[i].rec_off;
  return get_bytes(&p, mb->recs.p + mb->recs.n, rec, len);
}

const uint64_t *mb_scratch_words(const mb_scratch *sc, size_t *n) {
  *n = sc->nwords;
  return sc->words;
}

int mb_docx(const membuf *mb, uint32_t d, seg_docx *x) {
  if (d >= mb->ndocs) return ND_ERR_NOTFOUND;
  *x = mb->docs[d].x;
  return 0;
}

int mb_get(const membuf *mb, uint32_t d, struct nd_document **out) {
  const uint8_t *rec;
  size_t len;
  if (d >= mb->ndocs || doc_record(mb, d, &rec, &len)) return ND_ERR_CORRUPT;
  int r = rec_decode(rec, len, out);
  return r == -2 ? ND_ERR_NOMEM : r ? ND_ERR_CORRUPT : 0;
}

int mb_find_id(const membuf *mb, const char *id, uint32_t *doc) {
  if (!mb->nidslots) return 0;
  uint64_t h = XXH3_64bits(id, strlen(id));
  /* Newest first: only the latest version of an id is live. */
  for (uint32_t i = *id_slot(mb, h); i; i = mb->docs[i - 1].prev_same) {
    uint32_t d = i - 1;
    if (mb->deleted && roaring_bitmap_contains(mb->deleted, d)) continue;
    const uint8_t *rec;
    size_t len;
    const char *rid;
    size_t rlen;
    if (doc_record(mb, d, &rec, &len) || rec_id(rec, len, &rid, &rlen)) continue;
    if (rlen == strlen(id) && !memcmp(rid, id, rlen)) { *doc = d; return 1; }
  }
  return 0;
}

void mb_delete(membuf *mb, uint32_t doc) {
  if (!mb->deleted) mb->deleted = roaring_bitmap_create();
  if (mb->deleted) roaring_bitmap_add(mb->deleted, doc);
}

static int cmp_terms(const void *a, const void *b, void *ctx) {
  const membuf *mb = ctx;
  const mterm *x = &mb->terms[*(const uint32_t *)a], *y = &mb->terms[*(const uint32_t *)b];
  int c = memcmp(mb->arena.p + x->off, mb->arena.p + y->off, x->len < y->len ? x->len : y->len);
  return c ? c : (x->len > y->len) - (x->len < y->len);
}

int mb_write(membuf *mb, seg_writer *w) {
  int rc = 0;
  if (mb->oom) return ND_ERR_NOMEM;
  for (uint32_t i = 0; i < mb->ndocs; i++) {
    const uint8_t *rec;
    size_t len;
    if (doc_record(mb, i, &rec, &len)) return ND_ERR_CORRUPT;
    rc = segw_doc(w, rec, len, mb->docs[i].date, mb->docs[i].title_len, mb->docs[i].body_len, &mb->docs[i].x);
    if (rc) return rc;
  }
  uint32_t *order = mem_alloc(mb->nterms * sizeof *order + 1);
  uint32_t *pos = NULL;
  size_t poscap = 0;
  if (!order) return ND_ERR_NOMEM;
  for (size_t i = 0; i < mb->nterms; i++) order[i] = (uint32_t)i;
  qsort_r(order, mb->nterms, sizeof *order, cmp_terms, mb);
  for (size_t i = 0; i < mb->nterms && !rc; i++) {
    mterm *t = &mb->terms[order[i]];
    if ((rc = segw_term_begin(w, (const char *)mb->arena.p + t->off, t->len))) break;
    const uint8_t *p = t->post.p, *end = p + t->post.n;
    uint32_t doc = 0;
    for (uint32_t k = 0; k < t->df && !rc; k++) {
      uint64_t dd, tft, tfb;
      if (get_uvarint(&p, end, &dd) || get_uvarint(&p, end, &tft) || get_uvarint(&p, end, &tfb)) { rc = ND_ERR_CORRUPT; break; }
      doc = k ? doc + (uint32_t)dd : (uint32_t)dd;
      size_t n = (size_t)(tft + tfb);
      if (n > poscap) {
        uint32_t *np = mem_realloc(pos, n * sizeof *pos);
        if (!np) { rc = ND_ERR_NOMEM; break; }
        pos = np;
        poscap = n;
      }
      uint64_t prev = 0;
      for (size_t j = 0; j < n; j++) {
        uint64_t v;
        if (get_uvarint(&p, end, &v)) { rc = ND_ERR_CORRUPT; break; }
        prev += v;
        pos[j] = (uint32_t)prev;
      }
      if (!rc && doc < mb->ndocs) rc = segw_term_doc(w, doc, (uint32_t)tft, (uint32_t)tfb, pos, n);
    }
    if (!rc) rc = segw_term_end(w);
  }
  mem_free(order);
  mem_free(pos);
  return rc;
}
