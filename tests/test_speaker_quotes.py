"""A speaker's words are not the publisher's: quotes alone never make a violation; quote plus reporting does.

Reporters everywhere quote the same speakers, and agencies share datelines and
credit lines.  An article that shares only those with a registered work is
independent journalism; an article that takes the quote together with the
reporting around it copies the work.  The articles here are written for this
test (fictional town, fictional paper).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import jsonl

QUOTE = ("“We will rebuild the harbour wall before the first winter storm, and every family on the quay will "
         "have its ferry back by the end of October, whatever the council in the capital decides,”")

WORK = f"""Harbour wall to be rebuilt before winter, mayor says

HARBOURTON — The town's harbour wall, breached in three places by the spring tides, will be rebuilt before
the storm season, the mayor told a packed meeting in the old fish market on Tuesday evening.

{QUOTE} Mayor Edda Vorn said, to applause from the fishing families who filled the back rows.

Engineers from the regional port authority surveyed the breaches last week and found that the eastern
section had lost most of its stone facing, leaving the rubble core open to the waves at every high tide.

The repairs are expected to cost about four million crowns, shared between the town and the port authority,
and the ferry to the outer islands will run from the temporary pier at the lifeboat station until then.

© 2026 Harbourton Chronicle Ltd. All rights reserved. Rights and permissions: rights@harbourton-chronicle.example
"""

# Another paper's own report of the same meeting: the same quote of the same speaker, its own reporting.
INDEPENDENT = f"""Mayor promises ferry by October

HARBOURTON, July 3 — Mayor Edda Vorn faced angry residents over the closed ferry link this week.

Speaking at the old fish market, the mayor said: {QUOTE} she told residents.

Several fishermen said they had heard such promises before. Karl Dunmore, whose boat has been tied up at the
quay since April, said the town had waited too long for money from the capital and needed a plan of its own.

The opposition councillors asked for a written timetable and a public audit of the repair costs.
"""

# A page that takes the quote with the reporting around it.
COPY = f"""Local news roundup

In other news this week, the bakery on Mill Street celebrated fifty years in business.

The town's harbour wall, breached in three places by the spring tides, will be rebuilt before
the storm season, the mayor told a packed meeting in the old fish market on Tuesday evening.

{QUOTE} Mayor Edda Vorn said, to applause from the fishing families who filled the back rows.

Engineers from the regional port authority surveyed the breaches last week and found that the eastern
section had lost most of its stone facing, leaving the rubble core open to the waves at every high tide.

The weekend market returns to the square on Saturday.
"""


@pytest.fixture
def registered(cli_run, tmp_path):
    """The Harbourton Chronicle's article, registered."""
    work = tmp_path / "works" / "harbour-wall.txt"
    work.parent.mkdir()
    work.write_text(WORK, encoding="utf-8")
    assert cli_run("register", work, "--publisher", "Harbourton Chronicle").exit_code == 0


def _scan(cli_run, tmp_path: Path, name: str, text: str) -> list[dict]:
    page = tmp_path / "crawl" / name
    page.parent.mkdir(exist_ok=True)
    page.write_text(text, encoding="utf-8")
    r = cli_run("scan", page, "--format", "jsonl", "--quiet", "--workers", "1")
    assert r.exit_code in (0, 1), r.output
    return jsonl(r.stdout)


def test_a_shared_speaker_quote_alone_is_not_a_violation(cli_run, tmp_path, registered):
    """Another paper quoting the same speaker with its own reporting gets no violation for the work."""
    found = _scan(cli_run, tmp_path, "other-paper.txt", INDEPENDENT)
    assert [f for f in found if f["verdict"] == "violation"] == []


def test_the_quote_with_its_surrounding_reporting_is_a_violation(cli_run, tmp_path, registered):
    """Taking the quote together with the reporting sentences around it is a copy of the work."""
    found = _scan(cli_run, tmp_path, "roundup.txt", COPY)
    assert [f["verdict"] for f in found] == ["violation"]
    copied = found[0]["passages"]
    text = COPY
    assert any("breached in three places" in text[p["doc_start"]:p["doc_end"]] for p in copied)
    assert any("rubble core" in text[p["doc_start"]:p["doc_end"]] for p in copied)
