"""Copyright notices: holder, years, statement, restriction, contact and licence.

Registration reads the notice of each work; scanning reads notices on crawled
pages (is the work's notice kept?); ``compliance notices`` prints them.  The
pipeline is staged like ScanCode's: cheap candidate lines (a ©, "(c)" or
"Copyright" marker), then parsing of years and holder, then clean-up of the
holder (no dates, no "All rights reserved", "Inc." and "Ltd." kept).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["Notice", "find_notices", "parse_notice_line", "EMAIL_RE"]

EMAIL_RE = re.compile(r"\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}\b")
_MARK = re.compile(r"(©|&copy;|\(c\)|\(C\)|\bcopyright\b|\bCopyright\b|\bCOPYRIGHT\b)")
_YEAR = r"(?:19|20)\d{2}"
_YEARS = re.compile(rf"{_YEAR}(?:\s*[-–—/]\s*(?:{_YEAR}|\d{{2}}|present|now))?(?:\s*,\s*{_YEAR}(?:\s*[-–—]\s*{_YEAR})?)*",
                    re.IGNORECASE)
_ARR = re.compile(r"all\s+rights\s+reserved\.?", re.IGNORECASE)
_RESTRICT = re.compile(
    r"[^.\n]*\b(?:may\s+not|must\s+not|cannot|can\s+not|prohibited|without\s+(?:the\s+)?(?:express\s+|prior\s+)?"
    r"(?:written\s+)?(?:permission|consent))\b[^\n]*?(?:\.(?=\s|$)|$)", re.IGNORECASE)
_ABBREV = {"inc", "ltd", "co", "corp", "llc", "l.l.c", "plc", "s.a", "gmbh", "ag", "n.v", "b.v", "pty", "lp", "llp",
           "s.l", "s.p.a", "sa", "bv", "nv", "jr", "sr", "st", "dr", "mr", "mrs", "ms"}
_CC = re.compile(
    r"(?:creative\s+commons\s+(?P<long>(?:attribution|zero|cc0)[\w\s,-]*?)(?:\s+(?P<v1>\d\.\d))?(?:\s+(?:international|"
    r"unported|license|licence))*)|\b(?:cc[\s-](?P<short>by(?:-(?:nc|sa|nd))*|zero|0)(?:[\s-](?P<v2>\d\.\d))?\b)|\bCC0\b",
    re.IGNORECASE)


@dataclass
class Notice:
    """One notice found in a text, with its span in that text."""

    text: str
    holder: str | None
    years: list[int] = field(default_factory=list)
    all_rights_reserved: bool = False
    restriction: str | None = None
    contact_email: str | None = None
    license: str | None = None
    start: int = 0
    end: int = 0
    source: str = "text"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def expand_years(spec: str) -> list[int]:
    """'2005-2014' -> every year; '2016, 2018' -> both; '2017-18' -> 2017, 2018."""
    years: set[int] = set()
    for part in re.split(r"\s*,\s*", spec):
        m = re.match(rf"({_YEAR})(?:\s*[-–—/]\s*({_YEAR}|\d{{2}}))?", part)
        if not m:
            continue
        a = int(m.group(1))
        b = m.group(2)
        if b is None:
            years.add(a)
            continue
        bi = int(b) if len(b) == 4 else (a // 100) * 100 + int(b)
        if a <= bi <= a + 200:
            years.update(range(a, bi + 1))
        else:
            years.add(a)
    return sorted(years)


def license_of(text: str) -> str | None:
    """Normalised Creative Commons licence named in *text* (e.g. 'CC-BY-SA-4.0')."""
    m = _CC.search(text)
    if not m:
        return None
    if m.group(0).upper() == "CC0" or (m.group("short") or "").lower() in ("zero", "0"):
        return "CC0-1.0"
    if m.group("long"):
        words = m.group("long").lower()
        if "zero" in words or "cc0" in words:
            return "CC0-1.0"
        parts = ["BY"]
        if "noncommercial" in words.replace("-", "").replace(" ", ""):
            parts.append("NC")
        if "noderiv" in words.replace("-", "").replace(" ", ""):
            parts.append("ND")
        if "sharealike" in words.replace("-", "").replace(" ", ""):
            parts.append("SA")
        version = m.group("v1") or "4.0"
    else:
        parts = [p.upper() for p in m.group("short").split("-")]
        version = m.group("v2") or "4.0"
    return "CC-" + "-".join(parts) + "-" + version


def clean_holder(raw: str) -> str | None:
    """Holder text without dates, markers, statements or trailing punctuation."""
    s = _ARR.split(raw)[0]
    s = re.split(r"\s[|•·]\s|\s[-–—]\s|\.\s+(?=(?:The|This|All|Some|No|Unless|Terms|Privacy|Contact|Reproduction)\b)", s)[0]
    s = _MARK.sub(" ", s)
    s = _YEARS.sub(" ", s)
    s = re.sub(r"^\s*(?:by|the\s+copyright\s+holder|owned\s+by)\s+", "", s, flags=re.IGNORECASE)
    s = re.sub(r"\s+", " ", s).strip(" ,;:-–—")
    # cut at a sentence end that is not an abbreviation's dot
    out = []
    for tok in s.split(" "):
        out.append(tok)
        if tok.endswith(".") and tok[:-1].lower().rstrip(".") not in _ABBREV and len(tok) > 2:
            break
    s = " ".join(out).strip(" ,;:")
    if s.endswith(".") and s.rsplit(" ", 1)[-1][:-1].lower() not in _ABBREV:
        s = s[:-1]
    s = re.sub(r"\b(inc|ltd|corp|co|llc|plc)\b\.?$", lambda m: m.group(1).capitalize() + "."
               if m.group(1).lower() not in ("llc", "plc") else m.group(1).upper(), s, flags=re.IGNORECASE)
    if not s or len(s) > 120 or not re.search(r"[A-Za-z]", s):
        return None
    return s


def _in_url_or_code(line: str, pos: int) -> bool:
    before = line[:pos]
    token_start = max(before.rfind(" "), before.rfind("\t")) + 1
    token = line[token_start : pos + 4]
    return "://" in token or "/" in token or "=" in token or "(" in line[max(0, pos - 1) : pos] and "_" in token


def parse_notice_line(line: str) -> tuple[str | None, list[int], bool]:
    """(holder, years, all rights reserved) of one notice line."""
    m = _MARK.search(line)
    if not m:
        return None, [], bool(_ARR.search(line))
    rest = line[m.end():]
    rest = _MARK.sub(" ", rest, count=2)
    ym = _YEARS.search(rest)
    years = expand_years(ym.group(0)) if ym else []
    holder_part = rest[ym.end():] if ym and ym.start() < 12 else rest
    holder = clean_holder(holder_part)
    if holder is None and ym is not None and ym.start() >= 12:
        holder = clean_holder(rest[: ym.start()])
    return holder, years, bool(_ARR.search(line))


def find_notices(text: str) -> list[Notice]:
    """Every copyright notice in a plain text, with its span."""
    out: list[Notice] = []
    pos = 0
    lines = text.split("\n")
    offsets = []
    for ln in lines:
        offsets.append(pos)
        pos += len(ln) + 1
    for k, line in enumerate(lines):
        m = _MARK.search(line)
        if not m or len(line) > 600:
            continue
        if m.group(0).lower() == "(c)" and _in_url_or_code(line, m.start()):
            continue
        holder, years, arr = parse_notice_line(line)
        if m.group(0).lower() == "copyright" and not years and not arr and not line.lstrip().lower().startswith("copyright"):
            continue  # prose that mentions copyright
        start = offsets[k] + m.start()
        end = offsets[k] + len(line.rstrip())
        notice_text = line[m.start():].strip()
        # the statement can continue in the next non-empty paragraph
        follow = ""
        j = k + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j < len(lines) and j - k <= 3 and re.search(r"reproduc|consent|permission|republish|redistribut|contact",
                                                      lines[j], re.IGNORECASE):
            follow = lines[j].strip()
            end = offsets[j] + len(lines[j].rstrip())
        full = notice_text + ("\n\n" + follow if follow else "")
        restriction = None
        rm = _RESTRICT.search(full)
        if rm:
            restriction = rm.group(0).strip()
        em = EMAIL_RE.search(full)
        out.append(Notice(text=full, holder=holder, years=years, all_rights_reserved=arr or bool(_ARR.search(full)),
                          restriction=restriction, contact_email=em.group(0) if em else None,
                          license=license_of(line + "\n" + follow), start=start, end=end))
    return out


def find_notices_html(html: str) -> list[Notice]:
    """Notices in an HTML page: visible text (footers included) and metadata."""
    from .extract import html_to_text

    out = find_notices(html_to_text(html))
    for n in out:
        n.start = n.end = 0
        n.source = "html"
    m = re.search(r"<meta\s+[^>]*name=[\"']copyright[\"'][^>]*content=[\"']([^\"']{1,300})[\"']", html, re.IGNORECASE)
    if m:
        holder, years, arr = parse_notice_line(m.group(1) if _MARK.search(m.group(1)) else "© " + m.group(1))
        out.append(Notice(text=m.group(1), holder=holder, years=years, all_rights_reserved=arr, source="meta"))
    return out
