"""The numpy implementations the compiled kernel replaced, kept as the oracle of tests/test_kernel.py.

Nothing in compliance/ imports this.  Each function is the code that ran
before the kernel (screening, sentence windows, alignment), so the tests can
show that the kernel gives bit-for-bit the same candidates, windows and
passages; the tokenizer's oracle is a plain character loop over the same
folding rules (``compliance.text._folded``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from compliance.align import Passage, _ranges
from compliance.fingerprint import bigram_features, kgram_hashes
from compliance.settings import MatcherSettings
from compliance.text import _MULT, Tokens, _folded, tokenize

_M64 = (1 << 64) - 1
_SENTENCE_END = set(".\n!?\u3002\uff01\uff1f")


def _mix(x: int) -> int:
    x &= _M64
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & _M64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & _M64
    x ^= x >> 31
    return x


def tokenize_reference(text: str) -> list[tuple[int, int, int, int, bool]]:
    """(hash, start, end, sentence, numeric) of every token, one character at a time."""
    mult = [int(m) for m in _MULT]
    out: list[tuple[int, int, int, int, bool]] = []
    state, codes, start, end, sentence = 0, [], 0, 0, 0

    def close() -> None:
        nonlocal state, sentence
        if state:
            h = _mix(sum(c * mult[i & 63] for i, c in enumerate(codes)) + len(codes))
            out.append((h, start, end, sentence, 48 <= codes[0] <= 57))
            nxt = text[min(end, len(text) - 1)]
            if nxt in _SENTENCE_END:
                sentence += 1
            state = 0

    for i, ch in enumerate(text):
        if ch.isascii():
            kind, letters = ("word", ch.lower()) if ch.isalnum() else ("sep", "")
        elif 0xD800 <= ord(ch) <= 0xDFFF:
            kind, letters = "sep", ""
        else:
            kind, letters = _folded(ch)
            if ord(ch) >= 0x10000 and kind == "word":
                letters = letters[:1]  # beyond the BMP the kernel asks for one code
        if kind == "skip":
            continue
        if kind == "sep":
            close()
            continue
        if kind == "mark":
            if state:
                codes.append(ord(letters))
                end = i + 1
            continue
        if kind == "solo":
            close()
            state, codes, start = 2, [ord(letters)], i
            end = i + 1
            continue
        if state != 1:
            close()
            state, codes, start = 1, [], i
        codes.extend(ord(c) for c in letters)
        end = i + 1
    close()
    return out


# ---------------------------------------------------------------- sentence windows (old fingerprint.py)

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


# ---------------------------------------------------------------- screening (old index.py and matcher.py)

def candidates_many(hits, doc_of: np.ndarray, n_docs: int, settings: MatcherSettings) -> list[list[int]]:
    """SeedIndex.candidates_many: candidates for a batch of documents at once (*doc_of* gives each hit's document)."""
    out: list[list[int]] = [[] for _ in range(n_docs)]
    if hits.work.shape[0] < 2:
        return out
    w, p = hits.work, hits.doc_pos
    d = p - hits.work_pos
    order = np.lexsort((p, d, w, doc_of))
    w, d, p, doc = w[order], d[order], p[order], doc_of[order]
    near = ((doc[1:] == doc[:-1]) & (w[1:] == w[:-1]) & (np.abs(d[1:] - d[:-1]) <= settings.candidate_diagonal)
            & (np.abs(p[1:] - p[:-1]) <= settings.candidate_window) & (p[1:] != p[:-1]))
    if not near.any():
        return out
    supported = np.zeros(w.shape[0], dtype=bool)
    supported[1:] |= near
    supported[:-1] |= near
    df = np.bincount(hits.doc_pos)[p]  # doc_pos is unique across the batch
    weight = 1.0 / np.sqrt(df)
    key = doc[supported] * (int(w.max()) + 1) + w[supported]
    keys, inv = np.unique(key, return_inverse=True)
    score = np.bincount(inv, weights=weight[supported])
    counts = np.bincount(inv)
    ok = (counts >= settings.min_candidate_hits) & (score >= settings.min_candidate_score)
    keys, score = keys[ok], score[ok]
    kd, kw = keys // (int(w.max()) + 1), keys % (int(w.max()) + 1)
    for i in np.argsort(-score, kind="stable").tolist():
        lst = out[int(kd[i])]
        if len(lst) < settings.max_candidates:
            lst.append(int(kw[i]))
    return out


def near_many(index, settings: MatcherSettings, allt: Tokens, first: np.ndarray, n_docs: int) -> list[list[int]]:
    """Near-duplicate candidates for each document of a batch (one simhash pass, one look-up)."""
    out: list[list[int]] = [[] for _ in range(n_docs)]
    near = index.near
    if near is None or len(allt) == 0:
        return out
    wf, wl, wv = simhash_window_arrays(allt, settings.window_words, first[1:])
    long = (wl - wf + 1) >= settings.near_min_words
    wf, wv = wf[long], wv[long]
    q, rows, _ = near.query(wv)
    if rows.shape[0] == 0:
        return out
    docs = np.searchsorted(first, wf[q], "right") - 1
    for d, w in set(zip(docs.tolist(), near.works[rows].tolist())):
        out[d].append(int(w))
    for lst in out:
        lst.sort()
    return out


def screen_reference(index, settings: MatcherSettings, texts: list[str]) -> list[list[int]]:
    """Candidate works of each text, as Matcher.match_many computed them before the kernel."""
    st = settings
    bases, pos = [], 0
    for t in texts:
        bases.append(pos)
        pos += len(t) + 1
    allt = tokenize("\n".join(texts))
    first = np.searchsorted(allt.starts, np.array(bases, dtype=np.int64), "left")
    last = np.append(first[1:], len(allt))
    kg = kgram_hashes(allt.hashes, st.k)
    hits = index.lookup(kg)
    if hits.doc_pos.shape[0]:
        d_of = np.searchsorted(first, hits.doc_pos, "right") - 1
        inside = hits.doc_pos + st.k <= last[d_of]
        hits = type(hits)(hits.doc_pos[inside], hits.work[inside], hits.work_pos[inside])
        d_of = d_of[inside]
    else:
        d_of = hits.doc_pos
    cands = candidates_many(hits, d_of, len(texts), st)
    near = near_many(index, st, allt, first, len(texts))
    return [cands[i] + [w for w in near[i] if w not in cands[i]][: max(0, st.max_candidates - len(cands[i]))]
            for i in range(len(texts))]


# ---------------------------------------------------------------- alignment (old align.py)

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


def _merge(cands: list[_Cand], st: MatcherSettings, in_work: np.ndarray, doc: Tokens, work: Tokens) -> list[_Cand]:
    """Close passages become one, unless that would bridge text that was not copied.

    Pieces of one copy in order on both sides merge when close; pieces of one
    reordered passage come from a stretch of the work no longer than the pieces
    themselves.  Two pieces in order on both sides stay apart when the
    document's text between them is the copier's (:func:`_inserted`: a
    paragraph of its own, a caption, an advertisement): a passage's document
    side is copied text.  (Work text the copy left out, like words cut
    from a quotation, may be bridged: the work side is the passage copied.)
    """
    cands = sorted(cands, key=lambda c: (c.d0, c.w0))
    out: list[_Cand] = []
    for c in cands:
        if out:
            p = out[-1]
            dgap = c.d0 - p.d1
            wgap = max(c.w0 - p.w1, p.w0 - c.w1)
            reach = max(st.merge_gap, (p.w1 - p.w0) + (c.w1 - c.w0))
            inserted = dgap > 0 and c.w0 > p.w1 and _inserted(p.d1 + 1, c.d0, p.w1 + 1, c.w0, in_work, doc, work, st)
            if dgap <= st.merge_gap and (wgap <= reach or dgap <= 0) and not inserted:
                out[-1] = _Cand(
                    min(p.d0, c.d0), max(p.d1, c.d1), min(p.w0, c.w0), max(p.w1, c.w1),
                    p.dcov + c.dcov, p.wcov + c.wcov, p.seeds + c.seeds,
                    p.monotone and c.monotone and c.w0 >= p.w1,
                    p.method if p.method == c.method else "edited",
                )
                continue
        out.append(c)
    return out


def _in_work(doc: Tokens, work: Tokens, s: int) -> np.ndarray:
    """Running count (one entry more than the document) of document tokens inside an s-gram, not all stop
    words, that the work holds somewhere."""
    dk = kgram_hashes(doc.hashes, s)
    out = np.zeros(len(doc) + 1, dtype=np.int64)
    if dk.shape[0] == 0:
        return out
    wk = kgram_hashes(work.hashes, s)
    stop_only = doc.stop[: dk.shape[0]].copy()
    for j in range(1, s):
        stop_only &= doc.stop[j : j + dk.shape[0]]
    hit = np.isin(dk, wk) & ~stop_only
    cov = np.zeros(len(doc), dtype=bool)
    for d in range(s):
        cov[d : d + dk.shape[0]] |= hit
    np.cumsum(cov, out=out[1:])
    return out


def _inserted(a: int, b: int, wa: int, wb: int, in_work: np.ndarray, doc: Tokens, work: Tokens,
              st: MatcherSettings) -> bool:
    """The document's tokens a..b-1, between two pieces in order (the work's between them: wa..wb-1), are
    text the copier wrote: ``max_insert`` tokens or more, mostly in no s-gram the work holds anywhere (text
    the work holds elsewhere, like list items without unique seeds, is copied), and either over twice as
    long as the work's gap plus ``max_insert`` (a caption, an advertisement, a paragraph inserted) or, at
    three times ``max_insert`` or more, sharing too few content words with the work there (a paragraph of
    the copier's in place of the work's; edited text keeps many of its words)."""
    dgap = b - a
    if dgap < st.max_insert or 2 * int(in_work[b] - in_work[a]) >= dgap:
        return False
    if dgap >= 2 * max(wb - wa, 0) + st.max_insert:
        return True
    return dgap >= 3 * st.max_insert and not _shared_content(a, b, wa, wb, doc, work, st)


def _segments(i: np.ndarray, j: np.ndarray, in_work: np.ndarray, doc: Tokens, work: Tokens,
              st: MatcherSettings) -> list[np.ndarray]:
    """A cluster's seeds (indices into i, j, ordered by document position) cut where the document has
    inserted words between two seeds (:func:`_inserted`): a cluster in order that spans an inserted
    caption is two copied pieces.  Reordered clusters stay whole."""
    order = np.lexsort((j, i))
    jj = j[order]
    if np.any(np.diff(jj) < 0):
        return [order]
    ii = i[order]
    s = st.seed_k
    cut = [k + 1 for k in range(len(order) - 1)
           if ii[k + 1] - ii[k] > s and _inserted(int(ii[k]) + s, int(ii[k + 1]), int(jj[k]) + s, int(jj[k + 1]),
                                                   in_work, doc, work, st)]
    return np.split(order, cut) if cut else [order]


def _shared_content(a: int, b: int, wa: int, wb: int, doc: Tokens, work: Tokens, st: MatcherSettings) -> bool:
    """At least ``chain_min_shared`` of the content words of the document's tokens a..b-1 occur in the
    work's tokens wa..wb-1, give or take ``extend_window`` tokens (edited text, not the copier's own)."""
    if b - a <= 0:
        return True
    content = ~doc.stop[a:b]
    n = int(content.sum())
    if n == 0:
        return True
    lo = max(0, wa - st.extend_window)
    hi = min(len(work), wb + st.extend_window)
    near = set(work.hashes[lo:hi].tolist()) if hi > lo else set()
    shared = sum(1 for h in doc.hashes[a:b][content].tolist() if h in near)
    return shared >= st.chain_min_shared * n


def _chain(segs: list[_Cand], doc: Tokens, work: Tokens, in_work: np.ndarray, st: MatcherSettings) -> list[list[_Cand]]:
    """Pieces of one edited copy, in order on both sides, linked before they are judged.

    A patchwritten sentence keeps few exact s-grams, so its seeds come in small
    clusters that each look too sparse; together, along one diagonal, they are
    one copy.  A piece links to the previous piece of a chain when both are in
    order, it follows within ``chain_gap`` words on both sides, and the
    document's gap is edited text of the work (:func:`_shared_content`) that
    holds no inserted text (:func:`_inserted`).
    """
    order = sorted(range(len(segs)), key=lambda k: (segs[k].d0, segs[k].w0, k))
    chains: list[list[_Cand]] = []
    for k in order:
        c = segs[k]
        if chains:
            p = chains[-1][-1]
            dgap, wgap = c.d0 - p.d1 - 1, c.w0 - p.w1 - 1
            if (p.monotone and c.monotone and 0 <= dgap <= st.chain_gap and 0 <= wgap <= st.chain_gap
                    and _shared_content(p.d1 + 1, c.d0, p.w1 + 1, c.w0, doc, work, st)
                    and not _inserted(p.d1 + 1, c.d0, p.w1 + 1, c.w0, in_work, doc, work, st)):
                chains[-1].append(c)
                continue
        chains.append([c])
    return chains


def _joined(chain: list[_Cand]) -> _Cand:
    return _Cand(min(c.d0 for c in chain), max(c.d1 for c in chain), min(c.w0 for c in chain),
                 max(c.w1 for c in chain), sum(c.dcov for c in chain), sum(c.wcov for c in chain),
                 sum(c.seeds for c in chain), all(c.monotone for c in chain))


def _near(doc: Tokens, work: Tokens, covered_doc: np.ndarray, covered_work: np.ndarray,
          doc_wins: tuple, work_wins: tuple, st: MatcherSettings) -> list[_Cand]:
    """Windows whose simhashes are within the Hamming radius and not yet covered.

    A near window must also share at least half of its words with its partner,
    so that two sentences of stock phrasing cannot pass on bits alone.
    """
    out: list[_Cand] = []
    if st.near_hamming < 0 or not len(doc_wins[0]) or not len(work_wins[0]):
        return out
    df, dl, dv = doc_wins
    wf, wl, wv = work_wins
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


def align(doc: Tokens, work: Tokens, st: MatcherSettings,
          doc_wins: tuple | None = None, work_wins: tuple | None = None) -> list[Passage]:
    """All passages of *work* copied into *doc*, one detection per copied passage."""
    s = st.seed_k
    i, j = find_seeds(doc, work, s, st.seed_max_repeat)
    in_work = _in_work(doc, work, s)
    cands: list[_Cand] = []
    dstop = doc.stop
    if i.shape[0]:
        segs: list[_Cand] = []
        for members in _cluster(i, j, st.gap, st.min_seeds):
            if members.shape[0] < st.min_seeds:
                continue
            for part in _segments(i[members], j[members], in_work, doc, work, st):
                sel = members[part]
                segs.append(_extend_exact(_evaluate(i[sel], j[sel], s), doc, work))
        for chain in _chain(segs, doc, work, in_work, st):
            whole = _joined(chain)
            pieces = [whole] if len(chain) > 1 and _accept(whole, st) else chain
            for c in pieces:
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
    cands = _merge(cands, st, in_work, doc, work)
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
