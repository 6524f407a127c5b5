#!/usr/bin/env python3
"""API tests of `newsdex serve`: every endpoint, every error status, the
write-token rule, concurrent readers during writes, refresh after another
process commits, clean stop.  Usage: test_api.py NEWSDEX FIXTURES_DIR (the
invented corpora of tests/fixtures/gen_news.py, built by `make tests`); the
archive also holds samples/ (with the seed-shaped article SEED) and xss.jsonl.
Ends with one line "N passed, N failed"."""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ND, FIXTURES = sys.argv[1], sys.argv[2]
HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, "..", "..", "samples", "txt", "001_anfa_patrol.txt")
SEED_ID = "001_anfa_patrol"
SEED_MARKED = ["ANFA", "Pieter van der Aa", "cod war"]
SAMPLE = os.path.join(FIXTURES, "news.jsonl")
TOKEN = "test-token-0123456789abcdef"

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name + (": " + str(detail)[:600] if detail != "" else ""))


class Server:
    def __init__(self, db, *args):
        self.log = tempfile.NamedTemporaryFile("w+", delete=False)
        self.p = subprocess.Popen([ND, "serve", "--db", db, "--port", "0", "--threads", "4", *args],
                                  stderr=self.log, stdout=subprocess.DEVNULL)
        self.port = None
        for _ in range(500):
            text = open(self.log.name).read()
            m = re.search(r"http://127\.0\.0\.1:(\d+)/", text)
            if m:
                self.port = int(m.group(1))
                break
            if self.p.poll() is not None:
                break
            time.sleep(0.01)
        if not self.port:
            raise SystemExit("server did not start: " + open(self.log.name).read())

    def req(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        ctype = r.getheader("Content-Type", "")
        doc = json.loads(data) if ctype.startswith("application/json") and data else None
        return r.status, doc, r, data

    def req_calm(self, method, path, body=None, headers=None):
        """req, asked again while the server answers 503 "overloaded": a
        server with a small --max-connections counts a connection the client
        closed until its own thread has seen the close."""
        for _ in range(100):
            r = self.req(method, path, body, headers)
            if r[0] != 503 or "overloaded" not in (r[1] or {}).get("error", ""):
                return r
            time.sleep(0.02)
        return r

    def get(self, path, **q):
        if q:
            path += "?" + urllib.parse.urlencode(q)
        return self.req("GET", path)

    def stop(self, sig=signal.SIGTERM):
        self.p.send_signal(sig)
        rc = self.p.wait(timeout=30)
        return rc, open(self.log.name).read()


def tokfile_gc(tmp):
    """A token file of its own for the group-commit server."""
    path = os.path.join(tmp, "token-gc")
    with open(path, "w") as f:
        f.write(TOKEN + "\n")
    return path


def cli_json(*args):
    out = subprocess.run([ND, *args], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


tmp = tempfile.mkdtemp(prefix="nd-api-")
try:
    db = os.path.join(tmp, "db")
    subprocess.run([ND, "add", "--db", db, "samples", SAMPLE, os.path.join(HERE, "xss.jsonl")],
                   check=True, capture_output=True)
    tokfile = os.path.join(tmp, "token")
    with open(tokfile, "w") as f:
        f.write(TOKEN + "\n")
    s = Server(db, "--write-token", tokfile, "--max-body-mb", "1")

    # ---- stats
    st, d, r, _ = s.get("/api/stats")
    cli = cli_json("stats", "--db", db, "--json")
    check("stats 200", st == 200, st)
    check("stats articles as the command counts", d and d["articles"] == cli["articles"] and d["segments"] == cli["segments"], (d, cli))
    check("stats last commit", d and re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", d.get("last_commit") or ""), d)
    check("stats does not reveal the path", d and "archive" not in d, d)
    check("CSP without inline script", "script-src 'self'" in (r.getheader("Content-Security-Policy") or "")
          and "unsafe-inline" not in r.getheader("Content-Security-Policy"), r.getheader("Content-Security-Policy"))
    check("nosniff", r.getheader("X-Content-Type-Options") == "nosniff")

    # ---- search: same hits and total as the command
    for q, sort in (("nato", "relevance"), ("iraq OR france", "date"), ('"van der Aa"', "relevance")):
        st, d, _, _ = s.get("/api/search", q=q, limit=7, sort=sort)
        c = cli_json("search", "--db", db, "--json", "--limit", "7", "--sort", sort, "--", q)
        check("search %r 200" % q, st == 200, d)
        check("search %r total as the command" % q, d and d["total"] == c["total"], (d and d["total"], c["total"]))
        check("search %r hits as the command" % q, d and [h["id"] for h in d["hits"]] == [h["id"] for h in c["hits"]])
    st, d, _, _ = s.get("/api/search", q="nato", limit=3, offset=2)
    c = cli_json("search", "--db", db, "--json", "--limit", "3", "--offset", "2", "nato")
    check("search paging", d and [h["id"] for h in d["hits"]] == [h["id"] for h in c["hits"]])
    check("search took_ms", d and isinstance(d["took_ms"], (int, float)) and d["took_ms"] >= 0)
    st, d, _, _ = s.get("/api/search", q="nato training", limit=5)
    check("snippet highlighted with <mark>", d and any("<mark>" in h["snippet"] for h in d["hits"]), d)

    # ---- facets and histograms against filtered searches and the hits
    # (every version: counts are articles, as filtered searches count them)
    def total_of(q):
        return s.get("/api/search", q=q, limit=1, versions="all")[1]["total"]

    for q in ("nato", "president", "harbour OR storm"):
        st, d, _, _ = s.get("/api/search", q=q, limit=100, facets="topic,source,year", histogram="month", versions="all")
        check("facets %r 200" % q, st == 200, d)
        total = d["total"]
        # the years of all hits (total <= 100 here), counted by hand
        if total <= 100:
            years = {}
            undated = 0
            for h in d["hits"]:
                if h["date"]:
                    years[h["date"][:4]] = years.get(h["date"][:4], 0) + 1
                else:
                    undated += 1
            got = {y["value"]: y["count"] for y in d["facets"]["year"]}
            check("year facet of %r from the hits' dates" % q, got == years, (got, years))
            check("undated of %r" % q, d["histogram"]["undated"] == undated, (d["histogram"]["undated"], undated))
        src = d["facets"]["source"]
        check("source facet of %r not empty" % q, len(src) > 0, d["facets"])
        check("source facet sorted", [x["count"] for x in src] == sorted([x["count"] for x in src], reverse=True))
        for x in src[:4]:
            t = total_of("(%s) %s" % (q, x["filter"]))
            check("source %s of %r = filtered search" % (x["value"], q), t == x["count"], (t, x))
            check("source %s: the whole value, quoted" % x["value"],
                  x["filter"] == 'source:"%s"' % x["value"].replace('"', " "), x)
        for field in ("people", "organisations", "places"):
            fx = d["facets"].get(field)
            check("%s facet of %r present" % (field, q), fx is not None, d["facets"].keys())
            if not fx:
                continue
            check("%s facet sorted" % field, [x["count"] for x in fx] == sorted([x["count"] for x in fx], reverse=True))
            for x in fx[:3]:
                t = total_of("(%s) %s" % (q, x["filter"]))
                check("%s %s of %r = filtered search" % (field, x["value"], q), t == x["count"], (t, x))
        check("some topic facet of %r not empty" % q,
              any(d["facets"].get(f) for f in ("people", "organisations", "places")), d["facets"])
        b = d["histogram"]["buckets"]
        check("histogram of %r adds up" % q, sum(x["count"] for x in b) + d["histogram"]["undated"] == total)
        check("histogram keys ascending", [x["value"] for x in b] == sorted(x["value"] for x in b))
        for x in b[:3]:
            t = total_of("(%s) %s" % (q, x["filter"]))
            check("month %s of %r = filtered search" % (x["value"], q), t == x["count"], (t, x))
        # versions collapsed (the default): stories, each once, under its
        # canonical version; a filtered search finds every story with a
        # matching version, so at least as many
        st, c, _, _ = s.get("/api/search", q=q, limit=100, facets="topic,source,year", histogram="month")
        check("collapsed %r: stories <= articles" % q, c["stories"] <= c["total"] == total, (c["stories"], c["total"]))
        check("collapsed %r: hits are distinct stories" % q,
              len({h["story"] for h in c["hits"]}) == len(c["hits"]) == min(100, c["stories"]), c["stories"])
        hb = c["histogram"]["buckets"]
        check("collapsed histogram of %r adds up to the stories" % q,
              sum(x["count"] for x in hb) + c["histogram"]["undated"] == c["stories"])
        for x in c["facets"]["source"][:3]:
            f = s.get("/api/search", q="(%s) %s" % (q, x["filter"]), limit=1)[1]
            check("collapsed source %s of %r <= filtered stories" % (x["value"], q), x["count"] <= f["stories"], (x, f["stories"]))
    for unit, pat in (("day", r"\d{4}-\d\d-\d\d$"), ("week", r"\d{4}-W\d\d$"), ("year", r"\d{4}$")):
        st, d, _, _ = s.get("/api/search", q="president", histogram=unit, facets="year", versions="all")
        b = d["histogram"]["buckets"]
        check("histogram by %s keys" % unit, b and all(re.match(pat, x["value"]) for x in b), b[:3])
        check("histogram by %s adds up" % unit, sum(x["count"] for x in b) + d["histogram"]["undated"] == d["total"])
        x = max(b, key=lambda x: x["count"])
        t = total_of("president " + x["filter"])
        check("%s bucket = filtered search" % unit, t == x["count"], (t, x))
        check("year facet with %s histogram" % unit, sum(y["count"] for y in d["facets"]["year"]) + d["histogram"]["undated"] == d["total"])

    # ---- suggest
    st, d, _, _ = s.get("/api/suggest", prefix="pres")
    check("suggest 200", st == 200, d)
    terms = d["terms"]
    check("suggest terms start with the prefix", terms and all(t["term"].startswith("pres") for t in terms), terms)
    check("suggest most frequent first", [t["count"] for t in terms] == sorted([t["count"] for t in terms], reverse=True))
    top = terms[0]
    check("suggest count is the document frequency", total_of(top["term"]) == top["count"], (top, total_of(top["term"])))
    st, d, _, _ = s.get("/api/suggest", prefix="nato tra")
    check("suggest completes the last word", d["word"] == "tra" and any(t["term"] == "train" for t in d["terms"]), d)
    check("suggest titles", any(t["id"] == "sample-004" for t in d["titles"]), d["titles"])
    check("suggest topics field", d["topics"] == [])
    st, d, _, _ = s.get("/api/suggest", prefix="zzzzqqq")
    check("suggest nothing", st == 200 and d["terms"] == [] and d["titles"] == [], d)
    st, d, _, _ = s.get("/api/suggest")
    check("suggest without prefix 400", st == 400, st)

    # ---- documents
    st, d, _, _ = s.get("/api/doc/" + SEED_ID)
    check("doc 200", st == 200, st)
    check("doc marked terms", d and d["marked"] == SEED_MARKED, d and d.get("marked"))
    body = d["body"].encode() if d else b""
    check("doc topics: at most 3, typed", d and 0 < len(d["topics"]) <= 3 and
          all(t["type"] in ("person", "organisation", "place", "other") for t in d["topics"]), d and d.get("topics"))
    check("doc spans: the text at their byte offsets", d and len(d["spans"]) == len(d["topics"]) and
          all(body[sp["start"]:sp["end"]].decode() == sp["text"] for sp in d["spans"]), d and d.get("spans"))
    check("doc topics include an editor's", d and any(t["text"] in SEED_MARKED for t in d["topics"]),
          d and d.get("topics"))
    st, d, _, _ = s.get("/api/doc/" + urllib.parse.quote("fixture/with slash", safe=""))
    check("doc id with a slash", st == 200 and d["id"] == "fixture/with slash", (st, d))
    st, d, _, _ = s.get("/api/doc/no-such-article")
    check("doc 404", st == 404 and "no-such-article" in d["error"], (st, d))
    st, d, _, _ = s.get("/api/doc/" + SEED_ID + "/related", limit=5)
    check("related 200", st == 200, d)
    ids = [h["id"] for h in d["hits"]]
    check("related leaves the article out", SEED_ID not in ids and 0 < len(ids) <= 5, ids)
    st, d, _, _ = s.get("/api/doc/sample-004/related", limit=5)
    # samples/ has one other story of the alliance's training missions: it comes first
    check("related: the other training-mission story first", d["hits"] and d["hits"][0]["id"] == "sample-030",
          [h["id"] for h in d["hits"]])
    check("related hits are about nato/training", sum(1 for h in d["hits"] if re.search(r"NATO|training|alliance", h["title"] + h["snippet"] + (h["headline"] or ""), re.I)) >= 2, [h["title"] for h in d["hits"]])
    st, d, _, _ = s.get("/api/doc/" + urllib.parse.quote("fixture/with slash", safe="") + "/related")
    check("related finds the other fixture", st == 200 and "xss-title" in [h["id"] for h in d["hits"]], d)
    st, d, _, _ = s.get("/api/doc/no-such-article/related")
    check("related 404", st == 404, st)

    # ---- XSS fixture: data comes back as data, escaped in snippets
    st, d, _, _ = s.get("/api/doc/xss-title")
    check("xss title stored as is", d["title"] == "<img src=x onerror=alert(1)>", d)
    st, d, _, _ = s.get("/api/search", q="zanzibarian script")
    h = [h for h in d["hits"] if h["id"] == "xss-title"]
    check("xss snippet escaped", h and "<script>" not in h[0]["snippet"] and "&lt;" in h[0]["snippet"], h)

    # ---- errors
    st, d, _, _ = s.get("/api/search", q="nato (iraq")
    check("bad query 400 with position", st == 400 and d["position"] == 5 and d["status"] == 400, d)
    st, d, _, _ = s.get("/api/search", q='"unclosed')
    check("unbalanced quote 400", st == 400 and "position" in d, d)
    st, d, _, _ = s.get("/api/search")
    check("missing q 400", st == 400 and "q" in d["error"], d)
    for k, v in (("limit", "101"), ("limit", "x"), ("offset", "-1"), ("sort", "size"), ("histogram", "hour"), ("facets", "colour")):
        st, d, _, _ = s.get("/api/search", q="nato", **{k: v})
        check("bad %s=%s 400" % (k, v), st == 400 and k in d["error"], (st, d))
    st, d, _, _ = s.get("/api/search", q="a " * 3000)
    check("overlong query 400", st == 400, (st, d))
    st, d, _, _ = s.get("/api/search", q=" ".join("(w%d" % i for i in range(40)) + ")" * 40)
    check("too deep query 400", st == 400, (st, d))
    st, d, _, _ = s.get("/api/nothing")
    check("unknown endpoint 404", st == 404, st)
    st, d, r, _ = s.req("PUT", "/api/search?q=x")
    check("PUT 405 with Allow", st == 405 and r.getheader("Allow") == "GET, HEAD", (st, r.getheader("Allow")))
    st, d, r, _ = s.req("POST", "/index.html", body="x")
    check("POST page 405", st == 405, st)
    st, d, r, _ = s.req("GET", "/api/docs")
    check("GET /api/docs 405", st == 405 and r.getheader("Allow") == "POST", st)
    def raw(data):
        with socket.create_connection(("127.0.0.1", s.port), timeout=30) as c:
            try:
                c.sendall(data)
            except OSError:
                pass
            out = b""
            while True:
                try:
                    b = c.recv(65536)
                except OSError:
                    break
                if not b:
                    break
                out += b
            return out
    head = "POST /api/docs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nConnection: close\r\n" % TOKEN
    out = raw((head + "Content-Length: %d\r\n\r\n" % (2 << 20)).encode())
    check("announced oversized body 413", out.startswith(b"HTTP/1.1 413"), out[:100])
    chunk = b"x" * 65536
    body = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(20)) + b"0\r\n\r\n"
    out = raw((head + "Transfer-Encoding: chunked\r\n\r\n").encode() + body)
    check("chunked oversized body 413", out.startswith(b"HTTP/1.1 413"), out[:100])

    # ---- static files
    # A browser asks for HTML at /; a client that does not gets the
    # Elasticsearch API's description (docs/elasticsearch.md).
    st, _, r, data = s.req("GET", "/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    check("page served", st == 200 and b"app.js" in data and r.getheader("Content-Type").startswith("text/html"), st)
    st, doc, r, data = s.req("GET", "/")
    check("GET / without Accept: text/html is the ES API's root", st == 200 and doc and doc["version"]["distribution"] == "newsdex", st)
    st, _, r, data = s.req("GET", "/app.js")
    check("script served", st == 200 and "javascript" in r.getheader("Content-Type"), st)
    st, _, r, data = s.req("HEAD", "/style.css")
    check("HEAD", st == 200 and data == b"", st)
    for bad in ("/../Makefile", "/%2e%2e/Makefile", "/..%2fMakefile", "/.hidden", "/web/../../etc/passwd", "/index.html%00.js", "//etc/passwd", "/README"):
        st, _, _, data = s.req("GET", bad)
        check("no traversal %s" % bad, st in (400, 404) and b"newsdex" not in data, (st, data[:80]))

    # ---- the token rule
    line = json.dumps({"id": "api-new-1", "title": "Quokka census", "date": "2021-03-04", "body": "The quokka census counted quokkas."})
    st, d, r, _ = s.req("POST", "/api/docs", body=line)
    check("POST without token 401", st == 401 and r.getheader("WWW-Authenticate") == "Bearer", st)
    st, d, _, _ = s.req("POST", "/api/docs", body=line, headers={"Authorization": "Bearer wrong-token-0123456789"})
    check("POST wrong token 403", st == 403, st)
    st, d, _, _ = s.req("POST", "/api/docs", body=line, headers={"Authorization": "Basic " + TOKEN})
    check("POST other scheme 403", st == 403, st)
    check("nothing added without the token", total_of("quokka") == 0)
    body = line + "\n" + '{"id": "bad", "date": "2021-03-04"}\n\n' + json.dumps({"id": "api-new-2", "body": "Another quokka."}) + "\n"
    st, d, _, _ = s.req("POST", "/api/docs", body=body, headers={"Authorization": "Bearer " + TOKEN})
    check("POST with token 200", st == 200 and d["added"] == 2 and d["ids"] == ["api-new-1", "api-new-2"], d)
    check("POST reports the bad line", d and len(d["rejected"]) == 1 and d["rejected"][0]["line"] == 2, d)
    check("added articles visible", total_of("quokka") == 2)
    st, d, _, _ = s.req("POST", "/api/docs", body='{"id": "bad"}', headers={"Authorization": "Bearer " + TOKEN})
    check("POST all bad 400", st == 400 and d["added"] == 0, (st, d))
    st, d, _, _ = s.req("POST", "/api/docs", body="", headers={"Authorization": "Bearer " + TOKEN})
    check("POST empty 400", st == 400, st)
    st, d, _, _ = s.req("DELETE", "/api/doc/api-new-1")
    check("DELETE without token 401", st == 401, st)
    st, d, _, _ = s.req("DELETE", "/api/doc/api-new-1", headers={"Authorization": "Bearer nope-nope-nope-nope-nope"})
    check("DELETE wrong token 403", st == 403, st)
    st, d, _, _ = s.req("DELETE", "/api/doc/api-new-1", headers={"Authorization": "Bearer " + TOKEN})
    check("DELETE with token 200", st == 200 and d["deleted"] == "api-new-1", (st, d))
    check("deleted article gone", s.get("/api/doc/api-new-1")[0] == 404 and total_of("quokka") == 1)
    st, d, _, _ = s.req("DELETE", "/api/doc/api-new-1", headers={"Authorization": "Bearer " + TOKEN})
    check("DELETE missing 404", st == 404, st)

    # ---- concurrent readers during writes
    base = total_of("wombat")
    errors = []
    seen = []
    stop = threading.Event()

    def reader():
        last = -1
        while not stop.is_set():
            st, d, _, _ = s.get("/api/search", q="wombat", limit=3, facets="source", histogram="year", versions="all")
            if st != 200:
                errors.append((st, d))
                return
            t = d["total"]
            if t < last or sum(b["count"] for b in d["histogram"]["buckets"]) + d["histogram"]["undated"] != t:
                errors.append(("inconsistent", last, t))
            last = t
            seen.append(t)

    threads = [threading.Thread(target=reader) for _ in range(6)]
    for t in threads:
        t.start()
    batches = 8
    for b in range(batches):
        lines = "\n".join(json.dumps({"id": "wombat-%d-%d" % (b, i), "date": "2022-01-%02d" % (i + 1), "source": "Marsupial Times",
                                      "body": "Wombat number %d of batch %d." % (i, b)}) for i in range(5))
        st, d, _, _ = s.req("POST", "/api/docs", body=lines, headers={"Authorization": "Bearer " + TOKEN})
        if st != 200:
            errors.append(("write", st, d))
    stop.set()
    for t in threads:
        t.join()
    check("readers during writes: no errors, totals never go back", not errors, errors[:3])
    check("readers saw the totals of commits only", seen and all((t - base) % 5 == 0 for t in seen), sorted(set(seen))[:10])
    check("all writes visible", total_of("wombat") == base + batches * 5)
    st, d, _, _ = s.get("/api/search", q="wombat", facets="source", versions="all")
    check("new source in the facet", any(x["value"] == "Marsupial Times" and x["filter"] == 'source:"Marsupial Times"' and
                                         x["count"] == batches * 5 for x in d["facets"]["source"]), d["facets"])

    rc, log = s.stop(signal.SIGINT)
    check("SIGINT stops cleanly", rc == 0 and "stopped" in log, (rc, log[-300:]))
    reqlines = [l for l in log.splitlines() if re.match(r"\d{4}-\d\d-\d\dT\S+Z \S+ (GET|POST|PUT|DELETE|HEAD) ", l)]
    check("one log line per request", len([l for l in reqlines if " GET /api/stats " in l]) == 1, reqlines[:3])
    check("log line has status and time", any(re.search(r" GET /api/doc/no-such-article 404 \d+ [\d.]+ms$", l) for l in reqlines))

    # ---- a read-only server sees another process's commit; writes are off
    s2 = Server(db, "--max-connections", "2")
    before = s2.req_calm("GET", "/api/stats")[1]["articles"]
    st, d, _, _ = s2.req_calm("POST", "/api/docs", body=line, headers={"Authorization": "Bearer " + TOKEN})
    check("writes off: 403", st == 403 and "off" in d["error"], (st, d))
    st, d, _, _ = s2.req_calm("DELETE", "/api/doc/sample-004", headers={"Authorization": "Bearer " + TOKEN})
    check("writes off: DELETE 403", st == 403, st)
    extra = os.path.join(tmp, "extra.jsonl")
    with open(extra, "w") as f:
        f.write(json.dumps({"id": "outside-1", "body": "A numbat appeared."}) + "\n")
    subprocess.run([ND, "add", "--db", db, extra], check=True, capture_output=True)
    check("commit by another process visible", s2.req_calm("GET", "/api/stats")[1]["articles"] == before + 1)
    check("its article is searchable", s2.req_calm("GET", "/api/search?q=numbat")[1]["total"] == 1)
    # overload: more open connections than allowed get 503
    held = [socket.create_connection(("127.0.0.1", s2.port)) for _ in range(3)]
    got = None
    for _ in range(100):
        got = s2.get("/api/stats")[0]
        if got == 503:
            break
        time.sleep(0.02)
    check("overloaded 503", got == 503, got)
    for h in held:
        h.close()
    ok = None
    for _ in range(200):
        ok = s2.get("/api/stats")[0]
        if ok == 200:
            break
        time.sleep(0.02)
    check("back to 200 when connections close", ok == 200, ok)
    rc, log = s2.stop()
    check("SIGTERM stops cleanly", rc == 0 and "SIGTERM" in log, (rc, log[-300:]))

    # ---- group commit: concurrent writes, each answered once durable
    gdb = os.path.join(tmp, "gc")
    subprocess.run([ND, "add", "--db", gdb, SEED], check=True, capture_output=True)
    s3 = Server(gdb, "--write-token", tokfile_gc(tmp))
    auth = {"Authorization": "Bearer " + TOKEN, "Content-Type": "application/x-ndjson"}
    errors, acked = [], []
    lock = threading.Lock()

    def bulk_writer(t):
        for r in range(4):
            ids = ["gc-%d-%d-%d" % (t, r, k) for k in range(30)]
            body = "".join(json.dumps({"index": {"_id": i}}) + "\n" + json.dumps({"title": "Group " + i, "body": "gcword " + i}) + "\n" for i in ids)
            st, d, _, _ = s3.req("POST", "/gc/_bulk", body=body, headers=auth)
            ok = st == 200 and d and not d["errors"] and len(d["items"]) == 30
            # answered only once committed: a reader sees it at once
            seen = ok and s3.req("GET", "/gc/_doc/" + ids[-1])[0] == 200
            with lock:
                (acked.extend(ids) if ok and seen else errors.append((t, r, st, ok, seen)))

    def doc_writer(t):
        for r in range(6):
            i = "gc-doc-%d-%d" % (t, r)
            st, _, _, _ = s3.req("PUT", "/gc/_doc/" + i, body=json.dumps({"title": "One " + i, "body": "gcword " + i}),
                                 headers={"Authorization": "Bearer " + TOKEN, "Content-Type": "application/json"})
            seen = st in (200, 201) and s3.req("GET", "/gc/_doc/" + i)[0] == 200
            with lock:
                (acked.append(i) if seen else errors.append((t, r, st, seen)))

    threads = [threading.Thread(target=bulk_writer, args=(t,)) for t in range(5)] + \
              [threading.Thread(target=doc_writer, args=(t,)) for t in range(2)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    check("concurrent _bulk and document writes: every one answered, each visible when answered", not errors and len(acked) == 5 * 4 * 30 + 2 * 6, errors[:5])
    gen = s3.get("/api/stats")[1]
    print("     %d write requests, %s commits" % (5 * 4 + 2 * 6, gen and gen.get("generation")))
    s3.p.send_signal(signal.SIGKILL)
    s3.p.wait(timeout=30)
    c = cli_json("search", "--db", gdb, "--json", "--limit", "0", "--versions", "all", "gcword")
    check("after SIGKILL every acknowledged write is there", c["total"] == len(acked), (c["total"], len(acked)))

    # ---- start-up errors
    r = subprocess.run([ND, "serve", "--db", os.path.join(tmp, "missing"), "--port", "0"], capture_output=True, text=True, timeout=30)
    check("missing archive: exit 5", r.returncode == 5 and "missing" in r.stderr, (r.returncode, r.stderr))
    r = subprocess.run([ND, "serve", "--db", db, "--bind", "localhost"], capture_output=True, text=True, timeout=30)
    check("non-numeric bind: exit 2", r.returncode == 2 and "--bind" in r.stderr, (r.returncode, r.stderr))
    with open(tokfile, "w") as f:
        f.write("short\n")
    r = subprocess.run([ND, "serve", "--db", db, "--port", "0", "--write-token", tokfile], capture_output=True, text=True, timeout=30)
    check("short token refused", r.returncode == 2 and "token" in r.stderr, (r.returncode, r.stderr))
    r = subprocess.run([ND, "serve", "--db", db, "--port", "70000"], capture_output=True, text=True, timeout=30)
    check("bad port: exit 2", r.returncode == 2 and "port" in r.stderr, (r.returncode, r.stderr))
finally:
    shutil.rmtree(tmp, ignore_errors=True)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
