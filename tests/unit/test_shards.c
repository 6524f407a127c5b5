/*
** test_shards.c -- statistics shared by shards: an archive split in three,
** searched shard by shard with the shards' figures merged, ranks as the
** whole archive does.
**
** The same articles are added to one archive and, by a hash of their id, to
** one of NSHARDS others (ids seen twice are kept once: a replaced article
** would count as deleted in one archive's figures and maybe not, still in
** memory, in the other's).  The oracle is the whole archive.  For each
** query of a fixed set -- terms, AND, OR, NOT, phrases, prefixes, title:
** and body:, source: values and prefixes, place:/org: names and topic
** prefixes, date periods and ranges, match-all and exists -- every shard's
** figures (nd_query_stats) are merged (nd_stats_merge) and must equal the
** whole archive's figures for the query, text for text; each shard is
** searched with them (ND_VERSIONS_ALL, so that story collapsing cannot
** differ; ids only; limit TOP), the shards' hits are merged by score, and
** the best TOP must be the whole archive's: the same scores rank by rank
** (within REL, relative: sums may be added in another order) and the same
** ids above the last score (hits tied at it may be any of the tied ones).
** The shards' totals add up to the whole's.  Each shard's limited search
** must also agree with its exhaustive one (limit BIG: nothing skipped) --
** the block-max bounds stay bounds under averages that are not the
** shard's -- and so must searches with made-up averages far from the
** shards' (test_bounds_far_averages).  Without the figures the scores of
** some queries must differ (test_fixture_shards counts them): else this
** test could not fail.
**
** Left out of the exact checks, with the reason: a whole person's name
** under person: or topic: (person:"martin hollis", topic:france).  Which
** partial names ("Hollis", "President Hollis") stand for a person is
** decided from every article of an archive (index/alias.h), so a shard
** can match other articles than the whole archive does; those queries
** are only checked to run with merged figures (test_alias_queries_run).
**
** Corpora: the invented fixtures (news.jsonl, the first 1000 articles of
** wire.jsonl.zst), always; the real articles of news/ under
** $NEWSDEX_TEST_DATA when present (REAL_FILES: about 13,000 of them, or
** all 63,405 with NEWSDEX_SHARDS_ALL=1), else that test is skipped.
** Malformed figures (test_malformed_*) must be refused with a clear
** ND_ERR_INVALID, whatever the damage.
*/
#include <ftw.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "newsdex.h"
#define TEST_RNG_SEED 0x5AA4D5u
#include "test.h"
#include "testdata.h"
#include "testutil.h"

#define NSHARDS 3
#define TOP 10
#define BIG 100000
#define REL 1e-9

/* ---- the archives --------------------------------------------------------- */

typedef struct corpus {
  char dir[64];
  nd_index *all, *shard[NSHARDS];
  size_t n, dup;
  char **ids; /* the ids added: open addressing on fnv, a power of two */
  size_t cap;
  size_t max, got; /* of the file being read */
  int failed;
} corpus;

/* Is id new to c?  (Remembered when it is.) */
static int id_new(corpus *c, const char *id) {
  if ((c->n + c->dup + 1) * 2 > c->cap) {
    size_t cap = c->cap ? c->cap * 2 : 1 << 14;
    char **t = calloc(cap, sizeof *t);
    if (!t) exit(2);
    for (size_t i = 0; i < c->cap; i++)
      if (c->ids[i]) {
        size_t h = fnv(c->ids[i], strlen(c->ids[i])) & (cap - 1);
        while (t[h]) h = (h + 1) & (cap - 1);
        t[h] = c->ids[i];
      }
    free(c->ids);
    c->ids = t;
    c->cap = cap;
  }
  size_t h = fnv(id, strlen(id)) & (c->cap - 1);
  for (; c->ids[h]; h = (h + 1) & (c->cap - 1))
    if (!strcmp(c->ids[h], id)) return 0;
  c->ids[h] = xstrdup(id);
  return 1;
}

static int on_doc(void *ctx, const nd_doc *doc, const char *file, uint64_t line) {
  corpus *c = ctx;
  (void)file, (void)line;
  if (c->max && c->got >= c->max) return 1;
  c->got++;
  if (!doc->id || !id_new(c, doc->id)) { c->dup++; return 0; }
  nd_index *sh = c->shard[fnv(doc->id, strlen(doc->id)) % NSHARDS];
  int rc = nd_add(c->all, doc, NULL);
  if (!rc) rc = nd_add(sh, doc, NULL);
  if (rc == ND_ERR_INVALID || rc == ND_ERR_LIMIT) return 0; /* refused by both alike */
  if (rc) {
    fprintf(stderr, "  nd_add(%s): %s\n", doc->id, nd_errmsg(c->all));
    c->failed = 1;
    return 1;
  }
  c->n++;
  return 0;
}

static void on_err(void *ctx, const char *file, uint64_t line, const char *reason) {
  (void)ctx, (void)file, (void)line, (void)reason;
}

static void corpus_open(corpus *c) {
  memset(c, 0, sizeof *c);
  snprintf(c->dir, sizeof c->dir, "/tmp/nd_shards_XXXXXX");
  ASSERT(mkdtemp(c->dir));
  nd_open_options oo = {0};
  oo.language = "english";
  oo.buffer_bytes = 4u << 20; /* several segments, of several average lengths */
  oo.merge_factor = 1;
  char path[128];
  snprintf(path, sizeof path, "%s/all", c->dir);
  ASSERT_OK(nd_open(path, ND_OPEN_CREATE, &oo, &c->all));
  for (int i = 0; i < NSHARDS; i++) {
    snprintf(path, sizeof path, "%s/shard%d", c->dir, i);
    ASSERT_OK(nd_open(path, ND_OPEN_CREATE, &oo, &c->shard[i]));
  }
}

/* Add up to max articles of a file (0: all). */
static void corpus_load(corpus *c, const char *path, size_t max) {
  c->max = max;
  c->got = 0;
  ingest_path(path, on_doc, on_err, c, NULL);
  ASSERT(!c->failed);
}

static void corpus_commit(corpus *c) {
  ASSERT_OK(nd_commit(c->all));
  for (int i = 0; i < NSHARDS; i++) ASSERT_OK(nd_commit(c->shard[i]));
  fprintf(stderr, "  %zu articles (%zu ids seen again, left out)\n", c->n, c->dup);
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb, (void)flag, (void)ftw;
  return remove(p);
}

static void corpus_close(corpus *c) {
  nd_close(c->all);
  for (int i = 0; i < NSHARDS; i++) nd_close(c->shard[i]);
  if (c->dir[0]) nftw(c->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
  for (size_t i = 0; i < c->cap; i++) free(c->ids[i]);
  free(c->ids);
  memset(c, 0, sizeof *c);
}

/* ---- hits ----------------------------------------------------------------- */

typedef struct hit {
  char *id;
  double score;
} hit;

typedef struct hits {
  hit h[BIG];
  size_t n;
  uint64_t total;
} hits;

static void hits_clear(hits *h) {
  for (size_t i = 0; i < h->n; i++) free(h->h[i].id);
  h->n = 0;
  h->total = 0;
}

/* Search ix for q (every version, ids only, `limit` hits) with figures
** `stats` (NULL: the archive's), appending the hits to *out.  The status. */
static int search_into(nd_index *ix, const char *q, const char *stats, size_t limit, hits *out) {
  nd_search_options o = {0};
  o.limit = limit;
  o.ids_only = 1;
  o.versions = ND_VERSIONS_ALL;
  o.stats = stats;
  nd_results *r = NULL;
  int rc = nd_search(ix, q, &o, &r);
  if (rc) {
    fprintf(stderr, "  nd_search(%s): %s\n", q, nd_errmsg(ix));
    return rc;
  }
  for (size_t i = 0; i < nd_results_count(r) && out->n < sizeof out->h / sizeof *out->h; i++) {
    nd_hit x;
    nd_results_hit(r, i, &x);
    out->h[out->n++] = (hit){xstrdup(x.id), x.score};
  }
  out->total += nd_results_total(r);
  nd_results_free(r);
  return 0;
}

static int cmp_score_desc(const void *a, const void *b) {
  double x = ((const hit *)a)->score, y = ((const hit *)b)->score;
  return (x < y) - (x > y);
}

/* Keep the best k hits of h (ties in any order). */
static void keep_best(hits *h, size_t k) {
  qsort(h->h, h->n, sizeof *h->h, cmp_score_desc);
  while (h->n > k) free(h->h[--h->n].id);
}

static int close_to(double x, double y) { return fabs(x - y) <= REL * fmax(fabs(x), fabs(y)); }

static int has_id(const hits *h, const char *id) {
  for (size_t i = 0; i < h->n; i++)
    if (!strcmp(h->h[i].id, id)) return 1;
  return 0;
}

/* Do want and got rank alike?  The same scores rank by rank, and the same
** ids above the last score (a tie at the cut may keep any of its hits).
** Prints the first difference (`what` says which lists) and returns 0. */
static int same_top(const hits *want, const hits *got, const char *q, const char *what) {
  if (want->n != got->n) {
    fprintf(stderr, "  %s: %s: %zu hits, want %zu\n", q, what, got->n, want->n);
    return 0;
  }
  for (size_t i = 0; i < want->n; i++)
    if (!close_to(want->h[i].score, got->h[i].score)) {
      fprintf(stderr, "  %s: %s: rank %zu scores %.17g (%s), want %.17g (%s)\n", q, what, i + 1, got->h[i].score,
              got->h[i].id, want->h[i].score, want->h[i].id);
      return 0;
    }
  if (!want->n) return 1;
  double cut = want->h[want->n - 1].score;
  for (int side = 0; side < 2; side++) {
    const hits *a = side ? got : want, *b = side ? want : got;
    for (size_t i = 0; i < a->n; i++)
      if (!close_to(a->h[i].score, cut) && !has_id(b, a->h[i].id)) {
        fprintf(stderr, "  %s: %s: %s (rank %zu, %.17g) is only in the %s list\n", q, what, a->h[i].id, i + 1,
                a->h[i].score, side ? "second" : "first");
        return 0;
      }
  }
  return 1;
}

/* Do the two lists' scores differ anywhere (or their lengths)? */
static int scores_differ(const hits *a, const hits *b) {
  if (a->n != b->n) return 1;
  for (size_t i = 0; i < a->n; i++)
    if (!close_to(a->h[i].score, b->h[i].score)) return 1;
  return 0;
}

/* ---- figures -------------------------------------------------------------- */

/* The shards' figures for q, merged (nd_string_free), or NULL after a message. */
static char *merged_stats(corpus *c, const char *q) {
  char *parts[NSHARDS] = {0}, *m = NULL;
  int ok = 1;
  for (int i = 0; i < NSHARDS && ok; i++)
    if (nd_query_stats(c->shard[i], q, &parts[i])) {
      fprintf(stderr, "  nd_query_stats(%s) on shard %d: %s\n", q, i, nd_errmsg(c->shard[i]));
      ok = 0;
    }
  if (ok && nd_stats_merge((const char *const *)parts, NSHARDS, &m)) fprintf(stderr, "  nd_stats_merge(%s) failed\n", q);
  for (int i = 0; i < NSHARDS; i++) nd_string_free(parts[i]);
  return m;
}

/* Search every shard for q with figures `stats` (limit TOP), merge. */
static int shard_search(corpus *c, const char *q, const char *stats, hits *out) {
  hits_clear(out);
  for (int i = 0; i < NSHARDS; i++)
    if (search_into(c->shard[i], q, stats, TOP, out)) return -1;
  keep_best(out, TOP);
  return 0;
}

/* Each shard's limited search with `stats` agrees with its exhaustive one:
** block-max skipping lost nothing.  The number of disagreements. */
static int bounds_hold(corpus *c, const char *q, const char *stats, const char *what) {
  static hits lim, full;
  int bad = 0;
  for (int i = 0; i < NSHARDS; i++) {
    hits_clear(&lim);
    hits_clear(&full);
    if (search_into(c->shard[i], q, stats, TOP, &lim) || search_into(c->shard[i], q, stats, BIG, &full)) return 1;
    keep_best(&full, TOP);
    bad += !same_top(&full, &lim, q, what);
  }
  return bad;
}

typedef struct tally_q {
  size_t queries, bad, differ_without;
  size_t with_hits;
} tally_q;

/* Check query q on c (see the top of the file); counts into t. */
static void check_query(corpus *c, const char *q, tally_q *t) {
  static hits whole, sharded, without;
  t->queries++;
  hits_clear(&whole);
  char *mine = NULL, *m = merged_stats(c, q);
  int bad = !m || search_into(c->all, q, NULL, TOP, &whole) || nd_query_stats(c->all, q, &mine);
  if (!bad && strcmp(m, mine)) {
    fprintf(stderr, "  %s: the merged figures are not the whole archive's:\n--- merged\n%s--- whole\n%s", q, m, mine);
    bad = 1;
  }
  if (!bad) bad = shard_search(c, q, m, &sharded) || !same_top(&whole, &sharded, q, "whole vs shards");
  if (!bad && sharded.total != whole.total) {
    fprintf(stderr, "  %s: the shards match %llu articles, the whole %llu\n", q, (unsigned long long)sharded.total,
            (unsigned long long)whole.total);
    bad = 1;
  }
  if (!bad) bad = bounds_hold(c, q, m, "limited vs exhaustive") != 0;
  if (!bad && !shard_search(c, q, NULL, &without)) t->differ_without += scores_differ(&whole, &without);
  t->with_hits += whole.n > 0;
  t->bad += bad;
  nd_string_free(m);
  nd_string_free(mine);
  if (getenv("ND_SHARDS_VERBOSE")) fprintf(stderr, "  %-40s %6llu hits%s\n", q, (unsigned long long)whole.total, bad ? "  FAILED" : "");
}

/* Run the queries, then require every one to pass and to find something
** (a query that finds nothing checks nothing) and the scores of some to
** differ without the figures. */
static void check_queries(corpus *c, const char *const *qs, size_t n) {
  tally_q t = {0};
  for (size_t i = 0; i < n; i++) check_query(c, qs[i], &t);
  fprintf(stderr, "  %zu queries: %zu failed, %zu with hits, %zu score otherwise without the merged figures\n", t.queries,
          t.bad, t.with_hits, t.differ_without);
  ASSERT_EQ_INT(t.bad, 0);
  ASSERT_EQ_INT(t.with_hits, t.queries);
  ASSERT(t.differ_without > 0);
}

/* ---- the fixtures ---------------------------------------------------------- */

static corpus FX;

static const char *const FX_QUERIES[] = {
  "harbour", "minister", "rahman", "nadia rahman", "minister OR statement", "contrast OR percent OR billion",
  "\"told reporters\"", "\"nadia rahman\"", "sanc*", "rep*", "sanc* OR hollis", "title:france",
  "title:(rejected OR warned)", "body:minister -title:france", "source:\"harbour times\" minister", "source:harb*",
  "source:\"Northern Post\"", "date:1995..2005 minister", "date:2004", "minister -statement", "percent billion -officials",
  "place:ma*", "place:france", "place:chile minister", "org:\"halloran foundation\"", "org:berg*", "person:mart*",
  "title:* harbour", "*", "title:hollis river", "\"river\" title:hollis", "(harbour OR river) date:>=2010 -minister",
  "title:\"nadia rahman\" OR body:\"told reporters\"",
  /* a rare word before a common one: shards without the rare word must
  ** still give the common word's df */
  "\"klontfint is\"", "\"gandnur at\" OR harbour",
};

static void test_fixture_shards(void) {
  corpus_open(&FX);
  char path[1024];
  corpus_load(&FX, test_fixture(path, sizeof path, "news.jsonl"), 0);
  corpus_load(&FX, test_fixture(path, sizeof path, "wire.jsonl.zst"), 1000);
  corpus_commit(&FX);
  ASSERT(FX.n >= 2400);
  check_queries(&FX, FX_QUERIES, sizeof FX_QUERIES / sizeof *FX_QUERIES);
}

/* Figures with made-up average lengths, far above and far below the
** shards' own: bounds scaled for them still bound every score. */
static char *with_lengths(const char *stats, double factor) {
  size_t n = strlen(stats);
  char *out = xmalloc(n + 64);
  const char *tl = strstr(stats, "\ntitle-len "), *end = strstr(stats, "\nterm ");
  if (!end) end = strstr(stats, "\nend ");
  ASSERT(tl && end && tl < end);
  unsigned long long docs = 0, t = 0, b = 0;
  ASSERT(sscanf(stats, "newsdex-stats 1\ndocs %llu\ntitle-len %llu\nbody-len %llu", &docs, &t, &b) == 3);
  int k = snprintf(out, 64, "newsdex-stats 1\ndocs %llu\ntitle-len %llu\nbody-len %llu", docs,
                   (unsigned long long)(t * factor), (unsigned long long)(b * factor));
  memcpy(out + k, end, n - (size_t)(end - stats) + 1);
  return out;
}

static void test_bounds_far_averages(void) {
  ASSERT(FX.all);
  int bad = 0;
  for (size_t i = 0; i < sizeof FX_QUERIES / sizeof *FX_QUERIES; i++) {
    char *m = merged_stats(&FX, FX_QUERIES[i]);
    ASSERT(m);
    char *hi = with_lengths(m, 40), *lo = with_lengths(m, 1.0 / 40);
    bad += bounds_hold(&FX, FX_QUERIES[i], hi, "averages x40");
    bad += bounds_hold(&FX, FX_QUERIES[i], lo, "averages /40");
    free(hi);
    free(lo);
    nd_string_free(m);
  }
  ASSERT_EQ_INT(bad, 0);
}

/* A person's whole name: not exact across shards (see the top), but every
** shard takes the merged figures without a missing term. */
static void test_alias_queries_run(void) {
  ASSERT(FX.all);
  static const char *const qs[] = {"person:\"martin hollis\"", "person:hollis", "topic:france", "topic:hollis minister"};
  static hits h;
  for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
    char *m = merged_stats(&FX, qs[i]);
    ASSERT(m);
    int rc = shard_search(&FX, qs[i], m, &h);
    nd_string_free(m);
    ASSERT_OK(rc);
  }
  hits_clear(&h);
}

/* ---- malformed figures ------------------------------------------------------ */

/* Search shard 0 for q with figures s: the status, the message in msg. */
static int search_with(const char *q, const char *s, char *msg, size_t cap) {
  nd_search_options o = {0};
  o.ids_only = 1;
  o.stats = s;
  nd_results *r = NULL;
  int rc = nd_search(FX.shard[0], q, &o, &r);
  snprintf(msg, cap, "%s", nd_errmsg(FX.shard[0]));
  nd_results_free(r);
  return rc;
}

/* s must be refused by nd_stats_merge and by nd_search, whose message
** must hold `why`. */
static int refused(const char *s, const char *why) {
  char *m = NULL, msg[600];
  int rc = nd_stats_merge(&s, 1, &m);
  nd_string_free(m);
  if (rc != ND_ERR_INVALID) {
    fprintf(stderr, "  nd_stats_merge took \"%s\" (%d)\n", s, rc);
    return 0;
  }
  rc = search_with("harbour", s, msg, sizeof msg);
  if (rc != ND_ERR_INVALID || !strstr(msg, why)) {
    fprintf(stderr, "  nd_search with \"%s\": %d \"%s\", want ND_ERR_INVALID and \"%s\"\n", s, rc, msg, why);
    return 0;
  }
  return 1;
}

#define HEAD "newsdex-stats 1\ndocs 10\ntitle-len 40\nbody-len 900\n"

static void test_malformed_refused(void) {
  ASSERT(FX.all);
  ASSERT(refused("", "line 1: the text ends"));
  ASSERT(refused("newsdex-stats 2\n", "line 1: version \"2\""));
  ASSERT(refused("newsdex-stats 1", "line 1: no line break"));
  ASSERT(refused("Newsdex-stats 1\n", "line 1: not newsdex statistics"));
  ASSERT(refused("newsdex-stats 1\ndocs 10\n", "line 3: the text ends before \"title-len\""));
  ASSERT(refused(HEAD, "line 5: the text ends before \"end\""));
  ASSERT(refused(HEAD "term harbour 3\n", "line 6: the text ends"));
  ASSERT(refused(HEAD "term harbour 3\nend 2\n", "line 6: end: 2 terms announced, 1 read"));
  ASSERT(refused(HEAD "end 0\nend 0\n", "line 6: text after the end line"));
  ASSERT(refused("newsdex-stats 1\ndocs 99999999999999999999\n", "line 2: docs: \"99999999999999999999\" is not a whole number"));
  ASSERT(refused("newsdex-stats 1\ndocs 9007199254740993\n", "is not a whole number from 0 to 9007199254740992"));
  ASSERT(refused("newsdex-stats 1\ndocs -1\n", "line 2: docs: \"-1\""));
  ASSERT(refused("newsdex-stats 1\ndocs 010\n", "line 2: docs: \"010\""));
  ASSERT(refused("newsdex-stats 1\ndocs 10\r\n", "line 2: byte 0x0D"));
  ASSERT(refused("newsdex-stats 1\nbody-len 10\n", "line 2: \"docs N\" expected"));
  ASSERT(refused(HEAD "term harbour 11\nend 1\n", "line 5: df 11 is larger than docs 10"));
  ASSERT(refused(HEAD "term harbour 1 2\nend 1\n", "line 5: a term's df"));
  ASSERT(refused(HEAD "term  1\nend 1\n", "line 5: a term's key"));
  ASSERT(refused(HEAD "term %4 1\nend 1\n", "line 5: a term's key"));
  ASSERT(refused(HEAD "term %G0 1\nend 1\n", "line 5: a term's key"));
  ASSERT(refused(HEAD "term harbour 1\nterm harbour 2\nend 2\n", "line 6: terms out of order or listed twice"));
  ASSERT(refused(HEAD "term storm 1\nterm harbour 2\nend 2\n", "line 6: terms out of order"));
  ASSERT(refused(HEAD "term harb\xc3\xb6r 1\nend 1\n", "line 5: byte 0xC3"));
  ASSERT(refused(HEAD "terms harbour 1\nend 1\n", "line 5: \"end N\" expected"));
  char longkey[600] = HEAD "term ";
  size_t k = strlen(longkey);
  memset(longkey + k, 'a', 256);
  strcpy(longkey + k + 256, " 1\nend 1\n");
  ASSERT(refused(longkey, "line 5: a term's key must be 1 to 255 bytes"));
  /* sums past the limit when merged */
  const char *big[2] = {"newsdex-stats 1\ndocs 9007199254740992\ntitle-len 0\nbody-len 0\nend 0\n",
                        "newsdex-stats 1\ndocs 1\ntitle-len 0\nbody-len 0\nend 0\n"};
  char *m = NULL;
  ASSERT_EQ_INT(nd_stats_merge(big, 2, &m), ND_ERR_INVALID);
  ASSERT(m == NULL);
  const char *none[1] = {NULL};
  ASSERT_EQ_INT(nd_stats_merge(none, 1, &m), ND_ERR_INVALID);
}

/* Figures for another query: the term they lack is named. */
static void test_missing_term_named(void) {
  ASSERT(FX.all);
  char *s = NULL, msg[600];
  ASSERT_OK(nd_query_stats(FX.shard[0], "harbour", &s));
  int rc = search_with("harbour minister", s, msg, sizeof msg);
  nd_string_free(s);
  ASSERT_EQ_INT(rc, ND_ERR_INVALID);
  if (!strstr(msg, "\"minist\"")) TEST_FAIL_("the message does not name the term: %s", msg);
  /* a source key starts with a control byte: shown escaped */
  ASSERT_OK(nd_query_stats(FX.shard[0], "minister", &s));
  rc = search_with("source:\"harbour times\"", s, msg, sizeof msg);
  nd_string_free(s);
  ASSERT_EQ_INT(rc, ND_ERR_INVALID);
  if (!strstr(msg, "\"%01harbour%20times%1F")) TEST_FAIL_("the source key is not shown escaped: %s", msg);
  /* and a malformed query is a query error, as for nd_search */
  ASSERT_EQ_INT(nd_query_stats(FX.shard[0], "harbour (", &s), ND_ERR_QUERY);
  ASSERT(s == NULL);
  ASSERT_EQ_INT(nd_error_offset(FX.shard[0]), 8);
}

/* Figures written are read back unchanged; merging one text gives it
** back; merging is a sum. */
static void test_round_trip(void) {
  ASSERT(FX.all);
  char *a = NULL, *m = NULL;
  ASSERT_OK(nd_query_stats(FX.shard[1], "source:harb* OR \"nadia rahman\" OR place:ma*", &a));
  if (!strstr(a, "term %01harbour%20times%1F")) TEST_FAIL_("no escaped source key in:\n%s", a);
  const char *one[1] = {a};
  ASSERT_OK(nd_stats_merge(one, 1, &m));
  ASSERT_EQ_STR(m, a);
  nd_string_free(m);
  const char *two[2] = {a, a};
  ASSERT_OK(nd_stats_merge(two, 2, &m));
  unsigned long long d1, d2;
  ASSERT(sscanf(a, "newsdex-stats 1\ndocs %llu", &d1) == 1 && sscanf(m, "newsdex-stats 1\ndocs %llu", &d2) == 1);
  ASSERT_EQ_INT(d2, 2 * d1);
  nd_string_free(m);
  ASSERT_OK(nd_stats_merge(NULL, 0, &m)); /* nothing: no articles, no terms */
  ASSERT_EQ_STR(m, "newsdex-stats 1\ndocs 0\ntitle-len 0\nbody-len 0\nend 0\n");
  nd_string_free(m);
  nd_string_free(a);
}

/* Every cut of a good text short of its end, and random damage to it:
** refused or read, never a crash; what is read is written back the same. */
static void test_malformed_damage(void) {
  ASSERT(FX.all);
  char *a = NULL, *m = NULL;
  ASSERT_OK(nd_query_stats(FX.shard[2], "rep* OR source:harb*", &a));
  size_t n = strlen(a);
  ASSERT(n > 200);
  char *t = xmalloc(n + 1);
  for (size_t cut = 0; cut < n; cut++) {
    memcpy(t, a, cut);
    t[cut] = 0;
    const char *p[1] = {t};
    int rc = nd_stats_merge(p, 1, &m);
    if (rc != ND_ERR_INVALID) TEST_FAIL_("the first %zu bytes of the text were taken (%d)", cut, rc);
  }
  static const char BYTES[] = "0123456789 \n%%%afAF-+ \x01\x7f\xff";
  size_t taken = 0;
  for (int round = 0; round < 3000; round++) {
    memcpy(t, a, n + 1);
    for (int k = 1 + (int)rn(3); k-- > 0;) t[rn(n)] = BYTES[rn(sizeof BYTES - 1)];
    const char *p[1] = {t};
    int rc = nd_stats_merge(p, 1, &m);
    if (rc == 0) {
      char *again = NULL;
      const char *q[1] = {m};
      ASSERT_OK(nd_stats_merge(q, 1, &again));
      ASSERT_EQ_STR(again, m);
      nd_string_free(again);
      nd_string_free(m);
      taken++;
    } else if (rc != ND_ERR_INVALID) {
      TEST_FAIL_("damaged text: status %d", rc);
    }
  }
  fprintf(stderr, "  3000 damaged texts: %zu still well formed\n", taken);
  free(t);
  nd_string_free(a);
}

/* ---- the real articles --------------------------------------------------------- */

static corpus REAL;

static const struct { const char *file; size_t max; } REAL_FILES[] = {
  {"news/sample-1000.jsonl", 0},
  {"news/news-reuters21578.jsonl.zst", 4000},
  {"news/news-bbc.jsonl.zst", 0},
  {"news/news-c50.jsonl.zst", 2000},
  {"news/news-abp-part-00.jsonl.zst", 3000},
  {"news/news-abp-part-01.jsonl.zst", 1000},
};

static const char *const REAL_QUERIES[] = {
  "oil", "president", "trade deficit", "oil OR gas OR crude", "\"prime minister\"", "\"white house\" -trump",
  "elect*", "presiden* AND senat*", "title:election", "title:(trump OR obama) body:tax", "body:market -title:market",
  "source:reuters dollar", "source:\"fox news\"", "source:fox*", "date:1987-03 oil", "date:2016..2018 immigration",
  "date:>=2019 -trump (vote OR ballot)", "place:iraq", "org:congress", "place:new* war", "person:bern*", "*",
  "title:* bank", "\"interest rates\" OR \"exchange rate\"", "title:\"supreme court\" OR justice*",
};

static void test_real_shards(void) {
  char path[1024];
  for (size_t i = 0; i < sizeof REAL_FILES / sizeof *REAL_FILES; i++) TEST_REAL_DATA_OR_SKIP(path, REAL_FILES[i].file);
  int everything = getenv("NEWSDEX_SHARDS_ALL") && !strcmp(getenv("NEWSDEX_SHARDS_ALL"), "1");
  corpus *c = &REAL;
  corpus_open(c);
  double t0 = now_s();
  for (size_t i = 0; i < sizeof REAL_FILES / sizeof *REAL_FILES; i++) {
    test_real_data(path, sizeof path, REAL_FILES[i].file, NULL, 0);
    corpus_load(c, path, everything ? 0 : REAL_FILES[i].max);
  }
  corpus_commit(c);
  fprintf(stderr, "  indexed in %.1f s\n", now_s() - t0);
  check_queries(c, REAL_QUERIES, sizeof REAL_QUERIES / sizeof *REAL_QUERIES);
}

/* The archives go, whether the tests passed or not. */
static void test_cleanup(void) {
  corpus_close(&FX);
  corpus_close(&REAL);
}

TEST_MAIN(TEST(test_fixture_shards), TEST(test_bounds_far_averages), TEST(test_alias_queries_run),
          TEST(test_malformed_refused), TEST(test_missing_term_named), TEST(test_round_trip),
          TEST(test_malformed_damage), TEST(test_real_shards), TEST(test_cleanup))
