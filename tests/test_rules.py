"""Rules as data: strict loading, every problem at once, the CLI's exit codes, and the README."""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import ROOT, RULES

BROKEN = Path(__file__).parent / "data" / "rules" / "broken-folder"


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def test_shipped_rules_are_valid_and_exit_0(cli_run):
    """`compliance rules check rules/` accepts the shipped folder and counts each kind."""
    r = cli_run("rules", "check", RULES, "--format", "json")
    assert r.exit_code == 0
    out = json.loads(r.stdout)
    assert out["valid"] is True and out["problems"] == []
    assert out["counts"]["licence"] == 8 and out["counts"]["partner-grant"] >= 1
    assert out["counts"]["false-positive"] == 4


def test_three_mistakes_are_reported_at_once_and_exit_2(cli_run):
    """A wrong type, an unknown key and a duplicate id, in three files, are all reported with their paths."""
    r = cli_run("rules", "check", BROKEN)
    assert r.exit_code == 2
    assert "3 problem(s)" in r.stderr
    assert re.search(r"licence-wrong-type\.toml: key 'reuse' must be true or false", r.stderr)
    assert re.search(r"publisher-unknown-key\.toml: unknown key 'excerpt_words'", r.stderr)
    assert re.search(r"partner-duplicate-id\.toml: duplicate rule id 'house-licence'", r.stderr)


def test_problems_as_json_for_ci(cli_run):
    """--format json prints the problem list on stdout, and still exits 2."""
    r = cli_run("rules", "check", BROKEN, "--format", "json")
    assert r.exit_code == 2
    out = json.loads(r.stdout)
    assert out["valid"] is False and len(out["problems"]) == 3


def test_every_kind_of_problem_in_one_run(tmp_path):
    """Bad TOML, unknown kind, missing keys, bad dates and domains, dangling licence and bad RE2: all at once."""
    from compliance.errors import RulesError
    from compliance.rules import load_rules

    _write(tmp_path, "a.toml", 'id = "a"\nkind = "licence"\nname = "A"\nreuse = true\n')
    _write(tmp_path, "broken.toml", 'id = "b"\nkind = "licence\n')
    _write(tmp_path, "c.toml", 'id = "c"\nkind = "poem"\n')
    _write(tmp_path, "d.toml", 'id = "d"\nkind = "partner-grant"\npublisher = "P"\ndomains = ["https://x.example/"]\n'
                               'valid_from = 2026-01-01\nvalid_until = "soon"\n')
    _write(tmp_path, "e.toml", 'id = "e"\nkind = "publisher"\npublisher = "P"\nlicence = "nope"\n'
                               '[excerpts]\nmax_words = 40\nmax_share = 3\n')
    _write(tmp_path, "f.toml", 'id = "f"\nkind = "page-signal"\nsignal = "commercial"\npatterns = ["(a)\\\\1"]\n')
    try:
        load_rules(tmp_path)
    except RulesError as exc:
        problems = exc.problems
    else:
        raise AssertionError("the folder should be invalid")
    text = "\n".join(problems)
    for expected in ("broken.toml: not valid TOML", "c.toml: unknown kind 'poem'",
                     "d.toml: missing required key 'partner'", "d.toml: domain 'https://x.example/'",
                     "d.toml: key 'valid_until' must be a date", "e.toml: key 'licence' names licence 'nope'",
                     "e.toml: key 'excerpts.max_share' must be a share between 0 and 1",
                     "f.toml: pattern '(a)\\\\1' is not valid RE2"):
        assert expected in text, text


def test_grant_term_must_run_forwards(tmp_path):
    """A grant that ends before it starts is a problem."""
    from compliance.errors import RulesError
    from compliance.rules import load_rules

    _write(tmp_path, "g.toml", 'id = "g"\nkind = "partner-grant"\npublisher = "P"\npartner = "Q"\n'
                               'domains = ["q.example"]\nvalid_from = 2026-01-01\nvalid_until = 2025-01-01\n')
    try:
        load_rules(tmp_path)
    except RulesError as exc:
        assert "valid_until 2025-01-01 is before valid_from 2026-01-01" in str(exc)
    else:
        raise AssertionError("expected a problem")


def test_false_positive_rules_still_load():
    """The false-positive rules keep loading beside the new kinds."""
    from compliance.rules import load_rules

    rs = load_rules(RULES)
    fp = rs.false_positives
    assert fp.quotes and fp.boilerplate and fp.common and fp.short_lines
    assert rs.files["quoted-speech"].endswith("quoted-speech.toml")


def test_policies_grants_and_licences_are_found_by_name():
    """Policies match publisher names loosely; licences match by id, SPDX id, alias or another version."""
    from compliance.rules import load_rules

    rs = load_rules(RULES)
    assert rs.policy("Crestfield Gazette Ltd.").id == "crestfield-gazette"
    assert rs.policy("Someone Else Ltd").id == "default-publisher-policy"
    assert [g.id for g in rs.grants_for("northwind daily media ltd")] == ["northwind-to-harbor"]
    assert rs.licence_for("CC-BY-NC-4.0").id == "cc-by-nc-4.0"
    assert rs.licence_for("CC BY-SA 4.0").id == "cc-by-sa-4.0"
    assert rs.licence_for("CC-BY-ND-3.0").id == "cc-by-nd-4.0"
    assert rs.licence_for("GPL-3.0") is None


def test_rules_list_json(cli_run):
    """`compliance rules list --format json` lists every rule with its kind and file."""
    r = cli_run("rules", "list", "--format", "json")
    assert r.exit_code == 0
    rows = {row["id"]: row for row in json.loads(r.stdout)}
    assert rows["northwind-to-harbor"]["kind"] == "partner-grant"
    assert rows["northwind-to-harbor"]["rule"]["valid_until"] == "2027-01-01"
    assert rows["cc-by-nc-4.0"]["file"].endswith("cc-by-nc-4.0.toml")


def test_readme_documents_every_rule_key():
    """Every key of every rule kind appears in the README's Rules section."""
    from compliance.rules import RULE_SCHEMAS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Rules"):]
    for kind, schema in RULE_SCHEMAS.items():
        assert f'kind = "{kind}"' in section, kind
        for key, (typ, _) in schema.items():
            if isinstance(typ, dict):
                assert f"[{key}]" in section, f"{kind}.[{key}]"
                for sub in typ:
                    if sub != "*":
                        assert f"`{sub}`" in section, f"{kind}.{key}.{sub}"
            else:
                assert f"`{key}`" in section, f"{kind}.{key}"
