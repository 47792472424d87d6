"""Split a publisher's article page into body, author bio, chrome and notice.

A registered page (like the seed page) carries more than the article: an
author bio, navigation chrome ("Post navigation") and the copyright notice.
Only the body is fingerprinted; the notice goes to the registry; the bio
gives the author.  Offsets keep indexing the whole page text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .notices import Notice, find_notices

__all__ = ["PageParts", "split_page", "DEFAULT_CHROME"]

# Lines that are page chrome, not article text (case-insensitive).  The
# rules folder can extend this list (kind "page-chrome").
DEFAULT_CHROME = (
    "post navigation", "share this", "share this article", "share on facebook", "share on twitter",
    "related", "related articles", "related stories", "related posts", "you may also like", "advertisement",
    "comments", "leave a comment", "leave a reply", "read more", "tags", "filed under", "print", "email",
    "subscribe", "sign up", "newsletter", "next article", "previous article", "recommended",
)
_BULLET_NAME = re.compile(r"^\s*(?:[•·*\-–]\s*|by\s+|about\s+)?(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})\s*$")


@dataclass
class PageParts:
    """Where each part of a page lies (character offsets into the page text)."""

    title: str | None
    body_start: int
    body_end: int
    notices: list[Notice] = field(default_factory=list)
    author: str | None = None
    bio: tuple[int, int] | None = None
    chrome: list[tuple[int, int]] = field(default_factory=list)


_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\s*\n)[^\n]*)*")
_ABOUT_THE_AUTHOR = re.compile(r"^(about the author|author bio)\b", re.IGNORECASE)


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """Each paragraph's span without its surrounding white space."""
    out = []
    for m in _PARAGRAPH.finditer(text):
        g = m.group(0)
        body = g.strip()
        if body:
            s = m.start() + (len(g) - len(g.lstrip()))
            out.append((s, s + len(body)))
    return out


def _is_chrome(p: str, chrome: tuple[str, ...]) -> bool:
    if len(p) > 120:
        return False
    s = p.strip().strip(":").lower()
    if not s.startswith(tuple(chrome)):
        return False  # every chrome line starts with one of the phrases: most paragraphs leave here
    return any(s == c or (s.startswith(c) and len(s) <= len(c) + 40 and len(s.split()) <= 8) for c in chrome)


_SENTENCE_END = re.compile(r"[.!?][\"'”’»)]*$")


def _prose_follows(text: str, paras: list[tuple[int, int]]) -> bool:
    """Article prose among *paras*: one paragraph of 40+ words, or sentence paragraphs (10+ words,
    ending like a sentence) of 60+ words in all.  Teaser headlines, widget lines and a lone caption
    are not prose."""
    sentences = 0
    for s, e in paras:
        p = text[s:e]
        n = len(p.split())
        if n >= 40:
            return True
        if n >= 10 and _SENTENCE_END.search(p.rstrip()):
            sentences += n
            if sentences >= 60:
                return True
    return False


def split_page(text: str, chrome: tuple[str, ...] = DEFAULT_CHROME) -> PageParts:
    """Find the title, body, notices, bio and chrome of a plain-text page."""
    paras = _paragraphs(text)
    notices = find_notices(text)
    if not paras:
        return PageParts(None, 0, len(text), notices)
    title = None
    first = text[paras[0][0] : paras[0][1]]
    if "\n" not in first and len(first.split()) <= 25 and not first.rstrip().endswith((".", "!", "?")):
        title = first.strip()
    tail_kinds: dict[int, str] = {}
    bio = None
    author = None
    chrome_spans = []
    for i, (s, e) in enumerate(paras):
        p = text[s:e]
        if any(n.start < e and s < n.end for n in notices):
            tail_kinds[i] = "notice"
        elif _is_chrome(p, chrome):
            tail_kinds[i] = "chrome"
            chrome_spans.append((s, e))
        else:
            m = _BULLET_NAME.match(p)
            if m and i + 1 < len(paras):
                name = m.group("name")
                nxt = text[paras[i + 1][0] : paras[i + 1][1]]
                if nxt.startswith(name) and re.match(rf"{re.escape(name)}\s+(is|was|has|writes|covers|reports)\b", nxt):
                    tail_kinds[i] = tail_kinds[i + 1] = "bio"
                    bio = (s, paras[i + 1][1])
                    author = name
            elif _ABOUT_THE_AUTHOR.match(p.strip()):
                tail_kinds[i] = "bio"
    # The body ends at the first tail paragraph after which no article prose follows.  Wire copy
    # comes in short paragraphs (20-35 words), so an "Advertisement" or "Recommended" line inside an
    # article is followed by prose made of many short sentence paragraphs, not one long one.
    body_last = len(paras) - 1
    for i in range(len(paras)):
        if i in tail_kinds and i > 0:
            rest = [j for j in range(i, len(paras)) if j not in tail_kinds]
            if not _prose_follows(text, [paras[j] for j in rest]):
                body_last = i - 1
                break
    while body_last > 0 and body_last in tail_kinds:
        body_last -= 1
    return PageParts(title, paras[0][0], paras[body_last][1], notices, author, bio, chrome_spans)
