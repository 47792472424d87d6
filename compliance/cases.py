"""Cases: a site's copies of one publisher's works, followed from finding to removal.

A rights team does not stop at an evidence packet: it drafts and sends the
notice, waits, checks that the copy is gone, and watches for it to come back.
A *case* groups the findings of one publisher's works on one site (the host
of the copies), and moves through these statuses::

    open ─► drafted ─► sent ─► acknowledged ─► removed ─► reposted ─► ...
      └────────┴─────────┴──────────┴──► rejected ─► drafted | sent | removed

Every change is a row in ``case_events`` saying who (``--by``, else
``$USER``), when (``--at``, else now; the row also keeps when it was written)
and why (``--note``).  A change the table below does not allow is refused
with the allowed ones named (exit 2).  Scans change cases too
(:mod:`compliance.watch`): a removed copy found again reopens its case as
``reposted``, and a copy whose URL now shows other text closes its case as
``removed`` with the capture that shows it.
"""

from __future__ import annotations

import datetime as _dt
import getpass
import os
import re
import statistics
from typing import Any, Iterable

from .errors import ComplianceError
from .registry import Registry, now_utc, sql_filters

__all__ = [
    "STATUSES",
    "MARKS",
    "TRANSITIONS",
    "CLOSED",
    "CaseError",
    "allowed_from",
    "who",
    "parse_at",
    "parse_case_id",
    "open_cases",
    "list_cases",
    "get_case",
    "mark_case",
    "transition",
    "record_packet",
    "case_finding_ids",
    "case_stats",
    "bump_generation",
]

STATUSES = ("open", "drafted", "sent", "acknowledged", "removed", "rejected", "reposted")
#: Statuses `cases mark` sets (a case starts as "open").
MARKS = STATUSES[1:]
#: Status -> the statuses it may move to.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("drafted", "sent", "removed", "rejected"),
    "drafted": ("sent", "removed", "rejected"),
    "sent": ("acknowledged", "removed", "rejected"),
    "acknowledged": ("removed", "rejected"),
    "rejected": ("drafted", "sent", "removed"),
    "removed": ("reposted",),
    "reposted": ("drafted", "sent", "removed", "rejected"),
}
#: Cases in these statuses are no longer open (the report's open cases leave them out).
CLOSED = ("removed", "rejected")
#: Age buckets of open cases, in days since they were opened.
AGE_BUCKETS = (("0-7 days", 0, 7), ("8-30 days", 8, 30), ("31-90 days", 31, 90), ("over 90 days", 91, None))


class CaseError(ComplianceError):
    """A case command that cannot be carried out (unknown case, refused transition, bad date): exit 2."""


def allowed_from(status: str) -> tuple[str, ...]:
    """The statuses a case in *status* may be marked."""
    return TRANSITIONS.get(status, ())


def who(by: str | None = None) -> str:
    """Who makes a change: ``--by``, else ``$USER`` (or ``$LOGNAME``), else the login name."""
    if by and by.strip():
        return " ".join(by.split())[:200]
    for var in ("USER", "LOGNAME"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def parse_at(at: str | None) -> str:
    """``--at``: a date (YYYY-MM-DD, read as midnight UTC) or an ISO 8601 time; never in the future. Default: now."""
    if at is None:
        return now_utc()
    s = at.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            t = _dt.datetime.combine(_dt.date.fromisoformat(s), _dt.time(), _dt.timezone.utc)
        else:
            t = _dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
            if t.tzinfo is None:
                t = t.replace(tzinfo=_dt.timezone.utc)
    except ValueError:
        raise CaseError(f"--at {at!r}: not a date; use YYYY-MM-DD or an ISO 8601 time "
                        "(for example 2025-03-01 or 2025-03-01T14:30:00Z)") from None
    t = t.astimezone(_dt.timezone.utc).replace(microsecond=0)
    if t > _dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(minutes=5):
        raise CaseError(f"--at {at!r} is in the future; record a change once it has happened")
    return t.isoformat().replace("+00:00", "Z")


def parse_case_id(value: str | int) -> int:
    """A case number from ``3``, ``#3`` or ``case-3``."""
    m = re.fullmatch(r"\s*(?:#|case-?)?(\d{1,12})\s*", str(value), re.IGNORECASE)
    if not m:
        raise CaseError(f"{value!r} is not a case number (3, #3 or case-3); list cases with: compliance cases list")
    return int(m.group(1))


def bump_generation(registry: Registry) -> None:
    """Tell running scans that cases changed (inside the caller's transaction)."""
    registry.db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'cases_generation'")


def _event(registry: Registry, case_id: int, action: str, *, by: str, at: str, from_status: str | None = None,
           to_status: str | None = None, note: str | None = None, **fields: Any) -> dict[str, Any]:
    row = {"case_id": case_id, "action": action, "from_status": from_status, "to_status": to_status, "at": at,
           "recorded_at": now_utc(), "by": by, "note": note}
    for key in ("finding_id", "url", "warc_record_id", "warc_date", "run_id", "packet", "manifest_sha256"):
        row[key] = fields.get(key)
    cols = list(row)
    cur = registry.db.execute(f"INSERT INTO case_events({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                              [row[c] for c in cols])
    row["id"] = int(cur.lastrowid)
    return row


def _case_row(registry: Registry, case_id: int) -> tuple[Any, ...]:
    row = registry.db.execute(
        "SELECT c.id, c.site, p.name, c.status, c.opened_at, c.opened_by, c.updated_at FROM cases c "
        "JOIN publishers p ON p.id = c.publisher_id WHERE c.id = ?", [case_id]).fetchone()
    if row is None:
        n = registry.db.execute("SELECT count(*) FROM cases").fetchone()[0]
        hint = f"{n} case(s) in {registry.path}; list them with: compliance cases list" if n else \
            f"no cases in {registry.path} yet; open one with: compliance cases open FINDING"
        raise CaseError(f"case #{case_id} not found ({hint})")
    return tuple(row)


# ---------------------------------------------------------------- opening

_FINDING_INFO = """
SELECT f.id, f.work_num, w.publisher_id, p.name, d.url, d.path, coalesce(d.warc_date, d.fetched_at), f.verdict
FROM findings f JOIN documents d ON d.id = f.document_id JOIN works w ON w.num = f.work_num
JOIN publishers p ON p.id = w.publisher_id
"""


def _site(url: str | None, path: str | None) -> str:
    from .report import site_of

    return site_of({"url": url, "path": path})


def open_cases(registry: Registry, *, finding: str | None = None, site: str | None = None,
               publisher: str | None = None, verdicts: tuple[str, ...] = ("violation",), by: str | None = None,
               at: str | None = None, note: str | None = None) -> list[dict[str, Any]]:
    """Open a case for a finding (its site and publisher), or one per publisher for a site's findings.

    A case already open for that site and publisher gains the findings it did
    not hold; nothing is duplicated.  Returns one entry per case touched:
    ``{"case", "site", "publisher", "status", "created", "added"}``.
    """
    from .evidence import find_finding_ids, site_finding_ids

    if (finding is None) == (site is None):
        raise CaseError("give a FINDING id or --site SITE (one of them)")
    by_, at_ = who(by), parse_at(at)
    if finding is not None:
        ids = [find_finding_ids(registry, finding)]
    else:
        ids = site_finding_ids(registry, site or "", verdicts)
    rows = [registry.db.execute(_FINDING_INFO + " WHERE f.id = ?", [fid]).fetchone() for fid in ids]
    rows = [r for r in rows if r is not None and (publisher is None or r[3] == publisher)]
    if not rows:
        names = sorted({r[3] for r in (registry.db.execute(_FINDING_INFO + " WHERE f.id = ?", [fid]).fetchone()
                                       for fid in ids) if r})
        raise CaseError(f"no findings of publisher {publisher!r} on site {site!r} "
                        f"(publishers with findings there: {', '.join(names) or 'none'})")
    groups: dict[tuple[str, int], list[tuple[Any, ...]]] = {}
    for r in rows:
        groups.setdefault((_site(r[4], r[5]), int(r[2])), []).append(tuple(r))
    out = []
    with registry.db.atomic():
        for (host, pid), frows in sorted(groups.items()):
            existing = registry.db.execute("SELECT id, status FROM cases WHERE site = ? AND publisher_id = ?",
                                           [host, pid]).fetchone()
            created = existing is None
            if created:
                cur = registry.db.execute(
                    "INSERT INTO cases(site, publisher_id, status, opened_at, opened_by, updated_at) "
                    "VALUES (?,?,?,?,?,?)", [host, pid, "open", at_, by_, now_utc()])
                cid, status = int(cur.lastrowid), "open"
                _event(registry, cid, "opened", by=by_, at=at_, to_status="open", note=note)
            else:
                cid, status = int(existing[0]), str(existing[1])
            added = _add_findings(registry, cid, frows, by=by_, at=at_, note=note)
            if added and not created:
                registry.db.execute("UPDATE cases SET updated_at = ? WHERE id = ?", [now_utc(), cid])
            out.append({"case": cid, "site": host, "publisher": frows[0][3], "status": status, "created": created,
                        "added": added})
        bump_generation(registry)
    return out


def _add_findings(registry: Registry, case_id: int, rows: Iterable[tuple[Any, ...]], *, by: str, at: str,
                  note: str | None, action: str = "added", run_id: int | None = None) -> list[str]:
    """Attach findings to a case (rows as :data:`_FINDING_INFO` selects them); the ids newly added."""
    added = []
    for fid, work_num, _pid, _pub, url, _path, captured, _verdict in rows:
        cur = registry.db.execute(
            "INSERT OR IGNORE INTO case_findings(case_id, finding_id, work_num, url, captured_at, added_at, added_by) "
            "VALUES (?,?,?,?,?,?,?)", [case_id, fid, work_num, url, captured, at, by])
        if cur.rowcount:
            added.append(fid)
            _event(registry, case_id, action, by=by, at=at, note=note, finding_id=fid, url=url, run_id=run_id)
    return added


# ---------------------------------------------------------------- reading

def _age_days(since: str | None, now: _dt.datetime) -> int | None:
    t = _parse_time(since)
    return None if t is None else max(0, (now - t).days)


def _parse_time(value: str | None) -> _dt.datetime | None:
    if not value:
        return None
    try:
        t = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            t = _dt.datetime.combine(_dt.date.fromisoformat(value[:10]), _dt.time())
        except ValueError:
            return None
    return t if t.tzinfo else t.replace(tzinfo=_dt.timezone.utc)


_LIST_SQL = """
SELECT c.id, c.site, p.name, c.status, c.opened_at, c.opened_by, c.updated_at,
       (SELECT count(*) FROM case_findings cf WHERE cf.case_id = c.id),
       (SELECT count(DISTINCT cf.url) FROM case_findings cf WHERE cf.case_id = c.id AND cf.url IS NOT NULL),
       (SELECT count(*) FROM case_findings cf WHERE cf.case_id = c.id AND cf.gone_at IS NOT NULL),
       (SELECT e.at FROM case_events e WHERE e.case_id = c.id AND e.to_status = c.status AND e.action != 'evidence'
        ORDER BY e.at DESC, e.id DESC LIMIT 1),
       (SELECT e.by FROM case_events e WHERE e.case_id = c.id ORDER BY e.id DESC LIMIT 1)
FROM cases c JOIN publishers p ON p.id = c.publisher_id
"""


def list_cases(registry: Registry, *, status: str | None = None, publisher: str | None = None,
               site: str | None = None) -> list[dict[str, Any]]:
    """Cases (oldest first), with their counts, age in days and the status's date."""
    where, args = sql_filters(("c.status = ?", status or None), ("p.name = ?", publisher or None),
                              ("c.site = ?", site.strip().lower() if site else None))
    sql = _LIST_SQL + " WHERE 1=1" + where + " ORDER BY c.id"
    now = _dt.datetime.now(_dt.timezone.utc)
    out = []
    for r in registry.db.execute(sql, args).fetchall():
        out.append({"case": r[0], "site": r[1], "publisher": r[2], "status": r[3], "opened_at": r[4],
                    "opened_by": r[5], "updated_at": r[6], "findings": r[7], "urls": r[8], "gone": r[9],
                    "status_since": r[10] or r[4], "age_days": _age_days(r[4], now), "last_by": r[11]})
    return out


_EVENT_COLS = ("id", "action", "from_status", "to_status", "at", "recorded_at", "by", "note", "finding_id", "url",
               "warc_record_id", "warc_date", "run_id", "packet", "manifest_sha256")


def get_case(registry: Registry, case: int | str) -> dict[str, Any]:
    """One case with its findings (and whether each copy is gone), every event, and its evidence packets."""
    cid = parse_case_id(case)
    r = _case_row(registry, cid)
    now = _dt.datetime.now(_dt.timezone.utc)
    findings = []
    for row in registry.db.execute(
            """SELECT cf.finding_id, w.id, w.title, cf.url, cf.captured_at, cf.added_at, cf.added_by, cf.gone_at,
                      cf.gone_warc_record_id, cf.gone_warc_date, cf.gone_run_id, f.verdict, f.copied_words,
                      f.work_coverage
               FROM case_findings cf JOIN works w ON w.num = cf.work_num LEFT JOIN findings f ON f.id = cf.finding_id
               WHERE cf.case_id = ? ORDER BY cf.added_at, cf.finding_id""", [cid]).fetchall():
        findings.append({"finding": row[0], "work": row[1], "work_title": row[2], "url": row[3],
                         "captured_at": row[4], "added_at": row[5], "added_by": row[6],
                         "verdict": row[11], "copied_words": row[12], "work_coverage": row[13],
                         "gone": None if row[7] is None else {"at": row[7], "warc_record_id": row[8],
                                                              "warc_date": row[9], "run_id": row[10]}})
    events = [dict(zip(_EVENT_COLS, e)) for e in registry.db.execute(
        f"SELECT {', '.join(_EVENT_COLS)} FROM case_events WHERE case_id = ? ORDER BY at, id", [cid]).fetchall()]
    packets = [{"at": e["at"], "by": e["by"], "packet": e["packet"], "manifest_sha256": e["manifest_sha256"]}
               for e in events if e["action"] == "evidence"]
    return {"case": r[0], "site": r[1], "publisher": r[2], "status": r[3], "opened_at": r[4], "opened_by": r[5],
            "updated_at": r[6], "age_days": _age_days(r[4], now), "allowed": list(allowed_from(r[3])),
            "findings": findings, "events": events, "packets": packets}


def case_finding_ids(registry: Registry, case: int | str, *, live_only: bool = False) -> list[str]:
    """The ids of a case's findings that are still in the registry (for its evidence packet)."""
    cid = parse_case_id(case)
    _case_row(registry, cid)
    sql = ("SELECT cf.finding_id FROM case_findings cf JOIN findings f ON f.id = cf.finding_id "
           "WHERE cf.case_id = ?" + (" AND cf.gone_at IS NULL" if live_only else "") + " ORDER BY cf.finding_id")
    return [r[0] for r in registry.db.execute(sql, [cid]).fetchall()]


# ---------------------------------------------------------------- changing

def mark_case(registry: Registry, case: int | str, status: str, *, by: str | None = None, at: str | None = None,
              note: str | None = None) -> dict[str, Any]:
    """Move a case to *status*, recording who, when and why; refuse a move the transitions do not allow."""
    cid = parse_case_id(case)
    if status not in MARKS:
        raise CaseError(f"unknown status {status!r}; a case can be marked: {', '.join(MARKS)}")
    by_, at_ = who(by), parse_at(at)
    with registry.db.atomic():
        return transition(registry, cid, status, by=by_, at=at_, note=note)


def transition(registry: Registry, case_id: int, status: str, *, by: str, at: str, note: str | None = None,
               action: str = "marked", **fields: Any) -> dict[str, Any]:
    """The change itself, inside the caller's transaction (``mark_case``, or a scan's repost watch)."""
    current = str(_case_row(registry, case_id)[3])
    if status not in allowed_from(current):
        allowed = allowed_from(current)
        raise CaseError(f"case #{case_id} is {current}: it cannot be marked {status}. Allowed from {current}: "
                        f"{', '.join(allowed) if allowed else 'nothing'}.")
    registry.db.execute("UPDATE cases SET status = ?, updated_at = ? WHERE id = ?", [status, now_utc(), case_id])
    event = _event(registry, case_id, action, by=by, at=at, from_status=current, to_status=status, note=note,
                   **fields)
    bump_generation(registry)
    return event


def record_packet(registry: Registry, case: int | str, folder: str, manifest_sha256: str, *,
                  by: str | None = None, note: str | None = None) -> dict[str, Any]:
    """Record that an evidence packet was written for a case: its folder and the SHA-256 of its manifest."""
    cid = parse_case_id(case)
    with registry.db.atomic():
        current = str(_case_row(registry, cid)[3])
        event = _event(registry, cid, "evidence", by=who(by), at=now_utc(), from_status=current, to_status=current,
                       note=note, packet=folder, manifest_sha256=manifest_sha256)
        registry.db.execute("UPDATE cases SET updated_at = ? WHERE id = ?", [now_utc(), cid])
    return event


# ---------------------------------------------------------------- figures for the report

def case_stats(registry: Registry, *, publisher: str | None = None, now: str | None = None) -> dict[str, Any]:
    """The report's Cases section: open cases by status and age, median days from sent to removed, reposts."""
    t_now = _parse_time(now) or _dt.datetime.now(_dt.timezone.utc)
    cases = list_cases(registry, publisher=publisher)
    ids = {c["case"] for c in cases}
    events: dict[int, list[dict[str, Any]]] = {}
    for row in registry.db.execute(f"SELECT case_id, {', '.join(_EVENT_COLS)} FROM case_events ORDER BY at, id"):
        if row[0] in ids:
            events.setdefault(row[0], []).append(dict(zip(_EVENT_COLS, row[1:])))
    open_cases_ = [c for c in cases if c["status"] not in CLOSED]
    by_status = []
    for status in STATUSES:
        group = [c for c in open_cases_ if c["status"] == status]
        if not group:
            continue
        ages = {label: 0 for label, _, _ in AGE_BUCKETS}
        for c in group:
            age = _age_days(c["opened_at"], t_now) or 0
            for label, lo, hi in AGE_BUCKETS:
                if age >= lo and (hi is None or age <= hi):
                    ages[label] += 1
                    break
        by_status.append({"status": status, "count": len(group), "ages": ages,
                          "oldest_days": max((_age_days(c["opened_at"], t_now) or 0) for c in group)})
    durations = []
    for evs in events.values():
        sent = None
        for e in evs:
            if e["to_status"] == "sent" and e["action"] != "evidence":
                sent = _parse_time(e["at"])
            elif e["to_status"] == "removed" and e["action"] != "evidence" and sent is not None:
                removed = _parse_time(e["at"])
                if removed is not None:
                    durations.append(max(0.0, (removed - sent).total_seconds() / 86400))
                sent = None
    reposts = []
    by_case = {c["case"]: c for c in cases}
    for cid, evs in events.items():
        for e in evs:
            if e["to_status"] == "reposted" and e["action"] != "evidence":
                c = by_case[cid]
                reposts.append({"case": cid, "site": c["site"], "publisher": c["publisher"], "at": e["at"],
                                "by": e["by"], "url": e["url"], "finding": e["finding_id"], "note": e["note"],
                                "warc_record_id": e["warc_record_id"], "status": c["status"]})
    reposts.sort(key=lambda r: (r["at"], r["case"]), reverse=True)
    ages_total = {label: sum(s["ages"][label] for s in by_status) for label, _, _ in AGE_BUCKETS}
    return {
        "total": len(cases),
        "open": len(open_cases_),
        "counts": {s: sum(1 for c in cases if c["status"] == s) for s in STATUSES},
        "by_status": by_status,
        "ages": ages_total,
        "median_days_sent_to_removed": round(statistics.median(durations), 1) if durations else None,
        "removals_after_sending": len(durations),
        "reposts": reposts,
        "reposted_now": sum(1 for c in cases if c["status"] == "reposted"),
        "open_cases": [dict(c, age_days=_age_days(c["opened_at"], t_now)) for c in open_cases_],
    }
