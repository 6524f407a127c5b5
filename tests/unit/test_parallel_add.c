/*
** test_parallel_add.c -- nd_add_batch() on several threads writes the same
** archive, file for file and byte for byte, as nd_add() on one thread.
**
** The input is the invented articles of the fixture news.jsonl with, every few
** articles, one that replaces an earlier article (committed, buffered, or
** in the same batch), one without an id whose content repeats an earlier
** one (the same derived id), one with "(search)" markers, and one that is
** refused (bad UTF-8, bad date, neither title nor body, an id too long or
** empty).  A small buffer makes many segments and a commit halfway makes
** deletions of committed articles.  Statuses, ids and messages must agree too.  Then
** allocation failures in the middle of a threaded batch, and the
** argument checks.
*/
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "newsdex.h"
#include "test.h"
#include "testdata.h"
#include "testfs.h"
#include "util/mem.h"

#define MAX_IN 2000

/* ---- the input ------------------------------------------------------------ */

static char *g_store[MAX_IN * 8]; /* every string made here */
static size_t g_nstore;
static nd_doc g_in[MAX_IN];
static size_t g_n;

static const char *keep(const char *s) {
  if (!s) return NULL;
  char *c = strdup(s);
  if (!c || g_nstore == sizeof g_store / sizeof *g_store) abort();
  return g_store[g_nstore++] = c;
}

/* a, b and c one after the other. */
static const char *cat3(const char *a, const char *b, const char *c) {
  size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
  char *t = malloc(na + nb + nc + 1);
  if (!t) abort();
  memcpy(t, a, na);
  memcpy(t + na, b, nb);
  memcpy(t + na + nb, c, nc + 1);
  const char *k = keep(t);
  free(t);
  return k;
}

static void push(nd_doc d) {
  if (g_n < MAX_IN) g_in[g_n++] = d;
}

static int on_doc(void *ctx, const nd_doc *d, const char *file, uint64_t line) {
  (void)ctx; (void)file; (void)line;
  if (g_n + 3 > MAX_IN) return 1;
  static size_t read; /* articles read: what comes after this one depends on it */
  size_t i = g_n, r = read++;
  push((nd_doc){keep(d->id), keep(d->title), keep(d->date), keep(d->source), keep(d->url), keep(d->body),
                keep(d->extra_json), NULL, 0});
  const nd_doc *a = &g_in[i];
  switch (r % 9) {
  case 2: /* replaces an article added 40 earlier: committed or buffered, often in another batch */
    if (i >= 40) push((nd_doc){g_in[i - 40].id, "Replaced", "2005-03-04", "Wire", NULL,
                               cat3("Replacement: ", a->body, ""), NULL, NULL, 0});
    break;
  case 3: /* replaces the article just before it: the same batch, mostly */
    push((nd_doc){a->id, a->title, "2004-01-02", a->source, a->url, cat3(a->body, " Updated.", ""), NULL, NULL, 0});
    break;
  case 4: { /* no id; every other one repeats the content of the one before */
    const char *title = cat3("Harbour notes ", (r / 9) % 2 ? "again" : "first", "");
    push((nd_doc){NULL, title, NULL, NULL, NULL, cat3("Storm (search) over the harbour. ", a->body, ""), NULL, NULL, 0});
    push((nd_doc){NULL, title, NULL, NULL, NULL, g_in[g_n - 1].body, NULL, NULL, 0});
    break;
  }
  case 5: { /* markers and marked terms */
    static const char *marked[] = {"Jaap de Hoop Scheffer", "NATO"};
    push((nd_doc){cat3(a->id ? a->id : "none", "-marked", ""), a->title, a->date, a->source, NULL,
                  cat3("NATO (search) said Jaap de Hoop Scheffer (search) would go. ", a->body, ""),
                  "{\"section\":\"world\"}", marked, 2});
    break;
  }
  case 6: { /* refused, one way after another */
    int k = (int)(r / 9) % 5;
    if (k == 0) push((nd_doc){"bad-utf8", keep("Caf\xc3 au lait"), NULL, NULL, NULL, a->body, NULL, NULL, 0});
    if (k == 1) push((nd_doc){"bad-date", "Title", "2004-02-30", NULL, NULL, a->body, NULL, NULL, 0});
    if (k == 2) push((nd_doc){"empty", NULL, NULL, NULL, NULL, " \n", NULL, NULL, 0});
    if (k == 3) {
      char big[600];
      memset(big, 'x', sizeof big - 1);
      big[sizeof big - 1] = 0;
      push((nd_doc){keep(big), "Title", NULL, NULL, NULL, a->body, NULL, NULL, 0});
    }
    if (k == 4) push((nd_doc){"", "Title", NULL, NULL, NULL, a->body, NULL, NULL, 0});
    break;
  }
  default:
    break;
  }
  return 0;
}

static void on_err(void *ctx, const char *file, uint64_t line, const char *reason) {
  (void)ctx;
  fprintf(stderr, "  %s:%llu: %s\n", file, (unsigned long long)line, reason);
}

static int load(void) {
  if (g_n) return 0;
  char path[1024];
  ingest_path(test_fixture(path, sizeof path, "news.jsonl"), on_doc, on_err, NULL, NULL); /* stops at MAX_IN */
  return g_n + 3 > MAX_IN ? 0 : -1;
}

/* ---- one build ------------------------------------------------------------ */

typedef struct outcome {
  int status[MAX_IN];
  char *id[MAX_IN], *msg[MAX_IN];
} outcome;

static outcome g_out[2];

static void outcome_free(outcome *o) {
  for (size_t i = 0; i < MAX_IN; i++) {
    free(o->id[i]);
    free(o->msg[i]);
    o->id[i] = o->msg[i] = NULL;
  }
}

static char g_dirs[2][64];

static const char *fresh_dir(int k) {
  snprintf(g_dirs[k], sizeof g_dirs[k], "/tmp/ndpar-XXXXXX");
  if (!mkdtemp(g_dirs[k])) abort();
  rmdir(g_dirs[k]); /* nd_open creates it */
  return g_dirs[k];
}

/* Add g_in[from..to): batch 0 means one nd_add() a time. */
static int add_range(nd_index *ix, size_t from, size_t to, size_t batch, outcome *o) {
  static nd_add_result res[MAX_IN];
  for (size_t i = from; i < to;) {
    if (!batch) {
      const char *id = NULL;
      int rc = nd_add(ix, &g_in[i], &id);
      o->status[i] = rc;
      o->id[i] = rc ? NULL : strdup(id);
      o->msg[i] = strdup(rc ? nd_errmsg(ix) : "");
      i++;
      continue;
    }
    size_t n = to - i < batch ? to - i : batch;
    int rc = nd_add_batch(ix, &g_in[i], n, res);
    if (rc) { fprintf(stderr, "  batch at %zu: %s\n", i, nd_errmsg(ix)); return rc; }
    for (size_t k = 0; k < n; k++) {
      o->status[i + k] = res[k].status;
      /* nd_add gives no id for a refused article; a batch may know it */
      o->id[i + k] = res[k].status || !res[k].id ? NULL : strdup(res[k].id);
      o->msg[i + k] = strdup(res[k].message);
    }
    i += n;
  }
  return 0;
}

/* Build the archive of the whole input in `dir`: half, commit, the rest,
** commit. */
static int build(const char *dir, unsigned threads, size_t batch, unsigned merge, outcome *o) {
  nd_index *ix;
  nd_open_options opt = {.buffer_bytes = 1 << 20, .merge_factor = merge, .threads = threads};
  int rc = nd_open(dir, ND_OPEN_CREATE, &opt, &ix);
  if (!rc) rc = add_range(ix, 0, g_n / 2, batch, o);
  if (!rc) rc = nd_commit(ix);
  if (!rc) rc = add_range(ix, g_n / 2, g_n, batch, o);
  if (!rc) rc = nd_commit(ix);
  if (rc) fprintf(stderr, "  build %s: %s\n", dir, nd_errmsg(ix));
  nd_close(ix);
  return rc;
}

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The sorted names of the files of dir (LOCK left out). */
static size_t list_dir(const char *dir, char **names, size_t cap) {
  DIR *d = opendir(dir);
  size_t n = 0;
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (e->d_name[0] != '.' && strcmp(e->d_name, "LOCK") && n < cap) names[n++] = strdup(e->d_name);
  if (d) closedir(d);
  qsort(names, n, sizeof *names, cmp_names);
  return n;
}

static int read_all(const char *dir, const char *name, char **p, size_t *n) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  *p = malloc((size_t)len + 1);
  *n = *p ? fread(*p, 1, (size_t)len, f) : 0;
  fclose(f);
  return *p && *n == (size_t)len ? 0 : -1;
}

/* Every file of a and b the same, byte for byte.  Returns the number of
** segments, or -1 after printing the first difference. */
static int same_archive(const char *a, const char *b) {
  char *na[4096], *nb[4096];
  size_t n = list_dir(a, na, 4096), m = list_dir(b, nb, 4096);
  int segs = 0, bad = n != m;
  if (bad) fprintf(stderr, "  %zu files in %s, %zu in %s\n", n, a, m, b);
  for (size_t i = 0; i < n && !bad; i++) {
    char *x = NULL, *y = NULL;
    size_t xn = 0, yn = 0;
    if (strcmp(na[i], nb[i])) {
      fprintf(stderr, "  %s in %s, %s in %s\n", na[i], a, nb[i], b);
      bad = 1;
    } else if (read_all(a, na[i], &x, &xn) || read_all(b, nb[i], &y, &yn) || xn != yn || memcmp(x, y, xn)) {
      fprintf(stderr, "  %s differs (%zu and %zu bytes)\n", na[i], xn, yn);
      bad = 1;
    }
    segs += strstr(na[i], ".meta") != NULL;
    free(x);
    free(y);
  }
  for (size_t i = 0; i < n; i++) free(na[i]);
  for (size_t i = 0; i < m; i++) free(nb[i]);
  return bad ? -1 : segs;
}

/* The outcomes of one-thread and batched adding agree. */
static int same_outcome(const outcome *a, const outcome *b) {
  for (size_t i = 0; i < g_n; i++) {
    if (a->status[i] != b->status[i] || strcmp(a->msg[i], b->msg[i]) ||
        (a->id[i] && (!b->id[i] || strcmp(a->id[i], b->id[i])))) {
      fprintf(stderr, "  article %zu: %d \"%s\" (%s) and %d \"%s\" (%s)\n", i, a->status[i], a->msg[i],
              a->id[i] ? a->id[i] : "-", b->status[i], b->msg[i], b->id[i] ? b->id[i] : "-");
      return 0;
    }
  }
  return 1;
}

static size_t count_status(const outcome *o, int st) {
  size_t n = 0;
  for (size_t i = 0; i < g_n; i++) n += o->status[i] == st;
  return n;
}

/* The reference: one thread, nd_add. */
static int reference(unsigned merge) {
  outcome_free(&g_out[0]);
  rm_rf(g_dirs[0]);
  return build(fresh_dir(0), 1, 0, merge, &g_out[0]);
}

static void check_against_reference(unsigned threads, size_t batch, unsigned merge, int min_segs) {
  outcome_free(&g_out[1]);
  rm_rf(g_dirs[1]);
  ASSERT_OK(build(fresh_dir(1), threads, batch, merge, &g_out[1]));
  int segs = same_archive(g_dirs[0], g_dirs[1]);
  if (segs < 0) TEST_FAIL_("threads %u, batches of %zu: the archives differ", threads, batch);
  if (segs < min_segs) TEST_FAIL_("only %d segments", segs);
  if (!same_outcome(&g_out[0], &g_out[1])) TEST_FAIL_("threads %u, batches of %zu: the outcomes differ", threads, batch);
  rm_rf(g_dirs[1]);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_input(void) {
  ASSERT_OK(load());
  fprintf(stderr, "  %zu articles in\n", g_n);
  ASSERT(g_n > 1400);
}

static void test_same_archive(void) {
  ASSERT_OK(load());
  ASSERT_OK(reference(1));
  size_t refused = count_status(&g_out[0], ND_ERR_INVALID), added = count_status(&g_out[0], ND_OK);
  fprintf(stderr, "  %zu added, %zu refused\n", added, refused);
  ASSERT(refused >= 80 && added + refused == g_n);
  /* The reference replaced what it should: one live article per id. */
  nd_index *r;
  ASSERT_OK(nd_open(g_dirs[0], 0, NULL, &r));
  nd_stats st;
  ASSERT_OK(nd_stats_get(r, &st));
  fprintf(stderr, "  reference: %llu articles, %llu deleted, %llu segments\n", (unsigned long long)st.articles,
          (unsigned long long)st.deleted, (unsigned long long)st.segments);
  ASSERT(st.deleted > 100 && st.segments >= 8);
  nd_close(r);
  check_against_reference(1, 100, 1, 8); /* batches on one thread */
  check_against_reference(2, 1, 1, 8);   /* batches of one */
  check_against_reference(2, 7, 1, 8);
  check_against_reference(2, 256, 1, 8);
  check_against_reference(4, 5000, 1, 8); /* everything in one batch (one per commit) */
}

static void test_same_archive_merging(void) {
  ASSERT_OK(load());
  ASSERT_OK(reference(2)); /* merges at each commit */
  check_against_reference(3, 64, 2, 1);
}

/* The searches and fetches of the reference archive see what the input
** says: each live id once, with the text of its last version. */
static void test_last_version_wins(void) {
  ASSERT_OK(load());
  ASSERT(g_dirs[0][0]);
  nd_index *r;
  ASSERT_OK(nd_open(g_dirs[0], 0, NULL, &r));
  size_t checked = 0;
  for (size_t i = 0; i < g_n; i++) {
    if (g_out[0].status[i] || !g_in[i].id) continue;
    size_t last = i;
    for (size_t j = i + 1; j < g_n; j++)
      if (!g_out[0].status[j] && g_in[j].id && !strcmp(g_in[j].id, g_in[i].id)) last = j;
    if (last != i) continue;
    nd_document *d;
    ASSERT_OK(nd_get(r, g_in[i].id, &d));
    const char *body = g_in[i].body ? g_in[i].body : ""; /* a title-only article is stored with "" */
    int same = strstr(body, "(search)") || !strcmp(nd_document_doc(d)->body, body);
    nd_document_free(d);
    if (!same) TEST_FAIL_("article %s is not its last version", g_in[i].id);
    checked++;
  }
  ASSERT(checked > 900);
  nd_close(r);
}

/* Allocation failures anywhere in a threaded batch: the batch stops at one
** article, every article before it is in, none after, and the archive
** stays sound. */
static void test_oom(void) {
  ASSERT_OK(load());
  enum { N = 40 };
  nd_doc docs[N];
  size_t n = 0;
  for (size_t i = 0; i < g_n && n < N; i++) { /* distinct ids, some refused */
    int dup = !g_in[i].id;
    for (size_t j = 0; j < n && !dup; j++) dup = !strcmp(docs[j].id, g_in[i].id);
    if (!dup) docs[n++] = g_in[i];
  }
  ASSERT_EQ_INT(n, N);
  int stops = 0;
  for (long k = 0; k < 6000; k += 1 + k / 8) {
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/ndpar-oom-XXXXXX");
    ASSERT(mkdtemp(dir));
    rmdir(dir);
    nd_index *ix;
    nd_open_options opt = {.buffer_bytes = 64 << 10, .threads = 2};
    ASSERT_OK(nd_open(dir, ND_OPEN_CREATE, &opt, &ix));
    nd_add_result res[N];
    mem_fail_after(k);
    int rc = nd_add_batch(ix, docs, N, res);
    mem_fail_after(-1);
    size_t ok = 0, stop = N;
    for (size_t i = 0; i < N; i++) {
      ASSERT(res[i].message);
      if (stop == N && res[i].status != ND_OK && res[i].status != ND_ERR_INVALID) stop = i;
      if (stop < N && res[i].status != rc) TEST_FAIL_("k %ld: article %zu after the stop has %d, not %d", k, i, res[i].status, rc);
      ok += stop == N && res[i].status == ND_OK;
    }
    if (rc) { ASSERT(stop < N); stops++; }
    else ASSERT(stop == N);
    int crc = nd_commit(ix);
    nd_stats st;
    ASSERT_OK(nd_stats_get(ix, &st));
    if (!crc && st.articles != ok) TEST_FAIL_("k %ld: %llu articles committed, %zu added", k, (unsigned long long)st.articles, ok);
    nd_close(ix);
    ASSERT_OK(nd_check(dir, NULL, NULL, NULL));
    rm_rf(dir);
  }
  fprintf(stderr, "  %d batches stopped by a failing allocation\n", stops);
  ASSERT(stops > 10);
}

static void test_arguments(void) {
  char dir[64];
  snprintf(dir, sizeof dir, "/tmp/ndpar-arg-XXXXXX");
  ASSERT(mkdtemp(dir));
  rmdir(dir);
  nd_index *ix;
  ASSERT_OK(nd_open(dir, ND_OPEN_CREATE, NULL, &ix));
  nd_add_result res[2];
  ASSERT_OK(nd_add_batch(ix, NULL, 0, res));
  nd_doc d[2] = {{.body = NULL}, {.title = "Only", .body = "one article with a body"}};
  ASSERT_OK(nd_add_batch(ix, d, 2, res));
  ASSERT_EQ_INT(res[0].status, ND_ERR_INVALID);
  ASSERT_EQ_STR(res[0].message, "empty article");
  ASSERT(res[0].id == NULL);
  ASSERT_EQ_INT(res[1].status, ND_OK);
  ASSERT_EQ_STR(res[1].message, "");
  ASSERT(res[1].id && res[1].id[0] == 'h');
  ASSERT_OK(nd_commit(ix));
  nd_close(ix);
  ASSERT_OK(nd_open(dir, 0, NULL, &ix));
  ASSERT_EQ_INT(nd_add_batch(ix, d, 2, res), ND_ERR_READONLY);
  nd_close(ix);
  rm_rf(dir);
}

static void test_cleanup(void) {
  outcome_free(&g_out[0]);
  outcome_free(&g_out[1]);
  rm_rf(g_dirs[0]);
  rm_rf(g_dirs[1]);
  for (size_t i = 0; i < g_nstore; i++) free(g_store[i]);
  g_nstore = 0;
}

TEST_MAIN(TEST(test_input), TEST(test_same_archive), TEST(test_same_archive_merging), TEST(test_last_version_wins),
          TEST(test_oom), TEST(test_arguments), TEST(test_cleanup))
