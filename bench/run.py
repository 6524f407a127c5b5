#!/usr/bin/env python3
"""The side-by-side benchmark: newsdex, SQLite FTS5, Xapian and Lucene.

    python3 bench/run.py [--build DIR] [--data DIR] [--reps N] [--scales "1 4 16"]
    python3 bench/run.py --agree-only FILE [--per-class N]

`make bench` runs the first form (see docs/benchmarks.md): build the four
engines over the corpus (wall and CPU time, peak RSS, size on disk), check
that they agree on the totals of the AND and phrase queries, time the query
set (engines interleaved, --reps repetitions, the median per query, then
mean / p50 / p99 per class, top 10, exact and lower-bound counts), score
their ranking on Cranfield (bench/quality.py) and write
bench/results/RESULTS.md, results.json and latency.png.  BENCH_SCALES (or
--scales) also measures the corpus repeated k times under new ids.

--agree-only builds the engines on one file, runs the AND and phrase
queries drawn from it and prints one line per query and "N passed, N failed"
(used by tests/e2e/bench_agree.sh).

Lucene (bench/lucene/, Java) is optional: when its adapter was not built
(no JDK or no liblucene8-java) or Java does not run, a "SKIP lucene" line
says so and the others are measured without it.  Its JVM warms itself up
before the timed pass of each repetition (untimed passes over the query set:
at least --lucene-warmup, default 2, and --lucene-warmup-seconds, default
10), so that what is timed is compiled code.
"""
import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import gen_queries  # noqa: E402
import quality  # noqa: E402

ENGINES = ("newsdex", "fts5", "xapian", "lucene")  # the engines there are: Tools.engines
PEERS = ("fts5", "xapian", "lucene")
OPTIONAL = ("lucene",)  # left out, with a SKIP line, when it cannot run
LABEL = {"newsdex": "newsdex", "fts5": "FTS5", "xapian": "Xapian", "lucene": "Lucene"}
ADAPTER = {"fts5": "fts5", "xapian": "xapian", "lucene": os.path.join("lucene", "lucene")}
CLASSES = ("term_high", "term_mid", "term_low", "and", "or", "phrase", "prefix", "date")
CHECKED = ("and", "phrase")  # classes whose totals must agree
COUNTS = ("exact", "lower-bound")
LIMIT = 10
# Two totals agree when they differ by at most TOL_ABS or TOL_REL of the larger.
TOL_ABS = 2
TOL_REL = 0.05


def agree(a, b):
    return abs(a - b) <= max(TOL_ABS, TOL_REL * max(a, b))


# ---- running things -------------------------------------------------------

def run_measured(argv, stdin=None, what=None):
    """Run argv; returns dict(wall, cpu, rss_mib, rc, out, err).  CPU time and
    peak RSS come from wait4() on the child itself."""
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        fin = open(stdin, "rb") if stdin else subprocess.DEVNULL
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdin=fin, stdout=fo, stderr=fe)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        if stdin:
            fin.close()
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read().decode(errors="replace"), fe.read().decode(errors="replace")
    return {"wall": wall, "cpu": ru.ru_utime + ru.ru_stime, "rss_mib": ru.ru_maxrss / 1024.0,
            "rc": p.returncode, "out": out, "err": err}


def check_rc(r, argv, ok=(0,)):
    if r["rc"] not in ok:
        sys.exit(f"command failed (status {r['rc']}): {' '.join(argv)}\n{r['err'][-3000:]}")


def lucene_missing(adapter):
    """Why the Lucene adapter cannot run, or None when it can."""
    if not shutil.which("java"):
        return "no java on PATH (sh scripts/install-deps.sh installs default-jdk-headless)"
    if not os.access(adapter, os.X_OK):
        return (f"{adapter} is missing (make bench-tools builds it when javac and liblucene8-java "
                "are installed: sh scripts/install-deps.sh)")
    try:
        r = subprocess.run([adapter, "version"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"{adapter} does not run: {e}"
    if r.returncode != 0 or not r.stdout.startswith("Lucene "):
        return f"{adapter} does not run: {(r.stderr or r.stdout).strip()[-300:]}"
    return None


class Tools:
    def __init__(self, build, lucene_warmup=(2, 10)):
        self.lucene_warmup = lucene_warmup  # (at least N passes, at least S seconds)
        self.warmups = []
        self.nd = os.path.join(build, "newsdex")
        self.peer = {e: os.path.join(build, "bench", ADAPTER[e]) for e in PEERS}
        for p in [self.nd] + [self.peer[e] for e in PEERS if e not in OPTIONAL]:
            if not os.access(p, os.X_OK):
                sys.exit(f"{p} is missing: run 'make BUILD={build} all bench-tools' first")
        self.skipped = {}
        why = lucene_missing(self.peer["lucene"])
        if why:
            self.skipped["lucene"] = why
            print(f"SKIP lucene: {why}", file=sys.stderr)
        self.engines = tuple(e for e in ENGINES if e not in self.skipped)
        self.peers = tuple(e for e in PEERS if e not in self.skipped)
        r = run_measured([self.nd, "add", "--help"])
        self.threads = "--threads" in r["out"]

    def build(self, engine, dbdir, files):
        """Build one engine; returns the measures (optimize included for newsdex)."""
        if engine == "newsdex":
            argv = [self.nd, "add", "--db", dbdir] + (["--threads", "2"] if self.threads else []) + files
            r = run_measured(argv)
            check_rc(r, argv, (0, 3))
            argv2 = [self.nd, "optimize", "--db", dbdir]
            r2 = run_measured(argv2)
            check_rc(r2, argv2)
            return {"wall": r["wall"] + r2["wall"], "cpu": r["cpu"] + r2["cpu"],
                    "rss_mib": max(r["rss_mib"], r2["rss_mib"])}
        argv = [self.peer[engine], "build", dbdir] + files
        r = run_measured(argv)
        check_rc(r, argv, (0, 3))
        return {"wall": r["wall"], "cpu": r["cpu"], "rss_mib": r["rss_mib"]}

    def search(self, engine, dbdir, queries, count, timings=False):
        """Run the batch; returns (results, times_ns): results[i] is (total,
        ids) or ('error', message)."""
        if engine == "newsdex":
            # every version, as the peers count them (collapsing wire
            # copies is newsdex's own: docs/stories.md)
            argv = [self.nd, "search", "--db", dbdir, "--batch", "--versions", "all"]
        else:
            argv = [self.peer[engine], "search", dbdir]
        argv += ["--limit", str(LIMIT), "--count", count] + (["--timings"] if timings else [])
        if engine == "lucene" and timings:
            argv += ["--warmup", str(self.lucene_warmup[0]), "--warmup-seconds", str(self.lucene_warmup[1])]
        r = run_measured(argv, stdin=queries)
        check_rc(r, argv, (0, 2))
        res = []
        for line in r["out"].splitlines():
            head, _, tail = line.partition("\t")
            res.append(("error", tail) if head == "error" else (int(head), tail.split(",") if tail else []))
        times = [int(x.split()[1]) for x in r["err"].splitlines() if x.startswith("#qt_ns ")]
        # "#warmup PASSES MS,MS,...": the untimed passes of Lucene's JVM before the timed one
        self.warmups += [int(x.split()[1]) for x in r["err"].splitlines() if x.startswith("#warmup ")]
        return res, times

    def nd_stats(self, dbdir):
        argv = [self.nd, "stats", "--db", dbdir, "--json"]
        r = run_measured(argv)
        check_rc(r, argv)
        return json.loads(r["out"])


def lucene_files(index_dir):
    """{extension: bytes} of a Lucene index, reading a compound file's
    entry table (.cfe: codec header, vInt count, then per entry a string
    name, a long offset and a long length, big-endian)."""
    sizes = {}
    for name in os.listdir(index_dir):
        path = os.path.join(index_dir, name)
        if not name.endswith(".cfe"):
            if not name.endswith(".cfs"):
                ext = os.path.splitext(name)[1]
                sizes[ext] = sizes.get(ext, 0) + os.path.getsize(path)
            continue
        d = open(path, "rb").read()
        at = [4]  # past the header's magic

        def vint():
            r = shift = 0
            while True:
                b = d[at[0]]
                at[0] += 1
                r |= (b & 0x7F) << shift
                shift += 7
                if b < 0x80:
                    return r

        def string():
            n = vint()
            at[0] += n
            return d[at[0] - n:at[0]].decode()

        string()              # codec name
        at[0] += 4 + 16       # version, segment id
        at[0] += 1 + d[at[0]]  # suffix
        for _ in range(vint()):
            entry = string()
            ext = entry[entry.rindex("."):]  # ".nvd" or "_Lucene84_0.doc"
            length = int.from_bytes(d[at[0] + 8:at[0] + 16], "big")
            at[0] += 16
            sizes[ext] = sizes.get(ext, 0) + length
    return sizes


def inverted_parts(engine, dbdir, articles):
    """The inverted index as the issue counts it -- postings, positions,
    dictionary, norms -- as [(part, bytes)], or None for engines whose files
    do not separate them."""
    if engine == "newsdex":
        ext = {}
        for name in os.listdir(dbdir):
            e = os.path.splitext(name)[1]
            ext[e] = ext.get(e, 0) + os.path.getsize(os.path.join(dbdir, name))
        return [(".doc", ext.get(".doc", 0)), (".pos", ext.get(".pos", 0)), (".dic", ext.get(".dic", 0)),
                ("length bytes", 2 * articles)]
    if engine == "lucene":
        idx = os.path.join(dbdir, "index")
        sizes = lucene_files(idx if os.path.isdir(idx) else dbdir)
        return [(".doc", sizes.get(".doc", 0)), (".pos", sizes.get(".pos", 0)),
                (".tim+.tip+.tmd", sum(sizes.get(e, 0) for e in (".tim", ".tip", ".tmd"))),
                (".nvd+.nvm", sizes.get(".nvd", 0) + sizes.get(".nvm", 0))]
    return None


def dir_bytes(path):
    total = 0
    for d, _, files in os.walk(path):
        for f in files:
            total += os.stat(os.path.join(d, f)).st_size
    return total


def raw_bytes(files):
    """Uncompressed bytes of the JSON Lines input."""
    total = 0
    for f in files:
        if f.endswith(".zst"):
            with open(f, "rb") as raw:
                p = subprocess.Popen(["zstd", "-dcq"], stdin=raw, stdout=subprocess.PIPE)
            while True:
                b = p.stdout.read(1 << 20)
                if not b:
                    break
                total += len(b)
            p.wait()
        else:
            total += os.path.getsize(f)
    return total


def scaled_corpus(files, k, outdir):
    """The corpus k times: copy 0 as is, copy j with every id + '#j' (.jsonl.zst)."""
    os.makedirs(outdir, exist_ok=True)
    out = []
    for j in range(1, k):
        path = os.path.join(outdir, f"copy-{j:02d}.jsonl.zst")
        out.append(path)
        if os.path.exists(path):
            continue
        tmp = path + ".tmp"
        with open(tmp, "wb") as fo:
            z = subprocess.Popen(["zstd", "-q", "-1", "-c"], stdin=subprocess.PIPE, stdout=fo)
            for a in gen_queries.read_articles(files):
                a["id"] = f"{a['id']}#{j}"
                z.stdin.write((json.dumps(a, ensure_ascii=False) + "\n").encode())
            z.stdin.close()
            if z.wait() != 0:
                sys.exit("zstd failed writing " + path)
        os.replace(tmp, path)
    return list(files) + out


# ---- statistics -----------------------------------------------------------

def pct(values, p):
    v = sorted(values)
    return v[max(0, math.ceil(p / 100.0 * len(v)) - 1)]


def class_stats(per_query_ns, classes):
    out = {}
    for c in CLASSES:
        ms = [t / 1e6 for t, k in zip(per_query_ns, classes) if k == c and t is not None]
        if ms:
            out[c] = {"mean": statistics.fmean(ms), "p50": pct(ms, 50), "p99": pct(ms, 99), "n": len(ms)}
    return out


# ---- the steps ------------------------------------------------------------

def check_agreement(tools, dbs, qfile, queries, classes):
    """Totals of every engine (exact counts) and the disagreements."""
    totals = {}
    for e in tools.engines:
        res, _ = tools.search(e, dbs[e], qfile, "exact")
        if len(res) != len(queries):
            sys.exit(f"{e}: {len(res)} result lines for {len(queries)} queries")
        totals[e] = [r[0] if r[0] != "error" else None for r in res]
        for q, r in zip(queries, res):
            if r[0] == "error":
                print(f"  {e}: error on {q!r}: {r[1]}", file=sys.stderr)
    rows, summary = [], {}
    for i, (q, c) in enumerate(zip(queries, classes)):
        nd = totals["newsdex"][i]
        differs = False
        for p in tools.peers:
            t = totals[p][i]
            good = nd is not None and t is not None and agree(nd, t)
            s = summary.setdefault(c, {}).setdefault(p, [0, 0])
            s[0 if good else 1] += 1
            differs = differs or not good
        if "lucene" in tools.peers:
            # Lucene beside Xapian, the other peer with the same (Snowball) stemmer
            t, x = totals["lucene"][i], totals["xapian"][i]
            good = t is not None and x is not None and agree(x, t)
            summary[c].setdefault("lucene_xapian", [0, 0])[0 if good else 1] += 1
        if differs and c in CHECKED:
            rows.append(dict({"class": c, "query": q}, **{e: totals[e][i] for e in tools.engines}))
    return totals, summary, rows


def time_queries(tools, dbs, qfile, nq, classes, reps):
    """Per engine and count mode: per-class stats of the per-query medians."""
    out = {}
    engines = tools.engines
    for count in COUNTS:
        samples = {e: [[] for _ in range(nq)] for e in engines}
        for rep in range(reps):
            k = rep % len(engines)
            order = engines[k:] + engines[:k]  # interleaved, rotating
            for e in order:
                _, times = tools.search(e, dbs[e], qfile, count, timings=True)
                if len(times) != nq:
                    sys.exit(f"{e}: {len(times)} timings for {nq} queries")
                for i, t in enumerate(times):
                    samples[e][i].append(t)
            print(f"  timing {count}: repetition {rep + 1}/{reps} done", file=sys.stderr)
        out[count] = {e: class_stats([statistics.median(s) for s in samples[e]], classes) for e in engines}
    return out


def warm_timing(tools, db, qfile, nq, classes, reps):
    """newsdex alone: the query set twice in one process, reps times.  The
    first pass is what the tables time (a fresh process: its first touches
    of the mapped files, its caches and allocator empty); the second is warm,
    as Lucene's timed pass is after its JIT warm-up."""
    twice = qfile + ".twice"
    with open(qfile) as f:
        q = f.read()
    with open(twice, "w") as f:
        f.write(q + q)
    out = {}
    for count in COUNTS:
        fresh, warm, first = [[] for _ in range(nq)], [[] for _ in range(nq)], []
        for _ in range(reps):
            _, times = tools.search("newsdex", db, twice, count, timings=True)
            if len(times) != 2 * nq:
                sys.exit(f"newsdex: {len(times)} timings for {2 * nq} queries")
            for i in range(nq):
                fresh[i].append(times[i])
                warm[i].append(times[nq + i])
            first.append(times[0])
        out[count] = {"fresh": class_stats([statistics.median(t) for t in fresh], classes),
                      "warm": class_stats([statistics.median(t) for t in warm], classes),
                      "first_ms": statistics.median(first) / 1e6}
        print(f"  fresh and warm {count} done", file=sys.stderr)
    return out


def measure_scale(tools, files, workdir, qfile, queries, classes, reps, scale):
    dbs = {e: os.path.join(workdir, f"x{scale}", e) for e in tools.engines}
    build = {}
    for e in tools.engines:
        if os.path.exists(dbs[e]):
            shutil.rmtree(dbs[e])
        os.makedirs(os.path.dirname(dbs[e]), exist_ok=True)
        print(f"scale {scale}: building {e} ...", file=sys.stderr)
        build[e] = tools.build(e, dbs[e], files)
        build[e]["bytes"] = dir_bytes(dbs[e])
        print(f"  {e}: {build[e]['wall']:.1f} s, {build[e]['bytes'] / 2**20:.1f} MiB", file=sys.stderr)
    st = tools.nd_stats(dbs["newsdex"])
    build["newsdex"]["stored_bytes"] = st["stored_bytes"]
    build["newsdex"]["articles"] = st["articles"]
    for e in tools.engines:
        parts = inverted_parts(e, dbs[e], st["articles"])
        if parts:
            build[e]["inverted"] = parts
    print(f"scale {scale}: checking agreement ...", file=sys.stderr)
    totals, summary, rows = check_agreement(tools, dbs, qfile, queries, classes)
    print(f"scale {scale}: timing ...", file=sys.stderr)
    timing = time_queries(tools, dbs, qfile, len(queries), classes, reps)
    print(f"scale {scale}: newsdex fresh and warm ...", file=sys.stderr)
    warm = warm_timing(tools, dbs["newsdex"], qfile, len(queries), classes, reps)
    return {"build": build, "agreement": summary, "disagreements": rows, "timing": timing, "warm": warm}


# ---- the report -----------------------------------------------------------

def ratio(x, base):
    return f"{x / base:.2f}×" if base else "–"


def fmt_ms(v):
    return f"{v:.3f}" if v < 10 else f"{v:.1f}"


def peers_in(m):
    """The peers measured in m (one scale's results)."""
    return [p for p in PEERS if p in m["build"]]


def latency_table(timing, count, peers):
    head = " | ".join(f"{LABEL[p]} | {LABEL[p]} / newsdex" for p in peers)
    lines = [f"Top {LIMIT}, `--count {count}`; milliseconds per query: mean / p50 / p99 "
             "(of the per-query medians); ratios are peer / newsdex (above 1: newsdex is faster).", "",
             f"| class | n | newsdex | {head} |",
             "|---|---|---|" + "---|---|" * len(peers)]
    t = timing[count]
    for c in CLASSES:
        if c not in t["newsdex"]:
            continue
        n = t["newsdex"][c]
        cells = [c, str(n["n"]), " / ".join(fmt_ms(n[k]) for k in ("mean", "p50", "p99"))]
        for p in peers:
            s = t[p][c]
            cells.append(" / ".join(fmt_ms(s[k]) for k in ("mean", "p50", "p99")))
            cells.append(" / ".join(ratio(s[k], n[k]) for k in ("mean", "p50", "p99")))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def build_table(m, raw):
    b = m["build"]
    nd = b["newsdex"]
    peers = peers_in(m)
    inv = nd["bytes"] - nd["stored_bytes"]
    rows = [("build wall time (s)", "wall", "{:.1f}"), ("build CPU time (s)", "cpu", "{:.1f}"),
            ("build peak RSS (MiB)", "rss_mib", "{:.0f}"), ("index size on disk (MiB)", "bytes", None)]
    lines = ["| measure | newsdex | " + " | ".join(f"{LABEL[p]} | {LABEL[p]} / newsdex" for p in peers) + " |",
             "|---|---|" + "---|---|" * len(peers)]
    for label, key, f in rows:
        val = (lambda v: f"{v / 2**20:.1f}") if f is None else f.format
        cells = [label, val(nd[key])]
        for p in peers:
            cells += [val(b[p][key]), ratio(b[p][key], nd[key])]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append(f"| size / raw input | {nd['bytes'] / raw:.3f} | "
                 + " | ".join(f"{b[p]['bytes'] / raw:.3f} | " for p in peers) + " |")
    note = ("FTS5 keeps a copy of title and body in its table; Xapian keeps only the id (document data)"
            + ("; Lucene only the id (a stored field)" if "lucene" in peers else "") + ".")
    lines += ["", f"newsdex: {nd['articles']} articles; stored articles {nd['stored_bytes'] / 2**20:.1f} MiB, "
              f"inverted index without them {inv / 2**20:.1f} MiB; stored ratio (stored_bytes / raw input "
              f"bytes) {nd['stored_bytes'] / raw:.3f}; raw input {raw / 2**20:.1f} MiB of JSON Lines.  " + note]
    inv_lines = []
    for e in ["newsdex"] + peers:
        parts = b[e].get("inverted")
        if parts:
            total = sum(v for _, v in parts)
            inv_lines.append(f"{LABEL[e]} {total / 2**20:.1f} MiB ("
                             + ", ".join(f"{k} {v / 2**20:.1f}" for k, v in parts) + ")")
    if len(inv_lines) > 1:
        lines += ["", "Inverted index (postings, positions, dictionary, norms), MiB: " + "; ".join(inv_lines)
                  + ".  newsdex's count includes its key-topic, alias and source terms, which Lucene does not have."]
    return lines


def agreement_lines(m, nq_checked):
    peers = peers_in(m)
    lucene = "lucene" in peers
    lines = [f"Tolerance: two totals agree when they differ by at most {TOL_ABS} or {TOL_REL:.0%} "
             "of the larger (exact counts); each peer is compared with newsdex"
             + (", and Lucene also with Xapian (the other peer with the Snowball stemmer)" if lucene else "")
             + ".", "",
             "| class | " + " | ".join(f"{LABEL[p]} agrees" for p in peers)
             + (" | Lucene agrees with Xapian" if lucene else "") + " |",
             "|---|" + "---|" * (len(peers) + lucene)]
    for c in CLASSES:
        s = m["agreement"].get(c)
        if s:
            keys = peers + (["lucene_xapian"] if lucene else [])
            lines.append(f"| {c}{' (checked)' if c in CHECKED else ''} | "
                         + " | ".join(f"{s[k][0]}/{sum(s[k])}" for k in keys) + " |")
    rows = m["disagreements"]
    lines += ["", f"Disagreements on the checked classes: {len(rows)} of {nq_checked} queries"
              + (" (a query is listed when any peer differs from newsdex)." if rows else ".")]
    if rows:
        lines += ["", "| class | query | newsdex | " + " | ".join(LABEL[p] for p in peers) + " |",
                  "|---|---|---|" + "---|" * len(peers)]
        for r in rows:
            lines.append(f"| {r['class']} | `{r['query']}` | {r['newsdex']} | "
                         + " | ".join(str(r.get(p)) for p in peers) + " |")
    return lines


def growth_table(results):
    lines = [f"Build wall time (s), size (MiB) and p50 latency (ms, top {LIMIT}, exact count) per class.", "",
             "| scale | engine | articles | build s | MiB | " + " | ".join(CLASSES) + " |",
             "|---|---|---|---|---|" + "---|" * len(CLASSES)]
    for scale, m in sorted(results.items()):
        for e in ["newsdex"] + peers_in(m):
            b = m["build"][e]
            t = m["timing"]["exact"][e]
            lines.append(f"| {scale}× | {e} | {m['build']['newsdex']['articles']} | {b['wall']:.1f} | "
                         f"{b['bytes'] / 2**20:.1f} | " + " | ".join(fmt_ms(t[c]["p50"]) if c in t else "–"
                                                                 for c in CLASSES) + " |")
    return lines


def versions(tools):
    def out(argv):
        try:
            return subprocess.run(argv, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"
    v = {"newsdex": out([tools.nd, "--version"]),
         "sqlite": out(["python3", "-c", "import sqlite3; print(sqlite3.sqlite_version)"]),
         "xapian": out(["sh", "-c", "xapian-config --version 2>/dev/null || dpkg-query -W -f '${Version}' libxapian30"])}
    if "lucene" in tools.engines:
        # "Lucene 8.8.1 (Java 17...)" from the adapter, and the Debian package
        v["lucene"] = (out([tools.peer["lucene"], "version"]).removeprefix("Lucene ")
                       + ", Debian liblucene8-java " + (out(["dpkg-query", "-W", "-f", "${Version}", "liblucene8-java"])
                                                        or "?"))
    return v


def warm_table(m, count):
    """newsdex in a fresh process and warm, and Lucene's (warm) time over
    each of them."""
    w = m["warm"][count]
    lucene = "lucene" in peers_in(m)
    lt = m["timing"][count]["lucene"] if lucene else {}
    head = "| class | newsdex fresh | newsdex warm | fresh / warm |" + (
        " Lucene / newsdex fresh | Lucene / newsdex warm |" if lucene else "")
    lines = [f"`--count {count}`; ms per query, mean / p50 / p99 (of the per-query medians).  The first query "
             f"of a fresh process took {w['first_ms']:.2f} ms (median).", "",
             head, "|---|---|---|---|" + ("---|---|" if lucene else "")]
    for c in CLASSES:
        if c not in w["fresh"]:
            continue
        f, wm = w["fresh"][c], w["warm"][c]
        cells = [c] + [" / ".join(fmt_ms(x[k]) for k in ("mean", "p50", "p99")) for x in (f, wm)]
        cells.append(" / ".join(ratio(f[k], wm[k]) for k in ("mean", "p50", "p99")))
        if lucene:
            cells += [" / ".join(ratio(lt[c][k], x[k]) for k in ("mean", "p50", "p99")) for x in (f, wm)]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def write_report(outdir, env, results, raw, nq_checked, ranking):
    one = results[min(results)]
    peers = peers_in(one)
    lucene = (f", Lucene {env['versions']['lucene']}" if "lucene" in peers
              else f" (Lucene skipped: {env['skipped']['lucene']})" if "lucene" in env.get("skipped", {}) else "")
    lines = ["# Benchmark results", "",
             "Written by `bench/run.py` (`make bench`); how to read it: docs/benchmarks.md.", "",
             f"- machine: {env['cpus']} CPUs, load average {env['load_before']} before the run "
             f"({'busy: other jobs were running' if env['busy'] else 'otherwise idle'}); {env['date']}",
             f"- versions: {env['versions']['newsdex']}, SQLite {env['versions']['sqlite']}, "
             f"Xapian {env['versions']['xapian']}{lucene}; newsdex built with `--threads 2`: "
             f"{'yes' if env['threads'] else 'no (the command has no --threads yet)'}",
             f"- {env['nqueries']} queries ({env['per_class']} per class), {env['reps']} repetitions, "
             f"corpus scale {min(results)}×"]
    if "lucene" in peers:
        n, secs = env["lucene_warmup"]
        p = env.get("lucene_warmup_passes") or [0]
        lines.append(f"- Lucene's JVM runs the query set untimed before each timed pass (JIT warm-up: at least {n} "
                     f"passes and {secs} s; here {min(p)}–{max(p)} passes, median {statistics.median(p):g}); "
                     "its index is read through mmap from the page cache like the others")
    lines += ["", "## Build and size", ""] + build_table(one, raw) + ["", "## Agreement", ""]
    lines += agreement_lines(one, nq_checked)
    for count in COUNTS:
        lines += ["", f"## Query latency, count {count}", ""] + latency_table(one["timing"], count, peers)
    if "warm" in one:
        lines += ["", "## newsdex in a fresh process and warm", "",
                  "The tables above time each newsdex pass in a fresh process (`search --batch`), with the page "
                  "cache warm; here the same process then runs the query set a second time."]
        for count in COUNTS:
            lines += [""] + warm_table(one, count)
    if len(results) > 1:
        lines += ["", "## Growth", ""] + growth_table(results)
    lines += ["", "## Ranking quality (Cranfield)", "",
              f"Each query as an OR of its distinct words, top {quality.DEPTH}; graded judgments "
              "(bench/quality.py, docs/benchmarks.md).", ""] + quality.table(ranking)
    lines += ["", "![latency per class](latency.png)", ""]
    with open(os.path.join(outdir, "RESULTS.md"), "w") as f:
        f.write("\n".join(lines))


COLOURS = {"newsdex": ("#1b6ca8", "#8fb8de"), "fts5": ("#d1495b", "#eaa4ad"), "xapian": ("#66a182", "#b3d9c1"),
           "lucene": ("#e09f3e", "#f2d3a2")}


def plot(outdir, one, workdir):
    if not shutil.which("gnuplot"):
        print("gnuplot is missing: no latency.png", file=sys.stderr)
        return
    engines = ["newsdex"] + peers_in(one)
    dat = os.path.join(workdir, "latency.dat")
    with open(dat, "w") as f:
        f.write("# class " + " ".join(engines) + " " + " ".join(e + "_lb" for e in engines) + "\n")
        for c in CLASSES:
            if c in one["timing"]["exact"]["newsdex"]:
                vals = [one["timing"][k][e][c]["p50"] for k in COUNTS for e in engines]
                f.write(c + " " + " ".join(f"{v:.6f}" for v in vals) + "\n")
    series = []
    for j, (k, light) in enumerate(((COUNTS[0], 0), (COUNTS[1], 1))):
        for i, e in enumerate(engines):
            col = 2 + j * len(engines) + i
            using = f'"{dat}" using {col}:xtic(1)' if col == 2 else f'"" using {col}'
            title = LABEL[e] + (", lower-bound" if light else "")
            series.append(f'{using} title "{title}" lc rgb "{COLOURS[e][light]}"')
    script = f"""
set terminal pngcairo size 1200,560 font ",10" noenhanced
set output "{os.path.join(outdir, 'latency.png')}"
set title "Median query latency per class, top {LIMIT} (log scale; solid: exact count, light: lower-bound count)"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set logscale y
set ylabel "milliseconds (p50)"
set grid ytics
set key outside right top
plot """ + ", \\\n     ".join(series) + "\n"
    r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
    if r.returncode:
        print("gnuplot failed: " + r.stderr, file=sys.stderr)


# ---- main -----------------------------------------------------------------

def agree_only(args):
    """The CI-cheap check: build on one file, check AND and phrase totals."""
    tools = Tools(args.build)
    work = tempfile.mkdtemp(prefix="nd-bench-agree-")
    try:
        docs, df = gen_queries.load([args.agree_only])
        qs = [(c, q) for c, q in gen_queries.generate(docs, df, args.per_class, args.seed) if c in CHECKED]
        qfile = os.path.join(work, "q.txt")
        with open(qfile, "w") as f:
            f.write("".join(q + "\n" for _, q in qs))
        dbs = {e: os.path.join(work, e) for e in tools.engines}
        for e in tools.engines:
            tools.build(e, dbs[e], [args.agree_only])
        totals, _, _ = check_agreement(tools, dbs, qfile, [q for _, q in qs], [c for c, _ in qs])
        passed = failed = 0
        for i, (c, q) in enumerate(qs):
            t = [totals[e][i] for e in tools.engines]
            good = None not in t and all(agree(t[0], x) for x in t[1:]) and t[0] > 0
            passed, failed = passed + good, failed + (not good)
            print(f"{'ok  ' if good else 'FAIL'} {c} {q}: " + ", ".join(f"{e} {x}" for e, x in zip(tools.engines, t)))
        for e, why in tools.skipped.items():
            print(f"SKIP {e}: {why}")
        print(f"{passed} passed, {failed} failed")
        return 0 if failed == 0 else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "news"))
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--per-class", type=int, default=50)
    ap.add_argument("--seed", type=int, default=20040101)
    ap.add_argument("--scales", default=os.environ.get("BENCH_SCALES") or "1")
    ap.add_argument("--work", help="scratch directory (default BUILD/bench/work)")
    ap.add_argument("--out", default=os.path.join(HERE, "results"))
    ap.add_argument("--agree-only", metavar="FILE")
    ap.add_argument("--warm-only", action="store_true",
                    help="add newsdex's fresh-process and warm figures to the run in --out (its archives kept in "
                         "the work folder) and write its RESULTS.md again")
    ap.add_argument("--lucene-warmup", type=int, default=2, metavar="N",
                    help="at least N untimed passes over the query set before Lucene's timed pass (JIT warm-up)")
    ap.add_argument("--lucene-warmup-seconds", type=int, default=10, metavar="S",
                    help="and at least S seconds of them")
    args = ap.parse_args()
    if args.agree_only:
        return agree_only(args)
    tools = Tools(args.build, (args.lucene_warmup, args.lucene_warmup_seconds))
    scales = sorted({int(s) for s in args.scales.split()})
    if args.warm_only:
        return warm_only(tools, args, scales)
    if not scales or scales[0] < 1:
        sys.exit(f"bad scales {args.scales!r}: give whole numbers from 1")
    files = sorted(os.path.join(args.data, f) for f in os.listdir(args.data) if f.endswith(".jsonl.zst"))
    if not files:
        sys.exit(f"no .jsonl.zst files in {args.data}")
    work = args.work or os.path.join(args.build, "bench", "work")
    os.makedirs(work, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    load = os.getloadavg()
    print("drawing the queries ...", file=sys.stderr)
    qprefix = os.path.join(work, "queries")
    # In a child process: the runner stays small, and a child's peak RSS
    # (which starts from the parent's size at fork) measures the child.
    subprocess.run([sys.executable, os.path.join(HERE, "gen_queries.py"), "--per-class", str(args.per_class),
                    "--seed", str(args.seed), qprefix] + files, check=True)
    qfile = qprefix + ".txt"
    queries = open(qfile).read().splitlines()
    classes = open(qprefix + ".classes").read().splitlines()
    raw = raw_bytes(files)
    results = {}
    for s in scales:
        t0 = time.monotonic()
        fs = files if s == 1 else scaled_corpus(files, s, os.path.join(work, "corpus"))
        results[s] = measure_scale(tools, fs, work, qfile, queries, classes, args.reps, s)
        results[s]["seconds"] = time.monotonic() - t0
        print(f"scale {s}: {results[s]['seconds']:.0f} s in all", file=sys.stderr)
    env = {"cpus": os.cpu_count(), "load_before": " ".join(f"{x:.2f}" for x in load),
           "busy": load[0] > 0.5, "date": time.strftime("%Y-%m-%d"), "versions": versions(tools),
           "threads": tools.threads, "skipped": tools.skipped, "nqueries": len(queries), "per_class": args.per_class,
           "reps": args.reps, "lucene_warmup": [args.lucene_warmup, args.lucene_warmup_seconds],
           "lucene_warmup_passes": tools.warmups, "machine": platform.machine()}
    print("ranking quality on Cranfield ...", file=sys.stderr)
    ranking = quality.evaluate(tools.nd, {LABEL[p]: tools.peer[p] for p in tools.peers})
    nq_checked = sum(1 for c in classes if c in CHECKED)
    write_report(args.out, env, results, raw * min(results), nq_checked, ranking)
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"env": env, "raw_bytes": raw, "results": results, "ranking": dict(ranking)}, f, indent=1)
    plot(args.out, results[min(results)], work)
    print(f"wrote {os.path.join(args.out, 'RESULTS.md')}", file=sys.stderr)
    return 0


def warm_only(tools, args, scales):
    """--warm-only: add newsdex's fresh-and-warm figures to an earlier run
    (its results.json in --out, its archives and queries in the work
    folder) and write its RESULTS.md again."""
    path = os.path.join(args.out, "results.json")
    saved = json.load(open(path))
    results = {int(k): v for k, v in saved["results"].items()}
    work = args.work or os.path.join(args.build, "bench", "work")
    qprefix = os.path.join(work, "queries")
    qfile = qprefix + ".txt"
    classes = open(qprefix + ".classes").read().splitlines()
    for s in scales:
        if s not in results:
            sys.exit(f"scale {s} is not in {path}")
        print(f"scale {s}: newsdex fresh and warm ...", file=sys.stderr)
        results[s]["warm"] = warm_timing(tools, os.path.join(work, f"x{s}", "newsdex"), qfile, len(classes), classes,
                                         saved["env"]["reps"])
    nq_checked = sum(1 for c in classes if c in CHECKED)
    ranking = list(saved["ranking"].items())
    write_report(args.out, saved["env"], results, saved["raw_bytes"] * min(results), nq_checked, ranking)
    with open(path, "w") as f:
        json.dump({**saved, "results": results}, f, indent=1)
    print(f"wrote {os.path.join(args.out, 'RESULTS.md')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
