"""Concurrency: scans, reports and registrations sharing one registry all finish, with no "database is locked".

The registry runs in WAL mode with a busy timeout on every connection, and
every write transaction begins with ``BEGIN IMMEDIATE`` (a deferred
transaction that upgrades from reader to writer fails at once with
SQLITE_BUSY when another process committed meanwhile, whatever the busy
timeout).  These tests run the processes truly at once and compare the end
state with sequential runs.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from crash_helpers import cmd, env, make_inputs, register_args, registry_state, run_to_end
from compliance.migrations import SCHEMA_VERSION

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> dict[str, Path]:
    """A registered base registry and two crawls with different pages (JSONL halves of one export)."""
    folder = tmp_path_factory.mktemp("conc")
    works, crawl = make_inputs(folder, padding=120, pages=240)
    base = folder / "base.db"
    r = run_to_end(base, register_args(works))
    assert r.returncode == 0, r.stderr
    rows = (crawl / "synthetic.jsonl").read_text().splitlines()
    a, b = folder / "a.jsonl", folder / "b.jsonl"
    a.write_text("\n".join(rows[::2]) + "\n")
    b.write_text("\n".join(rows[1::2] + rows[:40:4]) + "\n")  # a few pages in both: the same rows, stored once
    return {"works": works, "base": base, "a": a, "b": b, "corpus": crawl}


def _popen(db: Path, *args: str) -> subprocess.Popen:
    """Output to files, not pipes: a pipe nobody reads until the end fills up and blocks the child."""
    import tempfile

    out = tempfile.TemporaryFile("w+", encoding="utf-8")
    err = tempfile.TemporaryFile("w+", encoding="utf-8")
    proc = subprocess.Popen(cmd(db, *args), stdout=out, stderr=err, env=env(), text=True)
    proc.files = (out, err)  # type: ignore[attr-defined]
    return proc


def _finish(proc: subprocess.Popen, timeout: float = 180) -> tuple[str, str]:
    """Wait for the child; its stdout and stderr."""
    proc.wait(timeout=timeout)
    texts = []
    for fh in proc.files:  # type: ignore[attr-defined]
        fh.seek(0)
        texts.append(fh.read())
        fh.close()
    return texts[0], texts[1]


def _findings(db: Path) -> dict[str, object]:
    return registry_state(db)["findings"]


def test_two_scans_and_reports_at_once_match_sequential_runs(setup, tmp_path):
    """Two scans of different crawls (two workers each) and reports written in a loop meanwhile, three rounds:
    every process exits 0, none says "database is locked", every report is whole, and the findings and scan
    markers equal those of the two scans run one after the other."""
    seq = tmp_path / "seq.db"
    shutil.copy(setup["base"], seq)
    for part in ("a", "b"):
        r = run_to_end(seq, ["scan", str(setup[part]), "--workers", "1", "--quiet"])
        assert r.returncode == 0, r.stderr
    expected = registry_state(seq)
    assert len(expected["findings"]) > 100
    reports = 0
    for round_ in range(3):
        db = tmp_path / f"conc-{round_}.db"
        shutil.copy(setup["base"], db)
        scans = [_popen(db, "scan", str(setup[p]), "--workers", "2", "--format", "jsonl", "--quiet")
                 for p in ("a", "b")]
        while any(p.poll() is None for p in scans):
            out = tmp_path / f"reports-{round_}-{reports}"
            rep = run_to_end(db, ["report", "--out", str(out)])
            assert rep.returncode == 0, rep.stderr
            assert "locked" not in rep.stderr
            json.loads((out / "summary.json").read_text())  # whole, not half written
            assert (out / "summary.html").read_text().rstrip().endswith("</html>")
            reports += 1
        printed: list[str] = []
        for p in scans:
            out, err = _finish(p)
            assert p.returncode == 0, err
            assert "database is locked" not in err and "Traceback" not in err
            printed += [json.loads(ln)["id"] for ln in out.splitlines()]
        state = registry_state(db)
        assert state["findings"] == expected["findings"]
        assert state["counts"] == expected["counts"]
        assert set(printed) == set(expected["findings"])
        conn = sqlite3.connect(db)
        assert [r[0] for r in conn.execute("SELECT status FROM scan_runs")] == ["done", "done"]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.close()
    assert reports >= 3


def test_registers_and_a_scan_at_once_on_a_new_registry(setup, tmp_path):
    """Two registrations of different works on a registry that does not exist yet (both create and migrate
    it), then one more registration while a scan reads it: all exit 0 without "database is locked", and the
    registry holds every work once."""
    works = setup["works"]
    half_a, half_b = tmp_path / "wa", tmp_path / "wb"
    half_a.mkdir()
    half_b.mkdir()
    pads = sorted((works / "pad").iterdir())
    for i, p in enumerate(pads):
        shutil.copy(p, (half_a if i % 2 else half_b) / p.name)
    db = tmp_path / "new.db"
    regs = [_popen(db, "register", str(h), "--batch-size", "8", "--workers", "1") for h in (half_a, half_b)]
    for p in regs:
        _, err = _finish(p)
        assert p.returncode == 0, err
        assert "locked" not in err and "Traceback" not in err
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM works").fetchone()[0] == len(pads)
    assert conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == SCHEMA_VERSION  # migrated once
    conn.close()
    scan = _popen(db, "scan", str(setup["a"]), "--workers", "2", "--quiet")
    time.sleep(0.3)
    reg = run_to_end(db, ["register", str(setup["works"]), "--batch-size", "4", "--workers", "1"])
    out, err = _finish(scan)
    assert reg.returncode == 0 and "locked" not in reg.stderr, reg.stderr
    assert scan.returncode == 0 and "locked" not in err, err
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM works").fetchone()[0] == len(registry_state(setup["base"])["works"])
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
