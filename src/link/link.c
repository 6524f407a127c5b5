/*
** link.c -- lk_link_text(): the steps of link.h in order, from an
** article's text (and, when the caller gives them, archive statistics) to
** its best k topics.  The public calls built on it (nd_link_doc,
** nd_link_id, nd_links_*) are in src/api/links.c; an article's topics as
** index terms in src/index/topic_terms.c.
*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/mem.h"
#include "gazetteer.h"
#include "link.h"

static int by_start(const void *a, const void *b) {
  const lk_span *x = a, *y = b;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  if (x->end != y->end) return x->end > y->end ? -1 : 1;
  return x->phrase - y->phrase;
}

/* Append the words of text s in lower case to out, each followed by a
** blank (out starts with one). */
static void lower_words(const char *s, buf *out) {
  char low[256];
  lk_words tw;
  if (!out->n) buf_putc(out, ' ');
  if (lk_split(s, strlen(s), &tw)) { out->oom = 1; return; }
  for (size_t i = 0; i < tw.n; i++) {
    buf_put(out, low, lk_lower(s + tw.w[i].start, tw.w[i].end - tw.w[i].start, low, sizeof low));
    buf_putc(out, ' ');
  }
  lk_words_free(&tw);
  buf_cstr(out);
}

/* The headline words in lower case, each with a blank before and after. */
static void head_text(const char *title, const char *body, const lk_words *w, buf *out) {
  char low[256];
  buf_putc(out, ' ');
  if (title) lower_words(title, out);
  for (size_t i = 0; i < w->n; i++) {
    if (!(w->w[i].flags & LW_HEAD)) continue;
    buf_put(out, low, lk_lower(body + w->w[i].start, w->w[i].end - w->w[i].start, low, sizeof low));
    buf_putc(out, ' ');
  }
  buf_cstr(out);
}

void lk_linked_free(lk_linked *l) {
  if (!l) return;
  for (size_t i = 0; i < l->n; i++) mem_free((char *)l->t[i].text);
  mem_free(l->t);
  mem_free(l->m);
  l->t = NULL;
  l->m = NULL;
  l->n = l->nm = 0;
}

/* The canonical name of topic t: a country's one name, else its fullest
** mention as written. */
static char *canon_name(const char *body, const lk_span *name, int type) {
  size_t cn;
  const char *c = type == ND_TOPIC_PLACE ? gaz_country(body + name->start, name->end - name->start, &cn) : NULL;
  return c ? mem_strndup(c, cn) : mem_strndup(body + name->start, name->end - name->start);
}

static int build(const char *body, const lk_words *w, const lk_spans *sp, const lk_topics *tp, size_t k,
                 lk_linked *l) {
  size_t n = tp->n < k ? tp->n : k;
  l->n = 0;
  l->m = NULL;
  l->nm = 0;
  uint32_t *rank = mem_alloc((sp->n + 1) * sizeof *rank); /* topic id -> index in l->t + 1 (0: not kept) */
  if (!rank || !(l->t = mem_calloc(n + 1, sizeof *l->t))) { mem_free(rank); return ND_ERR_NOMEM; }
  memset(rank, 0, (sp->n + 1) * sizeof *rank);
  for (size_t i = 0; i < n; i++) {
    const lk_topic *t = &tp->t[i];
    const lk_span *name = &sp->s[t->name], *first = &sp->s[t->first];
    char *text = canon_name(body, name, t->type);
    if (!text) { mem_free(rank); lk_linked_free(l); return ND_ERR_NOMEM; }
    l->t[l->n++] = (nd_topic){text, t->type, t->score, first->start, first->end, t->mentions, t->df};
    rank[t->id] = (uint32_t)i + 1;
  }
  size_t cap = 0;
  for (size_t i = 0; i < sp->n; i++) {
    uint32_t r = tp->of ? rank[tp->of[i]] : 0;
    if (!r) continue;
    if (mem_grow(&l->m, &cap, l->nm, sizeof *l->m)) { mem_free(rank); lk_linked_free(l); return ND_ERR_NOMEM; }
    lk_mention *m = &l->m[l->nm++];
    m->topic = r - 1;
    m->start = sp->s[i].start;
    m->end = sp->s[i].end;
    m->cls[0] = 0;
    if (sp->s[i].title) {
      const lk_word *tw = &w->w[sp->s[i].title - 1];
      lk_title_class(body + tw->start, tw->end - tw->start, m->cls, sizeof m->cls);
    }
  }
  mem_free(rank);
  return 0;
}

int lk_link_text(const nd_doc *doc, const lk_stats_src *src, size_t k, lk_linked *out) {
  out->t = NULL;
  out->n = 0;
  if (!doc || !doc->body) return ND_ERR_INVALID;
  if (gaz_load()) return ND_ERR_NOMEM;
  const char *body = doc->body;
  lk_words w = {0};
  lk_spans sp = {0};
  lk_topics tp = {0};
  lk_stats *st = NULL;
  buf head, outlet;
  buf_init(&head);
  buf_init(&outlet);
  int rc = ND_ERR_NOMEM;
  if (lk_split(body, strlen(body), &w) || lk_find_names(body, &w, &sp) || !(st = lk_stats_new(src))) goto done;
  if ((rc = lk_find_phrases(body, &w, st, &sp))) goto done;
  rc = ND_ERR_NOMEM;
  if (sp.n) qsort(sp.s, sp.n, sizeof *sp.s, by_start);
  head_text(doc->title, body, &w, &head);
  if (head.oom || lk_group(body, &w, &sp, &tp)) goto done;
  if (doc->source) lower_words(doc->source, &outlet);
  if (outlet.oom) goto done;
  if ((rc = lk_score(body, &w, &sp, &tp, st, (const char *)head.p, outlet.n ? (const char *)outlet.p : NULL)))
    goto done;
  rc = build(body, &w, &sp, &tp, k, out);
done:
  buf_free(&head);
  buf_free(&outlet);
  lk_stats_free(st);
  lk_topics_free(&tp);
  lk_spans_free(&sp);
  lk_words_free(&w);
  return rc;
}
