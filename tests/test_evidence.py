"""Takedown evidence: counsel writes a packet for a copy, sends the drafts, and later proves nothing changed."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from test_report import (EMAIL, HOLDER, HOSTILE_EXTRA, HOSTILE_TEXT, HOSTILE_TITLE, HOSTILE_URL, JS_URL, NOTICE,
                         TITLE, WORK, WORK_URL, Story, assert_inert, build_story, tags_of)

FILES = ["dmca-notice.txt", "dsa-notice.txt", "evidence.html", "evidence.json", "evidence.md", "google-removal.txt",
         "manifest.json"]


@pytest.fixture(scope="module")
def packets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Story, Path]:
    """A story, with the packet for the hostile copy and for the copycat.example site written under reports/."""
    story = build_story(tmp_path_factory.mktemp("evidence"))
    out = story.root / "reports"
    r = story.run("evidence", story.ids["hostile"], "--out", out)
    assert r.exit_code == 0, r.output
    r = story.run("evidence", "--site", "copycat.example", "--out", out)
    assert r.exit_code == 0, r.output
    return story, out


def _packet(packets: tuple[Story, Path], name: str = "hostile") -> Path:
    story, out = packets
    return out / "evidence" / story.ids[name]


def _json(packets: tuple[Story, Path]) -> dict:
    return json.loads((_packet(packets) / "evidence.json").read_text())


def test_packet_holds_every_format_and_a_manifest(packets):
    """One finding gives HTML, Markdown, JSON, the three plain-text drafts and a manifest hashing each file."""
    story, out = packets
    folder = _packet(packets)
    assert sorted(p.name for p in folder.iterdir()) == FILES
    manifest = json.loads((folder / "manifest.json").read_text())
    assert sorted(manifest["files"]) == sorted(set(FILES) - {"manifest.json"})
    import hashlib

    for name, sha in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == sha


def test_provenance_header(packets):
    """The packet says which tool, registry and rules made it, with the scan's options, UTC times and a disclaimer."""
    story, _ = packets
    pv = _json(packets)["provenance"]
    assert pv["tool"] == "compliance" and re.fullmatch(r"\d+\.\d+\.\d+.*", pv["version"])
    assert pv["registry"] == str(story.db) and re.fullmatch(r"g\d+-n1", pv["registry_version"])
    assert re.fullmatch(r"[0-9a-f]{8,}", pv["rules_version"])
    assert pv["generated_at"].endswith("Z") and pv["timezone"] == "UTC"
    (run,) = pv["scan_runs"]
    assert run["options"]["rescan"] is False and run["inputs"] == ["crawl/"] and run["status"] == "done"
    assert run["rules_version"] == pv["rules_version"] and run["started_at"].endswith("Z")
    assert "not legal advice" in pv["notice"]
    assert pv["scope"] == {"finding": story.ids["hostile"], "site": None}
    html = (_packet(packets) / "evidence.html").read_text()
    assert "not legal advice" in html and pv["rules_version"] in html and '"rescan": false' in html


def test_work_section(packets):
    """The work: title, publisher, holder, notice, canonical URL, date and the registry record's SHA-256."""
    story, _ = packets
    (item,) = _json(packets)["items"]
    w = item["work"]
    with sqlite3.connect(story.db) as con:
        sha = con.execute("SELECT sha256 FROM works WHERE id = 'ferry'").fetchone()[0]
    assert (w["title"], w["publisher"], w["holder"], w["url"], w["published"]) == \
        (TITLE, HOLDER, HOLDER, WORK_URL, "2025-03-01")
    assert w["notice"] == NOTICE and w["sha256"] == sha and w["contact_email"] == EMAIL
    md = (_packet(packets) / "evidence.md").read_text()
    assert f"| Registry record SHA-256 | {sha} |" in md and f"| Canonical URL | {WORK_URL} |" in md


def test_copy_section(packets):
    """The copy: URL, capture time, WARC record id, SHA-256 of the raw capture and of the text, page title."""
    story, _ = packets
    (item,) = _json(packets)["items"]
    c = item["copy"]
    with sqlite3.connect(story.db) as con:
        sha, raw = con.execute("SELECT sha256, raw_sha256 FROM documents WHERE url = ?", [HOSTILE_URL]).fetchone()
    assert (c["url"], c["fetched_at"], c["title"], c["site"]) == \
        (HOSTILE_URL, "2025-03-04T09:30:00Z", HOSTILE_TITLE, "copycat.example")
    assert c["warc_record_id"] == "<urn:uuid:5b0e7c1e-4d59-4f0c-9a43-1d2c3e4f5a6b>"
    assert (c["sha256"], c["raw_sha256"]) == (sha, raw) and sha != raw


def test_matches_side_by_side_with_differences(packets):
    """Each passage shows the original and the copy from the stored texts, with offsets and changed words marked."""
    (item,) = _json(packets)["items"]
    assert item["matches"], "no passages"
    for m in item["matches"]:
        assert m["original"] == WORK[m["work_start"]:m["work_end"]]
        assert m["copy"] == HOSTILE_TEXT[m["doc_start"]:m["doc_end"]]
        assert "".join(s["text"] for s in m["original_segments"]) == m["original"]
        assert "".join(s["text"] for s in m["copy_segments"]) == m["copy"]
        assert m["method"] in ("exact", "edited", "reordered", "near") and 0 < m["similarity"] <= 1
    assert sum(m["words"] for m in item["matches"]) == item["finding"]["copied_words"]
    assert item["finding"]["work_coverage"] == pytest.approx(sum(m["share"] for m in item["matches"]), abs=0.01)
    changed = [s["text"] for m in item["matches"] for s in m["copy_segments"] if s["op"] != "same"]
    assert any("sunrise" in t for t in changed), changed
    html = (_packet(packets) / "evidence.html").read_text()
    assert 'class="passage passage-original"' in html and 'class="passage passage-copy"' in html
    assert re.search(r'<mark class="d-chg"[^>]*>sunrise', html) and '<del class="d-del"' in html or \
        '<ins class="d-ins"' in html
    md = (_packet(packets) / "evidence.md").read_text()
    assert "from [~dawn~], and" in md and "from [~sunrise~], and" in md


def test_word_diff_marks_inserted_deleted_and_changed_words():
    """word_diff keeps both texts exact and marks what the copy added, dropped and changed."""
    from compliance.evidence import word_diff

    left, right = word_diff("The blue ferry left at dawn today.", "The “old” ferry  left at sunrise, today.")
    assert "".join(s["text"] for s in left) == "The blue ferry left at dawn today."
    assert "".join(s["text"] for s in right) == "The “old” ferry  left at sunrise, today."
    assert [s["op"] for s in left] == ["same", "chg", "same", "chg", "same"]
    assert {s["op"] for s in right} == {"same", "chg"}
    left, right = word_diff("one two three four", "one three four five")
    assert [(s["op"], s["text"]) for s in left] == [("same", "one "), ("del", "two "), ("same", "three four")]
    assert [(s["op"], s["text"]) for s in right] == [("same", "one "), ("same", "three "), ("chg", "four five")] \
        or ("ins", "five") in [(s["op"], s["text"]) for s in right]


def test_attribution_and_licence_check(packets):
    """The packet lists what credit was looked for and what was found, and the licence terms behind the verdict."""
    (item,) = _json(packets)["items"]
    a = item["attribution"]
    looked = {(x["kind"], x["text"]) for x in a["looked_for"]}
    assert {("publisher", HOLDER), ("domain", "lantern-courier.example"), ("url", WORK_URL)} <= looked
    assert any(x["kind"] == "notice" and x["text"].startswith("© 2025 Lantern Bay") for x in a["looked_for"])
    (found,) = [x for x in a["found"] if x["kind"] == "publisher"]
    assert found["where"] == "extra" and HOSTILE_EXTRA[found["start"]:found["end"]].rstrip(".") == HOLDER.rstrip(".")
    assert a["credited"] is True
    lic = item["licence"]
    assert lic["all_rights_reserved"] is True and lic["verdict"] == "violation" and lic["rules"]
    html = (_packet(packets) / "evidence.html").read_text()
    assert "found by this packet" in html and "All rights reserved" in html


DMCA_ELEMENTS = {
    "(i) signature of a person authorized to act for the owner":
        [r"\[17 U\.S\.C\. § 512\(c\)\(3\)\(A\)\(i\)\]", r"Signature: /\[SIGNATURE OF THE AUTHORIZED PERSON\]/",
         r"Name: \[FULL NAME\]"],
    "(ii) identification of the copyrighted work":
        [r"\(A\)\(ii\)\]", "IDENTIFICATION OF THE COPYRIGHTED WORK", re.escape(f'"{TITLE}"'), re.escape(WORK_URL),
         re.escape(NOTICE)],
    "(iii) identification of the infringing material, with its URL":
        [r"\(A\)\(iii\)\]", "IDENTIFICATION OF THE INFRINGING MATERIAL", "REASONABLY SUFFICIENT TO LOCATE IT",
         re.escape(f"URL: {HOSTILE_URL}"), r"Passage 1 begins: "],
    "(iv) contact information of the complaining party":
        [r"\(A\)\(iv\)\]", re.escape(f"Complaining party: {HOLDER}"), re.escape(f"E-mail: {EMAIL}"),
         r"Postal address: \[POSTAL ADDRESS\]", r"Telephone: \[TELEPHONE NUMBER\]"],
    "(v) good-faith statement":
        [r"\(A\)\(v\)\]", re.escape("I have a good faith belief that use of the material in the manner complained "
                                    "of is not authorized by the copyright owner, its agent, or the law.")],
    "(vi) accuracy statement under penalty of perjury, with authority to act":
        [r"\(A\)\(vi\)\]", re.escape("The information in this notification is accurate, and under penalty of "
                                     "perjury, I am authorized to act on behalf of the owner of an exclusive right "
                                     "that is allegedly infringed.")],
}


@pytest.mark.parametrize("element", list(DMCA_ELEMENTS))
def test_dmca_draft_has_each_element_of_512c3(packets, element):
    """The DMCA draft carries this element of 17 U.S.C. § 512(c)(3)(A)."""
    text = (_packet(packets) / "dmca-notice.txt").read_text()
    for pattern in DMCA_ELEMENTS[element]:
        assert re.search(pattern, text), f"{element}: {pattern!r} missing"


def test_dmca_draft_is_plain_text_without_control_characters(packets):
    """Crawled strings cannot smuggle lines or terminal escapes into a notice."""
    text = (_packet(packets) / "dmca-notice.txt").read_text()
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text)
    title_lines = [ln for ln in text.splitlines() if ln.strip().startswith("Page title:")]
    assert title_lines == [f"     Page title: {HOSTILE_TITLE}"]


def test_dsa_notice_has_the_article_16_elements(packets):
    """The DSA draft has Article 16(2)(a)-(d): reasons, exact URL, notifier's name and e-mail, bona fide statement."""
    text = (_packet(packets) / "dsa-notice.txt").read_text()
    for part in ("[Article 16(2)(a)]", "[Article 16(2)(b)]", "[Article 16(2)(c)]", "[Article 16(2)(d)]"):
        assert part in text
    b = text[text.index("[Article 16(2)(b)]"):text.index("[Article 16(2)(c)]")]
    assert HOSTILE_URL in b
    assert f"E-mail: {EMAIL}" in text and f"Name: {HOLDER}" in text
    assert ("I confirm my bona fide belief that the information and allegations contained in this notice are "
            "accurate and complete.") in text


def test_google_bulk_file_is_comments_then_one_url_per_line(packets):
    """The Google file describes the work in # lines, then lists only http(s) infringing URLs, one per line."""
    story, out = packets
    text = (_packet(packets) / "google-removal.txt").read_text()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    urls = [ln for ln in lines if not ln.startswith("#")]
    assert urls == [HOSTILE_URL.replace('"', "%22").replace("<", "%3C").replace(">", "%3E")]
    assert f'# Work: "{TITLE}"' in lines and f"# Original URL: {WORK_URL}" in lines
    first_url = lines.index(urls[0])
    assert all(ln.startswith("#") for ln in lines[:first_url])


def test_site_packet_covers_every_violation_on_the_site(packets):
    """--site writes one packet for all violations whose copy is on that host."""
    story, out = packets
    folder = out / "evidence" / "site-copycat.example"
    data = json.loads((folder / "evidence.json").read_text())
    assert data["provenance"]["scope"] == {"finding": None, "site": "copycat.example"}
    assert [it["finding"]["id"] for it in data["items"]] == [story.ids["hostile"]]
    assert sorted(p.name for p in folder.iterdir()) == FILES


def test_site_without_violations_is_a_clear_error(packets):
    """Asking for a site with no violations names the sites that have some (exit 2)."""
    story, out = packets
    r = story.run("evidence", "--site", "www.lantern-courier.example", "--out", out)
    assert r.exit_code == 2
    assert r.stderr.startswith("Error: no violation findings for site 'www.lantern-courier.example'")
    assert "copycat.example" in r.stderr


def test_unknown_or_ambiguous_finding_is_a_clear_error(packets):
    """An unknown finding id, or a malformed one, is a one-line error naming the registry (exit 2)."""
    story, out = packets
    r = story.run("evidence", "ffffffffffffffff", "--out", out)
    assert r.exit_code == 2 and "finding ffffffffffffffff is not in" in r.stderr and str(story.db) in r.stderr
    r = story.run("evidence", "../../etc/passwd", "--out", out)
    assert r.exit_code == 2 and "is not a finding id" in r.stderr
    r = story.run("evidence", "--out", out)
    assert r.exit_code == 2 and "give exactly one of" in r.stderr


def test_finding_prefix_is_enough(packets, tmp_path):
    """A unique prefix of a finding id selects it, as with git commits."""
    story, _ = packets
    r = story.run("evidence", story.ids["edited"][:8], "--out", tmp_path, "--format", "json")
    assert r.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "evidence" / story.ids["edited"]).iterdir()) == \
        ["evidence.json", "manifest.json"]


def test_hostile_page_yields_an_inert_packet(packets):
    """<script>, onerror= and javascript: payloads from the crawled page are text in the packet, never markup."""
    html = (_packet(packets) / "evidence.html").read_text()
    assert_inert(html)
    assert "&lt;script&gt;window.__pwned = 1; document.title = &#34;pwned&#34;&lt;/script&gt;" in html  # title
    assert '<ins class="d-ins" title="added in the copy">&lt;img src=x onerror=&#34;window.__pwned = 6&#34;&gt; ' \
        in html  # the payload inside the copied passage, shown as an insertion
    md = (_packet(packets) / "evidence.md").read_text()
    assert "<script" not in md.split("```")[0], "a crawled title became raw HTML in Markdown"
    story, out = packets
    r = story.run("evidence", story.ids["javascript"], "--out", out, "--format", "html,txt")
    assert r.exit_code == 0
    folder = out / "evidence" / story.ids["javascript"]
    html = (folder / "evidence.html").read_text()
    assert_inert(html)
    links = [a["href"] for t, a in tags_of(html) if t == "a"]
    assert JS_URL in html and links == [WORK_URL], "javascript: URL became a link"
    google = (folder / "google-removal.txt").read_text()
    assert [ln for ln in google.splitlines() if ln and not ln.startswith("#")] == []


def test_packet_names_from_urls_and_paths_cannot_leave_reports(packets, tmp_path):
    """--all-sites names packets after hosts and paths, and every file still lands under OUT/evidence/."""
    story, _ = packets
    out = tmp_path / "reports"
    r = story.run("evidence", "--all-sites", "--out", out, "--format", "json")
    assert r.exit_code == 0, r.output
    written = [Path(p) for p in r.stdout.splitlines()]
    base = (out / "evidence").resolve()
    assert written and all(p.resolve().parent.parent == base for p in written)
    names = sorted(p.name for p in base.iterdir())
    assert "site-copycat.example" in names and len(names) == 4  # copycat, edited, escape, js
    assert not (tmp_path.parent / "escape").exists() and not Path("/escape").exists()
    from compliance.errors import ReportError
    from compliance.evidence import write_packet

    data = json.loads((base / "site-copycat.example" / "evidence.json").read_text())
    for bad in ("..", "../x", "", "a/../../b"):
        with pytest.raises(ReportError, match="would leave"):
            write_packet(data, out, bad, ["json"])


def test_verify_accepts_an_untouched_packet(packets):
    """--verify re-computes every hash and exits 0 when the packet and the registry are unchanged."""
    story, out = packets
    r = story.run("evidence", "--verify", _packet(packets))
    assert r.exit_code == 0, r.output
    assert "ok      evidence.html: sha256 ok" in r.stdout and "work ferry: sha256 ok" in r.stdout
    assert "matches its files and the registry" in r.stderr
    r = story.run("evidence", "--verify", _packet(packets), "--format", "json")
    assert json.loads(r.stdout)["ok"] is True


def test_verify_detects_a_changed_byte_in_the_packet(tmp_path):
    """Changing one byte of any packet file makes --verify fail (exit 1) and name the file."""
    story = build_story(tmp_path / "s")
    out = tmp_path / "reports"
    assert story.run("evidence", story.ids["hostile"], "--out", out).exit_code == 0
    folder = out / "evidence" / story.ids["hostile"]
    for name in ("evidence.html", "dmca-notice.txt", "evidence.json"):
        path = folder / name
        original = path.read_bytes()
        i = original.index(b"Lantern")
        path.write_bytes(original[:i] + b"l" + original[i + 1:])
        r = story.run("evidence", "--verify", folder)
        assert r.exit_code == 1, name
        assert f"FAILED  {path}: SHA-256" in r.stdout and "(the file changed)" in r.stdout
        path.write_bytes(original)
        assert story.run("evidence", "--verify", folder).exit_code == 0
    manifest = folder / "manifest.json"
    m = json.loads(manifest.read_text())
    m["generated_at"] = "2020-01-01T00:00:00Z"
    manifest.write_text(json.dumps(m))
    r = story.run("evidence", "--verify", folder)
    assert r.exit_code == 1 and "manifest digest does not match" in r.stdout


def test_verify_detects_a_changed_registry_record(tmp_path):
    """Editing the registered work or the stored copy after the packet was written makes --verify fail."""
    story = build_story(tmp_path / "s")
    out = tmp_path / "reports"
    assert story.run("evidence", story.ids["hostile"], "--out", out).exit_code == 0
    folder = out / "evidence" / story.ids["hostile"]
    with sqlite3.connect(story.db) as con:
        con.execute("UPDATE works SET text = replace(text, 'eleven weeks', 'twelve weeks') WHERE id = 'ferry'")
    r = story.run("evidence", "--verify", folder)
    assert r.exit_code == 1
    assert "work 'ferry' text no longer hashes to its recorded SHA-256" in r.stdout
    assert "does NOT match" in r.stderr
    with sqlite3.connect(story.db) as con:
        con.execute("UPDATE works SET text = replace(text, 'twelve weeks', 'eleven weeks') WHERE id = 'ferry'")
    assert story.run("evidence", "--verify", folder).exit_code == 0
    with sqlite3.connect(story.db) as con:
        con.execute("UPDATE documents SET text = replace(text, 'Breaking', 'Braking') WHERE url = ?", [HOSTILE_URL])
    r = story.run("evidence", "--verify", folder)
    assert r.exit_code == 1 and "no longer hashes to its recorded SHA-256" in r.stdout


def test_verify_needs_a_packet_folder(tmp_path, packets):
    """--verify on a folder without a manifest is a clear error (exit 2)."""
    story, _ = packets
    r = story.run("evidence", "--verify", tmp_path)
    assert r.exit_code == 2 and "not an evidence packet (no manifest.json)" in r.stderr


def test_verify_finds_the_registry_the_packet_names(packets):
    """Without --db, --verify checks the packet against the registry recorded in its manifest."""
    from click.testing import CliRunner

    from compliance.cli import cli

    story, _ = packets
    r = CliRunner().invoke(cli, ["evidence", "--verify", str(_packet(packets))])
    assert r.exit_code == 0, r.output
    assert f"matches its files and the registry {story.db}" in r.stderr


def test_rewriting_a_packet_with_fewer_formats_leaves_no_stale_files(packets, tmp_path):
    """Writing a packet again with fewer formats removes the files the new manifest does not cover."""
    story, _ = packets
    assert story.run("evidence", story.ids["edited"], "--out", tmp_path).exit_code == 0
    assert story.run("evidence", story.ids["edited"], "--out", tmp_path, "--format", "txt").exit_code == 0
    folder = tmp_path / "evidence" / story.ids["edited"]
    assert sorted(p.name for p in folder.iterdir()) == ["dmca-notice.txt", "dsa-notice.txt", "google-removal.txt",
                                                        "manifest.json"]
    assert story.run("evidence", "--verify", folder).exit_code == 0


def test_markdown_code_blocks_cannot_be_closed_by_crawled_text():
    """A copied passage holding backtick fences stays inside its Markdown code block."""
    from compliance.evidence import _fence

    block = _fence("before\n````\n<script>x</script>\n```` after \x1b[31m")
    fence = block.split("text\n", 1)[0]
    assert fence == "`````" and block.endswith("\n`````")
    inner = block[len(fence) + len("text\n"):-len(fence) - 1]
    assert fence not in inner and "\x1b" not in inner
