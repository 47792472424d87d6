"""Cases: open, list, show and mark, every transition, who/when/why rows, evidence for a case, the report's section."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from cases_helpers import COPYCAT, cli_for, copy_page, register_works, write_warc
from click.testing import CliRunner
from conftest import RULES
from inputs_helpers import PUBLISHER

from compliance.cases import MARKS, STATUSES, TRANSITIONS, CaseError, mark_case, parse_at
from compliance.cli import cli
from compliance.registry import Registry


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> Path:
    """A registry with three works and findings on two sites (made once; each test gets a copy)."""
    base = tmp_path_factory.mktemp("cases-seed")
    db = base / "registry.db"
    run = cli_for(db, RULES)

    works = register_works(run, base / "works")
    write_warc(base / "crawl.warc.gz", [
        {"url": f"{COPYCAT}/news/a", "date": "2025-03-01T10:00:00Z", "body": copy_page(works["story-0"]["paras"])},
        {"url": f"{COPYCAT}/news/b", "date": "2025-03-01T10:05:00Z", "body": copy_page(works["story-1"]["paras"])},
        {"url": "https://mirror.example/x", "date": "2025-03-01T11:00:00Z",
         "body": copy_page(works["story-2"]["paras"])},
    ])
    r = run("scan", base / "crawl.warc.gz", "--workers", "1", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert len(json.loads(r.stdout)) == 3
    return db


def copy_registry(src: Path, dst: Path) -> Path:
    """A consistent copy of a registry in WAL mode (SQLite's backup API, not a file copy)."""
    import sqlite3

    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    a.close()
    b.close()
    return dst


@pytest.fixture
def case_db(seeded, tmp_path) -> Path:
    return copy_registry(seeded, tmp_path / "registry.db")


@pytest.fixture
def run(case_db, monkeypatch):
    """Run `compliance --db <copy> ...` as user 'alice'."""
    monkeypatch.setenv("USER", "alice")
    runner = CliRunner()

    def _run(*args):
        return runner.invoke(cli, ["--db", str(case_db), "--rules", str(RULES)] + [str(a) for a in args],
                             catch_exceptions=False)

    return _run


def _finding(run, url: str) -> str:
    rows = json.loads(run("report", "--format", "json", "--stdout").stdout)
    return next(f["id"] for p in rows["publishers"] for s in p["sites"] for f in s["findings"]
                if f["document"]["url"] == url)


def test_open_by_site_groups_the_sites_findings_in_one_case(run):
    """`cases open --site` opens one case per site and publisher, holding every violation on the site."""
    r = run("cases", "open", "--site", "copycat.example", "--note", "weekly sweep")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "1\n"
    assert "Opened case #1 for copycat.example (Harbor Lantern Media Ltd) with 2 finding(s)." in r.stderr
    (c,) = json.loads(run("cases", "list", "--format", "json").stdout)
    assert (c["case"], c["site"], c["publisher"], c["status"], c["findings"], c["urls"]) == (
        1, "copycat.example", PUBLISHER, "open", 2, 2)
    assert c["opened_by"] == "alice"


def test_open_by_finding_reuses_the_sites_case(run):
    """A finding opens the case of its site and publisher; opening again adds nothing twice."""
    fid = _finding(run, f"{COPYCAT}/news/a")
    r = run("cases", "open", fid[:8])
    assert r.exit_code == 0 and r.stdout == "1\n"
    fid_b = _finding(run, f"{COPYCAT}/news/b")
    r = run("cases", "open", fid_b)
    assert r.stdout == "1\n" and "gained 1 finding(s)" in r.stderr
    r = run("cases", "open", fid_b)
    assert "already holds these findings" in r.stderr
    r = run("cases", "open", "--site", "mirror.example", "--format", "json")
    (opened,) = json.loads(r.stdout)
    assert opened["case"] == 2 and opened["created"] and len(opened["added"]) == 1
    assert [c["case"] for c in json.loads(run("cases", "list", "--format", "json").stdout)] == [1, 2]


def test_open_needs_a_finding_or_a_site(run):
    """Neither or both of FINDING and --site is a usage error; an unknown site names the sites with violations."""
    assert run("cases", "open").exit_code == 2
    r = run("cases", "open", "--site", "nowhere.example")
    assert r.exit_code == 2 and "copycat.example" in r.stderr and "Traceback" not in r.output


@pytest.mark.parametrize("start", STATUSES)
def test_every_transition(case_db, start):
    """From each status, exactly the transitions of the table are allowed; every other one is refused,
    naming the allowed ones, and changes nothing."""
    from compliance.cases import open_cases

    reg = Registry(case_db)
    open_cases(reg, site="copycat.example", by="alice")
    for target in MARKS:
        reg.db.execute("UPDATE cases SET status = ? WHERE id = 1", [start])
        events = reg.db.execute("SELECT count(*) FROM case_events").fetchone()[0]
        if target in TRANSITIONS[start]:
            event = mark_case(reg, 1, target, by="bob", note=f"{start} to {target}")
            assert (event["from_status"], event["to_status"], event["by"]) == (start, target, "bob")
            assert reg.db.execute("SELECT status FROM cases WHERE id = 1").fetchone()[0] == target
        else:
            with pytest.raises(CaseError) as info:
                mark_case(reg, 1, target, by="bob")
            allowed = ", ".join(TRANSITIONS[start]) or "nothing"
            assert f"case #1 is {start}: it cannot be marked {target}. Allowed from {start}: {allowed}." \
                == str(info.value)
            assert reg.db.execute("SELECT status FROM cases WHERE id = 1").fetchone()[0] == start
            assert reg.db.execute("SELECT count(*) FROM case_events").fetchone()[0] == events
    reg.close()


def test_mark_records_who_when_and_why(run, monkeypatch):
    """Each change is a row: who ($USER, or --by), when (--at, or now) and why (--note)."""
    run("cases", "open", "--site", "copycat.example")
    r = run("cases", "mark", "1", "drafted")
    assert r.exit_code == 0 and "Case #1: open -> drafted (by alice" in r.stderr
    r = run("cases", "mark", "#1", "sent", "--note", "DMCA notice to abuse@copycat.example", "--at", "2025-03-02",
            "--by", "Bob Rights")
    assert r.exit_code == 0
    r = run("cases", "mark", "case-1", "acknowledged", "--at", "2025-03-04T09:30:00+01:00", "--format", "json")
    event = json.loads(r.stdout)
    assert event["at"] == "2025-03-04T08:30:00Z" and event["by"] == "alice"
    shown = json.loads(run("cases", "show", "1", "--format", "json").stdout)
    marks = [(e["from_status"], e["to_status"], e["by"], e["note"])
             for e in sorted(shown["events"], key=lambda e: e["id"]) if e["action"] == "marked"]
    assert marks == [("open", "drafted", "alice", None),
                     ("drafted", "sent", "Bob Rights", "DMCA notice to abuse@copycat.example"),
                     ("sent", "acknowledged", "alice", None)]
    sent = next(e for e in shown["events"] if e["to_status"] == "sent")
    assert sent["at"] == "2025-03-02T00:00:00Z" and sent["recorded_at"] >= "2025"
    assert shown["status"] == "acknowledged" and shown["allowed"] == ["removed", "rejected"]
    text = run("cases", "show", "1").stdout
    assert "Status: acknowledged (may be marked: removed, rejected)" in text and "Bob Rights" in text


def test_invalid_transition_exits_2_naming_the_allowed_ones(run):
    """Marking a case into a status its current one does not allow is exit 2, with the allowed ones named."""
    run("cases", "open", "--site", "copycat.example")
    run("cases", "mark", "1", "sent")
    r = run("cases", "mark", "1", "drafted")
    assert r.exit_code == 2
    assert r.stderr.strip() == ("Error: case #1 is sent: it cannot be marked drafted. "
                                "Allowed from sent: acknowledged, removed, rejected.")
    assert run("cases", "mark", "1", "opened").exit_code == 2  # not a status at all (click's choice)
    r = run("cases", "mark", "9", "sent")
    assert r.exit_code == 2 and "case #9 not found" in r.stderr


def test_bad_at_dates_are_refused():
    """--at takes a date or an ISO time, never one in the future."""
    assert parse_at("2025-01-31") == "2025-01-31T00:00:00Z"
    for bad in ("yesterday", "2025-02-30", "2999-01-01"):
        with pytest.raises(CaseError):
            parse_at(bad)


def test_list_filters_and_formats(run):
    """`cases list` filters by status and publisher, and prints a table, JSON or CSV."""
    run("cases", "open", "--site", "copycat.example")
    run("cases", "open", "--site", "mirror.example")
    run("cases", "mark", "2", "sent")
    assert [c["case"] for c in json.loads(run("cases", "list", "--status", "sent", "--format", "json").stdout)] == [2]
    assert json.loads(run("cases", "list", "--publisher", "Nobody", "--format", "json").stdout) == []
    table = run("cases", "list").stdout
    assert "copycat.example" in table and "mirror.example" in table and "status_since" in table
    csv_text = run("cases", "list", "--format", "csv").stdout
    assert csv_text.splitlines()[0].startswith("case,site,publisher,status,status_since")
    assert len(csv_text.splitlines()) == 3
    assert run("cases", "list", "--status", "removed").stdout.strip() == "No cases."


def test_evidence_for_a_case_is_recorded_with_its_manifest_hash(run, tmp_path):
    """`evidence --case` writes the case's packet and records its folder and manifest SHA-256 in the case."""
    run("cases", "open", "--site", "copycat.example")
    out = tmp_path / "reports"
    r = run("evidence", "--case", "1", "--out", out)
    assert r.exit_code == 0, r.stderr
    folder = out / "evidence" / "case-1"
    manifest = folder / "manifest.json"
    digest = hashlib.sha256(manifest.read_bytes()).hexdigest()
    assert f"Recorded in case #1: {folder}, manifest.json SHA-256 {digest}." in r.stderr
    packet = json.loads((folder / "evidence.json").read_text())
    assert packet["provenance"]["scope"]["case"] == 1 and packet["totals"]["findings"] == 2
    assert "Case #1" in (folder / "evidence.md").read_text()
    shown = json.loads(run("cases", "show", "1", "--format", "json").stdout)
    assert shown["packets"] == [{"at": shown["packets"][0]["at"], "by": "alice", "packet": str(folder),
                                 "manifest_sha256": digest}]
    assert run("evidence", "--verify", folder).exit_code == 0
    assert run("evidence", "--case", "7", "--out", out).exit_code == 2


def test_report_has_a_cases_section_with_a_chart(run, tmp_path, case_db):
    """The report counts open cases by status and age, the median days from sent to removed, and reposts;
    the HTML page draws open cases as inline SVG charts."""
    run("cases", "open", "--site", "copycat.example", "--at", "2025-01-01")
    run("cases", "open", "--site", "mirror.example")
    run("cases", "mark", "1", "sent", "--at", "2025-03-01")
    run("cases", "mark", "1", "removed", "--at", "2025-03-05T12:00:00Z")
    run("cases", "mark", "1", "reposted", "--note", "seen again by hand")
    run("cases", "mark", "2", "sent", "--at", "2025-03-01")
    out = tmp_path / "reports"
    assert run("report", "--out", out).exit_code == 0
    summary = json.loads((out / "summary.json").read_text())
    cs = summary["cases"]
    assert cs["total"] == 2 and cs["open"] == 2
    assert cs["median_days_sent_to_removed"] == 4.5 and cs["removals_after_sending"] == 1
    assert [r["case"] for r in cs["reposts"]] == [1]
    assert {b["status"]: b["count"] for b in cs["by_status"]} == {"sent": 1, "reposted": 1}
    assert cs["ages"]["over 90 days"] == 1
    html = (out / "summary.html").read_text()
    assert 'id="svg-cases"' in html and 'id="svg-case-ages"' in html and 'id="median-sent-removed">4.5<' in html
    md = (out / "summary.md").read_text()
    assert "## Cases" in md and "median days from sent to removed: 4.5" in md


def test_cases_section_escapes_hostile_values(run, tmp_path, case_db):
    """A note or site from the crawl cannot inject markup into the report."""
    run("cases", "open", "--site", "copycat.example")
    run("cases", "mark", "1", "removed")
    reg = Registry(case_db)
    with reg.db.atomic():
        reg.db.execute("UPDATE cases SET site = '<img src=x onerror=alert(1)>' WHERE id = 1")
    reg.close()
    run("cases", "mark", "1", "reposted", "--note", "<script>alert(1)</script> [x](javascript:alert(1))")
    out = tmp_path / "reports"
    run("report", "--out", out)
    html = (out / "summary.html").read_text()
    assert "<script>alert" not in html and "<img src=x" not in html and "&lt;script&gt;" in html
    md = (out / "summary.md").read_text()
    assert "<script>" not in md and "](javascript" not in md


def test_cases_help_and_readme():
    """`cases` and its subcommands have help with examples, and the README documents them."""
    from conftest import ROOT

    runner = CliRunner()
    for args in (["cases"], ["cases", "open"], ["cases", "list"], ["cases", "show"], ["cases", "mark"]):
        r = runner.invoke(cli, args + ["--help"])
        assert r.exit_code == 0 and "Example" in r.stdout, args
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for cmd in ("compliance cases open", "compliance cases list", "compliance cases show", "compliance cases mark",
                "compliance evidence --case", "check --fail-on reposted"):
        assert cmd in readme, cmd
