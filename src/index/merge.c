/*
** merge.c -- merging segments into one, dropping deleted articles.
**
** Documents keep their order: those of the first input segment come first.
** Their stored blocks are copied compressed when the inputs share a zstd
** dictionary (segment.c's segw_copy_docs), as segments written by one
** archive do.
** Terms are merged by walking every input dictionary in step; a term's
** postings are copied input by input with the documents renumbered, so
** nothing but one term's postings is held in memory.
*/
#include <string.h>

#include "../util/mem.h"
#include "index.h"

typedef struct merge_in {
  const snap_seg *s;
  uint32_t *remap; /* old doc -> new doc, UINT32_MAX if deleted */
  dict_iter it;
  int live;        /* the iterator is on a term */
} merge_in;

static int copy_docs(merge_in *in, size_t n, seg_writer *w, buf *scratch) {
  for (size_t i = 0; i < n; i++) {
    const segment *g = &in[i].s->seg;
    in[i].remap = mem_alloc((size_t)g->m.ndocs * sizeof(uint32_t) + 1);
    if (!in[i].remap) return ND_ERR_NOMEM;
    int rc = segw_copy_docs(w, g, in[i].s->del, in[i].remap, scratch);
    if (rc) return rc;
  }
  return 0;
}

/* The dictionary the merged segment's articles are compressed with: the
** inputs' own when they all have the same, so that their blocks are copied
** as they are; else the archive's (or, with none, a trained one). */
static const uint8_t *merged_dict(const nd_index *ix, const snap_seg *segs, size_t n, size_t *len) {
  size_t l0;
  const uint8_t *d0 = store_dict(&segs[0].seg.st, &l0);
  for (size_t i = 1; i < n && l0; i++) {
    size_t l;
    const uint8_t *d = store_dict(&segs[i].seg.st, &l);
    if (l != l0 || memcmp(d, d0, l)) l0 = 0;
  }
  if (l0) { *len = l0; return d0; }
  *len = ix->zdict_len;
  return ix->zdict;
}

static int cmp_term(const dict_iter *a, const dict_iter *b) {
  int c = memcmp(a->term, b->term, a->len < b->len ? a->len : b->len);
  return c ? c : (a->len > b->len) - (a->len < b->len);
}

static int copy_terms(merge_in *in, size_t n, seg_writer *w) {
  uint32_t *pos = NULL;
  size_t poscap = 0;
  int rc = 0;
  for (size_t i = 0; i < n; i++) {
    int r = dict_seek(&in[i].it, &in[i].s->seg.d, "", 0);
    if (r < 0) return ND_ERR_CORRUPT;
    in[i].live = r;
  }
  for (;;) {
    const dict_iter *min = NULL;
    for (size_t i = 0; i < n; i++)
      if (in[i].live && (!min || cmp_term(&in[i].it, min) < 0)) min = &in[i].it;
    if (!min) break;
    char term[DICT_MAX_TERM + 1];
    size_t len = min->len;
    memcpy(term, min->term, len);
    if ((rc = segw_term_begin(w, term, len))) break;
    for (size_t i = 0; i < n && !rc; i++) {
      dict_iter *it = &in[i].it;
      if (!in[i].live || it->len != len || memcmp(it->term, term, len)) continue;
      const segment *g = &in[i].s->seg;
      pl_cursor c;
      seg_postings(&c, g, &it->ti);
      for (; c.doc != PL_END && !rc; pl_next(&c)) {
        if (c.doc >= g->m.ndocs) { c.err = 1; break; }
        uint32_t nd = in[i].remap[c.doc];
        if (nd == UINT32_MAX) continue;
        size_t k = (size_t)pl_tft(&c) + pl_tfb(&c);
        if (k > poscap) {
          uint32_t *np = mem_realloc(pos, k * sizeof *pos);
          if (!np) { rc = ND_ERR_NOMEM; break; }
          pos = np;
          poscap = k;
        }
        if (pl_positions(&c, pos) < 0) break;
        rc = segw_term_doc(w, nd, pl_tft(&c), pl_tfb(&c), pos, k);
      }
      if (c.err && !rc) rc = ND_ERR_CORRUPT;
      int r = dict_next(it);
      if (r < 0 && !rc) rc = ND_ERR_CORRUPT;
      in[i].live = r == 1;
    }
    if (!rc) rc = segw_term_end(w);
    if (rc) break;
  }
  mem_free(pos);
  return rc;
}

int merge_segments(nd_index *ix, const snap_seg *segs, size_t n, uint32_t segno, seg_meta *out) {
  merge_in *in = mem_calloc(n, sizeof *in);
  if (!in) return ND_ERR_NOMEM;
  for (size_t i = 0; i < n; i++) in[i].s = &segs[i];
  seg_writer w;
  size_t dlen;
  const uint8_t *zdict = merged_dict(ix, segs, n, &dlen);
  int rc = segw_open(&w, ix->st, segno, STORE_LEVEL, zdict, dlen);
  if (!rc) rc = copy_docs(in, n, &w, &ix->scratch);
  if (!rc) rc = copy_terms(in, n, &w);
  if (rc) segw_abort(&w);
  else rc = segw_finish(&w, out);
  for (size_t i = 0; i < n; i++) mem_free(in[i].remap);
  mem_free(in);
  return rc;
}
