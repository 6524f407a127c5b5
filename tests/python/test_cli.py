"""The binding checked against the library's own command: the same archive
searched, shown, counted and checked both ways must agree."""
import json

import pytest

import newsdex
from conftest import SAMPLES

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
    assert py.total == js["total"] and py.total_exact == js["total_exact"]
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
