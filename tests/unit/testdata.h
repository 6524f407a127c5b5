/*
** testdata.h -- where the tests' articles are.
**
** Two kinds, found the same way by every C test (the shell, Python and
** browser tests follow the same rules, tests/lib.sh):
**
**   fixtures   made for the tests and always there: the invented corpora
**              that tests/fixtures/gen_news.py writes at build time into
**              $NEWSDEX_FIXTURES (default build/fixtures; tests/run.sh sets
**              it to the build folder's), and the files under
**              tests/fixtures/ (the seed-shaped article among them).  A
**              missing fixture is a failure: `make tests` makes them.
**   real data  third-party articles that stay outside the project, at
**              $NEWSDEX_TEST_DATA (default ../shared/data; the reference
**              article is in its sibling folder seed/).  A test that needs
**              them and does not find them ends as skipped, with a line
**              naming the file and why, never as passed.
*/
#ifndef ND_TESTDATA_H
#define ND_TESTDATA_H
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The seed-shaped article (invented, in samples/) and the real seed. */
#define TEST_SEED_FIXTURE "samples/txt/001_anfa_patrol.txt"
#define TEST_SEED_FIXTURE_ID "001_anfa_patrol"
#define TEST_REAL_SEED "../seed/000_be9abb58446af4f7.txt" /* relative to the data folder */
#define TEST_REAL_SEED_ID "000_be9abb58446af4f7"

static inline const char *test_env_or(const char *name, const char *dflt) {
  const char *v = getenv(name);
  return v && *v ? v : dflt;
}

/* The path of generated fixture NAME (news.jsonl, wire.jsonl.zst) in out. */
static inline const char *test_fixture(char *out, size_t n, const char *name) {
  snprintf(out, n, "%s/%s", test_env_or("NEWSDEX_FIXTURES", "build/fixtures"), name);
  if (access(out, R_OK) != 0)
    fprintf(stderr, "  fixture missing: %s (`make tests` generates it; NEWSDEX_FIXTURES names its folder)\n", out);
  return out;
}

/* The path of REL under the real-data folder in out, or NULL when it is not
** there; then *why (when why is not NULL) says which file is missing. */
static inline const char *test_real_data(char *out, size_t n, const char *rel, char *why, size_t whyn) {
  snprintf(out, n, "%s/%s", test_env_or("NEWSDEX_TEST_DATA", "../shared/data"), rel);
  if (access(out, R_OK) == 0) return out;
  if (why) snprintf(why, whyn, "%s not found (third-party data; set NEWSDEX_TEST_DATA to its folder)", out);
  return NULL;
}

/* In a test (test.h): the path of REL under the real-data folder, or end the
** test as skipped when it is absent. */
#define TEST_REAL_DATA_OR_SKIP(out, rel)                                        \
  do {                                                                        \
    char why_[1200];                                                          \
    if (!test_real_data((out), sizeof(out), (rel), why_, sizeof why_)) TEST_SKIP_("%s", why_); \
  } while (0)

#endif
