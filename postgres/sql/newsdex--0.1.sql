-- newsdex 0.1: the index access method, its operators and functions.
\echo Use "CREATE EXTENSION newsdex" to load this file. \quit

CREATE SCHEMA newsdex;

CREATE FUNCTION newsdex.handler(internal) RETURNS index_am_handler
  AS 'MODULE_PATHNAME', 'newsdex_handler' LANGUAGE C STRICT;
CREATE ACCESS METHOD newsdex TYPE INDEX HANDLER newsdex.handler;

-- The operators: answered by the index only (see docs/postgresql.md).  Their
-- functions' cost is set so high that the planner never chooses to run them
-- itself (a sequential scan's filter, a sort on <=>) when the index can.
CREATE FUNCTION newsdex.match(text, text) RETURNS boolean
  AS 'MODULE_PATHNAME', 'newsdex_match' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE COST 1000000;
CREATE FUNCTION newsdex.match(timestamptz, text) RETURNS boolean
  AS 'MODULE_PATHNAME', 'newsdex_match' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE COST 1000000;
CREATE FUNCTION newsdex.match(timestamp, text) RETURNS boolean
  AS 'MODULE_PATHNAME', 'newsdex_match' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE COST 1000000;
CREATE FUNCTION newsdex.match(date, text) RETURNS boolean
  AS 'MODULE_PATHNAME', 'newsdex_match' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE COST 1000000;
CREATE FUNCTION newsdex.distance(text, text) RETURNS float8
  AS 'MODULE_PATHNAME', 'newsdex_distance' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE COST 1000000;

-- How many rows a query matches, from the index (newsdex.matchsel).
CREATE FUNCTION newsdex.matchsel(internal, oid, internal, integer) RETURNS float8
  AS 'MODULE_PATHNAME', 'newsdex_matchsel' LANGUAGE C STRICT STABLE;

CREATE OPERATOR @@@ (LEFTARG = text, RIGHTARG = text, FUNCTION = newsdex.match, RESTRICT = newsdex.matchsel, JOIN = contjoinsel);
CREATE OPERATOR @@@ (LEFTARG = timestamptz, RIGHTARG = text, FUNCTION = newsdex.match, RESTRICT = newsdex.matchsel, JOIN = contjoinsel);
CREATE OPERATOR @@@ (LEFTARG = timestamp, RIGHTARG = text, FUNCTION = newsdex.match, RESTRICT = newsdex.matchsel, JOIN = contjoinsel);
CREATE OPERATOR @@@ (LEFTARG = date, RIGHTARG = text, FUNCTION = newsdex.match, RESTRICT = newsdex.matchsel, JOIN = contjoinsel);
CREATE OPERATOR <=> (LEFTARG = text, RIGHTARG = text, FUNCTION = newsdex.distance);

CREATE OPERATOR CLASS newsdex_text_ops DEFAULT FOR TYPE text USING newsdex AS
  OPERATOR 1 @@@ (text, text),
  OPERATOR 2 <=> (text, text) FOR ORDER BY float_ops;
CREATE OPERATOR CLASS newsdex_timestamptz_ops DEFAULT FOR TYPE timestamptz USING newsdex AS
  OPERATOR 1 @@@ (timestamptz, text);
CREATE OPERATOR CLASS newsdex_timestamp_ops DEFAULT FOR TYPE timestamp USING newsdex AS
  OPERATOR 1 @@@ (timestamp, text);
CREATE OPERATOR CLASS newsdex_date_ops DEFAULT FOR TYPE date USING newsdex AS
  OPERATOR 1 @@@ (date, text);

-- The score a row got in this backend's last newsdex index scan (NULL: none).
CREATE FUNCTION newsdex.score(tid) RETURNS float8
  AS 'MODULE_PATHNAME', 'newsdex_score' LANGUAGE C STRICT VOLATILE PARALLEL RESTRICTED;

CREATE FUNCTION newsdex.snippet(index regclass, row_id tid, query text, open text DEFAULT '<b>', close text DEFAULT '</b>')
  RETURNS text AS 'MODULE_PATHNAME', 'newsdex_snippet' LANGUAGE C STABLE PARALLEL RESTRICTED;

CREATE FUNCTION newsdex.links(index regclass, row_id tid, k int DEFAULT 5,
                              OUT topic text, OUT type text, OUT score float8, OUT articles bigint)
  RETURNS SETOF record AS 'MODULE_PATHNAME', 'newsdex_links' LANGUAGE C STRICT STABLE PARALLEL RESTRICTED;

-- Counts of the index's rows matching a query (rows deleted or updated are
-- counted until VACUUM removes them from the index).
CREATE FUNCTION newsdex.facets(index regclass, query text, field text, k int DEFAULT 10,
                               OUT value text, OUT articles bigint)
  RETURNS SETOF record AS 'MODULE_PATHNAME', 'newsdex_facets' LANGUAGE C STRICT STABLE PARALLEL RESTRICTED;
CREATE FUNCTION newsdex.histogram(index regclass, query text, period text DEFAULT 'month',
                                  OUT period text, OUT articles bigint)
  RETURNS SETOF record AS 'MODULE_PATHNAME', 'newsdex_histogram' LANGUAGE C STRICT STABLE PARALLEL RESTRICTED;

-- Counts and sizes of the index's archive (bytes: its files, stored_bytes:
-- of which compressed articles; generation: commits so far).
CREATE FUNCTION newsdex.stats(index regclass, OUT articles bigint, OUT deleted bigint, OUT segments bigint,
                              OUT terms bigint, OUT bytes bigint, OUT stored_bytes bigint, OUT generation bigint,
                              OUT language text)
  AS 'MODULE_PATHNAME', 'newsdex_stats' LANGUAGE C STRICT STABLE PARALLEL RESTRICTED;

CREATE FUNCTION newsdex.check(index regclass, OUT problem text)
  RETURNS SETOF text AS 'MODULE_PATHNAME', 'newsdex_check' LANGUAGE C STRICT VOLATILE;

-- Statistics shared by shards (docs/postgresql.md, "Shards").
CREATE FUNCTION newsdex.query_stats(index regclass, query text) RETURNS text
  AS 'MODULE_PATHNAME', 'newsdex_query_stats' LANGUAGE C STRICT STABLE PARALLEL RESTRICTED;
CREATE FUNCTION newsdex.stats_merge(text[]) RETURNS text
  AS 'MODULE_PATHNAME', 'newsdex_stats_merge' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION newsdex.with_stats(query text, stats text) RETURNS text
  AS 'MODULE_PATHNAME', 'newsdex_with_stats' LANGUAGE C STRICT IMMUTABLE PARALLEL SAFE;
