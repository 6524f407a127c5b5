/*
** analyze.c -- word splitting, Unicode folding and stemming (see analyze.h).
**
** The scanner walks code points once.  A "raw word" is a maximal run of word
** characters and connectors (. , ' U+2019 - U+2010 U+2011) where every
** connector has a word character on both sides.  The raw word is then split
** into hyphen parts, each part into words at its periods and commas (unless
** it is an acronym or a number), and each word folded and stemmed.
*/
#include "analyze.h"

#include <libstemmer.h>
#include <string.h>
#include <utf8proc.h>

#include <xxhash.h>

#include "../util/mem.h"

/* Stems of recent words, direct-mapped by a hash of the folded word: news
** text repeats its words (Zipf), and Snowball was a quarter of the
** instructions of adding articles before this cache. */
#define STEM_SLOTS 16384
#define STEM_SLOT_LEN 22 /* longer words are stemmed every time */
typedef struct stem_slot {
  uint8_t wlen, slen; /* 0: empty */
  char word[STEM_SLOT_LEN], stem[STEM_SLOT_LEN];
} stem_slot;

struct analyzer {
  struct sb_stemmer *stem; /* NULL: no stemming */
  stem_slot *cache;        /* STEM_SLOTS, made on first use */
  int keeps_first;         /* the stemmer never changes a word's first byte */
  const unsigned char *first; /* an_stem_filter's set, or NULL */
};

/* Snowball stemmers that only rewrite endings (tests/unit/test_analyze.c
** checks English's on a dictionary): the first byte of a stem is the
** word's. */
static const char *const KEEPS_FIRST[] = {"english", "porter", NULL};

#define MAX_PARTS 32 /* words of one raw word that take part in the joined form */

int an_language_ok(const char *language) {
  if (!strcmp(language, "none")) return 1;
  for (const char **l = sb_stemmer_list(); *l; l++)
    if (!strcmp(*l, language)) return 1;
  return 0;
}

const char *an_languages(void) {
  static char list[1024];
  if (!list[0]) {
    size_t n = 0;
    for (const char **l = sb_stemmer_list(); *l; l++) {
      size_t k = strlen(*l);
      if (n + k + 3 >= sizeof list) break;
      memcpy(list + n, *l, k);
      n += k;
      list[n++] = ',';
      list[n++] = ' ';
    }
    memcpy(list + n, "none", 5);
  }
  return list;
}

analyzer *an_new(const char *language) {
  if (!language) language = "english";
  if (!an_language_ok(language)) return NULL;
  analyzer *a = mem_calloc(1, sizeof *a);
  if (!a) return NULL;
  if (strcmp(language, "none")) {
    a->stem = sb_stemmer_new(language, "UTF_8");
    if (!a->stem) { mem_free(a); return NULL; }
    for (const char *const *l = KEEPS_FIRST; *l; l++)
      if (!strcmp(*l, language)) a->keeps_first = 1;
  }
  return a;
}

int an_stem_keeps_first(const analyzer *a) { return a->keeps_first; }

void an_stem_filter(analyzer *a, const unsigned char *first) { a->first = a->keeps_first ? first : NULL; }

void an_free(analyzer *a) {
  if (!a) return;
  if (a->stem) sb_stemmer_delete(a->stem);
  mem_free(a->cache);
  mem_free(a);
}

int utf8_valid(const char *s, size_t len, size_t *bad) {
  size_t i = 0;
  while (i < len) {
    unsigned char c = (unsigned char)s[i];
    if (c && c < 0x80) { i++; continue; }
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
    if (k <= 0 || cp == 0) {
      if (bad) *bad = i;
      return 0;
    }
    i += (size_t)k;
  }
  return 1;
}

/* Decode one code point at s[i..len); invalid bytes decode as U+FFFD, length 1. */
static size_t decode(const char *s, size_t i, size_t len, int32_t *cp) {
  unsigned char c = (unsigned char)s[i];
  if (c < 0x80) { *cp = c; return 1; }
  utf8proc_int32_t v;
  utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &v);
  if (k <= 0) { *cp = 0xFFFD; return 1; }
  *cp = v;
  return (size_t)k;
}

static int is_word_cp(int32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO: case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
      return 1;
    default:
      return 0;
  }
}

static inline int ascii_alnum(unsigned char c) {
  return (unsigned)((c | 32) - 'a') < 26u || (unsigned)(c - '0') < 10u;
}

static int is_digit_cp(int32_t cp) {
  if (cp < 0x80) return cp >= '0' && cp <= '9';
  return utf8proc_category(cp) == UTF8PROC_CATEGORY_ND;
}

static int is_letter_cp(int32_t cp) { return is_word_cp(cp) && !is_digit_cp(cp); }

static int is_hyphen(int32_t cp) { return cp == '-' || cp == 0x2010 || cp == 0x2011; }
static int is_apos(int32_t cp) { return cp == '\'' || cp == 0x2019; }
static int is_connector(int32_t cp) { return cp == '.' || cp == ',' || is_apos(cp) || is_hyphen(cp); }

/* One code point of a raw word, as the splitter sees it. */
typedef struct rcp {
  int32_t cp;
  uint32_t off, n; /* bytes in the text */
} rcp;

typedef struct word {
  char txt[AN_MAX_TERM * 4 + 8]; /* pre-fold text */
  size_t len;
  uint32_t start, end;
  int toolong;
} word;

/* Scratch state of one an_analyze call. */
typedef struct run {
  analyzer *a;
  const char *text;
  an_emit_fn emit;
  void *ctx;
  uint32_t pos;
  rcp *cps;
  size_t ncp, capcp;
} run;

static void word_add(word *w, const char *s, size_t n) {
  if (w->len + n >= sizeof w->txt - 4) { w->toolong = 1; return; }
  memcpy(w->txt + w->len, s, n);
  w->len += n;
}

size_t an_fold(analyzer *a, const char *s, size_t n, char *out, size_t cap) {
  (void)a;
  size_t i;
  for (i = 0; i < n && (unsigned char)s[i] < 0x80; i++) {}
  if (i == n) { /* ASCII fast path */
    if (n >= cap) return 0;
    for (i = 0; i < n; i++) out[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
    out[n] = 0;
    return n;
  }
  utf8proc_uint8_t *m = NULL;
  utf8proc_ssize_t k = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)n, &m,
                                    UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                        UTF8PROC_CASEFOLD | UTF8PROC_IGNORE);
  if (k <= 0 || (size_t)k >= cap) { free(m); return 0; }
  /* Normalise the typographic apostrophe kept inside words. */
  size_t o = 0;
  for (utf8proc_ssize_t j = 0; j < k; j++) {
    if (j + 2 < k && m[j] == 0xE2 && m[j + 1] == 0x80 && m[j + 2] == 0x99) { out[o++] = '\''; j += 2; }
    else out[o++] = (char)m[j];
  }
  out[o] = 0;
  free(m);
  return o;
}

/* Fold and stem `w`, emit it at `pos`.  Returns the callback's value. */
/* The stem of a folded word, through the cache.  0, or -1 (no memory). */
static int stem_word(analyzer *a, const char *w, size_t n, const char **out, size_t *outlen) {
  stem_slot *sl = NULL;
  if (n <= STEM_SLOT_LEN) {
    if (!a->cache) a->cache = mem_calloc(STEM_SLOTS, sizeof *a->cache);
    if (a->cache) {
      sl = &a->cache[XXH3_64bits(w, n) & (STEM_SLOTS - 1)];
      if (sl->wlen == n && !memcmp(sl->word, w, n)) {
        *out = sl->stem;
        *outlen = sl->slen;
        return 0;
      }
    }
  }
  const sb_symbol *s = sb_stemmer_stem(a->stem, (const sb_symbol *)w, (int)n);
  if (!s) return -1;
  size_t len = (size_t)sb_stemmer_length(a->stem);
  if (len == 0) { /* keep the word as it is */
    s = (const sb_symbol *)w;
    len = n;
  }
  *out = (const char *)s;
  *outlen = len;
  if (sl && len <= STEM_SLOT_LEN) {
    sl->wlen = (uint8_t)n;
    sl->slen = (uint8_t)len;
    memcpy(sl->word, w, n);
    memcpy(sl->stem, s, len);
  }
  return 0;
}

static int emit_word(run *r, const char *txt, size_t len, uint32_t start, uint32_t end, uint32_t pos, int joined) {
  char folded[AN_MAX_TERM * 4 + 8];
  size_t n = an_fold(r->a, txt, len, folded, sizeof folded);
  if (n == 0 || n > AN_MAX_TERM) return 0;
  an_token t = {folded, n, pos, start, end, joined};
  if (r->a->stem && (!r->a->first || r->a->first[(unsigned char)folded[0]]) && stem_word(r->a, folded, n, &t.term, &t.len))
    return -1;
  return r->emit(r->ctx, &t);
}

/* Split cps[lo..hi) (one hyphen part) into words appended to ws. */
static size_t split_part(run *r, size_t lo, size_t hi, word *ws, size_t nws, size_t maxw) {
  /* An acronym: single letters separated by periods (U.S, U.N.C). */
  int acronym = hi - lo >= 3;
  for (size_t i = lo; acronym && i < hi; i++) {
    int even = ((i - lo) % 2) == 0;
    if (even ? !is_letter_cp(r->cps[i].cp) : r->cps[i].cp != '.') acronym = 0;
  }
  word *w = NULL;
  for (size_t i = lo; i < hi; i++) {
    rcp c = r->cps[i];
    if (c.cp == '.' || c.cp == ',') {
      int num = i > lo && i + 1 < hi && is_digit_cp(r->cps[i - 1].cp) && is_digit_cp(r->cps[i + 1].cp);
      if (acronym) continue;
      if (num && c.cp == '.') { /* decimal point stays */
        if (w) word_add(w, ".", 1);
        continue;
      }
      if (num) { /* thousands separator: exactly three digits follow */
        size_t d = 0;
        while (i + 1 + d < hi && is_digit_cp(r->cps[i + 1 + d].cp)) d++;
        if (d == 3) continue;
      }
      w = NULL; /* a split */
      continue;
    }
    if (!w) {
      if (nws == maxw) return nws;
      w = &ws[nws++];
      w->len = 0;
      w->toolong = 0;
      w->start = c.off;
    }
    if (is_apos(c.cp)) word_add(w, "'", 1);
    else word_add(w, r->text + c.off, c.n);
    w->end = c.off + c.n;
  }
  return nws;
}

/* Process the raw word cps[0..ncp). */
static int raw_word(run *r) {
  word ws[MAX_PARTS];
  size_t nws = 0, lo = 0;
  int hyphenated = 0;
  int rc;
  for (size_t i = 0; i <= r->ncp; i++) {
    if (i < r->ncp && !is_hyphen(r->cps[i].cp)) continue;
    if (i < r->ncp) hyphenated = 1;
    if (nws == MAX_PARTS) {
      /* Too many parts to join: emit the first MAX_PARTS words and go on
      ** with the rest one by one. */
      for (size_t k = 0; k < nws; k++)
        if (!ws[k].toolong && (rc = emit_word(r, ws[k].txt, ws[k].len, ws[k].start, ws[k].end, r->pos, 0))) return rc;
        else r->pos++;
      nws = 0;
      hyphenated = 0;
    }
    nws = split_part(r, lo, i, ws, nws, MAX_PARTS);
    lo = i + 1;
  }
  uint32_t first = r->pos;
  for (size_t k = 0; k < nws; k++) {
    if (!ws[k].toolong && (rc = emit_word(r, ws[k].txt, ws[k].len, ws[k].start, ws[k].end, r->pos, 0))) return rc;
    if (k == 0 && hyphenated && nws > 1) {
      char joined[AN_MAX_TERM * 4 + 8];
      size_t n = 0;
      int fits = 1;
      for (size_t j = 0; j < nws && fits; j++) {
        if (n + ws[j].len >= sizeof joined || ws[j].toolong) fits = 0;
        else { memcpy(joined + n, ws[j].txt, ws[j].len); n += ws[j].len; }
      }
      if (fits && (rc = emit_word(r, joined, n, ws[0].start, ws[nws - 1].end, first, 1))) return rc;
    }
    r->pos++;
  }
  return 0;
}

static int push_cp(run *r, int32_t cp, size_t off, size_t n) {
  if (mem_grow(&r->cps, &r->capcp, r->ncp, sizeof *r->cps)) return -1;
  r->cps[r->ncp++] = (rcp){cp, (uint32_t)off, (uint32_t)n};
  return 0;
}

int an_analyze(analyzer *a, const char *text, size_t len, uint32_t pos_base,
               an_emit_fn emit, void *ctx, uint32_t *npos) {
  run r = {a, text, emit, ctx, pos_base, NULL, 0, 0};
  int rc = 0;
  size_t i = 0;
  while (i < len && rc == 0) {
    unsigned char c0 = (unsigned char)text[i];
    if (c0 < 0x80) {
      if (!ascii_alnum(c0)) { i++; continue; }
      /* ASCII fast path: letters and digits ended by an ASCII byte that
      ** cannot join them to more (not a connector) are one word, the one
      ** the general path below would make of them. */
      size_t j = i + 1;
      while (j < len && ascii_alnum((unsigned char)text[j])) j++;
      unsigned char e = j < len ? (unsigned char)text[j] : ' ';
      if (e < 0x80 && !is_connector(e)) {
        rc = emit_word(&r, text + i, j - i, (uint32_t)i, (uint32_t)j, r.pos, 0);
        r.pos++;
        i = j;
        continue;
      }
    }
    int32_t cp;
    size_t k = decode(text, i, len, &cp);
    if (!is_word_cp(cp)) { i += k; continue; }
    r.ncp = 0;
    /* Collect the raw word. */
    for (;;) {
      if (push_cp(&r, cp, i, k)) { rc = -1; break; }
      i += k;
      if (i >= len) break;
      k = decode(text, i, len, &cp);
      if (is_word_cp(cp)) continue;
      if (!is_connector(cp) || i + k >= len) break;
      int32_t next;
      size_t k2 = decode(text, i + k, len, &next);
      (void)k2;
      if (!is_word_cp(next)) break;
      /* An apostrophe only joins letters; keep "'90s" and "rock 'n'" apart. */
      if (is_apos(cp) && (!is_letter_cp(r.cps[r.ncp - 1].cp) || !is_letter_cp(next))) break;
    }
    if (rc == 0) rc = raw_word(&r);
  }
  mem_free(r.cps);
  if (npos) *npos = r.pos - pos_base;
  return rc;
}
