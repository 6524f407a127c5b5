/*
** ctx.c -- a query's context and its idf cache (see iter.h).
**
** Owns what BM25F takes from the archive (exec.h): N and the average
** title and body lengths -- the snapshot's, or the figures a search is
** given (exec_opts.stats) -- and each index term's idf, computed once per
** query from its df summed over the snapshot's segments (or the given
** figures' df) and kept in a cache (open addressing on the term's
** bytes).  A prefix's terms have their dfs summed by one walk of each
** segment's dictionary (qctx_prefix_dfs), not looked up one by one.
** exec_stats reports what the cache holds once a query's iterators have
** been built on every segment: the figures a search of it takes.
*/
#include <math.h>
#include <string.h>
#include <xxhash.h>

#include "../util/mem.h"
#include "iter.h"
#include "stats.h"

typedef struct idf_entry {
  char *key;
  size_t len;
  double idf;
  double df;   /* the term's df (while `summing`: what was added so far) */
  int summing; /* a prefix's walk is adding its df (idf not computed yet) */
  term_info *at; /* NULL, or its entry in each of the snapshot's segments (df 0: absent) */
} idf_entry;

/* A context scoring with the given figures (NULL: the snapshot's). */
void qctx_init(qctx *cx, nd_index *ix, const qstats *given) {
  const snapshot *snap = &ix->snap;
  *cx = (qctx){.ix = ix, .snap = snap, .given = given};
  uint64_t docs = given ? given->docs : snap->total_docs;
  cx->N = (double)docs;
  cx->avg_t = bm25_avg(given ? given->title_len : snap->sum_title_len, docs);
  cx->avg_b = bm25_avg(given ? given->body_len : snap->sum_body_len, docs);
  cx->norm_t = snap->norm_t;
  cx->norm_b = snap->norm_b;
  if (given) {
    bm25_norms(cx->avg_t, cx->own_t);
    bm25_norms(cx->avg_b, cx->own_b);
    cx->norm_t = cx->own_t;
    cx->norm_b = cx->own_b;
  }
}

/* Iterate snapshot segment g from now on. */
void qctx_seg(qctx *cx, const snap_seg *g) {
  cx->seg = &g->seg;
  cx->segi = (size_t)(g - cx->snap->segs);
  cx->del = g->del;
}

void qctx_free(qctx *cx) {
  for (size_t i = 0; i < cx->capcache; i++) {
    mem_free(cx->cache[i].key);
    mem_free(cx->cache[i].at);
  }
  mem_free(cx->cache);
  for (size_t i = 0; i < cx->nwalked; i++) mem_free(cx->walked[i]);
  mem_free(cx->walked);
}

/* The slot of an index term in the cache (capcache > 0): its entry's, or
** the empty one where it would go. */
static size_t idf_probe(const qctx *cx, const char *key, size_t len) {
  size_t h = XXH3_64bits(key, len) & (cx->capcache - 1);
  for (; cx->cache[h].key; h = (h + 1) & (cx->capcache - 1))
    if (cx->cache[h].len == len && !memcmp(cx->cache[h].key, key, len)) break;
  return h;
}

/* The cache entry of an index term, made (idf NAN) when absent; NULL when
** memory ran out (cx->err set).  Valid until the next call. */
static idf_entry *idf_slot(qctx *cx, const char *key, size_t len) {
  if (cx->ncache * 2 >= cx->capcache) {
    size_t cap = cx->capcache ? cx->capcache * 2 : 64;
    idf_entry *t = mem_calloc(cap, sizeof *t);
    if (!t) { cx->err = ND_ERR_NOMEM; return NULL; }
    for (size_t i = 0; i < cx->capcache; i++) {
      if (!cx->cache[i].key) continue;
      size_t h = XXH3_64bits(cx->cache[i].key, cx->cache[i].len) & (cap - 1);
      while (t[h].key) h = (h + 1) & (cap - 1);
      t[h] = cx->cache[i];
    }
    mem_free(cx->cache);
    cx->cache = t;
    cx->capcache = cap;
  }
  size_t h = idf_probe(cx, key, len);
  if (cx->cache[h].key) return &cx->cache[h];
  char *k = mem_strndup(key, len);
  if (!k) { cx->err = ND_ERR_NOMEM; return NULL; }
  cx->cache[h] = (idf_entry){k, len, NAN, 0, 0, NULL};
  cx->ncache++;
  return &cx->cache[h];
}

static double idf_from_df(const qctx *cx, double df) { return log(1.0 + (cx->N - df + 0.5) / (df + 0.5)); }

/* The df of an index term in the given figures: 0, or -1 with cx->err
** and the message set when they lack it -- figures made for another
** query (a term of this archive that the query reaches is in its own
** figures, so in any sum of them). */
static int given_df(qctx *cx, const char *key, size_t len, double *df) {
  const qs_term *t = qs_find(cx->given, key, len);
  if (t) {
    *df = (double)t->df;
    return 0;
  }
  if (!cx->err) {
    char shown[3 * 64 + 1];
    qs_escape(key, len, shown, sizeof shown);
    cx->err = ND_ERR_INVALID;
    ix_fail(cx->ix, ND_ERR_INVALID, "the statistics given have no df for the term \"%s\": were they made for another query?",
            shown);
  }
  return -1;
}

/* Global idf of an index term: df summed over the snapshot's segments, or
** the given figures' df. */
double qctx_idf(qctx *cx, const char *key, size_t len) {
  idf_entry *e = idf_slot(cx, key, len);
  if (!e) return 0;
  if (!isnan(e->idf)) return e->idf;
  double df = 0;
  if (cx->given && given_df(cx, key, len, &df)) return 0;
  /* no entries kept if this fails: qctx_term looks them up again */
  term_info *at = cx->given ? NULL : mem_calloc(cx->snap->n ? cx->snap->n : 1, sizeof *at);
  for (size_t i = 0; !cx->given && i < cx->snap->n; i++) {
    term_info ti;
    int r = dict_lookup(&cx->snap->segs[i].seg.d, key, len, &ti);
    if (r < 0) { mem_free(at); cx->err = ND_ERR_CORRUPT; return 0; }
    if (r) df += ti.df;
    if (r && at) at[i] = ti;
  }
  e->at = at;
  e->df = df; /* e still holds: nothing was added since */
  e->idf = idf_from_df(cx, df);
  return e->idf;
}

int qctx_term(qctx *cx, const char *key, size_t len, term_info *ti) {
  const idf_entry *e = cx->capcache ? &cx->cache[idf_probe(cx, key, len)] : NULL;
  if (e && e->key && e->at && cx->segi < cx->snap->n) {
    *ti = e->at[cx->segi];
    return ti->df > 0;
  }
  return dict_lookup(&cx->seg->d, key, len, ti);
}

/* The global df of every index term starting with key[0..len), summed by
** walking that range of each segment's dictionary once, into the idf cache
** (once per query and prefix): a prefix that expands to T terms then costs
** one seek and a scan per segment, not T lookups in each.  With given
** figures there is nothing to sum: qctx_idf looks each term up in them.  0,
** or -1 with cx->err set. */
int qctx_prefix_dfs(qctx *cx, const char *key, size_t len) {
  if (cx->given) return 0;
  for (size_t i = 0; i < cx->nwalked; i++)
    if (strlen(cx->walked[i]) == len && !memcmp(cx->walked[i], key, len)) return 0;
  char **w = mem_realloc(cx->walked, (cx->nwalked + 1) * sizeof *w);
  if (!w) { cx->err = ND_ERR_NOMEM; return -1; }
  cx->walked = w;
  if (!(w[cx->nwalked] = mem_strndup(key, len))) { cx->err = ND_ERR_NOMEM; return -1; }
  cx->nwalked++;
  for (size_t g = 0; g < cx->snap->n; g++) {
    dict_iter di;
    int r = dict_seek(&di, &cx->snap->segs[g].seg.d, key, len);
    for (size_t n = 0; r == 1 && di.len >= len && !memcmp(di.term, key, len); r = dict_next(&di)) {
      if (++n > PREFIX_MAX_TERMS) break; /* the expansion refuses it anyway */
      idf_entry *e = idf_slot(cx, di.term, di.len);
      if (!e) return -1;
      if (!isnan(e->idf)) continue; /* known already */
      e->summing = 1;
      e->df += di.ti.df;
    }
    if (r < 0) { cx->err = ND_ERR_CORRUPT; return -1; }
  }
  for (size_t i = 0; i < cx->capcache; i++) {
    idf_entry *e = &cx->cache[i];
    if (e->key && e->summing) {
      e->idf = idf_from_df(cx, e->df);
      e->summing = 0;
    }
  }
  return 0;
}

/* The message for an error met while iterating (ND_ERR_LIMIT's is set). */
int qctx_fail(nd_index *ix, int rc) {
  if (rc == ND_ERR_CORRUPT) return ix_fail(ix, rc, "archive damaged: a segment's postings could not be read (run newsdex check)");
  if (rc == ND_ERR_NOMEM) return ix_fail(ix, rc, "out of memory");
  return rc;
}

int exec_stats(nd_index *ix, const qnode *q, qstats *out) {
  const snapshot *snap = &ix->snap;
  qctx cx;
  qctx_init(&cx, ix, NULL);
  int rc = 0;
  /* Build q's iterators on every segment, as a search does, and keep what
  ** the idf cache then holds: each term any of them took an idf of. */
  for (size_t si = 0; si < snap->n && !rc; si++) {
    qctx_seg(&cx, &snap->segs[si]);
    qit *it = qit_build(&cx, q);
    if (it) it->destroy(it);
    rc = cx.err ? cx.err : it ? 0 : ND_ERR_NOMEM;
  }
  out->docs = snap->total_docs;
  out->title_len = snap->sum_title_len;
  out->body_len = snap->sum_body_len;
  for (size_t i = 0; i < cx.capcache && !rc; i++) {
    const idf_entry *e = &cx.cache[i];
    if (!e->key || isnan(e->idf)) continue;
    rc = qs_add(out, e->key, e->len, (uint64_t)e->df);
    if (rc == ND_ERR_INVALID)
      rc = ix_fail(ix, ND_ERR_LIMIT, "the query reaches more than %d index terms", QS_MAX_TERMS);
  }
  qctx_free(&cx);
  return rc ? qctx_fail(ix, rc) : 0;
}
