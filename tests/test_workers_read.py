"""Scan workers read the crawl's files themselves (issue 13): the parent walks the folders and hands each plain
file on as a path; the worker that scans it opens, decodes and hashes it.  Findings, errors and their
locations stay what they were when the parent read everything."""

from __future__ import annotations

import gzip
import os
import shutil
import sqlite3
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pytest
from conftest import CORPUS, RULES, jsonl
from inputs_helpers import PUBLISHER, build_warc, html_page, paragraphs, write_works

import compliance.inputs
from compliance.inputs import FileRef, ReadOptions, iter_documents, iter_inputs, read_one
from compliance.models import Document

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forked workers: Linux")


def _crawl(folder: Path, works: list[str], n: int = 12) -> list[Path]:
    """*n* pages (text, HTML, gzipped text), every other one copying a passage of a work."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        parts = [" ".join(paragraphs(7000 + i, n=1, per=2))]
        if i % 2 == 0:
            parts += works[i % len(works)].split("\n\n")[:2]
        if i % 3 == 1:
            path = folder / f"page-{i:02d}.html"
            path.write_text(html_page(f"Page {i}", parts), encoding="utf-8")
        elif i % 3 == 2:
            path = folder / f"page-{i:02d}.txt.gz"
            path.write_bytes(gzip.compress("\n\n".join(parts).encode("utf-8")))
        else:
            path = folder / f"page-{i:02d}.txt"
            path.write_text("\n\n".join(parts), encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def crawl(tmp_path: Path, cli_run, db: Path) -> tuple[Path, list[Path]]:
    """A registry of three works (the cli_run db) and a crawl folder of twelve pages."""
    works = write_works(tmp_path / "works", 3)
    assert cli_run("register", tmp_path / "works", "--publisher", PUBLISHER).exit_code == 0
    return tmp_path / "crawl", _crawl(tmp_path / "crawl", list(works.values()))


def _copy_registry(db: Path, copy: Path) -> Path:
    """A copy of the registry as it is, write-ahead log included (the registering process may still hold it)."""
    src, dst = sqlite3.connect(db), sqlite3.connect(copy)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return copy


def _scan(db: Path, items: Iterable, workers: int, on_document: Callable | None = None,
          **options) -> tuple[list[dict], list[str], object]:
    """run_scan on a copy of the registry: the findings (as printed), the errors, the summary."""
    from compliance.registry import Registry
    from compliance.rules import load_rules
    from compliance.scan import ScanOptions, run_scan

    copy = _copy_registry(db, db.with_name(f"{db.stem}-{workers}-{len(list(db.parent.glob('*.db')))}.db"))
    found: list[dict] = []
    errors: list[str] = []
    with Registry(copy, create=False) as registry:
        summary = run_scan(registry, load_rules(RULES), items, inputs=["crawl"],
                           options=ScanOptions(workers=workers, **options),
                           on_finding=lambda f: found.append(f.to_dict()), on_error=lambda e: errors.append(str(e)),
                           on_document=on_document)
    summary.db = copy  # type: ignore[attr-defined]
    return found, errors, summary


def _spy_reads(monkeypatch, log: Path) -> None:
    """Record which process opens which file (inherited by the forked workers; appended, one line each)."""
    real = compliance.inputs._head

    def head(path):  # noqa: ANN001, ANN202
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{os.getpid()}\t{path}\n")
        return real(path)

    monkeypatch.setattr(compliance.inputs, "_head", head)


def _reads(log: Path) -> list[tuple[int, str]]:
    return [(int(pid), path) for pid, path in (line.split("\t") for line in log.read_text().splitlines())]


def test_plain_files_are_handed_on_unread_and_archives_are_read_by_the_walk(tmp_path):
    """iter_inputs hands text and HTML files on as FileRefs (with their size) and reads a WARC and a JSON Lines
    export by name, record by record; iter_documents still reads every file."""
    folder = tmp_path / "crawl"
    folder.mkdir()
    (folder / "a.txt").write_text("Just words.\n", encoding="utf-8")
    (folder / "b.html").write_text(html_page("B", paragraphs(1)), encoding="utf-8")
    build_warc(folder / "c.warc.gz", [("https://c.example/", "2025-01-01T00:00:00Z", html_page("C", paragraphs(2)))])
    (folder / "d.jsonl").write_text('{"url": "https://d.example/", "text": "A row."}\n', encoding="utf-8")
    items = list(iter_inputs([str(folder)], ReadOptions(defer_extraction=True)))
    refs = [i for i in items if isinstance(i, FileRef)]
    html_size = (folder / "b.html").stat().st_size
    assert [(Path(r.path).name, r.size) for r in refs] == [("a.txt", 12), ("b.html", html_size)]
    assert [d.url for d in items if isinstance(d, Document)] == ["https://c.example/", "https://d.example/"]
    assert all(r.path == str(folder / Path(r.path).name) for r in refs)  # spelled as the walk always spelled them
    docs = list(iter_documents([str(folder)]))
    assert [Path(d.path).name for d in docs] == ["a.txt", "b.html", "c.warc.gz", "d.jsonl"]
    assert read_one(refs[0]).text == "Just words.\n"


def test_a_warc_saved_as_txt_comes_back_to_be_read_record_by_record(tmp_path):
    """read_one answers None for a file whose content holds many documents (a WARC named .txt): the scan reads
    it in the parent, record by record, instead of in one worker as one page."""
    build_warc(tmp_path / "capture.txt", [("https://a.example/", "2025-01-01T00:00:00Z", html_page("A", ["x y z"]))])
    (ref,) = iter_inputs([str(tmp_path / "capture.txt")])
    assert isinstance(ref, FileRef) and read_one(ref) is None


def test_the_parent_walks_and_the_workers_read_every_file(crawl, db, tmp_path, monkeypatch):
    """With two workers (batches of four) the parent opens none of the crawl's pages: each is read once, by a
    worker; the findings are those of one worker (which reads in-process), in the same order."""
    folder, pages = crawl
    log = tmp_path / "reads.log"
    _spy_reads(monkeypatch, log)
    one, errors_one, _ = _scan(db, iter_inputs([str(folder)], ReadOptions(defer_extraction=True)), 1)
    log.unlink()
    two, errors_two, summary = _scan(db, iter_inputs([str(folder)], ReadOptions(defer_extraction=True)), 2,
                                     batch_docs=4)
    reads = _reads(log)
    assert Counter(path for _, path in reads) == Counter(str(p) for p in pages)  # each page once
    assert os.getpid() not in {pid for pid, _ in reads}  # none by the parent
    assert len({pid for pid, _ in reads}) == 2  # both workers read
    assert two == one and errors_two == errors_one == [] and summary.documents == len(pages)
    assert len(one) == 6


def test_a_file_gone_before_its_worker_reads_it_is_an_error_naming_it_and_the_scan_goes_on(crawl, db, tmp_path,
                                                                                           monkeypatch):
    """A page removed after the walk found it is reported by the worker that tried to read it, with the file
    and the problem, stored with the run; every other page is scanned and its findings kept."""
    folder, pages = crawl
    victim = pages[0]  # copies a work: its findings must go, the others stay
    before, _, _ = _scan(db, iter_inputs([str(folder)]), 1)
    log = tmp_path / "reads.log"
    _spy_reads(monkeypatch, log)

    def gone_after_the_walk(items: Iterable) -> Iterator:
        for item in items:
            yield item
            if isinstance(item, FileRef) and item.path == str(victim):
                victim.unlink()

    found, errors, summary = _scan(db, gone_after_the_walk(iter_inputs([str(folder)])), 2)
    assert errors == [f"{victim}: no such file"]
    assert found == [f for f in before if f["document"]["path"] != str(victim)] and len(found) < len(before)
    assert summary.documents == len(pages) - 1 and summary.errors == 1
    assert os.getpid() not in {pid for pid, path in _reads(log) if path == str(victim)}  # a worker found it gone
    conn = sqlite3.connect(summary.db)
    assert conn.execute("SELECT path, message FROM scan_errors").fetchall() == [(str(victim), errors[0])]
    conn.close()


def test_a_worker_that_dies_on_a_file_costs_that_file_only(crawl, db, monkeypatch):
    """A worker that dies on a page it read (batches of two, so that each worker also holds one batch sent
    ahead) costs that page alone, reported with its file; the batch sent ahead is scanned by another worker."""
    from compliance.scan import Scanner

    folder, pages = crawl
    victim = pages[3]
    before, _, _ = _scan(db, iter_inputs([str(folder)]), 1)
    victim.write_text(victim.read_text(encoding="utf-8") + " CRASH-ME", encoding="utf-8")
    real = Scanner.match_documents
    parent = os.getpid()

    def crashing(self, docs):  # noqa: ANN001, ANN202
        if any("CRASH-ME" in d.text for d in docs) and os.getpid() != parent:
            os._exit(3)  # dies like a segfault would
        return real(self, docs)

    monkeypatch.setattr(Scanner, "match_documents", crashing)
    found, errors, summary = _scan(db, iter_inputs([str(folder)]), 2, batch_docs=2)
    assert errors == [f"{victim}: a worker process died reading this document (crash or out of memory); skipped"]
    assert found == [f for f in before if f["document"]["path"] != str(victim)]
    assert summary.documents == len(pages) - 1


def test_pages_without_findings_come_back_without_their_text_only_when_the_caller_says_so(crawl, db):
    """With document_text=False (the scan command) a worker sends back a page it read and found nothing in
    without its text: the parent gets its hashes and size, stores the same 'scanned' markers and the same
    findings; by default every document reaches on_document whole."""
    folder, pages = crawl
    markers = "SELECT document_sha256, raw_sha256, findings FROM scanned ORDER BY 1"
    seen: dict[bool, list[tuple[str, str, int]]] = {True: [], False: []}
    runs = {}
    for whole in (True, False):
        runs[whole] = _scan(db, iter_inputs([str(folder)], ReadOptions(defer_extraction=True)), 2,
                            on_document=lambda d, n, w=whole: seen[w].append((d.text, d.sha256, n)),
                            batch_docs=4, document_text=whole)
    assert runs[False][0] == runs[True][0] and runs[False][2].bytes == runs[True][2].bytes
    assert [sha for _, sha, _ in seen[False]] == [sha for _, sha, _ in seen[True]]
    assert all(text for text, _, _ in seen[True])
    assert [bool(text) for text, _, n in seen[False]] == [n > 0 for _, _, n in seen[False]]
    stored = [sqlite3.connect(runs[w][2].db).execute(markers).fetchall() for w in (True, False)]
    assert stored[0] == stored[1] and len(stored[0]) == len(pages)


def test_findings_and_errors_are_the_same_with_one_and_two_workers(cli_run, db, tmp_path):
    """On the corpus crawl, with a WARC saved as .txt, an HTML page and unreadable files beside it, `scan`
    prints the same findings in the same order with one and two workers, and the same errors."""
    assert cli_run("register", CORPUS / "works").exit_code == 0
    folder = tmp_path / "crawl"
    shutil.copytree(CORPUS / "crawl", folder)
    harbor = (CORPUS / "crawl" / "harborpost-bank.txt").read_text(encoding="utf-8").split("\n\n")
    build_warc(folder / "capture.txt", [("https://mirror.example/a", "2025-02-01T00:00:00Z",
                                         html_page("Mirror", harbor[:4]))])
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "latin1.txt").write_bytes("caf\xe9 au lait".encode("latin-1"))
    _copy_registry(db, tmp_path / "two.db")
    one = cli_run("scan", folder, "--workers", "1", "--format", "jsonl")
    two = cli_run("--db", tmp_path / "two.db", "scan", folder, "--workers", "2", "--format", "jsonl")
    assert one.exit_code == two.exit_code == 0, two.stderr
    assert two.stdout == one.stdout
    assert any(f["document"]["url"] == "https://mirror.example/a" for f in jsonl(one.stdout))

    def warnings(r) -> list[str]:  # noqa: ANN001
        return sorted(line for line in r.stderr.splitlines() if line.startswith("Warning:"))

    assert warnings(two) == warnings(one) and len(warnings(one)) == 3
    assert f"Warning: {folder / 'binary.txt'}: binary data, not text" in warnings(one)
