/*
** files.c -- the static files of the web page.
**
** Only names made of letters, digits, '-', '_' and '.' in at most two
** levels below the folder are served (no "..", no hidden files, no
** percent tricks: the path arrives decoded and is checked byte by byte),
** only regular files with a known type, opened with O_NOFOLLOW so that a
** link inside the folder cannot lead out of it.  "/" is index.html.
*/
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../cli/cli.h"
#include "server.h"

static const struct { const char *ext, *type; } TYPES[] = {
  {".html", "text/html; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
  {".js", "text/javascript; charset=utf-8"}, {".svg", "image/svg+xml"},
  {".png", "image/png"}, {".ico", "image/x-icon"}, {".txt", "text/plain; charset=utf-8"},
};

static int is_dir_with_index(const char *dir) {
  char p[PATH_MAX];
  struct stat st;
  return snprintf(p, sizeof p, "%s/index.html", dir) < (int)sizeof p && stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

char *files_locate(const char *given) {
  if (given) {
    char *r = realpath(given, NULL);
    if (!r || !is_dir_with_index(r)) {
      cli_error("--web %s: not a folder with an index.html", given);
      free(r);
      return NULL;
    }
    return r;
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) *slash = 0;
    static const char *const rel[] = {"web", "../share/newsdex/web", "../web"};
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
      char p[PATH_MAX];
      if (snprintf(p, sizeof p, "%s/%s", exe, rel[i]) >= (int)sizeof p) continue;
      char *r = realpath(p, NULL);
      if (r && is_dir_with_index(r)) return r;
      free(r);
    }
  }
  cli_error("cannot find the web page's folder (web/ beside the command, ../share/newsdex/web or ../web); give --web DIR");
  return NULL;
}

/* 1 if p (without the leading '/') is a safe relative name. */
static int safe_name(const char *p) {
  if (!*p) return 0;
  int depth = 0;
  const char *seg = p;
  for (const char *c = p;; c++) {
    if (*c == '/' || !*c) {
      if (c == seg || *seg == '.') return 0; /* empty, ".", "..", hidden */
      if (!*c) break;
      if (++depth > 1) return 0;
      seg = c + 1;
      continue;
    }
    if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' ||
          *c == '.'))
      return 0;
  }
  return 1;
}

void files_serve(const char *root, const char *path, reply *out) {
  const char *name = !strcmp(path, "/") ? "index.html" : path + (*path == '/');
  if (*path != '/' || !safe_name(name)) {
    reply_error(out, 404, "no such file");
    return;
  }
  const char *type = NULL;
  const char *dot = strrchr(name, '.');
  for (size_t i = 0; dot && i < sizeof TYPES / sizeof *TYPES; i++)
    if (!strcmp(dot, TYPES[i].ext)) type = TYPES[i].type;
  char full[PATH_MAX];
  if (!type || snprintf(full, sizeof full, "%s/%s", root, name) >= (int)sizeof full) {
    reply_error(out, 404, "no such file");
    return;
  }
  int fd = open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
    if (fd >= 0) close(fd);
    reply_error(out, 404, "no such file");
    return;
  }
  out->status = 200;
  out->fd = fd;
  out->size = (uint64_t)st.st_size;
  out->type = type;
}
