"""The scan command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterable

import click

from ..cli import _format_option, _Problems, _State, _table, _warn, cli
from ..errors import ComplianceError, InputError


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "table", "json"]), default=None,
              help="jsonl: one finding per line (default when stdout is not a terminal); table; json: one array.")
@click.option("--rescan", is_flag=True, help="Scan documents again even if this registry and rules saw them.")
@click.option("--quiet", "-q", is_flag=True, help="No progress and no summary on stderr.")
@click.pass_obj
def scan(state: _State, paths: tuple[str, ...], fmt: str | None, rescan: bool, quiet: bool) -> None:
    """Scan crawled documents for copies of registered works.

    PATHS are files, folders (recursive) or - for stdin.  Each finding (one
    per document and work) names the work, the copied passages with exact
    character spans on both sides, the verdict with its reasons, and the
    rights contact.  Findings are stored in the registry for `report`.
    A document already scanned against the same registry and rules is
    skipped unless --rescan.

    \b
    Examples:
      compliance scan crawl/ > findings.jsonl
      compliance scan page.txt --format table
      cat page.txt | compliance scan -
    """
    from ..inputs import iter_documents
    from ..scan import ScanOptions, run_scan

    if fmt is None:
        fmt = "jsonl" if not sys.stdout.isatty() else "table"
    registry = state.registry(create=False)
    rules = state.rules()
    collected: list[dict[str, Any]] = []

    def on_finding(f: Any) -> None:
        d = f.to_dict()
        if fmt == "jsonl":
            click.echo(json.dumps(d, ensure_ascii=False))
        else:
            collected.append(d)

    problems = _Problems()

    def on_document(doc: Any, n: int) -> None:
        problems.success()

    summary = run_scan(registry, rules, iter_documents(list(paths)), inputs=list(paths),
                       options=ScanOptions(rescan=rescan), on_finding=on_finding,
                       on_error=lambda e: problems.error(str(e)), on_document=on_document)
    problems.fail_if_nothing("scanned")
    if fmt == "json":
        click.echo(json.dumps(collected, indent=2, ensure_ascii=False))
    elif fmt == "table":
        rows = [{"finding": d["id"], "document": d["document"].get("url") or d["document"]["path"],
                 "work": d["work"]["id"], "publisher": d["work"]["publisher"], "verdict": d["verdict"],
                 "words": d["copied_words"], "coverage": f"{d['work_coverage']:.0%}",
                 "contact": d["contact"].get("email")} for d in collected]
        click.echo(_table(rows, ["finding", "document", "work", "publisher", "verdict", "words", "coverage",
                                 "contact"]) if rows else "No findings.")
    if not quiet:
        click.echo(summary.paragraph(), err=True)


