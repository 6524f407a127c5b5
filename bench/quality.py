"""Ranking quality on the Cranfield collection, for the benchmark report.

Each engine indexes the 1,400 Cranfield abstracts (title and body, as its
adapter indexes news) and runs each of the 225 queries as an OR of its
distinct words (lower-cased letters and digits), top DEPTH hits.  Scored
against the graded judgments with the usual definitions (as trec_eval's
ndcg_cut.10, map and P.10):

  nDCG@10  DCG = sum over ranks i <= 10 of gain / log2(i + 1), gain the
           judgment grade (0-4), divided by the DCG of the ideal order;
  AP       mean of the precision at each relevant hit (grade > 0), over the
           number of relevant documents; MAP is its mean over the queries;
  P@10     relevant hits among the first 10.

Queries without a relevant document are left out (none in this copy).  A
second newsdex archive indexes the bodies alone (no title field), to show
what the title weight does: Cranfield bodies begin with the title, so
there a title word counts in both fields.

    python3 bench/quality.py [--build DIR] [--data DIR]   (prints the table)
    python3 bench/quality.py --self-test                  (the measures on a worked example)
"""
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile

DEPTH = 100
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_DATA = os.path.join(ROOT, "..", "shared", "data", "relevance", "cranfield")


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_qrels(path):
    qrels = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 4:
                qrels.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    return qrels


def or_query(text):
    """The distinct words of a query, joined by OR (the benchmark subset)."""
    seen, words = set(), []
    for w in re.findall(r"[a-z0-9]+", text.lower()):
        if w not in seen:
            seen.add(w)
            words.append(w)
    return " OR ".join(words)


def ndcg10(ranked, judged):
    dcg = sum(judged.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(judged.values(), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def average_precision(ranked, judged):
    nrel = sum(1 for g in judged.values() if g > 0)
    hits, total = 0, 0.0
    for i, d in enumerate(ranked):
        if judged.get(d, 0) > 0:
            hits += 1
            total += hits / (i + 1)
    return total / nrel if nrel else 0.0


def precision10(ranked, judged):
    return sum(1 for d in ranked[:10] if judged.get(d, 0) > 0) / 10


def score(runs, qrels):
    """runs: qid -> ranked doc ids.  Returns the means and the query count."""
    qids = [q for q in runs if any(g > 0 for g in qrels.get(q, {}).values())]
    if not qids:
        return {"ndcg10": 0.0, "map": 0.0, "p10": 0.0, "queries": 0}
    return {"ndcg10": statistics.fmean(ndcg10(runs[q], qrels[q]) for q in qids),
            "map": statistics.fmean(average_precision(runs[q], qrels[q]) for q in qids),
            "p10": statistics.fmean(precision10(runs[q], qrels[q]) for q in qids),
            "queries": len(qids)}


def build(argv):
    """Run a build; exit 3 means some articles were refused (Cranfield has
    two with an empty body), which every engine does alike."""
    r = subprocess.run(argv, capture_output=True)
    if r.returncode not in (0, 3):
        sys.exit(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.decode(errors='replace')[-400:]}")


def run_engine(argv, qfile):
    with open(qfile, "rb") as fin:
        r = subprocess.run(argv, stdin=fin, capture_output=True)
    if r.returncode not in (0, 2):
        sys.exit(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.decode(errors='replace')[-400:]}")
    out = []
    for line in r.stdout.decode().splitlines():
        head, _, tail = line.partition("\t")
        if head == "error":
            sys.exit(f"{argv[0]}: a Cranfield query failed: {tail}")
        out.append(tail.split(",") if tail else [])
    return out


def evaluate(nd, peers, data=DEFAULT_DATA):
    """nd: the newsdex binary; peers: engine name -> adapter binary.
    Returns [(label, scores)] in report order."""
    docs = os.path.join(data, "docs.jsonl")
    queries = read_jsonl(os.path.join(data, "queries.jsonl"))
    qrels = read_qrels(os.path.join(data, "qrels.tsv"))
    work = tempfile.mkdtemp(prefix="nd-quality-")
    try:
        qfile = os.path.join(work, "q.txt")
        with open(qfile, "w") as f:
            f.write("".join(or_query(q["text"]) + "\n" for q in queries))
        bodies = os.path.join(work, "bodies.jsonl")
        with open(bodies, "w") as f:
            for d in read_jsonl(docs):
                f.write(json.dumps({"id": d["id"], "body": d["body"]}) + "\n")
        rows = []

        def newsdex(label, src):
            db = os.path.join(work, label.replace(" ", "_"))
            build([nd, "add", "--db", db, src])
            res = run_engine([nd, "search", "--db", db, "--batch", "--versions", "all", "--limit", str(DEPTH)], qfile)
            rows.append((label, score({q["id"]: r for q, r in zip(queries, res)}, qrels)))

        newsdex("newsdex", docs)
        newsdex("newsdex, bodies only", bodies)
        for name, exe in peers.items():
            db = os.path.join(work, name)
            build([exe, "build", db, docs])
            res = run_engine([exe, "search", db, "--limit", str(DEPTH), "--count", "lower-bound"], qfile)
            rows.append((name, score({q["id"]: r for q, r in zip(queries, res)}, qrels)))
        return rows
    finally:
        shutil.rmtree(work, ignore_errors=True)


def table(rows):
    lines = ["| engine | nDCG@10 | MAP | P@10 | queries |", "|---|---|---|---|---|"]
    for label, s in rows:
        lines.append(f"| {label} | {s['ndcg10']:.4f} | {s['map']:.4f} | {s['p10']:.4f} | {s['queries']} |")
    return lines


def self_test():
    """Ranked a, b, c against a:3, c:1, d:2.  DCG = 3/1 + 1/2 = 3.5; ideal
    3/1 + 2/log2(3) + 1/2; AP = (1/1 + 2/3) / 3; P@10 = 2/10."""
    ranked, judged = ["a", "b", "c"], {"a": 3, "c": 1, "d": 2, "e": 0}
    want = {"ndcg10": 3.5 / (3 + 2 / math.log2(3) + 0.5), "map": (1 + 2 / 3) / 3, "p10": 0.2}
    got = score({"1": ranked, "2": ["x"]}, {"1": judged, "2": {"y": 0}})
    bad = [k for k in want if abs(got[k] - want[k]) > 1e-12] + (["queries"] if got["queries"] != 1 else [])
    print("ok" if not bad else f"FAIL {bad}: {got}")
    return 1 if bad else 0


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("--self-test", action="store_true")
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    peers = {"FTS5": os.path.join(args.build, "bench", "fts5"), "Xapian": os.path.join(args.build, "bench", "xapian")}
    print("\n".join(table(evaluate(os.path.join(args.build, "newsdex"), peers, args.data))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
