"""Helpers the peer adapters share: reading a set, paragraphs and words with offsets, findings out.

Adapters run in the peers' own venv (benchmarks/out/peers-venv), never in the
project's, so this module uses the standard library only and imports nothing
from `compliance`.  Offsets are Python str indices into
`Path(p).read_bytes().decode("utf-8")`, the convention of ../shared/data.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

WORD = re.compile(r"\w+")
BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")

# Peers report a copied region as several pieces (paragraph pairs, winnowed slices, chunks).
# Pieces of one (document, work) pair whose document spans lie within MERGE_GAP characters of
# each other are merged into one passage (the work side becomes the hull of theirs, which keeps
# reordered sentences together), the same for every peer: a user reading the output would do
# the same, and it only lowers the peers' granularity penalty.
MERGE_GAP = 200


def read_text(path: Path) -> str:
    """The file as the scorer reads it (offsets index this string)."""
    return Path(path).read_bytes().decode("utf-8")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each blank-line separated paragraph, surrounding whitespace trimmed."""
    spans = []
    pos = 0
    for m in BLANK_LINES.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out = []
    for a, b in spans:
        seg = text[a:b]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg) - len(seg.rstrip())
        if b - trail > a + lead:
            out.append((a + lead, b - trail))
    return out


def words(text: str, start: int = 0, end: int | None = None) -> list[tuple[str, int, int]]:
    """Lower-cased \\w+ words of text[start:end] with their offsets into text."""
    end = len(text) if end is None else end
    return [(m.group().lower(), m.start(), m.end()) for m in WORD.finditer(text, start, end)]


def shingles(tokens: list[str], n: int) -> list[str]:
    """Word n-grams joined by spaces (the whole list when it is shorter than n)."""
    if len(tokens) < n:
        return [" ".join(tokens)] if tokens else []
    return [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def work_ids(works_dir: Path) -> dict[str, str]:
    """File name -> work id, from the set's works.jsonl when present, else the file stem."""
    ids = {p.name: p.stem for p in sorted(Path(works_dir).glob("*.txt"))}
    manifest = Path(works_dir).parent / "works.jsonl"
    if manifest.exists():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                if row.get("path"):
                    ids[Path(row["path"]).name] = row["id"]
    return ids


def select_docs(crawl_dir: Path, names: str | None) -> list[Path]:
    """The crawl documents to scan: all *.txt, or the comma-separated names given."""
    if names:
        return [Path(crawl_dir) / n for n in names.split(",") if n]
    return sorted(Path(crawl_dir).glob("*.txt"))


def merge(passages: Iterable[dict], gap: int = MERGE_GAP) -> list[dict]:
    """Merge pieces of one (document, work) pair whose document spans are within `gap` characters."""
    out: list[dict] = []
    for p in sorted(passages, key=lambda p: (p["doc_start"], p["work_start"])):
        if out:
            q = out[-1]
            if p["doc_start"] <= q["doc_end"] + gap:
                q["doc_end"] = max(q["doc_end"], p["doc_end"])
                q["work_start"] = min(q["work_start"], p["work_start"])
                q["work_end"] = max(q["work_end"], p["work_end"])
                continue
        out.append(dict(p))
    return out


class Findings:
    """Collects passages per (document, work) and writes the scorer's JSON Lines."""

    def __init__(self) -> None:
        self.pairs: dict[tuple[str, str], list[dict]] = defaultdict(list)

    def add(self, doc: Path, work: str, doc_start: int, doc_end: int, work_start: int, work_end: int) -> None:
        if doc_end > doc_start and work_end > work_start:
            self.pairs[(str(doc), work)].append(
                {"doc_start": int(doc_start), "doc_end": int(doc_end),
                 "work_start": int(work_start), "work_end": int(work_end)})

    def write(self, out: Path) -> dict:
        """Write merged findings; returns counts for the adapter's summary line."""
        n_pass = 0
        with open(out, "w", encoding="utf-8") as fh:
            for (doc, work), pieces in sorted(self.pairs.items()):
                merged = merge(pieces)
                n_pass += len(merged)
                fh.write(json.dumps({"document": {"path": doc}, "work": {"id": work}, "passages": merged}) + "\n")
        return {"findings": len(self.pairs), "passages": n_pass,
                "pieces": sum(len(v) for v in self.pairs.values())}


def parser(description: str) -> argparse.ArgumentParser:
    """The command line every adapter takes."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--works", type=Path, required=True, help="folder of registered works (*.txt)")
    ap.add_argument("--crawl", type=Path, required=True, help="folder of crawl documents (*.txt)")
    ap.add_argument("--docs", help="comma-separated crawl file names (default: all)")
    ap.add_argument("--out", type=Path, required=True, help="findings JSON Lines to write")
    return ap


def done(counts: dict, **settings: object) -> None:
    """Print the adapter's one-line JSON summary on stdout (peers.py reads it)."""
    print(json.dumps({**counts, "settings": settings}))
