/* bp.c -- bit-packed blocks of 128 integers (layout in bp.h). */
#include "bp.h"

#include <string.h>

#include "../util/buf.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

unsigned bp_width(const uint32_t *v, size_t n) {
  uint32_t all = 0;
  for (size_t i = 0; i < n; i++) all |= v[i];
  return all ? 32u - (unsigned)__builtin_clz(all) : 0;
}

void bp_pack(const uint32_t *in, unsigned b, uint8_t *out) {
  uint32_t w[4 * 32];
  memset(w, 0, 16 * (size_t)b);
  for (unsigned i = 0; i < BP_N; i++) {
    unsigned lane = i & 3, bit = (i >> 2) * b, k = bit >> 5, s = bit & 31;
    w[4 * k + lane] |= in[i] << s;
    if (s + b > 32) w[4 * (k + 1) + lane] |= in[i] >> (32 - s);
  }
  for (unsigned k = 0; k < 4 * b; k++) wr_u32(out + 4 * k, w[k]);
}

#ifdef __SSE2__
/* Unpacking with b known at compile time: every shift and word index is a
** constant once the loop is unrolled, so each case of the switch below is
** straight-line code of about three instructions per four values. */
static inline __attribute__((always_inline)) void unpack_b(const uint8_t *in, uint32_t *out, const unsigned b) {
  const __m128i *w = (const __m128i *)(const void *)in;
  const __m128i mask = _mm_set1_epi32(b >= 32 ? -1 : (int)((1u << (b & 31)) - 1));
#pragma GCC unroll 32
  for (unsigned j = 0; j < 32; j++) {
    const unsigned bit = j * b, k = bit >> 5, s = bit & 31;
    __m128i v = _mm_srli_epi32(_mm_loadu_si128(w + k), (int)s);
    if (s + b > 32) v = _mm_or_si128(v, _mm_slli_epi32(_mm_loadu_si128(w + k + 1), (int)(32 - s)));
    if (b < 32) v = _mm_and_si128(v, mask);
    _mm_storeu_si128((__m128i *)(void *)(out + 4 * j), v);
  }
}

#define BP_CASE(n) \
  case n: unpack_b(in, out, n); break;

void bp_unpack(const uint8_t *in, unsigned b, uint32_t *out) {
  switch (b) {
  case 0: memset(out, 0, BP_N * sizeof *out); break;
    BP_CASE(1) BP_CASE(2) BP_CASE(3) BP_CASE(4) BP_CASE(5) BP_CASE(6) BP_CASE(7) BP_CASE(8)
    BP_CASE(9) BP_CASE(10) BP_CASE(11) BP_CASE(12) BP_CASE(13) BP_CASE(14) BP_CASE(15) BP_CASE(16)
    BP_CASE(17) BP_CASE(18) BP_CASE(19) BP_CASE(20) BP_CASE(21) BP_CASE(22) BP_CASE(23) BP_CASE(24)
    BP_CASE(25) BP_CASE(26) BP_CASE(27) BP_CASE(28) BP_CASE(29) BP_CASE(30) BP_CASE(31) BP_CASE(32)
  default: memset(out, 0, BP_N * sizeof *out); break; /* callers check b <= 32 */
  }
}

void bp_prefix(uint32_t *out, uint32_t prev) {
  /* prefix sums of (gap + 1), four lanes at a time */
  const __m128i one = _mm_set1_epi32(1);
  __m128i carry = _mm_set1_epi32((int)prev);
  for (unsigned j = 0; j < BP_N; j += 4) {
    __m128i *p = (__m128i *)(void *)(out + j);
    __m128i x = _mm_add_epi32(_mm_loadu_si128(p), one);
    x = _mm_add_epi32(x, _mm_slli_si128(x, 4));
    x = _mm_add_epi32(x, _mm_slli_si128(x, 8));
    x = _mm_add_epi32(x, carry);
    _mm_storeu_si128(p, x);
    carry = _mm_shuffle_epi32(x, 0xff);
  }
}
#else
void bp_unpack(const uint8_t *in, unsigned b, uint32_t *out) {
  if (b == 0 || b > 32) {
    memset(out, 0, BP_N * sizeof *out);
    return;
  }
  uint32_t mask = b == 32 ? UINT32_MAX : (1u << b) - 1;
  for (unsigned i = 0; i < BP_N; i++) {
    unsigned lane = i & 3, bit = (i >> 2) * b, k = bit >> 5, s = bit & 31;
    uint32_t v = rd_u32(in + 16 * k + 4 * lane) >> s;
    if (s + b > 32) v |= rd_u32(in + 16 * (k + 1) + 4 * lane) << (32 - s);
    out[i] = v & mask;
  }
}

void bp_prefix(uint32_t *out, uint32_t prev) {
  for (unsigned i = 0; i < BP_N; i++) out[i] = prev += out[i] + 1;
}
#endif

int bp_pfor_put(buf *out, const uint32_t *v) {
  unsigned cnt[33] = {0}; /* values by bit length */
  for (unsigned i = 0; i < BP_N; i++) cnt[bp_width(v + i, 1)]++;
  unsigned top = 32;
  while (top > 0 && !cnt[top]) top--;
  /* the width with the fewest bytes, walking down from the widest; an
  ** exception of length len costs its index and the uvarint of its
  ** len - b high bits */
  unsigned best = top, nex = 0;
  size_t best_cost = 16 * (size_t)top;
  for (unsigned b = top; b-- > 0;) {
    nex += cnt[b + 1];
    if (nex > BP_MAX_EXC) break;
    size_t cost = 16 * (size_t)b;
    for (unsigned len = b + 1; len <= top; len++) cost += cnt[len] * (1 + (len - b + 6) / 7);
    if (cost < best_cost) best_cost = cost, best = b;
  }
  uint32_t low[BP_N];
  uint32_t mask = best >= 32 ? UINT32_MAX : (1u << best) - 1;
  unsigned n = 0;
  for (unsigned i = 0; i < BP_N; i++) {
    low[i] = v[i] & mask;
    n += low[i] != v[i];
  }
  if (buf_reserve(out, BP_PFOR_MAX)) return -1;
  uint8_t *p = out->p + out->n;
  p[0] = (uint8_t)best;
  p[1] = (uint8_t)n;
  bp_pack(low, best, p + 2);
  out->n += 2 + 16 * (size_t)best;
  for (unsigned i = 0; i < BP_N; i++)
    if (low[i] != v[i]) {
      out->p[out->n++] = (uint8_t)i;
      buf_put_uvarint(out, v[i] >> best);
    }
  return out->oom ? -1 : 0;
}

/* Read the run at in: into out (unpacked and patched) unless out is NULL,
** which only checks it and finds its end. */
static const uint8_t *pfor_read(const uint8_t *in, const uint8_t *end, uint32_t *out, unsigned *width) {
  if (end - in < 2) return NULL;
  unsigned b = in[0], nex = in[1];
  if (b > 32 || nex > BP_N || end - in - 2 < 16 * (ptrdiff_t)b) return NULL;
  if (out) bp_unpack(in + 2, b, out);
  const uint8_t *p = in + 2 + 16 * (size_t)b;
  uint64_t high = 0;
  for (unsigned k = 0; k < nex; k++) {
    uint64_t hi;
    if (p >= end) return NULL;
    unsigned i = *p++;
    if (i >= BP_N || get_uvarint(&p, end, &hi) || b >= 32 || hi == 0 || hi >> (32 - b)) return NULL;
    if (out) out[i] |= (uint32_t)hi << b;
    high |= hi;
  }
  if (width) *width = b + bp_width(&(uint32_t){(uint32_t)high}, 1);
  return p;
}

const uint8_t *bp_pfor_get(const uint8_t *in, const uint8_t *end, uint32_t *out, unsigned *width) {
  return pfor_read(in, end, out, width);
}

const uint8_t *bp_pfor_skip(const uint8_t *in, const uint8_t *end) { return pfor_read(in, end, NULL, NULL); }
