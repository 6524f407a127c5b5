/*
** alias.c -- the archive's alias table (see alias.h).
**
** Resolving a partial name (surname s, title class c, era e):
**
**   1. the evidence of the form (s, c) in era e, then, when that is too
**      little (fewer than AL_MIN_ARTICLES articles), of (s, c) in every
**      era: "President Bush" in 1989-1992 is George H. W. Bush, in
**      2001-2004 George W. Bush; an article without a date weighs the
**      evidence of all eras together;
**   2. when the form with its title has too little evidence, the bare
**      surname's, in the same order ("Gov. Trump" has none: "Trump" does);
**   3. the first of these with enough evidence decides: the full name with
**      the most articles resolves the form when it and its variants (the
**      same first and last words: "Donald J. Trump" for "Donald Trump")
**      have at least AL_MIN_SHARE of them; otherwise the form stays as written (the
**      surname alone): two Clintons in one era, each often "Clinton",
**      leave a bare "Clinton" unresolved, while "Mrs. Clinton" and
**      "President Clinton" each resolve.
**
** The evidence counts articles in which one form and one full name were
** one person (grouped in the article by link/topics.c), so a name common
** to two people ("Bush" in a story naming both) counts for the one it was
** grouped with.
*/
#include "alias.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "../link/link.h"
#include "../util/buf.h"
#include "../util/date.h"
#include "../util/mem.h"
#include "segment.h"
#include "topic_terms.h"

/* One string-keyed slot of a map; the strings live in the table's arena. */
typedef struct slot {
  uint32_t off, len; /* key in the arena; len 0 with off 0: empty */
  uint64_t hash;
  uint32_t val;      /* an index into the map's owner's array */
} slot;

typedef struct map {
  slot *s;
  size_t cap, n;
} map;

/* A form (surname, class, era or "*" for all eras): its evidence. */
typedef struct form {
  uint64_t total;   /* articles of evidence */
  uint64_t best;    /* of the most frequent full name */
  uint64_t support; /* of it and its variants ("Donald J. Trump" for "Donald Trump") */
  uint32_t full;    /* that full name (an index into fulls), or UINT32_MAX */
} form;

/* A full name: its most frequent written form, and the partial-name keys
** resolving to it. */
typedef struct full {
  uint32_t key;        /* in the arena, NUL-terminated */
  uint32_t shown;      /* in the arena, NUL-terminated: the most frequent written form */
  uint64_t shown_df;   /* its articles */
  uint32_t *form_offs; /* the resolved partial-name keys (in the arena) */
  int top;             /* some form resolves to it */
  size_t nforms, cap;
} full;

/* (form, full) pairs and their article counts. */
typedef struct pair {
  uint32_t form, full;
  uint64_t df;
} pair;

struct alias_table {
  uint64_t generation;
  const snapshot *sn;
  buf arena;
  map forms_m, fulls_m, pairs_m, partial_m, shown_m, loaded_m;
  uint64_t *shown_df;  /* per (full name, written form) of shown_m: articles */
  uint32_t *shown_key; /* ... and its key in the arena */
  size_t nshown, shown_cap, shown_key_cap;
  const char **scratch; /* what alias_forms_of() gives */
  size_t scratch_cap;
  form *forms;
  size_t nforms, forms_cap;
  full *fulls;
  size_t nfulls, fulls_cap;
  pair *pairs;
  size_t npairs, pairs_cap;
  /* partial-name keys of the dictionaries and what they resolve to */
  uint32_t *partial_full; /* per partial key: a full index or UINT32_MAX */
  size_t npartials, partials_cap;
};

void al_era(int64_t date, char out[8]) {
  out[0] = 0;
  if (date == DATE_NONE) return;
  int64_t days = date >= 0 ? date / 86400 : -((-date + 86399) / 86400), y;
  unsigned m, d;
  date_civil_from_days(days, &y, &m, &d);
  if (y < 1 || y > 9999) return;
  y -= (y - 1) % AL_ERA_YEARS;
  snprintf(out, 8, "%04d", (int)y);
}

int al_title_class(const char *s, size_t n, char *cls, size_t cap) {
  char w[40];
  if (!n || n + 2 > sizeof w || (unsigned char)s[0] < 'a' || (unsigned char)s[0] > 'z') return 0;
  memcpy(w, s, n);
  w[0] = (char)(w[0] - 'a' + 'A');
  if (lk_title_class(w, n, cls, cap)) return 1;
  w[n] = '.'; /* "sen" was "Sen." before normalising */
  return lk_title_class(w, n + 1, cls, cap) != 0;
}

static const char *at(const alias_table *t, uint32_t off) { return (const char *)t->arena.p + off; }

/* Find key k[0..n) in m: its slot (empty if absent). */
static slot *map_find(const alias_table *t, const map *m, const char *k, size_t n, uint64_t h) {
  size_t mask = m->cap - 1;
  for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
    slot *s = &m->s[i];
    if (!s->len) return s;
    if (s->hash == h && s->len == n && !memcmp(at(t, s->off), k, n)) return s;
  }
}

static int map_grow(alias_table *t, map *m) {
  size_t cap = m->cap ? m->cap * 2 : 1024;
  slot *ns = mem_calloc(cap, sizeof *ns);
  if (!ns) return -1;
  map old = *m;
  m->s = ns;
  m->cap = cap;
  for (size_t i = 0; i < old.cap; i++)
    if (old.s[i].len) *map_find(t, m, at(t, old.s[i].off), old.s[i].len, old.s[i].hash) = old.s[i];
  mem_free(old.s);
  return 0;
}

/* The value of key k[0..n) in m, adding it (value *fresh = 1, to be set by
** the caller, with the key copied to the arena NUL-terminated) when absent.
** NULL when out of memory. */
static slot *map_get(alias_table *t, map *m, const char *k, size_t n, int *fresh) {
  *fresh = 0;
  if ((m->n + 1) * 4 > m->cap * 3 && map_grow(t, m)) return NULL;
  uint64_t h = XXH3_64bits(k, n);
  slot *s = map_find(t, m, k, n, h);
  if (s->len) return s;
  uint32_t off = (uint32_t)t->arena.n;
  buf_put(&t->arena, k, n);
  buf_putc(&t->arena, 0);
  if (t->arena.oom || !n) return NULL;
  *s = (slot){off, (uint32_t)n, h, 0};
  m->n++;
  *fresh = 1;
  return s;
}

static const slot *map_peek(const alias_table *t, const map *m, const char *k, size_t n) {
  if (!m->cap || !n) return NULL;
  const slot *s = map_find(t, m, k, n, XXH3_64bits(k, n));
  return s->len ? s : NULL;
}

static int form_index(alias_table *t, const char *k, size_t n, uint32_t *out) {
  int fresh;
  slot *s = map_get(t, &t->forms_m, k, n, &fresh);
  if (!s) return -1;
  if (fresh) {
    if (mem_grow(&t->forms, &t->forms_cap, t->nforms, sizeof *t->forms)) return -1;
    t->forms[t->nforms] = (form){0, 0, 0, UINT32_MAX};
    s->val = (uint32_t)t->nforms++;
  }
  *out = s->val;
  return 0;
}

static int full_index(alias_table *t, const char *k, size_t n, uint32_t *out) {
  int fresh;
  slot *s = map_get(t, &t->fulls_m, k, n, &fresh);
  if (!s) return -1;
  if (fresh) {
    if (mem_grow(&t->fulls, &t->fulls_cap, t->nfulls, sizeof *t->fulls)) return -1;
    memset(&t->fulls[t->nfulls], 0, sizeof *t->fulls);
    t->fulls[t->nfulls].key = s->off;
    t->fulls[t->nfulls].shown = s->off;
    s->val = (uint32_t)t->nfulls++;
  }
  *out = s->val;
  return 0;
}

/* Add df articles of evidence that form key f[0..fn) is full name F. */
static int add_pair(alias_table *t, const char *f, size_t fn, uint32_t F, uint64_t df) {
  uint32_t fi;
  if (form_index(t, f, fn, &fi)) return -1;
  char k[16];
  int kn = snprintf(k, sizeof k, "%u:%u", fi, F);
  int fresh;
  slot *s = map_get(t, &t->pairs_m, k, (size_t)kn, &fresh);
  if (!s) return -1;
  if (fresh) {
    if (mem_grow(&t->pairs, &t->pairs_cap, t->npairs, sizeof *t->pairs)) return -1;
    t->pairs[t->npairs] = (pair){fi, F, 0};
    s->val = (uint32_t)t->npairs++;
  }
  t->pairs[s->val].df += df;
  t->forms[fi].total += df;
  return 0;
}

/* One evidence term (after its prefix byte): surname SEP class SEP era
** TSEP full TSEP written. */
static int add_evidence(alias_table *t, const char *p, size_t n, uint64_t df) {
  const char *s1 = memchr(p, AL_SEP, n);
  const char *s2 = s1 ? memchr(s1 + 1, AL_SEP, (size_t)(p + n - s1 - 1)) : NULL;
  const char *t1 = s2 ? memchr(s2 + 1, LK_TERM_SEP, (size_t)(p + n - s2 - 1)) : NULL;
  const char *t2 = t1 ? memchr(t1 + 1, LK_TERM_SEP, (size_t)(p + n - t1 - 1)) : NULL;
  if (!t2 || t2 == t1 + 1 || s1 == p) return 0; /* not well formed: `check` reports it */
  uint32_t F;
  if (full_index(t, t1 + 1, (size_t)(t2 - t1 - 1), &F)) return -1;
  /* the written form: summed over segments (shown(): the most frequent) */
  char wk[DICT_MAX_TERM + 16];
  size_t wn = (size_t)(p + n - t2 - 1);
  int kn0 = snprintf(wk, sizeof wk, "%u:", F);
  if (wn + (size_t)kn0 >= sizeof wk) return 0;
  memcpy(wk + kn0, t2 + 1, wn);
  int fresh;
  slot *ws = map_get(t, &t->shown_m, wk, (size_t)kn0 + wn, &fresh);
  if (!ws) return -1;
  if (fresh) {
    if (mem_grow(&t->shown_df, &t->shown_cap, t->nshown, sizeof *t->shown_df) ||
        mem_grow(&t->shown_key, &t->shown_key_cap, t->nshown, sizeof *t->shown_key))
      return -1;
    t->shown_df[t->nshown] = 0;
    t->shown_key[t->nshown] = ws->off;
    ws->val = (uint32_t)t->nshown++;
  }
  t->shown_df[ws->val] += df;
  /* the form in its era, and in every era ("*") */
  char k[DICT_MAX_TERM + 4];
  size_t era_at = (size_t)(s2 - p) + 1, kn = (size_t)(t1 - p);
  memcpy(k, p, kn);
  if (add_pair(t, k, kn, F, df)) return -1;
  k[era_at] = '*';
  if (add_pair(t, k, era_at + 1, F, df)) return -1;
  return 0;
}

/* Are full names a and b variants of one name: one is the other's first
** and last words, the other has only initials between them ("donald
** trump", "donald j trump")?  "george w bush" and "george h w bush" are
** not: a name with a middle word is no variant of a different middle. */
static int variants(const char *a, const char *b) {
  if (strlen(a) > strlen(b)) {
    const char *x = a;
    a = b;
    b = x;
  }
  const char *sa = strchr(a, ' '), *sb = strchr(b, ' '), *la = strrchr(a, ' '), *lb = strrchr(b, ' ');
  if (!sa || !sb || sa != la || sa - a != sb - b || memcmp(a, b, (size_t)(sa - a)) || strcmp(la, lb)) return 0;
  for (const char *w = sb + 1; w < lb; w++) { /* b's middle words: initials ("j", "h w") */
    if (*w == ' ') continue;
    if (w + 1 < lb && w[1] != ' ') return 0;
  }
  return 1;
}

/* Each full name is shown by the written form with the most articles (ties:
** the smaller in byte order, so that the choice does not depend on how
** the articles fell into segments). */
static void pick_shown(alias_table *t, size_t from) {
  for (size_t i = from; i < t->nshown; i++) {
    const char *k = at(t, t->shown_key[i]), *colon = strchr(k, ':');
    uint32_t F = (uint32_t)strtoul(k, NULL, 10);
    if (!colon || F >= t->nfulls) continue;
    full *fu = &t->fulls[F];
    uint64_t df = t->shown_df[i];
    uint32_t off = (uint32_t)(colon + 1 - (const char *)t->arena.p);
    if (df > fu->shown_df || (df == fu->shown_df && fu->shown_df && strcmp(colon + 1, at(t, fu->shown)) < 0)) {
      fu->shown = off;
      fu->shown_df = df;
    }
  }
}

static size_t words(const char *s) {
  size_t n = 1;
  for (; *s; s++) n += *s == ' ';
  return n;
}

/* Does full name a come before b among names with as much evidence? */
static int before(const char *a, const char *b) {
  size_t wa = words(a), wb = words(b);
  return wa != wb ? wa < wb : strcmp(a, b) < 0;
}

/* Decide the forms of pairs [from, npairs): each one's most frequent full
** name, and the evidence for it and its variants. */
static void decide(alias_table *t, size_t from) {
  for (size_t i = from; i < t->npairs; i++) {
    form *f = &t->forms[t->pairs[i].form];
    /* ties: the name of fewer words ("John Boehner" before "John A.
    ** Boehner"), then the smaller in byte order, whatever the segments' order */
    if (t->pairs[i].df > f->best ||
        (t->pairs[i].df == f->best && f->full != UINT32_MAX &&
         before(at(t, t->fulls[t->pairs[i].full].key), at(t, t->fulls[f->full].key)))) {
      f->best = t->pairs[i].df;
      f->full = t->pairs[i].full;
    }
  }
  for (size_t i = from; i < t->npairs; i++) {
    form *f = &t->forms[t->pairs[i].form];
    if (t->pairs[i].full == f->full ||
        variants(at(t, t->fulls[f->full].key), at(t, t->fulls[t->pairs[i].full].key)))
      f->support += t->pairs[i].df;
  }
}

/* How form key k decides: 1 resolved (*F), 0 unresolved, -1 no say. */
static int form_says(const alias_table *t, const char *k, size_t n, uint32_t *F) {
  const slot *s = map_peek(t, &t->forms_m, k, n);
  if (!s) return -1;
  const form *f = &t->forms[s->val];
  if (f->total < AL_MIN_ARTICLES) return -1;
  if (f->full == UINT32_MAX || (double)f->support < AL_MIN_SHARE * (double)f->total) return 0;
  *F = f->full;
  return 1;
}

/* Resolve partial key k[0..n) (surname SEP class SEP era): a full index or
** UINT32_MAX. */
static uint32_t resolve(const alias_table *t, const char *k, size_t n) { /* (its surname loaded) */
  const char *s1 = memchr(k, AL_SEP, n);
  const char *s2 = s1 ? memchr(s1 + 1, AL_SEP, (size_t)(k + n - s1 - 1)) : NULL;
  if (!s2) return UINT32_MAX;
  char q[DICT_MAX_TERM + 4];
  size_t sur = (size_t)(s1 - k), cls = (size_t)(s2 - s1 - 1), era = (size_t)(k + n - s2 - 1);
  if (sur + cls + era + 2 > DICT_MAX_TERM) return UINT32_MAX;
  for (int bare = cls ? 0 : 1; bare < 2; bare++) {
    /* surname SEP [class] SEP era, then surname SEP [class] SEP * */
    size_t qn = 0;
    memcpy(q, k, sur + 1);
    qn = sur + 1;
    if (!bare) { memcpy(q + qn, s1 + 1, cls); qn += cls; }
    q[qn++] = AL_SEP;
    uint32_t F = UINT32_MAX;
    int r = -1;
    if (era) {
      memcpy(q + qn, s2 + 1, era);
      r = form_says(t, q, qn + era, &F);
    }
    if (r < 0) {
      q[qn] = '*';
      r = form_says(t, q, qn + 1, &F);
    }
    if (r >= 0) return r ? F : UINT32_MAX;
  }
  return UINT32_MAX;
}

/* Every partial name of the dictionaries: resolve it, and list it under
** its full name. */
static int add_partial(alias_table *t, const char *k, size_t n) {
  if (!n) return 0;
  int fresh;
  slot *s = map_get(t, &t->partial_m, k, n, &fresh);
  if (!s) return -1;
  if (!fresh) return 0;
  uint32_t F = resolve(t, k, n);
  if (mem_grow(&t->partial_full, &t->partials_cap, t->npartials, sizeof *t->partial_full)) return -1;
  s->val = (uint32_t)t->npartials;
  t->partial_full[t->npartials++] = F;
  if (F == UINT32_MAX) return 0;
  full *fu = &t->fulls[F];
  if (mem_grow(&fu->form_offs, &fu->cap, fu->nforms, sizeof *fu->form_offs)) return -1;
  fu->form_offs[fu->nforms++] = s->off;
  return 0;
}

const char *al_surname(const char *f, size_t n, size_t *sn) {
  size_t end = n;
  for (;;) {
    size_t b = end;
    while (b > 0 && f[b - 1] != ' ') b--;
    size_t w = end - b;
    const char *x = f + b;
    int suffix = b > 0 && ((w == 2 && (!memcmp(x, "jr", 2) || !memcmp(x, "sr", 2) || !memcmp(x, "ii", 2))) ||
                           (w == 3 && !memcmp(x, "iii", 3)));
    if (!suffix) {
      *sn = w;
      return f + b;
    }
    end = b - 1;
  }
}

/* Read everything the snapshot says of surname S[0..n) -- its evidence
** terms, then its partial names -- unless done already: all a partial name
** of that surname needs to be resolved, and all the partial names a full
** name ending in it may have.  0, ND_ERR_NOMEM or ND_ERR_CORRUPT. */
static int load(alias_table *t, const char *S, size_t n) {
  char key[DICT_MAX_TERM + 4];
  if (!n || n + 3 > sizeof key) return 0;
  int fresh;
  slot *done = map_get(t, &t->loaded_m, S, n, &fresh);
  if (!done) return ND_ERR_NOMEM;
  if (!fresh) return 0;
  size_t pairs0 = t->npairs, shown0 = t->nshown;
  key[0] = SEG_ALIAS_PREFIX;
  memcpy(key + 1, S, n);
  key[n + 1] = AL_SEP;
  for (size_t i = 0; i < t->sn->n; i++) {
    dict_iter di;
    int r = dict_seek(&di, &t->sn->segs[i].seg.d, key, n + 2);
    for (; r == 1 && di.len >= n + 2 && !memcmp(di.term, key, n + 2); r = dict_next(&di))
      if (add_evidence(t, di.term + 1, di.len - 1, di.ti.df)) return ND_ERR_NOMEM;
    if (r < 0) return ND_ERR_CORRUPT;
  }
  pick_shown(t, shown0);
  decide(t, pairs0);
  for (size_t i = pairs0; i < t->npairs; i++) { /* (a form's pairs all come in this load) */
    const form *f = &t->forms[t->pairs[i].form];
    if (f->full != UINT32_MAX && f->total >= AL_MIN_ARTICLES && (double)f->support >= AL_MIN_SHARE * (double)f->total)
      t->fulls[f->full].top = 1;
  }
  key[0] = SEG_TOPIC_PREFIX;
  key[1] = AL_PARTIAL;
  memcpy(key + 2, S, n);
  key[n + 2] = AL_SEP;
  for (size_t i = 0; i < t->sn->n; i++) {
    dict_iter di;
    int r = dict_seek(&di, &t->sn->segs[i].seg.d, key, n + 3);
    for (; r == 1 && di.len >= n + 3 && !memcmp(di.term, key, n + 3); r = dict_next(&di)) {
      const char *sep = memchr(di.term + 2, LK_TERM_SEP, di.len - 2);
      if (sep && add_partial(t, di.term + 2, (size_t)(sep - di.term - 2))) return ND_ERR_NOMEM;
    }
    if (r < 0) return ND_ERR_CORRUPT;
  }
  return 0;
}


void alias_free(alias_table *t) {
  if (!t) return;
  for (size_t f = 0; f < t->nfulls; f++) mem_free(t->fulls[f].form_offs);
  mem_free(t->loaded_m.s);
  mem_free(t->shown_key);
  mem_free(t->scratch);
  mem_free(t->forms_m.s);
  mem_free(t->fulls_m.s);
  mem_free(t->pairs_m.s);
  mem_free(t->partial_m.s);
  mem_free(t->shown_m.s);
  mem_free(t->shown_df);
  mem_free(t->forms);
  mem_free(t->fulls);
  mem_free(t->pairs);
  mem_free(t->partial_full);
  buf_free(&t->arena);
  mem_free(t);
}

int alias_get(nd_index *ix, alias_table **out) {
  *out = ix->aliases;
  if (ix->aliases && ix->aliases->generation == ix->snap.generation) return 0;
  alias_free(ix->aliases);
  ix->aliases = NULL;
  alias_table *t = mem_calloc(1, sizeof *t);
  if (!t) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  buf_init(&t->arena);
  buf_putc(&t->arena, 0); /* offset 0 names no key */
  if (t->arena.oom) { mem_free(t); return ix_fail(ix, ND_ERR_NOMEM, "out of memory"); }
  t->generation = ix->snap.generation;
  t->sn = &ix->snap;
  *out = ix->aliases = t;
  return 0;
}

int alias_resolve(alias_table *t, const char *key, size_t n, const char **fullname, const char **shown) {
  *fullname = NULL;
  const char *sep = memchr(key, AL_SEP, n);
  int rc = sep ? load(t, key, (size_t)(sep - key)) : 0;
  if (rc || !sep) return rc;
  const slot *s = map_peek(t, &t->partial_m, key, n);
  uint32_t F = s ? t->partial_full[s->val] : resolve(t, key, n);
  if (F == UINT32_MAX) return 0;
  if (shown) *shown = at(t, t->fulls[F].shown);
  *fullname = at(t, t->fulls[F].key);
  return 0;
}

/* Has name g[0..n) three words or more, all but the first and last one
** letter ("donald j trump", "george h w bush")? */
static int initialled(const char *g, size_t n) {
  const char *a = memchr(g, ' ', n), *z = g + n;
  while (z > g && z[-1] != ' ') z--;
  if (!a || z - 1 <= a) return 0;
  for (const char *w = a + 1; w < z - 1; w += 2)
    if (w[1] != ' ') return 0;
  return 1;
}

int alias_full(alias_table *t, const char *g, size_t n, const char **to) {
  *to = NULL;
  if (!initialled(g, n)) return 0;
  size_t ln, fn = (size_t)((const char *)memchr(g, ' ', n) - g);
  const char *last = al_surname(g, n, &ln);
  if (last + ln != g + n) return 0; /* "... trump jr": a suffix is no initial */
  int rc = load(t, last, ln);
  if (rc) return rc;
  char T[DICT_MAX_TERM + 2];
  if (fn + 1 + ln >= sizeof T) return 0;
  memcpy(T, g, fn + 1);
  memcpy(T + fn + 1, last, ln);
  const slot *st = map_peek(t, &t->fulls_m, T, fn + 1 + ln), *sg = map_peek(t, &t->fulls_m, g, n);
  if (st && t->fulls[st->val].top && !(sg && t->fulls[sg->val].top)) *to = at(t, t->fulls[st->val].key);
  return 0;
}

int alias_forms_of(alias_table *t, const char *fullname, size_t len, const char *const **forms, size_t *n) {
  size_t sn;
  *forms = NULL;
  *n = 0;
  const char *S = al_surname(fullname, len, &sn);
  int rc = load(t, S, sn);
  if (rc) return rc;
  const slot *s = map_peek(t, &t->fulls_m, fullname, len);
  if (!s || !t->fulls[s->val].nforms) return 0;
  const full *fu = &t->fulls[s->val];
  if (fu->nforms > t->scratch_cap) {
    const char **a = mem_alloc(fu->nforms * sizeof *a);
    if (!a) return ND_ERR_NOMEM;
    mem_free(t->scratch);
    t->scratch = a;
    t->scratch_cap = fu->nforms;
  }
  for (size_t j = 0; j < fu->nforms; j++) t->scratch[j] = at(t, fu->form_offs[j]);
  *forms = t->scratch;
  *n = fu->nforms;
  return 0;
}

/* Is e[0..n) an era: empty or four digits? */
static int era_ok(const char *e, size_t n) {
  if (!n) return 1;
  if (n != 4) return 0;
  for (size_t i = 0; i < 4; i++)
    if (e[i] < '0' || e[i] > '9') return 0;
  return 1;
}

const char *al_term_problem(const char *t, size_t n) {
  int evidence = n && t[0] == SEG_ALIAS_PREFIX;
  if (!evidence && !(n >= 2 && t[0] == SEG_TOPIC_PREFIX && t[1] == AL_PARTIAL)) return NULL;
  const char *p = t + (evidence ? 1 : 2), *end = t + n;
  const char *s1 = memchr(p, AL_SEP, (size_t)(end - p));
  const char *s2 = s1 ? memchr(s1 + 1, AL_SEP, (size_t)(end - s1 - 1)) : NULL;
  const char *t1 = s2 ? memchr(s2 + 1, LK_TERM_SEP, (size_t)(end - s2 - 1)) : NULL;
  if (!t1 || s1 == p) return "a partial name needs a surname, a class and an era";
  if (memchr(p, ' ', (size_t)(s1 - p))) return "the surname is more than one word";
  if (!era_ok(s2 + 1, (size_t)(t1 - s2 - 1))) return "the era is not a year";
  if (!evidence) return t1 + 1 < end ? NULL : "no written form";
  const char *t2 = memchr(t1 + 1, LK_TERM_SEP, (size_t)(end - t1 - 1));
  if (!t2 || t2 == t1 + 1 || t2 + 1 >= end) return "evidence needs a full name and its written form";
  if (!memchr(t1 + 1, ' ', (size_t)(t2 - t1 - 1))) return "the full name is one word";
  return NULL;
}
