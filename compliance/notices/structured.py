"""Stage 3, structured data: notices a page keeps outside its visible text.

``<meta name="copyright">`` and its Dublin Core cousins, ``rel="license"``
links, and schema.org JSON-LD (``copyrightHolder``, ``copyrightYear``,
``license``, ``copyrightNotice``).
"""

from __future__ import annotations

import html as htmllib
import json
import re
from typing import Any, Iterable

from .holders import clean_holder, parse_notice_line
from .licences import license_of, license_of_url
from .model import Notice
from .patterns import _ARR, _MARK
from .years import expand_years


_ATTR = re.compile(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_META_TAG = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_LINK_TAG = re.compile(r"<(?:link|a)\b[^>]*\brel\s*=\s*[\"']?[^\"'>]*\blicense\b[^>]*>", re.IGNORECASE)
_JSONLD = re.compile(r"<script\b[^>]*type\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>(.*?)</script\s*>",
                     re.IGNORECASE | re.DOTALL)
_META_NAMES = {"copyright", "dc.rights", "dcterms.rights", "rights", "dc.rights.license", "dcterms.license",
               "article:copyright", "og:copyright", "license"}
_LD_PAGE_TYPES = re.compile(r"Article|BlogPosting|WebPage|WebSite|Report|CreativeWork|Posting|Story|Blog$",
                            re.IGNORECASE)


def _attrs(tag: str) -> dict[str, str]:
    return {m.group(1).lower(): htmllib.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR.finditer(tag)}


def _metadata_notices(html: str) -> list[Notice]:
    out: list[Notice] = []
    for m in _META_TAG.finditer(html):
        a = _attrs(m.group(0))
        key = (a.get("name") or a.get("property") or a.get("itemprop") or "").lower()
        if key not in _META_NAMES:
            continue
        content = re.sub(r"\s+", " ", a.get("content") or "").strip()
        if not content:
            continue
        lic = license_of_url(content) or license_of(content)
        if key in ("dc.rights.license", "dcterms.license", "license") and not lic:
            continue
        line = content if _MARK.search(content) else "© " + content
        holder, years, arr = parse_notice_line(line)
        if not (holder or years or arr or lic):
            continue
        cm = re.search(r"""\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", m.group(0), re.IGNORECASE)
        g = next((i for i in (1, 2, 3) if cm and cm.group(i) is not None), None)
        start, end = (m.start() + cm.start(g), m.start() + cm.end(g)) if cm and g else (m.start(), m.end())
        out.append(Notice(text=content, holder=holder, years=years, all_rights_reserved=arr, license=lic,
                          start=start, end=end, source="meta"))
    for m in _LINK_TAG.finditer(html):
        a = _attrs(m.group(0))
        href = a.get("href", "")
        lic = license_of_url(href)
        if lic:
            out.append(Notice(text=href, holder=None, license=lic, start=m.start(), end=m.end(), source="rel-license"))
    for m in _JSONLD.finditer(html):
        try:
            data = json.loads(m.group(1).strip(), strict=False)
        except (ValueError, RecursionError):
            continue
        for obj in _ld_objects(data):
            n = _ld_notice(obj)
            if n is not None:
                n.start, n.end = m.start(1), m.end(1)
                out.append(n)
    return out


def _ld_objects(data: Any, depth: int = 0) -> Iterable[dict[str, Any]]:
    """Top-level JSON-LD objects (and those in @graph); nested images are credits, not page notices."""
    if depth > 3:
        return
    if isinstance(data, list):
        for item in data[:50]:
            yield from _ld_objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if isinstance(data.get("@graph"), list):
            yield from _ld_objects(data["@graph"], depth + 1)


def _ld_name(v: Any) -> str | None:
    if isinstance(v, str):
        return v.strip() or None
    if isinstance(v, dict):
        return _ld_name(v.get("name") or v.get("legalName"))
    if isinstance(v, list) and v:
        return _ld_name(v[0])
    return None


def _ld_notice(obj: dict[str, Any]) -> Notice | None:
    typ = obj.get("@type")
    typs = typ if isinstance(typ, list) else [typ]
    if not any(isinstance(t, str) and _LD_PAGE_TYPES.search(t) for t in typs):
        return None
    holder = _ld_name(obj.get("copyrightHolder"))
    year = obj.get("copyrightYear")
    lic_raw = obj.get("license")
    lic_url = lic_raw if isinstance(lic_raw, str) else (lic_raw.get("url") or lic_raw.get("@id")
                                                         if isinstance(lic_raw, dict) else None)
    notice_text = obj.get("copyrightNotice") if isinstance(obj.get("copyrightNotice"), str) else None
    lic = license_of_url(lic_url or "") or (license_of(lic_url) if lic_url else None)
    if not (holder or year or lic or notice_text):
        return None
    years = expand_years(str(year)) if year is not None else []
    if holder:
        holder = clean_holder(holder) or None
    parts = []
    if holder:
        parts.append(f"copyrightHolder: {holder}")
    if year is not None:
        parts.append(f"copyrightYear: {year}")
    if lic_url:
        parts.append(f"license: {lic_url}")
    text = notice_text or "; ".join(parts)
    if notice_text:
        h2, y2, _ = parse_notice_line(notice_text if _MARK.search(notice_text) else "© " + notice_text)
        holder = holder or h2
        years = years or y2
    return Notice(text=text, holder=holder, years=years, license=lic, source="json-ld",
                  all_rights_reserved=bool(notice_text and _ARR.search(notice_text)))
