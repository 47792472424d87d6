"""Load and validate ``rules/``: one TOML file per rule, strict keys.

Every problem in the folder is collected and reported at once, each with its
file path, so that a rights team fixes a broken folder in one pass.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import re2

from .errors import RulesError
from .falsepositives import BoilerplateRule, CommonTextRule, FalsePositiveRules, QuoteRule, ShortLinesRule
from .settings import MatcherSettings, load_matcher_settings

__all__ = ["RuleSet", "load_rules", "default_rules_dir"]


def default_rules_dir() -> Path:
    """``./rules`` when it exists, else the rules shipped beside the package."""
    here = Path.cwd() / "rules"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parent.parent / "rules"


# key -> (type, required)
_FP_SCHEMAS: dict[str, dict[str, tuple[type | tuple[type, ...], bool]]] = {
    "quoted-speech": {"embedded_post_patterns": (list, False),
                      "min_unquoted_words": (int, False), "min_share": ((float, int), False)},
    "boilerplate": {"phrases": (list, True), "min_share": ((float, int), False)},
    "short-lines": {"max_line_words": (int, False), "min_share": ((float, int), False)},
    "common-text": {"max_words": (int, False), "min_works": (int, False),
                    "same_publisher_works": (int, False), "same_publisher_max_words": (int, False)},
}
_COMMON_KEYS = {"id": (str, True), "kind": (str, True), "type": (str, True), "description": (str, False)}


@dataclass
class RuleSet:
    """Everything loaded from a rules folder."""

    directory: Path | None
    matcher: MatcherSettings
    false_positives: FalsePositiveRules
    files: dict[str, str] = field(default_factory=dict)  # rule id -> path
    raw: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule id -> table
    digest: str = ""

    def version(self) -> str:
        """'rules version': a hash of every rule file and matcher setting."""
        return self.digest


def _check_type(path: Path, key: str, value: Any, typ: type | tuple[type, ...], problems: list[str]) -> bool:
    if isinstance(value, bool) and typ is not bool:
        problems.append(f"{path}: key '{key}' must be {_tname(typ)}, got a boolean")
        return False
    if not isinstance(value, typ):
        problems.append(f"{path}: key '{key}' must be {_tname(typ)}, got {type(value).__name__} {value!r}")
        return False
    return True


def _tname(typ: type | tuple[type, ...]) -> str:
    if isinstance(typ, tuple):
        return " or ".join(t.__name__ for t in typ)
    return typ.__name__


def _validate_pattern(path: Path, pattern: str, problems: list[str]) -> None:
    try:
        opts = re2.Options()
        opts.max_mem = 8 << 20
        re2.compile(pattern, opts)
    except Exception as exc:  # re2 raises its own error type
        problems.append(f"{path}: pattern {pattern!r} is not valid RE2 syntax (no backreferences or "
                        f"look-around; runs in linear time): {exc}")


def load_rules(directory: Path | None = None) -> RuleSet:
    """Load a rules folder; raise :class:`RulesError` listing every problem."""
    directory = directory if directory is not None else default_rules_dir()
    if not directory.is_dir():
        raise RulesError(f"{directory}: rules folder not found. Pass --rules DIR or create ./rules.")
    problems: list[str] = []
    tables: list[tuple[Path, dict[str, Any]]] = []
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*.toml")):
        raw = path.read_bytes()
        digest.update(str(path.relative_to(directory)).encode() + b"\0" + raw)
        if path.name == "matcher.toml":
            continue
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: not valid TOML: {exc}")
            continue
        tables.append((path, data))
    try:
        matcher = load_matcher_settings(directory / "matcher.toml")
    except RulesError as exc:
        problems.extend(exc.problems)
        matcher = MatcherSettings()

    ids: dict[str, Path] = {}
    quotes: list[QuoteRule] = []
    boiler: list[BoilerplateRule] = []
    common: list[CommonTextRule] = []
    short: list[ShortLinesRule] = []
    raw_by_id: dict[str, dict[str, Any]] = {}
    for path, data in tables:
        rid = data.get("id")
        if not isinstance(rid, str) or not rid:
            problems.append(f"{path}: missing required key 'id' (a short unique name)")
            continue
        if rid in ids:
            problems.append(f"{path}: duplicate rule id '{rid}' (also in {ids[rid]})")
            continue
        ids[rid] = path
        raw_by_id[rid] = data
        kind = data.get("kind")
        if kind != "false-positive":
            if kind is None:
                problems.append(f"{path}: missing required key 'kind'")
            else:
                problems.append(f"{path}: unknown kind '{kind}' (expected: false-positive)")
            continue
        ftype = data.get("type")
        schema = _FP_SCHEMAS.get(ftype) if isinstance(ftype, str) else None
        if schema is None:
            problems.append(f"{path}: unknown false-positive type {ftype!r} "
                            f"(expected one of: {', '.join(sorted(_FP_SCHEMAS))})")
            continue
        allowed = {**_COMMON_KEYS, **schema}
        ok = True
        for key, value in data.items():
            if key not in allowed:
                problems.append(f"{path}: unknown key '{key}' (allowed: {', '.join(sorted(allowed))})")
                ok = False
            elif not _check_type(path, key, value, allowed[key][0], problems):
                ok = False
        for key, (_, required) in allowed.items():
            if required and key not in data:
                problems.append(f"{path}: missing required key '{key}'")
                ok = False
        if not ok:
            continue
        opts = {k: v for k, v in data.items() if k in schema}
        if ftype == "quoted-speech":
            for p in opts.get("embedded_post_patterns", []):
                _validate_pattern(path, p, problems)
            quotes.append(QuoteRule(rid, **opts))
        elif ftype == "boilerplate":
            boiler.append(BoilerplateRule(rid, **opts))
        elif ftype == "short-lines":
            short.append(ShortLinesRule(rid, **opts))
        else:
            common.append(CommonTextRule(rid, **opts))
    if problems:
        raise RulesError(f"{len(problems)} problem(s) in {directory}:\n" + "\n".join(problems), problems)
    return RuleSet(directory, matcher, FalsePositiveRules(quotes, boiler, common, short),
                   {k: str(v) for k, v in ids.items()}, raw_by_id, digest.hexdigest()[:16])
