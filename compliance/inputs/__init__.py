"""Readers behind ``compliance scan``: each yields Documents with provenance.

A reader is chosen by content and extension.  Readers register through one
door, :data:`READERS`, a tuple list of ``(name, sniff, read)``: ``sniff(path,
head)`` says whether the reader takes a file, ``read(path, options)`` yields
:class:`~compliance.models.Document` or :class:`~compliance.errors.InputError`
items, so one bad record never stops the others.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ..errors import InputError
from ..models import Document
from .text import read_html_file, read_text_file, sniff_html, sniff_text

__all__ = ["ReadOptions", "READERS", "iter_documents", "Reader"]


@dataclass
class ReadOptions:
    """Limits every reader honours."""

    max_doc_bytes: int = 64 * 1024 * 1024


Reader = tuple[str, Callable[[Path, bytes], bool], Callable[[Path, ReadOptions], Iterator[Document | InputError]]]

READERS: list[Reader] = [
    ("html", sniff_html, read_html_file),
    ("text", sniff_text, read_text_file),
]


def _head(path: Path) -> bytes:
    import gzip

    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
        if head[:2] == b"\x1f\x8b":
            try:
                with gzip.open(path, "rb") as fh:
                    return fh.read(4096)
            except (OSError, EOFError):
                return head
        return head
    except OSError:
        return b""


def _read_one(path: Path, options: ReadOptions) -> Iterator[Document | InputError]:
    head = _head(path)
    for name, sniff, read in READERS:
        if sniff(path, head):
            yield from read(path, options)
            return
    yield InputError(f"{path}: skipped (not a format compliance reads: text, HTML)")


def _walk(path: Path, seen: set[Path]) -> Iterator[Path | InputError]:
    try:
        real = path.resolve()
    except (OSError, RuntimeError) as exc:
        yield InputError(f"{path}: cannot resolve ({exc})")
        return
    if real in seen:
        yield InputError(f"{path}: directory loop (already visited {real}); skipped")
        return
    seen.add(real)
    try:
        children = sorted(path.iterdir())
    except OSError as exc:
        yield InputError(f"{path}: cannot list ({exc.strerror})")
        return
    for child in children:
        if child.name.startswith("."):
            continue
        if child.is_dir():
            yield from _walk(child, seen)
        elif child.is_file():
            yield child


def iter_documents(paths: list[str], options: ReadOptions | None = None) -> Iterator[Document | InputError]:
    """Documents from files, folders (recursive) and ``-`` (stdin)."""
    options = options or ReadOptions()
    for raw in paths:
        if raw == "-":
            data = sys.stdin.buffer.read(options.max_doc_bytes + 1)
            if len(data) > options.max_doc_bytes:
                yield InputError(f"<stdin>: larger than {options.max_doc_bytes} bytes")
                continue
            from .text import document_from_bytes

            yield document_from_bytes(data, "<stdin>", "stdin")
            continue
        path = Path(raw)
        if path.is_dir():
            for item in _walk(path, set()):
                if isinstance(item, InputError):
                    yield item
                else:
                    yield from _read_one(item, options)
        elif not path.exists():
            yield InputError(f"{path}: no such file or directory")
        else:
            yield from _read_one(path, options)
