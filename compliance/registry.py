"""The rights registry: one SQLite file, through sqlite-utils.

It is the source of truth.  Publishers, their notices, registered works and
each work's fingerprints live here, and so do scanned documents, findings and
scan runs, so that reports and evidence can be rebuilt and verified at any
time.  The file runs in WAL mode with a busy timeout, so that scans and
reports can share it, and every write is a transaction.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import os
import sqlite3
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit

import numpy as np
import sqlite_utils

from .errors import RegistryError
from .fingerprint import Window, fingerprint_tokens, simhash_of_features, bigram_features, to_hex
from .index import NearIndex, SeedIndex
from .migrations import migrations
from .models import sha256_text
from .settings import MatcherSettings
from .text import Tokens, tokenize

__all__ = ["Registry", "WorkRecord", "NoticeRecord", "RegisterOutcome", "default_db_path", "now_utc"]


def now_utc() -> str:
    """Current time as ISO 8601 UTC, seconds precision (how timestamps are stored)."""
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def default_db_path() -> Path:
    """``$COMPLIANCE_DB`` if set, else ``./registry.db``."""
    return Path(os.environ.get("COMPLIANCE_DB") or "registry.db")


@dataclass
class NoticeRecord:
    """A copyright notice as stored (see :mod:`notices` for extraction)."""

    text: str
    holder: str | None = None
    years: list[int] = field(default_factory=list)
    all_rights_reserved: bool = False
    restriction: str | None = None
    contact_email: str | None = None
    license: str | None = None
    source: str = "text"
    start: int | None = None
    end: int | None = None


@dataclass
class WorkRecord:
    """A work ready to register: its text, body span, metadata and notices."""

    id: str
    text: str
    publisher: str
    title: str | None = None
    url: str | None = None
    published: str | None = None
    author: str | None = None
    body_start: int = 0
    body_end: int | None = None
    notices: list[NoticeRecord] = field(default_factory=list)
    contact_email: str | None = None
    holder: str | None = None
    source_path: str | None = None
    source_format: str = "text"
    raw_sha256: str | None = None
    prepared: tuple | None = field(default=None, repr=False)  # set by prepare_record


@dataclass
class RegisterOutcome:
    """What happened to one work: added, updated or unchanged (with a note for repeated text)."""

    id: str
    status: str
    publisher: str
    detail: str = ""


_WINDOW_DTYPE = np.dtype([("first", "<i4"), ("last", "<i4"), ("value", "<u8")])


def _pack_windows(windows: list[Window]) -> bytes:
    arr = np.zeros(len(windows), dtype=_WINDOW_DTYPE)
    if windows:
        arr["first"] = [w.first for w in windows]
        arr["last"] = [w.last for w in windows]
        arr["value"] = np.array([w.value for w in windows], dtype=np.uint64)
    return arr.tobytes()


def prepare_record(rec: "WorkRecord", settings: MatcherSettings) -> "WorkRecord":
    """Compute a record's fingerprints, body simhash and SHA-256 (the costly part).

    Runs wherever the record was parsed (a pool worker); registration then
    only writes.
    """
    body_end = rec.body_end if rec.body_end is not None else len(rec.text)
    toks = body_tokens(rec.text, rec.body_start, body_end)
    fp = fingerprint_tokens(toks, settings.k, settings.w, settings.window_words)
    doc_simhash = to_hex(simhash_of_features(bigram_features(toks.hashes)))
    # fingerprints as bytes, ready to store (and cheap to send back from a worker process)
    packed = (fp.hashes.astype("<u8").tobytes(), fp.positions.astype("<i4").tobytes(), _pack_windows(fp.windows))
    rec.prepared = (settings.fingerprint_key(), body_end, packed, doc_simhash, sha256_text(rec.text))
    return rec


def prepare_records(recs: list["WorkRecord"], settings: MatcherSettings) -> list["WorkRecord"]:
    """:func:`prepare_record` for many records at once, with identical results.

    One tokenizer pass and one hashing pass serve the whole batch (per-call
    overhead, not per-word work, dominated registering 500-word articles);
    k-grams, winnowing windows and passage windows never cross two records.
    """
    if len(recs) < 4:
        return [prepare_record(r, settings) for r in recs]
    from . import _kernel
    from .fingerprint import _K_MULT, simhash_window_arrays

    k, w = settings.k, settings.w
    bases, pos = [], 0
    for r in recs:
        bases.append(pos)
        pos += len(r.text) + 1
    base = np.array(bases, dtype=np.int64)
    allt = tokenize("\n".join(r.text for r in recs))
    rec_of = np.searchsorted(base, allt.starts, "right") - 1
    bstart = np.array([r.body_start for r in recs], dtype=np.int64) + base
    bend = np.array([(r.body_end if r.body_end is not None else len(r.text)) for r in recs], dtype=np.int64) + base
    keep = (allt.starts >= bstart[rec_of]) & (allt.ends <= bend[rec_of])
    toks = Tokens(allt.text, allt.hashes[keep], allt.starts[keep], allt.ends[keep], allt.sentence[keep],
                  allt.numeric[keep])
    rec_of = rec_of[keep]
    first = np.searchsorted(rec_of, np.arange(len(recs) + 1))  # token range of each record
    counts = np.diff(first)
    # winnowed k-grams and body simhash of each record, in one compiled pass (never across records)
    fps = _kernel.fingerprints(np.ascontiguousarray(toks.hashes, dtype=np.uint64), first.astype(np.int64), k, w, _K_MULT)
    # passage windows (never across records)
    wf, wl, wv = simhash_window_arrays(toks, settings.window_words,
                                       first[1:-1][counts[1:] > 0] if len(recs) > 1 else None)
    win_bounds = np.searchsorted(wf, first)  # the windows of record i: win_bounds[i] .. win_bounds[i + 1]
    key = settings.fingerprint_key()
    for i, r in enumerate(recs):
        if fps[i] is None:
            prepare_record(r, settings)  # tiny bodies: the simple path
            continue
        hashes, positions, body_simhash = fps[i]
        a = int(first[i])
        wa, wb = int(win_bounds[i]), int(win_bounds[i + 1])
        wins = np.zeros(wb - wa, dtype=_WINDOW_DTYPE)
        wins["first"], wins["last"], wins["value"] = wf[wa:wb] - a, wl[wa:wb] - a, wv[wa:wb]
        body_end = r.body_end if r.body_end is not None else len(r.text)
        r.prepared = (key, body_end, (hashes, positions, wins.tobytes()), to_hex(body_simhash), sha256_text(r.text))
    return recs


def body_tokens(text: str, body_start: int, body_end: int) -> Tokens:
    """Tokens of the article body only; offsets still index the whole text."""
    t = tokenize(text)
    if body_start <= 0 and body_end >= len(text):
        return t
    keep = (t.starts >= body_start) & (t.ends <= body_end)
    return Tokens(t.text, t.hashes[keep], t.starts[keep], t.ends[keep], t.sentence[keep], t.numeric[keep])


_INSERT_WORK = """INSERT INTO works(num, id, publisher_id, title, url, published, author, text, body_start, body_end,
                  sha256, simhash, source_path, source_format, raw_sha256, registered_at, notice_id)
                  VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"""
_INSERT_NOTICE = """INSERT INTO notices(id, publisher_id, work_num, text, holder, years, all_rights_reserved, restriction,
                    contact_email, license, source, start, end) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)"""
_INSERT_FINGERPRINTS = "INSERT OR REPLACE INTO fingerprints(work_num, scheme, hashes, positions, windows) VALUES (?,?,?,?,?)"


def sql_filters(*conditions: tuple[str, Any]) -> tuple[str, list[Any]]:
    """" AND cond ..." for each (cond, value) whose value is not None, and the values: a list query's filters."""
    used = [(c, v) for c, v in conditions if v is not None]
    return "".join(f" AND {c}" for c, _ in used), [v for _, v in used]


class _Database(sqlite_utils.Database):
    """sqlite-utils with write transactions that take the write lock up front (``BEGIN IMMEDIATE``).

    A deferred ``BEGIN`` starts as a reader and upgrades to a writer at its
    first write; in WAL mode, when another process committed in between, that
    upgrade fails at once with "database is locked" (SQLITE_BUSY_SNAPSHOT), the
    busy timeout notwithstanding.  Two scans and a register sharing a registry
    hit it.  ``BEGIN IMMEDIATE`` waits for the lock (busy timeout) instead.
    """

    @contextlib.contextmanager
    def atomic(self) -> Iterator["_Database"]:
        if self.conn.in_transaction:
            with super().atomic():  # a savepoint inside the caller's transaction
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise


BUSY_TIMEOUT_MS = 60_000


def connect(path: Path | str) -> sqlite3.Connection:
    """A connection as every part of compliance opens one: busy timeout first, then WAL.

    The busy timeout comes before ``journal_mode = WAL``, which itself needs a
    lock when it converts a new file; autocommit mode (``isolation_level=None``)
    so that transactions are exactly the ones :meth:`_Database.atomic` opens.
    """
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                           check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


class Registry:
    """Open (and create or migrate) a registry file."""

    def __init__(self, path: Path | str, *, create: bool = True, readonly: bool = False) -> None:
        self.path = Path(path)
        if not self.path.exists():
            if not create:
                raise RegistryError(f"{self.path}: registry not found. Register works first "
                                    f"(compliance --db {self.path} register ...).")
            if self.path.parent and not self.path.parent.exists():
                raise RegistryError(f"{self.path}: folder {self.path.parent} does not exist.")
        elif self.path.is_dir():
            raise RegistryError(f"{self.path}: is a directory, not a registry file.")
        import time

        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        pause = 0.02
        while True:
            try:
                self.db = _Database(connect(self.path), execute_plugins=False)  # no plugin discovery (50 ms)
                if not readonly:
                    self._migrate()
                elif "works" not in self.db.table_names():
                    raise RegistryError(f"{self.path}: not a compliance registry (no works table).")
                break
            except sqlite3.OperationalError as exc:
                # Two processes creating one registry: while one converts the new file to WAL, the other
                # can get "database is locked" from the journal-mode switch itself, which the busy
                # handler does not cover.  Wait and open again (tests/test_concurrency.py).
                if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                    raise RegistryError(f"{self.path}: not a readable SQLite registry ({exc}).") from exc
                try:
                    self.db.conn.close()
                except (AttributeError, sqlite3.Error):
                    pass
                time.sleep(pause)
                pause = min(1.0, pause * 2)
            except sqlite3.DatabaseError as exc:
                raise RegistryError(f"{self.path}: not a readable SQLite registry ({exc}).") from exc
        self._text_cache: OrderedDict[int, Tokens] = OrderedDict()
        self._windows: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def _migrate(self) -> None:
        known = {m.name for m in migrations._migrations}
        applied = {m.name for m in migrations.applied(self.db)}
        unknown = applied - known
        if unknown:
            raise RegistryError(f"{self.path}: made by a newer compliance (migrations {sorted(unknown)}). "
                                "Upgrade compliance to use it.")
        if migrations.pending(self.db):
            # Two processes may create the same registry at once: migrate under the write lock, and
            # look again once it is held (the other process may have migrated meanwhile).
            with self.db.atomic():
                if migrations.pending(self.db):
                    migrations.apply(self.db)

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> "Registry":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ versions
    def generation(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key = 'works_generation'").fetchone()
        return int(row[0]) if row else 0

    def registry_version(self) -> str:
        """Changes whenever a work is added, updated or removed."""
        n = self.db.execute("SELECT count(*) FROM works").fetchone()[0]
        return f"g{self.generation()}-n{n}"

    def _bump(self) -> None:
        self.db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'works_generation'")

    # ------------------------------------------------------------ publishers
    def publisher_id(self, name: str, *, holder: str | None = None, email: str | None = None,
                     domains: Iterable[str] = ()) -> int:
        """Find or create a publisher; fill in holder, e-mail and domains it lacks.

        Writes only when something is new (registering 100,000 works of 50
        publishers should not rewrite a publisher row 100,000 times).
        """
        row = self.db.conn.execute("SELECT id, holder, contact_email, domains FROM publishers WHERE name = ?",
                                   [name]).fetchone()
        doms = {d.lower() for d in domains if d}
        if row is None:
            cur = self.db.conn.execute(
                "INSERT INTO publishers(name, holder, contact_email, domains, created_at) VALUES (?,?,?,?,?)",
                [name, holder, email, json.dumps(sorted(doms)), now_utc()])
            return int(cur.lastrowid)
        pid, old_holder, old_email, old_domains = row
        known = set(json.loads(old_domains or "[]"))
        if (old_holder or not holder) and (old_email or not email) and doms <= known:
            return int(pid)
        self.db.conn.execute("UPDATE publishers SET holder = ?, contact_email = ?, domains = ? WHERE id = ?",
                             [old_holder or holder, old_email or email, json.dumps(sorted(known | doms)), pid])
        return int(pid)

    def publishers(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            """SELECT p.id, p.name, p.holder, p.contact_email, p.domains,
                      (SELECT count(*) FROM works w WHERE w.publisher_id = p.id) AS works
               FROM publishers p ORDER BY p.name""").fetchall()
        return [{"name": r[1], "holder": r[2], "contact_email": r[3], "domains": json.loads(r[4]),
                 "works": r[5]} for r in rows]

    # ------------------------------------------------------------ works
    def register(self, records: Iterable[WorkRecord], settings: MatcherSettings,
                 batch_size: int = 500) -> Iterator[RegisterOutcome]:
        """Register works in batches, one transaction per batch.

        Content already registered (same SHA-256) is never stored twice: the
        same id is ``unchanged``; under another id it is registered (a publisher may
        run one text in two places) with a note naming the first.  A known id with
        new content is ``updated``, with fresh fingerprints.
        """
        batch: list[WorkRecord] = []
        for rec in records:
            batch.append(rec)
            if len(batch) >= batch_size:
                yield from self._register_batch(batch, settings)
                batch = []
        if batch:
            yield from self._register_batch(batch, settings)

    def _register_batch(self, batch: list[WorkRecord], settings: MatcherSettings) -> list[RegisterOutcome]:
        """One transaction: what is known is asked once for the batch, new works go in with executemany.

        A record whose id or content is already registered (or met earlier in this batch) takes the
        row-by-row path, after the rows gathered so far are written.
        """
        out: list[RegisterOutcome] = []
        prepared = []
        for rec in batch:
            if rec.prepared is None or rec.prepared[0] != settings.fingerprint_key():
                prepare_record(rec, settings)
            prepared.append((rec, *rec.prepared[1:]))
        conn = self.db.conn  # the plain connection: this loop runs 100,000 times
        ex = conn.execute
        now = now_utc()
        key = settings.fingerprint_key()
        with self.db.atomic():
            by_id = self._known_rows("id", [r.id for r, *_ in prepared])
            by_sha = self._known_rows("sha256", [p[4] for p in prepared])
            next_num = int(ex("SELECT coalesce(max(num), 0) + 1 FROM works").fetchone()[0])
            next_notice = int(ex("SELECT coalesce(max(id), 0) + 1 FROM notices").fetchone()[0])
            pids: dict[tuple[Any, ...], int] = {}
            rows: dict[str, list[list[Any]]] = {"works": [], "notices": [], "fingerprints": []}

            def flush() -> None:
                if rows["works"]:
                    conn.executemany(_INSERT_WORK, rows["works"])
                if rows["notices"]:
                    conn.executemany(_INSERT_NOTICE, rows["notices"])
                if rows["fingerprints"]:
                    conn.executemany(_INSERT_FINGERPRINTS, rows["fingerprints"])
                for v in rows.values():
                    v.clear()

            for rec, body_end, fp, doc_simhash, sha in prepared:
                existing = by_id.get(rec.id)
                if existing and existing[1] == sha:
                    out.append(RegisterOutcome(rec.id, "unchanged", rec.publisher))
                    continue
                dup = next((i for i, _n, _s in by_sha.get(sha, ()) if i != rec.id), None)
                note = f"same text as {dup}, registered again under this id" if dup and not existing else ""
                host = None
                if rec.url:
                    try:
                        host = urlsplit(rec.url).hostname
                    except ValueError:
                        host = None
                main_notice = next((n for n in rec.notices if n.holder or n.contact_email), None)
                who = (rec.publisher, rec.holder or (main_notice.holder if main_notice else None),
                       rec.contact_email or next((n.contact_email for n in rec.notices if n.contact_email), None),
                       host)
                pid = pids.get(who)
                if pid is None:  # the same publisher facts again change nothing: asked once a batch
                    pid = pids[who] = self.publisher_id(who[0], holder=who[1], email=who[2],
                                                        domains=[host] if host else [])
                values = [rec.id, pid, rec.title, rec.url, rec.published, rec.author, rec.text,
                          rec.body_start, body_end, sha, doc_simhash, rec.source_path, rec.source_format,
                          rec.raw_sha256, now]
                if existing:
                    flush()
                    num = int(existing[0])
                    by_sha[existing[1]] = [e for e in by_sha.get(existing[1], ()) if e[0] != rec.id]
                    ex(
                        """UPDATE works SET id=?, publisher_id=?, title=?, url=?, published=?, author=?, text=?,
                           body_start=?, body_end=?, sha256=?, simhash=?, source_path=?, source_format=?,
                           raw_sha256=?, registered_at=? WHERE num = ?""", values + [num])
                    ex("DELETE FROM notices WHERE work_num = ?", [num])
                    status = "updated"
                else:
                    num = next_num
                    next_num += 1
                    status = "added"
                notice_id = None
                for n in rec.notices:
                    rows["notices"].append([next_notice, pid, num, n.text, n.holder, json.dumps(n.years),
                                            int(n.all_rights_reserved), n.restriction, n.contact_email, n.license,
                                            n.source, n.start, n.end])
                    if notice_id is None and (n.holder or n.all_rights_reserved or n.license):
                        notice_id = next_notice
                    next_notice += 1
                if existing:
                    ex("UPDATE works SET notice_id = ? WHERE num = ?", [notice_id, num])
                else:
                    rows["works"].append([num, *values, notice_id])
                rows["fingerprints"].append([num, key, *fp])
                by_id[rec.id] = (num, sha)
                by_sha.setdefault(sha, []).append((rec.id, num, sha))
                out.append(RegisterOutcome(rec.id, status, rec.publisher, note))
            flush()
            if out and any(o.status != "unchanged" for o in out):
                self._bump()
        return out

    def _known_rows(self, column: str, values: list[str]) -> dict[str, Any]:
        """Registered works by id (``{id: (num, sha256)}``) or by content (``{sha256: [(id, num, sha256)]}``)."""
        found: dict[str, Any] = {}
        uniq = list(dict.fromkeys(values))
        for i in range(0, len(uniq), 500):
            part = uniq[i:i + 500]
            sql = (f"SELECT id, num, sha256 FROM works WHERE {column} IN ({','.join('?' * len(part))}) "
                   "ORDER BY num")
            for wid, num, sha in self.db.conn.execute(sql, part):
                if column == "id":
                    found[wid] = (num, sha)
                else:
                    found.setdefault(sha, []).append((wid, num, sha))
        return found

    def works(self, publisher: str | None = None) -> list[dict[str, Any]]:
        sql = """SELECT w.id, p.name, w.title, w.url, w.published, w.author, w.sha256,
                        length(w.text), w.body_end - w.body_start, w.registered_at
                 FROM works w JOIN publishers p ON p.id = w.publisher_id"""
        args: list[Any] = []
        if publisher:
            sql += " WHERE p.name = ?"
            args.append(publisher)
        sql += " ORDER BY p.name, w.id"
        keys = ["id", "publisher", "title", "url", "published", "author", "sha256", "chars", "body_chars",
                "registered_at"]
        return [dict(zip(keys, r)) for r in self.db.execute(sql, args).fetchall()]

    def work_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM works").fetchone()[0])

    def work_info(self, num: int) -> dict[str, Any]:
        """Metadata of one work with its publisher and main notice (for findings)."""
        row = self.db.execute(
            """SELECT w.id, w.title, w.url, w.published, w.author, w.sha256, p.name, p.holder, p.contact_email,
                      p.domains, w.notice_id, w.body_end - w.body_start, w.source_path
               FROM works w JOIN publishers p ON p.id = w.publisher_id WHERE w.num = ?""", [num]).fetchone()
        if row is None:
            raise RegistryError(f"{self.path}: work #{num} not found")
        notice = None
        if row[10] is not None:
            n = self.db.execute("SELECT text, holder, years, all_rights_reserved, restriction, contact_email, "
                                "license FROM notices WHERE id = ?", [row[10]]).fetchone()
            if n:
                notice = {"text": n[0], "holder": n[1], "years": json.loads(n[2]), "all_rights_reserved": bool(n[3]),
                          "restriction": n[4], "contact_email": n[5], "license": n[6]}
        return {"num": num, "id": row[0], "title": row[1], "url": row[2], "published": row[3], "author": row[4],
                "sha256": row[5], "publisher": row[6], "holder": (notice or {}).get("holder") or row[7],
                "contact_email": (notice or {}).get("contact_email") or row[8], "domains": json.loads(row[9]),
                "notice": notice, "source_path": row[12]}

    # ------------------------------------------------------------ matching support
    def tokens(self, num: int) -> Tokens:
        """Body tokens of a work, from a small LRU cache (the matcher's WorkSource)."""
        t = self._text_cache.get(num)
        if t is not None:
            self._text_cache.move_to_end(num)
            return t
        row = self.db.execute("SELECT text, body_start, body_end FROM works WHERE num = ?", [num]).fetchone()
        if row is None:
            raise RegistryError(f"{self.path}: work #{num} vanished during the scan")
        t = body_tokens(row[0], row[1], row[2])
        self._text_cache[num] = t
        if len(self._text_cache) > 512:
            self._text_cache.popitem(last=False)
        return t

    def windows(self, num: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A work's stored simhash windows as (first token, last token, value) arrays (the matcher's WorkSource)."""
        w = self._windows.get(num)
        if w is None:
            row = self.db.execute("SELECT windows FROM fingerprints WHERE work_num = ?", [num]).fetchone()
            arr = np.frombuffer(row[0] if row else b"", dtype=_WINDOW_DTYPE)
            w = (np.ascontiguousarray(arr["first"]), np.ascontiguousarray(arr["last"]),
                 np.ascontiguousarray(arr["value"]))
            if len(self._windows) > 4096:
                self._windows.clear()
            self._windows[num] = w
        return w

    def refingerprint(self, settings: MatcherSettings) -> int:
        """Recompute fingerprints stored under another scheme (after a settings change)."""
        key = settings.fingerprint_key()
        nums = [r[0] for r in self.db.execute(
            "SELECT w.num FROM works w LEFT JOIN fingerprints f ON f.work_num = w.num "
            "WHERE f.scheme IS NULL OR f.scheme != ?", [key]).fetchall()]
        for start in range(0, len(nums), 500):
            with self.db.atomic():
                for num in nums[start : start + 500]:
                    row = self.db.execute("SELECT text, body_start, body_end FROM works WHERE num = ?", [num]).fetchone()
                    fp = fingerprint_tokens(body_tokens(*row), settings.k, settings.w, settings.window_words)
                    self.db.execute(
                        "INSERT OR REPLACE INTO fingerprints(work_num, scheme, hashes, positions, windows) "
                        "VALUES (?,?,?,?,?)", [num, key, fp.hashes.astype("<u8").tobytes(),
                                               fp.positions.astype("<i4").tobytes(), _pack_windows(fp.windows)])
        return len(nums)

    def build_index(self, settings: MatcherSettings) -> tuple[SeedIndex, np.ndarray, list[str]]:
        """The seed index over every work, plus each work's publisher number and names."""
        max_num = int(self.db.execute("SELECT coalesce(max(num), 0) FROM works").fetchone()[0])

        def publishers() -> tuple[np.ndarray, list[str]]:
            publisher = np.full(max_num + 1, -1, dtype=np.int32)
            names: list[str] = []
            pub_index: dict[int, int] = {}
            for num, pid, pname in self.db.execute(
                    "SELECT w.num, p.id, p.name FROM works w JOIN publishers p ON p.id = w.publisher_id"):
                if pid not in pub_index:
                    pub_index[pid] = len(names)
                    names.append(pname)
                publisher[num] = pub_index[pid]
            return publisher, names

        def parts() -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
            for num, h, p in self.db.execute("SELECT work_num, hashes, positions FROM fingerprints"):
                yield num, np.frombuffer(h, dtype="<u8"), np.frombuffer(p, dtype="<i4")

        import hashlib

        def windows() -> Iterator[tuple[int, np.ndarray]]:
            for num, blob in self.db.execute("SELECT work_num, windows FROM fingerprints"):
                yield num, np.frombuffer(blob, dtype=_WINDOW_DTYPE)

        def cache_key() -> str:
            return hashlib.sha256(
                f"{self.registry_version()}|{settings.fingerprint_key()}|{settings.max_df_fraction}|"
                f"{settings.max_df_floor}|{settings.near_index_hamming}|{settings.near_min_words}|"
                f"{SeedIndex.FORMAT}|{max_num}".encode()).hexdigest()[:20]

        key = cache_key()
        cache = self.index_cache_dir()
        # a cache made under this key was built from fingerprints of this scheme: only a miss checks them
        # (the check reads every fingerprint row, a third of a second at 100,000 works)
        index = SeedIndex.load_dir(cache, key) if cache is not None else None
        if index is None:
            if self.db.execute("SELECT 1 FROM works w LEFT JOIN fingerprints f ON f.work_num = w.num "
                               "WHERE f.scheme IS NULL OR f.scheme != ? LIMIT 1",
                               [settings.fingerprint_key()]).fetchone():
                self.refingerprint(settings)
                key = cache_key()
            index = SeedIndex.build(parts(), max_num + 1, settings)
            if settings.near_index_hamming >= 0:
                index.near = NearIndex.build(windows(), settings.near_index_hamming, settings.near_min_words)
            index.work_publisher, index.publisher_names = publishers()
            if cache is not None:
                try:
                    index.save_dir(cache, key)
                except OSError:
                    pass  # a read-only folder: the index is simply rebuilt next time
        if index.work_publisher is None:  # a cache written before it kept them
            index.work_publisher, index.publisher_names = publishers()
        return index, index.work_publisher, index.publisher_names

    def index_cache_dir(self) -> Path | None:
        """Folder beside the registry for the seed-index cache (keyed by the registry's content)."""
        if str(self.path) in ("", ":memory:"):
            return None
        return self.path.with_name(self.path.name + ".index")
