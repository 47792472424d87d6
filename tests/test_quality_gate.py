"""The evaluation gate: matcher quality on the project's own corpus may not fall below pinned floors.

The floors and the corpus checksum live in tests/data/quality-baseline.json.
Lowering a floor, or changing the corpus, must be a deliberate edit of that
file (the checksum makes a silent corpus change fail loudly).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, SHARED, jsonl, need_shared

from compliance.evaluation import Case, cases_from_findings, score

BASELINE = ROOT / "tests" / "data" / "quality-baseline.json"


def corpus_checksum() -> str:
    """SHA-256 over the registered works, the crawled text pages and the truth file."""
    h = hashlib.sha256()
    files = sorted((CORPUS / "works").rglob("*.txt")) + sorted((CORPUS / "crawl").glob("*.txt"))
    for p in files + [CORPUS / "truth.jsonl"]:
        h.update(str(p.relative_to(CORPUS)).encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def truth() -> list[Case]:
    rows = [json.loads(line) for line in (CORPUS / "truth.jsonl").read_text().splitlines() if line.strip()]
    return [Case(r["doc"], r["work"], (r["doc_start"], r["doc_end"]), (r["work_start"], r["work_end"]), r["obfuscation"])
            for r in rows]


@pytest.fixture(scope="module")
def corpus_findings(tmp_path_factory) -> list[dict]:
    """Register corpus/works, scan the crawled text pages, return the findings."""
    from click.testing import CliRunner

    from compliance.cli import cli

    db = tmp_path_factory.mktemp("gate") / "r.db"
    run = CliRunner().invoke
    base = ["--db", str(db), "--rules", str(ROOT / "rules")]
    assert run(cli, base + ["register", str(CORPUS / "works")]).exit_code == 0
    pages = sorted(str(p) for p in (CORPUS / "crawl").glob("*.txt"))
    r = run(cli, base + ["scan", *pages, "--format", "jsonl", "--workers", "1"])
    assert r.exit_code == 0, r.stderr
    return jsonl(r.stdout)


def test_corpus_is_the_measured_one():
    """The corpus checksum matches the baseline's: floors were measured on exactly this corpus."""
    base = json.loads(BASELINE.read_text())
    assert corpus_checksum() == base["corpus_sha256"], (
        "corpus/ changed since the floors were measured: run the gate, check the new figures, and update "
        "tests/data/quality-baseline.json deliberately")


def test_matcher_quality_meets_the_floors(corpus_findings):
    """plagdet, precision, recall and granularity on the corpus meet the pinned floors."""
    base = json.loads(BASELINE.read_text())["floors"]
    s = score(truth(), cases_from_findings(corpus_findings))
    assert s.plagdet >= base["plagdet"], s
    assert s.precision >= base["precision"], s
    assert s.recall >= base["recall"], s
    assert s.granularity <= base["granularity_max"], s
    assert s.false_detections <= base["false_detections_max"], s


def test_no_finding_on_unrelated_pages(corpus_findings):
    """Pages that copy nothing have no finding at all."""
    flagged = {Path(f["document"]["path"]).name for f in corpus_findings}
    assert not flagged & {"unrelated-weather.txt", "unrelated-sports.txt"}


def test_gate_can_fail():
    """The scorer punishes a wrong detection: a gate that cannot fail is no gate."""
    t = truth()
    wrong = [Case(c.doc, c.work, (c.doc_span[1] + 5000, c.doc_span[1] + 5100), (0, 100)) for c in t]
    assert score(t, wrong).plagdet == 0.0
    assert score(t, [Case(c.doc, c.work, c.doc_span, c.work_span) for c in t]).plagdet == 1.0


@pytest.mark.shared
def test_scorer_agrees_with_the_shared_reference(tmp_path):
    """compliance.evaluation gives the same figures as ../shared/data/plagdet.py on news-dev."""
    import subprocess
    import sys

    from click.testing import CliRunner

    from compliance.cli import cli

    s = need_shared("data", "news-dev")
    db = tmp_path / "r.db"
    run = CliRunner().invoke
    base = ["--db", str(db), "--rules", str(ROOT / "rules")]
    assert run(cli, base + ["register", "--manifest", str(s / "works.jsonl"), "-q"]).exit_code == 0
    r = run(cli, base + ["scan", str(s / "crawl"), "--format", "jsonl", "--quiet"])
    findings = tmp_path / "f.jsonl"
    findings.write_text(r.stdout)
    ref = json.loads(subprocess.run([sys.executable, str(SHARED / "data" / "plagdet.py"), str(s), str(findings),
                                     "--json"], capture_output=True, text=True, check=True).stdout)
    cases = [Case(x["doc"], x["work"], (x["doc_start"], x["doc_end"]), (x["work_start"], x["work_end"]))
             for x in map(json.loads, (s / "truth.jsonl").read_text().splitlines())]
    mine = score(cases, cases_from_findings(jsonl(r.stdout)))
    overall = ref["overall"] if "overall" in ref else ref
    assert abs(mine.plagdet - overall["plagdet"]) < 0.002, (mine, overall)
    assert abs(mine.recall - overall["recall"]) < 0.002 and abs(mine.precision - overall["precision"]) < 0.002
