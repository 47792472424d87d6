"""The in-memory seed index: every registered work's winnowed k-gram hashes.

Look-ups never scan every work.  Fingerprints are kept in one sorted uint64
array (with parallel arrays of work number and token position); a document's
k-grams are first screened by a direct-address bit table of the top hash bits
(most k-grams of a crawled page are in no work, and the screen costs one memory
read each), and only the survivors are binary-searched.

Fingerprints shared by very many works (site boilerplate, stock phrases) are
dropped at build time: above ``max(max_df_floor, max_df_fraction * works)``
works they carry no evidence of copying from any one of them.  The cap is
deliberately high, because a wire story republished by dozens of outlets is
still a copy of each.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np

from .settings import MatcherSettings

__all__ = ["SeedIndex", "Hits", "NearIndex", "screen_config"]

_PREFILTER_BITS = 16  # the bit table grows with the index: about 16 bits per fingerprint


@dataclass
class Hits:
    """Seed hits of one document: parallel arrays."""

    doc_pos: np.ndarray
    work: np.ndarray
    work_pos: np.ndarray


class SeedIndex:
    """Sorted fingerprint arrays plus a bit-table prefilter."""

    FORMAT = 4  # bump when the arrays' layout changes (cache files carry it in their key)

    MAX_BUCKET_BITS = 24

    def __init__(self, hashes: np.ndarray, works: np.ndarray, positions: np.ndarray, n_works: int,
                 table: np.ndarray | None = None, offsets: np.ndarray | None = None) -> None:
        self.hashes = hashes
        self.works = works
        self.positions = positions
        self.n_works = n_works
        bits = _PREFILTER_BITS
        while (1 << bits) < hashes.shape[0] * 16 and bits < 32:
            bits += 1
        self.bits = bits
        self.shift = np.uint64(64 - bits)
        if table is None or table.shape[0] != (1 << bits) // 8:
            table = np.zeros((1 << bits) // 8, dtype=np.uint8)
            if hashes.shape[0]:
                top = hashes >> self.shift  # sorted, since hashes are
                # one bit per distinct prefix (dedupe first: ufunc.at is slow on millions)
                top = top[np.concatenate(([True], top[1:] != top[:-1]))].astype(np.int64)
                byte, bit = top >> 3, (top & 7).astype(np.uint8)
                np.bitwise_or.at(table, byte, np.left_shift(np.uint8(1), bit))
        self.table = table
        # Bucket offsets on the top bits (about one entry per bucket, at most
        # 2^24 buckets): a k-gram that passes the bit table is found by probing
        # a few entries, not by a binary search.
        if offsets is not None and offsets.shape[0] > 1:
            self.bucket_bits = int(offsets.shape[0] - 1).bit_length() - 1
        else:
            self.bucket_bits = max(8, min(self.MAX_BUCKET_BITS, int(max(1, hashes.shape[0])).bit_length()))
        nb = 1 << self.bucket_bits
        if offsets is None or offsets.shape[0] != nb + 1:
            counts = np.bincount((hashes >> np.uint64(64 - self.bucket_bits)).astype(np.int64), minlength=nb)
            offsets = np.zeros(nb + 1, dtype=np.uint32 if hashes.shape[0] < 2**32 else np.uint64)
            np.cumsum(counts, out=offsets[1:])
        self.offsets = offsets
        self.near: "NearIndex | None" = None
        #: each work's publisher number and the publishers' names (kept with the cache: a registry of 100,000
        #: works would otherwise read them at every start)
        self.work_publisher: np.ndarray | None = None
        self.publisher_names: list[str] = []

    @classmethod
    def build(cls, parts: Iterable[tuple[int, np.ndarray, np.ndarray]], n_works: int,
              settings: MatcherSettings) -> "SeedIndex":
        """Build from ``(work number, hashes, positions)`` triples."""
        hs, ws, ps = [], [], []
        for work, h, p in parts:
            hs.append(np.asarray(h, dtype=np.uint64))
            ps.append(np.asarray(p, dtype=np.int32))
            ws.append(np.full(len(h), work, dtype=np.int32))
        if not hs:
            e64 = np.zeros(0, dtype=np.uint64)
            e32 = np.zeros(0, dtype=np.int32)
            return cls(e64, e32, e32, n_works)
        h = np.concatenate(hs)
        w = np.concatenate(ws)
        p = np.concatenate(ps)
        order = np.argsort(h)
        h, w, p = h[order], w[order], p[order]
        # drop fingerprints present in too many distinct works
        cap = max(settings.max_df_floor, int(settings.max_df_fraction * n_works))
        if h.shape[0]:
            new = np.concatenate(([True], h[1:] != h[:-1]))
            group = np.cumsum(new) - 1
            counts = np.bincount(group)
            keep = counts[group] <= cap
            if not keep.all():
                h, w, p = h[keep], w[keep], p[keep]
        return cls(h, w, p, n_works)

    def lookup(self, kgrams: np.ndarray) -> Hits:
        """All (document position, work, work position) triples sharing a fingerprint."""
        if kgrams.shape[0] == 0 or self.hashes.shape[0] == 0:
            e = np.zeros(0, dtype=np.int64)
            return Hits(e, e, e)
        top = (kgrams >> self.shift).astype(np.int64)
        maybe = (self.table[top >> 3] >> (top & 7).astype(np.uint8)) & 1
        cand = np.flatnonzero(maybe)
        if cand.shape[0] == 0:
            e = np.zeros(0, dtype=np.int64)
            return Hits(e, e, e)
        q = kgrams[cand]
        h = self.hashes
        n = h.shape[0]
        b = (q >> np.uint64(64 - self.bucket_bits)).astype(np.int64)
        lo = self.offsets[b].astype(np.int64)
        end = self.offsets[b + 1].astype(np.int64)
        # lower bound inside the bucket: probe forward past smaller hashes (buckets hold ~1 entry)
        live = np.flatnonzero(lo < end)
        while live.shape[0]:
            smaller = h[lo[live]] < q[live]
            live = live[smaller]
            lo[live] += 1
            live = live[lo[live] < end[live]]
        found = (lo < end) & (h[np.minimum(lo, n - 1)] == q)
        cand, lo, q = cand[found], lo[found], q[found]
        hi = np.searchsorted(h, q, "right")
        cnt = hi - lo
        from .align import _ranges

        rows = _ranges(lo, cnt)
        return Hits(np.repeat(cand, cnt), self.works[rows].astype(np.int64), self.positions[rows].astype(np.int64))

    def df(self, kgrams: np.ndarray) -> np.ndarray:
        """How many index entries (about: works) hold each k-gram."""
        if kgrams.shape[0] == 0 or self.hashes.shape[0] == 0:
            return np.zeros(kgrams.shape[0], dtype=np.int64)
        return np.searchsorted(self.hashes, kgrams, "right") - np.searchsorted(self.hashes, kgrams, "left")

    @property
    def nbytes(self) -> int:
        return int(self.hashes.nbytes + self.works.nbytes + self.positions.nbytes + self.table.nbytes
                   + self.offsets.nbytes + (self.near.nbytes if self.near is not None else 0))

    _ARRAYS = ("hashes", "works", "positions", "table", "offsets")

    def save_dir(self, folder: Path, key: str) -> None:
        """Write the arrays as ``.npy`` files named by *key*, atomically (a temp folder, then rename)."""
        import shutil
        import tempfile

        folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".index-", dir=folder))
        try:
            for name in self._ARRAYS:
                np.save(tmp / f"{name}.npy", getattr(self, name))
            (tmp / "n_works").write_text(str(self.n_works))
            if self.work_publisher is not None:
                np.save(tmp / "work_publisher.npy", self.work_publisher)
                (tmp / "publisher_names.json").write_text(json.dumps(self.publisher_names), encoding="utf-8")
            if self.near is not None:
                for name in NearIndex._ARRAYS:
                    np.save(tmp / f"near_{name}.npy", getattr(self.near, name))
                (tmp / "near_k").write_text(str(self.near.k))
            final = folder / key
            if final.exists():
                shutil.rmtree(tmp)
                return
            tmp.rename(final)
        except OSError:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        for old in folder.iterdir():  # earlier keys are stale
            if old.name != key and not old.name.startswith("."):
                shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load_dir(cls, folder: Path, key: str) -> "SeedIndex | None":
        """The cached index for *key* (memory-mapped, shared by every process that maps it), or None."""
        d = folder / key
        try:
            # plain arrays over the mapping: shared pages, without memmap's per-index overhead
            arrays = {name: np.asarray(np.load(d / f"{name}.npy", mmap_mode="r")) for name in cls._ARRAYS}
            n_works = int((d / "n_works").read_text())
        except (OSError, ValueError):
            return None
        index = cls(arrays["hashes"], arrays["works"], arrays["positions"], n_works, table=arrays["table"],
                    offsets=arrays["offsets"])
        try:
            index.work_publisher = np.load(d / "work_publisher.npy")
            index.publisher_names = json.loads((d / "publisher_names.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            index.work_publisher, index.publisher_names = None, []
        if (d / "near_k").exists():
            try:
                na = {name: np.asarray(np.load(d / f"near_{name}.npy", mmap_mode="r")) for name in NearIndex._ARRAYS}
                index.near = NearIndex(na["values"], na["works"], na["first"], na["last"],
                                       int((d / "near_k").read_text()), keys=na["keys"], orders=na["orders"],
                                       svalues=na["svalues"])
            except (OSError, ValueError):
                return None
        return index


class NearIndex:
    """Simhashes of the registered works' passage windows, banded for look-up.

    Pigeonhole: split the 64 bits into ``k + 1`` blocks; two values within
    Hamming distance ``k`` agree exactly on at least one block.  Each block
    is a sorted array of (block value, row), so a look-up is a few binary
    searches and a popcount over the bucket, never a scan of every window.
    It finds lightly edited passages whose exact k-grams the edits broke.
    """

    def __init__(self, values: np.ndarray, works: np.ndarray, first: np.ndarray, last: np.ndarray,
                 k: int, keys: np.ndarray | None = None, orders: np.ndarray | None = None,
                 svalues: np.ndarray | None = None) -> None:
        self.values, self.works, self.first, self.last, self.k = values, works, first, last, k
        self.blocks = k + 1
        self.widths = [64 // self.blocks + (1 if b < 64 % self.blocks else 0) for b in range(self.blocks)]
        self.shifts = [sum(self.widths[:b]) for b in range(self.blocks)]
        if keys is None or orders is None:
            keys = np.zeros((self.blocks, values.shape[0]), dtype=np.uint32)
            orders = np.zeros((self.blocks, values.shape[0]), dtype=np.int32)
            for b in range(self.blocks):
                kb = self._block(values, b)
                o = np.argsort(kb, kind="stable")
                keys[b], orders[b] = kb[o], o
        self.keys, self.orders = keys, orders
        # each block's values in its key order: a bucket is read as one contiguous run of values (no random
        # access to the values per entry, which cost a cache miss each on an index of millions of windows)
        if svalues is None or svalues.shape != orders.shape:
            svalues = np.empty(orders.shape, dtype=np.uint64)
            for b in range(self.blocks):
                svalues[b] = values[orders[b]]
        self.svalues = svalues
        # direct-address bucket starts per block (2^16 + 1 entries for k = 3): a look-up is two
        # array reads instead of two binary searches over millions of keys
        self.starts: list[np.ndarray] | None = None
        if max(self.widths) <= 20:
            self.starts = [np.searchsorted(self.keys[b], np.arange((1 << self.widths[b]) + 1, dtype=np.uint32))
                           for b in range(self.blocks)]

    def _block(self, v: np.ndarray, b: int) -> np.ndarray:
        mask = np.uint64((1 << self.widths[b]) - 1)
        return ((v >> np.uint64(self.shifts[b])) & mask).astype(np.uint32)

    @classmethod
    def build(cls, parts: Iterable[tuple[int, np.ndarray]], k: int, min_words: int) -> "NearIndex":
        """From ``(work number, windows record array)`` pairs (first, last, value)."""
        vs, ws, fs, ls = [], [], [], []
        for work, arr in parts:
            if arr.shape[0] == 0:
                continue
            keep = (arr["last"] - arr["first"] + 1) >= min_words
            arr = arr[keep]
            vs.append(arr["value"].astype(np.uint64))
            fs.append(arr["first"].astype(np.int32))
            ls.append(arr["last"].astype(np.int32))
            ws.append(np.full(arr.shape[0], work, dtype=np.int32))
        if not vs:
            z = np.zeros(0, dtype=np.int32)
            return cls(np.zeros(0, dtype=np.uint64), z, z, z, k)
        return cls(np.concatenate(vs), np.concatenate(ws), np.concatenate(fs), np.concatenate(ls), k)

    def query(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(query index, row, distance) of every indexed window within distance k of a query value."""
        e = np.zeros(0, dtype=np.int64)
        if values.shape[0] == 0 or self.values.shape[0] == 0:
            return e, e, e
        from .align import _ranges

        qs, rows = [], []
        for b in range(self.blocks):
            qb = self._block(values, b)
            if self.starts is not None:
                lo, hi = self.starts[b][qb], self.starts[b][qb.astype(np.int64) + 1]
            else:
                lo = np.searchsorted(self.keys[b], qb, "left")
                hi = np.searchsorted(self.keys[b], qb, "right")
            cnt = hi - lo
            qs.append(np.repeat(np.arange(values.shape[0]), cnt))
            rows.append(self.orders[b][_ranges(lo, cnt)])
        q = np.concatenate(qs)
        r = np.concatenate(rows).astype(np.int64)
        if q.shape[0] == 0:
            return e, e, e
        dist = np.bitwise_count(self.values[r] ^ values[q]).astype(np.int64)
        ok = dist <= self.k
        q, r, dist = q[ok], r[ok], dist[ok]
        pair = np.unique(q * self.values.shape[0] + r, return_index=True)[1]  # a pair found in two blocks once
        return q[pair], r[pair], dist[pair]

    _ARRAYS = ("values", "works", "first", "last", "keys", "orders", "svalues")

    @property
    def nbytes(self) -> int:
        return int(sum(getattr(self, a).nbytes for a in self._ARRAYS))


def screen_config(index: SeedIndex, settings: MatcherSettings) -> dict:
    """What the compiled screen (``_kernel.screen``) reads: the index arrays and the retrieval settings.

    Built once per scan; the arrays are the index's own (memory-mapped from
    the cache), not copies.
    """
    from .fingerprint import _K_MULT

    kmult = np.array([_K_MULT[j % len(_K_MULT)] for j in range(max(settings.k, 2))], dtype=np.uint64)
    cfg = {
        "hashes": np.ascontiguousarray(index.hashes, dtype=np.uint64),
        "works": np.ascontiguousarray(index.works, dtype=np.int32),
        "positions": np.ascontiguousarray(index.positions, dtype=np.int32),
        "table": np.ascontiguousarray(index.table, dtype=np.uint8),
        "offsets": np.ascontiguousarray(index.offsets),
        "shift": int(index.shift), "bucket_bits": int(index.bucket_bits),
        "k": settings.k, "window_words": settings.window_words, "near_min_words": settings.near_min_words,
        "min_hits": settings.min_candidate_hits, "min_score": float(settings.min_candidate_score),
        "diag": settings.candidate_diagonal, "cwindow": settings.candidate_window,
        "max_cand": settings.max_candidates, "kmult": kmult,
        "near_values": np.zeros(0, dtype=np.uint64), "near_k": 0, "blocks": 0,
    }
    near = index.near
    if near is not None and near.values.shape[0]:
        cfg.update({
            "near_values": np.ascontiguousarray(near.values, dtype=np.uint64),
            "near_works": np.ascontiguousarray(near.works, dtype=np.int32),
            "near_keys": np.ascontiguousarray(near.keys, dtype=np.uint32),
            "near_orders": np.ascontiguousarray(near.orders, dtype=np.int32),
            "near_svalues": np.ascontiguousarray(near.svalues, dtype=np.uint64),
            "near_widths": list(near.widths), "near_k": int(near.k), "blocks": int(near.blocks),
            "near_starts": (np.ascontiguousarray(np.stack(near.starts), dtype=np.int64)
                            if near.starts is not None and len(set(near.widths)) == 1 else None),
        })
    return cfg
