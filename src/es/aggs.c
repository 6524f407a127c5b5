/*
** aggs.c -- Elasticsearch's aggregations over a newsdex query: es_aggs()
** (docs/elasticsearch.md, "Aggregations").
**
** Contract.  es_aggs(ix, query, aggs, now_ms, &out, &e) reads a request's
** "aggs" object whole first -- every aggregation's type, field and
** parameters, the filters translated by es_query(), the limits -- and only
** then runs it over the articles matching the newsdex query `query` (NULL:
** es_query's match_all), every article counted (ND_VERSIONS_ALL, as ES
** counts documents).  *out is ES's "aggregations" object, one member per
** aggregation, in request order.  Anything it cannot answer exactly is
** refused (0 / -1 with e set: 400 naming the aggregation and the part;
** 500 for a failure of the archive), never answered approximately.
**
**   terms           source (source.keyword), people, organisations
**                   (organizations), places, topics: nd_facets_get with
**                   every key of the field, so that order, include /
**                   exclude, min_doc_count and sum_other_doc_count are
**                   exact; doc_count_error_upper_bound is always 0
**   date_histogram  date (@timestamp): the library's day, ISO week, month
**                   and year histograms; quarters summed from months,
**                   fixed intervals of whole days summed from days (their
**                   buckets start at the epoch, as ES's do); empty buckets
**                   filled (min_doc_count 0), extended_bounds, hard_bounds
**   filter/filters  counts of `query` AND the filter (nd_search,
**                   ND_COUNT_ONLY); filters with other_bucket
**   min/max         date: the first or last day of the day histogram, then
**                   the articles of that day read for the exact second
**   value_count     _id, date, and the terms fields (values, as ES counts)
**   cardinality     _id and the terms fields (exact, where ES estimates)
**
** Sub-aggregations run over a narrowed query: the filter's, or a bucket's
** (`source:"KEY"`, `person:"KEY"`, ..., `date:FIRST..LAST`); a bucket
** with no articles runs none (its sub-aggregations are answered empty).
** Limits: ES_MAX_DEPTH levels, AGG_MAX_AGGS aggregations, AGG_MAX_RUNS
** searches and AGG_MAX_BUCKETS buckets per request.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/date.h"
#include "es.h"

#define AGG_MAX_AGGS 100       /* aggregations in one request */
#define AGG_MAX_SIZE 10000     /* a terms aggregation's size */
#define AGG_MAX_RUNS 1000      /* library calls (searches, facets) per request */
#define AGG_MAX_BUCKETS 65536  /* buckets per request (ES's search.max_buckets) */
#define DAY_MS INT64_C(86400000)
#define MIN_MS INT64_C(-62135596800000) /* 0001-01-01: the range of newsdex's dates */
#define MAX_MS INT64_C(253402300799999) /* 9999-12-31T23:59:59.999 */

/* The query that matches nothing: a bucket without articles. */
static const char NOTHING[] = "";

enum { AG_TERMS, AG_HIST, AG_FILTER, AG_FILTERS, AG_MIN, AG_MAX, AG_COUNT, AG_CARD };
static const char *const KIND_NAME[] = {"terms", "date_histogram", "filter", "filters",
                                        "min", "max", "value_count", "cardinality"};
#define NKINDS (sizeof KIND_NAME / sizeof *KIND_NAME)

/* Bucket orders. */
enum { ORD_COUNT_DESC, ORD_COUNT_ASC, ORD_KEY_ASC, ORD_KEY_DESC };
/* Histogram periods. */
enum { U_DAY, U_WEEK, U_MONTH, U_QUARTER, U_YEAR, U_FIXED };
/* key_as_string / value_as_string forms. */
enum { FMT_ISO_MS, FMT_ISO_S, FMT_DAY, FMT_MONTH, FMT_YEAR, FMT_EPOCH_MS, FMT_EPOCH_S };

/* A field under its ES name: the facet that counts it and the query field
** that selects one of its keys; _id and date have neither. */
enum { F_KEYWORD, F_ID, F_DATE };
typedef struct field_def {
  const char *name;
  int type;
  const char *facet;
  const char *qfield;
} field_def;

static const field_def FIELDS[] = {
  {"source", F_KEYWORD, "source", "source"},
  {"source.keyword", F_KEYWORD, "source", "source"},
  {"people", F_KEYWORD, "people", "person"},
  {"organisations", F_KEYWORD, "organisations", "org"},
  {"organizations", F_KEYWORD, "organisations", "org"},
  {"places", F_KEYWORD, "places", "place"},
  {"topics", F_KEYWORD, "topics", "topic"},
  {"_id", F_ID, NULL, NULL},
  {"date", F_DATE, NULL, NULL},
  {"@timestamp", F_DATE, NULL, NULL},
};
#define NFIELDS (sizeof FIELDS / sizeof *FIELDS)

/* One aggregation of the request, checked. */
typedef struct agg {
  const char *name; /* the request's */
  int kind;
  const json_t *meta;
  struct agg *sub;
  size_t nsub;
  const field_def *field;
  /* terms and date_histogram */
  size_t size;
  uint64_t min_count;
  int ord[2];       /* the order, then a tie-break (-1: none) */
  const json_t *include, *exclude;
  int show_error;
  int unit;         /* U_* */
  int64_t ndays;    /* U_FIXED: days per bucket */
  int fmt;          /* FMT_* */
  int keyed;
  int has_ext[2], has_hard[2];
  int64_t ext[2], hard[2]; /* ms: min, max */
  /* filter (nq 1) and filters */
  char **q;
  const char **key; /* filters' names; NULL: anonymous */
  size_t nq;
  int other;
  const char *other_key;
} agg;

/* One request's state. */
typedef struct run {
  nd_index *ix;
  int64_t now_ms;
  es_err *e;
  size_t naggs, runs, buckets;
} run;

/* ---- errors ------------------------------------------------------------ */

static int bad(run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(run *r, const char *fmt, ...) {
  char why[sizeof r->e->reason];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  return es_fail(r->e, 400, "illegal_argument_exception", "%s", why);
}

static int unknown_param(run *r, const char *kind, const char *key, const char *name) {
  return es_fail(r->e, 400, "x_content_parse_exception", "[%s] unknown field [%s] in aggregation [%s]", kind, key, name);
}

static int oom(run *r) { return es_fail(r->e, 500, "exception", "out of memory"); }

/* A failure of the library on query q: 400 when it is the query's (too
** long, too complex once narrowed), else 500. */
static int lib_fail(run *r, int rc, const char *q) {
  if (rc == ND_ERR_NOMEM) return oom(r);
  if (rc == ND_ERR_QUERY || rc == ND_ERR_LIMIT)
    return es_fail(r->e, 400, "query_shard_exception", "failed to run the aggregations' query [%.200s]: %s", q,
                   nd_errmsg(r->ix));
  return es_fail(r->e, 500, "exception", "%s: %s", nd_strerror(rc), nd_errmsg(r->ix));
}

static int count_run(run *r) {
  if (++r->runs <= AGG_MAX_RUNS) return 0;
  return es_fail(r->e, 400, "illegal_argument_exception",
                 "the aggregations need more than %d searches (buckets times sub-aggregations); ask for fewer buckets "
                 "or fewer sub-aggregations", AGG_MAX_RUNS);
}

static int count_buckets(run *r, size_t n) {
  r->buckets += n;
  if (r->buckets <= AGG_MAX_BUCKETS) return 0;
  return es_fail(r->e, 400, "too_many_buckets_exception",
                 "Trying to create too many buckets. Must be less than or equal to: [%d] but was [%zu]. newsdex's "
                 "limit is fixed.", AGG_MAX_BUCKETS, r->buckets);
}

/* ---- dates ------------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/* The first day of the bucket holding day d. */
static int64_t round_day(const agg *a, int64_t d) {
  int64_t y;
  unsigned m, dd;
  switch (a->unit) {
  case U_DAY: return d;
  case U_WEEK: return d - (((d + 3) % 7 + 7) % 7); /* Monday; 1970-01-01 was a Thursday */
  case U_FIXED: return floor_div(d, a->ndays) * a->ndays;
  default: break;
  }
  date_civil_from_days(d, &y, &m, &dd);
  if (a->unit == U_MONTH) return date_days_from_civil(y, m, 1);
  if (a->unit == U_QUARTER) return date_days_from_civil(y, (m - 1) / 3 * 3 + 1, 1);
  return date_days_from_civil(y, 1, 1);
}

/* The first day of the bucket after the one starting on day d. */
static int64_t next_day(const agg *a, int64_t d) {
  int64_t y;
  unsigned m, dd;
  switch (a->unit) {
  case U_DAY: return d + 1;
  case U_WEEK: return d + 7;
  case U_FIXED: return d + a->ndays;
  default: break;
  }
  date_civil_from_days(d, &y, &m, &dd);
  unsigned add = a->unit == U_MONTH ? 1 : a->unit == U_QUARTER ? 3 : 12;
  m += add;
  if (m > 12) { y += (m - 1) / 12; m = (m - 1) % 12 + 1; }
  return date_days_from_civil(y, m, 1);
}

/* The first day of a histogram key of the library ("YYYY", "YYYY-MM",
** "YYYY-MM-DD", "YYYY-Www"); 0 or -1. */
static int key_day(const char *k, int64_t *d) {
  long long y;
  unsigned m, dd;
  char c;
  if (sscanf(k, "%lld-W%u%c", &y, &m, &c) == 2) {
    int64_t jan4 = date_days_from_civil(y, 1, 4);
    *d = jan4 - (((jan4 + 3) % 7 + 7) % 7) + (int64_t)(m - 1) * 7;
    return 0;
  }
  int n = sscanf(k, "%lld-%u-%u%c", &y, &m, &dd, &c);
  if (n < 1 || n > 3) return -1;
  *d = date_days_from_civil(y, n >= 2 ? m : 1, n == 3 ? dd : 1);
  return 0;
}

static void day_text(int64_t d, char *out, size_t cap) {
  int64_t y;
  unsigned m, dd;
  date_civil_from_days(d, &y, &m, &dd);
  snprintf(out, cap, "%04lld-%02u-%02u", (long long)y, m, dd);
}

/* ms (UTC) in format fmt. */
static void format_ms(int64_t ms, int fmt, char *out, size_t cap) {
  int64_t d = floor_div(ms, DAY_MS), in = ms - d * DAY_MS, y;
  unsigned m, dd;
  date_civil_from_days(d, &y, &m, &dd);
  unsigned h = (unsigned)(in / 3600000), mi = (unsigned)(in / 60000 % 60), s = (unsigned)(in / 1000 % 60);
  switch (fmt) {
  case FMT_ISO_S: snprintf(out, cap, "%04lld-%02u-%02uT%02u:%02u:%02uZ", (long long)y, m, dd, h, mi, s); break;
  case FMT_DAY: snprintf(out, cap, "%04lld-%02u-%02u", (long long)y, m, dd); break;
  case FMT_MONTH: snprintf(out, cap, "%04lld-%02u", (long long)y, m); break;
  case FMT_YEAR: snprintf(out, cap, "%04lld", (long long)y); break;
  case FMT_EPOCH_MS: snprintf(out, cap, "%lld", (long long)ms); break;
  case FMT_EPOCH_S: snprintf(out, cap, "%lld", (long long)floor_div(ms, 1000)); break;
  default:
    snprintf(out, cap, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ", (long long)y, m, dd, h, mi, s,
             (unsigned)(in % 1000));
  }
}

/* ---- queries ----------------------------------------------------------- */

/* "(a) (b)": malloc'ed; NULL without memory. */
static char *and_query(const char *a, const char *b) {
  char *s = NULL;
  return asprintf(&s, "(%s) (%s)", a, b) < 0 ? NULL : s;
}

/* The clause selecting key `key` of field f: qfield:"KEY", its double
** quotes blanked (a phrase cannot hold one; both source and topic names
** read them as spaces).  malloc'ed. */
static char *key_clause(const field_def *f, const char *key) {
  char *s = NULL;
  if (asprintf(&s, "%s:\"%s\"", f->qfield, key) < 0) return NULL;
  for (char *p = s + strlen(f->qfield) + 2; p[1]; p++)
    if (*p == '"') *p = ' ';
  return s;
}

/* The clause selecting the days [first, last]. */
static char *days_clause(int64_t first, int64_t last) {
  char a[24], b[24], *s = NULL;
  day_text(first, a, sizeof a);
  day_text(last, b, sizeof b);
  int n = first == last ? asprintf(&s, "date:%s", a) : asprintf(&s, "date:%s..%s", a, b);
  return n < 0 ? NULL : s;
}

/* The matches of q: nothing for NOTHING. */
static int count_of(run *r, const char *q, uint64_t *n) {
  *n = 0;
  if (q == NOTHING) return 0;
  if (count_run(r)) return -1;
  nd_search_options so = {.count = ND_COUNT_ONLY, .versions = ND_VERSIONS_ALL};
  nd_results *res = NULL;
  int rc = nd_search(r->ix, q, &so, &res);
  if (rc) return lib_fail(r, rc, q);
  *n = nd_results_total(res);
  nd_results_free(res);
  return 0;
}

/* Every key of facet `field` (may be NULL) and the histogram by `hist`
** (ND_HIST_*, may be NONE) over q; *f NULL for NOTHING. */
static int facets_of(run *r, const char *q, const char *field, int hist, nd_facets **f) {
  *f = NULL;
  if (q == NOTHING) return 0;
  if (count_run(r)) return -1;
  nd_facet_options fo = {.fields = &field, .nfields = field != NULL, .limit = SIZE_MAX, .histogram = hist,
                         .versions = ND_VERSIONS_ALL};
  int rc = nd_facets_get(r->ix, q, &fo, f);
  return rc ? lib_fail(r, rc, q) : 0;
}

/* ---- parsing: parameters ----------------------------------------------- */

static int get_int(run *r, const agg *a, const json_t *v, const char *what, long long lo, long long hi,
                   long long *out) {
  if (!json_is_integer(v)) {
    if (!json_is_string(v) || sscanf(json_string_value(v), "%lld", out) != 1)
      return es_fail(r->e, 400, "x_content_parse_exception", "[%s] of aggregation [%s] must be an integer", what,
                     a->name);
  } else {
    *out = json_integer_value(v);
  }
  if (*out < lo || *out > hi)
    return es_fail(r->e, 400, "illegal_argument_exception", "[%s] must be between %lld and %lld. Found [%lld] in [%s]",
                   what, lo, hi, *out, a->name);
  return 0;
}

static int get_bool(run *r, const agg *a, const json_t *v, const char *what, int *out) {
  if (!json_is_boolean(v))
    return es_fail(r->e, 400, "x_content_parse_exception", "[%s] of aggregation [%s] must be true or false", what,
                   a->name);
  *out = json_is_true(v);
  return 0;
}

static int get_field(run *r, agg *a, const json_t *v, const char *kind) {
  static const char *const TEXT[] = {"title", "body", "content", "text", "*", "_all"};
  const char *s = json_string_value(v);
  if (!s) return es_fail(r->e, 400, "x_content_parse_exception", "[%s] field of aggregation [%s] must be a string", kind, a->name);
  for (size_t i = 0; i < NFIELDS; i++)
    if (!strcmp(FIELDS[i].name, s)) { a->field = &FIELDS[i]; return 0; }
  for (size_t i = 0; i < sizeof TEXT / sizeof *TEXT; i++)
    if (!strcmp(TEXT[i], s))
      return bad(r, "Text fields are not optimised for operations that require per-document field data like "
                 "aggregations; field [%s] of aggregation [%s] is a text field", s, a->name);
  return bad(r, "field [%s] of aggregation [%s] cannot be aggregated: newsdex aggregates source, people, "
             "organisations, places, topics, date and _id", s, a->name);
}

/* An order: {"_count"|"_key"|"_term": "asc"|"desc"}; 0 or -1. */
static int one_order(run *r, const agg *a, const json_t *o, int *out) {
  const char *k, *dir;
  json_t *v;
  if (!json_is_object(o) || json_object_size(o) != 1)
    return es_fail(r->e, 400, "x_content_parse_exception", "[order] of aggregation [%s] must be an object such as "
                   "{\"_count\": \"desc\"}", a->name);
  json_object_foreach((json_t *)o, k, v) {
    dir = json_string_value(v);
    int desc = dir && !strcmp(dir, "desc");
    if (!dir || (!desc && strcmp(dir, "asc")))
      return es_fail(r->e, 400, "x_content_parse_exception", "[order] of aggregation [%s]: unknown direction, use "
                     "asc or desc", a->name);
    if (!strcmp(k, "_count")) *out = desc ? ORD_COUNT_DESC : ORD_COUNT_ASC;
    else if (!strcmp(k, "_key") || !strcmp(k, "_term")) *out = desc ? ORD_KEY_DESC : ORD_KEY_ASC;
    else return bad(r, "ordering aggregation [%s] by [%s] is not supported by newsdex: order by _count or _key", a->name, k);
  }
  return 0;
}

static int get_order(run *r, agg *a, const json_t *v) {
  if (!json_is_array(v)) return one_order(r, a, v, &a->ord[0]);
  if (json_array_size(v) < 1 || json_array_size(v) > 2)
    return bad(r, "[order] of aggregation [%s] must have one or two criteria", a->name);
  if (one_order(r, a, json_array_get(v, 0), &a->ord[0])) return -1;
  a->ord[1] = -1;
  return json_array_size(v) == 2 ? one_order(r, a, json_array_get(v, 1), &a->ord[1]) : 0;
}

/* include / exclude: an array of exact values. */
static int get_values(run *r, const agg *a, const json_t *v, const char *what, const json_t **out) {
  size_t i;
  json_t *x;
  if (!json_is_array(v))
    return es_fail(r->e, 400, "illegal_argument_exception", "[%s] of aggregation [%s]: only an array of exact values "
                   "is supported by newsdex (no regular expression, no partitions)", what, a->name);
  json_array_foreach(v, i, x)
    if (!json_is_string(x))
      return es_fail(r->e, 400, "illegal_argument_exception", "[%s] of aggregation [%s] must hold strings", what, a->name);
  *out = v;
  return 0;
}

/* ---- parsing: each type ------------------------------------------------ */

static int parse_terms(run *r, agg *a, const json_t *body) {
  static const char *const IGNORED[] = {"shard_size", "shard_min_doc_count", "execution_hint", "collect_mode", "value_type"};
  const char *k;
  json_t *v;
  long long n;
  a->size = 10;
  a->min_count = 1;
  a->ord[0] = ORD_COUNT_DESC;
  a->ord[1] = -1;
  json_object_foreach((json_t *)body, k, v) {
    int ignored = 0;
    for (size_t i = 0; i < sizeof IGNORED / sizeof *IGNORED; i++) ignored |= !strcmp(k, IGNORED[i]);
    if (ignored) continue;
    if (!strcmp(k, "field")) { if (get_field(r, a, v, "terms")) return -1; }
    else if (!strcmp(k, "size")) { if (get_int(r, a, v, "size", 1, AGG_MAX_SIZE, &n)) return -1; a->size = (size_t)n; }
    else if (!strcmp(k, "min_doc_count")) {
      if (get_int(r, a, v, "min_doc_count", 0, INT64_MAX, &n)) return -1;
      if (n == 0) return bad(r, "[min_doc_count] 0 of terms aggregation [%s] is not supported by newsdex: it lists the "
                             "keys of matching articles only", a->name);
      a->min_count = (uint64_t)n;
    }
    else if (!strcmp(k, "order")) { if (get_order(r, a, v)) return -1; }
    else if (!strcmp(k, "include")) { if (get_values(r, a, v, "include", &a->include)) return -1; }
    else if (!strcmp(k, "exclude")) { if (get_values(r, a, v, "exclude", &a->exclude)) return -1; }
    else if (!strcmp(k, "show_term_doc_count_error")) { if (get_bool(r, a, v, k, &a->show_error)) return -1; }
    else if (!strcmp(k, "missing") || !strcmp(k, "script"))
      return bad(r, "[%s] of terms aggregation [%s] is not supported by newsdex", k, a->name);
    else return unknown_param(r, "terms", k, a->name);
  }
  if (!a->field) return bad(r, "Required [field] missing in terms aggregation [%s]", a->name);
  if (a->field->type != F_KEYWORD)
    return bad(r, "field [%s] of terms aggregation [%s] cannot be aggregated by terms: use source, people, "
               "organisations, places or topics", a->field->name, a->name);
  return 0;
}

/* A calendar interval: U_* or -1. */
static int calendar_unit(const char *s) {
  static const struct { const char *a, *b; int unit; } CAL[] = {
    {"minute", "1m", -2}, {"hour", "1h", -2}, {"day", "1d", U_DAY}, {"week", "1w", U_WEEK},
    {"month", "1M", U_MONTH}, {"quarter", "1q", U_QUARTER}, {"year", "1y", U_YEAR},
  };
  for (size_t i = 0; i < sizeof CAL / sizeof *CAL; i++)
    if (!strcmp(s, CAL[i].a) || !strcmp(s, CAL[i].b)) return CAL[i].unit;
  return -1;
}

/* A fixed interval ("1d", "24h", "86400s", ...) in ms; -1 if not one. */
static int64_t fixed_ms(const char *s) {
  static const struct { const char *u; int64_t ms; } U[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", DAY_MS}};
  long long n;
  int used = 0;
  if (sscanf(s, "%lld%n", &n, &used) != 1 || n <= 0 || n > 10000000) return -1;
  for (size_t i = 0; i < sizeof U / sizeof *U; i++)
    if (!strcmp(s + used, U[i].u)) return n * U[i].ms;
  return -1;
}

static int set_interval(run *r, agg *a, const char *how, const json_t *v, int *given) {
  const char *s = json_string_value(v);
  if (*given) return bad(r, "[%s] cannot be combined with another interval in date_histogram [%s]", how, a->name);
  *given = 1;
  if (!s || !*s) return bad(r, "[%s] of date_histogram [%s] must be a non-empty string", how, a->name);
  int unit = strcmp(how, "fixed_interval") ? calendar_unit(s) : -1;
  if (unit == -2)
    return es_fail(r->e, 400, "illegal_argument_exception", "interval [%s] of date_histogram [%s] is not supported by "
                   "newsdex: buckets are whole days, weeks, months, quarters or years", s, a->name);
  if (unit >= 0) { a->unit = unit; return 0; }
  if (!strcmp(how, "calendar_interval"))
    return bad(r, "The supplied interval [%s] could not be parsed as a calendar interval (date_histogram [%s])", s, a->name);
  int64_t ms = fixed_ms(s);
  if (ms < 0) return bad(r, "failed to parse [%s] as a fixed interval (date_histogram [%s])", s, a->name);
  if (ms % DAY_MS)
    return es_fail(r->e, 400, "illegal_argument_exception", "interval [%s] of date_histogram [%s] is not supported by "
                   "newsdex: fixed intervals must be whole days (1d, 7d, 24h ...)", s, a->name);
  a->ndays = ms / DAY_MS;
  a->unit = a->ndays == 1 ? U_DAY : U_FIXED;
  return 0;
}

/* A format for key_as_string (the first of "a||b"); FMT_* or -1. */
static int format_of(const char *s) {
  static const struct { const char *name; int fmt; } F[] = {
    {"strict_date_optional_time", FMT_ISO_MS}, {"date_optional_time", FMT_ISO_MS}, {"strict_date_time", FMT_ISO_MS},
    {"date_time", FMT_ISO_MS}, {"yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", FMT_ISO_MS}, {"uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", FMT_ISO_MS},
    {"strict_date_time_no_millis", FMT_ISO_S}, {"date_time_no_millis", FMT_ISO_S}, {"yyyy-MM-dd'T'HH:mm:ss'Z'", FMT_ISO_S},
    {"yyyy-MM-dd", FMT_DAY}, {"uuuu-MM-dd", FMT_DAY}, {"date", FMT_DAY}, {"strict_date", FMT_DAY},
    {"yyyy-MM", FMT_MONTH}, {"uuuu-MM", FMT_MONTH}, {"year_month", FMT_MONTH}, {"strict_year_month", FMT_MONTH},
    {"yyyy", FMT_YEAR}, {"uuuu", FMT_YEAR}, {"year", FMT_YEAR}, {"strict_year", FMT_YEAR},
    {"epoch_millis", FMT_EPOCH_MS}, {"epoch_second", FMT_EPOCH_S},
  };
  size_t n = strcspn(s, "|");
  for (size_t i = 0; i < sizeof F / sizeof *F; i++)
    if (strlen(F[i].name) == n && !strncmp(s, F[i].name, n)) return F[i].fmt;
  return -1;
}

static int get_format(run *r, agg *a, const json_t *v) {
  const char *s = json_string_value(v);
  a->fmt = s ? format_of(s) : -1;
  if (a->fmt < 0)
    return bad(r, "format [%s] of aggregation [%s] is not supported by newsdex: use strict_date_optional_time, "
               "yyyy-MM-dd, yyyy-MM, yyyy, epoch_millis or epoch_second", s ? s : "(not a string)", a->name);
  return 0;
}

static int get_time_zone(run *r, const agg *a, const json_t *v) {
  static const char *const UTC[] = {"UTC", "Etc/UTC", "GMT", "Etc/GMT", "Z", "+00:00", "-00:00", "+00", "+0000", "Zulu"};
  const char *s = json_string_value(v);
  for (size_t i = 0; s && i < sizeof UTC / sizeof *UTC; i++)
    if (!strcmp(s, UTC[i])) return 0;
  return bad(r, "time_zone [%s] of aggregation [%s] is not supported by newsdex: dates are bucketed in UTC",
             s ? s : "(not a string)", a->name);
}

/* An offset of zero ("0", "+0d", 0) or 400. */
static int get_offset(run *r, const agg *a, const json_t *v) {
  const char *s = json_string_value(v);
  if (json_is_integer(v) && json_integer_value(v) == 0) return 0;
  if (s) {
    s += *s == '+' || *s == '-';
    size_t z = strspn(s, "0");
    if (z && !s[z + strspn(s + z, "smhd")]) return 0;
  }
  return bad(r, "[offset] of date_histogram [%s] is not supported by newsdex (only 0)", a->name);
}

/* extended_bounds / hard_bounds: {min, max}, epoch millis or ES dates. */
static int get_bounds(run *r, agg *a, const json_t *v, const char *what, int *has, int64_t *ms) {
  static const char *const SIDE[2] = {"min", "max"};
  const char *fmt = a->fmt == FMT_EPOCH_MS ? "epoch_millis" : a->fmt == FMT_EPOCH_S ? "epoch_second" : NULL;
  const char *k;
  json_t *x;
  if (!json_is_object(v)) return bad(r, "[%s] of date_histogram [%s] must be an object {min, max}", what, a->name);
  json_object_foreach((json_t *)v, k, x) {
    int side = !strcmp(k, "min") ? 0 : !strcmp(k, "max") ? 1 : -1;
    if (side < 0) return bad(r, "[%s] of date_histogram [%s]: unknown member, use min and max", what, a->name);
    if (json_is_null(x)) continue;
    has[side] = 1;
    if (json_is_integer(x)) ms[side] = json_integer_value(x);
    else if (!json_is_string(x)) return bad(r, "[%s] of date_histogram [%s] must be dates or epoch millis", what, a->name);
    else if (es_datemath(json_string_value(x), fmt, r->now_ms, 0, &ms[side], r->e)) return -1;
    if (ms[side] < MIN_MS || ms[side] > MAX_MS)
      return bad(r, "[%s.%s] of date_histogram [%s] is outside the years 1 to 9999", what, k, a->name);
  }
  if (has[0] && has[1] && ms[0] > ms[1])
    return es_fail(r->e, 400, "illegal_argument_exception", "[%s.%s][%lld] cannot be greater than [%s.%s][%lld] for "
                   "histogram aggregation [%s]", what, SIDE[0], (long long)ms[0], what, SIDE[1], (long long)ms[1], a->name);
  return 0;
}

static int parse_hist(run *r, agg *a, const json_t *body) {
  const char *k;
  json_t *v;
  long long n;
  int given = 0;
  a->ord[0] = ORD_KEY_ASC;
  a->ord[1] = -1;
  a->fmt = FMT_ISO_MS;
  const json_t *fmt = json_object_get(body, "format"), *ext = NULL, *hard = NULL;
  if (fmt && get_format(r, a, fmt)) return -1; /* first: the bounds are read in it */
  json_object_foreach((json_t *)body, k, v) {
    if (!strcmp(k, "field")) { if (get_field(r, a, v, "date_histogram")) return -1; }
    else if (!strcmp(k, "calendar_interval") || !strcmp(k, "fixed_interval") || !strcmp(k, "interval")) {
      if (set_interval(r, a, k, v, &given)) return -1;
    }
    else if (!strcmp(k, "min_doc_count")) { if (get_int(r, a, v, k, 0, INT64_MAX, &n)) return -1; a->min_count = (uint64_t)n; }
    else if (!strcmp(k, "extended_bounds")) ext = v;
    else if (!strcmp(k, "hard_bounds")) hard = v;
    else if (!strcmp(k, "format")) continue;
    else if (!strcmp(k, "time_zone")) { if (get_time_zone(r, a, v)) return -1; }
    else if (!strcmp(k, "offset")) { if (get_offset(r, a, v)) return -1; }
    else if (!strcmp(k, "order")) { if (get_order(r, a, v)) return -1; }
    else if (!strcmp(k, "keyed")) { if (get_bool(r, a, v, k, &a->keyed)) return -1; }
    else if (!strcmp(k, "missing") || !strcmp(k, "script"))
      return bad(r, "[%s] of date_histogram [%s] is not supported by newsdex", k, a->name);
    else return unknown_param(r, "date_histogram", k, a->name);
  }
  if (!a->field) return bad(r, "Required [field] missing in date_histogram [%s]", a->name);
  if (a->field->type != F_DATE)
    return bad(r, "field [%s] of date_histogram [%s] is not a date: use date or @timestamp", a->field->name, a->name);
  if (!given) return bad(r, "Invalid interval specified in date_histogram [%s], must be non-null and non-empty", a->name);
  if (ext && get_bounds(r, a, ext, "extended_bounds", a->has_ext, a->ext)) return -1;
  if (hard && get_bounds(r, a, hard, "hard_bounds", a->has_hard, a->hard)) return -1;
  if ((a->has_hard[0] && a->has_ext[0] && a->ext[0] < a->hard[0]) || (a->has_hard[1] && a->has_ext[1] && a->ext[1] > a->hard[1]))
    return bad(r, "Extended bounds have to be inside hard bounds (date_histogram [%s])", a->name);
  return 0;
}

/* One filter: its translation into a->q[i]. */
static int add_filter(run *r, agg *a, const json_t *q) {
  if (!json_is_object(q))
    return es_fail(r->e, 400, "parsing_exception", "the filter of aggregation [%s] must be a query object", a->name);
  char *s = es_query(q, r->now_ms, NULL, r->e);
  if (!s) return -1;
  a->q[a->nq++] = s;
  return 0;
}

static int parse_filter(run *r, agg *a, const json_t *body) {
  if (!(a->q = calloc(1, sizeof *a->q))) return oom(r);
  return add_filter(r, a, body);
}

static int cmp_str(const void *x, const void *y) { return strcmp(*(const char *const *)x, *(const char *const *)y); }

/* The named filters in key order (as ES keeps them), or the anonymous
** ones in request order. */
static int filters_list(run *r, agg *a, const json_t *f) {
  size_t n = json_is_object(f) ? json_object_size(f) : json_array_size(f), i;
  const char *k;
  json_t *v;
  if (!json_is_object(f) && !json_is_array(f))
    return es_fail(r->e, 400, "parsing_exception", "[filters] of aggregation [%s] must be an object or an array", a->name);
  if (!(a->q = calloc(n + 1, sizeof *a->q))) return oom(r);
  if (json_is_array(f)) {
    json_array_foreach(f, i, v) if (add_filter(r, a, v)) return -1;
    return 0;
  }
  a->keyed = 1;
  if (!(a->key = calloc(n + 1, sizeof *a->key))) return oom(r);
  i = 0;
  json_object_foreach((json_t *)f, k, v) a->key[i++] = k;
  qsort(a->key, n, sizeof *a->key, cmp_str);
  for (i = 0; i < n; i++)
    if (add_filter(r, a, json_object_get(f, a->key[i]))) return -1;
  return 0;
}

static int parse_filters(run *r, agg *a, const json_t *body) {
  const char *k;
  json_t *v;
  const json_t *f = json_object_get(body, "filters");
  int keyed = -1;
  a->other_key = "_other_";
  if (!f) return bad(r, "[filters] is missing in filters aggregation [%s]", a->name);
  if (filters_list(r, a, f)) return -1;
  json_object_foreach((json_t *)body, k, v) {
    if (!strcmp(k, "filters")) continue;
    if (!strcmp(k, "other_bucket")) { if (get_bool(r, a, v, k, &a->other)) return -1; }
    else if (!strcmp(k, "other_bucket_key")) {
      if (!(a->other_key = json_string_value(v))) return bad(r, "[%s] of aggregation [%s] must be a string", k, a->name);
      a->other = 1;
    }
    else if (!strcmp(k, "keyed")) { if (get_bool(r, a, v, k, &keyed)) return -1; }
    else return unknown_param(r, "filters", k, a->name);
  }
  if (keyed == 1 && !a->key) return bad(r, "[keyed] needs named filters in aggregation [%s]", a->name);
  if (keyed == 0) a->keyed = 0;
  return 0;
}

static int parse_metric(run *r, agg *a, const json_t *body) {
  const char *k, *kind = KIND_NAME[a->kind];
  json_t *v;
  a->fmt = FMT_ISO_MS;
  json_object_foreach((json_t *)body, k, v) {
    if (!strcmp(k, "field")) { if (get_field(r, a, v, kind)) return -1; }
    else if (!strcmp(k, "format") && (a->kind == AG_MIN || a->kind == AG_MAX)) { if (get_format(r, a, v)) return -1; }
    else if (!strcmp(k, "precision_threshold") && a->kind == AG_CARD) continue;
    else if (!strcmp(k, "missing") || !strcmp(k, "script"))
      return bad(r, "[%s] of aggregation [%s] is not supported by newsdex", k, a->name);
    else return unknown_param(r, kind, k, a->name);
  }
  if (!a->field) return es_fail(r->e, 400, "illegal_argument_exception", "Required [field] missing in %s aggregation [%s]", kind, a->name);
  int t = a->field->type;
  if ((a->kind == AG_MIN || a->kind == AG_MAX) && t != F_DATE)
    return es_fail(r->e, 400, "illegal_argument_exception", "field [%s] of %s aggregation [%s] is not supported: newsdex "
                   "gives min and max of date only", a->field->name, kind, a->name);
  if (a->kind == AG_CARD && t == F_DATE)
    return bad(r, "cardinality of [date] (aggregation [%s]) is not supported by newsdex", a->name);
  return 0;
}

/* ---- parsing: the tree ------------------------------------------------- */

static void free_aggs(agg *a, size_t n) {
  for (size_t i = 0; a && i < n; i++) {
    free_aggs(a[i].sub, a[i].nsub);
    for (size_t j = 0; j < a[i].nq; j++) free(a[i].q[j]);
    free(a[i].q);
    free(a[i].key);
  }
  free(a);
}

static int parse_aggs(run *r, const json_t *o, size_t depth, agg **out, size_t *n);

static int kind_of(run *r, const char *name, const char *type) {
  for (size_t i = 0; i < NKINDS; i++)
    if (!strcmp(KIND_NAME[i], type)) return (int)i;
  return es_fail(r->e, 400, "illegal_argument_exception", "aggregation type [%s] is not supported by newsdex (in "
                 "[%s]; supported: terms, date_histogram, filter, filters, min, max, value_count, cardinality)", type, name);
}

/* The members of a definition: its type and body, sub-aggregations, meta. */
static int split_def(run *r, agg *a, const json_t *def, const char **type, const json_t **body, const json_t **subs) {
  const char *k;
  json_t *v;
  *type = NULL;
  *subs = NULL;
  if (!json_is_object(def))
    return es_fail(r->e, 400, "parsing_exception", "Expected [START_OBJECT] under aggregation [%s]", a->name);
  json_object_foreach((json_t *)def, k, v) {
    if (!strcmp(k, "aggs") || !strcmp(k, "aggregations")) {
      if (*subs) return es_fail(r->e, 400, "parsing_exception", "Found two sub aggregation definitions under [%s]", a->name);
      *subs = v;
    } else if (!strcmp(k, "meta")) {
      if (!json_is_object(v)) return es_fail(r->e, 400, "parsing_exception", "[meta] of aggregation [%s] must be an object", a->name);
      a->meta = v;
    } else if (*type) {
      return es_fail(r->e, 400, "parsing_exception", "Found two aggregation type definitions in [%s]: [%s] and [%s]",
                     a->name, *type, k);
    } else {
      *type = k;
      *body = v;
    }
  }
  if (!*type) return es_fail(r->e, 400, "parsing_exception", "Missing definition for aggregation [%s]", a->name);
  if (!json_is_object(*body))
    return es_fail(r->e, 400, "parsing_exception", "Expected [START_OBJECT] under [%s] of aggregation [%s]", *type, a->name);
  return 0;
}

static int parse_one(run *r, agg *a, const char *name, const json_t *def, size_t depth) {
  const char *type;
  const json_t *body, *subs;
  a->name = name;
  if (strpbrk(name, "[]>"))
    return es_fail(r->e, 400, "parsing_exception", "Invalid aggregation name [%s]. Aggregation names can contain any "
                   "character except '[', ']', and '>'", name);
  if (split_def(r, a, def, &type, &body, &subs)) return -1;
  if ((a->kind = kind_of(r, name, type)) < 0) return -1;
  int rc;
  switch (a->kind) {
  case AG_TERMS: rc = parse_terms(r, a, body); break;
  case AG_HIST: rc = parse_hist(r, a, body); break;
  case AG_FILTER: rc = parse_filter(r, a, body); break;
  case AG_FILTERS: rc = parse_filters(r, a, body); break;
  default: rc = parse_metric(r, a, body);
  }
  if (rc) return -1;
  if (!subs) return 0;
  if (a->kind >= AG_MIN && json_object_size(subs))
    return es_fail(r->e, 400, "illegal_argument_exception", "Aggregator [%s] of type [%s] cannot accept sub-aggregations",
                   name, type);
  return parse_aggs(r, subs, depth + 1, &a->sub, &a->nsub);
}

static int parse_aggs(run *r, const json_t *o, size_t depth, agg **out, size_t *n) {
  const char *k;
  json_t *v;
  *out = NULL;
  *n = 0;
  if (!json_is_object(o)) return es_fail(r->e, 400, "parsing_exception", "aggregations must be an object");
  if (depth > ES_MAX_DEPTH)
    return es_fail(r->e, 400, "illegal_argument_exception", "aggregations nested more than %d deep", ES_MAX_DEPTH);
  r->naggs += json_object_size(o);
  if (r->naggs > AGG_MAX_AGGS)
    return es_fail(r->e, 400, "illegal_argument_exception", "more than %d aggregations in one request", AGG_MAX_AGGS);
  if (!(*out = calloc(json_object_size(o) + 1, sizeof **out))) return oom(r);
  json_object_foreach((json_t *)o, k, v) {
    if (parse_one(r, &(*out)[*n], k, v, depth)) { (*n)++; return -1; }
    (*n)++;
  }
  return 0;
}

/* ---- running ----------------------------------------------------------- */

static int run_aggs(run *r, const agg *a, size_t n, const char *q, json_t *out);

static int put(run *r, json_t *o, const char *k, json_t *v) {
  return !v || json_object_set_new(o, k, v) ? oom(r) : 0;
}

/* The sub-aggregations of a bucket selected by `clause` (NULL: q itself)
** among q's matches, into bucket b; nothing is run for an empty bucket. */
static int run_bucket_subs(run *r, const agg *a, const char *q, char *clause, uint64_t count, json_t *b) {
  if (!a->nsub) { free(clause); return 0; }
  char *nq = NULL;
  const char *use = q;
  if (!count) use = NOTHING;
  else if (clause && !(use = nq = and_query(q, clause))) { free(clause); return oom(r); }
  int rc = run_aggs(r, a->sub, a->nsub, use, b);
  free(nq);
  free(clause);
  return rc;
}

/* Will n buckets' sub-aggregations fit the budget of runs?  Each takes at
** least one. */
static int budget(run *r, const agg *a, size_t n) {
  if (!a->nsub || r->runs + n * a->nsub <= AGG_MAX_RUNS) return 0;
  return es_fail(r->e, 400, "illegal_argument_exception", "aggregation [%s]: %zu buckets times %zu sub-aggregations "
                 "exceed newsdex's limit of %d searches per request; ask for fewer buckets", a->name, n, a->nsub, AGG_MAX_RUNS);
}

/* ---- terms ---- */

static int in_values(const json_t *vals, const char *key) {
  size_t i;
  json_t *x;
  json_array_foreach(vals, i, x) if (!strcmp(json_string_value(x), key)) return 1;
  return 0;
}

static int cmp_one(int ord, const nd_count *x, const nd_count *y) {
  switch (ord) {
  case ORD_COUNT_DESC: return (x->count < y->count) - (x->count > y->count);
  case ORD_COUNT_ASC: return (x->count > y->count) - (x->count < y->count);
  case ORD_KEY_DESC: return -strcmp(x->key, y->key);
  default: return strcmp(x->key, y->key);
  }
}

/* The order asked for, then keys ascending (ES's tie-break). */
static int cmp_counts(const void *p, const void *q, void *arg) {
  const agg *a = arg;
  const nd_count *x = *(const nd_count *const *)p, *y = *(const nd_count *const *)q;
  int c = cmp_one(a->ord[0], x, y);
  if (!c && a->ord[1] >= 0) c = cmp_one(a->ord[1], x, y);
  return c ? c : strcmp(x->key, y->key);
}

/* The keys a terms aggregation may show (include / exclude, min_doc_count)
** into v, ordered; *all the articles counted under every included key. */
static size_t terms_candidates(const agg *a, const nd_facet *f, const nd_count **v, uint64_t *all) {
  size_t m = 0;
  *all = 0;
  for (size_t i = 0; f && i < f->n; i++) {
    const nd_count *c = &f->counts[i];
    if ((a->include && !in_values(a->include, c->key)) || (a->exclude && in_values(a->exclude, c->key))) continue;
    *all += c->count;
    if (c->count >= a->min_count) v[m++] = c;
  }
  if (m) qsort_r(v, m, sizeof *v, cmp_counts, (void *)a);
  return m;
}

static int terms_buckets(run *r, const agg *a, const char *q, const nd_count **v, size_t n, json_t *arr) {
  for (size_t i = 0; i < n; i++) {
    json_t *b = json_object();
    if (!b || json_array_append_new(arr, b)) return oom(r);
    if (put(r, b, "key", json_string(v[i]->key)) || put(r, b, "doc_count", json_integer((json_int_t)v[i]->count)) ||
        (a->show_error && put(r, b, "doc_count_error_upper_bound", json_integer(0))))
      return -1;
    char *clause = a->nsub ? key_clause(a->field, v[i]->key) : NULL;
    if (a->nsub && !clause) return oom(r);
    if (run_bucket_subs(r, a, q, clause, v[i]->count, b)) return -1;
  }
  return 0;
}

static int run_terms(run *r, const agg *a, const char *q, json_t *o) {
  nd_facets *f = NULL;
  if (facets_of(r, q, a->field->facet, ND_HIST_NONE, &f)) return -1;
  const nd_facet *ff = f ? &f->fields[0] : NULL;
  const nd_count **v = malloc(((ff ? ff->n : 0) + 1) * sizeof *v);
  uint64_t all = 0, shown = 0;
  int rc = v ? 0 : oom(r);
  size_t n = rc ? 0 : terms_candidates(a, ff, v, &all);
  if (n > a->size) n = a->size;
  for (size_t i = 0; i < n; i++) shown += v[i]->count;
  json_t *arr = json_array();
  if (!rc && (count_buckets(r, n) || budget(r, a, n))) rc = -1;
  if (!rc && (put(r, o, "doc_count_error_upper_bound", json_integer(0)) ||
              put(r, o, "sum_other_doc_count", json_integer((json_int_t)(all - shown))) ||
              put(r, o, "buckets", json_incref(arr))))
    rc = -1;
  if (!rc) rc = terms_buckets(r, a, q, v, n, arr);
  json_decref(arr);
  free(v);
  nd_facets_free(f);
  return rc;
}

/* ---- date_histogram ---- */

typedef struct hbucket {
  int64_t day;  /* its first day */
  uint64_t n;
} hbucket;

static int hb_grow(run *r, hbucket **b, size_t *cap, size_t n) {
  if (n < *cap) return 0;
  size_t c = *cap ? *cap * 2 : 64;
  hbucket *p = realloc(*b, c * sizeof *p);
  if (!p) return oom(r);
  *b = p;
  *cap = c;
  return 0;
}

/* The library's histogram h[0..nh) as the aggregation's buckets (quarters
** and fixed intervals summed from months and days), ascending. */
static int hist_buckets(run *r, const agg *a, const nd_count *h, size_t nh, hbucket **out, size_t *n, size_t *cap) {
  for (size_t i = 0; i < nh; i++) {
    int64_t d;
    if (key_day(h[i].key, &d)) return es_fail(r->e, 500, "exception", "unexpected histogram key [%s]", h[i].key);
    d = round_day(a, d);
    if (*n && (*out)[*n - 1].day == d) { (*out)[*n - 1].n += h[i].count; continue; }
    if (hb_grow(r, out, cap, *n)) return -1;
    (*out)[(*n)++] = (hbucket){d, h[i].count};
  }
  return 0;
}

static int64_t bound_day(const agg *a, int64_t ms) { return round_day(a, floor_div(ms, DAY_MS)); }

/* min_doc_count 0: the empty buckets between the first and the last,
** extended to extended_bounds. */
static int fill_empty(run *r, const agg *a, hbucket **b, size_t *n, size_t *cap) {
  if (!*n && !(a->has_ext[0] && a->has_ext[1])) return 0;
  int64_t lo = *n ? (*b)[0].day : bound_day(a, a->ext[0]), hi = *n ? (*b)[*n - 1].day : bound_day(a, a->ext[1]);
  if (a->has_ext[0] && bound_day(a, a->ext[0]) < lo) lo = bound_day(a, a->ext[0]);
  if (a->has_ext[1] && bound_day(a, a->ext[1]) > hi) hi = bound_day(a, a->ext[1]);
  hbucket *full = NULL;
  size_t m = 0, fcap = 0, j = 0;
  for (int64_t d = lo; d <= hi; d = next_day(a, d)) {
    if (r->buckets + m >= AGG_MAX_BUCKETS) { free(full); return count_buckets(r, m + 1); }
    if (hb_grow(r, &full, &fcap, m)) { free(full); return -1; }
    uint64_t c = j < *n && (*b)[j].day == d ? (*b)[j++].n : 0;
    full[m++] = (hbucket){d, c};
  }
  free(*b);
  *b = full;
  *n = m;
  *cap = fcap;
  return 0;
}

/* hard_bounds (keys in [min, max)) and min_doc_count. */
static size_t keep_buckets(const agg *a, hbucket *b, size_t n) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    int64_t ms = b[i].day * DAY_MS;
    if ((a->has_hard[0] && ms < a->hard[0]) || (a->has_hard[1] && ms >= a->hard[1])) continue;
    if (b[i].n < a->min_count) continue;
    b[m++] = b[i];
  }
  return m;
}

static int cmp_u64(uint64_t x, uint64_t y) { return (x > y) - (x < y); }
static int cmp_i64(int64_t x, int64_t y) { return (x > y) - (x < y); }

/* The order asked for, then keys ascending. */
static int cmp_hb(const void *p, const void *q, void *arg) {
  const agg *a = arg;
  const hbucket *x = p, *y = q;
  for (int i = 0; i < 2 && a->ord[i] >= 0; i++) {
    int c = a->ord[i] == ORD_COUNT_DESC ? cmp_u64(y->n, x->n)
          : a->ord[i] == ORD_COUNT_ASC  ? cmp_u64(x->n, y->n)
          : a->ord[i] == ORD_KEY_DESC   ? cmp_i64(y->day, x->day)
                                        : cmp_i64(x->day, y->day);
    if (c) return c;
  }
  return cmp_i64(x->day, y->day);
}

static int hist_bucket_json(run *r, const agg *a, const char *q, const hbucket *hb, json_t *b) {
  char s[40];
  format_ms(hb->day * DAY_MS, a->fmt, s, sizeof s);
  if (put(r, b, "key_as_string", json_string(s)) || put(r, b, "key", json_integer((json_int_t)(hb->day * DAY_MS))) ||
      put(r, b, "doc_count", json_integer((json_int_t)hb->n)))
    return -1;
  char *clause = NULL;
  if (a->nsub && hb->n && !(clause = days_clause(hb->day, next_day(a, hb->day) - 1))) return oom(r);
  return run_bucket_subs(r, a, q, clause, hb->n, b);
}

static int hist_emit(run *r, const agg *a, const char *q, const hbucket *hb, size_t n, json_t *o) {
  json_t *all = a->keyed ? json_object() : json_array();
  if (put(r, o, "buckets", all)) return -1;
  for (size_t i = 0; i < n; i++) {
    json_t *b = json_object();
    char s[40];
    format_ms(hb[i].day * DAY_MS, a->fmt, s, sizeof s);
    if (!b || (a->keyed ? json_object_set_new(all, s, b) : json_array_append_new(all, b))) return oom(r);
    if (hist_bucket_json(r, a, q, &hb[i], b)) return -1;
  }
  return 0;
}

static int lib_unit(int unit) {
  switch (unit) {
  case U_WEEK: return ND_HIST_WEEK;
  case U_MONTH: case U_QUARTER: return ND_HIST_MONTH;
  case U_YEAR: return ND_HIST_YEAR;
  default: return ND_HIST_DAY;
  }
}

static int run_hist(run *r, const agg *a, const char *q, json_t *o) {
  nd_facets *f = NULL;
  hbucket *b = NULL;
  size_t n = 0, cap = 0;
  if (facets_of(r, q, NULL, lib_unit(a->unit), &f)) return -1;
  int rc = f ? hist_buckets(r, a, f->hist, f->nhist, &b, &n, &cap) : 0;
  nd_facets_free(f);
  if (!rc && !a->min_count) rc = fill_empty(r, a, &b, &n, &cap);
  if (!rc) n = keep_buckets(a, b, n);
  if (!rc && n && (a->ord[0] != ORD_KEY_ASC)) qsort_r(b, n, sizeof *b, cmp_hb, (void *)a);
  if (!rc) rc = count_buckets(r, n);
  size_t full = 0;
  for (size_t i = 0; i < n; i++) full += b[i].n > 0;
  if (!rc) rc = budget(r, a, full);
  if (!rc) rc = hist_emit(r, a, q, b, n, o);
  free(b);
  return rc;
}

/* ---- filter, filters ---- */

static int filter_bucket(run *r, const agg *a, const char *q, const char *fq, json_t *b) {
  char *nq = q == NOTHING ? NULL : and_query(q, fq);
  if (q != NOTHING && !nq) return oom(r);
  uint64_t n = 0;
  int rc = count_of(r, nq ? nq : NOTHING, &n);
  if (!rc) rc = put(r, b, "doc_count", json_integer((json_int_t)n));
  if (!rc) rc = run_aggs(r, a->sub, a->nsub, n ? nq : NOTHING, b);
  free(nq);
  return rc;
}

/* The articles of q matching none of the filters: "(q) -(f1) -(f2) ...". */
static char *other_query(const agg *a, const char *q) {
  size_t len = strlen(q) + 3;
  for (size_t i = 0; i < a->nq; i++) len += strlen(a->q[i]) + 5;
  char *s = malloc(len + 1), *p = s;
  if (!s) return NULL;
  p += sprintf(p, "(%s)", q);
  for (size_t i = 0; i < a->nq; i++) p += sprintf(p, " -(%s)", a->q[i]);
  return s;
}

static int filters_add(run *r, const agg *a, json_t *all, const char *key, json_t **b) {
  if (!(*b = json_object())) return oom(r);
  if (a->keyed) return json_object_set_new(all, key, *b) ? oom(r) : 0;
  if (json_array_append_new(all, *b)) return oom(r);
  return key ? put(r, *b, "key", json_string(key)) : 0;
}

static int run_filters(run *r, const agg *a, const char *q, json_t *o) {
  json_t *all = a->keyed ? json_object() : json_array(), *b;
  if (put(r, o, "buckets", all)) return -1;
  for (size_t i = 0; i < a->nq; i++)
    if (filters_add(r, a, all, a->key ? a->key[i] : NULL, &b) || filter_bucket(r, a, q, a->q[i], b)) return -1;
  if (!a->other) return 0;
  if (filters_add(r, a, all, a->key ? a->other_key : NULL, &b)) return -1;
  char *oq = q == NOTHING ? NULL : other_query(a, q);
  if (q != NOTHING && !oq) return oom(r);
  uint64_t n = 0;
  int rc = count_of(r, oq ? oq : NOTHING, &n);
  if (!rc) rc = put(r, b, "doc_count", json_integer((json_int_t)n));
  if (!rc) rc = run_aggs(r, a->sub, a->nsub, n ? oq : NOTHING, b);
  free(oq);
  return rc;
}

/* ---- min, max, value_count, cardinality ---- */

/* The oldest (want_max 0) or newest date of q's articles, in ms; *found 0
** when none is dated.  The day histogram names the first or last day; the
** articles of that day are read for their exact time. */
static int extreme_date(run *r, const char *q, int want_max, int64_t *ms, int *found) {
  nd_facets *f = NULL;
  *found = 0;
  if (facets_of(r, q, NULL, ND_HIST_DAY, &f)) return -1;
  if (!f || !f->nhist) { nd_facets_free(f); return 0; }
  const nd_count *day = &f->hist[want_max ? f->nhist - 1 : 0];
  char clause[48];
  snprintf(clause, sizeof clause, "date:%s", day->key);
  char *nq = and_query(q, clause);
  nd_search_options so = {.limit = want_max ? 1 : (size_t)day->count, .sort = ND_SORT_DATE, .versions = ND_VERSIONS_ALL};
  nd_results *res = NULL;
  int rc = !nq ? oom(r) : count_run(r);
  if (!rc && (rc = nd_search(r->ix, nq, &so, &res))) rc = lib_fail(r, rc, nq);
  for (size_t i = 0; !rc && i < nd_results_count(res); i++) {
    nd_hit h;
    int64_t s;
    if (nd_results_hit(res, i, &h) || nd_parse_date(h.date, &s, NULL, 0)) continue;
    if (!*found || (want_max ? s > *ms / 1000 : s < *ms / 1000)) *ms = s * 1000;
    *found = 1;
  }
  if (!rc && !*found) rc = es_fail(r->e, 500, "exception", "no dated article found on %s", day->key);
  nd_results_free(res);
  free(nq);
  nd_facets_free(f);
  return rc;
}

static int run_extreme(run *r, const agg *a, const char *q, json_t *o) {
  int64_t ms = 0;
  int found = 0;
  if (q != NOTHING && extreme_date(r, q, a->kind == AG_MAX, &ms, &found)) return -1;
  if (!found) return put(r, o, "value", json_null());
  char s[40];
  format_ms(ms, a->fmt, s, sizeof s);
  return put(r, o, "value", json_integer((json_int_t)ms)) || put(r, o, "value_as_string", json_string(s)) ? -1 : 0;
}

static int run_count(run *r, const agg *a, const char *q, json_t *o) {
  uint64_t v = 0;
  nd_facets *f = NULL;
  if (a->field->type == F_ID) {
    if (count_of(r, q, &v)) return -1;
  } else if (a->field->type == F_DATE) {
    if (facets_of(r, q, NULL, ND_HIST_YEAR, &f)) return -1;
    v = f ? f->total - f->undated : 0;
  } else {
    if (facets_of(r, q, a->field->facet, ND_HIST_NONE, &f)) return -1;
    for (size_t i = 0; f && i < f->fields[0].n; i++) v += a->kind == AG_CARD ? 1 : f->fields[0].counts[i].count;
  }
  nd_facets_free(f);
  return put(r, o, "value", json_integer((json_int_t)v));
}

/* ---- the tree ---- */

static int run_one(run *r, const agg *a, const char *q, json_t *o) {
  if (a->meta && put(r, o, "meta", json_deep_copy(a->meta))) return -1;
  switch (a->kind) {
  case AG_TERMS: return run_terms(r, a, q, o);
  case AG_HIST: return run_hist(r, a, q, o);
  case AG_FILTER: return filter_bucket(r, a, q, a->q[0], o);
  case AG_FILTERS: return run_filters(r, a, q, o);
  case AG_MIN: case AG_MAX: return run_extreme(r, a, q, o);
  default: return run_count(r, a, q, o);
  }
}

static int run_aggs(run *r, const agg *a, size_t n, const char *q, json_t *out) {
  for (size_t i = 0; i < n; i++) {
    json_t *o = json_object();
    if (put(r, out, a[i].name, o) || run_one(r, &a[i], q, o)) return -1;
  }
  return 0;
}

int es_aggs(nd_index *ix, const char *query, const json_t *aggs, int64_t now_ms, json_t **out, es_err *e) {
  run r = {.ix = ix, .now_ms = now_ms, .e = e};
  agg *list = NULL;
  size_t n = 0;
  char *all = NULL;
  *out = NULL;
  if (!aggs || json_is_null(aggs)) return (*out = json_object()) ? 0 : oom(&r);
  int rc = parse_aggs(&r, aggs, 1, &list, &n);
  if (!rc && !query && !(query = all = es_query(NULL, now_ms, NULL, e))) rc = -1;
  json_t *o = rc ? NULL : json_object();
  if (!rc && !o) rc = oom(&r);
  if (!rc) rc = run_aggs(&r, list, n, query, o);
  free_aggs(list, n);
  free(all);
  if (rc) { json_decref(o); return -1; }
  *out = o;
  return 0;
}
