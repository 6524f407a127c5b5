/*
** test_topics.c -- key topics as index terms: topic:/person:/org:/place:
** queries and the people/organisations/places/topics facets, checked
** against a brute-force oracle on invented and real articles.
**
** The articles of the invented fixture news.jsonl (testdata.h) and, when
** the third-party data is there, of sample-1000.jsonl (test_real_articles
** says whether they were used or skipped) are indexed with a small write buffer
** (several segments, automatic merging off); then ~5% are re-added with a
** sentence naming a new person appended to the body (four written forms:
** "Zebulon Quartermaine", "Zebulon QuarterMaine" -- one normalised name, two
** forms --, "ZEBULON QUARTERMAINE", which the linker leaves untyped, and the
** non-ASCII "Zoë Ångström") and ~5% deleted, and committed.  The oracle's
** truth is lk_topic_terms on the same nd_doc as added: per article its
** topic terms (type, normalised name, written form), its partial names (a
** person the article names by one word: surname, title class, era;
** index/alias.h; an untyped capitalised word too) and its evidence terms
** (in this article that one-word form and that full name were one
** person).  The library's parser, executor, facet code and alias table
** are never used by the oracle; query text is normalised as the query
** language says (a country by any of its names is the gazetteer's
** country, then lk_norm), a title word is what al_title_class says, as
** the feature defines them.
**
** Canonical entities.  The oracle sums the evidence itself, as the alias
** table counts it (document frequencies): in state 1 every version ever
** added counts -- the archive's segments were never merged (merge_factor
** 1 turns automatic merging off; nd_stats shows every version still
** there), so deleted articles and the replaced versions of re-added ones
** are still in them --, after nd_optimize only the live articles.  It
** resolves each partial name (alias.c): the form with its title's class
** in its era, then in every era, then the bare surname likewise; the
** first with evidence from AL_MIN_ARTICLES articles decides: the full name
** with the most evidence, when it and its variants (the same first and
** last words, only initials between) have AL_MIN_SHARE of it.  Where two
** full names tie for the most and would decide differently, the outcome
** is the library's choice: a query whose own name ties is compared with
** each outcome; queries and facet fields that a tied partial name of an
** article could change are left out and counted.  Then per article its
** canonical names -- a resolved partial name is its full name, shown as
** the full name's most frequent written form in the evidence; an
** unresolved one is its surname -- which the facets count (people are
** the 'p' and 'q' terms, less the unresolved partial names without a
** title: a capitalised word may be no person), and the topic filters'
** matches: a full name also finds the partial names that resolve to it;
** "President X", "Mr. X" and "X" (a title word dropped) are resolved like
** an undated partial name and then find that full name's articles, or,
** unresolved, the articles whose partial names of surname X do not
** resolve (person: only those with a title).
**
** Queries (fixed-seed PRNG, ~300 names of mixed types, non-ASCII ones, ones
** with periods, multi-word ones, names found under several types):
** topic:"as written", topic:"OTHER CASE", the typed field of its type
** (org: organisation: organization: in turn), a wrong-type field, unquoted
** one-word names, prefixes of 2-5 characters (topic: and typed), and
** combinations: AND of co-occurring topics, OR, NOT, field groups
** topic:("A" OR "B"), a body word AND/NOT a topic, date ranges (a prefix
** matches the names of topics, not partial names).  Then names
** of persons: full names that partial names resolve to, their surnames with
** the title the articles gave them, with another title, and bare; surnames
** that do not resolve.  For every query the set of hit ids and
** nd_results_total equal the brute force; and at least one query by a full
** name finds an article that names the person only by title and surname
** (among the invented articles, and among the real ones when they are
** there).  Facets (~60 queries, some matching most of the archive): for
** all four topic fields, limits 10 and 1000, the counts, order and shown
** forms equal the brute force, and the total the match count.  Hits come in
** score order; every 8th query is also run for a first page with snippets.
**
** States: multi-segment with deletions; after nd_optimize; after reopening
** read-only (a sample of the queries and facets; all the person-name
** queries); nd_check after each.  The expected sets are computed again for
** each state (the evidence differs).  Bad input: empty topic names,
** 1-character prefixes, over-long names, an archive without topics.
** ND_TOPICS_VERBOSE=1 lists the queries.
**
** The tests run in order and depend on test_build: run them all.
*/

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <utf8proc.h>

#include "index/alias.h"
#include "index/segment.h"
#include "ingest/ingest.h"
#include "index/topic_terms.h"
#include "link/gazetteer.h"
#include "link/link.h"
#include "newsdex.h"
#define TEST_RNG_SEED 0x70901c5u
#include "test.h"
#include "testdata.h"
#include "testutil.h"
#include "testfs.h"
#include "text/analyze.h"
#include "util/buf.h"
#include "util/date.h"
#include "util/mem.h"

#define BIG_LIMIT 100000
#define NO_DATE INT64_MIN
#define QUERY_TOPIC_MAX 120   /* bytes of a normalised name a query accepts (parse.c TOPIC_MAX) */
#define PREFIX_TERMS_MAX 3000 /* prefixes matching more topic terms are left out (exec: 4096 per segment) */

/* ---- small helpers ------------------------------------------------------- */

static int verbose(void) {
  const char *v = getenv("ND_TOPICS_VERBOSE");
  return v && *v && *v != '0';
}

/* lk_norm as a malloc'd string (the oracle frees with free()). */
static char *norm_of(const char *s) {
  char *n = lk_norm(s, NULL);
  if (!n) { fprintf(stderr, "out of memory\n"); exit(2); }
  char *r = xstrdup(n);
  mem_free(n);
  return r;
}

/* ---- string interning (normalised names, written forms, topic terms, words) -- */

typedef struct strtab {
  char **s;
  size_t n, cap;
  uint32_t *h; /* open addressing: id + 1, 0 = empty */
  size_t hcap;
} strtab;

static uint32_t st_find(const strtab *t, const char *s, size_t n) {
  if (!t->hcap) return UINT32_MAX;
  for (size_t h = fnv(s, n) & (t->hcap - 1); t->h[h]; h = (h + 1) & (t->hcap - 1)) {
    const char *x = t->s[t->h[h] - 1];
    if (strlen(x) == n && !memcmp(x, s, n)) return t->h[h] - 1;
  }
  return UINT32_MAX;
}

static uint32_t st_intern(strtab *t, const char *s, size_t n) {
  uint32_t id = st_find(t, s, n);
  if (id != UINT32_MAX) return id;
  if ((t->n + 1) * 2 > t->hcap) {
    size_t cap = t->hcap ? t->hcap * 2 : 1 << 12;
    uint32_t *h = calloc(cap, sizeof *h);
    if (!h) exit(2);
    for (size_t i = 0; i < t->n; i++) {
      size_t k = fnv(t->s[i], strlen(t->s[i])) & (cap - 1);
      while (h[k]) k = (k + 1) & (cap - 1);
      h[k] = (uint32_t)i + 1;
    }
    free(t->h);
    t->h = h;
    t->hcap = cap;
  }
  if (t->n == t->cap) {
    t->cap = t->cap ? t->cap * 2 : 1024;
    t->s = xrealloc(t->s, t->cap * sizeof *t->s);
  }
  t->s[t->n] = xstrndup(s, n);
  size_t k = fnv(s, n) & (t->hcap - 1);
  while (t->h[k]) k = (k + 1) & (t->hcap - 1);
  t->h[k] = (uint32_t)t->n + 1;
  return (uint32_t)t->n++;
}

static void st_free(strtab *t) {
  for (size_t i = 0; i < t->n; i++) free(t->s[i]);
  free(t->s);
  free(t->h);
  memset(t, 0, sizeof *t);
}

static strtab NORMS;   /* normalised names: topic keys, surnames of partial names, full names of evidence */
static strtab WRITTEN; /* written forms */
static strtab TERMS;   /* whole topic terms (prefix 0x02) as lk_topic_terms gives them */
static strtab PKEYS;   /* partial-name keys and evidence forms: surname SEP class SEP era ("*": every era) */
static strtab WORDS;   /* analysed terms of titles and bodies */

#define NO_FULL UINT32_MAX /* a partial name that resolves to no full name */

/* A topic term: its type letter (p o l x, or q for a partial name), its
** normalised name (a partial name's: its surname), its written form; a
** partial name's key (PKEYS) and whether it had a title. */
typedef struct tterm { char type, titled; uint32_t norm, written, pkey; } tterm;
static tterm *TT; /* indexed like TERMS */
static size_t TT_cap;
static unsigned *NORM_TYPES; /* per norm: bit 1 << letter index (p o l x) of the types seen (live or not) */
static size_t NORM_TYPES_cap;
static uint32_t *PK_STAR; /* per PKEYS id: the id of its form in every era */
static size_t PK_STAR_cap;

/* The type a field names a partial name under: a person's. */
static char eff_type(char c) { return c == AL_PARTIAL ? 'p' : c; }

static int letter_bit(char c) {
  switch (eff_type(c)) {
  case 'p': return 1;
  case 'o': return 2;
  case 'l': return 4;
  default: return 8;
  }
}

static uint32_t norm_intern(const char *s, size_t n) {
  uint32_t id = st_intern(&NORMS, s, n);
  if (id >= NORM_TYPES_cap) {
    size_t cap = NORM_TYPES_cap ? NORM_TYPES_cap * 2 : 4096;
    while (cap <= id) cap *= 2;
    NORM_TYPES = xrealloc(NORM_TYPES, cap * sizeof *NORM_TYPES);
    memset(NORM_TYPES + NORM_TYPES_cap, 0, (cap - NORM_TYPES_cap) * sizeof *NORM_TYPES);
    NORM_TYPES_cap = cap;
  }
  return id;
}

/* Split key k[0..n) (surname SEP class SEP era) at its separators: 0, or
** -1 when it has not exactly two, or no surname. */
static int pk_split(const char *k, size_t n, const char **s1, const char **s2) {
  *s1 = memchr(k, AL_SEP, n);
  *s2 = *s1 ? memchr(*s1 + 1, AL_SEP, (size_t)(k + n - *s1 - 1)) : NULL;
  if (!*s2 || *s1 == k || memchr(*s2 + 1, AL_SEP, (size_t)(k + n - *s2 - 1))) return -1;
  return 0;
}

/* The parts of key id into sur, cls and era (each at most 255 bytes). */
static void pk_parts(uint32_t id, char *sur, char *cls, char *era) {
  const char *k = PKEYS.s[id], *s1, *s2;
  size_t n = strlen(k);
  if (pk_split(k, n, &s1, &s2)) { sur[0] = cls[0] = era[0] = 0; return; }
  memcpy(sur, k, (size_t)(s1 - k));
  sur[s1 - k] = 0;
  memcpy(cls, s1 + 1, (size_t)(s2 - s1 - 1));
  cls[s2 - s1 - 1] = 0;
  memcpy(era, s2 + 1, (size_t)(k + n - s2 - 1));
  era[k + n - s2 - 1] = 0;
}

/* Intern a well-formed key, and its form in every era. */
static uint32_t pkey_intern(const char *k, size_t n) {
  const char *s1, *s2;
  pk_split(k, n, &s1, &s2);
  char star[300];
  size_t base = (size_t)(s2 - k) + 1;
  memcpy(star, k, base);
  star[base] = '*';
  uint32_t id = st_intern(&PKEYS, k, n), sid = st_intern(&PKEYS, star, base + 1);
  size_t need = (id > sid ? id : sid) + 1;
  if (need > PK_STAR_cap) {
    size_t cap = PK_STAR_cap ? PK_STAR_cap * 2 : 4096;
    while (cap < need) cap *= 2;
    PK_STAR = xrealloc(PK_STAR, cap * sizeof *PK_STAR);
    PK_STAR_cap = cap;
  }
  PK_STAR[id] = PK_STAR[sid] = sid;
  return id;
}

/* One evidence term of an article: form (PKEYS, its era's), full name
** (NORMS), the full name as written (WRITTEN). */
typedef struct tev { uint32_t form, full, written; } tev;

/* ---- the oracle's articles ------------------------------------------------- */

typedef struct tdoc {
  char *id, *title, *date, *source, *url, *body, *extra;
  int64_t secs;        /* NO_DATE if none */
  uint32_t *top;       /* topic term ids (TERMS), as lk_topic_terms lists them */
  size_t ntop;
  tev *ev;             /* evidence terms, as lk_topic_terms lists them */
  size_t nev;
  uint32_t *words;     /* analysed title and body terms (WORDS), sorted, unique */
  size_t nwords;
  int alive;
  int updated;         /* 1 + which sentence was appended; 0 if not re-added */
} tdoc;

static tdoc *D;
static size_t ND, D_cap;
static size_t N_FIX; /* the invented articles are D[0 .. N_FIX) */
static analyzer *AN;

static test_ids IDS;
static const char *id_of(size_t i) { return D[i].id; }
static long find_doc(const char *id) { return test_ids_find(&IDS, id, id_of); }
static void id_index_build(void) { test_ids_build(&IDS, ND, id_of); }

static nd_doc as_nd_doc(const tdoc *d) {
  nd_doc x = {0};
  x.id = d->id;
  x.title = d->title;
  x.date = d->date;
  x.source = d->source;
  x.url = d->url;
  x.body = d->body;
  x.extra_json = d->extra;
  return x;
}

typedef struct u32v { uint32_t *v; size_t n, cap; } u32v;
static void u32_push(u32v *a, uint32_t x) {
  if (a->n == a->cap) {
    a->cap = a->cap ? a->cap * 2 : 256;
    a->v = xrealloc(a->v, a->cap * sizeof *a->v);
  }
  a->v[a->n++] = x;
}
static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static int emit_word(void *ctx, const an_token *t) {
  u32_push(ctx, st_intern(&WORDS, t->term, t->len));
  return 0;
}

static uint32_t term_intern(const char *t, size_t n, char type, uint32_t norm, uint32_t written, uint32_t pkey,
                            int titled) {
  uint32_t id = st_intern(&TERMS, t, n);
  if (id >= TT_cap) {
    TT_cap = TT_cap ? TT_cap * 2 : 4096;
    TT = xrealloc(TT, TT_cap * sizeof *TT);
  }
  TT[id] = (tterm){type, (char)titled, norm, written, pkey};
  NORM_TYPES[norm] |= (unsigned)letter_bit(type);
  return id;
}

/* Add topic term id to d; NULL, or what is wrong: one term per key (the
** bytes after the type letter up to the separator: a topic's normalised
** name, a partial name's key) -- the facets count terms, so an article
** with "U.S." and "US" would count twice under "us". */
static const char *push_term(tdoc *d, uint32_t id) {
  for (size_t k = 0; k < d->ntop; k++) {
    const tterm *a = &TT[d->top[k]], *b = &TT[id];
    if ((a->type == AL_PARTIAL) == (b->type == AL_PARTIAL) &&
        (b->type == AL_PARTIAL ? a->pkey == b->pkey : a->norm == b->norm))
      return "a second term of one key";
  }
  d->top[d->ntop++] = id;
  return NULL;
}

/* 0x02 T key 0x1f written, T in p o l x. */
static const char *add_topic(tdoc *d, const char *t, size_t n) {
  const char *sep = memchr(t + 2, LK_TERM_SEP, n - 2);
  if (lk_letter_type(t[1]) < 0 || !sep || sep == t + 2) return "malformed";
  uint32_t norm = norm_intern(t + 2, (size_t)(sep - t - 2));
  uint32_t w = st_intern(&WRITTEN, sep + 1, (size_t)(t + n - sep - 1));
  return push_term(d, term_intern(t, n, t[1], norm, w, UINT32_MAX, 0));
}

/* Is the era part s2+1 .. e of a key the article's era? */
static int era_is(const char *s2, const char *e, const char *era) {
  return (size_t)(e - s2 - 1) == strlen(era) && !memcmp(s2 + 1, era, strlen(era));
}

/* 0x02 q surname SEP class SEP era 0x1f written. */
static const char *add_partial(tdoc *d, const char *t, size_t n, const char *era) {
  const char *k = t + 2, *sep = memchr(k, LK_TERM_SEP, n - 2), *s1, *s2;
  if (!sep || sep + 1 == t + n || pk_split(k, (size_t)(sep - k), &s1, &s2) || memchr(k, ' ', (size_t)(s1 - k)))
    return "malformed partial-name";
  if (!era_is(s2, sep, era)) return "partial name of another era in a";
  uint32_t norm = norm_intern(k, (size_t)(s1 - k));
  uint32_t w = st_intern(&WRITTEN, sep + 1, (size_t)(t + n - sep - 1));
  uint32_t pk = pkey_intern(k, (size_t)(sep - k));
  return push_term(d, term_intern(t, n, AL_PARTIAL, norm, w, pk, s2 > s1 + 1));
}

/* 0x03 surname SEP class SEP era 0x1f full 0x1f written: p[0..n) after the
** prefix byte. */
static const char *add_evidence(tdoc *d, const char *p, size_t n, const char *era) {
  const char *t1 = memchr(p, LK_TERM_SEP, n), *t2 = t1 ? memchr(t1 + 1, LK_TERM_SEP, (size_t)(p + n - t1 - 1)) : NULL;
  const char *s1, *s2;
  if (!t2 || t2 == t1 + 1 || t2 + 1 == p + n || !memchr(t1 + 1, ' ', (size_t)(t2 - t1 - 1)) ||
      pk_split(p, (size_t)(t1 - p), &s1, &s2) || memchr(p, ' ', (size_t)(s1 - p)))
    return "malformed evidence";
  if (!era_is(s2, t1, era)) return "evidence of another era in a";
  tev e = {pkey_intern(p, (size_t)(t1 - p)), norm_intern(t1 + 1, (size_t)(t2 - t1 - 1)),
           st_intern(&WRITTEN, t2 + 1, (size_t)(p + n - t2 - 1))};
  for (size_t k = 0; k < d->nev; k++)
    if (d->ev[k].form == e.form) return "a second evidence of one form in a";
  d->ev[d->nev++] = e;
  return NULL;
}

/* The oracle's truth about an article: its topic terms, partial names and
** evidence (lk_topic_terms on the nd_doc that nd_add is given) and its
** analysed words.  0, or -1 when lk_topic_terms fails or gives a term not
** of the documented form (alias.h, topic_terms.h): a partial name or
** evidence of another era than the article's, a topic term after the
** evidence, two terms of one key or two evidence terms of one form. */
static int tdoc_analyze(tdoc *d) {
  nd_doc x = as_nd_doc(d);
  d->secs = NO_DATE;
  if (d->date) {
    int64_t secs;
    char err[128];
    if (date_parse(d->date, strlen(d->date), &secs, err, sizeof err) == 0) d->secs = secs;
  }
  char era[8] = "";
  if (d->secs != NO_DATE) al_era(d->secs, era);
  buf b;
  buf_init(&b);
  int rc = lk_topic_terms(&x, &b) ? -1 : 0;
  free(d->top);
  free(d->ev);
  d->top = xmalloc((b.n + 1) * sizeof *d->top);
  d->ev = xmalloc((b.n + 1) * sizeof *d->ev);
  d->ntop = d->nev = 0;
  for (size_t at = 0; !rc && at < b.n; at += 1 + b.p[at]) {
    const char *t = (const char *)b.p + at + 1;
    size_t n = b.p[at];
    const char *why;
    if (at + 1 + n > b.n || n < 4) why = "malformed";
    else if (t[0] == SEG_ALIAS_PREFIX) why = add_evidence(d, t + 1, n - 1, era);
    else if (d->nev) why = "topic term after the evidence: a";
    else if (t[0] != SEG_TOPIC_PREFIX) why = "malformed";
    else if (t[1] == AL_PARTIAL) why = add_partial(d, t, n, era);
    else why = add_topic(d, t, n);
    if (why) {
      fprintf(stderr, "  lk_topic_terms(%s): %s term \"", d->id, why);
      for (size_t i = 0; i < n && at + 1 + i < b.n; i++)
        fprintf(stderr, (unsigned char)t[i] < 0x20 ? "\\x%02x" : "%c", (unsigned char)t[i]);
      fprintf(stderr, "\"\n");
      rc = -1;
    }
  }
  buf_free(&b);
  u32v v = {0};
  uint32_t pos = 0;
  if (d->title) an_analyze(AN, d->title, strlen(d->title), 0, emit_word, &v, &pos);
  an_analyze(AN, d->body, strlen(d->body), pos + 1, emit_word, &v, NULL);
  qsort(v.v, v.n, sizeof *v.v, cmp_u32);
  size_t k = 0;
  for (size_t i = 0; i < v.n; i++)
    if (!k || v.v[k - 1] != v.v[i]) v.v[k++] = v.v[i];
  free(d->words);
  d->words = v.v;
  d->nwords = k;
  return rc;
}

static int has_word(const tdoc *d, uint32_t w) {
  return bsearch(&w, d->words, d->nwords, sizeof w, cmp_u32) != NULL;
}

static void tdoc_free(tdoc *d) {
  free(d->id); free(d->title); free(d->date); free(d->source); free(d->url); free(d->body); free(d->extra);
  free(d->top); free(d->ev); free(d->words);
}
/* Loading: ingest callbacks. */
static int on_doc(void *ctx, const nd_doc *doc, const char *file, uint64_t line) {
  if (!doc->id) return 0;
  for (size_t i = 0; i < ND; i++) /* a thousand: fine, done once */
    if (!strcmp(D[i].id, doc->id)) return 0;
  if (ND == D_cap) {
    D_cap = D_cap ? D_cap * 2 : 1024;
    D = xrealloc(D, D_cap * sizeof *D);
  }
  tdoc *d = &D[ND++];
  memset(d, 0, sizeof *d);
  d->id = xstrdup(doc->id);
  d->title = xstrdup(doc->title);
  d->date = xstrdup(doc->date);
  d->source = xstrdup(doc->source);
  d->url = xstrdup(doc->url);
  d->body = xstrdup(doc->body ? doc->body : ""); /* a title-only article */
  d->extra = xstrdup(doc->extra_json);
  d->alive = 1;
  return 0;
}
static void on_err(void *ctx, const char *file, uint64_t line, const char *reason) {
  fprintf(stderr, "  ingest: %s:%llu: %s\n", file, (unsigned long long)line, reason);
}

/* ---- canonical entities: the evidence, summed and decided by brute force ---- */

/* Every version of an article ever added (nd_add), with its evidence: what
** the alias table counts while no merge has dropped the deleted ones. */
typedef struct vev { uint32_t ver; tev e; } vev;
static vev *EVA;
static size_t NEVA, EVA_cap;
static uint32_t NVER;

static void record_version(const tdoc *d) {
  for (size_t k = 0; k < d->nev; k++) {
    if (NEVA == EVA_cap) {
      EVA_cap = EVA_cap ? EVA_cap * 2 : 4096;
      EVA = xrealloc(EVA, EVA_cap * sizeof *EVA);
    }
    EVA[NEVA++] = (vev){NVER, d->ev[k]};
  }
  NVER++;
}

/* The evidence of the state: per form (PKEYS: in its era, and in every era)
** and full name, the articles in which they were one person. */
typedef struct apair { uint32_t form, full, n; } apair;
static apair *AP;
static size_t NAP;
static size_t *FORM_AT;  /* per PKEYS id: its pairs are AP[FORM_AT .. FORM_AT + FORM_NP) */
static uint32_t *FORM_NP;
static uint32_t *ASHOWN;   /* per NORMS id (a full name): its most frequent written form in the evidence */
static uint8_t *ASHOWN_TIE; /* ... tied with another */
/* Per TERMS id, in the state: what a partial name resolves to (NO_FULL:
** nothing), whether a tie left that to the library; every term's canonical
** name (NORMS), the form it is shown by (WRITTEN), and whether either is
** the library's choice. */
static uint32_t *RESF, *CANON, *SHOWN;
/* Per NORMS id: some form resolves to it (TOPF); the full name it stands
** for when written with middle initials ("donald j trump" -> "donald
** trump": the name without them is a TOPF and it is not), else NO_FULL. */
static uint8_t *TOPF;
static uint32_t *MERGE;
static uint8_t *RES_UNSURE, *UNSURE;

static int cmp_apair(const void *a, const void *b) {
  const apair *x = a, *y = b;
  if (x->form != y->form) return x->form < y->form ? -1 : 1;
  return x->full < y->full ? -1 : x->full > y->full;
}

static int cmp_vev_shown(const void *a, const void *b) { /* by full name, written form, version */
  const vev *x = a, *y = b;
  if (x->e.full != y->e.full) return x->e.full < y->e.full ? -1 : 1;
  if (x->e.written != y->e.written) return x->e.written < y->e.written ? -1 : 1;
  return x->ver < y->ver ? -1 : x->ver > y->ver;
}

/* Are full names a and b variants of one name: the shorter (a if they are
** as long) is two words, the other has the same first and last words with
** only initials (one-byte words) between them ("donald trump", "donald j
** trump"; not "george w bush" and "george h w bush")? */
static int same_first_last(const char *a, const char *b) {
  if (strlen(a) > strlen(b)) {
    const char *x = a;
    a = b;
    b = x;
  }
  const char *fa = strchr(a, ' '), *fb = strchr(b, ' ');
  if (!fa || !fb || strchr(fa + 1, ' ') || fa - a != fb - b || memcmp(a, b, (size_t)(fa - a))) return 0;
  const char *lb = strrchr(b, ' ');
  if (strcmp(fa, lb)) return 0; /* the last words, with their space */
  for (const char *w = fb + 1; w < lb; w++) /* the middle: words of one byte */
    if (*w != ' ' && w[1] != ' ') return 0;
  return 1;
}

/* Which of two full names with as much evidence the library takes: the
** one of fewer words, then the smaller in byte order. */
static int name_before(const char *a, const char *b) {
  size_t wa = 1, wb = 1;
  for (const char *x = a; *x; x++) wa += *x == ' ';
  for (const char *x = b; *x; x++) wb += *x == ' ';
  return wa != wb ? wa < wb : strcmp(a, b) < 0;
}

/* Where full names tie for the most evidence and would decide
** differently, the library takes one (the first in its order): the
** oracle takes outcome TIE_PICK (0 unless trying the others), and an
** evaluation counts the ties it met (TIE_N) and their widest choice. */
#define TIE_MAX 4
static size_t TIE_PICK, TIE_N, TIE_WIDTH;

/* What form f says: -1 nothing (evidence from too few articles), else 0
** unresolved or 1 resolved, with r->full; r->unsure the number of
** different outcomes when full names tied for the most evidence would
** decide differently (0 when they would not). */
typedef struct res { uint32_t full; int unsure; } res;
static int form_decides(uint32_t f, res *r) {
  if (f == UINT32_MAX || f >= PKEYS.n || !FORM_NP[f]) return -1;
  const apair *p = AP + FORM_AT[f];
  size_t np = FORM_NP[f];
  uint64_t total = 0, best = 0;
  for (size_t i = 0; i < np; i++) {
    total += p[i].n;
    if (p[i].n > best) best = p[i].n;
  }
  if (total < AL_MIN_ARTICLES) return -1;
  uint32_t outs[TIE_MAX];
  size_t nout = 0;
  for (size_t i = 0; i < np; i++) {
    if (p[i].n != best) continue;
    uint64_t support = 0;
    for (size_t j = 0; j < np; j++)
      if (p[j].full == p[i].full || same_first_last(NORMS.s[p[i].full], NORMS.s[p[j].full])) support += p[j].n;
    uint32_t out = (double)support >= AL_MIN_SHARE * (double)total ? p[i].full : NO_FULL;
    size_t k = 0;
    while (k < nout && outs[k] != out) k++;
    if (k == nout && nout < TIE_MAX) outs[nout++] = out;
  }
  r->full = outs[TIE_PICK < nout ? TIE_PICK : 0];
  r->unsure = nout > 1 ? (int)nout : 0;
  return r->full != NO_FULL;
}

static uint32_t form_of(const char *sur, const char *cls, const char *era) {
  char k[600];
  int n = snprintf(k, sizeof k, "%s%c%s%c%s", sur, AL_SEP, cls, AL_SEP, era);
  return n > 0 && (size_t)n < sizeof k ? st_find(&PKEYS, k, (size_t)n) : UINT32_MAX;
}

/* Resolve partial name (sur, cls, era): (sur, cls) in era, then in every
** era; then, for a title, the bare surname likewise; the first with
** enough evidence decides. */
static res resolve(const char *sur, const char *cls, const char *era) {
  res r = {NO_FULL, 0};
  for (int bare = cls[0] ? 0 : 1; bare < 2; bare++) {
    const char *c = bare ? "" : cls;
    int says = -1;
    if (era[0]) says = form_decides(form_of(sur, c, era), &r);
    if (says < 0) says = form_decides(form_of(sur, c, "*"), &r);
    if (says >= 0) return r;
  }
  r.full = NO_FULL;
  r.unsure = 0;
  return r;
}

/* The state's evidence: v[0..n), from `versions` article versions
** (distinct ver); then every partial name resolved, and every term's
** canonical name. */
static void build_aliases(vev *v, size_t n, size_t versions, const char *state) {
  free(AP);
  AP = xmalloc((2 * n + 1) * sizeof *AP);
  NAP = 0;
  for (size_t i = 0; i < n; i++) {
    AP[NAP++] = (apair){v[i].e.form, v[i].e.full, 1};
    AP[NAP++] = (apair){PK_STAR[v[i].e.form], v[i].e.full, 1};
  }
  qsort(AP, NAP, sizeof *AP, cmp_apair);
  size_t m = 0;
  for (size_t i = 0; i < NAP; i++) {
    if (m && AP[m - 1].form == AP[i].form && AP[m - 1].full == AP[i].full) AP[m - 1].n += AP[i].n;
    else AP[m++] = AP[i];
  }
  NAP = m;
  free(FORM_AT);
  free(FORM_NP);
  FORM_AT = calloc(PKEYS.n + 1, sizeof *FORM_AT);
  FORM_NP = calloc(PKEYS.n + 1, sizeof *FORM_NP);
  if (!FORM_AT || !FORM_NP) exit(2);
  for (size_t i = 0; i < NAP; i++) {
    if (!FORM_NP[AP[i].form]) FORM_AT[AP[i].form] = i;
    FORM_NP[AP[i].form]++;
  }
  /* the shown form of each full name: written so in the most article
  ** versions (ties noted; the smaller byte string kept) */
  free(ASHOWN);
  free(ASHOWN_TIE);
  ASHOWN = xmalloc((NORMS.n + 1) * sizeof *ASHOWN);
  ASHOWN_TIE = calloc(NORMS.n + 1, 1);
  uint64_t *best = calloc(NORMS.n + 1, sizeof *best);
  uint8_t *nforms = calloc(NORMS.n + 1, 1);
  if (!ASHOWN_TIE || !best || !nforms) exit(2);
  for (size_t i = 0; i < NORMS.n; i++) ASHOWN[i] = UINT32_MAX;
  qsort(v, n, sizeof *v, cmp_vev_shown);
  for (size_t i = 0, j; i < n; i = j) {
    uint64_t arts = 0;
    for (j = i; j < n && v[j].e.full == v[i].e.full && v[j].e.written == v[i].e.written; j++)
      arts += j == i || v[j].ver != v[j - 1].ver;
    uint32_t F = v[i].e.full, w = v[i].e.written;
    if (nforms[F] < 255) nforms[F]++;
    if (ASHOWN[F] == UINT32_MAX || arts > best[F]) {
      ASHOWN[F] = w;
      best[F] = arts;
      ASHOWN_TIE[F] = 0;
    } else if (arts == best[F]) {
      ASHOWN_TIE[F] = 1;
      if (strcmp(WRITTEN.s[w], WRITTEN.s[ASHOWN[F]]) < 0) ASHOWN[F] = w;
    }
  }
  size_t several = 0, ties = 0;
  for (size_t i = 0; i < NORMS.n; i++) several += nforms[i] > 1, ties += ASHOWN_TIE[i];
  free(best);
  free(nforms);
  /* names with middle initials */
  free(TOPF);
  free(MERGE);
  TOPF = calloc(NORMS.n + 1, 1);
  MERGE = xmalloc((NORMS.n + 1) * sizeof *MERGE);
  if (!TOPF) exit(2);
  for (size_t f = 0; f < PKEYS.n; f++) { /* ties as the library breaks them: fewer words, then bytes */
    res r;
    if (!FORM_NP[f] || form_decides((uint32_t)f, &r) < 0) continue;
    const apair *p = AP + FORM_AT[f];
    uint32_t topf = UINT32_MAX, bn = 0;
    uint64_t total = 0, support = 0;
    for (size_t i = 0; i < FORM_NP[f]; i++) {
      total += p[i].n;
      if (p[i].n > bn || (p[i].n == bn && name_before(NORMS.s[p[i].full], NORMS.s[topf]))) {
        topf = p[i].full;
        bn = p[i].n;
      }
    }
    for (size_t i = 0; i < FORM_NP[f]; i++)
      if (p[i].full == topf || same_first_last(NORMS.s[topf], NORMS.s[p[i].full])) support += p[i].n;
    if ((double)support >= AL_MIN_SHARE * (double)total) TOPF[topf] = 1;
  }
  size_t merged = 0;
  for (size_t g = 0; g < NORMS.n; g++) {
    MERGE[g] = NO_FULL;
    const char *G = NORMS.s[g], *a = strchr(G, ' '), *z = strrchr(G, ' ');
    if (!a || a == z || TOPF[g]) continue;
    int initials = 1;
    for (const char *w = a + 1; w < z && initials; w += 2) initials = w[1] == ' ';
    const char *last = z + 1;
    if (!initials || !strcmp(last, "jr") || !strcmp(last, "sr") || !strcmp(last, "ii") || !strcmp(last, "iii")) continue;
    char T[512];
    snprintf(T, sizeof T, "%.*s%s", (int)(a - G), G, z);
    uint32_t tid = st_find(&NORMS, T, strlen(T));
    if (tid != UINT32_MAX && TOPF[tid]) { MERGE[g] = tid; merged++; }
  }
  fprintf(stderr, "  aliases (%s): %zu names with middle initials stand for the name without them\n", state, merged);
  /* every term */
  free(RESF); free(CANON); free(SHOWN); free(RES_UNSURE); free(UNSURE);
  RESF = xmalloc((TERMS.n + 1) * sizeof *RESF);
  CANON = xmalloc((TERMS.n + 1) * sizeof *CANON);
  SHOWN = xmalloc((TERMS.n + 1) * sizeof *SHOWN);
  RES_UNSURE = calloc(TERMS.n + 1, 1);
  UNSURE = calloc(TERMS.n + 1, 1);
  if (!RES_UNSURE || !UNSURE) exit(2);
  size_t partials = 0, resolved = 0, unsure = 0, titled = 0, titled_resolved = 0;
  for (size_t t = 0; t < TERMS.n; t++) {
    const tterm *x = &TT[t];
    RESF[t] = NO_FULL;
    CANON[t] = x->type == 'p' && MERGE[x->norm] != NO_FULL ? MERGE[x->norm] : x->norm;
    SHOWN[t] = x->written;
    if (x->type != AL_PARTIAL) continue;
    char sur[256], cls[256], era[256];
    pk_parts(x->pkey, sur, cls, era);
    res r = resolve(sur, cls, era);
    RESF[t] = r.full;
    RES_UNSURE[t] = (uint8_t)r.unsure;
    if (r.full != NO_FULL) {
      CANON[t] = r.full;
      SHOWN[t] = ASHOWN[r.full];
    }
    UNSURE[t] = (uint8_t)(r.unsure || (r.full != NO_FULL && ASHOWN_TIE[r.full]));
    partials++;
    resolved += r.full != NO_FULL;
    unsure += r.unsure != 0;
    titled += x->titled;
    titled_resolved += x->titled && r.full != NO_FULL;
  }
  size_t forms = 0;
  for (size_t i = 0; i < PKEYS.n; i++) forms += FORM_NP[i] != 0;
  fprintf(stderr, "  aliases (%s): %zu evidence terms of %zu article versions, %zu forms (with every-era ones), "
          "%zu (form, full name) pairs; %zu partial-name terms, %zu resolved (%zu of %zu with a title), %zu decided by a "
          "tie; %zu full names written several ways, %zu with tied written forms\n", state, n, versions, forms, NAP,
          partials, resolved, titled_resolved, titled, unsure, several, ties);
}

/* The state-1 evidence: every version ever added. */
static void build_aliases_all_versions(void) {
  vev *v = xmalloc((NEVA + 1) * sizeof *v);
  memcpy(v, EVA, NEVA * sizeof *v);
  build_aliases(v, NEVA, NVER, "1: every version added");
  free(v);
}

/* After a merge of everything: the live articles' evidence. */
static void build_aliases_live(void) {
  size_t n = 0, live = 0;
  for (size_t i = 0; i < ND; i++) n += D[i].alive ? D[i].nev : 0, live += D[i].alive;
  vev *v = xmalloc((n + 1) * sizeof *v);
  n = 0;
  for (size_t i = 0; i < ND; i++)
    for (size_t k = 0; D[i].alive && k < D[i].nev; k++) v[n++] = (vev){(uint32_t)i, D[i].ev[k]};
  build_aliases(v, n, live, "2: the live articles");
  free(v);
}

/* Does article i name full name F only by a title and its surname: a
** partial name with a title resolving to F, no topic of F's own? */
static int title_only(size_t i, uint32_t F) {
  int titled = 0;
  for (size_t k = 0; k < D[i].ntop; k++) {
    uint32_t t = D[i].top[k];
    if (TT[t].type == 'p' && TT[t].norm == F) return 0;
    titled |= TT[t].type == AL_PARTIAL && TT[t].titled && RESF[t] == F;
  }
  return titled;
}

/* ---- expected sets ---------------------------------------------------------- */

/* A set of articles: one byte per oracle article. */
typedef uint8_t *dset;
static dset ds_new(void) {
  dset s = calloc(ND ? ND : 1, 1);
  if (!s) exit(2);
  return s;
}

/* The types a field allows, as letters. */
static const char *field_types(const char *field) {
  if (!strcmp(field, "person")) return "p";
  if (!strcmp(field, "org") || !strcmp(field, "organisation") || !strcmp(field, "organization")) return "o";
  if (!strcmp(field, "place")) return "l";
  return "plox";
}

/* Live articles with a topic of one of `types` whose normalised name starts
** with `norm` (a partial name is no topic to a prefix: its type is none of
** the fields'). */
static dset ds_prefix(const char *types, const char *norm) {
  dset s = ds_new();
  size_t nn = strlen(norm);
  for (size_t i = 0; i < ND; i++) {
    if (!D[i].alive) continue;
    for (size_t k = 0; k < D[i].ntop && !s[i]; k++) {
      const tterm *t = &TT[D[i].top[k]];
      s[i] = strchr(types, t->type) && !strncmp(NORMS.s[t->norm], norm, nn);
    }
  }
  return s;
}

/* How many distinct topic terms of the archive a prefix matches (deleted
** articles' too: they stay in the dictionary until a merge drops them). */
static size_t prefix_terms(const char *types, const char *norm) {
  size_t n = 0, nn = strlen(norm);
  for (size_t i = 0; i < TERMS.n; i++) n += strchr(types, TT[i].type) && !strncmp(NORMS.s[TT[i].norm], norm, nn);
  return n;
}

/* Does normalised name `name` have the word w (as one of its words)? */
static int has_name_word(const char *name, const char *w) {
  size_t n = strlen(w);
  for (const char *p = name; (p = strstr(p, w)); p++)
    if ((p == name || p[-1] == ' ') && (p[n] == 0 || p[n] == ' ')) return 1;
  return 0;
}

/* Live articles a topic field's name finds: `qn` is the query's name,
** normalised.  Organisations, places and other topics: a topic of the
** field's types with that name.  When the field takes persons (topic:,
** person:), a leading title word is dropped; a name of one word left is
** resolved like an undated partial name: when it resolves to F, or when
** it has several words (F is the name), the articles with the person
** topic F or a partial name resolving to F; when it does not, the
** articles with a partial name of that surname that does not resolve
** (person: only one that had a title: a bare one may be a capitalised
** word of the text and no person).
** *unsure gets bit 1 when a tie the library decides for an article's
** partial name could change the set, bit 2 for the query's own name. */
static dset ds_name(const char *field, const char *qn, int *unsure) {
  dset s = ds_new();
  const char *types = field_types(field), *name = qn, *sp = strchr(qn, ' ');
  int person = strchr(types, 'p') != NULL, person_only = !strcmp(types, "p");
  char cls[64] = "";
  if (person && sp && al_title_class(qn, (size_t)(sp - qn), cls, sizeof cls)) name = sp + 1;
  else cls[0] = 0;
  uint32_t qid = st_find(&NORMS, qn, strlen(qn)), nid = st_find(&NORMS, name, strlen(name)), F = nid;
  int unresolved = 0;
  if (person && !strchr(name, ' ')) {
    res r = resolve(name, cls, "");
    if (r.unsure) { /* the query's own name: each outcome is tried (evaluate_all) */
      *unsure |= 2;
      TIE_N++;
      if ((size_t)r.unsure > TIE_WIDTH) TIE_WIDTH = (size_t)r.unsure;
    }
    F = r.full;
    unresolved = F == NO_FULL;
  }
  for (size_t i = 0; i < ND; i++) {
    if (!D[i].alive) continue;
    for (size_t k = 0; k < D[i].ntop && !s[i]; k++) {
      uint32_t t = D[i].top[k];
      const tterm *x = &TT[t];
      if (x->type == AL_PARTIAL) {
        if (!person) continue;
        if (RES_UNSURE[t] && has_name_word(name, NORMS.s[x->norm])) *unsure |= 1;
        /* person: takes an unresolved one only with a title: else it may
        ** be a capitalised word and no person */
        s[i] = unresolved ? x->norm == nid && RESF[t] == NO_FULL && (x->titled || !person_only)
                          : F != NO_FULL && RESF[t] == F;
      } else if (x->type == 'p') {
        uint32_t want = unresolved ? nid : F;
        if (want != UINT32_MAX && want != NO_FULL && MERGE[want] != NO_FULL) want = MERGE[want];
        uint32_t have = MERGE[x->norm] != NO_FULL ? MERGE[x->norm] : x->norm;
        s[i] = person && want != UINT32_MAX && have == want;
      } else {
        s[i] = strchr(types, x->type) && qid != UINT32_MAX && x->norm == qid;
      }
    }
  }
  return s;
}

static dset ds_word(uint32_t w) {
  dset s = ds_new();
  for (size_t i = 0; i < ND; i++) s[i] = D[i].alive && has_word(&D[i], w);
  return s;
}

/* Live articles dated within [lo, hi]. */
static dset ds_date(int64_t lo, int64_t hi) {
  dset s = ds_new();
  for (size_t i = 0; i < ND; i++) s[i] = D[i].alive && D[i].secs != NO_DATE && D[i].secs >= lo && D[i].secs <= hi;
  return s;
}

static int64_t year_start(int64_t y) { return date_days_from_civil(y, 1, 1) * 86400; }

static dset ds_and(dset a, dset b) { for (size_t i = 0; i < ND; i++) a[i] = a[i] && b[i]; free(b); return a; }
static dset ds_or(dset a, dset b) { for (size_t i = 0; i < ND; i++) a[i] = a[i] || b[i]; free(b); return a; }
static dset ds_andnot(dset a, dset b) { for (size_t i = 0; i < ND; i++) a[i] = a[i] && !b[i]; free(b); return a; }
static size_t ds_count(const uint8_t *s) {
  size_t n = 0;
  for (size_t i = 0; i < ND; i++) n += s[i];
  return n;
}

/* What a query finds, as an expression over the oracle's sets: evaluated
** again in each state (the evidence, so the resolved names, differ). */
enum { X_NAME, X_PREFIX, X_WORD, X_DATE, X_AND, X_OR, X_ANDNOT };
typedef struct qx {
  int op;
  char field[16];
  char *norm;      /* X_NAME, X_PREFIX: the normalised name or prefix */
  uint32_t word;   /* X_WORD */
  int64_t lo, hi;  /* X_DATE */
  struct qx *a, *b;
} qx;

static qx *qx_new(int op) {
  qx *x = calloc(1, sizeof *x);
  if (!x) exit(2);
  x->op = op;
  return x;
}
static qx *qx_field(int op, const char *field, char *norm) {
  qx *x = qx_new(op);
  snprintf(x->field, sizeof x->field, "%s", field);
  x->norm = norm;
  return x;
}
/* A topic field's name as a query gives it, normalised as the query
** language says: a country by any of its names is the country (the
** gazetteer's canonical name), then lk_norm. */
static char *query_norm(const char *text) {
  size_t cn;
  const char *canon = gaz_load() ? NULL : gaz_country(text, strlen(text), &cn);
  if (!canon) return norm_of(text);
  char *c = xstrndup(canon, cn), *n = norm_of(c);
  free(c);
  return n;
}
static qx *qx_name(const char *field, const char *text) { return qx_field(X_NAME, field, query_norm(text)); }
static qx *qx_prefix(const char *field, const char *norm) { return qx_field(X_PREFIX, field, xstrdup(norm)); }
static qx *qx_word(uint32_t w) {
  qx *x = qx_new(X_WORD);
  x->word = w;
  return x;
}
static qx *qx_date(int64_t lo, int64_t hi) {
  qx *x = qx_new(X_DATE);
  x->lo = lo;
  x->hi = hi;
  return x;
}
static qx *qx_op(int op, qx *a, qx *b) {
  qx *x = qx_new(op);
  x->a = a;
  x->b = b;
  return x;
}
static void qx_free(qx *x) {
  if (!x) return;
  qx_free(x->a);
  qx_free(x->b);
  free(x->norm);
  free(x);
}

static dset eval(const qx *x, int *unsure) {
  switch (x->op) {
  case X_NAME: return ds_name(x->field, x->norm, unsure);
  case X_PREFIX: return ds_prefix(field_types(x->field), x->norm);
  case X_WORD: return ds_word(x->word);
  case X_DATE: return ds_date(x->lo, x->hi);
  case X_AND: return ds_and(eval(x->a, unsure), eval(x->b, unsure));
  case X_OR: return ds_or(eval(x->a, unsure), eval(x->b, unsure));
  default: return ds_andnot(eval(x->a, unsure), eval(x->b, unsure));
  }
}

/* ---- the queries ------------------------------------------------------------- */

enum { K_WRITTEN, K_CASE, K_TYPED, K_WRONGTYPE, K_WORD, K_PREFIX, K_AND, K_OR, K_NOT, K_GROUP, K_BODYWORD, K_DATE,
       K_NESTED, K_FULLNAME, K_TITLED, K_SURNAME, K_NKINDS };
static const char *const KIND_NAMES[K_NKINDS] = {"written", "other-case", "typed", "wrong-type", "unquoted",
                                                 "prefix", "and", "or", "not", "group", "body-word", "date",
                                                 "nested", "full-name", "titled", "surname"};

typedef struct tquery {
  char *text;
  qx *x;
  dset want;   /* in the current state */
  dset alt[TIE_MAX]; /* ... or one of these, when the query's name is a tie the library decides */
  size_t nalt;
  int unsure;  /* the set depends on ties the library decides, beyond that: left out */
  int kind;
  uint32_t full; /* K_FULLNAME: the full name (NORMS); else UINT32_MAX */
} tquery;

static tquery *Q;
static size_t NQ, Q_cap;
static size_t KIND_COUNT[K_NKINDS];

static tquery *add_query(int kind, char *text, qx *x) {
  if (NQ == Q_cap) {
    Q_cap = Q_cap ? Q_cap * 2 : 1024;
    Q = xrealloc(Q, Q_cap * sizeof *Q);
  }
  Q[NQ] = (tquery){text, x, NULL, {NULL}, 0, 0, kind, UINT32_MAX};
  KIND_COUNT[kind]++;
  return &Q[NQ++];
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...) {
  va_list ap;
  va_start(ap, f);
  char *s = NULL;
  if (vasprintf(&s, f, ap) < 0) exit(2);
  va_end(ap);
  return s;
}

/* Upper- or lower-case every letter of s (utf8proc simple case mapping). */
static char *recase(const char *s, int upper) {
  size_t n = strlen(s);
  char *out = xmalloc(n * 4 + 1);
  size_t o = 0;
  const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
  for (size_t i = 0; i < n;) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate(p + i, (utf8proc_ssize_t)(n - i), &cp);
    if (k <= 0) { out[o++] = s[i++]; continue; }
    cp = upper ? utf8proc_toupper(cp) : utf8proc_tolower(cp);
    o += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)out + o);
    i += (size_t)k;
  }
  out[o] = 0;
  return out;
}

/* Can s stand inside a query's quotes?  (No quote character, no control.) */
static int quotable(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p == '"' || *p < 0x20) return 0;
  return *s != 0;
}

/* Can s be a topic field's operand without quotes: one word of letters,
** digits, periods and apostrophes, not starting with '-', not ending in '*'. */
static int bare_word(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (!(*p >= 0x80 || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
          *p == '.' || *p == '\''))
      return 0;
  return *s != 0;
}

static const char *typed_field(char type, size_t turn) {
  static const char *const orgs[] = {"org", "organisation", "organization"};
  switch (eff_type(type)) {
  case 'p': return "person";
  case 'o': return orgs[turn % 3];
  case 'l': return "place";
  default: return "topic";
  }
}

/* The live articles of a topic term's normalised name (any type). */
static size_t live_docs_of_norm(uint32_t norm, size_t *out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < ND; i++) {
    if (!D[i].alive) continue;
    int has = 0;
    for (size_t k = 0; k < D[i].ntop && !has; k++) has = TT[D[i].top[k]].norm == norm;
    if (has) {
      if (n < cap) out[n] = i;
      n++;
    }
  }
  return n;
}

/* A topic term of article d other than norm `skip`, usable in a query;
** UINT32_MAX if none. */
static uint32_t other_topic(const tdoc *d, uint32_t skip) {
  if (!d->ntop) return UINT32_MAX;
  size_t s = rn(d->ntop);
  for (size_t k = 0; k < d->ntop; k++) {
    uint32_t t = d->top[(s + k) % d->ntop];
    if (TT[t].norm != skip && quotable(WRITTEN.s[TT[t].written]) && strlen(NORMS.s[TT[t].norm]) <= QUERY_TOPIC_MAX)
      return t;
  }
  return UINT32_MAX;
}

/* A body word of d (lower-case ASCII letters, 4-12 of them) that the
** analyzer makes one term of; UINT32_MAX if none found.  *text gets it. */
static int one_term(void *ctx, const an_token *t) {
  uint32_t *w = ctx;
  w[1]++;
  w[0] = st_find(&WORDS, t->term, t->len);
  return 0;
}
static uint32_t body_word(const tdoc *d, char *text, size_t cap) {
  size_t n = strlen(d->body);
  for (int tries = 0; tries < 20 && n > 20; tries++) {
    size_t i = rn(n);
    while (i < n && !(d->body[i] >= 'a' && d->body[i] <= 'z')) i++;
    while (i > 0 && d->body[i - 1] >= 'a' && d->body[i - 1] <= 'z') i--;
    size_t e = i;
    while (e < n && d->body[e] >= 'a' && d->body[e] <= 'z') e++;
    if (e - i < 4 || e - i > 12 || e - i >= cap) continue;
    if (i > 0 && ((unsigned char)d->body[i - 1] >= 0x80 || (d->body[i - 1] >= 'A' && d->body[i - 1] <= 'Z')))
      continue; /* part of a longer word */
    if (e < n && (unsigned char)d->body[e] >= 0x80) continue;
    memcpy(text, d->body + i, e - i);
    text[e - i] = 0;
    uint32_t w[2] = {UINT32_MAX, 0};
    an_analyze(AN, text, e - i, 0, one_term, w, NULL);
    if (w[1] == 1 && w[0] != UINT32_MAX && has_word(d, w[0])) return w[0];
  }
  return UINT32_MAX;
}

/* The year of an article's date, or 0. */
static int64_t year_of(const tdoc *d) {
  if (d->secs == NO_DATE) return 0;
  int64_t y;
  unsigned m, dd;
  date_civil_from_days(d->secs / 86400 - (d->secs % 86400 < 0), &y, &m, &dd);
  return y;
}

static int has_nonascii(const char *s) {
  for (; *s; s++)
    if ((unsigned char)*s >= 0x80) return 1;
  return 0;
}

/* Names to query: topic terms picked from the oracle in categories (non-
** ASCII, with periods, several words, several types, typed), so that the
** hard cases are there whatever the PRNG draws, then any; one per
** normalised name. */
static size_t pick_names(uint32_t *out, size_t want) {
  /* candidates: usable in a query, one per normalised name */
  uint8_t *usednorm = calloc(NORMS.n + 1, 1);
  uint8_t *live = calloc(TERMS.n + 1, 1);
  if (!usednorm || !live) exit(2);
  for (size_t i = 0; i < ND; i++)
    if (D[i].alive)
      for (size_t k = 0; k < D[i].ntop; k++) live[D[i].top[k]] = 1;
  size_t n = 0;
  /* category quotas, then anything */
  for (int cat = 0; cat < 6 && n < want; cat++) {
    size_t quota = cat == 5 ? want - n : want / 8;
    size_t got = 0;
    size_t start = rn(TERMS.n);
    for (size_t j = 0; j < TERMS.n && got < quota && n < want; j++) {
      size_t t = (start + j * 7919) % TERMS.n; /* a prime stride: a spread-out walk */
      if (cat == 5) t = rn(TERMS.n);
      const tterm *x = &TT[t];
      const char *w = WRITTEN.s[x->written], *nm = NORMS.s[x->norm];
      if (usednorm[x->norm] || !quotable(w) || strlen(nm) > QUERY_TOPIC_MAX) continue;
      int ok = 0;
      switch (cat) {
      case 0: ok = has_nonascii(w); break;
      case 1: ok = strchr(w, '.') != NULL; break;
      case 2: ok = strchr(nm, ' ') != NULL; break;
      case 3: { unsigned b = NORM_TYPES[x->norm]; ok = (b & (b - 1)) != 0; break; } /* several types */
      case 4: ok = x->type != 'x'; break;
      default: ok = 1;
      }
      if (!ok || (cat != 3 && !live[t] && rn(4))) continue; /* mostly live ones; some only deleted */
      usednorm[x->norm] = 1;
      out[n++] = (uint32_t)t;
      got++;
    }
  }
  free(usednorm);
  free(live);
  return n;
}

/* A prefix of 2-5 characters of the first word of norm, letters and digits
** only; 0 if none. */
static int make_prefix(const char *norm, char *out, size_t cap) {
  size_t chars = 2 + rn(4), i = 0, c = 0;
  while (norm[i] && c < chars) {
    unsigned char b = (unsigned char)norm[i];
    size_t k = b < 0x80 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    if (b < 0x80 && !((b >= 'a' && b <= 'z') || (b >= '0' && b <= '9'))) break;
    if (i + k >= cap) break;
    i += k;
    c++;
  }
  if (c < 2) return 0;
  memcpy(out, norm, i);
  out[i] = 0;
  return 1;
}

/* Split "field:operand" (fixed queries of this file): the field into
** field[0..cap), returns the operand. */
static const char *split_field(const char *q, char *field, size_t cap) {
  size_t n = strcspn(q, ":");
  if (n >= cap) n = cap - 1;
  memcpy(field, q, n);
  field[n] = 0;
  return q[n] ? q + n + 1 : q + n;
}

static void add_topic_query(int kind, const char *field, const char *text, int quoted) {
  char *norm = query_norm(text);
  int ok = *norm && strlen(norm) <= QUERY_TOPIC_MAX;
  free(norm);
  if (ok) add_query(kind, quoted ? fmt("%s:\"%s\"", field, text) : fmt("%s:%s", field, text), qx_name(field, text));
}

/* A clause naming topic term t: its text and what it finds. */
static char *clause(uint32_t t, qx **x, int typed) {
  const char *field = typed ? typed_field(TT[t].type, rn(3)) : "topic";
  const char *w = WRITTEN.s[TT[t].written];
  *x = qx_name(field, w);
  return fmt("%s:\"%s\"", field, w);
}

static void generate_queries(void) {
  size_t want = 300;
  uint32_t *names = xmalloc(want * sizeof *names);
  size_t nn = pick_names(names, want), cats[5] = {0};
  for (size_t i = 0; i < nn; i++) {
    const char *w = WRITTEN.s[TT[names[i]].written], *nm = NORMS.s[TT[names[i]].norm];
    unsigned b = NORM_TYPES[TT[names[i]].norm];
    cats[0] += has_nonascii(w);
    cats[1] += strchr(w, '.') != NULL;
    cats[2] += strchr(nm, ' ') != NULL;
    cats[3] += (b & (b - 1)) != 0;
    cats[4] += TT[names[i]].type == AL_PARTIAL;
  }
  fprintf(stderr, "  %zu names: %zu with non-ASCII letters, %zu with periods, %zu of several words, %zu of several "
          "types, %zu partial names\n", nn, cats[0], cats[1], cats[2], cats[3], cats[4]);
  size_t docs[64];
  for (size_t i = 0; i < nn; i++) {
    uint32_t t = names[i];
    const tterm *x = &TT[t];
    const char *w = WRITTEN.s[x->written], *nm = NORMS.s[x->norm];
    char type = eff_type(x->type);
    /* as written; in another case */
    add_topic_query(K_WRITTEN, "topic", w, 1);
    char *other = recase(w, rn(2));
    if (!strcmp(other, w)) { free(other); other = recase(w, 0); }
    if (!strcmp(other, w)) { free(other); other = recase(w, 1); }
    add_topic_query(K_CASE, "topic", other, 1);
    free(other);
    /* its own type's field; a wrong one (prefer a type the name also has) */
    if (type != 'x') add_topic_query(K_TYPED, typed_field(type, i), w, 1);
    static const char wrongs[] = "pol";
    char wt = 0;
    for (int k = 0; k < 3 && !wt; k++)
      if (wrongs[k] != type && (NORM_TYPES[x->norm] & (unsigned)letter_bit(wrongs[k]))) wt = wrongs[k];
    if (!wt) do wt = wrongs[rn(3)]; while (wt == type);
    add_topic_query(K_WRONGTYPE, typed_field(wt, i), w, 1);
    if (bare_word(w) && w[0] != '\'') add_topic_query(K_WORD, i % 2 ? "topic" : typed_field(type, i), w, 0);
    /* a prefix: topic: or the typed field, sometimes in capitals */
    char pfx[32];
    if (i % 2 == 0 && make_prefix(nm, pfx, sizeof pfx)) {
      const char *field = rn(3) == 0 ? typed_field(type, i) : "topic";
      char *ptext = rn(3) == 0 ? recase(pfx, 1) : xstrdup(pfx);
      char *pn = norm_of(ptext);
      if (prefix_terms(field_types(field), pn) <= PREFIX_TERMS_MAX)
        add_query(K_PREFIX, fmt("%s:%s*", field, ptext), qx_prefix(field, pn));
      free(pn);
      free(ptext);
    }
    /* combinations, for every other name */
    if (i % 2) continue;
    size_t nd = live_docs_of_norm(x->norm, docs, sizeof docs / sizeof *docs);
    if (nd > sizeof docs / sizeof *docs) nd = sizeof docs / sizeof *docs;
    const tdoc *d = nd ? &D[docs[rn(nd)]] : &D[rn(ND)];
    qx *a, *b, *c;
    uint32_t u = other_topic(d, x->norm), v = (uint32_t)rn(TERMS.n);
    if (u != UINT32_MAX) {
      char *ca = clause(t, &a, 0), *cb = clause(u, &b, rn(2));
      add_query(K_AND, fmt("%s AND %s", ca, cb), qx_op(X_AND, a, b));
      free(ca); free(cb);
      ca = clause(t, &a, rn(2));
      cb = clause(u, &b, 0);
      add_query(K_NOT, fmt("%s -%s", ca, cb), qx_op(X_ANDNOT, a, b));
      free(ca); free(cb);
    }
    if (quotable(WRITTEN.s[TT[v].written]) && strlen(NORMS.s[TT[v].norm]) <= QUERY_TOPIC_MAX) {
      char *ca = clause(t, &a, rn(2)), *cb = clause(v, &b, rn(2));
      add_query(K_OR, fmt("%s OR %s", ca, cb), qx_op(X_OR, a, b));
      free(ca); free(cb);
      /* a field group: both names under topic: (the clauses give the sets) */
      ca = clause(t, &a, 0);
      cb = clause(v, &b, 0);
      add_query(K_GROUP, fmt("topic:(\"%s\" OR \"%s\")", w, WRITTEN.s[TT[v].written]), qx_op(X_OR, a, b));
      free(ca); free(cb);
      if (u != UINT32_MAX) { /* (A OR V) AND NOT U */
        ca = clause(t, &a, 0);
        cb = clause(v, &b, 0);
        char *cc = clause(u, &c, 0);
        add_query(K_NESTED, fmt("(%s OR %s) AND NOT %s", ca, cb, cc), qx_op(X_ANDNOT, qx_op(X_OR, a, b), c));
        free(ca); free(cb); free(cc);
      }
    }
    char word[16];
    uint32_t wd = body_word(d, word, sizeof word);
    if (wd != UINT32_MAX) {
      char *ca = clause(t, &a, rn(2));
      add_query(K_BODYWORD, fmt("%s AND %s", ca, word), qx_op(X_AND, a, qx_word(wd)));
      free(ca);
      ca = clause(t, &a, 0);
      add_query(K_BODYWORD, fmt("%s -%s", word, ca), qx_op(X_ANDNOT, qx_word(wd), a));
      free(ca);
    }
    int64_t y = year_of(d);
    int64_t y1 = y ? y - (int64_t)rn(3) : 2010, y2 = y ? y + (int64_t)rn(2) : 2019;
    char *ca = clause(t, &a, rn(2));
    add_query(K_DATE, fmt("%s AND date:%lld..%lld", ca, (long long)y1, (long long)y2),
              qx_op(X_AND, a, qx_date(year_start(y1), year_start(y2 + 1) - 1)));
    free(ca);
  }
  /* prefixes written with periods, normalised like names ("U.S*" is "us*") */
  static const char *const dotted[] = {"topic:U.S*", "place:U.S*", "topic:U.N*", "org:U.N*", "topic:u.k*"};
  for (size_t k = 0; k < sizeof dotted / sizeof *dotted; k++) {
    char field[16];
    const char *op = split_field(dotted[k], field, sizeof field);
    char *text = xstrndup(op, strlen(op) - 1), *pn = norm_of(text); /* without the star */
    size_t chars = 0;
    for (const char *c = pn; *c; c++) chars += ((unsigned char)*c & 0xC0) != 0x80;
    if (chars >= 2 && prefix_terms(field_types(field), pn) <= PREFIX_TERMS_MAX)
      add_query(K_PREFIX, xstrdup(dotted[k]), qx_prefix(field, pn));
    free(pn);
    free(text);
  }
  free(names);
}

/* ---- queries by persons' names: full names, titled and bare surnames ------------ */

/* A title word whose class (al_title_class) is cls: "President" for
** "president", "Mr." for "mr"; NULL if none found. */
static const char *title_word(const char *cls) {
  static const char *const words[] = {"President", "Mr.", "Mrs.", "Ms.", "Dr.", "Sen.", "Rep.", "Gov.", "Gen.",
                                      "Adm.", "Prof.", "Rev.", "Lt.", "Col.", "Capt.", "Amb."};
  static char own[64];
  char c[64];
  for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
    char *w = norm_of(words[i]);
    int ok = al_title_class(w, strlen(w), c, sizeof c) && !strcmp(c, cls);
    free(w);
    if (ok) return words[i];
  }
  /* a class that is its own word ("minister") */
  if (strlen(cls) + 1 > sizeof own || !al_title_class(cls, strlen(cls), c, sizeof c) || strcmp(c, cls)) return NULL;
  strcpy(own, cls);
  if (own[0] >= 'a' && own[0] <= 'z') own[0] = (char)(own[0] - 'a' + 'A');
  return own;
}

/* The person-name queries and facet queries, chosen on the state-1
** evidence. */
static void add_facet_query(char *text, qx *x);

static void generate_name_queries(void) {
  /* per full name that a live article's partial name resolves to: its
  ** articles naming it only by a title and surname, invented and real;
  ** a partial name of it (one with a title if there is one) */
  uint32_t *tfix = calloc(NORMS.n + 1, sizeof *tfix), *treal = calloc(NORMS.n + 1, sizeof *treal);
  uint32_t *nres = calloc(NORMS.n + 1, sizeof *nres), *ex = xmalloc((NORMS.n + 1) * sizeof *ex);
  if (!tfix || !treal || !nres) exit(2);
  for (size_t i = 0; i < NORMS.n; i++) ex[i] = UINT32_MAX;
  for (size_t i = 0; i < ND; i++) {
    if (!D[i].alive) continue;
    for (size_t k = 0; k < D[i].ntop; k++) {
      uint32_t t = D[i].top[k], F = RESF[t];
      if (TT[t].type != AL_PARTIAL || F == NO_FULL || RES_UNSURE[t]) continue;
      nres[F]++;
      if (ex[F] == UINT32_MAX || (TT[t].titled && !TT[ex[F]].titled)) ex[F] = t;
      if (title_only(i, F)) (i < N_FIX ? tfix : treal)[F]++;
    }
  }
  /* the full names: some named only by title and surname in invented
  ** articles, some in real ones, some others */
  size_t start = rn(NORMS.n + 1), fulls = 0, cat_n[3] = {0};
  uint8_t *chosen = calloc(NORMS.n + 1, 1);
  if (!chosen) exit(2);
  for (int cat = 0; cat < 3; cat++)
    for (size_t j = 0; j < NORMS.n && cat_n[cat] < (cat == 2 ? 12u : 22u); j++) {
      uint32_t F = (uint32_t)((start + j * 7919) % NORMS.n);
      if (chosen[F] || !nres[F] || (cat == 0 && !tfix[F]) || (cat == 1 && !treal[F])) continue;
      const char *shown = WRITTEN.s[ASHOWN[F]];
      if (!quotable(shown) || strlen(NORMS.s[F]) > QUERY_TOPIC_MAX) continue;
      chosen[F] = 1;
      cat_n[cat]++;
      fulls++;
      /* the full name: as the evidence writes it, under person:; in
      ** another case under topic: */
      add_query(K_FULLNAME, fmt("person:\"%s\"", shown), qx_name("person", shown))->full = F;
      char *up = recase(shown, rn(2));
      add_query(K_FULLNAME, fmt("topic:\"%s\"", up), qx_name("topic", up))->full = F;
      free(up);
      /* its surname: with the title an article gave it, another title,
      ** none; the full name without the surname's articles; in its era */
      uint32_t t = ex[F];
      const char *sw = WRITTEN.s[TT[t].written];
      if (!quotable(sw)) continue;
      char sur[256], cls[256], era[256];
      pk_parts(TT[t].pkey, sur, cls, era);
      const char *tw = cls[0] ? title_word(cls) : NULL;
      if (tw) {
        char *text = fmt("%s %s", tw, sw);
        add_query(K_TITLED, fmt("person:\"%s\"", text), qx_name("person", text));
        free(text);
        char *low = recase(tw, 0);
        text = fmt("%s %s", low, sw);
        add_query(K_TITLED, fmt("topic:\"%s\"", text), qx_name("topic", text));
        free(text);
        free(low);
      }
      char *text = fmt("%s %s", rn(2) ? "Gov." : "Mrs.", sw);
      add_query(K_TITLED, fmt("person:\"%s\"", text), qx_name("person", text));
      free(text);
      if (bare_word(sw)) add_query(K_SURNAME, fmt("person:%s", sw), qx_name("person", sw));
      add_query(K_SURNAME, fmt("topic:\"%s\"", sw), qx_name("topic", sw));
      add_query(K_NOT, fmt("person:\"%s\" -topic:\"%s\"", shown, sw),
                qx_op(X_ANDNOT, qx_name("person", shown), qx_name("topic", sw)));
      int64_t y = era[0] ? atoi(era) : 2010;
      add_query(K_DATE, fmt("person:\"%s\" AND date:%lld..%lld", shown, (long long)y, (long long)y + 3),
                qx_op(X_AND, qx_name("person", shown), qx_date(year_start(y), year_start(y + 4) - 1)));
      if (fulls <= 4) add_facet_query(fmt("person:\"%s\"", shown), qx_name("person", shown));
      if (fulls <= 2 && tw) {
        text = fmt("%s %s", tw, sw);
        add_facet_query(fmt("person:\"%s\"", text), qx_name("person", text));
        free(text);
      }
    }
  /* surnames as a query gives them (undated, bare): ones that resolve,
  ** ones that do not */
  size_t sur_res = 0, sur_unres = 0;
  uint8_t *used = calloc(NORMS.n + 1, 1);
  if (!used) exit(2);
  start = rn(TERMS.n + 1);
  for (size_t j = 0; j < TERMS.n && (sur_res < 30 || sur_unres < 30); j++) {
    uint32_t t = (uint32_t)((start + j * 7919) % TERMS.n);
    if (TT[t].type != AL_PARTIAL || used[TT[t].norm]) continue;
    const char *sur = NORMS.s[TT[t].norm], *sw = WRITTEN.s[TT[t].written];
    res r = resolve(sur, "", "");
    if (r.unsure || !quotable(sw) || (r.full != NO_FULL ? sur_res : sur_unres) >= 30) continue;
    used[TT[t].norm] = 1;
    ++*(r.full != NO_FULL ? &sur_res : &sur_unres);
    if (bare_word(sw) && rn(2)) add_query(K_SURNAME, fmt("topic:%s", sw), qx_name("topic", sw));
    else add_query(K_SURNAME, fmt("person:\"%s\"", sw), qx_name("person", sw));
    char *text = fmt("Mr. %s", sw);
    add_query(K_TITLED, fmt("person:\"%s\"", text), qx_name("person", text));
    free(text);
    if ((r.full != NO_FULL ? sur_res : sur_unres) <= 2) add_facet_query(fmt("topic:\"%s\"", sw), qx_name("topic", sw));
  }
  size_t nfix = 0, nreal = 0;
  for (size_t i = 0; i < NORMS.n; i++) nfix += tfix[i] != 0, nreal += treal[i] != 0;
  fprintf(stderr, "  person names: %zu full names queried (%zu of the %zu named only by title and surname in invented "
          "articles, %zu of the %zu in real ones); %zu surnames that resolve, %zu that do not\n", fulls, cat_n[0],
          nfix, cat_n[1], nreal, sur_res, sur_unres);
  free(tfix); free(treal); free(nres); free(ex); free(chosen); free(used);
}

/* ---- facets: the queries and the brute force ---------------------------------- */

typedef struct tfacetq { char *text; qx *x; dset want; int unsure; } tfacetq;
static tfacetq *FQ;
static size_t NFQ, FQ_cap;

static void add_facet_query(char *text, qx *x) {
  if (NFQ == FQ_cap) {
    FQ_cap = FQ_cap ? FQ_cap * 2 : 64;
    FQ = xrealloc(FQ, FQ_cap * sizeof *FQ);
  }
  FQ[NFQ++] = (tfacetq){text, x, NULL, 0};
}

/* Normalised names by the number of live articles that have them. */
static uint32_t *NORM_BY_DF;
static size_t N_NORM_BY_DF;
static size_t *NORM_DF;
static int cmp_norm_df(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  if (NORM_DF[x] != NORM_DF[y]) return NORM_DF[x] > NORM_DF[y] ? -1 : 1;
  return x < y ? -1 : x > y;
}

static void generate_facet_queries(void) {
  NORM_DF = calloc(NORMS.n + 1, sizeof *NORM_DF);
  uint8_t *seen = calloc(NORMS.n + 1, 1);
  if (!NORM_DF || !seen) exit(2);
  for (size_t i = 0; i < ND; i++) {
    if (!D[i].alive) continue;
    for (size_t k = 0; k < D[i].ntop; k++) {
      uint32_t n = TT[D[i].top[k]].norm;
      if (!seen[n]) { seen[n] = 1; NORM_DF[n]++; }
    }
    for (size_t k = 0; k < D[i].ntop; k++) seen[TT[D[i].top[k]].norm] = 0;
  }
  free(seen);
  NORM_BY_DF = xmalloc((NORMS.n + 1) * sizeof *NORM_BY_DF);
  for (size_t i = 0; i < NORMS.n; i++) NORM_BY_DF[i] = (uint32_t)i;
  N_NORM_BY_DF = NORMS.n;
  qsort(NORM_BY_DF, N_NORM_BY_DF, sizeof *NORM_BY_DF, cmp_norm_df);
  /* large ones */
  add_facet_query(fmt("date:1900..2100"), qx_date(year_start(1900), year_start(2101) - 1));
  add_facet_query(fmt("date:2010..2019"), qx_date(year_start(2010), year_start(2020) - 1));
  add_facet_query(fmt("date:1987"), qx_date(year_start(1987), year_start(1988) - 1));
  add_facet_query(fmt("date:2014..2016"), qx_date(year_start(2014), year_start(2017) - 1));
  add_facet_query(fmt("date:..2013"), qx_date(INT64_MIN + 1, year_start(2014) - 1));
  uint32_t said = st_find(&WORDS, "said", 4);
  if (said != UINT32_MAX) {
    add_facet_query(fmt("said"), qx_word(said));
    add_facet_query(fmt("said OR date:2017.."), qx_op(X_OR, qx_word(said), qx_date(year_start(2017), INT64_MAX)));
  }
  /* the new person, under each field name */
  const char *zq[] = {"person:\"zebulon quartermaine\"", "topic:\"Zebulon Quartermaine\"", "topic:zebulon*",
                      "topic:\"Zoë Ångström\"", "topic:zo*"};
  for (size_t k = 0; k < sizeof zq / sizeof *zq; k++) {
    const char *q = zq[k];
    char field[16];
    const char *op = split_field(q, field, sizeof field);
    int prefix = q[strlen(q) - 1] == '*';
    /* the operand without its star, or without its quotes */
    char *text = prefix ? xstrndup(op, strlen(op) - 1) : xstrndup(op + 1, strlen(op) - 2);
    char *norm = norm_of(text);
    add_facet_query(xstrdup(q), prefix ? qx_prefix(field, norm) : qx_name(field, text));
    free(norm);
    free(text);
  }
  /* the most frequent topics, and some of mid frequency */
  for (size_t k = 0; k < 12 && k < N_NORM_BY_DF; k++) {
    const char *nm = NORMS.s[NORM_BY_DF[k]];
    if (!quotable(nm) || strlen(nm) > QUERY_TOPIC_MAX) continue;
    add_facet_query(fmt("topic:\"%s\"", nm), qx_name("topic", nm));
  }
  for (size_t k = 0; k < 12; k++) {
    size_t span = N_NORM_BY_DF > 212 ? 200 : N_NORM_BY_DF > 12 ? N_NORM_BY_DF - 12 : 1;
    size_t j = 12 + rn(span);
    if (j >= N_NORM_BY_DF) continue;
    const char *nm = NORMS.s[NORM_BY_DF[j]], *nm2 = NORMS.s[NORM_BY_DF[rn(N_NORM_BY_DF)]];
    if (!quotable(nm) || !quotable(nm2) || strlen(nm) > QUERY_TOPIC_MAX || strlen(nm2) > QUERY_TOPIC_MAX) continue;
    const char *field = rn(2) ? "place" : "topic";
    add_facet_query(fmt("%s:\"%s\" OR topic:\"%s\"", field, nm, nm2),
                    qx_op(X_OR, qx_name(field, nm), qx_name("topic", nm2)));
  }
  /* prefixes, dated topics */
  static const char *const pfx[] = {"ma", "jo", "un", "ch", "ba", "sa"};
  for (size_t k = 0; k < sizeof pfx / sizeof *pfx; k++)
    if (prefix_terms("plox", pfx[k]) <= PREFIX_TERMS_MAX) add_facet_query(fmt("topic:%s*", pfx[k]), qx_prefix("topic", pfx[k]));
  for (size_t k = 0; k < 6 && k < N_NORM_BY_DF; k++) {
    const char *nm = NORMS.s[NORM_BY_DF[k]];
    if (!quotable(nm) || strlen(nm) > QUERY_TOPIC_MAX) continue;
    add_facet_query(fmt("topic:\"%s\" AND date:2012..2016", nm),
                    qx_op(X_AND, qx_name("topic", nm), qx_date(year_start(2012), year_start(2017) - 1)));
  }
}

/* Every query's and facet query's expected set, in the current state. */
static size_t N_EITHER; /* queries with a tied name: compared with each outcome */

static void evaluate_all(void) {
  size_t unsure = 0, either = 0;
  for (size_t i = 0; i < NQ; i++) {
    tquery *q = &Q[i];
    free(q->want);
    for (size_t a = 0; a < q->nalt; a++) free(q->alt[a]);
    q->nalt = 0;
    q->unsure = 0;
    TIE_PICK = TIE_N = TIE_WIDTH = 0;
    q->want = eval(q->x, &q->unsure);
    if (q->unsure == 2 && TIE_N == 1) { /* one tie, in the query's name: each of its outcomes */
      for (TIE_PICK = 1; TIE_PICK < TIE_WIDTH; TIE_PICK++) {
        int u = 0;
        q->alt[q->nalt++] = eval(q->x, &u);
      }
      TIE_PICK = 0;
      q->unsure = 0;
      either++;
      if (verbose()) fprintf(stderr, "    %zu outcomes (tie): %s\n", q->nalt + 1, q->text);
    }
    unsure += q->unsure != 0;
    if (q->unsure && verbose()) fprintf(stderr, "    left out (tie): %s\n", q->text);
  }
  N_EITHER = either;
  if (either) fprintf(stderr, "  %zu queries name a person whose evidence ties: compared with each outcome\n", either);
  for (size_t i = 0; i < NFQ; i++) {
    free(FQ[i].want);
    FQ[i].unsure = 0;
    FQ[i].want = eval(FQ[i].x, &FQ[i].unsure);
    unsure += FQ[i].unsure != 0;
    if (FQ[i].unsure && verbose()) fprintf(stderr, "    left out (tie): facets %s\n", FQ[i].text);
  }
  if (unsure) fprintf(stderr, "  %zu queries' sets depend on ties the library decides: left out\n", unsure);
}

typedef struct fentry { const char *shown; uint64_t count; } fentry;

static int cmp_fentry(const void *a, const void *b) {
  const fentry *x = a, *y = b;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  return strcmp(x->shown, y->shown);
}

/* (canonical name, shown form) of one term of a matching article. */
typedef struct cform { uint32_t canon, shown; } cform;
static int cmp_cform(const void *a, const void *b) {
  const cform *x = a, *y = b;
  if (x->canon != y->canon) return x->canon < y->canon ? -1 : 1;
  return x->shown < y->shown ? -1 : x->shown > y->shown;
}

/* The brute-force facet of the topics of `types` over the articles of s:
** per canonical name the articles that have it (once, however many of
** their terms name it), shown by the form its terms show most often -- a
** term's written form, or for a resolved partial name its full name's
** shown form -- (ties: the smaller byte string); people leave out the
** partial names without a title that do not resolve (a capitalised word
** may be no person); most articles first,
** ties by the shown form.  Returns the full list (*n entries); *unsure is
** set when a tie the library decides is among the terms counted. */
static fentry *facet_oracle(const dset s, const char *types, size_t *n, int *unsure) {
  uint64_t *ndocs = calloc(NORMS.n + 1, sizeof *ndocs);
  uint32_t *stamp = calloc(NORMS.n + 1, sizeof *stamp), *best = malloc((NORMS.n + 1) * sizeof *best);
  uint64_t *bestn = calloc(NORMS.n + 1, sizeof *bestn);
  if (!ndocs || !stamp || !best || !bestn) exit(2);
  cform *cf = NULL;
  size_t ncf = 0, cap = 0;
  int people = strchr(types, 'p') && !strchr(types, 'x');
  for (size_t i = 0; i < ND; i++) {
    if (!s[i]) continue;
    const tdoc *d = &D[i];
    for (size_t k = 0; k < d->ntop; k++) {
      uint32_t t = d->top[k], c = CANON[t];
      if (!strchr(types, TT[t].type)) continue;
      if (people && TT[t].type == AL_PARTIAL && !TT[t].titled && RESF[t] == NO_FULL) continue;
      if (UNSURE[t]) *unsure = 1;
      if (stamp[c] != i + 1) { stamp[c] = (uint32_t)i + 1; ndocs[c]++; }
      if (ncf == cap) {
        cap = cap ? cap * 2 : 4096;
        cf = xrealloc(cf, cap * sizeof *cf);
      }
      cf[ncf++] = (cform){c, SHOWN[t]};
    }
  }
  if (ncf) qsort(cf, ncf, sizeof *cf, cmp_cform);
  for (size_t i = 0; i < NORMS.n; i++) best[i] = UINT32_MAX;
  for (size_t i = 0, j; i < ncf; i = j) {
    for (j = i; j < ncf && cf[j].canon == cf[i].canon && cf[j].shown == cf[i].shown; j++) {}
    uint32_t c = cf[i].canon, w = cf[i].shown;
    if (best[c] == UINT32_MAX || j - i > bestn[c] || (j - i == bestn[c] && strcmp(WRITTEN.s[w], WRITTEN.s[best[c]]) < 0)) {
      best[c] = w;
      bestn[c] = j - i;
    }
  }
  fentry *out = xmalloc((NORMS.n + 1) * sizeof *out);
  size_t m = 0;
  for (size_t i = 0; i < NORMS.n; i++)
    if (ndocs[i]) out[m++] = (fentry){WRITTEN.s[best[i]], ndocs[i]};
  qsort(out, m, sizeof *out, cmp_fentry);
  free(ndocs); free(stamp); free(best); free(bestn); free(cf);
  *n = m;
  return out;
}

/* ---- running and comparing ---------------------------------------------------- */

static nd_index *IX;
static char DIR_[256];
static int READY;
static size_t N_COMPARED, N_FACETS_COMPARED, N_DISAGREE, N_LEFT_OUT;
/* In the current state: queries by full names compared, those finding an
** article that names the person only by title and surname, and such
** articles found (invented, real). */
static size_t N_FULLNAME_Q, N_FULLNAME_TITLED_Q, N_TITLE_ONLY_FIX, N_TITLE_ONLY_REAL;

static void ixdir(char *out, size_t cap) { snprintf(out, cap, "%s/ix", DIR_); }

/* Print a string with its control bytes escaped. */
static void put_esc(const char *s) {
  for (; *s; s++) fprintf(stderr, (unsigned char)*s < 0x20 ? "\\x%02x" : "%c", (unsigned char)*s);
}

/* Print an article's topic terms and evidence (for a disagreement). */
static void show_doc(size_t i) {
  fprintf(stderr, "      %s%s:", D[i].id, D[i].alive ? "" : " (deleted)");
  for (size_t k = 0; k < D[i].ntop; k++) {
    uint32_t id = D[i].top[k];
    const tterm *t = &TT[id];
    if (t->type == AL_PARTIAL) {
      fprintf(stderr, " q:\"");
      put_esc(PKEYS.s[t->pkey]);
      fprintf(stderr, "\"=\"%s\"->%s%s", WRITTEN.s[t->written], RESF[id] == NO_FULL ? "(unresolved)" : NORMS.s[RESF[id]],
              RES_UNSURE[id] ? "(tie)" : "");
    } else {
      fprintf(stderr, " %c:\"%s\"=\"%s\"", t->type, NORMS.s[t->norm], WRITTEN.s[t->written]);
    }
  }
  for (size_t k = 0; k < D[i].nev; k++) {
    fprintf(stderr, " evidence:\"");
    put_esc(PKEYS.s[D[i].ev[k].form]);
    fprintf(stderr, "\"=\"%s\"", NORMS.s[D[i].ev[k].full]);
  }
  fputc('\n', stderr);
}

/* Run one query and compare its hits and total with the expected set.
** Returns 0 when they agree. */
static int check_query(nd_index *ix, const tquery *q) {
  nd_search_options o = {.versions = ND_VERSIONS_ALL};
  o.limit = BIG_LIMIT;
  o.ids_only = 1;
  o.snippets = ND_SNIPPET_NONE;
  nd_results *r = NULL;
  if (q->unsure) { N_LEFT_OUT++; return 0; }
  N_COMPARED++;
  if (verbose()) fprintf(stderr, "    [%s] %s\n", KIND_NAMES[q->kind], q->text);
  int rc = nd_search(ix, q->text, &o, &r);
  if (rc) {
    fprintf(stderr, "  DISAGREE [%s] %s: nd_search returned %d (%s): %s\n", KIND_NAMES[q->kind], q->text, rc,
            nd_strerror(rc), nd_errmsg(ix));
    N_DISAGREE++;
    return 1;
  }
  dset got = ds_new();
  size_t n = nd_results_count(r), dup = 0, unknown = 0, disorder = 0;
  double prev = INFINITY;
  for (size_t i = 0; i < n; i++) {
    nd_hit h;
    if (nd_results_hit(r, i, &h)) { unknown++; continue; }
    /* ranked: scores finite and non-increasing */
    disorder += !isfinite(h.score) || h.score > prev;
    prev = h.score;
    long di = find_doc(h.id);
    if (di < 0) { unknown++; continue; }
    dup += got[di];
    got[di] = 1;
  }
  uint64_t total = nd_results_total(r);
  nd_results_free(r);
  /* a tied name: the outcome the hits are, if any */
  const uint8_t *wset = q->want;
  for (size_t a = 0; a < q->nalt; a++)
    if (!memcmp(got, q->alt[a], ND)) wset = q->alt[a];
  size_t want = ds_count(wset), missing = 0, extra = 0;
  for (size_t i = 0; i < ND; i++) {
    missing += wset[i] && !got[i];
    extra += !wset[i] && got[i];
  }
  int bad = missing || extra || dup || unknown || disorder || n != want || total != want;
  if (bad) {
    N_DISAGREE++;
    fprintf(stderr, "  DISAGREE [%s] %s: want %zu articles; got %zu hits (total %llu): %zu missing, %zu extra, "
            "%zu duplicate, %zu unknown, %zu out of score order\n", KIND_NAMES[q->kind], q->text, want, n,
            (unsigned long long)total, missing, extra, dup, unknown, disorder);
    size_t shown = 0;
    for (size_t i = 0; i < ND && shown < 4; i++)
      if (wset[i] != got[i]) {
        fprintf(stderr, "    %s:\n", wset[i] ? "missing" : "extra");
        show_doc(i);
        shown++;
      }
  }
  /* a full name: the articles found that name the person only by a title
  ** and the surname */
  if (!bad && q->full != UINT32_MAX) {
    size_t fix = 0, real = 0;
    for (size_t i = 0; i < ND; i++)
      if (wset[i] && title_only(i, q->full)) ++*(i < N_FIX ? &fix : &real);
    N_FULLNAME_Q++;
    N_FULLNAME_TITLED_Q += fix + real > 0;
    N_TITLE_ONLY_FIX += fix;
    N_TITLE_ONLY_REAL += real;
  }
  /* a first page with snippets and full hits, as an application asks:
  ** the highlighter must cope with topic clauses (every 8th query) */
  if (!bad && N_COMPARED % 8 == 0) {
    nd_search_options p = {.versions = ND_VERSIONS_ALL};
    p.limit = 10;
    p.snippets = ND_SNIPPET_PLAIN;
    rc = nd_search(ix, q->text, &p, &r);
    size_t m = rc ? 0 : nd_results_count(r), outside = 0;
    for (size_t i = 0; i < m; i++) {
      nd_hit h;
      long di = nd_results_hit(r, i, &h) ? -1 : find_doc(h.id);
      outside += di < 0 || !wset[di] || !h.snippet;
    }
    if (rc || m != (want < 10 ? want : 10) || outside || nd_results_total(r) != want) {
      fprintf(stderr, "  DISAGREE [%s] %s, first page with snippets: rc %d, %zu hits (%zu not expected), total %llu, "
              "want %zu\n", KIND_NAMES[q->kind], q->text, rc, m, outside,
              rc ? 0ull : (unsigned long long)nd_results_total(r), want);
      N_DISAGREE++;
      bad = 1;
    }
    nd_results_free(r);
  }
  free(got);
  return bad;
}

static const char *const FACET_FIELDS[] = {"people", "organisations", "places", "topics"};
/* The type letters each field counts: people are persons named in full
** and partial names. */
static const char *const FACET_TYPES[] = {"pq", "o", "l", "ploqx"};
static size_t N_FACET_ENTRIES, N_FIELDS_LEFT_OUT;

/* Compare nd_facets_get on one query with the brute force, for the four
** topic fields at one limit.  Returns 0 when they agree. */
static int check_facets(nd_index *ix, const tfacetq *q, size_t limit) {
  nd_facet_options fo = {.versions = ND_VERSIONS_ALL};
  fo.fields = FACET_FIELDS;
  fo.nfields = 4;
  fo.limit = limit;
  nd_facets *f = NULL;
  if (q->unsure) { N_LEFT_OUT++; return 0; }
  N_FACETS_COMPARED++;
  if (verbose()) fprintf(stderr, "    facets(limit %zu) %s\n", limit, q->text);
  int rc = nd_facets_get(ix, q->text, &fo, &f);
  if (rc) {
    fprintf(stderr, "  DISAGREE facets %s: nd_facets_get returned %d (%s): %s\n", q->text, rc, nd_strerror(rc),
            nd_errmsg(ix));
    N_DISAGREE++;
    return 1;
  }
  int bad = 0;
  size_t want_total = ds_count(q->want);
  if (f->total != want_total || f->nfields != 4) {
    fprintf(stderr, "  DISAGREE facets %s: total %llu, want %zu (fields %zu)\n", q->text,
            (unsigned long long)f->total, want_total, f->nfields);
    bad = 1;
  }
  for (size_t k = 0; k < 4 && k < f->nfields; k++) {
    size_t m;
    int unsure = 0;
    fentry *e = facet_oracle(q->want, FACET_TYPES[k], &m, &unsure);
    size_t lim = limit ? limit : 10;
    if (m > lim) m = lim;
    const nd_facet *g = &f->fields[k];
    if (unsure) { /* a tie the library decides is among its names */
      N_FIELDS_LEFT_OUT++;
      free(e);
      continue;
    }
    N_FACET_ENTRIES += m;
    size_t first = SIZE_MAX;
    for (size_t i = 0; i < m && i < g->n && first == SIZE_MAX; i++)
      if (g->counts[i].count != e[i].count || strcmp(g->counts[i].key, e[i].shown)) first = i;
    if (first == SIZE_MAX && g->n != m) first = g->n < m ? g->n : m;
    if (strcmp(g->field, FACET_FIELDS[k])) {
      fprintf(stderr, "  DISAGREE facets %s: field %zu is \"%s\", want \"%s\"\n", q->text, k, g->field,
              FACET_FIELDS[k]);
      bad = 1;
    }
    if (first != SIZE_MAX) {
      bad = 1;
      fprintf(stderr, "  DISAGREE facets %s, %s (limit %zu): %zu entries, want %zu; first difference at %zu:\n",
              q->text, FACET_FIELDS[k], lim, g->n, m, first);
      for (size_t i = first; i < first + 3 && (i < m || i < g->n); i++)
        fprintf(stderr, "      [%zu] got %s%s%s %llu, want %s%s%s %llu\n", i, i < g->n ? "\"" : "",
                i < g->n ? g->counts[i].key : "-", i < g->n ? "\"" : "",
                (unsigned long long)(i < g->n ? g->counts[i].count : 0), i < m ? "\"" : "", i < m ? e[i].shown : "-",
                i < m ? "\"" : "", (unsigned long long)(i < m ? e[i].count : 0));
    }
    free(e);
  }
  nd_facets_free(f);
  N_DISAGREE += bad;
  return bad;
}

/* Queries (every `qstep`-th) and facets (every `fstep`-th); the count of
** disagreements. */
static int run_suite(nd_index *ix, const char *state, size_t qstep, size_t fstep) {
  double t0 = now_s();
  int bad = 0;
  size_t nq = 0, nf = 0;
  N_FULLNAME_Q = N_FULLNAME_TITLED_Q = N_TITLE_ONLY_FIX = N_TITLE_ONLY_REAL = 0;
  size_t entries = N_FACET_ENTRIES, left = N_LEFT_OUT + N_FIELDS_LEFT_OUT;
  /* every query by a person's name, a sample of the others */
  for (size_t i = 0; i < NQ; i++)
    if (i % qstep == 0 || Q[i].kind >= K_FULLNAME) {
      bad += check_query(ix, &Q[i]);
      nq++;
    }
  for (size_t i = 0; i < NFQ; i += fstep, nf++) {
    bad += check_facets(ix, &FQ[i], 10);
    bad += check_facets(ix, &FQ[i], 1000);
    if (i % 4 == 0) bad += check_facets(ix, &FQ[i], 0); /* 0 means 10 */
  }
  fprintf(stderr, "  state %s: %zu queries, %zu facet queries (x2 limits, x4 fields; %zu entries): %d disagreements, "
          "%zu left out (ties), %.2fs\n", state, nq, nf, N_FACET_ENTRIES - entries, bad,
          N_LEFT_OUT + N_FIELDS_LEFT_OUT - left, now_s() - t0);
  fprintf(stderr, "  state %s: %zu queries by full names agree, %zu of them finding articles that name the person only "
          "by title and surname: %zu invented, %zu real\n", state, N_FULLNAME_Q, N_FULLNAME_TITLED_Q,
          N_TITLE_ONLY_FIX, N_TITLE_ONLY_REAL);
  return bad;
}

static void on_problem(void *ctx, const char *problem) { fprintf(stderr, "  nd_check: %s\n", problem); }

static int check_archive(void) {
  char dir[300];
  ixdir(dir, sizeof dir);
  nd_check_report rep = {0};
  int rc = nd_check(dir, on_problem, NULL, &rep);
  if (rc || rep.problems) fprintf(stderr, "  nd_check: %d, %llu problems\n", rc, (unsigned long long)rep.problems);
  return rc || rep.problems;
}

/* ---- the tests --------------------------------------------------------------------- */

static char REAL_WHY[1200]; /* why the real articles were not used, or "" */
static size_t N_REAL;

/* The sentences appended to re-added articles: one normalised name in two
** forms, the same name in capitals (untyped), a non-ASCII name. */
static const char *const NEW_SENTENCES[] = {
  "\nSaid Zebulon Quartermaine.",
  "\nSaid Zebulon QuarterMaine.",
  "\nSaid ZEBULON QUARTERMAINE.",
  "\nSaid Zoë Ångström.",
};

static double T_START;

static void test_build(void) {
  T_START = now_s();
  AN = an_new("english");
  ASSERT(AN);
  char path[1024];
  ingest_path(test_fixture(path, sizeof path, "news.jsonl"), on_doc, on_err, NULL, NULL);
  ASSERT(ND >= 1400);
  N_FIX = ND;
  if (test_real_data(path, sizeof path, "news/sample-1000.jsonl", REAL_WHY, sizeof REAL_WHY)) {
    size_t before = ND;
    ingest_path(path, on_doc, on_err, NULL, NULL);
    N_REAL = ND - before;
  }
  id_index_build();
  for (size_t i = 0; i < ND; i++) ASSERT_OK(tdoc_analyze(&D[i]));

  snprintf(DIR_, sizeof DIR_, "/tmp/nd_topics_XXXXXX");
  ASSERT(mkdtemp(DIR_));
  char dir[300];
  ixdir(dir, sizeof dir);
  nd_open_options oo = {0};
  oo.language = "english";
  oo.buffer_bytes = 2u << 20; /* several segments */
  oo.merge_factor = 1;        /* kept apart: queries and facets must work across them; no merge drops
                              ** the deleted articles' evidence (newsdex.h: 1 turns automatic merging off) */
  int rc = nd_open(dir, ND_OPEN_CREATE, &oo, &IX);
  if (rc) fprintf(stderr, "  nd_open: %s\n", IX ? nd_errmsg(IX) : "");
  ASSERT_OK(rc);
  for (size_t i = 0; i < ND; i++) {
    nd_doc x = as_nd_doc(&D[i]);
    rc = nd_add(IX, &x, NULL);
    if (rc) fprintf(stderr, "  nd_add(%s): %s\n", D[i].id, nd_errmsg(IX));
    ASSERT_OK(rc);
    record_version(&D[i]);
    if (i == 49) ASSERT_OK(nd_commit(IX));
  }
  ASSERT_OK(nd_commit(IX));

  /* re-add ~5% with a sentence naming a new person; delete ~5% (a few of
  ** them just re-added) */
  size_t nupd = 0, withname = 0, ndel = 0;
  for (size_t i = 0; i < ND; i++) {
    if (rn(20)) continue;
    tdoc *d = &D[i];
    const char *s = NEW_SENTENCES[nupd % 4];
    size_t bl = strlen(d->body);
    d->body = xrealloc(d->body, bl + strlen(s) + 1);
    strcpy(d->body + bl, s);
    d->updated = (int)(nupd % 4) + 1;
    nupd++;
    ASSERT_OK(tdoc_analyze(d));
    /* the new name must be among the article's topics mostly (the linker
    ** keeps at most LK_TOPICS_INDEXED; the oracle follows it either way) */
    const char *want = nupd % 4 == 0 ? "zoë ångström" : "zebulon quartermaine";
    for (size_t k = 0; k < d->ntop; k++)
      if (!strcmp(NORMS.s[TT[d->top[k]].norm], want)) { withname++; break; }
    nd_doc x = as_nd_doc(d);
    rc = nd_add(IX, &x, NULL);
    if (rc) fprintf(stderr, "  nd_add(%s): %s\n", d->id, nd_errmsg(IX));
    ASSERT_OK(rc);
    record_version(d);
  }
  for (size_t i = 0; i < ND; i++) {
    if (rn(20)) continue;
    ASSERT_OK(nd_delete(IX, D[i].id));
    D[i].alive = 0;
    ndel++;
  }
  ASSERT_OK(nd_commit(IX));
  nd_stats st;
  ASSERT_OK(nd_stats_get(IX, &st));
  size_t live = 0, ntop = 0;
  for (size_t i = 0; i < ND; i++) live += D[i].alive, ntop += D[i].alive ? D[i].ntop : 0;
  fprintf(stderr, "  %zu articles, %zu re-added (%zu with the new name as a topic), %zu deleted; %llu segments; "
          "%zu topic terms on live articles, %zu distinct terms, %zu names; built in %.2fs\n",
          ND, nupd, withname, ndel, (unsigned long long)st.segments, ntop, TERMS.n, NORMS.n, now_s() - T_START);
  ASSERT_EQ_INT(st.articles, live);
  ASSERT(st.segments > 2);
  /* no merge ran: every version added is still in a segment (so its
  ** evidence counts), the live ones and the deleted or replaced ones */
  ASSERT_EQ_INT(st.articles + st.deleted, NVER);
  ASSERT(nupd >= 20 && withname * 2 >= nupd);
  build_aliases_all_versions();
  generate_queries();
  generate_name_queries();
  generate_facet_queries();
  evaluate_all();
  fprintf(stderr, "  %zu queries:", NQ);
  for (int k = 0; k < K_NKINDS; k++) fprintf(stderr, " %zu %s%s", KIND_COUNT[k], KIND_NAMES[k], k + 1 < K_NKINDS ? "," : "");
  fprintf(stderr, "; %zu facet queries\n", NFQ);
  ASSERT(NQ >= 1000 && NFQ >= 40);
  READY = 1;
}

/* Whether the real articles are part of the corpus (skipped when absent). */
static void test_real_articles(void) {
  ASSERT(READY);
  if (REAL_WHY[0]) TEST_SKIP_("%s: the topics ran on the invented articles alone", REAL_WHY);
  ASSERT(N_REAL >= 900);
}

/* At least one query by a full name found an article naming the person
** only by title and surname: among the invented articles, and the real
** ones when they are there. */
static void assert_title_only_found(void) {
  ASSERT(N_FULLNAME_Q >= 20);
  ASSERT(N_TITLE_ONLY_FIX > 0);
  if (N_REAL) ASSERT(N_TITLE_ONLY_REAL > 0);
}

static void test_state1_segments(void) {
  ASSERT(READY);
  ASSERT_EQ_INT(check_archive(), 0);
  ASSERT_EQ_INT(run_suite(IX, "1 (segments, deletions)", 1, 1), 0);
  assert_title_only_found();
}

static void test_state2_optimized(void) {
  ASSERT(READY);
  READY = 0;
  ASSERT_OK(nd_optimize(IX));
  nd_stats st;
  ASSERT_OK(nd_stats_get(IX, &st));
  ASSERT_EQ_INT(st.segments, 1);
  ASSERT_EQ_INT(st.deleted, 0);
  build_aliases_live(); /* the merge dropped the deleted articles' evidence */
  evaluate_all();
  READY = 1;
  ASSERT_EQ_INT(check_archive(), 0);
  ASSERT_EQ_INT(run_suite(IX, "2 (optimized)", 3, 2), 0);
  assert_title_only_found();
}

static void test_state3_reopened(void) {
  ASSERT(READY);
  READY = 0;
  nd_close(IX);
  IX = NULL;
  char dir[300];
  ixdir(dir, sizeof dir);
  ASSERT_OK(nd_open(dir, 0, NULL, &IX));
  nd_doc x = {0};
  x.body = "x";
  ASSERT_EQ_INT(nd_add(IX, &x, NULL), ND_ERR_READONLY);
  READY = 1;
  ASSERT_EQ_INT(check_archive(), 0);
  ASSERT_EQ_INT(run_suite(IX, "3 (reopened read-only)", 3, 2), 0);
  assert_title_only_found();
}

/* nd_search's status and, for ND_ERR_QUERY, the error offset. */
static int search_rc(nd_index *ix, const char *q, size_t *hits, size_t *off) {
  nd_results *r = NULL;
  nd_search_options o = {.versions = ND_VERSIONS_ALL};
  o.limit = BIG_LIMIT;
  o.ids_only = 1;
  int rc = nd_search(ix, q, &o, &r);
  *hits = rc ? 0 : nd_results_count(r);
  *off = rc == ND_ERR_QUERY ? nd_error_offset(ix) : SIZE_MAX;
  nd_results_free(r);
  return rc;
}

static void test_bad_input(void) {
  ASSERT(READY);
  size_t hits, off, h2, o2;
  /* a name that normalises to nothing is no clause: alone it finds nothing
  ** (or is refused as an empty query); with another clause it changes
  ** nothing */
  int rc = search_rc(IX, "topic:\"...\"", &hits, &off);
  if (rc != 0 && rc != ND_ERR_QUERY) fprintf(stderr, "  topic:\"...\": %d %s\n", rc, nd_errmsg(IX));
  ASSERT(rc == 0 || rc == ND_ERR_QUERY);
  ASSERT_EQ_INT(hits, 0);
  const char *nm = NORMS.s[NORM_BY_DF[0]];
  char q[512], q2[512];
  snprintf(q, sizeof q, "topic:\"%s\"", nm);
  snprintf(q2, sizeof q2, "topic:\"...\" AND topic:\"%s\" AND person:\"...\"", nm);
  ASSERT_OK(search_rc(IX, q, &hits, &off));
  ASSERT_OK(search_rc(IX, q2, &h2, &o2));
  ASSERT(hits > 0);
  ASSERT_EQ_INT(h2, hits);
  /* a one-character prefix is an error at the operand, wherever it is */
  ASSERT_EQ_INT(search_rc(IX, "topic:a*", &hits, &off), ND_ERR_QUERY);
  ASSERT_EQ_INT(off, 6);
  ASSERT_EQ_INT(search_rc(IX, "place:iraq AND person:Z*", &hits, &off), ND_ERR_QUERY);
  ASSERT_EQ_INT(off, 22);
  ASSERT_EQ_INT(search_rc(IX, "topic:é*", &hits, &off), ND_ERR_QUERY);
  ASSERT_EQ_INT(off, 6);
  /* the length is that of the normalised prefix: "J." is "j" */
  ASSERT_EQ_INT(search_rc(IX, "topic:J.*", &hits, &off), ND_ERR_QUERY);
  ASSERT_EQ_INT(off, 6);
  /* two characters are enough (counted as characters, not bytes) */
  ASSERT_OK(search_rc(IX, "topic:zé*", &hits, &off));
  /* a star inside quotes makes no prefix: there is no name "zebulon quarter" */
  ASSERT_OK(search_rc(IX, "topic:zebulon*", &hits, &off));
  ASSERT(hits > 0);
  ASSERT_OK(search_rc(IX, "topic:\"zebulon quarter*\"", &hits, &off));
  ASSERT_EQ_INT(hits, 0);
  /* a normalised name of QUERY_TOPIC_MAX bytes is taken, one byte more is
  ** an error at the topic clause */
  char lng[400];
  strcpy(lng, "place:iraq OR topic:\"");
  size_t at = strlen(lng), base = at;
  while (at < base + QUERY_TOPIC_MAX - 10) { memcpy(lng + at, "Abcdefghi ", 10); at += 10; }
  strcpy(lng + at, "Abcdefghij\"");
  ASSERT_EQ_INT(strlen(lng) - base - 1, QUERY_TOPIC_MAX);
  ASSERT_OK(search_rc(IX, lng + 14, &hits, &off)); /* topic:"..." alone */
  ASSERT_EQ_INT(hits, 0);
  strcpy(lng + at, "Abcdefghijk\"");
  ASSERT_EQ_INT(search_rc(IX, lng, &hits, &off), ND_ERR_QUERY);
  ASSERT(off >= 14 && off <= base); /* at the topic clause */
  /* facets: an unknown field; a bad query */
  nd_facet_options fo = {.versions = ND_VERSIONS_ALL};
  const char *bad_field[] = {"persons"};
  fo.fields = bad_field;
  fo.nfields = 1;
  nd_facets *f = NULL;
  ASSERT_EQ_INT(nd_facets_get(IX, "date:2010..2019", &fo, &f), ND_ERR_INVALID);
  ASSERT(!f);
  fo.fields = FACET_FIELDS;
  fo.nfields = 4;
  ASSERT_EQ_INT(nd_facets_get(IX, "topic:a*", &fo, &f), ND_ERR_QUERY);
  ASSERT(!f);
}

/* An archive whose articles have no topics: every topic facet is empty. */
static void test_no_topics(void) {
  static const char *const bodies[] = {
    "the cat sat on the mat and looked at the rain for a long time.",
    "prices of bread rose again this week, and nobody was surprised.",
    "a small dog ran across the field while the children played.",
    "the meeting ended late and the committee will meet again soon.",
    "rain is expected tomorrow, with cooler weather later in the week.",
  };
  char dir[300];
  snprintf(dir, sizeof dir, "%s/none", DIR_);
  nd_index *ix = NULL;
  ASSERT_OK(nd_open(dir, ND_OPEN_CREATE, NULL, &ix));
  size_t n = sizeof bodies / sizeof *bodies;
  for (size_t i = 0; i < n; i++) {
    char id[16], date[16];
    snprintf(id, sizeof id, "none-%zu", i);
    snprintf(date, sizeof date, "201%zu-03-01", i);
    nd_doc x = {0};
    x.id = id;
    x.date = date;
    x.body = bodies[i];
    buf b;
    buf_init(&b);
    ASSERT_OK(lk_topic_terms(&x, &b));
    size_t got = b.n;
    buf_free(&b);
    if (got) fprintf(stderr, "  lk_topic_terms gives topics for \"%s\"\n", bodies[i]);
    ASSERT_EQ_INT(got, 0);
    ASSERT_OK(nd_add(ix, &x, NULL));
  }
  ASSERT_OK(nd_commit(ix));
  const char *queries[] = {"date:2010..2019", "the", "rain OR bread"};
  for (size_t k = 0; k < sizeof queries / sizeof *queries; k++) {
    nd_facet_options fo = {.versions = ND_VERSIONS_ALL};
    fo.fields = FACET_FIELDS;
    fo.nfields = 4;
    fo.limit = 1000;
    nd_facets *f = NULL;
    ASSERT_OK(nd_facets_get(ix, queries[k], &fo, &f));
    ASSERT(f->total > 0);
    ASSERT_EQ_INT(f->nfields, 4);
    for (size_t j = 0; j < 4; j++) ASSERT_EQ_INT(f->fields[j].n, 0);
    nd_facets_free(f);
  }
  size_t hits, off;
  ASSERT_OK(search_rc(ix, "topic:cat", &hits, &off));
  ASSERT_EQ_INT(hits, 0);
  ASSERT_OK(search_rc(ix, "topic:ca*", &hits, &off));
  ASSERT_EQ_INT(hits, 0);
  ASSERT_OK(search_rc(ix, "cat -topic:cat", &hits, &off));
  ASSERT_EQ_INT(hits, 1);
  nd_close(ix);
  nd_check_report rep = {0};
  ASSERT_OK(nd_check(dir, on_problem, NULL, &rep));
  ASSERT_EQ_INT(rep.problems, 0);
  rm_rf(dir);
}

/* A full name written two ways: the form a resolved partial name shows is
** the one most articles write, however the articles fall into segments.
** Three articles write "George W. Bush", each committed alone (a segment
** each), two "George W Bush", together; a sixth names him only as "Mr.
** Bush".  The people facet of that sixth article alone, and of
** person:"Mr. Bush" (all six: the partial name's shown form counts with
** the topics' written forms), must show the form of the most articles --
** brute force over lk_topic_terms -- before and after nd_optimize. */
static void test_alias_shown_form(void) {
  static const char *const bodies[] = {
    "President George W. Bush spoke in Texas on Monday about the budget. Mr. Bush said the plan would pass. "
    "Bush added that talks continue.",
    "President George W Bush spoke in Ohio on Friday about taxes. Mr. Bush said the plan would pass. "
    "Bush added that talks continue.",
    "Mr. Bush visited the zanzibarish harbour on Tuesday and met fishermen there. Mr. Bush said little.",
  };
  static const int which[] = {0, 0, 0, 1, 1, 2}, commit_after[] = {1, 1, 1, 0, 1, 1};
  enum { N = 6 };
  char dir[300];
  snprintf(dir, sizeof dir, "%s/shown", DIR_);
  nd_open_options oo = {0};
  oo.merge_factor = 1;
  nd_index *ix = NULL;
  ASSERT_OK(nd_open(dir, ND_OPEN_CREATE, &oo, &ix));
  /* brute force: per written form of the full name, the articles whose
  ** evidence writes it; the topics' written forms of it; the partial name */
  char full[128] = "", wr[4][128];
  size_t nwr = 0, ev_arts[4] = {0}, p_arts[4] = {0}, partials = 0;
  for (size_t i = 0; i < N; i++) {
    char id[16], date[16];
    snprintf(id, sizeof id, "shown-%zu", i);
    snprintf(date, sizeof date, "2002-0%zu-01", i + 1);
    nd_doc x = {0};
    x.id = id;
    x.date = date;
    x.body = bodies[which[i]];
    buf b;
    buf_init(&b);
    ASSERT_OK(lk_topic_terms(&x, &b));
    int counted[4] = {0};
    for (size_t at = 0; at < b.n; at += 1 + b.p[at]) {
      const char *t = (const char *)b.p + at + 1, *e = t + b.p[at];
      int evidence = t[0] == SEG_ALIAS_PREFIX, person = t[0] == SEG_TOPIC_PREFIX && t[1] == 'p';
      partials += t[0] == SEG_TOPIC_PREFIX && t[1] == AL_PARTIAL;
      if (!evidence && !person) continue;
      const char *s1 = memchr(t, LK_TERM_SEP, (size_t)(e - t)), *s2 = evidence && s1 ? memchr(s1 + 1, LK_TERM_SEP, (size_t)(e - s1 - 1)) : s1;
      ASSERT(s1 && s2);
      const char *f = evidence ? s1 + 1 : t + 2, *fe = evidence ? s2 : s1; /* the normalised full name */
      if (!full[0]) snprintf(full, sizeof full, "%.*s", (int)(fe - f), f);
      ASSERT((size_t)(fe - f) == strlen(full) && !memcmp(f, full, strlen(full))); /* one person */
      size_t k = 0;
      while (k < nwr && ((size_t)(e - s2 - 1) != strlen(wr[k]) || memcmp(wr[k], s2 + 1, (size_t)(e - s2 - 1)))) k++;
      if (k == nwr) {
        ASSERT(nwr < 4);
        snprintf(wr[nwr++], sizeof *wr, "%.*s", (int)(e - s2 - 1), s2 + 1);
      }
      if (person) p_arts[k]++;
      if (evidence && !counted[k]) { counted[k] = 1; ev_arts[k]++; }
    }
    buf_free(&b);
    ASSERT_OK(nd_add(ix, &x, NULL));
    if (commit_after[i]) ASSERT_OK(nd_commit(ix));
  }
  ASSERT(nwr == 2 && partials == 1 && ev_arts[0] != ev_arts[1]);
  size_t best = ev_arts[1] > ev_arts[0]; /* the evidence's most frequent form */
  /* person:"Mr. Bush": the topics' forms and, once, the partial name's */
  size_t pbest = 0;
  for (size_t k = 0; k < nwr; k++) {
    size_t c = p_arts[k] + (k == best), cb = p_arts[pbest] + (pbest == best);
    if (c > cb || (c == cb && strcmp(wr[k], wr[pbest]) < 0)) pbest = k;
  }
  fprintf(stderr, "  \"%s\" written \"%s\" in %zu articles' evidence, \"%s\" in %zu: a partial name shows \"%s\"; "
          "person:\"Mr. Bush\" shows \"%s\"\n", full, wr[0], ev_arts[0], wr[1], ev_arts[1], wr[best], wr[pbest]);
  const char *fields[] = {"people"};
  const char *queries[] = {"zanzibarish", "person:\"Mr. Bush\""};
  const size_t want_total[] = {1, N}, want_count[] = {1, N};
  const char *want_shown[] = {wr[best], wr[pbest]};
  int bad = 0;
  for (int state = 0; state < 2; state++) {
    if (state) ASSERT_OK(nd_optimize(ix));
    for (size_t k = 0; k < 2; k++) {
      nd_facet_options fo = {.versions = ND_VERSIONS_ALL};
      fo.fields = fields;
      fo.nfields = 1;
      fo.limit = 10;
      nd_facets *f = NULL;
      ASSERT_OK(nd_facets_get(ix, queries[k], &fo, &f));
      const nd_facet *g = &f->fields[0];
      int ok = f->total == want_total[k] && g->n == 1 && g->counts[0].count == want_count[k] &&
               !strcmp(g->counts[0].key, want_shown[k]);
      fprintf(stderr, "  %s, people facet of %s: %s%s%s %llu, want \"%s\" %zu%s\n", state ? "optimized" : "4 segments",
              queries[k], g->n ? "\"" : "", g->n ? g->counts[0].key : "nothing", g->n ? "\"" : "",
              (unsigned long long)(g->n ? g->counts[0].count : 0), want_shown[k], want_count[k], ok ? "" : ": DISAGREE");
      N_FACETS_COMPARED++;
      N_DISAGREE += !ok;
      bad += !ok;
      nd_facets_free(f);
    }
  }
  nd_close(ix);
  rm_rf(dir);
  ASSERT_EQ_INT(bad, 0);
}

static void test_cleanup(void) {
  nd_close(IX);
  IX = NULL;
  printf("topics: %zu queries and %zu facet lists (x4 fields, %zu entries) compared, %zu disagreements, %zu left out "
         "(ties), %.1fs\n", N_COMPARED, N_FACETS_COMPARED, N_FACET_ENTRIES, N_DISAGREE, N_LEFT_OUT + N_FIELDS_LEFT_OUT,
         now_s() - T_START);
  for (size_t i = 0; i < NQ; i++) {
    free(Q[i].text);
    free(Q[i].want);
    for (size_t a = 0; a < Q[i].nalt; a++) free(Q[i].alt[a]);
    qx_free(Q[i].x);
  }
  free(Q);
  for (size_t i = 0; i < NFQ; i++) { free(FQ[i].text); free(FQ[i].want); qx_free(FQ[i].x); }
  free(FQ);
  free(EVA); free(AP); free(FORM_AT); free(FORM_NP); free(ASHOWN); free(ASHOWN_TIE);
  free(RESF); free(CANON); free(SHOWN); free(RES_UNSURE); free(UNSURE); free(PK_STAR);
  st_free(&PKEYS);
  for (size_t i = 0; i < ND; i++) tdoc_free(&D[i]);
  free(D);
  free(IDS.slot);
  free(TT);
  free(NORM_TYPES);
  free(NORM_DF);
  free(NORM_BY_DF);
  st_free(&NORMS);
  st_free(&WRITTEN);
  st_free(&TERMS);
  st_free(&WORDS);
  an_free(AN);
  ASSERT(DIR_[0]);
  char dir[300];
  ixdir(dir, sizeof dir);
  rm_rf(dir);
  rm_rf(DIR_);
  ASSERT(access(DIR_, F_OK) != 0);
}

TEST_MAIN(TEST(test_build), TEST(test_real_articles), TEST(test_state1_segments), TEST(test_state2_optimized), TEST(test_state3_reopened),
          TEST(test_bad_input), TEST(test_no_topics), TEST(test_alias_shown_form), TEST(test_cleanup))
