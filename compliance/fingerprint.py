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

from . import _kernel
from .text import Tokens, _mix64, sorted_unique

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
    return sorted_unique(pos)


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


def simhash_windows(tokens: Tokens, window_words: int, hard: np.ndarray | None = None) -> list[Window]:
    """Simhash of each window of whole sentences holding about *window_words* words (see simhash_window_arrays)."""
    first, last, values = simhash_window_arrays(tokens, window_words, hard)
    return [Window(f, e, v) for f, e, v in zip(first.tolist(), last.tolist(), values.tolist())]


def simhash_window_arrays(tokens: Tokens, window_words: int,
                          hard: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(first token, last token, simhash) arrays of the sentence windows of *tokens*.

    Windows hold whole sentences, about *window_words* tokens each; a short
    tail (under a third of a window) joins the window before it; *hard* are
    token positions no window may cross (document starts in a batch).
    Sentence-aligned windows are shift-invariant: a copy pasted anywhere in a
    page produces the same windows as the original.  Each window's simhash is
    the majority vote of its word-bigram features' bits (the bigrams inside
    the window; bit-identical to the ``simhash`` library given the same
    features).  Computed by the compiled kernel.
    """
    hard_arr = None if hard is None else np.ascontiguousarray(sorted_unique(np.asarray(hard)), dtype=np.int64)
    first, last, values = _kernel.windows(np.ascontiguousarray(tokens.hashes, dtype=np.uint64),
                                          np.ascontiguousarray(tokens.sentence, dtype=np.int32),
                                          int(window_words), _K_MULT, hard_arr)
    return (np.frombuffer(first, dtype=np.int32), np.frombuffer(last, dtype=np.int32),
            np.frombuffer(values, dtype=np.uint64))


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
