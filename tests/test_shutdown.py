"""How a scan ends: no traceback whatever the ending, nothing of the worker pool left for the interpreter's exit,
and SIGINT/SIGTERM storing the batch in flight whole or not at all (issue 16).

The full stress (200 runs) is a row of benchmarks/reliability.py; here a few
runs of each ending, under load, and the pool's teardown checked directly.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import shutdown_helpers as sh  # noqa: E402
from conftest import CORPUS, RULES  # noqa: E402

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork, /proc and process groups: Linux")


def _scanner_state(tmp_path: Path, cli_run) -> Path:
    """A registry of corpus/works, and the scan state a worker inherits (as run_scan sets it)."""
    from compliance.registry import Registry
    from compliance.rules import load_rules
    from compliance.scan import _WORKER, Scanner

    assert cli_run("register", CORPUS / "works").exit_code == 0
    db = tmp_path / "registry.db"
    registry = Registry(db, create=False)
    _WORKER.update(scanner=Scanner(registry, load_rules(RULES)), check_known=False)
    return db


def _documents() -> list:
    from compliance.inputs import ReadOptions, iter_documents

    return [d for d in iter_documents([str(CORPUS / "crawl")], ReadOptions()) if not isinstance(d, Exception)]


@pytest.mark.parametrize("abort", [False, True], ids=["finished", "interrupted"])
def test_the_pool_leaves_no_thread_pipe_or_process_for_the_interpreters_exit(tmp_path, cli_run, abort):
    """Once the pool is closed, finished or interrupted mid-batch, no thread of it runs, no worker lives and
    no exit hook holds one of its pipes: nothing can write to a closed pipe at exit (the old pool's manager
    thread was still closing its wake-up pipe when concurrent.futures' exit hook wrote to it)."""
    import multiprocessing
    from concurrent.futures import process as cf_process

    from compliance.pool import WorkerPool
    from compliance.scan import _WORKER, _doc_error, _scan_batch, _worker_init

    db = _scanner_state(tmp_path, cli_run)
    before = set(threading.enumerate())
    docs = _documents()
    try:
        pool = WorkerPool(2, str(db), _scan_batch, _worker_init, _doc_error)
        handles = [(docs[:6], pool.submit(docs[:6])), (docs[6:], pool.submit(docs[6:]))]
        if not abort:
            assert [o[0] for d, h in handles for o in pool.result(d, h)].count("done") == len(docs)
        pool.close(abort=abort)
    finally:
        _WORKER.clear()
    assert set(threading.enumerate()) <= before
    assert multiprocessing.active_children() == []
    assert not [w for w in cf_process._threads_wakeups.values() if not w._closed]


def test_a_signal_while_a_batch_is_stored_lets_that_batch_finish_whole(tmp_path, cli_run):
    """SIGTERM arriving while a batch's findings are being printed stops the scan only once that batch is
    stored and every finding of it printed; the run is marked interrupted and the exception says so (143)."""
    import sqlite3

    from compliance.registry import Registry
    from compliance.rules import load_rules
    from compliance.scan import Interrupted, ScanOptions, run_scan, stop_on_signals

    assert cli_run("register", CORPUS / "works").exit_code == 0
    db = tmp_path / "registry.db"
    docs = _documents()
    printed: list[str] = []

    def on_finding(f) -> None:  # noqa: ANN001
        if not printed:
            os.kill(os.getpid(), signal.SIGTERM)
        printed.append(f.id)

    with Registry(db, create=False) as registry, stop_on_signals(), pytest.raises(Interrupted) as info:
        run_scan(registry, load_rules(RULES), docs[:5] + docs[5:], inputs=["crawl"],
                 options=ScanOptions(workers=1, batch_docs=5), on_finding=on_finding)
    stop = info.value
    assert stop.exit_code == 143 and stop.while_storing
    assert len(printed) > 1  # the rest of the first batch was printed after the signal
    assert stop.paragraph().startswith("Interrupted by SIGTERM while storing a batch: that batch was stored first")
    conn = sqlite3.connect(db)
    stored = {r[0] for r in conn.execute("SELECT id FROM findings")}
    status, documents = conn.execute("SELECT status, documents FROM scan_runs").fetchone()
    conn.close()
    assert stored == set(printed) and status == "interrupted" and documents == 5 == stop.summary.documents
    assert stop.unstored == 0  # one worker: the next batch had not been read yet


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> tuple[Path, Path, Path]:
    return sh.make_workspace(tmp_path_factory.mktemp("shutdown"), pages=1000)  # long enough that signals land mid-scan


def test_scans_under_load_end_without_a_traceback_however_they_end(workspace):
    """With both cores busy, scans with two workers that end normally, lose their stdout reader, get SIGTERM
    or Ctrl-C, or lose a worker to SIGKILL exit 0, 0, 143, 130 and 0, with no traceback on stderr."""
    db, small, big = workspace
    with sh.Load():
        tally = sh.run_trials(db, small, big, runs=len(sh.ENDINGS) + 1)
    assert tally.count() == (0, len(sh.ENDINGS) + 1), tally.failures()
    assert {e: codes for e, codes in tally.exit_codes().items()} == {e: [c] for e, c in sh.EXPECTED_EXIT.items()}
