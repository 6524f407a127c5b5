/*
** fuzz_query.c -- libFuzzer target: the query parser and query execution.
**
** Each input is a query: parsed with qp_parse (checked to fail cleanly or
** give a tree), then run with nd_search on a small archive of invented
** articles built at start-up, with snippets, sorted both ways.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "newsdex.h"
#include "query/parse.h"
#include "text/analyze.h"

static analyzer *AN;
static nd_index *IX;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
  static char dir[64];
  snprintf(dir, sizeof dir, "/tmp/ndfuzzq-%d", (int)getpid());
  nd_index *w;
  if (nd_open(dir, ND_OPEN_CREATE, NULL, &w)) abort();
  static const nd_doc DOCS[] = {
      {.id = "a", .title = "Harbour council meets", .date = "2004-03-01", .source = "Ledger",
       .body = "The harbour council met on Monday. Storm damage to the e-mail system was discussed."},
      {.id = "b", .title = "Storm over the harbour", .date = "1999-12-31T23:00:00Z", .source = "Wire",
       .body = "A storm closed the harbour; the council said repairs would cost 35,000 euros."},
      {.id = "c", .body = "Café owners in Zürich protest \u00e9t\u00e9 prices; naïve coöperation ﬁne."},
  };
  for (size_t i = 0; i < sizeof DOCS / sizeof *DOCS; i++)
    if (nd_add(w, &DOCS[i], NULL)) abort();
  if (nd_commit(w)) abort();
  nd_close(w);
  if (nd_open(dir, 0, NULL, &IX)) abort();
  /* The handle keeps its files mapped: the directory can go now. */
  static const char *const F[] = {"MANIFEST", "LOCK", "s000001.dic", "s000001.doc", "s000001.pos",
                                  "s000001.fld", "s000001.sto", "s000001.meta"};
  char path[128];
  for (size_t i = 0; i < sizeof F / sizeof *F; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, F[i]);
    unlink(path);
  }
  rmdir(dir);
  AN = an_new("english");
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *q = malloc(size + 1);
  memcpy(q, data, size);
  q[size] = 0;
  qnode *n = NULL;
  char err[256];
  size_t off = 0;
  if (qp_parse(AN, q, &n, err, sizeof err, &off) == 0) {
    char dump[512];
    qnode_dump(n, dump, sizeof dump);
    qnode_free(n);
  } else if (off > size || !err[0]) {
    abort(); /* a failure must say what and where */
  }
  for (int sort = 0; sort < 2; sort++) {
    nd_search_options o = {.limit = 5, .sort = sort, .snippets = sort ? ND_SNIPPET_HTML : ND_SNIPPET_PLAIN};
    nd_results *r;
    if (nd_search(IX, q, &o, &r) == ND_OK) {
      for (size_t i = 0; i < nd_results_count(r); i++) {
        nd_hit h;
        if (nd_results_hit(r, i, &h) || !h.id || !h.snippet) abort();
      }
      if (nd_results_total(r) > 3) abort(); /* three articles */
      nd_results_free(r);
    }
  }
  free(q);
  return 0;
}
