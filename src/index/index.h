/*
** index.h -- the archive handle (struct nd_index) and its snapshot.
**
** Internal: shared by the index layer (open, add, delete, commit, merge)
** and the layers above it (query execution, presentation).
*/
#ifndef ND_INDEX_INDEX_H
#define ND_INDEX_INDEX_H
#include <stddef.h>
#include <stdint.h>

#include <roaring/roaring.h>

#include "../text/analyze.h"
#include "../util/buf.h"
#include "manifest.h"
#include "membuf.h"
#include "newsdex.h"
#include "segment.h"

/* One segment of a snapshot, with its deletions. */
typedef struct snap_seg {
  segment seg;
  roaring_bitmap_t *del; /* NULL: none deleted */
  man_seg ms;
} snap_seg;

/* What a search sees: the segments of one commit. */
typedef struct snapshot {
  snap_seg *segs;
  size_t n;
  uint64_t generation;
  uint64_t total_docs, live_docs;    /* over all segments */
  uint64_t sum_title_len, sum_body_len;
  double norm_t[256], norm_b[256]; /* bm25_norms of the average title and body lengths */
} snapshot;

struct nd_index {
  char *dir;                /* names the archive in messages */
  const nd_storage *st;     /* where its files live */
  nd_storage *own_st;       /* the POSIX one of `dir`, when no storage was given */
  unsigned flags;
  int locked;               /* holds the storage's writer lock */
  char err[512];
  size_t erroff;
  analyzer *an;
  manifest man;   /* the last commit */
  snapshot snap;  /* its segments, mapped */
  /* writer state */
  membuf *mb;
  struct flush_job *inflight;  /* a full buffer being written in the background */
  int lost;                    /* ND_ERR_* of a failed write that dropped added articles: the next commit fails */
  unsigned threads;            /* 1: everything in the calling thread (see nd_open_options) */
  size_t buffer_bytes;
  unsigned merge_factor;       /* 1: no automatic merges */
  roaring_bitmap_t **pend_del; /* per snapshot segment: new deletion set, or NULL */
  snap_seg *pend;              /* segments flushed since the last commit */
  size_t npend;
  uint32_t next_segno;
  char *last_id;
  uint8_t *zdict;   /* the zstd dictionary new segments get (index.c's adopt_dict), or NULL */
  size_t zdict_len;
  buf scratch;
  /* Preparing added articles (index.c): workers[0] is the calling
  ** thread's (its analyzer is `an`, not owned), workers[1..] those of the
  ** helper threads of nd_add_batch, made when first needed. */
  struct add_worker *workers;
  unsigned nworkers;
  buf batch_text;   /* the ids and messages of nd_add_batch's results */
  struct alias_table *aliases; /* of the snapshot, built when first needed (alias.h) */
  struct story_pending *stories; /* articles added since the last commit (stories.h) */
  double near_dup;             /* Jaccard from which articles are versions of one story */
  uint32_t nbufs;              /* buffers written out since the last commit (the
                               ** current one is number nbufs) */
};

/* Set the handle's message; returns rc.  printf-style. */
int ix_fail(nd_index *ix, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* 1 if doc d of the snapshot segment is deleted (committed deletions). */
static inline int ss_deleted(const snap_seg *s, uint32_t d) {
  return s->del && roaring_bitmap_contains(s->del, d);
}
/* The article added since the last commit as doc `doc` of buffer `b`
** (buffers numbered from 0 at each commit): from the current buffer, the
** one being written in the background, or the pending segment it was
** written to.  0, ND_ERR_NOTFOUND or another ND_ERR_*. */
int ix_pending_doc(nd_index *ix, uint32_t b, uint32_t doc, struct nd_document **out);
/* Its signature and keys, from the same places. */
int ix_pending_docx(const nd_index *ix, uint32_t b, uint32_t doc, seg_docx *x);

/* Merge the given snapshot segments into new segment `segno`.  0 or ND_ERR_*. */
int merge_segments(nd_index *ix, const snap_seg *in, size_t n, uint32_t segno, seg_meta *out);

#endif
