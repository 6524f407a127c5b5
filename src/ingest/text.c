/*
** text.c -- owns the plain-text article reader (.txt files).
**
** Rules (docs/ingest.md has examples):
**   - The text must be valid UTF-8 (no overlong forms, surrogates or code
**     points above U+10FFFF) without NUL bytes; otherwise the article is
**     rejected with the byte offset in the reason and the line of the bad
**     byte as `line`.  A leading byte-order mark is skipped.  CR LF line
**     ends are read as LF.
**   - id = the file's base name without ".txt", so adding the same file
**     again replaces the article; NULL when no file name is given (or, by
**     ingest_text_named, no id name: standard input).
**   - The first non-empty line is the title when it looks like a headline:
**     another non-empty line follows it, it is at most TITLE_MAX_BYTES bytes
**     and TITLE_MAX_WORDS words, and it does not end with '.', ',', ';' or
**     ':' (it may end with '?', '!' or a quote).  Otherwise there is no
**     title and the whole text is the body.
**   - The body is what follows the title line, leading blank lines removed
**     and trailing whitespace trimmed; paragraph breaks are kept.  A text
**     with nothing besides whitespace is rejected ("empty article"); a
**     title always has a body after it.
**   - date, source and url are NULL.
*/
#include <stdio.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/mem.h"
#include "ingest.h"

#define TITLE_MAX_BYTES 200
#define TITLE_MAX_WORDS 25

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* Length of the valid UTF-8 sequence at p[0..n), or 0 if it is not one
** (NUL counts as invalid here: it cannot live in a C string). */
static size_t utf8_seq(const unsigned char *p, size_t n) {
  unsigned c = p[0];
  if (c == 0) return 0;
  if (c < 0x80) return 1;
  size_t len;
  unsigned min;
  if (c >= 0xC2 && c <= 0xDF) { len = 2; min = 0x80; }
  else if (c >= 0xE0 && c <= 0xEF) { len = 3; min = 0x800; }
  else if (c >= 0xF0 && c <= 0xF4) { len = 4; min = 0x10000; }
  else return 0;
  if (n < len) return 0;
  unsigned cp = c & (0x7F >> len);
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xC0) != 0x80) return 0;
    cp = cp << 6 | (p[i] & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

/* Offset of the first invalid byte in text[0..len), or len if it is all
** valid; *line receives that byte's line (1-based).  Can't fail. */
static size_t utf8_check(const char *text, size_t len, uint64_t *line) {
  const unsigned char *p = (const unsigned char *)text;
  size_t i = 0, k;
  *line = 1;
  while (i < len) {
    if (p[i] == '\n') { (*line)++; i++; continue; }
    if ((k = utf8_seq(p + i, len - i)) == 0) return i;
    i += k;
  }
  return len;
}

/* Span [*s, *e) without leading/trailing whitespace.  Can't fail. */
static void trim(const char *t, size_t *s, size_t *e) {
  while (*s < *e && is_ws(t[*s])) (*s)++;
  while (*e > *s && is_ws(t[*e - 1])) (*e)--;
}

int ingest_blank(const char *p, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!is_ws(p[i])) return 0;
  return 1;
}

int ingest_empty_article(const char *title, const char *body) {
  return (!title || ingest_blank(title, strlen(title))) && (!body || ingest_blank(body, strlen(body)));
}

/* Is t[s..e) blank (only whitespace)? */
static int blank(const char *t, size_t s, size_t e) { return ingest_blank(t + s, e - s); }

/* End of the line starting at s (the index of its '\n', or len). */
static size_t line_end(const char *t, size_t len, size_t s) {
  const char *nl = memchr(t + s, '\n', len - s);
  return nl ? (size_t)(nl - t) : len;
}

/* Does the trimmed line t[s..e) look like a headline (length, words, last
** character)?  The caller checks that a non-empty line follows. */
static int headline_shape(const char *t, size_t s, size_t e) {
  if (e - s > TITLE_MAX_BYTES) return 0;
  char last = t[e - 1];
  if (last == '.' || last == ',' || last == ';' || last == ':') return 0;
  size_t words = 0;
  for (size_t i = s; i < e; i++)
    if (!is_ws(t[i]) && (i == s || is_ws(t[i - 1]))) words++;
  return words <= TITLE_MAX_WORDS;
}

/* Copy t[s..e) to b, reading CR LF as LF. */
static void put_lf(buf *b, const char *t, size_t s, size_t e) {
  for (size_t i = s; i < e; i++)
    if (!(t[i] == '\r' && i + 1 < e && t[i + 1] == '\n')) buf_putc(b, (uint8_t)t[i]);
}

/* The id from a file name: base name without ".txt".  NULL (and *oom = 0)
** when there is no file name; NULL and *oom = 1 when memory ran out. */
static char *id_from_file(const char *file, int *oom) {
  *oom = 0;
  if (!file || !*file) return NULL;
  const char *base = strrchr(file, '/');
  base = base ? base + 1 : file;
  size_t n = strlen(base);
  if (n > 4 && memcmp(base + n - 4, ".txt", 4) == 0) n -= 4;
  if (n == 0) return NULL;
  char *id = mem_strndup(base, n);
  if (!id) *oom = 1;
  return id;
}

int ingest_text(const char *text, size_t len, const char *file, ingest_doc_fn on_doc,
                ingest_error_fn on_error, void *ctx) {
  return ingest_text_named(text, len, file, file, on_doc, on_error, ctx);
}

int ingest_text_named(const char *text, size_t len, const char *file, const char *idname,
                      ingest_doc_fn on_doc, ingest_error_fn on_error, void *ctx) {
  char reason[128];
  uint64_t line;
  size_t bad = utf8_check(text, len, &line);
  if (bad < len) {
    snprintf(reason, sizeof reason, "%s at byte offset %zu",
             text[bad] ? "invalid UTF-8" : "NUL byte", bad);
    on_error(ctx, file, line, reason);
    return 0;
  }
  size_t pos = 0;
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) pos = 3;
  /* The first non-empty line, and whether another one follows it. */
  size_t ls = pos, le = line_end(text, len, ls);
  while (le < len && blank(text, ls, le)) { ls = le + 1; le = line_end(text, len, ls); }
  size_t ts = ls, te = le;
  trim(text, &ts, &te);
  size_t body_from = pos;
  int has_title = 0;
  if (ts < te && le < len && !blank(text, le + 1, len) && headline_shape(text, ts, te)) {
    has_title = 1;
    body_from = le + 1;
  }
  /* Body: leading blank lines dropped, trailing whitespace trimmed. */
  size_t bs = body_from, be = len;
  while (bs < len) {
    size_t e2 = line_end(text, len, bs);
    if (!blank(text, bs, e2)) break;
    bs = e2 < len ? e2 + 1 : len;
  }
  while (be > bs && is_ws(text[be - 1])) be--;
  if (bs >= be) {
    on_error(ctx, file, 0, "empty article");
    return 0;
  }
  buf title, body;
  buf_init(&title);
  buf_init(&body);
  int oom = 0;
  char *id = id_from_file(idname, &oom);
  if (has_title) put_lf(&title, text, ts, te);
  put_lf(&body, text, bs, be);
  const char *title_s = has_title ? buf_cstr(&title) : NULL;
  const char *body_s = buf_cstr(&body);
  int rc;
  if (oom || title.oom || body.oom) {
    rc = ND_ERR_NOMEM;
  } else {
    nd_doc d;
    memset(&d, 0, sizeof d);
    d.id = id;
    d.title = title_s;
    d.body = body_s;
    rc = on_doc(ctx, &d, file, 0); /* line 0: the file as a whole */
  }
  mem_free(id);
  buf_free(&title);
  buf_free(&body);
  return rc;
}
