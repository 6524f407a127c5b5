/*
** stats.c -- corpus figures as text: the table, reading (and so merging)
** and writing (see stats.h).
**
** Owns: the text format and every check on it.  What the figures are
** (which terms a query reaches, the archive's totals) is ctx.c's
** business (exec_stats); nd_query_stats and nd_stats_merge
** (api/shards.c) join them.
** A reader goes through the text once, a line at a time, never past its
** end, and stops at the first fault: a text from a shard or a coordinator
** is input like any other.
*/
#include "stats.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "../codec/dict.h"
#include "../util/mem.h"
#include "newsdex.h"

void qs_init(qstats *s) { memset(s, 0, sizeof *s); }

void qs_free(qstats *s) {
  for (size_t i = 0; i < s->cap; i++) mem_free(s->t[i].key);
  mem_free(s->t);
  qs_init(s);
}

static size_t slot_of(const qs_term *t, size_t cap, const char *key, size_t len) {
  size_t h = XXH3_64bits(key, len) & (cap - 1);
  while (t[h].key && (t[h].len != len || memcmp(t[h].key, key, len))) h = (h + 1) & (cap - 1);
  return h;
}

const qs_term *qs_find(const qstats *s, const char *key, size_t len) {
  if (!s->cap) return NULL;
  const qs_term *e = &s->t[slot_of(s->t, s->cap, key, len)];
  return e->key ? e : NULL;
}

/* Make room for one more term (the table at most half full). */
static int grow(qstats *s) {
  if ((s->n + 1) * 2 <= s->cap) return 0;
  size_t cap = s->cap ? s->cap * 2 : 64;
  qs_term *t = mem_calloc(cap, sizeof *t);
  if (!t) return ND_ERR_NOMEM;
  for (size_t i = 0; i < s->cap; i++)
    if (s->t[i].key) t[slot_of(t, cap, s->t[i].key, s->t[i].len)] = s->t[i];
  mem_free(s->t);
  s->t = t;
  s->cap = cap;
  return 0;
}

int qs_add(qstats *s, const char *key, size_t len, uint64_t df) {
  if (s->cap) {
    qs_term *e = &s->t[slot_of(s->t, s->cap, key, len)];
    if (e->key) {
      if (df > QS_MAX_COUNT - e->df) return ND_ERR_INVALID;
      e->df += df;
      return 0;
    }
  }
  if (s->n >= QS_MAX_TERMS || df > QS_MAX_COUNT) return ND_ERR_INVALID;
  if (grow(s)) return ND_ERR_NOMEM;
  char *k = mem_alloc(len + 1);
  if (!k) return ND_ERR_NOMEM;
  memcpy(k, key, len);
  k[len] = 0;
  s->t[slot_of(s->t, s->cap, key, len)] = (qs_term){k, len, df};
  s->n++;
  return 0;
}

/* ---- escaping ----------------------------------------------------------- */

static int plain(unsigned char c) { return c > ' ' && c <= '~' && c != '%'; }

void qs_escape(const char *key, size_t len, char *out, size_t cap) {
  static const char HEX[] = "0123456789ABCDEF";
  size_t o = 0;
  for (size_t i = 0; i < len && cap; i++) {
    unsigned char c = (unsigned char)key[i];
    size_t need = plain(c) ? 1 : 3;
    if (o + need >= cap) break;
    if (need == 1) {
      out[o++] = (char)c;
    } else {
      out[o++] = '%';
      out[o++] = HEX[c >> 4];
      out[o++] = HEX[c & 15];
    }
  }
  if (cap) out[o] = 0;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/* Decode p[0..n) into out (DICT_MAX_TERM bytes at most): its length, or -1. */
static long unescape(const char *p, size_t n, char *out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (o == DICT_MAX_TERM) return -1;
    if (p[i] != '%') { out[o++] = p[i]; continue; }
    if (i + 2 >= n) return -1;
    int hi = hexval(p[i + 1]), lo = hexval(p[i + 2]);
    if (hi < 0 || lo < 0) return -1;
    out[o++] = (char)(hi << 4 | lo);
    i += 2;
  }
  return (long)o;
}

/* ---- reading ------------------------------------------------------------ */

typedef struct reader {
  const char *p, *end;
  const char *line; /* the current line (without its "\n") */
  size_t len, lineno;
  char *err;
  size_t errcap;
} reader;

static int fail(reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(reader *r, const char *fmt, ...) {
  int o = snprintf(r->err, r->errcap, "line %zu: ", r->lineno);
  if (o < 0 || (size_t)o >= r->errcap) o = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(r->err + o, r->errcap - (size_t)o, fmt, ap);
  va_end(ap);
  return ND_ERR_INVALID;
}

/* The next line: 0, or ND_ERR_INVALID when the text ends (or holds a
** byte that is not printable ASCII). */
static int next_line(reader *r, const char *want) {
  r->lineno++;
  if (r->p == r->end) return fail(r, "the text ends before \"%s\" (cut short?)", want);
  const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
  if (!nl) return fail(r, "no line break at the end (cut short?)");
  for (const char *c = r->p; c < nl; c++)
    if (*c < ' ' || *c > '~') return fail(r, "byte 0x%02X at column %zu: not printable ASCII", (unsigned char)*c,
                                          (size_t)(c - r->p) + 1);
  r->line = r->p;
  r->len = (size_t)(nl - r->p);
  r->p = nl + 1;
  return 0;
}

/* A number p[0..n): 0, or -1. */
static int parse_count(const char *p, size_t n, uint64_t *v) {
  if (n == 0 || n > 16 || (n > 1 && p[0] == '0')) return -1;
  uint64_t x = 0;
  for (size_t i = 0; i < n; i++) {
    if (p[i] < '0' || p[i] > '9') return -1;
    x = x * 10 + (uint64_t)(p[i] - '0');
  }
  if (x > QS_MAX_COUNT) return -1;
  *v = x;
  return 0;
}

/* The current line as "NAME NUMBER": 0, or ND_ERR_INVALID. */
static int line_count(reader *r, const char *name, uint64_t *v) {
  size_t k = strlen(name);
  if (r->len <= k || memcmp(r->line, name, k) || r->line[k] != ' ')
    return fail(r, "\"%s N\" expected, found \"%.*s\"", name, (int)(r->len < 40 ? r->len : 40), r->line);
  const char *num = r->line + k + 1;
  size_t nn = r->len - k - 1;
  if (parse_count(num, nn, v))
    return fail(r, "%s: \"%.*s\" is not a whole number from 0 to %llu", name, (int)(nn < 40 ? nn : 40), num,
                (unsigned long long)QS_MAX_COUNT);
  return 0;
}

/* The next line as "NAME NUMBER". */
static int named_count(reader *r, const char *name, uint64_t *v) {
  int rc = next_line(r, name);
  return rc ? rc : line_count(r, name, v);
}

/* total += v, within QS_MAX_COUNT. */
static int add_total(reader *r, uint64_t *total, uint64_t v, const char *name) {
  if (v > QS_MAX_COUNT - *total) return fail(r, "%s: the sum passes %llu", name, (unsigned long long)QS_MAX_COUNT);
  *total += v;
  return 0;
}

/* A "term KEY DF" line into s; prev[0..*plen) the key before (for the
** order), then this one.  0 or an ND_ERR_*. */
static int term_line(reader *r, qstats *s, uint64_t docs, char *prev, long *plen) {
  const char *sp = r->len > 5 ? memchr(r->line + 5, ' ', r->len - 5) : NULL;
  if (!sp) return fail(r, "\"term KEY DF\" expected");
  size_t kn = (size_t)(sp - r->line - 5);
  char key[DICT_MAX_TERM];
  long len = unescape(r->line + 5, kn, key);
  if (len <= 0) return fail(r, "a term's key must be 1 to %d bytes, each %%XX a byte in hex", DICT_MAX_TERM);
  uint64_t df;
  const char *dp = sp + 1;
  size_t dn = (size_t)(r->line + r->len - dp);
  if (parse_count(dp, dn, &df))
    return fail(r, "a term's df must be a whole number from 0 to %llu", (unsigned long long)QS_MAX_COUNT);
  if (df > docs)
    return fail(r, "df %llu is larger than docs %llu", (unsigned long long)df, (unsigned long long)docs);
  if (*plen >= 0) {
    int c = memcmp(prev, key, (size_t)(*plen < len ? *plen : len));
    if (c > 0 || (c == 0 && *plen >= len)) return fail(r, "terms out of order or listed twice");
  }
  memcpy(prev, key, (size_t)len);
  *plen = len;
  int rc = qs_add(s, key, (size_t)len, df);
  if (rc == ND_ERR_NOMEM) return rc;
  if (rc) return fail(r, "more than %d terms, or a df summed past %llu", QS_MAX_TERMS, (unsigned long long)QS_MAX_COUNT);
  return 0;
}

int qs_read(qstats *s, const char *p, size_t n, char *err, size_t errcap) {
  reader r = {p, p + n, NULL, 0, 0, err, errcap};
  if (errcap) err[0] = 0;
  uint64_t version, docs, tl, bl, count = 0, ends;
  int rc = next_line(&r, "newsdex-stats");
  if (rc) return rc;
  static const char MAGIC[] = "newsdex-stats ";
  size_t mn = sizeof MAGIC - 1;
  if (r.len <= mn || memcmp(r.line, MAGIC, mn))
    return fail(&r, "not newsdex statistics (\"newsdex-stats %d\" expected)", QS_VERSION);
  if (parse_count(r.line + mn, r.len - mn, &version) || version != QS_VERSION)
    return fail(&r, "version \"%.*s\": this build reads version %d", (int)(r.len - mn < 20 ? r.len - mn : 20),
                r.line + mn, QS_VERSION);
  if ((rc = named_count(&r, "docs", &docs)) || (rc = add_total(&r, &s->docs, docs, "docs"))) return rc;
  if ((rc = named_count(&r, "title-len", &tl)) || (rc = add_total(&r, &s->title_len, tl, "title-len"))) return rc;
  if ((rc = named_count(&r, "body-len", &bl)) || (rc = add_total(&r, &s->body_len, bl, "body-len"))) return rc;
  char prev[DICT_MAX_TERM];
  long plen = -1;
  for (;;) {
    if ((rc = next_line(&r, "end"))) return rc;
    if (r.len < 5 || memcmp(r.line, "term ", 5)) break;
    if ((rc = term_line(&r, s, docs, prev, &plen))) return rc;
    count++;
  }
  if ((rc = line_count(&r, "end", &ends))) return rc;
  if (ends != count) return fail(&r, "end: %llu terms announced, %llu read", (unsigned long long)ends, (unsigned long long)count);
  if (r.p != r.end) {
    r.lineno++;
    return fail(&r, "text after the end line");
  }
  return 0;
}

/* ---- writing ------------------------------------------------------------ */

static int cmp_term(const void *a, const void *b) {
  const qs_term *x = *(const qs_term *const *)a, *y = *(const qs_term *const *)b;
  int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);
  return c ? c : (x->len > y->len) - (x->len < y->len);
}

int qs_write(const qstats *s, buf *out) {
  const qs_term **order = mem_alloc(s->n * sizeof *order + 1);
  if (!order) return ND_ERR_NOMEM;
  size_t k = 0;
  for (size_t i = 0; i < s->cap; i++)
    if (s->t[i].key) order[k++] = &s->t[i];
  qsort(order, k, sizeof *order, cmp_term);
  buf_printf(out, "newsdex-stats %d\ndocs %llu\ntitle-len %llu\nbody-len %llu\n", QS_VERSION,
             (unsigned long long)s->docs, (unsigned long long)s->title_len, (unsigned long long)s->body_len);
  char esc[3 * DICT_MAX_TERM + 1];
  for (size_t i = 0; i < k; i++) {
    qs_escape(order[i]->key, order[i]->len, esc, sizeof esc);
    buf_printf(out, "term %s %llu\n", esc, (unsigned long long)order[i]->df);
  }
  buf_printf(out, "end %zu\n", k);
  mem_free(order);
  return out->oom ? ND_ERR_NOMEM : 0;
}

int qs_merge(const char *const *parts, size_t n, buf *out, size_t *bad, char *err, size_t errcap) {
  qstats s;
  qs_init(&s);
  int rc = 0;
  for (size_t i = 0; i < n && !rc; i++) {
    *bad = i;
    if (!parts[i]) {
      snprintf(err, errcap, "no text");
      rc = ND_ERR_INVALID;
    } else {
      rc = qs_read(&s, parts[i], strlen(parts[i]), err, errcap);
    }
  }
  if (!rc) rc = qs_write(&s, out);
  qs_free(&s);
  return rc;
}
