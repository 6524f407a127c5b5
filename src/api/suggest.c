/*
** suggest.c -- nd_suggest(): completions of a prefix from the term
** dictionaries of the snapshot's segments, most frequent first.
**
** The prefix is folded like a prefix query (not stemmed); each segment's
** dictionary is read from the first term >= the prefix while terms start
** with it (at most SUGGEST_MAX_TERMS per segment, so a one-letter prefix
** costs a bounded scan), and the document frequencies of equal terms are
** added up over the segments.
*/
#include <string.h>

#include "../index/index.h"
#include "../util/mem.h"
#include "api.h"

#define SUGGEST_MAX_TERMS 20000

int nd_suggest(nd_index *ix, const char *prefix, size_t limit, nd_count **out, size_t *n) {
  *out = NULL;
  *n = 0;
  if (!prefix) return ix_fail(ix, ND_ERR_INVALID, "no prefix");
  if (limit == 0) limit = 10;
  char key[DICT_MAX_TERM + 1];
  size_t len = an_fold(ix->an, prefix, strlen(prefix), key, sizeof key);
  tally t;
  tally_init(&t);
  int rc = 0;
  /* Terms of other fields start with a control byte: never offered. */
  for (size_t si = 0; len && (unsigned char)key[0] >= 0x20 && si < ix->snap.n && !rc; si++) {
    const segment *s = &ix->snap.segs[si].seg;
    dict_iter di;
    int r = dict_seek(&di, &s->d, key, len);
    for (size_t k = 0; r == 1 && k < SUGGEST_MAX_TERMS; k++, r = dict_next(&di)) {
      if (di.len < len || memcmp(di.term, key, len)) break;
      if (tally_add(&t, di.term, di.len, di.ti.df)) { rc = ix_fail(ix, ND_ERR_NOMEM, "out of memory"); break; }
    }
    if (!rc && r < 0) rc = ix_fail(ix, ND_ERR_CORRUPT, "segment %u: damaged dictionary (run newsdex check)", s->segno);
  }
  if (!rc && !(*out = tally_top(&t, 0, limit, 0, n))) rc = ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  tally_free(&t);
  return rc;
}
