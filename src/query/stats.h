/*
** stats.h -- the corpus figures a query is scored with, as text that
** shards exchange ("statistics shared by shards" in newsdex.h).
**
** BM25F (exec.h) takes three things from the archive: N, its articles;
** the average title and body lengths, from the sums of those lengths; and
** the df of every index term the query reaches (after analysis: each
** expansion of a prefix, each index term of a source or topic value).  A
** query's figures from several shards add up to the figures of one
** archive holding them all: N, the sums and each df are sums (a term a
** shard lacks has df 0 there).
**
** The text (docs/api.md), printable ASCII, every line ending in "\n":
**
**   newsdex-stats 1          the format's name and version
**   docs N                   articles (the deleted ones too until a merge
**                            drops them, as a df counts them)
**   title-len SUM            their title lengths summed, in positions
**   body-len SUM             their body lengths summed
**   term KEY DF              one per index term, KEY its bytes with every
**                            byte outside '!'..'~' and '%' itself written
**                            as %XX (two hex digits): index keys carry
**                            control bytes (a source key's first, a topic
**                            term's separators); keys in increasing byte
**                            order, each once
**   end COUNT                COUNT: the term lines, so that a text cut
**                            short at a line's end is seen to be
**
** Numbers are decimal digits without sign or leading zeros, at most
** QS_MAX_COUNT (so that a double holds them exactly), a df at most the
** docs of its text; a key decodes to 1 .. DICT_MAX_TERM bytes; a text has
** at most QS_MAX_TERMS terms.  Anything else is refused with a message
** that names the line.
*/
#ifndef ND_QUERY_STATS_H
#define ND_QUERY_STATS_H
#include <stddef.h>
#include <stdint.h>

#include "../util/buf.h"

#define QS_VERSION 1
#define QS_MAX_COUNT ((uint64_t)1 << 53)
#define QS_MAX_TERMS 1000000

typedef struct qs_term {
  char *key; /* NULL: a free slot */
  size_t len;
  uint64_t df;
} qs_term;

/* Figures: the totals and a table of terms (open addressing, capacity a
** power of two).  Zero it, or qs_init; qs_free releases it. */
typedef struct qstats {
  uint64_t docs, title_len, body_len;
  qs_term *t;
  size_t n, cap;
} qstats;

void qs_init(qstats *s);
void qs_free(qstats *s);

/* Add df to the term key[0..len) (made when absent, df 0 included).
** 0, ND_ERR_NOMEM, or ND_ERR_INVALID when the table would pass
** QS_MAX_TERMS terms or the df QS_MAX_COUNT. */
int qs_add(qstats *s, const char *key, size_t len, uint64_t df);

/* The term key[0..len), or NULL. */
const qs_term *qs_find(const qstats *s, const char *key, size_t len);

/* Add the figures of text p[0..n) to s (merging: sums).  0, ND_ERR_NOMEM,
** or ND_ERR_INVALID with why (the line and what is wrong with it) in
** err[0..errcap); s is then partly added to and should be dropped. */
int qs_read(qstats *s, const char *p, size_t n, char *err, size_t errcap);

/* Append s as text to out.  0 or ND_ERR_NOMEM. */
int qs_write(const qstats *s, buf *out);

/* Merge the texts parts[0..n) (NUL-terminated) into one, appended to out.
** 0, ND_ERR_NOMEM, or ND_ERR_INVALID with *bad the index of the part at
** fault (a NULL part is one) and why in err[0..errcap). */
int qs_merge(const char *const *parts, size_t n, buf *out, size_t *bad, char *err, size_t errcap);

/* key[0..len) escaped as in the text, NUL-terminated, into out[0..cap)
** (cut short if it does not fit): for messages. */
void qs_escape(const char *key, size_t len, char *out, size_t cap);

#endif
