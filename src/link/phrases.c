/*
** phrases.c -- key phrases from the archive's statistics, and the
** statistics themselves.
**
** Candidates are two adjacent words in one clause (no punctuation between
** them, none on a headline line): a lower-case content word after a
** lower-case content word or after a single capitalised name ("training
** mission", "Iraq war"), never a function word, a number or an -ly adverb;
** the second word never ends in -ed or -ing, the first not in -ed; no
** particle of a name ("van der").
** Three words form a candidate when both of their pairs do ("mad cow
** disease").  With an archive a candidate is kept when the phrase occurs in
** at least MIN_DF articles and is a unit there: its articles are a large
** enough share of those of its rarer word (df(ab) / min(df(a), df(b)) at
** least MIN_SHARE).  Without an archive only a pair written twice or more in
** the article is kept.
**
** Statistics come from the caller's lk_stats_src (src/api/links.c: the
** count of nd_search() with ids_only for the quoted phrase), cached for the
** article.
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
  lk_stats_src src; /* src.df NULL: no statistics */
  df_entry *e;
  size_t n, cap;
};

lk_stats *lk_stats_new(const lk_stats_src *src) {
  lk_stats *st = mem_calloc(1, sizeof *st);
  if (!st) return NULL;
  if (src && src->df) st->src = *src;
  return st;
}

void lk_stats_free(lk_stats *st) {
  if (!st) return;
  for (size_t i = 0; i < st->n; i++) mem_free(st->e[i].key);
  mem_free(st->e);
  mem_free(st);
}

uint64_t lk_stats_docs(const lk_stats *st) { return st && st->src.df ? st->src.docs : 0; }

int lk_stats_df(lk_stats *st, const char *s, size_t n, uint64_t *df) {
  *df = 0;
  if (!st || !st->src.df || !st->src.docs) return 0;
  for (size_t i = 0; i < st->n; i++)
    if (strlen(st->e[i].key) == n && !memcmp(st->e[i].key, s, n)) { *df = st->e[i].df; return 0; }
  if (mem_grow(&st->e, &st->cap, st->n, sizeof *st->e)) return ND_ERR_NOMEM;
  char *key = mem_strndup(s, n);
  if (!key) return ND_ERR_NOMEM;
  int rc = st->src.df(st->src.ctx, s, n, df);
  if (rc) { *df = 0; mem_free(key); return rc; }
  st->e[st->n++] = (df_entry){key, *df};
  return 0;
}

#define WLEN(i) ((size_t)(w->w[i].end - w->w[i].start))

/* Could word i be a content word (content_word() below) but for the
** list of stop words?  The cheap tests. */
static int content_shape(const char *body, const lk_words *w, size_t i) {
  uint32_t f = w->w[i].flags;
  size_t n = WLEN(i);
  const char *s = body + w->w[i].start;
  if (!(f & LW_LOWER) || (f & (LW_HEAD | LW_ABBR)) || n < 3) return 0;
  if (n > 4 && s[n - 2] == 'l' && s[n - 1] == 'y') return 0;
  /* one pass: no digit, no apostrophe ' or \u2019 */
  for (size_t k = 0; k < n; k++) {
    unsigned char c = (unsigned char)s[k];
    if ((c >= '0' && c <= '9') || c == '\'') return 0;
    if (c == 0xE2 && n > 3 && k + 2 < n && (unsigned char)s[k + 1] == 0x80 && (unsigned char)s[k + 2] == 0x99) return 0;
  }
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

/* What pair_ok() asks of a word, worked out once per word (it asks about
** each word as the first and as the second of a pair).  Whether it is a
** content word -- a lower-case word of the right shape that is no stop
** word -- is looked up in the stop words only when a pair needs it. */
enum { WP_SHAPE = 1, WP_VERB = 2, WP_VERB_D = 4, WP_KNOWN = 8, WP_CONTENT = 16 };

static unsigned word_props(const char *body, const lk_words *w, size_t i) {
  unsigned p = 0;
  if (content_shape(body, w, i)) p |= WP_SHAPE;
  else p |= WP_KNOWN; /* no content word */
  if (verb_like(body, w, i)) {
    p |= WP_VERB;
    /* "tested" may not start a pair either (a lower-case -ed word) */
    if ((w->w[i].flags & LW_LOWER) && WLEN(i) > 2 && body[w->w[i].end - 1] == 'd') p |= WP_VERB_D;
  }
  return p;
}

/* A lower-case content word that may end or start a key phrase: never a
** function word, a name's particle ("van der" of "van der Berg"), a
** number, an -ly adverb or a word with an apostrophe. */
static int content_word(const char *body, const lk_words *w, uint8_t *props, size_t i) {
  if (!(props[i] & WP_KNOWN)) {
    props[i] |= WP_KNOWN;
    const char *s = body + w->w[i].start;
    if (!cue_stop(s, WLEN(i)) && !cue_particle(s, WLEN(i))) props[i] |= WP_CONTENT;
  }
  return (props[i] & WP_CONTENT) != 0;
}

/* Is words (i, i+1) a candidate pair?  props: word_props() of each word. */
static int pair_ok(const char *body, const lk_words *w, uint8_t *props, size_t i) {
  if (i + 1 >= w->n) return 0;
  if ((props[i + 1] & WP_VERB) || (props[i] & WP_VERB_D)) return 0;
  if (w->w[i + 1].flags & (LW_BREAK | LW_SENT)) return 0;
  if (w->w[i].flags & LW_POSS) return 0;
  return content_word(body, w, props, i + 1) && (content_word(body, w, props, i) || name_word(body, w, i));
}

/* ok[i]: is words (i, i+1) a candidate pair?  ok has w->n entries. */
static int pairs_ok(const char *body, const lk_words *w, uint8_t *ok) {
  uint8_t *props = mem_alloc(w->n + 1);
  if (!props) return -1;
  for (size_t i = 0; i < w->n; i++) props[i] = (uint8_t)word_props(body, w, i);
  for (size_t i = 0; i < w->n; i++) ok[i] = (uint8_t)pair_ok(body, w, props, i);
  mem_free(props);
  return 0;
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

/* Without an archive: the hash of each candidate pair's text (of[i], set
** only where words (i, i+1) are a candidate), and the same hashes sorted,
** so that a pair's count in the article is a binary search. */
typedef struct pair_counts {
  uint64_t *of, *sorted;
  size_t n;
} pair_counts;

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* The hash of the text phrase_text() gives words (i, i+1), made on the
** stack: it runs for every candidate pair. */
static uint64_t pair_hash(const char *body, const lk_words *w, size_t i) {
  char t[512]; /* two words of at most 255 bytes (phrase_text's limit) and a blank */
  size_t m = lk_lower(body + w->w[i].start, WLEN(i), t, 256);
  t[m++] = ' ';
  m += lk_lower(body + w->w[i + 1].start, WLEN(i + 1), t + m, 256);
  return XXH3_64bits(t, m);
}

/* Sort v[0..n) ascending.  An article has a few dozen candidate pairs: a
** Shell sort (Ciura's gaps) without calls beats qsort() there; qsort() for
** the rare long list. */
static void sort_u64(uint64_t *v, size_t n) {
  static const size_t GAPS[] = {132, 57, 23, 10, 4, 1};
  if (n > 1024) { qsort(v, n, sizeof *v, cmp_u64); return; }
  for (size_t g = 0; g < sizeof GAPS / sizeof *GAPS; g++) {
    size_t gap = GAPS[g];
    for (size_t i = gap; i < n; i++) {
      uint64_t x = v[i];
      size_t j = i;
      for (; j >= gap && v[j - gap] > x; j -= gap) v[j] = v[j - gap];
      v[j] = x;
    }
  }
}

static int pairs_count_all(const char *body, const lk_words *w, const uint8_t *ok, pair_counts *pc) {
  pc->n = 0;
  pc->of = mem_alloc((w->n + 1) * sizeof *pc->of); /* set and read only where ok[i] */
  pc->sorted = mem_alloc((w->n + 1) * sizeof *pc->sorted);
  if (!pc->of || !pc->sorted) return -1;
  for (size_t i = 0; i + 1 < w->n; i++) {
    if (!ok[i]) continue;
    uint64_t h = pair_hash(body, w, i);
    pc->of[i] = h ? h : 1;
    pc->sorted[pc->n++] = pc->of[i];
  }
  sort_u64(pc->sorted, pc->n);
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
  buf t;
  buf_init(&t);
  int rc = 0, with_archive = lk_stats_docs(st) > 0;
  pair_counts pc = {0};
  uint8_t *ok = mem_alloc(w->n + 1);
  if (!ok || pairs_ok(body, w, ok)) rc = ND_ERR_NOMEM;
  if (!rc && !with_archive && pairs_count_all(body, w, ok, &pc)) rc = ND_ERR_NOMEM;
  for (size_t i = 0; i + 1 < w->n && !rc; i++) {
    if (!ok[i]) continue;
    double a2 = 0;
    if (with_archive) {
      rc = assoc(body, w, i, i + 2, st, &t, &a2);
    } else if (pair_count(&pc, i) >= 2) {
      a2 = 0.05;
    }
    if (rc || a2 <= 0) continue;
    size_t end = i + 2;
    double a3 = 0;
    if (ok[i + 1]) {
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
  mem_free(ok);
  mem_free(pc.of);
  mem_free(pc.sorted);
  buf_free(&t);
  return rc;
}
