#!/usr/bin/env python3
"""The helper of bench/pg_bench.sh: the corpus, the SQL and the report.

    python3 bench/pg_bench.py sample N OUT.jsonl FILE...
    python3 bench/pg_bench.py sql QUERIES CLASSES OUTDIR
    python3 bench/pg_bench.py explain CLASSES OUTDIR
    python3 bench/pg_bench.py mix K QUERIES CLASSES
    python3 bench/pg_bench.py report WORKDIR OUT.md WARMUP_SECONDS

sample   the articles of FILE... (.jsonl or .jsonl.zst), or N of them spread
         evenly over the files (every k-th; N = 0: all), as JSON Lines
sql      the query set of bench/gen_queries.py as SQL, one statement a line,
         into OUTDIR/FORM.sql, for the forms
           newsdex      count(*) and the top 10 in two subqueries
           gin, rum     the same on the GIN and RUM tables
           gin-win, rum-win   the top 10 with count(*) OVER () (one scan)
           newsdex-top, gin-top, rum-top   the top 10 alone
           newsdex-bitmap  as newsdex, the count by a bitmap scan
                        (enable_indexscan off for it: one query string)
           floor        a statement of the same shape answered by the
                        primary key (what any statement costs)
         each statement returning one row: the total and the ids
explain  a psql script: EXPLAIN ANALYZE of the first query of each class
         in the main forms, each after an untimed run
mix      the first K queries of each class (the shards' pgbench mix)
report   reads what pg_bench.sh left in WORKDIR and writes the report
         (and the same figures as JSON beside it)

How a newsdex query becomes a tsquery: a word w is to_tsquery('english',
'w') (PostgreSQL's Snowball English stemmer and stop words), AND is &, OR
is |, NOT (or -) is !, a phrase "a b" is a <-> b, a prefix p* is
to_tsquery('simple', 'p:*') (newsdex matches a prefix against the stems
without stemming it; to_tsquery('english', ...) would stem it first), and
a date range is a condition on `published` (UTC days, both ends included).
Subtrees without a prefix become one to_tsquery('english', ...); the
others are joined with the tsquery operators && || !!.
"""
import json
import math
import os
import re
import statistics
import sys
import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen_queries  # noqa: E402

CLASSES = ("term_high", "term_mid", "term_low", "and", "or", "phrase", "prefix", "date")
CHECKED = ("and", "phrase")
LIMIT = 10
TOL_ABS, TOL_REL = 2, 0.05  # as bench/run.py: at most 2 or 5% of the larger apart


def agree(a, b):
    return abs(a - b) <= max(TOL_ABS, TOL_REL * max(a, b))


# ---- the corpus -------------------------------------------------------------

def sample(n, out, files):
    arts = list(gen_queries.read_articles(files))
    total = len(arts)
    if n <= 0 or n >= total:
        keep = arts
    else:  # article i is kept when floor((i+1)n/total) moves: n of them, evenly spread
        keep = [a for i, a in enumerate(arts) if (i + 1) * n // total != i * n // total]
    with open(out, "w", encoding="utf-8") as f:
        for a in keep:
            f.write(json.dumps(a, ensure_ascii=False) + "\n")
    print(f"{len(keep)} of {total} articles -> {out}", file=sys.stderr)


# ---- newsdex queries as tsquery and SQL ---------------------------------------

TOKEN = re.compile(r'\s*(\(|\)|"[^"]*"|[^\s()"]+)')


def parse(q):
    """The benchmark's subset of the query language as a tree:
    ('and'|'or', [kids]), ('not', kid), ('word'|'prefix', w),
    ('phrase', [w...]), ('date', lo, hi) (datetime.date or None)."""
    toks = [m.group(1) for m in TOKEN.finditer(q)]
    pos = 0

    def peek():
        return toks[pos] if pos < len(toks) else None

    def take():
        nonlocal pos
        pos += 1
        return toks[pos - 1]

    def p_or():
        kids = [p_and()]
        while peek() == "OR":
            take()
            kids.append(p_and())
        return kids[0] if len(kids) == 1 else ("or", kids)

    def p_and():
        kids = []
        while peek() not in (None, ")", "OR"):
            if peek() == "AND":
                take()
                continue
            kids.append(p_unary())
        if not kids:
            raise ValueError(f"empty group in {q!r}")
        return kids[0] if len(kids) == 1 else ("and", kids)

    def p_unary():
        t = peek()
        if t == "NOT":
            take()
            return ("not", p_unary())
        if t.startswith("-") and len(t) > 1:
            toks[pos] = t[1:]
            return ("not", p_unary())
        return p_primary()

    def p_primary():
        t = take()
        if t == "(":
            e = p_or()
            if take() != ")":
                raise ValueError(f"unbalanced ( in {q!r}")
            return e
        if t.startswith('"'):
            ws = t.strip('"').split()
            return ("word", ws[0]) if len(ws) == 1 else ("phrase", ws)
        if t.startswith("date:"):
            return ("date",) + date_range(t[5:])
        if t.endswith("*") and len(t) > 1:
            return ("prefix", t[:-1])
        return ("word", t)

    e = p_or()
    if pos != len(toks):
        raise ValueError(f"cannot translate {q!r}")
    return e


def day_bounds(d):
    """[first, last] day of YYYY, YYYY-MM or YYYY-MM-DD."""
    if re.fullmatch(r"\d{4}", d):
        return datetime.date(int(d), 1, 1), datetime.date(int(d), 12, 31)
    if re.fullmatch(r"\d{4}-\d{2}", d):
        y, m = map(int, d.split("-"))
        nxt = datetime.date(y + (m == 12), m % 12 + 1, 1)
        return datetime.date(y, m, 1), nxt - datetime.timedelta(days=1)
    day = datetime.date.fromisoformat(d)
    return day, day


def date_range(r):
    if ".." in r:
        a, b = r.split("..", 1)
        return (day_bounds(a)[0] if a else None), (day_bounds(b)[1] if b else None)
    lo, hi = day_bounds(r)
    return lo, hi


def has_prefix(e):
    if e[0] in ("and", "or"):
        return any(has_prefix(k) for k in e[1])
    if e[0] == "not":
        return has_prefix(e[1])
    return e[0] == "prefix"


def lexeme(w):
    if re.fullmatch(r"[A-Za-z0-9]+", w):
        return w
    return "'" + w.replace("\\", "\\\\").replace("'", "''") + "'"


def ts_text(e):
    """tsquery text of a tree without prefixes or dates."""
    k = e[0]
    if k == "word":
        return lexeme(e[1])
    if k == "phrase":
        return "(" + " <-> ".join(lexeme(w) for w in e[1]) + ")"
    if k == "not":
        return "!" + ts_text(e[1])
    op = " & " if k == "and" else " | "
    return "(" + op.join(ts_text(x) for x in e[1]) + ")"


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def ts_sql(e):
    """A SQL expression of type tsquery for a tree without dates."""
    if not has_prefix(e):
        return f"to_tsquery('english', {sql_str(ts_text(e))})"
    k = e[0]
    if k == "prefix":
        return f"to_tsquery('simple', {sql_str(lexeme(e[1].lower()) + ':*')})"
    if k == "not":
        return f"(!! {ts_sql(e[1])})"
    op = " && " if k == "and" else " || "
    return "(" + op.join(ts_sql(x) for x in e[1]) + ")"


def to_sql(q):
    """(tsquery expression, extra WHERE condition or '') of a newsdex query."""
    e = parse(q)
    dates = []
    if e[0] == "date":
        raise ValueError(f"a date alone cannot be a tsquery: {q!r}")
    if e[0] == "and":
        dates = [x for x in e[1] if x[0] == "date"]
        rest = [x for x in e[1] if x[0] != "date"]
        e = rest[0] if len(rest) == 1 else ("and", rest)
    conds = []
    for _, lo, hi in dates:
        if lo:
            conds.append(f"published >= '{lo.isoformat()} 00:00:00+00'")
        if hi:
            conds.append(f"published < '{(hi + datetime.timedelta(days=1)).isoformat()} 00:00:00+00'")

    def no_dates(x):
        if x[0] == "date":
            raise ValueError(f"a date under OR or NOT is not translated: {q!r}")
        if x[0] in ("and", "or"):
            for k in x[1]:
                no_dates(k)
        if x[0] == "not":
            no_dates(x[1])
    no_dates(e)
    return ts_sql(e), " AND ".join(conds)


FORMS = ("newsdex", "newsdex-bitmap", "gin", "gin-win", "rum", "rum-win", "newsdex-top", "gin-top", "rum-top",
         "floor")


def statements(queries):
    """Per form ("newsdex", "gin", "gin-win", "rum", "rum-win" and the
    "-top" ones), one statement per query; see the module's doc."""
    out = {k: [] for k in FORMS}
    for q in queries:
        lit = sql_str(q)
        m = f"title @@@ {lit}"
        top = f"SELECT id FROM articles WHERE {m} ORDER BY title <=> {lit} LIMIT {LIMIT}"
        out["newsdex"].append(f"SELECT (SELECT count(*) FROM articles WHERE {m}), "
                              f"(SELECT string_agg(id, ',') FROM ({top}) s)")
        out["newsdex-bitmap"].append(f"SET enable_indexscan = off; SELECT count(*) FROM articles WHERE {m}; "
                                     f"RESET enable_indexscan; SELECT string_agg(id, ',') FROM ({top}) s")
        out["floor"].append(f"SELECT count(*), string_agg(id, ',') FROM "
                            f"(SELECT id FROM articles WHERE id = {lit} LIMIT {LIMIT}) s")
        out["newsdex-top"].append(f"SELECT count(*), string_agg(id, ',') FROM ({top}) s")
        ts, cond = to_sql(q)
        w = f"tsv @@ {ts}" + (f" AND {cond}" if cond else "")
        for eng, tab, order in (("gin", "articles_gin", f"ts_rank(tsv, {ts}) DESC"),
                                ("rum", "articles_rum", f"tsv <=> {ts}")):
            top = f"SELECT id FROM {tab} WHERE {w} ORDER BY {order} LIMIT {LIMIT}"
            out[eng].append(f"SELECT (SELECT count(*) FROM {tab} WHERE {w}), "
                            f"(SELECT string_agg(id, ',') FROM ({top}) s)")
            out[eng + "-win"].append(f"SELECT coalesce(max(n), 0), string_agg(id, ',') FROM "
                                     f"(SELECT id, count(*) OVER () AS n FROM {tab} WHERE {w} "
                                     f"ORDER BY {order} LIMIT {LIMIT}) s")
            out[eng + "-top"].append(f"SELECT count(*), string_agg(id, ',') FROM ({top}) s")
    return out


def write_sql(qfile, cfile, outdir):
    queries = open(qfile, encoding="utf-8").read().splitlines()
    classes = open(cfile).read().splitlines()
    if len(queries) != len(classes):
        sys.exit(f"{len(queries)} queries but {len(classes)} classes")
    os.makedirs(outdir, exist_ok=True)
    for form, lines in statements(queries).items():
        with open(os.path.join(outdir, form + ".sql"), "w", encoding="utf-8") as f:
            f.write("".join(s + "\n" for s in lines))


# ---- plans and the shards' mix -------------------------------------------------

EXPLAINED = ("newsdex", "gin-win", "gin", "rum-win", "rum", "newsdex-top", "rum-top")


def explain(cfile, sqldir):
    """A psql script: EXPLAIN ANALYZE of the first query of each class in
    every form, after one untimed run of each (a warm connection)."""
    classes = open(cfile).read().splitlines()
    forms = {f: open(os.path.join(sqldir, f + ".sql"), encoding="utf-8").read().splitlines()
             for f in EXPLAINED + ("newsdex-bitmap",)}
    for c in CLASSES:
        if c not in classes:
            continue
        i = classes.index(c)
        for f in EXPLAINED:
            print("\\o /dev/null")
            print(forms[f][i] + ";")
            print("\\o")
            print(f"\\echo '==== {c}, {f}'")
            print("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + forms[f][i] + ";")
        count = forms["newsdex-bitmap"][i].split("; ")[1]
        print(f"\\echo '==== {c}, newsdex count by a bitmap scan'")
        print("SET enable_indexscan = off;")
        print("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + count + ";")
        print("RESET enable_indexscan;")


def mix(k, qfile, cfile):
    """The first k queries of each class, one a line."""
    qs = open(qfile, encoding="utf-8").read().splitlines()
    cs = open(cfile).read().splitlines()
    seen = {}
    for q, c in zip(qs, cs):
        if seen.get(c, 0) < k:
            seen[c] = seen.get(c, 0) + 1
            print(q)


# ---- the report -------------------------------------------------------------------

def pct(values, p):
    v = sorted(values)
    return v[max(0, math.ceil(p / 100.0 * len(v)) - 1)]


def summary(ms):
    return {"mean": statistics.fmean(ms), "p50": pct(ms, 50), "p99": pct(ms, 99), "n": len(ms)}


def read_out(path):
    """pg_query's lines: (ms, total or None, ids or None, error or None)."""
    rows = []
    for line in open(path, encoding="utf-8"):
        f = line.rstrip("\n").split("\t")
        ms = int(f[0]) / 1e6
        if f[1] == "error":
            rows.append((ms, None, None, f[2] if len(f) > 2 else ""))
        else:
            total = int(f[2]) if len(f) > 2 and f[2] else 0
            ids = f[3].split(",") if len(f) > 3 and f[3] else []
            rows.append((ms, total, ids, None))
    return rows


def read_cli(work, count, reps):
    """The command's (total, ids) per query and its per-query median ms."""
    res = []
    for line in open(os.path.join(work, f"cli-{count}.out"), encoding="utf-8"):
        head, _, tail = line.rstrip("\n").partition("\t")
        res.append((None, None) if head == "error" else (int(head), tail.split(",") if tail else []))
    times = []
    for r in range(1, reps + 1):
        t = [int(x.split()[1]) / 1e6 for x in open(os.path.join(work, f"cli-{count}-{r}.err"))
             if x.startswith("#qt_ns ")]
        times.append(t)
    return res, [statistics.median(v) for v in zip(*times)]


def by_class(ms, classes):
    out = {}
    for c in CLASSES:
        v = [t for t, k in zip(ms, classes) if k == c and t is not None]
        if v:
            out[c] = summary(v)
    return out


def read_pgbench(d, warmup):
    """Throughput and latency of a pgbench run from its per-transaction
    logs, leaving out the transactions that started in the first `warmup`
    seconds; and the slowest first transaction of a client."""
    tx = []
    for name in os.listdir(d):
        if not name.startswith("log."):
            continue
        for line in open(os.path.join(d, name)):
            f = line.split()
            if len(f) < 6:
                continue
            lat = int(f[2]) / 1e6
            end = int(f[4]) + int(f[5]) / 1e6
            tx.append((end - lat, end, lat, (name, int(f[0])), int(f[1])))
    if not tx:
        return None
    t0 = min(t[0] for t in tx)
    kept = [t for t in tx if t[0] >= t0 + warmup]
    t1 = max(t[1] for t in kept)
    lat = [t[2] * 1000 for t in kept]
    failed = 0
    summ = os.path.join(d, "summary.txt")
    if os.path.exists(summ):
        for line in open(summ):
            m = re.match(r"number of failed transactions: (\d+)", line)
            if m:
                failed = int(m.group(1))
    return {"tps": len(kept) / (t1 - (t0 + warmup)), "tx": len(kept), "failed": failed,
            "mean": statistics.fmean(lat), "p50": pct(lat, 50), "p99": pct(lat, 99),
            "first_ms": max(min(t for t in tx if t[3] == c)[2] for c in {t[3] for t in tx}) * 1000}


def fmt(v):
    return "–" if v is None else f"{v:.3f}" if v < 10 else f"{v:.1f}"


def trio(s):
    return " / ".join(fmt(s[k]) for k in ("mean", "p50", "p99")) if s else "–"


def ratios(a, b):
    """a / b for mean, p50, p99."""
    if not a or not b:
        return "–"
    return " / ".join(f"{a[k] / b[k]:.2f}×" if b[k] else "–" for k in ("mean", "p50", "p99"))


def best_of(stats_list):
    """Per statistic, the lowest of several engines' class figures."""
    stats_list = [s for s in stats_list if s]
    if not stats_list:
        return None
    return {k: min(s[k] for s in stats_list) for k in ("mean", "p50", "p99")}


def mib(b):
    return f"{b / 2**20:.1f}"


def report(work, out, warmup):
    meta = {}
    for line in open(os.path.join(work, "meta.tsv"), encoding="utf-8"):
        k, _, v = line.rstrip("\n").partition("\t")
        meta[k] = v
    reps = int(meta["reps"])
    classes = open(os.path.join(work, "queries.classes")).read().splitlines()
    queries = open(os.path.join(work, "queries.txt"), encoding="utf-8").read().splitlines()
    runs = {f: read_out(os.path.join(work, f"out-{f}.tsv")) for f in FORMS}
    errors = {f: [(queries[i], r[3]) for i, r in enumerate(rows) if r[3] is not None] for f, rows in runs.items()}
    stats = {f: by_class([r[0] if r[3] is None else None for r in rows], classes) for f, rows in runs.items()}
    cli = {}
    for count in ("exact", "lower-bound", "lb64"):
        res, ms = read_cli(work, count, reps)
        cli[count] = {"res": res, "stats": by_class(ms, classes)}
    nq = len(queries)

    # agreement
    def totals(f):
        return [r[1] for r in runs[f]]
    nd, gin, rum = totals("newsdex"), totals("gin-win"), totals("rum")
    agree_rows, disagree = {}, []
    for i, c in enumerate(classes):
        a = agree_rows.setdefault(c, {"n": 0, "gin": 0, "gin_rum": 0, "cli": 0, "cli_top": 0, "top_alone": 0,
                                      "bitmap": 0})
        a["n"] += 1
        ok = nd[i] is not None and gin[i] is not None and agree(nd[i], gin[i])
        a["gin"] += ok
        a["gin_rum"] += gin[i] is not None and gin[i] == rum[i] and gin[i] == totals("gin")[i] == totals("rum-win")[i]
        ct, cids = cli["exact"]["res"][i]
        a["cli"] += ct is not None and ct == nd[i]
        sql_ids = runs["newsdex"][i][2]
        a["cli_top"] += cids is not None and sql_ids is not None and sorted(cids) == sorted(sql_ids)
        a["top_alone"] += runs["newsdex-top"][i][2] == sql_ids
        a["bitmap"] += runs["newsdex-bitmap"][i][1] == nd[i] and runs["newsdex-bitmap"][i][2] == sql_ids
        if not ok and c in CHECKED:
            disagree.append((c, queries[i], nd[i], gin[i]))

    L = []
    w = L.append
    n_articles = int(meta["articles"])
    w("# newsdex in PostgreSQL beside PostgreSQL's full-text search (GIN, RUM)")
    w("")
    w("Written by `bench/pg_bench.sh` (`make bench-pg`); what is measured and how to read it: "
      "docs/benchmarks.md, \"PostgreSQL\".")
    w("")
    w("## Run")
    w("")
    w("```sh")
    cmd = f"make -j2 BUILD={meta.get('build', 'build')} bench-pg"
    env = []
    for k, d in (("n", "0"), ("per_class", "50"), ("reps", "3"), ("seed", "20040101")):
        if meta.get(k, d) != d:
            env.append(f"PG_BENCH_{k.upper()}={meta[k]}")
    w(" ".join(env + [cmd]))
    w("```")
    w("")
    w(f"- machine: {meta['cpus']} CPUs ({meta['cpu_model']}), {meta['mem_gib']} GiB; load average "
      f"{meta['load_before']} before the run, {meta['load_after']} after (the machine is shared: another "
      f"engineer's jobs ran beside it); {meta['date']}")
    w(f"- PostgreSQL {meta['pg_version']}, RUM {meta['rum_version']}; newsdex at commit {meta['commit']}"
      + (f" with uncommitted changes in {meta['dirty']} files of postgres/, src/ or include/" if meta['dirty'] != '0' else ""))
    w(f"- settings: shared_buffers {meta['conf_shared_buffers']}, work_mem {meta['conf_work_mem']}, "
      f"maintenance_work_mem {meta['conf_maintenance_work_mem']}, jit {meta['conf_jit']}, "
      f"max_parallel_workers_per_gather {meta['conf_max_parallel_workers_per_gather']}, "
      f"lc_ctype {meta.get('conf_lc_ctype', 'C')} (collation C); fsync off; the "
      f"extension preloaded (`shared_preload_libraries`); one cluster for the engines, three more for the "
      f"shards, all on this machine")
    w(f"- {n_articles} articles ({mib(int(meta['raw_bytes']))} MiB of JSON Lines); {nq} queries "
      f"({meta['per_class']} per class, seed {meta['seed']}); each query file ran once untimed, then "
      f"{reps} timed passes; a query's figure is the median of its passes")
    w(f"- the whole run took {float(meta['total_s']) / 60:.1f} minutes")
    w("")

    w("## Build and size")
    w("")
    nd_b, gin_b, rum_b = int(meta["nd_bytes"]), int(meta["gin_bytes"]), int(meta["rum_bytes"])
    tsv_b = int(meta["gin_table_bytes"]) - int(meta["table_bytes"])
    tsv_s = float(meta["tsv_build_s"])
    w("| | newsdex | GIN | RUM |")
    w("|---|---:|---:|---:|")
    w(f"| tsvector column: `ALTER TABLE ... ADD COLUMN tsv ... STORED` (s) | – | {tsv_s:.1f} | {tsv_s:.1f} |")
    w(f"| `CREATE INDEX` (s) | {float(meta['nd_build_s']):.1f} | {float(meta['gin_build_s']):.1f} | "
      f"{float(meta['rum_build_s']):.1f} |")
    w(f"| build in all (s) | {float(meta['nd_build_s']):.1f} | {tsv_s + float(meta['gin_build_s']):.1f} | "
      f"{tsv_s + float(meta['rum_build_s']):.1f} |")
    w(f"| index, `pg_relation_size` (MiB) | {mib(nd_b)} | {mib(gin_b)} | {mib(rum_b)} |")
    w(f"| tsvector column on disk (MiB) | – | {mib(tsv_b)} | {mib(tsv_b)} |")
    w(f"| index + column (MiB) | {mib(nd_b)} | {mib(gin_b + tsv_b)} | {mib(rum_b + tsv_b)} |")
    w(f"| index + column / newsdex | 1.00× | {(gin_b + tsv_b) / nd_b:.2f}× | {(rum_b + tsv_b) / nd_b:.2f}× |")
    w("")
    w(f"The tsvector column counts as `pg_table_size(articles_gin) − pg_table_size(articles)`: the heap "
      f"and TOAST bytes the column adds to the same rows (the sum of its values' `pg_column_size` is "
      f"{mib(int(meta['tsv_datum_bytes']))} MiB). The table without it: {mib(int(meta['table_bytes']))} MiB "
      f"(`pg_table_size`, loaded in {float(meta['load_s']):.1f} s). The newsdex index holds its own "
      f"compressed copy of the articles' text (for snippets and links), as the archive of the command does; "
      f"the command's archive of the same articles (`newsdex add` then `optimize`, "
      f"{float(meta['cli_build_s']):.1f} s with 2 threads) takes {mib(int(meta['cli_bytes']))} MiB. "
      f"`newsdex.check` found {meta['nd_check']} problems in the index.")
    w("")

    w("## Agreement")
    w("")
    w("Totals of newsdex (through SQL) against GIN's, agreeing when at most 2 or 5% of the larger apart "
      "(as `bench/run.py`); GIN and RUM use the same tsvector column, and the last columns check newsdex "
      "through SQL against the command on the same articles.")
    w("")
    w("| class | newsdex ≈ GIN | GIN = RUM (all forms) | SQL total = command's | SQL top 10 = command's (as sets) "
      "| newsdex's three forms alike |")
    w("|---|---|---|---|---|---|")
    for c in CLASSES:
        a = agree_rows.get(c)
        if a:
            w(f"| {c}{' (checked)' if c in CHECKED else ''} | {a['gin']}/{a['n']} | {a['gin_rum']}/{a['n']} | "
              f"{a['cli']}/{a['n']} | {a['cli_top']}/{a['n']} | {min(a['top_alone'], a['bitmap'])}/{a['n']} |")
    w("")
    chk = [i for i, c in enumerate(classes) if c in CHECKED]
    w(f"AND and phrase queries agreeing: {len(chk) - len(disagree)} of {len(chk)} "
      f"({100.0 * (len(chk) - len(disagree)) / max(1, len(chk)):.0f}%).")
    if disagree:
        w("")
        w("| class | query | newsdex | GIN |")
        w("|---|---|---:|---:|")
        for c, q, a, b in disagree:
            w(f"| {c} | `{q}` | {a} | {b} |")
    errs = [(f, e) for f, es in errors.items() for e in es]
    if errs:
        w("")
        w(f"Errors ({len(errs)}):")
        w("")
        for f, (q, m) in errs[:20]:
            w(f"- {f}: `{q}`: {m}")
    w("")

    w("## Latency: top 10 with the exact total")
    w("")
    w("Milliseconds per query through libpq (send to last row: parse, plan, execute, round trip), "
      "mean / p50 / p99 of the per-query medians. newsdex: `count(*)` of the match and the top 10 in two "
      "subqueries of one statement (`count(*) OVER ()` cannot be ordered by its index), the count by the "
      "planner's choice (an index scan) or by a bitmap scan (`SET enable_indexscan = off` for it, in the "
      "same query string). GIN and RUM in both forms: `count(*) OVER ()` beside the ranked rows (one "
      "scan) and the two subqueries. The best of GIN and RUM is the lowest of their four columns, "
      "statistic by statistic; its ratio to newsdex above 1 means newsdex is faster.")
    w("")
    w("| class | n | newsdex | newsdex, bitmap count | GIN, OVER () | GIN, subqueries | RUM, OVER () | "
      "RUM, subqueries | best of GIN/RUM / newsdex | / newsdex, bitmap count |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    full_best = {}
    for c in CLASSES:
        s = stats["newsdex"].get(c)
        if not s:
            continue
        sb = stats["newsdex-bitmap"].get(c)
        others = [stats[f].get(c) for f in ("gin-win", "gin", "rum-win", "rum")]
        best = best_of(others)
        full_best[c] = best
        w(f"| {c} | {s['n']} | {trio(s)} | {trio(sb)} | " + " | ".join(trio(o) for o in others) +
          f" | {ratios(best, s)} | {ratios(best, sb)} |")
    w("")

    w("## Latency: top 10 alone")
    w("")
    w("The same, without the total: `ORDER BY ... LIMIT 10` alone (GIN still ranks every match).")
    w("")
    w("| class | n | newsdex | GIN | RUM | best of GIN/RUM / newsdex |")
    w("|---|---|---|---|---|---|")
    top_best = {}
    for c in CLASSES:
        s = stats["newsdex-top"].get(c)
        if not s:
            continue
        g, r = stats["gin-top"].get(c), stats["rum-top"].get(c)
        best = best_of([g, r])
        top_best[c] = best
        w(f"| {c} | {s['n']} | {trio(s)} | {trio(g)} | {trio(r)} | {ratios(best, s)} |")
    w("")

    w("## newsdex through SQL against the command")
    w("")
    w(f"`newsdex search --db ARCHIVE --batch --versions all --limit 10 --count exact|lower-bound --timings` on "
      f"an archive of the same articles (its own time per query, from parsing to the ranked ids; a warm-up "
      f"run, then {reps} runs, the median per query) against the SQL statements above (client-side, "
      f"round trip included). Ratio SQL / command.")
    w("")
    w("| class | command, exact count | SQL, with total | SQL / command | SQL, bitmap count / command "
      "| command, lower-bound | SQL, top 10 alone | SQL / command | command, lower-bound, `--limit 64` |")
    w("|---|---|---|---|---|---|---|---|---|")
    for c in CLASSES:
        a, b = cli["exact"]["stats"].get(c), stats["newsdex"].get(c)
        x, y = cli["lower-bound"]["stats"].get(c), stats["newsdex-top"].get(c)
        if a:
            w(f"| {c} | {trio(a)} | {trio(b)} | {ratios(b, a)} | {ratios(stats['newsdex-bitmap'].get(c), a)} | "
              f"{trio(x)} | {trio(y)} | {ratios(y, x)} | {trio(cli['lb64']['stats'].get(c))} |")
    w("")
    floor_ms = [r[0] for r in runs["floor"]]
    fl = summary(floor_ms)
    w(f"What any statement costs here: the same shape answered by the primary key (`SELECT count(*), "
      f"string_agg(id, ',') FROM (SELECT id FROM articles WHERE id = 'QUERY' LIMIT 10) s`, one b-tree "
      f"lookup) took {trio(fl)} ms (mean / p50 / p99 over the {len(floor_ms)} queries). An index scan asks "
      f"newsdex for 64 hits first, not 10 (PostgreSQL does not pass LIMIT to an index): the last column is "
      f"the command doing that.")
    w("")
    rss = {k: int(meta.get("rss_kb_" + k) or 0) / 1024 for k in ("floor", "newsdex-top", "gin-top")}
    w(f"A backend's private memory (RssAnon) after one query on a new connection: {rss['newsdex-top']:.0f} MiB "
      f"after a newsdex query, {rss['gin-top']:.0f} MiB after a GIN query, {rss['floor']:.0f} MiB after the "
      f"primary-key one: each backend holds a copy of the newsdex index's files (GIN and RUM pages are read "
      f"in the shared buffers).")
    w("")
    cold = [float(x) * 1000 for x in meta["nd_cold_s"].split()]
    w(f"A new connection's first newsdex query copies the index's files into the backend: with psql "
      f"(connect, query, exit) it took {', '.join(f'{x:.0f}' for x in cold)} ms against "
      f"{float(meta['connect_s']) * 1000:.0f} ms for `SELECT 1`.")
    w("")

    w("## Shards")
    w("")
    w(f"`newsdex_shards.search(parent, query, 10, 'articles_nd', 'articles')` (postgres/sql/shards.sql) on "
      f"the main cluster as coordinator: 1 shard is its own table through a loopback postgres_fdw server; "
      f"3 shards are three more clusters holding a hash partition each "
      f"({', '.join(meta['shard_rows_' + s] for s in ('s1', 's2', 's3'))} rows, loaded through the "
      f"coordinator in {float(meta['shard_load_s']):.1f} s, indexed in parallel in "
      f"{float(meta['shard_build_s']):.1f} s). The mix: the first {meta.get('shard_queries', '5')} queries "
      f"of each class, drawn at random by pgbench (`-f`, `\\set i random(...)`), top 10 without total. "
      f"Each run lasted {warmup} s of warm-up (left out: every connection's first query copies the index's "
      f"files) and then the measured seconds; figures from pgbench's per-transaction log. "
      f"1 and 3 shards gave the same top-10 scores for {meta['shard_same'].split()[0]} of "
      f"{meta['shard_same'].split()[1]} queries of the mix.")
    w("")
    w("| shards | clients | queries/s | mean ms | p50 ms | p99 ms | failed | slowest first query of a client (ms) |")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|")
    shards = {}
    for n in (1, 3):
        for c in (1, 4):
            d = os.path.join(work, f"pgbench-{n}-{c}")
            r = read_pgbench(d, warmup) if os.path.isdir(d) else None
            shards[f"{n}-{c}"] = r
            if r:
                w(f"| {n} | {c} | {r['tps']:.1f} | {fmt(r['mean'])} | {fmt(r['p50'])} | {fmt(r['p99'])} | "
                  f"{r['failed']} | {r['first_ms']:.0f} |")
    w("")

    w("## Goals")
    w("")
    w("Ratios are the mean over the classes of each class's ratio of means.")
    w("")
    r_full = statistics.fmean(full_best[c]["mean"] / stats["newsdex"][c]["mean"] for c in full_best)
    r_top = statistics.fmean(top_best[c]["mean"] / stats["newsdex-top"][c]["mean"] for c in top_best)
    r_cli = statistics.fmean(stats["newsdex"][c]["mean"] / cli["exact"]["stats"][c]["mean"] for c in stats["newsdex"])
    r_cli_top = statistics.fmean(stats["newsdex-top"][c]["mean"] / cli["lower-bound"]["stats"][c]["mean"]
                                 for c in stats["newsdex-top"])
    size_ratio = (gin_b + tsv_b) / nd_b
    r_bitmap = statistics.fmean(full_best[c]["mean"] / stats["newsdex-bitmap"][c]["mean"] for c in full_best)
    w(f"- ≥10× faster than the best of GIN/RUM, top 10 with total: {r_full:.2f}× "
      f"({'met' if r_full >= 10 else 'missed'}; {r_bitmap:.2f}× with the count by a bitmap scan); "
      f"top 10 alone: {r_top:.2f}×")
    w(f"- index smaller than GIN + tsvector column: {mib(nd_b)} against {mib(gin_b + tsv_b)} MiB "
      f"({'met' if size_ratio > 1 else 'missed'}: GIN + column / newsdex = {size_ratio:.2f}×)")
    w(f"- within 2× of the command: SQL with total / command exact = {r_cli:.2f}× "
      f"({'met' if r_cli <= 2 else 'missed'}); top 10 alone / command lower-bound = {r_cli_top:.2f}×")
    w("")
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(L))
    js = {"meta": meta, "stats": stats, "floor": fl, "cli": {k: v["stats"] for k, v in cli.items()},
          "agreement": agree_rows, "disagreements": disagree, "errors": errors, "shards": shards,
          "goals": {"full": r_full, "full_bitmap": r_bitmap, "top": r_top, "sql_over_cli": r_cli, "sql_over_cli_top": r_cli_top,
                    "size_gin_over_newsdex": size_ratio}}
    with open(os.path.splitext(out)[0] + ".json", "w") as f:
        json.dump(js, f, indent=1)
    print(f"wrote {out}", file=sys.stderr)


def main(argv):
    if len(argv) >= 3 and argv[0] == "sample":
        return sample(int(argv[1]), argv[2], argv[3:])
    if len(argv) == 4 and argv[0] == "sql":
        return write_sql(*argv[1:])
    if len(argv) == 3 and argv[0] == "explain":
        return explain(*argv[1:])
    if len(argv) == 4 and argv[0] == "mix":
        return mix(int(argv[1]), argv[2], argv[3])
    if len(argv) == 4 and argv[0] == "report":
        return report(argv[1], argv[2], float(argv[3]))
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
