/*
** cmd_search.c -- `newsdex search`: run a query and print the ranked hits
** as text (bold matches on a terminal, [marks] otherwise) or as one JSON
** object (HTML snippets with <mark>); a malformed query is shown with a
** caret under the place of the problem.
**
** --batch runs every line of stdin as a query in one process (for
** benchmarks and scripts) and prints one line per query:
**   TOTAL <tab> ID,ID,...        (nothing after the tab when no hits)
**   error <tab> MESSAGE          (a malformed query; the run goes on)
** With --timings each query also gets a line "#qt_ns N" on stderr: the
** nanoseconds from the start of nd_search() until the ranked ids are read.
**
** Statistics shared by shards (newsdex.h): --print-stats prints a query's
** figures on this archive instead of searching, `stats-merge` adds up
** several shards' figures, and --stats FILE scores with the figures in
** FILE, so that a script can search shards as one archive
** (docs/cli.md shows one).
*/
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../query/stats.h"
#include "../util/buf.h"
#include "../util/date.h"
#include "cli.h"

#define MAX_LIMIT 100000u
#define MAX_OFFSET 10000000u
#define DEFAULT_LIMIT 10u
#define MAX_FACETS 8
#define FACET_LIMIT 10 /* values shown per facet */

typedef struct search_args {
  const char *archive;
  int json;
  uint64_t limit, offset;
  int sort;
  int count;   /* ND_COUNT_EXACT or ND_COUNT_LOWER_BOUND */
  int batch;   /* --batch: queries from stdin */
  int timings; /* --timings: #qt_ns lines on stderr (batch only) */
  char *query; /* the QUERY words joined with spaces (malloc'ed) */
  const char *facets[MAX_FACETS]; /* --facets: fields to count */
  size_t nfacets;
  char *facet_list;               /* their names, split in place (malloc'ed) */
  uint64_t facet_limit;           /* --facet-limit: values per field (0: FACET_LIMIT) */
  int versions;                   /* --versions: ND_VERSIONS_* */
  double half_life;               /* --recency: seconds (0: none) */
  int64_t as_of;                  /* --as-of: seconds (0: now) */
  const char *stats_file;         /* --stats: where the figures to score with are */
  char *stats;                    /* and they (malloc'ed) */
  int print_stats;                /* --print-stats: print the query's figures instead */
} search_args;

/* Append word to the malloc'ed query *q. */
static int join_word(char **q, const char *word) {
  size_t old = *q ? strlen(*q) : 0, n = strlen(word);
  char *t = realloc(*q, old + (old ? 1 : 0) + n + 1);
  if (!t) return -1;
  if (old) t[old++] = ' ';
  memcpy(t + old, word, n + 1);
  *q = t;
  return 0;
}

/* Handle one option at a->i.  Returns OPT_YES, OPT_HELP or OPT_BAD. */
static int search_opt(cli_args *a, search_args *s) {
  const char *v;
  int r = cli_common_opt(a);
  if (r != OPT_NO) return r;
  if ((r = cli_opt(a, "json", NULL)) != OPT_NO) { s->json = 1; return r; }
  if ((r = cli_opt(a, "limit", &v)) == OPT_YES)
    return cli_parse_count("search", "limit", v, 0, MAX_LIMIT, &s->limit) ? OPT_BAD : OPT_YES;
  if (r == OPT_BAD) return r;
  if ((r = cli_opt(a, "offset", &v)) == OPT_YES)
    return cli_parse_count("search", "offset", v, 0, MAX_OFFSET, &s->offset) ? OPT_BAD : OPT_YES;
  if (r == OPT_BAD) return r;
  if ((r = cli_opt(a, "sort", &v)) == OPT_YES) {
    if (!strcmp(v, "relevance")) s->sort = ND_SORT_RELEVANCE;
    else if (!strcmp(v, "date")) s->sort = ND_SORT_DATE;
    else if (!strcmp(v, "date-asc") || !strcmp(v, "oldest")) s->sort = ND_SORT_DATE_ASC;
    else return cli_usage_error("search", "--sort is 'relevance', 'date' or 'date-asc', not '%s'", v), OPT_BAD;
    return OPT_YES;
  }
  if (r == OPT_BAD) return r;
  if ((r = cli_opt(a, "count", &v)) == OPT_YES) {
    if (!strcmp(v, "exact")) s->count = ND_COUNT_EXACT;
    else if (!strcmp(v, "lower-bound")) s->count = ND_COUNT_LOWER_BOUND;
    else return cli_usage_error("search", "--count is 'exact' or 'lower-bound', not '%s'", v), OPT_BAD;
    return OPT_YES;
  }
  if (r == OPT_BAD) return r;
  if ((r = cli_opt(a, "facets", &v)) == OPT_YES) {
    free(s->facet_list);
    if (!(s->facet_list = strdup(v))) return cli_error("out of memory"), OPT_BAD;
    s->nfacets = 0;
    for (char *f = strtok(s->facet_list, ","); f; f = strtok(NULL, ","))
      if (s->nfacets < MAX_FACETS) s->facets[s->nfacets++] = f;
    if (!s->nfacets) return cli_usage_error("search", "--facets needs a list of fields"), OPT_BAD;
    return OPT_YES;
  }
  if (r == OPT_BAD) return r;
  if ((r = cli_opt(a, "facet-limit", &v)) == OPT_YES)
    return cli_parse_count("search", "facet-limit", v, 1, 1000, &s->facet_limit) ? OPT_BAD : OPT_YES;
  if (r == OPT_BAD) return r;
  if ((r = cli_opt(a, "versions", &v)) == OPT_YES) return cli_parse_versions("search", v, &s->versions) ? OPT_BAD : OPT_YES;
  if (r == OPT_BAD) return r;
  if ((r = cli_opt(a, "recency", &v)) == OPT_YES) {
    char why[160];
    if (date_parse_duration(v, &s->half_life, why, sizeof why))
      return cli_usage_error("search", "--recency: %s", why), OPT_BAD;
    return OPT_YES;
  }
  if (r == OPT_BAD) return r;
  if ((r = cli_opt(a, "as-of", &v)) == OPT_YES) {
    char why[160];
    if (date_parse(v, strlen(v), &s->as_of, why, sizeof why))
      return cli_usage_error("search", "--as-of '%s': %s", v, why), OPT_BAD;
    return OPT_YES;
  }
  if (r == OPT_BAD) return r;
  if ((r = cli_opt(a, "stats", &v)) == OPT_YES) { s->stats_file = v; return r; }
  if (r == OPT_BAD) return r;
  if ((r = cli_opt(a, "print-stats", NULL)) != OPT_NO) { s->print_stats = 1; return r; }
  if ((r = cli_opt(a, "batch", NULL)) != OPT_NO) { s->batch = 1; return r; }
  if ((r = cli_opt(a, "timings", NULL)) != OPT_NO) { s->timings = 1; return r; }
  cli_unknown_opt(a);
  return OPT_BAD;
}

/* Parse the command line; returns -1 to go on, else the exit status. */
static int parse_search(int argc, char **argv, const char *db, search_args *s) {
  cli_args a;
  cli_args_init(&a, "search", db, argc, argv);
  for (; a.i < argc; a.i++) {
    int r = cli_is_option(&a, 1);
    if (r == OPT_SEP) continue;
    if (r == OPT_NO) {
      if (join_word(&s->query, argv[a.i])) { cli_error("out of memory"); return EXIT_ERROR; }
      continue;
    }
    r = search_opt(&a, s);
    if (r == OPT_HELP) return EXIT_OK;
    if (r == OPT_BAD) return EXIT_USAGE;
  }
  if (!(s->archive = cli_archive(&a))) return EXIT_USAGE;
  if (s->print_stats && s->stats_file) return cli_usage_error("search", "--print-stats and --stats do not go together");
  if (s->batch) {
    if (s->query) return cli_usage_error("search", "--batch reads the queries from stdin: give no QUERY");
    if (s->stats_file || s->print_stats) return cli_usage_error("search", "--batch and --stats or --print-stats do not go together");
    if (s->json) return cli_usage_error("search", "--batch and --json do not go together");
    if (s->nfacets) return cli_usage_error("search", "--batch and --facets do not go together");
    return -1;
  }
  if (s->as_of && !s->half_life) return cli_usage_error("search", "--as-of needs --recency");
  if (s->timings) return cli_usage_error("search", "--timings needs --batch");
  if (!s->query) return cli_usage_error("search", "no QUERY given");
  if (s->stats_file && !(s->stats = cli_read_text(s->stats_file))) return EXIT_ERROR;
  return -1;
}

/* ---- a malformed query -------------------------------------------------- */

static int query_error(nd_index *ix, const search_args *s) {
  size_t off = nd_error_offset(ix), len = strlen(s->query);
  if (off > len) off = len;
  if (s->json) {
    json_t *o = json_object();
    int bad = json_object_set_new(o, "error", cli_json_str(nd_errmsg(ix)));
    bad |= json_object_set_new(o, "offset", json_integer((json_int_t)off));
    if (bad) { json_decref(o); o = NULL; }
    int st = cli_json_print(o);
    return st ? st : EXIT_USAGE;
  }
  cli_lib_error(ix, ND_ERR_QUERY);
  term_put_caret(stderr, s->query, off);
  return EXIT_USAGE;
}

/* ---- text output -------------------------------------------------------- */

static void print_field(const char *s) {
  if (*s) term_put_line(stdout, s, strlen(s));
  else fputc('-', stdout);
}

static void print_hit(const nd_hit *h, size_t rank, int color) {
  static const char *const KEEP[] = {TERM_BOLD, TERM_RESET};
  printf("%zu. ", rank);
  if (h->headline[0]) term_put_line(stdout, h->headline, strlen(h->headline));
  else fputs("(untitled)", stdout);
  printf("\n   %.2f  ", h->score);
  print_field(h->id);
  fputs("  ", stdout);
  print_field(h->date);
  fputs("  ", stdout);
  print_field(h->source);
  fputc('\n', stdout);
  if (h->versions) printf("   %llu other version%s\n", (unsigned long long)h->versions, h->versions == 1 ? "" : "s");
  if (h->snippet[0]) {
    fputs("   ", stdout);
    term_put_text(stdout, h->snippet, strlen(h->snippet), "   ", KEEP, color ? 2 : 0);
    fputc('\n', stdout);
  }
  fputc('\n', stdout);
}

static void print_count(uint64_t total, uint64_t stories, int exact, uint64_t offset, uint64_t limit, size_t count) {
  printf("%s%llu %s", exact ? "" : "at least ", (unsigned long long)total, total == 1 ? "hit" : "hits");
  if (stories != total) printf(" (%s%llu stor%s)", exact ? "" : "at least ", (unsigned long long)stories, stories == 1 ? "y" : "ies");
  if (limit == 0)
    ; /* --limit 0: the count alone */
  else if (count == 0 && total > 0)
    printf(", none shown (offset %llu)", (unsigned long long)offset);
  else if (count == 1 && total > 1)
    printf(", showing %llu", (unsigned long long)offset + 1);
  else if (offset > 0 || count < total)
    printf(", showing %llu\xe2\x80\x93%llu", (unsigned long long)offset + 1,
           (unsigned long long)(offset + count));
  fputc('\n', stdout);
}

/* "people: NATO (12), Jaap de Hoop Scheffer (3)" per field. */
static void print_facets(const nd_facets *f) {
  for (size_t i = 0; f && i < f->nfields; i++) {
    printf("%s:", f->fields[i].field);
    for (size_t j = 0; j < f->fields[i].n; j++) {
      fputs(j ? ", " : " ", stdout);
      term_put_line(stdout, f->fields[i].counts[j].key, strlen(f->fields[i].counts[j].key));
      printf(" (%llu)", (unsigned long long)f->fields[i].counts[j].count);
    }
    fputs(f->fields[i].n ? "\n" : " -\n", stdout);
  }
}

static int print_text(nd_results *res, const nd_facets *facets, const search_args *s, int color) {
  size_t n = nd_results_count(res);
  for (size_t i = 0; i < n; i++) {
    nd_hit h;
    int rc = nd_results_hit(res, i, &h);
    if (rc != ND_OK) { cli_error("cannot read hit %zu: %s", i, nd_strerror(rc)); return EXIT_ERROR; }
    print_hit(&h, (size_t)s->offset + i + 1, color);
  }
  print_count(nd_results_total(res), nd_results_stories(res), nd_results_total_exact(res), s->offset, s->limit, n);
  print_facets(facets);
  return EXIT_OK;
}

/* ---- JSON output -------------------------------------------------------- */

json_t *cli_hit_json(const nd_hit *h) {
  json_t *o = json_object();
  int bad = json_object_set_new(o, "id", json_string(h->id));
  bad |= json_object_set_new(o, "score", json_real(h->score));
  bad |= json_object_set_new(o, "title", cli_json_str(h->title));
  bad |= json_object_set_new(o, "headline", cli_json_str(h->headline));
  bad |= json_object_set_new(o, "date", cli_json_str(h->date));
  bad |= json_object_set_new(o, "source", cli_json_str(h->source));
  bad |= json_object_set_new(o, "url", cli_json_str(h->url));
  bad |= json_object_set_new(o, "snippet", cli_json_str(h->snippet));
  bad |= json_object_set_new(o, "versions", json_integer((json_int_t)h->versions));
  bad |= json_object_set_new(o, "story", cli_json_str(h->story));
  bad |= json_object_set_new(o, "thread", cli_json_str(h->thread));
  if (bad) { json_decref(o); return NULL; }
  return o;
}

json_t *cli_hits_json(const nd_results *r) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < nd_results_count(r); i++) {
    nd_hit h;
    nd_results_hit(r, i, &h);
    if (json_array_append_new(a, cli_hit_json(&h))) { json_decref(a); return NULL; }
  }
  return a;
}

static json_t *facets_json(const nd_facets *f) {
  json_t *o = json_object();
  for (size_t i = 0; o && i < f->nfields; i++) {
    json_t *a = json_array();
    for (size_t j = 0; a && j < f->fields[i].n; j++) {
      json_t *c = json_object();
      json_object_set_new(c, "value", cli_json_str(f->fields[i].counts[j].key));
      json_object_set_new(c, "count", json_integer((json_int_t)f->fields[i].counts[j].count));
      json_array_append_new(a, c);
    }
    json_object_set_new(o, f->fields[i].field, a);
  }
  return o;
}

static int print_json(nd_results *res, const nd_facets *facets, const search_args *s, double took_ms) {
  json_t *o = json_object(), *hits = json_array();
  int bad = json_object_set_new(o, "query", json_string(s->query));
  bad |= json_object_set_new(o, "total", json_integer((json_int_t)nd_results_total(res)));
  bad |= json_object_set_new(o, "total_exact", json_boolean(nd_results_total_exact(res)));
  bad |= json_object_set_new(o, "stories", json_integer((json_int_t)nd_results_stories(res)));
  bad |= json_object_set_new(o, "versions", json_string(s->versions == ND_VERSIONS_ALL ? "all" : "collapse"));
  bad |= json_object_set_new(o, "took_ms", json_real(took_ms));
  bad |= json_object_set_new(o, "offset", json_integer((json_int_t)s->offset));
  bad |= json_object_set_new(o, "limit", json_integer((json_int_t)s->limit));
  size_t n = nd_results_count(res);
  for (size_t i = 0; i < n && !bad; i++) {
    nd_hit h;
    int rc = nd_results_hit(res, i, &h);
    if (rc != ND_OK) {
      json_decref(o);
      json_decref(hits);
      cli_error("cannot read hit %zu: %s", i, nd_strerror(rc));
      return EXIT_ERROR;
    }
    bad |= json_array_append_new(hits, cli_hit_json(&h));
  }
  bad |= json_object_set_new(o, "hits", hits);
  if (facets) bad |= json_object_set_new(o, "facets", facets_json(facets));
  if (bad) { json_decref(o); o = NULL; }
  return cli_json_print(o);
}

/* ---- batch mode --------------------------------------------------------- */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The library's message for a failed query on one line (tabs and line
** breaks become spaces, so that the line protocol holds). */
static void print_batch_error(const nd_index *ix, int rc) {
  const char *m = nd_errmsg(ix);
  if (!*m) m = nd_strerror(rc);
  fputs("error\t", stdout);
  for (; *m; m++) fputc(*m == '\t' || *m == '\n' || *m == '\r' ? ' ' : *m, stdout);
  fputc('\n', stdout);
}

/* One query of the batch.  Returns EXIT_OK, EXIT_USAGE for a bad query
** (reported on stdout, the batch goes on), or another exit code to stop. */
static int batch_query(nd_index *ix, const char *q, const nd_search_options *so, const char **ids,
                       int timings) {
  nd_results *res = NULL;
  uint64_t t0 = now_ns();
  int rc = nd_search(ix, q, so, &res);
  size_t n = rc == ND_OK ? nd_results_count(res) : 0;
  for (size_t i = 0; i < n && rc == ND_OK; i++) {
    nd_hit h;
    rc = nd_results_hit(res, i, &h);
    ids[i] = h.id;
  }
  uint64_t took = now_ns() - t0;
  if (timings) fprintf(stderr, "#qt_ns %llu\n", (unsigned long long)took);
  if (rc == ND_ERR_QUERY || rc == ND_ERR_LIMIT) {
    /* A prefix matching too many terms is the query's fault too. */
    print_batch_error(ix, rc);
    return EXIT_USAGE;
  }
  if (rc != ND_OK) {
    nd_results_free(res);
    cli_lib_error(ix, rc);
    return cli_exit_code(rc);
  }
  printf("%llu\t", (unsigned long long)nd_results_total(res));
  for (size_t i = 0; i < n; i++) {
    if (i) fputc(',', stdout);
    fputs(ids[i], stdout);
  }
  fputc('\n', stdout);
  nd_results_free(res);
  return EXIT_OK;
}

static int run_batch(nd_index *ix, const search_args *s) {
  nd_search_options so;
  memset(&so, 0, sizeof so);
  so.limit = (size_t)s->limit;
  so.offset = (size_t)s->offset;
  so.sort = s->sort;
  so.count = s->limit ? s->count : ND_COUNT_ONLY;
  so.ids_only = 1;
  so.versions = s->versions;
  so.half_life = s->half_life;
  so.as_of = s->as_of;
  const char **ids = malloc((size_t)(s->limit + 1) * sizeof *ids);
  if (!ids) { cli_error("out of memory"); return EXIT_ERROR; }
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  int st = EXIT_OK;
  while ((len = getline(&line, &cap, stdin)) >= 0) {
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
    int r = batch_query(ix, line, &so, ids, s->timings);
    if (r == EXIT_USAGE) st = EXIT_USAGE;
    else if (r != EXIT_OK) { st = r; break; }
  }
  if (st == EXIT_OK && ferror(stdin)) { cli_error("cannot read the queries from stdin"); st = EXIT_ERROR; }
  free(line);
  free(ids);
  return st;
}

/* ---- statistics shared by shards ---------------------------------------- */

/* --print-stats: the query's figures on this archive, as text. */
static int print_stats(nd_index *ix, const search_args *s) {
  char *text = NULL;
  int rc = nd_query_stats(ix, s->query, &text);
  if (rc == ND_ERR_QUERY) return query_error(ix, s);
  if (rc != ND_OK) {
    cli_lib_error(ix, rc);
    return rc == ND_ERR_LIMIT ? EXIT_USAGE : cli_exit_code(rc);
  }
  fputs(text, stdout);
  nd_string_free(text);
  return EXIT_OK;
}

/* ---- the command -------------------------------------------------------- */

static int run_search(nd_index *ix, const search_args *s) {
  int color = !s->json && term_color_stdout();
  nd_search_options so;
  memset(&so, 0, sizeof so);
  so.limit = (size_t)s->limit;
  so.offset = (size_t)s->offset;
  so.sort = s->sort;
  so.count = s->limit ? s->count : ND_COUNT_ONLY; /* --limit 0: no hits, the exact total */
  so.versions = s->versions;
  so.half_life = s->half_life;
  so.as_of = s->as_of;
  so.stats = s->stats;
  so.snippets = s->json ? ND_SNIPPET_HTML : ND_SNIPPET_PLAIN;
  if (s->json) { so.hl_open = "<mark>"; so.hl_close = "</mark>"; }
  else if (color) { so.hl_open = TERM_BOLD; so.hl_close = TERM_RESET; }
  nd_results *res = NULL;
  double t0 = cli_now();
  int rc = nd_search(ix, s->query, &so, &res);
  double took_ms = (cli_now() - t0) * 1000.0;
  if (rc == ND_ERR_QUERY) return query_error(ix, s);
  if (rc != ND_OK) {
    cli_lib_error(ix, rc);
    /* A prefix matching too many terms is the query's fault; so are
    ** --stats figures that are malformed or another query's. */
    return rc == ND_ERR_LIMIT || rc == ND_ERR_INVALID ? EXIT_USAGE : cli_exit_code(rc);
  }
  nd_facets *facets = NULL;
  if (s->nfacets) {
    nd_facet_options fo = {.fields = s->facets, .nfields = s->nfacets,
                           .limit = s->facet_limit ? (size_t)s->facet_limit : FACET_LIMIT, .versions = s->versions};
    if ((rc = nd_facets_get(ix, s->query, &fo, &facets)) != ND_OK) {
      nd_results_free(res);
      cli_lib_error(ix, rc);
      return rc == ND_ERR_INVALID ? EXIT_USAGE : cli_exit_code(rc);
    }
  }
  int st = s->json ? print_json(res, facets, s, took_ms) : print_text(res, facets, s, color);
  nd_facets_free(facets);
  nd_results_free(res);
  return st;
}

int cmd_search(const char *db, int argc, char **argv) {
  search_args s;
  memset(&s, 0, sizeof s);
  s.limit = DEFAULT_LIMIT;
  s.sort = ND_SORT_RELEVANCE;
  s.count = ND_COUNT_EXACT;
  int st = parse_search(argc, argv, db, &s);
  if (st < 0) {
    nd_index *ix;
    st = cli_open(s.archive, 0, NULL, &ix);
    if (st == EXIT_OK) {
      st = s.batch ? run_batch(ix, &s) : s.print_stats ? print_stats(ix, &s) : run_search(ix, &s);
      nd_close(ix);
    }
  }
  free(s.query);
  free(s.facet_list);
  free(s.stats);
  return st;
}

/* ---- statistics shared by shards ---------------------------------------- */

int cmd_stats_merge(const char *db, int argc, char **argv) {
  cli_args a;
  cli_args_init(&a, "stats-merge", db, argc, argv);
  const char **files = calloc((size_t)argc, sizeof *files);
  char **texts = calloc((size_t)argc, sizeof *texts);
  if (!files || !texts) {
    free(files);
    free(texts);
    cli_error("out of memory");
    return EXIT_ERROR;
  }
  size_t n = 0;
  int st = -1;
  for (; a.i < argc && st < 0; a.i++) {
    int r = cli_is_option(&a, 0);
    if (r == OPT_SEP) continue;
    if (r == OPT_NO) files[n++] = argv[a.i];
    else if ((r = cli_common_opt(&a)) == OPT_HELP) st = EXIT_OK;
    else if (r == OPT_NO) st = cli_unknown_opt(&a);
    else if (r == OPT_BAD) st = EXIT_USAGE;
  }
  if (st < 0 && !n) st = cli_usage_error("stats-merge", "no FILE given");
  for (size_t i = 0; i < n && st < 0; i++)
    if (!(texts[i] = cli_read_text(files[i]))) st = EXIT_ERROR;
  if (st < 0) {
    buf out;
    buf_init(&out);
    char why[200];
    size_t bad = 0;
    int rc = qs_merge((const char *const *)texts, n, &out, &bad, why, sizeof why);
    if (rc == ND_ERR_INVALID) {
      cli_error("%s: %s", files[bad], why);
      st = EXIT_USAGE;
    } else if (rc) {
      cli_error("out of memory");
      st = EXIT_ERROR;
    } else {
      fwrite(out.p, 1, out.n, stdout);
      st = EXIT_OK;
    }
    buf_free(&out);
  }
  for (size_t i = 0; i < n; i++) free(texts[i]);
  free(texts);
  free(files);
  return st;
}
