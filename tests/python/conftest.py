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


def read_samples():
    with open(SAMPLES, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


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
