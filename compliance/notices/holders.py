"""Parsing one statement: the holder (cleaned of dates, markers, navigation) and its years.

Stage 2 of the pipeline: given the text after a marker, say who holds the
rights and for which years, and whether a bare name is a photographer's
credit rather than a site's notice.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .guard import guarded
from .lines import _split_marker_groups
from .patterns import (
    _ABBREV,
    _ARR,
    _CORP_SUFFIX,
    _FUNCTION_WORDS,
    _HOLDER_END,
    _LICENSE_STATEMENT,
    _MARK,
    _NAV_SEPARATOR,
    _NOT_HOLDER_WORDS,
    _RESTRICT,
    _YEAR_RE,
    _YEARS,
    LANG,
)
from .years import expand_years

# years at the start of a holder, with the suffix some languages write after a year ("2024年")
_LEAD_YEARS = guarded(rf"{_YEARS.pattern}(?:\s*(?:{LANG.year_suffixes}))?", re.IGNORECASE)



# Compiled once: clean_holder runs for every notice of every registered work.
_SPACES = re.compile(r"\s+")
_JOINED_SENTENCES = re.compile(r"(?<=[a-z]{2})\.(?=[A-Z][a-z]{2})")
_LEAD_MARK = re.compile(rf"^(?:{_MARK.pattern})\s*", re.IGNORECASE)
_LEAD_CONNECTIVE = re.compile(r"^(?:by|of|owned\s+by|the\s+copyright\s+(?:holder|owner)s?|held\s+by)\s+", re.IGNORECASE)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?»”)])")
_DOTS = re.compile(r"\.{2,}")

def _era_year(s: str) -> tuple[re.Match[str] | None, int | None]:
    """A year of another era at the start of *s* ("© 2567 บริษัท ..." is 2024): the match and the common-era year."""
    for pattern, offset in LANG.era_years:
        m = pattern.match(s)
        if m:
            return m, int(m.group("year")) + offset
    return None, None


def _normalise_suffix(tok: str) -> str:
    low = tok.lower().rstrip(".")
    if low == "inc":
        return "Inc."
    if low in ("ltd", "corp", "co", "pty", "bros"):
        return low.capitalize() + ("." if tok.endswith(".") or low in ("corp",) else "")
    if low in ("llc", "plc", "llp", "lp", "gmbh", "ag"):
        return {"gmbh": "GmbH", "ag": "AG"}.get(low, low.upper())
    if low in ("sa", "bv", "nv", "ab", "oy", "as", "kk", "srl", "sas", "spa", "sarl") and tok.rstrip(".").isupper():
        return tok.rstrip(".")  # "Éditions Testville SA." -- the dot ends the sentence: "SA" has none
    return tok


def _is_abbrev(tok: str) -> bool:
    """True when the trailing dot of *tok* is part of the word (Inc., Pty., St., U.S., J.)."""
    if not tok.endswith("."):
        return False
    core = tok[:-1].lower().lstrip("(«\"'")
    if core in _ABBREV:
        return True
    if len(core) == 1 and core.isalpha():
        return True  # an initial
    return bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", core))


_STRONG_SUFFIX = {"inc", "ltd", "limited", "llc", "l.l.c", "llp", "lp", "plc", "gmbh", "ag", "corp", "pty", "pvt",
                  "s.a", "sa", "n.v", "nv", "b.v", "bv", "s.l", "s.p.a", "spa", "sarl", "s.a.r.l", "oy", "ab", "kk",
                  "k.k", "co", "s.a.s", "sas", "srl", "s.r.l", "a.g", "e.v", "ev", "s.c", "sc"}


def _suffix_key(tok: str) -> str:
    return tok.lower().strip(".,;:)(»”\"'")


def clean_holder(raw: str, *, strict: bool = False) -> str | None:
    """Holder text without dates, markers, statements, navigation or trailing punctuation.

    *strict* (for a bare word "Copyright" or a notice with no marker at all):
    the holder must look like a name, not like prose.
    """
    s = raw.replace("\u00a0", " ")
    s = _SPACES.sub(" ", s)
    # "Cable News Network.Turner Broadcasting": two elements joined without a space are two sentences
    s = _JOINED_SENTENCES.sub(". ", s)
    # leading markers, years and connectives: "© Copyright 2010 - 2015. The Daily Caller"
    for _ in range(4):
        before = s
        s = s.lstrip(" .,;:-–—|·•*：，、。")
        s = _LEAD_MARK.sub("", s)
        m = _LEAD_YEARS.match(s) or _era_year(s)[0]
        if m:
            s = s[m.end():]
        s = _LEAD_CONNECTIVE.sub("", s)
        if s == before:
            break
    s = s.strip()
    if not s:
        return None
    # the earliest end marker ("24/7 Wall St." starts with digits: a year or number ends it only later)
    m = _HOLDER_END.search(s)
    if m:
        s = s[: m.start()]
    ym = _YEAR_RE.search(s, 1)
    if ym:
        s = s[: ym.start()]
    # "[al.com and gulflive.com]" and "(www.albawaba.com)" end it; "The Printers (Mysore) Private Ltd." does not
    for pm in re.finditer(r"[(\[{<]", s):
        if pm.group(0) == "(" and re.match(r"\([^()]{1,25}\)\s+[A-Z]", s[pm.start():]):
            continue
        s = s[: pm.start()]
        break
    # ", a division of ..." / ", 2019" / ", all ..." end it; ", Inc." / ", LLC" do not
    for cm in re.finditer(r",\s*", s):
        nxt = s[cm.end():]
        if not nxt or not _CORP_SUFFIX.match(nxt) and (nxt[:1].islower() or nxt[:1].isdigit()
                                                        or re.match(r"(?:All|Some|The|This|A|An)\b", nxt)):
            s = s[: cm.start()]
            break
    s = _SPACE_BEFORE_PUNCT.sub(r"\1", s)
    s = _DOTS.sub(".", s)
    # a sentence end that is not an abbreviation's dot ("Cable News Network. Turner ..."),
    # and a company suffix that is not followed by another ("Ltd, Media Centre", "LLC. IGN")
    toks = [t for t in s.split(" ") if t]
    out: list[str] = []
    for i, tok in enumerate(toks):
        out.append(tok)
        if i + 1 >= len(toks):
            break
        if tok.endswith(".") and not _is_abbrev(tok):
            if i + 2 == len(toks) and _suffix_key(toks[i + 1]) in _STRONG_SUFFIX:
                continue  # "CityAM. Limited": a company suffix alone after the dot ends the name, not a sentence
            break  # not "!": "E! Entertainment", "Yahoo! Inc."
        if _suffix_key(tok) in _STRONG_SUFFIX and i > 0 and _suffix_key(toks[i + 1]) not in _STRONG_SUFFIX:
            break
    s = " ".join(out).strip(" ,;:-–—")
    while s.endswith((".", "?")) and not _is_abbrev(s.rsplit(" ", 1)[-1]):
        s = s[:-1].rstrip(" ,;:")
    for a_, b_ in (("“", "”"), ("«", "»"), ("(", ")"), ("‘", "’")):
        if s.count(a_) != s.count(b_):
            s = s.strip(a_ + b_).strip()
    if s.count('"') % 2:
        s = s.strip('"').strip()
    if s[:1] in "'\"" and s[-1:] == s[:1]:
        s = s[1:-1].strip()
    if not s:
        return None
    words = s.split(" ")
    words[-1] = _normalise_suffix(words[-1])
    s = " ".join(words)
    if not _plausible_holder(s, strict):
        return None
    return s


def _plausible_holder(s: str, strict: bool = True) -> bool:
    if len(s) > 100 or not re.search(r"[^\W\d_]", s):
        return False
    if any(w in s for w in LANG.prose_words):
        return False  # a sentence in a script without spaces: "非本网站内容BBC概不负责"
    words = s.split(" ")
    if len(words) > 10:
        return False
    first = words[0].strip("«\"'“(")
    if first.lower() in _NOT_HOLDER_WORDS - _FUNCTION_WORDS and len(words) <= 3:
        return False
    if all(w.lower().strip(".,") in _NOT_HOLDER_WORDS for w in words):
        return False
    # prose starts lower-case; names do not ("eBay" and "nytimes.com" have a capital or a dot), except
    # "the" after "by": "© Copyright by the Boston Herald"
    the_name = first == "the" and len(words) > 1 and words[1][:1].isupper()
    if first[:1].islower() and first[:1].isascii() and not (re.search(r"[A-Z]", first) or "." in first or the_name):
        if strict or len(words) > 4:
            return False
    lowers = [w for w in words if w[:1].islower() and w[:1].isascii()
              and w.lower() not in ("of", "and", "the", "for", "de", "du", "des", "la", "le", "der", "und", "y", "e",
                                    "et", "di", "del", "van", "von", "on", "in", "at", "&")
              and "." not in w]
    return len(lowers) <= 1


def parse_notice_line(line: str) -> tuple[str | None, list[int], bool]:
    """(holder, years, all rights reserved) of one notice line.

    For callers that hold a single statement (a ``<meta>`` value, a registry field,
    a property test) and need it read exactly as a line of a page would be.
    """
    groups = _split_marker_groups(line)
    if not groups:
        return None, [], bool(_ARR.search(line))
    seg = line[groups[0][1] : groups[1][0] if len(groups) > 1 else len(line)]
    holder, years = _holder_and_years(seg)
    return holder, years, bool(_ARR.search(seg))


def _strip_lead(s: str) -> tuple[str, list[int]]:
    """Drop leading markers, punctuation, years and "by"/"of"; return the rest and those years."""
    years: list[int] = []
    for _ in range(5):
        before = s
        s = s.lstrip(" .,;:-–—|·•*：，、。")
        s = _LEAD_MARK.sub("", s)
        m = _LEAD_YEARS.match(s)
        era, era_year = _era_year(s) if not m else (None, None)
        if era:
            years = years or [era_year]
            s = s[era.end():]
        elif m:
            years = years or expand_years(m.group(0))
            s = s[m.end():]
        s = _LEAD_CONNECTIVE.sub("", s)
        if s == before:
            break
    return s, years


def _holder_and_years(seg: str, strict: bool = False) -> tuple[str | None, list[int]]:
    """Years before the holder ("© 2019 Foo") or right after it ("© Foo Ltd 2015", "Foo, 2019").

    A publisher's works repeat one footer: the answer for a segment is kept (a fresh list each call).
    """
    holder, years = _holder_and_years_of(seg, strict)
    return holder, list(years)


@lru_cache(maxsize=4096)
def _holder_and_years_of(seg: str, strict: bool) -> tuple[str | None, tuple[int, ...]]:
    holder, years = _read_holder_and_years(seg, strict)
    return holder, tuple(years)


def _read_holder_and_years(seg: str, strict: bool) -> tuple[str | None, list[int]]:
    rest, years = _strip_lead(_cut_statement(seg))
    holder = clean_holder(rest, strict=strict)
    if holder is None and not rest.strip():
        # "Copyright © 2015 · LifeBuzz": a separator between the years and the holder, when the
        # holder is the last item (not "© 2019 · About · Contact", a navigation list)
        rest2, years2 = _strip_lead(seg)
        if rest2.strip() and not _NAV_SEPARATOR.search(rest2.strip()):
            rest, years = rest2, years or years2
            holder = clean_holder(rest, strict=strict)
    if holder is None:
        m = _ARR.match(rest)
        if m:  # "©All Rights Reserved Poynter Institute 2019"
            rest, more = _strip_lead(rest[m.end():])
            years = years or more
            holder = clean_holder(rest, strict=strict)
    if not years and holder:
        ym = _YEARS.search(rest)
        if ym and ym.start() <= len(holder) + 8:
            years = expand_years(ym.group(0))
    return holder, years


def _cut_statement(seg: str) -> str:
    """The part of a segment that can hold years and holder (before nav and statements)."""
    m = _NAV_SEPARATOR.search(seg)
    return seg[: m.start()] if m else seg


def _markerless_holder(line: str, m: re.Match[str]) -> str | None:
    """"Nikkei Inc. No reproduction without permission." -> "Nikkei Inc."."""
    before = line[: m.start()].strip()
    if not before or len(before) > 80:
        return None
    before = re.split(r"\s[|•·]\s|[|•·]", before)[-1].strip()
    if _ARR.search(before) or _split_marker_groups(before):
        return None  # (a "(c)" in "501(c)(3)" is no marker)
    holder = clean_holder(before, strict=True)
    if holder is None:
        return None
    # The words before the statement must be a name: capitalised words (with connectives)
    words = [w for w in holder.split(" ") if w]
    caps = [w for w in words if w[:1].isupper() or w[:1].isdigit() or not w[:1].isascii()]
    if len(words) > 6 or len(caps) < max(1, len(words) - 1):
        return None
    if holder.lower() in ("all", "reproduction", "copying") or len(holder) < 2:
        return None
    return holder


_ORG_WORDS = {"news", "media", "press", "times", "daily", "post", "group", "network", "magazine", "journal",
              "gazette", "herald", "tribune", "chronicle", "review", "radio", "tv", "television", "broadcasting",
              "publishing", "publications", "company", "the", "of", "and", "&", "inc", "inc.", "ltd", "ltd.", "llc",
              "corp", "corp.", "co", "co.", "limited", "weekly", "monthly", "observer", "guardian", "telegraph",
              "mail", "star", "sun", "express", "independent", "standard", "record", "online", "digital", "studio",
              "studios", "agency", "foundation", "institute", "university", "council", "association", "society"}


def _looks_like_a_person(holder: str, seg: str) -> bool:
    """"© Julia Marsh" with no year, statement or licence is a photographer's credit, not a site's notice."""
    words = holder.split()
    if not 2 <= len(words) <= 3 or holder.isupper() or _RESTRICT.search(seg) or _LICENSE_STATEMENT.search(seg):
        return False
    return all(re.fullmatch(r"[A-Z][a-z'’-]+\.?|[A-Z]\.", w) for w in words) and \
        not any(w.lower().strip(".") in _ORG_WORDS for w in words)
