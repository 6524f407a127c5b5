/*
** phrases.c -- key phrases from the archive's statistics, and the
** statistics themselves.
**
** Candidates are two adjacent words in one clause (no punctuation between
** them, none on a headline line): a lower-case content word after a
** lower-case content word or after a single capitalised name ("training
** mission", "Iraq war"), never a function word, a number or an -ly adverb;
** the second word never ends in -ed or -ing, the first not in -ed.
** Three words form a candidate when both of their pairs do ("mad cow
** disease").  With an archive a candidate is kept when the phrase occurs in
** at least MIN_DF articles and is a unit there: its articles are a large
** enough share of those of its rarer word (df(ab) / min(df(a), df(b)) at
** least MIN_SHARE).  Without an archive only a pair written twice or more in
** the article is kept.
**
** Statistics come from nd_search() with ids_only (the count of a quoted
** phrase), cached for the article.
*/
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "../util/buf.h"
#include "../util/mem.h"
#include "link.h"

#define MIN_DF 3
#define MIN_SHARE 0.005

typedef struct df_entry {
  char *key;
  uint64_t df;
} df_entry;

struct lk_stats {
  nd_index *ix;
  uint64_t docs;
  df_entry *e;
  size_t n, cap;
  buf q;
};

lk_stats *lk_stats_new(nd_index *ix) {
  lk_stats *st = mem_calloc(1, sizeof *st);
  if (!st) return NULL;
  st->ix = ix;
  buf_init(&st->q);
  nd_stats s;
  if (ix && nd_stats_get(ix, &s) == ND_OK) st->docs = s.articles;
  return st;
}

void lk_stats_free(lk_stats *st) {
  if (!st) return;
  for (size_t i = 0; i < st->n; i++) mem_free(st->e[i].key);
  mem_free(st->e);
  buf_free(&st->q);
  mem_free(st);
}

uint64_t lk_stats_docs(const lk_stats *st) { return st && st->ix ? st->docs : 0; }

int lk_stats_df(lk_stats *st, const char *s, size_t n, uint64_t *df) {
  *df = 0;
  if (!st || !st->ix || !st->docs) return 0;
  for (size_t i = 0; i < st->n; i++)
    if (strlen(st->e[i].key) == n && !memcmp(st->e[i].key, s, n)) { *df = st->e[i].df; return 0; }
  buf_reset(&st->q);
  buf_putc(&st->q, '"');
  for (size_t i = 0; i < n; i++) buf_putc(&st->q, s[i] == '"' ? ' ' : (uint8_t)s[i]);
  buf_putc(&st->q, '"');
  const char *q = buf_cstr(&st->q);
  if (st->q.oom || mem_grow(&st->e, &st->cap, st->n, sizeof *st->e)) return ND_ERR_NOMEM;
  char *key = mem_strndup(s, n);
  if (!key) return ND_ERR_NOMEM;
  nd_search_options o = {0};
  o.limit = 1;
  o.ids_only = 1;
  nd_results *r = NULL;
  int rc = nd_search(st->ix, q, &o, &r);
  if (rc == ND_OK) *df = nd_results_total(r);
  nd_results_free(r);
  if (rc != ND_OK && rc != ND_ERR_QUERY) { mem_free(key); return rc; }
  st->e[st->n++] = (df_entry){key, *df};
  return 0;
}

#define WLEN(i) ((size_t)(w->w[i].end - w->w[i].start))

/* A lower-case content word that may end or start a key phrase. */
static int content_word(const char *body, const lk_words *w, size_t i) {
  uint32_t f = w->w[i].flags;
  size_t n = WLEN(i);
  const char *s = body + w->w[i].start;
  if (!(f & LW_LOWER) || (f & (LW_HEAD | LW_ABBR)) || n < 3) return 0;
  if (cue_stop(s, n) || (n > 4 && !memcmp(s + n - 2, "ly", 2))) return 0;
  if (memchr(s, '\'', n) || (n > 3 && memmem(s, n, "\xE2\x80\x99", 3))) return 0;
  for (size_t k = 0; k < n; k++)
    if (s[k] >= '0' && s[k] <= '9') return 0;
  return 1;
}

/* A single capitalised name that may start a key phrase ("Iraq" war). */
static int name_word(const char *body, const lk_words *w, size_t i) {
  uint32_t f = w->w[i].flags;
  if (!(f & LW_CAP) || (f & (LW_HEAD | LW_ABBR | LW_ALLCAP | LW_HYPHLOW)) || (f & LW_SENT)) return 0;
  if (i > 0 && !(f & LW_BREAK) && (w->w[i - 1].flags & LW_CAP)) return 0; /* inside a longer name */
  const char *s = body + w->w[i].start;
  return !cue_opener(s, WLEN(i)) && !cue_date_word(s, WLEN(i)) && !cue_title(s, WLEN(i)) && !cue_demonym(s, WLEN(i));
}

/* Ends like a verb form ("tested", "running")? */
static int verb_like(const char *body, const lk_words *w, size_t i) {
  size_t n = WLEN(i);
  const char *s = body + w->w[i].start;
  return (n > 4 && !memcmp(s + n - 2, "ed", 2)) || (n > 5 && !memcmp(s + n - 3, "ing", 3));
}

/* Is words (i, i+1) a candidate pair? */
static int pair_ok(const char *body, const lk_words *w, size_t i) {
  if (i + 1 >= w->n) return 0;
  if (verb_like(body, w, i + 1) || ((w->w[i].flags & LW_LOWER) && verb_like(body, w, i) &&
                                    WLEN(i) > 2 && body[w->w[i].end - 1] == 'd')) return 0;
  if (w->w[i + 1].flags & (LW_BREAK | LW_SENT)) return 0;
  if (w->w[i].flags & LW_POSS) return 0;
  return content_word(body, w, i + 1) && (content_word(body, w, i) || name_word(body, w, i));
}

/* The text of words [a, b) in lower case with single spaces. */
static int phrase_text(const char *body, const lk_words *w, size_t a, size_t b, buf *out) {
  char low[256];
  buf_reset(out);
  for (size_t i = a; i < b; i++) {
    if (i > a) buf_putc(out, ' ');
    size_t m = lk_lower(body + w->w[i].start, WLEN(i), low, sizeof low);
    buf_put(out, low, m);
  }
  buf_cstr(out);
  return out->oom ? -1 : 0;
}

/* Without an archive: the hash of each candidate pair's text (0 when
** words (i, i+1) are no candidate), and the same hashes sorted, so that a
** pair's count in the article is a binary search. */
typedef struct pair_counts {
  uint64_t *of, *sorted;
  size_t n;
} pair_counts;

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

static int pairs_count_all(const char *body, const lk_words *w, buf *tmp, pair_counts *pc) {
  pc->n = 0;
  pc->of = mem_calloc(w->n + 1, sizeof *pc->of);
  pc->sorted = mem_alloc((w->n + 1) * sizeof *pc->sorted);
  if (!pc->of || !pc->sorted) return -1;
  for (size_t i = 0; i + 1 < w->n; i++) {
    if (!pair_ok(body, w, i)) continue;
    if (phrase_text(body, w, i, i + 2, tmp)) return -1;
    uint64_t h = XXH3_64bits(tmp->p, tmp->n);
    pc->of[i] = h ? h : 1;
    pc->sorted[pc->n++] = pc->of[i];
  }
  qsort(pc->sorted, pc->n, sizeof *pc->sorted, cmp_u64);
  return 0;
}

/* How many candidate pairs of the article have the text of pair i. */
static size_t pair_count(const pair_counts *pc, size_t i) {
  uint64_t h = pc->of[i];
  size_t lo = 0, hi = pc->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (pc->sorted[mid] < h) lo = mid + 1;
    else hi = mid;
  }
  size_t c = 0;
  while (lo + c < pc->n && pc->sorted[lo + c] == h) c++;
  return c;
}

/* Association of words [a, b) in the archive: 0 when not a phrase. */
static int assoc(const char *body, const lk_words *w, size_t a, size_t b, lk_stats *st, buf *t, double *out) {
  *out = 0;
  uint64_t dab, dmin = UINT64_MAX;
  if (phrase_text(body, w, a, b, t)) return ND_ERR_NOMEM;
  int rc = lk_stats_df(st, (const char *)t->p, t->n, &dab);
  if (rc) return rc;
  if (dab < MIN_DF) return 0;
  for (size_t i = a; i < b; i++) {
    uint64_t d;
    if ((rc = lk_stats_df(st, body + w->w[i].start, WLEN(i), &d))) return rc;
    if (d < dmin) dmin = d;
  }
  if (!dmin) return 0;
  double share = (double)dab / (double)dmin;
  if (share >= MIN_SHARE) *out = share > 1 ? 1 : share;
  return 0;
}

int lk_find_phrases(const char *body, const lk_words *w, lk_stats *st, lk_spans *out) {
  buf t, tmp;
  buf_init(&t);
  buf_init(&tmp);
  int rc = 0, with_archive = lk_stats_docs(st) > 0;
  pair_counts pc = {0};
  if (!with_archive && pairs_count_all(body, w, &tmp, &pc)) rc = ND_ERR_NOMEM;
  for (size_t i = 0; i + 1 < w->n && !rc; i++) {
    if (!pair_ok(body, w, i)) continue;
    double a2 = 0;
    if (with_archive) {
      rc = assoc(body, w, i, i + 2, st, &t, &a2);
    } else if (pair_count(&pc, i) >= 2) {
      a2 = 0.05;
    }
    if (rc || a2 <= 0) continue;
    size_t end = i + 2;
    double a3 = 0;
    if (pair_ok(body, w, i + 1)) {
      if (with_archive) rc = assoc(body, w, i, i + 3, st, &t, &a3);
      if (a3 > 0) end = i + 3;
    }
    lk_span s = {0};
    s.w0 = (uint32_t)i;
    s.w1 = (uint32_t)end;
    s.start = w->w[i].start;
    s.end = w->w[end - 1].end;
    s.type = ND_TOPIC_OTHER;
    s.phrase = (w->w[i].flags & LW_CAP) ? 2 : 1;
    s.assoc = end == i + 3 ? a3 : a2;
    if (!rc && lk_spans_push(out, &s)) rc = ND_ERR_NOMEM;
    i = end - 2; /* the next pair starts at the phrase's last word */
  }
  mem_free(pc.of);
  mem_free(pc.sorted);
  buf_free(&t);
  buf_free(&tmp);
  return rc;
}
