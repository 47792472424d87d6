"""Copyright notices: holder, years, statement, restriction, contact and licence.

Registration reads the notice of each work; scanning reads notices on crawled
pages (is the work's notice kept?); ``compliance notices`` prints them.  The
pipeline is staged like ScanCode's copyright detection, and does better where
its users complain.  One module per stage:

1. **Finding** (``candidates``, ``lines``): one regex pass over the whole text
   finds markers (``©``, ``(c)`` with a Latin or Cyrillic c, the word
   "Copyright") and marker-less statements ("Nikkei Inc. No reproduction
   without permission.").  A ``(c)`` inside a URL, a code listing or an
   "(a) (b) (c)" list is not a notice.
2. **Parsing** (``holders``, ``years``, ``licences``, ``contacts``): years
   (ranges and lists become every year they name, a year may follow the
   holder), the holder, "All rights reserved" in several languages, the
   restriction sentence, the rights e-mail nearby.  Holder clean-up: no
   dates, no markers, no statements, no navigation ("| Privacy Policy"), no
   street address; "Inc." and "Ltd." kept.
3. **Structured data** (``structured``): ``<meta name="copyright">``,
   schema.org JSON-LD, ``rel="license"``.
4. **Choosing** (``choose``): :func:`main_notice` picks the page's own notice
   among wire notices, widget notices and photo credits.

HTML is read twice over (``visible``, ``read``): the visible text of the *raw*
page (trafilatura drops footers, where notices live), with offsets mapped back
into the raw HTML, and its metadata.  The shared patterns are in ``patterns``.
"""

from __future__ import annotations

from .choose import main_notice, order_notices
from .holders import clean_holder, parse_notice_line
from .licences import license_of, license_of_url
from .model import Notice
from .patterns import EMAIL_RE
from .read import find_notices, find_notices_html, notices_in_file
from .visible import visible_text
from .years import expand_years

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
