/*
** dict.h -- the sorted term dictionary of a segment (.dic file).
**
** Terms are sorted by their bytes and stored in blocks of DICT_BLOCK terms.
** A block is: uvarint count, uvarint doc_off, uvarint pos_off (where the
** block's first term's postings start in .doc/.pos), then per term:
** uvarint shared-prefix length (0 for a block's first term), uvarint suffix
** length, suffix bytes, uvarint df, uvarint doc_len, uvarint pos_len.  A
** term's postings follow the previous term's, so offsets need no storing.
** After the blocks comes the block index: one u64 offset per block.  The
** segment's meta file records where the index starts and how many blocks
** there are.  Lookups binary-search the index in the mapping, then scan
** one block: nothing of the dictionary needs to be resident in memory.
*/
#ifndef ND_CODEC_DICT_H
#define ND_CODEC_DICT_H
#include <stddef.h>
#include <stdint.h>

#include "../util/buf.h"

#define DICT_BLOCK 32
#define DICT_MAX_TERM 255

typedef struct term_info {
  uint32_t df;
  uint64_t doc_off, doc_len, pos_off, pos_len;
} term_info;

typedef struct dict_writer {
  buf blk;       /* the block being built */
  buf index;     /* u64 block offsets */
  uint64_t off;  /* bytes written to the .dic stream so far */
  uint32_t nin;  /* terms in the current block */
  uint64_t blk_doc_off, blk_pos_off; /* postings offsets of its first term */
  uint64_t nterms, nblocks;
  int forms;     /* code written forms (format 9); set after dw_init */
  char prev[DICT_MAX_TERM + 1];
  size_t prevlen;
} dict_writer;

void dw_init(dict_writer *w);
void dw_free(dict_writer *w);
/* Add a term (strictly greater than the previous one).  Complete blocks are
** appended to *out.  Returns 0 or -1 (out of memory, or the term is too long
** or out of order). */
int dw_add(dict_writer *w, const char *term, size_t len, const term_info *ti, buf *out);
/* Flush the last block and append the block index to *out.  *index_off gets
** the index's offset in the .dic stream. */
int dw_finish(dict_writer *w, buf *out, uint64_t *index_off);

typedef struct dict {
  const uint8_t *base; /* the .dic file */
  uint64_t index_off;  /* offset of the block index */
  uint64_t nblocks, nterms;
  int forms;           /* entries may code written forms (format 9) */
} dict;

/* Checks that the block index lies inside the file (each block's bounds
** are checked when it is read).  0 or -1. */
int dict_open(dict *d, const uint8_t *base, size_t len, uint64_t index_off, uint64_t nblocks, uint64_t nterms,
              int forms);

typedef struct dict_iter {
  const dict *d;
  uint64_t blk;
  const uint8_t *p, *end;
  uint32_t left;       /* terms left in the block after the current one */
  char term[DICT_MAX_TERM + 1];
  size_t len;
  term_info ti;
  uint64_t ord;        /* the current term's ordinal: its rank in the dictionary */
  int err;
} dict_iter;

/* Position at the first term >= key.  Returns 1 if positioned on a term,
** 0 if every term is smaller, -1 if the dictionary is damaged. */
int dict_seek(dict_iter *it, const dict *d, const char *key, size_t len);
/* Next term: 1, 0 at the end, -1 if damaged. */
int dict_next(dict_iter *it);
/* Position on the term of ordinal ord (every block but the last holds
** exactly DICT_BLOCK terms).  1, 0 if ord >= nterms, -1 if damaged. */
int dict_seek_ord(dict_iter *it, const dict *d, uint64_t ord);
/* Exact lookup: 1 found (and *ti set), 0 absent, -1 damaged. */
int dict_lookup(const dict *d, const char *key, size_t len, term_info *ti);

#endif
