"""Rights signals: what a page, its HTTP response and its site said about reuse, read from captures.

A rights team wants to show that the copier was told not to reuse the text.
The crawl holds the evidence, and only the crawl: nothing here fetches a URL.

* TDMRep (the W3C Text and Data Mining Reservation Protocol): ``tdm-reservation``
  and ``tdm-policy`` in the HTTP response headers of a WARC record, in
  ``<meta name="tdm-reservation">`` / ``<meta name="tdm-policy">`` of the page,
  and in a captured ``/.well-known/tdmrep.json`` (rules whose ``location``
  pattern matches the page's path; the first match applies).
* ``robots.txt`` captures, and which AI crawler agents (the ``crawler-list``
  rules in ``rules/``) they disallow for the page, read as RFC 9309 says:
  groups by product token (case ignored), ``*`` when no group names the agent,
  the longest matching rule wins, ``allow`` wins a tie.
* ``<meta name="robots" content="noai, noimageai">`` (and ``X-Robots-Tag``).
* The page's licence link (``rel="license"``).

Scanning records *captures* (:func:`capture_rows`): the pages that copy, the
registered works' own pages when the crawl holds them, and every robots.txt
and tdmrep.json.  Evidence packets then state each signal with the capture it
comes from (:func:`page_rights_statement`); a signal the capture lacks is
stated as missing, and a page or file the crawl does not hold as not captured.
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable
from urllib.parse import urlsplit

__all__ = [
    "RIGHTS_HEADERS",
    "capture_kind",
    "rights_headers",
    "page_rights",
    "parse_robots",
    "robots_rules_for",
    "ai_agents_disallowed",
    "parse_tdmrep",
    "tdmrep_rule_for",
    "capture_rows",
    "page_rights_statement",
]

#: The response headers kept on a Document (names lower-case).
RIGHTS_HEADERS = ("tdm-reservation", "tdm-policy", "x-robots-tag", "link")
#: Longest robots.txt / tdmrep.json text kept (RFC 9309 asks crawlers to read at least 500 KiB).
MAX_FILE_CHARS = 512 * 1024
_MAX_LINE = 2000
_MAX_VALUE = 500


def _clip(value: Any, n: int = _MAX_VALUE) -> str:
    s = " ".join(str(value).split())
    return s if len(s) <= n else s[: n - 1] + "…"


def capture_kind(url: str | None) -> str | None:
    """``robots.txt`` or ``tdmrep.json`` when the URL is that file at a site's root, else None."""
    if not url or not url.endswith(("/robots.txt", "/.well-known/tdmrep.json", ">")):
        return None  # the common case, without parsing the URL (this runs for every scanned page)
    if url.startswith("<") and url.endswith(">"):
        url = url[1:-1]
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if parts.path == "/robots.txt":
        return "robots.txt"
    if parts.path == "/.well-known/tdmrep.json":
        return "tdmrep.json"
    return None


def rights_headers(http_headers: Any) -> dict[str, str]:
    """The rights headers of a warcio ``StatusAndHeaders`` (repeated headers joined), plus ``:status``."""
    out: dict[str, str] = {}
    if http_headers is None:
        return out
    status = http_headers.get_statuscode() if hasattr(http_headers, "get_statuscode") else None
    if status:
        out[":status"] = str(status)[:3]
    for name, value in getattr(http_headers, "headers", []) or []:
        key = str(name).strip().lower()
        if key in RIGHTS_HEADERS:
            if key == "link" and "license" not in str(value).lower():
                continue  # only licence links are rights signals
            value = _clip(value, 1000)
            out[key] = f"{out[key]}, {value}" if key in out else value
    return out


def page_rights(root: Any) -> dict[str, Any]:
    """TDMRep ``<meta>``, robots ``<meta>`` and licence links of a parsed page (lxml), as plain data.

    Always a dict (empty when the page states nothing), so that "the page was
    read and said nothing" can be told from "no page was read".
    """
    out: dict[str, Any] = {}
    for el in root.iter("meta"):
        name = (el.get("name") or el.get("property") or "").strip().lower()
        if name in ("tdm-reservation", "tdm-policy") and name not in out:
            out[name] = _clip(el.get("content") or "")
        elif name == "robots" and len(out.get("robots") or "") < _MAX_VALUE:
            content = _clip(el.get("content") or "")
            out["robots"] = _clip(f"{out['robots']}, {content}") if out.get("robots") else content
    licences: list[str] = []
    for el in root.iter("a", "link"):
        rel = (el.get("rel") or "").lower().split()
        href = (el.get("href") or "").strip()
        if "license" in rel and href and href not in licences and len(licences) < 5:
            licences.append(_clip(href, 1000))
    if licences:
        out["license"] = licences
    return out


# ---------------------------------------------------------------- robots.txt (RFC 9309)

_UNRESERVED = re.compile(r"%([0-9A-Fa-f]{2})")


def _norm_path(path: str) -> str:
    """Percent-escapes of unreserved characters decoded, other escapes upper-cased (how RFC 9309 compares)."""
    def fix(m: re.Match[str]) -> str:
        ch = chr(int(m.group(1), 16))
        if ch.isalnum() and ch.isascii() or ch in "-._~":
            return ch
        return "%" + m.group(1).upper()

    return _UNRESERVED.sub(fix, path)


def _glob(pattern: str, text: str) -> bool:
    """Whether *text* matches *pattern*, where ``*`` is any run of characters (linear-ish, no regex)."""
    p = t = 0
    star, mark = -1, 0
    n, m = len(text), len(pattern)
    while t < n:
        if p < m and pattern[p] != "*" and pattern[p] == text[t]:
            p += 1
            t += 1
        elif p < m and pattern[p] == "*":
            star, mark = p, t
            p += 1
        elif star >= 0:
            p = star + 1
            mark += 1
            t = mark
        else:
            return False
    while p < m and pattern[p] == "*":
        p += 1
    return p == m


def _path_match(pattern: str, path: str) -> bool:
    """A robots.txt / tdmrep.json path pattern (``*`` wildcard, ``$`` at the end anchors) against a path."""
    if pattern.endswith("$"):
        return _glob(_norm_path(pattern[:-1]), path)
    return _glob(_norm_path(pattern) + "*", path)


def parse_robots(text: str) -> list[dict[str, Any]]:
    """Groups of a robots.txt: ``{"agents": [...], "rules": [(allow, pattern, line number)]}``."""
    groups: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    in_agents = False
    for n, raw in enumerate(text[:MAX_FILE_CHARS].splitlines(), 1):
        line = raw.split("#", 1)[0].strip()[:_MAX_LINE]
        if ":" not in line:
            continue
        key, value = (x.strip() for x in line.split(":", 1))
        key = key.lower().replace("_", "-")
        if key in ("user-agent", "useragent"):
            if current is None or not in_agents:
                current = {"agents": [], "rules": []}
                groups.append(current)
            token = re.split(r"[/\s]", value, maxsplit=1)[0].lower()
            if token:
                current["agents"].append(token)
            in_agents = True
        elif key in ("allow", "disallow"):
            in_agents = False
            if current is None:
                continue  # rules before any user-agent line belong to no group
            if key == "disallow" and not value:
                continue  # "Disallow:" with no path disallows nothing
            current["rules"].append((key == "allow", value, n))
    return groups


def robots_rules_for(groups: list[dict[str, Any]], agent: str) -> tuple[str | None, list[tuple[bool, str, int]]]:
    """The group that applies to *agent* (its own token, else ``*``, else none) and its merged rules."""
    token = agent.lower()
    named = [g for g in groups if token in g["agents"]]
    if named:
        return agent, [r for g in named for r in g["rules"]]
    star = [g for g in groups if "*" in g["agents"]]
    if star:
        return "*", [r for g in star for r in g["rules"]]
    return None, []


def _robots_allowed(rules: list[tuple[bool, str, int]], path: str) -> tuple[bool, tuple[bool, str, int] | None]:
    """Whether *path* may be crawled under *rules*, and the deciding rule (longest match; allow wins a tie)."""
    best: tuple[bool, str, int] | None = None
    for rule in rules:
        allow, pattern, _ = rule
        if not pattern or not _path_match(pattern, path):
            continue
        if best is None or len(pattern) > len(best[1]) or (len(pattern) == len(best[1]) and allow and not best[0]):
            best = rule
    return (True if best is None else best[0]), best


def _url_path(url: str | None) -> str:
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return "/"
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return _norm_path(path)


def ai_agents_disallowed(text: str, agents: Iterable[str], url: str | None) -> dict[str, Any]:
    """For each agent: whether robots.txt lets it crawl the page at *url*, through which group and rule."""
    groups = parse_robots(text)
    path = _url_path(url)
    rows = []
    for agent in agents:
        group, rules = robots_rules_for(groups, agent)
        allowed, rule = _robots_allowed(rules, path)
        site_allowed, _ = _robots_allowed(rules, "/")
        rows.append({"agent": agent, "group": group, "allowed": allowed, "site_disallowed": not site_allowed,
                     "rule": None if rule is None else
                     f"line {rule[2]}: {'Allow' if rule[0] else 'Disallow'}: {_clip(rule[1], 200)}"})
    return {"path": path, "groups": len(groups), "agents": rows,
            "disallowed": [r["agent"] for r in rows if not r["allowed"]],
            "named": sorted({a for g in groups for a in g["agents"]} & {a.lower() for a in agents})}


# ---------------------------------------------------------------- tdmrep.json

def parse_tdmrep(text: str) -> tuple[list[dict[str, Any]], str | None]:
    """The rules of a tdmrep.json (``location``, ``tdm-reservation``, ``tdm-policy``), or an error message."""
    try:
        data = json.loads(text[:MAX_FILE_CHARS])
    except ValueError as exc:
        return [], f"not valid JSON ({_clip(exc, 120)})"
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        return [], "not a JSON array of rules"
    rules = []
    for item in data[:1000]:
        if isinstance(item, dict) and isinstance(item.get("location"), str):
            rules.append({"location": _clip(item["location"], _MAX_LINE),
                          "tdm-reservation": item.get("tdm-reservation"),
                          "tdm-policy": _clip(item["tdm-policy"], 1000) if isinstance(item.get("tdm-policy"), str)
                          else None})
    if not rules:
        return [], "no rule with a 'location'"
    return rules, None


def tdmrep_rule_for(rules: list[dict[str, Any]], url: str | None) -> dict[str, Any] | None:
    """The first rule whose ``location`` matches the page's path (TDMRep: the first match applies)."""
    path = _url_path(url)
    for rule in rules:
        if _path_match(rule["location"], path):
            return rule
    return None


def _reservation_meaning(value: Any) -> str:
    v = str(value).strip() if value is not None else ""
    if v == "1":
        return "TDM rights reserved: text and data mining needs the rights holder's permission"
    if v == "0":
        return "TDM rights not reserved"
    return f"not 0 or 1 ({_clip(v, 40)!r}): a protocol error, which TDMRep reads as no declaration"


# ---------------------------------------------------------------- recording captures during a scan

def capture_rows(docs: Iterable[tuple[Any, bool]], work_urls: set[str], run_id: int | None,
                 now: str) -> list[list[Any]]:
    """Rows for the ``captures`` table: rights files, pages that copy (flag true), works' own pages.

    Cheap for everything else: one dictionary look-up per document.
    """
    rows = []
    for doc, copies in docs:
        url = doc.url
        if not url:
            continue
        kind = capture_kind(url)
        if kind is not None:
            status = (doc.http_headers or {}).get(":status")
            signals: dict[str, Any] = {"status": status, "text": doc.text[:MAX_FILE_CHARS]}
        elif copies or url in work_urls:
            kind = "page"
            signals = {"http": doc.http_headers, "html": doc.meta.get("rights")}
        else:
            continue
        host = doc.host or ""
        rows.append([url, host, kind, json.dumps(signals, ensure_ascii=False), doc.sha256 if doc.text else "",
                     doc.warc_record_id or "", doc.warc_date, doc.fetched_at, doc.path, doc.offset,
                     doc.source_format, run_id, now])
    return rows


def store_captures(db: Any, rows: list[list[Any]]) -> None:
    """Insert capture rows (inside the caller's transaction); a capture already recorded is kept as it is."""
    if rows:
        db.conn.executemany(
            "INSERT OR IGNORE INTO captures(url, host, kind, signals, sha256, warc_record_id, warc_date, fetched_at, "
            "path, offset, source_format, run_id, recorded_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)


# ---------------------------------------------------------------- statements for evidence packets

def _capture_ref(row: dict[str, Any]) -> dict[str, Any]:
    return {"url": row["url"], "warc_record_id": row["warc_record_id"] or None, "warc_date": row["warc_date"],
            "fetched_at": row["fetched_at"], "path": row["path"], "offset": row["offset"]}


def _capture_where(row: dict[str, Any]) -> str:
    """How a statement names the capture it comes from: its record id (or file) and its date."""
    return f"capture {row['warc_record_id'] or row['path']} of {row['warc_date'] or row['fetched_at']}"


def _date_of(row: dict[str, Any]) -> str:
    return row.get("warc_date") or row.get("fetched_at") or row.get("recorded_at") or ""


_CAPTURE_COLS = ("id", "url", "host", "kind", "signals", "sha256", "warc_record_id", "warc_date", "fetched_at", "path",
                 "offset", "source_format", "run_id", "recorded_at")


def _captures(registry: Any, sql: str, args: list[Any]) -> list[dict[str, Any]]:
    rows = registry.db.execute(f"SELECT {', '.join(_CAPTURE_COLS)} FROM captures WHERE {sql}", args).fetchall()
    out = []
    for r in rows:
        d = dict(zip(_CAPTURE_COLS, r))
        try:
            d["signals"] = json.loads(d["signals"] or "{}")
        except ValueError:
            d["signals"] = {}
        out.append(d)
    return out


def _pick(rows: list[dict[str, Any]], when: str | None, sha: str | None = None) -> dict[str, Any] | None:
    """The capture that speaks for the page: the one with its text, else the latest at or before *when*, else the latest."""
    if not rows:
        return None
    if sha:
        same = [r for r in rows if r["sha256"] == sha]
        if same:
            rows = same
    rows = sorted(rows, key=lambda r: (_date_of(r), r["id"]))
    if when:
        before = [r for r in rows if _date_of(r) and _date_of(r) <= when]
        if before:
            return before[-1]
    return rows[-1]


def _site_root(url: str | None) -> tuple[str | None, str | None]:
    try:
        parts = urlsplit(url or "")
    except ValueError:
        return None, None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None, None
    return parts.hostname.lower(), f"{parts.scheme.lower()}://{parts.netloc}"


def page_rights_statement(registry: Any, url: str | None, *, crawlers: tuple[str, ...] | None,
                          when: str | None = None, sha256: str | None = None) -> dict[str, Any]:
    """Every rights signal for the page at *url*, each stated with its source capture, or as missing.

    ``crawlers`` is the AI crawler list from rules/ (None when the rules
    could not be loaded: robots.txt is then quoted without a verdict per agent).
    """
    host, root = _site_root(url)
    out: dict[str, Any] = {"url": url, "note": None, "signals": []}
    sigs: list[dict[str, Any]] = out["signals"]

    def add(signal: str, source: str, state: str, text: str, value: Any = None,
            capture: dict[str, Any] | None = None, **extra: Any) -> None:
        sigs.append({"signal": signal, "source": source, "state": state, "value": value, "statement": text,
                     "capture": capture, **extra})

    if host is None:
        out["note"] = "no http(s) URL: the crawl cannot hold its HTTP response, robots.txt or tdmrep.json"
        for signal, source in (("tdm-reservation", "http-header"), ("tdm-reservation", "meta"),
                               ("robots.txt", "robots.txt"), ("noai", "meta"), ("licence-link", "link")):
            add(signal, source, "not-available", f"not available: {out['note']}")
        return out
    page = _pick(_captures(registry, "url = ? AND kind = 'page'", [url]), when, sha256)
    ref = _capture_ref(page) if page else None
    where = (f"capture {page['warc_record_id']} of {page['warc_date']}" if page and page["warc_record_id"]
             else f"the copy read from {page['path']}" if page else "")
    # --- TDMRep in the HTTP response and in <meta>
    http = page["signals"].get("http") if page else None
    html = page["signals"].get("html") if page else None
    for name in ("tdm-reservation", "tdm-policy"):
        label = {"tdm-reservation": "TDM-Reservation", "tdm-policy": "TDM-Policy"}[name]
        if page is None:
            add(name, "http-header", "not-captured", f"not captured: the crawl holds no capture of {url}")
        elif http is None:
            add(name, "http-header", "not-available",
                f"not available: {where} came with no HTTP response headers", capture=ref)
        elif name in http:
            meaning = _reservation_meaning(http[name]) if name == "tdm-reservation" else "where to ask for a licence"
            add(name, "http-header", "stated", f"{label}: {http[name]} in the HTTP response ({meaning}); {where}",
                value=http[name], capture=ref)
        else:
            add(name, "http-header", "missing", f"missing: the HTTP response has no {label} header; {where}",
                capture=ref)
    for name in ("tdm-reservation", "tdm-policy"):
        if page is None:
            add(name, "meta", "not-captured", f"not captured: the crawl holds no capture of {url}")
        elif html is None:
            add(name, "meta", "not-available", f"not available: {where} is not an HTML page that was read",
                capture=ref)
        elif html.get(name):
            meaning = (_reservation_meaning(html[name]) if name == "tdm-reservation"
                       else "where to ask for a licence")
            add(name, "meta", "stated", f'<meta name="{name}" content="{html[name]}"> ({meaning}); {where}',
                value=html[name], capture=ref)
        else:
            add(name, "meta", "missing", f'missing: no <meta name="{name}"> in the page; {where}', capture=ref)
    # --- /.well-known/tdmrep.json
    tdm = _pick(_captures(registry, "host = ? AND kind = 'tdmrep.json'", [host]), when)
    tdm_url = f"{root}/.well-known/tdmrep.json"
    if tdm is None:
        add("tdm-reservation", "tdmrep.json", "not-captured", f"not captured: the crawl holds no capture of {tdm_url}")
    else:
        tref = _capture_ref(tdm)
        twhere = _capture_where(tdm)
        status = tdm["signals"].get("status")
        if status and not str(status).startswith("2"):
            add("tdm-reservation", "tdmrep.json", "missing",
                f"missing: {tdm['url']} answered HTTP {status} (no TDMRep file); {twhere}", capture=tref)
        else:
            rules, error = parse_tdmrep(tdm["signals"].get("text") or "")
            rule = tdmrep_rule_for(rules, url) if rules else None
            if error:
                add("tdm-reservation", "tdmrep.json", "missing", f"missing: {tdm['url']} is {error}; {twhere}",
                    capture=tref)
            elif rule is None:
                add("tdm-reservation", "tdmrep.json", "missing",
                    f"missing: no rule of {tdm['url']} matches the path {_url_path(url)}; {twhere}", capture=tref)
            else:
                policy = f", tdm-policy {rule['tdm-policy']}" if rule.get("tdm-policy") else ""
                add("tdm-reservation", "tdmrep.json", "stated",
                    f"tdm-reservation {rule['tdm-reservation']} for location {rule['location']}{policy} "
                    f"({_reservation_meaning(rule['tdm-reservation'])}); {twhere}",
                    value=rule, capture=tref)
    # --- robots.txt and the AI crawlers it disallows
    rob = _pick(_captures(registry, "host = ? AND kind = 'robots.txt'", [host]), when)
    rob_url = f"{root}/robots.txt"
    if rob is None:
        add("robots.txt", "robots.txt", "not-captured", f"not captured: the crawl holds no capture of {rob_url}")
    else:
        rref = _capture_ref(rob)
        rwhere = _capture_where(rob)
        status = rob["signals"].get("status")
        if status and status.startswith("4"):
            add("robots.txt", "robots.txt", "missing",
                f"missing: {rob['url']} answered HTTP {status}: no robots.txt, so it disallows nothing "
                f"(RFC 9309); {rwhere}", capture=rref)
        elif status and status.startswith("5"):
            add("robots.txt", "robots.txt", "stated",
                f"{rob['url']} answered HTTP {status}: unreachable, which RFC 9309 reads as disallowing "
                f"everything; {rwhere}", capture=rref, disallowed=list(crawlers or ()))
        elif crawlers is None:
            add("robots.txt", "robots.txt", "stated",
                f"robots.txt captured ({rwhere}); the AI crawler list could not be loaded from rules/, so no "
                "agent was looked up", capture=rref)
        else:
            verdict = ai_agents_disallowed(rob["signals"].get("text") or "", crawlers, url)
            named = [r for r in verdict["agents"] if not r["allowed"] and r["group"] != "*"]
            by_star = [r for r in verdict["agents"] if not r["allowed"] and r["group"] == "*"]
            if named or by_star:
                parts = []
                if named:
                    parts.append("by name: " + ", ".join(r["agent"] for r in named))
                if by_star:
                    parts.append(f"through its * group: {len(by_star)} of {len(crawlers)} listed AI crawlers")
                add("robots.txt", "robots.txt", "stated",
                    f"robots.txt disallows AI crawlers for {verdict['path']} ({'; '.join(parts)}); {rwhere}",
                    value=verdict["disallowed"], capture=rref, disallowed=verdict["disallowed"],
                    agents=verdict["agents"])
            else:
                add("robots.txt", "robots.txt", "missing",
                    f"missing: robots.txt disallows none of the {len(crawlers)} listed AI crawlers for "
                    f"{verdict['path']}; {rwhere}", capture=rref, disallowed=[], agents=verdict["agents"])
    # --- noai / noimageai in <meta name="robots"> and X-Robots-Tag
    if page is None:
        add("noai", "meta", "not-captured", f"not captured: the crawl holds no capture of {url}")
    else:
        found = []
        for source, value in (("meta", (html or {}).get("robots")), ("http-header", (http or {}).get("x-robots-tag"))):
            tokens = {t for t in re.split(r"[\s,]+", str(value or "").lower()) if t}
            hit = sorted(tokens & {"noai", "noimageai"})
            if hit:
                found.append((source, value, hit))
        if found:
            for source, value, hit in found:
                label = '<meta name="robots">' if source == "meta" else "X-Robots-Tag header"
                add("noai", source, "stated", f"{label} says {', '.join(hit)} (content: {_clip(value, 200)}); {where}",
                    value=hit, capture=ref)
        elif html is None and http is None:
            add("noai", "meta", "not-available", f"not available: {where} has neither HTML nor HTTP headers",
                capture=ref)
        else:
            had = (html or {}).get("robots")
            add("noai", "meta", "missing",
                (f'missing: <meta name="robots" content="{_clip(had, 200)}"> has no noai or noimageai; {where}' if had
                 else f'missing: no noai or noimageai (no <meta name="robots">, no X-Robots-Tag); {where}'),
                capture=ref)
    # --- the page's licence link
    if page is None:
        add("licence-link", "link", "not-captured", f"not captured: the crawl holds no capture of {url}")
    else:
        links = list((html or {}).get("license") or [])
        header = (http or {}).get("link")
        if header:
            links += re.findall(r"<([^>]{1,1000})>[^,]*rel=\"?license", header, re.IGNORECASE)
        if links:
            add("licence-link", "link", "stated", f"licence link: {', '.join(links[:5])}; {where}", value=links[:5],
                capture=ref)
        elif html is None:
            add("licence-link", "link", "not-available", f"not available: {where} is not an HTML page that was read",
                capture=ref)
        else:
            add("licence-link", "link", "missing", f'missing: no rel="license" link in the page; {where}', capture=ref)
    return out
