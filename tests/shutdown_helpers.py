"""Shutdown trials: short `compliance scan --workers 2` runs ended every way a scan ends, under load.

Shared by tests/test_shutdown.py (a few runs) and benchmarks/reliability.py
(the 200-run row).  Each trial starts a scan in a child process and ends it
one way:

* ``normal``: runs to the end;
* ``head``: stdout is closed after the first finding, as ``| head -1`` does;
* ``sigterm`` / ``sigint``: the signal after the first finding (SIGINT to the
  whole process group, as a terminal's Ctrl-C sends it);
* ``oomkill``: one worker SIGKILLed after the first finding, as the OOM
  killer would.

A trial passes when the exit code is the one expected (0, 0, 143, 130, 0),
stderr holds no traceback of any kind, and for the signals the closing line
says what was stored, the run is marked interrupted, and every finding the
scan printed is in the registry.  ``Load`` keeps both cores busy meanwhile
(the race of issue 16 showed under load, never in quiet runs).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
sys.path.insert(0, str(Path(__file__).resolve().parent))

import crash_helpers as ch  # noqa: E402

ENDINGS = ("normal", "head", "sigterm", "sigint", "oomkill")
EXPECTED_EXIT = {"normal": 0, "head": 0, "sigterm": 143, "sigint": 130, "oomkill": 0}
#: what a traceback or an unraisable exception looks like on stderr, from any thread or process
TRACEBACK_MARKS = ("Traceback (most recent call last)", "Exception ignored", "Exception in thread", "Errno",
                   "Error: internal error")


def env(code: Path | None = None) -> dict[str, str]:
    """The child's environment: *code* (a copy of another version of the package) first on the path."""
    e = dict(os.environ, PYTHONUNBUFFERED="1")
    e["PYTHONPATH"] = str(code or ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    return e


def make_workspace(folder: Path, pages: int = 1000) -> tuple[Path, Path, Path]:
    """A registry with corpus/works and 60 invented works, a small crawl (corpus/crawl: one batch) and a
    larger one (corpus/crawl and *pages* invented pages: several batches, so signals land mid-scan)."""
    works, big = ch.make_inputs(folder, padding=60, pages=pages)
    small = ROOT / "corpus" / "crawl"
    db = folder / "registry.db"
    r = subprocess.run(ch.cmd(db, *ch.register_args(works)), capture_output=True, text=True, env=env(), timeout=300)
    assert r.returncode == 0, r.stderr
    return db, small, big


class Load:
    """Busy processes on every core while the trials run (ended, by pid, on exit)."""

    def __init__(self, n: int | None = None) -> None:
        self.n = n if n is not None else max(2, os.cpu_count() or 2)
        self.procs: list[subprocess.Popen] = []

    def __enter__(self) -> "Load":
        for _ in range(self.n):
            self.procs.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
        return self

    def __exit__(self, *exc: object) -> None:
        for p in self.procs:
            p.kill()
        for p in self.procs:
            p.wait()


@dataclass
class Trial:
    """One scan ended one way."""

    ending: str
    exit_code: int | None
    ok: bool
    problem: str = ""


@dataclass
class Tally:
    """Trials, by ending."""

    trials: list[Trial] = field(default_factory=list)

    def count(self, ending: str | None = None) -> tuple[int, int]:
        """(failed, run) for one ending, or for all."""
        ts = [t for t in self.trials if ending is None or t.ending == ending]
        return sum(not t.ok for t in ts), len(ts)

    def exit_codes(self) -> dict[str, list[int | None]]:
        out: dict[str, list[int | None]] = {}
        for t in self.trials:
            codes = out.setdefault(t.ending, [])
            if t.exit_code not in codes:
                codes.append(t.exit_code)
        return out

    def failures(self, n: int = 5) -> list[str]:
        return [f"{t.ending}: {t.problem}" for t in self.trials if not t.ok][:n]

    def longest_pass_streak(self) -> int:
        best = cur = 0
        for t in self.trials:
            cur = cur + 1 if t.ok else 0
            best = max(best, cur)
        return best


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(x) for x in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return kids


def _wait_for_line(out: Any, proc: subprocess.Popen, timeout: float) -> None:
    """Until the scan has printed a first complete line (a batch is stored), or ended."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        # pread: the child writes through the same open file, so moving its offset would overwrite output
        if b"\n" in os.pread(out.fileno(), 1 << 16, 0):
            return
        time.sleep(0.01)


def _last_run(db: Path) -> tuple[str | None, int]:
    conn = sqlite3.connect(db, timeout=60)
    try:
        row = conn.execute("SELECT status, documents FROM scan_runs ORDER BY id DESC LIMIT 1").fetchone()
        return (row[0], row[1]) if row else (None, 0)
    finally:
        conn.close()


def _stored(db: Path, ids: set[str]) -> set[str]:
    conn = sqlite3.connect(db, timeout=60)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM findings")} & ids
    finally:
        conn.close()


def trial(ending: str, db: Path, small: Path, big: Path, code: Path | None = None, timeout: float = 180) -> Trial:
    """Run one scan with two workers and end it as *ending* says; check how it ended."""
    crawl = small if ending == "normal" else big
    args = ch.cmd(db, "scan", str(crawl), "--workers", "2", "--rescan", "--format", "jsonl")
    if ending == "normal":
        args.append("--quiet")
    with tempfile.TemporaryFile() as out_f, tempfile.TemporaryFile() as err_f:
        proc = subprocess.Popen(args, stdout=subprocess.PIPE if ending == "head" else out_f, stderr=err_f,
                                env=env(code), start_new_session=True, cwd=db.parent)  # not -m's cwd first
        printed: list[str] = []
        try:
            if ending == "head":
                printed.append(proc.stdout.readline().decode())
                proc.stdout.close()  # the reader goes away, as `| head -1` does after one line
            elif ending != "normal":
                _wait_for_line(out_f, proc, timeout)
                if ending == "sigterm":
                    proc.send_signal(signal.SIGTERM)
                elif ending == "sigint":
                    os.killpg(proc.pid, signal.SIGINT)  # a terminal's Ctrl-C reaches the whole group
                elif ending == "oomkill":
                    kids = _children(proc.pid)
                    if kids:
                        os.kill(kids[0], signal.SIGKILL)
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return Trial(ending, None, False, "hung")
        finally:
            if proc.stdout is not None and not proc.stdout.closed:
                proc.stdout.close()
        if ending != "head":
            out_f.seek(0)
            printed = out_f.read().decode(errors="replace").splitlines(keepends=True)
        err_f.seek(0)
        err = err_f.read().decode(errors="replace")
    code_ = proc.returncode
    problems = []
    if code_ != EXPECTED_EXIT[ending]:
        problems.append(f"exit {code_}, expected {EXPECTED_EXIT[ending]}")
    marks = [m for m in TRACEBACK_MARKS if m in err]
    if marks:
        problems.append("traceback on stderr: " + " | ".join(err.strip().splitlines()[-3:])[:300])
    if ending in ("sigterm", "sigint"):
        name = "SIGTERM" if ending == "sigterm" else "SIGINT"
        if f"Interrupted by {name}" not in err:
            problems.append(f"no closing line 'Interrupted by {name}' (stderr: {err.strip()[-200:]!r})")
        status, _ = _last_run(db)
        if status != "interrupted":
            problems.append(f"run marked {status!r}, not 'interrupted'")
    if ending in ("sigterm", "sigint", "head", "oomkill"):
        ids = set()
        for line in printed:
            if line.endswith("\n") and line.strip():
                try:
                    ids.add(json.loads(line)["id"])
                except (ValueError, KeyError):
                    problems.append(f"not a finding on stdout: {line[:120]!r}")
        missing = ids - _stored(db, ids)
        if missing:
            problems.append(f"{len(missing)} printed finding(s) not in the registry")
    return Trial(ending, code_, not problems, "; ".join(problems))


def run_trials(db: Path, small: Path, big: Path, runs: int, endings: tuple[str, ...] = ENDINGS,
               code: Path | None = None, stop_after: int | None = None) -> Tally:
    """*runs* trials cycling through *endings* (``normal`` twice as often: the race of issue 16 came at a
    normal end); stop early after *stop_after* failures."""
    order = [e for e in endings for _ in range(2 if e == "normal" else 1)]
    tally = Tally()
    for i in range(runs):
        t = trial(order[i % len(order)], db, small, big, code)
        tally.trials.append(t)
        if stop_after is not None and tally.count()[0] >= stop_after:
            break
    return tally


def timed(fn, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN201 - a tiny stopwatch
    t0 = time.monotonic()
    return fn(*a, **k), time.monotonic() - t0
