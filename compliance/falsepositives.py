"""False-positive control: text two articles share without one copying the other.

Three kinds, each configured by a rule file in ``rules/false-positives/``:

* **quoted speech**: both articles quote what a third party said (a speech, a
  tweet).  A passage is dropped when most of its words sit inside quotation
  marks, or inside an embedded social-media post, *in the registered work*.
  If only the copy has the quotation marks, the copier is quoting the work's
  own text, and that is copying.
* **boilerplate**: phrases from rule files (wire copyright footers, comment
  widgets, newsletter prompts), matched as whole-word token sequences with
  Aho-Corasick, so that case, punctuation and look-alike letters do not matter.
* **common text**: a short passage whose words occur in many registered works
  is page furniture or stock phrasing.  Long passages are never dropped for
  being common: a wire story republished by dozens of outlets is still a copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import ahocorasick
import numpy as np
import re2

from .text import Tokens, tokenize

__all__ = ["FalsePositiveRules", "QuoteRule", "BoilerplateRule", "CommonTextRule", "ShortLinesRule",
           "Evidence", "quote_mask", "short_line_mask"]

_OPEN = {"“": "”", "«": "»", "„": "“", "‹": "›", "「": "」"}
_CLOSE = {"”", "»", "›", "」"}


def _opens(text: str, i: int) -> bool:
    """A straight quote opens when it follows a space (or starts) and precedes a word."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([{—–-/") and not after.isspace()


_QCHARS = re.compile("‘‘|``|’’|''|[\"“”«»„‹›「」]")


def _quote_spans_paragraph(text: str, base: int, spans: list[tuple[int, int]]) -> None:
    """Quotation spans of one paragraph; visits only the quote characters."""
    open_at = -1
    closer = ""
    for m in _QCHARS.finditer(text):
        i = m.start()
        tok = m.group(0)
        if open_at < 0:
            if tok == "‘‘" or tok == "``":
                open_at, closer = i, "’’" if tok == "‘‘" else "''"
            elif tok in _OPEN:
                open_at, closer = i, _OPEN[tok]
            elif tok == '"':
                open_at, closer = i, '"'
            continue
        if closer in ("’’", "''"):
            if tok == closer:
                spans.append((base + open_at, base + m.end()))
                open_at = -1
            continue
        if closer == '"' and tok == '"':
            if _opens(text, i) and i > open_at + 1 and text[i - 1] == " " and text[i - 2] not in ",:":
                # an unclosed quotation followed by a new one: close, reopen
                spans.append((base + open_at, base + i - 1))
                open_at = i
            else:
                spans.append((base + open_at, base + i + 1))
                open_at = -1
        elif tok == closer or (tok in _CLOSE and closer != '"'):
            spans.append((base + open_at, base + i + 1))
            open_at = -1
    if open_at >= 0:
        # An unclosed quotation runs to the end of the paragraph (news style
        # for quotes that continue in the next paragraph).
        spans.append((base + open_at, base + len(text)))


@dataclass
class QuoteRule:
    """Quoted speech and embedded posts in the registered work.

    Words count as quoted when they are inside quotation marks (or an
    embedded post) in the work, or in most other registered works that hold
    them (a tweet pasted without quotation marks is still the speaker's words).
    A passage is ruled out when at least ``min_share`` of its words are quoted
    and fewer than ``min_unquoted_words`` of its matched words are not: a
    copied article brings its narrative along with its quotes.
    """

    id: str
    min_share: float = 0.4
    min_unquoted_words: int = 15
    embedded_post_patterns: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        opts = re2.Options()
        opts.max_mem = 8 << 20
        self._posts = [re2.compile(p, opts) for p in self.embedded_post_patterns]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Character spans of quotations and embedded posts in *text*."""
        spans: list[tuple[int, int]] = []
        pos = 0
        paragraphs = text.split("\n")
        starts = []
        for para in paragraphs:
            starts.append(pos)
            if para:
                _quote_spans_paragraph(para, pos, spans)
            pos += len(para) + 1
        if self._posts:
            # A line like "— Donald J. Trump (@realDonaldTrump) July 15, 2018"
            # marks the preceding non-empty paragraph as an embedded post.
            for k, para in enumerate(paragraphs):
                if len(para) > 300 or "(@" not in para:
                    continue
                if any(p.search(para) for p in self._posts):
                    spans.append((starts[k], starts[k] + len(para)))
                    j = k - 1
                    while j >= 0 and not paragraphs[j].strip():
                        j -= 1
                    if j >= 0:
                        spans.append((starts[j], starts[j] + len(paragraphs[j])))
        spans.sort()
        return spans


def quote_mask(tokens: Tokens, spans: list[tuple[int, int]]) -> np.ndarray:
    """Boolean mask: which tokens lie inside any of *spans*."""
    if not spans or len(tokens) == 0:
        return np.zeros(len(tokens), dtype=bool)
    a = np.array([s for s, _ in spans], dtype=np.int64)
    b = np.array([e for _, e in spans], dtype=np.int64)
    # merge overlapping spans so that a sorted search works
    order = np.argsort(a)
    a, b = a[order], np.maximum.accumulate(b[order])
    idx = np.searchsorted(a, tokens.starts, "right") - 1
    ok = idx >= 0
    out = np.zeros(len(tokens), dtype=bool)
    out[ok] = tokens.ends[ok] <= b[idx[ok]]
    return out


def _ids32(hashes: np.ndarray) -> tuple[int, ...]:
    return tuple((hashes & np.uint64(0xFFFFFFFF)).tolist())


@dataclass
class BoilerplateRule:
    """Phrases that are never evidence of copying (footers, widgets, credits)."""

    id: str
    phrases: list[str]
    min_share: float = 0.8


@dataclass
class CommonTextRule:
    """Short passages whose words are in many registered works.

    ``same_publisher_works``: a passage found in this many works of the work's
    own publisher is that site's page furniture (sidebars, widgets), up to
    ``same_publisher_max_words`` words.
    """

    id: str
    max_words: int = 30
    min_works: int = 3
    same_publisher_works: int = 3
    same_publisher_max_words: int = 100


@dataclass
class ShortLinesRule:
    """Passages made mostly of short lines: captions, datelines, menus, teasers.

    Article prose comes in paragraphs; page furniture comes in short lines
    ("Print", "Recommended Video:", "Published 5:57 a.m. ET").  A passage with
    at least ``min_share`` of its words in paragraphs shorter than
    ``max_line_words`` words (in the registered work) is furniture.
    """

    id: str
    max_line_words: int = 10
    min_share: float = 0.5
    unterminated_max_words: int = 0
    # A passage that is this share of its work or more (and at least keep_min_words words) is the
    # work itself, whatever its line lengths: a page of bullet points or a list is its content.
    keep_work_share: float = 0.0
    keep_min_words: int = 30


_FINAL = set(".!?\"'”’»)…:")


def short_line_mask(tokens: Tokens, max_words: int, unterminated_max_words: int = 0) -> np.ndarray:
    """Tokens in furniture paragraphs (blank-line separated).

    A paragraph is furniture when it has fewer than *max_words* words, or
    fewer than *unterminated_max_words* words and no sentence-final
    punctuation (captions, teaser headlines and widget text are not sentences).
    """
    n = len(tokens)
    if n == 0:
        return np.zeros(0, dtype=bool)
    text = tokens.text
    breaks = []
    i = text.find("\n\n")
    while i >= 0:
        breaks.append(i)
        i = text.find("\n\n", i + 2)
    cuts = np.array(breaks, dtype=np.int64)
    para = np.searchsorted(cuts, tokens.starts)
    sizes = np.bincount(para)
    furniture = sizes < max_words
    if unterminated_max_words:
        ends = np.append(cuts, len(text))
        for k in np.flatnonzero((sizes >= max_words) & (sizes < unterminated_max_words)).tolist():
            tail = text[max(0, ends[k] - 3) : ends[k]].rstrip()
            if tail and tail[-1] not in _FINAL:
                furniture[k] = True
    return furniture[para]


@dataclass
class Evidence:
    """What the false-positive rules look at for one passage (work side)."""

    words: int
    span: int
    quoted: int = 0
    unquoted_matched: int = 0
    quoted_elsewhere: float = 0.0
    boiler: int = 0
    short_lines: int = 0
    attributed: bool = False
    df_median: float = 0.0
    same_publisher: int = 0
    matched: int = 0  # words of the passage in runs (seed-length n-grams) the document shares
    work_tokens: int = 0  # the work's length in tokens

    def in_words(self, scale: int) -> "Evidence":
        """The counts of a text with *scale* tokens per word (characters of Chinese, Japanese, Thai) in words."""
        d = {k: (round(v / scale) if isinstance(v, int) and not isinstance(v, bool) else v)
             for k, v in self.__dict__.items()}
        return Evidence(**d)


class FalsePositiveRules:
    """All false-positive rules, compiled once per scan."""

    def __init__(self, quotes: list[QuoteRule], boilerplate: list[BoilerplateRule],
                 common: list[CommonTextRule], short_lines: list[ShortLinesRule] | None = None) -> None:
        self.short_lines = short_lines or []
        self.quotes = quotes
        self.boilerplate = boilerplate
        self.common = common
        self._auto: Any = None
        self._phrase_len: dict[int, int] = {}
        if boilerplate:
            auto = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_SEQUENCE)
            n = 0
            for rule in boilerplate:
                for phrase in rule.phrases:
                    t = tokenize(phrase)
                    if len(t) >= 2:
                        auto.add_word(_ids32(t.hashes), (rule.id, len(t)))
                        n += 1
            if n:
                auto.make_automaton()
                self._auto = auto

    @classmethod
    def none(cls) -> "FalsePositiveRules":
        return cls([], [], [])

    def boilerplate_mask(self, tokens: Tokens) -> tuple[np.ndarray, dict[int, str]]:
        """Tokens covered by a boilerplate phrase, and the rule id per token."""
        mask = np.zeros(len(tokens), dtype=bool)
        which: dict[int, str] = {}
        if self._auto is None or len(tokens) == 0:
            return mask, which
        for end, (rid, n) in self._auto.iter(_ids32(tokens.hashes)):
            mask[end - n + 1 : end + 1] = True
            which[end] = rid
        return mask, which

    def check(self, ev: Evidence) -> str | None:
        """The id of the rule that rules this passage out, or None."""
        n = ev.span
        if n <= 0:
            return None
        for rule in self.quotes:
            if ev.attributed:
                # The copy credits the work's publisher: the work is its source,
                # whoever first spoke the words.
                break
            if ev.quoted >= rule.min_share * n and ev.unquoted_matched < rule.min_unquoted_words:
                return rule.id
        for rule in self.boilerplate:
            if ev.boiler >= rule.min_share * n:
                return rule.id
        for rule in self.short_lines:
            if ev.short_lines >= rule.min_share * n:
                if (rule.keep_work_share and ev.work_tokens and ev.words >= rule.keep_min_words
                        and n >= rule.keep_work_share * ev.work_tokens):
                    continue
                return rule.id
        for rule in self.common:
            # the passage's length in prose: words in shared runs (seeds miss repeated phrases), less
            # the words in short lines (buttons, captions and menus are no prose)
            words = max(ev.words, ev.matched) - ev.short_lines
            if words < rule.max_words and ev.df_median >= rule.min_works:
                return rule.id
            if ev.words < rule.same_publisher_max_words and ev.same_publisher >= rule.same_publisher_works:
                return rule.id
        return None

    @property
    def needs_df(self) -> bool:
        return bool(self.common or self.quotes)
