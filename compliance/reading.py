"""Reading files and payloads safely: bounded, decoded, with errors that name the file.

Crawled bytes are hostile: a gzip bomb, a 2 GB "page" or a page that lies
about its charset must cost bounded memory and end in a one-line error, never
a crash.  Everything here reads in chunks and stops past the limit.
"""

from __future__ import annotations

import codecs
import gzip
import io
import re
import zlib
from pathlib import Path
from typing import BinaryIO

from .errors import InputError

__all__ = ["read_bytes", "read_limited", "decode_text", "decode_html", "charset_from_content_type", "read_text",
           "looks_binary", "is_blank", "OversizeError", "MAX_BYTES_DEFAULT", "CHUNK"]

MAX_BYTES_DEFAULT = 16 * 1024 * 1024
CHUNK = 256 * 1024


class OversizeError(InputError):
    """A payload or file is larger than ``--max-doc-bytes`` (after decompression)."""


def read_limited(stream: BinaryIO, max_bytes: int) -> bytes:
    """Read a stream in chunks; raise :class:`OversizeError` past *max_bytes*.

    Used for every payload, so that decompression bombs and huge records cost
    at most ``max_bytes + CHUNK`` bytes of memory.
    """
    parts: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(CHUNK, max_bytes + 1 - total))
        if not chunk:
            break
        parts.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise OversizeError(f"oversize payload: more than {max_bytes} bytes (raise --max-doc-bytes to read it)")
    return b"".join(parts)


def read_bytes(path: Path, max_bytes: int = MAX_BYTES_DEFAULT) -> bytes:
    """The file's bytes (gunzipped when it is gzip), bounded by *max_bytes*."""
    try:
        with open(path, "rb") as raw:
            magic = raw.read(2)
            raw.seek(0)
            if magic == b"\x1f\x8b":
                with gzip.GzipFile(fileobj=raw, mode="rb") as fh:
                    data = read_limited(fh, max_bytes)
            else:
                data = read_limited(raw, max_bytes)
    except OversizeError as exc:
        raise OversizeError(f"{path}: {exc}") from None
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except (gzip.BadGzipFile, EOFError, zlib.error, OSError, io.UnsupportedOperation) as exc:
        raise InputError(f"{path}: cannot read ({exc.__class__.__name__}: {exc})") from None
    return data


def is_blank(data: bytes) -> bool:
    """Empty or white space only: ``not data.strip()`` without copying the bytes (a scan asks for every page)."""
    return not data or data.isspace()


_NOT_CONTROL = bytes(b for b in range(256) if b >= 32 or b in (9, 10, 12, 13, 27))


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 8 KiB: not a text file."""
    head = data[:8192]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in head:
        return True
    ctrl = len(head.translate(None, _NOT_CONTROL))  # control bytes other than tab, newlines, ESC
    return len(head) > 0 and ctrl / len(head) > 0.05


def decode_text(data: bytes, name: str) -> str:
    """Strict UTF-8 (BOM allowed), with an error naming the byte offset."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: invalid UTF-8 at byte {exc.start} ({exc.reason})") from None


def read_text(path: Path, max_bytes: int = MAX_BYTES_DEFAULT) -> str:
    """A text file's content, refusing empty, binary and non-UTF-8 files."""
    data = read_bytes(path, max_bytes)
    if is_blank(data):
        raise InputError(f"{path}: empty file")
    if looks_binary(data):
        raise InputError(f"{path}: binary file, not text")
    return decode_text(data, str(path))


_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:\-]{1,40})", re.IGNORECASE)
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:\-]{1,40})", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]{0,200}?encoding\s*=\s*[\"']([A-Za-z0-9._:\-]{1,40})", re.IGNORECASE)


def charset_from_content_type(value: str | None) -> str | None:
    """The ``charset=`` of a Content-Type header, if any."""
    if not value:
        return None
    m = _CT_CHARSET.search(value)
    return m.group(1) if m else None


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name.strip().lower()).name
    except LookupError:
        return None
    # WHATWG: pages labelled latin-1/ascii are decoded as windows-1252.
    return "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec


def decode_html(data: bytes, declared: str | None = None) -> str:
    """Decode a web payload the way a browser would, as far as it is cheap to.

    Order: byte-order mark, the HTTP charset, the page's own ``<meta charset>``
    or XML declaration, strict UTF-8, then charset detection.  Raises
    :class:`InputError` (without a file name: the caller adds the location)
    when the bytes are not text in any encoding.
    """
    for bom, enc in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                     (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom):].decode(enc, errors="replace")
    head = data[:4096]
    meta = _META_CHARSET.search(head) or _XML_ENCODING.search(head)
    candidates = [_codec(declared), _codec(meta.group(1).decode("ascii", "replace") if meta else None), "utf-8"]
    tried: set[str] = set()
    for enc in candidates:
        if not enc or enc in tried or enc.startswith("utf-16"):
            continue
        tried.add(enc)
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    if looks_binary(data):
        raise InputError("binary payload, not text")
    from charset_normalizer import from_bytes

    best = from_bytes(data[:65536]).best()
    if best is not None and best.encoding:
        return data.decode(best.encoding, errors="replace")
    first = next(iter(tried), "utf-8")
    text = data.decode(first, errors="replace")
    if text.count("\ufffd") > max(16, len(text) // 20):
        raise InputError(f"bad encoding: not valid {first} and no other encoding fits")
    return text
