/*
** pg_newsdex.h -- what the extension's files share.
**
** pg_rel.c     one backend's open archives (a reader handle per index, the
**              rows inserted but not yet written) and the transaction hooks
** pg_am.c      the index access method: build, insert, scans, vacuum
** pg_sql.c     the SQL functions: score, snippet, links, facets, check, stats
** pg_storage.c the archive's files in the index's pages (pg_storage.h)
*/
#ifndef ND_PG_NEWSDEX_H
#define ND_PG_NEWSDEX_H

#include "postgres.h"

#include "storage/itemptr.h"
#include "utils/rel.h"

#include "newsdex.h"
#include "pg_storage.h"

/* One index as this backend sees it. */
typedef struct ndrel {
  Oid relid;
  Oid filenode;       /* its storage: a REINDEX or TRUNCATE makes new storage */
  pgs *store;
  nd_index *reader;   /* opened read-only on the last published generation */
  uint64 generation;  /* the metapage's when `reader` was refreshed */
  char language[32];
  /* rows inserted by this transaction, written at commit or before a scan */
  nd_doc *pend;
  size_t npend, cappend;
  struct ndrel *next;
} ndrel;

/* The backend's state of index `rel` (made on first use). */
ndrel *ndrel_get(Relation rel);
/* A reader on the latest published state of `rel`, with this backend's
** pending rows written first. */
nd_index *ndrel_reader(Relation rel);
/* Queue a row for writing at commit; the strings are copied. */
void ndrel_queue(Relation rel, const nd_doc *doc);
/* Open a writer on `rel` (taking its writer lock; making the archive when
** the index has none yet), run fn, commit, close; ERROR with the library's
** message on failure. */
typedef void (*ndrel_write_fn)(nd_index *w, void *arg);
void ndrel_write(Relation rel, const nd_open_options *opts, ndrel_write_fn fn, void *arg);
/* Register the transaction hooks (once per backend). */
void ndrel_hook(void);
/* The stemming language of an index (its reloption; "english"). */
const char *nd_pg_language(Relation rel);
/* Forget a dropped index's state. */
void ndrel_forget(Oid relid);

/* ERROR with nd_errmsg() of ix (or nd_strerror(rc) when it is empty). */
void nd_pg_fail(nd_index *ix, int rc, const char *what) pg_attribute_noreturn();

/* Article ids of rows are their heap TIDs, "block.offset". */
void tid_to_id(const ItemPointerData *tid, char *out, size_t cap);
int id_to_tid(const char *id, ItemPointerData *tid);

/* The query of a scan key or an argument: the text, after an optional
** statistics header (newsdex.with_stats). */
typedef struct nd_pg_query {
  char *query;
  char *stats; /* NULL: the archive's own */
} nd_pg_query;
void nd_pg_query_parse(text *t, nd_pg_query *out);

/* The score of a TID in the last ordered or plain index scan of this
** backend (newsdex.score). */
void nd_pg_scores_reset(void);
void nd_pg_scores_put(const ItemPointerData *tid, double score);
int nd_pg_scores_get(const ItemPointerData *tid, double *score);
/* The ORDER BY query and score of the row an ordered scan is on (<=>). */
void nd_pg_current_set(const char *query, double score);
void nd_pg_current_clear(void);

#endif
