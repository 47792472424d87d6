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

A scan does not open the crawl's plain files where it walks the folders:
:func:`iter_inputs` hands each of them on as a :class:`FileRef`, and the scan
worker that matches it reads it (:func:`read_one`).  Reading, decoding and
hashing 10,000 small pages is the bulk of what the walking process would do
otherwise, and it runs in parallel there.  Files named as WARC, ARC, feeds or
JSON Lines exports are read where the walk runs, record by record.
"""

from __future__ import annotations

import gzip
import os
import shutil
import sys
import tempfile
import zlib
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

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
from .text import text_by_name_or_head
from .warc import _SUFFIXES as _warc_suffixes
from .warc import read_warc, sniff_warc, warc_head

__all__ = ["ReadOptions", "READERS", "Reader", "RecordError", "FileRef", "iter_documents", "iter_inputs", "read_path",
           "read_one", "reader_for", "finish_document", "is_pending", "may_extract", "located"]

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


class FileRef(NamedTuple):
    """A file the folder walk found and did not open: whoever scans it reads it (:func:`read_one`), so a scan's
    worker processes read, decode and hash the crawl's pages, not the one process that walks and stores.
    *size* (from the listing) bounds the batches it joins; *options* are the limits it is read with."""

    path: str
    size: int
    options: ReadOptions


def may_extract(item: Document | FileRef) -> bool:
    """Whether scanning *item* may extract HTML: a pending page, or an unread file named as HTML (the scan
    imports the extractor once, before it forks its workers, when the first batch holds one)."""
    if isinstance(item, FileRef):
        return item.path.lower().endswith(_html_suffixes)
    return is_pending(item)


def _head(path: Path | str) -> tuple[bytes, bytes | None]:
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


def _reader_of(path: Path | str, head: bytes) -> Reader | None:
    """The first reader whose sniffer takes the file.

    A plain page (the common case) is decided at once, by its name and head
    alone (no Path is built for it): when the head's first byte past a BOM and
    white space is neither ``<`` nor ``{`` and the name has no WARC, feed,
    JSON Lines or HTML suffix, only the WARC sniffer (WARC/ARC head lines) and
    the text fallback can take it, whatever order the others would be asked in.
    """
    lead = head.lstrip(b"\xef\xbb\xbf \t\r\n\f\v")[:1]
    name = os.path.basename(path).lower()
    if lead and lead not in b"<{" and not name.endswith(_MARKUP_SUFFIXES):
        if warc_head(head):  # what sniff_warc says of a name without a WARC suffix
            return READERS[0]
        return READERS[-1] if text_by_name_or_head(name, head) else None  # what sniff_text says
    path = Path(path)
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
    if reader is None or reader[0] in _ONE_DOCUMENT:
        yield _one(path, options, reader, whole)
    else:
        yield from _records(path, options, reader)


#: readers that make one document of a file (or say why it is none)
_ONE_DOCUMENT = ("text", "html")


def read_one(ref: FileRef) -> Document | InputError | None:
    """The document of a file found unread by :func:`iter_inputs`, or the error that names it and its problem;
    None when its content is a WARC, feed or JSON Lines export after all (a WARC saved as ``.txt``): a file of
    many documents, which the caller streams through :func:`read_path`."""
    head, whole = _head(ref.path)
    reader = _reader_of(ref.path, head)
    if reader is not None and reader[0] not in _ONE_DOCUMENT:
        return None
    return _one(ref.path, ref.options, reader, whole)


def _one(path: Path | str, options: ReadOptions, reader: Reader | None, whole: bytes | None) -> Document | InputError:
    """The document of a text or HTML file (*whole* is its content when :func:`_head` read it all), or the error
    that says why there is none."""
    name = options.display_name or str(path)
    if reader is None:
        return RecordError(f"{name}: skipped (not a format compliance reads: WARC, ARC, RSS, Atom, JSON Lines, "
                           "HTML, text)", path=name)
    if whole is not None and len(whole) <= options.max_doc_bytes:
        if reader[0] == "text":
            return document_from_bytes(whole, name, "stdin" if options.display_name == "<stdin>" else "text")
        return html_document(whole, name, options)
    (item,) = _records(Path(path), options, reader)  # a large file: its reader reads it, bounded
    return item


def _records(path: Path, options: ReadOptions, reader: Reader) -> Iterator[Document | InputError]:
    """What *reader* makes of the file, a reader's failure as an error item: it costs the rest of this file,
    never the scan."""
    name = options.display_name or str(path)
    try:
        yield from reader[2](path, options)
    except RecursionError:
        yield RecordError(f"{name}: nested too deeply to read; the rest of the file is skipped", path=name)
    except Exception as exc:  # a reader's failure costs the rest of this file, never the scan
        yield RecordError(f"{name}: cannot read ({exc.__class__.__name__}: {' '.join(str(exc).split())[:200]}); "
                          "the rest of the file is skipped", path=name)


_jsonl.read_path = read_path


def _walk(path: Path, seen: set[Path], exclude: set[Path]) -> Iterator[Path | InputError]:
    """Files under a folder, sorted, recursive, as Paths (how the Spark engine names its inputs)."""
    for item in _entries(path, seen, exclude):
        yield item if isinstance(item, InputError) else Path(item[0])


def _entries(path: Path, seen: set[Path], exclude: set[Path]) -> Iterator[tuple[str, os.DirEntry[str]] | InputError]:
    """Files under a folder, sorted, recursive, as (path, listing entry); symlink loops reported once.

    A JSONL crawl export in a folder names its pages by ``path``: those
    pages are read through the export (with their URLs), not a second time
    on their own.  A file's path is spelled as ``path / name`` spells it,
    without building a Path per file (10,000 of them cost a tenth of a second).
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
    prefix = str(path / "_")[:-1]  # "crawl/" for crawl, "" for ".": as pathlib joins
    for e, is_dir, is_file in kinds:
        if is_dir:
            yield from _entries(path / e.name, seen, exclude)
        elif is_file:
            child = prefix + e.name
            try:
                if exclude and Path(child).resolve() in exclude:  # resolving costs a syscall per path part
                    continue
            except OSError:
                pass
            yield child, e


#: files named as holding many documents: read where the walk runs, streamed record by record
_MANY_SUFFIXES = tuple({*_warc_suffixes, *_feed_suffixes, *_jsonl_suffixes})


def _unread(path: str, options: ReadOptions, entry: os.DirEntry[str] | None = None) -> FileRef | None:
    """A file of the inputs handed on unread, or None when its name says it holds many documents (read where
    the walk runs, record by record)."""
    if path.lower().endswith(_MANY_SUFFIXES):
        return None
    try:
        size = entry.stat().st_size if entry is not None else os.stat(path).st_size
    except OSError:
        size = 0  # gone or unreadable: its reader says so, naming it
    return FileRef(path, size, options)


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


def iter_inputs(paths: list[str], options: ReadOptions | None = None) -> Iterator[Document | InputError | FileRef]:
    """Documents from files, folders (recursive) and ``-`` (stdin), each file that holds one document (any
    not named as a WARC, ARC, feed or JSON Lines export) as a :class:`FileRef` for its scanner to read."""
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
        if not is_dir and not exists:
            yield RecordError(f"{path}: no such file or directory", path=str(path))
            continue
        for item in _entries(path, set(), set()) if is_dir else [(str(path), None)]:
            if isinstance(item, InputError):
                yield item
            elif (ref := _unread(item[0], options, item[1])) is not None:
                yield ref
            else:
                yield from read_path(Path(item[0]), options)


def iter_documents(paths: list[str], options: ReadOptions | None = None) -> Iterator[Document | InputError]:
    """Documents from files, folders (recursive) and ``-`` (stdin), every file read here."""
    for item in iter_inputs(paths, options):
        if isinstance(item, FileRef):
            yield from read_path(Path(item.path), item.options)
        else:
            yield item
