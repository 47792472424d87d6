"""The CI gate's output formats: plain text, JSON, SARIF 2.1.0 and JUnit XML.

``compliance check`` scans a partner feed and fails the pipeline when a
finding reaches the ``--fail-on`` level.  CI systems read results in their own
formats: SARIF (code-scanning dashboards) wants one result per finding with a
location in the input file; JUnit XML (test reports) wants one test case per
document, failing when the document holds a finding at the fail level.  The
renderers here take a :class:`CheckResult` and never look at the registry.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape as _xml_escape

from . import __version__

__all__ = ["CheckResult", "CheckedDocument", "FAIL_LEVELS", "reaches", "render_text", "render_json",
           "render_sarif", "render_junit", "SARIF_SCHEMA_URI", "CHECK_FORMATS"]

SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
CHECK_FORMATS = ("text", "json", "sarif", "junit")

#: Verdicts at or above each --fail-on level ("reposted": none by verdict alone; see CheckResult.fails).
FAIL_LEVELS = {"reposted": (), "violation": ("violation",), "review": ("violation", "review")}
SARIF_LEVEL = {"violation": "error", "review": "warning"}
FALLBACK_RULE = "copied-passage"
RULE_HELP = {
    "copied-passage": "Text of a registered work was found in the document.",
    "all-rights-reserved": "Text of a work whose notice reserves all rights was copied without a licence.",
    "own-domain": "The copy is on one of the publisher's own domains.",
}


def reaches(verdict: str, fail_on: str, reposted: bool = False) -> bool:
    """Whether a finding fails the gate at this --fail-on level: by its verdict, or as a copy of a removed case
    found again (which fails at every level)."""
    return reposted or verdict in FAIL_LEVELS[fail_on]


@dataclass
class CheckedDocument:
    """One scanned document: where it came from and how to point at it."""

    path: str
    url: str | None
    sha256: str
    raw_sha256: str | None
    source_format: str
    chars: int
    line_starts: list[int] | None = None  # for text inputs, offsets of each line start
    findings: list[str] = field(default_factory=list)  # finding ids

    def line_col(self, offset: int) -> tuple[int, int] | None:
        """1-based line and column of a character offset (text inputs only)."""
        if self.line_starts is None:
            return None
        import bisect

        i = bisect.bisect_right(self.line_starts, offset) - 1
        return i + 1, offset - self.line_starts[i] + 1


@dataclass
class CheckResult:
    """Everything the gate saw: documents, findings, input errors, and the decision."""

    inputs: list[str]
    fail_on: str
    documents: list[CheckedDocument] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    started_at: str = ""
    ended_at: str = ""
    seconds: float = 0.0
    rule_descriptions: dict[str, str] = field(default_factory=dict)
    #: reposts (and removals) the repost watch saw during the check (compliance/watch.py)
    case_events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def reposts(self) -> dict[str, int]:
        """Finding id -> the case it reopened as reposted."""
        out: dict[str, int] = {}
        for e in self.case_events:
            if e.get("action") == "reposted":
                for fid in e.get("findings") or [e.get("finding")]:
                    if fid:
                        out.setdefault(fid, e["case"])
        return out

    def fails(self, f: dict[str, Any]) -> bool:
        """Whether this finding fails the gate."""
        return reaches(f["verdict"], self.fail_on, f.get("id") in self.reposts)

    @property
    def failing(self) -> list[dict[str, Any]]:
        return [f for f in self.findings if self.fails(f)]

    @property
    def exit_code(self) -> int:
        """0 clean; 1 a finding reaches --fail-on; 2 an input could not be checked (and nothing failed)."""
        if self.failing:
            return 1
        if self.errors:
            return 2
        return 0

    @property
    def status(self) -> str:
        return {0: "pass", 1: "fail", 2: "error"}[self.exit_code]

    def counts(self) -> dict[str, int]:
        c: dict[str, int] = {}
        for f in self.findings:
            c[f["verdict"]] = c.get(f["verdict"], 0) + 1
        return c

    def summary_line(self) -> str:
        counts = ", ".join(f"{n} {v}" for v, n in sorted(self.counts().items())) or "none"
        verdict = {0: "PASS", 1: "FAIL", 2: "ERROR"}[self.exit_code]
        err = f", {len(self.errors)} input error(s)" if self.errors else ""
        reposts = len(self.reposts)
        rep = f", {reposts} reposted (copies of removed cases found again)" if reposts else ""
        return (f"{verdict}: {len(self.documents)} document(s) checked, {len(self.findings)} finding(s) ({counts}){rep}, "
                f"{len(self.failing)} at or above --fail-on {self.fail_on}{err}.")


def _describe(f: dict[str, Any]) -> str:
    w = f["work"]
    title = w.get("title") or w["id"]
    return (f"{f['verdict']}: {f['copied_words']} words ({f['work_coverage']:.0%}) of '{title}' "
            f"({w.get('publisher')}) copied; rights contact {f['contact'].get('email') or 'not on record'}")


def _oneline(s: Any) -> str:
    """Crawled strings on one printable line (no terminal escapes in CI logs)."""
    return "".join(ch if ch.isprintable() else " " for ch in str(s if s is not None else ""))


def render_text(result: CheckResult) -> str:
    """One line per finding, then the decision."""
    lines = []
    reposts = result.reposts
    for f in result.findings:
        mark = "FAIL" if result.fails(f) else "note"
        doc = f["document"]
        where = doc.get("path") or doc.get("url")
        p = f["passages"][0] if f["passages"] else None
        span = f":{p['doc_start']}-{p['doc_end']}" if p else ""
        rep = f"reposted (case #{reposts[f['id']]}): " if f["id"] in reposts else ""
        lines.append(_oneline(f"{mark} {where}{span} [{f['id']}] {rep}{_describe(f)}"))
    for e in result.errors:
        lines.append(_oneline(f"ERROR {e}"))
    lines.append(result.summary_line())
    return "\n".join(lines) + "\n"


def render_json(result: CheckResult) -> str:
    """The whole result as one JSON object (for jq and scripts)."""
    return json.dumps({
        "tool": "compliance", "version": __version__, "inputs": result.inputs, "fail_on": result.fail_on,
        "status": result.status, "exit_code": result.exit_code, "started_at": result.started_at,
        "ended_at": result.ended_at,
        "summary": {"documents": len(result.documents), "findings": len(result.findings),
                    "failing": len(result.failing), "errors": len(result.errors), "verdicts": result.counts()},
        "documents": [{"path": d.path, "url": d.url, "sha256": d.sha256, "findings": d.findings}
                      for d in result.documents],
        "findings": result.findings,
        "reposted": [{"finding": fid, "case": case} for fid, case in result.reposts.items()],
        "cases": result.case_events,
        "errors": result.errors,
    }, indent=2, ensure_ascii=False) + "\n"


def artifact_uri(path: str) -> str:
    """A SARIF artifact URI for an input path: relative paths stay relative, absolute ones become file URIs."""
    if path in ("<stdin>", "-"):
        return "stdin"
    p = Path(path)
    if p.is_absolute():
        return p.as_uri()
    return quote(path.replace(os.sep, "/"), safe="/._-~")


def render_sarif(result: CheckResult) -> str:
    """SARIF 2.1.0: one result per finding, each passage a location with its character region."""
    docs = {d.sha256 + "\0" + d.path: d for d in result.documents}
    artifacts: list[dict[str, Any]] = []
    art_index: dict[str, int] = {}
    for d in result.documents:
        if d.path in art_index:
            continue
        art_index[d.path] = len(artifacts)
        art: dict[str, Any] = {"location": {"uri": artifact_uri(d.path)},
                               "sourceLanguage": "plaintext" if d.source_format in ("text", "stdin") else "html"}
        if d.raw_sha256:
            art["hashes"] = {"sha-256": d.raw_sha256}
        artifacts.append(art)
    rule_ids: list[str] = []
    results = []
    for f in result.findings:
        rule = (f.get("rules") or [FALLBACK_RULE])[0]
        if rule not in rule_ids:
            rule_ids.append(rule)
        doc = f["document"]
        d = docs.get(doc["sha256"] + "\0" + (doc.get("path") or ""))
        locations = []
        for p in sorted(f["passages"], key=lambda p: p["doc_start"]):
            region: dict[str, Any] = {"charOffset": p["doc_start"], "charLength": p["doc_end"] - p["doc_start"]}
            if d is not None and d.line_starts is not None:
                sl, sc = d.line_col(p["doc_start"])  # type: ignore[misc]
                el, ec = d.line_col(max(p["doc_start"], p["doc_end"]))  # type: ignore[misc]
                region.update({"startLine": sl, "startColumn": sc, "endLine": el, "endColumn": ec})
            art_loc: dict[str, Any] = {"uri": artifact_uri(doc.get("path") or "")}
            if (doc.get("path") or "") in art_index:
                art_loc["index"] = art_index[doc.get("path") or ""]
            loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": art_loc, "region": region}}
            note = (f"{p['words']} words copied ({p['method']}, similarity {p['similarity']:.2f}) from characters "
                    f"{p['work_start']}-{p['work_end']} of work {f['work']['id']}")
            if d is not None and d.line_starts is None:
                note += "; offsets index the text extracted from this file"
            loc["message"] = {"text": note}
            locations.append(loc)
        level = SARIF_LEVEL.get(f["verdict"], "note")
        case = result.reposts.get(f["id"])
        if case is not None:
            level = "error"
        sarif_result: dict[str, Any] = {
            "ruleId": rule, "ruleIndex": rule_ids.index(rule), "level": level,
            "kind": "fail" if level in ("error", "warning") else "informational",
            "message": {"text": (f"Reposted (case #{case}): a copy of a removed case found again. "
                                 if case is not None else "")
                        + _describe(f) + (". " + " ".join(f["reasons"]) if f.get("reasons") else "")},
            "locations": locations,
            "partialFingerprints": {"findingId/v1": f["id"]},
            "properties": {"verdict": f["verdict"], "rules": f.get("rules", []), "work": f["work"],
                           "copiedWords": f["copied_words"], "workCoverage": f["work_coverage"],
                           "contact": f["contact"], "documentUrl": doc.get("url"),
                           "repostedCase": case, "failsGate": result.fails(f)},
        }
        results.append(sarif_result)
    rules = [{"id": r, "name": r.replace("-", " ").title().replace(" ", ""),
              "shortDescription": {"text": result.rule_descriptions.get(r) or RULE_HELP.get(r) or f"Rule {r}"},
              "defaultConfiguration": {"level": "error" if r not in ("own-domain",) else "note"}}
             for r in rule_ids]
    notifications = [{"level": "error", "message": {"text": e}} for e in result.errors]
    invocation: dict[str, Any] = {"executionSuccessful": not result.errors, "exitCode": result.exit_code,
                                  "commandLine": "compliance check " + " ".join(result.inputs),
                                  "arguments": list(result.inputs),
                                  "toolExecutionNotifications": notifications}
    if result.started_at:
        invocation["startTimeUtc"] = result.started_at
    if result.ended_at:
        invocation["endTimeUtc"] = result.ended_at
    sarif = {
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "compliance", "version": __version__, "semanticVersion": __version__,
                                "rules": rules}},
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "artifacts": artifacts,
            "results": results,
            "properties": {"failOn": result.fail_on, "status": result.status},
        }],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


_BIDI = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _attr(s: Any) -> str:
    """An XML attribute value: escaped, with characters XML 1.0 forbids and bidi overrides removed
    (U+202E in a crawled title makes "gpj.exe" read "exe.jpg" in a CI report)."""
    text = "".join(ch for ch in str(s if s is not None else "")
                   if (ch in "\t\n\r" or (" " <= ch <= "\ud7ff") or ("\ue000" <= ch <= "\ufffd")
                       or ord(ch) >= 0x10000) and ch not in _BIDI)
    return _xml_escape(text, {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def _text(s: Any) -> str:
    return _attr(s).replace("&#10;", "\n").replace("&#9;", "\t")


def render_junit(result: CheckResult) -> str:
    """JUnit XML: one test case per document, one <failure> per finding at the fail level, <error> per bad input.

    ``tests`` counts test cases (documents plus unreadable inputs), ``failures``
    the documents that fail, ``errors`` the unreadable inputs.
    """
    by_id = {f["id"]: f for f in result.findings}
    cases = []
    failing_docs = 0
    for d in result.documents:
        bad = [by_id[i] for i in d.findings if i in by_id and result.fails(by_id[i])]
        other = [by_id[i] for i in d.findings if i in by_id and not result.fails(by_id[i])]
        failing_docs += bool(bad)
        body = []
        for f in bad:
            spans = ", ".join(f"{p['doc_start']}-{p['doc_end']}" for p in f["passages"])
            detail = f"finding {f['id']}: " + " ".join(f.get("reasons") or []) + f" (characters {spans})"
            case = result.reposts.get(f["id"])
            kind = "reposted" if case is not None else f["verdict"]
            message = (f"reposted (case #{case}): " if case is not None else "") + _describe(f)
            body.append(f'      <failure type="{_attr(kind)}" message="{_attr(message)}">'
                        f"{_text(detail)}</failure>")
        if other:
            body.append("      <system-out>" + _text("\n".join(f"{f['id']} {_describe(f)}" for f in other))
                        + "</system-out>")
        name = d.url or d.path
        open_tag = f'    <testcase classname="compliance.check" name="{_attr(name)}" file="{_attr(d.path)}" time="0"'
        cases.append(open_tag + (">\n" + "\n".join(body) + "\n    </testcase>" if body else "/>"))
    for e in result.errors:
        name = e.split(": ", 1)[0] if ": " in e else e
        cases.append(f'    <testcase classname="compliance.check" name="{_attr(name)}" time="0">\n'
                     f'      <error type="input-error" message="{_attr(e)}"/>\n    </testcase>')
    tests = len(result.documents) + len(result.errors)
    attrs = (f'tests="{tests}" failures="{failing_docs}" errors="{len(result.errors)}" skipped="0" '
             f'time="{result.seconds:.3f}"')
    stamp = f' timestamp="{_attr(result.started_at.rstrip("Z"))}"' if result.started_at else ""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<testsuites name="compliance check" {attrs}>\n'
            f'  <testsuite name="compliance check --fail-on {_attr(result.fail_on)}" {attrs}{stamp} '
            f'hostname="compliance">\n'
            + "\n".join(cases) + ("\n" if cases else "")
            + "  </testsuite>\n</testsuites>\n")
