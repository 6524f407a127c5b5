/*
** file.h -- files: buffered checksummed output, mapping, durability, and
** the POSIX storage (a directory) behind them.
**
** A sink writes a new file sequentially through a buffer, hashing every
** byte with XXH64 as it goes.  Like buf, its error is sticky: after a failed
** write every call is a no-op and sink->err holds the errno.
*/
#ifndef ND_UTIL_FILE_H
#define ND_UTIL_FILE_H
#include <stddef.h>
#include <stdint.h>
#include <xxhash.h>

#include "buf.h"

/* An archive's files go through an nd_storage (newsdex.h): by default the
** POSIX one below, a directory of files. */
struct nd_storage;

typedef struct sink {
  const struct nd_storage *st;
  void *file;        /* the storage's handle (NULL once closed) */
  uint64_t off;      /* bytes written so far (flushed or not) */
  buf b;
  XXH64_state_t *h;
  int err;           /* errno of the first failure, or 0 */
} sink;

/* Create file `name` (EEXIST if it is there) for writing.  0 or an errno;
** on failure the sink still needs sink_abort(). */
int sink_open(sink *s, const struct nd_storage *st, const char *name);
void sink_write(sink *s, const void *p, size_t n);
void sink_write_buf(sink *s, buf *b); /* then resets b */
/* Flush, make durable and close.  Returns 0 or the errno of the first
** failure; *hash (if not NULL) gets the XXH64 of everything written. */
int sink_close(sink *s, uint64_t *hash);
/* Give up a sink: a file still open is closed and removed; a closed one
** is left alone.  Allocates nothing. */
void sink_abort(sink *s);

/* A read-only view of a whole file, contiguous. */
typedef struct mapped {
  const uint8_t *p;
  size_t n;
  const struct nd_storage *st; /* to release it (NULL: nothing held) */
  void *token;
} mapped;
/* Returns 0 or an errno. */
int vfs_map(const struct nd_storage *st, const char *name, mapped *m);
void vfs_unmap(mapped *m);
/* Read a small file of the storage whole into *out (NUL-terminated). */
int vfs_read(const struct nd_storage *st, const char *name, buf *out);
/* Replace (or create) a small file atomically and durably. */
int vfs_replace(const struct nd_storage *st, const char *name, const void *p, size_t n);
/* Remove a file (ENOENT when absent). */
int vfs_remove(const struct nd_storage *st, const char *name);
/* Make the creations and removals so far durable. */
int vfs_sync(const struct nd_storage *st);

/* The POSIX storage of directory `dir`: files dir/NAME, written with
** write(2) and fsync, mapped with mmap, replaced by rename over a fsynced
** temporary, the writer lock an flock() on dir/LOCK.  NULL when out of
** memory. */
struct nd_storage *vfs_posix_new(const char *dir);
void vfs_posix_free(struct nd_storage *st);

/* Read a small file of the file system whole into *out (NUL-terminated).
** 0 or errno. */
int read_file(const char *path, buf *out);

/* XXH64 of a byte range, seed 0. */
uint64_t hash64(const void *p, size_t n);

/* Map an errno to an ND_ERR_* status (ENOSPC/EDQUOT -> NOSPACE, ENOMEM ->
** NOMEM, ENOENT -> NOTFOUND, else IO). */
int status_from_errno(int e);

#endif
