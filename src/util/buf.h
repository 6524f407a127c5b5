/*
** buf.h -- growable byte buffers and variable-length integers.
**
** A buf collects bytes.  Its error flag is sticky: once an allocation has
** failed every further append is a no-op and buf->oom stays set, so a
** sequence of appends needs one check at the end, not one per call.
*/
#ifndef ND_UTIL_BUF_H
#define ND_UTIL_BUF_H
#include <stddef.h>
#include <stdint.h>

typedef struct buf {
  uint8_t *p;
  size_t n, cap;
  int oom; /* set once an allocation failed */
} buf;

void buf_init(buf *b);
void buf_free(buf *b);
void buf_reset(buf *b);                  /* length 0, keeps memory */
void buf_restart(buf *b);                /* length 0 and a clear error flag: memory kept unless an append failed */
int buf_reserve(buf *b, size_t extra);   /* 0, or -1 (and oom set) */
void buf_put(buf *b, const void *p, size_t n);
void buf_putc(buf *b, uint8_t c);
void buf_puts(buf *b, const char *s);    /* without the NUL */
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_put_u16(buf *b, uint16_t v);    /* little-endian fixed width */
void buf_put_u32(buf *b, uint32_t v);
void buf_put_u64(buf *b, uint64_t v);
void buf_put_uvarint(buf *b, uint64_t v); /* LEB128, 1..10 bytes */
void buf_put_bytes(buf *b, const void *p, size_t n); /* uvarint length, then bytes */
const char *buf_cstr(buf *b);            /* NUL-terminates (not counted in n) */
char *buf_detach(buf *b);                /* NUL-terminated; caller frees with mem_free */

/* Readers over a byte range.  Each returns 0, or -1 if the range is too
** short or the value malformed; they never read past `end`. */
int get_uvarint_long(const uint8_t **p, const uint8_t *end, uint64_t *v);
static inline int get_uvarint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
  if (*p < end && **p < 0x80) { /* one byte: most values */
    *v = *(*p)++;
    return 0;
  }
  return get_uvarint_long(p, end, v);
}
int get_bytes(const uint8_t **p, const uint8_t *end, const uint8_t **s, size_t *n);

static inline uint16_t rd_u16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static inline uint32_t rd_u32(const uint8_t *p) {
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t rd_u64(const uint8_t *p) { return rd_u32(p) | (uint64_t)rd_u32(p + 4) << 32; }
static inline void wr_u32(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}
static inline void wr_u64(uint8_t *p, uint64_t v) { wr_u32(p, (uint32_t)v); wr_u32(p + 4, (uint32_t)(v >> 32)); }
/* v as 16 lowercase hex digits and a NUL (what "%016llx" prints, without
** printf's cost: a search prints two story keys a hit). */
static inline void put_hex64(char out[17], uint64_t v) {
  for (int i = 15; i >= 0; i--, v >>= 4) out[i] = "0123456789abcdef"[v & 15];
  out[16] = 0;
}

#endif
