"""Long scans: killed and resumed, repeated, run in parallel, and kept on record in the registry."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, RULES
from inputs_helpers import PUBLISHER, build_warc, html_page, paragraphs, write_works


def _crawl(tmp_path: Path, n: int) -> tuple[Path, Path]:
    """Works folder and a JSONL crawl of *n* pages, every other one copying part of a work."""
    works = list(write_works(tmp_path / "works", 4).values())
    crawl = tmp_path / "crawl.jsonl"
    with open(crawl, "w", encoding="utf-8") as fh:
        for i in range(n):
            intro = " ".join(paragraphs(5000 + i, n=1, per=2))
            if i % 2 == 0:
                parts = works[i % 4].split("\n\n")
                text = f"{intro}\n\n{parts[i % 3]}\n\n{parts[3]}"
            else:
                text = f"{intro}\n\n" + " ".join(paragraphs(9000 + i, n=2))
            fh.write(json.dumps({"url": f"https://copy.example/{i}", "fetched_at": "2025-01-01T00:00:00Z",
                                 "text": text}) + "\n")
    return tmp_path / "works", crawl


def _cmd(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", "from compliance.cli import main; main()", "--db", str(db), "--rules", str(RULES),
            *args]


def _env() -> dict[str, str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def _stored(db: Path) -> dict[str, list]:
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT id, passages FROM findings").fetchall()
    conn.close()
    return {fid: json.loads(p) for fid, p in rows}


def test_killed_scan_resumes_to_the_same_findings_without_duplicates(tmp_path):
    """A scan killed with SIGKILL mid-way and run again ends with exactly the findings of an uninterrupted
    run: same ids and passages, nothing printed twice, and nothing it had printed lost."""
    works, crawl = _crawl(tmp_path, 300)
    full_db, db = tmp_path / "full.db", tmp_path / "killed.db"
    for d in (full_db, db):
        subprocess.run(_cmd(d, "register", str(works), "--publisher", PUBLISHER), check=True, env=_env(),
                       capture_output=True)
    subprocess.run(_cmd(full_db, "scan", str(crawl), "--workers", "2"), check=True, env=_env(), capture_output=True)
    expected = _stored(full_db)
    assert len(expected) == 150

    proc = subprocess.Popen(_cmd(db, "scan", str(crawl), "--workers", "2"), stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=_env(), start_new_session=True)
    printed_before: list[str] = []
    deadline = time.monotonic() + 60
    while len(printed_before) < 20 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        printed_before.append(json.loads(line)["id"])
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL and len(printed_before) == 20
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT status FROM scan_runs").fetchone()[0] == "running"  # killed mid-way
    conn.close()
    assert set(printed_before) <= set(_stored(db))  # nothing reported was lost

    rerun = subprocess.run(_cmd(db, "scan", str(crawl), "--workers", "2"), env=_env(), capture_output=True, text=True,
                           check=True)
    printed_after = [json.loads(ln)["id"] for ln in rerun.stdout.splitlines()]
    assert not set(printed_before) & set(printed_after)
    assert len(printed_after) == len(set(printed_after))
    assert _stored(db) == expected
    conn = sqlite3.connect(db)
    assert [r[0] for r in conn.execute("SELECT status FROM scan_runs ORDER BY id")] == ["interrupted", "done"]
    assert conn.execute("SELECT count(*) FROM scanned").fetchone()[0] == 300  # every page scanned once
    with_findings = conn.execute("SELECT count(DISTINCT document_id) FROM findings").fetchone()[0]
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == with_findings  # pages kept: copies only
    conn.close()


@pytest.fixture
def warc_crawl(cli_run, tmp_path) -> Path:
    """Registered works and a gzipped WARC of six pages, three of them copies, one with no text."""
    works = list(write_works(tmp_path / "works", 3).values())
    cli_run("register", tmp_path / "works", "--publisher", PUBLISHER)
    pages = []
    for i in range(6):
        paras = works[i // 2].split("\n\n")[:3] if i % 2 == 0 else paragraphs(700 + i)
        pages.append((f"https://mirror.example/{i}", f"2025-04-0{i + 1}T00:00:00Z", html_page(f"Page {i}", paras)))
    pages.append(("https://mirror.example/empty", "2025-04-09T00:00:00Z", "<html><body><div></div></body></html>"))
    warc = tmp_path / "mirror.warc.gz"
    build_warc(warc, pages)
    return warc


def test_second_run_scans_nothing_new_and_says_so(cli_run, warc_crawl):
    """Scanning the same WARC again prints no findings and says nothing new was scanned; --rescan scans again."""
    first = cli_run("scan", warc_crawl, "--workers", "2")
    assert first.exit_code == 0 and len(first.stdout.splitlines()) == 3
    again = cli_run("scan", warc_crawl, "--workers", "2")
    assert again.exit_code == 0 and again.stdout == ""
    assert "\r" not in first.stderr + again.stderr  # no progress line when stderr is not a terminal
    assert again.stderr.strip().splitlines()[-1].startswith("Nothing new to scan: 6 already scanned")
    forced = cli_run("scan", warc_crawl, "--rescan", "--workers", "2")
    assert forced.stdout == first.stdout and "Scanned 6 document(s)" in forced.stderr


def test_workers_give_the_same_findings_in_the_same_order(cli_run, warc_crawl, tmp_path):
    """Two workers and one worker print the same findings in the same order (input order)."""
    one = cli_run("scan", warc_crawl, "--workers", "1")
    two = cli_run("scan", warc_crawl, "--workers", "2", "--rescan")
    assert one.exit_code == two.exit_code == 0
    assert one.stdout == two.stdout and len(one.stdout.splitlines()) == 3
    urls = [json.loads(ln)["document"]["url"] for ln in two.stdout.splitlines()]
    assert urls == ["https://mirror.example/0", "https://mirror.example/2", "https://mirror.example/4"]


def test_scan_runs_are_recorded_with_counts_and_located_errors(cli_run, warc_crawl, db):
    """Each run is kept in the registry: start, end, inputs, counts, and each error with its file and offset."""
    r = cli_run("scan", warc_crawl, "--workers", "2")
    assert "Errors: 1" in r.stderr and f"Warning: {warc_crawl}: record at offset" in r.stderr
    conn = sqlite3.connect(db)
    run = conn.execute("SELECT id, started_at, ended_at, status, inputs, documents, findings, errors "
                       "FROM scan_runs").fetchone()
    assert run[1] and run[2] and run[3] == "done" and json.loads(run[4]) == [str(warc_crawl)]
    assert run[5:] == (6, 3, 1)
    (path, offset, message), = conn.execute("SELECT path, offset, message FROM scan_errors WHERE run_id = ?", [run[0]])
    assert path == str(warc_crawl) and offset > 0 and f"offset {offset}: no text found" in message
    conn.close()


def test_progress_shows_on_a_terminal_and_not_when_quiet(tmp_path, warc_crawl, db):
    """On a terminal, stderr shows documents, MB, MB/s and findings as the scan goes; --quiet silences it."""
    import pty

    def stderr_of(*extra: str) -> str:
        master, slave = pty.openpty()
        proc = subprocess.Popen(_cmd(db, "scan", str(warc_crawl), "--rescan", "--workers", "1", *extra),
                                stdout=subprocess.DEVNULL, stderr=slave, env=_env())
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        proc.wait()
        os.close(master)
        return b"".join(chunks).decode("utf-8", "replace")

    shown = stderr_of()
    assert "\r" in shown and "documents" in shown and "MB/s" in shown and "findings" in shown
    assert "Scanned 6 document(s)" in shown
    quiet = stderr_of("--quiet")
    assert "MB/s" not in quiet and "Scanned" not in quiet


def test_a_worker_that_dies_costs_one_document_not_the_scan(cli_run, tmp_path, monkeypatch):
    """If a worker process dies on a document (a parser crash, the OOM killer), that document is reported
    with its location and every other document is still scanned."""
    from compliance.scan import Scanner

    works, crawl = _crawl(tmp_path, 8)
    cli_run("register", works, "--publisher", PUBLISHER)
    rows = crawl.read_text(encoding="utf-8").splitlines()
    bad = json.loads(rows[2])
    bad["text"] += " CRASH-ME"
    rows[2] = json.dumps(bad)
    crawl.write_text("\n".join(rows) + "\n", encoding="utf-8")
    real = Scanner.match_documents
    parent = os.getpid()

    def crashing(self, docs):
        if any("CRASH-ME" in doc.text for doc in docs) and os.getpid() != parent:
            os._exit(3)  # dies like a segfault would: no exception, no cleanup
        return real(self, docs)

    monkeypatch.setattr(Scanner, "match_documents", crashing)
    r = cli_run("scan", crawl, "--workers", "2")
    assert r.exit_code == 0, r.stderr
    assert f"Warning: {crawl} (https://copy.example/2): a worker process died reading this document" in r.stderr
    assert "Scanned 7 document(s)" in r.stderr and "Errors: 1" in r.stderr
    assert len(r.stdout.splitlines()) == 3  # the copies among the other seven documents


def test_second_run_skips_known_captures_before_extracting_them(cli_run, warc_crawl, monkeypatch):
    """Pages whose captured bytes were already scanned are skipped without extracting them again (fast re-runs);
    only the page that had no text, and so was never stored, is read again."""
    assert cli_run("scan", warc_crawl, "--workers", "1").exit_code == 0
    import compliance.extract

    extracted: list[str] = []
    real = compliance.extract.extract_html

    def counting(html, url=None):
        extracted.append(url)
        return real(html, url)

    monkeypatch.setattr(compliance.extract, "extract_html", counting)
    again = cli_run("scan", warc_crawl, "--workers", "1")
    assert again.exit_code == 0 and again.stdout == ""
    assert "Nothing new to scan: 6 already scanned" in again.stderr
    assert extracted == ["https://mirror.example/empty"]


def test_workers_get_their_own_registry_connection():
    """A forked worker replaces every reference to the parent's registry (bound methods too) with its own."""
    from compliance.scan import _rebind

    class Old:
        def work_info(self):
            return "old"

    class New(Old):
        def work_info(self):
            return "new"

    old, new = Old(), New()
    holder = type("Holder", (), {"__module__": "compliance.fake"})()
    inner = type("Inner", (), {"__module__": "compliance.fake"})()
    holder.registry, holder.inner, inner.lookup, inner.loop = old, inner, old.work_info, holder
    _rebind(holder, old, new)
    assert holder.registry is new and inner.lookup() == "new"
