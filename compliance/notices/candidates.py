"""Stage 1, finding: candidate statements in a visible text, each turned into a :class:`Notice`.

A cheap literal screen picks the lines near a marker or a rights phrase; each
line is split into marker groups, parsed (``holders``), extended by the lines
that continue it ("All rights reserved.", a restriction, a rights contact),
and marked as a picture credit when it credits one.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from .. import _kernel
from .contacts import _attach_contacts
from .guard import guarded
from .holders import _holder_and_years, _is_abbrev, _looks_like_a_person, _markerless_holder, clean_holder
from .licences import license_of
from .lines import _in_ranges, _line_bounds, _next_line, _notice_span_end, _split_marker_groups
from .model import Notice
from .patterns import (
    _ARR,
    _ARR_WORDS,
    _CANDIDATE,
    _CC_URL,
    _CONTINUATION,
    _CREDIT,
    _HOLDER_SENTENCES,
    _LICENCE_NOTICE,
    _LICENSE_STATEMENT,
    _NO_REPRO,
    _NOT_HOLDER_WORDS,
    _PERMISSION_OF,
    _PICTURE_HOLDER,
    _RESTRICT,
    _RIGHTS_CUE,
    _YEARS,
    EMAIL_RE,
    LANG,
    MAX_CANDIDATE_LINES,
    MAX_NOTICES,
)
from .years import expand_years

# Lower-case literals one of which every _CANDIDATE match contains: a cheap
# str.find screen, so that only lines near them meet the regular expression.
_MARKS = ("©", "ⓒ", "(c)", "(с)", "copyright", "copr.")
_ANCHORS = tuple(dict.fromkeys((*_MARKS, "creative commons", *LANG.anchors)))


@lru_cache(maxsize=1)
def _anchor_finder() -> _kernel.Anchors:
    """The anchor literals, found in one compiled pass (each occurrence as (index in _ANCHORS, start))."""
    return _kernel.Anchors(_ANCHORS)


# How far a _CANDIDATE match reaches before and after the first anchor literal it contains: about 21
# characters before ("todos los derechos reservados", "licensed under a creative commons") and 110 after
# ("nachdruck ... nicht gestattet", "копирование ... без письменного разрешения"), with room for runs of
# spaces.  Searching further (a whole 3,000-character paragraph for each "reserved" in it) only cost time.
_REACH_BEFORE = 64
_REACH_AFTER = 160
# A marker starts its match (the marker alternatives of _CANDIDATE are the markers themselves; a phrase
# holding one, "版权归©…所有", starts at its own anchor, whose window covers it).
_REACH_BEFORE_OF = tuple(0 if kw in _MARKS else _REACH_BEFORE for kw in _ANCHORS)


@lru_cache(maxsize=4096)
def _spans_in_window(window: str, first: int) -> tuple[tuple[int, int], ...]:
    """The _CANDIDATE matches in ``window[first:]``, as (start, end) offsets from *first*.

    Cached: a publisher's works repeat one footer, and its window is met again
    work after work.  The pattern looks back one character at most (``\\b``,
    single-character look-behinds) and has no ``^``/``$``: the character before
    the window (``window[0]`` when *first* is 1) is all the context a match needs.
    """
    return tuple((m.start() - first, m.end() - first) for m in _CANDIDATE.finditer(window, first))


def _candidates(text: str) -> Iterator[tuple[int, int]]:
    """The (start, end) of each _CANDIDATE match, searched only around the anchor literals."""
    low = text.lower()
    if len(low) != len(text):
        yield from (m.span() for m in _CANDIDATE.finditer(text))
        return
    # every anchor occurrence in one pass, then taken anchor by anchor, each left to right and without
    # overlaps, as a str.find loop per anchor would (the cap on ranges applies in the same order)
    found: dict[int, list[int]] = {}
    for k, start in _anchor_finder().find(low):
        found.setdefault(k, []).append(start)
    ranges = []
    for k in sorted(found):
        kw = _ANCHORS[k]
        free = 0
        for i in found[k]:
            if i < free:
                continue
            free = i + len(kw)
            # the line around the anchor, but no further than a match can reach from it: searching a whole
            # 3,000-character paragraph for each "reserved" in it cost ~1 µs a character
            a = max(text.rfind("\n", 0, max(0, i - 30)) + 1, i - _REACH_BEFORE_OF[k])
            b = text.find("\n", i + len(kw) + 30)
            b = min(len(text) if b < 0 else b, i + len(kw) + _REACH_AFTER)
            ranges.append((a, b))
            if len(ranges) > 4 * MAX_CANDIDATE_LINES:
                break
    if not ranges:
        return
    ranges.sort()
    merged = [list(ranges[0])]
    for a, b in ranges[1:]:
        if a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    for a, b in merged:
        first = 1 if a else 0
        for s, e in _spans_in_window(text[a - first:b], first):
            yield a + s, a + e


def _find_in_text(text: str, code: list[tuple[int, int]] | None = None,
                  credits: list[tuple[int, int]] | None = None) -> list[Notice]:
    """Notices in a visible text (plain text, or the visible text of a page)."""
    out: list[Notice] = []
    done_lines: set[int] = set()
    code_starts = [c[0] for c in code] if code else []
    credit_starts = [c[0] for c in credits] if credits else []
    window_end = -1
    line_a = line_b = -1
    examined = 0
    for cs, ce in _candidates(text):
        if cs < window_end:
            continue
        if line_a <= cs < line_b:
            la, lb = line_a, line_b  # the same (long) line as the last candidate
        else:
            la, lb = line_a, line_b = _line_bounds(text, cs)
        if la in done_lines:
            continue
        if code and _in_ranges(cs, code, code_starts):
            continue
        examined += 1
        if examined > MAX_CANDIDATE_LINES or len(out) >= MAX_NOTICES:
            break  # hostile input: a real page has a handful of notices
        line = text[la:lb]
        if len(line) > 2000:
            # a wall of text with no line breaks: look at a window around the marker
            la = max(la, cs - 300)
            lb = min(lb, ce + 300)
            line = text[la:lb]
            window_end = lb
        done_lines.add(la)
        notices = _notices_on_line(text, la, lb, line)
        for n in notices:
            # the next line may continue it ("All rights reserved.", a restriction, a rights contact)
            nxt = _next_line(text, n.end if n.end >= lb else lb)
            if nxt and n.end >= lb - len(line[len(line.rstrip()):]) - 0 and _continues(text[nxt[0]:nxt[1]]):
                follow = text[nxt[0]:nxt[1]]
                if len(follow) < 600 and not _split_marker_groups(follow):
                    n.end = nxt[0] + len(follow.rstrip())
                    n.text = n.text + "\n" + follow.strip()
                    done_lines.add(nxt[0])
                    nxt2 = _next_line(text, nxt[1])
                    if nxt2 and _continues(text[nxt2[0]:nxt2[1]]) and not _split_marker_groups(text[nxt2[0]:nxt2[1]]) \
                            and nxt2[1] - nxt2[0] < 600:
                        n.end = nxt2[0] + len(text[nxt2[0]:nxt2[1]].rstrip())
                        n.text = n.text + "\n" + text[nxt2[0]:nxt2[1]].strip()
                        done_lines.add(nxt2[0])
            _finish(n, text)
            if credits and _in_ranges(n.start, credits, credit_starts):
                n.kind = "credit"
            out.append(n)
    _mark_repeated_credits(out)
    _attach_contacts(text, out)
    return out


def _mark_repeated_credits(notices: list[Notice]) -> None:
    """The same bare "© Name" three times or more on a page is a gallery's photo credit."""
    counts: dict[tuple[str | None, tuple[int, ...]], int] = {}
    for n in notices:
        if n.kind == "notice" and not n.all_rights_reserved and not n.license:
            key = (n.holder, tuple(n.years))
            counts[key] = counts.get(key, 0) + 1
    for n in notices:
        if counts.get((n.holder, tuple(n.years)), 0) >= 3 and not n.all_rights_reserved and not n.license:
            n.kind = "credit"


def _continues(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 600:
        return False
    if _ARR.match(s) or _NO_REPRO.search(s):
        return True
    if EMAIL_RE.search(s) and _RIGHTS_CUE.search(s):
        return True
    return bool(_CONTINUATION.search(s)) and bool(_RESTRICT.search(s) or _LICENSE_STATEMENT.search(s) or _ARR.search(s))


def _notices_on_line(text: str, la: int, lb: int, line: str) -> list[Notice]:
    """The notices of the line ``text[la:lb]`` (*line*)."""
    found = _marked_notices(line)
    if found is None:
        return _markerless_notices(text, la, lb, line)
    return [Notice(text=t, holder=holder, years=list(years), all_rights_reserved=arr, license=lic,
                   start=la + start, end=la + end, kind=kind)
            for start, end, t, holder, years, arr, lic, kind in found]


_LineNotice = tuple[int, int, str, "str | None", tuple[int, ...], bool, "str | None", str]


@lru_cache(maxsize=4096)
def _marked_notices(line: str) -> tuple[_LineNotice, ...] | None:
    """The notices that the marker groups of *line* start, with offsets into *line*; None without a marker.

    They depend on the line alone (a notice's span never leaves its line), so they are cached: a
    publisher's works repeat one footer line.  A line without a marker is read with the next line
    (:func:`_markerless_notices`), and is not cached.
    """
    groups = _split_marker_groups(line)
    out: list[_LineNotice] = []
    if not groups:
        return None
    carried: tuple[int, list[int]] | None = None
    for gi, (ga, gb, sym) in enumerate(groups):
        seg_end = groups[gi + 1][0] if gi + 1 < len(groups) else len(line)
        seg = line[gb:seg_end]
        word_only = not sym
        if gi + 1 < len(groups) and _YEARS_ONLY.fullmatch(seg):
            # "Copyright 2015 © The New Republic", "© 2018 Copyright India Post ...": one notice, two markers
            carried = (carried[0] if carried else ga, expand_years(seg))
            continue
        holder, years = _holder_and_years(seg, strict=word_only)
        if carried:
            years = years or carried[1]
            ga = carried[0]
            carried = None
        arr = bool(_ARR.search(seg))
        prev_end = groups[gi - 1][1] if gi else 0
        lead_arr = _ARR.search(line, prev_end, ga) if _ARR_BEFORE.fullmatch(line, prev_end, ga) else None
        if lead_arr:
            arr = True  # "All rights reserved © 2019 The Real Deal", "版权所有 © 2023 ...": part of the notice
        if word_only:
            after = seg.lstrip(" :.,")
            first = re.match(r"[\w&/-]+", after)
            if first and first.group(0).lower() in _NOT_HOLDER_WORDS:
                continue
            starts_line = not line[:ga].strip() or line[:ga].rstrip().endswith((".", "|", ":", "·", "•"))
            if not (years and re.match(r"[\s:.,]*(?:©|\(c\)|\d)", seg, re.IGNORECASE)) and not arr:
                if not (starts_line and holder and len(line.split()) <= 14):
                    continue
        start = lead_arr.start() if lead_arr else ga
        if holder is None and sym and (years or arr):
            # "Harbour Press © 2019. All rights reserved.": the holder before the sign
            prefix = _last_clause(line[:ga])
            name = clean_holder(prefix, strict=True) if prefix.strip() else None
            if name and len(name.split()) <= 5 and not _CREDIT.search(prefix):
                holder = name
                start = line.index(prefix.strip(), ga - len(prefix))
        if not (holder or years or arr):
            continue
        end = _notice_span_end(line, start, seg_end)
        lead = line[max(0, ga - 40):ga]
        kind = "credit" if _CREDIT.search(lead) or _MARK_OF_A_THING.search(lead) or (holder and not arr and (
            _PICTURE_HOLDER.search(holder) or (not years and _looks_like_a_person(holder, seg)))) else "notice"
        lic = license_of(seg) if (_LICENSE_STATEMENT.search(seg) or _CC_URL.search(seg) or re.search(
            r"\bcc[\s-]by|\bcc0\b|creative\s+commons", seg, re.IGNORECASE)) else None
        out.append((start, end, line[start:end].strip(), holder, tuple(years), arr, lic, kind))
    return tuple(out)


_YEARS_ONLY = guarded(rf"[\s:.,]*{_YEARS.pattern}[\s:.,]*", re.IGNORECASE)
_ARR_BEFORE = guarded(rf"[\s|•·]*(?:{_ARR_WORDS})[\s:.,]*", re.IGNORECASE)
# "CNN Sans ™ & © 2016 Cable News Network": the notice of a trademarked thing (a font, a logo, a show)
_MARK_OF_A_THING = guarded(r"(?:™|®|\bTM\b)\s*(?:&|and)?\s*$")


def _last_clause(before: str) -> str:
    """The clause right before a ©: after the last navigation separator or sentence end.

    "Wetpaint Entertainment | wetpaint.com, inc. ©" gives "wetpaint.com, inc. ": the dot of an
    abbreviation ("inc.", "Ltd.") does not end a sentence.
    """
    part = re.split(r"\s[|•·]\s|[|•·]", before)[-1]
    cut = 0
    for m in re.finditer(r"(\S+)\.\s", part):
        if not _is_abbrev(m.group(1) + "."):
            cut = m.end()
    return part[cut:]


def _markerless_notices(text: str, la: int, lb: int, line: str) -> list[Notice]:
    """A notice with no marker: "Nikkei Inc. No reproduction without permission.", "版权所有：东方测试网",
    "著作権は株式会社テスト新報に帰属します"."""
    years: list[int] = []
    hm = next((m for p in _HOLDER_SENTENCES for m in [p.search(line)] if m), None)
    # the first statement: "东方测试网 版权所有 未经授权不得转载" names its holder before 版权所有
    m = min((x for x in (_NO_REPRO.search(line), _ARR.search(line)) if x), key=lambda x: x.start(), default=None)
    if hm:
        holder = clean_holder(hm.group("holder"), strict=True)
        m = hm
    elif not m:
        m = _LICENCE_NOTICE.search(line)
        if not m or not license_of(line):
            return []
        # the name that opens the line: "GiveWell, aka The Clear Fund (...). This work is licensed under ..."
        opening = re.split(r"(?<=[a-z)])\.\s", line[: m.start()])[0]
        holder = _markerless_holder(opening + " .", re.search(r"\.$", opening + " .")) if opening.strip() else None
    else:
        holder = _markerless_holder(line, m)
        if holder is None and not line[: m.start()].strip(" \t|•·:："):
            # the statement first, the holder after it: "版权所有：东方测试网", "All rights reserved: Foo Ltd"
            holder, years = _holder_and_years(line[m.end():], strict=True)
        if holder is None and _ARR.search(line):
            # "All rights reserved. The material ... except with the prior written permission of X."
            nxt = _next_line(text, lb)
            pm = _PERMISSION_OF.search(line) or (nxt and _PERMISSION_OF.search(text[nxt[0]:nxt[1]]))
            holder = clean_holder(pm.group("holder"), strict=True) if pm else None
    lic = license_of(line) if _LICENSE_STATEMENT.search(line) else None
    if holder is None:
        return []
    start = la + line.find(line.strip()[:1]) if line.strip() else la
    prefix = line[: m.start()]
    first = holder.split(" ")[0]
    if not hm and first in prefix:
        start = la + prefix.rfind(first)
    end = _notice_span_end(text, start, lb)
    return [Notice(text=text[start:end].strip(), holder=holder, years=years,
                   all_rights_reserved=bool(_ARR.search(line)), license=lic, start=start, end=end)]


def _finish(n: Notice, text: str) -> None:
    """Statement fields from the whole notice text (its line and continuations)."""
    full = n.text
    n.all_rights_reserved = n.all_rights_reserved or bool(_ARR.search(full))
    rm = _RESTRICT.search(full)
    if rm:
        r = rm.group(0).strip()
        r = _ARR.sub("", r).strip(" .") + "." if _ARR.match(r) else r
        n.restriction = r.strip() or None
    if n.license is None and (_LICENSE_STATEMENT.search(full) or _CC_URL.search(full)):
        n.license = license_of(full)
    em = EMAIL_RE.search(full)
    if em:
        n.contact_email = em.group(0)
    if n.holder and n.holder.endswith((" Ltd.", " Co.", " Pty.")):
        # "Gazette Ltd. All rights reserved." -- the dot may end the sentence; the restriction
        # ("consent of Gazette Ltd, which ...") shows how the holder writes its name
        bare = n.holder[:-1]
        if re.search(re.escape(bare) + r"(?:[^.\w]|$)", full):
            n.holder = bare
    if n.holder is None and n.license is None and not n.years and not n.all_rights_reserved:
        n.kind = "credit" if n.kind == "credit" else n.kind
