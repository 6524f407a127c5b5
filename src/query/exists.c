/*
** exists.c -- the queries that the document table answers: match-all,
** FIELD:* (exists) and id:, and source:* from its terms' postings (see
** iter.h).
**
** An exists test (ex_pred) reads a document's row: its date, its field
** lengths, its topic list; match-all reads nothing.  Alone, such a test is
** an iterator walking the documents (scan_it); in an AND it is a filter
** on the AND's candidates (boolean.c), as is a date range.  source:* has
** no column: the union of the source terms' postings, in a bitset.  id:
** is the one document the id index gives, as nd_get finds it.  All of
** them score CONST_SCORE.
*/
#include <string.h>

#include "../index/alias.h"
#include "../util/date.h"
#include "../util/mem.h"
#include "iter.h"

void ex_free(ex_pred *e) {
  mem_free(e->titled);
  e->titled = NULL;
}

/* The ordinals [lo, hi) of the topic terms of type letter c in the
** current segment.  0, or -1 with cx->err set. */
static int topic_range(qctx *cx, char c, uint64_t *lo, uint64_t *hi) {
  char key[2] = {SEG_TOPIC_PREFIX, c};
  dict_iter it;
  const segment *s = cx->seg;
  int r = dict_seek(&it, &s->d, key, 2);
  if (r >= 0) {
    *lo = r ? it.ord : s->m.nterms;
    key[1] = (char)(c + 1);
    r = dict_seek(&it, &s->d, key, 2);
    *hi = r > 0 ? it.ord : s->m.nterms;
  }
  if (r < 0) cx->err = ND_ERR_CORRUPT;
  return r < 0 ? -1 : 0;
}

/* The test of an exists query on `field` (QF_DATE, QF_TITLE, QF_BODY or a
** topic field) or, for QF_ANY, match-all, in the current segment.  0, or
** -1 with cx->err set. */
int ex_init(qctx *cx, int field, ex_pred *e) {
  memset(e, 0, sizeof *e);
  switch (field) {
    case QF_ANY: e->what = EX_ALL; return 0;
    case QF_DATE: e->what = EX_RANGE; e->lo = DATE_NONE + 1; e->hi = INT64_MAX; return 0;
    case QF_TITLE: e->what = EX_TITLE; return 0;
    case QF_BODY: e->what = EX_BODY; return 0;
    case QF_TOPIC: e->what = EX_TOPIC; return 0;
    default: break;
  }
  e->what = EX_TYPES;
  char c = field == QF_PERSON ? 'p' : field == QF_ORG ? 'o' : 'l';
  if (topic_range(cx, c, &e->rlo, &e->rhi)) return -1;
  if (field == QF_PERSON && topic_range(cx, AL_PARTIAL, &e->plo, &e->phi)) return -1;
  return 0;
}

/* Which partial names of [plo, phi) (the segment's 'q' terms) are written
** with a title: a key surname AL_SEP class AL_SEP era whose class is not
** empty.  A bit each, from one pass over those terms.  0, or -1 with
** cx->err set. */
static int titled_load(qctx *cx, ex_pred *e) {
  uint64_t n = e->phi - e->plo;
  if (!(e->titled = mem_calloc((size_t)(n / 64 + 1), sizeof *e->titled))) { cx->err = ND_ERR_NOMEM; return -1; }
  dict_iter di;
  int r = n ? dict_seek_ord(&di, &cx->seg->d, e->plo) : 1;
  for (uint64_t k = 0; k < n && r == 1; k++) {
    if (k && (r = dict_next(&di)) != 1) break;
    if (di.ord != e->plo + k || di.len < 3) { r = -1; break; }
    const char *sep = memchr(di.term + 2, AL_SEP, di.len - 2);
    if (sep && sep + 1 < di.term + di.len && sep[1] != AL_SEP) e->titled[k / 64] |= 1ULL << (k % 64);
  }
  if (r != 1) cx->err = ND_ERR_CORRUPT;
  return r != 1 ? -1 : 0;
}

/* Does document d (< ndocs) of the current segment pass e?  Damage sets cx->err. */
int ex_test(qctx *cx, ex_pred *e, uint32_t d) {
  const segment *s = cx->seg;
  switch (e->what) {
    case EX_ALL: return 1;
    case EX_RANGE: return ex_in_range(e, seg_date(s, d));
    case EX_TITLE: return seg_title_len(s, d) > 0;
    case EX_BODY: return seg_body_len(s, d) > 0;
    default: break;
  }
  uint32_t n;
  const uint8_t *ords = seg_topics(s, d, &n);
  if (!ords) { cx->err = ND_ERR_CORRUPT; return 0; }
  if (e->what == EX_TOPIC) return n > 0;
  for (uint32_t i = 0; i < n; i++) { /* a few, ascending */
    uint32_t o = rd_u32(ords + 4 * (size_t)i);
    if (o >= e->rlo && o < e->rhi) return 1;
    if (o >= e->plo && o < e->phi) {
      if (!e->titled && titled_load(cx, e)) return 0;
      if (e->titled[(o - e->plo) / 64] >> ((o - e->plo) % 64) & 1) return 1;
    }
  }
  return 0;
}

/* The documents that pass a test, found by walking the document table: no
** allocation; each step reads a row (match-all: nothing). */
typedef struct scan_it {
  qit base;
  ex_pred ex;
  uint32_t ndocs;
} scan_it;

static void scan_find(scan_it *sc, uint32_t d) {
  qctx *cx = sc->base.cx;
  if (sc->ex.what != EX_ALL)
    while (d < sc->ndocs && !ex_test(cx, &sc->ex, d) && !cx->err) d++;
  sc->base.doc = d < sc->ndocs && !cx->err ? d : PL_END;
}
static void scan_next(qit *it) {
  if (it->doc != PL_END) scan_find((scan_it *)it, it->doc + 1);
}
static void scan_advance(qit *it, uint32_t t) {
  if (it->doc != PL_END && it->doc < t) scan_find((scan_it *)it, t);
}
static double const_score(qit *it) { (void)it; return CONST_SCORE; }
static void scan_destroy(qit *it) {
  ex_free(&((scan_it *)it)->ex);
  mem_free(it);
}

/* Match-all (field QF_ANY) or an exists test that ex_init knows. */
qit *scan_it_new(qctx *cx, int field) {
  scan_it *sc = mem_calloc(1, sizeof *sc);
  if (!sc) { cx->err = ND_ERR_NOMEM; return NULL; }
  if (ex_init(cx, field, &sc->ex)) { mem_free(sc); return NULL; }
  sc->ndocs = cx->seg->m.ndocs;
  sc->base = (qit){PL_END, IT_OTHER, sc->ndocs, scan_next, scan_advance, const_score, scan_destroy, cx};
  scan_find(sc, 0);
  return &sc->base;
}

/* The documents of a bitset (ndocs bits), in order. */
typedef struct bits_it {
  qit base;
  uint64_t *w;
  uint32_t ndocs;
} bits_it;

static void bits_find(bits_it *b, uint32_t d) {
  uint32_t nw = (b->ndocs + 63) / 64;
  for (uint32_t k = d / 64; d < b->ndocs && k < nw; k++, d = k * 64) {
    uint64_t x = b->w[k] & (~0ULL << (d % 64));
    if (x) {
      uint32_t r = k * 64 + (uint32_t)__builtin_ctzll(x);
      b->base.doc = r < b->ndocs ? r : PL_END;
      return;
    }
  }
  b->base.doc = PL_END;
}
static void bits_next(qit *it) {
  if (it->doc != PL_END) bits_find((bits_it *)it, it->doc + 1);
}
static void bits_advance(qit *it, uint32_t t) {
  if (it->doc != PL_END && it->doc < t) bits_find((bits_it *)it, t);
}
static void bits_destroy(qit *it) {
  mem_free(((bits_it *)it)->w);
  mem_free(it);
}

/* source:*: the segment has no source column, so the documents with a
** source are the union of the postings of its source terms (one per
** document that has one), gathered in a bitset of ndocs bits. */
qit *source_exists_new(qctx *cx) {
  const segment *s = cx->seg;
  bits_it *b = mem_calloc(1, sizeof *b);
  if (b) b->w = mem_calloc((size_t)s->m.ndocs / 64 + 1, sizeof *b->w);
  if (!b || !b->w) {
    if (b) mem_free(b);
    cx->err = ND_ERR_NOMEM;
    return NULL;
  }
  b->ndocs = s->m.ndocs;
  b->base = (qit){PL_END, IT_OTHER, 0, bits_next, bits_advance, const_score, bits_destroy, cx};
  char key[1] = {SEG_SOURCE_PREFIX};
  dict_iter di;
  pl_cursor *c = mem_alloc(sizeof *c);
  if (!c) cx->err = ND_ERR_NOMEM;
  int r = c ? dict_seek(&di, &s->d, key, 1) : 0;
  for (; r == 1 && !cx->err && di.len >= 1 && di.term[0] == SEG_SOURCE_PREFIX; r = dict_next(&di)) {
    if (term_open_postings(cx, &di.ti, c)) break;
    while (c->doc != PL_END) {
      if (c->docs[c->n - 1] >= b->ndocs) { cx->err = ND_ERR_CORRUPT; break; }
      for (uint32_t k = c->i; k < c->n; k++) {
        uint64_t bit = 1ULL << (c->docs[k] & 63), *w = &b->w[c->docs[k] >> 6];
        b->base.cost += !(*w & bit);
        *w |= bit;
      }
      pl_advance(c, c->docs[c->n - 1] + 1);
    }
    if (c->err) cx->err = ND_ERR_CORRUPT;
  }
  if (r < 0) cx->err = ND_ERR_CORRUPT;
  mem_free(c);
  if (cx->err) { bits_destroy(&b->base); return NULL; }
  bits_find(b, 0);
  return &b->base;
}

/* One document, or none. */
typedef struct one_it {
  qit base;
} one_it;

static void one_next(qit *it) { it->doc = PL_END; }
static void one_advance(qit *it, uint32_t t) {
  if (it->doc < t) it->doc = PL_END;
}

/* id:VALUE: the live document of the segment with that id, found as
** nd_get finds it (the id index: a binary search on the id's hash). */
qit *id_it_new(qctx *cx, const char *id) {
  uint32_t d = PL_END;
  int r = seg_find_id(cx->seg, id, cx->del, &d);
  if (r < 0 || (r && d >= cx->seg->m.ndocs)) { cx->err = ND_ERR_CORRUPT; return NULL; }
  one_it *o = mem_alloc(sizeof *o);
  if (!o) { cx->err = ND_ERR_NOMEM; return NULL; }
  o->base = (qit){r ? d : PL_END, IT_OTHER, 1, one_next, one_advance, const_score, qit_free, cx};
  return &o->base;
}
