/*
** test_codec.c -- postings blocks, the term dictionary and stored-document
** blocks, each checked against plain arrays, and fed damaged bytes.
*/
#include <math.h>
#include <stdint.h>

#include "codec/bp.h"
#include "codec/dict.h"
#include "codec/postings.h"
#include "codec/store.h"
#include "codec/svb.h"
#include <streamvbyte.h>
#include <streamvbytedelta.h>
#include "test.h"
#include "util/mem.h"

static uint64_t rng = 88172645463325252ULL;
static uint32_t rnd(uint32_t n) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng % n);
}

typedef struct plist {
  uint32_t n, docs[3000], tft[3000], tfb[3000], pos[3000][6];
  buf doc, pos_bytes;
} plist;

/* A test impact: anything works; this one depends on every argument. */
static double test_impact(const void *ctx, uint32_t doc, uint32_t tft, uint32_t tfb) {
  (void)ctx;
  return 2.5 * tft + tfb + (doc % 7) / 10.0;
}
static const pl_impact TEST_IMPACT = {test_impact, NULL};

/* A random term: n docs, increasing, with frequencies and positions. */
static void make_list(plist *l, uint32_t n, pl_writer *w) {
  l->n = n;
  uint32_t d = 0;
  pl_writer_reset(w);
  for (uint32_t i = 0; i < n; i++) {
    d += 1 + rnd(i % 7 ? 3 : 5000);
    l->docs[i] = d;
    l->tft[i] = rnd(2);
    l->tfb[i] = 1 + rnd(4);
    uint32_t k = l->tft[i] + l->tfb[i], p = 0;
    for (uint32_t j = 0; j < k; j++) l->pos[i][j] = p += 1 + rnd(i % 5 ? 40 : 200000); /* some gaps need several bytes */
    if (pl_add(w, d, l->tft[i], l->tfb[i], l->pos[i], k)) abort();
  }
  buf_init(&l->doc);
  buf_init(&l->pos_bytes);
  if (pl_finish(w, &TEST_IMPACT, &l->doc, &l->pos_bytes)) abort();
  uint8_t pad[PL_PAD] = {0};
  buf_put(&l->doc, pad, sizeof pad);
}

/* Every list size around the block size, in both codecs (segments of
** format 8 pack their blocks, older ones are read in Stream VByte). */
static void test_postings_roundtrip_and_advance(void) {
  static plist l;
  pl_writer w;
  pl_writer_init(&w);
  static const uint32_t sizes[] = {1, 2, 127, 128, 129, 256, 1000, 2999};
  for (size_t s = 0; s < 2 * sizeof sizes / sizeof *sizes; s++) {
    int codec = s % 2 ? PL_CODEC_SVB : PL_CODEC_BP;
    w.codec = codec;
    make_list(&l, sizes[s / 2], &w);
    pl_cursor c;
    ASSERT_OK(pl_open(&c, codec, l.doc.p, l.doc.n - PL_PAD, l.pos_bytes.p, l.pos_bytes.n, l.n));
    uint32_t out[8];
    for (uint32_t i = 0; i < l.n; i++, pl_next(&c)) {
      ASSERT_EQ_INT(c.doc, l.docs[i]);
      ASSERT_EQ_INT(pl_tft(&c), l.tft[i]);
      ASSERT_EQ_INT(pl_tfb(&c), l.tfb[i]);
      if (i % 3 == 0) { /* positions are read lazily, for some docs only, */
        ASSERT_EQ_INT(pl_positions(&c, out), l.tft[i] + l.tfb[i]);
        for (uint32_t j = 0; j < l.tft[i] + l.tfb[i]; j++) ASSERT_EQ_INT(out[j], l.pos[i][j]);
        if (i % 2 == 0) { /* and some twice */
          memset(out, 0, sizeof out);
          ASSERT_EQ_INT(pl_positions(&c, out), l.tft[i] + l.tfb[i]);
          for (uint32_t j = 0; j < l.tft[i] + l.tfb[i]; j++) ASSERT_EQ_INT(out[j], l.pos[i][j]);
        }
      }
    }
    ASSERT_EQ_INT(c.doc, PL_END);
    ASSERT(!c.err);
    /* block bounds: the largest impact of the block, rounded up to a float
    ** (and not further); pl_block_for finds the block of a target */
    if (l.n > PB_SIZE) {
      ASSERT_OK(pl_open(&c, codec, l.doc.p, l.doc.n - PL_PAD, l.pos_bytes.p, l.pos_bytes.n, l.n));
      for (uint32_t b = 0; b * PB_SIZE < l.n; b++) {
        double mx = 0;
        for (uint32_t i = b * PB_SIZE; i < l.n && i < (b + 1) * PB_SIZE; i++)
          mx = fmax(mx, test_impact(NULL, l.docs[i], l.tft[i], l.tfb[i]));
        float got = pl_bound_of(&c, b);
        ASSERT(got >= mx && nextafterf(got, 0) < mx);
      }
      for (int trial = 0; trial < 200; trial++) {
        uint32_t t = rnd(l.docs[l.n - 1] + 10), i = 0;
        while (i < l.n && l.docs[i] < t) i++;
        ASSERT_EQ_INT(pl_block_for(&c, t), i < l.n ? i / PB_SIZE : c.nblocks);
      }
    }
    /* advance(target) lands on the first doc >= target, like a linear scan. */
    for (int trial = 0; trial < 50; trial++) {
      pl_open(&c, codec, l.doc.p, l.doc.n - PL_PAD, l.pos_bytes.p, l.pos_bytes.n, l.n);
      uint32_t t = 0, i = 0;
      while (c.doc != PL_END) {
        t = c.doc + 1 + rnd(3000);
        pl_advance(&c, t);
        while (i < l.n && l.docs[i] < t) i++;
        ASSERT_EQ_INT(c.doc, i < l.n ? l.docs[i] : PL_END);
        if (c.doc != PL_END && rnd(2)) {
          ASSERT_EQ_INT(pl_positions(&c, out), l.tft[i] + l.tfb[i]);
          ASSERT_EQ_INT(out[0], l.pos[i][0]);
        }
      }
    }
    buf_free(&l.doc);
    buf_free(&l.pos_bytes);
  }
  pl_writer_free(&w);
}

/* Damaged postings give err or wrong-but-bounded answers, never a crash
** (run under the sanitizers in CI). */
static void test_postings_damaged(void) {
  static plist l;
  pl_writer w;
  pl_writer_init(&w);
  for (int codec = 0; codec < 2; codec++) {
  w.codec = codec;
  make_list(&l, 700, &w);
  int caught = 0;
  for (size_t at = 0; at < l.doc.n - PL_PAD; at++) {
    uint8_t saved = l.doc.p[at];
    l.doc.p[at] ^= (uint8_t)(1 + rnd(255));
    pl_cursor c;
    uint32_t out[64];
    if (pl_open(&c, codec, l.doc.p, l.doc.n - PL_PAD, l.pos_bytes.p, l.pos_bytes.n, l.n) == 0)
      for (int steps = 0; c.doc != PL_END && steps < 2000; steps++) {
        if (pl_tft(&c) + pl_tfb(&c) <= 64) pl_positions(&c, out);
        pl_next(&c);
      }
    caught += c.err;
    l.doc.p[at] = saved;
  }
  ASSERT(caught > 0);
  /* damaged positions: a copy of exactly their size, so that ASan sees
  ** any read past them */
  uint8_t *pos = mem_alloc(l.pos_bytes.n);
  ASSERT(pos);
  int pcaught = 0;
  for (size_t at = 0; at < l.pos_bytes.n; at += 1 + at % 3) {
    memcpy(pos, l.pos_bytes.p, l.pos_bytes.n);
    pos[at] ^= (uint8_t)(1 + rnd(255));
    pl_cursor c;
    uint32_t out[64];
    ASSERT_OK(pl_open(&c, codec, l.doc.p, l.doc.n - PL_PAD, pos, l.pos_bytes.n, l.n));
    for (; c.doc != PL_END; pl_next(&c))
      if (pl_positions(&c, out) < 0) break;
    pcaught += c.err;
  }
  ASSERT(pcaught > 0);
  mem_free(pos);
  buf_free(&l.doc);
  buf_free(&l.pos_bytes);
  }
  pl_writer_free(&w);
}

/* What the writer refuses, what it must still give back (a term of many
** documents but few positions, as source terms are), and a df no block
** count can hold. */
static void test_postings_edges(void) {
  pl_writer w;
  pl_writer_init(&w);
  uint32_t one = 7;
  ASSERT_OK(pl_add(&w, 5, 0, 1, &one, 1));
  ASSERT(pl_add(&w, 5, 0, 1, &one, 1) < 0);      /* not increasing */
  ASSERT(pl_add(&w, 3, 0, 1, &one, 1) < 0);
  ASSERT(pl_add(&w, PL_END, 0, 1, &one, 1) < 0); /* reads back as the end */
  for (int codec = 0; codec < 2; codec++) {
    /* 300 documents, one of them with a position: fewer than 128 positions
    ** in a term of three blocks */
    pl_writer_reset(&w);
    w.codec = codec;
    for (uint32_t d = 0; d < 300; d++) ASSERT_OK(pl_add(&w, 2 * d, 0, d == 250, &one, d == 250));
    buf doc, pos;
    buf_init(&doc);
    buf_init(&pos);
    ASSERT_OK(pl_finish(&w, &TEST_IMPACT, &doc, &pos));
    pl_cursor c;
    ASSERT_OK(pl_open(&c, codec, doc.p, doc.n, pos.p, pos.n, 300));
    pl_advance(&c, 500);
    ASSERT_EQ_INT(c.doc, 500);
    uint32_t out[1] = {0};
    ASSERT_EQ_INT(pl_positions(&c, out), 1);
    ASSERT_EQ_INT(out[0], 7);
    ASSERT(!c.err);
    buf_free(&doc);
    buf_free(&pos);
  }
  /* a df of 2^32 - 1 over a few bytes: damage, read inside them */
  uint8_t *junk = mem_alloc(4000);
  ASSERT(junk);
  memset(junk, 1, 4000);
  for (int codec = 0; codec < 2; codec++) {
    pl_cursor c;
    pl_open(&c, codec, junk, 4000, junk, 4000, UINT32_MAX);
    for (int steps = 0; c.doc != PL_END && steps < 5000; steps++) pl_next(&c);
    ASSERT(c.err);
  }
  mem_free(junk);
  pl_writer_free(&w);
}

/* The packed layout, bit by bit as bp.h describes it, for every width:
** value i's bit k is bit (i / 4) * b + k of lane i % 4's stream, lane l's
** stream being bits of the 32-bit words at bytes 16*j + 4*l. */
static void test_bp_layout(void) {
  static uint32_t in[BP_N], out[BP_N];
  static uint8_t enc[16 * 32 + 1];
  for (unsigned b = 0; b <= 32; b++) {
    for (int trial = 0; trial < 20; trial++) {
      for (unsigned i = 0; i < BP_N; i++) {
        uint32_t v = rnd(UINT32_MAX) ^ (rnd(2) << 31);
        in[i] = b == 32 ? v : v & ((1u << b) - 1);
        if (trial == 0) in[i] = b == 32 ? UINT32_MAX : (1u << b) - 1; /* all bits set */
      }
      memset(enc, 0x5a, sizeof enc);
      bp_pack(in, b, enc);
      ASSERT_EQ_INT(enc[16 * b], 0x5a); /* nothing written past 16*b bytes */
      for (unsigned i = 0; i < BP_N; i++)
        for (unsigned k = 0; k < b; k++) {
          unsigned bit = (i / 4) * b + k, word = bit / 32;
          uint32_t w = rd_u32(enc + 16 * word + 4 * (i % 4));
          ASSERT_EQ_INT((w >> (bit % 32)) & 1, (in[i] >> k) & 1);
        }
      bp_unpack(enc, b, out);
      for (unsigned i = 0; i < BP_N; i++) ASSERT_EQ_INT(out[i], in[i]);
      if (trial == 0) ASSERT_EQ_INT(bp_width(in, BP_N), b);
      ASSERT(bp_width(in, BP_N) <= b);
    }
  }
  /* gaps back to increasing values, wrapping modulo 2^32 */
  uint32_t prev = UINT32_MAX - 5;
  for (unsigned i = 0; i < BP_N; i++) in[i] = out[i] = rnd(1000);
  bp_prefix(out, prev);
  for (unsigned i = 0; i < BP_N; i++) ASSERT_EQ_INT(out[i], prev += in[i] + 1);
}

/* PFOR: exact round trips whatever the outliers, never more bytes than
** plain packing plus its header, a width that holds every value, and
** damaged or cut input refused without reading outside it. */
static void test_bp_pfor(void) {
  static uint32_t in[BP_N], out[BP_N];
  buf b;
  buf_init(&b);
  for (int trial = 0; trial < 400; trial++) {
    unsigned base = rnd(33), nout = rnd(trial % 3 ? 4 : 40);
    for (unsigned i = 0; i < BP_N; i++) in[i] = base == 32 ? rnd(UINT32_MAX) : rnd(1u << base);
    for (unsigned k = 0; k < nout; k++) in[rnd(BP_N)] = rnd(UINT32_MAX) | (rnd(2) << 31);
    buf_reset(&b);
    ASSERT_OK(bp_pfor_put(&b, in));
    ASSERT(b.n <= 2 + 16 * (size_t)bp_width(in, BP_N)); /* no exceptions is a choice too */
    ASSERT(b.n <= BP_PFOR_MAX);
    ASSERT(b.p[1] <= BP_MAX_EXC);
    unsigned width = 99;
    ASSERT(bp_pfor_get(b.p, b.p + b.n, out, &width) == b.p + b.n);
    for (unsigned i = 0; i < BP_N; i++) ASSERT_EQ_INT(out[i], in[i]);
    ASSERT(width <= 32 && width >= bp_width(in, BP_N));
    /* cut short: refused, reading nothing at or past the cut (ASan) */
    uint8_t *cut = mem_alloc(b.n);
    ASSERT(cut);
    for (size_t len = 0; len < b.n; len += 1 + len / 4) {
      memcpy(cut, b.p, len);
      ASSERT(bp_pfor_get(cut, cut + len, out, &width) == NULL);
    }
    mem_free(cut);
  }
  /* a header naming a width above 32, or an exception index past 127 */
  uint8_t bad[2 + 16 + 2] = {33, 0};
  unsigned width;
  ASSERT(bp_pfor_get(bad, bad + sizeof bad, out, &width) == NULL);
  bad[0] = 1, bad[1] = 1, bad[18] = 200, bad[19] = 1;
  ASSERT(bp_pfor_get(bad, bad + sizeof bad, out, &width) == NULL);
  bad[18] = 5;
  ASSERT(bp_pfor_get(bad, bad + sizeof bad, out, &width) == bad + sizeof bad);
  ASSERT_EQ_INT(out[5], 2); /* low bit 0 from the packed zeros, high bits 1 */
  buf_free(&b);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void test_dictionary(void) {
  enum { N = 2000 };
  static char words[N][16];
  char *sorted[N];
  size_t n = 0;
  for (int i = 0; i < N; i++) {
    int len = 2 + (int)rnd(8);
    for (int j = 0; j < len; j++) words[i][j] = (char)('a' + rnd(6));
    words[i][len] = 0;
    sorted[n++] = words[i];
  }
  qsort(sorted, n, sizeof *sorted, cmp_str);
  size_t u = 0; /* unique */
  for (size_t i = 0; i < n; i++)
    if (!u || strcmp(sorted[u - 1], sorted[i])) sorted[u++] = sorted[i];
  dict_writer w;
  dw_init(&w);
  buf out;
  buf_init(&out);
  for (size_t i = 0; i < u; i++) {
    term_info ti = {(uint32_t)i + 1, i * 10, 10, i * 3, 3};
    ASSERT_OK(dw_add(&w, sorted[i], strlen(sorted[i]), &ti, &out));
  }
  term_info dup = {1, 0, 1, 0, 1};
  ASSERT(dw_add(&w, sorted[0], strlen(sorted[0]), &dup, &out) != 0); /* out of order */
  uint64_t index_off;
  ASSERT_OK(dw_finish(&w, &out, &index_off));
  dict d;
  ASSERT_OK(dict_open(&d, out.p, out.n, index_off, w.nblocks, w.nterms, 0));
  for (size_t i = 0; i < u; i++) {
    term_info ti;
    ASSERT_EQ_INT(dict_lookup(&d, sorted[i], strlen(sorted[i]), &ti), 1);
    ASSERT_EQ_INT(ti.df, i + 1);
    ASSERT_EQ_INT(ti.doc_off, i * 10);
    ASSERT_EQ_INT(ti.pos_off, i * 3);
  }
  term_info ti;
  ASSERT_EQ_INT(dict_lookup(&d, "zzzz", 4, &ti), 0);
  ASSERT_EQ_INT(dict_lookup(&d, "", 0, &ti), 0);
  /* Prefix walks give exactly the sorted terms with that prefix. */
  static const char *const prefixes[] = {"a", "ab", "fed", "cc", "zz", "b"};
  for (size_t p = 0; p < sizeof prefixes / sizeof *prefixes; p++) {
    const char *pre = prefixes[p];
    size_t pl = strlen(pre), want = 0, got = 0;
    for (size_t i = 0; i < u; i++) want += !strncmp(sorted[i], pre, pl);
    dict_iter it;
    for (int r = dict_seek(&it, &d, pre, pl); r == 1 && !strncmp(it.term, pre, pl); r = dict_next(&it)) got++;
    ASSERT_EQ_INT(got, want);
  }
  dw_free(&w);
  buf_free(&out);
}

/* A written form from a key: each ASCII letter capitalised or not, now
** and then a dot or an ampersand added, a byte dropped or an accented
** letter put in: everything the coding of forms meets (dict.h). */
static size_t make_form(const char *key, size_t kn, char *out) {
  size_t m = 0;
  for (size_t i = 0; i < kn && m < 60; i++) {
    char c = key[i];
    uint32_t r = rnd(60);
    if (r == 0) continue;                                   /* dropped */
    if (r == 1) { memcpy(out + m, "\xc3\xa9", 2); m += 2; continue; } /* an accent */
    int cap = i == 0 || key[i - 1] == ' ' ? r < 50 : r == 4; /* mostly words' first letters */
    out[m++] = (char)(c >= 'a' && c <= 'z' && cap ? c - 32 : c);
    if (r == 2) out[m++] = '.';
    if (r == 3) out[m++] = '&';
  }
  return m;
}

/* Terms with written forms (key-topic and alias shapes, and forms that
** cannot be coded) read back byte for byte through a dictionary that
** codes them, in less space than through one that does not; a damaged
** code is an error, never a read out of bounds. */
static void test_dictionary_forms(void) {
  enum { N = 3000 };
  static char terms[N][160];
  char *sorted[N];
  size_t u = 0;
  static const char *const kinds[] = {"\x02o", "\x02p", "\x02l", "\x03", "w"};
  for (int i = 0; i < N; i++) {
    static char key[48];
    static size_t kn;
    static const char *kind;
    size_t n = 0;
    if (!i || rnd(3)) { /* else the previous key again, with another form: neighbours that differ in it alone */
      kn = 1 + rnd(30);
      for (size_t j = 0; j < kn; j++) key[j] = j && rnd(6) == 0 ? ' ' : (char)('a' + rnd(5));
      kind = kinds[rnd(5)];
    }
    n = strlen(kind);
    memcpy(terms[i], kind, n);
    if (kind[0] == 3) { /* alias: surname, title, era, full key, form */
      memcpy(terms[i] + n, key, kn > 4 ? 4 : kn);
      n += kn > 4 ? 4 : kn;
      memcpy(terms[i] + n, "\x1emr\x1e" "2004\x1f", 9);
      n += 9;
    }
    memcpy(terms[i] + n, key, kn);
    n += kn;
    if (kind[0] != 'w') {
      terms[i][n++] = 0x1f;
      n += rnd(10) == 0 ? 0 : make_form(key, kn, terms[i] + n);
    }
    terms[i][n] = 0; /* no NUL inside: key, forms and separators are not 0 */
    sorted[u++] = terms[i];
  }
  qsort(sorted, u, sizeof *sorted, cmp_str);
  size_t k = 0;
  for (size_t i = 0; i < u; i++)
    if (!k || strcmp(sorted[k - 1], sorted[i])) sorted[k++] = sorted[i];
  u = k;
  buf out[2];
  dict d[2];
  dict_writer w[2];
  for (int forms = 0; forms < 2; forms++) {
    dw_init(&w[forms]);
    w[forms].forms = forms;
    buf_init(&out[forms]);
    for (size_t i = 0; i < u; i++) {
      term_info ti = {(uint32_t)i + 1, i * 10, 10, i * 3, 3};
      ASSERT_OK(dw_add(&w[forms], sorted[i], strlen(sorted[i]), &ti, &out[forms]));
    }
    uint64_t index_off;
    ASSERT_OK(dw_finish(&w[forms], &out[forms], &index_off));
    ASSERT_OK(dict_open(&d[forms], out[forms].p, out[forms].n, index_off, w[forms].nblocks, w[forms].nterms, forms));
    dict_iter it;
    size_t i = 0;
    for (int r = dict_seek(&it, &d[forms], "", 0); r == 1; r = dict_next(&it), i++) {
      ASSERT(i < u);
      ASSERT_EQ_INT(it.len, strlen(sorted[i]));
      ASSERT(!memcmp(it.term, sorted[i], it.len));
      ASSERT_EQ_INT(it.ti.df, i + 1);
    }
    ASSERT_EQ_INT(i, u);
    term_info ti;
    for (size_t j = 0; j < u; j += 7) ASSERT_EQ_INT(dict_lookup(&d[forms], sorted[j], strlen(sorted[j]), &ti), 1);
    /* seeks to every term's prefixes (a key and its 0x1f among them: the
    ** bytes before a coded form) land on the first term at or after them */
    for (size_t j = 0; j < u; j += 3) {
      size_t n = strlen(sorted[j]);
      for (size_t cut = 0; cut <= n; cut += 1 + cut / 4) {
        size_t want = 0; /* the first term >= the key, by brute force */
        for (; want < u; want++) {
          size_t l = strlen(sorted[want]);
          int c = memcmp(sorted[want], sorted[j], l < cut ? l : cut);
          if (c > 0 || (c == 0 && l >= cut)) break;
        }
        int r = dict_seek(&it, &d[forms], sorted[j], cut);
        ASSERT_EQ_INT(r, want < u);
        if (r == 1) ASSERT(it.len == strlen(sorted[want]) && !memcmp(it.term, sorted[want], it.len));
      }
    }
  }
  ASSERT(out[1].n * 20 < out[0].n * 17); /* a fifth smaller here; a third on the news corpus's topics */
  /* every byte of the coded dictionary changed in turn: errors, or terms
  ** that read within their bounds */
  uint8_t *copy = mem_alloc(out[1].n);
  ASSERT(copy);
  for (size_t at = 0; at < d[1].index_off; at += 1 + rnd(5)) {
    memcpy(copy, out[1].p, out[1].n);
    copy[at] ^= (uint8_t)(1 + rnd(255));
    dict dd = d[1];
    dd.base = copy;
    dict_iter it;
    size_t n = 0;
    for (int r = dict_seek(&it, &dd, "", 0); r == 1 && n <= u; r = dict_next(&it)) n++;
    ASSERT(n <= u);
  }
  mem_free(copy);
  for (int forms = 0; forms < 2; forms++) {
    dw_free(&w[forms]);
    buf_free(&out[forms]);
  }
}

/* A term whose positions are all 0 (a keyword term) has no position
** bytes and reads back its zeros, one per occurrence; one position other
** than 0 keeps them all. */
static void test_positions_implied(void) {
  pl_writer w;
  pl_writer_init(&w);
  uint32_t zeros[3] = {0, 0, 0}, some[2] = {0, 4};
  for (int last = 0; last < 2; last++) {
    pl_writer_reset(&w);
    for (uint32_t d = 0; d < 300; d++) {
      uint32_t n = 1 + d % 3;
      int other = last && d == 299;
      ASSERT_OK(pl_add(&w, 3 * d, 0, other ? 2 : n, other ? some : zeros, other ? 2 : n));
    }
    buf doc, pos;
    buf_init(&doc);
    buf_init(&pos);
    ASSERT_OK(pl_finish(&w, &TEST_IMPACT, &doc, &pos));
    ASSERT(last ? pos.n > 0 : pos.n == 0);
    pl_cursor c;
    ASSERT_OK(pl_open(&c, PL_CODEC_BP, doc.p, doc.n, pos.n ? pos.p : doc.p + doc.n, pos.n, 300));
    uint32_t got[3], d = 0;
    for (; c.doc != PL_END; pl_next(&c), d++) {
      ASSERT_EQ_INT(c.doc, 3 * d);
      int n = pl_positions(&c, got);
      int other = last && d == 299;
      ASSERT_EQ_INT(n, other ? 2 : (int)(1 + d % 3));
      for (int j = 0; j < n; j++) ASSERT_EQ_INT(got[j], other ? some[j] : 0);
    }
    ASSERT_EQ_INT(d, 300);
    ASSERT(!c.err);
    /* and after a jump into the third block */
    ASSERT_OK(pl_open(&c, PL_CODEC_BP, doc.p, doc.n, pos.n ? pos.p : doc.p + doc.n, pos.n, 300));
    pl_advance(&c, 3 * 280);
    ASSERT_EQ_INT(pl_positions(&c, got), 1 + 280 % 3);
    buf_free(&doc);
    buf_free(&pos);
  }
  pl_writer_free(&w);
}

/* The hand-written Stream VByte decoder reads what libstreamvbyte writes:
** every length class, every tail length, plain and delta, and the bytes
** counted agree. */
static void test_svb_matches_library(void) {
  static uint32_t in[700], out[700], want[700];
  static uint8_t enc[700 * 5 + 64];
  for (uint32_t n = 0; n < 700; n += 1 + n / 9) {
    for (int delta = 0; delta < 2; delta++) {
      uint32_t prev = delta ? rnd(1000) : 0, acc = prev;
      for (uint32_t i = 0; i < n; i++) {
        static const uint32_t caps[] = {0xff, 0xffff, 0xffffff, 0xffffffff};
        in[i] = rnd(0x7fffffff) & caps[rnd(4)];
        if (delta) in[i] &= 0xffff, in[i] += acc, acc = in[i];
      }
      memset(enc, 0xaa, sizeof enc);
      size_t len = delta ? streamvbyte_delta_encode(in, n, enc, prev) : streamvbyte_encode(in, n, enc);
      size_t got = delta ? svb_delta_decode(enc, enc + len, out, n, prev) : svb_decode(enc, enc + len, out, n);
      size_t lib = delta ? streamvbyte_delta_decode(enc, want, n, prev) : streamvbyte_decode(enc, want, n);
      ASSERT_EQ_INT(got, len);
      ASSERT_EQ_INT(lib, len);
      ASSERT_EQ_INT(svb_bytes(enc, enc + len, n), len);
      ASSERT_EQ_INT(svb_bytes(enc, enc + len - 1, n) == SIZE_MAX, n > 0);
      for (uint32_t i = 0; i < n; i++) ASSERT_EQ_INT(out[i], want[i]);
      for (uint32_t i = 0; i < n; i++) ASSERT_EQ_INT(out[i], in[i]);
      if (n) ASSERT(svb_decode(enc, enc + len - 1, out, n) == SIZE_MAX); /* one byte short */
    }
  }
}

static void test_store(void) {
  store_writer w;
  buf out;
  buf_init(&out);
  ASSERT_OK(stw_init(&w, 3, NULL, 0, &out));
  char body[300], id[16];
  uint32_t blk[400], idx[400];
  for (int i = 0; i < 400; i++) {
    snprintf(id, sizeof id, "id%d", i);
    memset(body, 'a' + i % 26, sizeof body - 1);
    body[sizeof body - 1 - (size_t)(i % 50)] = 0;
    const char *marked[] = {"M"};
    nd_doc d = {.id = id, .title = i % 2 ? "T" : NULL, .body = body, .marked = marked, .n_marked = (size_t)(i % 2)};
    buf rec;
    buf_init(&rec);
    rec_encode(&rec, &d);
    const char *rid;
    size_t rn;
    ASSERT_OK(rec_id(rec.p, rec.n, &rid, &rn));
    ASSERT(rn == strlen(id) && !memcmp(rid, id, rn));
    ASSERT_OK(stw_add_record(&w, rec.p, rec.n, &out, &blk[i], &idx[i]));
    buf_free(&rec);
  }
  uint64_t table;
  ASSERT_OK(stw_finish(&w, &out, &table));
  ASSERT(w.nblocks > 1);
  store s;
  ASSERT_OK(store_open(&s, out.p, out.n, table, w.nblocks));
  buf scratch;
  buf_init(&scratch);
  for (int i = 0; i < 400; i += 7) {
    ASSERT_OK(store_block(&s, blk[i], &scratch));
    const uint8_t *rec;
    size_t len;
    ASSERT_OK(rec_find(scratch.p, scratch.n, idx[i], &rec, &len));
    nd_document *doc;
    ASSERT_OK(rec_decode(rec, len, &doc));
    snprintf(id, sizeof id, "id%d", i);
    ASSERT_EQ_STR(doc->doc.id, id);
    ASSERT_EQ_INT(strlen(doc->doc.body), sizeof body - 1 - (size_t)(i % 50));
    ASSERT(i % 2 ? doc->doc.title != NULL : doc->doc.title == NULL);
    ASSERT_EQ_INT(doc->doc.n_marked, i % 2);
    nd_document_free(doc);
  }
  /* Frames are copied only by a writer given a dictionary (the same), and
  ** only whole.  Any bytes can be a (raw content) dictionary. */
  const uint8_t *f;
  size_t fn;
  uint32_t nb;
  ASSERT_OK(store_frame(&s, 0, &f, &fn));
  buf out2, out3;
  buf_init(&out2);
  buf_init(&out3);
  ASSERT_EQ_INT(stw_copy_block(&w, f, fn, &out2, &nb), -2); /* no dictionary given */
  char zd[2049]; /* NUL-terminated: article bodies are taken from it too */
  for (size_t i = 0; i < sizeof zd - 1; i++) zd[i] = "the harbour pilots went on strike over pay "[i % 43];
  zd[sizeof zd - 1] = 0;
  store_writer w2, w3;
  ASSERT_OK(stw_init(&w3, 3, (const uint8_t *)zd, sizeof zd - 1, &out3));
  for (int i = 0; i < 400; i++) {
    nd_doc d = {.id = "x", .body = zd + i % 100};
    buf rec;
    buf_init(&rec);
    rec_encode(&rec, &d);
    ASSERT_OK(stw_add_record(&w3, rec.p, rec.n, &out3, &blk[i], &idx[i]));
    buf_free(&rec);
  }
  uint64_t t3, t2;
  ASSERT_OK(stw_finish(&w3, &out3, &t3));
  store s3, s2;
  ASSERT_OK(store_open(&s3, out3.p, out3.n, t3, w3.nblocks));
  size_t dl;
  const uint8_t *sd = store_dict(&s3, &dl);
  ASSERT(dl == sizeof zd - 1 && !memcmp(sd, zd, dl));
  ASSERT_OK(stw_init(&w2, 3, sd, dl, &out2));
  ASSERT(stw_has_dict(&w2, sd, dl) && !stw_has_dict(&w, sd, dl));
  ASSERT_OK(store_frame(&s3, 1, &f, &fn));
  ASSERT_EQ_INT(stw_copy_block(&w2, f, fn - 1, &out2, &nb), -2); /* cut short */
  ASSERT_OK(stw_copy_block(&w2, f, fn, &out2, &nb));
  ASSERT_OK(stw_finish(&w2, &out2, &t2));
  ASSERT_OK(store_open(&s2, out2.p, out2.n, t2, w2.nblocks));
  buf a, b2;
  buf_init(&a);
  buf_init(&b2);
  ASSERT_OK(store_block(&s3, 1, &a));
  ASSERT_OK(store_block(&s2, nb, &b2));
  ASSERT(a.n > 0 && a.n == b2.n && !memcmp(a.p, b2.p, a.n));
  store_close(&s2);
  store_close(&s3);
  stw_free(&w2);
  stw_free(&w3);
  buf_free(&a);
  buf_free(&b2);
  buf_free(&out2);
  buf_free(&out3);
  /* A damaged block is an error, not a crash. */
  out.p[out.n / 3] ^= 0x55;
  int errors = 0;
  for (uint32_t b = 0; b < w.nblocks; b++) errors += store_block(&s, b, &scratch) != 0;
  ASSERT(errors >= 1);
  ASSERT(store_block(&s, w.nblocks, &scratch) != 0);
  stw_free(&w);
  buf_free(&out);
  buf_free(&scratch);
}

/* A failed append sticks until buf_restart, which starts over. */
static void test_buf_restart(void) {
  buf b;
  buf_init(&b);
  static const char big[1000];
  buf_puts(&b, "kept");
  mem_fail_after(0);
  buf_put(&b, big, sizeof big); /* needs more room: fails */
  mem_fail_after(-1);
  ASSERT(b.oom);
  buf_puts(&b, "x");
  ASSERT(b.oom && b.n == 4);
  buf_reset(&b);
  ASSERT(b.oom); /* buf_reset keeps the flag */
  buf_restart(&b);
  ASSERT(!b.oom && b.n == 0);
  buf_puts(&b, "again");
  ASSERT(!b.oom && b.n == 5 && !memcmp(b.p, "again", 5));
  buf_restart(&b); /* no failure: memory kept */
  ASSERT(b.p != NULL && b.n == 0);
  buf_free(&b);
}

TEST_MAIN(TEST(test_postings_roundtrip_and_advance), TEST(test_postings_damaged), TEST(test_postings_edges), TEST(test_bp_layout),
          TEST(test_bp_pfor), TEST(test_dictionary), TEST(test_dictionary_forms), TEST(test_positions_implied),
          TEST(test_svb_matches_library), TEST(test_store), TEST(test_buf_restart))
