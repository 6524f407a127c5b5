/* exec.c -- iterators, BM25F scoring and top-k collection (see exec.h). */
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

/* Score of the worst kept hit, -infinity while the heap has room, or
** +infinity when it keeps none (no hits asked for: only counting). */
static double heap_floor(const heap *hp) {
  if (hp->cap == 0) return INFINITY;
  return hp->n == hp->cap ? hp->h[0].score : -INFINITY;
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

/* An AND that topk_and_scan() takes: 2 to SCAN_MAX_TERMS terms whose every
** posting is a match, no exclusion, no date filter. */
#define SCAN_MAX_TERMS 8
int topk_and_of_terms(const qit *it) {
  if (it->kind != IT_AND) return 0;
  const multi_it *m = (const multi_it *)it;
  if (m->nneg || m->nfilters || m->bonus != 0 || m->n < 2 || m->n > SCAN_MAX_TERMS) return 0;
  for (size_t i = 0; i < m->n; i++)
    if (!term_all_match(m->kids[i])) return 0;
  return 1;
}

/* Every match of an AND of terms, scored, in one pass, counted exactly
** (measured: fewer instructions than block-max skipping plus a counting
** pass, and than block-max alone with a lower-bound count, on the
** benchmark's AND queries -- an AND's matches are few next to its
** terms' postings, and finding them is most of the work): the candidates are the rarest term's
** documents a block at a time, each other term keeps those it holds by
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
          if (d[i] < cand[x]) { i++; continue; }
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
    bm_or(cx, g, si, &it, 1, hp, seen);
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
    ** frequent enough to need this). */
    uint32_t nd = g->seg.m.ndocs;
    uint64_t *bits = mem_calloc((size_t)nd / 64 + 1, sizeof *bits);
    if (!bits) cx->err = ND_ERR_NOMEM;
    for (size_t i = 0; i < nk && !cx->err; i++) {
      pl_cursor *c = &((term_it *)kids[i])->c;
      while (c->doc != PL_END) {
        if (c->docs[c->n - 1] >= nd) { cx->err = ND_ERR_CORRUPT; break; }
        for (uint32_t k = c->i; k < c->n; k++) {
          uint64_t bit = 1ULL << (c->docs[k] & 63), *w = &bits[c->docs[k] >> 6];
          n += !(*w & bit);
          *w |= bit;
        }
        pl_advance(c, c->docs[c->n - 1] + 1);
      }
      if (c->err) cx->err = ND_ERR_CORRUPT;
    }
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

int exec_matches(nd_index *ix, const qnode *q, roaring_bitmap_t ***sets, uint64_t *total) {
  const snapshot *snap = &ix->snap;
  *sets = NULL;
  *total = 0;
  roaring_bitmap_t **bm = mem_calloc(snap->n + 1, sizeof *bm);
  if (!bm) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  qctx cx;
  qctx_init(&cx, ix, NULL);
  int rc = 0;
  uint32_t batch[256];
  for (size_t si = 0; si < snap->n && !rc; si++) {
    const snap_seg *g = &snap->segs[si];
    qctx_seg(&cx, g);
    if (!(bm[si] = roaring_bitmap_create())) { rc = ND_ERR_NOMEM; break; }
    if (q->kind == Q_ALL) { /* every document but the deleted */
      roaring_bitmap_add_range(bm[si], 0, g->seg.m.ndocs);
      if (g->del) roaring_bitmap_andnot_inplace(bm[si], g->del);
      *total += roaring_bitmap_get_cardinality(bm[si]);
      continue;
    }
    qit *it = qit_build(&cx, q);
    if (!it) { rc = cx.err ? cx.err : ND_ERR_NOMEM; break; }
    size_t nb = 0;
    for (; it->doc != PL_END && !cx.err; it->next(it)) {
      if (it->doc >= g->seg.m.ndocs) { cx.err = ND_ERR_CORRUPT; break; }
      batch[nb++] = it->doc;
      if (nb == 256) { roaring_bitmap_add_many(bm[si], nb, batch); nb = 0; }
    }
    roaring_bitmap_add_many(bm[si], nb, batch);
    it->destroy(it);
    rc = cx.err;
    if (!rc && g->del) roaring_bitmap_andnot_inplace(bm[si], g->del);
    if (!rc) *total += roaring_bitmap_get_cardinality(bm[si]);
  }
  qctx_free(&cx);
  if (rc) {
    exec_matches_free(bm, snap->n);
    *total = 0;
    return qctx_fail(ix, rc);
  }
  *sets = bm;
  return 0;
}

void exec_matches_free(roaring_bitmap_t **sets, size_t n) {
  if (!sets) return;
  for (size_t i = 0; i < n; i++)
    if (sets[i]) roaring_bitmap_free(sets[i]); /* (NULL after a failed create) */
  mem_free(sets);
}

int exec_search(nd_index *ix, const qnode *q, const exec_opts *o, int *exact, exec_hit **hits, size_t *nhits,
                uint64_t *total) {
  *hits = NULL;
  *nhits = 0;
  *total = 0;
  const snapshot *snap = &ix->snap;
  qctx cx;
  qctx_init(&cx, ix, o->stats);
  cx.o = o;
  int sort = o->sort;
  size_t offset = o->offset, want = o->offset + o->limit;
  if (want < offset) want = SIZE_MAX;
  if (want > snap->live_docs) want = (size_t)snap->live_docs;
  heap hp;
  if (topk_init(&hp, want, sort, o->collapse)) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  int rc = 0, lower_bound = 0;
  for (size_t si = 0; si < snap->n && !rc; si++) {
    const snap_seg *g = &snap->segs[si];
    qctx_seg(&cx, g);
    if (q->kind == Q_ALL && !(o->half_life > 0)) {
      rc = topk_all(&cx, g, (uint32_t)si, &hp, total);
      continue;
    }
    qit *it = qit_build(&cx, q);
    if (it && cx.err) { /* a term the given figures lack */
      it->destroy(it);
      it = NULL;
    }
    if (!it) { rc = cx.err ? cx.err : ND_ERR_NOMEM; break; }
    uint64_t seen = 0;
    if (sort == ND_SORT_RELEVANCE && topk_and_of_terms(it)) {
      topk_and_scan(&cx, g, (uint32_t)si, (multi_it *)it, &hp, &seen);
      it->destroy(it);
      rc = cx.err;
      *total += seen;
      continue;
    }
    if (sort == ND_SORT_RELEVANCE && topk_block_max(&cx, g, (uint32_t)si, it, &hp, &seen, *exact)) {
      it->destroy(it);
      rc = cx.err;
      if (*exact && !rc) rc = count_live(&cx, g, q, &seen);
      else if (!*exact) lower_bound = 1;
      *total += seen;
      continue;
    }
    for (; it->doc != PL_END && !cx.err; it->next(it)) {
      uint32_t d = it->doc;
      if (d >= g->seg.m.ndocs) { cx.err = ND_ERR_CORRUPT; break; }
      if (ss_deleted(g, d)) continue;
      (*total)++;
      topk_offer(&cx, &hp, g, (uint32_t)si, d, it->score(it));
    }
    it->destroy(it);
    rc = cx.err;
  }
  qctx_free(&cx);
  if (rc) {
    topk_free(&hp);
    return qctx_fail(ix, rc);
  }
  if (lower_bound) *exact = 0;
  topk_take(&hp, offset, hits, nhits);
  return 0;
}
