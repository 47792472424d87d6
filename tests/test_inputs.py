"""Crawl inputs: whatever shape a crawl arrives in, the scan reads it by its content and keeps provenance."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter

from conftest import need_shared
from inputs_helpers import PUBLISHER, build_warc, html_page, paragraphs, write_works

from compliance.extract import extract_html
from compliance.inputs import READERS, ReadOptions, iter_documents, reader_for
from compliance.models import Document


def _docs(items: list) -> list[Document]:
    return [i for i in items if isinstance(i, Document)]


def _errors(items: list) -> list[str]:
    return [str(i) for i in items if not isinstance(i, Document)]


def test_readers_are_chosen_by_content_not_only_by_name(tmp_path):
    """Files without telling extensions still reach the right reader: WARC, feed, JSONL, HTML, text."""
    build_warc(tmp_path / "capture.bin", [("https://a.example/", "2025-01-01T00:00:00Z", html_page("A", ["x"]))])
    (tmp_path / "feed.data").write_text('<?xml version="1.0"?>\n<!-- partner -->\n<rss version="2.0"><channel>'
                                        "</channel></rss>", encoding="utf-8")
    (tmp_path / "export").write_text('{"url": "https://a.example/", "text": "hello"}\n', encoding="utf-8")
    (tmp_path / "page").write_text("<!DOCTYPE html><html><body><p>hi</p></body></html>", encoding="utf-8")
    (tmp_path / "notes").write_text("Just words.\n", encoding="utf-8")
    (tmp_path / "page.html.gz").write_bytes(gzip.compress(b"<html><body><p>hi</p></body></html>"))
    got = {name: reader_for(tmp_path / name)[0] for name in ("capture.bin", "feed.data", "export", "page", "notes",
                                                              "page.html.gz")}
    assert got == {"capture.bin": "warc", "feed.data": "feed", "export": "jsonl", "page": "html", "notes": "text",
                   "page.html.gz": "html"}
    assert [r[0] for r in READERS] == ["warc", "feed", "jsonl", "html", "text"]


def test_jsonl_rows_give_documents_and_located_errors(tmp_path):
    """JSON Lines rows with text, html or a relative path become documents with their URL and capture time;
    bad rows are one located error each, and a path may not leave the export's folder."""
    (tmp_path / "sub" / "pages").mkdir(parents=True)
    (tmp_path / "sub" / "pages" / "p.html").write_text(html_page("P", paragraphs(7)), encoding="utf-8")
    (tmp_path / "outside.txt").write_text("secret", encoding="utf-8")
    rows = [{"url": "https://t.example/1", "fetched_at": "2025-01-01T00:00:00Z", "text": "Plain\r\ntext row."},
            {"url": "https://t.example/2", "html": html_page("H", paragraphs(8))},
            {"url": "https://t.example/3", "fetched_at": "2025-01-03T00:00:00Z", "path": "pages/p.html"},
            {"url": "https://t.example/4", "path": "../outside.txt"},
            {"url": "https://t.example/5"}]
    export = tmp_path / "sub" / "crawl.jsonl"
    export.write_text("\n".join(json.dumps(r) for r in rows) + "\n{broken\n", encoding="utf-8")
    items = list(iter_documents([str(export)]))
    docs = _docs(items)
    assert [d.url for d in docs] == ["https://t.example/1", "https://t.example/2", "https://t.example/3"]
    assert docs[0].text == "Plain\r\ntext row." and docs[0].fetched_at == "2025-01-01T00:00:00Z"
    assert docs[1].source_format == "jsonl" and "Originally published by" in docs[1].extra_text
    assert docs[2].fetched_at == "2025-01-03T00:00:00Z" and docs[2].path.endswith("pages/p.html")
    assert _errors(items) == [f"{export}: line 4: path '../outside.txt' leaves the folder of the JSONL file; skipped",
                              f"{export}: line 5: row has none of text, html or path",
                              f"{export}: line 6: not JSON (JSONDecodeError: Expecting property name enclosed "
                              "in double quotes: line 1 column 2 (char 1))"]


def test_folder_with_a_crawl_export_reads_each_page_once_with_its_url(cli_run, tmp_path):
    """Scanning a crawl folder whose pages.jsonl names its pages reads each page once, through the export."""
    works = write_works(tmp_path / "works", 1)
    cli_run("register", tmp_path / "works", "--publisher", PUBLISHER)
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    body = list(works.values())[0].split("\n\n")
    (crawl / "a-copy.html").write_text(html_page("Copy", body), encoding="utf-8")
    (crawl / "z-other.txt").write_text(" ".join(paragraphs(31)), encoding="utf-8")
    (crawl / "pages.jsonl").write_text(json.dumps({"path": "a-copy.html", "url": "https://copy.example/a",
                                                   "fetched_at": "2025-02-02T00:00:00Z"}) + "\n", encoding="utf-8")
    r = cli_run("scan", crawl, "--workers", "1", "--format", "json")
    assert r.exit_code == 0, r.stderr
    (f,) = json.loads(r.stdout)
    assert f["document"]["url"] == "https://copy.example/a" and f["document"]["fetched_at"] == "2025-02-02T00:00:00Z"
    assert "Scanned 2 document(s)" in r.stderr


def test_stdin_takes_any_format(cli_run, tmp_path):
    """`-` reads standard input by its content: a gzipped WARC piped in is scanned record by record."""
    works = write_works(tmp_path / "works", 1)
    cli_run("register", tmp_path / "works", "--publisher", PUBLISHER)
    warc = tmp_path / "in.warc.gz"
    build_warc(warc, [("https://pipe.example/x", "2025-01-05T00:00:00Z",
                       html_page("Piped", list(works.values())[0].split("\n\n")))])
    from click.testing import CliRunner
    from conftest import RULES

    from compliance.cli import cli

    r = CliRunner().invoke(cli, ["--db", str(tmp_path / "registry.db"), "--rules", str(RULES), "scan", "-",
                                 "--workers", "1", "--format", "json"], input=warc.read_bytes())
    assert r.exit_code == 0, r.stderr
    (f,) = json.loads(r.stdout)
    assert f["document"]["path"] == "<stdin>" and f["document"]["url"] == "https://pipe.example/x"


def test_extraction_keeps_the_body_and_puts_footer_credits_aside():
    """The body is extracted without navigation; footer notices and credits go to extra_text, not the body."""
    paras = paragraphs(12)
    ex = extract_html(html_page("Title here", paras, footer="© 2025 Copycat Aggregator Inc. All rights reserved."))
    for p in paras:
        assert p in ex.text
    assert "Home" not in ex.text and "Sport" not in ex.text
    assert "© 2025 Copycat Aggregator Inc. All rights reserved." in ex.extra_text.splitlines()
    assert f"Originally published by {PUBLISHER}." in ex.extra_text.splitlines()
    assert ex.title == "Title here"


def test_hostile_html_is_bounded(tmp_path):
    """Deeply nested markup, unclosed scripts and a binary file posing as HTML end in text or a clear error."""
    deep = tmp_path / "deep.html"
    deep.write_text("<html><body>" + "<div>" * 200_000 + "<p>inside</p>" + "</div>" * 200_000 + "</body></html>")
    scripts = tmp_path / "scripts.html"
    scripts.write_text("<html><body><p>" + " ".join(paragraphs(2, n=1)) + "</p>" + "<script>x" * 50_000 + "</body>")
    binary = tmp_path / "fake.html"
    binary.write_bytes(bytes(range(256)) * 100)
    items = list(iter_documents([str(deep), str(scripts), str(binary)]))
    assert len(items) == 3
    assert isinstance(items[1], Document) and paragraphs(2, n=1)[0][:40] in items[1].text
    assert f"{binary}: binary data posing as HTML" in _errors(items)


def test_max_doc_bytes_bounds_files_too(tmp_path):
    """A file larger than --max-doc-bytes, even a small gzip that inflates, is one error naming the limit."""
    big = tmp_path / "big.txt.gz"
    big.write_bytes(gzip.compress(b"word " * 1_000_000))
    (err,) = list(iter_documents([str(big)], ReadOptions(max_doc_bytes=64_000)))
    assert str(err).startswith(f"{big}: oversize payload") and "--max-doc-bytes" in str(err)


_W = re.compile(r"\w+")


def test_extraction_keeps_most_of_real_article_bodies():
    """On real article pages, the extracted text keeps at least 90 % of the ground-truth body words
    (a sample here; benchmarks/extraction.py measures all 181 pages)."""
    from compliance.reading import decode_html

    folder = need_shared("data", "html", "extraction-benchmark")
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    kept = total = extracted = 0
    for key in sorted(truth)[::6]:
        html = decode_html(gzip.decompress((folder / "html" / f"{key}.html.gz").read_bytes()))
        want = Counter(w.lower() for w in _W.findall(truth[key]["articleBody"]))
        got = Counter(w.lower() for w in _W.findall(extract_html(html, truth[key]["url"]).text))
        kept += sum((want & got).values())
        total += sum(want.values())
        extracted += sum(got.values())
    assert kept / total >= 0.90
    assert kept / extracted >= 0.85


def test_real_pages_scan_without_a_crash(cli_run, tmp_path):
    """Real news pages (a third of ../shared/data/html; all 425 take 5 s) scan; any problem is one line."""
    folder = need_shared("data", "html")
    write_works(tmp_path / "works", 1)
    cli_run("register", tmp_path / "works", "--publisher", PUBLISHER)
    sample = sorted(p for p in folder.rglob("*") if p.is_file())[::3]
    r = cli_run("scan", *sample, "--workers", "2", "--format", "json")
    assert r.exit_code == 0, r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines[-1].startswith("Scanned ") and all(ln.startswith("Warning: ") for ln in lines[:-1])
    assert "Traceback" not in r.stderr


def test_bad_encoding_is_reported_with_its_byte_offset(cli_run, tmp_path):
    """A text page in Latin-1 among good ones is one warning naming the file and the byte offset; the rest scan."""
    write_works(tmp_path / "works", 1)
    cli_run("register", tmp_path / "works", "--publisher", PUBLISHER)
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    (crawl / "a.txt").write_bytes("Le caf\xe9 est ferm\xe9.".encode("latin-1"))
    (crawl / "b.txt").write_text(" ".join(paragraphs(40)), encoding="utf-8")
    r = cli_run("scan", crawl, "--workers", "1")
    assert r.exit_code == 0
    assert f"Warning: {crawl / 'a.txt'}: invalid UTF-8 at byte 6" in r.stderr
    assert "Scanned 1 document(s)" in r.stderr and "Errors: 1" in r.stderr


def test_folder_loops_are_reported_once_and_the_scan_goes_on(tmp_path):
    """A symlink back to a parent folder is one error, and the folder's pages are still read once."""
    crawl = tmp_path / "crawl"
    (crawl / "sub").mkdir(parents=True)
    (crawl / "sub" / "page.txt").write_text(" ".join(paragraphs(3)), encoding="utf-8")
    (crawl / "sub" / "back").symlink_to(crawl)
    items = list(iter_documents([str(crawl)]))
    assert [d.path for d in _docs(items)] == [str(crawl / "sub" / "page.txt")]
    assert _errors(items) == [f"{crawl / 'sub' / 'back'}: directory loop (already visited {crawl.resolve()}); skipped"]
