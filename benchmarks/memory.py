"""Peak memory and throughput of ``compliance scan`` on a large generated WARC.

    .venv/bin/python benchmarks/memory.py --size 1G --workers 2
    .venv/bin/python benchmarks/memory.py --size 256M --workers 1

Builds, in a temporary folder (never in the repository), a registry and an
uncompressed WARC of about ``--size`` bytes of HTTP responses: news pages of
about 60 KB of HTML each (navigation, scripts, styles, related links and a
footer around an article), one page in ten copying three paragraphs of a
registered work.  With ``../shared`` beside the checkout, the registered works
are the 400 real articles of ``news-dev`` and the page articles are the 612
real articles of ``news-real-dev`` (so the matcher sees real vocabulary); each
page gets its own first line, so no two pages have the same content.  Without
it, the text is invented (tests/inputs_helpers.py), which makes matching
slower than real text (a tiny vocabulary shares many k-grams).  It then runs the
real command, ``compliance scan WARC --workers N --quiet``, in a subprocess,
samples the resident memory of the scan process and of its workers every
0.2 s from /proc, and prints wall time, MB/s (WARC bytes over wall time),
MB/s per worker, peak RSS of the parent, and peak RSS of the whole process
tree.  Linux only (/proc).  The text is invented (tests/inputs_helpers.py).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from inputs_helpers import PUBLISHER, paragraphs, work_text  # noqa: E402

_CHROME = ("<nav>" + " ".join(f"<a href='/section/{i}'>Section {i}</a>" for i in range(60)) + "</nav>"
           "<script>" + "var tracking = {id: 1, events: []};" * 300 + "</script>"
           "<style>" + ".c{margin:0;padding:0;color:#333}" * 400 + "</style>")
_RELATED = "<aside><ul>" + "".join(f"<li><a href='/r/{i}'>Related story number {i}</a></li>" for i in range(40)) \
           + "</ul></aside>"


def _size(text: str) -> int:
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([KMG]?)", text.upper())
    if not m:
        raise argparse.ArgumentTypeError(f"{text!r} is not a size like 256M or 1G")
    return int(float(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2)])


def _paras(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if len(p.split()) >= 8]


def texts(folder: Path, works: int, shared: Path | None) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """Arguments for ``register`` (a manifest or a folder), work paragraphs, and page article paragraphs."""
    if shared is not None:
        nd, real = shared / "data" / "news-dev", shared / "data" / "news-real-dev"
        rows = [json.loads(line) for line in (nd / "works.jsonl").read_text(encoding="utf-8").splitlines()]
        bodies = [_paras((nd / r["path"]).read_text(encoding="utf-8")) for r in rows]
        pool = [_paras(p.read_text(encoding="utf-8")) for p in sorted((real / "crawl").glob("*.txt"))]
        return ["--manifest", str(nd / "works.jsonl")], [b for b in bodies if len(b) >= 3], [p for p in pool if p]
    wdir = folder / "works"
    wdir.mkdir()
    bodies = []
    for i in range(works):
        (wdir / f"w{i}.txt").write_text(work_text(10_000 + i, f"Invented story {i}"), encoding="utf-8")
        bodies.append(paragraphs(10_000 + i))
    pool = [paragraphs(1_000_000 + i, n=9) for i in range(500)]
    return [str(wdir), "--publisher", PUBLISHER], bodies, pool


def build(folder: Path, size: int, works: int, shared: Path | None) -> tuple[list[str], Path, int]:
    """Write crawl.warc of about *size* bytes (and works/ if synthetic); return (register args, warc, pages)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    register, bodies, pool = texts(folder, works, shared)
    warc = folder / "crawl.warc"
    rng = random.Random(7)
    pages = 0
    with open(warc, "wb") as fh:
        writer = WARCWriter(fh, gzip=False)
        while fh.tell() < size:
            first = f"Edition {pages}: {' '.join(paragraphs(pages, n=1, per=1))}"
            paras = [first] + rng.choice(pool)
            if pages % 10 == 0:
                paras = paras[:3] + rng.choice(bodies)[:3] + paras[3:5]
            article = "".join(f"<p>{p}</p>" for p in paras)
            html = (f"<!DOCTYPE html><html><head><title>Page {pages}</title>{_CHROME}</head><body>{_CHROME}"
                    f"<article><h1>Page {pages}</h1>{article}</article>{_RELATED}"
                    f"<footer><p>© 2025 Synthetic Mirror {pages % 50}. All rights reserved.</p></footer></body></html>")
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            rec = writer.create_warc_record(f"https://mirror{pages % 50}.example/p/{pages}", "response",
                                            payload=io.BytesIO(html.encode()), http_headers=headers)
            writer.write_record(rec)
            pages += 1
    return register, warc, pages


def _tree_rss(pid: int) -> tuple[int, int]:
    """(RSS of pid, RSS of pid and all its descendants), in bytes, from /proc."""
    def rss(p: int) -> int:
        try:
            with open(f"/proc/{p}/statm") as fh:
                return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            return 0

    def children(p: int) -> list[int]:
        out = []
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    out += [int(c) for c in fh.read().split()]
        except OSError:
            pass
        return out

    total, stack = 0, [pid]
    while stack:
        p = stack.pop()
        total += rss(p)
        stack += children(p)
    return rss(pid), total


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", type=_size, default=_size("1G"), help="WARC size (e.g. 256M, 1G)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--works", type=int, default=500, help="registered works")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (printed)")
    ap.add_argument("--synthetic", action="store_true", help="invented text even when ../shared is there")
    args = ap.parse_args()
    compliance = [sys.executable, "-c", "from compliance.cli import main; main()"]
    tmp = Path(tempfile.mkdtemp(prefix="compliance-membench-"))
    try:
        t0 = time.perf_counter()
        shared = ROOT.parent / "shared"
        use = None if args.synthetic or not (shared / "data" / "news-dev").exists() else shared
        register, warc, pages = build(tmp, args.size, args.works, use)
        print(f"built {warc} ({warc.stat().st_size / 1e6:.0f} MB, {pages} pages) in {time.perf_counter() - t0:.0f}s",
              file=sys.stderr)
        db = tmp / "registry.db"
        subprocess.run(compliance + ["--db", str(db), "register", *register], check=True, capture_output=True,
                       cwd=ROOT)
        out = open(tmp / "findings.jsonl", "w")
        t0 = time.perf_counter()
        proc = subprocess.Popen(compliance + ["--db", str(db), "scan", str(warc), "--workers", str(args.workers),
                                              "--quiet"], stdout=out, stderr=subprocess.PIPE, cwd=ROOT)
        peak_parent = peak_tree = 0
        while proc.poll() is None:
            parent, tree = _tree_rss(proc.pid)
            peak_parent, peak_tree = max(peak_parent, parent), max(peak_tree, tree)
            time.sleep(0.2)
        wall = time.perf_counter() - t0
        out.close()
        err = proc.stderr.read().decode()
        findings = sum(1 for _ in open(tmp / "findings.jsonl"))
        mb = warc.stat().st_size / 1e6
        result = {"text": "real (../shared)" if use else "invented", "warc_mb": round(mb), "pages": pages,
                  "workers": args.workers, "exit": proc.returncode,
                  "seconds": round(wall, 1), "mb_per_s": round(mb / wall, 2),
                  "mb_per_s_per_worker": round(mb / wall / args.workers, 2),
                  "pages_per_s": round(pages / wall, 1), "findings": findings, "expected_copies": (pages + 9) // 10,
                  "peak_rss_parent_mb": round(peak_parent / 1e6), "peak_rss_tree_mb": round(peak_tree / 1e6)}
        print(json.dumps(result))
        if err.strip():
            print(err.strip()[:2000], file=sys.stderr)
    finally:
        if args.keep:
            print(f"kept {tmp}", file=sys.stderr)
        else:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
