"""The notices command."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterable

import click

from ..cli import _format_option, _Problems, _State, _table, _warn, cli
from ..errors import ComplianceError, InputError


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_format_option()
def notices(paths: tuple[Path, ...], fmt: str | None) -> None:
    """Print the copyright notices found in text or HTML files.

    \b
    Examples:
      compliance notices page.html
      compliance notices corpus/ --format json
    """
    from ..notices import find_notices, find_notices_html
    from ..reading import read_bytes
    from ..sources import _walk

    rows = []
    errors = 0
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            for item in _walk(p, set()):
                if isinstance(item, InputError):
                    continue
                files.append(item)
        else:
            files.append(p)
    for path in files:
        try:
            data = read_bytes(path)
        except InputError as exc:
            errors += 1
            _warn(str(exc))
            continue
        text = data.decode("utf-8", errors="replace")
        is_html = path.name.lower().endswith((".html", ".htm", ".html.gz", ".htm.gz")) or "<html" in text[:2000].lower()
        found = find_notices_html(text) if is_html else find_notices(text)
        for n in found:
            d = n.to_dict()
            rows.append({"file": str(path), **d})
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        click.echo(_table(rows, ["file", "holder", "years", "all_rights_reserved", "contact_email", "license", "text"])
                   if rows else "No notices found.")
    if errors and not files:
        raise ComplianceError("no file could be read")


