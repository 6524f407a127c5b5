/*
** fuzz_jsonl.c -- libFuzzer target: the JSON Lines reader.
**
** Each input is one file's content: every line goes through
** ingest_json_line; each article produced must have a body of valid
** UTF-8, and its body goes through the "(search)" marker stripper.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/ingest.h"
#include "ingest/markers.h"
#include "text/analyze.h"
#include "util/mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_doc(void *ctx, const nd_doc *d, const char *file, uint64_t line) {
  const char *f[] = {d->id, d->title, d->date, d->source, d->url, d->body, d->extra_json};
  for (size_t i = 0; i < sizeof f / sizeof *f; i++)
    if (f[i] && !utf8_valid(f[i], strlen(f[i]), NULL)) abort();
  if (!d->body) abort();
  char *clean, **terms;
  size_t n;
  if (markers_strip(d->body, strlen(d->body), &clean, &terms, &n) == 0) {
    if (strlen(clean) > strlen(d->body)) abort();
    mem_free(clean);
    markers_free_terms(terms, n);
  }
  return 0;
}

static void on_err(void *ctx, const char *file, uint64_t line, const char *reason) {
  if (!reason || !*reason) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data, *end = p + size;
  uint64_t lineno = 1;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
    char *line = malloc(len + 1); /* a copy of exactly the line, so overreads show */
    memcpy(line, p, len);
    line[len] = 0;
    ingest_json_line(line, len, "fuzz.jsonl", lineno++, on_doc, on_err, NULL);
    free(line);
    p += len + (nl != NULL);
  }
  return 0;
}
