/*
** fts5.c -- the SQLite FTS5 adapter of the benchmark (see bench.h).
**
** DBDIR/fts5.db holds one FTS5 table
**   docs(title, body, id UNINDEXED, date UNINDEXED)
**   tokenize = 'porter unicode61 remove_diacritics 2'
** ranked by bm25() with the title weighted 2.5 and the body 1 (the weights
** of newsdex), stored as the table's default rank so that ORDER BY rank
** takes FTS5's own top-k path.  It is built in one transaction (rollback
** journal, no WAL, 256 MiB page cache) and then optimised (all b-trees
** merged into one).  Replacing an article with an id seen before deletes
** the earlier row; a temporary table maps ids to rowids during the build.
**
** Queries: a word w becomes "w", a phrase "a b", a prefix "p"*, joined by
** AND or OR; a date range becomes a condition on the date column.
** --count exact adds SELECT count(*) of the same match; lower-bound only
** runs the top-k query and reports the hits it returned.
*/
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bench.h"

#define CACHE_PRAGMA "PRAGMA cache_size = -262144" /* KiB: 256 MiB */

typedef struct fts {
  sqlite3 *db;
  /* build */
  sqlite3_stmt *find, *del, *ins, *ins_at, *seen;
  /* search: [0] without, [1] with a date range */
  sqlite3_stmt *top[2], *count[2];
  buf match;
} fts;

static void fail(fts *f, char *why, size_t whylen, const char *what) {
  snprintf(why, whylen, "%s: %s", what, f->db ? sqlite3_errmsg(f->db) : "cannot open");
}

static void fts_close(void *ctx) {
  fts *f = ctx;
  if (!f) return;
  sqlite3_stmt *all[] = {f->find, f->del, f->ins, f->ins_at, f->seen, f->top[0], f->top[1], f->count[0], f->count[1]};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++) sqlite3_finalize(all[i]);
  sqlite3_close(f->db);
  buf_free(&f->match);
  free(f);
}

static int exec_sql(fts *f, const char *sql, char *why, size_t whylen) {
  if (sqlite3_exec(f->db, sql, NULL, NULL, NULL) == SQLITE_OK) return 0;
  fail(f, why, whylen, sql);
  return -1;
}

static int prepare(fts *f, const char *sql, sqlite3_stmt **st, char *why, size_t whylen) {
  if (sqlite3_prepare_v2(f->db, sql, -1, st, NULL) == SQLITE_OK) return 0;
  fail(f, why, whylen, sql);
  return -1;
}

static fts *fts_open(const char *dir, int create, char *why, size_t whylen) {
  char path[4096];
  struct stat sb;
  snprintf(path, sizeof path, "%s/fts5.db", dir);
  if (create) {
    if (mkdir(dir, 0777) && errno != EEXIST) {
      snprintf(why, whylen, "cannot create the directory: %s", strerror(errno));
      return NULL;
    }
    if (stat(path, &sb) == 0) {
      snprintf(why, whylen, "%s exists already: build into a new directory", path);
      return NULL;
    }
  }
  fts *f = calloc(1, sizeof *f);
  if (!f) { snprintf(why, whylen, "out of memory"); return NULL; }
  buf_init(&f->match);
  int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
  if (sqlite3_open_v2(path, &f->db, flags, NULL) != SQLITE_OK) {
    fail(f, why, whylen, path);
    fts_close(f);
    return NULL;
  }
  if (exec_sql(f, CACHE_PRAGMA, why, whylen)) { fts_close(f); return NULL; }
  return f;
}

/* ---- build --------------------------------------------------------------- */

static int fts_build_open(const char *dir, void **ctx, char *why, size_t whylen) {
  fts *f = fts_open(dir, 1, why, whylen);
  if (!f) return -1;
  *ctx = f;
  if (exec_sql(f, "PRAGMA journal_mode = DELETE", why, whylen) ||
      exec_sql(f,
               "CREATE VIRTUAL TABLE docs USING fts5(title, body, id UNINDEXED, date UNINDEXED, "
               "tokenize = 'porter unicode61 remove_diacritics 2')",
               why, whylen) ||
      exec_sql(f, "INSERT INTO docs(docs, rank) VALUES('rank', 'bm25(2.5, 1.0)')", why, whylen) ||
      exec_sql(f, "CREATE TEMP TABLE seen(id TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID", why, whylen) ||
      exec_sql(f, "BEGIN", why, whylen) ||
      prepare(f, "SELECT n FROM seen WHERE id = ?1", &f->find, why, whylen) ||
      prepare(f, "DELETE FROM docs WHERE rowid = ?1", &f->del, why, whylen) ||
      prepare(f, "INSERT INTO docs(title, body, id, date) VALUES(?1, ?2, ?3, ?4)", &f->ins, why, whylen) ||
      prepare(f, "INSERT INTO docs(rowid, title, body, id, date) VALUES(?5, ?1, ?2, ?3, ?4)", &f->ins_at, why,
              whylen) ||
      prepare(f, "INSERT INTO seen(id, n) VALUES(?1, ?2)", &f->seen, why, whylen))
    return -1;
  return 0;
}

/* Run a statement that returns no row, then reset it. */
static int step_done(fts *f, sqlite3_stmt *st, char *why, size_t whylen) {
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc == SQLITE_DONE) return 0;
  fail(f, why, whylen, sqlite3_sql(st));
  return -1;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s) {
  if (s) sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
  else sqlite3_bind_null(st, i);
}

static int fts_build_add(void *ctx, const nd_doc *d, char *why, size_t whylen) {
  fts *f = ctx;
  char day[11];
  bench_day(d, day);
  sqlite3_int64 old = 0;
  int have_old = 0;
  if (d->id) {
    bind_text(f->find, 1, d->id);
    if (sqlite3_step(f->find) == SQLITE_ROW) { old = sqlite3_column_int64(f->find, 0); have_old = 1; }
    sqlite3_reset(f->find);
  }
  if (have_old) {
    sqlite3_bind_int64(f->del, 1, old);
    if (step_done(f, f->del, why, whylen)) return -1;
  }
  sqlite3_stmt *ins = have_old ? f->ins_at : f->ins;
  bind_text(ins, 1, d->title);
  bind_text(ins, 2, d->body);
  bind_text(ins, 3, d->id ? d->id : "");
  bind_text(ins, 4, day[0] ? day : NULL);
  if (have_old) sqlite3_bind_int64(ins, 5, old);
  if (step_done(f, ins, why, whylen)) return -1;
  if (!have_old && d->id) {
    bind_text(f->seen, 1, d->id);
    sqlite3_bind_int64(f->seen, 2, sqlite3_last_insert_rowid(f->db));
    if (step_done(f, f->seen, why, whylen)) return -1;
  }
  return 0;
}

static int fts_build_finish(void *ctx, char *why, size_t whylen) {
  fts *f = ctx;
  int rc = exec_sql(f, "COMMIT", why, whylen) ||
           exec_sql(f, "INSERT INTO docs(docs) VALUES('optimize')", why, whylen);
  fts_close(f);
  return rc ? -1 : 0;
}

/* ---- search -------------------------------------------------------------- */

static int fts_search_open(const char *dir, void **ctx, char *why, size_t whylen) {
  fts *f = fts_open(dir, 0, why, whylen);
  if (!f) return -1;
  *ctx = f;
  static const char *const TOP[2] = {
    "SELECT id FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT ?2",
    "SELECT id FROM docs WHERE docs MATCH ?1 AND date BETWEEN ?3 AND ?4 ORDER BY rank LIMIT ?2"};
  static const char *const COUNT[2] = {
    "SELECT count(*) FROM docs WHERE docs MATCH ?1",
    "SELECT count(*) FROM docs WHERE docs MATCH ?1 AND date BETWEEN ?3 AND ?4"};
  for (int i = 0; i < 2; i++)
    if (prepare(f, TOP[i], &f->top[i], why, whylen) || prepare(f, COUNT[i], &f->count[i], why, whylen))
      return -1;
  return exec_sql(f, "PRAGMA mmap_size = 4294967296", why, whylen);
}

/* The FTS5 expression of q in f->match. */
static const char *to_match(fts *f, const bq *q) {
  buf *m = &f->match;
  buf_reset(m);
  for (size_t i = 0; i < q->n; i++) {
    if (i) buf_puts(m, q->is_or ? " OR " : " AND ");
    buf_printf(m, "\"%s\"%s", q->items[i].text, q->items[i].kind == BQ_PREFIX ? "*" : "");
  }
  return m->oom ? NULL : buf_cstr(m);
}

static void bind_query(sqlite3_stmt *st, const bq *q, const char *match) {
  sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
  if (q->has_date) {
    sqlite3_bind_text(st, 3, q->date_from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, q->date_to, -1, SQLITE_STATIC);
  }
}

static int fts_search(void *ctx, const bq *q, size_t limit, int exact, bench_result *r, char *why,
                      size_t whylen) {
  fts *f = ctx;
  const char *match = to_match(f, q);
  if (!match) { snprintf(why, whylen, "out of memory"); return -1; }
  sqlite3_stmt *top = f->top[q->has_date], *count = f->count[q->has_date];
  bind_query(top, q, match);
  sqlite3_bind_int64(top, 2, (sqlite3_int64)limit);
  int rc;
  while ((rc = sqlite3_step(top)) == SQLITE_ROW)
    bench_add_id(r, (const char *)sqlite3_column_text(top, 0), (size_t)sqlite3_column_bytes(top, 0));
  sqlite3_reset(top);
  if (rc != SQLITE_DONE) { fail(f, why, whylen, match); return -1; }
  r->total = r->n;
  if (!exact) return 0;
  bind_query(count, q, match);
  rc = sqlite3_step(count);
  if (rc == SQLITE_ROW) r->total = (uint64_t)sqlite3_column_int64(count, 0);
  sqlite3_reset(count);
  if (rc != SQLITE_ROW) { fail(f, why, whylen, match); return -1; }
  return 0;
}

static const bench_ops FTS5 = {"fts5", fts_build_open, fts_build_add, fts_build_finish,
                               fts_search_open, fts_search, fts_close};

int main(int argc, char **argv) { return bench_main(&FTS5, argc, argv); }
