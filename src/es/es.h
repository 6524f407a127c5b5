/*
** es.h -- the Elasticsearch-compatible layer (docs/elasticsearch.md): the
** part of Elasticsearch's REST API that real clients use, answered by
** newsdex.  This folder knows ES's JSON shapes and nothing of HTTP; the
** server (src/server/es_route.c) parses requests and sends what these
** functions build.
**
** datemath.c  ES dates and date math ("now-30d/d", "2004-07-14||+1M/M")
** dsl.c       the query DSL (match, bool, term, range, ...) translated into
**             newsdex's query language (docs/query-language.md)
** qstring.c   query_string and simple_query_string (Lucene's syntax and
**             ES's simple one) translated the same way
** aggs.c      aggregations (terms, date_histogram, filter, min, max) run
**             with nd_facets_get and nd_search
** docs.c      documents' _source as articles and back; _source filtering
** search.c    a search request (query, paging, sort, totals, _source,
**             highlight, collapse, search_after, aggs) run on one archive
** util.c      the error shape; dates as ES writes them
**
** Every function that can refuse its input fills an es_err with the HTTP
** status, ES's error type and a reason naming the part refused, so that
** what newsdex does not support is a 400 and never a silent wrong answer.
*/
#ifndef ND_ES_ES_H
#define ND_ES_ES_H
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "newsdex.h"

typedef struct es_err {
  unsigned status; /* HTTP status: 400 for the request's mistakes */
  char type[48];   /* ES's error type: parsing_exception, illegal_argument_exception, ... */
  char reason[480];
} es_err;

/* Fill e; returns -1 (so that `return es_fail(...)` reads as an error). */
int es_fail(es_err *e, unsigned status, const char *type, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The ES error body for e: {"error": {"root_cause": [{type, reason}], type,
** reason}, "status": N}.  NULL if out of memory. */
json_t *es_error_json(const es_err *e);

/* Append `line` to the notes *warnings (malloc'ed lines joined by '\n';
** NULL: none yet) unless it is there already; nothing when warnings is
** NULL.  0, or -1 when memory ran out. */
int es_note(char **warnings, const char *line);

/* ms (since 1970, UTC) as ES writes dates: "2004-07-14T10:30:00.000Z"
** into out (at least 25 bytes).  -1 when the year is not in 0..9999. */
int es_format_ms(int64_t ms, char *out, size_t cap);

/* Parse a request's JSON (duplicate keys refused).  An integer beyond
** int64 -- a JavaScript client sends back the sort value -2^63 as
** -9223372036854776000 -- is read as a real instead of failing the whole
** body.  NULL on error, described in *je. */
json_t *es_json_load(const char *text, size_t n, json_error_t *je);

/* Limits on a request's query DSL, as the /api/ limits on q. */
#define ES_MAX_DEPTH 32     /* nesting of JSON objects in a query */
#define ES_MAX_CLAUSES 1024 /* leaf clauses of one query */

/* ---- datemath.c ------------------------------------------------------ */

/* Parse an ES date or date-math expression relative to now_ms
** (milliseconds since 1970, UTC): an anchor ("now", or a date then "||")
** followed by +N/-N units (y M w d h H m s) and /unit rounding.  Dates are
** ISO 8601 (YYYY, YYYY-MM, YYYY-MM-DD, with THH:MM[:SS[.mmm]] and Z or an
** offset); `format` (NULL: ES's default) may be "epoch_millis" or
** "epoch_second" (also as an alternative "...||epoch_millis").  With
** round_up, rounding and a partial date go to the last millisecond of the
** unit (what ES does for lte and gt).  0 and *ms, or -1 with e set. */
int es_datemath(const char *s, const char *format, int64_t now_ms, int round_up, int64_t *ms, es_err *e);

/* ---- dsl.c ----------------------------------------------------------- */

/* Translate ES's query object q (the value of "query"; NULL means
** match_all) into a newsdex query: a malloc'ed string, or NULL with e set
** (status 400 and the unsupported or malformed part named).  now_ms
** anchors date math.  The fields an article has under ES's names:
**   text     title, body (content and text are body), "*" / "_all": both
**   keyword  _id, source (also source.keyword), people, organisations,
**            places, topics
**   date     date (also @timestamp)
** Where newsdex's scoring cannot follow ES's (boosts, should clauses
** beside a must, filter context), matching stays exact and a note is
** appended to *warnings (a malloc'ed text; may be NULL to ignore). */
char *es_query(const json_t *q, int64_t now_ms, char **warnings, es_err *e);

/* ---- qstring.c ------------------------------------------------------- */

/* query_string (simple = 0) or simple_query_string (simple = 1): the
** clause's object (query, default_field / fields, default_operator ...)
** translated as es_query does. */
char *es_query_string(const json_t *clause, int simple, int64_t now_ms, char **warnings, es_err *e);

/* ---- docs.c ---------------------------------------------------------- */

/* An article made from an ES document (its pieces point into the _source
** JSON, which must outlive it, and into `date` and `extra`). */
typedef struct es_article {
  nd_doc doc;
  char *extra;   /* malloc'ed */
  char date[32]; /* a numeric date written as ISO */
} es_article;

/* The article for _source src with id (NULL: derived).  0, or -1 with e. */
int es_article_from_source(const json_t *src, const char *id, es_article *a, es_err *e);
void es_article_free(es_article *a);
/* The _source of a stored article, under the names it was given. */
json_t *es_source_of(const nd_doc *d);
/* Check a _source specification (true, false, a pattern, an array of
** them, {includes, excludes}).  0, or -1 with e. */
int es_source_spec_check(const json_t *spec, es_err *e);
/* src (consumed) filtered by spec; NULL for `false`. */
json_t *es_source_filter(json_t *src, const json_t *spec);

/* ---- search.c -------------------------------------------------------- */

/* Sort keys of a search: the first decides newsdex's order; `_id` and
** `_doc` after it break ties (ES_TIE_ID orders equal first keys by id). */
enum { ES_SORT_SCORE = 0, ES_SORT_DATE_DESC = 1, ES_SORT_DATE_ASC = 2, ES_SORT_DOC = 3 };

/* A parsed search request. */
enum { ES_HL_BODY = 1, ES_HL_TITLE = 2 };

typedef struct es_plan {
  char *query;        /* the newsdex query of "query" (and post_filter) */
  char *agg_query;    /* the query aggregations run on ("query" alone) */
  size_t from, size;
  int sort;           /* ES_SORT_* */
  int tie_id;         /* an `_id` sort key follows: ties ordered by id */
  int sort_given;     /* hits carry "sort" values */
  int track_scores;   /* scores even when sorted by date */
  int track;          /* 1 exact, 0 none ("total" left out), 2: up to track_n */
  uint64_t track_n;
  int total_as_int;   /* rest_total_hits_as_int */
  const json_t *source;  /* the _source spec (borrowed from the body) */
  int highlight;      /* ES_HL_BODY | ES_HL_TITLE */
  int hl_html;        /* encoder "html": fragments HTML-escaped */
  char hl_pre[64], hl_post[64];
  size_t fragment_size;
  int collapse;       /* collapse on the story (wire-copy group) */
  const json_t *after;   /* search_after values (borrowed) */
  const json_t *aggs;    /* borrowed */
  char *warnings;     /* malloc'ed, or NULL */
} es_plan;

#define ES_MAX_WINDOW 10000 /* from + size, as ES's index.max_result_window */

/* Parse the search body (NULL: match everything).  size_only: _count
** (only query is allowed).  0, or -1 with e. */
int es_plan_parse(const json_t *body, int64_t now_ms, int count_only, es_plan *p, es_err *e);
void es_plan_free(es_plan *p);
/* Run p on ix and build ES's search response (took, hits, aggregations)
** into *out.  0, or -1 with e. */
int es_search(nd_index *ix, const char *index, const es_plan *p, int64_t now_ms, json_t **out, es_err *e);
/* The _count response ({"count", "_shards"}). */
int es_count(nd_index *ix, const es_plan *p, json_t **out, es_err *e);

/* A scroll's snapshot: every hit of a search, in order (ids, scores and
** sort keys), paged out by es_scroll_page. */
typedef struct es_snapshot {
  char **ids;
  double *scores;
  int64_t *keys;  /* date in ms (or the missing marker) */
  size_t n, next;
  uint64_t total;
} es_snapshot;
#define ES_MAX_SCROLL 1000000 /* hits one scroll may hold */
int es_snapshot_take(nd_index *ix, const es_plan *p, es_snapshot *s, es_err *e);
/* The next page of s (p->size hits) as a search response. */
int es_scroll_page(nd_index *ix, const char *index, const es_plan *p, es_snapshot *s, json_t **out, es_err *e);
void es_snapshot_free(es_snapshot *s);
/* One hit: _index, _id, _score, _source (filtered), sort, highlight (the
** body's snippet and the marked title, when asked for and holding a
** match; either may be NULL), fields.  The article is doc (the search's
** own copy, nd_results_doc) or, when that is NULL, read with nd_get; NULL
** when it is gone. */
json_t *es_hit(nd_index *ix, const char *index, const es_plan *p, const nd_doc *doc, const char *id, double score,
               int64_t key, const char *snippet, const char *title_hl, const char *story);

/* ---- aggs.c ---------------------------------------------------------- */

/* Run the aggregations `aggs` (the request's "aggs" or "aggregations"
** object) over the articles matching the newsdex query `query` on ix,
** every article counted (not stories).  *out is ES's "aggregations"
** object.  0, or -1 with e set (400 for what is not supported, naming
** it). */
int es_aggs(nd_index *ix, const char *query, const json_t *aggs, int64_t now_ms, json_t **out, es_err *e);

#endif
