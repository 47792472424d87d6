"""Copyright notices: holder, years, statement, restriction, contact and licence.

Registration reads the notice of each work; scanning reads notices on crawled
pages (is the work's notice kept?); ``compliance notices`` prints them.  The
pipeline is staged like ScanCode's copyright detection, and does better where
its users complain:

1. **Candidates**: one regex pass over the whole text finds markers (``©``,
   ``(c)`` with a Latin or Cyrillic c, the word "Copyright") and marker-less
   statements ("Nikkei Inc. No reproduction without permission.").  A ``(c)``
   inside a URL, a code listing or an "(a) (b) (c)" list is not a notice.
2. **Parsing**: years (ranges and lists become every year they name, a year
   may follow the holder), the holder, "All rights reserved" in several
   languages, the restriction sentence, the rights e-mail nearby.
3. **Holder clean-up**: no dates, no markers, no statements, no navigation
   ("| Privacy Policy"), no street address; "Inc." and "Ltd." kept.

HTML is read twice over: the visible text of the *raw* page (trafilatura drops
footers, where notices live), with offsets mapped back into the raw HTML, and
its metadata (``<meta name="copyright">``, schema.org JSON-LD, ``rel="license"``).
:func:`main_notice` picks the page's own notice among wire notices, widget
notices and photo credits.
"""

from __future__ import annotations

from typing import Iterator

import bisect
import html as htmllib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

__all__ = [
    "Notice",
    "find_notices",
    "find_notices_html",
    "notices_in_file",
    "main_notice",
    "order_notices",
    "parse_notice_line",
    "clean_holder",
    "expand_years",
    "license_of",
    "license_of_url",
    "visible_text",
    "EMAIL_RE",
]

# Bounds that keep hostile input cheap (a real page has a handful of notices).
MAX_CANDIDATE_LINES = 2000
MAX_NOTICES = 200
EMAIL_RE = re.compile(r"\b[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}\b")

# ---------------------------------------------------------------- patterns
_C = "[cCсС]"  # Latin and Cyrillic c: "(с)" is written with both
_MARK = re.compile(rf"©|Ⓒ|ⓒ|\({_C}\)|\b(?:copyright|copr\.)(?![\w-])", re.IGNORECASE)
_YEAR = r"(?:1[89]|20)\d{2}"
_YEAR_RE = re.compile(rf"(?<![\d/.,-]){_YEAR}(?!\d)")
_RANGE_END = rf"(?:{_YEAR}|\d{{2}}|present|now|today|heute)"
_YEARS = re.compile(
    rf"(?<![\d/.-]){_YEAR}(?:\s*(?:[-–—‒]|\bto\b)\s*{_RANGE_END})?"
    rf"(?:\s*(?:,|&|\band\b)\s*{_YEAR}(?:\s*[-–—‒]\s*{_RANGE_END})?)*(?![\d/])",
    re.IGNORECASE)
_ARR_WORDS = (r"all\s+rights?\s+reserved|tous\s+droits\s+r[ée]serv[ée]s|todos\s+los\s+derechos\s+reservados|"
              r"alle\s+rechte\s+vorbehalten|tutti\s+i\s+diritti\s+riservati|todos\s+os\s+direitos\s+reservados|"
              r"все\s+права\s+защищены|alle\s+rechten\s+voorbehouden|wszelkie\s+prawa\s+zastrze[żz]one")
_ARR = re.compile(_ARR_WORDS, re.IGNORECASE)
_NO_REPRO = re.compile(r"\bno\s+(?:reproduction|redistribution|reuse|copying)\s+without\s+(?:the\s+)?(?:prior\s+|express\s+)?"
                       r"(?:written\s+)?(?:permission|consent)", re.IGNORECASE)
_CANDIDATE = re.compile(rf"{_MARK.pattern}|{_ARR_WORDS}|{_NO_REPRO.pattern}", re.IGNORECASE)
_RESTRICT = re.compile(
    r"[^.\n]*\b(?:may\s+not|must\s+not|cannot|can\s+not|prohibited|forbidden|is\s+not\s+permitted|"
    r"no\s+(?:reproduction|redistribution|reuse)|воспрещается|запрещено|without\s+(?:the\s+)?(?:express\s+|explicit\s+|prior\s+)?"
    r"(?:written\s+)?(?:permission|consent))\b[^\n]*?(?:\.(?=\s|$)|$)", re.IGNORECASE)
# A line that continues a notice on the next line or block.
_CONTINUATION = re.compile(rf"^\s*(?:{_ARR_WORDS})|reproduc|republish|redistribut|permission|consent|воспроизвед|"
                           r"licen[cs]ed\s+under|creative\s+commons|\bcc[\s-]by\b|\bcc0\b", re.IGNORECASE)
# Credits for a picture or a clip, not the page's notice.
_CREDIT = re.compile(r"(?:\b(?:image|images|photo|photos|photograph|photography|picture|pictures|pic|video|"
                     r"illustration|graphic|graphics|foto|fotos|bild|cover|credit|credits|courtesy|screenshot|"
                     r"map|chart|logo|icon|source)\b)[\s:/|,–—-]*$", re.IGNORECASE)
# Holders that are picture agencies or photographers' credits ("Getty Images", "AP Photo").
_PICTURE_HOLDER = re.compile(r"\b(?:images?|photos?|photograph(?:y|er|s)?|pictures?|pics|stock|pix|imagery|"
                             r"illustrations?)\b", re.IGNORECASE)
_CODE_LINE = re.compile(r"^\s*(?://|/\*|\*\s|#\s*\w|<!--|--\s)|[{}]|=>|==|:=|;\s*$|\b(?:var|let|const|function|return|"
                        r"def|import|include|printf|console\.log|license\s*=)\b")
# Words after "Copyright" that make it a link or a heading, not a notice.
_NOT_HOLDER_WORDS = {
    "policy", "policies", "notice", "notices", "act", "agent", "infringement", "infringements", "information",
    "info", "complaint", "complaints", "claim", "claims", "terms", "statement", "office", "law", "laws",
    "compliance", "issues", "issue", "protection", "guidelines", "holder", "holders", "owner", "owners",
    "questions", "permissions", "permission", "faq", "faqs", "dispute", "disputes", "violation", "violations",
    "and", "or", "of", "the", "by", "reserved", "all", "some", "no", "this", "these", "page", "notification",
    "takedown", "removal", "request", "requests", "form", "license", "licence", "licensing", "&", "privacy",
    "trademark", "trademarks", "matters", "report", "reports", "contact", "and/or",
}
_FUNCTION_WORDS = {"the", "this", "these", "all", "some", "no"}
_ABBREV = {"inc", "ltd", "co", "corp", "llc", "l.l.c", "plc", "s.a", "gmbh", "ag", "n.v", "b.v", "pty", "lp", "llp",
           "s.l", "s.p.a", "sa", "bv", "nv", "jr", "sr", "st", "dr", "mr", "mrs", "ms", "bros", "assn", "intl",
           "int'l", "dept", "u.s", "u.k", "mfg", "no", "pvt", "vol", "ste", "ave", "mt", "ft", "cie", "e.v", "s.a.s",
           "a.g", "k.k", "s.r.l", "sp", "z.o.o", "oy", "ab", "as", "aps", "kft", "sarl", "s.a.r.l"}
_CORP_SUFFIX = re.compile(r"^(?:inc|ltd|llc|l\.l\.c|llp|lp|plc|limited|corp|corporation|co|company|gmbh|ag|s\.?a|"
                          r"n\.?v|b\.?v|pty|s\.?l|s\.?p\.?a|sarl|oy|ab|kk)\b\.?", re.IGNORECASE)
# Where a holder ends.  Order does not matter: the earliest match wins.
_HOLDER_END = re.compile(
    rf"{_ARR_WORDS}|some\s+rights\s+reserved|\bno\s+(?:reproduction|redistribution)|\breproduction\b|"
    r"\bthis\s+(?:material|content|article|work|site|website|page)\b|\bthe\s+(?:material|content)\s+on\b|"
    r"\b(?:unless|except)\s+(?:otherwise|where|as)\b|\b(?:and|or|and/or)\s+(?:its|their)\s+(?:affiliat|licensor|subsidiar|"
    r"partner|parent|respective)|\blicen[cs]ed\s+under\b|\bcreative\s+commons\b|\bcc[\s-]by\b|\bpowered\s+by\b|"
    r"\b(?:designed|developed|hosted|built|site|website|theme|made)\s+(?:by|with|on)\b|\bprivacy\b|\bterms\s+of\b|"
    r"\bterms\s+(?:&|and)\b|\bcookie|\bsitemap\b|\bsite\s+map\b|\bcontact\s+us\b|\babout\s+us\b|\bversion\s+\d|"
    r"\bback\s+to\s+top\b|\bscroll\s+to\s+top\b|\bdisclaimer\b|\bimpressum\b|\bimprint\b|\bmay\s+not\b|"
    r"\bis\s+(?:a|an|the|not|part)\b|\bwas\b|\bwere\b|\bwill\b|\ball\s+content\b|\ball\s+trademarks\b|"
    r"\s[|•·/⋅∙]\s|\s[-–—]\s|\s::\s|[|•·⋅∙;]|https?://|\bwww\.|[®™]|"
    r"\S+@\S+\.\w+|"
    r"\s\d{1,6}[A-Za-z]?\s+(?:[\w.]+\s+){0,3}(?:Avenue|Ave|Street|St|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|"
    r"Ln|Way|Place|Pl|Square|Sq|Floor|Suite|Plaza|Parkway|Court|Ct|Highway|Hwy)\b|"
    r"\s\d{3,}\b|\s(?:registered|company)\s+(?:office|number|no)\b",
    re.IGNORECASE)
_NAV_SEPARATOR = re.compile(r"\s[|•·⋅∙]\s|\s[|•·⋅∙]$|\s{3,}")
_CC = re.compile(
    r"(?:creative\s+commons\s+(?:licen[cs]e\s*[:(]?\s*)?(?P<long>attribution(?:[\s,-]+(?:non-?commercial|"
    r"no-?deriv(?:ative)?s?|share-?alike))*|zero|cc0|public\s+domain(?:\s+dedication)?)(?:\s+(?P<v1>\d\.\d))?)|"
    r"\b(?:cc[\s-](?P<short>by(?:[\s-](?:nc|sa|nd))*|zero|0)(?:[\s-](?P<v2>\d\.\d))?)(?![\w-])|\bCC0\b",
    re.IGNORECASE)
_CC_URL = re.compile(r"creativecommons\.org/(?:licenses/(?P<kind>by(?:-(?:nc|sa|nd))*)/(?P<v>\d\.\d)|"
                     r"publicdomain/(?P<pd>zero|mark)/(?P<pv>\d\.\d))", re.IGNORECASE)
_LICENSE_STATEMENT = re.compile(r"licen[cs]ed\s+under|published\s+under|available\s+under|released\s+under|"
                                r"is\s+licen[cs]ed|under\s+(?:a|the)\s+creative\s+commons|\(cc[\s-]by", re.IGNORECASE)
_CONTACT_CUE = re.compile(r"\b(?:contact|e-?mail|mail|write\s+to\s+us|questions|enquiries|inquiries|rights|"
                          r"permissions?|licensing|reprints?|syndication|legal|copyright|editorial|tips?|letters|почта|"
                          r"courriel|correo|kontakt)\b", re.IGNORECASE)
_RIGHTS_CUE = re.compile(r"\b(?:rights|permissions?|licensing|licen[cs]e|reprints?|syndication|republish|reproduc\w*|"
                         r"copyright|reuse)\b", re.IGNORECASE)
_PERSONAL_CUE = re.compile(r"\b(?:may\s+be\s+reached|can\s+be\s+reached|reach\s+(?:him|her|them)|follow\s+(?:him|her|them)"
                           r"|write\s+to\s+[A-Z][a-z]+|reporter|correspondent|is\s+a\s+(?:senior\s+)?(?:writer|reporter"
                           r"|editor|journalist))\b", re.IGNORECASE)


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


# ---------------------------------------------------------------- years and licences
def expand_years(spec: str) -> list[int]:
    """Every year a notice names: '2005-2014' -> all ten; '2016, 2018' -> both; '2017-18' -> two."""
    years: set[int] = set()
    for m in re.finditer(rf"({_YEAR})(?:\s*(?:[-–—‒]|\bto\b)\s*({_YEAR}|\d{{2}}(?!\d)))?", spec, re.IGNORECASE):
        a = int(m.group(1))
        b = m.group(2)
        if b is None:
            years.add(a)
            continue
        bi = int(b) if len(b) == 4 else (a // 100) * 100 + int(b)
        if a <= bi <= a + 150:
            years.update(range(a, bi + 1))
        else:
            years.update((a, bi) if len(b) == 4 and 1800 <= bi <= 2099 else (a,))
    return sorted(years)


def _cc_id(parts: list[str], version: str | None) -> str:
    order = [p for p in ("BY", "NC", "ND", "SA") if p in parts]
    return "CC-" + "-".join(order or ["BY"]) + "-" + (version or "4.0")


def license_of(text: str) -> str | None:
    """Normalised Creative Commons licence named in *text* (e.g. 'CC-BY-NC-4.0', 'CC0-1.0')."""
    m = _CC_URL.search(text)
    if m:
        return license_of_url(m.group(0))
    m = _CC.search(text)
    if not m:
        return None
    if m.group(0).upper() == "CC0" or (m.group("short") or "").lower() in ("zero", "0"):
        return "CC0-1.0"
    if m.group("long"):
        words = re.sub(r"[\s-]", "", m.group("long").lower())
        if "zero" in words or "cc0" in words or "publicdomain" in words:
            return "CC0-1.0"
        parts = ["BY"]
        if "noncommercial" in words:
            parts.append("NC")
        if "noderiv" in words:
            parts.append("ND")
        if "sharealike" in words:
            parts.append("SA")
        return _cc_id(parts, m.group("v1"))
    parts = [p.upper() for p in re.split(r"[\s-]", m.group("short")) if p]
    return _cc_id(parts, m.group("v2"))


def license_of_url(url: str) -> str | None:
    """Licence id of a creativecommons.org licence URL, else None."""
    m = _CC_URL.search(url or "")
    if not m:
        return None
    if m.group("pd"):
        return "CC0-1.0" if m.group("pd").lower() == "zero" else "PDM-1.0"
    return _cc_id([p.upper() for p in m.group("kind").split("-")], m.group("v"))


# ---------------------------------------------------------------- holders
def _normalise_suffix(tok: str) -> str:
    low = tok.lower().rstrip(".")
    if low == "inc":
        return "Inc."
    if low in ("ltd", "corp", "co", "pty", "bros"):
        return low.capitalize() + ("." if tok.endswith(".") or low in ("corp",) else "")
    if low in ("llc", "plc", "llp", "lp", "gmbh", "ag"):
        return {"gmbh": "GmbH", "ag": "AG"}.get(low, low.upper())
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
    s = re.sub(r"\s+", " ", s)
    # leading markers, years and connectives: "© Copyright 2010 - 2015. The Daily Caller"
    for _ in range(4):
        before = s
        s = s.lstrip(" .,;:-–—|·•*")
        s = re.sub(rf"^(?:{_MARK.pattern})\s*", "", s, flags=re.IGNORECASE)
        m = _YEARS.match(s)
        if m:
            s = s[m.end():]
        s = re.sub(r"^(?:by|of|owned\s+by|the\s+copyright\s+(?:holder|owner)s?|held\s+by)\s+", "", s,
                   flags=re.IGNORECASE)
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
    s = re.sub(r"\s+([.,;:!?»”)])", r"\1", s)
    s = re.sub(r"\.{2,}", ".", s)
    # a sentence end that is not an abbreviation's dot ("Cable News Network. Turner ..."),
    # and a company suffix that is not followed by another ("Ltd, Media Centre", "LLC. IGN")
    toks = [t for t in s.split(" ") if t]
    out: list[str] = []
    for i, tok in enumerate(toks):
        out.append(tok)
        if i + 1 >= len(toks):
            break
        if tok.endswith(".") and not _is_abbrev(tok):
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
    words = s.split(" ")
    if len(words) > 10:
        return False
    first = words[0].strip("«\"'“(")
    if first.lower() in _NOT_HOLDER_WORDS - _FUNCTION_WORDS and len(words) <= 3:
        return False
    if all(w.lower().strip(".,") in _NOT_HOLDER_WORDS for w in words):
        return False
    # prose starts lower-case; names do not ("eBay" and "nytimes.com" have a capital or a dot)
    if first[:1].islower() and first[:1].isascii() and not (re.search(r"[A-Z]", first) or "." in first):
        if strict or len(words) > 4:
            return False
    lowers = [w for w in words if w[:1].islower() and w[:1].isascii()
              and w.lower() not in ("of", "and", "the", "for", "de", "du", "des", "la", "le", "der", "und", "y", "e",
                                    "et", "di", "del", "van", "von", "on", "in", "at", "&")
              and "." not in w]
    return len(lowers) <= 1


# ---------------------------------------------------------------- one line
def _valid_marker(line: str, m: re.Match[str]) -> bool:
    """Is this marker the start of a notice (not a URL, code, list item or prose)?"""
    tok_start = max(line.rfind(" ", 0, m.start()), line.rfind("\t", 0, m.start())) + 1
    tok_end = line.find(" ", m.end())
    token = line[tok_start : tok_end if tok_end >= 0 else len(line)]
    if "://" in token or "www." in token.lower() or re.search(r"\w/\w", token.replace("24/7", "")) and "©" not in token:
        return False
    if "=" in token or "%" in token or "\\" in token:
        return False
    word = m.group(0).lower()
    if word.startswith("("):
        if m.start() > 0 and (line[m.start() - 1].isalnum() or line[m.start() - 1] == "_"):
            return False  # f(c), a(c)
        if re.search(r"\(\s*[ab]\s*\)|\(\s*(?:ii|iii)\s*\)|\(\s*d\s*\)", line, re.IGNORECASE):
            return False  # (a) (b) (c) list
        after = line[m.end():].lstrip()
        if not after or after[:1].islower():
            return False
    if _CODE_LINE.search(line) and not line.lstrip().startswith(("©", "Copyright", "COPYRIGHT")):
        return False
    return True


def _split_marker_groups(line: str) -> list[tuple[int, int, bool]]:
    """Marker groups in a line: (start, end, has_symbol).  "Copyright ©" is one group."""
    groups: list[list[int]] = []
    for m in _MARK.finditer(line):
        if not _valid_marker(line, m):
            continue
        sym = not m.group(0).lower().startswith(("copyright", "copr"))
        if groups and re.fullmatch(r"[\s:.,]*", line[groups[-1][1] : m.start()]):
            groups[-1][1] = m.end()
            groups[-1][2] = groups[-1][2] or sym
        else:
            groups.append([m.start(), m.end(), sym])
    return [(a, b, bool(c)) for a, b, c in groups]


def parse_notice_line(line: str) -> tuple[str | None, list[int], bool]:
    """(holder, years, all rights reserved) of one notice line."""
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
        s = s.lstrip(" .,;:-–—|·•*")
        s = re.sub(rf"^(?:{_MARK.pattern})\s*", "", s, flags=re.IGNORECASE)
        m = _YEARS.match(s)
        if m:
            years = years or expand_years(m.group(0))
            s = s[m.end():]
        s = re.sub(r"^(?:by|of|owned\s+by|the\s+copyright\s+(?:holder|owner)s?|held\s+by)\s+", "", s,
                   flags=re.IGNORECASE)
        if s == before:
            break
    return s, years


def _holder_and_years(seg: str, strict: bool = False) -> tuple[str | None, list[int]]:
    """Years before the holder ("© 2019 Foo") or right after it ("© Foo Ltd 2015", "Foo, 2019")."""
    rest, years = _strip_lead(_cut_statement(seg))
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


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    return a, (b if b >= 0 else len(text))


def _next_line(text: str, end: int, limit: int = 2) -> tuple[int, int] | None:
    """Span of the next non-blank line within *limit* line breaks."""
    pos = end
    breaks = 0
    while pos < len(text):
        if text[pos] == "\n":
            breaks += 1
            if breaks > limit:
                return None
            pos += 1
            continue
        if text[pos] in " \t\r":
            pos += 1
            continue
        a, b = _line_bounds(text, pos)
        return a, b
    return None


def _prev_line(text: str, start: int, limit: int = 2) -> tuple[int, int] | None:
    pos = start - 1
    breaks = 0
    while pos >= 0:
        if text[pos] == "\n":
            breaks += 1
            if breaks > limit:
                return None
            pos -= 1
            continue
        if text[pos] in " \t\r":
            pos -= 1
            continue
        return _line_bounds(text, pos)
    return None


def _markerless_holder(line: str, m: re.Match[str]) -> str | None:
    """"Nikkei Inc. No reproduction without permission." -> "Nikkei Inc."."""
    before = line[: m.start()].strip()
    if not before or len(before) > 80:
        return None
    before = re.split(r"\s[|•·]\s|[|•·]", before)[-1].strip()
    if _ARR.search(before) or _MARK.search(before):
        return None
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


def _notice_span_end(text: str, a: int, line_end: int) -> int:
    """Where a notice's own text ends on its line (before navigation links)."""
    seg = text[a:line_end]
    m = _NAV_SEPARATOR.search(seg)
    end = a + (m.start() if m else len(seg))
    return len(text[:end].rstrip()) if end > a else end


# Lower-case literals one of which every _CANDIDATE match contains: a cheap
# str.find screen, so that only lines near them meet the regular expression.
_ANCHORS = ("©", "ⓒ", "(c)", "(с)", "copyright", "copr.", "reserv", "vorbehalten", "riservati", "защищены",
            "zastrz", "without")


def _candidates(text: str) -> "Iterator[re.Match[str]]":
    """_CANDIDATE matches, searched only around the anchor literals."""
    low = text.lower()
    if len(low) != len(text):
        yield from _CANDIDATE.finditer(text)
        return
    ranges = []
    for kw in _ANCHORS:
        i = low.find(kw)
        while i >= 0:
            a = text.rfind("\n", 0, max(0, i - 30)) + 1
            b = text.find("\n", i + len(kw) + 30)
            ranges.append((a, len(text) if b < 0 else b))
            i = low.find(kw, i + len(kw))
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
        yield from _CANDIDATE.finditer(text, a, b)


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
    for cm in _candidates(text):
        if cm.start() < window_end:
            continue
        if line_a <= cm.start() < line_b:
            la, lb = line_a, line_b  # the same (long) line as the last candidate
        else:
            la, lb = line_a, line_b = _line_bounds(text, cm.start())
        if la in done_lines:
            continue
        if code and _in_ranges(cm.start(), code, code_starts):
            continue
        examined += 1
        if examined > MAX_CANDIDATE_LINES or len(out) >= MAX_NOTICES:
            break  # hostile input: a real page has a handful of notices
        line = text[la:lb]
        if len(line) > 2000:
            # a wall of text with no line breaks: look at a window around the marker
            la = max(la, cm.start() - 300)
            lb = min(lb, cm.end() + 300)
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


def _in_ranges(pos: int, ranges: list[tuple[int, int]], starts: list[int]) -> bool:
    i = bisect.bisect_right(starts, pos) - 1
    return i >= 0 and ranges[i][0] <= pos < ranges[i][1]


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
    groups = _split_marker_groups(line)
    out: list[Notice] = []
    if not groups:
        m = _NO_REPRO.search(line) or _ARR.search(line)
        if not m:
            return out
        holder = _markerless_holder(line, m)
        lic = license_of(line) if _LICENSE_STATEMENT.search(line) else None
        if holder is None:
            return out
        start = la + line.find(line.strip()[:1]) if line.strip() else la
        prefix = line[: m.start()]
        start = la + prefix.rfind(holder.split(" ")[0]) if holder.split(" ")[0] in prefix else start
        end = _notice_span_end(text, start, lb)
        return [Notice(text=text[start:end].strip(), holder=holder, years=[], all_rights_reserved=bool(_ARR.search(line)),
                       license=lic, start=start, end=end)]
    for gi, (ga, gb, sym) in enumerate(groups):
        seg_end = groups[gi + 1][0] if gi + 1 < len(groups) else len(line)
        seg = line[gb:seg_end]
        word_only = not sym
        holder, years = _holder_and_years(seg, strict=word_only)
        arr = bool(_ARR.search(seg))
        if word_only:
            after = seg.lstrip(" :.,")
            first = re.match(r"[\w&/-]+", after)
            if first and first.group(0).lower() in _NOT_HOLDER_WORDS:
                continue
            starts_line = not line[:ga].strip() or line[:ga].rstrip().endswith((".", "|", ":", "·", "•"))
            if not (years and re.match(r"[\s:.,]*(?:©|\(c\)|\d)", seg, re.IGNORECASE)) and not arr:
                if not (starts_line and holder and len(line.split()) <= 14):
                    continue
        start = la + ga
        if holder is None and sym and (years or arr):
            # "Harbour Press © 2019. All rights reserved.": the holder before the sign
            prefix = re.split(r"\s[|•·]\s|[|•·]|\.\s", line[:ga])[-1]
            name = clean_holder(prefix, strict=True) if prefix.strip() else None
            if name and len(name.split()) <= 5 and not _CREDIT.search(prefix):
                holder = name
                start = la + line.index(prefix.strip(), ga - len(prefix))
        if not (holder or years or arr):
            continue
        end = _notice_span_end(text, start, la + seg_end)
        lead = line[max(0, ga - 40):ga]
        kind = "credit" if _CREDIT.search(lead) or (holder and not arr and (
            _PICTURE_HOLDER.search(holder) or (not years and _looks_like_a_person(holder, seg)))) else "notice"
        lic = license_of(seg) if (_LICENSE_STATEMENT.search(seg) or _CC_URL.search(seg) or re.search(
            r"\bcc[\s-]by|\bcc0\b|creative\s+commons", seg, re.IGNORECASE)) else None
        out.append(Notice(text=text[start:end].strip(), holder=holder, years=years, all_rights_reserved=arr,
                          license=lic, start=start, end=end, kind=kind))
    return out


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


def _attach_contacts(text: str, notices: list[Notice]) -> None:
    """Rights e-mails: in the notice, on a rights line anywhere, or next to the notice with a contact cue."""
    if not notices or "@" not in text:
        return
    rights_email = None
    for em in EMAIL_RE.finditer(text):
        la, lb = _line_bounds(text, em.start())
        line = text[la:lb]
        if len(line) < 400 and _RIGHTS_CUE.search(line) and not _PERSONAL_CUE.search(line):
            rights_email = em.group(0)
            break
    last = max((i for i, n in enumerate(notices) if n.kind == "notice"), default=-1)
    for i, n in enumerate(notices):
        if n.contact_email or n.kind == "credit":
            continue
        near = _near_email(text, n.start, n.end)
        # a rights line elsewhere on the page belongs to the page's footer notice, not to a wire notice
        n.contact_email = near or (rights_email if i == last else None)


def _near_email(text: str, start: int, end: int, lines: int = 4) -> str | None:
    cands: list[tuple[int, str]] = []
    pos = end
    for dist in range(1, lines + 1):
        nxt = _next_line(text, pos, limit=2)
        if not nxt or _split_marker_groups(text[nxt[0]:nxt[1]]):
            break  # another notice's territory
        cands.append((dist, text[nxt[0]:nxt[1]]))
        pos = nxt[1]
    pos = start
    prev_lines: list[tuple[int, str]] = []
    for dist in range(1, lines + 1):
        prv = _prev_line(text, pos, limit=2)
        if not prv or _split_marker_groups(text[prv[0]:prv[1]]):
            break
        prev_lines.append((dist, text[prv[0]:prv[1]]))
        pos = prv[0]
    ordered = sorted(cands + prev_lines, key=lambda c: c[0])
    for i, (dist, line) in enumerate(ordered):
        em = EMAIL_RE.search(line)
        if not em or len(line) > 300 or _PERSONAL_CUE.search(line):
            continue
        cue = _CONTACT_CUE.search(line[: em.start()])
        if not cue:
            # the cue may sit on the line before the address ("please e-mail to:" / address)
            before = [l for d, l in prev_lines if d == dist + 1] if any(l is line for _, l in prev_lines) else \
                [l for d, l in cands if d == dist - 1] if dist > 1 else []
            cue = any(_CONTACT_CUE.search(b) and len(b) < 200 for b in before)
        if cue:
            return em.group(0)
    return None


def _dedupe_spans(notices: list[Notice]) -> list[Notice]:
    seen: set[tuple[int, int, str]] = set()
    out = []
    for n in notices:
        key = (n.start, n.end, n.source)
        if key in seen:
            continue
        seen.add(key)
        out.append(n)
    return out


def find_notices(text: str) -> list[Notice]:
    """Every copyright notice in a plain text, with its span in *text*."""
    return _dedupe_spans(_find_in_text(text))


# ---------------------------------------------------------------- HTML
_HTML_SCAN = re.compile(
    r"<!--.*?-->|<(script|style|noscript|template|title|svg|math|textarea|select|object)\b[^>]*>.*?</\1\s*>|"
    r"<(/?)([A-Za-z][\w:.-]*)((?:\s[^>]*)?)/?>|<[!?][^>]*>",
    re.IGNORECASE | re.DOTALL)
_BLOCK = frozenset(
    "p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 tr td th table tbody thead tfoot footer header section article "
    "aside nav main form fieldset figure figcaption blockquote pre address hr center option body html caption "
    "details summary dialog menu legend iframe video audio canvas picture img input button label".split())
_INLINE = frozenset(
    "a span b strong i em small font u s strike sup sub abbr acronym time mark cite q bdi bdo wbr code kbd samp "
    "var ins del dfn big tt nobr data".split())
_CODE_TAGS = frozenset(("pre", "code", "kbd", "samp"))
_VOID = frozenset("img br hr input meta link source wbr area base col embed param track keygen".split())
# Elements whose notices credit a picture, not the page: figures, captions, galleries.
_CREDIT_TAGS = frozenset(("figure", "figcaption"))
_CREDIT_CLASS = re.compile(r"""\b(?:class|itemprop)\s*=\s*["']?[^"'>]*(?:caption|photo|image|gallery|figure|picture|"""
                           r"""slideshow|lightbox|thumbnail)""", re.IGNORECASE)
_ENTITY_OR_WS = re.compile(r"&(?:#\d{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};?)|\s+")


@dataclass
class VisibleText:
    """The visible text of a page, with a map from its offsets back to the raw HTML."""

    text: str
    _out_starts: list[int]
    _pieces: list[tuple[int, int, int, bool]]  # out_start, raw_start, raw_end, leading space dropped
    raw: str
    code: list[tuple[int, int]] = field(default_factory=list)
    credits: list[tuple[int, int]] = field(default_factory=list)

    def to_raw(self, pos: int) -> int:
        """Raw HTML offset of visible-text offset *pos* (end offsets map to piece ends)."""
        i = bisect.bisect_right(self._out_starts, pos) - 1
        if i < 0:
            return self._pieces[0][1] if self._pieces else 0
        out_start, raw_start, raw_end, dropped = self._pieces[i]
        rel = pos - out_start
        return _map_in_piece(self.raw, raw_start, raw_end, rel, dropped)


def _piece_text(raw: str) -> str:
    """Visible form of a text run: entities decoded, white space collapsed."""
    if "&" in raw:
        raw = _ENTITY_OR_WS.sub(lambda m: " " if m.group(0)[0] != "&" else htmllib.unescape(m.group(0)), raw)
    return re.sub(r"\s+", " ", raw)


def _map_in_piece(raw: str, a: int, b: int, rel: int, dropped: bool) -> int:
    """Raw offset of the *rel*-th visible character of raw[a:b]."""
    out = 0
    i = a
    last_space = dropped
    if dropped:
        # the piece's leading white space produced nothing
        while i < b and raw[i].isspace():
            i += 1
        last_space = True
    while i < b:
        m = _ENTITY_OR_WS.match(raw, i, b)
        if m:
            tok = m.group(0)
            produced = " " if tok[0] != "&" else htmllib.unescape(tok)
            produced = re.sub(r"\s+", " ", produced)
            if produced == " " and last_space:
                produced = ""
            if rel < out + len(produced):
                return i
            out += len(produced)
            last_space = produced.endswith(" ") if produced else last_space
            i = m.end()
            continue
        if out >= rel:
            return i
        out += 1
        last_space = False
        i += 1
    return b


def visible_text(html: str) -> VisibleText:
    """What a reader sees of *html*, one block per line, offsets mappable to the raw HTML.

    Inline tags (a, span, b) join their text as a browser does; block tags
    and <br> break lines; script, style and comments vanish.  A notice written
    by JavaScript (``document.write(new Date().getFullYear())``) has no year.
    """
    out: list[str] = []
    out_len = 0
    starts: list[int] = []
    pieces: list[tuple[int, int, int, bool]] = []
    code: list[tuple[int, int]] = []
    code_depth = 0
    code_open = 0
    credits: list[tuple[int, int]] = []
    credit_tag: str | None = None
    credit_depth = 0
    credit_open = 0
    last = "\n"
    pos = 0

    def emit_text(a: int, b: int) -> None:
        nonlocal out_len, last
        t = _piece_text(html[a:b])
        if not t:
            return
        dropped = False
        if t[0] == " " and last in " \n":
            t = t[1:]
            dropped = True
            if not t:
                return
        starts.append(out_len)
        pieces.append((out_len, a, b, dropped))
        out.append(t)
        out_len += len(t)
        last = t[-1]

    def emit_sep(sep: str) -> None:
        nonlocal out_len, last
        if sep == "\n":
            if last == "\n":
                return
            if last == " " and out:
                out[-1] = out[-1][:-1] + "\n" if len(out[-1]) > 0 else "\n"
                last = "\n"
                return
        elif last in " \n":
            return
        out.append(sep)
        out_len += len(sep)
        last = sep

    for m in _HTML_SCAN.finditer(html):
        if m.start() > pos:
            emit_text(pos, m.start())
        pos = m.end()
        name = m.group(3)
        if name is None:
            if m.group(1):
                emit_sep("\n" if m.group(1).lower() in ("title", "textarea", "select") else " ")
            continue
        lname = name.lower()
        closing = bool(m.group(2))
        if lname in _CODE_TAGS:
            if not closing:
                if code_depth == 0:
                    code_open = out_len
                code_depth += 1
            elif code_depth:
                code_depth -= 1
                if code_depth == 0:
                    code.append((code_open, out_len))
        if lname not in _VOID and not m.group(0).endswith("/>"):
            if credit_tag is None:
                if not closing and (lname in _CREDIT_TAGS or (m.group(4) and _CREDIT_CLASS.search(m.group(4)))):
                    credit_tag, credit_depth, credit_open = lname, 1, out_len
            elif lname == credit_tag:
                credit_depth += -1 if closing else 1
                if credit_depth == 0:
                    if out_len - credit_open <= 1500:  # a caption is short; a page-wide wrapper is not
                        credits.append((credit_open, out_len))
                    credit_tag = None
        if lname in _INLINE:
            continue
        emit_sep("\n" if lname in _BLOCK else " ")
    if pos < len(html):
        emit_text(pos, len(html))
    if code_depth:
        code.append((code_open, out_len))
    if credit_tag is not None and out_len - credit_open <= 1500:
        credits.append((credit_open, out_len))
    return VisibleText("".join(out), starts, pieces, html, code, credits)


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


def find_notices_html(html: str) -> list[Notice]:
    """Notices in an HTML page: its visible text (footers included) and its metadata.

    Offsets index *html*.  Visible notices come first, in page order, then
    metadata notices (source "meta", "json-ld", "rel-license").
    """
    vis = visible_text(html)
    found = _find_in_text(vis.text, vis.code, vis.credits)
    for n in found:
        n.start, n.end = vis.to_raw(n.start), _end_to_raw(vis, n.end)
    return _dedupe_spans(found + _metadata_notices(html))


def _end_to_raw(vis: VisibleText, end: int) -> int:
    """Raw offset just past the visible character before *end* (past its whole entity, if it was one)."""
    if end <= 0:
        return vis.to_raw(0)
    pos = vis.to_raw(end - 1)
    if vis.raw[pos:pos + 1] == "&":
        m = _ENTITY_OR_WS.match(vis.raw, pos)
        if m:
            return m.end()
    return pos + 1


# ---------------------------------------------------------------- the page's own notice
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
        def score(item: tuple[int, Notice]) -> tuple[int, int, int]:
            i, n = item
            words = set(re.findall(r"[a-z0-9]{3,}", (n.holder or "").lower()))
            return (1 if site and words & site else 0, 1 if (n.holder or n.all_rights_reserved) else 0, i)
        best = max(enumerate(cands), key=score)[1]
    elif metadata:
        meta = [n for n in notices if n.kind == "notice" and n.source in ("meta", "json-ld", "manifest")
                and (n.holder or n.license)]
        best = meta[0] if meta else None
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
    """The notices with the page's own notice first (the registry's main notice is the first)."""
    main = main_notice(notices, metadata=True, html=html)
    rest = [n for n in notices if main is None or not (n.start == main.start and n.end == main.end
                                                        and n.source == main.source)]
    rest.sort(key=lambda n: n.kind == "credit")  # stable: page order, picture credits last
    return ([main] if main is not None else []) + rest


def notices_in_file(path: Path, data: bytes | None = None) -> tuple[list[Notice], str | None]:
    """Notices of a text or HTML file (decoded as UTF-8), and the HTML when it is a page."""
    if data is None:
        from .reading import read_bytes

        data = read_bytes(path)
    text = data.decode("utf-8", errors="replace")
    name = path.name.lower()
    head = text[:2000].lower()
    is_html = name.endswith((".html", ".htm", ".xhtml", ".html.gz", ".htm.gz")) or "<html" in head \
        or "<!doctype html" in head
    if is_html:
        return find_notices_html(text), text
    return find_notices(text), None
