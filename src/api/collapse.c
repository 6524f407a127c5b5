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
#include "../util/date.h"
#include "../util/mem.h"
#include "api.h"

typedef struct member {
  uint64_t story;
  int64_t date;
  uint32_t len, si, doc;
} member;

static int cmp_member(const void *a, const void *b) {
  const member *x = a, *y = b;
  if (x->story != y->story) return x->story < y->story ? -1 : 1;
  int xu = x->date == DATE_NONE, yu = y->date == DATE_NONE;
  if (xu != yu) return xu - yu;
  if (x->date != y->date) return x->date < y->date ? -1 : 1;
  if (x->len != y->len) return x->len > y->len ? -1 : 1;
  if (x->si != y->si) return x->si < y->si ? -1 : 1;
  return (x->doc > y->doc) - (x->doc < y->doc);
}

int stories_collapse(nd_index *ix, roaring_bitmap_t **sets, uint64_t total, uint64_t *stories) {
  member *m = mem_alloc((size_t)total * sizeof *m + 1);
  if (!m) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  size_t n = 0;
  for (size_t si = 0; si < ix->snap.n; si++) {
    const segment *s = &ix->snap.segs[si].seg;
    roaring_uint32_iterator_t *it = roaring_create_iterator(sets[si]);
    if (!it) { mem_free(m); return ix_fail(ix, ND_ERR_NOMEM, "out of memory"); }
    for (; it->has_value && n < total; roaring_advance_uint32_iterator(it)) {
      uint32_t d = it->current_value;
      m[n++] = (member){seg_story(s, d), seg_date(s, d), seg_body_len(s, d), (uint32_t)si, d};
    }
    roaring_free_uint32_iterator(it);
    roaring_bitmap_clear(sets[si]);
  }
  qsort(m, n, sizeof *m, cmp_member);
  *stories = 0;
  for (size_t i = 0; i < n; i++)
    if (i == 0 || m[i].story != m[i - 1].story) {
      roaring_bitmap_add(sets[m[i].si], m[i].doc);
      ++*stories;
    }
  mem_free(m);
  return 0;
}
