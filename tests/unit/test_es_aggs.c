/*
** test_es_aggs.c -- es_aggs() (src/es/aggs.c) against a brute force over
** the articles as they were loaded.
**
** The archive is built from the fixtures (news.jsonl), then from the
** third-party news sample when it is there.  Every article added is kept
** here with its id, its source and its date read by this file's own
** parser.  For each base query, the articles it matches are listed
** (nd_search, every version, ids only) and everything is counted again
** over them, here:
**   - terms on source: every key and count (the written form counted most
**     often shown), the size cut, sum_other_doc_count, orders by count
**     and by key, min_doc_count, include and exclude;
**   - date_histogram by day, ISO week, month, quarter, year, fixed 7 days
**     (epoch-aligned) and the legacy interval: UTC periods by gmtime and
**     timegm, empty periods filled between the first and the last, keys
**     and key_as_string; min_doc_count, format, extended and hard bounds;
**   - min and max of the date (value and value_as_string), value_count
**     and cardinality;
**   - filter and filters (with the other bucket) and sub-aggregations
**     under terms, date_histogram and filter buckets.
** Topic fields (people, organisations, places, topics) come from the
** linker, which cannot be recomputed here: each bucket's doc_count is
** checked against nd_search's total for the bucket's filter ANDed with the
** base query, and sum_other_doc_count against the full list.
** Then the refusals: each unsupported type, bad fields, intervals,
** formats, time zones, limits -- status 400 and a reason naming the part.
*/
#include <ctype.h>
#include <jansson.h>
#include <time.h>

#include "es/es.h"
#include "ingest/ingest.h"
#include "newsdex.h"
#include "test.h"
#include "testdata.h"
#include "testfs.h"
#include "testutil.h"

#define NOW_MS INT64_C(1700000000000)

static int bad; /* failures found in the current test */
#define CHECK(cond, ...)                                  \
  do {                                                    \
    if (!(cond)) {                                        \
      if (bad++ < 20) {                                   \
        fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__); \
        fprintf(stderr, __VA_ARGS__);                     \
        fputc('\n', stderr);                              \
      }                                                   \
    }                                                     \
  } while (0)

/* ---- the articles as loaded ---------------------------------------------- */

typedef struct art {
  char *id;
  char *source; /* as written; NULL: none */
  char *fold;   /* the source folded (case, white space); NULL: none */
  int64_t secs;
  int dated;
  size_t seq;   /* order of addition: the last of one id wins */
  int in;       /* matched by the base query */
} art;

static art *arts;
static size_t narts, cap_arts;

/* An article date (YYYY-MM-DD[Thh:mm[:ss[.f]]][Z|+hh:mm|-hh:mm]) as
** seconds since 1970, UTC; 0 or -1. */
static int parse_when(const char *s, int64_t *secs) {
  int y, mo, d, h = 0, mi = 0, se = 0, n = 0, oh = 0, om = 0;
  if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3) return -1;
  s += n;
  if (*s == 'T' || *s == ' ') {
    if (sscanf(s + 1, "%2d:%2d%n", &h, &mi, &n) != 2) return -1;
    s += 1 + n;
    if (*s == ':' && sscanf(s + 1, "%2d%n", &se, &n) == 1) s += 1 + n;
    if (*s == '.') for (s++; isdigit((unsigned char)*s); s++) {}
  }
  struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = se};
  int64_t t = (int64_t)timegm(&tm);
  if (*s == '+' || *s == '-') {
    if (sscanf(s + 1, "%2d:%2d", &oh, &om) != 2 && sscanf(s + 1, "%2d%2d", &oh, &om) != 2) return -1;
    t -= (*s == '+' ? 1 : -1) * (int64_t)(oh * 3600 + om * 60);
  }
  *secs = t;
  return 0;
}

/* Case folded (ASCII), runs of white space as one space, ends trimmed. */
static char *fold(const char *s) {
  char *f = xmalloc(strlen(s) + 1), *p = f;
  for (; *s; s++) {
    if (isspace((unsigned char)*s)) {
      if (p > f && p[-1] != ' ') *p++ = ' ';
    } else {
      *p++ = (char)tolower((unsigned char)*s);
    }
  }
  while (p > f && p[-1] == ' ') p--;
  *p = 0;
  if (!*f) { free(f); return NULL; }
  return f;
}

static void record(const char *id, const nd_doc *doc) {
  if (narts == cap_arts) arts = xrealloc(arts, (cap_arts = cap_arts ? cap_arts * 2 : 1024) * sizeof *arts);
  art *a = &arts[narts];
  memset(a, 0, sizeof *a);
  a->id = xstrdup(id);
  a->fold = doc->source ? fold(doc->source) : NULL;
  a->source = a->fold ? xstrdup(doc->source) : NULL;
  a->dated = doc->date && *doc->date && !parse_when(doc->date, &a->secs);
  a->seq = narts++;
}

static int cmp_art(const void *x, const void *y) {
  const art *a = x, *b = y;
  int c = strcmp(a->id, b->id);
  return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

/* Sorted by id, the last addition of each id kept. */
static void settle(void) {
  qsort(arts, narts, sizeof *arts, cmp_art);
  size_t m = 0;
  for (size_t i = 0; i < narts; i++) {
    if (m && !strcmp(arts[m - 1].id, arts[i].id)) {
      free(arts[m - 1].id); free(arts[m - 1].source); free(arts[m - 1].fold);
      arts[m - 1] = arts[i];
    } else {
      arts[m++] = arts[i];
    }
  }
  narts = m;
}

static void forget(void) {
  for (size_t i = 0; i < narts; i++) { free(arts[i].id); free(arts[i].source); free(arts[i].fold); }
  free(arts);
  arts = NULL;
  narts = cap_arts = 0;
}

static art *find(const char *id) {
  art key = {.id = (char *)id};
  size_t lo = 0, hi = narts;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(arts[mid].id, key.id);
    if (!c) return &arts[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return NULL;
}

static int add_one(void *ctx, const nd_doc *doc, const char *file, uint64_t line) {
  const char *id = NULL;
  int rc = nd_add(ctx, doc, &id);
  if (rc == ND_ERR_INVALID) return 0;
  if (rc) { fprintf(stderr, "  %s:%llu: %s\n", file, (unsigned long long)line, nd_errmsg(ctx)); return rc; }
  record(id, doc);
  return 0;
}
static void on_error(void *ctx, const char *file, uint64_t line, const char *reason) {}

static nd_index *archive_of(char *dir, const char *path) {
  nd_index *ix = NULL;
  if (!mkdtemp(dir) || nd_open(dir, ND_OPEN_CREATE, NULL, &ix)) { nd_close(ix); return NULL; }
  if (ingest_path(path, add_one, on_error, ix, NULL) || nd_commit(ix)) { nd_close(ix); return NULL; }
  settle();
  return ix;
}

/* ---- the library, as the test asks it ------------------------------------ */

static uint64_t count_of(nd_index *ix, const char *q) {
  nd_search_options so = {.count = ND_COUNT_ONLY, .versions = ND_VERSIONS_ALL};
  nd_results *r = NULL;
  if (nd_search(ix, q, &so, &r)) { CHECK(0, "[%s]: %s", q, nd_errmsg(ix)); return 0; }
  uint64_t n = nd_results_total(r);
  nd_results_free(r);
  return n;
}

/* Mark the articles q matches; their number. */
static size_t mark_base(nd_index *ix, const char *q) {
  for (size_t i = 0; i < narts; i++) arts[i].in = 0;
  uint64_t total = count_of(ix, q);
  if (!total) return 0;
  nd_search_options so = {.limit = (size_t)total, .ids_only = 1, .versions = ND_VERSIONS_ALL};
  nd_results *r = NULL;
  if (nd_search(ix, q, &so, &r)) { CHECK(0, "[%s]: %s", q, nd_errmsg(ix)); return 0; }
  size_t n = 0;
  for (size_t i = 0; i < nd_results_count(r); i++) {
    nd_hit h;
    nd_results_hit(r, i, &h);
    art *a = find(h.id);
    CHECK(a, "[%s]: hit %s was never added", q, h.id);
    if (a && !a->in) { a->in = 1; n++; }
  }
  nd_results_free(r);
  CHECK(n == total, "[%s]: %zu articles of %llu", q, n, (unsigned long long)total);
  return n;
}

/* es_aggs on q with the aggregations written as JSON; NULL with *e set. */
static json_t *aggs_or_error(nd_index *ix, const char *q, const char *json, es_err *e) {
  json_error_t je;
  json_t *req = json_loads(json, 0, &je), *out = NULL;
  if (!req) TEST_FAIL_("bad JSON in the test: %s: %s", json, je.text);
  memset(e, 0, sizeof *e);
  int rc = es_aggs(ix, q, req, NOW_MS, &out, e);
  json_decref(req);
  if (rc) return NULL;
  if (!out) TEST_FAIL_("es_aggs returned 0 without a result: %s", json);
  return out;
}

static json_t *aggs_of(nd_index *ix, const char *q, const char *json) {
  es_err e;
  json_t *out = aggs_or_error(ix, q, json, &e);
  if (!out) TEST_FAIL_("[%s] %s: %u %s: %s", q, json, e.status, e.type, e.reason);
  return out;
}

/* ---- expected terms ------------------------------------------------------- */

typedef struct bucket {
  const char *key;  /* terms */
  int64_t ms;       /* date_histogram */
  uint64_t n;
} bucket;

static int cmp_count_desc(const void *x, const void *y) {
  const bucket *a = x, *b = y;
  if (a->n != b->n) return a->n > b->n ? -1 : 1;
  return strcmp(a->key, b->key);
}
static int cmp_count_asc(const void *x, const void *y) {
  const bucket *a = x, *b = y;
  if (a->n != b->n) return a->n < b->n ? -1 : 1;
  return strcmp(a->key, b->key);
}
static int cmp_key_desc(const void *x, const void *y) {
  return strcmp(((const bucket *)y)->key, ((const bucket *)x)->key);
}

/* The sources of the marked articles (restricted to those passing `also`
** when not NULL), most first: *n keys. */
static bucket *source_counts(size_t *n, int (*also)(const art *, const void *), const void *arg) {
  /* each folded source once, with its most frequent written form */
  bucket *b = xmalloc((narts + 1) * sizeof *b);
  const char **forms = xmalloc((narts + 1) * sizeof *forms);
  size_t m = 0;
  for (size_t i = 0; i < narts; i++) {
    const art *a = &arts[i];
    if (!a->in || !a->fold || (also && !also(a, arg))) continue;
    size_t j = 0;
    while (j < m && strcmp(forms[j], a->fold)) j++;
    if (j == m) { forms[m] = a->fold; b[m++] = (bucket){NULL, 0, 0}; }
    b[j].n++;
  }
  for (size_t j = 0; j < m; j++) { /* the form written most often, ties: the smallest */
    size_t best = 0;
    for (size_t i = 0; i < narts; i++) {
      if (!arts[i].in || !arts[i].fold || strcmp(arts[i].fold, forms[j]) || (also && !also(&arts[i], arg))) continue;
      size_t c = 0;
      for (size_t k = 0; k < narts; k++)
        c += arts[k].in && arts[k].source && !strcmp(arts[k].source, arts[i].source) && (!also || also(&arts[k], arg));
      if (c > best || (c == best && strcmp(arts[i].source, b[j].key) < 0)) { best = c; b[j].key = arts[i].source; }
    }
  }
  free(forms);
  qsort(b, m, sizeof *b, cmp_count_desc);
  *n = m;
  return b;
}

static int in_list(const char *const *l, size_t n, const char *k) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(l[i], k)) return 1;
  return 0;
}

/* Do `got` (a terms result) and want[0..n) agree, with the top `size`
** shown and the rest summed? */
static void same_terms(const char *what, const json_t *got, const bucket *want, size_t n, size_t size, uint64_t other) {
  const json_t *bs = json_object_get(got, "buckets");
  size_t shown = n < size ? n : size;
  uint64_t sum = other;
  for (size_t i = shown; i < n; i++) sum += want[i].n;
  CHECK(json_is_array(bs) && json_array_size(bs) == shown, "%s: %zu buckets, want %zu", what, json_array_size(bs), shown);
  CHECK(json_integer_value(json_object_get(got, "sum_other_doc_count")) == (json_int_t)sum,
        "%s: sum_other_doc_count %lld, want %llu", what, json_integer_value(json_object_get(got, "sum_other_doc_count")),
        (unsigned long long)sum);
  CHECK(json_integer_value(json_object_get(got, "doc_count_error_upper_bound")) == 0 &&
        json_object_get(got, "doc_count_error_upper_bound"), "%s: doc_count_error_upper_bound", what);
  for (size_t i = 0; i < shown && i < json_array_size(bs); i++) {
    const json_t *b = json_array_get(bs, i);
    const char *k = json_string_value(json_object_get(b, "key"));
    json_int_t c = json_integer_value(json_object_get(b, "doc_count"));
    CHECK(k && !strcmp(k, want[i].key) && c == (json_int_t)want[i].n, "%s: bucket %zu is %s %lld, want %s %llu", what, i,
          k ? k : "(none)", c, want[i].key, (unsigned long long)want[i].n);
  }
}

static void check_source_terms(nd_index *ix, const char *q) {
  size_t n;
  bucket *want = source_counts(&n, NULL, NULL);
  json_t *out = aggs_of(ix, q,
    "{\"all\": {\"terms\": {\"field\": \"source\", \"size\": 10000}},"
    " \"top5\": {\"terms\": {\"field\": \"source.keyword\", \"size\": 5}},"
    " \"top\": {\"terms\": {\"field\": \"source\"}},"
    " \"bykey\": {\"terms\": {\"field\": \"source\", \"size\": 7, \"order\": {\"_key\": \"desc\"}}},"
    " \"rare\": {\"terms\": {\"field\": \"source\", \"size\": 4, \"order\": [{\"_count\": \"asc\"}]}},"
    " \"big\": {\"terms\": {\"field\": \"source\", \"size\": 3, \"min_doc_count\": 20}}}");
  char what[300];
  snprintf(what, sizeof what, "[%s] terms source", q);
  same_terms(what, json_object_get(out, "all"), want, n, 10000, 0);
  same_terms(what, json_object_get(out, "top5"), want, n, 5, 0);
  same_terms(what, json_object_get(out, "top"), want, n, 10, 0);
  bucket *w = xmalloc((n + 1) * sizeof *w);
  memcpy(w, want, n * sizeof *w);
  qsort(w, n, sizeof *w, cmp_key_desc);
  same_terms(what, json_object_get(out, "bykey"), w, n, 7, 0);
  memcpy(w, want, n * sizeof *w);
  qsort(w, n, sizeof *w, cmp_count_asc);
  same_terms(what, json_object_get(out, "rare"), w, n, 4, 0);
  size_t big = 0; /* min_doc_count 20: the smaller keys still count in sum_other_doc_count */
  uint64_t small = 0;
  for (size_t i = 0; i < n; i++) {
    if (want[i].n >= 20) w[big++] = want[i];
    else small += want[i].n;
  }
  same_terms(what, json_object_get(out, "big"), w, big, 3, small);
  json_decref(out);
  /* include / exclude: exact values */
  if (n >= 3) {
    json_t *req = json_pack("{s:{s:{s:s, s:[s,s,s]}}, s:{s:{s:s, s:[s], s:i}}}",
                            "inc", "terms", "field", "source", "include", want[0].key, want[2].key, "No Such Source",
                            "exc", "terms", "field", "source", "exclude", want[0].key, "size", 10000);
    char *s = json_dumps(req, 0);
    out = aggs_of(ix, q, s);
    bucket inc[2] = {want[0], want[2]};
    const char *ex[] = {want[0].key};
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
      if (!in_list(ex, 1, want[i].key)) w[m++] = want[i];
    same_terms("include", json_object_get(out, "inc"), inc, 2, 10, 0);
    same_terms("exclude", json_object_get(out, "exc"), w, m, 10000, 0);
    json_decref(out);
    free(s);
    json_decref(req);
  }
  free(w);
  free(want);
}

/* ---- expected histograms --------------------------------------------------- */

enum { H_DAY, H_WEEK, H_MONTH, H_QUARTER, H_YEAR, H_7D };

static int64_t fdiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/* The start of the period holding t, and of the next one (seconds). */
static int64_t period_start(int unit, int64_t t) {
  time_t tt = (time_t)t;
  struct tm tm;
  gmtime_r(&tt, &tm);
  int64_t day = fdiv(t, 86400) * 86400;
  switch (unit) {
  case H_DAY: return day;
  case H_WEEK: return day - (int64_t)((tm.tm_wday + 6) % 7) * 86400;
  case H_7D: return fdiv(t, 7 * 86400) * 7 * 86400;
  default: break;
  }
  struct tm s = {.tm_year = tm.tm_year, .tm_mon = unit == H_MONTH ? tm.tm_mon : unit == H_QUARTER ? tm.tm_mon / 3 * 3 : 0,
                 .tm_mday = 1};
  return (int64_t)timegm(&s);
}

static int64_t period_next(int unit, int64_t start) {
  if (unit == H_DAY) return start + 86400;
  if (unit == H_WEEK || unit == H_7D) return start + 7 * 86400;
  time_t tt = (time_t)start;
  struct tm tm;
  gmtime_r(&tt, &tm);
  struct tm s = {.tm_year = tm.tm_year + (unit == H_YEAR), .tm_mon = tm.tm_mon + (unit == H_MONTH) + 3 * (unit == H_QUARTER),
                 .tm_mday = 1};
  return (int64_t)timegm(&s);
}

static int cmp_i64(const void *x, const void *y) {
  int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
  return (a > b) - (a < b);
}

/* The periods of the marked dated articles (passing `also`), from lo to hi
** (seconds; lo > hi: from the first to the last) with empty ones when
** `fill`.  *n buckets, ms keys. */
static bucket *periods(int unit, int fill, int64_t lo, int64_t hi, size_t *n, int (*also)(const art *, const void *),
                       const void *arg) {
  int64_t *s = xmalloc((narts + 1) * sizeof *s);
  size_t m = 0;
  for (size_t i = 0; i < narts; i++)
    if (arts[i].in && arts[i].dated && (!also || also(&arts[i], arg))) s[m++] = period_start(unit, arts[i].secs);
  qsort(s, m, sizeof *s, cmp_i64);
  if (lo > hi && !m) { free(s); *n = 0; return NULL; }
  if (lo > hi) { lo = s[0]; hi = s[m - 1]; }
  else {
    lo = period_start(unit, lo) < (m ? s[0] : INT64_MAX) ? period_start(unit, lo) : s[0];
    hi = period_start(unit, hi) > (m ? s[m - 1] : INT64_MIN) ? period_start(unit, hi) : s[m - 1];
  }
  size_t cap = 64, k = 0, j = 0;
  bucket *b = xmalloc(cap * sizeof *b);
  for (int64_t p = lo; p <= hi; p = period_next(unit, p)) {
    uint64_t c = 0;
    while (j < m && s[j] == p) { c++; j++; }
    if (!c && !fill) continue;
    if (k == cap) b = xrealloc(b, (cap *= 2) * sizeof *b);
    b[k++] = (bucket){NULL, p * 1000, c};
  }
  free(s);
  *n = k;
  return b;
}

static void iso_ms(int64_t ms, char *out, size_t cap) {
  time_t t = (time_t)fdiv(ms, 1000);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, cap, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf(out + strlen(out), cap - strlen(out), ".%03dZ", (int)(ms - fdiv(ms, 1000) * 1000));
}

/* key_as_string forms: ES's default, yyyy-MM, yyyy, yyyy-MM-dd. */
enum { F_ISO, F_MONTH, F_YEAR, F_DAY };

static void same_histogram(const char *what, const json_t *got, const bucket *want, size_t n, int form) {
  const json_t *bs = json_object_get(got, "buckets");
  CHECK(json_is_array(bs) && json_array_size(bs) == n, "%s: %zu buckets, want %zu", what, json_array_size(bs), n);
  for (size_t i = 0; i < n && i < json_array_size(bs); i++) {
    const json_t *b = json_array_get(bs, i);
    json_int_t key = json_integer_value(json_object_get(b, "key")), c = json_integer_value(json_object_get(b, "doc_count"));
    const char *ks = json_string_value(json_object_get(b, "key_as_string"));
    char want_ks[64];
    time_t t = (time_t)fdiv(want[i].ms, 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    switch (form) {
    case F_MONTH: strftime(want_ks, sizeof want_ks, "%Y-%m", &tm); break;
    case F_YEAR: strftime(want_ks, sizeof want_ks, "%Y", &tm); break;
    case F_DAY: strftime(want_ks, sizeof want_ks, "%Y-%m-%d", &tm); break;
    default: iso_ms(want[i].ms, want_ks, sizeof want_ks);
    }
    CHECK(key == want[i].ms && c == (json_int_t)want[i].n && ks && !strcmp(ks, want_ks),
          "%s: bucket %zu is %lld (%s) %lld, want %lld (%s) %llu", what, i, key, ks ? ks : "-", c,
          (long long)want[i].ms, want_ks, (unsigned long long)want[i].n);
  }
}

static void check_histograms(nd_index *ix, const char *q) {
  static const struct { const char *name, *json; int unit; } H[] = {
    {"day", "{\"calendar_interval\": \"day\"}", H_DAY},
    {"week", "{\"calendar_interval\": \"1w\"}", H_WEEK},
    {"month", "{\"calendar_interval\": \"month\"}", H_MONTH},
    {"quarter", "{\"calendar_interval\": \"1q\"}", H_QUARTER},
    {"year", "{\"calendar_interval\": \"year\"}", H_YEAR},
    {"fixed7d", "{\"fixed_interval\": \"7d\"}", H_7D},
    {"fixed24h", "{\"fixed_interval\": \"24h\"}", H_DAY},
    {"legacy", "{\"interval\": \"1M\"}", H_MONTH},
  };
  char json[400], what[300];
  for (size_t i = 0; i < sizeof H / sizeof *H; i++) {
    /* the interval object, with the field, and min_doc_count 1 beside */
    char body[200];
    snprintf(body, sizeof body, "%.*s, \"field\": \"date\"}", (int)strlen(H[i].json) - 1, H[i].json);
    snprintf(json, sizeof json, "{\"h\": {\"date_histogram\": %s}, \"h1\": {\"date_histogram\": %.*s, \"min_doc_count\": 1}}}",
             body, (int)strlen(body) - 1, body);
    json_t *out = aggs_of(ix, q, json);
    size_t n;
    bucket *want = periods(H[i].unit, 1, 1, 0, &n, NULL, NULL);
    snprintf(what, sizeof what, "[%s] date_histogram %s", q, H[i].name);
    same_histogram(what, json_object_get(out, "h"), want, n, F_ISO);
    free(want);
    want = periods(H[i].unit, 0, 1, 0, &n, NULL, NULL);
    same_histogram(what, json_object_get(out, "h1"), want, n, F_ISO);
    free(want);
    json_decref(out);
  }
  /* formats, @timestamp, extended and hard bounds */
  json_t *out = aggs_of(ix, q,
    "{\"d\": {\"date_histogram\": {\"field\": \"@timestamp\", \"calendar_interval\": \"month\", \"format\": \"yyyy-MM\","
    "  \"min_doc_count\": 1}},"
    " \"x\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"year\", \"format\": \"yyyy\","
    "  \"extended_bounds\": {\"min\": \"1950-06-01\", \"max\": \"2040\"}}},"
    " \"h\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"year\", \"format\": \"yyyy-MM-dd\","
    "  \"hard_bounds\": {\"min\": \"1995-01-01\", \"max\": \"2005-01-01\"}, \"time_zone\": \"UTC\"}}}");
  size_t n;
  bucket *want = periods(H_MONTH, 0, 1, 0, &n, NULL, NULL);
  same_histogram("format yyyy-MM", json_object_get(out, "d"), want, n, F_MONTH);
  free(want);
  int64_t from, to;
  parse_when("1950-06-01", &from);
  parse_when("2040-01-01", &to);
  want = periods(H_YEAR, 1, from, to, &n, NULL, NULL);
  same_histogram("extended_bounds", json_object_get(out, "x"), want, n, F_YEAR);
  free(want);
  want = periods(H_YEAR, 1, 1, 0, &n, NULL, NULL);
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (want[i].ms >= INT64_C(788918400000) && want[i].ms < INT64_C(1104537600000)) want[m++] = want[i];
  same_histogram("hard_bounds", json_object_get(out, "h"), want, m, F_DAY);
  free(want);
  json_decref(out);
  /* orders: by count (ties: older first), newest first */
  out = aggs_of(ix, q,
    "{\"c\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"year\", \"order\": {\"_count\": \"desc\"}}},"
    " \"k\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"month\", \"min_doc_count\": 1,"
    "  \"order\": [{\"_key\": \"desc\"}]}}}");
  want = periods(H_YEAR, 1, 1, 0, &n, NULL, NULL);
  for (size_t i = 1; i < n; i++) /* insertion sort: stable, so equal counts stay oldest first */
    for (size_t j = i; j > 0 && want[j].n > want[j - 1].n; j--) { bucket t = want[j]; want[j] = want[j - 1]; want[j - 1] = t; }
  same_histogram("order _count desc", json_object_get(out, "c"), want, n, F_ISO);
  free(want);
  want = periods(H_MONTH, 0, 1, 0, &n, NULL, NULL);
  for (size_t i = 0; i < n / 2; i++) { bucket t = want[i]; want[i] = want[n - 1 - i]; want[n - 1 - i] = t; }
  same_histogram("order _key desc", json_object_get(out, "k"), want, n, F_ISO);
  free(want);
  json_decref(out);
}

/* ---- min, max, counts ----------------------------------------------------- */

static void check_metrics(nd_index *ix, const char *q, size_t base) {
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  size_t dated = 0, with_source = 0, n;
  for (size_t i = 0; i < narts; i++) {
    if (!arts[i].in) continue;
    with_source += arts[i].fold != NULL;
    if (!arts[i].dated) continue;
    dated++;
    if (arts[i].secs < lo) lo = arts[i].secs;
    if (arts[i].secs > hi) hi = arts[i].secs;
  }
  free(source_counts(&n, NULL, NULL));
  json_t *out = aggs_of(ix, q,
    "{\"mn\": {\"min\": {\"field\": \"date\"}}, \"mx\": {\"max\": {\"field\": \"@timestamp\"}},"
    " \"mxd\": {\"max\": {\"field\": \"date\", \"format\": \"yyyy-MM-dd\"}},"
    " \"ids\": {\"value_count\": {\"field\": \"_id\"}}, \"dates\": {\"value_count\": {\"field\": \"date\"}},"
    " \"srcs\": {\"value_count\": {\"field\": \"source\"}}, \"card\": {\"cardinality\": {\"field\": \"source\"}},"
    " \"cid\": {\"cardinality\": {\"field\": \"_id\", \"precision_threshold\": 100}}}");
  const json_t *mn = json_object_get(out, "mn"), *mx = json_object_get(out, "mx"), *mxd = json_object_get(out, "mxd");
  if (!dated) {
    CHECK(json_is_null(json_object_get(mn, "value")) && json_is_null(json_object_get(mx, "value")), "[%s]: min/max of nothing", q);
  } else {
    char a[40], b[40], c[16];
    iso_ms(lo * 1000, a, sizeof a);
    iso_ms(hi * 1000, b, sizeof b);
    snprintf(c, sizeof c, "%.10s", b);
    CHECK(json_integer_value(json_object_get(mn, "value")) == lo * 1000 &&
          !strcmp(json_string_value(json_object_get(mn, "value_as_string")), a),
          "[%s] min: %lld %s, want %lld %s", q, json_integer_value(json_object_get(mn, "value")),
          json_string_value(json_object_get(mn, "value_as_string")), (long long)lo * 1000, a);
    CHECK(json_integer_value(json_object_get(mx, "value")) == hi * 1000 &&
          !strcmp(json_string_value(json_object_get(mx, "value_as_string")), b),
          "[%s] max: %lld %s, want %lld %s", q, json_integer_value(json_object_get(mx, "value")),
          json_string_value(json_object_get(mx, "value_as_string")), (long long)hi * 1000, b);
    CHECK(!strcmp(json_string_value(json_object_get(mxd, "value_as_string")), c), "[%s] max as yyyy-MM-dd", q);
  }
  struct { const char *name; size_t want; } V[] = {{"ids", base}, {"dates", dated}, {"srcs", with_source}, {"card", n}, {"cid", base}};
  for (size_t i = 0; i < sizeof V / sizeof *V; i++)
    CHECK(json_integer_value(json_object_get(json_object_get(out, V[i].name), "value")) == (json_int_t)V[i].want,
          "[%s] %s: %lld, want %zu", q, V[i].name, json_integer_value(json_object_get(json_object_get(out, V[i].name), "value")),
          V[i].want);
  json_decref(out);
}

/* ---- filters and sub-aggregations ------------------------------------------ */

static int from_source(const art *a, const void *fold_key) { return a->fold && !strcmp(a->fold, fold_key); }
static int in_range(const art *a, const void *r) {
  const int64_t *b = r;
  return a->dated && a->secs >= b[0] && a->secs < b[1];
}

static void check_filters(nd_index *ix, const char *q) {
  size_t n, m;
  bucket *src = source_counts(&n, NULL, NULL);
  if (!n) { free(src); return; }
  char *key0 = fold(src[0].key);
  json_t *term = json_pack("{s:{s:s}}", "term", "source", src[0].key);
  json_t *rq = json_pack("{s:{s:{s:s, s:s}}}", "range", "date", "gte", "2000-01-01", "lt", "2005-01-01");
  json_t *old = json_pack("{s:{s:{s:s, s:s}}}", "range", "date", "gte", "1000-01-01", "lt", "2000-01-01");
  json_t *req = json_pack("{s:{s:O, s:{s:{s:{s:s, s:s, s:i}}}}, s:{s:o, s:{s:{s:{s:s, s:i}}}}, s:{s:{s:{s:o, s:o}, s:b}}}",
                          "f", "filter", term, "aggs", "y", "date_histogram", "field", "date", "calendar_interval", "year",
                          "min_doc_count", 1,
                          "r", "filter", rq, "aggs", "s", "terms", "field", "source", "size", 10000,
                          "fs", "filters", "filters", "src", term, "early", old, "other_bucket", 1);
  if (!req) TEST_FAIL_("json_pack");
  char *s = json_dumps(req, 0);
  json_t *out = aggs_of(ix, q, s);
  /* f */
  const json_t *f = json_object_get(out, "f");
  CHECK(json_integer_value(json_object_get(f, "doc_count")) == (json_int_t)src[0].n, "[%s] filter source: %lld, want %llu",
        q, json_integer_value(json_object_get(f, "doc_count")), (unsigned long long)src[0].n);
  bucket *want = periods(H_YEAR, 0, 1, 0, &m, from_source, key0);
  same_histogram("filter > date_histogram", json_object_get(f, "y"), want, m, F_ISO);
  free(want);
  /* r */
  int64_t range[2] = {946684800, 1104537600}, early[2] = {-30610224000, 946684800};
  size_t inr = 0, ine = 0, both = 0, total = 0;
  for (size_t i = 0; i < narts; i++) {
    if (!arts[i].in) continue;
    total++;
    inr += in_range(&arts[i], range);
    ine += in_range(&arts[i], early);
    both += in_range(&arts[i], early) || from_source(&arts[i], key0);
  }
  const json_t *r = json_object_get(out, "r");
  CHECK(json_integer_value(json_object_get(r, "doc_count")) == (json_int_t)inr, "[%s] filter range: %lld, want %zu", q,
        json_integer_value(json_object_get(r, "doc_count")), inr);
  for (size_t i = 0; i < narts; i++) arts[i].in = arts[i].in && in_range(&arts[i], range); /* narrowed for a while */
  bucket *sr = source_counts(&m, NULL, NULL);
  same_terms("filter > terms", json_object_get(r, "s"), sr, m, 10000, 0);
  free(sr);
  mark_base(ix, q);
  /* fs: keyed, in key order, the other bucket last */
  const json_t *b = json_object_get(json_object_get(out, "fs"), "buckets");
  const char *k1 = NULL, *k2 = NULL, *k3 = NULL;
  void *it = json_object_iter((json_t *)b);
  if (it) { k1 = json_object_iter_key(it); it = json_object_iter_next((json_t *)b, it); }
  if (it) { k2 = json_object_iter_key(it); it = json_object_iter_next((json_t *)b, it); }
  if (it) k3 = json_object_iter_key(it);
  CHECK(k1 && k2 && k3 && !strcmp(k1, "early") && !strcmp(k2, "src") && !strcmp(k3, "_other_"), "[%s] filters: keys", q);
  CHECK(json_integer_value(json_object_get(json_object_get(b, "src"), "doc_count")) == (json_int_t)src[0].n &&
        json_integer_value(json_object_get(json_object_get(b, "early"), "doc_count")) == (json_int_t)ine &&
        json_integer_value(json_object_get(json_object_get(b, "_other_"), "doc_count")) == (json_int_t)(total - both),
        "[%s] filters: counts", q);
  json_decref(out);
  free(s);
  json_decref(req);
  free(key0);
  free(src);
}

typedef struct year_src { int64_t lo, hi; const char *fold; } year_src;
static int in_year(const art *a, const void *p) {
  const year_src *y = p;
  return a->dated && a->secs >= y->lo && a->secs < y->hi;
}

static void check_sub_aggs(nd_index *ix, const char *q) {
  json_t *out = aggs_of(ix, q,
    "{\"t\": {\"terms\": {\"field\": \"source\", \"size\": 3}, \"meta\": {\"color\": \"blue\"},"
    "  \"aggs\": {\"y\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"year\"}},"
    "            \"n\": {\"value_count\": {\"field\": \"_id\"}}, \"mn\": {\"min\": {\"field\": \"date\"}}}},"
    " \"h\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"year\", \"min_doc_count\": 1},"
    "  \"aggs\": {\"s\": {\"terms\": {\"field\": \"source\", \"size\": 1000}}}}}");
  const json_t *t = json_object_get(out, "t");
  json_t *meta = json_pack("{s:s}", "color", "blue");
  CHECK(json_equal(json_object_get(t, "meta"), meta), "[%s] meta not echoed", q);
  json_decref(meta);
  size_t n, m, i;
  bucket *src = source_counts(&n, NULL, NULL);
  json_t *b;
  json_array_foreach(json_object_get(t, "buckets"), i, b) {
    if (i >= n) break;
    char *fk = fold(src[i].key);
    bucket *want = periods(H_YEAR, 1, 1, 0, &m, from_source, fk);
    same_histogram("terms > date_histogram", json_object_get(b, "y"), want, m, F_ISO);
    free(want);
    CHECK(json_integer_value(json_object_get(json_object_get(b, "n"), "value")) == (json_int_t)src[i].n,
          "terms > value_count: %s", src[i].key);
    int64_t lo = INT64_MAX;
    for (size_t k = 0; k < narts; k++)
      if (arts[k].in && arts[k].dated && from_source(&arts[k], fk) && arts[k].secs < lo) lo = arts[k].secs;
    const json_t *mn = json_object_get(json_object_get(b, "mn"), "value");
    CHECK(lo == INT64_MAX ? json_is_null(mn) : json_integer_value(mn) == lo * 1000, "terms > min: %s", src[i].key);
    free(fk);
  }
  free(src);
  /* years, each with its sources */
  bucket *years = periods(H_YEAR, 0, 1, 0, &m, NULL, NULL);
  const json_t *hb = json_object_get(json_object_get(out, "h"), "buckets");
  CHECK(json_array_size(hb) == m, "[%s] years: %zu, want %zu", q, json_array_size(hb), m);
  for (i = 0; i < m && i < json_array_size(hb); i++) {
    year_src y = {years[i].ms / 1000, period_next(H_YEAR, years[i].ms / 1000), NULL};
    for (size_t k = 0; k < narts; k++) arts[k].in = arts[k].in && in_year(&arts[k], &y);
    bucket *s = source_counts(&n, NULL, NULL);
    same_terms("date_histogram > terms", json_object_get(json_array_get(hb, i), "s"), s, n, 1000, 0);
    free(s);
    mark_base(ix, q);
  }
  free(years);
  json_decref(out);
}

/* ---- topic fields: consistency ---------------------------------------------- */

static void check_topics(nd_index *ix, const char *q, size_t base) {
  static const char *const F[][2] = {{"people", "person"}, {"organisations", "org"}, {"organizations", "org"},
                                     {"places", "place"}, {"topics", "topic"}};
  for (size_t f = 0; f < sizeof F / sizeof *F; f++) {
    char json[600];
    snprintf(json, sizeof json,
             "{\"all\": {\"terms\": {\"field\": \"%s\", \"size\": 10000}}, \"top\": {\"terms\": {\"field\": \"%s\", \"size\": 3},"
             " \"aggs\": {\"n\": {\"value_count\": {\"field\": \"_id\"}}}},"
             " \"vc\": {\"value_count\": {\"field\": \"%s\"}}, \"card\": {\"cardinality\": {\"field\": \"%s\"}}}",
             F[f][0], F[f][0], F[f][0], F[f][0]);
    json_t *out = aggs_of(ix, q, json);
    const json_t *all = json_object_get(json_object_get(out, "all"), "buckets"), *b;
    const json_t *top = json_object_get(out, "top");
    uint64_t sum = 0;
    size_t i;
    json_array_foreach(all, i, b) {
      const char *key = json_string_value(json_object_get(b, "key"));
      json_int_t c = json_integer_value(json_object_get(b, "doc_count"));
      sum += (uint64_t)c;
      CHECK(c > 0 && c <= (json_int_t)base, "[%s] %s %s: %lld", q, F[f][0], key, c);
      if (i && c > json_integer_value(json_object_get(json_array_get(all, i - 1), "doc_count")))
        CHECK(0, "[%s] %s: bucket %zu out of order", q, F[f][0], i);
      if (i >= 25) continue; /* enough searches */
      char *clause = xmalloc(strlen(q) + strlen(key) + 32), *k2 = xstrdup(key);
      for (char *p = k2; *p; p++)
        if (*p == '"') *p = ' '; /* as the bucket's filter blanks them */
      sprintf(clause, "(%s) %s:\"%s\"", q, F[f][1], k2);
      free(k2);
      uint64_t want = count_of(ix, clause);
      CHECK((json_int_t)want == c, "[%s] %s %s: doc_count %lld, search [%s] %llu", q, F[f][0], key, c, clause,
            (unsigned long long)want);
      free(clause);
    }
    CHECK(json_integer_value(json_object_get(json_object_get(out, "all"), "sum_other_doc_count")) == 0, "all: sum_other");
    uint64_t top_sum = 0;
    json_array_foreach(json_object_get(top, "buckets"), i, b) {
      top_sum += (uint64_t)json_integer_value(json_object_get(b, "doc_count"));
      CHECK(json_equal(json_object_get(b, "doc_count"), json_object_get(json_object_get(b, "n"), "value")),
            "[%s] %s: a bucket's sub-aggregation counts %lld, the bucket %lld", q, F[f][0],
            json_integer_value(json_object_get(json_object_get(b, "n"), "value")), json_integer_value(json_object_get(b, "doc_count")));
    }
    CHECK(json_integer_value(json_object_get(top, "sum_other_doc_count")) == (json_int_t)(sum - top_sum),
          "[%s] %s: sum_other_doc_count %lld, want %llu", q, F[f][0], json_integer_value(json_object_get(top, "sum_other_doc_count")),
          (unsigned long long)(sum - top_sum));
    CHECK(json_integer_value(json_object_get(json_object_get(out, "vc"), "value")) == (json_int_t)sum, "[%s] %s value_count", q, F[f][0]);
    CHECK(json_integer_value(json_object_get(json_object_get(out, "card"), "value")) == (json_int_t)json_array_size(all),
          "[%s] %s cardinality", q, F[f][0]);
    json_decref(out);
  }
}

/* ---- the corpora -------------------------------------------------------------- */

static void check_query(nd_index *ix, const char *q) {
  size_t base = mark_base(ix, q);
  fprintf(stderr, "  [%s]: %zu articles\n", q, base);
  check_source_terms(ix, q);
  check_histograms(ix, q);
  check_metrics(ix, q, base);
  check_filters(ix, q);
  check_sub_aggs(ix, q);
  check_topics(ix, q, base);
}

static void run_corpus(const char *path, const char *const *queries, size_t nq) {
  char dir[] = "/tmp/nd-es-aggs-XXXXXX";
  nd_index *ix = archive_of(dir, path);
  if (!ix) { forget(); rm_rf(dir); TEST_FAIL_("cannot build the archive of %s in %s", path, dir); }
  bad = 0;
  for (size_t i = 0; i < nq; i++) check_query(ix, queries[i]);
  nd_search_options so = {.count = ND_COUNT_ONLY};
  nd_results *r = NULL;
  if (nd_search(ix, "*", &so, &r) == 0) check_query(ix, "*"); /* match-all, once the parser has it */
  else fprintf(stderr, "  (no match-all query \"*\" yet: not checked)\n");
  nd_results_free(r);
  nd_close(ix);
  rm_rf(dir);
  forget();
  ASSERT_EQ_INT(bad, 0);
}

static void test_fixtures(void) {
  char a[1024];
  static const char *const Q[] = {"date:1900..2100", "said", "source:\"Harbour Times\"", "minister OR council", "zzzqqqzzz"};
  run_corpus(test_fixture(a, sizeof a, "news.jsonl"), Q, sizeof Q / sizeof *Q);
}

static void test_news_sample(void) {
  char a[1024];
  TEST_REAL_DATA_OR_SKIP(a, "news/sample-1000.jsonl");
  static const char *const Q[] = {"date:1900..2100", "said", "source:Reuters", "trump OR obama"};
  run_corpus(a, Q, sizeof Q / sizeof *Q);
}

/* ---- refusals ----------------------------------------------------------------- */

static void test_refusals(void) {
  static const struct { const char *aggs, *reason; } R[] = {
    {"{\"a\": {\"avg\": {\"field\": \"date\"}}}", "aggregation type [avg] is not supported by newsdex"},
    {"{\"a\": {\"sum\": {\"field\": \"date\"}}}", "[sum]"},
    {"{\"a\": {\"stats\": {\"field\": \"date\"}}}", "[stats]"},
    {"{\"a\": {\"percentiles\": {\"field\": \"date\"}}}", "[percentiles]"},
    {"{\"a\": {\"significant_terms\": {\"field\": \"source\"}}}", "[significant_terms]"},
    {"{\"a\": {\"composite\": {\"sources\": []}}}", "[composite]"},
    {"{\"a\": {\"nested\": {\"path\": \"x\"}}}", "[nested]"},
    {"{\"a\": {\"range\": {\"field\": \"date\", \"ranges\": []}}}", "[range]"},
    {"{\"a\": {\"histogram\": {\"field\": \"date\", \"interval\": 10}}}", "[histogram]"},
    {"{\"a\": {\"top_hits\": {}}}", "[top_hits]"},
    {"{\"myterms\": {\"terms\": {\"field\": \"nosuch\"}}}", "field [nosuch] of aggregation [myterms]"},
    {"{\"t\": {\"terms\": {\"field\": \"title\"}}}", "[title]"},
    {"{\"t\": {\"terms\": {\"field\": \"date\"}}}", "field [date] of terms aggregation [t]"},
    {"{\"t\": {\"terms\": {\"field\": \"source\", \"missing\": \"none\"}}}", "[missing]"},
    {"{\"t\": {\"terms\": {\"field\": \"source\", \"include\": \"Reu.*\"}}}", "[include]"},
    {"{\"t\": {\"terms\": {\"field\": \"source\", \"size\": 0}}}", "[size]"},
    {"{\"t\": {\"terms\": {\"field\": \"source\", \"size\": 100000}}}", "[size]"},
    {"{\"t\": {\"terms\": {\"field\": \"source\", \"min_doc_count\": 0}}}", "[min_doc_count]"},
    {"{\"t\": {\"terms\": {\"field\": \"source\", \"order\": {\"n\": \"desc\"}}}}", "by [n]"},
    {"{\"t\": {\"terms\": {\"field\": \"source\", \"bogus\": 1}}}", "unknown field [bogus]"},
    {"{\"t\": {\"terms\": {}}}", "Required [field]"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"hour\"}}}", "interval [hour] of date_histogram [h]"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"1m\"}}}", "interval [1m]"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"2d\"}}}", "[2d] could not be parsed as a calendar interval"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"date\", \"fixed_interval\": \"90m\"}}}", "interval [90m]"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"date\", \"fixed_interval\": \"1w\"}}}", "[1w]"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"date\", \"fixed_interval\": \"1M\"}}}", "[1M]"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"date\"}}}", "Invalid interval"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"day\", \"fixed_interval\": \"1d\"}}}", "cannot be combined"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"source\", \"calendar_interval\": \"day\"}}}", "field [source] of date_histogram [h]"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"day\", \"time_zone\": \"Europe/Paris\"}}}", "time_zone [Europe/Paris]"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"day\", \"format\": \"dd/MM/yyyy\"}}}", "format [dd/MM/yyyy]"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"day\", \"offset\": \"+6h\"}}}", "[offset]"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"day\", \"order\": {\"x\": \"asc\"}}}}", "by [x]"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"day\", \"extended_bounds\": {\"min\": \"2005\", \"max\": \"2004\"}}}}", "cannot be greater than"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"day\", \"extended_bounds\": {\"min\": \"2000\"}, \"hard_bounds\": {\"min\": \"2001\"}}}}", "inside hard bounds"},
    {"{\"m\": {\"min\": {\"field\": \"source\"}}}", "field [source] of min aggregation [m]"},
    {"{\"m\": {\"max\": {\"field\": \"date\"}, \"aggs\": {\"x\": {\"min\": {\"field\": \"date\"}}}}}", "cannot accept sub-aggregations"},
    {"{\"c\": {\"cardinality\": {\"field\": \"date\"}}}", "cardinality of [date]"},
    {"{\"a\": {\"terms\": {\"field\": \"source\"}, \"max\": {\"field\": \"date\"}}}", "two aggregation type definitions"},
    {"{\"a\": {}}", "Missing definition"},
    {"{\"a[1]\": {\"max\": {\"field\": \"date\"}}}", "Invalid aggregation name"},
    {"{\"f\": {\"filters\": {\"filters\": 3}}}", "[filters]"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"year\", \"extended_bounds\": {\"min\": -99999999999999999}}}}", "outside the years"},
    {"{\"f\": {\"filter\": {\"match_all\": {}}, \"aggs\": {\"a\": {\"avg\": {\"field\": \"date\"}}}}}", "[avg]"},
  };
  char dir[] = "/tmp/nd-es-aggs-XXXXXX", a[1024];
  nd_index *ix = archive_of(dir, test_fixture(a, sizeof a, "news.jsonl"));
  if (!ix) { forget(); rm_rf(dir); TEST_FAIL_("cannot build the archive in %s", dir); }
  bad = 0;
  for (size_t i = 0; i < sizeof R / sizeof *R; i++) {
    es_err e;
    json_t *out = aggs_or_error(ix, "date:1900..2100", R[i].aggs, &e);
    CHECK(!out && e.status == 400 && strstr(e.reason, R[i].reason), "%s: %s (%u %s: %s)", R[i].aggs,
          out ? "answered" : "refused otherwise", e.status, e.type, e.reason);
    json_decref(out);
  }
  /* limits: 101 aggregations; 33 levels; the work of sub-aggregations; buckets */
  char *many = xmalloc(101 * 64 + 16), *p = many;
  p += sprintf(p, "{");
  for (int i = 0; i < 101; i++) p += sprintf(p, "%s\"a%d\": {\"max\": {\"field\": \"date\"}}", i ? "," : "", i);
  sprintf(p, "}");
  char *deep = xmalloc(33 * 64 + 64), *d = deep;
  for (int i = 0; i < 33; i++) d += sprintf(d, "{\"f%d\": {\"filter\": {\"match_all\": {}}, \"aggs\": ", i);
  d += sprintf(d, "{}");
  for (int i = 0; i < 33; i++) d += sprintf(d, "}}");
  const struct { const char *aggs, *reason, *type; } L[] = {
    {many, "more than 100 aggregations", "illegal_argument_exception"},
    {deep, "nested more than 32", "illegal_argument_exception"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"day\", \"min_doc_count\": 1},"
     " \"aggs\": {\"n\": {\"value_count\": {\"field\": \"_id\"}}}}}", "searches", "illegal_argument_exception"},
    {"{\"h\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"day\","
     " \"extended_bounds\": {\"min\": \"1000-01-01\", \"max\": \"9000-01-01\"}}}}", "too many buckets", "too_many_buckets_exception"},
  };
  for (size_t i = 0; i < sizeof L / sizeof *L; i++) {
    es_err e;
    json_t *out = aggs_or_error(ix, "date:1900..2100", L[i].aggs, &e);
    CHECK(!out && e.status == 400 && strstr(e.reason, L[i].reason) && !strcmp(e.type, L[i].type), "limit %zu: %u %s: %s",
          i, e.status, e.type, e.reason);
    json_decref(out);
  }
  free(many);
  free(deep);
  nd_close(ix);
  rm_rf(dir);
  forget();
  ASSERT_EQ_INT(bad, 0);
}

/* The shapes of ES's answers, on a small request. */
static void test_shapes(void) {
  char dir[] = "/tmp/nd-es-aggs-XXXXXX", a[1024];
  nd_index *ix = archive_of(dir, test_fixture(a, sizeof a, "news.jsonl"));
  if (!ix) { forget(); rm_rf(dir); TEST_FAIL_("cannot build the archive in %s", dir); }
  bad = 0;
  json_t *out = aggs_of(ix, "date:2004",
    "{\"k\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"quarter\", \"keyed\": true,"
    "  \"format\": \"yyyy-MM-dd\", \"min_doc_count\": 0}},"
    " \"t\": {\"terms\": {\"field\": \"source\", \"size\": 2, \"show_term_doc_count_error\": true}},"
    " \"anon\": {\"filters\": {\"filters\": [{\"match_all\": {}}, {\"term\": {\"source\": \"No Such Source\"}}],"
    "  \"other_bucket\": true}},"
    " \"named\": {\"filters\": {\"filters\": {\"b\": {\"match_all\": {}}, \"a\": {\"match_all\": {}}}, \"keyed\": false}},"
    " \"none\": {\"filter\": {\"term\": {\"source\": \"No Such Source\"}},"
    "  \"aggs\": {\"mn\": {\"min\": {\"field\": \"date\"}}, \"t\": {\"terms\": {\"field\": \"people\"}},"
    "   \"h\": {\"date_histogram\": {\"field\": \"date\", \"calendar_interval\": \"year\","
    "    \"extended_bounds\": {\"min\": \"2001\", \"max\": \"2002\"}}}}}}");
  uint64_t n2004 = count_of(ix, "date:2004");
  const json_t *k = json_object_get(json_object_get(out, "k"), "buckets");
  CHECK(json_is_object(k) && json_object_size(k) == 4, "keyed quarters: %zu", json_object_size(k));
  const json_t *q3 = json_object_get(k, "2004-07-01");
  CHECK(json_integer_value(json_object_get(q3, "key")) == INT64_C(1088640000000) &&
        !strcmp(json_string_value(json_object_get(q3, "key_as_string")), "2004-07-01") &&
        (uint64_t)json_integer_value(json_object_get(q3, "doc_count")) == count_of(ix, "date:2004-07..2004-09"),
        "the third quarter of 2004");
  const json_t *tb = json_array_get(json_object_get(json_object_get(out, "t"), "buckets"), 0);
  CHECK(json_object_size(tb) == 3 && json_integer_value(json_object_get(tb, "doc_count_error_upper_bound")) == 0,
        "show_term_doc_count_error");
  const json_t *anon = json_object_get(json_object_get(out, "anon"), "buckets");
  CHECK(json_is_array(anon) && json_array_size(anon) == 3 &&
        (uint64_t)json_integer_value(json_object_get(json_array_get(anon, 0), "doc_count")) == n2004 &&
        json_integer_value(json_object_get(json_array_get(anon, 1), "doc_count")) == 0 &&
        json_integer_value(json_object_get(json_array_get(anon, 2), "doc_count")) == 0 &&
        !json_object_get(json_array_get(anon, 0), "key"), "anonymous filters");
  const json_t *named = json_object_get(json_object_get(out, "named"), "buckets");
  CHECK(json_is_array(named) && !strcmp(json_string_value(json_object_get(json_array_get(named, 0), "key")), "a") &&
        !strcmp(json_string_value(json_object_get(json_array_get(named, 1), "key")), "b"), "named filters, keyed false");
  const json_t *none = json_object_get(out, "none");
  json_t *want = json_loads("{\"doc_count\": 0, \"mn\": {\"value\": null}, \"t\": {\"doc_count_error_upper_bound\": 0,"
    " \"sum_other_doc_count\": 0, \"buckets\": []}, \"h\": {\"buckets\": ["
    "{\"key_as_string\": \"2001-01-01T00:00:00.000Z\", \"key\": 978307200000, \"doc_count\": 0},"
    "{\"key_as_string\": \"2002-01-01T00:00:00.000Z\", \"key\": 1009843200000, \"doc_count\": 0}]}}", 0, NULL);
  char *got = json_dumps(none, JSON_SORT_KEYS);
  CHECK(json_equal(none, want), "an empty filter: %s", got);
  free(got);
  json_decref(want);
  json_decref(out);
  /* null aggs: nothing to run */
  json_t *empty = NULL;
  es_err e;
  CHECK(es_aggs(ix, "date:2004", NULL, NOW_MS, &empty, &e) == 0 && json_is_object(empty) && !json_object_size(empty), "no aggs");
  json_decref(empty);
  nd_close(ix);
  rm_rf(dir);
  forget();
  ASSERT_EQ_INT(bad, 0);
}

/* min and max to the second when the first and the last day hold several
** articles at several times (in several zones). */
static void test_min_max_times(void) {
  static const char *const D[] = {"1990-05-01T10:00:00Z", "1990-05-01T08:00:00Z", "1990-05-02T01:30:00+03:00",
                                  "1990-05-01T23:00:00+02:00", "2000-01-01", "2020-03-03T05:00:00Z",
                                  "2020-03-03T22:15:30Z", "2020-03-03T12:00:00-05:00", "2020-03-04T01:00:00+02:00", NULL /* undated */};
  char dir[] = "/tmp/nd-es-aggs-XXXXXX";
  nd_index *ix = NULL;
  if (!mkdtemp(dir) || nd_open(dir, ND_OPEN_CREATE, NULL, &ix)) TEST_FAIL_("cannot create %s", dir);
  char body[64], id[16];
  for (size_t i = 0; i < sizeof D / sizeof *D; i++) {
    snprintf(id, sizeof id, "t%zu", i);
    snprintf(body, sizeof body, "clock article number %zu", i);
    nd_doc d = {.id = id, .title = "clock", .body = body, .date = D[i], .source = i % 2 ? "Odd" : "Even"};
    ASSERT_OK(nd_add(ix, &d, NULL));
  }
  ASSERT_OK(nd_commit(ix));
  bad = 0;
  json_t *out = aggs_of(ix, "clock",
    "{\"mn\": {\"min\": {\"field\": \"date\"}}, \"mx\": {\"max\": {\"field\": \"date\", \"format\": \"epoch_second\"}},"
    " \"s\": {\"terms\": {\"field\": \"source\"}, \"aggs\": {\"mn\": {\"min\": {\"field\": \"date\"}},"
    "  \"mx\": {\"max\": {\"field\": \"date\"}}}}}");
  /* oldest: 1990-05-01T08:00Z; newest: 2020-03-04T01:00+02:00, that is 2020-03-03T23:00Z */
  const json_t *mn = json_object_get(out, "mn"), *mx = json_object_get(out, "mx");
  CHECK(json_integer_value(json_object_get(mn, "value")) == INT64_C(641548800000) &&
        !strcmp(json_string_value(json_object_get(mn, "value_as_string")), "1990-05-01T08:00:00.000Z"),
        "min: %s", json_string_value(json_object_get(mn, "value_as_string")));
  CHECK(json_integer_value(json_object_get(mx, "value")) == INT64_C(1583276400000) &&
        !strcmp(json_string_value(json_object_get(mx, "value_as_string")), "1583276400"),
        "max: %s", json_string_value(json_object_get(mx, "value_as_string")));
  /* per source: Even holds 0, 2, 4, 6, 8; Odd 1, 3, 5, 7 */
  const json_t *b;
  size_t i;
  json_array_foreach(json_object_get(json_object_get(out, "s"), "buckets"), i, b) {
    const char *k = json_string_value(json_object_get(b, "key"));
    int even = !strcmp(k, "Even");
    const char *lo = even ? "1990-05-01T10:00:00.000Z" : "1990-05-01T08:00:00.000Z";
    const char *hi = even ? "2020-03-03T23:00:00.000Z" : "2020-03-03T17:00:00.000Z";
    CHECK(!strcmp(json_string_value(json_object_get(json_object_get(b, "mn"), "value_as_string")), lo), "%s min", k);
    CHECK(!strcmp(json_string_value(json_object_get(json_object_get(b, "mx"), "value_as_string")), hi), "%s max", k);
  }
  json_decref(out);
  nd_close(ix);
  rm_rf(dir);
  ASSERT_EQ_INT(bad, 0);
}

TEST_MAIN(TEST(test_shapes), TEST(test_min_max_times), TEST(test_refusals), TEST(test_fixtures), TEST(test_news_sample))
