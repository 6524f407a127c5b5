#!/usr/bin/env python3
"""Draw the benchmark's query set from the corpus, deterministically.

    python3 bench/gen_queries.py [--per-class N] [--seed S] OUT_PREFIX FILE...

reads the articles of FILE... (.jsonl or .jsonl.zst, through `zstd -dc`) and
writes OUT_PREFIX.txt (one query a line, in newsdex syntax, within the subset
of bench/bench.h) and OUT_PREFIX.classes (the class of each line).  The same
corpus, seed and count always give the same queries.

Classes (N queries each):
  term_high, term_mid, term_low   one word of high / middle / low document
                                  frequency
  and                             2-4 words of one article, all required
  or                              2-4 words of one article, ranked OR
  phrase                          2-3 consecutive words of an article
  prefix                          the first 4-6 letters of a word, then '*'
  date                            1-2 words of a dated article and a range
                                  of 7, 31 or 365 days around its date

A word is only ever a run of lowercase ASCII letters, 4 to 14 long, that is
written as such in the text (not part of a longer token with digits,
apostrophes, hyphens or accents) and is not an English stop word: the three
engines' tokenizers all see it as one plain word.
"""
import argparse
import datetime
import json
import random
import re
import subprocess
import sys

STOP = set("""
a about above after again against all also am an and any are aren't as at be because been before
being below between both but by can cannot could did do does doing down during each few for from
further had has have having he her here hers herself him himself his how i if in into is it its
itself just let me more most my myself no nor not now of off on once only or other ought our ours
ourselves out over own same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your yours yourself yourselves said says say also like one two
three would could many much even still back well year years new news time mr mrs ms
""".split())

# A token as the engines would split it roughly: letters, digits, marks,
# apostrophes and hyphens inside.  Only all-lowercase-ASCII tokens are used.
TOKEN = re.compile(r"[^\W_]+(?:['\u2019\-.][^\W_]+)*")
PLAIN = re.compile(r"[a-z]{4,14}\Z")


def read_articles(paths):
    """Yield the articles (dicts) of the given .jsonl / .jsonl.zst files."""
    for path in paths:
        if path.endswith(".zst"):
            with open(path, "rb") as raw:
                proc = subprocess.Popen(["zstd", "-dcq"], stdin=raw, stdout=subprocess.PIPE)
            stream = proc.stdout
        else:
            proc, stream = None, open(path, "rb")
        with stream:
            for n, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                try:
                    yield json.loads(line)
                except ValueError as e:
                    sys.exit(f"{path}:{n}: bad JSON: {e}")
        if proc and proc.wait() != 0:
            sys.exit(f"{path}: zstd failed with status {proc.returncode}")


def words_of(text):
    """The plain lowercase words of a text, in order (None for other tokens)."""
    out = []
    for m in TOKEN.finditer(text or ""):
        t = m.group(0)
        out.append(t if PLAIN.match(t) and t not in STOP else None)
    return out


def load(paths):
    """Articles with their (title + body) word lists, and document frequencies."""
    docs, df = [], {}
    for a in read_articles(paths):
        title, body = a.get("title") or "", a.get("body") or ""
        ws = words_of(title) + [None] + words_of(body)
        for w in set(ws):
            if w:
                df[w] = df.get(w, 0) + 1
        docs.append((a.get("date"), ws, body))
    return docs, df


def pick_terms(rng, df, ndocs, lo, hi, n):
    pool = sorted(w for w, c in df.items() if lo <= c / ndocs < hi) if hi > lo else []
    return rng.sample(pool, min(n, len(pool)))


def from_doc(rng, docs, df, ndocs, k, min_df=0.002, max_df=0.3):
    """k distinct words of one random article with a document frequency in range."""
    for _ in range(1000):
        _, ws, _ = docs[rng.randrange(len(docs))]
        cands = sorted({w for w in ws if w and min_df <= df[w] / ndocs <= max_df})
        if len(cands) >= k:
            return rng.sample(cands, k)
    raise SystemExit("the corpus is too small to draw queries from")


def phrase(rng, docs, df, ndocs):
    """2-3 words that follow each other in a body, separated by one space."""
    for _ in range(10000):
        _, _, body = docs[rng.randrange(len(docs))]
        k = rng.choice((2, 2, 3))
        toks = list(TOKEN.finditer(body))
        if len(toks) < k:
            continue
        i = rng.randrange(len(toks) - k + 1)
        run = toks[i:i + k]
        ws = [m.group(0) for m in run]
        if not all(PLAIN.match(w) and w not in STOP for w in ws):
            continue
        if any(body[a.end():b.start()] != " " for a, b in zip(run, run[1:])):
            continue
        if min(df.get(w, 0) for w in ws) / ndocs < 0.001:
            continue
        return '"' + " ".join(ws) + '"'
    raise SystemExit("no phrase found")


def date_query(rng, docs, df, ndocs):
    for _ in range(10000):
        date, ws, _ = docs[rng.randrange(len(docs))]
        if not date or len(date) < 10:
            continue
        try:
            day = datetime.date.fromisoformat(date[:10])
        except ValueError:
            continue
        cands = sorted({w for w in ws if w and 0.002 <= df[w] / ndocs <= 0.3})
        k = rng.choice((1, 2))
        if len(cands) < k:
            continue
        width = rng.choice((7, 31, 365))
        start = day - datetime.timedelta(days=rng.randrange(width))
        end = start + datetime.timedelta(days=width - 1)
        return " ".join(rng.sample(cands, k)) + f" date:{start.isoformat()}..{end.isoformat()}"
    raise SystemExit("no dated article found")


def generate(docs, df, per_class, seed):
    rng = random.Random(seed)
    n = len(docs)
    out = []
    # High: the most frequent non-stop words; middle and low by ranges of df.
    by_df = sorted(df, key=lambda w: (-df[w], w))
    for w in rng.sample(by_df[:4 * per_class], per_class):
        out.append(("term_high", w))
    for w in pick_terms(rng, df, n, 0.005, 0.02, per_class):
        out.append(("term_mid", w))
    low_lo, low_hi = max(5, n // 10000), max(20, n // 1000)
    pool = sorted(w for w, c in df.items() if low_lo <= c <= low_hi)
    for w in rng.sample(pool, min(per_class, len(pool))):
        out.append(("term_low", w))
    for _ in range(per_class):
        out.append(("and", " ".join(from_doc(rng, docs, df, n, rng.choice((2, 3, 4))))))
    for _ in range(per_class):
        out.append(("or", " OR ".join(from_doc(rng, docs, df, n, rng.choice((2, 3, 4))))))
    for _ in range(per_class):
        out.append(("phrase", phrase(rng, docs, df, n)))
    for _ in range(per_class):
        w = from_doc(rng, docs, df, n, 1, 0.005, 0.2)[0]
        out.append(("prefix", w[:rng.choice((4, 5, 6))] + "*"))
    for _ in range(per_class):
        out.append(("date", date_query(rng, docs, df, n)))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--per-class", type=int, default=50)
    ap.add_argument("--seed", type=int, default=20040101)
    ap.add_argument("out_prefix")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args(argv)
    docs, df = load(a.files)
    if not docs:
        sys.exit("no articles read")
    qs = generate(docs, df, a.per_class, a.seed)
    with open(a.out_prefix + ".txt", "w") as fq, open(a.out_prefix + ".classes", "w") as fc:
        for cls, q in qs:
            fq.write(q + "\n")
            fc.write(cls + "\n")
    print(f"{len(qs)} queries from {len(docs)} articles -> {a.out_prefix}.txt", file=sys.stderr)


if __name__ == "__main__":
    main()
