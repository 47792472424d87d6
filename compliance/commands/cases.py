"""Case commands: open, list, show and mark the cases that follow copies from finding to removal."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import click

from .base import State, format_option, render_table

_CASE_COLUMNS = ["case", "site", "publisher", "status", "status_since", "findings", "urls", "gone", "age_days",
                 "opened_at", "opened_by", "last_by"]


@click.group()
def cases() -> None:
    """Follow copies from finding to removal: open, list, show and mark cases.

    A case groups the findings of one publisher's works on one site (the host
    of the copies).  It starts "open", and `cases mark` moves it on:

    \b
      open         -> drafted, sent, removed, rejected
      drafted      -> sent, removed, rejected
      sent         -> acknowledged, removed, rejected
      acknowledged -> removed, rejected
      rejected     -> drafted, sent, removed
      removed      -> reposted
      reposted     -> drafted, sent, removed, rejected

    Each change is recorded with who made it ($USER, or --by), when (--at,
    or now) and why (--note).  A change the table does not allow exits 2 and
    names the allowed ones.  Every scan watches the cases too: a removed copy
    found again (same URL, or the same work on the same site) reopens its case
    as "reposted"; a copy whose URL now shows other text closes its case as
    "removed" with the capture's WARC record id and date.

    \b
    Examples:
      compliance cases open 4c85f57cec8c6920
      compliance cases open --site copycat.example
      compliance cases list --status sent --format json
      compliance cases show 1
      compliance cases mark 1 sent --note "DMCA notice e-mailed to abuse@copycat.example"
      compliance evidence --case 1
    """


# When a case changed (both commands record it with the change).
_AT = click.option("--at", "at", metavar="DATE",
                   help="When it happened (YYYY-MM-DD or ISO 8601 time, UTC). Default: now.")


@cases.command("open")
@click.argument("finding", required=False)
@click.option("--site", help="Open a case per publisher for the findings on this site (host; subdomains included).")
@click.option("--publisher", help="With --site: only this publisher's findings (its exact name).")
@click.option("--verdict", "verdicts", multiple=True, type=click.Choice(["violation", "review"]),
              help="With --site: findings with this verdict (repeatable). Default: violation.")
@click.option("--note", help="Why the case is opened (recorded with the change).")
@_AT
@click.option("--by", help="Who opens it. Default: $USER.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: the case numbers, one per line; json: what was opened and added.")
@click.pass_obj
def cases_open(state: State, finding: str | None, site: str | None, publisher: str | None,
               verdicts: tuple[str, ...], note: str | None, at: str | None, by: str | None, fmt: str) -> None:
    """Open a case for a finding, or for every violation on a site.

    FINDING is a finding id (or a unique prefix of it): its case is the one
    for the copy's site and the work's publisher, created if there is none.
    With --site, each publisher with findings on the site gets its case.  A
    case that already exists gains the findings it does not hold yet.

    The case numbers go to stdout (one per line), a sentence per case to
    stderr.

    \b
    Examples:
      compliance cases open 4c85f57cec8c6920
      compliance cases open --site copycat.example --note "weekly sweep"
      compliance cases open --site copycat.example --publisher "Northwind Daily Media Ltd" --verdict review
      CASE=$(compliance cases open 4c85f57c) && compliance evidence --case "$CASE"
    """
    from ..cases import open_cases

    if (finding is None) == (site is None):
        raise click.UsageError("give a FINDING id or --site SITE (one of them)")
    if finding is not None and (publisher or verdicts):
        raise click.UsageError("--publisher and --verdict go with --site")
    registry = state.registry(create=False)
    result = open_cases(registry, finding=finding, site=site, publisher=publisher,
                        verdicts=verdicts or ("violation",), by=by, at=at, note=note)
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        for r in result:
            click.echo(str(r["case"]))
    for r in result:
        n = len(r["added"])
        if r["created"]:
            msg = f"Opened case #{r['case']} for {r['site']} ({r['publisher']}) with {n} finding(s)."
        elif n:
            msg = f"Case #{r['case']} ({r['site']}, {r['publisher']}, {r['status']}) gained {n} finding(s)."
        else:
            msg = f"Case #{r['case']} ({r['site']}, {r['publisher']}, {r['status']}) already holds these findings."
        click.echo(msg, err=True)


def _csv(rows: list[dict[str, Any]], columns: list[str]) -> str:
    from ..report import _csv_cell

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_csv_cell(r.get(c)) for c in columns])
    return buf.getvalue()


@cases.command("list")
@click.option("--status", type=click.Choice(["open", "drafted", "sent", "acknowledged", "removed", "rejected",
                                             "reposted"]), help="Only cases in this status.")
@click.option("--publisher", help="Only this publisher's cases (its exact name).")
@click.option("--site", help="Only the cases of this site (host).")
@format_option(choices=("table", "json", "csv"))
@click.pass_obj
def cases_list(state: State, status: str | None, publisher: str | None, site: str | None, fmt: str | None) -> None:
    """List cases, oldest first: site, publisher, status and since when, findings, age.

    Columns: the case number, site and publisher; the status and the date of
    the change that set it; findings, distinct copy URLs and copies seen gone
    by a scan; age in days since the case was opened; who opened it and who
    made the last change.

    \b
    Examples:
      compliance cases list
      compliance cases list --status sent
      compliance cases list --publisher "Northwind Daily Media Ltd" --format json
      compliance cases list --format csv > cases.csv
    """
    from ..cases import list_cases

    registry = state.registry(create=False)
    rows = list_cases(registry, status=status, publisher=publisher, site=site)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif fmt == "csv":
        click.echo(_csv(rows, _CASE_COLUMNS), nl=False)
    else:
        click.echo(render_table(rows, ["case", "site", "publisher", "status", "status_since", "findings", "urls",
                                       "age_days"]) if rows else "No cases.")


@cases.command("show")
@click.argument("case")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def cases_show(state: State, case: str, fmt: str) -> None:
    """Show a case: its status and the changes allowed, findings, every event, and its evidence packets.

    CASE is the case number (3, #3 or case-3).

    \b
    Examples:
      compliance cases show 1
      compliance cases show 1 --format json | jq '.events[] | [.at, .by, .to_status, .note]'
    """
    from ..cases import get_case

    registry = state.registry(create=False)
    c = get_case(registry, case)
    if fmt == "json":
        click.echo(json.dumps(c, indent=2, ensure_ascii=False))
        return
    lines = [f"Case #{c['case']}: {c['site']} ({c['publisher']})",
             f"Status: {c['status']} (may be marked: {', '.join(c['allowed']) or 'nothing'})",
             f"Opened: {c['opened_at']} by {c['opened_by']} ({c['age_days']} day(s) ago)", ""]
    click.echo("\n".join(_printable(x) for x in lines))
    rows = [{"finding": f["finding"], "work": f["work"], "verdict": f["verdict"], "words": f["copied_words"],
             "url": f["url"], "added": f["added_at"],
             "gone": (f"{f['gone']['warc_date'] or f['gone']['at']} ({f['gone']['warc_record_id'] or 'no WARC id'})"
                      if f["gone"] else "")} for f in c["findings"]]
    click.echo(render_table(rows, ["finding", "work", "verdict", "words", "url", "added", "gone"]) if rows
               else "No findings.")
    click.echo("")
    events = [{"at": e["at"], "by": e["by"], "action": e["action"],
               "change": (f"{e['from_status'] or ''} -> {e['to_status']}" if e["to_status"] and
                          e["from_status"] != e["to_status"] else ""),
               "why": e["note"] or "", "finding": e["finding_id"] or "",
               "capture": " ".join(x for x in (e["warc_record_id"], e["warc_date"]) if x) or ""}
              for e in c["events"]]
    click.echo(render_table(events, ["at", "by", "action", "change", "why", "finding", "capture"]))
    for p in c["packets"]:
        click.echo(_printable(f"\nEvidence packet {p['packet']} ({p['at']}, by {p['by']}), "
                              f"manifest.json SHA-256 {p['manifest_sha256']}"))


def _printable(s: str) -> str:
    return "".join(ch if ch.isprintable() or ch == "\n" else " " for ch in s)


@cases.command("mark")
@click.argument("case")
@click.argument("status", type=click.Choice(["drafted", "sent", "acknowledged", "removed", "rejected", "reposted"]))
@click.option("--note", help="Why (recorded with the change): the notice sent, the host's answer ...")
@_AT
@click.option("--by", help="Who made the change. Default: $USER.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a sentence on stderr; json: the recorded event on stdout.")
@click.pass_obj
def cases_mark(state: State, case: str, status: str, note: str | None, at: str | None, by: str | None,
               fmt: str) -> None:
    """Move a case to STATUS, recording who, when and why.

    STATUS is one of drafted, sent, acknowledged, removed, rejected,
    reposted; the change must be one the case's status allows (see `compliance
    cases --help`), else the command exits 2 naming the allowed ones.

    \b
    Examples:
      compliance cases mark 1 drafted
      compliance cases mark 1 sent --note "DMCA notice to abuse@copycat.example" --at 2025-03-01
      compliance cases mark 1 acknowledged --note "ticket 4411"
      compliance cases mark 1 removed --by alice
    """
    from ..cases import mark_case

    registry = state.registry(create=False)
    event = mark_case(registry, case, status, by=by, at=at, note=note)
    if fmt == "json":
        click.echo(json.dumps(event, indent=2, ensure_ascii=False))
    click.echo(_printable(f"Case #{event['case_id']}: {event['from_status']} -> {event['to_status']} "
                          f"(by {event['by']}, at {event['at']})."), err=True)
