"""Rules commands: check a rules folder, list its rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .base import State, format_option, render_table
from ..errors import RulesError

_KIND_ORDER = ["licence", "publisher", "partner-grant", "page-signal", "crawler-list", "false-positive"]


@click.group()
def rules() -> None:
    """Validate and inspect the rules folder (licences, publisher policies, partner grants, signals).

    \b
    Examples:
      compliance rules check                 # ./rules, or --rules DIR
      compliance rules check my-rules/ --format json
      compliance rules list --format json
    """


def _counts(rs: Any) -> dict[str, int]:
    counts = {k: 0 for k in _KIND_ORDER}
    for table in rs.raw.values():
        kind = {"license": "licence"}.get(table.get("kind"), table.get("kind"))
        counts[kind] = counts.get(kind, 0) + 1
    return counts


@rules.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@format_option()
@click.pass_obj
def rules_check(state: State, directory: Path | None, fmt: str | None) -> None:
    """Validate every rule file; report all problems at once (exit 2 if any).

    Unknown keys, wrong types, missing keys, duplicate ids, bad dates,
    licences a policy names but no rule defines, and patterns that are not
    RE2 are each reported with the file they are in.  Exit 0 when the folder
    is valid, 2 otherwise.

    \b
    Examples:
      compliance rules check rules/
      compliance rules check rules/ --format json    # {"valid": ..., "problems": [...]}
    """
    from ..rules import load_rules

    target = directory or state.rules_dir
    try:
        rs = load_rules(target)
    except RulesError as exc:
        if fmt == "json":
            click.echo(json.dumps({"directory": str(target) if target else None, "valid": False,
                                   "problems": exc.problems}, indent=2, ensure_ascii=False))
        raise
    counts = _counts(rs)
    if fmt == "json":
        click.echo(json.dumps({"directory": str(rs.directory), "valid": True, "rules": len(rs.files),
                               "counts": counts, "version": rs.version(), "problems": []}, indent=2))
        return
    parts = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    click.echo(f"{rs.directory}: {len(rs.files)} rule file(s) valid ({parts}); rules version {rs.version()}")


@rules.command("list")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@format_option()
@click.pass_obj
def rules_list(state: State, directory: Path | None, fmt: str | None) -> None:
    """List the rules of a folder: id, kind, file and what each says.

    \b
    Examples:
      compliance rules list
      compliance rules list rules/ --format json
    """
    from ..rules import load_rules

    rs = load_rules(directory or state.rules_dir)
    rows = []
    for rid, table in rs.raw.items():
        kind = {"license": "licence"}.get(table.get("kind"), table.get("kind"))
        path = Path(rs.files[rid])
        try:
            path = path.relative_to(rs.directory) if rs.directory else path
        except ValueError:
            pass
        rows.append({"id": rid, "kind": kind, "file": str(path), "description": table.get("description", ""),
                     "rule": {k: (str(v) if hasattr(v, "isoformat") else v) for k, v in table.items()
                              if k not in ("id", "kind", "description")}})
    rows.sort(key=lambda r: (_KIND_ORDER.index(r["kind"]) if r["kind"] in _KIND_ORDER else 99, r["id"]))
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        click.echo(render_table(rows, ["id", "kind", "file", "description"]) if rows else "No rules.")
