/*
** plan.c -- the planner: a query node to the tree of iterators that walks
** its matches in the context's current segment (see iter.h); the empty
** iterator.
**
** Each kind of node has its iterator in the file of its idea (iter.h lists
** them).  A term of a topic or source field is the OR of its index terms
** (prefix.c); a NOT builds its operand, whose matches the AND that holds
** it excludes (boolean.c).
*/
#include "../util/mem.h"
#include "iter.h"

void qit_free(qit *it) { mem_free(it); }
static void empty_move(qit *it) { (void)it; }
static void empty_advance(qit *it, uint32_t t) { (void)it; (void)t; }
double qit_zero_score(qit *it) { (void)it; return 0; }

qit *qit_empty(qctx *cx) {
  qit *it = mem_calloc(1, sizeof *it);
  if (!it) { cx->err = ND_ERR_NOMEM; return NULL; }
  *it = (qit){PL_END, IT_OTHER, 0, empty_move, empty_advance, qit_zero_score, qit_free, cx};
  return it;
}

qit *qit_build(qctx *cx, const qnode *q) {
  switch (q->kind) {
    case Q_ALL: return scan_it_new(cx, QF_ANY);
    case Q_ID: return id_it_new(cx, q->terms[0]);
    case Q_EXISTS: return q->field == QF_SOURCE ? source_exists_new(cx) : scan_it_new(cx, q->field);
    case Q_TERM: {
      if (qf_topic(q->field) || q->field == QF_SOURCE) return prefix_it_new(cx, q);
      char key[DICT_MAX_TERM + 1];
      size_t len = term_key(q->terms[0], q->field, key);
      return term_it_new(cx, key, len, q->field);
    }
    case Q_PHRASE: return phrase_it_new(cx, q);
    case Q_PREFIX: return prefix_it_new(cx, q);
    case Q_DATE: return date_it_new(cx, q->date_lo, q->date_hi);
    case Q_NOT: return qit_build(cx, q->kids[0]);
    case Q_OR: return or_it_new(cx, q);
    case Q_AND: return and_it_new(cx, q);
  }
  return qit_empty(cx);
}
