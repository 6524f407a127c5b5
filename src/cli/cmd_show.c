/*
** cmd_show.c -- `newsdex show`: print one stored article, as labelled
** lines followed by the body, or as one JSON object.  With --links (or -k
** N) the key topics chosen by nd_link_doc() are shown: " (search)" after
** each one's first mention in the text, links to the search page with
** --html, their spans with --json.
*/
#include <stdlib.h>
#include <string.h>

#include "../present/snippet.h"
#include "../util/buf.h"
#include "cli.h"

/* What to show. */
typedef struct show_opts {
  int json, html, links;
  nd_link_options lo;
} show_opts;

/* The chosen topics sorted by the start of their first mention. */
typedef struct marks {
  nd_topic *t;
  size_t n;
  const nd_links *l; /* where they come from (for their mentions) */
  const char *body;
} marks;

static int cmp_topic_start(const void *a, const void *b) {
  const nd_topic *x = a, *y = b;
  return (x->start > y->start) - (x->start < y->start);
}

static int marks_get(const nd_links *l, marks *m) {
  m->n = l ? nd_links_count(l) : 0;
  m->t = calloc(m->n + 1, sizeof *m->t);
  if (!m->t) return -1;
  for (size_t i = 0; i < m->n; i++) nd_links_topic(l, i, &m->t[i]);
  qsort(m->t, m->n, sizeof *m->t, cmp_topic_start);
  return 0;
}

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

/* The body with " (search)" after each topic's first mention (a mention
** that ends inside one already marked gets no marker of its own). */
static void print_body_marked(const char *body, const marks *m) {
  static const char MARK[] = " (search)";
  const char *keep[] = {MARK};
  size_t at = 0, n = strlen(body);
  buf b;
  buf_init(&b);
  for (size_t i = 0; i < m->n; i++) {
    if (m->t[i].end <= at || m->t[i].end > n) continue;
    buf_put(&b, body + at, m->t[i].end - at);
    buf_puts(&b, MARK);
    at = m->t[i].end;
  }
  buf_put(&b, body + at, n - at);
  if (b.oom) { buf_free(&b); term_put_text(stdout, body, n, NULL, NULL, 0); return; }
  term_put_text(stdout, (const char *)b.p, b.n, NULL, keep, 1);
  buf_free(&b);
}

static int print_text(nd_index *ix, const nd_doc *d, const marks *m) {
  print_label("title", d->title);
  print_label("id", d->id);
  print_label("date", d->date);
  print_label("source", d->source);
  print_label("url", d->url);
  print_marked(d);
  if (print_extra(d)) { cli_error("out of memory"); return EXIT_ERROR; }
  int rc = cli_doc_stories(ix, d->id, NULL);
  if (rc != ND_OK) { cli_lib_error(ix, rc); return cli_exit_code(rc); }
  fputc('\n', stdout);
  const char *body = d->body ? d->body : "";
  size_t n = strlen(body);
  if (m) print_body_marked(body, m);
  else term_put_text(stdout, body, n, NULL, NULL, 0);
  if (n && body[n - 1] != '\n') fputc('\n', stdout);
  return EXIT_OK;
}

/* ---- HTML --------------------------------------------------------------- */

/* The search page's address for a topic: /search?q=WORD or
** /search?q="SEVERAL WORDS", URL-encoded. */
static void search_url(buf *b, const char *text) {
  static const char HEX[] = "0123456789ABCDEF";
  int phrase = strchr(text, ' ') != NULL;
  buf_puts(b, "/search?q=");
  if (phrase) buf_puts(b, "%22");
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    unsigned char c = *p;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      buf_putc(b, c);
    } else if (c == ' ') {
      buf_putc(b, '+');
    } else {
      buf_putc(b, '%');
      buf_putc(b, (uint8_t)HEX[c >> 4]);
      buf_putc(b, (uint8_t)HEX[c & 15]);
    }
  }
  if (phrase) buf_puts(b, "%22");
}

/* The article as an HTML fragment: the title as <h1>, each paragraph
** (text between blank lines) as <p>, every chosen topic's first mention a
** link to a search for it. */
static int print_html(const nd_doc *d, const marks *m) {
  buf b, url;
  buf_init(&b);
  buf_init(&url);
  buf_puts(&b, "<article>\n");
  if (d->title && *d->title) {
    buf_puts(&b, "<h1>");
    text_put(&b, d->title, strlen(d->title), 1);
    buf_puts(&b, "</h1>\n");
  }
  const char *body = d->body ? d->body : "";
  size_t n = strlen(body), at = 0, k = 0;
  while (at < n) {
    while (at < n && (body[at] == '\n' || body[at] == ' ' || body[at] == '\t' || body[at] == '\r')) at++;
    if (at >= n) break;
    const char *e = strstr(body + at, "\n\n");
    size_t end = e ? (size_t)(e - body) : n;
    buf_puts(&b, "<p>");
    while (at < end) {
      while (k < m->n && m->t[k].start < at) k++; /* inside a mention already linked */
      size_t stop = end;
      if (k < m->n && m->t[k].start < end) stop = m->t[k].start;
      text_put(&b, body + at, stop - at, 1);
      at = stop;
      if (k < m->n && m->t[k].start == at) {
        buf_reset(&url);
        search_url(&url, m->t[k].text);
        buf_puts(&b, "<a href=\"");
        text_put(&b, (const char *)url.p, url.n, 1);
        buf_puts(&b, "\">");
        text_put(&b, body + at, m->t[k].end - at, 1);
        buf_puts(&b, "</a>");
        at = m->t[k].end;
        k++;
      }
    }
    buf_puts(&b, "</p>\n");
  }
  buf_puts(&b, "</article>\n");
  int st = EXIT_OK;
  if (b.oom || url.oom) { cli_error("out of memory"); st = EXIT_ERROR; }
  else fwrite(b.p, 1, b.n, stdout);
  buf_free(&b);
  buf_free(&url);
  return st;
}

/* ---- JSON --------------------------------------------------------------- */

static json_t *marked_array(const nd_doc *d) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < d->n_marked; i++)
    if (json_array_append_new(a, cli_json_str(d->marked[i]))) { json_decref(a); return NULL; }
  return a;
}

json_t *cli_doc_json(const nd_doc *d) {
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
  return o;
}

static json_t *links_array(const marks *m) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < m->n; i++) {
    const nd_topic *t = &m->t[i];
    json_t *o = json_object();
    int bad = !o || json_array_append_new(a, o);
    bad |= json_object_set_new(o, "start", json_integer((json_int_t)t->start));
    bad |= json_object_set_new(o, "end", json_integer((json_int_t)t->end));
    bad |= json_object_set_new(o, "text", json_stringn(t->text, strlen(t->text)));
    bad |= json_object_set_new(o, "type", json_string(nd_topic_type_name(t->type)));
    bad |= json_object_set_new(o, "score", json_real(t->score));
    bad |= json_object_set_new(o, "mentions", json_integer((json_int_t)t->mentions));
    bad |= json_object_set_new(o, "articles", json_integer((json_int_t)t->articles));
    bad |= json_object_set_new(o, "forms", cli_topic_forms(m->l, t, m->body));
    if (bad) { json_decref(a); return NULL; }
  }
  return a;
}

json_t *cli_topic_forms(const nd_links *l, const nd_topic *t, const char *body) {
  json_t *a = json_array();
  size_t i = 0, n = l ? nd_links_count(l) : 0;
  nd_topic x;
  while (i < n && (nd_links_topic(l, i, &x) || x.text != t->text)) i++; /* which topic of l t is */
  size_t s, e;
  const char *title;
  for (size_t j = 0; a && i < n && nd_links_mention(l, i, j, &s, &e, &title) == ND_OK; j++) {
    json_t *o = json_object();
    if (!o || json_array_append_new(a, o) || json_object_set_new(o, "text", json_stringn(body + s, e - s)) ||
        json_object_set_new(o, "start", json_integer((json_int_t)s)) ||
        json_object_set_new(o, "end", json_integer((json_int_t)e)) ||
        json_object_set_new(o, "title", json_string(title))) {
      json_decref(a);
      return NULL;
    }
  }
  return a;
}

static int print_json(nd_index *ix, const nd_doc *d, const marks *m) {
  json_t *o = cli_doc_json(d);
  if (o && m && json_object_set_new(o, "links", links_array(m))) { json_decref(o); o = NULL; }
  int rc = o ? cli_doc_stories(ix, d->id, o) : ND_OK;
  if (rc != ND_OK) {
    json_decref(o);
    cli_lib_error(ix, rc);
    return cli_exit_code(rc);
  }
  return cli_json_print(o);
}

/* ---- the command -------------------------------------------------------- */

static int show_one(nd_index *ix, const char *id, const show_opts *o) {
  nd_document *doc = NULL;
  nd_links *l = NULL;
  marks m = {0};
  int rc = nd_get(ix, id, &doc);
  if (rc == ND_OK && o->links) rc = nd_link_doc(ix, nd_document_doc(doc), &o->lo, &l);
  if (rc != ND_OK) {
    cli_lib_error(ix, rc);
    nd_document_free(doc);
    return cli_exit_code(rc);
  }
  if (o->links && marks_get(l, &m)) {
    cli_error("out of memory");
    nd_links_free(l);
    nd_document_free(doc);
    return EXIT_ERROR;
  }
  const nd_doc *d = nd_document_doc(doc);
  m.l = l;
  m.body = d->body ? d->body : "";
  const marks *mp = o->links ? &m : NULL;
  int st = o->json ? print_json(ix, d, mp) : o->html ? print_html(d, &m) : print_text(ix, d, mp);
  free(m.t);
  nd_links_free(l);
  nd_document_free(doc);
  return st;
}

int cmd_show(const char *db, int argc, char **argv) {
  cli_args a;
  const char *id = NULL, *v, *thread = NULL;
  show_opts o = {0};
  uint64_t k;
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
    if ((r = cli_opt(&a, "json", NULL)) == OPT_YES) { o.json = 1; continue; }
    if (r == OPT_BAD) return EXIT_USAGE;
    if ((r = cli_opt(&a, "thread", &v)) == OPT_YES) { thread = v; continue; }
    if (r == OPT_BAD) return EXIT_USAGE;
    if ((r = cli_opt(&a, "links", NULL)) == OPT_YES) { o.links = 1; continue; }
    if (r == OPT_BAD) return EXIT_USAGE;
    if ((r = cli_opt(&a, "html", NULL)) == OPT_YES) { o.html = o.links = 1; continue; }
    if (r == OPT_BAD) return EXIT_USAGE;
    if (!strcmp(argv[a.i], "-k") || (r = cli_opt(&a, "topics", &v)) == OPT_YES) {
      if (!strcmp(argv[a.i], "-k")) {
        if (a.i + 1 >= argc) return cli_usage_error("show", "option '-k' needs a value");
        v = argv[++a.i];
      }
      if (cli_parse_count("show", "topics", v, 1, 100, &k)) return EXIT_USAGE;
      o.lo.k = (size_t)k;
      o.links = 1;
      continue;
    }
    if (r == OPT_BAD) return EXIT_USAGE;
    return cli_unknown_opt(&a);
  }
  const char *archive = cli_archive(&a);
  if (!archive) return EXIT_USAGE;
  if (thread && (id || o.links || o.html))
    return cli_usage_error("show", "--thread KEY shows a thread: give no ID, --links or --html with it");
  if (!id && !thread) return cli_usage_error("show", "no ID given");
  if (o.json && o.html) return cli_usage_error("show", "give --json or --html, not both");
  nd_index *ix;
  int st = cli_open(archive, 0, NULL, &ix);
  if (st) return st;
  st = thread ? cli_show_thread(ix, thread, o.json) : show_one(ix, id, &o);
  nd_close(ix);
  return st;
}
