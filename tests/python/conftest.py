"""Fixtures of the Python binding's tests.

The tests use the project's own sample articles (samples/) and articles
they write themselves.  NEWSDEX_CLI names the `newsdex` command of the same
build, for the tests that compare the binding with it.
"""
import json
import os
import shutil
import subprocess

import pytest

import newsdex

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SAMPLES = os.path.join(TOP, "samples", "articles.jsonl")
# Three invented stories told over two weeks by several outlets, with wire
# copies (th:a82 of th:a02, th:b83 of th:b03, th:c83 of th:c03).
THREADS = os.path.join(TOP, "tests", "fixtures", "threads.jsonl")

# Undated articles for the stories archive: a copy of th:a05 run again
# without a date, and an article of its own.
UNDATED = [
    {"id": "un:a05", "title": "Engineers warned of Kessel Bridge corrosion, report shows", "source": "Ambry Evening News",
     "body": "Engineers had warned the Port Varnhelm city council about corrosion on the Kessel Bridge five years "
             "before it collapsed into the Ambry River, according to a report seen by the Daily Ledger.\n\nThe "
             "report, written for the Varnhelm Harbour Authority in 2018, said that the bearings of the central "
             "spans needed replacement within three years. Mayor Ilse Varga, who took office in 2020, said on "
             "Monday she had not seen it and ordered an inquiry into why the work had not been done.\n\nDr. "
             "Tomas Reyk of the Halvard Structural Institute said the findings matched what his team had seen in "
             "the wreckage but that it was too early to name a single cause. The body of the last missing person "
             "was recovered on Sunday."},
    {"id": "un:k01", "title": "Letters: the Kessel Bridge and the river", "source": "Ambry Evening News",
     "body": "Readers write that the old Kessel Bridge was loved by tram drivers and anglers alike, and ask the "
             "council to keep a footpath across the Ambry River while the new span is designed."},
]


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def read_samples():
    return read_jsonl(SAMPLES)


def stories_articles():
    """The articles of the stories archive, in the order they are added."""
    return read_jsonl(THREADS) + read_samples() + UNDATED


@pytest.fixture(scope="session")
def samples():
    """The sample articles, as a list of dicts."""
    return read_samples()


@pytest.fixture(scope="session")
def sample_archive(tmp_path_factory):
    """An archive of the sample articles, made with the binding (do not
    change it; copy it with archive_copy)."""
    path = str(tmp_path_factory.mktemp("samples") / "samples.ndx")
    with newsdex.open(path, create=True) as ix:
        ix.add(read_samples())
    return path


@pytest.fixture(scope="session")
def stories_archive(tmp_path_factory):
    """An archive with wire copies, story threads and undated articles: the
    invented stories of tests/fixtures/threads.jsonl, the samples and
    UNDATED (do not change it)."""
    path = str(tmp_path_factory.mktemp("stories") / "stories.ndx")
    with newsdex.open(path, create=True) as ix:
        ix.add(stories_articles())
    return path


@pytest.fixture
def six(stories_archive):
    """The stories archive opened read-only."""
    with newsdex.open(stories_archive) as index:
        yield index


@pytest.fixture
def archive_copy(sample_archive, tmp_path):
    """A copy of the sample archive this test may change."""
    path = str(tmp_path / "copy.ndx")
    shutil.copytree(sample_archive, path)
    return path


@pytest.fixture
def ix(sample_archive):
    """The sample archive opened read-only."""
    with newsdex.open(sample_archive) as index:
        yield index


@pytest.fixture(scope="session")
def cli():
    """A function running the newsdex command and returning its stdout;
    skips the test when the command was not built."""
    exe = os.environ.get("NEWSDEX_CLI") or os.path.join(TOP, "build", "newsdex")
    if not os.access(exe, os.X_OK):
        pytest.skip("the newsdex command is not built (%s)" % exe)

    def run(*args, check=True):
        p = subprocess.run([exe, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           check=False)
        if check and p.returncode != 0:
            raise AssertionError("newsdex %s: exit %d: %s" % (" ".join(args), p.returncode,
                                                              p.stderr.decode(errors="replace")))
        return p.stdout.decode()

    return run
