"""Attribution: registry names found in crawled pages on whole words, with exact spans, and page signals."""

from __future__ import annotations

from conftest import RULES

WORK = {"id": "nw-002", "title": "Tollgate agrees takeover", "publisher": "Northwind Daily Media Ltd",
        "holder": "Northwind Daily Media Ltd", "author": "Tomasz Pell", "domains": ["northwind-daily.example"],
        "url": "https://www.northwind-daily.example/business/2025/04/tollgate-takeover",
        "notice": {"text": "© 2025 Northwind Daily Media Ltd. All rights reserved.\nReproduction prohibited.",
                   "license": None, "holder": "Northwind Daily Media Ltd"}}


def _records(text: str, extra: str = "", passages=()):
    from compliance.attribution import AttributionIndex
    from compliance.models import Document

    index = AttributionIndex.for_work_info(WORK)
    doc = Document(text=text, path="page.txt", extra_text=extra)
    return index.for_work(index.find(doc), WORK, passages)


def test_name_variants_drop_company_words():
    """A publisher is credited by its brand: "Northwind Daily Media Ltd" also counts as "Northwind Daily"."""
    from compliance.attribution import name_variants

    assert name_variants("Northwind Daily Media Ltd") == ["Northwind Daily Media Ltd", "Northwind Daily Media",
                                                         "Northwind Daily"]
    assert name_variants("The New York Times Company") == ["The New York Times Company", "The New York Times",
                                                          "New York Times Company", "New York Times"]


def test_credit_line_found_with_its_exact_span():
    """'Originally published by NORTHWIND DAILY' is found, and its span selects the original characters."""
    text = "Bank deal agreed.\n\nOriginally published by NORTHWIND DAILY, with thanks."
    (rec,) = _records(text)
    assert rec["kind"] == "publisher" and rec["where"] == "text"
    assert text[rec["start"]:rec["end"]] == rec["text"] == "NORTHWIND DAILY"


def test_whole_words_and_look_alike_letters():
    """'Northwind Dailyish' is not a credit; 'Nоrthwind Daily' with a Cyrillic о is, with its original span."""
    assert _records("The Northwind Dailyish blog.") == []
    text = "Via Nоrthwind Daily."
    (rec,) = _records(text)
    assert text[rec["start"]:rec["end"]] == "Nоrthwind Daily"


def test_lower_case_prose_is_not_a_name():
    """A name must be capitalised in the page: 'the northwind daily commute' credits nobody."""
    assert _records("Stuck again on the northwind daily commute.") == []


def test_author_domain_url_and_notice_kinds():
    """Author, domain, link to the original and the kept notice each give a record of their kind."""
    text = ("By Tomasz Pell.\nSee northwind-daily.example for more.\n"
            "Read it at https://www.northwind-daily.example/business/2025/04/tollgate-takeover\n"
            "© 2025 Northwind Daily Media Ltd. All rights reserved.")
    kinds = {r["kind"] for r in _records(text)}
    assert {"author", "domain", "url", "notice"} <= kinds
    for r in _records(text):
        assert text[r["start"]:r["end"]] == r["text"]


def test_a_sentence_break_is_not_a_domain():
    """'Northwind Daily. Example' folds like the domain but is not one."""
    recs = _records("Thanks to Northwind Daily. Example given above.")
    assert [r["kind"] for r in recs] == ["publisher"]


def test_footer_credits_in_extra_text():
    """A credit in the page footer (extra text) is found there, with where = "extra"."""
    (rec,) = _records("Story body.", extra="Originally published by Northwind Daily Media Ltd")
    assert rec["where"] == "extra" and rec["text"] == "Northwind Daily Media Ltd"


def test_names_inside_the_copied_passage_do_not_count():
    """The work's own mention of its publisher, copied with the text, is not a credit."""
    from compliance.models import PassageMatch

    text = "Tomasz Pell is Northwind Daily's banking editor, the story said."
    p = PassageMatch(0, len(text), 0, len(text), 10, 1.0, "exact")
    assert _records(text, passages=[p]) == []
    assert {r["kind"] for r in _records(text)} == {"author", "publisher"}


def test_scan_findings_carry_attribution_records(tmp_path):
    """A scanned copy with a credit line gets attribution records in the agreed format, and the verdict uses them."""
    from compliance.models import Document
    from compliance.registry import Registry
    from compliance.rules import load_rules
    from compliance.scan import Scanner
    from compliance.sources import record_from_text

    rules = load_rules(RULES)
    body = ("The harbour board approved a plan on Tuesday to dredge the inner basin before the autumn storms, "
            "after fishing crews said their boats had grounded twice at low tide this summer.\n\n"
            "Board chair Wenna Polglase said the work would take six weeks and cost less than the repairs the "
            "crews had feared, and that the channel would be marked with new buoys before the winter.")
    article = f"Harbour to be dredged\n\n{body}\n\n© 2025 Gullrock Harbour News Ltd. All rights reserved.\n"
    reg = Registry(tmp_path / "r.db")
    list(reg.register([record_from_text(article, work_id="dredge", name="dredge.txt")], rules.matcher))
    text = f"{body}\n\nCredit: Gullrock Harbour News"
    (f,) = Scanner(reg, rules).match_document(Document(text=text, path="copy.txt", url="https://copy.example/a"))[0]
    (rec,) = f.attribution
    assert set(rec) == {"kind", "text", "start", "end", "where"}
    assert text[rec["start"]:rec["end"]] == "Gullrock Harbour News" and rec["kind"] == "publisher"
    assert f.verdict == "violation" and "default-publisher-policy" in f.rules


def test_commercial_page_signals():
    """Prices and shop buttons make a page commercial; a newsletter quoting a cost does not."""
    from compliance.attribution import is_commercial
    from compliance.models import Document
    from compliance.rules import load_rules

    signals = load_rules(RULES).signals
    shop = Document("Kayak — $499 [Add to cart]\nPaddle — $149 [Buy now]", "shop.txt")
    yes, rule, hits = is_commercial(shop, signals)
    assert yes and rule.id == "commercial-page"
    assert {h["text"] for h in hits} >= {"Add to cart", "Buy now", "$499"}
    assert all(shop.text[h["start"]:h["end"]] == h["text"] for h in hits)
    newsletter = Document("The project cost $68,000, or about $14.2 million over ten years, and a $250 share.", "n.txt")
    assert is_commercial(newsletter, signals)[0] is False
