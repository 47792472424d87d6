"""The CI gate: a pipeline checks a partner feed and fails on copies, in the format its CI reads."""

from __future__ import annotations

import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from test_report import EMAIL, P1, P2, P3, TITLE, WORK, Story, build_story

SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"

CLEAN = ("Council approves new cycle lanes\n\nThe town council voted on Thursday to paint cycle lanes on four streets "
         "near the school, after parents asked for safer routes in a petition signed by six hundred people.\n")


@pytest.fixture(scope="module")
def feed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Story, Path]:
    """A registry (the story) and a partner feed folder: one clean page, one copy, one page with two copies."""
    story = build_story(tmp_path_factory.mktemp("check"))
    d = story.root / "feed"
    d.mkdir()
    (d / "clean.txt").write_text(CLEAN, encoding="utf-8")
    (d / "copy.txt").write_text("Island news\n\nBy a staff writer\n\n" + P1 + "\n\n" + P2 + "\n", encoding="utf-8")
    (d / "twice.txt").write_text("Morning digest\n\n" + P3 + "\n\n" + CLEAN + "\n" + CLEAN.replace("four", "five")
                                 + "\n" + P1 + "\n", encoding="utf-8")
    return story, d


def test_clean_feed_passes_with_exit_0(feed):
    """A feed with no copies passes the gate."""
    story, d = feed
    r = story.run("check", d / "clean.txt")
    assert r.exit_code == 0, r.output
    assert r.stdout == ("PASS: 1 document(s) checked, 0 finding(s) (none), 0 at or above --fail-on violation.\n")


def test_copy_fails_the_gate_with_exit_1(feed):
    """A copied article fails the gate, and the line names the file, the span, the work and the rights contact."""
    story, d = feed
    r = story.run("check", d)
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    assert lines[-1].startswith("FAIL: 3 document(s) checked, 2 finding(s) (2 violation), 2 at or above")
    copy_line = next(ln for ln in lines if "copy.txt" in ln)
    assert copy_line.startswith(f"FAIL {d / 'copy.txt'}:") and f"'{TITLE}'" in copy_line and EMAIL in copy_line


def test_gate_fails_again_on_a_second_run(feed):
    """Checking the same feed twice fails twice: the gate never trusts an earlier scan."""
    story, d = feed
    assert story.run("check", d / "copy.txt").exit_code == 1
    assert story.run("check", d / "copy.txt").exit_code == 1


def test_fail_on_levels():
    """--fail-on violation fails only on violations; --fail-on review also on findings that need review."""
    from compliance.ci import CheckResult, reaches

    assert reaches("violation", "violation") and not reaches("review", "violation")
    assert reaches("review", "review") and reaches("violation", "review")
    assert not reaches("licensed", "review") and not reaches("permitted-excerpt", "review")
    r = CheckResult(inputs=["x"], fail_on="violation", findings=[{"verdict": "review"}])
    assert r.exit_code == 0
    r.fail_on = "review"
    assert r.exit_code == 1
    r.findings = [{"verdict": "licensed"}, {"verdict": "permitted-excerpt"}]
    assert r.exit_code == 0
    r.errors = ["bad.txt: binary data"]
    assert r.exit_code == 2, "an input that could not be checked is not clean"


def test_tool_errors_exit_2(feed, tmp_path):
    """A missing registry, invalid rules, or only unreadable inputs exit 2 with a one-line error naming the file."""
    story, d = feed
    from click.testing import CliRunner

    from compliance.cli import cli

    r = CliRunner().invoke(cli, ["--db", str(tmp_path / "none.db"), "check", str(d)])
    assert r.exit_code == 2 and r.stderr.startswith(f"Error: {tmp_path / 'none.db'}: registry not found")
    bad_rules = tmp_path / "rules"
    bad_rules.mkdir()
    (bad_rules / "x.toml").write_text("id = 1\nkind = [\n")
    r = CliRunner().invoke(cli, ["--db", str(story.db), "--rules", str(bad_rules), "check", str(d)])
    assert r.exit_code == 2 and "x.toml" in r.stderr
    r = story.run("check", tmp_path / "missing.txt")
    assert r.exit_code == 2
    assert f"Error: {tmp_path / 'missing.txt'}: no such file or directory" in r.stderr
    assert r.stdout.splitlines()[-1].startswith("ERROR: 0 document(s) checked")


def test_a_violation_outranks_an_unreadable_input(feed, tmp_path):
    """With a violation and an unreadable input, the gate exits 1 and still reports the input error."""
    story, d = feed
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    r = story.run("check", d / "copy.txt", binary, "--format", "json")
    assert r.exit_code == 1
    data = json.loads(r.stdout)
    assert data["status"] == "fail" and len(data["errors"]) == 1 and "blob.txt" in data["errors"][0]


def test_json_output(feed):
    """--format json is one object with the decision, every document, every finding and the errors."""
    story, d = feed
    r = story.run("check", d, "--format", "json")
    data = json.loads(r.stdout)
    assert (data["status"], data["exit_code"], data["fail_on"]) == ("fail", 1, "violation")
    assert data["summary"] == {"documents": 3, "findings": 2, "failing": 2, "errors": 0,
                               "verdicts": {"violation": 2}}
    by_path = {Path(x["path"]).name: x for x in data["documents"]}
    assert by_path["clean.txt"]["findings"] == [] and len(by_path["twice.txt"]["findings"]) == 1
    assert "FAIL: 3 document(s) checked" in r.stderr


def _sarif(story: Story, *args: object) -> tuple[dict, int]:
    r = story.run("check", *args, "--format", "sarif")
    return json.loads(r.stdout), r.exit_code


def test_sarif_validates_against_the_official_schema(feed):
    """The SARIF output validates against the OASIS SARIF 2.1.0 schema (checked offline)."""
    import jsonschema

    story, d = feed
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    sarif, code = _sarif(story, d)
    assert code == 1
    errors = sorted(validator.iter_errors(sarif), key=str)
    assert not errors, errors[0].message
    broken = json.loads(json.dumps(sarif))
    broken["runs"][0]["results"][0]["level"] = "fatal"
    assert list(validator.iter_errors(broken)), "the schema check cannot fail"


def test_sarif_has_one_result_per_finding_pointing_into_the_input(feed):
    """Each SARIF result has a rule id, a level, a message and locations whose regions select the copied text."""
    story, d = feed
    sarif, _ = _sarif(story, d)
    (run,) = sarif["runs"]
    assert run["tool"]["driver"]["name"] == "compliance" and run["columnKind"] == "unicodeCodePoints"
    results = run["results"]
    assert len(results) == 2
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for res in results:
        assert res["ruleId"] in rule_ids and res["ruleId"] == "all-rights-reserved"
        assert res["level"] == "error" and "violation" in res["message"]["text"] and EMAIL in res["message"]["text"]
        for loc in res["locations"]:
            pl = loc["physicalLocation"]
            path = Path(pl["artifactLocation"]["uri"].replace("file://", ""))
            text = path.read_bytes().decode("utf-8")
            reg = pl["region"]
            copied = text[reg["charOffset"]:reg["charOffset"] + reg["charLength"]]
            assert copied in WORK and len(copied.split()) >= 20, copied  # the copies are verbatim
            lines = text.split("\n")
            assert lines[reg["startLine"] - 1][reg["startColumn"] - 1:].startswith(copied.split("\n")[0][:30])
    twice = next(r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                 .endswith("twice.txt"))
    assert len(twice["locations"]) == 2, "each passage is a location"


def test_sarif_reports_unreadable_inputs_as_notifications(feed, tmp_path):
    """An input that cannot be read appears as a tool notification, and the run is marked unsuccessful."""
    story, d = feed
    sarif, code = _sarif(story, d / "clean.txt", tmp_path / "gone.txt")
    inv = sarif["runs"][0]["invocations"][0]
    assert code == 2 and inv["executionSuccessful"] is False and inv["exitCode"] == 2
    assert "gone.txt: no such file" in inv["toolExecutionNotifications"][0]["message"]["text"]


def test_junit_parses_and_its_counts_match(feed, tmp_path):
    """JUnit XML: a test case per document, a failure per violation, an error per unreadable input; counts agree."""
    story, d = feed
    out = tmp_path / "junit.xml"
    r = story.run("check", d, tmp_path / "gone.txt", "--format", "junit", "-o", out)
    assert r.exit_code == 1 and r.stdout == ""
    root = ET.parse(out).getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == int(suite.get("tests")) == int(root.get("tests")) == 4
    failing = [c for c in cases if c.find("failure") is not None]
    assert len(failing) == int(suite.get("failures")) == 2
    assert len(suite.findall("testcase/failure")) == 2
    assert len(suite.findall("testcase/error")) == int(suite.get("errors")) == 1
    names = sorted(Path(c.get("name")).name for c in cases)
    assert names == ["clean.txt", "copy.txt", "gone.txt", "twice.txt"]
    (f,) = next(c for c in cases if c.get("name").endswith("copy.txt")).findall("failure")
    assert f.get("type") == "violation" and EMAIL in f.get("message")


def test_junit_escapes_hostile_names(tmp_path):
    """Document names and messages with XML metacharacters and control characters still parse."""
    from compliance.ci import CheckedDocument, CheckResult, render_junit

    res = CheckResult(inputs=["x"], fail_on="violation")
    res.documents.append(CheckedDocument(path='a"<b>&\x01.txt', url=None, sha256="0", raw_sha256=None,
                                         source_format="text", chars=1, findings=["f1"]))
    res.findings.append({"id": "f1", "verdict": "violation", "copied_words": 3, "work_coverage": 0.5,
                         "work": {"id": "w", "title": "</testcase><x>", "publisher": "P"},
                         "contact": {"email": None}, "reasons": ["]]>"], "passages": [
                             {"doc_start": 0, "doc_end": 1, "work_start": 0, "work_end": 1}]})
    root = ET.fromstring(render_junit(res).encode())
    (case,) = root.iter("testcase")
    assert case.get("name") == 'a"<b>&.txt' and "</testcase><x>" in case.find("failure").get("message")


def test_no_store_leaves_the_registry_untouched(feed, tmp_path):
    """--no-store checks without recording documents, findings or a scan run."""
    story, d = feed
    page = tmp_path / "fresh.txt"
    page.write_text("Fresh copy\n\n" + P3 + " " + P2 + "\n", encoding="utf-8")

    def counts() -> tuple[int, int, int]:
        with sqlite3.connect(story.db) as con:
            return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                         for t in ("documents", "findings", "scan_runs"))

    before = counts()
    assert story.run("check", page, "--no-store").exit_code == 1
    assert counts() == before
    assert story.run("check", page).exit_code == 1
    after = counts()
    assert after[0] == before[0] + 1 and after[1] == before[1] + 1 and after[2] == before[2] + 1


def test_check_reads_stdin(feed):
    """`check -` gates a page piped in on stdin."""
    story, _ = feed
    r = story.run("check", "-", input="Piped\n\n" + P1 + "\n\n" + P2 + "\n")
    assert r.exit_code == 1 and "FAIL <stdin>" in r.stdout


@pytest.mark.parametrize("command", ["report", "evidence", "check"])
def test_reporting_commands_teach_with_help_and_readme(command):
    """report, evidence and check explain themselves in --help with examples, and the README documents them."""
    from click.testing import CliRunner

    from compliance.cli import cli
    from conftest import ROOT

    r = CliRunner().invoke(cli, [command, "--help"])
    assert r.exit_code == 0 and "Examples:" in r.stdout and f"compliance {command} " in r.stdout
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"compliance {command} " in readme
    if command == "check":
        assert "Exit codes:" in r.stdout and "| 1 | a finding reaches `--fail-on`" in readme
        assert "upload-sarif" in readme and "reports:\n      junit:" in readme
