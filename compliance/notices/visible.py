"""The visible text of a raw HTML page, with offsets that map back into the page.

Notices live in footers, which article extractors drop, so the page is read
whole: inline tags join, blocks break lines, scripts and styles vanish.  Code
blocks and picture captions are remembered as ranges (no notices, or credits).
"""

from __future__ import annotations

import bisect
import html as htmllib
import re
from dataclasses import dataclass, field

from .guard import guarded

_HTML_SCAN = guarded(
    r"<!--.*?-->|<(script|style|noscript|template|title|svg|math|textarea|select|object)\b[^>]*>.*?</\1\s*>|"
    r"<(/?)([A-Za-z][\w:.-]*)((?:\s[^>]*)?)/?>|<[!?][^>]*>",
    re.IGNORECASE | re.DOTALL)
_BLOCK = frozenset(
    "p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 tr td th table tbody thead tfoot footer header section article "
    "aside nav main form fieldset figure figcaption blockquote pre address hr center option body html caption "
    "details summary dialog menu legend iframe video audio canvas picture img input button label".split())
_INLINE = frozenset(
    "a span b strong i em small font u s strike sup sub abbr acronym time mark cite q bdi bdo wbr code kbd samp "
    "var ins del dfn big tt nobr data".split())
_CODE_TAGS = frozenset(("pre", "code", "kbd", "samp"))
_VOID = frozenset("img br hr input meta link source wbr area base col embed param track keygen".split())
# Elements whose notices credit a picture, not the page: figures, captions, galleries.
_CREDIT_TAGS = frozenset(("figure", "figcaption"))
_CREDIT_CLASS = guarded(r"""\b(?:class|itemprop)\s*=\s*["']?[^"'>]*(?:caption|photo|image|gallery|figure|picture|"""
                           r"""slideshow|lightbox|thumbnail)""", re.IGNORECASE)
_ENTITY_OR_WS = guarded(r"&(?:#\d{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};?)|\s+")


@dataclass
class VisibleText:
    """The visible text of a page, with a map from its offsets back to the raw HTML."""

    text: str
    _out_starts: list[int]
    _pieces: list[tuple[int, int, int, bool]]  # out_start, raw_start, raw_end, leading space dropped
    raw: str
    code: list[tuple[int, int]] = field(default_factory=list)
    credits: list[tuple[int, int]] = field(default_factory=list)

    def to_raw(self, pos: int) -> int:
        """Raw HTML offset of visible-text offset *pos* (end offsets map to piece ends)."""
        i = bisect.bisect_right(self._out_starts, pos) - 1
        if i < 0:
            return self._pieces[0][1] if self._pieces else 0
        out_start, raw_start, raw_end, dropped = self._pieces[i]
        rel = pos - out_start
        return _map_in_piece(self.raw, raw_start, raw_end, rel, dropped)


def _piece_text(raw: str) -> str:
    """Visible form of a text run: entities decoded, white space collapsed."""
    if "&" in raw:
        raw = _ENTITY_OR_WS.sub(lambda m: " " if m.group(0)[0] != "&" else htmllib.unescape(m.group(0)), raw)
    return re.sub(r"\s+", " ", raw)


def _map_in_piece(raw: str, a: int, b: int, rel: int, dropped: bool) -> int:
    """Raw offset of the *rel*-th visible character of raw[a:b]."""
    out = 0
    i = a
    last_space = dropped
    if dropped:
        # the piece's leading white space produced nothing
        while i < b and raw[i].isspace():
            i += 1
        last_space = True
    while i < b:
        m = _ENTITY_OR_WS.match(raw, i, b)
        if m:
            tok = m.group(0)
            produced = " " if tok[0] != "&" else htmllib.unescape(tok)
            produced = re.sub(r"\s+", " ", produced)
            if produced == " " and last_space:
                produced = ""
            if rel < out + len(produced):
                return i
            out += len(produced)
            last_space = produced.endswith(" ") if produced else last_space
            i = m.end()
            continue
        if out >= rel:
            return i
        out += 1
        last_space = False
        i += 1
    return b


def visible_text(html: str) -> VisibleText:
    """What a reader sees of *html*, one block per line, offsets mappable to the raw HTML.

    Inline tags (a, span, b) join their text as a browser does; block tags
    and <br> break lines; script, style and comments vanish.  A notice written
    by JavaScript (``document.write(new Date().getFullYear())``) has no year.
    """
    out: list[str] = []
    out_len = 0
    starts: list[int] = []
    pieces: list[tuple[int, int, int, bool]] = []
    code: list[tuple[int, int]] = []
    code_depth = 0
    code_open = 0
    credits: list[tuple[int, int]] = []
    credit_tag: str | None = None
    credit_depth = 0
    credit_open = 0
    last = "\n"
    pos = 0

    def emit_text(a: int, b: int) -> None:
        nonlocal out_len, last
        t = _piece_text(html[a:b])
        if not t:
            return
        dropped = False
        if t[0] == " " and last in " \n":
            t = t[1:]
            dropped = True
            if not t:
                return
        starts.append(out_len)
        pieces.append((out_len, a, b, dropped))
        out.append(t)
        out_len += len(t)
        last = t[-1]

    def emit_sep(sep: str) -> None:
        nonlocal out_len, last
        if sep == "\n":
            if last == "\n":
                return
            if last == " " and out:
                out[-1] = out[-1][:-1] + "\n" if len(out[-1]) > 0 else "\n"
                last = "\n"
                return
        elif last in " \n":
            return
        out.append(sep)
        out_len += len(sep)
        last = sep

    for m in _HTML_SCAN.finditer(html):
        if m.start() > pos:
            emit_text(pos, m.start())
        pos = m.end()
        name = m.group(3)
        if name is None:
            if m.group(1):
                emit_sep("\n" if m.group(1).lower() in ("title", "textarea", "select") else " ")
            continue
        lname = name.lower()
        closing = bool(m.group(2))
        if lname in _CODE_TAGS:
            if not closing:
                if code_depth == 0:
                    code_open = out_len
                code_depth += 1
            elif code_depth:
                code_depth -= 1
                if code_depth == 0:
                    code.append((code_open, out_len))
        if lname not in _VOID and not m.group(0).endswith("/>"):
            if credit_tag is None:
                if not closing and (lname in _CREDIT_TAGS or (m.group(4) and _CREDIT_CLASS.search(m.group(4)))):
                    credit_tag, credit_depth, credit_open = lname, 1, out_len
            elif lname == credit_tag:
                credit_depth += -1 if closing else 1
                if credit_depth == 0:
                    if out_len - credit_open <= 1500:  # a caption is short; a page-wide wrapper is not
                        credits.append((credit_open, out_len))
                    credit_tag = None
        if lname in _INLINE:
            continue
        emit_sep("\n" if lname in _BLOCK else " ")
    if pos < len(html):
        emit_text(pos, len(html))
    if code_depth:
        code.append((code_open, out_len))
    if credit_tag is not None and out_len - credit_open <= 1500:
        credits.append((credit_open, out_len))
    return VisibleText("".join(out), starts, pieces, html, code, credits)
