/*
** keyset.h -- a set of 64-bit keys (open addressing, linear probing), for
** counting distinct stories among matches.
*/
#ifndef ND_UTIL_KEYSET_H
#define ND_UTIL_KEYSET_H
#include <stddef.h>
#include <stdint.h>

typedef struct keyset {
  uint64_t *k;
  unsigned char *used;
  size_t cap; /* a power of two */
  size_t n;   /* keys held */
  int oom;    /* an insertion failed for want of memory: n is short */
} keyset;

/* Room for about `expect` keys (it grows).  0 or -1 (out of memory). */
int keyset_init(keyset *s, uint64_t expect);
void keyset_free(keyset *s);
/* Add a key: 1 if it was new, 0 if present (or memory ran out: s->oom). */
int keyset_add(keyset *s, uint64_t key);
int keyset_has(const keyset *s, uint64_t key);

#endif
