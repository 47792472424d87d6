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

from .guard import guarded
from .holders import clean_holder, parse_notice_line
from .licences import license_of, license_of_url
from .model import Notice
from .patterns import _ARR, _MARK
from .years import expand_years

_ATTR = guarded(r"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_META_TAG = guarded(r"<meta\b[^>]*>", re.IGNORECASE)
_LINK_TAG = guarded(r"<(?:link|a)\b[^>]*\brel\s*=\s*[\"']?[^\"'>]*\blicense\b[^>]*>", re.IGNORECASE)
_JSONLD = guarded(r"<script\b[^>]*type\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>(.*?)</script\s*>",
                     re.IGNORECASE | re.DOTALL)
_META_NAMES = {"copyright", "dc.rights", "dcterms.rights", "rights", "dc.rights.license", "dcterms.license",
               "article:copyright", "og:copyright", "license", "dcterms.rightsholder", "dc.rightsholder"}
# Dublin Core gives the year beside the holder: <meta name="dcterms.dateCopyrighted" content="2015">
_META_YEAR_NAMES = {"dcterms.datecopyrighted", "dc.datecopyrighted"}
_LD_PAGE_TYPES = guarded(r"Article|BlogPosting|WebPage|WebSite|Report|CreativeWork|Posting|Story|Blog$",
                            re.IGNORECASE)
MAX_LD_NODES = 500  # a real page has a few dozen JSON-LD objects


def _attrs(tag: str) -> dict[str, str]:
    return {m.group(1).lower(): htmllib.unescape(m.group(2) or m.group(3) or m.group(4) or "")
            for m in _ATTR.finditer(tag)}


def _metadata_notices(html: str) -> list[Notice]:
    out: list[Notice] = []
    meta_years: list[int] = []
    for m in _META_TAG.finditer(html):
        a = _attrs(m.group(0))
        key = (a.get("name") or a.get("property") or a.get("itemprop") or "").lower()
        if key in _META_YEAR_NAMES:
            meta_years = meta_years or expand_years(a.get("content") or "")
            continue
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
    for n in out:
        if n.holder and not n.years and meta_years:
            n.years = meta_years
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
        nodes = list(_ld_nodes(data))
        ids: dict[str, dict[str, Any]] = {}
        for o in nodes:  # the object itself, not a bare {"@id": ...} reference to it
            if isinstance(o.get("@id"), str) and len(o) > 1:
                ids.setdefault(_ld_id(o["@id"]), o)
        for obj in nodes:
            n = _ld_notice(obj, ids)
            if n is not None:
                n.start, n.end = m.start(1), m.end(1)
                out.append(n)
    return out


def _ld_nodes(data: Any) -> Iterable[dict[str, Any]]:
    """Every JSON-LD object, parents before children: top level, @graph, lists and nested values.

    The page's own Article may sit inside a WebPage (``mainEntity``) or a
    @graph; images nested in it are never page notices (their types are not
    page types), and a hostile page cannot make the walk long.
    """
    stack: list[tuple[Any, int]] = [(data, 0)]
    seen = 0
    while stack and seen < MAX_LD_NODES:
        item, depth = stack.pop()
        if depth > 8:
            continue
        if isinstance(item, list):
            stack.extend((x, depth + 1) for x in reversed(item[:200]))
        elif isinstance(item, dict):
            seen += 1
            yield item
            stack.extend((v, depth + 1) for v in reversed(list(item.values())[:200]) if isinstance(v, (dict, list)))


def _ld_id(value: str) -> str:
    """An @id as a key: "https://site.example/#org" and "https://site.example#org" are one node."""
    return re.sub(r"/+(?=#)|/+$", "", value.strip())


def _ld_name(v: Any, ids: dict[str, dict[str, Any]] | None = None, depth: int = 0) -> str | None:
    """The name of a holder or publisher: a string, an object's name, or the object an @id points to."""
    if depth > 3:
        return None
    if isinstance(v, str):
        return v.strip() or None
    if isinstance(v, dict):
        name = v.get("name") or v.get("legalName")
        if name is None and isinstance(v.get("@id"), str) and ids:
            target = ids.get(_ld_id(v["@id"]))
            if target is not None and target is not v:
                return _ld_name(target, ids, depth + 1)
        return _ld_name(name, ids, depth + 1) if name is not None else None
    if isinstance(v, list):
        for item in v[:5]:
            name = _ld_name(item, ids, depth + 1)
            if name:
                return name
    return None


def _ld_url(v: Any) -> str | None:
    if isinstance(v, str):
        return v
    if isinstance(v, dict):
        u = v.get("url") or v.get("@id")
        return u if isinstance(u, str) else None
    if isinstance(v, list):
        return next((u for u in map(_ld_url, v[:5]) if u), None)
    return None


def _ld_notice(obj: dict[str, Any], ids: dict[str, dict[str, Any]] | None = None) -> Notice | None:
    """The notice a page-type JSON-LD object states (copyrightHolder, copyrightYear, copyrightNotice, license).

    With a year, a notice or a licence but no copyrightHolder, the object's
    publisher holds the rights; a publisher alone states no notice.
    """
    typ = obj.get("@type")
    typs = typ if isinstance(typ, list) else [typ]
    if not any(isinstance(t, str) and _LD_PAGE_TYPES.search(t) for t in typs):
        return None
    holder = _ld_name(obj.get("copyrightHolder"), ids)
    year = obj.get("copyrightYear")
    if not isinstance(year, (str, int)) or isinstance(year, bool):
        year = None
    lic_url = _ld_url(obj.get("license"))
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
    if not holder:
        publisher = _ld_name(obj.get("publisher"), ids)
        holder = clean_holder(publisher) if publisher else None
        if holder:
            text += f"; publisher: {holder}"
    return Notice(text=text, holder=holder, years=years, license=lic, source="json-ld",
                  all_rights_reserved=bool(notice_text and _ARR.search(notice_text)))
