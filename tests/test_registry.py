"""The registry: explicit versioned schema, idempotent registration, fingerprints stored."""

from __future__ import annotations

import sqlite3

import pytest

from compliance.errors import RegistryError
from compliance.migrations import migrations
from compliance.registry import Registry, WorkRecord
from compliance.settings import MatcherSettings

ST = MatcherSettings()
TEXT = ("Harbour cranes\n\n" + " ".join(f"The port authority counted {i} new containers on pier {i % 7}." for i in range(40)))


def test_migrations_create_every_table(db):
    """A new registry has every table and records each migration applied."""
    reg = Registry(db)
    tables = set(reg.db.table_names())
    assert {"publishers", "notices", "works", "fingerprints", "documents", "findings", "scan_runs",
            "scan_errors", "scanned", "meta", "_sqlite_migrations"} <= tables
    assert [m.name for m in migrations.applied(reg.db)] == [m.name for m in migrations._migrations]
    assert reg.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_register_twice_stores_once(db):
    """Registering the same work again stores nothing new; the same text under a new id is noted."""
    reg = Registry(db)
    rec = WorkRecord(id="w1", text=TEXT, publisher="Northwind Daily Media Ltd")
    assert [o.status for o in reg.register([rec], ST)] == ["added"]
    assert [o.status for o in reg.register([rec], ST)] == ["unchanged"]
    same_text_other_id = WorkRecord(id="w2", text=TEXT, publisher="Northwind Daily Media Ltd")
    assert reg.work_count() == 1
    assert reg.db.execute("SELECT count(*) FROM fingerprints").fetchone()[0] == 1
    outcome = list(reg.register([same_text_other_id], ST))[0]
    assert outcome.status == "added" and "same text as w1" in outcome.detail  # one text, two registered places


def test_changed_content_updates_the_work(db):
    """A known id with new text is updated, with fresh fingerprints and a new registry version."""
    reg = Registry(db)
    list(reg.register([WorkRecord(id="w1", text=TEXT, publisher="P")], ST))
    v1 = reg.registry_version()
    list(reg.register([WorkRecord(id="w1", text=TEXT + " One more sentence here.", publisher="P")], ST))
    assert reg.work_count() == 1
    assert reg.registry_version() != v1


def test_one_batch_sees_its_own_earlier_works(db):
    """Within one transaction the batch behaves as one work at a time: the same text under a second id is
    noted, the same id again with other text updates it, and its old text is then nobody's."""
    reg = Registry(db)
    other = TEXT.replace("containers", "crates")
    batch = [WorkRecord(id="w1", text=TEXT, publisher="P © 2024 P Ltd"),
             WorkRecord(id="w2", text=TEXT, publisher="P © 2024 P Ltd"),
             WorkRecord(id="w1", text=other, publisher="P © 2024 P Ltd"),
             WorkRecord(id="w2", text=other, publisher="P © 2024 P Ltd"),
             WorkRecord(id="w3", text=TEXT + " Again.", publisher="Q")]
    got = [(o.id, o.status, o.detail) for o in reg.register(batch, ST)]
    assert got == [("w1", "added", ""), ("w2", "added", "same text as w1, registered again under this id"),
                   ("w1", "updated", ""), ("w2", "updated", ""), ("w3", "added", "")]
    rows = reg.db.execute("SELECT num, id, sha256 FROM works ORDER BY num").fetchall()
    assert [r[:2] for r in rows] == [(1, "w1"), (2, "w2"), (3, "w3")] and rows[0][2] == rows[1][2]
    assert reg.db.execute("SELECT count(*) FROM fingerprints").fetchone()[0] == 3
    assert reg.db.execute("SELECT count(*) FROM publishers").fetchone()[0] == 2


def test_fingerprints_are_winnowed_kgrams(db):
    """Stored fingerprints are a fraction of the k-grams (density about 2/(w+1))."""
    import numpy as np

    reg = Registry(db)
    list(reg.register([WorkRecord(id="w1", text=TEXT, publisher="P")], ST))
    blob = reg.db.execute("SELECT hashes FROM fingerprints").fetchone()[0]
    n = len(np.frombuffer(blob, dtype="<u8"))
    words = len(TEXT.split())
    assert 0.2 * words < n < 0.7 * words


def test_not_a_registry_is_a_clear_error(tmp_path):
    """A file that is not SQLite gives a RegistryError naming it."""
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(RegistryError, match="bad.db"):
        Registry(bad)


def test_missing_registry_is_not_created_for_reading(tmp_path):
    with pytest.raises(RegistryError, match="registry not found"):
        Registry(tmp_path / "none.db", create=False)


def test_integrity_after_registration(db):
    reg = Registry(db)
    list(reg.register([WorkRecord(id=f"w{i}", text=TEXT + f" Extra {i}.", publisher="P") for i in range(5)], ST))
    reg.close()
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_batched_fingerprinting_equals_one_by_one():
    """Fingerprinting a batch of works in one pass stores exactly what one work at a time would."""
    import copy
    import random

    from compliance.registry import prepare_record, prepare_records
    from conftest import CORPUS

    from compliance.sources import record_from_text

    recs = [record_from_text(p.read_text(encoding="utf-8"), work_id=p.stem, name=str(p))
            for p in sorted((CORPUS / "works").rglob("*.txt"))]
    rng = random.Random(1)
    words = TEXT.split()
    recs += [WorkRecord(id=f"r{i}", text=" ".join(rng.choice(words) for _ in range(rng.randrange(1, 60))),
                        publisher="P") for i in range(20)]  # short and one-word bodies too
    single = [prepare_record(copy.deepcopy(r), ST).prepared for r in recs]
    batched = [r.prepared for r in prepare_records([copy.deepcopy(r) for r in recs], ST)]
    assert single == batched
