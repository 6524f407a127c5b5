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
** truth is lk_topic_terms on the same nd_doc as added: per live article its
** (type, normalised name, written form) triples.  The library's parser,
** executor and facet code are never used by the oracle; the normalisation
** of query text is lk_norm, as the feature defines it.
**
** Queries (fixed-seed PRNG, ~300 names of mixed types, non-ASCII ones, ones
** with periods, multi-word ones, names found under several types):
** topic:"as written", topic:"OTHER CASE", the typed field of its type
** (org: organisation: organization: in turn), a wrong-type field, unquoted
** one-word names, prefixes of 2-5 characters (topic: and typed), and
** combinations: AND of co-occurring topics, OR, NOT, field groups
** topic:("A" OR "B"), a body word AND/NOT a topic, date ranges.  For every
** query the set of hit ids and nd_results_total equal the brute force.
** Facets (~50 queries, some matching most of the archive): for all four
** topic fields, limits 10 and 1000, the counts, order and shown forms equal
** the brute force, and the total the match count.  Hits come in score
** order; every 8th query is also run for a first page with snippets.
**
** States: multi-segment with deletions; after nd_optimize; after reopening
** read-only (a sample of the queries and facets); nd_check after each.
** Bad input: empty topic names, 1-character prefixes, over-long names, an
** archive without topics.  ND_TOPICS_VERBOSE=1 lists the queries.
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

#include "index/segment.h"
#include "ingest/ingest.h"
#include "index/topic_terms.h"
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

static strtab NORMS;   /* normalised topic names */
static strtab WRITTEN; /* written forms */
static strtab TERMS;   /* whole topic terms as lk_topic_terms gives them */
static strtab WORDS;   /* analysed terms of titles and bodies */

/* A topic term: its type letter, normalised name and written form. */
typedef struct tterm { char type; uint32_t norm, written; } tterm;
static tterm *TT; /* indexed like TERMS */
static size_t TT_cap;
static unsigned *NORM_TYPES; /* per norm: bit 1 << letter index (p o l x) of the types seen (live or not) */
static size_t NORM_TYPES_cap;

static int letter_bit(char c) {
  switch (c) {
  case 'p': return 1;
  case 'o': return 2;
  case 'l': return 4;
  default: return 8;
  }
}

/* ---- the oracle's articles ------------------------------------------------- */

typedef struct tdoc {
  char *id, *title, *date, *source, *url, *body, *extra;
  int64_t secs;        /* NO_DATE if none */
  uint32_t *top;       /* topic term ids (TERMS), as lk_topic_terms lists them */
  size_t ntop;
  uint32_t *words;     /* analysed title and body terms (WORDS), sorted, unique */
  size_t nwords;
  int alive;
  int updated;         /* 1 + which sentence was appended; 0 if not re-added */
} tdoc;

static tdoc *D;
static size_t ND, D_cap;
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

/* The oracle's truth about an article: its topic terms (lk_topic_terms on
** the nd_doc that nd_add is given) and its analysed words.  0, or -1 when
** lk_topic_terms fails or gives a term not of the documented form, or two
** terms of one normalised name. */
static int tdoc_analyze(tdoc *d) {
  nd_doc x = as_nd_doc(d);
  buf b;
  buf_init(&b);
  int rc = lk_topic_terms(&x, &b) ? -1 : 0;
  free(d->top);
  d->top = xmalloc((b.n + 1) * sizeof *d->top);
  d->ntop = 0;
  for (size_t at = 0; !rc && at < b.n; at += 1 + b.p[at]) {
    const char *t = (const char *)b.p + at + 1;
    size_t n = b.p[at];
    const char *sep = n > 2 ? memchr(t + 2, LK_TERM_SEP, n - 2) : NULL;
    if (at + 1 + n > b.n || n < 4 || t[0] != SEG_TOPIC_PREFIX || lk_letter_type(t[1]) < 0 || !sep || sep == t + 2) {
      fprintf(stderr, "  lk_topic_terms(%s): malformed term \"%.*s\"\n", d->id, (int)n, t);
      rc = -1;
      break;
    }
    uint32_t id = st_intern(&TERMS, t, n);
    if (id >= TT_cap) {
      TT_cap = TT_cap ? TT_cap * 2 : 4096;
      TT = xrealloc(TT, TT_cap * sizeof *TT);
    }
    TT[id].type = t[1];
    TT[id].norm = st_intern(&NORMS, t + 2, (size_t)(sep - t - 2));
    TT[id].written = st_intern(&WRITTEN, sep + 1, (size_t)(t + n - sep - 1));
    if (TT[id].norm >= NORM_TYPES_cap) {
      size_t cap = NORM_TYPES_cap ? NORM_TYPES_cap * 2 : 4096;
      NORM_TYPES = xrealloc(NORM_TYPES, cap * sizeof *NORM_TYPES);
      memset(NORM_TYPES + NORM_TYPES_cap, 0, (cap - NORM_TYPES_cap) * sizeof *NORM_TYPES);
      NORM_TYPES_cap = cap;
    }
    NORM_TYPES[TT[id].norm] |= (unsigned)letter_bit(t[1]);
    /* one term per normalised name (link.h): the facets count terms, so an
    ** article with "U.S." and "US" would count twice under "us" */
    for (size_t k = 0; k < d->ntop && !rc; k++)
      if (TT[d->top[k]].norm == TT[id].norm) {
        fprintf(stderr, "  lk_topic_terms(%s): two terms of the name \"%s\"\n", d->id, NORMS.s[TT[id].norm]);
        rc = -1;
      }
    d->top[d->ntop++] = id;
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
  d->secs = NO_DATE;
  if (d->date) {
    int64_t secs;
    char err[128];
    if (date_parse(d->date, strlen(d->date), &secs, err, sizeof err) == 0) d->secs = secs;
  }
  return rc;
}

static int has_word(const tdoc *d, uint32_t w) {
  return bsearch(&w, d->words, d->nwords, sizeof w, cmp_u32) != NULL;
}

static void tdoc_free(tdoc *d) {
  free(d->id); free(d->title); free(d->date); free(d->source); free(d->url); free(d->body); free(d->extra);
  free(d->top); free(d->words);
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

/* Live articles with a topic of one of `types` whose normalised name is
** `norm` (prefix = 0) or starts with it (prefix = 1).  *nterms (may be NULL)
** gets how many distinct topic terms of the archive match (deleted
** articles' too: they stay in the dictionary until a merge drops them). */
static dset ds_topic(const char *types, const char *norm, int prefix, size_t *nterms) {
  dset s = ds_new();
  size_t nn = strlen(norm);
  uint8_t *ok = calloc(NORMS.n + 1, 1);
  if (!ok) exit(2);
  for (size_t i = 0; i < NORMS.n; i++)
    ok[i] = prefix ? !strncmp(NORMS.s[i], norm, nn) : !strcmp(NORMS.s[i], norm);
  if (nterms) {
    *nterms = 0;
    for (size_t i = 0; i < TERMS.n; i++) *nterms += ok[TT[i].norm] && strchr(types, TT[i].type);
  }
  for (size_t i = 0; i < ND; i++) {
    if (!D[i].alive) continue;
    for (size_t k = 0; k < D[i].ntop && !s[i]; k++) {
      const tterm *t = &TT[D[i].top[k]];
      s[i] = ok[t->norm] && strchr(types, t->type);
    }
  }
  free(ok);
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
static size_t ds_count(const dset s) {
  size_t n = 0;
  for (size_t i = 0; i < ND; i++) n += s[i];
  return n;
}

/* ---- the queries ------------------------------------------------------------- */

enum { K_WRITTEN, K_CASE, K_TYPED, K_WRONGTYPE, K_WORD, K_PREFIX, K_AND, K_OR, K_NOT, K_GROUP, K_BODYWORD, K_DATE,
       K_NESTED, K_NKINDS };
static const char *const KIND_NAMES[K_NKINDS] = {"written", "other-case", "typed", "wrong-type", "unquoted",
                                                 "prefix", "and", "or", "not", "group", "body-word", "date",
                                                 "nested"};

typedef struct tquery {
  char *text;
  dset want;
  int kind;
} tquery;

static tquery *Q;
static size_t NQ, Q_cap;
static size_t KIND_COUNT[K_NKINDS];

static void add_query(int kind, char *text, dset want) {
  if (NQ == Q_cap) {
    Q_cap = Q_cap ? Q_cap * 2 : 1024;
    Q = xrealloc(Q, Q_cap * sizeof *Q);
  }
  Q[NQ++] = (tquery){text, want, kind};
  KIND_COUNT[kind]++;
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
  switch (type) {
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
  char *norm = norm_of(text);
  if (!*norm || strlen(norm) > QUERY_TOPIC_MAX) { free(norm); return; }
  add_query(kind, quoted ? fmt("%s:\"%s\"", field, text) : fmt("%s:%s", field, text),
            ds_topic(field_types(field), norm, 0, NULL));
  free(norm);
}

/* A clause naming topic term t: its text and its expected set. */
static char *clause(uint32_t t, dset *want, int typed) {
  const char *field = typed ? typed_field(TT[t].type, rn(3)) : "topic";
  const char *w = WRITTEN.s[TT[t].written];
  char *norm = norm_of(w);
  *want = ds_topic(field_types(field), norm, 0, NULL);
  free(norm);
  return fmt("%s:\"%s\"", field, w);
}

static void generate_queries(void) {
  size_t want = 300;
  uint32_t *names = xmalloc(want * sizeof *names);
  size_t nn = pick_names(names, want), cats[4] = {0};
  for (size_t i = 0; i < nn; i++) {
    const char *w = WRITTEN.s[TT[names[i]].written], *nm = NORMS.s[TT[names[i]].norm];
    unsigned b = NORM_TYPES[TT[names[i]].norm];
    cats[0] += has_nonascii(w);
    cats[1] += strchr(w, '.') != NULL;
    cats[2] += strchr(nm, ' ') != NULL;
    cats[3] += (b & (b - 1)) != 0;
  }
  fprintf(stderr, "  %zu names: %zu with non-ASCII letters, %zu with periods, %zu of several words, %zu of several types\n",
          nn, cats[0], cats[1], cats[2], cats[3]);
  size_t docs[64];
  for (size_t i = 0; i < nn; i++) {
    uint32_t t = names[i];
    const tterm *x = &TT[t];
    const char *w = WRITTEN.s[x->written], *nm = NORMS.s[x->norm];
    /* as written; in another case */
    add_topic_query(K_WRITTEN, "topic", w, 1);
    char *other = recase(w, rn(2));
    if (!strcmp(other, w)) { free(other); other = recase(w, 0); }
    if (!strcmp(other, w)) { free(other); other = recase(w, 1); }
    add_topic_query(K_CASE, "topic", other, 1);
    free(other);
    /* its own type's field; a wrong one (prefer a type the name also has) */
    if (x->type != 'x') add_topic_query(K_TYPED, typed_field(x->type, i), w, 1);
    static const char wrongs[] = "pol";
    char wt = 0;
    for (int k = 0; k < 3 && !wt; k++)
      if (wrongs[k] != x->type && (NORM_TYPES[x->norm] & (unsigned)letter_bit(wrongs[k]))) wt = wrongs[k];
    if (!wt) do wt = wrongs[rn(3)]; while (wt == x->type);
    add_topic_query(K_WRONGTYPE, typed_field(wt, i), w, 1);
    if (bare_word(w) && w[0] != '\'') add_topic_query(K_WORD, i % 2 ? "topic" : typed_field(x->type, i), w, 0);
    /* a prefix: topic: or the typed field, sometimes in capitals */
    char pfx[32];
    if (i % 2 == 0 && make_prefix(nm, pfx, sizeof pfx)) {
      const char *field = rn(3) == 0 ? typed_field(x->type, i) : "topic";
      char *ptext = rn(3) == 0 ? recase(pfx, 1) : xstrdup(pfx);
      char *pn = norm_of(ptext);
      size_t nterms;
      dset s = ds_topic(field_types(field), pn, 1, &nterms);
      if (nterms <= PREFIX_TERMS_MAX) add_query(K_PREFIX, fmt("%s:%s*", field, ptext), s);
      else free(s);
      free(pn);
      free(ptext);
    }
    /* combinations, for every other name */
    if (i % 2) continue;
    size_t nd = live_docs_of_norm(x->norm, docs, sizeof docs / sizeof *docs);
    if (nd > sizeof docs / sizeof *docs) nd = sizeof docs / sizeof *docs;
    const tdoc *d = nd ? &D[docs[rn(nd)]] : &D[rn(ND)];
    dset a, b, c;
    uint32_t u = other_topic(d, x->norm), v = (uint32_t)rn(TERMS.n);
    if (u != UINT32_MAX) {
      char *ca = clause(t, &a, 0), *cb = clause(u, &b, rn(2));
      add_query(K_AND, fmt("%s AND %s", ca, cb), ds_and(a, b));
      free(ca); free(cb);
      ca = clause(t, &a, rn(2));
      cb = clause(u, &b, 0);
      add_query(K_NOT, fmt("%s -%s", ca, cb), ds_andnot(a, b));
      free(ca); free(cb);
    }
    if (quotable(WRITTEN.s[TT[v].written]) && strlen(NORMS.s[TT[v].norm]) <= QUERY_TOPIC_MAX) {
      char *ca = clause(t, &a, rn(2)), *cb = clause(v, &b, rn(2));
      add_query(K_OR, fmt("%s OR %s", ca, cb), ds_or(a, b));
      free(ca); free(cb);
      /* a field group: both names under topic: (the clauses give the sets) */
      ca = clause(t, &a, 0);
      cb = clause(v, &b, 0);
      add_query(K_GROUP, fmt("topic:(\"%s\" OR \"%s\")", w, WRITTEN.s[TT[v].written]), ds_or(a, b));
      free(ca); free(cb);
      if (u != UINT32_MAX) { /* (A OR V) AND NOT U */
        ca = clause(t, &a, 0);
        cb = clause(v, &b, 0);
        char *cc = clause(u, &c, 0);
        add_query(K_NESTED, fmt("(%s OR %s) AND NOT %s", ca, cb, cc), ds_andnot(ds_or(a, b), c));
        free(ca); free(cb); free(cc);
      }
    }
    char word[16];
    uint32_t wd = body_word(d, word, sizeof word);
    if (wd != UINT32_MAX) {
      char *ca = clause(t, &a, rn(2));
      add_query(K_BODYWORD, fmt("%s AND %s", ca, word), ds_and(a, ds_word(wd)));
      free(ca);
      ca = clause(t, &a, 0);
      add_query(K_BODYWORD, fmt("%s -%s", word, ca), ds_andnot(ds_word(wd), a));
      free(ca);
    }
    int64_t y = year_of(d);
    int64_t y1 = y ? y - (int64_t)rn(3) : 2010, y2 = y ? y + (int64_t)rn(2) : 2019;
    char *ca = clause(t, &a, rn(2));
    add_query(K_DATE, fmt("%s AND date:%lld..%lld", ca, (long long)y1, (long long)y2),
              ds_and(a, ds_date(year_start(y1), year_start(y2 + 1) - 1)));
    free(ca);
  }
  /* prefixes written with periods, normalised like names ("U.S*" is "us*") */
  static const char *const dotted[] = {"topic:U.S*", "place:U.S*", "topic:U.N*", "org:U.N*", "topic:u.k*"};
  for (size_t k = 0; k < sizeof dotted / sizeof *dotted; k++) {
    char field[16];
    const char *op = split_field(dotted[k], field, sizeof field);
    char *text = xstrndup(op, strlen(op) - 1), *pn = norm_of(text); /* without the star */
    size_t nterms, chars = 0;
    for (const char *c = pn; *c; c++) chars += ((unsigned char)*c & 0xC0) != 0x80;
    dset ds = ds_topic(field_types(field), pn, 1, &nterms);
    if (chars >= 2 && nterms <= PREFIX_TERMS_MAX) add_query(K_PREFIX, xstrdup(dotted[k]), ds);
    else free(ds);
    free(pn);
    free(text);
  }
  free(names);
}

/* ---- facets: the queries and the brute force ---------------------------------- */

typedef struct tfacetq { char *text; dset want; } tfacetq;
static tfacetq *FQ;
static size_t NFQ, FQ_cap;

static void add_facet_query(char *text, dset want) {
  if (NFQ == FQ_cap) {
    FQ_cap = FQ_cap ? FQ_cap * 2 : 64;
    FQ = xrealloc(FQ, FQ_cap * sizeof *FQ);
  }
  FQ[NFQ++] = (tfacetq){text, want};
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
  add_facet_query(fmt("date:1900..2100"), ds_date(year_start(1900), year_start(2101) - 1));
  add_facet_query(fmt("date:2010..2019"), ds_date(year_start(2010), year_start(2020) - 1));
  add_facet_query(fmt("date:1987"), ds_date(year_start(1987), year_start(1988) - 1));
  add_facet_query(fmt("date:2014..2016"), ds_date(year_start(2014), year_start(2017) - 1));
  add_facet_query(fmt("date:..2013"), ds_date(INT64_MIN + 1, year_start(2014) - 1));
  uint32_t said = st_find(&WORDS, "said", 4);
  if (said != UINT32_MAX) {
    add_facet_query(fmt("said"), ds_word(said));
    add_facet_query(fmt("said OR date:2017.."), ds_or(ds_word(said), ds_date(year_start(2017), INT64_MAX)));
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
    add_facet_query(xstrdup(q), ds_topic(field_types(field), norm, prefix, NULL));
    free(norm);
    free(text);
  }
  /* the most frequent topics, and some of mid frequency */
  for (size_t k = 0; k < 12 && k < N_NORM_BY_DF; k++) {
    const char *nm = NORMS.s[NORM_BY_DF[k]];
    if (!quotable(nm) || strlen(nm) > QUERY_TOPIC_MAX) continue;
    add_facet_query(fmt("topic:\"%s\"", nm), ds_topic("plox", nm, 0, NULL));
  }
  for (size_t k = 0; k < 12; k++) {
    size_t span = N_NORM_BY_DF > 212 ? 200 : N_NORM_BY_DF > 12 ? N_NORM_BY_DF - 12 : 1;
    size_t j = 12 + rn(span);
    if (j >= N_NORM_BY_DF) continue;
    const char *nm = NORMS.s[NORM_BY_DF[j]], *nm2 = NORMS.s[NORM_BY_DF[rn(N_NORM_BY_DF)]];
    if (!quotable(nm) || !quotable(nm2) || strlen(nm) > QUERY_TOPIC_MAX || strlen(nm2) > QUERY_TOPIC_MAX) continue;
    const char *field = rn(2) ? "place" : "topic";
    add_facet_query(fmt("%s:\"%s\" OR topic:\"%s\"", field, nm, nm2),
                    ds_or(ds_topic(field_types(field), nm, 0, NULL), ds_topic("plox", nm2, 0, NULL)));
  }
  /* prefixes, dated topics */
  static const char *const pfx[] = {"ma", "jo", "un", "ch", "ba", "sa"};
  for (size_t k = 0; k < sizeof pfx / sizeof *pfx; k++) {
    size_t nterms;
    dset s = ds_topic("plox", pfx[k], 1, &nterms);
    if (nterms <= PREFIX_TERMS_MAX) add_facet_query(fmt("topic:%s*", pfx[k]), s);
    else free(s);
  }
  for (size_t k = 0; k < 6 && k < N_NORM_BY_DF; k++) {
    const char *nm = NORMS.s[NORM_BY_DF[k]];
    if (!quotable(nm) || strlen(nm) > QUERY_TOPIC_MAX) continue;
    add_facet_query(fmt("topic:\"%s\" AND date:2012..2016", nm),
                    ds_and(ds_topic("plox", nm, 0, NULL), ds_date(year_start(2012), year_start(2017) - 1)));
  }
}

typedef struct fentry { const char *shown; uint64_t count; } fentry;

static int cmp_fentry(const void *a, const void *b) {
  const fentry *x = a, *y = b;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  return strcmp(x->shown, y->shown);
}

/* The brute-force facet of the topics of `types` over the articles of s:
** per normalised name the articles that have it, shown under the written
** form most of them use (ties: the smaller byte string), most articles
** first, ties by the shown form.  Returns the full list (*n entries). */
static fentry *facet_oracle(const dset s, const char *types, size_t *n) {
  uint64_t *ndocs = calloc(NORMS.n + 1, sizeof *ndocs), *wdocs = calloc(WRITTEN.n + 1, sizeof *wdocs);
  uint32_t *best = malloc((NORMS.n + 1) * sizeof *best);
  uint8_t *nseen = calloc(NORMS.n + 1, 1), *wseen = calloc(WRITTEN.n + 1, 1);
  if (!ndocs || !wdocs || !best || !nseen || !wseen) exit(2);
  for (size_t i = 0; i < ND; i++) {
    if (!s[i]) continue;
    const tdoc *d = &D[i];
    for (size_t k = 0; k < d->ntop; k++) {
      const tterm *t = &TT[d->top[k]];
      if (!strchr(types, t->type)) continue;
      if (!nseen[t->norm]) { nseen[t->norm] = 1; ndocs[t->norm]++; }
      if (!wseen[t->written]) { wseen[t->written] = 1; wdocs[t->written]++; }
    }
    for (size_t k = 0; k < d->ntop; k++) nseen[TT[d->top[k]].norm] = wseen[TT[d->top[k]].written] = 0;
  }
  for (size_t i = 0; i < NORMS.n; i++) best[i] = UINT32_MAX;
  for (size_t t = 0; t < TERMS.n; t++) {
    uint32_t w = TT[t].written, nm = TT[t].norm, b = best[nm];
    if (!wdocs[w]) continue;
    if (b == UINT32_MAX || wdocs[w] > wdocs[b] || (wdocs[w] == wdocs[b] && strcmp(WRITTEN.s[w], WRITTEN.s[b]) < 0))
      best[nm] = w;
  }
  fentry *out = xmalloc((NORMS.n + 1) * sizeof *out);
  size_t m = 0;
  for (size_t i = 0; i < NORMS.n; i++)
    if (ndocs[i]) out[m++] = (fentry){WRITTEN.s[best[i]], ndocs[i]};
  qsort(out, m, sizeof *out, cmp_fentry);
  free(ndocs); free(wdocs); free(best); free(nseen); free(wseen);
  *n = m;
  return out;
}

/* ---- running and comparing ---------------------------------------------------- */

static nd_index *IX;
static char DIR_[256];
static int READY;
static size_t N_COMPARED, N_FACETS_COMPARED, N_DISAGREE;

static void ixdir(char *out, size_t cap) { snprintf(out, cap, "%s/ix", DIR_); }

/* Print an article's topic terms (for a disagreement). */
static void show_doc(size_t i) {
  fprintf(stderr, "      %s%s:", D[i].id, D[i].alive ? "" : " (deleted)");
  for (size_t k = 0; k < D[i].ntop; k++) {
    const tterm *t = &TT[D[i].top[k]];
    fprintf(stderr, " %c:\"%s\"=\"%s\"", t->type, NORMS.s[t->norm], WRITTEN.s[t->written]);
  }
  fputc('\n', stderr);
}

/* Run one query and compare its hits and total with the expected set.
** Returns 0 when they agree. */
static int check_query(nd_index *ix, const tquery *q) {
  nd_search_options o = {0};
  o.limit = BIG_LIMIT;
  o.ids_only = 1;
  o.snippets = ND_SNIPPET_NONE;
  nd_results *r = NULL;
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
  size_t want = ds_count(q->want), missing = 0, extra = 0;
  for (size_t i = 0; i < ND; i++) {
    missing += q->want[i] && !got[i];
    extra += !q->want[i] && got[i];
  }
  int bad = missing || extra || dup || unknown || disorder || n != want || total != want;
  if (bad) {
    N_DISAGREE++;
    fprintf(stderr, "  DISAGREE [%s] %s: want %zu articles; got %zu hits (total %llu): %zu missing, %zu extra, "
            "%zu duplicate, %zu unknown, %zu out of score order\n", KIND_NAMES[q->kind], q->text, want, n,
            (unsigned long long)total, missing, extra, dup, unknown, disorder);
    size_t shown = 0;
    for (size_t i = 0; i < ND && shown < 4; i++)
      if (q->want[i] != got[i]) {
        fprintf(stderr, "    %s:\n", q->want[i] ? "missing" : "extra");
        show_doc(i);
        shown++;
      }
  }
  /* a first page with snippets and full hits, as an application asks:
  ** the highlighter must cope with topic clauses (every 8th query) */
  if (!bad && N_COMPARED % 8 == 0) {
    nd_search_options p = {0};
    p.limit = 10;
    p.snippets = ND_SNIPPET_PLAIN;
    rc = nd_search(ix, q->text, &p, &r);
    size_t m = rc ? 0 : nd_results_count(r), outside = 0;
    for (size_t i = 0; i < m; i++) {
      nd_hit h;
      long di = nd_results_hit(r, i, &h) ? -1 : find_doc(h.id);
      outside += di < 0 || !q->want[di] || !h.snippet;
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
static const char *const FACET_TYPES[] = {"p", "o", "l", "plox"};

/* Compare nd_facets_get on one query with the brute force, for the four
** topic fields at one limit.  Returns 0 when they agree. */
static int check_facets(nd_index *ix, const tfacetq *q, size_t limit) {
  nd_facet_options fo = {0};
  fo.fields = FACET_FIELDS;
  fo.nfields = 4;
  fo.limit = limit;
  nd_facets *f = NULL;
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
    fentry *e = facet_oracle(q->want, FACET_TYPES[k], &m);
    size_t lim = limit ? limit : 10;
    if (m > lim) m = lim;
    const nd_facet *g = &f->fields[k];
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
  for (size_t i = 0; i < NQ; i += qstep, nq++) bad += check_query(ix, &Q[i]);
  for (size_t i = 0; i < NFQ; i += fstep, nf++) {
    bad += check_facets(ix, &FQ[i], 10);
    bad += check_facets(ix, &FQ[i], 1000);
    if (i % 4 == 0) bad += check_facets(ix, &FQ[i], 0); /* 0 means 10 */
  }
  fprintf(stderr, "  state %s: %zu queries, %zu facet queries (x2 limits, x4 fields): %d disagreements, %.2fs\n", state,
          nq, nf, bad, now_s() - t0);
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
  oo.merge_factor = 1;        /* kept apart: queries and facets must work across them */
  int rc = nd_open(dir, ND_OPEN_CREATE, &oo, &IX);
  if (rc) fprintf(stderr, "  nd_open: %s\n", IX ? nd_errmsg(IX) : "");
  ASSERT_OK(rc);
  for (size_t i = 0; i < ND; i++) {
    nd_doc x = as_nd_doc(&D[i]);
    rc = nd_add(IX, &x, NULL);
    if (rc) fprintf(stderr, "  nd_add(%s): %s\n", D[i].id, nd_errmsg(IX));
    ASSERT_OK(rc);
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
  ASSERT(nupd >= 20 && withname * 2 >= nupd);
  generate_queries();
  generate_facet_queries();
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

static void test_state1_segments(void) {
  ASSERT(READY);
  ASSERT_EQ_INT(check_archive(), 0);
  ASSERT_EQ_INT(run_suite(IX, "1 (segments, deletions)", 1, 1), 0);
}

static void test_state2_optimized(void) {
  ASSERT(READY);
  READY = 0;
  ASSERT_OK(nd_optimize(IX));
  nd_stats st;
  ASSERT_OK(nd_stats_get(IX, &st));
  ASSERT_EQ_INT(st.segments, 1);
  ASSERT_EQ_INT(st.deleted, 0);
  READY = 1;
  ASSERT_EQ_INT(check_archive(), 0);
  ASSERT_EQ_INT(run_suite(IX, "2 (optimized)", 3, 2), 0);
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
}

/* nd_search's status and, for ND_ERR_QUERY, the error offset. */
static int search_rc(nd_index *ix, const char *q, size_t *hits, size_t *off) {
  nd_results *r = NULL;
  nd_search_options o = {0};
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
  nd_facet_options fo = {0};
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
    nd_facet_options fo = {0};
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

static void test_cleanup(void) {
  nd_close(IX);
  IX = NULL;
  printf("topics: %zu queries and %zu facet lists (x4 fields) compared, %zu disagreements, %.1fs\n", N_COMPARED,
         N_FACETS_COMPARED, N_DISAGREE, now_s() - T_START);
  for (size_t i = 0; i < NQ; i++) { free(Q[i].text); free(Q[i].want); }
  free(Q);
  for (size_t i = 0; i < NFQ; i++) { free(FQ[i].text); free(FQ[i].want); }
  free(FQ);
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
          TEST(test_bad_input), TEST(test_no_topics), TEST(test_cleanup))
