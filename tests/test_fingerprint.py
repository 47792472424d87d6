"""Fingerprints: the winnowing guarantee, simhash equal to the simhash library's, the banded index's guarantee."""

from __future__ import annotations

import random

import numpy as np
import simhash

from compliance.fingerprint import bigram_features, kgram_hashes, simhash_windows, winnow
from compliance.index import NearIndex
from compliance.text import tokenize

WORDS = ("harbour council ferry budget school river bank tram library grant vote storm market bridge road "
         "mayor fund report survey plan court judge police fire rail port share price rate staff union").split()


def test_winnowing_guarantee():
    """Any run of at least w + k - 1 shared words shares a stored (winnowed) fingerprint."""
    rng = random.Random(3)
    k, w = 5, 4
    for _ in range(200):
        work = " ".join(rng.choice(WORDS) + str(rng.randrange(50)) for _ in range(200))
        toks = work.split()
        a = rng.randrange(0, 200 - (w + k - 1))
        run = " ".join(toks[a : a + w + k - 1])
        doc = "unrelated words here " + run + " and more unrelated words"
        kh = kgram_hashes(tokenize(work).hashes, k)
        stored = set(kh[winnow(kh, w)].tolist())
        assert stored & set(kgram_hashes(tokenize(doc).hashes, k).tolist())


def test_winnowing_stores_a_fraction():
    """Winnowing keeps about 2/(w+1) of the k-grams."""
    text = " ".join(f"{random.Random(i).choice(WORDS)}{i}" for i in range(5000))
    kh = kgram_hashes(tokenize(text).hashes, 5)
    share = len(winnow(kh, 4)) / len(kh)
    assert 0.3 < share < 0.5


def test_simhash_matches_the_simhash_library():
    """Our vectorised window simhash is bit for bit the simhash library's on the same word-bigram features."""
    text = ". ".join(" ".join(random.Random(i * 7 + j).choice(WORDS) for j in range(14)) for i in range(30)) + "."
    t = tokenize(text)
    hashfunc = lambda b: int(b.decode()) if b.isdigit() else 0  # noqa: E731 - features are 64-bit hashes already
    for win in simhash_windows(t, 12):
        feats = bigram_features(t.hashes[win.first : win.last + 1])
        assert simhash.Simhash([str(int(x)) for x in feats], hashfunc=hashfunc).value == win.value


def test_simhash_of_a_window_longer_than_255_words_matches_the_library():
    """Windows are counted eight bit-lanes at a time; a lane holds 255, so longer windows are counted apart."""
    rng = random.Random(2)
    text = (" ".join(rng.choice(WORDS) + str(rng.randrange(99)) for _ in range(900)) + ". Short one here. "
            + " ".join(rng.choice(WORDS) for _ in range(300)) + ".")
    t = tokenize(text)
    hashfunc = lambda b: int(b.decode()) if b.isdigit() else 0  # noqa: E731
    wins = simhash_windows(t, 12)
    assert max(w.last - w.first for w in wins) > 600
    for win in wins:
        feats = bigram_features(t.hashes[win.first : win.last + 1])
        assert simhash.Simhash([str(int(x)) for x in feats], hashfunc=hashfunc).value == win.value


def test_batch_windows_equal_one_document_at_a_time_even_for_a_one_word_page():
    """A batch (documents cut at hard bounds) gives each document its own windows; a one-word last page is fine."""
    rng = random.Random(5)
    docs = [". ".join(" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 20))) for _ in range(rng.randint(1, 6)))
            for _ in range(20)] + ["Hello"]
    text = "\n".join(docs)
    t = tokenize(text)
    starts, pos = [], 0
    for d in docs:
        starts.append(int(np.searchsorted(t.starts, pos)))
        pos += len(d) + 1
    wins = simhash_windows(t, 12, np.array(starts[1:], dtype=np.int64))
    assert wins[-1].first == wins[-1].last == len(t) - 1  # the one-word page is its own (empty) window
    for i, d in enumerate(docs[:-1]):
        own = simhash_windows(tokenize(d), 12)
        batch = [w for w in wins if starts[i] <= w.first < starts[i + 1]]
        assert [w.value for w in batch] == [w.value for w in own]


def test_banded_index_finds_everything_within_k_bits():
    """Pigeonhole over k+1 blocks: every stored value within Hamming k of a query is returned, nothing farther."""
    rng = np.random.default_rng(5)
    values = rng.integers(0, 2**63, size=5000, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    arr = np.zeros(values.shape[0], dtype=[("first", "<i4"), ("last", "<i4"), ("value", "<u8")])
    arr["value"], arr["last"] = values, 20
    idx = NearIndex.build([(7, arr)], k=3, min_words=16)
    for i in range(200):
        flips = rng.choice(64, size=int(rng.integers(0, 6)), replace=False)
        q = values[i]
        for b in flips:
            q ^= np.uint64(1) << np.uint64(int(b))
        _, rows, dist = idx.query(np.array([q], dtype=np.uint64))
        found = set(rows.tolist())
        if len(flips) <= 3:
            assert i in found
        assert all(d <= 3 for d in dist.tolist())
        assert set(idx.works[rows].tolist()) <= {7}
