/*
** links.c -- the public calls of the key-topic linker: nd_link_doc(),
** nd_link_id(), nd_links_*(), nd_topic_type_name().
**
** The linker itself (src/link/) works on text alone; this file gives it
** the archive's statistics through an lk_stats_src: the number of live
** articles (nd_stats_get) and, for a text, the number of articles that
** contain it as a phrase (nd_search of the quoted text with ids_only).
** src/link/phrases.c caches the answers for the article being linked.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../index/index.h"
#include "../link/link.h"
#include "../util/buf.h"
#include "../util/mem.h"

#define DEFAULT_K 3

struct nd_links {
  lk_linked l;
};

static int fail(nd_index *ix, int rc, const char *what) {
  if (ix) return ix_fail(ix, rc, "%s", what);
  return rc;
}

/* lk_stats_src.df: the articles of the archive ctx that contain s[0..n)
** as a phrase.  A text the query language cannot search has df 0. */
static int archive_df(void *ctx, const char *s, size_t n, uint64_t *df) {
  nd_index *ix = ctx;
  *df = 0;
  buf q;
  buf_init(&q);
  buf_putc(&q, '"');
  for (size_t i = 0; i < n; i++) buf_putc(&q, s[i] == '"' ? ' ' : (uint8_t)s[i]);
  buf_putc(&q, '"');
  const char *text = buf_cstr(&q);
  if (q.oom) { buf_free(&q); return ND_ERR_NOMEM; }
  nd_search_options o = {0};
  o.limit = 1;
  o.ids_only = 1;
  nd_results *r = NULL;
  int rc = nd_search(ix, text, &o, &r);
  if (rc == ND_OK) *df = nd_results_total(r);
  nd_results_free(r);
  buf_free(&q);
  return rc == ND_ERR_QUERY ? 0 : rc;
}

void nd_links_free(nd_links *l) {
  if (!l) return;
  lk_linked_free(&l->l);
  mem_free(l);
}

int nd_link_doc(nd_index *ix, const nd_doc *doc, const nd_link_options *opts, nd_links **out) {
  *out = NULL;
  if (!doc || !doc->body) return fail(ix, ND_ERR_INVALID, "the article has no body to link");
  size_t k = opts && opts->k ? opts->k : DEFAULT_K;
  lk_stats_src src = {ix, 0, archive_df};
  nd_stats s;
  if (ix && nd_stats_get(ix, &s) == ND_OK) src.docs = s.articles;
  nd_links *l = mem_calloc(1, sizeof *l);
  if (!l) return fail(ix, ND_ERR_NOMEM, "out of memory");
  int rc = lk_link_text(doc, ix ? &src : NULL, k, &l->l);
  if (rc) {
    nd_links_free(l);
    if (rc == ND_ERR_NOMEM) return fail(ix, rc, "out of memory");
    return rc;
  }
  *out = l;
  return 0;
}

int nd_link_id(nd_index *ix, const char *id, const nd_link_options *opts, nd_links **out) {
  *out = NULL;
  nd_document *d = NULL;
  int rc = nd_get(ix, id, &d);
  if (rc) return rc;
  rc = nd_link_doc(ix, nd_document_doc(d), opts, out);
  nd_document_free(d);
  return rc;
}

size_t nd_links_count(const nd_links *l) { return l->l.n; }

int nd_links_topic(const nd_links *l, size_t i, nd_topic *out) {
  if (i >= l->l.n) return ND_ERR_INVALID;
  *out = l->l.t[i];
  return 0;
}

int nd_links_mention(const nd_links *l, size_t i, size_t j, size_t *start, size_t *end, const char **title) {
  for (size_t k = 0; k < l->l.nm; k++) {
    const lk_mention *m = &l->l.m[k];
    if (m->topic != i || j--) continue;
    *start = m->start;
    *end = m->end;
    if (title) *title = m->cls;
    return ND_OK;
  }
  return ND_ERR_INVALID;
}

const char *nd_topic_type_name(int type) {
  switch (type) {
  case ND_TOPIC_PERSON: return "person";
  case ND_TOPIC_ORG: return "organisation";
  case ND_TOPIC_PLACE: return "place";
  default: return "other";
  }
}
