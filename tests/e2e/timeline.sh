#!/bin/sh
# End-to-end tests of `newsdex timeline`: every period's count of --csv
# against a brute force (the query's hits from `search --json`, bucketed
# here by their dates), for several queries, each --by unit, --from/--to
# and the default unit; stories never outnumber articles; the rows and
# bars of the text output; the SVG chart (well-formed, legend, axes,
# escaped text, its values those of --csv); bad input.  On the invented
# fixture corpus, and on $NEWSDEX_TEST_DATA/news/sample-1000.jsonl when it
# is there (tests/lib.sh: skipped, with the reason, when it is not).
# Ends with "N passed, N failed[, N skipped]".
BUILD=${BUILD:-build}
ND="$PWD/$BUILD/newsdex"
T=$(mktemp -d /tmp/nd-timeline-XXXXXX)
trap 'rm -rf "$T"' EXIT
. tests/lib.sh

# --- the brute force
cat > "$T/oracle.py" <<'PY'
"""Checks `newsdex timeline` against `newsdex search`.

oracle.py agree ND DB UNIT FROM TO QUERY...
    UNIT day|week|month|year, or auto:UNIT (no --by; UNIT expected);
    FROM/TO a date or "-".  Runs timeline --csv --versions all, then:
    - the periods run without a gap from FROM's (else the first with a
      count) to TO's (else the last with a count);
    - each count is the total of search for "(QUERY) date:FIRST..LAST"
      (the period's days within FROM..TO), and the counts add up to the
      query's dated articles within FROM..TO: none is left out;
    - with BUCKET=1 in the environment (search takes --versions all): the
      query's hits (every version), bucketed here by their dates (UTC),
      give the same counts; and grouped by story, each story in the period
      of its earliest dated version, the counts of timeline without
      --versions (stories).
oracle.py stories ND DB QUERY...
    Stories (the default) never outnumber articles in a period.
"""
import csv, datetime, io, json, os, subprocess, sys

DAY = datetime.timedelta(days=1)

def run(*args, stdin=None):
    p = subprocess.run(list(args), input=stdin, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("exit %d: %s\n%s" % (p.returncode, " ".join(args), p.stderr))
    return p.stdout

def timeline(nd, db, *args):
    rows = list(csv.reader(io.StringIO(run(nd, "timeline", "--db", db, "--csv", *args), newline="")))
    return rows[0], rows[1:]

def totals(nd, db, queries):
    """Exact totals of many queries, in one `search --batch`."""
    out = run(nd, "search", "--db", db, "--batch", "--limit", "0", stdin="".join(q + "\n" for q in queries))
    return [int(l.split("\t")[0]) for l in out.splitlines()]

def instant(s):
    """A date or date-time as a UTC datetime (a date: its midnight)."""
    t = datetime.datetime.fromisoformat(s.replace("Z", "+00:00").replace(" ", "T"))
    if t.tzinfo:
        t = t.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return t

def key(d, unit):
    if unit == "year": return "%04d" % d.year
    if unit == "month": return "%04d-%02d" % (d.year, d.month)
    if unit == "day": return d.isoformat()
    y, w, _ = d.isocalendar()
    return "%04d-W%02d" % (y, w)

def unit_of(k):
    return {4: "year", 7: "month", 8: "week", 10: "day"}[len(k)]

def first_day(k):
    u = unit_of(k)
    if u == "year": return datetime.date(int(k), 1, 1)
    if u == "month": return datetime.date(int(k[:4]), int(k[5:]), 1)
    if u == "day": return datetime.date.fromisoformat(k)
    return datetime.date.fromisocalendar(int(k[:4]), int(k[6:]), 1)

def last_day(k):
    u = unit_of(k)
    if u == "year": return datetime.date(int(k), 12, 31)
    if u == "month": return (first_day(k) + 32 * DAY).replace(day=1) - DAY
    if u == "day": return first_day(k)
    return first_day(k) + 6 * DAY

def periods(first, last, unit):
    """Every period key from the one of day `first` to the one of `last`."""
    out, d = [], first
    while d <= last:
        k = key(d, unit)
        if not out or out[-1] != k: out.append(k)
        d += DAY
    return out

def bound(s, last):
    if s == "-": return None
    k = s if len(s) in (4, 7) else s
    return last_day(k) if last else first_day(k)

def agree(nd, db, unit, frm, to, queries):
    args = []
    want_unit = unit[5:] if unit.startswith("auto:") else unit
    if not unit.startswith("auto:"): args += ["--by", unit]
    if frm != "-": args += ["--from", frm]
    if to != "-": args += ["--to", to]
    lo, hi = bound(frm, False), bound(to, True)
    head, rows = timeline(nd, db, "--versions", "all", *args, *queries)
    assert head == ["period"] + queries, head
    got = {r[0]: [int(x) for x in r[1:]] for r in rows}
    keys = [r[0] for r in rows]
    assert all(unit_of(k) == want_unit for k in keys), keys[:3]
    # no gap, the right ends
    if rows or lo:
        assert rows, "no rows"
        want_keys = periods(lo or first_day(keys[0]), hi or last_day(keys[-1]), want_unit)
        assert keys == want_keys, ("periods", keys[:3], keys[-3:], want_keys[:3], want_keys[-3:], len(keys), len(want_keys))
        if not lo: assert any(got[keys[0]]), ("first period empty", rows[0])
        if not hi: assert any(got[keys[-1]]), ("last period empty", rows[-1])
    # each period's count: the search total of its days; and all dated ones
    rng = lambda a, b: "date:%s..%s" % (a.isoformat(), b.isoformat())
    lines = []
    for q in queries:
        for k in keys:
            lines.append("(%s) %s" % (q, rng(max(first_day(k), lo or first_day(k)), min(last_day(k), hi or last_day(k)))))
        lines.append("(%s) %s" % (q, rng(lo or datetime.date(1, 1, 1), hi or datetime.date(9999, 12, 31))))
    t = totals(nd, db, lines)
    bad = []
    for i, q in enumerate(queries):
        per = t[i * (len(keys) + 1):(i + 1) * (len(keys) + 1)]
        for j, k in enumerate(keys):
            if got[k][i] != per[j]: bad.append((q, k, got[k][i], per[j]))
        assert sum(got[k][i] for k in keys) == per[-1], (q, "sum", sum(got[k][i] for k in keys), per[-1])
    assert not bad, ("counts differ from search's totals (query, period, timeline, search)", bad[:10], len(bad))
    # the hits themselves, every version, bucketed by date
    if os.environ.get("BUCKET") != "1":
        return
    _, srows = timeline(nd, db, *args, *queries)  # stories
    got_s = {r[0]: [int(x) for x in r[1:]] for r in srows}
    for i, q in enumerate(queries):
        sq = q if not (lo or hi) else "(%s) %s" % (q, rng(lo or datetime.date(1, 1, 1), hi or datetime.date(9999, 12, 31)))
        hits = json.loads(run(nd, "search", "--db", db, "--json", "--versions", "all", "--limit", "100000", "--", sq))["hits"]
        first = {}  # story: its earliest dated version
        dated = [(h["story"], instant(h["date"])) for h in hits if h["date"]]
        for story, t in dated:
            first[story] = min(first.get(story, t), t)
        for what, times, counts in (("articles", [t for _, t in dated], got), ("stories", first.values(), got_s)):
            want = {}
            for t in times:
                if (lo and t.date() < lo) or (hi and t.date() > hi): continue
                want[key(t.date(), want_unit)] = want.get(key(t.date(), want_unit), 0) + 1
            shown = {k: c[i] for k, c in counts.items() if c[i]}
            assert shown == want, ("counts differ from the bucketed hits (period, timeline, hits)", what, q,
                                   sorted((k, shown.get(k, 0), want.get(k, 0)) for k in set(shown) | set(want) if shown.get(k) != want.get(k))[:10])
    print("%d periods agree" % len(rows))

def stories(nd, db, queries):
    for unit in ("year", "month"):
        _, s = timeline(nd, db, "--by", unit, *queries)
        _, a = timeline(nd, db, "--by", unit, "--versions", "all", *queries)
        sa = {r[0]: r[1:] for r in a}
        for r in s:
            for i in range(len(queries)):
                assert int(r[1 + i]) <= int(sa.get(r[0], ["0"] * len(queries))[i]), (unit, r, sa.get(r[0]))

if sys.argv[1] == "agree":
    agree(*sys.argv[2:7], sys.argv[7:])
else:
    stories(sys.argv[2], sys.argv[3], sys.argv[4:])
PY

# agree NAME DB UNIT FROM TO QUERY...
agree() { name=$1; shift
  if BUCKET=$BUCKET python3 "$T/oracle.py" agree "$ND" "$@" >"$T/out" 2>&1; then ok "$name"; else bad "$name"; fi; }

DB="$T/db"
check "add the fixture corpus" 0 "$ND" add --db "$DB" --quiet "$FIXTURES/news.jsonl"
# Bucketing search's hits needs every version of a story listed.
if "$ND" search --db "$DB" --versions all --limit 0 x >/dev/null 2>&1; then BUCKET=1; else BUCKET=0
  skipped "bucketing the hits of search by date" "search has no --versions all (it lists one hit per story); the counts are checked against its totals per period, and test_timeline buckets the library's hits"
fi
Q1=president; Q2='"prime minister"'; Q3='council OR harbour'; Q4='title:minister date:1995..2012'
for unit in year month week day; do
  agree "brute force by $unit" "$DB" $unit - - "$Q1" "$Q2" "$Q3" "$Q4"
done
agree "brute force, from and to (months)" "$DB" month 2001-03 2004-08-15 "$Q1" "$Q3"
agree "brute force, from and to inside weeks" "$DB" week 2003-12-30 2005-01-04 "$Q1" "$Q3"
agree "brute force, from alone (days)" "$DB" day 2019-06 - "$Q1" "$Q2"
agree "brute force, to alone (years)" "$DB" year - 1999 "$Q3"
agree "default unit over 34 years: year" "$DB" auto:year - - "$Q1" "$Q3"
agree "default unit over 6 months: month" "$DB" auto:month 2004-01 2004-06 "$Q3"
agree "default unit over 2 months: day" "$DB" auto:day 2004-01 2004-02 "$Q3"
agree "leading and trailing empty periods" "$DB" month 1986-11 1987-03 "$Q1"
agree "no match" "$DB" year - - zzzqqqzzz
agree "no match, --to alone" "$DB" year - 1999 zzzqqqzzz
agree "no match, --from and --to: the empty periods" "$DB" month 2004-11 2005-02 zzzqqqzzz
agree "an exclusion with a date range" "$DB" year 2010 2012 "-president"
if python3 "$T/oracle.py" stories "$ND" "$DB" "$Q1" "$Q3" >"$T/out" 2>&1; then ok "stories never outnumber articles"; else bad "stories never outnumber articles"; fi

# --- stories: wire copies run on several days count once, on the first
BODY="The Quellmoor ferry ran aground on a sandbank off Tarrow Point early on Monday with ninety passengers aboard. Coastguard crews from Tarrow and Lindhaven took everyone off in lifeboats within three hours, and no one was hurt. The operator, Quellmoor Sound Lines, said the ferry had lost steering in strong currents and would be towed to Lindhaven for inspection once the tide turned. Services between the islands are suspended until Thursday."
for c in "w1 2030-01-05 Tarrow Gazette" "w2 2030-01-07 Island Wire" "w3 2030-02-02 Lindhaven Post"; do
  set -- $c
  printf '{"id": "%s", "title": "Quellmoor ferry runs aground", "date": "%s", "source": "%s %s", "body": "%s"}\n' "$1" "$2" "$3" "$4" "$BODY"
done > "$T/wire.jsonl"
printf '{"id": "w4", "title": "Quellmoor ferry back in service", "date": "2030-02-20", "source": "Island Wire", "body": "The Quellmoor ferry returned to service on Tuesday after repairs to its steering gear at Lindhaven."}\n' >> "$T/wire.jsonl"
check "add wire copies" 0 "$ND" add --db "$T/wire" --quiet "$T/wire.jsonl"
check "stories by month" 0 "$ND" timeline --db "$T/wire" --csv --by month quellmoor
if [ "$(tr -d '\r' < "$T/out" | paste -sd' ')" = "period,quellmoor 2030-01,1 2030-02,1" ]; then ok "a story counts once, in its first version's month"; else bad "a story counts once, in its first version's month"; fi
check "articles by month" 0 "$ND" timeline --db "$T/wire" --csv --by month --versions all quellmoor
if [ "$(tr -d '\r' < "$T/out" | paste -sd' ')" = "period,quellmoor 2030-01,2 2030-02,2" ]; then ok "every version counts with --versions all"; else bad "every version counts with --versions all"; fi
check "stories from a later day" 0 "$ND" timeline --db "$T/wire" --csv --by month --from 2030-01-20 quellmoor
if [ "$(tr -d '\r' < "$T/out" | paste -sd' ')" = "period,quellmoor 2030-01,0 2030-02,2" ]; then ok "with --from, the first version on or after it"; else bad "with --from, the first version on or after it"; fi
for unit in day week; do
  agree "wire copies: brute force by $unit" "$T/wire" $unit - - quellmoor 'ferry -service'
done
agree "wire copies: from a later day" "$T/wire" day 2030-01-06 - quellmoor

# --- CSV: quoting, line ends
check "csv with a comma and quotes in a query" 0 "$ND" timeline --db "$DB" --csv --by year 'president, minister' "$Q2"
if python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0] == ["period", "president, minister", "\"prime minister\""], rows[0]
assert all(len(r) == 3 for r in rows), rows
assert open(sys.argv[1], "rb").read().count(b"\r\n") == len(rows)
' "$T/out"; then ok "csv fields quoted (RFC 4180)"; else bad "csv fields quoted (RFC 4180)"; fi

# --- text: what is counted, aligned rows, bars
check "text, articles" 0 env LC_ALL=C "$ND" timeline --db "$DB" --versions all --by year "$Q1" "$Q3"
has "says it counts articles" "^articles per year, 1987 to 2020$" out
has "heading" "^year  *president  council OR harbour" out
if python3 -c '
import sys
lines = open(sys.argv[1]).read().splitlines()
head = lines[1]
ends = [head.index("president") + len("president"), head.index("council OR harbour") + len("council OR harbour")]
rows = [l for l in lines[2:] if l[:4].isdigit()]
assert len(rows) == 34, len(rows)
for l in rows:
    for e in ends:
        assert l[e - 1].isdigit() and (len(l) == e or l[e] == " "), (l, e)
# bars: "#" for the first query, "=" for the second, longest for the largest count
counts = [[int(x) for x in l.split()[1:3]] for l in rows]
top = max(max(c) for c in counts)
for l, c in zip(rows, counts):
    assert l.count("#") > 0 if c[0] else l.count("#") == 0, l
    assert l.count("=") > 0 if c[1] else l.count("=") == 0, l
    if c[1] == top: assert l.count("=") == max(r.count("=") for r in rows), l
' "$T/out"; then ok "rows aligned under the headings, ASCII bars scaled"; else bad "rows aligned under the headings, ASCII bars scaled"; fi
check "text, stories, UTF-8" 0 env LC_ALL=C.UTF-8 "$ND" timeline --db "$DB" --by month --from 2004 --to 2004 "$Q1"
has "says it counts stories" "^stories per month, 2004-01 to 2004-12$" out
has "block bars on a UTF-8 terminal" "█" out
if [ "$(grep -c '^2004-' "$T/out")" -eq 12 ]; then ok "twelve months, empty ones too"; else bad "twelve months, empty ones too"; fi
check "undated articles counted apart" 0 "$ND" timeline --db "$DB" --versions all --by year "$Q1"
set -- $(printf 'president\n(president) date:..9999\n' | "$ND" search --db "$DB" --batch --limit 0 | cut -f1)
n_undated=$(($1 - $2))
has "undated row" "^undated  *$n_undated  (not shown above)$" out

# --- the chart
cat > "$T/svg.py" <<'PY'
"""svg.py SVG CSV YLABEL XLABEL QUERY...: the chart is well-formed XML with
a title, the axis labels, a legend naming each query, period labels that
do not overlap, and each bar's or dot's value that of the CSV."""
import csv, re, sys
import xml.etree.ElementTree as ET
svg, csvf, ylabel, xlabel, queries = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
NS = "{http://www.w3.org/2000/svg}"
root = ET.parse(svg).getroot()
assert root.tag == NS + "svg", root.tag
assert not [e for e in root.iter() if e.tag in (NS + "script", NS + "foreignObject", "script")], "script element"
raw = open(svg, encoding="utf-8").read()
assert "<script" not in raw.lower(), "unescaped <script"
texts = {e.get("class"): "".join(e.itertext()) for e in root.iter(NS + "text") if e.get("class")}
assert texts.get("y-label") == ylabel, texts
assert texts.get("x-label") == xlabel, texts
assert texts.get("title"), texts
legend = ["".join(t.itertext()) for g in root.iter(NS + "g") if g.get("class") == "legend" for t in g.iter(NS + "text")]
assert legend == queries, (legend, queries)
rows = list(csv.reader(open(csvf, newline="")))
assert rows[0][1:] == queries
periods = [r[0] for r in rows[1:]]
# period labels on the x axis: in order, a subset of the periods, apart
axes = [g for g in root.iter(NS + "g") if g.get("class") == "axes"][0]
labels = [(float(t.get("x")), "".join(t.itertext())) for t in axes.iter(NS + "text")
          if t.get("class") is None and t.get("text-anchor") == "middle"]
assert labels and all(l in periods for _, l in labels), labels[:5]
for (x0, a), (x1, b) in zip(labels, labels[1:]):
    assert periods.index(a) < periods.index(b), (a, b)
    assert x1 - x0 >= 0.6 * 12 * (len(a) + len(b)) / 2, ("labels overlap", a, b, x0, x1)
# every value drawn: the tooltips "QUERY, PERIOD: N" of each series
series = [g for g in root.iter(NS + "g") if g.get("class") == "series"]
assert len(series) == len(queries), len(series)
for i, g in enumerate(series):
    drawn = {}
    for t in g.iter(NS + "title"):
        name_period, n = t.text.rsplit(": ", 1)
        name, period = name_period.rsplit(", ", 1)
        assert name == queries[i], (name, queries[i])
        drawn[period] = int(n.replace(",", ""))
    want = {r[0]: int(r[1 + i]) for r in rows[1:]}
    line = g.find(NS + "polyline")
    if line is not None:  # a line: a point per period, higher for more
        ys = [float(p.split(",")[1]) for p in line.get("points").split()]
        assert len(ys) == len(periods), (len(ys), len(periods))
        by = sorted(zip([want[p] for p in periods], ys))
        for (a, ya), (b, yb) in zip(by, by[1:]):
            assert (ya == yb) if a == b else (ya > yb), ("not in the order of the counts", a, ya, b, yb)
    for p, n in drawn.items(): assert want[p] == n, (queries[i], p, n, want[p])
    if drawn or line is None:
        assert all(p in drawn for p, n in want.items() if n), (queries[i], "a count not drawn")
print("%d periods, %d labels, %d series" % (len(periods), len(labels), len(series)))
PY
# svgcheck NAME YLABEL XLABEL TIMELINE-ARGS... -- QUERY...
svgcheck() { name=$1; yl=$2; xl=$3; shift 3
  args=""; while [ "$1" != "--" ]; do args="$args $1"; shift; done; shift
  if "$ND" timeline --db "$DB" $args --svg "$T/chart.svg" "$@" 2>"$T/err" && \
     "$ND" timeline --db "$DB" $args --csv "$@" >"$T/chart.csv" && \
     python3 "$T/svg.py" "$T/chart.svg" "$T/chart.csv" "$yl" "$xl" "$@" >"$T/out" 2>&1; then ok "$name"; else bad "$name"; fi; }
svgcheck "svg: bars by year, three queries" "stories per year" year --by year -- "$Q1" "$Q2" "$Q3"
svgcheck "svg: lines by month" "articles per month" month --by month --versions all -- "$Q1" "$Q3"
svgcheck "svg: ISO weeks of a year" "stories per week" "ISO week" --by week --from 2004 --to 2004 -- "$Q3"
svgcheck "svg: days" "stories per day" day --by day --from 2004-01 --to 2004-03 -- "$Q3"
svgcheck "svg: one period" "stories per year" year --by year --from 2004 --to 2004 -- "$Q1"
svgcheck "svg: markup in a query is text" "stories per year" year --by year -- "$Q1" '"<script>alert(1)</script>" OR president & <b>'
check "svg: the file is reported" 0 "$ND" timeline --db "$DB" --svg "$T/c2.svg" "$Q1"
has "svg: wrote message" "^wrote .*c2.svg: 34 years, 1 query$" err
if [ ! -s "$T/out" ]; then ok "svg: nothing on stdout"; else bad "svg: nothing on stdout"; fi
check "svg to stdout" 0 "$ND" timeline --db "$DB" --svg - "$Q1"
if python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$T/out"; then ok "svg to stdout is the chart"; else bad "svg to stdout is the chart"; fi
check "svg: own title" 0 "$ND" timeline --db "$DB" --svg - --title 'Cabinet & council <2004>' "$Q1"
has "svg: own title escaped" "Cabinet &amp; council &lt;2004&gt;" out
check "svg: no dated match" 0 "$ND" timeline --db "$DB" --svg - zzzqqqzzz
has "svg: says none" "no dated matches" out

# --- bad input: a message naming what and where, status 2 (5: no archive)
check "unknown --by" 2 "$ND" timeline --db "$DB" --by fortnight "$Q1"
has "unknown --by named" "--by is day, week, month or year, not 'fortnight'" err
check "bad --from date" 2 "$ND" timeline --db "$DB" --from 2004-13 "$Q1"
has "bad --from named" "--from: bad date '2004-13': month 13 out of range" err
check "impossible --to date" 2 "$ND" timeline --db "$DB" --to 2004-02-30 "$Q1"
has "bad --to named" "--to: bad date '2004-02-30'" err
check "a time is not a bound" 2 "$ND" timeline --db "$DB" --from 2004-01-01T10:00 "$Q1"
has "time refused" "--from wants a day, month or year" err
check "--from after --to" 2 "$ND" timeline --db "$DB" --from 2005 --to 2004 "$Q1"
has "--from after --to said" "--from is after --to" err
check "no query" 2 "$ND" timeline --db "$DB" --by year
has "no query said" "no QUERY given" err
check "empty query" 2 "$ND" timeline --db "$DB" "$Q1" " "
has "empty query named" "QUERY 2 is empty" err
check "malformed query" 2 "$ND" timeline --db "$DB" "$Q1" '"Iraq war'
has "malformed query named" "^error: query 2: unbalanced '\"' at 0" err
has "caret under the place" "^  \^$" err
check "malformed query with --from" 2 "$ND" timeline --db "$DB" --from 2004 'nato (x OR'
has "offset in the query as given" "missing term after OR at 8" err
check "unknown option" 2 "$ND" timeline --db "$DB" --bars "$Q1"
has "unknown option named" "unknown option '--bars'" err
check "bad --versions" 2 "$ND" timeline --db "$DB" --versions some "$Q1"
has "bad --versions named" "--versions is 'collapse' or 'all', not 'some'" err
check "png refused" 2 "$ND" timeline --db "$DB" --svg "$T/x.png" "$Q1"
has "png said" "writes SVG, not PNG" err
check "unwritable svg" 1 "$ND" timeline --db "$DB" --svg "$T/no/such/dir/x.svg" "$Q1"
has "unwritable svg named" "cannot write .*x.svg" err
check "too many days" 2 "$ND" timeline --db "$DB" --by day --from 0001 --to 9999 "$Q1"
has "too many said" "periods by day are too many" err
check "no archive" 5 "$ND" timeline --db "$T/none" "$Q1"
check "help" 0 "$ND" timeline --help
has "help names --by" "--by UNIT" out
check "listed in the general help" 0 "$ND" --help
has "timeline listed" "^  timeline " out

# --- third-party articles
SAMPLE="$TEST_DATA/news/sample-1000.jsonl"
if have_data "timeline on the news sample" "$SAMPLE"; then
  check "add the news sample" 0 "$ND" add --db "$T/sample" --quiet "$SAMPLE"
  for unit in year month week day; do
    agree "news sample: brute force by $unit" "$T/sample" $unit - - police '"white house"' 'trump OR obama'
  done
  agree "news sample: from and to" "$T/sample" month 2016-02 2019-11-20 police 'trump OR obama'
fi
result
