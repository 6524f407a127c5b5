/*
** search.c -- ES's _search and _count on one archive.
**
** es_plan_parse reads a search body into a plan: the newsdex query (dsl.c
** translates "query"; "post_filter" narrows the hits but not the
** aggregations), from/size (from + size at most ES_MAX_WINDOW, as ES's
** max_result_window), sort, track_total_hits, _source, highlight,
** collapse, search_after and aggregations.  Every other key is refused with
** 400, naming it.  es_search runs the plan with nd_search:
**
**   sort      _score (newsdex's order: score, then newer first) or date
**             desc/asc; `_id` after the first key orders its ties by id,
**             `_doc` is accepted as a tie-break and ignored.  Hits carry
**             "sort" values when a sort was given: [score] or [date in ms]
**             (then [id] for an _id key); an undated article's date value
**             is ES's missing value (Long.MIN_VALUE when descending,
**             Long.MAX_VALUE ascending: it sorts last).  Sorted by date,
**             _score is null unless track_scores.
**   search_after  resumes after the given sort values.  By date the query
**             is narrowed to dates up to (or from) the value, so a page
**             costs what the page holds plus the articles of its first
**             date; by _score the hits before it are fetched (ids only),
**             which bounds it to ES_MAX_WINDOW hits deep.
**   totals    exact by default (track_total_hits true), absent with
**             false, capped at N ("gte") with a number.
**   highlight the body's snippet (newsdex's snippet: one fragment around
**             the densest matches, HTML-escaped, with the requested tags).
**   collapse  {"field": "story"}: one hit per wire-copy group (story),
**             with fields.story.
*/
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/mem.h"
#include "es.h"

#define MISSING_DESC INT64_MIN /* an undated article's date key, sorted last */
#define MISSING_ASC INT64_MAX

static double now_ms_clock(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Note one line in the plan's warnings (es_note; without memory the
** note is lost, not the search). */
static void warn(es_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(es_plan *p, const char *fmt, ...) {
  char w[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(w, sizeof w, fmt, ap);
  va_end(ap);
  es_note(&p->warnings, w);
}

/* Add the notes of a translation (lines) to the plan's. */
static void take_warnings(es_plan *p, char *w) {
  for (char *line = w, *nl; line && *line; line = nl ? nl + 1 : NULL) {
    if ((nl = strchr(line, '\n'))) *nl = 0;
    es_note(&p->warnings, line);
  }
  mem_free(w);
}

/* ---- parsing ---------------------------------------------------------- */

static int whole(const json_t *v, const char *name, uint64_t max, uint64_t *out, es_err *e) {
  if (json_is_string(v)) { /* URL parameters arrive as strings */
    char *end;
    const char *s = json_string_value(v);
    unsigned long long x = strtoull(s, &end, 10);
    if (!*s || *end || *s == '-') return es_fail(e, 400, "illegal_argument_exception", "[%s] wants a whole number, not [%s]", name, s);
    *out = x;
  } else if (json_is_integer(v) && json_integer_value(v) >= 0) {
    *out = (uint64_t)json_integer_value(v);
  } else {
    return es_fail(e, 400, "parsing_exception", "[%s] wants a whole number", name);
  }
  if (*out > max) return es_fail(e, 400, "illegal_argument_exception", "[%s] must be at most %llu", name, (unsigned long long)max);
  return 0;
}

/* One sort key: its field and whether it is descending. */
static int sort_key(const json_t *k, const char **field, char *buf, size_t cap, int *desc, es_err *e) {
  const char *order = NULL;
  *field = "";
  *desc = 0;
  if (json_is_string(k)) {
    *field = json_string_value(k);
  } else if (json_is_object(k) && json_object_size(k) == 1) {
    const char *f;
    json_t *v;
    json_object_foreach((json_t *)k, f, v) {
      *field = f;
      if (json_is_string(v)) order = json_string_value(v);
      else if (json_is_object(v)) {
        const char *ok;
        json_t *ov;
        json_object_foreach(v, ok, ov) {
          if (!strcmp(ok, "order") && json_is_string(ov)) order = json_string_value(ov);
          else if (strcmp(ok, "unmapped_type") && strcmp(ok, "format") && strcmp(ok, "missing"))
            return es_fail(e, 400, "parsing_exception", "sort option [%s] of [%s] is not supported by newsdex", ok, f);
        }
      } else return es_fail(e, 400, "parsing_exception", "bad sort value for [%s]", f);
    }
  } else {
    return es_fail(e, 400, "parsing_exception", "a sort key is a field name or {field: order}");
  }
  /* The URL form "field:order". */
  const char *colon = strchr(*field, ':');
  if (colon && !order && (size_t)(colon - *field) < cap) {
    snprintf(buf, cap, "%.*s", (int)(colon - *field), *field);
    order = colon + 1;
    *field = buf;
  }
  *desc = !strcmp(*field, "_score");
  if (order && !strcmp(order, "desc")) *desc = 1;
  else if (order && !strcmp(order, "asc")) *desc = 0;
  else if (order) return es_fail(e, 400, "illegal_argument_exception", "sort order [%s] of [%s]: asc or desc", order, *field);
  return 0;
}

static int parse_sort(const json_t *s, es_plan *p, es_err *e) {
  json_t *one = NULL;
  if (!json_is_array(s)) {
    one = json_array();
    json_array_append((json_t *)one, (json_t *)s);
    s = one;
  }
  int rc = 0;
  size_t i;
  json_t *k;
  p->sort = ES_SORT_SCORE;
  p->sort_given = 1;
  json_array_foreach(s, i, k) {
    const char *f = "";
    char fb[128];
    int desc = 0;
    if ((rc = sort_key(k, &f, fb, sizeof fb, &desc, e))) break;
    int date = !strcmp(f, "date") || !strcmp(f, "@timestamp");
    if (i == 0) {
      if (!strcmp(f, "_score")) {
        if (!desc) { rc = es_fail(e, 400, "illegal_argument_exception", "newsdex sorts _score descending only"); break; }
        p->sort = ES_SORT_SCORE;
      } else if (date) p->sort = desc ? ES_SORT_DATE_DESC : ES_SORT_DATE_ASC;
      else if (!strcmp(f, "_doc") || !strcmp(f, "_shard_doc")) p->sort = ES_SORT_DOC;
      else { rc = es_fail(e, 400, "illegal_argument_exception", "no sort on field [%s]: newsdex sorts by _score, date and _id", f); break; }
    } else if (!strcmp(f, "_id") && i == 1 && !desc) {
      p->tie_id = 1;
    } else if (!strcmp(f, "_doc") || !strcmp(f, "_shard_doc") || (!strcmp(f, "_score") && p->sort != ES_SORT_SCORE)) {
      warn(p, "sort key [%s] after the first is ignored", f);
    } else {
      rc = es_fail(e, 400, "illegal_argument_exception", "sort key [%s] in place %zu is not supported by newsdex (only _id asc after the first)", f, i + 1);
      break;
    }
  }
  if (!rc && !json_array_size(s)) p->sort_given = 0;
  json_decref(one);
  return rc;
}

static int parse_tags(const json_t *v, char *out, size_t cap, const char *name, es_err *e) {
  if (!v) return 0;
  if (json_is_array(v) && json_array_size(v) >= 1 && json_is_string(json_array_get(v, 0))) v = json_array_get(v, 0);
  if (!json_is_string(v) || strlen(json_string_value(v)) >= cap)
    return es_fail(e, 400, "parsing_exception", "[highlight] %s wants a short string or an array of them", name);
  snprintf(out, cap, "%s", json_string_value(v));
  return 0;
}

/* highlight: the body (or its other names) gets one fragment around its
** best matches, the title the whole title with its matches marked; "*" is
** both.  Text is escaped only with encoder "html", as in ES. */
static int parse_highlight(const json_t *h, es_plan *p, es_err *e) {
  if (!json_is_object(h)) return es_fail(e, 400, "parsing_exception", "[highlight] must be an object");
  snprintf(p->hl_pre, sizeof p->hl_pre, "<em>");
  snprintf(p->hl_post, sizeof p->hl_post, "</em>");
  p->fragment_size = 0;
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)h, k, v) {
    if (!strcmp(k, "pre_tags")) { if (parse_tags(v, p->hl_pre, sizeof p->hl_pre, k, e)) return -1; }
    else if (!strcmp(k, "post_tags")) { if (parse_tags(v, p->hl_post, sizeof p->hl_post, k, e)) return -1; }
    else if (!strcmp(k, "fragment_size")) { uint64_t n; if (whole(v, "highlight.fragment_size", 10000, &n, e)) return -1; p->fragment_size = n; }
    else if (!strcmp(k, "encoder")) {
      if (!json_is_string(v) || (strcmp(json_string_value(v), "html") && strcmp(json_string_value(v), "default")))
        return es_fail(e, 400, "parsing_exception", "[highlight] encoder is \"default\" or \"html\"");
      p->hl_html = !strcmp(json_string_value(v), "html");
    }
    else if (!strcmp(k, "fields")) {
      /* {name: {...}} or [{name: {...}}, ...] */
      json_t *list = json_is_array(v) ? v : NULL, *one = json_is_object(v) ? v : NULL;
      size_t i = 0, n = list ? json_array_size(list) : 1;
      for (; i < n; i++) {
        json_t *o = list ? json_array_get(list, i) : one;
        const char *f;
        json_t *fv;
        json_object_foreach(o, f, fv) {
          if (!strcmp(f, "body") || !strcmp(f, "content") || !strcmp(f, "text")) p->highlight |= ES_HL_BODY;
          else if (!strcmp(f, "title")) p->highlight |= ES_HL_TITLE;
          else if (!strcmp(f, "*")) p->highlight |= ES_HL_BODY | ES_HL_TITLE;
          else warn(p, "highlight of [%s] is not supported: newsdex highlights the body and the title", f);
          json_t *fs = json_object_get(fv, "fragment_size");
          uint64_t m;
          if (fs && !whole(fs, "highlight.fragment_size", 10000, &m, e)) p->fragment_size = m;
          json_t *pre = json_object_get(fv, "pre_tags"), *post = json_object_get(fv, "post_tags");
          if (parse_tags(pre, p->hl_pre, sizeof p->hl_pre, "pre_tags", e) || parse_tags(post, p->hl_post, sizeof p->hl_post, "post_tags", e))
            return -1;
        }
      }
    } else if (strcmp(k, "number_of_fragments") && strcmp(k, "type") && strcmp(k, "require_field_match") &&
               strcmp(k, "order") && strcmp(k, "no_match_size") && strcmp(k, "fragmenter") && strcmp(k, "tags_schema")) {
      return es_fail(e, 400, "parsing_exception", "[highlight] option [%s] is not supported by newsdex", k);
    }
  }
  if (p->fragment_size && p->fragment_size < 20) p->fragment_size = 20;
  return 0;
}

static int parse_collapse(const json_t *c, es_plan *p, es_err *e) {
  const char *f = json_string_value(json_object_get(c, "field"));
  if (!f) return es_fail(e, 400, "parsing_exception", "[collapse] needs a field");
  if (strcmp(f, "story")) return es_fail(e, 400, "illegal_argument_exception", "newsdex collapses on field [story] (wire copies) only, not [%s]", f);
  if (json_object_get(c, "inner_hits")) return es_fail(e, 400, "illegal_argument_exception", "[collapse] inner_hits is not supported by newsdex");
  p->collapse = 1;
  return 0;
}

/* The AND of two newsdex queries. */
static char *and_of(const char *a, const char *b) {
  size_t n = strlen(a) + strlen(b) + 8;
  char *q = malloc(n);
  if (q) snprintf(q, n, "(%s) (%s)", a, b);
  return q;
}

int es_plan_parse(const json_t *body, int64_t now_ms, int count_only, es_plan *p, es_err *e) {
  memset(p, 0, sizeof *p);
  p->size = 10;
  p->track = 1;
  if (body && !json_is_object(body)) return es_fail(e, 400, "parsing_exception", "the request body must be a JSON object");
  const json_t *query = NULL, *post = NULL;
  const char *k;
  json_t *v;
  int rc = 0;
  json_object_foreach((json_t *)body, k, v) {
    uint64_t n;
    if (!strcmp(k, "query")) query = v;
    else if (count_only) rc = es_fail(e, 400, "parsing_exception", "request does not support [%s]", k);
    else if (!strcmp(k, "post_filter")) post = v;
    else if (!strcmp(k, "from")) { rc = whole(v, "from", ES_MAX_WINDOW, &n, e); p->from = n; }
    else if (!strcmp(k, "size")) { rc = whole(v, "size", ES_MAX_WINDOW, &n, e); p->size = n; }
    else if (!strcmp(k, "sort")) rc = parse_sort(v, p, e);
    else if (!strcmp(k, "track_total_hits")) {
      if (json_is_boolean(v)) p->track = json_is_true(v);
      else if (!(rc = whole(v, "track_total_hits", UINT32_MAX, &n, e))) p->track = 2, p->track_n = n;
    } else if (!strcmp(k, "_source")) { rc = es_source_spec_check(v, e); p->source = v; }
    else if (!strcmp(k, "highlight")) rc = parse_highlight(v, p, e);
    else if (!strcmp(k, "collapse")) rc = parse_collapse(v, p, e);
    else if (!strcmp(k, "search_after")) {
      if (!json_is_array(v) || !json_array_size(v)) rc = es_fail(e, 400, "parsing_exception", "[search_after] wants an array of sort values");
      p->after = v;
    } else if (!strcmp(k, "aggs") || !strcmp(k, "aggregations")) {
      if (json_is_null(v)) continue;
      if (!json_is_object(v)) rc = es_fail(e, 400, "parsing_exception", "[%s] must be an object", k);
      p->aggs = v;
    } else if (!strcmp(k, "rest_total_hits_as_int")) p->total_as_int = json_is_true(v);
    else if (!strcmp(k, "track_scores")) p->track_scores = json_is_true(v);
    else if (!strcmp(k, "timeout") || !strcmp(k, "version") || !strcmp(k, "seq_no_primary_term") || !strcmp(k, "stored_fields") ||
             (!strcmp(k, "explain") && json_is_false(v)))
      continue;
    else rc = es_fail(e, 400, "parsing_exception", "[%s] is not supported by newsdex's search API", k);
    if (rc) break;
  }
  if (!rc && p->from + p->size > ES_MAX_WINDOW)
    rc = es_fail(e, 400, "illegal_argument_exception",
                 "Result window is too large, from + size must be less than or equal to: [%d] but was [%zu]; use search_after or scroll",
                 ES_MAX_WINDOW, p->from + p->size);
  if (!rc && p->after && p->from) rc = es_fail(e, 400, "illegal_argument_exception", "[from] must be 0 with [search_after]");
  if (!rc && p->after && json_array_size(p->after) != 1u + (unsigned)p->tie_id)
    rc = es_fail(e, 400, "illegal_argument_exception", "[search_after] has %zu values; the sort has %d keys", json_array_size(p->after), 1 + p->tie_id);
  if (!rc && p->after && p->collapse) rc = es_fail(e, 400, "illegal_argument_exception", "[search_after] with [collapse] is not supported by newsdex");
  if (rc) return rc;
  char *w = NULL;
  if (!(p->agg_query = es_query(query, now_ms, &w, e))) {
    free(w);
    return -1;
  }
  take_warnings(p, w);
  if (post) {
    w = NULL;
    char *pf = es_query(post, now_ms, &w, e);
    take_warnings(p, w);
    if (!pf) return -1;
    p->query = and_of(p->agg_query, pf);
    free(pf);
  } else {
    p->query = strdup(p->agg_query);
  }
  if (!p->query) return es_fail(e, 500, "out_of_memory", "out of memory");
  return 0;
}

void es_plan_free(es_plan *p) {
  free(p->query);
  free(p->agg_query);
  mem_free(p->warnings);
  memset(p, 0, sizeof *p);
}

/* ---- running ---------------------------------------------------------- */

static int lib_fail(nd_index *ix, int rc, es_err *e) {
  const char *m = nd_errmsg(ix);
  if (!m || !*m) m = nd_strerror(rc);
  if (rc == ND_ERR_QUERY || rc == ND_ERR_LIMIT || rc == ND_ERR_INVALID)
    return es_fail(e, 400, "query_shard_exception", "the translated query failed: %s", m);
  return es_fail(e, 500, "newsdex_exception", "%s", m);
}

static int nd_sort_of(int sort) {
  return sort == ES_SORT_DATE_DESC ? ND_SORT_DATE : sort == ES_SORT_DATE_ASC ? ND_SORT_DATE_ASC : ND_SORT_RELEVANCE;
}

/* The date key of a hit's date text ("" when undated). */
static int64_t date_key(const char *date, int sort) {
  int64_t s;
  char why[8];
  if (!date || !*date || nd_parse_date(date, &s, why, sizeof why)) return sort == ES_SORT_DATE_ASC ? MISSING_ASC : MISSING_DESC;
  return s * 1000;
}

static json_t *total_json(const es_plan *p, uint64_t n, int exact) {
  if (p->total_as_int) return json_integer((json_int_t)n);
  return json_pack("{s:I, s:s}", "value", (json_int_t)n, "relation", exact ? "eq" : "gte");
}

static int is_date_sort(const es_plan *p) { return p->sort == ES_SORT_DATE_DESC || p->sort == ES_SORT_DATE_ASC; }

json_t *es_hit(nd_index *ix, const char *index, const es_plan *p, const nd_doc *doc, const char *id, double score,
               int64_t key, const char *snippet, const char *title_hl, const char *story) {
  nd_document *d = NULL;
  if (!doc) {
    if (nd_get(ix, id, &d)) return NULL;
    doc = nd_document_doc(d);
  }
  json_t *h = json_object();
  json_object_set_new(h, "_index", json_string(index));
  json_object_set_new(h, "_id", json_string(id));
  int null_score = (is_date_sort(p) && !p->track_scores) || isnan(score);
  json_object_set_new(h, "_score", null_score ? json_null() : json_real(score));
  json_t *src = es_source_filter(es_source_of(doc), p->source);
  if (src) json_object_set_new(h, "_source", src);
  nd_document_free(d);
  if (p->sort_given) {
    json_t *s = json_array();
    if (is_date_sort(p)) json_array_append_new(s, json_integer(key));
    else if (p->sort == ES_SORT_DOC) json_array_append_new(s, json_integer(0));
    else json_array_append_new(s, json_real(score));
    if (p->tie_id) json_array_append_new(s, json_string(id));
    json_object_set_new(h, "sort", s);
  }
  json_t *hl = json_object();
  if (title_hl && (p->highlight & ES_HL_TITLE) && strstr(title_hl, p->hl_pre))
    json_object_set_new(hl, "title", json_pack("[s]", title_hl));
  if (snippet && (p->highlight & ES_HL_BODY) && strstr(snippet, p->hl_pre))
    json_object_set_new(hl, "body", json_pack("[s]", snippet));
  if (json_object_size(hl)) json_object_set_new(h, "highlight", hl);
  else json_decref(hl);
  if (p->collapse && story) json_object_set_new(h, "fields", json_pack("{s:[s]}", "story", story));
  return h;
}

/* A hit as the search returned it, kept for reordering. */
typedef struct row {
  const char *id;
  double score;
  int64_t key;
  const char *snippet, *title_hl, *story;
  const nd_doc *doc; /* the stored article, or NULL (ids only) */
} row;

/* Order of rows within the first sort key's ties: by id. */
static int cmp_tie(const void *a, const void *b) {
  const row *x = a, *y = b;
  return strcmp(x->id, y->id);
}

/* A date cursor's key.  A real at or beyond +-2^63 is the missing-value
** key as a JavaScript client sends it back (-9223372036854776000). */
static int64_t cursor_key(const json_t *v) {
  if (json_is_integer(v)) return (int64_t)json_integer_value(v);
  double x = json_number_value(v);
  return x <= -9223372036854775808.0 ? INT64_MIN : x >= 9223372036854775807.0 ? INT64_MAX : (int64_t)x;
}

/* A score as the reply prints it (JSON_REAL_PRECISION(8) in http.c):
** scores are compared as printed, so that a cursor sent back equals the
** hit it came from. */
static double printed(double score) {
  char t[32];
  snprintf(t, sizeof t, "%.8g", score);
  return strtod(t, NULL);
}

/* 1 if rows a and b tie on the first sort key. */
static int same_key(const row *a, const row *b, int date) {
  return date ? a->key == b->key : printed(a->score) == printed(b->score);
}

/* 1 if row r comes after the search_after values. */
static int after_cursor(const es_plan *p, const row *r) {
  const json_t *v0 = json_array_get(p->after, 0), *v1 = p->tie_id ? json_array_get(p->after, 1) : NULL;
  int c; /* r compared with the cursor in sort order: <0 before, >0 after */
  if (is_date_sort(p)) {
    int64_t k = cursor_key(v0);
    c = r->key == k ? 0 : (p->sort == ES_SORT_DATE_DESC) == (r->key < k) ? 1 : -1;
  } else {
    double s = printed(json_number_value(v0)), rs = printed(r->score);
    c = rs == s ? 0 : rs < s ? 1 : -1;
  }
  if (c == 0 && v1) c = strcmp(r->id, json_string_value(v1) ? json_string_value(v1) : "");
  return c > 0;
}

/* Sort groups of equal first keys by id; rows[0..n) in newsdex order. */
static void order_ties(row *rows, size_t n, int date) {
  for (size_t i = 0; i < n;) {
    size_t j = i + 1;
    while (j < n && same_key(&rows[j], &rows[i], date)) j++;
    qsort(rows + i, j - i, sizeof *rows, cmp_tie);
    i = j;
  }
}

/* The query of a search_after by date: narrowed to the cursor's date and
** beyond. */
static char *after_query(const es_plan *p) {
  const json_t *v0 = json_array_get(p->after, 0);
  if (!is_date_sort(p) || !json_is_number(v0)) return strdup(p->query);
  int64_t k = cursor_key(v0);
  if (k == MISSING_DESC || k == MISSING_ASC) return and_of(p->query, "* -date:*"); /* only undated remain */
  char when[40], clause[64];
  if (es_format_ms(k - ((k % 1000) + 1000) % 1000, when, sizeof when)) return strdup(p->query);
  when[19] = 'Z', when[20] = 0; /* whole seconds */
  if (p->sort == ES_SORT_DATE_DESC) {
    snprintf(clause, sizeof clause, "(date:<=%s OR (* -date:*))", when);
  } else {
    snprintf(clause, sizeof clause, "(date:>=%s OR (* -date:*))", when);
  }
  return and_of(p->query, clause);
}

/* Hits with search_after or an _id tie-break: fetch enough in newsdex's
** order, reorder ties by id, skip to the cursor and keep p->size.  A
** group of ties cut by the end of what was fetched is fetched whole by
** fetching more (doubling), up to ES_MAX_WINDOW past the cursor's group. */
static int run_ordered(nd_index *ix, const es_plan *p, nd_search_options *so, nd_results **res, row **rows_out,
                       size_t *first, size_t *count, es_err *e) {
  char *q = p->after ? after_query(p) : strdup(p->query);
  if (!q) return es_fail(e, 500, "out_of_memory", "out of memory");
  size_t want = p->from + p->size + 16;
  int date = is_date_sort(p);
  for (;;) {
    so->limit = want;
    so->offset = 0;
    so->ids_only = !date && !p->highlight;
    int rc = nd_search(ix, q, so, res);
    if (rc) {
      free(q);
      return lib_fail(ix, rc, e);
    }
    size_t n = nd_results_count(*res);
    row *rows = calloc(n + 1, sizeof *rows);
    if (!rows) { free(q); return es_fail(e, 500, "out_of_memory", "out of memory"); }
    for (size_t i = 0; i < n; i++) {
      nd_hit h;
      nd_results_hit(*res, i, &h);
      rows[i] = (row){h.id, h.score, date ? date_key(h.date, p->sort) : 0, h.snippet, h.title_marked, h.story,
                      nd_results_doc(*res, i)};
    }
    size_t usable = n;
    int more = n == want && want < ES_MAX_WINDOW * 2;
    if (more) { /* the last group may be cut */
      while (usable > 0 && same_key(&rows[usable - 1], &rows[n - 1], date)) usable--;
    }
    if (p->tie_id) order_ties(rows, usable, date);
    size_t s = 0;
    if (p->after)
      while (s < usable && !after_cursor(p, &rows[s])) s++;
    else
      s = p->from;
    if (!more || usable >= s + p->size) {
      *first = s;
      *count = usable > s ? (usable - s < p->size ? usable - s : p->size) : 0;
      *rows_out = rows;
      free(q);
      return 0;
    }
    free(rows);
    nd_results_free(*res);
    *res = NULL;
    want *= 2;
  }
}

int es_search(nd_index *ix, const char *index, const es_plan *p, int64_t now_ms, json_t **out, es_err *e) {
  double t0 = now_ms_clock();
  nd_search_options so = {.limit = p->size, .offset = p->from, .sort = nd_sort_of(p->sort),
                          .snippets = !p->highlight ? ND_SNIPPET_NONE : p->hl_html ? ND_SNIPPET_HTML : ND_SNIPPET_PLAIN,
                          .snippet_chars = p->fragment_size, .hl_open = p->hl_pre, .hl_close = p->hl_post,
                          .mark_title = (p->highlight & ES_HL_TITLE) != 0,
                          .versions = p->collapse ? ND_VERSIONS_COLLAPSE : ND_VERSIONS_ALL};
  so.count = p->track == 1 ? ND_COUNT_EXACT : ND_COUNT_LOWER_BOUND;
  if (!p->size) so.count = ND_COUNT_ONLY;
  nd_results *res = NULL;
  row *rows = NULL;
  size_t first = 0, count = 0;
  int rc = 0;
  if (p->size && (p->after || p->tie_id)) {
    if (run_ordered(ix, p, &so, &res, &rows, &first, &count, e)) return -1;
  } else if ((rc = nd_search(ix, p->query, &so, &res))) {
    return lib_fail(ix, rc, e);
  }
  uint64_t total = nd_results_total(res);
  int exact = nd_results_total_exact(res) || p->track == 1;
  /* After a cursor the search ran narrowed; a lower bound below N: count
  ** the whole query exactly. */
  if (p->track && (p->after || (p->track == 2 && !exact && total < p->track_n))) {
    nd_results *all = NULL;
    nd_search_options co = {.count = ND_COUNT_ONLY, .versions = so.versions};
    if ((rc = nd_search(ix, p->query, &co, &all))) {
      free(rows);
      nd_results_free(res);
      return lib_fail(ix, rc, e);
    }
    total = p->collapse ? nd_results_stories(all) : nd_results_total(all);
    exact = 1;
    nd_results_free(all);
  } else if (p->collapse && p->track) {
    total = nd_results_stories(res);
  }
  if (p->track == 2 && total > p->track_n) total = p->track_n, exact = 0;
  json_t *hits = json_array();
  double max_score = NAN;
  if (!rows) {
    count = nd_results_count(res);
    for (size_t i = 0; i < count; i++) {
      nd_hit h;
      nd_results_hit(res, i, &h);
      if (isnan(max_score) || h.score > max_score) max_score = h.score;
      json_t *o = es_hit(ix, index, p, nd_results_doc(res, i), h.id, h.score, is_date_sort(p) ? date_key(h.date, p->sort) : 0,
                         h.snippet, h.title_marked, h.story);
      if (o) json_array_append_new(hits, o);
    }
  } else {
    for (size_t i = 0; i < count; i++) {
      row *r = &rows[first + i];
      if (isnan(max_score) || r->score > max_score) max_score = r->score;
      json_t *o = es_hit(ix, index, p, r->doc, r->id, r->score, r->key, r->snippet, r->title_hl, r->story);
      if (o) json_array_append_new(hits, o);
    }
  }
  free(rows);
  nd_results_free(res);
  json_t *hh = json_object();
  if (p->track) json_object_set_new(hh, "total", total_json(p, total, exact));
  json_object_set_new(hh, "max_score", isnan(max_score) || (is_date_sort(p) && !p->track_scores) ? json_null() : json_real(max_score));
  json_object_set_new(hh, "hits", hits);
  json_t *aggs = NULL;
  if (p->aggs && es_aggs(ix, p->agg_query, p->aggs, now_ms, &aggs, e)) {
    json_decref(hh);
    return -1;
  }
  *out = json_pack("{s:I, s:b, s:{s:i, s:i, s:i, s:i}, s:o}", "took", (json_int_t)(now_ms_clock() - t0), "timed_out", 0,
                   "_shards", "total", 1, "successful", 1, "skipped", 0, "failed", 0, "hits", hh);
  if (aggs) json_object_set_new(*out, "aggregations", aggs);
  return 0;
}

int es_count(nd_index *ix, const es_plan *p, json_t **out, es_err *e) {
  nd_search_options so = {.count = ND_COUNT_ONLY, .versions = ND_VERSIONS_ALL};
  nd_results *res = NULL;
  int rc = nd_search(ix, p->query, &so, &res);
  if (rc) return lib_fail(ix, rc, e);
  *out = json_pack("{s:I, s:{s:i, s:i, s:i, s:i}}", "count", (json_int_t)nd_results_total(res), "_shards", "total", 1,
                   "successful", 1, "skipped", 0, "failed", 0);
  nd_results_free(res);
  return 0;
}

/* ---- scroll ----------------------------------------------------------- */

int es_snapshot_take(nd_index *ix, const es_plan *p, es_snapshot *s, es_err *e) {
  memset(s, 0, sizeof *s);
  nd_search_options co = {.count = ND_COUNT_ONLY, .versions = p->collapse ? ND_VERSIONS_COLLAPSE : ND_VERSIONS_ALL};
  nd_results *res = NULL;
  int rc = nd_search(ix, p->query, &co, &res);
  if (rc) return lib_fail(ix, rc, e);
  uint64_t total = p->collapse ? nd_results_stories(res) : nd_results_total(res);
  nd_results_free(res);
  res = NULL;
  if (total > ES_MAX_SCROLL)
    return es_fail(e, 400, "illegal_argument_exception", "a scroll holds at most %d hits; this search has %llu: narrow it",
                   ES_MAX_SCROLL, (unsigned long long)total);
  s->total = total;
  if (!total) return 0;
  int date = is_date_sort(p);
  nd_search_options so = {.limit = (size_t)total, .sort = nd_sort_of(p->sort), .ids_only = !date,
                          .versions = co.versions, .count = ND_COUNT_LOWER_BOUND};
  if ((rc = nd_search(ix, p->query, &so, &res))) return lib_fail(ix, rc, e);
  size_t n = nd_results_count(res);
  s->ids = calloc(n + 1, sizeof *s->ids);
  s->scores = calloc(n + 1, sizeof *s->scores);
  s->keys = calloc(n + 1, sizeof *s->keys);
  if (!s->ids || !s->scores || !s->keys) {
    nd_results_free(res);
    es_snapshot_free(s);
    return es_fail(e, 500, "out_of_memory", "out of memory");
  }
  for (size_t i = 0; i < n; i++) {
    nd_hit h;
    nd_results_hit(res, i, &h);
    s->ids[i] = strdup(h.id);
    s->scores[i] = h.score;
    s->keys[i] = date ? date_key(h.date, p->sort) : 0;
    s->n = i + 1;
    if (!s->ids[i]) {
      nd_results_free(res);
      es_snapshot_free(s);
      return es_fail(e, 500, "out_of_memory", "out of memory");
    }
  }
  nd_results_free(res);
  return 0;
}

int es_scroll_page(nd_index *ix, const char *index, const es_plan *p, es_snapshot *s, json_t **out, es_err *e) {
  json_t *hits = json_array();
  size_t end = s->next + p->size < s->n ? s->next + p->size : s->n;
  for (; s->next < end; s->next++) {
    json_t *h = es_hit(ix, index, p, NULL, s->ids[s->next], s->scores[s->next], s->keys[s->next], NULL, NULL, NULL);
    if (h) json_array_append_new(hits, h); /* an article deleted since is left out */
  }
  json_t *hh = json_object();
  json_object_set_new(hh, "total", total_json(p, s->total, 1));
  json_object_set_new(hh, "max_score", json_null());
  json_object_set_new(hh, "hits", hits);
  *out = json_pack("{s:i, s:b, s:{s:i, s:i, s:i, s:i}, s:o}", "took", 0, "timed_out", 0, "_shards", "total", 1,
                   "successful", 1, "skipped", 0, "failed", 0, "hits", hh);
  return 0;
}

void es_snapshot_free(es_snapshot *s) {
  for (size_t i = 0; i < s->n; i++) free(s->ids[i]);
  free(s->ids);
  free(s->scores);
  free(s->keys);
  memset(s, 0, sizeof *s);
}
