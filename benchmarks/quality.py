"""Quality benchmark: register, scan and score every development set through the real CLI.

    python benchmarks/quality.py                 # all sets, one table
    python benchmarks/quality.py --sets news-dev --json

For each set in ../shared/data it runs `compliance register --manifest
works.jsonl` and `compliance scan crawl/` in subprocesses (the product path,
not a side path), then scores the findings with ../shared/data/plagdet.py.
news-real-dev is scored per labelled pair: the set's own pairs.jsonl, the
pairs labelled in this project (benchmarks/data/news-real-pairs-extra.jsonl,
issue 14) and both together, each reported separately.  The notices benchmark
(benchmarks/notices_quality.py) runs last.

    python benchmarks/quality.py --sets news-real-dev --pair-misses   # + every missed or flagged pair
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
# Pair label sets kept in the project, scored beside a set's own pairs.jsonl (ids and labels only).
EXTRA_PAIRS = {"news-real-dev": HERE / "data" / "news-real-pairs-extra.jsonl"}


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
        extra = EXTRA_PAIRS.get(name)
        if extra is not None and extra.exists():
            res["pairs_extra"] = score_pairs(s, findings, [extra])
            res["pairs_combined"] = score_pairs(s, findings, [s / "pairs.jsonl", extra])
            res["pair_misses"] = {"pairs.jsonl": pair_misses(findings, [s / "pairs.jsonl"]),
                                  extra.name: pair_misses(findings, [extra])}
    return res


def found_pairs(findings: Path) -> set[frozenset]:
    """Unordered article pairs with a finding from scanning either one (a finding against itself ignored)."""
    found = set()
    for line in findings.read_text().splitlines():
        f = json.loads(line)
        d = Path(f["document"]["path"]).stem
        w = f["work"]["id"]
        if d != w:
            found.add(frozenset((d, w)))
    return found


def _labelled(files: list[Path]) -> list[dict]:
    return [json.loads(line) for p in files for line in p.read_text().splitlines() if line.strip()]


def score_pairs(s: Path, findings: Path, files: list[Path] | None = None) -> dict:
    """news-real-dev: a pair is found when scanning either article reports the other."""
    found = found_pairs(findings)
    out: dict[str, dict] = {}
    for p in _labelled(files or [s / "pairs.jsonl"]):
        lab = out.setdefault(p["label"], {"pairs": 0, "flagged": 0})
        lab["pairs"] += 1
        lab["flagged"] += frozenset((p["a"], p["b"])) in found
    for v in out.values():
        v["share"] = round(v["flagged"] / v["pairs"], 4)
    return out


def pair_misses(findings: Path, files: list[Path]) -> dict:
    """The copy and partial pairs not found and the independent pairs flagged, with their labels' notes."""
    found = found_pairs(findings)
    out: dict[str, list] = {"copy_missed": [], "partial_missed": [], "independent_flagged": []}
    for p in _labelled(files):
        hit = frozenset((p["a"], p["b"])) in found
        key = {"copy": "copy_missed", "partial": "partial_missed", "independent": "independent_flagged"}[p["label"]]
        if hit == (p["label"] == "independent"):
            out[key].append({"a": p["a"], "b": p["b"], "band": p.get("band", p.get("stratum")),
                             "longest_run": p.get("longest_run", p.get("longest_common_words")), "note": p.get("note")})
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
            for key, label in (("pairs_extra", "extra pairs (issue 14)"), ("pairs_combined", "both label sets")):
                if key in r:
                    p = r[key]
                    lines.append(f"| {r['set']}, {label} | {cell('copy')} | {cell('independent')} | "
                                 f"{cell('partial')} | - | - |")
    return "\n".join(lines)


def misses_text(results: list[dict]) -> str:
    """One line per missed copy or partial pair and per flagged independent pair (ids, band, run, note)."""
    lines = []
    for r in results:
        for file, m in r.get("pair_misses", {}).items():
            for key, rows in m.items():
                lines.append(f"\n{r['set']} {file}: {key.replace('_', ' ')} ({len(rows)})")
                lines += [f"  {x['a']}-{x['b']}  band {x.get('band') or '-'}  run {x.get('longest_run')}  "
                          f"{x.get('note')}" for x in rows]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="news-dev,pan13-dev,news-real-dev")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-notices", action="store_true")
    ap.add_argument("--pair-misses", action="store_true", help="list missed and wrongly flagged labelled pairs")
    ap.add_argument("--edits", action="store_true",
                    help="also build and score the synthetic edits set (patchwriting, trimmed quotes: synth_edits.py)")
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
    if args.pair_misses:
        print(misses_text(results))
    for r in results:
        if r.get("raw", {}).get("false_positive_detections") is not None:
            print(f"\n{r['set']}: false-positive detections {json.dumps(r['raw']['false_positive_detections'])}; "
                  f"documents {json.dumps(r.get('docs'))}")
    if args.edits:
        import synth_edits

        synth_edits.build()
        print("\n" + synth_edits.table(synth_edits.score(workers=args.workers)))
    if notices is not None:
        print("\nnotices-dev:", json.dumps({k: v for k, v in notices.items() if not isinstance(v, (list, dict))}))


if __name__ == "__main__":
    main()
