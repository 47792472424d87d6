"""Peers benchmark: compliance against alcove-dux, copydetect, datasketch and simhash, same data, same run.

    .venv/bin/python benchmarks/peers.py                    # news-dev, medians of 3, alcove-dux on 8 docs
    .venv/bin/python benchmarks/peers.py --repeat 5 --dux-docs 4
    .venv/bin/python benchmarks/peers.py --tools compliance,simhash --json

Every tool runs in a subprocess on ../shared/data/news-dev and writes findings
in the scorer's JSON Lines; ../shared/data/plagdet.py scores them.  Timings
are wall clock of the whole subprocess (interpreter start, imports, index
build, matching, writing findings), medians of --repeat runs taken round-robin
so the tools share the machine's noise.  Throughput is crawl MB over that
time.  compliance is the real CLI (`register --manifest`, then `scan`), on a
fresh registry each run; "register+scan" counts both, like the peers, whose
index build is part of their run.

The peers are not project dependencies: they live in their own venv
(benchmarks/out/peers-venv, created on first use with pinned versions) and run
through adapter scripts in benchmarks/peers_adapters/, so their imports never
touch the project's environment.  A peer that crashes or times out is reported
with its error; the benchmark goes on.

alcove-dux takes minutes per document against 400 works, so it runs on a
fixed, seeded sample of crawl documents (--dux-docs, --seed) and is scored on
that sample: a temporary set holding only those documents and their truth
lines.  compliance is scored on the same sample for the comparison.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = ROOT.parent / "shared" / "data"
OUT = HERE / "out"
ADAPTERS = HERE / "peers_adapters"
PEERS_VENV = OUT / "peers-venv"
PEER_PACKAGES = ["alcove-dux==0.1.1", "copydetect==0.5.0", "datasketch==2.0.0", "simhash==2.1.2"]
PEERS = ["datasketch", "simhash", "copydetect", "alcove-dux"]
TOOLS = ["compliance", *PEERS]
TARGET_RATIO = 10.0  # issue 13: >= 10x the fastest peer's MB/s on a crawl of >= 20 MB


# ------------------------------------------------------------------ environment
def project_python() -> str:
    """The project's interpreter: .venv when present (where `compliance` is installed), else this one."""
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def peers_python() -> Path:
    """The peers' venv interpreter, created and filled with the pinned peers on first use."""
    py = PEERS_VENV / "bin" / "python"
    stamp = PEERS_VENV / "installed.txt"
    want = "\n".join(PEER_PACKAGES) + "\n"
    if py.exists() and stamp.exists() and stamp.read_text() == want:
        return py
    print(f"setting up the peers' venv in {PEERS_VENV.relative_to(ROOT)} ({', '.join(PEER_PACKAGES)})",
          file=sys.stderr)
    OUT.mkdir(parents=True, exist_ok=True)
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PEER_PACKAGES],
                   check=True)
    stamp.write_text(want)
    return py


# ------------------------------------------------------------------ running and timing
class Run:
    """One timed subprocess: wall seconds, or the error that stopped it."""

    def __init__(self, seconds: float, error: str | None = None, info: dict | None = None, cpu: float = 0.0) -> None:
        self.seconds = seconds
        self.error = error
        self.info = info or {}
        self.cpu = cpu  # user + system seconds of the process and every child it waited for


def _children_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def timed(cmd: list[str], timeout: float, stdout_path: Path | None = None, cwd: Path = ROOT) -> Run:
    """Run cmd, time it, and turn a crash or a timeout into an error string instead of raising."""
    t = time.perf_counter()
    c = _children_cpu()
    try:
        with open(stdout_path, "w") if stdout_path else tempfile.TemporaryFile("w+") as out:
            # Own session, so a timeout ends the tool's whole process group (alcove-dux's CLI calls too).
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, text=True, cwd=cwd,
                                    start_new_session=True)
            try:
                _, stderr = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                return Run(time.perf_counter() - t, f"timed out after {timeout:.0f}s")
            dt = time.perf_counter() - t
            cpu = _children_cpu() - c
            if not stdout_path:
                out.seek(0)
                text = out.read()
    except OSError as exc:
        return Run(time.perf_counter() - t, f"could not start: {exc}")
    if proc.returncode != 0:
        last = (stderr.strip().splitlines() or ["(no stderr)"])[-1]
        return Run(dt, f"exit {proc.returncode}: {last[:200]}")
    info: dict = {}
    if not stdout_path:
        for line in reversed(text.strip().splitlines()):
            try:
                info = json.loads(line)
                break
            except ValueError:
                continue
    return Run(dt, None, info, cpu)


def run_compliance(py: str, s: Path, crawl: list[Path], workers: int, findings: Path,
                   timeout: float) -> tuple[Run, Run]:
    """register + scan through the real CLI on a fresh registry: (register run, scan run)."""
    with tempfile.TemporaryDirectory(prefix="peers-compliance-") as tmp:
        base = [py, "-m", "compliance", "--db", str(Path(tmp) / "registry.db"), "--rules", str(ROOT / "rules")]
        reg = timed([*base, "register", "--manifest", str(s / "works.jsonl"), "--quiet"], timeout)
        if reg.error:
            return reg, Run(0.0, "not run: register failed")
        scan = timed([*base, "scan", *map(str, crawl), "--format", "jsonl", "--quiet", "--workers", str(workers)],
                     timeout, stdout_path=findings)
        return reg, scan


def run_peer(py: Path, name: str, s: Path, docs: list[str] | None, findings: Path, timeout: float) -> Run:
    """One peer adapter in the peers' venv over the set's works and the given crawl documents."""
    cmd = [str(py), str(ADAPTERS / f"{name.replace('-', '_')}_adapter.py"), "--works", str(s / "works"),
           "--crawl", str(s / "crawl"), "--out", str(findings)]
    if docs is not None:
        cmd += ["--docs", ",".join(docs)]
    return timed(cmd, timeout)


# ------------------------------------------------------------------ scoring
def score(s: Path, findings: Path) -> dict:
    """plagdet.py's overall measures for a findings file (or an error)."""
    proc = subprocess.run([sys.executable, str(DATA / "plagdet.py"), str(s), str(findings), "--json"],
                          check=False, capture_output=True, text=True)
    if proc.returncode != 0:
        return {"error": f"plagdet.py exit {proc.returncode}: {(proc.stderr.strip().splitlines() or [''])[-1]}"}
    return json.loads(proc.stdout)["overall"]


def sample_set(s: Path, docs: list[str], into: Path) -> Path:
    """A set folder holding only `docs` (symlinked) with their truth and ignore lines, for scoring a sample."""
    into.mkdir(parents=True)
    (into / "crawl").mkdir()
    for d in docs:
        (into / "crawl" / d).symlink_to(s / "crawl" / d)
    (into / "works").symlink_to(s / "works")
    keep = set(docs)
    for name in ("truth.jsonl", "ignore.jsonl"):
        src = s / name
        lines = src.read_text(encoding="utf-8").splitlines() if src.exists() else []
        (into / name).write_text("".join(ln + "\n" for ln in lines if ln.strip() and json.loads(ln)["doc"] in keep),
                                 encoding="utf-8")
    return into


def restrict(findings: Path, docs: list[str], out: Path) -> Path:
    """The findings of `docs` only (to score compliance on alcove-dux's sample)."""
    keep = set(docs)
    with open(findings, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        for line in src:
            if line.strip() and Path(json.loads(line)["document"]["path"]).name in keep:
                dst.write(line)
    return out


# ------------------------------------------------------------------ the benchmark
def crawl_bytes(s: Path, docs: list[str] | None = None) -> int:
    paths = [s / "crawl" / d for d in docs] if docs is not None else sorted((s / "crawl").glob("*.txt"))
    return sum(p.stat().st_size for p in paths)


def median_or_none(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.split("\n")[2:5]))
    ap.add_argument("--set", type=Path, default=DATA / "news-dev", help="evaluation set (default: news-dev)")
    ap.add_argument("--repeat", type=int, default=3, help="runs per tool; medians are printed (default 3)")
    ap.add_argument("--dux-repeat", type=int, default=1, help="runs of alcove-dux (default 1)")
    ap.add_argument("--dux-docs", type=int, default=8, help="crawl documents alcove-dux scans (default 8)")
    ap.add_argument("--seed", type=int, default=7, help="seed of alcove-dux's document sample (default 7)")
    ap.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated subset of {','.join(TOOLS)}")
    ap.add_argument("--timeout", type=float, default=900, help="seconds per run before a tool is called hung")
    ap.add_argument("--dux-timeout", type=float, default=3600, help="seconds for one alcove-dux run")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON instead of the table")
    args = ap.parse_args()

    s = args.set.resolve()
    if not (s / "crawl").is_dir() or not (DATA / "plagdet.py").exists():
        print(f"Error: {s} (with crawl/, works/, truth.jsonl) and {DATA / 'plagdet.py'} are needed; "
              "they come with ../shared/data", file=sys.stderr)
        return 2
    tools = [t for t in args.tools.split(",") if t]
    unknown = sorted(set(tools) - set(TOOLS))
    if unknown:
        print(f"Error: --tools: unknown {', '.join(unknown)} (choose from {', '.join(TOOLS)})", file=sys.stderr)
        return 2
    command = shlex.join(["python", os.path.relpath(__file__, ROOT), *sys.argv[1:]])
    load0 = os.getloadavg()
    all_docs = sorted(p.name for p in (s / "crawl").glob("*.txt"))
    dux_docs = sorted(random.Random(args.seed).sample(all_docs, min(args.dux_docs, len(all_docs))))
    half_docs = all_docs[::2]  # every other document: the marginal rate is (all - half) / (t_all - t_half)
    py = project_python()
    peers_py: Path | None = None
    setup_error = None
    if any(t in PEERS for t in tools):
        try:
            peers_py = peers_python()
        except (subprocess.CalledProcessError, OSError) as exc:
            setup_error = f"peers' venv could not be set up: {exc}"

    work = Path(tempfile.mkdtemp(prefix="peers-bench-"))
    rows: dict[str, dict] = {}

    def row(key: str, tool: str, docs: list[str] | None) -> dict:
        return rows.setdefault(key, {"tool": tool, "docs": len(docs) if docs is not None else len(all_docs),
                                     "bytes": crawl_bytes(s, docs), "times": [], "cpu": [], "errors": [],
                                     "findings": None, "info": {}})

    def note(r: dict, run: Run, seconds: float, findings: Path) -> None:
        if run.error:
            r["errors"].append(run.error)
            return
        r["times"].append(seconds)
        r["cpu"].append(run.cpu)
        r["info"] = run.info or r["info"]
        if r["findings"] is None:
            r["findings"] = findings

    try:
        for i in range(args.repeat):
            for tool in tools:
                if tool == "alcove-dux":
                    continue
                print(f"run {i + 1}/{args.repeat}: {tool}", file=sys.stderr)
                for part, docs in (("", None), ("@half", half_docs)):
                    if tool == "compliance":
                        paths = [s / "crawl"] if docs is None else [s / "crawl" / d for d in docs]
                        for w in (1, 2):
                            f = work / f"compliance-w{w}{part}-{i}.jsonl"
                            reg, scan = run_compliance(py, s, paths, w, f, args.timeout)
                            both = Run(reg.seconds + scan.seconds, reg.error or scan.error, cpu=reg.cpu + scan.cpu)
                            label = f"{w} worker{'s' * (w > 1)}"
                            note(row(f"compliance-w{w}{part}", f"compliance register+scan, {label}", docs),
                                 both, both.seconds, f)
                            note(row(f"compliance-scan-w{w}{part}", f"compliance scan only, {label}", docs),
                                 scan, scan.seconds, f)
                        continue
                    r = row(tool + part, tool, docs)
                    if peers_py is None:
                        r["errors"].append(setup_error)
                        continue
                    f = work / f"{tool}{part}-{i}.jsonl"
                    run = run_peer(peers_py, tool, s, docs, f, args.timeout)
                    note(r, run, run.seconds, f)
        if "alcove-dux" in tools:
            r = row("alcove-dux", f"alcove-dux (sample of {len(dux_docs)} docs)", dux_docs)
            for i in range(args.dux_repeat):
                print(f"run {i + 1}/{args.dux_repeat}: alcove-dux on {len(dux_docs)} docs", file=sys.stderr)
                if peers_py is None:
                    r["errors"].append(setup_error)
                    continue
                f = work / f"alcove-dux-{i}.jsonl"
                run = run_peer(peers_py, "alcove-dux", s, dux_docs, f, args.dux_timeout)
                if not run.error and run.info.get("errors"):
                    run.error = f"alcove-dux failed on {len(run.info['errors'])} doc(s): {run.info['errors'][0]}"
                note(r, run, run.seconds, f)

        # Scores: the first successful run of each tool (the tools are deterministic).
        sample_dir = sample_set(s, dux_docs, work / "dux-sample") if "alcove-dux" in tools else None
        for key, r in rows.items():
            r["seconds"] = median_or_none(r["times"])
            r["mb_s"] = r["bytes"] / 1e6 / r["seconds"] if r["seconds"] else None
            if r["findings"] is not None and not key.endswith("@half"):
                r["score"] = score(sample_dir if key == "alcove-dux" else s, r["findings"])
        for key, r in rows.items():
            half = rows.get(key + "@half", {})
            dt = r["seconds"] - half["seconds"] if r["seconds"] and half.get("seconds") else None
            r["marginal_mb_s"] = (r["bytes"] - half["bytes"]) / 1e6 / dt if dt and dt > 0 else None
        comp_sample = None
        if sample_dir is not None and rows.get("compliance-w1", {}).get("findings") is not None:
            comp_sample = score(sample_dir, restrict(rows["compliance-w1"]["findings"], dux_docs,
                                                     work / "compliance-dux-sample.jsonl"))
        result = summarise(rows, tools, args, command, load0, dux_docs, comp_sample)
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "peers-last.json").write_text(json.dumps(result, indent=1, default=str) + "\n")
        if args.json:
            print(json.dumps(result, indent=1, default=str))
        else:
            print(render(result))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def summarise(rows: dict, tools: list[str], args: argparse.Namespace, command: str, load0: tuple,
              dux_docs: list[str], comp_sample: dict | None) -> dict:
    """Ratios against the fastest peer and the plagdet comparison, as one JSON-ready dict."""
    base = rows.get("compliance-w1", {}).get("mb_s")
    base_marginal = rows.get("compliance-scan-w1", {}).get("marginal_mb_s")
    peers_ok = {k: r for k, r in rows.items() if k in PEERS and r.get("mb_s")}
    out_rows = []
    for key, r in rows.items():
        if key.endswith("@half"):
            continue
        sc = r.get("score") or {}
        out_rows.append({
            "key": key, "tool": r["tool"], "docs": r["docs"], "mb": r["bytes"] / 1e6,
            "runs": len(r["times"]), "seconds_median": r["seconds"], "cpu_median": median_or_none(r["cpu"]),
            "seconds_all": [round(t, 2) for t in r["times"]],
            "mb_s": r["mb_s"], "marginal_mb_s": r.get("marginal_mb_s"),
            "half_seconds_median": rows.get(key + "@half", {}).get("seconds"),
            "plagdet": sc.get("plagdet"), "precision": sc.get("precision"),
            "recall": sc.get("recall"), "granularity": sc.get("granularity"), "score_error": sc.get("error"),
            "compliance_ratio": base / r["mb_s"] if key in PEERS and base and r["mb_s"] else None,
            "compliance_marginal_ratio": (base_marginal / r["marginal_mb_s"]
                                          if key in PEERS and base_marginal and r.get("marginal_mb_s") else None),
            "errors": r["errors"], "settings": (r["info"] or {}).get("settings"),
        })
    fastest = max(peers_ok, key=lambda k: peers_ok[k]["mb_s"]) if peers_ok else None
    vs_fastest = {}
    if fastest:
        for key in ("compliance-w1", "compliance-scan-w1", "compliance-w2", "compliance-scan-w2"):
            if rows.get(key, {}).get("mb_s"):
                vs_fastest[key] = rows[key]["mb_s"] / peers_ok[fastest]["mb_s"]
    marginal_peers = {k: r["marginal_mb_s"] for k, r in peers_ok.items() if r.get("marginal_mb_s")}
    fastest_marginal = max(marginal_peers, key=marginal_peers.get) if marginal_peers else None
    comp_pd = (rows.get("compliance-w1", {}).get("score") or {}).get("plagdet")
    plagdet_cmp = []
    for key in PEERS:
        pd = (rows.get(key, {}).get("score") or {}).get("plagdet")
        if pd is None:
            continue
        mine = (comp_sample or {}).get("plagdet") if key == "alcove-dux" else comp_pd
        plagdet_cmp.append({"peer": key, "peer_plagdet": pd, "compliance_plagdet": mine,
                            "on": f"{len(dux_docs)}-doc sample" if key == "alcove-dux" else "whole set",
                            "ok": mine is not None and mine >= pd})
    return {
        "command": command, "set": str(args.set), "repeat": args.repeat, "dux_repeat": args.dux_repeat,
        "dux_docs": dux_docs, "seed": args.seed, "cores": os.cpu_count(),
        "load_before": [round(x, 2) for x in load0], "load_after": [round(x, 2) for x in os.getloadavg()],
        "rows": out_rows, "fastest_peer": fastest,
        "fastest_peer_mb_s": peers_ok[fastest]["mb_s"] if fastest else None,
        "compliance_vs_fastest": vs_fastest, "target_ratio": TARGET_RATIO,
        "fastest_marginal_peer": fastest_marginal,
        "fastest_marginal_peer_mb_s": marginal_peers.get(fastest_marginal),
        "compliance_marginal_mb_s": base_marginal,
        "compliance_marginal_vs_fastest": (base_marginal / marginal_peers[fastest_marginal]
                                           if base_marginal and fastest_marginal else None),
        "plagdet_comparison": plagdet_cmp, "compliance_on_dux_sample": comp_sample,
        "plagdet_ok": all(c["ok"] for c in plagdet_cmp) if plagdet_cmp else None,
    }


def _f(x: float | None, fmt: str) -> str:
    """x formatted, with 3 significant digits when fmt would round it to zero."""
    if x is None:
        return "—"
    return format(x, ".3g") if 0 < abs(x) < 0.01 else format(x, fmt)


def render(res: dict) -> str:
    """The Markdown table and summary lines (what benchmarks/README.md records)."""
    dux = any(r["key"] == "alcove-dux" for r in res["rows"])
    runs = f"medians of {res['repeat']} runs" + (
        f"; alcove-dux {res['dux_repeat']} run(s) on {len(res['dux_docs'])} docs" if dux else "")
    lines = [f"## compliance vs peers on {Path(res['set']).name} ({runs})", "",
             f"command: `{res['command']}`", "",
             "| tool | docs | MB | seconds (median) | CPU s | MB/s | plagdet | precision | recall | granularity "
             "| compliance ÷ tool, MB/s | MB/s beyond start-up | compliance ÷ tool, beyond start-up |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in res["rows"]:
        name = f"**{r['tool']}**" if r["key"] == "compliance-w1" else r["tool"]
        if r["runs"] == 0:
            why = "; ".join(sorted(set(r["errors"])))
            lines.append(f"| {name} | {r['docs']} | {_f(r['mb'], '.2f')} | failed: {why} | | | | | | | | | |")
            continue
        err = f" ({len(r['errors'])} failed run(s): {r['errors'][0]})" if r["errors"] else ""
        ratio = f"{r['compliance_ratio']:.1f}×" if r["compliance_ratio"] else "—"
        mratio = f"{r['compliance_marginal_ratio']:.1f}×" if r["compliance_marginal_ratio"] else "—"
        lines.append(f"| {name} | {r['docs']} | {_f(r['mb'], '.2f')} | {_f(r['seconds_median'], '.2f')}{err} "
                     f"| {_f(r['cpu_median'], '.2f')} | {_f(r['mb_s'], '.3f')} | {_f(r['plagdet'], '.3f')} "
                     f"| {_f(r['precision'], '.3f')} "
                     f"| {_f(r['recall'], '.3f')} | {_f(r['granularity'], '.3f')} | {ratio} "
                     f"| {_f(r['marginal_mb_s'], '.3f')} | {mratio} |")
    lines.append("")
    fp = res["fastest_peer"]
    if fp:
        labels = {"compliance-w1": "register+scan, 1 worker", "compliance-scan-w1": "scan only, 1 worker",
                  "compliance-w2": "register+scan, 2 workers", "compliance-scan-w2": "scan only, 2 workers"}
        parts = [f"{labels[k]} {v:.1f}×" for k, v in res["compliance_vs_fastest"].items()]
        verdicts = []
        for key in ("compliance-w1", "compliance-scan-w1"):
            v = res["compliance_vs_fastest"].get(key)
            if v is not None:
                verdicts.append(f"{labels[key]} {'met' if v >= res['target_ratio'] else 'NOT met'}")
        lines.append(f"compliance ÷ fastest peer ({fp}, {res['fastest_peer_mb_s']:.3f} MB/s): {'; '.join(parts)}. "
                     f"Target ≥ {res['target_ratio']:.0f}×: {', '.join(verdicts) or '—'}.")
    if res["compliance_marginal_vs_fastest"]:
        lines.append(f"Beyond start-up (the extra MB/s from half the crawl to all of it): compliance scan, 1 worker "
                     f"{res['compliance_marginal_mb_s']:.2f} MB/s ÷ fastest peer ({res['fastest_marginal_peer']}, "
                     f"{res['fastest_marginal_peer_mb_s']:.2f} MB/s) = {res['compliance_marginal_vs_fastest']:.1f}×.")
    if res["plagdet_comparison"]:
        cmp = ", ".join(f"{c['peer']} {c['peer_plagdet']:.3f}"
                        + (f" vs compliance {_f(c['compliance_plagdet'], '.3f')} on the {c['on']}"
                           if c["peer"] == "alcove-dux" else "") for c in res["plagdet_comparison"])
        comp = next((r["plagdet"] for r in res["rows"] if r["key"] == "compliance-w1"), None)
        lines.append(f"plagdet: compliance {_f(comp, '.3f')} ≥ every peer's: "
                     f"{'yes' if res['plagdet_ok'] else 'NO'} ({cmp}).")
    lines.append("")
    if dux:
        lines.append(f"alcove-dux sample (seed {res['seed']}): {', '.join(res['dux_docs'])}; scored against a copy "
                     "of the set holding only these documents and their truth lines.")
    lines += ["Timings are wall clock of each tool's whole subprocess (start-up, imports, index build, matching, "
              "writing findings); CPU s is the user + system time of that subprocess and its children (less "
              "sensitive to a busy machine than wall clock); MB is crawl text.  \"Beyond start-up\" = "
              "(MB of all docs - MB of every other doc) "
              "/ (median seconds on all - median seconds on half): the rate once fixed costs are paid (alcove-dux "
              "pays its costs per document, so it has no such figure).  Peers' pieces of one (document, work) pair "
              "within 200 characters on the document side are merged into one passage (peers_adapters/_common.py).",
              f"Machine: {res['cores']} cores, shared with other jobs (load average "
              f"{res['load_before'][0]:.1f} before, {res['load_after'][0]:.1f} after): seconds vary between runs "
              "and machines; read the ratios, which come from the same run."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
