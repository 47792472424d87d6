"""Growth: the cost of a scanned page as the registry grows to a million works, and what the index needs.

    python benchmarks/growth.py                       # 1k, 10k, 100k real registries; 1M synthesised
    python benchmarks/growth.py --sizes 100000,1000000 --docs 1000

Registries of 1,000, 10,000 and 100,000 works come from benchmarks/speed.py
(synthetic articles of 500 words, registered through the CLI).  A registry of
a million works is synthesised: the 100,000 real works plus 900,000 works'
worth of fingerprints (random winnowed k-gram hashes at the real count per
work, and random window simhashes at the real count per work) added to the
seed index and the near-duplicate index.  Pages copying nothing still pay
every look-up against the larger tables, and the planted copies still find
their (real) works, so the per-page cost is measured on the same path.

Each size runs the same crawl sample through the matching stage in this
process (Scanner.match_documents: screen, alignment, evidence, verdicts),
after a warm-up batch; the table gives CPU milliseconds per page, the index
arrays' size and the process RSS with the index loaded.  No SQLite writes and
no reading are timed: what grows with the registry is the matching.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 1e6


def synthesise(scanner, extra_works: int, seed: int = 5) -> None:
    """Grow the scanner's index by *extra_works* works of random fingerprints (same counts per work)."""
    from compliance.index import NearIndex, SeedIndex

    idx = scanner.index
    rng = np.random.Generator(np.random.PCG64(seed))
    n_real = idx.n_works
    per_work = idx.hashes.shape[0] / max(1, n_real - 1)
    n_fp = int(per_work * extra_works)
    works = np.concatenate([np.asarray(idx.works),
                            rng.integers(n_real, n_real + extra_works, size=n_fp, dtype=np.int64).astype(np.int32)])
    positions = np.concatenate([np.asarray(idx.positions), rng.integers(0, 500, size=n_fp, dtype=np.int32)])
    hashes = np.concatenate([np.asarray(idx.hashes), rng.integers(0, 2**63, size=n_fp, dtype=np.uint64) * 2 + 1])
    order = np.argsort(hashes, kind="stable")
    big = SeedIndex(hashes[order], works[order], positions[order], n_real + extra_works)
    del hashes, works, positions, order
    near = idx.near
    if near is not None:
        per_work_w = near.values.shape[0] / max(1, n_real - 1)
        n_w = int(per_work_w * extra_works)
        values = np.concatenate([np.asarray(near.values), rng.integers(0, 2**63, size=n_w, dtype=np.uint64) * 2 + 1])
        nworks = np.concatenate([np.asarray(near.works),
                                 rng.integers(n_real, n_real + extra_works, size=n_w).astype(np.int32)])
        first = np.concatenate([np.asarray(near.first), np.zeros(n_w, dtype=np.int32)])
        last = np.concatenate([np.asarray(near.last), np.full(n_w, 20, dtype=np.int32)])
        big.near = NearIndex(values, nworks, first, last, near.k)
    big.work_publisher = np.concatenate([idx.work_publisher, np.zeros(extra_works, dtype=np.int32)])
    big.publisher_names = idx.publisher_names
    scanner.index = big
    scanner.matcher.index = big
    scanner.matcher.work_publisher = big.work_publisher
    scanner.matcher._screen_cfg = None


def measure(db: Path, pages: list, extra: int) -> dict:
    from compliance.registry import Registry
    from compliance.rules import load_rules
    from compliance.scan import Scanner

    r0 = rss_mb()
    scanner = Scanner(Registry(db, readonly=True), load_rules(ROOT / "rules"))
    if extra:
        synthesise(scanner, extra)
    index_mb = scanner.index.nbytes / 1e6
    scanner.match_documents(pages[:64])  # warm-up: caches, first touches of the index pages
    t = time.process_time()
    for i in range(0, len(pages), 64):
        scanner.match_documents(pages[i : i + 64])
    cpu = time.process_time() - t
    return {"works": scanner.index.n_works - 1, "pages": len(pages), "ms_per_page": 1000 * cpu / len(pages),
            "index_mb": index_mb, "rss_mb": rss_mb() - r0,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000,1000000")
    ap.add_argument("--docs", type=int, default=2000, help="crawl pages per size (the same sample each time)")
    args = ap.parse_args()
    import subprocess

    import speed
    from compliance.models import Document

    crawl = speed.make_crawl(10, speed.make_works(100000), first_works=1000)  # copies of works every size holds
    files = sorted(crawl.iterdir())[: args.docs]
    pages = [Document(text=p.read_text(encoding="utf-8"), path=str(p)) for p in files]
    print("| works | pages | CPU ms per page (matching) | index arrays MB | RSS growth MB | peak RSS MB |")
    print("|---|---|---|---|---|---|")
    base = None
    for n in [int(x) for x in args.sizes.split(",")]:
        real = min(n, 100000)
        db = speed.registry_for(real, prefix_of=100000)  # the first works of the 100,000, at every size
        if n > real:  # a fresh process per synthesised size: its peak RSS is its own
            code = (f"import sys, json; sys.path.insert(0, {str(HERE)!r}); import growth; "
                    f"from compliance.models import Document; from pathlib import Path; "
                    f"files = sorted(Path({str(crawl)!r}).iterdir())[:{args.docs}]; "
                    f"pages = [Document(text=p.read_text(encoding='utf-8'), path=str(p)) for p in files]; "
                    f"print(json.dumps(growth.measure(Path({str(db)!r}), pages, {n - real})))")
            out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
            import json

            res = json.loads(out.stdout.strip().splitlines()[-1])
        else:
            res = measure(db, pages, 0)
        base = base or res["ms_per_page"]
        print(f"| {n:,} | {res['pages']} | {res['ms_per_page']:.3f} ({res['ms_per_page'] / base:.2f}× the smallest) "
              f"| {res['index_mb']:.0f} | {res['rss_mb']:.0f} | {res['peak_rss_mb']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
