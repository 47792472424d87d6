"""Readers behind ``compliance scan``: each yields Documents with provenance.

A reader is chosen by content and extension.  Readers register through one
door, :data:`READERS`, a tuple list of ``(name, sniff, read)``: ``sniff(path,
head)`` says whether the reader takes a file (``head`` is its first 4 KiB,
gunzipped when the file is gzip), ``read(path, options)`` yields
:class:`~compliance.models.Document` or :class:`~compliance.errors.InputError`
items, so one bad record never stops the others.  The first reader whose
sniff says yes reads the file.

Every reader streams: a WARC of any size is read record by record, a JSONL
export line by line, and each payload is bounded by ``max_doc_bytes``.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Callable, Iterator

from ..errors import InputError
from ..models import Document
from . import jsonl as _jsonl
from ._common import ReadOptions, RecordError, finish_document, is_pending, located, printable
from .feeds import _SUFFIXES as _feed_suffixes
from .feeds import read_feed, sniff_feed
from .jsonl import _SUFFIXES as _jsonl_suffixes
from .jsonl import manifest_paths, read_jsonl, sniff_jsonl
from .text import document_from_bytes, html_document, read_html_file, read_text_file, sniff_html, sniff_text
from .text import _HTML_SUFFIXES as _html_suffixes
from .warc import _SUFFIXES as _warc_suffixes
from .warc import read_warc, sniff_warc

__all__ = ["ReadOptions", "READERS", "Reader", "RecordError", "iter_documents", "read_path", "reader_for",
           "finish_document", "is_pending", "located"]

Reader = tuple[str, Callable[[Path, bytes], bool], Callable[[Path, ReadOptions], Iterator[Document | InputError]]]

READERS: list[Reader] = [
    ("warc", sniff_warc, read_warc),
    ("feed", sniff_feed, read_feed),
    ("jsonl", sniff_jsonl, read_jsonl),
    ("html", sniff_html, read_html_file),
    ("text", sniff_text, read_text_file),
]


#: a plain file this small is read whole in the same open as its sniffing head (most crawled pages are)
_SMALL = 1 << 20


def _head(path: Path) -> tuple[bytes, bytes | None]:
    """The first 4 KiB to sniff (gunzipped for gzip), and the whole content when the file is small and plain."""
    try:
        with open(path, "rb", buffering=0) as fh:
            size = os.fstat(fh.fileno()).st_size
            data = fh.read(_SMALL + 1) if size > _SMALL or size == 0 else fh.readall()  # readall: one exact read
            if data[:2] == b"\x1f\x8b":
                fh.seek(0)
                try:
                    with gzip.GzipFile(fileobj=fh, mode="rb") as gz:
                        return gz.read(4096), None
                except (OSError, EOFError, zlib.error):
                    return data[:4096], None
            return data[:4096], (data if len(data) <= _SMALL else None)
    except OSError:
        return b"", None


def reader_for(path: Path) -> Reader | None:
    """The reader that takes this file, by content and extension."""
    return _reader_of(path, _head(path)[0])


_MARKUP_SUFFIXES = tuple({*_warc_suffixes, *_feed_suffixes, *_jsonl_suffixes, *_html_suffixes})


def _reader_of(path: Path, head: bytes) -> Reader | None:
    """The first reader whose sniffer takes the file.

    A plain page (the common case) is decided at once: when the head's first
    byte past a BOM and white space is neither ``<`` nor ``{`` and the name has
    no WARC, feed, JSON Lines or HTML suffix, only the WARC sniffer (WARC/ARC
    head lines) and the text fallback can take it, whatever order the others
    would be asked in.
    """
    lead = head.lstrip(b"\xef\xbb\xbf \t\r\n\f\v")[:1]
    if lead and lead not in b"<{" and not path.name.lower().endswith(_MARKUP_SUFFIXES):
        if sniff_warc(path, head):
            return READERS[0]
        return READERS[-1] if sniff_text(path, head) else None
    for reader in READERS:
        if reader[1](path, head):
            return reader
    return None


def read_path(path: Path, options: ReadOptions) -> Iterator[Document | InputError]:
    """Documents of one file, through the reader its content calls for.

    A small plain text or HTML file is read once: its sniffing head and its
    content come from one read (the common crawled page).
    """
    head, whole = _head(path)
    reader = _reader_of(path, head)
    if reader is None:
        name = options.display_name or str(path)
        yield RecordError(f"{name}: skipped (not a format compliance reads: WARC, ARC, RSS, Atom, JSON Lines, "
                          "HTML, text)", path=name)
        return
    if whole is not None and len(whole) <= options.max_doc_bytes and reader[0] in ("text", "html"):
        name = options.display_name or str(path)
        if reader[0] == "text":
            yield document_from_bytes(whole, name, "stdin" if options.display_name == "<stdin>" else "text")
        else:
            yield html_document(whole, name, options)
        return
    try:
        yield from reader[2](path, options)
    except RecursionError:
        name = options.display_name or str(path)
        yield RecordError(f"{name}: nested too deeply to read; the rest of the file is skipped", path=name)
    except Exception as exc:  # a reader's failure costs the rest of this file, never the scan
        name = options.display_name or str(path)
        yield RecordError(f"{name}: cannot read ({exc.__class__.__name__}: {' '.join(str(exc).split())[:200]}); "
                          "the rest of the file is skipped", path=name)


_jsonl.read_path = read_path


def _walk(path: Path, seen: set[Path], exclude: set[Path]) -> Iterator[Path | InputError]:
    """Files under a folder, sorted, recursive; symlink loops reported once.

    A JSONL crawl export in a folder names its pages by ``path``: those
    pages are read through the export (with their URLs), not a second time
    on their own.
    """
    try:
        real = path.resolve()
    except (OSError, RuntimeError) as exc:
        yield RecordError(f"{path}: cannot resolve ({exc})", path=str(path))
        return
    if real in seen:
        yield RecordError(f"{path}: directory loop (already visited {real}); skipped", path=str(path))
        return
    seen.add(real)
    try:
        with os.scandir(path) as it:  # the entries' types come with the listing: no stat per file
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield RecordError(f"{path}: cannot list ({exc.strerror})", path=str(path))
        return
    kinds = []
    for e in entries:
        if e.name.startswith("."):
            continue
        try:
            kinds.append((e, e.is_dir(), not e.is_dir() and e.is_file()))
        except OSError:
            continue
    for e, _, is_file in kinds:
        if is_file and e.name.lower().endswith((".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")):
            exclude |= manifest_paths(path / e.name)
    for e, is_dir, is_file in kinds:
        child = path / e.name
        if is_dir:
            yield from _walk(child, seen, exclude)
        elif is_file:
            try:
                if exclude and child.resolve() in exclude:  # resolving costs a syscall per path part
                    continue
            except OSError:
                pass
            yield child


def _stdin(options: ReadOptions) -> Iterator[Document | InputError]:
    """Standard input, spooled to a temporary file so every reader (WARC too) can stream it."""
    with tempfile.NamedTemporaryFile(prefix="compliance-stdin-", suffix=".bin") as tmp:
        shutil.copyfileobj(sys.stdin.buffer, tmp, 1 << 20)
        tmp.flush()
        path = Path(tmp.name)
        if path.stat().st_size == 0:
            yield RecordError("<stdin>: empty input", path="<stdin>")
            return
        sub = ReadOptions(max_doc_bytes=options.max_doc_bytes, defer_extraction=options.defer_extraction,
                          display_name="<stdin>")
        yield from read_path(path, sub)


def iter_documents(paths: list[str], options: ReadOptions | None = None) -> Iterator[Document | InputError]:
    """Documents from files, folders (recursive) and ``-`` (stdin)."""
    options = options or ReadOptions()
    for raw in paths:
        if raw == "-":
            yield from _stdin(options)
            continue
        path = Path(raw)
        try:
            is_dir, exists = path.is_dir(), path.exists()
        except OSError as exc:  # a name too long, a loop of symlinks as the argument itself
            yield RecordError(f"{printable(raw[:300])}: cannot read ({exc.strerror or exc})", path=raw[:300])
            continue
        if is_dir:
            for item in _walk(path, set(), set()):
                if isinstance(item, InputError):
                    yield item
                else:
                    yield from read_path(item, options)
        elif not exists:
            yield RecordError(f"{path}: no such file or directory", path=str(path))
        else:
            yield from read_path(path, options)
