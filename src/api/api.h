/*
** api.h -- internal helpers shared by the modules of src/api/.
*/
#ifndef ND_API_API_H
#define ND_API_API_H
#include <stddef.h>

#include <roaring/roaring.h>

#include "../query/parse.h"
#include "../util/buf.h"
#include "newsdex.h"

/* nd_search() on a parsed query.  When `exclude_id` is not NULL the article
** with that id is left out of the hits (and of the total).  The query tree
** stays the caller's. */
int search_tree(nd_index *ix, const qnode *q, const nd_search_options *opts, const char *exclude_id,
                nd_results **out);

/* Results for hits found by exec_search() or otherwise (total and stories
** set to nh; the caller may change them): each hit's stored article
** fetched, its headline, keys and versions; snippets for query q when
** opts asks (q NULL: none).  The hits stay the caller's. */
struct exec_hit;
int api_results(nd_index *ix, const struct exec_hit *hits, size_t nh, const nd_search_options *opts, const qnode *q,
                nd_results **out);

/* ---- shards.c: statistics shared by shards ---- */

/* Add the figures of text (an nd_search_options.stats) to *out; when they
** are malformed set the handle's message and return ND_ERR_INVALID (or
** ND_ERR_NOMEM). */
struct qstats;
int api_stats_read(nd_index *ix, const char *text, struct qstats *out);

/* Set what nd_results_stories() says. */
void api_results_set_stories(nd_results *r, uint64_t stories);

/* Parse `query` for ix; on failure set the handle's message (and error
** offset) and return ND_ERR_QUERY, ND_ERR_INVALID or ND_ERR_NOMEM. */
int api_parse(nd_index *ix, const char *query, qnode **out);

/* ---- collapse.c: stories among matches ---- */

/* Keep in sets (per snapshot segment, `total` matches in all, as
** exec_matches gives them) only the canonical version of each story
** among them; *stories receives how many remain.  0 or ND_ERR_NOMEM. */
int stories_collapse(nd_index *ix, roaring_bitmap_t **sets, uint64_t total, uint64_t *stories);
/* The canonical order of versions (qsort_r comparator of exec_hits, the
** context the index): dated before undated, earlier first, the longer
** body first, then snapshot order. */
int api_cmp_canonical(const void *a, const void *b, void *ctx);

/* ---- tally.c: counting keys, keeping the most frequent ---- */

typedef struct tally_ent {
  size_t off, len; /* key bytes in the arena */
  uint64_t count;
} tally_ent;

typedef struct tally {
  buf arena;
  tally_ent *e;
  size_t n, cap;
} tally;

/* Zero a tally with tally_init; tally_free releases it. */
void tally_init(tally *t);
void tally_free(tally *t);
/* Add count to key[0..len) (the same key may be added many times, e.g. once
** per segment).  0 or ND_ERR_NOMEM. */
int tally_add(tally *t, const char *key, size_t len, uint64_t count);
/* The `limit` keys with the largest sums (ties in key order; limit 0: all),
** each key without its first `skip` bytes, as an array of *n counts in one
** allocation (nd_counts_free).  `by_key` orders the result by key instead
** (after choosing the most frequent).  NULL when memory ran out. */
nd_count *tally_top(tally *t, size_t skip, size_t limit, int by_key, size_t *n);

#endif
