"""The CLI through CliRunner: help that teaches, JSON output, clear errors and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from compliance.cli import cli

COMMANDS = ["register", "works", "publishers", "scan", "report", "cases", "browse", "notices", "rules"]

WORK = ("Tram line opens\n\n"
        + "The new tram line between the station and the university opened on Saturday, with free rides all weekend "
          "and a brass band at every stop along the three-mile route through the old town.\n\n"
        + "City engineer Tomas Lind said the trams would run every six minutes at peak times, and that the line "
          "had been finished four months early thanks to a mild winter and careful planning of road closures.\n\n"
        + "© 2025 Tramway Gazette Ltd. All rights reserved. Contact rights@tramway-gazette.example.\n")


def test_every_command_has_help_with_examples(runner):
    """Each command's --help explains it and shows an example command line."""
    for name in COMMANDS:
        r = runner.invoke(cli, [name, "--help"])
        assert r.exit_code == 0, name
        assert "Usage:" in r.stdout
        if name != "rules":
            assert "Example" in r.stdout, f"{name} --help has no example"


def test_commands_are_documented_in_readme():
    """The README documents every command."""
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in COMMANDS:
        assert f"compliance {name}" in readme, name


def test_register_scan_report_story(cli_run, tmp_path):
    """A rights team registers a page, scans a copy, and reads a report naming the contact."""
    page = tmp_path / "tram.txt"
    page.write_text(WORK, encoding="utf-8")
    r = cli_run("register", page)
    assert r.exit_code == 0
    works = json.loads(cli_run("works", "--format", "json").stdout)
    assert [w["id"] for w in works] == ["tram"] and works[0]["publisher"] == "Tramway Gazette Ltd."
    copy = tmp_path / "copy.txt"
    copy.write_text("Weekend roundup.\n\n" + WORK.split("\n\n", 1)[1].split("©")[0], encoding="utf-8")
    r = cli_run("scan", copy, "--format", "json")
    assert r.exit_code == 0
    (f,) = json.loads(r.stdout)
    assert f["contact"]["email"] == "rights@tramway-gazette.example"
    assert "Findings: 1" in r.stderr
    out = tmp_path / "reports"
    r = cli_run("report", "--out", out)
    assert r.exit_code == 0
    md = (out / "summary.md").read_text()
    assert "rights@tramway-gazette.example" in md and "Tramway Gazette Ltd." in md
    summary = json.loads((out / "summary.json").read_text())
    assert summary["publishers"][0]["sites"][0]["findings"][0]["id"] == f["id"]


def test_second_scan_skips_known_content(cli_run, tmp_path):
    """Scanning the same content again against the same registry scans nothing new, and says so."""
    page = tmp_path / "tram.txt"
    page.write_text(WORK, encoding="utf-8")
    cli_run("register", page)
    copy = tmp_path / "copy.txt"
    copy.write_text(WORK.split("©")[0], encoding="utf-8")
    assert "Findings: 1" in cli_run("scan", copy).stderr
    r = cli_run("scan", copy)
    assert "1 already scanned" in r.stderr and r.stdout == ""
    assert "Findings: 1" in cli_run("scan", copy, "--rescan").stderr


def _write(path, data: bytes):
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("make,needle", [
    (lambda d: d / "missing.txt", "no such file"),
    (lambda d: _write(d / "empty.txt", b""), "empty"),
    (lambda d: _write(d / "latin1.txt", "café crème".encode("latin-1")), "invalid UTF-8"),
    (lambda d: _write(d / "bin" / "x.txt", bytes(range(256)) * 20).parent, "binary"),
])
def test_bad_input_is_one_line_error(cli_run, tmp_path, make, needle):
    """A bad input gives one line naming the file, exit code 2, no traceback."""
    page = tmp_path / "tram.txt"
    page.write_text(WORK, encoding="utf-8")
    cli_run("register", page)
    target = make(tmp_path)
    r = cli_run("scan", target)
    assert r.exit_code == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: ") and needle in lines[0]
    assert str(target.name) in lines[0] or "x.txt" in lines[0]
    assert "Traceback" not in r.output


def test_bad_input_beside_good_input_is_a_warning(cli_run, tmp_path):
    """With other inputs fine, a bad one is skipped with a warning and the scan succeeds."""
    page = tmp_path / "tram.txt"
    page.write_text(WORK, encoding="utf-8")
    cli_run("register", page)
    (tmp_path / "empty.txt").write_bytes(b"")
    copy = tmp_path / "copy.txt"
    copy.write_text(WORK.split("©")[0], encoding="utf-8")
    r = cli_run("scan", copy, tmp_path / "empty.txt")
    assert r.exit_code == 0
    assert "Warning: " in r.stderr and "empty.txt" in r.stderr


def test_register_without_publisher_or_notice_fails_clearly(cli_run, tmp_path):
    page = tmp_path / "anon.txt"
    page.write_text("A page\n\nWith some text and no notice at all, written by nobody in particular.\n")
    r = cli_run("register", page)
    assert r.exit_code == 2 and "--publisher" in r.stderr


def test_manifest_registration(cli_run, tmp_path):
    """A JSONL manifest registers works by id with their metadata."""
    (tmp_path / "a.txt").write_text(WORK, encoding="utf-8")
    m = tmp_path / "works.jsonl"
    m.write_text(json.dumps({"id": "tram-1", "path": "a.txt", "publisher": "Tramway Gazette Ltd.",
                             "title": "Tram line opens", "url": "https://tramway-gazette.example/tram",
                             "published": "2025-01-04"}) + "\n"
                 + json.dumps({"id": "inline", "text": "Inline work\n\n" + "Words of an inline work. " * 20,
                               "publisher": "Inline Press"}) + "\n"
                 + "{not json\n", encoding="utf-8")
    r = cli_run("register", "--manifest", m)
    assert r.exit_code == 0
    assert "works.jsonl:3" in r.stderr
    works = {w["id"]: w for w in json.loads(cli_run("works", "--format", "json").stdout)}
    assert works["tram-1"]["url"] == "https://tramway-gazette.example/tram" and "inline" in works
    pubs = {p["name"]: p for p in json.loads(cli_run("publishers", "--format", "json").stdout)}
    assert pubs["Tramway Gazette Ltd."]["domains"] == ["tramway-gazette.example"]


def test_db_from_environment(runner, tmp_path, monkeypatch):
    """COMPLIANCE_DB chooses the registry when --db is not given."""
    monkeypatch.setenv("COMPLIANCE_DB", str(tmp_path / "env.db"))
    page = tmp_path / "tram.txt"
    page.write_text(WORK, encoding="utf-8")
    from conftest import RULES

    r = runner.invoke(cli, ["--rules", str(RULES), "register", str(page)])
    assert r.exit_code == 0
    assert (tmp_path / "env.db").exists()


def test_commands_do_not_import_the_cli_back():
    """The CLI has no import circle: command modules take their helpers from
    compliance.commands.base, and only compliance/cli.py assembles the groups."""
    import ast

    root = Path(__file__).resolve().parent.parent / "compliance"
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "cli.py" and path.parent == root:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                if mod in ("cli", "compliance.cli") or (node.level and mod == "cli"):
                    offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    # the two entry points (`python -m compliance`, spark-submit) run main(); nothing else imports the CLI module
    assert offenders == ["__main__.py:3", "engines/spark_submit.py:24"]
