/*
** words.c -- split an article body into words with their shapes.
**
** A word is a run of letters, digits and combining marks; an apostrophe or
** a hyphen between two such characters stays inside ("O'Brien",
** "al-Sadr", "Navarro-Valls"), and so do the periods of an acronym
** ("U.S.").  A final period belongs to the word when the word is an
** initial ("G."), an acronym ("U.S.") or a known abbreviation ("Gen.",
** "Jr.", "Inc."): it then ends no sentence.  A possessive "'s" (or "'" after
** an s) is left out of the word and flagged.
**
** What lies between two words decides LW_BREAK (anything but blanks) and
** LW_SENT (a newline, a sentence end . ! ?, a colon, an opening quote).
** A line of at most 25 words that does not end like a sentence and whose
** words are mostly capitalised is a headline: its words get LW_HEAD.
*/
#include <string.h>
#include <utf8proc.h>

#include "../util/mem.h"
#include "link.h"

#define HEAD_MAX_WORDS 25

static int32_t cp_at(const char *s, size_t len, size_t i, size_t *k) {
  if (i >= len) { *k = 0; return -1; }
  unsigned char c = (unsigned char)s[i];
  if (c < 0x80) { *k = 1; return c; }
  utf8proc_int32_t cp;
  utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
  if (n <= 0) { *k = 1; return 0xFFFD; }
  *k = (size_t)n;
  return cp;
}

static int is_wordch(int32_t cp) {
  if (cp < 0) return 0;
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
  switch (utf8proc_category(cp)) {
  case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
  case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
  case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_ND:
  case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
    return 1;
  default:
    return 0;
  }
}

static int is_letter(int32_t cp) { return is_wordch(cp) && !(cp >= '0' && cp <= '9') &&
                                          utf8proc_category(cp) != UTF8PROC_CATEGORY_ND; }
static int is_upper(int32_t cp) {
  int c = utf8proc_category(cp);
  return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}
static int is_lower(int32_t cp) { return utf8proc_category(cp) == UTF8PROC_CATEGORY_LL; }
static int is_apos(int32_t cp) { return cp == '\'' || cp == 0x2019; }
static int is_hyphen(int32_t cp) { return cp == '-' || cp == 0x2010 || cp == 0x2011; }
static int is_blank(int32_t cp) { return cp == ' ' || cp == '\t' || cp == 0xA0 || cp == '\r'; }
static int is_open_quote(int32_t cp) { return cp == '"' || cp == 0x201C || cp == 0x2018 || cp == '\'' || cp == '(' || cp == '['; }

size_t lk_lower(const char *s, size_t n, char *out, size_t cap) {
  size_t o = 0, i = 0, k;
  while (i < n) {
    int32_t cp = cp_at(s, n, i, &k);
    utf8proc_uint8_t tmp[4];
    utf8proc_ssize_t m = utf8proc_encode_char(utf8proc_tolower(cp), tmp);
    if (o + (size_t)m >= cap) break;
    memcpy(out + o, tmp, (size_t)m);
    o += (size_t)m;
    i += k;
  }
  if (cap) out[o] = 0;
  return o;
}

/* Is s[0..n) single letters joined by periods so far ("U", "U.S")? */
static int acronym_so_far(const char *s, size_t n) {
  size_t i = 0, k;
  int letters = 0;
  while (i < n) {
    int32_t cp = cp_at(s, n, i, &k);
    if (!is_letter(cp)) return 0;
    i += k;
    letters++;
    if (i < n) {
      if (s[i] != '.') return 0;
      i++;
    }
  }
  return letters >= 1;
}

/* A contraction: "We'll", "I'd", "Don't" (an apostrophe, then ll d ve re m t). */
static int contraction(const char *s, size_t n) {
  static const char *const ENDS[] = {"ll", "d", "ve", "re", "m", "t"};
  const char *ap = NULL;
  for (size_t i = 0; i < n; i++)
    if (s[i] == '\'') ap = s + i + 1;
    else if (i + 2 < n && !memcmp(s + i, "\xE2\x80\x99", 3)) ap = s + i + 3;
  if (!ap) return 0;
  size_t m = (size_t)(s + n - ap);
  for (size_t i = 0; i < sizeof ENDS / sizeof *ENDS; i++)
    if (strlen(ENDS[i]) == m && !memcmp(ap, ENDS[i], m)) return 1;
  return 0;
}

/* Shape flags of the word s[0..n). */
static uint32_t shape(const char *s, size_t n) {
  size_t i = 0, k;
  int letters = 0, uppers = 0, lowers = 0;
  uint32_t f = 0;
  int32_t first = cp_at(s, n, 0, &k), prev = -1;
  int cap_inside = 0, last_part_lower = 0, hyphened = 0, part_start = 1;
  while (i < n) {
    int32_t cp = cp_at(s, n, i, &k);
    if (is_letter(cp)) {
      letters++;
      if (is_upper(cp)) {
        uppers++;
        /* "al-Sadr", "d'Estaing", "iPod" -- but not "anti-Vietnam", "mini-Trump" */
        if (i > 0 && (is_apos(prev) || i == 1 || (is_hyphen(prev) && cue_particle(s, i - 1)))) cap_inside = 1;
      } else if (is_lower(cp)) {
        lowers++;
      }
      if (part_start) { last_part_lower = is_lower(cp); part_start = 0; }
    }
    if (is_hyphen(cp)) { hyphened = 1; part_start = 1; }
    prev = cp;
    i += k;
  }
  if (first >= 0 && is_upper(first)) f |= LW_CAP;
  else if (first >= 0 && is_lower(first) && cap_inside) f |= LW_CAP;
  else if (first >= 0 && is_lower(first)) f |= LW_LOWER;
  if (first >= '0' && first <= '9') f |= LW_DIGIT;
  if (letters >= 2 && uppers == letters) f |= LW_ALLCAP;
  if (hyphened && last_part_lower && (f & LW_CAP) && lowers) f |= LW_HYPHLOW;
  if ((f & LW_CAP) && contraction(s, n)) f = (f & ~(uint32_t)LW_CAP) | LW_LOWER;
  return f;
}

static int push(lk_words *ws, const lk_word *w) {
  if (mem_grow(&ws->w, &ws->cap, ws->n, sizeof *ws->w)) return -1;
  ws->w[ws->n++] = *w;
  return 0;
}

/* Flags for the gap text g[0..n) before a word. */
static uint32_t gap_flags(const char *g, size_t n, int first) {
  uint32_t f = first ? LW_SENT : 0;
  size_t i = 0, k;
  int32_t last = -1;
  while (i < n) {
    int32_t cp = cp_at(g, n, i, &k);
    if (!is_blank(cp)) f |= LW_BREAK;
    if (cp == '\n' || cp == '.' || cp == '!' || cp == '?' || cp == ':' || cp == 0x2026) f |= LW_SENT;
    if (!is_blank(cp)) last = cp;
    i += k;
  }
  if (last >= 0 && is_open_quote(last)) f |= LW_SENT;
  return f;
}

/* Mark the words of headline-like lines. */
static void mark_headlines(const char *body, size_t len, lk_words *ws) {
  size_t i = 0;
  while (i < ws->n) {
    size_t j = i + 1;
    while (j < ws->n && !memchr(body + ws->w[j - 1].end, '\n', ws->w[j].start - ws->w[j - 1].end)) j++;
    /* words [i, j) are one line; find how it ends */
    size_t e = ws->w[j - 1].end;
    while (e < len && body[e] != '\n') e++;
    size_t t = e;
    while (t > ws->w[j - 1].start && (body[t - 1] == ' ' || body[t - 1] == '\t' || body[t - 1] == '\r')) t--;
    char endc = body[t - 1];
    int sentence_end = endc == '.' || endc == ',' || endc == ';' || endc == ':';
    if (ws->w[j - 1].flags & LW_ABBR && t == ws->w[j - 1].end) sentence_end = 1;
    size_t n = j - i, caps = 0, counted = 0;
    for (size_t x = i; x < j; x++) {
      const lk_word *w = &ws->w[x];
      if (cue_stop(body + w->start, w->end - w->start) || cue_particle(body + w->start, w->end - w->start)) continue;
      counted++;
      if (w->flags & (LW_CAP | LW_DIGIT)) caps++;
    }
    if (!sentence_end && n <= HEAD_MAX_WORDS && (n <= 3 || caps * 10 >= counted * 7))
      for (size_t x = i; x < j; x++) ws->w[x].flags |= LW_HEAD;
    i = j;
  }
}

int lk_split(const char *body, size_t len, lk_words *ws) {
  memset(ws, 0, sizeof *ws);
  size_t i = 0, k, prev_end = 0;
  int32_t sent = -1;
  while (i < len) {
    int32_t cp = cp_at(body, len, i, &k);
    if (!is_wordch(cp)) { i += k; continue; }
    size_t s = i;
    i += k;
    int32_t last = cp;
    for (;;) {
      size_t k1, k2;
      int32_t c = cp_at(body, len, i, &k1);
      if (is_wordch(c)) { last = c; i += k1; continue; }
      int32_t nx = cp_at(body, len, i + k1, &k2);
      if ((is_apos(c) && is_letter(last) && is_letter(nx)) || (is_hyphen(c) && is_wordch(last) && is_wordch(nx))) {
        i += k1;
        continue;
      }
      if (c == '.' && is_letter(last) && is_letter(nx) && acronym_so_far(body + s, i - s)) {
        size_t k3;
        if (cp_at(body, len, i + k1 + k2, &k3) == '.') { i += k1; continue; }
      }
      break;
    }
    lk_word w = {(uint32_t)s, (uint32_t)i, 0, 0};
    size_t n = i - s;
    /* possessive: 's / ’s at the end, or an apostrophe after a final s */
    if (n > 2 && body[i - 2] == '\'' && body[i - 1] == 's') { w.end = (uint32_t)(i - 2); w.flags |= LW_POSS; }
    else if (n > 4 && !memcmp(body + i - 4, "\xE2\x80\x99s", 4)) { w.end = (uint32_t)(i - 4); w.flags |= LW_POSS; }
    else if (i < len && body[i] == '\'' && body[i - 1] == 's' && !(i + 1 < len && is_wordch((unsigned char)body[i + 1])))
      w.flags |= LW_POSS;
    if (i < len && body[i] == '.' && !(w.flags & LW_POSS)) {
      int initial = k == n && is_upper(cp); /* one code point, a capital */
      if (initial || (memchr(body + s, '.', n) && acronym_so_far(body + s, n)) ||
          cue_abbr(body + s, n)) {
        w.end = (uint32_t)(i + 1);
        w.flags |= LW_ABBR;
        i++;
      }
    }
    w.flags |= shape(body + s, n);
    if (i < len && is_hyphen((unsigned char)body[i]) && i + 1 < len && body[i + 1] >= 'a' && body[i + 1] <= 'z' && (w.flags & LW_CAP))
      w.flags |= LW_HYPHLOW;
    w.flags |= gap_flags(body + prev_end, s - prev_end, ws->n == 0);
    if (w.flags & LW_SENT) sent++;
    w.sent = (uint32_t)(sent < 0 ? 0 : sent);
    if (push(ws, &w)) { lk_words_free(ws); return -1; }
    prev_end = i;
  }
  ws->nsent = (uint32_t)(sent + 1);
  mark_headlines(body, len, ws);
  return 0;
}

void lk_words_free(lk_words *w) {
  mem_free(w->w);
  memset(w, 0, sizeof *w);
}
