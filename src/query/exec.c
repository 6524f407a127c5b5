/*
** exec.c -- running a query over a snapshot (see exec.h): exec_search and
** exec_matches, segment by segment; the pieces they run are in the other
** files of this folder (iter.h lists them).
**
** On each segment exec_search takes the cheapest path that gives the
** hits and the count asked for (topk.c): match-all without recency, its
** hits from the date index; ranked by relevance, the AND scan, the
** accumulators of a wide OR of terms with dense postings (accum.c, counted
** exactly), or block-max top-k followed, for an exact count, by a
** counting pass (count.c); or else every match of the query's iterators
** (plan.c) scored and offered to the heap.
*/
#include "../util/mem.h"
#include "iter.h"

int exec_matches(nd_index *ix, const qnode *q, roaring_bitmap_t ***sets, uint64_t *total) {
  const snapshot *snap = &ix->snap;
  *sets = NULL;
  *total = 0;
  roaring_bitmap_t **bm = mem_calloc(snap->n + 1, sizeof *bm);
  if (!bm) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  qctx cx;
  qctx_init(&cx, ix, NULL);
  int rc = 0;
  uint32_t batch[256];
  for (size_t si = 0; si < snap->n && !rc; si++) {
    const snap_seg *g = &snap->segs[si];
    qctx_seg(&cx, g);
    if (!(bm[si] = roaring_bitmap_create())) { rc = ND_ERR_NOMEM; break; }
    if (q->kind == Q_ALL) { /* every document but the deleted */
      roaring_bitmap_add_range(bm[si], 0, g->seg.m.ndocs);
      if (g->del) roaring_bitmap_andnot_inplace(bm[si], g->del);
      *total += roaring_bitmap_get_cardinality(bm[si]);
      continue;
    }
    qit *it = qit_build(&cx, q);
    if (!it) { rc = cx.err ? cx.err : ND_ERR_NOMEM; break; }
    size_t nb = 0;
    for (; it->doc != PL_END && !cx.err; it->next(it)) {
      if (it->doc >= g->seg.m.ndocs) { cx.err = ND_ERR_CORRUPT; break; }
      batch[nb++] = it->doc;
      if (nb == 256) { roaring_bitmap_add_many(bm[si], nb, batch); nb = 0; }
    }
    roaring_bitmap_add_many(bm[si], nb, batch);
    it->destroy(it);
    rc = cx.err;
    if (!rc && g->del) roaring_bitmap_andnot_inplace(bm[si], g->del);
    if (!rc) *total += roaring_bitmap_get_cardinality(bm[si]);
  }
  qctx_free(&cx);
  if (rc) {
    exec_matches_free(bm, snap->n);
    *total = 0;
    return qctx_fail(ix, rc);
  }
  *sets = bm;
  return 0;
}

void exec_matches_free(roaring_bitmap_t **sets, size_t n) {
  if (!sets) return;
  for (size_t i = 0; i < n; i++)
    if (sets[i]) roaring_bitmap_free(sets[i]); /* (NULL after a failed create) */
  mem_free(sets);
}

int exec_search(nd_index *ix, const qnode *q, const exec_opts *o, int *exact, exec_hit **hits, size_t *nhits,
                uint64_t *total) {
  *hits = NULL;
  *nhits = 0;
  *total = 0;
  const snapshot *snap = &ix->snap;
  qctx cx;
  qctx_init(&cx, ix, o->stats);
  cx.o = o;
  int sort = o->sort;
  size_t offset = o->offset, want = o->offset + o->limit;
  if (want < offset) want = SIZE_MAX;
  if (want > snap->live_docs) want = (size_t)snap->live_docs;
  heap hp;
  if (topk_init(&hp, want, sort, o->collapse)) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  int rc = 0, lower_bound = 0;
  for (size_t si = 0; si < snap->n && !rc; si++) {
    const snap_seg *g = &snap->segs[si];
    qctx_seg(&cx, g);
    if (q->kind == Q_ALL && !(o->half_life > 0)) {
      rc = topk_all(&cx, g, (uint32_t)si, &hp, total);
      continue;
    }
    qit *it = qit_build(&cx, q);
    if (it && cx.err) { /* a term the given figures lack */
      it->destroy(it);
      it = NULL;
    }
    if (!it) { rc = cx.err ? cx.err : ND_ERR_NOMEM; break; }
    uint64_t seen = 0;
    if (sort == ND_SORT_RELEVANCE && topk_and_of_terms(it)) {
      topk_and_scan(&cx, g, (uint32_t)si, (multi_it *)it, &hp, &seen);
      it->destroy(it);
      rc = cx.err;
      *total += seen;
      continue;
    }
    if (sort == ND_SORT_RELEVANCE && topk_accumulate(&cx, g, (uint32_t)si, it, &hp, &seen)) {
      it->destroy(it);
      rc = cx.err;
      *total += seen;
      continue;
    }
    if (sort == ND_SORT_RELEVANCE && topk_block_max(&cx, g, (uint32_t)si, it, &hp, &seen, *exact)) {
      it->destroy(it);
      rc = cx.err;
      if (*exact && !rc) rc = count_live(&cx, g, q, &seen);
      else if (!*exact) lower_bound = 1;
      *total += seen;
      continue;
    }
    for (; it->doc != PL_END && !cx.err; it->next(it)) {
      uint32_t d = it->doc;
      if (d >= g->seg.m.ndocs) { cx.err = ND_ERR_CORRUPT; break; }
      if (ss_deleted(g, d)) continue;
      (*total)++;
      topk_offer(&cx, &hp, g, (uint32_t)si, d, it->score(it));
    }
    it->destroy(it);
    rc = cx.err;
  }
  qctx_free(&cx);
  if (rc) {
    topk_free(&hp);
    return qctx_fail(ix, rc);
  }
  if (lower_bound) *exact = 0;
  topk_take(&hp, offset, hits, nhits);
  return 0;
}
