"""Plain-text and HTML files (gzipped or not)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Iterator

from ..errors import InputError
from ..models import Document
from ..reading import decode_text, is_blank, looks_binary, read_bytes
from ._common import ReadOptions, RecordError, located, pending_html, skip_prolog

__all__ = ["sniff_text", "text_by_name_or_head", "sniff_html", "read_text_file", "read_html_file",
           "document_from_bytes", "html_document"]

_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml", ".html.gz", ".htm.gz", ".xhtml.gz")
_HTML_TAG = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|title)\b", re.IGNORECASE)


def sniff_html(path: Path, head: bytes) -> bool:
    """HTML by extension, or by a doctype or an opening html/head/body tag."""
    if path.name.lower().endswith(_HTML_SUFFIXES):
        return True
    at = skip_prolog(head, doctype=False, limit=2048)  # linear: no backtracking over comments
    return at is not None and bool(_HTML_TAG.match(head, at))


def sniff_text(path: Path, head: bytes) -> bool:
    """The fallback: anything that is not binary."""
    return text_by_name_or_head(path.name.lower(), head)


def text_by_name_or_head(name: str, head: bytes) -> bool:
    """A text file by its (lower-case) name, or a head that is not binary."""
    return name.endswith((".txt", ".text", ".md", ".txt.gz")) or not head or not looks_binary(head)


def _name(path: Path, options: ReadOptions) -> str:
    return options.display_name or str(path)


def document_from_bytes(data: bytes, name: str, fmt: str) -> Document | InputError:
    """A text document from raw bytes, or the reason it is not one."""
    if is_blank(data):
        return RecordError(f"{name}: empty input", path=name)
    if looks_binary(data):
        return RecordError(f"{name}: binary data, not text", path=name)
    try:
        text = decode_text(data, name)
    except InputError as exc:
        return RecordError(str(exc), path=name)
    raw_sha = hashlib.sha256(data).hexdigest()
    doc = Document(text=text, path=name, source_format=fmt, raw_sha256=raw_sha)
    if not data.startswith(b"\xef\xbb\xbf"):
        doc.known_sha256(raw_sha)  # the text is exactly these UTF-8 bytes: one hash serves both
    doc.meta["bytes"] = len(data)
    return doc


def html_document(data: bytes, name: str, options: ReadOptions, **fields: object) -> Document | InputError:
    """An HTML page from raw bytes (extracted now, or pending for a scan worker)."""
    if is_blank(data):
        return located(name, "empty file")
    if looks_binary(data):
        return located(name, "binary data posing as HTML")
    fields.setdefault("source_format", "html")
    return pending_html(data, options=options, path=name, **fields)  # type: ignore[arg-type]


def read_text_file(path: Path, options: ReadOptions) -> Iterator[Document | InputError]:
    """One document: the file's UTF-8 text, exactly (offsets index it)."""
    name = _name(path, options)
    try:
        data = read_bytes(path, options.max_doc_bytes)
    except InputError as exc:
        yield RecordError(str(exc).replace(str(path), name, 1), path=name)
        return
    yield document_from_bytes(data, name, "stdin" if options.display_name == "<stdin>" else "text")


def read_html_file(path: Path, options: ReadOptions) -> Iterator[Document | InputError]:
    """One document: the page's extracted main text, footer lines kept apart."""
    name = _name(path, options)
    try:
        data = read_bytes(path, options.max_doc_bytes)
    except InputError as exc:
        yield RecordError(str(exc).replace(str(path), name, 1), path=name)
        return
    yield html_document(data, name, options)
