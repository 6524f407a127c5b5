/*
** topic_terms.h -- an article's key topics as index terms.
**
** When an article is added, the linker (src/link/) runs on its text alone
** and its topics are indexed as terms of the form
**   SEG_TOPIC_PREFIX, a type letter (p person, o organisation, l place,
**   x other), the normalised text (lk_norm without analyzer: "jaap de hoop
**   scheffer"), LK_TERM_SEP, the text as the article wrote it
** so that a query matches the normalised text (everything up to and
** including the separator: its "key") and facets show the written form.
** This is the index's term format: the query parser and executor and the
** facets (layers above the index) read it through this header.
*/
#ifndef ND_INDEX_TOPIC_TERMS_H
#define ND_INDEX_TOPIC_TERMS_H
#include <stddef.h>

#include "../util/buf.h"
#include "newsdex.h"

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
