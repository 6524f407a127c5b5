/* keyset.c -- a set of 64-bit keys (keyset.h). */
#include "keyset.h"

#include "mem.h"

static size_t home(const keyset *s, uint64_t key) { return (size_t)(key * 0x9e3779b97f4a7c15ULL >> 17) & (s->cap - 1); }

static int alloc(keyset *s, size_t cap) {
  s->k = mem_alloc(cap * sizeof *s->k);
  s->used = mem_calloc(cap, 1);
  s->cap = cap;
  s->n = 0;
  if (s->k && s->used) return 0;
  mem_free(s->k);
  mem_free(s->used);
  s->k = NULL;
  s->used = NULL;
  return -1;
}

int keyset_init(keyset *s, uint64_t expect) {
  size_t cap = 16;
  while (cap < 2 * expect && cap < ((size_t)1 << 40)) cap *= 2;
  s->oom = 0;
  return alloc(s, cap);
}

void keyset_free(keyset *s) {
  mem_free(s->k);
  mem_free(s->used);
  s->k = NULL;
  s->used = NULL;
  s->cap = s->n = 0;
}

int keyset_has(const keyset *s, uint64_t key) {
  if (!s->cap) return 0;
  for (size_t i = home(s, key);; i = (i + 1) & (s->cap - 1)) {
    if (!s->used[i]) return 0;
    if (s->k[i] == key) return 1;
  }
}

int keyset_add(keyset *s, uint64_t key) {
  if (!s->cap) { s->oom = 1; return 0; }
  if (2 * (s->n + 1) > s->cap) {
    keyset old = *s;
    if (alloc(s, old.cap * 2)) {
      *s = old;
      s->oom = 1;
      return 0;
    }
    for (size_t i = 0; i < old.cap; i++)
      if (old.used[i]) keyset_add(s, old.k[i]);
    keyset_free(&old);
  }
  size_t i = home(s, key);
  for (; s->used[i]; i = (i + 1) & (s->cap - 1))
    if (s->k[i] == key) return 0;
  s->used[i] = 1;
  s->k[i] = key;
  s->n++;
  return 1;
}
