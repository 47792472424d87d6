"""The one settings object for the matcher, loaded from ``rules/matcher.toml``.

Thresholds a rights team might tune live here, not as literals scattered
through the code.  Every key has a default, and unknown keys are an error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import RulesError

__all__ = ["MatcherSettings", "load_matcher_settings"]


@dataclass(frozen=True)
class MatcherSettings:
    """Parameters of fingerprinting, retrieval and alignment."""

    # Registry fingerprints: winnowed word k-grams (guarantee: k + w - 1 words).
    k: int = 5
    w: int = 4
    # Simhash windows (words per window) and the Hamming radius for "near".
    window_words: int = 12
    near_hamming: int = 6
    near_min_words: int = 16
    # Banded simhash index over registered windows (pigeonhole over k+1 blocks): a
    # second way to find candidates when edits broke every exact k-gram.  -1: off.
    near_index_hamming: int = 3
    # Retrieval: a work is a candidate with this many distinct seed hits ...
    min_candidate_hits: int = 2
    # ... ignoring fingerprints shared by more works than this fraction (plus a floor).
    max_df_fraction: float = 0.02
    max_df_floor: int = 200
    max_candidates: int = 64
    # ... counting only hits with a neighbour on nearly the same diagonal nearby.
    candidate_diagonal: int = 8
    candidate_window: int = 80
    # ... and whose supported hits weigh this much (each hit weighs 1/sqrt(works sharing its k-gram)).
    min_candidate_score: float = 2.0
    # Alignment seeds: exact s-gram matches between document and work.
    seed_k: int = 3
    seed_max_repeat: int = 1
    # Chaining: largest token gap inside one passage, on either side.
    gap: int = 14
    # Extension over edited words at each end (tokens looked at).
    extend_window: int = 12
    # Passages closer than this (tokens, both sides) are merged into one.
    merge_gap: int = 40
    # Pieces of one edited copy (seed clusters in order on both sides, closer than chain_gap tokens,
    # whose gaps differ by fewer than max_insert tokens and share chain_min_shared of their content
    # words) are judged together: patchwriting leaves each sentence only a few exact s-grams.
    chain_gap: int = 40
    chain_min_shared: float = 0.15
    # No passage bridges max_insert or more tokens that one side has and the other has not: a
    # paragraph, caption or advertisement the copier inserted, or work text the copy left out.
    max_insert: int = 8
    # Acceptance: minimum matched words, and matched share of the span, which
    # falls with length: short passages must be dense, long ones may be edited.
    min_words: int = 12
    min_words_edited: int = 20
    min_seeds: int = 3
    density_short: float = 0.7
    density_long: float = 0.3
    density_long_words: int = 60
    # Template rule: a passage with this many figures must keep this share of them.
    template_min_numbers: int = 6
    template_min_kept: float = 0.5
    extra: dict = field(default_factory=dict, compare=False)

    def fingerprint_key(self) -> str:
        """Identifies the registry fingerprint layout (k, w, window) and the tokenizer's folding version.

        A registry fingerprinted under another key is fingerprinted again on
        its next scan (``Registry.build_index``).  t2: ligatures unfold to all
        their letters, scripts without spaces are tokenized by character.
        """
        return f"k{self.k}-w{self.w}-win{self.window_words}-t2"

    def digest(self) -> str:
        """Short hash of every setting, part of the 'rules version' of a scan."""
        d = dataclasses.asdict(self)
        d.pop("extra", None)
        return hashlib.sha256(json.dumps(d, sort_keys=True).encode()).hexdigest()[:12]


def load_matcher_settings(path: Path | None) -> MatcherSettings:
    """Read ``matcher.toml`` (the ``[matcher]`` table); defaults for missing keys."""
    if path is None or not path.exists():
        return MatcherSettings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: not valid TOML: {exc}") from exc
    table = data.get("matcher", {})
    known = {f.name for f in dataclasses.fields(MatcherSettings)} - {"extra"}
    problems = []
    kwargs = {}
    for key, value in table.items():
        if key not in known:
            problems.append(f"{path}: unknown key matcher.{key}")
            continue
        default = getattr(MatcherSettings, key)
        if isinstance(default, bool) or not isinstance(value, type(default)) and not (
            isinstance(default, float) and isinstance(value, int)
        ):
            problems.append(f"{path}: matcher.{key} must be {type(default).__name__}, got {value!r}")
            continue
        kwargs[key] = value
    if problems:
        raise RulesError("\n".join(problems))
    return MatcherSettings(**kwargs)
