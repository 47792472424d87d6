"""How notices are written in each language: phrases as data, compiled once.

The phrases live in ``compliance/data/notice-languages.toml`` (one table per
language) so that a rights team adds a language without touching the code.
The file is read strictly, like ``rules/``: every problem is reported at
once, with the file's path.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import RulesError

__all__ = ["LanguageData", "load_languages", "phrase_pattern", "DEFAULT_FILE"]

DEFAULT_FILE = Path(__file__).resolve().parent.parent / "data" / "notice-languages.toml"

_LISTS = ("rights_reserved", "restrictions", "markers", "contact_words", "holder_stops", "prose_words",
          "year_suffixes", "anchors")
_PATTERN_LISTS = ("rights_reserved_patterns", "restrictions_patterns", "markers_patterns", "holder_patterns",
                  "holder_stops_patterns", "contact_words_patterns")
_KEYS = {"name", "holder_end", "era_year_patterns", "era_year_offset", *_LISTS, *_PATTERN_LISTS}


def _spaced_letter(ch: str) -> bool:
    """A letter of a script written with spaces between words (whole-word matching applies)."""
    if not ch.isalpha():
        return False
    name = unicodedata.name(ch, "")
    return name.startswith(("LATIN", "CYRILLIC", "GREEK"))


def _unspaced(ch: str) -> bool:
    """A character of a script written without spaces between words."""
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "THAI"))


def phrase_pattern(phrase: str) -> str:
    """The regular expression of a literal phrase (see the data file's header for the rules).

    Data stays readable as plain words while matching the spellings pages use:
    any white space between words, none needed between CJK or Thai characters.
    """
    words = phrase.split()
    out = re.escape(words[0])
    for prev, word in zip(words, words[1:]):
        out += (r"\s*" if _unspaced(prev[-1]) and _unspaced(word[0]) else r"\s+") + re.escape(word)
    if _spaced_letter(phrase.strip()[0]):
        out = r"(?<!\w)" + out
    return out  # no boundary at the end: "All rights reservedNot associated ..." (spans joined) still counts


@dataclass(frozen=True)
class LanguageData:
    """Every language's phrases, merged by role into regular-expression alternations."""

    names: tuple[str, ...]
    rights_reserved: str
    restrictions: str
    markers: str
    holder_patterns: tuple[re.Pattern[str], ...]
    contact_words: str
    holder_stops: str
    prose_words: tuple[str, ...]
    holder_end: str
    year_suffixes: str
    anchors: tuple[str, ...]
    era_years: tuple[tuple[re.Pattern[str], int], ...] = ()


def _alternation(parts: list[str]) -> str:
    # longest first, so that a phrase that contains another wins
    return "|".join(sorted(dict.fromkeys(parts), key=len, reverse=True)) or r"(?!x)x"


def load_languages(path: Path = DEFAULT_FILE) -> LanguageData:
    """Read and check the language file; raise :class:`RulesError` listing every problem.

    Loaded once at import by ``patterns``: a broken file must stop the tool with
    a message naming the file, not give silently different notices.
    """
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read the notice languages: {exc}", [str(exc)]) from None
    problems: list[str] = []
    unknown_top = set(data) - {"language"}
    if unknown_top:
        problems.append(f"{path}: unknown top-level key(s) {sorted(unknown_top)} (expected [language.xx] tables)")
    roles: dict[str, list[str]] = {k: [] for k in ("rights_reserved", "restrictions", "markers", "contact_words",
                                                   "holder_stops")}
    holder_patterns: list[re.Pattern[str]] = []
    prose: list[str] = []
    ends = ""
    suffixes: list[str] = []
    anchors: list[str] = []
    names: list[str] = []
    eras: list[tuple[re.Pattern[str], int]] = []
    for code, table in (data.get("language") or {}).items():
        where = f"{path}: [language.{code}]"
        if not isinstance(table, dict):
            problems.append(f"{where}: not a table")
            continue
        for key in sorted(set(table) - _KEYS):
            problems.append(f"{where}: unknown key {key!r} (known: {', '.join(sorted(_KEYS))})")
        names.append(str(table.get("name", code)))
        for key in (*_LISTS, *_PATTERN_LISTS):
            value = table.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                problems.append(f"{where}: key {key!r} must be a list of non-empty strings")
                continue
            for v in value:
                if key.endswith("_patterns"):
                    try:
                        compiled = re.compile(v, re.IGNORECASE)
                    except re.error as exc:
                        problems.append(f"{where}: {key}: {v!r} is not a regular expression ({exc})")
                        continue
                    if key == "holder_patterns":
                        if "holder" not in compiled.groupindex:
                            problems.append(f"{where}: holder_patterns: {v!r} has no (?P<holder>...) group")
                        else:
                            holder_patterns.append(compiled)
                    else:
                        roles[key[: -len("_patterns")]].append(f"(?:{v})")
                elif key in roles:
                    roles[key].append(phrase_pattern(v))
                    if key in ("rights_reserved", "restrictions", "markers"):  # what makes a line a candidate
                        anchors.append(max(v.split(), key=len).lower())  # every match holds its longest word
                elif key == "prose_words":
                    prose.append(v)
                elif key == "year_suffixes":
                    suffixes.append(re.escape(v))
                elif key == "anchors":
                    anchors.append(v.lower())
        offset = table.get("era_year_offset", 0)
        if not isinstance(offset, int) or isinstance(offset, bool):
            problems.append(f"{where}: key 'era_year_offset' must be an integer (years to add to reach the common era)")
            offset = 0
        for v in table.get("era_year_patterns", []) if isinstance(table.get("era_year_patterns", []), list) else []:
            try:
                compiled = re.compile(v, re.IGNORECASE)
            except (re.error, TypeError) as exc:
                problems.append(f"{where}: era_year_patterns: {v!r} is not a regular expression ({exc})")
                continue
            if "year" not in compiled.groupindex:
                problems.append(f"{where}: era_year_patterns: {v!r} has no (?P<year>...) group")
            else:
                eras.append((compiled, offset))
        end = table.get("holder_end", "")
        if not isinstance(end, str):
            problems.append(f"{where}: key 'holder_end' must be a string of characters")
        else:
            ends += end
    if problems:
        raise RulesError(f"{len(problems)} problem(s) in {path}:\n" + "\n".join(problems), problems)
    return LanguageData(
        names=tuple(names),
        rights_reserved=_alternation(roles["rights_reserved"]),
        restrictions=_alternation(roles["restrictions"]),
        markers=_alternation(roles["markers"]),
        holder_patterns=tuple(holder_patterns),
        contact_words=_alternation(roles["contact_words"]),
        holder_stops=_alternation(roles["holder_stops"]),
        prose_words=tuple(dict.fromkeys(prose)),
        holder_end="".join(dict.fromkeys(ends)),
        year_suffixes=_alternation(suffixes),
        anchors=tuple(dict.fromkeys(anchors)),
        era_years=tuple(eras),
    )
