"""Invented articles and crawl files for the input tests (no third-party text).

Articles are made from a fixed vocabulary by a seeded generator, so every
work is distinct, long enough to match, and the same on every run.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path

PUBLISHER = "Harbor Lantern Media Ltd"
CONTACT = "rights@harbor-lantern.example"

_NOUNS = """ferry harbor council timetable bridge river lantern market orchard library tram quarry mill
    festival museum stadium canal lighthouse bakery clinic warehouse school garden railway station island
    theatre workshop vineyard brewery reservoir observatory archive gallery shipyard meadow hillside valley
    factory pier lock tunnel highway airport cathedral plaza fountain village county province harbourmaster
    engineer mayor captain baker teacher farmer gardener ranger curator pilot surveyor architect""".split()
_VERBS = """opened repaired delayed announced approved rebuilt inspected funded closed expanded painted
    measured welcomed postponed restored surveyed mapped moved rescued planted launched""".split()
_ADJ = """northern quiet crowded ancient narrow wooden copper seasonal temporary flooded restored sunny
    windswept busy historic silent coastal rural municipal frozen""".split()
_TIME = """on Monday, last week, after the storm, before the winter, this morning, at dawn, in the spring,
    during the festival, by the end of March, within two years""".split(",")


def sentence(rng: random.Random) -> str:
    """One invented sentence of about fifteen words."""
    words = [rng.choice(_ADJ), rng.choice(_NOUNS), rng.choice(_VERBS), "the", rng.choice(_ADJ), rng.choice(_NOUNS),
             "near", "the", rng.choice(_NOUNS), rng.choice(_TIME).strip(), "while", "the", rng.choice(_NOUNS),
             rng.choice(_VERBS), "a", rng.choice(_ADJ), rng.choice(_NOUNS)]
    s = " ".join(words)
    return s[0].upper() + s[1:] + "."


def paragraphs(seed: int, n: int = 4, per: int = 4) -> list[str]:
    """*n* invented paragraphs of *per* sentences each."""
    rng = random.Random(seed)
    return [" ".join(sentence(rng) for _ in range(per)) for _ in range(n)]


def work_text(seed: int, title: str) -> str:
    """A registered article page: headline, body, copyright notice with the rights contact."""
    body = "\n\n".join(paragraphs(seed))
    return (f"{title}\n\n{body}\n\n© 2025 {PUBLISHER}. All rights reserved. "
            f"Reproduction without permission is prohibited. Contact {CONTACT}.\n")


def write_works(folder: Path, n: int = 3) -> dict[str, str]:
    """Write *n* invented works as .txt files; return {work id: body text}."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for i in range(n):
        wid = f"story-{i}"
        text = work_text(1000 + i, f"Story number {i} about the harbor")
        (folder / f"{wid}.txt").write_text(text, encoding="utf-8")
        out[wid] = "\n\n".join(paragraphs(1000 + i))
    return out


def html_page(title: str, paras: list[str], footer: str = "© 2025 Copycat Aggregator Inc.") -> str:
    """A crawled page with navigation, an article and a footer (what an extractor must sort out)."""
    body = "".join(f"<p>{p}</p>\n" for p in paras)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
            f"<article><h1>{title}</h1>\n{body}</article>"
            f"<footer><p>{footer}</p><p>Originally published by {PUBLISHER}.</p></footer></body></html>")


def build_warc(path: Path, pages: list[tuple[str, str, str]], *, gzip: bool = True,
               extra_records: bool = True) -> list[dict]:
    """Write a WARC of HTTP responses [(url, date, html)]; return each response's url, date and record id."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = []
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "compliance-tests"}))
        for url, date, html in pages:
            if extra_records:
                req = writer.create_warc_record(url, "request", payload=io.BytesIO(b""),
                                                warc_headers_dict={"WARC-Date": date},
                                                http_headers=StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", "x")],
                                                                              is_http_request=True))
                writer.write_record(req)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            rec = writer.create_warc_record(url, "response", payload=io.BytesIO(html.encode("utf-8")),
                                            http_headers=headers, warc_headers_dict={"WARC-Date": date})
            writer.write_record(rec)
            out.append({"url": url, "date": date, "id": rec.rec_headers.get_header("WARC-Record-ID")})
    return out


def words(text: str) -> list[str]:
    """Lower-cased words, to compare passages whatever the whitespace."""
    import re

    return re.findall(r"\w+", text.lower())


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
