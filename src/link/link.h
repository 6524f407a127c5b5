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
**               such as "Iraq war"), when an archive is given; the
**               per-article cache of those statistics
**   topics.c    group mentions into topics (a surname, a shorter form or
**               an acronym joins the full name) and type them
**   salience.c  score topics and pick the best k
**   link.c      lk_link_text(): the steps in order, from an article's text
**               and optional archive statistics to its best k topics
**   match.c     exact and lenient matching of topics against editors'
**               terms, for evaluation (docs/linking.md defines both)
**
** This folder works on text alone: it includes nothing above src/text and
** src/util (and the public types of newsdex.h).  The archive reaches it
** only through lk_stats_src, which the caller fills in.  The parts that
** know the archive live above it:
**
**   src/api/links.c          the public calls (nd_link_doc, nd_link_id,
**                            nd_links_*): lk_link_text() with statistics
**                            from nd_search() and nd_stats_get()
**   src/index/topic_terms.c  an article's topics as index terms
**                            (lk_topic_terms, lk_topic_key, the type
**                            letters; declared in src/index/topic_terms.h)
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

/* ---- names.c -------------------------------------------------------------- */

/* The class of title word s[0..n) ("Sen." -> "senator", "Mr." -> "mr",
** "President" -> "president") into out (NUL-terminated, at most cap - 1
** bytes); returns 2 for a title only persons have, 1 for one that also
** starts the names of things ("General", "Major", "Chief"), 0 for no title. */
int lk_title_class(const char *s, size_t n, char *out, size_t cap);

/* ---- spans.c -------------------------------------------------------------- */

/* Topic types (the public ND_TOPIC_* values). */

typedef struct lk_span {
  uint32_t start, end;   /* bytes in the body */
  uint32_t w0, w1;       /* words [w0, w1) */
  int type;              /* ND_TOPIC_*, from cues and gazetteers */
  unsigned gflags;       /* gazetteer flags of the whole text */
  int titled;            /* a person's title stood before it */
  uint32_t title;        /* word index + 1 of that title when it was dropped (0: none) */
  int phrase;            /* from phrases.c: 2 a name and a noun ("Iraq war"), 1 lower case */
  int common;            /* one word the dictionary has only in lower case ("Mass") */
  double assoc;          /* phrases: strength of the collocation, 0..1 */
} lk_span;

typedef struct lk_spans {
  lk_span *s;
  size_t n, cap;
} lk_spans;

/* Is s[0..n) a capitalised word the dictionary has only in lower case
** ("Two", "Hurricane")? */
int lk_common_word(const char *s, size_t n);
/* Find name-like spans in the words of body.  0 or -1 (out of memory). */
int lk_find_names(const char *body, const lk_words *w, lk_spans *out);
/* Append one span.  0 or -1. */
int lk_spans_push(lk_spans *sp, const lk_span *s);
void lk_spans_free(lk_spans *sp);

/* ---- phrases.c ------------------------------------------------------------ */

/* Archive statistics, supplied by the caller (the linker never opens an
** archive itself): the number of articles, and the number of articles
** containing a phrase.  df() is asked about a text s[0..n) as written or
** in lower case (a name, a word, "iraq war"); it sets *df (0 when the
** text cannot be searched) and returns 0, or a negative ND_ERR_* status
** that stops the linking. */
typedef struct lk_stats_src {
  void *ctx;     /* passed to df() */
  uint64_t docs; /* articles in the archive; 0: no statistics (text only) */
  int (*df)(void *ctx, const char *s, size_t n, uint64_t *df);
} lk_stats_src;

/* The statistics of one article's linking: src's answers, cached (each
** distinct text is asked once). */
typedef struct lk_stats lk_stats;
lk_stats *lk_stats_new(const lk_stats_src *src); /* NULL: out of memory; src may be NULL */
void lk_stats_free(lk_stats *st);
uint64_t lk_stats_docs(const lk_stats *st); /* articles in the archive (0: none) */
/* Articles containing the phrase s[0..n) (0 without statistics).
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
  uint32_t id;       /* its number when grouped (lk_topics.of), kept when sorted */
} lk_topic;

typedef struct lk_topics {
  lk_topic *t;
  size_t n, cap;
  uint32_t *of; /* the topic of each span: the id of its lk_topic */
} lk_topics;

/* Group the spans (sorted by start) into topics.  0 or -1. */
int lk_group(const char *body, const lk_words *w, const lk_spans *sp, lk_topics *out);
void lk_topics_free(lk_topics *t);

/* ---- salience.c ----------------------------------------------------------- */

/* Score every topic (archive statistics when st has an archive) and sort
** them best first.  `head` is the headline text in lower case with a blank
** before and after every word (" nato fails on iraq "), or NULL; `source`
** the article's outlet in the same form, or NULL.  0 or ND_ERR_*. */
int lk_score(const char *body, const lk_words *w, const lk_spans *sp, lk_topics *t, lk_stats *st,
             const char *head, const char *source);

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

/* ---- link.c --------------------------------------------------------------- */

/* One mention of a topic: where the body writes it, and the class of the
** title dropped before it ("president"; "" for none: names.c). */
typedef struct lk_mention {
  uint32_t topic;      /* index into lk_linked.t */
  uint32_t start, end; /* bytes in the body */
  char cls[24];
} lk_mention;

/* An article's best topics, best first.  A topic's text is its canonical
** name: its fullest mention, a title never part of it ("Donald Trump"
** for "Donald Trump", "President Trump" and "Mr. Trump" in one article);
** for a country, the one name the gazetteer gives it ("United States" for
** "U.S." and "America"). */
typedef struct lk_linked {
  nd_topic *t; /* text (mem_alloc'd), type, score, first mention's start/end, mentions, df */
  size_t n;
  lk_mention *m; /* every mention of those topics, in body order */
  size_t nm;
} lk_linked;

/* Link article doc (its body, and its title when there is one): the best
** k topics (k = 0 means none), with archive statistics from src when it
** is not NULL, else from the text alone.  Never looks at doc->marked.  0 (out
** filled in; lk_linked_free() it), ND_ERR_INVALID (no body), ND_ERR_NOMEM,
** or what src->df() returned. */
int lk_link_text(const nd_doc *doc, const lk_stats_src *src, size_t k, lk_linked *out);
void lk_linked_free(lk_linked *l);

#endif
