/*
** util.c -- what the ES layer's files share: ES's error shape, request
** JSON as clients write it, and dates written as ES writes them.
*/
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "../util/date.h"
#include "../util/mem.h"
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
  /* The reason may quote the request, cut anywhere: if it is not UTF-8,
  ** bytes beyond ASCII become '?'. */
  char reason[sizeof e->reason];
  snprintf(reason, sizeof reason, "%s", e->reason);
  json_t *r = json_string(reason);
  if (!r) {
    for (char *c = reason; *c; c++)
      if ((unsigned char)*c >= 0x80) *c = '?';
    r = json_string(reason);
  }
  json_t *cause = json_pack("{s:s, s:O}", "type", e->type, "reason", r);
  json_t *err = json_pack("{s:[o], s:s, s:o}", "root_cause", cause, "type", e->type, "reason", r);
  return json_pack("{s:o, s:i}", "error", err, "status", (json_int_t)e->status);
}

int es_note(char **warnings, const char *line) {
  if (!warnings) return 0;
  const char *old = *warnings ? *warnings : "";
  size_t ln = strlen(line), on = strlen(old);
  for (const char *p = old; (p = strstr(p, line)); p++)
    if ((p == old || p[-1] == '\n') && (p[ln] == '\n' || p[ln] == 0)) return 0;
  char *w = mem_alloc(on + ln + 2);
  if (!w) return -1;
  memcpy(w, old, on);
  if (on) w[on++] = '\n';
  memcpy(w + on, line, ln + 1);
  mem_free(*warnings);
  *warnings = w;
  return 0;
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

/* 1 if the integer literal t[0..n) (optional '-', digits) is beyond int64. */
static int beyond_int64(const char *t, size_t n) {
  size_t neg = t[0] == '-', digits = n - neg;
  if (digits != 19) return digits > 19;
  return strncmp(t + neg, neg ? "9223372036854775808" : "9223372036854775807", 19) > 0;
}

/* text with every integer literal beyond int64 (outside strings) given a
** ".0", so that it reads as a real; malloc'ed, NULL when out of memory. */
static char *big_ints_as_reals(const char *text, size_t n, size_t *out_n) {
  char *o = malloc(n + n / 2 + 3), *w = o; /* a literal of >= 19 digits grows by 2 */
  if (!o) return NULL;
  for (size_t i = 0; i < n;) {
    if (text[i] == '"') { /* copy the string whole, escapes included */
      *w++ = text[i++];
      while (i < n && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < n) *w++ = text[i++];
        *w++ = text[i++];
      }
      if (i < n) *w++ = text[i++];
      continue;
    }
    size_t j = i + (text[i] == '-');
    if (j < n && text[j] >= '0' && text[j] <= '9') {
      while (j < n && text[j] >= '0' && text[j] <= '9') j++;
      int plain = j >= n || (text[j] != '.' && text[j] != 'e' && text[j] != 'E');
      memcpy(w, text + i, j - i);
      w += j - i;
      if (plain && beyond_int64(text + i, j - i)) *w++ = '.', *w++ = '0';
      i = j;
      continue;
    }
    *w++ = text[i++];
  }
  *out_n = (size_t)(w - o);
  return o;
}

json_t *es_json_load(const char *text, size_t n, json_error_t *je) {
  json_t *v = json_loadb(text, n, JSON_REJECT_DUPLICATES, je);
  if (v || !strstr(je->text, "too big")) return v;
  size_t m;
  char *t = big_ints_as_reals(text, n, &m);
  if (!t) return NULL;
  json_error_t again;
  v = json_loadb(t, m, JSON_REJECT_DUPLICATES, &again);
  free(t);
  return v; /* on failure *je still names the first error */
}
