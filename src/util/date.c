/*
** date.c -- ISO 8601 dates (see date.h).
**
** Owns: parsing article dates and partial query dates into seconds since
** 1970-01-01 UTC, formatting them back, and the proleptic Gregorian day
** arithmetic underneath (days <-> year/month/day).
**
** The day arithmetic works on a calendar that starts on March 1st, so that
** the leap day is the last day of its "year" and month lengths follow a
** simple pattern; whole 400-year eras (146097 days each) are split off
** first so every intermediate value is small and non-negative.
*/
#include "date.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECS_PER_DAY 86400
#define DAYS_PER_ERA 146097         /* days in 400 Gregorian years */
#define DAYS_0000_03_01_TO_1970 719468 /* 0000-03-01 .. 1970-01-01 */

/* ---- day arithmetic ---------------------------------------------------- */

/* Floor division for a positive divisor (C rounds towards zero). */
static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b) != 0 && a < 0) q--;
  return q;
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned month_days(int64_t y, unsigned m) {
  static const unsigned len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && is_leap(y)) return 29;
  return len[m - 1];
}

/* Day of the March-based year (0 = March 1st) of month m, day d.  Months
** from March on have lengths 31 30 31 30 31 | 31 30 31 30 31 | 31 (28/29),
** which (153 * k + 2) / 5 reproduces for k = months since March. */
static int64_t march_day_of_year(unsigned m, unsigned d) {
  unsigned k = m > 2 ? m - 3 : m + 9;
  return (153 * (int64_t)k + 2) / 5 + (int64_t)d - 1;
}

/* Valid for any m in 1..12 and d in 1..31; y within +-10^12 years. */
int64_t date_days_from_civil(int64_t y, unsigned m, unsigned d) {
  if (m <= 2) y--; /* January and February belong to the previous March year */
  int64_t era = floor_div(y, 400);
  int64_t yoe = y - era * 400;                        /* 0..399 */
  int64_t doy = march_day_of_year(m, d);              /* 0..365 */
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; /* 0..146096 */
  return era * DAYS_PER_ERA + doe - DAYS_0000_03_01_TO_1970;
}

void date_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d) {
  int64_t z = days + DAYS_0000_03_01_TO_1970;
  int64_t era = floor_div(z, DAYS_PER_ERA);
  int64_t doe = z - era * DAYS_PER_ERA; /* 0..146096 */
  /* Years of the era: remove the leap days (one per 4 years, minus one per
  ** century, plus one for the 400th year) before dividing by 365. */
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* 0..365 */
  int64_t k = (5 * doy + 2) / 153;                       /* months since March */
  *d = (unsigned)(doy - (153 * k + 2) / 5 + 1);
  *m = (unsigned)(k < 10 ? k + 3 : k - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

/* ---- parsing ------------------------------------------------------------ */

/* A cursor over the text being parsed, with room for the error reason. */
typedef struct cur {
  const char *s;
  size_t i, n;
  char *err;
  size_t errcap;
} cur;

/* Writes the reason and returns -1, so callers can `return fail(...)`. */
static int fail(cur *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(cur *c, const char *fmt, ...) {
  if (c->err && c->errcap) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, c->errcap, fmt, ap);
    va_end(ap);
  }
  return -1;
}

static int is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* Reads exactly `k` digits; returns -1 (no reason written) if they are not
** there. */
static int digits(cur *c, int k, unsigned *v) {
  unsigned x = 0;
  if (c->n - c->i < (size_t)k) return -1;
  for (int j = 0; j < k; j++) {
    char ch = c->s[c->i + (size_t)j];
    if (!is_digit(ch)) return -1;
    x = x * 10 + (unsigned)(ch - '0');
  }
  c->i += (size_t)k;
  *v = x;
  return 0;
}

static int at(cur *c, char ch) { return c->i < c->n && c->s[c->i] == ch; }
static int at_end(cur *c) { return c->i >= c->n; }

/* Skips leading and trailing ASCII white space. */
static void trim(cur *c) {
  while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' || c->s[c->i] == '\r'))
    c->i++;
  while (c->n > c->i && (c->s[c->n - 1] == ' ' || c->s[c->n - 1] == '\t' || c->s[c->n - 1] == '\n' || c->s[c->n - 1] == '\r'))
    c->n--;
}

/* "YYYY": fails with a reason unless four digits giving 0001..9999. */
static int parse_year(cur *c, unsigned *y) {
  if (digits(c, 4, y)) return fail(c, "expected a four-digit year (YYYY-MM-DD)");
  if (*y == 0) return fail(c, "year 0000 out of range (0001-9999)");
  if (c->i < c->n && is_digit(c->s[c->i])) return fail(c, "year longer than four digits");
  return 0;
}

/* "-MM": fails with a reason unless a month 01..12 follows. */
static int parse_month(cur *c, unsigned *m) {
  if (!at(c, '-')) return fail(c, "expected '-' after the year (YYYY-MM-DD)");
  c->i++;
  if (digits(c, 2, m)) return fail(c, "expected a two-digit month (YYYY-MM-DD)");
  if (*m < 1 || *m > 12) return fail(c, "month %u out of range", *m);
  return 0;
}

/* "-DD": fails unless a day that exists in that month follows. */
static int parse_day(cur *c, unsigned y, unsigned m, unsigned *d) {
  if (!at(c, '-')) return fail(c, "expected '-' after the month (YYYY-MM-DD)");
  c->i++;
  if (digits(c, 2, d)) return fail(c, "expected a two-digit day (YYYY-MM-DD)");
  unsigned dim = month_days(y, m);
  if (*d < 1 || *d > dim)
    return fail(c, "day %u out of range (%04u-%02u has %u days)", *d, y, m, dim);
  return 0;
}

/* The zone after the time: nothing (UTC), Z, +hh:mm, +hhmm or +hh (or -).
** Sets *off to the offset east of UTC in seconds; fails with a reason. */
static int parse_zone(cur *c, int64_t *off) {
  *off = 0;
  if (at_end(c)) return 0;
  if (at(c, 'Z') || at(c, 'z')) { c->i++; return 0; }
  if (!at(c, '+') && !at(c, '-')) return fail(c, "unexpected '%c' after the time", c->s[c->i]);
  int neg = c->s[c->i] == '-';
  c->i++;
  unsigned hh = 0, mm = 0;
  if (digits(c, 2, &hh)) return fail(c, "bad time zone (expected +hh:mm)");
  if (at(c, ':')) {
    c->i++;
    if (digits(c, 2, &mm)) return fail(c, "bad time zone (expected +hh:mm)");
  } else if (!at_end(c) && digits(c, 2, &mm)) {
    return fail(c, "bad time zone (expected +hh:mm)");
  }
  if (hh > 23) return fail(c, "time zone hour %u out of range", hh);
  if (mm > 59) return fail(c, "time zone minute %u out of range", mm);
  *off = (int64_t)(hh * 3600 + mm * 60) * (neg ? -1 : 1);
  return 0;
}

/* "hh:mm[:ss[.fff]]" then the zone; sets *secs to seconds into the day
** (UTC, may fall outside 0..86399 after the zone).  Fails with a reason. */
static int parse_time(cur *c, int64_t *secs) {
  unsigned hh = 0, mi = 0, ss = 0;
  if (digits(c, 2, &hh)) return fail(c, "expected hh:mm after the date");
  if (hh > 23) return fail(c, "hour %u out of range", hh);
  if (!at(c, ':')) return fail(c, "expected ':' after the hour");
  c->i++;
  if (digits(c, 2, &mi)) return fail(c, "expected two-digit minutes");
  if (mi > 59) return fail(c, "minute %u out of range", mi);
  if (at(c, ':')) {
    c->i++;
    if (digits(c, 2, &ss)) return fail(c, "expected two-digit seconds");
    if (ss > 59) return fail(c, "second %u out of range", ss);
    if (at(c, '.') || at(c, ',')) { /* fractional seconds are ignored */
      c->i++;
      if (at_end(c) || !is_digit(c->s[c->i])) return fail(c, "expected digits after the decimal point");
      while (c->i < c->n && is_digit(c->s[c->i])) c->i++;
    }
  }
  int64_t off = 0;
  if (parse_zone(c, &off)) return -1;
  if (!at_end(c)) return fail(c, "unexpected characters after the time zone");
  *secs = (int64_t)hh * 3600 + (int64_t)mi * 60 + ss - off;
  return 0;
}

/* Parses a full date or date-time at the cursor (after trimming).  Sets
** *secs and *has_time.  Fails with a reason. */
static int parse_full(cur *c, int64_t *secs, int *has_time) {
  unsigned y = 0, m = 0, d = 0;
  if (at_end(c)) return fail(c, "empty date (expected YYYY-MM-DD)");
  if (parse_year(c, &y) || parse_month(c, &m) || parse_day(c, y, m, &d)) return -1;
  int64_t days = date_days_from_civil(y, m, d);
  *has_time = 0;
  if (at_end(c)) { *secs = days * SECS_PER_DAY; return 0; }
  char sep = c->s[c->i];
  if (sep != 'T' && sep != 't' && sep != ' ') return fail(c, "unexpected '%c' after the date (expected T)", sep);
  c->i++;
  int64_t t = 0;
  if (parse_time(c, &t)) return -1;
  *has_time = 1;
  *secs = days * SECS_PER_DAY + t;
  return 0;
}

int date_parse(const char *s, size_t len, int64_t *secs, char *err, size_t errcap) {
  cur c = {s, 0, len, err, errcap};
  int has_time;
  trim(&c);
  return parse_full(&c, secs, &has_time);
}

int date_parse_period(const char *s, size_t len, int64_t *lo, int64_t *hi, char *err, size_t errcap) {
  cur c = {s, 0, len, err, errcap};
  unsigned y = 0, m = 0;
  trim(&c);
  if (at_end(&c)) return fail(&c, "empty date (expected YYYY, YYYY-MM or YYYY-MM-DD)");
  size_t start = c.i;
  if (parse_year(&c, &y)) return -1;
  if (at_end(&c)) { /* a whole year */
    *lo = date_days_from_civil(y, 1, 1) * SECS_PER_DAY;
    *hi = date_days_from_civil((int64_t)y + 1, 1, 1) * SECS_PER_DAY - 1;
    return 0;
  }
  if (parse_month(&c, &m)) return -1;
  if (at_end(&c)) { /* a whole month */
    *lo = date_days_from_civil(y, m, 1) * SECS_PER_DAY;
    *hi = *lo + (int64_t)month_days(y, m) * SECS_PER_DAY - 1;
    return 0;
  }
  c.i = start;
  int64_t secs;
  int has_time;
  if (parse_full(&c, &secs, &has_time)) return -1;
  *lo = secs;
  *hi = has_time ? secs : secs + SECS_PER_DAY - 1; /* a date-time is one second */
  return 0;
}

/* ---- formatting --------------------------------------------------------- */

size_t date_format(int64_t secs, char *out) {
  /* Clamp to 0001-01-01 .. 9999-12-31T23:59:59 so the text always fits. */
  const int64_t min = date_days_from_civil(1, 1, 1) * SECS_PER_DAY;
  const int64_t max = date_days_from_civil(10000, 1, 1) * SECS_PER_DAY - 1;
  if (secs == DATE_NONE) { out[0] = 0; return 0; }
  if (secs < min) secs = min;
  if (secs > max) secs = max;
  int64_t days = floor_div(secs, SECS_PER_DAY), y;
  int64_t t = secs - days * SECS_PER_DAY;
  unsigned m, d;
  date_civil_from_days(days, &y, &m, &d);
  int n;
  if (t == 0) n = snprintf(out, 24, "%04d-%02u-%02u", (int)y, m, d);
  else
    n = snprintf(out, 24, "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)y, m, d,
                 (int)(t / 3600), (int)(t / 60 % 60), (int)(t % 60));
  return n < 0 ? 0 : (size_t)n;
}

int date_parse_duration(const char *s, double *secs, char *err, size_t errcap) {
  char *end;
  double v = strtod(s, &end);
  double unit = 0;
  if (end != s && end[0] && !end[1]) {
    switch (end[0]) {
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    case 'w': unit = 7 * 86400; break;
    case 'y': unit = 365 * 86400; break;
    default: break;
    }
  }
  if (end == s || !unit || !(v > 0) || v > 1e6) {
    snprintf(err, errcap, "expected a positive number and a unit h, d, w or y (\"30d\"), not \"%.40s\"", s);
    return -1;
  }
  *secs = v * unit;
  return 0;
}
