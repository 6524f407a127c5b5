/*
** accum.c -- a wide OR of terms ranked term at a time (see iter.h).
**
** A prefix (or a topic name, a source value) is an OR of many index
** terms, often dozens to hundreds, whose postings together cover a good
** part of the segment.  Walked document at a time, every posting costs a
** step of the OR's heap and block-max finds little to skip (many terms
** with comparable bounds).  Here each term's postings are read a decoded
** block at a time and their scores added into one accumulator per
** document of the segment; then the touched documents are counted and
** those that reach the heap's floor offered.  A document's parts are
** added in the children's order starting from 0, as bm_or (topk.c) adds
** them, so the two give the same bits for the ORs bm_or takes (up to
** BM_MAX_TERMS terms; a wider OR elsewhere is summed in its heap's order,
** boolean.c).  The count is exact whatever was asked: it costs one bit
** test per touched document.
**
** The accumulators are as many as the segment's documents, so the path is
** taken only when the terms' postings are at least a fixed fraction of
** that (ACC_DENSITY): its cost stays proportional to the postings read.
*/
#include <string.h>

#include "../util/mem.h"
#include "iter.h"

#define ACC_MIN_TERMS 16 /* narrower ORs: block-max skips enough (measured on the bench's prefixes) */
#define ACC_DENSITY 16    /* postings >= documents / ACC_DENSITY */

static int acc_shape(const qit *it, uint32_t ndocs) {
  if (it->kind != IT_OR) return 0;
  const multi_it *m = (const multi_it *)it;
  if (m->n < ACC_MIN_TERMS) return 0;
  uint64_t postings = 0;
  for (size_t i = 0; i < m->n; i++) {
    if (m->kids[i]->kind != IT_TERM) return 0;
    postings += ((const term_it *)m->kids[i])->c.df;
  }
  return postings >= ndocs / ACC_DENSITY;
}

/* Add term t's score of each of its documents to acc, marking them in
** touched (an untouched accumulator is not read: acc is not cleared).
** 0, or -1 with cx->err set. */
static int acc_term(qctx *cx, term_it *t, uint32_t ndocs, double *acc, uint64_t *touched) {
  pl_cursor *c = &t->c;
  while (c->doc != PL_END) {
    pl_tf_ready(c);
    for (uint32_t i = c->i; i < c->n; i++) {
      uint32_t d = c->docs[i], tft = c->tft[i], tfb = c->tfb[i];
      if (d >= ndocs) return cx->err = ND_ERR_CORRUPT, -1;
      if (!term_takes(t, tft, tfb)) continue;
      double sc = bm25f(cx, d, tft, tfb, t->idf, t->field, t->source);
      uint64_t bit = 1ULL << (d & 63), *w = &touched[d >> 6];
      acc[d] = *w & bit ? acc[d] + sc : sc; /* the first part as 0 + it would be: never zeroed */
      *w |= bit;
    }
    pl_next_block(c);
  }
  if (c->err) return cx->err = ND_ERR_CORRUPT, -1;
  return 0;
}

int topk_accumulate(qctx *cx, const snap_seg *g, uint32_t si, qit *it, heap *hp, uint64_t *count) {
  uint32_t nd = g->seg.m.ndocs;
  if (!acc_shape(it, nd)) return 0;
  multi_it *m = (multi_it *)it;
  double *acc = mem_alloc((nd ? nd : 1) * sizeof *acc); /* read only where touched */
  uint64_t *touched = mem_calloc(nd / 64 + 1, sizeof *touched);
  if (!acc || !touched) {
    cx->err = ND_ERR_NOMEM;
    goto out;
  }
  for (size_t k = 0; k < m->n; k++)
    if (acc_term(cx, (term_it *)m->kids[k], nd, acc, touched)) goto out;
  double thr = heap_floor(hp);
  for (uint32_t w = 0; w <= nd / 64; w++) {
    for (uint64_t bits = touched[w]; bits; bits &= bits - 1) {
      uint32_t d = w * 64 + (uint32_t)__builtin_ctzll(bits);
      if (ss_deleted(g, d)) continue;
      (*count)++;
      /* recency only lowers a score (exec_decay <= 1) */
      if (acc[d] >= thr) {
        topk_offer(cx, hp, g, si, d, acc[d]);
        thr = heap_floor(hp);
      }
    }
  }
out:
  mem_free(acc);
  mem_free(touched);
  return 1;
}
