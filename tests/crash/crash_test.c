/*
** crash_test.c -- kill a writer at random moments; nothing committed may be
** lost, nothing uncommitted may be half there.
**
** The articles (the invented fixtures news.jsonl and wire.jsonl.zst of
** tests/unit/testdata.h, ids made unique) are cut into
** batches of BATCH.  A child process (the driver) opens the archive with a
** small buffer and merge factor 2, so that segments are written and merged
** all the time, and for each batch: adds its articles, commits, appends the
** batch number to a log file and fsyncs it, and every OPT_EVERY batches
** also optimizes.  The parent kills the driver with SIGKILL after a
** random delay (automatic merges run inside nd_commit, after the commit is
** durable; "committing" below includes them), then checks the archive:
**   - nd_check() finds no problem;
**   - every article of every logged batch is there, field for field equal
**     to the input;
**   - of the first unlogged batch (its commit may have finished before the
**     log line was written) either every article is there or none;
**   - no article of a later batch is there.
** Then it starts the driver again, which goes on after the last logged
** batch.  When the driver gets through all batches the archive is removed
** and a new round starts.
**
** usage: crash_test [--kills N] [--seed S] [--max-delay-ms M]
** Ends with "N passed, N failed" (one check per kill).  The bounded form
** (25 kills) runs in `make test`; the long form is --kills 200 or more.
*/
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "ingest/markers.h"
#include "newsdex.h"
#include "../unit/testdata.h"
#include "util/mem.h"
#include "../unit/testfs.h"

#define MAX_ARTICLES 1500
#define BATCH 25
#define OPT_EVERY 9

typedef struct article {
  char *id, *title, *date, *source, *url, *body; /* body as stored: markers stripped */
  char *raw_body;                                /* as given to nd_add */
} article;

static article *A;
static size_t NA;
static char DIR_[64], LOG[80];

/* What the driver is doing, shared with the parent (for the figures). */
enum { PH_START, PH_ADD, PH_COMMIT, PH_OPTIMIZE, PH_LOG, PH_COUNT };
static const char *const PHASE[PH_COUNT] = {"opening", "adding", "committing", "optimizing", "logging"};
static volatile int *g_phase;

static char *dup_or_null(const char *s) { return s && *s ? strdup(s) : NULL; }

static int on_doc(void *ctx, const nd_doc *d, const char *file, uint64_t line) {
  if (NA >= MAX_ARTICLES) return 1;
  for (size_t i = 0; i < NA; i++) /* ids unique (quadratic, but NA is small) */
    if (!strcmp(A[i].id, d->id)) return 0;
  article *a = &A[NA++];
  a->id = strdup(d->id);
  a->title = dup_or_null(d->title);
  a->date = dup_or_null(d->date);
  a->source = dup_or_null(d->source);
  a->url = dup_or_null(d->url);
  a->raw_body = strdup(d->body ? d->body : ""); /* "": a title-only article */
  char *clean, **terms;
  size_t nterms;
  if (markers_strip(a->raw_body, strlen(a->raw_body), &clean, &terms, &nterms)) abort();
  a->body = strdup(clean);
  mem_free(clean);
  markers_free_terms(terms, nterms);
  return 0;
}

static void on_err(void *ctx, const char *file, uint64_t line, const char *reason) {}

static void load(void) {
  A = calloc(MAX_ARTICLES, sizeof *A);
  char p[1024];
  ingest_path(test_fixture(p, sizeof p, "news.jsonl"), on_doc, on_err, NULL, NULL);
  ingest_path(test_fixture(p, sizeof p, "wire.jsonl.zst"), on_doc, on_err, NULL, NULL);
}

static size_t nbatches(void) { return (NA + BATCH - 1) / BATCH; }

/* Batches logged so far (they are logged in order: 0, 1, ...); -1 if the
** log is not a prefix of 0, 1, 2... */
static long logged(void) {
  FILE *f = fopen(LOG, "r");
  if (!f) return 0;
  long n = 0, b;
  while (fscanf(f, "%ld", &b) == 1) {
    if (b != n) { fclose(f); return -1; }
    n++;
  }
  fclose(f);
  return n;
}

/* ---- the driver (child) -------------------------------------------------- */

static void driver(size_t from) {
  nd_index *ix;
  nd_open_options o = {.buffer_bytes = 256 * 1024, .merge_factor = 2};
  *g_phase = PH_START;
  if (nd_open(DIR_, ND_OPEN_CREATE, &o, &ix)) { fprintf(stderr, "driver: open: %s\n", nd_errmsg(ix)); _exit(2); }
  int log = open(LOG, O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (log < 0) _exit(2);
  for (size_t b = from; b < nbatches(); b++) {
    *g_phase = PH_ADD;
    for (size_t i = b * BATCH; i < NA && i < (b + 1) * BATCH; i++) {
      nd_doc d = {.id = A[i].id, .title = A[i].title, .date = A[i].date, .source = A[i].source,
                  .url = A[i].url, .body = A[i].raw_body};
      if (nd_add(ix, &d, NULL)) { fprintf(stderr, "driver: add: %s\n", nd_errmsg(ix)); _exit(2); }
    }
    *g_phase = PH_COMMIT;
    if (nd_commit(ix)) { fprintf(stderr, "driver: commit: %s\n", nd_errmsg(ix)); _exit(2); }
    *g_phase = PH_LOG;
    char line[32];
    int n = snprintf(line, sizeof line, "%zu\n", b);
    if (write(log, line, (size_t)n) != n || fsync(log)) _exit(2);
    if (b % OPT_EVERY == OPT_EVERY - 1) { /* changes no article: a kill must change nothing */
      *g_phase = PH_OPTIMIZE;
      if (nd_optimize(ix)) { fprintf(stderr, "driver: optimize: %s\n", nd_errmsg(ix)); _exit(2); }
    }
  }
  nd_close(ix);
  _exit(0);
}

/* ---- the checker (parent) ------------------------------------------------ */

static int same_str(const char *a, const char *b) {
  return (!a || !*a) ? (!b || !*b) : (b && !strcmp(a, b));
}

static void on_problem(void *ctx, const char *msg) { fprintf(stderr, "    check: %s\n", msg); }

/* 1 present and equal, 0 absent, -1 wrong (printed). */
static int probe(nd_index *ix, const article *a) {
  nd_document *d;
  int rc = nd_get(ix, a->id, &d);
  if (rc == ND_ERR_NOTFOUND) return 0;
  if (rc) { fprintf(stderr, "    get %s: %s\n", a->id, nd_errmsg(ix)); return -1; }
  const nd_doc *v = nd_document_doc(d);
  int ok = same_str(a->title, v->title) && same_str(a->date, v->date) && same_str(a->source, v->source) &&
           same_str(a->url, v->url) && same_str(a->body, v->body);
  nd_document_free(d);
  if (!ok) fprintf(stderr, "    article %s differs from the input\n", a->id);
  return ok ? 1 : -1;
}

/* Check the archive after a kill; 0 if all is well. */
static int verify(long nlog, unsigned *partial_seen) {
  nd_check_report r;
  if (nd_check(DIR_, on_problem, NULL, &r)) return -1;
  nd_index *ix;
  if (nd_open(DIR_, 0, NULL, &ix)) { fprintf(stderr, "    open: %s\n", nd_errmsg(ix)); nd_close(ix); return -1; }
  int bad = 0;
  for (size_t b = 0; b < nbatches() && !bad; b++) {
    size_t lo = b * BATCH, hi = lo + BATCH < NA ? lo + BATCH : NA, present = 0;
    for (size_t i = lo; i < hi; i++) {
      int p = probe(ix, &A[i]);
      if (p < 0) { bad = 1; break; }
      present += (size_t)p;
    }
    if (bad) break;
    if ((long)b < nlog && present != hi - lo) {
      fprintf(stderr, "    logged batch %zu: %zu of %zu articles\n", b, present, hi - lo);
      bad = 1;
    } else if ((long)b == nlog && present && present != hi - lo) {
      fprintf(stderr, "    unlogged batch %zu is half there: %zu of %zu articles\n", b, present, hi - lo);
      bad = 1;
    } else if ((long)b == nlog && present) {
      (*partial_seen)++; /* committed, killed before the log line */
    } else if ((long)b > nlog && present) {
      fprintf(stderr, "    batch %zu (never started) has %zu articles\n", b, present);
      bad = 1;
    }
  }
  nd_close(ix);
  return bad ? -1 : 0;
}


int main(int argc, char **argv) {
  long kills = 25, max_delay = 600;
  unsigned seed = 12345;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--kills") && i + 1 < argc) kills = atol(argv[++i]);
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = (unsigned)atol(argv[++i]);
    else if (!strcmp(argv[i], "--max-delay-ms") && i + 1 < argc) max_delay = atol(argv[++i]);
    else { fprintf(stderr, "usage: crash_test [--kills N] [--seed S] [--max-delay-ms M]\n"); return 2; }
  }
  if (kills < 1 || max_delay < 1) { fprintf(stderr, "crash_test: --kills and --max-delay-ms must be positive\n"); return 2; }
  load();
  if (NA < 4 * BATCH) { fprintf(stderr, "crash_test: cannot read the articles (only %zu)\n", NA); printf("0 passed, 1 failed\n"); return 1; }
  g_phase = mmap(NULL, sizeof *g_phase, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  snprintf(DIR_, sizeof DIR_, "/tmp/ndcrash-XXXXXX");
  if (!mkdtemp(DIR_)) return 2;
  snprintf(LOG, sizeof LOG, "%s.log", DIR_);
  rm_rf(DIR_);
  unlink(LOG);
  srand(seed);
  unsigned pass = 0, fail = 0, rounds = 0, at[PH_COUNT] = {0}, partial = 0;
  long k = 0, stalls = 0, last_nlog = -1;
  while (k < kills) {
    long nlog = logged();
    if (nlog < 0) { fprintf(stderr, "crash_test: the log is not in order\n"); fail++; break; }
    pid_t pid = fork();
    if (pid < 0) return 2;
    if (pid == 0) driver((size_t)nlog);
    /* When kills keep landing before the next log line (a slow merge), widen
    ** the window so that the driver gets further. */
    long delay = 1 + rand() % (max_delay << (stalls < 5 ? stalls : 5));
    struct timespec ts = {delay / 1000, (delay % 1000) * 1000000L};
    nanosleep(&ts, NULL);
    int status;
    pid_t w = waitpid(pid, &status, WNOHANG);
    int phase = *g_phase;
    if (w == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      k++;
      at[phase]++;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      fprintf(stderr, "crash_test: the driver failed (status %d)\n", status);
      fail++;
      break;
    }
    nlog = logged();
    if (nlog < 0 || verify(nlog, &partial)) {
      fprintf(stderr, "FAIL after kill %ld (during %s, %ld batches logged)\n", k, PHASE[phase], nlog);
      fail++;
      break;
    }
    stalls = nlog > last_nlog ? 0 : stalls + 1;
    last_nlog = nlog;
    if (w == 0) pass++;
    if (w == 0 && getenv("ND_VERBOSE")) fprintf(stderr, "kill %ld after %ld ms, %s, %ld batches logged\n", k, delay, PHASE[phase], nlog);
    if (w != 0 || (size_t)nlog == nbatches()) { /* finished: a new round */
      rounds++;
      last_nlog = -1;
      rm_rf(DIR_);
      unlink(LOG);
    }
  }
  fprintf(stderr, "%ld kills over %zu articles in batches of %d (%u rounds completed); killed while", k, NA, BATCH,
          rounds);
  for (int p = 0; p < PH_COUNT; p++) fprintf(stderr, " %s %u%s", PHASE[p], at[p], p + 1 < PH_COUNT ? "," : "\n");
  fprintf(stderr, "%u checks found the unlogged batch complete (committed before the kill, not yet logged)\n", partial);
  if (!fail) { rm_rf(DIR_); unlink(LOG); }
  else fprintf(stderr, "archive kept in %s, log %s\n", DIR_, LOG);
  printf("%u passed, %u failed\n", pass, fail);
  return fail ? 1 : 0;
}
