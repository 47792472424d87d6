"""The matcher cascade: index look-up, then alignment against each candidate.

Cheapest first (as in ScanCode): every k-gram of the document is screened
against the seed index; only works with enough hits are aligned token by token
(:mod:`align`), and only there are simhash windows compared.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Protocol

import numpy as np

from .align import Passage, align_sides, doc_windows, prepare, settings_tuple
from .falsepositives import Evidence, FalsePositiveRules, quote_mask, short_line_mask
from .fingerprint import kgram_hashes
from .index import SeedIndex
from .settings import MatcherSettings
from . import _kernel
from .index import screen_config
from .text import Tokens, kernel_args, token_scale, tokenize

__all__ = ["Matcher", "WorkMatch", "WorkSource"]

# Texts whose matches are kept for the next copies of the same text (a few dozen MB at most).
RECENT_TEXTS = 256

# A quotation within this many tokens of a copied passage of the same work (on both sides) is part of the copy.
QUOTE_CONTEXT_TOKENS = 100


class WorkSource(Protocol):
    """Where the matcher gets a candidate work's text (registry or memory)."""

    def tokens(self, work: int) -> Tokens: ...

    def windows(self, work: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]: ...


@dataclass
class WorkMatch:
    """All passages of one work found in one document."""

    work: int
    tokens: Tokens
    passages: list[Passage]
    suppressed: list[tuple[Passage, str]]  # passages ruled out, with the rule id


WorkStamp = tuple[str, int, int]  # a work's text, its number of body tokens, where its first body token starts


def _stamp(wt: Tokens) -> WorkStamp:
    """What a per-work cache entry is checked against: the text and its body's token range."""
    return wt.text, len(wt), int(wt.starts[0]) if len(wt) else 0


def _same_work(stamp: WorkStamp, wt: Tokens) -> bool:
    """A per-work cache entry still holds for tokens *wt*: the same text object (the registry hands out the
    same Tokens while it caches them), or an equal text with the same body (a work the registry's token cache
    dropped comes back as new, equal objects; identity alone would recompute every per-work value then)."""
    return stamp[0] is wt.text or stamp == _stamp(wt)


def _running_count(mask: np.ndarray) -> np.ndarray:
    """count[i] = how many of mask[:i] are set (one entry more than the mask)."""
    out = np.zeros(mask.shape[0] + 1, dtype=np.int64)
    np.cumsum(mask, out=out[1:])
    return out


def _join_quote(kept: list[Passage], q: Passage, max_insert: int) -> list[Passage]:
    """Add quotation *q* to the kept passages: joined to the one it follows or precedes in order on both
    sides when the text between is about as long on both sides (edited reporting, nothing inserted), else
    as a passage of its own."""
    for n, k in enumerate(kept):
        first, second = (k, q) if q.doc_first > k.doc_last else (q, k)
        dgap = second.doc_first - first.doc_last - 1
        wgap = second.work_first - first.work_last - 1
        if dgap >= 0 and wgap >= 0 and dgap < 2 * wgap + max_insert and wgap < 2 * dgap + max_insert:
            words = k.words + q.words
            sim = round((k.similarity * k.words + q.similarity * q.words) / max(1, words), 3)
            kept = kept[:n] + [Passage(first.doc_first, second.doc_last, first.work_first, second.work_last,
                                       "edited", sim, words)] + kept[n + 1 :]
            return kept
    return kept + [q]


class Matcher:
    """Finds copied passages of registered works in a document."""

    def __init__(self, index: SeedIndex, works: WorkSource, settings: MatcherSettings,
                 false_positives: FalsePositiveRules | None = None,
                 accept_work: Callable[[int], bool] | None = None,
                 work_publisher: np.ndarray | None = None,
                 publisher_names: list[str] | None = None) -> None:
        self.index = index
        self.works = works
        self.settings = settings
        self.fp = false_positives or FalsePositiveRules.none()
        self.accept_work = accept_work
        self.work_publisher = work_publisher
        self._quote_cache: dict[int, tuple[WorkStamp, np.ndarray]] = {}
        self._aux_cache: dict[int, tuple[WorkStamp, tuple]] = {}
        self.publisher_names = [n.casefold() for n in publisher_names] if publisher_names else None
        self._screen_cfg: dict | None = None
        self._side_cache: dict[int, tuple[WorkStamp, _kernel.Side, int]] = {}
        self._align_settings = settings_tuple(settings)
        self._scaled: dict[int, tuple[MatcherSettings, tuple]] = {1: (settings, self._align_settings)}
        self._hits_cache: dict[int, tuple[WorkStamp, _kernel.WorkHits]] = {}
        self._hits_bytes = 0
        self._quote_bytes_cache: dict[int, np.ndarray] = {}
        self._span_cache: dict[int, tuple[WorkStamp, dict[tuple[int, int, bool], tuple]]] = {}
        self._span_entries = 0
        self._recent: dict[str, tuple[Tokens | None, list[WorkMatch]]] = {}
        self._folded: tuple[str | None, str | None] = (None, None)  # (document text, its case-folded text)

    def _quotes(self, w: int, wt: Tokens) -> np.ndarray:
        """Quote mask of work *w*'s tokens *wt*, cached (works recur across documents)."""
        hit = self._quote_cache.get(w)
        if hit is not None and _same_work(hit[0], wt):
            return hit[1]
        mask = quote_mask(wt, [s for r in self.fp.quotes for s in r.spans(wt.text)])
        if len(self._quote_cache) > 4096:
            self._quote_cache.clear()
        self._quote_cache[w] = (_stamp(wt), mask)
        return mask

    def _evidence(self, doc: Tokens, wt: Tokens, w: int, p: Passage, quote: np.ndarray | None,
                  boiler: np.ndarray | None, short: np.ndarray | None, hits: _kernel.WorkHits) -> Evidence:
        """What the false-positive rules look at for one passage (work side).

        *hits* is the work's k-grams looked up in the index once (cached per
        work): how many works hold each, and which other works hold it where.
        What depends on the work's span alone is cached (:meth:`_span_evidence`):
        a wire story's passages recur, span for span, on page after page.
        """
        st = self.settings
        a, b = p.work_first, p.work_last
        ev = Evidence(words=p.words, span=b - a + 1, work_tokens=wt.hashes.shape[0])
        ev.boiler, ev.short_lines, ev.df_median, elsewhere = self._span_evidence(
            w, wt, a, b, p.words <= 150, boiler, short, hits)
        if self.publisher_names is not None and self.work_publisher is not None:
            name = self.publisher_names[int(self.work_publisher[w])]
            ev.attributed = bool(name) and self._named_near(doc, p, name)
        ev.quoted, ev.unquoted_matched, ev.matched = _kernel.counts(
            wt.hashes[a : b + 1], doc.hashes[p.doc_first : p.doc_last + 1], None if quote is None else quote[a : b + 1],
            elsewhere, st.seed_k)
        return ev

    def _span_evidence(self, w: int, wt: Tokens, a: int, b: int, quotable: bool, boiler: np.ndarray | None,
                       short: np.ndarray | None, hits: _kernel.WorkHits) -> tuple[int, int, float, bytearray | None]:
        """The evidence of work tokens a..b that no document changes: boilerplate and short-line words, the
        median number of works holding its k-grams, and its words quoted elsewhere (looked up only for a
        *quotable* passage: tweets and speeches are short, so only short passages can be quotations held
        elsewhere).  Cached per work span (the cache is exact: every input is the work's or the index's)."""
        spans = self._span_cache.get(w)
        if spans is None or not _same_work(spans[0], wt):
            spans = self._span_cache[w] = (_stamp(wt), {})
        if self._span_entries > 1 << 18:  # a memory budget (a few dozen MB), as for the other caches
            self._span_cache.clear()
            self._span_entries = 0
            spans = self._span_cache[w] = (_stamp(wt), {})
        key = (a, b, quotable)
        got = spans[1].get(key)
        if got is not None:
            return got
        st = self.settings
        n = b - a + 1
        seg_end = max(a + 1, b - st.k + 2)  # the passage's k-grams: a .. seg_end - 1
        shared, median = hits.stats(a, seg_end)
        elsewhere = None
        if shared:
            if self.fp.quotes and median >= 3 and quotable:
                elsewhere = hits.quoted_elsewhere(a, seg_end, n, st.k, 6, self._quote_bytes_cache, self._quote_bytes)
        else:
            median = 1.0
        self._span_entries += 1
        got = spans[1][key] = (0 if boiler is None else int(boiler[b + 1] - boiler[a]),
                               0 if short is None else int(short[b + 1] - short[a]), median, elsewhere)
        return got

    def _named_near(self, doc: Tokens, p: Passage, name: str) -> bool:
        """*name* (case-folded) within 300 characters of the passage in the document.

        The document is case-folded once, not once per passage, when folding keeps its length (then every
        character folds to one, and a slice of the folded text is the folded slice).
        """
        ds, de = doc.span(p.doc_first, p.doc_last)
        lo, hi = max(0, ds - 300), de + 300
        if self._folded[0] is not doc.text:
            folded = doc.text.casefold()
            self._folded = (doc.text, folded if len(folded) == len(doc.text) else None)
        folded = self._folded[1]
        if folded is None:
            return name in doc.text[lo:hi].casefold()
        return folded.find(name, lo, hi) >= 0

    def _quote_bytes(self, work: int) -> np.ndarray:
        """A work's quote mask as bytes (what the kernel's quoted-elsewhere vote reads; it caches them)."""
        if len(self._quote_bytes_cache) > 4096:
            self._quote_bytes_cache.clear()
        return self._quotes(work, self.works.tokens(work)).view(np.uint8)

    def _work_hits(self, w: int, wt: Tokens) -> _kernel.WorkHits:
        """The work's k-grams looked up in the index, cached within a memory budget (64 MB)."""
        hit = self._hits_cache.get(w)
        if hit is not None and _same_work(hit[0], wt):
            return hit[1]
        if self._screen_cfg is None:
            self._screen_cfg = screen_config(self.index, self.settings)
        hits = _kernel.WorkHits(kgram_hashes(wt.hashes, self.settings.k), w, self._screen_cfg)
        self._hits_bytes += hits.nbytes
        if self._hits_bytes > 64 << 20:
            self._hits_cache.clear()
            self._hits_bytes = hits.nbytes
        self._hits_cache[w] = (_stamp(wt), hits)
        return hits

    def _work_aux(self, w: int, wt: Tokens) -> tuple:
        """Per-work masks the false-positive rules use, cached (works recur across pages).

        The boilerplate and short-line masks are kept as running counts, so that a passage's count is
        one subtraction.
        """
        hit = self._aux_cache.get(w)
        if hit is not None and _same_work(hit[0], wt):
            return hit[1]
        fp = self.fp
        quote = self._quotes(w, wt) if fp.quotes else None
        boiler = _running_count(fp.boilerplate_mask(wt)[0]) if fp.boilerplate else None
        short = None
        if fp.short_lines:
            short = _running_count(short_line_mask(wt, max(r.max_line_words for r in fp.short_lines),
                                                   max(r.unterminated_max_words for r in fp.short_lines)))
        aux = (None if quote is None else quote.view(np.uint8), boiler, short)
        if len(self._aux_cache) > 2048:
            self._aux_cache.clear()
        self._aux_cache[w] = (_stamp(wt), aux)
        return aux

    def _rule_out(self, doc: Tokens, wt: Tokens, w: int, passages: list[Passage],
                  scale: int = 1) -> tuple[list[Passage], list[tuple[Passage, str]]]:
        """Split passages into kept ones and ones a false-positive rule rules out (*scale*: the work's
        tokens per word; the rules count words)."""
        fp = self.fp
        quote, boiler, short = self._work_aux(w, wt)
        hits = self._work_hits(w, wt)
        kept, dropped = [], []
        for p in passages:
            ev = self._evidence(doc, wt, w, p, quote, boiler, short, hits)
            if scale > 1:
                ev = ev.in_words(scale)
            rid = fp.check(ev)
            if rid is None:
                kept.append(p)
            else:
                dropped.append((p, rid))
        if kept and dropped and fp.quotes:
            # A quotation is no copy by itself, but one copied with the reporting around it is: a passage
            # ruled out as quoted speech is kept when a copied passage of the same work lies next to it,
            # in the same place on both sides.
            quote_ids = {r.id for r in fp.quotes}
            near = QUOTE_CONTEXT_TOKENS * scale
            back = []
            for p, rid in dropped:
                if rid in quote_ids and any(
                        abs(p.doc_first - k.doc_first) <= near + (k.doc_last - k.doc_first)
                        and abs(p.work_first - k.work_first) <= near + (k.work_last - k.work_first) for k in kept):
                    back.append((p, rid))
            if back:
                dropped = [d for d in dropped if d not in back]
                for q, _ in back:
                    kept = _join_quote(kept, q, self.settings.max_insert * scale)
        return kept, dropped

    def match_text(self, text: str) -> tuple[Tokens, list[WorkMatch]]:
        """Every registered work copied into *text* (the batch path, for one document)."""
        doc, matches = self.match_many([text])[0]
        return (doc if doc is not None else tokenize(text)), matches

    def screen(self, texts: list[str]) -> list[list[int]]:
        """Candidate works of each text: one compiled pass over the batch.

        Tokenizing, hashing every word k-gram, the seed look-up and the
        candidate scores, the sentence windows' simhashes and their near
        look-up run in the kernel; only the candidate work numbers come back.
        Most crawled pages copy nothing and cost no Python work past this call.

        Candidates: a work with ``min_candidate_hits`` seed hits that agree
        (another hit of the same work on nearly the same diagonal, document
        position minus work position, within ``candidate_window`` words),
        weighing at least ``min_candidate_score`` (each hit weighs
        1/sqrt(works sharing its k-gram): a stock phrase says little about any
        one work), strongest first; then the works with a sentence window
        within ``near_index_hamming`` bits of one of the page's windows of at
        least ``near_min_words`` words, up to ``max_candidates`` in all.
        """
        if self._screen_cfg is None:
            self._screen_cfg = screen_config(self.index, self.settings)
        return _kernel.screen(texts, *kernel_args(), self._screen_cfg)

    def match_many(self, texts: list[str]) -> list[tuple[Tokens | None, list[WorkMatch]]]:
        """Match a batch of documents: one screening pass for all, then alignment where it found candidates.

        A document without candidate works comes back as ``(None, [])``: its
        tokens were never needed as Python objects.  A text matched in this
        batch or lately (the last ``RECENT_TEXTS``) is matched once: crawls
        hold the same page under several addresses, and the result is a
        function of the text.
        """
        recent = self._recent
        todo = [t for t in dict.fromkeys(texts) if t not in recent]
        done: dict[str, tuple[Tokens | None, list[WorkMatch]]] = {}
        for text, cands in zip(todo, self.screen(todo)):
            if not cands:
                done[text] = (None, [])
            else:
                doc = tokenize(text)
                done[text] = (doc, self.match_candidates(doc, cands))
        out = [done[t] if t in done else recent[t] for t in texts]
        recent.update(done)
        for t in list(recent)[: max(0, len(recent) - RECENT_TEXTS)]:  # the oldest go
            del recent[t]
        return out

    def _work_side(self, w: int, wt: Tokens) -> tuple[_kernel.Side, int]:
        """A work's prepared alignment side and its tokens per word (:func:`text.token_scale`), cached (a wire
        story is copied by many pages of a crawl)."""
        hit = self._side_cache.get(w)
        if hit is not None and _same_work(hit[0], wt):
            return hit[1], hit[2]
        side = prepare(wt, self.works.windows(w), self.settings)
        scale = token_scale(wt)
        if len(self._side_cache) > 1024:
            self._side_cache.clear()
        self._side_cache[w] = (_stamp(wt), side, scale)
        return side, scale

    def _settings_for(self, scale: int) -> tuple[MatcherSettings, tuple]:
        """The alignment settings for a work with *scale* tokens per word: lengths and gaps counted in words
        become that many tokens, and edges grow over exact matches only (one character of a script without
        spaces occurs everywhere nearby, so extension over edited words would run on)."""
        hit = self._scaled.get(scale)
        if hit is None:
            st = self.settings
            st = dataclasses.replace(
                st, min_words=st.min_words * scale, min_words_edited=st.min_words_edited * scale,
                density_long_words=st.density_long_words * scale, gap=st.gap * scale, merge_gap=st.merge_gap * scale,
                chain_gap=st.chain_gap * scale, max_insert=st.max_insert * scale,
                near_min_words=st.near_min_words * scale, extend_window=0)
            hit = self._scaled[scale] = (st, settings_tuple(st))
        return hit

    def match_candidates(self, doc: Tokens, cands: list[int]) -> list[WorkMatch]:
        """Align *doc* against each candidate work and apply the false-positive rules."""
        if not cands:
            return []
        st = self.settings
        dside = prepare(doc, doc_windows(doc, st), st)
        out: list[WorkMatch] = []
        for w in cands:
            if self.accept_work is not None and not self.accept_work(w):
                continue
            wt = self.works.tokens(w)
            wside, scale = self._work_side(w, wt)
            wst, wtuple = self._settings_for(scale)
            passages = align_sides(dside, wside, wst, wtuple)
            if not passages:
                continue
            kept, dropped = self._rule_out(doc, wt, w, passages, scale)
            if kept or dropped:
                out.append(WorkMatch(w, wt, kept, dropped))
        return out
