"""Reading files safely: clear errors that name the file and the problem."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from .errors import InputError

__all__ = ["read_bytes", "decode_text", "read_text", "looks_binary", "MAX_BYTES_DEFAULT"]

MAX_BYTES_DEFAULT = 64 * 1024 * 1024


def read_bytes(path: Path, max_bytes: int = MAX_BYTES_DEFAULT) -> bytes:
    """The file's bytes (gunzipped for ``.gz``), bounded by *max_bytes*."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                data = fh.read(max_bytes + 1)
        else:
            with open(path, "rb") as fh:
                data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except (gzip.BadGzipFile, EOFError, OSError, io.UnsupportedOperation) as exc:
        raise InputError(f"{path}: cannot read ({exc.__class__.__name__}: {exc})") from None
    if len(data) > max_bytes:
        raise InputError(f"{path}: larger than {max_bytes} bytes (raise --max-doc-bytes to read it)")
    return data


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control characters in the first 8 KiB: not a text file."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    ctrl = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
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
    if not data.strip():
        raise InputError(f"{path}: empty file")
    if looks_binary(data):
        raise InputError(f"{path}: binary file, not text")
    return decode_text(data, str(path))
