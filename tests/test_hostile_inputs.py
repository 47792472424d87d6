"""Hostile and broken input: each bad file is one clear error naming it (and the record), the rest is scanned.

Crawled content is adversarial.  Every class of bad input from issue 9 has a
test here; gzip and entity bombs, catastrophic regexes and deep nesting are
run against a clock (and, for the bombs, a memory bound measured in a child
process), so that a regression shows up as a failure, not as a hung suite.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, RULES, need_shared
from inputs_helpers import PUBLISHER, build_warc, html_page, paragraphs, write_works

from compliance.errors import InputError, RulesError
from compliance.inputs import ReadOptions, finish_document, is_pending, iter_documents
from compliance.models import Document


def _read(*paths: Path, **opts) -> tuple[list[Document], list[str]]:
    """Documents (extracted) and error lines of some inputs, read as a scan reads them."""
    docs, errors = [], []
    for item in iter_documents([str(p) for p in paths], ReadOptions(**opts)):
        if isinstance(item, Document) and is_pending(item):
            item = finish_document(item)
        (errors if isinstance(item, InputError) else docs).append(item if isinstance(item, Document) else str(item))
    return docs, errors


@pytest.fixture
def works(tmp_path: Path) -> dict[str, str]:
    return write_works(tmp_path / "works", 2)


@pytest.fixture
def registered(cli_run, tmp_path: Path, works) -> dict[str, str]:
    r = cli_run("register", tmp_path / "works", "--publisher", PUBLISHER)
    assert r.exit_code == 0, r.stderr
    return works


def _copy_page(works: dict[str, str]) -> str:
    """A page copying a registered work: the scan must still find it beside the bad inputs."""
    return " ".join(paragraphs(77, n=1)) + "\n\n" + works["story-0"]


def _gzip_bomb(path: Path, prefix: bytes, gigabytes: float = 1.0) -> None:
    """A ~1 MB gzip file: *prefix* (so that the file sniffs as its format), then *gigabytes* of spaces.

    Written as repeated gzip members (one stream to a reader), so the test never holds 1 GB itself.
    """
    member = gzip.compress(b" " * (16 << 20), 9)
    with open(path, "wb") as fh:
        fh.write(gzip.compress(prefix))
        for _ in range(int(gigabytes * 64)):
            fh.write(member)


# ---------------------------------------------------------------- gzip: truncated, corrupt, bombs

def test_truncated_and_corrupt_gzip_are_located_errors_and_the_scan_goes_on(cli_run, registered, tmp_path):
    """A truncated .txt.gz, a corrupt .html.gz, a truncated .jsonl.gz and a corrupt .warc.gz each end in one
    warning naming the file; the good page beside them is still scanned and its copy found."""
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    good = gzip.compress(_copy_page(registered).encode())
    (crawl / "a-truncated.txt.gz").write_bytes(good[: len(good) // 2])
    corrupt = bytearray(gzip.compress(html_page("x", paragraphs(3)).encode() * 20))
    for i in range(40, len(corrupt) - 20, 97):
        corrupt[i] ^= 0x5A
    (crawl / "b-corrupt.html.gz").write_bytes(bytes(corrupt))
    rows = "".join(json.dumps({"url": f"https://x.example/{i}", "text": " ".join(paragraphs(i))}) + "\n"
                   for i in range(30))
    z = gzip.compress(rows.encode())
    (crawl / "c-truncated.jsonl.gz").write_bytes(z[: len(z) * 2 // 3])
    zc = bytearray(z)
    for i in range(len(zc) // 3, len(zc) // 2, 13):
        zc[i] ^= 0xFF
    (crawl / "d-corrupt.jsonl.gz").write_bytes(bytes(zc))
    w = tmp_path / "w.warc.gz"
    build_warc(w, [(f"https://m.example/{i}", "2025-01-01T00:00:00Z", html_page("p", paragraphs(i))) for i in range(4)])
    wb = bytearray(w.read_bytes())
    for i in range(len(wb) // 2, len(wb) // 2 + 40):
        wb[i] ^= 0xFF
    (crawl / "e-corrupt.warc.gz").write_bytes(bytes(wb))
    (crawl / "z-good.txt").write_text(_copy_page(registered), encoding="utf-8")
    r = cli_run("scan", crawl, "--workers", "1", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert "Traceback" not in r.stderr
    for name in ("a-truncated.txt.gz", "b-corrupt.html.gz", "c-truncated.jsonl.gz", "d-corrupt.jsonl.gz",
                 "e-corrupt.warc.gz"):
        assert re.search(rf"^Warning: {re.escape(str(crawl / name))}: ", r.stderr, re.M), (name, r.stderr)
    assert "damaged gzip stream" in r.stderr
    assert re.search(r"e-corrupt\.warc\.gz: (record|gzip member) at offset \d+", r.stderr)
    found = json.loads(r.stdout)
    assert [f["document"]["path"] for f in found] == [str(crawl / "z-good.txt")]


_BOMB_CHILD = r"""
import resource, sys, time
from pathlib import Path
from compliance.inputs import ReadOptions, iter_documents, finish_document, is_pending
t = time.monotonic()
out = []
for item in iter_documents(sys.argv[1:], ReadOptions(max_doc_bytes=16 << 20)):
    if not isinstance(item, Exception) and is_pending(item):
        item = finish_document(item)
    out.append(str(item) if isinstance(item, Exception) else "DOC")
print(repr(out))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, round(time.monotonic() - t, 2))
"""


def test_gzip_bombs_are_refused_with_bounded_memory_and_time(tmp_path):
    """1 GB of zeros in a ~1 MB gzip, as a text page, an HTML page, a JSON Lines export and a feed: each is
    refused at --max-doc-bytes (16 MB) after inflating at most that much; the child process's peak memory
    stays under 300 MB (reading them whole would need 1 GB each) and it ends within 30 s."""
    paths = []
    for name, prefix in (("bomb.txt.gz", b"words "), ("bomb.html.gz", b"<html><body><p>"),
                         ("bomb.jsonl.gz", b'{"url": "https://x.example/", "text": "'),
                         ("bomb.rss.gz", b'<?xml version="1.0"?><rss><channel><item><description>')):
        _gzip_bomb(tmp_path / name, prefix)
        paths.append(str(tmp_path / name))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-c", _BOMB_CHILD, *paths], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    listing, usage = r.stdout.strip().splitlines()
    errors = eval(listing)  # noqa: S307 - our own child's repr of a list of strings
    peak_mb, seconds = usage.split()
    assert len(errors) == 4 and all("DOC" != e for e in errors), errors
    for path, err in zip(paths, errors):
        assert err.startswith(path + ":") and "oversize" in err, err
    assert int(peak_mb) < 300, f"peak RSS {peak_mb} MB"
    assert float(seconds) < 30


# ---------------------------------------------------------------- WARC and ARC framing

def test_warc_with_wrong_content_length_is_located_and_later_records_are_read(tmp_path):
    """A record whose Content-Length is too short, and one whose length is not a number: each is an error
    naming the file and the record's byte offset, and the records after them are still read."""
    pages = [(f"https://m.example/{i}", "2025-01-01T00:00:00Z", html_page(f"Page {i}", paragraphs(300 + i)))
             for i in range(4)]
    w = tmp_path / "plain.warc"
    build_warc(w, pages, gzip=False, extra_records=False)
    data = w.read_bytes()
    lengths = [m for m in re.finditer(rb"Content-Length: (\d+)\r\n", data)]
    short = lengths[1]  # the first response record: its length cut by 200 bytes
    data = data[: short.start(1)] + str(int(short.group(1)) - 200).encode() + data[short.end(1):]
    bad = list(re.finditer(rb"Content-Length: (\d+)\r\n", data))[3]  # the third response: not a number
    data = data[: bad.start(1)] + b"12x4" + data[bad.end(1):]
    w.write_bytes(data)
    docs, errors = _read(w)
    assert errors, "a wrong length must be reported"
    assert all(re.match(rf"{re.escape(str(w))}: record at offset \d+: ", e) for e in errors), errors
    urls = {d.url for d in docs}
    assert "https://m.example/3" in urls  # the record after both bad ones
    assert "https://m.example/1" in urls  # the record after the short one


@pytest.mark.shared
@pytest.mark.parametrize("name", ["example-trunc.warc", "example-bad.warc.gz.bad", "example-wrong-chunks.warc.gz",
                                  "bad.arc", "example-bad-non-chunked.warc.gz"])
def test_shared_malformed_archives_are_located_errors_and_the_scan_goes_on(cli_run, registered, tmp_path, name):
    """Each malformed archive of ../shared/data/warc scanned beside a good page: a warning naming the
    archive and a byte offset, no traceback, and the good page's copy is still found."""
    src = need_shared("data", "warc", name)
    good = tmp_path / "good.txt"
    good.write_text(_copy_page(registered), encoding="utf-8")
    r = cli_run("scan", src, good, "--workers", "1", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert "Traceback" not in r.stderr
    assert re.search(rf"^Warning: {re.escape(str(src))}: (record|gzip member) at offset \d+: ", r.stderr, re.M), \
        r.stderr
    assert [f["document"]["path"] for f in json.loads(r.stdout)] == [str(good)]


# ---------------------------------------------------------------- HTML: huge, deep, binary

def test_html_over_50_mb_is_refused_without_reading_it_whole(tmp_path):
    """A 51 MB HTML page is one oversize error naming the file (it is read up to the limit, not to the end)."""
    big = tmp_path / "huge.html"
    chunk = ("<p>" + " ".join(paragraphs(5, n=1)) + "</p>\n").encode()
    with open(big, "wb") as fh:
        fh.write(b"<html><body>")
        while fh.tell() < 51 << 20:
            fh.write(chunk * 200)
        fh.write(b"</body></html>")
    t = time.monotonic()
    docs, errors = _read(big)
    assert not docs and len(errors) == 1
    assert errors[0].startswith(f"{big}: oversize payload: more than {16 << 20} bytes")
    assert time.monotonic() - t < 10


def test_deeply_nested_html_ends_in_text_quickly(tmp_path):
    """100,000 nested <div> (and as many unclosed <b>) around a paragraph: the page's text comes out, in
    bounded time, without a RecursionError or a crash."""
    text = " ".join(paragraphs(41, n=1))
    deep = tmp_path / "deep.html"
    deep.write_text("<html><body>" + "<div>" * 100_000 + f"<p>{text}</p>" + "</div>" * 100_000 + "</body></html>")
    unclosed = tmp_path / "unclosed.html"
    unclosed.write_text("<html><body>" + "<b><i>" * 50_000 + f"<p>{text}</p></body></html>")
    t = time.monotonic()
    docs, errors = _read(deep, unclosed)
    assert time.monotonic() - t < 30
    assert not errors, errors
    assert len(docs) == 2 and all(text[:60] in d.text for d in docs)


def test_binary_posing_as_html_is_a_clear_error(tmp_path):
    """PNG bytes named page.html, and random bytes behind an <html> tag: errors naming the file."""
    png = tmp_path / "page.html"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64)
    masked = tmp_path / "masked.html"
    masked.write_bytes(b"<html><body>" + bytes(range(256)) * 64)
    docs, errors = _read(png, masked)
    assert not docs
    assert errors == [f"{png}: binary data posing as HTML", f"{masked}: binary data posing as HTML"]


# ---------------------------------------------------------------- encodings, NUL, one enormous line

def test_invalid_and_mixed_encodings(tmp_path):
    """Latin-1 in a .txt is an error naming the byte offset; an HTML page mixing UTF-8 and Latin-1 is decoded
    (no crash, its words kept); UTF-16 with a BOM is read; a lone surrogate in JSON is a located error or text."""
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Le caf\xe9 du port est ferm\xe9.".encode("latin-1"))
    mixed = tmp_path / "mixed.html"
    body = " ".join(paragraphs(8, n=1))
    mixed.write_bytes(b"<html><body><p>" + body.encode() + " caf\xe9 ".encode("latin-1") + "naïve".encode()
                      + b"</p></body></html>")
    utf16 = tmp_path / "utf16.html"
    utf16.write_bytes(b"\xff\xfe" + f"<html><body><p>{body}</p></body></html>".encode("utf-16-le"))
    surrogate = tmp_path / "s.jsonl"
    surrogate.write_text('{"url": "https://x.example/", "text": "bad \\ud800 half"}\n', encoding="utf-8")
    docs, errors = _read(latin, mixed, utf16, surrogate)
    assert f"{latin}: invalid UTF-8 at byte 6 (invalid continuation byte)" in errors
    by_path = {d.path: d for d in docs}
    assert body[:50] in by_path[str(mixed)].text and body[:50] in by_path[str(utf16)].text
    assert str(surrogate) in by_path or any(e.startswith(f"{surrogate}: line 1: ") for e in errors)


def test_nul_bytes(cli_run, registered, tmp_path):
    """A NUL at the start of a text file makes it binary (one error); a NUL deep inside a long page is kept
    out of harm: the page is scanned, its copy found, and reports and evidence are written without it."""
    head = tmp_path / "head.txt"
    head.write_bytes(b"\0" + _copy_page(registered).encode())
    deep = tmp_path / "deep.txt"
    filler = " ".join(paragraphs(91, n=40)) + "\n\n"  # past the 8 KiB that binary sniffing reads
    deep.write_bytes((filler + "nul here \0 in text\n\n" + _copy_page(registered)).encode())
    r = cli_run("scan", head, deep, "--workers", "1", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert f"Warning: {head}: binary data, not text" in r.stderr
    (f,) = json.loads(r.stdout)
    assert f["document"]["path"] == str(deep)
    out = tmp_path / "out"
    assert cli_run("report", "--out", out).exit_code == 0
    assert cli_run("evidence", "--all-sites", "--out", out).exit_code == 0
    for p in out.rglob("*"):
        if p.is_file():
            assert b"\0" not in p.read_bytes() or p.suffix == ".json", p


def test_one_enormous_line(tmp_path):
    """A 6 MB page on one line (no newline at all) is read in bounded time; a 20 MB one is refused at
    --max-doc-bytes; a JSON Lines row longer than its limit is a located error and the next row is read."""
    line = (" ".join(paragraphs(5, n=1)) + " ") * ((6 << 20) // 600)
    big = tmp_path / "line.txt"
    big.write_text(line[: 6 << 20], encoding="utf-8")
    huge = tmp_path / "huge.txt"
    huge.write_text(line * 4, encoding="utf-8")
    export = tmp_path / "rows.jsonl"
    export.write_text(json.dumps({"url": "https://x.example/1", "text": "y " * 200_000}) + "\n"
                      + json.dumps({"url": "https://x.example/2", "text": " ".join(paragraphs(6))}) + "\n")
    t = time.monotonic()
    docs, errors = _read(big, huge, export, max_doc_bytes=16 << 20)
    assert time.monotonic() - t < 20
    assert [d.path for d in docs if d.path == str(big)] == [str(big)]
    assert any(e.startswith(f"{huge}: oversize payload") for e in errors)
    docs2, errors2 = _read(export, max_doc_bytes=64 << 10)
    assert errors2 == [f"{export}: line 1: oversize row: more than {2 * (64 << 10) + 4096} bytes "
                       "(raise --max-doc-bytes to read it)"]
    assert [d.url for d in docs2] == ["https://x.example/2"]


def test_a_scan_of_one_enormous_line_finishes(cli_run, registered, tmp_path):
    """The matcher on a 3 MB single line that embeds a copy: found, in bounded time."""
    page = tmp_path / "one-line.txt"
    filler = " ".join(paragraphs(8, n=1)) + " "
    page.write_text(filler * 3000 + registered["story-1"].replace("\n", " ") + " " + filler * 100, encoding="utf-8")
    t = time.monotonic()
    r = cli_run("scan", page, "--workers", "1", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert [f["work"]["id"] for f in json.loads(r.stdout)] == ["story-1"]
    assert time.monotonic() - t < 60


# ---------------------------------------------------------------- feeds: entity expansion

def test_billion_laughs_feed_is_bounded_and_named(tmp_path):
    """The classic "billion laughs" feed (10 levels of 10 nested entities, 10^9 expansions) and a quadratic
    blow-up (one 50 KB entity used 50,000 times): each ends within 10 s with an error naming the file, and
    no item carries the expanded text."""
    lol = tmp_path / "lol.rss"
    ents = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    lol.write_text(f'<?xml version="1.0"?><!DOCTYPE rss [{ents}]><rss version="2.0"><channel><title>t</title>'
                   f"<item><title>x</title><link>https://x.example/</link><description>&lol9;</description></item>"
                   "</channel></rss>")
    quad = tmp_path / "quad.rss"
    quad.write_text(f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "{"a" * 50_000}">]><rss version="2.0">'
                    f"<channel><item><link>https://x.example/q</link><description>{'&a;' * 50_000}</description>"
                    "</item></channel></rss>")
    t = time.monotonic()
    docs, errors = _read(lol, quad)
    assert time.monotonic() - t < 10
    assert any(e.startswith(f"{lol}: ") and "entit" in e for e in errors), errors
    assert any(e.startswith(f"{quad}: ") for e in errors), errors
    assert all(len(d.text) < 1_000_000 for d in docs)


# ---------------------------------------------------------------- JSON Lines, empty inputs, loops

def test_jsonl_bad_rows_are_located_by_line_and_the_good_rows_read(tmp_path):
    """Not JSON, not an object, wrong types, no page, a path leaving the folder, a NUL in a path: one error
    per bad line naming the file and line number; the good rows are documents."""
    export = tmp_path / "crawl.jsonl"
    good = {"url": "https://x.example/ok", "text": " ".join(paragraphs(3))}
    lines = ["{not json", "[1, 2]", json.dumps({"url": 5, "text": 7}), json.dumps({"url": "https://x.example/n"}),
             json.dumps({"path": "../../etc/passwd"}), json.dumps({"path": "a\u0000b"}), "", json.dumps(good),
             json.dumps({"html": 12}), '{"text": "' + "x" * 10 + '"', json.dumps(good | {"url": "https://x.example/2"})]
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    docs, errors = _read(export)
    assert [d.url for d in docs] == ["https://x.example/ok", "https://x.example/2"]
    numbered = [int(re.match(rf"{re.escape(str(export))}: line (\d+): ", e).group(1)) for e in errors]
    assert numbered == [1, 2, 3, 4, 5, 6, 9, 10], errors
    assert "leaves the folder" in errors[4]


def test_empty_inputs(cli_run, registered, tmp_path, runner):
    """An empty file, an empty gzip, an empty WARC, an empty feed, an empty folder and empty stdin: each a
    clear one-line error naming it (and exit 2, a tool error, when nothing at all was read)."""
    empties = {"e.txt": b"", "e.txt.gz": gzip.compress(b""), "e.warc": b"", "e.rss": b"", "e.jsonl": b"",
               "spaces.html": b"   \n\t\n"}
    for name, data in empties.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "nothing").mkdir()
    docs, errors = _read(*(tmp_path / n for n in empties), tmp_path / "nothing")
    assert not docs
    for name in ("e.txt", "e.txt.gz", "e.warc", "spaces.html"):
        assert any(e.startswith(f"{tmp_path / name}: ") and "empty" in e for e in errors), (name, errors)
    r = cli_run("scan", "-", "--workers", "1", input="")
    assert r.exit_code == 2 and "Error: <stdin>: empty input" in r.stderr
    r = cli_run("scan", tmp_path / "e.txt", "--workers", "1")
    assert r.exit_code == 2 and f"Error: {tmp_path / 'e.txt'}: empty" in r.stderr


def test_directory_loops_through_symlinks(cli_run, registered, tmp_path):
    """A folder holding a symlink to itself and two symlinks to each other's parents: each page is read once,
    each loop is one error, and the scan (and a register of the same tree) ends."""
    top = tmp_path / "crawl"
    (top / "a" / "b").mkdir(parents=True)
    (top / "a" / "b" / "page.txt").write_text(_copy_page(registered), encoding="utf-8")
    (top / "a" / "b" / "up").symlink_to(top)
    (top / "self").symlink_to(top)
    (top / "a" / "twin").symlink_to(top / "a")
    t = time.monotonic()
    docs, errors = _read(top)
    assert [d.path for d in docs] == [str(top / "a" / "b" / "page.txt")]
    assert len(errors) == 3 and all("directory loop" in e for e in errors)
    r = cli_run("scan", top, "--workers", "1", "--format", "json")
    assert r.exit_code == 0 and len(json.loads(r.stdout)) == 1
    loop = tmp_path / "wloop"
    loop.mkdir()
    shutil.copy(tmp_path / "works" / "story-1.txt", loop / "w.txt")
    (loop / "again").symlink_to(loop)
    r = cli_run("register", loop, "--publisher", PUBLISHER)
    assert r.exit_code == 0 and "directory loop" in r.stderr
    assert time.monotonic() - t < 30


# ---------------------------------------------------------------- rules are user input too

def _rules_copy(tmp_path: Path) -> Path:
    dst = tmp_path / "rules"
    shutil.copytree(RULES, dst)
    return dst


_REDOS_CHILD = r"""
import sys, time
from pathlib import Path
from compliance.rules import load_rules
from compliance.attribution import is_commercial
from compliance.models import Document
rules = load_rules(Path(sys.argv[1]))
text = "a" * 200_000 + "!"
t = time.monotonic()
is_commercial(Document(text=text, path="x"), rules.signals)
for q in rules.false_positives.quotes:
    q.spans(("— " + "a" * 50 + " (@aaaa) " + "a" * 200 + "!\n") * 200)
print(round(time.monotonic() - t, 3))
"""


def test_catastrophic_regex_in_a_rule_cannot_hang_a_scan(cli_run, registered, tmp_path):
    """Rules patterns run on RE2 (linear time, no backtracking): `(a+)+$` in a page-signal rule and in the
    quoted-speech rule, run on 200,000 'a' and a '!' (which Python's backtracking `re` would take
    longer than the age of the universe on), finish in seconds; a whole scan with those rules too.
    Patterns RE2 cannot run in linear time (backreferences, look-around) are refused at load."""
    rules = _rules_copy(tmp_path)
    sig = rules / "signals" / "commercial.toml"
    sig.write_text(sig.read_text().replace("patterns = [", "patterns = [\n  '(a+)+$', '(x|x)*y', '(a|aa)+b',"))
    qs = rules / "false-positives" / "quoted-speech.toml"
    qs.write_text(qs.read_text().replace("embedded_post_patterns = [", "embedded_post_patterns = [\n  '(a+)+$',"))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run([sys.executable, "-c", _REDOS_CHILD, str(rules)], capture_output=True, text=True, env=env,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert float(r.stdout) < 10
    page = tmp_path / "aaaa.txt"
    page.write_text(_copy_page(registered) + "\n\n" + "a" * 100_000 + "!\n", encoding="utf-8")
    t = time.monotonic()
    res = cli_run("scan", page, "--workers", "1", "--format", "json", rules=rules)
    assert res.exit_code == 0, res.stderr
    assert len(json.loads(res.stdout)) == 1 and time.monotonic() - t < 60
    sig.write_text(sig.read_text().replace("'(a+)+$',", "'(a+)\\1', '(?=a)b',"))
    with pytest.raises(RulesError) as exc:
        from compliance.rules import load_rules

        load_rules(rules)
    assert exc.value.problems and all("is not valid RE2 syntax" in p and str(sig) in p for p in exc.value.problems)
    assert len(exc.value.problems) == 2


def test_rule_files_with_wrong_types_unknown_keys_and_duplicate_ids_are_rejected_at_once(tmp_path):
    """Three broken files (a wrong type, an unknown key, a duplicate id): one RulesError listing all three
    problems, each naming its file and key."""
    from compliance.rules import load_rules

    rules = _rules_copy(tmp_path)
    wrong = rules / "licences" / "cc-by-4.0.toml"
    wrong.write_text(wrong.read_text().replace("reuse = true", 'reuse = "yes"'))
    unknown = rules / "publishers" / "default.toml"
    unknown.write_text(unknown.read_text().replace('kind = "publisher"', 'kind = "publisher"\nexcerpt_words = 40'))
    dup = rules / "licences" / "copy-of-cc0.toml"
    dup.write_text((rules / "licences" / "cc0-1.0.toml").read_text())
    with pytest.raises(RulesError) as exc:
        load_rules(rules)
    problems = exc.value.problems
    assert len(problems) == 3, problems
    assert any(p.startswith(f"{wrong}: key 'reuse' must be true or false") for p in problems)
    assert any(p.startswith(f"{unknown}: unknown key 'excerpt_words'") for p in problems)
    assert any(p.startswith(f"{dup}: duplicate rule id") for p in problems)


def test_sniffing_hostile_heads_takes_linear_time(tmp_path):
    """Heads that made the content sniffers' regular expressions backtrack (found by benchmarks/fuzz.py):
    many empty comments before no root tag (exponential: 2^n ways to group them), a feed repeating an
    unclosed DOCTYPE subset and an entity declaration followed by 200,000 spaces (both quadratic).  Each file is read, or refused, in well under a second."""
    comments = tmp_path / "comments.bin"
    comments.write_bytes(b"<!---->" * 300 + b"x" * 100)
    payload = tmp_path / "comments.warc"
    body = b"<!---->" * 300 + b"y"
    payload.write_bytes(b"WARC/1.0\r\nWARC-Type: resource\r\nWARC-Target-URI: https://x.example/\r\n"
                        b"WARC-Record-ID: <urn:uuid:1>\r\nContent-Type: application/octet-stream\r\n"
                        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body + b"\r\n\r\n")
    doctype = tmp_path / "doctype.rss"
    doctype.write_bytes(b"<!DOCTYPE a [" * 200_000)
    feed = tmp_path / "late.rss"
    feed.write_bytes(b"<rss>" + b"<!DOCTYPE a [" * 200_000)
    spaces = tmp_path / "spaces.rss"  # `<!ENTITY\s+%?\s*name` was quadratic on a run of spaces
    spaces.write_bytes(b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY' + b" " * 200_000 + b"]><rss></rss>")
    for p in (comments, payload, doctype, feed, spaces):
        t = time.monotonic()
        _read(p)
        assert time.monotonic() - t < 3, p


# ---------------------------------------------------------------- reports cannot be used against their reader

_EVIL = "<script>alert(1)</script><img src=x onerror=alert(2)>\u202egpj.exe\x1b[31m"


def test_reports_in_every_format_are_inert_and_stay_in_their_folder(cli_run, tmp_path):
    """A work whose id and URL try to climb out of the reports folder, copied by pages whose URL, title and
    text carry script, event handlers, a javascript: link, bidi overrides, terminal escapes and spreadsheet
    formulas.  In every output (scan JSONL, summary HTML/MD/JSON/CSV, evidence HTML/MD/JSON/TXT, SARIF,
    JUnit): no script tag or javascript: link, no bidi override or control character outside JSON strings,
    no CSV cell that starts a formula, every file inside the output folder with a plain name."""
    import csv
    import xml.etree.ElementTree as ET

    body = "\n\n".join(paragraphs(4242))
    (tmp_path / "w.txt").write_text(f"A story\n\n{body}\n\n© 2025 {PUBLISHER}. All rights reserved.\n", encoding="utf-8")
    manifest = tmp_path / "works.jsonl"
    manifest.write_text(json.dumps({"id": "../../../../tmp/evil-work", "path": "w.txt", "publisher": PUBLISHER,
                                    "title": f"=HYPERLINK(\"http://x.example\") {_EVIL}",
                                    "url": "https://pub.example/../../etc/passwd"}) + "\n")
    assert cli_run("register", "--manifest", manifest).exit_code == 0
    crawl = tmp_path / "crawl"
    crawl.mkdir()
    rows = [{"url": "javascript:alert(3)//../../x", "title": f"+cmd|' /C calc'!A0 {_EVIL}",
             "text": f"@SUM(1+1) {_EVIL}\n\n{body}"},
            {"url": "https://evil.example/%2e%2e/%2e%2e/<script>/..\\..\\win", "title": f"-2+3 {_EVIL}",
             "html": f"<html><head><title>{_EVIL}</title></head><body><p>=1+2 {_EVIL}</p>"
                     + "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
                     + "<script>document.write('pwned')</script><a href='javascript:alert(4)'>x</a></body></html>"}]
    (crawl / "rows.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    scan = cli_run("scan", crawl, "--workers", "1", "--format", "jsonl")
    assert scan.exit_code == 0 and len(scan.stdout.splitlines()) == 2, scan.stderr
    out = tmp_path / "out"
    out.mkdir()
    assert cli_run("report", "--out", out).exit_code == 0
    ev = cli_run("evidence", "--all-sites", "--out", out)
    assert ev.exit_code == 0, ev.stderr
    assert cli_run("check", crawl, "--no-store", "--format", "sarif", "-o", out / "c.sarif").exit_code == 1
    assert cli_run("check", crawl, "--no-store", "--format", "junit", "-o", out / "c.xml").exit_code == 1
    (out / "findings.jsonl").write_text(scan.stdout, encoding="utf-8")

    before = {p.name for p in tmp_path.iterdir()}
    assert before <= {"w.txt", "works.jsonl", "crawl", "out", "registry.db", "registry.db-wal", "registry.db-shm",
                      "registry.db.index"}, before
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) >= 10
    kinds = set()
    for p in files:
        assert p.resolve().is_relative_to(out.resolve())
        assert re.fullmatch(r"[A-Za-z0-9._-]+", p.name), p
        text = p.read_text(encoding="utf-8")
        kinds.add(p.suffix)
        if p.suffix in (".json", ".jsonl", ".sarif"):
            # JSON keeps the evidence verbatim, as escaped strings: nothing in it runs or moves a cursor
            for line in (text.splitlines() if p.suffix == ".jsonl" else [text]):
                json.loads(line)
            assert "\x1b" not in text
            continue
        assert "\u202e" not in text and "\x1b" not in text, p
        low = text.lower()
        if p.suffix == ".html":
            import lxml.html

            root = lxml.html.document_fromstring(text)
            for el in root.iter():
                assert el.tag not in ("script", "iframe", "object", "embed", "img") or el.tag == "img" and \
                    str(el.get("src", "")).startswith("data:"), (p, el.tag)
                for name, value in el.attrib.items():
                    assert not name.lower().startswith("on"), (p, el.tag, name)
                    assert not value.strip().lower().startswith(("javascript:", "data:text")), (p, name, value)
            assert "Content-Security-Policy" in text and re.search(r"default-src (?:'|&#39;)none", text)
        if p.suffix == ".md":
            assert "<script" not in low and "<img" not in low, p
        if p.suffix == ".xml":
            ET.fromstring(text.encode())
            assert "<script" not in low
        if p.suffix == ".csv":
            for row in csv.reader(text.splitlines()):
                for cell in row:
                    assert not cell[:1] in ("=", "+", "-", "@", "\t", "\r"), (p, cell)
    assert {".html", ".md", ".json", ".csv", ".txt", ".sarif", ".xml", ".jsonl"} <= kinds, kinds


def test_names_the_file_system_refuses_are_errors_not_crashes(tmp_path):
    """A JSON Lines row whose path is 5,000 characters long (found by benchmarks/fuzz.py: ENAMETOOLONG escaped
    the reader), and such a name given as an input itself: each one located error, the good row still read."""
    export = tmp_path / "rows.jsonl"
    export.write_text(json.dumps({"path": "a" * 5000}) + "\n"
                      + json.dumps({"url": "https://x.example/ok", "text": " ".join(paragraphs(5))}) + "\n")
    docs, errors = _read(export, tmp_path / ("b" * 5000))
    assert [d.url for d in docs] == ["https://x.example/ok"]
    assert len(errors) == 2 and errors[0].startswith(f"{export}: line 1: path 'aaaa")
    assert errors[1].startswith(str(tmp_path / "bbbb")) and "cannot read" in errors[1]
