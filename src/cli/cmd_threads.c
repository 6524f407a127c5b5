/*
** cmd_threads.c -- `newsdex threads`: the largest story threads, and (for
** `newsdex show --thread KEY`) one thread's articles in date order; the
** versions and thread of one article for `show`.  Threads and versions are
** what nd_threads_list(), nd_thread_articles() and nd_versions() give
** (docs/stories.md).
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_THREADS 1000

/* "2004-06-28 – 2004-07-02" (one date when both are the same). */
static void print_span(const char *from, const char *to) {
  if (!from[0]) { fputs("undated", stdout); return; }
  fputs(from, stdout);
  if (to[0] && strcmp(from, to)) printf(" \xe2\x80\x93 %s", to);
}

static void print_sources(const nd_thread *t, size_t max) {
  for (size_t j = 0; j < t->nsources && j < max; j++) {
    fputs(j ? ", " : "", stdout);
    term_put_line(stdout, t->sources[j].key, strlen(t->sources[j].key));
    printf(" (%llu)", (unsigned long long)t->sources[j].count);
  }
  if (t->nsources > max) printf(", +%zu more", t->nsources - max);
}

json_t *cli_thread_json(const nd_thread *t) {
  json_t *o = json_object(), *src = json_array();
  int bad = json_object_set_new(o, "key", json_string(t->key));
  bad |= json_object_set_new(o, "headline", cli_json_str(t->headline));
  bad |= json_object_set_new(o, "first_id", cli_json_str(t->first_id));
  bad |= json_object_set_new(o, "from", cli_json_str(t->from));
  bad |= json_object_set_new(o, "to", cli_json_str(t->to));
  bad |= json_object_set_new(o, "articles", json_integer((json_int_t)t->articles));
  bad |= json_object_set_new(o, "stories", json_integer((json_int_t)t->stories));
  for (size_t j = 0; j < t->nsources && !bad; j++) {
    json_t *c = json_object();
    bad |= json_object_set_new(c, "value", cli_json_str(t->sources[j].key));
    bad |= json_object_set_new(c, "count", json_integer((json_int_t)t->sources[j].count));
    bad |= json_array_append_new(src, c);
  }
  bad |= json_object_set_new(o, "sources", src);
  if (bad) { json_decref(o); return NULL; }
  return o;
}

/* One line per article: date, source, id, headline. */
static void print_articles(const nd_results *r) {
  for (size_t i = 0; i < nd_results_count(r); i++) {
    nd_hit h;
    nd_results_hit(r, i, &h);
    printf("  %-10s  ", h.date[0] ? h.date : "-");
    term_put_line(stdout, h.source[0] ? h.source : "-", strlen(h.source[0] ? h.source : "-"));
    fputs("  ", stdout);
    term_put_line(stdout, h.id, strlen(h.id));
    fputs("  ", stdout);
    term_put_line(stdout, h.headline, strlen(h.headline));
    fputc('\n', stdout);
  }
}

int cli_show_thread(nd_index *ix, const char *key, int json) {
  nd_threads *t = NULL;
  nd_results *r = NULL;
  int rc = nd_thread_get(ix, key, &t);
  if (rc == ND_OK) rc = nd_thread_articles(ix, key, &r);
  if (rc != ND_OK) {
    nd_threads_free(t);
    cli_lib_error(ix, rc);
    return rc == ND_ERR_INVALID ? EXIT_USAGE : cli_exit_code(rc);
  }
  nd_thread th;
  nd_threads_item(t, 0, &th);
  int st = EXIT_OK;
  if (json) {
    json_t *o = cli_thread_json(&th);
    if (o && json_object_set_new(o, "articles_list", cli_hits_json(r))) { json_decref(o); o = NULL; }
    st = cli_json_print(o);
  } else {
    printf("thread %s: %llu article%s, %llu stor%s, ", th.key, (unsigned long long)th.articles,
           th.articles == 1 ? "" : "s", (unsigned long long)th.stories, th.stories == 1 ? "y" : "ies");
    print_span(th.from, th.to);
    fputs("\nsources: ", stdout);
    print_sources(&th, 8);
    fputc('\n', stdout);
    print_articles(r);
  }
  nd_results_free(r);
  nd_threads_free(t);
  return st;
}

int cli_doc_stories(nd_index *ix, const char *id, json_t *o) {
  nd_results *v = NULL;
  int rc = nd_versions(ix, id, &v);
  if (rc != ND_OK) return rc;
  nd_hit self = {0}, h;
  for (size_t i = 0; i < nd_results_count(v); i++)
    if (!nd_results_hit(v, i, &h) && !strcmp(h.id, id)) self = h;
  nd_threads *t = NULL;
  if (self.thread && (rc = nd_thread_get(ix, self.thread, &t)) != ND_OK) {
    nd_results_free(v);
    return rc;
  }
  nd_thread th = {0};
  int has_thread = t && nd_threads_item(t, 0, &th) == ND_OK;
  if (o) {
    int bad = json_object_set_new(o, "story", cli_json_str(self.story));
    bad |= json_object_set_new(o, "versions", cli_hits_json(v));
    bad |= json_object_set_new(o, "thread", has_thread ? cli_thread_json(&th) : json_null());
    rc = bad ? ND_ERR_NOMEM : ND_OK;
  } else {
    size_t n = nd_results_count(v);
    if (n > 1) {
      printf("versions: %zu (the first is the canonical one)\n", n);
      print_articles(v);
    }
    if (has_thread && th.articles > 1) {
      printf("thread: %s, %llu articles, ", th.key, (unsigned long long)th.articles);
      print_span(th.from, th.to);
      fputs(" (newsdex show --thread KEY lists them)\n", stdout);
    }
  }
  nd_threads_free(t);
  nd_results_free(v);
  return rc;
}

int cmd_threads(const char *db, int argc, char **argv) {
  cli_args a;
  const char *v;
  nd_thread_options to = {0};
  uint64_t n;
  int json = 0;
  cli_args_init(&a, "threads", db, argc, argv);
  for (; a.i < argc; a.i++) {
    int r = cli_is_option(&a, 0);
    if (r == OPT_SEP) continue;
    if (r == OPT_NO) return cli_usage_error("threads", "unexpected argument '%s'", argv[a.i]);
    if ((r = cli_common_opt(&a)) == OPT_HELP) return EXIT_OK;
    if (r == OPT_BAD) return EXIT_USAGE;
    if (r == OPT_YES) continue;
    if ((r = cli_opt(&a, "json", NULL)) == OPT_YES) { json = 1; continue; }
    if (r == OPT_BAD) return EXIT_USAGE;
    if ((r = cli_opt(&a, "from", &v)) == OPT_YES) { to.from = v; continue; }
    if (r == OPT_BAD) return EXIT_USAGE;
    if ((r = cli_opt(&a, "to", &v)) == OPT_YES) { to.to = v; continue; }
    if (r == OPT_BAD) return EXIT_USAGE;
    if ((r = cli_opt(&a, "limit", &v)) == OPT_YES) {
      if (cli_parse_count("threads", "limit", v, 1, MAX_THREADS, &n)) return EXIT_USAGE;
      to.limit = (size_t)n;
      continue;
    }
    if (r == OPT_BAD) return EXIT_USAGE;
    if ((r = cli_opt(&a, "min-articles", &v)) == OPT_YES) {
      if (cli_parse_count("threads", "min-articles", v, 1, 1000000, &n)) return EXIT_USAGE;
      to.min_articles = (size_t)n;
      continue;
    }
    if (r == OPT_BAD) return EXIT_USAGE;
    return cli_unknown_opt(&a);
  }
  const char *archive = cli_archive(&a);
  if (!archive) return EXIT_USAGE;
  nd_index *ix;
  int st = cli_open(archive, 0, NULL, &ix);
  if (st) return st;
  nd_threads *t = NULL;
  int rc = nd_threads_list(ix, &to, &t);
  if (rc != ND_OK) {
    cli_lib_error(ix, rc);
    nd_close(ix);
    return rc == ND_ERR_INVALID ? EXIT_USAGE : cli_exit_code(rc);
  }
  if (json) {
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < nd_threads_count(t); i++) {
      nd_thread th;
      nd_threads_item(t, i, &th);
      if (json_array_append_new(arr, cli_thread_json(&th))) { json_decref(arr); arr = NULL; }
    }
    json_t *o = json_object();
    if (o && json_object_set_new(o, "threads", arr)) { json_decref(o); o = NULL; }
    st = cli_json_print(o);
  } else {
    for (size_t i = 0; i < nd_threads_count(t); i++) {
      nd_thread th;
      nd_threads_item(t, i, &th);
      printf("%zu. ", i + 1);
      term_put_line(stdout, th.headline, strlen(th.headline));
      printf("\n   %llu articles, %llu stories, ", (unsigned long long)th.articles, (unsigned long long)th.stories);
      print_span(th.from, th.to);
      printf("  thread %s\n   ", th.key);
      print_sources(&th, 5);
      fputs("\n\n", stdout);
    }
    if (!nd_threads_count(t)) puts("no threads");
  }
  nd_threads_free(t);
  nd_close(ix);
  return st;
}
