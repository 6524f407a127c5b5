/* spill.c -- columns held in memory up to a bound, then in runs (spill.h). */
#include "spill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/file.h"
#include "../util/mem.h"
#include "newsdex.h"

size_t spill_run_bytes = (size_t)4 << 20;

void spill_init(spill *s, const struct nd_storage *st, uint32_t segno, unsigned col, size_t width, spill_cmp cmp) {
  memset(s, 0, sizeof *s);
  s->st = st;
  s->segno = segno;
  s->col = col;
  s->width = width;
  s->cmp = cmp;
  buf_init(&s->mem);
}

static void run_name(const spill *s, uint32_t run, char name[40]) {
  snprintf(name, 40, "s%06u.t%u.%u", s->segno % 1000000u, s->col, run);
}

/* Write the rows held as the next run (sorted first for a sorted column). */
static int write_run(spill *s) {
  if (s->cmp) qsort(s->mem.p, s->mem.n / s->width, s->width, s->cmp);
  char name[40];
  run_name(s, s->nruns++, name); /* counted before it exists: spill_free removes what was begun */
  sink f;
  int e = sink_open(&f, s->st, name);
  if (e) {
    sink_abort(&f);
    return s->err = status_from_errno(e);
  }
  sink_write(&f, s->mem.p, s->mem.n);
  if ((e = sink_close(&f, NULL))) return s->err = status_from_errno(e);
  buf_reset(&s->mem);
  return 0;
}

int spill_put(spill *s, const void *rows, size_t n) {
  const uint8_t *p = rows;
  size_t cap = spill_run_bytes / s->width;
  if (cap == 0) cap = 1;
  cap *= s->width;
  while (n && !s->err) {
    if (s->mem.n >= cap && write_run(s)) break;
    size_t k = (cap - s->mem.n) / s->width;
    if (k > n) k = n;
    buf_put(&s->mem, p, k * s->width);
    if (s->mem.oom) { s->err = ND_ERR_NOMEM; break; }
    s->rows += k;
    p += k * s->width;
    n -= k;
  }
  return s->err;
}

/* Map run r; 0 or ND_ERR_* (a run whose size is not whole rows is damage). */
static int map_run(spill *s, uint32_t r, mapped *m) {
  char name[40];
  run_name(s, r, name);
  int e = vfs_map(s->st, name, m);
  if (e) return status_from_errno(e);
  if (m->n % s->width) {
    vfs_unmap(m);
    return ND_ERR_CORRUPT;
  }
  return 0;
}

/* The rows of a sorted column merged: a min-heap of the sources (the runs
** and the rows in memory) on their current rows. */
typedef struct source {
  const uint8_t *p, *end;
} source;

static void sift(source *src, uint32_t *h, size_t n, size_t i, spill_cmp cmp) {
  uint32_t x = h[i];
  for (;;) {
    size_t l = 2 * i + 1, m = i;
    const uint8_t *best = src[x].p;
    if (l < n && cmp(src[h[l]].p, best) < 0) { m = l; best = src[h[l]].p; }
    if (l + 1 < n && cmp(src[h[l + 1]].p, best) < 0) m = l + 1;
    if (m == i) break;
    h[i] = h[m];
    i = m;
  }
  h[i] = x;
}

static int each_sorted(spill *s, mapped *maps, int (*out)(void *, const uint8_t *, size_t), void *ctx) {
  size_t k = s->nruns + 1, n = 0;
  source *src = mem_alloc(k * sizeof *src);
  uint32_t *h = mem_alloc(k * sizeof *h);
  int rc = 0;
  if (!src || !h) { rc = ND_ERR_NOMEM; goto done; }
  if (s->mem.n) qsort(s->mem.p, s->mem.n / s->width, s->width, s->cmp);
  for (uint32_t r = 0; r < k; r++) {
    size_t len = r < s->nruns ? maps[r].n : s->mem.n;
    if (len == 0) continue; /* (no arithmetic on an empty buffer's null pointer) */
    src[r].p = r < s->nruns ? maps[r].p : s->mem.p;
    src[r].end = src[r].p + len;
    h[n++] = r;
  }
  for (size_t i = n / 2; i-- > 0;) sift(src, h, n, i, s->cmp);
  while (n && !rc) {
    source *t = &src[h[0]];
    rc = out(ctx, t->p, 1);
    t->p += s->width;
    if (t->p == t->end) h[0] = h[--n];
    if (n) sift(src, h, n, 0, s->cmp);
  }
done:
  mem_free(src);
  mem_free(h);
  return rc;
}

int spill_each(spill *s, int (*out)(void *ctx, const uint8_t *rows, size_t n), void *ctx) {
  if (s->err) return s->err;
  int rc = 0;
  if (!s->cmp) { /* runs in order, one mapped at a time, then the rows in memory */
    for (uint32_t r = 0; r < s->nruns && !rc; r++) {
      mapped m;
      if ((rc = map_run(s, r, &m))) break;
      rc = out(ctx, m.p, m.n / s->width);
      vfs_unmap(&m);
    }
    return rc ? rc : s->mem.n ? out(ctx, s->mem.p, s->mem.n / s->width) : 0;
  }
  mapped *maps = mem_calloc(s->nruns + 1, sizeof *maps);
  if (!maps) return ND_ERR_NOMEM;
  uint32_t nm = 0;
  for (; nm < s->nruns && !rc; nm++)
    if ((rc = map_run(s, nm, &maps[nm]))) break;
  if (!rc) rc = each_sorted(s, maps, out, ctx);
  for (uint32_t r = 0; r < nm; r++) vfs_unmap(&maps[r]);
  mem_free(maps);
  return rc;
}

void spill_free(spill *s) {
  char name[40];
  for (uint32_t r = 0; r < s->nruns; r++) {
    run_name(s, r, name);
    vfs_remove(s->st, name);
  }
  s->nruns = 0;
  buf_free(&s->mem);
}
