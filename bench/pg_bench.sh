#!/bin/sh
# newsdex inside PostgreSQL against PostgreSQL's own full-text search
# (docs/benchmarks.md, "PostgreSQL").  `make bench-pg` runs it; by hand:
#
#   make BUILD=build all build/bench/pg_query && BUILD=build sh bench/pg_bench.sh
#
# In throw-away clusters (tests/pg_cluster.sh: unix sockets, run as
# "nobody" when root), on the articles of $PG_BENCH_DATA/*.jsonl.zst:
#   1. loads them into a table articles (id, title, body, published, outlet);
#   2. builds, timing each and measuring its size: a newsdex index on it; a
#      copy with a stored generated tsvector column and a GIN index (ranked
#      with ts_rank); a copy of that with a RUM index (rum_tsvector_ops,
#      ranked with <=>);
#   3. times the query set of bench/gen_queries.py on each (translated by
#      bench/pg_bench.py), top 10 with the exact total and top 10 alone,
#      through bench/pg_query (libpq: a warm-up pass, then
#      $PG_BENCH_REPS timed passes, the median per query);
#   4. times the same queries with `newsdex search --batch` on an archive
#      built from the same articles;
#   5. splits the articles over three more clusters and measures
#      newsdex_shards.search (postgres/sql/shards.sql) with pgbench: 1 shard
#      against 3, 1 and 4 clients;
# and writes the report $PG_BENCH_OUT (default bench/results/postgres.md)
# with every figure also in the .json beside it.
#
# Environment (defaults in brackets):
#   BUILD                 the build folder with newsdex and bench/pg_query [build]
#   PG_BENCH_N            articles to use, spread over the files; 0: all [0]
#   PG_BENCH_DATA         folder of the corpus [$NEWSDEX_TEST_DATA/news]
#   PG_BENCH_PER_CLASS    queries per class [50]
#   PG_BENCH_SEED         seed of the query set [20040101]
#   PG_BENCH_REPS         timed passes over the query set [3]
#   PG_BENCH_SHARD_QUERIES  queries per class in the shards' mix [5]
#   PG_BENCH_SECONDS      seconds of each pgbench run, after its warm-up [20]
#   PG_BENCH_WARMUP       seconds at the start of a pgbench run left out [5]
#   PG_BENCH_OUT          the report [bench/results/postgres.md]; the plans
#                         (EXPLAIN ANALYZE) go beside it, in *-explain.txt
#   PG_BENCH_KEEP         a folder to copy the work files to (raw timings)
# The whole corpus takes about 11 minutes on 2 cores; PG_BENCH_N=5000 a minute or two.
cd "$(dirname "$0")/.." || exit 1
# PostgreSQL's text-search parser classifies characters by LC_CTYPE: under C
# it takes curly quotes and apostrophes for letters ("“safe" is one word), so
# the clusters use C.UTF-8 where there is one (PG_CLUSTER_LC_CTYPE overrides).
if [ -z "${PG_CLUSTER_LC_CTYPE+set}" ] && locale -a 2>/dev/null | grep -qix 'c\.utf-\?8'; then
  PG_CLUSTER_LC_CTYPE=C.UTF-8
fi
. tests/pg_cluster.sh

N=${PG_BENCH_N:-0}
DATA=${PG_BENCH_DATA:-$TEST_DATA/news}
PER_CLASS=${PG_BENCH_PER_CLASS:-50}
SEED=${PG_BENCH_SEED:-20040101}
REPS=${PG_BENCH_REPS:-3}
SHARD_Q=${PG_BENCH_SHARD_QUERIES:-5}
SECONDS_RUN=${PG_BENCH_SECONDS:-20}
WARMUP=${PG_BENCH_WARMUP:-5}
OUT=${PG_BENCH_OUT:-bench/results/postgres.md}
W=$T/work
mkdir -p "$W"
chmod 755 "$W"

# PG_BENCH_KEEP=DIR keeps the work folder (queries, SQL, raw timings) there
keep() { [ -z "$PG_BENCH_KEEP" ] || { rm -rf "$PG_BENCH_KEEP" && cp -r "$W" "$PG_BENCH_KEEP"; }; }
die() { echo "pg_bench: $*" >&2; keep; exit 1; }
say() { echo "[$(date +%H:%M:%S)] $*" >&2; }
ls "$DATA"/*.jsonl.zst >/dev/null 2>&1 || skip_all "no $DATA/*.jsonl.zst (third-party data; set PG_BENCH_DATA or NEWSDEX_TEST_DATA)"
[ -x "$B/bench/pg_query" ] || die "$B/bench/pg_query is missing: make BUILD=$BUILD $B/bench/pg_query (or make bench-pg)"
[ -x "$B/newsdex" ] || die "$B/newsdex is missing: make BUILD=$BUILD"
[ -x "$PGBIN/pgbench" ] || die "no pgbench in $PGBIN (Debian: postgresql-15)"
[ -f "$(pg_config --sharedir)/extension/rum.control" ] || die "no RUM extension (Debian: postgresql-15-rum; sh scripts/install-deps.sh)"

# meta KEY VALUE: a figure for the report
meta() { printf '%s\t%s\n' "$1" "$2" >>"$W/meta.tsv"; }
now() { date +%s.%N; }
since() { echo "$(now) $1" | awk '{printf "%.3f", $1 - $2}'; }
# timed KEY SQL...: run SQL on the main cluster, its wall time as KEY
timed() { k=$1; shift; t0=$(now); sql p "$@" >/dev/null || die "failed: $*"; meta "$k" "$(since "$t0")"; }
psql_p() { psql -X -q -v ON_ERROR_STOP=1 -h "$T/p.sock" -U nd -d postgres "$@"; }

START=$(now)
# Every cluster preloads the extension (shared_preload_libraries), so that
# all its backends run the build tests/pg_cluster.sh just made and installed
# here, even if another build is installed meanwhile; the clusters start
# first for that, and the run stops if the installed library is not ours.
SO=$(pg_config --pkglibdir)/newsdex.so
so_sum() { md5sum <"$1" | cut -c1-32; }
MINE=$(so_sum postgres/newsdex.so)
[ "$(so_sum "$SO")" = "$MINE" ] || make -C postgres install NDBUILD="$B" >"$T/install.log" 2>&1 || die "make -C postgres install"
CONF="shared_buffers = 1GB
maintenance_work_mem = 1GB
max_wal_size = 8GB
checkpoint_timeout = 30min
jit = off
timezone = 'UTC'
shared_preload_libraries = 'newsdex'"
SCONF="shared_buffers = 256MB
maintenance_work_mem = 512MB
max_wal_size = 4GB
jit = off
timezone = 'UTC'
shared_preload_libraries = 'newsdex'"
start p "$CONF" || { cat "$T/p.initdb" "$T/p/server.log" 2>/dev/null; die "starting a cluster"; }
for s in s1 s2 s3; do
  start $s "$SCONF" || { cat "$T/$s.initdb" "$T/$s/server.log" 2>/dev/null; die "starting cluster $s"; }
done
[ "$(so_sum "$SO")" = "$MINE" ] || die "another build replaced $SO while the clusters started: run again"

meta load_before "$(cut -d' ' -f1-3 /proc/loadavg)"
meta cpus "$(nproc)"
meta cpu_model "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
meta mem_gib "$(awk '/MemTotal/ {printf "%.1f", $2 / 1048576}' /proc/meminfo)"
meta date "$(date +%Y-%m-%d)"
meta commit "$(git rev-parse --short HEAD 2>/dev/null)"
meta dirty "$(git status --porcelain -- postgres src include 2>/dev/null | wc -l)"
meta reps "$REPS"
meta per_class "$PER_CLASS"
meta seed "$SEED"
meta n "$N"
meta build "$BUILD"
meta shard_queries "$SHARD_Q"

# ---- the articles and the queries -------------------------------------------
say "reading the articles ..."
python3 bench/pg_bench.py sample "$N" "$W/articles.jsonl" "$DATA"/*.jsonl.zst || die "reading $DATA"
say "drawing the queries ..."
python3 bench/gen_queries.py --per-class "$PER_CLASS" --seed "$SEED" "$W/queries" "$W/articles.jsonl" || die "gen_queries"
python3 bench/pg_bench.py sql "$W/queries.txt" "$W/queries.classes" "$W/sql" || die "translating the queries"
meta raw_bytes "$(wc -c <"$W/articles.jsonl")"

# ---- the main cluster ----------------------------------------------------------
meta pg_version "$(sql p "SHOW server_version")"
sql p "CREATE EXTENSION newsdex; CREATE EXTENSION rum; CREATE EXTENSION postgres_fdw; CREATE EXTENSION dblink" >/dev/null ||
  die "CREATE EXTENSION"
meta rum_version "$(sql p "SELECT extversion FROM pg_extension WHERE extname = 'rum'")"
for k in shared_buffers work_mem maintenance_work_mem jit max_parallel_workers_per_gather lc_ctype; do
  meta "conf_$k" "$(sql p "SHOW $k")"
done

say "loading ..."
sql p "CREATE TABLE articles (id text PRIMARY KEY, title text, body text, published timestamptz, outlet text)" >/dev/null
t0=$(now)
load_jsonl p "$W/articles.jsonl" articles || die "loading the articles"
sql p "DROP TABLE newsdex_raw" >/dev/null && sql p "VACUUM ANALYZE articles" >/dev/null || die "VACUUM"
meta load_s "$(since "$t0")"
meta articles "$(sql p "SELECT count(*) FROM articles")"
meta table_bytes "$(sql p "SELECT pg_table_size('articles')")"

say "building the newsdex index ..."
timed nd_build_s "CREATE INDEX articles_nd ON articles USING newsdex (title, body, published, outlet)"
say "building the tsvector column and GIN ..."
sql p "CREATE TABLE articles_gin AS SELECT * FROM articles" >/dev/null
timed tsv_build_s "ALTER TABLE articles_gin ADD COLUMN tsv tsvector GENERATED ALWAYS AS
  (setweight(to_tsvector('english', coalesce(title, '')), 'A') || to_tsvector('english', coalesce(body, ''))) STORED"
timed gin_build_s "CREATE INDEX articles_gin_tsv ON articles_gin USING gin (tsv)"
say "building RUM ..."
sql p "CREATE TABLE articles_rum AS SELECT * FROM articles_gin" >/dev/null
timed rum_build_s "CREATE INDEX articles_rum_tsv ON articles_rum USING rum (tsv rum_tsvector_ops)"
for t in articles_gin articles_rum; do sql p "VACUUM ANALYZE $t" >/dev/null || die "VACUUM"; done
sql p "CHECKPOINT" >/dev/null
meta nd_bytes "$(sql p "SELECT pg_relation_size('articles_nd')")"
meta gin_bytes "$(sql p "SELECT pg_relation_size('articles_gin_tsv')")"
meta rum_bytes "$(sql p "SELECT pg_relation_size('articles_rum_tsv')")"
meta gin_table_bytes "$(sql p "SELECT pg_table_size('articles_gin')")"
meta tsv_datum_bytes "$(sql p "SELECT sum(pg_column_size(tsv)) FROM articles_gin")"
meta nd_check "$(sql p "SELECT count(*) FROM newsdex.check('articles_nd')")"

# ---- queries through SQL ------------------------------------------------------------
CONN="host=$T/p.sock user=nd dbname=postgres"
for f in newsdex newsdex-bitmap gin gin-win rum rum-win newsdex-top gin-top rum-top floor; do
  say "timing $f ($REPS passes after a warm-up) ..."
  t0=$(now)
  "$B/bench/pg_query" -d "$CONN" -w 1 -r "$REPS" "$W/sql/$f.sql" >"$W/out-$f.tsv" || die "pg_query $f"
  meta "run_${f}_s" "$(since "$t0")"
done
# the plans of one query of each class, on a warm connection
say "EXPLAIN ANALYZE ..."
python3 bench/pg_bench.py explain "$W/queries.classes" "$W/sql" >"$W/explain.sql" || die "explain"
psql_p -f "$W/explain.sql" >"${OUT%.md}-explain.txt" 2>&1 || die "EXPLAIN"
# the first query of a new connection (each backend copies the index's files)
cold=""
for i in 1 2 3; do
  t0=$(now)
  sql p "$(sed -n 1p "$W/sql/newsdex-top.sql")" >/dev/null
  cold="$cold $(since "$t0")"
done
meta nd_cold_s "$cold"
t0=$(now)
sql p "SELECT 1" >/dev/null
meta connect_s "$(since "$t0")"
# a backend's private memory (RssAnon) after one query of each kind
for f in floor newsdex-top gin-top; do
  meta "rss_kb_$f" "$(psql_p -At <<EOF | awk '/^RssAnon/ {print $2}'
SELECT pg_backend_pid() AS pid \gset
\setenv ND_PID :pid
\o /dev/null
$(sed -n 1p "$W/sql/$f.sql");
\o
\! cat /proc/\$ND_PID/status
EOF
)"
done

# ---- the newsdex command on the same articles ---------------------------------------------
say "the newsdex command ..."
t0=$(now)
"$B/newsdex" add --db "$W/cli.ndx" --quiet "$W/articles.jsonl" >"$W/cli-add.log" 2>&1 || die "newsdex add (see $W/cli-add.log)"
"$B/newsdex" optimize --db "$W/cli.ndx" >>"$W/cli-add.log" 2>&1 || die "newsdex optimize"
meta cli_build_s "$(since "$t0")"
meta cli_bytes "$(du -sb "$W/cli.ndx" | cut -f1)"
# exact, lower-bound, and lower-bound with the 64 hits an index scan asks for first
for mode in exact lower-bound lb64; do
  case $mode in lb64) set -- --count lower-bound --limit 64;; *) set -- --count $mode --limit 10;; esac
  set -- "$B/newsdex" search --db "$W/cli.ndx" --batch --versions all "$@"
  "$@" <"$W/queries.txt" >/dev/null 2>&1 # warm-up
  for r in $(seq 1 "$REPS"); do
    "$@" --timings <"$W/queries.txt" >"$W/cli-$mode.out" 2>"$W/cli-$mode-$r.err" || die "newsdex search --batch"
  done
done

# ---- shards ------------------------------------------------------------------------------
say "shards ..."
COLS="id text, title text, body text, published timestamptz, outlet text"
for s in s1 s2 s3; do
  sql $s "CREATE EXTENSION newsdex; CREATE TABLE articles ($COLS)" >/dev/null || die "shard $s"
done
# 1 shard: the main cluster's own table through a loopback server; 3 shards: s1..s3
servers="loop:p s1:s1 s2:s2 s3:s3"
for sv in $servers; do
  name=${sv%%:*}; c=${sv#*:}
  sql p "CREATE SERVER $name FOREIGN DATA WRAPPER postgres_fdw
           OPTIONS (host '$T/$c.sock', dbname 'postgres', extensions 'newsdex');
         CREATE USER MAPPING FOR nd SERVER $name OPTIONS (user 'nd')" >/dev/null || die "server $name"
done
sql p "CREATE TABLE sharded1 ($COLS) PARTITION BY HASH (id);
       CREATE FOREIGN TABLE sharded1_p0 PARTITION OF sharded1 FOR VALUES WITH (MODULUS 1, REMAINDER 0)
         SERVER loop OPTIONS (table_name 'articles');
       CREATE TABLE sharded3 ($COLS) PARTITION BY HASH (id)" >/dev/null || die "sharded1"
for i in 1 2 3; do
  sql p "CREATE FOREIGN TABLE sharded3_s$i PARTITION OF sharded3 FOR VALUES WITH (MODULUS 3, REMAINDER $((i - 1)))
           SERVER s$i OPTIONS (table_name 'articles', batch_size '500')" >/dev/null || die "sharded3"
done
psql_p -f postgres/sql/shards.sql >/dev/null || die "postgres/sql/shards.sql"
t0=$(now)
sql p "INSERT INTO sharded3 SELECT id, title, body, published, outlet FROM articles" >/dev/null || die "loading the shards"
meta shard_load_s "$(since "$t0")"
t0=$(now)
for s in s1 s2 s3; do
  (sql $s "CREATE INDEX articles_nd ON articles USING newsdex (title, body, published, outlet)" &&
   sql $s "VACUUM ANALYZE articles") >"$W/$s-build.log" 2>&1 &
done
wait
for s in s1 s2 s3; do [ ! -s "$W/$s-build.log" ] || { cat "$W/$s-build.log"; die "building the index of shard $s"; }; done
meta shard_build_s "$(since "$t0")"
for s in s1 s2 s3; do
  meta "shard_rows_$s" "$(sql $s "SELECT count(*) FROM articles")"
  meta "shard_bytes_$s" "$(sql $s "SELECT pg_relation_size('articles_nd')")"
done
# the mix: the first queries of each class
python3 bench/pg_bench.py mix "$SHARD_Q" "$W/queries.txt" "$W/queries.classes" >"$W/mix.txt" || die "mix"
nmix=$(wc -l <"$W/mix.txt")
sql p "CREATE TABLE mix (i int PRIMARY KEY, q text)" >/dev/null
awk '{print NR "\t" $0}' "$W/mix.txt" >"$W/mix.tsv"
psql_p -c "\\copy mix FROM '$W/mix.tsv'" >/dev/null || die "the mix"
# 1 and 3 shards rank alike: the same scores, rank by rank (to 6 decimals)
meta shard_same "$(sql p "
  SELECT count(*) FILTER (WHERE a IS NOT DISTINCT FROM b), count(*) FROM (
    SELECT (SELECT array_agg(round(score::numeric, 6))
            FROM newsdex_shards.search('sharded3', q, 10, 'articles_nd', 'articles')) a,
           (SELECT array_agg(round(score::numeric, 6))
            FROM newsdex_shards.search('sharded1', q, 10, 'articles_nd', 'articles')) b
    FROM mix) x" | tr '|' ' ')"
for n in 1 3; do
  cat >"$W/pgbench-$n.sql" <<EOF
\\set i random(1, $nmix)
SELECT count(*) FROM newsdex_shards.search('sharded$n', (SELECT q FROM mix WHERE i = :i), 10, 'articles_nd', 'articles');
EOF
  for c in 1 4; do
    say "pgbench: $n shard(s), $c client(s), $((WARMUP + SECONDS_RUN)) s ..."
    mkdir -p "$W/pgbench-$n-$c"
    (cd "$W/pgbench-$n-$c" && "$PGBIN/pgbench" -n -h "$T/p.sock" -U nd -c $c -j $c -T $((WARMUP + SECONDS_RUN)) \
       -f "$W/pgbench-$n.sql" -l --log-prefix=log postgres >summary.txt 2>&1) || { cat "$W/pgbench-$n-$c/summary.txt"; die "pgbench"; }
  done
done

meta total_s "$(since "$START")"
meta load_after "$(cut -d' ' -f1-3 /proc/loadavg)"
say "writing $OUT ..."
python3 bench/pg_bench.py report "$W" "$OUT" "$WARMUP" || die "the report"
keep
say "done in $(since "$START") s"
