"""Atomic file writes: a reader never sees half a report."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic", "safe_name"]


def write_atomic(path: Path, data: str | bytes) -> Path:
    """Write to a temporary file in the same folder, fsync, then rename over *path*."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def safe_name(raw: str, limit: int = 80) -> str:
    """A file name from a URL, host or id that cannot leave its folder."""
    import hashlib
    import re

    s = re.sub(r"[^A-Za-z0-9._-]+", "-", raw).strip("-.")
    s = s[:limit] or "item"
    if s != raw:
        s = f"{s}-{hashlib.sha256(raw.encode()).hexdigest()[:8]}"
    return s
