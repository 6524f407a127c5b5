"""Wire-copy versions, recency and story threads, on the stories archive
(conftest.py: invented stories with wire copies, the samples, undated
articles), each checked against what the hits of versions="all" say when
counted again here."""
import collections
import datetime
import math

import pytest

import newsdex
from conftest import THREADS, read_jsonl, stories_articles

QUERIES = ["kessel", "kessel bridge", "kervania OR orvell", "harbour OR river", "fire OR storm OR council",
           "date:2023", "divers"]
EVERY = "date:0001.. OR kessel"  # every article: the dated ones, and the undated ones (both about the bridge)
DAY = 86400.0
UTC = datetime.timezone.utc


def every_version(ix, query, **kw):
    """Every matching article (versions='all'), best first."""
    res = ix.search(query, versions="all", limit=1000, snippets=False, **kw)
    assert len(res) == res.total
    return res


def by_story(hits):
    groups = collections.defaultdict(list)
    for h in hits:
        groups[h.story].append(h)
    return groups


def first_of_each_story(hits):
    seen, out = set(), []
    for h in hits:
        if h.story not in seen:
            seen.add(h.story)
            out.append(h)
    return out


def seconds(date):
    """A hit's date as seconds since 1970 (UTC when it has no zone)."""
    if date is None:
        return None
    dt = datetime.datetime.fromisoformat(date.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def date_order(hits):
    """The library's canonical order: dated before undated, earlier first."""
    return [(h.date is None, seconds(h.date) or 0) for h in hits]


# ---- versions ---------------------------------------------------------------

def test_the_archive_has_wire_copies(six):
    assert len(six) == len(stories_articles())
    every = every_version(six, EVERY)
    assert every.total == len(six)
    sizes = sorted(len(g) for g in by_story(every).values())
    assert sizes[-1] == 2 and sizes.count(2) == 4  # th:a02, b03, c03 and a05 were run again
    assert every.stories == every.total  # every version asked for: stories are not counted
    assert six.search(EVERY, limit=1).stories == len(sizes)


@pytest.mark.parametrize("query", QUERIES)
def test_collapse_and_all(six, query):
    col = six.search(query, limit=1000)
    every = every_version(six, query)
    assert col.total == every.total and col.stories == len(by_story(every)) and every.stories == every.total
    assert col.stories <= col.total
    # collapsed: one hit per story, distinct stories, each its best-ranked version
    assert len(col) == col.stories
    assert len({h.story for h in col}) == len(col)
    assert [h.id for h in col] == [h.id for h in first_of_each_story(every)]
    groups = by_story(every)
    for h in col:
        assert h.score == max(v.score for v in groups[h.story])
        # versions counts every other live article of the story, matching or not
        assert h.versions >= len(groups[h.story]) - 1
    assert {h.story for h in col} == set(groups)


def test_collapse_gives_fewer_hits_than_articles(six):
    res = six.search("divers", limit=20)
    every = every_version(six, "divers")
    assert res.stories < res.total == every.total == len(every) > len(res)
    h = next(h for h in res if h.id in ("th:a02", "th:a82"))
    assert h.versions == 1


def test_versions_and_ids_only(six):
    full = six.search("kessel", limit=5)
    ids = six.search("kessel", limit=5, ids_only=True)
    assert [h.id for h in ids] == [h.id for h in full]
    assert all(h.versions == 0 for h in ids)


def test_versions_of_every_article(six):
    every = every_version(six, EVERY)
    groups = by_story(every)
    for h in every:
        v = six.versions(h.id)
        assert isinstance(v, newsdex.Results) and v.query == h.id
        assert sorted(x.id for x in v) == sorted(x.id for x in groups[h.story]), h.id
        assert v.total == len(v) == h.versions + 1 and v.stories == 1 and v.total_exact
        assert all(x.story == h.story and x.score == 0.0 and x.snippet is None for x in v)
        # canonical first (the earliest), then by date; undated last
        assert date_order(v) == sorted(date_order(v))
        want = {x.id: dict(x, score=0.0, snippet=None) for x in groups[h.story]}
        assert all(dict(x) == want[x.id] for x in v)
    assert [x.id for x in six.versions("un:a05")] == ["th:a05", "un:a05"]
    assert [x.id for x in six.versions("th:a82")] == [x.id for x in six.versions("th:a02")]


# ---- recency ----------------------------------------------------------------

def decayed(hits, half_life, as_of):
    """(score x 2^(-age/half_life), hit), best first; an undated article is
    ND_RECENCY_UNDATED (10) half-lives old, one dated after as_of 0."""
    out = []
    for h in hits:
        t = seconds(h.date)
        f = 2.0 ** -10 if t is None else 1.0 if t >= as_of else 2.0 ** (-(as_of - t) / half_life)
        out.append((h.score * f, h))
    out.sort(key=lambda p: -p[0])
    return out


def assert_ranked_like(got, want):
    """got (hits) is the top of want ((score, hit) best first), scores to
    1e-9; hits whose score ties another's may come in either order."""
    assert len(got) == min(10, len(want))
    scores = [s for s, _ in want]
    for i, h in enumerate(got):
        s, w = want[i]
        assert math.isclose(h.score, s, rel_tol=1e-9), (i, h.id, h.score, w.id, s)
        if scores.count(s) == 1:
            assert h.id == w.id, (i, h.id, w.id)


AS_OF = ["2023-03-20", "2023-03-01", "2030-01-01"]


@pytest.mark.parametrize("as_of", AS_OF)
@pytest.mark.parametrize("query", QUERIES)
def test_recency_against_brute_force(six, query, as_of):
    half = 30 * DAY
    t = seconds(as_of)
    want = decayed(every_version(six, query), half, t)
    for count in ("exact", "lower_bound"):
        got = six.search(query, versions="all", recency="30d", as_of=as_of, count=count, snippets=False)
        assert_ranked_like(list(got), want)
        # collapsed: each story's best decayed version
        col = six.search(query, recency="30d", as_of=as_of, count=count, snippets=False)
        seen, per_story = set(), []
        for s, h in want:
            if h.story not in seen:
                seen.add(h.story)
                per_story.append((s, h))
        assert_ranked_like(list(col), per_story)


def test_recency_reorders(six):
    plain = [h.id for h in six.search("kessel", versions="all")]
    recent = [h.id for h in six.search("kessel", versions="all", recency="7d", as_of="2023-06-30")]
    assert recent[0] == "th:a90" != plain[0]  # the one June article
    # years after the last article, the undated ones (10 half-lives old) come first
    late = six.search("kessel", versions="all", recency="30d", as_of="2030-01-01")
    assert {late[0].id, late[1].id} == {"un:a05", "un:k01"}


def test_recency_forms_agree(six):
    def ranked(**kw):
        return [(h.id, h.score) for h in six.search("kessel OR kervania", versions="all", limit=20, **kw)]

    want = ranked(recency="30d", as_of="2023-03-20")
    assert want != ranked()
    for recency in ("30d", " 30d", "720h", "30.0d", 30 * DAY, 30 * 86400, datetime.timedelta(days=30)):
        for as_of in ("2023-03-20", "2023-03-20T00:00Z", "2023-03-20T01:00:00+01:00", " 2023-03-20 ",
                      "2023-03-19T23:00:00.5-01:00", "2023-03-20T05:30+05:30", "2023-03-20t05:30:00+0530",
                      "2023-03-19 19:00-05", datetime.date(2023, 3, 20), datetime.datetime(2023, 3, 20),
                      datetime.datetime(2023, 3, 20, 2, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))):
            got = ranked(recency=recency, as_of=as_of)
            assert [i for i, _ in got] == [i for i, _ in want], (recency, as_of)
            assert all(math.isclose(a, b, rel_tol=1e-12) for (_, a), (_, b) in zip(got, want)), (recency, as_of)
    year = ranked(recency="1y", as_of="2023-03-20")
    assert year == ranked(recency=365 * DAY, as_of="2023-03-20") and year != want
    # without as_of, ages are counted from now: every article is older than a year
    now = six.search("kessel", versions="all", recency="30d", limit=20)
    assert now.total == six.search("kessel", versions="all").total and now[0].date is None


def test_related_takes_the_new_options(six):
    every = six.related("th:a02", versions="all", limit=100)
    col = six.related("th:a02", limit=100)
    assert every[0].id == "th:a82"  # its wire copy, most like it
    assert len({h.story for h in col}) == len(col) < len(every) == every.total
    rec = six.related("th:a02", versions="all", limit=100, recency="3d", as_of="2023-03-17")
    assert sorted(h.id for h in rec) == sorted(h.id for h in every) and [h.id for h in rec] != [h.id for h in every]


# ---- facets -------------------------------------------------------------------

@pytest.mark.parametrize("query", QUERIES + [EVERY])
def test_facets_count_stories_or_articles(six, query):
    kw = {"limit": 0, "facets": ["source"], "facet_limit": 1000, "histogram": "day"}
    col = six.search(query, **kw)
    every = six.search(query, versions="all", **kw)
    hits = every_version(six, query)
    assert col.total == every.total == hits.total and col.stories == len(by_story(hits))
    assert every.stories == hits.stories == hits.total  # not counted when every version is asked for
    assert col.facet_total == col.stories and every.facet_total == every.total
    for res in (col, every):
        assert sum(res.histogram.values()) + res.undated == res.facet_total
        assert sum(res.facets["source"].values()) == res.facet_total  # every article has a source
    # every version counted: what the hits say
    assert every.facets["source"] == dict(collections.Counter(h.source for h in hits))
    assert every.undated == sum(h.date is None for h in hits)
    days = collections.Counter(h.date[:10] for h in hits if h.date)
    assert every.histogram == dict(sorted(days.items()))
    # one count per story, under one of its matching versions' source and date
    groups = by_story(hits)
    for src, n in col.facets["source"].items():
        assert n <= every.facets["source"][src]
    assert col.undated == sum(all(h.date is None for h in g) for g in groups.values())
    assert six.search(query, limit=0).facet_total is None


# ---- threads ------------------------------------------------------------------

def thread_of_hits(hits):
    """What a thread's fields should be, from its articles (date order)."""
    dated = [h for h in hits if h.date]
    return {"first_id": hits[0].id, "headline": hits[0].headline, "from": hits[0].date,
            "to": dated[-1].date if dated else None, "articles": len(hits),
            "stories": len({h.story for h in hits}),
            "sources": collections.Counter(h.source for h in hits if h.source)}


def check_thread(t):
    assert isinstance(t, newsdex.Thread)
    assert list(t) == ["key", "headline", "first_id", "from", "to", "articles", "stories", "sources"]
    assert t["from"] == t.from_ and t.key == t["key"] and len(t.key) == 16
    hits = t.hits
    assert isinstance(hits, newsdex.Results) and hits.query == t.key and hits.total == len(hits) == t.articles
    assert all(h.thread == t.key for h in hits)
    assert date_order(hits) == sorted(date_order(hits))
    want = thread_of_hits(list(hits))
    got = dict(t, sources=collections.Counter(dict(t.sources)))
    assert {k: got[k] for k in want} == want
    counts = [n for _, n in t.sources]
    assert counts == sorted(counts, reverse=True) and all(isinstance(s, tuple) for s in t.sources)
    assert hits.stories == t.stories


def test_threads_against_the_hits(six):
    every = every_version(six, EVERY)
    threads = collections.defaultdict(list)
    for h in every:
        threads[h.thread].append(h)
    listed = six.threads(limit=1000, min_articles=1)
    assert sorted(t.key for t in listed) == sorted(threads)
    assert sum(t.articles for t in listed) == len(six)

    def rank(t):
        newest = max((seconds(h.date) for h in threads[t.key] if h.date), default=-math.inf)
        return (-t.stories, -t.articles, -newest)

    assert [rank(t) for t in listed] == sorted(rank(t) for t in listed)
    for t in listed:
        check_thread(t)
        assert sorted(h.id for h in t.hits) == sorted(h.id for h in threads[t.key])
    big = six.threads()
    assert big == [t for t in listed if t.articles >= 2][:10]
    # the three invented stories (tests/fixtures/threads.jsonl) are the three largest threads
    firsts = {"th:a01", "th:b01", "th:c01"}
    assert len(big) >= 3 and all(any(h.id in firsts for h in t.hits) for t in big[:3]), [t.headline for t in big]
    assert six.threads(limit=2) == big[:2]
    assert six.threads(min_articles=9) == [t for t in big if t.articles >= 9]


def test_threads_in_a_date_range(six):
    for lo, hi in [("2023-03-15", "2023-03-17"), ("2023-03", None), (None, "2023-03-04"), ("2023-06", "2023-06"),
                   ("2024", None), ("2023-03-05", "2023-03-05")]:
        got = six.threads(lo, hi, limit=100, min_articles=1)
        in_range = collections.Counter()
        for t in six.threads(limit=1000, min_articles=1):
            for h in t.hits:
                d = h.date and h.date[:10]
                if d and (lo is None or d[:len(lo)] >= lo) and (hi is None or d[:len(hi)] <= hi):
                    in_range[t.key] += 1
        assert sorted(t.key for t in got) == sorted(in_range), (lo, hi)
        assert six.threads(from_=lo, to=hi, limit=100, min_articles=2) == [t for t in got if in_range[t.key] >= 2]
    assert six.threads(from_=datetime.date(2023, 3, 15), to=datetime.date(2023, 3, 17)) == \
        six.threads(from_="2023-03-15", to="2023-03-17")


def test_thread_by_key(six):
    for listed in six.threads(limit=100, min_articles=1):
        t = six.thread(listed.key)
        check_thread(t)
        assert t == listed and t.hits.to_dicts() == listed.hits.to_dicts()
        assert six.thread(listed.key.upper()) == listed
    hit = six.search("kessel corrosion", limit=1)[0]
    assert hit.id in [h.id for h in six.thread(hit.thread).hits]
    assert repr(six.thread(hit.thread)).startswith("newsdex.Thread(key=")


def test_thread_hits_need_an_open_index(stories_archive):
    ix = newsdex.open(stories_archive)
    first, second = ix.threads(limit=2)
    assert len(first.hits) == first.articles  # read now, kept
    ix.close()
    assert len(first.hits) == first.articles
    with pytest.raises(ValueError, match="closed"):
        second.hits


def test_stories_calls_on_a_closed_index(stories_archive):
    ix = newsdex.open(stories_archive)
    ix.close()
    for call in (lambda: ix.versions("th:a02"), ix.threads, lambda: ix.thread("804bdb55d07602d6")):
        with pytest.raises(ValueError, match="closed"):
            call()


# ---- near_dup -----------------------------------------------------------------

def test_near_dup(tmp_path):
    arts = read_jsonl(THREADS)
    sizes = {}
    for near in (None, 0.8, 1.0):
        path = str(tmp_path / ("n%s.ndx" % near))
        with newsdex.open(path, create=True, near_dup=near) as ix:
            ix.add(arts)
        with newsdex.Index(path) as ix:
            sizes[near] = [len(ix.versions(a["id"])) for a in arts]
    assert sizes[None] == sizes[0.8] and max(sizes[None]) == 2
    assert max(sizes[1.0]) == 1  # the wire copies were edited: not identical


# ---- bad arguments ------------------------------------------------------------

@pytest.mark.parametrize("kw, exc", [
    ({"versions": "some"}, ValueError), ({"versions": None}, TypeError),
    ({"recency": "30"}, ValueError), ({"recency": "30x"}, ValueError), ({"recency": "d"}, ValueError),
    ({"recency": "-3d"}, ValueError), ({"recency": "0d"}, ValueError), ({"recency": "2000000y"}, ValueError),
    ({"recency": "nand"}, ValueError), ({"recency": "1_0d"}, ValueError), ({"recency": 0}, ValueError),
    ({"recency": -5}, ValueError), ({"recency": float("nan")}, ValueError), ({"recency": float("inf")}, ValueError),
    ({"recency": datetime.timedelta(0)}, ValueError), ({"recency": True}, TypeError), ({"recency": [1]}, TypeError),
    ({"as_of": "2023-03-20"}, ValueError),  # without recency
    ({"recency": "30d", "as_of": "2023-02-30"}, ValueError), ({"recency": "30d", "as_of": "2023-3-20"}, ValueError),
    ({"recency": "30d", "as_of": "2023-03-20T25:00"}, ValueError),
    ({"recency": "30d", "as_of": "2023-03-20T10:00+1:00"}, ValueError),
    ({"recency": "30d", "as_of": "2023-03-20T10:00+01:"}, ValueError),
    ({"recency": "30d", "as_of": "2023-03-20x"}, ValueError), ({"recency": "30d", "as_of": ""}, ValueError),
    ({"recency": "30d", "as_of": "1970-01-01"}, ValueError), ({"recency": "30d", "as_of": 1679270400}, TypeError),
])
def test_bad_search_arguments(six, kw, exc):
    with pytest.raises(exc):
        six.search("kessel", **kw)
    with pytest.raises(exc):
        six.related("th:a02", **kw)


def test_bad_story_arguments(six, tmp_path):
    with pytest.raises(newsdex.NotFoundError) as e:
        six.versions("no-such-article")
    assert e.value.status == -6 and "no-such-article" in str(e.value)
    with pytest.raises(TypeError):
        six.versions(5)
    with pytest.raises(newsdex.InvalidArgumentError) as e:
        six.thread("xyz")
    assert "16 hex digits" in str(e.value)
    with pytest.raises(newsdex.NotFoundError):
        six.thread("0123456789abcdef")
    for kw, exc in [({"limit": 0}, ValueError), ({"min_articles": 0}, ValueError), ({"limit": -1}, ValueError),
                    ({"from_": "2023-13"}, newsdex.InvalidArgumentError), ({"to": "March"}, newsdex.InvalidArgumentError),
                    ({"from_": 2023}, TypeError), ({"limit": "3"}, TypeError)]:
        with pytest.raises(exc):
            six.threads(**kw)
    with pytest.raises(TypeError):
        six.search("kessel", facets=["source"], versions=1)
    with pytest.raises(TypeError):
        six.related("th:a02", facets=["source"])
    for near, exc in [(0, ValueError), (1.5, ValueError), (-0.1, ValueError), (float("nan"), ValueError),
                      ("0.8", TypeError), (True, TypeError)]:
        with pytest.raises(exc):
            newsdex.open(str(tmp_path / "n.ndx"), create=True, near_dup=near)
