/*
** test_store_merge.c -- the archive's shared zstd dictionary and merges that
** copy compressed blocks.
**
** Invented articles (the fixtures news.jsonl and wire.jsonl.zst) are added
** in three commits: a few (a segment too small to train a dictionary), then
** about 20 MB of wire copy (a segment that trains the archive's dictionary),
** then more (a segment written with it).
** Runs of articles are deleted and some replaced, then everything is merged.
** Checked: the later segments carry the first full segment's dictionary;
** the merged segment has it too and holds, byte for byte, exactly the
** compressed blocks of the inputs that lost no article (the others'
** records are re-packed); every live article reads back field for field as
** before the merge, deleted ones are gone, and `nd_check` finds nothing;
** after reopening, new segments get the dictionary again.
*/
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "index/index.h"
#include "ingest/ingest.h"
#include "newsdex.h"
#include "test.h"
#include "testdata.h"
#include "testfs.h"
#include "testutil.h"

#define MAX_DOCS 7000

static char dir[256];
static nd_index *ix;
static size_t nadded;
static char *ids[MAX_DOCS];
static uint64_t prints[MAX_DOCS]; /* fingerprint of each article as stored; 0: deleted */
static test_ids byid;

static const char *id_at(size_t i) { return ids[i]; }

static uint64_t mix(uint64_t h, const char *s) {
  return (h ^ (s ? fnv(s, strlen(s)) : 7)) * 0x9E3779B97F4A7C15ull + 1;
}

/* A fingerprint of every stored field of an article, 0 if it is absent. */
static uint64_t fingerprint(const char *id) {
  nd_document *d = NULL;
  int rc = nd_get(ix, id, &d);
  if (rc) return 0;
  const nd_doc *x = nd_document_doc(d);
  uint64_t h = 1;
  const char *f[] = {x->id, x->title, x->date, x->source, x->url, x->body, x->extra_json};
  for (size_t i = 0; i < sizeof f / sizeof *f; i++) h = mix(h, f[i]);
  for (size_t i = 0; i < x->n_marked; i++) h = mix(h, x->marked[i]);
  nd_document_free(d);
  return h ? h : 1;
}

typedef struct load {
  size_t skip, want, seen;
  uint64_t raw;
} load;

static int on_doc(void *ctx, const nd_doc *d, const char *file, uint64_t line) {
  (void)file, (void)line;
  load *l = ctx;
  if (l->seen++ < l->skip) return 0;
  if (nadded >= l->want || nadded >= MAX_DOCS) return 1;
  const char *id;
  if (nd_add(ix, d, &id)) return 0;
  ids[nadded++] = xstrdup(id);
  l->raw += (d->body ? strlen(d->body) : 0) + (d->title ? strlen(d->title) : 0);
  return 0;
}

static void on_err(void *ctx, const char *file, uint64_t line, const char *reason) {
  (void)ctx, (void)file, (void)line, (void)reason;
}

/* Add articles of the fixture `name` (from article `skip` on) until nadded is `want`. */
static uint64_t add_from(const char *name, size_t skip, size_t want) {
  char path[1024];
  load l = {skip, want, 0, 0};
  ingest_path(test_fixture(path, sizeof path, name), on_doc, on_err, &l, NULL);
  return l.raw;
}

static const uint8_t *dict_of(size_t seg, size_t *len) { return store_dict(&ix->snap.segs[seg].seg.st, len); }

static int same_dict(size_t a, size_t b) {
  size_t la, lb;
  const uint8_t *da = dict_of(a, &la), *db = dict_of(b, &lb);
  return la && la == lb && !memcmp(da, db, la);
}

static uint64_t frame_hash(const segment *s, uint32_t b) {
  const uint8_t *f;
  size_t n;
  if (store_frame(&s->st, b, &f, &n)) return 0;
  return XXH3_64bits(f, n);
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

static void test_shared_dictionary_and_block_copy(void) {
  snprintf(dir, sizeof dir, "/tmp/nd_storemerge_XXXXXX");
  ASSERT(mkdtemp(dir));
  char ixdir[300];
  snprintf(ixdir, sizeof ixdir, "%s/ix", dir);
  nd_open_options o = {.merge_factor = 1, .threads = 1};
  ASSERT_OK(nd_open(ixdir, ND_OPEN_CREATE, &o, &ix));

  add_from("news.jsonl", 0, 8);
  ASSERT_OK(nd_commit(ix));
  ASSERT_EQ_INT(ix->snap.n, 1);
  size_t l0;
  dict_of(0, &l0);
  ASSERT_EQ_INT(l0, 0); /* too small to train one */

  size_t first = nadded;
  uint64_t raw = add_from("wire.jsonl.zst", 0, first + 5200);
  ASSERT(raw > STORE_TRAIN); /* enough to train the archive's dictionary */
  ASSERT_OK(nd_commit(ix));
  size_t second = nadded;
  add_from("news.jsonl", 8, second + 1400);
  ASSERT_OK(nd_commit(ix));
  ASSERT_EQ_INT(ix->snap.n, 3);
  size_t l1;
  dict_of(1, &l1);
  ASSERT(l1 > 0);
  ASSERT(same_dict(1, 2)); /* the third segment was given the second's */
  ASSERT(ix->zdict_len == l1);

  /* Delete runs of articles (whole blocks and parts of blocks), replace a few. */
  test_ids_build(&byid, nadded, id_at);
  size_t ndel = 0;
  for (size_t i = first; i < nadded; i++)
    if ((i / 37) % 4 == 1 || i % 101 == 0) {
      int r = nd_delete(ix, ids[i]);
      ASSERT(r == ND_OK || r == ND_ERR_NOTFOUND); /* an id met twice was replaced, deleted once */
      ndel += r == ND_OK;
    }
  for (size_t i = first + 5; i < nadded; i += 503) {
    nd_doc r = {.id = ids[i], .title = "Replaced", .date = "2004-06-28", .body = "A replacement body about NATO."};
    ASSERT_OK(nd_add(ix, &r, NULL));
  }
  ASSERT_OK(nd_commit(ix));
  for (size_t i = 0; i < nadded; i++) prints[i] = fingerprint(ids[i]);
  size_t live = 0;
  for (size_t i = 0; i < nadded; i++) live += prints[i] != 0;
  ASSERT(ndel > 1000 && live > 3000);

  /* The frames the merge may copy: blocks of the dictionary's segments
  ** whose articles are all live and in record order. */
  size_t nfr = 0, whole = 0;
  uint64_t *fr = xmalloc(sizeof *fr * 20000);
  for (size_t g = 0; g < ix->snap.n; g++) {
    const snap_seg *sg = &ix->snap.segs[g];
    if (!same_dict(g, 1)) continue;
    for (uint32_t d = 0, e; d < sg->seg.m.ndocs; d = e) {
      uint32_t b = seg_block_of(&sg->seg, d);
      int ok = 1;
      for (e = d; e < sg->seg.m.ndocs && seg_block_of(&sg->seg, e) == b; e++)
        if (ss_deleted(sg, e) || seg_rec_of(&sg->seg, e) != e - d) ok = 0;
      if (ok) {
        ASSERT(nfr < 20000);
        fr[nfr++] = frame_hash(&sg->seg, b);
        whole++;
      }
    }
  }
  ASSERT(whole > 20);
  qsort(fr, nfr, sizeof *fr, cmp_u64);

  ASSERT_OK(nd_optimize(ix));
  ASSERT_EQ_INT(ix->snap.n, 1);
  size_t lm;
  const uint8_t *dm = dict_of(0, &lm);
  ASSERT(lm == ix->zdict_len && !memcmp(dm, ix->zdict, lm));
  const segment *m = &ix->snap.segs[0].seg;
  size_t copied = 0;
  for (uint32_t b = 0; b < m->m.store_nblocks; b++) {
    uint64_t h = frame_hash(m, b);
    if (bsearch(&h, fr, nfr, sizeof h, cmp_u64)) copied++;
  }
  fprintf(stderr, "  %u blocks after the merge, %zu copied as they were (%zu could be)\n", m->m.store_nblocks, copied,
          whole);
  ASSERT_EQ_INT(copied, whole);
  free(fr);

  size_t bad = 0;
  for (size_t i = 0; i < nadded; i++)
    if (fingerprint(ids[i]) != prints[i]) bad++;
  ASSERT_EQ_INT(bad, 0);
  nd_check_report rep;
  ASSERT_OK(nd_check(ixdir, NULL, NULL, &rep));

  /* Reopened, the archive gives new segments its dictionary again -- also
  ** when, as here, the merge dropped enough deleted articles to leave a
  ** segment smaller than a full training sample. */
  ASSERT(m->m.raw_bytes < STORE_TRAIN);
  nd_close(ix);
  ASSERT_OK(nd_open(ixdir, ND_OPEN_WRITE, &o, &ix));
  ASSERT(ix->zdict_len == lm);
  nd_doc x = {.id = "fresh-1", .title = "Fresh", .body = "A new article after reopening."};
  ASSERT_OK(nd_add(ix, &x, NULL));
  ASSERT_OK(nd_commit(ix));
  ASSERT_EQ_INT(ix->snap.n, 2);
  ASSERT(same_dict(0, 1));
  ASSERT(fingerprint("fresh-1") != 0);
  nd_close(ix);
  ix = NULL;
  rm_rf(ixdir);
  rm_rf(dir);
  for (size_t i = 0; i < nadded; i++) free(ids[i]);
  free(byid.slot);
}

TEST_MAIN(TEST(test_shared_dictionary_and_block_copy))
