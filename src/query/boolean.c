/*
** boolean.c -- AND, OR and NOT over child iterators (see iter.h).
**
** An AND advances its children to one candidate, the cheapest child
** (rarest) leading; a candidate then passes its filters (document-table
** tests: date ranges, exists tests) and its NOT parts.  Match-all parts
** and exists filters add CONST_SCORE (bonus) and nothing else.  An OR is
** on the smallest of its children's documents; a wide one (a prefix may
** expand to thousands of terms) keeps them in a min-heap.  Both score the
** sum of the scores of the children on the document: an AND and a narrow
** OR in the children's order, which the block-max paths and the AND scan
** (topk.c) keep, so that they give the same bits; a wide OR in its heap's
** order (the accumulators of accum.c, which take a wide OR of terms whose
** postings are dense, add in the children's order: an OR of more than
** BM_MAX_TERMS terms may differ in the last bits between such a segment
** and a sparse one, never within a segment).
*/
#include <stdlib.h>

#include "../util/mem.h"
#include "iter.h"

void multi_destroy(qit *it) {
  multi_it *m = (multi_it *)it;
  for (size_t i = 0; i < m->n; i++) m->kids[i]->destroy(m->kids[i]);
  for (size_t i = 0; i < m->nneg; i++) m->neg[i]->destroy(m->neg[i]);
  mem_free(m->kids);
  mem_free(m->neg);
  for (size_t i = 0; i < m->nfilters; i++) ex_free(&m->filters[i].ex);
  mem_free(m->filters);
  mem_free(m);
}

static double multi_score(qit *it) {
  multi_it *m = (multi_it *)it;
  double s = m->bonus;
  for (size_t i = 0; i < m->n; i++)
    if (m->kids[i]->doc == it->doc) s += m->kids[i]->score(m->kids[i]);
  return s;
}

/* Does candidate d pass m's filters?  -1: d is beyond the segment. */
static inline int and_filtered(multi_it *m, uint32_t d) {
  qctx *cx = m->base.cx;
  if (d >= cx->seg->m.ndocs) return -1;
  for (size_t i = 0; i < m->nfilters; i++) {
    const ex_pred *e = &m->filters[i].ex;
    /* the common filter, a date range, without ex_test's call */
    int in = e->what == EX_RANGE ? ex_in_range(e, seg_date(cx->seg, d)) : ex_test(cx, &m->filters[i].ex, d);
    if (in == m->filters[i].negate) return 0;
  }
  return 1;
}

/* Move the lead k on, from its current document, to the first that passes
** the filters: 1, 0 when it has none left, -1 on damage.  A term's
** decoded block is scanned in place, without a step of the iterator per
** document (a date range may exclude most of a term's documents). */
static int lead_filtered(multi_it *m, qit *k) {
  for (;;) {
    if (k->doc == PL_END) return 0;
    int pass = and_filtered(m, k->doc);
    if (pass) return pass;
    if (k->kind != IT_TERM || !term_all_match(k)) {
      k->next(k);
      continue;
    }
    pl_cursor *c = &((term_it *)k)->c;
    uint32_t i = c->i + 1;
    const segment *seg = m->base.cx->seg;
    const ex_pred *e = &m->filters[0].ex;
    if (m->nfilters == 1 && e->what == EX_RANGE && !m->filters[0].negate && c->docs[c->n - 1] < seg->m.ndocs) {
      /* the common case, one date range: its test alone on each document
      ** (all of the block's are in the segment, as its last is) */
      while (i < c->n && !ex_in_range(e, seg_date(seg, c->docs[i]))) i++;
      pass = 1;
    } else {
      while (i < c->n && !(pass = and_filtered(m, c->docs[i]))) i++;
    }
    if (i < c->n) {
      c->i = i;
      c->doc = k->doc = c->docs[i];
      return pass;
    }
    pl_next_block(c);
    term_settle((term_it *)k);
  }
}

static void and_find(multi_it *m, uint32_t target) {
  for (;;) {
    uint32_t cand = target;
    int moved = 0;
    for (size_t i = 0; i < m->n; i++) {
      qit *k = m->kids[i];
      k->advance(k, cand);
      /* the filters (a row of the document table) before the other
      ** children are moved to a candidate they may refuse */
      int pass = i > 0 || !m->nfilters ? 1 : lead_filtered(m, k);
      if (pass < 0) m->base.cx->err = ND_ERR_CORRUPT;
      if (k->doc == PL_END || pass <= 0) { m->base.doc = PL_END; return; }
      if (k->doc != cand) {
        /* The lead (rarest) child sets the candidate; any other child
        ** that overshoots it restarts the round from its document. */
        cand = k->doc;
        if (i > 0) { moved = 1; break; }
      }
    }
    if (moved) { target = cand; continue; }
    int excluded = 0;
    for (size_t i = 0; i < m->nneg && !excluded; i++) {
      m->neg[i]->advance(m->neg[i], cand);
      excluded = m->neg[i]->doc == cand;
    }
    if (m->base.cx->err) { m->base.doc = PL_END; return; }
    if (!excluded) { m->base.doc = cand; return; }
    target = cand + 1;
  }
}

static void and_next(qit *it) {
  if (it->doc != PL_END) and_find((multi_it *)it, it->doc + 1);
}
static void and_advance(qit *it, uint32_t t) {
  if (it->doc != PL_END && it->doc < t) and_find((multi_it *)it, t);
}

static void or_settle(multi_it *m) {
  uint32_t d = PL_END;
  for (size_t i = 0; i < m->n; i++)
    if (m->kids[i]->doc < d) d = m->kids[i]->doc;
  m->base.doc = d;
}
static void or_next(qit *it) {
  multi_it *m = (multi_it *)it;
  uint32_t cur = it->doc;
  if (cur == PL_END) return;
  for (size_t i = 0; i < m->n; i++)
    if (m->kids[i]->doc == cur) m->kids[i]->next(m->kids[i]);
  or_settle(m);
}
static void or_advance(qit *it, uint32_t t) {
  multi_it *m = (multi_it *)it;
  if (it->doc == PL_END || it->doc >= t) return;
  for (size_t i = 0; i < m->n; i++)
    if (m->kids[i]->doc < t) m->kids[i]->advance(m->kids[i], t);
  or_settle(m);
}

/* A wide OR (a prefix may expand to thousands of terms) keeps its
** children in a min-heap on their current document, so that moving on
** costs O(log n) per child moved instead of a scan of all of them. */
#define OR_HEAP_MIN 9

static void heap_down(qit **h, size_t n, size_t i) {
  qit *x = h[i];
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    uint32_t md = x->doc;
    if (l < n && h[l]->doc < md) { m = l; md = h[l]->doc; }
    if (r < n && h[r]->doc < md) m = r;
    if (m == i) break;
    h[i] = h[m];
    i = m;
  }
  h[i] = x;
}

static void orh_next(qit *it) {
  multi_it *m = (multi_it *)it;
  uint32_t cur = it->doc;
  if (cur == PL_END) return;
  while (m->kids[0]->doc == cur) {
    m->kids[0]->next(m->kids[0]);
    heap_down(m->kids, m->n, 0);
  }
  it->doc = m->kids[0]->doc;
}

static void orh_advance(qit *it, uint32_t t) {
  multi_it *m = (multi_it *)it;
  if (it->doc == PL_END || it->doc >= t) return;
  while (m->kids[0]->doc < t) {
    m->kids[0]->advance(m->kids[0], t);
    heap_down(m->kids, m->n, 0);
  }
  it->doc = m->kids[0]->doc;
}

/* The children on the current document are the top of the heap. */
static double orh_sum(qit **h, size_t n, size_t i, uint32_t doc) {
  if (i >= n || h[i]->doc != doc) return 0;
  return h[i]->score(h[i]) + orh_sum(h, n, 2 * i + 1, doc) + orh_sum(h, n, 2 * i + 2, doc);
}

static double orh_score(qit *it) {
  multi_it *m = (multi_it *)it;
  return orh_sum(m->kids, m->n, 0, it->doc);
}

static int cmp_cost(const void *a, const void *b) {
  uint64_t x = (*(qit *const *)a)->cost, y = (*(qit *const *)b)->cost;
  return (x > y) - (x < y);
}

multi_it *multi_new(qctx *cx, size_t cap) {
  multi_it *m = mem_calloc(1, sizeof *m);
  if (m) {
    m->kids = mem_calloc(cap + 1, sizeof *m->kids);
    m->neg = mem_calloc(cap + 1, sizeof *m->neg);
  }
  if (!m || !m->kids || !m->neg) {
    if (m) { mem_free(m->kids); mem_free(m->neg); mem_free(m); }
    cx->err = ND_ERR_NOMEM;
    return NULL;
  }
  m->base.cx = cx;
  m->base.destroy = multi_destroy;
  m->base.score = multi_score;
  return m;
}

qit *or_finish(qctx *cx, multi_it *m) {
  if (m->n == 0) { multi_destroy(&m->base); return qit_empty(cx); }
  if (m->n == 1) {
    qit *k = m->kids[0];
    m->n = 0;
    multi_destroy(&m->base);
    return k;
  }
  m->base.kind = IT_OR;
  m->base.next = or_next;
  m->base.advance = or_advance;
  if (m->n >= OR_HEAP_MIN) {
    m->base.next = orh_next;
    m->base.advance = orh_advance;
    m->base.score = orh_score;
    for (size_t i = m->n / 2; i-- > 0;) heap_down(m->kids, m->n, i);
  }
  for (size_t i = 0; i < m->n; i++) m->base.cost += m->kids[i]->cost;
  or_settle(m);
  return &m->base;
}

/* Is q a test of the document table (a date range, an exists test other
** than source:*), which an AND checks on its candidates? */
static int is_filter(const qnode *q) {
  return q->kind == Q_DATE || (q->kind == Q_EXISTS && q->field != QF_SOURCE);
}

/* The OR of q's parts, less those that match nothing in this segment. */
qit *or_it_new(qctx *cx, const qnode *q) {
  multi_it *m = multi_new(cx, q->nkids);
  if (!m) return NULL;
  for (size_t i = 0; i < q->nkids; i++) {
    qit *k = qit_build(cx, q->kids[i]);
    if (!k) { multi_destroy(&m->base); return NULL; }
    if (k->doc == PL_END) k->destroy(k);
    else m->kids[m->n++] = k;
  }
  return or_finish(cx, m);
}

qit *and_it_new(qctx *cx, const qnode *q) {
  /* Kids that a document-table test decides (a date range, an exists
  ** test other than source:*) are filters on the candidates of the
  ** others; match-all kids add their constant score and nothing else.
  ** Without other kids, one positive such test (a date range first)
  ** finds the candidates, or, with none, match-all does. */
  size_t others = 0, driver = SIZE_MAX;
  for (size_t i = 0; i < q->nkids; i++) {
    const qnode *kq = q->kids[i];
    if (kq->kind == Q_NOT) {
      if (kq->kids[0]->kind == Q_ALL) return qit_empty(cx); /* excludes everything */
      continue;
    }
    if (kq->kind == Q_ALL) continue;
    if (!is_filter(kq)) others++;
    else if (driver == SIZE_MAX || (kq->kind == Q_DATE && q->kids[driver]->kind != Q_DATE)) driver = i;
  }
  if (others) driver = SIZE_MAX;
  int all_drives = !others && driver == SIZE_MAX;
  multi_it *m = multi_new(cx, q->nkids);
  if (!m) return NULL;
  if (!(m->filters = mem_alloc(q->nkids * sizeof *m->filters))) {
    multi_destroy(&m->base);
    cx->err = ND_ERR_NOMEM;
    return NULL;
  }
  int empty = 0;
  for (size_t i = 0; i < q->nkids; i++) {
    const qnode *kq = q->kids[i];
    const qnode *dq = kq->kind == Q_NOT ? kq->kids[0] : kq;
    if (kq->kind == Q_ALL && !all_drives) {
      m->bonus += CONST_SCORE;
      continue;
    }
    all_drives &= kq->kind != Q_ALL;
    if (i != driver && is_filter(dq)) {
      doc_filter *f = &m->filters[m->nfilters++];
      f->negate = kq->kind == Q_NOT;
      if (dq->kind == Q_DATE) {
        f->ex = (ex_pred){.what = EX_RANGE, .lo = dq->date_lo, .hi = dq->date_hi};
      } else if (ex_init(cx, dq->field, &f->ex)) {
        multi_destroy(&m->base);
        return NULL;
      }
      if (!f->negate && dq->kind == Q_EXISTS) m->bonus += CONST_SCORE;
      continue;
    }
    qit *k = qit_build(cx, kq);
    if (!k) { multi_destroy(&m->base); return NULL; }
    if (kq->kind == Q_NOT) {
      if (k->doc == PL_END) k->destroy(k);
      else m->neg[m->nneg++] = k;
    } else {
      empty |= k->doc == PL_END;
      m->kids[m->n++] = k;
    }
  }
  /* a narrow date range leads instead (dates_it.c) */
  if (date_lead(cx, m, &empty)) { multi_destroy(&m->base); return NULL; }
  if (empty || m->n == 0) { multi_destroy(&m->base); return qit_empty(cx); }
  qsort(m->kids, m->n, sizeof *m->kids, cmp_cost);
  m->base.cost = m->kids[0]->cost;
  m->base.kind = IT_AND;
  m->base.next = and_next;
  m->base.advance = and_advance;
  m->base.doc = 0;
  and_find(m, 0);
  return &m->base;
}
