"""Shared fixtures: the project root, the ../shared data (skipped when absent), a CLI runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "publisher-page.txt"
RULES = ROOT / "rules"
CORPUS = ROOT / "corpus"


def need_shared(*parts: str) -> Path:
    """The path under ../shared, or skip the test saying what is missing."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} is absent: the ../shared development data is not beside this checkout")
    return p


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "registry.db"


@pytest.fixture
def cli_run(runner: CliRunner, db: Path):
    """Run `compliance --db <tmp> --rules rules/ ARGS`; returns the click Result."""
    from compliance.cli import cli

    def run(*args: str, input: str | None = None, rules: Path | None = RULES):
        base = ["--db", str(db)]
        if rules is not None:
            base += ["--rules", str(rules)]
        return runner.invoke(cli, base + [str(a) for a in args], input=input, catch_exceptions=False)

    return run


def jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]
