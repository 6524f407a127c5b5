/*
** manifest.h -- the list of live segments, and deletion bitmaps.
**
** MANIFEST is a small text file, replaced atomically at every commit
** (written to MANIFEST.tmp, fsynced, renamed, directory fsynced):
**
**   newsdex-manifest 1
**   generation 12
**   language english
**   next-segment 7
**   segment 3 docs 1000 deleted 3 delgen 12
**   segment 6 docs 250 deleted 0 delgen 0
**   checksum 9f0c2d1e3a4b5c6d          XXH64 of every line above, in hex
**
** A segment with deleted documents has a deletion file sN_G.del (N the
** segment, G its delgen, both six digits): a CRoaring bitmap in its
** portable format followed by the bitmap's XXH64 (8 bytes).
*/
#ifndef ND_INDEX_MANIFEST_H
#define ND_INDEX_MANIFEST_H
#include <stddef.h>
#include <stdint.h>

#include <roaring/roaring.h>

typedef struct man_seg {
  uint32_t segno, ndocs, ndeleted;
  uint64_t delgen; /* 0: no deletions */
} man_seg;

typedef struct manifest {
  uint64_t generation;
  char language[32];
  uint32_t next_segno;
  man_seg *segs;
  size_t nsegs;
} manifest;

struct nd_storage;

/* Read MANIFEST (`label` names the archive in err).  0, ND_ERR_NOTFOUND
** (no archive), ND_ERR_CORRUPT or ND_ERR_VERSION with a message in err. */
int man_read(const struct nd_storage *st, const char *label, manifest *m, char *err, size_t errcap);
/* Write it atomically and durably.  0 or ND_ERR_*. */
int man_write(const struct nd_storage *st, const manifest *m);
void man_free(manifest *m);
int man_copy(manifest *dst, const manifest *src); /* 0 or ND_ERR_NOMEM */

void del_file_name(uint32_t segno, uint64_t delgen, char *out); /* >= 32 bytes */
/* Read a deletion bitmap.  0 and *out, or ND_ERR_* with a message. */
int del_read(const struct nd_storage *st, uint32_t segno, uint64_t delgen, roaring_bitmap_t **out, char *err, size_t errcap);
/* Write one durably (fsynced; the caller fsyncs the directory).  0 or ND_ERR_*. */
int del_write(const struct nd_storage *st, uint32_t segno, uint64_t delgen, const roaring_bitmap_t *r);

#endif
