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

from .fingerprint import Window, kgram_hashes, window_arrays
from .settings import MatcherSettings
from .text import Tokens, is_stop

__all__ = ["Passage", "align", "find_seeds"]


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


def find_seeds(doc: Tokens, work: Tokens, s: int, max_repeat: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j): the s-gram at document token i equals the one at work token j."""
    dk = kgram_hashes(doc.hashes, s)
    wk = kgram_hashes(work.hashes, s)
    if dk.shape[0] == 0 or wk.shape[0] == 0:
        e = np.zeros(0, dtype=np.int64)
        return e, e
    dstop = doc.stop
    stop_only = dstop[: dk.shape[0]].copy()
    for j in range(1, s):
        stop_only &= dstop[j : j + dk.shape[0]]
    order = np.argsort(wk, kind="stable")
    sw = wk[order]
    lo = np.searchsorted(sw, dk, "left")
    hi = np.searchsorted(sw, dk, "right")
    cnt = hi - lo
    # repeated-match cleaning: an s-gram frequent in the document is as suspect
    dorder = np.argsort(dk, kind="stable")
    sd = dk[dorder]
    dcnt = np.searchsorted(sd, dk, "right") - np.searchsorted(sd, dk, "left")
    ok = (cnt > 0) & (cnt <= max_repeat) & (dcnt <= max_repeat) & ~stop_only
    idx = np.flatnonzero(ok)
    c = cnt[idx]
    i = np.repeat(idx, c)
    j = order[_ranges(lo[idx], c)]
    return i.astype(np.int64), j.astype(np.int64)


def _split(members: np.ndarray, key: np.ndarray, gap: int) -> list[np.ndarray]:
    order = members[np.argsort(key[members], kind="stable")]
    k = key[order]
    cuts = np.flatnonzero(np.diff(k) > gap) + 1
    return np.split(order, cuts) if cuts.size else [order]


def _cluster(i: np.ndarray, j: np.ndarray, gap: int, min_size: int = 1) -> list[np.ndarray]:
    """Alternately split seeds on document gaps and on work gaps until stable.

    Parts smaller than *min_size* can never become a passage and are dropped
    as soon as they appear (they are most of the chance seeds).
    """
    clusters = [np.arange(i.shape[0])]
    while True:
        out: list[np.ndarray] = []
        changed = False
        for c in clusters:
            parts = _split(c, i, gap)
            changed |= len(parts) > 1
            for part in parts:
                if part.shape[0] < min_size:
                    continue
                sub = _split(part, j, gap)
                changed |= len(sub) > 1
                out.extend(p for p in sub if p.shape[0] >= min_size)
        if not changed:
            return out
        clusters = out


def _covered(first: np.ndarray, s: int, lo: int, hi: int) -> int:
    """Number of tokens in [lo, hi] covered by s-grams starting at *first*."""
    mask = np.zeros(hi - lo + 1, dtype=bool)
    for d in range(s):
        p = first + d - lo
        p = p[(p >= 0) & (p <= hi - lo)]
        mask[p] = True
    return int(mask.sum())


def _required_density(words: int, st: MatcherSettings) -> float:
    if words >= st.density_long_words:
        return st.density_long
    t = (words - st.min_words) / max(1, st.density_long_words - st.min_words)
    t = min(max(t, 0.0), 1.0)
    return st.density_short + (st.density_long - st.density_short) * t


@dataclass
class _Cand:
    d0: int
    d1: int
    w0: int
    w1: int
    dcov: int
    wcov: int
    seeds: int
    monotone: bool
    method: str = ""


def _evaluate(i: np.ndarray, j: np.ndarray, s: int) -> _Cand:
    d0, d1 = int(i.min()), int(i.max()) + s - 1
    w0, w1 = int(j.min()), int(j.max()) + s - 1
    order = np.argsort(i, kind="stable")
    monotone = bool(np.all(np.diff(j[order]) >= 0))
    return _Cand(d0, d1, w0, w1, _covered(i, s, d0, d1), _covered(j, s, w0, w1), int(i.shape[0]), monotone)


def _extend_exact(c: _Cand, doc: Tokens, work: Tokens) -> _Cand:
    """Classic seed extension: grow both ends while the next words are equal.

    Seeds skip repeated and stop-word-only s-grams, so a copy's first or last
    words ("Port of ...") can lie outside every seed.
    """
    dh, wh = doc.hashes, work.hashes
    d0, w0, d1, w1 = c.d0, c.w0, c.d1, c.w1
    while d0 > 0 and w0 > 0 and dh[d0 - 1] == wh[w0 - 1]:
        d0 -= 1
        w0 -= 1
    while d1 + 1 < len(dh) and w1 + 1 < len(wh) and dh[d1 + 1] == wh[w1 + 1]:
        d1 += 1
        w1 += 1
    grown = (c.d0 - d0) + (d1 - c.d1)
    if not grown:
        return c
    return _Cand(d0, d1, w0, w1, c.dcov + grown, c.wcov + grown, c.seeds, c.monotone, c.method)


def _accept(c: _Cand, st: MatcherSettings) -> bool:
    if c.seeds < st.min_seeds or min(c.dcov, c.wcov) < st.min_words:
        return False
    dlen, wlen = c.d1 - c.d0 + 1, c.w1 - c.w0 + 1
    need = _required_density(min(c.dcov, c.wcov), st)
    return c.dcov / dlen >= need and c.wcov / wlen >= need


def _extend(c: _Cand, doc: Tokens, work: Tokens, dstop: np.ndarray, st: MatcherSettings) -> _Cand:
    """Grow a passage outward over edited words.

    Beyond each end, a document token counts as matched when it occurs in the
    nearby stretch of the work (and vice versa).  The edge moves to the
    farthest matched content word such that at least half of the tokens
    crossed are matched.  Heavily edited copies lose their exact seeds near
    the edges, but most of their words survive.
    """
    reach = st.extend_window
    dh, wh = doc.hashes, work.hashes
    wstop = work.stop

    def grow(src_h, src_stop, pos, step, other_h, olo, ohi, limit):
        best = pos
        matched = 0
        crossed = 0
        other = set(other_h[max(0, olo):max(0, ohi)].tolist())
        p = pos + step
        while 0 <= p < limit and crossed < reach:
            crossed += 1
            if src_h[p] in other:
                matched += 1
                if not src_stop[p] and matched * 2 >= crossed:
                    best = p
            p += step
        return best

    for _ in range(8):
        d0 = grow(dh, dstop, c.d0, -1, wh, c.w0 - reach, c.w0 + 4, len(doc))
        d1 = grow(dh, dstop, c.d1, +1, wh, c.w1 - 3, c.w1 + reach + 1, len(doc))
        w0 = grow(wh, wstop, c.w0, -1, dh, c.d0 - reach, c.d0 + 4, len(work))
        w1 = grow(wh, wstop, c.w1, +1, dh, c.d1 - 3, c.d1 + reach + 1, len(work))
        if (d0, d1, w0, w1) == (c.d0, c.d1, c.w0, c.w1):
            break
        c = _Cand(d0, d1, w0, w1, c.dcov + (c.d0 - d0) + (d1 - c.d1), c.wcov + (c.w0 - w0) + (w1 - c.w1),
                  c.seeds, c.monotone, c.method)
    return c


def _is_verbatim(c: _Cand) -> bool:
    dlen, wlen = c.d1 - c.d0 + 1, c.w1 - c.w0 + 1
    return c.monotone and dlen == wlen and c.dcov >= dlen and c.wcov >= wlen


def _template(c: _Cand, doc: Tokens, work: Tokens, st: MatcherSettings) -> bool:
    """Same wording, different figures: a filled-in template, not a copy.

    Census tables, sports results and market reports share every word but
    the numbers.  Copies, even heavily edited ones, keep the figures.
    """
    dn = doc.numeric[c.d0 : c.d1 + 1]
    if int(dn.sum()) < st.template_min_numbers:
        return False
    dnum = doc.hashes[c.d0 : c.d1 + 1][dn]
    wnum = set(work.hashes[c.w0 : c.w1 + 1][work.numeric[c.w0 : c.w1 + 1]].tolist())
    kept = sum(1 for h in dnum.tolist() if h in wnum)
    return kept < st.template_min_kept * dnum.shape[0]


def _merge(cands: list[_Cand], st: MatcherSettings) -> list[_Cand]:
    cands = sorted(cands, key=lambda c: (c.d0, c.w0))
    out: list[_Cand] = []
    for c in cands:
        if out:
            p = out[-1]
            dgap = c.d0 - p.d1
            wgap = max(c.w0 - p.w1, p.w0 - c.w1)
            # Pieces of one reordered passage come from a stretch of the work
            # no longer than the pieces themselves.
            reach = max(st.merge_gap, (p.w1 - p.w0) + (c.w1 - c.w0))
            if dgap <= st.merge_gap and (wgap <= reach or dgap <= 0):
                out[-1] = _Cand(
                    min(p.d0, c.d0), max(p.d1, c.d1), min(p.w0, c.w0), max(p.w1, c.w1),
                    p.dcov + c.dcov, p.wcov + c.wcov, p.seeds + c.seeds,
                    p.monotone and c.monotone and c.w0 >= p.w1,
                    p.method if p.method == c.method else "edited",
                )
                continue
        out.append(c)
    return out


def _near(doc: Tokens, work: Tokens, covered_doc: np.ndarray, covered_work: np.ndarray,
          doc_wins: list[Window], work_wins: list[Window], st: MatcherSettings) -> list[_Cand]:
    """Windows whose simhashes are within the Hamming radius and not yet covered.

    A near window must also share at least half of its words with its partner,
    so that two sentences of stock phrasing cannot pass on bits alone.
    """
    out: list[_Cand] = []
    if st.near_hamming < 0 or not doc_wins or not work_wins:
        return out
    df, dl, dv = window_arrays(doc_wins)
    wf, wl, wv = window_arrays(work_wins)
    dist = np.bitwise_count(dv[:, None] ^ wv[None, :])
    di, wi = np.nonzero(dist <= st.near_hamming)
    for a, b in zip(di.tolist(), wi.tolist()):
        d0, d1, w0, w1 = int(df[a]), int(dl[a]), int(wf[b]), int(wl[b])
        n = min(d1 - d0 + 1, w1 - w0 + 1)
        if n < st.near_min_words or covered_doc[d0 : d1 + 1].any() or covered_work[w0 : w1 + 1].any():
            continue
        shared = np.isin(doc.hashes[d0 : d1 + 1], work.hashes[w0 : w1 + 1]).sum()
        if shared * 2 < (d1 - d0 + 1):
            continue
        covered_doc[d0 : d1 + 1] = True
        covered_work[w0 : w1 + 1] = True
        out.append(_Cand(d0, d1, w0, w1, int(shared), int(shared), 0, True, method=f"near:{int(dist[a, b])}"))
    return out


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


def doc_windows(doc: Tokens, st: MatcherSettings) -> list[Window]:
    """Simhash windows of a scanned document (computed once per document)."""
    from .fingerprint import simhash_windows

    return simhash_windows(doc, st.window_words)


def align(doc: Tokens, work: Tokens, st: MatcherSettings,
          doc_wins: list[Window] | None = None, work_wins: list[Window] | None = None) -> list[Passage]:
    """All passages of *work* copied into *doc*, one detection per copied passage."""
    s = st.seed_k
    i, j = find_seeds(doc, work, s, st.seed_max_repeat)
    cands: list[_Cand] = []
    dstop = doc.stop
    if i.shape[0]:
        for members in _cluster(i, j, st.gap, st.min_seeds):
            if members.shape[0] < st.min_seeds:
                continue
            c = _extend_exact(_evaluate(i[members], j[members], s), doc, work)
            if not _accept(c, st):
                continue
            if _is_verbatim(c):
                cands.append(c)
                continue
            c = _extend(c, doc, work, dstop, st)
            if min(c.dcov, c.wcov) >= st.min_words_edited and not _template(c, doc, work, st):
                cands.append(c)
    if doc_wins is not None and work_wins is not None:
        cov_d = np.zeros(len(doc), dtype=bool)
        cov_w = np.zeros(len(work), dtype=bool)
        for c in cands:
            cov_d[c.d0 : c.d1 + 1] = True
            cov_w[c.w0 : c.w1 + 1] = True
        cands.extend(_near(doc, work, cov_d, cov_w, doc_wins, work_wins, st))
    cands = _merge(cands, st)
    out = []
    for c in cands:
        dlen, wlen = c.d1 - c.d0 + 1, c.w1 - c.w0 + 1
        if c.method.startswith("near"):
            dist = int(c.method.split(":")[1])
            sim = round(1 - dist / 64, 3)
            method = "near"
        else:
            sim = round((min(c.dcov, dlen) + min(c.wcov, wlen)) / (dlen + wlen), 3)
            if sim >= 0.999 and dlen == wlen and c.monotone:
                method, sim = "exact", 1.0
            elif not c.monotone:
                method = "reordered"
            else:
                method = "edited"
        out.append(Passage(c.d0, c.d1, c.w0, c.w1, method, sim, min(c.dcov, c.wcov, dlen, wlen)))
    return out
