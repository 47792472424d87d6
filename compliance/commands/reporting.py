"""Reports: violation summaries, takedown evidence packets, and the CI gate."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from .base import State, warn
from ..errors import ComplianceError, InputError, ReportError

VERDICT_CHOICE = click.Choice(["violation", "review", "permitted-excerpt", "licensed"])


def _formats(values: tuple[str, ...], allowed: tuple[str, ...]) -> tuple[str, ...]:
    """--format may repeat or list several formats with commas; 'all' means every one."""
    chosen: list[str] = []
    for v in values or ("all",):
        for part in v.split(","):
            part = part.strip().lower()
            if part == "all":
                chosen.extend(allowed)
            elif part in allowed:
                chosen.append(part)
            elif part:
                raise click.BadParameter(f"{part!r} is not one of {', '.join(allowed + ('all',))}",
                                         param_hint="'--format'")
    return tuple(dict.fromkeys(chosen))


@click.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default="reports",
              show_default=True, help="Folder for the report files (summary.html, .md, .json, .csv).")
@click.option("--publisher", help="Only findings against this publisher's works (its exact name, see `publishers`).")
@click.option("--verdict", type=VERDICT_CHOICE, help="Only findings with this verdict.")
@click.option("--since", help="Only findings made or updated at or after this date (YYYY-MM-DD, UTC).")
@click.option("--format", "fmts", multiple=True, metavar="FORMAT",
              help="html, md, json, csv or all (the default); repeat or separate with commas.")
@click.option("--stdout", "to_stdout", is_flag=True,
              help="Print the one chosen format to stdout instead of writing files (for pipes).")
@click.pass_obj
def report(state: State, out_dir: Path, publisher: str | None, verdict: str | None, since: str | None,
           fmts: tuple[str, ...], to_stdout: bool) -> None:
    """Write the violation summary for the findings in the registry.

    Findings are grouped per publisher, then per infringing site (the host of
    the copy's URL), with counts by verdict, words copied, the share of each
    work copied, and the publisher's rights contact (holder and e-mail from
    its copyright notice).  The HTML page is self-contained: it opens with
    inline SVG charts (findings by verdict, top infringing sites, copied words
    over time), loads nothing from the network and runs no script.

    Files are written atomically into --out and their paths printed, one per
    line.  With --stdout, one format goes to stdout instead.

    \b
    Examples:
      compliance report                                   # reports/summary.{html,md,json,csv}
      compliance report --verdict violation --since 2025-01-01 --out reports/q1
      compliance report --publisher "Northwind Daily Media Ltd" --format html,csv
      compliance report --format json --stdout | jq '.publishers[].contact_email'
    """
    from ..report import REPORT_FORMATS, RENDERERS, build_summary, write_reports

    formats = _formats(fmts, REPORT_FORMATS)
    registry = state.registry(create=False)
    summary = build_summary(registry, publisher=publisher, verdict=verdict, since=since)
    if publisher and not any(p["name"] == publisher for p in registry.publishers()):
        warn(f"no publisher named {publisher!r} in {state.db}; see `compliance publishers`")
    if to_stdout:
        if len(formats) != 1:
            raise click.BadParameter("--stdout needs exactly one format, for example --format json",
                                     param_hint="'--format'")
        click.echo(RENDERERS[formats[0]][1](summary), nl=False)
        return
    for p in write_reports(summary, out_dir, formats):
        click.echo(str(p))
    t = summary["totals"]
    click.echo(f"{t['findings']} finding(s) for {t['publishers']} publisher(s) on {t['sites']} site(s).", err=True)


@click.command()
@click.argument("finding", required=False)
@click.option("--site", help="Every violation whose copy is on this site (host name; subdomains included).")
@click.option("--all-sites", is_flag=True, help="One packet per site that has violations.")
@click.option("--case", "case", metavar="CASE",
              help="The findings of a case (see `compliance cases`); the packet is recorded in the case.")
@click.option("--verify", "verify_dir", type=click.Path(path_type=Path), metavar="PACKET",
              help="Re-compute the hashes of a packet folder and compare them with its files and the registry.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default="reports",
              show_default=True, help="Packets go under OUT/evidence/<name>/.")
@click.option("--format", "fmts", multiple=True, metavar="FORMAT",
              help="html, md, json, txt (the plain-text notices) or all (the default); with --verify: text or json.")
@click.pass_obj
def evidence(state: State, finding: str | None, site: str | None, all_sites: bool, case: str | None,
             verify_dir: Path | None, out_dir: Path, fmts: tuple[str, ...]) -> None:
    """Write a takedown evidence packet for one finding, or for every violation on a site.

    A packet holds: a provenance header (tool and version, registry and rules
    versions, scan options, UTC timestamps, a "not legal advice" notice); the
    work (title, publisher, holder, notice, canonical URL, date, the registry
    record's SHA-256); the infringing copy (URL, capture time, WARC record id,
    SHA-256 of the raw capture and of the extracted text, page title); every
    passage side by side with the differences highlighted; what credit was
    looked for and found; the rights signals of the copied page and of the
    original, each with the capture it comes from (TDMRep headers, <meta> and
    tdmrep.json; robots.txt and the AI crawlers it disallows; noai; the
    licence link), a missing one stated as missing; and drafts of a DMCA
    notice (17 U.S.C. 512(c)(3)), an EU DSA Article 16 notice and a Google
    copyright-removal bulk file.

    --case CASE writes the packet of a case's findings into
    OUT/evidence/case-N/ and records it in the case with the SHA-256 of its
    manifest.json (`compliance cases show N` lists it).

    \b
    Files in OUT/evidence/<finding id or site-HOST>/:
      evidence.html  printable, self-contained     evidence.md, evidence.json
      dmca-notice.txt  dsa-notice.txt  google-removal.txt
      manifest.json  SHA-256 of each file and of the registry records used

    --verify PACKET re-computes every hash and says whether the packet still
    matches its files and the registry (--db, else the registry the packet
    names): exit 0 if it does, 1 if not.

    \b
    Examples:
      compliance evidence 4c85f57cec8c6920          # a finding id (or a unique prefix)
      compliance evidence --site copycat.example --format html,txt
      compliance evidence --all-sites --out reports
      compliance evidence --case 3
      compliance evidence --verify reports/evidence/site-copycat.example
    """
    from ..evidence import (EVIDENCE_FORMATS, build_packet, find_finding_ids, packet_name, packet_registry,
                            site_finding_ids, verify_packet, violating_sites, write_packet)

    chosen = [x for x in (finding is not None, site is not None, all_sites, case is not None,
                          verify_dir is not None) if x]
    if len(chosen) != 1:
        raise click.UsageError("give exactly one of: FINDING, --site HOST, --all-sites, --case CASE, --verify PACKET")
    if verify_dir is not None:
        fmt = (fmts or ("text",))[0]
        if fmt not in ("text", "json") or len(fmts) > 1:
            raise click.BadParameter("with --verify, use --format text or --format json", param_hint="'--format'")
        parent = click.get_current_context().parent
        recorded = packet_registry(verify_dir)
        if (parent is not None and parent.get_parameter_source("db") == click.core.ParameterSource.DEFAULT
                and recorded is not None and recorded.is_file()):
            state.db = recorded  # no --db given: check against the registry the packet names
        registry = state.registry(create=False)
        result = verify_packet(verify_dir, registry)
        if fmt == "json":
            click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        else:
            for c in result.checks:
                click.echo(f"ok      {c}")
            for pr in result.problems:
                click.echo(f"FAILED  {pr}")
        if result.ok:
            click.echo(f"Packet {verify_dir} matches its files and the registry {state.db}.", err=True)
        else:
            click.echo(f"Packet {verify_dir} does NOT match: {len(result.problems)} problem(s).", err=True)
            sys.exit(1)
        return
    registry = state.registry(create=False)
    formats = _formats(fmts, EVIDENCE_FORMATS)
    rules_version = None
    crawlers = None
    try:
        loaded = state.rules()
        rules_version, crawlers = loaded.version(), loaded.ai_crawlers
    except ComplianceError as exc:
        warn(f"rules not loaded, the packet records the scan's rules version only, and robots.txt captures are "
             f"quoted without the AI crawler list ({str(exc).splitlines()[0]})")
    jobs: list[tuple[str, list[str], dict[str, Any]]] = []
    case_no = None
    if case is not None:
        from ..cases import case_finding_ids, get_case, parse_case_id

        case_no = parse_case_id(case)
        info = get_case(registry, case_no)
        ids = case_finding_ids(registry, case_no)
        if not ids:
            raise ComplianceError(f"case #{case_no} holds no finding that is still in {state.db}; "
                                  "add one with: compliance cases open FINDING")
        jobs.append((packet_name(case=case_no), ids, {"case": case_no, "site": info["site"]}))
    elif finding is not None:
        fid = find_finding_ids(registry, finding)
        jobs.append((packet_name(finding=fid), [fid], {"finding": fid}))
    else:
        sites = [site] if site is not None else violating_sites(registry)
        if not sites:
            warn(f"no violations in {state.db}: no packets written")
        for s in sites:
            host = s.strip()
            jobs.append((packet_name(site=host), site_finding_ids(registry, host), {"site": host}))
    options = {"formats": list(formats), "out": str(out_dir)}
    for name, ids, scope in jobs:
        packet = build_packet(registry, ids, scope=scope, rules_version=rules_version, options=options,
                              crawlers=crawlers)
        written = write_packet(packet, out_dir, name, formats)
        for p in written:
            click.echo(str(p))
        click.echo(f"Packet {name}: {len(ids)} finding(s), {packet['totals']['copied_words']} words copied.",
                   err=True)
        if case_no is not None:
            import hashlib

            from ..cases import record_packet

            manifest = written[-1]
            digest = hashlib.sha256(manifest.read_bytes()).hexdigest()
            record_packet(registry, case_no, str(manifest.parent), digest, note=f"{len(ids)} finding(s)")
            click.echo(f"Recorded in case #{case_no}: {manifest.parent}, manifest.json SHA-256 {digest}.", err=True)


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--fail-on", type=click.Choice(["reposted", "violation", "review"]), default="violation",
              show_default=True,
              help="Exit 1 when a finding has this verdict (review: also when one needs review; reposted: only "
                   "when a copy of a removed case is found again).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif", "junit"]), default="text",
              show_default=True, help="Output: text lines, one JSON object, SARIF 2.1.0, or JUnit XML.")
@click.option("--output", "-o", "output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the output to this file (atomically) instead of stdout.")
@click.option("--no-store", is_flag=True, help="Do not record the documents and findings in the registry.")
@click.option("--quiet", "-q", is_flag=True, help="No summary on stderr.")
@click.pass_context
def check(ctx: click.Context, paths: tuple[str, ...], fail_on: str, fmt: str, output: Path | None, no_store: bool,
          quiet: bool) -> None:
    """The CI gate: scan PATHS and fail when a finding reaches --fail-on.

    PATHS are files, folders (recursive) or - for stdin, as for `scan`.  Every
    document is matched again (earlier scans are not trusted to be current),
    and the findings are stored in the registry unless --no-store.

    Every check also runs the repost watch of `compliance cases`: a copy of
    a removed case found again reopens the case as reposted (with --no-store,
    the repost is reported and nothing is written).  --fail-on reposted fails
    only on those; violation (the default) and review fail on them too, as
    reposted copies are violations.

    \b
    Exit codes:
      0  clean: no finding reaches --fail-on
      1  at least one finding reaches --fail-on (violation by default)
      2  tool error: no registry, invalid rules, or an input that could not
         be read (when no finding failed the gate)
    \b
    Formats: text (one line per finding, then PASS/FAIL), json, sarif (one
    result per finding, each passage a location with its character region in
    the input file), junit (one test case per document, a failure per finding
    at the fail level, an error per unreadable input).
    \b
    Examples:
      compliance check partner-feed/
      compliance check feed/ --fail-on review --format sarif -o compliance.sarif
      compliance check feed/ --format junit -o compliance-junit.xml --no-store
      compliance check crawl/ --fail-on reposted    # only copies that came back after removal
    """
    import time

    from ..ci import CheckedDocument, CheckResult, render_json, render_junit, render_sarif, render_text
    from ..inputs import iter_documents
    from ..registry import now_utc
    from ..scan import ScanOptions, run_scan

    state: State = ctx.obj
    registry = state.registry(create=False)
    rules = state.rules()
    result = CheckResult(inputs=list(paths), fail_on=fail_on, started_at=now_utc())
    result.rule_descriptions = {rid: str(t.get("description")) for rid, t in rules.raw.items()
                                if isinstance(t, dict) and t.get("description")}
    pending: list[str] = []

    def on_finding(f: Any) -> None:
        d = f.to_dict()
        result.findings.append(d)
        pending.append(d["id"])

    def on_document(doc: Any, n: int) -> None:
        starts = None
        if doc.source_format in ("text", "stdin"):
            starts = [0] + [i + 1 for i, ch in enumerate(doc.text) if ch == "\n"]
        result.documents.append(CheckedDocument(path=doc.path, url=doc.url, sha256=doc.sha256,
                                                raw_sha256=doc.raw_sha256, source_format=doc.source_format,
                                                chars=len(doc.text), line_starts=starts, findings=list(pending)))
        pending.clear()

    def on_error(e: InputError) -> None:
        result.errors.append(str(e))
        click.echo(f"Error: {e}", err=True)

    t0 = time.perf_counter()
    summary = run_scan(registry, rules, iter_documents(list(paths)), inputs=list(paths),
                       options=ScanOptions(rescan=True, store=not no_store), on_finding=on_finding,
                       on_error=on_error, on_document=on_document)
    result.case_events = list(summary.case_events)
    result.seconds = time.perf_counter() - t0
    result.ended_at = now_utc()
    render = {"text": render_text, "json": render_json, "sarif": render_sarif, "junit": render_junit}[fmt]
    text = render(result)
    if output is not None:
        from ..atomic import write_atomic

        try:
            write_atomic(output, text)
        except OSError as exc:
            raise ReportError(f"{output}: cannot write the {fmt} output ({exc.strerror or exc})") from exc
    else:
        click.echo(text, nl=False)
    if not quiet and (fmt != "text" or output is not None):
        click.echo(result.summary_line(), err=True)
    ctx.exit(result.exit_code)
