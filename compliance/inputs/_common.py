"""What every reader shares: limits, located errors, and deferred extraction.

HTML extraction is the costly part of reading a crawl (about 20 ms a page),
so readers can hand over a page's raw bytes as a *pending* document and let
:func:`finish_document` extract it later, in a scan worker process.  The
reader stays cheap and sequential; the extraction runs in parallel.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ..errors import InputError
from ..models import Document
from ..reading import MAX_BYTES_DEFAULT

__all__ = ["ReadOptions", "RecordError", "printable", "located", "pending_html", "finish_document", "is_pending"]


@dataclass
class ReadOptions:
    """Limits and choices every reader honours."""

    max_doc_bytes: int = MAX_BYTES_DEFAULT
    #: hand HTML pages over as pending documents (see :func:`finish_document`)
    defer_extraction: bool = False
    #: the name a reader shows for its input instead of the path (stdin)
    display_name: str | None = None


def printable(text: str) -> str:
    """Crawled bytes end up in messages (a URL, a bad header line): escape control characters, so that a
    hostile record cannot move the cursor or recolour the terminal."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text)


class RecordError(InputError):
    """A problem with one input or one record in it, with where it happened (one printable line)."""

    def __init__(self, message: str, path: str | None = None, offset: int | None = None) -> None:
        super().__init__(printable(message))
        self.path = path
        self.offset = offset

    def __reduce__(self):  # noqa: ANN204 - keep path and offset across worker processes
        return (RecordError, (str(self), self.path, self.offset))


def located(path: str, message: str, offset: int | None = None, what: str = "record at offset") -> RecordError:
    """``crawl.warc.gz: record at offset 12345: message`` (or ``path: message``)."""
    where = f"{path}: {what} {offset}: " if offset is not None else f"{path}: "
    return RecordError(where + message, path=path, offset=offset)


def is_pending(doc: Document) -> bool:
    """Whether a document still holds raw HTML to extract."""
    return "pending_html" in doc.meta


def pending_html(data: bytes, *, charset: str | None = None, options: ReadOptions,
                 **fields: Any) -> Document | RecordError:
    """A document for an HTML payload: extracted now, or pending if the options defer it."""
    doc = Document(text="", raw_sha256=hashlib.sha256(data).hexdigest(), **fields)
    doc.meta["pending_html"] = (data, charset)
    doc.meta["bytes"] = len(data)
    if options.defer_extraction:
        return doc
    return finish_document(doc)


def _where(doc: Document) -> tuple[str, int | None]:
    return doc.path, doc.offset


def finish_document(doc: Document) -> Document | RecordError:
    """Decode and extract a pending HTML document; other documents pass through.

    The extracted body becomes ``text`` (what offsets index), footer notices
    and credits go to ``extra_text``.  A page with no text, or bytes that are
    no text at all, come back as a located :class:`RecordError`.
    """
    pending = doc.meta.pop("pending_html", None)
    if pending is None:
        return doc
    from ..extract import extract_html
    from ..reading import decode_html

    data, charset = pending
    path, offset = _where(doc)
    try:
        html = decode_html(data, charset)
    except InputError as exc:
        return located(path, str(exc), offset)
    if not html.strip():
        return located(path, "empty page", offset)
    ex = extract_html(html, doc.url)
    if not ex.text.strip():
        return located(path, "no text found in the HTML", offset)
    doc.text = ex.text
    doc.title = doc.title or ex.title
    doc.extra_text = "\n".join(x for x in (doc.extra_text, ex.extra_text) if x)
    if "rights" in ex.meta:
        doc.meta["rights"] = ex.meta["rights"]
    return doc


_SPACE = b" \t\r\n\f\v"


def skip_prolog(head: bytes, *, doctype: bool = True, limit: int = 8192) -> int | None:
    """Offset of the first tag after a BOM, whitespace, XML declaration, comments, PIs (and a DOCTYPE).

    Written as a loop of ``bytes.find`` calls rather than a regular expression:
    a pattern like ``(?:<!--.*?-->\\s*)*<html`` backtracks exponentially on a
    head made of many short comments without a root tag (a fuzzed page hung
    the reader for minutes).  This runs in linear time on at most *limit* bytes.
    Returns None when the head ends inside the prolog.
    """
    data = head[:limit]
    n = len(data)
    i = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while True:
        while i < n and data[i] in _SPACE:
            i += 1
        if i >= n:
            return None
        if data.startswith(b"<!--", i):
            j = data.find(b"-->", i + 4)
            if j < 0:
                return None
            i = j + 3
        elif data.startswith(b"<?", i):
            j = data.find(b"?>", i + 2)
            if j < 0:
                return None
            i = j + 2
        elif doctype and data[i:i + 9].lower() == b"<!doctype":
            end = doctype_end(data, i)
            if end is None:
                return None
            i = end
        else:
            return i


def doctype_end(data: bytes, start: int) -> int | None:
    """Offset just past the DOCTYPE that starts at *start* (its internal ``[...]`` subset included); linear."""
    gt = data.find(b">", start)
    br = data.find(b"[", start)
    if br >= 0 and (gt < 0 or br < gt):
        close = data.find(b"]", br)
        if close < 0:
            return None
        gt = data.find(b">", close)
    return None if gt < 0 else gt + 1
