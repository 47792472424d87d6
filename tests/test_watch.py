"""The repost watch on built WARCs: same URL, same work on the same site, other text; and the CI gate on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cases_helpers import COPYCAT, cli_for, copy_page, other_page, register_works, write_warc
from conftest import RULES
from test_cases import copy_registry


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> dict:
    """Three works; a crawl of 2025-03-01 with copies of story-0 and story-1 on copycat.example; case #1 for them."""
    base = tmp_path_factory.mktemp("watch-seed")
    db = base / "registry.db"
    run = cli_for(db, RULES)

    works = register_works(run, base / "works")
    pages = {"a": copy_page(works["story-0"]["paras"]), "b": copy_page(works["story-1"]["paras"], "Ferry news")}
    write_warc(base / "crawl-1.warc.gz", [
        {"url": f"{COPYCAT}/news/a", "date": "2025-03-01T10:00:00Z", "body": pages["a"]},
        {"url": f"{COPYCAT}/news/b", "date": "2025-03-01T10:05:00Z", "body": pages["b"]},
    ])
    assert run("scan", base / "crawl-1.warc.gz", "--workers", "1").exit_code == 0
    r = run("cases", "open", "--site", "copycat.example", "--at", "2025-03-01T12:00:00Z")
    assert r.stdout == "1\n", r.stderr
    return {"db": db, "works": works, "pages": pages, "base": base}


@pytest.fixture
def env(seeded, tmp_path, monkeypatch):
    monkeypatch.setenv("USER", "alice")
    db = copy_registry(seeded["db"], tmp_path / "registry.db")
    run = cli_for(db, RULES)

    def show() -> dict:
        return json.loads(run("cases", "show", "1", "--format", "json").stdout)

    return {"run": run, "show": show, "tmp": tmp_path, **{k: v for k, v in seeded.items() if k != "db"}}


def _warc(env, name: str, records: list[dict]) -> tuple[Path, list[dict]]:
    path = env["tmp"] / name
    return path, write_warc(path, records)


def test_other_text_at_every_copy_url_closes_the_case_as_removed(env):
    """A copy whose URL later shows other text is gone; when every copy is gone the case closes as removed,
    with the WARC record id and date of the capture that shows it.  An older capture proves nothing."""
    run, show = env["run"], env["show"]
    run("cases", "mark", "1", "sent", "--at", "2025-03-02")
    old, _ = _warc(env, "old.warc.gz", [{"url": f"{COPYCAT}/news/a", "date": "2025-02-01T00:00:00Z",
                                         "body": other_page("Older page")}])
    run("scan", old, "--workers", "1")
    assert all(f["gone"] is None for f in show()["findings"])
    first, recs = _warc(env, "w2.warc.gz", [{"url": f"{COPYCAT}/news/a", "date": "2025-03-10T08:00:00Z",
                                             "body": other_page()}])
    r = run("scan", first, "--workers", "1")
    assert r.exit_code == 0 and "Case #1" not in r.stderr
    c = show()
    assert c["status"] == "sent"
    gone = {f["url"]: f["gone"] for f in c["findings"]}
    assert gone[f"{COPYCAT}/news/a"]["warc_record_id"] == recs[0]["id"]
    assert gone[f"{COPYCAT}/news/a"]["warc_date"] == "2025-03-10T08:00:00Z"
    assert gone[f"{COPYCAT}/news/b"] is None
    second, recs = _warc(env, "w3.warc.gz", [{"url": f"{COPYCAT}/news/b", "date": "2025-03-12T09:30:00Z",
                                              "body": other_page("Ferry timetable")}])
    r = run("scan", second, "--workers", "1")
    assert "Case #1 (copycat.example, Harbor Lantern Media Ltd) closed as removed: " \
           f"{COPYCAT}/news/b now shows other text (capture {recs[0]['id']} of 2025-03-12T09:30:00Z)." in r.stderr
    c = show()
    assert c["status"] == "removed"
    (closing,) = [e for e in c["events"] if e["action"] == "removed"]
    assert (closing["from_status"], closing["to_status"], closing["warc_record_id"], closing["warc_date"],
            closing["at"]) == ("sent", "removed", recs[0]["id"], "2025-03-12T09:30:00Z", "2025-03-12T09:30:00Z")
    assert closing["by"].startswith("scan run ") and closing["run_id"] is not None
    assert "every copy is gone" in closing["note"]


def test_the_same_copy_back_at_the_same_url_reopens_the_case_as_reposted(env):
    """A removed case's copy captured again at its URL (here byte for byte, so the scan skips it as known
    content) reopens the case as reposted; a capture from before the removal does not."""
    run, show = env["run"], env["show"]
    run("cases", "mark", "1", "sent", "--at", "2025-03-02")
    run("cases", "mark", "1", "removed", "--at", "2025-03-05", "--note", "host confirmed by e-mail")
    before, _ = _warc(env, "before.warc.gz", [{"url": f"{COPYCAT}/news/a", "date": "2025-03-04T00:00:00Z",
                                               "body": env["pages"]["a"]}])
    run("scan", before, "--workers", "1")
    assert show()["status"] == "removed"
    again, recs = _warc(env, "again.warc.gz", [{"url": f"{COPYCAT}/news/a", "date": "2025-03-20T10:00:00Z",
                                                "body": env["pages"]["a"]}])
    r = run("scan", again, "--workers", "1")
    assert "1 already scanned" in r.stderr  # identical content: the watch reads its findings back
    assert "reopened as reposted: the removed copy is back at the same URL." in r.stderr
    c = show()
    assert c["status"] == "reposted" and c["allowed"] == ["drafted", "sent", "removed", "rejected"]
    (ev,) = [e for e in c["events"] if e["to_status"] == "reposted"]
    original = next(f["finding"] for f in c["findings"] if f["url"] == f"{COPYCAT}/news/a")
    assert (ev["finding_id"], ev["url"], ev["warc_record_id"], ev["warc_date"]) == (
        original, f"{COPYCAT}/news/a", recs[0]["id"], "2025-03-20T10:00:00Z")


def test_the_same_work_elsewhere_on_the_site_is_a_repost_and_fails_the_gate(env):
    """A removed case's work copied again on the same site, at another URL, reopens the case with the new
    finding; `check --fail-on reposted` exits 1 on it (and with --no-store writes nothing)."""
    run, show = env["run"], env["show"]
    run("cases", "mark", "1", "removed", "--at", "2025-03-05")
    paras = env["works"]["story-0"]["paras"]
    crawl, recs = _warc(env, "moved.warc.gz", [{"url": f"{COPYCAT}/archive/2025/harbor", "date": "2025-04-01T00:00:00Z",
                                                "body": copy_page(paras[:3], "Archive: harbor")}])
    r = run("check", crawl, "--fail-on", "reposted", "--no-store", "--format", "json")
    assert r.exit_code == 1, r.stderr
    out = json.loads(r.stdout)
    assert out["reposted"] == [{"finding": out["findings"][0]["id"], "case": 1}]
    assert out["cases"][0]["case"] == 1 and not out["cases"][0]["stored"]
    assert show()["status"] == "removed"  # --no-store: nothing written
    r = run("check", crawl, "--fail-on", "reposted")
    assert r.exit_code == 1
    assert "reposted (case #1)" in r.stdout and "1 reposted" in r.stdout
    c = show()
    assert c["status"] == "reposted"
    new = [f for f in c["findings"] if f["url"] == f"{COPYCAT}/archive/2025/harbor"]
    assert len(new) == 1 and new[0]["added_by"].startswith("scan run ")
    (ev,) = [e for e in c["events"] if e["to_status"] == "reposted"]
    assert ev["finding_id"] == new[0]["finding"] and ev["warc_record_id"] == recs[0]["id"]
    assert "work story-0 copied again on the same site" in ev["note"]
    sarif = json.loads(run("check", crawl, "--fail-on", "violation", "--no-store", "--format", "sarif").stdout)
    assert sarif["runs"][0]["results"][0]["properties"]["failsGate"] is True


def test_other_works_and_other_sites_are_not_reposts(env):
    """After removal, a copy of a work the case does not hold, or of its work on another site, is a new
    finding and not a repost: the case stays removed and --fail-on reposted passes."""
    run, show = env["run"], env["show"]
    run("cases", "mark", "1", "removed", "--at", "2025-03-05")
    works = env["works"]
    crawl, _ = _warc(env, "others.warc.gz", [
        {"url": f"{COPYCAT}/news/c", "date": "2025-04-01T00:00:00Z", "body": copy_page(works["story-2"]["paras"])},
        {"url": "https://elsewhere.example/a", "date": "2025-04-01T00:00:00Z",
         "body": copy_page(works["story-0"]["paras"])},
    ])
    r = run("check", crawl, "--fail-on", "reposted")
    assert r.exit_code == 0, r.stdout
    assert "2 finding(s) (2 violation)" in r.stdout and "reposted" not in r.stdout.split("PASS")[0]
    assert show()["status"] == "removed"
    assert run("check", crawl).exit_code == 1  # they are still violations


def test_a_scan_sees_cases_changed_while_it_runs(env):
    """The watch reloads its sets when cases change (meta.cases_generation), so a case removed by hand after a
    scan started is watched for reposts from its next batch."""
    from compliance.inputs import iter_documents
    from compliance.registry import Registry
    from compliance.rules import load_rules
    from compliance.scan import ScanOptions, run_scan

    run = env["run"]
    crawl, _ = _warc(env, "late.warc.gz", [
        {"url": "https://unrelated.example/x", "date": "2025-04-01T00:00:00Z", "body": other_page("Weather")},
        {"url": f"{COPYCAT}/news/a2", "date": "2025-04-01T00:00:00Z",
         "body": copy_page(env["works"]["story-0"]["paras"], "Again")},
    ])
    db = env["tmp"] / "registry.db"
    reg = Registry(db)
    marked = []

    def on_document(doc, n):
        if not marked:  # after the first batch (of one document): the case is removed by hand
            run("cases", "mark", "1", "removed", "--at", "2025-03-05")
            marked.append(1)

    summary = run_scan(reg, load_rules(RULES), iter_documents([str(crawl)]), inputs=[str(crawl)],
                       options=ScanOptions(batch_docs=1), on_document=on_document)
    reg.close()
    assert [e["action"] for e in summary.case_events] == ["reposted"]
    assert env["show"]()["status"] == "reposted"


def test_imported_spark_output_runs_the_watch_too(env):
    """`import-findings` (the Spark engine's way into the registry) runs the repost watch on each batch: pages
    that now show other text close the case, with the capture's record id and date."""
    run, show = env["run"], env["show"]
    run("cases", "mark", "1", "sent", "--at", "2025-03-02")
    out = env["tmp"] / "spark-out"
    out.mkdir()
    rows = [{"t": "doc", "bytes": 100, "findings": [],
             "document": {"url": f"{COPYCAT}/news/{x}", "path": "crawl-2.warc.gz", "sha256": "0" * 64,
                          "warc_record_id": f"<urn:uuid:spark-{x}>", "warc_date": "2025-03-15T00:00:00Z",
                          "source_format": "warc"}} for x in ("a", "b")]
    (out / "part-00000").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    r = run("import-findings", out)
    assert r.exit_code == 0, r.stderr
    assert "closed as removed" in r.stderr
    c = show()
    assert c["status"] == "removed"
    (closing,) = [e for e in c["events"] if e["action"] == "removed"]
    assert closing["warc_record_id"] == "<urn:uuid:spark-b>" and closing["warc_date"] == "2025-03-15T00:00:00Z"
