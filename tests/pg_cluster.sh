# Throw-away PostgreSQL clusters for the extension's tests (sourced by
# tests/postgres/*.sh from the project root).  Sets B (the build folder) and
# T (a scratch folder removed on exit, with every cluster started in it
# stopped), skips the whole script (counted as skipped) without PostgreSQL's
# server, its headers or the right to install, builds and installs the
# extension against $B, and defines
#   start NAME [CONF]   initdb + start a cluster in $T/NAME (socket $T/NAME.sock)
#   launch NAME         start an existing one
#   sql NAME SQL...     run SQL there, unaligned, tuples only
#   load_jsonl NAME FILE TABLE   articles of a JSON Lines file into TABLE
#                       (id, title, body, published, outlet)
# Clusters run as an unprivileged user: "nobody" when run as root, with the
# C locale; PG_CLUSTER_LC_CTYPE sets another character classification (the
# text-search parser's: C takes every non-ASCII character for a letter).
BUILD=${BUILD:-build}
case "$BUILD" in /*) B=$BUILD;; *) B=$PWD/$BUILD;; esac
T=$(mktemp -d /tmp/nd-pg-XXXXXX)
chmod 755 "$T"
. tests/lib.sh

clusters=""
cleanup() {
  for c in $clusters; do as_pg "$PGBIN/pg_ctl" -D "$T/$c" -m immediate stop >/dev/null 2>&1; done
  rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
skip_all() { echo "SKIP postgres: $1"; echo "0 passed, 0 failed, 1 skipped"; exit 0; }

[ -z "$SAN" ] || skip_all "not run under sanitizers (the server would need their runtime)"
if nm "$B/libnewsdex.a" 2>/dev/null | grep -q __asan_; then skip_all "$BUILD/libnewsdex.a is built with a sanitizer"; fi
command -v pg_config >/dev/null || skip_all "no pg_config (Debian: postgresql-15, postgresql-server-dev-15)"
PGBIN=$(pg_config --bindir)
[ -x "$PGBIN/initdb" ] || skip_all "no PostgreSQL server in $PGBIN (Debian: postgresql-15)"
[ -f "$(pg_config --includedir-server)/postgres.h" ] || skip_all "no server headers (Debian: postgresql-server-dev-15)"
if [ "$(id -u)" = 0 ]; then
  as_pg() { runuser -u nobody -- "$@"; }
else
  as_pg() { "$@"; }
fi

if ! make -C postgres NDBUILD="$B" >"$T/build.log" 2>&1; then
  cat "$T/build.log"; echo "FAIL building the extension"; echo "0 passed, 1 failed"; exit 1
fi
if [ ! -w "$(pg_config --pkglibdir)" ] || [ ! -w "$(pg_config --sharedir)/extension" ]; then
  skip_all "cannot install into $(pg_config --pkglibdir) (run as root, as CI does, or install with make -C postgres install)"
fi
if ! make -C postgres install NDBUILD="$B" >"$T/install.log" 2>&1; then
  cat "$T/install.log"; echo "FAIL make -C postgres install"; echo "0 passed, 1 failed"; exit 1
fi

# start NAME [EXTRA_CONF]: a new cluster in $T/NAME, socket in $T/NAME.sock
start() {
  mkdir -p "$T/$1.sock" "$T/$1" && chown "$(as_pg id -u)" "$T/$1.sock" "$T/$1" 2>/dev/null
  chmod 700 "$T/$1"
  as_pg "$PGBIN/initdb" -D "$T/$1" -U nd -A trust -E UTF8 --locale=C ${PG_CLUSTER_LC_CTYPE:+--lc-ctype="$PG_CLUSTER_LC_CTYPE"} \
    --no-sync >"$T/$1.initdb" 2>&1 || return 1
  cat >>"$T/$1/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$T/$1.sock'
fsync = off
wal_level = replica
max_wal_senders = 4
shared_buffers = 64MB
$2
EOF
  launch "$1"
}
launch() {
  clusters="$clusters $1"
  as_pg "$PGBIN/pg_ctl" -D "$T/$1" -l "$T/$1/server.log" -w -t 60 start >/dev/null 2>&1
}
# sql NAME SQL...: run on cluster NAME's database, unaligned, tuples only
sql() { c=$1; shift; PGOPTIONS='-c client_min_messages=warning' psql -X -q -At -v ON_ERROR_STOP=1 -h "$T/$c.sock" -U nd -d postgres -c "$*"; }
# load_jsonl NAME FILE TABLE: the articles of FILE (JSON Lines) into TABLE
# (id text, title text, body text, published timestamptz, outlet text) of
# cluster NAME; rows with an unreadable date or a known id are left out.
load_jsonl() {
  sql "$1" "CREATE TABLE IF NOT EXISTS newsdex_raw (doc jsonb); TRUNCATE newsdex_raw" >/dev/null &&
  psql -X -q -v ON_ERROR_STOP=1 -h "$T/$1.sock" -U nd -d postgres \
    -c "\\copy newsdex_raw(doc) FROM '$2' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')" >/dev/null &&
  sql "$1" "INSERT INTO $3 SELECT doc->>'id', doc->>'title', doc->>'body', (doc->>'date')::timestamptz, doc->>'source'
            FROM newsdex_raw WHERE doc->>'date' IS NULL OR doc->>'date' ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}'
            ON CONFLICT DO NOTHING" >/dev/null
}
