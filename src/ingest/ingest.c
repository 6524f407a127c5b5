/*
** ingest.c -- owns ingest_path(): deciding what a path is, walking folders,
** reading .txt files, dispatching to the readers, and the statistics.
**
** Rules (docs/ingest.md):
**   - A folder is walked recursively.  Entries whose name starts with '.'
**     are skipped; files ending in .txt, .jsonl or .jsonl.zst are taken
**     (case-sensitive), every other file is ignored silently.  Symbolic
**     links to files are followed, links to folders are not (no cycles).
**     The files are read in byte order of their full paths, so the order
**     (and therefore derived ids and replacements) is deterministic.
**   - A file named directly must have one of those endings; otherwise
**     on_error(path, 0, "unsupported file type (...)").
**   - A path that does not exist or cannot be read (file or sub-folder):
**     on_error(path, 0, strerror(errno)); the walk goes on.
**   - stats are added to (the caller zeroes them): files read, articles
**     given to on_doc, reports given to on_error, bytes read (uncompressed).
*/
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../util/buf.h"
#include "../util/mem.h"
#include "ingest.h"

#define MAX_DEPTH 256

enum { K_OTHER, K_TXT, K_JSONL, K_ZST };

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
  w->on_error(w->ctx, file, line, reason);
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

static int kind_of(const char *path) {
  if (ends_with(path, ".jsonl.zst")) return K_ZST;
  if (ends_with(path, ".jsonl")) return K_JSONL;
  if (ends_with(path, ".txt")) return K_TXT;
  return K_OTHER;
}

/* ---- reading one file ----------------------------------------------------- */

/* Read a whole .txt file and hand it to ingest_text().  Returns 0, a stop
** value or ND_ERR_NOMEM; read errors go to on_error. */
static int read_txt(const char *path, walk *w) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    count_error(w, path, 0, strerror(errno));
    return 0;
  }
  buf b;
  buf_init(&b);
  size_t got = 0;
  do {
    if (buf_reserve(&b, 64 * 1024)) break;
    got = fread(b.p + b.n, 1, b.cap - b.n - 1, f);
    b.n += got;
  } while (got > 0);
  int rc = 0;
  if (b.oom) {
    rc = ND_ERR_NOMEM;
  } else if (ferror(f)) {
    count_error(w, path, 0, strerror(errno));
  } else {
    w->st->bytes += b.n;
    rc = ingest_text(b.n ? (const char *)b.p : "", b.n, path, count_doc, count_error, w);
  }
  buf_free(&b);
  fclose(f);
  return rc;
}

/* Read one file of a known kind. */
static int read_file(const char *path, int kind, walk *w) {
  w->st->files++;
  if (kind == K_TXT) return read_txt(path, w);
  return ingest_jsonl_file(path, kind == K_ZST, count_doc, count_error, w, &w->st->bytes);
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
    } else if (S_ISREG(st.st_mode) && kind_of(p) != K_OTHER) {
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

static int read_folder(const char *dir, walk *w) {
  pathlist l = {NULL, 0, 0};
  int rc = collect(dir, 0, &l, w);
  if (!rc && l.n > 1) qsort(l.v, l.n, sizeof *l.v, cmp_path);
  for (size_t i = 0; !rc && i < l.n; i++) rc = read_file(l.v[i], kind_of(l.v[i]), w);
  for (size_t i = 0; i < l.n; i++) mem_free(l.v[i]);
  mem_free(l.v);
  return rc;
}

int ingest_path(const char *path, ingest_doc_fn on_doc, ingest_error_fn on_error, void *ctx,
                ingest_stats *stats) {
  ingest_stats local = {0, 0, 0, 0};
  walk w = {on_doc, on_error, ctx, stats ? stats : &local};
  struct stat st;
  if (stat(path, &st) != 0) {
    count_error(&w, path, 0, strerror(errno));
    return 0;
  }
  if (S_ISDIR(st.st_mode)) return read_folder(path, &w);
  int kind = kind_of(path);
  if (kind == K_OTHER) {
    count_error(&w, path, 0, "unsupported file type (expected .txt, .jsonl, .jsonl.zst or a folder)");
    return 0;
  }
  return read_file(path, kind, &w);
}
