/*
** cmd_links.c -- `newsdex eval-links`: measure the key-topic linker
** against people's choices.
**
** Inputs (docs/linking.md, "Evaluation"):
**   - articles with "(search)" markers: .txt files (read like `add` reads
**     them) and JSON Lines records with "body_with_markers" (and, when
**     present, the editors' "marked_terms" / "marked_terms_lenient") or a
**     "body" that carries markers.  The markers are hidden from the linker;
**     its k topics are scored against the marked terms.
**   - key-phrase records {"title", "body", "keyphrases": [...]} (500N-
**     KPCrowd): the linker's top 3, 5 and 10 are scored against the key
**     phrases, exactly after stemming and leniently.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../ingest/ingest.h"
#include "../ingest/markers.h"
#include "../link/link.h"
#include "../text/analyze.h"
#include "../util/mem.h"
#include "cli.h"

#define KP_MAX 10

/* Hits, chosen topics and gold terms, summed over articles. */
typedef struct tally {
  size_t hits, chosen, gold;
} tally;

typedef struct eval {
  nd_index *ix;
  nd_link_options lo;
  analyzer *stem;
  int listing;           /* print one block per marked article */
  tally exact, lenient;  /* marked articles */
  size_t marked_articles;
  tally kp_exact[3], kp_lenient[3]; /* key phrases at k = 3, 5, 10 */
  size_t kp_articles, kp_skipped;
  size_t linked;         /* nd_link_doc calls */
  double link_seconds;
  int failed;            /* a library error (reported) */
  size_t bad_input;
} eval;

static const size_t KP_K[3] = {3, 5, 10};

/* Pair topics with gold terms one to one, topics in rank order each taking
** the first free term it matches.  Returns the hits; used[] (gold) and
** hit[] (topics) are set. */
static size_t pair_up(char **topics, size_t nt, char **gold, char **gold_alt, size_t ng, int lenient,
                      analyzer *an, char *used, char *hit) {
  size_t hits = 0;
  memset(used, 0, ng);
  memset(hit, 0, nt);
  for (size_t i = 0; i < nt; i++)
    for (size_t j = 0; j < ng; j++) {
      if (used[j]) continue;
      if (lk_match(topics[i], gold[j], lenient, an) ||
          (lenient && gold_alt && gold_alt[j] && lk_match(topics[i], gold_alt[j], 1, an))) {
        used[j] = hit[i] = 1;
        hits++;
        break;
      }
    }
  return hits;
}

/* Run the linker; the topics' names go to names[0..*n) (strdup'd), their
** scores to scores[] (when not NULL). */
static int run_linker(eval *ev, const nd_doc *d, size_t k, char **names, double *scores, size_t *n) {
  nd_links *l = NULL;
  nd_link_options o = ev->lo;
  o.k = k;
  double t0 = cli_now();
  int rc = nd_link_doc(ev->ix, d, &o, &l);
  ev->link_seconds += cli_now() - t0;
  ev->linked++;
  *n = 0;
  if (rc) {
    cli_lib_error(ev->ix, rc);
    ev->failed = 1;
    return -1;
  }
  for (size_t i = 0; i < nd_links_count(l); i++) {
    nd_topic t;
    nd_links_topic(l, i, &t);
    if (scores) scores[*n] = t.score;
    if (!(names[(*n)++] = strdup(t.text))) { ev->failed = 1; break; }
  }
  nd_links_free(l);
  return ev->failed ? -1 : 0;
}

static void free_all(char **v, size_t n) {
  for (size_t i = 0; v && i < n; i++) free(v[i]);
}

static void print_list(const char *label, char **v, const double *score, size_t n, const char *flags, int want) {
  int any = 0;
  printf("  %-7s", label);
  for (size_t i = 0; i < n; i++) {
    if (!!flags[i] != want) continue;
    printf("%s%s", any ? "; " : " ", v[i]);
    if (score) printf(" (%.2f)", score[i]);
    any = 1;
  }
  printf("%s\n", any ? "" : " -");
}

static double ratio(size_t a, size_t b) { return b ? (double)a / (double)b : 0; }
static double f1(const tally *t) {
  double p = ratio(t->hits, t->chosen), r = ratio(t->hits, t->gold);
  return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

/* One article with editors' marks: gold[i] (and gold_alt[i], may be NULL). */
static void eval_marked(eval *ev, const char *id, const nd_doc *d, char **gold, char **gold_alt, size_t ng) {
  char *topics[64];
  double score[64];
  size_t nt;
  size_t k = ev->lo.k ? ev->lo.k : 3;
  if (run_linker(ev, d, k, topics, score, &nt)) { free_all(topics, nt); return; }
  char used[256], hit[64], used_l[256], hit_l[64];
  if (ng > 256) ng = 256;
  size_t he = pair_up(topics, nt, gold, NULL, ng, 0, NULL, used, hit);
  size_t hl = pair_up(topics, nt, gold, gold_alt, ng, 1, NULL, used_l, hit_l);
  ev->exact.hits += he;
  ev->lenient.hits += hl;
  ev->exact.chosen += nt;
  ev->lenient.chosen += nt;
  ev->exact.gold += ng;
  ev->lenient.gold += ng;
  ev->marked_articles++;
  if (ev->listing) {
    printf("%s: %zu of %zu marked terms found (exact %zu)\n", id, hl, ng, he);
    print_list("hits:", topics, score, nt, hit_l, 1);
    print_list("misses:", gold, NULL, ng, used_l, 0);
    print_list("extras:", topics, score, nt, hit_l, 0);
  }
  free_all(topics, nt);
}

/* One key-phrase record. */
static void eval_keyphrases(eval *ev, const nd_doc *d, char **gold, size_t ng) {
  char *topics[KP_MAX];
  size_t nt;
  if (run_linker(ev, d, KP_MAX, topics, NULL, &nt)) { free_all(topics, nt); return; }
  char *used = malloc(ng + 1), hit[KP_MAX];
  if (!used) { ev->failed = 1; free_all(topics, nt); return; }
  for (int j = 0; j < 3; j++) {
    size_t k = nt < KP_K[j] ? nt : KP_K[j];
    ev->kp_exact[j].hits += pair_up(topics, k, gold, NULL, ng, 0, ev->stem, used, hit);
    ev->kp_lenient[j].hits += pair_up(topics, k, gold, NULL, ng, 1, ev->stem, used, hit);
    ev->kp_exact[j].chosen += k;
    ev->kp_lenient[j].chosen += k;
    ev->kp_exact[j].gold += ng;
    ev->kp_lenient[j].gold += ng;
  }
  ev->kp_articles++;
  free(used);
  free_all(topics, nt);
}

/* Strings of a JSON array (NULL entries for non-strings); *n its size. */
static char **string_array(json_t *a, size_t *n) {
  *n = json_is_array(a) ? json_array_size(a) : 0;
  char **v = calloc(*n + 1, sizeof *v);
  for (size_t i = 0; v && i < *n; i++) {
    json_t *s = json_array_get(a, i);
    v[i] = json_is_string(s) ? (char *)json_string_value(s) : (char *)"";
  }
  return v;
}

static void bad_input(eval *ev, const char *file, uint64_t place, const char *why) {
  char where[4096];
  term_progress_clear();
  ingest_where(where, sizeof where, file, place); /* a line, an array element, or the file */
  fprintf(stderr, "%s%s\n", where, why);
  ev->bad_input++;
}

/* Text with markers: hide them, use the terms they followed as gold. */
static void eval_with_markers(eval *ev, const char *id, const char *title, const char *source, const char *text) {
  char *clean = NULL, **terms = NULL;
  size_t nterms = 0;
  if (markers_strip(text, strlen(text), &clean, &terms, &nterms)) { ev->failed = 1; return; }
  nd_doc d = {0};
  d.id = id;
  d.title = title;
  d.source = source;
  d.body = clean;
  eval_marked(ev, id, &d, terms, NULL, nterms);
  markers_free_terms(terms, nterms);
  mem_free(clean);
}

static void eval_json_record(eval *ev, const char *file, uint64_t lineno, json_t *o) {
  char idbuf[64];
  const char *id = json_string_value(json_object_get(o, "id"));
  if (!id) { snprintf(idbuf, sizeof idbuf, "line %llu", (unsigned long long)lineno); id = idbuf; }
  const char *title = json_string_value(json_object_get(o, "title"));
  const char *source = json_string_value(json_object_get(o, "source")); /* the linker knows its outlet */
  json_t *kp = json_object_get(o, "keyphrases");
  const char *wm = json_string_value(json_object_get(o, "body_with_markers"));
  const char *body = json_string_value(json_object_get(o, "body"));
  if (wm) {
    json_t *mt = json_object_get(o, "marked_terms");
    if (!json_is_array(mt)) { eval_with_markers(ev, id, title, source, wm); return; }
    char *clean = NULL, **terms = NULL;
    size_t nterms = 0, ng, nalt;
    if (markers_strip(wm, strlen(wm), &clean, &terms, &nterms)) { ev->failed = 1; return; }
    markers_free_terms(terms, nterms);
    char **gold = string_array(mt, &ng), **alt = string_array(json_object_get(o, "marked_terms_lenient"), &nalt);
    nd_doc d = {0};
    d.id = id;
    d.title = title;
    d.source = source;
    d.body = clean;
    if (gold && alt) eval_marked(ev, id, &d, gold, nalt == ng ? alt : NULL, ng);
    else ev->failed = 1;
    free(gold);
    free(alt);
    mem_free(clean);
    return;
  }
  if (kp) {
    if (json_is_true(json_object_get(o, "body_missing"))) { ev->kp_skipped++; return; }
    if (!body || !json_is_array(kp)) { bad_input(ev, file, lineno, "a key-phrase record needs a \"body\" string and a \"keyphrases\" array"); return; }
    size_t ng;
    char **gold = string_array(kp, &ng);
    nd_doc d = {0};
    d.id = id;
    d.title = title;
    d.source = source;
    d.body = body;
    if (gold) eval_keyphrases(ev, &d, gold, ng);
    else ev->failed = 1;
    free(gold);
    return;
  }
  if (body && strstr(body, "(search)")) { eval_with_markers(ev, id, title, source, body); return; }
  bad_input(ev, file, lineno, "no \"body_with_markers\", no \"keyphrases\" and no \"(search)\" marker in \"body\"");
}

static int eval_jsonl(eval *ev, const char *file) {
  FILE *f = fopen(file, "r");
  if (!f) { bad_input(ev, file, 0, strerror(errno)); return 0; }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  uint64_t lineno = 0;
  while (!ev->failed && (n = getline(&line, &cap, f)) >= 0) {
    lineno++;
    if (strspn(line, " \t\r\n") == (size_t)n) continue;
    json_error_t err;
    json_t *o = json_loadb(line, (size_t)n, 0, &err);
    if (!json_is_object(o)) {
      char why[300];
      snprintf(why, sizeof why, "not a JSON object%s%s", o ? "" : ": ", o ? "" : err.text);
      bad_input(ev, file, lineno, why);
    } else {
      eval_json_record(ev, file, lineno, o);
    }
    json_decref(o);
    if (term_stderr_tty() && !ev->listing && lineno % 10 == 0) term_progress("%s: %llu records", file, (unsigned long long)lineno);
  }
  free(line);
  fclose(f);
  return 0;
}

static int on_txt_doc(void *ctx, const nd_doc *doc, const char *file, uint64_t line) {
  eval *ev = ctx;
  eval_with_markers(ev, doc->id ? doc->id : file, doc->title, doc->source, doc->body);
  return ev->failed;
}

static void on_txt_error(void *ctx, const char *file, uint64_t line, const char *reason) {
  bad_input(ctx, file, line, reason);
}

static void print_tally(const char *label, const tally *t) {
  printf("  %-28s P %.3f  R %.3f  F1 %.3f   (%zu hits, %zu chosen, %zu marked)\n", label,
         ratio(t->hits, t->chosen), ratio(t->hits, t->gold), f1(t), t->hits, t->chosen, t->gold);
}

static void report(const eval *ev) {
  if (ev->marked_articles) {
    printf("marked articles: %zu, k = %zu\n", ev->marked_articles, ev->lo.k ? ev->lo.k : (size_t)3);
    print_tally("exact:", &ev->exact);
    print_tally("lenient:", &ev->lenient);
  }
  if (ev->kp_articles) {
    printf("key-phrase articles: %zu (%zu headline-only skipped)\n", ev->kp_articles, ev->kp_skipped);
    for (int j = 0; j < 3; j++) {
      char l[64];
      snprintf(l, sizeof l, "@%zu exact (stemmed):", KP_K[j]);
      print_tally(l, &ev->kp_exact[j]);
      snprintf(l, sizeof l, "@%zu lenient:", KP_K[j]);
      print_tally(l, &ev->kp_lenient[j]);
    }
  }
  if (ev->linked)
    printf("linking: %zu articles in %.3f s (%.0f articles/s)%s\n", ev->linked, ev->link_seconds,
           ev->link_seconds > 0 ? (double)ev->linked / ev->link_seconds : 0.0,
           ev->ix ? "" : "; no archive: text only");
}

/* One option of eval-links: OPT_YES, OPT_HELP, OPT_BAD or OPT_NO (unknown). */
static int links_option(cli_args *a, eval *ev) {
  const char *v;
  uint64_t k;
  int r = cli_common_opt(a);
  if (r != OPT_NO) return r;
  if ((r = cli_opt(a, "summary", NULL)) != OPT_NO) {
    if (r == OPT_YES) ev->listing = 0;
    return r;
  }
  if (!strcmp(a->argv[a->i], "-k")) {
    if (a->i + 1 >= a->argc) return cli_usage_error("eval-links", "option '-k' needs a value"), OPT_BAD;
    v = a->argv[++a->i];
  } else if ((r = cli_opt(a, "topics", &v)) != OPT_YES) {
    return r;
  }
  if (cli_parse_count("eval-links", "topics", v, 1, 64, &k)) return OPT_BAD;
  ev->lo.k = (size_t)k;
  return OPT_YES;
}

int cmd_eval_links(const char *db, int argc, char **argv) {
  cli_args a;
  eval ev = {0};
  ev.listing = 1;
  size_t nfiles = 0;
  char **files = calloc((size_t)argc + 1, sizeof *files);
  if (!files) { cli_error("out of memory"); return EXIT_ERROR; }
  cli_args_init(&a, "eval-links", db, argc, argv);
  for (; a.i < argc; a.i++) {
    int r = cli_is_option(&a, 0);
    if (r == OPT_SEP) continue;
    if (r == OPT_NO) { files[nfiles++] = argv[a.i]; continue; }
    int st = links_option(&a, &ev);
    if (st == OPT_YES) continue;
    free(files);
    return st == OPT_HELP ? EXIT_OK : st == OPT_BAD ? EXIT_USAGE : cli_unknown_opt(&a);
  }
  if (!nfiles) { free(files); return cli_usage_error("eval-links", "no FILE given"); }
  /* --db is optional here: without it the linker uses the text alone */
  if (a.db) {
    int st = cli_open(a.db, 0, NULL, &ev.ix);
    if (st) { free(files); return st; }
  }
  if (!(ev.stem = an_new("english"))) {
    nd_close(ev.ix);
    free(files);
    cli_error("out of memory");
    return EXIT_ERROR;
  }
  for (size_t i = 0; i < nfiles && !ev.failed; i++) {
    const char *f = files[i];
    size_t n = strlen(f);
    if (n > 6 && !strcmp(f + n - 6, ".jsonl")) {
      eval_jsonl(&ev, f);
    } else {
      ingest_stats is = {0};
      if (ingest_path(f, on_txt_doc, on_txt_error, &ev, &is) == ND_ERR_NOMEM) ev.failed = 1;
    }
  }
  free(files);
  term_progress_clear();
  an_free(ev.stem);
  nd_close(ev.ix);
  if (ev.failed) return EXIT_ERROR;
  report(&ev);
  if (!ev.linked) { cli_error("no article to evaluate in the given files"); return EXIT_USAGE; }
  return ev.bad_input ? EXIT_ERROR : EXIT_OK;
}
