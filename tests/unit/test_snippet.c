/*
** test_snippet.c -- snippet_make() (src/present/snippet.c) against a
** brute force: for articles of the fixtures (and the news sample when it
** is there) and term sets drawn from each article's own words, every word
** of the snippet is analysed again, on its own analyser with nothing
** skipped, and a word is marked exactly when its stem is one of the terms
** or it starts with one of the prefixes (or is part of a hyphenated
** compound whose joined form matches).  Snippets make only the words that
** could match go through the stemmer (an_stem_filter): this proves the
** shortcut changes nothing.  Also: Snowball English keeps every word's
** first byte (checked on the system's word list), which the shortcut
** relies on.
*/
#include <stdio.h>

#include "ingest/ingest.h"
#include "present/snippet.h"
#include "test.h"
#include "testdata.h"
#include "text/analyze.h"
#include "util/buf.h"
#include "util/mem.h"

#define OPEN "\x01"
#define CLOSE "\x02"

typedef struct tok {
  char term[AN_MAX_TERM * 4 + 8];
  uint32_t start, end;
  int joined;
} tok;

typedef struct toks {
  tok *t;
  size_t n, cap;
} toks;

static int collect(void *ctx, const an_token *t) {
  toks *ts = ctx;
  if (mem_grow(&ts->t, &ts->cap, ts->n, sizeof *ts->t)) return -1;
  tok *k = &ts->t[ts->n++];
  snprintf(k->term, sizeof k->term, "%.*s", (int)t->len, t->term);
  k->start = t->start;
  k->end = t->end;
  k->joined = t->joined;
  return 0;
}

static int is_term(const hl_terms *h, const char *term) {
  for (size_t i = 0; i < h->n; i++)
    if (!strcmp(h->terms[i], term)) return 1;
  return 0;
}

static int has_prefix(analyzer *an, const hl_terms *h, const char *text, const tok *k) {
  char folded[AN_MAX_TERM * 4 + 8];
  size_t n = an_fold(an, text + k->start, k->end - k->start, folded, sizeof folded);
  for (size_t i = 0; i < h->np; i++) {
    size_t pl = strlen(h->prefixes[i]);
    if ((strlen(k->term) >= pl && !strncmp(k->term, h->prefixes[i], pl)) || (n >= pl && !strncmp(folded, h->prefixes[i], pl)))
      return 1;
  }
  return 0;
}

/* Check one snippet of body for terms h; the failure names the article. */
static void check_snippet(const char *id, const char *body, const hl_terms *h, size_t *marked) {
  analyzer *fast = an_new("english"), *ref = an_new("english");
  ASSERT(fast && ref);
  buf sn;
  buf_init(&sn);
  ASSERT_OK(snippet_make(fast, body, h, ND_SNIPPET_PLAIN, 240, OPEN, CLOSE, &sn));
  /* The snippet's text without the marks, and where the marks were. */
  const char *s = buf_cstr(&sn);
  size_t n = strlen(s);
  char *text = mem_alloc(n + 1);
  unsigned char *in = mem_calloc(n + 1, 1); /* byte of text inside a mark */
  ASSERT(text && in);
  size_t m = 0;
  int inside = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == OPEN[0]) { inside = 1; continue; }
    if (s[i] == CLOSE[0]) { inside = 0; continue; }
    in[m] = (unsigned char)inside;
    text[m++] = s[i];
  }
  text[m] = 0;
  toks ts = {0};
  ASSERT(an_analyze(ref, text, m, 0, collect, &ts, NULL) == 0);
  for (size_t i = 0; i < ts.n; i++) {
    tok *k = &ts.t[i];
    if (k->joined) continue;
    int want = is_term(h, k->term) || has_prefix(ref, h, text, k);
    /* a part of a compound whose joined form matches is marked too */
    for (size_t j = 0; !want && j < ts.n; j++)
      if (ts.t[j].joined && ts.t[j].start <= k->start && ts.t[j].end >= k->end &&
          (is_term(h, ts.t[j].term) || has_prefix(ref, h, text, &ts.t[j])))
        want = 1;
    int got = in[k->start];
    if (got != want) {
      fprintf(stderr, "  %s: word \"%.*s\" (stem %s) %s\n  snippet: %s\n", id, (int)(k->end - k->start), text + k->start,
              k->term, want ? "not marked" : "marked", text);
      TEST_FAIL_("snippet marks differ from the brute force");
    }
    *marked += (size_t)got;
  }
  mem_free(ts.t);
  mem_free(text);
  mem_free(in);
  buf_free(&sn);
  an_free(fast);
  an_free(ref);
}

typedef struct run {
  size_t docs, marked;
  analyzer *an;
  int failed;
} run;

/* Terms: the stems of the body's 3rd, 10th and 25th words (when there),
** and a prefix: the first three letters of its 5th word. */
static int one(void *ctx, const nd_doc *d, const char *file, uint64_t line) {
  run *r = ctx;
  if (!d->body || r->docs >= 400) return 0;
  toks ts = {0};
  if (an_analyze(r->an, d->body, strlen(d->body), 0, collect, &ts, NULL)) return -1;
  hl_terms h = {0};
  char *terms[3], *pre[1];
  size_t picks[3] = {3, 10, 25};
  for (size_t i = 0; i < 3; i++)
    if (picks[i] < ts.n) terms[h.n++] = ts.t[picks[i]].term;
  char p3[8] = "";
  if (ts.n > 5) {
    char folded[AN_MAX_TERM * 4 + 8];
    size_t fn = an_fold(r->an, d->body + ts.t[5].start, ts.t[5].end - ts.t[5].start, folded, sizeof folded);
    if (fn >= 3) snprintf(p3, sizeof p3, "%.3s", folded), pre[0] = p3, h.np = 1;
  }
  h.terms = terms;
  h.prefixes = pre;
  check_snippet(d->id ? d->id : "?", d->body, &h, &r->marked);
  mem_free(ts.t);
  r->docs++;
  (void)file;
  (void)line;
  return 0;
}

static void on_error(void *ctx, const char *file, uint64_t line, const char *reason) {
  (void)ctx;
  fprintf(stderr, "  %s:%llu: %s\n", file, (unsigned long long)line, reason);
}

static void run_file(const char *path) {
  run r = {0};
  r.an = an_new("english");
  ASSERT(r.an);
  ASSERT_OK(ingest_path(path, one, on_error, &r, NULL));
  an_free(r.an);
  printf("  %s: %zu articles, %zu words marked\n", path, r.docs, r.marked);
  ASSERT(r.docs > 0 && r.marked > 0);
}

static void test_fixtures(void) {
  char path[1024];
  run_file(test_fixture(path, sizeof path, "news.jsonl"));
}

static void test_news_sample(void) {
  char path[1024], why[1100];
  if (!test_real_data(path, sizeof path, "news/sample-1000.jsonl", why, sizeof why)) TEST_SKIP_("%s", why);
  run_file(path);
}

static int first_byte(void *ctx, const an_token *t) {
  const char *word = ctx;
  if (!t->joined && t->len && t->term[0] != word[0]) {
    fprintf(stderr, "  \"%s\" stems to \"%.*s\"\n", word, (int)t->len, t->term);
    return 1;
  }
  return 0;
}

static void test_english_keeps_first_byte(void) {
  FILE *f = fopen("/usr/share/dict/words", "r");
  if (!f) TEST_SKIP_("no /usr/share/dict/words (Debian's wamerican)");
  analyzer *a = an_new("english"), *none = an_new("none");
  ASSERT(a && none && an_stem_keeps_first(a) && !an_stem_keeps_first(none));
  char line[256], folded[AN_MAX_TERM * 4 + 8];
  size_t words = 0, bad = 0;
  while (fgets(line, sizeof line, f)) {
    size_t n = strcspn(line, "\r\n");
    size_t fn = an_fold(a, line, n, folded, sizeof folded - 1);
    if (!fn) continue;
    folded[fn] = 0;
    words++;
    if (an_analyze(a, folded, fn, 0, first_byte, folded, NULL)) bad++;
  }
  fclose(f);
  an_free(a);
  an_free(none);
  printf("  %zu words\n", words);
  ASSERT(words > 1000);
  ASSERT_EQ_INT(bad, 0);
}

static int put(void *ctx, const an_token *t) {
  buf *b = ctx;
  if (b->n) buf_putc(b, ' ');
  buf_printf(b, "%.*s", (int)t->len, t->term);
  return 0;
}

static void test_filter(void) {
  analyzer *a = an_new("english");
  ASSERT(a);
  unsigned char first[256] = {0};
  first['s'] = 1;
  an_stem_filter(a, first);
  buf b;
  buf_init(&b);
  const char *text = "Sailing ships running nations";
  ASSERT_OK(an_analyze(a, text, strlen(text), 0, put, &b, NULL));
  ASSERT_EQ_STR(buf_cstr(&b), "sail ship running nations");
  an_stem_filter(a, NULL);
  buf_reset(&b);
  ASSERT_OK(an_analyze(a, text, strlen(text), 0, put, &b, NULL));
  ASSERT_EQ_STR(buf_cstr(&b), "sail ship run nation");
  buf_free(&b);
  an_free(a);
}

TEST_MAIN(TEST(test_english_keeps_first_byte), TEST(test_filter), TEST(test_fixtures), TEST(test_news_sample))
