"""The notices command: every copyright notice in text and HTML files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from .base import Problems, format_option, render_table
from ..errors import InputError

_COLUMNS = ["file", "main", "holder", "years", "all_rights_reserved", "contact_email", "license", "source", "text"]


def _years(years: list[int]) -> str:
    """2000, 2001, ..., 2019 -> '2000-2019' (tables only; JSON lists every year)."""
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@format_option()
@click.option("--main", "main_only", is_flag=True,
              help="Only each file's own notice (what registration stores), not wire notices or photo credits.")
def notices(paths: tuple[Path, ...], fmt: str | None, main_only: bool) -> None:
    """Print the copyright notices found in text or HTML files.

    For each file, every notice: holder, years (ranges become every year),
    "all rights reserved", the reproduction restriction, the rights e-mail,
    the Creative Commons licence, and its span (start/end index the file's
    decoded text; for HTML, the raw page).  HTML pages are read from the raw
    markup, so footers that article extraction drops are included, and so are
    <meta name="copyright">, schema.org JSON-LD and rel="license" links.
    "main" marks the page's own visible notice, not a wire notice or a photo
    credit (kind "credit"); registration stores it as the work's notice, and
    falls back to the metadata on a page that shows none.

    \b
    Examples:
      compliance notices page.html
      compliance notices corpus/works --main
      compliance notices saved-pages/ --format json > notices.json
    """
    from ..notices import main_notice, notices_in_file
    from ..reading import looks_binary, read_bytes
    from ..sources import _walk

    problems = Problems()
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            for item in _walk(p, set()):
                if isinstance(item, InputError):
                    problems.error(str(item))
                else:
                    files.append(item)
        elif not p.exists():
            problems.error(f"{p}: no such file or directory")
        else:
            files.append(p)
    rows: list[dict[str, Any]] = []
    for path in files:
        try:
            data = read_bytes(path)
            if looks_binary(data):
                raise InputError(f"{path}: binary file, not text or HTML")
            found, html = notices_in_file(path, data)
        except InputError as exc:
            problems.error(str(exc))
            continue
        problems.success()
        main = main_notice(found, html=html)
        for n in found:
            is_main = main is not None and (n.start, n.end, n.source) == (main.start, main.end, main.source)
            if main_only and not is_main:
                continue
            d = (main if is_main else n).to_dict()
            rows.append({"file": str(path), **d, "main": is_main})
    problems.fail_if_nothing("read")
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    elif rows:
        shown = [{**r, "years": _years(r["years"]), "main": "*" if r["main"] else "",
                  "source": r["source"] if r["kind"] == "notice" else f"{r['source']} (credit)"} for r in rows]
        click.echo(render_table(shown, _COLUMNS))
    else:
        click.echo("No notices found.")
