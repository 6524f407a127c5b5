/*
** facets.c -- nd_facets_get(): how many matching articles per term of a
** field and per period of their date.
**
** The query runs once (exec_matches: a bitmap of the matching live
** documents per segment).  Two kinds of fields:
**
**   - a term field ("source") is named by the byte(s) its terms start with
**     in the dictionary (a source is one term, 0x01 + key + 0x1f + the
**     value as written: index/srcterm.h); its counts are, per segment and
**     per term of the field, the size of the term's postings intersected
**     with the bitmap: the cursor jumps from match to match when the
**     matches are fewer than the postings, else walks the postings and
**     tests the bitmap.  The written forms of one key ("USA TODAY" and "USA
**     Today") are counted together under the most frequent form;
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

#include "../index/alias.h"
#include "../index/index.h"
#include "../index/srcterm.h"
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
  {"people", NULL, "pq"},
  {"organisations", NULL, "o"},
  {"places", NULL, "l"},
  {"topics", NULL, "ploqx"},
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
  pl_cursor c;
  if (seg_postings(&c, s, ti)) return -1;
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

/* Length of the key in a counted source term ("fox news\x1fFox News": 8). */
static size_t source_key_len(const nd_count *c) { return src_key_len(c->key, strlen(c->key)); }

static int cmp_source(const void *a, const void *b) {
  const nd_count *x = *(const nd_count *const *)a, *y = *(const nd_count *const *)b;
  size_t n = source_key_len(x), m = source_key_len(y);
  int c = memcmp(x->key, y->key, n < m ? n : m);
  if (c || n != m) return c ? c : (n > m) - (n < m);
  return x < y ? -1 : x > y; /* earlier: more frequent */
}

/* The source facet: counts per source term (index/srcterm.h), then the
** written forms of one key summed under the most frequent form.  *out as
** tally_top gives it. */
static int count_sources(nd_index *ix, const term_field *f, roaring_bitmap_t **sets, size_t limit, nd_count **out,
                         size_t *nout) {
  tally t, byvalue;
  tally_init(&t);
  tally_init(&byvalue);
  nd_count *all = NULL, **order = NULL;
  size_t n = 0;
  int rc = count_field(ix, f, sets, &t);
  if (!rc && (!(all = tally_top(&t, strlen(f->prefix), 0, 0, &n)) || !(order = mem_alloc((n + 1) * sizeof *order))))
    rc = ND_ERR_NOMEM;
  if (!rc) {
    for (size_t i = 0; i < n; i++) order[i] = &all[i];
    qsort(order, n, sizeof *order, cmp_source);
    for (size_t i = 0, j; i < n && !rc; i = j) {
      uint64_t sum = 0;
      size_t len = source_key_len(order[i]);
      for (j = i; j < n && source_key_len(order[j]) == len && !memcmp(order[j]->key, order[i]->key, len); j++)
        sum += order[j]->count;
      const char *shown = order[i]->key + len + (order[i]->key[len] == SRC_SEP);
      rc = tally_add(&byvalue, shown, strlen(shown), sum);
    }
  }
  if (!rc && !(*out = tally_top(&byvalue, 0, limit, 0, nout))) rc = ND_ERR_NOMEM;
  mem_free(order);
  nd_counts_free(all);
  tally_free(&t);
  tally_free(&byvalue);
  if (rc == ND_ERR_NOMEM) return ix_fail(ix, rc, "out of memory");
  return rc;
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

/* The canonical name of the topic term t[0..n) (after its prefix byte):
** appended to `key` as the normalised name, LK_TERM_SEP and the name to
** show.  A partial name (alias.h) becomes the full name it resolves to,
** else its surname -- or, for `people`, nothing (1) when it had no title
** either: an untyped word the archive does not know as a surname; a
** person's name with middle initials the name without them, when the
** archive says so (alias_full); other topics are their own name. */
static int canonical(nd_index *ix, alias_table **al, const char *t, size_t n, int people, buf *key, int *told) {
  const char *sep = memchr(t, LK_TERM_SEP, n);
  if (!sep || n < 2) return ND_ERR_CORRUPT;
  if (t[0] == AL_PARTIAL) {
    int rc = *al ? 0 : alias_get(ix, al);
    if (rc) { *told = 1; return rc; } /* (the message is set) */
    const char *shown, *full;
    if ((rc = alias_resolve(*al, t + 1, (size_t)(sep - t - 1), &full, &shown))) return rc;
    if (full) {
      buf_put(key, full, strlen(full));
      buf_putc(key, LK_TERM_SEP);
      buf_put(key, shown, strlen(shown));
      return 0;
    }
    const char *s1 = memchr(t + 1, AL_SEP, (size_t)(sep - t - 1));
    if (!s1) return ND_ERR_CORRUPT;
    if (people && s1[1] == AL_SEP) return 1; /* no title, no full name: maybe no person */
    buf_put(key, t + 1, (size_t)(s1 - t - 1));
  } else {
    const char *to = NULL;
    if (t[0] == 'p' && memchr(t + 1, ' ', (size_t)(sep - t - 1))) { /* "Donald J. Trump" is Donald Trump */
      int rc = *al ? 0 : alias_get(ix, al);
      if (rc) { *told = 1; return rc; }
      if ((rc = alias_full(*al, t + 1, (size_t)(sep - t - 1), &to))) return rc;
    }
    if (to) buf_put(key, to, strlen(to));
    else buf_put(key, t + 1, (size_t)(sep - t - 1));
  }
  buf_put(key, sep, (size_t)(t + n - sep));
  return 0;
}

static int cmp_u32(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

/* Length of the normalised name in key k[0..n) (up to LK_TERM_SEP). */
static size_t norm_len_n(const char *k, size_t n) {
  const char *sep = memchr(k, LK_TERM_SEP, n);
  return sep ? (size_t)(sep - k) : n;
}

/* Order distinct ordinals by their canonical names (for numbering them). */
typedef struct by_name_ctx {
  const uint8_t *keys;
  const size_t *off;
} by_name_ctx;

static int cmp_by_name(const void *a, const void *b, void *arg) {
  const by_name_ctx *c = arg;
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  size_t n = norm_len_n((const char *)c->keys + c->off[x], c->off[x + 1] - c->off[x]);
  size_t m = norm_len_n((const char *)c->keys + c->off[y], c->off[y + 1] - c->off[y]);
  int r = memcmp(c->keys + c->off[x], c->keys + c->off[y], n < m ? n : m);
  if (r || n != m) return r ? r : (n > m) - (n < m);
  return (x > y) - (x < y);
}

/* Have distinct ordinals x and y one canonical name? */
static int same_name(const by_name_ctx *c, uint32_t x, uint32_t y) {
  size_t n = norm_len_n((const char *)c->keys + c->off[x], c->off[x + 1] - c->off[x]);
  size_t m = norm_len_n((const char *)c->keys + c->off[y], c->off[y + 1] - c->off[y]);
  return n == m && !memcmp(c->keys + c->off[x], c->keys + c->off[y], n);
}

/* Is ordinal o of one of the field's types (ranges lo/hi)? */
static int in_ranges(uint32_t o, const uint64_t *lo, const uint64_t *hi, size_t nt) {
  for (size_t i = 0; i < nt; i++)
    if (o >= lo[i] && o < hi[i]) return 1;
  return 0;
}

/* Count the topics of the field's types over the matches of one segment:
** into `docs`, per canonical name (canonical()), the matches that have it
** (an article counts once however many of its terms name one entity); into
** `forms`, per canonical name and written form, how often the form
** occurs (to show the most frequent). */
static int count_topics_in(nd_index *ix, const segment *s, const char *types, const roaring_bitmap_t *m, tally *docs,
                           tally *forms, alias_table **al) {
  uint64_t lo[8], hi[8];
  size_t nt = strlen(types);
  for (size_t i = 0; i < nt; i++)
    if (type_range(s, types[i], &lo[i], &hi[i])) return ND_ERR_CORRUPT;
  uint32_t *ords = NULL, *cid = NULL, *seen = NULL, *cnt = NULL;
  size_t n = 0, cap = 0, nu = 0;
  int rc = 0, told = 0;
  buf keys;
  buf_init(&keys);
  size_t *koff = NULL;
  /* pass 1: the distinct ordinals of the field's topics among the matches */
  roaring_uint32_iterator_t *it = roaring_create_iterator(m);
  if (!it) return ND_ERR_NOMEM;
  for (; it->has_value && !rc; roaring_advance_uint32_iterator(it)) {
    uint32_t k;
    const uint8_t *p = seg_topics(s, it->current_value, &k);
    if (!p) rc = ND_ERR_CORRUPT;
    for (uint32_t j = 0; j < k && !rc; j++) {
      uint32_t o = rd_u32(p + 4 * j);
      if (!in_ranges(o, lo, hi, nt)) continue;
      if (mem_grow(&ords, &cap, n, sizeof *ords)) rc = ND_ERR_NOMEM;
      else ords[n++] = o;
    }
  }
  roaring_free_uint32_iterator(it);
  if (!rc && n) qsort(ords, n, sizeof *ords, cmp_u32);
  /* each distinct ordinal's canonical name; how often it occurs */
  if (!rc && (!(cnt = mem_calloc(n + 1, sizeof *cnt)) || !(koff = mem_calloc(n + 2, sizeof *koff)))) rc = ND_ERR_NOMEM;
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
    if (!on || di.len < 3 || di.term[0] != SEG_TOPIC_PREFIX) { rc = ND_ERR_CORRUPT; break; }
    ords[nu] = ords[i];
    cnt[nu] = (uint32_t)(j - i);
    koff[nu] = keys.n;
    size_t mark = keys.n;
    rc = canonical(ix, al, di.term + 1, di.len - 1, strchr(types, 'p') && !strchr(types, 'x'), &keys, &told);
    if (rc == 1) { /* not counted here */
      keys.n = mark;
      rc = 0;
      continue;
    }
    if (!rc && keys.oom) rc = ND_ERR_NOMEM;
    nu++;
  }
  if (!rc) koff[nu] = keys.n;
  /* the forms; and a number per canonical name (equal names, equal numbers) */
  uint32_t *byname = NULL;
  if (!rc && (!(cid = mem_alloc((nu + 1) * sizeof *cid)) || !(byname = mem_alloc((nu + 1) * sizeof *byname))))
    rc = ND_ERR_NOMEM;
  for (size_t i = 0; i < nu && !rc; i++) {
    rc = tally_add(forms, (const char *)keys.p + koff[i], koff[i + 1] - koff[i], cnt[i]);
    byname[i] = (uint32_t)i;
  }
  by_name_ctx bc = {keys.p, koff};
  if (!rc && nu) qsort_r(byname, nu, sizeof *byname, cmp_by_name, &bc);
  for (size_t i = 0; i < nu && !rc; i++) { /* each name numbered by its first ordinal */
    uint32_t x = byname[i];
    int same = i && same_name(&bc, x, byname[i - 1]);
    cid[x] = same ? cid[byname[i - 1]] : x;
  }
  mem_free(byname);
  /* pass 2: per match, its distinct canonical names */
  if (!rc && nu && !(seen = mem_calloc(nu, sizeof *seen))) rc = ND_ERR_NOMEM;
  uint32_t *per = NULL;
  if (!rc && nu && !(per = mem_calloc(nu, sizeof *per))) rc = ND_ERR_NOMEM;
  uint32_t stamp = 0;
  it = rc || !nu ? NULL : roaring_create_iterator(m);
  if (!rc && nu && !it) rc = ND_ERR_NOMEM;
  for (; it && it->has_value && !rc; roaring_advance_uint32_iterator(it)) {
    uint32_t k;
    const uint8_t *p = seg_topics(s, it->current_value, &k);
    stamp++;
    for (uint32_t j = 0; p && j < k; j++) {
      uint32_t o = rd_u32(p + 4 * j);
      if (!in_ranges(o, lo, hi, nt)) continue;
      uint32_t *f = bsearch(&o, ords, nu, sizeof *ords, cmp_u32);
      if (!f) continue;
      uint32_t c = cid[f - ords];
      if (seen[c] != stamp) { seen[c] = stamp; per[c]++; }
    }
  }
  if (it) roaring_free_uint32_iterator(it);
  for (size_t i = 0; i < nu && !rc; i++)
    if (per[i]) {
      const char *k = (const char *)keys.p + koff[i];
      rc = tally_add(docs, k, norm_len_n(k, koff[i + 1] - koff[i]), per[i]);
    }
  mem_free(per);
  mem_free(seen);
  mem_free(cid);
  mem_free(cnt);
  mem_free(koff);
  mem_free(ords);
  buf_free(&keys);
  if (rc == ND_ERR_CORRUPT)
    return ix_fail(ix, rc, "segment %u: damaged dictionary or topic list (run newsdex check)", s->segno);
  if (told) return rc;
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

static int cmp_name(const void *key, const void *elem) {
  const char *k = key, *e = (*(const nd_count *const *)elem)->key;
  size_t n = strlen(k), m = norm_len(e);
  int c = memcmp(k, e, n < m ? n : m);
  return c ? c : (n > m) - (n < m);
}

/* The field's most frequent entities over every segment: the matches per
** canonical name, shown by its most frequent written form.  *out as
** tally_top gives it. */
static int count_topics(nd_index *ix, const term_field *f, roaring_bitmap_t **sets, size_t limit, nd_count **out,
                        size_t *nout) {
  tally docs, forms, byname;
  tally_init(&docs);
  tally_init(&forms);
  tally_init(&byname);
  nd_count *names = NULL, *all = NULL, **order = NULL;
  alias_table *al = NULL;
  size_t n = 0, nn = 0;
  int rc = 0, told = 0;
  for (size_t si = 0; si < ix->snap.n && !rc; si++)
    if (roaring_bitmap_get_cardinality(sets[si]))
      rc = count_topics_in(ix, &ix->snap.segs[si].seg, f->types, sets[si], &docs, &forms, &al);
  told = rc != 0; /* count_topics_in set the message */
  if (rc) goto done;
  rc = ND_ERR_NOMEM;
  if (!(all = tally_top(&forms, 0, 0, 0, &n)) || !(order = mem_alloc((n + 1) * sizeof *order)) ||
      !(names = tally_top(&docs, 0, 0, 0, &nn)))
    goto done;
  for (size_t i = 0; i < n; i++) order[i] = &all[i];
  qsort(order, n, sizeof *order, cmp_norm); /* by name; the most frequent form first */
  rc = 0;
  for (size_t i = 0; i < nn && !rc; i++) {
    nd_count *const *hit = bsearch(names[i].key, order, n, sizeof *order, cmp_name);
    while (hit && hit > order && !cmp_name(names[i].key, hit - 1)) hit--;
    const char *shown = hit ? (*hit)->key + norm_len((*hit)->key) : names[i].key;
    if (*shown == LK_TERM_SEP) shown++;
    rc = tally_add(&byname, shown, strlen(shown), names[i].count);
  }
  if (!rc && !(*out = tally_top(&byname, 0, limit, 0, nout))) rc = ND_ERR_NOMEM;
done:
  mem_free(order);
  nd_counts_free(all);
  nd_counts_free(names);
  tally_free(&docs);
  tally_free(&forms);
  tally_free(&byname);
  if (rc == ND_ERR_NOMEM && !told) return ix_fail(ix, rc, "out of memory");
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
  o->pub.total = o->pub.stories = total;
  o->pub.fields = o->fields;
  if (fo.versions != ND_VERSIONS_ALL && (rc = stories_collapse(ix, sets, total, &o->pub.stories))) goto done;
  else if (fo.versions != ND_VERSIONS_ALL) total = o->pub.stories;
  for (size_t i = 0; i < fo.nfields && !rc; i++) {
    const term_field *f = find_field(fo.fields[i]);
    o->pub.nfields = i + 1;
    if (f->types) {
      rc = count_topics(ix, f, sets, fo.limit, &o->counts[i], &o->fields[i].n);
    } else {
      rc = count_sources(ix, f, sets, fo.limit, &o->counts[i], &o->fields[i].n);
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
