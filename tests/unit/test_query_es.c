/*
** test_query_es.c -- the query language's match-all (*), ids (id:),
** exists (FIELD:*) and the oldest-first sort (ND_SORT_DATE_ASC), which the
** Elasticsearch-compatible layer translates its DSL into: the parser's
** trees and errors, then every feature against a brute-force oracle.
**
** The corpus: the invented fixture news.jsonl (testdata.h: 1500 articles,
** some undated, some without a source or a title) and, when the
** third-party data is there, sample-1000.jsonl (test_real_articles says
** whether it was used or skipped).  The oracle keeps each article as it
** was added and works out by itself what each query must find: its date
** (date_parse), whether its title and body have a word (an_analyze, as
** the analyser counts positions), whether its source folds to something
** (an_fold, white space and quotes dropped), its key topics
** (lk_topic_terms on the same nd_doc, the truth test_topics uses: a
** person is a 'p' term or a partial name written with a title, an
** organisation 'o', a place 'l', any topic term for topic:), and its
** analysed words, for the queries that AND a word.  The library's parser
** and executor are never used by the oracle.
**
** For each query (* alone and with exclusions, * -date:YYYY, id:X and
** id:"X", ids absent and deleted, (id:X OR id:Y) WORD, every FIELD:*
** alone, negated, ANDed and ORed with words and dates): the hit set (ids)
** equals the oracle's, nd_results_total is exact, every hit of a constant
** query scores 1, nd_facets_get counts the same total; sorted oldest
** first, the same hits in ascending date order with undated ones last,
** and pages of 7 concatenate to the full list; newest first likewise.
** Match-all alone has its own path (the date index): its hits, in every
** order, collapsed or not, paged or not, and its story count are those
** of "* *", which the general iterators run.
**
** Index states: (1) several segments, committed; (2) after ~5% deleted,
** ~5% re-added with a changed body, a few deleted and then added again,
** committed: deleted ids match nothing, re-added ones once; (3) after
** nd_optimize (one segment).  The archive lives in a fresh mkdtemp folder
** in /tmp, removed at the end.
*/
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index/topic_terms.h"
#include "ingest/ingest.h"
#include "newsdex.h"
#include "query/parse.h"
#include "util/buf.h"
#define TEST_RNG_SEED 0x20260101u
#include "test.h"
#include "testdata.h"
#include "testutil.h"
#include "text/analyze.h"
#include "util/date.h"

#define N_NEWS_MAX 1500
#define N_SAMPLE_MAX 1000
#define BIG 100000
#define NO_DATE INT64_MIN

static analyzer *AN;

/* ---- the parser --------------------------------------------------------- */

typedef struct good_case { const char *q, *dump; } good_case;

static const good_case good[] = {
  {"*", "(ALL)"},
  {"  *  ", "(ALL)"},
  {"(*)", "(ALL)"},
  {"* -date:2004", "(AND (ALL) (NOT (DATE 1072915200 1104537599)))"},
  {"(* -x) OR y", "(OR (AND (ALL) (NOT (TERM x))) (TERM y))"},
  {"x *", "(AND (TERM x) (ALL))"},
  {"nato -*", "(AND (TERM nato) (NOT (ALL)))"},
  {"x NOT *", "(AND (TERM x) (NOT (ALL)))"},
  {"* OR x", "(OR (ALL) (TERM x))"},
  /* a "*" that is not alone keeps its meaning */
  {"*x", "(TERM x)"},
  {"xy* OR nato", "(OR (PREFIX xy) (TERM nato))"},
  {"\"* x\"", "(TERM x)"},
  /* exists */
  {"title:*", "(EXISTS title)"},
  {"body:*", "(EXISTS body)"},
  {"source:*", "(EXISTS source)"},
  {"date:*", "(EXISTS date)"},
  {"topic:* person:*", "(AND (EXISTS topic) (EXISTS person))"},
  {"org:* organisation:* organization:*", "(AND (EXISTS org) (EXISTS org) (EXISTS org))"},
  {"place:*", "(EXISTS place)"},
  {"nato -source:*", "(AND (TERM nato) (NOT (EXISTS source)))"},
  {"-date:* nato", "(AND (NOT (EXISTS date)) (TERM nato))"},
  {"title:(* OR iraq)", "(OR (EXISTS title) (TERM title iraq))"},
  {"source:(* -Reuters)", "(AND (EXISTS source) (NOT (TERM source reuters)))"},
  /* ids: verbatim */
  {"id:abc", "(ID \"abc\")"},
  {"id:Fx:00012", "(ID \"Fx:00012\")"},
  {"id:\"a b (c) OR d\"", "(ID \"a b (c) OR d\")"},
  {"id:x*", "(ID \"x*\")"},
  {"id:\"*\"", "(ID \"*\")"},
  {"id:*", "(ALL)"},
  {"(id:a OR id:b) term", "(AND (OR (ID \"a\") (ID \"b\")) (TERM term))"},
  {"-id:a nato", "(AND (NOT (ID \"a\")) (TERM nato))"},
  {"(id:a)b", "(AND (ID \"a\") (TERM b))"},
  {"(id:a OR id:\"b\")", "(OR (ID \"a\") (ID \"b\"))"},
};

typedef struct bad_case { const char *q; size_t off; const char *word; } bad_case;

static const bad_case bad_cases[] = {
  {"-*", 0, "alone"},
  {"NOT *", 0, "alone"},
  {"x OR -*", 5, "OR alternative"},
  {"id:", 0, "expected an id after id:"},
  {"x id:", 2, "expected an id after id:"},
  {"id: x", 0, "expected an id after id:"},
  {"(id:)", 1, "expected an id after id:"},
  {"id:(a OR b)", 3, "not a group"},
  {"id:\"\"", 0, "empty id"},
  {"id:\"abc", 3, "not closed"},
  {"foo:*", 0, "unknown field 'foo'"},
  {"x url:*", 2, "unknown field 'url'"},
  {"Title:*", 0, "unknown field 'Title'"},
  {"foo:bar", 0, "fields: title, body, source, topic, person, org, place, date, id)"},
  {"title:id:x", 6, "title: cannot apply to an id"},
  {"title:(a OR id:x)", 12, "title: cannot apply to an id"},
  {"title:date:*", 6, "cannot apply to a date"},
  {"**", 0, "single word"},
};

static void test_parse(void) {
  int fails = 0;
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    qnode *n = NULL;
    char err[256] = "", dump[1024];
    size_t off = 0;
    int rc = qp_parse(AN, good[i].q, &n, err, sizeof err, &off);
    if (rc) {
      fprintf(stderr, "  [%s]: error %d at %zu: %s\n", good[i].q, rc, off, err);
      fails++;
      continue;
    }
    qnode_dump(n, dump, sizeof dump);
    if (strcmp(dump, good[i].dump)) {
      fprintf(stderr, "  [%s]\n    got  %s\n    want %s\n", good[i].q, dump, good[i].dump);
      fails++;
    }
    qnode_free(n);
  }
  for (size_t i = 0; i < sizeof bad_cases / sizeof *bad_cases; i++) {
    const bad_case *bc = &bad_cases[i];
    qnode *n = (qnode *)1;
    char err[256] = "";
    size_t off = 12345;
    int rc = qp_parse(AN, bc->q, &n, err, sizeof err, &off);
    if (rc != -1 || n) {
      fprintf(stderr, "  [%s]: rc %d, want an error\n", bc->q, rc);
      if (rc == 0) qnode_free(n);
      fails++;
    } else if (off != bc->off || !strstr(err, bc->word)) {
      fprintf(stderr, "  [%s]: at %zu \"%s\"; want at %zu \"%s\"\n", bc->q, off, err, bc->off, bc->word);
      fails++;
    }
  }
  ASSERT_EQ_INT(fails, 0);
}

/* ---- the oracle's articles ---------------------------------------------- */

typedef struct edoc {
  char *id, *title, *date, *source, *url, *body;
  int64_t secs;             /* NO_DATE if none */
  int titled, bodied;       /* a word in the title, in the body */
  int sourced;              /* a source that folds to something */
  int topic, person, org, place;
  uint64_t *words;          /* hashes of its analysed terms, sorted */
  size_t nwords;
  int alive;
} edoc;

static edoc *D;
static size_t ND, D_cap;
static test_ids IDS;
static const char *id_of(size_t i) { return D[i].id; }

typedef struct u64v { uint64_t *v; size_t n, cap; } u64v;
static int emit_hash(void *ctx, const an_token *t) {
  u64v *a = ctx;
  if (a->n == a->cap) {
    a->cap = a->cap ? 2 * a->cap : 256;
    a->v = xrealloc(a->v, a->cap * sizeof *a->v);
  }
  a->v[a->n++] = fnv(t->term, t->len);
  return 0;
}
static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

static nd_doc as_nd_doc(const edoc *d) {
  nd_doc x = {0};
  x.id = d->id;
  x.title = d->title;
  x.date = d->date;
  x.source = d->source;
  x.url = d->url;
  x.body = d->body;
  return x;
}

/* A source that folds to nothing (white space, quotes, control bytes) is
** no source. */
static int source_folds_to_something(const char *s) {
  size_t n = strlen(s), cap = 8 * n + 16;
  char *f = xmalloc(cap);
  size_t k = an_fold(AN, s, n, f, cap);
  int some = 0;
  for (size_t i = 0; i < k && !some; i++) {
    unsigned char c = (unsigned char)f[i];
    some = c > ' ' && c != 0x7f && c != '"';
  }
  free(f);
  return some;
}

/* Everything the oracle knows of d, from its fields as added. */
static void edoc_analyze(edoc *d) {
  u64v v = {0};
  uint32_t tl = 0, bl = 0;
  if (d->title) an_analyze(AN, d->title, strlen(d->title), 0, emit_hash, &v, &tl);
  an_analyze(AN, d->body, strlen(d->body), tl + 1, emit_hash, &v, &bl);
  qsort(v.v, v.n, sizeof *v.v, cmp_u64);
  free(d->words);
  d->words = v.v;
  d->nwords = v.n;
  d->titled = tl > 0;
  d->bodied = bl > 0;
  d->sourced = d->source && source_folds_to_something(d->source);
  d->secs = NO_DATE;
  int64_t secs;
  if (d->date && date_parse(d->date, strlen(d->date), &secs, NULL, 0) == 0) d->secs = secs;
  /* key topics: \x02, a type letter, ...; a partial name \x02 'q' surname
  ** \x1e class \x1e era \x1f written; evidence terms (\x03) after them */
  nd_doc x = as_nd_doc(d);
  buf b;
  buf_init(&b);
  if (lk_topic_terms(&x, &b)) { fprintf(stderr, "lk_topic_terms failed\n"); exit(2); }
  d->topic = d->person = d->org = d->place = 0;
  for (size_t at = 0; at < b.n; at += 1 + b.p[at]) {
    const char *t = (const char *)b.p + at + 1;
    size_t n = b.p[at];
    if (n < 3 || t[0] != '\x02') continue;
    d->topic = 1;
    if (t[1] == 'p') d->person = 1;
    if (t[1] == 'o') d->org = 1;
    if (t[1] == 'l') d->place = 1;
    if (t[1] == 'q') {
      const char *sep = memchr(t + 2, '\x1e', n - 2);
      if (sep && sep + 1 < t + n && sep[1] != '\x1e') d->person = 1; /* titled */
    }
  }
  buf_free(&b);
}

static int has_word(const edoc *d, uint64_t h) {
  return bsearch(&h, d->words, d->nwords, sizeof h, cmp_u64) != NULL;
}

static void edoc_free(edoc *d) {
  free(d->id); free(d->title); free(d->date); free(d->source); free(d->url); free(d->body); free(d->words);
}

static int on_doc(void *ctx, const nd_doc *doc, const char *file, uint64_t line) {
  size_t *left = ctx;
  if (*left == 0) return 1;
  --*left;
  if (!doc->id) return 0;
  for (size_t i = 0; i < ND; i++)
    if (!strcmp(D[i].id, doc->id)) return 0;
  if (ND == D_cap) {
    D_cap = D_cap ? 2 * D_cap : 1024;
    D = xrealloc(D, D_cap * sizeof *D);
  }
  edoc *d = &D[ND++];
  memset(d, 0, sizeof *d);
  d->id = xstrdup(doc->id);
  d->title = xstrdup(doc->title);
  d->date = xstrdup(doc->date);
  d->source = xstrdup(doc->source);
  d->url = xstrdup(doc->url);
  d->body = xstrdup(doc->body ? doc->body : "");
  d->alive = 1;
  return 0;
}
static void on_err(void *ctx, const char *file, uint64_t line, const char *reason) {
  fprintf(stderr, "  ingest: %s:%llu: %s\n", file, (unsigned long long)line, reason);
}

/* ---- queries and their truth -------------------------------------------- */

/* What a query must find, as the oracle decides it for one article. */
enum { P_ALL, P_NOT_YEAR, P_ID, P_IDS_WORD, P_FIELD, P_NOT_FIELD, P_WORD_FIELD, P_WORD_NOT_FIELD,
       P_FIELD_OR_YEAR, P_FIELD_YEAR, P_FIELD_NOT_YEAR, P_NOT_FIELD_ALL, P_WORD };
enum { F_TITLE, F_BODY, F_SOURCE, F_DATE, F_TOPIC, F_PERSON, F_ORG, F_PLACE, F_NFIELDS };
static const char *const FNAME[F_NFIELDS] = {"title", "body", "source", "date", "topic", "person", "org", "place"};
/* the names a query writes (organisation: is org:) */
static const char *const FWRITE[F_NFIELDS] = {"title", "body", "source", "date", "topic", "person", "organisation",
                                               "place"};

typedef struct query {
  char text[600];
  int kind, field;
  int64_t lo, hi;   /* a year */
  long a, b;        /* articles of ids */
  uint64_t word;    /* hash of an analysed word */
  int constant;     /* every hit scores 1 */
} query;

static int has_field(const edoc *d, int f) {
  switch (f) {
    case F_TITLE: return d->titled;
    case F_BODY: return d->bodied;
    case F_SOURCE: return d->sourced;
    case F_DATE: return d->secs != NO_DATE;
    case F_TOPIC: return d->topic;
    case F_PERSON: return d->person;
    case F_ORG: return d->org;
    default: return d->place;
  }
}

static int in_year(const edoc *d, const query *q) { return d->secs != NO_DATE && d->secs >= q->lo && d->secs <= q->hi; }

static int truth(const query *q, size_t i) {
  const edoc *d = &D[i];
  if (!d->alive) return 0;
  switch (q->kind) {
    case P_ALL: return 1;
    case P_NOT_YEAR: return !in_year(d, q);
    case P_ID: return (long)i == q->a;
    case P_IDS_WORD: return ((long)i == q->a || (long)i == q->b) && has_word(d, q->word);
    case P_FIELD: return has_field(d, q->field);
    case P_NOT_FIELD: case P_NOT_FIELD_ALL: return !has_field(d, q->field);
    case P_WORD_FIELD: return has_word(d, q->word) && has_field(d, q->field);
    case P_WORD_NOT_FIELD: return has_word(d, q->word) && !has_field(d, q->field);
    case P_FIELD_OR_YEAR: return has_field(d, q->field) || in_year(d, q);
    case P_FIELD_YEAR: return has_field(d, q->field) && in_year(d, q);
    case P_FIELD_NOT_YEAR: return has_field(d, q->field) && !in_year(d, q);
    default: return has_word(d, q->word);
  }
}

static query *Q;
static size_t NQ;

static query *add_query(int kind, int constant, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static query *add_query(int kind, int constant, const char *fmt, ...) {
  Q = xrealloc(Q, (NQ + 1) * sizeof *Q);
  query *q = &Q[NQ++];
  memset(q, 0, sizeof *q);
  q->kind = kind;
  q->constant = constant;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(q->text, sizeof q->text, fmt, ap);
  va_end(ap);
  return q;
}

/* A word of article i's body (letters only, 4 to 20 of them) that the
** analyser makes one term of: its text in out, its term's hash in *h. */
static int count_tok(void *ctx, const an_token *t) {
  uint64_t *h = ctx;
  if (!t->joined) { h[0]++; h[1] = fnv(t->term, t->len); }
  return 0;
}
static int pick_word(size_t i, char *out, size_t cap, uint64_t *h) {
  const char *b = D[i].body;
  for (int tries = 0; tries < 20; tries++) {
    size_t n = strlen(b);
    if (n < 8) return 0;
    size_t at = rn(n);
    while (at > 0 && ((b[at - 1] | 32) >= 'a' && (b[at - 1] | 32) <= 'z')) at--;
    size_t e = at;
    while (((b[e] | 32) >= 'a' && (b[e] | 32) <= 'z')) e++;
    if (e - at < 4 || e - at > 20 || e - at + 1 > cap) continue;
    memcpy(out, b + at, e - at);
    out[e - at] = 0;
    uint64_t c[2] = {0, 0};
    an_analyze(AN, out, e - at, 0, count_tok, c, NULL);
    if (c[0] != 1) continue;
    *h = c[1];
    return 1;
  }
  return 0;
}

static void year_bounds(int y, int64_t *lo, int64_t *hi) {
  char s[32];
  snprintf(s, sizeof s, "%04d-01-01", y);
  ASSERT_OK(date_parse(s, strlen(s), lo, NULL, 0));
  snprintf(s, sizeof s, "%04d-01-01", y + 1);
  ASSERT_OK(date_parse(s, strlen(s), hi, NULL, 0));
  --*hi;
}

/* An id as a query writes it: bare when it can be, else quoted. */
static void id_query(const char *id, int quote, char *out, size_t cap) {
  int bare = !quote && strcmp(id, "*");
  for (const char *p = id; *p && bare; p++) bare = !strchr(" \t\r\n\f\v()\"", *p);
  snprintf(out, cap, bare ? "id:%s" : "id:\"%s\"", id);
}

static int quotable(const char *id) { return !strchr(id, '"'); }

static void generate_queries(void) {
  NQ = 0;
  add_query(P_ALL, 1, "*");
  add_query(P_ALL, 1, "id:*");
  /* years: those of a few articles, and one with none */
  for (int k = 0; k < 6; k++) {
    int y = 1900;
    if (k < 5) {
      for (int tries = 0; tries < 100; tries++) {
        size_t i = rn(ND);
        if (D[i].secs != NO_DATE) {
          int64_t days = D[i].secs / 86400;
          y = 1970 + (int)((double)days / 365.2425); /* about: any year will do */
          break;
        }
      }
    }
    query *q = add_query(P_NOT_YEAR, 1, "* -date:%04d", y);
    year_bounds(y, &q->lo, &q->hi);
  }
  /* ids, quoted and not, and ones no article has */
  for (int k = 0; k < 40; k++) {
    size_t i = rn(ND);
    if (!quotable(D[i].id)) continue;
    char iq[520];
    id_query(D[i].id, k % 3 == 2, iq, sizeof iq);
    query *q = add_query(P_ID, 1, "%s", iq);
    q->a = (long)i;
  }
  add_query(P_ID, 1, "id:no-such-article-zqx")->a = -1;
  add_query(P_ID, 1, "id:\"%s \"", D[0].id)->a = -1; /* the space is part of it */
  for (int k = 0; k < 30; k++) {
    size_t i = rn(ND), j = rn(ND);
    char w[32], a[520], b[520];
    uint64_t h;
    if (!quotable(D[i].id) || !quotable(D[j].id) || !pick_word(i, w, sizeof w, &h)) continue;
    id_query(D[i].id, 0, a, sizeof a);
    id_query(D[j].id, 1, b, sizeof b);
    query *q = add_query(P_IDS_WORD, 0, k % 2 ? "(%s OR %s) %s" : "%s (%s OR %s)", k % 2 ? a : w, k % 2 ? b : a,
                         k % 2 ? w : b);
    q->a = (long)i;
    q->b = (long)j;
    q->word = h;
  }
  /* exists, each field in every combination */
  for (int f = 0; f < F_NFIELDS; f++) {
    const char *fn = f == F_DATE ? "date" : FWRITE[f];
    char w[32];
    uint64_t h = 0;
    while (!pick_word(rn(ND), w, sizeof w, &h)) {}
    int y = 2000 + (int)rn(20);
    int64_t lo, hi;
    year_bounds(y, &lo, &hi);
    add_query(P_FIELD, 1, "%s:*", fn)->field = f;
    add_query(P_FIELD, 1, "%s:*", FNAME[f])->field = f;
    add_query(P_NOT_FIELD_ALL, 1, "* -%s:*", fn)->field = f;
    query *q = add_query(P_WORD_FIELD, 0, "%s %s:*", w, fn);
    q->field = f, q->word = h;
    q = add_query(P_WORD_NOT_FIELD, 0, "%s -%s:*", w, fn);
    q->field = f, q->word = h;
    q = add_query(P_WORD_NOT_FIELD, 0, "NOT %s:* AND %s", fn, w);
    q->field = f, q->word = h;
    q = add_query(P_FIELD_OR_YEAR, 0, "%s:* OR date:%d", fn, y);
    q->field = f, q->lo = lo, q->hi = hi;
    q = add_query(P_FIELD_YEAR, 1, "date:%d %s:*", y, fn);
    q->field = f, q->lo = lo, q->hi = hi;
    q = add_query(P_FIELD_NOT_YEAR, 1, "%s:* -date:%d", fn, y);
    q->field = f, q->lo = lo, q->hi = hi;
    if (f != F_DATE) {
      q = add_query(P_FIELD, 1, "%s:(*)", fn);
      q->field = f;
    }
    q = add_query(P_WORD, 0, "%s", w);
    q->word = h;
  }
}

/* ---- the library's answers ---------------------------------------------- */

typedef struct hits { long *doc; double *score; size_t n; uint64_t total, stories; int exact; } hits;

static void hits_free(hits *h) {
  free(h->doc);
  free(h->score);
  memset(h, 0, sizeof *h);
}

static int search(nd_index *ix, const char *q, int sort, int versions, size_t offset, size_t limit, int count,
                  hits *out) {
  nd_search_options o = {.limit = limit, .offset = offset, .sort = sort, .snippets = ND_SNIPPET_NONE,
                         .ids_only = 1, .versions = versions, .count = count};
  nd_results *r = NULL;
  memset(out, 0, sizeof *out);
  int rc = nd_search(ix, q, &o, &r);
  if (rc) {
    fprintf(stderr, "  [%s]: nd_search %d: %s\n", q, rc, nd_errmsg(ix));
    return rc;
  }
  size_t n = nd_results_count(r);
  out->doc = xmalloc((n + 1) * sizeof *out->doc);
  out->score = xmalloc((n + 1) * sizeof *out->score);
  out->total = nd_results_total(r);
  out->stories = nd_results_stories(r);
  out->exact = nd_results_total_exact(r);
  for (size_t i = 0; i < n; i++) {
    nd_hit h;
    if (nd_results_hit(r, i, &h)) { rc = -100; break; }
    out->doc[i] = test_ids_find(&IDS, h.id, id_of);
    out->score[i] = h.score;
    if (out->doc[i] < 0) { fprintf(stderr, "  [%s]: unknown id %s\n", q, h.id); rc = -100; }
  }
  out->n = n;
  nd_results_free(r);
  return rc;
}

static int cmp_long(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

/* Is the list in date order (asc: oldest first), undated last? */
static int date_ordered(const hits *h, int asc) {
  for (size_t i = 1; i < h->n; i++) {
    int64_t a = D[h->doc[i - 1]].secs, b = D[h->doc[i]].secs;
    if (a == NO_DATE && b != NO_DATE) return 0;
    if (a != NO_DATE && b != NO_DATE && (asc ? a > b : a < b)) return 0;
  }
  return 1;
}

/* Pages of 7 (sort as given) concatenate to the full list. */
static int pages_agree(nd_index *ix, const char *q, int sort, const hits *full) {
  for (size_t off = 0; off <= full->n; off += 7) {
    hits p;
    if (search(ix, q, sort, ND_VERSIONS_ALL, off, 7, ND_COUNT_EXACT, &p)) return 0;
    size_t want = full->n - off < 7 ? full->n - off : 7;
    int ok = p.n == want && p.total == full->n;
    for (size_t i = 0; i < p.n && ok; i++) ok = p.doc[i] == full->doc[off + i];
    hits_free(&p);
    if (!ok) {
      fprintf(stderr, "  PAGE [%s] sort %d offset %zu differs from the full list\n", q, sort, off);
      return 0;
    }
  }
  return 1;
}

typedef struct stats { size_t queries, nonempty, hits, sorted, paged; } stats;

/* One query against the oracle; the number of problems. */
static int check_query(nd_index *ix, const query *q, stats *st, int *page_left) {
  int bad = 0;
  long *want = xmalloc((ND + 1) * sizeof *want);
  size_t nw = 0;
  for (size_t i = 0; i < ND; i++)
    if (truth(q, i)) want[nw++] = (long)i;
  hits h;
  if (search(ix, q->text, ND_SORT_RELEVANCE, ND_VERSIONS_ALL, 0, BIG, ND_COUNT_EXACT, &h)) {
    free(want);
    return 1;
  }
  st->queries++;
  st->nonempty += nw > 0;
  st->hits += h.n;
  long *got = xmalloc((h.n + 1) * sizeof *got);
  memcpy(got, h.doc, h.n * sizeof *got);
  qsort(got, h.n, sizeof *got, cmp_long);
  int same = h.n == nw;
  for (size_t i = 0; i < h.n && same; i++) same = got[i] == want[i];
  if (!same || h.total != nw || !h.exact) {
    size_t a = 0, b = 0;
    char miss[300] = "", extra[300] = "";
    while (a < nw || b < h.n) {
      if (b >= h.n || (a < nw && want[a] < got[b])) {
        if (strlen(miss) < 200) { strcat(miss, " "); strcat(miss, D[want[a]].id); }
        a++;
      } else if (a >= nw || got[b] < want[a]) {
        if (strlen(extra) < 200) { strcat(extra, " "); strcat(extra, D[got[b]].id); }
        b++;
      } else {
        a++, b++;
      }
    }
    fprintf(stderr, "  MISMATCH [%s]: oracle %zu, library %zu (total %llu%s); missing:%s; extra:%s\n", q->text, nw,
            h.n, (unsigned long long)h.total, h.exact ? "" : ", not exact", miss, extra);
    bad++;
  }
  if (q->constant)
    for (size_t i = 0; i < h.n; i++)
      if (h.score[i] != 1.0) {
        fprintf(stderr, "  SCORE [%s]: %s scores %.17g, want 1\n", q->text, D[h.doc[i]].id, h.score[i]);
        bad++;
        break;
      }
  /* relevance ties (equal scores) newer first */
  for (size_t i = 1; i < h.n; i++) {
    int64_t a = D[h.doc[i - 1]].secs, b = D[h.doc[i]].secs;
    if (h.score[i] > h.score[i - 1] || (h.score[i] == h.score[i - 1] && b > a)) {
      fprintf(stderr, "  ORDER [%s]: %s after %s\n", q->text, D[h.doc[i]].id, D[h.doc[i - 1]].id);
      bad++;
      break;
    }
  }
  /* the best 1 and 10 (a lower-bound count lets a ranked search skip
  ** what cannot rank): the head of the full list, scores and all */
  static const size_t TOPK[] = {1, 10, 10};
  for (int t = 0; t < 3 && h.n; t++) {
    hits p;
    int count = t == 2 ? ND_COUNT_EXACT : ND_COUNT_LOWER_BOUND;
    if (search(ix, q->text, ND_SORT_RELEVANCE, ND_VERSIONS_ALL, 0, TOPK[t], count, &p)) { bad++; continue; }
    size_t want_n = h.n < TOPK[t] ? h.n : TOPK[t];
    int ok = p.n == want_n && p.total >= p.n && p.total <= nw && (count != ND_COUNT_EXACT || p.total == nw);
    for (size_t i = 0; i < p.n && ok; i++) ok = p.doc[i] == h.doc[i] && p.score[i] == h.score[i];
    if (!ok) {
      fprintf(stderr, "  TOP-%zu [%s]: %zu hits, total %llu: not the head of the full list\n", TOPK[t], q->text, p.n,
              (unsigned long long)p.total);
      bad++;
    }
    hits_free(&p);
  }
  /* the count alone, and the facets' total */
  hits c;
  if (search(ix, q->text, ND_SORT_RELEVANCE, ND_VERSIONS_ALL, 0, 0, ND_COUNT_ONLY, &c) || c.total != nw || c.n) {
    fprintf(stderr, "  COUNT [%s]: %llu, want %zu\n", q->text, (unsigned long long)c.total, nw);
    bad++;
  }
  hits_free(&c);
  nd_facet_options fo = {.histogram = ND_HIST_YEAR, .versions = ND_VERSIONS_ALL};
  nd_facets *f = NULL;
  if (nd_facets_get(ix, q->text, &fo, &f) || f->total != nw) {
    fprintf(stderr, "  FACETS [%s]: total %llu, want %zu\n", q->text, f ? (unsigned long long)f->total : 0ULL, nw);
    bad++;
  }
  nd_facets_free(f);
  /* by date, both ways: the same hits in order */
  for (int s = 0; s < 2; s++) {
    int sort = s ? ND_SORT_DATE_ASC : ND_SORT_DATE;
    hits p;
    if (search(ix, q->text, sort, ND_VERSIONS_ALL, 0, BIG, ND_COUNT_EXACT, &p)) { bad++; continue; }
    long *ps = xmalloc((p.n + 1) * sizeof *ps);
    memcpy(ps, p.doc, p.n * sizeof *ps);
    qsort(ps, p.n, sizeof *ps, cmp_long);
    int ok = p.n == h.n && p.total == nw;
    for (size_t i = 0; i < p.n && ok; i++) ok = ps[i] == got[i];
    if (!ok || !date_ordered(&p, sort == ND_SORT_DATE_ASC)) {
      fprintf(stderr, "  DATE SORT [%s] %s: %zu hits (want %zu), or out of order\n", q->text,
              s ? "oldest first" : "newest first", p.n, h.n);
      bad++;
    }
    st->sorted++;
    if (ok && *page_left > 0 && p.n <= 400) {
      if (!pages_agree(ix, q->text, sort, &p)) bad++;
      st->paged++;
    }
    free(ps);
    hits_free(&p);
  }
  if (*page_left > 0 && h.n <= 400) {
    (*page_left)--;
    if (!pages_agree(ix, q->text, ND_SORT_RELEVANCE, &h)) bad++;
  }
  hits_free(&h);
  free(got);
  free(want);
  return bad;
}

/* Match-all alone runs on its own path: it must give what the general
** iterators give "* *" (a constant score too: 2), in every order, with
** versions collapsed or not, page by page, with its stories. */
static int check_all_path(nd_index *ix) {
  int bad = 0;
  static const int sorts[] = {ND_SORT_RELEVANCE, ND_SORT_DATE, ND_SORT_DATE_ASC};
  size_t live = 0, dated = 0;
  for (size_t i = 0; i < ND; i++) {
    live += D[i].alive;
    dated += D[i].alive && D[i].secs != NO_DATE;
  }
  /* pages at the start, the middle, across the last dated articles (the
  ** undated come after them), and at the end */
  const size_t offs[] = {0, 0, 3, 10, 250, 1000, dated - 5, dated + 3, live - 3};
  const size_t lims[] = {BIG, 1, 10, 25, 100, 7, 10, 20, 10};
  for (int s = 0; s < 3; s++)
    for (int v = 0; v < 2; v++)
      for (size_t k = 0; k < sizeof offs / sizeof *offs; k++) {
        int versions = v ? ND_VERSIONS_ALL : ND_VERSIONS_COLLAPSE;
        hits a, b;
        if (search(ix, "*", sorts[s], versions, offs[k], lims[k], ND_COUNT_EXACT, &a) ||
            search(ix, "* *", sorts[s], versions, offs[k], lims[k], ND_COUNT_EXACT, &b)) {
          bad++;
          hits_free(&a);
          continue;
        }
        int ok = a.n == b.n && a.total == b.total && a.stories == b.stories;
        for (size_t i = 0; i < a.n && ok; i++) ok = a.doc[i] == b.doc[i] && a.score[i] == 1 && b.score[i] == 2;
        if (!ok || (k == 0 && !date_ordered(&a, sorts[s] == ND_SORT_DATE_ASC))) {
          fprintf(stderr,
                  "  MATCH-ALL sort %d versions %d offset %zu limit %zu: %zu hits, total %llu, stories %llu; "
                  "\"* *\": %zu, %llu, %llu\n",
                  sorts[s], versions, offs[k], lims[k], a.n, (unsigned long long)a.total,
                  (unsigned long long)a.stories, b.n, (unsigned long long)b.total, (unsigned long long)b.stories);
          bad++;
        }
        hits_free(&a);
        hits_free(&b);
      }
  nd_stats s;
  hits c;
  if (nd_stats_get(ix, &s) || search(ix, "*", ND_SORT_RELEVANCE, ND_VERSIONS_ALL, 0, 0, ND_COUNT_ONLY, &c) ||
      c.total != s.articles) {
    fprintf(stderr, "  MATCH-ALL: counted %llu, the archive has %llu\n", (unsigned long long)c.total,
            (unsigned long long)s.articles);
    bad++;
  }
  hits_free(&c);
  return bad;
}

static int run_suite(nd_index *ix, const char *state) {
  double t0 = now_s();
  stats st = {0};
  int bad = 0, page_left = 12;
  size_t live = 0, per[F_NFIELDS] = {0}, undated = 0;
  for (size_t i = 0; i < ND; i++) {
    if (!D[i].alive) continue;
    live++;
    undated += D[i].secs == NO_DATE;
    for (int f = 0; f < F_NFIELDS; f++) per[f] += has_field(&D[i], f);
  }
  for (size_t i = 0; i < NQ; i++) {
    int b = check_query(ix, &Q[i], &st, &page_left);
    if (b && getenv("ND_ES_VERBOSE")) fprintf(stderr, "    (query %zu)\n", i);
    bad += b;
  }
  bad += check_all_path(ix);
  fprintf(stderr, "  [%s] %zu live (%zu undated); with a value:", state, live, undated);
  for (int f = 0; f < F_NFIELDS; f++) fprintf(stderr, " %s %zu", FNAME[f], per[f]);
  fprintf(stderr, "\n  [%s] %zu queries (%zu with hits), %zu hits compared, %zu date-sorted, %zu paged; %.2fs\n",
          state, st.queries, st.nonempty, st.hits, st.sorted, st.paged, now_s() - t0);
  /* every field must have articles with and without a value, or its test
  ** says little */
  for (int f = 0; f < F_NFIELDS; f++)
    if (per[f] == 0 || per[f] == live) {
      fprintf(stderr, "  field %s: %zu of %zu articles have a value: not a test\n", FNAME[f], per[f], live);
      bad++;
    }
  return bad;
}

/* ---- the tests ----------------------------------------------------------- */

static nd_index *IX;
static char DIR_[256];
static int READY;
static char REAL_WHY[1200];
static size_t N_REAL;

static size_t load_file(const char *path, size_t max) {
  size_t before = ND, left = max;
  ingest_path(path, on_doc, on_err, &left, NULL);
  return ND - before;
}

static void test_build(void) {
  char path[1024];
  size_t n1 = load_file(test_fixture(path, sizeof path, "news.jsonl"), N_NEWS_MAX);
  ASSERT(n1 >= 1400);
  if (test_real_data(path, sizeof path, "news/sample-1000.jsonl", REAL_WHY, sizeof REAL_WHY)) {
    N_REAL = load_file(path, N_SAMPLE_MAX);
    REAL_WHY[0] = 0;
  }
  test_ids_build(&IDS, ND, id_of);
  for (size_t i = 0; i < ND; i++) edoc_analyze(&D[i]);
  fprintf(stderr, "  corpus: %zu articles (%zu news.jsonl, %zu real)\n", ND, n1, N_REAL);
  snprintf(DIR_, sizeof DIR_, "/tmp/nd_query_es_XXXXXX");
  ASSERT(mkdtemp(DIR_));
  char ixdir[300];
  snprintf(ixdir, sizeof ixdir, "%s/ix", DIR_);
  nd_open_options oo = {.language = "english", .buffer_bytes = 2u << 20, .merge_factor = 1};
  ASSERT_OK(nd_open(ixdir, ND_OPEN_CREATE, &oo, &IX));
  for (size_t i = 0; i < ND; i++) {
    nd_doc x = as_nd_doc(&D[i]);
    int rc = nd_add(IX, &x, NULL);
    if (rc) fprintf(stderr, "  nd_add(%s): %s\n", D[i].id, nd_errmsg(IX));
    ASSERT_OK(rc);
    if (i == 49) ASSERT_OK(nd_commit(IX));
  }
  ASSERT_OK(nd_commit(IX));
  nd_stats s;
  ASSERT_OK(nd_stats_get(IX, &s));
  ASSERT_EQ_INT(s.articles, ND);
  ASSERT(s.segments > 1);
  generate_queries();
  fprintf(stderr, "  archive: %llu articles in %llu segments; %zu queries\n", (unsigned long long)s.articles,
          (unsigned long long)s.segments, NQ);
  READY = 1;
}

static void test_real_articles(void) {
  ASSERT(READY);
  if (REAL_WHY[0]) TEST_SKIP_("%s: the oracle ran on the invented articles alone", REAL_WHY);
  ASSERT(N_REAL >= 900);
}

static void test_state1_segments(void) {
  ASSERT(READY);
  ASSERT_EQ_INT(run_suite(IX, "1: segments"), 0);
}

/* Deleted articles match nothing -- not *, not their id:, not an exists
** test -- and re-added ones match once. */
static void test_state2_deleted(void) {
  ASSERT(READY);
  READY = 0;
  size_t ndel = 0, nre = 0, nback = 0;
  for (size_t i = 0; i < ND; i++) {
    size_t r = rn(20);
    if (r == 0) {
      ASSERT_OK(nd_delete(IX, D[i].id));
      D[i].alive = 0;
      ndel++;
    } else if (r == 1) { /* re-added: a title taken away or given, a date dropped */
      edoc *d = &D[i];
      if (d->title && d->bodied) { free(d->title); d->title = NULL; }
      else if (!d->title) d->title = xstrdup("Zqxes Title");
      if (i % 2) { free(d->date); d->date = NULL; }
      edoc_analyze(d);
      nd_doc x = as_nd_doc(d);
      ASSERT_OK(nd_add(IX, &x, NULL));
      nre++;
    }
  }
  for (size_t i = 0; i < ND && nback < 5; i++) /* deleted, then added again before the commit */
    if (!D[i].alive) {
      nd_doc x = as_nd_doc(&D[i]);
      ASSERT_OK(nd_add(IX, &x, NULL));
      D[i].alive = 1;
      ndel--;
      nback++;
    }
  ASSERT_OK(nd_commit(IX));
  fprintf(stderr, "  deleted %zu, re-added %zu, %zu deleted and added again\n", ndel, nre, nback);
  nd_stats s;
  ASSERT_OK(nd_stats_get(IX, &s));
  ASSERT_EQ_INT(s.articles, ND - ndel);
  ASSERT(s.deleted > 0);
  /* every deleted article's id: finds nothing, every live one's itself */
  int bad = 0;
  for (size_t i = 0; i < ND; i++) {
    if (!quotable(D[i].id)) continue;
    char q[600];
    id_query(D[i].id, 1, q, sizeof q);
    hits h;
    if (search(IX, q, ND_SORT_RELEVANCE, ND_VERSIONS_ALL, 0, 10, ND_COUNT_EXACT, &h)) { bad++; continue; }
    if (D[i].alive ? h.n != 1 || h.total != 1 || h.doc[0] != (long)i : h.n != 0 || h.total != 0) {
      if (bad < 5) fprintf(stderr, "  [%s]: %zu hits, total %llu (%s)\n", q, h.n, (unsigned long long)h.total,
                           D[i].alive ? "live" : "deleted");
      bad++;
    }
    hits_free(&h);
  }
  ASSERT_EQ_INT(bad, 0);
  READY = 1;
  ASSERT_EQ_INT(run_suite(IX, "2: deletions"), 0);
}

static void test_state3_optimized(void) {
  ASSERT(READY);
  ASSERT_OK(nd_optimize(IX));
  nd_stats s;
  ASSERT_OK(nd_stats_get(IX, &s));
  ASSERT_EQ_INT(s.segments, 1);
  ASSERT_EQ_INT(s.deleted, 0);
  ASSERT_EQ_INT(run_suite(IX, "3: optimized"), 0);
}

/* Match-all's own path where ties decide: 60 articles on three dates (a
** quarter undated), in segments of 7, a few deleted, some of them copies
** (versions of one story).  Every page, in every order, collapsed or not,
** is the page "* *" gives. */
static void test_ties(void) {
  ASSERT(DIR_[0]);
  char dir[300], id[16], title[32], body[160];
  snprintf(dir, sizeof dir, "%s/ties", DIR_);
  nd_index *ix = NULL;
  nd_open_options oo = {.language = "english", .merge_factor = 1};
  ASSERT_OK(nd_open(dir, ND_OPEN_CREATE, &oo, &ix));
  static const char *const dates[] = {"2001-02-03", "2001-02-03T10:00:00Z", "1999-12-31"};
  for (int i = 0; i < 60; i++) {
    snprintf(id, sizeof id, "t%02d", i);
    snprintf(title, sizeof title, "Tie %d", i);
    if (i % 5 == 0) snprintf(body, sizeof body, "The same wire copy about the harbour bridge and the ferry strike, run again.");
    else snprintf(body, sizeof body, "Article %d of a test of ties: words %d and more words %d.", i, i * 7, i * 13);
    nd_doc x = {.id = id, .title = title, .body = body, .date = i % 4 == 3 ? NULL : dates[i % 3]};
    ASSERT_OK(nd_add(ix, &x, NULL));
    if (i % 7 == 6) ASSERT_OK(nd_commit(ix));
  }
  ASSERT_OK(nd_commit(ix));
  ASSERT_OK(nd_delete(ix, "t05"));
  ASSERT_OK(nd_delete(ix, "t17"));
  ASSERT_OK(nd_delete(ix, "t31"));
  ASSERT_OK(nd_commit(ix));
  static const int sorts[] = {ND_SORT_RELEVANCE, ND_SORT_DATE, ND_SORT_DATE_ASC};
  static const size_t lims[] = {1, 2, 3, 5, 8, 100};
  int fails = 0;
  size_t pages = 0;
  for (int s = 0; s < 3; s++)
    for (int v = 0; v < 2; v++)
      for (size_t off = 0; off < 60; off++)
        for (size_t l = 0; l < sizeof lims / sizeof *lims; l++) {
          int versions = v ? ND_VERSIONS_ALL : ND_VERSIONS_COLLAPSE;
          nd_search_options o = {.limit = lims[l], .offset = off, .sort = sorts[s], .ids_only = 1, .versions = versions};
          nd_results *a = NULL, *b = NULL;
          ASSERT_OK(nd_search(ix, "*", &o, &a));
          ASSERT_OK(nd_search(ix, "* *", &o, &b));
          int ok = nd_results_count(a) == nd_results_count(b) && nd_results_total(a) == 57 &&
                   nd_results_total(b) == 57 && nd_results_stories(a) == nd_results_stories(b);
          for (size_t i = 0; i < nd_results_count(a) && ok; i++) {
            nd_hit x, y;
            ok = !nd_results_hit(a, i, &x) && !nd_results_hit(b, i, &y) && !strcmp(x.id, y.id);
          }
          if (!ok && fails++ < 5)
            fprintf(stderr, "  TIES sort %d versions %d offset %zu limit %zu: \"*\" and \"* *\" differ\n", sorts[s],
                    versions, off, lims[l]);
          pages++;
          nd_results_free(a);
          nd_results_free(b);
        }
  fprintf(stderr, "  %zu pages of \"*\" compared with \"* *\"\n", pages);
  nd_close(ix);
  ASSERT_EQ_INT(fails, 0);
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw) { return remove(p); }

static void test_cleanup(void) {
  nd_close(IX);
  IX = NULL;
  for (size_t i = 0; i < ND; i++) edoc_free(&D[i]);
  free(D);
  free(Q);
  free(IDS.slot);
  ASSERT(DIR_[0]);
  ASSERT_EQ_INT(nftw(DIR_, rm_cb, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void test_setup(void) {
  AN = an_new("english");
  ASSERT(AN);
}

TEST_MAIN(TEST(test_setup), TEST(test_parse), TEST(test_build), TEST(test_real_articles), TEST(test_state1_segments),
          TEST(test_state2_deleted), TEST(test_state3_optimized), TEST(test_ties),
          TEST(test_cleanup))
