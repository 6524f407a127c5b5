/*
** docs.c -- ES documents as newsdex articles, and back.
**
** An ES document's _source maps onto an article's fields:
**   title            title
**   body             body; failing that `content`, failing that `text`
**   date             date; failing that `@timestamp` (an ISO string, or a
**                    number of milliseconds since 1970)
**   source, url      source, url
** Every other field, and a mapped one given as null, is kept as is (the
** article's extra JSON) and returned.
** When the body or the date came under another name, the article's extra
** JSON also holds {"@newsdex": {"body": "content", "date": "@timestamp"}}
** ("body": null when it had none: an article's body reads as "" then) so
** that _source comes back under the names it was given: a document
** read back equals the document written, field for field (a numeric date
** comes back as its ISO form).  A field that must be a string and is not
** is refused with ES's mapper_parsing_exception, naming it.
*/
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "es.h"

#define MARK "@newsdex"

static const char *const BODY_NAMES[] = {"body", "content", "text"};
static const char *const DATE_NAMES[] = {"date", "@timestamp"};

/* The string field `name` of src into *out (NULL when absent or null);
** -1 with e set when it is something else. */
static int str_field(const json_t *src, const char *name, const char **out, es_err *e) {
  json_t *v = json_object_get(src, name);
  *out = NULL;
  if (!v || json_is_null(v)) return 0;
  if (!json_is_string(v))
    return es_fail(e, 400, "mapper_parsing_exception", "failed to parse field [%s]: newsdex wants a string here", name);
  *out = json_string_value(v);
  return 0;
}

/* The first of names[0..n) that src has (not null): its index, or -1. */
static int first_of(const json_t *src, const char *const *names, size_t n) {
  for (size_t i = 0; i < n; i++) {
    json_t *v = json_object_get(src, names[i]);
    if (v && !json_is_null(v)) return (int)i;
  }
  return -1;
}

int es_article_from_source(const json_t *src, const char *id, es_article *a, es_err *e) {
  memset(a, 0, sizeof *a);
  if (!json_is_object(src)) return es_fail(e, 400, "mapper_parsing_exception", "the document must be a JSON object");
  if (json_object_get(src, MARK))
    return es_fail(e, 400, "mapper_parsing_exception", "field [%s] is reserved by newsdex", MARK);
  int bi = first_of(src, BODY_NAMES, 3), di = first_of(src, DATE_NAMES, 2);
  nd_doc *d = &a->doc;
  d->id = id;
  if (str_field(src, "title", &d->title, e) || str_field(src, "source", &d->source, e) || str_field(src, "url", &d->url, e))
    return -1;
  if (bi >= 0 && str_field(src, BODY_NAMES[bi], &d->body, e)) return -1;
  if (di >= 0) {
    json_t *v = json_object_get(src, DATE_NAMES[di]);
    if (json_is_integer(v)) {
      int64_t ms = (int64_t)json_integer_value(v), s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
      if (es_format_ms(s * 1000, a->date, sizeof a->date))
        return es_fail(e, 400, "mapper_parsing_exception", "failed to parse field [%s]: date out of range", DATE_NAMES[di]);
      d->date = a->date;
    } else if (str_field(src, DATE_NAMES[di], &d->date, e)) {
      return -1;
    }
  }
  /* The rest, and the names used, as the extra JSON. */
  json_t *extra = json_object();
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)src, k, v) {
    /* a mapped field given as null is kept as null, as ES keeps _source */
    if ((!strcmp(k, "title") || !strcmp(k, "source") || !strcmp(k, "url")) && !json_is_null(v)) continue;
    if (bi >= 0 && !strcmp(k, BODY_NAMES[bi])) continue;
    if (di >= 0 && !strcmp(k, DATE_NAMES[di])) continue;
    json_object_set(extra, k, v);
  }
  if (bi != 0 || di > 0) {
    json_t *m = json_object();
    if (bi != 0) json_object_set_new(m, "body", bi > 0 ? json_string(BODY_NAMES[bi]) : json_null());
    if (di > 0) json_object_set_new(m, "date", json_string(DATE_NAMES[di]));
    json_object_set_new(extra, MARK, m);
  }
  if (json_object_size(extra)) a->extra = json_dumps(extra, JSON_COMPACT | JSON_PRESERVE_ORDER);
  json_decref(extra);
  d->extra_json = a->extra;
  return 0;
}

void es_article_free(es_article *a) {
  free(a->extra);
  a->extra = NULL;
}

json_t *es_source_of(const nd_doc *d) {
  json_t *src = json_object(), *extra = NULL, *mark = NULL;
  if (d->extra_json && *d->extra_json) extra = json_loads(d->extra_json, 0, NULL);
  if (extra) mark = json_object_get(extra, MARK);
  const char *bname = json_string_value(json_object_get(mark, "body"));
  const char *dname = json_string_value(json_object_get(mark, "date"));
  if (d->title) json_object_set_new(src, "title", json_string(d->title));
  if (d->date && *d->date) json_object_set_new(src, dname ? dname : "date", json_string(d->date));
  if (d->source) json_object_set_new(src, "source", json_string(d->source));
  if (d->url) json_object_set_new(src, "url", json_string(d->url));
  /* the body, "" included, unless the document was written without one */
  if (d->body && !json_is_null(json_object_get(mark, "body"))) json_object_set_new(src, bname ? bname : "body", json_string(d->body));
  const char *k;
  json_t *v;
  json_object_foreach(extra, k, v)
    if (strcmp(k, MARK)) json_object_set(src, k, v);
  json_decref(extra);
  return src;
}

/* ---- _source filtering ---------------------------------------------------- */

/* 1 if name matches one of the patterns (a string or an array of them). */
static int matches(const json_t *pats, const char *name) {
  if (json_is_string(pats)) return !fnmatch(json_string_value(pats), name, 0);
  size_t i;
  json_t *p;
  json_array_foreach(pats, i, p)
    if (json_is_string(p) && !fnmatch(json_string_value(p), name, 0)) return 1;
  return 0;
}

static int valid_patterns(const json_t *p) {
  if (!p || json_is_string(p)) return 1;
  if (!json_is_array(p)) return 0;
  size_t i;
  json_t *x;
  json_array_foreach(p, i, x)
    if (!json_is_string(x)) return 0;
  return 1;
}

int es_source_spec_check(const json_t *spec, es_err *e) {
  if (!spec || json_is_boolean(spec) || json_is_string(spec)) return 0;
  if (json_is_array(spec) && valid_patterns(spec)) return 0;
  if (json_is_object(spec)) {
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)spec, k, v) {
      if (strcmp(k, "includes") && strcmp(k, "excludes") && strcmp(k, "include") && strcmp(k, "exclude"))
        return es_fail(e, 400, "parsing_exception", "unknown key [%s] in [_source]", k);
      if (!valid_patterns(v)) return es_fail(e, 400, "parsing_exception", "[_source] %s wants a string or an array of strings", k);
    }
    return 0;
  }
  return es_fail(e, 400, "parsing_exception", "[_source] wants true, false, a field pattern, an array of them or {includes, excludes}");
}

json_t *es_source_filter(json_t *src, const json_t *spec) {
  if (!spec || json_is_true(spec)) return src;
  if (json_is_false(spec)) {
    json_decref(src);
    return NULL;
  }
  const json_t *inc = spec, *exc = NULL;
  if (json_is_object(spec)) {
    inc = json_object_get(spec, "includes");
    if (!inc) inc = json_object_get(spec, "include");
    exc = json_object_get(spec, "excludes");
    if (!exc) exc = json_object_get(spec, "exclude");
    if (inc && json_is_array(inc) && !json_array_size(inc)) inc = NULL;
  }
  json_t *out = json_object();
  const char *k;
  json_t *v;
  json_object_foreach(src, k, v)
    if ((!inc || matches(inc, k)) && !(exc && matches(exc, k))) json_object_set(out, k, v);
  json_decref(src);
  return out;
}
