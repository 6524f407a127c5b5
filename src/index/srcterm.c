/* srcterm.c -- the source field's index term (see srcterm.h). */
#include "srcterm.h"

#include <string.h>

#include "../text/analyze.h"
#include "../util/mem.h"
#include "segment.h"

/* Bytes that separate words of a value: white space and control bytes
** (and, in a key, the double quote). */
static int is_gap(unsigned char c, int quote) { return c <= 0x20 || c == 0x7f || (quote && c == '"'); }

/* Copy s[0..n) into out (room for cap bytes, NUL included) with every run
** of gaps made one space and none at either end, cut on a character
** boundary to what fits.  The length written. */
static size_t squeeze(const char *s, size_t n, int quote, char *out, size_t cap) {
  size_t o = 0;
  int gap = 0;
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)s[i];
    if (is_gap(c, quote)) {
      gap = o > 0;
      i++;
      continue;
    }
    size_t k = c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4; /* the character's bytes */
    if (k > n - i) k = n - i;
    if (o + (size_t)gap + k + 1 > cap) break;
    if (gap) out[o++] = ' ';
    gap = 0;
    memcpy(out + o, s + i, k);
    o += k;
    i += k;
  }
  out[o] = 0;
  return o;
}

int src_key(const char *s, size_t n, char *key, size_t *len) {
  *len = 0;
  key[0] = 0;
  size_t cap = 4 * n + 16, k = 0;
  char *folded = NULL;
  for (int tries = 0; tries < 3; tries++, cap *= 4) { /* a fold rarely grows: retry larger when it did not fit */
    mem_free(folded);
    if (!(folded = mem_alloc(cap))) return -1;
    if ((k = an_fold(NULL, s, n, folded, cap)) > 0) break;
  }
  *len = squeeze(folded, k, 1, key, SRC_KEY_MAX + 1);
  mem_free(folded);
  return 0;
}

int src_term(const char *s, size_t n, char *term, size_t *len) {
  size_t klen;
  *len = 0;
  if (src_key(s, n, term + 1, &klen)) return -1;
  if (!klen) return 0;
  term[0] = SEG_SOURCE_PREFIX;
  term[1 + klen] = SRC_SEP;
  size_t w = squeeze(s, n, 0, term + 2 + klen, DICT_MAX_TERM + 1 - (2 + klen));
  *len = w ? 2 + klen + w : 1 + klen; /* no written form (not expected): the key alone */
  return 0;
}

size_t src_key_len(const char *t, size_t n) {
  const char *sep = memchr(t, SRC_SEP, n);
  return sep ? (size_t)(sep - t) : n;
}

/* A part of a term as squeeze leaves it: no gaps but single inner spaces. */
static int squeezed(const char *s, size_t n, int quote) {
  if (!n || s[0] == ' ' || s[n - 1] == ' ') return 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' ? s[i + 1] == ' ' : is_gap(c, quote)) return 0;
  }
  return 1;
}

const char *src_term_problem(const char *t, size_t n, int *nomem) {
  *nomem = 0;
  if (n < 2 || t[0] != SEG_SOURCE_PREFIX) return "not a source term";
  t++;
  n--;
  size_t klen = src_key_len(t, n);
  if (klen == n) return "no separator between the key and the written form";
  const char *w = t + klen + 1;
  size_t wlen = n - klen - 1;
  if (klen == 0 || klen > SRC_KEY_MAX) return "key empty or too long";
  if (!utf8_valid(t, n, NULL)) return "not valid UTF-8";
  if (!squeezed(t, klen, 1)) return "key not folded (white space, control bytes or quotes)";
  if (!squeezed(w, wlen, 0) || memchr(w, SRC_SEP, wlen)) return "written form empty or not collapsed";
  /* The key is the written form's, unless one of them was cut to fit. */
  if (klen + 4 > SRC_KEY_MAX || 1 + n + 4 > DICT_MAX_TERM) return NULL;
  char key[SRC_KEY_MAX + 1];
  size_t k;
  if (src_key(w, wlen, key, &k)) {
    *nomem = 1;
    return NULL;
  }
  if (k != klen || memcmp(key, t, klen)) return "key is not the written form's";
  return NULL;
}
