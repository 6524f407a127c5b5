/*
** pg_am.c -- the newsdex index access method.
**
**   CREATE INDEX ON articles USING newsdex (title, body, published, outlet)
**     WITH (language = 'english');
**
** Columns by position: title (text), body (text), then optionally the date
** (timestamptz, timestamp or date) and the source (text).  Each row is one
** article whose id is its heap TID.  The operators
**   col @@@ 'query'    the row matches the newsdex query (any indexed column
**                      may stand on the left: the query names its fields)
**   col <=> 'query'    ORDER BY it: the negated BM25 score, so that the
**                      ascending order the planner asks of an index is the
**                      best-first order
** are answered by the index only: the planner is steered to it by its
** costs, and the operator functions refuse to run on their own.
*/
#include "pg_newsdex.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "access/amapi.h"
#include "access/generic_xlog.h"
#include "access/reloptions.h"
#include "access/relscan.h"
#include "access/tableam.h"
#include "catalog/index.h"
#include "catalog/pg_type.h"
#include "commands/vacuum.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "nodes/pathnodes.h"
#include "optimizer/cost.h"
#include "storage/bufmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"
#include "utils/selfuncs.h"

PG_MODULE_MAGIC;

#define SCAN_FIRST 16      /* hits fetched by a scan's first search (LIMIT 10 is common) */
#define SCAN_MAX (1 << 20) /* most hits fetched by one search */

/* ---- options ------------------------------------------------------------ */

typedef struct nd_reloptions {
  int32 vl_len_;
  int language; /* offset of the string */
} nd_reloptions;

static relopt_kind nd_relopt_kind;

void _PG_init(void);
void _PG_init(void) {
  nd_relopt_kind = add_reloption_kind();
  add_string_reloption(nd_relopt_kind, "language", "Snowball stemming language of the index (\"none\": no stemming)",
                       "english", NULL, AccessExclusiveLock);
  ndrel_hook();
}

static bytea *nd_options(Datum reloptions, bool validate) {
  static const relopt_parse_elt tab[] = {{"language", RELOPT_TYPE_STRING, offsetof(nd_reloptions, language)}};
  return (bytea *)build_reloptions(reloptions, validate, nd_relopt_kind, sizeof(nd_reloptions), tab, lengthof(tab));
}

const char *nd_pg_language(Relation rel) {
  nd_reloptions *o = (nd_reloptions *)rel->rd_options;
  return o && o->language ? (const char *)o + o->language : "english";
}

/* ---- rows as articles ----------------------------------------------------- */

/* The ISO 8601 text of a date column's value, into out. */
static const char *date_text(Oid type, Datum v, char *out, size_t cap) {
  struct pg_tm tm;
  fsec_t fsec;
  if (type == DATEOID) {
    DateADT d = DatumGetDateADT(v);
    if (DATE_NOT_FINITE(d)) return NULL;
    j2date(d + POSTGRES_EPOCH_JDATE, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
    snprintf(out, cap, "%04d-%02d-%02d", tm.tm_year, tm.tm_mon, tm.tm_mday);
    return out;
  }
  Timestamp t = DatumGetTimestamp(v);
  if (TIMESTAMP_NOT_FINITE(t) || timestamp2tm(t, NULL, &tm, &fsec, NULL, NULL)) return NULL;
  if (tm.tm_year < 1 || tm.tm_year > 9999) return NULL;
  snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min,
           tm.tm_sec);
  return out;
}

typedef struct row_text {
  char id[32], date[40];
  nd_doc doc;
} row_text;

/* The article of an index row.  Returns 0 when it has nothing to index
** (no title and no body). */
static int row_doc(Relation index, const Datum *values, const bool *isnull, const ItemPointerData *tid, row_text *r) {
  TupleDesc td = RelationGetDescr(index);
  memset(&r->doc, 0, sizeof r->doc);
  tid_to_id(tid, r->id, sizeof r->id);
  r->doc.id = r->id;
  int n = td->natts;
  if (n > 0 && !isnull[0]) r->doc.title = TextDatumGetCString(values[0]);
  if (n > 1 && !isnull[1]) r->doc.body = TextDatumGetCString(values[1]);
  if (n > 2 && !isnull[2]) r->doc.date = date_text(TupleDescAttr(td, 2)->atttypid, values[2], r->date, sizeof r->date);
  if (n > 3 && !isnull[3]) r->doc.source = TextDatumGetCString(values[3]);
  int has = 0;
  for (const char *s = r->doc.title; s && *s && !has; s++) has = !isspace((unsigned char)*s);
  for (const char *s = r->doc.body; s && *s && !has; s++) has = !isspace((unsigned char)*s);
  return has;
}

static void check_columns(Relation index) {
  TupleDesc td = RelationGetDescr(index);
  static const char *what[] = {"title", "body", "date", "source"};
  if (td->natts < 1 || td->natts > 4)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("a newsdex index takes 1 to 4 columns: title, body, date, source")));
  for (int i = 0; i < td->natts; i++) {
    Oid t = TupleDescAttr(td, i)->atttypid;
    int ok = i == 2 ? t == DATEOID || t == TIMESTAMPOID || t == TIMESTAMPTZOID : t == TEXTOID || t == VARCHAROID;
    if (!ok)
      ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH),
                      errmsg("newsdex index column %d (the %s) cannot be of type %s", i + 1, what[i],
                             format_type_be(t)),
                      errhint("Columns by position: title text, body text, date timestamptz/timestamp/date, source text.")));
  }
}

/* ---- build ---------------------------------------------------------------- */

typedef struct build_state {
  Relation heap, index;
  IndexInfo *info;
  double rows, indexed;
  MemoryContext tmp;
} build_state;

static void build_row(Relation index, ItemPointer tid, Datum *values, bool *isnull, bool alive, void *arg);

static void build_scan(nd_index *w, void *arg) {
  build_state *b = arg;
  b->tmp = AllocSetContextCreate(CurrentMemoryContext, "newsdex build row", ALLOCSET_DEFAULT_SIZES);
  *(nd_index **)&b->info->ii_AmCache = w;
  b->rows = table_index_build_scan(b->heap, b->index, b->info, true, true, build_row, b, NULL);
  b->info->ii_AmCache = NULL;
  MemoryContextDelete(b->tmp);
}

static void build_row(Relation index, ItemPointer tid, Datum *values, bool *isnull, bool alive, void *arg) {
  build_state *b = arg;
  nd_index *w = b->info->ii_AmCache;
  MemoryContext old = MemoryContextSwitchTo(b->tmp);
  row_text r;
  if (row_doc(index, values, isnull, tid, &r)) {
    int rc = nd_add(w, &r.doc, NULL);
    if (rc) nd_pg_fail(w, rc, "indexing a row");
    b->indexed++;
  }
  MemoryContextSwitchTo(old);
  MemoryContextReset(b->tmp);
}

static IndexBuildResult *nd_build(Relation heap, Relation index, IndexInfo *info) {
  check_columns(index);
  if (RelationGetNumberOfBlocks(index) != 0)
    elog(ERROR, "newsdex index \"%s\" already contains data", RelationGetRelationName(index));
  pgs_init_meta(index, MAIN_FORKNUM);
  build_state b = {heap, index, info, 0, 0, NULL};
  nd_open_options o = {.buffer_bytes = (size_t)maintenance_work_mem * 1024};
  ndrel_forget(RelationGetRelid(index)); /* a REINDEX: the old state is gone */
  ndrel_write(index, &o, build_scan, &b);
  IndexBuildResult *res = palloc0(sizeof *res);
  res->heap_tuples = b.rows;
  res->index_tuples = b.indexed;
  return res;
}

static void nd_buildempty(Relation index) { pgs_init_meta(index, INIT_FORKNUM); }

/* ---- insert ---------------------------------------------------------------- */

static bool nd_insert(Relation index, Datum *values, bool *isnull, ItemPointer tid, Relation heap,
                      IndexUniqueCheck unique, bool unchanged, IndexInfo *info) {
  row_text r;
  if (row_doc(index, values, isnull, tid, &r)) ndrel_queue(index, &r.doc);
  return false;
}

/* ---- vacuum ----------------------------------------------------------------- */

typedef struct vac_state {
  IndexBulkDeleteResult *stats;
  IndexBulkDeleteCallback cb;
  void *cb_state;
} vac_state;

static void vac_delete(nd_index *w, void *arg) {
  vac_state *v = arg;
  nd_search_options so = {.limit = SCAN_MAX, .ids_only = 1, .versions = ND_VERSIONS_ALL, .sort = ND_SORT_DATE};
  for (size_t offset = 0;; offset += SCAN_MAX) {
    nd_results *res;
    so.offset = offset;
    int rc = nd_search(w, "*", &so, &res);
    if (rc) nd_pg_fail(w, rc, "listing the index's rows");
    size_t n = nd_results_count(res);
    for (size_t i = 0; i < n; i++) {
      nd_hit h;
      ItemPointerData tid;
      if (nd_results_hit(res, i, &h) || id_to_tid(h.id, &tid)) continue;
      if (v->cb(&tid, v->cb_state)) {
        if ((rc = nd_delete(w, h.id)) && rc != ND_ERR_NOTFOUND) {
          nd_results_free(res);
          nd_pg_fail(w, rc, "deleting a dead row");
        }
        v->stats->tuples_removed++;
      } else {
        v->stats->num_index_tuples++;
      }
    }
    nd_results_free(res);
    if (n < SCAN_MAX) break;
  }
}

static IndexBulkDeleteResult *nd_bulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
                                            IndexBulkDeleteCallback cb, void *cb_state) {
  if (!stats) stats = palloc0(sizeof *stats);
  vac_state v = {stats, cb, cb_state};
  stats->num_index_tuples = 0;
  ndrel_write(info->index, NULL, vac_delete, &v);
  stats->num_pages = RelationGetNumberOfBlocks(info->index);
  return stats;
}

static IndexBulkDeleteResult *nd_vacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats) {
  if (info->analyze_only) return stats;
  if (!stats) {
    stats = palloc0(sizeof *stats);
    nd_stats st;
    nd_index *ix = ndrel_reader(info->index);
    if (nd_stats_get(ix, &st) == 0) stats->num_index_tuples = (double)st.articles;
  }
  stats->num_pages = RelationGetNumberOfBlocks(info->index);
  return stats;
}

/* ---- planning --------------------------------------------------------------- */

/* Only this index can answer @@@ and <=>: cost it as cheap as an index can be
** and let its selectivity be what the planner guesses for the clause.  A
** scan with neither finds nothing (nd_rescan), so it must never be chosen:
** count(*) of the whole table would otherwise be an index-only scan of it
** (one that needs no column) once VACUUM has set the visibility map. */
static void nd_costestimate(PlannerInfo *root, IndexPath *path, double loop_count, Cost *startup, Cost *total,
                            Selectivity *selectivity, double *correlation, double *pages) {
  if (path->indexclauses == NIL && path->indexorderbys == NIL) {
    *startup = *total = disable_cost;
    *selectivity = 1;
    *correlation = 0;
    *pages = 1;
    return;
  }
  GenericCosts c;
  MemSet(&c, 0, sizeof c);
  genericcostestimate(root, path, loop_count, &c);
  *startup = 0;
  *total = c.indexTotalCost / 100 + 0.01;
  *selectivity = c.indexSelectivity;
  *correlation = 0;
  *pages = 1;
}

static bool nd_validate(Oid opclass) { return true; }

/* ---- scans ------------------------------------------------------------------ */

typedef struct scan_state {
  char *query, *stats;    /* NULL query: nothing to find */
  char *order;            /* the ORDER BY's query text as given (<=>) */
  int ordered;
  nd_results *res;
  size_t at, fetched, limit;
  int done;
} scan_state;

static IndexScanDesc nd_beginscan(Relation index, int nkeys, int norderbys) {
  IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
  scan->opaque = palloc0(sizeof(scan_state));
  if (norderbys > 0) { /* the access method provides these */
    scan->xs_orderbyvals = palloc0(sizeof(Datum) * norderbys);
    scan->xs_orderbynulls = palloc(sizeof(bool) * norderbys);
    memset(scan->xs_orderbynulls, true, sizeof(bool) * norderbys);
  }
  return scan;
}

static void scan_results_free(scan_state *s) {
  if (s->res) nd_results_free(s->res);
  s->res = NULL;
}

/* The query of the scan: its keys' queries joined with AND (an ORDER BY's
** query scores them; alone, it is the query). */
static void nd_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys) {
  scan_state *s = scan->opaque;
  scan_results_free(s);
  if (keys && scan->numberOfKeys > 0) memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
  if (orderbys && scan->numberOfOrderBys > 0)
    memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));
  StringInfoData q;
  initStringInfo(&q);
  s->stats = NULL;
  s->order = NULL;
  s->done = 0;
  nd_pg_current_clear();
  int parts = 0;
  for (int pass = 0; pass < 2; pass++) {
    int n = pass ? scan->numberOfOrderBys : scan->numberOfKeys;
    ScanKey k = pass ? scan->orderByData : scan->keyData;
    for (int i = 0; i < n; i++) {
      if (k[i].sk_flags & SK_ISNULL) { s->done = 1; continue; }
      nd_pg_query pq;
      if (pass && !s->order) s->order = TextDatumGetCString(k[i].sk_argument);
      nd_pg_query_parse(DatumGetTextPP(k[i].sk_argument), &pq);
      if (pq.stats) s->stats = pq.stats;
      if (pass && parts) continue; /* the WHERE's queries decide what matches */
      appendStringInfo(&q, "%s(%s)", parts++ ? " AND " : "", pq.query);
    }
  }
  s->query = parts ? q.data : NULL;
  if (!parts) s->done = 1;
  s->ordered = scan->numberOfOrderBys > 0;
  s->at = s->fetched = 0;
  s->limit = SCAN_FIRST;
  nd_pg_scores_reset();
}

/* Run the search for hits [fetched, fetched + limit).  An ordered scan
** (ORDER BY <=>, usually under a LIMIT) asks for a few more hits each time
** the executor wants more (16, then four times as many); an unordered one
** learns the exact total from its first search and asks for all the rest
** with its second, rather than ranking the first hits again and again. */
static void scan_fetch(IndexScanDesc scan) {
  scan_state *s = scan->opaque;
  nd_index *ix = ndrel_reader(scan->indexRelation);
  scan_results_free(s);
  int first = s->fetched == 0;
  nd_search_options so = {.limit = s->limit, .offset = s->fetched, .ids_only = 1, .versions = ND_VERSIONS_ALL,
                          .count = !s->ordered && first ? ND_COUNT_EXACT : ND_COUNT_LOWER_BOUND, .stats = s->stats};
  int rc = nd_search(ix, s->query, &so, &s->res);
  if (rc) nd_pg_fail(ix, rc, "searching");
  s->at = 0;
  size_t n = nd_results_count(s->res);
  if (n < s->limit) s->done = 1;
  s->fetched += n;
  if (!s->ordered && first) {
    uint64 total = nd_results_total(s->res);
    s->limit = total > s->fetched ? (size_t)Min(total - s->fetched, SCAN_MAX) : 1;
  } else if (s->limit < SCAN_MAX) {
    s->limit *= 4;
  }
}

static bool nd_gettuple(IndexScanDesc scan, ScanDirection dir) {
  scan_state *s = scan->opaque;
  for (;;) {
    if (s->res && s->at < nd_results_count(s->res)) {
      nd_hit h;
      ItemPointerData tid;
      if (nd_results_hit(s->res, s->at++, &h) || id_to_tid(h.id, &tid)) continue;
      scan->xs_heaptid = tid;
      scan->xs_recheck = false;
      nd_pg_scores_put(&tid, h.score);
      if (s->ordered) {
        for (int i = 0; i < scan->numberOfOrderBys; i++) {
          scan->xs_orderbyvals[i] = Float8GetDatum(-h.score);
          scan->xs_orderbynulls[i] = false;
        }
        scan->xs_recheckorderby = false;
        nd_pg_current_set(s->order, h.score);
      }
      return true;
    }
    nd_pg_current_clear();
    if (s->done) return false;
    scan_fetch(scan);
  }
}

static int64 nd_getbitmap(IndexScanDesc scan, TIDBitmap *tbm) {
  scan_state *s = scan->opaque;
  int64 n = 0;
  s->limit = SCAN_MAX;
  while (!s->done) {
    scan_fetch(scan);
    for (size_t i = 0; i < nd_results_count(s->res); i++) {
      nd_hit h;
      ItemPointerData tid;
      if (nd_results_hit(s->res, i, &h) || id_to_tid(h.id, &tid)) continue;
      tbm_add_tuples(tbm, &tid, 1, false);
      nd_pg_scores_put(&tid, h.score); /* newsdex.score() after a bitmap scan too */
      n++;
    }
  }
  scan_results_free(s);
  return n;
}

static void nd_endscan(IndexScanDesc scan) {
  scan_state *s = scan->opaque;
  nd_pg_current_clear();
  scan_results_free(s);
}

/* ---- the handler ------------------------------------------------------------ */

PG_FUNCTION_INFO_V1(newsdex_handler);
Datum newsdex_handler(PG_FUNCTION_ARGS) {
  IndexAmRoutine *am = makeNode(IndexAmRoutine);
  am->amstrategies = 2;
  am->amsupport = 0;
  am->amoptsprocnum = 0;
  am->amcanorder = false;
  am->amcanorderbyop = true;
  am->amcanbackward = false;
  am->amcanunique = false;
  am->amcanmulticol = true;
  am->amoptionalkey = true;
  am->amsearcharray = false;
  am->amsearchnulls = false;
  am->amstorage = false;
  am->amclusterable = false;
  am->ampredlocks = false;
  am->amcanparallel = false;
  am->amcaninclude = false;
  am->amusemaintenanceworkmem = true;
  am->amparallelvacuumoptions = VACUUM_OPTION_NO_PARALLEL;
  am->amkeytype = InvalidOid;
  am->ambuild = nd_build;
  am->ambuildempty = nd_buildempty;
  am->aminsert = nd_insert;
  am->ambulkdelete = nd_bulkdelete;
  am->amvacuumcleanup = nd_vacuumcleanup;
  am->amcanreturn = NULL;
  am->amcostestimate = nd_costestimate;
  am->amoptions = nd_options;
  am->amproperty = NULL;
  am->ambuildphasename = NULL;
  am->amvalidate = nd_validate;
  am->amadjustmembers = NULL;
  am->ambeginscan = nd_beginscan;
  am->amrescan = nd_rescan;
  am->amgettuple = nd_gettuple;
  am->amgetbitmap = nd_getbitmap;
  am->amendscan = nd_endscan;
  am->ammarkpos = NULL;
  am->amrestrpos = NULL;
  am->amestimateparallelscan = NULL;
  am->aminitparallelscan = NULL;
  am->amparallelrescan = NULL;
  PG_RETURN_POINTER(am);
}
