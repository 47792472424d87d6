"""From seeds to passages: chaining, extension, verification.

Given a document and one candidate work (both tokenised by :mod:`text`), find
every passage of the work copied into the document:

1. **Seeds**: exact matches of short word s-grams (s = 3) between the two
   texts; s-grams made only of stop words, and s-grams repeated too often in
   either text, are dropped (repeated-match cleaning).
2. **Chaining with reordering**: seeds are clustered by alternately splitting
   on gaps along the document and along the work, until stable (Sanchez-Perez
   et al. 2014).  Sentences shuffled inside a copied passage stay one cluster,
   since they are contiguous on both sides, just not in the same order.
3. **Near duplicates**: passage windows not covered by seeds are compared by
   simhash of word bigrams; windows within the Hamming radius are added as
   ``near`` passages.
4. **Verification**: each cluster must hold enough matched words, and a
   matched share of its span that depends on length (short passages must be
   dense, long ones may be heavily edited).  Close passages merge, so one copy
   is one detection.

Each passage reports its method (``exact``, ``edited``, ``reordered``,
``near``), a similarity in [0, 1] and the number of copied words.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _kernel
from .fingerprint import _K_MULT, simhash_window_arrays
from .settings import MatcherSettings
from .text import Tokens

__all__ = ["Passage", "align", "align_sides", "prepare", "doc_windows", "refine_edges", "settings_tuple"]


@dataclass
class Passage:
    """One copied passage: token ranges (inclusive) on both sides, plus evidence."""

    doc_first: int
    doc_last: int
    work_first: int
    work_last: int
    method: str
    similarity: float
    words: int

    def doc_span(self, doc: Tokens) -> tuple[int, int]:
        return doc.span(self.doc_first, self.doc_last)

    def work_span(self, work: Tokens) -> tuple[int, int]:
        return work.span(self.work_first, self.work_last)


def _ranges(lo: np.ndarray, cnt: np.ndarray) -> np.ndarray:
    """Concatenate arange(lo[i], lo[i]+cnt[i]) for all i, vectorised."""
    total = int(cnt.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.repeat(lo - np.concatenate(([0], np.cumsum(cnt)[:-1])), cnt)
    return starts + np.arange(total, dtype=np.int64)


_TRAIL = set(".!?,;:)]}\"'”’»…")
_LEAD = set("([{\"'“‘«")
_SAME = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "«": '"', "»": '"'})


def refine_edges(doc_text: str, ds: int, de: int, work_text: str, ws: int, we: int) -> tuple[int, int, int, int]:
    """Take in closing punctuation and opening quotes that both sides share.

    Token spans stop at word characters; a copied sentence also carries its
    full stop and quotation marks, so the span should select them too.
    """
    for _ in range(3):
        if de < len(doc_text) and we < len(work_text):
            a, b = doc_text[de], work_text[we]
            if a in _TRAIL and a.translate(_SAME) == b.translate(_SAME):
                de += 1
                we += 1
                continue
        break
    for _ in range(2):
        if ds > 0 and ws > 0:
            a, b = doc_text[ds - 1], work_text[ws - 1]
            if a in _LEAD and a.translate(_SAME) == b.translate(_SAME):
                ds -= 1
                ws -= 1
                continue
        break
    return ds, de, ws, we


WindowArrays = tuple[np.ndarray, np.ndarray, np.ndarray]  # (first token, last token, simhash)


def doc_windows(doc: Tokens, st: MatcherSettings) -> WindowArrays:
    """Simhash windows of a scanned document (computed once per document, for every candidate work)."""
    return simhash_window_arrays(doc, st.window_words)


def settings_tuple(st: MatcherSettings) -> tuple:
    """The alignment settings in the order the kernel reads them."""
    return (st.seed_k, st.seed_max_repeat, st.gap, st.min_seeds, st.min_words, st.min_words_edited,
            st.density_long_words, st.extend_window, st.template_min_numbers, st.near_hamming, st.near_min_words,
            st.merge_gap, float(st.density_short), float(st.density_long), float(st.template_min_kept),
            st.chain_gap, st.max_insert, float(st.chain_min_shared))


_NO_WINDOWS = (np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.uint64))


def prepare(tokens: Tokens, windows: WindowArrays | None, st: MatcherSettings) -> _kernel.Side:
    """One side of an alignment, prepared once: its tokens, windows and seed table.

    A document is prepared once for all its candidate works, and a work once
    for every document that copies it (the matcher caches it).
    """
    wf, wl, wv = windows if windows is not None else _NO_WINDOWS
    return _kernel.Side(tokens.hashes, tokens.stop.view(np.uint8), tokens.numeric.view(np.uint8), wf, wl, wv,
                        st.seed_k, _K_MULT)


def align_sides(doc: _kernel.Side, work: _kernel.Side, st: MatcherSettings,
                settings: tuple | None = None) -> list[Passage]:
    """All passages of the prepared *work* copied into the prepared *doc*, one detection per copied passage.

    The steps (seeds, clustering, extension, verification, near windows,
    merging; see the module docstring) run in the compiled kernel; this
    function turns its merged candidates into passages with a method and a
    similarity.  Near windows are compared when both sides have windows.
    """
    cands = _kernel.align(doc, work, settings or settings_tuple(st))
    out = []
    for d0, d1, w0, w1, dcov, wcov, _seeds, monotone, method_code in cands:
        dlen, wlen = d1 - d0 + 1, w1 - w0 + 1
        if method_code >= 0:  # a near-duplicate window, by its Hamming distance
            sim = round(1 - method_code / 64, 3)
            method = "near"
        else:
            sim = round((min(dcov, dlen) + min(wcov, wlen)) / (dlen + wlen), 3)
            if sim >= 0.999 and dlen == wlen and monotone:
                method, sim = "exact", 1.0
            elif not monotone:
                method = "reordered"
            else:
                method = "edited"
        out.append(Passage(d0, d1, w0, w1, method, sim, min(dcov, wcov, dlen, wlen)))
    return out


def align(doc: Tokens, work: Tokens, st: MatcherSettings,
          doc_wins: WindowArrays | None = None, work_wins: WindowArrays | None = None) -> list[Passage]:
    """All passages of *work* copied into *doc* (both prepared here; see :func:`align_sides`).

    Without windows on both sides, no near-duplicate windows are compared.
    """
    if doc_wins is None or work_wins is None:
        doc_wins = work_wins = None
    return align_sides(prepare(doc, doc_wins, st), prepare(work, work_wins, st), st)
