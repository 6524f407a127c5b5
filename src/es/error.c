/*
** error.c -- ES's error shape for what the layer refuses.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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
