"""Where a Spark scan reads and writes: the input files it expands, URIs, and the names of its output.

The driver turns the command line's paths (files, folders, list files of
paths and URIs) into one ordered list of :class:`InputFile`; tasks and the
import share the URI helpers and the output's file names.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ...errors import InputError

INSTALL_HINT = "pip install 'compliance[spark]'"
SUMMARY_NAME = "_summary.json"
#: URI schemes read in the task itself: local files, and web servers (Common Crawl serves its WARCs over HTTPS)
_DIRECT = ("file", "http", "https")
_WARC_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz", ".warc.gzip")


@dataclass(frozen=True)
class InputFile:
    """One input file: the name documents carry (as the local engine names it) and where a task opens it."""

    index: int
    name: str
    uri: str


def _scheme(text: str) -> str | None:
    head, sep, _ = text.partition("://")
    if sep and head.isascii() and head.replace("+", "").replace("-", "").replace(".", "").isalnum() and len(head) > 1:
        return head.lower()
    return None


def _local(uri: str) -> str:
    """A ``file://`` URI as a local path; anything else unchanged."""
    if _scheme(uri) == "file":
        from urllib.parse import unquote, urlsplit

        return unquote(urlsplit(uri).path)
    return uri


def _is_list_file(path: Path) -> bool:
    """A text file whose lines (blank lines and ``#`` comments aside) all name WARC/ARC files or URIs.

    Strict on purpose: a plain-text page is scanned as a document, as the local engine does, not read as a list.
    """
    if path.name.lower().endswith(_WARC_SUFFIXES):
        return False
    try:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as fh:
            lines = [line.strip() for _, line in zip(range(1000), fh)]
    except (OSError, UnicodeDecodeError, EOFError):
        return False
    entries = [line for line in lines if line and not line.startswith("#")]
    if not entries:
        return False
    for line in entries:
        if " " in line or "\t" in line:
            return False
        if not (_scheme(line) or line.lower().endswith(_WARC_SUFFIXES)):
            return False
    return True


def _list_entries(path: Path) -> Iterator[str]:
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#"):
                yield line


def expand_inputs(paths: Iterable[str]) -> tuple[list[InputFile], list[InputError]]:
    """The files a Spark scan reads, in order, and the inputs that could not be expanded.

    Local files and folders are named as the local engine names them (so the
    findings carry the same document paths); a list file contributes its
    entries (relative paths resolve against the list's folder); a URI
    (``file://``, ``https://``, ``hdfs://``, ``s3a://``...) is passed on as is.
    """
    from ...inputs import RecordError, _walk

    files: list[InputFile] = []
    errors: list[InputError] = []

    def add(name: str, uri: str) -> None:
        files.append(InputFile(len(files), name, uri))

    def local(raw: str, from_list: bool) -> None:
        path = Path(_local(raw))
        if path.is_dir():
            for item in _walk(path, set(), set()):
                if isinstance(item, InputError):
                    errors.append(item)
                else:
                    add(str(item), str(item.resolve()))
        elif not path.exists():
            errors.append(RecordError(f"{raw}: no such file or directory", path=raw))
        elif not from_list and _is_list_file(path):
            for entry in _list_entries(path):
                scheme = _scheme(entry)
                if scheme and scheme != "file":
                    add(entry, entry)
                else:
                    target = Path(_local(entry))
                    if not target.is_absolute():
                        target = path.parent / target
                    local(str(target), True)
        else:
            add(str(path), str(path.resolve()))

    for raw in paths:
        if raw == "-":
            errors.append(RecordError("-: standard input cannot be scanned by --engine spark (pass files or URIs)",
                                      path="-"))
            continue
        scheme = _scheme(raw)
        if scheme and scheme != "file":
            add(raw, raw)
        else:
            local(raw, False)
    return files, errors
