"""Rights signals: each source (TDMRep headers, <meta>, tdmrep.json; robots.txt; noai; licence link), read
from built WARCs and stated in evidence packets with their capture, a missing one stated as missing."""

from __future__ import annotations

import json

import pytest
from cases_helpers import COPYCAT, ORIGIN, cli_for, copy_page, register_works, write_warc
from click.testing import CliRunner
from conftest import RULES
from test_cases import copy_registry

from compliance.cli import cli
from compliance.signals import (
    ai_agents_disallowed,
    capture_kind,
    parse_robots,
    parse_tdmrep,
    robots_rules_for,
    tdmrep_rule_for,
)

AGENTS = ("GPTBot", "CCBot", "Google-Extended", "ClaudeBot", "anthropic-ai", "PerplexityBot", "Bytespider")


# ---------------------------------------------------------------- robots.txt, read as RFC 9309 says

def test_robots_named_group_star_group_and_no_group():
    """An agent's own group applies (case ignored, version ignored); else the * group; else nothing."""
    text = ("# site rules\nUser-agent: gptbot/1.2\nUser-Agent: CCBot\nDisallow: /\n\n"
            "User-agent: *\nDisallow: /private/\n")
    groups = parse_robots(text)
    assert robots_rules_for(groups, "GPTBot")[0] == "GPTBot"
    assert robots_rules_for(groups, "ClaudeBot")[0] == "*"
    out = ai_agents_disallowed(text, AGENTS, "https://copycat.example/news/a")
    assert out["disallowed"] == ["GPTBot", "CCBot"]
    by = {a["agent"]: a for a in out["agents"]}
    assert by["GPTBot"]["rule"] == "line 4: Disallow: /" and by["GPTBot"]["site_disallowed"]
    assert by["ClaudeBot"]["allowed"] and by["ClaudeBot"]["group"] == "*"
    private = ai_agents_disallowed(text, AGENTS, "https://copycat.example/private/x")
    assert private["disallowed"] == list(AGENTS)
    assert ai_agents_disallowed("User-agent: Googlebot\nDisallow: /\n", AGENTS, "https://x.example/")["disallowed"] == []


def test_robots_longest_match_wins_and_allow_wins_a_tie():
    """The most specific rule decides; on equal length allow wins; * and $ work as wildcards and anchors."""
    text = ("User-agent: GPTBot\nDisallow: /news/\nAllow: /news/public/\nDisallow: /*.pdf$\n"
            "Allow: /tie\nDisallow: /tie\n")
    check = {u: ai_agents_disallowed(text, ["GPTBot"], "https://s.example" + u)["disallowed"] for u in
             ("/news/a", "/news/public/a", "/doc.pdf", "/doc.pdf?x=1", "/tie", "/other")}
    assert check == {"/news/a": ["GPTBot"], "/news/public/a": [], "/doc.pdf": ["GPTBot"], "/doc.pdf?x=1": [],
                     "/tie": [], "/other": []}


def test_robots_parser_is_linear_on_hostile_patterns():
    """A robots.txt made to make a backtracking matcher explode is read at once."""
    import time

    text = "User-agent: GPTBot\n" + "Disallow: /" + "*a" * 500 + "b\n"
    t0 = time.perf_counter()
    out = ai_agents_disallowed(text, ["GPTBot"], "https://s.example/" + "a" * 1500)
    assert out["disallowed"] == [] and time.perf_counter() - t0 < 2


def test_tdmrep_json_first_matching_rule():
    """tdmrep.json: the first rule whose location matches the page's path applies; bad files are reported."""
    rules, err = parse_tdmrep(json.dumps([
        {"location": "/news/free/*", "tdm-reservation": 0},
        {"location": "/news/*", "tdm-reservation": 1, "tdm-policy": "https://copycat.example/policy.json"},
        {"location": "/*", "tdm-reservation": 0}]))
    assert err is None
    assert tdmrep_rule_for(rules, "https://copycat.example/news/a")["tdm-reservation"] == 1
    assert tdmrep_rule_for(rules, "https://copycat.example/news/free/a")["tdm-reservation"] == 0
    assert tdmrep_rule_for(rules, "https://copycat.example/about")["location"] == "/*"
    assert parse_tdmrep("{not json")[1].startswith("not valid JSON")
    assert parse_tdmrep('"a string"')[1] == "not a JSON array of rules"


def test_capture_kind():
    assert capture_kind("https://a.example/robots.txt") == "robots.txt"
    assert capture_kind("http://a.example/.well-known/tdmrep.json") == "tdmrep.json"
    assert capture_kind("https://a.example/news/robots.txt") is None
    assert capture_kind("ftp://a.example/robots.txt") is None


# ---------------------------------------------------------------- from the crawl to the evidence packet

HOSTILE_POLICY = 'https://copycat.example/p"><script>alert(1)</script>'


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> dict:
    """A crawl holding the copy (with TDM headers, <meta> tdm, noai, a licence link), the copier's robots.txt
    and tdmrep.json, and the publisher's original page; and a second copy on a bare site with nothing."""
    base = tmp_path_factory.mktemp("signals")
    db = base / "registry.db"
    run = cli_for(db, RULES)

    works = register_works(run, base / "works")
    head = ('<meta name="tdm-reservation" content="1"><meta name="tdm-policy" content="' + HOSTILE_POLICY.replace(
        '"', "&quot;").replace("<", "&lt;") + '">'
            '<meta name="robots" content="index, noai, noimageai"><link rel="license" href="https://copycat.example/terms">')
    recs = write_warc(base / "crawl.warc.gz", [
        {"url": f"{COPYCAT}/robots.txt", "date": "2025-02-01T00:00:00Z", "content_type": "text/plain",
         "body": "User-agent: GPTBot\nUser-agent: CCBot\nDisallow: /\n\nUser-agent: *\nDisallow: /admin/\n"},
        {"url": f"{COPYCAT}/.well-known/tdmrep.json", "date": "2025-02-01T00:00:00Z",
         "content_type": "application/json",
         "body": json.dumps([{"location": "/news/*", "tdm-reservation": 1,
                              "tdm-policy": "https://copycat.example/tdm-policy.json"}])},
        {"url": f"{COPYCAT}/news/a", "date": "2025-03-01T10:00:00Z", "body": copy_page(works["story-0"]["paras"], head=head),
         "headers": [("TDM-Reservation", "1"), ("TDM-Policy", "https://copycat.example/tdm-policy.json"),
                     ("X-Robots-Tag", "noai")]},
        {"url": f"{ORIGIN}/robots.txt", "date": "2025-02-01T00:00:00Z", "content_type": "text/plain",
         "status": "404 Not Found", "body": "not found"},
        {"url": works["story-0"]["url"], "date": "2025-01-15T00:00:00Z",
         "body": copy_page(works["story-0"]["paras"], "Original", head='<meta name="robots" content="noai">'),
         "headers": [("tdm-reservation", "1")]},
        {"url": "https://bare.example/copy", "date": "2025-03-01T10:00:00Z", "body": copy_page(works["story-1"]["paras"])},
    ])
    r = run("scan", base / "crawl.warc.gz", "--workers", "1", "--format", "json")
    assert r.exit_code == 0, r.stderr
    found = {f["document"]["url"]: f["id"] for f in json.loads(r.stdout)}
    return {"db": db, "works": works, "records": {x["url"]: x["id"] for x in recs}, "findings": found, "base": base}


@pytest.fixture
def packet(crawled, tmp_path):
    db = copy_registry(crawled["db"], tmp_path / "registry.db")
    runner = CliRunner()

    def make(finding: str, rules=RULES) -> dict:
        args = ["--db", str(db)] + (["--rules", str(rules)] if rules else []) + [
            "evidence", finding, "--out", str(tmp_path / "out")]
        r = runner.invoke(cli, args, catch_exceptions=False)
        assert r.exit_code == 0, r.stderr
        return json.loads((tmp_path / "out" / "evidence" / finding / "evidence.json").read_text())

    return make


def _signals(side: dict) -> dict[tuple[str, str], dict]:
    return {(s["signal"], s["source"]): s for s in side["signals"]}


def test_the_copy_states_every_signal_with_its_capture(crawled, packet, tmp_path):
    """Each source of the copy is stated with the WARC record it comes from."""
    fid = crawled["findings"][f"{COPYCAT}/news/a"]
    copy = _signals(packet(fid)["items"][0]["rights"]["copy"])
    rec = crawled["records"]
    page, robots, tdm = rec[f"{COPYCAT}/news/a"], rec[f"{COPYCAT}/robots.txt"], rec[f"{COPYCAT}/.well-known/tdmrep.json"]
    header = copy[("tdm-reservation", "http-header")]
    assert header["state"] == "stated" and header["value"] == "1" and header["capture"]["warc_record_id"] == page
    assert header["capture"]["warc_date"] == "2025-03-01T10:00:00Z"
    assert copy[("tdm-policy", "http-header")]["value"] == "https://copycat.example/tdm-policy.json"
    assert copy[("tdm-reservation", "meta")]["value"] == "1"
    assert copy[("tdm-policy", "meta")]["value"] == HOSTILE_POLICY
    well_known = copy[("tdm-reservation", "tdmrep.json")]
    assert well_known["state"] == "stated" and well_known["value"]["location"] == "/news/*"
    assert well_known["capture"]["warc_record_id"] == tdm
    rob = copy[("robots.txt", "robots.txt")]
    assert rob["state"] == "stated" and rob["disallowed"] == ["GPTBot", "CCBot"]
    assert rob["capture"]["warc_record_id"] == robots and "by name: GPTBot, CCBot" in rob["statement"]
    noai = [s for s in packet(fid)["items"][0]["rights"]["copy"]["signals"] if s["signal"] == "noai"]
    assert [(s["source"], s["value"]) for s in noai] == [("meta", ["noai", "noimageai"]), ("http-header", ["noai"])]
    assert copy[("licence-link", "link")]["value"] == ["https://copycat.example/terms"]


def test_the_original_states_what_the_crawl_holds_and_not_captured_for_the_rest(crawled, packet):
    """The publisher's original page: its header and noai are stated; its robots.txt answered 404 (a missing
    signal, stated as such); its tdmrep.json is not in the crawl (not captured)."""
    fid = crawled["findings"][f"{COPYCAT}/news/a"]
    orig = _signals(packet(fid)["items"][0]["rights"]["original"])
    assert orig[("tdm-reservation", "http-header")]["state"] == "stated"
    assert orig[("tdm-policy", "http-header")]["state"] == "missing"
    assert orig[("tdm-reservation", "meta")]["statement"].startswith('missing: no <meta name="tdm-reservation">')
    assert orig[("noai", "meta")]["value"] == ["noai"]
    assert orig[("robots.txt", "robots.txt")]["state"] == "missing" and "HTTP 404" in \
        orig[("robots.txt", "robots.txt")]["statement"]
    assert orig[("tdm-reservation", "tdmrep.json")]["state"] == "not-captured"
    assert orig[("licence-link", "link")]["state"] == "missing"


def test_a_bare_copy_states_each_signal_as_missing_or_not_captured(crawled, packet):
    """A copy whose page says nothing and whose site files are not in the crawl: nothing is guessed."""
    fid = crawled["findings"]["https://bare.example/copy"]
    copy = packet(fid)["items"][0]["rights"]["copy"]
    states = {(s["signal"], s["source"]): s["state"] for s in copy["signals"]}
    assert states == {("tdm-reservation", "http-header"): "missing", ("tdm-policy", "http-header"): "missing",
                      ("tdm-reservation", "meta"): "missing", ("tdm-policy", "meta"): "missing",
                      ("tdm-reservation", "tdmrep.json"): "not-captured", ("robots.txt", "robots.txt"): "not-captured",
                      ("noai", "meta"): "missing", ("licence-link", "link"): "missing"}
    assert all(s["statement"].startswith(("missing:", "not captured:")) for s in copy["signals"])


def test_a_copy_read_from_a_text_file_has_no_signals_available(tmp_path):
    """A copy from a plain file has no URL: every signal is 'not available', never guessed."""
    from compliance.signals import page_rights_statement

    out = page_rights_statement(None, None, crawlers=("GPTBot",))
    assert {s["state"] for s in out["signals"]} == {"not-available"} and "no http(s) URL" in out["note"]


def test_signals_are_escaped_in_the_html_and_markdown_packets(crawled, packet, tmp_path):
    """Signal values come from crawled pages: the packet's HTML and Markdown escape them."""
    fid = crawled["findings"][f"{COPYCAT}/news/a"]
    packet(fid)
    folder = tmp_path / "out" / "evidence" / fid
    html = (folder / "evidence.html").read_text()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'class="rights rights-copy"' in html and "Rights signals" in html
    md = (folder / "evidence.md").read_text()
    assert "<script>" not in md and "### Rights signals" in md
    assert "robots.txt disallows AI crawlers" in md


def test_without_rules_robots_txt_is_quoted_without_a_verdict(crawled, packet, tmp_path):
    """When rules/ cannot be loaded, the packet still says robots.txt was captured, and that no agent list was
    available to look up."""
    broken = tmp_path / "broken-rules"
    broken.mkdir()
    (broken / "x.toml").write_text('id = "x"\nkind = "poem"\n')
    fid = crawled["findings"][f"{COPYCAT}/news/a"]
    copy = _signals(packet(fid, rules=broken)["items"][0]["rights"]["copy"])
    assert "could not be loaded" in copy[("robots.txt", "robots.txt")]["statement"]


def test_captures_are_recorded_only_for_pages_that_copy_works_own_pages_and_site_files(crawled):
    """Scanning records the rights files, the copying pages and the registered works' pages; not every page."""
    import sqlite3

    conn = sqlite3.connect(crawled["db"])
    rows = sorted(conn.execute("SELECT kind, url FROM captures").fetchall())
    conn.close()
    assert rows == sorted([
        ("robots.txt", f"{COPYCAT}/robots.txt"), ("tdmrep.json", f"{COPYCAT}/.well-known/tdmrep.json"),
        ("page", f"{COPYCAT}/news/a"), ("robots.txt", f"{ORIGIN}/robots.txt"),
        ("page", crawled["works"]["story-0"]["url"]), ("page", "https://bare.example/copy")])
