"""The records that flow between stages: documents in, findings out.

These are plain dataclasses with ``to_dict`` methods; the JSON shape of a
finding is the documented output format (README, "Finding format").
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Document", "PassageMatch", "Finding", "finding_id", "sha256_text"]


def sha256_text(text: str) -> str:
    """SHA-256 of a text's UTF-8 bytes (how the registry fingerprints records)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass
class Document:
    """One crawled document to scan: its text and where it came from.

    ``text`` is what offsets index: the file's decoded content for ``.txt``
    inputs, the extracted main text for HTML, WARC and feed inputs.
    """

    text: str
    path: str
    url: str | None = None
    title: str | None = None
    fetched_at: str | None = None  # capture time, ISO 8601
    warc_record_id: str | None = None
    warc_date: str | None = None
    payload_digest: str | None = None
    raw_sha256: str | None = None  # of the raw capture (HTML bytes, record payload)
    source_format: str = "text"  # text, html, warc, feed, jsonl, stdin
    offset: int | None = None  # byte offset of the record in its container file
    extra_text: str = ""  # footer notices / attribution lines extractors drop
    meta: dict[str, Any] = field(default_factory=dict)
    #: rights headers of the HTTP response (TDM-Reservation, TDM-Policy, X-Robots-Tag, Link), lower-case names;
    #: None when the document came with no HTTP response (a file, a feed item)
    http_headers: dict[str, str] | None = None

    #: (text, its SHA-256): computed once per text; a reader that extracts the text later starts again
    _sha: tuple[str, str] | None = field(default=None, repr=False, compare=False)

    @property
    def sha256(self) -> str:
        """SHA-256 of the text (the content key of skip-if-scanned and of finding ids), computed once."""
        if self._sha is None or self._sha[0] is not self.text:
            self._sha = (self.text, sha256_text(self.text))
        return self._sha[1]

    def known_sha256(self, digest: str) -> None:
        """Record the text's SHA-256 when the reader already has it (the file's bytes are the UTF-8 text)."""
        self._sha = (self.text, digest)

    def drop_text(self) -> None:
        """Forget the text, keeping its SHA-256 and its size (``meta["bytes"]``): what a scan worker sends back of
        a page without findings, of which the registry keeps only its hashes (no need to copy the page)."""
        sha = self.sha256
        self.meta.setdefault("bytes", len(self.text.encode("utf-8", "surrogatepass")))
        self.text = ""
        self._sha = (self.text, sha)

    @property
    def host(self) -> str | None:
        from urllib.parse import urlsplit

        if not self.url:
            return None
        try:
            host = urlsplit(self.url).hostname
        except ValueError:
            return None
        return host.lower() if host else None


@dataclass
class PassageMatch:
    """A copied passage with character spans on both sides (end-exclusive)."""

    doc_start: int
    doc_end: int
    work_start: int
    work_end: int
    words: int
    similarity: float
    method: str

    def to_dict(self) -> dict[str, Any]:
        """The passage as the finding format writes it (the fields in order; no deep copy)."""
        return {"doc_start": self.doc_start, "doc_end": self.doc_end, "work_start": self.work_start,
                "work_end": self.work_end, "words": self.words, "similarity": self.similarity, "method": self.method}


@dataclass
class Finding:
    """All passages of one registered work found in one document, with a verdict."""

    id: str
    document: dict[str, Any]  # path, url, sha256 (+ capture metadata)
    work: dict[str, Any]  # id, title, publisher, url
    passages: list[PassageMatch]
    copied_words: int
    work_coverage: float
    verdict: str = "violation"
    reasons: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    contact: dict[str, Any] = field(default_factory=dict)  # holder, email
    attribution: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "document": self.document,
            "work": self.work,
            "passages": [p.to_dict() for p in self.passages],
            "copied_words": self.copied_words,
            "work_coverage": self.work_coverage,
            "verdict": self.verdict,
            "reasons": self.reasons,
            "rules": self.rules,
            "contact": self.contact,
            "attribution": self.attribution,
        }


def finding_id(document_sha256: str, work_id: str) -> str:
    """Stable id of the (document, work) pair: re-scans never duplicate it."""
    return hashlib.sha256(f"{document_sha256}\0{work_id}".encode()).hexdigest()[:16]
