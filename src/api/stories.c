/*
** stories.c -- nd_versions(), nd_threads_list(), nd_thread_get(),
** nd_thread_articles(): the version groups and story threads that
** index/stories.c assigns as articles arrive, read back from the
** segments' story and thread indexes (segment.h).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../index/index.h"
#include "../index/stories.h"
#include "../query/exec.h"
#include "../util/date.h"
#include "../util/mem.h"
#include "api.h"

/* The live article with this id: 1 and (*si, *doc), 0 (message set) or ND_ERR_*. */
static int find_article(nd_index *ix, const char *id, size_t *si, uint32_t *doc) {
  if (!id) return ix_fail(ix, ND_ERR_INVALID, "no id");
  for (size_t i = ix->snap.n; i-- > 0;) {
    const snap_seg *g = &ix->snap.segs[i];
    int r = seg_find_id(&g->seg, id, g->del, doc);
    if (r < 0) return ix_fail(ix, r, "segment %u: cannot read article \"%s\"", g->seg.segno, id);
    if (r) {
      *si = i;
      return 1;
    }
  }
  return ix_fail(ix, ND_ERR_NOTFOUND, "no article with id \"%s\"", id);
}

typedef struct hitlist {
  exec_hit *h;
  size_t n, cap;
  nd_index *ix;
} hitlist;

static int collect(void *ctx, size_t si, uint32_t doc) {
  hitlist *l = ctx;
  if (mem_grow(&l->h, &l->cap, l->n, sizeof *l->h)) return ND_ERR_NOMEM;
  const segment *s = &l->ix->snap.segs[si].seg;
  l->h[l->n++] = (exec_hit){(uint32_t)si, doc, 0, seg_date(s, doc), seg_story(s, doc)};
  return 0;
}

static int cmp_story(const void *a, const void *b) {
  uint64_t x = ((const exec_hit *)a)->story, y = ((const exec_hit *)b)->story;
  return (x > y) - (x < y);
}

/* Distinct stories of the list (reorders it). */
static uint64_t distinct_stories(exec_hit *h, size_t n) {
  qsort(h, n, sizeof *h, cmp_story);
  uint64_t k = 0;
  for (size_t i = 0; i < n; i++) k += i == 0 || h[i].story != h[i - 1].story;
  return k;
}

/* The members of story (which 0) or thread (1) `key` in canonical order,
** as results.  ND_ERR_NOTFOUND (with `what` in the message) when none. */
static int members_results(nd_index *ix, int which, uint64_t key, const char *what, nd_results **out) {
  hitlist l = {NULL, 0, 0, ix};
  int rc = story_members(ix, which, key, collect, &l);
  if (rc) {
    mem_free(l.h);
    return ix_fail(ix, rc, "out of memory");
  }
  if (!l.n) {
    mem_free(l.h);
    return ix_fail(ix, ND_ERR_NOTFOUND, "no %s with key %016llx", what, (unsigned long long)key);
  }
  uint64_t stories = distinct_stories(l.h, l.n);
  qsort_r(l.h, l.n, sizeof *l.h, api_cmp_canonical, ix);
  nd_search_options o = {.limit = l.n};
  rc = api_results(ix, l.h, l.n, &o, NULL, out);
  if (!rc) api_results_set_stories(*out, stories);
  mem_free(l.h);
  return rc;
}

int nd_versions(nd_index *ix, const char *id, nd_results **out) {
  *out = NULL;
  size_t si = 0;
  uint32_t d = 0;
  int r = find_article(ix, id, &si, &d);
  if (r <= 0) return r;
  return members_results(ix, 0, seg_story(&ix->snap.segs[si].seg, d), "story", out);
}

/* A thread key written as 16 hex digits: 0 and *k, or ND_ERR_INVALID. */
static int parse_key(nd_index *ix, const char *s, uint64_t *k) {
  char *end;
  if (!s || strlen(s) != 16 || strspn(s, "0123456789abcdefABCDEF") != 16)
    return ix_fail(ix, ND_ERR_INVALID, "a thread key is 16 hex digits, not \"%.40s\"", s ? s : "");
  *k = strtoull(s, &end, 16);
  return 0;
}

int nd_thread_articles(nd_index *ix, const char *key, nd_results **out) {
  *out = NULL;
  uint64_t k;
  int rc = parse_key(ix, key, &k);
  return rc ? rc : members_results(ix, 1, k, "thread", out);
}

/* ---- listing threads ---------------------------------------------------- */

typedef struct thread_item {
  nd_thread pub;
  nd_results *arts; /* its articles, date order: headline, dates, sources */
  nd_count *sources;
  char key[17];
} thread_item;

struct nd_threads {
  thread_item *t;
  size_t n;
};

size_t nd_threads_count(const nd_threads *t) { return t ? t->n : 0; }

int nd_threads_item(const nd_threads *t, size_t i, nd_thread *out) {
  if (!t || i >= t->n) return ND_ERR_INVALID;
  *out = t->t[i].pub;
  return 0;
}

void nd_threads_free(nd_threads *t) {
  if (!t) return;
  for (size_t i = 0; i < t->n; i++) {
    nd_results_free(t->t[i].arts);
    nd_counts_free(t->t[i].sources);
  }
  mem_free(t->t);
  mem_free(t);
}

/* Fill item ti for thread key k: its articles, span, sources, headline. */
static int thread_fill(nd_index *ix, uint64_t k, thread_item *ti) {
  int rc = members_results(ix, 1, k, "thread", &ti->arts);
  if (rc) return rc;
  put_hex64(ti->key, k);
  size_t n = nd_results_count(ti->arts);
  nd_hit first, h;
  nd_results_hit(ti->arts, 0, &first);
  tally t;
  tally_init(&t);
  const char *last = "";
  for (size_t i = 0; i < n && !rc; i++) {
    nd_results_hit(ti->arts, i, &h);
    if (h.date[0]) last = h.date;
    if (h.source[0]) rc = tally_add(&t, h.source, strlen(h.source), 1);
  }
  if (!rc && !(ti->sources = tally_top(&t, 0, 0, 0, &ti->pub.nsources))) rc = ND_ERR_NOMEM;
  tally_free(&t);
  if (rc) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  ti->pub.key = ti->key;
  ti->pub.headline = first.headline;
  ti->pub.first_id = first.id;
  ti->pub.from = first.date;
  ti->pub.to = last;
  ti->pub.articles = n;
  ti->pub.stories = nd_results_stories(ti->arts);
  ti->pub.sources = ti->sources;
  return 0;
}

int nd_thread_get(nd_index *ix, const char *key, nd_threads **out) {
  *out = NULL;
  uint64_t k;
  int rc = parse_key(ix, key, &k);
  if (rc) return rc;
  nd_threads *t = mem_calloc(1, sizeof *t);
  if (!t || !(t->t = mem_calloc(1, sizeof *t->t))) {
    mem_free(t);
    return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  }
  t->n = 1;
  if ((rc = thread_fill(ix, k, &t->t[0]))) {
    nd_threads_free(t);
    return rc;
  }
  *out = t;
  return 0;
}

/* One article of the range: its thread and story (for counting). */
typedef struct tmember {
  uint64_t thread, story;
  int64_t date;
} tmember;

static int cmp_tmember(const void *a, const void *b) {
  const tmember *x = a, *y = b;
  if (x->thread != y->thread) return x->thread < y->thread ? -1 : 1;
  return (x->story > y->story) - (x->story < y->story);
}

typedef struct tsize {
  uint64_t thread, articles, stories;
  int64_t newest;
} tsize;

static int cmp_tsize(const void *a, const void *b) {
  const tsize *x = a, *y = b;
  if (x->stories != y->stories) return x->stories > y->stories ? -1 : 1;
  if (x->articles != y->articles) return x->articles > y->articles ? -1 : 1;
  if (x->newest != y->newest) return x->newest > y->newest ? -1 : 1;
  return (x->thread > y->thread) - (x->thread < y->thread);
}

/* The live articles dated in [lo, hi] (every live article when `all`). */
static int range_members(nd_index *ix, int all, int64_t lo, int64_t hi, tmember **out, size_t *n) {
  size_t cap = 0;
  *out = NULL;
  *n = 0;
  for (size_t si = 0; si < ix->snap.n; si++) {
    const snap_seg *g = &ix->snap.segs[si];
    const segment *s = &g->seg;
    if (all) {
      for (uint32_t d = 0; d < s->m.ndocs; d++) {
        if (ss_deleted(g, d)) continue;
        if (mem_grow(out, &cap, *n, sizeof **out)) return ND_ERR_NOMEM;
        (*out)[(*n)++] = (tmember){seg_thread(s, d), seg_story(s, d), seg_date(s, d)};
      }
      continue;
    }
    size_t a = 0, b = (size_t)s->m.ndates;
    while (a < b) { /* first entry dated >= lo */
      size_t mid = a + (b - a) / 2;
      if ((int64_t)rd_u64(s->dates + mid * 12) < lo) a = mid + 1;
      else b = mid;
    }
    for (size_t i = a; i < s->m.ndates && (int64_t)rd_u64(s->dates + i * 12) <= hi; i++) {
      uint32_t d = rd_u32(s->dates + i * 12 + 8);
      if (d >= s->m.ndocs) return ND_ERR_CORRUPT;
      if (ss_deleted(g, d)) continue;
      if (mem_grow(out, &cap, *n, sizeof **out)) return ND_ERR_NOMEM;
      (*out)[(*n)++] = (tmember){seg_thread(s, d), seg_story(s, d), seg_date(s, d)};
    }
  }
  return 0;
}

int nd_threads_list(nd_index *ix, const nd_thread_options *opts, nd_threads **out) {
  *out = NULL;
  nd_thread_options o = {0};
  if (opts) o = *opts;
  if (!o.limit) o.limit = 10;
  if (!o.min_articles) o.min_articles = 2;
  int64_t lo = INT64_MIN, hi = INT64_MAX, x;
  char why[128];
  if (o.from && o.from[0]) {
    if (date_parse_period(o.from, strlen(o.from), &lo, &x, why, sizeof why))
      return ix_fail(ix, ND_ERR_INVALID, "from \"%.40s\": %s", o.from, why);
  }
  if (o.to && o.to[0]) {
    if (date_parse_period(o.to, strlen(o.to), &x, &hi, why, sizeof why))
      return ix_fail(ix, ND_ERR_INVALID, "to \"%.40s\": %s", o.to, why);
  }
  tmember *m = NULL;
  size_t n = 0, ns = 0;
  int rc = range_members(ix, lo == INT64_MIN && hi == INT64_MAX, lo, hi, &m, &n);
  tsize *sz = rc ? NULL : mem_alloc(n * sizeof *sz + 1);
  if (!rc && !sz) rc = ND_ERR_NOMEM;
  if (!rc) {
    qsort(m, n, sizeof *m, cmp_tmember);
    for (size_t i = 0, j; i < n; i = j) {
      tsize t = {m[i].thread, 0, 0, INT64_MIN};
      for (j = i; j < n && m[j].thread == m[i].thread; j++) {
        t.articles++;
        t.stories += j == i || m[j].story != m[j - 1].story;
        if (m[j].date != DATE_NONE && m[j].date > t.newest) t.newest = m[j].date;
      }
      if (t.articles >= o.min_articles) sz[ns++] = t;
    }
    qsort(sz, ns, sizeof *sz, cmp_tsize);
  }
  mem_free(m);
  nd_threads *t = rc ? NULL : mem_calloc(1, sizeof *t);
  if (!rc && (!t || !(t->t = mem_calloc((ns < o.limit ? ns : o.limit) + 1, sizeof *t->t)))) rc = ND_ERR_NOMEM;
  for (size_t i = 0; !rc && i < ns && i < o.limit; i++) {
    rc = thread_fill(ix, sz[i].thread, &t->t[i]);
    t->n = i + 1;
  }
  mem_free(sz);
  if (rc) {
    nd_threads_free(t);
    if (rc == ND_ERR_NOMEM) return ix_fail(ix, rc, "out of memory");
    if (rc == ND_ERR_CORRUPT) return ix_fail(ix, rc, "archive damaged: a date index could not be read (run newsdex check)");
    return rc;
  }
  *out = t;
  return 0;
}
