/*
** membuf.h -- the writer's in-memory buffer of analysed articles.
**
** Added articles are analysed at once into an in-memory inverted index (a
** hash table of terms, each with its postings as uvarints) and their
** records kept encoded.  When the buffer holds more than the configured
** number of bytes, or at commit, mb_write() turns it into a segment.
*/
#ifndef ND_INDEX_MEMBUF_H
#define ND_INDEX_MEMBUF_H
#include <stddef.h>
#include <stdint.h>

#include <roaring/roaring.h>

#include "../text/analyze.h"
#include "../util/buf.h"
#include "newsdex.h"
#include "segment.h"

typedef struct membuf membuf;

membuf *mb_new(void);
void mb_free(membuf *mb);
/* Analyse and buffer an article (id set, markers stripped, validated),
** with its topic terms (may be NULL: each a length byte and the term's
** bytes, distinct; see link/link.h).  0 or ND_ERR_NOMEM (then the buffer
** is unchanged as far as searches and mb_write are concerned). */
int mb_add(membuf *mb, analyzer *an, const nd_doc *d, int64_t date, const buf *topics);
/* The live buffered article with this id: 1 and *doc, or 0. */
int mb_find_id(const membuf *mb, const char *id, uint32_t *doc);
void mb_delete(membuf *mb, uint32_t doc);
uint32_t mb_ndocs(const membuf *mb);
size_t mb_bytes(const membuf *mb);
/* Documents deleted while buffered (NULL if none). */
const roaring_bitmap_t *mb_deleted(const membuf *mb);
/* Write everything to w (documents then terms).  0 or ND_ERR_*. */
int mb_write(membuf *mb, seg_writer *w);

#endif
