/*
** fuzz_stats.c -- libFuzzer target: reading and merging the figures shards
** share (query/stats.h).
**
** An input is up to four texts separated by NUL bytes, merged with
** qs_merge: it must refuse them with ND_ERR_INVALID and a message, or give
** a text that merges again into itself (what it writes it reads back
** unchanged).
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "newsdex.h"
#include "query/stats.h"
#include "util/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *copy = malloc(size + 1);
  if (!copy) return 0;
  memcpy(copy, data, size);
  copy[size] = 0;
  const char *parts[4];
  size_t n = 0;
  for (char *p = copy; n < 4; p += strlen(p) + 1) {
    parts[n++] = p;
    if (p + strlen(p) >= copy + size) break;
  }
  buf out, again;
  buf_init(&out);
  buf_init(&again);
  char why[200];
  size_t bad = 0;
  int rc = qs_merge(parts, n, &out, &bad, why, sizeof why);
  if (rc == ND_ERR_INVALID && (bad >= n || !why[0])) abort();
  if (rc == 0) {
    const char *one[1] = {buf_cstr(&out)};
    if (qs_merge(one, 1, &again, &bad, why, sizeof why) || again.n != out.n || memcmp(again.p, out.p, out.n)) abort();
  } else if (rc != ND_ERR_INVALID && rc != ND_ERR_NOMEM) {
    abort();
  }
  buf_free(&out);
  buf_free(&again);
  free(copy);
  return 0;
}
