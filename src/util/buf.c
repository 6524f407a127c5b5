/* buf.c -- growable byte buffers (see buf.h). */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"

void buf_init(buf *b) { memset(b, 0, sizeof *b); }

void buf_free(buf *b) {
  mem_free(b->p);
  buf_init(b);
}

void buf_reset(buf *b) { b->n = 0; }

void buf_restart(buf *b) {
  if (b->oom) buf_free(b);
  buf_reset(b);
}

int buf_reserve(buf *b, size_t extra) {
  if (b->oom) return -1;
  if (b->n + extra + 1 <= b->cap) return 0; /* +1 keeps room for buf_cstr */
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->n + extra + 1) {
    if (cap > SIZE_MAX / 2) { b->oom = 1; return -1; }
    cap *= 2;
  }
  uint8_t *p = mem_realloc(b->p, cap);
  if (!p) { b->oom = 1; return -1; }
  b->p = p;
  b->cap = cap;
  return 0;
}

void buf_put(buf *b, const void *p, size_t n) {
  if (n == 0 || buf_reserve(b, n)) return;
  memcpy(b->p + b->n, p, n);
  b->n += n;
}

void buf_putc(buf *b, uint8_t c) {
  if (buf_reserve(b, 1)) return;
  b->p[b->n++] = c;
}

void buf_puts(buf *b, const char *s) { buf_put(b, s, strlen(s)); }

void buf_printf(buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[256];
  int k = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (k < 0) return;
  if ((size_t)k < sizeof tmp) { buf_put(b, tmp, (size_t)k); return; }
  if (buf_reserve(b, (size_t)k + 1)) return;
  va_start(ap, fmt);
  vsnprintf((char *)b->p + b->n, (size_t)k + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)k;
}

void buf_put_u16(buf *b, uint16_t v) {
  uint8_t t[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  buf_put(b, t, 2);
}

void buf_put_u32(buf *b, uint32_t v) {
  uint8_t t[4];
  wr_u32(t, v);
  buf_put(b, t, 4);
}

void buf_put_u64(buf *b, uint64_t v) {
  uint8_t t[8];
  wr_u64(t, v);
  buf_put(b, t, 8);
}

void buf_put_uvarint(buf *b, uint64_t v) {
  uint8_t t[10];
  size_t k = 0;
  while (v >= 0x80) { t[k++] = (uint8_t)(v | 0x80); v >>= 7; }
  t[k++] = (uint8_t)v;
  buf_put(b, t, k);
}

void buf_put_bytes(buf *b, const void *p, size_t n) {
  buf_put_uvarint(b, n);
  buf_put(b, p, n);
}

const char *buf_cstr(buf *b) {
  if (buf_reserve(b, 0)) return "";
  b->p[b->n] = 0;
  return (const char *)b->p;
}

char *buf_detach(buf *b) {
  if (buf_reserve(b, 0)) return NULL;
  b->p[b->n] = 0;
  char *s = (char *)b->p;
  buf_init(b);
  return s;
}

int get_uvarint_long(const uint8_t **pp, const uint8_t *end, uint64_t *v) {
  const uint8_t *p = *pp;
  uint64_t r = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p >= end) return -1;
    uint8_t c = *p++;
    r |= (uint64_t)(c & 0x7f) << shift;
    if (!(c & 0x80)) { *pp = p; *v = r; return 0; }
  }
  return -1;
}

int get_bytes(const uint8_t **p, const uint8_t *end, const uint8_t **s, size_t *n) {
  uint64_t len;
  if (get_uvarint(p, end, &len) || len > (uint64_t)(end - *p)) return -1;
  *s = *p;
  *n = (size_t)len;
  *p += len;
  return 0;
}
