"""Speed benchmark: registration rate, scan throughput, index memory and load time, growth.

Everything runs through the real CLI (`compliance register`, `compliance scan`)
in subprocesses, on reproducible synthetic news text (benchmarks/synth.py,
fixed seed).  Figures are medians of --repeat runs; the machine is shared and
noisy, so read them as ratios.

    python benchmarks/speed.py                      # 100,000 works, 50 MB crawl
    python benchmarks/speed.py --works 20000 --crawl-mb 10
    python benchmarks/growth.py                     # per-page cost at 1k, 10k, 100k and 1M works
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
COMPLIANCE = [sys.executable, "-m", "compliance"]


#: CPU seconds (user + system) of the last _cli call's process and its children
LAST_CPU = [0.0]


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _cli(db: Path, *args: str, stdout=subprocess.DEVNULL, env_extra: dict | None = None) -> float:
    env = dict(os.environ, **(env_extra or {}))
    c = _children_cpu()
    t = time.perf_counter()
    subprocess.run(COMPLIANCE + ["--db", str(db), "--rules", str(ROOT / "rules"), *args], check=True,
                   stdout=stdout, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    dt = time.perf_counter() - t
    LAST_CPU[0] = _children_cpu() - c
    return dt


def make_works(n: int, words: int = 500) -> Path:
    """A manifest of n synthetic works (cached by size)."""
    path = OUT / f"works-{n}.jsonl"
    if path.exists():
        return path
    from synth import Generator

    OUT.mkdir(exist_ok=True)
    gen = Generator(seed=20170101)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        done = 0
        while done < n:
            batch = gen.batch(min(2000, n - done), words)
            for text in batch:
                pub = f"Synth Press {done % 50:02d} Ltd."
                fh.write(json.dumps({"id": f"w{done:06d}", "publisher": pub, "title": f"Synthetic article {done}",
                                     "text": f"Synthetic article {done}\n\n{text}\n© 2025 {pub} All rights reserved.\n"})
                         + "\n")
                done += 1
    tmp.replace(path)
    return path


def make_crawl(mb: int, works_manifest: Path, copy_share: float = 0.1, first_works: int | None = None) -> Path:
    """A folder of ~5 KB crawled pages; copy_share of them embed a passage of a registered work.

    With *first_works*, the copies come from the manifest's first works only, so that every registry of
    at least that many works holds them (the growth curve compares like with like).
    """
    folder = OUT / (f"crawl-{mb}mb-{works_manifest.stem}" + (f"-first{first_works}" if first_works else ""))
    if folder.exists():
        return folder
    from synth import Generator

    rng = random.Random(7)
    works = []
    with open(works_manifest, encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if first_works is not None and i >= first_works:
                break
            if i % 50 == 0 or first_works is not None:
                works.append(json.loads(line)["text"])
    gen = Generator(seed=99)
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    size = 0
    k = 0
    while size < mb * 1_000_000:
        for text in gen.batch(500, 800):
            if rng.random() < copy_share:
                paras = [p for p in rng.choice(works).split("\n\n")[1:-1] if p.strip()]
                a = rng.randrange(max(1, len(paras) - 2))
                cut = text.split("\n\n")
                cut.insert(len(cut) // 2, "\n\n".join(paras[a : a + 2]))
                text = "\n\n".join(cut)
            (tmp / f"page-{k:06d}.txt").write_text(text, encoding="utf-8")
            size += len(text.encode())
            k += 1
            if size >= mb * 1_000_000:
                break
    tmp.rename(folder)
    return folder


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir())


def prefix_works(n: int, base: int = 100_000) -> Path:
    """The first n works of the base manifest: registries of every size then hold the same first works."""
    path = OUT / f"works-{n}-of-{base}.jsonl"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        with open(make_works(base), encoding="utf-8") as src, open(tmp, "w", encoding="utf-8") as dst:
            for i, line in enumerate(src):
                if i >= n:
                    break
                dst.write(line)
        tmp.replace(path)
    return path


def registry_for(n: int, prefix_of: int | None = None) -> Path:
    """A registry of n works (cached), and the registration time when it was built.

    With *prefix_of*, the works are the first n of that manifest (see :func:`prefix_works`).
    """
    name = f"registry-{n}" + (f"-of-{prefix_of}" if prefix_of and prefix_of != n else "")
    db = OUT / f"{name}.db"
    meta = OUT / f"{name}.json"
    if db.exists() and meta.exists():
        return db
    for p in OUT.glob(f"{name}.db*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    manifest = prefix_works(n, prefix_of) if prefix_of and prefix_of != n else make_works(n)
    secs = _cli(db, "register", "--manifest", str(manifest), "--quiet")
    meta.write_text(json.dumps({"works": n, "seconds": secs}))
    return db


def measure_index(db: Path) -> dict:
    """Index build time, memory (RSS growth) and bytes per registered word, in a fresh process."""
    code = f"""
import json, resource, time, sys
sys.path.insert(0, {str(ROOT)!r})
from compliance.registry import Registry
from compliance.rules import load_rules
from compliance.scan import Scanner
from pathlib import Path
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * 4096
reg = Registry({str(db)!r}, readonly=True)
rules = load_rules(Path({str(ROOT / 'rules')!r}))
r0 = rss(); t = time.perf_counter()
sc = Scanner(reg, rules)
dt = time.perf_counter() - t
# touch every page of the index arrays, as a long scan eventually does
import numpy as np
idx = sc.index
arrays = [idx.hashes, idx.works, idx.positions, idx.table, idx.offsets]
if idx.near is not None:
    arrays += [idx.near.values, idx.near.works, idx.near.first, idx.near.last, idx.near.keys, idx.near.orders]
touched = sum(int(np.asarray(a).view(np.uint8).reshape(-1)[::4096].sum() >= 0) for a in arrays)
words = reg.db.execute("SELECT sum(length(text) - length(replace(text, ' ', '')) + 1) FROM works").fetchone()[0]
print(json.dumps({{"load_seconds": dt, "rss_bytes": rss() - r0, "index_bytes": idx.nbytes, "words": words,
                  "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}}))
"""
    def run() -> dict:
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
        return json.loads(out.stdout.strip().splitlines()[-1])

    cache = db.with_name(db.name + ".index")
    first = None
    if not cache.exists():  # first build from the registry; it writes the cache
        first = run()["load_seconds"]
    res = run()  # a fresh process that loads the memory-mapped cache
    res["build_seconds"] = first
    return res


REGEX_PASS = """
import re, sys, time
from pathlib import Path
t = time.perf_counter()
words = 0
for p in sorted(Path(sys.argv[1]).iterdir()):
    for _ in re.finditer(r"\\w+", p.read_text(encoding="utf-8").lower()):
        words += 1
print(time.perf_counter() - t)
"""


def regex_pass(crawl: Path) -> float:
    """Seconds for the plain tokenising baseline: read every file, re.finditer(r"\\w+", text.lower())."""
    out = subprocess.run([sys.executable, "-c", REGEX_PASS, str(crawl)], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def scan_once(db: Path, crawl: Path, workers: int) -> float:
    scan_db = db.with_name(db.stem + f"-scan{workers}.db")
    for p in db.parent.glob(scan_db.name + "*"):
        p.unlink()
    shutil.copy(db, scan_db)
    cache = db.with_name(db.name + ".index")
    if cache.exists():  # the registry's index cache travels with it (keyed by content, not by path)
        shutil.copytree(cache, scan_db.with_name(scan_db.name + ".index"), dirs_exist_ok=True)
    # the copy's dirty pages out first: else the scan's first fsync waits for the whole registry to be written
    os.sync()
    try:
        return _cli(scan_db, "scan", str(crawl), "--format", "jsonl", "--quiet", "--workers", str(workers))
    finally:
        for p in db.parent.glob(scan_db.name + "*"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()


def register_once(n: int) -> float:
    """Seconds to register the first *n* works of the 100,000 into a new registry with one worker (CLI)."""
    manifest = prefix_works(n) if n != 100_000 else make_works(n)
    db = OUT / f"register-{n}-j1.db"
    for p in OUT.glob(db.name + "*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    try:
        return _cli(db, "register", "--manifest", str(manifest), "--quiet", "--workers", "1")
    finally:
        for p in OUT.glob(db.name + "*"):
            shutil.rmtree(p) if p.is_dir() else p.unlink()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--works", type=int, default=100_000)
    ap.add_argument("--crawl-mb", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", default="1,2")
    ap.add_argument("--register-works", type=int, default=20_000,
                    help="works registered with one worker in each round (0: skip)")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    n = args.works
    db = registry_for(n)
    reg_secs = json.loads((OUT / f"registry-{n}.json").read_text())["seconds"]
    print(f"## compliance speed ({os.cpu_count()} cores; medians of {args.repeat})\n")
    print(f"registration: {n} works of 500 words in {reg_secs:.1f}s = {n / reg_secs:,.0f} works/s "
          f"(CLI, manifest, all cores, fingerprints included; when the cached registry was built, by the code "
          f"of that day: delete benchmarks/out/registry-{n}.* to measure again)")
    idx = measure_index(db)
    build = f"; first build from the registry {idx['build_seconds']:.1f}s" if idx["build_seconds"] else ""
    print(f"index: loaded in {idx['load_seconds']:.2f}s from its memory-mapped cache{build}; index arrays {idx['index_bytes'] / 1e6:.0f} MB = "
          f"{idx['index_bytes'] / idx['words']:.1f} bytes per registered word; process RSS with every index page "
          f"touched {idx['peak_rss'] / 1e6:.0f} MB for {idx['words']:,} words")
    crawl = make_crawl(args.crawl_mb, make_works(n))
    size = folder_bytes(crawl)
    worker_counts = [int(x) for x in args.workers.split(",")]
    times: dict[int, list[float]] = {w: [] for w in worker_counts}
    cpus: dict[int, list[float]] = {w: [] for w in worker_counts}
    regex: list[float] = []
    reg1: list[tuple[float, float]] = []
    for _ in range(args.repeat):  # interleaved, so that every measure shares the machine's noise
        regex.append(regex_pass(crawl))
        if args.register_works:
            reg1.append((register_once(args.register_works), LAST_CPU[0]))
        for w in worker_counts:
            times[w].append(scan_once(db, crawl, w))
            cpus[w].append(LAST_CPU[0])
    r = statistics.median(regex)
    if reg1:
        t1, c1 = statistics.median(x[0] for x in reg1), statistics.median(x[1] for x in reg1)
        print(f"registration, 1 worker: {args.register_works:,} works of 500 words in {t1:.1f}s = "
              f"{args.register_works / t1:,.0f} works/s; CPU {c1:.1f}s = {args.register_works / c1:,.0f} works "
              f"per CPU-second (CLI, manifest, start-up included)")
    print(f"regex pass: {size / 1e6:.0f} MB read and tokenised with re.finditer(r'\\w+', text.lower()): "
          f"{r:.1f}s = {size / 1e6 / r:.2f} MB/s (one process)")
    rate1 = None
    for w in worker_counts:
        t = statistics.median(times[w])
        rate = size / 1e6 / t
        rate1 = rate if w == 1 else rate1
        extra = f"; {rate / rate1:.2f}× one worker" if rate1 and w > 1 else ""
        cpu = statistics.median(cpus[w])
        print(f"scan: {size / 1e6:.0f} MB of text, {w} worker(s): {t:.2f}s = {rate:.2f} MB/s "
              f"= {rate / w:.2f} MB/s per core = {r / t:.2f}× the regex pass{extra}; "
              f"CPU {cpu:.2f}s = {size / 1e6 / cpu:.2f} MB per CPU-second "
              f"(end to end, JSONL out, registry of {n:,})")
    print("\ngrowth of the per-page cost with the registry (1k -> 100k -> 1M works): benchmarks/growth.py")


if __name__ == "__main__":
    main()
