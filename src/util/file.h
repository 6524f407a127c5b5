/*
** file.h -- files: buffered checksummed output, mapping, durability.
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

typedef struct sink {
  int fd;
  uint64_t off;      /* bytes written so far (flushed or not) */
  buf b;
  XXH64_state_t *h;
  int err;           /* errno of the first failure, or 0 */
} sink;

/* Create (O_EXCL) a file for writing.  Returns 0 or an errno. */
int sink_open(sink *s, const char *path);
void sink_write(sink *s, const void *p, size_t n);
void sink_write_buf(sink *s, buf *b); /* then resets b */
/* Flush, fsync and close.  Returns 0 or the errno of the first failure;
** *hash (if not NULL) gets the XXH64 of everything written. */
int sink_close(sink *s, uint64_t *hash);
/* Close without syncing (after an error); the caller unlinks the file. */
void sink_abort(sink *s);

/* A read-only mapping of a whole file. */
typedef struct mapped {
  const uint8_t *p;
  size_t n;
} mapped;
/* Returns 0 or an errno. */
int map_file(const char *path, mapped *m);
void unmap_file(mapped *m);

/* Read a small file whole into *out (NUL-terminated).  0 or errno. */
int read_file(const char *path, buf *out);
/* Write a small file durably: to path.tmp, fsync, rename over path, fsync
** the directory.  0 or errno. */
int write_file_atomic(const char *dir, const char *name, const void *p, size_t n);
/* fsync a directory.  0 or errno. */
int fsync_dir(const char *dir);

/* XXH64 of a byte range, seed 0. */
uint64_t hash64(const void *p, size_t n);

/* Map an errno to an ND_ERR_* status (ENOSPC/EDQUOT -> NOSPACE, ENOMEM ->
** NOMEM, ENOENT -> NOTFOUND, else IO). */
int status_from_errno(int e);

#endif
