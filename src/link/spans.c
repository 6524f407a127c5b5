/*
** spans.c -- name-like spans of an article (see link.h).
**
** A run is a maximal sequence of capitalised words with no punctuation
** between them; particles ("de", "van", "bin", "of", "of the", "&", and
** "and" inside an institution's name) may stand between two of its words.
** A possessive ends a run, except before a place word ("St. Peter's
** Basilica").  Each run is then trimmed:
**
**   - in front: sentence openers and capitalised function words ("The",
**     "But"), a capitalised common word at a sentence start ("Two",
**     "Differences": the dictionary has it only in lower case), dates
**     ("Wednesday"), adjectives of nationality ("French");
**   - at the back: dates and particles;
**   - titles: everything up to the rightmost title is dropped ("U.S.
**     Marine Gen. James Jones" -> "James Jones", "President Bush" -> "Bush",
**     "Capt. Southworth" -> "Southworth"), with its complement ("Assistant
**     Secretary for African Affairs Johnnie Carson" -> "Johnnie Carson"),
**     and the span is then a person's; a title word that also starts the
**     names of things (names.c) stays when a common word follows it
**     ("General Motors", "Major League Baseball"), and so does a title
**     before one organisation word ("Chief Executive Office").
**
** A quoted title -- two to ten words in quotation marks, the first and
** every word of four letters or more capitalised ("Stolen Honor: Wounds
** That Never Heal") -- is one span, whatever is inside.
**
** Words on headline lines make no spans (title case says nothing there).
*/
#include <string.h>

#include "../util/mem.h"
#include "gazetteer.h"
#include "link.h"

#define WTXT(i) (body + w->w[i].start), (size_t)(w->w[i].end - w->w[i].start)

int lk_spans_push(lk_spans *sp, const lk_span *s) {
  if (mem_grow(&sp->s, &sp->cap, sp->n, sizeof *sp->s)) return -1;
  sp->s[sp->n++] = *s;
  return 0;
}

void lk_spans_free(lk_spans *sp) {
  mem_free(sp->s);
  memset(sp, 0, sizeof *sp);
}

/* A capitalised word the dictionary knows only in lower case ("Two"). */
int lk_common_word(const char *s, size_t n) {
  char low[256];
  if (n >= sizeof low) return 0;
  size_t m = lk_lower(s, n, low, sizeof low);
  if (m == n && !memcmp(low, s, n)) return 0;
  return (gaz_flags(low, m) & GZ_WORD) && !(gaz_flags(s, n) & GZ_WORD);
}

/* namey() of a word that has the right flags: the look-ups. */
#define common_word lk_common_word

static int namey_words(const char *body, const lk_words *w, size_t i) {
  uint32_t f = w->w[i].flags;
  if (cue_date_word(WTXT(i))) return 0;
  if ((f & LW_ALLCAP) && w->w[i].end - w->w[i].start > 4) {
    /* an all-capitals common word ("WAR", "BREAKING") is shouting, not an acronym */
    char low[256];
    size_t n = w->w[i].end - w->w[i].start;
    if (n < sizeof low) {
      size_t m = lk_lower(WTXT(i), low, sizeof low);
      if ((gaz_flags(low, m) & GZ_WORD) && !(gaz_flags(WTXT(i)) & GZ_WORD)) return 0;
    }
  }
  return 1;
}

/* Can word i be part of a name?  (Asked of every word: the flags first.) */
static inline int namey(const char *body, const lk_words *w, size_t i) {
  uint32_t f = w->w[i].flags;
  if (!(f & LW_CAP) || (f & (LW_HYPHLOW | LW_HEAD))) return 0;
  return namey_words(body, w, i);
}

static int is_connector(const char *body, const lk_words *w, size_t i) {
  return !(w->w[i].flags & (LW_CAP | LW_HEAD)) && cue_particle(WTXT(i));
}

static int word_is(const char *body, const lk_words *w, size_t i, const char *s) {
  return w->w[i].end - w->w[i].start == strlen(s) && !memcmp(body + w->w[i].start, s, strlen(s));
}

/* Count the capitalised words of [a, b). */
static size_t count_namey(const char *body, const lk_words *w, size_t a, size_t b) {
  size_t c = 0;
  for (size_t i = a; i < b; i++) c += (w->w[i].flags & LW_CAP) != 0;
  return c;
}

static int type_of(const char *body, const lk_words *w, size_t a, size_t b, unsigned g, int titled) {
  int org = 0;
  for (size_t i = a; i < b; i++) org |= cue_org_word(WTXT(i));
  if (org) return ND_TOPIC_ORG;
  if (g & (GZ_COUNTRY | GZ_REGION | GZ_CITY | GZ_CONTINENT)) return ND_TOPIC_PLACE;
  if (cue_place_word(WTXT(b - 1)) || (b - a > 1 && cue_place_word(WTXT(a)))) return ND_TOPIC_PLACE;
  if (titled) return ND_TOPIC_PERSON;
  if (b - a == 1 && (w->w[a].flags & LW_ALLCAP)) return ND_TOPIC_ORG;
  if (count_namey(body, w, a, b) >= 2 && b - a <= 5 && !common_word(WTXT(a)) && !common_word(WTXT(b - 1))) {
    for (size_t i = a; i < b; i++)
      if ((w->w[i].flags & LW_ALLCAP) && !cue_suffix(WTXT(i))) return ND_TOPIC_OTHER;
    return ND_TOPIC_PERSON;
  }
  return ND_TOPIC_OTHER;
}

static int is_compass(const char *s, size_t n) {
  static const char *const W[] = {"North", "South", "East", "West", "Central", "Northern", "Southern", "Eastern",
                                  "Western", NULL};
  for (size_t i = 0; W[i]; i++)
    if (strlen(W[i]) == n && !memcmp(W[i], s, n)) return 1;
  return 0;
}

/* Trim run [a, b) and emit it (or the parts of it split at "and"). */
static int emit(const char *body, const lk_words *w, size_t a, size_t b, lk_spans *out) {
  /* front */
  while (a < b) {
    uint32_t f = w->w[a].flags;
    if (cue_opener(WTXT(a)) || cue_date_word(WTXT(a)) || is_connector(body, w, a) ||
        ((f & LW_SENT) && common_word(WTXT(a))) || (b - a > 1 && cue_demonym(WTXT(a)) && !cue_org_word(WTXT(a + 1)))) {
      a++;
      continue;
    }
    break;
  }
  /* back */
  while (b > a && (cue_date_word(WTXT(b - 1)) || is_connector(body, w, b - 1))) b--;
  if (a >= b) return 0;
  /* "and" joins only inside an institution's name */
  for (size_t i = a; i < b; i++) {
    if (!word_is(body, w, i, "and") && !word_is(body, w, i, "&")) continue;
    int inst = 0;
    for (size_t j = a; j < b; j++) inst |= cue_org_word(WTXT(j));
    if (!inst) return emit(body, w, a, i, out) ? -1 : emit(body, w, i + 1, b, out);
    break;
  }
  /* titles */
  int titled = 0;
  uint32_t title = 0;
  for (size_t i = b; i-- > a;) {
    char cls[32];
    int strength = lk_title_class(WTXT(i), cls, sizeof cls);
    if (!strength) continue;
    titled = 1;
    if (i + 1 == b) return 0; /* a title alone names no one ("the Prime Minister") */
    size_t s = i + 1;
    /* "Secretary of State Colin Powell", "Assistant Secretary for African
    ** Affairs Johnnie Carson": the title's complement goes too -- after
    ** its particles, the common words, nationalities, places and
    ** institutions that start what remains, down to the last name word */
    if (s < b && is_connector(body, w, s)) {
      while (s < b && is_connector(body, w, s)) s++;
      while (s + 1 < b && (common_word(WTXT(s)) || cue_demonym(WTXT(s)) || gaz_demonym(WTXT(s)) ||
                           cue_org_word(WTXT(s)) || is_connector(body, w, s) ||
                           (gaz_flags(WTXT(s)) & (GZ_COUNTRY | GZ_REGION | GZ_CONTINENT))))
        s++;
    }
    size_t rest = count_namey(body, w, s, b);
    /* a weak title ("General", "Major") starts a thing's name when a
    ** common word follows it: "General Motors", "Major League Baseball" */
    int thing = strength == 1 && s < b && s == i + 1 && common_word(WTXT(s));
    if (thing) { titled = 0; break; }
    if (rest >= 2 || (rest == 1 && s < b && !cue_org_word(WTXT(b - 1)))) {
      a = s;
      while (a < b && is_connector(body, w, a)) a++;
      title = (uint32_t)i + 1;
    }
    break;
  }
  if (a >= b) return 0;
  /* "North Korean", "South African": a compass word and a nationality */
  if (b - a == 2 && is_compass(WTXT(a)) && (cue_demonym(WTXT(a + 1)) || gaz_demonym(WTXT(a + 1)))) return 0;
  if (b - a == 1) {
    if (cue_demonym(WTXT(a)) || gaz_demonym(WTXT(a)) || cue_opener(WTXT(a)) || cue_title(WTXT(a)) ||
        cue_suffix(WTXT(a)))
      return 0;
    /* a place word alone ("State", "River") is the rest of a name, not one */
    if (cue_place_word(WTXT(a)) && !(gaz_flags(WTXT(a)) & (GZ_COUNTRY | GZ_REGION | GZ_CITY | GZ_CONTINENT))) return 0;
    if ((w->w[a].flags & LW_SENT) && common_word(WTXT(a))) return 0;
  }
  lk_span s = {0};
  s.w0 = (uint32_t)a;
  s.w1 = (uint32_t)b;
  s.start = w->w[a].start;
  s.end = w->w[b - 1].end;
  s.gflags = gaz_flags(body + s.start, s.end - s.start);
  s.titled = titled;
  s.title = title;
  s.type = type_of(body, w, a, b, s.gflags, titled);
  s.common = b - a == 1 && common_word(WTXT(a));
  return lk_spans_push(out, &s);
}

static int amp_gap(const char *body, uint32_t from, uint32_t to) {
  int amp = 0;
  for (uint32_t i = from; i < to; i++) {
    if (body[i] == '&' && !amp) amp = 1;
    else if (body[i] != ' ') return 0;
  }
  return amp;
}

static int opening_quote(const char *body, const lk_words *w, size_t i) {
  uint32_t s = w->w[i].start;
  if (s < 1) return 0;
  if (body[s - 1] == '"') return 1;
  /* U+201C: its last byte first, asked of every word */
  return body[s - 1] == '\x9C' && s >= 3 && !memcmp(body + s - 3, "\xE2\x80\x9C", 3);
}

/* Does a closing quote follow word j (after at most one . , ? !)? */
static int closing_quote(const char *body, size_t len, const lk_words *w, size_t j) {
  uint32_t e = w->w[j].end;
  if (w->w[j].flags & LW_POSS) return 0;
  if (e < len && strchr(".,?!", body[e]) && body[e]) e++;
  if (e + 3 <= len && !memcmp(body + e, "\xE2\x80\x9D", 3)) return 1; /* U+201D */
  return e < len && body[e] == '"';
}

/* Words [i, *end) form a quoted title? */
static int quoted_title(const char *body, size_t len, const lk_words *w, size_t i, size_t *end) {
  if (!opening_quote(body, w, i) || (w->w[i].flags & LW_HEAD) || !(w->w[i].flags & LW_CAP)) return 0;
  for (size_t j = i; j < w->n && j < i + 10; j++) {
    if (j > i) { /* only blanks, a colon or a dash between the words */
      for (uint32_t c = w->w[j - 1].end; c < w->w[j].start; c++)
        if (!strchr(" :-", body[c])) return 0;
    }
    size_t n = w->w[j].end - w->w[j].start;
    if (n >= 4 && !(w->w[j].flags & (LW_CAP | LW_DIGIT))) return 0;
    if (closing_quote(body, len, w, j)) {
      if (j == i || !(w->w[j].flags & (LW_CAP | LW_DIGIT))) return 0;
      *end = j + 1;
      return 1;
    }
  }
  return 0;
}

int lk_find_names(const char *body, const lk_words *w, lk_spans *out) {
  size_t i = 0, qe, len = strlen(body);
  while (i < w->n) {
    if (quoted_title(body, len, w, i, &qe)) {
      lk_span s = {0};
      s.w0 = (uint32_t)i;
      s.w1 = (uint32_t)qe;
      s.start = w->w[i].start;
      s.end = w->w[qe - 1].end;
      s.type = ND_TOPIC_OTHER;
      if (lk_spans_push(out, &s)) return -1;
      i = qe;
      continue;
    }
    if (!namey(body, w, i)) { i++; continue; }
    size_t a = i, b = i + 1;
    for (;;) {
      if (w->w[b - 1].flags & LW_POSS) {
        /* "St. Peter's Basilica" goes on; "NATO's military" ends */
        if (b < w->n && !(w->w[b].flags & (LW_BREAK | LW_SENT)) && namey(body, w, b) && cue_place_word(WTXT(b))) { b++; continue; }
        break;
      }
      if (b >= w->n || (w->w[b].flags & LW_SENT)) break;
      if (w->w[b].flags & LW_BREAK) {
        /* "Merck & Co.", "AT&T": an ampersand alone between two name words */
        if (namey(body, w, b) && amp_gap(body, w->w[b - 1].end, w->w[b].start)) { b++; continue; }
        break;
      }
      if (namey(body, w, b)) { b++; continue; }
      /* up to two particles between capitalised words */
      size_t c = b;
      while (c < w->n && c < b + 2 && is_connector(body, w, c) && !(w->w[c].flags & (LW_BREAK | LW_SENT))) c++;
      if (c > b && c < w->n && !(w->w[c].flags & (LW_BREAK | LW_SENT)) && namey(body, w, c)) { b = c + 1; continue; }
      break;
    }
    if (emit(body, w, a, b, out)) return -1;
    i = b;
  }
  return 0;
}
