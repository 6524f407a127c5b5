/*
** topic_terms.c -- an article's key topics as index terms
** (topic_terms.h describes the form): lk_link_text() without archive
** statistics, its topics encoded as terms.
*/
#include <stdint.h>
#include <string.h>

#include "../codec/dict.h"
#include "../link/link.h"
#include "../util/buf.h"
#include "../util/mem.h"
#include "segment.h"
#include "topic_terms.h"

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
  lk_linked l;
  int rc = lk_link_text(d, NULL, SIZE_MAX, &l);
  if (rc) return rc;
  buf t;
  buf_init(&t);
  size_t kept = 0, others = 0;
  for (size_t i = 0; i < l.n && !rc && kept < LK_TOPICS_INDEXED; i++) {
    if (l.t[i].type == ND_TOPIC_OTHER && (others >= LK_OTHERS_INDEXED || i >= 2 * LK_OTHERS_INDEXED)) continue;
    const char *text = l.t[i].text;
    size_t n = strlen(text);
    buf_reset(&t);
    if (lk_topic_key(text, n, l.t[i].type, &t)) {
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
    others += l.t[i].type == ND_TOPIC_OTHER;
  }
  buf_free(&t);
  lk_linked_free(&l);
  return rc;
}
