/*
** dates.c -- nd_parse_date(), nd_parse_duration(): the library's readings
** of an article date and of a half-life, for programs (the command, the
** server, the Python binding) that take them from their users.
*/
#include <stdio.h>
#include <string.h>

#include "../util/date.h"
#include "newsdex.h"

static int failed(const char *reason, char *why, size_t cap) {
  if (why && cap) snprintf(why, cap, "%s", reason);
  return ND_ERR_INVALID;
}

int nd_parse_date(const char *s, int64_t *seconds, char *why, size_t cap) {
  char reason[160];
  if (!s) return failed("no date", why, cap);
  if (date_parse(s, strlen(s), seconds, reason, sizeof reason)) return failed(reason, why, cap);
  return ND_OK;
}

int nd_parse_duration(const char *s, double *seconds, char *why, size_t cap) {
  char reason[160];
  if (!s) return failed("no length of time", why, cap);
  if (date_parse_duration(s, seconds, reason, sizeof reason)) return failed(reason, why, cap);
  return ND_OK;
}
