/*
** test_oracle.c -- every query feature checked against a brute-force oracle
** on invented and real articles.
**
** The corpus (read with ingest_path; ids seen twice are kept once): the
** invented fixtures of testdata.h -- the 1500 articles of news.jsonl and the
** first 1000 of wire.jsonl.zst -- and, when the third-party data is there,
** sample-1000.jsonl and the first 1000 articles of
** news-reuters21578.jsonl.zst (test_real_articles says whether they were
** used or skipped).  They are indexed, and the same articles are analysed here with an_analyze
** into per-document sorted lists of (term, position) pairs.  About 670
** queries are generated from the articles with a fixed-seed PRNG as trees of
** our own -- terms of high/mid/low df, AND of 2-4, OR, NOT, phrases of 2-3
** words, title:/body: terms, phrases and prefixes, source: values (quoted
** or bare, in other cases and spacing, alone, ANDed or in a group) and
** prefixes, prefixes, date
** periods and ranges, combinations, field groups, unparenthesised
** precedence, hyphenated words and their joined forms, phrases straddling
** the title/body gap, random nested trees -- rendered to query strings for
** nd_search and evaluated here by brute force.  The library's parser and
** executor are never used by the oracle.  For every query: the hit sets are
** equal, nd_results_total counts them, the ranked list is ordered (score
** non-increasing, ties newer first); for single terms and two-term ANDs the
** BM25F scores are recomputed here and agree within 1e-6 (relative); for a
** sample, pages of 7 concatenate to the full list and ND_SORT_DATE gives the
** same hits newest first.
**
** Sources (check_sources, in every state): for every distinct source key
** (the value folded here with an_fold, white space and quotes collapsed),
** source:"VALUE" -- written in another case and spacing -- finds exactly
** the live articles with that key, and its source facet is that one value
** with that count; for a few broad queries the source facet lists every
** key of the matches with its count and its most frequent written form.
**
** Index states checked, each with the full suite (the tests run in order and
** depend on test_build: run them all):
**   1. created with a small write buffer and an early commit (several
**      segments), committed;
**   2. after re-adding ~10% with a unique word appended to the body, deleting
**      ~5% (some just re-added; a few deleted then added again), committed:
**      each unique word finds exactly its live article, deleted ids are gone;
**   3. after nd_optimize (one segment, nothing deleted);
**   4. after closing and reopening read-only.
** The archive is written under a fresh mkdtemp folder in /tmp, removed at
** the end.  ND_ORACLE_VERBOSE=1 lists the generated queries.
*/

#include <ctype.h>
#include <ftw.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "newsdex.h"
#define TEST_RNG_SEED 0x20040101u
#include "test.h"
#include "testdata.h"
#include "testutil.h"
#include "text/analyze.h"
#include "util/date.h"

#define N_NEWS_MAX 1500
#define N_WIRE_MAX 1000
#define N_SAMPLE_MAX 1000
#define N_REUTERS_MAX 1000
#define BIG_LIMIT 100000
#define NO_DATE INT64_MIN

/* ---- small helpers ------------------------------------------------------- */

/* A growing string. */
typedef struct sbuf { char *p; size_t n, cap; } sbuf;
static void sb_add(sbuf *b, const char *s) {
  size_t k = strlen(s);
  if (b->n + k + 1 > b->cap) {
    b->cap = (b->n + k + 1) * 2;
    b->p = xrealloc(b->p, b->cap);
  }
  memcpy(b->p + b->n, s, k + 1);
  b->n += k;
}

/* ---- the term dictionary (string interning) -------------------------------- */

static char **T_str;
static size_t T_n, T_cap;
static uint32_t *T_hash; /* open addressing: id + 1, 0 = empty */
static size_t T_hcap;

static uint32_t term_find(const char *s, size_t n) {
  if (!T_hcap) return UINT32_MAX;
  for (size_t h = fnv(s, n) & (T_hcap - 1); T_hash[h]; h = (h + 1) & (T_hcap - 1)) {
    const char *t = T_str[T_hash[h] - 1];
    if (strlen(t) == n && !memcmp(t, s, n)) return T_hash[h] - 1;
  }
  return UINT32_MAX;
}

static uint32_t term_intern(const char *s, size_t n) {
  uint32_t id = term_find(s, n);
  if (id != UINT32_MAX) return id;
  if ((T_n + 1) * 2 > T_hcap) {
    size_t cap = T_hcap ? T_hcap * 2 : 1 << 16;
    uint32_t *t = calloc(cap, sizeof *t);
    if (!t) exit(2);
    for (size_t i = 0; i < T_n; i++) {
      size_t h = fnv(T_str[i], strlen(T_str[i])) & (cap - 1);
      while (t[h]) h = (h + 1) & (cap - 1);
      t[h] = (uint32_t)i + 1;
    }
    free(T_hash);
    T_hash = t;
    T_hcap = cap;
  }
  if (T_n == T_cap) {
    T_cap = T_cap ? T_cap * 2 : 1 << 15;
    T_str = xrealloc(T_str, T_cap * sizeof *T_str);
  }
  T_str[T_n] = xstrndup(s, n);
  size_t h = fnv(s, n) & (T_hcap - 1);
  while (T_hash[h]) h = (h + 1) & (T_hcap - 1);
  T_hash[h] = (uint32_t)T_n + 1;
  return (uint32_t)T_n++;
}

/* ---- the oracle's documents -------------------------------------------------- */

typedef struct odoc {
  char *id, *title, *date, *source, *url, *body, *extra;
  int64_t secs; /* NO_DATE if none */
  uint32_t tl, bl; /* positions used by title and body */
  uint64_t *tp;    /* title+body tokens: term << 32 | pos, sorted */
  size_t ntp;
  char *skey;    /* source key (src_fold), NULL without a source or when it folds to nothing */
  char *swritten; /* source as written, white space collapsed */
  int alive;
  int updated; /* index+1 of its unique word, 0 if not updated */
} odoc;

static odoc *D;
static size_t ND, D_cap;

static analyzer *AN;

static test_ids IDS;
static const char *id_of(size_t i) { return D[i].id; }
static long find_doc(const char *id) { return test_ids_find(&IDS, id, id_of); }
static void id_index_build(void) { test_ids_build(&IDS, ND, id_of); }

typedef struct u64v { uint64_t *v; size_t n, cap; } u64v;
static void u64_push(u64v *a, uint64_t x) {
  if (a->n == a->cap) {
    a->cap = a->cap ? a->cap * 2 : 256;
    a->v = xrealloc(a->v, a->cap * sizeof *a->v);
  }
  a->v[a->n++] = x;
}
static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static int emit_tp(void *ctx, const an_token *t) {
  u64_push(ctx, (uint64_t)term_intern(t->term, t->len) << 32 | t->pos);
  return 0;
}

/* A source value as the index keys it (key 1: case-folded with an_fold,
** double quotes count as white space) or writes it (key 0): runs of white
** space and control bytes made one space, trimmed.  malloc'ed.  The
** sources here are short: no cut at the index's 120-byte limit. */
static char *src_fold(const char *s, int key) {
  size_t n = strlen(s), cap = 8 * n + 16, k = n;
  char *f = xmalloc(cap), *out = xmalloc(cap);
  if (key) k = an_fold(AN, s, n, f, cap);
  else memcpy(f, s, n);
  size_t o = 0;
  int gap = 0;
  for (size_t i = 0; i < k; i++) {
    unsigned char c = (unsigned char)f[i];
    if (c <= ' ' || c == 0x7f || (key && c == '"')) { gap = o > 0; continue; }
    if (gap) out[o++] = ' ';
    gap = 0;
    out[o++] = (char)c;
  }
  out[o] = 0;
  free(f);
  return out;
}

/* (Re)build the token lists of a document from its text. */
static void odoc_analyze(odoc *d) {
  u64v v = {0};
  uint32_t tl = 0, bl = 0;
  if (d->title) an_analyze(AN, d->title, strlen(d->title), 0, emit_tp, &v, &tl);
  an_analyze(AN, d->body, strlen(d->body), tl + 1, emit_tp, &v, &bl);
  qsort(v.v, v.n, sizeof *v.v, cmp_u64);
  free(d->tp);
  d->tp = v.v;
  d->ntp = v.n;
  d->tl = tl;
  d->bl = bl;
  free(d->skey);
  free(d->swritten);
  d->skey = d->source ? src_fold(d->source, 1) : NULL;
  d->swritten = d->skey ? src_fold(d->source, 0) : NULL;
  if (d->skey && !*d->skey) {
    free(d->skey);
    free(d->swritten);
    d->skey = d->swritten = NULL;
  }
  d->secs = NO_DATE;
  if (d->date) {
    int64_t secs;
    char err[128];
    if (date_parse(d->date, strlen(d->date), &secs, err, sizeof err) == 0) d->secs = secs;
  }
}

static void odoc_free(odoc *d) {
  free(d->id); free(d->title); free(d->date); free(d->source); free(d->url); free(d->body); free(d->extra);
  free(d->tp); free(d->skey); free(d->swritten);
}

/* Loading: ingest callbacks. */
typedef struct load_ctx { size_t max, got; } load_ctx;

static int on_doc(void *ctx, const nd_doc *doc, const char *file, uint64_t line) {
  load_ctx *c = ctx;
  if (c->got >= c->max) return 1;
  c->got++;
  if (!doc->id) return 0;
  for (size_t i = 0; i < ND; i++) /* a few thousand: fine, done once */
    if (!strcmp(D[i].id, doc->id)) return 0;
  if (ND == D_cap) {
    D_cap = D_cap ? D_cap * 2 : 1024;
    D = xrealloc(D, D_cap * sizeof *D);
  }
  odoc *d = &D[ND++];
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

static nd_doc as_nd_doc(const odoc *d) {
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

/* ---- the oracle's lookups ------------------------------------------------- */

static size_t lower_bound(const odoc *d, uint64_t key) {
  size_t lo = 0, hi = d->ntp;
  while (lo < hi) {
    size_t m = (lo + hi) / 2;
    if (d->tp[m] < key) lo = m + 1;
    else hi = m;
  }
  return lo;
}
static int has_at(const odoc *d, uint32_t t, uint32_t pos) {
  uint64_t key = (uint64_t)t << 32 | pos;
  size_t i = lower_bound(d, key);
  return i < d->ntp && d->tp[i] == key;
}

enum { F_ANY = 0, F_TITLE = 1, F_BODY = 2, F_SOURCE = 3 };
static const char *FIELD_NAME[] = {"", "title:", "body:", "source:"};

static int has_term(const odoc *d, uint32_t t, int field) {
  uint32_t from = field == F_BODY ? d->tl + 1 : 0;
  size_t i = lower_bound(d, (uint64_t)t << 32 | from);
  if (i >= d->ntp || (uint32_t)(d->tp[i] >> 32) != t) return 0;
  if (field == F_TITLE) return (uint32_t)d->tp[i] < d->tl;
  return 1;
}

static void tf_of(const odoc *d, uint32_t t, uint32_t *tft, uint32_t *tfb) {
  *tft = *tfb = 0;
  for (size_t i = lower_bound(d, (uint64_t)t << 32); i < d->ntp && (uint32_t)(d->tp[i] >> 32) == t; i++) {
    if ((uint32_t)d->tp[i] < d->tl) (*tft)++;
    else (*tfb)++;
  }
}

/* ---- query trees -------------------------------------------------------------- */

enum { K_TERM, K_PHRASE, K_PREFIX, K_DATE, K_AND, K_OR, K_NOT };

typedef struct qn {
  int k, field;
  char *skey;  /* F_SOURCE TERM: the key of the value (words[0] is the value as the query writes it) */
  uint32_t terms[4];
  char *words[4];
  int nterms;
  char pre[48];
  uint8_t *pflag; /* per dictionary term: matches the prefix */
  size_t pflag_n;
  int64_t lo, hi;
  char dspec[80];
  struct qn *kid[4];
  int nkid;
  int group;   /* AND/OR rendered as field:( ... ) (kids are plain leaves of that field) */
  int noparen; /* OR: render AND kids without parentheses (precedence) */
  int andword; /* AND: use " AND " between kids; NOT: render as "NOT " */
  char *raw;   /* PHRASE: render this word (a hyphenated compound) instead */
} qn;

static qn *qnew(int k) {
  qn *n = calloc(1, sizeof *n);
  if (!n) exit(2);
  n->k = k;
  return n;
}
static void qfree(qn *n) {
  if (!n) return;
  for (int i = 0; i < n->nterms; i++) free(n->words[i]);
  for (int i = 0; i < n->nkid; i++) qfree(n->kid[i]);
  free(n->pflag);
  free(n->raw);
  free(n->skey);
  free(n);
}

static int match(qn *n, const odoc *d);

static void prefix_prepare(qn *n) {
  if (n->pflag && n->pflag_n == T_n) return;
  free(n->pflag);
  n->pflag = xmalloc(T_n + 1);
  n->pflag_n = T_n;
  size_t pl = strlen(n->pre);
  for (size_t i = 0; i < T_n; i++) n->pflag[i] = strncmp(T_str[i], n->pre, pl) == 0;
}

static int match(qn *n, const odoc *d) {
  switch (n->k) {
  case K_TERM:
    if (n->field == F_SOURCE) return d->skey && !strcmp(d->skey, n->skey);
    return has_term(d, n->terms[0], n->field);
  case K_PHRASE: {
    uint32_t t0 = n->terms[0];
    for (size_t i = lower_bound(d, (uint64_t)t0 << 32); i < d->ntp && (uint32_t)(d->tp[i] >> 32) == t0; i++) {
      uint32_t p = (uint32_t)d->tp[i];
      int in_title = p < d->tl;
      if (n->field == F_TITLE && !in_title) continue;
      if (n->field == F_BODY && in_title) continue;
      if (in_title && p + (uint32_t)n->nterms - 1 >= d->tl) continue;
      int ok = 1;
      for (int k = 1; k < n->nterms && ok; k++) ok = has_at(d, n->terms[k], p + (uint32_t)k);
      if (ok) return 1;
    }
    return 0;
  }
  case K_PREFIX:
    if (n->field == F_SOURCE) return d->skey && !strncmp(d->skey, n->pre, strlen(n->pre));
    for (size_t i = 0; i < d->ntp; i++) {
      if (!n->pflag[d->tp[i] >> 32]) continue;
      uint32_t p = (uint32_t)d->tp[i];
      if (n->field == F_TITLE && p >= d->tl) continue;
      if (n->field == F_BODY && p < d->tl) continue;
      return 1;
    }
    return 0;
  case K_DATE:
    return d->secs != NO_DATE && d->secs >= n->lo && d->secs <= n->hi;
  case K_AND: {
    int pos = 0;
    for (int i = 0; i < n->nkid; i++) {
      if (n->kid[i]->k == K_NOT) {
        if (match(n->kid[i]->kid[0], d)) return 0;
      } else {
        pos++;
        if (!match(n->kid[i], d)) return 0;
      }
    }
    return pos > 0;
  }
  case K_OR:
    for (int i = 0; i < n->nkid; i++)
      if (match(n->kid[i], d)) return 1;
    return 0;
  default:
    return 0;
  }
}

static void prepare(qn *n) {
  if (n->k == K_PREFIX && n->field != F_SOURCE) prefix_prepare(n);
  for (int i = 0; i < n->nkid; i++) prepare(n->kid[i]);
}

/* Rendering to the query language. */
static int is_leaf(const qn *n) { return n->k <= K_DATE; }

static void render(const qn *n, sbuf *b, int in_group);

static void render_primary(const qn *n, sbuf *b, int in_group) {
  if (is_leaf(n) || n->group) {
    render(n, b, in_group);
  } else {
    sb_add(b, "(");
    render(n, b, in_group);
    sb_add(b, ")");
  }
}

static void render(const qn *n, sbuf *b, int in_group) {
  switch (n->k) {
  case K_TERM:
    if (!in_group) sb_add(b, FIELD_NAME[n->field]);
    sb_add(b, n->words[0]);
    break;
  case K_PHRASE:
    if (!in_group) sb_add(b, FIELD_NAME[n->field]);
    if (n->raw) {
      sb_add(b, n->raw);
      break;
    }
    sb_add(b, "\"");
    for (int i = 0; i < n->nterms; i++) {
      if (i) sb_add(b, " ");
      sb_add(b, n->words[i]);
    }
    sb_add(b, "\"");
    break;
  case K_PREFIX:
    if (!in_group) sb_add(b, FIELD_NAME[n->field]);
    sb_add(b, n->words[0]); /* the prefix as written (case may differ from pre) */
    sb_add(b, "*");
    break;
  case K_DATE:
    sb_add(b, "date:");
    sb_add(b, n->dspec);
    break;
  case K_AND:
  case K_OR: {
    int grp = n->group && !in_group;
    if (grp) {
      sb_add(b, FIELD_NAME[n->kid[0]->field]);
      sb_add(b, "(");
    }
    for (int i = 0; i < n->nkid; i++) {
      const qn *c = n->kid[i];
      if (i) sb_add(b, n->k == K_OR ? " OR " : n->andword ? " AND " : " ");
      if (c->k == K_NOT) {
        sb_add(b, c->andword ? "NOT " : "-");
        render_primary(c->kid[0], b, in_group || grp);
      } else if (n->k == K_OR && c->k == K_AND && n->noparen && !c->group) {
        render(c, b, in_group || grp);
      } else {
        render_primary(c, b, in_group || grp);
      }
    }
    if (grp) sb_add(b, ")");
    break;
  }
  default:
    break;
  }
}

/* ---- dates, computed here ----------------------------------------------------- */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}
static void civil_from_days(int64_t z, int *y, int *m, int *d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}
static int64_t day_secs(int y, int m, int d) { return days_from_civil(y, (unsigned)m, (unsigned)d) * 86400; }

/* Period named by a partial date: which = 1 (Y), 2 (Y-M), 3 (Y-M-D). */
static void period(int which, int y, int m, int d, int64_t *lo, int64_t *hi) {
  if (which == 1) { *lo = day_secs(y, 1, 1); *hi = day_secs(y + 1, 1, 1) - 1; }
  else if (which == 2) { *lo = day_secs(y, m, 1); *hi = (m == 12 ? day_secs(y + 1, 1, 1) : day_secs(y, m + 1, 1)) - 1; }
  else { *lo = day_secs(y, m, d); *hi = *lo + 86399; }
}
static void fmt_period(char *out, int which, int y, int m, int d) {
  if (which == 1) sprintf(out, "%04d", y);
  else if (which == 2) sprintf(out, "%04d-%02d", y, m);
  else sprintf(out, "%04d-%02d-%02d", y, m, d);
}

/* ---- generation ------------------------------------------------------------------ */

typedef struct gtok { uint32_t pos, start, end, term; int joined; } gtok;
typedef struct gtoks { gtok *v; size_t n, cap; } gtoks;
static int emit_g(void *ctx, const an_token *t) {
  gtoks *g = ctx;
  if (g->n == g->cap) {
    g->cap = g->cap ? g->cap * 2 : 256;
    g->v = xrealloc(g->v, g->cap * sizeof *g->v);
  }
  g->v[g->n++] = (gtok){t->pos, t->start, t->end, term_intern(t->term, t->len), t->joined};
  return 0;
}

/* Non-joined tokens of one field of a document, in order; *text its text. */
static gtoks field_tokens_all(const odoc *d, int field, const char **text, int keep_joined) {
  gtoks g = {0};
  const char *s = field == F_TITLE ? d->title : field == F_SOURCE ? d->source : d->body;
  *text = s;
  if (!s) return g;
  uint32_t base = field == F_BODY ? d->tl + 1 : 0;
  an_analyze(AN, s, strlen(s), base, emit_g, &g, NULL);
  if (keep_joined) return g;
  size_t k = 0;
  for (size_t i = 0; i < g.n; i++)
    if (!g.v[i].joined) g.v[k++] = g.v[i];
  g.n = k;
  return g;
}
static gtoks field_tokens(const odoc *d, int field, const char **text) {
  return field_tokens_all(d, field, text, 0);
}

typedef struct one_tok { int n, joined; uint32_t term; } one_tok;
static int emit_one(void *ctx, const an_token *t) {
  one_tok *o = ctx;
  o->n++;
  o->joined |= t->joined;
  o->term = term_intern(t->term, t->len);
  return 0;
}

/* The word text[start..end) if it is plain ASCII letters/digits and analyses
** alone to exactly the token `term`; else NULL. */
static char *good_word(const char *text, const gtok *t) {
  size_t n = t->end - t->start;
  if (n < 1 || n > 30) return NULL;
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)text[t->start + i])) return NULL;
  one_tok o = {0};
  an_analyze(AN, text + t->start, n, 0, emit_one, &o, NULL);
  if (o.n != 1 || o.joined || o.term != t->term) return NULL;
  char *w = xstrndup(text + t->start, n);
  if (!strcmp(w, "AND") || !strcmp(w, "OR") || !strcmp(w, "NOT"))
    for (char *p = w; *p; p++) *p = (char)tolower((unsigned char)*p);
  return w;
}

static uint32_t *DF; /* df per term over live docs (title or body) */
static size_t DF_n;
static double N_live;

static void compute_df(void) {
  free(DF);
  DF_n = T_n;
  DF = calloc(DF_n + 1, sizeof *DF);
  if (!DF) exit(2);
  N_live = 0;
  for (size_t i = 0; i < ND; i++) {
    const odoc *d = &D[i];
    if (!d->alive) continue;
    N_live++;
    uint32_t last = UINT32_MAX;
    for (size_t k = 0; k < d->ntp; k++) {
      uint32_t t = (uint32_t)(d->tp[k] >> 32);
      if (t != last) DF[t]++;
      last = t;
    }
  }
}

static size_t rdoc(void) {
  for (;;) {
    size_t i = rn(ND);
    if (D[i].alive) return i;
  }
}
static size_t rdoc_where(int need_title, int need_date) {
  for (int tries = 0; tries < 100000; tries++) {
    size_t i = rdoc();
    if (need_title && (!D[i].title || D[i].tl < 3)) continue;
    if (need_date && D[i].secs == NO_DATE) continue;
    return i;
  }
  return rdoc();
}

/* A term leaf from a document's field; df bucket: 0 any, 1 high, 2 mid, 3 low. */
static qn *gen_term_from(size_t di, int field, int scope, int bucket) {
  const char *text;
  int src_field = field == F_ANY ? (rn(4) == 0 && D[di].title ? F_TITLE : F_BODY) : field;
  gtoks g = field_tokens(&D[di], src_field, &text);
  qn *n = NULL;
  for (int tries = 0; tries < 60 && g.n && !n; tries++) {
    const gtok *t = &g.v[rn(g.n)];
    if (bucket && src_field != F_SOURCE) {
      uint32_t df = DF[t->term];
      if (bucket == 1 && df < N_live / 10) continue;
      if (bucket == 2 && (df < 10 || df >= N_live / 10)) continue;
      if (bucket == 3 && df > 5) continue;
    }
    char *w = good_word(text, t);
    if (!w) continue;
    n = qnew(K_TERM);
    n->field = scope;
    n->terms[0] = t->term;
    n->words[0] = w;
    n->nterms = 1;
  }
  free(g.v);
  return n;
}

static qn *gen_term(int field, int bucket) {
  for (;;) {
    size_t di = field == F_TITLE ? rdoc_where(1, 0) : rdoc();
    qn *n = gen_term_from(di, field, field, bucket);
    if (n) return n;
  }
}

static qn *gen_phrase_from(size_t di, int field, int scope, int len) {
  const char *text;
  int src_field = field == F_ANY ? (rn(4) == 0 && D[di].title ? F_TITLE : F_BODY) : field;
  gtoks g = field_tokens(&D[di], src_field, &text);
  qn *n = NULL;
  for (int tries = 0; tries < 60 && g.n >= (size_t)len && !n; tries++) {
    size_t s = rn(g.n - (size_t)len + 1);
    int ok = 1;
    for (int k = 1; k < len && ok; k++) ok = g.v[s + k].pos == g.v[s].pos + (uint32_t)k;
    if (!ok) continue;
    char *w[4] = {0};
    for (int k = 0; k < len && ok; k++) ok = (w[k] = good_word(text, &g.v[s + k])) != NULL;
    if (!ok) {
      for (int k = 0; k < len; k++) free(w[k]);
      continue;
    }
    n = qnew(K_PHRASE);
    n->field = scope;
    n->nterms = len;
    for (int k = 0; k < len; k++) {
      n->terms[k] = g.v[s + k].term;
      n->words[k] = w[k];
    }
  }
  free(g.v);
  return n;
}

static qn *gen_phrase(int field, int len) {
  for (;;) {
    size_t di = field == F_TITLE ? rdoc_where(1, 0) : rdoc();
    qn *n = gen_phrase_from(di, field, field, len);
    if (n) return n;
  }
}

/* Hyphenated compounds: want_joined = 1 gives the whole-compound term as a
** word ("email" for "e-mail"); 0 gives the hyphenated word itself, which the
** query language reads as the phrase of its parts. */
static qn *gen_compound(int want_joined) {
  for (int attempt = 0; attempt < 100000; attempt++) {
    size_t di = rdoc();
    const char *text;
    int field = rn(5) == 0 && D[di].title ? F_TITLE : F_BODY;
    gtoks g = field_tokens_all(&D[di], field, &text, 1);
    size_t nj = 0;
    for (size_t i = 0; i < g.n; i++) nj += g.v[i].joined;
    if (!nj) { free(g.v); continue; }
    size_t pick = rn(nj), ji = 0;
    for (size_t i = 0; i < g.n; i++)
      if (g.v[i].joined && pick-- == 0) { ji = i; break; }
    const gtok *J = &g.v[ji];
    qn *n = NULL;
    int ok = J->end - J->start < 40;
    for (uint32_t c = J->start; c < J->end && ok; c++)
      ok = isalnum((unsigned char)text[c]) || text[c] == '-';
    if (ok && want_joined) {
      const char *w = T_str[J->term];
      size_t wl = strlen(w);
      for (size_t c = 0; c < wl && ok; c++) ok = isalnum((unsigned char)w[c]);
      one_tok o = {0};
      if (ok) an_analyze(AN, w, wl, 0, emit_one, &o, NULL);
      if (ok && o.n == 1 && !o.joined && o.term == J->term) {
        n = qnew(K_TERM);
        n->terms[0] = J->term;
        n->words[0] = xstrdup(w);
        n->nterms = 1;
      }
    } else if (ok) {
      uint32_t parts[4];
      int np = 0;
      for (size_t i = 0; i < g.n && ok; i++) {
        if (g.v[i].joined || g.v[i].start < J->start || g.v[i].end > J->end) continue;
        if (np == 4 || g.v[i].pos != J->pos + (uint32_t)np) ok = 0;
        else parts[np++] = g.v[i].term;
      }
      if (ok && np >= 2) {
        n = qnew(K_PHRASE);
        n->nterms = np;
        for (int k = 0; k < np; k++) {
          n->terms[k] = parts[k];
          n->words[k] = xstrdup(T_str[parts[k]]);
        }
        n->raw = xstrndup(text + J->start, J->end - J->start);
      }
    }
    free(g.v);
    if (n) {
      if (rn(3) == 0) n->field = field;
      return n;
    }
  }
  return gen_term(F_ANY, 0);
}

/* A phrase made of the last words of a title and the first of the body: it
** must not match across the gap between the fields (but may elsewhere). */
static qn *gen_cross_gap(void) {
  for (;;) {
    size_t di = rdoc_where(1, 0);
    const char *tt, *bt;
    gtoks a = field_tokens(&D[di], F_TITLE, &tt), b = field_tokens(&D[di], F_BODY, &bt);
    qn *n = NULL;
    if (a.n >= 1 && b.n >= 1) {
      int na = (int)rn(2) + 1, nb = (int)rn(2) + 1;
      if ((size_t)na > a.n) na = 1;
      if ((size_t)nb > b.n) nb = 1;
      char *w[4] = {0};
      uint32_t t[4];
      int ok = 1, k = 0;
      for (int i = 0; i < na && ok; i++, k++) {
        const gtok *x = &a.v[a.n - (size_t)na + (size_t)i];
        ok = (w[k] = good_word(tt, x)) != NULL;
        t[k] = x->term;
      }
      for (int i = 0; i < nb && ok; i++, k++) {
        ok = (w[k] = good_word(bt, &b.v[i])) != NULL;
        t[k] = b.v[i].term;
      }
      if (ok) {
        n = qnew(K_PHRASE);
        n->nterms = na + nb;
        for (int i = 0; i < n->nterms; i++) {
          n->terms[i] = t[i];
          n->words[i] = w[i];
        }
      } else {
        for (int i = 0; i < 4; i++) free(w[i]);
      }
    }
    free(a.v);
    free(b.v);
    if (n) return n;
  }
}

/* A source value as a query may write it: quoted, or bare when it is one
** plain word (and bare_ok), ASCII letters' case flipped at random, spaces
** doubled or made tabs, quotes blanked.  malloc'ed. */
static char *source_text(const char *written, int bare_ok) {
  size_t n = strlen(written);
  int bare = bare_ok && rn(2) == 0 && strcmp(written, "AND") && strcmp(written, "OR") && strcmp(written, "NOT");
  for (size_t i = 0; i < n && bare; i++) bare = isalnum((unsigned char)written[i]) || (i && written[i] == '.');
  char *out = xmalloc(4 * n + 8);
  size_t o = 0;
  if (!bare) {
    out[o++] = '"';
    if (rn(4) == 0) out[o++] = ' ';
  }
  for (size_t i = 0; i < n; i++) {
    char c = written[i];
    if (c == '"') c = ' ';
    if (c == ' ') {
      out[o++] = rn(5) == 0 ? '\t' : ' ';
      if (rn(3) == 0) out[o++] = ' ';
      continue;
    }
    if (isalpha((unsigned char)c) && rn(3) == 0) c = (char)(isupper((unsigned char)c) ? tolower((unsigned char)c) : toupper((unsigned char)c));
    out[o++] = c;
  }
  if (!bare) {
    if (rn(4) == 0) out[o++] = ' ';
    out[o++] = '"';
  }
  out[o] = 0;
  return out;
}

/* source:VALUE for the source of document di (which has one). */
static qn *gen_source_value(size_t di, int bare_ok) {
  qn *n = qnew(K_TERM);
  n->field = F_SOURCE;
  n->skey = xstrdup(D[di].skey);
  n->words[0] = source_text(D[di].swritten, bare_ok);
  n->nterms = 1;
  return n;
}

/* source:PRE* from the start of document di's source key, or NULL. */
static qn *gen_source_prefix(size_t di) {
  const char *k = D[di].skey;
  size_t run = 0;
  while (k[run] && (islower((unsigned char)k[run]) || isdigit((unsigned char)k[run]))) run++;
  if (run < 2) return NULL;
  size_t pl = 2 + rn((run < 7 ? run : 7) - 2 + 1);
  qn *n = qnew(K_PREFIX);
  n->field = F_SOURCE;
  memcpy(n->pre, k, pl);
  n->pre[pl] = 0;
  n->words[0] = xstrdup(n->pre);
  n->nterms = 1;
  if (rn(2) == 0) n->words[0][0] = (char)toupper((unsigned char)n->words[0][0]); /* folded */
  return n;
}

static size_t rdoc_with_source(void) {
  for (;;) {
    size_t di = rdoc();
    if (D[di].skey) return di;
  }
}

static qn *gen_prefix_from(size_t di, int field, int scope) {
  const char *text;
  int src_field = field == F_ANY ? F_BODY : field;
  gtoks g = field_tokens(&D[di], src_field, &text);
  qn *n = NULL;
  for (int tries = 0; tries < 60 && g.n && !n; tries++) {
    const char *t = T_str[g.v[rn(g.n)].term];
    size_t tl = strlen(t), ok = 1;
    if (tl < 3) continue;
    for (size_t i = 0; i < tl; i++) ok &= (islower((unsigned char)t[i]) || isdigit((unsigned char)t[i])) != 0;
    if (!ok) continue;
    size_t pl = 3 + rn((tl < 7 ? tl : 7) - 3 + 1);
    char pre[48];
    memcpy(pre, t, pl);
    pre[pl] = 0;
    size_t cnt = 0;
    for (size_t i = 0; i < T_n && cnt <= 300; i++) cnt += strncmp(T_str[i], pre, pl) == 0;
    if (cnt > 300) continue;
    n = qnew(K_PREFIX);
    n->field = scope;
    strcpy(n->pre, pre);
    n->words[0] = xstrdup(pre);
    n->nterms = 1;
    if (rn(4) == 0) n->words[0][0] = (char)toupper((unsigned char)n->words[0][0]); /* folded */
  }
  free(g.v);
  return n;
}

static qn *gen_prefix(int field) {
  for (;;) {
    size_t di = field == F_TITLE ? rdoc_where(1, 0) : rdoc();
    qn *n = gen_prefix_from(di, field, field);
    if (n) return n;
  }
}

static qn *gen_date_fixed(const char *spec) {
  qn *n = qnew(K_DATE);
  snprintf(n->dspec, sizeof n->dspec, "%s", spec);
  int y1, m1, d1, y2, m2, d2;
  int64_t a, b;
  if (sscanf(spec, "%d-%d-%d..%d-%d-%d", &y1, &m1, &d1, &y2, &m2, &d2) == 6) {
    period(3, y1, m1, d1, &n->lo, &b);
    period(3, y2, m2, d2, &a, &n->hi);
  } else if (!strncmp(spec, ">=", 2) && sscanf(spec + 2, "%d-%d", &y1, &m1) == 2) {
    period(2, y1, m1, 1, &n->lo, &b);
    n->hi = INT64_MAX;
  } else if (spec[0] == '<' && sscanf(spec + 1, "%d", &y1) == 1) {
    period(1, y1, 1, 1, &a, &b);
    n->lo = INT64_MIN;
    n->hi = a - 1;
  } else if (sscanf(spec, "%d-%d", &y1, &m1) == 2) {
    period(2, y1, m1, 1, &n->lo, &n->hi);
  } else if (sscanf(spec, "%d", &y1) == 1) {
    period(1, y1, 1, 1, &n->lo, &n->hi);
  }
  return n;
}

static qn *gen_date(void) {
  size_t di = rdoc_where(0, 1);
  int64_t days = D[di].secs / 86400;
  if (D[di].secs < 0 && D[di].secs % 86400) days--;
  int y, m, d;
  civil_from_days(days, &y, &m, &d);
  qn *n = qnew(K_DATE);
  int64_t lo, hi, lo2, hi2;
  char a[32], b[32];
  int form = (int)rn(12);
  int w1 = 1 + (int)rn(3);
  fmt_period(a, w1, y, m, d);
  period(w1, y, m, d, &lo, &hi);
  switch (form) {
  case 0: case 1: /* a single period */
    snprintf(n->dspec, sizeof n->dspec, "%s", a);
    n->lo = lo; n->hi = hi;
    break;
  case 2: case 3: { /* D..D (the second some days later) */
    int y2, m2, d2;
    civil_from_days(days + (int64_t)rn(200), &y2, &m2, &d2);
    int w2 = 1 + (int)rn(3);
    period(w2, y2, m2, d2, &lo2, &hi2);
    if (hi2 < lo) { w2 = 3; period(3, y, m, d, &lo2, &hi2); y2 = y; m2 = m; d2 = d; }
    fmt_period(b, w2, y2, m2, d2);
    snprintf(n->dspec, sizeof n->dspec, "%s..%s", a, b);
    n->lo = lo; n->hi = hi2;
    if (n->lo > n->hi) { /* e.g. 2016..2016-03 is fine, but 2016-05..2016 not possible here */
      snprintf(n->dspec, sizeof n->dspec, "%s", a);
      n->hi = hi;
    }
    break;
  }
  case 4: snprintf(n->dspec, sizeof n->dspec, "%s..", a); n->lo = lo; n->hi = INT64_MAX; break;
  case 5: snprintf(n->dspec, sizeof n->dspec, "..%s", a); n->lo = INT64_MIN; n->hi = hi; break;
  case 6: snprintf(n->dspec, sizeof n->dspec, ">=%s", a); n->lo = lo; n->hi = INT64_MAX; break;
  case 7: snprintf(n->dspec, sizeof n->dspec, ">%s", a); n->lo = hi + 1; n->hi = INT64_MAX; break;
  case 8: snprintf(n->dspec, sizeof n->dspec, "<=%s", a); n->lo = INT64_MIN; n->hi = hi; break;
  case 9: snprintf(n->dspec, sizeof n->dspec, "<%s", a); n->lo = INT64_MIN; n->hi = lo - 1; break;
  default: { /* year range */
    int y2 = y + (int)rn(3);
    snprintf(n->dspec, sizeof n->dspec, "%04d..%04d", y, y2);
    period(1, y, 1, 1, &n->lo, &hi);
    period(1, y2, 1, 1, &lo2, &n->hi);
    break;
  }
  }
  return n;
}

static qn *mk2(int k, qn *a, qn *b) {
  qn *n = qnew(k);
  n->kid[n->nkid++] = a;
  n->kid[n->nkid++] = b;
  n->andword = (int)(rn(3) == 0);
  return n;
}
static qn *mknot(qn *a) {
  qn *n = qnew(K_NOT);
  n->kid[n->nkid++] = a;
  n->andword = (int)(rn(3) == 0);
  return n;
}

/* A random leaf (any kind). */
static qn *gen_leaf(void) {
  switch (rn(7)) {
  case 0: case 1: case 2: return gen_term(rn(4) == 0 ? F_TITLE : F_ANY, 0);
  case 3: return gen_phrase(rn(4) == 0 ? F_TITLE : F_ANY, 2 + (int)rn(2));
  case 4: return gen_prefix(rn(3) == 0 ? F_TITLE : F_ANY);
  case 5: return gen_date();
  default: return gen_term(F_BODY, 2);
  }
}
static qn *gen_random(int depth) {
  if (depth == 0 || rn(3) == 0) return gen_leaf();
  if (rn(2)) {
    qn *n = mk2(K_AND, gen_random(depth - 1), gen_random(depth - 1));
    if (rn(2)) n->kid[n->nkid++] = mknot(gen_random(depth - 1));
    return n;
  }
  qn *n = mk2(K_OR, gen_random(depth - 1), gen_random(depth - 1));
  if (rn(3) == 0) n->kid[n->nkid++] = gen_random(depth - 1);
  return n;
}

/* ---- the query list ---------------------------------------------------------------- */

enum {
  G_TERM_HI, G_TERM_MID, G_TERM_LO, G_AND2, G_AND3, G_AND4, G_OR, G_NOT, G_PHRASE2, G_PHRASE3,
  G_TITLE_TERM, G_BODY_TERM, G_SOURCE_TERM, G_TITLE_PHRASE, G_BODY_PHRASE, G_PREFIX, G_FIELD_PREFIX,
  G_DATE, G_TERM_DATE, G_PHRASE_NOT, G_OR_AND_NOT, G_PRECEDENCE, G_FIELD_GROUP, G_PREFIX_TERM,
  G_DATE_NOT, G_JOINED, G_HYPHEN, G_CROSS_GAP, G_RANDOM, G_NKINDS
};
static const char *KIND_NAME[G_NKINDS] = {
  "term (high df)", "term (mid df)", "term (low df)", "AND of 2", "AND of 3", "AND of 4", "OR", "NOT",
  "phrase of 2", "phrase of 3", "title:term", "body:term", "source:term", "title:phrase", "body:phrase",
  "prefix", "field:prefix", "date", "term + date", "phrase + NOT", "(a OR b) c -d", "precedence (no parens)",
  "field:(group)", "prefix + term", "date + NOT", "joined compound", "hyphenated word",
  "phrase across title|body", "random nested"};
static const int KIND_COUNT[G_NKINDS] = {10, 30, 30, 40, 25, 15, 30, 40, 40, 30, 25, 20, 10,
                                        15, 15, 30, 15, 45, 25, 15, 20, 20, 15, 15, 10, 15, 15, 15, 40};

typedef struct query {
  qn *root;
  int kind;
  int score_check; /* single term or two-term AND of plain terms */
  char *text;
} query;

static query *Q;
static size_t NQ;

static qn *gen_kind(int kind, int i) {
  switch (kind) {
  case G_TERM_HI: return gen_term(F_ANY, 1);
  case G_TERM_MID: return gen_term(F_ANY, 2);
  case G_TERM_LO: return gen_term(F_ANY, 3);
  case G_AND2: case G_AND3: case G_AND4: {
    int k = kind == G_AND2 ? 2 : kind == G_AND3 ? 3 : 4;
    for (;;) {
      size_t di = rdoc();
      qn *n = qnew(K_AND);
      n->andword = (int)(rn(3) == 0);
      for (int j = 0; j < k; j++) {
        qn *t = gen_term_from(di, F_ANY, F_ANY, j == 0 ? (int)rn(3) + 1 : 0);
        if (!t) break;
        n->kid[n->nkid++] = t;
      }
      if (n->nkid == k) return n;
      qfree(n);
    }
  }
  case G_OR: {
    qn *n = mk2(K_OR, gen_term(F_ANY, 2 + (int)rn(2)), gen_term(F_ANY, 2 + (int)rn(2)));
    if (i % 2) n->kid[n->nkid++] = gen_term(F_ANY, 0);
    return n;
  }
  case G_NOT: {
    qn *n;
    for (;;) {
      size_t di = rdoc();
      qn *a = gen_term_from(di, F_ANY, F_ANY, 0);
      if (!a) continue;
      if (i % 3 == 1) {
        qn *b = gen_term_from(di, F_ANY, F_ANY, 0);
        if (!b) { qfree(a); continue; }
        n = mk2(K_AND, a, b);
      } else {
        n = qnew(K_AND);
        n->kid[n->nkid++] = a;
      }
      break;
    }
    qn *x;
    switch (i % 5) {
    case 0: case 1: x = gen_term(F_ANY, 1 + (int)rn(2)); break;
    case 2: x = gen_phrase(F_ANY, 2); break;
    case 3: x = gen_term(F_TITLE, 0); break;
    default: x = gen_prefix(F_ANY); break;
    }
    n->kid[n->nkid++] = mknot(x);
    return n;
  }
  case G_PHRASE2: return gen_phrase(F_ANY, 2);
  case G_PHRASE3: return gen_phrase(F_ANY, 3);
  case G_TITLE_TERM: return gen_term(F_TITLE, 0);
  case G_BODY_TERM: return gen_term(F_BODY, 0);
  case G_SOURCE_TERM: {
    qn *n = gen_source_value(rdoc_with_source(), i % 3 != 2);
    if (i % 3 == 2) { /* source:("A" OR b) */
      n = mk2(K_OR, n, gen_source_value(rdoc_with_source(), 1));
      n->group = 1;
    }
    if (i % 2) n = mk2(K_AND, n, gen_term(F_ANY, 1));
    return n;
  }
  case G_TITLE_PHRASE: return gen_phrase(F_TITLE, 2 + i % 2);
  case G_BODY_PHRASE: return gen_phrase(F_BODY, 2 + i % 2);
  case G_PREFIX: return gen_prefix(F_ANY);
  case G_FIELD_PREFIX:
    if (i % 5 == 4) {
      qn *n = gen_source_prefix(rdoc_with_source());
      if (n) return n;
    }
    return gen_prefix(i % 2 ? F_TITLE : F_BODY);
  case G_DATE: {
    static const char *fixed[] = {"2016-03-01..2016-06-30", "2016", "2016-05", ">=2017-01", "<2015",
                                  "1987-03", "1987-02-26..1987-03-02"};
    if ((size_t)i < sizeof fixed / sizeof *fixed) return gen_date_fixed(fixed[i]);
    return gen_date();
  }
  case G_TERM_DATE: {
    size_t di = rdoc_where(0, 1);
    qn *t = gen_term_from(di, F_ANY, F_ANY, 0);
    if (!t) t = gen_term(F_ANY, 1);
    return mk2(K_AND, t, gen_date());
  }
  case G_PHRASE_NOT: {
    qn *n = mk2(K_AND, gen_phrase(F_ANY, 2), mknot(i % 2 ? gen_term(F_ANY, 1) : gen_date()));
    return n;
  }
  case G_OR_AND_NOT: {
    qn *n = qnew(K_AND);
    n->andword = (int)(rn(3) == 0);
    n->kid[n->nkid++] = mk2(K_OR, gen_term(F_ANY, 2), gen_term(F_ANY, 2));
    n->kid[n->nkid++] = gen_term(F_ANY, 1);
    n->kid[n->nkid++] = mknot(gen_term(F_ANY, 2));
    return n;
  }
  case G_PRECEDENCE: {
    qn *a;
    for (;;) {
      size_t di = rdoc();
      qn *x = gen_term_from(di, F_ANY, F_ANY, 0), *y = x ? gen_term_from(di, F_ANY, F_ANY, 0) : NULL;
      if (x && y) { a = mk2(K_AND, x, y); break; }
      qfree(x);
    }
    if (i % 4 == 3) a->kid[a->nkid++] = mknot(gen_term(F_ANY, 1));
    qn *c = gen_term(F_ANY, 2 + (int)rn(2));
    qn *n = i % 2 ? mk2(K_OR, a, c) : mk2(K_OR, c, a);
    n->noparen = 1;
    return n;
  }
  case G_FIELD_GROUP: {
    int f = i % 3 == 2 ? F_BODY : F_TITLE;
    qn *x = gen_term(f, 0), *y = i % 2 ? gen_prefix(f) : gen_term(f, 0);
    qn *n = mk2(i % 4 == 1 ? K_AND : K_OR, x, y);
    n->group = 1;
    if (i % 5 == 0) n = mk2(K_AND, n, gen_term(F_ANY, 1));
    return n;
  }
  case G_PREFIX_TERM: {
    size_t di = rdoc();
    qn *p = gen_prefix_from(di, F_ANY, F_ANY), *t = gen_term_from(di, F_ANY, F_ANY, 0);
    if (!p) p = gen_prefix(F_ANY);
    if (!t) t = gen_term(F_ANY, 1);
    return mk2(K_AND, p, t);
  }
  case G_DATE_NOT:
    if (i % 2) return mk2(K_AND, gen_date(), mknot(gen_term(F_ANY, 1)));
    return mk2(K_AND, gen_term(F_ANY, 1), mknot(gen_date()));
  case G_JOINED: return gen_compound(1);
  case G_HYPHEN: return gen_compound(0);
  case G_CROSS_GAP: return gen_cross_gap();
  default:
    return gen_random(3);
  }
}

static int is_plain_term(const qn *n) { return n->k == K_TERM && n->field == F_ANY; }

static void add_query(qn *root, int kind) {
  Q = xrealloc(Q, (NQ + 1) * sizeof *Q);
  query *q = &Q[NQ++];
  q->root = root;
  q->kind = kind;
  q->score_check = is_plain_term(root) ||
                   (root->k == K_AND && root->nkid == 2 && is_plain_term(root->kid[0]) && is_plain_term(root->kid[1]));
  sbuf b = {0};
  int paren = rn(20) == 0 && !is_leaf(root);
  if (paren) sb_add(&b, "(");
  render(root, &b, 0);
  if (paren) sb_add(&b, ")");
  q->text = b.p;
}

static size_t oracle_count(qn *root) {
  prepare(root);
  size_t n = 0;
  for (size_t i = 0; i < ND; i++) n += D[i].alive && match(root, &D[i]);
  return n;
}

/* The library reads every returned hit's stored article, so broad queries
** are what costs time: apart from the high-df terms and the fixed date
** ranges, a query matching more than HIT_CAP articles is drawn again. */
#define HIT_CAP 300

static void generate_queries(void) {
  compute_df();
  for (int k = 0; k < G_NKINDS; k++)
    for (int i = 0; i < KIND_COUNT[k]; i++) {
      qn *root = gen_kind(k, i);
      for (int tries = 0; tries < 30 && k != G_TERM_HI && !(k == G_DATE && i < 7) && oracle_count(root) > HIT_CAP;
           tries++) {
        qfree(root);
        root = gen_kind(k, i);
      }
      add_query(root, k);
      if (getenv("ND_ORACLE_VERBOSE"))
        fprintf(stderr, "    q%-4zu %-24s %5zu  %s\n", NQ - 1, KIND_NAME[k], oracle_count(root), Q[NQ - 1].text);
    }
}

/* ---- running the suite ------------------------------------------------------------ */

static nd_index *IX;
static char DIR_[256];
static int READY;
static size_t *UPD; /* updated doc indexes, in order of their unique word */
static size_t NUPD;

typedef struct lib_hits { long *doc; double *score; uint64_t *story; size_t n; uint64_t total, stories; } lib_hits;

static int lib_search_opts(nd_index *ix, const char *q, const nd_search_options *opts, lib_hits *out) {
  nd_search_options o = *opts;
  nd_results *r = NULL;
  memset(out, 0, sizeof *out);
  int rc = nd_search(ix, q, &o, &r);
  if (rc) {
    fprintf(stderr, "  query [%s]: nd_search returned %d (%s): %s\n", q, rc, nd_strerror(rc), nd_errmsg(ix));
    return rc;
  }
  size_t n = nd_results_count(r);
  out->doc = xmalloc((n + 1) * sizeof *out->doc);
  out->score = xmalloc((n + 1) * sizeof *out->score);
  out->story = xmalloc((n + 1) * sizeof *out->story);
  out->total = nd_results_total(r);
  out->stories = nd_results_stories(r);
  for (size_t i = 0; i < n; i++) {
    nd_hit h;
    if (nd_results_hit(r, i, &h)) { rc = -100; break; }
    out->doc[i] = find_doc(h.id);
    out->score[i] = h.score;
    out->story[i] = strtoull(h.story, NULL, 16);
    if (out->doc[i] < 0) fprintf(stderr, "  query [%s]: unknown id %s in hits\n", q, h.id);
  }
  out->n = n;
  nd_results_free(r);
  return rc;
}
static int lib_search_sorted(nd_index *ix, const char *q, size_t offset, size_t limit, int sort, lib_hits *out) {
  nd_search_options o = {0};
  o.versions = ND_VERSIONS_ALL;
  o.sort = sort;
  o.limit = limit;
  o.offset = offset;
  o.snippets = ND_SNIPPET_NONE;
  return lib_search_opts(ix, q, &o, out);
}
static int lib_search(nd_index *ix, const char *q, size_t offset, size_t limit, lib_hits *out) {
  return lib_search_sorted(ix, q, offset, limit, ND_SORT_RELEVANCE, out);
}
static void lib_hits_free(lib_hits *h) {
  free(h->doc);
  free(h->score);
  free(h->story);
}

static int cmp_long(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return x < y ? -1 : x > y;
}

static double AVG_T, AVG_B;

/* A field length as scored: exact below 128, else its leading five bits
** (the highest set bit and the four after it) kept, the rest zeroed; at
** most 31744 (docs/format.md). */
static double scored_len(uint32_t n) {
  if (n < 128) return n;
  if (n >= 32768) return 31744;
  uint32_t top = 1u << 31;
  while (!(n & top)) top >>= 1;
  uint32_t keep = top | (top >> 1) | (top >> 2) | (top >> 3) | (top >> 4);
  return n & keep;
}

static double bm25(const odoc *d, uint32_t t) {
  uint32_t tft, tfb;
  tf_of(d, t, &tft, &tfb);
  double df = DF[t];
  double idf = log(1.0 + (N_live - df + 0.5) / (df + 0.5));
  double tf = 2.5 * tft / (1 - 0.75 + 0.75 * scored_len(d->tl) / AVG_T) +
              tfb / (1 - 0.75 + 0.75 * scored_len(d->bl) / AVG_B);
  return idf * tf * (1.2 + 1) / (tf + 1.2);
}

typedef struct suite_stats {
  size_t queries[G_NKINDS], nonempty[G_NKINDS], bad[G_NKINDS];
  size_t hits, scored, paged, datesorted, topk, skipped, collapsed, recency;
} suite_stats;

/* Versions collapsed: the hits of a collapsed search are the first hit of
** each story in the full list (h: every version, ranked), with their
** scores, and the story count is the number of distinct stories in it
** (an exact count, then top-10 without one).  Problems found. */
static int check_collapsed(nd_index *ix, const char *q, const lib_hits *h, suite_stats *st) {
  uint64_t *first = xmalloc((h->n + 1) * sizeof *first);
  size_t *pick = xmalloc((h->n + 1) * sizeof *pick), np = 0, nstories = 0;
  for (size_t i = 0; i < h->n; i++) {
    int seen = 0;
    for (size_t j = 0; j < nstories && !seen; j++) seen = first[j] == h->story[i];
    if (!seen) {
      first[nstories++] = h->story[i];
      pick[np++] = i;
    }
  }
  int bad = 0;
  for (int exact = 1; exact >= 0 && !bad; exact--) {
    nd_search_options o = {.limit = 10, .count = exact ? ND_COUNT_EXACT : ND_COUNT_LOWER_BOUND};
    lib_hits p;
    if (lib_search_opts(ix, q, &o, &p)) { lib_hits_free(&p); bad++; break; }
    size_t expect = np < 10 ? np : 10;
    int b = p.n != expect || (exact && (p.stories != nstories || p.total != h->n));
    for (size_t i = 0; i < p.n && !b; i++) b = p.doc[i] != h->doc[pick[i]] || p.score[i] != h->score[pick[i]];
    if (b) {
      fprintf(stderr, "  COLLAPSED [%s]%s: %zu hits, %llu stories; want %zu hits, %zu stories\n", q,
              exact ? "" : " (top-k)", p.n, (unsigned long long)p.stories, expect, nstories);
      bad++;
    }
    lib_hits_free(&p);
  }
  if (nstories < h->n) st->collapsed++;
  free(first);
  free(pick);
  return bad;
}

/* Recency: the top 10 with a half-life of 90 days counted back from
** 2001-01-01 are the full list (h: every version, BM25F scores) with each
** score multiplied by 2^(-age/half-life) -- an article dated after it
** being of age 0, an undated one ND_RECENCY_UNDATED half-lives old --
** sorted again (ties: newer first, as ranking does; equal dates keep the
** full list's order).  Problems found. */
typedef struct decayed { double score; int64_t secs; size_t at; } decayed;
static int cmp_decayed(const void *a, const void *b) {
  const decayed *x = a, *y = b;
  if (x->score != y->score) return x->score < y->score ? 1 : -1;
  int64_t dx = x->secs == NO_DATE ? INT64_MIN : x->secs, dy = y->secs == NO_DATE ? INT64_MIN : y->secs;
  if (dx != dy) return dx < dy ? 1 : -1;
  return (x->at > y->at) - (x->at < y->at);
}

static int check_recency(nd_index *ix, const char *q, const lib_hits *h, suite_stats *st) {
  const double half = 90 * 86400.0;
  const int64_t as_of = day_secs(2001, 1, 1);
  decayed *dv = xmalloc((h->n + 1) * sizeof *dv);
  size_t n = 0;
  for (size_t i = 0; i < h->n; i++) {
    if (h->doc[i] < 0) continue;
    int64_t t = D[h->doc[i]].secs;
    double f = t == NO_DATE ? exp2(-(double)ND_RECENCY_UNDATED) : t >= as_of ? 1 : exp2(-(double)(as_of - t) / half);
    dv[n++] = (decayed){h->score[i] * f, t, i};
  }
  qsort(dv, n, sizeof *dv, cmp_decayed);
  int bad = 0;
  for (int exact = 1; exact >= 0 && !bad; exact--) {
    nd_search_options o = {.limit = 10, .count = exact ? ND_COUNT_EXACT : ND_COUNT_LOWER_BOUND,
                           .versions = ND_VERSIONS_ALL, .half_life = half, .as_of = as_of, .ids_only = 1};
    lib_hits p;
    if (lib_search_opts(ix, q, &o, &p)) { lib_hits_free(&p); bad++; break; }
    size_t expect = n < 10 ? n : 10;
    int b = p.n != expect;
    for (size_t i = 0; i < p.n && !b; i++)
      b = fabs(p.score[i] - dv[i].score) > 1e-9 * fmax(1e-300, fabs(dv[i].score)) ||
          (p.doc[i] != h->doc[dv[i].at] && (i + 1 >= n || dv[i].score != dv[i + 1].score) &&
           (i == 0 || dv[i].score != dv[i - 1].score));
    if (b) {
      fprintf(stderr, "  RECENCY [%s]%s: %zu hits; want %zu", q, exact ? "" : " (top-k)", p.n, expect);
      for (size_t i = 0; i < p.n && i < expect; i++)
        fprintf(stderr, "%s %s %.6g/%s %.6g", i ? "," : ":", p.doc[i] >= 0 ? D[p.doc[i]].id : "?", p.score[i],
                D[h->doc[dv[i].at]].id, dv[i].score);
      fputc('\n', stderr);
      bad++;
    }
    lib_hits_free(&p);
  }
  st->recency++;
  free(dv);
  return bad;
}

/* Compare one query; returns the number of problems found. */
static int check_query(nd_index *ix, query *q, int scores, suite_stats *st, int *paged_left, int *datesort_left) {
  int bad = 0;
  prepare(q->root);
  /* the oracle */
  long *want = xmalloc((ND + 1) * sizeof *want);
  size_t nw = 0;
  for (size_t i = 0; i < ND; i++)
    if (D[i].alive && match(q->root, &D[i])) want[nw++] = (long)i;
  lib_hits h;
  if (lib_search(ix, q->text, 0, BIG_LIMIT, &h)) {
    free(want);
    lib_hits_free(&h);
    return 1;
  }
  st->hits += h.n;
  if (h.total != h.n) {
    fprintf(stderr, "  query [%s]: nd_results_total %llu != %zu hits returned\n", q->text,
            (unsigned long long)h.total, h.n);
    bad++;
  }
  /* set comparison */
  long *got = xmalloc((h.n + 1) * sizeof *got);
  memcpy(got, h.doc, h.n * sizeof *got);
  qsort(got, h.n, sizeof *got, cmp_long);
  for (size_t i = 1; i < h.n; i++)
    if (got[i] == got[i - 1]) {
      fprintf(stderr, "  query [%s]: id %s returned twice\n", q->text, got[i] >= 0 ? D[got[i]].id : "?");
      bad++;
      break;
    }
  size_t a = 0, b = 0, nmiss = 0, nextra = 0;
  char miss[512] = "", extra[512] = "";
  while (a < nw || b < h.n) {
    if (b >= h.n || (a < nw && want[a] < got[b])) {
      if (nmiss++ < 4 && strlen(miss) < 400) { strcat(miss, " "); strcat(miss, D[want[a]].id); }
      a++;
    } else if (a >= nw || got[b] < want[a]) {
      if (nextra++ < 4 && strlen(extra) < 400) { strcat(extra, " "); strcat(extra, got[b] >= 0 ? D[got[b]].id : "?"); }
      b++;
    } else {
      a++, b++;
    }
  }
  if (nmiss || nextra) {
    fprintf(stderr, "  MISMATCH [%s] (%s): oracle %zu, library %zu; missing %zu:%s; extra %zu:%s\n", q->text,
            KIND_NAME[q->kind], nw, h.n, nmiss, miss, nextra, extra);
    bad++;
  }
  /* order: scores non-increasing, ties newer first */
  for (size_t i = 1; i < h.n; i++) {
    if (h.doc[i] < 0 || h.doc[i - 1] < 0) continue;
    int64_t d0 = D[h.doc[i - 1]].secs, d1 = D[h.doc[i]].secs;
    if (h.score[i] > h.score[i - 1] || (h.score[i] == h.score[i - 1] && d1 > d0)) {
      fprintf(stderr, "  query [%s]: bad order at %zu: %s (%.17g, %lld) after %s (%.17g, %lld)\n", q->text, i,
              D[h.doc[i]].id, h.score[i], (long long)d1, D[h.doc[i - 1]].id, h.score[i - 1], (long long)d0);
      bad++;
      break;
    }
  }
  /* top-k without an exact count (the engine may skip what cannot rank):
  ** the same hits and scores as the head of the full list; a total between
  ** the hits returned and the exact count */
  static const size_t TOPK[] = {1, 10, 10};
  for (size_t t = 0; t < 3 && h.n; t++) {
    int exact = t == 2; /* then the total must be exact too */
    nd_search_options o = {.limit = TOPK[t], .count = exact ? ND_COUNT_EXACT : ND_COUNT_LOWER_BOUND, .ids_only = 1,
                           .versions = ND_VERSIONS_ALL};
    lib_hits p;
    if (lib_search_opts(ix, q->text, &o, &p)) { bad++; lib_hits_free(&p); break; }
    size_t expect = h.n < TOPK[t] ? h.n : TOPK[t];
    int tb = p.n != expect || p.total < p.n || p.total > h.n || (exact && p.total != h.n);
    for (size_t i = 0; i < p.n && !tb; i++) tb = p.doc[i] != h.doc[i] || p.score[i] != h.score[i];
    if (tb) {
      fprintf(stderr, "  TOP-%zu [%s]: %zu hits, total %llu; differs from the head of the full list (%zu hits)\n",
              TOPK[t], q->text, p.n, (unsigned long long)p.total, h.n);
      bad++;
    }
    if (!exact && p.total < h.n) st->skipped++;
    lib_hits_free(&p);
  }
  st->topk++;
  bad += check_collapsed(ix, q->text, &h, st);
  bad += check_recency(ix, q->text, &h, st);
  /* scores */
  if (scores && q->score_check) {
    int sbad = 0;
    for (size_t i = 0; i < h.n && sbad < 3; i++) {
      if (h.doc[i] < 0) continue;
      const odoc *d = &D[h.doc[i]];
      double s = 0;
      if (q->root->k == K_TERM) s = bm25(d, q->root->terms[0]);
      else s = bm25(d, q->root->kid[0]->terms[0]) + bm25(d, q->root->kid[1]->terms[0]);
      if (fabs(s - h.score[i]) > 1e-6 * fmax(fabs(s), fabs(h.score[i]))) {
        fprintf(stderr, "  SCORE [%s] %s: library %.12g, oracle %.12g\n", q->text, d->id, h.score[i], s);
        sbad++;
      }
      st->scored++;
    }
    bad += sbad;
  }
  /* paging */
  if (*paged_left > 0 && h.n >= 15 && h.n <= 400) {
    (*paged_left)--;
    st->paged++;
    size_t off = 0;
    for (;;) {
      lib_hits p;
      if (lib_search(ix, q->text, off, 7, &p)) { bad++; lib_hits_free(&p); break; }
      size_t expect = h.n - off < 7 ? h.n - off : 7;
      if (off >= h.n) expect = 0;
      if (p.n != expect || p.total != h.n) {
        fprintf(stderr, "  PAGING [%s] offset %zu: %zu hits (want %zu), total %llu (want %zu)\n", q->text, off, p.n,
                expect, (unsigned long long)p.total, h.n);
        bad++;
        lib_hits_free(&p);
        break;
      }
      int pb = 0;
      for (size_t i = 0; i < p.n; i++)
        if (p.doc[i] != h.doc[off + i] || p.score[i] != h.score[off + i]) pb = 1;
      if (pb) {
        fprintf(stderr, "  PAGING [%s] offset %zu: page differs from the full ranked list\n", q->text, off);
        bad++;
      }
      lib_hits_free(&p);
      if (pb || expect == 0) break;
      off += 7;
    }
  }
  /* sorted by date: the same hits, newest first */
  if (*datesort_left > 0 && h.n >= 2 && h.n <= 400) {
    (*datesort_left)--;
    st->datesorted++;
    lib_hits p;
    if (lib_search_sorted(ix, q->text, 0, BIG_LIMIT, ND_SORT_DATE, &p)) {
      bad++;
    } else {
      int db = p.n != h.n;
      long *ps = xmalloc((p.n + 1) * sizeof *ps);
      memcpy(ps, p.doc, p.n * sizeof *ps);
      qsort(ps, p.n, sizeof *ps, cmp_long);
      for (size_t i = 0; i < p.n && !db; i++) db = ps[i] != got[i];
      for (size_t i = 1; i < p.n && !db; i++)
        db = p.doc[i] < 0 || p.doc[i - 1] < 0 || D[p.doc[i]].secs > D[p.doc[i - 1]].secs;
      if (db) {
        fprintf(stderr, "  DATE SORT [%s]: %zu hits (want %zu), or not newest first\n", q->text, p.n, h.n);
        bad++;
      }
      free(ps);
    }
    lib_hits_free(&p);
  }
  st->queries[q->kind]++;
  if (nw) st->nonempty[q->kind]++;
  if (bad) st->bad[q->kind]++;
  free(want);
  free(got);
  lib_hits_free(&h);
  return bad;
}

static void oracle_stats(void) {
  compute_df();
  double st = 0, sb = 0;
  for (size_t i = 0; i < ND; i++)
    if (D[i].alive) { st += D[i].tl; sb += D[i].bl; }
  AVG_T = N_live ? st / N_live : 1;
  AVG_B = N_live ? sb / N_live : 1;
  if (AVG_T <= 0) AVG_T = 1;
  if (AVG_B <= 0) AVG_B = 1;
}

/* ---- sources: whole values, their search and facet ---------------------------- */

/* The most frequent written form of key among the live articles that hit
** (hit NULL: all of them); ties go to the smallest in byte order, as the
** facet orders them. */
static const char *source_shown(const char *key, const uint8_t *hit) {
  const char *best = NULL;
  size_t bestn = 0;
  for (size_t i = 0; i < ND; i++) {
    if (!D[i].alive || !D[i].skey || (hit && !hit[i]) || strcmp(D[i].skey, key)) continue;
    const char *w = D[i].swritten;
    size_t c = 0;
    for (size_t j = 0; j < ND; j++)
      c += D[j].alive && D[j].skey && (!hit || hit[j]) && !strcmp(D[j].swritten, w);
    if (c > bestn || (c == bestn && strcmp(w, best) < 0)) { best = w; bestn = c; }
  }
  return best;
}

/* The source facet of query q against the oracle's matches (hit[i] for
** article i): every key with its count and its most frequent written form. */
static int check_source_facet(nd_index *ix, const char *q, const uint8_t *hit) {
  const char *fields[] = {"source"};
  nd_facet_options fo = {fields, 1, 100000, ND_HIST_NONE, ND_VERSIONS_ALL};
  nd_facets *f = NULL;
  int rc = nd_facets_get(ix, q, &fo, &f);
  if (rc) {
    fprintf(stderr, "  SOURCE FACET [%s]: nd_facets_get %d: %s\n", q, rc, nd_errmsg(ix));
    return 1;
  }
  int bad = 0;
  size_t keys = 0;
  char **seen = xmalloc((ND + 1) * sizeof *seen);
  for (size_t i = 0; i < ND; i++) {
    if (!D[i].alive || !D[i].skey || !hit[i]) continue;
    int dup = 0;
    for (size_t k = 0; k < keys && !dup; k++) dup = !strcmp(seen[k], D[i].skey);
    if (!dup) seen[keys++] = D[i].skey;
  }
  if (f->fields[0].n != keys) {
    fprintf(stderr, "  SOURCE FACET [%s]: %zu values, the oracle has %zu\n", q, f->fields[0].n, keys);
    bad++;
  }
  for (size_t j = 0; j < f->fields[0].n && !bad; j++) {
    const nd_count *c = &f->fields[0].counts[j];
    char *key = src_fold(c->key, 1);
    size_t want = 0;
    for (size_t i = 0; i < ND; i++) want += D[i].alive && hit[i] && D[i].skey && !strcmp(D[i].skey, key);
    const char *shown = source_shown(key, hit);
    if (c->count != want || !shown || strcmp(shown, c->key)) {
      fprintf(stderr, "  SOURCE FACET [%s]: \"%s\" counted %llu, the oracle has %zu (shown as \"%s\")\n", q, c->key,
              (unsigned long long)c->count, want, shown ? shown : "(no such key)");
      bad++;
    }
    if (j && c->count > f->fields[0].counts[j - 1].count) {
      fprintf(stderr, "  SOURCE FACET [%s]: not most frequent first at \"%s\"\n", q, c->key);
      bad++;
    }
    free(key);
  }
  free(seen);
  nd_facets_free(f);
  return bad;
}

/* For every distinct source key of the live articles: source:"VALUE" finds
** exactly the articles with that key and its facet is that value; then the
** facet of a few broad queries.  The number of problems. */
static int check_sources(nd_index *ix, const char *state) {
  double t0 = now_s();
  int bad = 0;
  size_t nkeys = 0, checked = 0;
  uint8_t *hit = xmalloc(ND + 1), *done = calloc(ND + 1, 1);
  if (!done) exit(2);
  for (size_t i = 0; i < ND; i++) {
    if (!D[i].alive || !D[i].skey || done[i]) continue;
    nkeys++;
    size_t want = 0;
    for (size_t j = 0; j < ND; j++) {
      hit[j] = D[j].alive && D[j].skey && !strcmp(D[j].skey, D[i].skey);
      done[j] |= hit[j];
      want += hit[j];
    }
    char *v = source_text(D[i].swritten, 1), q[600];
    snprintf(q, sizeof q, "source:%s", v);
    free(v);
    lib_hits h;
    if (lib_search(ix, q, 0, BIG_LIMIT, &h)) { bad++; lib_hits_free(&h); continue; }
    size_t got = 0;
    for (size_t k = 0; k < h.n; k++) got += h.doc[k] >= 0 && hit[h.doc[k]];
    if (h.n != want || got != want || h.total != want) {
      fprintf(stderr, "  SOURCE [%s]: %zu hits (%zu of them right), the oracle has %zu\n", q, h.n, got, want);
      bad++;
    }
    lib_hits_free(&h);
    bad += check_source_facet(ix, q, hit);
    checked += want;
  }
  /* broad queries: a few frequent words, dates */
  const char *dates[] = {"1900-01-01..2100-12-31", "<2010", ">=2016-06"};
  for (int k = 0; k < 6; k++) {
    qn *root = k < 3 ? gen_term(F_ANY, 1) : gen_date_fixed(dates[k - 3]);
    sbuf b = {0};
    render(root, &b, 0);
    prepare(root);
    for (size_t i = 0; i < ND; i++) hit[i] = D[i].alive && match(root, &D[i]);
    bad += check_source_facet(ix, b.p, hit);
    free(b.p);
    qfree(root);
  }
  fprintf(stderr, "  [%s] sources: %zu values, %zu articles with one, each value searched and faceted; %.2fs\n", state,
          nkeys, checked, now_s() - t0);
  free(hit);
  free(done);
  return bad;
}

static int run_suite(nd_index *ix, const char *state, int scores) {
  double t0 = now_s();
  oracle_stats();
  suite_stats st;
  memset(&st, 0, sizeof st);
  int bad = 0, paged_left = 0, datesort_left = 0;
  for (size_t i = 0; i < NQ; i++) {
    /* spread the paging and date-sort checks over the kinds */
    if (i % 50 == 0) {
      paged_left = 1;
      datesort_left = 5;
    }
    bad += check_query(ix, &Q[i], scores, &st, &paged_left, &datesort_left);
  }
  bad += check_sources(ix, state);
  size_t nbadq = 0;
  for (int k = 0; k < G_NKINDS; k++) nbadq += st.bad[k];
  fprintf(stderr,
          "  [%s] %zu queries (%zu failing), %zu hits compared, %zu scores checked%s, %zu paged, %zu date-sorted, "
          "%zu top-k checked, %zu of them skipping documents, %zu with versions collapsed, %zu with recency; %.2fs\n",
          state, NQ, nbadq, st.hits, st.scored, scores ? "" : " (scores not checked: deletions pending)", st.paged,
          st.datesorted, st.topk, st.skipped, st.collapsed, st.recency, now_s() - t0);
  if (!st.skipped) {
    fprintf(stderr, "  no top-k search skipped a document: block-max pruning is not working\n");
    bad++;
  }
  if (!st.collapsed) {
    fprintf(stderr, "  no query matched two versions of a story: collapsing went unchecked\n");
    bad++;
  }
  static int printed;
  if (!printed || nbadq) {
    printed = 1;
    for (int k = 0; k < G_NKINDS; k++)
      fprintf(stderr, "    %-24s %3zu queries, %3zu with hits, %zu failing\n", KIND_NAME[k], st.queries[k],
              st.nonempty[k], st.bad[k]);
  }
  return bad;
}

/* The unique words of updated documents: each finds exactly its document
** (if alive); the prefix finds exactly the live updated ones. */
static int check_update_words(nd_index *ix) {
  int bad = 0;
  size_t alive_upd = 0;
  for (size_t k = 0; k < NUPD; k++) {
    char q[64];
    snprintf(q, sizeof q, "zqxupdate%zu", k);
    lib_hits h;
    if (lib_search(ix, q, 0, 100, &h)) { bad++; lib_hits_free(&h); continue; }
    const odoc *d = &D[UPD[k]];
    alive_upd += d->alive;
    if (d->alive ? (h.n != 1 || h.doc[0] != (long)UPD[k]) : h.n != 0) {
      fprintf(stderr, "  UPDATE [%s]: %zu hits (%s), want %s\n", q, h.n, h.n ? D[h.doc[0] < 0 ? 0 : h.doc[0]].id : "-",
              d->alive ? d->id : "none (deleted)");
      bad++;
    }
    lib_hits_free(&h);
  }
  lib_hits h;
  if (lib_search(ix, "zqxupdat*", 0, BIG_LIMIT, &h)) { lib_hits_free(&h); return bad + 1; }
  if (h.n != alive_upd || h.total != alive_upd) {
    fprintf(stderr, "  UPDATE [zqxupdat*]: %zu hits (total %llu), want %zu\n", h.n, (unsigned long long)h.total, alive_upd);
    bad++;
  }
  lib_hits_free(&h);
  return bad;
}

static int check_deleted_gone(nd_index *ix) {
  int bad = 0;
  for (size_t i = 0; i < ND; i++) {
    nd_document *doc = NULL;
    int rc = nd_get(ix, D[i].id, &doc);
    if (!D[i].alive) {
      if (rc != ND_ERR_NOTFOUND) {
        fprintf(stderr, "  nd_get(%s) of a deleted article returned %d, want ND_ERR_NOTFOUND\n", D[i].id, rc);
        bad++;
      }
    } else if (rc) {
      fprintf(stderr, "  nd_get(%s) returned %d\n", D[i].id, rc);
      bad++;
    } else if (D[i].updated) {
      const nd_doc *x = nd_document_doc(doc);
      if (!x->body || strcmp(x->body, D[i].body)) {
        fprintf(stderr, "  nd_get(%s): the body is not the updated one\n", D[i].id);
        bad++;
      }
    }
    nd_document_free(doc);
  }
  return bad;
}

/* ---- the tests --------------------------------------------------------------------- */

static char REAL_WHY[1200]; /* why the real articles were not used, or "" */
static size_t N_REAL;

/* Load up to `max` articles of a corpus file; how many were taken. */
static size_t load_file(const char *path, size_t max) {
  size_t before = ND;
  load_ctx c = {max, 0};
  ingest_path(path, on_doc, on_err, &c, NULL);
  return ND - before;
}

static void test_build(void) {
  double t0 = now_s();
  AN = an_new("english");
  ASSERT(AN);
  char path[1024], p2[1024];
  size_t n1 = load_file(test_fixture(path, sizeof path, "news.jsonl"), N_NEWS_MAX);
  size_t n2 = load_file(test_fixture(path, sizeof path, "wire.jsonl.zst"), N_WIRE_MAX);
  ASSERT(n1 >= 1400 && n2 >= 900);
  if (test_real_data(path, sizeof path, "news/sample-1000.jsonl", REAL_WHY, sizeof REAL_WHY) &&
      test_real_data(p2, sizeof p2, "news/news-reuters21578.jsonl.zst", REAL_WHY, sizeof REAL_WHY)) {
    N_REAL = load_file(path, N_SAMPLE_MAX);
    N_REAL += load_file(p2, N_REUTERS_MAX);
    REAL_WHY[0] = 0;
  }
  fprintf(stderr, "  corpus: %zu articles (%zu news.jsonl, %zu wire.jsonl.zst, %zu real)\n", ND, n1, n2, N_REAL);
  id_index_build();
  size_t dated = 0, titled = 0;
  for (size_t i = 0; i < ND; i++) {
    odoc_analyze(&D[i]);
    dated += D[i].secs != NO_DATE;
    titled += D[i].tl > 0;
  }
  fprintf(stderr, "  %zu dated, %zu titled, %zu distinct terms\n", dated, titled, T_n);

  snprintf(DIR_, sizeof DIR_, "/tmp/nd_oracle_XXXXXX");
  ASSERT(mkdtemp(DIR_));
  char ixdir[300];
  snprintf(ixdir, sizeof ixdir, "%s/ix", DIR_);
  nd_open_options oo = {0};
  oo.language = "english";
  /* A small buffer gives several segments; a first commit of a few articles
  ** gives one more, of another size (so that a merge policy that merges
  ** segments of similar sizes does not leave just one). */
  oo.buffer_bytes = 4u << 20;
  oo.merge_factor = 1; /* keep the segments apart: queries must work across them */
  int rc = nd_open(ixdir, ND_OPEN_CREATE, &oo, &IX);
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
  nd_stats s;
  ASSERT_OK(nd_stats_get(IX, &s));
  fprintf(stderr, "  archive: %llu articles, %llu segments, %llu terms; built in %.2fs\n",
          (unsigned long long)s.articles, (unsigned long long)s.segments, (unsigned long long)s.terms, now_s() - t0);
  ASSERT_EQ_INT(s.articles, ND);
  ASSERT_EQ_INT(s.deleted, 0);
  ASSERT(s.segments > 1);
  generate_queries();
  READY = 1;
}

/* Whether the real articles are part of the corpus (skipped when absent). */
static void test_real_articles(void) {
  ASSERT(READY);
  if (REAL_WHY[0]) TEST_SKIP_("%s: the oracle ran on the invented articles alone", REAL_WHY);
  ASSERT(N_REAL >= 1800);
}

static void test_state1_segments(void) {
  ASSERT(READY);
  ASSERT_EQ_INT(run_suite(IX, "1: segments", 1), 0);
}

/* Append a unique word to an article's body, in the oracle and the archive. */
static int update_doc(size_t i) {
  odoc *d = &D[i];
  char w[48];
  snprintf(w, sizeof w, "\nzqxupdate%zu", NUPD);
  size_t bl = strlen(d->body);
  char *nb = xmalloc(bl + strlen(w) + 1);
  memcpy(nb, d->body, bl);
  strcpy(nb + bl, w);
  free(d->body);
  d->body = nb;
  d->updated = (int)NUPD + 1;
  d->alive = 1;
  UPD[NUPD++] = i;
  odoc_analyze(d);
  nd_doc x = as_nd_doc(d);
  int rc = nd_add(IX, &x, NULL);
  if (rc) fprintf(stderr, "  nd_add(%s): %s\n", d->id, nd_errmsg(IX));
  return rc;
}

static void test_update_delete(void) {
  ASSERT(READY);
  READY = 0;
  /* re-add ~10% with a unique word appended to the body */
  UPD = xmalloc(ND * sizeof *UPD);
  for (size_t i = 0; i < ND; i++)
    if (rn(10) == 0) ASSERT_OK(update_doc(i));
  /* delete ~5% (some of them just updated) */
  size_t ndel = 0, ndel_upd = 0;
  for (size_t i = 0; i < ND; i++) {
    if (rn(20) != 0) continue;
    int rc = nd_delete(IX, D[i].id);
    if (rc) fprintf(stderr, "  nd_delete(%s): %d %s\n", D[i].id, rc, nd_errmsg(IX));
    ASSERT_OK(rc);
    D[i].alive = 0;
    ndel++;
    ndel_upd += D[i].updated != 0;
  }
  /* a few deleted ones come back (deleted, then added again before the commit) */
  size_t nback = 0;
  for (size_t i = 0; i < ND && nback < 5; i++)
    if (!D[i].alive && !D[i].updated) {
      ASSERT_OK(update_doc(i));
      ndel--;
      nback++;
    }
  ASSERT_EQ_INT(nd_delete(IX, "no-such-article:zqx"), ND_ERR_NOTFOUND);
  ASSERT_OK(nd_commit(IX));
  fprintf(stderr, "  updated %zu, deleted %zu (%zu of them updated first), %zu deleted then added again\n", NUPD,
          ndel, ndel_upd, nback);
  /* deleting again: already gone */
  for (size_t i = 0; i < ND; i++)
    if (!D[i].alive) {
      ASSERT_EQ_INT(nd_delete(IX, D[i].id), ND_ERR_NOTFOUND);
      break;
    }
  nd_stats s;
  ASSERT_OK(nd_stats_get(IX, &s));
  ASSERT_EQ_INT(s.articles, ND - ndel);
  ASSERT_EQ_INT(check_deleted_gone(IX), 0);
  ASSERT_EQ_INT(check_update_words(IX), 0);
  READY = 1;
}

static void test_state2_updated(void) {
  ASSERT(READY);
  ASSERT_EQ_INT(run_suite(IX, "2: updates+deletes", 0), 0);
}

static void test_state3_optimized(void) {
  ASSERT(READY);
  READY = 0;
  ASSERT_OK(nd_optimize(IX));
  nd_stats s;
  ASSERT_OK(nd_stats_get(IX, &s));
  ASSERT_EQ_INT(s.segments, 1);
  ASSERT_EQ_INT(s.deleted, 0);
  oracle_stats();
  ASSERT_EQ_INT(s.articles, (uint64_t)N_live);
  READY = 1;
  ASSERT_EQ_INT(check_update_words(IX), 0);
  ASSERT_EQ_INT(run_suite(IX, "3: optimized", 1), 0);
}

static void test_state4_reopened(void) {
  ASSERT(READY);
  READY = 0;
  nd_close(IX);
  IX = NULL;
  char ixdir[300];
  snprintf(ixdir, sizeof ixdir, "%s/ix", DIR_);
  int rc = nd_open(ixdir, 0, NULL, &IX);
  ASSERT_OK(rc);
  nd_stats s;
  ASSERT_OK(nd_stats_get(IX, &s));
  ASSERT_EQ_INT(s.segments, 1);
  ASSERT_EQ_INT(s.articles, (uint64_t)N_live);
  nd_doc x = {0};
  x.body = "x";
  ASSERT_EQ_INT(nd_add(IX, &x, NULL), ND_ERR_READONLY);
  READY = 1;
  ASSERT_EQ_INT(check_deleted_gone(IX), 0);
  ASSERT_EQ_INT(check_update_words(IX), 0);
  ASSERT_EQ_INT(run_suite(IX, "4: reopened read-only", 1), 0);
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw) { return remove(p); }

static void test_cleanup(void) {
  nd_close(IX);
  IX = NULL;
  for (size_t i = 0; i < NQ; i++) {
    qfree(Q[i].root);
    free(Q[i].text);
  }
  free(Q);
  for (size_t i = 0; i < ND; i++) odoc_free(&D[i]);
  free(D);
  for (size_t i = 0; i < T_n; i++) free(T_str[i]);
  free(T_str);
  free(T_hash);
  free(IDS.slot);
  free(DF);
  free(UPD);
  an_free(AN);
  ASSERT(DIR_[0]);
  ASSERT_EQ_INT(nftw(DIR_, rm_cb, 16, FTW_DEPTH | FTW_PHYS), 0);
  ASSERT(access(DIR_, F_OK) != 0);
}

TEST_MAIN(TEST(test_build), TEST(test_real_articles), TEST(test_state1_segments), TEST(test_update_delete), TEST(test_state2_updated),
          TEST(test_state3_optimized), TEST(test_state4_reopened), TEST(test_cleanup))
