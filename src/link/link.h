/*
** link.h -- internal interface of the key-topic linker (src/link/).
**
** The linker reads an article body and picks the few topics worth a link
** to a search of the archive.  Steps, one module each:
**
**   words.c     split the body into words with their shape (capitalised,
**               all capitals, sentence start, headline line, possessive...)
**   cues.c      the fixed word lists: titles, particles, organisation and
**               place words, sentence openers, months and weekdays
**   spans.c     name-like spans: runs of capitalised words with particles
**               and initials, titles dropped, acronyms, possessives stripped
**   phrases.c   key phrases from the archive's statistics (collocations
**               such as "Iraq war"), when an archive is given
**   topics.c    group mentions into topics (a surname, a shorter form or
**               an acronym joins the full name) and type them
**   salience.c  score topics and pick the best k
**   link.c      the public calls (nd_link_doc, nd_link_id, nd_links_*),
**               and the index terms of an article's topics
**   match.c     exact and lenient matching of topics against editors'
**               terms, for evaluation (docs/linking.md defines both)
**
** docs/linking.md describes the method and its measured quality.
*/
#ifndef ND_LINK_LINK_H
#define ND_LINK_LINK_H
#include <stddef.h>
#include <stdint.h>

#include "../util/buf.h"
#include "newsdex.h"

/* ---- words.c -------------------------------------------------------------- */

enum {
  LW_CAP = 1 << 0,      /* a capital letter starts it, or follows a prefix ("al-Sadr", "iPod") */
  LW_ALLCAP = 1 << 1,   /* two or more letters, all capitals ("NATO", "U.S.") */
  LW_DIGIT = 1 << 2,    /* starts with a digit */
  LW_SENT = 1 << 3,     /* first word of a sentence, a line or a quotation */
  LW_BREAK = 1 << 4,    /* punctuation (not just blanks) separates it from the word before */
  LW_HEAD = 1 << 5,     /* on a headline-like line (title case, no final period) */
  LW_POSS = 1 << 6,     /* ends with a possessive 's or s' (not part of the span) */
  LW_ABBR = 1 << 7,     /* ends with a period that belongs to it ("Gen.", "U.S.", "G.") */
  LW_LOWER = 1 << 8,    /* starts with a lower-case letter (and is not LW_CAP) */
  LW_HYPHLOW = 1 << 9   /* hyphenated with a lower-case last part ("U.S.-led") */
};

typedef struct lk_word {
  uint32_t start, end; /* bytes of the word in the body, possessive excluded */
  uint32_t flags;
  uint32_t sent;       /* sentence number */
} lk_word;

typedef struct lk_words {
  lk_word *w;
  size_t n, cap;
  uint32_t nsent;
} lk_words;

/* Split body[0..len) into words.  0 or -1 (out of memory). */
int lk_split(const char *body, size_t len, lk_words *out);
void lk_words_free(lk_words *w);

/* Lower-case s[0..n) into out (Unicode simple case mapping); returns the
** length written (at most cap - 1; NUL-terminated). */
size_t lk_lower(const char *s, size_t n, char *out, size_t cap);

/* ---- cues.c --------------------------------------------------------------- */

/* Each takes a word as written (s[0..n), possessive excluded). */
int cue_title(const char *s, size_t n);      /* Sen. Gen. Mr. President Judge Sheriff ... */
int cue_title_abbr(const char *s, size_t n); /* the abbreviated ones: Sen. Gen. Mr. ... */
int cue_abbr(const char *s, size_t n);       /* "Gen" "St" "Jr" "Inc": may take a period */
int cue_particle(const char *s, size_t n);   /* de van von bin al of for & ... (between names) */
int cue_org_word(const char *s, size_t n);   /* Group Institute Administration Corp. ... */
int cue_place_word(const char *s, size_t n); /* County River Square Basilica Island ... */
int cue_opener(const char *s, size_t n);     /* The A But In When ... (capitalised function words) */
int cue_date_word(const char *s, size_t n);  /* Monday ... Sunday, January ... December */
int cue_stop(const char *s, size_t n);       /* lower-case function and very common words */
int cue_suffix(const char *s, size_t n);     /* Jr. Sr. II III */
int cue_demonym(const char *s, size_t n);    /* French Iraqi American ... */

/* ---- spans.c -------------------------------------------------------------- */

/* Topic types (the public ND_TOPIC_* values). */

typedef struct lk_span {
  uint32_t start, end;   /* bytes in the body */
  uint32_t w0, w1;       /* words [w0, w1) */
  int type;              /* ND_TOPIC_*, from cues and gazetteers */
  unsigned gflags;       /* gazetteer flags of the whole text */
  int titled;            /* a person's title stood before it */
  int phrase;            /* from phrases.c: 2 a name and a noun ("Iraq war"), 1 lower case */
  int common;            /* one word the dictionary has only in lower case ("Mass") */
  double assoc;          /* phrases: strength of the collocation, 0..1 */
} lk_span;

typedef struct lk_spans {
  lk_span *s;
  size_t n, cap;
} lk_spans;

/* Find name-like spans in the words of body.  0 or -1 (out of memory). */
int lk_find_names(const char *body, const lk_words *w, lk_spans *out);
/* Append one span.  0 or -1. */
int lk_spans_push(lk_spans *sp, const lk_span *s);
void lk_spans_free(lk_spans *sp);

/* ---- phrases.c ------------------------------------------------------------ */

/* Archive statistics: document frequencies through nd_search, cached for
** one article. */
typedef struct lk_stats lk_stats;
lk_stats *lk_stats_new(nd_index *ix); /* NULL: out of memory; ix may be NULL */
void lk_stats_free(lk_stats *st);
uint64_t lk_stats_docs(const lk_stats *st); /* articles in the archive (0: none) */
/* Articles containing the phrase s[0..n) (searched as a quoted phrase).
** 0 or a negative ND_ERR_* status. */
int lk_stats_df(lk_stats *st, const char *s, size_t n, uint64_t *df);

/* Add collocation spans (two or three words, not names already found)
** that the archive's statistics support.  0 or ND_ERR_*. */
int lk_find_phrases(const char *body, const lk_words *w, lk_stats *st, lk_spans *out);

/* ---- topics.c ------------------------------------------------------------- */

typedef struct lk_topic {
  uint32_t name;     /* index of the span that names it (the longest form) */
  uint32_t first;    /* index of the span of its first mention */
  uint32_t mentions;
  int type;
  double score;
  uint64_t df;       /* archive articles that contain it (0 if unknown) */
  int in_head;       /* named on a headline line */
} lk_topic;

typedef struct lk_topics {
  lk_topic *t;
  size_t n, cap;
} lk_topics;

/* Group the spans (sorted by start) into topics.  0 or -1. */
int lk_group(const char *body, const lk_words *w, const lk_spans *sp, lk_topics *out);
void lk_topics_free(lk_topics *t);

/* ---- salience.c ----------------------------------------------------------- */

/* Score every topic (archive statistics when st has an archive) and sort
** them best first.  `head` is the headline text in lower case with a blank
** before and after every word (" nato fails on iraq "), or NULL.
** 0 or ND_ERR_*. */
int lk_score(const char *body, const lk_words *w, const lk_spans *sp, lk_topics *t, lk_stats *st,
             const char *head);

/* ---- match.c -------------------------------------------------------------- */

/* Normalise a term for matching: its words case-folded, periods and
** possessives dropped, joined by one space; with an analyzer (may be NULL)
** its index terms (folded, stemmed) instead.  A new string (mem_alloc'd),
** or NULL when out of memory. */
typedef struct analyzer analyzer;
char *lk_norm(const char *s, analyzer *an);
/* Does topic a match term b?  Exact: equal normalised texts.  Lenient
** (lenient = 1): also when the words of one are a contiguous run of the
** other's ("Scheffer" and "Jaap de Hoop Scheffer", "Iraq" and "Iraq war"). */
int lk_match(const char *a, const char *b, int lenient, analyzer *an);

/* ---- link.c: topics as index terms ----------------------------------------- */

/* An article's key topics are indexed (at add time, from its text alone)
** as terms of the form
**   SEG_TOPIC_PREFIX, a type letter (p person, o organisation, l place,
**   x other), the normalised text (lk_norm without analyzer: "jaap de hoop
**   scheffer"), LK_TERM_SEP, the text as the article wrote it
** so that a query matches the normalised text (everything up to and
** including the separator: its "key") and facets show the written form. */
#define LK_TERM_SEP '\x1f'
#define LK_TOPICS_INDEXED 16 /* topics of an article put in the index, at most */
#define LK_OTHERS_INDEXED 4  /* of which untyped ones (key phrases...), at most */
/* The type letter, and back (-1: no type has that letter). */
char lk_type_letter(int type);
int lk_letter_type(char c);
/* Append the key of text s[0..n) among the topics of `type` to out.  0, or
** -1 when out of memory or the normalised text is empty. */
int lk_topic_key(const char *s, size_t n, int type, buf *out);
/* Append the topic terms of article d to out, each as a length byte and
** the term's bytes: from its text alone, its people, organisations and
** places (countries too, which links avoid: a search by place wants them)
** and its best untyped topics among the first 2 * LK_OTHERS_INDEXED, best
** first, LK_TOPICS_INDEXED at most, one per normalised name (whatever
** its type), none longer than DICT_MAX_TERM.  0 or ND_ERR_NOMEM. */
int lk_topic_terms(const nd_doc *d, buf *out);

#endif
