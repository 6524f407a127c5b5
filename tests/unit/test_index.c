/*
** test_index.c -- the archive through the library: commits, updates,
** deletes, snapshots, locking, validation, crash leftovers, merging,
** allocation failures and every stemming language.
*/
#include <dirent.h>
#include <libstemmer.h>
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "index/index.h"
#include "newsdex.h"
#include "test.h"
#include "util/mem.h"
#include "testfs.h"

static char g_dir[64];

static const char *fresh_dir(void) {
  snprintf(g_dir, sizeof g_dir, "/tmp/ndtest-XXXXXX");
  if (!mkdtemp(g_dir)) abort();
  rmdir(g_dir); /* nd_open creates it */
  return g_dir;
}


static nd_index *open_w(const char *dir, size_t buffer) {
  nd_index *ix;
  nd_open_options o = {.buffer_bytes = buffer, .merge_factor = 1};
  int rc = nd_open(dir, ND_OPEN_CREATE, &o, &ix);
  if (rc) { fprintf(stderr, "open: %s\n", nd_errmsg(ix)); nd_close(ix); return NULL; }
  return ix;
}

static uint64_t count(nd_index *ix, const char *q) {
  nd_results *r;
  if (nd_search(ix, q, NULL, &r)) return UINT64_MAX;
  uint64_t n = nd_results_total(r);
  nd_results_free(r);
  return n;
}

static int add(nd_index *ix, const char *id, const char *title, const char *date, const char *body) {
  nd_doc d = {.id = id, .title = title, .date = date, .source = "Test Wire", .body = body};
  return nd_add(ix, &d, NULL);
}

static void test_roundtrip(void) {
  const char *dir = fresh_dir();
  nd_index *ix = open_w(dir, 0);
  ASSERT(ix);
  const char *marked[] = {"Jane Roe"};
  nd_doc d = {.id = "a1", .title = "Café owners protest", .date = "2004-07-14T09:30:00+02:00", .source = "Ledger",
              .url = "https://example.org/a1", .body = "Owners of the café (search) met José Müller — 35,000 signed.\nSecond paragraph.",
              .extra_json = "{\"section\":\"local\"}", .marked = marked, .n_marked = 1};
  const char *id;
  ASSERT_OK(nd_add(ix, &d, &id));
  ASSERT_EQ_STR(id, "a1");
  ASSERT_OK(nd_commit(ix));
  nd_close(ix);
  ASSERT_OK(nd_open(dir, 0, NULL, &ix));
  nd_document *doc;
  ASSERT_OK(nd_get(ix, "a1", &doc));
  const nd_doc *v = nd_document_doc(doc);
  ASSERT_EQ_STR(v->title, d.title);
  ASSERT_EQ_STR(v->date, d.date);
  ASSERT_EQ_STR(v->url, d.url);
  ASSERT_EQ_STR(v->extra_json, d.extra_json);
  ASSERT_EQ_STR(v->body, "Owners of the café met José Müller — 35,000 signed.\nSecond paragraph.");
  ASSERT_EQ_INT(v->n_marked, 2);
  ASSERT_EQ_STR(v->marked[0], "Jane Roe");
  ASSERT_EQ_STR(v->marked[1], "café");
  nd_document_free(doc);
  ASSERT_EQ_INT(count(ix, "müller"), 1);
  ASSERT_EQ_INT(count(ix, "MÜLLER 35000"), 1);
  ASSERT_EQ_INT(count(ix, "search"), 0);
  ASSERT_EQ_INT(count(ix, "date:2004-07-14"), 1);
  ASSERT_EQ_INT(nd_get(ix, "nope", &doc), ND_ERR_NOTFOUND);
  nd_close(ix);
  rm_rf(dir);
}

static void test_update_delete(void) {
  const char *dir = fresh_dir();
  nd_index *ix = open_w(dir, 0);
  ASSERT(ix);
  ASSERT_OK(add(ix, "x", "One", "2001-01-01", "alpha text"));
  ASSERT_OK(add(ix, "y", "Two", "2002-01-01", "beta text"));
  ASSERT_OK(add(ix, "x", "One again", "2003-01-01", "gamma text")); /* replaces in the buffer */
  ASSERT_OK(nd_commit(ix));
  ASSERT_EQ_INT(count(ix, "text"), 2);
  ASSERT_EQ_INT(count(ix, "alpha"), 0);
  ASSERT_OK(add(ix, "y", "Two again", NULL, "delta text")); /* replaces a committed one */
  ASSERT_OK(nd_commit(ix));
  ASSERT_EQ_INT(count(ix, "text"), 2);
  ASSERT_EQ_INT(count(ix, "beta"), 0);
  ASSERT_EQ_INT(count(ix, "delta"), 1);
  ASSERT_OK(nd_delete(ix, "x"));
  ASSERT_EQ_INT(nd_delete(ix, "x"), ND_ERR_NOTFOUND);
  ASSERT_EQ_INT(nd_delete(ix, "zzz"), ND_ERR_NOTFOUND);
  ASSERT_EQ_INT(count(ix, "gamma"), 1); /* not committed yet: the snapshot still has it */
  ASSERT_OK(nd_commit(ix));
  ASSERT_EQ_INT(count(ix, "gamma"), 0);
  nd_stats st;
  nd_stats_get(ix, &st);
  ASSERT_EQ_INT(st.articles, 1);
  ASSERT_OK(nd_optimize(ix));
  nd_stats_get(ix, &st);
  ASSERT_EQ_INT(st.segments, 1);
  ASSERT_EQ_INT(st.deleted, 0);
  ASSERT_EQ_INT(count(ix, "text"), 1);
  ASSERT_OK(nd_delete(ix, "y"));
  ASSERT_OK(nd_optimize(ix));
  nd_stats_get(ix, &st);
  ASSERT_EQ_INT(st.articles, 0);
  ASSERT_EQ_INT(count(ix, "text"), 0);
  nd_close(ix);
  rm_rf(dir);
}

static void test_locking_and_readonly(void) {
  const char *dir = fresh_dir();
  nd_index *w = open_w(dir, 0), *w2, *r;
  ASSERT(w);
  ASSERT_EQ_INT(nd_open(dir, ND_OPEN_WRITE, NULL, &w2), ND_ERR_LOCKED);
  ASSERT(strstr(nd_errmsg(w2), "another writer"));
  nd_close(w2);
  /* Another process cannot write either. */
  pid_t pid = fork();
  if (pid == 0) {
    nd_index *c;
    int rc = nd_open(dir, ND_OPEN_WRITE, NULL, &c);
    nd_close(c);
    _exit(rc == ND_ERR_LOCKED ? 0 : 1);
  }
  int status;
  waitpid(pid, &status, 0);
  ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_OK(nd_open(dir, 0, NULL, &r));
  ASSERT_EQ_INT(add(r, "a", "t", NULL, "body"), ND_ERR_READONLY);
  ASSERT_EQ_INT(nd_delete(r, "a"), ND_ERR_READONLY);
  ASSERT_EQ_INT(nd_commit(r), ND_ERR_READONLY);
  /* A reader keeps its snapshot until it refreshes. */
  ASSERT_OK(add(w, "a", "t", NULL, "body words"));
  ASSERT_OK(nd_commit(w));
  ASSERT_EQ_INT(count(r, "words"), 0);
  ASSERT_OK(nd_refresh(r));
  ASSERT_EQ_INT(count(r, "words"), 1);
  nd_close(w);
  ASSERT_OK(nd_open(dir, ND_OPEN_WRITE, NULL, &w2)); /* the lock is released on close */
  nd_close(w2);
  nd_close(r);
  ASSERT_EQ_INT(nd_open("/tmp/nd-does-not-exist-here", 0, NULL, &r), ND_ERR_NOTFOUND);
  nd_close(r);
  rm_rf(dir);
}

static void test_validation(void) {
  const char *dir = fresh_dir();
  nd_index *ix = open_w(dir, 0);
  ASSERT(ix);
  ASSERT_OK(add(ix, "keep", "Kept", "2004-01-01", "kept article"));
  ASSERT_OK(nd_commit(ix));
  nd_doc nobody = {.id = "b"};
  ASSERT_EQ_INT(nd_add(ix, &nobody, NULL), ND_ERR_INVALID);
  ASSERT_EQ_INT(add(ix, "b", "t", "2004-13-01", "x"), ND_ERR_INVALID);
  ASSERT(strstr(nd_errmsg(ix), "date"));
  ASSERT_EQ_INT(add(ix, "b", "t", "yesterday", "x"), ND_ERR_INVALID);
  ASSERT_EQ_INT(add(ix, "b", "t\xff", NULL, "x"), ND_ERR_INVALID);
  ASSERT(strstr(nd_errmsg(ix), "title"));
  ASSERT_EQ_INT(add(ix, "b", "t", NULL, "bad \xc3\x28 utf8"), ND_ERR_INVALID);
  ASSERT_EQ_INT(add(ix, "", "t", NULL, "x"), ND_ERR_INVALID);
  ASSERT_OK(nd_commit(ix));
  ASSERT_EQ_INT(count(ix, "kept"), 1);
  nd_stats st;
  nd_stats_get(ix, &st);
  ASSERT_EQ_INT(st.articles, 1);
  /* Missing ids are derived from the content, stably. */
  const char *id1, *id2;
  char saved[64];
  nd_doc anon = {.title = "Anon", .body = "same content"};
  ASSERT_OK(nd_add(ix, &anon, &id1));
  snprintf(saved, sizeof saved, "%s", id1);
  ASSERT_OK(nd_add(ix, &anon, &id2));
  ASSERT_EQ_STR(saved, id2);
  ASSERT_OK(nd_commit(ix));
  ASSERT_EQ_INT(count(ix, "same content"), 1);
  nd_results *r;
  ASSERT_EQ_INT(nd_search(ix, "kept OR (", NULL, &r), ND_ERR_QUERY);
  ASSERT_EQ_INT(nd_error_offset(ix), 8);
  nd_close(ix);
  rm_rf(dir);
}

static int count_files(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  struct dirent *e;
  while (d && (e = readdir(d))) n += e->d_name[0] == 's';
  if (d) closedir(d);
  return n;
}

/* A writer killed after flushing segments but before its commit leaves
** orphaned files; the archive stays at its last commit and the next
** writer removes them. */
static void test_crash_leftovers(void) {
  const char *dir = fresh_dir();
  nd_index *ix = open_w(dir, 0);
  ASSERT(ix);
  ASSERT_OK(add(ix, "c0", "t", NULL, "committed before the crash"));
  ASSERT_OK(nd_commit(ix));
  nd_close(ix);
  int before = count_files(dir);
  pid_t pid = fork();
  if (pid == 0) {
    nd_index *c = open_w(dir, 4096); /* tiny buffer: every few adds write a segment */
    char id[32], body[128];
    for (int i = 0; i < 200; i++) {
      snprintf(id, sizeof id, "n%d", i);
      snprintf(body, sizeof body, "uncommitted article number %d with some words", i);
      add(c, id, "t", NULL, body);
    }
    nd_delete(c, "c0");
    kill(getpid(), SIGKILL);
    _exit(1);
  }
  int status;
  waitpid(pid, &status, 0);
  ASSERT(WIFSIGNALED(status));
  ASSERT(count_files(dir) > before);
  nd_index *r;
  ASSERT_OK(nd_open(dir, 0, NULL, &r));
  ASSERT_EQ_INT(count(r, "uncommitted"), 0);
  ASSERT_EQ_INT(count(r, "committed"), 1);
  nd_close(r);
  ix = open_w(dir, 0);
  ASSERT(ix);
  ASSERT_EQ_INT(count_files(dir), before);
  for (size_t i = 0; i < ix->snap.n; i++) {
    char err[256];
    ASSERT_OK(seg_verify(&ix->snap.segs[i].seg, err, sizeof err));
  }
  nd_close(ix);
  rm_rf(dir);
}

/* Many small segments, merged: every article is still found, verify passes. */
static void test_segments_and_merge(void) {
  const char *dir = fresh_dir();
  nd_index *ix = open_w(dir, 8192);
  ASSERT(ix);
  char id[32], body[256];
  for (int i = 0; i < 600; i++) {
    snprintf(id, sizeof id, "d%d", i);
    snprintf(body, sizeof body, "article %d %s %s common", i, i % 2 ? "odd" : "even", i % 3 ? "x" : "three");
    ASSERT_OK(add(ix, id, i % 5 ? "plain" : "fifth title", i % 7 ? "2005-03-04" : NULL, body));
    if (i % 150 == 149) ASSERT_OK(nd_commit(ix));
  }
  ASSERT_OK(nd_commit(ix));
  for (int i = 0; i < 600; i += 4) {
    snprintf(id, sizeof id, "d%d", i);
    ASSERT_OK(nd_delete(ix, id));
  }
  ASSERT_OK(nd_commit(ix));
  nd_stats st;
  nd_stats_get(ix, &st);
  ASSERT(st.segments > 3);
  uint64_t even = count(ix, "even"), odd = count(ix, "odd"), three = count(ix, "three"),
           fifth = count(ix, "title:fifth"), dated = count(ix, "date:2005 common"), phrase = count(ix, "\"odd x\"");
  ASSERT_EQ_INT(even, 150);
  ASSERT_EQ_INT(odd, 300);
  ASSERT_OK(nd_optimize(ix));
  nd_stats_get(ix, &st);
  ASSERT_EQ_INT(st.segments, 1);
  ASSERT_EQ_INT(st.articles, 450);
  ASSERT_EQ_INT(count(ix, "even"), even);
  ASSERT_EQ_INT(count(ix, "odd"), odd);
  ASSERT_EQ_INT(count(ix, "three"), three);
  ASSERT_EQ_INT(count(ix, "title:fifth"), fifth);
  ASSERT_EQ_INT(count(ix, "date:2005 common"), dated);
  ASSERT_EQ_INT(count(ix, "\"odd x\""), phrase);
  char err[256];
  ASSERT_OK(seg_verify(&ix->snap.segs[0].seg, err, sizeof err));
  nd_close(ix);
  rm_rf(dir);
}

/* With automatic merging, many small commits keep few segments. */
static void test_merge_policy(void) {
  const char *dir = fresh_dir();
  nd_index *ix;
  nd_open_options o = {.merge_factor = 4};
  ASSERT_OK(nd_open(dir, ND_OPEN_CREATE, &o, &ix));
  char id[32], body[64];
  size_t most = 0;
  for (int i = 0; i < 120; i++) {
    snprintf(id, sizeof id, "m%d", i);
    snprintf(body, sizeof body, "merged article %d %s", i, i % 2 ? "odd" : "even");
    ASSERT_OK(add(ix, id, "t", NULL, body));
    if (i == 4) ASSERT_OK(nd_delete(ix, "m0"));
    ASSERT_OK(nd_commit(ix));
    nd_stats st;
    nd_stats_get(ix, &st);
    if (st.segments > most) most = st.segments;
  }
  ASSERT(most <= 3 * 4); /* F per tier, about three tiers for 120 articles */
  ASSERT_EQ_INT(count(ix, "merged"), 119);
  ASSERT_EQ_INT(count(ix, "odd"), 60);
  nd_document *d;
  ASSERT_EQ_INT(nd_get(ix, "m0", &d), ND_ERR_NOTFOUND);
  for (size_t i = 0; i < ix->snap.n; i++) {
    char err[256];
    ASSERT_OK(seg_verify(&ix->snap.segs[i].seg, err, sizeof err));
  }
  nd_close(ix);
  rm_rf(dir);
}

/* 1 if every segment and deletion file in dir is named by its MANIFEST:
** nothing a failed or finished operation left behind. */
static int only_named_files(const char *dir) {
  char path[512], line[256];
  unsigned seg[64][2];
  int nseg = 0, ok = 1;
  snprintf(path, sizeof path, "%s/MANIFEST", dir);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  unsigned segno, docs, del, gen;
  while (fgets(line, sizeof line, f) && nseg < 64)
    if (sscanf(line, "segment %u docs %u deleted %u delgen %u", &segno, &docs, &del, &gen) == 4) {
      seg[nseg][0] = segno;
      seg[nseg++][1] = gen;
    }
  fclose(f);
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d))) {
    unsigned n, g;
    char ext[8];
    int named = 0;
    if (sscanf(e->d_name, "s%6u_%6u.de%1[l]", &n, &g, ext) == 3) {
      for (int i = 0; i < nseg; i++) named |= seg[i][0] == n && seg[i][1] == g;
    } else if (sscanf(e->d_name, "s%6u.%7s", &n, ext) == 2) {
      for (int i = 0; i < nseg; i++) named |= seg[i][0] == n && strchr(ext, '.') == NULL;
    } else {
      named = 1;
    }
    if (!named) { fprintf(stderr, "  stray file %s\n", e->d_name); ok = 0; }
  }
  if (d) closedir(d);
  return ok;
}

/* Fail the Nth allocation for every N: errors, never crashes or leaks, the
** archive stays usable at its last commit, nothing is left behind, and
** nothing outside the archive is touched (decoys named like segment files
** sit in the working directory). */
static void test_out_of_memory(void) {
  char cwd[512], decoys[] = "/tmp/ndtest-cwd-XXXXXX";
  ASSERT(getcwd(cwd, sizeof cwd) && mkdtemp(decoys) && chdir(decoys) == 0);
  for (int k = 1; k < 40; k++) {
    char name[32];
    snprintf(name, sizeof name, "s%06d.dic", k);
    FILE *f = fopen(name, "w");
    ASSERT(f);
    fclose(f);
  }
  const char *dir = fresh_dir();
  nd_index *ix = open_w(dir, 0);
  ASSERT(ix);
  ASSERT_OK(add(ix, "base", "Base", "2004-01-01", "the base article stays"));
  ASSERT_OK(nd_commit(ix));
  nd_close(ix);
  int failures = 0;
  for (long n = 0; n < 400; n++) {
    nd_index *w = NULL;
    mem_fail_after(n);
    int rc = nd_open(dir, ND_OPEN_WRITE, NULL, &w);
    if (!rc) rc = add(w, "new", "New", "2004-02-02", "a new article about harbours");
    if (!rc) rc = nd_delete(w, "new");
    if (!rc) rc = add(w, "new", "New", "2004-02-02", "a new article about harbours");
    if (!rc) rc = nd_commit(w);
    nd_results *r = NULL;
    nd_search_options o = {.snippets = ND_SNIPPET_HTML};
    if (!rc) rc = nd_search(w, "harbour* OR base", &o, &r);
    nd_results_free(r);
    mem_fail_after(-1);
    nd_close(w);
    failures += rc != 0;
    if (!only_named_files(dir)) TEST_FAIL_("files left behind after failing allocation %ld (rc %d)", n, rc);
    nd_index *c;
    ASSERT_OK(nd_open(dir, 0, NULL, &c));
    ASSERT_EQ_INT(count(c, "base"), 1);
    nd_close(c);
  }
  ASSERT(failures > 10);
  rm_rf(dir);
  for (int k = 1; k < 40; k++) {
    char name[32];
    snprintf(name, sizeof name, "s%06d.dic", k);
    ASSERT(access(name, F_OK) == 0);
  }
  ASSERT(chdir(cwd) == 0);
  rm_rf(decoys);
}

/* Background segment writes: with a tiny buffer every few articles start
** a write while the next buffer fills; replacing and deleting articles of
** the buffer being written must still leave exactly the latest version of
** each id -- the same archive a one-thread writer makes. */
static void test_background_writes(void) {
  enum { IDS = 60, ROUNDS = 5 };
  uint64_t got[2][IDS + 2];
  for (unsigned threads = 1; threads <= 2; threads++) {
    const char *dir = fresh_dir();
    nd_index *ix;
    nd_open_options o = {.buffer_bytes = 600, .merge_factor = 1, .threads = threads};
    ASSERT_OK(nd_open(dir, ND_OPEN_CREATE, &o, &ix));
    char id[16], body[96];
    for (int r = 0; r < ROUNDS; r++) {
      for (int i = 0; i < IDS; i++) {
        snprintf(id, sizeof id, "a%d", i);
        snprintf(body, sizeof body, "round%d item%d shared words of a short article", r, i);
        ASSERT_OK(add(ix, id, NULL, "2004-05-06", body));
        if (i % 7 == 3) { /* delete one added a moment ago (likely in the buffer being written) */
          snprintf(id, sizeof id, "a%d", i - 2);
          ASSERT_OK(nd_delete(ix, id));
        }
      }
      if (r == 2) ASSERT_OK(nd_commit(ix));
    }
    ASSERT_OK(nd_commit(ix));
    nd_stats st;
    ASSERT_OK(nd_stats_get(ix, &st));
    ASSERT(st.segments > 10); /* the buffer really was written many times */
    got[threads - 1][IDS] = count(ix, "shared");
    got[threads - 1][IDS + 1] = count(ix, "round4");
    for (int i = 0; i < IDS; i++) {
      char q[32];
      snprintf(q, sizeof q, "item%d", i);
      got[threads - 1][i] = count(ix, q);
      ASSERT(got[threads - 1][i] <= 1);
    }
    nd_close(ix);
    rm_rf(dir);
  }
  /* deleted: ids 1, 8, 15, ... (i % 7 == 1), in the last round too */
  ASSERT_EQ_INT(got[0][IDS], IDS - (IDS + 5) / 7);
  for (int i = 0; i < IDS + 2; i++) ASSERT_EQ_INT(got[1][i], got[0][i]);
}

static void test_languages(void) {
  for (const char **l = sb_stemmer_list(); *l; l++) {
    const char *dir = fresh_dir();
    nd_index *ix;
    nd_open_options o = {.language = *l};
    ASSERT_OK(nd_open(dir, ND_OPEN_CREATE, &o, &ix));
    ASSERT_OK(add(ix, "1", "Title", NULL, "running runs nations national"));
    ASSERT_OK(nd_commit(ix));
    nd_close(ix);
    ASSERT_OK(nd_open(dir, 0, NULL, &ix));
    nd_stats st;
    nd_stats_get(ix, &st);
    ASSERT_EQ_STR(st.language, *l);
    ASSERT_EQ_INT(count(ix, "running"), 1);
    ASSERT_EQ_INT(count(ix, "\"runs nations\""), 1);
    nd_close(ix);
    rm_rf(dir);
  }
  nd_index *ix;
  nd_open_options bad = {.language = "klingon"};
  ASSERT_EQ_INT(nd_open(fresh_dir(), ND_OPEN_CREATE, &bad, &ix), ND_ERR_INVALID);
  ASSERT(strstr(nd_errmsg(ix), "klingon"));
  nd_close(ix);
  rm_rf(g_dir);
}

TEST_MAIN(TEST(test_roundtrip), TEST(test_update_delete), TEST(test_locking_and_readonly), TEST(test_validation),
          TEST(test_crash_leftovers), TEST(test_segments_and_merge), TEST(test_merge_policy), TEST(test_out_of_memory), TEST(test_background_writes),
          TEST(test_languages))
