"""The newsdex index inside PostgreSQL against the library on the same rows.

Usage: oracle.py PSQL_ARGS_JSON ARCHIVE_DIR TABLE INDEX

Exports the table's rows with their ctid as id, builds an archive of them
with the Python binding, then for a set of queries drawn from the rows
(terms, AND, OR, NOT, phrases, prefixes, dates, sources) compares:
  - the rows SQL finds (WHERE col @@@ q) with the archive's matches;
  - the first ten of ORDER BY col <=> q with the archive's top ten, ids
    and scores (newsdex.score), to 1e-9.
Prints "ok"/"FAIL" lines and ends with "N passed, N failed".
"""
import collections
import json
import random
import re
import subprocess
import sys

import newsdex

psql_args, archive, table, index = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
passed = failed = 0


def psql(sql):
    r = subprocess.run(psql_args + ["-c", sql], capture_output=True, text=True)
    if r.returncode:
        raise RuntimeError(f"psql failed: {r.stderr.strip()} for: {sql[:200]}")
    return r.stdout


def check(name, good, detail=""):
    global passed, failed
    if good:
        passed += 1
        print(f"ok   {name}")
    else:
        failed += 1
        print(f"FAIL {name}")
        if detail:
            print("  " + detail[:1500])


def lit(s):
    return "'" + s.replace("'", "''") + "'"


rows = []
out = psql(
    f"""SELECT json_build_object('id', replace(replace(replace(ctid::text, '(', ''), ')', ''), ',', '.'),
        'title', title, 'body', body, 'source', outlet,
        'date', to_char(published AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
      FROM {table} ORDER BY ctid""")
for line in out.splitlines():
    d = json.loads(line)
    rows.append({k: v for k, v in d.items() if v is not None})
check(f"{len(rows)} rows exported", len(rows) > 0)

with newsdex.open(archive, create=True) as ix:
    ix.add(rows)

# Queries drawn from the rows, the same on every run.
rng = random.Random(17)
words = collections.Counter()
for d in rows:
    words.update(w.lower() for w in re.findall(r"[A-Za-z]{4,}", d.get("title", "") + " " + d.get("body", "")[:400]))
common = [w for w, _ in words.most_common(400)]
sources = sorted({d["source"] for d in rows if "source" in d})
queries = common[:8] + common[200:206]
for _ in range(8):
    a, b = rng.sample(common[:150], 2)
    queries += [f"{a} {b}", f"{a} OR {b}", f"{a} -{b}"]
for _ in range(6):
    d = rng.choice(rows)
    toks = re.findall(r"[A-Za-z]+", d.get("body", ""))
    if len(toks) > 10:
        i = rng.randrange(len(toks) - 3)
        queries.append('"' + " ".join(toks[i:i + 2]) + '"')
queries += [common[3][:3] + "*", common[40][:4] + "*"]
years = sorted({d["date"][:4] for d in rows if "date" in d})
if years:
    queries += [f"{common[5]} date:{years[len(years) // 2]}", f"{common[9]} date:{years[0]}..{years[len(years) // 2]}"]
if sources:
    queries += [f'source:"{sources[0]}"', f'{common[2]} source:"{sources[-1]}"']

with newsdex.open(archive) as ix:
    for q in queries:
        res = ix.search(q, limit=10, versions="all")
        want_total = res.total
        want = [(h.id, h.score) for h in res]
        ids = set(psql(f"SELECT replace(replace(replace(ctid::text, '(', ''), ')', ''), ',', '.') FROM {table} "
                       f"WHERE title @@@ {lit(q)}").split())
        everything = ix.search(q, limit=max(want_total, 1), versions="all")
        check(f"{q!r}: the rows found are the archive's {want_total}", ids == {h.id for h in everything},
              f"sql {len(ids)}, archive {want_total}; only sql: {sorted(ids - {h.id for h in everything})[:5]}")
        got = []
        for line in psql(f"SELECT replace(replace(replace(ctid::text, '(', ''), ')', ''), ',', '.'), "
                         f"newsdex.score(ctid) FROM {table} WHERE title @@@ {lit(q)} "
                         f"ORDER BY title <=> {lit(q)} LIMIT 10").split("\n"):
            if line:
                i, s = line.split("|")
                got.append((i, float(s)))
        same = len(got) == len(want) and all(
            g[0] == w[0] and abs(g[1] - w[1]) <= 1e-9 * max(1.0, abs(w[1])) for g, w in zip(got, want))
        check(f"{q!r}: top ten and scores", same, f"sql {got[:4]} archive {want[:4]}")

plan = psql(f"EXPLAIN SELECT ctid FROM {table} WHERE title @@@ 'x' ORDER BY title <=> 'x' LIMIT 10")
check("ORDER BY <=> LIMIT is an index scan of the newsdex index", f"Index Scan using {index}" in plan, plan)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
