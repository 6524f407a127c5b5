/*
** test_ingest_formats.c -- reading the way Unix tools do: inputs without a
** known ending recognised by content (JSON Lines, JSON array, text, gzip,
** zstd, binary garbage refused), --format overriding that, standard
** input, .jsonl.gz (several members, truncated, corrupt), .json arrays
** streamed element by element with per-element errors, title-only
** articles and "empty article" (readers and library: indexing, search,
** snippets, get, links), ND_COUNT_ONLY searches, ingest_size() and
** ingest_where().  Every input is written here, in a temporary folder.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "ingest/ingest.h"
#include "test.h"
#include "util/mem.h"

#define MAXREC 64

typedef struct rec {
  int is_error;
  char file[256], id[64], title[128], reason[256];
  int has_id, has_title, body_null;
  size_t body_len;
  char body[256]; /* the start of the body */
  uint64_t place;
} rec;

static rec R[MAXREC];
static size_t NR;
static char dir[64];

static void copy(char *dst, size_t n, const char *s) { snprintf(dst, n, "%s", s ? s : ""); }

static int on_doc(void *ctx, const nd_doc *d, const char *file, uint64_t place) {
  if (NR >= MAXREC) return 0;
  rec *r = &R[NR++];
  memset(r, 0, sizeof *r);
  copy(r->file, sizeof r->file, file);
  copy(r->id, sizeof r->id, d->id);
  copy(r->title, sizeof r->title, d->title);
  copy(r->body, sizeof r->body, d->body);
  r->has_id = d->id != NULL;
  r->has_title = d->title != NULL;
  r->body_null = d->body == NULL;
  r->body_len = d->body ? strlen(d->body) : 0;
  r->place = place;
  return 0;
}

static void on_error(void *ctx, const char *file, uint64_t place, const char *reason) {
  if (getenv("ND_TEST_VERBOSE")) fprintf(stderr, "  [error] %s %llx: %s\n", file, (unsigned long long)place, reason);
  if (NR >= MAXREC) return;
  rec *r = &R[NR++];
  memset(r, 0, sizeof *r);
  r->is_error = 1;
  copy(r->file, sizeof r->file, file);
  copy(r->reason, sizeof r->reason, reason);
  r->place = place;
}

#define ASSERT_DOC(i, idv, placev)                                             \
  do {                                                                         \
    ASSERT((size_t)(i) < NR);                                                  \
    if (R[i].is_error) TEST_FAIL_("record %d is an error: %s", (int)(i), R[i].reason); \
    ASSERT_EQ_STR(R[i].id, (idv));                                             \
    ASSERT_EQ_INT(R[i].place, (placev));                                       \
    ASSERT(!R[i].body_null);                                                   \
  } while (0)
#define ASSERT_ERR(i, placev, substr)                                          \
  do {                                                                         \
    ASSERT((size_t)(i) < NR);                                                  \
    if (!R[i].is_error) TEST_FAIL_("record %d is not an error", (int)(i));     \
    ASSERT_EQ_INT(R[i].place, (placev));                                       \
    if (!strstr(R[i].reason, (substr)))                                        \
      TEST_FAIL_("reason \"%s\" lacks \"%s\"", R[i].reason, (substr));         \
  } while (0)

/* The temporary folder, made on first use. */
static const char *tmpdir(void) {
  if (!dir[0]) {
    snprintf(dir, sizeof dir, "/tmp/ndfmt-XXXXXX");
    if (!mkdtemp(dir)) {
      perror("mkdtemp");
      exit(1);
    }
  }
  return dir;
}

static const char *path_of(const char *name) {
  static char p[4][256];
  tmpdir();
  static int k;
  k = (k + 1) % 4;
  snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
  return p[k];
}

static const char *put(const char *name, const void *data, size_t n) {
  const char *p = path_of(name);
  FILE *f = fopen(p, "wb");
  if (!f) return p;
  fwrite(data, 1, n, f);
  fclose(f);
  return p;
}

static const char *put_s(const char *name, const char *text) { return put(name, text, strlen(text)); }

/* gzip of data as one member, into out (cap bytes); returns its length. */
static size_t gz(const char *data, size_t n, unsigned char *out, size_t cap) {
  z_stream z;
  memset(&z, 0, sizeof z);
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
  z.next_in = (unsigned char *)data;
  z.avail_in = (uInt)n;
  z.next_out = out;
  z.avail_out = (uInt)cap;
  int rc = deflate(&z, Z_FINISH);
  size_t len = rc == Z_STREAM_END ? cap - z.avail_out : 0;
  deflateEnd(&z);
  return len;
}

static int run(const char *path, int format, ingest_stats *st) {
  NR = 0;
  return ingest_input(path, format, on_doc, on_error, NULL, st);
}

static const char JSONL[] =
    "{\"id\":\"j1\",\"title\":\"Harbour reopens\",\"body\":\"The harbour reopened.\"}\n"
    "\n"
    "{\"id\":\"j2\",\"body\":\"Second article.\"}\n";

/* ---- inputs named without a known ending --------------------------------- */

static void test_sniff_content(void) {
  /* JSON Lines in a file named like split's output. */
  const char *p = put_s("batch-000", JSONL);
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_EQ_INT(NR, 2);
  ASSERT_DOC(0, "j1", 1);
  ASSERT_DOC(1, "j2", 3);
  ASSERT_EQ_STR(R[0].file, p);
  /* Plain text: one article, its id the file name. */
  p = put_s("notes", "Storm Warning Issued\n\nA storm is coming.\n");
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_EQ_INT(NR, 1);
  ASSERT_DOC(0, "notes", 0);
  ASSERT_EQ_STR(R[0].title, "Storm Warning Issued");
  /* A file with an ending that is not known is recognised too. */
  p = put_s("notes.md", "Just one line of text.");
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_DOC(0, "notes.md", 0);
  /* zstd and gzip by their magic numbers, holding JSON Lines. */
  char z[512];
  size_t zn = ZSTD_compress(z, sizeof z, JSONL, strlen(JSONL), 3);
  ASSERT(!ZSTD_isError(zn));
  p = put("z-000", z, zn);
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_EQ_INT(NR, 2);
  ASSERT_DOC(1, "j2", 3);
  unsigned char g[512];
  size_t gn = gz(JSONL, strlen(JSONL), g, sizeof g);
  ASSERT(gn > 0);
  p = put("g-000", g, gn);
  ingest_stats st = {0};
  ASSERT_OK(run(p, INGEST_AUTO, &st));
  ASSERT_EQ_INT(NR, 2);
  ASSERT_DOC(0, "j1", 1);
  ASSERT_EQ_INT(st.raw, gn);
  ASSERT_EQ_INT(st.bytes, strlen(JSONL));
  ASSERT_EQ_INT(st.files, 1);
  ASSERT_EQ_INT(st.articles, 2);
  /* gzip holding plain text. */
  const char *text = "Ferry Back In Service\n\nThe ferry runs again.";
  gn = gz(text, strlen(text), g, sizeof g);
  p = put("g-001", g, gn);
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_EQ_INT(NR, 1);
  ASSERT_DOC(0, "g-001", 0);
  ASSERT_EQ_STR(R[0].title, "Ferry Back In Service");
  /* A JSON array. */
  p = put_s("arr-000", " [ {\"id\":\"a0\",\"body\":\"x\"} ]\n");
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_EQ_INT(NR, 1);
  ASSERT_DOC(0, "a0", INGEST_ELEMENT | 0);
  /* Binary garbage: refused once, naming the file. */
  unsigned char junk[300];
  for (size_t i = 0; i < sizeof junk; i++) junk[i] = (unsigned char)(i * 37 + 11);
  junk[0] = 0x80;
  p = put("garbage", junk, sizeof junk);
  ASSERT_OK(run(p, INGEST_AUTO, &st));
  ASSERT_EQ_INT(NR, 1);
  ASSERT_ERR(0, 0, "binary data");
  ASSERT_EQ_STR(R[0].file, p);
  /* A NUL byte in what would be text. */
  p = put("nul", "text\0more", 9);
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_ERR(0, 0, "binary data (NUL byte at byte offset 4)");
  /* A multi-byte character is not garbage. */
  p = put_s("cafe", "Caf\xc3\xa9 Opens\n\nIt opened.");
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_DOC(0, "cafe", 0);
  /* Files with a known ending go by it: a .txt holding JSON is text. */
  p = put_s("looks.txt", "{\"id\":\"x\",\"body\":\"y\"}");
  ASSERT_OK(run(p, INGEST_JSONL, NULL));
  ASSERT_EQ_INT(NR, 1);
  ASSERT_DOC(0, "looks", 0);
}

static void test_format_override(void) {
  /* JSON Lines read as text: one article holding the lines. */
  const char *p = put_s("batch-001", JSONL);
  ASSERT_OK(run(p, INGEST_TXT, NULL));
  ASSERT_EQ_INT(NR, 1);
  ASSERT_DOC(0, "batch-001", 0);
  ASSERT(strstr(R[0].title, "{\"id\":\"j1\"") && strstr(R[0].body, "{\"id\":\"j2\""));
  /* Text read as JSON Lines: each line is bad JSON. */
  p = put_s("batch-002", "hello\nworld\n");
  ASSERT_OK(run(p, INGEST_JSONL, NULL));
  ASSERT_EQ_INT(NR, 2);
  ASSERT_ERR(0, 1, "invalid JSON");
  ASSERT_ERR(1, 2, "invalid JSON");
  /* The format names what is inside the compression. */
  unsigned char g[512];
  size_t gn = gz(JSONL, strlen(JSONL), g, sizeof g);
  p = put("batch-003", g, gn);
  ASSERT_OK(run(p, INGEST_TXT, NULL));
  ASSERT_EQ_INT(NR, 1);
  ASSERT(strstr(R[0].body, "Second article."));
  /* A JSON array named as such, JSON Lines as an array. */
  p = put_s("batch-004", "[{\"id\":\"q\",\"body\":\"b\"}]");
  ASSERT_OK(run(p, INGEST_JSON, NULL));
  ASSERT_DOC(0, "q", INGEST_ELEMENT | 0);
  p = put_s("batch-005", JSONL);
  ASSERT_OK(run(p, INGEST_JSON, NULL));
  ASSERT_EQ_INT(NR, 1);
  ASSERT_ERR(0, 0, "not a JSON array");
}

/* ---- gzip ------------------------------------------------------------------ */

static void test_jsonl_gz(void) {
  /* Two members one after the other, a long line across chunks. */
  size_t blen = 300000;
  char *big = mem_alloc(blen + 100);
  ASSERT(big);
  size_t n = (size_t)sprintf(big, "{\"id\":\"big\",\"body\":\"");
  for (size_t i = 0; i < blen; i++) big[n + i] = (char)('a' + i % 26);
  n += blen;
  n += (size_t)sprintf(big + n, "\"}\n");
  size_t cap = blen + 4096;
  unsigned char *g = mem_alloc(cap);
  ASSERT(g);
  size_t g1 = gz(JSONL, strlen(JSONL), g, cap);
  size_t g2 = gz(big, n, g + g1, cap - g1);
  ASSERT(g1 && g2);
  const char *p = put("two.jsonl.gz", g, g1 + g2);
  ingest_stats st = {0};
  ASSERT_OK(run(p, INGEST_AUTO, &st));
  ASSERT_EQ_INT(NR, 3);
  ASSERT_DOC(0, "j1", 1);
  ASSERT_DOC(1, "j2", 3);
  ASSERT_DOC(2, "big", 4);
  ASSERT_EQ_INT(R[2].body_len, blen);
  ASSERT_EQ_INT(st.raw, g1 + g2);
  ASSERT_EQ_INT(st.bytes, strlen(JSONL) + n);

  /* Truncated: the records before stay read, the error names the file
  ** and the line being read. */
  p = put("cut.jsonl.gz", g, g1 + g2 / 2);
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_EQ_INT(NR, 3);
  ASSERT_DOC(0, "j1", 1);
  ASSERT_DOC(1, "j2", 3);
  ASSERT_ERR(2, 4, "truncated gzip stream");
  ASSERT_EQ_STR(R[2].file, p);
  /* The same without an ending (recognised by its magic number). */
  p = put("cut-000", g, g1 - 6);
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT(NR >= 1);
  ASSERT(R[NR - 1].is_error);
  ASSERT(strstr(R[NR - 1].reason, "truncated gzip stream"));

  /* Corrupt: bytes changed inside the compressed data. */
  memcpy(g + g1 + 20, "0123456789abcdef", 16);
  p = put("bad.jsonl.gz", g, g1 + g2);
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT(NR >= 3);
  ASSERT_DOC(1, "j2", 3);
  ASSERT(R[NR - 1].is_error);
  if (!strstr(R[NR - 1].reason, "corrupt gzip stream")) TEST_FAIL_("reason: %s", R[NR - 1].reason);

  /* An empty .jsonl.gz is empty, not truncated. */
  p = put("empty.jsonl.gz", "", 0);
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_EQ_INT(NR, 0);
  mem_free(big);
  mem_free(g);
}

static void test_truncated_zstd_sniffed(void) {
  char z[512];
  size_t zn = ZSTD_compress(z, sizeof z, JSONL, strlen(JSONL), 3);
  ASSERT(!ZSTD_isError(zn));
  const char *p = put("zcut", z, zn - 4);
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT(NR >= 1);
  ASSERT(R[NR - 1].is_error);
  ASSERT(strstr(R[NR - 1].reason, "truncated zstd stream"));
  ASSERT_EQ_STR(R[NR - 1].file, p);
}

/* ---- JSON arrays ------------------------------------------------------------- */

static void test_json_array(void) {
  const char *text =
      "\xEF\xBB\xBF[\n"
      "  {\"id\": \"a\", \"body\": \"x\"},\n"
      "  {\"id\": \"b\", \"body\": 5},\n"
      "  \"just a string\",\n"
      "  {\"id\": \"c\", \"title\": \"Title \\\"quoted\\\" }] only\"},\n"
      "  {\"id\": \"bad\" \"body\": \"y\"},\n"
      "  {\"id\": \"d\", \"body\": \"z\", \"tags\": [1, {\"k\": \"]}\"}]},\n"
      "  17,\n"
      "  {\"id\": \"e\"}\n"
      "]\n";
  const char *p = put_s("a.json", text);
  ingest_stats st = {0};
  ASSERT_OK(run(p, INGEST_AUTO, &st));
  ASSERT_EQ_INT(NR, 8);
  ASSERT_DOC(0, "a", INGEST_ELEMENT | 0);
  ASSERT_ERR(1, INGEST_ELEMENT | 1, "body is not a string");
  ASSERT_ERR(2, INGEST_ELEMENT | 2, "not a JSON object (found a string)");
  ASSERT_DOC(3, "c", INGEST_ELEMENT | 3);
  ASSERT_EQ_STR(R[3].title, "Title \"quoted\" }] only");
  ASSERT_EQ_INT(R[3].body_len, 0);
  ASSERT_ERR(4, INGEST_ELEMENT | 4, "invalid JSON");
  ASSERT_DOC(5, "d", INGEST_ELEMENT | 5);
  ASSERT_ERR(6, INGEST_ELEMENT | 6, "not a JSON object (found an integer)");
  ASSERT_ERR(7, INGEST_ELEMENT | 7, "empty article");
  ASSERT_EQ_INT(st.articles, 3);
  ASSERT_EQ_INT(st.rejected, 5);
  ASSERT_EQ_INT(st.bytes, strlen(text));

  /* Breaks in the array itself end the reading, at the element. */
  p = put_s("nocomma.json", "[{\"id\":\"a\",\"body\":\"x\"} {\"id\":\"b\",\"body\":\"x\"}]");
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_EQ_INT(NR, 2);
  ASSERT_DOC(0, "a", INGEST_ELEMENT | 0);
  ASSERT_ERR(1, INGEST_ELEMENT | 1, "\",\" or \"]\" expected");
  p = put_s("open.json", "[{\"id\":\"a\",\"body\":\"x\"}, {\"id\":\"b\",\"bo");
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_EQ_INT(NR, 2);
  ASSERT_ERR(1, INGEST_ELEMENT | 1, "ends before its closing");
  p = put_s("after.json", "[{\"id\":\"a\",\"body\":\"x\"}] [");
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_EQ_INT(NR, 2);
  ASSERT_ERR(1, INGEST_ELEMENT | 1, "follows its closing");
  p = put_s("comma.json", "[{\"id\":\"a\",\"body\":\"x\"},]");
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_ERR(1, INGEST_ELEMENT | 1, "a value is missing");
  p = put_s("obj.json", "{\"id\":\"a\",\"body\":\"x\"}");
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_EQ_INT(NR, 1);
  ASSERT_ERR(0, 0, "not a JSON array");
  p = put_s("none.json", "[ ]");
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_EQ_INT(NR, 0);
  p = put_s("empty.json", "");
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_EQ_INT(NR, 1);
  ASSERT_ERR(0, 0, "empty input");
}

static void test_json_array_streamed(void) {
  /* 3000 elements and one element far longer than a chunk, compressed:
  ** every element is read, one at a time. */
  size_t cap = 4u << 20;
  char *text = mem_alloc(cap);
  ASSERT(text);
  size_t n = 0;
  text[n++] = '[';
  for (int i = 0; i < 3000; i++) n += (size_t)sprintf(text + n, "%s{\"id\":\"e%d\",\"body\":\"b %d\"}", i ? "," : "", i, i);
  n += (size_t)sprintf(text + n, ",{\"id\":\"long\",\"body\":\"");
  for (size_t i = 0; i < 1000000; i++) text[n++] = (char)('a' + i % 26);
  n += (size_t)sprintf(text + n, "\"}]");
  size_t zcap = ZSTD_compressBound(n);
  char *z = mem_alloc(zcap);
  ASSERT(z);
  size_t zn = ZSTD_compress(z, zcap, text, n, 1);
  ASSERT(!ZSTD_isError(zn));
  const char *p = put("big-array", z, zn);
  NR = 0;
  ingest_stats st = {0};
  ASSERT_OK(ingest_input(p, INGEST_AUTO, on_doc, on_error, NULL, &st));
  ASSERT_EQ_INT(st.articles, 3001);
  ASSERT_EQ_INT(st.rejected, 0);
  ASSERT_EQ_INT(st.bytes, n);
  ASSERT_EQ_INT(st.raw, zn);
  ASSERT_EQ_INT(NR, MAXREC);
  ASSERT_DOC(63, "e63", INGEST_ELEMENT | 63);
  mem_free(text);
  mem_free(z);
}

/* ---- empty and title-only articles in the readers ------------------------- */

static void test_title_only_records(void) {
  const char *p = put_s("t.jsonl",
                        "{\"id\":\"t1\",\"title\":\"Only A Title\"}\n"
                        "{\"id\":\"t2\",\"title\":\"Title\",\"body\":null}\n"
                        "{\"id\":\"t3\",\"title\":\"Title\",\"body\":\"  \"}\n"
                        "{\"id\":\"e1\"}\n"
                        "{\"id\":\"e2\",\"title\":\" \",\"body\":\"\\n\"}\n"
                        "{\"id\":\"e3\",\"title\":null,\"body\":null}\n"
                        "{\"id\":\"e4\",\"title\":\"T\",\"body\":7}\n");
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_EQ_INT(NR, 7);
  ASSERT_DOC(0, "t1", 1);
  ASSERT_EQ_STR(R[0].title, "Only A Title");
  ASSERT_EQ_INT(R[0].body_len, 0);
  ASSERT_DOC(1, "t2", 2);
  ASSERT_DOC(2, "t3", 3);
  ASSERT_ERR(3, 4, "empty article");
  ASSERT_ERR(4, 5, "empty article");
  ASSERT_ERR(5, 6, "empty article");
  ASSERT_ERR(6, 7, "body is not a string");
  /* Plain text with nothing in it. */
  p = put_s("blank.txt", " \n\t\n");
  ASSERT_OK(run(p, INGEST_AUTO, NULL));
  ASSERT_ERR(0, 0, "empty article");
}

/* ---- standard input --------------------------------------------------------- */

static void test_stdin(void) {
  unsigned char g[512];
  size_t gn = gz(JSONL, strlen(JSONL), g, sizeof g);
  const char *p = put("in.gz", g, gn);
  ASSERT(freopen(p, "rb", stdin));
  uint64_t size = 0;
  ASSERT_OK(ingest_size(NULL, &size)); /* a regular file: its size is known */
  ASSERT_EQ_INT(size, gn);
  ASSERT_OK(run(NULL, INGEST_AUTO, NULL));
  ASSERT_EQ_INT(NR, 2);
  ASSERT_DOC(0, "j1", 1);
  ASSERT_EQ_STR(R[0].file, INGEST_STDIN);
  /* Plain text: one article without an id (the library derives one). */
  p = put_s("in.txt", "Stdin Headline\n\nRead from standard input.\n");
  ASSERT(freopen(p, "rb", stdin));
  ASSERT_OK(run(NULL, INGEST_AUTO, NULL));
  ASSERT_EQ_INT(NR, 1);
  ASSERT(!R[0].is_error && !R[0].has_id);
  ASSERT_EQ_STR(R[0].title, "Stdin Headline");
  ASSERT_EQ_STR(R[0].file, INGEST_STDIN);
  /* Garbage. */
  p = put("in.bin", "\x01\x02\xff\xfe\x00", 5);
  ASSERT(freopen(p, "rb", stdin));
  ASSERT_OK(run(NULL, INGEST_AUTO, NULL));
  ASSERT_EQ_INT(NR, 1);
  ASSERT_ERR(0, 0, "binary data");
  ASSERT_EQ_STR(R[0].file, INGEST_STDIN);
  /* Empty. */
  p = put("in.empty", "", 0);
  ASSERT(freopen(p, "rb", stdin));
  ASSERT_OK(run(NULL, INGEST_AUTO, NULL));
  ASSERT_ERR(0, 0, "empty article");
  ASSERT(freopen("/dev/null", "rb", stdin));
}

/* ---- sizes and places ----------------------------------------------------------- */

static void test_size_and_where(void) {
  char sub[300];
  snprintf(sub, sizeof sub, "%s/tree", tmpdir());
  ASSERT_OK(mkdir(sub, 0755));
  put_s("tree/a.txt", "12345");
  put_s("tree/b.jsonl.gz", "123");
  put_s("tree/ignored.md", "1234567");
  put_s("tree/.hidden.txt", "1234567");
  uint64_t size = 0;
  ASSERT_OK(ingest_size(sub, &size));
  ASSERT_EQ_INT(size, 8);
  ASSERT_OK(ingest_size(path_of("tree/a.txt"), &size));
  ASSERT_EQ_INT(size, 13);
  ASSERT_EQ_INT(ingest_size(path_of("nothing-here"), &size), -1);
  char w[64];
  ingest_where(w, sizeof w, "f.jsonl", 12);
  ASSERT_EQ_STR(w, "f.jsonl:12: ");
  ingest_where(w, sizeof w, "a.json", INGEST_ELEMENT | 0);
  ASSERT_EQ_STR(w, "a.json:[0]: ");
  ingest_where(w, sizeof w, "a.json", INGEST_ELEMENT | 41);
  ASSERT_EQ_STR(w, "a.json:[41]: ");
  ingest_where(w, sizeof w, "x.txt", 0);
  ASSERT_EQ_STR(w, "x.txt: ");
}

/* ---- the library: title-only articles, empty ones, counting only ----------- */

static void test_library_title_only(void) {
  char db[300];
  snprintf(db, sizeof db, "%s/db", tmpdir());
  nd_index *ix;
  ASSERT_OK(nd_open(db, ND_OPEN_CREATE, NULL, &ix));
  nd_doc t = {.id = "t1", .title = "Lighthouse Keeper Retires"};
  ASSERT_OK(nd_add(ix, &t, NULL));
  nd_doc t2 = {.id = "t2", .title = "Lighthouse Repainted", .body = ""};
  ASSERT_OK(nd_add(ix, &t2, NULL));
  nd_doc b = {.id = "b1", .body = "The lighthouse on the point was repainted white."};
  ASSERT_OK(nd_add(ix, &b, NULL));
  nd_doc e1 = {.id = "e1"}, e2 = {.id = "e2", .title = " ", .body = "\n\t"};
  ASSERT_EQ_INT(nd_add(ix, &e1, NULL), ND_ERR_INVALID);
  ASSERT_EQ_STR(nd_errmsg(ix), "empty article");
  ASSERT_EQ_INT(nd_add(ix, &e2, NULL), ND_ERR_INVALID);
  ASSERT_EQ_STR(nd_errmsg(ix), "empty article");
  nd_doc noid = {.title = "Untitled Body Less"};
  const char *id = NULL;
  ASSERT_OK(nd_add(ix, &noid, &id));
  ASSERT(id && id[0] == 'h');
  ASSERT_OK(nd_commit(ix));

  /* Found by a title word; the snippet is the title, highlighted. */
  nd_search_options o = {.snippets = ND_SNIPPET_PLAIN};
  nd_results *res;
  ASSERT_OK(nd_search(ix, "keeper", &o, &res));
  ASSERT_EQ_INT(nd_results_total(res), 1);
  nd_hit h;
  ASSERT_OK(nd_results_hit(res, 0, &h));
  ASSERT_EQ_STR(h.id, "t1");
  ASSERT_EQ_STR(h.headline, "Lighthouse Keeper Retires");
  ASSERT_EQ_STR(h.snippet, "Lighthouse [Keeper] Retires");
  nd_results_free(res);
  ASSERT_OK(nd_search(ix, "title:lighthouse", &o, &res));
  ASSERT_EQ_INT(nd_results_total(res), 2);
  nd_results_free(res);

  /* Stored with an empty body; links find nothing, and fail not. */
  nd_document *d;
  ASSERT_OK(nd_get(ix, "t1", &d));
  ASSERT_EQ_STR(nd_document_doc(d)->body, "");
  ASSERT_EQ_STR(nd_document_doc(d)->title, "Lighthouse Keeper Retires");
  nd_document_free(d);
  nd_links *l;
  ASSERT_OK(nd_link_id(ix, "t1", NULL, &l));
  ASSERT_EQ_INT(nd_links_count(l), 0);
  nd_links_free(l);
  ASSERT_OK(nd_related(ix, "t1", NULL, &res));
  nd_results_free(res);

  /* ND_COUNT_ONLY: the exact total, no hits; limit 0 still means 10. */
  nd_search_options c = {.count = ND_COUNT_ONLY, .limit = 5, .offset = 1};
  ASSERT_OK(nd_search(ix, "lighthouse", &c, &res));
  ASSERT_EQ_INT(nd_results_total(res), 3);
  ASSERT_EQ_INT(nd_results_count(res), 0);
  ASSERT(nd_results_total_exact(res));
  ASSERT_EQ_INT(nd_results_hit(res, 0, &h), ND_ERR_INVALID);
  nd_results_free(res);
  const char *qs[] = {"lighthouse keeper", "lighthouse -keeper", "\"lighthouse keeper\"", "lighth*", "lighthouse OR untitled"};
  const uint64_t want[] = {1, 2, 1, 3, 4};
  for (size_t i = 0; i < 5; i++) {
    ASSERT_OK(nd_search(ix, qs[i], &c, &res));
    if (nd_results_total(res) != want[i] || nd_results_count(res) != 0)
      TEST_FAIL_("%s: total %llu, %zu hits", qs[i], (unsigned long long)nd_results_total(res), nd_results_count(res));
    nd_results_free(res);
  }
  c.sort = ND_SORT_DATE;
  ASSERT_OK(nd_search(ix, "lighthouse OR untitled", &c, &res));
  ASSERT_EQ_INT(nd_results_total(res), 4);
  ASSERT_EQ_INT(nd_results_count(res), 0);
  nd_results_free(res);
  nd_search_options dflt = {.limit = 0};
  ASSERT_OK(nd_search(ix, "lighthouse", &dflt, &res));
  ASSERT_EQ_INT(nd_results_count(res), 3);
  nd_results_free(res);
  nd_close(ix);
  ASSERT_EQ_INT(nd_check(db, NULL, NULL, NULL), ND_OK);
}

static void test_cleanup(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir());
  ASSERT_OK(system(cmd));
}

TEST_MAIN(TEST(test_sniff_content), TEST(test_format_override), TEST(test_jsonl_gz),
          TEST(test_truncated_zstd_sniffed), TEST(test_json_array), TEST(test_json_array_streamed),
          TEST(test_title_only_records), TEST(test_stdin), TEST(test_size_and_where),
          TEST(test_library_title_only), TEST(test_cleanup))
