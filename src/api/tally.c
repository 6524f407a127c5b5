/*
** tally.c -- sums of counts per key and the most frequent keys, for
** facets, histograms and suggestions.  Keys are added in any order (one
** entry per addition); tally_top sorts them once, adds up equal keys and
** keeps the largest sums.
*/
#include <stdlib.h>
#include <string.h>

#include "../util/mem.h"
#include "api.h"

void tally_init(tally *t) {
  memset(t, 0, sizeof *t);
  buf_init(&t->arena);
}

void tally_free(tally *t) {
  buf_free(&t->arena);
  mem_free(t->e);
  memset(t, 0, sizeof *t);
}

int tally_add(tally *t, const char *key, size_t len, uint64_t count) {
  if (mem_grow(&t->e, &t->cap, t->n, sizeof *t->e)) return ND_ERR_NOMEM;
  size_t off = t->arena.n;
  buf_put(&t->arena, key, len);
  if (t->arena.oom) return ND_ERR_NOMEM;
  t->e[t->n++] = (tally_ent){off, len, count};
  return 0;
}

static int key_cmp(const tally_ent *x, const tally_ent *y, const uint8_t *arena) {
  size_t n = x->len < y->len ? x->len : y->len;
  int c = memcmp(arena + x->off, arena + y->off, n);
  if (c) return c;
  return (x->len > y->len) - (x->len < y->len);
}

static int cmp_key(const void *a, const void *b, void *arena) { return key_cmp(a, b, arena); }

static int cmp_count(const void *a, const void *b, void *arena) {
  const tally_ent *x = a, *y = b;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  return key_cmp(x, y, arena);
}

nd_count *tally_top(tally *t, size_t skip, size_t limit, int by_key, size_t *n) {
  *n = 0;
  uint8_t *arena = t->arena.p;
  if (t->n) qsort_r(t->e, t->n, sizeof *t->e, cmp_key, arena); /* never qsort a NULL array */
  size_t m = 0; /* equal keys summed into one entry */
  for (size_t i = 0; i < t->n; i++) {
    if (m && !key_cmp(&t->e[m - 1], &t->e[i], arena)) t->e[m - 1].count += t->e[i].count;
    else t->e[m++] = t->e[i];
  }
  t->n = m;
  if (m) qsort_r(t->e, m, sizeof *t->e, cmp_count, arena);
  if (limit && m > limit) m = limit;
  if (by_key && m) qsort_r(t->e, m, sizeof *t->e, cmp_key, arena);
  size_t bytes = 0;
  for (size_t i = 0; i < m; i++) bytes += (t->e[i].len > skip ? t->e[i].len - skip : 0) + 1;
  nd_count *out = mem_alloc((m + 1) * sizeof *out + bytes);
  if (!out) return NULL;
  char *s = (char *)(out + m + 1);
  for (size_t i = 0; i < m; i++) {
    size_t k = t->e[i].len > skip ? skip : t->e[i].len;
    size_t len = t->e[i].len - k;
    memcpy(s, arena + t->e[i].off + k, len);
    s[len] = 0;
    out[i] = (nd_count){s, t->e[i].count};
    s += len + 1;
  }
  out[m] = (nd_count){NULL, 0};
  *n = m;
  return out;
}

void nd_counts_free(nd_count *c) { mem_free(c); }
