"""Load and validate ``rules/``: one TOML file per rule, strict keys.

Every problem in the folder is collected and reported at once, each with its
file path, so that a rights team fixes a broken folder in one pass: unknown
keys, wrong types, missing keys, duplicate ids, bad dates, references to
licences that do not exist, patterns that are not RE2.

Rule kinds (the README documents every key):

* ``licence``: what a licence allows (all rights reserved, CC BY ... CC0)
  and on which conditions (attribution, share-alike, non-commercial, no
  derivatives).
* ``publisher``: a publisher's policy: default licence, own domains, other
  names, sections, excerpt allowance, attribution requirements.
* ``partner-grant``: a publisher lets a partner's domains reuse some works,
  for a term, on conditions.
* ``page-signal``: words and patterns that mark a page as commercial.
* ``false-positive``: text two articles share without copying.
* ``crawler-list``: user agents of AI crawlers, looked up in captured
  ``robots.txt`` files for the rights signals of evidence packets.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import re
from functools import lru_cache
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import re2

from .errors import RulesError
from .falsepositives import BoilerplateRule, CommonTextRule, FalsePositiveRules, QuoteRule, ShortLinesRule
from .settings import MatcherSettings, load_matcher_settings

__all__ = ["RuleSet", "Licence", "PublisherPolicy", "PartnerGrant", "PageSignal", "ExcerptAllowance",
           "AttributionRequirement", "CrawlerList", "load_rules", "default_rules_dir", "RULE_SCHEMAS", "DEFAULT_PUBLISHER"]

DEFAULT_PUBLISHER = "*"


def default_rules_dir() -> Path:
    """``./rules`` when it exists, else the rules shipped beside the package."""
    here = Path.cwd() / "rules"
    if here.is_dir():
        return here
    return Path(__file__).resolve().parent.parent / "rules"


# ---------------------------------------------------------------- the rule records
@dataclass(frozen=True)
class Licence:
    """A licence and its conditions."""

    id: str
    name: str
    spdx: str | None = None
    url: str | None = None
    reuse: bool = False  # False: all rights reserved, nothing may be reused without permission
    attribution: bool = False
    share_alike: bool = False
    non_commercial: bool = False
    no_derivatives: bool = False
    aliases: tuple[str, ...] = ()
    description: str = ""

    def label(self) -> str:
        """The name reasons use."""
        return self.name or self.id


@dataclass(frozen=True)
class ExcerptAllowance:
    """How much may be quoted without permission."""

    max_words: int
    max_share: float = 1.0
    attribution: bool = True


@dataclass(frozen=True)
class AttributionRequirement:
    """What counts as crediting a publisher: its name, a link to the original, its notice kept."""

    name: bool = True
    link: bool = False
    notice: bool = False


@dataclass(frozen=True)
class PublisherPolicy:
    """A publisher's policy (``publisher = "*"`` is the default for every other publisher)."""

    id: str
    publisher: str
    licence: str | None = None
    names: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    work_licences: dict[str, str] = field(default_factory=dict)
    sections: dict[str, tuple[str, ...]] = field(default_factory=dict)
    excerpts: ExcerptAllowance | None = None
    attribution: AttributionRequirement = AttributionRequirement()
    description: str = ""


@dataclass(frozen=True)
class PartnerGrant:
    """A publisher lets a partner reuse works on its domains, for a term, on conditions."""

    id: str
    publisher: str
    partner: str
    domains: tuple[str, ...]
    all_works: bool = True
    sections: tuple[str, ...] = ()
    work_ids: tuple[str, ...] = ()
    valid_from: _dt.date | None = None
    valid_until: _dt.date | None = None
    attribution: bool = False
    no_modification: bool = False
    notice_kept: bool = False
    description: str = ""

    def term(self) -> str:
        """The term in words: "until 2027-01-01", "from 2024-01-01", "no end date"."""
        if self.valid_until:
            return f"until {self.valid_until}"
        if self.valid_from:
            return f"from {self.valid_from}"
        return "no end date"


@dataclass(frozen=True)
class PageSignal:
    """Phrases and patterns that mark a page (for now: as commercial)."""

    id: str
    signal: str
    phrases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    min_hits: int = 2
    description: str = ""


@dataclass(frozen=True)
class CrawlerList:
    """User agents of crawlers with one purpose (for now: AI training and answering), for robots.txt look-ups."""

    id: str
    purpose: str
    agents: tuple[str, ...]
    description: str = ""


@dataclass
class RuleSet:
    """Everything loaded from a rules folder."""

    directory: Path | None
    matcher: MatcherSettings
    false_positives: FalsePositiveRules
    files: dict[str, str] = field(default_factory=dict)  # rule id -> path
    raw: dict[str, dict[str, Any]] = field(default_factory=dict)  # rule id -> table
    digest: str = ""
    licences: dict[str, Licence] = field(default_factory=dict)  # id -> licence
    publishers: dict[str, PublisherPolicy] = field(default_factory=dict)  # publisher name ("*") -> policy
    grants: list[PartnerGrant] = field(default_factory=list)
    signals: list[PageSignal] = field(default_factory=list)
    crawlers: list[CrawlerList] = field(default_factory=list)

    @property
    def ai_crawlers(self) -> tuple[str, ...]:
        """Every AI crawler agent the crawler lists name, in file order, each once (case ignored)."""
        seen: dict[str, str] = {}
        for lst in self.crawlers:
            if lst.purpose == "ai":
                for a in lst.agents:
                    seen.setdefault(a.lower(), a)
        return tuple(seen.values())

    def version(self) -> str:
        """'rules version': a hash of every rule file and matcher setting."""
        return self.digest

    def policy(self, publisher: str | None) -> PublisherPolicy | None:
        """The publisher's own policy, else the default policy ("*"), else None.

        Names match ignoring case, punctuation and spacing ("Gazette Ltd." is "Gazette Ltd").
        """
        if publisher:
            if publisher in self.publishers:
                return self.publishers[publisher]
            key = _norm_name(publisher)
            for name, pol in self.publishers.items():
                if name != DEFAULT_PUBLISHER and _norm_name(name) == key:
                    return pol
        return self.publishers.get(DEFAULT_PUBLISHER)

    def licence_for(self, key: str | None) -> Licence | None:
        """A licence by rule id, SPDX id or alias (case-insensitive)."""
        if not key:
            return None
        if key in self.licences:
            return self.licences[key]
        k = _norm_licence(key)
        for lic in self.licences.values():
            if k in {_norm_licence(lic.id), _norm_licence(lic.spdx or "")} | {_norm_licence(a) for a in lic.aliases}:
                return lic
        # another version of a licence with the same conditions ("CC-BY-NC-3.0" -> the CC BY-NC rule)
        family = re.sub(r"\d+(?:\.\d+)*$", "", k)
        for lic in self.licences.values():
            if lic.spdx and family and re.sub(r"\d+(?:\.\d+)*$", "", _norm_licence(lic.spdx)) == family:
                return lic
        return None

    def grants_for(self, publisher: str | None) -> list[PartnerGrant]:
        """Partner grants of a publisher (names match as in :meth:`policy`)."""
        key = _norm_name(publisher or "")
        return [g for g in self.grants if _norm_name(g.publisher) == key]


@lru_cache(maxsize=4096)
def _norm_licence(s: str) -> str:
    return re.sub(r"[^a-z0-9.]", "", s.lower())


@lru_cache(maxsize=4096)
def _norm_name(s: str) -> str:
    """A name for comparing: case, punctuation and spacing folded (asked once per name, then cached)."""
    return re.sub(r"[^\w]+", " ", s.casefold()).strip()


# ---------------------------------------------------------------- schemas
# key -> (type, required); a dict value is a sub-table schema.
Schema = dict[str, Any]
_STR, _INT, _BOOL, _LIST = str, int, bool, list
_NUM = (float, int)
_DATE = (_dt.date, str)

_FP_SCHEMAS: dict[str, Schema] = {
    "quoted-speech": {"embedded_post_patterns": (list, False),
                      "min_unquoted_words": (int, False), "min_share": ((float, int), False)},
    "boilerplate": {"phrases": (list, True), "min_share": ((float, int), False)},
    "short-lines": {"max_line_words": (int, False), "min_share": ((float, int), False),
                    "unterminated_max_words": (int, False), "keep_work_share": ((float, int), False),
                    "keep_min_words": (int, False)},
    "common-text": {"max_words": (int, False), "min_works": (int, False),
                    "same_publisher_works": (int, False), "same_publisher_max_words": (int, False)},
}
_COMMON_KEYS: Schema = {"id": (str, True), "kind": (str, True), "description": (str, False)}
RULE_SCHEMAS: dict[str, Schema] = {
    "licence": {
        "name": (str, True), "spdx": (str, False), "url": (str, False), "aliases": (list, False),
        "reuse": (bool, True), "attribution": (bool, False), "share_alike": (bool, False),
        "non_commercial": (bool, False), "no_derivatives": (bool, False),
    },
    "publisher": {
        "publisher": (str, True), "licence": (str, False), "names": (list, False), "domains": (list, False),
        "work_licences": ({"*": (str, False)}, False),
        "sections": ({"*": (list, False)}, False),
        "excerpts": ({"max_words": (int, True), "max_share": (_NUM, False), "attribution": (bool, False)}, False),
        "attribution": ({"name": (bool, False), "link": (bool, False), "notice": (bool, False)}, False),
    },
    "partner-grant": {
        "publisher": (str, True), "partner": (str, True), "domains": (list, True),
        "works": (str, False), "sections": (list, False), "work_ids": (list, False),
        "valid_from": (_DATE, False), "valid_until": (_DATE, False),
        "conditions": ({"attribution": (bool, False), "no_modification": (bool, False),
                        "notice_kept": (bool, False)}, False),
    },
    "page-signal": {
        "signal": (str, True), "phrases": (list, False), "patterns": (list, False), "min_hits": (int, False),
    },
    "false-positive": {"type": (str, True)},
    "crawler-list": {"purpose": (str, True), "agents": (list, True)},
}
_KIND_ALIASES = {"license": "licence"}


def _tname(typ: Any) -> str:
    if isinstance(typ, dict):
        return "a table"
    if isinstance(typ, tuple):
        names = [t.__name__ for t in typ]
        if names == ["date", "str"]:
            return "a date (YYYY-MM-DD)"
        return " or ".join(names)
    return {"str": "a string", "int": "an integer", "bool": "true or false", "list": "a list"}.get(
        typ.__name__, typ.__name__)


def _check_type(path: Path, key: str, value: Any, typ: Any, problems: list[str]) -> bool:
    if isinstance(typ, dict):
        if not isinstance(value, dict):
            problems.append(f"{path}: key '{key}' must be a table ([{key}]), got {type(value).__name__} {value!r}")
            return False
        return True
    if isinstance(value, bool) and typ is not bool and not (isinstance(typ, tuple) and bool in typ):
        problems.append(f"{path}: key '{key}' must be {_tname(typ)}, got a boolean")
        return False
    if not isinstance(value, typ):
        problems.append(f"{path}: key '{key}' must be {_tname(typ)}, got {type(value).__name__} {value!r}")
        return False
    return True


def _check_table(path: Path, data: dict[str, Any], schema: Schema, problems: list[str], where: str = "") -> bool:
    """Unknown keys, wrong types and missing keys of one table (and its sub-tables)."""
    ok = True
    wildcard = schema.get("*")
    for key, value in data.items():
        name = f"{where}{key}"
        if key in schema:
            typ, _ = schema[key]
        elif wildcard is not None:
            typ, _ = wildcard
        else:
            allowed = ", ".join(sorted(k for k in schema if k != "*"))
            problems.append(f"{path}: unknown key '{name}' (allowed: {allowed})")
            ok = False
            continue
        if not _check_type(path, name, value, typ, problems):
            ok = False
        elif isinstance(typ, dict):
            ok = _check_table(path, value, typ, problems, f"{name}.") and ok
    for key, (_, required) in schema.items():
        if key != "*" and required and key not in data:
            problems.append(f"{path}: missing required key '{where}{key}'")
            ok = False
    return ok


def _sanitize(data: dict[str, Any], schema: Schema) -> dict[str, Any]:
    """The keys of *data* whose values have the right type (sub-tables sanitized too)."""
    out: dict[str, Any] = {}
    wildcard = schema.get("*")
    for key, value in data.items():
        spec = schema.get(key, wildcard)
        if spec is None:
            continue
        typ = spec[0]
        if isinstance(typ, dict):
            if isinstance(value, dict):
                out[key] = _sanitize(value, typ)
            continue
        if isinstance(value, bool) and typ is not bool and not (isinstance(typ, tuple) and bool in typ):
            continue
        if isinstance(value, typ):
            out[key] = value
    return out


def _str_list(path: Path, key: str, value: Any, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    bad = [v for v in value if not isinstance(v, str) or not v.strip()]
    if bad:
        problems.append(f"{path}: key '{key}' must be a list of non-empty strings, got {bad[0]!r} in it")
        return ()
    return tuple(value)


def _date(path: Path, key: str, value: Any, problems: list[str]) -> _dt.date | None:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{path}: key '{key}' must be a date like 2027-01-01, got {value!r}")
        return None


def _validate_pattern(path: Path, pattern: str, problems: list[str]) -> None:
    try:
        opts = re2.Options()
        opts.max_mem = 8 << 20
        re2.compile(pattern, opts)
    except Exception as exc:  # re2 raises its own error type
        problems.append(f"{path}: pattern {pattern!r} is not valid RE2 syntax (no backreferences or "
                        f"look-around; runs in linear time): {exc}")


def _domain(path: Path, d: str, problems: list[str]) -> str:
    d = d.strip().lower()
    if "://" in d or "/" in d or " " in d or "." not in d:
        problems.append(f"{path}: domain {d!r} must be a host name like 'harbor-post.example' (no scheme or path)")
    return d.removeprefix("www.")


# ---------------------------------------------------------------- loading
def load_rules(directory: Path | None = None) -> RuleSet:
    """Load a rules folder; raise :class:`RulesError` listing every problem."""
    directory = directory if directory is not None else default_rules_dir()
    if not directory.is_dir():
        raise RulesError(f"{directory}: rules folder not found. Pass --rules DIR or create ./rules.")
    problems: list[str] = []
    tables: list[tuple[Path, dict[str, Any]]] = []
    digest = hashlib.sha256()
    for path in sorted(directory.rglob("*.toml")):
        try:
            raw = path.read_bytes()
        except OSError as exc:
            problems.append(f"{path}: cannot read ({exc.strerror})")
            continue
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
    raw_by_id: dict[str, dict[str, Any]] = {}
    fp: dict[str, list[Any]] = {"quotes": [], "boiler": [], "common": [], "short": []}
    licences: dict[str, Licence] = {}
    policies: list[tuple[Path, PublisherPolicy]] = []
    grants: list[tuple[Path, PartnerGrant]] = []
    signals: list[PageSignal] = []
    crawlers: list[CrawlerList] = []
    licence_ids: set[str] = set()  # every licence id a file declares, valid or not
    for path, data in tables:
        rid = data.get("id")
        if not isinstance(rid, str) or not rid.strip():
            problems.append(f"{path}: missing required key 'id' (a short unique name)")
            rid = None
        elif not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", rid):
            problems.append(f"{path}: id {rid!r} must be letters, digits, '.', '_' or '-'")
        elif rid in ids:
            problems.append(f"{path}: duplicate rule id '{rid}' (also in {ids[rid]})")
            rid = f"{rid} ({path.name})"  # still checked below, so that every problem shows at once
        if rid and rid not in ids:
            ids[rid] = path
            raw_by_id[rid] = data
        kind = data.get("kind")
        kind = _KIND_ALIASES.get(kind, kind) if isinstance(kind, str) else kind
        if kind not in RULE_SCHEMAS:
            if kind is None:
                problems.append(f"{path}: missing required key 'kind' (one of: {', '.join(RULE_SCHEMAS)})")
            else:
                problems.append(f"{path}: unknown kind {kind!r} (expected one of: {', '.join(RULE_SCHEMAS)})")
            continue
        if kind == "false-positive":
            _load_false_positive(path, data, rid, problems, fp)
            continue
        schema = {**_COMMON_KEYS, **RULE_SCHEMAS[kind]}
        if kind == "licence" and isinstance(data.get("id"), str):
            licence_ids.add(data["id"])
        if not _check_table(path, data, schema, problems):
            data = _sanitize(data, schema)  # keep checking what is well-typed (references, dates, domains)
        rid = rid or f"({path.name})"
        if kind == "licence":
            lic = Licence(
                id=rid, name=data.get("name", ""), spdx=data.get("spdx"), url=data.get("url"),
                reuse=data.get("reuse", False),
                attribution=data.get("attribution", False), share_alike=data.get("share_alike", False),
                non_commercial=data.get("non_commercial", False), no_derivatives=data.get("no_derivatives", False),
                aliases=_str_list(path, "aliases", data.get("aliases"), problems),
                description=data.get("description", ""))
            # (only when reuse is given and well-typed: a bad 'reuse' is already reported, once)
            if "reuse" in data and not lic.reuse and (lic.attribution or lic.share_alike or lic.non_commercial or lic.no_derivatives):
                problems.append(f"{path}: a licence with reuse = false has no conditions; remove attribution, "
                                "share_alike, non_commercial and no_derivatives or set reuse = true")
            licences[rid] = lic
        elif kind == "publisher":
            policies.append((path, _load_policy(path, rid, data, problems)))
        elif kind == "partner-grant":
            g = _load_grant(path, rid, data, problems)
            if g is not None:
                grants.append((path, g))
        elif kind == "page-signal":
            phrases = _str_list(path, "phrases", data.get("phrases"), problems)
            patterns = _str_list(path, "patterns", data.get("patterns"), problems)
            for p in patterns:
                _validate_pattern(path, p, problems)
            if not phrases and not patterns:
                problems.append(f"{path}: a page-signal needs 'phrases' or 'patterns'")
            if data.get("signal", "commercial") != "commercial":
                problems.append(f"{path}: unknown signal {data['signal']!r} (expected: commercial)")
            if data.get("min_hits", 2) < 1:
                problems.append(f"{path}: key 'min_hits' must be at least 1")
            signals.append(PageSignal(rid, data.get("signal", "commercial"), phrases, patterns,
                                      data.get("min_hits", 2), data.get("description", "")))
        elif kind == "crawler-list":
            agents = _str_list(path, "agents", data.get("agents"), problems)
            bad = [a for a in agents if not re.fullmatch(r"[A-Za-z0-9_.-]+", a.strip())]
            if bad:
                problems.append(f"{path}: agent {bad[0]!r} is not a robots.txt product token (letters, digits, "
                                "'_', '-', '.')")
            if "agents" in data and not agents and not bad:
                problems.append(f"{path}: key 'agents' must list at least one user agent")
            if data.get("purpose", "ai") != "ai":
                problems.append(f"{path}: unknown purpose {data['purpose']!r} (expected: ai)")
            crawlers.append(CrawlerList(rid, data.get("purpose", "ai"), tuple(a.strip() for a in agents),
                                        data.get("description", "")))

    # cross-references, once every file is read
    by_publisher: dict[str, tuple[Path, PublisherPolicy]] = {}
    for path, pol in policies:
        if not pol.publisher:
            continue  # reported as a missing key
        if pol.publisher in by_publisher:
            problems.append(f"{path}: a second policy for publisher {pol.publisher!r} "
                            f"(also in {by_publisher[pol.publisher][0]})")
            continue
        by_publisher[pol.publisher] = (path, pol)
        refs = ([("licence", pol.licence)] if pol.licence else []) + \
            [(f"work_licences.{w}", v) for w, v in pol.work_licences.items()]
        for key, ref in refs:
            if ref in licence_ids and ref not in licences:
                continue  # the licence file itself is invalid, and reported
            if ref not in licences and not any(ref in (lc.spdx, *lc.aliases) for lc in licences.values()):
                problems.append(f"{path}: key '{key}' names licence {ref!r}, which no licence rule defines "
                                f"(known: {', '.join(sorted(licences)) or 'none'})")
    for path, g in grants:
        if g.valid_from and g.valid_until and g.valid_until < g.valid_from:
            problems.append(f"{path}: valid_until {g.valid_until} is before valid_from {g.valid_from}")
    if problems:
        raise RulesError(f"{len(problems)} problem(s) in {directory}:\n" + "\n".join(problems), problems)
    return RuleSet(directory, matcher, FalsePositiveRules(fp["quotes"], fp["boiler"], fp["common"], fp["short"]),
                   {k: str(v) for k, v in ids.items()}, raw_by_id, digest.hexdigest()[:16],
                   licences=licences, publishers={k: v[1] for k, v in by_publisher.items()},
                   grants=[g for _, g in grants], signals=signals, crawlers=crawlers)


def _load_false_positive(path: Path, data: dict[str, Any], rid: str | None, problems: list[str],
                         fp: dict[str, list[Any]]) -> None:
    ftype = data.get("type")
    schema = _FP_SCHEMAS.get(ftype) if isinstance(ftype, str) else None
    if schema is None:
        problems.append(f"{path}: unknown false-positive type {ftype!r} "
                        f"(expected one of: {', '.join(sorted(_FP_SCHEMAS))})")
        return
    allowed = {**_COMMON_KEYS, "type": (str, True), **schema}
    if not _check_table(path, data, allowed, problems) or rid is None:
        return
    opts = {k: v for k, v in data.items() if k in schema}
    if ftype == "quoted-speech":
        for p in opts.get("embedded_post_patterns", []):
            _validate_pattern(path, p, problems)
        fp["quotes"].append(QuoteRule(rid, **opts))
    elif ftype == "boilerplate":
        _str_list(path, "phrases", opts["phrases"], problems)
        fp["boiler"].append(BoilerplateRule(rid, **opts))
    elif ftype == "short-lines":
        fp["short"].append(ShortLinesRule(rid, **opts))
    else:
        fp["common"].append(CommonTextRule(rid, **opts))


def _load_policy(path: Path, rid: str, data: dict[str, Any], problems: list[str]) -> PublisherPolicy:
    ex = data.get("excerpts")
    excerpts = None
    if ex is not None and "max_words" in ex:
        share = float(ex.get("max_share", 1.0))
        if not 0 < share <= 1:
            problems.append(f"{path}: key 'excerpts.max_share' must be a share between 0 and 1 (0.1 = 10 %), "
                            f"got {share}")
        if ex["max_words"] < 0:
            problems.append(f"{path}: key 'excerpts.max_words' must not be negative")
        excerpts = ExcerptAllowance(ex["max_words"], share, ex.get("attribution", True))
    at = data.get("attribution") or {}
    sections: dict[str, tuple[str, ...]] = {}
    for name, works in (data.get("sections") or {}).items():
        sections[name.lower()] = _str_list(path, f"sections.{name}", works, problems)
    return PublisherPolicy(
        id=rid, publisher=data.get("publisher", ""), licence=data.get("licence"),
        names=_str_list(path, "names", data.get("names"), problems),
        domains=tuple(_domain(path, d, problems) for d in _str_list(path, "domains", data.get("domains"), problems)),
        work_licences=dict(data.get("work_licences") or {}), sections=sections, excerpts=excerpts,
        attribution=AttributionRequirement(at.get("name", True), at.get("link", False), at.get("notice", False)),
        description=data.get("description", ""))


def _load_grant(path: Path, rid: str, data: dict[str, Any], problems: list[str]) -> PartnerGrant | None:
    works = data.get("works")
    sections = _str_list(path, "sections", data.get("sections"), problems)
    work_ids = _str_list(path, "work_ids", data.get("work_ids"), problems)
    if works is not None and works != "all":
        problems.append(f"{path}: key 'works' must be \"all\" (or use 'sections' / 'work_ids'), got {works!r}")
    if works == "all" and (sections or work_ids):
        problems.append(f"{path}: works = \"all\" cannot be combined with 'sections' or 'work_ids'")
    domains = tuple(_domain(path, d, problems) for d in _str_list(path, "domains", data.get("domains"), problems))
    if not domains and "domains" in data:
        problems.append(f"{path}: key 'domains' must list at least one partner domain")
    cond = data.get("conditions") or {}
    return PartnerGrant(
        id=rid, publisher=data.get("publisher", ""), partner=data.get("partner", ""), domains=domains,
        all_works=not (sections or work_ids), sections=tuple(s.lower() for s in sections), work_ids=work_ids,
        valid_from=_date(path, "valid_from", data.get("valid_from"), problems),
        valid_until=_date(path, "valid_until", data.get("valid_until"), problems),
        attribution=cond.get("attribution", False), no_modification=cond.get("no_modification", False),
        notice_kept=cond.get("notice_kept", False), description=data.get("description", ""))
