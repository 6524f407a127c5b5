/*
** pg_sql.c -- the extension's SQL functions besides the access method.
**
**   newsdex.score(ctid)            the BM25 score the last index scan of this
**                                  backend gave the row
**   newsdex.snippet(index, ctid, query [, open, close])
**   newsdex.links(index, ctid)     the row's key topics, as rows
**   newsdex.facets(index, query, field [, k]), newsdex.histogram(index, query
**                                  [, period])   counts of the index's rows
**   newsdex.stats(index)           counts and sizes of the index
**   newsdex.check(index)           every problem of the index, as rows
**   newsdex.query_stats(index, query), newsdex.stats_merge(text[]),
**   newsdex.with_stats(query, stats)   statistics shared by shards
*/
#include "pg_newsdex.h"

#include <stdlib.h>
#include <string.h>

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/pg_am.h"
#include "catalog/pg_type.h"
#include "commands/defrem.h"
#include "fmgr.h"
#include "nodes/pathnodes.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/selfuncs.h"
#include "utils/tuplestore.h"

#define PG_GETARG_ITEMPOINTER(n) ((ItemPointer)DatumGetPointer(PG_GETARG_DATUM(n)))

/* with_stats joins figures and query as SEP figures SEP query */
#define STATS_SEP '\x1e'

void nd_pg_query_parse(text *t, nd_pg_query *out) {
  char *s = text_to_cstring(t);
  out->stats = NULL;
  out->query = s;
  if (s[0] == STATS_SEP) {
    char *end = strchr(s + 1, STATS_SEP);
    if (!end)
      ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                      errmsg("newsdex: a query with statistics has no end to them (made by newsdex.with_stats?)")));
    *end = 0;
    out->stats = s + 1;
    out->query = end + 1;
  }
}

/* ---- scores of the last scan ------------------------------------------- */

typedef struct score_slot {
  uint64 key; /* block << 16 | offset, + 1 (0: empty) */
  double score;
} score_slot;

static score_slot *scores;
static size_t nscores, capscores;

static uint64 tid_key(const ItemPointerData *tid) {
  return ((uint64)ItemPointerGetBlockNumberNoCheck(tid) << 16 | ItemPointerGetOffsetNumberNoCheck(tid)) + 1;
}

/* The home slot of a key: the high half of the product (its low bits depend
** only on the key's low bits, the offset, and would put every row of the
** same offset in one run of slots). */
static size_t slot_of(uint64 key) { return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & (capscores - 1); }

/* A scan starts with an empty table: a large one left by a big scan is
** freed (clearing it would cost every later scan its size), a small one
** cleared. */
void nd_pg_scores_reset(void) {
  if (capscores > 4096) {
    free(scores);
    scores = NULL;
    capscores = 0;
  } else if (nscores) {
    memset(scores, 0, capscores * sizeof *scores);
  }
  nscores = 0;
}

static void scores_put_key(uint64 key, double score) {
  size_t h = slot_of(key);
  while (scores[h].key && scores[h].key != key) h = (h + 1) & (capscores - 1);
  if (!scores[h].key) nscores++;
  scores[h] = (score_slot){key, score};
}

void nd_pg_scores_put(const ItemPointerData *tid, double score) {
  if ((nscores + 1) * 2 > capscores) {
    size_t cap = capscores ? capscores * 2 : 1024;
    score_slot *old = scores, *v = calloc(cap, sizeof *v);
    if (!v) return; /* newsdex.score() will say it has none */
    size_t oldcap = capscores;
    scores = v;
    capscores = cap;
    nscores = 0;
    for (size_t i = 0; i < oldcap; i++)
      if (old[i].key) scores_put_key(old[i].key, old[i].score);
    free(old);
  }
  scores_put_key(tid_key(tid), score);
}

int nd_pg_scores_get(const ItemPointerData *tid, double *score) {
  if (!capscores) return 0;
  uint64 key = tid_key(tid);
  for (size_t h = slot_of(key); scores[h].key; h = (h + 1) & (capscores - 1))
    if (scores[h].key == key) {
      *score = scores[h].score;
      return 1;
    }
  return 0;
}

PG_FUNCTION_INFO_V1(newsdex_score);
Datum newsdex_score(PG_FUNCTION_ARGS) {
  ItemPointer tid = PG_GETARG_ITEMPOINTER(0);
  double sc;
  if (!nd_pg_scores_get(tid, &sc)) PG_RETURN_NULL();
  PG_RETURN_FLOAT8(sc);
}

/* ---- operators that only an index answers ---------------------------------- */

PG_FUNCTION_INFO_V1(newsdex_match);
Datum newsdex_match(PG_FUNCTION_ARGS) {
  ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                  errmsg("newsdex: the @@@ operator is answered by a newsdex index only"),
                  errhint("Create one (CREATE INDEX ... USING newsdex (title, body, ...)) on the column at the left of "
                          "@@@; if it exists, a lossy bitmap may have asked to recheck rows: raise work_mem.")));
  PG_RETURN_BOOL(false);
}

/* The row an ordered scan returned last: the executor evaluates the ORDER
** BY expression of each row it projects, even when the index gave the
** order, so <=> answers with that row's score. */
static const char *scan_query; /* NULL: no ordered scan is on a row */
static double scan_score;

void nd_pg_current_set(const char *query, double score) {
  scan_query = query;
  scan_score = score;
}

void nd_pg_current_clear(void) { scan_query = NULL; }

PG_FUNCTION_INFO_V1(newsdex_distance);
Datum newsdex_distance(PG_FUNCTION_ARGS) {
  char *q = text_to_cstring(PG_GETARG_TEXT_PP(1));
  if (!scan_query || strcmp(q, scan_query))
    ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
                    errmsg("newsdex: the <=> operator orders the rows of a newsdex index scan only"),
                    errhint("Use it in ORDER BY with a newsdex index on its left column; for the score itself, "
                            "select newsdex.score(ctid).")));
  PG_RETURN_FLOAT8(-scan_score);
}

/* The selectivity of col @@@ 'query': the index's own count of the query's
** matches over the table's rows, so that the planner knows a rare word
** from a common one (and takes a bitmap scan for many rows).  Without a
** constant query or a newsdex index on the table, PostgreSQL's default
** for such operators. */
PG_FUNCTION_INFO_V1(newsdex_matchsel);
Datum newsdex_matchsel(PG_FUNCTION_ARGS) {
  PlannerInfo *root = (PlannerInfo *)PG_GETARG_POINTER(0);
  List *args = (List *)PG_GETARG_POINTER(2);
  int var_relid = PG_GETARG_INT32(3);
  VariableStatData vd;
  Node *other;
  bool var_left;
  double sel = DEFAULT_MATCHING_SEL;
  if (!get_restriction_variable(root, args, var_relid, &vd, &other, &var_left)) PG_RETURN_FLOAT8(sel);
  RelOptInfo *rel = vd.rel;
  Oid am = get_am_oid("newsdex", true);
  if (var_left && IsA(other, Const) && !((Const *)other)->constisnull && rel && rel->tuples > 0 && OidIsValid(am)) {
    ListCell *lc;
    foreach (lc, rel->indexlist) {
      IndexOptInfo *ii = lfirst(lc);
      if (ii->relam != am) continue;
      Relation irel = index_open(ii->indexoid, AccessShareLock);
      nd_pg_query pq;
      nd_pg_query_parse(DatumGetTextPP(((Const *)other)->constvalue), &pq);
      nd_index *ix = ndrel_reader(irel);
      nd_search_options so = {.count = ND_COUNT_ONLY, .versions = ND_VERSIONS_ALL, .stats = pq.stats};
      nd_results *res;
      if (nd_search(ix, pq.query, &so, &res) == 0) {
        sel = (double)nd_results_total(res) / rel->tuples;
        nd_results_free(res);
      } /* a bad query: the scan will say what is wrong */
      index_close(irel, AccessShareLock);
      break;
    }
  }
  ReleaseVariableStats(vd);
  CLAMP_PROBABILITY(sel);
  PG_RETURN_FLOAT8(sel);
}

PG_FUNCTION_INFO_V1(newsdex_with_stats);
Datum newsdex_with_stats(PG_FUNCTION_ARGS) {
  char *q = text_to_cstring(PG_GETARG_TEXT_PP(0));
  char *st = text_to_cstring(PG_GETARG_TEXT_PP(1));
  if (strchr(st, STATS_SEP) || strchr(q, STATS_SEP))
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("newsdex: statistics or query hold a \\x1e byte")));
  PG_RETURN_TEXT_P(cstring_to_text(psprintf("%c%s%c%s", STATS_SEP, st, STATS_SEP, q)));
}

/* ---- functions of an index --------------------------------------------------- */

/* Open the index named by argument `arg`, checking that it is a newsdex one. */
static Relation open_index(FunctionCallInfo fcinfo, int arg) {
  Oid relid = PG_GETARG_OID(arg);
  Relation rel = index_open(relid, AccessShareLock);
  if (rel->rd_rel->relam != get_am_oid("newsdex", false)) {
    index_close(rel, AccessShareLock);
    ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
                    errmsg("\"%s\" is not a newsdex index", get_rel_name(relid))));
  }
  return rel;
}

PG_FUNCTION_INFO_V1(newsdex_snippet);
Datum newsdex_snippet(PG_FUNCTION_ARGS) {
  Relation rel = open_index(fcinfo, 0);
  ItemPointer tid = PG_GETARG_ITEMPOINTER(1);
  nd_pg_query pq;
  nd_pg_query_parse(PG_GETARG_TEXT_PP(2), &pq);
  char id[32];
  tid_to_id(tid, id, sizeof id);
  nd_search_options so = {.limit = 1, .snippets = ND_SNIPPET_HTML, .versions = ND_VERSIONS_ALL,
                          .hl_open = PG_NARGS() > 3 && !PG_ARGISNULL(3) ? text_to_cstring(PG_GETARG_TEXT_PP(3)) : "<b>",
                          .hl_close = PG_NARGS() > 4 && !PG_ARGISNULL(4) ? text_to_cstring(PG_GETARG_TEXT_PP(4)) : "</b>"};
  nd_index *ix = ndrel_reader(rel);
  nd_results *res;
  char *q = psprintf("id:\"%s\" AND (%s)", id, pq.query);
  int rc = nd_search(ix, q, &so, &res);
  if (rc) nd_pg_fail(ix, rc, "making a snippet");
  nd_hit h;
  text *out = NULL;
  if (nd_results_count(res) && nd_results_hit(res, 0, &h) == 0) out = cstring_to_text(h.snippet);
  nd_results_free(res);
  index_close(rel, AccessShareLock);
  if (!out) PG_RETURN_NULL();
  PG_RETURN_TEXT_P(out);
}

PG_FUNCTION_INFO_V1(newsdex_links);
Datum newsdex_links(PG_FUNCTION_ARGS) {
  ReturnSetInfo *rsi = (ReturnSetInfo *)fcinfo->resultinfo;
  InitMaterializedSRF(fcinfo, 0);
  Relation rel = open_index(fcinfo, 0);
  char id[32];
  tid_to_id(PG_GETARG_ITEMPOINTER(1), id, sizeof id);
  int k = PG_NARGS() > 2 && !PG_ARGISNULL(2) ? PG_GETARG_INT32(2) : 5;
  nd_index *ix = ndrel_reader(rel);
  nd_link_options lo;
  memset(&lo, 0, sizeof lo);
  lo.k = k > 0 ? (size_t)k : 0;
  nd_links *l;
  int rc = nd_link_id(ix, id, &lo, &l);
  if (rc == ND_ERR_NOTFOUND) {
    index_close(rel, AccessShareLock);
    return (Datum)0;
  }
  if (rc) nd_pg_fail(ix, rc, "choosing key topics");
  for (size_t i = 0; i < nd_links_count(l); i++) {
    nd_topic t;
    if (nd_links_topic(l, i, &t)) continue;
    Datum v[4];
    bool nulls[4] = {0};
    v[0] = CStringGetTextDatum(t.text);
    v[1] = CStringGetTextDatum(nd_topic_type_name(t.type));
    v[2] = Float8GetDatum(t.score);
    v[3] = Int64GetDatum((int64)t.articles);
    tuplestore_putvalues(rsi->setResult, rsi->setDesc, v, nulls);
  }
  nd_links_free(l);
  index_close(rel, AccessShareLock);
  return (Datum)0;
}

/* Counts of the rows matching a query: per value of a field, or per period. */
static void put_counts(ReturnSetInfo *rsi, const nd_count *c, size_t n) {
  for (size_t i = 0; i < n; i++) {
    Datum v[2] = {CStringGetTextDatum(c[i].key), Int64GetDatum((int64)c[i].count)};
    bool nulls[2] = {false, false};
    tuplestore_putvalues(rsi->setResult, rsi->setDesc, v, nulls);
  }
}

static void counts_of(FunctionCallInfo fcinfo, const nd_facet_options *fo) {
  ReturnSetInfo *rsi = (ReturnSetInfo *)fcinfo->resultinfo;
  InitMaterializedSRF(fcinfo, 0);
  Relation rel = open_index(fcinfo, 0);
  nd_pg_query pq;
  nd_pg_query_parse(PG_GETARG_TEXT_PP(1), &pq);
  nd_index *ix = ndrel_reader(rel);
  nd_facets *f;
  int rc = nd_facets_get(ix, pq.query, fo, &f);
  if (rc) nd_pg_fail(ix, rc, "counting");
  if (fo->nfields) put_counts(rsi, f->fields[0].counts, f->fields[0].n);
  else put_counts(rsi, f->hist, f->nhist);
  nd_facets_free(f);
  index_close(rel, AccessShareLock);
}

PG_FUNCTION_INFO_V1(newsdex_facets);
Datum newsdex_facets(PG_FUNCTION_ARGS) {
  const char *field = text_to_cstring(PG_GETARG_TEXT_PP(2));
  int k = PG_GETARG_INT32(3);
  if (k < 1 || k > 10000)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("newsdex.facets: k must be 1 to 10000, not %d", k)));
  nd_facet_options fo = {.fields = &field, .nfields = 1, .limit = (size_t)k, .versions = ND_VERSIONS_ALL};
  counts_of(fcinfo, &fo);
  return (Datum)0;
}

PG_FUNCTION_INFO_V1(newsdex_histogram);
Datum newsdex_histogram(PG_FUNCTION_ARGS) {
  const char *p = text_to_cstring(PG_GETARG_TEXT_PP(2));
  int h = !strcmp(p, "day") ? ND_HIST_DAY : !strcmp(p, "week") ? ND_HIST_WEEK : !strcmp(p, "month") ? ND_HIST_MONTH
        : !strcmp(p, "year") ? ND_HIST_YEAR : ND_HIST_NONE;
  if (h == ND_HIST_NONE)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("newsdex.histogram: period \"%s\" is not day, week, month or year", p)));
  nd_facet_options fo = {.histogram = h, .versions = ND_VERSIONS_ALL};
  counts_of(fcinfo, &fo);
  return (Datum)0;
}

PG_FUNCTION_INFO_V1(newsdex_stats);
Datum newsdex_stats(PG_FUNCTION_ARGS) {
  TupleDesc td;
  if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE) elog(ERROR, "newsdex.stats: no row type");
  td = BlessTupleDesc(td);
  Relation rel = open_index(fcinfo, 0);
  nd_index *ix = ndrel_reader(rel);
  nd_stats st;
  int rc = nd_stats_get(ix, &st);
  if (rc) nd_pg_fail(ix, rc, "reading statistics");
  Datum v[8] = {Int64GetDatum((int64)st.articles), Int64GetDatum((int64)st.deleted), Int64GetDatum((int64)st.segments),
                Int64GetDatum((int64)st.terms), Int64GetDatum((int64)st.bytes), Int64GetDatum((int64)st.stored_bytes),
                Int64GetDatum((int64)st.generation), CStringGetTextDatum(st.language)};
  bool nulls[8] = {0};
  index_close(rel, AccessShareLock);
  PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(td, v, nulls)));
}

typedef struct problems {
  ReturnSetInfo *rsi;
} problems;

static void on_problem(void *ctx, const char *problem) {
  problems *p = ctx;
  Datum v = CStringGetTextDatum(problem);
  bool null = false;
  tuplestore_putvalues(p->rsi->setResult, p->rsi->setDesc, &v, &null);
}

PG_FUNCTION_INFO_V1(newsdex_check);
Datum newsdex_check(PG_FUNCTION_ARGS) {
  ReturnSetInfo *rsi = (ReturnSetInfo *)fcinfo->resultinfo;
  InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);
  Relation rel = open_index(fcinfo, 0);
  ndrel *r = ndrel_get(rel);
  pgs_set_rel(r->store, rel);
  problems p = {rsi};
  nd_check_report rep;
  int rc = nd_check_storage(pgs_storage(r->store), RelationGetRelationName(rel), on_problem, &p, &rep);
  index_close(rel, AccessShareLock);
  if (rc == ND_ERR_NOMEM) ereport(ERROR, (errcode(ERRCODE_OUT_OF_MEMORY), errmsg("newsdex: out of memory checking")));
  return (Datum)0;
}

PG_FUNCTION_INFO_V1(newsdex_query_stats);
Datum newsdex_query_stats(PG_FUNCTION_ARGS) {
  Relation rel = open_index(fcinfo, 0);
  nd_pg_query pq;
  nd_pg_query_parse(PG_GETARG_TEXT_PP(1), &pq);
  nd_index *ix = ndrel_reader(rel);
  char *s;
  int rc = nd_query_stats(ix, pq.query, &s);
  if (rc) nd_pg_fail(ix, rc, "collecting statistics");
  text *out = cstring_to_text(s);
  nd_string_free(s);
  index_close(rel, AccessShareLock);
  PG_RETURN_TEXT_P(out);
}

PG_FUNCTION_INFO_V1(newsdex_stats_merge);
Datum newsdex_stats_merge(PG_FUNCTION_ARGS) {
  ArrayType *a = PG_GETARG_ARRAYTYPE_P(0);
  Datum *v;
  bool *nulls;
  int n;
  deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &v, &nulls, &n);
  const char **parts = palloc(sizeof *parts * (n + 1));
  int k = 0;
  for (int i = 0; i < n; i++)
    if (!nulls[i]) parts[k++] = TextDatumGetCString(v[i]);
  char *s;
  int rc = nd_stats_merge(parts, (size_t)k, &s);
  if (rc)
    ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
                    errmsg("newsdex: cannot merge statistics: %s", nd_strerror(rc))));
  text *out = cstring_to_text(s);
  nd_string_free(s);
  PG_RETURN_TEXT_P(out);
}
