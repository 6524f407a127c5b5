/*
** shards.c -- statistics shared by shards: nd_query_stats(),
** nd_stats_merge(), nd_string_free(), and reading the figures an
** nd_search() is given (newsdex.h; the text format: query/stats.h and
** docs/api.md).
**
** A coordinator asks each shard for a query's figures, merges them and
** hands the sum to every shard's search, which then scores as one archive
** of all the shards' articles would.  Which terms a query reaches is the
** executor's knowledge (exec_stats); this file only joins the pieces.
*/
#include <string.h>

#include "../index/index.h"
#include "../query/exec.h"
#include "../query/stats.h"
#include "../util/mem.h"
#include "api.h"

/* s as text in *out (nd_string_free).  0 or ND_ERR_NOMEM. */
static int stats_text(const qstats *s, char **out) {
  buf b;
  buf_init(&b);
  int rc = qs_write(s, &b);
  if (!rc && !(*out = buf_detach(&b))) rc = ND_ERR_NOMEM;
  buf_free(&b);
  return rc;
}

int nd_query_stats(nd_index *ix, const char *query, char **out) {
  *out = NULL;
  qnode *q = NULL;
  qstats s;
  qs_init(&s);
  int rc = api_parse(ix, query, &q);
  if (!rc) rc = exec_stats(ix, q, &s);
  if (!rc && stats_text(&s, out)) rc = ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  qnode_free(q);
  qs_free(&s);
  return rc;
}

int nd_stats_merge(const char *const *parts, size_t n, char **out) {
  *out = NULL;
  if (!parts && n) return ND_ERR_INVALID;
  buf b;
  buf_init(&b);
  char why[160];
  size_t bad;
  int rc = qs_merge(parts, n, &b, &bad, why, sizeof why);
  if (!rc && !(*out = buf_detach(&b))) rc = ND_ERR_NOMEM;
  buf_free(&b);
  return rc;
}

void nd_string_free(char *s) { mem_free(s); }

int api_stats_read(nd_index *ix, const char *text, qstats *out) {
  char why[160];
  int rc = qs_read(out, text, strlen(text), why, sizeof why);
  if (rc == ND_ERR_NOMEM) return ix_fail(ix, rc, "out of memory");
  if (rc) return ix_fail(ix, rc, "statistics given: %s", why);
  return 0;
}
