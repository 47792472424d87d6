"""Turn a match into a verdict with reasons, from the rules in ``rules/``.

:func:`decide` is a pure function of a :class:`VerdictContext` (the document,
the work, the copied passages, the attribution found on the page) and the
:class:`~compliance.rules.RuleSet`.  The order is the order a rights team
reasons in:

1. the copy is on one of the publisher's own domains: ``licensed``;
2. a partner grant covers the work and the document's domain: in term and
   its conditions hold, ``licensed``; a condition fails, or the term is over,
   ``violation``; the document has no URL to tell, ``review``;
3. the work's licence allows reuse (Creative Commons): with the attribution
   it requires, ``licensed``, except a modified copy of a no-derivatives work
   (``violation``), a non-commercial work on a commercial page (``review``)
   and a share-alike work on a page that states no licence (``review``);
4. the publisher's excerpt allowance (words, share of the work, attribution
   if required): ``permitted-excerpt``;
5. otherwise ``violation``.

Every decision names the rule ids that decided it and says why in plain
words, quoting the attribution it found and where.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .models import Document
from .rules import AttributionRequirement, Licence, PartnerGrant, PublisherPolicy, RuleSet

__all__ = ["VerdictContext", "Decision", "decide", "VERDICTS", "work_section", "work_licence"]

VERDICTS = ("violation", "review", "permitted-excerpt", "licensed")

# Used when a rules folder has no licence or publisher rules at all.
_BUILTIN_ARR = Licence(id="all-rights-reserved", name="All rights reserved", reuse=False)
_BUILTIN_POLICY = PublisherPolicy(id="all-rights-reserved", publisher="*", licence="all-rights-reserved")
_NAME_KINDS = ("publisher", "holder", "author")


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
    """A verdict, the reasons in plain words, and the ids of the rules that decided it."""

    verdict: str
    reasons: list[str]
    rules: list[str]


# ---------------------------------------------------------------- helpers
def _host_in(host: str | None, domains: list[str] | tuple[str, ...]) -> bool:
    if not host:
        return False
    host = host.lower().removeprefix("www.")
    return any(host == d or host.endswith("." + d) for d in (x.lower().removeprefix("www.") for x in domains))


def _doc_date(doc: Document) -> tuple[_dt.date, str]:
    """The capture date of the document (what a grant's term is checked against), and where it came from."""
    for value, what in ((doc.fetched_at, "captured"), (doc.warc_date, "captured")):
        if value:
            try:
                return _dt.date.fromisoformat(str(value)[:10]), what
            except ValueError:
                continue
    return _dt.date.today(), "scanned"


def work_section(work: dict[str, Any], policy: PublisherPolicy | None) -> set[str]:
    """Sections of a work: the first path segment of its URL, and any section listing its id."""
    out: set[str] = set()
    url = work.get("url")
    if url:
        try:
            path = urlsplit(url).path
        except ValueError:
            path = ""
        seg = next((s for s in path.split("/") if s), None)
        if seg:
            out.add(seg.lower())
    if policy is not None:
        for name, ids in policy.sections.items():
            if work.get("id") in ids:
                out.add(name)
    return out


def work_licence(work: dict[str, Any], policy: PublisherPolicy | None, rules: RuleSet | None) -> tuple[Licence, str]:
    """The work's licence and why: a per-work override, a licence in its notice, the publisher default."""
    notice = work.get("notice") or {}
    if policy is not None and rules is not None and work.get("id") in policy.work_licences:
        lic = rules.licence_for(policy.work_licences[work["id"]])
        if lic:
            return lic, f"set for this work by {policy.id}"
    if rules is not None and notice.get("license"):
        lic = rules.licence_for(notice["license"])
        if lic:
            return lic, "named in the work's notice"
    if policy is not None and rules is not None and policy.licence:
        lic = rules.licence_for(policy.licence)
        if lic:
            return lic, f"default of {policy.id}"
    if rules is not None:
        lic = rules.licence_for("all-rights-reserved")
        if lic:
            return lic, "default"
    return _BUILTIN_ARR, "default"


def _where(rec: dict[str, Any]) -> str:
    return f"at {rec['start']}" if rec.get("where") == "text" else "in the page footer"


def _found(recs: list[dict[str, Any]]) -> str:
    return ", ".join(f"'{r['text']}' {_where(r)}" for r in recs[:3])


def _credit(ctx: VerdictContext, req: AttributionRequirement) -> tuple[bool, list[dict[str, Any]], list[str]]:
    """Does the page credit the work as the publisher requires?  (ok, records used, what is missing)."""
    recs = ctx.attribution
    names = sorted((r for r in recs if r["kind"] in _NAME_KINDS), key=lambda r: _NAME_KINDS.index(r["kind"]))
    links = [r for r in recs if r["kind"] == "url"]
    notices = [r for r in recs if r["kind"] == "notice"]
    missing = []
    used: list[dict[str, Any]] = []
    if req.name:
        if names:
            used += names[:1]
        else:
            missing.append("the publisher's name")
    if req.link:
        if not links and not ctx.work.get("url"):
            # no registered URL to compare with: a link into the publisher's own site will do
            links = [r for r in recs if r["kind"] == "domain"]
        if links:
            used += links[:1]
        else:
            missing.append("a link to the original")
    if req.notice:
        if notices:
            used += notices[:1]
        else:
            missing.append("the copyright notice")
    if not (req.name or req.link or req.notice):
        any_credit = names or links or notices
        if not any_credit:
            missing.append("any credit")
        used += list(any_credit[:1])
    return not missing, used, missing


def _what(ctx: VerdictContext) -> str:
    title = ctx.work.get("title") or ctx.work.get("id")
    return f"{ctx.copied_words} words copied from '{title}' ({ctx.work_coverage:.0%} of the work)"


def _notice_line(work: dict[str, Any]) -> str:
    notice = work.get("notice") or {}
    return (notice.get("text") or "").split("\n")[0].strip()


# ---------------------------------------------------------------- the decision
def decide(ctx: VerdictContext, rules: RuleSet | None = None) -> Decision:
    """The verdict for one finding, with reasons and the deciding rule ids."""
    work = ctx.work
    publisher = work.get("publisher")
    policy = rules.policy(publisher) if rules is not None else None
    pol = policy or _BUILTIN_POLICY
    host = ctx.document.host
    pol_rule = [policy.id] if policy is not None else []

    # 1. the publisher's own site
    own = list(work.get("domains") or []) + list(pol.domains)
    if _host_in(host, own):
        return Decision("licensed", [f"{host} is a domain of {publisher} (its own site)"],
                        ["own-domain"] + pol_rule)

    # 2. partner grants covering this work
    grants = [g for g in (rules.grants_for(publisher) if rules is not None else [])
              if _covers(g, work, policy)]
    if grants:
        d = _grant_decision(ctx, grants, host)
        if d is not None:
            return d

    # 3. the licence
    lic, why = work_licence(work, policy, rules)
    lic_reasons: list[str] = []
    if lic.reuse:
        d = _licence_decision(ctx, lic, why, pol, rules)
        if d.verdict != "violation" or _has_credit(ctx, lic, pol):
            # licensed, for review, or credited but breaking a condition (a modified no-derivatives copy)
            return Decision(d.verdict, d.reasons, d.rules + pol_rule)
        lic_reasons = d.reasons  # not credited: an excerpt allowance may still cover it

    # 4. the excerpt allowance
    ex = pol.excerpts
    if ex is not None:
        max_words_ok = ctx.copied_words <= ex.max_words
        share_ok = ctx.work_coverage <= ex.max_share
        credited, used, missing = _credit(ctx, pol.attribution) if ex.attribution else (True, [], [])
        allowance = (f"up to {ex.max_words} words"
                     + (f" and {ex.max_share:.0%} of the work" if ex.max_share < 1 else "")
                     + (", with attribution" if ex.attribution else "") + f", set by {pol.id}")
        if max_words_ok and share_ok and credited:
            credit = f"; credited: {_found(used)}" if used else ""
            return Decision("permitted-excerpt", [f"{_what(ctx)}, within the excerpt allowance ({allowance}){credit}"],
                            pol_rule)
        over = []
        if not max_words_ok:
            over.append(f"{ctx.copied_words} words is over {ex.max_words}")
        if not share_ok:
            over.append(f"{ctx.work_coverage:.0%} of the work is over {ex.max_share:.0%}")
        if not credited:
            over.append(f"no attribution found (needs {' and '.join(missing)})")
        elif used:
            over.append(f"attributed: {_found(used)}")
        return Decision("violation", lic_reasons + [f"{_what(ctx)}; not within the excerpt allowance ({allowance}): "
                                                    + "; ".join(over)], [lic.id] + pol_rule)

    # 5. nothing allows it
    if lic_reasons:
        return Decision("violation", lic_reasons, [lic.id] + pol_rule)
    notice = _notice_line(work) or f"{lic.label()} ({why})"
    return Decision("violation", [f"{_what(ctx)}; the work is not licensed for reuse: {notice}"],
                    [lic.id] + pol_rule)


def _has_credit(ctx: VerdictContext, lic: Licence, pol: PublisherPolicy) -> bool:
    if not lic.attribution:
        return True
    return _credit(ctx, pol.attribution)[0]


def _covers(g: PartnerGrant, work: dict[str, Any], policy: PublisherPolicy | None) -> bool:
    if g.all_works:
        return True
    if work.get("id") in g.work_ids:
        return True
    return bool(set(g.sections) & work_section(work, policy))


def _grant_decision(ctx: VerdictContext, grants: list[PartnerGrant], host: str | None) -> Decision | None:
    if not host:
        # Which site is this?  If a grant's conditions hold, only the domain is unknown: a human decides.
        # If none hold, no grant could license this copy, and the licence decides.
        for g in grants:
            ok, bad = _grant_conditions(ctx, g)
            if not bad:
                return Decision("review", [f"{_what(ctx)}; partner-grant {g.id} lets {g.partner} reuse this work "
                                           f"on {', '.join(g.domains)}" + (f" ({'; '.join(ok)})" if ok else "")
                                           + ", but the document has no URL to tell whether it is the partner's "
                                           "copy"], [g.id])
        return None
    matching = [g for g in grants if _host_in(host, g.domains)]
    if not matching:
        return None
    day, what = _doc_date(ctx.document)
    results: list[Decision] = []
    for g in matching:
        head = f"partner-grant {g.id} ({g.term()})"
        if g.valid_from and day < g.valid_from:
            results.append(Decision("violation", [f"{head}: not yet in force when the page was {what} on {day}; "
                                                  f"{_what(ctx)}"], [g.id]))
            continue
        if g.valid_until and day > g.valid_until:
            results.append(Decision("violation", [f"{head}: grant expired on {g.valid_until}; the page was {what} "
                                                  f"on {day}; {_what(ctx)}"], [g.id]))
            continue
        ok, bad = _grant_conditions(ctx, g)
        if bad:
            results.append(Decision("violation", [f"{head} " + "; ".join(bad)] + [f"{_what(ctx)}"], [g.id]))
        else:
            reason = f"{head} lets {g.partner} reuse this work on {host}"
            if ok:
                reason = f"{head} " + "; ".join(ok)
            results.append(Decision("licensed", [reason], [g.id]))
    for d in results:
        if d.verdict == "licensed":
            return d
    return results[0]


def _grant_conditions(ctx: VerdictContext, g: PartnerGrant) -> tuple[list[str], list[str]]:
    """(conditions met, conditions broken) of a grant, each in words."""
    ok: list[str] = []
    bad: list[str] = []
    if g.attribution:
        names = [r for r in ctx.attribution if r["kind"] in _NAME_KINDS + ("url",)]
        if names:
            ok.append(f"requires attribution; found {_found(names[:1])}")
        else:
            bad.append("requires attribution; none found (no publisher, holder, author or link to the "
                       "original on the page)")
    if g.no_modification:
        if ctx.modified:
            bad.append("forbids modification; the copy is edited ("
                       + ", ".join(sorted({p.method for p in ctx.passages if p.method != 'exact'})) + " passages)")
        else:
            ok.append("forbids modification; the copy is verbatim")
    if g.notice_kept:
        kept = [r for r in ctx.attribution if r["kind"] == "notice"]
        if kept:
            ok.append(f"requires the notice kept; found {_found(kept[:1])}")
        else:
            bad.append(f"requires the notice kept; '{_notice_line(ctx.work)}' not found")
    return ok, bad


def _licence_decision(ctx: VerdictContext, lic: Licence, why: str, pol: PublisherPolicy,
                      rules: RuleSet | None) -> Decision:
    name = lic.aliases[0] if lic.aliases else (lic.spdx or lic.label())
    credited, used, missing = _credit(ctx, pol.attribution) if lic.attribution else (True, [], [])
    if not credited:
        return Decision("violation", [f"{_what(ctx)}; the work is under {name} ({why}), which requires "
                                      f"attribution; none found (needs {' and '.join(missing)})"], [lic.id])
    credit = f"; attribution found: {_found(used)}" if used else ""
    if lic.no_derivatives and ctx.modified:
        methods = ", ".join(sorted({p.method for p in ctx.passages if p.method != "exact"}))
        return Decision("violation", [f"{_what(ctx)}; the work is under {name}, which forbids modified copies; "
                                      f"this copy is edited ({methods} passages){credit}"], [lic.id])
    if lic.non_commercial:
        from .attribution import is_commercial

        commercial, sig, hits = is_commercial(ctx.document, rules.signals if rules is not None else [])
        if commercial and sig is not None:
            shown = ", ".join(f"'{t}'" for t in dict.fromkeys(h["text"] for h in hits[:20]))
            return Decision("review", [f"{_what(ctx)}; the work is under {name} (non-commercial use only) and the "
                                       f"page looks commercial ({sig.id}: {shown}); a human should check whether "
                                       f"the reuse is licensed{credit}"], [lic.id, sig.id])
    if lic.share_alike:
        from .attribution import declared_licences

        stated = declared_licences(ctx.document)
        if lic.spdx not in stated:
            return Decision("review", [f"{_what(ctx)}; the work is under {name}, which requires adaptations to "
                                       f"carry the same licence; the page states "
                                       f"{', '.join(stated) if stated else 'no licence'}{credit}"], [lic.id])
    return Decision("licensed", [f"{_what(ctx)}; the work is under {name} ({why}) and the conditions are met"
                                 f"{credit}"], [lic.id])
