/*
** bench.c -- the command line, the input reading and the batch protocol
** shared by the peer adapters (see bench.h).  Articles are read with
** newsdex's own readers (src/ingest), so that every engine indexes exactly
** the same text.
*/
#include "bench.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ingest/ingest.h"
#include "util/date.h"

static void say(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *why, size_t whylen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, whylen, fmt, ap);
  va_end(ap);
}

/* ---- the query subset ---------------------------------------------------- */

static int is_word_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

/* Length of the word at s (0 if none). */
static size_t word_len(const char *s) {
  size_t n = 0;
  while (is_word_char(s[n])) n++;
  return n;
}

/* Is s[0..n) a day YYYY-MM-DD that exists? */
static int is_day(const char *s, size_t n) {
  int64_t secs;
  char err[64];
  return n == 10 && date_parse(s, n, &secs, err, sizeof err) == 0;
}

static int parse_date(const char *s, size_t n, bq *q, size_t at, char *why, size_t whylen) {
  const char *dots = memchr(s, '.', n);
  if (q->has_date) return say(why, whylen, "second date range at %zu", at), -1;
  if (!dots || dots + 1 >= s + n || dots[1] != '.' || !is_day(s, (size_t)(dots - s)) ||
      !is_day(dots + 2, n - (size_t)(dots + 2 - s)))
    return say(why, whylen, "date at %zu is not date:YYYY-MM-DD..YYYY-MM-DD", at), -1;
  memcpy(q->date_from, s, 10);
  memcpy(q->date_to, dots + 2, 10);
  q->date_from[10] = q->date_to[10] = 0;
  if (strcmp(q->date_from, q->date_to) > 0)
    return say(why, whylen, "empty date range at %zu: the start is after the end", at), -1;
  q->has_date = 1;
  return 0;
}

int bq_parse(const char *line, bq *q, char *why, size_t whylen) {
  memset(q, 0, sizeof *q);
  size_t len = strlen(line);
  /* Texts are copied into one block, each NUL-terminated: never longer than the line. */
  char *out = q->mem = malloc(len + 1);
  if (!out) return say(why, whylen, "out of memory"), -1;
  int joins_or = 0, joins_and = 0, need_item = 1;
  const char *s = line;
  while (*s) {
    size_t at = (size_t)(s - line);
    if (*s == ' ') { s++; continue; }
    if (!need_item) {
      if (!strncmp(s, "OR ", 3)) { joins_or = 1; need_item = 1; s += 3; continue; }
      joins_and = 1;
    }
    if (q->n == BQ_MAX_ITEMS) return say(why, whylen, "more than %d items", BQ_MAX_ITEMS), -1;
    bq_item *it = &q->items[q->n];
    if (*s == '"') {
      const char *end = strchr(s + 1, '"');
      if (!end) return say(why, whylen, "unbalanced '\"' at %zu", at), -1;
      size_t words = 0;
      it->kind = BQ_PHRASE;
      it->text = out;
      for (const char *p = s + 1; p < end;) {
        size_t n = word_len(p);
        if (!n || (p + n < end && p[n] != ' ') || (p + n + 1 == end))
          return say(why, whylen, "phrase at %zu is not words of a-z0-9 separated by one space", at), -1;
        if (words++) *out++ = ' ';
        memcpy(out, p, n);
        out += n;
        p += n + (p + n < end);
      }
      if (words < 2) return say(why, whylen, "phrase at %zu has fewer than two words", at), -1;
      *out++ = 0;
      s = end + 1;
      q->n++;
    } else if (!strncmp(s, "date:", 5)) {
      size_t n = strcspn(s, " ");
      if (parse_date(s + 5, n - 5, q, at, why, whylen)) return -1;
      s += n;
    } else {
      size_t n = word_len(s);
      if (!n) return say(why, whylen, "unexpected '%c' at %zu (outside the benchmark subset)", *s, at), -1;
      it->kind = s[n] == '*' ? BQ_PREFIX : BQ_WORD;
      it->text = out;
      memcpy(out, s, n);
      out[n] = 0;
      out += n + 1;
      s += n + (it->kind == BQ_PREFIX);
      if (*s && *s != ' ') return say(why, whylen, "unexpected '%c' at %zu (outside the benchmark subset)", *s, (size_t)(s - line)), -1;
      q->n++;
    }
    need_item = 0;
  }
  if (need_item && joins_or) return say(why, whylen, "missing word after OR"), -1;
  if (q->n == 0) return say(why, whylen, "empty query"), -1;
  if (joins_or) {
    if (joins_and || q->has_date) return say(why, whylen, "OR mixed with AND or a date (outside the benchmark subset)"), -1;
    for (size_t i = 0; i < q->n; i++)
      if (q->items[i].kind != BQ_WORD) return say(why, whylen, "OR joins plain words only in the benchmark subset"), -1;
    q->is_or = 1;
  }
  return 0;
}

void bq_free(bq *q) {
  free(q->mem);
  q->mem = NULL;
}

void bench_day(const nd_doc *d, char out[11]) {
  int64_t secs, y;
  unsigned m, day;
  char err[64];
  out[0] = 0;
  if (!d->date || date_parse(d->date, strlen(d->date), &secs, err, sizeof err)) return;
  int64_t days = secs / 86400 - (secs % 86400 < 0);
  date_civil_from_days(days, &y, &m, &day);
  snprintf(out, 11, "%04d-%02u-%02u", (int)y, m, day);
}

void bench_add_id(bench_result *r, const char *id, size_t len) {
  if (r->n++) buf_putc(&r->ids, ',');
  buf_put(&r->ids, id, len);
}

/* ---- build --------------------------------------------------------------- */

typedef struct build_ctx {
  const bench_ops *ops;
  void *engine;
  char why[512];
  uint64_t added;
} build_ctx;

static int on_doc(void *ctx, const nd_doc *doc, const char *file, uint64_t line) {
  build_ctx *b = ctx;
  if (b->ops->build_add(b->engine, doc, b->why, sizeof b->why)) {
    fprintf(stderr, "error: %s:%llu: %s\n", file, (unsigned long long)line, b->why);
    return 1;
  }
  b->added++;
  return 0;
}

static void on_error(void *ctx, const char *file, uint64_t line, const char *reason) {
  (void)ctx;
  if (line) fprintf(stderr, "%s:%llu: %s\n", file, (unsigned long long)line, reason);
  else fprintf(stderr, "%s: %s\n", file, reason);
}

static int run_build(const bench_ops *ops, const char *dir, int nfiles, char **files) {
  build_ctx b;
  memset(&b, 0, sizeof b);
  b.ops = ops;
  if (ops->build_open(dir, &b.engine, b.why, sizeof b.why)) {
    fprintf(stderr, "%s: error: %s: %s\n", ops->name, dir, b.why);
    return 1;
  }
  ingest_stats st;
  memset(&st, 0, sizeof st);
  for (int i = 0; i < nfiles; i++) {
    int rc = ingest_path(files[i], on_doc, on_error, &b, &st);
    if (rc) {
      if (rc < 0) fprintf(stderr, "%s: error: %s: %s\n", ops->name, files[i], nd_strerror(rc));
      ops->close(b.engine);
      return 1;
    }
  }
  if (ops->build_finish(b.engine, b.why, sizeof b.why)) {
    fprintf(stderr, "%s: error: %s: %s\n", ops->name, dir, b.why);
    return 1;
  }
  fprintf(stderr, "%s: indexed %llu articles (%llu rejected) from %llu files, %llu bytes\n", ops->name,
          (unsigned long long)b.added, (unsigned long long)st.rejected, (unsigned long long)st.files,
          (unsigned long long)st.bytes);
  return st.rejected ? 3 : 0;
}

/* ---- search -------------------------------------------------------------- */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void print_error_line(const char *m) {
  fputs("error\t", stdout);
  for (; *m; m++) fputc(*m == '\t' || *m == '\n' || *m == '\r' ? ' ' : *m, stdout);
  fputc('\n', stdout);
}

static int run_search(const bench_ops *ops, const char *dir, size_t limit, int exact, int timings) {
  char why[512];
  void *engine;
  if (ops->search_open(dir, &engine, why, sizeof why)) {
    fprintf(stderr, "%s: error: %s: %s\n", ops->name, dir, why);
    return 1;
  }
  bench_result r;
  memset(&r, 0, sizeof r);
  buf_init(&r.ids);
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  int st = 0;
  while ((len = getline(&line, &cap, stdin)) >= 0) {
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
    bq q;
    r.total = 0;
    r.n = 0;
    buf_reset(&r.ids);
    uint64_t t0 = now_ns();
    int rc = bq_parse(line, &q, why, sizeof why);
    if (!rc) rc = ops->search(engine, &q, limit, exact, &r, why, sizeof why);
    uint64_t took = now_ns() - t0;
    bq_free(&q);
    if (timings) fprintf(stderr, "#qt_ns %llu\n", (unsigned long long)took);
    if (rc || r.ids.oom) {
      print_error_line(rc ? why : "out of memory");
      st = 2;
      continue;
    }
    printf("%llu\t%s\n", (unsigned long long)r.total, buf_cstr(&r.ids));
  }
  free(line);
  buf_free(&r.ids);
  ops->close(engine);
  return st;
}

/* ---- the command line ---------------------------------------------------- */

static int usage(const bench_ops *ops, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage(const bench_ops *ops, const char *fmt, ...) {
  va_list ap;
  fprintf(stderr, "%s: ", ops->name);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nusage: %s build DBDIR FILE...\n"
                  "       %s search DBDIR --limit K [--count exact|lower-bound] [--timings] < QUERIES\n",
          ops->name, ops->name);
  return 2;
}

int bench_main(const bench_ops *ops, int argc, char **argv) {
  if (argc < 3) return usage(ops, "missing mode and DBDIR");
  const char *mode = argv[1], *dir = argv[2];
  if (!strcmp(mode, "build")) {
    if (argc < 4) return usage(ops, "build: no FILE given");
    return run_build(ops, dir, argc - 3, argv + 3);
  }
  if (strcmp(mode, "search")) return usage(ops, "unknown mode '%s'", mode);
  long limit = 0;
  int exact = 1, timings = 0;
  for (int i = 3; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--timings")) timings = 1;
    else if (!strcmp(a, "--limit") && i + 1 < argc) {
      char *end;
      errno = 0;
      limit = strtol(argv[++i], &end, 10);
      if (*end || errno || limit < 1 || limit > 100000)
        return usage(ops, "--limit wants a whole number from 1 to 100000, not '%s'", argv[i]);
    } else if (!strcmp(a, "--count") && i + 1 < argc) {
      const char *v = argv[++i];
      if (!strcmp(v, "exact")) exact = 1;
      else if (!strcmp(v, "lower-bound")) exact = 0;
      else return usage(ops, "--count is 'exact' or 'lower-bound', not '%s'", v);
    } else return usage(ops, "unknown or incomplete option '%s'", a);
  }
  if (!limit) return usage(ops, "search: --limit K is required");
  return run_search(ops, dir, (size_t)limit, exact, timings);
}
