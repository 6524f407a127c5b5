/* postings.c -- block postings encoder and cursor (format in postings.h). */
#include "postings.h"

#include <limits.h>
#include <math.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include <streamvbyte.h>
#include <streamvbytedelta.h>
#include <string.h>

#include "../util/mem.h"
#include "bp.h"
#include "svb.h"

void pl_writer_init(pl_writer *w) {
  memset(w, 0, sizeof *w);
  w->codec = PL_CODEC_BP;
}

void pl_writer_free(pl_writer *w) {
  mem_free(w->docs);
  mem_free(w->tft);
  mem_free(w->tfb);
  mem_free(w->blk_pos);
  mem_free(w->run_off);
  buf_free(&w->pos);
  pl_writer_init(w);
}

void pl_writer_reset(pl_writer *w) {
  w->n = 0;
  w->npos = 0;
  w->npend = 0;
  w->nrun = 0;
  w->pos_nonzero = 0;
  buf_reset(&w->pos);
}

static int grow(uint32_t **p, size_t cap) {
  uint32_t *q = mem_realloc(*p, cap * sizeof *q);
  if (!q) return -1;
  *p = q;
  return 0;
}

int pl_add(pl_writer *w, uint32_t doc, uint32_t tft, uint32_t tfb, const uint32_t *pos, size_t npos) {
  /* what a cursor could not give back: PL_END, documents out of order,
  ** more positions than pl_positions can count */
  if (doc == PL_END || (w->n && doc <= w->docs[w->n - 1]) || npos > INT_MAX ||
      (uint64_t)tft + tfb > INT_MAX)
    return -1;
  if (w->n == w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 16;
    if (grow(&w->docs, cap) || grow(&w->tft, cap) || grow(&w->tfb, cap)) return -1;
    w->cap = cap;
  }
  if (w->n % PB_SIZE == 0) {
    size_t b = w->n / PB_SIZE;
    if (b >= w->nblk_cap) {
      size_t cap = w->nblk_cap ? w->nblk_cap * 2 : 4;
      if (grow(&w->blk_pos, cap)) return -1;
      w->nblk_cap = cap;
    }
    uint64_t at = w->codec == PL_CODEC_BP ? w->npos : w->pos.n;
    if (at > UINT32_MAX) return -1;
    w->blk_pos[b] = (uint32_t)at;
  }
  w->docs[w->n] = doc;
  w->tft[w->n] = tft;
  w->tfb[w->n] = tfb;
  w->n++;
  w->npos += npos;
  uint32_t prev = 0;
  for (size_t i = 0; i < npos; i++) {
    uint32_t v = pos[i] - prev;
    prev = pos[i];
    w->pos_nonzero |= v != 0;
    if (w->codec != PL_CODEC_BP) {
      buf_put_uvarint(&w->pos, v);
      continue;
    }
    w->pend[w->npend++] = v;
    if (w->npend == PB_SIZE) { /* a run of 128 */
      if (w->nrun == w->run_cap) {
        size_t cap = w->run_cap ? w->run_cap * 2 : 16;
        if (grow(&w->run_off, cap)) return -1;
        w->run_cap = cap;
      }
      if (w->pos.n > UINT32_MAX) return -1;
      w->run_off[w->nrun++] = (uint32_t)w->pos.n;
      if (bp_pfor_put(&w->pos, w->pend)) return -1;
      w->npend = 0;
    }
  }
  return w->pos.oom ? -1 : 0;
}

/* PL_CODEC_BP: the positions left after the last run; returns the byte
** offset of the tail (where a block whose first position is in it points). */
static uint32_t put_pos_tail(pl_writer *w) {
  uint32_t at = (uint32_t)w->pos.n;
  /* the reader tells a tail without a marker only in a one-block term
  ** with fewer than 128 positions */
  if (w->npend && (w->nrun || w->n > PB_SIZE)) buf_put(&w->pos, &(uint8_t){PL_POS_TAIL}, 1);
  for (uint32_t i = 0; i < w->npend; i++) buf_put_uvarint(&w->pos, w->pend[i]);
  return at;
}

/* A float no smaller than x. */
static float round_up(double x) {
  float f = (float)x;
  return (double)f < x ? nextafterf(f, INFINITY) : f;
}

/* Block lo..lo+n of the term in the packed format (postings.h): PFOR runs
** for a full block, uvarints for a shorter one.  0 or -1. */
static int put_bp_block(const pl_writer *w, size_t lo, size_t n, buf *out) {
  uint32_t prev = lo ? w->docs[lo - 1] : UINT32_MAX;
  if (n < PB_SIZE) {
    for (size_t i = lo; i < lo + n; i++) {
      int one = w->tft[i] == 0 && w->tfb[i] == 1;
      buf_put_uvarint(out, (uint64_t)(w->docs[i] - prev - 1) << 1 | (uint64_t)one);
      if (!one) {
        buf_put_uvarint(out, w->tft[i]);
        buf_put_uvarint(out, w->tfb[i]);
      }
      prev = w->docs[i];
    }
    return out->oom ? -1 : 0;
  }
  uint32_t gaps[PB_SIZE];
  for (size_t i = 0; i < PB_SIZE; i++) {
    gaps[i] = w->docs[lo + i] - prev - 1;
    prev = w->docs[lo + i];
  }
  return bp_pfor_put(out, gaps) || bp_pfor_put(out, w->tft + lo) || bp_pfor_put(out, w->tfb + lo) ? -1 : 0;
}

int pl_finish(pl_writer *w, const pl_impact *imp, buf *out, buf *pos_out) {
  size_t nblocks = (w->n + PB_SIZE - 1) / PB_SIZE;
  size_t skip_at = out->n, skipw = w->codec == PL_CODEC_BP ? PL_SKIP_BP : PL_SKIP;
  int implied = w->codec == PL_CODEC_BP && !w->pos_nonzero; /* no position bytes */
  uint32_t tail_at = w->codec == PL_CODEC_BP && !implied ? put_pos_tail(w) : 0;
  if (w->pos.n > UINT32_MAX || w->npos > UINT32_MAX) return -1;
  if (nblocks > 1) {
    if (buf_reserve(out, nblocks * skipw)) return -1;
    memset(out->p + out->n, 0, nblocks * skipw);
    out->n += nblocks * skipw;
  }
  size_t first = out->n;
  for (size_t b = 0; b < nblocks; b++) {
    size_t lo = b * PB_SIZE, n = w->n - lo < PB_SIZE ? w->n - lo : PB_SIZE;
    if (w->codec == PL_CODEC_BP) {
      if (put_bp_block(w, lo, n, out)) return -1;
    } else {
      if (buf_reserve(out, 3 * streamvbyte_max_compressedbytes((uint32_t)n))) return -1;
      uint32_t prev = b ? w->docs[lo - 1] : 0;
      out->n += streamvbyte_delta_encode(w->docs + lo, (uint32_t)n, out->p + out->n, prev);
      out->n += streamvbyte_encode(w->tft + lo, (uint32_t)n, out->p + out->n);
      out->n += streamvbyte_encode(w->tfb + lo, (uint32_t)n, out->p + out->n);
    }
    if (nblocks > 1) {
      if (out->n - first > UINT32_MAX) return -1;
      uint8_t *e = out->p + skip_at + b * skipw;
      wr_u32(e, w->docs[lo + n - 1]);
      wr_u32(e + 4, (uint32_t)(out->n - first));
      if (implied) {
        /* no positions to point at: offset and index stay 0 */
      } else if (w->codec == PL_CODEC_BP) { /* the run holding the block's first position */
        size_t run = w->blk_pos[b] / PB_SIZE;
        wr_u32(e + 8, run < w->nrun ? w->run_off[run] : tail_at);
        wr_u32(e + 16, w->blk_pos[b]);
      } else {
        wr_u32(e + 8, w->blk_pos[b]);
      }
      double mx = 0;
      for (size_t i = lo; i < lo + n; i++) {
        double v = imp->fn(imp->ctx, w->docs[i], w->tft[i], w->tfb[i]);
        if (v > mx) mx = v;
      }
      union { float f; uint32_t u; } bv = {round_up(mx)};
      wr_u32(e + 12, bv.u);
    }
  }
  if (!implied) buf_put(pos_out, w->pos.p, w->pos.n);
  return out->oom || pos_out->oom ? -1 : 0;
}

/* 1 if a[0..n) increases strictly: four comparisons at a time (SSE2 has
** only signed ones: flipping the top bits makes them unsigned). */
static int increasing(const uint32_t *a, uint32_t n) {
  uint32_t i = 1;
#ifdef __SSE2__
  const __m128i flip = _mm_set1_epi32((int)0x80000000u);
  __m128i bad = _mm_setzero_si128();
  for (; i + 4 <= n; i += 4) {
    __m128i cur = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)(a + i)), flip);
    __m128i prev = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)(a + i - 1)), flip);
    bad = _mm_or_si128(bad, _mm_cmpgt_epi32(_mm_add_epi32(prev, _mm_set1_epi32(1)), cur));
    bad = _mm_or_si128(bad, _mm_cmpeq_epi32(prev, _mm_set1_epi32(0x7fffffff))); /* prev + 1 wraps */
  }
  if (_mm_movemask_epi8(bad)) return 0;
#endif
  for (; i < n; i++)
    if (a[i] <= a[i - 1]) return 0;
  return 1;
}

static void fail(pl_cursor *c) {
  c->err = 1;
  c->tf_ok = 1; /* nothing more to decode */
  c->doc = PL_END;
  c->blk = c->nblocks;
}

/* Decode a short packed block's n doc numbers and frequencies; 0 or -1. */
static int load_short(pl_cursor *c, const uint8_t *p, const uint8_t *end, uint32_t n, int64_t doc) {
  for (uint32_t i = 0; i < n; i++) {
    uint64_t x, tft = 0, tfb = 1;
    if (get_uvarint(&p, end, &x) || x >> 1 > UINT32_MAX) return -1;
    doc += (int64_t)(x >> 1) + 1;
    if (doc > (int64_t)UINT32_MAX) return -1;
    if (!(x & 1) && (get_uvarint(&p, end, &tft) || get_uvarint(&p, end, &tfb) || tft > UINT32_MAX || tfb > UINT32_MAX))
      return -1;
    c->docs[i] = (uint32_t)doc;
    c->tft[i] = (uint32_t)tft;
    c->tfb[i] = (uint32_t)tfb;
  }
  c->tf_ok = 1;
  return 0;
}

/* Decode block b. */
static void load_block(pl_cursor *c, uint32_t b) {
  const uint8_t *p = c->blocks, *end = c->end;
  uint32_t prev = 0, pos_off = 0, pos_idx = 0;
  if (c->skip) {
    const uint8_t *e = c->skip + (size_t)b * c->skipw;
    if (b) {
      prev = rd_u32(e - c->skipw);
      p = c->blocks + rd_u32(e - c->skipw + 4);
    }
    end = c->blocks + rd_u32(e + 4);
    pos_off = rd_u32(e + 8);
    if (end > c->end || p > end || pos_off > (size_t)(c->pend - c->pbase)) { fail(c); return; }
    if (c->codec == PL_CODEC_BP) pos_idx = rd_u32(e + 16);
  }
  uint32_t n = (b + 1 < c->nblocks) ? PB_SIZE : c->df - b * PB_SIZE;
  /* Frequencies are decoded when first asked for (pl_tf_load): an AND
  ** or a phrase visits many blocks for a few of their documents.  A
  ** short packed block has them between its doc numbers: they come now. */
  c->bend = end;
  c->tf_ok = 0;
  if (c->codec == PL_CODEC_SVB) {
    size_t l1 = svb_delta_decode(p, end, c->docs, n, prev);
    if (l1 == SIZE_MAX || !increasing(c->docs, n)) { fail(c); return; }
    c->tfp = p + l1;
  } else if (n == PB_SIZE) {
    unsigned width;
    int64_t start = b ? (int64_t)prev : -1;
    if (!(c->tfp = bp_pfor_get(p, end, c->docs, &width))) { fail(c); return; }
    bp_prefix(c->docs, (uint32_t)start);
    /* Gaps are at least 1 each: the doc numbers increase unless their sum
    ** wraps, which it cannot when 128 gaps of that width stay below 2^32. */
    if (start + ((int64_t)PB_SIZE << width) > (int64_t)UINT32_MAX && !increasing(c->docs, n)) { fail(c); return; }
  } else if (load_short(c, p, end, n, b ? (int64_t)prev : -1)) {
    fail(c);
    return;
  }
  if (c->skip && c->docs[n - 1] != rd_u32(c->skip + (size_t)b * c->skipw)) { fail(c); return; }
  c->blk = b;
  c->n = n;
  c->i = 0;
  c->doc = c->docs[0];
  c->pcur = c->pbase + pos_off;
  c->pidx = 0;
  c->pblk_idx = pos_idx;
  c->psum_ok = 0;
  c->pu = c->pblk = c->pbase + pos_off;
  c->pu_first = c->pblk_first = pos_idx & ~(uint32_t)(PB_SIZE - 1);
  c->pu_n = 0;
}

void pl_tf_load(pl_cursor *c) {
  c->tf_ok = 1;
  if (c->codec == PL_CODEC_BP) { /* a full block: short ones were read whole */
    const uint8_t *q = bp_pfor_get(c->tfp, c->bend, c->tft, NULL);
    if (!q || !bp_pfor_get(q, c->bend, c->tfb, NULL)) {
      c->err = 1;
      memset(c->tft, 0, sizeof c->tft);
      memset(c->tfb, 0, sizeof c->tfb);
    }
    return;
  }
  size_t l2 = svb_decode(c->tfp, c->bend, c->tft, c->n);
  if (l2 == SIZE_MAX || svb_decode(c->tfp + l2, c->bend, c->tfb, c->n) == SIZE_MAX) {
    c->err = 1; /* damaged: report it, and give frequencies of 0 */
    memset(c->tft, 0, sizeof c->tft);
    memset(c->tfb, 0, sizeof c->tfb);
  }
}

int pl_open(pl_cursor *c, int codec, const uint8_t *doc, size_t doc_len, const uint8_t *pos, size_t pos_len,
            uint32_t df) {
  c->codec = codec;
  c->skipw = codec == PL_CODEC_BP ? PL_SKIP_BP : PL_SKIP;
  c->ptotal = UINT32_MAX;
  c->err = 0;
  c->tf_ok = 1;
  c->df = df;
  c->nblocks = (uint32_t)(((uint64_t)df + PB_SIZE - 1) / PB_SIZE); /* so the last block holds 1..128 */
  c->pbase = pos;
  c->pend = pos + pos_len;
  c->end = doc + doc_len;
  c->skip = NULL;
  c->blocks = doc;
  c->blk = c->nblocks;
  c->n = c->i = 0;
  c->doc = PL_END;
  if (df == 0) return 0;
  if (c->nblocks > 1) {
    if (doc_len < (size_t)c->nblocks * c->skipw) { fail(c); return -1; }
    c->skip = doc;
    c->blocks = doc + (size_t)c->nblocks * c->skipw;
  }
  load_block(c, 0);
  return c->err ? -1 : 0;
}

void pl_next(pl_cursor *c) {
  if (c->doc == PL_END) return;
  if (++c->i < c->n) { c->doc = c->docs[c->i]; return; }
  if (c->blk + 1 >= c->nblocks) { c->doc = PL_END; c->blk = c->nblocks; return; }
  load_block(c, c->blk + 1);
}

uint32_t pl_block_for(const pl_cursor *c, uint32_t target) {
  if (c->blk >= c->nblocks) return c->nblocks;
  if (c->docs[c->n - 1] >= target) return c->blk;
  uint32_t lo = c->blk + 1, hi = c->nblocks;
  if (!c->skip) return c->nblocks;
  /* Gallop from the current block, then binary-search the last step:
  ** nearby targets (the common case) cost a few reads. */
  uint32_t step = 1;
  while (lo + step < hi && pl_last_of(c, lo + step - 1) < target) {
    lo += step;
    step *= 2;
  }
  if (lo + step < hi) hi = lo + step;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (pl_last_of(c, mid) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

void pl_advance_far(pl_cursor *c, uint32_t target) {
  /* Find the first later block whose last doc reaches target. */
  uint32_t lo = pl_block_for(c, target);
  if (lo >= c->nblocks) { c->doc = PL_END; c->blk = c->nblocks; return; }
  load_block(c, lo);
  if (c->err) return;
  c->i = pl_first_at_least(c->docs, 0, c->n, target); /* it exists: the last is >= target */
  c->doc = c->docs[c->i];
}

/* Move *p past k uvarints (each ends with a byte below 0x80), counting
** the ends of eight bytes at a time.  0, or -1 if the data ends first. */
static int skip_uvarints(const uint8_t **p, const uint8_t *end, uint64_t k) {
  const uint8_t *q = *p;
  while (k >= 8 && end - q >= 8) {
    uint64_t w;
    memcpy(&w, q, 8);
    /* one bit per ending byte, moved to the bottom of its byte, summed */
    uint64_t ends = (((~w & 0x8080808080808080ULL) >> 7) * 0x0101010101010101ULL) >> 56;
    if (ends > k) break;
    k -= ends;
    q += 8;
  }
  for (; k > 0; q++) {
    if (q >= end) return -1;
    k -= *q < 0x80;
  }
  *p = q;
  return 0;
}

/* PL_CODEC_BP: whether the unit at c->pu is the tail; *p is set past its
** marker.  -1 if there is nothing there. */
static int unit_is_tail(pl_cursor *c, const uint8_t **p) {
  *p = c->pu;
  if (c->ptotal == UINT32_MAX && c->nblocks == 1) { /* one block: the count is at hand */
    uint64_t t = 0;
    for (uint32_t j = 0; j < c->n; j++) t += (uint64_t)c->tft[j] + c->tfb[j];
    c->ptotal = t < PB_SIZE ? (uint32_t)t : UINT32_MAX - 1;
  }
  if (c->ptotal < PB_SIZE) return 1; /* one block, fewer than 128: uvarints only */
  if (*p >= c->pend) return -1;
  if (**p != PL_POS_TAIL) return 0;
  ++*p;
  return 1;
}

/* PL_CODEC_BP: move past the run at c->pu without unpacking it; 0, or -1
** if it is the tail (the index sought is past the end) or damaged. */
static int skip_unit(pl_cursor *c) {
  const uint8_t *p;
  if (unit_is_tail(c, &p) || !(p = bp_pfor_skip(p, c->pend))) return -1;
  c->pu = p;
  c->pu_first += PB_SIZE;
  c->pu_n = 0;
  return 0;
}

/* PL_CODEC_BP: decode the run or tail at c->pu into c->pv; 0 or -1. */
static int load_unit(pl_cursor *c) {
  const uint8_t *p, *end = c->pend;
  int tail = unit_is_tail(c, &p);
  if (tail < 0) return -1;
  if (!tail) {
    if (!(c->pu_next = bp_pfor_get(p, end, c->pv, NULL))) return -1;
    c->pu_n = PB_SIZE;
    return 0;
  }
  uint32_t n = 0;
  while (p < end) { /* the tail runs to the end of the term's positions */
    uint64_t v;
    if (n == PB_SIZE - 1 || get_uvarint(&p, end, &v) || v > UINT32_MAX) return -1;
    c->pv[n++] = (uint32_t)v;
  }
  if (!n) return -1;
  c->pu_next = p;
  c->pu_n = n;
  return 0;
}

/* The positions of documents lo..hi of the block: their frequencies'
** sum, four at a time in 32-bit lanes (a term's positions in a segment
** stay below 2^32, pl_finish; damaged frequencies that wrap give a wrong
** index, which the readers check against their bytes). */
static uint64_t tf_sum(const pl_cursor *c, uint32_t lo, uint32_t hi) {
  uint64_t s = 0;
  uint32_t j = lo;
#ifdef __SSE2__
  __m128i acc = _mm_setzero_si128();
  for (; j + 4 <= hi; j += 4)
    acc = _mm_add_epi32(acc, _mm_add_epi32(_mm_loadu_si128((const __m128i *)(const void *)(c->tft + j)),
                                           _mm_loadu_si128((const __m128i *)(const void *)(c->tfb + j))));
  uint32_t t[4];
  _mm_storeu_si128((__m128i *)(void *)t, acc);
  s = (uint64_t)t[0] + t[1] + t[2] + t[3];
#endif
  for (; j < hi; j++) s += (uint64_t)c->tft[j] + c->tfb[j];
  return s;
}

/* PL_CODEC_BP: psum[j + 1] = the positions of the block's documents up
** to j, once a block, four at a time in 32-bit lanes (as tf_sum's). */
static void tf_prefix(pl_cursor *c) {
  uint32_t j = 0, t = 0;
  c->psum[0] = 0;
#ifdef __SSE2__
  __m128i carry = _mm_setzero_si128();
  for (; j + 4 <= c->n; j += 4) {
    __m128i v = _mm_add_epi32(_mm_loadu_si128((const __m128i *)(const void *)(c->tft + j)),
                              _mm_loadu_si128((const __m128i *)(const void *)(c->tfb + j)));
    v = _mm_add_epi32(v, _mm_slli_si128(v, 4));
    v = _mm_add_epi32(v, _mm_slli_si128(v, 8));
    v = _mm_add_epi32(v, carry);
    _mm_storeu_si128((__m128i *)(void *)(c->psum + j + 1), v);
    carry = _mm_shuffle_epi32(v, 0xff);
  }
  t = c->psum[j];
#endif
  for (; j < c->n; j++) c->psum[j + 1] = t += c->tft[j] + c->tfb[j];
  c->psum_ok = 1;
}

/* PL_CODEC_BP: positions of the current document, from the runs. */
static int positions_bp(pl_cursor *c, uint32_t *out) {
  if (!c->psum_ok) tf_prefix(c);
  uint32_t k = c->tft[c->i] + c->tfb[c->i];
  uint64_t at = c->pblk_idx + c->psum[c->i], acc = 0;
  if (at < c->pu_first) { /* asked again after a later run was loaded */
    c->pu = c->pblk;
    c->pu_first = c->pblk_first;
    c->pu_n = 0;
  }
  if (k > INT_MAX) { c->err = 1; return -1; }
  for (uint32_t j = 0; j < k;) {
    /* runs wholly before the position sought are stepped over unread */
    while (!c->pu_n && at >= (uint64_t)c->pu_first + PB_SIZE)
      if (skip_unit(c)) { c->err = 1; return -1; }
    if (!c->pu_n && load_unit(c)) { c->err = 1; return -1; }
    if (at < c->pu_first) { c->err = 1; return -1; }
    if (at - c->pu_first >= c->pu_n) { /* in a later run */
      if (c->pu_n < PB_SIZE) { c->err = 1; return -1; } /* past the tail */
      c->pu = c->pu_next;
      c->pu_first += PB_SIZE;
      c->pu_n = 0;
      continue;
    }
    /* as many as this run holds; the sums only grow, so checking the
    ** last for overflow checks them all */
    uint32_t off = (uint32_t)(at - c->pu_first), m = c->pu_n - off < k - j ? c->pu_n - off : k - j;
    const uint32_t *v = c->pv + off;
    for (uint32_t q = 0; q < m; q++) {
      acc += v[q];
      out[j + q] = (uint32_t)acc;
    }
    j += m;
    at += m;
  }
  if (acc > UINT32_MAX) { c->err = 1; return -1; }
  return (int)k;
}

int pl_positions(pl_cursor *c, uint32_t *out) {
  if (c->doc == PL_END) return -1;
  pl_tf_ready(c);
  if (c->pbase == c->pend) { /* every position 0 (postings.h) */
    uint64_t k = (uint64_t)c->tft[c->i] + c->tfb[c->i];
    if (k > INT_MAX) { c->err = 1; return -1; }
    memset(out, 0, k * sizeof *out);
    return (int)k;
  }
  if (c->codec == PL_CODEC_BP) return positions_bp(c, out);
  /* Skip the positions of the docs before the current one in this block. */
  if (c->pidx < c->i) {
    uint64_t k = tf_sum(c, c->pidx, c->i);
    c->pidx = c->i;
    if (skip_uvarints(&c->pcur, c->pend, k)) { c->err = 1; return -1; }
  }
  uint32_t k = c->tft[c->i] + c->tfb[c->i];
  const uint8_t *p = c->pcur;
  uint64_t prev = 0;
  for (uint32_t j = 0; j < k; j++) {
    uint64_t v;
    if (get_uvarint(&p, c->pend, &v)) { c->err = 1; return -1; }
    if (prev + v > UINT32_MAX) { c->err = 1; return -1; }
    prev += v;
    out[j] = (uint32_t)prev;
  }
  return (int)k;
}
