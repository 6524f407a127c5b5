/*
** srcterm.h -- the source field's index term: one per article, the whole
** value.
**
** An article's source ("New York Times - News") is a keyword field matched
** as a whole, in any case.  Its term is
**
**   SEG_SOURCE_PREFIX, key, SRC_SEP, written
**
** where the key is the value case-folded (an_fold: Unicode normalisation
** and case folding), with every run of white space, control characters and
** double quotes made one space, trimmed, and cut to at most SRC_KEY_MAX
** bytes on a character boundary ("new york times - news"); and written is
** the value as the article gives it, white space and control characters
** collapsed the same way and trimmed ("New York Times - News"), cut to what
** fits in DICT_MAX_TERM.  A query source:"..." is keyed the same way and
** matches every term with that key (every written form); facets count the
** key and show its most frequent written form.  A value whose key is empty
** has no term.  (A double quote counts as a space because a query phrase
** cannot hold one.)
*/
#ifndef ND_INDEX_SRCTERM_H
#define ND_INDEX_SRCTERM_H
#include <stddef.h>

#include "../codec/dict.h"

#define SRC_SEP '\x1f'
#define SRC_KEY_MAX 120 /* bytes of a key, at most */

/* The key of the value s[0..n) into key (room for SRC_KEY_MAX + 1 bytes,
** NUL-terminated); *len its length (0: nothing is left).  0, or -1 when
** memory ran out. */
int src_key(const char *s, size_t n, char *key, size_t *len);

/* The index term of the value s[0..n) into term (room for DICT_MAX_TERM + 1
** bytes); *len its length, 0 when the value has no term.  0, or -1 when
** memory ran out. */
int src_term(const char *s, size_t n, char *term, size_t *len);

/* Length of the key in a source term without its prefix byte
** ("fox news\x1fFox News": 8); n when there is no separator. */
size_t src_key_len(const char *t, size_t n);

/* NULL if t[0..n) is a well-formed source term (prefix byte included), else
** what is wrong with it.  -1 in *nomem when memory ran out (then NULL). */
const char *src_term_problem(const char *t, size_t n, int *nomem);

#endif
