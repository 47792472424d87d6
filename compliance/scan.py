"""The scan loop: the one entry point every engine and the CLI share.

A :class:`Scanner` holds the seed index and the matcher; ``match_document``
turns one document into findings without writing anything, and ``run_scan``
streams documents, skips content already scanned against the same registry
and rules version, stores each document with its findings in one transaction
(so a killed scan resumes without duplicates and loses nothing it reported),
and keeps a record of the run.

With ``workers > 1`` the parent process walks the inputs and is the one
writer; forked workers read the crawl's plain files themselves (the parent
hands them :class:`~compliance.inputs.FileRef` paths: it would otherwise
spend more time reading than storing), skip content an earlier run scanned,
extract pending HTML and run ``match_document`` against the index built once
in the parent (shared copy-on-write), each with its own read-only registry
connection, each on one pipe to the parent (:mod:`compliance.pool`; no
threads: nothing of the pool outlives ``run_scan``).  WARC, feed and JSON
Lines records are read in the parent, record by record.  Results are stored
in input order, so the registry and the printed findings are the same
whatever the worker count.  Under
:func:`compliance.stopping.stop_on_signals` (the ``scan`` command), SIGINT
and SIGTERM stop the scan between stages, never halfway through storing a
batch.

``run_scan`` reads as its stages, the methods of ``_ScanRun`` (see the
section "the scan run, stage by stage" below): ``start`` opens the run,
``add`` gathers a batch, ``unscanned`` skips what was scanned (one query per
batch; a worker does the same for the files it reads), ``match`` matches the
rest (the seams: ``_scan_batch(items)`` in a worker,
``Scanner.match_documents(docs)`` inside it), ``store`` writes it in one
transaction, ``report`` passes it on, and ``end`` summarises.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections import deque
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator

from . import __version__
from .align import refine_edges
from .errors import ComplianceError, InputError
from .inputs import FileRef
from .matcher import Matcher
from .models import Document, Finding, PassageMatch, finding_id
from .registry import Registry, now_utc, sql_filters
from .pool import Outcome, WorkerPool, die_with_parent
from .stopping import SIGNALS, Interrupted, stop_on_signals
from .rules import RuleSet
from .verdicts import VerdictContext, decide

__all__ = ["Interrupted", "Scanner", "ScanCallbacks", "ScanOptions", "ScanSummary", "run_scan", "stop_on_signals",
           "stored_findings", "default_workers"]


def default_workers() -> int:
    """One worker per core this process may use (what ``--workers`` defaults to)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


@dataclass
class ScanOptions:
    """How a scan runs: rescan known content, store results, worker processes."""

    rescan: bool = False
    store: bool = True
    workers: int = 1
    #: batches in flight per worker (bounds memory): one scanning, one sent ahead, one waiting for either
    window_per_worker: int = 3
    #: a batch closes at this many documents or this much text (the matcher's fast path works per batch);
    #: the first batches are smaller (16, 32, ... documents), so that the first findings come soon
    batch_docs: int = 256
    batch_bytes: int = 2 << 20
    #: False when on_document does not read the documents' text (the scan command): a worker then sends back a
    #: page it read that has no findings without its text, only its hashes and size (what the registry keeps)
    document_text: bool = True


@dataclass
class ScanSummary:
    """Counts for the progress line, the closing paragraph and the scan_runs record."""

    run_id: int | None = None
    documents: int = 0
    skipped: int = 0
    bytes: int = 0  # payload bytes of the documents scanned
    bytes_read: int = 0  # payload bytes of every document read (scanned or skipped)
    findings: int = 0
    errors: int = 0
    workers: int = 1
    verdicts: dict[str, int] = field(default_factory=dict)
    suppressed: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    case_events: list[dict[str, Any]] = field(default_factory=list)  # reposts and removals (compliance/watch.py)

    def paragraph(self) -> str:
        """The closing paragraph: what was scanned, what was skipped, findings, errors."""
        v = ", ".join(f"{n} {k}" for k, n in sorted(self.verdicts.items())) or "none"
        mb = self.bytes / 1e6
        rate = f", {mb / self.seconds:.2f} MB/s" if self.seconds > 0 and self.documents else ""
        workers = f" with {self.workers} workers" if self.workers > 1 else ""
        sup = ""
        if self.suppressed:
            ruled = ", ".join(f"{n} by {k}" for k, n in sorted(self.suppressed.items()))
            sup = f" Ruled out as not copying: {ruled}."
        errors = f"Errors: {self.errors}" + (" (each named above, with its file and offset)" if self.errors else "")
        errors += "."
        run = f" Run #{self.run_id} is recorded in the registry." if self.run_id is not None else ""
        if not self.documents and self.skipped:
            return (f"Nothing new to scan: {self.skipped} already scanned against this registry and rules, every "
                    f"document read (use --rescan to scan them again). {errors}{run}")
        skipped = f" {self.skipped} already scanned (use --rescan to scan again)." if self.skipped else ""
        return (f"Scanned {self.documents} document(s), {mb:.2f} MB in {self.seconds:.1f}s{rate}{workers}.{skipped} "
                f"Findings: {self.findings} ({v}). {errors}{sup}{run}")


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
        return self._findings(doc, tokens, matches)

    def match_documents(self, docs: list[Document]) -> list[tuple[list[Finding], dict[str, int]]]:
        """Findings for a batch of documents (the fast path: one look-up for the batch)."""
        return [self._findings(doc, tokens, matches)
                for doc, (tokens, matches) in zip(docs, self.matcher.match_many([d.text for d in docs]))]

    def _findings(self, doc: Document, tokens: Any, matches: list[Any]) -> tuple[list[Finding], dict[str, int]]:
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
            if doc.sha256 == info["sha256"] and _same_place(doc, info):
                continue  # the registered work itself, scanned where it was registered from
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
                from .attribution import AttributionIndex

                # the names of the works this page copies, found in one Aho-Corasick pass over the page
                copied_infos = [self.work_info(o.work) for o in matches if o.passages]
                attribution = AttributionIndex.for_works(copied_infos, self.rules)
                hits = attribution.find(doc, tokens)
            ctx = VerdictContext(doc, info, passages, copied, coverage, modified,
                                 attribution.for_work(hits, info, passages))
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


def _same_place(doc: Document, info: dict[str, Any]) -> bool:
    """The document is the registered work's own page: same URL, or same file."""
    if doc.url and info.get("url"):
        return doc.url == info["url"]
    src = info.get("source_path")
    if not src or not doc.path:
        return False
    a = _file_id(src)
    return a is not None and a == _file_id(doc.path)


@lru_cache(maxsize=4096)
def _file_id(path: str) -> tuple[int, int] | None:
    """The file a path names (device, inode), asked once per path: one stat, where resolving a path walks
    every folder on the way (a page copying 50 works asks 50 times)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _store_rows(registry: Registry, run_id: int | None, doc: Document, findings: list[Finding],
               scan_key: str) -> None:
    """Write one scanned document (inside the caller's transaction).

    A document with findings is stored with its extracted text (offsets index
    it; evidence needs it).  A document without findings only leaves its
    'scanned' marker: enough to skip it next time, without keeping a copy of
    every crawled page.
    """
    if findings:
        _store_found(registry, run_id, doc, findings)
    _store_markers(registry, run_id, [(doc, len(findings))], scan_key)


def _store_found(registry: Registry, run_id: int | None, doc: Document, findings: list[Finding]) -> None:
    """A document with findings: its text (offsets index it; evidence needs it) and its findings."""
    db = registry.db
    now = now_utc()
    row = db.execute("SELECT id FROM documents WHERE sha256 = ? AND coalesce(url,'') = coalesce(?,'') "
                     "AND coalesce(path,'') = coalesce(?,'')", [doc.sha256, doc.url, doc.path]).fetchone()
    if row:
        doc_id = int(row[0])
    else:
        cur = db.execute(
            """INSERT INTO documents(sha256, raw_sha256, path, url, title, fetched_at, warc_record_id, warc_date,
               payload_digest, source_format, text, extra_text, first_seen_run)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)""",
            [doc.sha256, doc.raw_sha256, doc.path, doc.url, doc.title, doc.fetched_at, doc.warc_record_id,
             doc.warc_date, doc.payload_digest, doc.source_format, doc.text, doc.extra_text, run_id])
        doc_id = int(cur.lastrowid)
    ids = list(dict.fromkeys(f.work["id"] for f in findings))  # at most max_candidates: one query
    nums = dict(db.execute(f"SELECT id, num FROM works WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall())
    db.conn.executemany(
        """INSERT INTO findings(id, document_id, work_num, run_id, passages, copied_words, work_coverage,
           verdict, reasons, rules, attribution, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
           ON CONFLICT(id) DO UPDATE SET document_id=excluded.document_id, run_id=excluded.run_id,
           passages=excluded.passages, copied_words=excluded.copied_words,
           work_coverage=excluded.work_coverage, verdict=excluded.verdict, reasons=excluded.reasons,
           rules=excluded.rules, attribution=excluded.attribution, updated_at=excluded.updated_at""",
        [[f.id, doc_id, nums[f.work["id"]], run_id, json.dumps([p.to_dict() for p in f.passages]), f.copied_words,
          f.work_coverage, f.verdict, json.dumps(f.reasons), json.dumps(f.rules), json.dumps(f.attribution),
          now, now] for f in findings])


def _store_markers(registry: Registry, run_id: int | None, docs: list[tuple[Document, int]], scan_key: str) -> None:
    """The 'scanned' markers of many documents in one statement (most pages of a crawl leave nothing else)."""
    registry.db.conn.executemany(
        "INSERT OR REPLACE INTO scanned(document_sha256, scan_key, run_id, findings, raw_sha256) VALUES (?,?,?,?,?)",
        [(doc.sha256, scan_key, run_id, n, doc.raw_sha256) for doc, n in docs])


def _known(registry: Registry, hashes: Iterable[str | None], scan_key: str, column: str = "document_sha256",
           other_than: int | None = None) -> set[str]:
    """Which of these content hashes (or raw capture hashes) were scanned with this scan key (by a run other
    than *other_than*): one query per 500, not one per document."""
    if column not in ("document_sha256", "raw_sha256"):
        raise ValueError(column)
    wanted = list(dict.fromkeys(h for h in hashes if h))
    run = "" if other_than is None else " AND run_id IS NOT ?"
    out: set[str] = set()
    for i in range(0, len(wanted), 500):
        chunk = wanted[i : i + 500]
        out.update(r[0] for r in registry.db.execute(
            f"SELECT {column} FROM scanned WHERE scan_key = ?{run} AND {column} IN ({','.join('?' * len(chunk))})",
            [scan_key, *([other_than] if other_than is not None else []), *chunk]))
    return out


def _update_run(registry: Registry, run_id: int, summary: ScanSummary, status: str | None) -> None:
    """The run's counts so far (inside the caller's transaction), and its end when *status* is given."""
    sets = "documents=?, skipped=?, bytes=?, findings=?, errors=?"
    args: list[Any] = [summary.documents, summary.skipped, summary.bytes, summary.findings, summary.errors]
    if status is not None:
        sets += ", ended_at=?, status=?"
        args += [now_utc(), status]
    registry.db.execute(f"UPDATE scan_runs SET {sets} WHERE id=?", args + [run_id])


def _scanned_before(registry: Registry, docs: list[Document], scan_key: str, run_id: int | None) -> list[bool]:
    """Which documents a run other than *run_id* scanned with this scan key (two queries, whatever the count):
    by their extracted text, or for a page whose extraction is still pending, by its captured bytes (so it is
    not extracted again).  Content this run has scanned already is scanned again where it recurs (another page
    holding the same text), so what a run reports never depends on how its batches fall."""
    from .inputs import is_pending

    pending = [is_pending(d) for d in docs]
    by_raw = _known(registry, [d.raw_sha256 for d, p in zip(docs, pending) if p], scan_key, "raw_sha256",
                    other_than=run_id)
    by_text = _known(registry, [d.sha256 for d, p in zip(docs, pending) if not p], scan_key, other_than=run_id)
    return [d.raw_sha256 in by_raw if p else d.sha256 in by_text for d, p in zip(docs, pending)]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _close_stale_runs(registry: Registry) -> None:
    """Runs left 'running' by a process that no longer exists were interrupted (killed)."""
    import socket

    host = socket.gethostname()
    for run_id, opts in registry.db.execute("SELECT id, options FROM scan_runs WHERE status = 'running'").fetchall():
        try:
            o = json.loads(opts or "{}")
        except ValueError:
            o = {}
        pid = o.get("pid")
        if isinstance(pid, int) and o.get("host") == host and not _pid_alive(pid):
            registry.db.execute("UPDATE scan_runs SET status = 'interrupted' WHERE id = ?", [run_id])


# ---------------------------------------------------------------- one document, in-process or in a worker

#: The worker's state, inherited through fork: the Scanner built in the parent, the scan key, rescan.
_WORKER: dict[str, Any] = {}


def _rebind(obj: Any, old: Any, new: Any, depth: int = 0, seen: set[int] | None = None) -> None:
    """Replace every reference to *old* (the parent's registry) in *obj* and the compliance objects it holds,
    bound methods of it included (``self.lookup = registry.work_info``)."""
    seen = set() if seen is None else seen
    if id(obj) in seen or depth > 4:
        return
    seen.add(id(obj))
    try:
        items = list(vars(obj).items())
    except TypeError:
        return
    for key, value in items:
        if value is old:
            setattr(obj, key, new)
        elif getattr(value, "__self__", None) is old and hasattr(new, getattr(value, "__name__", "")):
            setattr(obj, key, getattr(new, value.__name__))
        elif type(value).__module__.startswith("compliance") and hasattr(value, "__dict__"):
            _rebind(value, old, new, depth + 1, seen)


def _worker_init(db_path: str) -> None:
    """In a forked worker: a fresh read-only registry connection (sqlite connections cannot cross fork)."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends the pool
    die_with_parent()
    scanner = _WORKER["scanner"]
    old = scanner.registry
    new = Registry(db_path, create=False, readonly=True)
    _rebind(scanner, old, new)
    if isinstance(getattr(scanner, "_work_info", None), dict):
        scanner._work_info = {}


def _read_item(item: Document | FileRef) -> Outcome:
    """A document to scan ("ready"), read here when the parent handed on the file unread."""
    if not isinstance(item, FileRef):
        return ("ready", item, None, None)
    from .inputs import read_one

    try:
        doc = read_one(item)
    except Exception as exc:  # a reader's bug on a hostile file costs that file, never the scan
        return ("error", _doc_error(item, f"cannot read ({exc.__class__.__name__}: {exc})"), None, None)
    if doc is None:
        return ("many", item, None, None)
    return ("error" if isinstance(doc, InputError) else "ready", doc, None, None)


def _skip_scanned(outcomes: list[Outcome], which: list[int]) -> None:
    """Mark the ready documents among *which* that an earlier run scanned as skipped (one batch of queries),
    through the worker's read-only connection; the parent checks again as it stores."""
    if not _WORKER.get("check_known"):
        return
    which = [i for i in which if outcomes[i][0] == "ready"]
    if not which:
        return
    scanner = _WORKER["scanner"]
    docs = [outcomes[i][1] for i in which]
    for i, doc, known in zip(which, docs, _scanned_before(scanner.registry, docs, scanner.scan_key,
                                                          _WORKER.get("run_id"))):
        if known:
            doc.meta.pop("pending_html", None)  # skipped unextracted: its raw page goes no further
            outcomes[i] = ("skip", doc, None, None)


def _extract(outcomes: list[Outcome]) -> list[int]:
    """Extract the pending pages among the ready documents; the positions of those extracted."""
    from .inputs import finish_document, is_pending

    extracted = []
    for i, (kind, doc, _, _) in enumerate(outcomes):
        if kind != "ready" or not is_pending(doc):
            continue
        try:
            item = finish_document(doc)
        except Exception as exc:  # an extractor crash on hostile markup must not end the scan
            outcomes[i] = ("error", _doc_error(doc, f"cannot extract the page ({exc.__class__.__name__}: {exc})"),
                           None, None)
            continue
        if isinstance(item, InputError):
            outcomes[i] = ("error", item, None, None)
        else:
            outcomes[i] = ("ready", item, None, None)
            extracted.append(i)
    return extracted


def _scan_batch(items: list[Document | FileRef]) -> list[Outcome]:
    """A batch, matched together; one outcome per item, in order.

    Files handed on unread are read first, and what an earlier run scanned
    is skipped before it costs an extraction or a match: a page by its raw
    bytes, then by its extracted text.
    """
    scanner = _WORKER["scanner"]
    outcomes = [_read_item(item) for item in items]
    _skip_scanned(outcomes, [i for i, item in enumerate(items) if isinstance(item, FileRef)])
    _skip_scanned(outcomes, _extract(outcomes))
    ready = [i for i, o in enumerate(outcomes) if o[0] == "ready"]
    if not ready:
        return outcomes
    batch = [outcomes[i][1] for i in ready]
    try:
        results = scanner.match_documents(batch)
    except Exception:
        results = None  # find the document at fault: match them one by one
    for k, i in enumerate(ready):
        doc = outcomes[i][1]
        if results is not None:
            findings, suppressed = results[k]
        else:
            try:
                findings, suppressed = scanner.match_document(doc)
            except Exception as exc:  # one document's failure is reported with its location; the scan goes on
                msg = str(exc) if isinstance(exc, ComplianceError) else f"{exc.__class__.__name__}: {exc}"
                outcomes[i] = ("error", _doc_error(doc, f"cannot scan ({msg})"), None, None)
                continue
        outcomes[i] = ("done", doc, findings, suppressed)
    return outcomes


def _doc_error(item: Document | FileRef, message: str) -> InputError:
    """An error naming where the item came from: the file (and the record's offset in a WARC or feed)."""
    from .inputs import located

    if isinstance(item, FileRef):
        return located(item.options.display_name or item.path, message)
    doc = item
    if doc.offset is not None and doc.source_format in ("warc", "arc"):
        return located(doc.path, message, doc.offset)
    if doc.offset is not None and doc.source_format == "feed":
        return located(doc.path, message, doc.offset, "item")
    return located(doc.path + (f" ({doc.url})" if doc.url else ""), message)


@dataclass
class ScanCallbacks:
    """Where a scan reports as it goes (each optional): findings once stored, errors, documents, progress."""

    on_finding: Callable[[Finding], None] | None = None
    on_error: Callable[[InputError], None] | None = None
    #: each document and its number of findings (without its text when ScanOptions.document_text is False and a
    #: worker read it and found nothing in it)
    on_document: Callable[[Document, int], None] | None = None
    on_progress: Callable[[ScanSummary], None] | None = None


class _ScanRun:
    """One scan in progress: what the stages share (the registry, the summary, the batch, the workers)."""

    def __init__(self, registry: Registry, scanner: Scanner, options: ScanOptions, summary: ScanSummary,
                 callbacks: ScanCallbacks) -> None:
        import time

        self.registry = registry
        self.scanner = scanner
        self.options = options
        self.summary = summary
        self.callbacks = callbacks
        self.check_known = options.store and not options.rescan
        self.t0 = time.perf_counter()
        self.pool: WorkerPool | None = None
        self.batch: list[Document | FileRef] = []
        self.batch_bytes = 0
        #: batches handed to the pool, oldest first; results are stored in this order
        self.in_flight: deque[tuple[list[Document | FileRef], Any]] = deque()
        #: documents read but not stored that wait while a file of many documents is read (see read_here)
        self.waiting: list[int] = []
        self.window = max(2, summary.workers * options.window_per_worker)
        self.watch: Any = None  # the repost watch (compliance/watch.py), set by start()
        self.batch_limit = min(options.batch_docs, 16)

    @property
    def run_id(self) -> int | None:
        return self.summary.run_id

    # -- open the run

    @classmethod
    def start(cls, registry: Registry, rules: RuleSet, inputs: list[str], options: ScanOptions,
              scanner: Scanner | None, callbacks: ScanCallbacks) -> "_ScanRun":
        """Build the scanner, record the run (runs left 'running' by dead processes are closed first)."""
        import socket

        scanner = scanner or Scanner(registry, rules)
        summary = ScanSummary(workers=max(1, options.workers))
        run = cls(registry, scanner, options, summary, callbacks)
        if options.store:
            with SIGNALS.hold(deliver=False), registry.db.atomic():  # delivered in run_scan, once it can end the run
                _close_stale_runs(registry)
                cur = registry.db.execute(
                    "INSERT INTO scan_runs(started_at, inputs, options, registry_version, rules_version, "
                    "tool_version) VALUES (?,?,?,?,?,?)",
                    [now_utc(), json.dumps(inputs),
                     json.dumps({"rescan": options.rescan, "workers": summary.workers, "pid": os.getpid(),
                                 "host": socket.gethostname()}),
                     registry.registry_version(), rules.version(), __version__])
                summary.run_id = int(cur.lastrowid)
        from .watch import ScanWatch

        run.watch = ScanWatch(registry, summary.run_id, store=options.store)  # repost watch, rights captures
        summary.case_events = run.watch.events
        _WORKER.update(scanner=scanner, check_known=run.check_known, run_id=summary.run_id)
        return run

    # -- skip what was scanned

    def unscanned(self, items: list[Document | FileRef]) -> list[Document | FileRef]:
        """The items not scanned before against this registry and rules (one query per batch, see
        :func:`_scanned_before`); the others are counted and reported as skipped.  A file handed on unread
        is checked by the worker that reads it."""
        docs = [d for d in items if not isinstance(d, FileRef)]
        if not self.check_known or not docs:
            return items
        known = {id(d) for d, k in zip(docs, _scanned_before(self.registry, docs, self.scanner.scan_key,
                                                             self.run_id)) if k}
        if not known:
            return items
        for d in docs:
            if id(d) in known:
                self.skip(d)
        return [d for d in items if id(d) not in known]

    def skip(self, doc: Document) -> None:
        """Count and report a document already scanned (nothing to match)."""
        doc.meta.pop("pending_html", None)
        self.finish([("skip", doc, None, None)])

    # -- match a batch

    def take(self, item: Document | FileRef | InputError) -> None:
        """One item of the inputs: an error is recorded at once, anything else added to the batch."""
        if isinstance(item, InputError):
            self.record_error(item)
        else:
            self.add(item)

    def add(self, item: Document | FileRef) -> None:
        """Add a document or an unread file to the open batch; a full batch (items or bytes) goes to matching."""
        self.batch.append(item)
        if isinstance(item, FileRef):
            self.batch_bytes += item.size
        else:
            self.batch_bytes += len(item.text) + len(item.meta.get("pending_html") or "")
        if len(self.batch) >= self.batch_limit or self.batch_bytes >= self.options.batch_bytes:
            self.match()
        elif self.pool is not None and not isinstance(item, FileRef) and len(self.batch) % 16 == 0:
            self.pool.poll()  # keep the workers fed while records read here fill this batch (files are not read)

    def match(self) -> None:
        """Hand the open batch to the pool, then finish every batch whose results are in (in input order),
        waiting for the oldest when the window of batches in flight is full."""
        # batches start small and double up to batch_docs: the first findings are stored and printed soon,
        # and a long scan still commits seldom
        self.batch_limit = min(self.options.batch_docs, self.batch_limit * 2)
        self.batch = self.unscanned(self.batch)
        if self.batch:
            if self.pool is None:
                from .inputs import may_extract

                if self.summary.workers > 1:
                    from . import attribution  # noqa: F401 - imported once before fork, not by every worker
                self.pool = WorkerPool(self.summary.workers, str(self.registry.path), _scan_batch, _worker_init,
                                       _doc_error, warm_extractor=any(may_extract(d) for d in self.batch),
                                       thin=not self.options.document_text)
            self.in_flight.append((self.batch, self.pool.submit(self.batch)))
            self.batch, self.batch_bytes = [], 0
        while self.in_flight and (len(self.in_flight) >= self.window or self.pool.ready(self.in_flight[0][1])):
            self.collect()

    def drain(self) -> None:
        """The last batch, then every batch still in flight."""
        self.match()
        while self.in_flight:
            self.collect()

    def collect(self) -> None:
        """Wait for the oldest batch in flight and finish it; a file in it that holds many documents is read
        and scanned in its place, before what follows it."""
        docs, handle = self.in_flight[0]
        results = self.pool.result(docs, handle)
        self.in_flight.popleft()
        start = 0
        for i, (kind, item, _, _) in enumerate(results):
            if kind == "many":
                if i > start:
                    self.finish(results[start:i])
                self.read_here(item, len(results) - i - 1)
                start = i + 1
        if start < len(results):
            self.finish(results[start:])

    def read_here(self, ref: FileRef, waiting: int) -> None:
        """Read a file a worker found to hold many documents (a WARC saved as ``.txt``) here, record by record,
        and scan it through the pool; what was read after it (*waiting* outcomes of its batch, the batches in
        flight, the open batch) waits, so that results are still stored in input order."""
        from pathlib import Path

        from .inputs import read_path

        outer = self.batch, self.batch_bytes, self.in_flight
        self.waiting.append(waiting + len(self.batch) + sum(len(docs) for docs, _ in self.in_flight))
        self.batch, self.batch_bytes, self.in_flight = [], 0, deque()
        for item in read_path(Path(ref.path), ref.options):
            self.take(item)
        self.drain()
        self.batch, self.batch_bytes, self.in_flight = outer
        self.waiting.pop()

    def finish(self, results: list[tuple[str, Any, Any, Any]]) -> None:
        """Store a matched batch, then report it: findings only once committed, and both before a signal
        that arrives meanwhile stops the scan."""
        with SIGNALS.hold():
            self.store(results)
            self.report(results)

    def unstored(self) -> int:
        """Documents read but not stored: the open batch, the batches in flight and those waiting."""
        return len(self.batch) + sum(len(docs) for docs, _ in self.in_flight) + sum(self.waiting)

    # -- store it

    def record_error(self, err: InputError) -> None:
        """An input that could not be read: counted, stored with the run, reported."""
        with SIGNALS.hold():
            self._record_error(err)

    def _record_error(self, err: InputError) -> None:
        self.summary.errors += 1
        if self.options.store:
            with self.registry.db.atomic():
                self.registry.db.execute("INSERT INTO scan_errors(run_id, path, offset, message) VALUES (?,?,?,?)",
                                         [self.run_id, getattr(err, "path", None), getattr(err, "offset", None),
                                          str(err)])
                _update_run(self.registry, self.run_id, self.summary, None)
        if self.callbacks.on_error:
            self.callbacks.on_error(err)

    def store(self, results: list[tuple[str, Any, Any, Any]]) -> None:
        """Count the batch and store it in one transaction, from the re-check of known content to the run's
        counts (a document matched meanwhile by another scan sharing the registry becomes a skip)."""
        summary, registry = self.summary, self.registry
        stored: list[tuple[Document, list[Finding]]] = []
        tx = contextlib.ExitStack()
        if self.options.store:
            tx.enter_context(registry.db.atomic())
        with tx:
            # content another scan sharing the registry stored since it was read (one query for the batch)
            again = _known(registry, (d.sha256 for k, d, _, _ in results if k == "done"),
                           self.scanner.scan_key, other_than=self.run_id) if self.check_known else set()
            for i, (kind, doc, findings, suppressed) in enumerate(results):
                if kind == "error":
                    summary.errors += 1
                    continue
                size = int(doc.meta.get("bytes") or len(doc.text.encode("utf-8", "surrogatepass")))
                summary.bytes_read += size
                if kind == "done" and doc.sha256 in again:
                    # another scan sharing the registry stored this content since it was read: skip it as a
                    # sequential run would (no second copy of the page; its findings reported once)
                    results[i] = kind, doc, findings, suppressed = ("skip", doc, None, None)
                if kind == "skip":
                    summary.skipped += 1
                    continue
                summary.documents += 1
                summary.bytes += size
                for k, n in suppressed.items():
                    summary.suppressed[k] = summary.suppressed.get(k, 0) + n
                for f in findings:
                    summary.findings += 1
                    summary.verdicts[f.verdict] = summary.verdicts.get(f.verdict, 0) + 1
                stored.append((doc, findings))
            if self.options.store:
                for doc, findings in stored:
                    if findings:
                        _store_found(registry, self.run_id, doc, findings)
                _store_markers(registry, self.run_id, [(doc, len(findings)) for doc, findings in stored],
                               self.scanner.scan_key)
                for kind, err, _, _ in results:
                    if kind == "error":
                        registry.db.execute(
                            "INSERT INTO scan_errors(run_id, path, offset, message) VALUES (?,?,?,?)",
                            [self.run_id, getattr(err, "path", None), getattr(err, "offset", None), str(err)])
                if self.run_id is not None:
                    _update_run(registry, self.run_id, summary, None)
            if self.watch is not None:
                self.watch.observe(results)  # inside the batch's transaction: a case changes with its evidence

    # -- report it

    def report(self, results: list[tuple[str, Any, Any, Any]]) -> None:
        """The stored batch to the callbacks, in input order, and the progress line."""
        import time

        cb = self.callbacks
        for kind, doc, findings, _ in results:
            if kind == "error":
                if cb.on_error:
                    cb.on_error(doc)
                continue
            for f in findings or ():
                if cb.on_finding:
                    cb.on_finding(f)
            if cb.on_document:
                cb.on_document(doc, len(findings or ()))
        if cb.on_progress:
            self.summary.seconds = time.perf_counter() - self.t0
            cb.on_progress(self.summary)

    # -- summarise

    def end(self, status: str) -> ScanSummary:
        """Close the workers and record the run's counts and how it ended ('done', 'interrupted', 'failed')."""
        import time

        if self.pool is not None:
            self.pool.close(abort=status != "done")
        _WORKER.clear()
        self.summary.seconds = time.perf_counter() - self.t0
        if self.options.store and self.run_id is not None:
            with self.registry.db.atomic():
                _update_run(self.registry, self.run_id, self.summary, status)
        return self.summary


def run_scan(registry: Registry, rules: RuleSet, documents: Iterable[Document | FileRef | InputError],
             *, inputs: list[str], options: ScanOptions | None = None,
             on_finding: Callable[[Finding], None] | None = None,
             on_error: Callable[[InputError], None] | None = None,
             on_document: Callable[[Document, int], None] | None = None,
             on_progress: Callable[[ScanSummary], None] | None = None,
             scanner: Scanner | None = None) -> ScanSummary:
    """Scan a stream of documents; store and report findings as they are made.

    Each document is stored with its findings in one transaction, and only
    then are its findings passed to ``on_finding``: a scan killed at any
    point and run again finishes the work, without duplicates, and loses
    nothing it reported.  Documents are read lazily, so memory stays flat
    whatever the size of the input; a :class:`~compliance.inputs.FileRef`
    (what :func:`~compliance.inputs.iter_inputs` yields for a plain file) is
    read by the worker that scans it.
    """
    callbacks = ScanCallbacks(on_finding, on_error, on_document, on_progress)
    run = _ScanRun.start(registry, rules, inputs, options or ScanOptions(), scanner, callbacks)
    status = "failed"
    try:
        SIGNALS.deliver()  # one that came while the run was being recorded
        for item in documents:
            run.take(item)
        run.drain()
        status = "done"
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGINT/SIGTERM under stop_on_signals()
        status = "interrupted"
        stop = exc if isinstance(exc, Interrupted) else Interrupted(2)
        stop.summary, stop.unstored = run.summary, run.unstored()
        if stop is exc:
            raise
        raise stop from None
    except BrokenPipeError:  # the reader of the findings went away (`| head`): the run stops where it was
        status = "interrupted"
        raise
    finally:
        with SIGNALS.hold(deliver=False):  # the end is recorded whatever comes now
            run.end(status)
        SIGNALS.discard()
    return run.summary


def stored_findings(registry: Registry, *, publisher: str | None = None, verdict: str | None = None,
                    since: str | None = None) -> Iterator[dict[str, Any]]:
    """Findings in the registry as finding-format dicts (newest first)."""
    sql = """SELECT f.id, f.passages, f.copied_words, f.work_coverage, f.verdict, f.reasons, f.rules,
                    f.attribution, f.updated_at, d.path, d.url, d.sha256, d.title, d.fetched_at, d.warc_record_id,
                    d.warc_date, w.id, w.title, w.url, p.name, w.num
             FROM findings f JOIN documents d ON d.id = f.document_id JOIN works w ON w.num = f.work_num
             JOIN publishers p ON p.id = w.publisher_id WHERE 1=1"""
    where, args = sql_filters(("p.name = ?", publisher or None), ("f.verdict = ?", verdict or None),
                              ("f.updated_at >= ?", since or None))
    sql += where + " ORDER BY p.name, d.url, d.path, f.copied_words DESC"
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
