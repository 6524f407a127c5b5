/*
** facets.c -- nd_facets_get(): how many matching articles per term of a
** field and per period of their date.
**
** The query runs once (exec_matches: a bitmap of the matching live
** documents per segment).  A term field is named by the byte(s) its terms
** start with in the dictionary ("source" words are indexed as 0x01 + word;
** more fields can be added to FIELDS); its counts are, per segment and per
** term of the field, the size of the term's postings intersected with the
** bitmap: the cursor jumps from match to match when the matches are fewer
** than the postings, else walks the postings and tests the bitmap.  The
** histogram reads the date column of the segment's document table for each
** match.  Nothing stored is decompressed.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../index/index.h"
#include "../query/exec.h"
#include "../util/date.h"
#include "../util/mem.h"
#include "api.h"

typedef struct term_field {
  const char *name;
  const char *prefix; /* what the field's terms start with */
} term_field;

static const term_field FIELDS[] = {
  {"source", "\x01"},
};
#define NFIELDS (sizeof FIELDS / sizeof *FIELDS)
/* Terms of one field looked at per segment, at most (a safety bound). */
#define FACET_MAX_TERMS 100000

typedef struct facets_owned {
  nd_facets pub;       /* first: nd_facets_free casts back */
  nd_facet *fields;
  nd_count **counts;   /* per field */
  nd_count *hist;
} facets_owned;

void nd_facets_free(nd_facets *f) {
  if (!f) return;
  facets_owned *o = (facets_owned *)f;
  for (size_t i = 0; i < o->pub.nfields; i++) nd_counts_free(o->counts[i]);
  mem_free(o->counts);
  mem_free(o->fields);
  nd_counts_free(o->hist);
  mem_free(o);
}

static const term_field *find_field(const char *name) {
  for (size_t i = 0; i < NFIELDS; i++)
    if (!strcmp(FIELDS[i].name, name)) return &FIELDS[i];
  return NULL;
}

/* |postings(ti) ∩ m| in segment s; -1 if the postings are damaged. */
static int64_t count_in(const segment *s, const term_info *ti, const roaring_bitmap_t *m, uint64_t mcard) {
  if (ti->doc_off + ti->doc_len + PL_PAD > s->f[SF_DOC].n || ti->pos_off + ti->pos_len > s->f[SF_POS].n) return -1;
  pl_cursor c;
  if (pl_open(&c, s->f[SF_DOC].p + ti->doc_off, ti->doc_len, s->f[SF_POS].p + ti->pos_off, ti->pos_len, ti->df))
    return -1;
  int64_t n = 0;
  if (mcard * 8 < ti->df) {
    roaring_uint32_iterator_t *it = roaring_create_iterator(m);
    if (!it) return -2;
    for (; it->has_value; roaring_advance_uint32_iterator(it)) {
      pl_advance(&c, it->current_value);
      if (c.doc == PL_END) break;
      n += c.doc == it->current_value;
    }
    roaring_free_uint32_iterator(it);
  } else {
    for (; c.doc != PL_END; pl_next(&c)) n += roaring_bitmap_contains(m, c.doc);
  }
  return c.err ? -1 : n;
}

static int count_field(nd_index *ix, const term_field *f, roaring_bitmap_t **sets, tally *t) {
  size_t plen = strlen(f->prefix);
  for (size_t si = 0; si < ix->snap.n; si++) {
    uint64_t mcard = roaring_bitmap_get_cardinality(sets[si]);
    if (!mcard) continue;
    const segment *s = &ix->snap.segs[si].seg;
    dict_iter di;
    int r = dict_seek(&di, &s->d, f->prefix, plen);
    for (size_t k = 0; r == 1 && k < FACET_MAX_TERMS; k++, r = dict_next(&di)) {
      if (di.len < plen || memcmp(di.term, f->prefix, plen)) break;
      int64_t n = count_in(s, &di.ti, sets[si], mcard);
      if (n == -2) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
      if (n < 0) r = -1;
      if (n < 0) break;
      if (n && tally_add(t, di.term, di.len, (uint64_t)n)) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
    }
    if (r < 0) return ix_fail(ix, ND_ERR_CORRUPT, "segment %u: damaged dictionary or postings (run newsdex check)", s->segno);
  }
  return 0;
}

/* The period of a date as a number that sorts like its key. */
static int64_t period_of(int64_t secs, int unit) {
  int64_t days = secs / 86400 - (secs % 86400 < 0);
  if (unit == ND_HIST_DAY) return days;
  if (unit == ND_HIST_WEEK) { /* the Thursday of its ISO week (1970-01-01 was a Thursday) */
    int64_t wd = ((days + 3) % 7 + 7) % 7; /* Monday 0 */
    return days - wd + 3;
  }
  int64_t y;
  unsigned m, d;
  date_civil_from_days(days, &y, &m, &d);
  return unit == ND_HIST_YEAR ? y : y * 12 + (m - 1);
}

static void period_key(int64_t p, int unit, char *out, size_t cap) {
  int64_t y;
  unsigned m, d;
  switch (unit) {
  case ND_HIST_YEAR: snprintf(out, cap, "%04lld", (long long)p); break;
  case ND_HIST_MONTH: snprintf(out, cap, "%04lld-%02u", (long long)(p / 12), (unsigned)(p % 12) + 1); break;
  case ND_HIST_DAY:
    date_civil_from_days(p, &y, &m, &d);
    snprintf(out, cap, "%04lld-%02u-%02u", (long long)y, m, d);
    break;
  default: /* week: p is its Thursday, whose year is the ISO year */
    date_civil_from_days(p, &y, &m, &d);
    snprintf(out, cap, "%04lld-W%02lld", (long long)y, (long long)((p - date_days_from_civil(y, 1, 1)) / 7 + 1));
  }
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static int histogram(nd_index *ix, int unit, roaring_bitmap_t **sets, uint64_t total, facets_owned *o) {
  int64_t *p = mem_alloc((size_t)total * sizeof *p + 1);
  if (!p) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  size_t n = 0;
  for (size_t si = 0; si < ix->snap.n; si++) {
    const segment *s = &ix->snap.segs[si].seg;
    roaring_uint32_iterator_t *it = roaring_create_iterator(sets[si]);
    if (!it) { mem_free(p); return ix_fail(ix, ND_ERR_NOMEM, "out of memory"); }
    for (; it->has_value && n < total; roaring_advance_uint32_iterator(it)) {
      int64_t secs = seg_date(s, it->current_value);
      if (secs == DATE_NONE) o->pub.undated++;
      else p[n++] = period_of(secs, unit);
    }
    roaring_free_uint32_iterator(it);
  }
  qsort(p, n, sizeof *p, cmp_i64);
  tally t;
  tally_init(&t);
  int rc = 0;
  char key[32];
  for (size_t i = 0, j; i < n && !rc; i = j) {
    for (j = i; j < n && p[j] == p[i]; j++) {}
    period_key(p[i], unit, key, sizeof key);
    rc = tally_add(&t, key, strlen(key), j - i);
  }
  mem_free(p);
  if (!rc && !(o->hist = tally_top(&t, 0, 0, 1, &o->pub.nhist))) rc = ND_ERR_NOMEM;
  tally_free(&t);
  return rc ? ix_fail(ix, rc, "out of memory") : 0;
}

int nd_facets_get(nd_index *ix, const char *query, const nd_facet_options *opts, nd_facets **out) {
  *out = NULL;
  nd_facet_options fo = {0};
  if (opts) fo = *opts;
  if (fo.limit == 0) fo.limit = 10;
  if (fo.histogram < ND_HIST_NONE || fo.histogram > ND_HIST_YEAR) return ix_fail(ix, ND_ERR_INVALID, "unknown histogram period %d", fo.histogram);
  for (size_t i = 0; i < fo.nfields; i++)
    if (!find_field(fo.fields[i])) return ix_fail(ix, ND_ERR_INVALID, "unknown facet field \"%s\"", fo.fields[i]);
  qnode *q = NULL;
  int rc = api_parse(ix, query, &q);
  if (rc) return rc;
  roaring_bitmap_t **sets = NULL;
  uint64_t total = 0;
  rc = exec_matches(ix, q, &sets, &total);
  qnode_free(q);
  if (rc) return rc;
  facets_owned *o = mem_calloc(1, sizeof *o);
  if (!o || !(o->fields = mem_calloc(fo.nfields + 1, sizeof *o->fields)) ||
      !(o->counts = mem_calloc(fo.nfields + 1, sizeof *o->counts))) {
    rc = ix_fail(ix, ND_ERR_NOMEM, "out of memory");
    goto done;
  }
  o->pub.total = total;
  o->pub.fields = o->fields;
  for (size_t i = 0; i < fo.nfields && !rc; i++) {
    const term_field *f = find_field(fo.fields[i]);
    tally t;
    tally_init(&t);
    rc = count_field(ix, f, sets, &t);
    o->pub.nfields = i + 1;
    if (!rc && !(o->counts[i] = tally_top(&t, strlen(f->prefix), fo.limit, 0, &o->fields[i].n)))
      rc = ix_fail(ix, ND_ERR_NOMEM, "out of memory");
    tally_free(&t);
    o->fields[i].field = f->name;
    o->fields[i].counts = o->counts[i];
  }
  if (!rc && fo.histogram) rc = histogram(ix, fo.histogram, sets, total, o);
  o->pub.hist = o->hist;
done:
  exec_matches_free(sets, ix->snap.n);
  if (rc) {
    nd_facets_free(o ? &o->pub : NULL);
    return rc;
  }
  *out = &o->pub;
  return 0;
}
