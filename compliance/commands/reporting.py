"""Reports: violation summaries (and, later, evidence and the CI gate)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterable

import click

from ..cli import _format_option, _Problems, _State, _table, _warn, cli
from ..errors import ComplianceError, InputError


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default="reports",
              show_default=True, help="Folder for the report files.")
@click.option("--publisher", help="Only findings against this publisher's works.")
@click.option("--verdict", type=click.Choice(["violation", "review", "permitted-excerpt", "licensed"]),
              help="Only findings with this verdict.")
@click.option("--since", help="Only findings updated at or after this date (YYYY-MM-DD).")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "all"]), default="all", show_default=True)
@click.pass_obj
def report(state: _State, out_dir: Path, publisher: str | None, verdict: str | None, since: str | None,
           fmt: str) -> None:
    """Write violation summaries per publisher, with the rights contact.

    \b
    Examples:
      compliance report
      compliance report --publisher "Northwind Daily" --verdict violation --out reports/northwind
    """
    from ..report import build_summary, write_reports

    summary = build_summary(state.registry(create=False), publisher=publisher, verdict=verdict, since=since)
    formats = ("md", "json") if fmt == "all" else (fmt,)
    for p in write_reports(summary, out_dir, formats):
        click.echo(str(p))


