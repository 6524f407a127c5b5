/*
** ingest.c -- owns ingest_input(): deciding what a path is and what it
** holds, walking folders, reading plain text, dispatching to the JSON
** readers, and the statistics.
**
** Rules (docs/ingest.md):
**   - A folder is walked recursively.  Entries whose name starts with '.'
**     are skipped; files with a known ending (ENDINGS: .txt, .jsonl,
**     .jsonl.zst, .jsonl.gz, .json; case-sensitive) are taken, every other
**     file is ignored silently.  Symbolic links to files are followed,
**     links to folders are not (no cycles).  The files are read in byte
**     order of their full paths, so the order (and therefore derived ids
**     and replacements) is deterministic.
**   - A file with a known ending is read as its ending says.  A file named
**     directly with another ending, and standard input, are read in the
**     caller's format, or recognised (INGEST_AUTO): the compression by its
**     magic number (source.c), then the first bytes of the uncompressed
**     content after a byte-order mark and whitespace: "{" JSON Lines, "["
**     a JSON array, else plain text when the first chunk is valid UTF-8
**     without NUL (a sequence cut by the chunk's end is allowed), else
**     "binary data" is reported and the input skipped.
**   - A plain text is one article, read whole (its size is the article's).
**   - A path that does not exist or cannot be read (file or sub-folder):
**     on_error(path, 0, strerror(errno)); the walk goes on.
**   - stats are added to (the caller zeroes them): files read, articles
**     given to on_doc, reports given to on_error, bytes read (uncompressed
**     and as stored).
*/
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../text/analyze.h"
#include "../util/buf.h"
#include "../util/mem.h"
#include "ingest.h"
#include "source.h"

#define MAX_DEPTH 256

/* Known endings: how such a file is stored and what it holds. */
typedef struct ending {
  const char *suffix;
  int codec, format;
} ending;

static const ending ENDINGS[] = {
  {".jsonl.zst", ISRC_ZSTD, INGEST_JSONL}, {".jsonl.gz", ISRC_GZIP, INGEST_JSONL},
  {".jsonl", ISRC_PLAIN, INGEST_JSONL},    {".json", ISRC_PLAIN, INGEST_JSON},
  {".txt", ISRC_PLAIN, INGEST_TXT},
};
#define NENDINGS (sizeof ENDINGS / sizeof *ENDINGS)

/* The caller's callbacks, wrapped to count. */
typedef struct walk {
  ingest_doc_fn on_doc;
  ingest_error_fn on_error;
  void *ctx;
  ingest_stats *st;
} walk;

/* A growable list of paths. */
typedef struct pathlist {
  char **v;
  size_t n, cap;
} pathlist;

static int count_doc(void *c, const nd_doc *d, const char *file, uint64_t line) {
  walk *w = c;
  w->st->articles++;
  return w->on_doc(w->ctx, d, file, line);
}

static void count_error(void *c, const char *file, uint64_t line, const char *reason) {
  walk *w = c;
  w->st->rejected++;
  if (w->on_error) w->on_error(w->ctx, file, line, reason); /* NULL: ingest_size() */
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* The known ending of path, or NULL. */
static const ending *ending_of(const char *path) {
  for (size_t i = 0; i < NENDINGS; i++)
    if (ends_with(path, ENDINGS[i].suffix)) return &ENDINGS[i];
  return NULL;
}

/* ---- reading one input ---------------------------------------------------- */

/* A plain-text article: the whole (uncompressed) input given to
** ingest_text_named().  Returns 0, a stop value or ND_ERR_NOMEM; read
** errors go to on_error. */
static int read_text(isrc *s, const char *name, const char *idname, walk *w) {
  buf b;
  buf_init(&b);
  int got;
  while ((got = isrc_next(s)) == 1) buf_put(&b, s->p, s->n);
  int rc = 0;
  if (b.oom || got == ND_ERR_NOMEM) rc = ND_ERR_NOMEM;
  else if (got < 0) count_error(w, name, 0, s->err);
  else rc = ingest_text_named(b.n ? (const char *)b.p : "", b.n, name, idname, count_doc, count_error, w);
  buf_free(&b);
  return rc;
}

/* What an input holds, from its first chunk: INGEST_JSONL, INGEST_JSON or
** INGEST_TXT; 0 when it was reported (binary data, a read error) or
** ND_ERR_NOMEM. */
static int sniff(isrc *s, const char *name, walk *w) {
  int got = isrc_peek(s);
  if (got == ND_ERR_NOMEM) return got;
  if (got < 0) { count_error(w, name, 0, s->err); return 0; }
  if (got == 0) return INGEST_TXT; /* empty: the text reader says so */
  const uint8_t *p = s->p;
  size_t n = s->n, i = 0;
  if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) i = 3;
  while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) i++;
  if (i < n && p[i] == '{') return INGEST_JSONL;
  if (i < n && p[i] == '[') return INGEST_JSON;
  /* Text: valid UTF-8 up to a sequence the chunk's end may have cut. */
  size_t m = n, back = 0;
  while (m > 0 && back < 3 && (p[m - 1] & 0xC0) == 0x80) { m--; back++; }
  if (m > 0 && p[m - 1] >= 0xC0) m--;
  else m = n;
  size_t bad;
  if (utf8_valid((const char *)p, m, &bad)) return INGEST_TXT;
  char reason[200];
  snprintf(reason, sizeof reason,
           "binary data (%s at byte offset %zu): not JSON Lines, a JSON array or UTF-8 text, "
           "plain or compressed with gzip or zstd", p[bad] ? "invalid UTF-8" : "NUL byte", bad);
  count_error(w, name, 0, reason);
  return 0;
}

/* Read one input: path (NULL: standard input) stored with `codec`
** (ISRC_SNIFF: recognise it) holding `format` (INGEST_AUTO: recognise
** it). */
static int read_input(const char *path, int codec, int format, walk *w) {
  const char *name = path ? path : INGEST_STDIN;
  isrc s;
  w->st->files++;
  int rc = isrc_open(&s, path, codec, &w->st->raw, &w->st->bytes);
  if (rc == ND_ERR_IO) {
    count_error(w, name, 0, s.err);
    rc = 0;
  } else if (!rc) {
    if (format == INGEST_AUTO) format = sniff(&s, name, w);
    if (format < 0) rc = format;
    else if (format == INGEST_TXT) rc = read_text(&s, name, path, w);
    else if (format == INGEST_JSONL) rc = ingest_jsonl_src(&s, name, count_doc, count_error, w);
    else if (format == INGEST_JSON) rc = ingest_json_array_src(&s, name, count_doc, count_error, w);
  }
  isrc_close(&s);
  return rc;
}

/* A file found in a folder or named directly. */
static int read_file(const char *path, int format, walk *w) {
  const ending *e = ending_of(path);
  if (e) return read_input(path, e->codec, e->format, w);
  return read_input(path, ISRC_SNIFF, format, w);
}

/* ---- walking a folder ------------------------------------------------------- */

static int push_path(pathlist *l, char *p) {
  if (mem_grow(&l->v, &l->cap, l->n, sizeof *l->v)) return -1;
  l->v[l->n++] = p;
  return 0;
}

/* dir + "/" + name, mem_alloc'd; NULL when memory ran out. */
static char *join(const char *dir, const char *name) {
  buf b;
  buf_init(&b);
  buf_puts(&b, dir);
  if (b.n == 0 || b.p[b.n - 1] != '/') buf_putc(&b, '/');
  buf_puts(&b, name);
  char *s = b.oom ? NULL : buf_detach(&b);
  if (!s) buf_free(&b);
  return s;
}

/* Collect the readable files below dir into l.  Unreadable folders are
** reported.  Returns 0, or ND_ERR_NOMEM. */
static int collect(const char *dir, int depth, pathlist *l, walk *w) {
  if (depth > MAX_DEPTH) {
    count_error(w, dir, 0, "folders nested too deeply");
    return 0;
  }
  DIR *d = opendir(dir);
  if (!d) {
    count_error(w, dir, 0, strerror(errno));
    return 0;
  }
  int rc = 0;
  struct dirent *e;
  while (!rc && (e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char *p = join(dir, e->d_name);
    if (!p) { rc = ND_ERR_NOMEM; break; }
    struct stat st;
    int is_link = lstat(p, &st) == 0 && S_ISLNK(st.st_mode);
    if (stat(p, &st) != 0) {
      count_error(w, p, 0, strerror(errno));
      mem_free(p);
    } else if (S_ISDIR(st.st_mode) && !is_link) {
      rc = collect(p, depth + 1, l, w);
      mem_free(p);
    } else if (S_ISREG(st.st_mode) && ending_of(p)) {
      if (push_path(l, p)) { mem_free(p); rc = ND_ERR_NOMEM; }
    } else {
      mem_free(p);
    }
  }
  closedir(d);
  return rc;
}

static int cmp_path(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files to read below dir, sorted.  0 or ND_ERR_NOMEM; free with
** free_paths(). */
static int folder_files(const char *dir, pathlist *l, walk *w) {
  int rc = collect(dir, 0, l, w);
  if (!rc && l->n > 1) qsort(l->v, l->n, sizeof *l->v, cmp_path);
  return rc;
}

static void free_paths(pathlist *l) {
  for (size_t i = 0; i < l->n; i++) mem_free(l->v[i]);
  mem_free(l->v);
}

static int read_folder(const char *dir, walk *w) {
  pathlist l = {NULL, 0, 0};
  int rc = folder_files(dir, &l, w);
  for (size_t i = 0; !rc && i < l.n; i++) rc = read_file(l.v[i], INGEST_AUTO, w);
  free_paths(&l);
  return rc;
}

int ingest_input(const char *path, int format, ingest_doc_fn on_doc, ingest_error_fn on_error, void *ctx,
                 ingest_stats *stats) {
  ingest_stats local = {0, 0, 0, 0, 0};
  walk w = {on_doc, on_error, ctx, stats ? stats : &local};
  if (!path) return read_input(NULL, ISRC_SNIFF, format, &w);
  struct stat st;
  if (stat(path, &st) != 0) {
    count_error(&w, path, 0, strerror(errno));
    return 0;
  }
  if (S_ISDIR(st.st_mode)) return read_folder(path, &w);
  return read_file(path, format, &w);
}

int ingest_path(const char *path, ingest_doc_fn on_doc, ingest_error_fn on_error, void *ctx,
                ingest_stats *stats) {
  return ingest_input(path, INGEST_AUTO, on_doc, on_error, ctx, stats);
}

int ingest_size(const char *path, uint64_t *bytes) {
  struct stat st;
  if (!path) {
    if (fstat(fileno(stdin), &st) || !S_ISREG(st.st_mode)) return -1;
    *bytes += (uint64_t)st.st_size;
    return 0;
  }
  if (stat(path, &st)) return -1;
  if (!S_ISDIR(st.st_mode)) {
    *bytes += (uint64_t)st.st_size;
    return 0;
  }
  ingest_stats quiet = {0, 0, 0, 0, 0};
  walk w = {NULL, NULL, NULL, &quiet}; /* no reports */
  pathlist l = {NULL, 0, 0};
  int rc = collect(path, 0, &l, &w) || quiet.rejected ? -1 : 0;
  for (size_t i = 0; !rc && i < l.n; i++) {
    if (stat(l.v[i], &st)) rc = -1;
    else *bytes += (uint64_t)st.st_size;
  }
  free_paths(&l);
  return rc;
}

void ingest_where(char *out, size_t n, const char *file, uint64_t place) {
  if (place & INGEST_ELEMENT)
    snprintf(out, n, "%s:[%llu]: ", file, (unsigned long long)(place & ~INGEST_ELEMENT));
  else if (place)
    snprintf(out, n, "%s:%llu: ", file, (unsigned long long)place);
  else
    snprintf(out, n, "%s: ", file);
}
