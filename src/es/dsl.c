/*
** dsl.c -- Elasticsearch's query DSL translated into a newsdex query
** (es.h, es_query; docs/elasticsearch.md, "Query DSL").
**
** Contract.  es_query(q, now_ms, &warnings, e) returns a newsdex query
** (docs/query-language.md) that matches exactly the articles ES would
** match for q on newsdex's fields, or NULL with e set: 400 naming the part
** that newsdex cannot answer exactly (never a silent wrong answer), 500
** when memory ran out.  Notes on what only scoring could tell apart are
** appended to *warnings, one per line, each once.
**
** How.  The JSON is first checked for depth (ES_MAX_DEPTH, objects and
** arrays), then translated clause by clause into a small tree -- ALL (every
** article), NONE, LEAF (one newsdex term with its field), AND, OR, NOT, RAW
** (a whole newsdex query from es_query_string) -- simplified as it is
** built (ALL and NONE absorbed, nested ANDs and ORs flattened, double NOTs
** removed, a NOT never alone), then rendered:
**
**   AND   positives first, then "-x" for each NOT; with no positive, "*"
**   OR    "a OR b", an AND alternative in parentheses
**   field a group whose leaves all share one field: title:("a" OR "b")
**   top   ALL is "*", NONE is "* -*" (what matches nothing)
**
** and the result is checked against the parser's limits (QP_MAX_QUERY
** bytes, QP_MAX_DEPTH parentheses).  More than ES_MAX_CLAUSES leaves is a
** 400 as well.
**
** Text safety: user text never becomes syntax.  Match-style text has its
** double quotes made spaces, is split on white space, and each word that
** the analyser finds something in becomes a quoted one-word phrase "w";
** phrases are quoted whole; keyword values are quoted (a double quote is a
** space, as the source and topic fields count it); an _id holding a double
** quote is refused.
**
** Field mapping (ES name -> newsdex): title; body (also content, text);
** "*" and "_all" (multi_match, query_string) -> both, unfielded; _id -> id;
** source -> source; people -> person; organisations / organizations ->
** org; places -> place; topics -> topic (a ".keyword" suffix is accepted
** on these keyword fields); date and @timestamp -> date; url (exists
** only).  Anything else is a 400 naming the field.
*/
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../index/srcterm.h"
#include "../link/link.h"
#include "../query/parse.h"
#include "../text/analyze.h"
#include "../util/buf.h"
#include "../util/date.h"
#include "../util/mem.h"
#include "es.h"

#define MAX_COMBINATIONS 64 /* C(n, k) AND groups for "k of n" */
#define TOPIC_NAME_MAX 120  /* bytes of a normalised topic name (the parser's limit) */
#define NONE_QUERY "* -*"

/* ---- fields ------------------------------------------------------------- */

typedef enum { F_ANY, F_TITLE, F_BODY, F_ID, F_SOURCE, F_PERSON, F_ORG, F_PLACE, F_TOPIC, F_DATE, F_URL } fkind;

/* newsdex's name of each field ("" for the unfielded search). */
static const char *const nd_name[] = {"", "title", "body", "id", "source", "person", "org", "place", "topic", "date", "url"};

static int is_text(fkind f) { return f == F_ANY || f == F_TITLE || f == F_BODY; }
static int is_keyword(fkind f) { return f >= F_SOURCE && f <= F_TOPIC; }
static int is_topic(fkind f) { return f >= F_PERSON && f <= F_TOPIC; }

/* ES field names.  `any` entries ("*", "_all") only where several fields
** may be searched at once (multi_match and the query strings). */
static const struct { const char *es; fkind f; } field_map[] = {
    {"title", F_TITLE}, {"body", F_BODY}, {"content", F_BODY}, {"text", F_BODY},
    {"*", F_ANY}, {"_all", F_ANY}, {"_id", F_ID}, {"source", F_SOURCE}, {"people", F_PERSON},
    {"organisations", F_ORG}, {"organizations", F_ORG}, {"places", F_PLACE}, {"topics", F_TOPIC},
    {"date", F_DATE}, {"@timestamp", F_DATE}, {"url", F_URL}};

#define FIELD_LIST "title, body (content, text), _id, source, people, organisations, places, topics, date (@timestamp), url"

/* ---- translation state and warnings --------------------------------------- */

typedef struct dsl {
  int64_t now;
  char **warnings;
  es_err *e;
  size_t leaves;
  analyzer *an; /* "none": tells the words that analyse to nothing */
} dsl;

static int oom(dsl *c) { return es_fail(c->e, 500, "out_of_memory", "out of memory translating the query"); }

/* Note one line in *warnings (es_note: each once). */
static int warn(dsl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int warn(dsl *c, const char *fmt, ...) {
  char line[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  return es_note(c->warnings, line) ? oom(c) : 0;
}

/* ---- the tree ----------------------------------------------------------- */

typedef enum { N_ALL, N_NONE, N_LEAF, N_AND, N_OR, N_NOT, N_RAW } nkind;

typedef struct node {
  nkind kind;
  fkind field;  /* N_LEAF: its field (F_ANY: none) */
  int nogroup;  /* N_LEAF: never written inside a field:(...) group */
  char *text;   /* N_LEAF: what follows "field:"; N_RAW: a whole query */
  struct node **kid;
  size_t n, cap;
} node;

static void nfree(node *n) {
  if (!n) return;
  for (size_t i = 0; i < n->n; i++) nfree(n->kid[i]);
  mem_free(n->kid);
  mem_free(n->text);
  mem_free(n);
}

static node *nnew(dsl *c, nkind k) {
  node *n = mem_calloc(1, sizeof *n);
  if (!n) oom(c);
  else n->kind = k;
  return n;
}

/* A leaf of field f with text t[0..len); counts towards ES_MAX_CLAUSES. */
static node *nleaf(dsl *c, fkind f, const char *t, size_t len) {
  if (++c->leaves > ES_MAX_CLAUSES) {
    es_fail(c->e, 400, "illegal_argument_exception",
            "query has more than %d leaf clauses (words, terms, ids), newsdex's limit", ES_MAX_CLAUSES);
    return NULL;
  }
  node *n = nnew(c, N_LEAF);
  if (n && !(n->text = mem_strndup(t, len))) { nfree(n); oom(c); return NULL; }
  if (n) n->field = f;
  return n;
}

/* Append kid to p (taking it; freed on failure). 0 or -1. */
static int nadd(dsl *c, node *p, node *kid) {
  if (mem_grow(&p->kid, &p->cap, p->n, sizeof *p->kid)) { nfree(kid); return oom(c); }
  p->kid[p->n++] = kid;
  return 0;
}

/* A deep copy (leaves counted again). */
static node *ncopy(dsl *c, const node *n) {
  node *m = n->kind == N_LEAF ? nleaf(c, n->field, n->text, strlen(n->text)) : nnew(c, n->kind);
  if (!m) return NULL;
  m->nogroup = n->nogroup;
  if (n->kind == N_RAW && !(m->text = mem_strdup(n->text))) { nfree(m); oom(c); return NULL; }
  for (size_t i = 0; i < n->n; i++) {
    node *k = ncopy(c, n->kid[i]);
    if (!k || nadd(c, m, k)) { nfree(m); return NULL; }
  }
  return m;
}

/* Move the kids of k into p at its end, then free k's shell. */
static int splice(dsl *c, node *p, node *k) {
  for (size_t i = 0; i < k->n; i++) {
    node *g = k->kid[i];
    k->kid[i] = NULL;
    if (nadd(c, p, g)) { nfree(k); return -1; }
  }
  nfree(k);
  return 0;
}

static node *replace(node *old, node *by) {
  nfree(old);
  return by;
}

/* AND n, simplified: nested ANDs flattened, ALL dropped, NONE absorbing, a
** lone positive returned as is, "*" added when nothing is positive. */
static node *fin_and(dsl *c, node *n) {
  node *m = nnew(c, N_AND);
  size_t pos = 0;
  if (!m) return replace(n, NULL);
  for (size_t i = 0; i < n->n; i++) {
    node *k = n->kid[i];
    n->kid[i] = NULL;
    if (k->kind == N_NONE) { nfree(m); nfree(n); return k; }
    if (k->kind == N_ALL) { nfree(k); continue; }
    if (k->kind == N_AND) {
      for (size_t j = 0; j < k->n; j++) pos += k->kid[j]->kind != N_NOT && k->kid[j]->kind != N_ALL;
      for (size_t j = 0; j < k->n; j++)
        if (k->kid[j]->kind == N_ALL) { nfree(k->kid[j]); k->kid[j] = k->kid[--k->n]; j--; }
      if (splice(c, m, k)) { nfree(m); return replace(n, NULL); }
      continue;
    }
    pos += k->kind != N_NOT;
    if (nadd(c, m, k)) { nfree(m); return replace(n, NULL); }
  }
  nfree(n);
  if (m->n == 0) { m->kind = N_ALL; return m; }
  if (m->n == 1 && pos == 1) { node *k = m->kid[0]; m->n = 0; nfree(m); return k; }
  if (pos == 0) {
    node *all = nnew(c, N_ALL);
    if (!all || nadd(c, m, all)) return replace(m, NULL);
    memmove(m->kid + 1, m->kid, (m->n - 1) * sizeof *m->kid);
    m->kid[0] = all;
  }
  return m;
}

/* NOT k as it can stand in an AND: NOT ALL is NONE, NOT NONE is ALL, NOT
** NOT x is x, NOT (* -x) is x. */
static node *nnot(dsl *c, node *k) {
  if (!k) return NULL;
  if (k->kind == N_ALL || k->kind == N_NONE) { k->kind = k->kind == N_ALL ? N_NONE : N_ALL; return k; }
  if (k->kind == N_NOT || (k->kind == N_AND && k->n == 2 && k->kid[0]->kind == N_ALL && k->kid[1]->kind == N_NOT)) {
    node *inner = k->kind == N_NOT ? k->kid[0] : k->kid[1]->kid[0];
    if (k->kind == N_NOT) k->kid[0] = NULL; else k->kid[1]->kid[0] = NULL;
    nfree(k);
    return inner;
  }
  node *n = nnew(c, N_NOT);
  if (!n || nadd(c, n, k)) { if (!n) nfree(k); nfree(n); return NULL; }
  return n;
}

/* OR n, simplified: nested ORs flattened, NONE dropped, ALL absorbing, a
** NOT alternative made (* -x). */
static node *fin_or(dsl *c, node *n) {
  node *m = nnew(c, N_OR);
  if (!m) return replace(n, NULL);
  for (size_t i = 0; i < n->n; i++) {
    node *k = n->kid[i];
    n->kid[i] = NULL;
    if (k->kind == N_ALL) { nfree(m); nfree(n); return k; }
    if (k->kind == N_NONE) { nfree(k); continue; }
    if (k->kind == N_NOT) {
      node *a = nnew(c, N_AND);
      if (!a || nadd(c, a, k)) { if (!a) nfree(k); nfree(m); return replace(n, NULL); }
      k = fin_and(c, a);
      if (!k) { nfree(m); return replace(n, NULL); }
    }
    int rc = k->kind == N_OR ? splice(c, m, k) : nadd(c, m, k);
    if (rc) { nfree(m); return replace(n, NULL); }
  }
  nfree(n);
  if (m->n == 0) { m->kind = N_NONE; return m; }
  if (m->n == 1) { node *k = m->kid[0]; m->n = 0; nfree(m); return k; }
  return m;
}

/* An AND or OR of the nodes kids[0..n) (taken; NULL entries are failures
** already reported). */
static node *ncombine(dsl *c, nkind k, node **kids, size_t n) {
  node *m = nnew(c, k);
  int bad = !m;
  for (size_t i = 0; i < n; i++) {
    if (!kids[i]) bad = 1;
    else if (bad) nfree(kids[i]);
    else if (nadd(c, m, kids[i])) bad = 1;
  }
  if (bad) return replace(m, NULL);
  return k == N_AND ? fin_and(c, m) : fin_or(c, m);
}

static node *nand2(dsl *c, node *a, node *b) { node *k[2] = {a, b}; return ncombine(c, N_AND, k, 2); }

/* ---- rendering ---------------------------------------------------------- */

/* The one field every leaf of n has, when n can be written as field:(...):
** a groupable field and no ALL, NONE or RAW inside; else -1. */
static int common_field(const node *n) {
  if (n->kind == N_LEAF) return n->nogroup || n->field == F_ANY || n->field == F_ID || n->field == F_DATE ? -1 : (int)n->field;
  if (n->kind != N_AND && n->kind != N_OR && n->kind != N_NOT) return -1;
  int f = -2;
  for (size_t i = 0; i < n->n; i++) {
    int g = common_field(n->kid[i]);
    if (g < 0 || (f >= 0 && g != f)) return -1;
    f = g;
  }
  return f;
}

static void render(buf *b, const node *n, fkind ctx);

/* n as one operand: a leaf as is, a group of one field as field:(...),
** anything else in parentheses. */
static void render_operand(buf *b, const node *n, fkind ctx) {
  int f = ctx == F_ANY ? common_field(n) : -1;
  if (n->kind == N_LEAF) render(b, n, ctx);
  else if (n->kind == N_RAW) buf_printf(b, "(%s)", n->text);
  else if (n->kind == N_ALL) buf_puts(b, "*");
  else if (f >= 0) {
    buf_printf(b, "%s:(", nd_name[f]);
    render(b, n, (fkind)f);
    buf_putc(b, ')');
  } else {
    buf_putc(b, '(');
    render(b, n, ctx);
    buf_putc(b, ')');
  }
}

/* n in the field context ctx (F_ANY: none yet). */
static void render(buf *b, const node *n, fkind ctx) {
  switch (n->kind) {
  case N_ALL: buf_puts(b, "*"); break;
  case N_NONE: buf_puts(b, NONE_QUERY); break;
  case N_RAW: buf_puts(b, n->text); break;
  case N_LEAF:
    if (n->field != ctx && n->field != F_ANY) buf_printf(b, "%s:", nd_name[n->field]);
    buf_puts(b, n->text);
    break;
  case N_NOT:
    buf_putc(b, '-');
    render_operand(b, n->kid[0], ctx);
    break;
  case N_AND: {
    int first = 1;
    for (int neg = 0; neg < 2; neg++)
      for (size_t i = 0; i < n->n; i++) {
        const node *k = n->kid[i];
        if ((k->kind == N_NOT) != neg) continue;
        if (!first) buf_putc(b, ' ');
        first = 0;
        if (k->kind == N_NOT || k->kind == N_LEAF) render(b, k, ctx);
        else render_operand(b, k, ctx);
      }
    break;
  }
  case N_OR:
    for (size_t i = 0; i < n->n; i++) {
      if (i) buf_puts(b, " OR ");
      render_operand(b, n->kid[i], ctx);
    }
    break;
  }
}

/* The deepest nesting of parentheses in q, outside quotes. */
static int paren_depth(const char *q) {
  int d = 0, max = 0, quoted = 0;
  for (; *q; q++) {
    if (*q == '"') quoted = !quoted;
    else if (!quoted && *q == '(' && ++d > max) max = d;
    else if (!quoted && *q == ')') d--;
  }
  return max;
}

/* The query text of root (taken), checked against the parser's limits. */
static char *finish(dsl *c, node *root) {
  buf b;
  buf_init(&b);
  if (root->kind == N_NOT) root = nand2(c, nnew(c, N_ALL), root);
  if (!root) return NULL;
  int f = common_field(root);
  if (f >= 0 && root->kind != N_LEAF) render_operand(&b, root, F_ANY);
  else render(&b, root, F_ANY);
  nfree(root);
  char *q = buf_detach(&b);
  if (!q) { oom(c); return NULL; }
  size_t len = strlen(q);
  int depth = paren_depth(q);
  if (len > QP_MAX_QUERY || depth > QP_MAX_DEPTH) {
    es_fail(c->e, 400, "illegal_argument_exception",
            len > QP_MAX_QUERY ? "the query is %zu bytes once translated; newsdex takes at most %d"
                               : "the query nests %zu groups once translated; newsdex takes at most %d",
            len > QP_MAX_QUERY ? len : (size_t)depth, len > QP_MAX_QUERY ? QP_MAX_QUERY : QP_MAX_DEPTH);
    mem_free(q);
    return NULL;
  }
  return q;
}

/* ---- JSON helpers ------------------------------------------------------- */

/* No deeper than ES_MAX_DEPTH objects and arrays (j at depth d). */
static int depth_ok(const json_t *j, int d) {
  if (!json_is_object(j) && !json_is_array(j)) return 1;
  if (d > ES_MAX_DEPTH) return 0;
  if (json_is_array(j)) {
    for (size_t i = 0; i < json_array_size(j); i++)
      if (!depth_ok(json_array_get(j, i), d + 1)) return 0;
  } else {
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)j, k, v) if (!depth_ok(v, d + 1)) return 0;
  }
  return 1;
}

/* The text of a scalar: a string as is, a number or boolean written as ES
** reads it, into tmp (>= 64 bytes) when it is not a string; NULL otherwise. */
static const char *scalar_text(const json_t *v, char *tmp) {
  if (json_is_string(v)) return json_string_value(v);
  if (json_is_integer(v)) { snprintf(tmp, 64, "%lld", (long long)json_integer_value(v)); return tmp; }
  if (json_is_real(v)) {
    double d = json_real_value(v);
    if (d == floor(d) && fabs(d) < 1e18) snprintf(tmp, 64, "%.0f", d);
    else snprintf(tmp, 64, "%.17g", d);
    return tmp;
  }
  if (json_is_boolean(v)) return json_is_true(v) ? "true" : "false";
  return NULL;
}

/* q's one key into *name and its value into *body: the shape of a query
** clause and of a field-level body.  400 otherwise. */
static int one_key(dsl *c, const char *what, const json_t *q, const char **name, json_t **body) {
  if (!json_is_object(q))
    return es_fail(c->e, 400, "parsing_exception", "[%s] expected an object", what);
  if (json_object_size(q) != 1) {
    if (json_object_size(q) == 0) return es_fail(c->e, 400, "parsing_exception", "[%s] expected one field, found none", what);
    void *it = json_object_iter((json_t *)q);
    const char *a = json_object_iter_key(it), *b = json_object_iter_key(json_object_iter_next((json_t *)q, it));
    return es_fail(c->e, 400, "parsing_exception", "[%s] query doesn't support multiple fields, found [%s] and [%s]", what, a, b);
  }
  void *it = json_object_iter((json_t *)q);
  *name = json_object_iter_key(it);
  *body = json_object_iter_value(it);
  return 0;
}

/* Every key of the object o is in the NULL-ended list ok; else 400. */
static int keys_ok(dsl *c, const char *what, const json_t *o, const char *const *ok) {
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)o, k, v) {
    size_t i = 0;
    while (ok[i] && strcmp(ok[i], k)) i++;
    if (!ok[i]) return es_fail(c->e, 400, "parsing_exception", "[%s] query does not support [%s]", what, k);
  }
  return 0;
}

/* The field ES calls name: 0 and *f, or 400 naming it.  ".keyword" is
** accepted on keyword fields; "*" and "_all" only with allow_any. */
static int field_of(dsl *c, const char *what, const char *name, int allow_any, fkind *f) {
  char base[64];
  size_t n = strlen(name);
  int kw = n > 8 && n - 8 < sizeof base && !strcmp(name + n - 8, ".keyword");
  snprintf(base, sizeof base, "%.*s", kw ? (int)(n - 8) : (int)sizeof base - 1, name);
  for (size_t i = 0; i < sizeof field_map / sizeof field_map[0]; i++) {
    if (strcmp(field_map[i].es, base) || (kw && !is_keyword(field_map[i].f))) continue;
    if (field_map[i].f == F_ANY && !allow_any) break;
    *f = field_map[i].f;
    return 0;
  }
  if (!strcmp(name, "*") || !strcmp(name, "_all"))
    return es_fail(c->e, 400, "illegal_argument_exception",
                   "[%s] on field [%s] is not supported: name a field, or use multi_match or query_string", what, name);
  return es_fail(c->e, 400, "illegal_argument_exception",
                 "[%s] field [%s] is not a field of newsdex's articles (fields: " FIELD_LIST ")", what, name);
}

/* ---- words, phrases and values ------------------------------------------ */

static int count_token(void *ctx, const an_token *t) {
  if (!t->joined) ++*(size_t *)ctx;
  return 0;
}

/* Does the analyser find a word in s[0..n)? 1, 0, or -1 out of memory. */
static int has_word(dsl *c, const char *s, size_t n) {
  size_t k = 0;
  if (!c->an && !(c->an = an_new("none"))) return oom(c);
  if (an_analyze(c->an, s, n, 0, count_token, &k, NULL) < 0) return oom(c);
  return k > 0;
}

static int is_ws(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v'; }

/* The words of text (double quotes made spaces, split on white space,
** those the analyser finds nothing in dropped), each a leaf "w" of field
** f, into *out (mem_alloc'd array of *n).  0 or -1. */
static int text_words(dsl *c, fkind f, const char *text, node ***out, size_t *n) {
  node **w = NULL;
  size_t cap = 0;
  *n = 0;
  for (const char *p = text; *p;) {
    while (*p && (is_ws(*p) || *p == '"')) p++;
    const char *s = p;
    while (*p && !is_ws(*p) && *p != '"') p++;
    if (p == s) continue;
    int hw = has_word(c, s, (size_t)(p - s));
    if (hw == 0) continue;
    char *t = hw < 0 ? NULL : mem_alloc((size_t)(p - s) + 3);
    node *leaf = NULL;
    if (t) {
      snprintf(t, (size_t)(p - s) + 3, "\"%.*s\"", (int)(p - s), s);
      leaf = nleaf(c, f, t, strlen(t));
      mem_free(t);
    } else if (hw > 0) oom(c);
    if (!leaf || mem_grow(&w, &cap, *n, sizeof *w)) {
      if (leaf) { nfree(leaf); oom(c); }
      for (size_t i = 0; i < *n; i++) nfree(w[i]);
      mem_free(w);
      return -1;
    }
    w[(*n)++] = leaf;
  }
  *out = w;
  return 0;
}

/* text quoted whole: double quotes and runs of white space made one
** space, trimmed.  A malloc'ed "...", with *empty set when nothing is
** left; NULL out of memory. */
static char *quoted(dsl *c, const char *text, int *empty) {
  size_t n = strlen(text), k = 0;
  char *q = mem_alloc(n + 3);
  if (!q) { oom(c); return NULL; }
  q[k++] = '"';
  for (const char *p = text; *p; p++) {
    int sp = is_ws(*p) || *p == '"';
    if (sp && (k == 1 || q[k - 1] == ' ')) continue;
    q[k++] = sp ? ' ' : *p;
  }
  if (k > 1 && q[k - 1] == ' ') k--;
  *empty = k == 1;
  q[k++] = '"';
  q[k] = 0;
  return q;
}

/* A phrase of text on field f (F_ANY: both text fields): NONE when the
** analyser finds no word in it (zero_terms) -- the caller decides. */
static node *phrase_leaf(dsl *c, fkind f, const char *text, int *no_words) {
  int empty;
  char *q = quoted(c, text, &empty);
  if (!q) return NULL;
  int hw = empty ? 0 : has_word(c, q + 1, strlen(q) - 2);
  node *n = hw < 0 ? NULL : hw == 0 ? nnew(c, N_NONE) : nleaf(c, f, q, strlen(q));
  *no_words = hw == 0;
  mem_free(q);
  return n;
}

static node *date_term(dsl *c, const char *what, const char *value, const char *format);

/* The exact value v of keyword, id or date field f ("term" semantics):
** source and topics compared as newsdex keys them (NONE when nothing is
** left of v), _id verbatim. */
static node *value_leaf(dsl *c, const char *what, fkind f, const char *v) {
  if (f == F_DATE) return date_term(c, what, v, NULL);
  if (f == F_URL) {
    es_fail(c->e, 400, "illegal_argument_exception", "[%s] on [url]: newsdex does not index urls (exists works on it)", what);
    return NULL;
  }
  if (f == F_ID) {
    if (strchr(v, '"')) {
      es_fail(c->e, 400, "illegal_argument_exception", "[%s] _id [%s] holds a double quote, which newsdex ids cannot be searched with", what, v);
      return NULL;
    }
    if (!*v) return nnew(c, N_NONE);
    char *t = mem_alloc(strlen(v) + 3);
    if (!t) { oom(c); return NULL; }
    sprintf(t, "\"%s\"", v);
    node *n = nleaf(c, F_ID, t, strlen(t));
    mem_free(t);
    return n;
  }
  char key[SRC_KEY_MAX + 1];
  size_t kn = 0;
  if (f == F_SOURCE && src_key(v, strlen(v), key, &kn)) { oom(c); return NULL; }
  if (is_topic(f)) {
    char *norm = lk_norm(v, NULL);
    if (!norm) { oom(c); return NULL; }
    kn = strlen(norm);
    mem_free(norm);
    if (kn > TOPIC_NAME_MAX) {
      es_fail(c->e, 400, "illegal_argument_exception", "[%s] value [%.60s...] is longer than newsdex's %d-byte topic names", what, v, TOPIC_NAME_MAX);
      return NULL;
    }
  }
  int empty;
  char *q = kn ? quoted(c, v, &empty) : NULL;
  if (kn && !q) return NULL;
  node *n = kn ? nleaf(c, f, q, strlen(q)) : nnew(c, N_NONE);
  mem_free(q);
  return n;
}

/* ---- minimum_should_match and "k of n" ------------------------------------ */

/* ES's minimum_should_match v for n optional clauses into *k (may come out
** <= 0 or > n): an integer, "N", "-N", "N%" or "-N%" computed as Lucene
** does (percentages in float, cut towards zero).  0, or 400. */
static int msm_of(dsl *c, const char *what, const json_t *v, size_t n, long *k) {
  long calc;
  if (json_is_integer(v)) calc = (long)json_integer_value(v);
  else if (json_is_string(v)) {
    const char *s = json_string_value(v);
    char *end;
    while (is_ws(*s)) s++;
    long p = strtol(s, &end, 10);
    int pct = *end == '%';
    if (end == s || end[pct] || labs(p) > 1000000 || (pct && labs(p) > 100))
      return es_fail(c->e, 400, "illegal_argument_exception",
                     "[%s] minimum_should_match [%s] is not supported (an integer, -N, N%% or -N%%)", what, s);
    calc = pct ? (long)((float)((long)n * p) * (1.0f / 100.0f)) : p;
  } else return es_fail(c->e, 400, "illegal_argument_exception", "[%s] minimum_should_match must be an integer or a string", what);
  long r = calc < 0 ? (long)n + calc : calc;
  *k = r < 0 ? 0 : r;
  return 0;
}

/* At least k of kids[0..n) (taken): an OR when k <= 1, an AND when k == n,
** NONE when k > n, else the OR of the C(n, k) ANDs of k of them (400
** beyond MAX_COMBINATIONS). */
static node *at_least(dsl *c, const char *what, node **kids, size_t n, long k) {
  if (k <= 1 || (size_t)k >= n) {
    if ((size_t)k > n) {
      for (size_t i = 0; i < n; i++) nfree(kids[i]);
      return nnew(c, N_NONE);
    }
    return ncombine(c, k <= 1 ? N_OR : N_AND, kids, n);
  }
  unsigned long comb = 1;
  for (long i = 1; i <= k && comb <= MAX_COMBINATIONS; i++) comb = comb * (n - (size_t)k + (size_t)i) / (unsigned long)i;
  if (comb > MAX_COMBINATIONS) {
    for (size_t i = 0; i < n; i++) nfree(kids[i]);
    es_fail(c->e, 400, "illegal_argument_exception",
            "[%s] minimum_should_match %ld of %zu needs more than %d combinations; newsdex cannot express it", what, k, n, MAX_COMBINATIONS);
    return NULL;
  }
  size_t idx[MAX_COMBINATIONS];
  node *or = nnew(c, N_OR);
  for (long i = 0; i < k; i++) idx[i] = (size_t)i;
  while (or) {
    node *and = nnew(c, N_AND);
    for (long i = 0; and && i < k; i++) {
      node *cp = ncopy(c, kids[idx[i]]);
      if (!cp || nadd(c, and, cp)) and = replace(and, NULL);
    }
    if (!and || nadd(c, or, fin_and(c, and))) { or = replace(or, NULL); break; }
    long i = k - 1; /* next combination in lexicographic order */
    while (i >= 0 && idx[i] == n - (size_t)k + (size_t)i) i--;
    if (i < 0) break;
    idx[i]++;
    for (long j = i + 1; j < k; j++) idx[j] = idx[j - 1] + 1;
  }
  for (size_t i = 0; i < n; i++) nfree(kids[i]);
  return or ? fin_or(c, or) : NULL;
}

/* ---- match family ------------------------------------------------------- */

/* The options common to match, match_phrase, multi_match and
** combined_fields. */
typedef struct mopts {
  const char *query;
  char tmp[64];
  int and_op;
  const json_t *msm;
  int zero_all; /* zero_terms_query all */
  long slop;
} mopts;

/* Read the options of a match-style body o (query, operator,
** minimum_should_match, zero_terms_query, analyzer, fuzziness, slop). */
static int read_mopts(dsl *c, const char *what, const json_t *o, mopts *m) {
  const json_t *v;
  memset(m, 0, sizeof *m);
  if (!(v = json_object_get(o, "query")) || !(m->query = scalar_text(v, m->tmp)))
    return es_fail(c->e, 400, "parsing_exception", "[%s] requires a query string", what);
  if ((v = json_object_get(o, "operator"))) {
    const char *s = json_string_value(v);
    if (!s || (strcasecmp(s, "and") && strcasecmp(s, "or")))
      return es_fail(c->e, 400, "illegal_argument_exception", "[%s] operator must be and or or", what);
    m->and_op = !strcasecmp(s, "and");
  }
  m->msm = json_object_get(o, "minimum_should_match");
  if ((v = json_object_get(o, "zero_terms_query"))) {
    const char *s = json_string_value(v);
    if (!s || (strcasecmp(s, "none") && strcasecmp(s, "all")))
      return es_fail(c->e, 400, "illegal_argument_exception", "[%s] zero_terms_query must be none or all", what);
    m->zero_all = !strcasecmp(s, "all");
  }
  if ((v = json_object_get(o, "analyzer"))) {
    const char *s = json_string_value(v);
    if (!s || (strcmp(s, "standard") && strcmp(s, "english") && strcmp(s, "simple") && strcmp(s, "default")))
      return es_fail(c->e, 400, "illegal_argument_exception",
                     "[%s] analyzer [%s] is not supported: newsdex analyses text with its own analyser", what, s ? s : "?");
    if (warn(c, "[%s] analyzer [%s]: newsdex analyses text with its own analyser (folding and stemming)", what, s)) return -1;
  }
  if ((v = json_object_get(o, "fuzziness"))) {
    const char *s = json_string_value(v);
    if (!(json_is_integer(v) && json_integer_value(v) == 0) && !(s && !strcmp(s, "0")))
      return es_fail(c->e, 400, "illegal_argument_exception", "[%s] fuzziness is not supported by newsdex", what);
  }
  if ((v = json_object_get(o, "slop"))) {
    if (!json_is_integer(v) || json_integer_value(v) < 0)
      return es_fail(c->e, 400, "illegal_argument_exception", "[%s] slop must be a non-negative integer", what);
    m->slop = (long)json_integer_value(v);
  }
  return 0;
}

static const char *const match_keys[] = {"query", "operator", "minimum_should_match", "zero_terms_query",
    "analyzer", "fuzziness", "boost", "_name", "lenient", "prefix_length", "max_expansions",
    "fuzzy_transpositions", "fuzzy_rewrite", "auto_generate_synonyms_phrase_query", NULL};
static const char *const phrase_keys[] = {"query", "slop", "analyzer", "zero_terms_query", "boost", "_name", NULL};

/* What is left when the text has no word: zero_terms_query. */
static node *zero_terms(dsl *c, const mopts *m) { return nnew(c, m->zero_all ? N_ALL : N_NONE); }

/* How many of n words must match, from the operator and msm. */
static int words_needed(dsl *c, const char *what, const mopts *m, size_t n, long *k) {
  *k = 1;
  if (m->and_op) { *k = (long)n; return 0; }
  if (m->msm && n > 1) return msm_of(c, what, m->msm, n, k);
  return 0;
}

/* The words of m->query on text field f, at least k of them. */
static node *words_on(dsl *c, const char *what, fkind f, const mopts *m, long k) {
  node **w;
  size_t n;
  if (text_words(c, f, m->query, &w, &n)) return NULL;
  if (n == 0) { mem_free(w); return zero_terms(c, m); }
  node *r = at_least(c, what, w, n, n == 1 ? 1 : k);
  mem_free(w);
  return r;
}

/* The number of words of text. -1 out of memory. */
static long word_count(dsl *c, const char *text) {
  node **w;
  size_t n;
  if (text_words(c, F_ANY, text, &w, &n)) return -1;
  for (size_t i = 0; i < n; i++) nfree(w[i]);
  c->leaves -= n;
  mem_free(w);
  return (long)n;
}

/* match_phrase-style text on field f: a phrase (text fields), the value
** (keyword, id, date fields). */
static node *phrase_on(dsl *c, const char *what, fkind f, const mopts *m) {
  if (!is_text(f)) return value_leaf(c, what, f, m->query);
  int no_words;
  node *n = phrase_leaf(c, f, m->query, &no_words);
  if (n && no_words) { nfree(n); return zero_terms(c, m); }
  return n;
}

/* The body of a one-field match-style query, {"FIELD": "text" | {query,
** ...}}: the field into *f and the options into *m (keys: those allowed).
** 0, or -1 with the error set. */
static int field_text(dsl *c, const char *what, const json_t *body, const char *const *keys, fkind *f, mopts *m) {
  const char *name;
  json_t *v;
  if (one_key(c, what, body, &name, &v) || field_of(c, what, name, 0, f)) return -1;
  if (json_is_object(v)) return keys_ok(c, what, v, keys) || read_mopts(c, what, v, m) ? -1 : 0;
  memset(m, 0, sizeof *m);
  if (!(m->query = scalar_text(v, m->tmp))) return es_fail(c->e, 400, "parsing_exception", "[%s] field [%s] needs a value", what, name);
  return 0;
}

/* {"match": {"FIELD": "text" | {query, operator, minimum_should_match, ...}}} */
static node *q_match(dsl *c, const json_t *body) {
  fkind f;
  mopts m;
  if (field_text(c, "match", body, match_keys, &f, &m)) return NULL;
  if (!is_text(f)) return value_leaf(c, "match", f, m.query);
  long n = word_count(c, m.query), k;
  if (n < 0 || words_needed(c, "match", &m, (size_t)n, &k)) return NULL;
  return words_on(c, "match", f, &m, k);
}

/* {"match_phrase": {"FIELD": "text" | {query, slop: 0, ...}}} */
static node *q_match_phrase(dsl *c, const json_t *body) {
  fkind f;
  mopts m;
  if (field_text(c, "match_phrase", body, phrase_keys, &f, &m)) return NULL;
  if (m.slop > 0) {
    es_fail(c->e, 400, "illegal_argument_exception", "[match_phrase] slop > 0 is not supported until newsdex has NEAR");
    return NULL;
  }
  return phrase_on(c, "match_phrase", f, &m);
}

/* The fields of multi_match / combined_fields: text ones into *title and
** *body, the others listed in kw[] (*nkw).  Boosts other than newsdex's
** own (title 2.5, body 1) are noted. */
static int read_fields(dsl *c, const char *what, const json_t *fields, int *title, int *body, fkind *kw, size_t *nkw) {
  *title = *body = 0;
  *nkw = 0;
  if (!fields) { *title = *body = 1; return 0; }
  size_t nf = json_is_array(fields) ? json_array_size(fields) : 1;
  for (size_t i = 0; i < nf; i++) {
    const json_t *fv = json_is_array(fields) ? json_array_get(fields, i) : fields;
    const char *s = json_string_value(fv);
    if (!s) return es_fail(c->e, 400, "parsing_exception", "[%s] fields must be strings", what);
    char name[128];
    const char *caret = strchr(s, '^');
    snprintf(name, sizeof name, "%.*s", caret ? (int)(caret - s) : (int)strlen(s), s);
    fkind f;
    if (field_of(c, what, name, 1, &f)) return -1;
    if (caret) {
      char *end;
      double bst = strtod(caret + 1, &end);
      if (end == caret + 1 || *end || bst < 0)
        return es_fail(c->e, 400, "parsing_exception", "[%s] bad boost in field [%s]", what, s);
      double own = f == F_TITLE ? 2.5 : 1.0;
      if (fabs(bst - own) > 1e-9 &&
          warn(c, "[%s] field boosts are not applied: newsdex ranks with its own BM25F weights (title 2.5, body 1)", what))
        return -1;
    }
    if (f == F_ANY || f == F_TITLE) *title = 1;
    if (f == F_ANY || f == F_BODY) *body = 1;
    if (f == F_DATE || f == F_URL)
      return es_fail(c->e, 400, "illegal_argument_exception", "[%s] on field [%s] is not supported (text and keyword fields only)", what, name);
    if (!is_text(f) && *nkw < 16) {
      size_t j = 0;
      while (j < *nkw && kw[j] != f) j++;
      if (j == *nkw) kw[(*nkw)++] = f;
    }
  }
  return 0;
}

/* The text part of a multi_match over the title and/or body fields. */
static node *multi_text(dsl *c, const char *what, const char *type, int title, int body, const mopts *m) {
  fkind one = title && body ? F_ANY : title ? F_TITLE : F_BODY;
  if (!strcmp(type, "phrase")) return phrase_on(c, what, one, m);
  long n = word_count(c, m->query), k;
  if (n < 0 || words_needed(c, what, m, (size_t)n, &k)) return NULL;
  if (n == 0) return zero_terms(c, m);
  /* best_fields / most_fields need k words in one field; cross_fields (and
  ** any k of 1) take each word from either: newsdex's unfielded search. */
  if (one != F_ANY || k <= 1 || n == 1 || !strcmp(type, "cross_fields")) return words_on(c, what, one, m, k);
  node *t = words_on(c, what, F_TITLE, m, k);
  node *b = t ? words_on(c, what, F_BODY, m, k) : NULL;
  node *kids[2] = {t, b};
  if (!b) { nfree(t); return NULL; }
  return ncombine(c, N_OR, kids, 2);
}

static const char *const multi_keys[] = {"query", "fields", "type", "operator", "minimum_should_match",
    "zero_terms_query", "analyzer", "fuzziness", "slop", "tie_breaker", "boost", "_name", "lenient",
    "prefix_length", "max_expansions", "fuzzy_transpositions", "fuzzy_rewrite",
    "auto_generate_synonyms_phrase_query", NULL};

/* {"multi_match": {query, fields, type, operator, minimum_should_match, ...}}
** and {"combined_fields": ...} (is_combined: cross_fields on text only). */
static node *multi(dsl *c, const json_t *body, int is_combined) {
  const char *what = is_combined ? "combined_fields" : "multi_match";
  mopts m;
  if (!json_is_object(body)) { es_fail(c->e, 400, "parsing_exception", "[%s] expected an object", what); return NULL; }
  if (keys_ok(c, what, body, multi_keys) || read_mopts(c, what, body, &m)) return NULL;
  const char *type = is_combined ? "cross_fields" : "best_fields";
  const json_t *tv = json_object_get(body, "type");
  if (tv && !is_combined) type = json_string_value(tv) ? json_string_value(tv) : "?";
  if (strcmp(type, "best_fields") && strcmp(type, "most_fields") && strcmp(type, "cross_fields") && strcmp(type, "phrase")) {
    es_fail(c->e, 400, "illegal_argument_exception", "[%s] type [%s] is not supported by newsdex (best_fields, most_fields, cross_fields, phrase)", what, type);
    return NULL;
  }
  if (m.slop > 0) {
    es_fail(c->e, 400, "illegal_argument_exception", "[%s] slop > 0 is not supported until newsdex has NEAR", what);
    return NULL;
  }
  int title, bodyf;
  fkind kw[16];
  size_t nkw;
  if (read_fields(c, what, json_object_get(body, "fields"), &title, &bodyf, kw, &nkw)) return NULL;
  if (nkw && (is_combined || !strcmp(type, "cross_fields"))) {
    es_fail(c->e, 400, "illegal_argument_exception", "[%s] cross_fields over keyword fields is not supported by newsdex", what);
    return NULL;
  }
  node *parts[17];
  size_t np = 0;
  if (title || bodyf) parts[np++] = multi_text(c, what, type, title, bodyf, &m);
  for (size_t i = 0; i < nkw; i++) parts[np++] = value_leaf(c, what, kw[i], m.query);
  return ncombine(c, N_OR, parts, np);
}

static node *q_multi_match(dsl *c, const json_t *body) { return multi(c, body, 0); }
static node *q_combined_fields(dsl *c, const json_t *body) { return multi(c, body, 1); }

/* ---- term level ----------------------------------------------------------- */

/* The exact term v on field f (name as written, for messages). */
static node *term_on(dsl *c, const char *what, fkind f, const char *name, const char *v) {
  if (!is_text(f)) return value_leaf(c, what, f, v);
  if (warn(c, "[%s] on text field [%s]: newsdex analyses the value (folding and stemming) as it analysed the articles", what, name))
    return NULL;
  int no_words;
  node *n = phrase_leaf(c, f, v, &no_words);
  return n;
}

static const char *const term_keys[] = {"value", "boost", "_name", "case_insensitive", NULL};

/* {"term": {"FIELD": value | {value, boost, case_insensitive}}} */
static node *q_term(dsl *c, const json_t *body) {
  const char *name, *v;
  json_t *o;
  fkind f;
  char tmp[64];
  if (one_key(c, "term", body, &name, &o) || field_of(c, "term", name, 0, &f)) return NULL;
  if (json_is_object(o)) {
    if (keys_ok(c, "term", o, term_keys)) return NULL;
    o = json_object_get(o, "value");
  }
  if (!o || !(v = scalar_text(o, tmp))) {
    es_fail(c->e, 400, "parsing_exception", "[term] field [%s] needs a value", name);
    return NULL;
  }
  return term_on(c, "term", f, name, v);
}

/* {"terms": {"FIELD": [values], "boost": ...}} */
static node *q_terms(dsl *c, const json_t *body) {
  const char *name = NULL, *k;
  json_t *vals = NULL, *v;
  fkind f;
  if (!json_is_object(body)) { es_fail(c->e, 400, "parsing_exception", "[terms] expected an object"); return NULL; }
  json_object_foreach((json_t *)body, k, v) {
    if (!strcmp(k, "boost") || !strcmp(k, "_name")) continue;
    if (name) { es_fail(c->e, 400, "parsing_exception", "[terms] query does not support multiple fields"); return NULL; }
    name = k;
    vals = v;
  }
  if (!name) { es_fail(c->e, 400, "parsing_exception", "[terms] query requires a field"); return NULL; }
  if (field_of(c, "terms", name, 0, &f)) return NULL;
  if (json_is_object(vals)) {
    es_fail(c->e, 400, "parsing_exception", "[terms] lookup (terms from another document) is not supported by newsdex");
    return NULL;
  }
  if (!json_is_array(vals)) { es_fail(c->e, 400, "parsing_exception", "[terms] field [%s] needs an array of values", name); return NULL; }
  node *or = nnew(c, N_OR);
  for (size_t i = 0; or && i < json_array_size(vals); i++) {
    char tmp[64];
    const char *s = scalar_text(json_array_get(vals, i), tmp);
    if (!s) { es_fail(c->e, 400, "parsing_exception", "[terms] values must be strings or numbers"); return replace(or, NULL); }
    node *t = term_on(c, "terms", f, name, s);
    if (!t || nadd(c, or, t)) return replace(or, NULL);
  }
  return or ? fin_or(c, or) : NULL;
}

/* {"ids": {"values": [...]}}: OR of id:"X"; no values matches nothing. */
static node *q_ids(dsl *c, const json_t *body) {
  static const char *const keys[] = {"values", "boost", "_name", "type", NULL};
  if (!json_is_object(body) || keys_ok(c, "ids", body, keys)) {
    if (!json_is_object(body)) es_fail(c->e, 400, "parsing_exception", "[ids] expected an object");
    return NULL;
  }
  const json_t *vals = json_object_get(body, "values");
  if (!json_is_array(vals)) { es_fail(c->e, 400, "parsing_exception", "[ids] requires an array of values"); return NULL; }
  node *or = nnew(c, N_OR);
  for (size_t i = 0; or && i < json_array_size(vals); i++) {
    char tmp[64];
    const char *s = scalar_text(json_array_get(vals, i), tmp);
    if (!s) { es_fail(c->e, 400, "parsing_exception", "[ids] values must be strings"); return replace(or, NULL); }
    node *t = value_leaf(c, "ids", F_ID, s);
    if (!t || nadd(c, or, t)) return replace(or, NULL);
  }
  return or ? fin_or(c, or) : NULL;
}

/* Can v be written as a newsdex prefix on field f?  Text fields: a single
** word of letters, digits (any non-ASCII) and apostrophes; keyword
** fields: no white space, quotes, parentheses, colons, backslashes or
** stars, not starting with "-". */
static int prefix_ok(fkind f, const char *v) {
  if (*v == '-') return 0;
  for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
    if (*p >= 0x80 || (*p >= '0' && *p <= '9') || ((*p | 32) >= 'a' && (*p | 32) <= 'z') || *p == '\'') continue;
    if (is_text(f) || *p <= ' ' || strchr("\"():*\\", *p)) return 0;
  }
  return 1;
}

static const char *const prefix_keys[] = {"value", "boost", "_name", "rewrite", "case_insensitive", NULL};

/* {"prefix": {"FIELD": "pre" | {value, ...}}} -> field:pre* */
static node *q_prefix(dsl *c, const json_t *body) {
  const char *name, *v;
  json_t *o;
  fkind f;
  if (one_key(c, "prefix", body, &name, &o) || field_of(c, "prefix", name, 0, &f)) return NULL;
  if (json_is_object(o)) {
    if (keys_ok(c, "prefix", o, prefix_keys)) return NULL;
    o = json_object_get(o, "value");
  }
  if (!(v = json_string_value(o))) { es_fail(c->e, 400, "parsing_exception", "[prefix] field [%s] needs a string value", name); return NULL; }
  if (f == F_ID || f == F_DATE || f == F_URL) {
    es_fail(c->e, 400, "illegal_argument_exception", "[prefix] on field [%s] is not supported by newsdex", name);
    return NULL;
  }
  size_t chars = 0;
  for (const char *p = v; *p; p++) chars += ((unsigned char)*p & 0xC0) != 0x80;
  if (chars < 2) {
    es_fail(c->e, 400, "illegal_argument_exception", "[prefix] value [%s] is too short: newsdex needs at least 2 characters", v);
    return NULL;
  }
  if (!prefix_ok(f, v)) {
    es_fail(c->e, 400, "illegal_argument_exception", "[prefix] value [%s] on [%s] must be a single word (letters, digits%s)", v,
            name, is_text(f) ? ", apostrophes" : " and inner punctuation, no spaces");
    return NULL;
  }
  char *t = mem_alloc(strlen(v) + 2);
  if (!t) { oom(c); return NULL; }
  sprintf(t, "%s*", v);
  node *n = nleaf(c, f, t, strlen(t));
  mem_free(t);
  return n;
}

/* {"exists": {"field": F}} -> F:*; body (and _id) exist on every article:
** a title-only one has body "" in its _source, and ES counts "" as a value. */
static node *q_exists(dsl *c, const json_t *body) {
  static const char *const keys[] = {"field", "boost", "_name", NULL};
  const char *name;
  fkind f;
  if (!json_is_object(body)) { es_fail(c->e, 400, "parsing_exception", "[exists] expected an object"); return NULL; }
  if (keys_ok(c, "exists", body, keys)) return NULL;
  if (!(name = json_string_value(json_object_get(body, "field")))) {
    es_fail(c->e, 400, "parsing_exception", "[exists] requires a field");
    return NULL;
  }
  if (field_of(c, "exists", name, 0, &f)) return NULL;
  if (f == F_BODY || f == F_ID) return nnew(c, N_ALL);
  node *n = nleaf(c, f, "*", 1);
  if (n) n->nogroup = 1;
  return n;
}

/* ---- dates ---------------------------------------------------------------- */

/* Seconds as the query language's one-second date-time. */
static void fmt_second(int64_t s, char *out) {
  int64_t days = s / 86400 - (s % 86400 < 0), y;
  int64_t t = s - days * 86400;
  unsigned m, d;
  date_civil_from_days(days, &y, &m, &d);
  snprintf(out, 32, "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)y, m, d, (int)(t / 3600), (int)(t / 60 % 60), (int)(t % 60));
}

static int64_t floor_div(int64_t a, int64_t b) { return a / b - (a % b != 0 && a < 0); }

/* Articles dated in [lo_ms, hi_ms] (inclusive; *_set 0: open).  Article
** dates are whole seconds, so the bounds become the first second at or
** after lo and the last at or before hi; newsdex dates span years
** 0001-9999, so a bound beyond is dropped, and an empty range is NONE.
** No bound at all: every dated article. */
static node *date_range(dsl *c, int lo_set, int64_t lo_ms, int hi_set, int64_t hi_ms) {
  const int64_t min_s = date_days_from_civil(1, 1, 1) * 86400, max_s = date_days_from_civil(10000, 1, 1) * 86400 - 1;
  int64_t lo = lo_set ? -floor_div(-lo_ms, 1000) : 0, hi = hi_set ? floor_div(hi_ms, 1000) : 0;
  if ((lo_set && lo > max_s) || (hi_set && hi < min_s) || (lo_set && hi_set && lo > hi)) return nnew(c, N_NONE);
  if (lo_set && lo <= min_s) lo_set = 0;
  if (hi_set && hi >= max_s) hi_set = 0;
  char a[32], b[32], t[72];
  fmt_second(lo, a);
  fmt_second(hi, b);
  if (lo_set && hi_set) snprintf(t, sizeof t, "%s..%s", a, b);
  else if (lo_set) snprintf(t, sizeof t, ">=%s", a);
  else if (hi_set) snprintf(t, sizeof t, "<=%s", b);
  else snprintf(t, sizeof t, "*");
  node *n = nleaf(c, F_DATE, t, strlen(t));
  if (n) n->nogroup = 1;
  return n;
}

/* A date value as a term (term, match, query_string's date:2004): the
** period it names, as ES's date term query reads it (from the value read
** rounding down to the value read rounding up). */
static node *date_term(dsl *c, const char *what, const char *value, const char *format) {
  int64_t lo, hi;
  if (es_datemath(value, format, c->now, 0, &lo, c->e) || es_datemath(value, format, c->now, 1, &hi, c->e)) return NULL;
  return date_range(c, 1, lo, 1, hi);
}

/* A bound's value as text (numbers as ES writes them); NULL for null. */
static int bound_text(dsl *c, const json_t *v, char *tmp, const char **out) {
  *out = NULL;
  if (!v || json_is_null(v)) return 0;
  if (json_is_boolean(v) || !(*out = scalar_text(v, tmp)))
    return es_fail(c->e, 400, "parsing_exception", "[range] bounds must be dates, numbers or null");
  return 0;
}

/* time_zone: only UTC spellings (newsdex dates are UTC). */
static int tz_ok(dsl *c, const char *what, const json_t *tz) {
  static const char *const utc[] = {"Z", "UTC", "+00:00", "-00:00", "+0000", "Etc/UTC", "GMT", "+00", NULL};
  const char *s = json_string_value(tz);
  for (size_t i = 0; s && utc[i]; i++)
    if (!strcmp(s, utc[i])) return 0;
  return es_fail(c->e, 400, "illegal_argument_exception", "[%s] time_zone [%s] is not supported: newsdex dates are UTC (use Z)", what, s ? s : "?");
}

/* The bounds of a range body o: lower (gt / gte / from with
** include_lower) and upper; at most one of each kind. */
typedef struct bounds {
  const json_t *lo, *hi;
  int lo_incl, hi_incl;
} bounds;

static int read_bounds(dsl *c, const json_t *o, bounds *bd) {
  const json_t *gt = json_object_get(o, "gt"), *gte = json_object_get(o, "gte"), *from = json_object_get(o, "from");
  const json_t *lt = json_object_get(o, "lt"), *lte = json_object_get(o, "lte"), *to = json_object_get(o, "to");
  const json_t *il = json_object_get(o, "include_lower"), *iu = json_object_get(o, "include_upper");
  if (!!gt + !!gte + !!from > 1 || !!lt + !!lte + !!to > 1)
    return es_fail(c->e, 400, "parsing_exception", "[range] give at most one lower bound (gt, gte, from) and one upper (lt, lte, to)");
  if ((il && !from) || (iu && !to) || (il && !json_is_boolean(il)) || (iu && !json_is_boolean(iu)))
    return es_fail(c->e, 400, "parsing_exception", "[range] include_lower / include_upper go with from / to, as booleans");
  bd->lo = gt ? gt : gte ? gte : from;
  bd->hi = lt ? lt : lte ? lte : to;
  bd->lo_incl = gt ? 0 : gte ? 1 : !il || json_is_true(il);
  bd->hi_incl = lt ? 0 : lte ? 1 : !iu || json_is_true(iu);
  return 0;
}

static const char *const range_keys[] = {"gt", "gte", "lt", "lte", "from", "to", "include_lower", "include_upper",
    "format", "time_zone", "boost", "_name", "relation", NULL};

/* {"range": {"date": {gte, gt, lte, lt, from, to, format, time_zone}}}.
** gt and lte read dates rounding up (ES), gte and lt rounding down; an
** exclusive bound X is the inclusive X + 1 ms (gt) or X - 1 ms (lt). */
static node *q_range(dsl *c, const json_t *body) {
  const char *name, *lo = NULL, *hi = NULL, *fmt = NULL;
  json_t *o;
  fkind f;
  char t1[64], t2[64];
  bounds bd = {NULL, NULL, 1, 1};
  if (one_key(c, "range", body, &name, &o) || field_of(c, "range", name, 0, &f)) return NULL;
  if (f != F_DATE) {
    es_fail(c->e, 400, "illegal_argument_exception", "[range] on field [%s] is not supported: newsdex has ranges on date only", name);
    return NULL;
  }
  if (!json_is_object(o)) { es_fail(c->e, 400, "parsing_exception", "[range] field [%s] needs an object", name); return NULL; }
  if (keys_ok(c, "range", o, range_keys) || read_bounds(c, o, &bd)) return NULL;
  const json_t *fv = json_object_get(o, "format"), *tz = json_object_get(o, "time_zone"), *rel = json_object_get(o, "relation");
  if (fv && !(fmt = json_string_value(fv))) { es_fail(c->e, 400, "parsing_exception", "[range] format must be a string"); return NULL; }
  if (tz && tz_ok(c, "range", tz)) return NULL;
  if (rel && (!json_string_value(rel) || !strcasecmp(json_string_value(rel), "disjoint") ||
              (strcasecmp(json_string_value(rel), "intersects") && strcasecmp(json_string_value(rel), "within") &&
               strcasecmp(json_string_value(rel), "contains")))) {
    es_fail(c->e, 400, "illegal_argument_exception", "[range] relation must be intersects, within or contains");
    return NULL;
  }
  if (bound_text(c, bd.lo, t1, &lo) || bound_text(c, bd.hi, t2, &hi)) return NULL;
  int64_t a = 0, b = 0;
  if (lo && es_datemath(lo, fmt, c->now, !bd.lo_incl, &a, c->e)) return NULL;
  if (hi && es_datemath(hi, fmt, c->now, bd.hi_incl, &b, c->e)) return NULL;
  if (lo && !bd.lo_incl) a++;
  if (hi && !bd.hi_incl) b--;
  return date_range(c, lo != NULL, a, hi != NULL, b);
}

/* ---- compound ------------------------------------------------------------- */

static node *translate(dsl *c, const json_t *q);

/* The clauses of one bool occurrence (an object or an array of them),
** appended to *out (*n). */
static int clauses(dsl *c, const json_t *v, node ***out, size_t *n, size_t *cap) {
  size_t m = json_is_array(v) ? json_array_size(v) : 1;
  if (!json_is_array(v) && !json_is_object(v))
    return es_fail(c->e, 400, "parsing_exception", "[bool] clauses must be objects or arrays of objects");
  for (size_t i = 0; i < m; i++) {
    node *k = translate(c, json_is_array(v) ? json_array_get(v, i) : v);
    if (!k) return -1;
    if (mem_grow(out, cap, *n, sizeof **out)) { nfree(k); return oom(c); }
    (*out)[(*n)++] = k;
  }
  return 0;
}

static void free_list(node **l, size_t n) {
  for (size_t i = 0; i < n; i++) nfree(l[i]);
  mem_free(l);
}

/* {"bool": {must, filter, should, must_not, minimum_should_match}}:
** AND(must, filter, at least k of should, NOT each must_not).  k: the
** minimum_should_match, by default 1 without must/filter and 0 beside
** them -- where ES only scores the should clauses, and they are dropped
** here with a note. */
static node *q_bool(dsl *c, const json_t *body) {
  static const char *const keys[] = {"must", "filter", "should", "must_not", "minimum_should_match", "boost",
                                     "_name", "adjust_pure_negative", NULL};
  static const char *const occ[] = {"must", "filter", "must_not", "should"};
  node **l[4] = {NULL, NULL, NULL, NULL};
  size_t n[4] = {0, 0, 0, 0}, cap[4] = {0, 0, 0, 0};
  if (!json_is_object(body)) { es_fail(c->e, 400, "parsing_exception", "[bool] expected an object"); return NULL; }
  if (keys_ok(c, "bool", body, keys)) return NULL;
  int bad = 0;
  for (int o = 0; o < 4 && !bad; o++) {
    const json_t *v = json_object_get(body, occ[o]);
    if (v && !json_is_null(v)) bad = clauses(c, v, &l[o], &n[o], &cap[o]);
  }
  long k = n[0] + n[1] ? 0 : 1;
  const json_t *msm = json_object_get(body, "minimum_should_match");
  if (!bad && msm && n[3]) {
    bad = msm_of(c, "bool", msm, n[3], &k);
    if (!bad && k < 1 && !(n[0] + n[1])) k = 1;
  }
  if (!bad && n[1] && warn(c, "[bool] filter clauses are scored by newsdex (ES only filters with them): the hits are exact, their order may differ"))
    bad = 1;
  if (!bad && n[3] && k < 1 &&
      warn(c, "[bool] should clauses beside must/filter only score in ES; newsdex drops them from matching (the hits are exact, their order may differ)"))
    bad = 1;
  node *and = bad ? NULL : nnew(c, N_AND);
  for (int o = 0; o < 3 && and; o++)
    for (size_t i = 0; i < n[o] && and; i++) {
      node *x = o == 2 ? nnot(c, l[o][i]) : l[o][i];
      l[o][i] = NULL;
      if (!x || nadd(c, and, x)) and = replace(and, NULL);
    }
  if (and && n[3] && k >= 1) {
    node *s = at_least(c, "bool", l[3], n[3], k);
    n[3] = 0;
    if (!s || nadd(c, and, s)) and = replace(and, NULL);
  }
  for (int o = 0; o < 4; o++) free_list(l[o], n[o]);
  return and ? fin_and(c, and) : NULL;
}

/* {"constant_score": {"filter": q}}: q, with a note on scoring. */
static node *q_constant_score(dsl *c, const json_t *body) {
  static const char *const keys[] = {"filter", "boost", "_name", NULL};
  const json_t *f;
  if (!json_is_object(body) || keys_ok(c, "constant_score", body, keys)) {
    if (!json_is_object(body)) es_fail(c->e, 400, "parsing_exception", "[constant_score] expected an object");
    return NULL;
  }
  if (!(f = json_object_get(body, "filter"))) { es_fail(c->e, 400, "parsing_exception", "[constant_score] requires a filter"); return NULL; }
  if (warn(c, "[constant_score] newsdex scores its hits by BM25F, not a constant: the hits are exact, their order may differ")) return NULL;
  return translate(c, f);
}

static node *q_match_all(dsl *c, const json_t *body) {
  static const char *const keys[] = {"boost", "_name", NULL};
  if (!json_is_object(body)) { es_fail(c->e, 400, "parsing_exception", "[match_all] expected an object"); return NULL; }
  return keys_ok(c, "match_all", body, keys) ? NULL : nnew(c, N_ALL);
}

static node *q_match_none(dsl *c, const json_t *body) {
  static const char *const keys[] = {"_name", "boost", NULL};
  if (!json_is_object(body)) { es_fail(c->e, 400, "parsing_exception", "[match_none] expected an object"); return NULL; }
  return keys_ok(c, "match_none", body, keys) ? NULL : nnew(c, N_NONE);
}

/* query_string / simple_query_string: qstring.c's query, as a RAW part. */
static node *qs_node(dsl *c, const json_t *body, int simple) {
  char *q = es_query_string(body, simple, c->now, c->warnings, c->e);
  if (!q) return NULL;
  node *n = nnew(c, !strcmp(q, "*") ? N_ALL : !strcmp(q, NONE_QUERY) ? N_NONE : N_RAW);
  if (n && n->kind == N_RAW) { n->text = q; return n; }
  mem_free(q);
  return n;
}

static node *q_query_string(dsl *c, const json_t *body) { return qs_node(c, body, 0); }
static node *q_simple_query_string(dsl *c, const json_t *body) { return qs_node(c, body, 1); }

/* ---- dispatch ------------------------------------------------------------- */

static const struct {
  const char *name;
  node *(*fn)(dsl *, const json_t *);
} queries[] = {
    {"match_all", q_match_all}, {"match_none", q_match_none}, {"match", q_match}, {"match_phrase", q_match_phrase},
    {"multi_match", q_multi_match}, {"combined_fields", q_combined_fields}, {"bool", q_bool}, {"term", q_term},
    {"terms", q_terms}, {"range", q_range}, {"prefix", q_prefix}, {"ids", q_ids}, {"exists", q_exists},
    {"query_string", q_query_string}, {"simple_query_string", q_simple_query_string},
    {"constant_score", q_constant_score}};

/* ES queries newsdex knows of and refuses. */
static const char *const unsupported[] = {"match_phrase_prefix", "match_bool_prefix", "boosting", "dis_max",
    "function_score", "script_score", "nested", "has_child", "has_parent", "parent_id", "wildcard", "regexp",
    "fuzzy", "geo_bounding_box", "geo_distance", "geo_polygon", "geo_shape", "geo_grid", "shape", "script",
    "more_like_this", "percolate", "rank_feature", "distance_feature", "pinned", "wrapper", "intervals",
    "terms_set", "type", "knn", "semantic", "sparse_vector", "text_expansion", "weighted_tokens", "rule",
    "span_term", "span_multi", "span_first", "span_near", "span_or", "span_not", "span_containing",
    "span_within", "span_field_masking", "field_masking_span", "common", NULL};

/* One query clause {"TYPE": body}. */
static node *translate(dsl *c, const json_t *q) {
  const char *name;
  json_t *body;
  if (one_key(c, "query", q, &name, &body)) return NULL;
  for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++)
    if (!strcmp(queries[i].name, name)) return queries[i].fn(c, body);
  for (size_t i = 0; unsupported[i]; i++)
    if (!strcmp(unsupported[i], name)) {
      es_fail(c->e, 400, "parsing_exception", "[%s] query is not supported by newsdex", name);
      return NULL;
    }
  es_fail(c->e, 400, "parsing_exception", "unknown query [%s]", name);
  return NULL;
}

char *es_query(const json_t *q, int64_t now_ms, char **warnings, es_err *e) {
  dsl c = {now_ms, warnings, e, 0, NULL};
  if (!q) {
    char *all = mem_strdup("*");
    if (!all) oom(&c);
    return all;
  }
  if (!depth_ok(q, 1)) {
    es_fail(e, 400, "parsing_exception", "the query nests objects deeper than %d", ES_MAX_DEPTH);
    return NULL;
  }
  node *root = translate(&c, q);
  char *s = root ? finish(&c, root) : NULL;
  an_free(c.an);
  return s;
}
