/* mem.c -- allocation wrappers with failure injection for tests. */
#include "mem.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static _Atomic long g_fail_after = -1;

static int should_fail(void) {
  long n = atomic_load_explicit(&g_fail_after, memory_order_relaxed);
  if (n < 0) return 0;
  if (n == 0) return 1;
  atomic_fetch_sub_explicit(&g_fail_after, 1, memory_order_relaxed);
  return 0;
}

void mem_fail_after(long n) { atomic_store(&g_fail_after, n); }

void *mem_alloc(size_t n) {
  if (should_fail()) return NULL;
  return malloc(n ? n : 1);
}

void *mem_calloc(size_t count, size_t size) {
  if (size && count > SIZE_MAX / size) return NULL;
  if (should_fail()) return NULL;
  return calloc(count ? count : 1, size ? size : 1);
}

void *mem_realloc(void *p, size_t n) {
  if (should_fail()) return NULL;
  return realloc(p, n ? n : 1);
}

void mem_free(void *p) { free(p); }

int mem_grow(void *pp, size_t *cap, size_t n, size_t elem) {
  if (n < *cap) return 0;
  size_t nc = *cap ? *cap : 8;
  while (nc <= n) {
    if (nc > SIZE_MAX / 2 / elem) return -1;
    nc *= 2;
  }
  void *old;
  memcpy(&old, pp, sizeof old);
  void *p = mem_realloc(old, nc * elem);
  if (!p) return -1;
  memcpy(pp, &p, sizeof p);
  *cap = nc;
  return 0;
}

char *mem_strndup(const char *s, size_t n) {
  char *d = mem_alloc(n + 1);
  if (d) {
    memcpy(d, s, n);
    d[n] = 0;
  }
  return d;
}

char *mem_strdup(const char *s) { return mem_strndup(s, strlen(s)); }
