/*
** pool.c -- the archive handles of the server.
**
** An nd_index handle must not be used by two threads at once, so the
** server keeps one reader handle per worker thread and lends them out.
** Before a handle is lent it is refreshed (nd_refresh) if the manifest file
** changed since it last looked (a commit replaces the manifest by renaming
** a new file over it, so its inode and times change): commits made by this
** server's writer or by any other process become visible on the next
** request, with one stat() per request when nothing changed.
** Writes go through the single writer handle under its own mutex.
**
** Group commit.  A commit writes a segment and syncs it, so a stream of
** write requests (a client's _bulk helper keeps several in flight) would
** spend much of its time committing small segments.  A request that added
** documents and sees other writers queued for the mutex does not commit:
** it numbers its write (`added`), lets the next writer in, and waits until
** a commit covers its number (`done`).  Every writer ends either by
** committing (all the writer holds, so every waiting write with it) or by
** leaving it to a writer still queued; the last in the queue commits.  A
** request is answered only after the commit that made its write durable,
** with that commit's status: a failed commit's range of writes is kept
** (the last 8) for the waiters to find theirs.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../cli/cli.h"
#include "server.h"

static int same_file(const struct stat *a, const struct stat *b) {
  return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
         a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

int pool_open(pool *p, const char *db, size_t n, int write) {
  memset(p, 0, sizeof *p);
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->cv, NULL);
  pthread_mutex_init(&p->wmu, NULL);
  pthread_mutex_init(&p->smu, NULL);
  pthread_cond_init(&p->scv, NULL);
  size_t len = strlen(db) + sizeof "/MANIFEST";
  if (!(p->manifest = malloc(len)) || !(p->r = calloc(n, sizeof *p->r))) {
    cli_error("out of memory");
    return EXIT_ERROR;
  }
  snprintf(p->manifest, len, "%s/MANIFEST", db);
  if (write) {
    int st = cli_open(db, ND_OPEN_WRITE | ND_OPEN_CREATE, NULL, &p->writer);
    if (st) return st;
  }
  for (size_t i = 0; i < n; i++) {
    int st = cli_open(db, 0, NULL, &p->r[i].ix);
    if (st) return st;
    p->n = i + 1;
    stat(p->manifest, &p->r[i].seen);
  }
  return EXIT_OK;
}

void pool_close(pool *p) {
  for (size_t i = 0; i < p->n; i++) nd_close(p->r[i].ix);
  nd_close(p->writer);
  free(p->r);
  free(p->manifest);
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->cv);
  pthread_mutex_destroy(&p->wmu);
  pthread_mutex_destroy(&p->smu);
  pthread_cond_destroy(&p->scv);
  memset(p, 0, sizeof *p);
}

reader *pool_get(pool *p, unsigned wait_ms, int *rc) {
  *rc = 0;
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += wait_ms / 1000;
  until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
  if (until.tv_nsec >= 1000000000L) { until.tv_sec++; until.tv_nsec -= 1000000000L; }
  reader *r = NULL;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    for (size_t i = 0; i < p->n && !r; i++)
      if (!p->r[i].busy) r = &p->r[i];
    if (r) break;
    if (pthread_cond_timedwait(&p->cv, &p->mu, &until) == ETIMEDOUT) break;
  }
  if (r) r->busy = 1;
  pthread_mutex_unlock(&p->mu);
  if (!r) return NULL;
  struct stat now;
  if (stat(p->manifest, &now) == 0 && !same_file(&now, &r->seen)) {
    *rc = nd_refresh(r->ix);
    if (*rc == 0) r->seen = now;
  }
  return r;
}

void pool_put(pool *p, reader *r) {
  pthread_mutex_lock(&p->mu);
  r->busy = 0;
  pthread_cond_signal(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

/* ---- writes and group commit ---------------------------------------------- */

void pool_wlock(pool *p) {
  __atomic_add_fetch(&p->queued, 1, __ATOMIC_SEQ_CST);
  pthread_mutex_lock(&p->wmu);
  __atomic_sub_fetch(&p->queued, 1, __ATOMIC_SEQ_CST);
}

int pool_commit(pool *p) {
  int rc = nd_commit(p->writer);
  pthread_mutex_lock(&p->smu);
  if (rc && p->added > p->done) {
    struct pool_fail *f = &p->fails[p->nfails++ % (sizeof p->fails / sizeof p->fails[0])];
    f->lo = p->done + 1;
    f->hi = p->added;
    f->rc = rc;
    snprintf(f->msg, sizeof f->msg, "%s", nd_errmsg(p->writer));
  }
  p->done = p->added;
  pthread_cond_broadcast(&p->scv);
  pthread_mutex_unlock(&p->smu);
  return rc;
}

int pool_commit_group(pool *p, char *msg, size_t cap) {
  pthread_mutex_lock(&p->smu);
  uint64_t mine = ++p->added;
  pthread_mutex_unlock(&p->smu);
  if (!__atomic_load_n(&p->queued, __ATOMIC_SEQ_CST)) {
    int rc = pool_commit(p);
    snprintf(msg, cap, "%s", rc ? nd_errmsg(p->writer) : "");
    pthread_mutex_unlock(&p->wmu);
    return rc;
  }
  pthread_mutex_unlock(&p->wmu); /* a queued writer goes on, and commits or passes it on */
  pthread_mutex_lock(&p->smu);
  while (p->done < mine) pthread_cond_wait(&p->scv, &p->smu);
  int rc = 0;
  snprintf(msg, cap, "%s", "");
  size_t nf = sizeof p->fails / sizeof p->fails[0];
  for (unsigned i = 0; i < nf && i < p->nfails; i++) {
    const struct pool_fail *f = &p->fails[(p->nfails - 1 - i) % nf];
    if (mine >= f->lo && mine <= f->hi) {
      rc = f->rc;
      snprintf(msg, cap, "%s", f->msg);
      break;
    }
  }
  pthread_mutex_unlock(&p->smu);
  return rc;
}

void pool_wunlock(pool *p) {
  pthread_mutex_lock(&p->smu);
  int left = p->done < p->added;
  pthread_mutex_unlock(&p->smu);
  if (left && !__atomic_load_n(&p->queued, __ATOMIC_SEQ_CST)) pool_commit(p);
  pthread_mutex_unlock(&p->wmu);
}
