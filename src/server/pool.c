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
