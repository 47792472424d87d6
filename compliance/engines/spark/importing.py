"""``compliance import-findings DIR``: the output of a Spark scan into the registry.

The rows are stored as a local scan stores them (``compliance.scan._store_rows``),
one transaction per batch, under one scan run keyed by the Spark run id, so
``report`` and ``evidence`` work as after a local scan and importing the
same folder twice duplicates nothing.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import ComplianceError
from ...models import Document, Finding, PassageMatch
from .paths import SUMMARY_NAME, _local


def read_output(folder: Path) -> tuple[dict[str, Any] | None, Iterator[dict[str, Any]]]:
    """The run summary (None if absent) and the rows, in input order (part files in partition order)."""
    folder = Path(_local(str(folder)))
    if not folder.is_dir():
        raise ComplianceError(f"{folder}: not a folder (import-findings reads the --output folder of a Spark scan)")
    summary = None
    if (folder / SUMMARY_NAME).is_file():
        summary = json.loads((folder / SUMMARY_NAME).read_text(encoding="utf-8"))
    elif (folder / "_summary").is_dir():
        parts = sorted((folder / "_summary").glob("part-*"))
        text = "".join(p.read_text(encoding="utf-8") for p in parts).strip()
        summary = json.loads(text) if text else None
    parts = sorted(p for p in folder.glob("part-*") if not p.name.endswith(".crc"))
    if not parts and summary is None:
        raise ComplianceError(f"{folder}: no part-* files and no {SUMMARY_NAME}: not the output of a Spark scan")

    def rows() -> Iterator[dict[str, Any]]:
        for part in parts:
            opener = gzip.open if part.name.endswith(".gz") else open
            with opener(part, "rt", encoding="utf-8") as fh:
                for n, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        yield json.loads(line)
                    except ValueError:
                        yield {"t": "error", "path": str(part), "offset": None,
                               "message": f"{part}: line {n}: not JSON (a damaged output file)"}

    return summary, rows()


@dataclass
class ImportSummary:
    """What ``import-findings`` loaded."""

    run_id: int
    documents: int = 0
    bytes: int = 0
    findings: int = 0
    errors: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    again: bool = False  # this output had been imported before (its rows replaced, nothing duplicated)
    case_events: list[dict[str, Any]] = field(default_factory=list)  # reposts and removals (compliance/watch.py)

    def to_dict(self) -> dict[str, Any]:
        """The summary as a dict (``import-findings --format json``)."""
        return {"run_id": self.run_id, "documents": self.documents, "bytes": self.bytes, "findings": self.findings,
                "errors": self.errors, "verdicts": dict(sorted(self.verdicts.items())), "warnings": self.warnings,
                "imported_before": self.again}

    def paragraph(self, folder: str) -> str:
        """The closing paragraph on stderr, in the words of a local scan's."""
        v = ", ".join(f"{n} {k}" for k, n in sorted(self.verdicts.items())) or "none"
        again = " It had been imported before: its rows were replaced, nothing is duplicated." if self.again else ""
        return (f"Imported {self.documents} scanned document(s), {self.bytes / 1e6:.2f} MB, from {folder}. "
                f"Findings: {self.findings} ({v}). Errors: {self.errors}. Run #{self.run_id} is recorded in the "
                f"registry.{again}")


def _finding(d: dict[str, Any]) -> Finding:
    return Finding(id=d["id"], document=d["document"], work=d["work"],
                   passages=[PassageMatch(**p) for p in d["passages"]], copied_words=d["copied_words"],
                   work_coverage=d["work_coverage"], verdict=d["verdict"], reasons=d.get("reasons", []),
                   rules=d.get("rules", []), contact=d.get("contact", {}), attribution=d.get("attribution", []))


def import_findings(registry: Any, folder: Path, *, batch: int = 500) -> ImportSummary:
    """Load a Spark scan's output into *registry*: documents, findings, 'scanned' markers, errors, one run.

    One transaction per *batch* rows.  Idempotent: the run is keyed by the
    Spark run id, findings by their stable id and documents by (sha256, url,
    path), and the run's errors are replaced, so importing twice (or again
    after an interrupted import) leaves the registry as one import does.
    """
    from ...registry import now_utc
    from ...scan import ScanSummary, _store_rows, _update_run

    summary, rows = read_output(folder)
    summary = summary or {}
    spark_id = summary.get("spark_run_id") or f"folder:{Path(folder).resolve()}"
    scan_key = summary.get("scan_key") or ""
    out = ImportSummary(run_id=0)
    if not summary:
        out.warnings.append(f"{folder}: no {SUMMARY_NAME} (the Spark job may not have finished); importing the "
                            "rows that are there")
    elif summary.get("registry_version") != registry.registry_version():
        out.warnings.append(f"the registry changed since the scan (registry version {registry.registry_version()}, "
                            f"scanned against {summary.get('registry_version')}): findings are imported as they "
                            "were made")
    db = registry.db
    known_works = {r[0] for r in db.execute("SELECT id FROM works")}
    run = ScanSummary(workers=1)
    with db.atomic():
        existing = None
        for rid, opts in db.execute("SELECT id, options FROM scan_runs WHERE options LIKE ?", [f"%{spark_id}%"]):
            try:
                if json.loads(opts or "{}").get("spark_run_id") == spark_id:
                    existing = int(rid)
            except ValueError:
                continue
        if existing is not None:
            out.again = True
            run_id = existing
            db.execute("DELETE FROM scan_errors WHERE run_id = ?", [run_id])
            db.execute("UPDATE scan_runs SET status = 'running' WHERE id = ?", [run_id])
        else:
            options = {"engine": "spark", "spark_run_id": spark_id, "master": summary.get("master"),
                       "partitions": summary.get("partitions"), "imported_from": str(folder),
                       "imported_at": now_utc()}
            cur = db.execute(
                "INSERT INTO scan_runs(started_at, inputs, options, registry_version, rules_version, tool_version) "
                "VALUES (?,?,?,?,?,?)",
                [summary.get("started_at") or now_utc(), json.dumps(summary.get("inputs", [])), json.dumps(options),
                 summary.get("registry_version"), summary.get("rules_version"), summary.get("tool_version")])
            run_id = int(cur.lastrowid)
    out.run_id = run.run_id = run_id
    from ...watch import ScanWatch

    watch = ScanWatch(registry, run_id, captures=False)  # the repost watch of compliance cases, per batch
    out.case_events = watch.events

    def store(chunk: list[dict[str, Any]]) -> None:
        observed: list[tuple[str, Any, Any, Any]] = []
        with db.atomic():
            for row in chunk:
                if row.get("t") == "error":
                    db.execute("INSERT INTO scan_errors(run_id, path, offset, message) VALUES (?,?,?,?)",
                               [run_id, row.get("path"), row.get("offset"), row.get("message") or "error"])
                    continue
                d = row["document"]
                doc = Document(text=d.get("text") or "", path=d.get("path") or "", url=d.get("url"),
                               title=d.get("title"), fetched_at=d.get("fetched_at"),
                               warc_record_id=d.get("warc_record_id"), warc_date=d.get("warc_date"),
                               payload_digest=d.get("payload_digest"), raw_sha256=d.get("raw_sha256"),
                               source_format=d.get("source_format") or "warc", offset=d.get("offset"),
                               extra_text=d.get("extra_text") or "")
                findings = [_finding(f) for f in row.get("findings", [])]
                if findings and doc.sha256 != d["sha256"]:
                    raise ComplianceError(f"{folder}: document {d.get('url') or d.get('path')}: its text does not "
                                          "match its sha256 (a damaged output file)")
                _store_doc(doc, d["sha256"], findings)
                observed.append(("done", doc, [f for f in findings if f.work["id"] in known_works], None))
            _update_run(registry, run_id, run, None)
            watch.observe(observed)

    def _store_doc(doc: Document, sha: str, findings: list[Finding]) -> None:
        missing = [f.work["id"] for f in findings if f.work["id"] not in known_works]
        if missing:
            run.errors += 1
            message = (f"{doc.path}: findings for works not in this registry ({', '.join(missing[:5])}); "
                       "import into the registry the scan used")
            db.execute("INSERT INTO scan_errors(run_id, path, offset, message) VALUES (?,?,?,?)",
                       [run_id, doc.path, doc.offset, message])
            findings = [f for f in findings if f.work["id"] in known_works]
        if findings:
            _store_rows(registry, run_id, doc, findings, scan_key)
        else:  # only the 'scanned' marker (the text of a document without findings is not shipped back)
            db.execute("INSERT OR REPLACE INTO scanned(document_sha256, scan_key, run_id, findings, raw_sha256) "
                       "VALUES (?,?,?,?,?)", [sha, scan_key, run_id, 0, doc.raw_sha256])

    chunk: list[dict[str, Any]] = []
    status = "failed"
    try:
        import itertools

        for row in _counted(itertools.chain(summary.get("input_errors", []), rows), run, out):
            chunk.append(row)
            if len(chunk) >= batch:
                store(chunk)
                chunk = []
        if chunk:
            store(chunk)
        status = "done"
    finally:
        run.seconds = 0.0
        with db.atomic():
            _update_run(registry, run_id, run, status)
    out.errors = run.errors
    return out


def _counted(rows: Iterator[dict[str, Any]], run: Any, out: ImportSummary) -> Iterator[dict[str, Any]]:
    """Count rows as they stream by (the import's own counts, not the advisory accumulators)."""
    for row in rows:
        if row.get("t") == "error":
            run.errors += 1
        else:
            run.documents += 1
            run.bytes += int(row.get("bytes") or 0)
            out.documents += 1
            out.bytes += int(row.get("bytes") or 0)
            for f in row.get("findings", []):
                run.findings += 1
                out.findings += 1
                run.verdicts[f["verdict"]] = run.verdicts.get(f["verdict"], 0) + 1
                out.verdicts[f["verdict"]] = out.verdicts.get(f["verdict"], 0) + 1
        yield row
