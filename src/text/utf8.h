/*
** utf8.h -- the code point at a byte offset of UTF-8 text, for the
** scanners of text/ and link/ that walk text a character at a time.
*/
#ifndef ND_TEXT_UTF8_H
#define ND_TEXT_UTF8_H
#include <stddef.h>
#include <stdint.h>
#include <utf8proc.h>

/* The code point at s[i] of s[0..len) and its length in *k: -1 (k 0) past
** the end, U+FFFD (k 1) for a byte that starts no valid sequence.  ASCII
** never reaches utf8proc. */
static inline int32_t utf8_at(const char *s, size_t len, size_t i, size_t *k) {
  if (i >= len) { *k = 0; return -1; }
  unsigned char c = (unsigned char)s[i];
  if (c < 0x80) { *k = 1; return c; }
  utf8proc_int32_t cp;
  utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
  if (n <= 0) { *k = 1; return 0xFFFD; }
  *k = (size_t)n;
  return cp;
}

#endif
