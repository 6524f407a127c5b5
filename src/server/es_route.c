/*
** es_route.c -- the Elasticsearch-compatible API of `newsdex serve`
** (docs/elasticsearch.md): routing, URL parameters, indexes, search,
** count, msearch and scroll.  Documents and _bulk are in es_docs.c; what
** the API means (DSL, aggregations, hits) is in src/es/.
**
** Which requests are ES's (es_owns): every path whose first segment starts
** with '_' (/_bulk, /_search, /_cat/indices...), every path whose second
** segment does (/{index}/_search...), any method but GET and HEAD outside
** /api/, a GET or HEAD of /{index} for an index that exists, and GET / when
** the client does not ask for HTML (a browser gets the page).
**
** Errors have ES's shape ({"error": {"root_cause": [...], "type",
** "reason"}, "status"}).  URL parameters that would change an answer and
** are not understood are refused (400), never ignored; the harmless ones
** (pretty, human, error_trace, filter_path...) are accepted and ignored.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "../es/es.h"
#include "../util/buf.h"
#include "es_server.h"

#define ES_API_VERSION "7.10.2" /* the Elasticsearch REST API whose subset is answered */
#define READER_WAIT_MS 2000
#define MAX_SCROLLS 64             /* open scroll contexts */
#define MAX_KEEP_ALIVE_S 3600      /* a scroll's keep-alive, at most */
#define MAX_MSEARCH 64             /* searches in one _msearch */

/* ---- replies -------------------------------------------------------------- */

void es_reply_err(reply *out, const es_err *e) {
  json_decref(out->json);
  out->json = es_error_json(e);
  out->status = e->status ? e->status : 500;
}

unsigned es_reply(reply *out, unsigned status, const char *type, const char *fmt, ...) {
  es_err e;
  char msg[sizeof e.reason];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  es_fail(&e, status, type, "%s", msg);
  es_reply_err(out, &e);
  return status;
}

void es_warn(reply *out, const char *text) {
  if (!text || !*text) return;
  size_t n = 2 * strlen(text) + 32;
  char *w = malloc(n);
  if (!w) return;
  /* RFC 7234's warn-text is a quoted string: no quotes or backslashes
  ** inside; the notes (lines) are joined by "; ". */
  int k = snprintf(w, n, "299 newsdex \"");
  for (const char *s = text; *s; s++) {
    if (*s == '\n') w[k++] = ';', w[k++] = ' ';
    else w[k++] = *s == '"' || *s == '\\' || (unsigned char)*s < 0x20 ? '\'' : *s;
  }
  w[k++] = '"';
  w[k] = 0;
  free(out->warning);
  out->warning = w;
}

void es_index_missing(reply *out, const char *name) {
  es_err e;
  es_fail(&e, 404, "index_not_found_exception", "no such index [%s]", name);
  es_reply_err(out, &e);
  json_t *err = json_object_get(out->json, "error");
  json_object_set_new(err, "index", json_string(name));
  json_object_set_new(json_array_get(json_object_get(err, "root_cause"), 0), "index", json_string(name));
}

int64_t es_now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

reader *es_borrow(srv_index *x, reply *out) {
  int rc;
  reader *rd = pool_get(&x->pool, READER_WAIT_MS, &rc);
  if (!rd) {
    es_reply(out, 429, "es_rejected_execution_exception", "the server is overloaded: no archive handle became free; try again");
    return NULL;
  }
  if (rc) {
    es_reply(out, 500, "newsdex_exception", "%s", nd_errmsg(rd->ix));
    pool_put(&x->pool, rd);
    return NULL;
  }
  return rd;
}

/* ---- request bodies and parameters ---------------------------------------- */

json_t *es_body(const request *r, reply *out, int required) {
  if (!r->body_len) {
    if (required) es_reply(out, 400, "parse_exception", "request body is required");
    return NULL;
  }
  json_error_t je;
  json_t *v = es_json_load(r->body, r->body_len, &je);
  if (!v) {
    es_reply(out, 400, "parse_exception", "the request body is not JSON: %s at line %d, column %d", je.text, je.line, je.column);
    return NULL;
  }
  if (!json_is_object(v)) {
    json_decref(v);
    es_reply(out, 400, "parse_exception", "the request body must be a JSON object");
    return NULL;
  }
  return v;
}

/* Parameters every endpoint accepts and ignores: presentation, tracing,
** and settings of a cluster newsdex does not have. */
static const char *const HARMLESS[] = {
  "pretty", "human", "error_trace", "filter_path", "format", "timeout", "master_timeout", "wait_for_active_shards",
  "ignore_unavailable", "allow_no_indices", "expand_wildcards", "preference", "routing", "request_cache",
  "batched_reduce_size", "ccs_minimize_roundtrips", "pre_filter_shard_size", "max_concurrent_shard_requests",
  "allow_partial_search_results", "search_type", "wait_for_status", "wait_for_completion", "local", "include_type_name",
  "refresh", "v", "h", "s", "bytes", "pipeline", "require_alias", "wait_for_no_relocating_shards",
  "wait_for_no_initializing_shards", "level", "typed_keys", "seq_no_primary_term", "version", "realtime",
  "_source_exclude", "_source_include", "if_seq_no", "if_primary_term", "op_type", "retry_on_conflict",
  "stored_fields", "include_defaults", "flat_settings", "ignore_throttled", "rest_total_hits_as_int", NULL};

typedef struct arg_check {
  const char *const *known;
  const char *bad;
} arg_check;

static enum MHD_Result check_one(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
  arg_check *c = cls;
  for (const char *const *k = HARMLESS; *k; k++)
    if (!strcmp(*k, key)) return MHD_YES;
  for (const char *const *k = c->known; k && *k; k++)
    if (!strcmp(*k, key)) return MHD_YES;
  c->bad = key;
  return MHD_NO;
}

int es_check_args(const request *r, const char *const *known, reply *out) {
  arg_check c = {known, NULL};
  MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_one, &c);
  if (!c.bad) return 0;
  return (int)es_reply(out, 400, "illegal_argument_exception", "request [%s] contains unrecognized parameter: [%s]", r->path, c.bad);
}

/* ---- which requests are ES's ------------------------------------------------ */

static int hexval(char c) {
  return c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
}

/* The raw path's segments, split at '/' before percent-decoding (an id
** may hold an escaped '/'), each decoded into seg[i] (empty when absent;
** at most 519 bytes, longer ones cut, which no index name or id allowed
** reaches).  Returns the number of segments, or max + 1 when there are
** more. */
static int split(const char *path, char seg[][520], int max) {
  int n = 0;
  const char *p = path;
  while (*p == '/') p++;
  for (int i = 0; i < max; i++) seg[i][0] = 0;
  while (*p && n < max) {
    size_t len = strcspn(p, "/"), o = 0;
    for (size_t i = 0; i < len && o < 519; i++) {
      int h, l;
      if (p[i] == '%' && i + 2 < len && (h = hexval(p[i + 1])) >= 0 && (l = hexval(p[i + 2])) >= 0) {
        seg[n][o++] = (char)(h * 16 + l);
        i += 2;
      } else {
        seg[n][o++] = p[i];
      }
    }
    seg[n][o] = 0;
    n++;
    p += len;
    while (*p == '/') p++;
  }
  return *p ? max + 1 : n;
}

int es_owns(const request *r) {
  char seg[2][520];
  int n = split(r->raw, seg, 2);
  int read = !strcmp(r->method, "GET") || !strcmp(r->method, "HEAD");
  if (n == 0) {
    const char *acc = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    return !read || !acc || !strstr(acc, "text/html");
  }
  if (seg[0][0] == '_' || (n >= 2 && seg[1][0] == '_') || !read) return 1;
  if (n == 1) {
    srv_index *x = registry_get(r->reg, seg[0]);
    registry_put(r->reg, x);
    return x != NULL;
  }
  return 0;
}

/* ---- GET /, /_cluster/health, /_cat/indices, indexes ------------------------- */

static void es_root(const request *r, reply *out) {
  char host[256] = "newsdex";
  gethostname(host, sizeof host - 1);
  /* Clients choose the dialect they speak from version.number (elasticdump
  ** speaks ES 6's below 7): it names the REST API newsdex answers, and
  ** newsdex's own name and version are given beside it. */
  out->json = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s}, s:s}", "name", host, "cluster_name", "newsdex", "version",
                        "number", ES_API_VERSION, "distribution", "newsdex", "newsdex_version", ND_VERSION,
                        "api_compatibility", "a subset of the Elasticsearch " ES_API_VERSION " REST API (docs/elasticsearch.md)",
                        "tagline", "newsdex: a search engine for news archives (not Elasticsearch)");
}

static void es_health(const request *r, reply *out) {
  srv_index **all;
  size_t n = registry_list(r->reg, &all);
  for (size_t i = 0; i < n; i++) registry_put(r->reg, all[i]);
  free(all);
  out->json = json_pack("{s:s, s:s, s:b, s:i, s:i, s:I, s:I, s:i, s:i, s:i, s:i, s:f}", "cluster_name", "newsdex", "status",
                        "green", "timed_out", 0, "number_of_nodes", 1, "number_of_data_nodes", 1, "active_primary_shards",
                        (json_int_t)n, "active_shards", (json_int_t)n, "relocating_shards", 0, "initializing_shards", 0,
                        "unassigned_shards", 0, "delayed_unassigned_shards", 0, "active_shards_percent_as_number", 100.0);
}

/* Articles and bytes of an index (0 when it cannot be read). */
static void index_stats(srv_index *x, reply *scratch, nd_stats *s) {
  memset(s, 0, sizeof *s);
  reader *rd = es_borrow(x, scratch);
  if (!rd) return;
  nd_stats_get(rd->ix, s);
  pool_put(&x->pool, rd);
}

static void es_cat_indices(const request *r, const char *only, reply *out) {
  static const char *const known[] = {NULL};
  if (es_check_args(r, known, out)) return;
  const char *fmt = req_arg(r, "format");
  srv_index **all;
  size_t n = registry_list(r->reg, &all);
  json_t *a = json_array();
  buf text;
  buf_init(&text);
  for (size_t i = 0; i < n; i++) {
    srv_index *x = all[i];
    if (!only || !strcmp(only, x->name)) {
      nd_stats s;
      reply scratch = {0};
      index_stats(x, &scratch, &s);
      json_decref(scratch.json);
      char docs[32], del[32], size[32];
      snprintf(docs, sizeof docs, "%llu", (unsigned long long)s.articles);
      snprintf(del, sizeof del, "%llu", (unsigned long long)s.deleted);
      snprintf(size, sizeof size, "%llub", (unsigned long long)s.bytes);
      json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "health", "green", "status",
                                         "open", "index", x->name, "uuid", x->name, "pri", "1", "rep", "0", "docs.count", docs,
                                         "docs.deleted", del, "store.size", size, "pri.store.size", size));
      buf_printf(&text, "green open %s %s 1 0 %s %s %s %s\n", x->name, x->name, docs, del, size, size);
    }
    registry_put(r->reg, x);
  }
  free(all);
  if (only && !json_array_size(a)) {
    json_decref(a);
    buf_free(&text);
    es_index_missing(out, only);
    return;
  }
  if (fmt && !strcmp(fmt, "json")) {
    out->json = a;
  } else {
    json_decref(a);
    out->text = strndup(text.p ? (const char *)text.p : "", text.n);
    out->type = "text/plain; charset=utf-8";
  }
  buf_free(&text);
}

json_t *es_mapping(void) {
  return json_pack("{s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s, s:b}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}}}",
                   "properties", "title", "type", "text", "body", "type", "text", "date", "type", "date", "source", "type",
                   "keyword", "url", "type", "keyword", "index", 0, "people", "type", "keyword", "organisations", "type",
                   "keyword", "places", "type", "keyword", "topics", "type", "keyword", "story", "type", "keyword");
}

static json_t *index_info(srv_index *x) {
  return json_pack("{s:{}, s:o, s:{s:{s:s, s:s, s:s, s:s}}}", "aliases", "mappings", es_mapping(), "settings", "index",
                   "number_of_shards", "1", "number_of_replicas", "0", "provided_name", x->name, "uuid", x->name);
}

/* Whether a PUT /{index} body asks for anything newsdex does not do. */
static void index_body_warning(const json_t *body, reply *out) {
  if (!body || !json_object_size(body)) return;
  es_warn(out, "settings, mappings and aliases are accepted and ignored: newsdex's fields are fixed (see GET /{index}/_mapping)");
}

static void es_index(const request *r, const char *name, reply *out) {
  int get = !strcmp(r->method, "GET"), head = !strcmp(r->method, "HEAD");
  if (get || head) {
    srv_index *x = registry_get(r->reg, name);
    if (!x) {
      es_index_missing(out, name);
      out->head = head;
      return;
    }
    if (head) out->head = 1;
    else out->json = json_pack("{s:o}", x->name, index_info(x));
    registry_put(r->reg, x);
    return;
  }
  if (!strcmp(r->method, "PUT")) {
    if (req_authorised(r, out, 1)) return;
    json_t *body = NULL;
    if (r->body_len && !(body = es_body(r, out, 0))) return;
    char why[300];
    srv_index *x = NULL;
    int st = registry_create(r->reg, name, &x, why, sizeof why);
    if (st == 409) es_reply(out, 400, "resource_already_exists_exception", "%s", why);
    else if (st == 400) es_reply(out, 400, "invalid_index_name_exception", "Invalid index name [%s], %s", name, why);
    else if (st) es_reply(out, (unsigned)st, "newsdex_exception", "%s", why);
    else {
      out->json = json_pack("{s:b, s:b, s:s}", "acknowledged", 1, "shards_acknowledged", 1, "index", name);
      index_body_warning(body, out);
    }
    registry_put(r->reg, x);
    json_decref(body);
    return;
  }
  if (!strcmp(r->method, "DELETE")) {
    if (req_authorised(r, out, 1)) return;
    char why[300];
    int st = registry_drop(r->reg, name, why, sizeof why);
    if (st == 404) es_index_missing(out, name);
    else if (st) es_reply(out, (unsigned)st, "illegal_argument_exception", "%s", why);
    else out->json = json_pack("{s:b}", "acknowledged", 1);
    return;
  }
  out->allow = "GET, HEAD, PUT, DELETE";
  es_reply(out, 405, "method_not_allowed", "method [%s] not allowed on [%s] (allowed: GET, HEAD, PUT, DELETE)", r->method, r->path);
}

/* ---- search, count, msearch ------------------------------------------------- */

/* A comma-separated list as a JSON array of strings. */
static json_t *list_of(const char *s) {
  json_t *a = json_array();
  while (*s) {
    size_t n = strcspn(s, ",");
    if (n) json_array_append_new(a, json_stringn(s, n));
    s += n + (s[n] == ',');
  }
  return a;
}

json_t *es_source_args(const request *r) {
  const char *src = req_arg(r, "_source"), *inc = req_arg(r, "_source_includes"), *exc = req_arg(r, "_source_excludes");
  if (!inc) inc = req_arg(r, "_source_include");
  if (!exc) exc = req_arg(r, "_source_exclude");
  if (src && (!strcmp(src, "true") || !strcmp(src, "false")) && !inc && !exc) return json_boolean(!strcmp(src, "true"));
  if (!src && !inc && !exc) return NULL;
  json_t *spec = json_object();
  if (inc || (src && strcmp(src, "true"))) json_object_set_new(spec, "includes", list_of(inc ? inc : src));
  if (exc) json_object_set_new(spec, "excludes", list_of(exc));
  return spec;
}

/* The search body with the URL's parameters merged in (a new reference). */
static json_t *with_url_args(const request *r, json_t *body, reply *out) {
  json_t *b = body ? json_deep_copy(body) : json_object();
  const char *q = req_arg(r, "q");
  if (q) {
    json_t *qs = json_pack("{s:s}", "query", q);
    const char *df = req_arg(r, "df"), *op = req_arg(r, "default_operator");
    if (df) json_object_set_new(qs, "default_field", json_string(df));
    if (op) json_object_set_new(qs, "default_operator", json_string(op));
    json_object_set_new(b, "query", json_pack("{s:o}", "query_string", qs));
  }
  static const char *const copied[] = {"from", "size", "track_total_hits", "search_after"};
  for (size_t i = 0; i < sizeof copied / sizeof *copied; i++) {
    const char *v = req_arg(r, copied[i]);
    if (!v) continue;
    if (!strcmp(v, "true") || !strcmp(v, "false")) json_object_set_new(b, copied[i], json_boolean(!strcmp(v, "true")));
    else json_object_set_new(b, copied[i], json_string(v));
  }
  const char *ts = req_arg(r, "track_scores");
  if (ts) json_object_set_new(b, "track_scores", json_boolean(strcmp(ts, "false") != 0));
  const char *sort = req_arg(r, "sort");
  if (sort) json_object_set_new(b, "sort", list_of(sort)); /* "date:desc,_id" */
  json_t *spec = es_source_args(r);
  if (spec) json_object_set_new(b, "_source", spec);
  const char *ti = req_arg(r, "rest_total_hits_as_int");
  if (ti && strcmp(ti, "false")) json_object_set_new(b, "rest_total_hits_as_int", json_true());
  return b;
}

/* The index a search names: its single name, or the only index for /_search,
** "_all" or "*".  Sets a 404/400 on out and returns NULL otherwise. */
srv_index *es_target(const request *r, const char *name, reply *out) {
  int several = 0;
  srv_index *x;
  if (!name || !*name || !strcmp(name, "_all") || !strcmp(name, "*")) {
    x = registry_default(r->reg, NULL, &several);
    if (!x && several) es_reply(out, 400, "illegal_argument_exception", "newsdex searches one index at a time: name it in the path");
    else if (!x) es_reply(out, 404, "index_not_found_exception", "no index is served");
    return x;
  }
  if (strchr(name, ',') || strchr(name, '*')) {
    es_reply(out, 400, "illegal_argument_exception", "newsdex searches one index at a time, not [%s]", name);
    return NULL;
  }
  if (!(x = registry_get(r->reg, name))) es_index_missing(out, name);
  return x;
}

static void scroll_start(const request *r, srv_index *x, json_t *body, es_plan *plan, const char *keep, reply *out);

static const char *const SEARCH_ARGS[] = {"q", "df", "default_operator", "from", "size", "sort", "_source", "_source_includes",
                                          "_source_excludes", "track_total_hits", "track_scores", "scroll", "search_after",
                                          "analyze_wildcard", "lenient", NULL};

/* One search of `body` on x into *out (a response, or an error); the
** HTTP status. */
static unsigned run_search(srv_index *x, json_t *body, int count_only, json_t **resp, char **warnings) {
  es_plan plan;
  es_err e;
  int64_t now = es_now_ms();
  *resp = NULL;
  if (es_plan_parse(body, now, count_only, &plan, &e)) {
    *resp = es_error_json(&e);
    es_plan_free(&plan);
    return e.status;
  }
  reply scratch = {0};
  reader *rd = es_borrow(x, &scratch);
  if (!rd) {
    *resp = scratch.json;
    es_plan_free(&plan);
    return scratch.status;
  }
  int rc = count_only ? es_count(rd->ix, &plan, resp, &e) : es_search(rd->ix, x->name, &plan, now, resp, &e);
  pool_put(&x->pool, rd);
  if (rc) *resp = es_error_json(&e);
  if (warnings && plan.warnings) *warnings = strdup(plan.warnings);
  es_plan_free(&plan);
  return rc ? e.status : 200;
}

static void es_search_route(const request *r, const char *name, int count_only, reply *out) {
  if (strcmp(r->method, "GET") && strcmp(r->method, "POST")) {
    out->allow = "GET, POST";
    es_reply(out, 405, "method_not_allowed", "method [%s] not allowed on [%s]", r->method, r->path);
    return;
  }
  if (es_check_args(r, SEARCH_ARGS, out)) return;
  json_t *body = NULL;
  if (r->body_len && !(body = es_body(r, out, 0))) return;
  json_t *b = with_url_args(r, body, out);
  json_decref(body);
  srv_index *x = es_target(r, name, out);
  if (!x) {
    json_decref(b);
    return;
  }
  const char *keep = req_arg(r, "scroll");
  if (keep && !count_only) {
    es_plan plan;
    es_err e;
    if (es_plan_parse(b, es_now_ms(), 0, &plan, &e)) es_reply_err(out, &e);
    else scroll_start(r, x, b, &plan, keep, out); /* takes plan and b */
    if (out->status != 200) es_plan_free(&plan);
    registry_put(r->reg, x);
    if (out->status != 200) json_decref(b);
    return;
  }
  char *w = NULL;
  out->status = run_search(x, b, count_only, &out->json, &w);
  es_warn(out, w);
  free(w);
  registry_put(r->reg, x);
  json_decref(b);
}

/* _msearch: NDJSON, a header line ({"index": NAME} or {}) then a body
** line, per search; each answered in "responses" with its status. */
static void es_msearch(const request *r, const char *name, reply *out) {
  if (strcmp(r->method, "GET") && strcmp(r->method, "POST")) {
    out->allow = "GET, POST";
    es_reply(out, 405, "method_not_allowed", "method [%s] not allowed on [%s]", r->method, r->path);
    return;
  }
  static const char *const known[] = {"max_concurrent_searches", NULL};
  if (es_check_args(r, known, out)) return;
  json_t *responses = json_array();
  const char *s = r->body, *end = r->body + r->body_len;
  json_t *header = NULL;
  size_t lineno = 0, searches = 0;
  double t0 = (double)es_now_ms();
  while (s < end) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *e = nl ? nl : end;
    lineno++;
    size_t n = (size_t)(e - s);
    const char *line = s;
    s = e + 1;
    size_t k = 0;
    while (k < n && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r')) k++;
    if (k == n) continue;
    json_error_t je;
    json_t *v = es_json_load(line, n, &je);
    if (!v || !json_is_object(v)) {
      json_decref(v);
      json_decref(header);
      json_decref(responses);
      es_reply(out, 400, "parse_exception", "_msearch line %zu is not a JSON object", lineno);
      return;
    }
    if (!header) {
      header = v;
      continue;
    }
    if (++searches > MAX_MSEARCH) {
      json_decref(v);
      json_decref(header);
      json_decref(responses);
      es_reply(out, 400, "illegal_argument_exception", "an _msearch holds at most %d searches", MAX_MSEARCH);
      return;
    }
    json_t *ix = json_object_get(header, "index");
    const char *iname = json_is_string(ix) ? json_string_value(ix) : json_is_array(ix) && json_array_size(ix) == 1 ? json_string_value(json_array_get(ix, 0)) : name;
    reply one = {.status = 200};
    srv_index *x = es_target(r, iname, &one);
    json_t *resp = NULL;
    unsigned st;
    if (!x) {
      resp = one.json;
      st = one.status;
    } else {
      st = run_search(x, v, 0, &resp, NULL);
      registry_put(r->reg, x);
    }
    json_object_set_new(resp, "status", json_integer(st));
    json_array_append_new(responses, resp);
    json_decref(v);
    json_decref(header);
    header = NULL;
  }
  json_decref(header);
  out->json = json_pack("{s:I, s:o}", "took", (json_int_t)((double)es_now_ms() - t0), "responses", responses);
}

/* ---- scroll ------------------------------------------------------------------ */

typedef struct scroll {
  char id[40];
  srv_index *x;       /* referenced */
  json_t *body;       /* the plan's borrowed parts live here */
  es_plan plan;
  es_snapshot snap;
  int64_t expires_ms;
  int busy;
} scroll;

static struct {
  pthread_mutex_t mu;
  scroll *s[MAX_SCROLLS];
} SC = {PTHREAD_MUTEX_INITIALIZER, {0}};

static void scroll_free(const request *r, scroll *s) {
  es_snapshot_free(&s->snap);
  es_plan_free(&s->plan);
  json_decref(s->body);
  registry_put(r->reg, s->x);
  free(s);
}

/* Free the expired scrolls (not in use). */
static void scroll_expire(const request *r) {
  int64_t now = es_now_ms();
  scroll *dead[MAX_SCROLLS];
  size_t nd = 0;
  pthread_mutex_lock(&SC.mu);
  for (size_t i = 0; i < MAX_SCROLLS; i++)
    if (SC.s[i] && !SC.s[i]->busy && SC.s[i]->expires_ms < now) dead[nd++] = SC.s[i], SC.s[i] = NULL;
  pthread_mutex_unlock(&SC.mu);
  for (size_t i = 0; i < nd; i++) scroll_free(r, dead[i]);
}

/* A keep-alive ("1m", "30s", "2h") in ms; -1 when bad. */
static int64_t keep_alive_ms(const char *s) {
  char *end;
  double v = strtod(s, &end);
  double unit = !strcmp(end, "ms") ? 1 : !strcmp(end, "s") ? 1e3 : !strcmp(end, "m") ? 6e4 : !strcmp(end, "h") ? 3.6e6 : !strcmp(end, "d") ? 8.64e7 : -1;
  if (end == s || v < 0 || unit < 0) return -1;
  double ms = v * unit;
  return ms > MAX_KEEP_ALIVE_S * 1e3 ? -2 : (int64_t)ms;
}

static void random_id(char *out, size_t n) {
  static const char A[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  unsigned char b[64];
  FILE *f = fopen("/dev/urandom", "rb");
  size_t got = f ? fread(b, 1, n, f) : 0;
  if (f) fclose(f);
  for (size_t i = 0; i < n; i++) out[i] = A[(i < got ? b[i] : (unsigned char)rand()) % (sizeof A - 1)];
  out[n] = 0;
}

/* The first page: take the snapshot and register it. */
static void scroll_start(const request *r, srv_index *x, json_t *body, es_plan *plan, const char *keep, reply *out) {
  int64_t ka = keep_alive_ms(keep);
  if (ka < 0) {
    es_reply(out, 400, "illegal_argument_exception", ka == -2 ? "scroll keep-alive [%s] is over the limit of 1h" : "bad scroll keep-alive [%s] (e.g. 1m, 30s)", keep);
    return;
  }
  if (plan->after || plan->from) {
    es_reply(out, 400, "illegal_argument_exception", "[from] and [search_after] cannot be used with a scroll");
    return;
  }
  scroll_expire(r);
  scroll *s = calloc(1, sizeof *s);
  if (!s) { es_reply(out, 500, "out_of_memory", "out of memory"); return; }
  es_err e;
  reader *rd = es_borrow(x, out);
  if (!rd) { free(s); return; }
  json_t *page = NULL;
  int rc = es_snapshot_take(rd->ix, plan, &s->snap, &e);
  if (!rc) rc = es_scroll_page(rd->ix, x->name, plan, &s->snap, &page, &e);
  json_t *aggs = NULL;
  if (!rc && plan->aggs) rc = es_aggs(rd->ix, plan->agg_query, plan->aggs, es_now_ms(), &aggs, &e);
  pool_put(&x->pool, rd);
  if (rc) {
    es_snapshot_free(&s->snap);
    free(s);
    json_decref(page);
    es_reply_err(out, &e);
    return;
  }
  if (aggs) json_object_set_new(page, "aggregations", aggs);
  random_id(s->id, 32);
  s->plan = *plan;
  s->body = body;
  s->expires_ms = es_now_ms() + ka;
  pthread_mutex_lock(&r->reg->mu);
  x->refs++;
  pthread_mutex_unlock(&r->reg->mu);
  s->x = x;
  size_t slot = MAX_SCROLLS;
  pthread_mutex_lock(&SC.mu);
  for (size_t i = 0; i < MAX_SCROLLS && slot == MAX_SCROLLS; i++)
    if (!SC.s[i]) slot = i;
  if (slot < MAX_SCROLLS) SC.s[slot] = s;
  pthread_mutex_unlock(&SC.mu);
  if (slot == MAX_SCROLLS) {
    memset(&s->plan, 0, sizeof s->plan); /* the caller frees plan and body */
    s->body = NULL;
    scroll_free(r, s);
    json_decref(page);
    es_reply(out, 429, "es_rejected_execution_exception", "too many open scrolls (%d): clear some with DELETE /_search/scroll", MAX_SCROLLS);
    return;
  }
  json_object_set_new(page, "_scroll_id", json_string(s->id));
  out->json = page;
  out->status = 200;
}

/* The scroll id of a request: the body's scroll_id, the URL's, or the path's. */
static const char *scroll_id_of(const request *r, const json_t *body, const char *path_id) {
  if (path_id && *path_id) return path_id;
  const char *a = req_arg(r, "scroll_id");
  if (a) return a;
  return json_string_value(json_object_get(body, "scroll_id"));
}

static void es_scroll(const request *r, const char *path_id, reply *out) {
  static const char *const known[] = {"scroll", "scroll_id", NULL};
  if (es_check_args(r, known, out)) return;
  json_t *body = NULL;
  if (r->body_len && !(body = es_body(r, out, 0))) return;
  scroll_expire(r);
  if (!strcmp(r->method, "DELETE")) {
    /* scroll_id: one id, an array of them, or "_all" in the path */
    json_t *ids = json_object_get(body, "scroll_id");
    size_t freed = 0;
    scroll *dead[MAX_SCROLLS];
    size_t nd = 0;
    pthread_mutex_lock(&SC.mu);
    for (size_t i = 0; i < MAX_SCROLLS; i++) {
      scroll *s = SC.s[i];
      if (!s || s->busy) continue;
      int hit = path_id && !strcmp(path_id, "_all");
      if (path_id && !strcmp(path_id, s->id)) hit = 1;
      if (json_is_string(ids) && !strcmp(json_string_value(ids), s->id)) hit = 1;
      size_t j;
      json_t *v;
      json_array_foreach(ids, j, v)
        if (json_is_string(v) && !strcmp(json_string_value(v), s->id)) hit = 1;
      const char *a = req_arg(r, "scroll_id");
      if (a && !strcmp(a, s->id)) hit = 1;
      if (hit) dead[nd++] = s, SC.s[i] = NULL, freed++;
    }
    pthread_mutex_unlock(&SC.mu);
    for (size_t i = 0; i < nd; i++) scroll_free(r, dead[i]);
    json_decref(body);
    out->json = json_pack("{s:b, s:I}", "succeeded", 1, "num_freed", (json_int_t)freed);
    if (!freed) out->status = 404;
    return;
  }
  const char *id = scroll_id_of(r, body, path_id);
  if (!id) {
    json_decref(body);
    es_reply(out, 400, "action_request_validation_exception", "Validation Failed: 1: scrollId is missing;");
    return;
  }
  const char *keep = req_arg(r, "scroll");
  if (!keep) keep = json_string_value(json_object_get(body, "scroll"));
  scroll *s = NULL;
  pthread_mutex_lock(&SC.mu);
  for (size_t i = 0; i < MAX_SCROLLS && !s; i++)
    if (SC.s[i] && !strcmp(SC.s[i]->id, id) && !SC.s[i]->busy) s = SC.s[i];
  if (s) s->busy = 1;
  pthread_mutex_unlock(&SC.mu);
  if (!s) {
    es_reply(out, 404, "search_context_missing_exception", "No search context found for id [%.64s]", id);
    json_decref(body); /* id may be in it */
    return;
  }
  int64_t ka = keep ? keep_alive_ms(keep) : 60000;
  if (ka < 0) ka = 60000;
  reader *rd = es_borrow(s->x, out);
  if (rd) {
    es_err e;
    json_t *page = NULL;
    if (es_scroll_page(rd->ix, s->x->name, &s->plan, &s->snap, &page, &e)) es_reply_err(out, &e);
    else {
      json_object_set_new(page, "_scroll_id", json_string(s->id));
      out->json = page;
    }
    pool_put(&s->x->pool, rd);
  }
  pthread_mutex_lock(&SC.mu);
  s->busy = 0;
  s->expires_ms = es_now_ms() + ka;
  pthread_mutex_unlock(&SC.mu);
  json_decref(body);
}

/* ---- routing ------------------------------------------------------------------ */

static void es_refresh(const request *r, const char *name, reply *out) {
  if (name) {
    srv_index *x = registry_get(r->reg, name);
    if (!x) { es_index_missing(out, name); return; }
    registry_put(r->reg, x);
  }
  /* Every write commits before it answers: there is nothing to refresh. */
  out->json = json_pack("{s:{s:i, s:i, s:i}}", "_shards", "total", 1, "successful", 1, "failed", 0);
}

static void not_found(const request *r, reply *out) {
  es_reply(out, 400, "illegal_argument_exception", "no handler found for uri [%s] and method [%s] (newsdex's subset of the Elasticsearch API: docs/elasticsearch.md)", r->path, r->method);
}

void es_route(const request *r, reply *out) {
  char seg[3][520];
  int n = split(r->raw, seg, 3);
  const char *m = r->method;
  int head = !strcmp(m, "HEAD");
  if (head) out->head = 1;
  if (n > 3) { not_found(r, out); return; }
  if (n == 0) {
    if (strcmp(m, "GET") && !head) { out->allow = "GET, HEAD"; es_reply(out, 405, "method_not_allowed", "method [%s] not allowed on [/]", m); return; }
    es_root(r, out);
    return;
  }
  const char *a = seg[0], *b = seg[1], *c = seg[2];
  if (a[0] == '_') {
    if (!strcmp(a, "_cluster") && !strcmp(b, "health")) es_health(r, out);
    else if (!strcmp(a, "_cat") && !strcmp(b, "indices")) es_cat_indices(r, *c ? c : NULL, out);
    else if (!strcmp(a, "_search") && !strcmp(b, "scroll")) es_scroll(r, *c ? c : NULL, out);
    else if (!strcmp(a, "_search") && !*b) es_search_route(r, NULL, 0, out);
    else if (!strcmp(a, "_count") && !*b) es_search_route(r, NULL, 1, out);
    else if (!strcmp(a, "_msearch") && !*b) es_msearch(r, NULL, out);
    else if (!strcmp(a, "_bulk") && !*b) es_bulk(r, NULL, out);
    else if (!strcmp(a, "_mget") && !*b) es_mget(r, NULL, out);
    else if (!strcmp(a, "_refresh") && !*b) es_refresh(r, NULL, out);
    else if ((!strcmp(a, "_alias") || !strcmp(a, "_aliases")) && !*b && (!strcmp(m, "GET") || head)) out->json = json_object();
    else not_found(r, out);
    return;
  }
  if (!*b) { es_index(r, a, out); return; }
  if (!strcmp(b, "_search") && !*c) es_search_route(r, a, 0, out);
  else if (!strcmp(b, "_count") && !*c) es_search_route(r, a, 1, out);
  else if (!strcmp(b, "_msearch") && !*c) es_msearch(r, a, out);
  else if (!strcmp(b, "_bulk") && !*c) es_bulk(r, a, out);
  else if (!strcmp(b, "_mget") && !*c) es_mget(r, a, out);
  else if (!strcmp(b, "_refresh") && !*c) es_refresh(r, a, out);
  else if (!strcmp(b, "_flush") && !*c) es_refresh(r, a, out);
  else if (!strcmp(b, "_doc") || !strcmp(b, "_create") || !strcmp(b, "_update") || !strcmp(b, "_source")) es_doc(r, a, b, *c ? c : NULL, out);
  else if ((!strcmp(b, "_mapping") || !strcmp(b, "_mappings") || !strcmp(b, "_settings") || !strcmp(b, "_alias") || !strcmp(b, "_aliases")) && !*c) {
    srv_index *x = registry_get(r->reg, a);
    if (!x) { es_index_missing(out, a); return; }
    if (!strcmp(m, "GET") || head) {
      json_t *info = index_info(x);
      const char *part = b[1] == 'm' ? "mappings" : b[1] == 's' ? "settings" : "aliases";
      out->json = json_pack("{s:{s:O}}", x->name, part, json_object_get(info, part));
      json_decref(info);
    } else if (!req_authorised(r, out, 1)) {
      out->json = json_pack("{s:b}", "acknowledged", 1);
      es_warn(out, "mappings, settings and aliases are accepted and ignored: newsdex's fields are fixed");
    }
    registry_put(r->reg, x);
  } else not_found(r, out);
}
