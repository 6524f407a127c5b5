/*
** term_it.c -- the iterator over one index term's postings (see iter.h).
**
** A term of the title or the body field passes over the postings whose
** frequency in its field is 0, and scores that field alone; a keyword
** field's term (source:) scores its count with no length normalisation
** (exec.h).  Its steps and its score are inline in iter.h: the block-max
** paths (topk.c) call them for every posting they look at.  Cursors are
** opened only within the segment's files (postings.h): a dictionary entry
** that points outside them is damage.
*/
#include <string.h>

#include "../util/mem.h"
#include "iter.h"

/* Open a cursor on the postings a dictionary entry of the current segment
** points to: 0, or -1 (damaged). */
int term_open_postings(qctx *cx, const term_info *ti, pl_cursor *c) {
  if (seg_postings(c, cx->seg, ti)) {
    cx->err = ND_ERR_CORRUPT;
    return -1;
  }
  return 0;
}

/* Open a cursor on an index term of the current segment: 1, 0 (absent), -1. */
int term_open_cursor(qctx *cx, const char *key, size_t len, pl_cursor *c) {
  term_info ti;
  int r = qctx_term(cx, key, len, &ti);
  if (r < 0) {
    cx->err = ND_ERR_CORRUPT;
    return -1;
  }
  if (!r) return 0;
  return term_open_postings(cx, &ti, c) ? -1 : 1;
}

/* Index key of a query term in a field: source keys carry a prefix byte. */
size_t term_key(const char *term, int field, char *key) {
  size_t n = strlen(term);
  if (n > DICT_MAX_TERM - 1) n = DICT_MAX_TERM - 1;
  if (field == QF_SOURCE) {
    key[0] = SEG_SOURCE_PREFIX;
    memcpy(key + 1, term, n);
    return n + 1;
  }
  memcpy(key, term, n);
  return n;
}

/* A term iterator on key[0..len), whose dictionary entry in the current
** segment is *ti when the caller has it (NULL: looked up). */
qit *term_it_open(qctx *cx, const char *key, size_t len, int field, const term_info *ti) {
  term_it *t = mem_alloc(sizeof *t);
  if (!t) { cx->err = ND_ERR_NOMEM; return NULL; }
  double idf = qctx_idf(cx, key, len); /* first: it keeps the term's entries for the cursor */
  int r = ti ? (term_open_postings(cx, ti, &t->c) ? -1 : 1) : term_open_cursor(cx, key, len, &t->c);
  if (r <= 0) { mem_free(t); return r < 0 ? NULL : qit_empty(cx); }
  t->base = (qit){PL_END, IT_TERM, t->c.df, term_next, term_advance, term_score, qit_free, cx};
  t->field = field;
  t->source = qf_keyword(field);
  t->idf = idf;
  term_settle(t);
  return &t->base;
}

qit *term_it_new(qctx *cx, const char *key, size_t len, int field) { return term_it_open(cx, key, len, field, NULL); }

/* Is every posting of iterator k a match (a term in no title/body field)? */
int term_all_match(const qit *k) {
  return k->kind == IT_TERM && ((const term_it *)k)->field != QF_TITLE && ((const term_it *)k)->field != QF_BODY;
}
