/*
** words.c -- split an article body into words with their shapes.
**
** A word is a run of letters, digits and combining marks; an apostrophe or
** a hyphen between two such characters stays inside ("O'Brien",
** "al-Sadr", "Navarro-Valls"), and so do the periods of an acronym
** ("U.S.").  A final period belongs to the word when the word is an
** initial ("G."), an acronym ("U.S.") or a known abbreviation ("Gen.",
** "Jr.", "Inc."; the list of src/text/sentence.c, through cue_abbr()).  A
** possessive "'s" (or "'" after an s) is left out of the word and flagged.
**
** What lies between two words decides LW_BREAK (anything but blanks) and
** LW_SENT: a sentence end, a newline, a colon or an opening quote.  Whether
** a period, ! or ? ends a sentence is sent_ends_at()'s answer
** (src/text/sentence.h): "Sen." and "George W. Bush" end none, "in the U.S.
** The talks" ends one with the period that belongs to "U.S.", and so does
** "officials said. The"; an ellipsis or the period of "3.5" ends none.
** A line of at most 25 words that does not end like a sentence and whose
** words are mostly capitalised is a headline: its words get LW_HEAD.
**
** Speed: the splitter runs for every article added, so ASCII (most of any
** English text) never reaches utf8proc: utf8_at() decodes it inline and
** cp_class() answers every question about a code point with one lookup
** (utf8proc_category() only for non-ASCII).
*/
#include <string.h>
#include <utf8proc.h>

#include "../text/sentence.h"
#include "../text/utf8.h"
#include "../util/mem.h"
#include "link.h"

#define HEAD_MAX_WORDS 25


/* What a code point is, as bits: a word character (letter, mark or
** number), a letter (a word character but no decimal digit; marks and
** other numbers count), a capital (Lu, Lt), a lower-case letter (Ll). */
enum { C_WORD = 1, C_LETTER = 2, C_UPPER = 4, C_LOWER = 8 };

static unsigned cp_class_slow(int32_t cp) {
  switch (utf8proc_category(cp)) {
  case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LT: return C_WORD | C_LETTER | C_UPPER;
  case UTF8PROC_CATEGORY_LL: return C_WORD | C_LETTER | C_LOWER;
  case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
  case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_NL:
  case UTF8PROC_CATEGORY_NO:
    return C_WORD | C_LETTER;
  case UTF8PROC_CATEGORY_ND: return C_WORD;
  default: return 0;
  }
}

static inline unsigned cp_class(int32_t cp) {
  if (cp < 0) return 0;
  if (cp >= 0x80) return cp_class_slow(cp);
  if (cp >= 'a' && cp <= 'z') return C_WORD | C_LETTER | C_LOWER;
  if (cp >= 'A' && cp <= 'Z') return C_WORD | C_LETTER | C_UPPER;
  return cp >= '0' && cp <= '9' ? C_WORD : 0;
}

static inline int is_wordch(int32_t cp) { return (cp_class(cp) & C_WORD) != 0; }
static inline int is_letter(int32_t cp) { return (cp_class(cp) & C_LETTER) != 0; }
static inline int is_upper(int32_t cp) { return (cp_class(cp) & C_UPPER) != 0; }
static inline int is_apos(int32_t cp) { return cp == '\'' || cp == 0x2019; }
static inline int is_hyphen(int32_t cp) { return cp == '-' || cp == 0x2010 || cp == 0x2011; }
static inline int is_blank(int32_t cp) { return cp == ' ' || cp == '\t' || cp == 0xA0 || cp == '\r'; }
static inline int is_open_quote(int32_t cp) { return cp == '"' || cp == 0x201C || cp == 0x2018 || cp == '\'' || cp == '(' || cp == '['; }

/* ASCII bytes by class (bytes of 0x80 and above are 0: they need decoding). */
enum { A_DIGIT = 1, A_UPPER = 2, A_LOWER = 4 };
#define D_ A_DIGIT
#define U_ A_UPPER
#define L_ A_LOWER
static const uint8_t ASCII_CLASS[256] = {
  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  /* 0x00 */
  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  /* 0x10 */
  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  /* 0x20 */
  D_, D_, D_, D_, D_, D_, D_, D_, D_, D_, 0,  0,  0,  0,  0,  0,  /* 0x30: 0-9 */
  0,  U_, U_, U_, U_, U_, U_, U_, U_, U_, U_, U_, U_, U_, U_, U_, /* 0x40: A-O */
  U_, U_, U_, U_, U_, U_, U_, U_, U_, U_, U_, 0,  0,  0,  0,  0,  /* 0x50: P-Z */
  0,  L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, /* 0x60: a-o */
  L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, L_, 0,  0,  0,  0,  0,  /* 0x70: p-z */
};
#undef D_
#undef U_
#undef L_
static inline unsigned ascii_class(unsigned char c) { return ASCII_CLASS[c]; }

size_t lk_lower(const char *s, size_t n, char *out, size_t cap) {
  if (!cap) return 0;
  /* the ASCII start of s (mostly all of it): a byte out for a byte in, and
  ** only A-Z change */
  size_t i = 0, lim = n < cap - 1 ? n : cap - 1;
  for (; i < lim && (unsigned char)s[i] < 0x80; i++) {
    unsigned char c = (unsigned char)s[i];
    out[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  }
  size_t o = i, k;
  while (i < n) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
      if (o + 1 >= cap) break;
      out[o++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
      i++;
      continue;
    }
    int32_t cp = utf8_at(s, n, i, &k);
    utf8proc_uint8_t tmp[4];
    utf8proc_ssize_t m = utf8proc_encode_char(utf8proc_tolower(cp), tmp);
    if (o + (size_t)m >= cap) break;
    memcpy(out + o, tmp, (size_t)m);
    o += (size_t)m;
    i += k;
  }
  out[o] = 0;
  return o;
}

/* Is s[0..n) single letters joined by periods so far ("U", "U.S")? */
static int acronym_so_far(const char *s, size_t n) {
  size_t i = 0, k;
  int letters = 0;
  while (i < n) {
    int32_t cp = utf8_at(s, n, i, &k);
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
  int32_t first = utf8_at(s, n, 0, &k), prev = -1;
  int cap_inside = 0, last_part_lower = 0, hyphened = 0, part_start = 1;
  while (i < n) {
    int32_t cp = utf8_at(s, n, i, &k);
    unsigned c = cp_class(cp);
    if (c & C_LETTER) {
      letters++;
      if (c & C_UPPER) {
        uppers++;
        /* "al-Sadr", "d'Estaing", "iPod" -- but not "anti-Vietnam", "mini-Trump" */
        if (i > 0 && (is_apos(prev) || i == 1 || (is_hyphen(prev) && cue_particle(s, i - 1)))) cap_inside = 1;
      } else if (c & C_LOWER) {
        lowers++;
      }
      if (part_start) { last_part_lower = (c & C_LOWER) != 0; part_start = 0; }
    }
    if (is_hyphen(cp)) { hyphened = 1; part_start = 1; }
    prev = cp;
    i += k;
  }
  unsigned fc = cp_class(first);
  if (fc & C_UPPER) f |= LW_CAP;
  else if ((fc & C_LOWER) && cap_inside) f |= LW_CAP;
  else if (fc & C_LOWER) f |= LW_LOWER;
  if (first >= '0' && first <= '9') f |= LW_DIGIT;
  if (letters >= 2 && uppers == letters) f |= LW_ALLCAP;
  if (hyphened && last_part_lower && (f & LW_CAP) && lowers) f |= LW_HYPHLOW;
  if ((f & LW_CAP) && contraction(s, n)) f = (f & ~(uint32_t)LW_CAP) | LW_LOWER;
  return f;
}

/* shape() of a word that is all ASCII (most words): the same steps on
** bytes, where a letter is A-Z or a-z, a hyphen '-' and an apostrophe '\''. */
static uint32_t shape_ascii(const char *s, size_t n) {
  int letters = 0, uppers = 0, lowers = 0, apos = 0;
  int cap_inside = 0, last_part_lower = 0, hyphened = 0, part_start = 1;
  unsigned char prev = 0;
  uint32_t f = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 'a' && c <= 'z') {
      letters++;
      lowers++;
      if (part_start) { last_part_lower = 1; part_start = 0; }
    } else if (c >= 'A' && c <= 'Z') {
      letters++;
      uppers++;
      if (i > 0 && (prev == '\'' || i == 1 || (prev == '-' && cue_particle(s, i - 1)))) cap_inside = 1;
      if (part_start) { last_part_lower = 0; part_start = 0; }
    } else if (c == '-') {
      hyphened = 1;
      part_start = 1;
    } else if (c == '\'') {
      apos = 1;
    }
    prev = c;
  }
  unsigned char first = (unsigned char)s[0];
  int first_lower = first >= 'a' && first <= 'z';
  if (first >= 'A' && first <= 'Z') f |= LW_CAP;
  else if (first_lower && cap_inside) f |= LW_CAP;
  else if (first_lower) f |= LW_LOWER;
  if (first >= '0' && first <= '9') f |= LW_DIGIT;
  if (letters >= 2 && uppers == letters) f |= LW_ALLCAP;
  if (hyphened && last_part_lower && (f & LW_CAP) && lowers) f |= LW_HYPHLOW;
  if ((f & LW_CAP) && apos && contraction(s, n)) f = (f & ~(uint32_t)LW_CAP) | LW_LOWER;
  return f;
}

/* shape() of a plain ASCII word: letters and digits only, no hyphen,
** apostrophe or period inside (most words).  `seen` is the ASCII_CLASS bits
** of its bytes.  A capital inside can only be the second byte ("iPod"); no
** hyphen, no contraction. */
static uint32_t shape_plain(const char *s, size_t n, unsigned seen) {
  unsigned c0 = ascii_class((unsigned char)s[0]);
  uint32_t f;
  if (c0 & A_UPPER) f = LW_CAP;
  else if (c0 & A_LOWER) f = n > 1 && (ascii_class((unsigned char)s[1]) & A_UPPER) ? LW_CAP : LW_LOWER;
  else f = LW_DIGIT;
  if ((seen & A_UPPER) && !(seen & A_LOWER)) { /* all capitals if two letters or more */
    size_t letters = 0;
    for (size_t i = 0; i < n; i++) letters += (ascii_class((unsigned char)s[i]) & A_UPPER) != 0;
    if (letters >= 2) f |= LW_ALLCAP;
  }
  return f;
}

static inline int push(lk_words *ws, const lk_word *w) {
  if (ws->n >= ws->cap && mem_grow(&ws->w, &ws->cap, ws->n, sizeof *ws->w)) return -1;
  ws->w[ws->n++] = *w;
  return 0;
}

/* What lies between two words, gathered while the splitter skips it:
** LW_BREAK for anything but blanks, LW_SENT for a line or sentence end or a
** colon; `last` is its last character that is no blank (-1: none).  cp is
** the character at body[i]. */
typedef struct gap {
  uint32_t f;
  int32_t last;
} gap;

static inline void gap_add(gap *g, int32_t cp, const char *body, size_t len, size_t i) {
  if (!is_blank(cp)) { g->f |= LW_BREAK; g->last = cp; }
  if (cp == '\n' || cp == ':') g->f |= LW_SENT;
  else if ((cp == '.' || cp == '!' || cp == '?' || cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F) && !(g->f & LW_SENT) &&
           sent_ends_at(body, len, i))
    g->f |= LW_SENT;
}

/* The flags a gap gives the word after it (`first`: the first word). */
static inline uint32_t gap_flags(const gap *g, int first) {
  uint32_t f = g->f | (first ? LW_SENT : 0);
  if (g->last >= 0 && is_open_quote(g->last)) f |= LW_SENT;
  return f;
}

/* Mark the words of headline-like lines. */
static void mark_headlines(const char *body, size_t len, lk_words *ws) {
  size_t i = 0, nl = 0; /* nl: the first '\n' at or after the end of word j - 1 (len: none) */
  int nl_known = 0;
  while (i < ws->n) {
    size_t j = i + 1;
    for (;;) {
      size_t from = ws->w[j - 1].end;
      if (!nl_known || nl < from) { /* one search per line, not per word */
        const char *p = from < len ? memchr(body + from, '\n', len - from) : NULL;
        nl = p ? (size_t)(p - body) : len;
        nl_known = 1;
      }
      if (j >= ws->n || nl < ws->w[j].start) break;
      j++;
    }
    /* words [i, j) are one line, which ends at nl */
    size_t t = nl;
    while (t > ws->w[j - 1].start && (body[t - 1] == ' ' || body[t - 1] == '\t' || body[t - 1] == '\r')) t--;
    char endc = body[t - 1];
    int sentence_end = endc == '.' || endc == ',' || endc == ';' || endc == ':';
    if (ws->w[j - 1].flags & LW_ABBR && t == ws->w[j - 1].end) sentence_end = 1;
    size_t n = j - i;
    /* Only a short line that ends like no sentence can be a headline; the
    ** share of capitalised words (looked up in the cue lists) is counted
    ** for those alone -- most lines are paragraphs. */
    int head = !sentence_end && n <= HEAD_MAX_WORDS;
    if (head && n > 3) {
      size_t caps = 0, counted = 0;
      for (size_t x = i; x < j; x++) {
        const lk_word *w = &ws->w[x];
        if (cue_stop(body + w->start, w->end - w->start) || cue_particle(body + w->start, w->end - w->start)) continue;
        counted++;
        if (w->flags & (LW_CAP | LW_DIGIT)) caps++;
      }
      head = caps * 10 >= counted * 7;
    }
    if (head)
      for (size_t x = i; x < j; x++) ws->w[x].flags |= LW_HEAD;
    i = j;
  }
}

int lk_split(const char *body, size_t len, lk_words *ws) {
  memset(ws, 0, sizeof *ws);
  size_t i = 0, k;
  int32_t sent = -1;
  /* room for the words of a usual text at once (about one word in six
  ** bytes), so that the array is seldom grown */
  size_t guess = len / 6 + 8;
  if (guess > 65536) guess = 65536;
  if (!(ws->w = mem_alloc(guess * sizeof *ws->w))) return -1;
  ws->cap = guess;
  gap g = {0, -1};
  while (i < len) {
    /* skip to the next word character (ASCII blanks and punctuation inline) */
    unsigned char b = (unsigned char)body[i];
    if (b == ' ') { i++; continue; } /* a blank: nothing to note */
    unsigned seen = ascii_class(b);
    if (b < 0x80 && !seen) { gap_add(&g, b, body, len, i); i++; continue; }
    int32_t cp = utf8_at(body, len, i, &k);
    if (!is_wordch(cp)) { gap_add(&g, cp, body, len, i); i += k; continue; }
    size_t s = i;
    i += k;
    int32_t last = cp;
    int ascii = cp < 0x80; /* so far the word is all ASCII */
    int plain = ascii;     /* ... and letters and digits only */
    for (;;) {
      /* ASCII letters and digits inside a word: no decoding */
      unsigned c0;
      if (i < len && (c0 = ascii_class((unsigned char)body[i])) != 0) {
        do { seen |= c0; i++; } while (i < len && (c0 = ascii_class((unsigned char)body[i])) != 0);
        last = (unsigned char)body[i - 1];
      }
      size_t k1, k2;
      int32_t c = utf8_at(body, len, i, &k1);
      if (c != '.' && !is_apos(c) && !is_hyphen(c)) { /* nothing may join across c */
        if (!is_wordch(c)) break;
        last = c; /* a word character, not ASCII (those were above) */
        i += k1;
        ascii = plain = 0;
        continue;
      }
      int32_t nx = utf8_at(body, len, i + k1, &k2);
      if ((is_apos(c) && is_letter(last) && is_letter(nx)) || (is_hyphen(c) && is_wordch(last) && is_wordch(nx))) {
        i += k1;
        ascii &= c < 0x80;
        plain = 0;
        continue;
      }
      if (c == '.' && is_letter(last) && is_letter(nx) && acronym_so_far(body + s, i - s)) {
        size_t k3;
        if (utf8_at(body, len, i + k1 + k2, &k3) == '.') { i += k1; plain = 0; continue; }
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
    uint32_t ends = 0; /* the word's own period ends a sentence */
    if (i < len && body[i] == '.' && !(w.flags & LW_POSS)) {
      int initial = k == n && is_upper(cp); /* one code point, a capital */
      if (initial || (memchr(body + s, '.', n) && acronym_so_far(body + s, n)) ||
          cue_abbr(body + s, n)) {
        w.end = (uint32_t)(i + 1);
        w.flags |= LW_ABBR;
        if (sent_ends_at(body, len, i)) ends = LW_SENT | LW_BREAK;
        i++;
      }
    }
    w.flags |= plain ? shape_plain(body + s, n, seen) : ascii ? shape_ascii(body + s, n) : shape(body + s, n);
    if (i < len && is_hyphen((unsigned char)body[i]) && i + 1 < len && body[i + 1] >= 'a' && body[i + 1] <= 'z' && (w.flags & LW_CAP))
      w.flags |= LW_HYPHLOW;
    w.flags |= gap_flags(&g, ws->n == 0);
    g = (gap){ends, -1};
    if (w.flags & LW_SENT) sent++;
    w.sent = (uint32_t)(sent < 0 ? 0 : sent);
    if (push(ws, &w)) { lk_words_free(ws); return -1; }
  }
  ws->nsent = (uint32_t)(sent + 1);
  mark_headlines(body, len, ws);
  return 0;
}

void lk_words_free(lk_words *w) {
  mem_free(w->w);
  memset(w, 0, sizeof *w);
}
