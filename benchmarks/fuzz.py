"""Fuzz the readers: mutated real inputs, for a fixed time, and count crashes.

Each case takes a seed file (the malformed archives, feeds and pages of
``../shared/data`` and the project's own fixtures), mutates it (byte flips,
truncation, insertions of hostile fragments, duplicated chunks, a gzip
wrapper), sniffs it, and runs the reader its content calls for *directly*
(not through ``read_path``, whose catch-all would hide a reader's crash),
then extracts every pending HTML document as a scan worker does.

A crash is any exception other than the documented ``InputError``, or a
case that runs longer than ``--case-seconds`` (a hang).  Exit status 1 when
there was one; the crashing inputs are saved under ``--save`` to replay.

    python benchmarks/fuzz.py --seconds 60
    python benchmarks/fuzz.py --seconds 600 --seed 7 --json
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))

from compliance.errors import InputError  # noqa: E402
from compliance.inputs import READERS, ReadOptions, finish_document, is_pending, reader_for  # noqa: E402
from compliance.models import Document  # noqa: E402

#: fragments that have broken parsers before: comments, entities, CDATA, deep nesting, WARC framing
FRAGMENTS = [b"<!--", b"-->", b"<!---->" * 40, b"<div>" * 3000, b"&amp;", b"&#x0;", b"&lol9;", b"<![CDATA[",
             b"]]>", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\r\n\r\n", b"WARC/1.0\r\n", b"Content-Length: 99999999\r\n",
             b"Content-Length: -1\r\n", b"Transfer-Encoding: chunked\r\n", b"\x1f\x8b\x08", b"<?xml version='1.0'?>",
             b"<!DOCTYPE a [<!ENTITY a 'aaaa'>]>", b"<script>", b"\u202e".decode("unicode_escape").encode("utf-8"),
             b"{\"url\": 1, \"text\": [", b"\n{}\n", b"<rss><channel><item>", b"</", b"\xc3\x28", b"a" * 70_000]


def seeds(limit_html: int = 40) -> list[Path]:
    """Real and project inputs to mutate (the shared data when it is there)."""
    out: list[Path] = []
    for folder in (SHARED / "warc", SHARED / "feeds"):
        if folder.is_dir():
            out += sorted(p for p in folder.iterdir() if p.is_file() and p.name != "LICENSE")
    html = SHARED / "html"
    if html.is_dir():
        out += sorted(p for p in html.rglob("*") if p.is_file() and not p.name.endswith((".json", ".txt")))[
            ::max(1, len(list(html.rglob("*"))) // limit_html)][:limit_html]
    out += sorted(p for p in (ROOT / "corpus" / "crawl").iterdir() if p.is_file())
    return out


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random mutations of *data*."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.choice(("flip", "truncate", "insert", "fragment", "duplicate", "delete", "gzip", "gunzip"))
        n = len(buf)
        if op == "flip" and n:
            for _ in range(rng.randint(1, 16)):
                buf[rng.randrange(n)] ^= 1 << rng.randrange(8)
        elif op == "truncate" and n:
            del buf[rng.randrange(n):]
        elif op == "insert":
            at = rng.randint(0, n)
            buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        elif op == "fragment":
            at = rng.randint(0, n)
            buf[at:at] = rng.choice(FRAGMENTS) * rng.choice((1, 1, 2, 50))
        elif op == "duplicate" and n:
            a = rng.randrange(n)
            b = min(n, a + rng.randint(1, 4096))
            at = rng.randint(0, n)
            buf[at:at] = buf[a:b] * rng.randint(1, 8)
        elif op == "delete" and n:
            a = rng.randrange(n)
            del buf[a:a + rng.randint(1, 512)]
        elif op == "gzip":
            buf = bytearray(gzip.compress(bytes(buf), 1))
        elif op == "gunzip" and buf[:2] == b"\x1f\x8b":
            try:
                buf = bytearray(gzip.decompress(bytes(buf)))
            except Exception:  # noqa: BLE001 - a damaged member stays as it is
                pass
    return bytes(buf)


class Hang(Exception):
    """A case ran past its time limit."""


def _alarm(signum: int, frame: object) -> None:
    raise Hang()


def run_case(path: Path, options: ReadOptions) -> tuple[str, int]:
    """Sniff, read and extract one file: (reader name, items).  Raises what the reader lets escape."""
    reader = reader_for(path)
    if reader is None:
        return "none", 0
    items = 0
    for item in reader[2](path, options):
        items += 1
        if isinstance(item, Document) and is_pending(item):
            finish_document(item)
        elif not isinstance(item, (Document, InputError)):
            raise TypeError(f"reader yielded {type(item).__name__}")
    return reader[0], items


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="time budget (default 60)")
    ap.add_argument("--case-seconds", type=int, default=20, help="a case running longer is a hang (default 20)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--save", type=Path, default=Path(tempfile.gettempdir()) / "compliance-fuzz-crashes")
    ap.add_argument("--json", action="store_true", help="print the counts as JSON")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    pool = [(p, p.read_bytes()) for p in seeds()]
    options = ReadOptions(max_doc_bytes=4 << 20, defer_extraction=True)
    cases: Counter[str] = Counter()
    crashes: Counter[str] = Counter()
    examples: list[str] = []
    signal.signal(signal.SIGALRM, _alarm)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="compliance-fuzz-") as tmp:
        i = 0
        while time.monotonic() - t0 < args.seconds:
            src, data = rng.choice(pool)
            case = mutate(data, rng)
            path = Path(tmp) / f"case-{i}{''.join(src.suffixes[-2:])}"
            path.write_bytes(case)
            name = "?"
            try:
                signal.alarm(args.case_seconds)
                name, _ = run_case(path, options)
            except InputError:
                name = name or "?"
            except (Exception, Hang) as exc:  # noqa: BLE001 - a crash: what this tool is for
                reader = reader_for(path)
                name = reader[0] if reader else "none"
                kind = "hang" if isinstance(exc, Hang) else exc.__class__.__name__
                crashes[f"{name}:{kind}"] += 1
                args.save.mkdir(parents=True, exist_ok=True)
                saved = args.save / f"{name}-{kind}-{i}{''.join(src.suffixes[-2:])}"
                saved.write_bytes(case)
                if len(examples) < 10:
                    examples.append(f"{saved} (from {src.name}): {kind}: "
                                    f"{traceback.format_exception_only(exc)[-1].strip()[:300]}")
            finally:
                signal.alarm(0)
                path.unlink(missing_ok=True)
            cases[name] += 1
            i += 1
    seconds = time.monotonic() - t0
    result = {"seconds": round(seconds, 1), "seed_files": len(pool), "cases": sum(cases.values()),
              "cases_per_reader": dict(sorted(cases.items())), "crashes": sum(crashes.values()),
              "crashes_by_kind": dict(crashes), "examples": examples,
              "readers": [r[0] for r in READERS]}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['cases']} cases in {seconds:.0f}s from {len(pool)} seed files; per reader: "
              + ", ".join(f"{k} {v}" for k, v in result["cases_per_reader"].items()))
        print(f"crashes: {result['crashes']}" + (f" {dict(crashes)}" if crashes else ""))
        for e in examples:
            print("  " + e)
    return 1 if crashes else 0


if __name__ == "__main__":
    raise SystemExit(main())
