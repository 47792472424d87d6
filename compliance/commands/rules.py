"""Rules commands: rules check."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Iterable

import click

from ..cli import _format_option, _Problems, _State, _table, _warn, cli
from ..errors import ComplianceError, InputError


@cli.group()
def rules() -> None:
    """Validate and inspect the rules folder."""


@rules.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.pass_obj
def rules_check(state: _State, directory: Path | None) -> None:
    """Validate every rule file; report all problems at once (exit 2 if any).

    \b
    Example:
      compliance rules check rules/
    """
    from ..rules import load_rules

    rs = load_rules(directory or state.rules_dir)
    click.echo(f"{rs.directory}: {len(rs.files)} rule file(s) valid; rules version {rs.version()}")


