/*
** snippet.h -- a short extract of an article around the words a query matched.
**
** The words to highlight are the positive terms, phrase words and prefixes
** of the query (not those under NOT, not source: terms).  The body is
** analysed with the archive's analyzer, so a match is exactly what the
** index matched ("forces" and "force" both match the stem "forc").  The
** window of about `chars` bytes holding the most distinct matched terms
** (then the most matches, then the earliest) is chosen; it starts at a word,
** runs of white space become one space, and "…" marks a cut.  Sentences
** (src/text/sentence.h) are kept whole where that costs little: when the
** sentence of the window's first match starts inside the window, or up to
** an eighth of its length before it, the snippet starts there; when the
** window must be cut it ends at the last sentence end after its last match
** that lies in its second half or up to an eighth of its length past it.  Only the first SNIPPET_SCAN bytes of a body are
** searched for matches.
*/
#ifndef ND_PRESENT_SNIPPET_H
#define ND_PRESENT_SNIPPET_H
#include <stddef.h>

#include "../query/parse.h"
#include "../util/buf.h"

#define SNIPPET_SCAN (256 * 1024)

typedef struct hl_terms {
  char **terms;    /* index terms (stems) */
  size_t n;
  char **prefixes; /* folded prefixes */
  size_t np;
} hl_terms;

/* Collect the highlight terms of a query.  0 or -1 (out of memory). */
int hl_collect(const qnode *q, hl_terms *out);
void hl_free(hl_terms *h);

/* Append the snippet of body to *out.  mode is ND_SNIPPET_PLAIN or
** ND_SNIPPET_HTML (text escaped for HTML).  0 or -1 (out of memory). */
int snippet_make(analyzer *an, const char *body, const hl_terms *h, int mode, size_t chars,
                 const char *open, const char *close, buf *out);

/* Append the start of body's first sentence to out: up to the sentence's
** end as src/text/sentence.h finds it (an abbreviation such as "Sen." or
** "U.S." does not end it; a paragraph break does) or about max_chars
** characters (cut at a word, then "…"), white space collapsed.  For listing
** articles without a title. */
void lead_make(const char *body, size_t max_chars, buf *out);

/* Append text[0..n) to out, HTML-escaped when html is set, with runs of
** white space (and control characters) turned into one space. */
void text_put(buf *out, const char *text, size_t n, int html);

#endif
