/*
** fuzz_segment.c -- libFuzzer target: opening and searching a segment
** built from fuzzed bytes.
**
** At start-up a one-segment archive of invented articles is written; its
** files are kept in memory.  An input is one byte choosing a file (the
** five data files of the segment, its meta, its deletion file, MANIFEST)
** followed by that file's new content.  The content is written in place of
** the file and, for a data file, the meta's size and checksum of that file
** are recomputed ("resealed"), so that the readers' structural checks are
** what stands between the bytes and a crash.  Then the archive is opened,
** searched, fetched from and checked; nothing may crash, and a search
** that succeeds must return at most the archive's number of articles.
** Seeds: ND_FUZZ_SEEDS=DIR makes the start-up write one seed per file kind
** into DIR (tests/fuzz/corpus/segment/ was made so).
*/
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index/segment.h"
#include "newsdex.h"
#include "util/buf.h"
#include "util/file.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NFILES 8
static const char *const NAMES[NFILES] = {"s000001.dic", "s000001.doc", "s000001.pos", "s000001.fld",
                                          "s000001.sto", "s000001.meta", "s000001_000002.del", "MANIFEST"};
static char DIR_[64];
static buf ORIG[NFILES];

static void put(const char *name, const void *p, size_t n) {
  char path[128];
  snprintf(path, sizeof path, "%s/%s", DIR_, name);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0 || (n && write(fd, p, n) != (ssize_t)n)) abort();
  close(fd);
}

static void cleanup(void) {
  char path[128];
  for (int k = 0; k < NFILES; k++) {
    snprintf(path, sizeof path, "%s/%s", DIR_, NAMES[k]);
    unlink(path);
  }
  snprintf(path, sizeof path, "%s/LOCK", DIR_);
  unlink(path);
  rmdir(DIR_);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  snprintf(DIR_, sizeof DIR_, "/tmp/ndfuzzs-%d", (int)getpid());
  nd_index *w;
  nd_open_options o = {.merge_factor = 1};
  if (nd_open(DIR_, ND_OPEN_CREATE, &o, &w)) abort();
  char id[16], body[300];
  static const char *const WORDS[] = {"harbour", "council", "storm", "market", "e-mail", "Zürich", "café", "35,000"};
  for (int i = 0; i < 150; i++) { /* more than one postings block for common words */
    snprintf(id, sizeof id, "n%d", i);
    snprintf(body, sizeof body, "Report %d: the %s and the %s; %s again. Council said harbour.", i, WORDS[i % 8],
             WORDS[(i * 3) % 8], WORDS[(i * 5) % 8]);
    nd_doc d = {.id = id, .title = i % 3 ? WORDS[i % 8] : NULL, .date = i % 4 ? "2001-02-03" : NULL,
                .source = i % 2 ? "Ledger" : "Wire", .body = body};
    if (nd_add(w, &d, NULL)) abort();
  }
  if (nd_commit(w) || nd_delete(w, "n5") || nd_commit(w)) abort();
  nd_close(w);
  atexit(cleanup);
  const char *seeds = getenv("ND_FUZZ_SEEDS");
  for (int k = 0; k < NFILES; k++) {
    char path[128];
    snprintf(path, sizeof path, "%s/%s", DIR_, NAMES[k]);
    buf_init(&ORIG[k]);
    if (read_file(path, &ORIG[k])) { fprintf(stderr, "fuzz_segment: no %s\n", path); abort(); }
    if (seeds) {
      snprintf(path, sizeof path, "%s/seed-%d", seeds, k);
      FILE *f = fopen(path, "wb");
      fputc(k, f);
      fwrite(ORIG[k].p, 1, ORIG[k].n, f);
      fclose(f);
    }
  }
  return 0;
}

static void on_problem(void *ctx, const char *msg) {
  if (!*msg) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 1) return 0;
  int k = data[0] % NFILES;
  put(NAMES[k], data + 1, size - 1);
  if (k < SF_COUNT) { /* reseal: the meta vouches for the new bytes */
    buf m;
    buf_init(&m);
    buf_put(&m, ORIG[5].p, ORIG[5].n);
    wr_u64(m.p + 8 + 8 * (11 + 2 * k), size - 1);
    wr_u64(m.p + 8 + 8 * (12 + 2 * k), hash64(data + 1, size - 1));
    wr_u64(m.p + m.n - 8, hash64(m.p, m.n - 8));
    put(NAMES[5], m.p, m.n);
    buf_free(&m);
  }
  nd_index *ix;
  if (nd_open(DIR_, 0, NULL, &ix) == ND_OK) {
    static const char *const Q[] = {"harbour", "council OR storm", "\"the harbour\"", "ca*", "title:storm",
                                     "date:2001 market", "source:ledger -storm", "email"};
    nd_search_options so = {.limit = 4, .snippets = ND_SNIPPET_PLAIN};
    for (size_t i = 0; i < sizeof Q / sizeof *Q; i++) {
      nd_results *r;
      so.sort = (int)(i % 2);
      if (nd_search(ix, Q[i], &so, &r) == ND_OK) {
        if (nd_results_total(r) > 150) abort();
        nd_results_free(r);
      } else if (!*nd_errmsg(ix)) {
        abort();
      }
    }
    for (int i = 0; i < 150; i += 13) {
      char id[16];
      snprintf(id, sizeof id, "n%d", i);
      nd_document *d;
      if (nd_get(ix, id, &d) == ND_OK) nd_document_free(d);
    }
  }
  nd_close(ix);
  nd_check(DIR_, on_problem, NULL, NULL);
  put(NAMES[k], ORIG[k].p, ORIG[k].n);
  if (k < SF_COUNT) put(NAMES[5], ORIG[5].p, ORIG[5].n);
  return 0;
}
