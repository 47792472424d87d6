"""Main-text extraction from HTML, plus the footer lines extractors drop.

The article body comes from trafilatura (``favor_recall``): on the 181 real
article pages of ``../shared/data/html/extraction-benchmark`` it keeps 97.8 %
of the ground-truth body words at 96.6 % precision (``benchmarks/extraction.py``;
resiliparse keeps 99.0 % but at 85-88 % precision, so more page chrome would
reach the matcher).  Extractors drop page footers, which is where copyright
notices and "originally published by" credits live, so the page is also read
for visible footer-ish lines and copyright metadata, kept apart from the body
as ``extra_text``: offsets always index the extracted body.

Everything here is iterative (lxml walks, no recursion over the tree) and
linear in the input, so deeply nested or hostile markup cannot blow the
stack or the clock.
"""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Extracted", "extract_html", "html_to_text", "strip_tags", "EXTRACTOR"]

EXTRACTOR = "trafilatura(favor_recall)"

for _name in ("trafilatura", "htmldate", "courlan", "charset_normalizer", "justext", "readability"):
    logging.getLogger(_name).addHandler(logging.NullHandler())
    logging.getLogger(_name).propagate = False

_FOOTERISH = re.compile(r"©|\(c\)\s*\d{4}|copyright|all rights reserved|originally (?:published|appeared)|"
                        r"republished|courtesy of|reprinted|\bsource:|creative commons|licen[cs]ed? |"
                        r"\bvia\b|\bcredit:|first (?:published|appeared)|used with permission|syndicat",
                        re.IGNORECASE)
_BLOCKS = frozenset("""address article aside blockquote br dd details dialog div dl dt fieldset figcaption figure
    footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead tr
    ul title option""".split())
_HIDDEN = frozenset(["script", "style", "noscript", "template", "head", "svg", "iframe", "object"])
_XML_DECL = re.compile(r"^\s*<\?xml[^>]{0,300}\?>", re.IGNORECASE)
_META_NAMES = frozenset(["copyright", "dcterms.rights", "dc.rights", "rights", "author", "dc.creator",
                         "dcterms.creator", "article:author", "byl", "dcterms.rightsholder", "citation_publisher",
                         "dc.publisher", "dcterms.publisher", "original-source", "syndication-source"])
_MAX_EXTRA_LINES = 200
_MAX_LINE = 600


@dataclass
class Extracted:
    """What a page yields: body text (offsets index it), title, footer lines."""

    text: str
    title: str | None = None
    extra_text: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


def _parse(html: str):  # noqa: ANN202 - lxml element or None
    import lxml.html
    from lxml import etree

    html = _XML_DECL.sub("", html, count=1)
    if not html.strip():
        return None
    try:
        parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
        return lxml.html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError, etree.XMLSyntaxError):
        return None


def _visible_lines(root) -> list[str]:  # noqa: ANN001 - lxml element
    """Visible text of a parsed page, one block per line (iterative walk)."""
    from lxml import etree

    parts: list[str] = []
    # iterwalk gives start/end events without recursion.
    skip_depth = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if event == "start":
            if skip_depth or tag in _HIDDEN:
                skip_depth += 1
                continue
            if tag in _BLOCKS:
                parts.append("\n")
            if el.text and isinstance(el.tag, str):
                parts.append(el.text)
        else:
            if skip_depth:
                skip_depth -= 1
                if skip_depth:
                    continue
            elif tag in _BLOCKS:
                parts.append("\n")
            if el.tail and not skip_depth:
                parts.append(el.tail)
    text = "".join(parts)
    lines = [re.sub(r"[ \t\r\f\v\u00a0\u200b]+", " ", ln).strip() for ln in text.split("\n")]
    return [ln for ln in lines if ln]


def html_to_text(html: str) -> str:
    """Visible text of an HTML page or fragment, one block per line (no extractor)."""
    root = _parse(html)
    if root is None:
        return ""
    return "\n".join(_visible_lines(root))


def _metadata_lines(root) -> list[str]:  # noqa: ANN001 - lxml element
    """Copyright, rights and author metadata, and licence links, as lines."""
    out: list[str] = []
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or el.get("itemprop") or "").strip().lower()
        content = (el.get("content") or "").strip()
        if name in _META_NAMES and content:
            out.append(content)
    for el in root.iter("a", "link"):
        rel = (el.get("rel") or "").lower().split()
        if "license" in rel and el.get("href"):
            out.append(el.get("href").strip())
        elif "original-source" in rel and el.get("href"):  # the page's declared original
            out.append(el.get("href").strip())
    return out


def _title(root) -> str | None:  # noqa: ANN001 - lxml element
    """The page's headline: og:title, else <title>, else the first <h1>."""
    for el in root.iter("meta"):
        if (el.get("property") or el.get("name") or "").lower() in ("og:title", "twitter:title") and el.get("content"):
            return re.sub(r"\s+", " ", el.get("content")).strip()[:300] or None
    for tag in ("title", "h1"):
        el = root.find(f".//{tag}")
        if el is not None:
            text = re.sub(r"\s+", " ", el.text_content()).strip()
            if text:
                return text[:300]
    return None


def extract_html(html: str, url: str | None = None) -> Extracted:
    """Extract the article body with trafilatura, and footer lines from the raw HTML."""
    import trafilatura

    body = None
    title = None
    try:
        with warnings.catch_warnings():  # date parsers warn about odd time zones in page metadata
            warnings.simplefilter("ignore")
            # with_metadata would run date detection (htmldate/dateparser): 0.5 s on some pages, not needed
            doc = trafilatura.bare_extraction(html, url=url, with_metadata=False, include_comments=False,
                                              include_tables=True, favor_recall=True)
    except Exception:  # trafilatura raises many kinds on hostile markup; fall back to visible text
        doc = None
    if doc is not None:
        body = getattr(doc, "text", None)
        title = getattr(doc, "title", None)
    root = _parse(html)
    visible = _visible_lines(root) if root is not None else []
    if not body:
        body = "\n".join(visible)
    fallback = False
    if not body.strip():
        # libxml2 stops at 256 levels of nesting: text hidden under 100,000 <div> (or unclosed <b>) would
        # vanish, and a copy could hide there.  Strip the tags instead (linear, no tree).
        body = strip_tags(html)
        fallback = bool(body)
    if not title and root is not None:
        title = _title(root)
    extra: list[str] = []
    seen: set[str] = set()
    for ln in visible:
        if len(ln) < _MAX_LINE and _FOOTERISH.search(ln) and ln not in body and ln not in seen:
            seen.add(ln)
            extra.append(ln)
    if root is not None:
        for ln in _metadata_lines(root):
            ln = re.sub(r"\s+", " ", ln).strip()[:_MAX_LINE]
            if ln and ln not in seen:
                seen.add(ln)
                extra.append(ln)
    out = Extracted(text=body, title=title, extra_text="\n".join(extra[:_MAX_EXTRA_LINES]))
    if root is not None:  # what the page says about reuse (TDMRep <meta>, robots noai, licence links)
        from .signals import page_rights

        out.meta["rights"] = page_rights(root)
    if fallback:
        out.meta["extraction"] = "tag-strip (the page is nested too deeply to parse)"
    return out


_TAG_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]{0,30})")


def strip_tags(html: str) -> str:
    """Visible-ish text of markup too deep for a parser: hidden blocks and tags removed, entities decoded.

    A scan with ``str.find`` that only moves forward (each ``>`` is looked for
    once): linear in the page, whatever it holds.  Regular expressions with a
    lazy ``.*?</script>`` took minutes on 50,000 unclosed ``<script>`` tags.
    """
    import html as _html

    low = html.lower()
    out: list[str] = []
    n = len(html)
    i = 0
    gt = -1  # the next '>' at or after the current '<' (found once, reused)
    while i < n:
        lt = html.find("<", i)
        if lt < 0:
            out.append(html[i:])
            break
        out.append(html[i:lt])
        if html.startswith("<!--", lt):
            end = html.find("-->", lt + 4)
            i = n if end < 0 else end + 3
            continue
        if gt < lt:
            gt = html.find(">", lt)
            if gt < 0:
                gt = n
        m = _TAG_NAME.match(html, lt)
        if m is None or gt >= n:
            out.append("<")
            i = lt + 1
            continue
        name = m.group(2).lower()
        i = gt + 1
        if not m.group(1) and name in _HIDDEN:
            end = low.find("</" + name, i)
            close = -1 if end < 0 else html.find(">", end)
            i = n if close < 0 else close + 1
            continue
        if name in _BLOCKS:
            out.append("\n")
    text = _html.unescape("".join(out))
    lines = [re.sub(r"[ \t\r\f\v\u00a0\u200b]+", " ", ln).strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)
