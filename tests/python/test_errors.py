"""Errors: the library's statuses as exceptions, and bad arguments."""
import subprocess
import sys
import textwrap

import pytest

import newsdex


def test_hierarchy():
    for name, extra in [("OutOfMemoryError", MemoryError), ("IOError", OSError), ("CorruptError", None),
                        ("LockedError", None), ("QueryError", ValueError), ("NotFoundError", KeyError),
                        ("InvalidArgumentError", ValueError), ("ReadOnlyError", None),
                        ("NoSpaceError", OSError), ("VersionError", None), ("LimitError", None)]:
        cls = getattr(newsdex, name)
        assert issubclass(cls, newsdex.Error) and cls.__module__ == "newsdex", name
        if extra:
            assert issubclass(cls, extra), name
    assert issubclass(newsdex.NoSpaceError, newsdex.IOError)
    assert issubclass(newsdex.Error, Exception)
    assert "IOError" not in newsdex.__all__ and "QueryError" in newsdex.__all__


def test_read_only_refuses_writes(ix):
    for call in (lambda: ix.add({"body": "x"}), lambda: ix.add([{"body": "x"}]), lambda: ix.delete("sample-001"),
                 ix.commit, ix.optimize):
        with pytest.raises(newsdex.ReadOnlyError) as e:
            call()
        assert e.value.status == -8 and "read-only" in str(e.value)
    assert len(ix) == 36


def test_second_writer_is_locked(archive_copy):
    with newsdex.open(archive_copy, writable=True):
        with pytest.raises(newsdex.LockedError) as e:
            newsdex.open(archive_copy, writable=True)
        assert e.value.status == -4
        with newsdex.open(archive_copy) as reader:  # readers are welcome
            assert len(reader) == 36
    with newsdex.open(archive_copy, writable=True):  # the lock went with the writer
        pass


def test_writer_in_another_process_locks(archive_copy):
    child = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import sys, newsdex
            ix = newsdex.open(sys.argv[1], writable=True)
            print("open", flush=True)
            sys.stdin.readline()
            """), archive_copy],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "open"
        with pytest.raises(newsdex.LockedError):
            newsdex.open(archive_copy, writable=True)
    finally:
        child.communicate("\n", timeout=60)
    with newsdex.open(archive_copy, writable=True):
        pass


def test_query_error_position(ix):
    with pytest.raises(newsdex.QueryError) as e:
        ix.search("(a OR b) c)")
    err = e.value
    assert isinstance(err, ValueError) and err.status == -5
    assert err.offset == err.byte_offset == 10 and err.query == "(a OR b) c)"
    assert "unbalanced" in str(err)
    # offsets count characters; the library's count of bytes is kept too
    q = "café ünïcödé ) x"
    with pytest.raises(newsdex.QueryError) as e:
        ix.search(q)
    assert q[e.value.offset] == ")" and q.encode()[e.value.byte_offset:e.value.byte_offset + 1] == b")"
    assert e.value.byte_offset > e.value.offset
    # facets run the same parser
    with pytest.raises(newsdex.QueryError):
        ix.search('"unclosed', facets=["source"])


def test_bad_argument_types(ix):
    with pytest.raises(TypeError):
        ix.search(123)
    with pytest.raises(TypeError):
        ix.search(b"harbour")
    with pytest.raises(TypeError):
        ix.search("harbour", limit="10")
    with pytest.raises(TypeError):
        ix.search("harbour", limit=1.5)
    with pytest.raises(TypeError):
        ix.search("harbour", 10)  # options are keywords
    with pytest.raises(TypeError):
        ix.search("harbour", nope=1)
    with pytest.raises(TypeError):
        ix.search("harbour", facets=[1])
    with pytest.raises(TypeError):
        ix.search("harbour", facets=5)
    with pytest.raises(TypeError):
        ix.search("harbour", highlight="[]")
    with pytest.raises(TypeError):
        ix.search("harbour", snippets=3)
    with pytest.raises(TypeError):
        ix.get(None)
    with pytest.raises(TypeError):
        ix.get(5)
    with pytest.raises(TypeError):
        5 in ix
    with pytest.raises(TypeError):
        ix.suggest(None)
    with pytest.raises(TypeError):
        ix.links(5)
    with pytest.raises(TypeError):
        newsdex.open(None)
    with pytest.raises(TypeError):
        newsdex.check(5)


def test_bad_argument_values(ix):
    for kw in ({"limit": -1}, {"offset": -1}, {"sort": "size"}, {"count": "some"},
               {"histogram": "hour"}, {"snippets": "rich"}):
        with pytest.raises(ValueError):
            ix.search("harbour", **kw)
    with pytest.raises(ValueError):
        ix.search("harb\0our")
    with pytest.raises(ValueError):
        ix.suggest("harb", limit=0)
    with pytest.raises(ValueError):
        newsdex.open("x", threads=-1)


def test_bad_articles_types(tmp_path):
    with newsdex.open(str(tmp_path / "t.ndx"), create=True) as ix:
        for bad in (5, "a string", b"bytes", None):
            with pytest.raises(TypeError):
                ix.add(bad)
        for doc in ({"body": 5}, {"body": "x", "title": 3}, {"body": "x", "id": 1.5}, {"body": "x", "id": True},
                    {"body": "x", "marked": "one"}, {"body": "x", "marked": [1]}, {"body": "x", "extra": [1]},
                    {"body": "x", 7: "int key"}):
            with pytest.raises(TypeError):
                ix.add(doc)
        with pytest.raises(TypeError):
            ix.add([{"body": "fine"}, 5])
        with pytest.raises(TypeError):
            ix.add({"body": "x", "extra": {"f": object()}})  # not JSON
        with pytest.raises(ValueError):
            ix.add({"body": "nul\0byte"})
        with pytest.raises(ValueError):
            ix.add({"body": "x"}, errors="sometimes")
        with pytest.raises(UnicodeEncodeError):
            ix.add({"body": "lone \udc80 surrogate"})
        ix.commit()
        assert len(ix) == 1  # only the good article before the 5 in the list


def test_invalid_articles(tmp_path):
    with newsdex.open(str(tmp_path / "t.ndx"), create=True) as ix:
        with pytest.raises(newsdex.InvalidArgumentError) as e:
            ix.add({"id": "d", "body": "text", "date": "2004-13-01"})
        assert isinstance(e.value, ValueError) and "13" in str(e.value)
        with pytest.raises(newsdex.InvalidArgumentError):
            ix.add({"id": "e"})  # neither title nor body
        ix.commit()
        assert len(ix) == 0


def test_batch_with_refused_articles(tmp_path):
    docs = [{"id": "a", "body": "fine"}, {"id": "b", "body": "bad", "date": "2004-02-30"},
            {"id": "c", "body": "fine too"}, {"id": "d", "body": "bad", "date": "yesterday"}]
    with newsdex.open(str(tmp_path / "t.ndx"), create=True) as ix:
        with pytest.raises(newsdex.InvalidArgumentError) as e:
            ix.add(iter(docs))
        err = e.value
        assert err.index == 1 and err.id == "b" and err.status == -7
        assert err.ids == ["a", None, "c", None]
        assert [(i, id_) for i, id_, _ in err.failures] == [(1, "b"), (3, "d")]
        assert all(isinstance(x, newsdex.InvalidArgumentError) for _, _, x in err.failures)
        assert "2 of 4 articles refused" in str(err)
        ix.commit()
        assert sorted(h.id for h in ix.search("fine")) == ["a", "c"]  # the good ones were added
        assert ix.add(docs, errors="ignore") == ["a", None, "c", None]
        assert ix.add([]) == []
