"""Violation summaries per publisher, from the findings in the registry.

A rights team reads the summary to see, per publisher, which sites copy its
work, how much, and whom to write to.  :func:`build_summary` turns the stored
findings into plain data; the renderers turn that data into a self-contained
HTML page (with inline SVG charts), Markdown, JSON and CSV.  Every string that
came from a crawled page is hostile: the HTML templates autoescape it, the
Markdown renderer escapes it, and the CSV writer defuses spreadsheet formulas.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

from . import __version__
from .atomic import write_atomic
from .errors import ReportError
from .registry import Registry, now_utc
from .scan import stored_findings

__all__ = [
    "NOT_LEGAL_ADVICE",
    "VERDICT_ORDER",
    "REPORT_FORMATS",
    "build_summary",
    "parse_since",
    "site_of",
    "render_html",
    "render_markdown",
    "render_json",
    "render_csv",
    "write_reports",
    "template_env",
    "md_escape",
    "plain",
    "Raw",
]

NOT_LEGAL_ADVICE = ("This report is produced by software from automated text matching. It is evidence for review, "
                    "not legal advice.")

VERDICT_ORDER = ("violation", "review", "permitted-excerpt", "licensed")
VERDICT_COLORS = {"violation": "#b3261e", "review": "#b26a00", "permitted-excerpt": "#3b6ea5", "licensed": "#2e7d32"}
CASE_COLORS = {"open": "#44546a", "drafted": "#6b5ca5", "sent": "#b26a00", "acknowledged": "#3b6ea5",
               "rejected": "#7a4b2a", "reposted": "#b3261e", "removed": "#2e7d32"}

#: The Content-Security-Policy every HTML output carries: nothing runs, nothing loads.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

REPORT_FORMATS = ("html", "md", "json", "csv")

#: Verdicts that make a site an infringing site (charted as "top infringing sites").
INFRINGING = ("violation", "review")


# ---------------------------------------------------------------- escaping helpers

class Raw(str):
    """Text a Markdown or plain-text template may emit as is (already escaped or built by us)."""


_MD_SPECIALS = re.compile(r"([\\`*_{}\[\]()!|~])")
_MD_LEADING = re.compile(r"^(\s*)([#+\-=>])")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def md_escape(value: Any) -> str:
    """Crawled text is hostile: neutralise Markdown syntax and raw HTML, keep one line."""
    if isinstance(value, Raw):
        return value
    s = "" if value is None else str(value)
    s = _CONTROLS.sub("", s)
    s = _MD_SPECIALS.sub(r"\\\1", s)
    s = _MD_LEADING.sub(lambda m: m.group(1) + "\\" + m.group(2), s)
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\s*\n\s*", " ", s)


def plain(value: Any) -> str:
    """Text for plain-text notices: no terminal control sequences, no bidi overrides."""
    if isinstance(value, Raw):
        return value
    s = "" if value is None else str(value)
    return _CONTROLS.sub("", s)


def one_line(value: Any) -> str:
    """A plain value on one line (no line breaks can smuggle in extra lines)."""
    return re.sub(r"\s+", " ", plain(value)).strip()


def safe_href(url: Any) -> str | None:
    """The URL if it is plain http(s) and may be a link; None otherwise (javascript:, data:, ...)."""
    if not url or not isinstance(url, str):
        return None
    u = url.strip()
    if _CONTROLS.search(u) or any(c.isspace() for c in u):
        return None
    try:
        parts = urlsplit(u)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    from urllib.parse import quote

    return quote(u, safe=":/?#[]@!$&'()*+,;=%~")


def _fmt_pct(x: Any) -> str:
    try:
        return f"{float(x):.0%}"
    except (TypeError, ValueError):
        return ""


def template_env(kind: str = "html") -> Any:
    """The Jinja2 environment for a kind of output: 'html' autoescapes, 'md' and 'txt' escape on output."""
    import jinja2

    loader = jinja2.PackageLoader("compliance", "templates")
    if kind == "html":
        import markupsafe

        # crawled text may carry bidi overrides (U+202E makes "exe.txt" read "txt.exe") and terminal
        # controls: autoescaping leaves them, so every value loses them before it is escaped
        env = jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined,
                                 trim_blocks=True, lstrip_blocks=True,
                                 finalize=lambda v: v if isinstance(v, (int, float, markupsafe.Markup)) or v is None
                                 else _CONTROLS.sub("", v) if isinstance(v, str) else v)
    else:
        fin: Callable[[Any], Any] = md_escape if kind == "md" else plain
        env = jinja2.Environment(loader=loader, autoescape=False, undefined=jinja2.StrictUndefined,
                                 trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                                 finalize=lambda v: v if isinstance(v, (int, float)) else fin(v))
    env.filters["pct"] = _fmt_pct
    env.filters["href"] = safe_href
    env.filters["one_line"] = one_line
    env.filters["raw"] = Raw
    env.globals["CSP"] = CSP
    env.globals["VERDICT_COLORS"] = VERDICT_COLORS
    return env


# ---------------------------------------------------------------- the summary as data

def site_of(document: dict[str, Any]) -> str:
    """The infringing site: the host of the copy's URL, else a label naming its file."""
    url = document.get("url")
    if url:
        try:
            host = urlsplit(url).hostname
        except ValueError:
            host = None
        if host:
            return host.lower()
    return "(no URL: " + (document.get("path") or "?") + ")"


def parse_since(since: str | None) -> str | None:
    """Check a --since value (YYYY-MM-DD or an ISO 8601 time) and return it in the stored form."""
    if not since:
        return None
    s = since.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
            _dt.date.fromisoformat(s)
            return s
        t = _dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise ReportError(f"--since {since!r}: not a date; use YYYY-MM-DD (for example 2025-01-31)") from None
    if t.tzinfo is not None:
        t = t.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    return t.replace(microsecond=0).isoformat() + "Z"


def _day(f: dict[str, Any]) -> str | None:
    """The day a copy was seen: capture time, else WARC date, else when the finding was made."""
    d = f["document"]
    for v in (d.get("fetched_at"), d.get("warc_date"), f.get("updated_at")):
        if isinstance(v, str) and re.match(r"\d{4}-\d{2}-\d{2}", v):
            return v[:10]
    return None


def _ordered_counts(counts: dict[str, int]) -> dict[str, int]:
    order = {v: i for i, v in enumerate(VERDICT_ORDER)}
    return dict(sorted(counts.items(), key=lambda kv: (order.get(kv[0], 99), kv[0])))


def _timeline(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copied words per day (per month when the findings span more than two months), gaps filled."""
    per_day: dict[str, int] = defaultdict(int)
    for f in findings:
        day = _day(f)
        if day:
            per_day[day] += int(f["copied_words"])
    if not per_day:
        return []
    days = sorted(per_day)
    try:
        first, last = _dt.date.fromisoformat(days[0]), _dt.date.fromisoformat(days[-1])
    except ValueError:
        return [{"label": d, "value": per_day[d]} for d in days]
    if (last - first).days <= 62:
        out = []
        d = first
        while d <= last:
            out.append({"label": d.isoformat(), "value": per_day.get(d.isoformat(), 0)})
            d += _dt.timedelta(days=1)
        return out
    per_month: dict[str, int] = defaultdict(int)
    for d, n in per_day.items():
        per_month[d[:7]] += n
    out = []
    y, m = first.year, first.month
    while (y, m) <= (last.year, last.month):
        key = f"{y:04d}-{m:02d}"
        out.append({"label": key, "value": per_month.get(key, 0)})
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def build_summary(registry: Registry, *, publisher: str | None = None, verdict: str | None = None,
                  since: str | None = None, top_sites: int = 10) -> dict[str, Any]:
    """The summary as data: per publisher, per infringing site, each finding, plus chart series."""
    since = parse_since(since)
    pubs = {p["name"]: p for p in registry.publishers()}
    groups: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    notices: dict[str, str | None] = {}
    everything: list[dict[str, Any]] = []
    for f in stored_findings(registry, publisher=publisher, verdict=verdict, since=since):
        f["site"] = site_of(f["document"])
        groups[f["work"]["publisher"]][f["site"]].append(f)
        everything.append(f)
    for num, name, text in registry.db.execute(
            """SELECT w.num, p.name, n.text FROM works w JOIN publishers p ON p.id = w.publisher_id
               LEFT JOIN notices n ON n.id = w.notice_id WHERE n.text IS NOT NULL ORDER BY w.num"""):
        notices.setdefault(name, text)
    out = []
    total_counts: dict[str, int] = defaultdict(int)
    for name in sorted(groups):
        sites = []
        counts: dict[str, int] = defaultdict(int)
        works: dict[str, dict[str, Any]] = {}
        for site in sorted(groups[name]):
            fs = groups[name][site]
            sc: dict[str, int] = defaultdict(int)
            site_works: dict[str, dict[str, Any]] = {}
            for f in fs:
                sc[f["verdict"]] += 1
                counts[f["verdict"]] += 1
                total_counts[f["verdict"]] += 1
                w = f["work"]
                sw = site_works.setdefault(w["id"], {"id": w["id"], "title": w["title"], "url": w["url"],
                                                     "findings": 0, "copied_words": 0, "share": 0.0})
                sw["findings"] += 1
                sw["copied_words"] += f["copied_words"]
                sw["share"] = max(sw["share"], f["work_coverage"])
                pw = works.setdefault(w["id"], {"id": w["id"], "title": w["title"], "url": w["url"],
                                                "findings": 0, "sites": 0, "copied_words": 0, "share": 0.0})
                pw["findings"] += 1
                pw["copied_words"] += f["copied_words"]
                pw["share"] = max(pw["share"], f["work_coverage"])
            for wid in site_works:
                works[wid]["sites"] += 1
            sites.append({"site": site, "counts": _ordered_counts(sc),
                          "copied_words": sum(f["copied_words"] for f in fs),
                          "works": sorted(site_works.values(), key=lambda w: (-w["share"], w["id"])),
                          "findings": fs})
        sites.sort(key=lambda s: (-s["counts"].get("violation", 0), -s["copied_words"], s["site"]))
        p = pubs.get(name, {})
        contact = next((f["contact"] for s in sites for f in s["findings"] if f["contact"].get("email")),
                       next((f["contact"] for s in sites for f in s["findings"]), {}))
        out.append({"publisher": name, "holder": contact.get("holder") or p.get("holder"),
                    "contact_email": contact.get("email") or p.get("contact_email"),
                    "notice": notices.get(name), "domains": p.get("domains", []),
                    "counts": _ordered_counts(counts),
                    "copied_words": sum(s["copied_words"] for s in sites),
                    "works": sorted(works.values(), key=lambda w: (-w["share"], w["id"])),
                    "sites": sites})
    site_totals: dict[str, dict[str, int]] = defaultdict(lambda: {"findings": 0, "violations": 0, "words": 0})
    for f in everything:
        if f["verdict"] not in INFRINGING:
            continue
        t = site_totals[f["site"]]
        t["findings"] += 1
        t["violations"] += f["verdict"] == "violation"
        t["words"] += f["copied_words"]
    top = sorted(site_totals.items(), key=lambda kv: (-kv[1]["violations"], -kv[1]["words"], kv[0]))[:top_sites]
    generated = now_utc()
    cases = None
    if "cases" in registry.db.table_names():
        from .cases import case_stats

        cases = case_stats(registry, publisher=publisher, now=generated)
    return {"tool": "compliance", "version": __version__, "generated_at": generated,
            "registry": str(registry.path), "registry_version": registry.registry_version(),
            "filters": {"publisher": publisher, "verdict": verdict, "since": since},
            "notice": NOT_LEGAL_ADVICE,
            "totals": {"findings": len(everything), "counts": _ordered_counts(total_counts),
                       "copied_words": sum(f["copied_words"] for f in everything),
                       "sites": len({f["site"] for f in everything}), "infringing_sites": len(site_totals),
                       "publishers": len(out),
                       "works": len({f["work"]["id"] for f in everything})},
            "charts": {
                "verdicts": [{"label": v, "value": total_counts.get(v, 0)} for v in VERDICT_ORDER],
                "sites": [{"label": s, "value": t["words"], "findings": t["findings"],
                           "violations": t["violations"]} for s, t in top],
                "timeline": _timeline(everything),
                "cases": ([{"label": b["status"], "value": b["count"]} for b in cases["by_status"]]
                          if cases else []),
                "case_ages": ([{"label": k, "value": v} for k, v in cases["ages"].items()] if cases else []),
            },
            "cases": cases,
            "publishers": out}


# ---------------------------------------------------------------- charts (geometry for the SVG templates)

def _nice_max(v: float) -> float:
    """A round axis maximum at or above v (1, 2, 5 x 10^n)."""
    if v <= 0:
        return 1
    import math

    e = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 5, 10):
        if v <= m * e:
            return m * e
    return 10 * e


def bar_chart(items: list[dict[str, Any]], *, width: int = 460, bar: int = 22, gap: int = 8, label_w: int = 170,
              colors: dict[str, str] | None = None, default_color: str = "#44546a") -> dict[str, Any]:
    """Horizontal bars: one row per item, the value printed at the bar's end."""
    top = max((float(i["value"]) for i in items), default=0.0) or 1.0
    span = width - label_w - 60
    rows = []
    for n, i in enumerate(items):
        w = round(span * float(i["value"]) / top, 1) if i["value"] else 0
        label = str(i["label"])
        rows.append({"label": label if len(label) <= 28 else label[:27] + "…", "full": label, "value": i["value"],
                     "note": i.get("note", ""), "y": gap + n * (bar + gap), "w": max(w, 0),
                     "color": (colors or {}).get(label, default_color)})
    return {"width": width, "height": gap + len(items) * (bar + gap), "bar": bar, "label_w": label_w, "rows": rows}


def column_chart(points: list[dict[str, Any]], *, width: int = 460, height: int = 200) -> dict[str, Any]:
    """Columns over time with a y axis; labels thinned so they never overlap."""
    left, bottom, top_pad = 48, 34, 12
    plot_w, plot_h = width - left - 10, height - bottom - top_pad
    ymax = _nice_max(max((p["value"] for p in points), default=0))
    n = max(1, len(points))
    slot = plot_w / n
    every = max(1, -(-n // max(1, int(plot_w // 70))))  # at most one label per 70 px
    cols = []
    for k, p in enumerate(points):
        h = round(plot_h * p["value"] / ymax, 1)
        cols.append({"x": round(left + k * slot + slot * 0.12, 1), "w": round(max(1.0, slot * 0.76), 1),
                     "y": round(top_pad + plot_h - h, 1), "h": h, "label": p["label"], "value": p["value"],
                     "show_label": k % every == 0,
                     "lx": round(left + k * slot + slot / 2, 1)})
    ticks = [{"value": int(ymax * t / 4) if ymax >= 4 else round(ymax * t / 4, 2),
              "y": round(top_pad + plot_h - plot_h * t / 4, 1)} for t in range(5)]
    return {"width": width, "height": height, "left": left, "base": top_pad + plot_h, "right": width - 10,
            "cols": cols, "ticks": ticks}


# ---------------------------------------------------------------- renderers

def render_html(summary: dict[str, Any]) -> str:
    """The self-contained HTML page: charts first, then each publisher and site."""
    ch = summary["charts"]
    charts = {
        "verdicts": bar_chart(ch["verdicts"], colors=VERDICT_COLORS, label_w=130),
        "sites": bar_chart([dict(s, note=f"{s['findings']} finding(s)") for s in ch["sites"]]),
        "timeline": column_chart(ch["timeline"]),
        "cases": bar_chart(ch.get("cases") or [], colors=CASE_COLORS, label_w=130),
        "case_ages": bar_chart(ch.get("case_ages") or [], label_w=130),
    }
    return template_env("html").get_template("summary.html.j2").render(s=summary, charts=charts)


def render_markdown(summary: dict[str, Any]) -> str:
    """The summary as Markdown (every crawled string escaped)."""
    return template_env("md").get_template("summary.md.j2").render(s=summary)


def render_json(summary: dict[str, Any]) -> str:
    """The summary as JSON (the data the other formats are rendered from)."""
    return json.dumps(summary, indent=2, ensure_ascii=False) + "\n"


CSV_COLUMNS = ["publisher", "holder", "contact_email", "site", "finding", "verdict", "work_id", "work_title",
               "work_url", "copy_url", "copy_path", "copy_title", "fetched_at", "copied_words", "work_coverage",
               "passages", "rules", "reasons", "updated_at"]


def _csv_cell(v: Any) -> Any:
    """Spreadsheets run cells that start with = + - @: prefix those with a quote."""
    if v is None:
        return ""
    if isinstance(v, (int, float)):
        return v
    s = plain(v)
    if s[:1] in ("=", "+", "-", "@", "\t", "\r"):
        s = "'" + s
    return s


def render_csv(summary: dict[str, Any]) -> str:
    """One row per finding, with the publisher's contact and the site."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CSV_COLUMNS)
    for p in summary["publishers"]:
        for s in p["sites"]:
            for f in s["findings"]:
                d = f["document"]
                w.writerow([_csv_cell(v) for v in (
                    p["publisher"], p["holder"], p["contact_email"], s["site"], f["id"], f["verdict"],
                    f["work"]["id"], f["work"]["title"], f["work"]["url"], d.get("url"), d.get("path"),
                    d.get("title"), d.get("fetched_at"), f["copied_words"], f["work_coverage"],
                    len(f["passages"]), " ".join(f["rules"]), " | ".join(f["reasons"]), f.get("updated_at"))])
    return buf.getvalue()


RENDERERS: dict[str, tuple[str, Callable[[dict[str, Any]], str]]] = {
    "html": ("summary.html", render_html),
    "md": ("summary.md", render_markdown),
    "json": ("summary.json", render_json),
    "csv": ("summary.csv", render_csv),
}


def write_reports(summary: dict[str, Any], out_dir: Path, formats: Iterable[str] = REPORT_FORMATS) -> list[Path]:
    """Write the summary in each format, atomically; return the paths."""
    written = []
    for fmt in formats:
        if fmt not in RENDERERS:
            raise ReportError(f"unknown report format {fmt!r}; choose from {', '.join(RENDERERS)}")
        name, render = RENDERERS[fmt]
        try:
            written.append(write_atomic(Path(out_dir) / name, render(summary)))
        except OSError as exc:
            raise ReportError(f"{Path(out_dir) / name}: cannot write the report ({exc.strerror or exc})") from exc
    return written
