"""The ``compliance`` command: parse options, call the library, render.

Exit codes: 0 success; 1 findings at the ``--fail-on`` level (``check``);
2 a tool error (bad input, bad rules, unreadable registry).  Data goes to
stdout; progress, warnings and summaries go to stderr.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Callable, Iterable

import click

from . import __version__
from .errors import ComplianceError, InputError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class _Group(click.Group):
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
            sys.stderr.close()
            ctx.exit(0)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as exc:  # never exit 1 (= "findings") on a crash
            if os.environ.get("COMPLIANCE_DEBUG"):
                raise
            click.echo(f"Error: internal error: {exc.__class__.__name__}: {exc} "
                       "(set COMPLIANCE_DEBUG=1 to see the traceback)", err=True)
            ctx.exit(2)


class _State:
    def __init__(self, db: Path, rules: Path | None) -> None:
        self.db = db
        self.rules_dir = rules

    def registry(self, create: bool = True):  # noqa: ANN201 - Registry
        from .registry import Registry

        return Registry(self.db, create=create)

    def rules(self):  # noqa: ANN201 - RuleSet
        from .rules import load_rules

        return load_rules(self.rules_dir)


def _format_option(default_json_when_piped: bool = False, choices: tuple[str, ...] = ("table", "json")) -> Callable:
    def deco(f: Callable) -> Callable:
        return click.option("--format", "fmt", type=click.Choice(choices), default=None,
                            help=f"Output format ({', '.join(choices)}). Default: "
                                 + ("jsonl when stdout is not a terminal, else table." if default_json_when_piped
                                    else "table."))(f)
    return deco


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    from tabulate import tabulate

    def cell(v: Any) -> str:
        s = "" if v is None else (", ".join(map(str, v)) if isinstance(v, list) else str(v))
        s = "".join(ch if ch.isprintable() else " " for ch in s)
        return s if len(s) <= 60 else s[:57] + "..."

    return tabulate([[cell(r.get(c)) for c in columns] for r in rows], headers=columns, tablefmt="simple")


def _warn(msg: str) -> None:
    click.echo(f"Warning: {msg}", err=True)


class _Problems:
    """Input errors: held back until one input succeeds, so that a run where
    the only input fails prints one line, "Error: <file>: <problem>"."""

    def __init__(self) -> None:
        self.held: list[str] = []
        self.count = 0
        self.ok = False

    def error(self, msg: str) -> None:
        self.count += 1
        if self.ok:
            _warn(msg)
        else:
            self.held.append(msg)

    def success(self) -> None:
        if not self.ok:
            self.ok = True
            for m in self.held:
                _warn(m)
            self.held = []

    def fail_if_nothing(self, what: str) -> None:
        if self.ok or not self.count:
            return
        if len(self.held) == 1:
            raise ComplianceError(self.held[0])
        for m in self.held:
            _warn(m)
        raise ComplianceError(f"nothing {what}: all {self.count} inputs had errors (see above)")


@click.group(cls=_Group, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="compliance")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), envvar="COMPLIANCE_DB",
              default="registry.db", show_default=True,
              help="Registry file (SQLite). Also set by the COMPLIANCE_DB environment variable.")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Rules folder. Default: ./rules, else the rules shipped with compliance.")
@click.pass_context
def cli(ctx: click.Context, db: Path, rules_dir: Path | None) -> None:
    """Find copies of your registered articles in crawled web text.

    \b
    A typical session:
      compliance register corpus/                 # register articles and notices
      compliance scan crawl/ > findings.jsonl     # find copies, store findings
      compliance report                           # summaries in reports/
    \b
    Every command has --help with examples.  Exit codes: 0 ok, 1 findings at
    the --fail-on level (check), 2 tool error.
    """
    ctx.obj = _State(db, rules_dir)


# Commands register themselves on `cli` when their module is imported.
from .commands import notices as _notices  # noqa: E402,F401
from .commands import registry as _registry  # noqa: E402,F401
from .commands import reporting as _reporting  # noqa: E402,F401
from .commands import rules as _rules  # noqa: E402,F401
from .commands import scanning as _scanning  # noqa: E402,F401


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="compliance")


if __name__ == "__main__":  # `python -m compliance.cli`: use the package's module, where commands live
    from compliance.cli import main as _main

    _main()
