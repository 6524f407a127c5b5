/*
** match.c -- comparing a chosen topic with an editor's term (see
** docs/linking.md, "Matching").
**
** Both are normalised the same way: split into words as the linker splits
** text, possessives dropped, periods removed ("U.S." = "US"), case-folded,
** joined by single spaces.  With an analyzer the words are its index terms
** instead (folded and stemmed: "missions" = "mission").  Exact: equal
** normalised texts.  Lenient: the words of one are a contiguous run of the
** words of the other.
*/
#include <string.h>

#include "../util/buf.h"
#include "../util/mem.h"
#include "../text/analyze.h"
#include "link.h"

static int put_term(void *ctx, const an_token *t) {
  buf *b = ctx;
  if (t->joined) return 0;
  if (b->n) buf_putc(b, ' ');
  buf_put(b, t->term, t->len);
  return 0;
}

char *lk_norm(const char *s, analyzer *an) {
  lk_words w;
  char low[256];
  buf b;
  buf_init(&b);
  if (an) {
    if (an_analyze(an, s, strlen(s), 0, put_term, &b, NULL)) b.oom = 1;
    buf_cstr(&b);
    if (b.oom) { buf_free(&b); return NULL; }
    return buf_detach(&b);
  }
  if (lk_split(s, strlen(s), &w)) return NULL;
  for (size_t i = 0; i < w.n; i++) {
    size_t m = lk_lower(s + w.w[i].start, w.w[i].end - w.w[i].start, low, sizeof low);
    if (b.n) buf_putc(&b, ' ');
    for (size_t j = 0; j < m; j++)
      if (low[j] != '.') buf_putc(&b, (uint8_t)low[j]);
  }
  lk_words_free(&w);
  buf_cstr(&b);
  if (b.oom) { buf_free(&b); return NULL; }
  return buf_detach(&b);
}

/* Is the normalised text a a run of whole words of b? */
static int run_of(const char *a, const char *b) {
  size_t n = strlen(a);
  if (!n) return 0;
  for (const char *p = strstr(b, a); p; p = strstr(p + 1, a))
    if ((p == b || p[-1] == ' ') && (p[n] == 0 || p[n] == ' ')) return 1;
  return 0;
}

int lk_match(const char *a, const char *b, int lenient, analyzer *an) {
  char *x = lk_norm(a, an), *y = lk_norm(b, an);
  int r = 0;
  if (x && y && *x && *y) r = !strcmp(x, y) || (lenient && (run_of(x, y) || run_of(y, x)));
  mem_free(x);
  mem_free(y);
  return r;
}
