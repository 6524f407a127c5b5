/* pg_storage.c -- an archive's files in an index relation's pages (see pg_storage.h). */
#include "pg_storage.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "access/generic_xlog.h"
#include "access/xloginsert.h"
#include "storage/bufmgr.h"
#include "storage/bufpage.h"
#include "storage/lmgr.h"
#include "storage/smgr.h"

#include <xxhash.h>

#define PGS_MAGIC 0x4e445047u /* "NDPG" */
#define PGS_VERSION 1
#define PGS_HDR MAXALIGN(SizeOfPageHeaderData)
#define PGS_DATA (BLCKSZ - PGS_HDR)
#define PGS_META_EXTENTS 256
#define PGS_MAX_NAME 63
#define PGS_BATCH 4 /* pages per generic WAL record (MAX_GENERIC_XLOG_PAGES) */

typedef struct extent {
  uint32 start, count;
} extent;

typedef struct pgs_meta {
  uint32 magic, version;
  uint64 generation;
  uint64 dir_len, dir_hash;
  uint32 next;
  extent ext[PGS_META_EXTENTS];
} pgs_meta;

typedef struct extents {
  extent *v;
  size_t n, cap;
} extents;

typedef struct dir_file {
  char name[PGS_MAX_NAME + 1];
  uint64 len, hash;
  extents ext;
} dir_file;

/* The directory: the files and the free extents. */
typedef struct directory {
  uint64 generation;
  dir_file *files;
  size_t nfiles, capfiles;
  extents free;    /* reusable now */
  extents pending; /* freed since the last publication: reusable after the next */
  extents self;    /* the blocks holding the published directory */
} directory;

/* A cached copy of a whole file. */
typedef struct copy {
  char name[PGS_MAX_NAME + 1];
  uint32 first;
  uint64 hash;
  uint8 *data;
  size_t len;
  int refs;
  struct copy *next;
} copy;

struct pgs {
  nd_storage st;
  Oid relid;
  Relation rel;
  directory dir;  /* the writer's (locked) or the last one read */
  int have_dir;
  int locked;
  int dirty;      /* the writer changed dir since publishing it */
  copy *copies;
};

/* A file being written. */
typedef struct wfile {
  pgs *s;
  dir_file f;
  uint8 page[PGS_BATCH][PGS_DATA];
  size_t used[PGS_BATCH]; /* bytes in each staged page */
  int npages;             /* pages staged (the last may be partial) */
  XXH3_state_t *h;
} wfile;

/* ---- extents ----------------------------------------------------------- */

static int ext_push(extents *e, uint32 start, uint32 count) {
  if (count == 0) return 0;
  if (e->n && e->v[e->n - 1].start + e->v[e->n - 1].count == start) {
    e->v[e->n - 1].count += count;
    return 0;
  }
  if (e->n == e->cap) {
    size_t cap = e->cap ? e->cap * 2 : 8;
    extent *v = realloc(e->v, cap * sizeof *v);
    if (!v) return ENOMEM;
    e->v = v;
    e->cap = cap;
  }
  e->v[e->n++] = (extent){start, count};
  return 0;
}

static int ext_append(extents *to, const extents *from) {
  for (size_t i = 0; i < from->n; i++)
    if (ext_push(to, from->v[i].start, from->v[i].count)) return ENOMEM;
  return 0;
}

/* Push [a, b) minus the extents cut[k..] onto out, in block order. */
static int push_minus(extents *out, uint32 a, uint32 b, const extents *cut, size_t k) {
  if (a >= b) return 0;
  if (k == cut->n) return ext_push(out, a, b - a);
  uint32 cs = cut->v[k].start, ce = cs + cut->v[k].count;
  if (ce <= a || cs >= b) return push_minus(out, a, b, cut, k + 1);
  int e = cs > a ? push_minus(out, a, cs, cut, k + 1) : 0;
  return e ? e : ce < b ? push_minus(out, ce, b, cut, k + 1) : 0;
}

/* Take the blocks of `cut` out of *e.  0 or ENOMEM. */
static int ext_subtract(extents *e, const extents *cut) {
  extents out = {0};
  for (size_t i = 0; i < e->n; i++)
    if (push_minus(&out, e->v[i].start, e->v[i].start + e->v[i].count, cut, 0)) {
      free(out.v);
      return ENOMEM;
    }
  free(e->v);
  *e = out;
  return 0;
}

static uint64 ext_blocks(const extents *e) {
  uint64 n = 0;
  for (size_t i = 0; i < e->n; i++) n += e->v[i].count;
  return n;
}

/* The i-th block of a file's extents. */
static BlockNumber ext_block(const extents *e, uint64 i) {
  for (size_t k = 0; k < e->n; k++) {
    if (i < e->v[k].count) return e->v[k].start + (BlockNumber)i;
    i -= e->v[k].count;
  }
  return InvalidBlockNumber;
}

static void dir_clear(directory *d) {
  for (size_t i = 0; i < d->nfiles; i++) free(d->files[i].ext.v);
  free(d->files);
  free(d->free.v);
  free(d->pending.v);
  free(d->self.v);
  memset(d, 0, sizeof *d);
}

static dir_file *dir_find(directory *d, const char *name) {
  for (size_t i = 0; i < d->nfiles; i++)
    if (!strcmp(d->files[i].name, name)) return &d->files[i];
  return NULL;
}

/* ---- pages --------------------------------------------------------------- */

static pgs_meta *meta_of(Page page) { return (pgs_meta *)PageGetContents(page); }

static void meta_read(Relation rel, pgs_meta *out) {
  Buffer b = ReadBuffer(rel, 0);
  LockBuffer(b, BUFFER_LOCK_SHARE);
  memcpy(out, meta_of(BufferGetPage(b)), sizeof *out);
  UnlockReleaseBuffer(b);
  if (out->magic != PGS_MAGIC || out->version != PGS_VERSION)
    ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
                    errmsg("newsdex index \"%s\" has no valid metapage", RelationGetRelationName(rel))));
}

static void meta_fill(Page page) {
  PageInit(page, BLCKSZ, 0);
  pgs_meta *m = meta_of(page);
  memset(m, 0, sizeof *m);
  m->magic = PGS_MAGIC;
  m->version = PGS_VERSION;
  m->dir_hash = XXH3_64bits("", 0);
  ((PageHeader)page)->pd_lower = PGS_HDR + sizeof *m;
}

uint64 pgs_generation(Relation rel) {
  pgs_meta m;
  meta_read(rel, &m);
  return m.generation;
}

void pgs_init_meta(Relation rel, ForkNumber fork) {
  if (fork == INIT_FORKNUM) {
    /* An unlogged index's init fork: written and synced directly, and
    ** WAL-logged, since its buffers would never be flushed (as bloom does). */
    PGAlignedBlock block;
    Page page = (Page)block.data;
    meta_fill(page);
    PageSetChecksumInplace(page, 0);
    smgrwrite(RelationGetSmgr(rel), INIT_FORKNUM, 0, (char *)page, true);
    log_newpage(&RelationGetSmgr(rel)->smgr_rnode.node, INIT_FORKNUM, 0, page, true);
    smgrimmedsync(RelationGetSmgr(rel), INIT_FORKNUM);
    return;
  }
  LockRelationForExtension(rel, ExclusiveLock);
  Buffer b = ReadBufferExtended(rel, fork, P_NEW, RBM_NORMAL, NULL);
  UnlockRelationForExtension(rel, ExclusiveLock);
  Assert(BufferGetBlockNumber(b) == 0);
  LockBuffer(b, BUFFER_LOCK_EXCLUSIVE);
  GenericXLogState *x = GenericXLogStart(rel);
  meta_fill(GenericXLogRegisterBuffer(x, b, GENERIC_XLOG_FULL_IMAGE));
  GenericXLogFinish(x);
  UnlockReleaseBuffer(b);
}

/* A block for new data: a free one, or a new one at the end. */
static BlockNumber take_block(pgs *s) {
  extents *f = &s->dir.free;
  if (f->n) {
    BlockNumber b = f->v[0].start;
    if (--f->v[0].count) {
      f->v[0].start++;
    } else {
      memmove(f->v, f->v + 1, (f->n - 1) * sizeof *f->v);
      f->n--;
    }
    return b;
  }
  return InvalidBlockNumber;
}

/* Write n (<= PGS_BATCH) pages of data in one WAL record; their block
** numbers are appended to ext.  0 or ENOMEM. */
static int write_pages(pgs *s, extents *ext, uint8 (*data)[PGS_DATA], const size_t *used, int n) {
  Buffer bufs[PGS_BATCH];
  for (int i = 0; i < n; i++) {
    BlockNumber blk = take_block(s);
    if (blk == InvalidBlockNumber) {
      LockRelationForExtension(s->rel, ExclusiveLock);
      bufs[i] = ReadBuffer(s->rel, P_NEW);
      UnlockRelationForExtension(s->rel, ExclusiveLock);
    } else {
      bufs[i] = ReadBuffer(s->rel, blk);
    }
    LockBuffer(bufs[i], BUFFER_LOCK_EXCLUSIVE);
    if (ext_push(ext, BufferGetBlockNumber(bufs[i]), 1)) {
      for (int j = 0; j <= i; j++) UnlockReleaseBuffer(bufs[j]);
      return ENOMEM;
    }
  }
  GenericXLogState *x = GenericXLogStart(s->rel);
  for (int i = 0; i < n; i++) {
    Page page = GenericXLogRegisterBuffer(x, bufs[i], GENERIC_XLOG_FULL_IMAGE);
    PageInit(page, BLCKSZ, 0);
    memcpy(PageGetContents(page), data[i], used[i]);
    ((PageHeader)page)->pd_lower = PGS_HDR + used[i];
  }
  GenericXLogFinish(x);
  for (int i = 0; i < n; i++) UnlockReleaseBuffer(bufs[i]);
  return 0;
}

/* Copy the len bytes held by extents ext into out.  0, or EIO when a page
** does not hold what the length needs. */
static int read_extents(Relation rel, const extents *ext, uint64 len, uint8 *out) {
  BufferAccessStrategy bas = len > 64 * (uint64)BLCKSZ ? GetAccessStrategy(BAS_BULKREAD) : NULL;
  uint64 done = 0, nblocks = ext_blocks(ext);
  int rc = 0;
  for (uint64 i = 0; i < nblocks && done < len && !rc; i++) {
    Buffer b = ReadBufferExtended(rel, MAIN_FORKNUM, ext_block(ext, i), RBM_NORMAL, bas);
    LockBuffer(b, BUFFER_LOCK_SHARE);
    Page page = BufferGetPage(b);
    size_t have = ((PageHeader)page)->pd_lower > PGS_HDR ? ((PageHeader)page)->pd_lower - PGS_HDR : 0;
    if (have > PGS_DATA || have > len - done) have = 0, rc = EIO;
    memcpy(out + done, PageGetContents(page), have);
    done += have;
    UnlockReleaseBuffer(b);
  }
  if (bas) FreeAccessStrategy(bas);
  return rc || done != len ? EIO : 0;
}

/* ---- the directory blob -------------------------------------------------- */

typedef struct wbuf {
  uint8 *p;
  size_t n, cap;
  int oom;
} wbuf;

static void wb_put(wbuf *b, const void *p, size_t n) {
  if (b->oom) return;
  if (b->n + n > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->n + n) cap *= 2;
    uint8 *q = realloc(b->p, cap);
    if (!q) { b->oom = 1; return; }
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->n, p, n);
  b->n += n;
}

static void wb_u32(wbuf *b, uint32 v) { wb_put(b, &v, 4); }
static void wb_u64(wbuf *b, uint64 v) { wb_put(b, &v, 8); }

static void wb_extents(wbuf *b, const extents *e) {
  wb_u32(b, (uint32)e->n);
  wb_put(b, e->v, e->n * sizeof *e->v);
}

typedef struct rbuf {
  const uint8 *p;
  size_t n, at;
  int bad;
} rbuf;

static void rb_get(rbuf *b, void *out, size_t n) {
  if (b->bad || n > b->n - b->at) { b->bad = 1; memset(out, 0, n); return; }
  memcpy(out, b->p + b->at, n);
  b->at += n;
}

static uint32 rb_u32(rbuf *b) { uint32 v; rb_get(b, &v, 4); return v; }
static uint64 rb_u64(rbuf *b) { uint64 v; rb_get(b, &v, 8); return v; }

static int rb_extents(rbuf *b, extents *e) {
  uint32 n = rb_u32(b);
  if (b->bad || n > (b->n - b->at) / sizeof(extent)) return b->bad = 1, EIO;
  for (uint32 i = 0; i < n; i++) {
    extent x;
    rb_get(b, &x, sizeof x);
    if (ext_push(e, x.start, x.count)) return ENOMEM;
  }
  return 0;
}

static void dir_render(const directory *d, wbuf *b) {
  wb_u32(b, (uint32)d->nfiles);
  for (size_t i = 0; i < d->nfiles; i++) {
    const dir_file *f = &d->files[i];
    uint32 nl = (uint32)strlen(f->name);
    wb_u32(b, nl);
    wb_put(b, f->name, nl);
    wb_u64(b, f->len);
    wb_u64(b, f->hash);
    wb_extents(b, &f->ext);
  }
  wb_extents(b, &d->free);
}

static int dir_parse(const uint8 *p, size_t n, directory *d) {
  if (n == 0) return 0; /* a new index: nothing yet */
  rbuf b = {p, n, 0, 0};
  uint32 nf = rb_u32(&b);
  if (nf > n / 24) return EIO;
  d->files = calloc(nf + 1, sizeof *d->files);
  if (!d->files) return ENOMEM;
  d->capfiles = nf + 1;
  for (uint32 i = 0; i < nf; i++) {
    dir_file *f = &d->files[d->nfiles++];
    uint32 nl = rb_u32(&b);
    if (nl > PGS_MAX_NAME) return EIO;
    rb_get(&b, f->name, nl);
    f->len = rb_u64(&b);
    f->hash = rb_u64(&b);
    int e = rb_extents(&b, &f->ext);
    if (e) return e;
  }
  int e = rb_extents(&b, &d->free);
  if (e) return e;
  return b.bad || b.at != n ? EIO : 0;
}

/* Read the published directory into s->dir.  0, ENOENT when it changed
** while being read (read it again), EIO, ENOMEM. */
static int dir_load_once(pgs *s) {
  pgs_meta m;
  meta_read(s->rel, &m);
  if (s->have_dir && s->dir.generation == m.generation) return 0;
  dir_clear(&s->dir);
  s->have_dir = 0;
  directory d = {0};
  d.generation = m.generation;
  for (uint32 i = 0; i < m.next && i < PGS_META_EXTENTS; i++)
    if (ext_push(&d.self, m.ext[i].start, m.ext[i].count)) { dir_clear(&d); return ENOMEM; }
  uint8 *blob = malloc(m.dir_len + 1);
  if (!blob) { dir_clear(&d); return ENOMEM; }
  int e = read_extents(s->rel, &d.self, m.dir_len, blob);
  if (!e && XXH3_64bits(blob, m.dir_len) != m.dir_hash) e = EIO;
  if (!e) e = dir_parse(blob, m.dir_len, &d);
  /* The blob's free list was rendered before the blocks that hold it were
  ** taken from that list: they are the directory's, not free. */
  if (!e) e = ext_subtract(&d.free, &d.self);
  free(blob);
  if (e) {
    dir_clear(&d);
    return e == EIO && pgs_generation(s->rel) != m.generation ? ENOENT : e;
  }
  s->dir = d;
  s->have_dir = 1;
  return 0;
}

static int dir_load(pgs *s) {
  for (int attempt = 0;; attempt++) {
    int e = dir_load_once(s);
    if (e != ENOENT || attempt == 50) return e;
  }
}

/* Publish the writer's directory: write it into fresh blocks, then switch
** the metapage to it in one WAL record.  Blocks freed before this (and the
** old directory's) become reusable after it. */
static int dir_publish(pgs *s) {
  directory *d = &s->dir;
  wbuf b = {0};
  dir_render(d, &b);
  if (b.oom) { free(b.p); return ENOMEM; }
  extents self = {0};
  int e = 0;
  for (size_t off = 0; off < b.n && !e;) {
    uint8 (*pages)[PGS_DATA] = palloc(PGS_BATCH * PGS_DATA);
    size_t used[PGS_BATCH];
    int n = 0;
    for (; n < PGS_BATCH && off < b.n; n++) {
      used[n] = Min(PGS_DATA, b.n - off);
      memcpy(pages[n], b.p + off, used[n]);
      off += used[n];
    }
    e = write_pages(s, &self, pages, used, n);
    pfree(pages);
  }
  if (!e && self.n > PGS_META_EXTENTS) e = ENOSPC; /* a directory this scattered: VACUUM FULL */
  if (e) { free(b.p); free(self.v); return e; }
  Buffer mb = ReadBuffer(s->rel, 0);
  LockBuffer(mb, BUFFER_LOCK_EXCLUSIVE);
  GenericXLogState *x = GenericXLogStart(s->rel);
  Page page = GenericXLogRegisterBuffer(x, mb, 0);
  pgs_meta *m = meta_of(page);
  m->generation++;
  m->dir_len = b.n;
  m->dir_hash = XXH3_64bits(b.p, b.n);
  m->next = (uint32)self.n;
  memcpy(m->ext, self.v, self.n * sizeof *self.v);
  GenericXLogFinish(x);
  d->generation = m->generation;
  UnlockReleaseBuffer(mb);
  free(b.p);
  /* what was freed is free now; the old directory's blocks wait a turn */
  if (ext_append(&d->free, &d->pending)) e = ENOMEM;
  d->pending.n = 0;
  if (!e && ext_append(&d->pending, &d->self)) e = ENOMEM;
  free(d->self.v);
  d->self = self;
  s->dirty = 0;
  return e;
}

/* ---- the nd_storage functions ------------------------------------------- */

static pgs *of(const nd_storage *st) { return st->ctx; }

/* The directory to find files in: the writer's own, or the published one. */
static int current_dir(pgs *s) { return s->locked ? 0 : dir_load(s); }

static int f_create(const nd_storage *st, const char *name, void **file) {
  pgs *s = of(st);
  *file = NULL;
  if (strlen(name) > PGS_MAX_NAME) return ENAMETOOLONG;
  if (!s->locked) return EROFS;
  if (dir_find(&s->dir, name)) return EEXIST;
  wfile *f = calloc(1, sizeof *f);
  if (!f || !(f->h = XXH3_createState())) { free(f); return ENOMEM; }
  XXH3_64bits_reset(f->h);
  f->s = s;
  strcpy(f->f.name, name);
  *file = f;
  return 0;
}

/* Write the full staged pages (all of them when `all`), keeping a partial
** last one staged otherwise. */
static int f_drain(wfile *f, int all) {
  int full = f->npages;
  if (!all && full && f->used[full - 1] < PGS_DATA) full--;
  if (!full) return 0;
  int e = write_pages(f->s, &f->f.ext, f->page, f->used, full);
  if (e) return e;
  if (full < f->npages) {
    memcpy(f->page[0], f->page[full], f->used[full]);
    f->used[0] = f->used[full];
  }
  f->npages -= full;
  return 0;
}

static int f_append(void *file, const void *p, size_t n) {
  wfile *f = file;
  const uint8 *q = p;
  XXH3_64bits_update(f->h, p, n);
  f->f.len += n;
  while (n) {
    if (!f->npages || f->used[f->npages - 1] == PGS_DATA) {
      if (f->npages == PGS_BATCH) {
        int e = f_drain(f, 1);
        if (e) return e;
      }
      f->used[f->npages++] = 0;
    }
    size_t *u = &f->used[f->npages - 1];
    size_t k = Min(n, PGS_DATA - *u);
    memcpy(f->page[f->npages - 1] + *u, q, k);
    *u += k;
    q += k;
    n -= k;
  }
  return 0;
}

static void f_release(wfile *f) {
  XXH3_freeState(f->h);
  free(f);
}

static int f_finish(void *file) {
  wfile *f = file;
  pgs *s = f->s;
  int e = f_drain(f, 1);
  directory *d = &s->dir;
  if (!e && d->nfiles == d->capfiles) {
    size_t cap = d->capfiles ? d->capfiles * 2 : 16;
    dir_file *v = realloc(d->files, cap * sizeof *v);
    if (!v) e = ENOMEM;
    else d->files = v, d->capfiles = cap;
  }
  if (e) {
    ext_append(&d->pending, &f->f.ext);
    free(f->f.ext.v);
    f_release(f);
    return e;
  }
  f->f.hash = XXH3_64bits_digest(f->h);
  d->files[d->nfiles++] = f->f;
  s->dirty = 1;
  f_release(f);
  return 0;
}

static void f_abandon(const nd_storage *st, void *file) {
  wfile *f = file;
  ext_append(&of(st)->dir.pending, &f->f.ext);
  free(f->f.ext.v);
  f_release(f);
}

static int f_remove(const nd_storage *st, const char *name) {
  pgs *s = of(st);
  if (!s->locked) return EROFS;
  dir_file *f = dir_find(&s->dir, name);
  if (!f) return ENOENT;
  int e = ext_append(&s->dir.pending, &f->ext);
  free(f->ext.v);
  *f = s->dir.files[--s->dir.nfiles];
  s->dirty = 1;
  /* a copy nobody maps is dropped with its file (a segment writer's
  ** temporary runs are read once, then removed) */
  for (copy **pc = &s->copies; *pc;) {
    copy *c = *pc;
    if (c->refs > 0 || strcmp(c->name, name)) { pc = &c->next; continue; }
    *pc = c->next;
    free(c->data);
    free(c);
  }
  return e;
}

/* The cached copy of file f, if there is one. */
static copy *copy_find(pgs *s, const char *name, const dir_file *f) {
  uint32 first = f->ext.n ? f->ext.v[0].start : 0;
  for (copy *c = s->copies; c; c = c->next)
    if (c->first == first && c->hash == f->hash && c->len == f->len && !strcmp(c->name, name)) return c;
  return NULL;
}

/* Read file f into a new cached copy.  0, EIO when its bytes are not what
** the directory says, ENOMEM. */
static int copy_read(pgs *s, const char *name, const dir_file *f, copy **out) {
  copy *c = calloc(1, sizeof *c);
  uint8 *data = malloc(f->len ? f->len : 1);
  if (!c || !data) { free(c); free(data); return ENOMEM; }
  int e = read_extents(s->rel, &f->ext, f->len, data);
  if (!e && XXH3_64bits(data, f->len) != f->hash) e = EIO;
  if (e) { free(c); free(data); return e; }
  strcpy(c->name, name);
  c->first = f->ext.n ? f->ext.v[0].start : 0;
  c->hash = f->hash;
  c->data = data;
  c->len = f->len;
  c->next = s->copies;
  s->copies = c;
  *out = c;
  return 0;
}

static int f_map(const nd_storage *st, const char *name, const void **p, size_t *n, void **token) {
  pgs *s = of(st);
  *p = NULL;
  *n = 0;
  *token = NULL;
  copy *c = NULL;
  for (int attempt = 0; !c; attempt++) {
    int e = current_dir(s);
    if (e) return e;
    dir_file *f = dir_find(&s->dir, name);
    if (!f) return ENOENT;
    uint64 gen = s->dir.generation;
    if (!(c = copy_find(s, name, f)) && (e = copy_read(s, name, f, &c))) {
      /* blocks reused under us after a newer directory freed them: look
      ** the file up again in that directory */
      if (e == EIO && !s->locked && attempt < 50 && pgs_generation(s->rel) != gen) continue;
      return e;
    }
  }
  c->refs++;
  *p = c->data;
  *n = c->len;
  *token = c;
  return 0;
}

static void f_unmap(const nd_storage *st, void *token, const void *p, size_t n) {
  copy *c = token;
  if (c) c->refs--;
}

static int f_replace(const nd_storage *st, const char *name, const void *p, size_t n) {
  pgs *s = of(st);
  if (!s->locked) return EROFS;
  dir_file *old = dir_find(&s->dir, name);
  dir_file keep = {0};
  if (old) { /* take it out of the way of create, put it back on failure */
    keep = *old;
    *old = s->dir.files[--s->dir.nfiles];
  }
  void *f;
  int e = f_create(st, name, &f);
  if (!e && (e = f_append(f, p, n))) f_abandon(st, f);
  else if (!e) e = f_finish(f);
  if (e) {
    if (old) s->dir.files[s->dir.nfiles++] = keep; /* room: it was there */
    return e;
  }
  if (old) {
    e = ext_append(&s->dir.pending, &keep.ext);
    free(keep.ext.v);
  }
  return e ? e : dir_publish(s);
}

static int f_list(const nd_storage *st, int (*each)(void *arg, const char *name), void *arg) {
  pgs *s = of(st);
  int e = current_dir(s);
  if (e) return e;
  /* copy the names: `each` may remove files */
  size_t n = s->dir.nfiles;
  char (*names)[PGS_MAX_NAME + 1] = malloc((n + 1) * sizeof *names);
  if (!names) return ENOMEM;
  for (size_t i = 0; i < n; i++) strcpy(names[i], s->dir.files[i].name);
  for (size_t i = 0; i < n && !e; i++) e = each(arg, names[i]);
  free(names);
  return e;
}

/* Nothing to do: the library syncs before it replaces the manifest, and
** replacing it publishes the directory with every file written so far (WAL
** makes it durable when the transaction commits). */
static int f_sync(const nd_storage *st) { return 0; }

static int f_lock(const nd_storage *st) {
  pgs *s = of(st);
  LockPage(s->rel, 0, ExclusiveLock);
  s->have_dir = 0; /* read it afresh, under the lock */
  int e = dir_load(s);
  if (e) { UnlockPage(s->rel, 0, ExclusiveLock); return e; }
  s->locked = 1;
  return 0;
}

static void f_unlock(const nd_storage *st) {
  pgs *s = of(st);
  if (!s->locked) return;
  if (s->dirty) dir_publish(s); /* removals made after the last commit */
  s->locked = 0;
  UnlockPage(s->rel, 0, ExclusiveLock);
}

/* ---- the object ---------------------------------------------------------- */

pgs *pgs_new(Oid relid) {
  pgs *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->relid = relid;
  s->st = (nd_storage){.ctx = s, .create = f_create, .append = f_append, .finish = f_finish,
                       .abandon = f_abandon, .map = f_map, .unmap = f_unmap, .replace = f_replace,
                       .remove = f_remove, .list = f_list, .sync = f_sync, .lock = f_lock,
                       .unlock = f_unlock};
  return s;
}

void pgs_set_rel(pgs *s, Relation rel) { s->rel = rel; }
const nd_storage *pgs_storage(pgs *s) { return &s->st; }

void pgs_forget_writer(pgs *s) {
  s->locked = 0;
  s->dirty = 0;
  s->have_dir = 0;
}

/* Whether the directory still names the file a copy was made of. */
static int copy_current(pgs *s, const copy *c) {
  if (!s->have_dir) return 0;
  const dir_file *f = dir_find(&s->dir, c->name);
  return f && f->hash == c->hash && f->len == c->len && (f->ext.n ? f->ext.v[0].start : 0) == c->first;
}

void pgs_trim(pgs *s) {
  for (copy **pc = &s->copies; *pc;) {
    copy *c = *pc;
    if (c->refs > 0 || copy_current(s, c)) { pc = &c->next; continue; }
    *pc = c->next;
    free(c->data);
    free(c);
  }
}

void pgs_free(pgs *s) {
  if (!s) return;
  for (copy *c = s->copies, *n; c; c = n) {
    n = c->next;
    free(c->data);
    free(c);
  }
  dir_clear(&s->dir);
  free(s);
}
