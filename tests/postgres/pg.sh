#!/bin/sh
# The PostgreSQL extension (postgres/): builds and installs it against the
# library of $BUILD, starts throw-away clusters (initdb/pg_ctl in a scratch
# folder, unix sockets only, as an unprivileged user: "nobody" when run as
# root), and checks
#   - the SQL surface: CREATE EXTENSION, CREATE INDEX, @@@, <=>, score,
#     snippet, links, check, statistics functions, bad input;
#   - the index against the library on the same rows (oracle.py): matches,
#     top ten and scores;
#   - transactions: aborted inserts, own rows before commit, updates,
#     deletes, VACUUM;
#   - a crash (pg_ctl stop -m immediate) during inserts: recovery, then
#     newsdex.check and every committed row found;
#   - a streaming replica (pg_basebackup) answering as the primary does.
# Clusters are stopped on exit, failed or not.  Skipped (and counted so)
# without PostgreSQL's server, its headers, or the right to install.
cd "$(dirname "$0")/../.." || exit 1
. tests/pg_cluster.sh
# same NAME WANT SQL: the query's output is WANT
same() { name=$1; want=$2; shift 2; got=$(sql p "$@" 2>&1)
         if [ "$got" = "$want" ]; then ok "$name"; else echo "  got [$got], want [$want]"; bad "$name"; fi; }

if ! start p; then cat "$T/p.initdb" "$T/p/server.log" 2>/dev/null; echo "FAIL starting a cluster"; echo "0 passed, 1 failed"; exit 1; fi
ok "a cluster starts as an unprivileged user"

# ---- the SQL surface ------------------------------------------------------
sql p "CREATE EXTENSION newsdex" >"$T/out" 2>&1 && ok "CREATE EXTENSION newsdex" || bad "CREATE EXTENSION newsdex"
sql p "CREATE TABLE articles (id text PRIMARY KEY, title text, body text, published timestamptz, outlet text)" >/dev/null
load() { load_jsonl p "$1" articles; }
if load "$FIXTURES/news.jsonl"; then ok "fixture articles loaded"; else bad "fixture articles loaded"; fi
if [ -e "$TEST_DATA/news/sample-1000.jsonl" ]; then
  load "$TEST_DATA/news/sample-1000.jsonl" && ok "news sample loaded" || bad "news sample loaded"
else
  skipped "news sample" "$TEST_DATA/news/sample-1000.jsonl not found (third-party data; set NEWSDEX_TEST_DATA)"
fi
check "CREATE INDEX ... USING newsdex" 0 sql p \
  "CREATE INDEX articles_nd ON articles USING newsdex (title, body, published, outlet) WITH (language = 'english')"
same "no problem found by newsdex.check" "" "SELECT * FROM newsdex.check('articles_nd')"
if sql p "CREATE EXTENSION pgtap" >/dev/null 2>&1; then
  psql -X -q -At -h "$T/p.sock" -U nd -d postgres -f tests/postgres/surface.sql >"$T/tap" 2>&1
  n_ok=$(grep -c '^ok ' "$T/tap"); n_bad=$(grep -c '^not ok ' "$T/tap")
  grep '^not ok' "$T/tap"
  [ "$n_ok" -gt 0 ] && [ "$n_bad" -eq 0 ] && grep -q '^1\.\.' "$T/tap" && ! grep -q 'Looks like' "$T/tap" &&
    ok "pgTAP: the SQL surface ($n_ok checks)" || { cat "$T/tap"; bad "pgTAP: the SQL surface"; }
else
  skipped "pgTAP checks of the SQL surface" "no pgtap extension (Debian: postgresql-15-pgtap)"
fi
sql p "SELECT count(*) FROM articles WHERE title @@@ '\"unclosed'" >"$T/out" 2>"$T/err"
has "a malformed query is an error that says what is wrong" "newsdex" err
sql p "ANALYZE articles" >/dev/null
est=$(sql p "EXPLAIN (FORMAT JSON) SELECT id FROM articles WHERE title @@@ 'said'" | python3 -c 'import json,sys; print(round(json.load(sys.stdin)[0]["Plan"]["Plan Rows"]))')
same "the planner's row estimate is the index's count ($est)" "$est" "SELECT count(*) FROM articles WHERE title @@@ 'said'"
sql p "CREATE INDEX bad_nd ON articles USING newsdex (published, body)" >"$T/out" 2>"$T/err"
has "a date as the title column is refused with the columns' roles" "title text, body text" err
sql p "SELECT count(*) FROM articles WHERE title @@@ 'x' AND false OR newsdex.match(body, 'x')" >"$T/out" 2>"$T/err"
has "the operator alone refuses to run" "answered by a newsdex index only" err
n=$(sql p "SELECT count(*) FROM newsdex.links('articles_nd', (SELECT ctid FROM articles WHERE body <> '' LIMIT 1))")
[ "${n:-0}" -gt 0 ] && ok "newsdex.links gives key topics ($n)" || bad "newsdex.links gives key topics"
w=$(sql p "SELECT lower(substring(body from '[A-Za-z]{6,}')) FROM articles WHERE body ~ '[A-Za-z]{6,}' LIMIT 1")
s=$(sql p "SELECT newsdex.snippet('articles_nd', ctid, '$w') FROM articles WHERE title @@@ '$w' ORDER BY title <=> '$w' LIMIT 1")
case "$s" in *"<b>"*) ok "newsdex.snippet marks the match";; *) echo "  [$s] for $w"; bad "newsdex.snippet marks the match";; esac

# ---- against the library --------------------------------------------------
if PYTHONPATH="$B/python" python3 -c 'import newsdex' 2>/dev/null || sh tests/python_build.sh "$B"; then
  PYTHONPATH="$B/python" python3 tests/postgres/oracle.py \
    "[\"psql\", \"-X\", \"-q\", \"-At\", \"-h\", \"$T/p.sock\", \"-U\", \"nd\", \"-d\", \"postgres\"]" \
    "$T/oracle.ndx" articles articles_nd >"$T/oracle.out" 2>&1
  grep -E '^(ok|FAIL|  )' "$T/oracle.out"
  line=$(tail -1 "$T/oracle.out")
  case "$line" in
    *" passed, "*" failed") p=${line%% passed*}; f=${line#*passed, }; f=${f%% failed*}
                            pass=$((pass + p)); fail=$((fail + f));;
    *) cat "$T/oracle.out"; bad "oracle comparison ran";;
  esac
else
  cat "$B/python-build.log"; bad "building the Python binding for the oracle"
fi

# ---- transactions -------------------------------------------------------------
count() { sql p "SELECT count(*) FROM articles WHERE body @@@ '$1'"; }
sql p "BEGIN; INSERT INTO articles VALUES ('t1', 'Quokka census', 'A zorblatt quokka census.', now(), 'T'); ROLLBACK" >/dev/null
same "a rolled-back insert is never found" 0 "SELECT count(*) FROM articles WHERE body @@@ 'zorblatt'"
same "a transaction finds its own rows before it commits" 1 \
  "BEGIN; INSERT INTO articles VALUES ('t2', 'Quokka census', 'A zorblatt quokka census.', now(), 'T');
   SELECT count(*) FROM articles WHERE body @@@ 'zorblatt'; COMMIT"
same "a committed insert is found" 1 "SELECT count(*) FROM articles WHERE body @@@ 'zorblatt'"
sql p "UPDATE articles SET body = 'A frimbulous wombat count.' WHERE id = 't2'" >/dev/null
same "after an update the old words no longer find it" 0 "SELECT count(*) FROM articles WHERE body @@@ 'zorblatt'"
same "after an update the new words find it" 1 "SELECT count(*) FROM articles WHERE body @@@ 'frimbulous'"
sql p "DELETE FROM articles WHERE id = 't2'" >/dev/null
same "a deleted row is not found" 0 "SELECT count(*) FROM articles WHERE body @@@ 'frimbulous'"
sql p "VACUUM articles" >/dev/null 2>"$T/err" && ok "VACUUM" || bad "VACUUM"
same "after VACUUM the index holds exactly the table's rows" "$(sql p "SELECT count(*) FROM articles WHERE body <> '' OR title <> ''")" \
  "SELECT count(*) FROM articles WHERE body @@@ '*'"
same "after VACUUM newsdex.check finds nothing" "" "SELECT * FROM newsdex.check('articles_nd')"
for q in said police "$w"; do
  same "newsdex.facets of $q: GROUP BY's counts" \
    "$(sql p "SELECT outlet || '|' || count(*) FROM articles WHERE title @@@ '$q' AND outlet IS NOT NULL
              GROUP BY outlet ORDER BY count(*) DESC, outlet LIMIT 5")" \
    "SELECT value || '|' || articles FROM newsdex.facets('articles_nd', '$q', 'source', 5)"
  same "newsdex.histogram of $q: GROUP BY's counts" \
    "$(sql p "SELECT y || '|' || count(*) FROM (SELECT to_char(published AT TIME ZONE 'UTC', 'YYYY') AS y FROM articles
              WHERE title @@@ '$q' AND published IS NOT NULL) s GROUP BY y ORDER BY y")" \
    "SELECT period || '|' || articles FROM newsdex.histogram('articles_nd', '$q', 'year')"
done
sql p "SELECT * FROM newsdex.histogram('articles_nd', 'said', 'fortnight')" >"$T/out" 2>"$T/err"
has "an unknown histogram period is refused by name" "fortnight" err

# ---- concurrent writers and readers, REINDEX, TRUNCATE --------------------------
for w in 1 2; do
  (for i in $(seq 1 60); do
     sql p "INSERT INTO articles VALUES ('w$w-$i', 'W', 'The brannigate concurrency row $w $i', now(), 'W')" || echo "insert failed"
   done) >"$T/writer$w" 2>&1 &
done
(last=0
 for i in $(seq 1 80); do
   n=$(sql p "SELECT count(*) FROM articles WHERE body @@@ 'brannigate'" 2>&1)
   case "$n" in *[!0-9]*|"") echo "reader: $n";; *) [ "$n" -lt "$last" ] && echo "reader: $n after $last"; last=$n;; esac
 done) >"$T/reader" 2>&1 &
wait
cat "$T/writer1" "$T/writer2" "$T/reader" >"$T/out"
[ ! -s "$T/out" ] && ok "two writers and a reader at once: no error, counts never go back" ||
  bad "two writers and a reader at once: no error, counts never go back"
same "both writers' rows are all found" 120 "SELECT count(*) FROM articles WHERE body @@@ 'brannigate'"
same "after concurrent writes newsdex.check finds nothing" "" "SELECT * FROM newsdex.check('articles_nd')"
before=$(sql p "SELECT count(*) FROM articles WHERE body @@@ 'said'")
sql p "REINDEX INDEX articles_nd" >/dev/null && ok "REINDEX" || bad "REINDEX"
same "after REINDEX the same rows are found" "$before" "SELECT count(*) FROM articles WHERE body @@@ 'said'"
sql p "CREATE TABLE tt (title text, body text); INSERT INTO tt VALUES ('A', 'plomberance one'), ('B', 'plomberance two');
       CREATE INDEX tt_nd ON tt USING newsdex (title, body);
       SELECT count(*) FROM tt WHERE body @@@ 'plomberance'; TRUNCATE tt;
       INSERT INTO tt VALUES ('C', 'plomberance three')" >/dev/null
same "after TRUNCATE only the new row is found" "C" "SELECT string_agg(title, ',') FROM tt WHERE body @@@ 'plomberance'"

# ---- a streaming replica --------------------------------------------------------
mkdir -p "$T/r.sock" "$T/r" && chown "$(as_pg id -u)" "$T/r.sock" "$T/r" 2>/dev/null
chmod 700 "$T/r"
if as_pg "$PGBIN/pg_basebackup" -h "$T/p.sock" -U nd -D "$T/r" -R -X stream -c fast >"$T/r.bb" 2>&1; then
  sed -i "s|^unix_socket_directories.*|unix_socket_directories = '$T/r.sock'|" "$T/r/postgresql.conf"
  launch r && ok "a replica from pg_basebackup starts" || bad "a replica from pg_basebackup starts"
  sql p "INSERT INTO articles SELECT 'r' || g, 'Replica item ' || g, 'The glimmerwort replica test number ' || g, now(), 'R'
         FROM generate_series(1, 200) g" >/dev/null
  lsn=$(sql p "SELECT pg_current_wal_lsn()")
  for _ in $(seq 1 100); do
    [ "$(sql r "SELECT pg_last_wal_replay_lsn() >= '$lsn'")" = t ] && break
    sleep 0.1
  done
  q="SELECT string_agg(id, ',' ORDER BY id) FROM (SELECT id FROM articles WHERE body @@@ 'glimmerwort replica' ORDER BY body <=> 'glimmerwort replica' LIMIT 20) s"
  a=$(sql p "$q"); b=$(sql r "$q" 2>&1)
  [ -n "$a" ] && [ "$a" = "$b" ] && ok "the replica answers as the primary after writes" || { echo "  primary [$a] replica [$b]"; bad "the replica answers as the primary after writes"; }
  same "the replica's copy passes newsdex.check" "" "SELECT * FROM newsdex.check('articles_nd')"
else
  cat "$T/r.bb"; bad "pg_basebackup"
fi

# ---- a crash during inserts ---------------------------------------------------------
sql p "CREATE UNLOGGED TABLE u (title text, body text); INSERT INTO u VALUES ('x', 'flumbrary one');
       CREATE INDEX u_nd ON u USING newsdex (title, body); INSERT INTO u VALUES ('y', 'flumbrary two')" >/dev/null
(for i in $(seq 1 400); do
   sql p "INSERT INTO articles VALUES ('c$i', 'Crash $i', 'The quandlewick crash test row $i', now(), 'C')" >/dev/null 2>&1 || break
 done) &
writer=$!
sleep 3
as_pg "$PGBIN/pg_ctl" -D "$T/p" -m immediate stop >/dev/null 2>&1
wait $writer
clusters=$(echo "$clusters" | sed 's/ p\b//')
launch p && ok "the primary recovers after pg_ctl stop -m immediate" || bad "the primary recovers"
committed=$(sql p "SELECT count(*) FROM articles WHERE body LIKE '%quandlewick%'")
same "every committed row is found after the crash ($committed)" "$committed" "SELECT count(*) FROM articles WHERE body @@@ 'quandlewick'"
same "after the crash newsdex.check finds nothing" "" "SELECT * FROM newsdex.check('articles_nd')"
segs=$(sql p "SELECT segments FROM newsdex.stats('articles_nd')")
[ "${segs:-999}" -lt 20 ] && [ "$committed" -gt 20 ] &&
  ok "the crash came among merges ($committed one-row commits, $segs segments left)" ||
  bad "the crash came among merges ($committed one-row commits, $segs segments left)"
sql p "INSERT INTO articles VALUES ('after', 'After', 'The snorkelbine row after recovery', now(), 'C')" >/dev/null
same "an unlogged table's index is empty after the crash" 0 "SELECT articles FROM newsdex.stats('u_nd')"
sql p "INSERT INTO u VALUES ('z', 'flumbrary three')" >/dev/null
same "an unlogged table's index takes rows again" 1 "SELECT count(*) FROM u WHERE body @@@ 'flumbrary'"
same "writes go on after recovery" 1 "SELECT count(*) FROM articles WHERE body @@@ 'snorkelbine'"

result
