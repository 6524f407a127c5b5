/*
** analyze.h -- turns text into index terms.
**
** The analyzer is the single definition of what a "word" is; the indexer,
** the query parser, the snippet highlighter and the tests all use it.
**
** Pipeline per word: find the word (rules below) -> normalise (Unicode NFKC)
** and case-fold with utf8proc -> stem with Snowball (libstemmer).
**
** Word rules (docs/analysis.md has the examples):
**   - A word is a run of letters, digits and combining marks.
**   - An apostrophe (' or U+2019) between two letters stays inside the word
**     ("o'brien", "nato's"; the English stemmer then drops "'s").
**   - Single letters joined by periods are an acronym and lose the periods:
**     "U.S." -> "us", "U.N." -> "un".
**   - A period or comma between digits stays ("3.5"); a comma followed by
**     exactly three digits is a thousands separator and is dropped
**     ("35,000" -> "35000").  Other periods split words ("example.com").
**   - A hyphen between two word characters joins a compound: each part is a
**     word at its own position, and the parts written together are emitted as
**     well, at the position of the first part: "e-mail" -> "e"@p, "email"@p,
**     "mail"@p+1.  So "e-mail", "email" and "e mail" all find it.
**   - Letters and digits mixed stay one word ("1960s", "mp3").
**   - Words longer than AN_MAX_TERM bytes after folding are skipped (they
**     still take a position).  There are no stop words.
*/
#ifndef ND_TEXT_ANALYZE_H
#define ND_TEXT_ANALYZE_H
#include <stddef.h>
#include <stdint.h>

#define AN_MAX_TERM 64

typedef struct analyzer analyzer;

typedef struct an_token {
  const char *term;   /* folded, stemmed; not NUL-terminated */
  size_t len;
  uint32_t pos;       /* word position, counting from pos_base */
  uint32_t start, end;/* byte range of the word in the analysed text */
  int joined;         /* 1 for the extra whole-compound token of a hyphenated word */
} an_token;

/* Called for every token in order; a non-zero return stops the analysis and
** is returned by an_analyze. */
typedef int (*an_emit_fn)(void *ctx, const an_token *tok);

/* A new analyzer for a Snowball language ("english", ..., or "none" for no
** stemming).  NULL if the language is unknown or memory ran out.  An analyzer
** is not thread-safe; give each thread its own. */
analyzer *an_new(const char *language);
void an_free(analyzer *a);

/* 1 if `language` names a Snowball stemmer (or "none"). */
int an_language_ok(const char *language);
/* The list of languages, comma-separated, for messages. */
const char *an_languages(void);

/* Analyse text[0..len).  Positions start at pos_base.  Returns the callback's
** non-zero value if it stopped early, -1 if memory ran out, else 0; *npos (if
** not NULL) receives the number of positions used. */
int an_analyze(analyzer *a, const char *text, size_t len, uint32_t pos_base,
               an_emit_fn emit, void *ctx, uint32_t *npos);

/* For finding given terms (snippets): stem only the words whose first
** byte is marked in first[256]; the others are emitted folded, unstemmed,
** so they cannot match a term with another first byte, which their stems
** could not either.  Only for stemmers that keep a word's first byte
** (an_stem_keeps_first(); for others the call does nothing).  NULL: stem
** every word again.  Stemming is most of what analysing costs when the
** cache of stems is cold (a fresh process). */
int an_stem_keeps_first(const analyzer *a);
void an_stem_filter(analyzer *a, const unsigned char *first);

/* Fold (normalise + case-fold, no stemming) one word into out[0..cap);
** returns its length, or 0 if it does not fit.  Used for prefix queries. */
size_t an_fold(analyzer *a, const char *word, size_t len, char *out, size_t cap);

/* 1 if s[0..len) is valid UTF-8 with no NUL; else 0 and *bad (if not NULL)
** the byte offset of the first bad sequence. */
int utf8_valid(const char *s, size_t len, size_t *bad);

#endif
