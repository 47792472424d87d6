"""Stage 4, choosing: the page's own notice among wire notices, widget notices and credits."""

from __future__ import annotations

import re
from dataclasses import replace

from .model import Notice
from .structured import _META_TAG, _attrs


def _site_words(html: str | None) -> set[str]:
    if not html:
        return set()
    words: set[str] = set()
    for m in _META_TAG.finditer(html[:200_000]):
        a = _attrs(m.group(0))
        key = (a.get("property") or a.get("name") or "").lower()
        if key in ("og:site_name", "application-name", "publisher", "twitter:site", "author"):
            words.update(w for w in re.findall(r"[a-z0-9]{3,}", (a.get("content") or "").lower()))
    return words - {"the", "com", "www", "news", "media", "inc", "llc", "ltd"}


def _is_page_notice(n: Notice) -> bool:
    return n.kind == "notice" and n.source == "text" and bool(n.holder or n.all_rights_reserved or n.years)


def main_notice(notices: list[Notice], *, metadata: bool = False, html: str | None = None) -> Notice | None:
    """The page's own notice: the best visible notice, else (if *metadata*) a metadata one.

    Wire notices inside an article, widget notices and print-only footers come
    before the site footer, and photo credits are never the page's notice: the
    last visible notice wins, preferring one whose holder shares a word with
    the site's name when the page names itself (og:site_name).  A licence
    stated elsewhere on the page (``rel="license"``, JSON-LD, a "licensed
    under" line) is folded into the chosen notice.
    """
    cands = [n for n in notices if _is_page_notice(n)]
    best: Notice | None = None
    if cands:
        site = _site_words(html)
        def score(item: tuple[int, Notice]) -> tuple[int, int, int, int]:
            i, n = item
            words = set(re.findall(r"[a-z0-9]{3,}", (n.holder or "").lower()))
            # a bare "© All rights reserved" (no holder, no year) loses to a notice that names something
            return (1 if site and words & site else 0, 1 if (n.holder or n.years) else 0,
                    1 if (n.holder or n.all_rights_reserved) else 0, i)
        best = max(enumerate(cands), key=score)[1]
    elif metadata:
        meta = [n for n in notices if n.kind == "notice" and n.source in ("meta", "json-ld", "manifest")
                and (n.holder or n.license)]
        best = next((n for n in meta if n.holder), meta[0]) if meta else None
    if best is None:
        lic = [n for n in notices if n.license and n.kind == "notice"]
        return lic[0] if lic and metadata else None
    if best.license is None:
        lic = next((n.license for n in notices if n.license and n.kind == "notice"
                    and (n.source in ("rel-license", "json-ld") or (n.source == "text" and not n.holder))), None)
        if lic:
            best = replace(best, license=lic)
    if best.contact_email is None:
        email = next((n.contact_email for n in notices if n.contact_email and n.kind == "notice"
                      and n.holder == best.holder), None)
        if email:
            best = replace(best, contact_email=email)
    return best


def order_notices(notices: list[Notice], *, html: str | None = None) -> list[Notice]:
    """The notices with the page's own notice first (the registry's main notice is the first).

    Registration stores every notice but treats the first as the work's own, so the
    choice is made here, with metadata allowed when the page shows no notice.
    """
    main = main_notice(notices, metadata=True, html=html)
    rest = [n for n in notices if main is None or not (n.start == main.start and n.end == main.end
                                                        and n.source == main.source)]
    rest.sort(key=lambda n: n.kind == "credit")  # stable: page order, picture credits last
    return ([main] if main is not None else []) + rest
