"""A large evaluation set in the common layout, for timing tools where start-up no longer dominates.

    python benchmarks/synth_set.py --mb 20          # -> benchmarks/out/news-synth-20mb/

Works are news-dev's 400 registered articles (copied into the set's folder,
outside git); the crawl is synthetic news text from benchmarks/synth.py (a
word-bigram chain, fixed seed), ~4.8 KB a page, and one page in ten plants a
passage of a work: one to three whole paragraphs, verbatim, or with one word
in twelve dropped ("light").  truth.jsonl gives every planted passage with
exact character offsets on both sides, so ../shared/data/plagdet.py scores any
tool's findings on it as on news-dev.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
NEWS_DEV = HERE.parent.parent / "shared" / "data" / "news-dev"


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for part in text.split("\n\n"):
        a = pos + (len(part) - len(part.lstrip()))
        b = pos + len(part.rstrip())
        if b - a > 80:
            spans.append((a, b))
        pos += len(part) + 2
    return spans


def build(mb: int, out: Path | None = None, seed: int = 11) -> Path:
    """Write the set (once; an existing complete set is reused) and return its folder."""
    from synth import Generator

    folder = out or HERE / "out" / f"news-synth-{mb}mb"
    if (folder / "truth.jsonl").exists():
        return folder
    if not NEWS_DEV.exists():
        raise SystemExit(f"{NEWS_DEV} is absent: the synthetic set plants news-dev's works")
    tmp = folder.with_name(folder.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "crawl").mkdir(parents=True)
    shutil.copytree(NEWS_DEV / "works", tmp / "works")
    shutil.copy(NEWS_DEV / "works.jsonl", tmp / "works.jsonl")
    works = []
    for line in (NEWS_DEV / "works.jsonl").read_text(encoding="utf-8").splitlines():
        w = json.loads(line)
        text = (NEWS_DEV / w["path"]).read_text(encoding="utf-8")
        spans = _paragraph_spans(text)
        if len(spans) >= 2:
            works.append((w["id"], text, spans))
    rng = random.Random(seed)
    gen = Generator(seed=seed)
    size, k = 0, 0
    with open(tmp / "truth.jsonl", "w", encoding="utf-8") as truth:
        while size < mb * 1_000_000:
            for body in gen.batch(500, 800):
                paras = body.split("\n\n")
                page = "\n\n".join(paras)
                name = f"ns-{k:06d}.txt"
                if rng.random() < 0.1:
                    wid, wtext, spans = rng.choice(works)
                    first = rng.randrange(len(spans))
                    last = min(len(spans) - 1, first + rng.randrange(3))
                    ws, we = spans[first][0], spans[last][1]
                    passage, kind = wtext[ws:we], "none"
                    if rng.random() < 0.3:  # light: drop one word in twelve, offsets still exact on the work side
                        words = passage.split(" ")
                        passage = " ".join(w for i, w in enumerate(words) if i % 12 != 5)
                        kind = "light"
                    cut = len(paras) // 2
                    head = "\n\n".join(paras[:cut]) + "\n\n"
                    page = head + passage + "\n\n" + "\n\n".join(paras[cut:])
                    truth.write(json.dumps({"doc": name, "work": wid, "doc_start": len(head),
                                            "doc_end": len(head) + len(passage), "work_start": ws,
                                            "work_end": we, "obfuscation": kind}) + "\n")
                (tmp / "crawl" / name).write_text(page, encoding="utf-8")
                size += len(page.encode("utf-8"))
                k += 1
                if size >= mb * 1_000_000:
                    break
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return folder


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=int, default=20)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    print(build(args.mb, args.out))


if __name__ == "__main__":
    main()
