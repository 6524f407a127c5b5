/*
** topics.c -- group the mentions of an article into topics.
**
** Mentions (spans) are compared by their key: the words in lower case,
** joined by single spaces; a key phrase also loses a plural "s" on its last
** word ("training missions" = "training mission").  Mentions join a topic
**
**   - when their keys are equal;
**   - a shorter name that ends a person's name joins it ("Scheffer", "de
**     Hoop Scheffer" -> "Jaap de Hoop Scheffer"; a "Jr." or "II" at the end
**     of the long form is ignored), and so does one that starts it ("John
**     Paul" -> "John Paul II", a first name alone);
**   - a single word that starts the name of an organisation or of a thing
**     joins it ("Sinclair" -> "Sinclair Broadcast Group", "Tour" -> "Tour de
**     France");
**   - an acronym made of the initials of a longer name joins it ("FDA" ->
**     "Food and Drug Administration").
**
** When a short form fits several long ones ("Peterson": Scott and Laci) it
** joins the nearest one written before it (else the first after it).  The
** topic's name is its longest mention; its type the name's, made a person's
** when a title stood before any mention.
*/
#include <string.h>

#include "../util/buf.h"
#include "../util/mem.h"
#include "link.h"

typedef struct key {
  char *s;       /* words in lower case, single spaces */
  size_t core;   /* length of s without trailing suffix words ("jr.", "ii") */
  size_t words;
} key;

static int make_key(const char *body, const lk_words *w, const lk_span *sp, key *k) {
  buf b;
  char low[256];
  buf_init(&b);
  k->core = 0;
  k->words = sp->w1 - sp->w0;
  for (uint32_t i = sp->w0; i < sp->w1; i++) {
    const char *s = body + w->w[i].start;
    size_t n = w->w[i].end - w->w[i].start;
    if (i > sp->w0) buf_putc(&b, ' ');
    size_t m = lk_lower(s, n, low, sizeof low);
    if (sp->phrase && i + 1 == sp->w1 && m > 3 && low[m - 1] == 's' && low[m - 2] != 's') m--;
    buf_put(&b, low, m);
    if (!cue_suffix(s, n) || i == sp->w0) k->core = b.n;
  }
  k->s = buf_detach(&b);
  return k->s ? 0 : -1;
}

static size_t find(size_t *parent, size_t i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

/* Join the sets of i and j; the smaller index stays the root. */
static void join(size_t *parent, size_t i, size_t j) {
  size_t a = find(parent, i), b = find(parent, j);
  if (a < b) parent[b] = a;
  else parent[a] = b;
}

/* Does short key a end long key b (at a word boundary, suffix words ignored)? */
static int ends(const key *a, const key *b) {
  size_t n = strlen(a->s);
  if (b->words <= a->words || b->core <= n) return 0;
  return b->s[b->core - n - 1] == ' ' && !memcmp(b->s + b->core - n, a->s, n);
}

static int starts(const key *a, const key *b) {
  size_t n = strlen(a->s);
  return b->words > a->words && !strncmp(b->s, a->s, n) && b->s[n] == ' ';
}

/* Is span a (one all-capitals word) the initials of span b's capitalised words? */
static int initials(const char *body, const lk_words *w, const lk_span *a, const lk_span *b) {
  if (a->w1 - a->w0 != 1 || !(w->w[a->w0].flags & LW_ALLCAP) || b->w1 - b->w0 < 2) return 0;
  const char *s = body + a->start;
  size_t n = a->end - a->start, j = 0;
  for (uint32_t i = b->w0; i < b->w1; i++) {
    if (!(w->w[i].flags & LW_CAP)) continue;
    while (j < n && s[j] == '.') j++;
    if (j >= n || s[j] != body[w->w[i].start]) return 0;
    j++;
  }
  while (j < n && s[j] == '.') j++;
  return j == n;
}

/* May span `sh` be a short form of span `lo`? */
static int short_form(const char *body, const lk_words *w, const lk_span *sh, const key *ks, const lk_span *lo,
                      const key *kl) {
  if (sh->phrase || lo->phrase) return 0;
  if (lo->type == ND_TOPIC_PERSON && (ends(ks, kl) || starts(ks, kl))) return 1;
  if ((lo->type == ND_TOPIC_ORG || lo->type == ND_TOPIC_OTHER) && ks->words == 1 && starts(ks, kl)) return 1;
  return initials(body, w, sh, lo);
}

int lk_group(const char *body, const lk_words *w, const lk_spans *sp, lk_topics *out) {
  memset(out, 0, sizeof *out);
  size_t n = sp->n;
  if (!n) return 0;
  key *k = mem_calloc(n, sizeof *k);
  size_t *parent = mem_calloc(n, sizeof *parent);
  size_t *topic_of = mem_calloc(n, sizeof *topic_of);
  int rc = 0;
  if (!k || !parent || !topic_of) rc = -1;
  for (size_t i = 0; i < n && !rc; i++) {
    parent[i] = i;
    rc = make_key(body, w, &sp->s[i], &k[i]);
  }
  /* short forms: nearest long form before, else the first after; the
  ** other mentions join those with an equal key */
  for (size_t i = 0; i < n && !rc; i++) {
    size_t best = SIZE_MAX;
    for (size_t j = 0; j < n; j++) {
      if (j == i || !short_form(body, w, &sp->s[i], &k[i], &sp->s[j], &k[j])) continue;
      if (j < i) best = j; /* keeps the last one before i */
      else if (best == SIZE_MAX) { best = j; break; }
    }
    if (best != SIZE_MAX) {
      join(parent, i, best);
      continue;
    }
    for (size_t j = 0; j < i; j++)
      if (!strcmp(k[i].s, k[j].s)) { join(parent, i, j); break; }
  }
  for (size_t i = 0; i < n && !rc; i++) {
    size_t r = find(parent, i);
    if (r == i) {
      if (mem_grow(&out->t, &out->cap, out->n, sizeof *out->t)) { rc = -1; break; }
      out->t[out->n] = (lk_topic){(uint32_t)i, (uint32_t)i, 0, sp->s[i].type, 0, 0, 0};
      topic_of[i] = out->n++;
    } else {
      topic_of[i] = topic_of[r]; /* r < i: roots come first in span order */
    }
  }
  for (size_t i = 0; i < n && !rc; i++) {
    lk_topic *t = &out->t[topic_of[i]];
    const lk_span *s = &sp->s[i], *name = &sp->s[t->name];
    t->mentions++;
    if (s->start < sp->s[t->first].start) t->first = (uint32_t)i;
    if (k[i].words > k[t->name].words || (k[i].words == k[t->name].words && s->phrase < name->phrase)) {
      t->name = (uint32_t)i;
      t->type = s->type;
    }
  }
  for (size_t i = 0; i < n && !rc; i++) {
    lk_topic *t = &out->t[topic_of[i]];
    if (sp->s[i].titled && t->type == ND_TOPIC_OTHER) t->type = ND_TOPIC_PERSON;
  }
  for (size_t i = 0; k && i < n; i++) mem_free(k[i].s);
  mem_free(k);
  mem_free(parent);
  mem_free(topic_of);
  if (rc) lk_topics_free(out);
  return rc;
}

void lk_topics_free(lk_topics *t) {
  mem_free(t->t);
  memset(t, 0, sizeof *t);
}
