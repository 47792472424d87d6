"""A speed change moves no finding.

tests/data/news-dev-findings.jsonl pins what a scan of news-dev found before
the compiled kernel replaced the numpy matcher: for every finding, the
document, the work, the verdict, the copied words and coverage, and every
passage's spans on both sides with its method, words and similarity (ids and
offsets only, no text).  The scan today must give exactly these.  A change
meant to improve matching updates the file in the same commit, saying why.
"""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, jsonl, need_shared

PINNED = ROOT / "tests" / "data" / "news-dev-findings.jsonl"


def _key(f: dict) -> dict:
    return {"doc": f["document"]["path"].replace("\\", "/").split("/")[-1], "work": f["work"]["id"],
            "verdict": f["verdict"], "copied_words": f["copied_words"], "work_coverage": f["work_coverage"],
            "passages": [[p["doc_start"], p["doc_end"], p["work_start"], p["work_end"], p["method"], p["words"],
                          p["similarity"]] for p in f["passages"]]}


@pytest.mark.shared
@pytest.mark.slow
def test_news_dev_findings_equal_the_pinned_scan(cli_run) -> None:
    """Registering news-dev and scanning its crawl gives the pinned findings, passage for passage."""
    s = need_shared("data", "news-dev")
    r = cli_run("register", "--manifest", s / "works.jsonl", "--quiet")
    assert r.exit_code == 0, r.output
    r = cli_run("scan", s / "crawl", "--format", "jsonl", "--quiet", "--workers", "1")
    assert r.exit_code == 0, r.output
    got = sorted((_key(f) for f in jsonl(r.stdout)), key=lambda k: (k["doc"], k["work"]))
    want = [json.loads(line) for line in PINNED.read_text(encoding="utf-8").splitlines()]
    missing = [w for w in want if w not in got]
    extra = [g for g in got if g not in want]
    assert not missing and not extra, f"{len(missing)} pinned findings changed or gone, e.g. {missing[:2]}; " \
                                      f"{len(extra)} new, e.g. {extra[:2]}"
