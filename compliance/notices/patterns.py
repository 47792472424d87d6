"""The regular expressions and word lists every stage of notice extraction shares.

Kept in one place so that a reader can see at once what counts as a marker,
a year, a rights statement, a credit or the end of a holder.
"""

from __future__ import annotations

import re

from .guard import Earliest, Screened, guarded
from .languages import load_languages

# Phrases of every language (compliance/data/notice-languages.toml), by role.
LANG = load_languages()

# Bounds that keep hostile input cheap (a real page has a handful of notices).
MAX_CANDIDATE_LINES = 2000
MAX_NOTICES = 200
# ASCII word boundaries: an address written right after CJK text ("联系rights@x.example") is still one
EMAIL_RE = guarded(r"(?<![A-Za-z0-9_])(?=[A-Za-z0-9_])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,24}"
                      r"(?![A-Za-z0-9_])")

# ---------------------------------------------------------------- patterns
_C = "[cCсС]"  # Latin and Cyrillic c: "(с)" is written with both
_SYMBOL = rf"©|Ⓒ|ⓒ|\({_C}\)"
_SYMBOL_RE = guarded(_SYMBOL)
# "Copyright" with ASCII word boundaries (CJK text may touch it: "测试网Copyright"), and the words
# other languages use the same way (저작권자)
_MARK = guarded(rf"{_SYMBOL}|(?<![A-Za-z0-9_])(?:copyright|copr\.)(?![A-Za-z0-9_-])|{LANG.markers}",
                   re.IGNORECASE)
_YEAR = r"(?:1[89]|20)\d{2}"
_YEAR_RE = guarded(rf"(?<![\d/.,-]){_YEAR}(?!\d)")
_RANGE_END = rf"(?:{_YEAR}|\d{{2}}|present|now|today|heute)"
_YEARS = guarded(
    rf"(?<![\d/.-]){_YEAR}(?:\s*(?:[-–—‒]|\bto\b)\s*{_RANGE_END})?"
    rf"(?:\s*(?:,|&|\band\b)\s*{_YEAR}(?:\s*[-–—‒]\s*{_RANGE_END})?)*(?![\d/])",
    re.IGNORECASE)
# "All rights reserved" in every language, and statements that forbid reuse ("No reproduction without
# permission", 無断転載を禁じます): either makes a line a notice, even without a marker
_ARR_WORDS = LANG.rights_reserved
_ARR = guarded(_ARR_WORDS, re.IGNORECASE)
_NO_REPRO = guarded(LANG.restrictions, re.IGNORECASE)
# "copyright belongs to X" sentences (版权归X所有, 著作権はXに帰属)
_HOLDER_SENTENCES = LANG.holder_patterns
_HOLDER_SENTENCE_WORDS = "|".join(re.sub(r"\(\?P<\w+>", "(?:", p.pattern) for p in _HOLDER_SENTENCES) or r"(?!x)x"
# a licence notice with no marker: "GiveWell ... This work is licensed under a Creative Commons ..."
_LICENCE_NOTICE = guarded(r"licen[cs]ed\s+under\s+(?:an?\s+|the\s+)?creative\s+commons", re.IGNORECASE)
_CANDIDATE = guarded(rf"{_MARK.pattern}|{_ARR_WORDS}|{_NO_REPRO.pattern}|{_HOLDER_SENTENCE_WORDS}|"
                     rf"{_LICENCE_NOTICE.pattern}", re.IGNORECASE)
# who must give permission: "... except with the prior written permission of Northeast Ohio Media Group LLC."
_PERMISSION_OF = guarded(r"(?:permission|consent)\s+of\s+(?P<holder>[A-Z][^.;:\n]{1,80}?)(?:\.(?:\s|$)|[;:\n]|$)")
_RESTRICT_WORDS = (r"may\s+not|must\s+not|cannot|can\s+not|prohibited|forbidden|is\s+not\s+permitted|"
                   r"no\s+(?:reproduction|redistribution|reuse)|воспрещается|запрещено|without\s+(?:the\s+)?"
                   r"(?:express\s+|explicit\s+|prior\s+)?(?:written\s+)?(?:permission|consent)")
_RESTRICT = Screened(guarded(
    rf"[^.\n]*\b(?:{_RESTRICT_WORDS})\b[^\n]*?(?:\.(?=\s|$)|$)"
    rf"|[^.\n。，,\s]*(?:{LANG.restrictions})(?:(?!{LANG.contact_words}|[A-Za-z0-9._%+-]+@)[^\n。])*。?",
    re.IGNORECASE), screen=guarded(rf"\b(?:{_RESTRICT_WORDS})\b|{LANG.restrictions}", re.IGNORECASE))
# A line that continues a notice on the next line or block.
_CONTINUATION = guarded(rf"^\s*(?:{_ARR_WORDS})|reproduc|republish|redistribut|permission|consent|воспроизвед|"
                           r"licen[cs]ed\s+under|creative\s+commons|\bcc[\s-]by\b|\bcc0\b|"
                           rf"{LANG.restrictions}", re.IGNORECASE)
# Credits for a picture or a clip, not the page's notice.
_CREDIT = guarded(r"(?:\b(?:image|images|photo|photos|photograph|photography|picture|pictures|pic|video|"
                     r"illustration|graphic|graphics|foto|fotos|bild|cover|credit|credits|courtesy|screenshot|"
                     r"map|chart|logo|icon|source|data)\b)[\s:/|,–—-]*$", re.IGNORECASE)  # "Sports data © STATS"
# Holders that are picture agencies or photographers' credits ("Getty Images", "AP Photo").
_PICTURE_HOLDER = guarded(r"\b(?:images?|photos?|photograph(?:y|er|s)?|pictures?|pics|stock|pix|imagery|"
                             r"illustrations?)\b", re.IGNORECASE)
_CODE_LINE = guarded(r"^\s*(?://|/\*|\*\s|#\s*\w|<!--|--\s)|[{}]|=>|==|:=|;\s*$|\b(?:var|let|const|function|return|"
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
_CORP_SUFFIX = guarded(r"^(?:inc|ltd|llc|l\.l\.c|llp|lp|plc|limited|corp|corporation|co|company|gmbh|ag|s\.?a|"
                          r"n\.?v|b\.?v|pty|s\.?l|s\.?p\.?a|sarl|oy|ab|kk)\b\.?", re.IGNORECASE)
# characters that end a holder in scripts without spaces (。，、)
_HOLDER_END_CHARS = f"[{re.escape(LANG.holder_end)}]" if LANG.holder_end else r"(?!x)x"
# Where a holder ends.  Order does not matter: the earliest match wins.
_HOLDER_END = Earliest(guarded(
    rf"{_ARR_WORDS}|some\s+rights\s+reserved|\bno\s+(?:reproduction|redistribution)|\breproduction\b|"
    r"\bthis\s+(?:material|content|article|work|site|website|page)\b|\bthe\s+(?:material|content)\s+on\b|"
    r"\b(?:unless|except)\s+(?:otherwise|where|as)\b|\b(?:and|or|and/or)\s+(?:its|their)\s+(?:affiliat|licensor|subsidiar|"
    r"partner|parent|respective)|\blicen[cs]ed\s+under\b|\bcreative\s+commons\b|\bcc[\s-]by\b|\bpowered\s+by\b|"
    r"\b(?:designed|developed|hosted|built|site|website|theme|made)\s+(?:by|with|on)\b|\bprivacy\b|\bterms\s+of\b|"
    r"\bterms\s+(?:&|and)\b|\bcookie|\bsitemap\b|\bsite\s+map\b|\bcontact\s+us\b|\babout\s+us\b|\bversion\s+\d|"
    r"\bback\s+to\s+top\b|\bscroll\s+to\s+top\b|\bdisclaimer\b|\bimpressum\b|\bimprint\b|\bmay\s+not\b|"
    r"\bis\s+(?:a|an|the|not|part)\b|\bwas\b|\bwere\b|\bwill\b|\ball\s+content\b|\ball\s+trademarks\b|"
    r"[|•·⋅∙;]|https?://|\bwww\.|[®™]|"
    rf"{LANG.restrictions}|{LANG.contact_words}|{LANG.holder_stops}|{_HOLDER_END_CHARS}",
    re.IGNORECASE), guarded(
    r"\s[|•·/⋅∙]\s|\s[-–—]\s|\s::\s|"
    r"\s\d{1,6}[A-Za-z]?\s+(?:[\w.]+\s+){0,3}(?:Avenue|Ave|Street|St|Road|Rd|Boulevard|Blvd|Drive|Dr|Lane|"
    r"Ln|Way|Place|Pl|Square|Sq|Floor|Suite|Plaza|Parkway|Court|Ct|Highway|Hwy)\b|"
    r"\s\d{3,}\b|\s(?:registered|company)\s+(?:office|number|no)\b",
    re.IGNORECASE), Screened(re.compile(r"[A-Za-z0-9._%+-]+@\S+\.\w+", re.IGNORECASE), screen=re.compile("@")))
_NAV_SEPARATOR = guarded(r"\s[|•·⋅∙]\s|\s[|•·⋅∙]$|\s{3,}")
_CC = guarded(
    r"(?:creative\s+commons\s+(?:licen[cs]e\s*[:(]?\s*)?(?P<long>attribution(?:[\s,-]+(?:non-?commercial|"
    r"no-?deriv(?:ative)?s?|share[\s-]?alike))*|zero|cc0|public\s+domain(?:\s+dedication)?)(?:\s+(?P<v1>\d\.\d))?)|"
    r"\b(?:cc[\s-](?P<short>by(?:[\s-](?:nc|sa|nd))*|zero|0)(?:[\s-](?P<v2>\d\.\d))?)(?![\w-])|\bCC0\b",
    re.IGNORECASE)
_CC_URL = guarded(r"creativecommons\.org/(?:licenses/(?P<kind>by(?:-(?:nc|sa|nd))*)/(?P<v>\d\.\d)|"
                     r"publicdomain/(?P<pd>zero|mark)/(?P<pv>\d\.\d))", re.IGNORECASE)
_LICENSE_STATEMENT = guarded(r"licen[cs]ed\s+under|published\s+under|available\s+under|released\s+under|"
                                r"is\s+licen[cs]ed|under\s+(?:a|the)\s+creative\s+commons|\(cc[\s-]by", re.IGNORECASE)
_CONTACT_CUE = guarded(r"\b(?:contact|e-?mail|mail|write\s+to\s+us|questions|enquiries|inquiries|rights|"
                          r"permissions?|licensing|reprints?|syndication|legal|copyright|editorial|tips?|letters|почта|"
                          r"courriel|correo|kontakt)\b|" + LANG.contact_words, re.IGNORECASE)
_RIGHTS_CUE = guarded(r"\b(?:rights|permissions?|licensing|licen[cs]e|reprints?|syndication|republish|reproduc\w*|"
                         r"copyright|reuse)\b", re.IGNORECASE)
_PERSONAL_CUE = guarded(r"\b(?:may\s+be\s+reached|can\s+be\s+reached|reach\s+(?:him|her|them)|follow\s+(?:him|her|them)"
                           r"|write\s+to\s+[A-Z][a-z]+|reporter|correspondent|is\s+a\s+(?:senior\s+)?(?:writer|reporter"
                           r"|editor|journalist))\b", re.IGNORECASE)
