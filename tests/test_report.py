"""The violation summary: a rights team registers a work, scans copies, and reads who copies it and how much.

The story built here (an original article written for these tests, an edited
copy, a hostile copy whose page carries script payloads, a copy on the
publisher's own site, and a copy whose path tries to climb out of reports/)
is shared with the evidence, check and browser tests.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import RULES

from compliance.cli import cli

P1 = ("The blue ferry that links the fish market with the lighthouse island returned to service on Monday after "
      "eleven weeks in the dry dock at Kessel Point, where welders replaced most of its hull plating.")
P2 = ("Harbour master Ines Okafor said the crossing would again run every twenty minutes from dawn, and that the "
      "ticket office on the market quay would reopen with longer hours for the summer season.")
P3 = ("Islanders had relied on a borrowed launch during the repairs, and several shopkeepers said the slower trips "
      "had cut their trade by a third in the quiet months of the year.")
NOTICE = ("© 2025 Lantern Bay Courier Ltd. All rights reserved. No reproduction without written permission. "
          "Rights contact: rights@lantern-courier.example")
WORK = f"Harbour ferry returns after repairs\n\n{P1}\n\n{P2}\n\n{P3}\n\n{NOTICE}\n"
TITLE = "Harbour ferry returns after repairs"
EMAIL = "rights@lantern-courier.example"
HOLDER = "Lantern Bay Courier Ltd."
WORK_URL = "https://lantern-courier.example/2025/03/ferry"

EDITED = ("Weekend roundup\n\n" + P1.replace("Monday", "Tuesday").replace("blue", "old")
          + "\n\n" + P2.replace("twenty", "thirty") + "\n")

# Payloads that would run if any crawled string reached the HTML unescaped.
HOSTILE_TITLE = ('<script>window.__pwned = 1; document.title = "pwned"</script>'
                 '<img src=x onerror="window.__pwned = 2">Ferry news')
HOSTILE_URL = 'https://copycat.example/news/ferry?ref="><script>window.__pwned=3</script>'
JS_URL = "javascript:window.__pwned=4"
HOSTILE_TEXT = ("Breaking <script>window.__pwned = 5</script> news from the coast\n\n"
                + P1 + ' <img src=x onerror="window.__pwned = 6"> ' + P2.replace("dawn", "sunrise")
                + '\n\n<a href="javascript:window.__pwned = 7">more</a> ``` | # Heading\n')
HOSTILE_EXTRA = "Source: Lantern Bay Courier Ltd."
CSV_TITLE = '=HYPERLINK("https://copycat.example","click")'


@dataclass
class Story:
    """A registry with findings, and the ids of the interesting ones."""

    root: Path
    db: Path
    ids: dict[str, str]  # name -> finding id

    def run(self, *args: object, input: str | None = None):
        """`compliance --db <story db> --rules rules/ ARGS`, in-process."""
        return CliRunner().invoke(cli, ["--db", str(self.db), "--rules", str(RULES)] + [str(a) for a in args],
                                  input=input, catch_exceptions=False)


def build_story(root: Path) -> Story:
    """Register the work through the CLI, scan a text copy through the CLI and crawled pages through the library."""
    from compliance.models import Document, finding_id
    from compliance.registry import Registry
    from compliance.rules import load_rules
    from compliance.scan import run_scan

    root.mkdir(parents=True, exist_ok=True)
    db = root / "registry.db"
    (root / "ferry.txt").write_text(WORK, encoding="utf-8")
    (root / "works.jsonl").write_text(json.dumps({"id": "ferry", "path": "ferry.txt", "title": TITLE,
                                                  "url": WORK_URL, "published": "2025-03-01"}) + "\n")
    story = Story(root, db, {})
    r = story.run("register", "--manifest", root / "works.jsonl")
    assert r.exit_code == 0, r.output
    edited = root / "edited.txt"
    edited.write_text(EDITED, encoding="utf-8")
    r = story.run("scan", edited, "--format", "json")
    assert r.exit_code == 0, r.output
    raw = b"<html>" + HOSTILE_TEXT.encode() + b"</html>"
    docs = {
        "hostile": Document(text=HOSTILE_TEXT, path="crawl/copycat.warc.gz", url=HOSTILE_URL, title=HOSTILE_TITLE,
                            fetched_at="2025-03-04T09:30:00Z", warc_record_id="<urn:uuid:5b0e7c1e-4d59-4f0c-9a43-1d2c3e4f5a6b>",
                            warc_date="2025-03-04T09:30:00Z", raw_sha256=hashlib.sha256(raw).hexdigest(),
                            source_format="warc", extra_text=HOSTILE_EXTRA),
        "javascript": Document(text="Island news\n\n" + P2 + "\n\n" + P3 + "\n", path="crawl/js.html",
                               url=JS_URL, title=CSV_TITLE, fetched_at="2025-03-06T12:00:00Z", source_format="html"),
        "own-site": Document(text=TITLE + "\n\n" + P1 + "\n\n" + P2 + "\n\n" + P3 + "\n", path="crawl/amp.html",
                             url="https://www.lantern-courier.example/amp/ferry", title=TITLE,
                             fetched_at="2025-03-02T08:00:00Z", source_format="html"),
        "escape": Document(text="Notes\n\n" + P3 + " " + P1 + "\n", path="../../../escape/evil",
                           source_format="text"),
    }
    with Registry(db, create=False) as reg:
        summary = run_scan(reg, load_rules(RULES), list(docs.values()), inputs=["crawl/"])
    assert summary.errors == 0
    story.ids = {name: finding_id(d.sha256, "ferry") for name, d in docs.items()}
    story.ids["edited"] = finding_id(hashlib.sha256(EDITED.encode()).hexdigest(), "ferry")
    return story


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Story:
    return build_story(tmp_path_factory.mktemp("story"))


class Tags(HTMLParser):
    """Every start tag with its attributes, to check what a browser would run or load."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    p = Tags()
    p.feed(html)
    return p.tags


def assert_inert(html: str) -> None:
    """Nothing in the page can run or load: no script, no handlers, only http(s) links, a strict CSP."""
    tags = tags_of(html)
    names = [t for t, _ in tags]
    assert "script" not in names and "iframe" not in names and "object" not in names and "embed" not in names
    assert "img" not in names and "link" not in names, "the page loads something"
    for tag, attrs in tags:
        for k, v in attrs.items():
            assert not k.startswith("on"), f"<{tag} {k}=...> event handler"
            if k in ("href", "src", "action", "xlink:href"):
                assert v and v.startswith(("https://", "http://")), f"<{tag} {k}={v!r}>"
    csp = [a for t, a in tags if t == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy"]
    assert csp and "default-src 'none'" in csp[0]["content"] and "script" not in csp[0]["content"]
    assert "url(" not in html, "CSS loads a resource"


# ---------------------------------------------------------------- tests

def test_summary_groups_per_publisher_then_site_with_contact_and_share(story, tmp_path):
    """The JSON summary groups findings per publisher, then per site host, with the contact and each work's share."""
    r = story.run("report", "--out", tmp_path, "--format", "json")
    assert r.exit_code == 0, r.output
    assert r.stdout.strip() == str(tmp_path / "summary.json")
    s = json.loads((tmp_path / "summary.json").read_text())
    (p,) = s["publishers"]
    assert (p["publisher"], p["holder"], p["contact_email"]) == (HOLDER, HOLDER, EMAIL)
    assert p["notice"].startswith("© 2025 Lantern Bay Courier Ltd.")
    sites = {x["site"]: x for x in p["sites"]}
    assert set(sites) == {"copycat.example", "www.lantern-courier.example", "(no URL: crawl/js.html)",
                          f"(no URL: {story.root / 'edited.txt'})", "(no URL: ../../../escape/evil)"}
    assert sites["copycat.example"]["counts"] == {"violation": 1}
    assert sites["www.lantern-courier.example"]["counts"] == {"licensed": 1}
    assert p["counts"] == {"violation": 4, "licensed": 1}
    assert p["copied_words"] == sum(x["copied_words"] for x in p["sites"]) > 0
    (w,) = p["works"]
    assert w["id"] == "ferry" and w["sites"] == 5 and 0.9 < w["share"] <= 1.0  # the own-site copy is whole
    cc = sites["copycat.example"]
    assert cc["works"][0]["share"] == cc["findings"][0]["work_coverage"] and 0.3 < cc["works"][0]["share"] < 0.8
    assert s["totals"]["findings"] == 5 and s["totals"]["counts"] == {"violation": 4, "licensed": 1}
    assert {f["id"] for x in p["sites"] for f in x["findings"]} == set(story.ids.values())


def test_summary_charts_count_verdicts_sites_and_words_over_time(story):
    """The chart series say how many findings per verdict, which sites copy most, and copied words per day."""
    s = json.loads(story.run("report", "--format", "json", "--stdout").stdout)
    assert s["charts"]["verdicts"] == [{"label": "violation", "value": 4}, {"label": "review", "value": 0},
                                       {"label": "permitted-excerpt", "value": 0}, {"label": "licensed", "value": 1}]
    top = s["charts"]["sites"]
    assert len(top) == 4 and all(t["violations"] == 1 for t in top)
    assert "www.lantern-courier.example" not in {t["label"] for t in top}, "a licensed copy is not infringing"
    assert [t["value"] for t in top] == sorted((t["value"] for t in top), reverse=True)
    months = {p["label"]: p["value"] for p in s["charts"]["timeline"]}
    findings = [f for x in s["publishers"][0]["sites"] for f in x["findings"]]
    expected: dict[str, int] = {}
    for f in findings:  # capture month, else (no capture time) the month the finding was made
        month = (f["document"]["fetched_at"] or f["updated_at"])[:7]
        expected[month] = expected.get(month, 0) + f["copied_words"]
    assert {m: n for m, n in months.items() if n} == expected
    assert expected["2025-03"] > 0 and months["2025-04"] == 0, "gap months are filled so the time axis is honest"


def test_timeline_is_per_day_over_short_spans():
    """Findings within two months are charted per day, with empty days filled in."""
    from compliance.report import _timeline

    fs = [{"document": {"fetched_at": d}, "copied_words": n} for d, n in
          (("2025-03-01T10:00:00Z", 5), ("2025-03-04T00:00:00Z", 7), ("2025-03-04T23:00:00Z", 1))]
    assert _timeline(fs) == [{"label": "2025-03-01", "value": 5}, {"label": "2025-03-02", "value": 0},
                             {"label": "2025-03-03", "value": 0}, {"label": "2025-03-04", "value": 8}]


def test_filters_by_verdict_publisher_and_since(story):
    """--verdict, --publisher and --since narrow the summary; a bad date is a one-line error (exit 2)."""
    def totals(*args: str) -> dict:
        r = story.run("report", "--format", "json", "--stdout", *args)
        assert r.exit_code == 0, r.output
        return json.loads(r.stdout)["totals"]

    assert totals("--verdict", "licensed")["counts"] == {"licensed": 1}
    assert totals("--verdict", "violation")["findings"] == 4
    assert totals("--publisher", HOLDER)["findings"] == 5
    r = story.run("report", "--format", "json", "--stdout", "--publisher", "Nobody Ltd")
    assert json.loads(r.stdout)["totals"]["findings"] == 0 and "no publisher named 'Nobody Ltd'" in r.stderr
    assert totals("--since", "2000-01-01")["findings"] == 5
    assert totals("--since", "2999-01-01")["findings"] == 0
    r = story.run("report", "--since", "yesterday")
    assert r.exit_code == 2 and r.stderr.startswith("Error: --since 'yesterday': not a date")


def test_every_format_is_written_atomically_into_out(story, tmp_path):
    """By default the report writes HTML, Markdown, JSON and CSV, and nothing else is left in the folder."""
    r = story.run("report", "--out", tmp_path / "r")
    assert r.exit_code == 0
    names = sorted(p.name for p in (tmp_path / "r").iterdir())
    assert names == ["summary.csv", "summary.html", "summary.json", "summary.md"]
    assert r.stdout.splitlines() == [str(tmp_path / "r" / n) for n in ("summary.html", "summary.md",
                                                                      "summary.json", "summary.csv")]
    assert "5 finding(s) for 1 publisher(s) on 5 site(s)." in r.stderr


def test_html_summary_is_self_contained_with_inline_svg_charts(story, tmp_path):
    """The HTML page opens with three inline SVG charts, the contact, the site hosts, and loads nothing."""
    story.run("report", "--out", tmp_path, "--format", "html")
    html = (tmp_path / "summary.html").read_text()
    assert_inert(html)
    charts = html.index('id="charts"')
    assert charts < html.index('class="publisher"'), "the charts come first"
    for chart in ("svg-verdicts", "svg-sites", "svg-timeline"):
        assert f'<svg viewBox="0 0' in html and f'id="{chart}"' in html
    assert html.count("<svg") == 3 and "<rect" in html
    assert f'<span class="contact-email">{EMAIL}</span>' in html
    assert "<span class=\"host\">copycat.example</span>" in html


def test_hostile_crawled_strings_are_escaped_in_html(story, tmp_path):
    """A page title and URL carrying <script>, onerror= and javascript: payloads show as text, never as markup."""
    story.run("report", "--out", tmp_path, "--format", "html")
    html = (tmp_path / "summary.html").read_text()
    assert_inert(html)
    assert "&lt;script&gt;window.__pwned = 1" in html  # the title, shown as text
    assert "javascript:window.__pwned=4" in html  # the javascript: URL, shown as text only
    assert 'href="javascript' not in html
    links = [a["href"] for t, a in tags_of(html) if t == "a"]
    assert links == [HOSTILE_URL.replace('"', "%22").replace("<", "%3C").replace(">", "%3E"),
                     "https://www.lantern-courier.example/amp/ferry"]


def test_markdown_escapes_hostile_strings_and_names_the_contact(story):
    """The Markdown summary shows the contact and cannot be turned into HTML or broken tables by a crawled title."""
    md = story.run("report", "--format", "md", "--stdout").stdout
    assert f"Rights contact: **{HOLDER}**, {EMAIL}" in md
    assert "<script" not in md and "<img" not in md
    rows = [line for line in md.splitlines() if line.startswith(f"| {story.ids['hostile']} |")]
    assert len(rows) == 1 and rows[0].count(" | ") == 6, "a crawled string broke the table"


def test_csv_has_one_row_per_finding_and_defuses_formulas(story):
    """The CSV has a row per finding with the contact and site; a title starting with = cannot run in a spreadsheet."""
    text = story.run("report", "--format", "csv", "--stdout").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 5 and {r["contact_email"] for r in rows} == {EMAIL}
    js = next(r for r in rows if r["copy_path"] == "crawl/js.html")
    assert js["copy_title"] == "'" + CSV_TITLE
    assert js["copy_url"] == JS_URL and js["site"] == "(no URL: crawl/js.html)"
    assert {r["verdict"] for r in rows} == {"violation", "licensed"}


def test_stdout_needs_one_format(story):
    """--stdout with several formats is a usage error, not a mix of formats on one stream."""
    r = story.run("report", "--stdout")
    assert r.exit_code == 2 and "--stdout needs exactly one format" in r.stderr


def test_report_without_registry_is_a_clear_error(tmp_path):
    """Reporting from a registry that does not exist names the file and exits 2."""
    r = CliRunner().invoke(cli, ["--db", str(tmp_path / "none.db"), "report", "--out", str(tmp_path)])
    assert r.exit_code == 2 and "none.db: registry not found" in r.stderr
    assert not list(tmp_path.iterdir())


def test_empty_registry_gives_an_empty_but_valid_report(tmp_path):
    """A registry without findings still gives a report that says so, with empty charts."""
    from compliance.registry import Registry

    Registry(tmp_path / "r.db").close()
    r = CliRunner().invoke(cli, ["--db", str(tmp_path / "r.db"), "report", "--out", str(tmp_path / "out")])
    assert r.exit_code == 0
    html = (tmp_path / "out" / "summary.html").read_text()
    assert_inert(html)
    assert 'id="no-findings"' in html and "No dated findings." in html
    assert "No findings." in (tmp_path / "out" / "summary.md").read_text()


def test_md_escape_neutralises_markdown_and_html():
    """md_escape turns links, emphasis, pipes and tags into literal text."""
    from compliance.report import md_escape, safe_href

    assert md_escape("[x](javascript:alert(1)) *a* | <b>") == \
        r"\[x\]\(javascript:alert\(1\)\) \*a\* \| &lt;b&gt;"
    assert md_escape("# title\nline") == r"\# title line"
    assert safe_href("https://a.example/x") == "https://a.example/x"
    assert safe_href("javascript:alert(1)") is None and safe_href("data:text/html,x") is None
    assert safe_href("https://a.example/\nx") is None
