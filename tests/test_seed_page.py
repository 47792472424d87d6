"""Reading a publisher page shaped like the seed: body, bio, chrome and notice apart."""

from __future__ import annotations

import json

from conftest import SEED, need_shared

from compliance.page import split_page


def test_seed_page_parts():
    """The seed page's body ends before the notice; bio and 'Post navigation' are not body."""
    need_shared("seed", "publisher-page.txt")
    text = SEED.read_bytes().decode("utf-8")
    parts = split_page(text)
    body = text[parts.body_start : parts.body_end]
    assert body.startswith("Leader of ISIS has fled Mosul")
    assert body.endswith("north of the Euphrates.")
    assert "©" not in body and "Andy Wolf is" not in body and "Post navigation" not in body
    assert parts.author == "Andy Wolf"
    assert parts.title == "Leader of ISIS has fled Mosul, reportedly to go into hiding"
    (notice,) = parts.notices
    assert notice.holder == "Bright Mountain Media, Inc."
    assert notice.years == [2017]
    assert notice.all_rights_reserved
    assert notice.contact_email == "info@brightmountainmedia.com"
    assert notice.restriction.startswith("The content of this webpage may not be reproduced")


def test_register_seed_records_notice_and_publisher(cli_run, db):
    """`register` with no --publisher takes the publisher from the notice and stores the notice."""
    need_shared("seed", "publisher-page.txt")
    r = cli_run("register", SEED)
    assert r.exit_code == 0, r.output
    r = cli_run("publishers", "--format", "json")
    (pub,) = json.loads(r.stdout)
    assert pub["name"] == "Bright Mountain Media, Inc."
    assert pub["holder"] == "Bright Mountain Media, Inc."
    assert pub["contact_email"] == "info@brightmountainmedia.com"
    from compliance.registry import Registry

    reg = Registry(db)
    row = reg.db.execute("SELECT holder, years, all_rights_reserved, restriction, contact_email FROM notices").fetchone()
    assert row[0] == "Bright Mountain Media, Inc." and json.loads(row[1]) == [2017] and row[2] == 1
    assert "express written consent" in row[3] and row[4] == "info@brightmountainmedia.com"
    work = reg.db.execute("SELECT text, body_start, body_end, author FROM works").fetchone()
    assert work[0] == SEED.read_bytes().decode("utf-8")  # offsets index the file itself
    assert work[0][work[1]:work[2]].endswith("Euphrates.") and work[3] == "Andy Wolf"
