"""Browse the registry in a web browser, through Datasette (the optional ``browse`` extra).

``compliance browse`` serves the registry read-only (Datasette opens a
database that may still change with ``mode=ro`` connections, and has no write
API) on 127.0.0.1 only, with a metadata file that describes every table and
offers canned queries a rights team asks every week: open cases, violations
by site, reposts, and the works most copied.  Nothing here writes to the
registry or reaches beyond the loopback interface.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import ComplianceError

__all__ = ["INSTALL_HINT", "TABLES", "QUERIES", "require_datasette", "database_name", "browse_metadata",
           "serve_args", "HOST"]

HOST = "127.0.0.1"
INSTALL_HINT = "pip install 'compliance[browse]'  (or: pip install datasette)"

TABLES: dict[str, str] = {
    "publishers": "Publishers whose works are registered: rights holder, contact e-mail, own domains.",
    "works": "Registered articles: text (offsets index it), body span, SHA-256, canonical URL, main notice.",
    "notices": "Copyright notices read from each work: holder, years, all rights reserved, licence, contact.",
    "fingerprints": "Winnowed k-gram hashes and passage simhashes of each work (binary, for the matcher).",
    "documents": "Scanned documents that hold findings: URL, capture time, WARC record id, extracted text.",
    "findings": "One row per (document, work): copied passages with spans on both sides, verdict and reasons.",
    "scan_runs": "Each scan: inputs, options, registry and rules versions, counts, status.",
    "scanned": "Markers of content already scanned under a registry + rules version (to skip it next time).",
    "scan_errors": "Inputs and records a scan could not read, with file and byte offset.",
    "meta": "Counters: works_generation (changes when works change), cases_generation (when cases change).",
    "cases": "Cases: one site's copies of one publisher's works, from finding to removal, with their status.",
    "case_findings": "The findings of each case; gone_* says which later capture showed the copy's URL with "
                     "other text.",
    "case_events": "Every change of a case: who, when (at) and why (note); scan events carry the capture's "
                   "WARC record id and date; evidence events the packet and its manifest's SHA-256.",
    "captures": "Captures with rights signals: pages that copy and works' own pages (TDMRep headers and "
                "<meta>, robots noai, licence links), robots.txt and /.well-known/tdmrep.json files.",
    "_sqlite_migrations": "The schema migrations applied to this registry.",
}

_SITE = """lower(CASE WHEN instr(d.url, '://') > 0
             THEN substr(substr(d.url, instr(d.url, '://') + 3), 1,
                         instr(substr(d.url, instr(d.url, '://') + 3) || '/', '/') - 1)
             ELSE '(no URL)' END)"""

QUERIES: dict[str, dict[str, str]] = {
    "open_cases": {
        "title": "Open cases",
        "description": "Cases not yet removed or rejected, oldest first: status, since when, age in days.",
        "sql": """SELECT c.id AS case_id, c.site, p.name AS publisher, c.status,
       (SELECT max(e.at) FROM case_events e WHERE e.case_id = c.id AND e.to_status = c.status
        AND e.action != 'evidence') AS status_since,
       c.opened_at, c.opened_by,
       CAST(julianday('now') - julianday(c.opened_at) AS INTEGER) AS age_days,
       (SELECT count(*) FROM case_findings cf WHERE cf.case_id = c.id) AS findings
FROM cases c JOIN publishers p ON p.id = c.publisher_id
WHERE c.status NOT IN ('removed', 'rejected')
ORDER BY c.opened_at, c.id""",
    },
    "violations_by_site": {
        "title": "Violations by site",
        "description": "Sites (hosts of the copies) by number of violations, with works, publishers and words.",
        "sql": f"""SELECT site, count(*) AS violations, count(DISTINCT work_num) AS works,
       count(DISTINCT publisher_id) AS publishers, sum(copied_words) AS words_copied
FROM (SELECT f.id, f.work_num, f.copied_words, w.publisher_id, {_SITE} AS site
      FROM findings f JOIN documents d ON d.id = f.document_id JOIN works w ON w.num = f.work_num
      WHERE f.verdict = 'violation')
GROUP BY site ORDER BY violations DESC, words_copied DESC, site""",
    },
    "reposts": {
        "title": "Reposts",
        "description": "Copies of removed cases found again (newest first), with the capture that shows them.",
        "sql": """SELECT e.at, c.id AS case_id, c.site, p.name AS publisher, e.url, e.finding_id,
       e.warc_record_id, e.warc_date, e.by, e.note, c.status AS status_now
FROM case_events e JOIN cases c ON c.id = e.case_id JOIN publishers p ON p.id = c.publisher_id
WHERE e.to_status = 'reposted' AND e.action != 'evidence'
ORDER BY e.at DESC, e.id DESC""",
    },
    "works_most_copied": {
        "title": "Works most copied",
        "description": "Registered works by violations and findings, with the copying URLs and words copied.",
        "sql": """SELECT w.id AS work, w.title, p.name AS publisher, count(f.id) AS findings,
       sum(f.verdict = 'violation') AS violations, count(DISTINCT d.url) AS urls,
       sum(f.copied_words) AS words_copied, max(f.work_coverage) AS largest_share
FROM works w JOIN publishers p ON p.id = w.publisher_id JOIN findings f ON f.work_num = w.num
JOIN documents d ON d.id = f.document_id
GROUP BY w.num ORDER BY violations DESC, findings DESC, w.id LIMIT 200""",
    },
}


def require_datasette() -> None:
    """Raise a clear error when the optional Datasette dependency is missing."""
    try:
        import datasette  # noqa: F401
    except ImportError:
        raise ComplianceError("compliance browse needs Datasette, which is not installed. Install it with: "
                              + INSTALL_HINT) from None


def database_name(path: Path) -> str:
    """The name Datasette gives a database file (its stem), which the metadata is keyed by."""
    return Path(path).stem


def browse_metadata(db_path: Path) -> dict[str, Any]:
    """Datasette metadata for a registry: title, table descriptions, canned queries."""
    from . import __version__

    return {
        "title": "compliance registry",
        "description": f"The rights registry {Path(db_path).name}, read-only (compliance {__version__}). "
                       "Canned queries: open cases, violations by site, reposts, works most copied.",
        "databases": {
            database_name(db_path): {
                "description": "Publishers, works, findings, cases and captures of one compliance registry.",
                "tables": {name: ({"description": text, "hidden": True} if name == "fingerprints"
                                  else {"description": text}) for name, text in TABLES.items()},
                "queries": {name: dict(q) for name, q in QUERIES.items()},
            }
        },
    }


def serve_args(db_path: Path, metadata_path: Path, port: int, *, open_browser: bool = False) -> list[str]:
    """Arguments for ``datasette``: serve the registry on 127.0.0.1 with the metadata (never immutable: a scan
    may be writing; Datasette reads it through read-only connections)."""
    args = ["serve", str(db_path), "--host", HOST, "--port", str(port), "--metadata", str(metadata_path)]
    if open_browser:
        args.append("--open")
    return args


def write_metadata(db_path: Path, out: Path) -> Path:
    """Write the metadata file (atomically) and return its path."""
    from .atomic import write_atomic

    return write_atomic(out, json.dumps(browse_metadata(db_path), indent=2, ensure_ascii=False) + "\n")
