"""Kill trials: run `compliance register` / `scan` in a child, SIGKILL it at a random moment, check the registry.

Shared by tests/test_crash_safety.py and benchmarks/reliability.py.  A trial
passes when the registry left behind opens, passes ``PRAGMA
integrity_check``, and holds everything the killed process had reported as
committed (a line ``added ID`` for register, a JSONL finding for scan); a
chain of trials on one registry ends with a run to completion, whose
registry must equal an uninterrupted reference run's.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES = ROOT / "rules"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from inputs_helpers import paragraphs, work_text  # noqa: E402


def env() -> dict[str, str]:
    e = dict(os.environ, PYTHONUNBUFFERED="1")
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    return e


def cmd(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "compliance", "--db", str(db), "--rules", str(RULES), *args]


def make_inputs(folder: Path, padding: int = 300, pages: int = 320) -> tuple[Path, Path]:
    """Works (corpus/works plus *padding* invented works) and a crawl (corpus/crawl plus a JSONL export of
    *pages* invented pages, every other one copying two paragraphs of a padding work)."""
    works = folder / "works"
    shutil.copytree(ROOT / "corpus" / "works", works)
    (works / "pad").mkdir()
    texts = []
    for i in range(padding):
        t = work_text(2000 + i, f"Padding story {i}")
        (works / "pad" / f"pad-{i:03}.txt").write_text(t, encoding="utf-8")
        texts.append(t.split("\n\n"))
    crawl = folder / "crawl"
    shutil.copytree(ROOT / "corpus" / "crawl", crawl)
    with open(crawl / "synthetic.jsonl", "w", encoding="utf-8") as fh:
        for i in range(pages):
            intro = " ".join(paragraphs(5000 + i, n=1, per=2))
            if i % 2 == 0:
                w = texts[i % padding]
                text = f"{intro}\n\n{w[2]}\n\n{w[3]}"
            else:
                text = f"{intro}\n\n" + " ".join(paragraphs(9000 + i, n=2))
            fh.write(json.dumps({"url": f"https://copy.example/{i}", "fetched_at": "2025-01-01T00:00:00Z",
                                 "text": text}) + "\n")
    return works, crawl


def register_args(works: Path) -> list[str]:
    return ["register", str(works), "--batch-size", "16", "--workers", "1"]


def scan_args(crawl: Path, workers: int) -> list[str]:
    return ["scan", str(crawl), "--workers", str(workers), "--format", "jsonl", "--quiet"]


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def registry_state(db: Path) -> dict[str, object]:
    """What register and scan must agree on with the reference run."""
    conn = sqlite3.connect(db)
    try:
        works = {r[0]: (r[1], r[2], r[3]) for r in conn.execute(
            "SELECT w.id, w.sha256, f.hashes, f.windows FROM works w LEFT JOIN fingerprints f ON f.work_num = w.num")}
        findings = {r[0]: (json.loads(r[1]), r[2], r[3]) for r in conn.execute(
            "SELECT id, passages, verdict, copied_words FROM findings")}
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("publishers", "notices", "documents", "scanned")}
        return {"works": works, "findings": findings, "counts": counts}
    finally:
        conn.close()


@dataclass
class Trial:
    """One killed run."""

    delay: float
    killed: bool
    reported: int  # items the child reported as committed before it died
    ok: bool
    problem: str = ""


@dataclass
class Tally:
    """Trials of one command."""

    trials: list[Trial] = field(default_factory=list)
    completions: int = 0
    lost: int = 0

    @property
    def kills(self) -> int:
        return sum(t.killed for t in self.trials)

    @property
    def survived(self) -> int:
        return sum(t.killed and t.ok for t in self.trials)


def _reported(kind: str, out: str, err: str) -> set[str]:
    """Ids the child printed as committed (complete lines only: a line cut by the kill is not a report)."""
    ids: set[str] = set()
    if kind == "register":
        for line in err.split("\n")[:-1]:
            parts = line.split()
            if len(parts) >= 2 and parts[0] in ("added", "updated"):
                ids.add(parts[1])
    else:
        for line in out.split("\n")[:-1]:
            if line.strip():
                ids.add(json.loads(line)["id"])
    return ids


def _check_committed(kind: str, db: Path, ids: set[str]) -> str:
    """'' when the registry opens, is intact and holds every reported id; else the problem."""
    if not db.exists():
        return "" if not ids else f"registry missing but {len(ids)} items were reported"
    check = integrity(db)
    if check != "ok":
        return f"integrity_check: {check}"
    from compliance.registry import Registry

    with Registry(db, create=False):  # opens (and finishes any migration) like every command does
        pass
    conn = sqlite3.connect(db)
    try:
        if kind == "register":
            have = {r[0] for r in conn.execute("SELECT w.id FROM works w JOIN fingerprints f ON f.work_num = w.num")}
        else:
            have = {r[0] for r in conn.execute("SELECT id FROM findings")}
    finally:
        conn.close()
    missing = ids - have
    return f"{len(missing)} reported item(s) not in the registry: {sorted(missing)[:3]}" if missing else ""


def run_to_end(db: Path, args: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(cmd(db, *args), env=env(), capture_output=True, text=True, timeout=timeout)


def kill_trial(kind: str, db: Path, args: list[str], delay: float, workdir: Path) -> Trial:
    """Start the command, SIGKILL its process group after *delay* seconds, check what it left."""
    out_path, err_path = workdir / "out.txt", workdir / "err.txt"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(cmd(db, *args), stdout=out, stderr=err, env=env(), start_new_session=True)
        try:
            proc.wait(timeout=delay)
            killed = False
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            killed = True
    out_text = out_path.read_text(encoding="utf-8", errors="replace")
    err_text = err_path.read_text(encoding="utf-8", errors="replace")
    if not killed and proc.returncode != 0:
        return Trial(delay, False, 0, False, f"exit {proc.returncode}: {err_text[-500:]}")
    ids = _reported(kind, out_text, err_text)
    problem = _check_committed(kind, db, ids)
    return Trial(delay, killed, len(ids), not problem, problem)


def run_trials(kind: str, base: Path | None, args: list[str], reference: dict[str, object], full_seconds: float,
               workdir: Path, *, kills: int = 20, chain: int = 5, seed: int = 9, tally: Tally | None = None,
               args_for: "list[list[str]] | None" = None) -> Tally:
    """At least *kills* killed runs, in chains of *chain* on one registry (a copy of *base*, or none), each
    chain then run to completion and compared with *reference*."""
    rng = random.Random(seed)
    tally = tally or Tally()
    n_chain = 0
    scale = full_seconds
    while tally.kills < kills and len(tally.trials) < kills * 5:
        db = workdir / f"{kind}-{n_chain}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        if base is not None:
            shutil.copy(base, db)
        run_args = args_for[n_chain % len(args_for)] if args_for else args
        scale = max(scale, 0.5 * full_seconds)  # a fresh chain has all the work ahead of it
        for _ in range(chain):
            delay = rng.uniform(0.05, 1.0) * scale
            trial = kill_trial(kind, db, run_args, delay, workdir)
            tally.trials.append(trial)
            if not trial.killed:
                # the run beat its kill: the reference was timed on a busier machine (or this run resumed
                # most of the work): aim earlier, so that kills keep landing mid-run
                scale *= 0.75
        end = run_to_end(db, run_args)
        if end.returncode != 0:
            tally.trials.append(Trial(0, False, 0, False, f"completion run exit {end.returncode}: {end.stderr[-500:]}"))
        else:
            tally.completions += 1
            state = registry_state(db)
            if kind == "register":
                same = state["works"] == reference["works"] and state["counts"]["notices"] == \
                    reference["counts"]["notices"] and state["counts"]["publishers"] == reference["counts"]["publishers"]
                tally.lost += len(set(reference["works"]) - set(state["works"]))
            else:
                same = state["findings"] == reference["findings"] and state["counts"] == reference["counts"]
                tally.lost += len(set(reference["findings"]) - set(state["findings"]))
            if not same:
                tally.trials.append(Trial(0, False, 0, False, "completed registry differs from the reference run"))
        n_chain += 1
    return tally


def timed(fn, *a, **k):  # noqa: ANN001, ANN002, ANN003, ANN201 - a tiny stopwatch
    t = time.monotonic()
    r = fn(*a, **k)
    return r, time.monotonic() - t
