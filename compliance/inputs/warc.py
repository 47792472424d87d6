"""WARC and ARC archives (gzipped per record, gzipped whole, or plain), through warcio.

Each ``response`` or ``resource`` record with an HTML or text payload (and
each ``conversion`` record, the text a crawler extracted, as in WET files) becomes
one document, keeping the target URI, WARC-Date, record id and payload digest.
A record that cannot be read is reported with its byte offset and the reader
moves on: to the next record, or, when the archive itself is damaged, to the
next place where a record starts (the next gzip member, or the next
``WARC/1.`` line), so that one bad record never hides the rest of a crawl.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import logging
import re
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from ..errors import InputError
from ..models import Document
from ..reading import CHUNK, OversizeError, charset_from_content_type, decode_html, looks_binary, read_limited
from ..signals import capture_kind, rights_headers
from ._common import ReadOptions, RecordError, located, pending_html, skip_prolog

__all__ = ["sniff_warc", "warc_head", "read_warc"]

logging.getLogger("warcio").addHandler(logging.NullHandler())
logging.getLogger("warcio").propagate = False

_ARC_HEAD = re.compile(rb"^(?:filedesc|https?|ftp|dns)://\S+ \S+ \d{12,18} ")
_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz", ".warc.gzip")
_HTML_MIME = frozenset(["text/html", "application/xhtml+xml", "application/xhtml", "text/xhtml"])
_TEXT_MIME = frozenset(["text/plain"])
_HTML_TAG = re.compile(rb"<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)


def _looks_html(head: bytes) -> bool:
    """A payload that opens like an HTML page (after comments); linear, see :func:`skip_prolog`."""
    at = skip_prolog(head, doctype=False, limit=2048)
    return at is not None and bool(_HTML_TAG.match(head, at))
_MAX_RESYNCS = 10_000


def sniff_warc(path: Path, head: bytes) -> bool:
    """A WARC (``WARC/1.x`` first line) or an ARC (``URL IP DATE ...``), after gunzip; or by extension."""
    return warc_head(head) or path.name.lower().endswith(_SUFFIXES)


def warc_head(head: bytes) -> bool:
    """Whether a file opens as a WARC (``WARC/1.x`` first line) or an ARC (``URL IP DATE ...``), whatever its name."""
    return head.startswith(b"WARC/") or bool(_ARC_HEAD.match(head))


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if not text:
        text = exc.__class__.__name__
    elif not isinstance(exc, InputError):
        text = f"{exc.__class__.__name__}: {text}"
    return text[:300]


class _Stderr(io.StringIO):
    """Collects what warcio prints to stderr, so it becomes located errors instead."""


_WARC_WARNING = re.compile(r"WARNING: Record not followed by newline.*?Offset: (\d+)", re.DOTALL)


def _warnings(buf: _Stderr, name: str, prefix: str) -> list[RecordError]:
    out = []
    for m in _WARC_WARNING.finditer(buf.getvalue()):
        out.append(located(name, "record not followed by a blank line (its Content-Length may be wrong)",
                           int(m.group(1)), what=prefix))
    buf.seek(0)
    buf.truncate()
    return out


def _find_next(path: Path, after: int, gz: bool) -> int | None:
    """Byte offset of the next place a record may start, after *after*."""
    magic = b"\x1f\x8b\x08" if gz else b"WARC/1."
    with open(path, "rb") as fh:
        fh.seek(after + 1)
        pos = after + 1
        carry = b""
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                return None
            data = carry + chunk
            base = pos - len(carry)
            start = 0
            while True:
                i = data.find(magic, start)
                if i < 0:
                    break
                if gz or base + i == 0 or (i > 0 and data[i - 1:i] == b"\n"):
                    return base + i
                start = i + 1
            carry = data[-(len(magic) + 1):]
            pos += len(chunk)


def _payload_kind(mime: str, payload_head: bytes) -> str | None:
    if mime in _HTML_MIME:
        return "html"
    if mime in _TEXT_MIME:
        return "html" if _looks_html(payload_head) else "text"
    if not mime or mime in ("application/octet-stream", "unk", "no-type", "unknown"):
        return "html" if _looks_html(payload_head) else None
    return None


def _record_document(rec: Any, offset: int, name: str, fmt: str, options: ReadOptions,
                     what: str) -> Document | RecordError | None:
    """The document of one record, an error, or None for records that are not pages."""
    rtype = rec.rec_type
    if rtype not in ("response", "resource", "conversion"):  # conversion: text extracted by the crawler (WET)
        return None
    headers = rec.rec_headers
    length = headers.get_header("Content-Length")
    if length is not None and not length.strip().isdigit():
        return located(name, f"invalid Content-Length {length!r}; record skipped", offset, what)
    status = ""
    if rtype == "response":
        uri = headers.get_header("WARC-Target-URI") or ""
        if rec.http_headers is None or not rec.http_headers.statusline:
            if uri.startswith(("http:", "https:")) and length and int(length) > 0:
                return located(name, "response record without an HTTP status line; record skipped", offset, what)
            return None
        status = rec.http_headers.get_statuscode() or ""
        if status[:1] in ("1", "3") or status == "204":
            return None  # redirects and header-only answers carry no page
        ctype = rec.http_headers.get_header("Content-Type")
    else:
        ctype = headers.get_header("Content-Type")
    mime = (ctype or "").split(";")[0].strip().lower()
    rights_file = capture_kind(headers.get_header("WARC-Target-URI"))  # robots.txt, tdmrep.json: read as text
    if mime and mime not in _HTML_MIME and mime not in _TEXT_MIME and not mime.startswith(("application/octet", "unk",
                                                                                             "no-type")):
        if not rights_file:
            return None
    declared = rec.rec_headers.get_header("Content-Length")
    try:
        if declared is not None and int(declared) > 4 * options.max_doc_bytes + (1 << 20):
            return located(name, f"oversize payload: record of {int(declared)} bytes, more than --max-doc-bytes "
                                 f"{options.max_doc_bytes} (raise --max-doc-bytes to read it)", offset, what)
    except ValueError:
        pass
    try:
        payload = read_limited(rec.content_stream(), options.max_doc_bytes)
    except OversizeError as exc:
        return located(name, str(exc), offset, what)
    except Exception as exc:  # hostile payloads: bad chunking, bad gzip/brotli encoding
        return located(name, f"unreadable payload ({_one_line(exc)})", offset, what)
    if not payload.strip():
        return None
    kind = "text" if rights_file else _payload_kind(mime, payload[:2048].lstrip())
    if kind is None:
        return None
    uri = headers.get_header("WARC-Target-URI")
    if uri and uri.startswith("<") and uri.endswith(">"):
        uri = uri[1:-1]
    date = headers.get_header("WARC-Date")
    fields: dict[str, Any] = {
        "url": uri or None, "fetched_at": date, "warc_date": date,
        "warc_record_id": headers.get_header("WARC-Record-ID") if fmt == "warc" else None,
        "payload_digest": headers.get_header("WARC-Payload-Digest"),
        "source_format": fmt, "offset": offset, "path": name,
        "http_headers": rights_headers(rec.http_headers) if rtype == "response" else None,
    }
    if looks_binary(payload):
        return located(name, f"binary payload, not text (Content-Type says {mime or 'nothing'})", offset, what)
    charset = charset_from_content_type(ctype)
    if kind == "html":
        return pending_html(payload, charset=charset, options=options, **fields)
    try:
        text = decode_html(payload, charset)
    except InputError as exc:
        return located(name, str(exc), offset, what)
    import hashlib

    doc = Document(text=text, raw_sha256=hashlib.sha256(payload).hexdigest(), **fields)
    doc.meta["bytes"] = len(payload)
    return doc


def _framing(buf: _Stderr, name: str, what: str, state: dict[str, Any]) -> list[RecordError]:
    """Framing warnings, unless they only echo damage already reported (``state["damaged"]``)."""
    found = _warnings(buf, name, what)
    if state.get("damaged"):
        return []
    if found:
        state["damaged"] = True
    return found


def _iterate(stream: BinaryIO, name: str, fmt_hint: str, options: ReadOptions, what: str,
             state: dict[str, Any]) -> Iterator[Document | RecordError]:
    """Records of one stream until it ends or breaks; ``state`` says how it ended.

    ``state["damaged"]`` is set once a problem is reported and cleared by the next healthy record: while
    it is set, framing problems (a record not followed by a blank line, a header that does not parse)
    are the same damage seen again, and are not reported twice.
    """
    from warcio.archiveiterator import ArchiveIterator

    buf = _Stderr()
    it = ArchiveIterator(stream, arc2warc=True, block_size=CHUNK)
    state["error"] = None
    while True:
        try:
            with contextlib.redirect_stderr(buf):
                rec = next(it)
        except StopIteration:
            yield from _framing(buf, name, what, state)
            return
        except Exception as exc:  # warcio raises many kinds on damaged archives
            yield from _framing(buf, name, what, state)
            state["error"] = exc
            state["offset"] = it.offset
            return
        yield from _framing(buf, name, what, state)
        offset = it.offset
        state["records"] = state.get("records", 0) + 1
        if state["records"] <= state.get("skip", 0):
            continue
        fmt = "arc" if (it.known_format == "arc" or fmt_hint == "arc") else "warc"
        try:
            with contextlib.redirect_stderr(buf):
                item = _record_document(rec, offset, name, fmt, options, what)
        except Exception as exc:  # a record warcio parsed but cannot serve
            item = located(name, f"unreadable record ({_one_line(exc)})", offset, what)
        yield from _framing(buf, name, what, state)
        state["damaged"] = isinstance(item, RecordError)
        if item is not None:
            yield item


def read_warc(path: Path, options: ReadOptions) -> Iterator[Document | InputError]:
    """Documents of every page record in a WARC or ARC file; located errors for the rest."""
    name = options.display_name or str(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
    except OSError as exc:
        yield RecordError(f"{name}: cannot read ({exc.strerror or exc})", path=name)
        return
    gz = head[:2] == b"\x1f\x8b"
    fmt_hint = "arc" if path.name.lower().endswith((".arc", ".arc.gz")) else "warc"
    if not head:
        yield RecordError(f"{name}: empty file", path=name)
        return
    offset = 0
    resyncs = 0
    damaged = False  # a problem was reported and no healthy record has been read since
    while True:
        state: dict[str, Any] = {"damaged": damaged}
        with open(path, "rb") as fh:
            fh.seek(offset)
            yield from _iterate(fh, name, fmt_hint, options, "record at offset", state)
        exc = state.get("error")
        if exc is None:
            return
        at = int(state.get("offset") or offset)
        message = _one_line(exc)
        if "first line:" in message and len(message) > 120:  # warcio quotes the bad bytes: keep a glimpse
            message = message[:117] + "..."
        if gz and "non-chunked gzip" in message:
            yield located(name, "several records share this gzip member (the archive was gzipped whole, not per "
                                "record); reading it as one stream", offset, "gzip member at offset")
            yield from _read_whole_gzip(path, name, fmt_hint, options, skip=state.get("records", 0))
            return
        if not state.get("damaged"):
            what = "malformed" if exc.__class__.__name__ == "ArchiveLoadFailed" else "truncated or damaged"
            yield located(name, f"{what} record ({message}); skipping to the next record", at)
        damaged = True
        resyncs += 1
        nxt = _find_next(path, max(at, offset), gz) if resyncs <= _MAX_RESYNCS else None
        if nxt is None:
            return
        offset = nxt


def _read_whole_gzip(path: Path, name: str, fmt_hint: str, options: ReadOptions,
                     skip: int) -> Iterator[Document | RecordError]:
    """An archive gzipped as one member: read through one decompressing stream."""
    state: dict[str, Any] = {"skip": skip}
    try:
        with open(path, "rb") as raw, gzip.GzipFile(fileobj=raw, mode="rb") as fh:
            yield from _iterate(fh, name, fmt_hint, options, "record at decompressed offset", state)
    except (OSError, EOFError) as exc:
        yield RecordError(f"{name}: damaged gzip stream ({_one_line(exc)})", path=name)
        return
    exc = state.get("error")
    if exc is not None:
        yield located(name, f"malformed record ({_one_line(exc)}); the rest of the file is skipped",
                      int(state.get("offset") or 0), "record at decompressed offset")
