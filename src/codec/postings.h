/*
** postings.h -- one term's postings: documents, frequencies, positions.
**
** Layout of a term's document postings (in the segment's .doc file):
**
**   [skip table]  only when the term has more than one block:
**                 per block PL_SKIP (16; PL_SKIP_BP 20 in codec
**                 PL_CODEC_BP, below) bytes: u32 last_doc, u32 end (byte
**                 offset of the block's end, counted from the first block),
**                 u32 pos (byte offset of the block's positions in the
**                 term's positions), f32 bound (the largest impact of the
**                 block's documents, as the writer's impact function gave
**                 it, rounded up: what block-max top-k search skips by)
**   block*        PB_SIZE (128) documents each, the last one shorter.
**                 Codec PL_CODEC_BP (format 8): a full block is three
**                 PFOR runs of 128 values (bp.h): the doc-number gaps
**                 minus one (doc - previous doc - 1; the first block's
**                 previous doc is -1, later ones the previous block's
**                 last), the title frequencies, the body frequencies.  A
**                 shorter last block is per document uvarint(gap * 2 + f),
**                 f = 1 meaning tft 0 and tfb 1; with f = 0, uvarint tft
**                 and uvarint tfb follow.
**                 Codec PL_CODEC_SVB (format 7, read only): every block is
**                 doc numbers Stream VByte delta-coded (the first block's
**                 deltas start from 0, later ones from the previous
**                 block's last doc), then title frequencies and body
**                 frequencies, each Stream VByte coded.
**
** A term's positions (in the .pos file): per document in order, its
** tf_title + tf_body positions as deltas starting from 0 (the first one
** is the position itself), one stream of P values for the term.  Title
** words take positions 0..title_len-1, body words title_len+1.. so that no
** phrase spans the two.  Keyword terms (a source's whole value, key
** topics, alias evidence: index/segment.h) have one position, 0.  A term
** whose positions are all 0 (every keyword term, and a word that only
** ever opens a title, once) has no position bytes: pos_len 0 (format 9 on;
** any other term has at least one byte).  Its skip entries' pos and
** index are 0.
**   Codec PL_CODEC_BP: the stream in PFOR runs of 128 values (bp.h), then
**   the last P % 128 values in uvarints, preceded by the byte PL_POS_TAIL
**   unless the term has one block and fewer than 128 positions (then the
**   stream is those uvarints alone).  Skip entries are PL_SKIP_BP (20)
**   bytes: their pos is the byte offset of the run (or of the tail's
**   marker) holding the block's first position, and a fifth u32 is that
**   position's index in the stream.  A document's positions are so found
**   by stepping over whole runs by their sizes, unpacking only the runs
**   that hold them.
**   Codec PL_CODEC_SVB: each value a uvarint; skip entries give the byte
**   offset of the block's first position.
**
** Cursors never read outside the byte ranges they are given: damaged data
** makes them set err, not crash.  (Stream VByte decoders may read up to 16
** bytes past the data they decode; segment files end with 16 bytes of
** padding so that this stays inside the mapping.)
*/
#ifndef ND_CODEC_POSTINGS_H
#define ND_CODEC_POSTINGS_H
#include <stddef.h>
#include <stdint.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "../util/buf.h"

#define PB_SIZE 128
#define PL_END UINT32_MAX
#define PL_PAD 16 /* bytes of padding after a .doc file's last posting */
#define PL_SKIP 16    /* bytes of a skip-table entry (PL_CODEC_SVB) */
#define PL_SKIP_BP 20 /* the same in PL_CODEC_BP: a fifth u32, the block's first position index */
#define PL_POS_TAIL 0x80 /* PL_CODEC_BP: the uvarints after a term's last run of positions */
#define PL_CODEC_SVB 0 /* full blocks in Stream VByte (segments before format 8) */
#define PL_CODEC_BP 1  /* full blocks bit-packed */

/* The impact of a posting, for the blocks' bounds: any function that is
** an upper bound of what the scorer will compute from it (see query/iter.h). */
typedef struct pl_impact {
  double (*fn)(const void *ctx, uint32_t doc, uint32_t tft, uint32_t tfb);
  const void *ctx;
} pl_impact;

/* ---- writing ---- */
typedef struct pl_writer {
  uint32_t *docs, *tft, *tfb;
  size_t n, cap;
  buf pos;            /* positions of the term so far, encoded */
  uint32_t *blk_pos;  /* per block: PL_CODEC_BP: the index of its first
                         position; PL_CODEC_SVB: its byte offset */
  size_t nblk_cap;
  uint64_t npos;      /* positions so far */
  uint32_t pend[PB_SIZE]; /* PL_CODEC_BP: positions not yet in a run */
  uint32_t npend;
  uint32_t *run_off;  /* PL_CODEC_BP: byte offset of each run */
  size_t nrun, run_cap;
  int codec;          /* PL_CODEC_BP unless set otherwise after init */
  int pos_nonzero;    /* a position other than 0 was added */
} pl_writer;

void pl_writer_init(pl_writer *w);
void pl_writer_free(pl_writer *w);
void pl_writer_reset(pl_writer *w);
/* Append a document (doc numbers strictly increasing) with its positions
** (npos == tft + tfb, ascending).  Returns 0 or -1 (out of memory). */
int pl_add(pl_writer *w, uint32_t doc, uint32_t tft, uint32_t tfb, const uint32_t *pos, size_t npos);
/* Encode the term: document postings appended to *docs_out, positions to
** *pos_out; block bounds from `imp`.  Returns 0 or -1 (out of memory /
** positions overflow). */
int pl_finish(pl_writer *w, const pl_impact *imp, buf *docs_out, buf *pos_out);

/* ---- reading ---- */
typedef struct pl_cursor {
  const uint8_t *blocks, *end; /* first block .. end of the term's postings */
  const uint8_t *skip;         /* NULL for a single block */
  const uint8_t *pbase, *pend; /* the term's positions */
  uint32_t df, nblocks, blk;   /* blk: the decoded block, or nblocks */
  uint32_t n, i;               /* docs in the decoded block, index of current */
  uint32_t doc;                /* current doc, or PL_END */
  uint32_t skipw;              /* bytes of a skip entry */
  uint32_t pidx;               /* PL_CODEC_SVB: the document whose positions pcur locates */
  const uint8_t *pcur;         /* PL_CODEC_SVB: positions of doc pidx */
  uint64_t pblk_idx;           /* PL_CODEC_BP: index of the block's first position */
  int psum_ok;                 /* PL_CODEC_BP: psum computed for the block */
  uint32_t ptotal;             /* PL_CODEC_BP: the term's position count if
                                  known to be below 128 (one block), else UINT32_MAX */
  const uint8_t *pu, *pu_next; /* PL_CODEC_BP: the run (or tail) holding
                                  index pu_first.., what follows it */
  uint32_t pu_first, pu_n;     /* its first index, values decoded in pv (0: none yet) */
  const uint8_t *pblk;         /* PL_CODEC_BP: the run holding the block's first position */
  uint32_t pblk_first;         /* and its first index */
  int codec;                   /* PL_CODEC_* of the segment */
  int err;                     /* 1 once damaged data was met */
  int tf_ok;                   /* tft/tfb of the block decoded */
  const uint8_t *tfp, *bend;   /* the block's frequency streams (a packed
                                  block's header), its end */
  uint32_t docs[PB_SIZE], tft[PB_SIZE], tfb[PB_SIZE];
  uint32_t pv[PB_SIZE];        /* PL_CODEC_BP: the decoded run */
  uint32_t psum[PB_SIZE + 1];  /* PL_CODEC_BP: positions of the block's documents before each */
} pl_cursor;

/* Open a cursor on the first document (c->doc; PL_END if df is 0) of
** postings written with `codec`; returns 0 or -1 (damaged). */
int pl_open(pl_cursor *c, int codec, const uint8_t *doc, size_t doc_len, const uint8_t *pos, size_t pos_len,
            uint32_t df);
/* Move to the next document / to the first document >= target (never
** backwards).  c->doc is PL_END at the end or on damage (then c->err). */
void pl_next(pl_cursor *c);
void pl_advance_far(pl_cursor *c, uint32_t target); /* target beyond the decoded block */
/* The first index j >= i below n with d[j] >= target in ascending d[], or
** n: four at a time (the lanes below target are a prefix; unsigned order
** by signed compares of the top bit flipped). */
static inline uint32_t pl_first_at_least(const uint32_t *d, uint32_t i, uint32_t n, uint32_t target) {
#ifdef __SSE2__
  const __m128i flip = _mm_set1_epi32((int)0x80000000u), t = _mm_set1_epi32((int)(target ^ 0x80000000u));
  for (; i + 4 <= n; i += 4) {
    __m128i v = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)(d + i)), flip);
    int below = _mm_movemask_ps(_mm_castsi128_ps(_mm_cmplt_epi32(v, t)));
    if (below != 15) return i + (uint32_t)__builtin_ctz(~(unsigned)below);
  }
#endif
  while (i < n && d[i] < target) i++;
  return i;
}
static inline void pl_advance(pl_cursor *c, uint32_t target) {
  if (c->doc == PL_END || c->doc >= target) return;
  if (c->docs[c->n - 1] < target) {
    pl_advance_far(c, target);
    return;
  }
  uint32_t i = c->i + 1; /* the current one is below target; the common step is to the next */
  if (c->docs[i] < target) i = pl_first_at_least(c->docs, i + 1, c->n, target); /* it exists: the last is >= target */
  c->i = i;
  c->doc = c->docs[i];
}
/* Leave the decoded block: onto the next block's first document (PL_END
** after the last block), as pl_next from the block's last document. */
static inline void pl_next_block(pl_cursor *c) {
  c->i = c->n - 1;
  c->doc = c->docs[c->i];
  pl_next(c);
}
/* Frequencies of the current document (decoded on first use in a block;
** damaged ones read as 0 and set err). */
void pl_tf_load(pl_cursor *c);
static inline void pl_tf_ready(pl_cursor *c) {
  if (!c->tf_ok) pl_tf_load(c);
}
static inline uint32_t pl_tft(pl_cursor *c) {
  pl_tf_ready(c);
  return c->tft[c->i];
}
static inline uint32_t pl_tfb(pl_cursor *c) {
  pl_tf_ready(c);
  return c->tfb[c->i];
}
/* Positions of the current document into out[0..tft+tfb) (the caller sizes
** out from pl_tft + pl_tfb).  Returns the count, or -1 if damaged. */
int pl_positions(pl_cursor *c, uint32_t *out);

/* Block bounds (terms with a skip table only; c->skip != NULL). */
static inline float pl_bound_of(const pl_cursor *c, uint32_t b) {
  union { uint32_t u; float f; } v = {rd_u32(c->skip + (size_t)b * c->skipw + 12)};
  return v.f;
}
static inline uint32_t pl_last_of(const pl_cursor *c, uint32_t b) { return rd_u32(c->skip + (size_t)b * c->skipw); }
/* The block that holds the first document >= target, searching from the
** current block on without decoding anything; nblocks if there is none. */
uint32_t pl_block_for(const pl_cursor *c, uint32_t target);

#endif
