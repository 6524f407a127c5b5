/*
** segment.h -- one immutable segment: writing it, mapping it.
**
** A segment numbered N is six files in the archive directory:
**   sN.dic   term dictionary (codec/dict.h)
**   sN.doc   document postings (codec/postings.h), then PL_PAD zero bytes
**   sN.pos   positions (codec/postings.h)
**   sN.fld   per-document table, then the date index, then the id index:
**              docs:  ndocs x 24 bytes: u32 title_len, u32 body_len,
**                     i64 date (seconds, DATE_NONE if none),
**                     u32 store block, u32 record index in the block
**              dates: ndates x 12 bytes: i64 date, u32 doc; sorted by (date, doc)
**              ids:   ndocs x 12 bytes: u64 XXH64(id), u32 doc; sorted by (hash, doc)
**              id offsets: (ndocs + 1) x u32: where doc d's id starts in the
**                     id strings (the last one: their total length)
**              id strings: the ids, in doc order, not terminated
**              topic offsets: (ndocs + 1) x u32: where doc d's topics
**                     start in the topic list (the last one: its length)
**              topic list: u32 dictionary ordinals of the topic terms of
**                     each doc (ascending), in doc order
**              lengths: ndocs x 2 bytes: the title and body lengths as
**                     scored, one byte each (index/bm25.h)
**              signatures: ndocs x FP_K u16: MinHash of each doc's text
**                     (index/fingerprint.h)
**              keys: ndocs x 24 bytes: u64 version group (story) key,
**                     u64 thread key, u64 SimHash (index/stories.h)
**              bands: nbands x 8 bytes: u32 LSH band key, u32 doc; sorted
**                     by (key, doc); FP_BANDS per doc with a signature
**              story index: ndocs x 12 bytes: u64 story key, u32 doc; sorted
**              thread index: ndocs x 12 bytes: u64 thread key, u32 doc; sorted
**              newest dates: ceil(ndocs / 128) x i64: the newest date of
**                     docs 128i .. 128i+127 (DATE_NONE when none is dated)
**              joiners: njoiners x u32, ascending: the docs whose story key
**                     is not the XXH64 of their own id (they joined the
**                     group of an earlier article)
**   sN.sto   stored articles (codec/store.h)
**   sN.meta  counts, statistics, offsets, and the size and XXH64 of each of
**            the five files above; written last, its own XXH64 at its end.
** (N is written as six decimal digits.)  All integers are little-endian.
** Deleted documents are not in the segment: they are in a deletion bitmap
** that the manifest names (index/manifest.h).
*/
#ifndef ND_INDEX_SEGMENT_H
#define ND_INDEX_SEGMENT_H
#include <stddef.h>
#include <stdint.h>

#include "../codec/dict.h"
#include "../codec/postings.h"
#include "../codec/store.h"
#include "../util/file.h"
#include "bm25.h"
#include "fingerprint.h"
#include "spill.h"
#include <roaring/roaring.h>

enum { SF_DIC, SF_DOC, SF_POS, SF_FLD, SF_STO, SF_COUNT };
#define SEG_DOC_ROW 24

typedef struct seg_meta {
  uint32_t ndocs;
  uint64_t nterms;
  uint64_t dict_index_off, dict_nblocks;
  uint64_t store_table_off;
  uint32_t store_nblocks;
  uint64_t ndates;
  uint64_t sum_title_len, sum_body_len; /* in positions, over all docs */
  uint64_t raw_bytes;                   /* uncompressed stored records */
  uint64_t id_bytes;                    /* length of the id strings in .fld */
  uint64_t topic_refs;                  /* length of the topic list in .fld */
  uint64_t nbands;                      /* entries of the band table in .fld */
  uint64_t njoiners;                    /* entries of the joiner list in .fld */
  uint64_t size[SF_COUNT], hash[SF_COUNT];
  int version; /* the format version (7, 8 or SEG_VERSION: segment.c); not stored otherwise */
} seg_meta;

#define SEG_VERSION 9 /* the version written */

/* The codec of a segment's postings: bit-packed from version 8 on. */
static inline int seg_codec(const seg_meta *m) { return m->version >= 8 ? PL_CODEC_BP : PL_CODEC_SVB; }

/* What each document carries for stories (index/stories.h). */
typedef struct seg_docx {
  uint16_t sig[FP_K]; /* MinHash signature (fingerprint.h) */
  uint64_t story;     /* its version group's key */
  uint64_t thread;    /* its story thread's key */
  uint64_t simhash;
} seg_docx;
#define SEG_DATE_WINDOW 128 /* docs per entry of the newest-date table */

/* ---- writing ---- */
/* The writer's columns, in spill.h's runs beyond a bound: (date, doc) and
** (id hash, doc) rows, id offsets and bytes, (doc, topic term ordinal)
** rows, signatures, story keys, (band key, doc), (story, doc) and
** (thread, doc) rows, joiners. */
enum { SC_DATES, SC_IDS, SC_IDOFF, SC_IDSTR, SC_TOPREF, SC_SIGS, SC_KEYS, SC_BANDS, SC_STORYIX, SC_THREADIX,
       SC_JOINERS, SC_COUNT };

typedef struct seg_writer {
  const struct nd_storage *st;
  uint32_t segno;
  sink f[SF_COUNT];
  buf out[SF_COUNT]; /* staging before each sink */
  dict_writer dw;
  store_writer stw;
  pl_writer pl;
  char term[DICT_MAX_TERM + 1];
  size_t termlen;
  uint64_t doc_off, pos_off;
  spill col[SC_COUNT];  /* the per-document columns and indexes so far (SC_*) */
  buf norms;            /* the length bytes of each doc so far (index/bm25.h), read for block bounds */
  buf dmax;             /* the newest date of each window of SEG_DATE_WINDOW docs so far */
  seg_meta m;
  int open_files;
} seg_writer;

/* Create the files of segment `segno` in storage `st`.  Returns 0 or an ND_ERR_*. */
/* Stored articles are compressed at `zstd_level` with the given zstd
** dictionary, or (dict_len 0) one the writer trains (codec/store.h). */
int segw_open(seg_writer *w, const struct nd_storage *st, uint32_t segno, int zstd_level, const uint8_t *dict, size_t dict_len);
/* Add the next document (numbered 0, 1, ... in call order): its stored
** record (codec/store.h's rec_encode), which must have an id.  Lengths are
** in positions.  0 or ND_ERR_*. */
int segw_doc(seg_writer *w, const uint8_t *rec, size_t len, int64_t date, uint32_t title_len, uint32_t body_len,
             const seg_docx *x);
/* Terms in strictly increasing byte order; each with its documents in
** increasing order. */
int segw_term_begin(seg_writer *w, const char *term, size_t len);
/* Terms whose first byte is SEG_SOURCE_PREFIX are source values, those
** starting with SEG_TOPIC_PREFIX an article's key topics and those with
** 0x03 (SEG_ALIAS_PREFIX) the evidence of its partial names
** (index/topic_terms.h, index/alias.h).
** Both are keyword fields: their block bounds are their counts (they are
** scored without length normalisation).  Each document's topic terms are
** also listed in the document table's topic list, for facets. */
#define SEG_SOURCE_PREFIX '\x01'
#define SEG_TOPIC_PREFIX '\x02'
static inline int seg_keyword_term(const char *t, size_t n) {
  return n && (t[0] == SEG_SOURCE_PREFIX || t[0] == SEG_TOPIC_PREFIX || t[0] == '\x03');
}
int segw_term_doc(seg_writer *w, uint32_t doc, uint32_t tft, uint32_t tfb, const uint32_t *pos, size_t npos);
int segw_term_end(seg_writer *w);
/* Write indexes, padding and meta; fsync every file.  0 or ND_ERR_*.  On
** failure the files are removed. */
int segw_finish(seg_writer *w, seg_meta *out);
/* Remove the files this writer created and free it (also after a failed
** segw_open or segw_finish). */
void segw_abort(seg_writer *w);

/* ---- reading ---- */
typedef struct segment {
  uint32_t segno;
  mapped f[SF_COUNT];
  seg_meta m;
  dict d;
  store st;
  const uint8_t *docs, *dates, *ids, *idoff, *idstr, *topoff, *topics;
  const uint8_t *norms; /* per doc: title and body length bytes (bm25_len_code) */
  const uint8_t *sigs, *keys, *bands, *storyix, *threadix, *dmax, *joiners; /* the story columns and tables */
} segment;

/* Map segment `segno` of storage `st` and check its meta.  Returns 0 or ND_ERR_*
** with a message in err. */
int seg_open(segment *s, const struct nd_storage *st, uint32_t segno, char *err, size_t errcap);
void seg_close(segment *s);
/* Verify every file's size and XXH64 and the structural invariants.
** Returns 0 or ND_ERR_CORRUPT with the first problem in err. */
int seg_verify(const segment *s, char *err, size_t errcap);

/* Open a cursor on the postings of a term of the segment (pl_open): 0, or
** -1 when they are damaged -- a df above the segment's article count, or
** byte ranges outside its files (the cursor is then empty, with err set).
** Every reader of postings opens them here. */
int seg_postings(pl_cursor *c, const segment *s, const term_info *ti);

static inline uint32_t seg_title_len(const segment *s, uint32_t d) { return rd_u32(s->docs + (size_t)d * SEG_DOC_ROW); }
static inline uint32_t seg_body_len(const segment *s, uint32_t d) { return rd_u32(s->docs + (size_t)d * SEG_DOC_ROW + 4); }
static inline int64_t seg_date(const segment *s, uint32_t d) { return (int64_t)rd_u64(s->docs + (size_t)d * SEG_DOC_ROW + 8); }
/* The title and body lengths document d is scored with (index/bm25.h). */
static inline uint32_t seg_title_norm(const segment *s, uint32_t d) { return bm25_len_decode(s->norms[2 * (size_t)d]); }
static inline uint32_t seg_body_norm(const segment *s, uint32_t d) { return bm25_len_decode(s->norms[2 * (size_t)d + 1]); }

/* The dictionary ordinals (ascending, u32 each) of document d's topic
** terms, and their number in *n; NULL (and *n = 0) when the table is
** damaged.  d < ndocs. */
static inline const uint8_t *seg_topics(const segment *s, uint32_t d, uint32_t *n) {
  uint32_t a = rd_u32(s->topoff + (size_t)d * 4), b = rd_u32(s->topoff + (size_t)d * 4 + 4);
  *n = 0;
  if (a > b || b > s->m.topic_refs) return NULL;
  *n = b - a;
  return s->topics + (size_t)a * 4;
}

/* Story columns of document d (d < ndocs). */
static inline uint64_t seg_story(const segment *s, uint32_t d) { return rd_u64(s->keys + (size_t)d * 24); }
static inline uint64_t seg_thread(const segment *s, uint32_t d) { return rd_u64(s->keys + (size_t)d * 24 + 8); }
static inline uint64_t seg_simhash(const segment *s, uint32_t d) { return rd_u64(s->keys + (size_t)d * 24 + 16); }
void seg_sig(const segment *s, uint32_t d, uint16_t sig[FP_K]);
/* The i-th joiner (i < njoiners): a doc that joined an earlier article's group. */
static inline uint32_t seg_joiner(const segment *s, uint64_t i) { return rd_u32(s->joiners + i * 4); }
void seg_docx_of(const segment *s, uint32_t d, seg_docx *x);
/* The newest date among docs [lo, hi] (DATE_NONE if none is dated), read
** from the newest-date table: a bound, as of whole windows of 128. */
int64_t seg_newest(const segment *s, uint32_t lo, uint32_t hi);
/* The docs whose band `band key` is key: calls fn(ctx, doc) for each; a
** non-zero return stops.  Binary search, then a scan of the equal run. */
void seg_band_docs(const segment *s, uint32_t key, int (*fn)(void *ctx, uint32_t doc), void *ctx);
/* The docs of the story (which = 0) or thread (which = 1) with key k, or
** whose id hashes to k (which = 2), in doc order: fn as above. */
void seg_key_docs(const segment *s, int which, uint64_t k, int (*fn)(void *ctx, uint32_t doc), void *ctx);

/* The story columns and tables: band entries sorted and each one of a
** band of its doc's signature, as many as the signatures make; the story
** and thread indexes sorted, one row per doc with the doc's key; the
** newest dates those of the document table.  0, or ND_ERR_CORRUPT with
** the first problem in err, or ND_ERR_NOMEM. */
int seg_stories_check(const segment *s, char *err, size_t errcap);

/* Is the topic list well formed: offsets rising to topic_refs, each
** document's ordinals strictly ascending and below nterms?  1 or 0. */
int seg_topics_ok(const segment *s);
/* Does document d list the term of dictionary ordinal ord among its topics? */
int seg_has_topic(const segment *s, uint32_t d, uint32_t ord);

/* Fetch document d (0 <= d < ndocs).  0, ND_ERR_CORRUPT or ND_ERR_NOMEM.
** `scratch` holds the decompressed block between calls. */
int seg_get(const segment *s, uint32_t d, buf *scratch, struct nd_document **out);
/* A decompressed stored block kept between fetches, so that hits in the
** same block cost one decompression. */
typedef struct blk_cache {
  const segment *seg;
  uint32_t block;
  buf data;
} blk_cache;
/* seg_get through a cache (zero it first; free data with buf_free). */
int seg_get_cached(const segment *s, uint32_t d, blk_cache *c, struct nd_document **out);
/* The stored block of document d. */
static inline uint32_t seg_block_of(const segment *s, uint32_t d) { return rd_u32(s->docs + (size_t)d * SEG_DOC_ROW + 16); }
/* Its record index in that block. */
static inline uint32_t seg_rec_of(const segment *s, uint32_t d) { return rd_u32(s->docs + (size_t)d * SEG_DOC_ROW + 20); }

/* Find the document with this id that is not in `deleted` (may be NULL):
** 1 (and *doc), 0 absent, or ND_ERR_*. */
int seg_find_id(const segment *s, const char *id, const roaring_bitmap_t *deleted, uint32_t *doc);
/* The id of document d (not NUL-terminated) and its length; NULL if d is
** out of range or the table is damaged. */
const char *seg_id(const segment *s, uint32_t d, size_t *len);
/* Add the documents of segment s that are not in `del` (may be NULL), in
** their order, setting remap[d] to each one's new number (UINT32_MAX:
** deleted).  Stored blocks with no deleted article are copied compressed
** when the writer has the dictionary of s; other articles' records are
** copied from their decompressed block (never decoded).  `scratch` holds a
** block.  0 or ND_ERR_*. */
int segw_copy_docs(seg_writer *w, const segment *s, const roaring_bitmap_t *del, uint32_t *remap, buf *scratch);
/* File name of segment file kind k ("s000012.dic"); out >= 16 bytes. */
void seg_file_name(uint32_t segno, int k, char *out);

#endif
