"""The binding checked against the library's own command: the same archive
searched, shown, counted and checked both ways must agree."""
import json

import pytest

import newsdex
from conftest import SAMPLES, stories_articles

QUERIES = ["harbour", "storm OR flood", "council -harbour", '"inner harbour"', "title:council", "date:2004",
           "harb*", 'source:"harbourtown  LEDGER"', "source:harbour*", "harbour OR storm OR council OR ferry OR school"]


@pytest.fixture(scope="module")
def cli_archive(cli, tmp_path_factory):
    """The sample articles indexed by `newsdex add`."""
    path = str(tmp_path_factory.mktemp("cli") / "cli.ndx")
    cli("add", "--db", path, SAMPLES)
    return path


def cli_json(cli, *args):
    return json.loads(cli(*args))


def compare_search(py, js):
    assert py.total == js["total"] and py.total_exact == js["total_exact"] and py.stories == js["stories"]
    assert py.offset == js["offset"] and py.limit == js["limit"]
    assert py.to_dicts() == js["hits"]  # every field, scores to the last bit


@pytest.mark.parametrize("query", QUERIES)
def test_search_agrees_with_the_command(cli, cli_archive, query):
    with newsdex.open(cli_archive) as ix:
        py = ix.search(query, limit=5, snippets="html")
    compare_search(py, cli_json(cli, "search", "--db", cli_archive, "--json", "--limit", "5", "--", query))


def test_search_options_agree_with_the_command(cli, cli_archive):
    q = "harbour OR storm OR council"
    with newsdex.open(cli_archive) as ix:
        for args, kw in [(["--offset", "3"], {"offset": 3}), (["--sort", "date"], {"sort": "date"}),
                         (["--count", "lower-bound"], {"count": "lower_bound"}),
                         (["--limit", "2", "--offset", "1", "--sort", "date"], {"limit": 2, "offset": 1, "sort": "date"}),
                         (["--limit", "0"], {"limit": 0})]:
            kw.setdefault("limit", 10)
            js = cli_json(cli, "search", "--db", cli_archive, "--json", *args, "--", q)
            compare_search(ix.search(q, snippets="html", **kw), js)


def test_facets_agree_with_the_command(cli, cli_archive):
    fields = ["people", "organisations", "places", "topics", "source"]
    for q in ("harbour OR storm", "council"):
        js = cli_json(cli, "search", "--db", cli_archive, "--json", "--facets", ",".join(fields), "--", q)
        with newsdex.open(cli_archive) as ix:
            py = ix.search(q, facets=fields)
        assert list(py.facets) == fields
        for f in fields:
            assert list(py.facets[f].items()) == [(c["value"], c["count"]) for c in js["facets"][f]], f


def test_query_error_agrees_with_the_command(cli, cli_archive):
    q = "(storm OR flood"
    js = json.loads(cli("search", "--db", cli_archive, "--json", "--", q, check=False))
    with newsdex.open(cli_archive) as ix:
        with pytest.raises(newsdex.QueryError) as e:
            ix.search(q)
    assert str(e.value) == js["error"] and e.value.byte_offset == js["offset"]


def test_show_agrees_with_the_command(cli, cli_archive):
    with newsdex.open(cli_archive) as ix:
        for i in (1, 2, 17, 36):
            id_ = "sample-%03d" % i
            js = cli_json(cli, "show", "--db", cli_archive, "--json", "--links", id_)
            d = ix.get(id_)
            for k in ("id", "title", "date", "source", "url", "body", "extra"):
                assert d[k] == js[k], k
            assert list(d.marked) == js["marked"]
            body = d.body.encode()
            want = sorted((t["text"], t["type"], t["mentions"], t["articles"],
                           len(body[:t["start"]].decode()), len(body[:t["end"]].decode()), t["score"])
                          for t in js["links"])
            got = sorted((t.text, t.type, t.mentions, t.articles, t.start, t.end, t.score) for t in d.links)
            assert got == want


def test_stats_and_check_agree_with_the_command(cli, cli_archive):
    js = cli_json(cli, "stats", "--db", cli_archive, "--json")
    with newsdex.open(cli_archive) as ix:
        st = ix.stats()
        rep = ix.check()
    assert dict(st, archive=js["archive"]) == js
    cj = cli_json(cli, "check", "--db", cli_archive, "--json")
    assert dict(rep, archive=cj["archive"]) == cj


def test_archives_made_both_ways_agree(cli, cli_archive, sample_archive):
    """The binding's add() and the command's add build archives that answer
    alike (the same articles in the same order)."""
    with newsdex.open(cli_archive) as a, newsdex.open(sample_archive) as b:
        assert a.stats()["articles"] == b.stats()["articles"] == 36
        for q in QUERIES:
            ra, rb = a.search(q, limit=20), b.search(q, limit=20)
            assert ra.total == rb.total and ra.to_dicts() == rb.to_dicts(), q


def test_the_command_reads_what_the_binding_wrote(cli, tmp_path):
    path = str(tmp_path / "py.ndx")
    with newsdex.open(path, create=True) as ix:
        ix.add({"id": "py-1", "title": "Written from Python", "body": "A kingfisher nests by the weir.",
                "date": "2011-05-06", "colour": "blue"})
    js = cli_json(cli, "search", "--db", path, "--json", "kingfisher")
    assert [h["id"] for h in js["hits"]] == ["py-1"]
    shown = cli_json(cli, "show", "--db", path, "--json", "py-1")
    assert shown["extra"] == {"colour": "blue"} and shown["date"] == "2011-05-06"


# ---- versions, recency, threads (on the stories archive) ---------------------

STORY_QUERIES = ["kessel", "kervania OR orvell", "divers", "harbour OR river", "date:2023"]


def thread_json(t):
    """A Thread as `newsdex threads --json` writes one."""
    return dict(t, sources=[{"value": v, "count": n} for v, n in t.sources])


@pytest.mark.parametrize("query", STORY_QUERIES)
def test_versions_and_recency_agree_with_the_command(cli, stories_archive, query):
    with newsdex.open(stories_archive) as ix:
        for args, kw in [([], {}), (["--versions", "all"], {"versions": "all"}),
                         (["--versions", "collapse", "--limit", "3", "--offset", "2"],
                          {"versions": "collapse", "limit": 3, "offset": 2}),
                         (["--recency", "30d", "--as-of", "2023-03-20"], {"recency": "30d", "as_of": "2023-03-20"}),
                         (["--recency", "1.5w", "--as-of", "2023-03-20T12:00:00+02:00", "--versions", "all"],
                          {"recency": "1.5w", "as_of": "2023-03-20T12:00:00+02:00", "versions": "all"}),
                         (["--recency", "12h", "--as-of", "2030-01-01", "--count", "lower-bound"],
                          {"recency": "12h", "as_of": "2030-01-01", "count": "lower_bound"}),
                         (["--recency", "2y", "--as-of", "2023-06-19", "--sort", "date"],
                          {"recency": "2y", "as_of": "2023-06-19", "sort": "date"})]:
            kw.setdefault("limit", 10)
            js = cli_json(cli, "search", "--db", stories_archive, "--json", *args, "--", query)
            assert js["versions"] == kw.get("versions", "collapse")
            compare_search(ix.search(query, snippets="html", **kw), js)


def test_story_facets_agree_with_the_command(cli, stories_archive):
    fields = ["source", "places", "topics"]
    with newsdex.open(stories_archive) as ix:
        for q in STORY_QUERIES:
            for versions in ("collapse", "all"):
                js = cli_json(cli, "search", "--db", stories_archive, "--json", "--facets", ",".join(fields),
                              "--versions", versions, "--", q)
                py = ix.search(q, facets=fields, versions=versions)
                for f in fields:
                    assert list(py.facets[f].items()) == [(c["value"], c["count"]) for c in js["facets"][f]], (q, f)


def test_threads_agree_with_the_command(cli, stories_archive):
    with newsdex.open(stories_archive) as ix:
        for args, kw in [([], {}), (["--limit", "2"], {"limit": 2}), (["--min-articles", "1", "--limit", "100"],
                                                                       {"min_articles": 1, "limit": 100}),
                         (["--from", "2023-03-15", "--to", "2023-03-17"], {"from_": "2023-03-15", "to": "2023-03-17"}),
                         (["--from", "2023-06", "--min-articles", "1"], {"from_": "2023-06", "min_articles": 1}),
                         (["--to", "2023-03-04", "--min-articles", "1"], {"to": "2023-03-04", "min_articles": 1})]:
            js = cli_json(cli, "threads", "--db", stories_archive, "--json", *args)
            py = ix.threads(**kw)
            assert js["threads"], args
            assert [thread_json(t) for t in py] == js["threads"], args


def test_thread_and_versions_agree_with_show(cli, stories_archive):
    with newsdex.open(stories_archive) as ix:
        keys = [t.key for t in ix.threads(limit=100, min_articles=1)]
        for key in keys:
            js = cli_json(cli, "show", "--db", stories_archive, "--json", "--thread", key)
            t = ix.thread(key)
            listed = js.pop("articles_list")
            assert thread_json(t) == js and t.hits.to_dicts() == listed
        for a in stories_articles():
            js = cli_json(cli, "show", "--db", stories_archive, "--json", a["id"])
            versions = ix.versions(a["id"])
            assert versions.to_dicts() == js["versions"], a["id"]
            mine = next(h for h in versions if h.id == a["id"])
            assert mine.story == js["story"] and thread_json(ix.thread(mine.thread)) == js["thread"]
