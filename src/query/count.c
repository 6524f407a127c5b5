/*
** count.c -- counting matches without scoring them (see iter.h): the
** exact count that a block-max search, which skips documents, adds up
** apart, and the stories among a query's matches (exec_stories).
**
** A count costs what iterating the matches costs, never a score: a term
** alone counts its df (no deletions), an OR of terms the union of their
** postings, a block of doc numbers at a time, in a bitset.  Stories are
** counted from the few articles that joined an earlier one's group
** (segment.h's joiners) and those groups' first articles, each tested
** against the query by advancing an iterator to it.
*/
#include <stdlib.h>

#include "../util/mem.h"
#include "iter.h"

/* The live matches of q in segment g, without scoring.  0 or ND_ERR_*. */
int count_live(qctx *cx, const snap_seg *g, const qnode *q, uint64_t *count) {
  qit *it = qit_build(cx, q);
  if (!it) return cx->err ? cx->err : ND_ERR_NOMEM;
  uint64_t n = 0;
  qit *one = it;
  qit *const *kids = it->kind == IT_OR ? ((multi_it *)it)->kids : &one;
  size_t nk = it->kind == IT_OR ? ((multi_it *)it)->n : 1;
  int postings_only = it->kind == IT_OR || it->kind == IT_TERM; /* every posting a match? */
  for (size_t i = 0; i < nk && postings_only; i++) postings_only = term_all_match(kids[i]);
  if (postings_only && nk == 1 && !g->del) {
    n = ((term_it *)it)->c.df;
  } else if (postings_only) {
    /* The union of the postings, a block of doc numbers at a time, in a
    ** bitset (ndocs / 8 bytes: small next to the postings of a term
    ** frequent enough to need this), then its bits counted. */
    uint32_t nd = g->seg.m.ndocs;
    uint64_t *bits = mem_calloc((size_t)nd / 64 + 1, sizeof *bits);
    if (!bits) cx->err = ND_ERR_NOMEM;
    for (size_t i = 0; i < nk && !cx->err; i++) {
      pl_cursor *c = &((term_it *)kids[i])->c;
      while (c->doc != PL_END) {
        if (c->docs[c->n - 1] >= nd) { cx->err = ND_ERR_CORRUPT; break; }
        for (uint32_t k = c->i; k < c->n; k++) bits[c->docs[k] >> 6] |= 1ULL << (c->docs[k] & 63);
        pl_advance(c, c->docs[c->n - 1] + 1);
      }
      if (c->err) cx->err = ND_ERR_CORRUPT;
    }
    for (size_t w = 0; bits && w <= nd / 64; w++) n += (uint64_t)__builtin_popcountll(bits[w]);
    if (bits && g->del) {
      roaring_uint32_iterator_t *di = roaring_create_iterator(g->del);
      if (!di) cx->err = ND_ERR_NOMEM;
      for (; di && di->has_value; roaring_advance_uint32_iterator(di))
        if (di->current_value < nd && (bits[di->current_value >> 6] >> (di->current_value & 63) & 1)) n--;
      roaring_free_uint32_iterator(di);
    }
    mem_free(bits);
  } else {
    for (; it->doc != PL_END && !cx->err; it->next(it)) n += !ss_deleted(g, it->doc);
  }
  it->destroy(it);
  *count = n;
  return cx->err;
}

/* ---- stories among the matches ----------------------------------------- */

typedef struct doc_ref {
  uint32_t si, doc;
  size_t key; /* index of its group's key */
} doc_ref;

static int cmp_doc_ref(const void *a, const void *b) {
  const doc_ref *x = a, *y = b;
  if (x->si != y->si) return x->si < y->si ? -1 : 1;
  return (x->doc > y->doc) - (x->doc < y->doc);
}

static int cmp_u64k(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* Which of the docs refs[0..n) (sorted by segment, then doc) match q:
** matched[i] = 1.  Returns cx->err. */
static int match_docs(qctx *cx, const qnode *q, const doc_ref *refs, size_t n, unsigned char *matched) {
  for (size_t i = 0, j; i < n && !cx->err; i = j) {
    const snap_seg *g = &cx->snap->segs[refs[i].si];
    for (j = i; j < n && refs[j].si == refs[i].si; j++) {}
    qctx_seg(cx, g);
    qit *it = qit_build(cx, q);
    if (!it) return cx->err ? cx->err : ND_ERR_NOMEM;
    for (size_t k = i; k < j && it->doc != PL_END && !cx->err; k++) {
      if (it->doc < refs[k].doc) it->advance(it, refs[k].doc);
      matched[k] = it->doc == refs[k].doc && !ss_deleted(g, refs[k].doc);
    }
    it->destroy(it);
  }
  return cx->err;
}

typedef struct founder_ctx {
  const segment *s;
  uint64_t key;
  uint32_t si;
  size_t kidx;
  doc_ref *refs;
  size_t n, cap;
  int oom;
} founder_ctx;

static int founder_hit(void *ctx, uint32_t doc) {
  founder_ctx *f = ctx;
  if (seg_story(f->s, doc) != f->key) return 0; /* another article whose id hashes alike */
  if (mem_grow(&f->refs, &f->cap, f->n, sizeof *f->refs)) { f->oom = 1; return 1; }
  f->refs[f->n++] = (doc_ref){f->si, doc, f->kidx};
  return 0;
}

int exec_stories(nd_index *ix, const qnode *q, uint64_t total, uint64_t *stories) {
  const snapshot *snap = &ix->snap;
  *stories = total;
  qctx cx;
  qctx_init(&cx, ix, NULL);
  doc_ref *refs = NULL;
  uint64_t *keys = NULL;
  unsigned char *matched = NULL;
  size_t n = 0, cap = 0, nk = 0;
  int rc = 0;
  /* the joiners, all of them; then which match */
  for (size_t si = 0; si < snap->n && !rc; si++)
    for (uint64_t i = 0; i < snap->segs[si].seg.m.njoiners && !rc; i++) {
      uint32_t d = seg_joiner(&snap->segs[si].seg, i);
      if (d >= snap->segs[si].seg.m.ndocs) rc = ND_ERR_CORRUPT;
      else if (mem_grow(&refs, &cap, n, sizeof *refs)) rc = ND_ERR_NOMEM;
      else refs[n++] = (doc_ref){(uint32_t)si, d, 0};
    }
  if (!rc && !(matched = mem_calloc(n + 1, 1))) rc = ND_ERR_NOMEM;
  if (!rc) rc = match_docs(&cx, q, refs, n, matched);
  /* the groups of the matching joiners */
  if (!rc && !(keys = mem_alloc(n * sizeof *keys + 1))) rc = ND_ERR_NOMEM;
  for (size_t i = 0; !rc && i < n; i++)
    if (matched[i]) keys[nk++] = seg_story(&snap->segs[refs[i].si].seg, refs[i].doc);
  if (!rc) {
    qsort(keys, nk, sizeof *keys, cmp_u64k);
    size_t m = 0;
    for (size_t i = 0; i < nk; i++)
      if (i == 0 || keys[i] != keys[i - 1]) keys[m++] = keys[i];
    *stories -= nk - m; /* a group's joiners beyond its first */
    nk = m;
  }
  /* their first articles (the id hashing to the key, not a joiner): one
  ** more member each when it matches */
  founder_ctx f = {0};
  for (size_t k = 0; !rc && k < nk; k++)
    for (size_t si = 0; si < snap->n && !f.oom; si++) {
      f.s = &snap->segs[si].seg;
      f.key = keys[k];
      f.si = (uint32_t)si;
      f.kidx = k;
      seg_key_docs(f.s, 2, keys[k], founder_hit, &f);
    }
  if (!rc && f.oom) rc = ND_ERR_NOMEM;
  if (!rc && f.n) {
    qsort(f.refs, f.n, sizeof *f.refs, cmp_doc_ref);
    mem_free(matched);
    if (!(matched = mem_calloc(f.n + 1, 1))) rc = ND_ERR_NOMEM;
    if (!rc) rc = match_docs(&cx, q, f.refs, f.n, matched);
    for (size_t i = 0; !rc && i < f.n; i++) *stories -= matched[i];
  }
  qctx_free(&cx);
  mem_free(f.refs);
  mem_free(refs);
  mem_free(keys);
  mem_free(matched);
  return rc ? qctx_fail(ix, rc) : 0;
}
