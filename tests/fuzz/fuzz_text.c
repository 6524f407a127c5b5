/*
** fuzz_text.c -- libFuzzer target: the plain-text article reader.
**
** Each input is a .txt article; ingest_text must produce one article
** (body valid UTF-8) or one error with a reason.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "text/analyze.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int calls;

static int on_doc(void *ctx, const nd_doc *d, const char *file, uint64_t line) {
  calls++;
  if (!d->body || !utf8_valid(d->body, strlen(d->body), NULL) || !d->id || !*d->id) abort();
  if (d->title && !utf8_valid(d->title, strlen(d->title), NULL)) abort();
  return 0;
}

static void on_err(void *ctx, const char *file, uint64_t line, const char *reason) {
  calls++;
  if (!reason || !*reason) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  memcpy(text, data, size);
  text[size] = 0;
  calls = 0;
  ingest_text(text, size, "fuzz/article-1.txt", on_doc, on_err, NULL);
  if (calls != 1) abort();
  free(text);
  return 0;
}
