/*
** dates_it.c -- date ranges: the iterator over the articles of a range,
** from the segment's date index, and when it leads an AND (see iter.h).
**
** The date index lists (date, doc) by date; a range is two binary
** searches in it, and its docs, sorted (their runs merged: each date's
** are in order), are what the iterator walks, galloping when advanced.  In an AND a range is a filter that each
** candidate is tested against (boolean.c), unless it holds far fewer
** articles than the AND's cheapest other part matches: then it leads, its
** articles being the candidates.  A range scores 0 either way.
*/
#include "../util/mem.h"
#include "iter.h"

/* A positive date range in an AND leads (is an iterator) instead of
** filtering the candidates when it holds fewer than 1/DATE_LEAD_RATIO of
** the articles its cheapest other part matches. */
#define DATE_LEAD_RATIO 4

/* date range: the matching doc numbers, sorted */
typedef struct date_it {
  qit base;
  uint32_t *docs; /* in mem */
  uint32_t *mem;
  size_t n, i;
} date_it;

static void date_next(qit *it) {
  date_it *d = (date_it *)it;
  if (it->doc == PL_END) return;
  it->doc = ++d->i < d->n ? d->docs[d->i] : PL_END;
}
static void date_advance(qit *it, uint32_t t) {
  date_it *d = (date_it *)it;
  if (it->doc == PL_END || it->doc >= t) return;
  size_t step = 1, lo = d->i, hi; /* gallop, then binary search: docs[lo] < t */
  while ((hi = lo + step) < d->n && d->docs[hi] < t) lo = hi, step *= 2;
  if (hi > d->n) hi = d->n;
  while (lo + 1 < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (d->docs[mid] < t) lo = mid;
    else hi = mid;
  }
  d->i = hi;
  it->doc = hi < d->n ? d->docs[hi] : PL_END;
}
static void date_destroy(qit *it) {
  mem_free(((date_it *)it)->mem);
  mem_free(it);
}

static size_t run_end(const uint32_t *a, size_t i, size_t n) {
  while (++i < n && a[i] > a[i - 1]) {}
  return i;
}

/* Sort a[0..n) (distinct numbers) by merging its ascending runs two by
** two, into tmp and back: the date index lists each date's articles in
** order, so a range of k dates takes log2(k) linear passes.  Returns where
** the sorted numbers are, a or tmp. */
static uint32_t *sort_runs(uint32_t *a, uint32_t *tmp, size_t n) {
  for (;;) {
    size_t runs = 0;
    for (size_t i = 0; i < n; runs++) {
      size_t m = run_end(a, i, n), e = m < n ? run_end(a, m, n) : n, x = i, y = m, o = i;
      while (x < m && y < e) tmp[o++] = a[x] < a[y] ? a[x++] : a[y++];
      while (x < m) tmp[o++] = a[x++];
      while (y < e) tmp[o++] = a[y++];
      i = e;
    }
    uint32_t *t = a;
    a = tmp;
    tmp = t;
    if (runs <= 1) return a;
  }
}

/* The entries [*first, returned) of the segment's date index whose dates
** are in lo..hi: two binary searches. */
static size_t date_span(const segment *s, int64_t lo, int64_t hi, size_t *first) {
  size_t n = s->m.ndates, a = 0, b = n;
  while (a < b) { /* first entry >= lo */
    size_t mid = a + (b - a) / 2;
    if ((int64_t)rd_u64(s->dates + mid * 12) < lo) a = mid + 1;
    else b = mid;
  }
  *first = a;
  b = n;
  while (a < b) { /* first entry > hi */
    size_t mid = a + (b - a) / 2;
    if ((int64_t)rd_u64(s->dates + mid * 12) <= hi) a = mid + 1;
    else b = mid;
  }
  return a;
}

qit *date_it_new(qctx *cx, int64_t lo, int64_t hi) {
  const segment *s = cx->seg;
  size_t first, a = date_span(s, lo, hi, &first);
  date_it *d = mem_calloc(1, sizeof *d);
  if (!d) { cx->err = ND_ERR_NOMEM; return NULL; }
  d->n = a - first;
  d->mem = mem_alloc(2 * d->n * sizeof *d->mem + 1);
  if (!d->mem) { mem_free(d); cx->err = ND_ERR_NOMEM; return NULL; }
  for (size_t i = 0; i < d->n; i++) {
    d->mem[i] = rd_u32(s->dates + (first + i) * 12 + 8);
    if (d->mem[i] >= s->m.ndocs) { cx->err = ND_ERR_CORRUPT; d->n = 0; }
  }
  d->docs = sort_runs(d->mem, d->mem + d->n, d->n);
  d->base = (qit){d->n ? d->docs[0] : PL_END, IT_OTHER, d->n, date_next, date_advance, qit_zero_score, date_destroy, cx};
  return &d->base;
}

/* A date range that holds far fewer of the segment's articles than
** the cheapest kid matches leads instead of filtering: its articles
** (from the date index) are the candidates, and the kids are
** advanced to them.  It scores nothing either way. */
int date_lead(qctx *cx, multi_it *m, int *empty) {
  for (size_t f = 0; !*empty && m->n && f < m->nfilters; f++) {
    doc_filter *df = &m->filters[f];
    if (df->negate || df->ex.what != EX_RANGE) continue;
    size_t first, in = date_span(cx->seg, df->ex.lo, df->ex.hi, &first) - first;
    uint64_t cheapest = UINT64_MAX;
    for (size_t i = 0; i < m->n; i++)
      if (m->kids[i]->cost < cheapest) cheapest = m->kids[i]->cost;
    if ((uint64_t)in * DATE_LEAD_RATIO >= cheapest) continue;
    qit *k = date_it_new(cx, df->ex.lo, df->ex.hi);
    if (!k) return -1;
    *empty |= k->doc == PL_END;
    m->kids[m->n++] = k;
    m->filters[f--] = m->filters[--m->nfilters];
  }
  return 0;
}
