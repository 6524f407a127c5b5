/*
** topk.c -- the best hits: a bounded heap in rank order, the recency
** factor, and the paths that rank without scoring every match (see
** iter.h).
**
** The heap keeps the best offset+limit hits, the worst on top (heap_floor:
** what a hit must reach); collapsing, it keeps one hit a story.  A hit's
** score is multiplied by its recency factor (exec_decay) when it is
** offered.  Where the query has their shape, exec_search takes: ranked
** by relevance, the AND scan (an AND of terms: every match scored in one
** pass a block at a time, counted exactly), the accumulators of a wide OR
** of terms (accum.c) or block-max top-k (a term, scored a block at a time;
** an OR or an AND of terms; a phrase when the count may be a lower bound),
** which skips the windows of documents whose bounds cannot reach the
** heap's floor; for match-all without recency, in any order, the date
** index read from the end that ranks first.  The AND scan and block-max
** add a hit's parts' scores in the children's order, as an AND and a
** narrow OR do (boolean.c), so that they give the same bits.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../util/date.h"
#include "../util/mem.h"
#include "iter.h"

/* ---- the heap of the best hits ------------------------------------------ */

/* 1 if a ranks before b.  By date, an undated hit comes last both ways
** (DATE_NONE is the smallest date). */
static int better(const exec_hit *a, const exec_hit *b, int sort) {
  if (sort == ND_SORT_DATE && a->date != b->date) return a->date > b->date;
  if (sort == ND_SORT_DATE_ASC && a->date != b->date)
    return b->date == DATE_NONE || (a->date != DATE_NONE && a->date < b->date);
  if (a->score != b->score) return a->score > b->score;
  if (a->date != b->date) return a->date > b->date;
  if (a->seg != b->seg) return a->seg > b->seg;
  return a->doc > b->doc;
}

static size_t slot_of(const heap *hp, uint64_t story) {
  size_t i = (size_t)(story * 0x9e3779b97f4a7c15ULL >> 20) & hp->mask;
  while (hp->slots[i].at && hp->slots[i].story != story) i = (i + 1) & hp->mask;
  return i;
}

/* Remove a story from the table (backward-shift deletion). */
static void slot_remove(heap *hp, uint64_t story) {
  size_t i = slot_of(hp, story);
  if (!hp->slots[i].at) return;
  for (size_t j = i;;) {
    hp->slots[i].at = 0;
    for (;;) {
      j = (j + 1) & hp->mask;
      if (!hp->slots[j].at) return;
      size_t home = (size_t)(hp->slots[j].story * 0x9e3779b97f4a7c15ULL >> 20) & hp->mask;
      /* j's entry may move to i when its home is not in (i, j] cyclically */
      if (i <= j ? (home <= i || home > j) : (home <= i && home > j)) break;
    }
    hp->slots[i] = hp->slots[j];
    i = j;
  }
}

/* Put x at position i of the heap. */
static void place(heap *hp, size_t i, const exec_hit *x) {
  hp->h[i] = *x;
  if (hp->slots) {
    size_t k = slot_of(hp, x->story);
    hp->slots[k] = (struct story_slot){x->story, i + 1};
  }
}

/* Move x down from position i (x ranks before its place's old holder). */
static void sift_down(heap *hp, size_t i, const exec_hit *x) {
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, w = i;
    const exec_hit *cur = x;
    if (l < hp->n && better(cur, &hp->h[l], hp->sort)) { w = l; cur = &hp->h[l]; }
    if (r < hp->n && better(cur, &hp->h[r], hp->sort)) w = r;
    if (w == i) break;
    place(hp, i, &hp->h[w]);
    i = w;
  }
  place(hp, i, x);
}

/* A min-heap on rank: the worst kept hit on top.  With collapsing, a hit
** of a story already kept replaces that story's hit if it ranks before it
** (and is dropped otherwise). */
static void heap_offer(heap *hp, const exec_hit *x) {
  if (hp->cap == 0) return;
  if (hp->slots) {
    size_t k = slot_of(hp, x->story);
    if (hp->slots[k].at) {
      size_t i = hp->slots[k].at - 1;
      if (better(x, &hp->h[i], hp->sort)) sift_down(hp, i, x);
      return;
    }
  }
  if (hp->n == hp->cap) {
    if (!better(x, &hp->h[0], hp->sort)) return;
    if (hp->slots) slot_remove(hp, hp->h[0].story);
    sift_down(hp, 0, x);
    return;
  }
  size_t i = hp->n++;
  while (i > 0) {
    size_t p = (i - 1) / 2;
    if (!better(&hp->h[p], x, hp->sort)) break;
    place(hp, i, &hp->h[p]);
    i = p;
  }
  place(hp, i, x);
}

static int cmp_rank(const void *a, const void *b, void *ctx) {
  int sort = *(const int *)ctx;
  return better(a, b, sort) ? -1 : better(b, a, sort) ? 1 : 0;
}

int topk_init(heap *hp, size_t want, int sort, int collapse) {
  *hp = (heap){mem_alloc(want * sizeof(exec_hit) + 1), 0, want, sort, NULL, 0};
  if (hp->h && collapse && want) {
    size_t ns = 16;
    while (ns < 2 * want) ns *= 2;
    hp->slots = mem_calloc(ns, sizeof *hp->slots);
    hp->mask = ns - 1;
    if (!hp->slots) { mem_free(hp->h); hp->h = NULL; }
  }
  return hp->h ? 0 : ND_ERR_NOMEM;
}

void topk_free(heap *hp) {
  mem_free(hp->slots);
  mem_free(hp->h);
  *hp = (heap){0};
}

void topk_take(heap *hp, size_t offset, exec_hit **hits, size_t *n) {
  *hits = NULL;
  *n = 0;
  qsort_r(hp->h, hp->n, sizeof *hp->h, cmp_rank, &hp->sort);
  if (offset < hp->n) {
    memmove(hp->h, hp->h + offset, (hp->n - offset) * sizeof *hp->h);
    *hits = hp->h;
    *n = hp->n - offset;
    hp->h = NULL;
  }
  topk_free(hp);
}

/* ---- recency ---------------------------------------------------------- */

double exec_decay(const exec_opts *o, int64_t date) {
  if (!o || o->half_life <= 0) return 1;
  if (date == DATE_NONE) return exp2(-(double)ND_RECENCY_UNDATED);
  double age = (double)(o->as_of - date);
  return age <= 0 ? 1 : exp2(-age / o->half_life);
}

/* A bound of the recency factor of documents lo..hi of the segment: that
** of the newest date among them (or of an undated one, when none is). */
static double decay_bound(const qctx *cx, uint32_t lo, uint32_t hi) {
  if (!cx->o || cx->o->half_life <= 0) return 1;
  int64_t newest = seg_newest(cx->seg, lo, hi);
  double f = exec_decay(cx->o, newest);
  double u = exp2(-(double)ND_RECENCY_UNDATED);
  return f > u ? f : u;
}

/* Offer doc d with its BM25F score: the recency factor applied here. */
void topk_offer(const qctx *cx, heap *hp, const snap_seg *g, uint32_t si, uint32_t d, double score) {
  int64_t date = seg_date(&g->seg, d);
  exec_hit h = {si, d, cx->o && cx->o->half_life > 0 ? score * exec_decay(cx->o, date) : score, date,
                hp->slots ? seg_story(&g->seg, d) : 0};
  heap_offer(hp, &h);
}

static void offer(const qctx *cx, heap *hp, const snap_seg *g, uint32_t si, uint32_t d, double score, uint64_t *seen) {
  topk_offer(cx, hp, g, si, d, score);
  (*seen)++;
}

/* ---- block-max top-k -------------------------------------------------- */

/* When only the best offset+limit hits are wanted (and no exact count), a
** term, an OR of terms or an AND of terms (with any NOT parts) is run with
** block-max MaxScore (Turtle & Flood 1995; Ding & Suel 2011): each postings
** block carries a bound of its documents' tf' (bm25.h), so a window of
** documents whose bounds add up to less than the worst kept hit is skipped
** without decoding, and terms whose bounds cannot lift a document above it
** are only probed for documents the others already make promising. */

#define BM_MAX_TERMS 64
/* A score bound for tf' bound f (a block's stored bound). */
static double bound_score(const term_it *t, double f) { return score_bound(t->idf, f, t->scale); }

/* Score bounds of the whole term and of its blocks.  A term without a skip
** table has one block, decoded when it was opened: its bound is the best
** score of its documents, computed exactly. */
static void term_bounds_init(term_it *t) {
  qctx *cx = t->base.cx;
  t->scale = seg_bound_scale(cx, t->source);
  double mx = 0;
  if (t->c.skip) {
    for (uint32_t b = 0; b < t->c.nblocks; b++) mx = fmax(mx, pl_bound_of(&t->c, b));
    t->ub = bound_score(t, mx);
    return;
  }
  pl_tf_ready(&t->c);
  for (uint32_t i = 0; i < t->c.n; i++)
    mx = fmax(mx, bm25f(cx, t->c.docs[i], t->c.tft[i], t->c.tfb[i], t->idf, t->field, t->source));
  t->ub = mx * BOUND_SLACK;
}

static double block_ub(const term_it *t, uint32_t b) { return t->c.skip ? bound_score(t, pl_bound_of(&t->c, b)) : t->ub; }
static uint32_t block_last(const term_it *t, uint32_t b) {
  return t->c.skip ? pl_last_of(&t->c, b) : t->c.docs[t->c.n - 1];
}

static int cmp_ub(const void *a, const void *b) {
  double x = (*(term_it *const *)a)->ub, y = (*(term_it *const *)b)->ub;
  return (x > y) - (x < y);
}

/* OR of terms (a single term is an OR of one), in the order `kids` gives:
** a hit's score is summed in that order, as the exhaustive path does, so
** that both give the same bits. */
static void bm_or(qctx *cx, const snap_seg *g, uint32_t si, qit *const *kids, size_t n, heap *hp, uint64_t *seen) {
  double pre[BM_MAX_TERMS]; /* pre[i]: sum of the bounds of terms 0..i */
  term_it *ts[BM_MAX_TERMS]; /* by increasing bound */
  for (size_t i = 0; i < n; i++) term_bounds_init(ts[i] = (term_it *)kids[i]);
  qsort(ts, n, sizeof *ts, cmp_ub);
  for (size_t i = 0; i < n; i++) pre[i] = ts[i]->ub + (i ? pre[i - 1] : 0);
  size_t e = 0; /* terms e.. are essential: a match must contain one */
  double thr = heap_floor(hp);
  uint32_t win_end = PL_END; /* the last window that passed ends here */
  while (!cx->err) {
    while (e < n && pre[e] < thr) e++;
    if (e == n) break;
    uint32_t cand = PL_END;
    for (size_t i = e; i < n; i++)
      if (ts[i]->base.doc < cand) cand = ts[i]->base.doc;
    if (cand == PL_END) break;
    if (cand >= g->seg.m.ndocs) { cx->err = ND_ERR_CORRUPT; break; }
    if (thr > -INFINITY && (cand > win_end || win_end == PL_END)) {
      /* Windows [target, w] in which every term has at most one block:
      ** while the blocks' bounds add up to less than the threshold, the
      ** next window starts after this one -- read from the skip tables,
      ** nothing decoded.  A window that passes is not checked again for
      ** its later candidates. */
      uint32_t target = cand;
      for (;;) {
        double wub = 0;
        uint32_t w = PL_END;
        for (size_t i = 0; i < n; i++) {
          term_it *t = ts[i];
          if (t->base.doc == PL_END) continue;
          uint32_t b = pl_block_for(&t->c, target);
          if (b >= t->c.nblocks) continue;
          wub += block_ub(t, b);
          uint32_t last = block_last(t, b);
          if (last < w) w = last;
        }
        if (w == PL_END || wub * decay_bound(cx, target, w) >= thr) {
          win_end = w;
          break;
        }
        target = w + 1;
      }
      if (target != cand) {
        for (size_t i = e; i < n; i++) term_advance(&ts[i]->base, target);
        continue;
      }
    }
    if (!ss_deleted(g, cand)) {
      double sc = 0;
      for (size_t i = e; i < n; i++)
        if (ts[i]->base.doc == cand) sc += term_score(&ts[i]->base);
      size_t i = e;
      while (i > 0 && sc + pre[i - 1] >= thr) {
        qit *t = &ts[--i]->base;
        term_advance(t, cand);
        if (t->doc == cand) sc += term_score(t);
      }
      if (i == 0 && sc >= thr) {
        sc = 0;
        for (size_t k = 0; k < n; k++)
          if (kids[k]->doc == cand) sc += term_score(kids[k]);
        offer(cx, hp, g, si, cand, sc, seen);
        thr = heap_floor(hp);
      }
    }
    for (size_t i = e; i < n; i++)
      if (ts[i]->base.doc == cand) term_next(&ts[i]->base);
  }
}

/* A term alone, a block at a time: the blocks whose bounds cannot reach
** the worst kept hit are passed by from the skip table without decoding;
** the others are scored in one loop over their decoded postings, each
** document offered if it reaches the floor (as bm_or with one term, which
** adds its score to 0: the same bits, offered in the same order). */
static void bm_term(qctx *cx, const snap_seg *g, uint32_t si, term_it *t, heap *hp, uint64_t *seen) {
  term_bounds_init(t);
  pl_cursor *c = &t->c;
  uint32_t nd = g->seg.m.ndocs;
  while (c->doc != PL_END && !cx->err) {
    double thr = heap_floor(hp);
    if (thr > -INFINITY && c->skip) {
      uint32_t b = c->blk, from = c->doc;
      while (b < c->nblocks && block_ub(t, b) * decay_bound(cx, from, pl_last_of(c, b)) < thr)
        from = pl_last_of(c, b++) + 1;
      if (b == c->nblocks) break;
      if (b != c->blk) {
        pl_advance(c, from); /* onto block b's first document */
        continue;
      }
    }
    pl_tf_ready(c);
    for (uint32_t i = c->i; i < c->n; i++) {
      uint32_t d = c->docs[i], tft = c->tft[i], tfb = c->tfb[i];
      if (d >= nd) { cx->err = ND_ERR_CORRUPT; return; }
      if (!term_takes(t, tft, tfb) || ss_deleted(g, d)) continue;
      double sc = bm25f(cx, d, tft, tfb, t->idf, t->field, t->source);
      if (sc >= thr) {
        offer(cx, hp, g, si, d, sc, seen);
        thr = heap_floor(hp);
      }
    }
    pl_next_block(c);
  }
  if (c->err) cx->err = ND_ERR_CORRUPT;
}

/* AND of terms, with any NOT parts: the AND iterator finds the matches;
** windows whose blocks cannot reach the worst kept hit are skipped. */
static void bm_and(qctx *cx, const snap_seg *g, uint32_t si, multi_it *m, heap *hp, uint64_t *seen) {
  for (size_t i = 0; i < m->n; i++) term_bounds_init((term_it *)m->kids[i]);
  qit *it = &m->base;
  while (it->doc != PL_END && !cx->err) {
    uint32_t d = it->doc;
    if (d >= g->seg.m.ndocs) { cx->err = ND_ERR_CORRUPT; break; }
    double thr = heap_floor(hp);
    if (thr > -INFINITY) {
      double wub = m->bonus;
      uint32_t w = PL_END - 1;
      for (size_t i = 0; i < m->n; i++) {
        const term_it *t = (const term_it *)m->kids[i];
        wub += block_ub(t, t->c.blk);
        uint32_t last = block_last(t, t->c.blk);
        if (last < w) w = last;
      }
      if (wub * decay_bound(cx, d, w) < thr) {
        it->advance(it, w + 1);
        continue;
      }
    }
    if (!ss_deleted(g, d)) {
      double sc = it->score(it);
      if (sc >= thr) offer(cx, hp, g, si, d, sc, seen);
    }
    it->next(it);
  }
}

/* An AND that topk_and_scan() takes: up to SCAN_MAX_TERMS terms whose
** every posting is a match (at least 2, or 1 with a date range), no
** exclusion, no filter but date ranges. */
#define SCAN_MAX_TERMS 8
int topk_and_of_terms(const qit *it) {
  if (it->kind != IT_AND) return 0;
  const multi_it *m = (const multi_it *)it;
  if (m->nneg || m->bonus != 0 || m->n < (m->nfilters ? 1 : 2) || m->n > SCAN_MAX_TERMS) return 0;
  for (size_t i = 0; i < m->nfilters; i++)
    if (m->filters[i].ex.what != EX_RANGE) return 0;
  for (size_t i = 0; i < m->n; i++)
    if (!term_all_match(m->kids[i])) return 0;
  return 1;
}

/* Keep the candidates whose dates pass every range filter of m (a
** negated one: whose dates do not); their indexes in `at` follow them.
** Returns how many are kept, or SIZE_MAX for a document number beyond
** the segment (damage). */
static size_t keep_dated(const segment *s, const multi_it *m, uint32_t *cand, uint32_t *at, size_t nc) {
  size_t kept = 0;
  for (size_t k = 0; k < nc; k++) {
    if (cand[k] >= s->m.ndocs) return SIZE_MAX;
    int64_t t = seg_date(s, cand[k]);
    int pass = 1;
    for (size_t f = 0; f < m->nfilters && pass; f++) {
      const doc_filter *df = &m->filters[f];
      pass = ex_in_range(&df->ex, t) != df->negate;
    }
    if (pass) {
      at[kept] = at[k];
      cand[kept++] = cand[k];
    }
  }
  return kept;
}

/* Every match of an AND of terms, scored, in one pass, counted exactly
** (measured: fewer instructions than block-max skipping plus a counting
** pass, and than block-max alone with a lower-bound count, on the
** benchmark's AND queries -- an AND's matches are few next to its
** terms' postings, and finding them is most of the work): the candidates are the rarest term's
** documents a block at a time, those outside its date ranges dropped
** first (the same test as ex_test's), each other term keeps those it holds by
** merging its decoded block with them and adds its part of their scores,
** and the survivors' scores are summed in the kids' order, as multi_score
** (boolean.c) sums them (same bits as the exhaustive path).  *seen gets the exact
** number of live matches. */
void topk_and_scan(qctx *cx, const snap_seg *g, uint32_t si, multi_it *m, heap *hp, uint64_t *seen) {
  term_it *lt = (term_it *)m->kids[0];
  pl_cursor *lead = &lt->c;
  uint32_t cand[PB_SIZE], at[PB_SIZE]; /* candidates, and their index in the lead's block */
  double part[SCAN_MAX_TERMS][PB_SIZE]; /* part[j][k]: term j's score of candidate k */
  int done = 0;
  while (lead->doc != PL_END && !done) {
    size_t nc = 0;
    for (uint32_t k = lead->i; k < lead->n; k++, nc++) {
      cand[nc] = lead->docs[k];
      at[nc] = k;
    }
    uint32_t last = lead->docs[lead->n - 1];
    if (m->nfilters && (nc = keep_dated(&g->seg, m, cand, at, nc)) == SIZE_MAX) {
      cx->err = ND_ERR_CORRUPT;
      return;
    }
    for (size_t j = 1; j < m->n && nc; j++) {
      term_it *t = (term_it *)m->kids[j];
      pl_cursor *c = &t->c;
      size_t kept = 0, x = 0;
      while (x < nc) {
        pl_advance(c, cand[x]);
        if (c->doc == PL_END) { done = 1; break; }
        const uint32_t *d = c->docs;
        uint32_t i = c->i, cn = c->n;
        while (x < nc && i < cn) {
          if (d[i] < cand[x]) {
            i = pl_first_at_least(d, i + 1, cn, cand[x]);
            continue;
          }
          if (d[i] == cand[x]) {
            pl_tf_ready(c);
            for (size_t p = 1; p < j; p++) part[p][kept] = part[p][x];
            part[j][kept] = bm25f(cx, cand[x], c->tft[i], c->tfb[i], t->idf, t->field, t->source);
            at[kept] = at[x];
            cand[kept++] = cand[x];
          }
          x++;
        }
        c->i = i < cn ? i : cn - 1; /* a valid position: pl_advance goes on from it */
        c->doc = d[c->i];
      }
      if (c->err) { cx->err = ND_ERR_CORRUPT; return; }
      nc = kept;
    }
    if (nc) pl_tf_ready(lead);
    for (size_t k = 0; k < nc; k++) {
      if (cand[k] >= g->seg.m.ndocs) { cx->err = ND_ERR_CORRUPT; return; }
      if (ss_deleted(g, cand[k])) continue;
      double sc = 0;
      sc += bm25f(cx, cand[k], lead->tft[at[k]], lead->tfb[at[k]], lt->idf, lt->field, lt->source);
      for (size_t j = 1; j < m->n; j++) sc += part[j][k];
      offer(cx, hp, g, si, cand[k], sc, seen);
    }
    pl_advance(lead, last + 1);
  }
  if (lead->err) cx->err = ND_ERR_CORRUPT;
}

/* A phrase alone: its iterator passes by the candidates whose bound
** (phrase.c) cannot reach the worst kept hit, before reading their
** positions. */
static void bm_phrase(qctx *cx, const snap_seg *g, uint32_t si, qit *it, heap *hp, uint64_t *seen) {
  const segment *s = &g->seg;
  phrase_bounds_init(it);
  while (it->doc != PL_END && !cx->err) {
    uint32_t d = it->doc;
    if (d >= s->m.ndocs) { cx->err = ND_ERR_CORRUPT; break; }
    double thr = heap_floor(hp);
    if (!ss_deleted(g, d)) {
      double sc = it->score(it);
      if (sc >= thr) {
        offer(cx, hp, g, si, d, sc, seen);
        thr = heap_floor(hp);
      }
    }
    phrase_set_floor(it, thr);
    it->next(it);
  }
  phrase_set_floor(it, -INFINITY);
}

/* Run the block-max path if `it` has a shape it handles: 1 if it did.  A
** phrase takes it only without an exact count: counting would check every
** candidate's positions again, which the plain loop does once. */
int topk_block_max(qctx *cx, const snap_seg *g, uint32_t si, qit *it, heap *hp, uint64_t *seen, int exact) {
  if (it->kind == IT_TERM) {
    bm_term(cx, g, si, (term_it *)it, hp, seen);
    return 1;
  }
  if (it->kind == IT_PHRASE) {
    if (exact) return 0;
    bm_phrase(cx, g, si, it, hp, seen);
    return 1;
  }
  if (it->kind != IT_OR && it->kind != IT_AND) return 0;
  multi_it *m = (multi_it *)it;
  if (m->n > BM_MAX_TERMS) return 0;
  for (size_t i = 0; i < m->n; i++)
    if (m->kids[i]->kind != IT_TERM) return 0;
  if (it->kind == IT_OR) bm_or(cx, g, si, m->kids, m->n, hp, seen);
  else bm_and(cx, g, si, m, hp, seen);
  return 1;
}

/* Is date a ranked strictly after date b by sort (undated last both ways)? */
static int date_after(int64_t a, int64_t b, int sort) {
  if (sort == ND_SORT_DATE_ASC) return a != b && (a == DATE_NONE || (b != DATE_NONE && a > b));
  return a < b;
}

/* Match-all alone, without recency: every live document scores
** CONST_SCORE, so the rank is by date (newest first, or oldest first for
** ND_SORT_DATE_ASC; undated last), then the later document.  The count
** is the segment's live documents; the hits come from the date index,
** walked from the end that ranks first and left as soon as a date can no
** longer enter the heap; the undated documents (not in the date index)
** are looked for in the document table only while they could still
** enter.  0 or ND_ERR_CORRUPT. */
int topk_all(qctx *cx, const snap_seg *g, uint32_t si, heap *hp, uint64_t *total) {
  const segment *s = &g->seg;
  uint32_t nd = s->m.ndocs;
  *total += nd - (g->del ? roaring_bitmap_get_cardinality(g->del) : 0);
  if (hp->cap == 0) return 0;
  int asc = hp->sort == ND_SORT_DATE_ASC;
  uint64_t n = s->m.ndates;
  for (uint64_t k = 0; k < n; k++) {
    const uint8_t *row = s->dates + (asc ? k : n - 1 - k) * 12;
    int64_t date = (int64_t)rd_u64(row);
    uint32_t d = rd_u32(row + 8);
    if (d >= nd) return ND_ERR_CORRUPT;
    if (hp->n == hp->cap && date_after(date, hp->h[0].date, hp->sort)) break;
    if (!ss_deleted(g, d)) topk_offer(cx, hp, g, si, d, CONST_SCORE);
  }
  if (n == nd || (hp->n == hp->cap && hp->h[0].date != DATE_NONE)) return 0;
  for (uint32_t d = nd; d-- > 0;) { /* the undated, later documents first */
    if (seg_date(s, d) != DATE_NONE || ss_deleted(g, d)) continue;
    exec_hit h = {si, d, CONST_SCORE, DATE_NONE, 0};
    if (hp->n == hp->cap && !better(&h, &hp->h[0], hp->sort)) break;
    topk_offer(cx, hp, g, si, d, CONST_SCORE);
  }
  return 0;
}
