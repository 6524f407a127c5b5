/*
** jsonl.c -- owns the JSON Lines reader: one record -> one nd_doc, and the
** streaming of .jsonl and .jsonl.zst files line by line.
**
** Record rules (docs/ingest.md):
**   - Each line is one JSON object, parsed by jansson (json_loadb, flags 0:
**     invalid UTF-8 and \u0000 are rejected).  Empty or whitespace-only
**     lines are skipped.  A bad line is reported with jansson's text and
**     column; a value that is not an object is rejected.
**   - id: a string, or an integer (its decimal text); missing, null or ""
**     gives NULL, and the library derives an id.
**   - title, date, source, url: a string or null ("" counts as null); any
**     other type rejects the record naming the field.  The date is passed
**     as is: nd_add() validates it.
**   - body: required; "missing body" (absent or null), "body is not a
**     string", or "empty body" (only whitespace).  Passed as written.
**   - Every other field goes, in order, into a JSON object serialised
**     compactly as extra_json (NULL if there are none).
**
** Streaming: files are read in chunks (and decompressed with
** ZSTD_decompressStream, never whole); a line longer than a chunk grows a
** line buffer, which is given back after a line over LINE_KEEP bytes.
** Line numbers count every line, blank ones included.  A corrupt or
** truncated zstd stream is reported at the line being read; the lines
** before it have been delivered.
*/
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <zstd.h>

#include "../util/buf.h"
#include "../util/mem.h"
#include "ingest.h"

#define CHUNK (64 * 1024)
#define LINE_KEEP (1024 * 1024)

/* ---- one record ----------------------------------------------------------- */

static int all_space(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!(p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n' || p[i] == '\f' || p[i] == '\v'))
      return 0;
  return 1;
}

static const char *json_type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "an object";
  case JSON_ARRAY: return "an array";
  case JSON_STRING: return "a string";
  case JSON_INTEGER: return "an integer";
  case JSON_REAL: return "a number";
  case JSON_TRUE:
  case JSON_FALSE: return "a boolean";
  default: return "null";
  }
}

/* The optional string field `key` into *out (NULL when absent, null or "").
** Returns 0, or -1 with `reason` set when it has another type. */
static int opt_string(json_t *o, const char *key, const char **out, char *reason, size_t rn) {
  json_t *v = json_object_get(o, key);
  *out = NULL;
  if (!v || json_is_null(v)) return 0;
  if (!json_is_string(v)) {
    snprintf(reason, rn, "field \"%s\" must be a string or null, not %s", key, json_type_name(v));
    return -1;
  }
  const char *s = json_string_value(v);
  if (*s) *out = s;
  return 0;
}

/* The id: a string, an integer written into idbuf, or NULL.  Returns 0, or
** -1 with `reason` set. */
static int get_id(json_t *o, char *idbuf, size_t n, const char **out, char *reason, size_t rn) {
  json_t *v = json_object_get(o, "id");
  if (v && json_is_integer(v)) {
    snprintf(idbuf, n, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    *out = idbuf;
    return 0;
  }
  if (v && !json_is_null(v) && !json_is_string(v)) {
    snprintf(reason, rn, "field \"id\" must be a string or an integer, not %s", json_type_name(v));
    return -1;
  }
  return opt_string(o, "id", out, reason, rn);
}

static int known_field(const char *k) {
  static const char *const names[] = {"id", "title", "date", "source", "url", "body", NULL};
  for (const char *const *p = names; *p; p++)
    if (!strcmp(*p, k)) return 1;
  return 0;
}

/* The other fields as compact JSON in *out (jansson-allocated; NULL if
** none).  Returns 0, or -1 when memory ran out. */
static int extra_fields(json_t *o, char **out) {
  const char *key;
  json_t *val;
  json_t *extra = NULL;
  *out = NULL;
  json_object_foreach(o, key, val) {
    if (known_field(key)) continue;
    if (!extra && !(extra = json_object())) return -1;
    if (json_object_set(extra, key, val)) { json_decref(extra); return -1; }
  }
  if (!extra) return 0;
  *out = json_dumps(extra, JSON_COMPACT);
  json_decref(extra);
  return *out ? 0 : -1;
}

/* Free memory that jansson allocated (json_dumps). */
static void json_free_str(char *s) {
  json_free_t f = NULL;
  if (!s) return;
  json_get_alloc_funcs(NULL, &f);
  f(s);
}

/* Fill d from the object o; returns 0, or -1 with `reason` set. */
static int fields(json_t *o, nd_doc *d, char *idbuf, size_t idn, char *reason, size_t rn) {
  if (get_id(o, idbuf, idn, &d->id, reason, rn) || opt_string(o, "title", &d->title, reason, rn) ||
      opt_string(o, "date", &d->date, reason, rn) || opt_string(o, "source", &d->source, reason, rn) ||
      opt_string(o, "url", &d->url, reason, rn))
    return -1;
  json_t *b = json_object_get(o, "body");
  if (!b || json_is_null(b)) { snprintf(reason, rn, "missing body"); return -1; }
  if (!json_is_string(b)) { snprintf(reason, rn, "body is not a string"); return -1; }
  d->body = json_string_value(b);
  if (all_space(d->body, json_string_length(b))) { snprintf(reason, rn, "empty body"); return -1; }
  return 0;
}

int ingest_json_line(const char *line, size_t len, const char *file, uint64_t lineno,
                     ingest_doc_fn on_doc, ingest_error_fn on_error, void *ctx) {
  char reason[256], idbuf[32];
  if (all_space(line, len)) return 0;
  json_error_t err;
  json_t *o = json_loadb(line, len, 0, &err);
  if (!o) {
    if (json_error_code(&err) == json_error_out_of_memory) return ND_ERR_NOMEM;
    snprintf(reason, sizeof reason, "invalid JSON: %s (column %d)", err.text, err.column);
    on_error(ctx, file, lineno, reason);
    return 0;
  }
  if (!json_is_object(o)) {
    snprintf(reason, sizeof reason, "not a JSON object (found %s)", json_type_name(o));
    json_decref(o);
    on_error(ctx, file, lineno, reason);
    return 0;
  }
  nd_doc d;
  memset(&d, 0, sizeof d);
  if (fields(o, &d, idbuf, sizeof idbuf, reason, sizeof reason)) {
    json_decref(o);
    on_error(ctx, file, lineno, reason);
    return 0;
  }
  char *extra;
  if (extra_fields(o, &extra)) { json_decref(o); return ND_ERR_NOMEM; }
  d.extra_json = extra;
  int rc = on_doc(ctx, &d, file, lineno);
  json_free_str(extra);
  json_decref(o);
  return rc;
}

/* ---- streaming lines -------------------------------------------------------- */

typedef struct line_reader {
  const char *file;
  ingest_doc_fn on_doc;
  ingest_error_fn on_error;
  void *ctx;
  buf line;        /* the start of a line that continues in the next chunk */
  uint64_t lineno; /* lines completed so far */
  uint64_t *bytes;
} line_reader;

/* Hand one complete line to the record reader, then reset the line buffer. */
static int lr_line(line_reader *r, const char *p, size_t n) {
  r->lineno++;
  int rc = ingest_json_line(p, n, r->file, r->lineno, r->on_doc, r->on_error, r->ctx);
  if (r->line.cap > LINE_KEEP) buf_free(&r->line);
  else buf_reset(&r->line);
  return rc;
}

/* Feed n bytes of (uncompressed) input.  Returns 0, a callback's stop
** value, or ND_ERR_NOMEM. */
static int lr_feed(line_reader *r, const char *p, size_t n) {
  *r->bytes += n;
  while (n > 0) {
    const char *nl = memchr(p, '\n', n);
    if (!nl) {
      buf_put(&r->line, p, n);
      return r->line.oom ? ND_ERR_NOMEM : 0;
    }
    size_t k = (size_t)(nl - p);
    int rc;
    if (r->line.n == 0) {
      rc = lr_line(r, p, k);
    } else {
      buf_put(&r->line, p, k);
      if (r->line.oom) return ND_ERR_NOMEM;
      rc = lr_line(r, (const char *)r->line.p, r->line.n);
    }
    if (rc) return rc;
    p = nl + 1;
    n -= k + 1;
  }
  return 0;
}

/* The last line when the input does not end with a newline. */
static int lr_finish(line_reader *r) {
  if (r->line.n == 0) return 0;
  return lr_line(r, (const char *)r->line.p, r->line.n);
}

/* Report a read error at the line being read. */
static void lr_error(line_reader *r, const char *what, const char *detail) {
  char reason[256];
  snprintf(reason, sizeof reason, "%s%s%s", what, detail ? ": " : "", detail ? detail : "");
  r->on_error(r->ctx, r->file, r->lineno + 1, reason);
}

/* Plain .jsonl: read in chunks. */
static int read_plain(FILE *f, line_reader *r) {
  char *chunk = mem_alloc(CHUNK);
  if (!chunk) return ND_ERR_NOMEM;
  int rc = 0;
  size_t got;
  while ((got = fread(chunk, 1, CHUNK, f)) > 0)
    if ((rc = lr_feed(r, chunk, got)) != 0) break;
  if (!rc && ferror(f)) lr_error(r, "read error", strerror(errno));
  else if (!rc) rc = lr_finish(r);
  mem_free(chunk);
  return rc;
}

/* Decompress one chunk of input, feeding every output block to r.  *last
** gets ZSTD's hint (0 at the end of a frame).  Returns 0, a stop value or
** ND_ERR_NOMEM; a corrupt stream is reported, sets *corrupt and returns 0. */
static int zst_chunk(ZSTD_DStream *z, ZSTD_inBuffer *ib, char *out, size_t outsz, line_reader *r,
                     size_t *last, int *corrupt) {
  for (;;) {
    ZSTD_outBuffer ob = {out, outsz, 0};
    size_t ret = ZSTD_decompressStream(z, &ob, ib);
    if (ZSTD_isError(ret)) {
      lr_error(r, "corrupt zstd stream", ZSTD_getErrorName(ret));
      *corrupt = 1;
      return 0;
    }
    *last = ret;
    int rc = lr_feed(r, out, ob.pos);
    if (rc) return rc;
    if (ib->pos == ib->size && ob.pos < outsz) return 0;
  }
}

/* .jsonl.zst: stream through ZSTD_decompressStream. */
static int read_zst(FILE *f, line_reader *r) {
  size_t insz = ZSTD_DStreamInSize(), outsz = ZSTD_DStreamOutSize(), last = 0;
  ZSTD_DStream *z = ZSTD_createDStream();
  char *in = mem_alloc(insz), *out = mem_alloc(outsz);
  int rc = ND_ERR_NOMEM, any = 0, corrupt = 0;
  if (!z || !in || !out) goto done;
  ZSTD_initDStream(z);
  rc = 0;
  size_t got;
  while ((got = fread(in, 1, insz, f)) > 0) {
    ZSTD_inBuffer ib = {in, got, 0};
    any = 1;
    if ((rc = zst_chunk(z, &ib, out, outsz, r, &last, &corrupt)) != 0 || corrupt) break;
  }
  if (rc || corrupt) {
    /* stopped, out of memory, or corrupt (reported; the partial line is dropped) */
  } else if (ferror(f)) {
    lr_error(r, "read error", strerror(errno));
  } else if (any && last != 0) {
    lr_error(r, "truncated zstd stream", NULL);
  } else {
    rc = lr_finish(r);
  }
done:
  ZSTD_freeDStream(z);
  mem_free(in);
  mem_free(out);
  return rc;
}

/* Read a .jsonl (zst = 0) or .jsonl.zst (zst = 1) file, adding the bytes
** read (uncompressed) to *bytes.  An unopenable file is reported through
** on_error at line 0.  Returns 0, a callback's stop value, or
** ND_ERR_NOMEM. */
int ingest_jsonl_file(const char *path, int zst, ingest_doc_fn on_doc, ingest_error_fn on_error,
                      void *ctx, uint64_t *bytes) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    on_error(ctx, path, 0, strerror(errno));
    return 0;
  }
  line_reader r = {path, on_doc, on_error, ctx, {0}, 0, bytes};
  buf_init(&r.line);
  int rc = zst ? read_zst(f, &r) : read_plain(f, &r);
  buf_free(&r.line);
  fclose(f);
  return rc;
}
