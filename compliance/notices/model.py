"""The :class:`Notice` record each stage fills in."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Notice:
    """One notice found in a text, with its span in that text.

    ``start``/``end`` index the input as given: the text for plain text, the
    raw HTML string for HTML (so that a report can point into the page).
    ``kind`` is "notice", or "credit" for a picture credit ("Image copyright
    EPA"), which is never a page's own notice.
    """

    text: str
    holder: str | None
    years: list[int] = field(default_factory=list)
    all_rights_reserved: bool = False
    restriction: str | None = None
    contact_email: str | None = None
    license: str | None = None
    start: int = 0
    end: int = 0
    source: str = "text"  # text, meta, json-ld, rel-license, manifest
    kind: str = "notice"  # notice, credit

    def to_dict(self) -> dict[str, Any]:
        """The notice as JSON-ready fields (``compliance notices --format json``)."""
        return asdict(self)
