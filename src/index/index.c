/*
** index.c -- opening an archive, adding, deleting, committing.
**
** Writers hold the storage's writer lock (an flock() on dir/LOCK for a
** directory) for the life of the handle.
** Added articles go to the in-memory buffer (membuf.c) and, when it is full,
** to new segment files that no manifest names yet.  nd_commit() writes the
** rest, writes new deletion files, and switches MANIFEST atomically; only
** then are files that the new manifest no longer names removed.  A crash
** before the rename leaves the previous commit intact, and the next writer
** removes the orphaned files when it opens the archive.
*/
#include "alias.h"
#include "index.h"
#include "stories.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "../ingest/ingest.h"
#include "../ingest/markers.h"
#include "topic_terms.h"
#include "../util/date.h"
#include "../util/file.h"
#include "../util/mem.h"

#define DEFAULT_BUFFER (64u << 20)
#define MAX_ID 512
#define MERGE_FACTOR 10 /* the default */

/* A full buffer being written as segment `segno` by a background thread,
** while the caller goes on analysing articles into a new buffer. */
typedef struct flush_job {
  pthread_t thread;
  membuf *mb;
  const nd_storage *st;
  uint32_t segno;
  const uint8_t *dict; /* the archive's zstd dictionary (or NULL) */
  size_t dict_len;
  int rc;
} flush_job;

/* Take a segment's zstd dictionary as the archive's, the one new segments
** are written with, if there is none yet and the segment's was trained on
** a full sample (codec/store.h): sharing one dictionary lets merges copy
** compressed blocks.  A full sample is known by the segment's size when it
** trained the dictionary itself, and by the dictionary's when the segment
** was given it and is smaller (a merge that dropped deleted articles): a
** segment trained on less than a full sample gets a dictionary smaller
** than STORE_DICT_MAX.  Out of memory just leaves the archive without. */
static void adopt_dict(nd_index *ix, const segment *s) {
  size_t len;
  const uint8_t *d = store_dict(&s->st, &len);
  /* only a writer compresses (new segments, merges) */
  if (!(ix->flags & ND_OPEN_WRITE) || ix->zdict || !len || (s->m.raw_bytes < STORE_TRAIN && len < STORE_DICT_MAX)) return;
  if ((ix->zdict = mem_alloc(len))) {
    memcpy(ix->zdict, d, len);
    ix->zdict_len = len;
  }
}

static const char *const ERRORS[] = {"ok", "out of memory", "input/output error", "archive damaged",
                                     "archive locked by another writer", "malformed query", "not found",
                                     "invalid argument", "archive opened read-only", "no space left on device",
                                     "incompatible archive version", "limit exceeded"};

const char *nd_strerror(int rc) {
  if (rc > 0 || -rc >= (int)(sizeof ERRORS / sizeof *ERRORS)) return "unknown error";
  return ERRORS[-rc];
}

int ix_fail(nd_index *ix, int rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ix->err, sizeof ix->err, fmt, ap);
  va_end(ap);
  return rc;
}

const char *nd_errmsg(const nd_index *ix) { return ix ? ix->err : "out of memory"; }
size_t nd_error_offset(const nd_index *ix) { return ix ? ix->erroff : 0; }

/* ---- snapshots -------------------------------------------------------- */

static void snap_free(snapshot *s) {
  for (size_t i = 0; i < s->n; i++) {
    seg_close(&s->segs[i].seg);
    if (s->segs[i].del) roaring_bitmap_free(s->segs[i].del);
  }
  mem_free(s->segs);
  memset(s, 0, sizeof *s);
}

/* Open the segments named by m into s. */
static int snap_load(nd_index *ix, const manifest *m, snapshot *s) {
  memset(s, 0, sizeof *s);
  s->segs = mem_calloc(m->nsegs + 1, sizeof *s->segs);
  if (!s->segs) return ix_fail(ix, ND_ERR_NOMEM, "out of memory opening %zu segments", m->nsegs);
  s->generation = m->generation;
  for (size_t i = 0; i < m->nsegs; i++) {
    snap_seg *g = &s->segs[i];
    g->ms = m->segs[i];
    int rc = seg_open(&g->seg, ix->st, g->ms.segno, ix->err, sizeof ix->err);
    if (!rc && g->seg.m.ndocs != g->ms.ndocs) {
      seg_close(&g->seg);
      rc = ix_fail(ix, ND_ERR_CORRUPT, "segment %u has %u articles, the manifest says %u", g->ms.segno,
                   g->seg.m.ndocs, g->ms.ndocs);
    }
    if (!rc && g->ms.delgen) {
      rc = del_read(ix->st, g->ms.segno, g->ms.delgen, &g->del, ix->err, sizeof ix->err);
      if (rc) seg_close(&g->seg);
    }
    if (rc) { snap_free(s); return rc; }
    adopt_dict(ix, &g->seg);
    s->n++;
    s->total_docs += g->seg.m.ndocs;
    s->live_docs += g->seg.m.ndocs - (g->del ? roaring_bitmap_get_cardinality(g->del) : 0);
    s->sum_title_len += g->seg.m.sum_title_len;
    s->sum_body_len += g->seg.m.sum_body_len;
  }
  bm25_norms(bm25_avg(s->sum_title_len, s->total_docs), s->norm_t);
  bm25_norms(bm25_avg(s->sum_body_len, s->total_docs), s->norm_b);
  return 0;
}

/* Read the manifest and open its segments.  A file that is missing is
** either one a commit removed between the two reads (a merge replaced the
** segment, or newer deletions the deletion file): then start again from
** the new manifest, a bounded number of times; or, when the manifest has
** not changed, damage. */
static int load_current(nd_index *ix) {
  for (int attempt = 0;; attempt++) {
    manifest m;
    int rc = man_read(ix->st, ix->dir, &m, ix->err, sizeof ix->err);
    if (rc) return rc;
    snapshot s;
    rc = snap_load(ix, &m, &s);
    if (rc == ND_ERR_NOTFOUND) {
      manifest now;
      char err[512];
      int moved = man_read(ix->st, ix->dir, &now, err, sizeof err) == 0 && now.generation != m.generation;
      man_free(&now);
      if (moved && attempt < 50) { man_free(&m); continue; }
      size_t n = strlen(ix->err);
      snprintf(ix->err + n, sizeof ix->err - n, " (named by MANIFEST generation %llu)", (unsigned long long)m.generation);
      rc = moved ? ND_ERR_IO : ND_ERR_CORRUPT;
    }
    if (rc) { man_free(&m); return rc; }
    snap_free(&ix->snap);
    man_free(&ix->man);
    ix->man = m;
    ix->snap = s;
    return 0;
  }
}

int nd_refresh(nd_index *ix) {
  if (ix->flags & ND_OPEN_WRITE) return 0; /* a writer's snapshot is its own last commit */
  return load_current(ix);
}

/* ---- open / close ----------------------------------------------------- */

/* A writer removes files that the manifest does not name: leftovers of a
** commit that crashed before its manifest was renamed. */
static int named_by_manifest(const manifest *m, const char *name) {
  unsigned segno;
  unsigned long long gen;
  char ext[8];
  int n = 0;
  if (sscanf(name, "s%6u_%6llu.del%n", &segno, &gen, &n) == 2 && n && !name[n]) {
    for (size_t i = 0; i < m->nsegs; i++)
      if (m->segs[i].segno == segno && m->segs[i].delgen == gen) return 1;
    return 0;
  }
  if (sscanf(name, "s%6u.%7[a-z]%n", &segno, ext, &n) == 2 && n && !name[n]) {
    for (size_t i = 0; i < m->nsegs; i++)
      if (m->segs[i].segno == segno) return 1;
    return 0;
  }
  if (name[0] == 's' && sscanf(name, "s%6u.", &segno) == 1) return 0; /* e.g. s000003.meta.tmp */
  return strcmp(name, "MANIFEST.tmp") != 0;
}

static int remove_orphan(void *arg, const char *name) {
  nd_index *ix = arg;
  if (!named_by_manifest(&ix->man, name)) vfs_remove(ix->st, name);
  return 0;
}

/* Remove what the manifest does not name.  Allocates nothing, so that it
** also cleans up after an allocation failure. */
static void remove_orphans(nd_index *ix) { ix->st->list(ix->st, remove_orphan, ix); }

int nd_open(const char *path, unsigned flags, const nd_open_options *opts, nd_index **out) {
  *out = NULL;
  nd_index *ix = mem_calloc(1, sizeof *ix);
  if (!ix) return ND_ERR_NOMEM;
  *out = ix;
  if (flags & ND_OPEN_CREATE) flags |= ND_OPEN_WRITE;
  ix->flags = flags;
  buf_init(&ix->scratch);
  buf_init(&ix->batch_text);
  ix->dir = mem_strdup(path);
  if (!ix->dir) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  ix->st = opts && opts->storage ? opts->storage : (ix->own_st = vfs_posix_new(path));
  if (!ix->st) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  const char *lang = opts && opts->language ? opts->language : "english";
  ix->buffer_bytes = opts && opts->buffer_bytes ? opts->buffer_bytes : DEFAULT_BUFFER;
  ix->merge_factor = opts && opts->merge_factor ? opts->merge_factor : MERGE_FACTOR;
  ix->near_dup = opts && opts->near_dup > 0 && opts->near_dup <= 1 ? opts->near_dup : ND_NEAR_DUP;
  ix->threads = opts && opts->threads ? opts->threads : 2;
  manifest m0 = {0};
  if ((flags & ND_OPEN_CREATE) && !an_language_ok(lang))
    return ix_fail(ix, ND_ERR_INVALID, "unknown stemming language \"%s\" (known: %s)", lang, an_languages());
  if (!(flags & ND_OPEN_CREATE)) {
    /* Do not leave a LOCK file in a directory that is not an archive. */
    int rc = man_read(ix->st, path, &m0, ix->err, sizeof ix->err);
    man_free(&m0);
    if (rc) return rc;
  }
  if ((flags & ND_OPEN_CREATE) && ix->own_st) {
    if (mkdir(path, 0755) && errno != EEXIST) return ix_fail(ix, status_from_errno(errno), "%s: %s", path, strerror(errno));
  }
  if ((flags & ND_OPEN_WRITE) && ix->st->lock) {
    int e = ix->st->lock(ix->st);
    if (e == EWOULDBLOCK)
      return ix_fail(ix, ND_ERR_LOCKED, "%s: another writer is using this archive (try again when it is done)", path);
    if (e) return ix_fail(ix, status_from_errno(e), "%s: cannot take the writer lock: %s", path, strerror(e));
    ix->locked = 1;
  }
  manifest m;
  int rc = man_read(ix->st, path, &m, ix->err, sizeof ix->err);
  if (rc == ND_ERR_NOTFOUND && (flags & ND_OPEN_CREATE)) {
    if (!an_language_ok(lang))
      return ix_fail(ix, ND_ERR_INVALID, "unknown stemming language \"%s\" (known: %s)", lang, an_languages());
    memset(&m, 0, sizeof m);
    snprintf(m.language, sizeof m.language, "%s", lang);
    m.next_segno = 1;
    if ((rc = man_write(ix->st, &m))) return ix_fail(ix, rc, "%s: cannot write MANIFEST: %s", path, nd_strerror(rc));
  } else if (rc) {
    return rc;
  } else {
    man_free(&m);
  }
  if ((rc = load_current(ix))) return rc;
  ix->an = an_new(ix->man.language);
  if (!ix->an) return ix_fail(ix, ND_ERR_CORRUPT, "archive language \"%s\" is not known", ix->man.language);
  if (flags & ND_OPEN_WRITE) {
    remove_orphans(ix);
    ix->next_segno = ix->man.next_segno;
    ix->mb = mb_new();
    if (!ix->mb) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  }
  ix->err[0] = 0;
  return 0;
}

static void workers_free(nd_index *ix);

/* Forget the segments flushed and the deletions made since the last
** commit (not the buffer).  Their files stay on disk: remove_orphans()
** removes them. */
static void drop_pending(nd_index *ix) {
  if (ix->inflight) {
    pthread_join(ix->inflight->thread, NULL);
    mb_free(ix->inflight->mb);
    mem_free(ix->inflight);
    ix->inflight = NULL;
  }
  for (size_t i = 0; i < ix->npend; i++) {
    seg_close(&ix->pend[i].seg);
    if (ix->pend[i].del) roaring_bitmap_free(ix->pend[i].del);
  }
  mem_free(ix->pend);
  ix->pend = NULL;
  ix->npend = 0;
  ix->nbufs = 0;
  story_pending_clear(ix->stories);
  if (ix->pend_del) {
    for (size_t i = 0; i < ix->snap.n; i++)
      if (ix->pend_del[i]) roaring_bitmap_free(ix->pend_del[i]);
    mem_free(ix->pend_del);
    ix->pend_del = NULL;
  }
}

void nd_close(nd_index *ix) {
  if (!ix) return;
  int flushed = ix->npend > 0 || ix->inflight;
  drop_pending(ix);
  if (flushed) remove_orphans(ix);
  mb_free(ix->mb);
  alias_free(ix->aliases);
  story_pending_free(ix->stories);
  snap_free(&ix->snap);
  man_free(&ix->man);
  an_free(ix->an);
  if (ix->locked && ix->st->unlock) ix->st->unlock(ix->st);
  vfs_posix_free(ix->own_st);
  buf_free(&ix->scratch);
  buf_free(&ix->batch_text);
  workers_free(ix);
  mem_free(ix->last_id);
  mem_free(ix->zdict);
  mem_free(ix->dir);
  mem_free(ix);
}

/* ---- adding and deleting ---------------------------------------------- */

/* A writer handle with a buffer (a new one if an earlier allocation of it failed). */
static int need_writer(nd_index *ix) {
  if (!(ix->flags & ND_OPEN_WRITE)) return ix_fail(ix, ND_ERR_READONLY, "%s: opened read-only", ix->dir);
  if (!ix->mb && !(ix->mb = mb_new())) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  return 0;
}

/* Mark every live copy of `id` deleted (pending).  Returns 1 if one was
** found, 0 if none, or ND_ERR_*. */
static int delete_id(nd_index *ix, const char *id) {
  int found = 0;
  uint32_t d;
  if (mb_find_id(ix->mb, id, &d)) { mb_delete(ix->mb, d); found = 1; }
  /* The buffer being written: its deletions are read once it is done. */
  if (ix->inflight && mb_find_id(ix->inflight->mb, id, &d)) { mb_delete(ix->inflight->mb, d); found = 1; }
  for (size_t i = 0; i < ix->npend; i++) {
    snap_seg *g = &ix->pend[i];
    int r = seg_find_id(&g->seg, id, g->del, &d);
    if (r < 0) return ix_fail(ix, r, "segment %u: cannot look up id \"%s\"", g->seg.segno, id);
    if (r) {
      if (!g->del && !(g->del = roaring_bitmap_create())) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
      roaring_bitmap_add(g->del, d);
      found = 1;
    }
  }
  for (size_t i = 0; i < ix->snap.n; i++) {
    snap_seg *g = &ix->snap.segs[i];
    roaring_bitmap_t *cur = ix->pend_del && ix->pend_del[i] ? ix->pend_del[i] : g->del;
    int r = seg_find_id(&g->seg, id, cur, &d);
    if (r < 0) return ix_fail(ix, r, "segment %u: cannot look up id \"%s\"", g->seg.segno, id);
    if (!r) continue;
    if (!ix->pend_del && !(ix->pend_del = mem_calloc(ix->snap.n + 1, sizeof *ix->pend_del)))
      return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
    roaring_bitmap_t **pd = &ix->pend_del[i];
    if (!*pd && !(*pd = g->del ? roaring_bitmap_copy(g->del) : roaring_bitmap_create()))
      return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
    if (!roaring_bitmap_contains(*pd, d)) {
      roaring_bitmap_add(*pd, d);
      found = 1;
    }
  }
  return found;
}

static int write_segment(const nd_storage *st, membuf *mb, uint32_t segno, const uint8_t *zdict, size_t zdict_len) {
  seg_writer w;
  int rc = segw_open(&w, st, segno, STORE_LEVEL, zdict, zdict_len);
  if (!rc) rc = mb_write(mb, &w);
  if (rc) {
    segw_abort(&w);
    return rc;
  }
  return segw_finish(&w, NULL);
}

static void *flush_main(void *arg) {
  flush_job *j = arg;
  j->rc = write_segment(j->st, j->mb, j->segno, j->dict, j->dict_len);
  return NULL;
}

/* Map the segment written from `mb` and add it to the pending ones, with
** the buffered articles that were deleted (replaced) meanwhile. */
static int add_pending(nd_index *ix, uint32_t segno, const membuf *mb) {
  snap_seg *p = mem_realloc(ix->pend, (ix->npend + 1) * sizeof *p);
  if (!p) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  ix->pend = p;
  snap_seg *g = &p[ix->npend];
  memset(g, 0, sizeof *g);
  int rc = seg_open(&g->seg, ix->st, segno, ix->err, sizeof ix->err);
  if (rc) return rc;
  const roaring_bitmap_t *del = mb_deleted(mb);
  if (del && !(g->del = roaring_bitmap_copy(del))) {
    seg_close(&g->seg);
    return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  }
  g->ms = (man_seg){segno, g->seg.m.ndocs, 0, 0};
  adopt_dict(ix, &g->seg);
  ix->npend++;
  return 0;
}

/* Wait for the background write, if there is one, and take its segment
** (or its failure). */
static int finish_inflight(nd_index *ix) {
  flush_job *j = ix->inflight;
  if (!j) return 0;
  pthread_join(j->thread, NULL);
  ix->inflight = NULL;
  int rc = j->rc ? ix_fail(ix, j->rc, "%s: cannot write segment %u: %s", ix->dir, j->segno, nd_strerror(j->rc))
                 : add_pending(ix, j->segno, j->mb);
  if (rc) ix->lost = rc;
  mb_free(j->mb);
  mem_free(j);
  return rc;
}

/* Write the buffer as a pending segment: in the background when the
** handle has threads to spare and the caller need not wait (one write at
** a time), otherwise here. */
static int flush_buffer(nd_index *ix, int wait) {
  int rc = finish_inflight(ix);
  if (rc || mb_ndocs(ix->mb) == 0) return rc;
  membuf *fresh = mb_new();
  if (!fresh) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  uint32_t segno = ix->next_segno++;
  if (!wait && ix->threads > 1) {
    flush_job *j = mem_calloc(1, sizeof *j);
    if (j) {
      *j = (flush_job){.mb = ix->mb, .st = ix->st, .segno = segno, .dict = ix->zdict, .dict_len = ix->zdict_len};
      if (pthread_create(&j->thread, NULL, flush_main, j) == 0) {
        ix->inflight = j;
        ix->mb = fresh;
        ix->nbufs++;
        return 0;
      }
      mem_free(j); /* no thread: write it here */
    }
  }
  rc = write_segment(ix->st, ix->mb, segno, ix->zdict, ix->zdict_len);
  rc = rc ? ix_fail(ix, rc, "%s: cannot write segment %u: %s", ix->dir, segno, nd_strerror(rc))
          : add_pending(ix, segno, ix->mb);
  if (rc) ix->lost = rc;
  mb_free(ix->mb);
  ix->mb = fresh;
  ix->nbufs++;
  return rc;
}

int ix_pending_doc(nd_index *ix, uint32_t b, uint32_t doc, struct nd_document **out) {
  if (b == ix->nbufs) return mb_get(ix->mb, doc, out);
  /* The buffer being written in the background: read where it is (the
  ** writing thread only reads it too), rather than wait for the write. */
  if (ix->inflight && b == ix->npend) return mb_get(ix->inflight->mb, doc, out);
  if (b >= ix->npend) return ND_ERR_NOTFOUND;
  return seg_get(&ix->pend[b].seg, doc, &ix->scratch, out);
}

int ix_pending_docx(const nd_index *ix, uint32_t b, uint32_t doc, seg_docx *x) {
  if (b == ix->nbufs) return mb_docx(ix->mb, doc, x);
  if (ix->inflight && b == ix->npend) return mb_docx(ix->inflight->mb, doc, x);
  if (b >= ix->npend || doc >= ix->pend[b].seg.m.ndocs) return ND_ERR_NOTFOUND;
  seg_docx_of(&ix->pend[b].seg, doc, x);
  return 0;
}

/* ---- preparing an article (any thread) --------------------------------

Adding an article is two steps.  Preparing it depends on the article alone:
validating its fields, stripping its markers, deriving its id, choosing its
topic terms (link/), analysing it (membuf.c's mb_prepare).  That is nearly
all of the work, and nd_add_batch() spreads it over threads, each with its
own worker (an analyzer is not thread-safe).  Buffering it -- replacing a
live article with the same id, then mb_put() -- depends on every article
before it, so it is done in article order by the calling thread; then the
buffers, and so the segments, are the same whatever thread prepared what. */

/* One thread's tools for preparing articles. */
typedef struct add_worker {
  analyzer *an;
  mb_scratch *sc;
  buf topics; /* the topic terms of the article being prepared */
} add_worker;

/* An article on its way into the buffer. */
typedef struct add_slot {
  int rc;          /* 0: prepared; else why the article is refused, msg says it */
  const char *id;  /* its id, once known: the caller's or idbuf */
  char idbuf[24];
  char msg[512];
  mb_prep prep;
  int64_t date;
  buf topics;      /* its thread topics (index/stories.h) */
  int done;        /* prepared (nd_add_batch: read and set under its lock) */
} add_slot;

static void slot_init(add_slot *s) {
  memset(s, 0, sizeof *s);
  mb_prep_init(&s->prep);
  buf_init(&s->topics);
}

static void slot_free(add_slot *s) {
  mb_prep_free(&s->prep);
  buf_free(&s->topics);
}

static void slot_fail(add_slot *s, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void slot_fail(add_slot *s, int rc, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->msg, sizeof s->msg, fmt, ap);
  va_end(ap);
  s->rc = rc;
}

/* Check that an optional field is valid UTF-8.  0, or -1 with the slot failed. */
static int check_field(add_slot *s, const char *name, const char *v) {
  size_t bad;
  if (v && !utf8_valid(v, strlen(v), &bad)) {
    slot_fail(s, ND_ERR_INVALID, "%s: invalid UTF-8 at byte %zu", name, bad);
    return -1;
  }
  return 0;
}

/* The checks of nd_add on an article; on success *date is its date. */
static int validate(add_slot *s, const nd_doc *in, int64_t *date) {
  if (!in || ingest_empty_article(in->title, in->body)) {
    slot_fail(s, ND_ERR_INVALID, "empty article");
    return -1;
  }
  if (check_field(s, "id", in->id) || check_field(s, "title", in->title) || check_field(s, "date", in->date) ||
      check_field(s, "source", in->source) || check_field(s, "url", in->url) || check_field(s, "body", in->body) ||
      check_field(s, "extra", in->extra_json))
    return -1;
  for (size_t i = 0; i < in->n_marked; i++)
    if (check_field(s, "marked", in->marked[i])) return -1;
  *date = DATE_NONE;
  char why[128];
  if (in->date && in->date[0] && date_parse(in->date, strlen(in->date), date, why, sizeof why)) {
    slot_fail(s, ND_ERR_INVALID, "date \"%.40s\": %s", in->date, why);
    return -1;
  }
  if (in->id && (!in->id[0] || strlen(in->id) > MAX_ID)) {
    slot_fail(s, ND_ERR_INVALID, "id must be 1 to %d bytes", MAX_ID);
    return -1;
  }
  return 0;
}

/* The id of an article without one: a hash of its title and clean body. */
static int derive_id(const char *title, const char *clean, char out[24]) {
  XXH3_state_t *st = XXH3_createState();
  if (!st) return -1;
  XXH3_64bits_reset(st);
  if (title) XXH3_64bits_update(st, title, strlen(title));
  XXH3_64bits_update(st, "\n", 1);
  XXH3_64bits_update(st, clean, strlen(clean));
  snprintf(out, 24, "h%016llx", (unsigned long long)XXH3_64bits_digest(st));
  XXH3_freeState(st);
  return 0;
}

/* Prepare article `in` into s (s->rc says how it went). */
static void prepare_article(add_worker *w, const nd_doc *in, add_slot *s) {
  int64_t date;
  s->rc = 0;
  s->id = NULL;
  if (validate(s, in, &date)) return;
  nd_doc d = *in;
  if (d.date && !d.date[0]) d.date = NULL;
  const char *body = in->body ? in->body : ""; /* a title-only article: stored with an empty body */
  char *clean = NULL, **terms = NULL;
  size_t nterms = 0;
  const char **marked = NULL;
  if (markers_strip(body, strlen(body), &clean, &terms, &nterms)) {
    slot_fail(s, ND_ERR_NOMEM, "out of memory");
    return;
  }
  d.body = clean;
  if (nterms) {
    marked = mem_calloc(in->n_marked + nterms, sizeof *marked);
    if (!marked) { slot_fail(s, ND_ERR_NOMEM, "out of memory"); goto done; }
    size_t n = 0;
    for (size_t i = 0; i < in->n_marked; i++) marked[n++] = in->marked[i];
    for (size_t i = 0; i < nterms; i++) {
      int dup = 0;
      for (size_t j = 0; j < n && !dup; j++) dup = !strcmp(marked[j], terms[i]);
      if (!dup) marked[n++] = terms[i];
    }
    d.marked = marked;
    d.n_marked = n;
  }
  if (!d.id) {
    if (derive_id(d.title, clean, s->idbuf)) { slot_fail(s, ND_ERR_NOMEM, "out of memory"); goto done; }
    d.id = s->idbuf;
  }
  s->id = d.id;
  buf_restart(&w->topics);
  if (lk_topic_terms(&d, &w->topics)) { slot_fail(s, ND_ERR_NOMEM, "out of memory"); goto done; }
  buf_restart(&s->topics);
  s->date = date;
  int rc = story_topics(&w->topics, &s->topics);
  if (!rc) rc = mb_prepare(w->an, w->sc, &d, date, &w->topics, &s->prep);
  if (rc) slot_fail(s, rc, "cannot buffer article \"%s\": %s", d.id, nd_strerror(rc));
done:
  mem_free(clean);
  markers_free_terms(terms, nterms);
  mem_free(marked);
}

/* ---- buffering (the calling thread, in article order) ------------------ */

/* Buffer a prepared article, replacing the live one with its id.  0 or
** ND_ERR_* (with the handle's message); an article that fails is not
** stored.  A full buffer is written out first, not after the article that
** filled it, so that a failed write is the failure of an article not
** stored; the segments are the same. */
static int buffer_article(nd_index *ix, add_slot *s) {
  int rc;
  if (s->rc) return ix_fail(ix, s->rc, "%s", s->msg);
  if (mb_bytes(ix->mb) >= ix->buffer_bytes && (rc = flush_buffer(ix, 0))) return rc;
  if ((rc = delete_id(ix, s->id)) < 0) return rc;
  if ((rc = story_assign(ix, s->id, s->date, &s->topics, &s->prep)))
    return ix_fail(ix, rc, "cannot buffer article \"%s\": %s", s->id, nd_strerror(rc));
  if ((rc = mb_put(ix->mb, &s->prep)))
    return ix_fail(ix, rc, "cannot buffer article \"%s\": %s", s->id, nd_strerror(rc));
  return 0;
}

static void worker_free(add_worker *w, int own_an) {
  if (own_an) an_free(w->an);
  mb_scratch_free(w->sc);
  buf_free(&w->topics);
}

static void workers_free(nd_index *ix) {
  for (unsigned i = 0; i < ix->nworkers; i++) worker_free(&ix->workers[i], i > 0);
  mem_free(ix->workers);
  ix->workers = NULL;
  ix->nworkers = 0;
}

/* Make sure there are n workers (the first the calling thread's); returns
** how many there are, at least 1, or 0 when not even that one could be
** made.  Fewer helpers only mean less parallelism. */
static unsigned need_workers(nd_index *ix, unsigned n) {
  if (ix->nworkers >= n) return ix->nworkers;
  add_worker *w = mem_realloc(ix->workers, n * sizeof *w);
  if (!w) return ix->nworkers;
  ix->workers = w;
  while (ix->nworkers < n) {
    add_worker *k = &w[ix->nworkers];
    memset(k, 0, sizeof *k);
    buf_init(&k->topics);
    k->an = ix->nworkers ? an_new(ix->man.language) : ix->an;
    k->sc = mb_scratch_new();
    if (!k->an || !k->sc) {
      worker_free(k, ix->nworkers > 0);
      break;
    }
    ix->nworkers++;
  }
  return ix->nworkers;
}

int nd_add(nd_index *ix, const nd_doc *in, const char **id_out) {
  int rc;
  if ((rc = need_writer(ix))) return rc;
  if (!need_workers(ix, 1)) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  add_slot s;
  slot_init(&s);
  prepare_article(&ix->workers[0], in, &s);
  if (!(rc = buffer_article(ix, &s))) {
    mem_free(ix->last_id);
    ix->last_id = mem_strdup(s.id);
    if (id_out) *id_out = ix->last_id ? ix->last_id : "";
  }
  slot_free(&s);
  return rc;
}

/* ---- adding a batch ------------------------------------------------------ */

/* A batch being added: helpers and the caller claim articles to prepare in
** order of their index; the caller buffers them in that order as each is
** ready. */
typedef struct add_batch {
  const nd_doc *docs;
  add_slot *slots;
  size_t n;
  atomic_size_t next; /* the next article to claim */
  atomic_int stop;    /* the caller stopped: claim no more */
  pthread_mutex_t mu;
  pthread_cond_t ready; /* signalled when an article is prepared */
} add_batch;

typedef struct add_helper {
  pthread_t thread;
  add_batch *b;
  add_worker *w;
} add_helper;

/* Claim the next article and prepare it.  0 when there was none to claim. */
static int prepare_next(add_batch *b, add_worker *w) {
  if (atomic_load(&b->stop)) return 0;
  size_t i = atomic_fetch_add(&b->next, 1);
  if (i >= b->n) return 0;
  prepare_article(w, &b->docs[i], &b->slots[i]);
  pthread_mutex_lock(&b->mu);
  b->slots[i].done = 1;
  pthread_cond_signal(&b->ready);
  pthread_mutex_unlock(&b->mu);
  return 1;
}

static void *helper_main(void *arg) {
  add_helper *h = arg;
  while (prepare_next(h->b, h->w)) {}
  return NULL;
}

/* Wait until article i is prepared, preparing others meanwhile. */
static void wait_prepared(add_batch *b, add_worker *w, size_t i) {
  pthread_mutex_lock(&b->mu);
  while (!b->slots[i].done) {
    if (atomic_load(&b->next) < b->n) {
      pthread_mutex_unlock(&b->mu);
      prepare_next(b, w);
      pthread_mutex_lock(&b->mu);
    } else {
      pthread_cond_wait(&b->ready, &b->mu);
    }
  }
  pthread_mutex_unlock(&b->mu);
}

/* Errors about one article: the batch goes on without it. */
static int per_article(int rc) { return rc == ND_ERR_INVALID || rc == ND_ERR_LIMIT; }

/* Copy s into the handle's result text; returns its offset, or SIZE_MAX. */
static size_t keep_text(nd_index *ix, const char *s) {
  if (!s) return SIZE_MAX;
  size_t off = ix->batch_text.n;
  buf_put(&ix->batch_text, s, strlen(s) + 1);
  return ix->batch_text.oom ? SIZE_MAX : off;
}

/* A batch that could not start: every article gets rc. */
static int refuse_all(nd_add_result *res, size_t n, int rc) {
  for (size_t i = 0; i < n; i++) res[i] = (nd_add_result){rc, NULL, nd_strerror(rc)};
  return rc;
}

int nd_add_batch(nd_index *ix, const nd_doc *docs, size_t n, nd_add_result *res) {
  int rc;
  if ((rc = need_writer(ix))) return refuse_all(res, n, rc);
  if (!n) return 0;
  unsigned want = ix->threads < 2 ? 1 : (unsigned)(n < ix->threads ? n : ix->threads);
  unsigned nw = need_workers(ix, want);
  if (!nw) return refuse_all(res, n, ix_fail(ix, ND_ERR_NOMEM, "out of memory"));
  add_batch b = {.docs = docs, .n = n};
  add_helper *helpers = nw > 1 ? mem_calloc(nw - 1, sizeof *helpers) : NULL;
  size_t *text = mem_calloc(2 * n, sizeof *text); /* offsets of each result's id and message */
  if (!(b.slots = mem_calloc(n, sizeof *b.slots)) || !text) {
    mem_free(b.slots);
    mem_free(text);
    mem_free(helpers);
    return refuse_all(res, n, ix_fail(ix, ND_ERR_NOMEM, "out of memory"));
  }
  for (size_t i = 0; i < n; i++) slot_init(&b.slots[i]);
  atomic_init(&b.next, 0);
  atomic_init(&b.stop, 0);
  pthread_mutex_init(&b.mu, NULL);
  pthread_cond_init(&b.ready, NULL);
  unsigned nh = 0;
  for (unsigned k = 1; helpers && k < nw; k++) {
    helpers[nh] = (add_helper){.b = &b, .w = &ix->workers[k]};
    if (pthread_create(&helpers[nh].thread, NULL, helper_main, &helpers[nh]) == 0) nh++;
  }
  buf_restart(&ix->batch_text);
  size_t i = 0;
  rc = 0;
  for (; i < n; i++) {
    add_slot *s = &b.slots[i];
    wait_prepared(&b, &ix->workers[0], i);
    int r = buffer_article(ix, s);
    res[i].status = r;
    text[2 * i] = keep_text(ix, s->id);
    text[2 * i + 1] = keep_text(ix, r ? ix->err : "");
    slot_free(s);
    if (r && !per_article(r)) { rc = r; break; }
  }
  atomic_store(&b.stop, 1);
  for (unsigned k = 0; k < nh; k++) pthread_join(helpers[k].thread, NULL);
  if (rc) { /* the articles after the one that failed are not added (nd_errmsg says why) */
    size_t off = keep_text(ix, "not added: an earlier article stopped the batch");
    for (size_t j = i + 1; j < n; j++) {
      res[j].status = rc;
      text[2 * j] = keep_text(ix, b.slots[j].done ? b.slots[j].id : NULL);
      text[2 * j + 1] = off;
    }
  }
  const char *base = (const char *)ix->batch_text.p;
  for (size_t j = 0; j < n; j++) {
    res[j].id = ix->batch_text.oom || text[2 * j] == SIZE_MAX ? NULL : base + text[2 * j];
    res[j].message = ix->batch_text.oom || text[2 * j + 1] == SIZE_MAX ? nd_strerror(res[j].status) : base + text[2 * j + 1];
    slot_free(&b.slots[j]);
  }
  pthread_cond_destroy(&b.ready);
  pthread_mutex_destroy(&b.mu);
  mem_free(b.slots);
  mem_free(text);
  mem_free(helpers);
  return rc;
}

int nd_delete(nd_index *ix, const char *id) {
  int rc;
  if ((rc = need_writer(ix))) return rc;
  if (!id) return ix_fail(ix, ND_ERR_INVALID, "no id");
  rc = delete_id(ix, id);
  if (rc < 0) return rc;
  if (rc == 0) return ix_fail(ix, ND_ERR_NOTFOUND, "no article with id \"%s\"", id);
  return 0;
}

/* ---- commit ----------------------------------------------------------- */

/* Build the next manifest from the current one plus pending changes,
** writing deletion files.  With `merged` set, the snapshot segments flagged
** in `replaced` give way to it (at the place of the first of them). */
static int publish(nd_index *ix, const man_seg *merged, const unsigned char *replaced) {
  manifest m;
  int rc = man_copy(&m, &ix->man);
  if (rc) return ix_fail(ix, rc, "out of memory");
  man_seg *segs = mem_calloc(ix->snap.n + ix->npend + 1, sizeof *segs);
  if (!segs) { man_free(&m); return ix_fail(ix, ND_ERR_NOMEM, "out of memory"); }
  mem_free(m.segs);
  m.segs = segs;
  m.nsegs = 0;
  m.generation++;
  int placed = 0;
  for (size_t i = 0; i < ix->snap.n; i++) {
    man_seg g = ix->snap.segs[i].ms;
    if (merged && replaced[i]) {
      if (!placed++ && merged->ndocs) m.segs[m.nsegs++] = *merged; /* empty: all deleted */
      continue;
    }
    roaring_bitmap_t *pd = ix->pend_del ? ix->pend_del[i] : NULL;
    if (pd) {
      g.ndeleted = (uint32_t)roaring_bitmap_get_cardinality(pd);
      if (g.ndeleted == g.ndocs) continue; /* nothing left: drop the segment */
      g.delgen = m.generation;
      if ((rc = del_write(ix->st, g.segno, g.delgen, pd))) goto fail;
    }
    m.segs[m.nsegs++] = g;
  }
  for (size_t i = 0; i < ix->npend; i++) {
    man_seg g = ix->pend[i].ms;
    if (ix->pend[i].del) {
      g.ndeleted = (uint32_t)roaring_bitmap_get_cardinality(ix->pend[i].del);
      if (g.ndeleted == g.ndocs) continue;
      g.delgen = m.generation;
      if ((rc = del_write(ix->st, g.segno, g.delgen, ix->pend[i].del))) goto fail;
    }
    m.segs[m.nsegs++] = g;
  }
  m.next_segno = ix->next_segno;
  int e = vfs_sync(ix->st);
  if (e) { rc = status_from_errno(e); goto fail; }
  if ((rc = man_write(ix->st, &m))) goto fail;
  manifest old = ix->man;
  ix->man = m;
  drop_pending(ix);
  man_free(&old);
  /* Files the new manifest does not name (old deletion files, merged
  ** segments) go now; readers that mapped them keep their mappings. */
  remove_orphans(ix);
  return load_current(ix);
fail:
  /* Deletion files written for this generation are orphans; the caller
  ** removes them with the pending segments. */
  man_free(&m);
  return ix_fail(ix, rc, "%s: commit failed: %s; the archive stays at its last commit", ix->dir, nd_strerror(rc));
}

/* Merge the segments flagged in `which` (at least two, none with pending
** changes) into one new segment and publish it. */
static int merge_and_publish(nd_index *ix, const unsigned char *which) {
  size_t n = 0;
  snap_seg *in = mem_calloc(ix->snap.n + 1, sizeof *in);
  if (!in) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < ix->snap.n; i++)
    if (which[i]) in[n++] = ix->snap.segs[i];
  uint32_t segno = ix->next_segno;
  seg_meta meta;
  int rc = merge_segments(ix, in, n, segno, &meta);
  mem_free(in);
  if (rc) return ix_fail(ix, rc, "%s: merging segments failed: %s; the archive stays at its last commit", ix->dir, nd_strerror(rc));
  ix->next_segno++;
  man_seg merged = {segno, meta.ndocs, 0, 0};
  rc = publish(ix, &merged, which);
  if (rc) remove_orphans(ix);
  return rc;
}

/* The merge policy: segments fall in tiers by size (live articles, powers
** of the merge factor F); when a tier holds F segments they are merged into
** one of the next tier.  So an archive of n articles keeps about
** F * log(n) / log(F) segments at most, and each article is rewritten about
** log(n) / log(F) times. */
static int maybe_merge(nd_index *ix) {
  const uint64_t F = ix->merge_factor;
  if (F < 2) return 0;
  for (int rounds = 0; rounds < 16; rounds++) {
    size_t n = ix->snap.n;
    if (n < F) return 0;
    unsigned char *which = mem_calloc(n, 1);
    if (!which) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
    int found = 0;
    for (int tier = 0; tier < 12 && !found; tier++) {
      size_t k = 0;
      memset(which, 0, n);
      for (size_t i = 0; i < n; i++) {
        uint64_t live = ix->snap.segs[i].ms.ndocs - ix->snap.segs[i].ms.ndeleted, lim = 1;
        int t = 0;
        while (t < 12 && live >= lim * F) { lim *= F; t++; }
        if (t == tier) { which[i] = 1; k++; }
      }
      found = k >= F;
    }
    int rc = found ? merge_and_publish(ix, which) : 0;
    mem_free(which);
    if (rc || !found) return rc;
  }
  return 0;
}

int nd_commit(nd_index *ix) {
  int rc;
  if ((rc = need_writer(ix))) return rc;
  if (ix->lost) { /* committing the rest would publish part of what was added */
    rc = ix_fail(ix, ix->lost, "%s: articles added since the last commit were lost when a segment could not be "
                 "written (%s); the archive stays at its last commit", ix->dir, nd_strerror(ix->lost));
  } else if (mb_ndocs(ix->mb) == 0 && ix->npend == 0 && !ix->pend_del && !ix->inflight) {
    return 0;
  }
  if (rc || (rc = flush_buffer(ix, 1)) || (rc = publish(ix, NULL, NULL))) {
    ix->lost = 0;
    drop_pending(ix);
    remove_orphans(ix);
    mb_free(ix->mb); /* what the buffer still held is discarded too */
    ix->mb = mb_new(); /* NULL is retried by need_writer() */
    return rc;
  }
  /* The commit is durable; a failed merge leaves it as it is, and its
  ** message stays readable with nd_errmsg(). */
  (void)maybe_merge(ix);
  return 0;
}

int nd_optimize(nd_index *ix) {
  int rc;
  if ((rc = nd_commit(ix))) return rc;
  int any_deleted = 0;
  for (size_t i = 0; i < ix->snap.n; i++) any_deleted |= ix->snap.segs[i].del != NULL;
  if (ix->snap.n == 0 || (ix->snap.n == 1 && !any_deleted)) return 0;
  unsigned char *all = mem_alloc(ix->snap.n);
  if (!all) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  memset(all, 1, ix->snap.n);
  rc = merge_and_publish(ix, all);
  mem_free(all);
  return rc;
}

/* ---- reading ---------------------------------------------------------- */

int nd_get(nd_index *ix, const char *id, nd_document **out) {
  *out = NULL;
  for (size_t i = ix->snap.n; i-- > 0;) {
    snap_seg *g = &ix->snap.segs[i];
    uint32_t d;
    int r = seg_find_id(&g->seg, id, g->del, &d);
    if (r < 0) return ix_fail(ix, r, "segment %u: cannot read article \"%s\"", g->seg.segno, id);
    if (!r) continue;
    r = seg_get(&g->seg, d, &ix->scratch, out);
    if (r) return ix_fail(ix, r, "segment %u: cannot read article \"%s\"", g->seg.segno, id);
    return 0;
  }
  return ix_fail(ix, ND_ERR_NOTFOUND, "no article with id \"%s\"", id);
}

int nd_stats_get(nd_index *ix, nd_stats *st) {
  memset(st, 0, sizeof *st);
  st->generation = ix->man.generation;
  st->language = ix->man.language;
  st->segments = ix->snap.n;
  st->articles = ix->snap.live_docs;
  st->deleted = ix->snap.total_docs - ix->snap.live_docs;
  for (size_t i = 0; i < ix->snap.n; i++) {
    const segment *s = &ix->snap.segs[i].seg;
    st->terms += s->m.nterms;
    for (int k = 0; k < SF_COUNT; k++) st->bytes += s->m.size[k];
    st->stored_bytes += s->m.size[SF_STO];
  }
  return 0;
}
