"""Violation summaries per publisher, from the findings in the registry."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from . import __version__
from .atomic import write_atomic
from .registry import Registry, now_utc
from .scan import stored_findings

__all__ = ["build_summary", "write_reports", "render_markdown"]

NOT_LEGAL_ADVICE = ("This report is produced by software from automated text matching. It is evidence for review, "
                    "not legal advice.")


def _site(f: dict[str, Any]) -> str:
    from urllib.parse import urlsplit

    url = f["document"].get("url")
    if url:
        try:
            host = urlsplit(url).hostname
        except ValueError:
            host = None
        if host:
            return host.lower()
    return "(no URL: " + (f["document"].get("path") or "?") + ")"


def build_summary(registry: Registry, *, publisher: str | None = None, verdict: str | None = None,
                  since: str | None = None) -> dict[str, Any]:
    """The summary as data: per publisher, per infringing site, each finding."""
    pubs = {p["name"]: p for p in registry.publishers()}
    groups: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for f in stored_findings(registry, publisher=publisher, verdict=verdict, since=since):
        groups[f["work"]["publisher"]][_site(f)].append(f)
    out = []
    for name in sorted(groups):
        sites = []
        counts: dict[str, int] = defaultdict(int)
        for site in sorted(groups[name]):
            fs = groups[name][site]
            sc: dict[str, int] = defaultdict(int)
            for f in fs:
                sc[f["verdict"]] += 1
                counts[f["verdict"]] += 1
            sites.append({"site": site, "counts": dict(sc), "copied_words": sum(f["copied_words"] for f in fs),
                          "findings": fs})
        p = pubs.get(name, {})
        contact = next((f["contact"] for s in sites for f in s["findings"]), {})
        out.append({"publisher": name, "holder": contact.get("holder") or p.get("holder"),
                    "contact_email": contact.get("email") or p.get("contact_email"), "counts": dict(counts),
                    "copied_words": sum(s["copied_words"] for s in sites), "sites": sites})
    return {"tool": "compliance", "version": __version__, "generated_at": now_utc(),
            "registry": str(registry.path), "registry_version": registry.registry_version(),
            "filters": {"publisher": publisher, "verdict": verdict, "since": since},
            "notice": NOT_LEGAL_ADVICE, "publishers": out}


def _md(s: Any) -> str:
    """Crawled text is hostile: neutralise Markdown and HTML in table cells."""
    import html

    t = html.escape(str(s if s is not None else ""), quote=True)
    for ch in "\\`*_[]|<>#!":
        t = t.replace(ch, "\\" + ch)
    return t.replace("\n", " ")


def render_markdown(summary: dict[str, Any]) -> str:
    lines = [f"# Violation summary", "", f"Generated {summary['generated_at']} by compliance {summary['version']} "
             f"from `{_md(summary['registry'])}` (registry {summary['registry_version']}).", "",
             f"> {summary['notice']}", ""]
    if not summary["publishers"]:
        lines.append("No findings.")
    for p in summary["publishers"]:
        counts = ", ".join(f"{n} {k}" for k, n in sorted(p["counts"].items()))
        lines += [f"## {_md(p['publisher'])}", "",
                  f"Rights contact: **{_md(p['holder'])}** <{_md(p['contact_email'])}>  ",
                  f"Findings: {counts}; {p['copied_words']} words copied.", ""]
        for s in p["sites"]:
            sc = ", ".join(f"{n} {k}" for k, n in sorted(s["counts"].items()))
            lines += [f"### {_md(s['site'])}", "", f"{sc}; {s['copied_words']} words copied.", "",
                      "| finding | work | copy | verdict | words | share of work | contact |",
                      "|---|---|---|---|---|---|---|"]
            for f in s["findings"]:
                lines.append(f"| {_md(f['id'])} | {_md(f['work']['id'])}: {_md(f['work']['title'])} | "
                             f"{_md(f['document'].get('url') or f['document'].get('path'))} | {_md(f['verdict'])} | "
                             f"{f['copied_words']} | {f['work_coverage']:.0%} | {_md(f['contact'].get('email'))} |")
            lines.append("")
    return "\n".join(lines) + "\n"


def write_reports(summary: dict[str, Any], out_dir: Path, formats: tuple[str, ...] = ("md", "json")) -> list[Path]:
    """Write the summary in each format, atomically; return the paths."""
    written = []
    if "md" in formats:
        written.append(write_atomic(out_dir / "summary.md", render_markdown(summary)))
    if "json" in formats:
        written.append(write_atomic(out_dir / "summary.json", json.dumps(summary, indent=2, ensure_ascii=False)))
    return written
