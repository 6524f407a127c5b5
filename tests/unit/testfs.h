/*
** testfs.h -- removing a test's archive directory (flat: archives have no
** subdirectories).  Shared by the unit tests and the crash drivers.
*/
#ifndef ND_TESTFS_H
#define ND_TESTFS_H
#include <dirent.h>
#include <stdio.h>
#include <unistd.h>

static void rm_rf(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  char p[512];
  while ((e = readdir(d)))
    if (e->d_name[0] != '.') {
      snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
      unlink(p);
    }
  closedir(d);
  rmdir(dir);
}

#endif
