/*
** membuf.h -- the writer's in-memory buffer of analysed articles.
**
** Added articles are analysed into an in-memory inverted index (a hash
** table of terms, each with its postings as uvarints) and their records
** kept encoded.  When the buffer holds more than the configured
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

/* Adding an article takes two steps.  mb_prepare() does everything that
** depends on the article alone -- analysing its fields into terms, grouping
** their positions, encoding its record -- and may run on any thread, with
** that thread's analyzer and scratch.  mb_put() then buffers the result;
** it must be called in article order, on one thread, and is cheap (a
** hash lookup per distinct term and a few appends).  Both steps give the
** same buffer as the article would have had whichever thread prepared it. */

/* One distinct term of a prepared article: its bytes at bytes.p + off,
** then post_len bytes of what its postings entry holds after the doc
** delta (uvarint title and body counts, position deltas). */
typedef struct mb_term {
  uint64_t hash; /* XXH3 of the term's bytes */
  size_t off;
  uint32_t len;
  size_t post_len;
} mb_term;

/* A prepared article.  Initialise with mb_prep_init, free with mb_prep_free. */
typedef struct mb_prep {
  buf rec;        /* its record (codec/store.h) */
  uint64_t idhash;
  int64_t date;
  uint32_t title_len, body_len; /* positions used */
  mb_term *terms; /* in order of first use */
  size_t nterms;
  buf bytes;
  seg_docx x;     /* its signature and SimHash; the caller sets its story
                  ** and thread keys before mb_put */
} mb_prep;

/* Per-thread working memory of mb_prepare (kept between articles). */
typedef struct mb_scratch mb_scratch;
mb_scratch *mb_scratch_new(void);
void mb_scratch_free(mb_scratch *sc);

void mb_prep_init(mb_prep *p);
void mb_prep_free(mb_prep *p); /* also leaves it initialised, empty */
/* Prepare an article (id set, markers stripped, validated) with its topic
** terms (may be NULL: each a length byte and the term's bytes, distinct;
** see link/link.h) into p (whatever it held is freed).  0 or ND_ERR_NOMEM
** (p then empty). */
int mb_prepare(analyzer *an, mb_scratch *sc, const nd_doc *d, int64_t date, const buf *topics, mb_prep *p);
/* The hashes of the words the last mb_prepare() on sc fingerprinted
** (fingerprint.h's words), valid until the next call on sc. */
const uint64_t *mb_scratch_words(const mb_scratch *sc, size_t *n);
/* Buffered doc d's stored article (d < mb_ndocs).  0 or ND_ERR_*. */
int mb_get(const membuf *mb, uint32_t d, struct nd_document **out);
/* Buffered doc d's signature and keys.  0 or ND_ERR_NOTFOUND. */
int mb_docx(const membuf *mb, uint32_t d, seg_docx *x);
/* Buffer a prepared article.  0, ND_ERR_LIMIT (the buffer holds as many
** articles as a segment can) or ND_ERR_NOMEM (then the buffer is unchanged
** as far as searches and mb_write are concerned, or unusable: every later
** call fails). */
int mb_put(membuf *mb, const mb_prep *p);

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
