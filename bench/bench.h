/*
** bench.h -- what the peer adapters of the benchmark (fts5.c, xapian.cc)
** share: the query subset, the command line and the batch protocol.
**
** Each adapter is one program with two modes that mirror newsdex:
**
**   PROG build DBDIR FILE...
**       index the articles of FILE... (read with newsdex's own readers:
**       .jsonl, .jsonl.zst, folders; a later article with the id of an
**       earlier one replaces it) into the new directory DBDIR;
**   PROG search DBDIR --limit K [--count exact|lower-bound] [--timings]
**       run every line of stdin as a query and print, per query, the line
**       "TOTAL<tab>ID,ID,..." or "error<tab>MESSAGE" -- the protocol of
**       `newsdex search --batch` -- with "#qt_ns N" lines on stderr.
**
** The query subset (newsdex syntax, see docs/benchmarks.md) is
**   query := item ( " " item )*            every item must match (AND)
**          | word ( " OR " word )+         any word may match (ranked OR)
**   item  := word | '"' word ( " " word )+ '"' | word "*"
**          | "date:" YYYY-MM-DD ".." YYYY-MM-DD
**   word  := [a-z0-9]+
** with at least one item that is not a date.  Anything else is reported
** as an error line, like a malformed query.
*/
#ifndef ND_BENCH_BENCH_H
#define ND_BENCH_BENCH_H
#include <stddef.h>
#include <stdint.h>

#include "newsdex.h"
#include "util/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BQ_MAX_ITEMS 64

enum { BQ_WORD = 0, BQ_PHRASE = 1, BQ_PREFIX = 2 };

typedef struct bq_item {
  int kind;         /* BQ_* */
  const char *text; /* word, prefix (without '*') or phrase words separated by one space */
} bq_item;

typedef struct bq {
  int is_or;             /* items are words joined by OR */
  size_t n;
  bq_item items[BQ_MAX_ITEMS];
  int has_date;
  char date_from[11], date_to[11]; /* YYYY-MM-DD, inclusive */
  char *mem;             /* the storage of the texts */
} bq;

/* Parse one line of the subset.  Returns 0, or -1 with a message in why. */
int bq_parse(const char *line, bq *q, char *why, size_t whylen);
void bq_free(bq *q);

/* The day (UTC) of an article as YYYY-MM-DD in out (11 bytes), or "" when
** it has none or a bad one (newsdex rejects such an article). */
void bench_day(const nd_doc *d, char out[11]);

/* What one query returns: the total and the ids of the top hits. */
typedef struct bench_result {
  uint64_t total;
  size_t n;
  buf ids; /* "id,id,..." */
} bench_result;

/* Append one id to a result. */
void bench_add_id(bench_result *r, const char *id, size_t len);

/* The engine under test.  Every function returns 0, or -1 with a message
** in why (whylen bytes). */
typedef struct bench_ops {
  const char *name;
  int (*build_open)(const char *dir, void **ctx, char *why, size_t whylen);
  int (*build_add)(void *ctx, const nd_doc *doc, char *why, size_t whylen);
  /* Commit, optimise/compact and close; ctx is gone afterwards. */
  int (*build_finish)(void *ctx, char *why, size_t whylen);
  int (*search_open)(const char *dir, void **ctx, char *why, size_t whylen);
  /* Translate and run one parsed query.  An error here is the query's: it
  ** is reported on its line and the batch goes on. */
  int (*search)(void *ctx, const bq *q, size_t limit, int exact, bench_result *r, char *why,
                size_t whylen);
  void (*close)(void *ctx); /* a build or search context */
} bench_ops;

/* The whole program: parses argv, runs the mode, returns the exit status
** (0; 1 error; 2 usage error or some query failed). */
int bench_main(const bench_ops *ops, int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
