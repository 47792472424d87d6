"""Registration's compiled fingerprints equal the numpy definitions they replaced.

``_kernel.fingerprints`` winnows the k-grams of every record of a batch and
takes each body's simhash in one pass; the registry stores its bytes as they
come.  Here it is compared, record by record, with ``kgram_hashes`` +
``winnow`` and ``simhash_of_features(bigram_features(...))``.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance import _kernel
from compliance.fingerprint import _K_MULT, bigram_features, kgram_hashes, simhash_of_features, winnow

K, W = 5, 4


def _expected(h: np.ndarray) -> tuple[bytes, bytes, int] | None:
    if h.shape[0] < 2:
        return None
    kh = kgram_hashes(h, K)
    pos = winnow(kh, W) if kh.shape[0] else np.zeros(0, dtype=np.int64)
    return (kh[pos].astype("<u8").tobytes(), pos.astype("<i4").tobytes(),
            simhash_of_features(bigram_features(h)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 40), max_size=60), max_size=8))
def test_batch_fingerprints_equal_the_numpy_definitions(records: list[list[int]]) -> None:
    """Small vocabularies give ties (the rightmost minimum must win) and repeated k-grams."""
    rng = np.random.default_rng(len(records))
    vocab = rng.integers(0, 2**63, size=41, dtype=np.uint64)
    parts = [vocab[np.array(r, dtype=np.int64)] for r in records]
    hashes = np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)
    bounds = np.cumsum([0] + [len(r) for r in records]).astype(np.int64)
    got = _kernel.fingerprints(hashes, bounds, K, W, _K_MULT)
    assert got == [_expected(p) for p in parts]


def test_real_sized_records() -> None:
    rng = np.random.default_rng(7)
    parts = [rng.integers(0, 2**64 - 1, size=n, dtype=np.uint64) for n in (500, 1, 0, 5, 6, 9, 2000)]
    bounds = np.cumsum([0] + [len(p) for p in parts]).astype(np.int64)
    assert _kernel.fingerprints(np.concatenate(parts), bounds, K, W, _K_MULT) == [_expected(p) for p in parts]
