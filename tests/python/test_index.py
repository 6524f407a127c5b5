"""The binding's calls on the sample articles and on articles written here."""
import inspect
import pathlib
import tracemalloc

import pytest

import newsdex


def article(i, **kw):
    a = {"id": "t-%03d" % i, "title": "Test article %d" % i, "date": "2010-01-%02d" % (i % 28 + 1),
         "source": "Test Wire", "body": "Lighthouse keepers count gulls number %d on the rocks." % i}
    a.update(kw)
    return a


# ---- module -----------------------------------------------------------------

def public_names():
    return [n for n in dir(newsdex) if not n.startswith("_") and n != "ND_VERSION"]


def test_every_public_name_has_a_docstring():
    assert newsdex.__doc__ and len(newsdex.__doc__) > 200
    missing = []
    for name in public_names():
        obj = getattr(newsdex, name)
        if not (inspect.isclass(obj) or callable(obj)):
            continue
        if not (obj.__doc__ or "").strip():
            missing.append(name)
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_") and attr not in ("__enter__", "__exit__"):
                    continue
                if not (getattr(member, "__doc__", None) or "").strip():
                    missing.append(name + "." + attr)
    assert missing == []


def test_version_and_strerror():
    assert newsdex.__version__ == newsdex.ND_VERSION
    assert newsdex.strerror(0) == "ok"
    assert "query" in newsdex.strerror(-5)
    assert newsdex.strerror(-999)  # never empty


# ---- open, close ------------------------------------------------------------

def test_open_is_read_only_by_default(sample_archive):
    ix = newsdex.open(sample_archive)
    assert not ix.writable and not ix.closed and ix.path == sample_archive
    assert "read-only" in repr(ix)
    ix.close()
    assert ix.closed and "closed" in repr(ix)


def test_close_twice_and_closed_use(sample_archive):
    ix = newsdex.open(sample_archive)
    ix.close()
    ix.close()
    for call in (lambda: ix.search("harbour"), lambda: ix.get("sample-001"), ix.stats, ix.commit,
                 lambda: ix.add({"body": "x"}), lambda: ix.links("sample-001"), lambda: len(ix),
                 lambda: "sample-001" in ix, ix.check, ix.refresh):
        with pytest.raises(ValueError, match="closed"):
            call()
    with pytest.raises(ValueError):
        with ix:
            pass


def test_with_closes(sample_archive):
    with newsdex.open(sample_archive) as ix:
        assert len(ix) == 36
    assert ix.closed


def test_path_like_and_index_class(sample_archive):
    with newsdex.Index(pathlib.Path(sample_archive)) as ix:
        assert ix.search("harbour").total == 9
        assert ix.path == sample_archive


def test_missing_archive(tmp_path):
    with pytest.raises(newsdex.NotFoundError) as e:
        newsdex.open(str(tmp_path / "none"))
    assert "no archive" in str(e.value)
    assert e.value.status == -6


def test_create_with_language(tmp_path):
    with newsdex.open(str(tmp_path / "fr"), create=True, language="none") as ix:
        assert ix.writable
        ix.add({"id": "x", "body": "Les chats mangent"})
    with newsdex.open(str(tmp_path / "fr")) as ix:
        assert ix.stats()["language"] == "none"
        assert ix.search("chats").total == 1
        assert ix.search("chat").total == 0  # no stemming


# ---- search -----------------------------------------------------------------

def test_search_basics(ix):
    res = ix.search("harbour", limit=3)
    assert isinstance(res, newsdex.Results)
    assert res.total == 9 and res.total_exact is True
    assert len(res) == 3 and res.limit == 3 and res.offset == 0 and res.query == "harbour"
    hits = list(res)
    assert hits == res.hits and res[0] == hits[0] and res[-1] == hits[-1] and res[1:] == hits[1:]
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    for h in hits:
        assert isinstance(h, newsdex.Hit)
        assert h.id.startswith("sample-") and h.title and h.date and h.source and h.url
        assert "[harbour]" in h.snippet.lower()
    assert "9 total" in repr(res)
    with pytest.raises(IndexError):
        res[3]
    res.hits[0] = 5  # a copy: the Results keep their hits
    assert res.hits == hits and res.to_dicts() == [h.to_dict() for h in hits]


def test_search_paging(ix):
    every = [h.id for h in ix.search("harbour OR council", limit=30)]
    assert len(every) > 6
    page = [h.id for h in ix.search("harbour OR council", limit=3, offset=3)]
    assert page == every[3:6]
    past = ix.search("harbour OR council", offset=1000)
    assert len(past) == 0 and past.total == len(every) and not past


def test_search_sort_by_date(ix):
    dates = [h.date[:10] for h in ix.search("harbour", sort="date", limit=20)]
    assert dates == sorted(dates, reverse=True)


def test_search_snippet_options(ix):
    plain = ix.search("harbour", limit=1)[0].snippet
    html = ix.search("harbour", limit=1, snippets="html")[0].snippet
    mine = ix.search("harbour", limit=1, highlight=("<<", ">>"), snippet_chars=60)[0].snippet
    none = ix.search("harbour", limit=1, snippets=False)[0]
    assert "[harbour]" in plain and "<mark>harbour</mark>" in html and "<<harbour>>" in mine
    assert len(mine) < len(plain)
    assert none.snippet is None and none.title


def test_search_ids_only(ix):
    full = ix.search("storm", limit=5)
    ids = ix.search("storm", limit=5, ids_only=True)
    assert [h.id for h in ids] == [h.id for h in full]
    assert [h.score for h in ids] == [h.score for h in full]
    assert all(h.title is None and h.snippet is None and h.date is None for h in ids)


def test_search_lower_bound_count(ix):
    exact = ix.search("harbour OR storm OR council", limit=2)
    lower = ix.search("harbour OR storm OR council", limit=2, count="lower_bound")
    assert [h.id for h in lower] == [h.id for h in exact]
    assert 2 <= lower.total <= exact.total
    assert isinstance(lower.total_exact, bool)
    if lower.total_exact:
        assert lower.total == exact.total
    else:
        assert "at least %d total" % lower.total in repr(lower)


def test_count_only(ix):
    want = ix.search("harbour OR storm", limit=1).total
    for kw in ({"limit": 0}, {"count": "only"}, {"limit": 0, "count": "lower_bound"}):
        res = ix.search("harbour OR storm", **kw)
        assert len(res) == 0 and res.total == want and res.total_exact is True, kw
    res = ix.search("harbour", limit=0, facets=["source"], histogram="year")
    assert len(res) == 0 and res.facets["source"] and sum(res.histogram.values()) + res.undated == res.total


def test_facets_and_histogram(ix):
    res = ix.search("harbour", facets=["people", "source"], histogram="year", facet_limit=3)
    assert list(res.facets) == ["people", "source"]
    src = res.facets["source"]
    assert 1 <= len(src) <= 3
    counts = list(src.values())
    assert counts == sorted(counts, reverse=True)
    # whole sources as written; each filters the search to its count
    assert "Harbourtown Ledger" in src
    for value, count in src.items():
        assert ix.search('harbour source:"%s"' % value.replace('"', " "), limit=0).total == count, value
    assert sum(res.histogram.values()) + res.undated == res.total
    assert list(res.histogram) == sorted(res.histogram)
    assert all(len(k) == 4 for k in res.histogram)
    one = ix.search("harbour", facets="places")
    assert list(one.facets) == ["places"]
    months = ix.search("harbour", histogram="month")
    assert months.facets == {} and all(len(k) == 7 for k in months.histogram)
    assert ix.search("harbour").facets == {} and ix.search("harbour").histogram == {}


def test_unknown_facet_field(ix):
    with pytest.raises(newsdex.InvalidArgumentError):
        ix.search("harbour", facets=["colour"])


def test_results_as_dicts(ix):
    res = ix.search("storm OR harbour", limit=5)
    rows = res.to_dicts()
    assert rows == list(map(dict, res)) == [h.to_dict() for h in res]
    assert all(isinstance(r, dict) for r in rows)
    keys = ["id", "score", "title", "headline", "date", "source", "url", "snippet", "versions", "story", "thread"]
    assert all(list(r) == keys for r in rows)
    # what pandas.DataFrame(rows) builds: one column per key, one row per hit
    columns = {k: [r[k] for r in rows] for k in rows[0]}
    assert len(columns["id"]) == len(res) and columns["id"][0] == res[0].id


def test_hit_mapping_protocol(ix):
    from collections.abc import Mapping
    h = ix.search("harbour", limit=1)[0]
    assert isinstance(h, Mapping)
    assert h["id"] == h.id and h.get("title") == h.title and h.get("nope", 7) == 7
    assert "score" in h and "nope" not in h and 5 not in h
    assert list(h) == h.keys() and len(h) == 11
    assert h.items()[0] == ("id", h.id) and h.values()[1] == h.score
    with pytest.raises(KeyError):
        h["nope"]
    with pytest.raises(AttributeError):
        h.id = "x"
    with pytest.raises(TypeError):
        hash(h)
    assert repr(h).startswith("newsdex.Hit(id=")


def test_related_and_suggest(ix):
    rel = ix.related("sample-001", limit=5)
    assert 0 < len(rel) <= 5 and "sample-001" not in [h.id for h in rel]
    assert rel.query == "sample-001"
    with pytest.raises(newsdex.NotFoundError):
        ix.related("no-such-article")
    sug = ix.suggest("harb")
    assert sug and all(isinstance(t, str) and isinstance(n, int) and t.startswith("harb") for t, n in sug)
    assert [n for _, n in sug] == sorted((n for _, n in sug), reverse=True)
    assert ix.suggest("harb", limit=1) == sug[:1]
    assert ix.suggest("") == [] and ix.suggest(" !") == []  # folds to nothing


# ---- articles -----------------------------------------------------------------

def test_get_document(ix, samples):
    want = samples[0]
    d = ix.get(want["id"])
    assert isinstance(d, newsdex.Document)
    for k in ("id", "title", "date", "source", "url", "body"):
        assert d[k] == want[k] and getattr(d, k) == want[k]
    assert d.marked == () and d.extra == {}
    assert list(d) == ["id", "title", "date", "source", "url", "body", "marked", "extra"]
    assert "..." in repr(d)


def test_missing_document(ix):
    with pytest.raises(newsdex.NotFoundError) as e:
        ix.get("no-such-id")
    assert isinstance(e.value, KeyError) and isinstance(e.value, newsdex.Error)
    assert str(e.value) == 'no article with id "no-such-id"'
    assert "no-such-id" not in ix and "sample-001" in ix


def test_add_and_commit(tmp_path):
    path = str(tmp_path / "a.ndx")
    ix = newsdex.open(path, create=True)
    assert ix.add(article(1)) == "t-001"
    assert ix.add(article(i) for i in range(2, 5)) == ["t-002", "t-003", "t-004"]
    assert ix.search("lighthouse").total == 0  # a writer searches its last commit
    ix.commit()
    assert ix.search("lighthouse").total == 4 and len(ix) == 4
    ix.add(article(2, title="Replaced"))
    ix.commit()
    assert len(ix) == 4 and ix.get("t-002").title == "Replaced"
    ix.close()
    with newsdex.open(path) as r:
        assert r.search("lighthouse").total == 4


def test_with_commits_a_writer_unless_an_exception(tmp_path):
    path = str(tmp_path / "w.ndx")
    with newsdex.open(path, create=True) as ix:
        ix.add(article(1))
    with pytest.raises(RuntimeError):
        with newsdex.open(path, writable=True) as ix:
            ix.add(article(2))
            raise RuntimeError("stop")
    with newsdex.open(path) as ix:
        assert len(ix) == 1 and "t-001" in ix and "t-002" not in ix


def test_add_many_in_batches(tmp_path):
    path = str(tmp_path / "many.ndx")
    with newsdex.open(path, create=True, threads=2) as ix:
        ids = ix.add(article(i) for i in range(700))  # more than one batch
        assert ids == ["t-%03d" % i for i in range(700)]
    with newsdex.open(path) as ix:
        assert len(ix) == 700
        assert ix.search("gulls", limit=1).total == 700
        assert ix.get("t-650").body.endswith("number 650 on the rocks.")


def test_derived_ids_extra_fields_and_markers(tmp_path):
    with newsdex.open(str(tmp_path / "x.ndx"), create=True) as ix:
        a = ix.add({"body": "A ferry (search) left the quay.", "section": "transport", "extra": {"rank": 2},
                    "marked": ["quay"]})
        b = ix.add({"id": 42, "body": "Numbers as ids are written in decimal.", "title": ""})
        assert a and isinstance(a, str) and b == "42"
        assert ix.add({"body": "A ferry (search) left the quay.", "section": "transport",
                       "extra": {"rank": 2}, "marked": ["quay"]}) == a  # stable derived id
        ix.commit()
        d = ix.get(a)
        assert d.body == "A ferry left the quay."
        assert set(d.marked) == {"quay", "ferry"} or set(d.marked) == {"quay", "A ferry"}
        assert d.extra == {"rank": 2, "section": "transport"}
        assert ix.get("42").title is None  # "" is absent
        # a Document goes back in as it came out
        ix.add(dict(d, id="copy"))
        ix.commit()
        c = ix.get("copy")
        assert (c.title, c.body, c.extra) == (d.title, d.body, d.extra)


def test_title_only_article(tmp_path):
    with newsdex.open(str(tmp_path / "t.ndx"), create=True) as ix:
        assert ix.add({"id": "t", "title": "Headline with no story"}) == "t"
    with newsdex.open(str(tmp_path / "t.ndx")) as ix:
        d = ix.get("t")
        assert d.body == "" and d.title == "Headline with no story" and d.links == []
        assert [h.id for h in ix.search("story")] == ["t"]


def test_non_ascii_round_trip(tmp_path):
    a = {"id": "ærø-1", "title": "Ærøskøbing fête: 🎉 naïve café", "source": "Dagbladet Æ",
         "body": "Der Bürgermeister von Zürich sagte: «Ça va?» 東京 und 🎉 Grüße. Straße.", "séction": "ünï"}
    with newsdex.open(str(tmp_path / "u.ndx"), create=True) as ix:
        assert ix.add(a) == "ærø-1"
    with newsdex.open(str(tmp_path / "u.ndx")) as ix:
        d = ix.get("ærø-1")
        assert (d.title, d.source, d.body, d.extra) == (a["title"], a["source"], a["body"], {"séction": "ünï"})
        for q in ("zürich", "ZÜRICH", "Bürgermeister", "café", "東京", 'title:"naïve café"'):
            assert [h.id for h in ix.search(q)] == ["ærø-1"], q
        snip = ix.search("zürich")[0].snippet
        assert "[Zürich]" in snip


def test_delete_optimize_stats_check(archive_copy):
    with newsdex.open(archive_copy, writable=True) as ix:
        before = ix.stats()
        assert before["articles"] == 36 and before["deleted"] == 0
        ix.delete("sample-001")
        with pytest.raises(newsdex.NotFoundError):
            ix.delete("no-such-id")
        ix.commit()
        st = ix.stats()
        assert st["articles"] == 35 and st["deleted"] == 1 and st["generation"] == before["generation"] + 1
        assert "sample-001" not in ix
        ix.add(article(1))
        ix.commit()
        assert ix.stats()["segments"] == 2
        ix.optimize()
        st = ix.stats()
        assert st["segments"] == 1 and st["deleted"] == 0 and st["articles"] == 36
        assert set(st) == {"articles", "deleted", "segments", "terms", "bytes", "stored_bytes", "generation",
                           "language"}
        rep = ix.check()
    assert rep["ok"] is True and rep["problems"] == 0 and rep["details"] == []
    assert rep["articles"] == 36 and rep["segments"] == 1 and rep["bytes"] > 0


def test_check_finds_damage(archive_copy):
    seg = max((p for p in pathlib.Path(archive_copy).iterdir() if p.name.startswith("s")),
              key=lambda p: p.stat().st_size)
    data = bytearray(seg.read_bytes())
    data[len(data) // 2] ^= 0xFF
    seg.write_bytes(bytes(data))
    rep = newsdex.check(archive_copy)
    assert rep["ok"] is False and rep["problems"] >= 1
    assert rep["details"] and seg.name in rep["details"][0]


def test_check_missing(tmp_path):
    with pytest.raises(newsdex.NotFoundError):
        newsdex.check(str(tmp_path / "none"))


def test_refresh_sees_other_commits(archive_copy):
    with newsdex.open(archive_copy) as reader, newsdex.open(archive_copy, writable=True) as writer:
        writer.add(article(1))
        writer.commit()
        assert "t-001" not in reader
        reader.refresh()
        assert "t-001" in reader and len(reader) == 37


# ---- links --------------------------------------------------------------------

def test_document_links(ix):
    d = ix.get("sample-001")
    topics = d.links
    assert 1 <= len(topics) <= 3 and topics == d.links
    scores = [t.score for t in topics]
    assert scores == sorted(scores, reverse=True)
    for t in topics:
        assert isinstance(t, newsdex.Topic)
        assert t.type in ("person", "organisation", "place", "other")
        assert 0 <= t.start < t.end <= len(d.body) and t.mentions >= 1 and t.articles >= 1
        assert d.body[t.start:t.end] in t.text or t.text in d.body[t.start:t.end] or t.text.endswith(
            d.body[t.start:t.end])
    assert ix.links("sample-001") == topics
    five = ix.links("sample-001", k=5)
    assert five[:len(topics)] == topics and len(five) <= 5
    assert ix.links(d) == topics  # a dict (here a Document) linked with the archive's statistics
    with pytest.raises(newsdex.NotFoundError):
        ix.links("no-such-id")
    with pytest.raises(ValueError):
        ix.links("sample-001", k=0)


def test_links_without_archive_and_offsets_in_characters():
    body = "Après la réunion, Jean-Claude Dupré a quitté Genève. Le maire de Genève, Jean-Claude Dupré, a parlé."
    topics = newsdex.links({"title": "Genève: réunion", "body": body}, k=5)
    assert topics
    for t in topics:
        assert t.articles == 0
        assert body[t.start:t.end] == t.text or t.text.endswith(body[t.start:t.end]) or \
            body[t.start:t.end] in t.text
    with pytest.raises(newsdex.InvalidArgumentError):
        newsdex.links({"title": "no body"})


# ---- memory -------------------------------------------------------------------

def test_repeated_calls_do_not_leak(ix):
    query = "harbour OR storm"

    def work():
        for _ in range(50):
            res = ix.search(query, facets=["people", "source"], histogram="year")
            res.to_dicts()
            ix.get("sample-002").links
            try:
                ix.search("(broken")
            except newsdex.QueryError:
                pass
            try:
                ix.get("missing")
            except KeyError:
                pass

    work()
    refs = __import__("sys").getrefcount(query)
    tracemalloc.start()
    work()
    first, _ = tracemalloc.get_traced_memory()
    work()
    work()
    second, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert __import__("sys").getrefcount(query) == refs
    assert second - first < 64 * 1024, (first, second)
