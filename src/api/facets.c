/*
** facets.c -- nd_facets_get(): how many matching articles per term of a
** field and per period of their date.
**
** The query runs once (exec_matches: a bitmap of the matching live
** documents per segment).  Two kinds of fields:
**
**   - a term field ("source") is named by the byte(s) its terms start with
**     in the dictionary (source words are indexed as 0x01 + word); its
**     counts are, per segment and per term of the field, the size of the
**     term's postings intersected with the bitmap: the cursor jumps from
**     match to match when the matches are fewer than the postings, else
**     walks the postings and tests the bitmap;
**   - a topic field ("people", "organisations", "places", "topics") counts
**     the key topics of the matching articles: each match's topic list (the
**     dictionary ordinals of its topic terms, in the document table) is
**     read, the ordinals of the field's types are counted, and only the
**     distinct ones are looked up in the dictionary.  The cost follows the
**     number of matches, not the number of topics in the archive.  The
**     written forms of one normalised name ("al Qaeda" and "Al Qaeda",
**     "U.S." and "US") are counted together under the most frequent form.
**
** The histogram reads the date column of the segment's document table for
** each match.  Nothing stored is decompressed.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../index/index.h"
#include "../index/topic_terms.h"
#include "../query/exec.h"
#include "../util/date.h"
#include "../util/mem.h"
#include "api.h"

typedef struct term_field {
  const char *name;
  const char *prefix; /* what the field's terms start with */
  const char *types;  /* topic fields: the type letters counted (link.h) */
} term_field;

static const term_field FIELDS[] = {
  {"source", "\x01", NULL},
  {"people", NULL, "p"},
  {"organisations", NULL, "o"},
  {"places", NULL, "l"},
  {"topics", NULL, "plox"},
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

/* ---- topic fields ---- */

/* The ordinals [lo, hi) of the topic terms of type letter c in segment s.
** 0 or -1 (damaged dictionary). */
static int type_range(const segment *s, char c, uint64_t *lo, uint64_t *hi) {
  char key[2] = {SEG_TOPIC_PREFIX, c};
  dict_iter it;
  int r = dict_seek(&it, &s->d, key, 2);
  if (r < 0) return -1;
  *lo = r ? it.ord : s->m.nterms;
  key[1] = (char)(c + 1);
  r = dict_seek(&it, &s->d, key, 2);
  if (r < 0) return -1;
  *hi = r ? it.ord : s->m.nterms;
  return 0;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* Count the topics of the field's types over the matches of one segment
** into t, keyed by the term without its prefix and type letter. */
static int count_topics_in(nd_index *ix, const segment *s, const char *types, const roaring_bitmap_t *m, tally *t) {
  uint64_t lo[4], hi[4];
  size_t nt = strlen(types);
  for (size_t i = 0; i < nt; i++)
    if (type_range(s, types[i], &lo[i], &hi[i])) return ND_ERR_CORRUPT;
  uint32_t *ords = NULL;
  size_t n = 0, cap = 0;
  int rc = 0;
  roaring_uint32_iterator_t *it = roaring_create_iterator(m);
  if (!it) return ND_ERR_NOMEM;
  for (; it->has_value && !rc; roaring_advance_uint32_iterator(it)) {
    uint32_t k;
    const uint8_t *p = seg_topics(s, it->current_value, &k);
    if (!p) rc = ND_ERR_CORRUPT;
    for (uint32_t j = 0; j < k && !rc; j++) {
      uint32_t o = rd_u32(p + 4 * j);
      int in = 0;
      for (size_t i = 0; i < nt && !in; i++) in = o >= lo[i] && o < hi[i];
      if (!in) continue;
      if (mem_grow(&ords, &cap, n, sizeof *ords)) rc = ND_ERR_NOMEM;
      else ords[n++] = o;
    }
  }
  roaring_free_uint32_iterator(it);
  if (!rc && n) qsort(ords, n, sizeof *ords, cmp_u32);
  dict_iter di;
  int on = 0; /* di is on a term */
  for (size_t i = 0, j; i < n && !rc; i = j) {
    for (j = i; j < n && ords[j] == ords[i]; j++) {}
    /* ascending ordinals: step forward within reach, else seek */
    if (on && di.ord < ords[i] && ords[i] - di.ord <= DICT_BLOCK) {
      while (di.ord < ords[i] && dict_next(&di) == 1) {}
      on = di.ord == ords[i] && !di.err;
    } else {
      on = dict_seek_ord(&di, &s->d, ords[i]) == 1;
    }
    if (!on || di.len < 3 || di.term[0] != SEG_TOPIC_PREFIX) rc = ND_ERR_CORRUPT;
    else rc = tally_add(t, di.term + 2, di.len - 2, j - i);
  }
  mem_free(ords);
  if (rc == ND_ERR_CORRUPT)
    return ix_fail(ix, rc, "segment %u: damaged dictionary or topic list (run newsdex check)", s->segno);
  return rc ? ix_fail(ix, rc, "out of memory") : 0;
}

/* Length of the normalised name in a counted key ("nato\x1fNATO": 4). */
static size_t norm_len(const char *key) {
  const char *sep = strchr(key, LK_TERM_SEP);
  return sep ? (size_t)(sep - key) : strlen(key);
}

static int cmp_norm(const void *a, const void *b) {
  const nd_count *x = *(const nd_count *const *)a, *y = *(const nd_count *const *)b;
  size_t n = norm_len(x->key), m = norm_len(y->key);
  int c = memcmp(x->key, y->key, n < m ? n : m);
  if (c || n != m) return c ? c : (n > m) - (n < m);
  return x < y ? -1 : x > y; /* earlier: more frequent */
}

/* The field's most frequent topics over every segment: counts per term,
** then the forms of one normalised name summed under the most frequent
** form.  *out as tally_top gives it. */
static int count_topics(nd_index *ix, const term_field *f, roaring_bitmap_t **sets, size_t limit, nd_count **out,
                        size_t *nout) {
  tally t, byname;
  tally_init(&t);
  tally_init(&byname);
  nd_count *all = NULL, **order = NULL;
  size_t n = 0;
  int rc = 0;
  for (size_t si = 0; si < ix->snap.n && !rc; si++)
    if (roaring_bitmap_get_cardinality(sets[si])) rc = count_topics_in(ix, &ix->snap.segs[si].seg, f->types, sets[si], &t);
  if (!rc && (!(all = tally_top(&t, 0, 0, 0, &n)) || !(order = mem_alloc((n + 1) * sizeof *order)))) rc = ND_ERR_NOMEM;
  if (!rc) {
    for (size_t i = 0; i < n; i++) order[i] = &all[i];
    qsort(order, n, sizeof *order, cmp_norm);
    for (size_t i = 0, j; i < n && !rc; i = j) {
      uint64_t sum = 0;
      size_t len = norm_len(order[i]->key);
      for (j = i; j < n && norm_len(order[j]->key) == len && !memcmp(order[j]->key, order[i]->key, len); j++)
        sum += order[j]->count;
      const char *shown = order[i]->key + len + (order[i]->key[len] == LK_TERM_SEP);
      rc = tally_add(&byname, shown, strlen(shown), sum);
    }
  }
  if (!rc && !(*out = tally_top(&byname, 0, limit, 0, nout))) rc = ND_ERR_NOMEM;
  mem_free(order);
  nd_counts_free(all);
  tally_free(&t);
  tally_free(&byname);
  if (rc == ND_ERR_NOMEM) return ix_fail(ix, rc, "out of memory");
  return rc;
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
    o->pub.nfields = i + 1;
    if (f->types) {
      rc = count_topics(ix, f, sets, fo.limit, &o->counts[i], &o->fields[i].n);
    } else {
      tally t;
      tally_init(&t);
      rc = count_field(ix, f, sets, &t);
      if (!rc && !(o->counts[i] = tally_top(&t, strlen(f->prefix), fo.limit, 0, &o->fields[i].n)))
        rc = ix_fail(ix, ND_ERR_NOMEM, "out of memory");
      tally_free(&t);
    }
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
