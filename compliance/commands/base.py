"""What every command shares: the state object, output helpers and input-error handling.

The command modules and :mod:`compliance.cli` both import from here, and
nothing here imports them back, so that the CLI has no import circle:
``cli.py`` only assembles the command groups.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any, Callable

import click

from ..errors import ComplianceError

__all__ = ["Group", "State", "Problems", "format_option", "render_table", "warn", "CONTEXT_SETTINGS"]

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Group(click.Group):
    """Turn library errors into a one-line message and exit code 2 (no traceback)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ComplianceError as exc:
            lines = str(exc).splitlines() or [exc.__class__.__name__]
            click.echo(f"Error: {lines[0]}", err=True)
            for line in lines[1:]:
                click.echo(f"  {line}", err=True)
            ctx.exit(exc.exit_code)
        except BrokenPipeError:
            # the reader of stdout went away (`... | head -1`): stop quietly.  stdout now points at /dev/null,
            # so the interpreter's last flush of what is still buffered has nowhere to fail
            with contextlib.suppress(OSError, ValueError):
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, sys.stdout.fileno())
                os.close(devnull)
            ctx.exit(0)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt as exc:  # Ctrl-C: 130; scan's Interrupted says what it stored, 143 for SIGTERM
            paragraph = getattr(exc, "paragraph", None)
            click.echo(paragraph() if paragraph else "Interrupted.", err=True)
            ctx.exit(getattr(exc, "exit_code", 130))
        except Exception as exc:  # never exit 1 (= "findings") on a crash
            if os.environ.get("COMPLIANCE_DEBUG"):
                raise
            click.echo(f"Error: internal error: {exc.__class__.__name__}: {exc} "
                       "(set COMPLIANCE_DEBUG=1 to see the traceback)", err=True)
            ctx.exit(2)


class State:
    """The global options every command reads: the registry file and the rules folder."""

    def __init__(self, db: Path, rules: Path | None) -> None:
        self.db = db
        self.rules_dir = rules

    def registry(self, create: bool = True):  # noqa: ANN201 - Registry (imported lazily: start-up time)
        """Open the registry (created on first use unless *create* is false)."""
        from ..registry import Registry

        return Registry(self.db, create=create)

    def rules(self):  # noqa: ANN201 - RuleSet
        """Load and validate the rules folder."""
        from ..rules import load_rules

        return load_rules(self.rules_dir)


def format_option(default_json_when_piped: bool = False, choices: tuple[str, ...] = ("table", "json")) -> Callable:
    """The ``--format`` option, the same on every listing command."""
    def deco(f: Callable) -> Callable:
        return click.option("--format", "fmt", type=click.Choice(choices), default=None,
                            help=f"Output format ({', '.join(choices)}). Default: "
                                 + ("jsonl when stdout is not a terminal, else table." if default_json_when_piped
                                    else "table."))(f)
    return deco


def render_table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A plain-text table of *rows*; cells are made printable and cut at 60 characters."""
    from tabulate import tabulate

    def cell(v: Any) -> str:
        s = "" if v is None else (", ".join(map(str, v)) if isinstance(v, list) else str(v))
        s = "".join(ch if ch.isprintable() else " " for ch in s)
        return s if len(s) <= 60 else s[:57] + "..."

    return tabulate([[cell(r.get(c)) for c in columns] for r in rows], headers=columns, tablefmt="simple")


def warn(msg: str) -> None:
    """One warning line on stderr."""
    click.echo(f"Warning: {msg}", err=True)


class Problems:
    """Input errors: held back until one input succeeds, so that a run where
    the only input fails prints one line, "Error: <file>: <problem>"."""

    def __init__(self) -> None:
        self.held: list[str] = []
        self.count = 0
        self.ok = False

    def error(self, msg: str) -> None:
        """Count one input error; print it now if an input already succeeded, else hold it."""
        self.count += 1
        if self.ok:
            warn(msg)
        else:
            self.held.append(msg)

    def success(self) -> None:
        """One input succeeded: the held errors become warnings."""
        if not self.ok:
            self.ok = True
            for m in self.held:
                warn(m)
            self.held = []

    def fail_if_nothing(self, what: str) -> None:
        """Raise when every input failed (one error alone is the whole message)."""
        if self.ok or not self.count:
            return
        if len(self.held) == 1:
            raise ComplianceError(self.held[0])
        for m in self.held:
            warn(m)
        raise ComplianceError(f"nothing {what}: all {self.count} inputs had errors (see above)")
