"""Crash safety: SIGKILL during `register` and `scan` at random moments loses nothing that was reported.

Each test kills the command at least 20 times, at seeded random delays over
the length of an uninterrupted run, in chains of five kills on one registry
(so resuming a resumed run is tested too).  After every kill the registry
must open, pass ``PRAGMA integrity_check`` and hold every work or finding
the killed process had printed; each chain then runs to completion and must
equal the uninterrupted reference run exactly.  Inputs: corpus/works and
corpus/crawl plus invented padding, so that a run has many commits to land
between.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from crash_helpers import (make_inputs, register_args, registry_state, run_to_end, run_trials, scan_args,
                           timed)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[Path, Path, Path]:
    """Works, crawl, and a registry with the works registered (the base every scan chain copies)."""
    folder = tmp_path_factory.mktemp("crash")
    works, crawl = make_inputs(folder)
    base = folder / "base.db"
    r = run_to_end(base, register_args(works))
    assert r.returncode == 0, r.stderr
    return works, crawl, base


def _report(tally) -> str:  # noqa: ANN001
    bad = [t for t in tally.trials if not t.ok]
    return "; ".join(t.problem for t in bad[:3])


def test_sigkill_during_register_never_loses_a_reported_work(inputs, tmp_path):
    """20+ kills of `register` (16 works per transaction): after each, the registry opens, is intact and has
    every work printed as 'added'; re-running completes it to exactly the reference registry."""
    works, _, base = inputs
    reference = registry_state(base)
    assert len(reference["works"]) >= 300
    ref_db = tmp_path / "ref.db"
    r, seconds = timed(run_to_end, ref_db, register_args(works))
    assert r.returncode == 0
    tally = run_trials("register", None, register_args(works), reference, seconds, tmp_path, kills=20, seed=11)
    assert tally.kills >= 20, f"only {tally.kills} runs were killed before they ended"
    assert all(t.ok for t in tally.trials), _report(tally)
    assert tally.survived == tally.kills and tally.lost == 0 and tally.completions >= 4
    assert any(t.reported for t in tally.trials if t.killed), "no kill landed after a commit"
    assert any(not t.reported for t in tally.trials if t.killed), "no kill landed before the first commit"


def test_sigkill_during_scan_never_loses_a_reported_finding(inputs, tmp_path):
    """20+ kills of `scan` (one and two workers): after each, the registry opens, is intact and holds every
    finding printed; re-running completes the scan to exactly the reference findings and scan markers."""
    _, crawl, base = inputs
    ref_db = tmp_path / "ref.db"
    shutil.copy(base, ref_db)
    r, seconds = timed(run_to_end, ref_db, scan_args(crawl, 2))
    assert r.returncode == 0, r.stderr
    reference = registry_state(ref_db)
    assert len(reference["findings"]) > 150
    shutil.rmtree(str(ref_db) + ".index", ignore_errors=True)
    tally = run_trials("scan", base, scan_args(crawl, 1), reference, seconds, tmp_path, kills=20, seed=12,
                       args_for=[scan_args(crawl, 1), scan_args(crawl, 2)])
    assert tally.kills >= 20, f"only {tally.kills} runs were killed before they ended"
    assert all(t.ok for t in tally.trials), _report(tally)
    assert tally.survived == tally.kills and tally.lost == 0 and tally.completions >= 4
    assert any(t.reported for t in tally.trials if t.killed), "no kill landed after a commit"


def test_reports_are_written_atomically(tmp_path, monkeypatch):
    """A report write that dies before its rename leaves the previous file whole and no temporary file; the
    new content appears all at once, through a temporary file in the same folder renamed over it."""
    from compliance import atomic

    target = tmp_path / "summary.html"
    atomic.write_atomic(target, "<html>old</html>")
    renames: list[tuple[str, str]] = []
    real_replace = os.replace

    def dying_replace(src, dst):  # noqa: ANN001
        renames.append((str(src), str(dst)))
        raise KeyboardInterrupt  # the process dies between writing and renaming

    monkeypatch.setattr(atomic.os, "replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_atomic(target, "<html>" + "new " * 100_000 + "</html>")
    assert target.read_text() == "<html>old</html>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.html"]
    (src, dst), = renames
    assert Path(src).parent == tmp_path and dst == str(target)
    monkeypatch.setattr(atomic.os, "replace", real_replace)
    atomic.write_atomic(target, "<html>new</html>")
    assert target.read_text() == "<html>new</html>"
