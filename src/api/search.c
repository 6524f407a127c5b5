/*
** search.c -- nd_search(): parse, execute, fetch hits, make snippets;
** search_tree() for the other modules of src/api/ that build their own query.
*/
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../index/index.h"
#include "../index/stories.h"
#include "../ingest/ingest.h"
#include "../present/snippet.h"
#include "../query/exec.h"
#include "../query/parse.h"
#include "../query/stats.h"
#include "../util/mem.h"
#include "api.h"

struct nd_results {
  uint64_t total;
  int total_exact;
  size_t n;
  nd_hit *hits;
  nd_document **docs;
  char **snippets;
  char **marked; /* per hit with mark_title: its title with the matches marked */
  char **made; /* strings made for a hit: the headline of an untitled hit,
                ** or its id in an ids_only search */
  char (*keys)[2][17]; /* per hit: its story and thread keys in hex */
  uint64_t stories;
};

/* The headline of an untitled hit: its body's first sentence (lead_make(),
** sentences as src/text/sentence.h finds them), cut at about this many
** characters. */
#define LEAD_CHARS 80

typedef struct fetch_key {
  uint32_t seg, block, hit;
} fetch_key;

static int cmp_fetch(const void *a, const void *b) {
  const fetch_key *x = a, *y = b;
  if (x->seg != y->seg) return x->seg < y->seg ? -1 : 1;
  if (x->block != y->block) return x->block < y->block ? -1 : 1;
  return (x->hit > y->hit) - (x->hit < y->hit);
}

static const char *or_empty(const char *s) { return s ? s : ""; }

void nd_results_free(nd_results *r) {
  if (!r) return;
  for (size_t i = 0; i < r->n; i++) {
    nd_document_free(r->docs[i]);
    mem_free(r->snippets[i]);
    mem_free(r->marked[i]);
    mem_free(r->made[i]);
  }
  mem_free(r->made);
  mem_free(r->marked);
  mem_free(r->keys);
  mem_free(r->hits);
  mem_free(r->docs);
  mem_free(r->snippets);
  mem_free(r);
}

/* Remove the hit with this id (or, if it is not among them, the surplus
** last one) so that at most `limit` remain. */
static void drop_hit(nd_results *r, const char *id, size_t limit) {
  size_t i = 0;
  while (i < r->n && strcmp(r->hits[i].id, id)) i++;
  if (i < r->n) {
    if (r->total) r->total--;
  } else if (r->n > limit) {
    i = r->n - 1;
  } else {
    return;
  }
  nd_document_free(r->docs[i]);
  mem_free(r->snippets[i]);
  mem_free(r->marked[i]);
  mem_free(r->made[i]);
  size_t tail = r->n - i - 1;
  memmove(r->hits + i, r->hits + i + 1, tail * sizeof *r->hits);
  memmove(r->docs + i, r->docs + i + 1, tail * sizeof *r->docs);
  memmove(r->snippets + i, r->snippets + i + 1, tail * sizeof *r->snippets);
  memmove(r->marked + i, r->marked + i + 1, tail * sizeof *r->marked);
  memmove(r->made + i, r->made + i + 1, tail * sizeof *r->made);
  memmove(r->keys + i, r->keys + i + 1, tail * sizeof *r->keys);
  for (size_t k = i; k < r->n - 1; k++) { /* the key strings moved */
    r->hits[k].story = r->keys[k][0];
    r->hits[k].thread = r->keys[k][1];
  }
  r->n--;
}

uint64_t nd_results_total(const nd_results *r) { return r->total; }
uint64_t nd_results_stories(const nd_results *r) { return r->stories; }
void api_results_set_stories(nd_results *r, uint64_t stories) { r->stories = stories; }
int nd_results_total_exact(const nd_results *r) { return r->total_exact; }
size_t nd_results_count(const nd_results *r) { return r->n; }

int nd_results_hit(const nd_results *r, size_t i, nd_hit *out) {
  if (i >= r->n) return ND_ERR_INVALID;
  *out = r->hits[i];
  return 0;
}

const nd_doc *nd_results_doc(const nd_results *r, size_t i) {
  return i < r->n && r->docs[i] ? nd_document_doc(r->docs[i]) : NULL;
}

int api_parse(nd_index *ix, const char *query, qnode **out) {
  *out = NULL;
  ix->erroff = 0;
  if (!query) return ix_fail(ix, ND_ERR_INVALID, "no query");
  char why[256];
  size_t off = 0;
  int r = qp_parse(ix->an, query, out, why, sizeof why, &off);
  if (r == -2) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  if (r) {
    ix->erroff = off;
    return ix_fail(ix, ND_ERR_QUERY, "%s", why);
  }
  return 0;
}

int nd_search(nd_index *ix, const char *query, const nd_search_options *opts, nd_results **out) {
  *out = NULL;
  qnode *q = NULL;
  int rc = api_parse(ix, query, &q);
  if (!rc) rc = search_tree(ix, q, opts, NULL, out);
  qnode_free(q);
  return rc;
}

static int count_member(void *ctx, size_t si, uint32_t doc) {
  (void)si, (void)doc;
  ++*(uint64_t *)ctx;
  return 0;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return (x > y) - (x < y);
}

/* The stories among the matches: exact from the joiners of the segments
** (exec_stories); with a lower-bound count, the distinct stories of the
** hits kept. */
static int count_stories(nd_index *ix, const qnode *q, int exact, uint64_t total, size_t nh, const exec_hit *hits,
                         uint64_t *out) {
  *out = 0;
  if (!exact) {
    uint64_t *k = mem_alloc(nh * sizeof *k + 1);
    if (!k) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < nh; i++) k[i] = seg_story(&ix->snap.segs[hits[i].seg].seg, hits[i].doc);
    qsort(k, nh, sizeof *k, cmp_u64);
    for (size_t i = 0; i < nh; i++) *out += i == 0 || k[i] != k[i - 1];
    mem_free(k);
    return 0;
  }
  return exec_stories(ix, q, total, out);
}

/* Options with their defaults filled in. */
static nd_search_options defaults(const nd_search_options *opts) {
  nd_search_options o = {0};
  if (opts) o = *opts;
  if (o.count == ND_COUNT_ONLY) o.limit = o.offset = 0; /* no hits: exec_search() counts exactly */
  else if (o.limit == 0) o.limit = 10;
  if (o.snippet_chars == 0) o.snippet_chars = 160;
  if (!o.hl_open) o.hl_open = "[";
  if (!o.hl_close) o.hl_close = "]";
  return o;
}

int api_results(nd_index *ix, const exec_hit *hits, size_t nh, const nd_search_options *opts, const qnode *q,
                nd_results **out) {
  nd_search_options o = defaults(opts);
  if (!q) o.snippets = ND_SNIPPET_NONE;
  int rc = 0;
  nd_results *res = NULL;
  hl_terms hl = {0};
  fetch_key *order = NULL;
  blk_cache cache = {0};
  buf sn;
  buf_init(&sn);
  res = mem_calloc(1, sizeof *res);
  if (!res || !(res->hits = mem_calloc(nh + 1, sizeof *res->hits)) ||
      !(res->docs = mem_calloc(nh + 1, sizeof *res->docs)) || !(res->snippets = mem_calloc(nh + 1, sizeof *res->snippets)) ||
      !(res->marked = mem_calloc(nh + 1, sizeof *res->marked)) ||
      !(res->made = mem_calloc(nh + 1, sizeof *res->made)) || !(res->keys = mem_calloc(nh + 1, sizeof *res->keys)) ||
      (o.snippets && hl_collect(q, &hl))) {
    rc = ix_fail(ix, ND_ERR_NOMEM, "out of memory");
    goto done;
  }
  res->total = res->stories = nh;
  res->total_exact = 1;
  /* Fetch in store order, so that hits sharing a block share its decompression. */
  if (!(order = mem_alloc(nh * sizeof *order + 1))) {
    rc = ix_fail(ix, ND_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (size_t i = 0; i < nh; i++) {
    const segment *sg = &ix->snap.segs[hits[i].seg].seg;
    order[i] = (fetch_key){hits[i].seg, seg_block_of(sg, hits[i].doc), (uint32_t)i};
  }
  res->n = nh; /* docs[] and snippets[] start NULL: freeing a partial result is safe */
  if (o.ids_only) {
    for (size_t i = 0; i < nh; i++) {
      size_t n;
      const char *id = seg_id(&ix->snap.segs[hits[i].seg].seg, hits[i].doc, &n);
      if (!id) {
        rc = ix_fail(ix, ND_ERR_CORRUPT, "segment %u: id of article %u damaged", ix->snap.segs[hits[i].seg].seg.segno,
                     hits[i].doc);
        goto done;
      }
      if (!(res->made[i] = mem_strndup(id, n))) {
        rc = ix_fail(ix, ND_ERR_NOMEM, "out of memory");
        goto done;
      }
      const segment *sg = &ix->snap.segs[hits[i].seg].seg;
      put_hex64(res->keys[i][0], seg_story(sg, hits[i].doc));
      put_hex64(res->keys[i][1], seg_thread(sg, hits[i].doc));
      res->hits[i] = (nd_hit){res->made[i], hits[i].score, "", "", "", "", "", "", 0, res->keys[i][0], res->keys[i][1], ""};
    }
    goto done;
  }
  qsort(order, nh, sizeof *order, cmp_fetch);
  for (size_t k = 0; k < nh; k++) {
    size_t i = order[k].hit;
    const snap_seg *g = &ix->snap.segs[hits[i].seg];
    rc = seg_get_cached(&g->seg, hits[i].doc, &cache, &res->docs[i]);
    if (rc) {
      rc = ix_fail(ix, rc, "segment %u: cannot read article %u: %s", g->seg.segno, hits[i].doc, nd_strerror(rc));
      goto done;
    }
  }
  for (size_t i = 0; i < nh; i++) {
    const nd_doc *d = &res->docs[i]->doc;
    if (o.snippets) {
      /* An article without a body (title only) gets its title as snippet. */
      const char *text = d->body && !ingest_blank(d->body, strlen(d->body)) ? d->body : d->title ? d->title : "";
      buf_reset(&sn);
      if (snippet_make(ix->an, text, &hl, o.snippets, o.snippet_chars, o.hl_open, o.hl_close, &sn) ||
          !(res->snippets[i] = mem_strndup((const char *)sn.p, sn.n))) {
        rc = ix_fail(ix, ND_ERR_NOMEM, "out of memory");
        goto done;
      }
      /* The whole title marked: a window longer than the title is all of it. */
      if (o.mark_title && d->title && d->title[0]) {
        buf_reset(&sn);
        if (snippet_make(ix->an, d->title, &hl, o.snippets, strlen(d->title) + 1, o.hl_open, o.hl_close, &sn) ||
            !(res->marked[i] = mem_strndup((const char *)sn.p, sn.n))) {
          rc = ix_fail(ix, ND_ERR_NOMEM, "out of memory");
          goto done;
        }
      }
    }
    const char *headline = d->title;
    if (!headline || !headline[0]) {
      buf_reset(&sn);
      lead_make(d->body ? d->body : "", LEAD_CHARS, &sn);
      if (sn.oom || !(headline = res->made[i] = mem_strndup((const char *)sn.p, sn.n))) {
        rc = ix_fail(ix, ND_ERR_NOMEM, "out of memory");
        goto done;
      }
    }
    const segment *sg = &ix->snap.segs[hits[i].seg].seg;
    uint64_t story = seg_story(sg, hits[i].doc), others = 0;
    put_hex64(res->keys[i][0], story);
    put_hex64(res->keys[i][1], seg_thread(sg, hits[i].doc));
    story_members(ix, 0, story, count_member, &others);
    res->hits[i] = (nd_hit){d->id, hits[i].score, or_empty(d->title), or_empty(d->date), or_empty(d->source),
                            or_empty(d->url), or_empty(res->snippets[i]), headline, others ? others - 1 : 0,
                            res->keys[i][0], res->keys[i][1], or_empty(res->marked[i])};
  }
done:
  buf_free(&sn);
  buf_free(&cache.data);
  mem_free(order);
  hl_free(&hl);
  if (rc) {
    nd_results_free(res);
    return rc;
  }
  *out = res;
  return 0;
}

int search_tree(nd_index *ix, const qnode *q, const nd_search_options *opts, const char *exclude_id,
                nd_results **out) {
  *out = NULL;
  nd_search_options o = defaults(opts);
  exec_hit *hits = NULL;
  size_t nh = 0;
  uint64_t total = 0;
  /* One hit more, in case the excluded article is among them. */
  size_t want = exclude_id && o.limit && o.limit < SIZE_MAX ? o.limit + 1 : o.limit;
  int exact = o.count != ND_COUNT_LOWER_BOUND;
  exec_opts eo = {o.offset, want, o.sort, o.versions != ND_VERSIONS_ALL, o.half_life, o.as_of, NULL};
  if (eo.half_life > 0 && eo.as_of == 0) eo.as_of = (int64_t)time(NULL);
  qstats given; /* figures shared by shards, scored with instead of the archive's */
  qs_init(&given);
  int rc = o.stats ? api_stats_read(ix, o.stats, &given) : 0;
  if (o.stats) eo.stats = &given;
  if (!rc) rc = exec_search(ix, q, &eo, &exact, &hits, &nh, &total);
  qs_free(&given);
  nd_results *res = NULL;
  uint64_t stories = 0;
  /* Stories are counted when versions are collapsed; every version
  ** asked for, they are not (a peer's count is of articles). */
  if (!rc && eo.collapse) rc = count_stories(ix, q, exact, total, nh, hits, &stories);
  else stories = total;
  if (!rc) rc = api_results(ix, hits, nh, &o, q, &res);
  mem_free(hits);
  if (rc) return rc;
  res->total = total;
  res->total_exact = exact;
  res->stories = stories;
  if (exclude_id) drop_hit(res, exclude_id, o.limit);
  *out = res;
  return 0;
}
