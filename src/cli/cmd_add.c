/*
** cmd_add.c -- `newsdex add`: read files, folders and standard input ("-")
** with ingest_input(), add every good article, report every rejected one as
** FILE:LINE: REASON (FILE:[INDEX]: REASON for an element of a JSON array),
** commit once at the end, and print a summary.  While running, when stderr
** is a terminal, a progress bar is redrawn at most 10 times a second:
** articles, MB, rate and, when the size of the input is known (the files'
** sizes as stored; compressed files count their compressed bytes read),
** the share read and the time left.  --quiet drops the bar and the summary.
**
** With --threads 1 everything happens in order on one thread: read an
** article, nd_add() it.  Otherwise a reader thread reads and copies the
** articles into batches (BATCH_DOCS articles or BATCH_TEXT bytes of text
** at most, NBATCHES batches in use at most), and the main thread adds each
** batch with nd_add_batch(), which prepares its articles on the handle's
** threads, while the reader fills the next.  A batch keeps the reader's
** rejections among its articles, so that messages come out in input order,
** exactly as with one thread.
*/
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../ingest/ingest.h"
#include "../util/buf.h"
#include "../util/mem.h"

#define PROGRESS_INTERVAL 0.1 /* seconds between redraws */
#define PROGRESS_BAR 20       /* characters of the bar */
#define MAX_BUFFER_MB 65536u
#define BATCH_DOCS 256
#define BATCH_TEXT (4u << 20)
#define NBATCHES 3 /* one being read, one waiting, one being added */

typedef struct add_run {
  nd_index *ix;
  int format;         /* INGEST_*: of stdin and of files without a known ending */
  ingest_stats st;    /* accumulated over every PATH */
  uint64_t added;     /* articles nd_add() accepted */
  uint64_t rejected;  /* reader errors and articles nd_add() refused */
  uint64_t bytes;     /* input read so far (uncompressed), for the progress bar */
  uint64_t raw;       /* input read so far as stored */
  uint64_t total;     /* size of the input as stored; 0: not known */
  int fatal;          /* exit status of a fatal error, 0 if none */
  int progress;       /* draw the progress bar */
  double start, last_draw;
} add_run;

/* The name of PATH for ingest_input(): "-" is standard input (NULL). */
static const char *input_of(const char *path) { return strcmp(path, "-") ? path : NULL; }

/* PATH in messages. */
static const char *name_of(const char *path) { return input_of(path) ? path : INGEST_STDIN; }

/* "h:mm:ss" or "m:ss". */
static void put_duration(char *out, size_t n, double secs) {
  unsigned long s = secs > 0 && secs < 1e7 ? (unsigned long)(secs + 0.5) : 0;
  if (s >= 3600) snprintf(out, n, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
  else snprintf(out, n, "%lu:%02lu", s / 60, s % 60);
}

/* The progress bar's text.  With the input's size known (total > 0):
**   [########............]  40%  1234 articles  12.3/30.8 MB  2000 articles/s  ETA 0:09
** (MB as stored: compressed bytes read of compressed files); otherwise
**   1234 articles, 45.6 MB, 2000 articles/s
** (MB uncompressed). */
static void progress_text(char *out, size_t n, uint64_t articles, uint64_t bytes, uint64_t raw, uint64_t total,
                          double secs) {
  double rate = secs > 0 ? (double)articles / secs : 0;
  if (!total) {
    snprintf(out, n, "%llu articles, %.1f MB, %.0f articles/s", (unsigned long long)articles, (double)bytes / 1e6,
             rate);
    return;
  }
  double frac = raw >= total ? 1.0 : (double)raw / (double)total;
  char bar[PROGRESS_BAR + 1], eta[32] = "";
  int full = (int)(frac * PROGRESS_BAR);
  for (int i = 0; i < PROGRESS_BAR; i++) bar[i] = i < full ? '#' : '.';
  bar[PROGRESS_BAR] = 0;
  if (frac > 0 && frac < 1 && secs >= 1) {
    strcpy(eta, "  ETA ");
    put_duration(eta + 6, sizeof eta - 6, secs * (1 - frac) / frac);
  }
  snprintf(out, n, "[%s] %3d%%  %llu articles  %.1f/%.1f MB  %.0f articles/s%s", bar, (int)(frac * 100),
           (unsigned long long)articles, (double)raw / 1e6, (double)total / 1e6, rate, eta);
}

/* Print one rejected input. */
static void report(add_run *r, const char *file, uint64_t place, const char *reason) {
  char where[4096];
  term_progress_clear();
  ingest_where(where, sizeof where, file, place);
  fprintf(stderr, "%s%s\n", where, reason);
  r->rejected++;
}

static void draw_progress(add_run *r, double now) {
  char line[160];
  progress_text(line, sizeof line, r->added, r->bytes, r->raw, r->total, now - r->start);
  term_progress("%s", line);
  r->last_draw = now;
}

static void maybe_progress(add_run *r) {
  if (!r->progress) return;
  double now = cli_now();
  if (now - r->last_draw >= PROGRESS_INTERVAL) draw_progress(r, now);
}

/* Errors about one article: the article is skipped, the run goes on. */
static int per_article(int rc) { return rc == ND_ERR_INVALID || rc == ND_ERR_LIMIT; }

/* ---- one thread ---------------------------------------------------------- */

static int on_doc(void *ctx, const nd_doc *doc, const char *file, uint64_t line) {
  add_run *r = ctx;
  int rc = nd_add(r->ix, doc, NULL);
  r->bytes = r->st.bytes;
  r->raw = r->st.raw;
  if (rc == ND_OK) {
    r->added++;
  } else if (per_article(rc)) {
    const char *m = nd_errmsg(r->ix);
    report(r, file, line, *m ? m : nd_strerror(rc));
  } else {
    cli_lib_error(r->ix, rc);
    r->fatal = cli_exit_code(rc);
    return 1; /* stop the walk */
  }
  maybe_progress(r);
  return 0;
}

static void on_error(void *ctx, const char *file, uint64_t line, const char *reason) {
  add_run *r = ctx;
  report(r, file, line, reason);
  r->bytes = r->st.bytes;
  r->raw = r->st.raw;
  maybe_progress(r);
}

/* Read every path; returns 0 or the exit status of a fatal error. */
static int ingest_all(add_run *r, char **paths, size_t npaths) {
  for (size_t i = 0; i < npaths && !r->fatal; i++) {
    int rc = ingest_input(input_of(paths[i]), r->format, on_doc, on_error, r, &r->st);
    if (rc < 0 && !r->fatal) {
      cli_error("%s: %s", name_of(paths[i]), nd_strerror(rc));
      r->fatal = cli_exit_code(rc);
    }
  }
  return r->fatal;
}

/* ---- a reader thread and batches ----------------------------------------- */

enum { IT_DOC, IT_REJECT, IT_FATAL };

/* What the reader met, in order: an article (the batch's next doc), a
** rejection, or a failure of ingest_path (file is then the PATH). */
typedef struct item {
  int kind;
  int status;    /* IT_FATAL: what ingest_path returned */
  size_t file;   /* offsets in the batch's text */
  size_t reason; /* IT_REJECT */
  uint64_t line;
} item;

/* An article's strings as offsets in the batch's text (SIZE_MAX: NULL);
** marked terms are moff[marked .. marked + n_marked). */
typedef struct doc_offs {
  size_t f[7];
  size_t marked, n_marked;
} doc_offs;

typedef struct batch {
  buf text;
  doc_offs *offs;
  size_t ndocs, capdocs;
  size_t *moff;
  size_t nmoff, capmoff;
  item *items;
  size_t nitems, capitems;
  size_t last_file; /* offset of the last file name copied, SIZE_MAX: none */
  int oom;          /* copying ran out of memory */
  int sealed;       /* docs, marked and res are made */
  uint64_t bytes;   /* the reader's count of input bytes when it was handed over */
  uint64_t raw;     /* and of bytes as stored */
  /* made when it is handed over */
  nd_doc *docs;
  const char **marked;
  nd_add_result *res;
} batch;

typedef struct feed {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  batch *free[NBATCHES], *full[NBATCHES];
  size_t nfree, nfull;
  int done;  /* the reader has handed over its last batch */
  int stop;  /* the main thread wants no more */
  batch *cur; /* the reader's batch being filled */
  char **paths;
  size_t npaths;
  int format;
  ingest_stats st;
} feed;

static void batch_reset(batch *b) {
  buf_reset(&b->text);
  b->ndocs = b->nmoff = b->nitems = 0;
  b->last_file = SIZE_MAX;
  b->oom = 0;
}

static void batch_free(batch *b) {
  if (!b) return;
  buf_free(&b->text);
  mem_free(b->offs);
  mem_free(b->moff);
  mem_free(b->items);
  mem_free(b->docs);
  mem_free(b->marked);
  mem_free(b->res);
  mem_free(b);
}

static size_t put_str(batch *b, const char *s) {
  if (!s) return SIZE_MAX;
  size_t off = b->text.n;
  buf_put(&b->text, s, strlen(s) + 1);
  return off;
}

/* The file name as an offset, copied once per run of items from one file. */
static size_t put_file(batch *b, const char *file) {
  if (b->last_file == SIZE_MAX || strcmp((const char *)b->text.p + b->last_file, file))
    b->last_file = put_str(b, file);
  return b->last_file;
}

static item *new_item(batch *b, int kind, const char *file, uint64_t line) {
  if (mem_grow(&b->items, &b->capitems, b->nitems, sizeof *b->items)) { b->oom = 1; return NULL; }
  item *it = &b->items[b->nitems++];
  *it = (item){kind, 0, put_file(b, file), SIZE_MAX, line};
  return it;
}

/* Pointers for the offsets, once the text no longer moves.  0 or -1. */
static int batch_seal(batch *b) {
  if (b->oom || b->text.oom) return -1;
  mem_free(b->docs);
  mem_free(b->marked);
  mem_free(b->res);
  b->docs = mem_calloc(b->ndocs + 1, sizeof *b->docs);
  b->marked = mem_calloc(b->nmoff + 1, sizeof *b->marked);
  b->res = mem_calloc(b->ndocs + 1, sizeof *b->res);
  if (!b->docs || !b->marked || !b->res) return -1;
  const char *t = (const char *)b->text.p;
  for (size_t i = 0; i < b->nmoff; i++) b->marked[i] = t + b->moff[i];
  for (size_t i = 0; i < b->ndocs; i++) {
    const char *f[7];
    for (int k = 0; k < 7; k++) f[k] = b->offs[i].f[k] == SIZE_MAX ? NULL : t + b->offs[i].f[k];
    b->docs[i] = (nd_doc){f[0], f[1], f[2], f[3], f[4], f[5], f[6], b->marked + b->offs[i].marked, b->offs[i].n_marked};
  }
  return 0;
}

/* Hand the reader's batch over and, unless it is the last, take a free
** one (waiting while every batch is in use).  0, or 1 when the main thread
** wants no more. */
static int feed_push(feed *f, int last) {
  batch *b = f->cur;
  f->cur = NULL;
  b->bytes = f->st.bytes;
  b->raw = f->st.raw;
  b->sealed = batch_seal(b) == 0; /* else out of memory: the main thread says so */
  pthread_mutex_lock(&f->mu);
  f->full[f->nfull++] = b;
  pthread_cond_broadcast(&f->cv);
  while (!last && !f->nfree && !f->stop) pthread_cond_wait(&f->cv, &f->mu);
  int stop = f->stop;
  if (!last && !stop) {
    f->cur = f->free[--f->nfree];
    batch_reset(f->cur);
  }
  pthread_mutex_unlock(&f->mu);
  return stop;
}

static int feed_doc(void *ctx, const nd_doc *d, const char *file, uint64_t line) {
  feed *f = ctx;
  batch *b = f->cur;
  if (!b) return 1;
  if (mem_grow(&b->offs, &b->capdocs, b->ndocs, sizeof *b->offs) ||
      (d->n_marked && mem_grow(&b->moff, &b->capmoff, b->nmoff + d->n_marked - 1, sizeof *b->moff))) {
    b->oom = 1;
  } else if (new_item(b, IT_DOC, file, line)) {
    doc_offs *o = &b->offs[b->ndocs++];
    const char *f7[7] = {d->id, d->title, d->date, d->source, d->url, d->body, d->extra_json};
    for (int k = 0; k < 7; k++) o->f[k] = put_str(b, f7[k]);
    o->marked = b->nmoff;
    o->n_marked = d->n_marked;
    for (size_t i = 0; i < d->n_marked; i++) b->moff[b->nmoff++] = put_str(b, d->marked[i]);
  }
  if (b->oom || b->text.oom || b->ndocs >= BATCH_DOCS || b->text.n >= BATCH_TEXT) return feed_push(f, 0);
  return 0;
}

static void feed_error(void *ctx, const char *file, uint64_t line, const char *reason) {
  feed *f = ctx;
  batch *b = f->cur;
  if (!b) return;
  item *it = new_item(b, IT_REJECT, file, line);
  if (it) it->reason = put_str(b, reason);
  /* A file of nothing but bad lines fills batches too (a stop is seen
  ** at the next article). */
  if (b->oom || b->text.oom || b->nitems >= 4 * BATCH_DOCS || b->text.n >= BATCH_TEXT) feed_push(f, 0);
}

static void *reader_main(void *arg) {
  feed *f = arg;
  int stopped = 0;
  for (size_t i = 0; i < f->npaths && !stopped; i++) {
    int rc = ingest_input(input_of(f->paths[i]), f->format, feed_doc, feed_error, f, &f->st);
    if (rc > 0) stopped = 1; /* feed_push: the main thread stopped */
    if (rc < 0 && f->cur) {
      item *it = new_item(f->cur, IT_FATAL, name_of(f->paths[i]), 0);
      if (it) it->status = rc;
      stopped = 1;
    }
  }
  if (f->cur) feed_push(f, 1);
  pthread_mutex_lock(&f->mu);
  f->done = 1;
  pthread_cond_broadcast(&f->cv);
  pthread_mutex_unlock(&f->mu);
  return NULL;
}

/* The next full batch, or NULL when the reader is done. */
static batch *feed_pop(feed *f) {
  pthread_mutex_lock(&f->mu);
  while (!f->nfull && !f->done) pthread_cond_wait(&f->cv, &f->mu);
  batch *b = NULL;
  if (f->nfull) {
    b = f->full[0];
    memmove(f->full, f->full + 1, --f->nfull * sizeof *f->full);
  }
  pthread_mutex_unlock(&f->mu);
  return b;
}

static void feed_recycle(feed *f, batch *b, int stop) {
  pthread_mutex_lock(&f->mu);
  f->free[f->nfree++] = b;
  if (stop) f->stop = 1;
  pthread_cond_broadcast(&f->cv);
  pthread_mutex_unlock(&f->mu);
}

/* Add one batch and report on its items in order.  0, or the exit status
** of a fatal error. */
static int add_batch(add_run *r, batch *b) {
  if (!b->sealed) {
    cli_error("out of memory");
    return EXIT_ERROR;
  }
  int rc = b->ndocs ? nd_add_batch(r->ix, b->docs, b->ndocs, b->res) : ND_OK;
  const char *t = (const char *)b->text.p;
  size_t d = 0;
  r->bytes = b->bytes;
  r->raw = b->raw;
  for (size_t i = 0; i < b->nitems; i++) {
    const item *it = &b->items[i];
    if (it->kind == IT_REJECT) {
      report(r, t + it->file, it->line, t + it->reason);
    } else if (it->kind == IT_FATAL) {
      cli_error("%s: %s", t + it->file, nd_strerror(it->status));
      return cli_exit_code(it->status);
    } else {
      const nd_add_result *res = &b->res[d++];
      if (res->status == ND_OK) {
        r->added++;
      } else if (per_article(res->status)) {
        report(r, t + it->file, it->line, *res->message ? res->message : nd_strerror(res->status));
      } else {
        cli_lib_error(r->ix, rc);
        return cli_exit_code(rc);
      }
    }
    maybe_progress(r);
  }
  return 0;
}

/* Read with a reader thread, add batch by batch; 0 or the exit status of
** a fatal error. */
static int ingest_batches(add_run *r, char **paths, size_t npaths) {
  feed f;
  memset(&f, 0, sizeof f);
  f.paths = paths;
  f.npaths = npaths;
  f.format = r->format;
  for (size_t i = 0; i < NBATCHES; i++) {
    batch *b = mem_calloc(1, sizeof *b);
    if (!b) break;
    buf_init(&b->text);
    batch_reset(b);
    f.free[f.nfree++] = b;
  }
  if (f.nfree < 2) {
    while (f.nfree) batch_free(f.free[--f.nfree]);
    cli_error("out of memory");
    return EXIT_ERROR;
  }
  f.cur = f.free[--f.nfree];
  pthread_mutex_init(&f.mu, NULL);
  pthread_cond_init(&f.cv, NULL);
  pthread_t reader;
  if (pthread_create(&reader, NULL, reader_main, &f)) {
    cli_error("cannot start a reader thread");
    r->fatal = EXIT_ERROR;
  } else {
    batch *b;
    while ((b = feed_pop(&f))) {
      if (!r->fatal) r->fatal = add_batch(r, b);
      feed_recycle(&f, b, r->fatal != 0);
    }
    pthread_join(reader, NULL);
  }
  r->st = f.st;
  if (f.cur) batch_free(f.cur);
  while (f.nfree) batch_free(f.free[--f.nfree]);
  while (f.nfull) batch_free(f.full[--f.nfull]);
  pthread_cond_destroy(&f.cv);
  pthread_mutex_destroy(&f.mu);
  return r->fatal;
}

static void print_summary(const add_run *r, double secs) {
  double rate = secs > 0 ? (double)r->added / secs : 0;
  fprintf(stderr,
          "added %llu articles (%llu rejected) from %llu files, %.1f MB in %.1f s (%.0f articles/s)\n",
          (unsigned long long)r->added, (unsigned long long)r->rejected, (unsigned long long)r->st.files,
          (double)r->st.bytes / 1e6, secs, rate);
}

/* The size of every PATH as stored, or 0 when one is not known (a pipe). */
static uint64_t input_size(char **paths, size_t npaths) {
  uint64_t total = 0;
  for (size_t i = 0; i < npaths; i++)
    if (ingest_size(input_of(paths[i]), &total)) return 0;
  return total;
}

/* Index the paths into the open archive and commit.  `quiet`: no progress
** bar, no summary. */
static int run_add(nd_index *ix, char **paths, size_t npaths, unsigned threads, int format, int quiet) {
  add_run r;
  memset(&r, 0, sizeof r);
  r.ix = ix;
  r.format = format;
  r.progress = !quiet && term_stderr_tty();
  if (r.progress) r.total = input_size(paths, npaths);
  r.start = r.last_draw = cli_now();
  int fatal = threads == 1 ? ingest_all(&r, paths, npaths) : ingest_batches(&r, paths, npaths);
  r.bytes = r.st.bytes;
  r.raw = r.st.raw;
  if (fatal) {
    term_progress_clear();
    fprintf(stderr, "nothing was committed; the archive stays at its last commit\n");
    return r.fatal;
  }
  if (r.progress) {
    draw_progress(&r, cli_now());
    term_progress("%llu articles, %.1f MB, committing...", (unsigned long long)r.added,
                  (double)r.st.bytes / 1e6);
  }
  int rc = nd_commit(ix);
  term_progress_clear();
  if (rc != ND_OK) {
    cli_lib_error(ix, rc);
    return EXIT_ERROR;
  }
  if (!quiet) print_summary(&r, cli_now() - r.start);
  return r.rejected ? EXIT_REJECTED : EXIT_OK;
}

int cmd_add(const char *db, int argc, char **argv) {
  cli_args a;
  nd_open_options oo = {0};
  char **paths = argv; /* reuse argv's storage for the PATH list */
  size_t npaths = 0, nstdin = 0;
  int format = INGEST_AUTO, quiet = 0;
  cli_args_init(&a, "add", db, argc, argv);
  for (; a.i < argc; a.i++) {
    int r = cli_is_option(&a, 0);
    if (r == OPT_SEP) continue;
    if (r == OPT_NO) {
      nstdin += !strcmp(argv[a.i], "-");
      paths[npaths++] = argv[a.i];
      continue;
    }
    if ((r = cli_common_opt(&a)) == OPT_HELP) return EXIT_OK;
    if (r == OPT_BAD) return EXIT_USAGE;
    if (r == OPT_YES) continue;
    const char *v;
    if ((r = cli_opt(&a, "language", &v)) == OPT_YES) {
      if (!*v) return cli_usage_error("add", "--language needs a language name");
      oo.language = v;
      continue;
    }
    if (r == OPT_BAD) return EXIT_USAGE;
    if ((r = cli_opt(&a, "buffer-mb", &v)) == OPT_YES) {
      uint64_t mb;
      if (cli_parse_count("add", "buffer-mb", v, 1, MAX_BUFFER_MB, &mb)) return EXIT_USAGE;
      oo.buffer_bytes = (size_t)mb << 20;
      continue;
    }
    if (r == OPT_BAD) return EXIT_USAGE;
    if ((r = cli_opt(&a, "format", &v)) == OPT_YES) {
      if (!strcmp(v, "jsonl")) format = INGEST_JSONL;
      else if (!strcmp(v, "json")) format = INGEST_JSON;
      else if (!strcmp(v, "txt")) format = INGEST_TXT;
      else return cli_usage_error("add", "--format is 'jsonl', 'json' or 'txt', not '%s'", v);
      continue;
    }
    if (r == OPT_BAD) return EXIT_USAGE;
    if ((r = cli_opt(&a, "quiet", NULL)) == OPT_YES) { quiet = 1; continue; }
    if (r == OPT_BAD) return EXIT_USAGE;
    if ((r = cli_opt(&a, "threads", &v)) == OPT_YES) {
      uint64_t n;
      if (cli_parse_count("add", "threads", v, 1, 64, &n)) return EXIT_USAGE;
      oo.threads = (unsigned)n;
      continue;
    }
    if (r == OPT_BAD) return EXIT_USAGE;
    return cli_unknown_opt(&a);
  }
  const char *archive = cli_archive(&a);
  if (!archive) return EXIT_USAGE;
  if (!npaths) return cli_usage_error("add", "no PATH to read (give - to read standard input)");
  if (nstdin > 1) return cli_usage_error("add", "standard input (-) can be read once only");
  nd_index *ix;
  int st = cli_open(archive, ND_OPEN_CREATE, &oo, &ix);
  if (st) return st;
  st = run_add(ix, paths, npaths, oo.threads, format, quiet);
  nd_close(ix);
  return st;
}
