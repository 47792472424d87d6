"""The browse command: the registry in a web browser, through Datasette (optional extra)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from .base import State


@click.command()
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=8001, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default web browser.")
@click.option("--metadata-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the Datasette metadata (table descriptions, canned queries) to this file and exit.")
@click.pass_obj
def browse(state: State, port: int, open_browser: bool, metadata_out: Path | None) -> None:
    """Browse the registry in a web browser (Datasette, read-only, on 127.0.0.1).

    Serves the registry with Datasette on http://127.0.0.1:PORT/, read-only,
    with a description of every table and four canned queries: open cases,
    violations by site, reposts, works most copied.  Each table and query is
    also JSON: add .json to its URL (…/registry/open_cases.json).  Stop it
    with Ctrl-C.

    Datasette is an optional extra: pip install 'compliance[browse]'.

    \b
    Examples:
      compliance browse
      compliance --db reports/demo-registry.db browse --port 8002 --open
      curl 'http://127.0.0.1:8001/registry/open_cases.json?_shape=array'
      compliance browse --metadata-out browse-metadata.json
    """
    from ..browse import HOST, require_datasette, serve_args, write_metadata

    registry = state.registry(create=False)  # it must exist, migrated (the canned queries read the case tables)
    db_path = registry.path.resolve()
    registry.close()
    if metadata_out is not None:
        click.echo(str(write_metadata(db_path, metadata_out)))
        return
    require_datasette()
    from datasette.cli import cli as datasette_cli

    with tempfile.TemporaryDirectory(prefix="compliance-browse-") as tmp:
        meta = write_metadata(db_path, Path(tmp) / "metadata.json")
        click.echo(f"Serving {db_path} read-only at http://{HOST}:{port}/ (Ctrl-C stops it).", err=True)
        datasette_cli.main(args=serve_args(db_path, meta, port, open_browser=open_browser), prog_name="datasette",
                           standalone_mode=False)
