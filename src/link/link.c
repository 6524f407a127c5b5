/*
** link.c -- the public calls of the linker: nd_link_doc(), nd_link_id(),
** nd_links_*().  Runs the steps of link.h in order.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../codec/dict.h"
#include "../index/index.h"
#include "../index/segment.h"
#include "../util/buf.h"
#include "../util/mem.h"
#include "gazetteer.h"
#include "link.h"

#define DEFAULT_K 3

struct nd_links {
  nd_topic *t;
  size_t n;
};

static int fail(nd_index *ix, int rc, const char *what) {
  if (ix) return ix_fail(ix, rc, "%s", what);
  return rc;
}

static int by_start(const void *a, const void *b) {
  const lk_span *x = a, *y = b;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  if (x->end != y->end) return x->end > y->end ? -1 : 1;
  return x->phrase - y->phrase;
}

/* The headline words in lower case, each with a blank before and after. */
static void head_text(const char *title, const char *body, const lk_words *w, buf *out) {
  char low[256];
  buf_putc(out, ' ');
  if (title) {
    lk_words tw;
    if (lk_split(title, strlen(title), &tw)) { out->oom = 1; return; }
    for (size_t i = 0; i < tw.n; i++) {
      buf_put(out, low, lk_lower(title + tw.w[i].start, tw.w[i].end - tw.w[i].start, low, sizeof low));
      buf_putc(out, ' ');
    }
    lk_words_free(&tw);
  }
  for (size_t i = 0; i < w->n; i++) {
    if (!(w->w[i].flags & LW_HEAD)) continue;
    buf_put(out, low, lk_lower(body + w->w[i].start, w->w[i].end - w->w[i].start, low, sizeof low));
    buf_putc(out, ' ');
  }
  buf_cstr(out);
}

void nd_links_free(nd_links *l) {
  if (!l) return;
  for (size_t i = 0; i < l->n; i++) mem_free((char *)l->t[i].text);
  mem_free(l->t);
  mem_free(l);
}

static int build(const char *body, const lk_spans *sp, const lk_topics *tp, size_t k, nd_links **out) {
  nd_links *l = mem_calloc(1, sizeof *l);
  size_t n = tp->n < k ? tp->n : k;
  if (!l || !(l->t = mem_calloc(n + 1, sizeof *l->t))) { mem_free(l); return ND_ERR_NOMEM; }
  for (size_t i = 0; i < n; i++) {
    const lk_topic *t = &tp->t[i];
    const lk_span *name = &sp->s[t->name], *first = &sp->s[t->first];
    char *text = mem_strndup(body + name->start, name->end - name->start);
    if (!text) { nd_links_free(l); return ND_ERR_NOMEM; }
    l->t[l->n++] = (nd_topic){text, t->type, t->score, first->start, first->end, t->mentions, t->df};
  }
  *out = l;
  return 0;
}

int nd_link_doc(nd_index *ix, const nd_doc *doc, const nd_link_options *opts, nd_links **out) {
  *out = NULL;
  if (!doc || !doc->body) return fail(ix, ND_ERR_INVALID, "the article has no body to link");
  size_t k = opts && opts->k ? opts->k : DEFAULT_K;
  if (gaz_load()) return fail(ix, ND_ERR_NOMEM, "out of memory");
  const char *body = doc->body;
  lk_words w = {0};
  lk_spans sp = {0};
  lk_topics tp = {0};
  lk_stats *st = NULL;
  buf head;
  buf_init(&head);
  int rc = ND_ERR_NOMEM;
  if (lk_split(body, strlen(body), &w) || lk_find_names(body, &w, &sp) || !(st = lk_stats_new(ix))) goto done;
  if ((rc = lk_find_phrases(body, &w, st, &sp))) goto done;
  rc = ND_ERR_NOMEM;
  if (sp.n) qsort(sp.s, sp.n, sizeof *sp.s, by_start);
  head_text(doc->title, body, &w, &head);
  if (head.oom || lk_group(body, &w, &sp, &tp)) goto done;
  if ((rc = lk_score(body, &w, &sp, &tp, st, (const char *)head.p))) goto done;
  rc = build(body, &sp, &tp, k, out);
done:
  buf_free(&head);
  lk_stats_free(st);
  lk_topics_free(&tp);
  lk_spans_free(&sp);
  lk_words_free(&w);
  if (rc == ND_ERR_NOMEM) return fail(ix, rc, "out of memory");
  return rc;
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

size_t nd_links_count(const nd_links *l) { return l->n; }

int nd_links_topic(const nd_links *l, size_t i, nd_topic *out) {
  if (i >= l->n) return ND_ERR_INVALID;
  *out = l->t[i];
  return 0;
}

const char *nd_topic_type_name(int type) {
  switch (type) {
  case ND_TOPIC_PERSON: return "person";
  case ND_TOPIC_ORG: return "organisation";
  case ND_TOPIC_PLACE: return "place";
  default: return "other";
  }
}

char lk_type_letter(int type) {
  switch (type) {
  case ND_TOPIC_PERSON: return 'p';
  case ND_TOPIC_ORG: return 'o';
  case ND_TOPIC_PLACE: return 'l';
  default: return 'x';
  }
}

int lk_letter_type(char c) {
  switch (c) {
  case 'p': return ND_TOPIC_PERSON;
  case 'o': return ND_TOPIC_ORG;
  case 'l': return ND_TOPIC_PLACE;
  case 'x': return ND_TOPIC_OTHER;
  default: return -1;
  }
}

int lk_topic_key(const char *s, size_t n, int type, buf *out) {
  char *text = mem_strndup(s, n), *norm = text ? lk_norm(text, NULL) : NULL;
  int rc = norm && *norm ? 0 : -1;
  if (!rc) {
    buf_putc(out, SEG_TOPIC_PREFIX);
    buf_putc(out, (uint8_t)lk_type_letter(type));
    buf_put(out, norm, strlen(norm));
    buf_putc(out, LK_TERM_SEP);
    if (out->oom) rc = -1;
  }
  mem_free(norm);
  mem_free(text);
  return rc;
}

int lk_topic_terms(const nd_doc *d, buf *out) {
  nd_link_options o = {SIZE_MAX};
  nd_links *l = NULL;
  int rc = nd_link_doc(NULL, d, &o, &l);
  if (rc) return rc;
  buf t;
  buf_init(&t);
  size_t kept = 0, others = 0;
  for (size_t i = 0; i < l->n && !rc && kept < LK_TOPICS_INDEXED; i++) {
    if (l->t[i].type == ND_TOPIC_OTHER && (others >= LK_OTHERS_INDEXED || i >= 2 * LK_OTHERS_INDEXED)) continue;
    const char *text = l->t[i].text;
    size_t n = strlen(text);
    buf_reset(&t);
    if (lk_topic_key(text, n, l->t[i].type, &t)) {
      if (t.oom) rc = ND_ERR_NOMEM;
      continue; /* nothing left after normalising */
    }
    buf_put(&t, text, n);
    if (t.oom) { rc = ND_ERR_NOMEM; break; }
    if (t.n > DICT_MAX_TERM) continue;
    /* One term per normalised name: two topics of the article with one name
    ** ("U.S." and "US", or a name taken for a person and for a place) are
    ** one topic to a search and must count once in a facet; the best
    ** ranked is kept. */
    size_t keylen = (size_t)((const uint8_t *)memchr(t.p + 2, LK_TERM_SEP, t.n - 2) - t.p) - 2;
    int dup = 0;
    for (size_t at = 0; at < out->n && !dup; at += 1 + out->p[at])
      dup = out->p[at] > keylen + 2 && out->p[at + 3 + keylen] == LK_TERM_SEP && !memcmp(out->p + at + 3, t.p + 2, keylen);
    if (dup) continue;
    buf_putc(out, (uint8_t)t.n);
    buf_put(out, t.p, t.n);
    if (out->oom) rc = ND_ERR_NOMEM;
    kept++;
    others += l->t[i].type == ND_TOPIC_OTHER;
  }
  buf_free(&t);
  nd_links_free(l);
  return rc;
}
