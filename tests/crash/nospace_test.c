/*
** nospace_test.c -- a full disk: the archive stays at its last commit.
**
** usage: nospace_test DIR   (DIR on a small file system, e.g. an 8 MiB
** tmpfs; tests/e2e/reliability.sh mounts one, or skips saying why)
**
** Writes a 1 MiB filler file in DIR, then adds articles to DIR/archive in
** batches of BATCH, committing after each, until a call fails with
** ND_ERR_NOSPACE.  Then: the archive opens, nd_check() finds nothing wrong,
** every article of every committed batch is there and none of the failed
** batch is; after the filler is removed, a writer commits a new article
** and the archive checks clean again.  Ends with "N passed, N failed".
*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "newsdex.h"
#include "../unit/testdata.h"

#define BATCH 40
#define MAX_IDS 200000

static char **ids; /* added, in order */
static size_t nids, committed; /* ids[0..committed) are committed */
static nd_index *W;
static int status;            /* first failure of the writer */
static char errmsg[600];
static unsigned pass, fail;

static void check(int ok, const char *what) {
  if (ok) { pass++; fprintf(stderr, "ok   %s\n", what); }
  else { fail++; fprintf(stderr, "FAIL %s\n", what); }
}

static int on_doc(void *ctx, const nd_doc *d, const char *file, uint64_t line) {
  if (nids == MAX_IDS) return 1;
  for (size_t i = nids; i-- > 0;) /* the inputs repeat some ids: keep the first (quadratic; nids stays small) */
    if (!strcmp(ids[i], d->id)) return 0;
  int rc = nd_add(W, d, NULL);
  if (rc) { status = rc; snprintf(errmsg, sizeof errmsg, "%s", nd_errmsg(W)); return 1; }
  ids[nids++] = strdup(d->id);
  if (nids % BATCH == 0) {
    if ((rc = nd_commit(W))) { status = rc; snprintf(errmsg, sizeof errmsg, "%s", nd_errmsg(W)); return 1; }
    committed = nids;
  }
  return 0;
}

static void on_err(void *ctx, const char *file, uint64_t line, const char *reason) {}

static void on_problem(void *ctx, const char *msg) { fprintf(stderr, "  check: %s\n", msg); }

/* Articles ids[lo..hi) present (1) or absent (0) as expected? */
static int all_are(nd_index *ix, size_t lo, size_t hi, int present) {
  for (size_t i = lo; i < hi; i++) {
    nd_document *d;
    int rc = nd_get(ix, ids[i], &d);
    if (rc == ND_OK) nd_document_free(d);
    if ((rc == ND_OK) != present && !(present == 0 && rc == ND_ERR_NOTFOUND)) {
      fprintf(stderr, "  article %s: %s\n", ids[i], rc ? nd_errmsg(ix) : "present");
      return 0;
    }
    if (!present && rc == ND_OK) return 0;
  }
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 2) { fprintf(stderr, "usage: nospace_test DIR\n"); return 2; }
  char filler[512], dir[512], p[512];
  snprintf(filler, sizeof filler, "%s/filler", argv[1]);
  snprintf(dir, sizeof dir, "%s/archive", argv[1]);
  ids = calloc(MAX_IDS, sizeof *ids);
  int fd = open(filler, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  static char block[1 << 20];
  memset(block, 'x', sizeof block);
  check(fd >= 0 && write(fd, block, sizeof block) == (ssize_t)sizeof block, "write the filler");
  if (fd >= 0) close(fd);
  nd_open_options o = {.buffer_bytes = 1 << 20, .merge_factor = 3};
  check(nd_open(dir, ND_OPEN_CREATE, &o, &W) == ND_OK, "create the archive");
  static const char *const FILES[] = {"news.jsonl", "wire.jsonl.zst"};
  for (size_t f = 0; f < 2 && !status; f++) {
    ingest_path(test_fixture(p, sizeof p, FILES[f]), on_doc, on_err, NULL, NULL);
  }
  fprintf(stderr, "  %zu articles committed, %zu in the failed batch: %s\n", committed, nids - committed, errmsg);
  check(status == ND_ERR_NOSPACE, "adding stops with ND_ERR_NOSPACE");
  check(strstr(errmsg, "last commit") != NULL || strstr(errmsg, "space") != NULL, "the message says so");
  nd_close(W);

  nd_check_report r;
  check(nd_check(dir, on_problem, NULL, &r) == ND_OK, "the archive checks clean");
  nd_index *ix;
  int rc = nd_open(dir, 0, NULL, &ix);
  check(rc == ND_OK, "the archive opens");
  if (rc == ND_OK) {
    nd_stats st;
    nd_stats_get(ix, &st);
    check(st.articles == committed, "it holds exactly the committed articles");
    check(all_are(ix, 0, committed, 1), "every committed article is there");
    check(all_are(ix, committed, nids, 0), "no article of the failed batch is there");
  }
  nd_close(ix);

  check(unlink(filler) == 0, "free space");
  rc = nd_open(dir, ND_OPEN_WRITE, &o, &W);
  check(rc == ND_OK, "the archive opens for writing");
  if (rc == ND_OK) {
    nd_doc d = {.id = "after-the-disk-was-full", .title = "Space again",
                .body = "The disk had room again and this article was committed."};
    int ok = nd_add(W, &d, NULL) == ND_OK && nd_commit(W) == ND_OK;
    check(ok, "a commit succeeds after space was freed");
    nd_close(W);
    check(nd_check(dir, on_problem, NULL, NULL) == ND_OK, "the archive checks clean again");
    check(nd_open(dir, 0, NULL, &ix) == ND_OK, "and opens");
    nd_document *doc;
    check(nd_get(ix, "after-the-disk-was-full", &doc) == ND_OK && all_are(ix, 0, committed, 1),
          "with the new article and every earlier one");
    if (doc) nd_document_free(doc);
    nd_close(ix);
  }
  printf("%u passed, %u failed\n", pass, fail);
  return fail ? 1 : 0;
}
