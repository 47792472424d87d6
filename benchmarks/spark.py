"""Spark local mode against the local engine, on the same gzipped WARC input, in one run.

    .venv/bin/python benchmarks/spark.py                       # 2,000 works, 8 WARC files of ~1,000 pages
    .venv/bin/python benchmarks/spark.py --works 10000 --files 8 --pages 2000
    .venv/bin/python benchmarks/spark.py --runs local1,spark2  # a subset of the runs

Builds (cached in benchmarks/out/, never in the repository) a registry of
synthetic works (benchmarks/speed.py's manifest: the Markov text of
benchmarks/synth.py, trained on ../shared) and ``--files`` gzipped WARC files
of HTTP responses: news pages of about 30 KB of HTML (navigation, related
links, a footer around an 800-word synthetic article), one page in ten
copying two paragraphs of a registered work.  Then, through the real CLI in
subprocesses, on the same files:

* ``compliance scan FILES --workers 1`` and ``--workers 2`` (local engine);
* ``compliance scan --engine spark --master local[1]`` and ``local[2]``
  (Spark local mode; wall time includes the JVM start, the registry snapshot
  and the index build; the job time is the job alone), then
  ``compliance import-findings`` into a copy of the registry.

It prints, per run, wall seconds, compressed WARC MB/s, payload MB/s and
pages/s, the Spark/local ratios, and checks that every run found the same
findings (document, work, passages, verdict).  The machine is shared and
noisy: read the figures as ratios.
"""

from __future__ import annotations

import argparse
import io
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
sys.path.insert(0, str(HERE))
COMPLIANCE = [sys.executable, "-m", "compliance"]

_NAV = "<nav>" + " ".join(f"<a href='/section/{i}'>Section {i}</a>" for i in range(60)) + "</nav>"
_SCRIPT = "<script>" + "".join(f"var t{i} = {{id: {i}, events: []}};" for i in range(150)) + "</script>"
_RELATED = "<aside><ul>" + "".join(f"<li><a href='/r/{i}'>Related story number {i}</a></li>"
                                   for i in range(40)) + "</ul></aside>"


_CPU: list[float] = [0.0]  # CPU seconds of the last _cli call, its process tree included (reaped children)


def _cli(db: Path, *args: str, capture: bool = False) -> tuple[float, subprocess.CompletedProcess]:
    import resource

    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(COMPLIANCE + ["--db", str(db), "--rules", str(ROOT / "rules"), *args], check=True,
                          stdout=subprocess.PIPE if capture else subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True, cwd=ROOT)
    secs = time.perf_counter() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    _CPU[0] = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return secs, proc


def registry(works: int) -> Path:
    """A registry of *works* synthetic works (cached), with its index cache built."""
    from speed import make_works

    db = OUT / f"spark-registry-{works}.db"
    if db.exists():
        return db
    manifest = make_works(works)
    tmp = db.with_name(db.name + ".tmp")
    for p in OUT.glob(tmp.name + "*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    _cli(tmp, "register", "--manifest", str(manifest), "--quiet")
    _copy_db(tmp, db)
    for p in OUT.glob(tmp.name + "*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    return db


def _copy_db(src: Path, dest: Path) -> None:
    a, b = sqlite3.connect(src), sqlite3.connect(dest)
    a.backup(b)
    a.close()
    b.close()


def warcs(works: int, files: int, pages: int) -> list[Path]:
    """*files* gzipped WARC files of *pages* responses each (cached)."""
    from speed import make_works
    from synth import Generator
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    folder = OUT / f"spark-warcs-{works}-{files}x{pages}"
    if folder.exists():
        return sorted(folder.glob("*.warc.gz"))
    rng = random.Random(11)
    bodies = []
    with open(make_works(works), encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i % 20 == 0:
                bodies.append([p for p in json.loads(line)["text"].split("\n\n")[1:-1] if p.strip()])
    gen = Generator(seed=4242)
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    n = 0
    for f in range(files):
        with open(tmp / f"crawl-{f:03d}.warc.gz", "wb") as fh:
            writer = WARCWriter(fh, gzip=True)
            done = 0
            while done < pages:
                for text in gen.batch(min(500, pages - done), 800):
                    paras = text.split("\n\n")
                    if n % 10 == 0:
                        body = rng.choice(bodies)
                        a = rng.randrange(max(1, len(body) - 2))
                        paras.insert(len(paras) // 2, "\n\n".join(body[a:a + 2]))
                    article = "".join(f"<p>{p}</p>" for p in "\n\n".join(paras).split("\n\n") if p.strip())
                    html = (f"<!DOCTYPE html><html><head><title>Page {n}</title>{_SCRIPT}</head><body>{_NAV}"
                            f"<article><h1>Page {n}</h1>{article}</article>{_RELATED}"
                            f"<footer><p>© 2025 Synthetic Mirror {n % 50}. All rights reserved.</p></footer>"
                            "</body></html>")
                    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                               protocol="HTTP/1.1")
                    rec = writer.create_warc_record(f"https://mirror{n % 50}.example/p/{n}", "response",
                                                    payload=io.BytesIO(html.encode()), http_headers=headers)
                    writer.write_record(rec)
                    n += 1
                    done += 1
    tmp.rename(folder)
    return sorted(folder.glob("*.warc.gz"))


def _key(f: dict) -> tuple:
    return (f["document"]["sha256"], f["document"]["url"], f["work"]["id"],
            json.dumps(f["passages"], sort_keys=True), f["verdict"])


def _fresh(db: Path, name: str) -> Path:
    """A copy of the registry (and its index cache, keyed by content) for one run."""
    dest = OUT / f"spark-run-{name}.db"
    for p in OUT.glob(dest.name + "*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    _copy_db(db, dest)
    cache = db.with_name(db.name + ".index")
    if cache.exists():
        shutil.copytree(cache, dest.with_name(dest.name + ".index"))
    return dest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--works", type=int, default=2000)
    ap.add_argument("--files", type=int, default=8)
    ap.add_argument("--pages", type=int, default=1000, help="pages per WARC file")
    ap.add_argument("--runs", default="local1,local2,spark1,spark2")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of all runs, interleaved; medians are reported")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON too")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    db = registry(args.works)
    files = warcs(args.works, args.files, args.pages)
    gz_mb = sum(p.stat().st_size for p in files) / 1e6
    pages = args.files * args.pages
    print(f"input: {len(files)} gzipped WARC files, {gz_mb:.1f} MB, {pages} pages; registry {args.works} works "
          f"(prepared in {time.perf_counter() - t0:.0f}s)", file=sys.stderr)
    # warm the registry's index cache once, so every run loads it the same way
    code = ("from pathlib import Path; from compliance.registry import Registry; "
            "from compliance.rules import load_rules; "
            f"Registry({str(db)!r}).build_index(load_rules(Path({str(ROOT / 'rules')!r})).matcher)")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)

    samples: dict[str, list[dict]] = {}
    found: dict[str, set] = {}
    for _ in range(args.repeat):
        for run in args.runs.split(","):
            row, keys = one_run(run, db, files, gz_mb, pages)
            samples.setdefault(run, []).append(row)
            found[f"{run}#{len(samples[run])}"] = keys
            print(json.dumps(row), file=sys.stderr)
    rows = [_median(v) for v in samples.values()]
    report(rows, found, args, files, gz_mb, pages)


def _median(rows: list[dict]) -> dict:
    """The run with the median wall time (the figures of one real run, not a mix), with the spread."""
    ordered = sorted(rows, key=lambda r: r["seconds"])
    row = dict(ordered[len(ordered) // 2])
    row["runs"] = len(rows)
    row["wall_range"] = f"{ordered[0]['seconds']}–{ordered[-1]['seconds']}"
    return row


def one_run(run: str, db: Path, files: list[Path], gz_mb: float, pages: int) -> tuple[dict, set]:
    """One scan of the input (local engine or Spark local mode) in a fresh copy of the registry."""
    kind, n = run[:-1], int(run[-1])
    work_db = _fresh(db, run)
    if kind == "local":
        secs, proc = _cli(work_db, "scan", *map(str, files), "--workers", str(n), "--format", "jsonl",
                          capture=True)
        findings = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        payload = json.loads(json.dumps(_last_run(work_db)))["bytes"]
        row = {"run": f"local engine, --workers {n}", "seconds": round(secs, 1), "job_seconds": None,
               "cpu_seconds": round(_CPU[0], 1)}
    else:
        out = OUT / f"spark-out-{run}"
        shutil.rmtree(out, ignore_errors=True)
        secs, proc = _cli(work_db, "scan", "--engine", "spark", "--master", f"local[{n}]", *map(str, files),
                          "--output", str(out))
        summary = json.loads((out / "_summary.json").read_text())
        isecs, _ = _cli(work_db, "import-findings", str(out))
        findings = [f for part in sorted(out.glob("part-*")) for line in part.read_text().splitlines()
                    for f in json.loads(line).get("findings", [])]
        payload = summary["bytes"]
        row = {"run": f"Spark local[{n}]", "seconds": round(secs, 1), "job_seconds": summary["seconds"],
               "import_seconds": round(isecs, 1), "cpu_seconds": None}  # the JVM is not a reaped child: not counted
    keys = {_key(f) for f in findings}
    row.update(cores=n, findings=len(findings), warc_mb_s=round(gz_mb / secs, 2),
               warc_mb_s_per_core=round(gz_mb / secs / n, 2), payload_mb=round(payload / 1e6, 1),
               payload_mb_s=round(payload / 1e6 / secs, 2), pages_s=round(pages / secs, 1),
               pages_s_per_core=round(pages / secs / n, 1))
    if row["job_seconds"]:
        js = row["job_seconds"]
        row.update(job_warc_mb_s=round(gz_mb / js, 2), job_pages_s_per_core=round(pages / js / n, 1))
    for p in OUT.glob(work_db.name + "*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    return row, keys


def report(rows: list[dict], found: dict[str, set], args: argparse.Namespace, files: list[Path], gz_mb: float,
           pages: int) -> None:
    """The table (medians), the Spark/local ratios, and whether every run found the same findings."""
    first = next(iter(found.values()))
    same = all(v == first for v in found.values())
    print(f"\nInput: {len(files)} gzipped WARC files, {gz_mb:.1f} MB compressed, {rows[0]['payload_mb']} MB of "
          f"HTML payload, {pages} pages; {args.works} registered works.\n")
    print("| run | cores | wall s (median) | wall s range | job s | CPU s | WARC MB/s | WARC MB/s per core | "
          "payload MB/s | pages/s | pages/s per core | findings |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['run']} | {r['cores']} | {r['seconds']} | {r['wall_range']} | {r['job_seconds'] or '—'} | "
              f"{r['cpu_seconds'] or '—'} | {r['warc_mb_s']} | "
              f"{r['warc_mb_s_per_core']} | {r['payload_mb_s']} | {r['pages_s']} | {r['pages_s_per_core']} | "
              f"{r['findings']} |")
    by = {r["run"]: r for r in rows}
    for n in (1, 2):
        loc, sp = by.get(f"local engine, --workers {n}"), by.get(f"Spark local[{n}]")
        if loc and sp:
            print(f"\nSpark local[{n}] ÷ local engine --workers {n}, wall: {loc['seconds'] / sp['seconds']:.2f}× "
                  f"(job only: {loc['seconds'] / sp['job_seconds']:.2f}×); "
                  f"Spark import-findings: {sp['import_seconds']} s")
    print(f"\nFindings identical across runs: {'yes' if same else 'NO'} ({len(first)} findings)")
    if args.json:
        print(json.dumps(rows, indent=2))
    if not same:
        sys.exit(1)


def _last_run(db: Path) -> dict:
    with sqlite3.connect(db) as conn:
        docs, size = conn.execute("SELECT documents, bytes FROM scan_runs ORDER BY id DESC LIMIT 1").fetchone()
    return {"documents": docs, "bytes": size}


if __name__ == "__main__":
    main()
