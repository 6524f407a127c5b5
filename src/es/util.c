/*
** util.c -- what the ES layer's files share: ES's error shape, and dates
** written as ES writes them.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../util/date.h"
#include "es.h"

int es_fail(es_err *e, unsigned status, const char *type, const char *fmt, ...) {
  e->status = status;
  snprintf(e->type, sizeof e->type, "%s", type);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(e->reason, sizeof e->reason, fmt, ap);
  va_end(ap);
  return -1;
}

json_t *es_error_json(const es_err *e) {
  json_t *cause = json_pack("{s:s, s:s}", "type", e->type, "reason", e->reason);
  json_t *err = json_pack("{s:[o], s:s, s:s}", "root_cause", cause, "type", e->type, "reason", e->reason);
  return json_pack("{s:o, s:i}", "error", err, "status", (json_int_t)e->status);
}

int es_format_ms(int64_t ms, char *out, size_t cap) {
  int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000), milli = ms - s * 1000;
  int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400), sod = s - days * 86400;
  int64_t y;
  unsigned m, d;
  date_civil_from_days(days, &y, &m, &d);
  if (y < 0 || y > 9999) return -1;
  snprintf(out, cap, "%04lld-%02u-%02uT%02u:%02u:%02u.%03uZ", (long long)y, m, d, (unsigned)(sod / 3600),
           (unsigned)(sod / 60 % 60), (unsigned)(sod % 60), (unsigned)milli);
  return 0;
}
