/*
** indexes.c -- the archives a server serves, by name.
**
** `serve --db ARCHIVE` serves one archive, named after its folder;
** `serve --root DIR` serves every archive in DIR (each sub-folder holding a
** MANIFEST), named after its folder, and lets writers create and delete
** them (the Elasticsearch API's PUT and DELETE /{index}).  Each index has
** its own pool of handles (pool.c).  A request holds a counted reference;
** an index deleted while requests use it leaves the list at once (new
** requests do not find it) and is closed, and its folder removed, when the
** last reference is put back.
**
** Names follow Elasticsearch's rules for index names, narrowed to what is
** safe as a folder name: 1 to 100 characters of a-z, 0-9, '.', '_', '-',
** starting with a letter or digit.
*/
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "server.h"

#define NAME_MAX_LEN 100

int registry_valid_name(const char *name, char *why, size_t cap) {
  size_t n = strlen(name);
  if (!n || n > NAME_MAX_LEN) {
    snprintf(why, cap, "must be 1 to %d characters long", NAME_MAX_LEN);
    return 0;
  }
  if (!((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= '0' && name[0] <= '9'))) {
    snprintf(why, cap, "must start with a lowercase letter or a digit");
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
      snprintf(why, cap, "must be lowercase and contain only a-z, 0-9, '.', '_' and '-'");
      return 0;
    }
  }
  return 1;
}

static srv_index *index_new(const char *name, const char *path) {
  srv_index *x = calloc(1, sizeof *x);
  if (!x) return NULL;
  x->name = strdup(name);
  x->path = strdup(path);
  if (!x->name || !x->path) {
    free(x->name);
    free(x->path);
    free(x);
    return NULL;
  }
  return x;
}

static void index_free(srv_index *x) {
  pool_close(&x->pool);
  free(x->name);
  free(x->path);
  free(x);
}

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *f) { return remove(p); }

static void index_release(srv_index *x) {
  int drop = x->dropped;
  char *path = drop ? strdup(x->path) : NULL;
  index_free(x);
  if (path) nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
  free(path);
}

/* Open x's pool; the exit code of pool_open. */
static int index_open(registry *g, srv_index *x) { return pool_open(&x->pool, x->path, g->readers, g->write); }

/* Insert in name order. */
static void list_insert(registry *g, srv_index *x) {
  srv_index **p = &g->list;
  while (*p && strcmp((*p)->name, x->name) < 0) p = &(*p)->next;
  x->next = *p;
  *p = x;
}

static int add_archive(registry *g, const char *name, const char *path) {
  srv_index *x = index_new(name, path);
  if (!x) { cli_error("out of memory"); return EXIT_ERROR; }
  int st = index_open(g, x);
  if (st) { index_free(x); return st; }
  list_insert(g, x);
  return EXIT_OK;
}

/* The name an archive folder is served under: its last path component,
** lowercased. */
static void name_of(const char *path, char *out, size_t cap) {
  size_t n = strlen(path);
  while (n > 1 && path[n - 1] == '/') n--;
  size_t s = n;
  while (s && path[s - 1] != '/') s--;
  size_t k = 0;
  for (; s < n && k + 1 < cap; s++) out[k++] = (char)(path[s] >= 'A' && path[s] <= 'Z' ? path[s] + 32 : path[s]);
  out[k] = 0;
}

int registry_open(registry *g, const char *root, const char *db, size_t readers, int write) {
  memset(g, 0, sizeof *g);
  pthread_mutex_init(&g->mu, NULL);
  g->readers = readers;
  g->write = write;
  char name[NAME_MAX_LEN + 64], why[160];
  if (!root) {
    name_of(db, name, sizeof name);
    if (!registry_valid_name(name, why, sizeof why)) snprintf(name, sizeof name, "newsdex");
    return add_archive(g, name, db);
  }
  if (!(g->root = strdup(root))) { cli_error("out of memory"); return EXIT_ERROR; }
  DIR *d = opendir(root);
  if (!d) {
    if (errno == ENOENT && write && mkdir(root, 0777) == 0) return EXIT_OK;
    cli_error("cannot read the folder of archives %s: %s", root, strerror(errno));
    return EXIT_ERROR;
  }
  int st = EXIT_OK;
  struct dirent *e;
  while (!st && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char path[4096];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s/MANIFEST", root, e->d_name);
    if (stat(path, &sb)) continue; /* not an archive */
    if (!registry_valid_name(e->d_name, why, sizeof why)) {
      fprintf(stderr, "newsdex: not serving %s/%s: an index name %s\n", root, e->d_name, why);
      continue;
    }
    snprintf(path, sizeof path, "%s/%s", root, e->d_name);
    st = add_archive(g, e->d_name, path);
  }
  closedir(d);
  return st;
}

void registry_close(registry *g) {
  for (srv_index *x = g->list, *nx; x; x = nx) {
    nx = x->next;
    index_free(x);
  }
  free(g->root);
  pthread_mutex_destroy(&g->mu);
  memset(g, 0, sizeof *g);
}

srv_index *registry_get(registry *g, const char *name) {
  pthread_mutex_lock(&g->mu);
  srv_index *x = g->list;
  while (x && strcmp(x->name, name)) x = x->next;
  if (x) x->refs++;
  pthread_mutex_unlock(&g->mu);
  return x;
}

srv_index *registry_default(registry *g, const char *name, int *several) {
  *several = 0;
  if (name) return registry_get(g, name);
  pthread_mutex_lock(&g->mu);
  srv_index *x = g->list;
  if (x && x->next) { *several = 1; x = NULL; }
  if (x) x->refs++;
  pthread_mutex_unlock(&g->mu);
  return x;
}

void registry_put(registry *g, srv_index *x) {
  if (!x) return;
  pthread_mutex_lock(&g->mu);
  int last = --x->refs == 0 && x->dropped;
  pthread_mutex_unlock(&g->mu);
  if (last) index_release(x);
}

int registry_create(registry *g, const char *name, srv_index **out, char *why, size_t cap) {
  *out = NULL;
  if (!g->root) { snprintf(why, cap, "this server serves one archive (--db); start it with --root DIR to create indexes"); return 400; }
  if (!registry_valid_name(name, why, cap)) return 400;
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", g->root, name);
  pthread_mutex_lock(&g->mu);
  srv_index *x = g->list;
  while (x && strcmp(x->name, name)) x = x->next;
  int status = 0;
  if (x) {
    snprintf(why, cap, "index [%s] already exists", name);
    status = 409;
  } else if (mkdir(path, 0777) && errno != EEXIST) {
    snprintf(why, cap, "cannot create the folder of index [%s]: %s", name, strerror(errno));
    status = 500;
  } else if (!(x = index_new(name, path))) {
    snprintf(why, cap, "out of memory");
    status = 500;
  } else if (index_open(g, x)) {
    snprintf(why, cap, "cannot open the archive of index [%s] (see the server's log)", name);
    index_free(x);
    status = 500;
  } else {
    x->refs = 1;
    list_insert(g, x);
    *out = x;
  }
  pthread_mutex_unlock(&g->mu);
  return status;
}

int registry_drop(registry *g, const char *name, char *why, size_t cap) {
  if (!g->root) { snprintf(why, cap, "this server serves one archive (--db); start it with --root DIR to delete indexes"); return 400; }
  pthread_mutex_lock(&g->mu);
  srv_index **p = &g->list;
  while (*p && strcmp((*p)->name, name)) p = &(*p)->next;
  srv_index *x = *p;
  int now = 0;
  if (x) {
    *p = x->next;
    x->dropped = 1;
    now = x->refs == 0;
  }
  pthread_mutex_unlock(&g->mu);
  if (!x) { snprintf(why, cap, "no such index [%s]", name); return 404; }
  if (now) index_release(x);
  return 0;
}

size_t registry_list(registry *g, srv_index ***out) {
  pthread_mutex_lock(&g->mu);
  size_t n = 0;
  for (srv_index *x = g->list; x; x = x->next) n++;
  srv_index **a = calloc(n + 1, sizeof *a);
  size_t k = 0;
  for (srv_index *x = g->list; a && x; x = x->next) {
    x->refs++;
    a[k++] = x;
  }
  pthread_mutex_unlock(&g->mu);
  *out = a;
  return k;
}
