/*
** collapse.c -- stories among matches: each version group (index/stories.h)
** counted once, as its canonical matching version does.
**
** The canonical version of a story among a query's matches is the earliest
** (undated after dated), the longest body when dates tie, then the first
** in the snapshot's order.  Facets and histograms counting stories count
** the canonical versions' keys and periods: a wire story run by thirty
** outlets is one story, under the source and date of the first to run it.
*/
#include <stdlib.h>

#include "../index/index.h"
#include "../query/exec.h"
#include "../util/date.h"
#include "../util/mem.h"
#include "api.h"

int api_cmp_canonical(const void *a, const void *b, void *ctx) {
  const exec_hit *x = a, *y = b;
  const nd_index *ix = ctx;
  int xu = x->date == DATE_NONE, yu = y->date == DATE_NONE;
  if (xu != yu) return xu - yu;
  if (x->date != y->date) return x->date < y->date ? -1 : 1;
  uint32_t lx = seg_body_len(&ix->snap.segs[x->seg].seg, x->doc), ly = seg_body_len(&ix->snap.segs[y->seg].seg, y->doc);
  if (lx != ly) return lx > ly ? -1 : 1;
  if (x->seg != y->seg) return x->seg < y->seg ? -1 : 1;
  return (x->doc > y->doc) - (x->doc < y->doc);
}

/* By story, then canonical order. */
static int cmp_story_canonical(const void *a, const void *b, void *ctx) {
  uint64_t x = ((const exec_hit *)a)->story, y = ((const exec_hit *)b)->story;
  if (x != y) return x < y ? -1 : 1;
  return api_cmp_canonical(a, b, ctx);
}

int stories_collapse(nd_index *ix, roaring_bitmap_t **sets, uint64_t total, uint64_t *stories) {
  exec_hit *m = mem_alloc((size_t)total * sizeof *m + 1);
  if (!m) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  size_t n = 0;
  for (size_t si = 0; si < ix->snap.n; si++) {
    const segment *s = &ix->snap.segs[si].seg;
    roaring_uint32_iterator_t *it = roaring_create_iterator(sets[si]);
    if (!it) { mem_free(m); return ix_fail(ix, ND_ERR_NOMEM, "out of memory"); }
    for (; it->has_value && n < total; roaring_advance_uint32_iterator(it)) {
      uint32_t d = it->current_value;
      m[n++] = (exec_hit){(uint32_t)si, d, 0, seg_date(s, d), seg_story(s, d)};
    }
    roaring_free_uint32_iterator(it);
    roaring_bitmap_clear(sets[si]);
  }
  qsort_r(m, n, sizeof *m, cmp_story_canonical, ix);
  *stories = 0;
  for (size_t i = 0; i < n; i++)
    if (i == 0 || m[i].story != m[i - 1].story) {
      roaring_bitmap_add(sets[m[i].seg], m[i].doc);
      ++*stories;
    }
  mem_free(m);
  return 0;
}
