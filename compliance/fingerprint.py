"""Fingerprints: word k-gram hashes, winnowing, and simhash of passage windows.

Winnowing (Schleimer, Wilkerson and Aiken 2003) keeps the minimum hash of every
window of ``w`` consecutive k-grams.  Any run of at least ``w + k - 1`` shared
words therefore shares at least one stored fingerprint, while only about
``2 / (w + 1)`` of the k-grams are stored.  The registry stores the winnowed
k-grams of each work; a scan hashes every k-gram of the document and looks
them up, so the guarantee holds on the registry side alone.

Simhash (Charikar 2002) summarises a passage window by the majority vote of
its features' bits.  We use word bigrams as features (not the ``simhash``
library's default character 4-grams), so that a lightly edited sentence keeps
most of its features and lands a few bits away from the original.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simhash as simhash_lib

from .text import Tokens, _mix64

__all__ = [
    "kgram_hashes",
    "winnow",
    "WorkFingerprints",
    "fingerprint_tokens",
    "simhash_windows",
    "simhash_of_features",
    "hamming",
    "Window",
]

_K_MULT = np.array(
    [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5,
     0xD6E8FEB86659FD93, 0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53, 0x2545F4914F6CDD1D,
     0x9FB21C651E98DF25, 0xA0761D6478BD642F, 0xE7037ED1A0B428DB, 0x8EBC6AF09C88C6E3],
    dtype=np.uint64,
)


def kgram_hashes(hashes: np.ndarray, k: int) -> np.ndarray:
    """Hash of every run of *k* consecutive token hashes (length n-k+1)."""
    n = hashes.shape[0] - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    acc = hashes[:n] * _K_MULT[0]
    for j in range(1, k):
        acc += hashes[j : j + n] * _K_MULT[j % len(_K_MULT)]
    return _mix64(acc)


def winnow(h: np.ndarray, w: int) -> np.ndarray:
    """Positions selected by robust winnowing over windows of *w* hashes.

    In each window the rightmost minimum is chosen; consecutive windows that
    choose the same position record it once.  Sequences shorter than one window
    keep their minimum.
    """
    n = h.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n <= w:
        return np.array([n - 1 - int(np.argmin(h[::-1]))], dtype=np.int64)
    win = np.lib.stride_tricks.sliding_window_view(h, w)
    # rightmost minimum: argmin over the reversed window
    pick = (w - 1) - np.argmin(win[:, ::-1], axis=1)
    pos = np.arange(win.shape[0], dtype=np.int64) + pick
    return np.unique(pos)


@dataclass
class Window:
    """A passage window (a few sentences) with its simhash."""

    first: int  # first token index
    last: int  # last token index (inclusive)
    value: int  # unsigned 64-bit simhash


@dataclass
class WorkFingerprints:
    """What the registry stores for one work."""

    hashes: np.ndarray  # uint64 winnowed k-gram hashes
    positions: np.ndarray  # int32 token position of each k-gram
    windows: list[Window]


def fingerprint_tokens(tokens: Tokens, k: int, w: int, window_words: int) -> WorkFingerprints:
    """Winnowed k-grams and passage-window simhashes of a tokenised work."""
    kh = kgram_hashes(tokens.hashes, k)
    pos = winnow(kh, w)
    return WorkFingerprints(
        hashes=kh[pos], positions=pos.astype(np.int32), windows=simhash_windows(tokens, window_words)
    )


_BITS = np.uint64(1) << np.arange(64, dtype=np.uint64)


def simhash_of_features(features: np.ndarray) -> int:
    """Simhash (64 bits) of an array of uint64 feature hashes, all weight 1.

    Bit-for-bit the same as ``simhash.Simhash(features, hashfunc=...)`` given
    the same feature hashes (a test checks it), computed in one numpy pass.
    """
    if features.shape[0] == 0:
        return 0
    bits = (features[:, None] & _BITS[None, :]) != 0
    counts = bits.sum(axis=0)
    on = counts > (features.shape[0] / 2)
    return int(np.sum(_BITS[on], dtype=np.uint64))


def bigram_features(hashes: np.ndarray) -> np.ndarray:
    """Word-bigram features of a token run (unigram for a one-word run)."""
    if hashes.shape[0] < 2:
        return _mix64(hashes)
    return _mix64(hashes[:-1] * _K_MULT[0] + hashes[1:] * _K_MULT[1])


def _window_bounds(tokens: Tokens, window_words: int, hard: np.ndarray | None = None) -> list[tuple[int, int]]:
    """Token ranges [first, end) of whole-sentence windows of about *window_words*.

    *hard* are token positions no window may cross (document starts in a batch).
    """
    n = len(tokens)
    cuts = np.flatnonzero(np.diff(tokens.sentence)) + 1
    hard_set: set[int] = set()
    if hard is not None and hard.shape[0]:
        cuts = np.union1d(cuts, hard)
        hard_set = set(hard.tolist())
    out: list[tuple[int, int]] = []
    first = 0
    for b in cuts.tolist() + [n]:
        if b - first >= window_words or b == n or b in hard_set:
            if b - first < max(4, window_words // 3) and out and first not in hard_set:
                out[-1] = (out[-1][0], b)  # a short tail joins the previous window
            elif b > first:
                out.append((first, b))
            first = b
    return out


def simhash_windows(tokens: Tokens, window_words: int, hard: np.ndarray | None = None) -> list[Window]:
    """Simhash of each window of whole sentences holding about *window_words* words (see simhash_window_arrays)."""
    first, last, values = simhash_window_arrays(tokens, window_words, hard)
    return [Window(f, e, v) for f, e, v in zip(first.tolist(), last.tolist(), values.tolist())]


def simhash_window_arrays(tokens: Tokens, window_words: int,
                          hard: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first token, last token, simhash) arrays of the sentence windows of *tokens*.

    Sentence-aligned windows are shift-invariant: a copy pasted anywhere in a
    page produces the same windows as the original.  All windows are computed
    in one pass: the bit counts of the bigram features are summed per window
    with one ``np.add.reduceat`` over the window bounds, eight lanes at a time.
    """
    n = len(tokens)
    if n == 0:
        return (np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.uint64))
    bounds = _window_bounds(tokens, window_words, hard)
    feats = bigram_features(tokens.hashes)  # feature t covers tokens t, t+1
    nf = feats.shape[0]
    first = np.array([f for f, _ in bounds], dtype=np.int64)
    end = np.array([e for _, e in bounds], dtype=np.int64)
    # bigrams inside each window: [a, b), clipped to the features (a one-token window at the end is empty)
    a = np.minimum(first, nf)
    b = np.minimum(np.maximum(first + 1, np.minimum(end - 1, nf)), nf)
    # one row of 64 bits per feature; row nf is all zeros, so an empty window sums to nothing
    bits = np.zeros((nf + 1, 64), dtype=np.uint8)
    bits[:nf] = np.unpackbits(feats.astype("<u8").view(np.uint8).reshape(-1, 8), axis=1, bitorder="little")
    bounds_idx = np.empty(2 * a.shape[0], dtype=np.int64)
    bounds_idx[0::2], bounds_idx[1::2] = a, b
    # SWAR: summing the 64 one-byte bits of a row as 8 uint64 words adds every byte lane at once; a lane
    # cannot carry into the next while a window has fewer than 256 bigrams (odd slots are the gaps)
    lanes = np.add.reduceat(bits.view(np.uint64), bounds_idx, axis=0)[0::2]
    counts = np.ascontiguousarray(lanes).view(np.uint8).reshape(-1, 64).astype(np.int32)
    for i in np.flatnonzero((b - a) > 255).tolist():  # rare: a very long sentence, counted exactly
        counts[i] = bits[a[i]:b[i]].sum(axis=0, dtype=np.int32)
    on = counts * 2 > (b - a)[:, None]
    values = np.packbits(on, axis=1, bitorder="little").view("<u8").reshape(-1).astype(np.uint64)
    return first.astype(np.int32), (end - 1).astype(np.int32), values


def window_arrays(windows: list[Window]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first, last, value) arrays of a window list, for vectorised comparison."""
    if not windows:
        return (np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0, np.uint64))
    return (np.array([w.first for w in windows], dtype=np.int32),
            np.array([w.last for w in windows], dtype=np.int32),
            np.array([w.value for w in windows], dtype=np.uint64))


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit simhashes (via the simhash library)."""
    return simhash_lib.Simhash(a).distance(simhash_lib.Simhash(b))


def to_signed(value: int) -> int:
    """Shift an unsigned 64-bit value into SQLite's signed INTEGER range."""
    return value - (1 << 64) if value >= (1 << 63) else value


def to_hex(value: int) -> str:
    """Simhash as 16 hex characters (how the registry stores it)."""
    return f"{value:016x}"
