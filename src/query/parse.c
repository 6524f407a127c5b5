/*
** parse.c -- the query language (see parse.h and docs/query-language.md).
**
** Owns: turning a query string into a qnode tree, every syntax and sanity
** check on the way (each reported with a byte offset), the tree's canonical
** dump and freeing it.
**
** Two layers: a lexer that cuts the query into tokens (parentheses, quoted
** phrases, operators, field prefixes, date ranges and words), and a
** recursive-descent parser with one function per grammar level.  Recursion
** only happens at "(", which is limited to QP_MAX_DEPTH levels, so the C
** stack and the tree depth are bounded; every token is looked at once and
** flattening moves each node at most once per level, so the work is linear
** in the query length (itself capped at QP_MAX_QUERY bytes).
**
** Colons.  "name:" starts a field only for the names of fields and date,
** and only when something other than white space or ")" follows the colon
** at once.  Otherwise a colon is punctuation: "Update: NATO" is the words
** update and nato, "title: iraq" is the words titl(e) and iraq.  A run of
** ASCII letters followed by a colon and a letter, digit, "(" or '"'
** ("foo:bar", "Title:iraq") is taken as a mistyped field and is an error;
** other colons ("10:30", "http://x") go to the analyzer, which splits there.
** "foo:*" is a mistyped field too.  "id:" is the one field whose operand
** is not a word: the id that follows, up to white space or a parenthesis
** (or a quoted one, up to the closing quote), taken verbatim; nothing after
** it is an error rather than punctuation.
**
** Stars.  A word that is only "*" -- at the start, after white space, "(",
** a "-" or a field's colon, and before white space, ")" or the end -- is
** match-all (under a field: exists); any other "*" is what it was before.
**
** Negation.  A NOT (or "-") must end up as a kid of an AND that has a
** positive kid.  An AND whose kids are all NOTs (or a lone NOT) is
** "negative"; it may be merged into an enclosing AND, but is an error at
** the top, as an alternative of an OR, or under another NOT.
*/
#include "parse.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../link/gazetteer.h"
#include "../link/link.h"
#include "../util/date.h"
#include "../util/mem.h"
#include "../index/srcterm.h"

/* ---- tokens ------------------------------------------------------------- */

typedef enum tkind {
  T_END, T_LPAREN, T_RPAREN, T_OR, T_AND, T_NOT, T_WORD, T_PHRASE, T_FIELD, T_DATE, T_ALL, T_ID
} tkind;

typedef struct tok {
  tkind kind;
  size_t off, end; /* the whole token in the query */
  size_t s, e;     /* WORD: the word without '*'; PHRASE: inside the quotes; DATE: the range; ID: the id */
  int prefix;      /* WORD ended in '*' */
  int field;       /* FIELD: QF_* */
  int dash;        /* NOT written as '-' */
  int quoted;      /* ID: written in quotes */
} tok;

typedef struct parser {
  analyzer *an;
  const char *q;
  size_t n;
  size_t i;        /* lexer position */
  int literal;     /* the next word is never an operator (after '-' or a field) */
  tok t;           /* current token */
  size_t prev_end; /* end of the last consumed token */
  int depth;       /* open parentheses */
  size_t nodes;    /* nodes allocated so far */
  int field;       /* field in force inside title:(...) */
  char *err;
  size_t errcap;
  size_t *erroff;
} parser;

static const char *const field_names[] = {"", "title", "body", "source", "topic", "person", "org", "place", "date"};
#define FIELD_LIST "title, body, source, topic, person, org, place, date, id"

/* Records the error (message and offset) and returns -1. */
static int perr(parser *p, size_t off, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int perr(parser *p, size_t off, const char *fmt, ...) {
  if (p->err && p->errcap) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, p->errcap, fmt, ap);
    va_end(ap);
  }
  *p->erroff = off;
  return -1;
}

/* Copies q[s..e) into out as a one-line excerpt of at most ~40 bytes,
** cut on a UTF-8 boundary, with "..." when shortened. */
static const char *excerpt(const parser *p, size_t s, size_t e, char *out, size_t cap) {
  size_t n = e - s, max = cap - 4;
  int cut = 0;
  if (n > max) {
    n = max;
    while (n > 0 && ((unsigned char)p->q[s + n] & 0xC0) == 0x80) n--;
    cut = 1;
  }
  for (size_t k = 0; k < n; k++) {
    char c = p->q[s + k];
    out[k] = (unsigned char)c < 0x20 ? ' ' : c;
  }
  memcpy(out + n, cut ? "..." : "", cut ? 4 : 1);
  return out;
}

static int is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
static int is_delim(char c) { return is_space(c) || c == '(' || c == ')' || c == '"'; }
static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_alnum(char c) { return is_alpha(c) || (c >= '0' && c <= '9'); }

/* A known field name followed by ':' and then something that can be its
** operand (not white space, not ')', not the end).  Returns its QF_* value,
** FIELD_DATE for date, or -1; *namelen gets the name's length. */
#define FIELD_DATE 100
#define TOPIC_MAX 120 /* bytes of a normalised topic name, at most (index terms hold 255) */
static int known_field(const parser *p, size_t i, size_t *namelen) {
  static const struct { const char *name; int field; } names[] = {
    {"title", QF_TITLE}, {"body", QF_BODY}, {"source", QF_SOURCE}, {"topic", QF_TOPIC}, {"person", QF_PERSON},
    {"org", QF_ORG}, {"organisation", QF_ORG}, {"organization", QF_ORG}, {"place", QF_PLACE}, {"date", FIELD_DATE},
  };
  for (size_t f = 0; f < sizeof names / sizeof *names; f++) {
    size_t k = strlen(names[f].name);
    if (p->n - i < k + 2 || memcmp(p->q + i, names[f].name, k) || p->q[i + k] != ':') continue;
    char next = p->q[i + k + 1];
    if (is_space(next) || next == ')') return -1;
    *namelen = k;
    return names[f].field;
  }
  return -1;
}

/* Length of "foo" when q[i..] looks like a field "foo:bar" that we do not
** know: ASCII letters, a colon, then a letter, digit, non-ASCII byte, '('
** or '"', or a "*" that ends the word ("foo:*").  Else 0 (the colon is
** then punctuation). */
static size_t unknown_field(const parser *p, size_t i) {
  size_t k = i;
  while (k < p->n && is_alpha(p->q[k])) k++;
  if (k == i || k + 1 >= p->n || p->q[k] != ':') return 0;
  char next = p->q[k + 1];
  if (is_alnum(next) || (unsigned char)next >= 0x80 || next == '(' || next == '"') return k - i;
  if (next == '*' && (k + 2 == p->n || is_space(p->q[k + 2]) || p->q[k + 2] == ')')) return k - i;
  return 0;
}

/* "id:" at q[i]: its id into t (T_ID).  Fails when no id follows at once
** (the end, white space, ")"), on "id:(", an unclosed or empty quote. */
static int lex_id(parser *p, size_t i, tok *t) {
  const char *q = p->q;
  size_t v = i + 3, e;
  if (v == p->n || is_space(q[v]) || q[v] == ')') return perr(p, i, "expected an id after id: at %zu", i);
  if (q[v] == '(')
    return perr(p, v, "id: takes one id at %zu, not a group: write (id:a OR id:b)", v);
  if (q[v] == '"') {
    const char *close = memchr(q + v + 1, '"', p->n - v - 1);
    if (!close) return perr(p, v, "unbalanced '\"' at %zu: the id is not closed", v);
    e = (size_t)(close - q);
    if (e == v + 1) return perr(p, i, "empty id at %zu", i);
    t->s = v + 1;
    t->e = e;
    t->end = e + 1;
    t->quoted = 1;
  } else {
    for (e = v; e < p->n && !is_delim(q[e]);) e++;
    t->s = v;
    t->e = t->end = e;
  }
  t->kind = T_ID;
  return 0;
}

static int word_is(const parser *p, size_t s, size_t e, const char *w) {
  return e - s == strlen(w) && !memcmp(p->q + s, w, e - s);
}

/* Reads the next token into p->t.  Fails on an unbalanced quote, an
** unknown field or a "date:" without a range. */
static int lex(parser *p) {
  int literal = p->literal;
  const char *q = p->q;
  size_t i = p->i;
  p->literal = 0;
  while (i < p->n && is_space(q[i])) i++;
  memset(&p->t, 0, sizeof p->t);
  tok *t = &p->t;
  t->off = i;
  if (i == p->n) { t->kind = T_END; t->end = i; p->i = i; return 0; }
  char c = q[i];
  if (c == '(' || c == ')') {
    t->kind = c == '(' ? T_LPAREN : T_RPAREN;
    t->end = i + 1;
  } else if (c == '"') {
    const char *close = memchr(q + i + 1, '"', p->n - i - 1);
    if (!close) return perr(p, i, "unbalanced '\"' at %zu: the phrase is not closed", i);
    t->kind = T_PHRASE;
    t->s = i + 1;
    t->e = (size_t)(close - q);
    t->end = t->e + 1;
  } else if (c == '-' && (i == 0 || is_space(q[i - 1]) || q[i - 1] == '(') && i + 1 < p->n &&
             !is_space(q[i + 1]) && q[i + 1] != ')') {
    t->kind = T_NOT;
    t->dash = 1;
    t->end = i + 1;
    p->literal = 1;
  } else if (p->n - i >= 3 && !memcmp(q + i, "id:", 3)) {
    if (lex_id(p, i, t)) return -1;
  } else {
    size_t uk, namelen = 0;
    int f = known_field(p, i, &namelen);
    if (f == FIELD_DATE) { /* date: takes the rest of the word as its range */
      size_t e = i + 5;
      while (e < p->n && !is_delim(q[e])) e++;
      if (e == i + 5) return perr(p, i, "expected a date or range after date: at %zu", i);
      t->kind = T_DATE;
      t->s = i + 5;
      t->e = t->end = e;
    } else if (f > 0) {
      t->kind = T_FIELD;
      t->field = f;
      t->end = i + namelen + 1;
      p->literal = 1;
    } else if ((uk = unknown_field(p, i)) > 0) {
      return perr(p, i, "unknown field '%.*s' at %zu (fields: " FIELD_LIST ")", (int)uk, q + i, i);
    } else {
      size_t e = i;
      while (e < p->n && !is_delim(q[e])) e++;
      t->end = e;
      t->s = i;
      t->e = e;
      /* a lone "*": after a NOT's "-" or a field's colon too */
      int star_before = i == 0 || is_space(q[i - 1]) || q[i - 1] == '(' ||
                        (literal && (q[i - 1] == ':' || q[i - 1] == '-'));
      if (!literal && word_is(p, i, e, "OR")) t->kind = T_OR;
      else if (!literal && word_is(p, i, e, "AND")) t->kind = T_AND;
      else if (!literal && word_is(p, i, e, "NOT")) t->kind = T_NOT;
      else if (word_is(p, i, e, "*") && star_before && (e == p->n || is_space(q[e]) || q[e] == ')')) t->kind = T_ALL;
      else {
        t->kind = T_WORD;
        if (q[e - 1] == '*') { t->prefix = 1; t->e = e - 1; }
      }
    }
  }
  p->i = t->end;
  return 0;
}

/* Consumes the current token.  Fails like lex. */
static int next(parser *p) {
  p->prev_end = p->t.end;
  return lex(p);
}

/* ---- nodes -------------------------------------------------------------- */

void qnode_free(qnode *n) {
  if (!n) return;
  for (size_t k = 0; k < n->nterms; k++) mem_free(n->terms[k]);
  mem_free(n->terms);
  mem_free(n->pos);
  for (size_t k = 0; k < n->nkids; k++) qnode_free(n->kids[k]);
  mem_free(n->kids);
  mem_free(n);
}

/* A new zeroed node.  Fails (-1) past QP_MAX_NODES, -2 without memory. */
static int new_node(parser *p, qkind kind, size_t off, qnode **out) {
  *out = NULL;
  if (++p->nodes > QP_MAX_NODES)
    return perr(p, off, "query too complex at %zu: more than %d parts", off, QP_MAX_NODES);
  qnode *n = mem_calloc(1, sizeof *n);
  if (!n) return -2;
  n->kind = kind;
  n->offset = off;
  n->field = p->field;
  *out = n;
  return 0;
}

/* A list of kids being collected. */
typedef struct kidvec {
  qnode **v;
  size_t n, cap;
} kidvec;

static void kv_free(kidvec *kv) {
  for (size_t k = 0; k < kv->n; k++) qnode_free(kv->v[k]);
  mem_free(kv->v);
  kv->v = NULL;
  kv->n = kv->cap = 0;
}

/* Appends k; -2 (k not taken) without memory. */
static int kv_push(kidvec *kv, qnode *k) {
  if (mem_grow(&kv->v, &kv->cap, kv->n, sizeof *kv->v)) return -2;
  kv->v[kv->n++] = k;
  return 0;
}

/* Appends k, or k's kids when k has the same kind (flattening AND-in-AND
** and OR-in-OR).  Takes k in every case: on -2 it has been freed. */
static int kv_add(kidvec *kv, qnode *k, qkind kind) {
  if (k->kind != kind) {
    if (kv_push(kv, k)) { qnode_free(k); return -2; }
    return 0;
  }
  for (size_t j = 0; j < k->nkids; j++) {
    if (kv_push(kv, k->kids[j])) {
      /* kids[0..j) now belong to kv; free the rest with the shell. */
      memmove(k->kids, k->kids + j, (k->nkids - j) * sizeof *k->kids);
      k->nkids -= j;
      qnode_free(k);
      return -2;
    }
  }
  k->nkids = 0;
  qnode_free(k);
  return 0;
}

/* Turns the collected kids into nothing, the single kid, or a `kind` node.
** Fails on the node limit or memory; kv is emptied in every case. */
static int kv_finish(parser *p, kidvec *kv, qkind kind, qnode **out) {
  *out = NULL;
  if (kv->n == 0) { kv_free(kv); return 0; }
  if (kv->n == 1) { *out = kv->v[0]; mem_free(kv->v); kv->v = NULL; kv->n = 0; return 0; }
  qnode *n;
  int rc = new_node(p, kind, kv->v[0]->offset, &n);
  if (rc) { kv_free(kv); return rc; }
  n->field = QF_ANY;
  n->kids = kv->v;
  n->nkids = kv->n;
  kv->v = NULL;
  kv->n = kv->cap = 0;
  *out = n;
  return 0;
}

/* A NOT, or an AND of NOTs only: excludes without saying what to find. */
static int is_negative(const qnode *n) {
  if (n->kind == Q_NOT) return 1;
  if (n->kind != Q_AND) return 0;
  for (size_t k = 0; k < n->nkids; k++)
    if (n->kids[k]->kind != Q_NOT) return 0;
  return 1;
}

/* ---- leaves ------------------------------------------------------------- */

/* Tokens of one analysed word or phrase. */
typedef struct termlist {
  char **t;
  uint32_t *pos;
  size_t n, cap;
} termlist;

static void tl_free(termlist *tl) {
  for (size_t k = 0; k < tl->n; k++) mem_free(tl->t[k]);
  mem_free(tl->t);
  mem_free(tl->pos);
}

/* an_analyze callback: keeps every token but the joined compound ones.
** Returns 1 (stop) when memory runs out. */
static int collect(void *ctx, const an_token *at) {
  termlist *tl = ctx;
  if (at->joined) return 0;
  if (tl->n == tl->cap) {
    size_t cap = tl->cap ? tl->cap * 2 : 4;
    char **t = mem_realloc(tl->t, cap * sizeof *t);
    if (!t) return 1;
    tl->t = t;
    uint32_t *pos = mem_realloc(tl->pos, cap * sizeof *pos);
    if (!pos) return 1;
    tl->pos = pos;
    tl->cap = cap;
  }
  char *s = mem_strndup(at->term, at->len);
  if (!s) return 1;
  tl->t[tl->n] = s;
  tl->pos[tl->n] = at->pos;
  tl->n++;
  return 0;
}

/* Analyses q[s..e) into nothing (*out NULL), a TERM or a PHRASE.  Fails on
** the node limit or memory. */
static int analyse(parser *p, size_t s, size_t e, size_t off, qnode **out) {
  termlist tl = {0};
  *out = NULL;
  if (an_analyze(p->an, p->q + s, e - s, 0, collect, &tl, NULL)) { tl_free(&tl); return -2; }
  if (tl.n == 0) { tl_free(&tl); return 0; }
  qnode *n;
  int rc = new_node(p, tl.n == 1 ? Q_TERM : Q_PHRASE, off, &n);
  if (rc) { tl_free(&tl); return rc; }
  for (size_t k = 1; k < tl.n; k++) tl.pos[k] -= tl.pos[0];
  tl.pos[0] = 0;
  n->terms = tl.t;
  n->pos = tl.pos;
  n->nterms = tl.n;
  *out = n;
  return 0;
}

/* A prefix word: folded, not stemmed, one word of at least 2 characters. */
static int prefix_node(parser *p, const tok *t, qnode **out) {
  char folded[AN_MAX_TERM * 4 + 8], ex[48];
  size_t len = t->e - t->s, n = 0, chars = 0;
  *out = NULL;
  excerpt(p, t->s, t->end, ex, sizeof ex);
  if (len > 0) {
    n = an_fold(p->an, p->q + t->s, len, folded, sizeof folded);
    if (n == 0 || n > AN_MAX_TERM)
      return perr(p, t->s, "prefix \"%s\" at %zu is too long (max %d bytes)", ex, t->s, AN_MAX_TERM);
  }
  for (size_t k = 0; k < n; k++) {
    unsigned char b = (unsigned char)folded[k];
    if (b < 0x80 && !is_alnum((char)b) && b != '\'')
      return perr(p, t->s, "prefix \"%s\" at %zu must be a single word of letters and digits", ex, t->s);
    if ((b & 0xC0) != 0x80) chars++;
  }
  if (chars < 2)
    return perr(p, t->s, "prefix \"%s\" at %zu is too short: give at least 2 characters before *", ex, t->s);
  qnode *nd;
  int rc = new_node(p, Q_PREFIX, t->s, &nd);
  if (rc) return rc;
  nd->terms = mem_calloc(1, sizeof *nd->terms);
  nd->pos = mem_calloc(1, sizeof *nd->pos);
  if (!nd->terms || !nd->pos || !(nd->terms[0] = mem_strndup(folded, n))) { qnode_free(nd); return -2; }
  nd->nterms = 1;
  *out = nd;
  return 0;
}

/* A topic field's word, phrase or prefix (t): its normalised name as a
** TERM or PREFIX node, or nothing when no word is left.  Fails on a name
** too long for the index, a prefix shorter than 2 characters, or memory. */
static int topic_node(parser *p, const tok *t, qnode **out) {
  char ex[48];
  *out = NULL;
  char *text = mem_strndup(p->q + t->s, t->e - t->s), *norm = NULL;
  /* a country by any of its names is the country ("U.S." = "United States") */
  size_t cn;
  const char *canon = text && !t->prefix && !gaz_load() ? gaz_country(text, strlen(text), &cn) : NULL;
  if (canon) {
    mem_free(text);
    text = mem_strndup(canon, cn);
  }
  norm = text ? lk_norm(text, NULL) : NULL;
  mem_free(text);
  if (!norm) return -2;
  size_t n = strlen(norm), chars = 0;
  for (size_t k = 0; k < n; k++) chars += ((unsigned char)norm[k] & 0xC0) != 0x80;
  int rc = 0;
  if (n == 0) { mem_free(norm); return 0; }
  if (n > TOPIC_MAX)
    rc = perr(p, t->s, "topic \"%s\" at %zu is too long", excerpt(p, t->s, t->end, ex, sizeof ex), t->s);
  else if (t->prefix && chars < 2)
    rc = perr(p, t->s, "prefix \"%s\" at %zu is too short: give at least 2 characters before *",
              excerpt(p, t->s, t->end, ex, sizeof ex), t->s);
  qnode *nd = NULL;
  if (!rc) rc = new_node(p, t->prefix ? Q_PREFIX : Q_TERM, t->off, &nd);
  if (!rc && (!(nd->terms = mem_calloc(1, sizeof *nd->terms)) || !(nd->pos = mem_calloc(1, sizeof *nd->pos)))) rc = -2;
  if (rc) { mem_free(norm); qnode_free(nd); return rc; }
  nd->terms[0] = norm;
  nd->nterms = 1;
  *out = nd;
  return 0;
}

/* A source: word, phrase or prefix (t): the value's key (index/srcterm.h)
** as a TERM (the whole value) or PREFIX node, or nothing when the key is
** empty.  Fails on a prefix shorter than 2 characters, or memory. */
static int source_node(parser *p, const tok *t, qnode **out) {
  char key[SRC_KEY_MAX + 1], ex[48];
  size_t n, chars = 0;
  *out = NULL;
  if (src_key(p->q + t->s, t->e - t->s, key, &n)) return -2;
  if (n == 0) return 0;
  for (size_t k = 0; k < n; k++) chars += ((unsigned char)key[k] & 0xC0) != 0x80;
  if (t->prefix && chars < 2)
    return perr(p, t->s, "prefix \"%s\" at %zu is too short: give at least 2 characters before *",
                excerpt(p, t->s, t->end, ex, sizeof ex), t->s);
  qnode *nd = NULL;
  int rc = new_node(p, t->prefix ? Q_PREFIX : Q_TERM, t->off, &nd);
  if (rc) return rc;
  if (!(nd->terms = mem_calloc(1, sizeof *nd->terms)) || !(nd->pos = mem_calloc(1, sizeof *nd->pos)) ||
      !(nd->terms[0] = mem_strndup(key, n))) {
    qnode_free(nd);
    return -2;
  }
  nd->nterms = 1;
  *out = nd;
  return 0;
}

/* A leaf without terms: ALL, or EXISTS of `field`.  Fails on the node
** limit or memory. */
static int bare_node(parser *p, qkind kind, int field, size_t off, qnode **out) {
  int rc = new_node(p, kind, off, out);
  if (!rc) (*out)->field = field;
  return rc;
}

/* id:VALUE (t, a T_ID): an ID node with the value verbatim, or ALL for an
** unquoted "*".  Fails under another field, on the node limit or memory. */
static int id_node(parser *p, const tok *t, qnode **out) {
  *out = NULL;
  if (p->field != QF_ANY)
    return perr(p, t->off, "%s: cannot apply to an id at %zu", field_names[p->field], t->off);
  if (!t->quoted && t->e == t->s + 1 && p->q[t->s] == '*') return bare_node(p, Q_ALL, QF_ANY, t->off, out);
  qnode *nd;
  int rc = new_node(p, Q_ID, t->off, &nd);
  if (rc) return rc;
  nd->field = QF_ANY;
  if (!(nd->terms = mem_calloc(1, sizeof *nd->terms)) || !(nd->pos = mem_calloc(1, sizeof *nd->pos)) ||
      !(nd->terms[0] = mem_strndup(p->q + t->s, t->e - t->s))) {
    qnode_free(nd);
    return -2;
  }
  nd->nterms = 1;
  *out = nd;
  return 0;
}

/* One date of a range at q[s..e): its first and last second.  Fails with
** the date module's reason. */
static int period(parser *p, size_t s, size_t e, int64_t *lo, int64_t *hi) {
  char why[96], ex[48];
  if (date_parse_period(p->q + s, e - s, lo, hi, why, sizeof why) == 0) return 0;
  return perr(p, s, "bad date \"%s\" at %zu: %s", excerpt(p, s, e, ex, sizeof ex), s, why);
}

/* "date:" followed by D, D..D, D.., ..D, >=D, >D, <=D or <D.  Fails on a
** bad date or an empty range. */
static int date_node(parser *p, const tok *t, qnode **out) {
  const char *q = p->q;
  size_t s = t->s, e = t->e;
  int64_t lo, hi, a, b;
  *out = NULL;
  if (p->field != QF_ANY)
    return perr(p, t->off, "%s: cannot apply to a date at %zu", field_names[p->field], t->off);
  if (e == s + 1 && q[s] == '*') return bare_node(p, Q_EXISTS, QF_DATE, t->off, out); /* date:* */
  if (q[s] == '>' || q[s] == '<') {
    int gt = q[s] == '>', eq = s + 1 < e && q[s + 1] == '=';
    size_t ds = s + 1 + (size_t)eq;
    if (period(p, ds, e, &a, &b)) return -1;
    if (gt) { lo = eq ? a : (b == INT64_MAX ? b : b + 1); hi = INT64_MAX; }
    else { lo = DATE_NONE + 1; hi = eq ? b : a - 1; }
  } else {
    const char *dots = NULL;
    for (size_t k = s; k + 1 < e; k++)
      if (q[k] == '.' && q[k + 1] == '.') { dots = q + k; break; }
    if (!dots) {
      if (period(p, s, e, &lo, &hi)) return -1;
    } else {
      size_t d = (size_t)(dots - q);
      if (d == s && d + 2 == e) return perr(p, s, "empty date range \"..\" at %zu: give a date on at least one side", s);
      lo = DATE_NONE + 1;
      hi = INT64_MAX;
      if (d > s && period(p, s, d, &lo, &b)) return -1;
      if (d + 2 < e && period(p, d + 2, e, &a, &hi)) return -1;
      if (lo > hi) {
        char ex[48];
        return perr(p, s, "empty date range \"%s\" at %zu: the start is after the end", excerpt(p, s, e, ex, sizeof ex), s);
      }
    }
  }
  qnode *n;
  int rc = new_node(p, Q_DATE, t->off, &n);
  if (rc) return rc;
  n->field = QF_ANY;
  n->date_lo = lo;
  n->date_hi = hi;
  *out = n;
  return 0;
}

/* ---- grammar ------------------------------------------------------------ */

/* Every parse_* function starts at its first token and leaves p->t at the
** token after what it consumed.  It returns 0 with *out set (NULL when the
** part analysed to nothing and is dropped), or -1 (error recorded) / -2
** (out of memory) with *out NULL and nothing leaked. */

static int parse_or(parser *p, qnode **out);

static int starts_primary(tkind k) {
  return k == T_WORD || k == T_PHRASE || k == T_LPAREN || k == T_FIELD || k == T_DATE || k == T_ALL || k == T_ID;
}
static int starts_unary(tkind k) { return k == T_NOT || starts_primary(k); }

/* "(" or ")" with the depth limit.  Fails on nesting, "()" or a missing ")". */
static int parse_group(parser *p, qnode **out) {
  size_t open = p->t.off;
  int rc;
  *out = NULL;
  if (p->depth >= QP_MAX_DEPTH)
    return perr(p, open, "too many nested parentheses at %zu (max %d levels)", open, QP_MAX_DEPTH);
  p->depth++;
  if ((rc = next(p))) return rc;
  if (p->t.kind == T_RPAREN) return perr(p, open, "empty parentheses at %zu", open);
  if ((rc = parse_or(p, out))) return rc;
  if (p->t.kind != T_RPAREN) {
    qnode_free(*out);
    *out = NULL;
    return perr(p, open, "unbalanced \"(\" at %zu: missing \")\"", open);
  }
  p->depth--;
  int rc2 = next(p);
  if (rc2) { qnode_free(*out); *out = NULL; }
  return rc2;
}

static int parse_primary(parser *p, qnode **out);

/* field ":" operand, with the field pushed down to every leaf under it. */
static int parse_field(parser *p, qnode **out) {
  tok ft = p->t;
  int rc;
  *out = NULL;
  if (p->field != QF_ANY && p->field != ft.field)
    return perr(p, ft.off, "%s: inside %s:(...) at %zu", field_names[ft.field], field_names[p->field], ft.off);
  if ((rc = next(p))) return rc;
  if (p->t.kind == T_FIELD || p->t.kind == T_DATE || p->t.kind == T_ID)
    return perr(p, p->t.off, "%s: cannot apply to %s at %zu", field_names[ft.field],
                p->t.kind == T_DATE ? "a date" : p->t.kind == T_ID ? "an id" : "another field", p->t.off);
  int saved = p->field;
  p->field = ft.field;
  rc = parse_primary(p, out);
  p->field = saved;
  return rc;
}

/* primary := "(" or ")" | field ":" operand | date | id | "*" | word | prefix | phrase */
static int parse_primary(parser *p, qnode **out) {
  tok t = p->t;
  int rc;
  *out = NULL;
  switch (t.kind) {
    case T_LPAREN: return parse_group(p, out);
    case T_FIELD: return parse_field(p, out);
    case T_DATE: rc = date_node(p, &t, out); break;
    case T_ID: rc = id_node(p, &t, out); break;
    case T_ALL: rc = bare_node(p, p->field == QF_ANY ? Q_ALL : Q_EXISTS, p->field, t.off, out); break;
    case T_PHRASE:
      if (p->field == QF_SOURCE) rc = source_node(p, &t, out);
      else rc = qf_topic(p->field) ? topic_node(p, &t, out) : analyse(p, t.s, t.e, t.off, out);
      break;
    case T_WORD:
      if (p->field == QF_SOURCE) rc = source_node(p, &t, out);
      else if (qf_topic(p->field)) rc = topic_node(p, &t, out);
      else rc = t.prefix ? prefix_node(p, &t, out) : analyse(p, t.s, t.e, t.off, out);
      break;
    default: return perr(p, t.off, "expected a term at %zu", t.off); /* not reached */
  }
  if (rc == 0 && (rc = next(p))) { qnode_free(*out); *out = NULL; }
  return rc;
}

/* unary := ("NOT" | "-") primary | primary.  Fails on a missing operand or
** a double negation. */
static int parse_unary(parser *p, qnode **out) {
  *out = NULL;
  if (p->t.kind != T_NOT) return parse_primary(p, out);
  tok nt = p->t;
  const char *op = nt.dash ? "-" : "NOT";
  int rc;
  if ((rc = next(p))) return rc;
  if (p->t.kind == T_NOT) return perr(p, p->t.off, "double negation at %zu: NOT of a NOT", p->t.off);
  if (!starts_primary(p->t.kind)) return perr(p, nt.off, "missing term after %s at %zu", op, nt.off);
  qnode *k;
  if ((rc = parse_primary(p, &k))) return rc;
  if (!k) return 0; /* NOT of nothing is nothing */
  if (is_negative(k)) {
    char ex[48];
    qnode_free(k);
    return perr(p, nt.off, "double negation at %zu: \"%s\" excludes only exclusions", nt.off,
                excerpt(p, nt.off, p->prev_end, ex, sizeof ex));
  }
  rc = new_node(p, Q_NOT, nt.off, out);
  if (rc) { qnode_free(k); return rc; }
  (*out)->field = QF_ANY;
  (*out)->kids = mem_calloc(1, sizeof *(*out)->kids);
  if (!(*out)->kids) { qnode_free(k); qnode_free(*out); *out = NULL; return -2; }
  (*out)->kids[0] = k;
  (*out)->nkids = 1;
  return 0;
}

/* and := unary ( ["AND"] unary )*.  Called at a token that starts a unary
** or at AND.  Fails on an AND without an operand. */
static int parse_and(parser *p, qnode **out) {
  kidvec kv = {0};
  size_t parsed = 0;
  int rc = 0;
  *out = NULL;
  for (;;) {
    if (p->t.kind == T_AND) {
      size_t at = p->t.off;
      if (parsed == 0) { rc = perr(p, at, "missing term before AND at %zu", at); break; }
      if ((rc = next(p))) break;
      if (!starts_unary(p->t.kind)) { rc = perr(p, at, "missing term after AND at %zu", at); break; }
    } else if (!starts_unary(p->t.kind)) {
      break;
    }
    qnode *k;
    if ((rc = parse_unary(p, &k))) break;
    parsed++;
    if (k && (rc = kv_add(&kv, k, Q_AND))) break;
  }
  if (rc) { kv_free(&kv); return rc; }
  return kv_finish(p, &kv, Q_AND, out);
}

/* Fails for a negative alternative of an OR. */
static int or_negative(parser *p, size_t s, size_t e) {
  char ex[48];
  return perr(p, s, "\"%s\" at %zu is an OR alternative with nothing to look for: "
              "a NOT must be ANDed with a term", excerpt(p, s, e, ex, sizeof ex), s);
}

/* or := and ( "OR" and )*.  Fails on an OR without an operand or an OR
** alternative that only excludes. */
static int parse_or(parser *p, qnode **out) {
  kidvec kv = {0};
  size_t or_at = 0, first_s = 0, first_e = 0;
  int after_or = 0, first_neg = 0, rc = 0;
  *out = NULL;
  for (;;) {
    tkind k = p->t.kind;
    if (!starts_unary(k) && k != T_AND) {
      if (after_or) rc = perr(p, or_at, "missing term after OR at %zu", or_at);
      else if (k == T_OR) rc = perr(p, p->t.off, "missing term before OR at %zu", p->t.off);
      break;
    }
    size_t s = p->t.off;
    qnode *part;
    if ((rc = parse_and(p, &part))) break;
    if (part) {
      int neg = is_negative(part);
      if (kv.n == 0) { first_neg = neg; first_s = s; first_e = p->prev_end; }
      else if (neg) rc = or_negative(p, s, p->prev_end);
      else if (first_neg) rc = or_negative(p, first_s, first_e);
      if (rc) { qnode_free(part); break; }
      if ((rc = kv_add(&kv, part, Q_OR))) break;
    }
    if (p->t.kind != T_OR) break;
    or_at = p->t.off;
    after_or = 1;
    if ((rc = next(p))) break;
  }
  if (rc) { kv_free(&kv); return rc; }
  return kv_finish(p, &kv, Q_OR, out);
}

int qp_parse(analyzer *an, const char *q, qnode **out, char *err, size_t errcap, size_t *erroff) {
  size_t dummy;
  parser p = {0};
  p.an = an;
  p.q = q;
  p.n = strlen(q);
  p.err = err;
  p.errcap = errcap;
  p.erroff = erroff ? erroff : &dummy;
  *out = NULL;
  *p.erroff = 0;
  if (err && errcap) err[0] = 0;
  if (p.n > QP_MAX_QUERY)
    return perr(&p, QP_MAX_QUERY, "query too long: %zu bytes (max %d) at %d", p.n, QP_MAX_QUERY, QP_MAX_QUERY);
  size_t bad;
  if (!utf8_valid(q, p.n, &bad)) return perr(&p, bad, "invalid UTF-8 at %zu", bad);
  qnode *root = NULL;
  int rc = lex(&p);
  if (rc == 0) rc = parse_or(&p, &root);
  if (rc == 0 && p.t.kind == T_RPAREN) rc = perr(&p, p.t.off, "unbalanced \")\" at %zu", p.t.off);
  if (rc == 0 && !root) rc = perr(&p, 0, "empty query");
  if (rc == 0 && is_negative(root)) {
    char ex[48];
    size_t s = 0;
    while (is_space(q[s])) s++;
    rc = perr(&p, s, "\"%s\" alone at %zu: a query needs at least one term to look for",
              excerpt(&p, s, p.prev_end, ex, sizeof ex), s);
  }
  if (rc) {
    qnode_free(root);
    if (rc == -2) {
      if (err && errcap) snprintf(err, errcap, "out of memory");
      return -2;
    }
    return -1;
  }
  *out = root;
  return 0;
}

/* ---- dump --------------------------------------------------------------- */

typedef struct out {
  char *s;
  size_t cap, n; /* n may pass cap: then the text was cut */
} out;

static void put(out *o, const char *s, size_t len) {
  for (size_t k = 0; k < len; k++, o->n++)
    if (o->n + 1 < o->cap) o->s[o->n] = s[k];
}
static void puts_(out *o, const char *s) { put(o, s, strlen(s)); }

static void dump(const qnode *n, out *o) {
  static const char *const kinds[] = {"TERM", "PHRASE", "PREFIX", "DATE", "AND", "OR", "NOT", "ALL", "ID", "EXISTS"};
  char num[48];
  puts_(o, "(");
  puts_(o, (unsigned)n->kind < sizeof kinds / sizeof *kinds ? kinds[n->kind] : "?");
  switch (n->kind) {
    case Q_TERM: case Q_PHRASE: case Q_PREFIX:
      if (n->field > QF_ANY && n->field <= QF_PLACE) { puts_(o, " "); puts_(o, field_names[n->field]); }
      puts_(o, n->kind == Q_PHRASE ? " \"" : " ");
      for (size_t k = 0; k < n->nterms; k++) {
        if (k) puts_(o, " ");
        puts_(o, n->terms[k]);
      }
      if (n->kind == Q_PHRASE) puts_(o, "\"");
      break;
    case Q_DATE:
      snprintf(num, sizeof num, " %" PRId64 " %" PRId64, n->date_lo, n->date_hi);
      puts_(o, num);
      break;
    case Q_ALL: break;
    case Q_ID:
      puts_(o, " \"");
      puts_(o, n->terms[0]);
      puts_(o, "\"");
      break;
    case Q_EXISTS:
      puts_(o, " ");
      puts_(o, n->field > QF_ANY && n->field <= QF_DATE ? field_names[n->field] : "?");
      break;
    default:
      for (size_t k = 0; k < n->nkids; k++) {
        puts_(o, " ");
        dump(n->kids[k], o);
      }
  }
  puts_(o, ")");
}

void qnode_dump(const qnode *n, char *s, size_t cap) {
  out o = {s, cap, 0};
  if (!cap) return;
  if (n) dump(n, &o);
  else puts_(&o, "(null)");
  s[o.n < cap ? o.n : cap - 1] = 0;
}
