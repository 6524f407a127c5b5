/*
** iter.h -- internal interface of the query engine (src/query/ but the
** parser), a section per source file.
**
** exec.h says what a search computes; these files compute it, one idea
** each:
**
**   ctx.c       a query's context: the segment being iterated, N and the
**               average lengths, the idf cache; exec_stats
**   plan.c      the planner: a query node to a tree of iterators; the empty
**               iterator
**   term_it.c   one index term's postings
**   phrase.c    phrases: position matching, bounds for block-max
**   dates_it.c  date ranges from the date index; the date-led AND
**   exists.c    match-all, exists tests, source:*, id:; the tests of the
**               document table that an AND applies to its candidates
**   boolean.c   AND (with NOT parts and filters) and OR (with a heap when
**               wide)
**   prefix.c    prefixes, source values and topic names (person aliases)
**               as an OR of index terms
**   topk.c      the heap of the best hits, recency, block-max top-k, the
**               AND scan, match-all's hits from the date index
**   accum.c     a wide OR of terms ranked term at a time
**   count.c     counting without scoring: exact counts, stories
**   exec.c      the entry points: exec_search (which path runs on each
**               segment) and exec_matches
**
** An iterator walks the matching document numbers of the context's current
** segment in increasing order.  Its constructor leaves it on its first
** match (doc PL_END: none) and returns NULL only on failure, with cx->err
** set; a query that cannot match gives an empty iterator, not NULL.  Damage
** and lack of memory met while iterating set cx->err (the iterator then
** ends or stays put): callers test it after each step.  The per-posting
** steps of term iterators and the BM25F score are static inline here, so
** that the block-max paths (topk.c) call them without a call's cost.
*/
#ifndef ND_QUERY_ITER_H
#define ND_QUERY_ITER_H
#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/date.h"
#include "exec.h"

struct qstats;
struct idf_entry;

/* ---- ctx.c ---------------------------------------------------------------- */

typedef struct qctx {
  nd_index *ix;
  const snapshot *snap;
  const segment *seg;
  size_t segi;                 /* its index in snap->segs */
  const roaring_bitmap_t *del; /* the segment's deletions (NULL: none) */
  double N, avg_t, avg_b;
  const struct qstats *given; /* the figures scored with (exec_opts.stats), NULL: the snapshot's */
  int err;             /* first ND_ERR_* met while iterating */
  const exec_opts *o;  /* recency (exec_search only; NULL: none) */
  struct idf_entry *cache; /* open addressing, power of two */
  size_t ncache, capcache;
  char **walked;       /* prefix keys whose terms' df were summed (qctx_prefix_dfs) */
  size_t nwalked;
  /* bm25_norms of avg_t and avg_b: the snapshot's, or own_t and own_b
  ** for given figures */
  const double *norm_t, *norm_b;
  double own_t[256], own_b[256];
} qctx;

/* A context scoring with the given figures (NULL: the snapshot's). */
void qctx_init(qctx *cx, nd_index *ix, const struct qstats *given);
/* Iterate snapshot segment g from now on. */
void qctx_seg(qctx *cx, const snap_seg *g);
/* Free the idf cache. */
void qctx_free(qctx *cx);
/* Global idf of an index term: df summed over the snapshot's segments, or
** the given figures' df (0 with cx->err set when they lack it). */
double qctx_idf(qctx *cx, const char *key, size_t len);
/* The dictionary entry of an index term in the current segment: 1, 0
** (absent), -1 (damaged).  Kept from qctx_idf's lookups when it made them
** (a query's term is then looked up once a segment, however many
** iterators open it: the top-k's, an exact count's). */
int qctx_term(qctx *cx, const char *key, size_t len, term_info *ti);
/* Sum the global df of every index term starting with key[0..len) into
** the idf cache, once per query and prefix.  0, or -1 with cx->err set. */
int qctx_prefix_dfs(qctx *cx, const char *key, size_t len);
/* The message for an error met while iterating (ND_ERR_LIMIT's is set);
** returns rc. */
int qctx_fail(nd_index *ix, int rc);

/* ---- scoring (BM25F, exec.h; the formula's parts in index/bm25.h) --------- */

static inline double bm25f(const qctx *cx, uint32_t doc, uint32_t tft, uint32_t tfb, double idf, int field, int source) {
  if (source) return bm25_saturate(idf, tfb);
  const uint8_t *len = cx->seg->norms + 2 * (size_t)doc;
  return bm25_saturate(idf, bm25_tf(field == QF_BODY ? 0 : tft, field == QF_TITLE ? 0 : tfb, cx->norm_t[len[0]],
                                    cx->norm_b[len[1]]));
}

#define BOUND_SLACK (1 + 1e-6) /* float bounds and summation order */

/* What stored block bounds are multiplied by in the current segment
** (bm25_bound_scale; 1 for keyword fields, bounded by counts).  The
** averages may be given figures' (exec_opts.stats), far from the
** snapshot's: the scale still bounds, since under any average A a field's
** tf' is at most max(1, A / segment's average) times the one the segment
** stored. */
static inline double seg_bound_scale(const qctx *cx, int source) {
  const segment *s = cx->seg;
  return source ? 1
                : bm25_bound_scale(cx->avg_t, cx->avg_b, bm25_avg(s->m.sum_title_len, s->m.ndocs),
                                   bm25_avg(s->m.sum_body_len, s->m.ndocs));
}

/* A score bound from a stored tf' bound f. */
static inline double score_bound(double idf, double f, double scale) { return bm25_saturate(idf, f * scale) * BOUND_SLACK; }

/* ---- plan.c: iterators ---------------------------------------------------- */

typedef struct qit qit;
enum { IT_OTHER, IT_TERM, IT_AND, IT_OR, IT_PHRASE };
struct qit {
  uint32_t doc; /* current document, PL_END when exhausted */
  int kind;     /* IT_*: what the block-max path can see through */
  uint64_t cost;
  void (*next)(qit *);
  void (*advance)(qit *, uint32_t);
  double (*score)(qit *);
  void (*destroy)(qit *);
  qctx *cx;
};

/* The iterator of q on the current segment (NULL: failed, cx->err set). */
qit *qit_build(qctx *cx, const qnode *q);
/* An iterator that matches nothing (NULL: out of memory, cx->err set). */
qit *qit_empty(qctx *cx);
/* The destroy of an iterator that owns nothing but itself. */
void qit_free(qit *it);
/* The score of an iterator whose matches score nothing. */
double qit_zero_score(qit *it);

/* ---- term_it.c ------------------------------------------------------------ */

typedef struct term_it {
  qit base;
  pl_cursor c;
  int field, source;
  double idf;
  double scale, ub; /* block bounds: see term_bounds_init (topk.c) */
} term_it;

/* Index key of a query term in a field (into key[DICT_MAX_TERM + 1]):
** source keys carry a prefix byte.  Returns its length. */
size_t term_key(const char *term, int field, char *key);
/* Open a cursor on the postings a dictionary entry of the current segment
** points to: 0, or -1 (damaged; cx->err set). */
int term_open_postings(qctx *cx, const term_info *ti, pl_cursor *c);
/* Open a cursor on an index term of the current segment: 1, 0 (absent),
** -1 (cx->err set). */
int term_open_cursor(qctx *cx, const char *key, size_t len, pl_cursor *c);
/* A term iterator on key[0..len), whose dictionary entry in the current
** segment is *ti when the caller has it (NULL: looked up). */
qit *term_it_open(qctx *cx, const char *key, size_t len, int field, const term_info *ti);
qit *term_it_new(qctx *cx, const char *key, size_t len, int field);
/* Is every posting of iterator k a match (a term in no title/body field)? */
int term_all_match(const qit *k);

/* Is a posting with these frequencies a match of term t (a field
** restriction wants its field's)? */
static inline int term_takes(const term_it *t, uint32_t tft, uint32_t tfb) {
  return t->field == QF_TITLE ? tft > 0 : t->field == QF_BODY ? tfb > 0 : 1;
}

/* Is the cursor's posting a match?  (A term without a field restriction
** does not decode frequencies for it.) */
static inline int term_accept(term_it *t) {
  return (t->field != QF_TITLE && t->field != QF_BODY) || term_takes(t, pl_tft(&t->c), pl_tfb(&t->c));
}

static inline void term_settle(term_it *t) {
  while (t->c.doc != PL_END && !term_accept(t)) pl_next(&t->c);
  if (t->c.err) t->base.cx->err = ND_ERR_CORRUPT;
  t->base.doc = t->c.doc;
}

static inline void term_next(qit *it) {
  term_it *t = (term_it *)it;
  pl_next(&t->c);
  term_settle(t);
}

static inline void term_advance(qit *it, uint32_t target) {
  term_it *t = (term_it *)it;
  pl_advance(&t->c, target);
  term_settle(t);
}

static inline double term_score(qit *it) {
  term_it *t = (term_it *)it;
  double sc = bm25f(it->cx, t->c.doc, pl_tft(&t->c), pl_tfb(&t->c), t->idf, t->field, t->source);
  if (t->c.err) it->cx->err = ND_ERR_CORRUPT;
  return sc;
}

/* ---- phrase.c ------------------------------------------------------------- */

qit *phrase_it_new(qctx *cx, const qnode *q);
/* Block-max top-k (topk.c): take the current segment's bound scale, then
** pass by the candidates whose bound is below thr (-INFINITY: none). */
void phrase_bounds_init(qit *it);
void phrase_set_floor(qit *it, double thr);

/* ---- exists.c ------------------------------------------------------------- */

/* Match all, an id and an exists test score this, whatever the document:
** every article they match ranks alike (Elasticsearch's match_all and
** exists give 1 too); in an AND or OR it adds to its parts' scores. */
#define CONST_SCORE 1.0

/* A test of one document of the current segment that needs no postings:
** every document (ALL); a date in lo..hi (RANGE: a date: range, and
** date:*); title or body words (TITLE, BODY: lengths in the document
** table); key topics (TOPIC: any, from the document's topic list;
** TYPES: one whose dictionary ordinal is in one of the segment's ranges
** of that type's terms, or, for person:, a partial name written with a
** title -- index/alias.h -- in range plo..phi: which of those are is read
** from the dictionary, in one pass, when first needed). */
enum { EX_ALL, EX_RANGE, EX_TITLE, EX_BODY, EX_TOPIC, EX_TYPES };
typedef struct ex_pred {
  int what;
  int64_t lo, hi;     /* RANGE */
  uint64_t rlo, rhi;  /* TYPES: ordinals [rlo, rhi) */
  uint64_t plo, phi;  /* TYPES: partial names [plo, phi) that count when titled (plo == phi: none) */
  uint64_t *titled;   /* bit k: partial name plo + k has a title (NULL: not read yet) */
} ex_pred;

/* Does a document dated t pass range e?  An undated one passes none. */
static inline int ex_in_range(const ex_pred *e, int64_t t) { return t != DATE_NONE && t >= e->lo && t <= e->hi; }

/* The test of an exists query on `field` (QF_DATE, QF_TITLE, QF_BODY or a
** topic field) or, for QF_ANY, match-all, in the current segment.  0, or
** -1 with cx->err set. */
int ex_init(qctx *cx, int field, ex_pred *e);
/* Does document d (< ndocs) of the current segment pass e?  Damage sets cx->err. */
int ex_test(qctx *cx, ex_pred *e, uint32_t d);
void ex_free(ex_pred *e);
/* Match-all (field QF_ANY) or an exists test that ex_init knows. */
qit *scan_it_new(qctx *cx, int field);
/* source:*, from the postings of the segment's source terms. */
qit *source_exists_new(qctx *cx);
/* id:VALUE: the live document of the segment with that id. */
qit *id_it_new(qctx *cx, const char *id);

/* ---- boolean.c ------------------------------------------------------------ */

/* A date range, or an exists test that ex_test makes, an AND checks on
** each of its candidates (from the document table) instead of walking
** the documents that pass it: cost per candidate, not per article of the
** range. */
typedef struct doc_filter {
  ex_pred ex;
  int negate;
} doc_filter;

typedef struct multi_it {
  qit base;
  qit **kids;
  size_t n;
  qit **neg;
  size_t nneg;
  doc_filter *filters; /* AND only */
  size_t nfilters;
  double bonus;        /* AND only: the constant scores of its parts that are filters or match-all */
} multi_it;

/* An iterator with room for cap children (NULL: out of memory, cx->err
** set), to be finished by or_finish (or by and_it_new). */
multi_it *multi_new(qctx *cx, size_t cap);
void multi_destroy(qit *it);
/* The OR of m's children (m itself when it has several). */
qit *or_finish(qctx *cx, multi_it *m);
qit *or_it_new(qctx *cx, const qnode *q);
qit *and_it_new(qctx *cx, const qnode *q);

/* ---- dates_it.c ----------------------------------------------------------- */

qit *date_it_new(qctx *cx, int64_t lo, int64_t hi);
/* Make the positive date filters of the AND m that hold few of the
** segment's articles lead it (date iterators among its children); *empty
** set when one matches nothing.  0, or -1 with cx->err set. */
int date_lead(qctx *cx, multi_it *m, int *empty);

/* ---- prefix.c ------------------------------------------------------------- */

/* A prefix, a source value or a topic field's name or prefix: the OR of
** the index terms that start with its key. */
qit *prefix_it_new(qctx *cx, const qnode *q);

/* ---- topk.c --------------------------------------------------------------- */

typedef struct heap {
  exec_hit *h;
  size_t n, cap;
  int sort;
  /* Collapsing: the heap position of each kept story, open addressing
  ** (linear probing, capacity a power of two at least twice cap), entries
  ** story + position + 1; NULL without collapsing. */
  struct story_slot { uint64_t story; size_t at; } *slots;
  size_t mask;
} heap;

/* Score of the worst kept hit, -infinity while the heap has room, or
** +infinity when it keeps none (no hits asked for: only counting). */
static inline double heap_floor(const heap *hp) {
  if (hp->cap == 0) return INFINITY;
  return hp->n == hp->cap ? hp->h[0].score : -INFINITY;
}

/* A heap keeping the best `want` hits in `sort` order, one a story with
** `collapse`.  0 or ND_ERR_NOMEM. */
int topk_init(heap *hp, size_t want, int sort, int collapse);
/* Free what the heap holds. */
void topk_free(heap *hp);
/* The kept hits after the first `offset`, in rank order: *hits (mem_free
** it; NULL when none) and *n.  The heap is freed. */
void topk_take(heap *hp, size_t offset, exec_hit **hits, size_t *n);
/* Offer doc d of snapshot segment g (number si) with its BM25F score: the
** recency factor applied here. */
void topk_offer(const qctx *cx, heap *hp, const snap_seg *g, uint32_t si, uint32_t d, double score);
/* Is it an AND that topk_and_scan takes: of terms whose every posting is a
** match, with no exclusion and no filter but date ranges? */
int topk_and_of_terms(const qit *it);
/* Every live match of such an AND scored and offered; *seen their count. */
void topk_and_scan(qctx *cx, const snap_seg *g, uint32_t si, multi_it *m, heap *hp, uint64_t *seen);
/* Run the block-max path if `it` has a shape it handles: 1 if it did
** (*seen: the matches it scored), 0 if not. */
int topk_block_max(qctx *cx, const snap_seg *g, uint32_t si, qit *it, heap *hp, uint64_t *seen, int exact);
/* Match-all alone, without recency: *total gets the segment's live
** documents, the heap its best.  0 or ND_ERR_CORRUPT. */
int topk_all(qctx *cx, const snap_seg *g, uint32_t si, heap *hp, uint64_t *total);

/* ---- accum.c -------------------------------------------------------------- */

/* Rank a wide OR of terms term at a time if `it` is one and its postings
** are dense enough in segment g: 1 if it did (*count gets the exact number
** of live matches; cx->err may be set), 0 if not. */
int topk_accumulate(qctx *cx, const snap_seg *g, uint32_t si, qit *it, heap *hp, uint64_t *count);

/* ---- count.c -------------------------------------------------------------- */

/* The live matches of q in segment g, without scoring.  0 or ND_ERR_*. */
int count_live(qctx *cx, const snap_seg *g, const qnode *q, uint64_t *count);

#endif
