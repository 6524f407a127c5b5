/*
** test_analyze.c -- the word rules of docs/analysis.md, as a table of
** (text, tokens) cases.  Tokens are written term@position, "+" marks the
** joined form of a hyphenated compound.
*/
#include "test.h"
#include "text/analyze.h"
#include "util/buf.h"

static int put(void *ctx, const an_token *t) {
  buf *b = ctx;
  if (b->n) buf_putc(b, ' ');
  buf_printf(b, "%s%.*s@%u", t->joined ? "+" : "", (int)t->len, t->term, t->pos);
  return 0;
}

static void expect(const char *lang, const char *text, const char *want) {
  analyzer *a = an_new(lang);
  ASSERT(a);
  buf b;
  buf_init(&b);
  uint32_t npos;
  int rc = an_analyze(a, text, strlen(text), 0, put, &b, &npos);
  an_free(a);
  if (rc || strcmp(buf_cstr(&b), want))
    TEST_FAIL_("%s: \"%s\"\n    got  %s\n    want %s", lang, text, buf_cstr(&b), want);
  buf_free(&b);
}

static void test_word_rules(void) {
  static const char *const cases[][2] = {
      {"NATO's training", "nato@0 train@1"},
      {"U.S. forces", "us@0 forc@1"},
      {"U.N.", "un@0"},
      {"e-mail", "e@0 +email@0 mail@1"},
      {"state-of-the-art", "state@0 +stateoftheart@0 of@1 the@2 art@3"},
      {"the 1960s", "the@0 1960s@1"},
      {"35,000 troops", "35000@0 troop@1"},
      {"1,5 and 3.5", "1@0 5@1 and@2 3.5@3"},
      {"example.com", "exampl@0 com@1"},
      {"O'Brien", "o'brien@0"},
      {"O\xE2\x80\x99" "Brien", "o'brien@0"},
      {"'quoted'", "quot@0"},
      {"de Hoop Scheffer", "de@0 hoop@1 scheffer@2"},
      {"ÉCOLE Müller", "école@0 müller@1"},
      {"\xEF\xAC\x81ne", "fine@0"}, /* the "fi" ligature folds */
      {"a -- b, c.", "a@0 b@1 c@2"},
      /* ASCII words, ended by what the fast path takes and by what it leaves
      ** to the general path */
      {"Tab\tand\nlines end", "tab@0 and@1 line@2 end@3"},
      {"x1y2 B52s", "x1y2@0 b52s@1"},
      {"Sch\xC3\xB6n na\xC3\xAFve caf\xC3\xA9s", "schön@0 naïv@1 café@2"},
      {"war\xE2\x80\x94" "and peace", "war@0 and@1 peac@2"},
      {"Bush\xE2\x80\x99s co-op 2004.", "bush@0 co@1 +coop@1 op@2 2004@3"},
      {"", ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) expect("english", cases[i][0], cases[i][1]);
}

static void test_limits(void) {
  /* A word over AN_MAX_TERM bytes is skipped but keeps its position. */
  char text[200];
  memset(text, 'x', 100);
  strcpy(text + 100, " after");
  expect("english", text, "after@1");
  /* Invalid UTF-8 separates words instead of failing. */
  expect("english", "bad\xff" "byte", "bad@0 byte@1");
  expect("none", "Running runs", "running@0 runs@1");
  expect("french", "nationales", "national@0");
}

static void test_positions_base_and_count(void) {
  analyzer *a = an_new("english");
  buf b;
  buf_init(&b);
  uint32_t npos = 0;
  ASSERT_OK(an_analyze(a, "e-mail us", 9, 10, put, &b, &npos));
  ASSERT_EQ_STR(buf_cstr(&b), "e@10 +email@10 mail@11 us@12");
  ASSERT_EQ_INT(npos, 3);
  an_free(a);
  buf_free(&b);
  ASSERT(an_new("klingon") == NULL);
  ASSERT(an_language_ok("english") && an_language_ok("none") && !an_language_ok("klingon"));
}

static void test_utf8_valid(void) {
  size_t bad = 99;
  ASSERT(utf8_valid("caf\xC3\xA9", 5, &bad));
  ASSERT(!utf8_valid("ab\xC3\x28", 4, &bad));
  ASSERT_EQ_INT(bad, 2);
  ASSERT(!utf8_valid("a\0b", 3, &bad));
  ASSERT_EQ_INT(bad, 1);
  ASSERT(!utf8_valid("\xF4\x90\x80\x80", 4, &bad)); /* beyond U+10FFFF */
}

TEST_MAIN(TEST(test_word_rules), TEST(test_limits), TEST(test_positions_base_and_count), TEST(test_utf8_valid))
