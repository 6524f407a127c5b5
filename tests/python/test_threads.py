"""Threads: one Index shared by several threads, and the GIL released while
the library works.  No test depends on timing: a broken lock or a GIL held
in a blocking call shows as a wrong result or as a hang, and the hang-prone
test runs in a child process with a (generous) deadline."""
import os
import subprocess
import sys
import textwrap
import threading

import newsdex

QUERIES = ["harbour", "storm OR flood", "council -harbour", '"inner harbour"', "title:council", "date:2004",
           "harbour OR storm OR council OR ferry", "school", "rail OR road"]


def run_threads(n, target):
    errors = []

    def wrap(i):
        try:
            target(i)
        except BaseException as e:  # noqa: B902 - reported below
            errors.append(e)

    threads = [threading.Thread(target=wrap, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]


def signature(res):
    return res.total, [(h.id, h.score, h.snippet) for h in res]


def test_concurrent_searches_on_one_handle(ix):
    want = {q: signature(ix.search(q, limit=5, facets=["source"])) for q in QUERIES}
    shared = ix.get("sample-001")  # its links are computed (once) by whichever thread reads them first
    want_links = ix.links("sample-001")
    got = []

    def worker(i):
        for k in range(40):
            q = QUERIES[(i + k) % len(QUERIES)]
            res = ix.search(q, limit=5, facets=["source"])
            got.append(signature(res) == want[q])
            ix.get("sample-%03d" % (k % 36 + 1))
            if k % 10 == 0:
                got.append(ix.links("sample-001") == want_links)
            if k < 3:
                got.append(shared.links == want_links)

    run_threads(4, worker)
    assert len(got) == 4 * (40 + 4 + 3) and all(got)


def test_writer_thread_and_reader_threads(archive_copy):
    n_batches, per_batch = 5, 20
    seen = []

    with newsdex.open(archive_copy, writable=True) as writer, newsdex.open(archive_copy) as reader:
        def write(_):
            for b in range(n_batches):
                writer.add({"id": "w-%d-%d" % (b, i), "body": "Thread writer lantern %d %d" % (b, i)}
                           for i in range(per_batch))
                writer.commit()

        def read(_):
            last = 0
            for _ in range(60):
                reader.refresh()
                total = reader.search("lantern", limit=1).total
                assert total >= last and total % per_batch == 0
                last = total
            seen.append(last)

        threads_done = []

        def both(i):
            (write if i == 0 else read)(i)
            threads_done.append(i)

        run_threads(3, both)
        assert sorted(threads_done) == [0, 1, 2]
        reader.refresh()
        assert reader.search("lantern").total == n_batches * per_batch
        assert len(reader) == 36 + n_batches * per_batch


def test_threads_sharing_a_writable_handle(archive_copy):
    with newsdex.open(archive_copy, writable=True) as ix:
        counts = []

        def work(i):
            if i == 0:
                for b in range(10):
                    ix.add([{"id": "s-%d-%d" % (b, k), "body": "Shared handle beacon"} for k in range(10)])
                    ix.commit()
            else:
                for _ in range(100):
                    counts.append(ix.search("beacon", limit=1).total)

        run_threads(3, work)
        assert all(c % 10 == 0 for c in counts)
        assert ix.search("beacon").total == 100


GIL_SCRIPT = textwrap.dedent("""
    import errno, os, sys, threading, time
    import newsdex

    path = sys.argv[1]
    manifest = os.path.join(path, "MANIFEST")
    with open(manifest, "rb") as f:
        data = f.read()
    ix = newsdex.open(path)
    want = ix.search("harbour").total

    # MANIFEST becomes a FIFO: refresh() will wait inside the library,
    # holding the index's lock, until this thread writes the manifest into it.
    os.mkfifo(manifest + ".fifo")
    os.replace(manifest + ".fifo", manifest)
    done = {}

    def refresh():
        ix.refresh()
        done["refresh"] = True

    def search():
        done["search"] = ix.search("harbour").total   # waits for the lock

    t1 = threading.Thread(target=refresh, daemon=True)
    t1.start()
    # A writer's non-blocking open succeeds once a reader is in open():
    # this loop only runs if refresh() released the GIL.
    while True:
        try:
            fd = os.open(manifest, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as e:
            if e.errno != errno.ENXIO:
                raise
            time.sleep(0.001)
    # refresh() now reads the FIFO inside the library.  A search on the same
    # handle waits for the lock -- without the GIL, or this thread would
    # never wake from the sleep below and write the manifest.
    t2 = threading.Thread(target=search, daemon=True)
    t2.start()
    time.sleep(0.2)
    assert "search" not in done and "refresh" not in done
    os.set_blocking(fd, True)
    os.write(fd, data)
    os.close(fd)
    t1.join()
    t2.join()
    with open(manifest + ".tmp", "wb") as f:
        f.write(data)
    os.replace(manifest + ".tmp", manifest)
    assert done == {"refresh": True, "search": want}, done
    print("ok")
    """)


def test_gil_released_while_the_library_works(archive_copy):
    env = dict(os.environ)
    p = subprocess.run([sys.executable, "-c", GIL_SCRIPT, archive_copy], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, timeout=300, env=env)
    assert p.returncode == 0 and p.stdout.strip() == "ok", p.stderr


def test_two_handles_in_one_thread(ix):
    # The lock belongs to a handle: two handles of one archive are independent.
    other = newsdex.open(ix.path)
    try:
        assert signature(other.search("harbour")) == signature(ix.search("harbour"))
    finally:
        other.close()
