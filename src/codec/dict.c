/* dict.c -- term dictionary writer and reader (format in dict.h). */
#include "dict.h"

#include <string.h>

void dw_init(dict_writer *w) {
  memset(w, 0, sizeof *w);
  buf_init(&w->blk);
  buf_init(&w->index);
}

void dw_free(dict_writer *w) {
  buf_free(&w->blk);
  buf_free(&w->index);
}

/* Write the current block with its header (the count is known only now). */
static void flush_block(dict_writer *w, buf *out) {
  uint64_t doc_off = w->blk_doc_off, pos_off = w->blk_pos_off;
  if (w->nin == 0) return;
  buf hdr;
  buf_init(&hdr);
  buf_put_uvarint(&hdr, w->nin);
  buf_put_uvarint(&hdr, doc_off);
  buf_put_uvarint(&hdr, pos_off);
  buf_put_u64(&w->index, w->off);
  buf_put(out, hdr.p, hdr.n);
  buf_put(out, w->blk.p, w->blk.n);
  if (hdr.oom) out->oom = 1;
  w->off += hdr.n + w->blk.n;
  buf_free(&hdr);
  buf_reset(&w->blk);
  w->nin = 0;
  w->nblocks++;
}

int dw_add(dict_writer *w, const char *term, size_t len, const term_info *ti, buf *out) {
  if (len > DICT_MAX_TERM) return -1;
  if (w->nterms) {
    size_t m = len < w->prevlen ? len : w->prevlen;
    int c = memcmp(term, w->prev, m);
    if (c < 0 || (c == 0 && len <= w->prevlen)) return -1;
  }
  if (w->nin == DICT_BLOCK) flush_block(w, out);
  size_t shared = 0;
  if (w->nin == 0) {
    w->blk_doc_off = ti->doc_off;
    w->blk_pos_off = ti->pos_off;
  } else {
    while (shared < len && shared < w->prevlen && term[shared] == w->prev[shared]) shared++;
  }
  buf_put_uvarint(&w->blk, shared);
  buf_put_uvarint(&w->blk, len - shared);
  buf_put(&w->blk, term + shared, len - shared);
  buf_put_uvarint(&w->blk, ti->df);
  buf_put_uvarint(&w->blk, ti->doc_len);
  buf_put_uvarint(&w->blk, ti->pos_len);
  memcpy(w->prev, term, len);
  w->prevlen = len;
  w->nin++;
  w->nterms++;
  return w->blk.oom || out->oom ? -1 : 0;
}

int dw_finish(dict_writer *w, buf *out, uint64_t *index_off) {
  flush_block(w, out);
  *index_off = w->off;
  buf_put(out, w->index.p, w->index.n);
  w->off += w->index.n;
  return out->oom || w->index.oom ? -1 : 0;
}

int dict_open(dict *d, const uint8_t *base, size_t len, uint64_t index_off, uint64_t nblocks, uint64_t nterms) {
  d->base = base;
  d->index_off = index_off;
  d->nblocks = nblocks;
  d->nterms = nterms;
  /* Block offsets are checked when a block is entered, not here: opening
  ** costs nothing per block. */
  return index_off > len || nblocks > (len - index_off) / 8 ? -1 : 0;
}

/* Start reading block b: header, then the first term. */
static int enter_block(dict_iter *it, uint64_t b) {
  const dict *d = it->d;
  it->blk = b;
  uint64_t lo = rd_u64(d->base + d->index_off + b * 8);
  uint64_t hi = b + 1 < d->nblocks ? rd_u64(d->base + d->index_off + (b + 1) * 8) : d->index_off;
  if (lo >= hi || hi > d->index_off) return it->err = -1;
  it->p = d->base + lo;
  it->end = d->base + hi;
  uint64_t n, doc_off, pos_off;
  if (get_uvarint(&it->p, it->end, &n) || get_uvarint(&it->p, it->end, &doc_off) ||
      get_uvarint(&it->p, it->end, &pos_off) || n == 0 || n > DICT_BLOCK || (b + 1 < d->nblocks && n != DICT_BLOCK))
    return it->err = -1;
  it->ord = b * DICT_BLOCK - 1; /* the entry before the block's first: wraps for block 0 */
  it->left = (uint32_t)n;
  it->len = 0;
  it->ti.doc_off = doc_off;
  it->ti.pos_off = pos_off;
  it->ti.doc_len = it->ti.pos_len = 0;
  return 0;
}

/* Decode the next entry of the current block (it->left > 0). */
static int read_entry(dict_iter *it) {
  uint64_t shared, suf, df, dl, pl;
  if (get_uvarint(&it->p, it->end, &shared) || get_uvarint(&it->p, it->end, &suf) ||
      shared > it->len || shared + suf > DICT_MAX_TERM || suf > (uint64_t)(it->end - it->p))
    return it->err = -1;
  memcpy(it->term + shared, it->p, suf);
  it->p += suf;
  it->len = shared + suf;
  it->term[it->len] = 0;
  if (get_uvarint(&it->p, it->end, &df) || get_uvarint(&it->p, it->end, &dl) ||
      get_uvarint(&it->p, it->end, &pl) || df == 0 || df > UINT32_MAX)
    return it->err = -1;
  it->ti.doc_off += it->ti.doc_len;
  it->ti.pos_off += it->ti.pos_len;
  it->ti.df = (uint32_t)df;
  it->ti.doc_len = dl;
  it->ti.pos_len = pl;
  it->left--;
  it->ord++;
  return 0;
}

int dict_next(dict_iter *it) {
  if (it->err) return -1;
  if (it->left == 0) {
    if (it->blk + 1 >= it->d->nblocks) return 0;
    if (enter_block(it, it->blk + 1)) return -1;
  }
  return read_entry(it) ? -1 : 1;
}

static int cmp_key(const char *a, size_t alen, const char *b, size_t blen) {
  int c = memcmp(a, b, alen < blen ? alen : blen);
  return c ? c : (alen > blen) - (alen < blen);
}

int dict_seek(dict_iter *it, const dict *d, const char *key, size_t len) {
  memset(it, 0, sizeof *it);
  it->d = d;
  if (d->nblocks == 0) return 0;
  /* Last block whose first term <= key. */
  uint64_t lo = 0, hi = d->nblocks;
  while (hi - lo > 1) {
    uint64_t mid = lo + (hi - lo) / 2;
    dict_iter t = {.d = d};
    if (enter_block(&t, mid) || read_entry(&t)) return it->err = -1;
    if (cmp_key(t.term, t.len, key, len) <= 0) lo = mid;
    else hi = mid;
  }
  if (enter_block(it, lo)) return -1;
  for (;;) {
    int r = dict_next(it);
    if (r <= 0) return r;
    if (cmp_key(it->term, it->len, key, len) >= 0) return 1;
  }
}

int dict_seek_ord(dict_iter *it, const dict *d, uint64_t ord) {
  memset(it, 0, sizeof *it);
  it->d = d;
  if (ord >= d->nterms || ord / DICT_BLOCK >= d->nblocks) return 0;
  if (enter_block(it, ord / DICT_BLOCK)) return -1;
  for (uint64_t i = 0; i <= ord % DICT_BLOCK; i++)
    if (it->left == 0 || read_entry(it)) return it->err = -1;
  return 1;
}

int dict_lookup(const dict *d, const char *key, size_t len, term_info *ti) {
  dict_iter it;
  int r = dict_seek(&it, d, key, len);
  if (r <= 0) return r;
  if (it.len != len || memcmp(it.term, key, len)) return 0;
  *ti = it.ti;
  return 1;
}
