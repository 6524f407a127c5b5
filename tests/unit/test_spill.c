/*
** test_spill.c -- the segment writer's columns beyond their memory bound
** (index/spill.h).
**
** A column is fed rows with a bound of a few rows, so that it writes many
** runs: a sorted one must give back exactly its rows in order (the same
** bytes as sorting them all in memory), an unsorted one the rows as they
** were given, both as often as asked, and freeing it removes its runs.  A
** storage that runs out of space partway fails the column with
** ND_ERR_NOSPACE, sticky, and leaves no run behind.  Then whole archives:
** the fixture articles added in three commits (the last replacing some of
** the first), some deleted, and merged,
** once with the default bound and once with a bound of 2 KiB; every
** file must be byte for byte the same, no run may be left, and nd_check
** must pass.
*/
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "index/index.h"
#include "index/spill.h"
#include "ingest/ingest.h"
#include "newsdex.h"
#include "test.h"
#include "testdata.h"
#include "testfs.h"
#include "testutil.h"
#include "util/file.h"

static char dir[256];

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static int cmp12(const void *a, const void *b) { return memcmp(a, b, 12); }

/* Collects what spill_each gives. */
typedef struct got {
  uint8_t *p;
  size_t n, cap, width, calls;
} got;

static int collect(void *ctx, const uint8_t *rows, size_t n) {
  got *g = ctx;
  size_t b = n * g->width;
  if (g->n + b > g->cap) {
    g->cap = (g->n + b) * 2;
    g->p = realloc(g->p, g->cap);
  }
  memcpy(g->p + g->n, rows, b);
  g->n += b;
  g->calls++;
  return 0;
}

/* Files of the test directory whose names start with prefix. */
static int count_files(const char *prefix) {
  DIR *d = opendir(dir);
  int n = 0;
  struct dirent *e;
  while (d && (e = readdir(d)))
    n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
  if (d) closedir(d);
  return n;
}

static void make_dir(void) {
  snprintf(dir, sizeof dir, "/tmp/nd_spill_XXXXXX");
  ASSERT(mkdtemp(dir));
}

static void test_sorted_runs(void) {
  make_dir();
  struct nd_storage *st = vfs_posix_new(dir);
  ASSERT(st);
  size_t keep = spill_run_bytes;
  spill_run_bytes = 50 * 12 + 7; /* fifty rows a run */
  spill s;
  spill_init(&s, st, 7, 3, 12, cmp12);
  size_t nrows = 5003;
  uint8_t *all = malloc(nrows * 12);
  for (size_t i = 0; i < nrows; i++) {
    uint64_t r = next_rand();
    memcpy(all + 12 * i, &r, 8);
    uint32_t k = (uint32_t)(next_rand() % 50); /* duplicates of the first bytes */
    memcpy(all + 12 * i, &k, 4);
    memcpy(all + 12 * i + 8, &k, 4);
  }
  for (size_t i = 0; i < nrows;) { /* batches of 1 to 12 rows */
    size_t n = 1 + next_rand() % 12;
    if (n > nrows - i) n = nrows - i;
    ASSERT_OK(spill_put(&s, all + 12 * i, n));
    i += n;
  }
  spill_run_bytes = keep;
  ASSERT(s.nruns >= 100);
  ASSERT_EQ_INT(s.rows, nrows);
  ASSERT_EQ_INT(count_files("s000007.t3."), s.nruns);
  qsort(all, nrows, 12, cmp12);
  for (int pass = 0; pass < 2; pass++) {
    got g = {.width = 12};
    ASSERT_OK(spill_each(&s, collect, &g));
    ASSERT_EQ_INT(g.n, nrows * 12);
    ASSERT(memcmp(g.p, all, g.n) == 0);
    free(g.p);
  }
  spill_free(&s);
  ASSERT_EQ_INT(count_files("s000007.t"), 0);
  free(all);
  vfs_posix_free(st);
  rm_rf(dir);
}

static void test_unsorted_runs(void) {
  make_dir();
  struct nd_storage *st = vfs_posix_new(dir);
  ASSERT(st);
  size_t keep = spill_run_bytes;
  spill_run_bytes = 300;
  spill bytes, wide;
  spill_init(&bytes, st, 2, 0, 1, NULL);
  spill_init(&wide, st, 2, 1, 128, NULL);
  size_t nb = 20000, nw = 97;
  uint8_t *b = malloc(nb), *w = malloc(nw * 128);
  for (size_t i = 0; i < nb; i++) b[i] = (uint8_t)next_rand();
  for (size_t i = 0; i < nw * 128; i++) w[i] = (uint8_t)next_rand();
  for (size_t i = 0; i < nb;) {
    size_t n = next_rand() % 700; /* some empty, some longer than a run */
    if (n > nb - i) n = nb - i;
    ASSERT_OK(spill_put(&bytes, b + i, n));
    i += n;
  }
  for (size_t i = 0; i < nw; i++) ASSERT_OK(spill_put(&wide, w + 128 * i, 1));
  spill_run_bytes = keep;
  ASSERT(bytes.nruns > 10);
  ASSERT(wide.nruns > 10); /* a run holds two rows: 256 bytes */
  got gb = {.width = 1}, gw = {.width = 128};
  ASSERT_OK(spill_each(&bytes, collect, &gb));
  ASSERT_OK(spill_each(&wide, collect, &gw));
  ASSERT_EQ_INT(gb.n, nb);
  ASSERT(memcmp(gb.p, b, nb) == 0);
  ASSERT_EQ_INT(gw.n, nw * 128);
  ASSERT(memcmp(gw.p, w, gw.n) == 0);
  ASSERT(gb.calls == bytes.nruns + 1); /* a call a run, then the rows in memory */
  spill_free(&bytes);
  spill_free(&wide);
  ASSERT_EQ_INT(count_files("s000002."), 0);
  free(gb.p);
  free(gw.p);
  free(b);
  free(w);
  vfs_posix_free(st);
  rm_rf(dir);
}

/* The POSIX storage, whose create fails with ENOSPC after `allowed` files. */
static struct nd_storage full;
static const struct nd_storage *under;
static int allowed;
static int full_create(const struct nd_storage *st, const char *name, void **file) {
  (void)st;
  if (allowed-- <= 0) return ENOSPC;
  return under->create(under, name, file);
}

static void test_full_storage(void) {
  make_dir();
  struct nd_storage *st = vfs_posix_new(dir);
  ASSERT(st);
  under = st;
  full = *st;
  full.create = full_create;
  allowed = 3;
  size_t keep = spill_run_bytes;
  spill_run_bytes = 24;
  spill s;
  spill_init(&s, &full, 1, 0, 12, cmp12);
  uint8_t row[12] = {0};
  int rc = 0;
  for (int i = 0; i < 100 && !rc; i++) rc = spill_put(&s, row, 1);
  spill_run_bytes = keep;
  ASSERT_EQ_INT(rc, ND_ERR_NOSPACE);
  ASSERT_EQ_INT(spill_put(&s, row, 1), ND_ERR_NOSPACE); /* sticky */
  got g = {.width = 12};
  ASSERT_EQ_INT(spill_each(&s, collect, &g), ND_ERR_NOSPACE);
  ASSERT_EQ_INT(count_files("s000001.t0."), 3);
  spill_free(&s);
  ASSERT_EQ_INT(count_files("s000001."), 0);
  free(g.p);
  vfs_posix_free(st);
  rm_rf(dir);
}

/* ---- whole archives ---- */

static nd_index *ix;

static int on_doc(void *ctx, const nd_doc *d, const char *file, uint64_t line) {
  (void)file, (void)line;
  size_t *left = ctx;
  if (*left == 0) return 1;
  (*left)--;
  nd_add(ix, d, NULL);
  return 0;
}

static void on_err(void *ctx, const char *file, uint64_t line, const char *reason) {
  (void)ctx, (void)file, (void)line, (void)reason;
}

static void add_fixture(const char *name, size_t n) {
  char path[1024];
  ingest_path(test_fixture(path, sizeof path, name), on_doc, on_err, &n, NULL);
}

/* Build archive dir/name: three commits, deletions, a merge. */
static void build(const char *name) {
  char ixdir[300];
  snprintf(ixdir, sizeof ixdir, "%s/%s", dir, name);
  nd_open_options o = {.merge_factor = 1, .threads = 1};
  ASSERT_OK(nd_open(ixdir, ND_OPEN_CREATE, &o, &ix));
  add_fixture("news.jsonl", 400);
  ASSERT_OK(nd_commit(ix));
  add_fixture("wire.jsonl.zst", 900);
  ASSERT_OK(nd_commit(ix));
  add_fixture("news.jsonl", 300); /* new versions of the first 300 */
  ASSERT_OK(nd_commit(ix));
  ASSERT(ix->snap.n >= 2);
  /* delete every seventh article of the first segment */
  const segment *s0 = &ix->snap.segs[0].seg;
  for (uint32_t d = 0; d < s0->m.ndocs; d += 7) {
    size_t len;
    const char *id = seg_id(s0, d, &len);
    ASSERT(id);
    char idz[256];
    ASSERT(len < sizeof idz);
    memcpy(idz, id, len);
    idz[len] = 0;
    ASSERT_OK(nd_delete(ix, idz));
  }
  ASSERT_OK(nd_commit(ix));
  ASSERT_OK(nd_optimize(ix));
  ASSERT_EQ_INT(ix->snap.n, 1);
  nd_close(ix);
  ix = NULL;
}

static int same_file(const char *a, const char *b) {
  buf x, y;
  buf_init(&x);
  buf_init(&y);
  int same = !read_file(a, &x) && !read_file(b, &y) && x.n == y.n && memcmp(x.p, y.p, x.n) == 0;
  buf_free(&x);
  buf_free(&y);
  return same;
}

static void test_archive_same_bytes(void) {
  make_dir();
  build("plain");
  size_t keep = spill_run_bytes;
  spill_run_bytes = 2048; /* a run every 16 signatures, 256 band rows... */
  build("spilled");
  spill_run_bytes = keep;
  char pdir[300], sdir[300];
  snprintf(pdir, sizeof pdir, "%s/plain", dir);
  snprintf(sdir, sizeof sdir, "%s/spilled", dir);
  DIR *d = opendir(sdir);
  ASSERT(d);
  struct dirent *e;
  int files = 0;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' || !strcmp(e->d_name, "LOCK")) continue;
    const char *t = strstr(e->d_name, ".t");
    ASSERT(!t || !isdigit((unsigned char)t[2])); /* no run left */
    char a[600], b[600];
    snprintf(a, sizeof a, "%s/%s", pdir, e->d_name);
    snprintf(b, sizeof b, "%s/%s", sdir, e->d_name);
    if (!same_file(a, b)) {
      closedir(d);
      TEST_FAIL_("%s differs between the archives", e->d_name);
    }
    files++;
  }
  closedir(d);
  ASSERT(files >= 7); /* MANIFEST and a segment's six files */
  nd_check_report rep;
  ASSERT_OK(nd_check(sdir, NULL, NULL, &rep));
  rm_rf(pdir);
  rm_rf(sdir);
  rm_rf(dir);
}

TEST_MAIN(TEST(test_sorted_runs), TEST(test_unsorted_runs), TEST(test_full_storage), TEST(test_archive_same_bytes))
