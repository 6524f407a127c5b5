/*
** phrase.c -- phrases: the documents where a query's terms stand at the
** positions it gives them (see iter.h).
**
** The cursors are intersected with the rarest term leading; a document
** they all hold is then checked on positions, decoded only for it: start
** positions narrowed one term at a time, the term with the fewest
** occurrences first.  Its occurrences in each field are its frequencies
** (scored as a term's, exec.h), the sum of its terms' idfs its idf.  For
** block-max top-k alone (topk.c) it passes by, before reading positions,
** the candidates whose bound -- the smallest of its terms' block bounds
** -- cannot reach the worst hit kept.
*/
#include <math.h>

#include "../util/mem.h"
#include "iter.h"

typedef struct phrase_it {
  qit base;
  size_t n;
  pl_cursor *c;
  const uint32_t *rel;
  uint32_t **pos;
  uint32_t *cap, *npos;
  uint32_t *order; /* the cursors by increasing df: the rarest term leads the intersection */
  double thr;      /* block-max top-k (bm_phrase, topk.c): candidates whose bound is below are passed by */
  double scale;    /* its bounds' scale (bm25_bound_scale) */
  int field, source;
  double idf;
  uint32_t tf_t, tf_b; /* occurrences in the current doc */
} phrase_it;

static int load_pos(phrase_it *p, size_t i) {
  pl_cursor *c = &p->c[i];
  uint32_t k = pl_tft(c) + pl_tfb(c);
  if (k > p->cap[i]) {
    uint32_t *np = mem_realloc(p->pos[i], (size_t)k * sizeof *np);
    if (!np) { p->base.cx->err = ND_ERR_NOMEM; return -1; }
    p->pos[i] = np;
    p->cap[i] = k;
  }
  if (pl_positions(c, p->pos[i]) < 0) { p->base.cx->err = ND_ERR_CORRUPT; return -1; }
  p->npos[i] = k;
  return 0;
}

/* Count the phrase's occurrences in the document all cursors are on.
** Start positions are narrowed one term at a time, the term with the
** fewest occurrences first, and positions are decoded only while some
** start is left. */
static int phrase_check(phrase_it *p, uint32_t doc) {
  size_t n = p->n, first = 0;
  for (size_t i = 1; i < n; i++)
    if (pl_tft(&p->c[i]) + pl_tfb(&p->c[i]) < pl_tft(&p->c[first]) + pl_tfb(&p->c[first])) first = i;
  if (load_pos(p, first)) return 0;
  /* starts[] lives in the first term's position array, shifted */
  uint32_t *st = p->pos[first], ns = 0, shift = p->rel[first];
  for (uint32_t k = 0; k < p->npos[first]; k++)
    if (st[k] >= shift) st[ns++] = st[k] - shift;
  for (size_t i = 0; i < n && ns; i++) {
    if (i == first) continue;
    if (load_pos(p, i)) return 0;
    const uint32_t *q = p->pos[i];
    uint32_t nq = p->npos[i], r = p->rel[i], j = 0, keep = 0;
    for (uint32_t k = 0; k < ns; k++) { /* both sorted: a merge */
      while (j < nq && q[j] < st[k] + r) j++;
      if (j < nq && q[j] == st[k] + r) st[keep++] = st[k];
    }
    ns = keep;
  }
  uint32_t tl = p->source ? 0 : seg_title_len(p->base.cx->seg, doc);
  p->tf_t = p->tf_b = 0;
  for (uint32_t k = 0; k < ns; k++) {
    int in_title = !p->source && st[k] < tl;
    if (in_title && p->field != QF_BODY) p->tf_t++;
    if (!in_title && p->field != QF_TITLE) p->tf_b++;
  }
  return p->tf_t + p->tf_b > 0;
}

/* A bound of the phrase's score in the documents up to *last from the
** current one: a phrase occurs in a field at most as often as each of its
** terms, so its tf' is at most the smallest of the terms' block bounds
** (index/bm25.h).  Terms without a skip table bound nothing (INFINITY when
** none has one). */
static double phrase_bound(const phrase_it *p, uint32_t *last) {
  double f = INFINITY;
  *last = PL_END - 1;
  for (size_t i = 0; i < p->n; i++) {
    const pl_cursor *c = &p->c[i];
    if (!c->skip) continue;
    double b = pl_bound_of(c, c->blk);
    uint32_t l = pl_last_of(c, c->blk);
    if (b < f) f = b;
    if (l < *last) *last = l;
  }
  return f == INFINITY ? f : score_bound(p->idf, f, p->scale);
}

static void phrase_find(phrase_it *p, uint32_t target) {
  pl_cursor *lead = &p->c[p->order[0]];
  for (;;) {
    pl_advance(lead, target);
    uint32_t cand = lead->doc;
    int moved = 0;
    for (size_t i = 1; i < p->n && cand != PL_END; i++) {
      pl_cursor *c = &p->c[p->order[i]];
      pl_advance(c, cand);
      if (c->doc != cand) { cand = c->doc; moved = 1; break; }
    }
    if (moved && cand != PL_END) { target = cand; continue; }
    /* damage is looked for where the cursors agree or end (a damaged
    ** block ends its cursor; damaged frequencies read as 0) */
    for (size_t i = 0; i < p->n; i++)
      if (p->c[i].err) p->base.cx->err = ND_ERR_CORRUPT;
    if (cand == PL_END || p->base.cx->err) { p->base.doc = PL_END; return; }
    if (p->thr > -INFINITY) {
      uint32_t last;
      if (phrase_bound(p, &last) < p->thr) { target = last + 1; continue; }
    }
    if (phrase_check(p, cand)) { p->base.doc = cand; return; }
    if (p->base.cx->err) { p->base.doc = PL_END; return; }
    target = cand + 1;
  }
}

static void phrase_next(qit *it) {
  if (it->doc != PL_END) phrase_find((phrase_it *)it, it->doc + 1);
}
static void phrase_advance(qit *it, uint32_t t) {
  if (it->doc != PL_END && it->doc < t) phrase_find((phrase_it *)it, t);
}
static double phrase_score(qit *it) {
  phrase_it *p = (phrase_it *)it;
  return bm25f(it->cx, it->doc, p->tf_t, p->tf_b, p->idf, p->field, p->source);
}
static void phrase_destroy(qit *it) {
  phrase_it *p = (phrase_it *)it;
  for (size_t i = 0; i < p->n; i++) mem_free(p->pos[i]);
  mem_free(p->pos);
  mem_free(p->cap);
  mem_free(p->npos);
  mem_free(p->order);
  mem_free(p->c);
  mem_free(p);
}

qit *phrase_it_new(qctx *cx, const qnode *q) {
  phrase_it *p = mem_calloc(1, sizeof *p);
  if (!p) { cx->err = ND_ERR_NOMEM; return NULL; }
  p->base = (qit){PL_END, IT_PHRASE, UINT64_MAX, phrase_next, phrase_advance, phrase_score, phrase_destroy, cx};
  p->thr = -INFINITY;
  p->n = q->nterms;
  p->rel = q->pos;
  p->field = q->field;
  p->source = qf_keyword(q->field);
  p->c = mem_alloc(q->nterms * sizeof *p->c);
  p->pos = mem_calloc(q->nterms, sizeof *p->pos);
  p->cap = mem_calloc(q->nterms, sizeof *p->cap);
  p->npos = mem_calloc(q->nterms, sizeof *p->npos);
  p->order = mem_calloc(q->nterms, sizeof *p->order);
  if (!p->c || !p->pos || !p->cap || !p->npos || !p->order) { cx->err = ND_ERR_NOMEM; phrase_destroy(&p->base); return NULL; }
  /* Every term's idf, even where the phrase cannot match: the figures a
  ** shard gives (exec_stats) must hold each term it has, and a term that
  ** is absent here may be in another segment or shard. */
  char key[DICT_MAX_TERM + 1];
  for (size_t i = 0; i < q->nterms; i++) p->idf += qctx_idf(cx, key, term_key(q->terms[i], q->field, key));
  for (size_t i = 0; i < q->nterms; i++) {
    size_t len = term_key(q->terms[i], q->field, key);
    int r = term_open_cursor(cx, key, len, &p->c[i]);
    if (r <= 0) { phrase_destroy(&p->base); return r < 0 ? NULL : qit_empty(cx); }
    if (p->c[i].df < p->base.cost) p->base.cost = p->c[i].df;
    size_t k = i; /* insertion by df */
    for (; k > 0 && p->c[p->order[k - 1]].df > p->c[i].df; k--) p->order[k] = p->order[k - 1];
    p->order[k] = (uint32_t)i;
  }
  phrase_find(p, 0);
  return &p->base;
}

void phrase_bounds_init(qit *it) {
  phrase_it *p = (phrase_it *)it;
  p->scale = seg_bound_scale(it->cx, p->source);
}

void phrase_set_floor(qit *it, double thr) { ((phrase_it *)it)->thr = thr; }
