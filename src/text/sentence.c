/*
** sentence.c -- where sentences end (the rules are in sentence.h).
**
** Every question is answered from the few characters around a terminator:
** the word before it (scanned backwards, at most MAX_WORD bytes) and the
** word after it.  Nothing is allocated and nothing is kept, so any part of
** a text can be asked about, in any order, from any thread.
*/
#include "sentence.h"
#include "utf8.h"

#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

#define MAX_WORD 32  /* longer words are no abbreviations and no starters */
#define WRAP_BYTES 50 /* a line this long that ends in a word goes on below */

enum { T = SENT_TITLE, B = SENT_BEFORE, N = SENT_NUMBER, E = SENT_MAYEND };

/* Sorted by bytes (strcmp order): looked up by bisection. */
static const sent_abbrev ABBREVS[] = {
  {"Adm", T}, {"Ala", E}, {"Amb", T}, {"Apr", E}, {"Ariz", E}, {"Ark", E}, {"Assn", E},
  {"Atty", T}, {"Aug", E}, {"Ave", E}, {"Blvd", E}, {"Brig", T}, {"Bros", E}, {"Calif", E},
  {"Capt", T}, {"Cdr", T}, {"Cmdr", T}, {"Co", E}, {"Col", T}, {"Colo", E}, {"Conn", E},
  {"Corp", E}, {"Cpl", T}, {"Dec", E}, {"Del", E}, {"Dept", E}, {"Det", T}, {"Dr", T}, {"Feb", E},
  {"Fla", E}, {"Fr", T}, {"Ft", B}, {"Ga", E}, {"Gen", T}, {"Gens", T}, {"Gov", T}, {"Ill", E},
  {"Inc", E}, {"Ind", E}, {"Insp", T}, {"Jan", E}, {"Jr", E}, {"Jul", E}, {"Jun", E}, {"Kan", E},
  {"Ky", E}, {"La", E}, {"Lt", T}, {"Lt.Gen", T}, {"Ltd", E}, {"Maj", T}, {"Mar", E}, {"Mass", E},
  {"Md", E}, {"Messrs", T}, {"Mich", E}, {"Minn", E}, {"Miss", E}, {"Mmes", T}, {"Mo", E},
  {"Mont", E}, {"Mr", T}, {"Mrs", T}, {"Ms", T}, {"Msgr", T}, {"Mt", B}, {"Neb", E}, {"Nev", E},
  {"No", N}, {"Nos", N}, {"Nov", E}, {"Oct", E}, {"Okla", E}, {"Ore", E}, {"Pa", E}, {"Ph.D", E},
  {"Pres", T}, {"Prof", T}, {"Pvt", T}, {"Rd", E}, {"Rep", T}, {"Reps", T}, {"Rev", T}, {"Sen", T},
  {"Sens", T}, {"Sep", E}, {"Sept", E}, {"Sgt", T}, {"Sr", E}, {"St", E}, {"Ste", E}, {"Supt", T},
  {"Tenn", E}, {"Tex", E}, {"Univ", E}, {"Va", E}, {"Vt", E}, {"Wash", E}, {"Wis", E}, {"Wyo", E},
  {"cf", B}, {"e.g", B}, {"etc", E}, {"i.e", B}, {"viz", B}, {"vs", B},
};
#define NABBREVS (sizeof ABBREVS / sizeof *ABBREVS)

/* Capitalised function words that start sentences, not names: after an
** abbreviation that may end a sentence they say it did.  Sorted by bytes. */
static const char *const STARTERS[] = {
  "A", "About", "After", "Again", "All", "Also", "Although", "Among", "An", "And", "Another",
  "Any", "As", "At", "Because", "Before", "Both", "But", "By", "Can", "Did", "Do", "During",
  "Each", "Even", "Every", "Few", "For", "From", "He", "Her", "Here", "His", "How", "However", "I",
  "If", "In", "Is", "It", "Its", "Many", "Meanwhile", "More", "Most", "My", "Neither", "No",
  "None", "Not", "Now", "Of", "On", "Once", "One", "Only", "Or", "Other", "Our", "Since", "So",
  "Some", "Still", "Such", "That", "The", "Their", "Then", "There", "These", "They", "This",
  "Those", "Though", "Thus", "To", "Under", "Until", "We", "What", "When", "Where", "Whether",
  "Which", "While", "Who", "Why", "With", "Without", "Yet", "You", "Your",
};
#define NSTARTERS (sizeof STARTERS / sizeof *STARTERS)

const sent_abbrev *sent_abbrevs(size_t *n) {
  *n = NABBREVS;
  return ABBREVS;
}

/* strcmp() of s[0..n) against the string w. */
static int cmp_n(const char *s, size_t n, const char *w) {
  size_t wl = strlen(w), m = n < wl ? n : wl;
  int c = memcmp(s, w, m);
  return c ? c : n < wl ? -1 : n > wl;
}

/* Index of s[0..n) in the sorted list words[0..count) of `stride` bytes
** apart (a string pointer first), or -1. */
static long bisect(const void *words, size_t count, size_t stride, const char *s, size_t n) {
  size_t lo = 0, hi = count;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    const char *w = *(const char *const *)((const char *)words + mid * stride);
    int c = cmp_n(s, n, w);
    if (!c) return (long)mid;
    if (c < 0) hi = mid;
    else lo = mid + 1;
  }
  return -1;
}

int sent_abbrev_kind(const char *s, size_t n) {
  if (!n || n > MAX_WORD) return 0;
  long i = bisect(ABBREVS, NABBREVS, sizeof *ABBREVS, s, n);
  return i < 0 ? 0 : ABBREVS[i].kind;
}

static int starter(const char *s, size_t n) {
  return n && n <= MAX_WORD && bisect(STARTERS, NSTARTERS, sizeof *STARTERS, s, n) >= 0;
}

/* ---- code points (utf8.h decodes them) */

/* The code point that ends just before s[i] (i > 0); *at receives its start. */
static int32_t cp_before(const char *s, size_t len, size_t i, size_t *at) {
  size_t j = i - 1, k;
  while (j > 0 && i - j < 4 && ((unsigned char)s[j] & 0xC0) == 0x80) j--;
  int32_t cp = utf8_at(s, len, j, &k);
  if (j + k != i) { j = i - 1; cp = 0xFFFD; } /* a broken sequence: one byte */
  *at = j;
  return cp;
}

enum { K_WORD = 1, K_LETTER = 2, K_UPPER = 4, K_LOWER = 8, K_DIGIT = 16 };

static unsigned cp_kind(int32_t cp) {
  if (cp < 0) return 0;
  if (cp < 0x80) {
    if (cp >= 'a' && cp <= 'z') return K_WORD | K_LETTER | K_LOWER;
    if (cp >= 'A' && cp <= 'Z') return K_WORD | K_LETTER | K_UPPER;
    return cp >= '0' && cp <= '9' ? K_WORD | K_DIGIT : 0;
  }
  switch (utf8proc_category(cp)) {
  case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LT: return K_WORD | K_LETTER | K_UPPER;
  case UTF8PROC_CATEGORY_LL: return K_WORD | K_LETTER | K_LOWER;
  case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
  case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME: return K_WORD | K_LETTER;
  case UTF8PROC_CATEGORY_ND: return K_WORD | K_DIGIT;
  case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO: return K_WORD;
  default: return 0;
  }
}

/* Blanks inside a line (no line breaks). */
static int is_blank(int32_t cp) {
  if (cp == ' ' || cp == '\t' || cp == '\r' || cp == '\v' || cp == '\f') return 1;
  return cp >= 0x80 && utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS;
}

/* Closing quotes and brackets that belong to the sentence before them. */
static int is_closer(int32_t cp) {
  switch (cp) {
  case '"': case '\'': case ')': case ']': case '}': case 0x2019: case 0x201D: case 0x00BB:
  case 0x203A: case 0x300D: case 0x300F: case 0xFF09:
    return 1;
  default: return 0;
  }
}

/* Opening quotes and brackets before the first word of a sentence. */
static int is_opener(int32_t cp) {
  switch (cp) {
  case '"': case '\'': case '(': case '[': case '{': case 0x2018: case 0x201C: case 0x00AB:
  case 0x2039: case 0x300C: case 0x300E: case 0xFF08: case 0x00BF: case 0x00A1:
    return 1;
  default: return 0;
  }
}

/* Full-width stops: they end a sentence with no blank after them. */
static int is_wide_stop(int32_t cp) { return cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F; }

/* ---- line breaks */

/* Does the line break at text[nl] end a sentence (rules in sentence.h)? */
static int line_break_ends(const char *t, size_t len, size_t nl) {
  size_t p = nl + 1, k;
  int32_t cp;
  while ((cp = utf8_at(t, len, p, &k)) >= 0 && is_blank(cp)) p += k;
  if (p >= len || t[p] == '\n') return 1;                 /* the end, or a blank line */
  if (t[p - 1] != '\n' && t[p - 1] != '\r') return 1;     /* an indented line */
  if (cp_kind(cp) & K_LOWER) return 0;                    /* wrapped: goes on in lower case */
  /* the line that ends here: long and ending in a word means wrapped */
  size_t end = nl;
  while (end > 0 && (t[end - 1] == ' ' || t[end - 1] == '\t' || t[end - 1] == '\r')) end--;
  if (!end) return 1;
  const char *prev = end > 1 ? memrchr(t, '\n', end - 1) : NULL;
  size_t start = prev ? (size_t)(prev - t) + 1 : 0;
  if (end - start < WRAP_BYTES) return 1;
  size_t at;
  int32_t last = cp_before(t, len, end, &at);
  return !((cp_kind(last) & K_WORD) || last == ',' || last == '-');
}

/* ---- periods */

/* What the word before the period at text[i] is: a SENT_* kind, or 0 for a
** plain word (or none).  Initials and dotted acronyms are SENT_MAYEND. */
static int word_before(const char *t, size_t len, size_t i) {
  size_t s = i, at;
  while (s > 0 && i - s <= MAX_WORD) {
    int32_t cp = cp_before(t, len, s, &at);
    if (cp_kind(cp) & K_WORD) { s = at; continue; }
    /* a period inside: between two letters ("U.S", "Lt.Gen") */
    size_t k;
    if (cp == '.' && at > 0 && s < i && (cp_kind(utf8_at(t, len, s, &k)) & K_LETTER) &&
        (cp_kind(cp_before(t, len, at, &at)) & K_LETTER)) {
      s--;
      continue;
    }
    break;
  }
  if (s == i || i - s > MAX_WORD) return 0;
  size_t n = i - s;
  int kind = sent_abbrev_kind(t + s, n);
  if (kind) return kind;
  /* "SEN", "MR": as "Sen", "Mr" */
  char low[MAX_WORD + 1];
  int caps = 0, other = 0;
  for (size_t j = 0; j < n; j++) {
    unsigned char c = (unsigned char)t[s + j];
    if (c >= 'A' && c <= 'Z') caps++;
    else if (c != '.') other++;
    low[j] = (char)(j && c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  }
  if (caps >= 2 && !other && (kind = sent_abbrev_kind(low, n))) return kind;
  /* single letters joined by periods: an initial ("W") or an acronym ("U.S") */
  size_t letters = 0, k;
  for (size_t j = s; j < i;) {
    int32_t cp = utf8_at(t, len, j, &k);
    if (!(cp_kind(cp) & K_LETTER)) return 0;
    letters++;
    j += k;
    if (j < i) {
      if (t[j] != '.') return 0;
      j++;
    }
  }
  if (letters >= 2) return SENT_MAYEND;
  return cp_kind(utf8_at(t, len, s, &k)) & K_UPPER ? SENT_MAYEND : 0;
}

size_t sent_ends_at(const char *t, size_t len, size_t i) {
  size_t k;
  int32_t cp = utf8_at(t, len, i, &k);
  int wide = is_wide_stop(cp);
  if (cp == '.') {
    /* an ellipsis: "..", "...", ". . ." */
    if ((i > 0 && t[i - 1] == '.') || (i + 1 < len && t[i + 1] == '.')) return 0;
    if ((i + 2 < len && t[i + 1] == ' ' && t[i + 2] == '.') || (i >= 2 && t[i - 1] == ' ' && t[i - 2] == '.')) return 0;
  } else if (cp != '!' && cp != '?' && !wide) {
    return 0;
  }
  size_t end = i + k;
  while (end < len && (t[end] == '!' || t[end] == '?')) end++;
  for (;;) {
    int32_t c = utf8_at(t, len, end, &k);
    if (c < 0 || !(is_closer(c) || is_wide_stop(c))) break;
    end += k;
  }
  if (end >= len) return end;
  /* what follows: a blank or a line break, unless after a full-width stop */
  size_t p = end;
  int32_t c = utf8_at(t, len, p, &k);
  if (!wide && c != '\n' && !is_blank(c)) return 0;
  size_t nl = len; /* the first line break crossed */
  for (;;) {
    c = utf8_at(t, len, p, &k);
    if (c == '\n') { if (nl != len) return end; nl = p; } /* a blank line: a paragraph */
    else if (c < 0 || !is_blank(c)) break;
    p += k;
  }
  if (p >= len) return end;
  if (nl != len && line_break_ends(t, len, nl)) return end;
  /* the word after it, past opening quotes (a double one: `quoted`) */
  int quoted = 0;
  while ((c = utf8_at(t, len, p, &k)) >= 0 && is_opener(c)) {
    quoted |= c == '"' || c == 0x201C || c == 0x201E || c == 0x00AB;
    p += k;
  }
  size_t w = p;
  while ((c = utf8_at(t, len, w, &k)) >= 0 && (cp_kind(c) & K_WORD) && w - p <= MAX_WORD) w += k;
  int32_t first = utf8_at(t, len, p, &k);
  int kind = cp == '.' ? word_before(t, len, i) : 0;
  switch (kind) {
  case SENT_TITLE: case SENT_BEFORE: return 0;
  case SENT_MAYEND: return starter(t + p, w - p) || (quoted && (cp_kind(first) & K_UPPER)) ? end : 0;
  case SENT_NUMBER:
    if (first == '#' || (cp_kind(first) & K_DIGIT)) return 0;
    break;
  default: break;
  }
  return cp_kind(first) & K_LOWER ? 0 : end;
}

size_t sent_end(const char *t, size_t len, size_t at) {
  size_t p = at, k;
  while (p < len) {
    unsigned char b = (unsigned char)t[p];
    if (b == '.' || b == '!' || b == '?') {
      size_t e = sent_ends_at(t, len, p);
      if (e) return e;
      p++;
    } else if (b == '\n') {
      if (line_break_ends(t, len, p)) {
        while (p > at && (t[p - 1] == ' ' || t[p - 1] == '\t' || t[p - 1] == '\r')) p--;
        return p;
      }
      p++;
    } else if (b >= 0x80) {
      int32_t cp = utf8_at(t, len, p, &k);
      if (is_wide_stop(cp)) {
        size_t e = sent_ends_at(t, len, p);
        if (e) return e;
      }
      p += k;
    } else {
      p++;
    }
  }
  return len;
}

size_t sent_skip(const char *t, size_t len, size_t end) {
  size_t p = end, k;
  int32_t c;
  while ((c = utf8_at(t, len, p, &k)) >= 0 && (c == '\n' || is_blank(c))) p += k;
  return p;
}
