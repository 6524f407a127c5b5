/*
** parse.h -- the query language, parsed into a tree.
**
** Grammar (docs/query-language.md is the user's version):
**
**   query    := or
**   or       := and ( "OR" and )*             OR binds loosest
**   and      := unary ( ["AND"] unary )*      juxtaposition means AND
**   unary    := ("NOT" | "-") unary | primary
**   primary  := "(" or ")"
**             | field ":" ( word | prefix | phrase | "*" | "(" or ")" )
**             | "date:" ( range | "*" )
**             | "id:" ( idword | '"' idtext '"' )
**             | "*"
**             | word | prefix | phrase
**   field    := "title" | "body" | "source"
**             | "topic" | "person" | "org" | "organisation" | "organization" | "place"
**   phrase   := '"' words '"'
**   prefix   := word "*"
**   range    := D ".." D | D ".." | ".." D | ">=" D | ">" D | "<=" D | "<" D | D
**               where D is YYYY, YYYY-MM or YYYY-MM-DD (a partial date names
**               the whole year/month: date:2004-07 is all of July 2004).
**   idword   := bytes up to white space, "(", ")" or '"';  idtext := bytes but '"'
**
** Match all, ids and exists.  A word that is only "*" (at the start, after
** white space, "(", a "-" NOT or a field's colon, and followed by white
** space, ")" or the end) is ALL, every article -- or, under a field
** (title:*, source:*, person:*, title:(* OR x)), EXISTS: the articles with
** a value in that field; date:* is EXISTS date.  id:VALUE (or id:"VALUE")
** is ID: the article whose id is exactly VALUE, taken verbatim (not
** analysed, case kept); id:* is ALL.  A "*" elsewhere ("x*", "*x",
** '"*"') keeps its old meaning (a prefix, or punctuation).
**
** OR, AND and NOT are operators only in capitals; otherwise they are words.
** A word is analysed with the archive's analyzer: if it yields several
** tokens ("e-mail", "U.S.-led") it becomes a phrase; if none (punctuation)
** it is dropped.  A prefix is folded but not stemmed and matches every index
** term (a stem) that starts with it.
**
** source: takes a word, a phrase or a prefix, never analysed: the text's
** key (index/srcterm.h: case-folded, white space collapsed) as a TERM that
** matches the articles whose source has exactly that key, or a PREFIX of
** the key (source:"new york times - news", source:fox*).
**
** Topic fields (topic: of any type, person:, org:, place:) take a word, a
** phrase or a prefix, never analysed: the text is normalised as the linker
** normalises topic names (lk_norm: words case-folded, periods and
** possessives dropped) and matches an article's key topic with exactly that
** normalised name (topic:"Jaap de Hoop Scheffer", place:iraq); a prefix
** matches the topics whose normalised name starts with it (person:"jaap de*"
** is not a prefix: person:jaap* is).
**
** Checks made here, each an error with the byte offset of the culprit:
** unbalanced parentheses or quotes, an operator with a missing operand, an
** unknown field (also "foo:*"), an id: with no id after it (or a "(" or an
** empty "" after it), an id: or date: under another field, a bad date or an empty range (lo > hi), a prefix shorter
** than 2 characters, a NOT that is not part of an AND with at least one
** positive part (a query must say what it looks for: "-france" alone, or
** "a OR -b", is an error), more than QP_MAX_NODES nodes or nesting deeper
** than QP_MAX_DEPTH.
*/
#ifndef ND_QUERY_PARSE_H
#define ND_QUERY_PARSE_H
#include <stddef.h>
#include <stdint.h>

#include "../text/analyze.h"

#define QP_MAX_NODES 1024
#define QP_MAX_DEPTH 32
#define QP_MAX_QUERY 4096 /* bytes */

typedef enum qkind {
  Q_TERM,   /* terms[0] */
  Q_PHRASE, /* terms[0..nterms) at relative positions pos[] (pos[0] == 0) */
  Q_PREFIX, /* terms[0] is the folded prefix */
  Q_DATE,   /* date_lo..date_hi, seconds, inclusive */
  Q_AND,    /* all kids; kids that are Q_NOT are exclusions */
  Q_OR,     /* any kid */
  Q_NOT,    /* kids[0]; appears only as a kid of Q_AND */
  Q_ALL,    /* every article */
  Q_ID,     /* terms[0] is an article id, verbatim */
  Q_EXISTS  /* the articles with a value in `field` (QF_TITLE ... QF_DATE) */
} qkind;

enum { QF_ANY = 0, QF_TITLE = 1, QF_BODY = 2, QF_SOURCE = 3, QF_TOPIC = 4, QF_PERSON = 5, QF_ORG = 6, QF_PLACE = 7,
       QF_DATE = 8 /* only as the field of a Q_EXISTS */ };
/* Keyword fields (their own terms, scored without length normalisation). */
static inline int qf_keyword(int field) { return field >= QF_SOURCE && field <= QF_PLACE; }
/* Topic fields: terms[0] of a TERM or PREFIX is a normalised topic name. */
static inline int qf_topic(int field) { return field >= QF_TOPIC && field <= QF_PLACE; }

typedef struct qnode {
  qkind kind;
  int field;          /* QF_*, for TERM, PHRASE, PREFIX, EXISTS */
  char **terms;       /* NUL-terminated analysed terms */
  uint32_t *pos;
  size_t nterms;
  int64_t date_lo, date_hi;
  struct qnode **kids;
  size_t nkids;
  size_t offset;      /* byte offset in the query string */
} qnode;

/* Parse `q`.  On success returns 0 and *out is the tree (free with
** qnode_free).  On error returns -1 with a one-line message in err and the
** byte offset of the problem in *erroff; returns -2 if memory ran out.
** The analyzer is used to turn words into terms. */
int qp_parse(analyzer *an, const char *q, qnode **out, char *err, size_t errcap, size_t *erroff);
void qnode_free(qnode *n);

/* Print the tree in a canonical prefix form, for tests and debugging:
** (AND (TERM nato) (NOT (TERM franc)) (PHRASE title "iraqi forc")),
** (ALL), (ID "fx:12"), (EXISTS title), (EXISTS date). */
void qnode_dump(const qnode *n, char *out, size_t cap);

#endif
