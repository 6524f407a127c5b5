/*
** exec.h -- running a parsed query over a snapshot.
**
** For each segment the query tree becomes a tree of iterators over document
** numbers (term, phrase, prefix, date, and, or; match-all and the exists
** tests of the document table walk it, source:* gathers its source terms'
** postings in a bitset of the segment's documents, id: is the one
** document the id index gives, as nd_get finds it; a date range or an
** exists test other than source:* inside an AND with other parts is a
** per-candidate check instead, and a match-all there only adds its
** score); every match is counted,
** skipped if deleted, scored with BM25F and offered to a bounded heap that
** keeps the best offset+limit hits.  A term, an OR of terms (a prefix is
** one) or an AND of terms ranked by relevance takes the block-max path
** instead: blocks whose bounds cannot reach the heap's worst hit are
** skipped, and an exact count, when asked for, is a separate pass that
** does not score.  The cost is proportional to the postings of the
** query's terms, never to the size of the archive -- but for match-all
** and exists, whose matches are a share of the archive: match-all alone
** counts each segment's live documents at once and takes its hits from
** the date index, from the end that ranks first (every hit scores
** alike), stopping where a date can no longer rank.
**
** Scoring (BM25F, Robertson & Zaragoza 2009), per query term t and doc d:
**   tf'(t,d) = W_TITLE * tf_title / (1 - B + B * len_title / avg_title)
**            +           tf_body  / (1 - B + B * len_body  / avg_body)
**   score    = idf(t) * tf' * (K1 + 1) / (tf' + K1)
**   idf(t)   = ln(1 + (N - df + 0.5) / (df + 0.5))
** with N the documents of the snapshot and df summed over its segments
** (or N, df and the averages from given figures: exec_opts.stats).  A
** phrase counts its occurrences as tf and its terms' idfs summed as idf.  A
** source: term uses its count with no length normalisation.  A date range
** scores 0; match-all, an id and an exists test score 1 (a constant, as
** Elasticsearch's match_all and exists).  AND and OR add their parts'
** scores.  Sorted by date (ND_SORT_DATE, ND_SORT_DATE_ASC) the exhaustive
** path runs: score bounds say nothing of dates.
*/
#ifndef ND_QUERY_EXEC_H
#define ND_QUERY_EXEC_H
#include <stddef.h>
#include <stdint.h>

#include "../index/bm25.h"
#include "../index/index.h"
#include "parse.h"

#define PREFIX_MAX_TERMS 4096

typedef struct exec_hit {
  uint32_t seg, doc;
  double score;
  int64_t date;
  uint64_t story; /* its version group (index/stories.h) */
} exec_hit;

/* What a search keeps: hits offset .. offset+limit-1 in `sort` order; with
** `collapse`, only the best hit of each version group counts (so the hits
** are offset+limit distinct stories); with half_life > 0 (seconds) each
** score is multiplied by 2^(-age/half_life), the age counted from as_of
** (0: now), an undated article being ND_RECENCY_UNDATED half-lives old.
** Decay factors are at most 1, so every bound stays a bound; the block-max
** paths also multiply a window's bound by the factor of the newest date in
** it (segment.h's newest-date table), which skips old windows. */
typedef struct exec_opts {
  size_t offset, limit;
  int sort;
  int collapse;
  double half_life;
  int64_t as_of;
  const struct qstats *stats; /* score with these figures (stats.h), NULL: the snapshot's */
} exec_opts;

/* Run q under o.  On success *hits holds min(total - offset, limit) hits in rank
** order (mem_free it) and *total every match.  If *exact is 0, a
** relevance-ranked search may skip documents that cannot rank (block-max
** top-k); *total is then a lower bound (the matches it scored) and *exact
** says whether it is in fact exact.  Returns
** 0, ND_ERR_NOMEM, ND_ERR_CORRUPT, ND_ERR_LIMIT or (o->stats lacking a term
** the search looks up) ND_ERR_INVALID with a message set on ix. */
int exec_search(nd_index *ix, const qnode *q, const exec_opts *o, int *exact, exec_hit **hits, size_t *nhits,
                uint64_t *total);
/* The figures BM25F takes from the archive for q (stats.h), into *out
** (empty: qs_init): the snapshot's documents and length sums, and the df
** of every index term whose idf a search of q would take in any segment
** -- found by building q's iterators on each segment as exec_search does,
** so that every expansion (prefixes, source and topic values, person
** aliases) is the search's own.  A phrase's terms are kept even with df 0
** (absent here, a term may be elsewhere).  Another archive's figures for
** the same query then add up to those of one archive holding both, and
** with them exec_search scores as that archive would; a term the given
** figures lack that a search looks up is an ND_ERR_INVALID error.  Costs
** what opening the iterators costs, not a search.  0 or ND_ERR_* with a
** message set on ix (ND_ERR_LIMIT: more than QS_MAX_TERMS terms). */
struct qstats;
int exec_stats(nd_index *ix, const qnode *q, struct qstats *out);

/* The stories (version groups) among the `total` live matches of q: total
** less, for each group with m > 1 matching members, m - 1.  Only the
** segments' joiners (segment.h: the docs that joined an earlier article's
** group, few) and the first articles of their groups are tested against
** q, by advancing an iterator to them: the cost follows the joiners, not
** the matches.  0 or ND_ERR_* with a message set on ix. */
int exec_stories(nd_index *ix, const qnode *q, uint64_t total, uint64_t *stories);

/* The recency factor of an article dated `date` under o (1 without recency). */
double exec_decay(const exec_opts *o, int64_t date);

/* The matching live documents of q: (*sets)[i] is a bitmap of the doc
** numbers of snapshot segment i (ix->snap.segs[i]); *total their count.
** Free with exec_matches_free(*sets, ix->snap.n).  For facets and
** histograms: the cost is that of iterating the matches, no scoring. */
int exec_matches(nd_index *ix, const qnode *q, roaring_bitmap_t ***sets, uint64_t *total);
void exec_matches_free(roaring_bitmap_t **sets, size_t n);

#endif
