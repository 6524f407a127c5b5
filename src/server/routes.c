/*
** routes.c -- the JSON API of `newsdex serve` (docs/api.md).
**
**   GET    /api/search?q=&limit=&offset=&sort=&facets=&histogram=&versions=&recency=&as_of=
**          (limit=0: the total, facets and histogram without hits)
**   GET    /api/suggest?prefix=&limit=
**   GET    /api/stats
**   GET    /api/doc/ID            GET /api/doc/ID/related?limit=
**   GET    /api/threads?from=&to=&limit=   GET /api/thread/KEY
**   POST   /api/docs              DELETE /api/doc/ID      (write token)
**
** Reads borrow a reader handle from the pool; writes take the writer
** handle's mutex, so that they run one at a time, and commit before they
** answer.  Every parameter is checked and a bad one answered with 400 and a
** message naming it.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../cli/cli.h"
#include "../ingest/ingest.h"
#include "../util/date.h"
#include "server.h"

#define READER_WAIT_MS 2000 /* a request waits this long for a free handle, then 503 */
#define MAX_QUERY 4096      /* bytes of q */
#define MAX_PREFIX 200      /* bytes of a suggest prefix */
#define MAX_LIMIT 100
#define MAX_OFFSET 10000
#define TITLE_SUGGESTIONS 5

/* Topic facets: the key topics of the matching articles by type;
** "topic" asks for all three. */
static const char *const TOPIC_FIELDS[] = {"people", "organisations", "places"};
#define NTOPIC_FIELDS (sizeof TOPIC_FIELDS / sizeof *TOPIC_FIELDS)

static double now_ms(void) { return cli_now() * 1e3; }

/* ---- parameters ----------------------------------------------------- */

/* A whole number parameter in [min, max] (def when absent).  0, or 400 set. */
static int num_arg(const request *r, const char *name, unsigned long min, unsigned long max, unsigned long def,
                   unsigned long *v, reply *out) {
  const char *s = req_arg(r, name);
  *v = def;
  if (!s) return 0;
  char *end;
  unsigned long x = strtoul(s, &end, 10);
  if (!*s || *s == '-' || *s == '+' || *end || x < min || x > max)
    return (int)reply_error(out, 400, "parameter %s wants a whole number from %lu to %lu", name, min, max);
  *v = x;
  return 0;
}

static reader *borrow(const request *r, reply *out) {
  int rc;
  reader *rd = pool_get(r->pool, READER_WAIT_MS, &rc);
  if (!rd) {
    reply_error(out, 503, "the server is overloaded: no archive handle became free; try again");
    return NULL;
  }
  if (rc) {
    reply_lib_error(out, rd->ix, rc);
    pool_put(r->pool, rd);
    return NULL;
  }
  return rd;
}

/* ---- /api/search ---------------------------------------------------- */

static int hist_unit(const char *s) {
  static const char *const names[] = {"", "day", "week", "month", "year"};
  for (int i = 1; i < 5; i++)
    if (!strcmp(s, names[i])) return i;
  return -1;
}

static void day_text(int64_t days, char *out, size_t cap) {
  int64_t y;
  unsigned m, d;
  date_civil_from_days(days, &y, &m, &d);
  snprintf(out, cap, "%04lld-%02u-%02u", (long long)y, m, d);
}

/* The query clause that selects a histogram period. */
static json_t *period_filter(const char *key, int unit) {
  char f[64];
  long long y;
  unsigned w;
  if (unit == ND_HIST_WEEK && sscanf(key, "%lld-W%u", &y, &w) == 2) {
    int64_t jan4 = date_days_from_civil(y, 1, 4);
    int64_t monday = jan4 - ((jan4 % 7 + 7 + 3) % 7) + (int64_t)(w - 1) * 7;
    char a[16], b[16];
    day_text(monday, a, sizeof a);
    day_text(monday + 6, b, sizeof b);
    snprintf(f, sizeof f, "date:%s..%s", a, b);
  } else {
    snprintf(f, sizeof f, "date:%s", key);
  }
  return json_string(f);
}

/* The query clause that narrows a search to a facet value: source:"VALUE",
** or person:"NAME" (org:, place:) for a topic, its quotes blanked (a
** source's key counts them as spaces, and they are no part of a normalised
** name).  malloc'ed; NULL without memory. */
static char *facet_filter(const char *field, const char *key) {
  static const char *const QUERY_FIELD[NTOPIC_FIELDS] = {"person", "org", "place"};
  const char *qf = strcmp(field, "source") ? NULL : "source";
  for (size_t i = 0; i < NTOPIC_FIELDS; i++)
    if (!strcmp(field, TOPIC_FIELDS[i])) qf = QUERY_FIELD[i];
  size_t len = strlen(field) + strlen(key) + 4;
  char *f = malloc(len);
  if (!f) return NULL;
  if (!qf) {
    snprintf(f, len, "%s:%s", field, key);
    return f;
  }
  snprintf(f, len, "%s:\"%s\"", qf, key);
  for (char *p = f + strlen(qf) + 2; p[1]; p++)
    if (*p == '"') *p = ' ';
  return f;
}

static json_t *counts_json(const nd_count *c, size_t n, const char *field, int unit) {
  json_t *a = json_array();
  for (size_t i = 0; i < n; i++) {
    json_t *o = json_object();
    json_object_set_new(o, "value", cli_json_str(c[i].key));
    json_object_set_new(o, "count", json_integer((json_int_t)c[i].count));
    if (field) {
      char *f = facet_filter(field, c[i].key);
      json_object_set_new(o, "filter", f ? cli_json_str(f) : json_null());
      free(f);
    } else {
      json_object_set_new(o, "filter", period_filter(c[i].key, unit));
    }
    json_array_append_new(a, o);
  }
  return a;
}

/* Years from a histogram by day, month or year: the keys' first 4 bytes. */
static json_t *years_from(const nd_facets *f) {
  nd_count *y = calloc(f->nhist + 1, sizeof *y);
  char (*keys)[8] = calloc(f->nhist + 1, sizeof *keys);
  size_t n = 0;
  for (size_t i = 0; y && keys && i < f->nhist; i++) {
    if (n && !strncmp(keys[n - 1], f->hist[i].key, 4)) { y[n - 1].count += f->hist[i].count; continue; }
    memcpy(keys[n], f->hist[i].key, 4);
    y[n] = (nd_count){keys[n], f->hist[i].count};
    n++;
  }
  json_t *a = json_array();
  for (size_t i = n; i-- > 0;) { /* newest first */
    json_t *one = counts_json(&y[i], 1, NULL, ND_HIST_YEAR);
    json_array_extend(a, one);
    json_decref(one);
  }
  free(y);
  free(keys);
  return a;
}

/* The topic facet named s[0..n), or NULL. */
static const char *topic_field(const char *s, size_t n) {
  for (size_t i = 0; i < NTOPIC_FIELDS; i++)
    if (strlen(TOPIC_FIELDS[i]) == n && !strncmp(s, TOPIC_FIELDS[i], n)) return TOPIC_FIELDS[i];
  return NULL;
}

/* Parse the facets= list into term fields and the year flag; 0 or 400. */
static int facet_list(const char *s, const char **fields, size_t *nf, size_t cap, int *year, reply *out) {
  *nf = 0;
  *year = 0;
  while (s && *s) {
    size_t n = strcspn(s, ",");
    if (n == 4 && !strncmp(s, "year", 4)) *year = 1;
    else if (n == 6 && !strncmp(s, "source", 6) && *nf < cap) fields[(*nf)++] = "source";
    else if (n == 5 && !strncmp(s, "topic", 5))
      for (size_t i = 0; i < NTOPIC_FIELDS && *nf < cap; i++) fields[(*nf)++] = TOPIC_FIELDS[i];
    else if (n && topic_field(s, n) && *nf < cap) fields[(*nf)++] = topic_field(s, n);
    else if (n) return (int)reply_error(out, 400, "parameter facets: unknown facet '%.*s' (known: topic, people, organisations, places, source, year)", (int)(n > 40 ? 40 : n), s);
    s += n + (s[n] == ',');
  }
  return 0;
}

static void api_search(const request *r, reply *out) {
  const char *q = req_arg(r, "q");
  if (!q || !*q) { reply_error(out, 400, "parameter q (the query) is missing"); return; }
  if (strlen(q) > MAX_QUERY) { reply_error(out, 400, "parameter q is longer than %d bytes", MAX_QUERY); return; }
  unsigned long limit, offset;
  if (num_arg(r, "limit", 0, MAX_LIMIT, 10, &limit, out) || num_arg(r, "offset", 0, MAX_OFFSET, 0, &offset, out)) return;
  const char *sort = req_arg(r, "sort");
  if (sort && strcmp(sort, "relevance") && strcmp(sort, "date") && strcmp(sort, "date-asc")) { reply_error(out, 400, "parameter sort wants relevance, date or date-asc"); return; }
  const char *hs = req_arg(r, "histogram");
  int unit = hs && *hs ? hist_unit(hs) : ND_HIST_NONE;
  if (unit < 0) { reply_error(out, 400, "parameter histogram wants day, week, month or year"); return; }
  const char *fields[8];
  size_t nf;
  int year;
  if (facet_list(req_arg(r, "facets"), fields, &nf, 8, &year, out)) return;
  const char *vs = req_arg(r, "versions"), *rs = req_arg(r, "recency"), *as = req_arg(r, "as_of");
  if (vs && strcmp(vs, "collapse") && strcmp(vs, "all")) { reply_error(out, 400, "parameter versions wants collapse or all"); return; }
  double half_life = 0;
  int64_t as_of = 0;
  char why[160];
  if (rs && *rs && date_parse_duration(rs, &half_life, why, sizeof why)) { reply_error(out, 400, "parameter recency: %s", why); return; }
  if (as && *as && date_parse(as, strlen(as), &as_of, why, sizeof why)) { reply_error(out, 400, "parameter as_of: %s", why); return; }
  if (as && *as && !half_life) { reply_error(out, 400, "parameter as_of needs recency"); return; }
  int versions = vs && !strcmp(vs, "all") ? ND_VERSIONS_ALL : ND_VERSIONS_COLLAPSE;
  reader *rd = borrow(r, out);
  if (!rd) return;
  double t0 = now_ms();
  nd_search_options so = {.limit = limit, .offset = offset, .sort = !sort ? ND_SORT_RELEVANCE : !strcmp(sort, "date") ? ND_SORT_DATE : !strcmp(sort, "date-asc") ? ND_SORT_DATE_ASC : ND_SORT_RELEVANCE,
                          .snippets = ND_SNIPPET_HTML, .hl_open = "<mark>", .hl_close = "</mark>",
                          .count = limit ? ND_COUNT_EXACT : ND_COUNT_ONLY, /* limit=0: no hits */
                          .versions = versions, .half_life = half_life, .as_of = as_of};
  nd_results *res = NULL;
  nd_facets *fa = NULL, *fy = NULL;
  int rc = nd_search(rd->ix, q, &so, &res);
  int want_facets = nf || unit || year;
  /* The year facet comes from the histogram unless that is by week
  ** (ISO weeks straddle years): then it is counted by itself. */
  int hunit = unit ? unit : year ? ND_HIST_YEAR : ND_HIST_NONE;
  if (!rc && want_facets) {
    nd_facet_options fo = {.fields = fields, .nfields = nf, .limit = 12, .histogram = hunit, .versions = versions};
    rc = nd_facets_get(rd->ix, q, &fo, &fa);
  }
  if (!rc && year && unit == ND_HIST_WEEK) {
    nd_facet_options fo = {.histogram = ND_HIST_YEAR, .versions = versions};
    rc = nd_facets_get(rd->ix, q, &fo, &fy);
  }
  double took = now_ms() - t0;
  if (rc) {
    reply_lib_error(out, rd->ix, rc);
  } else {
    json_t *o = out->json = json_object();
    json_object_set_new(o, "query", json_string(q));
    json_object_set_new(o, "total", json_integer((json_int_t)nd_results_total(res)));
    json_object_set_new(o, "stories", json_integer((json_int_t)nd_results_stories(res)));
    json_object_set_new(o, "versions", json_string(versions == ND_VERSIONS_ALL ? "all" : "collapse"));
    json_object_set_new(o, "took_ms", json_real(took));
    json_object_set_new(o, "offset", json_integer((json_int_t)offset));
    json_object_set_new(o, "limit", json_integer((json_int_t)limit));
    json_object_set_new(o, "sort", json_string(so.sort == ND_SORT_DATE ? "date" : so.sort == ND_SORT_DATE_ASC ? "date-asc" : "relevance"));
    json_object_set_new(o, "hits", cli_hits_json(res));
    if (want_facets) {
      json_t *f = json_object();
      for (size_t i = 0; i < fa->nfields; i++)
        json_object_set_new(f, fa->fields[i].field, counts_json(fa->fields[i].counts, fa->fields[i].n, fa->fields[i].field, 0));
      if (year) json_object_set_new(f, "year", years_from(fy ? fy : fa));
      json_object_set_new(o, "facets", f);
    }
    if (unit) {
      json_t *h = json_object();
      json_object_set_new(h, "unit", json_string(hs));
      json_object_set_new(h, "buckets", counts_json(fa->hist, fa->nhist, NULL, unit));
      json_object_set_new(h, "undated", json_integer((json_int_t)fa->undated));
      json_object_set_new(o, "histogram", h);
    }
  }
  nd_results_free(res);
  nd_facets_free(fa);
  nd_facets_free(fy);
  pool_put(r->pool, rd);
}

/* ---- /api/suggest --------------------------------------------------- */

/* The title query for what is typed: every word as title:WORD, the last
** one as a prefix when it has two characters or more.  Only letters,
** digits and non-ASCII bytes make words, so nothing typed can be an
** operator or syntax.  Returns 0 when there is no word. */
static int title_query(const char *s, char *q, size_t cap) {
  size_t o = 0;
  int words = 0;
  while (*s) {
    while (*s && !((unsigned char)*s >= 0x80 || (*s >= '0' && *s <= '9') || ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z'))) s++;
    const char *w = s;
    while ((unsigned char)*s >= 0x80 || (*s >= '0' && *s <= '9') || ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z')) s++;
    size_t n = (size_t)(s - w);
    if (!n) break;
    int last = !*s;
    if (last && n < 2) break;
    int k = snprintf(q + o, cap - o, "%stitle:%.*s%s", words ? " " : "", (int)n, w, last ? "*" : "");
    if (k < 0 || (size_t)k >= cap - o) return 0;
    o += (size_t)k;
    words++;
  }
  return words;
}

/* The word being typed: the text after the last space or punctuation. */
static const char *last_word(const char *s) {
  const char *w = s;
  for (const char *c = s; *c; c++)
    if ((unsigned char)*c < 0x80 && !((*c >= '0' && *c <= '9') || ((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z') || *c == '\'')) w = c + 1;
  return w;
}

static void api_suggest(const request *r, reply *out) {
  const char *p = req_arg(r, "prefix");
  if (!p) { reply_error(out, 400, "parameter prefix is missing"); return; }
  if (strlen(p) > MAX_PREFIX) { reply_error(out, 400, "parameter prefix is longer than %d bytes", MAX_PREFIX); return; }
  unsigned long limit;
  if (num_arg(r, "limit", 1, 20, 8, &limit, out)) return;
  reader *rd = borrow(r, out);
  if (!rd) return;
  const char *word = last_word(p);
  nd_count *c = NULL;
  size_t n = 0;
  int rc = nd_suggest(rd->ix, word, limit, &c, &n);
  nd_results *res = NULL;
  char tq[MAX_PREFIX * 8];
  if (!rc && title_query(p, tq, sizeof tq)) {
    nd_search_options so = {.limit = TITLE_SUGGESTIONS};
    rc = nd_search(rd->ix, tq, &so, &res);
    if (rc == ND_ERR_QUERY || rc == ND_ERR_LIMIT) rc = 0; /* e.g. a prefix matching too many terms */
  }
  if (rc) {
    reply_lib_error(out, rd->ix, rc);
  } else {
    json_t *o = out->json = json_object();
    json_object_set_new(o, "prefix", json_string(p));
    json_object_set_new(o, "word", json_string(word));
    json_t *terms = json_array();
    for (size_t i = 0; i < n; i++) {
      json_t *t = json_object();
      json_object_set_new(t, "term", json_string(c[i].key));
      json_object_set_new(t, "count", json_integer((json_int_t)c[i].count));
      json_array_append_new(terms, t);
    }
    json_object_set_new(o, "terms", terms);
    json_t *titles = json_array();
    for (size_t i = 0; res && i < nd_results_count(res); i++) {
      nd_hit h;
      nd_results_hit(res, i, &h);
      json_t *t = json_object();
      json_object_set_new(t, "id", json_string(h.id));
      json_object_set_new(t, "title", cli_json_str(h.headline));
      json_array_append_new(titles, t);
    }
    json_object_set_new(o, "titles", titles);
    json_object_set_new(o, "topics", json_array());
  }
  nd_counts_free(c);
  nd_results_free(res);
  pool_put(r->pool, rd);
}

/* ---- /api/stats ----------------------------------------------------- */

static void api_stats(const request *r, reply *out) {
  reader *rd = borrow(r, out);
  if (!rd) return;
  nd_stats s;
  int rc = nd_stats_get(rd->ix, &s);
  if (rc) {
    reply_lib_error(out, rd->ix, rc);
  } else if ((out->json = cli_stats_json(NULL, &s))) {
    char when[32] = "";
    struct tm tm;
    if (gmtime_r(&rd->seen.st_mtim.tv_sec, &tm)) strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    json_object_set_new(out->json, "last_commit", cli_json_str(when));
  }
  pool_put(r->pool, rd);
}

/* ---- /api/doc/ID, /api/doc/ID/related ---------------------------------- */

static void api_doc(const request *r, const char *id, reply *out) {
  reader *rd = borrow(r, out);
  if (!rd) return;
  nd_document *d = NULL;
  int rc = nd_get(rd->ix, id, &d);
  if (rc) {
    reply_lib_error(out, rd->ix, rc);
  } else if ((out->json = cli_doc_json(nd_document_doc(d)))) {
    /* Its key topics (docs/linking.md): what they are, and where the
    ** first mention of each is in the body (bytes), for "(search)" links. */
    const nd_doc *dd = nd_document_doc(d);
    json_t *topics = json_array(), *spans = json_array();
    nd_links *lk = NULL;
    if (nd_link_doc(rd->ix, dd, NULL, &lk) == ND_OK) {
      for (size_t i = 0; i < nd_links_count(lk); i++) {
        nd_topic t;
        if (nd_links_topic(lk, i, &t)) continue;
        json_t *o = json_object(), *sp = json_object();
        json_object_set_new(o, "text", json_string(t.text));
        json_object_set_new(o, "type", json_string(nd_topic_type_name(t.type)));
        json_object_set_new(o, "score", json_real(t.score));
        json_object_set_new(o, "mentions", json_integer((json_int_t)t.mentions));
        json_object_set_new(o, "articles", json_integer((json_int_t)t.articles));
        json_object_set_new(o, "forms", cli_topic_forms(lk, &t, dd->body ? dd->body : ""));
        json_array_append_new(topics, o);
        json_object_set_new(sp, "start", json_integer((json_int_t)t.start));
        json_object_set_new(sp, "end", json_integer((json_int_t)t.end));
        json_object_set_new(sp, "text", json_stringn(dd->body + t.start, t.end - t.start));
        json_object_set_new(sp, "type", json_string(nd_topic_type_name(t.type)));
        json_array_append_new(spans, sp);
      }
    }
    nd_links_free(lk);
    json_object_set_new(out->json, "topics", topics);
    json_object_set_new(out->json, "spans", spans);
    /* Its versions (wire copies) and its story thread (docs/stories.md). */
    if ((rc = cli_doc_stories(rd->ix, dd->id, out->json))) {
      json_decref(out->json);
      out->json = NULL;
      reply_lib_error(out, rd->ix, rc);
    }
  }
  nd_document_free(d);
  pool_put(r->pool, rd);
}

static void api_related(const request *r, const char *id, reply *out) {
  unsigned long limit;
  if (num_arg(r, "limit", 1, 50, 5, &limit, out)) return;
  reader *rd = borrow(r, out);
  if (!rd) return;
  nd_search_options so = {.limit = limit, .snippets = ND_SNIPPET_HTML, .hl_open = "<mark>", .hl_close = "</mark>"};
  nd_results *res = NULL;
  int rc = nd_related(rd->ix, id, &so, &res);
  if (rc) {
    reply_lib_error(out, rd->ix, rc);
  } else {
    out->json = json_object();
    json_object_set_new(out->json, "id", json_string(id));
    json_object_set_new(out->json, "hits", cli_hits_json(res));
  }
  nd_results_free(res);
  pool_put(r->pool, rd);
}

/* ---- /api/threads, /api/thread/KEY ------------------------------------------ */

static void api_threads(const request *r, reply *out) {
  unsigned long limit;
  if (num_arg(r, "limit", 1, MAX_LIMIT, 10, &limit, out)) return;
  const char *from = req_arg(r, "from"), *to = req_arg(r, "to");
  char why[160];
  int64_t lo, hi;
  if (from && *from && date_parse_period(from, strlen(from), &lo, &hi, why, sizeof why)) { reply_error(out, 400, "parameter from: %s", why); return; }
  if (to && *to && date_parse_period(to, strlen(to), &lo, &hi, why, sizeof why)) { reply_error(out, 400, "parameter to: %s", why); return; }
  reader *rd = borrow(r, out);
  if (!rd) return;
  nd_thread_options o = {.from = from, .to = to, .limit = limit};
  nd_threads *t = NULL;
  int rc = nd_threads_list(rd->ix, &o, &t);
  if (rc) {
    reply_lib_error(out, rd->ix, rc);
  } else {
    json_t *a = json_array();
    for (size_t i = 0; i < nd_threads_count(t); i++) {
      nd_thread th;
      nd_threads_item(t, i, &th);
      json_array_append_new(a, cli_thread_json(&th));
    }
    out->json = json_object();
    json_object_set_new(out->json, "threads", a);
  }
  nd_threads_free(t);
  pool_put(r->pool, rd);
}

static void api_thread(const request *r, const char *key, reply *out) {
  reader *rd = borrow(r, out);
  if (!rd) return;
  nd_threads *t = NULL;
  nd_results *res = NULL;
  int rc = nd_thread_get(rd->ix, key, &t);
  if (!rc) rc = nd_thread_articles(rd->ix, key, &res);
  if (rc) {
    reply_lib_error(out, rd->ix, rc);
  } else {
    nd_thread th;
    nd_threads_item(t, 0, &th);
    out->json = cli_thread_json(&th);
    if (out->json) json_object_set_new(out->json, "hits", cli_hits_json(res));
  }
  nd_results_free(res);
  nd_threads_free(t);
  pool_put(r->pool, rd);
}

/* ---- writes -------------------------------------------------------------- */

typedef struct add_ctx {
  nd_index *w;
  json_t *ids, *rejected;
} add_ctx;

static void add_reject(add_ctx *a, uint64_t line, const char *why) {
  json_t *o = json_object();
  json_object_set_new(o, "line", json_integer((json_int_t)line));
  json_object_set_new(o, "error", cli_json_str(why));
  json_array_append_new(a->rejected, o);
}

static int add_one(void *ctx, const nd_doc *doc, const char *file, uint64_t line) {
  add_ctx *a = ctx;
  const char *id = NULL;
  int rc = nd_add(a->w, doc, &id);
  if (rc == ND_ERR_INVALID) add_reject(a, line, nd_errmsg(a->w));
  else if (rc) return rc; /* the buffer is in doubt: stop */
  else json_array_append_new(a->ids, json_string(id));
  return 0;
}

static void add_error(void *ctx, const char *file, uint64_t line, const char *reason) { add_reject(ctx, line, reason); }

static void api_add(const request *r, reply *out) {
  if (req_authorised(r, out, 0)) return;
  if (!r->body_len) { reply_error(out, 400, "empty body: send one JSON article per line"); return; }
  add_ctx a = {r->pool->writer, json_array(), json_array()};
  pool_wlock(r->pool);
  int rc = 0;
  uint64_t lineno = 0;
  for (const char *s = r->body, *end = r->body + r->body_len; s < end && !rc;) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *e = nl ? nl : end;
    lineno++;
    size_t n = (size_t)(e - s);
    if (n && e[-1] == '\r') n--;
    size_t k = 0;
    while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
    if (k < n) rc = ingest_json_line(s, n, "body", lineno, add_one, add_error, &a);
    s = e + 1;
  }
  size_t added = json_array_size(a.ids);
  if (!rc && added) rc = pool_commit(r->pool);
  if (rc) {
    reply_lib_error(out, a.w, rc);
    out->status = 500;
    json_object_set_new(out->json, "status", json_integer(500));
  } else {
    out->status = added || !json_array_size(a.rejected) ? 200 : 400;
    out->json = json_object();
    json_object_set_new(out->json, "added", json_integer((json_int_t)added));
    json_object_set_new(out->json, "ids", json_incref(a.ids));
    json_object_set_new(out->json, "rejected", json_incref(a.rejected));
  }
  pool_wunlock(r->pool);
  json_decref(a.ids);
  json_decref(a.rejected);
}

static void api_delete(const request *r, const char *id, reply *out) {
  if (req_authorised(r, out, 0)) return;
  nd_index *w = r->pool->writer;
  pool_wlock(r->pool);
  int rc = nd_delete(w, id);
  if (!rc) rc = pool_commit(r->pool);
  if (rc) {
    reply_lib_error(out, w, rc);
  } else {
    out->json = json_object();
    json_object_set_new(out->json, "deleted", json_string(id));
  }
  pool_wunlock(r->pool);
}

/* ---- routing ---------------------------------------------------------- */

static int is_read(const request *r) { return !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD"); }

static void not_allowed(const request *r, reply *out, const char *allow) {
  out->allow = allow;
  reply_error(out, 405, "method %s not allowed on %s (allowed: %s)", r->method, r->path, allow);
}

void api_route(const request *r, reply *out) {
  const char *p = r->path;
  static const char DOC[] = "/api/doc/", REL[] = "/related";
  if (!strcmp(p, "/api/search") || !strcmp(p, "/api/suggest") || !strcmp(p, "/api/stats")) {
    if (!is_read(r)) { not_allowed(r, out, "GET, HEAD"); return; }
    if (p[5] == 's' && p[6] == 'e') api_search(r, out);
    else if (p[6] == 'u') api_suggest(r, out);
    else api_stats(r, out);
  } else if (!strcmp(p, "/api/threads")) {
    if (!is_read(r)) { not_allowed(r, out, "GET, HEAD"); return; }
    api_threads(r, out);
  } else if (!strncmp(p, "/api/thread/", 12) && p[12]) {
    if (!is_read(r)) { not_allowed(r, out, "GET, HEAD"); return; }
    api_thread(r, p + 12, out);
  } else if (!strcmp(p, "/api/docs")) {
    if (strcmp(r->method, "POST")) { not_allowed(r, out, "POST"); return; }
    api_add(r, out);
  } else if (!strncmp(p, DOC, sizeof DOC - 1) && p[sizeof DOC - 1]) {
    const char *id = p + sizeof DOC - 1;
    size_t n = strlen(id);
    if (n > sizeof REL - 1 && !strcmp(id + n - (sizeof REL - 1), REL)) {
      if (!is_read(r)) { not_allowed(r, out, "GET, HEAD"); return; }
      char *rid = strndup(id, n - (sizeof REL - 1));
      if (rid) api_related(r, rid, out);
      else reply_error(out, 500, "out of memory");
      free(rid);
    } else if (is_read(r)) {
      api_doc(r, id, out);
    } else if (!strcmp(r->method, "DELETE")) {
      api_delete(r, id, out);
    } else {
      not_allowed(r, out, "GET, HEAD, DELETE");
    }
  } else {
    reply_error(out, 404, "no such endpoint: %s (see docs/api.md)", p);
  }
}
