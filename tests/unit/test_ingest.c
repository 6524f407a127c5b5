/*
** test_ingest.c -- the ingest layer: plain text and its title rule, JSON
** Lines records, .jsonl.zst streaming (good, truncated, corrupt), folder
** walks, unreadable paths, very long lines, stopping, out of memory.
** Fixtures are in tests/fixtures/ingest/; the rest is written to a
** temporary folder.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "ingest/ingest.h"
#include "ingest/markers.h"
#include "test.h"
#include "testdata.h"
#include "util/mem.h"

#define FIX "tests/fixtures/ingest"
#define MAXREC 4096

/* ---- a recorder for the callbacks ------------------------------------------ */

typedef struct rec {
  int is_error;
  char *file, *id, *title, *date, *source, *url, *body, *extra, *reason;
  size_t body_len;
  uint64_t line;
} rec;

typedef struct recorder {
  rec r[MAXREC];
  size_t n;
  int stop_after; /* on_doc returns 99 after this many docs (0: never) */
  size_t docs;
} recorder;

static recorder R;

static char *dup_or_null(const char *s) { return s ? mem_strdup(s) : NULL; }

static int on_doc(void *ctx, const nd_doc *d, const char *file, uint64_t line) {
  recorder *c = ctx;
  c->docs++;
  if (c->n < MAXREC) {
    rec *r = &c->r[c->n++];
    memset(r, 0, sizeof *r);
    r->file = dup_or_null(file);
    r->id = dup_or_null(d->id);
    r->title = dup_or_null(d->title);
    r->date = dup_or_null(d->date);
    r->source = dup_or_null(d->source);
    r->url = dup_or_null(d->url);
    r->body = dup_or_null(d->body);
    r->body_len = d->body ? strlen(d->body) : 0;
    r->extra = dup_or_null(d->extra_json);
    r->line = line;
  }
  return c->stop_after && c->docs >= (size_t)c->stop_after ? 99 : 0;
}

static void on_error(void *ctx, const char *file, uint64_t line, const char *reason) {
  recorder *c = ctx;
  if (getenv("ND_TEST_VERBOSE")) fprintf(stderr, "  [error] %s:%llu: %s\n", file, (unsigned long long)line, reason);
  if (c->n < MAXREC) {
    rec *r = &c->r[c->n++];
    memset(r, 0, sizeof *r);
    r->is_error = 1;
    r->file = dup_or_null(file);
    r->reason = dup_or_null(reason);
    r->line = line;
  }
}

static void reset(void) {
  for (size_t i = 0; i < R.n; i++) {
    rec *r = &R.r[i];
    mem_free(r->file); mem_free(r->id); mem_free(r->title); mem_free(r->date);
    mem_free(r->source); mem_free(r->url); mem_free(r->body); mem_free(r->extra);
    mem_free(r->reason);
  }
  R.n = 0;
  R.docs = 0;
  R.stop_after = 0;
}

#define ASSERT_NULL(p) ASSERT((p) == NULL)
#define ASSERT_DOC(i, idv, linev)                                              \
  do {                                                                         \
    ASSERT((size_t)(i) < R.n);                                                 \
    ASSERT(!R.r[i].is_error);                                                  \
    if ((idv) == NULL) ASSERT_NULL(R.r[i].id); else ASSERT_EQ_STR(R.r[i].id, (idv)); \
    ASSERT_EQ_INT(R.r[i].line, (linev));                                       \
  } while (0)
#define ASSERT_ERR(i, linev, substr)                                           \
  do {                                                                         \
    ASSERT((size_t)(i) < R.n);                                                 \
    if (!R.r[i].is_error) TEST_FAIL_("record %d is not an error", (int)(i));   \
    ASSERT_EQ_INT(R.r[i].line, (linev));                                       \
    if (!strstr(R.r[i].reason, (substr)))                                      \
      TEST_FAIL_("reason \"%s\" lacks \"%s\"", R.r[i].reason, (substr));       \
  } while (0)

/* ---- temporary files -------------------------------------------------------- */

static char tmpdir[64];

static const char *tmp_path(const char *name) {
  static char p[4][512];
  static int k;
  k = (k + 1) % 4;
  if (!tmpdir[0]) {
    strcpy(tmpdir, "/tmp/nd_ingest_XXXXXX");
    if (!mkdtemp(tmpdir)) { perror("mkdtemp"); exit(2); }
  }
  snprintf(p[k], sizeof p[k], "%s/%s", tmpdir, name);
  return p[k];
}

static void write_file(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) TEST_FAIL_("cannot write %s", path);
  ASSERT_EQ_INT(fwrite(data, 1, n, f), n);
  fclose(f);
}

/* Compress data into path; returns the compressed size. */
static size_t write_zst(const char *path, const void *data, size_t n) {
  size_t cap = ZSTD_compressBound(n);
  void *z = mem_alloc(cap);
  ASSERT(z);
  size_t zn = ZSTD_compress(z, cap, data, n, 3);
  ASSERT(!ZSTD_isError(zn));
  write_file(path, z, zn);
  mem_free(z);
  return zn;
}

static void remove_tmp(void) {
  if (!tmpdir[0]) return;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
}

static int run_text(const char *text, const char *file) {
  reset();
  return ingest_text(text, strlen(text), file, on_doc, on_error, &R);
}

/* ---- tests ------------------------------------------------------------------ */

/* A plain-text article shaped like the seed: no title (the first line is a
** sentence), "(search)" markers kept by the reader, the three marked terms
** found by markers_strip. */
static void seed_roundtrip(const char *path, const char *id, const char *const terms_want[3]) {
  reset();
  ingest_stats st = {0};
  ASSERT_OK(ingest_path(path, on_doc, on_error, &R, &st));
  ASSERT_EQ_INT(R.n, 1);
  ASSERT_DOC(0, id, 0);
  ASSERT_NULL(R.r[0].title);
  ASSERT_NULL(R.r[0].date);
  ASSERT_NULL(R.r[0].source);
  ASSERT_NULL(R.r[0].url);
  char first[64];
  snprintf(first, sizeof first, "%s (search)", terms_want[0]);
  ASSERT(!strncmp(R.r[0].body, first, strlen(first))); /* markers are kept here */
  ASSERT_EQ_INT(st.files, 1);
  ASSERT_EQ_INT(st.articles, 1);
  ASSERT_EQ_INT(st.rejected, 0);
  struct stat sb;
  ASSERT_OK(stat(path, &sb));
  ASSERT_EQ_INT(st.bytes, sb.st_size);
  /* The body is the whole file minus its trailing whitespace. */
  ASSERT(R.r[0].body_len <= (size_t)sb.st_size && R.r[0].body_len + 3 >= (size_t)sb.st_size);
  char *clean, **terms;
  size_t n;
  ASSERT_OK(markers_strip(R.r[0].body, R.r[0].body_len, &clean, &terms, &n));
  ASSERT(!strstr(clean, "(search)"));
  ASSERT_EQ_INT(n, 3);
  for (size_t i = 0; i < 3; i++) ASSERT_EQ_STR(terms[i], terms_want[i]);
  mem_free(clean);
  markers_free_terms(terms, n);
  reset();
}

static void test_seed_fixture_roundtrip(void) {
  static const char *const terms[3] = {"ANFA", "Pieter van der Aa", "cod war"};
  seed_roundtrip(TEST_SEED_FIXTURE, TEST_SEED_FIXTURE_ID, terms);
}

static void test_real_seed_roundtrip(void) {
  static const char *const terms[3] = {"NATO", "Jaap de Hoop Scheffer", "Iraq war"};
  char path[1024];
  TEST_REAL_DATA_OR_SKIP(path, TEST_REAL_SEED);
  seed_roundtrip(path, TEST_REAL_SEED_ID, terms);
}

static void test_titles(void) {
  ASSERT_OK(run_text("Headline Here\n\nFirst paragraph.\n\nSecond paragraph.\n\n  \n", "x/story.txt"));
  ASSERT_DOC(0, "story", 0);
  ASSERT_EQ_STR(R.r[0].title, "Headline Here");
  ASSERT_EQ_STR(R.r[0].body, "First paragraph.\n\nSecond paragraph.");

  /* Ends with a period: a sentence, not a headline. */
  ASSERT_OK(run_text("This is a sentence.\nMore text.\n", "a.txt"));
  ASSERT_NULL(R.r[0].title);
  ASSERT_EQ_STR(R.r[0].body, "This is a sentence.\nMore text.");
  ASSERT_OK(run_text("Colon at the end:\nMore.", "a.txt"));
  ASSERT_NULL(R.r[0].title);
  ASSERT_OK(run_text("Comma at the end,\nMore.", "a.txt"));
  ASSERT_NULL(R.r[0].title);
  ASSERT_OK(run_text("Semicolon;\nMore.", "a.txt"));
  ASSERT_NULL(R.r[0].title);

  /* Question, exclamation and quote endings are fine. */
  ASSERT_OK(run_text("Will It Rain?\nMaybe.", "a.txt"));
  ASSERT_EQ_STR(R.r[0].title, "Will It Rain?");
  ASSERT_OK(run_text("Stop!\nNow.", "a.txt"));
  ASSERT_EQ_STR(R.r[0].title, "Stop!");
  ASSERT_OK(run_text("Mayor: \"We Will Build\"\nText.", "a.txt"));
  ASSERT_EQ_STR(R.r[0].title, "Mayor: \"We Will Build\"");

  /* A single non-empty line is the body. */
  ASSERT_OK(run_text("\n\nOnly One Line\n\n", "a.txt"));
  ASSERT_NULL(R.r[0].title);
  ASSERT_EQ_STR(R.r[0].body, "Only One Line");

  /* 25 words: a title; 26: not. */
  char line[512] = "";
  for (int i = 0; i < 25; i++) strcat(line, i ? " w" : "w");
  char text[1024];
  snprintf(text, sizeof text, "%s\nbody", line);
  ASSERT_OK(run_text(text, "a.txt"));
  ASSERT_EQ_STR(R.r[0].title, line);
  snprintf(text, sizeof text, "%s w\nbody", line);
  ASSERT_OK(run_text(text, "a.txt"));
  ASSERT_NULL(R.r[0].title);

  /* 200 bytes: a title; 201: not. */
  memset(line, 'x', 200);
  line[200] = 0;
  snprintf(text, sizeof text, "%s\nbody", line);
  ASSERT_OK(run_text(text, "a.txt"));
  ASSERT_EQ_STR(R.r[0].title, line);
  snprintf(text, sizeof text, "%sx\nbody", line);
  ASSERT_OK(run_text(text, "a.txt"));
  ASSERT_NULL(R.r[0].title);

  /* Leading blank lines, CR LF, indentation of the title trimmed. */
  ASSERT_OK(run_text("\r\n  Spaced Headline  \r\n\r\n\r\nBody line one\r\nline two\r\n", "a.txt"));
  ASSERT_EQ_STR(R.r[0].title, "Spaced Headline");
  ASSERT_EQ_STR(R.r[0].body, "Body line one\nline two");

  /* No file name: no id. */
  ASSERT_OK(run_text("Title\nBody", NULL));
  ASSERT_DOC(0, NULL, 0);
  reset();
}

static void test_text_rejects(void) {
  ASSERT_OK(run_text(" \n\n\t\n", "e.txt"));
  ASSERT_EQ_INT(R.n, 1);
  ASSERT_ERR(0, 0, "empty article");
  /* A headline and nothing else after it: no title, the line is the body. */
  ASSERT_OK(run_text("Lonely Title\n", "e.txt"));
  ASSERT_DOC(0, "e", 0);
  /* Invalid UTF-8 on line 3, at byte offset 13. */
  ASSERT_OK(run_text("Title\nabc\nok \xC3\x28 bad\n", "bad.txt"));
  ASSERT_EQ_INT(R.n, 1);
  ASSERT_ERR(0, 3, "invalid UTF-8 at byte offset 13");
  /* Overlong encoding and an encoded surrogate. */
  ASSERT_OK(run_text("x \xC0\xAF", "bad.txt"));
  ASSERT_ERR(0, 1, "invalid UTF-8 at byte offset 2");
  ASSERT_OK(run_text("x\n\n\xED\xA0\x80", "bad.txt"));
  ASSERT_ERR(0, 3, "byte offset 3");
  /* A NUL byte. */
  reset();
  ASSERT_OK(ingest_text("ab\0cd", 5, "nul.txt", on_doc, on_error, &R));
  ASSERT_ERR(0, 1, "NUL byte at byte offset 2");
  /* Valid multi-byte text passes. */
  ASSERT_OK(run_text("Caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x93\xB0\nBody", "u.txt"));
  ASSERT_EQ_STR(R.r[0].title, "Caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x93\xB0");
  reset();
}

static void test_jsonl_fixture(void) {
  reset();
  ingest_stats st = {0};
  ASSERT_OK(ingest_path(FIX "/lines.jsonl", on_doc, on_error, &R, &st));
  ASSERT_EQ_INT(R.n, 7);
  ASSERT_DOC(0, "l-1", 1);
  ASSERT_EQ_STR(R.r[0].title, "Ferry service resumes");
  ASSERT_NULL(R.r[0].extra);
  ASSERT_ERR(1, 2, "invalid JSON: ");
  ASSERT_ERR(1, 2, "(column ");
  ASSERT_DOC(2, "l-5", 5); /* a title and no body: a title-only article */
  ASSERT_EQ_STR(R.r[2].title, "No body here");
  ASSERT(!R.r[2].body || !R.r[2].body[0]);
  ASSERT_ERR(3, 6, "not a JSON object");
  ASSERT_ERR(4, 7, "field \"title\" must be a string or null");
  ASSERT_ERR(5, 8, "empty article");
  ASSERT_DOC(6, "l-9", 9);
  ASSERT_EQ_STR(R.r[6].date, "not-a-date");
  ASSERT_EQ_STR(R.r[6].extra, "{\"extra\":{\"k\":[1,2]}}");
  ASSERT_EQ_INT(st.files, 1);
  ASSERT_EQ_INT(st.articles, 3);
  ASSERT_EQ_INT(st.rejected, 4);
  struct stat sb;
  ASSERT_OK(stat(FIX "/lines.jsonl", &sb));
  ASSERT_EQ_INT(st.bytes, sb.st_size);
  reset();
}

static int run_line(const char *line) {
  reset();
  return ingest_json_line(line, strlen(line), "mem.jsonl", 7, on_doc, on_error, &R);
}

static void test_json_records(void) {
  /* Invalid UTF-8 bytes inside a string. */
  ASSERT_OK(run_line("{\"body\": \"caf\xE9\"}"));
  ASSERT_ERR(0, 7, "invalid JSON: unable to decode byte 0xe9");
  /* \u0000 is refused. */
  ASSERT_OK(run_line("{\"body\": \"a\\u0000b\"}"));
  ASSERT_ERR(0, 7, "invalid JSON");
  /* Trailing garbage, a scalar, an array. */
  ASSERT_OK(run_line("{\"body\": \"x\"} y"));
  ASSERT_ERR(0, 7, "invalid JSON");
  ASSERT_OK(run_line("17"));
  ASSERT_ERR(0, 7, "invalid JSON");
  ASSERT_OK(run_line("[1, 2]"));
  ASSERT_ERR(0, 7, "not a JSON object");
  /* Body problems: a title or a body is needed. */
  ASSERT_OK(run_line("{\"title\": \"t\"}"));
  ASSERT_DOC(0, NULL, 7);
  ASSERT_EQ_STR(R.r[0].title, "t");
  ASSERT_OK(run_line("{\"body\": null}"));
  ASSERT_ERR(0, 7, "empty article");
  ASSERT_OK(run_line("{\"title\": \" \", \"body\": null}"));
  ASSERT_ERR(0, 7, "empty article");
  ASSERT_OK(run_line("{\"body\": [\"x\"]}"));
  ASSERT_ERR(0, 7, "body is not a string");
  ASSERT_OK(run_line("{\"body\": \" \\n\\t \"}"));
  ASSERT_ERR(0, 7, "empty article");
  /* Wrong field types. */
  ASSERT_OK(run_line("{\"body\": \"x\", \"date\": 2004}"));
  ASSERT_ERR(0, 7, "field \"date\"");
  ASSERT_OK(run_line("{\"body\": \"x\", \"url\": {}}"));
  ASSERT_ERR(0, 7, "field \"url\"");
  ASSERT_OK(run_line("{\"body\": \"x\", \"source\": true}"));
  ASSERT_ERR(0, 7, "field \"source\"");
  ASSERT_OK(run_line("{\"body\": \"x\", \"id\": 1.5}"));
  ASSERT_ERR(0, 7, "field \"id\" must be a string or an integer");
  /* Integer ids, missing ids, empty strings. */
  ASSERT_OK(run_line("{\"id\": 12345678901, \"body\": \"x\"}"));
  ASSERT_DOC(0, "12345678901", 7);
  ASSERT_OK(run_line("{\"id\": -3, \"body\": \"x\"}"));
  ASSERT_DOC(0, "-3", 7);
  ASSERT_OK(run_line("{\"id\": null, \"title\": \"\", \"body\": \"x\"}"));
  ASSERT_DOC(0, NULL, 7);
  ASSERT_NULL(R.r[0].title);
  /* All fields, and extra fields kept in order, compactly. */
  ASSERT_OK(run_line("{\"z\": 1, \"id\": \"a\", \"title\": \"T\", \"date\": \"2005-04-03\", \"source\": \"S\","
                     " \"url\": \"http://x\", \"body\": \" B \", \"lang\": \"en\", \"n\": {\"a\": [true, null]}}"));
  ASSERT_DOC(0, "a", 7);
  ASSERT_EQ_STR(R.r[0].title, "T");
  ASSERT_EQ_STR(R.r[0].date, "2005-04-03");
  ASSERT_EQ_STR(R.r[0].source, "S");
  ASSERT_EQ_STR(R.r[0].url, "http://x");
  ASSERT_EQ_STR(R.r[0].body, " B ");
  ASSERT_EQ_STR(R.r[0].extra, "{\"z\":1,\"lang\":\"en\",\"n\":{\"a\":[true,null]}}");
  /* Blank lines are skipped silently. */
  ASSERT_OK(run_line(""));
  ASSERT_EQ_INT(R.n, 0);
  ASSERT_OK(run_line(" \t\r"));
  ASSERT_EQ_INT(R.n, 0);
  /* A stop value comes back. */
  reset();
  R.stop_after = 1;
  ASSERT_EQ_INT(ingest_json_line("{\"body\":\"x\"}", 12, "m", 1, on_doc, on_error, &R), 99);
  reset();
}

/* Lines for the zstd tests: "{"id":"z<line>","body":"..."}" with blank
** lines every 7th line, long enough to cross decompression blocks. */
static char *make_lines(int nlines, size_t *len) {
  size_t cap = (size_t)nlines * 300 + 16, n = 0;
  char *p = mem_alloc(cap);
  ASSERT(p);
  for (int i = 1; i <= nlines; i++) {
    if (i % 7 == 0) { p[n++] = '\n'; continue; }
    n += (size_t)snprintf(p + n, cap - n,
                          "{\"id\":\"z%d\",\"body\":\"Line %d of a made-up wire story about the harbour, "
                          "the ferry and the weather; padding padding padding padding padding.\"}\n",
                          i, i);
  }
  *len = n;
  return p;
}

static void test_zst(void) {
  size_t len;
  int nlines = 3000;
  char *data = make_lines(nlines, &len);
  const char *good = tmp_path("good.jsonl.zst");
  size_t zn = write_zst(good, data, len);
  reset();
  ingest_stats st = {0};
  ASSERT_OK(ingest_path(good, on_doc, on_error, &R, &st));
  ASSERT_EQ_INT(st.bytes, len);
  ASSERT_EQ_INT(st.rejected, 0);
  ASSERT_EQ_INT(st.articles, nlines - nlines / 7);
  for (size_t i = 0; i < R.n; i++) {
    char want[32];
    snprintf(want, sizeof want, "z%llu", (unsigned long long)R.r[i].line);
    ASSERT_EQ_STR(R.r[i].id, want);
  }

  /* Truncated: the stream ends inside a frame. */
  FILE *f = fopen(good, "rb");
  ASSERT(f);
  char *z = mem_alloc(zn);
  ASSERT(z);
  ASSERT_EQ_INT(fread(z, 1, zn, f), zn);
  fclose(f);
  const char *trunc = tmp_path("trunc.jsonl.zst");
  write_file(trunc, z, zn / 2);
  reset();
  ASSERT_OK(ingest_path(trunc, on_doc, on_error, &R, NULL));
  ASSERT(R.n >= 2);
  rec *last = &R.r[R.n - 1];
  ASSERT(last->is_error);
  ASSERT(strstr(last->reason, "truncated zstd stream"));
  ASSERT_EQ_STR(last->file, trunc);
  /* The line reached: one after the last line delivered (or a blank one). */
  rec *prev = &R.r[R.n - 2];
  ASSERT(!prev->is_error);
  ASSERT(last->line > prev->line && last->line <= prev->line + 2);
  ASSERT(last->line < (uint64_t)nlines);

  /* Corrupt: bytes in the middle overwritten. */
  memset(z + zn / 2, 0xA5, 64);
  const char *bad = tmp_path("corrupt.jsonl.zst");
  write_file(bad, z, zn);
  reset();
  ASSERT_OK(ingest_path(bad, on_doc, on_error, &R, NULL));
  ASSERT(R.n >= 1);
  last = &R.r[R.n - 1];
  ASSERT(last->is_error);
  if (!strstr(last->reason, "corrupt zstd stream"))
    TEST_FAIL_("reason: %s", last->reason);
  ASSERT(last->line >= 1 && last->line < (uint64_t)nlines);
  for (size_t i = 0; i + 1 < R.n; i++) ASSERT(!R.r[i].is_error);

  /* Not zstd at all. */
  const char *plain = tmp_path("plain.jsonl.zst");
  write_file(plain, data, 100);
  reset();
  ASSERT_OK(ingest_path(plain, on_doc, on_error, &R, NULL));
  ASSERT_EQ_INT(R.n, 1);
  ASSERT_ERR(0, 1, "corrupt zstd stream");

  /* Two frames one after the other read as one stream; a last line
  ** without a newline is read too. */
  const char *two = tmp_path("two.jsonl.zst");
  const char *a = "{\"id\":\"f1\",\"body\":\"x\"}\n", *b = "\n{\"id\":\"f3\",\"body\":\"y\"}";
  char za[256], zb[256];
  size_t na = ZSTD_compress(za, sizeof za, a, strlen(a), 1), nb = ZSTD_compress(zb, sizeof zb, b, strlen(b), 1);
  ASSERT(!ZSTD_isError(na) && !ZSTD_isError(nb));
  f = fopen(two, "wb");
  ASSERT(f);
  fwrite(za, 1, na, f);
  fwrite(zb, 1, nb, f);
  fclose(f);
  reset();
  ASSERT_OK(ingest_path(two, on_doc, on_error, &R, NULL));
  ASSERT_EQ_INT(R.n, 2);
  ASSERT_DOC(0, "f1", 1);
  ASSERT_DOC(1, "f3", 3);

  /* An empty file: nothing, no error. */
  const char *empty = tmp_path("empty.jsonl.zst");
  write_file(empty, "", 0);
  reset();
  ASSERT_OK(ingest_path(empty, on_doc, on_error, &R, NULL));
  ASSERT_EQ_INT(R.n, 0);
  mem_free(z);
  mem_free(data);
  reset();
}

static void test_folder_walk(void) {
  reset();
  ingest_stats st = {0};
  ASSERT_OK(ingest_path(FIX "/tree", on_doc, on_error, &R, &st));
  ASSERT_EQ_INT(R.n, 6);
  ASSERT_DOC(0, "a_first", 0);
  ASSERT_EQ_STR(R.r[0].file, FIX "/tree/a_first.txt");
  ASSERT_EQ_STR(R.r[0].title, "Town Council Approves New Bridge Over Mill River");
  ASSERT(!strncmp(R.r[0].body, "The council of", 14));
  ASSERT_DOC(1, "b-1", 1);
  ASSERT_EQ_STR(R.r[1].file, FIX "/tree/b.jsonl");
  ASSERT_EQ_STR(R.r[1].source, "Brookhaven Gazette");
  ASSERT_DOC(2, "42", 3);
  ASSERT_EQ_STR(R.r[2].extra, "{\"section\":\"local\",\"tags\":[\"harbour\",\"boats\"]}");
  ASSERT_ERR(3, 4, "body is not a string");
  ASSERT_DOC(4, "d-1", INGEST_ELEMENT | 0); /* element 0 of the JSON array */
  ASSERT_EQ_STR(R.r[4].file, FIX "/tree/d.json");
  ASSERT_DOC(5, "c", 0);
  ASSERT_EQ_STR(R.r[5].file, FIX "/tree/sub/c.txt");
  ASSERT_NULL(R.r[5].title);
  ASSERT_EQ_INT(st.files, 4);
  ASSERT_EQ_INT(st.articles, 5);
  ASSERT_EQ_INT(st.rejected, 1);
  /* A trailing slash gives the same files. */
  reset();
  ASSERT_OK(ingest_path(FIX "/tree/", on_doc, on_error, &R, NULL));
  ASSERT_EQ_INT(R.n, 6);
  ASSERT_EQ_STR(R.r[0].file, FIX "/tree/a_first.txt");

  /* Byte order of full paths, across folders; a dangling link reported. */
  const char *names[] = {"w/b.txt", "w/a-b.txt", "w/a/z.txt", "w/B.txt", "w/a.txt"};
  ASSERT_OK(mkdir(tmp_path("w"), 0755));
  ASSERT_OK(mkdir(tmp_path("w/a"), 0755));
  for (size_t i = 0; i < 5; i++) write_file(tmp_path(names[i]), "T\nbody\n", 7);
  ASSERT_OK(symlink(tmp_path("nowhere"), tmp_path("w/gone.txt")));
  reset();
  ASSERT_OK(ingest_path(tmp_path("w"), on_doc, on_error, &R, NULL));
  ASSERT_EQ_INT(R.n, 6);
  ASSERT_ERR(0, 0, "No such file");
  const char *order[] = {"w/B.txt", "w/a-b.txt", "w/a.txt", "w/a/z.txt", "w/b.txt"};
  for (size_t i = 0; i < 5; i++) ASSERT_EQ_STR(R.r[i + 1].file, tmp_path(order[i]));
  reset();
}

static void test_unreadable(void) {
  reset();
  ingest_stats st = {0};
  ASSERT_OK(ingest_path(FIX "/does-not-exist.txt", on_doc, on_error, &R, &st));
  ASSERT_EQ_INT(R.n, 1);
  ASSERT_ERR(0, 0, strerror(2));
  ASSERT_EQ_STR(R.r[0].file, FIX "/does-not-exist.txt");
  ASSERT_EQ_INT(st.rejected, 1);
  ASSERT_EQ_INT(st.files, 0);
  /* Named directly with another ending: read as its content says (here
  ** plain text, one article), where a folder walk skips it. */
  reset();
  ASSERT_OK(ingest_path(FIX "/tree/notes.md", on_doc, on_error, &R, NULL));
  ASSERT_EQ_INT(R.n, 1);
  ASSERT_DOC(0, "notes.md", 0); /* no known ending to drop from the id */
  /* Without permission (meaningless as root). */
  if (geteuid() != 0) {
    const char *p = tmp_path("secret.txt");
    write_file(p, "T\nbody\n", 7);
    ASSERT_OK(chmod(p, 0));
    reset();
    ASSERT_OK(ingest_path(p, on_doc, on_error, &R, NULL));
    ASSERT_ERR(0, 0, "Permission denied");
  }
  reset();
}

static void test_long_line(void) {
  size_t blen = 5u << 20;
  char *line = mem_alloc(blen + 64);
  ASSERT(line);
  size_t n = (size_t)sprintf(line, "{\"id\":\"long\",\"body\":\"");
  for (size_t i = 0; i < blen; i++) line[n + i] = (char)('a' + i % 26);
  n += blen;
  n += (size_t)sprintf(line + n, "\"}\n{\"id\":\"after\",\"body\":\"x\"}\n");
  const char *p = tmp_path("long.jsonl");
  write_file(p, line, n);
  reset();
  ASSERT_OK(ingest_path(p, on_doc, on_error, &R, NULL));
  ASSERT_EQ_INT(R.n, 2);
  ASSERT_DOC(0, "long", 1);
  ASSERT_EQ_INT(R.r[0].body_len, blen);
  ASSERT_DOC(1, "after", 2);
  const char *pz = tmp_path("long.jsonl.zst");
  write_zst(pz, line, n);
  reset();
  ASSERT_OK(ingest_path(pz, on_doc, on_error, &R, NULL));
  ASSERT_EQ_INT(R.n, 2);
  ASSERT_EQ_INT(R.r[0].body_len, blen);
  ASSERT_DOC(1, "after", 2);
  mem_free(line);
  reset();
}

static void test_stop(void) {
  reset();
  R.stop_after = 2;
  ingest_stats st = {0};
  ASSERT_EQ_INT(ingest_path(FIX "/tree", on_doc, on_error, &R, &st), 99);
  ASSERT_EQ_INT(R.docs, 2);
  ASSERT_EQ_INT(st.articles, 2);
  ASSERT_EQ_INT(st.files, 2);
  reset();
}

static void test_out_of_memory(void) {
  /* Fail each allocation in turn: ND_ERR_NOMEM or success, never a crash
  ** or a leak (run under valgrind or ASan). */
  int saw_nomem = 0, saw_ok = 0;
  for (long k = 0; k < 200 && !saw_ok; k++) {
    reset();
    mem_fail_after(k);
    int rc = ingest_path(FIX "/tree", on_doc, on_error, &R, NULL);
    mem_fail_after(-1);
    if (rc == ND_ERR_NOMEM) saw_nomem = 1;
    else if (rc == 0) saw_ok = 1;
    else TEST_FAIL_("rc %d at k=%ld", rc, k);
  }
  ASSERT(saw_nomem && saw_ok);
  reset();
}

static void test_cleanup(void) { remove_tmp(); }

TEST_MAIN(TEST(test_seed_fixture_roundtrip), TEST(test_real_seed_roundtrip), TEST(test_titles), TEST(test_text_rejects),
          TEST(test_jsonl_fixture), TEST(test_json_records), TEST(test_zst), TEST(test_folder_walk),
          TEST(test_unreadable), TEST(test_long_line), TEST(test_stop), TEST(test_out_of_memory),
          TEST(test_cleanup))
