"""Partner feeds: a rights team scans RSS and Atom feeds, item by item, safely."""

from __future__ import annotations

import json
import resource
import time

from conftest import need_shared
from inputs_helpers import PUBLISHER, paragraphs, write_works

from compliance.inputs import iter_documents, reader_for
from compliance.models import Document


def _rss(items: list[tuple[str, str]]) -> str:
    body = "".join(
        f"""<item><title>Item {i}</title><link>{link}</link><pubDate>Mon, 03 Mar 2025 10:00:00 GMT</pubDate>
        <dc:creator>Pat Aggregator</dc:creator><description>Short teaser {i}.</description>
        <content:encoded><![CDATA[{html}]]></content:encoded></item>"""
        for i, (link, html) in enumerate(items))
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Partner wire</title><link>https://partner.example/</link><description>d</description>
<copyright>© 2025 Partner Wire Co. All rights reserved.</copyright>{body}</channel></rss>"""


def test_feed_item_copying_a_work_is_a_finding_with_the_item_link(cli_run, tmp_path):
    """A partner feed whose full-content item copies a registered work gives a finding for that item's link."""
    works = write_works(tmp_path / "works", 2)
    cli_run("register", tmp_path / "works", "--publisher", PUBLISHER)
    copied = "".join(f"<p>{p}</p>" for p in list(works.values())[1].split("\n\n")[:3])
    feed = tmp_path / "partner.xml"
    feed.write_text(_rss([("https://partner.example/a", "<p>" + paragraphs(50, n=1)[0] + "</p>"),
                          ("https://partner.example/b", copied)]), encoding="utf-8")
    r = cli_run("scan", feed, "--workers", "1", "--format", "json")
    assert r.exit_code == 0, r.stderr
    (f,) = json.loads(r.stdout)
    assert f["document"]["url"] == "https://partner.example/b" and f["work"]["id"] == "story-1"
    assert f["document"]["title"] == "Item 1"


def test_feed_items_keep_link_dates_author_and_rights(tmp_path):
    """Each item becomes a document with its link, dates, author and rights; the full content is the text."""
    feed = tmp_path / "feed.rss"
    feed.write_text(_rss([("https://partner.example/x", "<p>Full <b>content</b> here.</p><script>evil()</script>")]),
                    encoding="utf-8")
    (doc,) = list(iter_documents([str(feed)]))
    assert doc.url == "https://partner.example/x" and doc.source_format == "feed"
    assert doc.text == "Full content here." and doc.offset == 1
    assert doc.meta["published"] == "Mon, 03 Mar 2025 10:00:00 GMT" and doc.meta["author"] == "Pat Aggregator"
    assert "© 2025 Partner Wire Co. All rights reserved." in doc.extra_text
    assert "By Pat Aggregator" in doc.extra_text


def test_atom_entries_are_read(tmp_path):
    """Atom entries give documents with their link and content, sniffed by content under any name."""
    feed = tmp_path / "updates.txt"
    feed.write_text("""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><rights>CC BY 4.0</rights>
<entry><title>E</title><link href="https://atom.example/e"/><updated>2025-02-01T00:00:00Z</updated>
<content type="html">&lt;p&gt;Entry text of the atom feed.&lt;/p&gt;</content></entry></feed>""", encoding="utf-8")
    assert reader_for(feed)[0] == "feed"
    (doc,) = list(iter_documents([str(feed)]))
    assert doc.url == "https://atom.example/e" and doc.text == "Entry text of the atom feed."
    assert doc.meta["updated"] == "2025-02-01T00:00:00Z" and "CC BY 4.0" in doc.extra_text


def test_billion_laughs_is_bounded(tmp_path):
    """A feed declaring nested entities (billion laughs) is refused quickly, with bounded memory and one error."""
    ents = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    feed = tmp_path / "laughs.rss"
    feed.write_text(f"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "lol">{ents}]>
<rss version="2.0"><channel><title>&l9;</title><item><title>x</title><link>https://x.example/</link>
<description>&l9; plus some real words in the item</description></item></channel></rss>""", encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    items = list(iter_documents([str(feed)]))
    assert time.perf_counter() - t0 < 2.0
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 100_000  # KiB: under 100 MB more
    errors = [str(i) for i in items if not isinstance(i, Document)]
    assert errors and "entity" in errors[0] and str(feed) in errors[0]
    for d in items:
        if isinstance(d, Document):
            assert len(d.text) < 1000 and "lollol" not in d.text


def test_external_entities_are_never_read(tmp_path):
    """An external entity pointing at a local file is not resolved: its content never reaches a document."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN", encoding="utf-8")
    feed = tmp_path / "xxe.rss"
    feed.write_text(f"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>
<rss version="2.0"><channel><title>t</title><item><title>i</title><link>https://x.example/</link>
<description>Before &x; after, and enough words to be a document.</description></item></channel></rss>""",
                    encoding="utf-8")
    docs = [d for d in iter_documents([str(feed)]) if isinstance(d, Document)]
    assert docs and all("TOP-SECRET" not in d.text + d.extra_text for d in docs)


def test_every_shared_feed_scans_without_a_crash(cli_run, tmp_path):
    """Every real feed file scans; problems are one located line each, and real items become documents."""
    folder = need_shared("data", "feeds")
    write_works(tmp_path / "works", 1)
    cli_run("register", tmp_path / "works", "--publisher", PUBLISHER)
    r = cli_run("scan", folder, "--workers", "1", "--format", "json")
    assert r.exit_code == 0, r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines[-1].startswith("Scanned ") and all(ln.startswith("Warning: ") for ln in lines[:-1])
    assert all(str(folder) in ln for ln in lines[:-1])
    scanned = int(lines[-1].split()[1])
    assert scanned > 1000  # the real feeds' items


def test_feed_named_rss_holding_html_is_read_as_html():
    """A .rss file that is really an HTML page is read by the HTML reader (content decides, not the name)."""
    path = need_shared("data", "feeds", "unrecognized.rss")
    assert reader_for(path)[0] == "html"
