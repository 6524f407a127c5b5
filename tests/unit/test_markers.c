/*
** test_markers.c -- "(search)" markers: removal and the marked-term rule,
** on the seed-shaped fixture, on small made-up sentences for each part of
** the rule, and -- when the third-party data is there (testdata.h) -- on the
** seed article and the editors' marks of fox-dev.jsonl.
*/
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/markers.h"
#include "test.h"
#include "testdata.h"
#include "util/mem.h"

/* The fox-dev figure reached when the rule was written (docs/ingest.md). */
#define FOX_EXPECTED 38
#define FOX_MARGIN 1

/* Read a whole file (mem_alloc'd, NUL-terminated) or fail the test. */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) TEST_FAIL_("cannot open %s", path);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *p = mem_alloc((size_t)n + 1);
  ASSERT(p);
  ASSERT_EQ_INT(fread(p, 1, (size_t)n, f), n);
  fclose(f);
  p[n] = 0;
  *len = (size_t)n;
  return p;
}

/* Strip `text` and check the terms equal the NULL-terminated list. */
#define CHECK_TERMS(text, ...)                                                 \
  do {                                                                         \
    const char *want_[] = {__VA_ARGS__, NULL};                                 \
    char *clean_, **t_;                                                        \
    size_t n_, w_ = 0;                                                         \
    ASSERT_OK(markers_strip(text, strlen(text), &clean_, &t_, &n_));           \
    while (want_[w_]) w_++;                                                    \
    for (size_t i_ = 0; i_ < n_ && i_ < w_; i_++) ASSERT_EQ_STR(t_[i_], want_[i_]); \
    ASSERT_EQ_INT(n_, w_);                                                     \
    ASSERT(!strstr(clean_, "(search)"));                                       \
    mem_free(clean_);                                                          \
    markers_free_terms(t_, n_);                                                \
  } while (0)

/* A seed-shaped article: its three marked terms, the markers gone, the
** text around them intact. */
static void seed_markers(const char *path, const char *const terms_want[3], const char *const kept[3]) {
  size_t len, n;
  char *text = slurp(path, &len), *clean, **terms;
  ASSERT_OK(markers_strip(text, len, &clean, &terms, &n));
  ASSERT_EQ_INT(n, 3);
  for (size_t i = 0; i < 3; i++) ASSERT_EQ_STR(terms[i], terms_want[i]);
  ASSERT(!strstr(clean, "(search)"));
  ASSERT_EQ_INT(strlen(clean), len - 3 * strlen(" (search)"));
  /* The page separates some words with U+00A0; compare with plain spaces. */
  for (char *p; (p = strstr(clean, "\xC2\xA0")) != NULL;) memmove(p, p + 1, strlen(p + 1) + 1), *p = ' ';
  ASSERT(!strncmp(clean, kept[0], strlen(kept[0])));
  ASSERT(strstr(clean, kept[1]));
  ASSERT(strstr(clean, kept[2]));
  mem_free(clean);
  markers_free_terms(terms, n);
  mem_free(text);
}

static void test_seed_fixture(void) {
  static const char *const terms[3] = {"ANFA", "Pieter van der Aa", "cod war"};
  static const char *const kept[3] = {"ANFA failed Tuesday", "Pieter van der Aa was urging",
                                      "before the cod war, when"};
  seed_markers(TEST_SEED_FIXTURE, terms, kept);
}

static void test_real_seed(void) {
  static const char *const terms[3] = {"NATO", "Jaap de Hoop Scheffer", "Iraq war"};
  static const char *const kept[3] = {"NATO failed Wednesday", "Jaap de Hoop Scheffer was pushing",
                                      "ahead of the Iraq war, when"};
  char path[1024];
  TEST_REAL_DATA_OR_SKIP(path, TEST_REAL_SEED);
  seed_markers(path, terms, kept);
}

static void test_removal_spacing(void) {
  char *clean, **terms;
  size_t n;
  const char *in = "Alpha(search) beta   (search)\tgamma\n(search) end (search)";
  ASSERT_OK(markers_strip(in, strlen(in), &clean, &terms, &n));
  ASSERT_EQ_STR(clean, "Alpha beta\tgamma\n end");
  mem_free(clean);
  markers_free_terms(terms, n);
  ASSERT_OK(markers_strip("", 0, &clean, &terms, &n));
  ASSERT_EQ_STR(clean, "");
  ASSERT_EQ_INT(n, 0);
  mem_free(clean);
  markers_free_terms(terms, n);
  ASSERT_OK(markers_strip("no marks (searching) here", 25, &clean, &terms, &n));
  ASSERT_EQ_STR(clean, "no marks (searching) here");
  ASSERT_EQ_INT(n, 0);
  mem_free(clean);
  markers_free_terms(terms, n);
}

static void test_rule_cases(void) {
  CHECK_TERMS("Officials met Sen. Hillary Rodham Clinton (search) today.", "Hillary Rodham Clinton");
  CHECK_TERMS("He spoke to President Bush (search) on Friday.", "President Bush");
  CHECK_TERMS("Secretary of State Colin Powell (search) left.", "Colin Powell");
  CHECK_TERMS("the Department of Health and Human Services (search) said", "Department of Health and Human Services");
  CHECK_TERMS("a race between Bush and Kerry (search) ended", "Kerry");
  CHECK_TERMS("a visit to the Bank of the West (search) branch", "Bank of the West");
  CHECK_TERMS("the spread of the avian flu virus (search) in Asia", "avian flu virus");
  CHECK_TERMS("fears about the Bush administration (search) grew", "Bush administration");
  CHECK_TERMS("the \"shock and awe\" (search) campaign", "shock and awe");
  CHECK_TERMS("the crew of Apollo 13 (search) returned", "Apollo 13");
  CHECK_TERMS("Gen. Tommy Franks (search) and Gen. Tommy Franks (search) again", "Tommy Franks");
  CHECK_TERMS("On Monday, Attorney General John Ashcroft (search) said", "John Ashcroft");
  CHECK_TERMS("It ended. The Hague Tribunal (search) met", "Hague Tribunal");
  CHECK_TERMS("leader of al-Qaeda (search) in Iraq", "al-Qaeda");
  CHECK_TERMS("a wave \xE2\x80\x94 Hurricane Ivan (search) \xE2\x80\x94 hit", "Hurricane Ivan");
  CHECK_TERMS("the Centers for Disease Control and Prevention (search) said",
              "Centers for Disease Control and Prevention");
  CHECK_TERMS("the Fed raised interest rates (search) again", "interest rates");
  CHECK_TERMS("charges of money laundering (search) were", "money laundering");
  CHECK_TERMS("Laci Peterson's (search) mother", "Laci Peterson's");
  CHECK_TERMS("U.S. Marine Gen. James Jones (search) said", "James Jones");
  CHECK_TERMS("Martin Luther King Jr. (search) spoke", "Martin Luther King Jr.");
  CHECK_TERMS("near\xC2\xA0the Iraq\xC2\xA0war (search)\xC2\xA0when", "Iraq war");
  CHECK_TERMS("(search) at the start", NULL);
}

/* Compare the rule with the editors' marked_terms of every fox-dev article;
** returns the number of terms reproduced exactly and sets *total. */
static int fox_agreement(const char *path, int verbose, int *total) {
  size_t len;
  char *all = slurp(path, &len);
  int hit = 0;
  *total = 0;
  for (char *line = all, *nl; line < all + len; line = nl + 1) {
    nl = memchr(line, '\n', (size_t)(all + len - line));
    if (!nl) nl = all + len;
    if (nl == line) continue;
    json_error_t err;
    json_t *o = json_loadb(line, (size_t)(nl - line), 0, &err);
    if (!o) TEST_FAIL_("fox-dev.jsonl: %s", err.text);
    const char *body = json_string_value(json_object_get(o, "body_with_markers"));
    json_t *want = json_object_get(o, "marked_terms");
    char *clean, **terms;
    size_t n;
    if (!body || !json_is_array(want) || markers_strip(body, strlen(body), &clean, &terms, &n)) {
      json_decref(o);
      TEST_FAIL_("fox-dev.jsonl: bad record");
    }
    for (size_t i = 0; i < json_array_size(want); i++) {
      const char *w = json_string_value(json_array_get(want, i));
      int found = 0;
      for (size_t j = 0; j < n && !found; j++) found = w && !strcmp(terms[j], w);
      (*total)++;
      hit += found;
      if (!found && verbose) fprintf(stderr, "  fox-dev: missed \"%s\"\n", w ? w : "?");
    }
    if (verbose)
      for (size_t j = 0; j < n; j++) {
        int found = 0;
        for (size_t i = 0; i < json_array_size(want) && !found; i++)
          found = !strcmp(terms[j], json_string_value(json_array_get(want, i)));
        if (!found) fprintf(stderr, "  fox-dev: produced \"%s\"\n", terms[j]);
      }
    mem_free(clean);
    markers_free_terms(terms, n);
    json_decref(o);
  }
  mem_free(all);
  return hit;
}

static void test_fox_dev(void) {
  char path[1024];
  TEST_REAL_DATA_OR_SKIP(path, "linking/fox-dev.jsonl");
  int total, hit = fox_agreement(path, 1, &total);
  fprintf(stderr, "  fox-dev agreement: %d of %d marked_terms reproduced exactly\n", hit, total);
  ASSERT(hit >= FOX_EXPECTED - FOX_MARGIN);
}

static void test_oom(void) {
  /* Every allocation failing in turn: -1 and nothing leaked (valgrind/ASan). */
  const char *in = "NATO (search) and Jaap de Hoop Scheffer (search) and the Iraq war (search).";
  for (long k = 0; k < 20; k++) {
    char *clean, **terms;
    size_t n;
    mem_fail_after(k);
    int rc = markers_strip(in, strlen(in), &clean, &terms, &n);
    mem_fail_after(-1);
    if (rc == 0) {
      ASSERT_EQ_INT(n, 3);
      mem_free(clean);
      markers_free_terms(terms, n);
    } else {
      ASSERT_EQ_INT(rc, -1);
    }
  }
}

TEST_MAIN(TEST(test_seed_fixture), TEST(test_real_seed), TEST(test_removal_spacing), TEST(test_rule_cases), TEST(test_fox_dev),
          TEST(test_oom))
