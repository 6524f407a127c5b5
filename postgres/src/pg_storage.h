/*
** pg_storage.h -- an archive's files in an index relation's pages.
**
** The library writes and reads an archive through an nd_storage
** (newsdex.h).  This one keeps the files in the pages of the index
** relation, written through the buffer manager and logged with generic
** WAL records, so that crash recovery and physical replicas need nothing
** of newsdex's own.
**
** Layout
**   block 0       the metapage: the directory's generation, length, XXH3
**                 and the extents (runs of blocks) holding it
**   other blocks  file data: a page header, then up to PGS_DATA bytes
**                 (pd_lower marks the end, so WAL images skip the rest)
** The directory is a small blob listing every file (name, length, XXH3,
** extents) and the free extents.  A file is written once, into blocks
** taken from the free extents or by extending the relation; the directory
** is rewritten ("published") when the manifest is replaced and when the
** writer lets go (sync does nothing: the manifest's replacement follows),
** so a file becomes part of the archive by the same one metapage update
** that publishes the manifest naming it.
**
** Concurrency.  Writers hold a heavyweight lock on page 0 of the index
** (LockPage, ExclusiveLock) from lock to unlock; readers take no lock
** beyond their buffer pins.  Readers copy a whole file into memory on map
** (cached per backend by name, extents and hash: files never change).  A
** block freed by a removal becomes reusable only after a directory that
** lists it as free is published, so a reader that copied a block reused
** under it finds the file's XXH3 wrong *and* the metapage's generation
** moved: it reads the new directory and looks the file up there again
** (ENOENT if the new manifest no longer has it).  A wrong hash with the
** generation unchanged is damage (EIO).  The blocks that hold a directory
** are taken from the free extents after the directory is rendered, so a
** reader of it takes them out of its free list (they are listed by the
** metapage).
*/
#ifndef ND_PG_STORAGE_H
#define ND_PG_STORAGE_H

#include "postgres.h"

#include "utils/rel.h"

#include "newsdex.h"

/* A storage of one index relation, for one backend.  `rel` must be set to
** the open relation before each call into the library that may reach it. */
typedef struct pgs pgs;

pgs *pgs_new(Oid relid);
void pgs_free(pgs *s);
void pgs_set_rel(pgs *s, Relation rel);
const nd_storage *pgs_storage(pgs *s);
/* The metapage's generation: it moves at every publication, so a reader
** refreshes its handle only when it has. */
uint64 pgs_generation(Relation rel);
/* Make block 0 a metapage with an empty directory (a new, empty index). */
void pgs_init_meta(Relation rel, ForkNumber fork);
/* After an ERROR escaped from a writer: forget the writer's state (the
** heavyweight lock goes with the transaction; blocks it wrote and never
** published stay unused). */
void pgs_forget_writer(pgs *s);
/* Drop the cached file copies no handle holds and the directory last read
** no longer names (kept ones serve the next handle opened). */
void pgs_trim(pgs *s);

#endif
