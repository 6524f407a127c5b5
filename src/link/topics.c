/*
** topics.c -- group the mentions of an article into topics.
**
** Mentions (spans) are compared by their key: the words in lower case,
** joined by single spaces; a key phrase also loses a plural "s" on its last
** word ("training missions" = "training mission").  Mentions join a topic
**
**   - when their keys are equal (a country's key is its one name: "U.S."
**     and "America" are "united states");
**   - a shorter name that ends a person's name joins it ("Scheffer", "de
**     Hoop Scheffer" -> "Jaap de Hoop Scheffer"; a "Jr." or "II" at the end
**     of the long form is ignored), and so do one that starts it ("John
**     Paul" -> "John Paul II", a first name alone) and one with its first
**     and last words ("Donald Trump" -> "Donald J. Trump");
**   - a single word that starts the name of an organisation or of a thing
**     joins it ("Sinclair" -> "Sinclair Broadcast Group", "Tour" -> "Tour de
**     France"), and so does one that ends the name of a thing after common
**     words ("Charley" -> "Hurricane Charley");
**   - an acronym made of the initials of a longer name joins it ("FDA" ->
**     "Food and Drug Administration"), and so does any acronym the text
**     puts in parentheses right after a name ("... Organization (NATO)").
**
** When a short form fits several long ones ("Peterson": Scott and Laci) it
** joins the nearest one written before it (else the first after it).  The
** topic's name is its longest mention; its type the name's, made a person's
** when a title stood before any mention.
*/
#include <string.h>

#include "../util/buf.h"
#include "../util/mem.h"
#include "gazetteer.h"
#include "link.h"

typedef struct key {
  const char *s; /* words in lower case, single spaces; NUL-terminated */
  size_t len;    /* of s */
  size_t core;   /* length of s without trailing suffix words ("jr.", "ii") */
  size_t words;
  size_t off;    /* of s in the arena of all keys, while it is built */
} key;

/* Append the key of span sp (and a NUL) to `arena`: all the keys of an
** article share one buffer (not an allocation each), and the words are
** lower-cased straight into it. */
static void make_key(const char *body, const lk_words *w, const lk_span *sp, buf *arena, key *k) {
  k->off = arena->n;
  k->core = 0;
  k->words = sp->w1 - sp->w0;
  k->len = 0;
  size_t cn;
  const char *canon = sp->phrase ? NULL : gaz_country(body + sp->start, sp->end - sp->start, &cn);
  if (canon) { /* a country: its one name ("U.S." and "America" are one topic) */
    if (buf_reserve(arena, cn * 4 + 1)) return;
    char *o = (char *)arena->p + arena->n;
    k->len = k->core = lk_lower(canon, cn, o, cn * 4 + 1);
    k->words = 1;
    for (size_t i = 0; i < k->len; i++) k->words += o[i] == ' ';
    arena->n += k->len + 1;
    return;
  }
  /* a word takes at most 255 bytes (lk_lower's limit below) and a blank */
  if (buf_reserve(arena, k->words * 256 + 1)) return;
  char *o = (char *)arena->p + arena->n;
  size_t len = 0;
  for (uint32_t i = sp->w0; i < sp->w1; i++) {
    const char *s = body + w->w[i].start;
    size_t n = w->w[i].end - w->w[i].start;
    if (i > sp->w0) o[len++] = ' ';
    char *low = o + len;
    size_t m = lk_lower(s, n, low, 256);
    if (sp->phrase && i + 1 == sp->w1 && m > 3 && low[m - 1] == 's' && low[m - 2] != 's') m--;
    len += m;
    if (!cue_suffix(s, n) || i == sp->w0) k->core = len;
  }
  o[len] = 0;
  k->len = len;
  arena->n += len + 1;
}

/* FNV-1a of the key's text. */
static uint64_t key_hash(const key *k) {
  uint64_t h = 14695981039346656037u;
  for (size_t i = 0; i < k->len; i++) h = (h ^ (unsigned char)k->s[i]) * 1099511628211u;
  return h ^ (h >> 29);
}

static int key_eq(const key *a, const key *b) { return a->len == b->len && !memcmp(a->s, b->s, a->len); }

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
  size_t n = a->len;
  if (b->words <= a->words || b->core <= n) return 0;
  return b->s[b->core - n - 1] == ' ' && !memcmp(b->s + b->core - n, a->s, n);
}

static int starts(const key *a, const key *b) {
  size_t n = a->len;
  return b->words > a->words && b->len > n && b->s[n] == ' ' && !memcmp(b->s, a->s, n);
}

/* Do keys a and b (b the longer) share their first and last words, as
** "Donald Trump" and "Donald J. Trump", "George Bush" and "George H. W.
** Bush", do? */
static int first_last(const key *a, const key *b) {
  if (a->words < 2) return 0;
  const char *sp = memchr(a->s, ' ', a->len), *lp = (const char *)memrchr(a->s, ' ', a->core);
  if (!sp || !lp) return 0;
  size_t first = (size_t)(sp - a->s) + 1, last = a->core - (size_t)(lp - a->s);
  return b->len > first && !memcmp(b->s, a->s, first) && b->core > last &&
         !memcmp(b->s + b->core - last, a->s + a->core - last, last);
}

/* Does acronym span j follow span i in parentheses: "the North Atlantic
** Treaty Organization (NATO)"? */
static int in_parens(const char *body, const lk_words *w, const lk_span *i, const lk_span *j) {
  if (j->w1 - j->w0 != 1 || !(w->w[j->w0].flags & LW_ALLCAP) || i->w1 - i->w0 < 2 || i->phrase) return 0;
  uint32_t a = i->end, b = j->start;
  while (a < b && body[a] == ' ') a++;
  return a + 1 == b && body[a] == '(' && body[j->end] == ')';
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

/* Mr., Mrs., Ms. and Dr. go with any title ("President Donald Trump ...
** Mr. Trump"). */
static int honorific(const char *cls) {
  return !strcmp(cls, "mr") || !strcmp(cls, "mrs") || !strcmp(cls, "ms") || !strcmp(cls, "dr");
}

/* Do spans a and b have titles of one class (or an honorific)? */
static int same_title(const char *body, const lk_words *w, const lk_span *a, const lk_span *b) {
  char ca[32], cb[32];
  const lk_word *x = &w->w[a->title - 1], *y = &w->w[b->title - 1];
  lk_title_class(body + x->start, x->end - x->start, ca, sizeof ca);
  lk_title_class(body + y->start, y->end - y->start, cb, sizeof cb);
  return !strcmp(ca, cb) || honorific(ca) || honorific(cb);
}

/* Are all words of span s but the last common words ("Hurricane")? */
static int common_head(const char *body, const lk_words *w, const lk_span *s) {
  for (uint32_t i = s->w0; i + 1 < s->w1; i++)
    if (!lk_common_word(body + w->w[i].start, w->w[i].end - w->w[i].start)) return 0;
  return 1;
}

/* May span `sh` be a short form of span `lo`? */
static int short_form(const char *body, const lk_words *w, const lk_span *sh, const key *ks, const lk_span *lo,
                      const key *kl) {
  /* every way below needs a long form of more words: most pairs stop here */
  if (kl->words <= ks->words || sh->phrase || lo->phrase) return 0;
  /* a person's title before it: it names a person, never a thing ("President
  ** Trump" is not "Trump Tower") */
  if (sh->titled && lo->type != ND_TOPIC_PERSON) return 0;
  /* nor a person of another title ("President Bush" is not "Gov. Jeb Bush";
  ** "Mr." goes with any) */
  if (sh->title && lo->title && !same_title(body, w, sh, lo)) return 0;
  if (lo->type == ND_TOPIC_PERSON && (ends(ks, kl) || starts(ks, kl) || first_last(ks, kl))) return 1;
  if ((lo->type == ND_TOPIC_ORG || lo->type == ND_TOPIC_OTHER) && ks->words == 1 && starts(ks, kl)) return 1;
  /* a named event or thing: its name after common words ("Charley" of
  ** "Hurricane Charley", "Bonnie" of "Tropical Storm Bonnie") */
  if (lo->type == ND_TOPIC_OTHER && ks->words == 1 && ends(ks, kl) && common_head(body, w, lo)) return 1;
  return initials(body, w, sh, lo);
}

int lk_group(const char *body, const lk_words *w, const lk_spans *sp, lk_topics *out) {
  memset(out, 0, sizeof *out);
  size_t n = sp->n;
  if (!n) return 0;
  key *k = mem_calloc(n, sizeof *k);
  size_t *parent = mem_calloc(n, sizeof *parent);
  size_t *topic_of = mem_calloc(n, sizeof *topic_of);
  buf arena;
  buf_init(&arena);
  int rc = 0;
  if (!k || !parent || !topic_of) rc = -1;
  for (size_t i = 0; i < n && !rc; i++) {
    parent[i] = i;
    make_key(body, w, &sp->s[i], &arena, &k[i]);
  }
  if (arena.oom) rc = -1;
  for (size_t i = 0; i < n && !rc; i++) k[i].s = (const char *)arena.p + k[i].off;
  /* short forms: nearest long form before, else the first after; the
  ** other mentions join the first one with an equal key.  Comparing every
  ** pair of spans grows with the square of their number, so: only spans of
  ** two words or more that are no phrase are tried as long forms (none else
  ** passes short_form()), and equal keys are found through a hash table of
  ** the keys seen so far. */
  size_t slots = 16;
  while (slots < 2 * n) slots *= 2;
  size_t *longs = rc ? NULL : mem_alloc(n * sizeof *longs), nlong = 0;
  uint32_t *seen = rc ? NULL : mem_calloc(slots, sizeof *seen); /* span index + 1; 0: empty */
  if (!longs || !seen) rc = -1;
  for (size_t j = 0; j < n && !rc; j++)
    if (!sp->s[j].phrase && k[j].words >= 2) longs[nlong++] = j;
  for (size_t i = 0; i < n && !rc; i++) {
    size_t best = SIZE_MAX;
    if (!sp->s[i].phrase) /* a phrase is no short form */
      for (size_t x = 0; x < nlong; x++) {
        size_t j = longs[x];
        if (j == i || !short_form(body, w, &sp->s[i], &k[i], &sp->s[j], &k[j])) continue;
        if (j < i) best = j; /* keeps the last one before i */
        else if (best == SIZE_MAX) { best = j; break; }
      }
    size_t h = (size_t)key_hash(&k[i]) & (slots - 1);
    while (seen[h] && !key_eq(&k[seen[h] - 1], &k[i])) h = (h + 1) & (slots - 1);
    if (best == SIZE_MAX && i > 0 && in_parens(body, w, &sp->s[i - 1], &sp->s[i])) best = i - 1;
    if (best != SIZE_MAX) join(parent, i, best);
    else if (seen[h]) join(parent, i, seen[h] - 1);
    if (!seen[h]) seen[h] = (uint32_t)(i + 1);
  }
  mem_free(longs);
  mem_free(seen);
  for (size_t i = 0; i < n && !rc; i++) {
    size_t r = find(parent, i);
    if (r == i) {
      if (mem_grow(&out->t, &out->cap, out->n, sizeof *out->t)) { rc = -1; break; }
      out->t[out->n] = (lk_topic){(uint32_t)i, (uint32_t)i, 0, sp->s[i].type, 0, 0, 0, (uint32_t)out->n};
      topic_of[i] = out->n++;
    } else {
      topic_of[i] = topic_of[r]; /* r < i: roots come first in span order */
    }
  }
  if (!rc && !(out->of = mem_alloc(n * sizeof *out->of))) rc = -1;
  for (size_t i = 0; i < n && !rc; i++) out->of[i] = (uint32_t)topic_of[i];
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
  buf_free(&arena);
  mem_free(k);
  mem_free(parent);
  mem_free(topic_of);
  if (rc) lk_topics_free(out);
  return rc;
}

void lk_topics_free(lk_topics *t) {
  mem_free(t->t);
  mem_free(t->of);
  memset(t, 0, sizeof *t);
}
