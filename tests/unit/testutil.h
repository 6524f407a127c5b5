/*
** testutil.h -- small helpers shared by the oracle tests: allocation that
** exits on failure, a seeded PRNG (splitmix64; define TEST_RNG_SEED before
** including to choose the sequence), FNV-1a hashing and a monotonic clock.
*/
#ifndef ND_TESTUTIL_H
#define ND_TESTUTIL_H
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef TEST_RNG_SEED
#define TEST_RNG_SEED 1u
#endif

static inline void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) { fprintf(stderr, "out of memory\n"); exit(2); }
  return p;
}
static inline void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) { fprintf(stderr, "out of memory\n"); exit(2); }
  return p;
}
static inline char *xstrdup(const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s);
  char *p = xmalloc(n + 1);
  memcpy(p, s, n + 1);
  return p;
}
static inline char *xstrndup(const char *s, size_t n) {
  char *p = xmalloc(n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

static uint64_t rng_state = TEST_RNG_SEED;
static inline uint64_t rnd(void) { /* splitmix64 */
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
static inline size_t rn(size_t n) { return n ? (size_t)(rnd() % n) : 0; }

static inline uint64_t fnv(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h;
}

static inline double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* An index of documents by id: open addressing on fnv(id), slots hold a
** document's index + 1.  id_of(i) gives document i's id. */
typedef const char *(*test_id_fn)(size_t i);
typedef struct test_ids {
  uint32_t *slot;
  size_t cap;
} test_ids;

static inline void test_ids_build(test_ids *x, size_t n, test_id_fn id_of) {
  x->cap = 1;
  while (x->cap < n * 4) x->cap *= 2;
  free(x->slot);
  x->slot = calloc(x->cap, sizeof *x->slot);
  if (!x->slot) exit(2);
  for (size_t i = 0; i < n; i++) {
    size_t h = fnv(id_of(i), strlen(id_of(i))) & (x->cap - 1);
    while (x->slot[h]) h = (h + 1) & (x->cap - 1);
    x->slot[h] = (uint32_t)i + 1;
  }
}

/* The index of the document with this id, or -1. */
static inline long test_ids_find(const test_ids *x, const char *id, test_id_fn id_of) {
  if (!x->cap) return -1;
  for (size_t h = fnv(id, strlen(id)) & (x->cap - 1); x->slot[h]; h = (h + 1) & (x->cap - 1))
    if (!strcmp(id_of(x->slot[h] - 1), id)) return (long)x->slot[h] - 1;
  return -1;
}

#endif
