"""Registry commands: register, works, publishers."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterable

import click

from .base import Problems, State, format_option, render_table, warn
from ..errors import ComplianceError, InputError


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path),
              help="JSON Lines manifest: one work per line with id, path or text, publisher, title, url, published.")
@click.option("--publisher", help="Publisher of these works. Default: the holder named in each page's notice.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and the final count.")
@click.option("--workers", "-j", type=click.IntRange(1, 256), default=None,
              help="Processes that parse and fingerprint pages. Default: the number of cores.")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=500, show_default=True,
              help="Works stored per transaction. Each line 'added ID' is printed once its batch is committed.")
@click.pass_obj
def register(state: State, paths: tuple[Path, ...], manifest: Path | None, publisher: str | None, fmt: str,
             quiet: bool, workers: int | None, batch_size: int) -> None:
    """Register articles: their text, copyright notice and fingerprints.

    PATHS are .txt or .html pages, or folders of them (searched recursively).
    The work id is the manifest id, else the file stem.  The page's notice
    (holder, years, "All rights reserved", restriction, contact e-mail) is
    read and stored; without --publisher, the publisher is the notice holder.
    Registering the same content twice stores nothing new.

    \b
    Examples:
      compliance register corpus/
      compliance register page.txt --publisher "Northwind Daily"
      compliance register --manifest works.jsonl
    """
    from ..sources import iter_work_records

    if not paths and manifest is None:
        raise click.UsageError("give PATHS to register, or --manifest FILE")
    rules = state.rules()
    registry = state.registry()
    problems = Problems()

    def stream() -> Iterable[Any]:
        n = workers or _cores()
        for item in iter_work_records(list(paths), publisher=publisher, manifest=manifest, workers=n,
                                      settings=rules.matcher):
            if isinstance(item, InputError):
                problems.error(str(item))
                continue
            problems.success()
            yield item

    outcomes = []
    for outcome in registry.register(stream(), rules.matcher, batch_size=batch_size):
        outcomes.append(outcome)
        if not quiet and fmt == "table" and outcome.status != "unchanged":
            click.echo(f"{outcome.status:9} {outcome.id}  ({outcome.publisher}){'  ' + outcome.detail if outcome.detail else ''}",
                       err=True)
    problems.fail_if_nothing("registered")
    errors = problems.count
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
    if fmt == "json":
        click.echo(json.dumps({"outcomes": [o.__dict__ for o in outcomes], "counts": counts, "errors": errors}))
    else:
        text = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing registered"
        click.echo(f"Registered into {state.db}: {text}; {errors} error(s).", err=True)



@click.command()
@click.option("--publisher", help="Only works of this publisher.")
@format_option()
@click.pass_obj
def works(state: State, publisher: str | None, fmt: str | None) -> None:
    """List registered works.

    \b
    Examples:
      compliance works
      compliance works --publisher "Northwind Daily" --format json | jq .
    """
    rows = state.registry(create=False).works(publisher)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    else:
        click.echo(render_table(rows, ["id", "publisher", "title", "published", "author", "url"]))


@click.command()
@format_option()
@click.pass_obj
def publishers(state: State, fmt: str | None) -> None:
    """List publishers with their holder, rights contact and domains.

    \b
    Example:
      compliance publishers --format json
    """
    rows = state.registry(create=False).publishers()
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
    else:
        click.echo(render_table(rows, ["name", "holder", "contact_email", "domains", "works"]))


