/*
** cmd_admin.c -- the archive maintenance commands: `newsdex delete`
** (delete articles by id, then commit), `newsdex stats` (counts and sizes,
** as text or JSON), `newsdex optimize` (merge every segment into one) and
** `newsdex check` (verify every file and invariant of the archive).
*/
#include <string.h>

#include "cli.h"

/* What the command line of one of these commands gave. */
typedef struct admin_args {
  const char *archive;
  int json;
  char **ids; /* positional arguments (stored over argv) */
  size_t nids;
} admin_args;

/* Parse "--db", "--help", "--json" (if `json_ok`) and positional ids (if
** `ids_ok`).  Returns -1 to go on, else the exit status. */
static int parse_admin(const char *cmd, const char *db, int argc, char **argv, int json_ok, int ids_ok,
                       admin_args *out) {
  cli_args a;
  memset(out, 0, sizeof *out);
  out->ids = argv;
  cli_args_init(&a, cmd, db, argc, argv);
  for (; a.i < argc; a.i++) {
    int r = cli_is_option(&a, 0);
    if (r == OPT_SEP) continue;
    if (r == OPT_NO) {
      if (!ids_ok) return cli_usage_error(cmd, "unexpected argument '%s'", argv[a.i]);
      out->ids[out->nids++] = argv[a.i];
      continue;
    }
    if ((r = cli_common_opt(&a)) == OPT_HELP) return EXIT_OK;
    if (r == OPT_BAD) return EXIT_USAGE;
    if (r == OPT_YES) continue;
    if (json_ok && (r = cli_opt(&a, "json", NULL)) == OPT_YES) { out->json = 1; continue; }
    if (r == OPT_BAD) return EXIT_USAGE;
    return cli_unknown_opt(&a);
  }
  if (!(out->archive = cli_archive(&a))) return EXIT_USAGE;
  if (ids_ok && !out->nids) return cli_usage_error(cmd, "no ID given");
  return -1;
}

/* "12.3 MiB" for a byte count. */
static void human_bytes(uint64_t n, char *out, size_t cap) {
  static const char *const UNITS[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double v = (double)n;
  size_t u = 0;
  while (v >= 1024 && u + 1 < sizeof UNITS / sizeof *UNITS) { v /= 1024; u++; }
  if (u == 0) snprintf(out, cap, "%llu bytes", (unsigned long long)n);
  else snprintf(out, cap, "%.1f %s", v, UNITS[u]);
}

/* ---- delete ------------------------------------------------------------- */

static int delete_ids(nd_index *ix, char **ids, size_t n) {
  size_t deleted = 0, missing = 0;
  for (size_t i = 0; i < n; i++) {
    int rc = nd_delete(ix, ids[i]);
    if (rc == ND_OK) { deleted++; continue; }
    cli_lib_error(ix, rc);
    if (rc != ND_ERR_NOTFOUND) {
      fprintf(stderr, "nothing was deleted; the archive stays at its last commit\n");
      return cli_exit_code(rc);
    }
    missing++;
  }
  int rc = nd_commit(ix);
  if (rc != ND_OK) {
    cli_lib_error(ix, rc);
    return cli_exit_code(rc) == EXIT_NOTFOUND ? EXIT_ERROR : cli_exit_code(rc);
  }
  fprintf(stderr, "deleted %zu %s (%zu not found)\n", deleted, deleted == 1 ? "article" : "articles",
          missing);
  return missing ? EXIT_NOTFOUND : EXIT_OK;
}

int cmd_delete(const char *db, int argc, char **argv) {
  admin_args aa;
  int st = parse_admin("delete", db, argc, argv, 0, 1, &aa);
  if (st >= 0) return st;
  nd_index *ix;
  if ((st = cli_open(aa.archive, ND_OPEN_WRITE, NULL, &ix))) return st;
  st = delete_ids(ix, aa.ids, aa.nids);
  nd_close(ix);
  return st;
}

/* ---- stats -------------------------------------------------------------- */

json_t *cli_stats_json(const char *archive, const nd_stats *s) {
  json_t *o = json_object();
  int bad = archive ? json_object_set_new(o, "archive", json_string(archive)) : 0;
  bad |= json_object_set_new(o, "articles", json_integer((json_int_t)s->articles));
  bad |= json_object_set_new(o, "deleted", json_integer((json_int_t)s->deleted));
  bad |= json_object_set_new(o, "segments", json_integer((json_int_t)s->segments));
  bad |= json_object_set_new(o, "terms", json_integer((json_int_t)s->terms));
  bad |= json_object_set_new(o, "bytes", json_integer((json_int_t)s->bytes));
  bad |= json_object_set_new(o, "stored_bytes", json_integer((json_int_t)s->stored_bytes));
  bad |= json_object_set_new(o, "generation", json_integer((json_int_t)s->generation));
  bad |= json_object_set_new(o, "language", cli_json_str(s->language));
  if (bad) { json_decref(o); o = NULL; }
  return o;
}

static void stats_text(const char *archive, const nd_stats *s) {
  char size[32], stored[32];
  human_bytes(s->bytes, size, sizeof size);
  human_bytes(s->stored_bytes, stored, sizeof stored);
  fputs("archive:     ", stdout);
  term_put_line(stdout, archive, strlen(archive));
  printf("\nlanguage:    %s\n", s->language && *s->language ? s->language : "-");
  printf("articles:    %llu\n", (unsigned long long)s->articles);
  printf("deleted:     %llu\n", (unsigned long long)s->deleted);
  printf("segments:    %llu\n", (unsigned long long)s->segments);
  printf("terms:       %llu\n", (unsigned long long)s->terms);
  printf("size:        %s (%llu bytes)\n", size, (unsigned long long)s->bytes);
  printf("stored:      %s (%llu bytes)\n", stored, (unsigned long long)s->stored_bytes);
  printf("generation:  %llu\n", (unsigned long long)s->generation);
}

int cmd_stats(const char *db, int argc, char **argv) {
  admin_args aa;
  int st = parse_admin("stats", db, argc, argv, 1, 0, &aa);
  if (st >= 0) return st;
  nd_index *ix;
  if ((st = cli_open(aa.archive, 0, NULL, &ix))) return st;
  nd_stats s;
  int rc = nd_stats_get(ix, &s);
  if (rc != ND_OK) {
    cli_lib_error(ix, rc);
    st = cli_exit_code(rc);
  } else if (aa.json) {
    st = cli_json_print(cli_stats_json(aa.archive, &s));
  } else {
    stats_text(aa.archive, &s);
  }
  nd_close(ix);
  return st;
}

/* ---- optimize ----------------------------------------------------------- */

static int optimize(nd_index *ix) {
  nd_stats before, after;
  int rc = nd_stats_get(ix, &before);
  if (rc == ND_OK) rc = nd_optimize(ix);
  if (rc == ND_OK) rc = nd_stats_get(ix, &after);
  if (rc != ND_OK) {
    cli_lib_error(ix, rc);
    return cli_exit_code(rc) == EXIT_NOTFOUND ? EXIT_ERROR : cli_exit_code(rc);
  }
  char b0[32], b1[32];
  human_bytes(before.bytes, b0, sizeof b0);
  human_bytes(after.bytes, b1, sizeof b1);
  printf("segments: %llu -> %llu\n", (unsigned long long)before.segments, (unsigned long long)after.segments);
  printf("deleted articles dropped: %llu\n", (unsigned long long)(before.deleted - after.deleted));
  printf("size: %s -> %s\n", b0, b1);
  return EXIT_OK;
}

int cmd_optimize(const char *db, int argc, char **argv) {
  admin_args aa;
  int st = parse_admin("optimize", db, argc, argv, 0, 0, &aa);
  if (st >= 0) return st;
  nd_index *ix;
  if ((st = cli_open(aa.archive, ND_OPEN_WRITE, NULL, &ix))) return st;
  st = optimize(ix);
  nd_close(ix);
  return st;
}

/* ---- check -------------------------------------------------------------- */

/* Problems as they are found: printed at once as text, or collected. */
typedef struct check_out {
  json_t *list; /* --json: the problems; NULL for text */
  int oom;
} check_out;

static void on_problem(void *ctx, const char *msg) {
  check_out *o = ctx;
  if (!o->list) {
    fputs("problem: ", stdout);
    term_put_line(stdout, msg, strlen(msg));
    fputc('\n', stdout);
  } else if (json_array_append_new(o->list, cli_json_str(msg))) {
    o->oom = 1;
  }
}

static int check_json(const char *archive, const nd_check_report *r, json_t *problems) {
  json_t *o = json_object();
  int bad = json_object_set_new(o, "archive", json_string(archive));
  bad |= json_object_set_new(o, "ok", json_boolean(r->problems == 0));
  bad |= json_object_set_new(o, "segments", json_integer((json_int_t)r->segments));
  bad |= json_object_set_new(o, "terms", json_integer((json_int_t)r->terms));
  bad |= json_object_set_new(o, "postings", json_integer((json_int_t)r->postings));
  bad |= json_object_set_new(o, "positions", json_integer((json_int_t)r->positions));
  bad |= json_object_set_new(o, "articles", json_integer((json_int_t)r->articles));
  bad |= json_object_set_new(o, "deleted", json_integer((json_int_t)r->deleted));
  bad |= json_object_set_new(o, "stored_blocks", json_integer((json_int_t)r->stored_blocks));
  bad |= json_object_set_new(o, "bytes", json_integer((json_int_t)r->bytes));
  bad |= json_object_set_new(o, "problems", json_integer((json_int_t)r->problems));
  bad |= json_object_set(o, "details", problems);
  if (bad) { json_decref(o); o = NULL; }
  return cli_json_print(o);
}

int cmd_check(const char *db, int argc, char **argv) {
  admin_args aa;
  int st = parse_admin("check", db, argc, argv, 1, 0, &aa);
  if (st >= 0) return st;
  st = EXIT_OK;
  check_out out = {aa.json ? json_array() : NULL, 0};
  if (aa.json && !out.list) { cli_error("out of memory"); return EXIT_ERROR; }
  nd_check_report r;
  int rc = nd_check(aa.archive, on_problem, &out, &r);
  if (rc == ND_ERR_NOMEM || out.oom) {
    cli_error("out of memory while checking %s", aa.archive);
    st = EXIT_ERROR;
  } else if (aa.json) {
    st = check_json(aa.archive, &r, out.list);
  } else {
    char size[32];
    human_bytes(r.bytes, size, sizeof size);
    printf("checked %llu segments, %llu terms, %llu postings, %llu positions, %llu articles (%llu deleted), "
           "%llu stored blocks, %s\n",
           (unsigned long long)r.segments, (unsigned long long)r.terms, (unsigned long long)r.postings,
           (unsigned long long)r.positions, (unsigned long long)r.articles, (unsigned long long)r.deleted,
           (unsigned long long)r.stored_blocks, size);
  }
  json_decref(out.list);
  if (st != EXIT_OK) return st;
  if (rc == ND_ERR_NOTFOUND) return EXIT_NOTFOUND;
  if (rc != ND_OK) {
    cli_error("%llu %s found in %s", (unsigned long long)r.problems, r.problems == 1 ? "problem" : "problems",
              aa.archive);
    return EXIT_ERROR;
  }
  if (!aa.json) printf("no problems found\n");
  return EXIT_OK;
}
