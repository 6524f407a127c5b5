-- newsdex across PostgreSQL servers: ranked search of a table whose
-- partitions are postgres_fdw foreign tables, with scores exact across shards.
--
-- Load on the coordinator (after CREATE EXTENSION newsdex, dblink and
-- postgres_fdw) with psql -f.  See docs/postgresql.md, "Shards".
--
-- Filtering and counting go through the partitioned table itself: postgres_fdw
-- sends `col @@@ 'query'` to every shard (the servers list the extension in
-- their `extensions` option).  Ranking cannot: the coordinator would order
-- the rows by evaluating <=> itself, and the score lives in the shard's
-- index.  newsdex_shards.search() ranks in two rounds, as Elasticsearch's
-- dfs_query_then_fetch does:
--   1. every shard gives the figures BM25 needs for the query
--      (newsdex.query_stats); they are summed (newsdex.stats_merge);
--   2. every shard ranks its rows with the summed figures
--      (newsdex.with_stats) and returns its best k with their scores;
--      the coordinator keeps the best k of all.
-- Each round sends to all shards at once (dblink's asynchronous queries,
-- through the foreign servers and user mappings postgres_fdw already has).

CREATE SCHEMA IF NOT EXISTS newsdex_shards;

-- The foreign servers holding the partitions of `parent`.
CREATE OR REPLACE FUNCTION newsdex_shards.servers(parent regclass) RETURNS SETOF text
LANGUAGE sql STABLE AS $$
  SELECT s.srvname::text
  FROM pg_inherits i
  JOIN pg_foreign_table ft ON ft.ftrelid = i.inhrelid
  JOIN pg_foreign_server s ON s.oid = ft.ftserver
  WHERE i.inhparent = parent
  ORDER BY s.srvname
$$;

-- Run `sql` on every server at once; the text each returns, by server.
CREATE OR REPLACE FUNCTION newsdex_shards.on_all(servers text[], sql text)
RETURNS TABLE (server text, answer text) LANGUAGE plpgsql AS $$
DECLARE
  srv text;
BEGIN
  FOREACH srv IN ARRAY servers LOOP
    IF NOT (('newsdex_' || srv) = ANY (coalesce(dblink_get_connections(), '{}'))) THEN
      PERFORM dblink_connect('newsdex_' || srv, srv);
    END IF;
    PERFORM dblink_send_query('newsdex_' || srv, sql);
  END LOOP;
  FOREACH srv IN ARRAY servers LOOP
    RETURN QUERY SELECT srv, r.a FROM dblink_get_result('newsdex_' || srv) AS r(a text);
    PERFORM * FROM dblink_get_result('newsdex_' || srv) AS r(a text); -- the end of its results
  END LOOP;
END
$$;

-- The best k rows of `query` over the shards of `parent`, ranked as one
-- archive holding them all would rank them.  On the shards, `tab` is the
-- table (default: the parent's name), `index` its newsdex index (default
-- TAB_nd), `col` the indexed column the operators stand on and `key` the
-- column returned as id.
CREATE OR REPLACE FUNCTION newsdex_shards.search(parent regclass, query text, k int DEFAULT 10,
                                                 index text DEFAULT NULL, tab text DEFAULT NULL,
                                                 col text DEFAULT 'title', key text DEFAULT 'id')
RETURNS TABLE (server text, id text, score float8) LANGUAGE plpgsql AS $$
DECLARE
  servers text[] := ARRAY(SELECT newsdex_shards.servers(parent));
  remote_tab text := coalesce(tab, (SELECT relname::text FROM pg_class WHERE oid = parent));
  remote_index text := coalesce(index, remote_tab || '_nd');
  figures text;
BEGIN
  IF cardinality(servers) = 0 THEN
    RAISE EXCEPTION 'newsdex: % has no foreign partitions', parent;
  END IF;
  SELECT newsdex.stats_merge(array_agg(answer)) INTO figures
  FROM newsdex_shards.on_all(servers,
    format('SELECT newsdex.query_stats(%L, %L)', remote_index, query));
  RETURN QUERY
  SELECT r.server, split_part(r.answer, E'\t', 1), split_part(r.answer, E'\t', 2)::float8
  FROM newsdex_shards.on_all(servers,
    format('SELECT %I::text || E''\t'' || newsdex.score(ctid) FROM %I WHERE %I @@@ newsdex.with_stats(%L, %L) '
           'ORDER BY %I <=> newsdex.with_stats(%L, %L) LIMIT %s',
           key, remote_tab, col, query, figures, col, query, figures, k)) r
  ORDER BY 3 DESC, 2
  LIMIT k;
END
$$;
