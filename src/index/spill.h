/*
** spill.h -- a column of fixed-width rows that a segment writer collects
** one article (or one posting) at a time and writes out when it finishes,
** in the order it was given or sorted.
**
** A segment's per-article columns and indexes (ids, dates, fingerprints,
** story keys, topic lists...) grow with its articles; a merge of a large
** archive would hold them all.  A spill keeps at most spill_run_bytes of
** rows in memory: beyond that, the rows held are written (sorted first,
** for a sorted column) to a temporary file of the archive, a run, named
** "sSEGNO.tCOL.RUN".  When the segment is finished the runs are read
** back through the storage's mapping, in order or merged (a heap over the
** runs), with the rows still in memory last.  Such names are never a
** manifest's, so a writer opening the archive removes the runs a crash
** left (index.c); a finished or abandoned spill removes its own.
*/
#ifndef ND_INDEX_SPILL_H
#define ND_INDEX_SPILL_H
#include <stddef.h>
#include <stdint.h>

#include "../util/buf.h"

struct nd_storage;

/* Bytes of rows a spill holds before it writes a run (tests lower it). */
extern size_t spill_run_bytes;

typedef int (*spill_cmp)(const void *a, const void *b);

typedef struct spill {
  const struct nd_storage *st;
  uint32_t segno;
  unsigned col;    /* names its runs */
  size_t width;    /* bytes a row */
  spill_cmp cmp;   /* the order of a sorted column; NULL: as given */
  buf mem;         /* rows not in a run */
  uint32_t nruns;  /* runs written: .0 to .nruns-1 */
  uint64_t rows;   /* rows in all */
  int err;         /* ND_ERR_* of the first failure (sticky), or 0 */
} spill;

void spill_init(spill *s, const struct nd_storage *st, uint32_t segno, unsigned col, size_t width, spill_cmp cmp);
/* Append n rows (n * width bytes).  0 or ND_ERR_*. */
int spill_put(spill *s, const void *rows, size_t n);
/* Give every row to out, in order, a run of consecutive rows at a time
** (one row at a time for a sorted column); out returns 0 to go on or an
** ND_ERR_* to stop with.  Can be called more than once.  0 or ND_ERR_*. */
int spill_each(spill *s, int (*out)(void *ctx, const uint8_t *rows, size_t n), void *ctx);
/* Free the rows and remove the runs.  Allocates nothing. */
void spill_free(spill *s);

#endif
