/*
** test.h -- a tiny unit-test harness.
**
** A test file defines functions `static void test_NAME(void)` and lists them
** in TEST_LIST; TEST_MAIN runs them all and ends with the line
** "N passed, N failed".  ASSERT_* macros print both sides on failure and
** end the current test (the rest of the tests still run).  TEST_SKIP_
** ends it as skipped, with a line "SKIP NAME: why" (a test that needs
** data that is not there); the closing line then ends ", N skipped".
**
**   static void test_add(void) { ASSERT_EQ_INT(1 + 1, 2); }
**   TEST_MAIN(TEST(test_add))
*/
#ifndef ND_TEST_H
#define ND_TEST_H
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static jmp_buf test_jmp;
static int test_failed_now, test_skipped_now;
static const char *test_name_now;

#define TEST_FAIL_(...)                                     \
  do {                                                      \
    fprintf(stderr, "  %s:%d: ", __FILE__, __LINE__);       \
    fprintf(stderr, __VA_ARGS__);                           \
    fputc('\n', stderr);                                    \
    test_failed_now = 1;                                    \
    longjmp(test_jmp, 1);                                   \
  } while (0)

#define TEST_SKIP_(...)                                     \
  do {                                                      \
    printf("SKIP %s: ", test_name_now);                     \
    printf(__VA_ARGS__);                                    \
    putchar('\n');                                          \
    fflush(stdout);                                         \
    test_skipped_now = 1;                                   \
    longjmp(test_jmp, 1);                                   \
  } while (0)

#define ASSERT(c) do { if (!(c)) TEST_FAIL_("assertion failed: %s", #c); } while (0)
#define ASSERT_EQ_INT(a, b)                                                        \
  do {                                                                             \
    long long a_ = (long long)(a), b_ = (long long)(b);                            \
    if (a_ != b_) TEST_FAIL_("%s == %s: %lld != %lld", #a, #b, a_, b_);            \
  } while (0)
#define ASSERT_EQ_STR(a, b)                                                        \
  do {                                                                             \
    const char *a_ = (a), *b_ = (b);                                               \
    if (!a_ || !b_ || strcmp(a_, b_))                                              \
      TEST_FAIL_("%s == %s: \"%s\" != \"%s\"", #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
  } while (0)
#define ASSERT_OK(rc)                                                              \
  do {                                                                             \
    int r_ = (rc);                                                                 \
    if (r_ != 0) TEST_FAIL_("%s returned %d", #rc, r_);                            \
  } while (0)

typedef struct test_case { const char *name; void (*fn)(void); } test_case;
#define TEST(f) {#f, f}

static int test_run_all(const test_case *t, size_t n, int argc, char **argv) {
  volatile int pass = 0, fail = 0, skip = 0;
  for (volatile size_t i = 0; i < n; i++) {
    if (argc > 1 && !strstr(t[i].name, argv[1])) continue;
    test_failed_now = test_skipped_now = 0;
    test_name_now = t[i].name;
    if (setjmp(test_jmp) == 0) t[i].fn();
    if (test_failed_now) { fail++; fprintf(stderr, "FAIL %s\n", t[i].name); }
    else if (test_skipped_now) skip++;
    else { pass++; fprintf(stderr, "ok   %s\n", t[i].name); }
  }
  if (skip) printf("%d passed, %d failed, %d skipped\n", pass, fail, skip);
  else printf("%d passed, %d failed\n", pass, fail);
  return fail ? 1 : 0;
}

#define TEST_MAIN(...)                                                  \
  int main(int argc, char **argv) {                                     \
    static const test_case tests_[] = {__VA_ARGS__};                    \
    return test_run_all(tests_, sizeof tests_ / sizeof tests_[0], argc, argv); \
  }

#endif
