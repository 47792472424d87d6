"""Quality benchmark: register, scan and score every development set through the real CLI.

    python benchmarks/quality.py                 # all sets, one table
    python benchmarks/quality.py --sets news-dev --json

For each set in ../shared/data it runs `compliance register --manifest
works.jsonl` and `compliance scan crawl/` in subprocesses (the product path,
not a side path), then scores the findings with ../shared/data/plagdet.py.
news-real-dev is scored per labelled pair.  The notices benchmark
(benchmarks/notices_quality.py) runs last.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(HERE))
TYPES = ["none", "whole", "light", "heavy", "shuffle", "unicode", "excerpt"]


def _cli(db: Path, *args: str, out: Path | None = None) -> None:
    cmd = [sys.executable, "-m", "compliance", "--db", str(db), "--rules", str(ROOT / "rules"), *args]
    with open(out, "w") if out else open("/dev/null", "w") as fh:
        subprocess.run(cmd, check=True, stdout=fh, stderr=subprocess.DEVNULL, cwd=ROOT)


def run_set(name: str, workdir: Path, workers: int) -> dict:
    """Register, scan and score one set; returns the measures and timings."""
    s = DATA / name
    db = workdir / f"{name}.db"
    findings = workdir / f"{name}.jsonl"
    t0 = time.perf_counter()
    _cli(db, "register", "--manifest", str(s / "works.jsonl"), "--quiet")
    t1 = time.perf_counter()
    _cli(db, "scan", str(s / "crawl"), "--format", "jsonl", "--quiet", "--workers", str(workers), out=findings)
    t2 = time.perf_counter()
    res = {"set": name, "register_s": round(t1 - t0, 1), "scan_s": round(t2 - t1, 1),
           "crawl_mb": round(sum(p.stat().st_size for p in (s / "crawl").glob("*.txt")) / 1e6, 2)}
    if (s / "truth.jsonl").exists():
        out = subprocess.run([sys.executable, str(DATA / "plagdet.py"), str(s), str(findings), "--json"],
                             check=True, capture_output=True, text=True)
        rep = json.loads(out.stdout)
        res["overall"] = rep["overall"]
        res["by_type"] = rep.get("by_type", {})
        res["docs"] = rep.get("docs", {})
        res["raw"] = {k: v for k, v in rep.items() if k not in ("by_type",)}
    if (s / "pairs.jsonl").exists():
        res["pairs"] = score_pairs(s, findings)
    return res


def score_pairs(s: Path, findings: Path) -> dict:
    """news-real-dev: a pair is found when scanning either article reports the other."""
    found = set()
    for line in findings.read_text().splitlines():
        f = json.loads(line)
        d = Path(f["document"]["path"]).stem
        w = f["work"]["id"]
        if d != w:
            found.add(frozenset((d, w)))
    out: dict[str, dict] = {}
    for line in (s / "pairs.jsonl").read_text().splitlines():
        p = json.loads(line)
        lab = out.setdefault(p["label"], {"pairs": 0, "flagged": 0})
        lab["pairs"] += 1
        lab["flagged"] += frozenset((p["a"], p["b"])) in found
    for v in out.values():
        v["share"] = round(v["flagged"] / v["pairs"], 4)
    return out


def _neg_docs(res: dict) -> str:
    docs = res.get("docs") or {}
    if "negative_docs" in docs:
        return f"{docs.get('negative_docs_flagged', 0)}/{docs['negative_docs']}"
    return "-"


def table(results: list[dict]) -> str:
    head = ["set", "plagdet", "precision", "recall", "granularity", *TYPES, "negative docs flagged",
            "register s", "scan s"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in results:
        if "overall" in r:
            o = r["overall"]
            types = [f"{r['by_type'][t]['plagdet']:.4f}" if t in r["by_type"] else "-" for t in TYPES]
            lines.append("| " + " | ".join([r["set"], f"{o['plagdet']:.4f}", f"{o['precision']:.4f}",
                                            f"{o['recall']:.4f}", f"{o['granularity']:.4f}", *types,
                                            _neg_docs(r), str(r["register_s"]), str(r["scan_s"])]) + " |")
    pair_rows = [r for r in results if "pairs" in r]
    if pair_rows:
        lines += ["", "| set | copy pairs found | independent pairs flagged | partial pairs found | register s | scan s |",
                  "|---|---|---|---|---|---|"]
        for r in pair_rows:
            p = r["pairs"]

            def cell(k: str) -> str:
                v = p.get(k)
                return f"{v['flagged']}/{v['pairs']} ({v['share']:.1%})" if v else "-"

            lines.append(f"| {r['set']} | {cell('copy')} | {cell('independent')} | {cell('partial')} | "
                         f"{r['register_s']} | {r['scan_s']} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="news-dev,pan13-dev,news-real-dev")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-notices", action="store_true")
    args = ap.parse_args()
    if not DATA.exists():
        raise SystemExit(f"{DATA} is absent: the quality benchmark needs ../shared/data")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets.split(","):
            results.append(run_set(name, Path(tmp), args.workers))
    notices = None
    if not args.no_notices:
        import notices_quality

        notices = notices_quality.run()
    if args.json:
        print(json.dumps({"sets": results, "notices": notices}, indent=2, default=str))
        return
    print(table(results))
    for r in results:
        if r.get("raw", {}).get("false_positive_detections") is not None:
            print(f"\n{r['set']}: false-positive detections {json.dumps(r['raw']['false_positive_detections'])}; "
                  f"documents {json.dumps(r.get('docs'))}")
    if notices is not None:
        print("\nnotices-dev:", json.dumps({k: v for k, v in notices.items() if not isinstance(v, (list, dict))}))


if __name__ == "__main__":
    main()
