"""The scan loop: the one entry point every engine and the CLI share.

A :class:`Scanner` holds the seed index and the matcher; ``match_document``
turns one document into findings without writing anything, and ``run_scan``
streams documents, skips content already scanned against the same registry
and rules version, stores each document with its findings in one transaction
(so a killed scan resumes without duplicates and loses nothing it reported),
and keeps a record of the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from . import __version__
from .errors import ComplianceError, InputError
from .align import refine_edges
from .matcher import Matcher
from .models import Document, Finding, PassageMatch, finding_id
from .registry import Registry, now_utc
from .rules import RuleSet
from .verdicts import VerdictContext, decide

__all__ = ["Scanner", "ScanOptions", "ScanSummary", "run_scan"]


@dataclass
class ScanOptions:
    rescan: bool = False
    store: bool = True


@dataclass
class ScanSummary:
    """Counts for the closing paragraph and the scan_runs record."""

    run_id: int | None = None
    documents: int = 0
    skipped: int = 0
    bytes: int = 0
    findings: int = 0
    errors: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)
    suppressed: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def paragraph(self) -> str:
        v = ", ".join(f"{n} {k}" for k, n in sorted(self.verdicts.items())) or "none"
        mb = self.bytes / 1e6
        rate = f", {mb / self.seconds:.2f} MB/s" if self.seconds > 0 else ""
        sup = ""
        if self.suppressed:
            sup = " Ruled out as not copying: " + ", ".join(f"{n} by {k}" for k, n in sorted(self.suppressed.items())) + "."
        skipped = f" {self.skipped} already scanned (use --rescan to scan again)." if self.skipped else ""
        return (f"Scanned {self.documents} document(s), {mb:.2f} MB in {self.seconds:.1f}s{rate}.{skipped} "
                f"Findings: {self.findings} ({v}). Errors: {self.errors}.{sup}")


class Scanner:
    """Index + matcher + verdicts, built once from a registry and rules."""

    def __init__(self, registry: Registry, rules: RuleSet) -> None:
        self.registry = registry
        self.rules = rules
        self.settings = rules.matcher
        index, publisher, names = registry.build_index(self.settings)
        self.index = index
        self.matcher = Matcher(index, registry, self.settings, rules.false_positives,
                               work_publisher=publisher, publisher_names=names)
        self._work_info: dict[int, dict[str, Any]] = {}
        from .attribution import AttributionIndex

        # registry names (publishers, holders, authors, domains, URLs, notices) for attribution; built
        # here, before any worker forks, so that workers share it
        self._attribution: Any = AttributionIndex.from_registry(registry, rules)
        self.scan_key = f"{registry.registry_version()}/{rules.version()}/{__version__}"

    def work_info(self, num: int) -> dict[str, Any]:
        info = self._work_info.get(num)
        if info is None:
            info = self.registry.work_info(num)
            self._work_info[num] = info
        return info

    def match_document(self, doc: Document) -> tuple[list[Finding], dict[str, int]]:
        """Findings for one document (nothing is written), and suppressed-rule counts."""
        tokens, matches = self.matcher.match_text(doc.text)
        findings: list[Finding] = []
        suppressed: dict[str, int] = {}
        doc_sha = doc.sha256
        hits: list[Any] | None = None  # attribution.Hit, found once per document
        for wm in matches:
            for _, rid in wm.suppressed:
                suppressed[rid] = suppressed.get(rid, 0) + 1
            if not wm.passages:
                continue
            info = self.work_info(wm.work)
            if doc.sha256 == info["sha256"]:
                continue  # the registered work itself
            passages = []
            for p in sorted(wm.passages, key=lambda p: p.doc_first):
                ds, de = p.doc_span(tokens)
                ws, we = p.work_span(wm.tokens)
                ds, de, ws, we = refine_edges(tokens.text, ds, de, wm.tokens.text, ws, we)
                passages.append(PassageMatch(ds, de, ws, we, p.words, p.similarity, p.method))
            copied = sum(p.words for p in passages)
            coverage = round(min(1.0, copied / max(1, len(wm.tokens))), 4)
            modified = any(p.method != "exact" for p in passages)
            if hits is None:
                if self._attribution is None:
                    from .attribution import AttributionIndex

                    self._attribution = AttributionIndex.from_registry(self.registry, self.rules)
                scopes = set()
                for other in matches:
                    if other.passages:
                        oi = self.work_info(other.work)
                        scopes |= {("publisher", oi["publisher"]), ("work", oi["id"])}
                hits = self._attribution.find(doc, tokens, scopes)
            ctx = VerdictContext(doc, info, passages, copied, coverage, modified,
                                 self._attribution.for_work(hits, info, passages))
            decision = decide(ctx, self.rules)
            findings.append(Finding(
                id=finding_id(doc_sha, info["id"]),
                document={"path": doc.path, "url": doc.url, "sha256": doc_sha, "title": doc.title,
                          "fetched_at": doc.fetched_at, "warc_record_id": doc.warc_record_id,
                          "warc_date": doc.warc_date},
                work={"id": info["id"], "title": info["title"], "publisher": info["publisher"], "url": info["url"]},
                passages=passages, copied_words=copied, work_coverage=coverage, verdict=decision.verdict,
                reasons=decision.reasons, rules=decision.rules,
                contact={"holder": info["holder"], "email": info["contact_email"]},
                attribution=ctx.attribution,
            ))
        findings.sort(key=lambda f: (-f.copied_words, f.work["id"]))
        return findings, suppressed


def _store(registry: Registry, run_id: int, doc: Document, findings: list[Finding], scan_key: str) -> None:
    """One transaction: the document, its findings, and the 'scanned' marker."""
    db = registry.db
    now = now_utc()
    with db.atomic():
        row = db.execute("SELECT id FROM documents WHERE sha256 = ? AND coalesce(url,'') = coalesce(?,'') "
                         "AND coalesce(path,'') = coalesce(?,'')", [doc.sha256, doc.url, doc.path]).fetchone()
        if row:
            doc_id = int(row[0])
        else:
            cur = db.execute(
                """INSERT INTO documents(sha256, raw_sha256, path, url, title, fetched_at, warc_record_id, warc_date,
                   payload_digest, source_format, text, extra_text, first_seen_run) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                [doc.sha256, doc.raw_sha256, doc.path, doc.url, doc.title, doc.fetched_at, doc.warc_record_id,
                 doc.warc_date, doc.payload_digest, doc.source_format, doc.text, doc.extra_text, run_id])
            doc_id = int(cur.lastrowid)
        for f in findings:
            num = db.execute("SELECT num FROM works WHERE id = ?", [f.work["id"]]).fetchone()[0]
            db.execute(
                """INSERT INTO findings(id, document_id, work_num, run_id, passages, copied_words, work_coverage,
                   verdict, reasons, rules, attribution, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
                   ON CONFLICT(id) DO UPDATE SET document_id=excluded.document_id, run_id=excluded.run_id,
                   passages=excluded.passages, copied_words=excluded.copied_words,
                   work_coverage=excluded.work_coverage, verdict=excluded.verdict, reasons=excluded.reasons,
                   rules=excluded.rules, attribution=excluded.attribution, updated_at=excluded.updated_at""",
                [f.id, doc_id, num, run_id, json.dumps([p.to_dict() for p in f.passages]), f.copied_words,
                 f.work_coverage, f.verdict, json.dumps(f.reasons), json.dumps(f.rules), json.dumps(f.attribution),
                 now, now])
        db.execute("INSERT OR REPLACE INTO scanned(document_sha256, scan_key, run_id, findings) VALUES (?,?,?,?)",
                   [doc.sha256, scan_key, run_id, len(findings)])


def _already(registry: Registry, sha: str, scan_key: str) -> list[str] | None:
    row = registry.db.execute("SELECT findings FROM scanned WHERE document_sha256 = ? AND scan_key = ?",
                              [sha, scan_key]).fetchone()
    return row


def run_scan(registry: Registry, rules: RuleSet, documents: Iterable[Document | InputError],
             *, inputs: list[str], options: ScanOptions | None = None,
             on_finding: Callable[[Finding], None] | None = None,
             on_error: Callable[[InputError], None] | None = None,
             on_document: Callable[[Document, int], None] | None = None,
             scanner: Scanner | None = None) -> ScanSummary:
    """Scan a stream of documents; store and report findings as they are made."""
    import time

    options = options or ScanOptions()
    scanner = scanner or Scanner(registry, rules)
    summary = ScanSummary()
    t0 = time.perf_counter()
    run_id = None
    if options.store:
        with registry.db.atomic():
            cur = registry.db.execute(
                "INSERT INTO scan_runs(started_at, inputs, options, registry_version, rules_version, tool_version) "
                "VALUES (?,?,?,?,?,?)",
                [now_utc(), json.dumps(inputs), json.dumps({"rescan": options.rescan}),
                 registry.registry_version(), rules.version(), __version__])
            run_id = int(cur.lastrowid)
    summary.run_id = run_id
    status = "failed"
    try:
        for item in documents:
            if isinstance(item, InputError):
                summary.errors += 1
                if options.store:
                    with registry.db.atomic():
                        registry.db.execute("INSERT INTO scan_errors(run_id, path, message) VALUES (?,?,?)",
                                            [run_id, None, str(item)])
                if on_error:
                    on_error(item)
                continue
            doc = item
            size = len(doc.text.encode("utf-8", "surrogatepass"))
            if options.store and not options.rescan and _already(registry, doc.sha256, scanner.scan_key):
                summary.skipped += 1
                if on_document:
                    on_document(doc, 0)
                continue
            try:
                findings, suppressed = scanner.match_document(doc)
            except ComplianceError as exc:
                summary.errors += 1
                if on_error:
                    on_error(InputError(f"{doc.path}: {exc}"))
                continue
            if options.store:
                _store(registry, run_id, doc, findings, scanner.scan_key)
            summary.documents += 1
            summary.bytes += size
            for k, n in suppressed.items():
                summary.suppressed[k] = summary.suppressed.get(k, 0) + n
            for f in findings:
                summary.findings += 1
                summary.verdicts[f.verdict] = summary.verdicts.get(f.verdict, 0) + 1
                if on_finding:
                    on_finding(f)
            if on_document:
                on_document(doc, len(findings))
        status = "done"
    finally:
        summary.seconds = time.perf_counter() - t0
        if options.store and run_id is not None:
            with registry.db.atomic():
                registry.db.execute(
                    "UPDATE scan_runs SET ended_at=?, status=?, documents=?, skipped=?, bytes=?, findings=?, errors=? "
                    "WHERE id=?", [now_utc(), status, summary.documents, summary.skipped, summary.bytes,
                                   summary.findings, summary.errors, run_id])
    return summary


def stored_findings(registry: Registry, *, publisher: str | None = None, verdict: str | None = None,
                    since: str | None = None) -> Iterator[dict[str, Any]]:
    """Findings in the registry as finding-format dicts (newest first)."""
    sql = """SELECT f.id, f.passages, f.copied_words, f.work_coverage, f.verdict, f.reasons, f.rules,
                    f.attribution, f.updated_at, d.path, d.url, d.sha256, d.title, d.fetched_at, d.warc_record_id,
                    d.warc_date, w.id, w.title, w.url, p.name, w.num
             FROM findings f JOIN documents d ON d.id = f.document_id JOIN works w ON w.num = f.work_num
             JOIN publishers p ON p.id = w.publisher_id WHERE 1=1"""
    args: list[Any] = []
    if publisher:
        sql += " AND p.name = ?"
        args.append(publisher)
    if verdict:
        sql += " AND f.verdict = ?"
        args.append(verdict)
    if since:
        sql += " AND f.updated_at >= ?"
        args.append(since)
    sql += " ORDER BY p.name, d.url, d.path, f.copied_words DESC"
    infos: dict[int, dict[str, Any]] = {}
    for r in registry.db.execute(sql, args).fetchall():
        num = r[20]
        if num not in infos:
            infos[num] = registry.work_info(num)
        info = infos[num]
        yield {
            "id": r[0],
            "document": {"path": r[9], "url": r[10], "sha256": r[11], "title": r[12], "fetched_at": r[13],
                         "warc_record_id": r[14], "warc_date": r[15]},
            "work": {"id": r[16], "title": r[17], "publisher": r[19], "url": r[18]},
            "passages": json.loads(r[1]),
            "copied_words": r[2],
            "work_coverage": r[3],
            "verdict": r[4],
            "reasons": json.loads(r[5]),
            "rules": json.loads(r[6]),
            "contact": {"holder": info["holder"], "email": info["contact_email"]},
            "attribution": json.loads(r[7]),
            "updated_at": r[8],
        }
