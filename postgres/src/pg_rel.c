/*
** pg_rel.c -- one backend's open archives and the transaction hooks.
**
** Each index this backend has touched keeps a storage (pg_storage.c, with
** its cache of file copies) and a read-only handle, refreshed when the
** metapage's generation moves.  Rows inserted by the transaction are
** queued in memory and written as one segment when the transaction
** commits -- or earlier, before a scan of the same index in the same
** transaction, so that it sees its own rows.  Either way the writer lock
** is held only while a segment is written, and a bulk load makes WAL
** records per page, not per row.  Rows of a transaction that aborts after
** its rows were written are in the index but their heap tuples are dead:
** the executor never returns them, and VACUUM removes them
** (ambulkdelete).
**
** The library allocates with malloc and cannot be unwound by an ERROR
** (longjmp): when one escapes from a call into it, the handle it was in is
** abandoned (leaked, never used again) and the storage forgets its state.
*/
#include "pg_newsdex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access/genam.h"
#include "access/xact.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

static ndrel *rels;
static int hooked;

void nd_pg_fail(nd_index *ix, int rc, const char *what) {
  const char *m = ix ? nd_errmsg(ix) : "";
  ereport(ERROR, (errcode(rc == ND_ERR_QUERY ? ERRCODE_SYNTAX_ERROR
                          : rc == ND_ERR_INVALID || rc == ND_ERR_LIMIT ? ERRCODE_INVALID_PARAMETER_VALUE
                          : rc == ND_ERR_NOMEM ? ERRCODE_OUT_OF_MEMORY
                          : rc == ND_ERR_NOSPACE ? ERRCODE_DISK_FULL
                          : rc == ND_ERR_CORRUPT ? ERRCODE_INDEX_CORRUPTED
                                                 : ERRCODE_INTERNAL_ERROR),
                  errmsg("newsdex: %s: %s", what, m && *m ? m : nd_strerror(rc))));
}

void tid_to_id(const ItemPointerData *tid, char *out, size_t cap) {
  snprintf(out, cap, "%u.%u", ItemPointerGetBlockNumberNoCheck(tid), ItemPointerGetOffsetNumberNoCheck(tid));
}

int id_to_tid(const char *id, ItemPointerData *tid) {
  unsigned blk, off;
  int n = 0;
  if (sscanf(id, "%u.%u%n", &blk, &off, &n) != 2 || id[n] || off == 0 || off > MaxOffsetNumber) return -1;
  ItemPointerSet(tid, blk, (OffsetNumber)off);
  return 0;
}

/* ---- pending rows ------------------------------------------------------- */

static void doc_free(nd_doc *d) {
  free((char *)d->id);
  free((char *)d->title);
  free((char *)d->body);
  free((char *)d->date);
  free((char *)d->source);
}

static void pend_clear(ndrel *r) {
  for (size_t i = 0; i < r->npend; i++) doc_free(&r->pend[i]);
  free(r->pend);
  r->pend = NULL;
  r->npend = r->cappend = 0;
}

static char *dup_or_null(const char *s) {
  if (!s) return NULL;
  char *d = strdup(s);
  if (!d) ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("newsdex: out of memory queueing a row")));
  return d;
}

void ndrel_queue(Relation rel, const nd_doc *doc) {
  ndrel *r = ndrel_get(rel);
  if (r->npend == r->cappend) {
    size_t cap = r->cappend ? r->cappend * 2 : 64;
    nd_doc *p = realloc(r->pend, cap * sizeof *p);
    if (!p) ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("newsdex: out of memory queueing a row")));
    r->pend = p;
    r->cappend = cap;
  }
  nd_doc d = {0};
  d.id = dup_or_null(doc->id);
  d.title = dup_or_null(doc->title);
  d.body = dup_or_null(doc->body);
  d.date = dup_or_null(doc->date);
  d.source = dup_or_null(doc->source);
  r->pend[r->npend++] = d;
}

/* ---- handles ------------------------------------------------------------ */

static void language_of(Relation rel, char *out, size_t cap);

ndrel *ndrel_get(Relation rel) {
  Oid relid = RelationGetRelid(rel);
  for (ndrel *r = rels; r; r = r->next)
    if (r->relid == relid) {
      if (r->filenode == rel->rd_node.relNode) return r;
      ndrel_forget(relid); /* REINDEX or TRUNCATE gave it new storage */
      break;
    }
  ndrel *r = calloc(1, sizeof *r);
  if (!r || !(r->store = pgs_new(relid))) {
    free(r);
    ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("newsdex: out of memory")));
  }
  r->relid = relid;
  r->filenode = rel->rd_node.relNode;
  language_of(rel, r->language, sizeof r->language);
  r->next = rels;
  rels = r;
  return r;
}

static void language_of(Relation rel, char *out, size_t cap) { snprintf(out, cap, "%s", nd_pg_language(rel)); }

static void add_pending(nd_index *w, void *arg) {
  ndrel *r = arg;
  nd_add_result *res = palloc(sizeof *res * (r->npend ? r->npend : 1));
  int rc = nd_add_batch(w, r->pend, r->npend, res);
  if (rc) nd_pg_fail(w, rc, "writing inserted rows");
  for (size_t i = 0; i < r->npend; i++)
    if (res[i].status)
      ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                      errmsg("newsdex: row %s cannot be indexed: %s", r->pend[i].id, res[i].message)));
  pfree(res);
}

void ndrel_write(Relation rel, const nd_open_options *opts, ndrel_write_fn fn, void *arg) {
  ndrel *r = ndrel_get(rel);
  nd_open_options o = opts ? *opts : (nd_open_options){0};
  o.storage = pgs_storage(r->store);
  o.threads = 1; /* a backend's buffer manager is for its own thread only */
  if (!o.language) o.language = r->language;
  pgs_set_rel(r->store, rel);
  nd_index *w = NULL;
  PG_TRY();
  {
    /* CREATE: a new index, and an unlogged one reset to its init fork after
    ** a crash, have a metapage and nothing else */
    int rc = nd_open(RelationGetRelationName(rel), ND_OPEN_CREATE, &o, &w);
    if (rc) nd_pg_fail(w, rc, "opening the index for writing");
    fn(w, arg);
    if ((rc = nd_commit(w))) nd_pg_fail(w, rc, "committing to the index");
  }
  PG_CATCH();
  {
    /* the handle may be half-way through anything: abandon it */
    pgs_forget_writer(r->store);
    PG_RE_THROW();
  }
  PG_END_TRY();
  nd_close(w);
  pgs_trim(r->store);
}

static void nothing(nd_index *w, void *arg) {}

static void flush_pending(ndrel *r, Relation rel) {
  if (!r->npend) return;
  ndrel_write(rel, NULL, add_pending, r);
  pend_clear(r);
}

nd_index *ndrel_reader(Relation rel) {
  ndrel *r = ndrel_get(rel);
  flush_pending(r, rel);
  pgs_set_rel(r->store, rel);
  uint64 gen = pgs_generation(rel);
  if (r->reader && gen == r->generation) return r->reader;
  if (gen == 0) { /* an unlogged index reset after a crash: make it an empty archive */
    ndrel_write(rel, NULL, nothing, NULL);
    gen = pgs_generation(rel);
  }
  nd_index *ix = r->reader;
  r->reader = NULL; /* until it is known to be whole */
  int rc = 0;
  PG_TRY();
  {
    if (!ix) {
      nd_open_options o = {.storage = pgs_storage(r->store), .threads = 1};
      rc = nd_open(RelationGetRelationName(rel), 0, &o, &ix);
    } else {
      rc = nd_refresh(ix);
    }
  }
  PG_CATCH();
  {
    pgs_forget_writer(r->store); /* ix is abandoned */
    PG_RE_THROW();
  }
  PG_END_TRY();
  if (rc) {
    char msg[512];
    snprintf(msg, sizeof msg, "%s", ix ? nd_errmsg(ix) : nd_strerror(rc));
    nd_close(ix);
    ereport(ERROR, (errcode(rc == ND_ERR_CORRUPT ? ERRCODE_INDEX_CORRUPTED : ERRCODE_INTERNAL_ERROR),
                    errmsg("newsdex: reading index \"%s\": %s", RelationGetRelationName(rel), msg)));
  }
  r->reader = ix;
  r->generation = gen;
  pgs_trim(r->store);
  return r->reader;
}

void ndrel_forget(Oid relid) {
  for (ndrel **p = &rels; *p; p = &(*p)->next)
    if ((*p)->relid == relid) {
      ndrel *r = *p;
      *p = r->next;
      pend_clear(r);
      nd_close(r->reader);
      pgs_free(r->store);
      free(r);
      return;
    }
}

/* ---- transaction hooks ---------------------------------------------------- */

static void on_xact(XactEvent ev, void *arg) {
  switch (ev) {
    case XACT_EVENT_PRE_COMMIT:
    case XACT_EVENT_PARALLEL_PRE_COMMIT:
      for (ndrel *r = rels; r; r = r->next) {
        if (!r->npend) continue;
        Relation rel = index_open(r->relid, RowExclusiveLock);
        flush_pending(r, rel);
        index_close(rel, RowExclusiveLock);
      }
      break;
    case XACT_EVENT_ABORT:
    case XACT_EVENT_PARALLEL_ABORT:
      for (ndrel *r = rels; r; r = r->next) {
        pend_clear(r);
        pgs_forget_writer(r->store);
      }
      break;
    default:
      break;
  }
}

void ndrel_hook(void) {
  if (hooked) return;
  RegisterXactCallback(on_xact, NULL);
  hooked = 1;
}
