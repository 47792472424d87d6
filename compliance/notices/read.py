"""Entry points: notices of a plain text, of an HTML page, and of a file."""

from __future__ import annotations

from pathlib import Path

from .candidates import _find_in_text
from .model import Notice
from .structured import _metadata_notices
from .visible import _ENTITY_OR_WS, VisibleText, visible_text


def _dedupe_spans(notices: list[Notice]) -> list[Notice]:
    seen: set[tuple[int, int, str]] = set()
    out = []
    for n in notices:
        key = (n.start, n.end, n.source)
        if key in seen:
            continue
        seen.add(key)
        out.append(n)
    return out


def find_notices(text: str) -> list[Notice]:
    """Every copyright notice in a plain text, with its span in *text*.

    Spans let reports and evidence quote the notice exactly where it stands.
    """
    return _dedupe_spans(_find_in_text(text))


def find_notices_html(html: str) -> list[Notice]:
    """Notices in an HTML page: its visible text (footers included) and its metadata.

    Offsets index *html*.  Visible notices come first, in page order, then
    metadata notices (source "meta", "json-ld", "rel-license").
    """
    vis = visible_text(html)
    found = _find_in_text(vis.text, vis.code, vis.credits)
    for n in found:
        n.start, n.end = vis.to_raw(n.start), _end_to_raw(vis, n.end)
    return _dedupe_spans(found + _metadata_notices(html))


def _end_to_raw(vis: VisibleText, end: int) -> int:
    """Raw offset just past the visible character before *end* (past its whole entity, if it was one)."""
    if end <= 0:
        return vis.to_raw(0)
    pos = vis.to_raw(end - 1)
    if vis.raw[pos:pos + 1] == "&":
        m = _ENTITY_OR_WS.match(vis.raw, pos)
        if m:
            return m.end()
    return pos + 1


def notices_in_file(path: Path, data: bytes | None = None) -> tuple[list[Notice], str | None]:
    """Notices of a text or HTML file (decoded as UTF-8), and the HTML when it is a page.

    The HTML is returned so that :func:`main_notice` can read the page's own name
    (og:site_name) when it chooses among several notices.
    """
    if data is None:
        from ..reading import read_bytes

        data = read_bytes(path)
    text = data.decode("utf-8", errors="replace")
    name = path.name.lower()
    head = text[:2000].lower()
    is_html = name.endswith((".html", ".htm", ".xhtml", ".html.gz", ".htm.gz")) or "<html" in head \
        or "<!doctype html" in head
    if is_html:
        return find_notices_html(text), text
    return find_notices(text), None
