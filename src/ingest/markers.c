/*
** markers.c -- owns the "(search)" markers of web-page articles: finding
** them, removing them from the text, and deciding which words before each
** marker form the marked term.  docs/ingest.md explains the rule with the
** examples it was measured on.
**
** Removal: every "(search)" is removed together with the spaces or tabs
** right before it (one, several or none).  Nothing else changes.
**
** The term before a marker:
**   1. Words are collected walking back from the marker, at most MAX_WORDS,
**      never past the previous marker.  A walk stops at a newline, before a
**      word ending in clause punctuation (, ; : ! ? ) ] or a closing quote),
**      before a word ending in '.' unless it is an abbreviation or initial
**      ("St.", "G.", "Jr.", "U.S."), and after a word that opens with a
**      quote or bracket or follows a dash ("—", "–", "--").  The word right
**      before the marker only loses such punctuation.
**   2. Quoted: when that word ended with a closing quote and the opening
**      quote is among the collected words (at most MAX_QUOTED_WORDS), the
**      term is everything inside the quotes.
**   3. Capitalised: when that word is capitalised, the term is the maximal
**      run of capitalised words ending there.  Particles (de, van, von, bin,
**      ...) and "of", "for", "&", "of the" may bridge two capitalised words;
**      "and" only inside an institution's name ("Food and Drug
**      Administration", "Department of Health and Human Services"), so that
**      "Bush and Kerry" gives "Kerry".  A number after a capitalised word
**      counts as capitalised ("Apollo 13").
**   4. Lower case: one or two lower-case words after a capitalised one join
**      it ("Iraq war").  Otherwise the term is the trailing lower-case words,
**      stopping at a function word ("the", "of", "in", ...), a possessive or
**      a verb-like word ending in -ed/-ing (unless it is the last word), at
**      most MAX_LOWER_WORDS ("case of mad cow disease" -> "mad cow disease",
**      "the nation's terror alert" -> "terror alert").
**   5. Leading function words ("The", "On") and weekdays are dropped; then
**      everything up to the rightmost title or honorific ("Sen.", "Pope",
**      "Vice President", "Secretary of State") is dropped, provided at least
**      two words remain (one, after an abbreviated title such as "Sen."), so
**      that "President Bush" stays whole.
**   6. A possessive "'s" is kept as written.  Terms longer than
**      MAX_TERM_WORDS keep their last words.  Duplicates are returned once.
*/
#include "markers.h"

#include <string.h>
#include <utf8proc.h>

#include "../util/buf.h"
#include "../util/mem.h"

#define MARKER "(search)"
#define MARKER_LEN 8
#define MAX_WORDS 16
#define MAX_TERM_WORDS 8
#define MAX_LOWER_WORDS 4
#define MAX_LOWER_AFTER_CAP 2
#define MAX_QUOTED_WORDS 10

enum {
  W_CAP = 1,    /* starts with a capital ("NATO", "O'Connor", "al-Qaeda", "iPod") */
  W_DIGIT = 2,  /* starts with a digit */
  W_LOWER = 4,  /* starts with a lower-case letter */
  W_POSS = 8,   /* ends with 's */
  W_OPENQ = 16  /* opened with a quote */
};

typedef struct word {
  size_t s, e; /* the word's core (punctuation around it removed) in the text */
  unsigned flags;
} word;

/* ---- word lists --------------------------------------------------------- */

static const char *const k_abbrev[] = {
  "St.", "Jr.", "Sr.", "Mr.", "Mrs.", "Ms.", "Dr.", "Gen.", "Sen.", "Sens.", "Rep.",
  "Reps.", "Gov.", "Lt.", "Col.", "Sgt.", "Capt.", "Cmdr.", "Adm.", "Maj.", "Cpl.",
  "Pvt.", "Pfc.", "Spc.", "Rev.", "Prof.", "Pres.", "Sec.", "Atty.", "Hon.", "Msgr.",
  "Fr.", "Brig.", "Det.", "Insp.", "Supt.", "Mt.", "Ft.", "Co.", "Corp.", "Inc.",
  "Ltd.", "Bros.", "Mass.", "Calif.", "Fla.", "Ga.", "Va.", "Ariz.", "Tenn.", "No.",
  NULL};

/* Titles and honorifics dropped at the front of a name. */
static const char *const k_titles[] = {
  "Mr.", "Mrs.", "Ms.", "Dr.", "Gen.", "Sen.", "Sens.", "Rep.", "Reps.", "Gov.", "Lt.",
  "Col.", "Sgt.", "Capt.", "Cmdr.", "Adm.", "Maj.", "Cpl.", "Pvt.", "Pfc.", "Spc.",
  "Rev.", "Prof.", "Pres.", "Sec.", "Atty.", "Hon.", "Msgr.", "Fr.", "Brig.", "Det.",
  "Insp.", "Supt.", "Mr", "Mrs", "Ms", "Dr", "Miss", "Sir", "Dame", "Lord", "Lady",
  "President", "Vice", "Secretary", "Secretary-General", "Minister", "Premier",
  "Chancellor", "Senator", "Representative", "Congressman", "Congresswoman",
  "Governor", "Mayor", "Admiral", "Colonel", "Captain", "Sergeant", "Lieutenant",
  "Commander", "Judge", "Justice", "Chief", "Sheriff", "Officer", "Pope", "King",
  "Queen", "Prince", "Princess", "Cardinal", "Archbishop", "Bishop", "Father",
  "Reverend", "Rabbi", "Imam", "Ayatollah", "Sheik", "Sheikh", "Doctor", "Professor",
  "Chairman", "Chairwoman", "Director", "Commissioner", "Ambassador", "Attorney",
  "Prosecutor", "Spokesman", "Spokeswoman", "Speaker", "Leader", "Acting", "Deputy",
  "Assistant", "Corporal", "Private", "Detective", "Inspector", "Superintendent",
  "Coach", "CEO", "Sultan", "Emir", "Crown", "Prime", NULL};

/* "General" is a title only after one of these ("Attorney General"). */
static const char *const k_general_after[] = {
  "Attorney", "Secretary", "Surgeon", "Lieutenant", "Brigadier", "Major", "Inspector",
  "Solicitor", "Postmaster", "Consul", "Adjutant", "Lt.", "Brig.", "Maj.", NULL};

/* Capitalised words dropped at the front of a term (sentence openers). */
static const char *const k_lead_drop[] = {
  "The", "A", "An", "This", "That", "These", "Those", "In", "On", "At", "Of", "For",
  "To", "By", "With", "From", "As", "And", "But", "Or", "If", "When", "While", "After",
  "Before", "During", "Since", "Under", "Over", "Former", "Then", "His", "Her", "Its",
  "Their", "Our", "My", "Your", "Both", "All", "Some", "Many", "Most", "Every",
  "Each", "Another", "Other", "Such", "Why", "How", "What", "Where", "Who", "It",
  "He", "She", "They", "We", "I", "Meanwhile", "Also", "Yesterday", "Today",
  "Tonight", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
  "Sunday", "Dear", "Late", NULL};

/* Name particles: they may stand between two capitalised words. */
static const char *const k_particles[] = {
  "de", "van", "von", "der", "den", "da", "di", "du", "la", "le", "del", "della",
  "dos", "das", "do", "bin", "ibn", "ben", "al", "el", "y", "ter", "ten", "zu", NULL};

/* Lower-case function words: a lower-case term never reaches past one. */
static const char *const k_function[] = {
  "the", "a", "an", "of", "in", "on", "at", "to", "for", "by", "with", "from", "as",
  "and", "or", "but", "nor", "that", "this", "these", "those", "its", "his", "her",
  "their", "our", "my", "your", "is", "are", "was", "were", "be", "been", "being",
  "has", "have", "had", "said", "says", "say", "about", "into", "onto", "over",
  "after", "before", "than", "then", "which", "who", "whom", "whose", "what", "when",
  "where", "while", "not", "no", "it", "he", "she", "they", "we", "you", "i", "him",
  "them", "us", "also", "very", "more", "most", "some", "any", "all", "each", "both",
  "such", "only", "just", "so", "up", "out", "if", "because", "against", "between",
  "during", "through", "under", "will", "would", "can", "could", "should", "may",
  "might", "must", "do", "does", "did", "near", "like", "called", "named", NULL};

/* Last words of names that may contain "and". */
static const char *const k_institution[] = {
  "Administration", "Department", "Institute", "Institutes", "Center", "Centers",
  "Centre", "Society", "Association", "Agency", "Bureau", "Commission", "Committee",
  "Council", "Foundation", "University", "College", "Academy", "School", "Museum",
  "Board", "Office", "Ministry", "Service", "Services", "Company", "Co.", "Corp.",
  "Corporation", "Inc.", "Ltd.", "Bank", "Fund", "Trust", "Federation", "Union",
  "League", "Organization", "Organisation", "Authority", "Laboratory",
  "Laboratories", "Hospital", "Church", "Party", "Group", "Alliance", "Coalition",
  "Network", "Court", "Forces", "Command", NULL};

/* Is text[s..e) one of list (case-sensitive)?  Can't fail. */
static int in_list(const char *const *list, const char *p, size_t n) {
  for (; *list; list++)
    if (strlen(*list) == n && memcmp(*list, p, n) == 0) return 1;
  return 0;
}

/* The same, ignoring ASCII case. */
static int in_list_nocase(const char *const *list, const char *p, size_t n) {
  for (; *list; list++) {
    if (strlen(*list) != n) continue;
    size_t i = 0;
    while (i < n) {
      char a = (*list)[i], b = p[i];
      if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
      if (b >= 'A' && b <= 'Z') b = (char)(b - 'A' + 'a');
      if (a != b) break;
      i++;
    }
    if (i == n) return 1;
  }
  return 0;
}

static int w_in(const char *t, const word *w, const char *const *list) {
  return in_list(list, t + w->s, w->e - w->s);
}

/* ---- characters ----------------------------------------------------------- */

/* Byte length of the blank (space, tab, no-break or other Unicode space;
** not a line break) that ends at t[e], looking no further back than lb; 0
** if there is none.  Web pages often use U+00A0 between words. */
static size_t blank_before(const char *t, size_t lb, size_t e) {
  const unsigned char *u = (const unsigned char *)t;
  if (e > lb && (u[e - 1] == ' ' || u[e - 1] == '\t')) return 1;
  if (e >= lb + 2 && u[e - 2] == 0xC2 && u[e - 1] == 0xA0) return 2;
  if (e >= lb + 3 && u[e - 3] == 0xE2 && u[e - 2] == 0x80 &&
      (u[e - 1] <= 0x8A || u[e - 1] == 0xAF))
    return 3; /* U+2000..U+200A, U+202F */
  if (e >= lb + 3 && u[e - 3] == 0xE3 && u[e - 2] == 0x80 && u[e - 1] == 0x80) return 3;
  return 0;
}

/* Is there a line break (or other control space) ending at t[e]? */
static int break_before(const char *t, size_t lb, size_t e) {
  return e > lb && (t[e - 1] == '\n' || t[e - 1] == '\r' || t[e - 1] == '\f' || t[e - 1] == '\v');
}

/* Move e back over blanks, not past lb. */
static size_t skip_blanks_back(const char *t, size_t lb, size_t e) {
  size_t k;
  while ((k = blank_before(t, lb, e)) != 0) e -= k;
  return e;
}

/* Does [p, p+n) end / start with the string x? */
static int ends_with(const char *p, size_t n, const char *x) {
  size_t m = strlen(x);
  return n >= m && memcmp(p + n - m, x, m) == 0;
}
static int starts_with(const char *p, size_t n, const char *x) {
  size_t m = strlen(x);
  return n >= m && memcmp(p, x, m) == 0;
}

static const char *const k_close_quotes[] = {"\"", "'", "\xE2\x80\x9D", "\xE2\x80\x99", "\xC2\xBB", NULL};
static const char *const k_open_marks[] = {"\"", "'", "\xE2\x80\x9C", "\xE2\x80\x98", "\xC2\xAB", "(", "[", "{", NULL};
static const char *const k_dashes[] = {"\xE2\x80\x94", "\xE2\x80\x93", "--", NULL};

/* Length of the closing quote ending [p, p+n), or 0. */
static size_t close_quote_len(const char *p, size_t n) {
  for (const char *const *q = k_close_quotes; *q; q++)
    if (ends_with(p, n, *q)) return strlen(*q);
  return 0;
}

/* Length of the opening quote or bracket starting [p, p+n), or 0. */
static size_t open_mark_len(const char *p, size_t n) {
  for (const char *const *q = k_open_marks; *q; q++)
    if (starts_with(p, n, *q)) return strlen(*q);
  return 0;
}

/* Unicode category of the code point at p (n bytes available); -1 if none. */
static int first_category(const char *p, size_t n) {
  utf8proc_int32_t cp;
  if (n == 0) return -1;
  if (utf8proc_iterate((const utf8proc_uint8_t *)p, (utf8proc_ssize_t)n, &cp) <= 0) return -1;
  return (int)utf8proc_category(cp);
}

static int is_upper_cat(int c) { return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT; }

/* Is the word an abbreviation or initial ending in '.': "G.", "U.S.", "St."? */
static int is_abbrev(const char *p, size_t n) {
  if (n < 2 || p[n - 1] != '.') return 0;
  if (in_list(k_abbrev, p, n)) return 1;
  /* Single letters each followed by a period: "G.", "U.S.", "D.C." */
  for (size_t i = 0; i < n; i += 2)
    if (i + 1 >= n || !((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z')) || p[i + 1] != '.')
      return 0;
  return 1;
}

/* Flags of the word core [p, p+n).  Can't fail. */
static unsigned classify(const char *p, size_t n) {
  unsigned f = 0;
  int c = first_category(p, n);
  if (is_upper_cat(c)) f |= W_CAP;
  else if (c == UTF8PROC_CATEGORY_ND) f |= W_DIGIT;
  else if (c == UTF8PROC_CATEGORY_LL) {
    f |= W_LOWER;
    /* "iPod", "eBay", "al-Qaeda", "bin-Laden": a capital soon after. */
    const char *h = memchr(p, '-', n);
    if (n > 1 && is_upper_cat(first_category(p + 1, n - 1))) f = W_CAP;
    else if (h && h + 1 < p + n && is_upper_cat(first_category(h + 1, (size_t)(p + n - h - 1))))
      f = W_CAP;
  }
  if (ends_with(p, n, "'s") || ends_with(p, n, "\xE2\x80\x99s")) f |= W_POSS;
  return f;
}

/* ---- collecting the words before a marker ---------------------------------- */

/* Strip clause punctuation from the end of the word right before a marker;
** sets *quoted if a closing quote went. */
static void strip_adjacent(const char *t, size_t s, size_t *e, int *quoted) {
  for (;;) {
    size_t n = *e - s, q;
    if (n == 0) return;
    char c = t[*e - 1];
    if (c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == ')' || c == ']') {
      (*e)--;
    } else if (c == '.' && !is_abbrev(t + s, n)) {
      (*e)--;
    } else if ((q = close_quote_len(t + s, n)) != 0) {
      *e -= q;
      *quoted = 1;
    } else {
      return;
    }
  }
}

/* Does the word [p, p+n) (not right before the marker) end a clause? */
static int ends_clause(const char *p, size_t n) {
  char c = p[n - 1];
  if (c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == ')' || c == ']' || c == '}')
    return 1;
  if (c == '.') return !is_abbrev(p, n);
  if (ends_with(p, n, "\xE2\x80\xA6")) return 1; /* ellipsis */
  return close_quote_len(p, n) != 0;
}

/* Collect up to MAX_WORDS words ending at text position `end`, not before
** `lb`, into w[] in text order.  Returns the count; *quoted is set if the
** last word ended with a closing quote.  Can't fail. */
static size_t collect_words(const char *t, size_t lb, size_t end, word *w, int *quoted) {
  word rev[MAX_WORDS];
  size_t n = 0, e = end;
  *quoted = 0;
  e = skip_blanks_back(t, lb, e);
  while (n < MAX_WORDS && e > lb) {
    size_t s = e;
    while (s > lb && !blank_before(t, lb, s) && !break_before(t, lb, s)) s--;
    size_t ce = e, cs = s;
    int stop = 0;
    if (n == 0) strip_adjacent(t, s, &ce, quoted);
    else if (ends_clause(t + s, e - s)) break;
    /* A dash inside the word: keep what follows it. */
    for (const char *const *d = k_dashes; *d; d++) {
      size_t dl = strlen(*d);
      for (size_t i = ce; i >= cs + dl; i--)
        if (memcmp(t + i - dl, *d, dl) == 0) { cs = i; stop = 1; break; }
    }
    size_t q;
    unsigned extra = 0;
    while (cs < ce && (q = open_mark_len(t + cs, ce - cs)) != 0) { cs += q; stop = 1; extra = W_OPENQ; }
    if (ce > cs) {
      rev[n].s = cs;
      rev[n].e = ce;
      rev[n].flags = classify(t + cs, ce - cs) | extra;
      n++;
    } else {
      stop = 1;
    }
    if (stop) break;
    /* Between words: blanks only; a newline ends the clause. */
    e = skip_blanks_back(t, lb, s);
    if (break_before(t, lb, e)) break;
  }
  for (size_t i = 0; i < n; i++) w[i] = rev[n - 1 - i];
  return n;
}

/* ---- choosing the term -------------------------------------------------- */

static int capish(const word *w, size_t i) {
  return (w[i].flags & W_CAP) || ((w[i].flags & W_DIGIT) && i > 0 && (w[i - 1].flags & W_CAP));
}

static int is_word(const char *t, const word *w, const char *x) {
  size_t n = strlen(x);
  return w->e - w->s == n && memcmp(t + w->s, x, n) == 0;
}

static int bridge_word(const char *t, const word *b);

/* Is the last word e, or a capitalised word of the name that ends at k
** (looking through "of", "for", particles: "Centers for Disease Control"),
** the name of an institution, so that an "and" may join? */
static int institution_near(const char *t, const word *w, size_t k, size_t e) {
  if (w_in(t, &w[e], k_institution)) return 1;
  for (size_t i = k + 1; i-- > 0;) {
    if (capish(w, i)) {
      if (w_in(t, &w[i], k_institution)) return 1;
    } else if (!bridge_word(t, &w[i]) || is_word(t, &w[i], "and")) {
      break;
    }
  }
  return 0;
}

/* May words (k, j] (particles or connectors, j-k <= 2) join the capitalised
** word k to the capitalised run starting at j+1? */
static int bridge_ok(const char *t, const word *w, size_t k, size_t j, size_t e) {
  for (size_t i = k + 1; i <= j; i++) {
    const word *b = &w[i];
    if (w_in(t, b, k_particles) || is_word(t, b, "of") || is_word(t, b, "for") || is_word(t, b, "&"))
      continue;
    if (is_word(t, b, "the") && i > k + 1 && (is_word(t, &w[i - 1], "of") || is_word(t, &w[i - 1], "for")))
      continue;
    if (is_word(t, b, "and") && institution_near(t, w, k, e)) continue;
    return 0;
  }
  return 1;
}

static int bridge_word(const char *t, const word *b) {
  return w_in(t, b, k_particles) || is_word(t, b, "of") || is_word(t, b, "for") ||
         is_word(t, b, "&") || is_word(t, b, "the") || is_word(t, b, "and");
}

/* Extend the capitalised run [s..e] to the left; returns the new start. */
static size_t cap_run(const char *t, const word *w, size_t s, size_t e) {
  while (s > 0) {
    size_t j = s - 1;
    if (w[s].flags & W_OPENQ) break;
    if (capish(w, j)) { s = j; continue; }
    size_t b = 0;
    while (b < 2 && j >= b && bridge_word(t, &w[j - b])) b++;
    if (b == 0 || j < b) break;
    size_t k = j - b;
    if (!capish(w, k) || !bridge_ok(t, w, k, j, e)) break;
    s = k;
  }
  return s;
}

/* Is w[i] a title?  *end receives its last word ("Secretary of State"). */
static int title_at(const char *t, const word *w, size_t i, size_t e, size_t *end) {
  int yes = w_in(t, &w[i], k_titles);
  if (!yes && is_word(t, &w[i], "General") && i > 0 && w_in(t, &w[i - 1], k_general_after)) yes = 1;
  if (!yes) {
    /* Hyphenated titles: "Lieutenant-Colonel". */
    const char *p = t + w[i].s, *h = memchr(p, '-', w[i].e - w[i].s);
    if (h && in_list(k_titles, p, (size_t)(h - p)) &&
        (in_list(k_titles, h + 1, (size_t)(t + w[i].e - h - 1)) || memcmp(h + 1, "General", 7) == 0))
      yes = 1;
  }
  if (!yes) return 0;
  *end = i;
  if (i + 2 <= e && is_word(t, &w[i + 1], "of") && capish(w, i + 2)) *end = i + 2;
  return 1;
}

/* Drop titles at the front of [*s..e]. */
static void drop_titles(const char *t, const word *w, size_t *s, size_t e) {
  for (size_t i = e + 1; i-- > *s;) {
    size_t end;
    if (!title_at(t, w, i, e, &end) || end >= e) continue;
    size_t left = e - end;
    int abbrev = t[w[i].e - 1] == '.';
    if (left >= 2 || (abbrev && left >= 1)) { *s = end + 1; return; }
  }
}

/* Does a lower-case word look like a verb form ("raised", "winning")?  Such
** a word ends a lower-case term unless it is the word before the marker
** ("money laundering"). */
static int verb_like(const char *t, const word *w) {
  const char *p = t + w->s;
  size_t n = w->e - w->s;
  return (n > 4 && ends_with(p, n, "ed")) || (n > 5 && ends_with(p, n, "ing"));
}

/* Decide the term among w[0..n-1]; sets [*s, *e] and returns 1, or 0 if
** there is none.  Can't fail. */
static int choose_term(const char *t, const word *w, size_t n, int quoted, size_t *ps, size_t *pe) {
  if (n == 0) return 0;
  size_t e = n - 1, s = e;
  if (quoted) {
    for (size_t i = n; i-- > 0 && n - i <= MAX_QUOTED_WORDS;)
      if (w[i].flags & W_OPENQ) { *ps = i; *pe = e; return 1; }
  }
  if (!capish(w, e)) {
    if (w_in(t, &w[e], k_function) || bridge_word(t, &w[e])) return 0;
    size_t tl = e;
    while (tl > 0 && e - tl + 1 < MAX_LOWER_WORDS && !(w[tl].flags & W_OPENQ)) {
      const word *p = &w[tl - 1];
      if (!(p->flags & W_LOWER) || (p->flags & W_POSS) || verb_like(t, p) ||
          in_list_nocase(k_function, t + p->s, p->e - p->s))
        break;
      tl--;
    }
    if (tl > 0 && capish(w, tl - 1) && e - tl + 1 <= MAX_LOWER_AFTER_CAP && !(w[tl].flags & W_OPENQ)) {
      s = tl - 1;
    } else {
      *ps = tl;
      *pe = e;
      return 1;
    }
  }
  s = cap_run(t, w, s, e);
  while (s < e && (w_in(t, &w[s], k_lead_drop) || bridge_word(t, &w[s]))) s++;
  drop_titles(t, w, &s, e);
  if (e - s + 1 > MAX_TERM_WORDS) s = e + 1 - MAX_TERM_WORDS;
  *ps = s;
  *pe = e;
  return 1;
}

/* ---- the public functions ------------------------------------------------- */

/* Append the term w[s..e], words joined by one space, to terms (unless it is
** there already).  Returns 0, or -1 when memory ran out. */
static int add_term(const char *t, const word *w, size_t s, size_t e, char ***terms, size_t *n,
                    size_t *cap) {
  buf b;
  buf_init(&b);
  for (size_t i = s; i <= e; i++) {
    if (i > s) buf_putc(&b, ' ');
    buf_put(&b, t + w[i].s, w[i].e - w[i].s);
  }
  if (b.oom) { buf_free(&b); return -1; }
  const char *str = buf_cstr(&b);
  if (b.oom) { buf_free(&b); return -1; }
  for (size_t i = 0; i < *n; i++)
    if (strcmp((*terms)[i], str) == 0) { buf_free(&b); return 0; }
  if (mem_grow(terms, cap, *n, sizeof **terms)) { buf_free(&b); return -1; }
  char *own = buf_detach(&b);
  if (!own) { buf_free(&b); return -1; }
  (*terms)[(*n)++] = own;
  return 0;
}

void markers_free_terms(char **terms, size_t n) {
  if (!terms) return;
  for (size_t i = 0; i < n; i++) mem_free(terms[i]);
  mem_free(terms);
}

int markers_strip(const char *text, size_t len, char **clean, char ***terms, size_t *nterms) {
  buf out;
  char **tv = NULL;
  size_t tn = 0, tcap = 0, copied = 0, lb = 0, i = 0;
  buf_init(&out);
  while (i + MARKER_LEN <= len) {
    const char *m = memchr(text + i, '(', len - i - MARKER_LEN + 1);
    if (!m) break;
    size_t at = (size_t)(m - text);
    if (memcmp(m, MARKER, MARKER_LEN) != 0) { i = at + 1; continue; }
    word w[MAX_WORDS];
    int quoted;
    size_t nw = collect_words(text, lb, at, w, &quoted), ts, te;
    if (choose_term(text, w, nw, quoted, &ts, &te) && add_term(text, w, ts, te, &tv, &tn, &tcap))
      goto oom;
    size_t cut = skip_blanks_back(text, copied, at);
    buf_put(&out, text + copied, cut - copied);
    copied = lb = i = at + MARKER_LEN;
  }
  buf_put(&out, text + copied, len - copied);
  if (out.oom) goto oom;
  char *c = buf_detach(&out);
  if (!c) goto oom;
  *clean = c;
  *terms = tv;
  *nterms = tn;
  return 0;
oom:
  buf_free(&out);
  markers_free_terms(tv, tn);
  return -1;
}
