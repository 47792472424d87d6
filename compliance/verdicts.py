"""Turn a match into a verdict with reasons (first version: ownership and notice).

The full rules engine (licences, partner grants, excerpt allowances,
attribution) extends :func:`decide`; its signature is the contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .models import Document

__all__ = ["VerdictContext", "Decision", "decide", "VERDICTS"]

VERDICTS = ("violation", "review", "permitted-excerpt", "licensed")


@dataclass
class VerdictContext:
    """Everything a verdict may depend on."""

    document: Document
    work: dict[str, Any]  # Registry.work_info()
    passages: list[Any]  # PassageMatch
    copied_words: int
    work_coverage: float
    modified: bool  # any passage not verbatim
    attribution: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Decision:
    verdict: str
    reasons: list[str]
    rules: list[str]


def _host_in(host: str | None, domains: list[str]) -> bool:
    if not host:
        return False
    return any(host == d or host.endswith("." + d) for d in domains)


def decide(ctx: VerdictContext, rules: Any = None) -> Decision:
    """Own-site copies are licensed; anything else copies an all-rights-reserved work."""
    host = ctx.document.host
    if _host_in(host, ctx.work.get("domains") or []):
        return Decision("licensed", [f"{host} is a domain of {ctx.work['publisher']} (its own site)"], ["own-domain"])
    notice = ctx.work.get("notice") or {}
    what = notice.get("text", "").split("\n")[0] if notice else "no licence on record"
    return Decision("violation", [f"{ctx.copied_words} words copied from '{ctx.work.get('title') or ctx.work['id']}' "
                                  f"({ctx.work_coverage:.0%} of the work); the work is not licensed for reuse: {what}"],
                    ["all-rights-reserved"])
