#!/bin/sh
# Shards: a coordinator whose `articles` table is hash-partitioned over three
# PostgreSQL servers through postgres_fdw, each shard with its own newsdex
# index, against one unsharded table of the same rows.  Checks that
#   - searches are sent to the shards (the operator is shippable) and find
#     what the unsharded index finds;
#   - newsdex_shards.search() (postgres/sql/shards.sql: statistics from every
#     shard, summed, then every shard ranking with them) gives the unsharded
#     top ten: the same scores to 1e-9, rank by rank, and the same ids above
#     the tenth score;
#   - ranking each shard on its own figures does not (so the check can fail).
cd "$(dirname "$0")/../.." || exit 1
. tests/pg_cluster.sh

COLS="id text, title text, body text, published timestamptz, outlet text"
for c in c s1 s2 s3; do
  if ! start $c; then cat "$T/$c.initdb" "$T/$c/server.log" 2>/dev/null; bad "starting cluster $c"; result; exit 1; fi
done
ok "a coordinator and three shards start"
for s in s1 s2 s3; do
  sql $s "CREATE EXTENSION newsdex; CREATE TABLE articles ($COLS);
          CREATE INDEX articles_nd ON articles USING newsdex (title, body, published, outlet)" >/dev/null ||
    bad "the shard $s's table and index"
done
if sql c "CREATE EXTENSION newsdex; CREATE EXTENSION postgres_fdw; CREATE EXTENSION dblink;
          CREATE TABLE articles ($COLS) PARTITION BY HASH (id);
          CREATE TABLE ref ($COLS);" >"$T/out" 2>&1 &&
   for i in 1 2 3; do
     sql c "CREATE SERVER s$i FOREIGN DATA WRAPPER postgres_fdw
              OPTIONS (host '$T/s$i.sock', dbname 'postgres', extensions 'newsdex');
            CREATE USER MAPPING FOR nd SERVER s$i OPTIONS (user 'nd');
            CREATE FOREIGN TABLE articles_s$i PARTITION OF articles FOR VALUES WITH (MODULUS 3, REMAINDER $((i - 1)))
              SERVER s$i OPTIONS (table_name 'articles', batch_size '500')" >>"$T/out" 2>&1 || exit 1
   done &&
   psql -X -q -v ON_ERROR_STOP=1 -h "$T/c.sock" -U nd -d postgres -f postgres/sql/shards.sql >>"$T/out" 2>&1; then
  ok "the partitioned table over three foreign servers, and postgres/sql/shards.sql"
else
  bad "the partitioned table over three foreign servers, and postgres/sql/shards.sql"
fi
load_jsonl c "$FIXTURES/news.jsonl" articles && load_jsonl c "$FIXTURES/news.jsonl" ref &&
  ok "fixture articles loaded through the shards" || bad "fixture articles loaded through the shards"
if [ -e "$TEST_DATA/news/sample-1000.jsonl" ]; then
  load_jsonl c "$TEST_DATA/news/sample-1000.jsonl" articles && load_jsonl c "$TEST_DATA/news/sample-1000.jsonl" ref &&
    ok "news sample loaded through the shards" || bad "news sample loaded through the shards"
else
  skipped "news sample" "$TEST_DATA/news/sample-1000.jsonl not found (third-party data; set NEWSDEX_TEST_DATA)"
fi
sql c "CREATE INDEX ref_nd ON ref USING newsdex (title, body, published, outlet)" >/dev/null || bad "the unsharded index"
n=$(sql c "SELECT count(*) FROM ref")
parts=$(for s in s1 s2 s3; do sql $s "SELECT count(*) FROM articles"; done | tr '\n' ' ')
[ "$(sql c "SELECT count(*) FROM articles")" = "$n" ] && case "$parts" in *" 0 "*|"0 "*) false;; *) true;; esac &&
  ok "$n rows spread over the shards ($parts)" || bad "$n rows spread over the shards ($parts)"

plan=$(sql c "EXPLAIN VERBOSE SELECT count(*) FROM articles WHERE title @@@ 'police'")
case "$plan" in *"Remote SQL"*"@@@"*) ok "@@@ is sent to the shards";; *) echo "$plan"; bad "@@@ is sent to the shards";; esac

# Queries: words of both corpora, boolean forms, a phrase, a prefix, a date.
QUERIES="said police government minister|president water|river bridge|-said \"prime|minister\" market* council|vote
date:1994|harbour oil|prices|-said court"
matched=0; same_top=0; cnt_ok=0; differs=0; total=0
IFS_SAVE=$IFS
for q in $QUERIES; do
  q=$(printf '%s' "$q" | tr '|' ' ')
  total=$((total + 1))
  ql=$(printf '%s' "$q" | sed "s/'/''/g")
  a=$(sql c "SELECT count(*) FROM articles WHERE title @@@ '$ql'"); b=$(sql c "SELECT count(*) FROM ref WHERE title @@@ '$ql'")
  [ "$a" = "$b" ] && cnt_ok=$((cnt_ok + 1)) || echo "  $q: $a through the shards, $b unsharded"
  [ "${b:-0}" -gt 0 ] && matched=$((matched + 1))
  # rank by rank: scores within 1e-9; ids equal where the score is above the tenth
  bad_ranks=$(sql c "
    WITH a AS (SELECT * FROM newsdex_shards.search('articles', '$ql', 10) WITH ORDINALITY AS a(server, id, score, r)),
         b AS (SELECT x.*, row_number() OVER () AS r FROM (SELECT id, newsdex.score(ctid) AS score FROM ref
               WHERE title @@@ '$ql' ORDER BY title <=> '$ql' LIMIT 10) x),
         cut AS (SELECT min(score) AS s FROM b)
    SELECT count(*) FROM a FULL JOIN b USING (r), cut
    WHERE a.score IS NULL OR b.score IS NULL OR abs(a.score - b.score) > 1e-9 * greatest(1, abs(b.score))
       OR (a.id <> b.id AND b.score > cut.s
           AND NOT EXISTS (SELECT 1 FROM b b2 WHERE b2.id = a.id AND abs(b2.score - a.score) <= 1e-9 * greatest(1, abs(a.score))))" 2>&1)
  if [ "$bad_ranks" = 0 ]; then same_top=$((same_top + 1)); else echo "  $q: $bad_ranks ranks differ"; fi
  # each shard on its own figures
  own=$(for s in s1 s2 s3; do sql $s "SELECT id || ' ' || newsdex.score(ctid) FROM articles WHERE title @@@ '$ql'
                                     ORDER BY title <=> '$ql' LIMIT 10"; done | sort -k2,2gr -k1,1 | head -10 | awk '{print $2}')
  ref=$(sql c "SELECT newsdex.score(ctid) FROM ref WHERE title @@@ '$ql' ORDER BY title <=> '$ql' LIMIT 10")
  [ "$own" != "$ref" ] && differs=$((differs + 1))
done
IFS=$IFS_SAVE
[ "$cnt_ok" = "$total" ] && ok "all $total queries find through the shards what the unsharded index finds" ||
  bad "$cnt_ok of $total queries find through the shards what the unsharded index finds"
[ "$matched" -ge $((total - 2)) ] && ok "$matched of $total queries match something" || bad "only $matched of $total queries match something"
[ "$same_top" = "$total" ] && ok "the shards' merged top ten is the unsharded one for all $total queries (scores to 1e-9)" ||
  bad "the shards' merged top ten is the unsharded one for $same_top of $total queries"
[ "$differs" -gt 0 ] && ok "on their own figures the shards rank differently ($differs of $total queries)" ||
  bad "on their own figures the shards rank as the whole would: the check above proves nothing"

result
