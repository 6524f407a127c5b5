/* file.c -- sinks, mappings and durable small files (see file.h). */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "newsdex.h"

#define SINK_CHUNK (1u << 20)

uint64_t hash64(const void *p, size_t n) { return XXH64(p, n, 0); }

int status_from_errno(int e) {
  switch (e) {
    case ENOSPC: case EDQUOT: case EFBIG: return ND_ERR_NOSPACE;
    case ENOMEM: return ND_ERR_NOMEM;
    case ENOENT: return ND_ERR_NOTFOUND;
    default: return ND_ERR_IO;
  }
}

int sink_open(sink *s, const char *path) {
  memset(s, 0, sizeof *s);
  buf_init(&s->b);
  s->h = XXH64_createState();
  if (!s->h) { s->fd = -1; return s->err = ENOMEM; }
  XXH64_reset(s->h, 0);
  s->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (s->fd < 0) s->err = errno;
  return s->err;
}

static void sink_flush(sink *s) {
  size_t done = 0;
  while (!s->err && done < s->b.n) {
    ssize_t k = write(s->fd, s->b.p + done, s->b.n - done);
    if (k < 0) {
      if (errno == EINTR) continue;
      s->err = errno;
    } else {
      done += (size_t)k;
    }
  }
  buf_reset(&s->b);
}

void sink_write(sink *s, const void *p, size_t n) {
  if (s->err || n == 0) return;
  XXH64_update(s->h, p, n);
  s->off += n;
  if (n >= SINK_CHUNK) {
    sink_flush(s);
    buf tmp = {(uint8_t *)p, n, n, 0};
    s->b = tmp;
    sink_flush(s);
    buf_init(&s->b);
    return;
  }
  buf_put(&s->b, p, n);
  if (s->b.oom) { s->err = ENOMEM; return; }
  if (s->b.n >= SINK_CHUNK) sink_flush(s);
}

void sink_write_buf(sink *s, buf *b) {
  sink_write(s, b->p, b->n);
  buf_reset(b);
}

int sink_close(sink *s, uint64_t *hash) {
  sink_flush(s);
  if (!s->err && fsync(s->fd)) s->err = errno;
  if (s->fd >= 0 && close(s->fd) && !s->err) s->err = errno;
  s->fd = -1;
  if (hash && s->h) *hash = XXH64_digest(s->h);
  if (s->h) XXH64_freeState(s->h);
  s->h = NULL;
  buf_free(&s->b);
  return s->err;
}

void sink_abort(sink *s) {
  if (s->fd >= 0) close(s->fd);
  s->fd = -1;
  if (s->h) XXH64_freeState(s->h);
  s->h = NULL;
  buf_free(&s->b);
}

int map_file(const char *path, mapped *m) {
  m->p = NULL;
  m->n = 0;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  struct stat st;
  if (fstat(fd, &st)) { int e = errno; close(fd); return e; }
  if (st.st_size > 0) {
    void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { int e = errno; close(fd); return e; }
    m->p = p;
    m->n = (size_t)st.st_size;
  }
  close(fd);
  return 0;
}

void unmap_file(mapped *m) {
  if (m->p) munmap((void *)m->p, m->n);
  m->p = NULL;
  m->n = 0;
}

int read_file(const char *path, buf *out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  buf_reset(out);
  for (;;) {
    if (buf_reserve(out, 65536)) { close(fd); return ENOMEM; }
    ssize_t k = read(fd, out->p + out->n, 65536);
    if (k < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      close(fd);
      return e;
    }
    if (k == 0) break;
    out->n += (size_t)k;
  }
  close(fd);
  buf_cstr(out);
  return 0;
}

int fsync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  int e = fsync(fd) ? errno : 0;
  close(fd);
  return e;
}

int write_file_atomic(const char *dir, const char *name, const void *p, size_t n) {
  buf path, tmp;
  buf_init(&path);
  buf_init(&tmp);
  buf_printf(&path, "%s/%s", dir, name);
  buf_printf(&tmp, "%s/%s.tmp", dir, name);
  int e = 0;
  if (path.oom || tmp.oom) { e = ENOMEM; goto done; }
  unlink(buf_cstr(&tmp));
  sink s;
  if ((e = sink_open(&s, buf_cstr(&tmp)))) { sink_abort(&s); goto done; }
  sink_write(&s, p, n);
  if ((e = sink_close(&s, NULL))) { unlink(buf_cstr(&tmp)); goto done; }
  if (rename(buf_cstr(&tmp), buf_cstr(&path))) { e = errno; unlink(buf_cstr(&tmp)); goto done; }
  e = fsync_dir(dir);
done:
  buf_free(&path);
  buf_free(&tmp);
  return e;
}
