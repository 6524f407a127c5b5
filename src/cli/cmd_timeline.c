/*
** cmd_timeline.c -- `newsdex timeline`: how many stories (or articles)
** match each query per day, ISO week, month or year.
**
** The counts are the library's date histograms (nd_facets_get with
** .histogram), read from the index alone; nothing stored is fetched.  The
** histograms leave empty periods out; here every period from the first to
** the last is shown, the missing ones as 0, so that the rows (and a
** chart's x axis) keep the time scale.  --from and --to add a date clause
** to each query, "(QUERY) date:FROM..TO", so that every count stays exact
** even when a bound falls inside a period; the periods shown then run from
** the one holding FROM to the one holding TO.
**
** Periods are numbered on their own scale ("ord") to walk from one to the
** next: a day is its number since 1970-01-01, a month y * 12 + m - 1, a
** year itself, an ISO week its Thursday's day number divided by 7 (day 0
** was a Thursday).  Keys are the library's: "YYYY-MM-DD", "YYYY-Www" (the
** ISO week-numbering year), "YYYY-MM", "YYYY".
**
** Output: rows of period, count per query and a bar per query (block
** characters in eighths on a UTF-8 locale, ASCII otherwise) scaled to the
** largest count; --csv: "period,QUERY1,..."; --svg FILE: a chart
** (chart.c).
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../util/date.h"
#include "chart.h"
#include "cli.h"

#define MAX_PERIODS 100000 /* rows at most: a finer --by beyond that is refused */
#define LABEL_MAX 24       /* characters of a query in a column heading */
#define BAR_MIN 10         /* columns of a bar at least */
#define BAR_MAX 60         /* and at most */
#define MAX_QUERIES 16
#define KEY_CAP 24         /* bytes of a period key (a date_format buffer) */

static const char *const UNIT_NAME[] = {"", "day", "week", "month", "year"};

typedef struct timeline_args {
  const char *archive;
  const char **queries; /* each QUERY argument (pointers into argv) */
  size_t nq;
  int unit;             /* ND_HIST_*; ND_HIST_NONE: chosen from the span */
  int has_from, has_to;
  int64_t from_day, to_day; /* first and last day counted (days since 1970) */
  int versions;         /* ND_VERSIONS_COLLAPSE or ND_VERSIONS_ALL */
  int csv;
  const char *svg;      /* --svg FILE ("-": stdout) */
  const char *title;
} timeline_args;

/* One query's counts over the periods shown. */
typedef struct series {
  const char *query; /* as given */
  char *run;         /* as run: with the date clause of --from/--to (malloc'ed) */
  nd_facets *f;
  uint64_t *counts;  /* per period shown */
} series;

/* ---- periods ------------------------------------------------------------ */

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/* 0 for Monday .. 6 for Sunday (day 0, 1970-01-01, was a Thursday). */
static int64_t weekday(int64_t day) { return day + 3 - floor_div(day + 3, 7) * 7; }

/* The period holding a day. */
static int64_t ord_of_day(int64_t day, int unit) {
  int64_t y;
  unsigned m, d;
  if (unit == ND_HIST_DAY) return day;
  if (unit == ND_HIST_WEEK) return (day - weekday(day) + 3) / 7;
  date_civil_from_days(day, &y, &m, &d);
  return unit == ND_HIST_YEAR ? y : y * 12 + (int64_t)m - 1;
}

/* n digits of s as a number; -1 if they are not digits. */
static int64_t digits(const char *s, size_t n) {
  int64_t v = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/* The period of a histogram key; 0 when it is not one of `unit`. */
static int ord_of_key(const char *k, int unit, int64_t *ord) {
  size_t n = strlen(k);
  int64_t y = digits(k, 4), a = n >= 7 ? digits(k + 5, 2) : -1;
  if (y < 0) return 0;
  switch (unit) {
  case ND_HIST_YEAR:
    *ord = y;
    return n == 4;
  case ND_HIST_MONTH:
    *ord = y * 12 + a - 1;
    return n == 7 && k[4] == '-' && a >= 1 && a <= 12;
  case ND_HIST_DAY: {
    int64_t d = n == 10 ? digits(k + 8, 2) : -1;
    if (n != 10 || k[4] != '-' || k[7] != '-' || a < 1 || a > 12 || d < 1 || d > 31) return 0;
    *ord = date_days_from_civil(y, (unsigned)a, (unsigned)d);
    return 1;
  }
  default: { /* week w's Thursday is w - 1 weeks after the Thursday of 4 January's week */
    int64_t w = n == 8 ? digits(k + 6, 2) : -1;
    if (n != 8 || k[4] != '-' || k[5] != 'W' || w < 1 || w > 53) return 0;
    int64_t jan4 = date_days_from_civil(y, 1, 4);
    *ord = (jan4 - weekday(jan4) + 3) / 7 + w - 1;
    return 1;
  }
  }
}

/* The key of a period, as the library writes it, from the ISO date of its
** first day (of its Thursday for a week, whose year is the ISO year); out
** holds at least 24 bytes. */
static void key_of_ord(int64_t ord, int unit, char *out) {
  static const size_t LEN[] = {0, 10, 4, 7, 4};
  int64_t day = ord;
  if (unit == ND_HIST_WEEK) day = ord * 7;
  else if (unit == ND_HIST_MONTH) day = date_days_from_civil(floor_div(ord, 12), (unsigned)(ord - floor_div(ord, 12) * 12) + 1, 1);
  else if (unit == ND_HIST_YEAR) day = date_days_from_civil(ord, 1, 1);
  date_format(day * 86400, out);
  out[LEN[unit]] = 0;
  if (unit == ND_HIST_WEEK)
    snprintf(out + 4, 20, "-W%02d", (int)((day - date_days_from_civil(digits(out, 4), 1, 1)) / 7 + 1));
}

/* ---- the command line --------------------------------------------------- */

/* --from / --to: a day, month or year; sets the first or last day it names. */
static int parse_bound(const char *opt, const char *v, int last, int64_t *day) {
  char err[128];
  int64_t lo, hi;
  if (date_parse_period(v, strlen(v), &lo, &hi, err, sizeof err))
    return cli_usage_error("timeline", "--%s: bad date '%s': %s", opt, v, err), -1;
  if (lo % 86400 || (hi + 1) % 86400)
    return cli_usage_error("timeline", "--%s wants a day, month or year (YYYY-MM-DD, YYYY-MM or YYYY), not the time '%s'",
                           opt, v), -1;
  *day = floor_div(last ? hi : lo, 86400);
  return 0;
}

static int timeline_opt(cli_args *a, timeline_args *t) {
  const char *v;
  int r = cli_common_opt(a);
  if (r != OPT_NO) return r;
  if ((r = cli_opt(a, "by", &v)) == OPT_YES) {
    for (int u = ND_HIST_DAY; u <= ND_HIST_YEAR; u++)
      if (!strcmp(v, UNIT_NAME[u])) { t->unit = u; return OPT_YES; }
    return cli_usage_error("timeline", "--by is day, week, month or year, not '%s'", v), OPT_BAD;
  }
  if (r == OPT_BAD) return r;
  if ((r = cli_opt(a, "from", &v)) == OPT_YES) {
    t->has_from = 1;
    return parse_bound("from", v, 0, &t->from_day) ? OPT_BAD : OPT_YES;
  }
  if (r == OPT_BAD) return r;
  if ((r = cli_opt(a, "to", &v)) == OPT_YES) {
    t->has_to = 1;
    return parse_bound("to", v, 1, &t->to_day) ? OPT_BAD : OPT_YES;
  }
  if (r == OPT_BAD) return r;
  if ((r = cli_opt(a, "versions", &v)) == OPT_YES) {
    if (!strcmp(v, "collapse")) t->versions = ND_VERSIONS_COLLAPSE;
    else if (!strcmp(v, "all")) t->versions = ND_VERSIONS_ALL;
    else return cli_usage_error("timeline", "--versions is 'collapse' or 'all', not '%s'", v), OPT_BAD;
    return OPT_YES;
  }
  if (r == OPT_BAD) return r;
  if ((r = cli_opt(a, "csv", NULL)) != OPT_NO) { t->csv = 1; return r; }
  if ((r = cli_opt(a, "svg", &v)) == OPT_YES) {
    size_t n = strlen(v);
    if (!*v) return cli_usage_error("timeline", "--svg needs a file name (or - for standard output)"), OPT_BAD;
    if (n >= 4 && !strcasecmp(v + n - 4, ".png"))
      return cli_usage_error("timeline", "--svg writes SVG, not PNG: give a name ending in .svg, not '%s'", v), OPT_BAD;
    t->svg = v;
    return OPT_YES;
  }
  if (r == OPT_BAD) return r;
  if ((r = cli_opt(a, "title", &v)) == OPT_YES) { t->title = v; return OPT_YES; }
  if (r == OPT_BAD) return r;
  cli_unknown_opt(a);
  return OPT_BAD;
}

/* Returns -1 to go on, else the exit status. */
static int parse_timeline(int argc, char **argv, const char *db, timeline_args *t) {
  cli_args a;
  cli_args_init(&a, "timeline", db, argc, argv);
  t->queries = (const char **)argv; /* reused: the queries are stored over argv's first entries */
  for (; a.i < argc; a.i++) {
    /* A QUERY may start with one '-' (an exclusion first); -h is help. */
    int r = strcmp(argv[a.i], "-h") || a.no_more_opts ? cli_is_option(&a, 1) : OPT_YES;
    if (r == OPT_SEP) continue;
    if (r == OPT_NO) {
      if (!argv[a.i][strspn(argv[a.i], " \t\r\n")])
        return cli_usage_error("timeline", "QUERY %zu is empty", t->nq + 1);
      if (t->nq == MAX_QUERIES) return cli_usage_error("timeline", "at most %d queries", MAX_QUERIES);
      t->queries[t->nq++] = argv[a.i];
      continue;
    }
    r = timeline_opt(&a, t);
    if (r == OPT_HELP) return EXIT_OK;
    if (r == OPT_BAD) return EXIT_USAGE;
  }
  if (!(t->archive = cli_archive(&a))) return EXIT_USAGE;
  if (!t->nq) return cli_usage_error("timeline", "no QUERY given (one argument per query: NATO '\"Iraq war\"')");
  if (t->has_from && t->has_to && t->from_day > t->to_day)
    return cli_usage_error("timeline", "--from is after --to: nothing to count");
  if (t->csv && t->svg && !strcmp(t->svg, "-"))
    return cli_usage_error("timeline", "--csv and --svg - would both write to standard output");
  return -1;
}

/* ---- counting ----------------------------------------------------------- */

/* The query as run: "(QUERY) date:FROM..TO" with --from/--to. */
static char *query_to_run(const timeline_args *t, const char *q) {
  char from[24] = "", to[24] = "", *s;
  if (!t->has_from && !t->has_to) return strdup(q);
  if (t->has_from) date_format(t->from_day * 86400, from);
  if (t->has_to) date_format(t->to_day * 86400, to);
  size_t n = strlen(q) + strlen(from) + strlen(to) + 16;
  if ((s = malloc(n))) snprintf(s, n, "(%s) date:%s..%s", q, from, to);
  return s;
}

/* A malformed query: the library's message and a caret under the place,
** in the query as given when the fault is its own (the date clause never
** is at fault: its dates were checked). */
static int query_error(nd_index *ix, const timeline_args *t, size_t i, int rc, const series *s) {
  const char *shown = s->run;
  if (strcmp(s->run, s->query)) {
    nd_facets *f = NULL;
    int raw = nd_facets_get(ix, s->query, NULL, &f);
    nd_facets_free(f);
    f = NULL;
    if (raw == ND_ERR_QUERY || raw == ND_ERR_LIMIT) shown = s->query;
    else nd_facets_get(ix, s->run, NULL, &f); /* the query alone is fine: the message again */
    nd_facets_free(f);
  }
  size_t off = nd_error_offset(ix);
  const char *m = nd_errmsg(ix);
  if (t->nq > 1) cli_error("query %zu: %s", i + 1, *m ? m : nd_strerror(rc));
  else cli_error("%s", *m ? m : nd_strerror(rc));
  term_put_caret(stderr, shown, off);
  return EXIT_USAGE;
}

/* The histogram of every query by `unit`.  Returns an exit status. */
static int count_all(nd_index *ix, const timeline_args *t, series *ss, int unit) {
  for (size_t i = 0; i < t->nq; i++) {
    nd_facet_options fo = {.histogram = unit, .versions = t->versions};
    nd_facets_free(ss[i].f);
    ss[i].f = NULL;
    int rc = nd_facets_get(ix, ss[i].run, &fo, &ss[i].f);
    if (rc == ND_ERR_QUERY || rc == ND_ERR_LIMIT) return query_error(ix, t, i, rc, &ss[i]);
    if (rc != ND_OK) { cli_lib_error(ix, rc); return cli_exit_code(rc); }
  }
  return EXIT_OK;
}

/* The first and last period with a count over every series; 0 if none. */
static int data_span(const series *ss, size_t nq, int unit, int64_t *lo, int64_t *hi) {
  int any = 0;
  for (size_t i = 0; i < nq; i++)
    for (size_t j = 0; j < ss[i].f->nhist; j++) {
      int64_t o;
      if (!ord_of_key(ss[i].f->hist[j].key, unit, &o)) continue;
      if (!any || o < *lo) *lo = o;
      if (!any || o > *hi) *hi = o;
      any = 1;
    }
  return any;
}

/* The periods to show, lo..hi (none when hi < lo): from the period of
** --from, else the first with a count, to that of --to, else the last with
** a count.  With no count and not both bounds, none. */
static void shown_span(const timeline_args *t, const series *ss, int unit, int64_t *lo, int64_t *hi) {
  int any = data_span(ss, t->nq, unit, lo, hi);
  if (t->has_from) *lo = ord_of_day(t->from_day, unit);
  if (t->has_to) *hi = ord_of_day(t->to_day, unit);
  if (!any && !(t->has_from && t->has_to)) *hi = *lo - 1;
}

/* The unit when --by is not given, from the days spanned: year over three
** years, month over three months, else day. */
static int choose_unit(const timeline_args *t, const series *ss) {
  int64_t lo = 0, hi = -1;
  shown_span(t, ss, ND_HIST_DAY, &lo, &hi);
  int64_t days = hi - lo + 1;
  return days > 1096 ? ND_HIST_YEAR : days > 92 ? ND_HIST_MONTH : ND_HIST_DAY;
}

/* ---- output ------------------------------------------------------------- */

static int utf8_locale(void) {
  const char *v = getenv("LC_ALL");
  if (!v || !*v) v = getenv("LC_CTYPE");
  if (!v || !*v) v = getenv("LANG");
  return v && (strcasestr(v, "utf-8") || strcasestr(v, "utf8"));
}

static size_t term_width(void) {
  struct winsize ws;
  if (isatty(STDOUT_FILENO) && !ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_col >= 20) return ws.ws_col;
  const char *c = getenv("COLUMNS");
  long n = c ? strtol(c, NULL, 10) : 0;
  return n >= 20 && n <= 1000 ? (size_t)n : 80;
}

static size_t label_len(const char *s) {
  size_t n = term_column(s, strlen(s));
  return n < LABEL_MAX ? n : LABEL_MAX;
}

/* s on one line in at most max characters (cut with "~", or "…" in
** UTF-8), control characters as '?', padded with spaces to `pad`
** (right-aligned when `right`). */
static void put_label(const char *s, size_t max, size_t pad, int right, int utf8) {
  size_t n = term_column(s, strlen(s)), shown = n > max ? max : n, end = strlen(s);
  if (n > max) { /* the byte where character max - 1 starts */
    end = 0;
    for (size_t c = 0; s[end] && c < max - 1; c++)
      for (end++; ((unsigned char)s[end] & 0xc0) == 0x80; end++) {}
  }
  if (right) printf("%*s", (int)(pad > shown ? pad - shown : 0), "");
  term_put_flat(stdout, s, end);
  if (n > max) fputs(utf8 ? "\xe2\x80\xa6" : "~", stdout);
  if (!right) printf("%*s", (int)(pad > shown ? pad - shown : 0), "");
}

/* A bar of v on a scale where max fills width columns. */
static void put_bar(uint64_t v, uint64_t max, size_t width, size_t series_no, int utf8) {
  static const char *const EIGHTHS[] = {"", "\xe2\x96\x8f", "\xe2\x96\x8e", "\xe2\x96\x8d", "\xe2\x96\x8c",
                                        "\xe2\x96\x8b", "\xe2\x96\x8a", "\xe2\x96\x89"};
  static const char ASCII[] = "#=*+o%@x";
  if (!v || !max) return;
  uint64_t parts = (uint64_t)((double)v / (double)max * (double)width * (utf8 ? 8 : 1) + 0.5);
  if (!parts) parts = 1;
  if (!utf8) {
    for (uint64_t i = 0; i < parts; i++) putchar(ASCII[series_no % (sizeof ASCII - 1)]);
    return;
  }
  for (uint64_t i = 0; i < parts / 8; i++) fputs("\xe2\x96\x88", stdout);
  fputs(EIGHTHS[parts % 8], stdout);
}

static size_t bar_cols(uint64_t v, uint64_t max, size_t width, int utf8) {
  if (!v || !max) return 0;
  uint64_t parts = (uint64_t)((double)v / (double)max * (double)width * (utf8 ? 8 : 1) + 0.5);
  if (!parts) parts = 1;
  return utf8 ? (size_t)((parts + 7) / 8) : (size_t)parts;
}

static size_t num_width(uint64_t v) {
  char d[24];
  return (size_t)snprintf(d, sizeof d, "%llu", (unsigned long long)v);
}

/* The rows: period, one count per query, one bar per query. */
static void print_rows(const timeline_args *t, const series *ss, char **keys, size_t np, int unit) {
  int utf8 = utf8_locale();
  const char *what = t->versions == ND_VERSIONS_ALL ? "articles" : "stories";
  uint64_t max = 0, undated = 0;
  size_t w0 = strlen(UNIT_NAME[unit]), cw[MAX_QUERIES], used;
  for (size_t i = 0; i < t->nq; i++) undated += ss[i].f->undated;
  if (undated && w0 < 7) w0 = 7;
  if (np) {
    printf("%s per %s, %s", what, UNIT_NAME[unit], keys[0]);
    if (np > 1) printf(" to %s", keys[np - 1]);
    fputc('\n', stdout);
  } else {
    printf("no dated %s match\n", what);
    if (!undated) return;
  }
  if (np && strlen(keys[0]) > w0) w0 = strlen(keys[0]);
  used = w0;
  for (size_t i = 0; i < t->nq; i++) {
    cw[i] = label_len(ss[i].query);
    for (size_t p = 0; p < np; p++) {
      if (num_width(ss[i].counts[p]) > cw[i]) cw[i] = num_width(ss[i].counts[p]);
      if (ss[i].counts[p] > max) max = ss[i].counts[p];
    }
    if (num_width(ss[i].f->undated) > cw[i]) cw[i] = num_width(ss[i].f->undated);
    used += 2 + cw[i];
  }
  size_t nq = t->nq, cols = term_width(), room = cols > used + 2 ? cols - used - 2 : 0;
  size_t bw = (room > 2 * (nq - 1) ? room - 2 * (nq - 1) : 0) / nq;
  if (bw < BAR_MIN) bw = BAR_MIN;
  if (bw > BAR_MAX) bw = BAR_MAX;
  /* heading */
  printf("%-*s", (int)w0, UNIT_NAME[unit]);
  for (size_t i = 0; i < nq; i++) {
    fputs("  ", stdout);
    put_label(ss[i].query, LABEL_MAX, cw[i], 1, utf8);
  }
  for (size_t i = 0; i < nq && nq > 1; i++) {
    fputs("  ", stdout);
    put_label(ss[i].query, bw, i + 1 < nq ? bw : 0, 0, utf8);
  }
  fputc('\n', stdout);
  for (size_t p = 0; p < np; p++) {
    printf("%-*s", (int)w0, keys[p]);
    for (size_t i = 0; i < nq; i++) printf("  %*llu", (int)cw[i], (unsigned long long)ss[i].counts[p]);
    size_t pending = 0; /* spaces owed before the next bar */
    for (size_t i = 0; i < nq; i++) {
      size_t n = bar_cols(ss[i].counts[p], max, bw, utf8);
      if (n) {
        printf("%*s", (int)(pending + 2), "");
        put_bar(ss[i].counts[p], max, bw, i, utf8);
        pending = bw - n;
      } else {
        pending += 2 + bw;
      }
    }
    fputc('\n', stdout);
  }
  if (undated) {
    printf("%-*s", (int)w0, "undated");
    for (size_t i = 0; i < nq; i++) printf("  %*llu", (int)cw[i], (unsigned long long)ss[i].f->undated);
    fputs("  (not shown above)\n", stdout);
  }
}

/* A CSV field, quoted when it holds a comma, a quote, a line break or
** outer spaces (RFC 4180). */
static void put_csv(const char *s) {
  size_t n = strlen(s);
  if (!s[strcspn(s, ",\"\r\n")] && n && s[0] != ' ' && s[n - 1] != ' ') { fputs(s, stdout); return; }
  fputc('"', stdout);
  for (; *s; s++) {
    if (*s == '"') fputc('"', stdout);
    fputc(*s, stdout);
  }
  fputc('"', stdout);
}

static void print_csv(const timeline_args *t, const series *ss, char **keys, size_t np) {
  fputs("period", stdout);
  for (size_t i = 0; i < t->nq; i++) {
    fputc(',', stdout);
    put_csv(ss[i].query);
  }
  fputs("\r\n", stdout);
  for (size_t p = 0; p < np; p++) {
    fputs(keys[p], stdout);
    for (size_t i = 0; i < t->nq; i++) printf(",%llu", (unsigned long long)ss[i].counts[p]);
    fputs("\r\n", stdout);
  }
}

static int write_svg(const timeline_args *t, const series *ss, char **keys, const int64_t *ords, size_t np,
                     int unit) {
  static const unsigned STEPS[][12] = {
    {0},
    {1, 2, 7, 14, 28, 56, 91, 182, 364, 0}, /* days */
    {1, 2, 4, 13, 26, 52, 104, 260, 0},      /* weeks */
    {1, 2, 3, 6, 12, 24, 60, 120, 240, 0},   /* months */
    {1, 2, 5, 10, 20, 50, 100, 200, 500, 0}, /* years */
  };
  int all = t->versions == ND_VERSIONS_ALL;
  char ylabel[64], title[160];
  snprintf(ylabel, sizeof ylabel, "%s per %s", all ? "articles" : "stories", UNIT_NAME[unit]);
  int n = snprintf(title, sizeof title, "%s per %s", all ? "Articles" : "Stories", UNIT_NAME[unit]);
  if (np) snprintf(title + n, sizeof title - (size_t)n, ", %s%s%s", keys[0], np > 1 ? " to " : "", np > 1 ? keys[np - 1] : "");
  chart_series *cs = calloc(t->nq, sizeof *cs);
  if (!cs) { cli_error("out of memory"); return EXIT_ERROR; }
  for (size_t i = 0; i < t->nq; i++) cs[i] = (chart_series){ss[i].query, ss[i].counts};
  chart c = {.title = t->title ? t->title : title, .x_label = unit == ND_HIST_WEEK ? "ISO week" : UNIT_NAME[unit],
             .y_label = ylabel, .periods = (const char *const *)keys, .ord = ords, .steps = STEPS[unit],
             .nperiods = np, .series = cs, .nseries = t->nq};
  int to_stdout = !strcmp(t->svg, "-");
  FILE *f = to_stdout ? stdout : fopen(t->svg, "w");
  if (!f) {
    free(cs);
    cli_error("cannot write %s: %s", t->svg, strerror(errno));
    return EXIT_ERROR;
  }
  int bad = chart_write_svg(f, &c);
  free(cs);
  if (to_stdout) return bad ? EXIT_ERROR : EXIT_OK; /* a failed write is reported at exit */
  if (fclose(f) || bad) {
    cli_error("cannot write %s: %s", t->svg, strerror(errno));
    return EXIT_ERROR;
  }
  fprintf(stderr, "wrote %s: %zu %s%s, %zu quer%s\n", t->svg, np, UNIT_NAME[unit], np == 1 ? "" : "s", t->nq,
          t->nq == 1 ? "y" : "ies");
  return EXIT_OK;
}

/* Spread each series' histogram over the periods lo..hi (np of them). */
static int fill(series *ss, size_t nq, int unit, int64_t lo, size_t np) {
  for (size_t i = 0; i < nq; i++) {
    if (!(ss[i].counts = calloc(np + 1, sizeof *ss[i].counts))) return -1;
    for (size_t j = 0; j < ss[i].f->nhist; j++) {
      int64_t o;
      if (ord_of_key(ss[i].f->hist[j].key, unit, &o) && o >= lo && o - lo < (int64_t)np)
        ss[i].counts[o - lo] += ss[i].f->hist[j].count;
    }
  }
  return 0;
}

static int run_timeline(nd_index *ix, const timeline_args *t, series *ss) {
  int unit = t->unit;
  int st = count_all(ix, t, ss, unit ? unit : ND_HIST_DAY);
  if (st != EXIT_OK) return st;
  if (!unit && (unit = choose_unit(t, ss)) != ND_HIST_DAY && (st = count_all(ix, t, ss, unit)) != EXIT_OK) return st;
  for (size_t i = 0; i < t->nq; i++)
    for (size_t j = 0; j < ss[i].f->nhist; j++) {
      int64_t o;
      if (!ord_of_key(ss[i].f->hist[j].key, unit, &o)) {
        cli_error("unexpected period '%s' in the %s histogram", ss[i].f->hist[j].key, UNIT_NAME[unit]);
        return EXIT_ERROR;
      }
    }
  int64_t lo = 0, hi = -1;
  shown_span(t, ss, unit, &lo, &hi);
  if (hi - lo + 1 > MAX_PERIODS)
    return cli_usage_error("timeline", "%lld periods by %s are too many (at most %d): use a longer --by or --from/--to",
                           (long long)(hi - lo + 1), UNIT_NAME[unit], MAX_PERIODS);
  size_t np = hi >= lo ? (size_t)(hi - lo + 1) : 0;
  char **keys = calloc(np + 1, sizeof *keys);
  int64_t *ords = calloc(np + 1, sizeof *ords);
  char *text = calloc(np + 1, KEY_CAP);
  if (!keys || !ords || !text || fill(ss, t->nq, unit, lo, np)) {
    cli_error("out of memory");
    st = EXIT_ERROR;
  } else {
    for (size_t p = 0; p < np; p++) {
      ords[p] = lo + (int64_t)p;
      keys[p] = text + p * KEY_CAP;
      key_of_ord(ords[p], unit, keys[p]);
    }
    if (t->svg) st = write_svg(t, ss, keys, ords, np, unit);
    if (st == EXIT_OK && t->csv) print_csv(t, ss, keys, np);
    else if (st == EXIT_OK && !t->svg) print_rows(t, ss, keys, np, unit);
  }
  free(keys);
  free(ords);
  free(text);
  return st;
}

int cmd_timeline(const char *db, int argc, char **argv) {
  timeline_args t;
  memset(&t, 0, sizeof t);
  t.versions = ND_VERSIONS_COLLAPSE;
  int st = parse_timeline(argc, argv, db, &t);
  if (st >= 0) return st;
  series *ss = calloc(t.nq, sizeof *ss);
  if (!ss) { cli_error("out of memory"); return EXIT_ERROR; }
  for (size_t i = 0; i < t.nq; i++) {
    ss[i].query = t.queries[i];
    if (!(ss[i].run = query_to_run(&t, t.queries[i]))) { st = EXIT_ERROR; cli_error("out of memory"); }
  }
  nd_index *ix = NULL;
  if (st < 0 && (st = cli_open(t.archive, 0, NULL, &ix)) == EXIT_OK) st = run_timeline(ix, &t, ss);
  nd_close(ix);
  for (size_t i = 0; i < t.nq; i++) {
    free(ss[i].run);
    free(ss[i].counts);
    nd_facets_free(ss[i].f);
  }
  free(ss);
  return st;
}
