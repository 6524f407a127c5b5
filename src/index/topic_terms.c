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
#include "../util/date.h"
#include "alias.h"
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

/* Append term t[0..n) to out as a length byte and its bytes, unless it is
** too long or an earlier term has its key: the bytes from `skip` up to
** LK_TERM_SEP (2 for topic terms: whatever their type).  1 appended, 0
** not, -1 out of memory. */
static int put_term(buf *out, const uint8_t *t, size_t n, size_t skip) {
  const uint8_t *sep = n > skip ? memchr(t + skip, LK_TERM_SEP, n - skip) : NULL;
  if (n > DICT_MAX_TERM || !sep) return 0;
  size_t keylen = (size_t)(sep - t) - skip;
  for (size_t at = 0; at < out->n; at += 1 + out->p[at])
    if (out->p[at] > keylen + skip && out->p[at + 1 + skip + keylen] == LK_TERM_SEP &&
        !memcmp(out->p + at + 1 + skip, t + skip, keylen))
      return 0;
  buf_putc(out, (uint8_t)n);
  buf_put(out, t, n);
  return out->oom ? -1 : 1;
}

/* The partial name's key parts after the prefix: surname AL_SEP class
** AL_SEP era (alias.h). */
static void partial_key(buf *t, const char *surname, const char *cls, const char *era) {
  buf_put(t, surname, strlen(surname));
  buf_putc(t, AL_SEP);
  buf_put(t, cls, strlen(cls));
  buf_putc(t, AL_SEP);
  buf_put(t, era, strlen(era));
}

/* The evidence terms of person topic i, named in full (`full`, normalised;
** `text` as written): one per form of its one-word mentions, with their
** title's class and bare.  0 or -1. */
static int put_evidence(const lk_linked *l, size_t i, const char *body, const char *full, const char *text,
                        const char *era, buf *t, buf *out) {
  for (size_t j = 0; j < l->nm; j++) {
    const lk_mention *m = &l->m[j];
    if (m->topic != i) continue;
    char *w = mem_strndup(body + m->start, m->end - m->start), *sur = w ? lk_norm(w, NULL) : NULL;
    mem_free(w);
    if (!sur) return -1;
    /* a surname: the full name's ("trump" of "donald trump", not "donald") */
    size_t sl = strlen(sur), fsl;
    const char *fs = al_surname(full, strlen(full), &fsl);
    int surname = fs != full && fsl == sl && !memcmp(fs, sur, sl);
    for (int bare = 0; bare < 2 && surname && !strchr(sur, ' '); bare++) {
      if (bare && !m->cls[0]) break; /* (done as is) */
      buf_reset(t);
      buf_putc(t, SEG_ALIAS_PREFIX);
      partial_key(t, sur, bare ? "" : m->cls, era);
      buf_putc(t, LK_TERM_SEP);
      buf_put(t, full, strlen(full));
      buf_putc(t, LK_TERM_SEP);
      buf_put(t, text, strlen(text));
      if (t->oom || put_term(out, t->p, t->n, 1) < 0) { mem_free(sur); return -1; }
    }
    mem_free(sur);
  }
  return 0;
}

/* Could an untyped one-word topic be a surname: capitalised, a letter
** after it, not all capitals (an acronym)? */
static int maybe_surname(const char *s) {
  if ((unsigned char)s[0] < 'A' || (unsigned char)s[0] > 'Z' || !s[1]) return 0;
  for (const char *p = s + 1; *p; p++)
    if ((unsigned char)*p >= 'a' && (unsigned char)*p <= 'z') return 1;
  return 0;
}

int lk_topic_terms(const nd_doc *d, buf *out) {
  lk_linked l;
  int rc = lk_link_text(d, NULL, SIZE_MAX, &l);
  if (rc) return rc;
  char era[8] = "";
  int64_t secs;
  if (d->date && !date_parse(d->date, strlen(d->date), &secs, NULL, 0)) al_era(secs, era);
  buf t, ev;
  buf_init(&t);
  buf_init(&ev);
  size_t kept = 0, others = 0;
  for (size_t i = 0; i < l.n && !rc && kept < LK_TOPICS_INDEXED; i++) {
    if (l.t[i].type == ND_TOPIC_OTHER && (others >= LK_OTHERS_INDEXED || i >= 2 * LK_OTHERS_INDEXED)) continue;
    const char *text = l.t[i].text;
    size_t n = strlen(text);
    char *norm = lk_norm(text, NULL);
    if (!norm) { rc = ND_ERR_NOMEM; break; }
    buf_reset(&t);
    int word = *norm && !strchr(norm, ' ');
    if (word && (l.t[i].type == ND_TOPIC_PERSON || (l.t[i].type == ND_TOPIC_OTHER && maybe_surname(text)))) {
      /* a person named by one word: a partial name, with the class of
      ** the first title it had; an untyped capitalised word too, with no
      ** class: the archive may know it as a surname ("Clinton") */
      const char *cls = "";
      for (size_t j = 0; j < l.nm && !*cls; j++)
        if (l.m[j].topic == i) cls = l.m[j].cls;
      buf_putc(&t, SEG_TOPIC_PREFIX);
      buf_putc(&t, AL_PARTIAL);
      partial_key(&t, norm, cls, era);
      buf_putc(&t, LK_TERM_SEP);
    } else if (lk_topic_key(text, n, l.t[i].type, &t)) {
      mem_free(norm);
      if (t.oom) rc = ND_ERR_NOMEM;
      continue; /* nothing left after normalising */
    }
    buf_put(&t, text, n);
    /* One term per normalised name: two topics of the article with one name
    ** (a name taken for a person and for a place) are one topic to a
    ** search and must count once in a facet; the best ranked is kept. */
    int r = t.oom ? -1 : put_term(out, t.p, t.n, 2);
    if (r > 0 && l.t[i].type == ND_TOPIC_PERSON && strchr(norm, ' ') && ev.n < 16 * 64)
      r = put_evidence(&l, i, d->body, norm, text, era, &t, &ev) ? -1 : 1;
    mem_free(norm);
    if (r < 0) { rc = ND_ERR_NOMEM; break; }
    if (!r) continue;
    kept++;
    others += l.t[i].type == ND_TOPIC_OTHER;
  }
  buf_put(out, ev.p, ev.n); /* the evidence after the topics */
  if (out->oom) rc = ND_ERR_NOMEM;
  buf_free(&ev);
  buf_free(&t);
  lk_linked_free(&l);
  return rc;
}
