"""RSS and Atom feeds, through feedparser: one document per item or entry.

Each item's text is its full content where the feed carries it
(``content:encoded``, Atom ``content``), else its summary, turned into
visible text.  Its link is the document URL; its dates, author and rights go
to ``meta``; the rights, the author line and any ``<source>`` credit go to
``extra_text``, where attribution detection reads them.

Feeds are untrusted XML.  feedparser is given bytes (never a URL or a file
name, which it would open or fetch), external entities stay off, and a
DOCTYPE that declares nested or external entities (the "billion laughs"
shape) is removed before parsing and reported, so expansion is bounded.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Iterator

from ..errors import InputError
from ..extract import html_to_text
from ..models import Document
from ..reading import read_bytes
from ._common import ReadOptions, RecordError, doctype_end, located, skip_prolog

__all__ = ["sniff_feed", "read_feed"]

_ROOT = re.compile(rb"<(rss|feed|rdf:RDF|RDF)\b", re.IGNORECASE)
#: the head of one entity declaration, up to its value; bounded repeats (``\s+%?\s*`` was quadratic on spaces)
_ENTITY_HEAD = re.compile(rb"<!ENTITY\s{1,200}(?:%\s{1,200})?[\w.:-]{1,200}\s{1,200}", re.IGNORECASE)
_SUFFIXES = (".rss", ".atom", ".rdf", ".rss.gz", ".atom.gz")


def sniff_feed(path: Path, head: bytes) -> bool:
    """An XML document whose root is ``rss``, ``feed`` or ``rdf:RDF``.

    A ``.rss`` that is really an HTML page goes to the HTML reader; a feed
    extension only decides when the head is too long to see the root.
    """
    at = skip_prolog(head, limit=4096)  # linear; a regex over comments backtracked exponentially
    if at is not None and _ROOT.match(head, at):
        return True
    name = path.name.lower()
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return name.endswith(_SUFFIXES) and stripped.startswith((b"<?xml", b"<!DOCTYPE", b"<!--")) \
        and b"<html" not in head.lower()


def _defuse(data: bytes) -> tuple[bytes, bool]:
    """Remove a DOCTYPE whose entities could expand (nested or external); say whether one was."""
    span = _doctype_span(data)
    if span is None:
        return data, False
    start, end = span
    if not _dangerous_entities(data[start:end]):
        return data, False
    return data[:start] + data[end:], True


def _dangerous_entities(subset: bytes) -> bool:
    """An entity that is external (SYSTEM, PUBLIC), refers to another entity, or is over 10,000 bytes.

    Declarations are found with ``find`` and each value is skipped past once its
    closing quote is found: linear in the subset (a regular expression over
    ``<!ENTITY`` followed by 32,000 spaces took 19 s).
    """
    upper = subset.upper()
    pos = 0
    while True:
        i = upper.find(b"<!ENTITY", pos)
        if i < 0:
            return False
        m = _ENTITY_HEAD.match(subset, i)
        if m is None:
            pos = i + 8
            continue
        j = m.end()
        if upper[j:j + 6] in (b"SYSTEM", b"PUBLIC"):
            return True
        quote = subset[j:j + 1]
        if quote not in (b'"', b"'"):
            pos = j
            continue
        close = subset.find(quote, j + 1)
        value = subset[j + 1:close if close >= 0 else len(subset)]
        if re.search(rb"&(?!#)", value) or len(value) > 10_000:
            return True
        pos = len(subset) if close < 0 else close + 1


def _doctype_span(data: bytes) -> tuple[int, int] | None:
    """Where the prolog's DOCTYPE lies, if it has an internal subset.

    Only the prolog is looked at (a DOCTYPE must come before the root element),
    with ``find`` calls: a lazy ``<!DOCTYPE.*?]>`` search took quadratic time on
    a feed repeating ``<!DOCTYPE a [`` (90 s for 400 KB).
    """
    i = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    limit = min(len(data), 1 << 20)
    while i < limit:
        while i < limit and data[i] in b" \t\r\n\f\v":
            i += 1
        if data.startswith(b"<!--", i):
            j = data.find(b"-->", i + 4, limit)
            i = limit if j < 0 else j + 3
        elif data.startswith(b"<?", i):
            j = data.find(b"?>", i + 2, limit)
            i = limit if j < 0 else j + 2
        elif data[i:i + 9].lower() == b"<!doctype":
            end = doctype_end(data[:limit], i)
            if end is None:
                return None
            return (i, end) if b"[" in data[i:end] else None
        else:
            return None
    return None


def _byte_offset(data: bytes, line: int | None, column: int | None) -> int | None:
    if not line:
        return None
    pos = 0
    for _ in range(line - 1):
        nxt = data.find(b"\n", pos)
        if nxt < 0:
            return None
        pos = nxt + 1
    return pos + (column or 0)


def _text_of(value: str, mime: str | None) -> str:
    if mime and "html" not in mime and "xml" not in mime:
        return value.strip()
    if "<" not in value:
        import html

        return html.unescape(value).strip()
    return html_to_text(value)


def _entry_document(entry: Any, feed: Any, name: str, index: int) -> Document | None:
    """One item as a document, or None when it carries no text (a title-only item)."""
    contents = [c for c in entry.get("content", []) if c.get("value")]
    if contents:
        best = max(contents, key=lambda c: len(c.get("value", "")))
        text = _text_of(best["value"], best.get("type"))
    else:
        detail = entry.get("summary_detail") or {}
        text = _text_of(entry.get("summary", "") or "", detail.get("type"))
    if not text.strip():
        return None
    rights = entry.get("rights") or feed.get("rights")
    author = entry.get("author")
    extra: list[str] = []
    if rights:
        extra.append(" ".join(str(rights).split()))
    if author:
        extra.append(f"By {' '.join(str(author).split())}")
    for key in ("publisher", "dc_publisher", "dc_source"):
        if entry.get(key):
            extra.append(" ".join(str(entry[key]).split()))
    source = entry.get("source") or {}
    for key in ("title", "href", "link"):
        if isinstance(source, dict) and source.get(key):
            extra.append(str(source[key]))
    doc = Document(text=text, path=name, url=entry.get("link") or None,
                   title=(" ".join(entry.get("title", "").split()) or None), source_format="feed",
                   extra_text="\n".join(dict.fromkeys(extra)), offset=index)
    # dict.get: FeedParserDict.get maps a missing "updated" to "published" (with a deprecation warning)
    doc.meta.update({k: dict.get(entry, k) for k in ("published", "updated", "author", "id") if dict.get(entry, k)})
    if rights:
        doc.meta["rights"] = str(rights)
    doc.meta["bytes"] = len(text.encode("utf-8", "surrogatepass"))
    return doc


def read_feed(path: Path, options: ReadOptions) -> Iterator[Document | InputError]:
    """Documents of a feed's items; located errors for the problems found."""
    import feedparser

    name = options.display_name or str(path)
    try:
        data = read_bytes(path, options.max_doc_bytes)
    except InputError as exc:
        yield RecordError(str(exc).replace(str(path), name, 1), path=name)
        return
    data, defused = _defuse(data)
    if defused:
        yield RecordError(f"{name}: the feed's DOCTYPE declares nested or external XML entities (refused, as an "
                          "entity-expansion risk); read without them", path=name, offset=0)
    try:
        parsed = feedparser.parse(io.BytesIO(data), resolve_relative_uris=True, sanitize_html=True)
    except Exception as exc:  # feedparser on hostile XML
        yield RecordError(f"{name}: not a readable feed ({exc.__class__.__name__}: {exc})", path=name)
        return
    entries = parsed.get("entries") or []
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        line = getattr(exc, "getLineNumber", lambda: None)()
        col = getattr(exc, "getColumnNumber", lambda: None)()
        where = _byte_offset(data, line, col)
        msg = " ".join(str(getattr(exc, "getMessage", lambda: exc)()).split())[:200] or exc.__class__.__name__
        if not isinstance(exc, feedparser.CharacterEncodingOverride) and not defused:
            detail = f"not well-formed XML ({msg}" + (f", line {line} column {col}" if line else "") + ")"
            detail += "; its items were read leniently" if entries else ""
            yield located(name, detail, where, what="byte offset") if where is not None else \
                RecordError(f"{name}: {detail}", path=name)
    if not entries:
        yield RecordError(f"{name}: a feed with no items", path=name)
        return
    feed = parsed.get("feed") or {}
    found = 0
    for i, entry in enumerate(entries, start=1):
        try:
            doc = _entry_document(entry, feed, name, i)
        except Exception as exc:  # a hostile item must not hide the others
            yield located(name, f"unreadable item ({exc.__class__.__name__}: {exc})", i, what="item")
            continue
        if doc is not None:
            found += 1
            yield doc
    if not found:
        yield RecordError(f"{name}: none of its {len(entries)} items carries text (titles only)", path=name)
