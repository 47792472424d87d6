"""Takedown evidence packets: everything counsel needs to send a notice for a copy.

A packet covers one finding, or every violation on one site.  It is rebuilt
from the registry (the source of truth): the work as registered, the copy as
scanned, each passage side by side with its differences highlighted, the
attribution and licence check, and drafts of a DMCA notice (17 U.S.C.
§ 512(c)(3)), an EU DSA Article 16 notice and a Google copyright-removal bulk
file.  A manifest records the SHA-256 of every file in the packet and of every
registry record it was built from, so that ``verify_packet`` can show later
that neither the packet nor the registry has changed since.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from . import __version__
from .atomic import safe_name, write_atomic
from .errors import ReportError
from .models import sha256_text
from .registry import Registry, now_utc
from .report import NOT_LEGAL_ADVICE, Raw, site_of, template_env

__all__ = [
    "EVIDENCE_FORMATS",
    "PACKET_FILES",
    "build_packet",
    "find_finding_ids",
    "site_finding_ids",
    "violating_sites",
    "packet_name",
    "write_packet",
    "verify_packet",
    "packet_registry",
    "Verification",
    "word_diff",
]

EVIDENCE_FORMATS = ("html", "md", "json", "txt")

#: Files a packet may hold, by format ("txt" is the three plain-text drafts).
PACKET_FILES = {
    "html": ("evidence.html",),
    "md": ("evidence.md",),
    "json": ("evidence.json",),
    "txt": ("dmca-notice.txt", "dsa-notice.txt", "google-removal.txt"),
}
MANIFEST = "manifest.json"


# ---------------------------------------------------------------- word diff

_WORD = re.compile(r"\w+(?:['\u2019\-]\w+)*\s*|[^\w\s]\s*|\s+")
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"',
                         "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2013": "-", "\u2014": "-", "\u2212": "-"})


def _key(word: str) -> str:
    """How two words compare: same letters after Unicode folding, quotes and dashes unified."""
    return unicodedata.normalize("NFKC", word.strip()).translate(_QUOTES).casefold()


def word_diff(original: str, copy: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """Segments of each side, each ``{"op": same|del|ins|chg, "text": ...}``.

    The original side has ``del`` (words the copy dropped) and ``chg``; the
    copy side has ``ins`` (words the copy added) and ``chg``.  Joining the
    texts of one side gives that side's passage back exactly.
    """
    a = _WORD.findall(original)
    b = _WORD.findall(copy)
    sm = difflib.SequenceMatcher(None, [_key(w) for w in a], [_key(w) for w in b], autojunk=False)
    left: list[dict[str, str]] = []
    right: list[dict[str, str]] = []

    def add(side: list[dict[str, str]], op: str, words: list[str]) -> None:
        if not words:
            return
        text = "".join(words)
        if side and side[-1]["op"] == op:
            side[-1]["text"] += text
        else:
            side.append({"op": op, "text": text})

    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            add(left, "same", a[i1:i2])
            add(right, "same", b[j1:j2])
        elif tag == "delete":
            add(left, "del", a[i1:i2])
        elif tag == "insert":
            add(right, "ins", b[j1:j2])
        else:
            add(left, "chg", a[i1:i2])
            add(right, "chg", b[j1:j2])
    return left, right


def _wdiff(segments: list[dict[str, str]]) -> str:
    """A side of the diff as plain text, in git's --word-diff style: [-removed-] {+added+} [~changed~]."""
    marks = {"same": ("", ""), "del": ("[-", "-]"), "ins": ("{+", "+}"), "chg": ("[~", "~]")}
    out = []
    for s in segments:
        a, z = marks[s["op"]]
        text = s["text"]
        core = text.rstrip()
        out.append(f"{a}{core}{z}{text[len(core):]}" if a else text)
    return "".join(out)


def _fence(text: str) -> Raw:
    """A Markdown code block that crawled text cannot close early (the fence outgrows any run of backticks)."""
    longest = max((len(m) for m in re.findall(r"`+|~+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    clean = re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", "", text)
    return Raw(f"{fence}text\n{clean}\n{fence}")


# ---------------------------------------------------------------- loading from the registry

_FINDING_SQL = """
SELECT f.id, f.passages, f.copied_words, f.work_coverage, f.verdict, f.reasons, f.rules, f.attribution,
       f.created_at, f.updated_at, f.run_id,
       d.id, d.path, d.url, d.title, d.fetched_at, d.warc_record_id, d.warc_date, d.payload_digest, d.source_format,
       d.sha256, d.raw_sha256, d.text, d.extra_text,
       w.num, w.id, w.title, w.url, w.published, w.author, w.text, w.sha256, w.raw_sha256, w.body_start, w.body_end,
       w.source_path
FROM findings f JOIN documents d ON d.id = f.document_id JOIN works w ON w.num = f.work_num
"""


def find_finding_ids(registry: Registry, finding: str) -> str:
    """The full id of a finding given its id or a unique prefix of it (at least 4 characters)."""
    f = finding.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{4,64}", f):
        raise ReportError(f"{finding!r} is not a finding id (16 hex digits, or a unique prefix of 4 or more); "
                          "list findings with: compliance report --format json --stdout")
    rows = [r[0] for r in registry.db.execute("SELECT id FROM findings WHERE id LIKE ? ORDER BY id LIMIT 6",
                                              [f + "%"]).fetchall()]
    if not rows:
        raise ReportError(f"finding {finding} is not in {registry.path}; list findings with: "
                          "compliance report --format json --stdout")
    if len(rows) > 1:
        raise ReportError(f"finding prefix {finding} is ambiguous in {registry.path}: {', '.join(rows[:5])}...")
    return rows[0]


def _hosts(registry: Registry) -> Iterable[tuple[str, str, str]]:
    for fid, url, path, verdict in registry.db.execute(
            "SELECT f.id, d.url, d.path, f.verdict FROM findings f JOIN documents d ON d.id = f.document_id"):
        yield fid, site_of({"url": url, "path": path}), verdict


def _site_match(host: str, site: str) -> bool:
    host, site = host.lower(), site.lower()
    return host == site or (not site.startswith("(") and host.endswith("." + site))


def site_finding_ids(registry: Registry, site: str, verdicts: tuple[str, ...] = ("violation",)) -> list[str]:
    """Ids of the findings with these verdicts whose copy is on *site* (the host or a subdomain of it)."""
    s = site.strip().rstrip(".")
    if "://" in s:
        s = site_of({"url": site.strip()})
    ids = sorted(fid for fid, host, verdict in _hosts(registry) if verdict in verdicts and _site_match(host, s))
    if not ids:
        known = sorted({h for _, h, v in _hosts(registry) if v in verdicts})
        hint = f" Sites with violations: {', '.join(known[:10])}." if known else " No site has violations."
        raise ReportError(f"no {'/'.join(verdicts)} findings for site {site!r} in {registry.path}.{hint}")
    return ids


def violating_sites(registry: Registry) -> list[str]:
    """Every site with at least one violation (for --all-sites)."""
    return sorted({host for _, host, verdict in _hosts(registry) if verdict == "violation"})


def _find_terms(text: str, term: str) -> list[tuple[int, int]]:
    """Where a term occurs in a text, case-insensitively, any whitespace between its words."""
    words = term.split()
    if not words or len(term) < 3:
        return []
    pattern = r"\s+".join(re.escape(w) for w in words)
    edge_l = r"(?<![\w])" if words[0][:1].isalnum() else ""
    edge_r = r"(?![\w])" if words[-1][-1:].isalnum() else ""
    return [(m.start(), m.end()) for m in re.finditer(edge_l + pattern + edge_r, text, re.IGNORECASE)][:20]


def _attribution_check(info: dict[str, Any], doc_text: str, extra_text: str,
                       recorded: list[dict[str, Any]]) -> dict[str, Any]:
    """What credit to the publisher was looked for in the copy, and what was found."""
    looked: list[dict[str, str]] = []

    def want(kind: str, value: Any) -> None:
        if isinstance(value, str) and value.strip() and not any(
                x["kind"] == kind and x["text"].lower() == value.strip().lower() for x in looked):
            looked.append({"kind": kind, "text": value.strip()})

    notice = info.get("notice") or {}
    want("publisher", info.get("publisher"))
    want("holder", info.get("holder"))
    want("holder", notice.get("holder"))
    want("author", info.get("author"))
    for d in info.get("domains") or []:
        want("domain", d)
    want("url", info.get("url"))
    if notice.get("text"):
        want("notice", notice["text"].strip().split("\n")[0][:200])
    found: list[dict[str, Any]] = []
    seen: set[tuple[str, int, int, str]] = set()
    for rec in recorded or []:
        key = (rec.get("kind"), rec.get("start"), rec.get("end"), rec.get("where"))
        if key not in seen:
            seen.add(key)
            found.append(dict(rec, by="scan"))
    for item in looked:
        for where, text in (("text", doc_text), ("extra", extra_text or "")):
            for s, e in _find_terms(text, item["text"]):
                key = (item["kind"], s, e, where)
                overlaps = any(f.get("kind") == item["kind"] and f.get("where") == where
                               and (f.get("start") or 0) < e and s < (f.get("end") or 0) for f in found)
                if key not in seen and not overlaps:
                    seen.add(key)
                    found.append({"kind": item["kind"], "text": text[s:e], "start": s, "end": e, "where": where,
                                  "by": "evidence"})
    found.sort(key=lambda r: (r.get("where") != "text", r.get("start") or 0))
    return {"looked_for": looked, "found": found, "credited": bool(found)}


def _licence_check(info: dict[str, Any], verdict: str, reasons: list[str], rules: list[str]) -> dict[str, Any]:
    notice = info.get("notice") or {}
    return {"notice": notice.get("text"), "all_rights_reserved": bool(notice.get("all_rights_reserved")),
            "restriction": notice.get("restriction"), "license": notice.get("license"),
            "verdict": verdict, "reasons": reasons, "rules": rules}


def _rights(registry: Registry, url: str | None, doc_sha: str, when: str | None, work_url: str | None,
            crawlers: tuple[str, ...] | None) -> dict[str, Any]:
    """What the copied page and the publisher's original said about reuse, each signal with its capture."""
    from .signals import page_rights_statement

    if "captures" not in registry.db.table_names():
        return {}
    original = page_rights_statement(registry, work_url, crawlers=crawlers, when=when) if work_url else {
        "url": None, "signals": [], "note": "the work has no URL on record: the original page cannot be looked up"}
    return {"copy": page_rights_statement(registry, url, crawlers=crawlers, when=when, sha256=doc_sha),
            "original": original, "crawlers": list(crawlers) if crawlers is not None else None}


def _item(registry: Registry, row: tuple[Any, ...], runs: dict[int, dict[str, Any]],
          crawlers: tuple[str, ...] | None = None) -> dict[str, Any]:
    (fid, passages_json, copied, coverage, verdict, reasons, rules, attribution, created, updated, run_id,
     doc_id, path, url, title, fetched_at, warc_id, warc_date, payload_digest, source_format, doc_sha, raw_sha,
     doc_text, extra_text, num, work_id, work_title, work_url, published, author, work_text, work_sha, work_raw_sha,
     body_start, body_end, source_path) = row
    info = registry.work_info(num)
    if run_id is not None and run_id not in runs:
        r = registry.db.execute("SELECT id, started_at, ended_at, status, inputs, options, registry_version, "
                                "rules_version, tool_version FROM scan_runs WHERE id = ?", [run_id]).fetchone()
        runs[run_id] = {} if r is None else {
            "id": r[0], "started_at": r[1], "ended_at": r[2], "status": r[3], "inputs": json.loads(r[4] or "[]"),
            "options": json.loads(r[5] or "{}"), "registry_version": r[6], "rules_version": r[7],
            "tool_version": r[8]}
    matches = []
    for n, p in enumerate(json.loads(passages_json), 1):
        original = work_text[p["work_start"]:p["work_end"]]
        copied_text = doc_text[p["doc_start"]:p["doc_end"]]
        left, right = word_diff(original, copied_text)
        changed = sum(len(s["text"].split()) for s in right if s["op"] != "same")
        matches.append(dict(p, n=n, original=original, copy=copied_text, original_segments=left,
                            copy_segments=right, changed_words=changed,
                            original_sha256=sha256_text(original), copy_sha256=sha256_text(copied_text),
                            share=round(p["words"] / max(1, copied) * float(coverage), 4)))
    reasons_l, rules_l = json.loads(reasons), json.loads(rules)
    notice = info.get("notice") or {}
    return {
        "finding": {"id": fid, "verdict": verdict, "reasons": reasons_l, "rules": rules_l, "copied_words": copied,
                    "work_coverage": coverage, "created_at": created, "updated_at": updated, "run_id": run_id},
        "work": {"id": work_id, "title": work_title, "publisher": info["publisher"], "holder": info["holder"],
                 "contact_email": info["contact_email"], "notice": notice.get("text"),
                 "notice_years": notice.get("years") or [], "license": notice.get("license"),
                 "url": work_url, "published": published, "author": author, "domains": info.get("domains") or [],
                 "sha256": work_sha, "raw_sha256": work_raw_sha, "source_path": source_path,
                 "chars": len(work_text), "body_words": len(work_text[body_start:body_end].split())},
        "copy": {"url": url, "site": site_of({"url": url, "path": path}), "path": path, "title": title,
                 "fetched_at": fetched_at, "warc_record_id": warc_id, "warc_date": warc_date,
                 "payload_digest": payload_digest, "source_format": source_format, "sha256": doc_sha,
                 "raw_sha256": raw_sha, "chars": len(doc_text)},
        "matches": matches,
        "attribution": _attribution_check(info, doc_text, extra_text or "", json.loads(attribution or "[]")),
        "licence": _licence_check(info, verdict, reasons_l, rules_l),
        "rights": _rights(registry, url, doc_sha, warc_date or fetched_at, work_url, crawlers),
        "scan_run": runs.get(run_id, {}) if run_id is not None else {},
    }


def packet_name(*, finding: str | None = None, site: str | None = None, case: int | None = None) -> str:
    """The packet's folder name: a safe name that cannot leave reports/evidence/."""
    if case is not None:
        return f"case-{int(case)}"
    if site is not None:
        return "site-" + safe_name(site.lower())
    return safe_name(finding or "packet")


def build_packet(registry: Registry, finding_ids: list[str], *, scope: dict[str, Any],
                 rules_version: str | None = None, options: dict[str, Any] | None = None,
                 crawlers: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The packet as data: provenance, then one item per finding (work, copy, matches, checks, rights signals),
    then drafts' inputs.  *crawlers* is the AI crawler list from rules/ (robots.txt look-ups)."""
    scope = {"finding": None, "site": None, **scope}
    runs: dict[int, dict[str, Any]] = {}
    items = []
    for fid in finding_ids:
        row = registry.db.execute(_FINDING_SQL + " WHERE f.id = ?", [fid]).fetchone()
        if row is None:
            raise ReportError(f"finding {fid} is not in {registry.path}")
        items.append(_item(registry, row, runs, crawlers))
    items.sort(key=lambda it: (it["work"]["publisher"], it["copy"]["url"] or it["copy"]["path"] or "",
                               it["work"]["id"]))
    holders = sorted({(it["work"]["holder"] or it["work"]["publisher"], it["work"]["contact_email"] or "")
                      for it in items})
    complainant = {"holder": holders[0][0] if holders else None, "email": holders[0][1] if holders else None,
                   "publisher": items[0]["work"]["publisher"] if items else None}
    if len(holders) > 1:
        complainant["others"] = [{"holder": h, "email": e} for h, e in holders[1:]]
    return {
        "provenance": {
            "tool": "compliance", "version": __version__, "generated_at": now_utc(),
            "registry": str(registry.path), "registry_version": registry.registry_version(),
            "rules_version": rules_version,
            "scan_runs": [runs[k] for k in sorted(runs)],
            "options": options or {}, "scope": scope, "notice": NOT_LEGAL_ADVICE,
            "timezone": "UTC",
        },
        "complainant": complainant,
        "sites": sorted({it["copy"]["site"] for it in items}),
        "hosts": sorted({it["copy"]["site"] for it in items if it["copy"]["url"] and "://" in it["copy"]["url"]}),
        "items": items,
        "totals": {"findings": len(items), "copied_words": sum(it["finding"]["copied_words"] for it in items),
                   "works": len({it["work"]["id"] for it in items}),
                   "urls": len({it["copy"]["url"] for it in items if it["copy"]["url"]})},
    }


# ---------------------------------------------------------------- rendering and writing

def _render_txt(template: str, packet: dict[str, Any]) -> str:
    from .report import safe_href

    urls = []
    for it in packet["items"]:
        u = safe_href(it["copy"]["url"])
        if u and u not in urls:
            urls.append(u)
    return template_env("txt").get_template(template).render(p=packet, urls=urls)


def _render_md(packet: dict[str, Any]) -> str:
    for it in packet["items"]:
        for m in it["matches"]:
            m["original_block"] = _fence(_wdiff(m["original_segments"]))
            m["copy_block"] = _fence(_wdiff(m["copy_segments"]))
    try:
        return template_env("md").get_template("evidence.md.j2").render(p=packet)
    finally:
        for it in packet["items"]:
            for m in it["matches"]:
                m.pop("original_block", None)
                m.pop("copy_block", None)


def _render_html(packet: dict[str, Any]) -> str:
    drafts = {"dmca": _render_txt("dmca.txt.j2", packet), "dsa": _render_txt("dsa.txt.j2", packet),
              "google": _render_txt("google.txt.j2", packet)}
    return template_env("html").get_template("evidence.html.j2").render(p=packet, drafts=drafts)


RENDERERS = {
    "evidence.html": _render_html,
    "evidence.md": _render_md,
    "evidence.json": lambda p: json.dumps(p, indent=2, ensure_ascii=False) + "\n",
    "dmca-notice.txt": lambda p: _render_txt("dmca.txt.j2", p),
    "dsa-notice.txt": lambda p: _render_txt("dsa.txt.j2", p),
    "google-removal.txt": lambda p: _render_txt("google.txt.j2", p),
}


def _digest(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "digest"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def _records(packet: dict[str, Any]) -> list[dict[str, Any]]:
    """What the packet asserts about the registry: record hashes and each passage's text hash."""
    return [{"finding": it["finding"]["id"], "verdict": it["finding"]["verdict"],
             "work": {"id": it["work"]["id"], "sha256": it["work"]["sha256"]},
             "document": {"sha256": it["copy"]["sha256"], "raw_sha256": it["copy"]["raw_sha256"],
                          "url": it["copy"]["url"], "path": it["copy"]["path"]},
             "passages": [{k: m[k] for k in ("doc_start", "doc_end", "work_start", "work_end", "original_sha256",
                                             "copy_sha256")} for m in it["matches"]]}
            for it in packet["items"]]


def write_packet(packet: dict[str, Any], out_dir: Path, name: str,
                 formats: Iterable[str] = EVIDENCE_FORMATS) -> list[Path]:
    """Write the packet's files and its manifest under out_dir/evidence/<name>/, atomically; return the paths."""
    base = (Path(out_dir) / "evidence").resolve()
    folder = (base / name).resolve()
    if folder.parent != base or name in ("", ".", ".."):
        raise ReportError(f"evidence packet name {name!r} would leave {base}")
    files = [f for fmt in formats for f in PACKET_FILES[fmt]]
    written: list[Path] = []
    hashes: dict[str, str] = {}
    try:
        for fname in files:
            data = RENDERERS[fname](packet).encode("utf-8")
            hashes[fname] = hashlib.sha256(data).hexdigest()
            written.append(write_atomic(folder / fname, data))
        manifest = {"tool": "compliance", "version": __version__, "packet": name,
                    "generated_at": packet["provenance"]["generated_at"],
                    "registry": packet["provenance"]["registry"],
                    "registry_version": packet["provenance"]["registry_version"],
                    "rules_version": packet["provenance"]["rules_version"],
                    "scope": packet["provenance"]["scope"],
                    "files": hashes, "records": _records(packet)}
        manifest["digest"] = _digest(manifest)
        written.append(write_atomic(folder / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"))
        for stale in {f for names in PACKET_FILES.values() for f in names} - set(files):
            (folder / stale).unlink(missing_ok=True)  # an earlier run's file the manifest no longer covers
    except OSError as exc:
        raise ReportError(f"{folder}: cannot write the evidence packet ({exc.strerror or exc})") from exc
    return written


def packet_registry(folder: Path) -> Path | None:
    """The registry a packet says it was built from (to verify it without repeating --db)."""
    try:
        m = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
        return Path(m["registry"]) if isinstance(m.get("registry"), str) else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


# ---------------------------------------------------------------- verification

@dataclass
class Verification:
    """The outcome of re-checking a packet: each check made, and the problems found."""

    packet: str
    checks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"packet": self.packet, "ok": self.ok, "checks": self.checks, "problems": self.problems}


def _sha_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verify_packet(folder: Path, registry: Registry) -> Verification:
    """Re-compute every hash in a packet and compare with its files and with the registry now."""
    folder = Path(folder)
    if folder.is_file() and folder.name == MANIFEST:
        folder = folder.parent
    v = Verification(str(folder))
    mpath = folder / MANIFEST
    if not mpath.is_file():
        raise ReportError(f"{folder}: not an evidence packet (no {MANIFEST}); "
                          "give the folder that `compliance evidence` wrote")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
        files, records = manifest["files"], manifest["records"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        v.problems.append(f"{mpath}: manifest is damaged ({exc.__class__.__name__}: {exc})")
        return v
    if manifest.get("digest") != _digest(manifest):
        v.problems.append(f"{mpath}: manifest digest does not match its content (the manifest was edited)")
    else:
        v.checks.append(f"{MANIFEST}: digest ok")
    for fname, want in sorted(files.items()):
        p = folder / fname
        if Path(fname).name != fname:
            v.problems.append(f"{mpath}: file name {fname!r} is not a plain name")
        elif not p.is_file():
            v.problems.append(f"{p}: missing")
        elif (got := _sha_file(p)) != want:
            v.problems.append(f"{p}: SHA-256 {got} differs from the manifest's {want} (the file changed)")
        else:
            v.checks.append(f"{fname}: sha256 ok")
    for rec in records:
        fid = rec.get("finding")
        w = rec.get("work", {})
        row = registry.db.execute("SELECT text, sha256 FROM works WHERE id = ?", [w.get("id")]).fetchone()
        work_text = None
        if row is None:
            v.problems.append(f"finding {fid}: work {w.get('id')!r} is no longer in {registry.path}")
        else:
            work_text, stored = row
            actual = sha256_text(work_text)
            if stored != w.get("sha256"):
                v.problems.append(f"finding {fid}: work {w.get('id')!r} record SHA-256 is now {stored}, "
                                  f"the packet has {w.get('sha256')} (the registered work changed)")
            elif actual != stored:
                v.problems.append(f"finding {fid}: work {w.get('id')!r} text no longer hashes to its recorded "
                                  f"SHA-256 {stored} (got {actual}: the registry record was altered)")
            else:
                v.checks.append(f"work {w.get('id')}: sha256 ok")
        d = rec.get("document", {})
        drow = registry.db.execute(
            "SELECT text, sha256, raw_sha256 FROM documents WHERE sha256 = ? AND coalesce(url,'') = coalesce(?,'') "
            "AND coalesce(path,'') = coalesce(?,'')", [d.get("sha256"), d.get("url"), d.get("path")]).fetchone()
        doc_text = None
        if drow is None:
            v.problems.append(f"finding {fid}: the copy {d.get('url') or d.get('path')!r} with SHA-256 "
                              f"{d.get('sha256')} is no longer in {registry.path}")
        else:
            doc_text, stored, raw = drow
            if sha256_text(doc_text) != stored:
                v.problems.append(f"finding {fid}: the stored text of {d.get('url') or d.get('path')!r} no longer "
                                  "hashes to its recorded SHA-256 (the registry record was altered)")
            elif raw != d.get("raw_sha256"):
                v.problems.append(f"finding {fid}: raw capture SHA-256 is now {raw}, the packet has "
                                  f"{d.get('raw_sha256')}")
            else:
                v.checks.append(f"copy {d.get('url') or d.get('path')}: sha256 ok")
        for n, p in enumerate(rec.get("passages", []), 1):
            if work_text is not None and sha256_text(work_text[p["work_start"]:p["work_end"]]) != p["original_sha256"]:
                v.problems.append(f"finding {fid}: passage {n} of the work differs from the packet's")
            if doc_text is not None and sha256_text(doc_text[p["doc_start"]:p["doc_end"]]) != p["copy_sha256"]:
                v.problems.append(f"finding {fid}: passage {n} of the copy differs from the packet's")
        frow = registry.db.execute("SELECT verdict FROM findings WHERE id = ?", [fid]).fetchone()
        if frow is None:
            v.problems.append(f"finding {fid} is no longer in {registry.path}")
        elif frow[0] != rec.get("verdict"):
            v.problems.append(f"finding {fid}: verdict is now {frow[0]}, the packet says {rec.get('verdict')}")
        else:
            v.checks.append(f"finding {fid}: present, verdict {frow[0]}")
    return v
