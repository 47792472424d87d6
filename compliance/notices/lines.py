"""Line-level primitives: which markers on a line start a notice, and the lines around a position.

Shared by candidate finding (stage 1), parsing (stage 2) and contacts.
"""

from __future__ import annotations

import bisect
import re

from .guard import guarded
from .patterns import _CODE_LINE, _MARK, _NAV_SEPARATOR, _SYMBOL_RE, LANG

_TOKEN_SEP = guarded(r"[\s。，、；：！？（）「」『』【】]")
_AFTER_MARKER_WORD = guarded(rf"(?:{LANG.markers})\s*$", re.IGNORECASE)


def _valid_marker(line: str, m: re.Match[str]) -> bool:
    """Is this marker the start of a notice (not a URL, code, list item or prose)?"""
    # the token holding the marker: white space and CJK punctuation bound it (Chinese has no spaces)
    before = _TOKEN_SEP.split(line[: m.start()])[-1]
    after = _TOKEN_SEP.split(line[m.end():], maxsplit=1)[0]
    token = before + m.group(0) + after
    if "://" in token or "www." in token.lower() or re.search(r"\w/\w", token.replace("24/7", "")) and "©" not in token:
        return False
    if "=" in token or "%" in token or "\\" in token:
        return False
    word = m.group(0).lower()
    if word.startswith("("):
        if m.start() > 0 and (line[m.start() - 1].isalnum() or line[m.start() - 1] == "_") \
                and not _AFTER_MARKER_WORD.search(line, 0, m.start()):
            return False  # f(c), a(c); not 저작권자(c)
        if re.search(r"\(\s*[ab]\s*\)|\(\s*(?:ii|iii)\s*\)|\(\s*d\s*\)", line, re.IGNORECASE):
            return False  # (a) (b) (c) list
        after = line[m.end():].lstrip()
        if not after or after[:1].islower():
            return False
    if _CODE_LINE.search(line) and not line.lstrip(" *•·-").startswith(("©", "Copyright", "COPYRIGHT")):
        return False
    return True


def _split_marker_groups(line: str) -> list[tuple[int, int, bool]]:
    """Marker groups in a line: (start, end, has_symbol).  "Copyright ©" is one group."""
    groups: list[list[int]] = []
    for m in _MARK.finditer(line):
        if not _valid_marker(line, m):
            continue
        sym = bool(_SYMBOL_RE.fullmatch(m.group(0)))
        if groups and re.fullmatch(r"[\s:.,]*", line[groups[-1][1] : m.start()]):
            groups[-1][1] = m.end()
            groups[-1][2] = groups[-1][2] or sym
        else:
            groups.append([m.start(), m.end(), sym])
    return [(a, b, bool(c)) for a, b, c in groups]


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    return a, (b if b >= 0 else len(text))


def _next_line(text: str, end: int, limit: int = 2) -> tuple[int, int] | None:
    """Span of the next non-blank line within *limit* line breaks."""
    pos = end
    breaks = 0
    while pos < len(text):
        if text[pos] == "\n":
            breaks += 1
            if breaks > limit:
                return None
            pos += 1
            continue
        if text[pos] in " \t\r":
            pos += 1
            continue
        a, b = _line_bounds(text, pos)
        return a, b
    return None


def _prev_line(text: str, start: int, limit: int = 2) -> tuple[int, int] | None:
    pos = start - 1
    breaks = 0
    while pos >= 0:
        if text[pos] == "\n":
            breaks += 1
            if breaks > limit:
                return None
            pos -= 1
            continue
        if text[pos] in " \t\r":
            pos -= 1
            continue
        return _line_bounds(text, pos)
    return None


def _notice_span_end(text: str, a: int, line_end: int) -> int:
    """Where a notice's own text ends on its line (before navigation links)."""
    seg = text[a:line_end]
    m = _NAV_SEPARATOR.search(seg)
    end = a + (m.start() if m else len(seg))
    return len(text[:end].rstrip()) if end > a else end


def _in_ranges(pos: int, ranges: list[tuple[int, int]], starts: list[int]) -> bool:
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and ranges[i][0] <= pos < ranges[i][1]
