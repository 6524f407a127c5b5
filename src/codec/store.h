/*
** store.h -- stored articles (.sto file).
**
** Articles are serialised as records and packed into blocks of about
** STORE_BLOCK bytes, each compressed as one zstd frame; fetching an article
** costs one block decompression.  The file starts with the zstd dictionary
** with which every block is compressed (empty: none): news articles share
** much vocabulary and boilerplate, and a dictionary recovers most of what
** small blocks lose against big ones: 16 KiB blocks store the news corpus
** in 1.2% more bytes than 64 KiB ones, and a fetch decompresses a quarter
** as much (docs/format.md).  A writer is either given a dictionary or trains one on its
** first STORE_TRAIN bytes of records (none when training fails, e.g. for a
** small segment); the index gives every new segment the one of the
** archive's first full-sized segment, so that segments share it and a
** merge copies their compressed blocks as they are (stw_copy_block).  After the blocks comes the block table:
** (nblocks + 1) u64 offsets (the last is the table's own offset); the first
** block's offset is the dictionary's length.  A segment's per-document
** table says which block and which record in it.
**
** Record: u8 mask of present fields (bit i = field i of id, title, date,
** source, url, body, extra_json), each present field as uvarint length +
** bytes, then uvarint count of marked terms and each as length + bytes.
*/
#ifndef ND_CODEC_STORE_H
#define ND_CODEC_STORE_H
#include <stddef.h>
#include <stdint.h>

#include "../util/buf.h"
#include "newsdex.h"

#define STORE_BLOCK (16 * 1024)
#define STORE_LEVEL 4                /* zstd level of new blocks */
#define STORE_TRAIN (16 << 20)     /* bytes of records a dictionary is trained on */
#define STORE_DICT_MAX (1024 << 10) /* its largest size (and 1/16 of the samples) */

/* Serialise a document as a record appended to *out. */
void rec_encode(buf *out, const nd_doc *d);

/* A decoded article that owns its strings (the public nd_document). */
struct nd_document {
  nd_doc doc;
  char *mem;
  const char **marked;
};
/* The id of a record (not NUL-terminated), without decoding the rest.
** 0 or -1 (damaged, or no id). */
int rec_id(const uint8_t *rec, size_t len, const char **id, size_t *n);
/* Decode a record into a new document.  Returns 0, -1 (damaged), -2 (no memory). */
int rec_decode(const uint8_t *rec, size_t len, struct nd_document **out);

typedef struct store_writer {
  buf blk;           /* raw records of the current block */
  uint32_t nin;      /* records in it */
  int trained;       /* 1 once the dictionary is decided (possibly empty) */
  buf pend;          /* before that: raw bytes of completed blocks */
  buf pend_ends;     /* u64 end of each of them in pend */
  buf sizes;         /* size_t size of each record in pend and blk */
  void *cdict;       /* ZSTD_CDict, NULL without a dictionary */
  const uint8_t *dict; /* the dictionary given to stw_init (not owned) */
  size_t dict_len;
  buf table;         /* u64 block offsets */
  uint64_t off;      /* compressed bytes emitted */
  uint32_t nblocks;
  int level;
  void *cctx;        /* ZSTD_CCtx */
  uint64_t raw;      /* uncompressed bytes seen */
} store_writer;

/* Start a store at level `level`.  With a dictionary (dict_len > 0; it
** must outlive the writer) it is written to *out and every block is
** compressed with it; without, one is trained.  0 or -1 (memory/zstd). */
int stw_init(store_writer *w, int level, const uint8_t *dict, size_t dict_len, buf *out);
void stw_free(store_writer *w);
/* Add an encoded record (rec_encode's); completed blocks are compressed
** and appended to *out.  On return block and idx say where the record will
** be.  0 or -1 (memory/zstd). */
int stw_add_record(store_writer *w, const uint8_t *rec, size_t len, buf *out, uint32_t *block, uint32_t *idx);
/* Close the current block, then append a whole compressed block (a frame
** of store_frame) as the next one, *block its number.  Only for a writer
** given a dictionary, and a frame compressed with the same dictionary.
** 0, -1 (memory) or -2 (not a whole frame, or no dictionary). */
int stw_copy_block(store_writer *w, const uint8_t *frame, size_t n, buf *out, uint32_t *block);
/* 1 if the writer was given this dictionary (same bytes), else 0. */
int stw_has_dict(const store_writer *w, const uint8_t *dict, size_t len);
/* Flush the last block, append the block table; *table_off set. */
int stw_finish(store_writer *w, buf *out, uint64_t *table_off);

typedef struct store {
  const uint8_t *base;
  uint64_t table_off;
  uint32_t nblocks;
  void *ddict, *dctx; /* ZSTD_DDict and ZSTD_DCtx when there is a dictionary */
} store;

/* 0, -1 (damaged) or -2 (no memory).  Close with store_close. */
int store_open(store *s, const uint8_t *base, size_t len, uint64_t table_off, uint32_t nblocks);
void store_close(store *s);
/* The store's dictionary: its bytes and length (0: none). */
const uint8_t *store_dict(const store *s, size_t *len);
/* The compressed frame of block b.  0 or -1 (damaged). */
int store_frame(const store *s, uint32_t b, const uint8_t **frame, size_t *len);
/* Decompress block b into *out.  0, -1 (damaged), -2 (no memory). */
int store_block(const store *s, uint32_t b, buf *out);
/* Find record idx in a decompressed block.  0 or -1 (damaged). */
int rec_find(const uint8_t *blk, size_t n, uint32_t idx, const uint8_t **rec, size_t *len);

#endif
