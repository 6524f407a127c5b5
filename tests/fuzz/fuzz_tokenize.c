/*
** fuzz_tokenize.c -- libFuzzer target: the analyser.
**
** Each input is text (any bytes); every token must lie inside the text, in
** order, with a non-empty term of at most AN_MAX_TERM bytes; the folding
** used by prefix queries must not overflow its buffer.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text/analyze.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static analyzer *AN, *NONE;

typedef struct ctx {
  size_t len;
  uint32_t last_pos;
  int n;
} ctx;

static int emit(void *c_, const an_token *t) {
  ctx *c = c_;
  if (t->len == 0 || t->start > t->end || t->end > c->len) abort();
  if (c->n++ && t->pos < c->last_pos) abort();
  c->last_pos = t->pos;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!AN) { AN = an_new("english"); NONE = an_new("none"); }
  char *text = malloc(size + 1);
  memcpy(text, data, size);
  text[size] = 0;
  for (int k = 0; k < 2; k++) {
    ctx c = {size, 0, 0};
    uint32_t npos = 0;
    if (an_analyze(k ? NONE : AN, text, size, 7, emit, &c, &npos) == 0 && c.n && c.last_pos >= 7 + npos) abort();
  }
  char out[AN_MAX_TERM * 4];
  an_fold(AN, text, size < 300 ? size : 300, out, sizeof out);
  free(text);
  return 0;
}
