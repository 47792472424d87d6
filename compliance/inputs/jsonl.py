"""JSON Lines crawl exports: one page per line.

A row has ``url``, ``fetched_at``, optionally ``title``, and the page as
``text`` (plain text, offsets index it as given), ``html`` (extracted like
an HTML file) or ``path`` (a file relative to the JSONL file's folder, read
with the reader its content calls for; the row's url, fetched_at and title
describe it).  A ``path`` may not leave that folder: a crawl export is
untrusted, and ``../../etc/passwd`` is not a page.
"""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path
from typing import Any, Callable, Iterator

from ..errors import InputError
from ..models import Document
from ._common import ReadOptions, RecordError, located
from .text import document_from_bytes, html_document

__all__ = ["sniff_jsonl", "read_jsonl", "manifest_paths"]

_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
_KEYS = {"url", "text", "html", "path", "fetched_at"}

#: set by the package: reads one referenced file with the reader its content calls for
read_path: Callable[[Path, ReadOptions], Iterator[Document | InputError]] | None = None


def sniff_jsonl(path: Path, head: bytes) -> bool:
    """``.jsonl``/``.ndjson``, or a first line that is a JSON object with page keys."""
    if path.name.lower().endswith(_SUFFIXES):
        return True
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped.startswith(b"{"):
        return False
    first = stripped.split(b"\n", 1)[0]
    try:
        row = json.loads(first)
    except ValueError:
        return False
    return isinstance(row, dict) and bool(_KEYS & set(row))


def _open(path: Path):  # noqa: ANN202 - binary file object
    fh = open(path, "rb")
    if fh.read(2) == b"\x1f\x8b":
        fh.seek(0)
        return gzip.GzipFile(fileobj=fh, mode="rb")
    fh.seek(0)
    return fh


#: what a damaged gzip stream raises while it is read (zlib.error for corrupt deflate data)
_DAMAGED = (OSError, EOFError, zlib.error)


def _damaged(name: str, exc: BaseException, lineno: int, offset: int) -> RecordError:
    return located(name, f"damaged gzip stream after line {lineno} ({exc.__class__.__name__}: "
                         f"{' '.join(str(exc).split())[:160]}); the rest of the file is skipped", offset,
                   "decompressed byte offset")


def _rows(path: Path, name: str, options: ReadOptions) -> Iterator[tuple[int, int, dict[str, Any] | RecordError]]:
    """(line number, byte offset, row or error) for each non-blank line, bounded per line."""
    limit = options.max_doc_bytes * 2 + 4096  # JSON escaping can double a page
    offset = 0
    try:
        fh = _open(path)
    except OSError as exc:
        yield 0, 0, RecordError(f"{name}: cannot read ({exc.strerror or exc})", path=name)
        return
    with fh:
        lineno = 0
        while True:
            try:
                line = fh.readline(limit + 1)
            except _DAMAGED as exc:  # a corrupt or truncated gzip export: the rows before it stand
                yield lineno + 1, offset, _damaged(name, exc, lineno, offset)
                return
            if not line:
                return
            lineno += 1
            start = offset
            offset += len(line)
            if len(line) > limit and not line.endswith(b"\n"):
                try:
                    while line and not line.endswith(b"\n"):  # skip the rest of this line, chunk by chunk
                        line = fh.readline(1 << 20)
                        offset += len(line)
                except _DAMAGED as exc:
                    yield lineno, start, _damaged(name, exc, lineno, offset)
                    return
                yield lineno, start, located(name, f"oversize row: more than {limit} bytes "
                                                   "(raise --max-doc-bytes to read it)", lineno, "line")
                continue
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except (ValueError, UnicodeDecodeError) as exc:
                yield lineno, start, located(name, f"not JSON ({exc.__class__.__name__}: {exc})".split("\n")[0][:200],
                                             lineno, "line")
                continue
            if not isinstance(row, dict):
                yield lineno, start, located(name, "not a JSON object", lineno, "line")
                continue
            yield lineno, start, row


def _inside(base: Path, rel: str) -> Path | None:
    if not rel or rel.startswith(("/", "\\")) or "\x00" in rel:
        return None
    try:
        target = (base / rel).resolve()
        target.relative_to(base.resolve())
    except (ValueError, OSError):  # outside the folder, or a name the file system refuses (too long)
        return None
    return target


def manifest_paths(path: Path, options: ReadOptions | None = None) -> set[Path]:
    """The files a JSONL crawl export names by ``path`` (resolved), to avoid reading them twice."""
    out: set[Path] = set()
    for _, _, row in _rows(path, str(path), options or ReadOptions()):
        if isinstance(row, dict) and isinstance(row.get("path"), str):
            target = _inside(path.parent, row["path"])
            if target is not None:
                out.add(target)
    return out


def _str(row: dict[str, Any], key: str) -> str | None:
    v = row.get(key)
    return v if isinstance(v, str) and v.strip() else None


def read_jsonl(path: Path, options: ReadOptions) -> Iterator[Document | InputError]:
    """Documents of a JSON Lines crawl export; located errors for bad rows."""
    name = options.display_name or str(path)
    for lineno, offset, row in _rows(path, name, options):
        if isinstance(row, RecordError):
            yield row
            continue
        url, fetched, title = _str(row, "url"), _str(row, "fetched_at"), _str(row, "title")
        if isinstance(row.get("text"), str):
            data = row["text"].encode("utf-8", "surrogatepass")
            item = document_from_bytes(data, name, "jsonl")
            if isinstance(item, Document):
                item.text = row["text"]  # exactly as given: offsets index it
        elif isinstance(row.get("html"), str):
            item = html_document(row["html"].encode("utf-8", "surrogatepass"), name, options,
                                 source_format="jsonl")
        elif isinstance(row.get("path"), str):
            target = _inside(path.parent, row["path"])
            if target is None:
                yield located(name, f"path {row['path']!r} leaves the folder of the JSONL file; skipped", lineno,
                              "line")
                continue
            try:
                is_file = target.is_file()
            except OSError as exc:  # ENAMETOOLONG and the like: a bad row, not a crash
                yield located(name, f"path {row['path'][:200]!r}: {exc.strerror or exc}", lineno, "line")
                continue
            if not is_file:
                yield located(name, f"path {row['path'][:200]!r}: no such file", lineno, "line")
                continue
            assert read_path is not None
            sub = ReadOptions(max_doc_bytes=options.max_doc_bytes, defer_extraction=options.defer_extraction)
            shown = str(path.parent / row["path"]) if options.display_name is None else row["path"]
            sub.display_name = shown
            for doc in read_path(target, sub):
                if isinstance(doc, Document) and doc.source_format in ("text", "html"):
                    doc.url = url or doc.url
                    doc.fetched_at = fetched or doc.fetched_at
                    doc.title = title or doc.title
                yield doc
            continue
        else:
            yield located(name, "row has none of text, html or path", lineno, "line")
            continue
        if isinstance(item, InputError):
            yield located(name, str(item).split(": ", 1)[-1], lineno, "line")
            continue
        item.url, item.fetched_at = url, fetched
        item.title = title or item.title
        item.offset = offset
        yield item
