"""Speed on a real evaluation set: register and scan with one worker, through the CLI.

    python benchmarks/speed_real.py                          # news-real-dev, medians of 3
    python benchmarks/speed_real.py --set news-dev --repeat 5

Reads ``../shared/data/<set>/`` (works.jsonl, works/, crawl/; see its README).
For ``compliance register --manifest --workers 1`` and ``compliance scan
--workers 1 --format jsonl`` it prints MB/s (wall) and MB per CPU-second (user + system of
the CLI process), medians of --repeat rounds; each round also times the plain
regex pass (``re.finditer(r"\\w+", text.lower())`` over the crawl), and the
scan is given as a multiple of that round's pass.  The machine is shared: CPU
seconds are the steadier figure, and the ratio to the regex pass the one to
compare across machines.  A set where pages copy many works (news-real-dev)
measures the alignment and evidence path; ``benchmarks/speed.py`` the
look-up path of a large registry.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import speed  # noqa: E402  (the CLI runner, CPU accounting and regex pass are shared)


def set_bytes(folder: Path) -> int:
    """UTF-8 bytes of the .txt files under *folder*."""
    return sum(p.stat().st_size for p in folder.rglob("*.txt"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", default="news-real-dev")
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data",
                    help="the folder holding the evaluation sets (default ../shared/data)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    base = args.data / args.set
    manifest, crawl = base / "works.jsonl", base / "crawl"
    if not manifest.exists() or not crawl.is_dir():
        sys.exit(f"{base}: no works.jsonl and crawl/ (the ../shared development data is not beside this checkout)")
    works_mb, crawl_mb = set_bytes(base / "works") / 1e6, set_bytes(crawl) / 1e6
    reg: dict[str, list[float]] = {"wall": [], "cpu": []}
    scan: dict[str, list[float]] = {"wall": [], "cpu": [], "regex": []}
    findings = 0
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.repeat):  # interleaved, so that every measure shares the machine's noise
            db = Path(tmp) / f"reg{r}.db"
            reg["wall"].append(speed._cli(db, "register", "--manifest", str(manifest), "--workers", "1", "--quiet"))
            reg["cpu"].append(speed.LAST_CPU[0])
            scan_db = Path(tmp) / f"scan{r}.db"
            shutil.copy(db, scan_db)
            scan["regex"].append(speed.regex_pass(crawl))
            out = Path(tmp) / "findings.jsonl"
            with out.open("w") as fh:
                scan["wall"].append(speed._cli(scan_db, "scan", str(crawl), "--workers", "1", "--format", "jsonl",
                                               "--quiet", stdout=fh))
            scan["cpu"].append(speed.LAST_CPU[0])
            findings = sum(1 for _ in out.open())
    med = {k: statistics.median(v) for k, v in reg.items()}
    print(f"## {args.set}: one worker, medians of {args.repeat}\n")
    print(f"register: {works_mb:.2f} MB of works in {med['wall']:.2f}s = {works_mb / med['wall']:.2f} MB/s; "
          f"CPU {med['cpu']:.2f}s = {works_mb / med['cpu']:.2f} MB per CPU-second")
    med = {k: statistics.median(v) for k, v in scan.items()}
    print(f"regex pass: {crawl_mb:.2f} MB in {med['regex']:.3f}s = {crawl_mb / med['regex']:.1f} MB/s")
    print(f"scan: {crawl_mb:.2f} MB in {med['wall']:.2f}s = {crawl_mb / med['wall']:.2f} MB/s; CPU {med['cpu']:.2f}s = "
          f"{crawl_mb / med['cpu']:.2f} MB per CPU-second; {med['wall'] / med['regex']:.0f}x the regex pass's time; "
          f"{findings} findings (end to end: start-up, JSONL out, findings stored)")


if __name__ == "__main__":
    main()
