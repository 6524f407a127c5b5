/* mhd.c -- loading libmicrohttpd (see mhd.h). */
#include "mhd.h"

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

/* The soname the headers of the build match (Debian 12: 0.9.75). */
#define MHD_SONAME "libmicrohttpd.so.12"

mhd_api mhd;

int mhd_load(char *why, size_t cap) {
  if (mhd.start_daemon) return 0;
  void *h = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    snprintf(why, cap, "cannot load %s (libmicrohttpd): %s", MHD_SONAME, dlerror());
    return -1;
  }
  static const char *const names[] = {"MHD_start_daemon", "MHD_stop_daemon", "MHD_get_daemon_info",
                                      "MHD_get_connection_info", "MHD_get_connection_values",
                                      "MHD_lookup_connection_value", "MHD_create_response_from_buffer",
                                      "MHD_create_response_from_fd", "MHD_add_response_header",
                                      "MHD_queue_response", "MHD_destroy_response"};
  void *fn[sizeof names / sizeof names[0]];
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    if (!(fn[i] = dlsym(h, names[i]))) {
      snprintf(why, cap, "%s has no %s", MHD_SONAME, names[i]);
      dlclose(h);
      return -1;
    }
  }
  /* POSIX: a function pointer may be had from dlsym's object pointer. */
  mhd_api a;
  _Static_assert(sizeof a == sizeof fn, "one pointer per name");
  memcpy(&a, fn, sizeof a);
  mhd = a;
  return 0;
}
