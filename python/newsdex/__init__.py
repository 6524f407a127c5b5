"""newsdex: search news archives from Python.

A thin layer over the newsdex C library (include/newsdex.h)::

    import newsdex
    with newsdex.open("demo.ndx") as ix:              # read-only by default
        res = ix.search('topic:"NATO" date:2004', limit=10, facets=["people"])
        for hit in res:
            print(hit.id, hit.score, hit.title, hit.snippet)
        print(res.total, res.facets["people"])
        doc = ix.get("sample-001")                     # a Document
        for topic in doc.links:                        # its key topics
            print(topic.text, topic.type, doc.body[topic.start:topic.end])

    with newsdex.open("new.ndx", create=True) as ix:  # committed on leaving
        ix.add({"id": "a1", "title": "Harbour reopens", "body": "The harbour..."})
        ix.add(articles)                               # any iterable of dicts

Wire copies of one story are collapsed to one hit unless asked for
(versions="all"); recency="30d" favours recent articles; stories and
threads are read back with ix.versions(id), ix.threads(), ix.thread(key)::

    res = ix.search("bridge collapse", recency="30d", as_of="2023-03-20")
    print(res.total, res.stories, res[0].versions, res[0].thread)
    for t in ix.threads(from_="2023-03", limit=5):
        print(t.key, t.articles, t.stories, t.headline)

Classes: Index (what open() returns), Results, Hit, Document, Topic, Thread.
Errors: Error and one subclass per library status -- OutOfMemoryError,
IOError, NoSpaceError, CorruptError, LockedError, QueryError,
NotFoundError (also a KeyError), InvalidArgumentError (also a ValueError),
ReadOnlyError, VersionError, LimitError.
Functions: open(), check(path), links(article), strerror(status).

An Index may be used from several threads; its calls run one at a time,
with the GIL released while the library works.  See docs/python.md.
"""
from collections.abc import Mapping as _Mapping
from collections.abc import Sequence as _Sequence

from ._newsdex import (  # noqa: F401  (re-exported)
    ND_VERSION,
    CorruptError,
    Document,
    Error,
    Hit,
    Index,
    InvalidArgumentError,
    IOError,
    LimitError,
    LockedError,
    NoSpaceError,
    NotFoundError,
    OutOfMemoryError,
    QueryError,
    ReadOnlyError,
    Results,
    Thread,
    Topic,
    VersionError,
    check,
    links,
    strerror,
)

__version__ = ND_VERSION

# IOError is left out of __all__ so that `from newsdex import *` does not
# hide the built-in name; use newsdex.IOError.
__all__ = [
    "open", "check", "links", "strerror",
    "Index", "Results", "Hit", "Document", "Topic", "Thread",
    "Error", "OutOfMemoryError", "NoSpaceError", "CorruptError",
    "LockedError", "QueryError", "NotFoundError", "InvalidArgumentError",
    "ReadOnlyError", "VersionError", "LimitError",
]

for _cls in (Hit, Document, Topic, Thread):
    _Mapping.register(_cls)
_Sequence.register(Results)
del _cls


def open(path, *, writable=False, create=False, language=None,  # noqa: A001
         buffer_bytes=0, merge_factor=0, threads=0, near_dup=None):
    """Open the newsdex archive in directory `path` and return an Index.

    Read-only by default; writable=True opens it for adding and deleting
    (one writer at a time: another raises LockedError); create=True creates
    the archive if it does not exist (and implies writable).  The other
    options matter to writers: language is the Snowball stemming language
    of a new archive ('english' by default, or 'none', 'french', ...),
    buffer_bytes the analysed text buffered before a segment is written
    (0: 64 MiB), merge_factor how many segments of about one size trigger a
    merge (0: 10, 1: never), threads how many threads prepare articles and
    write segments (0: 2), near_dup the overlap of two articles' 5-word
    shingles (Jaccard, in (0, 1]; None: 0.8) from which the articles this
    handle adds are versions of one story.

    A missing archive opened without create raises NotFoundError.  Use the
    Index in a with block (a writable one is committed when the block ends
    without an exception, then closed) or call close().
    """
    return Index(path, writable=writable, create=create, language=language,
                 buffer_bytes=buffer_bytes, merge_factor=merge_factor,
                 threads=threads, near_dup=near_dup)
