/*
** embed.c -- the smallest program that embeds newsdex.
**
** Creates an archive in the directory given as argv[1], adds two articles,
** commits, searches, prints the hits and fetches one article back.
**
**   cc embed.c $(pkg-config --cflags --libs newsdex) -o embed && ./embed /tmp/demo
*/
#include <newsdex.h>
#include <stdio.h>

static int check(nd_index *ix, int rc, const char *what) {
  if (rc != ND_OK) fprintf(stderr, "%s: %s (%s)\n", what, nd_strerror(rc), nd_errmsg(ix));
  return rc != ND_OK;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s ARCHIVE-DIR\n", argv[0]);
    return 2;
  }
  nd_index *ix;
  if (check(NULL, nd_open(argv[1], ND_OPEN_CREATE, NULL, &ix), "open")) return 1;

  nd_doc a = {.id = "demo-1", .title = "Harbour reopens after the storm", .date = "2004-07-14",
              .source = "Demo Gazette", .body = "The harbour reopened on Tuesday after storm damage was repaired."};
  nd_doc b = {.id = "demo-2", .title = "Council votes on harbour fees", .date = "2004-07-20",
              .source = "Demo Gazette", .body = "The council voted on harbour fees (search) for next year."};
  if (check(ix, nd_add(ix, &a, NULL), "add") || check(ix, nd_add(ix, &b, NULL), "add") ||
      check(ix, nd_commit(ix), "commit")) {
    nd_close(ix);
    return 1;
  }

  nd_search_options opts = {.limit = 10, .snippets = ND_SNIPPET_PLAIN, .hl_open = "*", .hl_close = "*"};
  nd_results *res;
  if (check(ix, nd_search(ix, "harbour date:2004-07", &opts, &res), "search")) {
    nd_close(ix);
    return 1;
  }
  printf("%llu hits\n", (unsigned long long)nd_results_total(res));
  for (size_t i = 0; i < nd_results_count(res); i++) {
    nd_hit h;
    nd_results_hit(res, i, &h);
    printf("%zu. %s [%s] %.3f\n   %s\n", i + 1, h.title, h.id, h.score, h.snippet);
  }
  nd_results_free(res);

  nd_document *d;
  if (!check(ix, nd_get(ix, "demo-2", &d), "get")) {
    const nd_doc *v = nd_document_doc(d);
    printf("demo-2 body: %s\n", v->body);
    for (size_t i = 0; i < v->n_marked; i++) printf("demo-2 marked: %s\n", v->marked[i]);
    nd_document_free(d);
  }
  nd_close(ix);
  return 0;
}
