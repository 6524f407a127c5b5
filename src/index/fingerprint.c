/* fingerprint.c -- MinHash and SimHash of an article's words (fingerprint.h). */
#include "fingerprint.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "../util/mem.h"

/* splitmix64's finaliser: a bijection that spreads every input bit. */
static uint64_t mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/* The hash of the shingle of words w[0..n) (n <= FP_SHINGLE): the words'
** hashes (XXH3, already well mixed) each rotated by its place, XORed,
** then mixed once. */
static uint64_t shingle_hash(const uint64_t *w, size_t n) {
  uint64_t h = 0x5348494e474c45ULL ^ n;
  for (size_t i = 0; i < n; i++) h ^= (w[i] << (13 * i)) | (i ? w[i] >> (64 - 13 * i) : 0);
  return mix64(h);
}

void fp_minhash(const uint64_t *w, size_t n, uint16_t sig[FP_K]) {
  uint32_t mins[FP_K];
  uint64_t filled = 0; /* bit k: bin k has a shingle */
  for (int k = 0; k < FP_K; k++) mins[k] = UINT32_MAX;
  size_t nsh = n == 0 ? 0 : n < FP_SHINGLE ? 1 : n - FP_SHINGLE + 1;
  for (size_t i = 0; i < nsh; i++) {
    uint64_t x = shingle_hash(w + i, n < FP_SHINGLE ? n : FP_SHINGLE);
    unsigned bin = (unsigned)(x >> 58);
    uint32_t v = (uint32_t)x;
    if (v < mins[bin]) mins[bin] = v;
    filled |= 1ULL << bin;
  }
  if (!nsh) {
    for (int k = 0; k < FP_K; k++) sig[k] = FP_NONE;
    return;
  }
  /* Densification by rotation: an empty bin takes the value of the next
  ** filled one to its right (circularly), shifted by the distance, so
  ** that two articles with the same filled bins borrow the same way. */
  for (int k = 0; k < FP_K; k++) {
    uint32_t v = mins[k];
    if (!(filled >> k & 1))
      for (unsigned t = 1; t < FP_K; t++) {
        unsigned j = (unsigned)(k + (int)t) & (FP_K - 1);
        if (filled >> j & 1) { v = mins[j] + t * 0x9e3779b9u; break; }
      }
    sig[k] = (uint16_t)(v & 0xffff);
  }
  /* A real signature that happens to be all 0xffff (probability 2^-1024)
  ** would read as empty: make slot 0 differ. */
  if (fp_empty(sig)) sig[0] = 0;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

int fp_shingle_set(const uint64_t *w, size_t n, uint64_t **out, size_t *m) {
  size_t nsh = n == 0 ? 0 : n < FP_SHINGLE ? 1 : n - FP_SHINGLE + 1;
  uint64_t *v = mem_alloc(nsh * sizeof *v + 1);
  *out = v;
  *m = 0;
  if (!v) return -1;
  for (size_t i = 0; i < nsh; i++) v[i] = shingle_hash(w + i, n < FP_SHINGLE ? n : FP_SHINGLE);
  qsort(v, nsh, sizeof *v, cmp_u64);
  for (size_t i = 0; i < nsh; i++)
    if (i == 0 || v[i] != v[i - 1]) v[(*m)++] = v[i];
  return 0;
}

double fp_jaccard(const uint64_t *a, size_t na, const uint64_t *b, size_t nb) {
  size_t i = 0, j = 0, both = 0;
  while (i < na && j < nb) {
    if (a[i] == b[j]) { both++; i++; j++; }
    else if (a[i] < b[j]) i++;
    else j++;
  }
  size_t uni = na + nb - both;
  return uni ? (double)both / (double)uni : 0;
}

int fp_empty(const uint16_t sig[FP_K]) {
  for (int k = 0; k < FP_K; k++)
    if (sig[k] != FP_NONE) return 0;
  return 1;
}

unsigned fp_agree(const uint16_t a[FP_K], const uint16_t b[FP_K]) {
  if (fp_empty(a) || fp_empty(b)) return 0;
  unsigned n = 0;
  for (int k = 0; k < FP_K; k++) n += a[k] == b[k];
  return n;
}

void fp_bands(const uint16_t sig[FP_K], uint32_t key[FP_BANDS]) {
  for (int b = 0; b < FP_BANDS; b++) {
    uint8_t bytes[1 + 2 * FP_ROWS];
    bytes[0] = (uint8_t)b;
    for (int r = 0; r < FP_ROWS; r++) {
      bytes[1 + 2 * r] = (uint8_t)sig[b * FP_ROWS + r];
      bytes[2 + 2 * r] = (uint8_t)(sig[b * FP_ROWS + r] >> 8);
    }
    key[b] = (uint32_t)XXH3_64bits(bytes, sizeof bytes);
  }
}

void fp_simhash_init(fp_simhash *s) { memset(s, 0, sizeof *s); }

/* SIGN[b][i]: +1 when bit i of byte b is set, else -1. */
#define SG(x, i) ((((x) >> (i)) & 1) * 2 - 1)
#define ROW(x) {SG(x, 0), SG(x, 1), SG(x, 2), SG(x, 3), SG(x, 4), SG(x, 5), SG(x, 6), SG(x, 7)}
#define R4(x) ROW(x), ROW((x) + 1), ROW((x) + 2), ROW((x) + 3)
#define R16(x) R4(x), R4((x) + 4), R4((x) + 8), R4((x) + 12)
#define R64(x) R16(x), R16((x) + 16), R16((x) + 32), R16((x) + 48)
static const int32_t SIGN[256][8] = {R64(0), R64(64), R64(128), R64(192)};

void fp_simhash_add(fp_simhash *s, uint64_t word_hash, uint32_t count) {
  /* weight 1 + floor(log2(count)): 1, 2, 2, 3, 3, 3, 3, 4, ... */
  int32_t w = 1 + (count > 1 ? 31 - __builtin_clz(count) : 0);
  uint64_t h = mix64(word_hash);
  for (int byte = 0; byte < 8; byte++) { /* eight lanes at a time, by table */
    const int32_t *sg = SIGN[(h >> (8 * byte)) & 0xff];
    int32_t *v = s->v + 8 * byte;
    for (int r = 0; r < w; r++) /* w is small: adds rather than multiplies */
      for (int i = 0; i < 8; i++) v[i] += sg[i];
  }
}

uint64_t fp_simhash_end(const fp_simhash *s) {
  uint64_t h = 0;
  for (int i = 0; i < 64; i++)
    if (s->v[i] > 0) h |= 1ULL << i;
  return h;
}
