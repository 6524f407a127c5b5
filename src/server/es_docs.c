/*
** es_docs.c -- ES's document API: /{index}/_doc, _create, _update,
** _source, _mget and _bulk.
**
** Writes take the index's writer (its mutex: one write request at a time
** per index), and commit before they answer, so a written document is
** durable and searchable when the reply arrives (ES's refresh=true; the
** refresh parameter is accepted and changes nothing).  A _bulk request is
** read whole first, with no lock held (a malformed line refuses it before
** anything is written), then is one commit: its documents are added with
** nd_add_batch, which analyses them on the writer's threads.  Writing to an index that does not exist
** creates it (ES's auto_create_index) when the server has --root.
** Versions are not kept: _version is 1, _seq_no 0, _primary_term 1.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/cli.h"
#include "es_server.h"

#define MAX_ID 512          /* bytes of a document id, as ES */
#define BULK_BATCH 256      /* articles per nd_add_batch */

static json_t *shards(void) { return json_pack("{s:i, s:i, s:i}", "total", 1, "successful", 1, "failed", 0); }

/* The write result for one document. */
static json_t *write_result(const char *index, const char *id, const char *result) {
  return json_pack("{s:s, s:s, s:i, s:s, s:o, s:i, s:i}", "_index", index, "_id", id, "_version", 1, "result", result,
                   "_shards", shards(), "_seq_no", 0, "_primary_term", 1);
}

/* The index to write to, created when missing (and the server has --root). */
static srv_index *write_target(const request *r, const char *name, reply *out) {
  srv_index *x = registry_get(r->reg, name);
  if (x) return x;
  char why[300];
  int st = registry_create(r->reg, name, &x, why, sizeof why);
  if (st == 409) return registry_get(r->reg, name); /* created meanwhile */
  if (st == 400 && r->reg->root) es_reply(out, 400, "invalid_index_name_exception", "Invalid index name [%s], %s", name, why);
  else if (st == 400) es_index_missing(out, name);
  else if (st) es_reply(out, (unsigned)st, "newsdex_exception", "%s", why);
  return x;
}

/* 1 if the writer's archive holds id (at its last commit). */
static int exists(nd_index *w, const char *id) {
  nd_document *d = NULL;
  int rc = nd_get(w, id, &d);
  nd_document_free(d);
  return rc == ND_OK;
}

static int valid_id(const char *id, es_err *e) {
  size_t n = strlen(id);
  if (!n) return es_fail(e, 400, "illegal_argument_exception", "a document id cannot be empty"), 0;
  if (n > MAX_ID) return es_fail(e, 400, "illegal_argument_exception", "id [%.40s...] is too long, must be no longer than %d bytes but was: %zu", id, MAX_ID, n), 0;
  return 1;
}

/* A new random id, as ES makes them (20 characters, URL-safe). */
static void new_id(char *out) {
  static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned char b[20];
  FILE *f = fopen("/dev/urandom", "rb");
  size_t got = f ? fread(b, 1, sizeof b, f) : 0;
  if (f) fclose(f);
  for (size_t i = 0; i < 20; i++) out[i] = A[(i < got ? b[i] : (unsigned char)rand()) & 63];
  out[20] = 0;
}

/* Add one document's _source under id (NULL: ES's generated id) with the
** writer; create_only refuses an existing id.  Fills the ES error or the
** result ("created"/"updated").  Does not commit. */
static int put_one(nd_index *w, const json_t *src, const char *id, int create_only, const char **result, es_err *e) {
  if (id && !valid_id(id, e)) return -1;
  int had = exists(w, id);
  if (had && create_only)
    return es_fail(e, 409, "version_conflict_engine_exception", "[%s]: version conflict, document already exists (current version [1])", id);
  es_article a;
  if (es_article_from_source(src, id, &a, e)) return -1;
  int rc = nd_add(w, &a.doc, NULL);
  es_article_free(&a);
  if (rc == ND_ERR_INVALID || rc == ND_ERR_LIMIT) return es_fail(e, 400, "mapper_parsing_exception", "failed to parse: %s", nd_errmsg(w));
  if (rc) return es_fail(e, 500, "newsdex_exception", "%s", nd_errmsg(w));
  *result = had ? "updated" : "created";
  return 0;
}

/* The document's _source after an _update: the stored one merged with
** body.doc (top-level fields replaced), or body.upsert / body.doc when
** it does not exist (doc_as_upsert). */
static json_t *updated_source(nd_index *w, const char *id, const json_t *body, int *created, es_err *e) {
  if (json_object_get(body, "script")) return es_fail(e, 400, "illegal_argument_exception", "[_update] with a script is not supported by newsdex"), NULL;
  json_t *doc = json_object_get(body, "doc"), *upsert = json_object_get(body, "upsert");
  if (doc && !json_is_object(doc)) return es_fail(e, 400, "parsing_exception", "[doc] must be an object"), NULL;
  nd_document *d = NULL;
  int rc = nd_get(w, id, &d);
  *created = rc == ND_ERR_NOTFOUND;
  if (rc == ND_ERR_NOTFOUND) {
    if (upsert) return json_deep_copy(upsert);
    if (doc && json_is_true(json_object_get(body, "doc_as_upsert"))) return json_deep_copy(doc);
    return es_fail(e, 404, "document_missing_exception", "[%s]: document missing", id), NULL;
  }
  if (rc) return es_fail(e, 500, "newsdex_exception", "%s", nd_errmsg(w)), NULL;
  json_t *src = es_source_of(nd_document_doc(d));
  nd_document_free(d);
  if (doc) json_object_update(src, doc);
  return src;
}

static void commit_or_fail(pool *p, reply *out) {
  int rc = pool_commit(p);
  if (rc) es_reply(out, rc == ND_ERR_NOSPACE ? 507 : 500, "newsdex_exception", "commit failed: %s", nd_errmsg(p->writer));
}

/* ---- one document --------------------------------------------------------- */

static void get_doc(const request *r, srv_index *x, const char *id, int source_only, reply *out) {
  static const char *const known[] = {"_source", "_source_includes", "_source_excludes", "stored_fields", NULL};
  if (es_check_args(r, known, out)) return;
  reader *rd = es_borrow(x, out);
  if (!rd) return;
  nd_document *d = NULL;
  int rc = nd_get(rd->ix, id, &d);
  if (rc == ND_ERR_NOTFOUND) {
    if (source_only) es_reply(out, 404, "resource_not_found_exception", "Document not found [%s]/[%s]", x->name, id);
    else out->json = json_pack("{s:s, s:s, s:b}", "_index", x->name, "_id", id, "found", 0);
    out->status = 404;
  } else if (rc) {
    es_reply(out, 500, "newsdex_exception", "%s", nd_errmsg(rd->ix));
  } else {
    json_t *spec = es_source_args(r);
    json_t *src = es_source_filter(es_source_of(nd_document_doc(d)), spec);
    json_decref(spec);
    if (source_only) out->json = src ? src : json_object();
    else {
      out->json = json_pack("{s:s, s:s, s:i, s:i, s:i, s:b}", "_index", x->name, "_id", id, "_version", 1, "_seq_no", 0,
                            "_primary_term", 1, "found", 1);
      if (src) json_object_set_new(out->json, "_source", src);
    }
  }
  nd_document_free(d);
  pool_put(&x->pool, rd);
}

void es_doc(const request *r, const char *index, const char *kind, const char *id, reply *out) {
  const char *m = r->method;
  int read = !strcmp(m, "GET") || !strcmp(m, "HEAD");
  if (read) {
    if (!id || (strcmp(kind, "_doc") && strcmp(kind, "_source"))) {
      es_reply(out, 400, "illegal_argument_exception", "no handler found for uri [%s] and method [%s]", r->path, m);
      return;
    }
    srv_index *x = registry_get(r->reg, index);
    if (!x) { es_index_missing(out, index); return; }
    get_doc(r, x, id, !strcmp(kind, "_source"), out);
    registry_put(r->reg, x);
    return;
  }
  static const char *const known[] = {NULL};
  if (es_check_args(r, known, out)) return;
  int del = !strcmp(m, "DELETE"), put = !strcmp(m, "PUT"), post = !strcmp(m, "POST");
  int ok = (!strcmp(kind, "_doc") && ((del && id) || (put && id) || post)) || (!strcmp(kind, "_create") && id && (put || post)) ||
           (!strcmp(kind, "_update") && id && post);
  if (!ok) {
    es_reply(out, 405, "method_not_allowed", "method [%s] not allowed on [%s]", m, r->path);
    return;
  }
  if (req_authorised(r, out, 1)) return;
  json_t *body = NULL;
  if (!del && !(body = es_body(r, out, 1))) return;
  srv_index *x = del ? registry_get(r->reg, index) : write_target(r, index, out);
  if (!x) {
    if (del) es_index_missing(out, index);
    json_decref(body);
    return;
  }
  nd_index *w = x->pool.writer;
  es_err e = {0};
  char gen[24];
  pool_wlock(&x->pool);
  if (del) {
    int rc = nd_delete(w, id);
    if (rc == ND_ERR_NOTFOUND) {
      out->json = write_result(x->name, id, "not_found");
      out->status = 404;
    } else if (rc) {
      es_reply(out, 500, "newsdex_exception", "%s", nd_errmsg(w));
    } else {
      commit_or_fail(&x->pool, out);
      if (!out->json) out->json = write_result(x->name, id, "deleted");
    }
  } else {
    const char *result = NULL;
    int rc, created = 0;
    if (!id) new_id(gen), id = gen;
    if (!strcmp(kind, "_update")) {
      json_t *src = updated_source(w, id, body, &created, &e);
      rc = src ? put_one(w, src, id, 0, &result, &e) : -1;
      json_decref(src);
      if (!rc) result = created ? "created" : "updated";
    } else {
      rc = put_one(w, body, id, !strcmp(kind, "_create") || (req_arg(r, "op_type") && !strcmp(req_arg(r, "op_type"), "create")), &result, &e);
    }
    if (rc) es_reply_err(out, &e);
    else {
      commit_or_fail(&x->pool, out);
      if (!out->json) {
        out->json = write_result(x->name, id, result);
        out->status = !strcmp(result, "created") ? 201 : 200;
      }
    }
  }
  pool_wunlock(&x->pool);
  registry_put(r->reg, x);
  json_decref(body);
}

/* ---- _mget -------------------------------------------------------------- */

void es_mget(const request *r, const char *index, reply *out) {
  static const char *const known[] = {"_source", "_source_includes", "_source_excludes", NULL};
  if (es_check_args(r, known, out)) return;
  json_t *body = es_body(r, out, 1);
  if (!body) return;
  json_t *docs = json_object_get(body, "docs"), *ids = json_object_get(body, "ids");
  if (!json_is_array(docs) && !json_is_array(ids)) {
    json_decref(body);
    es_reply(out, 400, "action_request_validation_exception", "Validation Failed: 1: no documents to get;");
    return;
  }
  size_t n = json_array_size(docs ? docs : ids);
  if (n > 10000) {
    json_decref(body);
    es_reply(out, 400, "illegal_argument_exception", "an _mget asks for at most 10000 documents");
    return;
  }
  json_t *res = json_array(), *url_spec = es_source_args(r);
  for (size_t i = 0; i < n; i++) {
    json_t *item = json_array_get(docs ? docs : ids, i);
    const char *iname = docs ? json_string_value(json_object_get(item, "_index")) : NULL;
    const char *id = docs ? json_string_value(json_object_get(item, "_id")) : json_string_value(item);
    if (!iname) iname = index;
    if (!iname || !id) {
      json_array_append_new(res, json_pack("{s:s?, s:s?, s:{s:s, s:s}}", "_index", iname, "_id", id, "error", "type",
                                            "action_request_validation_exception", "reason", !iname ? "index is missing" : "id is missing"));
      continue;
    }
    srv_index *x = registry_get(r->reg, iname);
    reply one = {.status = 200, .fd = -1};
    if (!x) es_index_missing(&one, iname);
    else {
      reader *rd = es_borrow(x, &one);
      if (rd) {
        nd_document *d = NULL;
        int rc = nd_get(rd->ix, id, &d);
        json_t *spec = docs && json_object_get(item, "_source") ? json_object_get(item, "_source") : url_spec;
        if (rc == ND_OK) {
          one.json = json_pack("{s:s, s:s, s:i, s:i, s:i, s:b}", "_index", x->name, "_id", id, "_version", 1, "_seq_no", 0,
                               "_primary_term", 1, "found", 1);
          json_t *src = es_source_filter(es_source_of(nd_document_doc(d)), spec);
          if (src) json_object_set_new(one.json, "_source", src);
        } else {
          one.json = json_pack("{s:s, s:s, s:b}", "_index", x->name, "_id", id, "found", 0);
        }
        nd_document_free(d);
        pool_put(&x->pool, rd);
      }
      registry_put(r->reg, x);
    }
    if (one.status != 200 && json_object_get(one.json, "error")) {
      json_t *err = json_pack("{s:s, s:s, s:O}", "_index", iname, "_id", id, "error", json_object_get(one.json, "error"));
      json_decref(one.json);
      one.json = err;
    }
    json_array_append_new(res, one.json);
  }
  json_decref(body);
  json_decref(url_spec);
  out->json = json_pack("{s:o}", "docs", res);
}

/* ---- _bulk -------------------------------------------------------------- */

/* One action of a bulk request, waiting for its batch. */
typedef struct pending {
  char *kind;   /* "index", "create", "update", "delete" */
  char *index;
  char *id;     /* NULL: generated */
  json_t *src;  /* index/create: the document; update: the update body */
  size_t item;  /* its place in the response */
} pending;

typedef struct bulk {
  const request *r;
  json_t *items;
  int errors;
  srv_index *x;       /* the index being written (writer locked), or NULL */
  pending batch[BULK_BATCH];
  size_t nb;
} bulk;

static void item_set(bulk *b, size_t at, const char *kind, json_t *res) {
  json_array_set_new(b->items, at, json_pack("{s:o}", kind, res));
}

static void item_error(bulk *b, size_t at, const char *kind, const char *index, const char *id, const es_err *e) {
  b->errors = 1;
  item_set(b, at, kind, json_pack("{s:s?, s:s?, s:I, s:{s:s, s:s}}", "_index", index, "_id", id, "status", (json_int_t)e->status,
                                  "error", "type", e->type, "reason", e->reason));
}

static void item_ok(bulk *b, size_t at, const char *kind, const char *index, const char *id, const char *result, int status) {
  json_t *res = write_result(index, id, result);
  json_object_set_new(res, "status", json_integer(status));
  item_set(b, at, kind, res);
}

/* Release the index being written: commit, then unlock. */
static void release(bulk *b) {
  if (!b->x) return;
  char msg[200];
  if (pool_commit_group(&b->x->pool, msg, sizeof msg)) { /* unlocks the writer */
    /* Nothing of this index's part of the request was kept: say so on
    ** each of its items that had succeeded. */
    es_err e;
    es_fail(&e, 500, "newsdex_exception", "commit failed: %s", msg);
    for (size_t i = 0; i < json_array_size(b->items); i++) {
      json_t *it = json_array_get(b->items, i);
      const char *k;
      json_t *v;
      json_object_foreach(it, k, v) {
        const char *ix = json_string_value(json_object_get(v, "_index"));
        if (ix && !strcmp(ix, b->x->name) && json_integer_value(json_object_get(v, "status")) < 300)
          item_error(b, i, k, ix, json_string_value(json_object_get(v, "_id")), &e);
      }
    }
  }
  registry_put(b->r->reg, b->x);
  b->x = NULL;
}

static void pending_free(pending *p) {
  free(p->kind);
  free(p->index);
  free(p->id);
  json_decref(p->src);
  memset(p, 0, sizeof *p);
}

/* had[i] = 1 for the ids[i] that the writer's archive holds (at its last
** commit): one search of `id:"A" OR id:"B" ...` per few dozen ids rather
** than a stored-article read per id.  An id that cannot be quoted is
** looked up alone. */
static void exists_many(nd_index *w, const char *const *ids, size_t n, int *had) {
  char q[3800];
  size_t i = 0;
  while (i < n) {
    size_t o = 0, first = i;
    for (; i < n; i++) {
      if (strchr(ids[i], '"') || strlen(ids[i]) > 400) {
        had[i] = -1; /* alone, below */
        continue;
      }
      size_t need = strlen(ids[i]) + 10;
      if (o + need >= sizeof q) break;
      o += (size_t)snprintf(q + o, sizeof q - o, "%sid:\"%s\"", o ? " OR " : "", ids[i]);
      had[i] = 0;
    }
    nd_results *res = NULL;
    nd_search_options so = {.limit = i - first, .ids_only = 1, .versions = ND_VERSIONS_ALL, .count = ND_COUNT_LOWER_BOUND};
    if (o && nd_search(w, q, &so, &res) == ND_OK) {
      for (size_t k = 0; k < nd_results_count(res); k++) {
        nd_hit h;
        nd_results_hit(res, k, &h);
        for (size_t j = first; j < i; j++)
          if (had[j] == 0 && !strcmp(ids[j], h.id)) had[j] = 1;
      }
    } else {
      for (size_t j = first; j < i; j++) had[j] = had[j] == 0 ? -1 : had[j];
    }
    nd_results_free(res);
  }
  for (size_t j = 0; j < n; j++)
    if (had[j] < 0) had[j] = exists(w, ids[j]);
}

/* Run the waiting index/create actions as one nd_add_batch. */
static void flush(bulk *b) {
  if (!b->nb) return;
  nd_index *w = b->x->pool.writer;
  nd_doc docs[BULK_BATCH];
  es_article arts[BULK_BATCH];
  int ready[BULK_BATCH];
  char gen[BULK_BATCH][24];
  const char *result[BULK_BATCH];
  size_t nd = 0, map[BULK_BATCH];
  const char *ids[BULK_BATCH];
  int known[BULK_BATCH];
  for (size_t i = 0; i < b->nb; i++) {
    if (!b->batch[i].id) new_id(gen[i]);
    ids[i] = b->batch[i].id ? b->batch[i].id : gen[i];
  }
  exists_many(w, ids, b->nb, known);
  for (size_t i = 0; i < b->nb; i++) {
    pending *p = &b->batch[i];
    es_err e;
    ready[i] = 0;
    const char *id = ids[i];
    if (!valid_id(id, &e)) { item_error(b, p->item, p->kind, p->index, id, &e); continue; }
    int had = known[i];
    if (had && !strcmp(p->kind, "create")) {
      es_fail(&e, 409, "version_conflict_engine_exception", "[%s]: version conflict, document already exists (current version [1])", id);
      item_error(b, p->item, p->kind, p->index, id, &e);
      continue;
    }
    result[i] = had ? "updated" : "created";
    if (es_article_from_source(p->src, id, &arts[i], &e)) { item_error(b, p->item, p->kind, p->index, id, &e); continue; }
    ready[i] = 1;
    docs[nd] = arts[i].doc;
    map[nd++] = i;
  }
  nd_add_result res[BULK_BATCH];
  int rc = nd ? nd_add_batch(w, docs, nd, res) : 0;
  for (size_t k = 0; k < nd; k++) {
    pending *p = &b->batch[map[k]];
    const char *id = ids[map[k]];
    if (res[k].status == ND_OK) {
      item_ok(b, p->item, p->kind, p->index, id, result[map[k]], !strcmp(result[map[k]], "created") ? 201 : 200);
    } else {
      es_err e;
      int bad = res[k].status == ND_ERR_INVALID || res[k].status == ND_ERR_LIMIT;
      es_fail(&e, bad ? 400 : 500, bad ? "mapper_parsing_exception" : "newsdex_exception", "%s", res[k].message);
      item_error(b, p->item, p->kind, p->index, id, &e);
    }
  }
  (void)rc;
  for (size_t i = 0; i < b->nb; i++) {
    if (ready[i]) es_article_free(&arts[i]);
    pending_free(&b->batch[i]);
  }
  b->nb = 0;
}

/* Make x (referenced) the index being written, releasing the previous. */
static void switch_to(bulk *b, srv_index *x) {
  if (b->x == x) {
    registry_put(b->r->reg, x);
    return;
  }
  flush(b);
  release(b);
  b->x = x;
  pool_wlock(&x->pool);
}

/* Run one delete or update now (after the waiting batch). */
static void run_now(bulk *b, pending *p) {
  flush(b);
  nd_index *w = b->x->pool.writer;
  es_err e;
  if (!strcmp(p->kind, "delete")) {
    int rc = nd_delete(w, p->id);
    if (rc == ND_ERR_NOTFOUND) {
      json_t *res = write_result(p->index, p->id, "not_found");
      json_object_set_new(res, "status", json_integer(404));
      item_set(b, p->item, p->kind, res);
    } else if (rc) {
      es_fail(&e, 500, "newsdex_exception", "%s", nd_errmsg(w));
      item_error(b, p->item, p->kind, p->index, p->id, &e);
    } else {
      item_ok(b, p->item, p->kind, p->index, p->id, "deleted", 200);
    }
    return;
  }
  /* update: the committed document merged; an earlier action of this
  ** request on the same id is seen only once committed, so commit first. */
  if (pool_commit(&b->x->pool)) {
    es_fail(&e, 500, "newsdex_exception", "%s", nd_errmsg(w));
    item_error(b, p->item, p->kind, p->index, p->id, &e);
    return;
  }
  int created = 0;
  const char *result;
  json_t *src = updated_source(w, p->id, p->src, &created, &e);
  if (!src || put_one(w, src, p->id, 0, &result, &e)) item_error(b, p->item, p->kind, p->index, p->id, &e);
  else item_ok(b, p->item, p->kind, p->index, p->id, created ? "created" : "updated", created ? 201 : 200);
  json_decref(src);
}

/* One parsed line pair of a _bulk body. */
typedef struct action {
  json_t *act;      /* the action line (owns meta) */
  const char *kind; /* "index", "create", "update" or "delete" */
  json_t *meta;     /* its metadata object */
  json_t *src;      /* the document or update body; NULL for delete */
} action;

static void actions_free(action *a, size_t n) {
  for (size_t i = 0; i < n; i++) {
    json_decref(a[i].act);
    json_decref(a[i].src);
  }
  free(a);
}

/* The next non-blank line of [*s, end): its start and length, *lineno
** counting every line passed; 0 at the end. */
static int next_line(const char **s, const char *end, size_t *lineno, const char **line, size_t *n) {
  while (*s < end) {
    const char *nl = memchr(*s, '\n', (size_t)(end - *s));
    const char *e = nl ? nl : end;
    const char *l = *s;
    *s = e + 1;
    ++*lineno;
    size_t k = 0;
    while (l + k < e && (l[k] == ' ' || l[k] == '\t' || l[k] == '\r')) k++;
    if (l + k == e) continue;
    *line = l;
    *n = (size_t)(e - l);
    return 1;
  }
  return 0;
}

/* Read every action of a _bulk body into *out (*n of them).  0, or -1
** with the 400 (naming the line) in out. */
static int read_actions(const char *body, size_t len, action **acts, size_t *n, reply *out) {
  const char *s = body, *end = body + len, *line;
  size_t lineno = 0, ln, cap = 0;
  *acts = NULL;
  *n = 0;
  while (next_line(&s, end, &lineno, &line, &ln)) {
    if (*n == cap) {
      action *g = realloc(*acts, (cap = cap ? cap * 2 : 64) * sizeof *g);
      if (!g) { actions_free(*acts, *n); es_reply(out, 500, "out_of_memory", "out of memory reading the bulk body"); return -1; }
      *acts = g;
    }
    action *a = &(*acts)[*n];
    json_error_t je;
    *a = (action){es_json_load(line, ln, &je), NULL, NULL, NULL};
    ++*n;
    if (json_is_object(a->act) && json_object_size(a->act) == 1) {
      const char *key;
      json_t *v;
      json_object_foreach(a->act, key, v) a->kind = key, a->meta = v;
    }
    if (!a->kind || !json_is_object(a->meta) ||
        (strcmp(a->kind, "index") && strcmp(a->kind, "create") && strcmp(a->kind, "delete") && strcmp(a->kind, "update"))) {
      actions_free(*acts, *n);
      es_reply(out, 400, "illegal_argument_exception", "Malformed action/metadata line [%zu], expected {\"index\" | \"create\" | \"update\" | \"delete\": {...}}", lineno);
      return -1;
    }
    if (!strcmp(a->kind, "delete")) continue;
    /* the document (or update body): the very next line */
    if (s < end) {
      const char *nl = memchr(s, '\n', (size_t)(end - s)), *e = nl ? nl : end;
      lineno++;
      a->src = es_json_load(s, (size_t)(e - s), &je);
      s = e + 1;
    }
    if (!json_is_object(a->src)) {
      const char *kind = a->kind;
      es_reply(out, 400, "illegal_argument_exception", "line [%zu]: the document of a [%s] action must be a JSON object", lineno, kind);
      actions_free(*acts, *n);
      return -1;
    }
  }
  return 0;
}

void es_bulk(const request *r, const char *index, reply *out) {
  static const char *const known[] = {"_source", "_source_includes", "_source_excludes", NULL};
  if (strcmp(r->method, "POST") && strcmp(r->method, "PUT")) {
    out->allow = "POST, PUT";
    es_reply(out, 405, "method_not_allowed", "method [%s] not allowed on [%s]", r->method, r->path);
    return;
  }
  if (es_check_args(r, known, out) || req_authorised(r, out, 1)) return;
  if (!r->body_len) { es_reply(out, 400, "action_request_validation_exception", "Validation Failed: 1: no requests added;"); return; }
  double t0 = (double)es_now_ms();
  /* First read every action, with no lock held (so that one request's
  ** reading overlaps another's writing); a malformed line refuses the
  ** whole request before anything of it is written. */
  action *acts = NULL;
  size_t na = 0;
  if (read_actions(r->body, r->body_len, &acts, &na, out)) return;
  bulk b = {.r = r, .items = json_array()};
  for (size_t i = 0; i < na; i++) {
    const char *kind = acts[i].kind;
    json_t *meta = acts[i].meta, *src = acts[i].src;
    acts[i].src = NULL;
    const char *iname = json_string_value(json_object_get(meta, "_index"));
    json_t *idv = json_object_get(meta, "_id");
    char idnum[32];
    const char *id = json_string_value(idv);
    if (json_is_integer(idv)) snprintf(idnum, sizeof idnum, "%lld", (long long)json_integer_value(idv)), id = idnum;
    if (!iname) iname = index;
    size_t at = json_array_size(b.items);
    json_array_append_new(b.items, json_null());
    es_err err;
    if (!iname) {
      es_fail(&err, 400, "action_request_validation_exception", "Validation Failed: 1: index is missing;");
      item_error(&b, at, kind, NULL, id, &err);
    } else if (!id && strcmp(kind, "index") && strcmp(kind, "create")) {
      es_fail(&err, 400, "action_request_validation_exception", "Validation Failed: 1: id is missing;");
      item_error(&b, at, kind, iname, NULL, &err);
    } else {
      reply one = {.status = 200, .fd = -1};
      srv_index *x = !strcmp(kind, "delete") ? registry_get(r->reg, iname) : write_target(r, iname, &one);
      if (!x) {
        if (!one.json) es_index_missing(&one, iname);
        es_fail(&err, one.status, json_string_value(json_object_get(json_object_get(one.json, "error"), "type")),
                "%s", json_string_value(json_object_get(json_object_get(one.json, "error"), "reason")));
        item_error(&b, at, kind, iname, id, &err);
        json_decref(one.json);
      } else {
        switch_to(&b, x);
        pending p = {strdup(kind), strdup(b.x->name), id ? strdup(id) : NULL, src, at};
        src = NULL;
        if (!strcmp(kind, "index") || !strcmp(kind, "create")) {
          b.batch[b.nb++] = p;
          if (b.nb == BULK_BATCH) flush(&b);
        } else {
          run_now(&b, &p);
          pending_free(&p);
        }
      }
    }
    json_decref(src);
  }
  actions_free(acts, na);
  flush(&b);
  release(&b);
  out->json = json_pack("{s:I, s:b, s:o}", "took", (json_int_t)((double)es_now_ms() - t0), "errors", b.errors, "items", b.items);
}
