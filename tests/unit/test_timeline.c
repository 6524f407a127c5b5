/*
** test_timeline.c -- the date histograms `newsdex timeline` draws, against
** a brute force: every matching article fetched (nd_search with
** ND_VERSIONS_ALL) and bucketed here by its date.
**
** For each query and each period (day, ISO week, month, year):
**   - articles (ND_VERSIONS_ALL): the histogram has, in ascending order
**     and without empty periods, the number of hits dated in each period;
**     `undated` the hits without a date; `total` all of them;
**   - stories (ND_VERSIONS_COLLAPSE): each version group among the hits
**     (nd_hit.story) counts once, in the period of its earliest dated
**     matching version (an undated story when none is dated); `stories`
**     the groups.
** Keys are made here with strftime ("%G-W%V" for ISO weeks), not with the
** library's date code.  The corpus: the invented fixtures (news.jsonl,
** and wire.jsonl.zst whose wire copies make stories of several articles);
** then the third-party news sample when it is there.
*/
#include <time.h>

#include "ingest/ingest.h"
#include "newsdex.h"
#include "test.h"
#include "testdata.h"
#include "testfs.h"
#include "testutil.h"
#include "util/date.h"

static size_t collapsed; /* queries whose hits had fewer stories than articles */

typedef struct one_hit {
  int64_t secs; /* DATE_NONE when undated */
  char story[24];
} one_hit;

/* The period key of a date, by strftime. */
static void period_key(int64_t secs, int unit, char *out, size_t cap) {
  time_t t = (time_t)secs;
  struct tm tm;
  gmtime_r(&t, &tm);
  switch (unit) {
  case ND_HIST_DAY: strftime(out, cap, "%Y-%m-%d", &tm); break;
  case ND_HIST_WEEK: strftime(out, cap, "%G-W%V", &tm); break;
  case ND_HIST_MONTH: strftime(out, cap, "%Y-%m", &tm); break;
  default: strftime(out, cap, "%Y", &tm);
  }
}

static int cmp_key(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static int cmp_story(const void *a, const void *b) {
  const one_hit *x = a, *y = b;
  int c = strcmp(x->story, y->story);
  if (c) return c;
  int xu = x->secs == DATE_NONE, yu = y->secs == DATE_NONE;
  if (xu != yu) return xu - yu;
  return (x->secs > y->secs) - (x->secs < y->secs);
}

/* Does the histogram h[0..n) count the dates secs[0..m) per period? */
static int same_histogram(const char *q, int unit, const char *what, const nd_count *h, size_t n,
                          const int64_t *secs, size_t m) {
  char (*keys)[16] = xmalloc((m + 1) * sizeof *keys);
  char **k = xmalloc((m + 1) * sizeof *k);
  for (size_t i = 0; i < m; i++) {
    period_key(secs[i], unit, keys[i], sizeof keys[i]);
    k[i] = keys[i];
  }
  qsort(k, m, sizeof *k, cmp_key);
  size_t j = 0, bad = 0;
  for (size_t i = 0, e; i < m; i = e) {
    for (e = i; e < m && !strcmp(k[e], k[i]); e++) {}
    if (j >= n || strcmp(h[j].key, k[i]) || h[j].count != e - i) {
      if (bad++ < 3)
        fprintf(stderr, "  [%s] by %d, %s: period %s has %zu, the histogram says %s %llu\n", q, unit, what, k[i],
                e - i, j < n ? h[j].key : "(end)", j < n ? (unsigned long long)h[j].count : 0ull);
      while (j < n && strcmp(h[j].key, k[i]) < 0) j++;
      if (j < n && !strcmp(h[j].key, k[i])) j++;
      continue;
    }
    j++;
  }
  if (j != n && bad++ < 3) fprintf(stderr, "  [%s] by %d, %s: %zu periods too many\n", q, unit, what, n - j);
  free(keys);
  free(k);
  return bad == 0;
}

/* Check query q over every unit; returns the number of failures. */
static int check_query(nd_index *ix, const char *q) {
  nd_search_options so = {.limit = 100000, .versions = ND_VERSIONS_ALL};
  nd_results *r = NULL;
  if (nd_search(ix, q, &so, &r)) { fprintf(stderr, "  [%s]: %s\n", q, nd_errmsg(ix)); return 1; }
  size_t n = nd_results_count(r), dated = 0, bad = 0;
  one_hit *hits = xmalloc((n + 1) * sizeof *hits);
  int64_t *secs = xmalloc((n + 1) * sizeof *secs);
  for (size_t i = 0; i < n; i++) {
    nd_hit h;
    nd_results_hit(r, i, &h);
    char err[64];
    hits[i].secs = DATE_NONE;
    if (*h.date && date_parse(h.date, strlen(h.date), &hits[i].secs, err, sizeof err)) hits[i].secs = DATE_NONE;
    snprintf(hits[i].story, sizeof hits[i].story, "%s", h.story ? h.story : "");
    if (hits[i].secs != DATE_NONE) secs[dated++] = hits[i].secs;
  }
  if (nd_results_total(r) != n) { fprintf(stderr, "  [%s]: %zu hits of %llu\n", q, n, (unsigned long long)nd_results_total(r)); bad++; }
  nd_results_free(r);
  /* stories: each group once, at its earliest dated member */
  qsort(hits, n, sizeof *hits, cmp_story);
  int64_t *ssecs = xmalloc((n + 1) * sizeof *ssecs);
  size_t nstories = 0, sdated = 0;
  for (size_t i = 0; i < n; i++) {
    if (i && !strcmp(hits[i].story, hits[i - 1].story)) continue;
    nstories++;
    if (hits[i].secs != DATE_NONE) ssecs[sdated++] = hits[i].secs;
  }
  collapsed += nstories < n;
  /* what each way of counting should give: its dates, and how many in all */
  const struct { int versions; const char *what; const int64_t *secs; size_t dated, all; } want[] = {
    {ND_VERSIONS_ALL, "articles", secs, dated, n}, {ND_VERSIONS_COLLAPSE, "stories", ssecs, sdated, nstories}};
  for (int unit = ND_HIST_DAY; unit <= ND_HIST_YEAR; unit++)
    for (size_t v = 0; v < 2; v++) {
      nd_facets *f = NULL;
      nd_facet_options fo = {.histogram = unit, .versions = want[v].versions};
      if (nd_facets_get(ix, q, &fo, &f)) { fprintf(stderr, "  [%s]: %s\n", q, nd_errmsg(ix)); bad++; continue; }
      bad += !same_histogram(q, unit, want[v].what, f->hist, f->nhist, want[v].secs, want[v].dated);
      uint64_t all = want[v].versions == ND_VERSIONS_ALL ? f->total : f->stories;
      if (f->undated != want[v].all - want[v].dated || all != want[v].all) {
        fprintf(stderr, "  [%s] %s: %llu undated of %llu; the hits: %zu of %zu\n", q, want[v].what,
                (unsigned long long)f->undated, (unsigned long long)all, want[v].all - want[v].dated, want[v].all);
        bad++;
      }
      nd_facets_free(f);
    }
  free(hits);
  free(secs);
  free(ssecs);
  return (int)bad;
}

/* ---- an archive of some files ------------------------------------------- */

static int add_one(void *ctx, const nd_doc *doc, const char *file, uint64_t line) {
  int rc = nd_add(ctx, doc, NULL);
  if (rc && rc != ND_ERR_INVALID) fprintf(stderr, "  %s:%llu: %s\n", file, (unsigned long long)line, nd_errmsg(ctx));
  return rc && rc != ND_ERR_INVALID ? rc : 0;
}
static void on_error(void *ctx, const char *file, uint64_t line, const char *reason) {
  fprintf(stderr, "  %s:%llu: %s\n", file, (unsigned long long)line, reason);
}

static nd_index *archive_of(char *dir, const char *const *paths, size_t n) {
  nd_index *ix = NULL;
  if (!mkdtemp(dir) || nd_open(dir, ND_OPEN_CREATE, NULL, &ix)) { nd_close(ix); return NULL; }
  for (size_t i = 0; i < n; i++)
    if (ingest_path(paths[i], add_one, on_error, ix, NULL)) { nd_close(ix); return NULL; }
  if (nd_commit(ix)) { nd_close(ix); return NULL; }
  return ix;
}

static void run_queries(const char *const *paths, size_t np, const char *const *queries, size_t nq) {
  char dir[] = "/tmp/nd-timeline-XXXXXX";
  nd_index *ix = archive_of(dir, paths, np);
  if (!ix) { rm_rf(dir); TEST_FAIL_("cannot build the archive in %s", dir); }
  int bad = 0;
  for (size_t i = 0; i < nq; i++) bad += check_query(ix, queries[i]);
  nd_close(ix);
  rm_rf(dir);
  ASSERT_EQ_INT(bad, 0);
}

static void test_fixtures(void) {
  char a[1024], b[1024];
  const char *paths[] = {test_fixture(a, sizeof a, "news.jsonl"), test_fixture(b, sizeof b, "wire.jsonl.zst")};
  static const char *const Q[] = {"president", "\"prime minister\"", "council OR harbour", "police -storm",
                                  "title:minister date:1995..2012", "treaty talks", "date:2004", "zzzqqqzzz"};
  collapsed = 0;
  run_queries(paths, 2, Q, sizeof Q / sizeof *Q);
  ASSERT(collapsed > 0); /* the wire copies made stories of several articles */
}

static void test_news_sample(void) {
  char a[1024];
  TEST_REAL_DATA_OR_SKIP(a, "news/sample-1000.jsonl");
  const char *paths[] = {a};
  static const char *const Q[] = {"police", "\"white house\"", "trump OR obama", "election -trump"};
  run_queries(paths, 1, Q, sizeof Q / sizeof *Q);
}

TEST_MAIN(TEST(test_fixtures), TEST(test_news_sample))
