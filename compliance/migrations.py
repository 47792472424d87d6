"""The registry schema: explicit SQL, applied in order through sqlite-utils.

Each migration runs in a transaction together with its record in
``_sqlite_migrations``.  Never edit an applied migration: add a new one.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

__all__ = ["migrations", "SCHEMA_VERSION"]

migrations = Migrations("compliance")


def _run(db: Database, script: str) -> None:
    """Run statements one by one (``executescript`` would commit mid-migration)."""
    for statement in script.split(";\n"):
        lines = [ln.split("--", 1)[0] for ln in statement.splitlines()]
        sql = "\n".join(lines).strip()
        if sql:
            db.execute(sql)


@migrations()
def m001_initial(db: Database) -> None:
    """Publishers, notices, works, fingerprints, documents, findings, scan runs."""
    _run(db, """
        CREATE TABLE publishers (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            holder TEXT,
            domains TEXT NOT NULL DEFAULT '[]',      -- JSON list of host names
            contact_email TEXT,
            created_at TEXT NOT NULL
        );
        CREATE TABLE works (
            num INTEGER PRIMARY KEY,                 -- dense number used by the index
            id TEXT NOT NULL UNIQUE,                 -- manifest id or file stem
            publisher_id INTEGER NOT NULL REFERENCES publishers(id),
            title TEXT,
            url TEXT,
            published TEXT,
            author TEXT,
            text TEXT NOT NULL,                      -- offsets index this text
            body_start INTEGER NOT NULL DEFAULT 0,   -- the article body inside text
            body_end INTEGER NOT NULL,
            sha256 TEXT NOT NULL,                    -- of text (UTF-8)
            simhash TEXT,                            -- 16 hex chars, whole body
            source_path TEXT,
            source_format TEXT,
            raw_sha256 TEXT,
            notice_id INTEGER,
            registered_at TEXT NOT NULL
        );
        CREATE INDEX works_sha256 ON works(sha256);
        CREATE INDEX works_publisher ON works(publisher_id);
        CREATE TABLE notices (
            id INTEGER PRIMARY KEY,
            publisher_id INTEGER REFERENCES publishers(id),
            work_num INTEGER REFERENCES works(num),
            text TEXT NOT NULL,
            holder TEXT,
            years TEXT NOT NULL DEFAULT '[]',        -- JSON list of years
            all_rights_reserved INTEGER NOT NULL DEFAULT 0,
            restriction TEXT,
            contact_email TEXT,
            license TEXT,
            source TEXT,                             -- text, meta, json-ld, rel-license
            start INTEGER,
            end INTEGER
        );
        CREATE INDEX notices_work ON notices(work_num);
        CREATE INDEX notices_publisher ON notices(publisher_id);
        CREATE TABLE fingerprints (
            work_num INTEGER PRIMARY KEY REFERENCES works(num) ON DELETE CASCADE,
            scheme TEXT NOT NULL,                    -- k/w/window layout
            hashes BLOB NOT NULL,                    -- uint64 winnowed k-gram hashes
            positions BLOB NOT NULL,                 -- int32 token positions
            windows BLOB NOT NULL                    -- int32 first, int32 last, uint64 simhash
        );
        CREATE TABLE scan_runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            ended_at TEXT,
            status TEXT NOT NULL DEFAULT 'running',  -- running, done, failed
            inputs TEXT NOT NULL DEFAULT '[]',
            options TEXT NOT NULL DEFAULT '{}',
            registry_version TEXT,
            rules_version TEXT,
            tool_version TEXT,
            documents INTEGER NOT NULL DEFAULT 0,
            skipped INTEGER NOT NULL DEFAULT 0,
            bytes INTEGER NOT NULL DEFAULT 0,
            findings INTEGER NOT NULL DEFAULT 0,
            errors INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            sha256 TEXT NOT NULL,                    -- of the stored (extracted) text
            raw_sha256 TEXT,
            path TEXT,
            url TEXT,
            title TEXT,
            fetched_at TEXT,
            warc_record_id TEXT,
            warc_date TEXT,
            payload_digest TEXT,
            source_format TEXT,
            text TEXT NOT NULL,
            extra_text TEXT,
            first_seen_run INTEGER REFERENCES scan_runs(id),
            UNIQUE (sha256, url, path)
        );
        CREATE INDEX documents_sha256 ON documents(sha256);
        CREATE TABLE scanned (
            document_sha256 TEXT NOT NULL,
            scan_key TEXT NOT NULL,                  -- registry version + rules version
            run_id INTEGER REFERENCES scan_runs(id),
            findings INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (document_sha256, scan_key)
        );
        CREATE TABLE findings (
            id TEXT PRIMARY KEY,                     -- stable hash of (document, work)
            document_id INTEGER NOT NULL REFERENCES documents(id),
            work_num INTEGER NOT NULL REFERENCES works(num),
            run_id INTEGER REFERENCES scan_runs(id),
            passages TEXT NOT NULL,                  -- JSON list
            copied_words INTEGER NOT NULL,
            work_coverage REAL NOT NULL,
            verdict TEXT NOT NULL,
            reasons TEXT NOT NULL DEFAULT '[]',
            rules TEXT NOT NULL DEFAULT '[]',
            attribution TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX findings_work ON findings(work_num);
        CREATE INDEX findings_document ON findings(document_id);
        CREATE INDEX findings_verdict ON findings(verdict);
        CREATE TABLE scan_errors (
            id INTEGER PRIMARY KEY,
            run_id INTEGER REFERENCES scan_runs(id),
            path TEXT,
            offset INTEGER,
            message TEXT NOT NULL
        );
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        INSERT INTO meta(key, value) VALUES ('works_generation', '0');
        """)


@migrations()
def m002_documents_raw_sha256(db: Database) -> None:
    """Index the raw capture hash, so a re-scan skips a known page before extracting it again."""
    db.execute("CREATE INDEX IF NOT EXISTS documents_raw_sha256 ON documents(raw_sha256)")


@migrations()
def m003_scanned_raw_sha256(db: Database) -> None:
    """Documents without findings keep only their 'scanned' marker; it carries the raw capture hash."""
    db.execute("ALTER TABLE scanned ADD COLUMN raw_sha256 TEXT")
    db.execute("CREATE INDEX IF NOT EXISTS scanned_raw ON scanned(raw_sha256, scan_key)")


@migrations()
def m004_cases_and_captures(db: Database) -> None:
    """Cases (a site's copies of one publisher's works, from finding to removal), their findings and events,
    and the captures whose rights signals evidence packets quote (pages, robots.txt, tdmrep.json)."""
    _run(db, """
        CREATE TABLE cases (
            id INTEGER PRIMARY KEY,
            site TEXT NOT NULL,                      -- host of the copies (or the "(no URL: ...)" label)
            publisher_id INTEGER NOT NULL REFERENCES publishers(id),
            status TEXT NOT NULL DEFAULT 'open',     -- open drafted sent acknowledged removed rejected reposted
            opened_at TEXT NOT NULL,
            opened_by TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (site, publisher_id)
        );
        CREATE INDEX cases_status ON cases(status);
        CREATE TABLE case_findings (
            case_id INTEGER NOT NULL REFERENCES cases(id),
            finding_id TEXT NOT NULL,                -- findings.id (no foreign key: import-findings may replace rows)
            work_num INTEGER NOT NULL REFERENCES works(num),
            url TEXT,                                -- the copy's URL, watched by every scan
            captured_at TEXT,                        -- the copy's capture date (WARC-Date, fetched_at)
            added_at TEXT NOT NULL,
            added_by TEXT NOT NULL,
            gone_at TEXT,                            -- a later capture of url shows other text ...
            gone_warc_record_id TEXT,                -- ... this one
            gone_warc_date TEXT,
            gone_run_id INTEGER,
            PRIMARY KEY (case_id, finding_id)
        );
        CREATE INDEX case_findings_url ON case_findings(url);
        CREATE INDEX case_findings_finding ON case_findings(finding_id);
        CREATE TABLE case_events (
            id INTEGER PRIMARY KEY,
            case_id INTEGER NOT NULL REFERENCES cases(id),
            action TEXT NOT NULL,                    -- opened added marked reposted removed evidence
            from_status TEXT,
            to_status TEXT,
            at TEXT NOT NULL,                        -- when it happened (--at, or the capture's date)
            recorded_at TEXT NOT NULL,               -- when this row was written
            by TEXT NOT NULL,                        -- who: $USER, --by, or "scan run N"
            note TEXT,                               -- why
            finding_id TEXT,
            url TEXT,
            warc_record_id TEXT,
            warc_date TEXT,
            run_id INTEGER,
            packet TEXT,                             -- evidence: the packet folder ...
            manifest_sha256 TEXT                     -- ... and the SHA-256 of its manifest.json
        );
        CREATE INDEX case_events_case ON case_events(case_id);
        CREATE INDEX case_events_run ON case_events(run_id, action);
        CREATE TABLE captures (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            host TEXT NOT NULL,
            kind TEXT NOT NULL,                      -- page, robots.txt, tdmrep.json
            signals TEXT NOT NULL DEFAULT '{}',      -- JSON: HTTP headers and <meta>/<link> signals, or the file
            sha256 TEXT NOT NULL DEFAULT '',         -- of the extracted text
            warc_record_id TEXT NOT NULL DEFAULT '',
            warc_date TEXT,
            fetched_at TEXT,
            path TEXT,
            offset INTEGER,
            source_format TEXT,
            run_id INTEGER REFERENCES scan_runs(id),
            recorded_at TEXT NOT NULL,
            UNIQUE (url, sha256, warc_record_id)
        );
        CREATE INDEX captures_host ON captures(host, kind);
        CREATE INDEX works_url ON works(url);
        CREATE INDEX documents_url ON documents(url);
        INSERT INTO meta(key, value) VALUES ('cases_generation', '0');
        """)


SCHEMA_VERSION = len(migrations._migrations)
