/*
** index.c -- opening an archive, adding, deleting, committing.
**
** Writers hold an exclusive flock() on dir/LOCK for the life of the handle.
** Added articles go to the in-memory buffer (membuf.c) and, when it is full,
** to new segment files that no manifest names yet.  nd_commit() writes the
** rest, writes new deletion files, and switches MANIFEST atomically; only
** then are files that the new manifest no longer names removed.  A crash
** before the rename leaves the previous commit intact, and the next writer
** removes the orphaned files when it opens the archive.
*/
#include "index.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "../ingest/markers.h"
#include "../link/link.h"
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
  const char *dir;
  uint32_t segno;
  int rc;
} flush_job;

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
    int rc = seg_open(&g->seg, ix->dir, g->ms.segno, ix->err, sizeof ix->err);
    if (!rc && g->seg.m.ndocs != g->ms.ndocs) {
      seg_close(&g->seg);
      rc = ix_fail(ix, ND_ERR_CORRUPT, "segment %u has %u articles, the manifest says %u", g->ms.segno,
                   g->seg.m.ndocs, g->ms.ndocs);
    }
    if (!rc && g->ms.delgen) {
      rc = del_read(ix->dir, g->ms.segno, g->ms.delgen, &g->del, ix->err, sizeof ix->err);
      if (rc) seg_close(&g->seg);
    }
    if (rc) { snap_free(s); return rc; }
    s->n++;
    s->total_docs += g->seg.m.ndocs;
    s->live_docs += g->seg.m.ndocs - (g->del ? roaring_bitmap_get_cardinality(g->del) : 0);
    s->sum_title_len += g->seg.m.sum_title_len;
    s->sum_body_len += g->seg.m.sum_body_len;
  }
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
    int rc = man_read(ix->dir, &m, ix->err, sizeof ix->err);
    if (rc) return rc;
    snapshot s;
    rc = snap_load(ix, &m, &s);
    if (rc == ND_ERR_NOTFOUND) {
      manifest now;
      char err[512];
      int moved = man_read(ix->dir, &now, err, sizeof err) == 0 && now.generation != m.generation;
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

/* Remove what the manifest does not name.  Allocates nothing, so that it
** also cleans up after an allocation failure. */
static void remove_orphans(nd_index *ix) {
  DIR *d = opendir(ix->dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.' && !named_by_manifest(&ix->man, e->d_name)) unlinkat(dirfd(d), e->d_name, 0);
  closedir(d);
}

int nd_open(const char *path, unsigned flags, const nd_open_options *opts, nd_index **out) {
  *out = NULL;
  nd_index *ix = mem_calloc(1, sizeof *ix);
  if (!ix) return ND_ERR_NOMEM;
  *out = ix;
  ix->lockfd = -1;
  if (flags & ND_OPEN_CREATE) flags |= ND_OPEN_WRITE;
  ix->flags = flags;
  buf_init(&ix->scratch);
  buf_init(&ix->topics);
  ix->dir = mem_strdup(path);
  if (!ix->dir) return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  const char *lang = opts && opts->language ? opts->language : "english";
  ix->buffer_bytes = opts && opts->buffer_bytes ? opts->buffer_bytes : DEFAULT_BUFFER;
  ix->merge_factor = opts && opts->merge_factor ? opts->merge_factor : MERGE_FACTOR;
  ix->threads = opts && opts->threads ? opts->threads : 2;
  manifest m0 = {0};
  if ((flags & ND_OPEN_CREATE) && !an_language_ok(lang))
    return ix_fail(ix, ND_ERR_INVALID, "unknown stemming language \"%s\" (known: %s)", lang, an_languages());
  if (!(flags & ND_OPEN_CREATE)) {
    /* Do not leave a LOCK file in a directory that is not an archive. */
    buf mp;
    buf_init(&mp);
    buf_printf(&mp, "%s/MANIFEST", path);
    int missing = mp.oom || access(buf_cstr(&mp), F_OK) != 0;
    buf_free(&mp);
    if (missing) return man_read(path, &m0, ix->err, sizeof ix->err);
  }
  if (flags & ND_OPEN_CREATE) {
    if (mkdir(path, 0755) && errno != EEXIST) return ix_fail(ix, status_from_errno(errno), "%s: %s", path, strerror(errno));
  }
  if (flags & ND_OPEN_WRITE) {
    buf lp;
    buf_init(&lp);
    buf_printf(&lp, "%s/LOCK", path);
    ix->lockfd = lp.oom ? -1 : open(buf_cstr(&lp), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    int e = errno;
    buf_free(&lp);
    if (ix->lockfd < 0) return ix_fail(ix, status_from_errno(e), "%s: cannot open the lock file: %s", path, strerror(e));
    if (flock(ix->lockfd, LOCK_EX | LOCK_NB))
      return ix_fail(ix, ND_ERR_LOCKED, "%s: another writer is using this archive (try again when it is done)", path);
  }
  manifest m;
  int rc = man_read(path, &m, ix->err, sizeof ix->err);
  if (rc == ND_ERR_NOTFOUND && (flags & ND_OPEN_CREATE)) {
    if (!an_language_ok(lang))
      return ix_fail(ix, ND_ERR_INVALID, "unknown stemming language \"%s\" (known: %s)", lang, an_languages());
    memset(&m, 0, sizeof m);
    snprintf(m.language, sizeof m.language, "%s", lang);
    m.next_segno = 1;
    if ((rc = man_write(path, &m))) return ix_fail(ix, rc, "%s: cannot write MANIFEST: %s", path, nd_strerror(rc));
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
  snap_free(&ix->snap);
  man_free(&ix->man);
  an_free(ix->an);
  if (ix->lockfd >= 0) close(ix->lockfd);
  buf_free(&ix->scratch);
  buf_free(&ix->topics);
  mem_free(ix->last_id);
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
      if (!g->del && !(g->del = roaring_bitmap_create())) return ND_ERR_NOMEM;
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
    if (!ix->pend_del && !(ix->pend_del = mem_calloc(ix->snap.n + 1, sizeof *ix->pend_del))) return ND_ERR_NOMEM;
    roaring_bitmap_t **pd = &ix->pend_del[i];
    if (!*pd && !(*pd = g->del ? roaring_bitmap_copy(g->del) : roaring_bitmap_create())) return ND_ERR_NOMEM;
    if (!roaring_bitmap_contains(*pd, d)) {
      roaring_bitmap_add(*pd, d);
      found = 1;
    }
  }
  return found;
}

static int write_segment(const char *dir, membuf *mb, uint32_t segno) {
  seg_writer w;
  int rc = segw_open(&w, dir, segno, STORE_LEVEL);
  if (!rc) rc = mb_write(mb, &w);
  if (rc) {
    segw_abort(&w);
    return rc;
  }
  return segw_finish(&w, NULL);
}

static void *flush_main(void *arg) {
  flush_job *j = arg;
  j->rc = write_segment(j->dir, j->mb, j->segno);
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
  int rc = seg_open(&g->seg, ix->dir, segno, ix->err, sizeof ix->err);
  if (rc) return rc;
  const roaring_bitmap_t *del = mb_deleted(mb);
  if (del && !(g->del = roaring_bitmap_copy(del))) {
    seg_close(&g->seg);
    return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  }
  g->ms = (man_seg){segno, g->seg.m.ndocs, 0, 0};
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
      *j = (flush_job){.mb = ix->mb, .dir = ix->dir, .segno = segno};
      if (pthread_create(&j->thread, NULL, flush_main, j) == 0) {
        ix->inflight = j;
        ix->mb = fresh;
        return 0;
      }
      mem_free(j); /* no thread: write it here */
    }
  }
  rc = write_segment(ix->dir, ix->mb, segno);
  rc = rc ? ix_fail(ix, rc, "%s: cannot write segment %u: %s", ix->dir, segno, nd_strerror(rc))
          : add_pending(ix, segno, ix->mb);
  mb_free(ix->mb);
  ix->mb = fresh;
  return rc;
}

/* Check that an optional field is valid UTF-8. */
static int check_field(nd_index *ix, const char *name, const char *v) {
  size_t bad;
  if (v && !utf8_valid(v, strlen(v), &bad))
    return ix_fail(ix, ND_ERR_INVALID, "%s: invalid UTF-8 at byte %zu", name, bad);
  return 0;
}

int nd_add(nd_index *ix, const nd_doc *in, const char **id_out) {
  int rc;
  if ((rc = need_writer(ix))) return rc;
  if (!in || !in->body) return ix_fail(ix, ND_ERR_INVALID, "missing body");
  if ((rc = check_field(ix, "id", in->id)) || (rc = check_field(ix, "title", in->title)) ||
      (rc = check_field(ix, "date", in->date)) || (rc = check_field(ix, "source", in->source)) ||
      (rc = check_field(ix, "url", in->url)) || (rc = check_field(ix, "body", in->body)) ||
      (rc = check_field(ix, "extra", in->extra_json)))
    return rc;
  for (size_t i = 0; i < in->n_marked; i++)
    if ((rc = check_field(ix, "marked", in->marked[i]))) return rc;
  int64_t date = DATE_NONE;
  char why[128];
  if (in->date && in->date[0] && date_parse(in->date, strlen(in->date), &date, why, sizeof why))
    return ix_fail(ix, ND_ERR_INVALID, "date \"%.40s\": %s", in->date, why);
  if (in->id && (!in->id[0] || strlen(in->id) > MAX_ID))
    return ix_fail(ix, ND_ERR_INVALID, "id must be 1 to %d bytes", MAX_ID);
  nd_doc d = *in;
  if (d.date && !d.date[0]) d.date = NULL;
  char *clean = NULL, **terms = NULL;
  size_t nterms = 0;
  const char **marked = NULL;
  char idbuf[24];
  if (markers_strip(in->body, strlen(in->body), &clean, &terms, &nterms))
    return ix_fail(ix, ND_ERR_NOMEM, "out of memory");
  d.body = clean;
  if (nterms) {
    marked = mem_calloc(in->n_marked + nterms, sizeof *marked);
    if (!marked) { rc = ix_fail(ix, ND_ERR_NOMEM, "out of memory"); goto done; }
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
    XXH3_state_t *st = XXH3_createState();
    if (!st) { rc = ix_fail(ix, ND_ERR_NOMEM, "out of memory"); goto done; }
    XXH3_64bits_reset(st);
    if (d.title) XXH3_64bits_update(st, d.title, strlen(d.title));
    XXH3_64bits_update(st, "\n", 1);
    XXH3_64bits_update(st, clean, strlen(clean));
    snprintf(idbuf, sizeof idbuf, "h%016llx", (unsigned long long)XXH3_64bits_digest(st));
    XXH3_freeState(st);
    d.id = idbuf;
  }
  if ((rc = delete_id(ix, d.id)) < 0) goto done;
  buf_reset(&ix->topics);
  if (lk_topic_terms(&d, &ix->topics)) { rc = ix_fail(ix, ND_ERR_NOMEM, "out of memory"); goto done; }
  if ((rc = mb_add(ix->mb, ix->an, &d, date, &ix->topics))) {
    rc = ix_fail(ix, rc, "cannot buffer article \"%s\": %s", d.id, nd_strerror(rc));
    goto done;
  }
  mem_free(ix->last_id);
  ix->last_id = mem_strdup(d.id);
  if (id_out) *id_out = ix->last_id ? ix->last_id : "";
  if (mb_bytes(ix->mb) >= ix->buffer_bytes) rc = flush_buffer(ix, 0);
done:
  mem_free(clean);
  markers_free_terms(terms, nterms);
  mem_free(marked);
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
      if ((rc = del_write(ix->dir, g.segno, g.delgen, pd))) goto fail;
    }
    m.segs[m.nsegs++] = g;
  }
  for (size_t i = 0; i < ix->npend; i++) {
    man_seg g = ix->pend[i].ms;
    if (ix->pend[i].del) {
      g.ndeleted = (uint32_t)roaring_bitmap_get_cardinality(ix->pend[i].del);
      if (g.ndeleted == g.ndocs) continue;
      g.delgen = m.generation;
      if ((rc = del_write(ix->dir, g.segno, g.delgen, ix->pend[i].del))) goto fail;
    }
    m.segs[m.nsegs++] = g;
  }
  m.next_segno = ix->next_segno;
  int e = fsync_dir(ix->dir);
  if (e) { rc = status_from_errno(e); goto fail; }
  if ((rc = man_write(ix->dir, &m))) goto fail;
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
  if (mb_ndocs(ix->mb) == 0 && ix->npend == 0 && !ix->pend_del && !ix->inflight) return 0;
  if ((rc = flush_buffer(ix, 1)) || (rc = publish(ix, NULL, NULL))) {
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
