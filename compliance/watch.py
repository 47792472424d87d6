"""What every scan does for cases and rights signals, batch by batch (the scan loop calls :meth:`ScanWatch.observe`).

**Repost watch.**  The URLs, sites and works of removed cases, and the URLs of
copies still awaited to go, are held in memory for the scan (reloaded when
``meta.cases_generation`` changes: one indexed query per batch).  Then for each
scanned document with a URL, in the batch's transaction:

* a copy of a removed case's work found again, at the same URL or on the same
  site, with a violation or review verdict, in a capture newer than the
  removal: the case is reopened as ``reposted`` with the new finding;
* a case's copy URL captured with other text (no finding of that work there),
  newer than the copy's own capture: that copy is gone; when every copy of a
  case is gone, the case closes as ``removed`` with the capture that shows it
  (its WARC record id and date).

Documents skipped as already scanned count too: their findings (or their
lack of findings) are read back from the registry.

**Rights captures.**  robots.txt and tdmrep.json captures, the pages that
copy, and the registered works' own pages are recorded in ``captures`` with
their rights signals (:mod:`compliance.signals`), for evidence packets.

With ``store`` off (``check --no-store``), nothing is written: the events a
stored scan would record are still computed and returned, so a CI gate can
fail on reposts without touching the registry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .registry import Registry, now_utc

__all__ = ["ScanWatch", "INFRINGING"]

#: Verdicts that make a copy found again a repost.
INFRINGING = ("violation", "review")
_RIGHTS_SUFFIXES = ("/robots.txt", "/.well-known/tdmrep.json")


@dataclass
class _Live:
    case: int
    finding: str
    work: str
    captured_at: str | None


@dataclass
class _State:
    generation: str | None = None
    removed_urls: dict[str, set[int]] = field(default_factory=dict)
    removed_sites: dict[str, set[int]] = field(default_factory=dict)
    removed_works: dict[int, set[str]] = field(default_factory=dict)
    removed_at: dict[int, str] = field(default_factory=dict)
    live: dict[str, list[_Live]] = field(default_factory=dict)
    remaining: dict[int, int] = field(default_factory=dict)  # case -> copies not yet gone
    names: dict[int, tuple[str, str]] = field(default_factory=dict)  # case -> (site, publisher)

    @property
    def active(self) -> bool:
        return bool(self.removed_urls or self.removed_sites or self.live)


def _host(doc: Any) -> str:
    """The document's host as ``Document.host`` gives it, without parsing plain URLs (runs for every page)."""
    url = doc.url or ""
    i = url.find("://")
    if i > 0:
        rest = url[i + 3:]
        end = len(rest)
        for ch in "/?#":
            j = rest.find(ch)
            if 0 <= j < end:
                end = j
        netloc = rest[:end]
        if netloc and not any(c in netloc for c in "@[]\\%") and netloc.isascii():
            return netloc.split(":", 1)[0].lower()
    return doc.host or ""


def _newer(capture: str | None, than: str | None) -> bool:
    """Whether a capture is later than a date; an undated capture counts as now (later than any recorded date)."""
    if not capture or not than:
        return True
    return capture[:19] > than[:19]


class ScanWatch:
    """The per-batch hook of a scan: record rights captures, reopen reposted cases, close removed ones."""

    def __init__(self, registry: Registry, run_id: int | None, *, store: bool = True, captures: bool = True) -> None:
        self.registry = registry
        self.run_id = run_id
        self.store = store
        #: record rights captures (off for imported Spark output, which ships neither headers nor every text)
        self.record = captures
        self.events: list[dict[str, Any]] = []
        self.captures = 0
        self.state = _State()
        self._ok = "cases" in registry.db.table_names()
        if self._ok:
            self._load()

    # ------------------------------------------------------------ the watched sets
    def _generation(self) -> str | None:
        row = self.registry.db.execute("SELECT value FROM meta WHERE key = 'cases_generation'").fetchone()
        return row[0] if row else None

    def _load(self) -> None:
        db = self.registry.db
        st = _State(generation=self._generation())
        for cid, site, pub, status in db.execute(
                "SELECT c.id, c.site, p.name, c.status FROM cases c JOIN publishers p ON p.id = c.publisher_id"):
            st.names[cid] = (site, pub)
        for cid, site, url, work in db.execute(
                """SELECT c.id, c.site, cf.url, w.id FROM cases c JOIN case_findings cf ON cf.case_id = c.id
                   JOIN works w ON w.num = cf.work_num WHERE c.status = 'removed'"""):
            st.removed_sites.setdefault(site, set()).add(cid)
            st.removed_works.setdefault(cid, set()).add(work)
            if url:
                st.removed_urls.setdefault(url, set()).add(cid)
        for cid, at in db.execute(
                """SELECT e.case_id, max(e.at) FROM case_events e JOIN cases c ON c.id = e.case_id
                   WHERE c.status = 'removed' AND e.to_status = 'removed' GROUP BY e.case_id"""):
            st.removed_at[cid] = at
        for cid, fid, work, url, captured, gone in db.execute(
                """SELECT c.id, cf.finding_id, w.id, cf.url, cf.captured_at, cf.gone_at FROM cases c
                   JOIN case_findings cf ON cf.case_id = c.id JOIN works w ON w.num = cf.work_num
                   WHERE c.status != 'removed'"""):
            if gone is None:
                st.remaining[cid] = st.remaining.get(cid, 0) + 1
                if url:
                    st.live.setdefault(url, []).append(_Live(cid, fid, work, captured))
        self.state = st

    # ------------------------------------------------------------ the hook
    def observe(self, results: list[tuple[str, Any, Any, Any]]) -> None:
        """One batch's outcomes ``(kind, document, findings, suppressed)``, inside the batch's transaction."""
        if not self._ok:
            return
        if self.store and self.record:
            self._record_captures(results)
        if self._generation() != self.state.generation:
            self._load()  # a case changed since (another process, or this watch)
        if not self.state.active:
            return
        for kind, doc, findings, _ in results:
            if kind not in ("done", "skip") or not doc.url:
                continue
            url = doc.url
            st = self.state
            host = _host(doc)
            if url not in st.removed_urls and host not in st.removed_sites and url not in st.live:
                continue
            if kind == "done":
                found = [(f.id, f.work["id"], f.verdict) for f in findings or ()]
            else:
                found = self._stored_findings(doc)
                if found is None:
                    continue  # the content is unknown: say nothing
            date = doc.warc_date or doc.fetched_at
            self._reposts(doc, url, host, found, date)
            self._removals(doc, url, found, date)

    def _record_captures(self, results: list[tuple[str, Any, Any, Any]]) -> None:
        from .signals import capture_rows, store_captures

        docs: list[tuple[Any, bool]] = []
        ask: list[str] = []
        for kind, doc, findings, _ in results:
            if kind == "done" or (kind == "skip" and doc.url and doc.url.endswith(_RIGHTS_SUFFIXES) and doc.text):
                docs.append((doc, bool(findings)))
                if kind == "done" and not findings and doc.url and not doc.url.endswith(_RIGHTS_SUFFIXES):
                    ask.append(doc.url)
        if not docs:
            return
        work_urls: set[str] = set()
        if ask:  # the registered works' own pages, when the crawl holds them (one indexed query per batch)
            work_urls = {r[0] for r in self.registry.db.execute(
                f"SELECT url FROM works WHERE url IN ({','.join('?' * len(ask))})", ask)}
        rows = capture_rows(docs, work_urls, self.run_id, now_utc())
        store_captures(self.registry.db, rows)
        self.captures += len(rows)

    def _stored_findings(self, doc: Any) -> list[tuple[str, str, str]] | None:
        """Findings of a skipped document's content, from the registry (None when its content is unknown)."""
        db = self.registry.db
        sha = doc.sha256 if doc.text else None
        if sha is None and doc.raw_sha256:
            row = db.execute("SELECT document_sha256 FROM scanned WHERE raw_sha256 = ? LIMIT 1",
                             [doc.raw_sha256]).fetchone()
            sha = row[0] if row else None
        if sha is None:
            return None
        return [(r[0], r[1], r[2]) for r in db.execute(
            """SELECT DISTINCT f.id, w.id, f.verdict FROM documents d JOIN findings f ON f.document_id = d.id
               JOIN works w ON w.num = f.work_num WHERE d.sha256 = ?""", [sha])]

    def _event(self, action: str, case: int, doc: Any, url: str, findings: list[str], reason: str) -> dict[str, Any]:
        site, publisher = self.state.names.get(case, ("?", "?"))
        event = {"case": case, "action": action, "site": site, "publisher": publisher,
                 "finding": findings[0] if findings else None, "findings": findings, "url": url, "warc_record_id": doc.warc_record_id, "warc_date": doc.warc_date,
                 "fetched_at": doc.fetched_at, "path": doc.path, "reason": reason, "run_id": self.run_id,
                 "stored": self.store}
        self.events.append(event)
        return event

    def _by(self) -> str:
        return f"scan run {self.run_id}" if self.run_id is not None else "scan"

    def _reposts(self, doc: Any, url: str, host: str, found: list[tuple[str, str, str]], date: str | None) -> None:
        st = self.state
        cases = set(st.removed_urls.get(url, ())) | set(st.removed_sites.get(host, ()))
        for cid in sorted(cases):
            works = st.removed_works.get(cid, set())
            hits = [f for f in found if f[1] in works and f[2] in INFRINGING]
            if not hits or not _newer(date, st.removed_at.get(cid)):
                continue
            same_url = cid in st.removed_urls.get(url, ())
            reason = ("the removed copy is back at the same URL" if same_url
                      else f"work {hits[0][1]} copied again on the same site")
            where = (f"capture {doc.warc_record_id} of {doc.warc_date}" if doc.warc_record_id
                     else f"{doc.path}" + (f" captured {date}" if date else ""))
            self._event("reposted", cid, doc, url, [h[0] for h in hits], reason)
            if self.store:
                self._reopen(cid, doc, url, hits, date, f"{reason}: {url} ({where})")
            self._forget_removed(cid)
            st.remaining[cid] = st.remaining.get(cid, 0) + len(hits)
            for fid, work, _ in hits:
                st.live.setdefault(url, []).append(_Live(cid, fid, work, date))

    def _reopen(self, cid: int, doc: Any, url: str, hits: list[tuple[str, str, str]], date: str | None,
                note: str) -> None:
        from .cases import _FINDING_INFO, _add_findings, transition

        db = self.registry.db
        at = date or now_utc()
        transition(self.registry, cid, "reposted", by=self._by(), at=at, note=note, action="reposted",
                   finding_id=hits[0][0], url=url, warc_record_id=doc.warc_record_id, warc_date=doc.warc_date,
                   run_id=self.run_id)
        rows = [db.execute(_FINDING_INFO + " WHERE f.id = ?", [fid]).fetchone() for fid, _, _ in hits]
        _add_findings(self.registry, cid, [tuple(r) for r in rows if r], by=self._by(), at=at,
                      note="found again by the repost watch", run_id=self.run_id)
        for fid, _, _ in hits:  # the same content back where it was: that copy is live again
            db.execute("UPDATE case_findings SET gone_at = NULL, gone_warc_record_id = NULL, gone_warc_date = NULL, "
                       "gone_run_id = NULL WHERE case_id = ? AND finding_id = ?", [cid, fid])

    def _forget_removed(self, cid: int) -> None:
        st = self.state
        for index in (st.removed_urls, st.removed_sites):
            for key in [k for k, v in index.items() if cid in v]:
                index[key].discard(cid)
                if not index[key]:
                    del index[key]
        st.removed_works.pop(cid, None)
        st.removed_at.pop(cid, None)

    def _removals(self, doc: Any, url: str, found: list[tuple[str, str, str]], date: str | None) -> None:
        st = self.state
        entries = st.live.get(url)
        if not entries:
            return
        works_here = {f[1] for f in found}
        keep = []
        for e in entries:
            if e.work in works_here or not _newer(date, e.captured_at):
                keep.append(e)
                continue
            # this copy is gone: the URL shows other text in a later capture
            if self.store:
                self.registry.db.execute(
                    "UPDATE case_findings SET gone_at = ?, gone_warc_record_id = ?, gone_warc_date = ?, "
                    "gone_run_id = ? WHERE case_id = ? AND finding_id = ? AND gone_at IS NULL",
                    [date or now_utc(), doc.warc_record_id, doc.warc_date, self.run_id, e.case, e.finding])
            st.remaining[e.case] = st.remaining.get(e.case, 1) - 1
            if st.remaining[e.case] <= 0:
                self._close(e.case, doc, url, date)
        if keep:
            st.live[url] = keep
        else:
            st.live.pop(url, None)
        for u in [u for u, es in st.live.items() if not es]:
            del st.live[u]

    def _close(self, cid: int, doc: Any, url: str, date: str | None) -> None:
        from .cases import transition

        where = (f"capture {doc.warc_record_id} of {doc.warc_date}" if doc.warc_record_id
                 else f"{doc.path}" + (f" captured {date}" if date else ""))
        reason = f"{url} now shows other text ({where})"
        self._event("removed", cid, doc, url, [], reason)
        st = self.state
        if self.store:
            transition(self.registry, cid, "removed", by=self._by(), at=date or now_utc(),
                       note=f"every copy is gone: {reason}", action="removed", url=url,
                       warc_record_id=doc.warc_record_id, warc_date=doc.warc_date, run_id=self.run_id)
        # from now on this case is watched for reposts (the next batch reloads the sets from the registry)
        for u in [u for u, es in st.live.items() if any(e.case == cid for e in es)]:
            st.live[u] = [e for e in st.live[u] if e.case != cid]
        works = {w for w, in self.registry.db.execute(
            "SELECT w.id FROM case_findings cf JOIN works w ON w.num = cf.work_num WHERE cf.case_id = ?", [cid])}
        urls = {u for u, in self.registry.db.execute(
            "SELECT DISTINCT url FROM case_findings WHERE case_id = ? AND url IS NOT NULL", [cid])}
        site = st.names.get(cid, ("", ""))[0]
        st.removed_sites.setdefault(site, set()).add(cid)
        st.removed_works[cid] = works
        st.removed_at[cid] = date or now_utc()
        for u in urls:
            st.removed_urls.setdefault(u, set()).add(cid)
