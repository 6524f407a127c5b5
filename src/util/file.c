/* file.c -- sinks, mappings and durable small files (see file.h). */
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <dirent.h>
#include <sys/file.h>
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

/* ---- sinks, over any storage -------------------------------------------- */

int sink_open(sink *s, const nd_storage *st, const char *name) {
  memset(s, 0, sizeof *s);
  buf_init(&s->b);
  s->st = st;
  s->h = XXH64_createState();
  if (!s->h) return s->err = ENOMEM;
  XXH64_reset(s->h, 0);
  s->err = st->create(st, name, &s->file);
  if (s->err) s->file = NULL;
  return s->err;
}

static void sink_flush(sink *s) {
  if (!s->err && s->b.n) s->err = s->st->append(s->file, s->b.p, s->b.n);
  buf_reset(&s->b);
}

void sink_write(sink *s, const void *p, size_t n) {
  if (s->err || n == 0) return;
  XXH64_update(s->h, p, n);
  s->off += n;
  if (n >= SINK_CHUNK) {
    sink_flush(s);
    if (!s->err) s->err = s->st->append(s->file, p, n);
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

static void sink_release(sink *s) {
  if (s->h) XXH64_freeState(s->h);
  s->h = NULL;
  buf_free(&s->b);
}

int sink_close(sink *s, uint64_t *hash) {
  sink_flush(s);
  if (s->file) {
    if (s->err) {
      s->st->abandon(s->st, s->file);
    } else {
      s->err = s->st->finish(s->file);
    }
    s->file = NULL;
  }
  if (hash && s->h) *hash = XXH64_digest(s->h);
  sink_release(s);
  return s->err;
}

void sink_abort(sink *s) {
  if (s->file) s->st->abandon(s->st, s->file);
  s->file = NULL;
  sink_release(s);
}

/* ---- whole files ------------------------------------------------------- */

int vfs_map(const nd_storage *st, const char *name, mapped *m) {
  memset(m, 0, sizeof *m);
  const void *p;
  size_t n;
  void *token;
  int e = st->map(st, name, &p, &n, &token);
  if (e) return e;
  *m = (mapped){p, n, st, token};
  return 0;
}

void vfs_unmap(mapped *m) {
  if (m->st) m->st->unmap(m->st, m->token, m->p, m->n);
  memset(m, 0, sizeof *m);
}

int vfs_read(const nd_storage *st, const char *name, buf *out) {
  mapped m;
  int e = vfs_map(st, name, &m);
  if (e) return e;
  buf_reset(out);
  buf_put(out, m.p, m.n);
  vfs_unmap(&m);
  buf_cstr(out);
  return out->oom ? ENOMEM : 0;
}

int vfs_replace(const nd_storage *st, const char *name, const void *p, size_t n) { return st->replace(st, name, p, n); }
int vfs_remove(const nd_storage *st, const char *name) { return st->remove(st, name); }
int vfs_sync(const nd_storage *st) { return st->sync(st); }

/* ---- the POSIX storage: a directory -------------------------------------- */

typedef struct posix_dir {
  char *dir;
  int lockfd;
} posix_dir;

typedef struct posix_file {
  int fd;
  char path[]; /* to remove it when abandoned */
} posix_file;

/* dir/name into out (PATH_MAX bytes), allocating nothing: removals also
** run after memory ran out. */
static int path_in(const nd_storage *st, const char *name, char *out) {
  const posix_dir *d = st->ctx;
  int n = snprintf(out, PATH_MAX, "%s/%s", d->dir, name);
  return n < 0 || n >= PATH_MAX ? ENAMETOOLONG : 0;
}

static int px_create(const nd_storage *st, const char *name, void **file) {
  *file = NULL;
  const posix_dir *d = st->ctx;
  size_t len = strlen(d->dir) + strlen(name) + 2;
  posix_file *f = mem_alloc(sizeof *f + len);
  if (!f) return ENOMEM;
  snprintf(f->path, len, "%s/%s", d->dir, name);
  f->fd = open(f->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (f->fd < 0) { int e = errno; mem_free(f); return e; }
  *file = f;
  return 0;
}

static int px_append(void *file, const void *p, size_t n) {
  posix_file *f = file;
  size_t done = 0;
  while (done < n) {
    ssize_t k = write(f->fd, (const uint8_t *)p + done, n - done);
    if (k < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += (size_t)k;
  }
  return 0;
}

static int px_finish(void *file) {
  posix_file *f = file;
  int e = fsync(f->fd) ? errno : 0;
  if (close(f->fd) && !e) e = errno;
  mem_free(f);
  return e;
}

static void px_abandon(const nd_storage *st, void *file) {
  (void)st;
  posix_file *f = file;
  close(f->fd);
  unlink(f->path);
  mem_free(f);
}

/* Read fd to its end into *out (NUL-terminated).  0 or errno. */
static int read_fd(int fd, buf *out) {
  buf_reset(out);
  for (;;) {
    if (buf_reserve(out, 65536)) return ENOMEM;
    ssize_t k = read(fd, out->p + out->n, 65536);
    if (k < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (k == 0) break;
    out->n += (size_t)k;
  }
  buf_cstr(out);
  return 0;
}

static int px_map(const nd_storage *st, const char *name, const void **p, size_t *n, void **token) {
  *p = NULL;
  *n = 0;
  *token = NULL;
  char path[PATH_MAX];
  int e = path_in(st, name, path);
  int fd = e ? -1 : open(path, O_RDONLY | O_CLOEXEC);
  if (!e && fd < 0) e = errno;
  if (e) return e;
  struct stat sb;
  if (fstat(fd, &sb)) e = errno;
  if (!e && !S_ISREG(sb.st_mode)) { /* a pipe, say: read it (the copy is the token) */
    buf b;
    buf_init(&b);
    if (!(e = read_fd(fd, &b))) {
      *p = *token = b.p;
      *n = b.n;
    } else {
      buf_free(&b);
    }
  } else if (!e && sb.st_size > 0) {
    void *m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
      e = errno;
    } else {
      *p = m;
      *n = (size_t)sb.st_size;
    }
  }
  close(fd);
  return e;
}

static void px_unmap(const nd_storage *st, void *token, const void *p, size_t n) {
  (void)st;
  if (token) mem_free(token);
  else if (p) munmap((void *)p, n);
}

static int fsync_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errno;
  int e = fsync(fd) ? errno : 0;
  close(fd);
  return e;
}

static int px_sync(const nd_storage *st) { return fsync_dir(((const posix_dir *)st->ctx)->dir); }

static int px_remove(const nd_storage *st, const char *name) {
  char path[PATH_MAX];
  int e = path_in(st, name, path);
  return e ? e : unlink(path) ? errno : 0;
}

/* To name.tmp, fsync, rename over name, fsync the directory. */
static int px_replace(const nd_storage *st, const char *name, const void *p, size_t n) {
  char tname[NAME_MAX + 1], from[PATH_MAX], to[PATH_MAX];
  int e = snprintf(tname, sizeof tname, "%s.tmp", name) >= (int)sizeof tname ? ENAMETOOLONG : 0;
  if (!e) e = path_in(st, tname, from);
  if (!e) e = path_in(st, name, to);
  if (e) return e;
  unlink(from); /* left by a crash */
  void *f;
  if ((e = px_create(st, tname, &f))) return e;
  if ((e = px_append(f, p, n))) {
    px_abandon(st, f);
  } else if ((e = px_finish(f))) {
    unlink(from);
  } else if (rename(from, to)) {
    e = errno;
    unlink(from);
  } else {
    e = px_sync(st);
  }
  return e;
}

static int px_list(const nd_storage *st, int (*each)(void *arg, const char *name), void *arg) {
  DIR *d = opendir(((const posix_dir *)st->ctx)->dir);
  if (!d) return errno;
  struct dirent *e;
  int rc = 0;
  while (!rc && (e = readdir(d)))
    if (e->d_name[0] != '.' && strcmp(e->d_name, "LOCK")) rc = each(arg, e->d_name);
  closedir(d);
  return rc;
}

static int px_lock(const nd_storage *st) {
  posix_dir *d = st->ctx;
  char path[PATH_MAX];
  int e = path_in(st, "LOCK", path);
  if (e) return e;
  if ((d->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) < 0) return errno;
  if (flock(d->lockfd, LOCK_EX | LOCK_NB)) {
    e = errno;
    close(d->lockfd);
    d->lockfd = -1;
  }
  return e;
}

static void px_unlock(const nd_storage *st) {
  posix_dir *d = st->ctx;
  if (d->lockfd >= 0) close(d->lockfd);
  d->lockfd = -1;
}

nd_storage *vfs_posix_new(const char *dir) {
  nd_storage *st = mem_calloc(1, sizeof *st);
  posix_dir *d = mem_calloc(1, sizeof *d);
  if (!st || !d || !(d->dir = mem_strdup(dir))) {
    mem_free(st);
    mem_free(d);
    return NULL;
  }
  d->lockfd = -1;
  *st = (nd_storage){.ctx = d, .create = px_create, .append = px_append, .finish = px_finish,
                     .abandon = px_abandon, .map = px_map, .unmap = px_unmap, .replace = px_replace,
                     .remove = px_remove, .list = px_list, .sync = px_sync, .lock = px_lock,
                     .unlock = px_unlock};
  return st;
}

void vfs_posix_free(nd_storage *st) {
  if (!st) return;
  px_unlock(st);
  posix_dir *d = st->ctx;
  mem_free(d->dir);
  mem_free(d);
  mem_free(st);
}

/* ---- plain files -------------------------------------------------------- */

int read_file(const char *path, buf *out) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  int e = read_fd(fd, out);
  close(fd);
  return e;
}
