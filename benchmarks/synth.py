"""Reproducible synthetic news text for the speed benchmarks.

A word-bigram Markov chain is trained on the development sets in ../shared
(text never leaves memory; nothing third-party is written out verbatim beyond
chance bigrams), then sampled with a fixed seed, vectorised across documents.
The chain gives realistic word frequencies and stock phrases, so the seed index
sees the common k-grams that real news shares.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*|\d+")


def train(max_chars: int = 12_000_000) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Vocabulary, successor tables (flat successors, offsets, counts) and the training sequence."""
    texts = []
    total = 0
    for sub in ("news-dev/works", "news-real-dev/works", "pan13-dev/works"):
        for p in sorted((SHARED / sub).glob("*.txt")):
            t = p.read_text(encoding="utf-8", errors="replace")
            texts.append(t)
            total += len(t)
            if total > max_chars:
                break
    if not texts:
        raise SystemExit(f"{SHARED} is absent: the synthetic generator trains on ../shared/data")
    vocab: dict[str, int] = {}
    seq = []
    for t in texts:
        for w in _WORD.findall(t):
            seq.append(vocab.setdefault(w, len(vocab)))
    ids = np.array(seq, dtype=np.int64)
    order = np.argsort(ids[:-1], kind="stable")
    succ = ids[1:][order]
    counts = np.bincount(ids[:-1], minlength=len(vocab))
    offsets = np.zeros(len(vocab) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    words = [None] * len(vocab)
    for w, i in vocab.items():
        words[i] = w
    return words, succ, offsets, counts, ids  # type: ignore[return-value]


class Generator:
    """Sample documents of given word counts from the trained chain."""

    jump = 0.25

    def __init__(self, seed: int = 20170101) -> None:
        self.words, self.succ, self.offsets, self.counts, self.seq = train()
        self.rng = np.random.Generator(np.random.PCG64(seed))
        self.warr = np.array(self.words, dtype=object)

    def batch(self, n_docs: int, n_words: int) -> list[str]:
        rng = self.rng
        cur = rng.integers(0, len(self.words), size=n_docs)
        out = np.empty((n_docs, n_words), dtype=np.int64)
        for step in range(n_words):
            c = self.counts[cur]
            dead = c == 0
            if dead.any():
                cur[dead] = rng.integers(0, len(self.words), size=int(dead.sum()))
                c = self.counts[cur]
            pick = self.offsets[cur] + (rng.random(n_docs) * c).astype(np.int64)
            cur = self.succ[pick]
            # A quarter of the words are drawn from the unigram distribution, so
            # that documents do not replay long runs of the small training text.
            jump = rng.random(n_docs) < self.jump
            if jump.any():
                cur[jump] = self.seq[rng.integers(0, self.seq.shape[0], size=int(jump.sum()))]
            out[:, step] = cur
        docs = []
        for row in out:
            ws = self.warr[row]
            # sentences of 12-28 words, paragraphs of 3 sentences
            parts = []
            i = 0
            k = 0
            lens = rng.integers(12, 29, size=n_words // 12 + 2)
            while i < n_words:
                j = min(n_words, i + int(lens[k]))
                s = " ".join(ws[i:j])
                parts.append(s[:1].upper() + s[1:] + ".")
                i = j
                k += 1
            paras = [" ".join(parts[x : x + 3]) for x in range(0, len(parts), 3)]
            docs.append("\n\n".join(paras) + "\n")
        return docs
