/*
** test_date.c -- ISO 8601 parsing, periods, formatting and the Gregorian
** day arithmetic of src/util/date.c.
*/
#include <stdint.h>
#include <string.h>

#include "test.h"
#include "util/date.h"

#define DAY 86400LL

/* Naive reference: days from 1970-01-01 by counting whole years and months. */
static int ref_leap(long y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
static long ref_days(long y, unsigned m, unsigned d) {
  static const unsigned ml[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  long n = 0;
  for (long k = 1970; k < y; k++) n += ref_leap(k) ? 366 : 365;
  for (long k = y; k < 1970; k++) n -= ref_leap(k) ? 366 : 365;
  for (unsigned k = 1; k < m; k++) n += ml[k - 1] + (k == 2 && ref_leap(y));
  return n + (long)d - 1;
}

static void test_anchors(void) {
  ASSERT_EQ_INT(date_days_from_civil(1970, 1, 1), 0);
  ASSERT_EQ_INT(date_days_from_civil(1969, 12, 31), -1);
  ASSERT_EQ_INT(date_days_from_civil(2000, 3, 1), 11017);
  ASSERT_EQ_INT(date_days_from_civil(2000, 2, 29), 11016);
  ASSERT_EQ_INT(date_days_from_civil(1, 1, 1), -719162);
  ASSERT_EQ_INT(date_days_from_civil(9999, 12, 31), 2932896);
  int64_t y;
  unsigned m, d;
  date_civil_from_days(0, &y, &m, &d);
  ASSERT(y == 1970 && m == 1 && d == 1);
  date_civil_from_days(-719162, &y, &m, &d);
  ASSERT(y == 1 && m == 1 && d == 1);
  date_civil_from_days(11016, &y, &m, &d);
  ASSERT(y == 2000 && m == 2 && d == 29);
}

/* Every day from 1900-01-01 to 2100-12-31: consecutive day numbers, round
** trips both ways, and agreement with the naive reference. */
static void test_round_trip_1900_2100(void) {
  static const unsigned ml[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t expect = date_days_from_civil(1900, 1, 1);
  ASSERT_EQ_INT(expect, ref_days(1900, 1, 1));
  long checked = 0;
  for (int64_t yy = 1900; yy <= 2100; yy++) {
    for (unsigned mm = 1; mm <= 12; mm++) {
      unsigned dim = ml[mm - 1] + (mm == 2 && ref_leap((long)yy));
      for (unsigned dd = 1; dd <= dim; dd++) {
        int64_t n = date_days_from_civil(yy, mm, dd);
        if (n != expect) TEST_FAIL_("%lld-%u-%u: %lld != %lld", (long long)yy, mm, dd, (long long)n, (long long)expect);
        int64_t y2;
        unsigned m2, d2;
        date_civil_from_days(n, &y2, &m2, &d2);
        if (y2 != yy || m2 != mm || d2 != dd)
          TEST_FAIL_("%lld back to %lld-%u-%u", (long long)n, (long long)y2, m2, d2);
        expect++;
        checked++;
      }
    }
  }
  ASSERT_EQ_INT(expect, ref_days(2101, 1, 1));
  ASSERT_EQ_INT(checked, 73414);
}

/* Far-away days still round trip (negative eras, year 1, year 9999). */
static void test_round_trip_wide(void) {
  for (int64_t n = -800000; n <= 3000000; n += 997) {
    int64_t y;
    unsigned m, d;
    date_civil_from_days(n, &y, &m, &d);
    ASSERT(m >= 1 && m <= 12 && d >= 1 && d <= 31);
    ASSERT_EQ_INT(date_days_from_civil(y, m, d), n);
  }
}

typedef struct good_case { const char *in; long long secs; } good_case;

static void test_parse_good(void) {
  static const good_case cases[] = {
    {"1970-01-01", 0},
    {"2004-02-29", 12477 * DAY},
    {"2000-02-29", 11016 * DAY},
    {"2004-07-01T12:30", 12600 * DAY + 12 * 3600 + 30 * 60},
    {"2004-07-01T12:30:15", 12600 * DAY + 45015},
    {"2004-07-01 12:30:15Z", 12600 * DAY + 45015},
    {"2004-07-01T12:30:15.123456Z", 12600 * DAY + 45015},
    {"2004-07-01T12:30:15+02:00", 12600 * DAY + 45015 - 7200},
    {"2004-07-01T12:30:15-05:30", 12600 * DAY + 45015 + 5 * 3600 + 1800},
    {"2004-07-01T00:30+0100", 12600 * DAY - 1800},
    {"2004-07-01T23:59:59+01", 12600 * DAY + 86399 - 3600},
    {"  2004-07-01  ", 12600 * DAY},
    {"0001-01-01", -719162 * DAY},
    {"9999-12-31T23:59:59Z", 2932896 * DAY + 86399},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int64_t s = 0;
    char err[128] = "";
    if (date_parse(cases[i].in, strlen(cases[i].in), &s, err, sizeof err))
      TEST_FAIL_("\"%s\": %s", cases[i].in, err);
    if (s != cases[i].secs) TEST_FAIL_("\"%s\": %lld != %lld", cases[i].in, (long long)s, cases[i].secs);
  }
}

typedef struct bad_case { const char *in, *word; } bad_case;

static void test_parse_bad(void) {
  static const bad_case cases[] = {
    {"", "empty"},
    {"2004", "'-'"},
    {"2004-7-01", "month"},
    {"2004-13-01", "month 13"},
    {"2004-00-10", "month 0"},
    {"2003-02-29", "day 29"},
    {"1900-02-29", "day 29"},
    {"2004-04-31", "day 31"},
    {"2004-01-00", "day 0"},
    {"0000-01-01", "year 0000"},
    {"20041-01-01", "four digits"},
    {"2004-07-01T24:00", "hour 24"},
    {"2004-07-01T12:60", "minute 60"},
    {"2004-07-01T12:30:60", "second 60"},
    {"2004-07-01T12", "':'"},
    {"2004-07-01T", "hh:mm"},
    {"2004-07-01X12:00", "'X'"},
    {"2004-07-01T12:00+2", "zone"},
    {"2004-07-01T12:00+24:00", "zone hour"},
    {"2004-07-01T12:00+02:60", "zone minute"},
    {"2004-07-01T12:00:00.", "decimal"},
    {"2004-07-01T12:00Zjunk", "after the time zone"},
    {"July 4, 2004", "year"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int64_t s;
    char err[128] = "";
    if (date_parse(cases[i].in, strlen(cases[i].in), &s, err, sizeof err) != -1)
      TEST_FAIL_("\"%s\" parsed", cases[i].in);
    if (!strstr(err, cases[i].word)) TEST_FAIL_("\"%s\": reason \"%s\" lacks \"%s\"", cases[i].in, err, cases[i].word);
  }
}

static void test_leap_years(void) {
  int64_t s;
  char err[64];
  ASSERT_OK(date_parse("2004-02-29", 10, &s, err, sizeof err));
  ASSERT_OK(date_parse("2000-02-29", 10, &s, err, sizeof err));
  ASSERT_EQ_INT(date_parse("2003-02-29", 10, &s, err, sizeof err), -1);
  ASSERT_EQ_INT(date_parse("1900-02-29", 10, &s, err, sizeof err), -1);
  ASSERT_EQ_INT(date_parse("2100-02-29", 10, &s, err, sizeof err), -1);
  ASSERT_EQ_INT(date_days_from_civil(1900, 3, 1) - date_days_from_civil(1900, 2, 28), 1);
  ASSERT_EQ_INT(date_days_from_civil(2000, 3, 1) - date_days_from_civil(2000, 2, 28), 2);
}

typedef struct period_case { const char *in; long long lo, hi; } period_case;

static void test_periods(void) {
  const long long y2004 = 12418 * DAY, jul = 12600 * DAY, aug = 12631 * DAY;
  const period_case cases[] = {
    {"2004", y2004, 12784 * DAY - 1},
    {"2004-07", jul, aug - 1},
    {"2004-02", 12449 * DAY, 12478 * DAY - 1},
    {"2003-02", date_days_from_civil(2003, 2, 1) * DAY, date_days_from_civil(2003, 3, 1) * DAY - 1},
    {"2004-07-01", jul, jul + DAY - 1},
    {"2004-07-01T10:00:00Z", jul + 36000, jul + 36000},
    {"2004-12", date_days_from_civil(2004, 12, 1) * DAY, date_days_from_civil(2005, 1, 1) * DAY - 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int64_t lo = 0, hi = 0;
    char err[128] = "";
    if (date_parse_period(cases[i].in, strlen(cases[i].in), &lo, &hi, err, sizeof err))
      TEST_FAIL_("\"%s\": %s", cases[i].in, err);
    if (lo != cases[i].lo || hi != cases[i].hi)
      TEST_FAIL_("\"%s\": [%lld, %lld] != [%lld, %lld]", cases[i].in, (long long)lo, (long long)hi, cases[i].lo, cases[i].hi);
  }
  static const bad_case bad[] = {
    {"", "empty"}, {"04", "year"}, {"2004-", "month"}, {"2004-13", "month 13"},
    {"2004-07-", "day"}, {"2004-02-30", "day 30"}, {"2004x", "'-'"}, {"12345", "four digits"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int64_t lo, hi;
    char err[128] = "";
    if (date_parse_period(bad[i].in, strlen(bad[i].in), &lo, &hi, err, sizeof err) != -1)
      TEST_FAIL_("\"%s\" parsed", bad[i].in);
    if (!strstr(err, bad[i].word)) TEST_FAIL_("\"%s\": reason \"%s\" lacks \"%s\"", bad[i].in, err, bad[i].word);
  }
}

static void test_format(void) {
  char out[24];
  ASSERT_EQ_INT(date_format(0, out), 10);
  ASSERT_EQ_STR(out, "1970-01-01");
  date_format(12600 * DAY + 45015, out);
  ASSERT_EQ_STR(out, "2004-07-01T12:30:15Z");
  date_format(-1, out);
  ASSERT_EQ_STR(out, "1969-12-31T23:59:59Z");
  date_format(INT64_MAX, out);
  ASSERT_EQ_STR(out, "9999-12-31T23:59:59Z");
  date_format(INT64_MIN + 1, out);
  ASSERT_EQ_STR(out, "0001-01-01");
  ASSERT_EQ_INT(date_format(DATE_NONE, out), 0);
  ASSERT_EQ_STR(out, "");
  /* Parse -> format -> parse is stable. */
  const char *s = "2004-02-29T08:05:09+02:00";
  int64_t a, b;
  char err[64];
  ASSERT_OK(date_parse(s, strlen(s), &a, err, sizeof err));
  size_t n = date_format(a, out);
  ASSERT_EQ_STR(out, "2004-02-29T06:05:09Z");
  ASSERT_OK(date_parse(out, n, &b, err, sizeof err));
  ASSERT_EQ_INT(a, b);
}

/* The length argument is honoured: nothing past it is read. */
static void test_length_bound(void) {
  int64_t s;
  char err[64];
  ASSERT_OK(date_parse("2004-07-01T12:00", 10, &s, err, sizeof err));
  ASSERT_EQ_INT(s, 12600 * DAY);
  int64_t lo, hi;
  ASSERT_OK(date_parse_period("2004-07-01", 7, &lo, &hi, err, sizeof err));
  ASSERT_EQ_INT(lo, 12600 * DAY);
  /* A tiny error buffer is truncated, not overrun. */
  char tiny[4];
  ASSERT_EQ_INT(date_parse("2004-13-01", 10, &s, tiny, sizeof tiny), -1);
  ASSERT_EQ_INT(strlen(tiny), 3);
  ASSERT_EQ_INT(date_parse("2004-13-01", 10, &s, NULL, 0), -1);
}

TEST_MAIN(TEST(test_anchors), TEST(test_round_trip_1900_2100), TEST(test_round_trip_wide),
          TEST(test_parse_good), TEST(test_parse_bad), TEST(test_leap_years), TEST(test_periods),
          TEST(test_format), TEST(test_length_bound))
