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

/* ---- written forms (format 9; dict.h) ---- */

enum { OP_COPY, OP_UPPER, OP_LIT, OP_SKIP };
#define FORM_SEP 0x1f
#define FORM_MAX_OPS 15

static int is_lower(uint8_t c) { return c >= 'a' && c <= 'z'; }
static int word_byte(uint8_t c) {
  return ((c | 32) >= 'a' && (c | 32) <= 'z') || (c >= '0' && c <= '9') || c == '\'' || c >= 0x80;
}
static int matches(uint8_t base, uint8_t c) { return base == c || (is_lower(base) && base - 32 == c); }

/* Where a term's reference starts: after its last byte below 0x20 before
** the separator at sep (0 if none). */
static size_t ref_start(const char *term, size_t sep) {
  while (sep > 0 && (uint8_t)term[sep - 1] >= 0x20) sep--;
  return sep;
}

/* The base of a form: ref[skip..rn) as it is (base 0), its words' first
** letters capitalised (1), or all of it (2), into out; its length. */
static size_t form_base(const char *ref, size_t rn, int base, size_t skip, char *out) {
  uint8_t prev = ' ';
  size_t m = 0;
  for (size_t i = skip; i < rn; i++) {
    uint8_t c = (uint8_t)ref[i];
    out[m++] = (char)(is_lower(c) && (base == 2 || (base == 1 && !word_byte(prev))) ? c - 32 : c);
    prev = c;
  }
  return m;
}

/* The operations that make d from the base b, into out (room for
** FORM_MAX_OPS + dn bytes); their bytes, and their count in *nops; 0 if
** it takes more than FORM_MAX_OPS or more than limit bytes.  Greedy: a display byte the base's next
** one gives is copied (capitalised if need be); a base byte is stepped
** over when the one after it gives the display byte and it does not give
** the next; anything else is literal. */
static size_t form_ops(const char *b, size_t bn, const char *d, size_t dn, uint8_t *out, int *nops, size_t limit) {
  size_t i = 0, o = 0, at = 0;
  int last = -1;
  *nops = 0;
  for (size_t j = 0; j < dn;) {
    uint8_t c = (uint8_t)d[j];
    int op;
    if (i < bn && (uint8_t)b[i] == c) op = OP_COPY;
    else if (i < bn && matches((uint8_t)b[i], c)) op = OP_UPPER;
    else if (i + 1 < bn && matches((uint8_t)b[i + 1], c) && !(j + 1 < dn && matches((uint8_t)b[i], (uint8_t)d[j + 1])))
      op = OP_SKIP;
    else op = OP_LIT;
    if (op == last && (out[at] & 63) < 63) out[at]++;
    else {
      if (++*nops > FORM_MAX_OPS) return 0;
      at = o;
      out[o++] = (uint8_t)(op << 6);
      last = op;
    }
    if (op == OP_LIT) out[o++] = c;
    if (o > limit) return 0;
    if (op != OP_LIT) i++;
    if (op != OP_SKIP) j++;
  }
  return o;
}

/* Decode a coded form from *pp against ref[0..rn) into out (room for cap
** bytes); its length, or -1 if damaged. */
static int form_decode(const uint8_t **pp, const uint8_t *end, const char *ref, size_t rn, char *out, size_t cap) {
  const uint8_t *p = *pp;
  if (p >= end) return -1;
  uint8_t h = *p++;
  int base = h & 3, nops = h >> 4;
  size_t skip = h >> 2 & 3, i = 0, m = 0;
  if (base == 3 || skip > rn) return -1;
  char b[DICT_MAX_TERM + 1];
  size_t bn = form_base(ref, rn, base, skip, b);
  if (nops == 0) {
    if (bn > cap) return -1;
    memcpy(out, b, bn);
    m = bn;
  }
  for (int k = 0; k < nops; k++) {
    if (p >= end) return -1;
    int op = *p >> 6;
    size_t n = (size_t)(*p++ & 63) + 1;
    if (op != OP_LIT && n > bn - i) return -1;
    if (op == OP_SKIP) {
      i += n;
      continue;
    }
    if (n > cap - m) return -1;
    if (op == OP_LIT) {
      if (n > (size_t)(end - p)) return -1;
      memcpy(out + m, p, n);
      p += n;
    } else {
      for (size_t j = 0; j < n; j++) {
        uint8_t c = (uint8_t)b[i + j];
        out[m + j] = (char)(op == OP_UPPER && is_lower(c) ? c - 32 : c);
      }
      i += n;
    }
    m += n;
  }
  *pp = p;
  return (int)m;
}

/* The shortest code of the form d[0..dn) against ref[0..rn) into out
** (room for 1 + FORM_MAX_OPS + dn bytes), checked by decoding it; its
** length, or 0 when none is shorter than the form. */
static size_t form_encode(const char *ref, size_t rn, const char *d, size_t dn, uint8_t *out) {
  /* the likeliest first (a topic's reference starts with its kind letter,
  ** names are title-cased), and none after a code of one byte */
  static const uint8_t TRY[12][2] = {{1, 1}, {0, 1}, {1, 0}, {0, 0}, {1, 2}, {0, 2},
                                     {2, 1}, {2, 0}, {2, 2}, {3, 1}, {3, 0}, {3, 2}};
  uint8_t code[1 + FORM_MAX_OPS + DICT_MAX_TERM];
  size_t best = dn; /* a code must be shorter than the form */
  for (int t = 0; t < 12 && best > 1; t++) {
    size_t skip = TRY[t][0];
    int base = TRY[t][1];
    if (skip > rn) continue;
    char b[DICT_MAX_TERM + 1];
    size_t bn = form_base(ref, rn, base, skip, b), n = 1;
    int nops = 0;
    if (bn != dn || memcmp(b, d, dn)) {
      if (best < 3) continue; /* operations take two bytes at least */
      size_t k = form_ops(b, bn, d, dn, code + 1, &nops, best - 2);
      if (!k) continue;
      n += k;
    }
    code[0] = (uint8_t)(base | skip << 2 | (size_t)nops << 4);
    if (n < best) {
      memcpy(out, code, n);
      best = n;
    }
  }
  if (best >= dn) return 0;
  char back[DICT_MAX_TERM + 1];
  const uint8_t *p = out;
  int m = form_decode(&p, out + best, ref, rn, back, sizeof back);
  return m == (int)dn && p == out + best && !memcmp(back, d, dn) ? best : 0;
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
  const char *sep = w->forms ? memrchr(term, FORM_SEP, len) : NULL;
  uint8_t code[1 + FORM_MAX_OPS + DICT_MAX_TERM];
  size_t at = sep ? (size_t)(sep - term) : 0, coded = 0;
  if (sep && at >= shared) {
    size_t a = ref_start(term, at);
    coded = form_encode(term + a, at - a, term + at + 1, len - at - 1, code);
  }
  buf_put_uvarint(&w->blk, shared);
  if (coded) {
    buf_put_uvarint(&w->blk, (uint64_t)(at + 1 - shared) << 1 | 1);
    buf_put(&w->blk, term + shared, at + 1 - shared);
    buf_put(&w->blk, code, coded);
  } else {
    buf_put_uvarint(&w->blk, w->forms ? (uint64_t)(len - shared) << 1 : len - shared);
    buf_put(&w->blk, term + shared, len - shared);
  }
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

int dict_open(dict *d, const uint8_t *base, size_t len, uint64_t index_off, uint64_t nblocks, uint64_t nterms,
              int forms) {
  d->base = base;
  d->forms = forms;
  d->index_off = index_off;
  d->nblocks = nblocks;
  d->nterms = nterms;
  /* Block offsets are checked when a block is entered, not here: opening
  ** costs nothing per block. */
  return index_off > len || nblocks > (len - index_off) / 8 ? -1 : 0;
}

/* Block b's bytes, from the block index: 0, or -1 if they do not lie
** before the index. */
static int block_span(const dict *d, uint64_t b, const uint8_t **p, const uint8_t **end) {
  uint64_t lo = rd_u64(d->base + d->index_off + b * 8);
  uint64_t hi = b + 1 < d->nblocks ? rd_u64(d->base + d->index_off + (b + 1) * 8) : d->index_off;
  if (lo >= hi || hi > d->index_off) return -1;
  *p = d->base + lo;
  *end = d->base + hi;
  return 0;
}

/* An entry's shared-prefix and suffix lengths, and whether its written
** form is coded (dict.h); 0 or -1. */
static int entry_head(const dict *d, const uint8_t **p, const uint8_t *end, uint64_t *shared, uint64_t *suf,
                      int *coded) {
  if (get_uvarint(p, end, shared) || get_uvarint(p, end, suf)) return -1;
  *coded = d->forms && (*suf & 1);
  if (d->forms) *suf >>= 1;
  return 0;
}

/* Start reading block b: header, then the first term. */
static int enter_block(dict_iter *it, uint64_t b) {
  const dict *d = it->d;
  it->blk = b;
  if (block_span(d, b, &it->p, &it->end)) return it->err = -1;
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
  int coded;
  if (entry_head(it->d, &it->p, it->end, &shared, &suf, &coded)) return it->err = -1;
  if (shared > it->len || shared + suf > DICT_MAX_TERM || suf > (uint64_t)(it->end - it->p)) return it->err = -1;
  memcpy(it->term + shared, it->p, suf);
  it->p += suf;
  it->len = shared + suf;
  if (coded) {
    size_t sep = it->len - 1;
    if (it->len == 0 || it->term[sep] != FORM_SEP) return it->err = -1;
    size_t a = ref_start(it->term, sep);
    int m = form_decode(&it->p, it->end, it->term + a, sep - a, it->term + it->len, DICT_MAX_TERM - it->len);
    if (m < 0) return it->err = -1;
    it->len += (size_t)m;
  }
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

static int skip_uvarint(const uint8_t **p, const uint8_t *end) {
  for (int i = 0; i < 10 && *p < end; i++)
    if (!(*(*p)++ & 0x80)) return 0;
  return -1;
}

/* Compare block b's first term with key, reading its bytes where they lie
** in the mapping (a first term shares nothing): -1, 0, 1, or -2 if the
** block is damaged.  A coded written form is decoded only when the bytes
** before it do not decide. */
static int cmp_first(const dict *d, uint64_t b, const char *key, size_t len) {
  const uint8_t *p, *end;
  uint64_t shared, suf;
  int coded;
  if (block_span(d, b, &p, &end) || skip_uvarint(&p, end) || skip_uvarint(&p, end) || skip_uvarint(&p, end) ||
      entry_head(d, &p, end, &shared, &suf, &coded) || shared)
    return -2;
  if (suf > (uint64_t)(end - p) || suf > DICT_MAX_TERM) return -2;
  int c = memcmp(p, key, suf < len ? suf : len);
  if (c) return c < 0 ? -1 : 1;
  if (!coded) return (suf > len) - (suf < len);
  if (suf > len) return 1; /* key is a prefix of the literal part */
  dict_iter t = {.d = d};
  if (enter_block(&t, b) || read_entry(&t)) return -2;
  return cmp_key(t.term, t.len, key, len);
}

int dict_seek(dict_iter *it, const dict *d, const char *key, size_t len) {
  memset(it, 0, sizeof *it);
  it->d = d;
  if (d->nblocks == 0) return 0;
  /* Last block whose first term <= key. */
  uint64_t lo = 0, hi = d->nblocks;
  while (hi - lo > 1) {
    uint64_t mid = lo + (hi - lo) / 2;
    int c = cmp_first(d, mid, key, len);
    if (c == -2) return it->err = -1;
    if (c <= 0) lo = mid;
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
