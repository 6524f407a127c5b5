/*
** test_source.c -- the source field as one whole-value keyword term
** (index/srcterm.h).
**
**   - the key and term of a value: case folding (ß, É, ...), white space,
**     control bytes and quotes collapsed, the 120-byte cut on a character
**     boundary, the written form; src_term_problem on good and bad terms;
**   - an archive of a few articles whose sources come in several written
**     forms, spread over three segments: source:"..." in any case and
**     spacing finds exactly the articles with that value (not a longer
**     one, not a single word of it), source:PRE* the values that start
**     with PRE; the source facet counts each value once under its most
**     frequent written form; the same after nd_optimize (a merge), and
**     nd_check finds nothing;
**   - an archive whose segment says it has the previous format
**     ("NDDXMET5") is refused with ND_ERR_VERSION and the message saying
**     it was written by an older version.
** The brute-force check of every source value of the fixture corpus (and
** the real articles when present) is in test_oracle.c (check_sources).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index/segment.h"
#include "index/srcterm.h"
#include "newsdex.h"
#include "test.h"
#include "testfs.h"
#include "testutil.h"

static char DIR_[128];

static const char *key_of(const char *s) {
  static char key[SRC_KEY_MAX + 1];
  size_t n;
  if (src_key(s, strlen(s), key, &n)) return "(no memory)";
  return key;
}

static void test_keys(void) {
  ASSERT_EQ_STR(key_of("New York Times - News"), "new york times - news");
  ASSERT_EQ_STR(key_of("  USA\tTODAY \n"), "usa today");
  ASSERT_EQ_STR(key_of("USA\xc2\xa0TODAY"), "usa today"); /* a no-break space */
  ASSERT_EQ_STR(key_of("Die Stra\xc3\x9f" "e"), "die strasse");
  ASSERT_EQ_STR(key_of("\xc3\x89" "COLE Gazette"), "\xc3\xa9" "cole gazette");
  ASSERT_EQ_STR(key_of("Le Monde \"Diplo\""), "le monde diplo");
  ASSERT_EQ_STR(key_of("\x01Wire\x1f" "Desk\x7f"), "wire desk");
  ASSERT_EQ_STR(key_of(" \" \t "), "");
  ASSERT_EQ_STR(key_of(""), "");
  /* the cut: at most SRC_KEY_MAX bytes, whole characters, no space at the end */
  char longv[400];
  memset(longv, 0, sizeof longv);
  for (size_t i = 0; i < 150; i++) memcpy(longv + 2 * i, "\xc3\xa9", 2); /* é, 2 bytes */
  const char *k = key_of(longv);
  ASSERT_EQ_INT(strlen(k), SRC_KEY_MAX);
  memset(longv, 0, sizeof longv);
  memset(longv, 'a', 119);
  strcat(longv, " \xe2\x82\xac tail"); /* the euro sign would end at byte 123 */
  ASSERT_EQ_STR(key_of(longv) + 118, "a");

  char t[DICT_MAX_TERM + 1];
  size_t n;
  ASSERT_OK(src_term(" New  York Times\t- News ", 24, t, &n));
  ASSERT_EQ_INT(n, 2 + 21 + 21);
  ASSERT(t[0] == SEG_SOURCE_PREFIX && !memcmp(t + 1, "new york times - news\x1fNew York Times - News", n - 1));
  int nomem;
  ASSERT(src_term_problem(t, n, &nomem) == NULL && !nomem);
  ASSERT_EQ_INT(src_key_len(t + 1, n - 1), 21);
  ASSERT_OK(src_term("  ", 2, t, &n));
  ASSERT_EQ_INT(n, 0);
  /* a very long value: the term fits the dictionary, and is well formed */
  char big[1000];
  memset(big, 0, sizeof big);
  for (size_t i = 0; i < 99; i++) memcpy(big + 10 * i, "Gazette \xc3\xa9 ", 10);
  ASSERT_OK(src_term(big, strlen(big), t, &n));
  ASSERT(n <= DICT_MAX_TERM && n > DICT_MAX_TERM - 4);
  ASSERT(src_term_problem(t, n, &nomem) == NULL);

  static const char *const bad[] = {
    "\x01" "fox news",                   /* no separator */
    "\x01\x1f" "Fox News",               /* no key */
    "\x01" "fox news\x1f",               /* no written form */
    "\x01" "fox  news\x1f" "Fox News",   /* a double space */
    "\x01" " fox news\x1f" "Fox News",   /* a space first */
    "\x01" "fox \"news\x1f" "Fox News",  /* a quote in the key */
    "\x01" "Fox News\x1f" "Fox News",    /* not folded */
    "\x01" "fox news\x1f" "Fox Newsroom", /* another value's key */
    "\x01" "fox news\x1f" "Fox\tNews",   /* written form not collapsed */
    "\x01" "fox\xff\x1f" "Fox\xff",      /* not UTF-8 */
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    if (!src_term_problem(bad[i], strlen(bad[i]), &nomem)) TEST_FAIL_("bad term %zu taken as well formed", i);
}

/* ---- an archive ------------------------------------------------------------ */

static const char *const SOURCES[] = {
  "Fox News", "Fox News", "FOX  NEWS", " fox news ", "Fox News",   /* one value, three forms */
  "Fox News Opinion", "Fox News Opinion",                           /* a longer value */
  "New York Times - News", "new york times - news", "New York Times - Opinion",
  "Le Monde \"Diplo\"", "Die Stra\xc3\x9f" "e", "die strasse",
  "USA\xc2\xa0TODAY", "USA TODAY", NULL, "   ",
};
#define NSRC (sizeof SOURCES / sizeof *SOURCES)

static nd_index *IX;

static void on_problem(void *ctx, const char *problem) { fprintf(stderr, "  nd_check: %s\n", problem); }

static size_t hits(const char *q) {
  nd_results *r = NULL;
  nd_search_options o = {0};
  o.limit = 100;
  o.versions = ND_VERSIONS_ALL; /* the test's articles are copies of one text */
  int rc = nd_search(IX, q, &o, &r);
  if (rc) {
    fprintf(stderr, "  [%s]: %s\n", q, nd_errmsg(IX));
    return (size_t)-1;
  }
  size_t n = nd_results_count(r);
  if (nd_results_total(r) != n) n = (size_t)-2;
  nd_results_free(r);
  return n;
}

/* The source facet of q as "Value=count,..." in out. */
static const char *facet(const char *q, char *out, size_t cap) {
  const char *fields[] = {"source"};
  nd_facet_options fo = {fields, 1, 100, ND_HIST_NONE, ND_VERSIONS_ALL};
  nd_facets *f = NULL;
  out[0] = 0;
  if (nd_facets_get(IX, q, &fo, &f)) return nd_errmsg(IX);
  size_t o = 0;
  for (size_t i = 0; i < f->fields[0].n && o < cap; i++)
    o += (size_t)snprintf(out + o, cap - o, "%s%s=%llu", i ? "," : "", f->fields[0].counts[i].key,
                          (unsigned long long)f->fields[0].counts[i].count);
  nd_facets_free(f);
  return out;
}

static void check_queries(void) {
  char text[1000];
  ASSERT_EQ_INT(hits("source:\"Fox News\""), 5);
  ASSERT_EQ_INT(hits("source:\"  fox   NEWS\""), 5);
  ASSERT_EQ_INT(hits("zebra source:\"fox news\""), 5);
  ASSERT_EQ_INT(hits("source:fox"), 0);      /* a word of a value is not the value */
  ASSERT_EQ_INT(hits("source:news"), 0);
  ASSERT_EQ_INT(hits("source:\"Fox News Opinion\""), 2);
  ASSERT_EQ_INT(hits("source:fox*"), 7);     /* a prefix of the whole value */
  ASSERT_EQ_INT(hits("source:\"fox news\" OR source:\"fox news opinion\""), 7);
  ASSERT_EQ_INT(hits("source:(\"Fox News\" OR \"USA TODAY\")"), 7);
  ASSERT_EQ_INT(hits("source:\"New York Times - News\""), 2);
  ASSERT_EQ_INT(hits("source:\"new york times - opinion\""), 1);
  ASSERT_EQ_INT(hits("source:\"new york times\""), 0);
  ASSERT_EQ_INT(hits("source:new*"), 3);
  ASSERT_EQ_INT(hits("source:\"Le Monde  Diplo \""), 1);
  ASSERT_EQ_INT(hits("source:\"DIE STRASSE\""), 2);
  ASSERT_EQ_INT(hits("source:\"usa today\""), 2);
  ASSERT_EQ_INT(hits("zebra -source:\"fox news\""), NSRC - 5);
  ASSERT_EQ_INT(hits("body:fox"), 0); /* the source is no part of the text */
  ASSERT_EQ_STR(facet("zebra", text, sizeof text),
                "Fox News=5,Die Stra\xc3\x9f" "e=2,Fox News Opinion=2,New York Times - News=2,USA TODAY=2,"
                "Le Monde \"Diplo\"=1,New York Times - Opinion=1"); /* ties in byte order */
  ASSERT_EQ_STR(facet("source:fox*", text, sizeof text), "Fox News=5,Fox News Opinion=2");
}

static void test_archive(void) {
  snprintf(DIR_, sizeof DIR_, "/tmp/nd_source_XXXXXX");
  ASSERT(mkdtemp(DIR_));
  char ix[200];
  snprintf(ix, sizeof ix, "%s/ix", DIR_);
  nd_open_options oo = {0};
  oo.language = "english";
  oo.merge_factor = 1;
  ASSERT_OK(nd_open(ix, ND_OPEN_CREATE, &oo, &IX));
  for (size_t i = 0; i < NSRC; i++) {
    char id[16];
    snprintf(id, sizeof id, "s%02zu", i);
    nd_doc d = {0};
    d.id = id;
    d.title = "Zebra crossing";
    d.body = "The zebra crossing on the harbour road is repainted.";
    d.source = SOURCES[i];
    d.date = "2020-05-01";
    ASSERT_OK(nd_add(IX, &d, NULL));
    if (i == 3 || i == 9) ASSERT_OK(nd_commit(IX)); /* three segments: forms of one value in several */
  }
  ASSERT_OK(nd_commit(IX));
  nd_stats s;
  ASSERT_OK(nd_stats_get(IX, &s));
  ASSERT_EQ_INT(s.segments, 3);
  check_queries();
  ASSERT_OK(nd_check(ix, on_problem, NULL, NULL));
  ASSERT_OK(nd_optimize(IX));
  ASSERT_OK(nd_stats_get(IX, &s));
  ASSERT_EQ_INT(s.segments, 1);
  check_queries();
  ASSERT_OK(nd_check(ix, on_problem, NULL, NULL));
  nd_close(IX);
  IX = NULL;
  ASSERT_OK(nd_open(ix, 0, NULL, &IX));
  check_queries();
  nd_close(IX);
  IX = NULL;
}

/* An archive of the previous format: its segment's meta names NDDXMET6. */
static void test_old_format(void) {
  char ix[200], meta[260];
  snprintf(ix, sizeof ix, "%s/ix", DIR_);
  ASSERT(DIR_[0]);
  snprintf(meta, sizeof meta, "%s/s%06u.meta", ix, 0u);
  FILE *m = NULL;
  for (unsigned k = 0; k < 100 && !m; k++) { /* the merged segment's number */
    snprintf(meta, sizeof meta, "%s/s%06u.meta", ix, k);
    m = fopen(meta, "r+b");
  }
  ASSERT(m);
  char magic[9] = "";
  ASSERT_EQ_INT(fread(magic, 1, 8, m), 8);
  ASSERT_EQ_STR(magic, "NDDXMET9");
  rewind(m);
  ASSERT_EQ_INT(fwrite("NDDXMET6", 1, 8, m), 8);
  fclose(m);
  nd_index *x = NULL;
  int rc = nd_open(ix, 0, NULL, &x);
  ASSERT_EQ_INT(rc, ND_ERR_VERSION);
  ASSERT(x && strstr(nd_errmsg(x), "written by an older version of newsdex"));
  nd_close(x);
}

static void test_cleanup(void) {
  if (IX) nd_close(IX);
  IX = NULL;
  char ix[200];
  snprintf(ix, sizeof ix, "%s/ix", DIR_);
  rm_rf(ix);
  rmdir(DIR_);
}

TEST_MAIN(TEST(test_keys), TEST(test_archive), TEST(test_old_format), TEST(test_cleanup))
