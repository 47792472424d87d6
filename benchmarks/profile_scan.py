"""Profile an end-to-end `compliance scan` with pyinstrument, and keep the profile.

    python benchmarks/profile_scan.py --works 100000 --crawl-mb 10

Uses the registry and crawl that benchmarks/speed.py builds (benchmarks/out/),
scans in-process with one worker, and writes the call tree to
benchmarks/profiles/scan-<works>.txt (the copy kept in the repository is the
one the README's performance notes cite).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--works", type=int, default=100_000)
    ap.add_argument("--crawl-mb", type=int, default=10)
    args = ap.parse_args()
    from pyinstrument import Profiler

    import speed
    from compliance.cli import cli

    db = speed.registry_for(args.works)
    crawl = speed.make_crawl(args.crawl_mb, speed.make_works(args.works))
    with tempfile.TemporaryDirectory() as tmp:
        scan_db = Path(tmp) / "r.db"
        shutil.copy(db, scan_db)
        cache = db.with_name(db.name + ".index")
        if cache.exists():
            shutil.copytree(cache, scan_db.with_name(scan_db.name + ".index"))
        prof = Profiler(interval=0.001)
        prof.start()
        try:
            cli.main(["--db", str(scan_db), "scan", str(crawl), "--workers", "1", "--quiet", "--format", "jsonl"],
                     standalone_mode=False)
        finally:
            prof.stop()
    out = HERE / "profiles" / f"scan-{args.works}.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text(prof.output_text(unicode=False, color=False, show_all=False))
    print(f"profile written to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
