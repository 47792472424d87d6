"""Main-text extraction quality on real article pages: word recall and precision per extractor.

    .venv/bin/python benchmarks/extraction.py [--shared ../shared] [--json]

Reads ``../shared/data/html/extraction-benchmark/`` (181 real article pages,
``html/*.html.gz``, with their article bodies in ``ground-truth.json``).
For each extractor setting, every page is decoded the way the scanner decodes
it (``compliance.reading.decode_html``) and extracted; words are lower-cased
``\\w+`` tokens compared as multisets:

- recall: share of ground-truth body words the extracted text keeps;
- precision: share of extracted words that are body words (the rest is chrome
  that reaches the matcher: menus, related links, comments).

Both are given over all words (micro) and as the mean per page (macro), with
the 10th-percentile page recall and the time per page.  ``compliance`` is the
setting the scanner uses (``compliance.extract.extract_html``).  resiliparse
is measured when it is installed (``pip install resiliparse``); it is not a
dependency.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from compliance.extract import extract_html, html_to_text  # noqa: E402
from compliance.reading import decode_html  # noqa: E402

_W = re.compile(r"\w+")


def _words(text: str | None) -> Counter:
    return Counter(w.lower() for w in _W.findall(text or ""))


def extractors() -> dict[str, Callable[[str, str], str]]:
    """The settings compared: the scanner's choice, trafilatura variants, a no-extractor baseline, resiliparse."""
    import trafilatura

    out: dict[str, Callable[[str, str], str]] = {
        "compliance (trafilatura favor_recall)": lambda html, url: extract_html(html, url).text,
        "trafilatura default": lambda html, url: trafilatura.extract(html, url=url, include_comments=False,
                                                                     include_tables=True) or "",
        "trafilatura favor_precision": lambda html, url: trafilatura.extract(
            html, url=url, include_comments=False, include_tables=True, favor_precision=True) or "",
        "all visible text (no extractor)": lambda html, url: html_to_text(html),
    }
    try:
        from resiliparse.extract.html2text import extract_plain_text

        out["resiliparse main_content"] = lambda html, url: extract_plain_text(html, main_content=True)
        out["resiliparse main_content, no bullets/alt"] = lambda html, url: extract_plain_text(
            html, main_content=True, list_bullets=False, alt_texts=False)
    except ImportError:
        print("resiliparse is not installed: not measured", file=sys.stderr)
    return out


def measure(folder: Path) -> list[dict]:
    """One row per extractor: micro/macro recall and precision, p10 recall, ms per page, empty outputs."""
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages = [(k, truth[k]["url"], decode_html(gzip.decompress((folder / "html" / f"{k}.html.gz").read_bytes())),
              _words(truth[k]["articleBody"])) for k in sorted(truth)]
    rows = []
    for name, fn in extractors().items():
        fn(pages[0][2], pages[0][1])  # warm up (imports, caches)
        kept = total = extracted = empty = 0
        recalls, precisions = [], []
        seconds = 0.0
        for _, url, html, want in pages:
            t0 = time.perf_counter()
            text = fn(html, url)
            seconds += time.perf_counter() - t0
            got = _words(text)
            k = sum((want & got).values())
            kept += k
            total += sum(want.values())
            extracted += sum(got.values())
            empty += not got
            recalls.append(k / max(1, sum(want.values())))
            precisions.append(k / max(1, sum(got.values())))
        recalls.sort()
        rows.append({"extractor": name, "recall": kept / total, "precision": kept / max(1, extracted),
                     "macro_recall": sum(recalls) / len(recalls), "macro_precision": sum(precisions) / len(precisions),
                     "p10_recall": recalls[len(recalls) // 10], "ms_per_page": 1000 * seconds / len(pages),
                     "empty": empty, "pages": len(pages)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = ap.parse_args()
    folder = args.shared / "data" / "html" / "extraction-benchmark"
    if not folder.exists():
        sys.exit(f"{folder} is absent: the ../shared development data is not beside this checkout")
    rows = measure(folder)
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{rows[0]['pages']} pages from {folder}")
    print("| extractor | recall | precision | macro recall | macro precision | p10 recall | ms/page | empty |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['extractor']} | {r['recall']:.1%} | {r['precision']:.1%} | {r['macro_recall']:.1%} | "
              f"{r['macro_precision']:.1%} | {r['p10_recall']:.1%} | {r['ms_per_page']:.1f} | {r['empty']} |")


if __name__ == "__main__":
    main()
