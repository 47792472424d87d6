"""Web archives: a rights team scans a crawl's WARC files and gets findings that point at the capture."""

from __future__ import annotations

import gzip
import io
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import need_shared
from inputs_helpers import PUBLISHER, build_warc, html_page, paragraphs, words, write_works

from compliance.inputs import ReadOptions, iter_documents
from compliance.models import Document


@pytest.fixture
def registered(cli_run, tmp_path):
    """Three invented works registered for one publisher; returns {work id: body}."""
    works = write_works(tmp_path / "works", 3)
    assert cli_run("register", tmp_path / "works", "--publisher", PUBLISHER).exit_code == 0
    return works


def _copy_pages(works: dict[str, str]) -> list[tuple[str, str, str]]:
    pages = []
    for i, body in enumerate(works.values()):
        paras = body.split("\n\n")
        pages.append((f"https://copycat.example/news/{i}", f"2025-03-0{i + 1}T10:00:00Z",
                      html_page(f"Copied story {i}", ["A short introduction written by the aggregator itself."]
                                + paras[:3])))
    pages.append(("https://copycat.example/weather", "2025-03-09T08:00:00Z", html_page("Weather", paragraphs(99))))
    return pages


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def test_warc_copies_yield_findings_that_point_at_the_capture(cli_run, registered, db, tmp_path):
    """A gzipped WARC of pages copying registered works gives findings with the URL, WARC-Date and
    record id of each capture, and passage offsets that select the copied text in the stored text."""
    warc = tmp_path / "crawl.warc.gz"
    records = build_warc(warc, _copy_pages(registered))
    r = cli_run("scan", warc, "--workers", "1", "--format", "json")
    assert r.exit_code == 0, r.stderr
    findings = json.loads(r.stdout)
    assert len(findings) == 3
    by_url = {rec["url"]: rec for rec in records}
    conn = sqlite3.connect(db)
    for f, work_body in zip(sorted(findings, key=lambda f: f["document"]["url"]), registered.values()):
        rec = by_url[f["document"]["url"]]
        assert f["document"]["warc_date"] == rec["date"] == f["document"]["fetched_at"]
        assert f["document"]["warc_record_id"] == rec["id"]
        assert f["document"]["path"] == str(warc)
        (stored,) = conn.execute("SELECT text FROM documents WHERE sha256 = ?", [f["document"]["sha256"]]).fetchone()
        for p in f["passages"]:
            copied = words(stored[p["doc_start"]:p["doc_end"]])
            assert len(copied) >= 100 and _contains_run(words(work_body), copied)
        assert "aggregator itself" not in stored[f["passages"][0]["doc_start"]:f["passages"][0]["doc_end"]]


def test_each_record_keeps_its_provenance():
    """Reading a WARC keeps target URI, WARC-Date, record id, payload digest and the record's byte offset."""
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        warc = Path(d) / "two.warc.gz"
        recs = build_warc(warc, [("https://a.example/1", "2025-01-01T00:00:00Z", html_page("One", paragraphs(1))),
                                 ("https://a.example/2", "2025-01-02T00:00:00Z", html_page("Two", paragraphs(2)))])
        docs = list(iter_documents([str(warc)]))
    assert all(isinstance(d, Document) for d in docs) and len(docs) == 2
    assert [d.url for d in docs] == ["https://a.example/1", "https://a.example/2"]
    assert [d.warc_record_id for d in docs] == [r["id"] for r in recs]
    assert all(d.payload_digest and d.payload_digest.startswith("sha1:") for d in docs)
    assert docs[0].offset < docs[1].offset and docs[0].source_format == "warc"
    assert "Originally published by" in docs[0].extra_text and "Originally published" not in docs[0].text


def test_malformed_record_is_reported_with_its_offset_and_the_rest_is_read(tmp_path):
    """A damaged record in the middle of a plain WARC is one located error; the records after it still read."""
    warc = tmp_path / "damaged.warc"
    pages = [(f"https://a.example/{i}", "2025-01-01T00:00:00Z", html_page(f"Page {i}", paragraphs(i)))
             for i in range(3)]
    build_warc(warc, pages, gzip=False, extra_records=False)
    data = bytearray(warc.read_bytes())
    second = data.find(b"WARC/1.", data.find(b"https://a.example/1") - 400)
    data[second:second + 7] = b"GARBAGE"  # the second response's version line
    warc.write_bytes(bytes(data))
    items = list(iter_documents([str(warc)]))
    docs = [i for i in items if isinstance(i, Document)]
    errors = [str(i) for i in items if not isinstance(i, Document)]
    assert [d.url for d in docs] == ["https://a.example/0", "https://a.example/2"]
    assert len(errors) == 1 and errors[0].startswith(f"{warc}: record at offset {second}: malformed record")


def test_oversize_and_bomb_payloads_are_bounded(tmp_path):
    """A payload over --max-doc-bytes, or a small gzip body that inflates past it, is one located error."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    warc = tmp_path / "big.warc.gz"
    bomb = gzip.compress(b"<p>" + b"a " * 3_000_000 + b"</p>")
    with open(warc, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        big = html_page("Big", ["word " * 40_000])
        for url, body, extra in (("https://a.example/big", big.encode(), []),
                                 ("https://a.example/bomb", bomb, [("Content-Encoding", "gzip")]),
                                 ("https://a.example/ok", html_page("Ok", paragraphs(5)).encode(), [])):
            h = StatusAndHeaders("200 OK", [("Content-Type", "text/html")] + extra, protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=h))
    items = list(iter_documents([str(warc)], ReadOptions(max_doc_bytes=100_000)))
    errors = [str(i) for i in items if not isinstance(i, Document)]
    assert [i.url for i in items if isinstance(i, Document)] == ["https://a.example/ok"]
    assert len(errors) == 2 and all("oversize payload" in e and "record at offset" in e for e in errors)


def test_charset_from_http_header_and_meta(tmp_path):
    """A windows-1252 page labelled by its HTTP header or its meta tag decodes to the right characters."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    body = " ".join(paragraphs(3, n=1)) + " Caf\xe9 cr\xe8me \u2014 na\xefve."
    warc = tmp_path / "cp1252.warc"
    with open(warc, "wb") as fh:
        w = WARCWriter(fh, gzip=False)
        for url, ctype, meta in (("https://a.example/h", "text/html; charset=windows-1252", ""),
                                 ("https://a.example/m", "text/html", "<meta charset='windows-1252'>")):
            html = f"<html><head>{meta}<title>T</title></head><body><article><p>{body}</p></article></body></html>"
            h = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            w.write_record(w.create_warc_record(url, "response", payload=io.BytesIO(html.encode("cp1252")),
                                                http_headers=h))
    docs = list(iter_documents([str(warc)]))
    assert len(docs) == 2 and all("Caf\xe9 cr\xe8me \u2014 na\xefve." in d.text for d in docs)


def test_every_shared_archive_scans_without_a_crash(cli_run, registered):
    """Every real WARC and ARC file (the malformed ones too) scans; each problem is one line with file and offset."""
    folder = need_shared("data", "warc")
    r = cli_run("scan", folder, "--workers", "1", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    problems = [ln for ln in lines if ln.startswith("Warning: ")]
    assert lines[-1].startswith("Scanned ") and len(lines) == len(problems) + 1
    expected = {"bad.arc: record at offset 134", "bad.arc: record at offset 262",
                "example-trunc.warc: record at offset",
                "example-wrong-chunks.warc.gz: record at offset 516", "example-bad-non-chunked.warc.gz: gzip member at"}
    for needle in expected:
        assert any(needle in p for p in problems), needle
    assert f"Errors: {len(problems)}" in lines[-1]


def test_arc_records_have_no_record_id_but_keep_url_and_date():
    """ARC captures keep their URL and date; warcio's made-up record ids are not passed off as real ones."""
    arc = need_shared("data", "warc", "example.arc.gz")
    (doc,) = [d for d in iter_documents([str(arc)]) if isinstance(d, Document)]
    assert doc.source_format == "arc" and doc.url == "http://example.com/"
    assert doc.warc_date == "2014-02-16T05:02:21Z" and doc.warc_record_id is None


def test_hostile_bytes_in_a_record_cannot_reach_the_terminal(tmp_path):
    """Control characters from a damaged record (an escape sequence in a header line) are escaped in the
    error message, which stays one line."""
    warc = tmp_path / "evil.warc"
    build_warc(warc, [("https://a.example/0", "2025-01-01T00:00:00Z", html_page("P", paragraphs(1)))],
               gzip=False, extra_records=False)
    warc.write_bytes(warc.read_bytes() + b"\x1b[2J\x1b]0;pwned\x07 not a record\r\n\r\n")
    items = list(iter_documents([str(warc)]))
    (err,) = [str(i) for i in items if not isinstance(i, Document)]
    assert "\x1b" not in err and "\x07" not in err and "\n" not in err and "\\x1b[2J" in err


def test_damaged_gzip_member_costs_one_record(tmp_path):
    """In a record-per-member gzipped WARC, a damaged member is one located error and the members after it
    are still read."""
    warc = tmp_path / "crawl.warc.gz"
    build_warc(warc, [(f"https://a.example/{i}", "2025-01-01T00:00:00Z", html_page(f"P{i}", paragraphs(i)))
                      for i in range(4)], extra_records=False)
    data = bytearray(warc.read_bytes())
    starts = [i for i in range(len(data) - 2) if data[i:i + 3] == b"\x1f\x8b\x08"]
    data[starts[2] + 10] = 0xFF  # the second response's first deflate block: reserved type, invalid
    warc.write_bytes(bytes(data))
    items = list(iter_documents([str(warc)]))
    assert [i.url for i in items if isinstance(i, Document)] == ["https://a.example/0", "https://a.example/2",
                                                                  "https://a.example/3"]
    (err,) = [str(i) for i in items if not isinstance(i, Document)]
    assert err.startswith(f"{warc}: record at offset {starts[2]}: ") and len(err) < 400
