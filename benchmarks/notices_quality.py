"""Notice-extraction quality on real news pages (``../shared/data/notices-dev``).

For each labelled page, the extractor's *main* notice (the page's own, as
registration stores it) is compared with the label:

- holder: exactly the labelled holder (or one of ``holder_alternatives``);
  a notice that names no holder must give none;
- years: the same set of years (labels give the two ends of a range, the
  extractor every year in it: both spellings of "2000-2019" count as right);
- no invented notice: on pages labelled without a notice, no main notice.

The issue's floors are 95 % (holder), 97 % (years) and 95 % (no invented
notice).  ``run()`` returns the figures as a dict (``benchmarks/quality.py``
imports it); ``main()`` prints them and exits 1 below a floor.

    python benchmarks/notices_quality.py [--data DIR] [--json] [--verbose]

As a reference, ``--scancode scan.json`` scores ScanCode's copyright
detection on the same pages with the same measures.  ScanCode is not a
dependency; run it in a throwaway venv outside the repository:

    python3 -m venv /tmp/sc && /tmp/sc/bin/pip install scancode-toolkit "pluggy<1.6"
    cp -r ../shared/data/notices-dev /tmp/sc-in && chmod -R u+w /tmp/sc-in
    /tmp/sc/bin/scancode --copyright --json-pp /tmp/sc.json /tmp/sc-in
    python benchmarks/notices_quality.py --scancode /tmp/sc.json

ScanCode reports every detection, with no notion of the page's own notice:
it is scored on its last detection (the footer; its first scores lower),
and years come from that detection's statement.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from compliance.notices import main_notice, notices_in_file  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data"
FLOORS = {"holder": 0.97, "years": 0.98, "no_invented": 0.95}
HTML_LABELS = ROOT / "benchmarks" / "data" / "notices-html-labels.jsonl"


def _years_right(pred: list[int], label: list[int], text: str | None) -> bool:
    if set(pred) == set(label):
        return True
    if len(label) == 2 and label[0] < label[1]:
        return set(pred) == set(range(label[0], label[1] + 1))
    return False


def _holder_right(pred: str | None, row: dict[str, Any]) -> bool:
    if row.get("holder") is None:
        return pred is None
    return pred is not None and (pred == row["holder"] or pred in (row.get("holder_alternatives") or []))


def _has_notice(row: dict[str, Any]) -> bool:
    """notices-dev says so with ``notice_text`` (null: none); the HTML labels with ``has_notice``."""
    if "has_notice" in row:
        return bool(row["has_notice"])
    return row.get("notice_text") is not None


def _read_page(path: Path) -> tuple[Path, bytes]:
    """The page's bytes (gunzipped for ``.gz``) and the name to read it under."""
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        return path.with_name(path.name[:-3]), gzip.decompress(raw)
    return path, raw


def score(rows: list[dict[str, Any]], pages: Path, digest: Any = None) -> dict[str, Any]:
    """Holder, years, no-invented-notice and e-mail shares of the main notice on labelled pages.

    Also the holder registration would store (``main_notice(metadata=True)``)
    against ``holder`` on pages with a visible notice and ``metadata_holder``
    (structured data: meta, JSON-LD) on pages without one, where labelled.
    """
    digest = digest or hashlib.sha256()
    with_notice = holder_ok = years_ok = email_ok = 0
    without = invented = 0
    reg_n = reg_ok = 0
    misses: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    size = 0
    for row in rows:
        path, raw = _read_page(pages / row["file"])
        digest.update(raw)
        size += len(raw)
        notices, html = notices_in_file(path, raw)
        main = main_notice(notices, html=html)
        if "metadata_holder" in row or "has_notice" in row:
            want = row["holder"] if _has_notice(row) else row.get("metadata_holder")
            reg = main_notice(notices, html=html, metadata=True)
            reg_n += 1
            got = reg.holder if reg else None
            if got == want or (_has_notice(row) and _holder_right(got, row)):
                reg_ok += 1
            else:
                misses.append({"file": row["file"], "what": "registration holder", "want": want, "got": got})
        if not _has_notice(row):
            without += 1
            if main is not None:
                invented += 1
                misses.append({"file": row["file"], "what": "invented", "got": main.text})
            continue
        with_notice += 1
        h = main.holder if main else None
        y = main.years if main else []
        if _holder_right(h, row):
            holder_ok += 1
        else:
            misses.append({"file": row["file"], "what": "holder", "want": row["holder"], "got": h})
        if _years_right(y, row.get("years") or [], row.get("notice_text")):
            years_ok += 1
        else:
            misses.append({"file": row["file"], "what": "years", "want": row["years"], "got": y})
        e = main.contact_email if main else None
        if e == row.get("contact_email"):
            email_ok += 1
        else:
            misses.append({"file": row["file"], "what": "e-mail", "want": row.get("contact_email"), "got": e})
    seconds = time.perf_counter() - t0
    out = {
        "pages": len(rows),
        "pages_with_notice": with_notice,
        "pages_without_notice": without,
        "holder": round(holder_ok / max(1, with_notice), 4),
        "years": round(years_ok / max(1, with_notice), 4),
        "no_invented": round((without - invented) / max(1, without), 4),
        "contact_email": round(email_ok / max(1, with_notice), 4),
        "floors": FLOORS,
        "seconds": round(seconds, 2),
        "mb_per_second": round(size / 1e6 / max(seconds, 1e-9), 1),
        "corpus_sha256": digest.hexdigest()[:16],
        "misses": misses,
    }
    if reg_n:
        out["registration_holder"] = round(reg_ok / reg_n, 4)
    out["passed"] = all(out[k] >= v for k, v in FLOORS.items())
    return out


def _rows(labels: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines() if line.strip()]


def run(data: Path | None = None, verbose: bool = False) -> dict[str, Any]:
    """Score the extractor on notices-dev; figures are shares in 0..1."""
    data = data or DEFAULT_DATA
    labels = data / "notices-dev.jsonl"
    if not labels.exists():
        return {"skipped": f"{labels} is absent"}
    return score(_rows(labels), data / "notices-dev", hashlib.sha256(labels.read_bytes()))


def run_html(data: Path | None = None, labels: Path = HTML_LABELS) -> dict[str, Any]:
    """Score the extractor on the project's own labels of ../shared/data/html pages (footers read by hand)."""
    data = data or DEFAULT_DATA
    pages = data / "html"
    if not pages.is_dir():
        return {"skipped": f"{pages} is absent"}
    return score(_rows(labels), pages, hashlib.sha256(labels.read_bytes()))


def score_scancode(scan_json: Path, data: Path | None = None, pick: str = "last") -> dict[str, Any]:
    """The same measures for a ScanCode ``--copyright --json`` scan of notices-dev (reference only)."""
    from compliance.notices import expand_years

    data = data or DEFAULT_DATA
    rows = [json.loads(line) for line in (data / "notices-dev.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]
    scan = json.loads(scan_json.read_text(encoding="utf-8"))
    by_file: dict[str, dict[str, Any]] = {}
    for f in scan.get("files", []):
        parts = f["path"].split("/")
        for i in range(len(parts)):
            by_file.setdefault("/".join(parts[i:]), f)
    with_notice = holder_ok = years_ok = without = invented = 0
    for row in rows:
        f = by_file.get(row["file"], {})
        holders = f.get("holders") or []
        copyrights = f.get("copyrights") or []
        if row.get("notice_text") is None:
            without += 1
            invented += bool(copyrights or holders)
            continue
        with_notice += 1
        h = (holders[-1] if pick == "last" else holders[0])["holder"] if holders else None
        c = (copyrights[-1] if pick == "last" else copyrights[0])["copyright"] if copyrights else ""
        holder_ok += _holder_right(h, row)
        years_ok += _years_right(expand_years(c), row.get("years") or [], None)
    tool = (scan.get("headers") or [{}])[0].get("tool_version", "?")
    return {"tool": f"scancode-toolkit {tool}", "pick": pick,
            "holder": round(holder_ok / max(1, with_notice), 4), "years": round(years_ok / max(1, with_notice), 4),
            "no_invented": round((without - invented) / max(1, without), 4)}


def _print(name: str, res: dict[str, Any], verbose: bool) -> None:
    print(f"{name} ({res['pages']} pages, corpus {res['corpus_sha256']}, {res['seconds']}s, "
          f"{res['mb_per_second']} MB/s)")
    for key, label in (("holder", "holder exactly right"), ("years", "years right"),
                       ("no_invented", "no invented notice")):
        n = res["pages_with_notice"] if key != "no_invented" else res["pages_without_notice"]
        mark = "ok" if res[key] >= FLOORS[key] else "BELOW FLOOR"
        print(f"  {label:24s} {res[key]:6.1%}  of {n:3d} pages  (floor {FLOORS[key]:.0%})  {mark}")
    print(f"  {'contact e-mail right':24s} {res['contact_email']:6.1%}  (reported, no floor)")
    if "registration_holder" in res:
        print(f"  {'registration holder':24s} {res['registration_holder']:6.1%}  (visible notice, else structured data;"
              f" reported, no floor)")
    for sc in res.get("scancode", []):
        print(f"  reference, {sc['tool']} ({sc['pick']} detection): holder {sc['holder']:.1%}, "
              f"years {sc['years']:.1%}, no invented notice {sc['no_invented']:.1%}")
    if verbose or not res["passed"]:
        for m in res["misses"]:
            if verbose or m["what"] in ("holder", "years", "invented"):
                print("  miss:", json.dumps(m, ensure_ascii=False))


def main(argv: list[str] | None = None) -> int:
    """Print the notice figures of both label sets; exit 1 when one is below its floor."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the shared data folder")
    ap.add_argument("--labels", type=Path, default=HTML_LABELS, help="labels of ../shared/data/html pages")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--verbose", "-v", action="store_true", help="list every miss")
    ap.add_argument("--scancode", type=Path, help="a ScanCode --copyright JSON scan of notices-dev to compare with")
    args = ap.parse_args(argv)
    sets = {"notices-dev": run(args.data, args.verbose), "html-labels": run_html(args.data, args.labels)}
    if args.scancode and "skipped" not in sets["notices-dev"]:
        sets["notices-dev"]["scancode"] = [score_scancode(args.scancode, args.data, pick) for pick in ("last", "first")]
    if args.json:
        print(json.dumps(sets, indent=2, ensure_ascii=False))
    else:
        for name, res in sets.items():
            if "skipped" in res:
                print(f"{name}: skipped ({res['skipped']})")
            else:
                _print(name, res, args.verbose)
    return 0 if all(res.get("passed", True) for res in sets.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
