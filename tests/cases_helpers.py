"""Invented publishers, works and crawls for the case, repost-watch and rights-signal tests.

Everything here is made up: the articles come from the seeded generator in
inputs_helpers, the sites use the reserved ``.example`` domain.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

from inputs_helpers import PUBLISHER, html_page, paragraphs, work_text

ORIGIN = "https://harbor-lantern.example"
COPYCAT = "https://copycat.example"


def cli_for(db: Path, rules: Path):
    """`compliance --db DB --rules RULES ARGS` through click's runner (for module-scoped fixtures)."""
    from click.testing import CliRunner

    from compliance.cli import cli

    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["--db", str(db), "--rules", str(rules)] + [str(a) for a in args],
                             catch_exceptions=False)

    return run


def register_works(cli_run, folder: Path, n: int = 3) -> dict[str, dict]:
    """Register *n* invented works with canonical URLs on the publisher's site; return id -> {url, paras}."""
    folder.mkdir(parents=True, exist_ok=True)
    rows, out = [], {}
    for i in range(n):
        wid = f"story-{i}"
        (folder / f"{wid}.txt").write_text(work_text(1000 + i, f"Story number {i} about the harbor"),
                                           encoding="utf-8")
        url = f"{ORIGIN}/news/{wid}"
        rows.append({"id": wid, "path": f"{wid}.txt", "publisher": PUBLISHER, "url": url,
                     "title": f"Story number {i} about the harbor"})
        out[wid] = {"url": url, "paras": paragraphs(1000 + i)}
    manifest = folder / "works.jsonl"
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    r = cli_run("register", "--manifest", manifest)
    assert r.exit_code == 0, r.stderr
    return out


def copy_page(paras: list[str], title: str = "Harbor news roundup", head: str = "") -> str:
    """A copying page: the work's paragraphs in someone else's layout, with optional <head> markup."""
    page = html_page(title, paras)
    return page.replace("</head>", head + "</head>", 1) if head else page


def other_page(title: str = "Page not found") -> str:
    """A page with other text (what a URL shows once the copy is gone)."""
    return html_page(title, ["This page has moved or no longer exists. Try the search box or go back to the "
                             "front page for the latest local sport and weather from around the county."])


def write_warc(path: Path, records: list[dict]) -> list[dict]:
    """A WARC of HTTP responses.  Each record: url, date, body (str), optional content_type, status, headers.

    Returns each record's url, date and WARC-Record-ID.
    """
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = []
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "compliance-tests"}))
        for r in records:
            status = r.get("status", "200 OK")
            headers = [("Content-Type", r.get("content_type", "text/html; charset=utf-8"))]
            headers += list(r.get("headers", []))
            http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            rec = writer.create_warc_record(r["url"], "response", payload=io.BytesIO(r["body"].encode("utf-8")),
                                            http_headers=http, warc_headers_dict={"WARC-Date": r["date"]})
            writer.write_record(rec)
            out.append({"url": r["url"], "date": r["date"], "id": rec.rec_headers.get_header("WARC-Record-ID")})
    return out
