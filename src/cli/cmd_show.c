/*
** cmd_show.c -- `newsdex show`: print one stored article, as labelled
** lines followed by the body, or as one JSON object.
*/
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The article's extra fields as a JSON object (an empty one if none);
** NULL only when out of memory. */
static json_t *extra_object(const nd_doc *d) {
  if (!d->extra_json || !*d->extra_json) return json_object();
  json_error_t err;
  json_t *v = json_loads(d->extra_json, JSON_DECODE_ANY, &err);
  if (v && json_is_object(v)) return v;
  json_decref(v);
  fprintf(stderr, "warning: the stored extra fields are not a JSON object: %s\n", err.text);
  return json_object();
}

/* ---- text --------------------------------------------------------------- */

static void print_label(const char *label, const char *value) {
  if (!value || !*value) return;
  term_put_line(stdout, label, strlen(label));
  fputs(": ", stdout);
  term_put_line(stdout, value, strlen(value));
  fputc('\n', stdout);
}

static void print_marked(const nd_doc *d) {
  if (!d->n_marked) return;
  fputs("marked: ", stdout);
  for (size_t i = 0; i < d->n_marked; i++) {
    if (i) fputs("; ", stdout);
    term_put_line(stdout, d->marked[i], strlen(d->marked[i]));
  }
  fputc('\n', stdout);
}

/* One line per extra field: strings as they are, other values as JSON. */
static int print_extra(const nd_doc *d) {
  json_t *x = extra_object(d);
  if (!x) return -1;
  const char *key;
  json_t *val;
  json_object_foreach(x, key, val) {
    if (json_is_string(val)) { print_label(key, json_string_value(val)); continue; }
    char *t = json_dumps(val, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!t) { json_decref(x); return -1; }
    print_label(key, t);
    free(t);
  }
  json_decref(x);
  return 0;
}

static int print_text(const nd_doc *d) {
  print_label("title", d->title);
  print_label("id", d->id);
  print_label("date", d->date);
  print_label("source", d->source);
  print_label("url", d->url);
  print_marked(d);
  if (print_extra(d)) { cli_error("out of memory"); return EXIT_ERROR; }
  fputc('\n', stdout);
  const char *body = d->body ? d->body : "";
  size_t n = strlen(body);
  term_put_text(stdout, body, n, NULL, NULL, 0);
  if (n && body[n - 1] != '\n') fputc('\n', stdout);
  return EXIT_OK;
}

/* ---- JSON --------------------------------------------------------------- */

static json_t *marked_array(const nd_doc *d) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < d->n_marked; i++)
    if (json_array_append_new(a, cli_json_str(d->marked[i]))) { json_decref(a); return NULL; }
  return a;
}

static int print_json(const nd_doc *d) {
  json_t *o = json_object();
  int bad = json_object_set_new(o, "id", cli_json_str(d->id));
  bad |= json_object_set_new(o, "title", cli_json_str(d->title));
  bad |= json_object_set_new(o, "date", cli_json_str(d->date));
  bad |= json_object_set_new(o, "source", cli_json_str(d->source));
  bad |= json_object_set_new(o, "url", cli_json_str(d->url));
  bad |= json_object_set_new(o, "marked", marked_array(d));
  bad |= json_object_set_new(o, "extra", extra_object(d));
  bad |= json_object_set_new(o, "body", json_string(d->body ? d->body : ""));
  if (bad) { json_decref(o); o = NULL; }
  return cli_json_print(o);
}

/* ---- the command -------------------------------------------------------- */

static int show_one(nd_index *ix, const char *id, int json) {
  nd_document *doc = NULL;
  int rc = nd_get(ix, id, &doc);
  if (rc != ND_OK) {
    cli_lib_error(ix, rc);
    return cli_exit_code(rc);
  }
  const nd_doc *d = nd_document_doc(doc);
  int st = json ? print_json(d) : print_text(d);
  nd_document_free(doc);
  return st;
}

int cmd_show(const char *db, int argc, char **argv) {
  cli_args a;
  const char *id = NULL;
  int json = 0;
  cli_args_init(&a, "show", db, argc, argv);
  for (; a.i < argc; a.i++) {
    int r = cli_is_option(&a, 0);
    if (r == OPT_SEP) continue;
    if (r == OPT_NO) {
      if (id) return cli_usage_error("show", "give one ID");
      id = argv[a.i];
      continue;
    }
    if ((r = cli_common_opt(&a)) == OPT_HELP) return EXIT_OK;
    if (r == OPT_BAD) return EXIT_USAGE;
    if (r == OPT_YES) continue;
    if ((r = cli_opt(&a, "json", NULL)) == OPT_YES) { json = 1; continue; }
    if (r == OPT_BAD) return EXIT_USAGE;
    return cli_unknown_opt(&a);
  }
  const char *archive = cli_archive(&a);
  if (!archive) return EXIT_USAGE;
  if (!id) return cli_usage_error("show", "no ID given");
  nd_index *ix;
  int st = cli_open(archive, 0, NULL, &ix);
  if (st) return st;
  st = show_one(ix, id, json);
  nd_close(ix);
  return st;
}
