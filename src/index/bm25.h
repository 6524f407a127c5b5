/*
** bm25.h -- the BM25F term-frequency part, shared by the segment writer
** (which stores each postings block's largest value as its bound) and the
** scorer (bm25f in query/iter.h), so that the two can never disagree.
**
**   tf'(t,d) = W_TITLE * tf_title / (1 - B + B * len_title / avg_title)
**            +           tf_body  / (1 - B + B * len_body  / avg_body)
**   score    = idf(t) * tf' * (K1 + 1) / (tf' + K1)
**
** The lengths a document is scored with are its field lengths (in
** positions) stored in one byte each (bm25_len_code): exact below 128,
** above that rounded down to a power of two and the next four bits (by
** less than 1/16), at most 31744.  A segment keeps these bytes densely, two
** a document, so that scoring a candidate reads 2 bytes rather than a
** document-table row (as Lucene's norms do); the averages are the exact
** ones.
**
** A segment's bounds are computed with its own average lengths.  Under the
** averages of a whole snapshot a document's tf' can be larger by at most
** the factor max(1, avg_snapshot / avg_segment) of each field, which is
** what a reader multiplies a stored bound by (bm25_bound_scale).
*/
#ifndef ND_INDEX_BM25_H
#define ND_INDEX_BM25_H
#include <stdint.h>

/* These may be set when compiling, to study them (docs/benchmarks.md).  An
** archive must then be searched by the build that wrote it: its block
** bounds were computed with B and W_TITLE. */
#ifndef BM25_K1
#define BM25_K1 1.2
#endif
#ifndef BM25_B
#define BM25_B 0.75
#endif
#ifndef BM25_W_TITLE
#define BM25_W_TITLE 2.5
#endif

/* Average length of a field: sum / docs, or 1 when that is not positive. */
static inline double bm25_avg(uint64_t sum, uint64_t docs) {
  double a = docs ? (double)sum / (double)docs : 1;
  return a > 0 ? a : 1;
}

static inline uint8_t bm25_len_code(uint32_t len) {
  if (len < 128) return (uint8_t)len;
  int e = 31 - __builtin_clz(len); /* 7 and up */
  if (e > 14) return 255;
  return (uint8_t)(128 + ((e - 7) << 4) + ((len >> (e - 4)) & 15));
}

static inline uint32_t bm25_len_decode(uint8_t c) {
  if (c < 128) return c;
  return (16u + (c & 15u)) << (3 + ((c - 128u) >> 4));
}

/* A field's length normalisation 1 / (1 - b + b * length / avg). */
static inline double bm25_norm(uint32_t len, double avg) { return 1 / (1 - BM25_B + BM25_B * len / avg); }

/* tf' of a document: its title and body frequencies times their fields'
** normalisations nt and nb. */
static inline double bm25_tf(uint32_t tft, uint32_t tfb, double nt, double nb) {
  double tf = 0;
  if (tft) tf += BM25_W_TITLE * tft * nt;
  if (tfb) tf += tfb * nb;
  return tf;
}

/* Each length byte's normalisation, so that scoring a candidate looks it
** up instead of dividing. */
static inline void bm25_norms(double avg, double out[256]) {
  for (int c = 0; c < 256; c++) out[c] = bm25_norm(bm25_len_decode((uint8_t)c), avg);
}

static inline double bm25_saturate(double idf, double tf) {
  return tf > 0 ? idf * tf * (BM25_K1 + 1) / (tf + BM25_K1) : 0;
}

static inline double bm25_bound_scale(double avg_t, double avg_b, double seg_avg_t, double seg_avg_b) {
  double s = 1;
  if (seg_avg_t > 0 && avg_t / seg_avg_t > s) s = avg_t / seg_avg_t;
  if (seg_avg_b > 0 && avg_b / seg_avg_b > s) s = avg_b / seg_avg_b;
  return s;
}

#endif
