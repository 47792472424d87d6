"""Main-text extraction from HTML, plus the footer lines extractors drop.

trafilatura finds the article body; it drops page footers, which is where
copyright notices and "originally published by" credits live.  So the raw
HTML is also read for visible footer text and copyright metadata, kept apart
from the body as ``extra_text``: offsets always index the extracted body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Extracted", "extract_html", "html_to_text"]

_TAGS = re.compile(r"<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]{0,2000}>")
_FOOTERISH = re.compile(r"©|&copy;|\(c\)\s*\d{4}|copyright|all rights reserved|originally (?:published|appeared)|"
                        r"republished|courtesy of|reprinted|source:|creative commons|licen[cs]e",
                        re.IGNORECASE)


@dataclass
class Extracted:
    """What a page yields: body text (offsets index it), title, footer lines."""

    text: str
    title: str | None = None
    extra_text: str = ""
    meta: dict[str, str] = field(default_factory=dict)


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment, one block per line (no extractor)."""
    import html as htmllib

    s = _TAGS.sub(" ", html)
    s = re.sub(r"<(br|/p|/div|/li|/h\d|/tr|/footer|/section|/article|p|div|li|h\d|tr|footer)\b[^>]*>", "\n", s,
               flags=re.IGNORECASE)
    s = _TAG.sub(" ", s)
    s = htmllib.unescape(s)
    lines = [re.sub(r"[ \t\r\f\v\u00a0]+", " ", ln).strip() for ln in s.split("\n")]
    return "\n".join(ln for ln in lines if ln)


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Extract the article body with trafilatura, and footer lines from the raw HTML."""
    import trafilatura

    body = None
    title = None
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False,
                                          include_tables=True, favor_recall=True)
    except Exception:  # trafilatura raises many kinds on hostile markup
        doc = None
    if doc is not None:
        body = getattr(doc, "text", None)
        title = getattr(doc, "title", None)
    if not body:
        body = html_to_text(html)
    visible = html_to_text(html)
    extra = [ln for ln in visible.split("\n") if len(ln) < 600 and _FOOTERISH.search(ln) and ln not in body]
    return Extracted(text=body, title=title, extra_text="\n".join(extra))
