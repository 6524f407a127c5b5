/*
** test_concurrent.c -- readers (threads and processes, each with its own
** handle) search and fetch while one writer adds, deletes and merges.
**
** The writer commits batches of K articles; every article of batch b holds
** the batch's tag word (and the word "corpusword").  Some commits delete a
** whole earlier batch, some optimize, and merge factor 2 makes every commit
** merge.  Readers refresh and, for a random batch, assert that its tag
** count is 0 or K (a snapshot holds whole commits), that the total count is
** a multiple of K, and that a fetched article carries its own tag.  A
** reader that read a manifest whose segment a merge then removed must
** retry (index.c), never fail.  Run it under ThreadSanitizer too:
** `make test-tsan`.
*/
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "newsdex.h"
#include "test.h"
#include "testfs.h"

#define K 7          /* articles per batch */
#define NBATCH 60
#define NTHREADS 3
#define NPROCS 2

static char g_dir[64];
static atomic_int g_batches;  /* batches committed so far */
static atomic_int g_done;
static atomic_uint g_reads;

static void tag_word(int b, char *out) { /* "zzbcdq": letters only, ends in q (no stemming) */
  snprintf(out, 16, "zz%c%c%cq", 'a' + b / 676 % 26, 'a' + b / 26 % 26, 'a' + b % 26);
}


static int64_t count(nd_index *ix, const char *q, char *why, size_t cap) {
  nd_results *r;
  int rc = nd_search(ix, q, NULL, &r);
  if (rc) { snprintf(why, cap, "search %s: %s", q, nd_errmsg(ix)); return -1; }
  int64_t n = (int64_t)nd_results_total(r);
  nd_results_free(r);
  return n;
}

/* One reader's checks on a fresh snapshot.  0, or -1 with why set. */
static int read_once(nd_index *ix, unsigned *seed, char *why, size_t cap) {
  if (nd_refresh(ix)) { snprintf(why, cap, "refresh: %s", nd_errmsg(ix)); return -1; }
  int nb = atomic_load(&g_batches);
  int b = nb ? (int)(rand_r(seed) % (unsigned)nb) : 0;
  char tag[16], id[32];
  tag_word(b, tag);
  int64_t n = count(ix, tag, why, cap);
  if (n < 0) return -1;
  if (n != 0 && n != K) { snprintf(why, cap, "batch %d: %lld articles of %d", b, (long long)n, K); return -1; }
  int64_t all = count(ix, "corpusword", why, cap);
  if (all < 0) return -1;
  if (all % K) { snprintf(why, cap, "%lld articles in all, not whole batches", (long long)all); return -1; }
  snprintf(id, sizeof id, "b%d-%d", b, (int)(rand_r(seed) % K));
  nd_document *d;
  int rc = nd_get(ix, id, &d);
  if (rc == ND_OK) {
    int mine = strstr(nd_document_doc(d)->body, tag) != NULL;
    nd_document_free(d);
    if (!mine) { snprintf(why, cap, "article %s lacks its tag %s", id, tag); return -1; }
  } else if (rc != ND_ERR_NOTFOUND) {
    snprintf(why, cap, "get %s: %s", id, nd_errmsg(ix));
    return -1;
  }
  atomic_fetch_add(&g_reads, 1);
  return 0;
}

typedef struct reader {
  pthread_t t;
  unsigned seed;
  char why[600];
  int failed;
} reader;

static void *reader_thread(void *arg) {
  reader *r = arg;
  nd_index *ix;
  if (nd_open(g_dir, 0, NULL, &ix)) {
    snprintf(r->why, sizeof r->why, "open: %s", nd_errmsg(ix));
    r->failed = 1;
    nd_close(ix);
    return NULL;
  }
  while (!atomic_load(&g_done) && !r->failed) r->failed = read_once(ix, &r->seed, r->why, sizeof r->why) != 0;
  if (!r->failed) r->failed = read_once(ix, &r->seed, r->why, sizeof r->why) != 0;
  nd_close(ix);
  return NULL;
}

/* A reader process: reads until the pipe closes; exit status 0 or 1. */
static void reader_process(int fd, unsigned seed) {
  nd_index *ix;
  char why[600];
  if (nd_open(g_dir, 0, NULL, &ix)) { fprintf(stderr, "  process: open: %s\n", nd_errmsg(ix)); _exit(1); }
  for (;;) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 0) > 0) break; /* EOF: the writer is done */
    /* The batch count is the parent's; a process asks the archive. */
    nd_stats st;
    nd_refresh(ix);
    nd_stats_get(ix, &st);
    atomic_store(&g_batches, (int)(st.generation < NBATCH ? st.generation : NBATCH));
    if (read_once(ix, &seed, why, sizeof why)) { fprintf(stderr, "  process: %s\n", why); _exit(1); }
  }
  nd_close(ix);
  _exit(0);
}

static int write_all(char *why, size_t cap) {
  nd_index *ix;
  nd_open_options o = {.buffer_bytes = 4096, .merge_factor = 2};
  if (nd_open(g_dir, ND_OPEN_CREATE, &o, &ix)) { snprintf(why, cap, "create: %s", nd_errmsg(ix)); nd_close(ix); return -1; }
  int rc = 0;
  for (int b = 0; b < NBATCH && !rc; b++) {
    char tag[16], id[32], body[200];
    tag_word(b, tag);
    for (int i = 0; i < K && !rc; i++) {
      snprintf(id, sizeof id, "b%d-%d", b, i);
      snprintf(body, sizeof body, "Article %d of batch %d: %s corpusword harbour council %s", i, b, tag,
               i % 2 ? "storm" : "market");
      nd_doc d = {.id = id, .title = "Batch", .date = "2004-05-06", .body = body};
      rc = nd_add(ix, &d, NULL);
    }
    if (!rc && b % 5 == 4) { /* delete a whole earlier batch in the same commit */
      for (int i = 0; i < K && !rc; i++) {
        snprintf(id, sizeof id, "b%d-%d", b - 3, i);
        rc = nd_delete(ix, id);
      }
    }
    if (!rc) rc = b % 11 == 10 ? nd_optimize(ix) : nd_commit(ix);
    if (!rc) atomic_store(&g_batches, b + 1);
  }
  if (rc) snprintf(why, cap, "writer: %s", nd_errmsg(ix));
  nd_close(ix);
  return rc ? -1 : 0;
}

static void test_readers_and_writer(void) {
  snprintf(g_dir, sizeof g_dir, "/tmp/ndconc-XXXXXX");
  ASSERT(mkdtemp(g_dir));
  rmdir(g_dir);
  /* An archive to open, with batch 0 in it. */
  nd_index *ix;
  ASSERT_OK(nd_open(g_dir, ND_OPEN_CREATE, NULL, &ix));
  nd_close(ix);
  int pfd[2];
  ASSERT_OK(pipe(pfd));
  pid_t kids[NPROCS];
  for (int i = 0; i < NPROCS; i++) { /* before any thread exists */
    kids[i] = fork();
    ASSERT(kids[i] >= 0);
    if (kids[i] == 0) {
      close(pfd[1]);
      reader_process(pfd[0], 1000u + (unsigned)i);
    }
  }
  close(pfd[0]);
  reader rd[NTHREADS];
  memset(rd, 0, sizeof rd);
  for (int i = 0; i < NTHREADS; i++) {
    rd[i].seed = 7u + (unsigned)i;
    ASSERT_OK(pthread_create(&rd[i].t, NULL, reader_thread, &rd[i]));
  }
  char why[600] = "";
  int wrc = write_all(why, sizeof why);
  atomic_store(&g_done, 1);
  close(pfd[1]);
  int bad = 0;
  for (int i = 0; i < NTHREADS; i++) {
    pthread_join(rd[i].t, NULL);
    if (rd[i].failed) { fprintf(stderr, "  reader %d: %s\n", i, rd[i].why); bad++; }
  }
  for (int i = 0; i < NPROCS; i++) {
    int st;
    waitpid(kids[i], &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st)) bad++;
  }
  if (wrc) fprintf(stderr, "  %s\n", why);
  fprintf(stderr, "  %u consistent reads by %d threads while %d batches were committed\n", atomic_load(&g_reads),
          NTHREADS, NBATCH);
  ASSERT_OK(wrc);
  ASSERT_EQ_INT(bad, 0);
  ASSERT(atomic_load(&g_reads) >= NTHREADS);
  /* The end state: batches b-3 deleted for b % 5 == 4, the rest whole. */
  ASSERT_OK(nd_check(g_dir, NULL, NULL, NULL));
  ASSERT_OK(nd_open(g_dir, 0, NULL, &ix));
  char tag[16];
  for (int b = 0; b < NBATCH; b++) {
    tag_word(b, tag);
    int deleted = b + 3 < NBATCH && (b + 3) % 5 == 4;
    nd_results *r;
    ASSERT_OK(nd_search(ix, tag, NULL, &r));
    ASSERT_EQ_INT(nd_results_total(r), deleted ? 0 : K);
    nd_results_free(r);
  }
  nd_close(ix);
  rm_rf(g_dir);
}

TEST_MAIN(TEST(test_readers_and_writer))
