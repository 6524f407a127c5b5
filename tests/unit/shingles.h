/*
** shingles.h -- ground truth for wire copies, by brute force beside the
** library: the exact Jaccard similarity of two articles' sets of 5-word
** shingles, and every pair of a corpus at or above the near-duplicate
** threshold.  The library's fingerprints are never used here:
** tests/unit/test_stories.c checks the archive's version groups against
** it, bench/dups.c measures them on a whole corpus (docs/stories.md).
**
** Words are the analyser's terms (an_analyze: folded, stemmed) of the
** body in order, one per position: the extra whole-word token of a
** hyphenated compound (an_token.joined) is left out.  When the body has
** no word, the title's.  A shingle is 5 consecutive words; an article of
** 1 to 4 words has one, all of them; an article without a word has none
** and is nobody's near-duplicate.  A set holds a 64-bit hash of each
** distinct shingle (XXH3 of its words' XXH3 hashes), ascending.  Two
** different shingles share a hash with probability 2^-64: among the
** 5 * 10^7 distinct shingles of a large corpus, a collision anywhere has
** a chance below 10^-4.
**
** Near-duplicates: J(A, B) = |A n B| / |A u B| >= 4/5 (ND_NEAR_DUP),
** tested in integers: 9 |A n B| >= 4 (|A| + |B|).
**
** Every pair at the threshold without comparing every pair
** (sh_near_pairs): prefix filtering (Chaudhuri, Ganti & Kaushik 2006;
** Bayardo, Ma & Srikant 2007).  Order each set's shingles by one global
** order: their frequency in the corpus, rarest first, ties by hash.  If
** J(A, B) >= t then |A n B| >= t |A u B| >= t |A|; the shingles of A
** before the first common one (in that order) are not in B, so there are
** at most |A| - |A n B| of them, and the first common shingle is among
** A's first |A| - ceil(t |A|) + 1 -- and likewise among B's.  Indexing
** that prefix of every set and pairing the sets that share a prefix
** shingle finds every such pair among the candidates; each candidate is
** then checked exactly.  Rare shingles first keep the lists short.
*/
#ifndef ND_TESTS_SHINGLES_H
#define ND_TESTS_SHINGLES_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "text/analyze.h"

#define SH_WORDS 5
/* The threshold, SH_NUM / SH_DEN = ND_NEAR_DUP. */
#define SH_NUM 4u
#define SH_DEN 5u

typedef struct sh_set {
  uint64_t *v; /* distinct shingle hashes, ascending */
  size_t n;
} sh_set;

typedef struct sh_words_ {
  uint64_t *w;
  size_t n, cap;
  int oom;
} sh_words_;

static int sh_on_token_(void *ctx, const an_token *t) {
  sh_words_ *ws = ctx;
  if (t->joined) return 0;
  if (ws->n == ws->cap) {
    size_t cap = ws->cap ? ws->cap * 2 : 256;
    uint64_t *w = realloc(ws->w, cap * sizeof *w);
    if (!w) { ws->oom = 1; return 1; }
    ws->w = w;
    ws->cap = cap;
  }
  ws->w[ws->n++] = XXH3_64bits(t->term, t->len);
  return 0;
}

static inline int sh_cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

static inline void sh_set_free(sh_set *s) {
  free(s->v);
  s->v = NULL;
  s->n = 0;
}

/* The shingle set of an article (title and body may be NULL).  0, or -1
** when memory ran out. */
static inline int sh_article(analyzer *an, const char *title, const char *body, sh_set *out) {
  sh_words_ ws = {0};
  out->v = NULL;
  out->n = 0;
  if (body) an_analyze(an, body, strlen(body), 0, sh_on_token_, &ws, NULL);
  if (!ws.oom && ws.n == 0 && title) an_analyze(an, title, strlen(title), 0, sh_on_token_, &ws, NULL);
  if (ws.oom) { free(ws.w); return -1; }
  size_t ns = ws.n == 0 ? 0 : ws.n < SH_WORDS ? 1 : ws.n - SH_WORDS + 1;
  if (ns && !(out->v = malloc(ns * sizeof *out->v))) { free(ws.w); return -1; }
  for (size_t i = 0; i < ns; i++) out->v[i] = XXH3_64bits(ws.w + i, (ws.n < SH_WORDS ? ws.n : SH_WORDS) * sizeof *ws.w);
  free(ws.w);
  qsort(out->v, ns, sizeof *out->v, sh_cmp_u64);
  for (size_t i = 0; i < ns; i++)
    if (out->n == 0 || out->v[i] != out->v[out->n - 1]) out->v[out->n++] = out->v[i];
  return 0;
}

/* The values in both of two ascending lists. */
static inline size_t sh_both(const uint64_t *a, size_t na, const uint64_t *b, size_t nb) {
  size_t i = 0, j = 0, c = 0;
  while (i < na && j < nb)
    if (a[i] < b[j]) i++;
    else if (a[i] > b[j]) j++;
    else { c++; i++; j++; }
  return c;
}

/* |A n B|. */
static inline size_t sh_common(const sh_set *a, const sh_set *b) { return sh_both(a->v, a->n, b->v, b->n); }

/* J(A, B); 0 when either is empty. */
static inline double sh_jaccard(const sh_set *a, const sh_set *b) {
  if (!a->n || !b->n) return 0;
  size_t c = sh_common(a, b);
  return (double)c / (double)(a->n + b->n - c);
}

/* Is J(A, B) >= SH_NUM / SH_DEN?  Stops as soon as the answer is known. */
static inline int sh_near(const sh_set *a, const sh_set *b) {
  if (!a->n || !b->n) return 0;
  size_t lo = a->n < b->n ? a->n : b->n, hi = a->n + b->n - lo;
  if ((uint64_t)lo * SH_DEN < (uint64_t)hi * SH_NUM) return 0; /* J <= lo / hi */
  /* the common shingles needed: (NUM + DEN) c >= NUM (|A| + |B|) */
  uint64_t need = ((uint64_t)SH_NUM * (a->n + b->n) + SH_NUM + SH_DEN - 1) / (SH_NUM + SH_DEN);
  size_t i = 0, j = 0, c = 0;
  while (i < a->n && j < b->n) {
    size_t left = a->n - i < b->n - j ? a->n - i : b->n - j;
    if (c + left < need) return 0;
    if (a->v[i] < b->v[j]) i++;
    else if (a->v[i] > b->v[j]) j++;
    else { c++; i++; j++; }
  }
  return c >= need;
}

/* The length of the prefix of a set of n shingles that prefix filtering
** indexes: n - ceil(n SH_NUM / SH_DEN) + 1. */
static inline size_t sh_prefix_len(size_t n) {
  return n ? n - (n * SH_NUM + SH_DEN - 1) / SH_DEN + 1 : 0;
}

typedef struct sh_ref_ {
  uint64_t key; /* a shingle's hash */
  uint64_t at;  /* where it is: its set's offset in the concatenation plus its rank */
} sh_ref_;

static int sh_cmp_ref_(const void *a, const void *b) {
  const sh_ref_ *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return (x->at > y->at) - (x->at < y->at);
}

/* A growable list of pairs of articles i < j, each i << 32 | j. */
typedef struct sh_pairs {
  uint64_t *v;
  size_t n, cap;
} sh_pairs;

static inline uint64_t sh_pair(size_t a, size_t b) {
  return a < b ? (uint64_t)a << 32 | b : (uint64_t)b << 32 | a;
}

/* Append x; 0, or -1 when memory ran out. */
static inline int sh_pairs_add(sh_pairs *p, uint64_t x) {
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 1024;
    uint64_t *v = realloc(p->v, cap * sizeof *v);
    if (!v) return -1;
    p->v = v;
    p->cap = cap;
  }
  p->v[p->n++] = x;
  return 0;
}

/* Sort, and drop repeats. */
static inline void sh_pairs_sort(sh_pairs *p) {
  if (p->n > 1) qsort(p->v, p->n, sizeof *p->v, sh_cmp_u64);
  size_t k = 0;
  for (size_t i = 0; i < p->n; i++)
    if (k == 0 || p->v[i] != p->v[k - 1]) p->v[k++] = p->v[i];
  p->n = k;
}

/* The pairs in both sorted lists. */
static inline size_t sh_pairs_common(const sh_pairs *a, const sh_pairs *b) { return sh_both(a->v, a->n, b->v, b->n); }

/* Is x in the sorted list? */
static inline int sh_pairs_has(const sh_pairs *p, uint64_t x) {
  return bsearch(&x, p->v, p->n, sizeof *p->v, sh_cmp_u64) != NULL;
}

/* A shingle's frequency and hash, ordered rarest first. */
typedef struct sh_rank_ {
  uint64_t freq, key;
} sh_rank_;

static int sh_cmp_rank_(const void *a, const void *b) {
  const sh_rank_ *x = a, *y = b;
  if (x->freq != y->freq) return x->freq < y->freq ? -1 : 1;
  return (x->key > y->key) - (x->key < y->key);
}

/* Every pair i < j of sets[0..n) with sh_near(), found by prefix
** filtering: *pairs receives them as i << 32 | j, ascending (free()), and
** *npairs their number; *ncand (may be NULL) the candidates checked.  0, or
** -1 when memory ran out.  n < 2^32. */
static inline int sh_near_pairs(const sh_set *sets, size_t n, uint64_t **pairs, size_t *npairs, size_t *ncand) {
  int rc = -1;
  size_t total = 0, np = 0;
  for (size_t i = 0; i < n; i++) total += sets[i].n;
  sh_ref_ *refs = malloc((total + 1) * sizeof *refs);
  uint64_t *freq = malloc((total + 1) * sizeof *freq);
  sh_rank_ *rank = NULL;
  sh_pairs cand = {0}, out = {0};
  if (!refs || !freq) goto done;
  /* the frequency of every shingle in the corpus, by one sort of them all */
  for (size_t i = 0, at = 0; i < n; i++)
    for (size_t k = 0; k < sets[i].n; k++, at++) refs[at] = (sh_ref_){sets[i].v[k], at};
  qsort(refs, total, sizeof *refs, sh_cmp_ref_);
  for (size_t a = 0, b; a < total; a = b) {
    for (b = a; b < total && refs[b].key == refs[a].key; b++) {}
    for (size_t k = a; k < b; k++) freq[refs[k].at] = b - a;
  }
  /* each set's prefix, rarest first, into (shingle, set) entries */
  size_t maxn = 0;
  for (size_t i = 0; i < n; i++) maxn = sets[i].n > maxn ? sets[i].n : maxn;
  if (!(rank = malloc((maxn + 1) * sizeof *rank))) goto done;
  for (size_t i = 0, at = 0; i < n; at += sets[i].n, i++) {
    for (size_t k = 0; k < sets[i].n; k++) rank[k] = (sh_rank_){freq[at + k], sets[i].v[k]};
    qsort(rank, sets[i].n, sizeof *rank, sh_cmp_rank_);
    for (size_t k = 0; k < sh_prefix_len(sets[i].n); k++) refs[np++] = (sh_ref_){rank[k].key, i};
  }
  qsort(refs, np, sizeof *refs, sh_cmp_ref_);
  /* the sets that share a prefix shingle are candidates */
  for (size_t a = 0, b; a < np; a = b) {
    for (b = a; b < np && refs[b].key == refs[a].key; b++) {}
    for (size_t x = a; x < b; x++)
      for (size_t y = x + 1; y < b; y++)
        if (sh_pairs_add(&cand, refs[x].at << 32 | refs[y].at)) goto done;
  }
  sh_pairs_sort(&cand);
  for (size_t k = 0; k < cand.n; k++) {
    if (sh_near(&sets[cand.v[k] >> 32], &sets[cand.v[k] & 0xffffffffu]) && sh_pairs_add(&out, cand.v[k])) goto done;
  }
  if (ncand) *ncand = cand.n;
  *pairs = out.v;
  *npairs = out.n;
  out.v = NULL;
  rc = 0;
done:
  free(refs);
  free(freq);
  free(rank);
  free(cand.v);
  free(out.v);
  return rc;
}

#endif
