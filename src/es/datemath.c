/*
** datemath.c -- Elasticsearch dates and date math (es.h, es_datemath).
**
** Contract.  es_datemath(s, format, now_ms, round_up, &ms, e) reads what ES
** accepts as a bound of a date range and gives milliseconds since 1970
** (UTC), or fills e (400) and returns -1.  It follows ES's
** JavaDateMathParser:
**
**   s := "now" MATH | DATE "||" MATH | DATE
**   MATH := ( ("+" | "-") [N] UNIT | "/" UNIT )*      N: digits, default 1
**   UNIT := y M w d h H m s      (H = h; "/w" rounds to Monday 00:00)
**
** - A DATE alone (no "||") is read with round_up: the fields it leaves out
**   take their largest value ("2004-07" round up is 2004-07-31T23:59:59.999,
**   "2004-07-14T10:00:00" is 10:00:00.999), as ES does for gt and lte.
**   The anchor of "DATE||MATH" is read without it; there round_up applies
**   to the "/unit" roundings only: to the unit's last millisecond.
** - "+N M" and "+N y" add calendar months/years, clamping the day to the
**   month's last ("2004-01-31||+1M" is 2004-02-29); w d h m s are fixed
**   lengths.  "/" takes no number ("/1d" is refused, as in ES).
** - DATE is read by `format`: NULL means ES's default
**   "strict_date_optional_time||epoch_millis".  A format is one or more
**   names joined by "||", tried in order; the ISO names (date_optional_time,
**   strict_date_time, date, yyyy-MM-dd, ... see iso_formats) read
**   YYYY[-MM[-DD[(T| )hh[:mm[:ss[.fraction]]][zone]]]] with zone Z, +hh:mm,
**   +hhmm or +hh (UTC without one; a fraction beyond milliseconds is cut);
**   epoch_millis reads an integer (a fraction is cut), epoch_second an
**   integer or decimal number of seconds (round_up without a fraction adds
**   999 ms, as ES's formatter does).  Any other format name is refused
**   naming it: newsdex never guesses a pattern it cannot read exactly.
** - Results must stay within +-4e15 ms (about year -124,000 .. 128,000);
**   beyond that, or on any malformed part, the error names s.
**
** Errors: status 400, type parse_exception (a date that does not parse, a
** bad unit or operator) or illegal_argument_exception (an unsupported
** format).
*/
#include <stdio.h>
#include <string.h>

#include "../util/date.h"
#include "es.h"

#define MS_PER_SEC INT64_C(1000)
#define MS_PER_MIN (60 * MS_PER_SEC)
#define MS_PER_HOUR (60 * MS_PER_MIN)
#define MS_PER_DAY (24 * MS_PER_HOUR)
#define MS_LIMIT INT64_C(4000000000000000) /* +-4e15 ms: far past years 0..9999 */

/* ---- calendar helpers --------------------------------------------------- */

static int64_t floor_div64(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && a < 0) q--;
  return q;
}

static int leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static unsigned month_len(int64_t y, unsigned m) {
  static const unsigned len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : len[m - 1];
}

/* A moment split into its civil parts (UTC). */
typedef struct civil {
  int64_t y;
  unsigned mo, d;
  int64_t ms_of_day;
} civil;

static civil to_civil(int64_t ms) {
  civil c;
  int64_t days = floor_div64(ms, MS_PER_DAY);
  c.ms_of_day = ms - days * MS_PER_DAY;
  date_civil_from_days(days, &c.y, &c.mo, &c.d);
  return c;
}

static int64_t from_civil(const civil *c) {
  return date_days_from_civil(c->y, c->mo, c->d) * MS_PER_DAY + c->ms_of_day;
}

/* ---- reading a date ----------------------------------------------------- */

/* A cursor over the date text s[0..n). */
typedef struct rd {
  const char *s;
  size_t i, n;
} rd;

static int rd_at(const rd *r, char c) { return r->i < r->n && r->s[r->i] == c; }
static int rd_digit(const rd *r) { return r->i < r->n && r->s[r->i] >= '0' && r->s[r->i] <= '9'; }

/* Exactly k digits into *v; 0, or -1 (cursor unchanged). */
static int rd_digits(rd *r, int k, unsigned *v) {
  unsigned x = 0;
  if (r->n - r->i < (size_t)k) return -1;
  for (int j = 0; j < k; j++) {
    char c = r->s[r->i + (size_t)j];
    if (c < '0' || c > '9') return -1;
    x = x * 10 + (unsigned)(c - '0');
  }
  r->i += (size_t)k;
  *v = x;
  return 0;
}

/* The zone at the cursor: nothing, Z, +hh:mm, +hhmm, +hh (or -).  Sets
** *off_ms east of UTC.  0, or -1. */
static int rd_zone(rd *r, int64_t *off_ms) {
  unsigned hh = 0, mm = 0;
  *off_ms = 0;
  if (r->i == r->n) return 0;
  if (rd_at(r, 'Z') || rd_at(r, 'z')) { r->i++; return 0; }
  if (!rd_at(r, '+') && !rd_at(r, '-')) return -1;
  int neg = r->s[r->i++] == '-';
  if (rd_digits(r, 2, &hh) || hh > 23) return -1;
  if (rd_at(r, ':')) r->i++;
  if (r->i < r->n && (rd_digits(r, 2, &mm) || mm > 59)) return -1;
  *off_ms = ((int64_t)hh * MS_PER_HOUR + (int64_t)mm * MS_PER_MIN) * (neg ? -1 : 1);
  return 0;
}

/* "hh[:mm[:ss[.fraction]]]" then the zone, with round_up filling what is
** left out; *ms gets the milliseconds into the day, *off_ms the zone. */
static int rd_time(rd *r, int round_up, int64_t *ms, int64_t *off_ms) {
  unsigned hh, mi = round_up ? 59 : 0, ss = round_up ? 59 : 0, frac = round_up ? 999 : 0;
  if (rd_digits(r, 2, &hh) || hh > 23) return -1;
  if (rd_at(r, ':')) {
    r->i++;
    if (rd_digits(r, 2, &mi) || mi > 59) return -1;
    if (rd_at(r, ':')) {
      r->i++;
      if (rd_digits(r, 2, &ss) || ss > 59) return -1;
      if (rd_at(r, '.') || rd_at(r, ',')) {
        r->i++;
        if (!rd_digit(r)) return -1;
        frac = 0;
        int k = 0;
        for (; rd_digit(r); k++, r->i++)
          if (k < 3) frac = frac * 10 + (unsigned)(r->s[r->i] - '0');
        if (k > 9) return -1;
        for (; k < 3; k++) frac *= 10; /* ".5" is 500 ms */
      }
    }
  }
  if (rd_zone(r, off_ms)) return -1;
  *ms = (((int64_t)hh * 60 + mi) * 60 + ss) * MS_PER_SEC + frac;
  return 0;
}

/* An ISO 8601 date (the ISO formats' common reading, see the top). */
static int parse_iso(const char *s, size_t n, int round_up, int64_t *out) {
  rd r = {s, 0, n};
  unsigned y, mo = round_up ? 12 : 1, d = 1;
  int have_day = 0;
  if (rd_digits(&r, 4, &y) || rd_digit(&r)) return -1;
  if (rd_at(&r, '-')) {
    r.i++;
    if (rd_digits(&r, 2, &mo) || mo < 1 || mo > 12) return -1;
    if (rd_at(&r, '-')) {
      r.i++;
      if (rd_digits(&r, 2, &d) || d < 1 || d > month_len(y, mo)) return -1;
      have_day = 1;
    }
  }
  if (!have_day && round_up) d = month_len(y, mo);
  int64_t tms = round_up ? MS_PER_DAY - 1 : 0, off = 0;
  if (have_day && (rd_at(&r, 'T') || rd_at(&r, 't') || rd_at(&r, ' '))) {
    r.i++;
    if (rd_time(&r, round_up, &tms, &off)) return -1;
  }
  if (r.i != r.n) return -1;
  civil c = {y, mo, d, tms};
  *out = from_civil(&c) - off;
  return 0;
}

/* An integer or decimal number of units of `unit_ms` (epoch_millis: 1,
** epoch_second: 1000), the fraction cut to milliseconds; round_up without
** a fraction adds unit_ms - 1 (ES's round-up default for seconds). */
static int parse_epoch(const char *s, size_t n, int64_t unit_ms, int round_up, int64_t *out) {
  size_t i = 0;
  int neg = 0;
  int64_t v = 0, frac = 0, scale = unit_ms;
  if (i < n && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
  if (i == n || s[i] < '0' || s[i] > '9') return -1;
  for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
    if (v > MS_LIMIT) return -1;
    v = v * 10 + (s[i] - '0');
  }
  int has_frac = i < n && s[i] == '.';
  if (has_frac) {
    if (++i == n) return -1;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
      if (scale /= 10) frac += (s[i] - '0') * scale;
  }
  if (i != n || v > MS_LIMIT / unit_ms) return -1;
  int64_t ms = v * unit_ms + frac;
  *out = neg ? -ms : ms;
  if (round_up && !has_frac) *out += unit_ms - 1;
  return 0;
}

/* The format names read as ISO 8601 (see the top). */
static const char *const iso_formats[] = {
    "strict_date_optional_time", "date_optional_time", "strict_date_optional_time_nanos",
    "strict_date_time", "date_time", "strict_date_time_no_millis", "date_time_no_millis",
    "strict_date_hour_minute_second", "date_hour_minute_second",
    "strict_date_hour_minute_second_millis", "date_hour_minute_second_millis",
    "strict_date_hour_minute", "date_hour_minute", "strict_date", "date",
    "strict_year_month_day", "year_month_day", "strict_year_month", "year_month", "strict_year", "year",
    "yyyy-MM-dd", "yyyy-MM", "yyyy", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.SSS",
    "yyyy-MM-dd'T'HH:mm:ssZ", "yyyy-MM-dd'T'HH:mm:ss.SSSZ", "yyyy-MM-dd'T'HH:mm:ssXXX",
    "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", NULL};

enum { FMT_ISO, FMT_MILLIS, FMT_SECOND, FMT_BAD };

/* The kind of format name f[0..n). */
static int format_kind(const char *f, size_t n) {
  if (n == 12 && !memcmp(f, "epoch_millis", 12)) return FMT_MILLIS;
  if (n == 12 && !memcmp(f, "epoch_second", 12)) return FMT_SECOND;
  for (size_t k = 0; iso_formats[k]; k++)
    if (strlen(iso_formats[k]) == n && !memcmp(iso_formats[k], f, n)) return FMT_ISO;
  return FMT_BAD;
}

/* s[0..n) read by the first of format's alternatives that reads it. */
static int parse_date(const char *s, size_t n, const char *format, int round_up, int64_t *ms, es_err *e) {
  const char *f = format ? format : "strict_date_optional_time||epoch_millis";
  for (const char *p = f;;) {
    const char *bar = strstr(p, "||");
    size_t fl = bar ? (size_t)(bar - p) : strlen(p);
    int rc = -1;
    switch (format_kind(p, fl)) {
    case FMT_ISO: rc = parse_iso(s, n, round_up, ms); break;
    case FMT_MILLIS: rc = parse_epoch(s, n, 1, round_up, ms); break;
    case FMT_SECOND: rc = parse_epoch(s, n, MS_PER_SEC, round_up, ms); break;
    default:
      return es_fail(e, 400, "illegal_argument_exception",
                     "date format [%.*s] is not supported by newsdex (ISO 8601 formats such as "
                     "strict_date_optional_time or yyyy-MM-dd, epoch_millis, epoch_second)",
                     (int)fl, p);
    }
    if (rc == 0 && *ms >= -MS_LIMIT && *ms <= MS_LIMIT) return 0;
    if (!bar) break;
    p = bar + 2;
  }
  return es_fail(e, 400, "parse_exception", "failed to parse date field [%.*s] with format [%s]", (int)n, s, f);
}

/* ---- date math ---------------------------------------------------------- */

/* Add n (may be negative) units u to *t. 0, or -1 out of range. */
static int add_units(int64_t *t, int64_t n, char u) {
  int64_t step;
  if (u == 'y' || u == 'M') { /* calendar months; a year is 12 of them */
    if (u == 'y') n *= 12;
    if (n > 12 * 200000 || n < -12 * 200000) return -1; /* keeps the day arithmetic in range */
    civil c = to_civil(*t);
    int64_t m0 = c.y * 12 + (int64_t)c.mo - 1 + n;
    c.y = floor_div64(m0, 12);
    c.mo = (unsigned)(m0 - c.y * 12) + 1;
    if (c.d > month_len(c.y, c.mo)) c.d = month_len(c.y, c.mo);
    *t = from_civil(&c);
    return *t < -MS_LIMIT || *t > MS_LIMIT ? -1 : 0;
  }
  switch (u) {
  case 'w': step = 7 * MS_PER_DAY; break;
  case 'd': step = MS_PER_DAY; break;
  case 'h': case 'H': step = MS_PER_HOUR; break;
  case 'm': step = MS_PER_MIN; break;
  case 's': step = MS_PER_SEC; break;
  default: return -1;
  }
  if (n > MS_LIMIT / step || n < -MS_LIMIT / step) return -1;
  *t += n * step;
  return *t < -MS_LIMIT || *t > MS_LIMIT ? -1 : 0;
}

/* Round *t down to the start of unit u, or with up to its last ms. */
static int round_unit(int64_t *t, char u, int up) {
  civil c = to_civil(*t);
  int64_t start;
  switch (u) {
  case 'y': c.mo = 1; c.d = 1; c.ms_of_day = 0; start = from_civil(&c); break;
  case 'M': c.d = 1; c.ms_of_day = 0; start = from_civil(&c); break;
  case 'w': {
    int64_t days = floor_div64(*t, MS_PER_DAY);
    int64_t dow = ((days + 3) % 7 + 7) % 7; /* 1970-01-01 was a Thursday: 0 = Monday */
    start = (days - dow) * MS_PER_DAY;
    break;
  }
  case 'd': start = *t - c.ms_of_day; break;
  case 'h': case 'H': start = *t - c.ms_of_day % MS_PER_HOUR; break;
  case 'm': start = *t - c.ms_of_day % MS_PER_MIN; break;
  case 's': start = *t - c.ms_of_day % MS_PER_SEC; break;
  default: return -1;
  }
  *t = start;
  if (up && (add_units(t, 1, u) || (*t -= 1, 0))) return -1;
  return 0;
}

/* Apply the math text m to *t (ES's parseMath). */
static int apply_math(const char *s, const char *m, int64_t *t, int round_up, es_err *e) {
  size_t i = 0, n = strlen(m);
  while (i < n) {
    char op = m[i++];
    if (op != '/' && op != '+' && op != '-')
      return es_fail(e, 400, "parse_exception", "operator not supported for date math [%s] in [%s]", m, s);
    if (i >= n) return es_fail(e, 400, "parse_exception", "truncated date math [%s] in [%s]", m, s);
    int64_t num = 1;
    if (m[i] >= '0' && m[i] <= '9') {
      num = 0;
      while (i < n && m[i] >= '0' && m[i] <= '9') {
        if (num > INT32_MAX / 10) return es_fail(e, 400, "parse_exception", "number too large in date math [%s]", s);
        num = num * 10 + (m[i++] - '0');
      }
      if (i >= n) return es_fail(e, 400, "parse_exception", "truncated date math [%s] in [%s]", m, s);
      if (op == '/')
        return es_fail(e, 400, "parse_exception", "rounding `/` can only be used on single unit types [%s] in [%s]", m, s);
    }
    char u = m[i++];
    if (!strchr("yMwdhHms", u))
      return es_fail(e, 400, "parse_exception", "unit [%c] not supported for date math [%s] in [%s]", u, m, s);
    int rc = op == '/' ? round_unit(t, u, round_up) : add_units(t, op == '-' ? -num : num, u);
    if (rc) return es_fail(e, 400, "parse_exception", "date math [%s] goes out of range", s);
  }
  return 0;
}

int es_datemath(const char *s, const char *format, int64_t now_ms, int round_up, int64_t *ms, es_err *e) {
  int64_t t;
  const char *math;
  if (!strncmp(s, "now", 3)) {
    t = now_ms;
    math = s + 3;
  } else {
    const char *bars = strstr(s, "||");
    if (!bars) return parse_date(s, strlen(s), format, round_up, ms, e);
    if (parse_date(s, (size_t)(bars - s), format, 0, &t, e)) return -1;
    math = bars + 2;
  }
  if (apply_math(s, math, &t, round_up, e)) return -1;
  *ms = t;
  return 0;
}
