"""The reliability table of benchmarks/README.md: fuzzing, kill trials, concurrent runs and shutdowns, in one command.

    python benchmarks/reliability.py                      # 60 s of fuzzing, 20 kills each, 3 rounds, 200 shutdowns
    python benchmarks/reliability.py --fuzz-seconds 300 --kills 50 --rounds 5 --json
    python benchmarks/reliability.py --only shutdown --shutdown-runs 200     # the shutdown row alone
    python benchmarks/reliability.py --only shutdown --code /tmp/old         # ... against another copy of the code

Fuzzing is ``benchmarks/fuzz.py`` (mutated real inputs through every
reader); the kill trials, the concurrent rounds and the shutdown trials are
those of tests/test_crash_safety.py, tests/test_concurrency.py and
tests/test_shutdown.py, with more trials.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import crash_helpers as ch  # noqa: E402
import fuzz  # noqa: E402
import shutdown_helpers as sh  # noqa: E402


def kill_trials(work: Path, kills: int, seed: int) -> dict[str, object]:
    """SIGKILL `register` and `scan` at random moments; count kills survived and items lost."""
    works, crawl = ch.make_inputs(work)
    base = work / "base.db"
    r, reg_seconds = ch.timed(ch.run_to_end, base, ch.register_args(works))
    assert r.returncode == 0, r.stderr
    reg = ch.run_trials("register", None, ch.register_args(works), ch.registry_state(base), reg_seconds, work,
                        kills=kills, seed=seed)
    ref = work / "scan-ref.db"
    shutil.copy(base, ref)
    r, scan_seconds = ch.timed(ch.run_to_end, ref, ch.scan_args(crawl, 2))
    assert r.returncode == 0, r.stderr
    scan = ch.run_trials("scan", base, ch.scan_args(crawl, 1), ch.registry_state(ref), scan_seconds, work,
                         kills=kills, seed=seed + 1, args_for=[ch.scan_args(crawl, 1), ch.scan_args(crawl, 2)])
    out: dict[str, object] = {}
    for name, t in (("register", reg), ("scan", scan)):
        out[name] = {"kills": t.kills, "survived": t.survived, "completions": t.completions, "lost": t.lost,
                     "failures": [x.problem for x in t.trials if not x.ok][:5],
                     "reported_before_kill": sum(x.reported for x in t.trials if x.killed)}
    return out


def concurrent_rounds(work: Path, rounds: int) -> dict[str, object]:
    """Two scans (two workers each) and reports in a loop on one registry; compared with sequential runs."""
    works, crawl = ch.make_inputs(work, padding=120, pages=240)
    base = work / "base.db"
    assert ch.run_to_end(base, ch.register_args(works)).returncode == 0
    rows = (crawl / "synthetic.jsonl").read_text().splitlines()
    a, b = work / "a.jsonl", work / "b.jsonl"
    a.write_text("\n".join(rows[::2]) + "\n")
    b.write_text("\n".join(rows[1::2] + rows[:40:4]) + "\n")
    seq = work / "seq.db"
    shutil.copy(base, seq)
    for part in (a, b):
        assert ch.run_to_end(seq, ["scan", str(part), "--workers", "1", "--quiet"]).returncode == 0
    expected = ch.registry_state(seq)
    scans_ok = reports_ok = reports = locked = equal = 0
    for k in range(rounds):
        db = work / f"conc-{k}.db"
        shutil.copy(base, db)
        files = [(tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")) for _ in range(2)]
        procs = [subprocess.Popen(ch.cmd(db, "scan", str(p), "--workers", "2", "--quiet"), stdout=o, stderr=e,
                                  env=ch.env(), text=True) for p, (o, e) in zip((a, b), files)]
        while any(p.poll() is None for p in procs):
            rep = ch.run_to_end(db, ["report", "--out", str(work / f"rep-{k}-{reports}")])
            reports += 1
            reports_ok += rep.returncode == 0
            locked += "locked" in rep.stderr
        for p, (o, e) in zip(procs, files):
            p.wait()
            e.seek(0)
            err = e.read()
            scans_ok += p.returncode == 0
            locked += "locked" in err
        equal += ch.registry_state(db)["findings"] == expected["findings"]
    return {"rounds": rounds, "scans": 2 * rounds, "scans_completed": scans_ok, "reports": reports,
            "reports_completed": reports_ok, "database_locked": locked, "rounds_equal_to_sequential": equal}


def shutdown_trials(work: Path, runs: int, code: Path | None = None) -> dict[str, object]:
    """Short scans with two workers while busy processes load every core, ended normally, by a closed stdout,
    SIGTERM, Ctrl-C and a SIGKILLed worker in turn: exit codes, tracebacks, what was stored (issue 16)."""
    db, small, big = sh.make_workspace(work)
    with sh.Load():
        tally, seconds = sh.timed(sh.run_trials, db, small, big, runs, code=code)
    failed, ran = tally.count()
    return {"runs": ran, "failed": failed, "longest_pass_streak": tally.longest_pass_streak(),
            "by_ending": {e: dict(zip(("failed", "runs"), tally.count(e))) for e in sh.ENDINGS},
            "exit_codes": tally.exit_codes(), "failures": tally.failures(10), "seconds": round(seconds, 1),
            "code": str(code or sh.ROOT)}


def shutdown_row(sd: dict[str, object]) -> str:
    """The table row of the shutdown trials."""
    codes = ", ".join(f"{e} {'/'.join(map(str, c))}" for e, c in sd["exit_codes"].items())  # type: ignore[union-attr]
    return (f"| scans ended without a traceback (2 workers, cores loaded; normal, closed stdout, SIGTERM, Ctrl-C, "
            f"worker SIGKILLed) | {sd['runs'] - sd['failed']}/{sd['runs']} (exit codes: {codes}) |")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fuzz-seconds", type=float, default=60)
    ap.add_argument("--kills", type=int, default=20, help="killed runs of register and of scan (each)")
    ap.add_argument("--rounds", type=int, default=3, help="concurrent rounds (two scans + reports each)")
    ap.add_argument("--shutdown-runs", type=int, default=200, help="short scans ended every way (issue 16)")
    ap.add_argument("--only", choices=["shutdown"], default=None, help="measure one row alone")
    ap.add_argument("--code", type=Path, default=None, help="run the shutdown trials against this copy of the code")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    if args.only == "shutdown":
        with tempfile.TemporaryDirectory(prefix="compliance-reliability-") as tmp:
            sd = shutdown_trials(Path(tmp), args.shutdown_runs, args.code)
        print(json.dumps(sd, indent=2) if args.json else
              "| measure | result |\n|---|---|\n" + shutdown_row(sd) + f"\n\n({sd['seconds']:.0f} s)")
        for f in sd["failures"] if not args.json else ():  # type: ignore[union-attr]
            print("  " + f[:300])
        return 1 if sd["failed"] else 0
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fuzz_rc = fuzz.main(["--seconds", str(args.fuzz_seconds), "--seed", str(args.seed), "--json"])
    fz = json.loads(buf.getvalue())
    with tempfile.TemporaryDirectory(prefix="compliance-reliability-") as tmp:
        for sub in ("k", "c", "s"):
            (Path(tmp) / sub).mkdir()
        kills = kill_trials(Path(tmp) / "k", args.kills, args.seed + 10)
        conc = concurrent_rounds(Path(tmp) / "c", args.rounds)
        sd = shutdown_trials(Path(tmp) / "s", args.shutdown_runs, args.code)
    result = {"fuzz": fz, "kills": kills, "concurrency": conc, "shutdown": sd,
              "seconds": round(time.monotonic() - t0, 1)}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        kr, ks = kills["register"], kills["scan"]
        print("| measure | result |\n|---|---|")
        print(f"| inputs tried (fuzzed, {fz['seconds']:.0f} s) | {fz['cases']:,} "
              f"({', '.join(f'{k} {v:,}' for k, v in fz['cases_per_reader'].items())}) |")
        print(f"| crashes (uncaught exceptions or hangs) | {fz['crashes']} |")
        print(f"| kills survived: register | {kr['survived']}/{kr['kills']} ({kr['completions']} chains completed) |")
        print(f"| kills survived: scan | {ks['survived']}/{ks['kills']} ({ks['completions']} chains completed) |")
        print(f"| data lost (reported items missing, or completion != reference) | {kr['lost'] + ks['lost']} |")
        print(f"| concurrent runs completed | {conc['scans_completed']}/{conc['scans']} scans, "
              f"{conc['reports_completed']}/{conc['reports']} reports, 'database is locked': {conc['database_locked']}, "
              f"{conc['rounds_equal_to_sequential']}/{conc['rounds']} rounds equal to sequential |")
        print(shutdown_row(sd))
        print(f"\n({result['seconds']:.0f} s in all)")
    bad = (fuzz_rc or kr_bad(kills) or conc["database_locked"] or conc["scans_completed"] != conc["scans"]
           or sd["failed"])
    return 1 if bad else 0


def kr_bad(kills: dict[str, object]) -> bool:
    return any(v["survived"] != v["kills"] or v["lost"] or v["failures"] for v in kills.values())  # type: ignore[index]


if __name__ == "__main__":
    raise SystemExit(main())
