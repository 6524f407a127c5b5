/*
** cmd_add.c -- `newsdex add`: read files and folders with ingest_path(),
** add every good article, report every rejected one as FILE:LINE: REASON,
** commit once at the end, and print a summary (plus a progress line while
** running when stderr is a terminal).
*/
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../ingest/ingest.h"

#define PROGRESS_INTERVAL 0.1 /* seconds between redraws */
#define MAX_BUFFER_MB 65536u

typedef struct add_run {
  nd_index *ix;
  ingest_stats st;    /* accumulated over every PATH */
  uint64_t added;     /* articles nd_add() accepted */
  uint64_t rejected;  /* reader errors and articles nd_add() refused */
  int fatal;          /* exit status of a fatal error, 0 if none */
  int progress;       /* draw the progress line */
  double start, last_draw;
} add_run;

/* Print one rejected input. */
static void report(add_run *r, const char *file, uint64_t line, const char *reason) {
  term_progress_clear();
  if (line) fprintf(stderr, "%s:%llu: %s\n", file, (unsigned long long)line, reason);
  else fprintf(stderr, "%s: %s\n", file, reason);
  r->rejected++;
}

static void draw_progress(add_run *r, double now) {
  double secs = now - r->start;
  double rate = secs > 0 ? (double)r->added / secs : 0;
  term_progress("%llu articles, %.1f MB, %.0f articles/s", (unsigned long long)r->added,
                (double)r->st.bytes / 1e6, rate);
  r->last_draw = now;
}

static void maybe_progress(add_run *r) {
  if (!r->progress) return;
  double now = cli_now();
  if (now - r->last_draw >= PROGRESS_INTERVAL) draw_progress(r, now);
}

/* Errors about one article: the article is skipped, the run goes on. */
static int per_article(int rc) { return rc == ND_ERR_INVALID || rc == ND_ERR_LIMIT; }

static int on_doc(void *ctx, const nd_doc *doc, const char *file, uint64_t line) {
  add_run *r = ctx;
  int rc = nd_add(r->ix, doc, NULL);
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
  maybe_progress(r);
}

/* Read every path; returns 0 or the exit status of a fatal error. */
static int ingest_all(add_run *r, char **paths, size_t npaths) {
  for (size_t i = 0; i < npaths && !r->fatal; i++) {
    int rc = ingest_path(paths[i], on_doc, on_error, r, &r->st);
    if (rc < 0 && !r->fatal) {
      cli_error("%s: %s", paths[i], nd_strerror(rc));
      r->fatal = cli_exit_code(rc);
    }
  }
  return r->fatal;
}

static void print_summary(const add_run *r, double secs) {
  double rate = secs > 0 ? (double)r->added / secs : 0;
  fprintf(stderr,
          "added %llu articles (%llu rejected) from %llu files, %.1f MB in %.1f s (%.0f articles/s)\n",
          (unsigned long long)r->added, (unsigned long long)r->rejected, (unsigned long long)r->st.files,
          (double)r->st.bytes / 1e6, secs, rate);
}

/* Index the paths into the open archive and commit. */
static int run_add(nd_index *ix, char **paths, size_t npaths) {
  add_run r;
  memset(&r, 0, sizeof r);
  r.ix = ix;
  r.progress = term_stderr_tty();
  r.start = r.last_draw = cli_now();
  if (ingest_all(&r, paths, npaths)) {
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
  print_summary(&r, cli_now() - r.start);
  return r.rejected ? EXIT_REJECTED : EXIT_OK;
}

int cmd_add(const char *db, int argc, char **argv) {
  cli_args a;
  nd_open_options oo = {0};
  char **paths = argv; /* reuse argv's storage for the PATH list */
  size_t npaths = 0;
  cli_args_init(&a, "add", db, argc, argv);
  for (; a.i < argc; a.i++) {
    int r = cli_is_option(&a, 0);
    if (r == OPT_SEP) continue;
    if (r == OPT_NO) { paths[npaths++] = argv[a.i]; continue; }
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
  if (!npaths) return cli_usage_error("add", "no PATH to read");
  nd_index *ix;
  int st = cli_open(archive, ND_OPEN_CREATE, &oo, &ix);
  if (st) return st;
  st = run_add(ix, paths, npaths);
  nd_close(ix);
  return st;
}
