/*
** jsonl.c -- owns the JSON readers: one record -> one nd_doc, JSON Lines
** streamed line by line, and a JSON array streamed element by element,
** both over a source (source.h: plain, gzip or zstd, never held whole).
**
** Record rules (docs/ingest.md):
**   - A JSON Lines line is one JSON object, parsed by jansson (json_loadb,
**     flags 0: invalid UTF-8 and \u0000 are rejected).  Empty or
**     whitespace-only lines are skipped.  A bad line is reported with
**     jansson's text and column; a value that is not an object is
**     rejected.  An array element is parsed the same way (with
**     JSON_DECODE_ANY, so that a scalar element is "not a JSON object").
**   - id: a string, or an integer (its decimal text); missing, null or ""
**     gives NULL, and the library derives an id.
**   - title, date, source, url: a string or null ("" counts as null); any
**     other type rejects the record naming the field.  The date is passed
**     as is: nd_add() validates it.
**   - body: a string, passed as written; absent or null gives "" (never
**     NULL); another type is "body is not a string".  A record needs a
**     title or a body with something besides whitespace: "empty article".
**   - Every other field goes, in order, into a JSON object serialised
**     compactly as extra_json (NULL if there are none).
**
** JSON Lines: a line longer than a chunk grows a line buffer, which is
** given back after a line over LINE_KEEP bytes.  Line numbers count every
** line, blank ones included.  A read error or a corrupt or truncated
** stream is reported at the line being read; the lines before it have been
** delivered and the partial line is dropped.
**
** JSON array ("[" value, value, ... "]", whitespace anywhere between): the
** bytes are scanned for each element's end (strings and their escapes,
** nesting depth of {} and []), and each element is parsed alone, so memory
** is one element, whatever the array's size.  Elements are numbered from 0
** and reported at INGEST_ELEMENT | index.  A bad element is reported and
** skipped; a break in the array itself (no "[", a missing "," or "]",
** the input ending inside it, anything after the "]") is reported at the
** element where it happens and ends the reading of that input.
*/
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/mem.h"
#include "ingest.h"
#include "source.h"

#define CHUNK (64 * 1024)
#define LINE_KEEP (1024 * 1024)

/* ---- one record ----------------------------------------------------------- */

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
  if (b && !json_is_null(b) && !json_is_string(b)) { snprintf(reason, rn, "body is not a string"); return -1; }
  d->body = b && json_is_string(b) ? json_string_value(b) : ""; /* never NULL */
  if (ingest_empty_article(d->title, d->body)) {
    snprintf(reason, rn, "empty article");
    return -1;
  }
  return 0;
}

/* One record: the JSON text p[0..n) parsed with jansson's `flags`,
** reported at `where` (a line, or INGEST_ELEMENT | index). */
static int record(const char *p, size_t n, size_t flags, const char *file, uint64_t where,
                  ingest_doc_fn on_doc, ingest_error_fn on_error, void *ctx) {
  char reason[256], idbuf[32];
  json_error_t err;
  json_t *o = json_loadb(p, n, flags, &err);
  if (!o) {
    if (json_error_code(&err) == json_error_out_of_memory) return ND_ERR_NOMEM;
    if (where & INGEST_ELEMENT)
      snprintf(reason, sizeof reason, "invalid JSON: %s (line %d, column %d of the element)", err.text, err.line,
               err.column);
    else
      snprintf(reason, sizeof reason, "invalid JSON: %s (column %d)", err.text, err.column);
    on_error(ctx, file, where, reason);
    return 0;
  }
  if (!json_is_object(o)) {
    snprintf(reason, sizeof reason, "not a JSON object (found %s)", json_type_name(o));
    json_decref(o);
    on_error(ctx, file, where, reason);
    return 0;
  }
  nd_doc d;
  memset(&d, 0, sizeof d);
  if (fields(o, &d, idbuf, sizeof idbuf, reason, sizeof reason)) {
    json_decref(o);
    on_error(ctx, file, where, reason);
    return 0;
  }
  char *extra;
  if (extra_fields(o, &extra)) { json_decref(o); return ND_ERR_NOMEM; }
  d.extra_json = extra;
  int rc = on_doc(ctx, &d, file, where);
  json_free_str(extra);
  json_decref(o);
  return rc;
}

int ingest_json_line(const char *line, size_t len, const char *file, uint64_t lineno,
                     ingest_doc_fn on_doc, ingest_error_fn on_error, void *ctx) {
  if (ingest_blank(line, len)) return 0;
  return record(line, len, 0, file, lineno, on_doc, on_error, ctx);
}

/* ---- streaming lines -------------------------------------------------------- */

typedef struct line_reader {
  const char *file;
  ingest_doc_fn on_doc;
  ingest_error_fn on_error;
  void *ctx;
  buf line;        /* the start of a line that continues in the next chunk */
  uint64_t lineno; /* lines completed so far */
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

int ingest_jsonl_src(isrc *s, const char *file, ingest_doc_fn on_doc, ingest_error_fn on_error, void *ctx) {
  line_reader r = {file, on_doc, on_error, ctx, {0}, 0};
  buf_init(&r.line);
  int rc = 0, got;
  while ((got = isrc_next(s)) == 1)
    if ((rc = lr_feed(&r, (const char *)s->p, s->n)) != 0) break;
  if (rc) {
    /* stopped or out of memory */
  } else if (got == ND_ERR_IO) {
    on_error(ctx, file, r.lineno + 1, s->err); /* the partial line is dropped */
  } else if (got < 0) {
    rc = got;
  } else if (r.line.n) {
    rc = lr_line(&r, (const char *)r.line.p, r.line.n); /* a last line without a newline */
  }
  buf_free(&r.line);
  return rc;
}

/* ---- streaming a JSON array ----------------------------------------------- */

enum { A_OPEN, A_FIRST, A_VALUE, A_IN, A_AFTER, A_END, A_BROKEN };

typedef struct array_reader {
  const char *file;
  ingest_doc_fn on_doc;
  ingest_error_fn on_error;
  void *ctx;
  int state;
  buf elem;         /* the element being read */
  uint64_t index;   /* elements completed so far */
  int depth;        /* nesting of {} and [] inside the element */
  int in_str, esc;  /* inside a string; after a backslash in it */
  int bare;         /* the element is a bare scalar (number, true...) */
} array_reader;

static int is_json_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Report a break in the array itself at the element being read; the rest
** of the input is ignored. */
static void ar_break(array_reader *a, const char *what) {
  a->state = A_BROKEN;
  a->on_error(a->ctx, a->file, INGEST_ELEMENT | a->index, what);
}

/* The element in a->elem is complete: parse it. */
static int ar_element(array_reader *a) {
  int rc = record((const char *)a->elem.p, a->elem.n, JSON_DECODE_ANY, a->file, INGEST_ELEMENT | a->index,
                  a->on_doc, a->on_error, a->ctx);
  a->index++;
  if (a->elem.cap > LINE_KEEP) buf_free(&a->elem);
  else buf_reset(&a->elem);
  a->state = A_AFTER;
  return rc;
}

/* Start an element at byte c. */
static void ar_start(array_reader *a, uint8_t c) {
  a->state = A_IN;
  a->depth = 0;
  a->in_str = a->esc = 0;
  a->bare = !(c == '{' || c == '[' || c == '"');
}

/* Feed n bytes.  Returns 0, a callback's stop value, or ND_ERR_NOMEM. */
static int ar_feed(array_reader *a, const uint8_t *p, size_t n) {
  for (size_t i = 0; i < n && a->state < A_BROKEN; i++) {
    uint8_t c = p[i];
    switch (a->state) {
    case A_OPEN:
      if (is_json_space(c)) break;
      if (c != '[') { /* about the input as a whole */
        a->state = A_BROKEN;
        a->on_error(a->ctx, a->file, 0, "not a JSON array (it does not start with \"[\")");
        break;
      }
      a->state = A_FIRST;
      break;
    case A_FIRST:
    case A_VALUE:
      if (is_json_space(c)) break;
      if (c == ']' && a->state == A_FIRST) { a->state = A_END; break; }
      if (c == ']' || c == ',') { ar_break(a, "invalid JSON array: a value is missing before this"); break; }
      ar_start(a, c);
      i--; /* the element's first byte is read in A_IN */
      break;
    case A_IN: {
      if (a->bare && (is_json_space(c) || c == ',' || c == ']')) {
        int rc = ar_element(a);
        if (rc) return rc;
        i--; /* the delimiter is the array's */
        break;
      }
      /* Copy the run of bytes that cannot end the element at once. */
      size_t j = i;
      int done = 0;
      for (; j < n && !done; j++) {
        uint8_t b = p[j];
        if (a->in_str) {
          if (a->esc) a->esc = 0;
          else if (b == '\\') a->esc = 1;
          else if (b == '"') { a->in_str = 0; done = a->depth == 0; }
        } else if (a->bare) {
          if (is_json_space(b) || b == ',' || b == ']') break;
        } else if (b == '"') {
          a->in_str = 1;
        } else if (b == '{' || b == '[') {
          a->depth++;
        } else if (b == '}' || b == ']') {
          done = --a->depth == 0;
        }
      }
      buf_put(&a->elem, p + i, j - i);
      if (a->elem.oom) return ND_ERR_NOMEM;
      i = j - 1;
      if (done) {
        int rc = ar_element(a);
        if (rc) return rc;
      }
      break;
    }
    case A_AFTER:
      if (is_json_space(c)) break;
      if (c == ',') a->state = A_VALUE;
      else if (c == ']') a->state = A_END;
      else ar_break(a, "invalid JSON array: \",\" or \"]\" expected after an element");
      break;
    case A_END:
      if (!is_json_space(c)) ar_break(a, "invalid JSON array: something follows its closing \"]\"");
      break;
    }
  }
  return 0;
}

int ingest_json_array_src(isrc *s, const char *file, ingest_doc_fn on_doc, ingest_error_fn on_error, void *ctx) {
  array_reader a;
  memset(&a, 0, sizeof a);
  a.file = file;
  a.on_doc = on_doc;
  a.on_error = on_error;
  a.ctx = ctx;
  a.state = A_OPEN;
  buf_init(&a.elem);
  int rc = 0, got = 0, first = 1;
  while (a.state != A_BROKEN && (got = isrc_next(s)) == 1) {
    const uint8_t *p = s->p;
    size_t n = s->n;
    if (first && n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) { p += 3; n -= 3; } /* a byte-order mark */
    first = 0;
    if ((rc = ar_feed(&a, p, n)) != 0) break;
  }
  if (rc || a.state == A_BROKEN) {
    /* stopped, out of memory, or reported */
  } else if (got == ND_ERR_IO) {
    on_error(ctx, file, INGEST_ELEMENT | a.index, s->err); /* the partial element is dropped */
  } else if (got < 0) {
    rc = got;
  } else if (a.state == A_IN && a.bare && a.elem.n) {
    rc = ar_element(&a); /* a scalar at the very end: still inside an unclosed array */
    if (!rc) ar_break(&a, "invalid JSON array: the input ends before its closing \"]\"");
  } else if (a.state == A_OPEN) {
    on_error(ctx, file, 0, "empty input (expected a JSON array)");
  } else if (a.state != A_END) {
    ar_break(&a, "invalid JSON array: the input ends before its closing \"]\"");
  }
  buf_free(&a.elem);
  return rc;
}
