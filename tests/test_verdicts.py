"""Verdicts: each rules scenario in tests/data/rules/ against the shipped rules, and the sample corpus.

A scenario (one TOML file) describes a registered work, a crawled document
(URL, capture time, text) and what was copied; the attribution is found in
the document exactly as a scan finds it, and the verdict, the deciding rule
ids and the reasons must be the expected ones.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from conftest import CORPUS, RULES

DATA = Path(__file__).parent / "data" / "rules"
SCENARIOS = sorted(DATA.glob("*.toml"))
SCENARIO_KEYS = {"description", "work", "document", "copy", "expect"}


@pytest.fixture(scope="module")
def rules():
    from compliance.rules import load_rules

    return load_rules(RULES)


def _decide(scenario: dict, rules):
    from compliance.attribution import AttributionIndex
    from compliance.models import Document, PassageMatch
    from compliance.verdicts import VerdictContext, decide

    w = scenario["work"]
    work = {"id": w["id"], "title": w.get("title"), "publisher": w["publisher"], "url": w.get("url"),
            "author": w.get("author"), "holder": w.get("holder", w["publisher"]), "domains": w.get("domains", []),
            "notice": {"text": w.get("notice", ""), "license": w.get("license"), "holder": w.get("holder")}}
    d = scenario["document"]
    doc = Document(text=d["text"], path="scenario.txt", url=d.get("url"), fetched_at=d.get("fetched_at"),
                   extra_text=d.get("extra_text", ""))
    c = scenario["copy"]
    start = d["text"].find(c["text"]) if c.get("text") else 0
    assert start >= 0, "copy.text is not in document.text"
    end = start + len(c.get("text", ""))
    methods = c.get("methods", ["exact"])
    passages = [PassageMatch(start, end, 0, end - start, c["words"], 1.0, m) for m in methods]
    index = AttributionIndex.for_work_info(work, rules)
    attribution = index.for_work(index.find(doc), work, passages)
    ctx = VerdictContext(doc, work, passages, c["words"], c["coverage"], any(m != "exact" for m in methods),
                         attribution)
    return decide(ctx, rules)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path: Path, rules):
    """The scenario's verdict, deciding rules and reasons are the expected ones."""
    scenario = tomllib.loads(path.read_text(encoding="utf-8"))
    assert set(scenario) <= SCENARIO_KEYS, f"unknown keys {set(scenario) - SCENARIO_KEYS}"
    decision = _decide(scenario, rules)
    expect = scenario["expect"]
    assert decision.verdict == expect["verdict"], decision.reasons
    assert decision.rules == expect["rules"]
    said = " ".join(decision.reasons)
    for phrase in expect["reasons"]:
        assert phrase in said, said


def test_scenarios_cover_every_verdict_and_the_issue_cases():
    """The scenario set covers all four verdicts and the cases the issue names."""
    verdicts = {tomllib.loads(p.read_text(encoding="utf-8"))["expect"]["verdict"] for p in SCENARIOS}
    assert verdicts == {"violation", "review", "permitted-excerpt", "licensed"}
    names = {p.stem for p in SCENARIOS}
    for needed in ("partner-in-term", "partner-out-of-term", "partner-missing-attribution", "excerpt-under-allowance",
                   "excerpt-over-allowance", "cc-by-attributed", "cc-by-unattributed", "cc-by-nd-modified",
                   "cc-by-nc-commercial-page"):
        assert needed in names


def test_without_licence_rules_everything_is_all_rights_reserved(tmp_path):
    """A rules folder with no licence or publisher rules still decides: own site licensed, the rest violation."""
    from compliance.models import Document
    from compliance.rules import load_rules
    from compliance.verdicts import VerdictContext, decide

    (tmp_path / "empty.toml").write_text('id = "x"\nkind = "page-signal"\nsignal = "commercial"\nphrases = ["buy now"]\n')
    rs = load_rules(tmp_path)
    work = {"id": "w", "title": "T", "publisher": "P", "domains": ["p.example"], "notice": None}
    elsewhere = VerdictContext(Document("x", "d.txt", url="https://q.example/a"), work, [], 50, 0.5, False)
    assert decide(elsewhere, rs).verdict == "violation"
    home = VerdictContext(Document("x", "d.txt", url="https://www.p.example/a"), work, [], 50, 0.5, False)
    assert decide(home, rs).verdict == "licensed"


def test_corpus_crawl_shows_all_four_verdicts(tmp_path, rules):
    """Registering corpus/works and scanning corpus/crawl (with pages.jsonl URLs) gives EXPECTED.md's verdicts."""
    crawl = CORPUS / "crawl"
    if not (crawl / "pages.jsonl").exists():
        pytest.skip(f"{crawl} is absent: the sample corpus is not in this checkout")
    from compliance.extract import extract_html
    from compliance.models import Document
    from compliance.registry import Registry
    from compliance.scan import Scanner
    from compliance.sources import iter_work_records

    reg = Registry(tmp_path / "r.db")
    list(reg.register([r for r in iter_work_records([CORPUS / "works"]) if not isinstance(r, Exception)],
                      rules.matcher))
    scanner = Scanner(reg, rules)
    got: dict[str, str] = {}
    for line in (crawl / "pages.jsonl").read_text(encoding="utf-8").splitlines():
        meta = json.loads(line)
        path = crawl / meta["path"]
        if path.suffix == ".html":
            ex = extract_html(path.read_text(encoding="utf-8"), meta["url"])
            doc = Document(ex.text, str(path), url=meta["url"], fetched_at=meta["fetched_at"], extra_text=ex.extra_text)
        else:
            doc = Document(path.read_bytes().decode("utf-8"), str(path), url=meta["url"], fetched_at=meta["fetched_at"])
        for f in scanner.match_document(doc)[0]:
            got[meta["path"]] = f.verdict
    expected = {"contentfarm-port.txt": "violation", "aggregator-council.txt": "violation",
                "harborpost-bank.txt": "licensed", "harborpost-bank.html": "licensed",
                "blog-schools-quote.txt": "permitted-excerpt", "blog-flood-longquote.txt": "violation",
                "shop-river.txt": "review", "ngo-fisheries.txt": "licensed", "community-makerspace.txt": "licensed",
                "scraper-broadband.txt": "violation", "rewrite-port.txt": "violation"}
    assert got == expected
