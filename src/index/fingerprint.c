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

/* The fixed hash functions: a_k odd, b_k any; drawn from splitmix64 so
** that every build and archive has the same ones (part of the format).
** Computed per call: 128 mixes, nothing shared between threads. */
typedef struct mh_params {
  uint64_t a[FP_K], b[FP_K];
} mh_params;

static void params(mh_params *q) {
  uint64_t s = 0x6e65777364657821ULL;
  for (int k = 0; k < FP_K; k++) {
    q->a[k] = mix64(s += 0x9e3779b97f4a7c15ULL) | 1;
    q->b[k] = mix64(s += 0x9e3779b97f4a7c15ULL);
  }
}

static uint64_t shingle_hash(const uint64_t *w, size_t n) {
  uint64_t h = 0x5348494e474c45ULL;
  for (size_t i = 0; i < n; i++) h = mix64(h ^ w[i]) + (uint64_t)i;
  return mix64(h);
}

void fp_minhash(const uint64_t *w, size_t n, uint16_t sig[FP_K]) {
  uint32_t mins[FP_K];
  for (int k = 0; k < FP_K; k++) mins[k] = UINT32_MAX;
  mh_params pp, *p = &pp;
  params(p);
  size_t nsh = n == 0 ? 0 : n < FP_SHINGLE ? 1 : n - FP_SHINGLE + 1;
  for (size_t i = 0; i < nsh; i++) {
    uint64_t x = shingle_hash(w + i, n < FP_SHINGLE ? n : FP_SHINGLE);
    for (int k = 0; k < FP_K; k++) {
      uint32_t h = (uint32_t)((p->a[k] * x + p->b[k]) >> 32);
      mins[k] = h < mins[k] ? h : mins[k];
    }
  }
  for (int k = 0; k < FP_K; k++) sig[k] = nsh ? (uint16_t)(mins[k] & 0xffff) : FP_NONE;
  /* A real signature that happens to be all 0xffff (probability 2^-1024)
  ** would read as empty: make slot 0 differ. */
  if (nsh && fp_empty(sig)) sig[0] = 0;
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

void fp_simhash_add(fp_simhash *s, uint64_t word_hash, uint32_t count) {
  /* weight 1 + floor(log2(count)): 1, 2, 2, 3, 3, 3, 3, 4, ... */
  int32_t w = 1 + (count > 1 ? 31 - __builtin_clz(count) : 0);
  uint64_t h = mix64(word_hash);
  for (int i = 0; i < 64; i++) s->v[i] += ((int32_t)((h >> i) & 1) * 2 - 1) * w;
  s->any = 1;
}

uint64_t fp_simhash_end(const fp_simhash *s) {
  uint64_t h = 0;
  for (int i = 0; i < 64; i++)
    if (s->v[i] > 0) h |= 1ULL << i;
  return h;
}
