"""The notice finder's speed-ups never change what it finds.

Registration reads a notice in every work, and the notice patterns are large
alternations in 13 languages.  Three devices make them cheap: a look-ahead of
the characters a match can start with (``guarded``), a screen of key words a
match must contain (``Screened``), and a large alternation split into guarded
parts whose earliest match wins (``Earliest``); and the candidate search looks
only at a window around each anchor literal.  Each is checked here against
the plain pattern on arbitrary text built from the phrases themselves.
A publisher's works repeat one footer, so a candidate window's matches and a
marked line's notices are cached: a cached answer must be the fresh one.
"""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.notices import candidates, find_notices, patterns
from compliance.notices.guard import Earliest, Screened, first_chars, guarded

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# pieces of notices in several languages, separators and noise: texts where the patterns do match
PIECES = st.sampled_from([
    "©", "(c)", "(с)", "Ⓒ", "Copyright", "COPYRIGHT", "copr.", " 2024 ", "1999-2019", "All rights reserved",
    "all  rights\nreserved", "Tous droits réservés", "Alle Rechte vorbehalten", "版权所有", "無断転載を禁じます",
    "저작권자", "무단 전재", "สงวนลิขสิทธิ์", "Все права защищены", "may not be reproduced",
    "without the prior written permission", "No reproduction without permission", "licensed under a Creative Commons", "The Example Times Ltd.",
    " | ", " · ", ". ", "\n", "  ", "reserved", "without", "reproduction", "rights@example.example", "www.example",
    "Privacy", " 12345 ", "Suite 5", "版权归测试媒体所有", "著作権はテスト新報に帰属", "ICP备", "。", "Ｃｏｐｙ",
])
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=40).map("".join)


def _spans(matches) -> list[tuple[int, int]]:
    return [m.span() for m in matches]


def _plain(p: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern without its guard (the part inside "(?=[...])(?:...)")."""
    if not p.pattern.startswith("(?=["):
        return p
    body = p.pattern[p.pattern.index("])(?:") + 5:-1]
    return re.compile(body, p.flags)


GUARDED = [getattr(patterns, n) for n in dir(patterns)
           if isinstance(getattr(patterns, n), re.Pattern) and getattr(patterns, n).pattern.startswith("(?=[")]


def test_the_hot_patterns_are_guarded() -> None:
    assert patterns._CANDIDATE.pattern.startswith("(?=[")
    assert isinstance(patterns._RESTRICT, Screened) and isinstance(patterns._HOLDER_END, Earliest)
    assert len(GUARDED) >= 10


@FAST
@given(TEXTS)
def test_a_guard_finds_the_same_matches(text: str) -> None:
    for p in GUARDED:
        assert _spans(p.finditer(text)) == _spans(_plain(p).finditer(text)), p.pattern[:80]


@FAST
@given(TEXTS)
def test_a_screen_finds_the_same_match(text: str) -> None:
    plain = re.compile(patterns._RESTRICT.pattern.pattern, re.IGNORECASE)
    got, want = patterns._RESTRICT.search(text), plain.search(text)
    assert (got and got.span()) == (want and want.span())


@FAST
@given(TEXTS)
def test_the_earliest_part_starts_where_the_whole_alternation_does(text: str) -> None:
    whole = re.compile("|".join(f"(?:{_plain(p.pattern if isinstance(p, Screened) else p).pattern})"
                                for p in patterns._HOLDER_END.patterns), re.IGNORECASE)
    got, want = patterns._HOLDER_END.search(text), whole.search(text)
    assert (got and got.start()) == (want and want.start())


@FAST
@given(TEXTS, st.text(alphabet=" abc\n", max_size=400))
def test_windows_around_anchors_find_what_the_whole_line_search_finds(text: str, filler: str) -> None:
    """A 400-character paragraph before the notice (the case the windows are for) changes nothing."""
    text = filler + text
    low = text.lower()
    if len(low) != len(text):
        return  # the finder searches the whole text then
    whole = [m.span() for m in patterns._CANDIDATE.finditer(text)
             if any(k in low[m.start():m.end()] for k in candidates._ANCHORS)]
    assert list(candidates._candidates(text)) == whole


def _found(text: str) -> list[tuple]:
    return [(n.start, n.end, n.text, n.holder, n.years, n.all_rights_reserved, n.restriction, n.contact_email,
             n.license, n.kind) for n in find_notices(text)]


def _clear_caches() -> None:
    candidates._spans_in_window.cache_clear()
    candidates._marked_notices.cache_clear()


@FAST
@given(TEXTS, st.text(alphabet=" ab.\n", max_size=60), st.text(alphabet=" xy,\n", max_size=60))
def test_cached_windows_and_lines_give_the_fresh_answer(text: str, before: str, other: str) -> None:
    """The same notice text after other text, read from the caches, is found as a cold search finds it."""
    _clear_caches()
    first = _found(before + text)
    _clear_caches()
    cold = _found(other + text)
    _found(before + text)  # warm: the windows and lines of *text* are met again below
    assert _found(other + text) == cold
    assert _found(before + text) == first


def test_a_repeated_footer_is_read_from_the_cache() -> None:
    _clear_caches()
    footer = "\n\n© 2025 Harbour Press Ltd. All rights reserved."
    a = find_notices("First article body, plain prose." + footer)
    b = find_notices("A second, longer article body with other words in it." + footer)
    assert candidates._marked_notices.cache_info().hits >= 1 and candidates._spans_in_window.cache_info().hits >= 1
    assert [(n.holder, n.years, n.all_rights_reserved) for n in a] == [(n.holder, n.years, n.all_rights_reserved)
                                                                       for n in b] == [("Harbour Press Ltd.", [2025], True)]
    assert b[0].start - a[0].start == len("A second, longer article body with other words in it.") - len(
        "First article body, plain prose.")
    b[0].years.append(1999)  # a caller changing its notice changes no cached answer
    assert find_notices("x" + footer)[0].years == [2025]


def test_first_chars_follow_the_syntax() -> None:
    assert first_chars(r"(?<!\w)abc|d(?:e)") == {"a", "d"}
    assert first_chars(r"x?y") == {"x", "y"}
    assert first_chars(r"\sfoo") is not None and " " in first_chars(r"\sfoo")
    assert first_chars(r"[\u4e00-\u9fff]?ICP") == {("\u4e00", "\u9fff"), "I"}
    assert first_chars(r"a*") is None  # can match the empty string: no guard
    assert first_chars(r"(?i)abc") is None and first_chars(r"(?i:abc)") is None  # flags the guard would not share
    assert first_chars(r"\w+") is None  # a category other than \s
    p = guarded(r"\]x|\^y|\\z|a-b|[\u4e00-\u9fff]?ICP")
    assert [m.group() for m in p.finditer("-b ]x ^y \\z 中ICP a-b")] == ["]x", "^y", "\\z", "中ICP", "a-b"]


@FAST
@given(TEXTS)
def test_the_compiled_anchor_pass_finds_every_occurrence(text: str) -> None:
    """Every occurrence of every anchor, overlapping ones too, in order of start: what str.find finds."""
    low = text.lower()
    want = sorted((i, k) for k, kw in enumerate(candidates._ANCHORS)
                  for i in range(len(low)) if low.startswith(kw, i))
    assert [(i, k) for k, i in candidates._anchor_finder().find(low)] == want


def test_anchors_in_every_storage_width() -> None:
    from compliance import _kernel

    finder = _kernel.Anchors(["ab", "b", "版权", "\U0001f600x"])
    for pad in ("", "é", "—", "\U0001f4a9"):  # 1-, 2- and 4-byte strings
        text = pad + "abab 版权 \U0001f600x"
        got = finder.find(text)
        p = len(pad)
        assert got == [(0, p), (1, p + 1), (0, p + 2), (1, p + 3), (2, p + 5), (3, p + 8)], (pad, got)
