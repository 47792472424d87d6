"""Plain-text and HTML files (gzipped or not)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from ..errors import InputError
from ..extract import extract_html
from ..models import Document
from ..reading import decode_text, looks_binary, read_bytes

if TYPE_CHECKING:
    from . import ReadOptions

__all__ = ["sniff_text", "sniff_html", "read_text_file", "read_html_file", "document_from_bytes"]

_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz")


def sniff_html(path: Path, head: bytes) -> bool:
    name = path.name.lower()
    if name.endswith(_HTML_SUFFIXES):
        return True
    h = head.lstrip()[:200].lower()
    return h.startswith((b"<!doctype html", b"<html")) or (b"<head" in h and b"<" == h[:1])


def sniff_text(path: Path, head: bytes) -> bool:
    name = path.name.lower()
    return name.endswith((".txt", ".text", ".md", ".txt.gz")) or (bool(head) and not looks_binary(head)) or not head


def document_from_bytes(data: bytes, name: str, fmt: str) -> Document | InputError:
    """A text document from raw bytes, or the reason it is not one."""
    if not data.strip():
        return InputError(f"{name}: empty input")
    if looks_binary(data):
        return InputError(f"{name}: binary data, not text")
    try:
        text = decode_text(data, name)
    except InputError as exc:
        return exc
    return Document(text=text, path=name, source_format=fmt, raw_sha256=hashlib.sha256(data).hexdigest())


def read_text_file(path: Path, options: "ReadOptions") -> Iterator[Document | InputError]:
    try:
        data = read_bytes(path, options.max_doc_bytes)
    except InputError as exc:
        yield exc
        return
    yield document_from_bytes(data, str(path), "text")


def read_html_file(path: Path, options: "ReadOptions") -> Iterator[Document | InputError]:
    try:
        data = read_bytes(path, options.max_doc_bytes)
    except InputError as exc:
        yield exc
        return
    if not data.strip():
        yield InputError(f"{path}: empty file")
        return
    if looks_binary(data):
        yield InputError(f"{path}: binary data posing as HTML")
        return
    html = data.decode("utf-8", errors="replace")
    ex = extract_html(html)
    if not ex.text.strip():
        yield InputError(f"{path}: no text found in the HTML")
        return
    yield Document(text=ex.text, path=str(path), title=ex.title, source_format="html",
                   raw_sha256=hashlib.sha256(data).hexdigest(), extra_text=ex.extra_text)
