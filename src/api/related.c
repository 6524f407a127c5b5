/*
** related.c -- nd_related(): the articles most like a given one.
**
** The article's title and body are analysed again; each term gets the
** weight tf * ln(N / df) (tf: its count in the article; df: summed over the
** snapshot's segments; N: the snapshot's documents).  Terms found in only
** this one article say nothing about other articles and are skipped.  The
** RELATED_TERMS heaviest terms become one ranked OR query (BM25F scores
** the candidates), and the article itself is left out of the hits.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../index/index.h"
#include "../util/mem.h"
#include "api.h"

#define RELATED_TERMS 25

static int add_token(void *ctx, const an_token *tok) {
  return tally_add(ctx, tok->term, tok->len, 1) ? -1 : 0;
}

typedef struct weighted {
  const char *term;
  double w;
} weighted;

static int cmp_weight(const void *a, const void *b) {
  const weighted *x = a, *y = b;
  if (x->w != y->w) return x->w > y->w ? -1 : 1;
  return strcmp(x->term, y->term);
}

/* A Q_TERM node for term t (any field). */
static qnode *term_node(const char *t) {
  qnode *n = mem_calloc(1, sizeof *n);
  if (!n) return NULL;
  n->kind = Q_TERM;
  if (!(n->terms = mem_calloc(1, sizeof *n->terms)) || !(n->terms[0] = mem_strdup(t))) {
    qnode_free(n);
    return NULL;
  }
  n->nterms = 1;
  return n;
}

/* Weigh the article's terms and build the OR query of the heaviest. */
static int build_query(nd_index *ix, const nd_doc *d, qnode **out) {
  *out = NULL;
  tally t;
  tally_init(&t);
  nd_count *terms = NULL;
  weighted *w = NULL;
  qnode *q = NULL;
  size_t nt = 0, nw = 0;
  int rc = 0;
  const char *parts[2] = {d->title, d->body};
  for (int k = 0; k < 2 && !rc; k++)
    if (parts[k] && an_analyze(ix->an, parts[k], strlen(parts[k]), 0, add_token, &t, NULL)) rc = ND_ERR_NOMEM;
  if (!rc && !(terms = tally_top(&t, 0, 0, 0, &nt))) rc = ND_ERR_NOMEM;
  if (!rc && !(w = mem_calloc(nt + 1, sizeof *w))) rc = ND_ERR_NOMEM;
  double N = (double)ix->snap.total_docs;
  for (size_t i = 0; i < nt && !rc; i++) {
    uint64_t df = 0;
    for (size_t si = 0; si < ix->snap.n; si++) {
      term_info ti;
      int r = dict_lookup(&ix->snap.segs[si].seg.d, terms[i].key, strlen(terms[i].key), &ti);
      if (r < 0) { rc = ND_ERR_CORRUPT; break; }
      if (r) df += ti.df;
    }
    if (df >= 2) w[nw++] = (weighted){terms[i].key, (double)terms[i].count * log(N / (double)df)};
  }
  if (!rc) {
    qsort(w, nw, sizeof *w, cmp_weight);
    if (nw > RELATED_TERMS) nw = RELATED_TERMS;
    if (!(q = mem_calloc(1, sizeof *q)) || !(q->kids = mem_calloc(nw + 1, sizeof *q->kids))) rc = ND_ERR_NOMEM;
  }
  if (q) q->kind = Q_OR;
  for (size_t i = 0; i < nw && !rc; i++) {
    if (!(q->kids[i] = term_node(w[i].term))) rc = ND_ERR_NOMEM;
    else q->nkids = i + 1;
  }
  mem_free(w);
  nd_counts_free(terms);
  tally_free(&t);
  if (rc) {
    qnode_free(q);
    return rc == ND_ERR_CORRUPT ? ix_fail(ix, rc, "damaged dictionary (run newsdex check)") : ix_fail(ix, rc, "out of memory");
  }
  *out = q;
  return 0;
}

int nd_related(nd_index *ix, const char *id, const nd_search_options *opts, nd_results **out) {
  *out = NULL;
  if (!id) return ix_fail(ix, ND_ERR_INVALID, "no article id");
  nd_document *doc = NULL;
  int rc = nd_get(ix, id, &doc);
  if (rc) return rc;
  qnode *q = NULL;
  rc = build_query(ix, nd_document_doc(doc), &q);
  if (!rc) rc = search_tree(ix, q, opts, id, out);
  qnode_free(q);
  nd_document_free(doc);
  return rc;
}
