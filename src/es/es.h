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

/* ---- aggs.c ---------------------------------------------------------- */

/* Run the aggregations `aggs` (the request's "aggs" or "aggregations"
** object) over the articles matching the newsdex query `query` on ix,
** every article counted (not stories).  *out is ES's "aggregations"
** object.  0, or -1 with e set (400 for what is not supported, naming
** it). */
int es_aggs(nd_index *ix, const char *query, const json_t *aggs, int64_t now_ms, json_t **out, es_err *e);

#endif
