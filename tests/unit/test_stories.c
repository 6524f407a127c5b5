/*
** test_stories.c -- version groups (wire copies) and story threads,
** checked against brute force (index/stories.h, docs/stories.md).
**
** The corpus: the invented fixtures of testdata.h (news.jsonl and the
** first WIRE_MAX articles of wire.jsonl.zst; gen_news.py runs about one
** article in fifteen again, with small edits, under another outlet),
** added with a small write buffer and an early commit (several segments,
** automatic merging off).  Every check reads the archive through the
** public interface: every live article is a hit of one of a few OR
** queries of words the articles contain (all_hits; their number is
** checked against nd_stats), searched with ND_VERSIONS_ALL, so each
** article's story and thread keys and its versions count are its hit's.
**
**   pairs       the ground truth of shingles.h: the exact Jaccard of the
**               5-word shingle sets of every pair of articles.  The pairs
**               of one story (nd_hit.story) against the pairs at J >= 0.8:
**               precision and recall, printed, both at least 0.9.  Prefix
**               filtering (sh_near_pairs, what bench/dups.c runs on the
**               whole news corpus) finds exactly the pairs of the brute
**               force.
**   versions    nd_hit.versions is the number of other live articles
**               with its story key.
**   threads     the members of a version group share one thread; no two
**               dated articles of a thread are more than STORY_SPAN_DAYS
**               apart, nor any from the day the thread's key says it
**               started.
**   facets      with versions collapsed, the year histogram counts each
**               story once, in the year of its earliest dated matching
**               version (undated: none is dated); nd_facets.stories and
**               nd_results_stories() are the distinct story keys of the
**               matches, and a collapsed search lists one hit per story.
**   deletions   after deleting ~5% and committing, versions and the
**               thread checks hold and no survivor's keys changed; after
**               nd_optimize (one segment) every article keeps its keys.
**   hand-made   tests/fixtures/threads.jsonl, indexed alone: three
**               interleaved invented stories over two weeks (a bridge
**               collapse, an election, a wildfire) each in one thread of
**               its own, wire copies in one story, and a follow-up three
**               months later in a thread of its own.
**   real        sample-1000.jsonl, when the third-party data is there:
**               pair precision and recall, printed.
**
** The tests run in order and depend on test_build: run them all.  The
** archives are written under a fresh mkdtemp folder in /tmp, removed at
** the end.
*/
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index/stories.h"
#include "ingest/ingest.h"
#include "newsdex.h"
#include "shingles.h"
#include "test.h"
#include "testdata.h"
#include "testutil.h"
#include "util/date.h"

#define WIRE_MAX 3000
#define THREADS_FIXTURE "tests/fixtures/threads.jsonl"

/* ---- the articles -------------------------------------------------------- */

typedef struct art {
  char *id, *title, *date, *source, *body;
  int64_t secs; /* DATE_NONE when undated */
  sh_set sh;
  int alive;
} art;

typedef struct corpus {
  art *a;
  size_t n, cap, max_from_file, got_from_file;
  test_ids ids;
} corpus;

static corpus *CUR; /* the corpus whose ids test_ids looks up */
static const char *cur_id(size_t i) { return CUR->a[i].id; }

static analyzer *AN;
static char DIR_[64];

static int on_doc(void *ctx, const nd_doc *d, const char *file, uint64_t line) {
  corpus *c = ctx;
  if (c->got_from_file >= c->max_from_file) return 1;
  c->got_from_file++;
  if (!d->id) return 0;
  if (c->n == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 1024;
    c->a = xrealloc(c->a, c->cap * sizeof *c->a);
  }
  art *a = &c->a[c->n++];
  memset(a, 0, sizeof *a);
  a->id = xstrdup(d->id);
  a->title = xstrdup(d->title);
  a->date = xstrdup(d->date);
  a->source = xstrdup(d->source);
  a->body = xstrdup(d->body ? d->body : "");
  a->secs = DATE_NONE;
  if (d->date && date_parse(d->date, strlen(d->date), &a->secs, NULL, 0)) a->secs = DATE_NONE;
  a->alive = 1;
  if (sh_article(AN, a->title, a->body, &a->sh)) { fprintf(stderr, "out of memory\n"); exit(2); }
  return 0;
}

static void on_err(void *ctx, const char *file, uint64_t line, const char *reason) {
  fprintf(stderr, "  %s:%llu: %s\n", file, (unsigned long long)line, reason);
}

/* Read up to max articles of path into c; how many were read. */
static size_t load(corpus *c, const char *path, size_t max) {
  size_t before = c->n;
  c->max_from_file = max;
  c->got_from_file = 0;
  ingest_path(path, on_doc, on_err, c, NULL);
  return c->n - before;
}

static void index_ids(corpus *c) {
  CUR = c;
  test_ids_build(&c->ids, c->n, cur_id);
}

static long find(corpus *c, const char *id) {
  CUR = c;
  return test_ids_find(&c->ids, id, cur_id);
}

static void corpus_free(corpus *c) {
  for (size_t i = 0; i < c->n; i++) {
    art *a = &c->a[i];
    free(a->id), free(a->title), free(a->date), free(a->source), free(a->body);
    sh_set_free(&a->sh);
  }
  free(c->a);
  free(c->ids.slot);
  memset(c, 0, sizeof *c);
}

/* A new archive DIR_/name holding the articles of c, written with a small
** buffer (several segments) and a commit after the first 50. */
static nd_index *build_with(corpus *c, const char *name, size_t buffer_bytes) {
  char dir[128];
  snprintf(dir, sizeof dir, "%s/%s", DIR_, name);
  nd_open_options oo = {0};
  oo.buffer_bytes = buffer_bytes;
  oo.merge_factor = 1;
  nd_index *ix = NULL;
  int rc = nd_open(dir, ND_OPEN_CREATE, &oo, &ix);
  if (rc) {
    fprintf(stderr, "  nd_open(%s): %s\n", dir, ix ? nd_errmsg(ix) : nd_strerror(rc));
    nd_close(ix);
    return NULL;
  }
  for (size_t i = 0; i < c->n; i++) {
    nd_doc x = {.id = c->a[i].id, .title = c->a[i].title, .date = c->a[i].date, .source = c->a[i].source,
                .body = c->a[i].body};
    if ((rc = nd_add(ix, &x, NULL)) || (i == 49 && (rc = nd_commit(ix)))) {
      fprintf(stderr, "  nd_add(%s): %s\n", c->a[i].id, nd_errmsg(ix));
      nd_close(ix);
      return NULL;
    }
  }
  if ((rc = nd_commit(ix))) {
    fprintf(stderr, "  nd_commit: %s\n", nd_errmsg(ix));
    nd_close(ix);
    return NULL;
  }
  return ix;
}

static nd_index *build(corpus *c, const char *name) { return build_with(c, name, 2u << 20); }

/* ---- every live article as a hit ------------------------------------------ */

typedef struct hit {
  long doc;
  uint64_t story, thread, versions;
  int64_t secs; /* from the hit's date */
} hit;

typedef struct hits {
  hit *h;
  size_t n;
} hits;

static void hits_free(hits *h) {
  free(h->h);
  h->h = NULL;
  h->n = 0;
}

typedef struct first_word {
  char w[AN_MAX_TERM * 4 + 1];
  const char *text;
  int found;
} first_word;

/* The first word of the text written in ASCII letters and digits alone: a
** query of it, lower-cased, finds the term the article was indexed with. */
static int on_first_word(void *ctx, const an_token *t) {
  first_word *f = ctx;
  size_t n = t->end - t->start;
  if (t->joined || n == 0 || n >= sizeof f->w) return 0;
  for (size_t i = 0; i < n; i++) {
    char ch = f->text[t->start + i];
    if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))) return 0;
    f->w[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  }
  f->w[n] = 0;
  f->found = 1;
  return 1;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static uint64_t hex_key(const char *s) { return strtoull(s, NULL, 16); }

/* Run query q with these versions; its hits into out (appended; a doc
** already seen in `seen` is skipped).  0 or the status. */
static int search_into(nd_index *ix, corpus *c, const char *q, int versions, hits *out, char *seen, uint64_t *stories) {
  nd_search_options so = {0};
  so.limit = (size_t)1 << 24;
  so.versions = versions;
  nd_results *r = NULL;
  int rc = nd_search(ix, q, &so, &r);
  if (rc) {
    fprintf(stderr, "  nd_search(%.60s...): %s\n", q, nd_errmsg(ix));
    return rc;
  }
  if (stories) *stories = nd_results_stories(r);
  out->h = xrealloc(out->h, (out->n + nd_results_count(r) + 1) * sizeof *out->h);
  for (size_t i = 0; i < nd_results_count(r); i++) {
    nd_hit h;
    nd_results_hit(r, i, &h);
    long d = find(c, h.id);
    if (d < 0) {
      fprintf(stderr, "  hit %s is no article of the corpus\n", h.id);
      rc = -1;
      continue;
    }
    if (seen && seen[d]) continue;
    if (seen) seen[d] = 1;
    int64_t secs = DATE_NONE;
    if (h.date[0] && date_parse(h.date, strlen(h.date), &secs, NULL, 0)) secs = DATE_NONE;
    out->h[out->n++] = (hit){d, hex_key(h.story), hex_key(h.thread), h.versions, secs};
  }
  nd_results_free(r);
  return rc;
}

/* Every live article of c as a hit (ND_VERSIONS_ALL), found by OR queries
** of the articles' first plain words.  0, or -1 after saying why. */
static int all_hits(nd_index *ix, corpus *c, hits *out) {
  out->h = NULL;
  out->n = 0;
  char **words = xmalloc((c->n + 1) * sizeof *words);
  size_t nw = 0;
  for (size_t i = 0; i < c->n; i++) {
    if (!c->a[i].alive) continue;
    first_word f = {.text = c->a[i].body};
    an_analyze(AN, f.text, strlen(f.text), 0, on_first_word, &f, NULL);
    if (!f.found && c->a[i].title) {
      f.text = c->a[i].title;
      an_analyze(AN, f.text, strlen(f.text), 0, on_first_word, &f, NULL);
    }
    if (!f.found) {
      fprintf(stderr, "  %s: no plain word to find it by\n", c->a[i].id);
      continue;
    }
    words[nw++] = xstrdup(f.w);
  }
  qsort(words, nw, sizeof *words, cmp_str);
  char *seen = calloc(c->n + 1, 1), q[4096];
  int rc = 0;
  for (size_t i = 0; i < nw && !rc;) {
    size_t len = 0, parts = 0;
    for (; i < nw && parts < 300 && len + strlen(words[i]) + 4 < sizeof q; i++) {
      if (i && !strcmp(words[i], words[i - 1])) continue;
      len += (size_t)snprintf(q + len, sizeof q - len, "%s%s", parts++ ? " OR " : "", words[i]);
    }
    rc = search_into(ix, c, q, ND_VERSIONS_ALL, out, seen, NULL);
  }
  for (size_t i = 0; i < nw; i++) free(words[i]);
  free(words);
  free(seen);
  size_t live = 0;
  for (size_t i = 0; i < c->n; i++) live += c->a[i].alive;
  for (size_t i = 0; i < out->n; i++)
    if (!c->a[out->h[i].doc].alive) {
      fprintf(stderr, "  %s is a hit but was deleted\n", c->a[out->h[i].doc].id);
      rc = -1;
    }
  nd_stats st;
  if (!rc && (nd_stats_get(ix, &st) || st.articles != live || out->n != live)) {
    fprintf(stderr, "  %zu hits, %zu live articles, nd_stats says %llu\n", out->n, live,
            (unsigned long long)st.articles);
    rc = -1;
  }
  return rc;
}

/* ---- pairs ------------------------------------------------------------------ */

static void pair_add(sh_pairs *s, uint64_t x) {
  if (sh_pairs_add(s, x)) { fprintf(stderr, "out of memory\n"); exit(2); }
}

/* Hits ordered by one key (story or thread), then doc. */
static int BY_THREAD;
static int cmp_hit_key(const void *a, const void *b) {
  const hit *x = a, *y = b;
  uint64_t kx = BY_THREAD ? x->thread : x->story, ky = BY_THREAD ? y->thread : y->story;
  if (kx != ky) return kx < ky ? -1 : 1;
  return (x->doc > y->doc) - (x->doc < y->doc);
}

static void sort_hits(hits *h, int by_thread) {
  BY_THREAD = by_thread;
  qsort(h->h, h->n, sizeof *h->h, cmp_hit_key);
}

/* The end of the run of hits from i with i's key. */
static size_t run_end(const hits *h, size_t i, int by_thread) {
  size_t j = i;
  while (j < h->n && (by_thread ? h->h[j].thread == h->h[i].thread : h->h[j].story == h->h[i].story)) j++;
  return j;
}

/* The pairs of one story, sorted. */
static sh_pairs story_pairs(hits *h) {
  sh_pairs s = {0};
  sort_hits(h, 0);
  for (size_t i = 0, j; i < h->n; i = j) {
    j = run_end(h, i, 0);
    for (size_t x = i; x < j; x++)
      for (size_t y = x + 1; y < j; y++) pair_add(&s, sh_pair((size_t)h->h[x].doc, (size_t)h->h[y].doc));
  }
  sh_pairs_sort(&s);
  return s;
}

/* Every pair of live articles at J >= 0.8, by comparing every pair. */
static sh_pairs true_pairs(const corpus *c) {
  sh_pairs t = {0};
  for (size_t i = 0; i < c->n; i++)
    for (size_t j = i + 1; j < c->n; j++)
      if (c->a[i].alive && c->a[j].alive && sh_near(&c->a[i].sh, &c->a[j].sh)) pair_add(&t, sh_pair(i, j));
  return t;
}

/* Pair precision and recall of the archive's stories against the truth;
** lists a few pairs it got wrong.  Returns the number of true pairs. */
static size_t pair_scores(const char *what, corpus *c, hits *h, double *prec, double *rec) {
  double t0 = now_s();
  sh_pairs t = true_pairs(c), s = story_pairs(h);
  size_t both = sh_pairs_common(&s, &t);
  *prec = s.n ? (double)both / (double)s.n : 1;
  *rec = t.n ? (double)both / (double)t.n : 1;
  size_t ngroups = 0, largest = 0;
  for (size_t i = 0, j; i < h->n; i = j) {
    j = run_end(h, i, 0);
    ngroups += j - i > 1;
    largest = j - i > largest ? j - i : largest;
  }
  fprintf(stderr, "  %s: %zu articles; %zu pairs at J >= 0.8, %zu pairs in one story, %zu both: precision %.4f, recall %.4f;"
         " %zu groups of 2 or more, the largest %zu (%.1fs)\n",
         what, h->n, t.n, s.n, both, *prec, *rec, ngroups, largest, now_s() - t0);
  size_t shown = 0;
  for (size_t i = 0, j = 0; i < s.n && shown < 5; i++) { /* in one story, below 0.8 */
    while (j < t.n && t.v[j] < s.v[i]) j++;
    if (j < t.n && t.v[j] == s.v[i]) continue;
    const art *x = &c->a[s.v[i] >> 32], *y = &c->a[s.v[i] & 0xffffffffu];
    fprintf(stderr, "    one story, J = %.3f: %s (%zu shingles) %s (%zu)\n", sh_jaccard(&x->sh, &y->sh), x->id, x->sh.n, y->id, y->sh.n);
    shown++;
  }
  shown = 0;
  for (size_t i = 0, j = 0; i < t.n && shown < 5; i++) { /* at 0.8, two stories */
    while (j < s.n && s.v[j] < t.v[i]) j++;
    if (j < s.n && s.v[j] == t.v[i]) continue;
    const art *x = &c->a[t.v[i] >> 32], *y = &c->a[t.v[i] & 0xffffffffu];
    fprintf(stderr, "    two stories, J = %.3f: %s (%zu shingles) %s (%zu)\n", sh_jaccard(&x->sh, &y->sh), x->id, x->sh.n, y->id, y->sh.n);
    shown++;
  }
  size_t n = t.n;
  free(t.v);
  free(s.v);
  return n;
}

/* ---- the invariants of one state --------------------------------------------- */

/* nd_hit.versions against the other live articles of the story. */
static int check_versions(corpus *c, hits *h) {
  int bad = 0;
  sort_hits(h, 0);
  for (size_t i = 0, j; i < h->n; i = j) {
    j = run_end(h, i, 0);
    for (size_t k = i; k < j; k++)
      if (h->h[k].versions != j - i - 1 && bad++ < 5)
        fprintf(stderr, "  %s: versions %llu, its story has %zu other live articles\n", c->a[h->h[k].doc].id,
                (unsigned long long)h->h[k].versions, j - i - 1);
  }
  return bad;
}

static int64_t day_of(int64_t secs) { return secs / 86400 - (secs % 86400 < 0); }

/* Each version group in one thread; each thread within STORY_SPAN_DAYS. */
static int check_threads(corpus *c, hits *h, const char *state) {
  int bad = 0;
  sort_hits(h, 0);
  size_t groups = 0;
  for (size_t i = 0, j; i < h->n; i = j) {
    j = run_end(h, i, 0);
    groups += j - i > 1;
    for (size_t k = i + 1; k < j; k++)
      if (h->h[k].thread != h->h[i].thread && bad++ < 5)
        fprintf(stderr, "  %s and %s: one story %016llx, threads %016llx and %016llx\n", c->a[h->h[i].doc].id,
                c->a[h->h[k].doc].id, (unsigned long long)h->h[i].story, (unsigned long long)h->h[i].thread,
                (unsigned long long)h->h[k].thread);
  }
  sort_hits(h, 1);
  size_t threads = 0, multi = 0, largest = 0;
  int64_t widest = 0;
  for (size_t i = 0, j; i < h->n; i = j) {
    j = run_end(h, i, 1);
    threads++;
    multi += j - i > 1;
    largest = j - i > largest ? j - i : largest;
    int64_t lo = INT64_MAX, hi = INT64_MIN, start = story_thread_day(h->h[i].thread);
    size_t at_lo = i, at_hi = i;
    for (size_t k = i; k < j; k++) {
      if (h->h[k].secs == DATE_NONE) continue;
      int64_t d = day_of(h->h[k].secs);
      if (d < lo) lo = d, at_lo = k;
      if (d > hi) hi = d, at_hi = k;
      if (start != INT64_MIN && (d > start ? d - start : start - d) > STORY_SPAN_DAYS && bad++ < 5)
        fprintf(stderr, "  %s (%s): in a thread that started %lld days away\n", c->a[h->h[k].doc].id,
                c->a[h->h[k].doc].date, (long long)(d > start ? d - start : start - d));
    }
    if (lo == INT64_MAX) continue;
    widest = hi - lo > widest ? hi - lo : widest;
    if (hi - lo > STORY_SPAN_DAYS && bad++ < 5)
      fprintf(stderr, "  thread %016llx of %zu: %s (%s) and %s (%s) are %lld days apart\n",
              (unsigned long long)h->h[i].thread, j - i, c->a[h->h[at_lo].doc].id, c->a[h->h[at_lo].doc].date,
              c->a[h->h[at_hi].doc].id, c->a[h->h[at_hi].doc].date, (long long)(hi - lo));
  }
  fprintf(stderr, "  %s: %zu groups of 2 or more; %zu threads, %zu of 2 or more, the largest %zu, the widest %lld days\n", state,
         groups, threads, multi, largest, (long long)widest);
  return bad;
}

/* ---- facets ------------------------------------------------------------------ */

static int cmp_hit_story_date(const void *a, const void *b) {
  const hit *x = a, *y = b;
  if (x->story != y->story) return x->story < y->story ? -1 : 1;
  int xu = x->secs == DATE_NONE, yu = y->secs == DATE_NONE;
  if (xu != yu) return xu - yu;
  return (x->secs > y->secs) - (x->secs < y->secs);
}

/* The year histogram of matches h, stories (collapse) or articles: counts
** per year in years[y - 1900], undated into *undated. */
static void brute_years(hits *h, int collapse, uint64_t *years, size_t ny, uint64_t *undated) {
  qsort(h->h, h->n, sizeof *h->h, cmp_hit_story_date);
  memset(years, 0, ny * sizeof *years);
  *undated = 0;
  for (size_t i = 0; i < h->n; i++) {
    if (collapse && i && h->h[i].story == h->h[i - 1].story) continue; /* the story's earliest dated first */
    if (h->h[i].secs == DATE_NONE) { ++*undated; continue; }
    int64_t y;
    unsigned m, d;
    date_civil_from_days(day_of(h->h[i].secs), &y, &m, &d);
    if (y >= 1900 && (size_t)(y - 1900) < ny) years[y - 1900]++;
  }
}

/* The facets and story counts of query q against brute force over its hits. */
static int check_facets_of(nd_index *ix, corpus *c, const char *q) {
  hits h = {0};
  if (search_into(ix, c, q, ND_VERSIONS_ALL, &h, NULL, NULL)) return 1;
  int bad = 0;
  uint64_t nstories = 0;
  sort_hits(&h, 0);
  for (size_t i = 0; i < h.n; i++) nstories += i == 0 || h.h[i].story != h.h[i - 1].story;
  for (int collapse = 0; collapse <= 1; collapse++) {
    uint64_t years[200], undated;
    brute_years(&h, collapse, years, 200, &undated);
    nd_facet_options fo = {0};
    fo.histogram = ND_HIST_YEAR;
    fo.versions = collapse ? ND_VERSIONS_COLLAPSE : ND_VERSIONS_ALL;
    nd_facets *f = NULL;
    if (nd_facets_get(ix, q, &fo, &f)) {
      fprintf(stderr, "  nd_facets_get(%s): %s\n", q, nd_errmsg(ix));
      hits_free(&h);
      return bad + 1;
    }
    /* (counting articles, nd_facets.stories is not looked at) */
    if (f->total != h.n || (collapse && f->stories != nstories) || f->undated != undated) {
      fprintf(stderr, "  [%s] %s: total %llu stories %llu undated %llu; brute force %zu, %llu, %llu\n", q,
              collapse ? "stories" : "articles", (unsigned long long)f->total, (unsigned long long)f->stories,
              (unsigned long long)f->undated, h.n, (unsigned long long)nstories, (unsigned long long)undated);
      bad++;
    }
    size_t nyears = 0;
    for (size_t y = 0; y < 200; y++) nyears += years[y] != 0;
    int same = f->nhist == nyears;
    for (size_t k = 0; k < f->nhist && same; k++) {
      long y = strtol(f->hist[k].key, NULL, 10);
      same = y >= 1900 && y < 2100 && years[y - 1900] == f->hist[k].count;
    }
    if (!same) {
      fprintf(stderr, "  [%s] %s: the year histogram differs from brute force:", q, collapse ? "stories" : "articles");
      for (size_t k = 0; k < f->nhist; k++) {
        long y = strtol(f->hist[k].key, NULL, 10);
        fprintf(stderr, " %s:%llu/%llu", f->hist[k].key, (unsigned long long)f->hist[k].count,
                (unsigned long long)(y >= 1900 && y < 2100 ? years[y - 1900] : 0));
      }
      fputc('\n', stderr);
      bad++;
    }
    nd_facets_free(f);
  }
  /* nd_results_stories() collapsed (every version asked for, it is the
  ** total: stories are not counted), and one hit per story collapsed */
  for (int versions = ND_VERSIONS_COLLAPSE; versions <= ND_VERSIONS_ALL; versions++) {
    hits k = {0};
    uint64_t st = 0;
    if (search_into(ix, c, q, versions, &k, NULL, &st)) { bad++; continue; }
    size_t distinct = 0;
    sort_hits(&k, 0);
    for (size_t i = 0; i < k.n; i++) distinct += i == 0 || k.h[i].story != k.h[i - 1].story;
    uint64_t want = versions == ND_VERSIONS_ALL ? h.n : nstories;
    if (st != want || distinct != nstories || k.n != (versions == ND_VERSIONS_ALL ? h.n : nstories)) {
      fprintf(stderr, "  [%s] %s: nd_results_stories %llu, %zu hits of %zu stories; brute force %llu stories of %zu\n",
              q, versions == ND_VERSIONS_ALL ? "all versions" : "collapsed", (unsigned long long)st, k.n, distinct,
              (unsigned long long)nstories, h.n);
      bad++;
    }
    hits_free(&k);
  }
  hits_free(&h);
  return bad;
}

/* ---- the tests ----------------------------------------------------------------- */

static corpus FX;
static nd_index *IX;
static hits H; /* every live article of FX, state by state */
static int READY;

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(p);
}

static void remove_dir(void) { nftw(DIR_, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* The analyser and the folder of the archives (removed at exit), made by
** the first test that needs them (each test but the chain from test_build
** runs alone). */
static int setup(void) {
  if (!AN && !(AN = an_new("english"))) return 0;
  if (!DIR_[0]) {
    snprintf(DIR_, sizeof DIR_, "/tmp/nd_stories_XXXXXX");
    if (!mkdtemp(DIR_)) {
      DIR_[0] = 0;
      return 0;
    }
    atexit(remove_dir);
  }
  return 1;
}

static void test_build(void) {
  double t0 = now_s();
  ASSERT(setup());
  char path[1024];
  size_t n1 = load(&FX, test_fixture(path, sizeof path, "news.jsonl"), SIZE_MAX);
  size_t n2 = load(&FX, test_fixture(path, sizeof path, "wire.jsonl.zst"), WIRE_MAX);
  ASSERT(n1 >= 1400 && n2 >= 2000);
  index_ids(&FX);
  for (size_t i = 0; i < FX.n; i++) ASSERT_EQ_INT(find(&FX, FX.a[i].id), i); /* ids are unique */
  ASSERT(IX = build(&FX, "fx"));
  nd_stats st;
  ASSERT_OK(nd_stats_get(IX, &st));
  ASSERT(st.segments > 1);
  ASSERT_OK(all_hits(IX, &FX, &H));
  fprintf(stderr, "  fixtures: %zu articles (%zu news.jsonl, %zu wire.jsonl.zst), %llu segments, built in %.1fs\n", FX.n, n1, n2,
         (unsigned long long)st.segments, now_s() - t0);
  READY = 1;
}

/* The keys do not depend on where the buffers were written: the fixtures
** built again with one buffer for everything after the early commit (the
** 2 MiB build wrote several, whose articles the later ones were matched
** against in their pending segments) give every article the same story
** and thread keys. */
static void test_buffer_independent(void) {
  ASSERT(READY);
  nd_index *one = build_with(&FX, "onebuffer", (size_t)1 << 30);
  ASSERT(one);
  hits h1 = {0};
  int rc = all_hits(one, &FX, &h1);
  nd_close(one);
  ASSERT_OK(rc);
  ASSERT_EQ_INT(h1.n, H.n);
  size_t differ = 0;
  for (size_t i = 0; i < H.n; i++) {
    const hit *a = &H.h[i], *b = NULL;
    for (size_t j = 0; j < h1.n && !b; j++)
      if (h1.h[j].doc == a->doc) b = &h1.h[j];
    if (!b || a->story != b->story || a->thread != b->thread) {
      if (differ++ < 5) fprintf(stderr, "  %s: keys differ with one buffer\n", FX.a[a->doc].id);
    }
  }
  free(h1.h);
  ASSERT_EQ_INT(differ, 0);
}

static void test_pairs(void) {
  ASSERT(READY);
  double prec, rec;
  size_t t = pair_scores("fixtures", &FX, &H, &prec, &rec);
  ASSERT(t >= 100); /* gen_news.py makes near-copies */
  ASSERT(prec >= 0.9);
  ASSERT(rec >= 0.9);
}

/* Prefix filtering finds exactly the pairs that comparing every pair does. */
static void test_prefix_filter(void) {
  ASSERT(READY);
  double t0 = now_s();
  sh_pairs t = true_pairs(&FX);
  double t1 = now_s();
  sh_set *sets = xmalloc(FX.n * sizeof *sets);
  for (size_t i = 0; i < FX.n; i++) sets[i] = FX.a[i].sh;
  uint64_t *p = NULL;
  size_t np = 0, ncand = 0;
  ASSERT_OK(sh_near_pairs(sets, FX.n, &p, &np, &ncand));
  free(sets);
  fprintf(stderr, "  prefix filtering: %zu candidates of %zu pairs, %zu at J >= 0.8 (%.2fs; every pair: %.2fs)\n", ncand,
         FX.n * (FX.n - 1) / 2, np, now_s() - t1, t1 - t0);
  int same = np == t.n && (np == 0 || !memcmp(p, t.v, np * sizeof *p));
  free(p);
  free(t.v);
  ASSERT(same);
  ASSERT(ncand < FX.n * 20);
}

static void test_versions(void) {
  ASSERT(READY);
  ASSERT_EQ_INT(check_versions(&FX, &H), 0);
}

static void test_threads(void) {
  ASSERT(READY);
  ASSERT_EQ_INT(check_threads(&FX, &H, "fixtures"), 0);
}

static void test_facets(void) {
  ASSERT(READY);
  static const char *const q[] = {"the", "harbour", "said", "council OR bridge", "title:minister", "date:1990..1999 the",
                                  "\"in a statement\"", "reporting editing"};
  int bad = 0;
  for (size_t i = 0; i < sizeof q / sizeof *q; i++) bad += check_facets_of(IX, &FX, q[i]);
  ASSERT_EQ_INT(bad, 0);
}

/* The keys of every hit of `now` equal those of the same article in `before`. */
static int same_keys(corpus *c, const hits *before, const hits *now) {
  uint64_t *story = calloc(c->n, sizeof *story), *thread = calloc(c->n, sizeof *thread);
  for (size_t i = 0; i < before->n; i++) {
    story[before->h[i].doc] = before->h[i].story;
    thread[before->h[i].doc] = before->h[i].thread;
  }
  int bad = 0;
  for (size_t i = 0; i < now->n; i++) {
    long d = now->h[i].doc;
    if ((story[d] != now->h[i].story || thread[d] != now->h[i].thread) && bad++ < 5)
      fprintf(stderr, "  %s: keys %016llx/%016llx, were %016llx/%016llx\n", c->a[d].id,
              (unsigned long long)now->h[i].story, (unsigned long long)now->h[i].thread, (unsigned long long)story[d],
              (unsigned long long)thread[d]);
  }
  free(story);
  free(thread);
  return bad;
}

/* The archive's hits again after a change: every survivor keeps its keys,
** versions and threads are right.  The number of problems. */
static int next_state(const char *state) {
  hits now;
  if (all_hits(IX, &FX, &now)) return 1;
  int bad = same_keys(&FX, &H, &now);
  hits_free(&H);
  H = now;
  return bad + check_versions(&FX, &H) + check_threads(&FX, &H, state);
}

static void test_delete(void) {
  ASSERT(READY);
  READY = 0;
  /* ~5% at random, and the first member (in add order) of 20 groups */
  size_t ndel = 0, nfirst = 0;
  sort_hits(&H, 0);
  for (size_t i = 0, j; i < H.n && nfirst < 20; i = j) {
    j = run_end(&H, i, 0);
    if (j - i < 2) continue;
    long first = H.h[i].doc;
    for (size_t k = i; k < j; k++) first = H.h[k].doc < first ? H.h[k].doc : first;
    ASSERT_OK(nd_delete(IX, FX.a[first].id));
    FX.a[first].alive = 0;
    nfirst++, ndel++;
  }
  for (size_t i = 0; i < FX.n; i++)
    if (FX.a[i].alive && rn(20) == 0) {
      ASSERT_OK(nd_delete(IX, FX.a[i].id));
      FX.a[i].alive = 0;
      ndel++;
    }
  ASSERT_OK(nd_commit(IX));
  fprintf(stderr, "  deleted %zu (%zu the first of their group)\n", ndel, nfirst);
  ASSERT_EQ_INT(next_state("after deletions"), 0);
  READY = 1;
}

static void test_optimize(void) {
  ASSERT(READY);
  READY = 0;
  ASSERT_OK(nd_optimize(IX));
  nd_stats st;
  ASSERT_OK(nd_stats_get(IX, &st));
  ASSERT(st.segments == 1 && st.deleted == 0);
  ASSERT_EQ_INT(next_state("after nd_optimize"), 0);
  int fb = 0;
  fb += check_facets_of(IX, &FX, "the");
  fb += check_facets_of(IX, &FX, "harbour OR council");
  ASSERT_EQ_INT(fb, 0);
  READY = 1;
}

/* ---- the hand-made threads ------------------------------------------------------- */

/* The thread of article id among the hits. */
static const hit *hit_of(corpus *c, const hits *h, const char *id) {
  long d = find(c, id);
  for (size_t i = 0; d >= 0 && i < h->n; i++)
    if (h->h[i].doc == d) return &h->h[i];
  return NULL;
}

static void test_threads_fixture(void) {
  ASSERT(setup());
  corpus c = {0};
  ASSERT(load(&c, THREADS_FIXTURE, SIZE_MAX) >= 30);
  index_ids(&c);
  nd_index *ix = build(&c, "threads");
  ASSERT(ix);
  hits h = {0};
  int rc = all_hits(ix, &c, &h);
  nd_close(ix);
  if (rc) { corpus_free(&c); hits_free(&h); ASSERT_OK(rc); }
  /* the stories: th:aNN the bridge, th:bNN the election, th:cNN the fire;
  ** th:a90 the follow-up, three months on; th:?8N copies of th:?NN.  Per
  ** story, its threads and their articles; a thread with two stories. */
  static const char *const names[3] = {"the bridge", "the election", "the fire"};
  int bad = 0;
  sort_hits(&h, 1);
  fprintf(stderr, "  threads.jsonl: %zu articles, thread sizes", h.n);
  for (size_t i = 0, j; i < h.n; i = j) {
    j = run_end(&h, i, 1);
    fprintf(stderr, " %zu", j - i);
  }
  fputc('\n', stderr);
  for (int s = 0; s < 3; s++) {
    char list[1024];
    size_t len = 0, nthreads = 0, n = 0;
    for (size_t i = 0, j; i < h.n; i = j) {
      j = run_end(&h, i, 1);
      int here = 0;
      for (size_t k = i; k < j; k++) {
        const char *id = c.a[h.h[k].doc].id;
        if (id[3] != 'a' + s || !strcmp(id, "th:a90")) continue;
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", here++ ? " " : nthreads ? " | " : "", id + 3);
        n++;
      }
      nthreads += here > 0;
    }
    fprintf(stderr, "  %s: %zu articles in %zu thread%s: %s\n", names[s], n, nthreads, nthreads == 1 ? "" : "s", list);
    bad += nthreads != 1;
  }
  for (size_t i = 0, j; i < h.n; i = j) {
    j = run_end(&h, i, 1);
    int mixed = 0, late = 0, first = 0;
    for (size_t k = i; k < j; k++) {
      const char *id = c.a[h.h[k].doc].id;
      late |= !strcmp(id, "th:a90");
      first |= id[3] == 'a' && strcmp(id, "th:a90");
      mixed |= id[3] != c.a[h.h[i].doc].id[3];
    }
    if (mixed) fprintf(stderr, "  thread %016llx holds two stories\n", (unsigned long long)h.h[i].thread);
    if (late && first) fprintf(stderr, "  the follow-up three months later shares a thread with the bridge collapse\n");
    bad += mixed + (late && first);
  }
  /* copies share the story of their original; no other two do */
  size_t copies = 0, stories = 0;
  sort_hits(&h, 0);
  for (size_t i = 0; i < h.n; i++) stories += i == 0 || h.h[i].story != h.h[i - 1].story;
  for (size_t i = 0; i < c.n; i++) {
    const char *id = c.a[i].id;
    if (id[4] != '8') continue;
    char orig[16];
    snprintf(orig, sizeof orig, "th:%c0%c", id[3], id[5]);
    const hit *x = hit_of(&c, &h, id), *y = hit_of(&c, &h, orig);
    copies++;
    long o = find(&c, orig);
    double j = o < 0 ? 0 : sh_jaccard(&c.a[i].sh, &c.a[o].sh);
    fprintf(stderr, "    %s, a copy of %s: J = %.3f\n", id, orig, j);
    if (!x || !y || x->story != y->story) {
      fprintf(stderr, "  %s is a copy of %s (J = %.3f) but not in its story\n", id, orig, j);
      bad++;
    }
  }
  if (stories != h.n - copies) {
    fprintf(stderr, "  %zu stories among %zu articles with %zu copies\n", stories, h.n, copies);
    bad++;
  }
  ASSERT(copies >= 2);
  hits_free(&h);
  corpus_free(&c);
  ASSERT_EQ_INT(bad, 0);
}

/* ---- real articles ----------------------------------------------------------------- */

static void test_real_pairs(void) {
  ASSERT(setup());
  char path[1024];
  TEST_REAL_DATA_OR_SKIP(path, "news/sample-1000.jsonl");
  corpus c = {0};
  ASSERT(load(&c, path, SIZE_MAX) >= 900);
  index_ids(&c);
  nd_index *ix = build(&c, "sample");
  ASSERT(ix);
  hits h = {0};
  int rc = all_hits(ix, &c, &h), bad = 0;
  if (!rc) {
    double prec, rec;
    pair_scores("sample-1000", &c, &h, &prec, &rec);
    bad = check_versions(&c, &h) + check_threads(&c, &h, "sample-1000");
  }
  nd_close(ix);
  hits_free(&h);
  corpus_free(&c);
  ASSERT_OK(rc);
  ASSERT_EQ_INT(bad, 0);
}

static void test_cleanup(void) {
  nd_close(IX);
  IX = NULL;
  hits_free(&H);
  corpus_free(&FX);
  an_free(AN);
  AN = NULL;
}

TEST_MAIN(TEST(test_build), TEST(test_buffer_independent), TEST(test_pairs), TEST(test_prefix_filter), TEST(test_versions), TEST(test_threads),
          TEST(test_facets), TEST(test_delete), TEST(test_optimize), TEST(test_threads_fixture),
          TEST(test_real_pairs), TEST(test_cleanup))
