"""The ``compliance`` command: parse options, call the library, render.

Exit codes: 0 success; 1 findings at the ``--fail-on`` level (``check``);
2 a tool error (bad input, bad rules, unreadable registry).  Data goes to
stdout; progress, warnings and summaries go to stderr.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import __version__
from .commands import browse, cases, notices, registry, reporting, rules, scanning
from .commands.base import CONTEXT_SETTINGS, Group, State


@click.group(cls=Group, context_settings=CONTEXT_SETTINGS)
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
      compliance cases open --site copycat.example  # follow the copies to removal
      compliance browse                           # the registry in a browser
    \b
    Every command has --help with examples.  Exit codes: 0 ok, 1 findings at
    the --fail-on level (check), 2 tool error.
    """
    ctx.obj = State(db, rules_dir)


# The command groups, each from its own module (they import nothing from here).
for _command in (registry.register, registry.works, registry.publishers, scanning.scan, scanning.import_findings_cmd,
                 reporting.report, reporting.evidence, reporting.check, cases.cases, browse.browse, notices.notices,
                 rules.rules):
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    _tune_gc()
    cli(prog_name="compliance")


def _tune_gc() -> None:
    """Fewer collections: a scan or a registration makes millions of short-lived objects and few cycles.

    Objects of the imports are frozen (never examined again) and the youngest generation is collected
    every 50,000 allocations instead of 700; cycles are still collected.
    """
    import gc

    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


if __name__ == "__main__":  # `python -m compliance.cli`: use the package's module, where commands live
    from compliance.cli import main as _main

    _main()
