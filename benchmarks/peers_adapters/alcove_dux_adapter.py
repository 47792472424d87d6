"""alcove-dux: its own CLI, `alcove-dux scan-corpus DOC WORKS_DIR --out OUT.json`, once per crawl document.

That is how a user scans a folder with it (there is no multi-document
command): each call loads and chunks the whole works folder again, then runs
its exact token-sequence matcher and simhash-candidate chunk comparison
against every work.  Default settings (min score 0.5, no semantic models).

Its report gives, per match, offsets into its *normalised* texts (whitespace
runs collapsed, lines stripped) and an opaque source id ("doc:" + the first 16
hex digits of the SHA-256 of the normalised work).  Both are mapped back
here: the id by normalising every work with alcove-dux's own normalize_text,
and the offsets by walking the normalised text against the file (only
whitespace differs).  Exact-sequence matches and chunk matches overlap; they
are kept as reported and merged like every peer's pieces (see _common.merge).
Runs in the peers' venv (see benchmarks/peers.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import Findings, done, parser, read_text, select_docs, work_ids
from alcove_dux.documents import Document, normalize_text

WS = " \t\f\v"


def offset_map(original: str) -> list[int]:
    """pos[i] = offset in `original` of character i of normalize_text(original); pos[len] = end."""
    norm = normalize_text(original)
    pos = []
    j = 0
    for c in norm:
        while j < len(original) and not (original[j] == c or (c == " " and original[j] in WS)):
            j += 1
        if j >= len(original):
            raise ValueError("normalised text does not follow the original")
        pos.append(j)
        j += 1
    pos.append(pos[-1] + 1 if pos else 0)
    return pos


def to_original(pos: list[int], start: int, end: int) -> tuple[int, int]:
    """A [start, end) span of the normalised text as a span of the original."""
    return pos[start], (pos[end - 1] + 1 if end > start else pos[start])


def source_id(chunk_id: str) -> str:
    """The corpus document id in a source chunk id ("doc:abc:exact:0" or "doc:abc:3")."""
    if ":exact:" in chunk_id:
        return chunk_id.split(":exact:")[0]
    return chunk_id.rsplit(":", 1)[0]


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    exe = str(Path(sys.executable).with_name("alcove-dux"))
    ids = work_ids(args.works)
    docs = select_docs(args.crawl, args.docs)
    found = Findings()
    errors: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        reports = []
        for doc in docs:
            out = Path(tmp) / f"{doc.stem}.json"
            run = subprocess.run([exe, "scan-corpus", str(doc), str(args.works), "--out", str(out)],
                                 check=False, capture_output=True, text=True)
            if run.returncode != 0 or not out.exists():
                errors.append(f"{doc.name}: exit {run.returncode}: {(run.stderr.strip().splitlines() or [''])[-1]}")
                continue
            reports.append((doc, json.loads(out.read_text(encoding="utf-8"))))
        # Map alcove-dux's opaque ids and normalised offsets back to work ids and file offsets.
        by_id: dict[str, tuple[str, list[int]]] = {}
        for path in sorted(args.works.glob("*.txt")):
            text = read_text(path)
            by_id[Document.from_text(text).id] = (ids[path.name], offset_map(text))
        unmapped = 0
        for doc, report in reports:
            dpos = offset_map(read_text(doc))
            for m in report["matches"]:
                work = by_id.get(source_id(m["source_chunk_id"]))
                if work is None:
                    unmapped += 1
                    continue
                d0, d1 = to_original(dpos, m["suspicious_start"], m["suspicious_end"])
                w0, w1 = to_original(work[1], m["source_start"], m["source_end"])
                found.add(doc, work[0], d0, d1, w0, w1)
    counts = found.write(args.out)
    done({**counts, "errors": errors, "unmapped_matches": unmapped, "docs": len(docs)},
         command="alcove-dux scan-corpus DOC WORKS --out OUT.json", min_score=0.5)


if __name__ == "__main__":
    main()
