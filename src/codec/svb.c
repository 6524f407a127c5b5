/* svb.c -- Stream VByte decoding with SSSE3 shuffles (see svb.h). */
#include "svb.h"

#include <pthread.h>
#include <streamvbyte.h>
#include <streamvbytedelta.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SVB_X86 1
#endif

static uint8_t LEN[256]; /* per control byte: data bytes of its four values */
#ifdef SVB_X86
static uint8_t SHUF[256][16]; /* per control byte: where each output byte comes from */
static int HAVE_SSSE3;
#endif

static void tables_init(void) {
  for (int c = 0; c < 256; c++) {
    int at = 0;
    for (int v = 0; v < 4; v++) {
      int len = ((c >> (2 * v)) & 3) + 1;
#ifdef SVB_X86
      for (int k = 0; k < 4; k++) SHUF[c][4 * v + k] = k < len ? (uint8_t)(at + k) : 0x80;
#endif
      at += len;
    }
    LEN[c] = (uint8_t)at;
  }
#ifdef SVB_X86
  __builtin_cpu_init();
  HAVE_SSSE3 = __builtin_cpu_supports("ssse3");
#endif
}
static pthread_once_t ONCE = PTHREAD_ONCE_INIT;

size_t svb_bytes(const uint8_t *p, const uint8_t *end, uint32_t n) {
  pthread_once(&ONCE, tables_init);
  size_t ctl = (n + 3) / 4;
  if ((size_t)(end - p) < ctl) return SIZE_MAX;
  size_t len = ctl;
  uint32_t full = n / 4;
  for (uint32_t i = 0; i < full; i++) len += LEN[p[i]];
  for (uint32_t i = full * 4; i < n; i++) len += ((p[i / 4] >> (2 * (i % 4))) & 3) + 1;
  return len <= (size_t)(end - p) ? len : SIZE_MAX;
}

#ifdef SVB_X86
/* One value of the tail (fewer than four left), scalar. */
static uint32_t get_value(const uint8_t **data, int code) {
  uint32_t v = 0;
  for (int k = 0; k <= code; k++) v |= (uint32_t)(*data)[k] << (8 * k);
  *data += code + 1;
  return v;
}

/* Decode, checking as it goes that the data stays before `end` (the
** bytes up to end + 16 must be readable).  SIZE_MAX if it would not. */
__attribute__((target("ssse3"))) static size_t decode_ssse3(const uint8_t *in, const uint8_t *end, uint32_t *out,
                                                             uint32_t n, int delta, uint32_t prev) {
  const uint8_t *ctl = in, *data = in + (n + 3) / 4;
  if (data > end) return SIZE_MAX;
  uint32_t full = n / 4;
  __m128i run = _mm_set1_epi32((int)prev);
  for (uint32_t i = 0; i < full; i++) {
    uint8_t c = ctl[i];
    if (LEN[c] > end - data) return SIZE_MAX;
    __m128i x = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)data),
                                 _mm_loadu_si128((const __m128i *)(const void *)SHUF[c]));
    data += LEN[c];
    if (delta) {
      x = _mm_add_epi32(x, _mm_slli_si128(x, 4));
      x = _mm_add_epi32(x, _mm_slli_si128(x, 8));
      x = _mm_add_epi32(x, run);
      run = _mm_shuffle_epi32(x, 0xff);
    }
    _mm_storeu_si128((__m128i *)(void *)(out + 4 * i), x);
  }
  prev = (uint32_t)_mm_cvtsi128_si32(run);
  for (uint32_t i = full * 4; i < n; i++) {
    int code = (ctl[i / 4] >> (2 * (i % 4))) & 3;
    if (code + 1 > end - data) return SIZE_MAX;
    uint32_t v = get_value(&data, code);
    out[i] = delta ? (prev += v) : v;
  }
  return (size_t)(data - in);
}
#endif

size_t svb_decode(const uint8_t *in, const uint8_t *end, uint32_t *out, uint32_t n) {
  size_t len = 0;
#ifdef SVB_X86
  pthread_once(&ONCE, tables_init);
  if (HAVE_SSSE3) return decode_ssse3(in, end, out, n, 0, 0);
#endif
  if ((len = svb_bytes(in, end, n)) != SIZE_MAX) streamvbyte_decode(in, out, n);
  return len;
}

size_t svb_delta_decode(const uint8_t *in, const uint8_t *end, uint32_t *out, uint32_t n, uint32_t prev) {
  size_t len = 0;
#ifdef SVB_X86
  pthread_once(&ONCE, tables_init);
  if (HAVE_SSSE3) return decode_ssse3(in, end, out, n, 1, prev);
#endif
  if ((len = svb_bytes(in, end, n)) != SIZE_MAX) streamvbyte_delta_decode(in, out, n, prev);
  return len;
}
