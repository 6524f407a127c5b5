/*
** qstring.c -- query_string and simple_query_string (es.h,
** es_query_string; docs/elasticsearch.md, "Query DSL").
**
** Contract.  es_query_string(clause, simple, now_ms, &warnings, e) reads
** the clause's query text with Lucene's classic syntax (simple = 0) or
** ES's simple syntax (simple = 1), builds the equivalent query DSL in JSON
** (bool, match_phrase, multi_match, prefix, range, exists, match_all) and
** returns es_query's translation of it: the same fields, the same text
** safety, the same refusals (400 naming the part) and notes.
**
** Lucene's classic syntax (query_string):
**   terms, "phrases", field:term, field:"phrase", field:(group), +x, -x,
**   !x, NOT x, AND / &&, OR / ||, ( ), \-escapes, a trailing * (prefix;
**   "*" alone: every article, field:* the articles with that field),
**   _exists_:field, *:*, date:[A TO B], {A TO B}, mixed brackets, * as an
**   open bound, date:>=X, >X, <=X, <X.  Each clause joins its group as
**   Lucene's QueryParser.addClause decides: with default_operator OR,
**   clauses under + or AND are required, under - / ! / NOT prohibited, the
**   others optional; with AND every clause is required unless introduced
**   by OR.  A group with required clauses only scores its optional ones in
**   Lucene: they are dropped here with a note (kept when the top level has
**   minimum_should_match).  A group of prohibited clauses only is "every
**   article except", as ES makes it.
**   Refused: ~ (fuzzy, proximity), ? and * inside a word, /regex/,
**   phrase_slop > 0; ^N boosts are ignored with a note.
** ES's simple syntax (simple_query_string): + (AND), | (OR), - (NOT,
**   "everything but": with OR, "a -b" is a OR NOT b, as ES does), "phrase",
**   trailing *, ( ), \-escapes; operators combine left to right without
**   precedence, as Lucene's SimpleQueryParser does.  ~N is refused.
**
** Terms and phrases search default_field, or the fields list (as
** multi_match with type phrase), or "*": title and body.  A term is one
** quoted word of es_query's text rules; a term or phrase in which the
** analyser finds no word drops out of its group, as in Lucene.  A query
** with nothing left matches nothing.  Options: default_field, fields,
** default_operator, minimum_should_match (top level), time_zone (UTC only,
** for ranges), analyzer (as match), lenient, analyze_wildcard and the
** fuzzy_* settings (ignored: nothing fuzzy is accepted).
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../text/analyze.h"
#include "../util/mem.h"
#include "es.h"

/* The parse of one query text. */
typedef struct qs {
  const char *s;
  size_t i, n;
  int simple, and_op;
  json_t *fields;    /* default fields: an array of names */
  const json_t *tz;  /* time_zone, for ranges */
  const json_t *msm; /* minimum_should_match of the top level */
  const char *name;  /* query_string or simple_query_string */
  char **warnings;
  es_err *e;
  int depth;
  analyzer *an;
} qs;

/* A clause that analysed to nothing: dropped from its group. */
#define DROP json_null()

static json_t *fail_oom(qs *p) {
  es_fail(p->e, 500, "out_of_memory", "out of memory translating the %s", p->name);
  return NULL;
}

/* Note one line in *warnings (es_note: each once). */
static int note(qs *p, const char *line) {
  if (!es_note(p->warnings, line)) return 0;
  fail_oom(p);
  return -1;
}

static json_t *qfail(qs *p, const char *type, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static json_t *qfail(qs *p, const char *type, const char *fmt, ...) {
  char why[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  es_fail(p->e, 400, type, "[%s] %s", p->name, why);
  return NULL;
}

/* ---- the text ------------------------------------------------------------ */

static int ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static void skip_ws(qs *p) { while (p->i < p->n && ws(p->s[p->i])) p->i++; }
static int at_end(const qs *p) { return p->i >= p->n; }
static char cur(const qs *p) { return p->i < p->n ? p->s[p->i] : 0; }

/* Does the word w (uppercase operator) stand at the cursor, followed by a
** delimiter? */
static int at_word(const qs *p, const char *w) {
  size_t k = strlen(w);
  if (p->n - p->i < k || memcmp(p->s + p->i, w, k)) return 0;
  char nx = p->i + k < p->n ? p->s[p->i + k] : 0;
  return nx == 0 || ws(nx) || nx == '(' || nx == '"' || (!p->simple && (nx == '+' || nx == '-' || nx == '!'));
}

/* A term read: its text unescaped, whether it ended in an unescaped *
** and whether it holds other unescaped wildcards. */
typedef struct term {
  char *text;
  int star, inner_wild;
} term;

/* Is c a character that ends a term (unescaped)? */
static int term_end(const qs *p, char c, int goop) {
  if (ws(c)) return 1;
  if (p->simple) return c == '"' || c == '|' || c == '+' || c == '(' || c == ')';
  if (goop) return c == ')';
  return strchr("()[]{}\"^~:/", c) != NULL;
}

/* Read a term at the cursor (goop: up to white space or ")", for dates
** and comparisons).  0, or -1 (400, or out of memory). */
static int read_term(qs *p, int goop, term *t) {
  char *out = mem_alloc(p->n - p->i + 1);
  size_t k = 0;
  memset(t, 0, sizeof *t);
  if (!out) { fail_oom(p); return -1; }
  while (!at_end(p) && !term_end(p, cur(p), goop)) {
    char c = p->s[p->i++];
    if (c == '\\') {
      if (at_end(p)) { mem_free(out); qfail(p, "parsing_exception", "the query ends in a lone backslash"); return -1; }
      out[k++] = p->s[p->i++];
      if (t->star && !p->simple) t->inner_wild = 1;
      t->star = 0;
      continue;
    }
    /* Lucene: ? anywhere, or anything after a *, is a wildcard newsdex
    ** cannot run; the simple syntax has only the final * */
    if (!p->simple && (c == '?' || t->star)) t->inner_wild = 1;
    t->star = c == '*';
    out[k++] = c;
  }
  out[k] = 0;
  t->text = out;
  return 0;
}

/* Read a quoted phrase at the cursor (on the opening quote). */
static char *read_phrase(qs *p) {
  size_t start = ++p->i, k = 0;
  char *out = mem_alloc(p->n - start + 1);
  if (!out) { fail_oom(p); return NULL; }
  while (!at_end(p) && cur(p) != '"') {
    if (cur(p) == '\\' && p->i + 1 < p->n) p->i++;
    out[k++] = p->s[p->i++];
  }
  if (at_end(p)) {
    mem_free(out);
    qfail(p, "parsing_exception", "the phrase starting at %zu is not closed", start - 1);
    return NULL;
  }
  p->i++;
  out[k] = 0;
  return out;
}

static int count_tok(void *ctx, const an_token *t) {
  if (!t->joined) ++*(size_t *)ctx;
  return 0;
}

/* Does the analyser find a word in s?  1, 0, -1 out of memory. */
static int has_word(qs *p, const char *s) {
  size_t k = 0;
  if (!p->an && !(p->an = an_new("none"))) { fail_oom(p); return -1; }
  if (an_analyze(p->an, s, strlen(s), 0, count_tok, &k, NULL) < 0) { fail_oom(p); return -1; }
  return k > 0;
}

/* ---- leaves as query DSL ----------------------------------------------------- */

static int is_date_field(const char *f) { return f && (!strcmp(f, "date") || !strcmp(f, "@timestamp")); }

/* Does field f (NULL: the defaults) hold analysed text (where a term the
** analyser finds nothing in drops out)? */
static int text_field(const char *f) {
  static const char *const t[] = {"title", "body", "content", "text", "*", "_all", NULL};
  if (!f) return 1;
  for (size_t i = 0; t[i]; i++)
    if (!strcmp(t[i], f)) return 1;
  return 0;
}

/* The default fields without boosts, "*" and "_all" as title and body. */
static json_t *plain_fields(qs *p) {
  json_t *a = json_array();
  for (size_t i = 0; a && i < json_array_size(p->fields); i++) {
    const char *f = json_string_value(json_array_get(p->fields, i));
    size_t n = strcspn(f, "^");
    if ((n == 1 && *f == '*') || (n == 4 && !strncmp(f, "_all", 4))) {
      json_array_append_new(a, json_string("title"));
      json_array_append_new(a, json_string("body"));
    } else {
      json_array_append_new(a, json_stringn(f, n));
    }
  }
  return a ? a : fail_oom(p);
}

/* An OR (bool should) over the default fields of the query made by mk. */
static json_t *over_fields(qs *p, json_t *(*mk)(const char *field, const char *arg), const char *arg) {
  json_t *fl = plain_fields(p), *should = json_array();
  if (!fl || !should) { json_decref(fl); json_decref(should); return fail_oom(p); }
  for (size_t i = 0; i < json_array_size(fl); i++)
    json_array_append_new(should, mk(json_string_value(json_array_get(fl, i)), arg));
  json_decref(fl);
  json_t *b = json_pack("{s:{s:o}}", "bool", "should", should);
  return b ? b : fail_oom(p);
}

static json_t *mk_prefix(const char *field, const char *v) { return json_pack("{s:{s:s}}", "prefix", field, v); }
static json_t *mk_exists(const char *field, const char *unused) { (void)unused; return json_pack("{s:{s:s}}", "exists", "field", field); }

/* Do the default fields include every field ("*" or "_all")? */
static int defaults_all(qs *p) {
  for (size_t i = 0; i < json_array_size(p->fields); i++) {
    const char *f = json_string_value(json_array_get(p->fields, i));
    size_t n = strcspn(f, "^");
    if ((n == 1 && *f == '*') || (n == 4 && !strncmp(f, "_all", 4))) return 1;
  }
  return 0;
}

/* "*" on field (NULL: the defaults): every article, or those with it. */
static json_t *star(qs *p, const char *field) {
  json_t *j;
  if ((field && (!strcmp(field, "*") || !strcmp(field, "_all"))) || (!field && defaults_all(p)))
    j = json_pack("{s:{}}", "match_all");
  else if (field)
    j = mk_exists(field, NULL);
  else
    return over_fields(p, mk_exists, NULL);
  return j ? j : fail_oom(p);
}

/* A term (phrase = 0) or phrase on field (NULL: the defaults). */
static json_t *text_leaf(qs *p, const char *field, const char *text) {
  if (text_field(field)) {
    int hw = has_word(p, text);
    if (hw <= 0) return hw < 0 ? NULL : DROP;
  }
  json_t *j;
  if (field && strcmp(field, "*") && strcmp(field, "_all"))
    j = json_pack("{s:{s:s}}", "match_phrase", field, text);
  else if (field)
    j = json_pack("{s:{s:s, s:[s], s:s}}", "multi_match", "query", text, "fields", "*", "type", "phrase");
  else
    j = json_pack("{s:{s:s, s:O, s:s}}", "multi_match", "query", text, "fields", p->fields, "type", "phrase");
  return j ? j : fail_oom(p);
}

/* A term read by read_term, on field (NULL: defaults), as a query. */
static json_t *term_leaf(qs *p, const char *field, term *t) {
  json_t *j;
  if (t->inner_wild) {
    qfail(p, "illegal_argument_exception", "wildcard [%s] is not supported by newsdex (only a trailing * for a prefix)", t->text);
    j = NULL;
  } else if (t->star && !strcmp(t->text, "*")) {
    j = star(p, field);
  } else if (t->star) {
    t->text[strlen(t->text) - 1] = 0;
    if (!field) j = over_fields(p, mk_prefix, t->text);
    else if (!strcmp(field, "*") || !strcmp(field, "_all")) j = json_pack("{s:{s:[{s:{s:s}},{s:{s:s}}]}}", "bool", "should", "prefix", "title", t->text, "prefix", "body", t->text);
    else j = mk_prefix(field, t->text);
    if (!j && !p->e->reason[0]) fail_oom(p);
  } else {
    j = text_leaf(p, field, t->text);
  }
  mem_free(t->text);
  t->text = NULL;
  return j;
}

/* A range on field from lo to hi (NULL or "*": open). */
static json_t *range_leaf(qs *p, const char *field, const char *lo, int lo_incl, const char *hi, int hi_incl) {
  if (!field) {
    if (json_array_size(p->fields) != 1) return qfail(p, "illegal_argument_exception", "a range needs a field (date:[A TO B])");
    field = json_string_value(json_array_get(p->fields, 0));
  }
  json_t *b = json_object(), *r = json_pack("{s:{s:o}}", "range", field, b);
  if (!r) { json_decref(b); return fail_oom(p); }
  if (lo && strcmp(lo, "*")) json_object_set_new(b, lo_incl ? "gte" : "gt", json_string(lo));
  if (hi && strcmp(hi, "*")) json_object_set_new(b, hi_incl ? "lte" : "lt", json_string(hi));
  if (p->tz) json_object_set(b, "time_zone", (json_t *)p->tz);
  return r;
}

/* ---- query_string: Lucene's classic syntax -------------------------------- */

enum { CONJ_NONE, CONJ_AND, CONJ_OR };
enum { MOD_NONE, MOD_REQ, MOD_NOT };
enum { OCC_MUST, OCC_SHOULD, OCC_NOT };

/* The clauses of one group. */
typedef struct group {
  json_t **q;
  int *occ;
  size_t n, cap;
} group;

static void group_free(group *g) {
  for (size_t i = 0; i < g->n; i++) json_decref(g->q[i]);
  mem_free(g->q);
  mem_free(g->occ);
}

/* Lucene's QueryParserBase.addClause: q joins g, introduced by conj and
** mods (a DROP changes only the previous clause's occurrence). */
static int add_clause(qs *p, group *g, int conj, int mods, json_t *q) {
  if (g->n && conj == CONJ_AND && g->occ[g->n - 1] != OCC_NOT) g->occ[g->n - 1] = OCC_MUST;
  if (g->n && p->and_op && conj == CONJ_OR && g->occ[g->n - 1] != OCC_NOT) g->occ[g->n - 1] = OCC_SHOULD;
  if (q == DROP) return 0;
  int req, proh = mods == MOD_NOT;
  if (!p->and_op) req = mods == MOD_REQ || (conj == CONJ_AND && !proh);
  else req = !proh && conj != CONJ_OR;
  size_t cap = g->cap;
  if (mem_grow(&g->q, &g->cap, g->n, sizeof *g->q) || (cap = g->n, mem_grow(&g->occ, &cap, g->n, sizeof *g->occ))) {
    json_decref(q);
    fail_oom(p);
    return -1;
  }
  g->q[g->n] = q;
  g->occ[g->n++] = proh ? OCC_NOT : req ? OCC_MUST : OCC_SHOULD;
  return 0;
}

/* The group as one query: a single required or optional clause as is,
** else a bool; optional clauses beside required ones dropped with a note
** (unless msm applies: the top level with minimum_should_match). */
static json_t *group_query(qs *p, group *g, const json_t *msm) {
  size_t must = 0, should = 0;
  for (size_t i = 0; i < g->n; i++) {
    must += g->occ[i] == OCC_MUST;
    should += g->occ[i] == OCC_SHOULD;
  }
  if (g->n == 0) return DROP;
  if (g->n == 1 && g->occ[0] != OCC_NOT) { json_t *q = g->q[0]; g->n = 0; return q; }
  int drop_should = must && should && !msm;
  if (drop_should && note(p, p->simple ? "[simple_query_string] optional clauses beside required ones only score in Lucene; newsdex drops them from matching"
                                       : "[query_string] optional clauses beside required ones (+, AND) only score in Lucene; newsdex drops them from matching"))
    return NULL;
  json_t *b = json_object(), *arr[3] = {json_array(), json_array(), json_array()};
  static const char *const key[3] = {"must", "should", "must_not"};
  if (!b || !arr[0] || !arr[1] || !arr[2]) { json_decref(b); for (int k = 0; k < 3; k++) json_decref(arr[k]); return fail_oom(p); }
  for (size_t i = 0; i < g->n; i++) {
    int k = g->occ[i] == OCC_MUST ? 0 : g->occ[i] == OCC_SHOULD ? 1 : 2;
    if (k == 1 && drop_should) continue;
    json_array_append(arr[k], g->q[i]);
  }
  for (int k = 0; k < 3; k++)
    if (json_array_size(arr[k])) json_object_set(b, key[k], arr[k]);
  for (int k = 0; k < 3; k++) json_decref(arr[k]);
  if (msm && json_object_get(b, "should")) json_object_set(b, "minimum_should_match", (json_t *)msm);
  json_t *r = json_pack("{s:o}", "bool", b);
  return r ? r : fail_oom(p);
}

/* A ^N after a clause: ignored, with a note. 0 or -1. */
static int boost_suffix(qs *p) {
  if (cur(p) != '^') return 0;
  p->i++;
  char *end;
  strtod(p->s + p->i, &end);
  if (end == p->s + p->i) { qfail(p, "parsing_exception", "expected a number after ^ at %zu", p->i); return -1; }
  p->i = (size_t)(end - p->s);
  return note(p, "[query_string] boosts (^N) are ignored: newsdex ranks with its own BM25F weights");
}

/* A ~ after a term or phrase: refused. */
static int no_tilde(qs *p, const char *what) {
  if (cur(p) != '~') return 0;
  qfail(p, "illegal_argument_exception", "~ (%s) at %zu is not supported by newsdex", what, p->i);
  return -1;
}

static json_t *lucene_group(qs *p, const char *field, const json_t *msm);

/* [A TO B] / {A TO B} at the cursor, on field. */
static json_t *lucene_range(qs *p, const char *field) {
  int lo_incl = cur(p) == '[';
  char *b[2] = {NULL, NULL};
  p->i++;
  for (int k = 0; k < 2; k++) {
    skip_ws(p);
    if (cur(p) == '"') b[k] = read_phrase(p);
    else {
      size_t s = p->i;
      while (!at_end(p) && !ws(cur(p)) && cur(p) != ']' && cur(p) != '}') p->i++;
      b[k] = mem_strndup(p->s + s, p->i - s);
      if (!b[k]) fail_oom(p);
    }
    if (!b[k]) { mem_free(b[0]); return NULL; }
    skip_ws(p);
    if (k == 0 && !(p->n - p->i > 2 && !memcmp(p->s + p->i, "TO", 2) && ws(p->s[p->i + 2]))) {
      mem_free(b[0]);
      return qfail(p, "parsing_exception", "expected TO in the range at %zu", p->i);
    }
    if (k == 0) p->i += 2;
  }
  if (cur(p) != ']' && cur(p) != '}') {
    mem_free(b[0]); mem_free(b[1]);
    return qfail(p, "parsing_exception", "expected ] or } to end the range at %zu", p->i);
  }
  int hi_incl = cur(p) == ']';
  p->i++;
  json_t *r = range_leaf(p, field, b[0], lo_incl, b[1], hi_incl);
  mem_free(b[0]);
  mem_free(b[1]);
  return r;
}

/* >=X, >X, <=X, <X at the cursor, on field. */
static json_t *lucene_compare(qs *p, const char *field) {
  int gt = cur(p) == '>', eq = p->i + 1 < p->n && p->s[p->i + 1] == '=';
  term t;
  p->i += 1 + (size_t)eq;
  if (read_term(p, 1, &t)) return NULL;
  if (!*t.text) { mem_free(t.text); return qfail(p, "parsing_exception", "expected a value after %s at %zu", gt ? ">" : "<", p->i); }
  json_t *r = gt ? range_leaf(p, field, t.text, eq, NULL, 0) : range_leaf(p, field, NULL, 0, t.text, eq);
  mem_free(t.text);
  return r;
}

/* What follows "field:" (or a clause without a field: field NULL). */
static json_t *lucene_operand(qs *p, const char *field) {
  char c = cur(p);
  json_t *q;
  if (c == '(') {
    if (++p->depth > ES_MAX_DEPTH) return qfail(p, "parsing_exception", "parentheses nest deeper than %d", ES_MAX_DEPTH);
    p->i++;
    q = lucene_group(p, field, NULL);
    p->depth--;
    if (!q) return NULL;
    if (cur(p) != ')') { json_decref(q); return qfail(p, "parsing_exception", "unbalanced ( : missing ) at %zu", p->i); }
    p->i++;
  } else if (c == '"') {
    char *ph = read_phrase(p);
    if (!ph) return NULL;
    if (no_tilde(p, "proximity")) { mem_free(ph); return NULL; }
    q = text_leaf(p, field, ph);
    mem_free(ph);
  } else if (c == '[' || c == '{') {
    q = lucene_range(p, field);
  } else if ((c == '>' || c == '<') && field) {
    q = lucene_compare(p, field);
  } else if (c == '/') {
    return qfail(p, "illegal_argument_exception", "regular expressions (/.../) are not supported by newsdex");
  } else {
    term t;
    if (read_term(p, is_date_field(field), &t)) return NULL;
    if (!*t.text) { mem_free(t.text); return qfail(p, "parsing_exception", "unexpected '%c' at %zu", c ? c : ' ', p->i); }
    if (no_tilde(p, "fuzzy")) { mem_free(t.text); return NULL; }
    q = term_leaf(p, field, &t);
  }
  if (q && boost_suffix(p)) { json_decref(q); return NULL; }
  return q;
}

/* One clause: [field:] operand, _exists_:field, *:*. */
static json_t *lucene_clause(qs *p, const char *field) {
  size_t s = p->i;
  if (cur(p) != '(' && cur(p) != '"' && cur(p) != '[' && cur(p) != '{') {
    term t;
    if (read_term(p, 0, &t)) return NULL;
    if (cur(p) == ':' && *t.text && !t.inner_wild && (!t.star || !strcmp(t.text, "*"))) {
      p->i++;
      skip_ws(p);
      json_t *q;
      if (!strcmp(t.text, "_exists_")) {
        term f;
        if (read_term(p, 0, &f)) { mem_free(t.text); return NULL; }
        q = *f.text ? mk_exists(f.text, NULL) : qfail(p, "parsing_exception", "_exists_ needs a field name");
        if (!q && *f.text) fail_oom(p);
        mem_free(f.text);
      } else {
        q = lucene_operand(p, t.text);
      }
      mem_free(t.text);
      return q;
    }
    mem_free(t.text);
    p->i = s;
  }
  return lucene_operand(p, field);
}

/* A group's clauses up to ")" or the end (Lucene's Query production). */
static json_t *lucene_group(qs *p, const char *field, const json_t *msm) {
  group g = {0};
  for (;;) {
    skip_ws(p);
    if (at_end(p) || cur(p) == ')') break;
    int conj = CONJ_NONE, mods = MOD_NONE;
    if (at_word(p, "AND") || at_word(p, "OR") || !strncmp(p->s + p->i, "&&", 2) || !strncmp(p->s + p->i, "||", 2)) {
      conj = cur(p) == 'A' || cur(p) == '&' ? CONJ_AND : CONJ_OR;
      if (!g.n && conj) { /* Lucene refuses a leading conjunction */
        group_free(&g);
        return qfail(p, "parsing_exception", "%s at %zu has nothing before it", conj == CONJ_AND ? "AND" : "OR", p->i);
      }
      p->i += cur(p) == 'O' || cur(p) == '&' || cur(p) == '|' ? 2 : 3;
      skip_ws(p);
    }
    if (cur(p) == '+' || cur(p) == '-' || cur(p) == '!') {
      mods = cur(p) == '+' ? MOD_REQ : MOD_NOT;
      p->i++;
      skip_ws(p);
    } else if (at_word(p, "NOT")) {
      mods = MOD_NOT;
      p->i += 3;
      skip_ws(p);
    }
    if (at_end(p) || cur(p) == ')') {
      group_free(&g);
      return qfail(p, "parsing_exception", "missing clause at %zu", p->i);
    }
    json_t *q = lucene_clause(p, field);
    if (!q || add_clause(p, &g, conj, mods, q)) { group_free(&g); return NULL; }
  }
  json_t *r = group_query(p, &g, msm);
  group_free(&g);
  return r;
}

/* ---- simple_query_string: ES's simple syntax -------------------------------- */

/* The state of one simple group: its query so far and the operators. */
typedef struct sstate {
  json_t *top;
  int top_op;  /* the bool occurrence top was built with (-1: not ours) */
  int cur_op;  /* -1: none given (default operator) */
  int nots;
} sstate;

/* Lucene's SimpleQueryParser.buildQueryTree: branch joins the state. */
static int simple_add(qs *p, sstate *st, json_t *branch) {
  int nots = st->nots, op = st->cur_op;
  st->nots = 0;
  st->cur_op = -1;
  if (branch == DROP) return 0;
  if (nots % 2) {
    json_t *n = json_pack("{s:{s:[o]}}", "bool", "must_not", branch);
    if (!n) { fail_oom(p); return -1; }
    branch = n;
  }
  if (!st->top) { st->top = branch; return 0; }
  if (op < 0) op = p->and_op ? OCC_MUST : OCC_SHOULD;
  const char *key = op == OCC_MUST ? "must" : "should";
  if (op == st->top_op) {
    json_array_append_new(json_object_get(json_object_get(st->top, "bool"), key), branch);
    return 0;
  }
  json_t *b = json_pack("{s:{s:[o,o]}}", "bool", key, st->top, branch);
  if (!b) { st->top = NULL; fail_oom(p); return -1; }
  st->top = b;
  st->top_op = op;
  return 0;
}

static json_t *simple_group(qs *p);

/* One simple operand at the cursor: ( group ), "phrase", term. */
static json_t *simple_operand(qs *p) {
  if (cur(p) == '(') {
    if (++p->depth > ES_MAX_DEPTH) return qfail(p, "parsing_exception", "parentheses nest deeper than %d", ES_MAX_DEPTH);
    p->i++;
    json_t *q = simple_group(p);
    p->depth--;
    if (q && cur(p) == ')') p->i++;
    return q;
  }
  if (cur(p) == '"') {
    char *ph = read_phrase(p);
    if (!ph) return NULL;
    if (cur(p) == '~') { mem_free(ph); return qfail(p, "illegal_argument_exception", "~N (phrase slop) is not supported by newsdex"); }
    json_t *q = text_leaf(p, NULL, ph);
    mem_free(ph);
    return q;
  }
  term t;
  if (read_term(p, 0, &t)) return NULL;
  size_t n = strlen(t.text), k = n;
  while (k > 0 && t.text[k - 1] >= '0' && t.text[k - 1] <= '9') k--;
  if (k > 0 && t.text[k - 1] == '~') {
    qfail(p, "illegal_argument_exception", "[%s]: ~N (fuzziness) is not supported by newsdex", t.text);
    mem_free(t.text);
    return NULL;
  }
  return term_leaf(p, NULL, &t);
}

/* A simple group up to ")" or the end. */
static json_t *simple_group(qs *p) {
  sstate st = {NULL, -1, -1, 0};
  for (;;) {
    skip_ws(p);
    if (at_end(p)) break;
    if (cur(p) == ')') {
      if (p->depth) break;
      p->i++; /* a ")" without its "(" is skipped, as Lucene does */
      continue;
    }
    char c = cur(p);
    if (c == '+' || c == '|') { st.cur_op = c == '+' ? OCC_MUST : OCC_SHOULD; p->i++; continue; }
    if (c == '-') { st.nots++; p->i++; continue; }
    json_t *q = simple_operand(p);
    if (!q || simple_add(p, &st, q)) { json_decref(st.top); return NULL; }
  }
  return st.top ? st.top : DROP;
}

/* ---- options and the entry point ------------------------------------------- */

static const char *const qs_keys[] = {"query", "default_field", "fields", "default_operator", "minimum_should_match",
    "time_zone", "analyzer", "quote_analyzer", "lenient", "analyze_wildcard", "allow_leading_wildcard",
    "auto_generate_synonyms_phrase_query", "boost", "_name", "enable_position_increments", "fuzziness",
    "fuzzy_max_expansions", "fuzzy_prefix_length", "fuzzy_transpositions", "fuzzy_rewrite",
    "max_determinized_states", "phrase_slop", "quote_field_suffix", "rewrite", "type", "tie_breaker",
    "escape", "flags", NULL};

/* Is key one of the query_string-only options (not simple)? */
static int qs_only(const char *k) {
  static const char *const only[] = {"default_field", "time_zone", "quote_analyzer", "allow_leading_wildcard",
      "enable_position_increments", "fuzziness", "max_determinized_states", "phrase_slop", "rewrite", "type",
      "tie_breaker", "escape", "fuzzy_rewrite", NULL};
  for (size_t i = 0; only[i]; i++)
    if (!strcmp(only[i], k)) return 1;
  return 0;
}

/* Check the clause's options into p.  0, or -1 with e. */
static int read_options(qs *p, const json_t *c) {
  const char *k;
  json_t *v;
  json_object_foreach((json_t *)c, k, v) {
    size_t i = 0;
    while (qs_keys[i] && strcmp(qs_keys[i], k)) i++;
    if (!qs_keys[i] || (p->simple && qs_only(k)) || (!p->simple && !strcmp(k, "flags"))) {
      qfail(p, "parsing_exception", "query does not support [%s]", k);
      return -1;
    }
  }
  const json_t *df = json_object_get(c, "default_field"), *fl = json_object_get(c, "fields");
  if (df && fl) { qfail(p, "parsing_exception", "cannot use [fields] together with [default_field]"); return -1; }
  if ((df && !json_is_string(df)) || (fl && !json_is_array(fl))) {
    qfail(p, "parsing_exception", "default_field must be a string and fields an array");
    return -1;
  }
  for (size_t i = 0; fl && i < json_array_size(fl); i++)
    if (!json_is_string(json_array_get(fl, i))) { qfail(p, "parsing_exception", "fields must be strings"); return -1; }
  p->fields = fl && json_array_size(fl) ? json_incref((json_t *)fl) : json_pack("[s]", df ? json_string_value(df) : "*");
  if (!p->fields) { fail_oom(p); return -1; }
  if ((v = json_object_get(c, "default_operator"))) {
    const char *s = json_string_value(v);
    if (!s || (strcasecmp(s, "or") && strcasecmp(s, "and"))) { qfail(p, "illegal_argument_exception", "default_operator must be OR or AND"); return -1; }
    p->and_op = !strcasecmp(s, "and");
  }
  p->msm = json_object_get(c, "minimum_should_match");
  p->tz = json_object_get(c, "time_zone");
  if ((v = json_object_get(c, "analyzer"))) {
    const char *s = json_string_value(v);
    if (!s || (strcmp(s, "standard") && strcmp(s, "english") && strcmp(s, "simple") && strcmp(s, "default"))) {
      qfail(p, "illegal_argument_exception", "analyzer [%s] is not supported: newsdex analyses text with its own analyser", s ? s : "?");
      return -1;
    }
  }
  if ((v = json_object_get(c, "phrase_slop")) && !(json_is_integer(v) && json_integer_value(v) == 0)) {
    qfail(p, "illegal_argument_exception", "phrase_slop > 0 is not supported until newsdex has NEAR");
    return -1;
  }
  if (json_object_get(c, "quote_field_suffix")) { qfail(p, "illegal_argument_exception", "quote_field_suffix is not supported by newsdex"); return -1; }
  if ((v = json_object_get(c, "type"))) {
    const char *s = json_string_value(v);
    if (!s || (strcmp(s, "best_fields") && strcmp(s, "most_fields") && strcmp(s, "cross_fields"))) {
      qfail(p, "illegal_argument_exception", "type [%s] is not supported by newsdex (best_fields, most_fields, cross_fields)", s ? s : "?");
      return -1;
    }
  }
  if ((v = json_object_get(c, "flags")) && !(json_is_string(v) && !strcmp(json_string_value(v), "ALL"))) {
    qfail(p, "illegal_argument_exception", "flags other than ALL are not supported by newsdex");
    return -1;
  }
  return 0;
}

char *es_query_string(const json_t *clause, int simple, int64_t now_ms, char **warnings, es_err *e) {
  qs p = {0};
  p.simple = simple;
  p.name = simple ? "simple_query_string" : "query_string";
  p.warnings = warnings;
  p.e = e;
  e->reason[0] = 0;
  if (!json_is_object(clause)) { qfail(&p, "parsing_exception", "expected an object"); return NULL; }
  const char *text = json_string_value(json_object_get(clause, "query"));
  if (!text) { qfail(&p, "parsing_exception", "requires a query string"); return NULL; }
  if (read_options(&p, clause)) { json_decref(p.fields); return NULL; }
  p.s = text;
  p.n = strlen(text);
  json_t *q = simple ? simple_group(&p) : lucene_group(&p, NULL, p.msm);
  if (q && !at_end(&p)) { /* a ")" without its "(" */
    if (!simple) { json_decref(q); q = qfail(&p, "parsing_exception", "unbalanced ) at %zu", p.i); }
  }
  if (q && simple && p.msm && json_object_get(json_object_get(q, "bool"), "should"))
    json_object_set(json_object_get(q, "bool"), "minimum_should_match", (json_t *)p.msm);
  if (q == DROP) q = json_pack("{s:{}}", "match_none");
  char *r = q ? es_query(q, now_ms, warnings, e) : NULL;
  json_decref(q);
  json_decref(p.fields);
  an_free(p.an);
  return r;
}
