/*
** pg_query.c -- time SQL statements through libpq (bench/pg_bench.sh).
**
**   pg_query [-d CONNINFO] [-w WARMUP] [-r REPS] [-s SQL]... FILE
**
** FILE holds one SQL statement a line (or several, separated by
** semicolons, sent as one query string).  On one connection, after the -s
** statements (session settings), FILE is run WARMUP times untimed (default
** 1) and then REPS times timed (default 3), pass after pass, so that a
** statement is never timed right after itself.  A line's time is the wall
** time from sending it to having its last result (parse, plan, execution
** and the round trip).  Prints one line per line of FILE:
**
**   MEDIAN_NS <TAB> ROWS <TAB> FIELD <TAB> FIELD ...
**
** the median over the timed passes, the number of rows of its first result
** with rows, and the fields of the first row of every result with rows, in
** order (NULL is printed empty); or
**
**   MEDIAN_NS <TAB> error <TAB> MESSAGE
**
** when it failed (every failed pass is timed too).  CONNINFO is a libpq
** connection string (default: the PG* environment variables).  Exit
** status: 0, 1 on a connection or file error, 2 on a usage error.
*/
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct stmt {
  char *sql;
  uint64_t *ns; /* one per timed pass */
  char *out;    /* "ROWS\tFIELD..." or "error\tMESSAGE" of the last pass */
} stmt;

static uint64_t now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void die(const char *what, const char *why) {
  fprintf(stderr, "pg_query: %s: %s\n", what, why);
  exit(1);
}

static char *xstrdup(const char *s) {
  char *d = strdup(s);
  if (!d) die("strdup", "out of memory");
  return d;
}

/* Tabs and newlines of a field or message become spaces. */
static void flatten(char *s) {
  for (; *s; s++)
    if (*s == '\t' || *s == '\n' || *s == '\r') *s = ' ';
}

/* Appends to *s (of length *len) a tab and the fields of r's first row. */
static void append_row(char **s, size_t *len, PGresult *r) {
  int cols = PQnfields(r);
  size_t n = *len + 1;
  for (int j = 0; j < cols; j++) n += (size_t)PQgetlength(r, 0, j) + 1;
  char *p = realloc(*s, n);
  if (!p) die("realloc", "out of memory");
  for (int j = 0; j < cols; j++) {
    p[(*len)++] = '\t';
    char *f = p + *len;
    memcpy(f, PQgetvalue(r, 0, j), (size_t)PQgetlength(r, 0, j));
    *len += (size_t)PQgetlength(r, 0, j);
    p[*len] = 0;
    flatten(f);
  }
  p[*len] = 0;
  *s = p;
}

/* The results of one query string (PQsendQuery, then PQgetResult until NULL). */
typedef struct results {
  PGresult **v;
  size_t n, cap;
  char *senderr;
} results;

static void run(PGconn *c, const char *sql, results *rs) {
  rs->n = 0;
  rs->senderr = NULL;
  if (!PQsendQuery(c, sql)) {
    rs->senderr = xstrdup(PQerrorMessage(c));
  } else {
    PGresult *r;
    while ((r = PQgetResult(c))) {
      if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 8;
        if (!(rs->v = realloc(rs->v, rs->cap * sizeof *rs->v))) die("realloc", "out of memory");
      }
      rs->v[rs->n++] = r;
    }
  }
  if (PQstatus(c) != CONNECTION_OK) die("the connection was lost", PQerrorMessage(c));
}

/* "ROWS\tFIELD..." of the results, or "error\tMESSAGE". */
static char *describe(const results *rs) {
  const char *err = rs->senderr;
  char *fields = NULL;
  size_t flen = 0;
  int rows = -1;
  for (size_t i = 0; i < rs->n && !err; i++) {
    PGresult *r = rs->v[i];
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK) {
      if (rows < 0) rows = PQntuples(r);
      if (PQntuples(r) > 0) append_row(&fields, &flen, r);
    } else if (st != PGRES_COMMAND_OK && st != PGRES_EMPTY_QUERY) {
      err = PQresultErrorMessage(r);
    }
  }
  size_t n = (err ? strlen(err) : flen) + 32;
  char *out = malloc(n);
  if (!out) die("malloc", "out of memory");
  if (err) {
    snprintf(out, n, "error\t%s", err);
    flatten(out + 6);
    size_t len = strlen(out);
    while (len > 6 && out[len - 1] == ' ') out[--len] = 0;
  } else {
    snprintf(out, n, "%d%s", rows < 0 ? 0 : rows, fields ? fields : "");
  }
  free(fields);
  return out;
}

static void clear(results *rs) {
  for (size_t i = 0; i < rs->n; i++) PQclear(rs->v[i]);
  rs->n = 0;
  free(rs->senderr);
  rs->senderr = NULL;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static uint64_t median(uint64_t *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_u64);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static stmt *read_file(const char *path, size_t *count) {
  FILE *f = fopen(path, "r");
  if (!f) die(path, "cannot open");
  stmt *v = NULL;
  size_t n = 0, cap = 0;
  char *line = NULL;
  size_t linecap = 0;
  ssize_t len;
  while ((len = getline(&line, &linecap, f)) >= 0) {
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
    if (n == cap) {
      cap = cap ? cap * 2 : 256;
      v = realloc(v, cap * sizeof *v);
      if (!v) die("realloc", "out of memory");
    }
    v[n++] = (stmt){xstrdup(line), NULL, NULL};
  }
  free(line);
  fclose(f);
  *count = n;
  return v;
}

static void usage(void) {
  fprintf(stderr, "usage: pg_query [-d CONNINFO] [-w WARMUP] [-r REPS] [-s SQL]... FILE\n");
  exit(2);
}

int main(int argc, char **argv) {
  const char *conninfo = "";
  int warmup = 1, reps = 3, opt;
  const char **setup = calloc((size_t)argc, sizeof *setup);
  int nsetup = 0;
  if (!setup) die("calloc", "out of memory");
  while ((opt = getopt(argc, argv, "d:w:r:s:")) != -1) {
    switch (opt) {
      case 'd': conninfo = optarg; break;
      case 'w': warmup = atoi(optarg); break;
      case 'r': reps = atoi(optarg); break;
      case 's': setup[nsetup++] = optarg; break;
      default: usage();
    }
  }
  if (optind != argc - 1 || warmup < 0 || reps < 1) usage();
  size_t n;
  stmt *v = read_file(argv[optind], &n);
  PGconn *c = PQconnectdb(conninfo);
  if (PQstatus(c) != CONNECTION_OK) die("connecting", PQerrorMessage(c));
  for (int i = 0; i < nsetup; i++) {
    PGresult *r = PQexec(c, setup[i]);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) die(setup[i], PQresultErrorMessage(r));
    PQclear(r);
  }
  for (size_t i = 0; i < n; i++)
    if (!(v[i].ns = calloc((size_t)reps, sizeof *v[i].ns))) die("calloc", "out of memory");
  results rs = {0};
  for (int pass = 0; pass < warmup + reps; pass++) {
    int timed = pass >= warmup;
    for (size_t i = 0; i < n; i++) {
      uint64_t t0 = now_ns();
      run(c, v[i].sql, &rs);
      uint64_t t1 = now_ns();
      if (timed) v[i].ns[pass - warmup] = t1 - t0;
      if (pass == warmup + reps - 1) v[i].out = describe(&rs);
      clear(&rs);
    }
  }
  free(rs.v);
  for (size_t i = 0; i < n; i++) {
    printf("%llu\t%s\n", (unsigned long long)median(v[i].ns, reps), v[i].out);
    free(v[i].sql);
    free(v[i].ns);
    free(v[i].out);
  }
  free(v);
  free(setup);
  PQfinish(c);
  return fflush(stdout) == 0 ? 0 : 1;
}
