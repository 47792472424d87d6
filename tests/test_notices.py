"""Copyright notices: each sample page against its expected notices, the CLI, and the real-page benchmark.

Samples live in tests/data/notices/: an input (``.txt`` or ``.html``, written
for this project) next to ``<name>.expected.json``.  One test per sample is
generated, ScanCode style.  After a deliberate change, rewrite the expected
files with ``python tests/test_notices.py --regen`` and review the diff.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import jsonl, need_shared  # noqa: F401

DATA = Path(__file__).parent / "data" / "notices"
SAMPLES = sorted(p for p in DATA.iterdir() if p.is_file() and not p.name.endswith((".json", ".md")))
FIELDS = ("holder", "years", "all_rights_reserved", "restriction", "contact_email", "license", "source", "kind")


def _actual(sample: Path) -> dict:
    """What the extractor says about a sample, in the expected-file shape."""
    from compliance.notices import main_notice, notices_in_file

    found, html = notices_in_file(sample)
    raw = sample.read_bytes().decode("utf-8")
    main = main_notice(found, html=html)
    return {
        "notices": [{**{k: getattr(n, k) for k in FIELDS}, "span": raw[n.start:n.end]} for n in found],
        "main": None if main is None else {k: getattr(main, k) for k in ("holder", "years", "license",
                                                                          "contact_email")},
    }


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_notices(sample: Path):
    """Every notice of the sample, its span in the file, and the page's own notice are as expected."""
    expected_file = sample.with_name(sample.name + ".expected.json")
    assert expected_file.exists(), f"{expected_file} is missing (run python tests/test_notices.py --regen)"
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    actual = _actual(sample)
    assert actual["main"] == expected["main"]
    assert len(actual["notices"]) == len(expected["notices"]), [n["span"] for n in actual["notices"]]
    for got, want in zip(actual["notices"], expected["notices"]):
        assert got == want


def test_every_sample_has_an_expected_file_and_the_set_covers_text_and_html():
    """The sample set has text and HTML inputs, and no expected file without its input."""
    assert {p.suffix for p in SAMPLES} >= {".txt", ".html"}
    for exp in DATA.glob("*.expected.json"):
        assert exp.with_name(exp.name[: -len(".expected.json")]).exists(), exp


def test_html_offsets_index_the_raw_page():
    """A notice found in HTML has a span in the raw markup that holds its holder, entities and all."""
    from compliance.notices import find_notices_html

    html = ('<html><body><p>Story text.</p><footer><p>&copy;&nbsp;2022 <b>Gull &amp; Tern</b> '
            'Press Ltd.</p></footer></body></html>')
    (n,) = find_notices_html(html)
    assert n.holder == "Gull & Tern Press Ltd." and n.years == [2022]
    assert html[n.start:n.end] == "&copy;&nbsp;2022 <b>Gull &amp; Tern</b> Press Ltd."


def test_year_written_by_javascript_is_not_invented():
    """A footer whose year only exists after JavaScript runs gets the holder and no year."""
    from compliance.notices import find_notices_html, main_notice

    html = ("<footer>&copy; Copyright <script>document.write(new Date().getFullYear())</script> "
            "Heron Bay Newspapers, LLC</footer>")
    main = main_notice(find_notices_html(html))
    assert main is not None and main.holder == "Heron Bay Newspapers, LLC" and main.years == []


def test_metadata_alone_is_not_the_pages_notice_but_registration_may_use_it():
    """A page whose only notice is in <meta> has no visible notice; registration still gets a holder."""
    from compliance.notices import find_notices_html, main_notice, order_notices

    html = '<html><head><meta name="copyright" content="2015 Osprey Media"></head><body><p>Hi.</p></body></html>'
    found = find_notices_html(html)
    assert main_notice(found) is None
    assert order_notices(found)[0].holder == "Osprey Media"


def test_cjk_holder_ends_at_punctuation_before_the_rights_phrase_and_the_contact():
    """The issue's example: the holder is the company, not the company plus 版权所有 and 联系."""
    from compliance.notices import find_notices

    (n,) = find_notices("© 2024 测试媒体有限公司。版权所有。联系：rights@cesui.example")
    assert (n.holder, n.years, n.all_rights_reserved, n.contact_email) == (
        "测试媒体有限公司", [2024], True, "rights@cesui.example")


@pytest.mark.parametrize("line, holder, years, arr", [
    ("Copyright © 2010-2012 华文测试报社 版权所有", "华文测试报社", [2010, 2011, 2012], True),
    ("版权所有：东方测试网", "东方测试网", [], True),
    ("版权所有 © 2023 南方测试传媒集团 京ICP备12345678号", "南方测试传媒集团", [2023], True),
    ("© 2024年 テスト日報 連絡先: info@tesuto.example", "テスト日報", [2024], False),
    ("ⓒ 한빛테스트신문, 무단 전재 및 재배포 금지", "한빛테스트신문", [], False),
    ("저작권자(c) 연합테스트뉴스, 무단 전재-재배포 금지 문의: news@hanbit.example", "연합테스트뉴스", [], False),
    ("สงวนลิขสิทธิ์ © 2024 ข่าวทดสอบ ติดต่อ: desk@thaitest.example", "ข่าวทดสอบ", [2024], True),
    ("© 2567 บริษัท ทดสอบข่าว จำกัด สงวนลิขสิทธิ์", "บริษัท ทดสอบข่าว จำกัด", [2024], True),  # Buddhist era
    ("Copyright (c) 2023 Le Journal de Testville – Tous droits de reproduction réservés",
     "Le Journal de Testville", [2023], True),
    ("Testhausen Verlag GmbH. Alle Rechte vorbehalten.", "Testhausen Verlag GmbH", [], True),
    ("Ediciones Pruebas S.L. Todos los derechos reservados.", "Ediciones Pruebas S.L.", [], True),
])
def test_notice_lines_in_many_languages(line, holder, years, arr):
    """Holder, years and "all rights reserved" of one notice line, in the languages of the data file."""
    from compliance.notices import find_notices

    found = [n for n in find_notices(line) if n.kind == "notice"]
    assert [(n.holder, n.years, n.all_rights_reserved) for n in found] == [(holder, years, arr)]


def test_prose_in_a_script_without_spaces_is_not_a_holder():
    """"BBC © 2014 非本网站内容BBC概不负责": the Chinese sentence is a disclaimer; the holder is before the sign."""
    from compliance.notices import find_notices

    (n,) = find_notices("BBC © 2014 非本网站内容BBC概不负责")
    assert n.holder == "BBC" and n.years == [2014]


@pytest.mark.parametrize("line", [
    "本站文章版权归作者所有",
    "掲載の記事・写真・イラストなど、すべてのコンテンツの無断複写・転載を禁じます。",
])
def test_cjk_statements_without_a_named_holder_name_none(line):
    """"Copyright belongs to the author" and a bare reuse prohibition name no holder."""
    from compliance.notices import find_notices

    assert [n.holder for n in find_notices(line) if n.holder] == []


def _page(head: str, body: str = "<p>Story text.</p>") -> str:
    return f"<html><head>{head}</head><body><article>{body}</article></body></html>"


def test_jsonld_copyright_holder_by_reference_in_a_graph():
    """JSON-LD: a copyrightHolder given as an @id is the @graph object it points to (slash or not before #)."""
    from compliance.notices import find_notices_html, order_notices

    ld = ('{"@context": "https://schema.org", "@graph": [{"@type": "Organization", "@id": "https://k.example/#o",'
          ' "name": "Kittiwake Press Ltd"}, {"@type": "NewsArticle", "publisher": {"@id": "https://k.example/#o"},'
          ' "copyrightHolder": {"@id": "https://k.example#o"}, "copyrightYear": 2023}]}')
    found = find_notices_html(_page(f'<script type="application/ld+json">{ld}</script>'))
    main = order_notices(found)[0]
    assert (main.source, main.holder, main.years) == ("json-ld", "Kittiwake Press Ltd", [2023])


def test_jsonld_nested_article_and_licence():
    """JSON-LD: the Article inside a WebPage's mainEntity states the notice; its licence URL becomes an id."""
    from compliance.notices import find_notices_html, order_notices

    ld = ('{"@type": "WebPage", "mainEntity": {"@type": "NewsArticle", "copyrightHolder": {"@type": "Organization",'
          ' "name": "Quillfield Courier"}, "copyrightYear": "2022", "license": {"@id":'
          ' "https://creativecommons.org/licenses/by-sa/4.0/"}}}')
    main = order_notices(find_notices_html(_page(f'<script type="application/ld+json">{ld}</script>')))[0]
    assert (main.holder, main.years, main.license) == ("Quillfield Courier", [2022], "CC-BY-SA-4.0")


def test_jsonld_publisher_holds_a_stated_copyright_year_but_is_no_notice_alone():
    """JSON-LD: copyrightYear without copyrightHolder names the publisher; a publisher alone states nothing."""
    from compliance.notices import find_notices_html

    with_year = ('{"@type": "NewsArticle", "copyrightYear": 2021, "publisher": {"@type": "Organization",'
                 ' "name": "Marram Bay Post"}}')
    (n,) = find_notices_html(_page(f'<script type="application/ld+json">{with_year}</script>'))
    assert (n.source, n.holder, n.years) == ("json-ld", "Marram Bay Post", [2021])
    alone = '{"@type": "NewsArticle", "publisher": {"@type": "Organization", "name": "Marram Bay Post"}}'
    assert find_notices_html(_page(f'<script type="application/ld+json">{alone}</script>')) == []


def test_jsonld_image_copyright_is_not_the_pages_notice():
    """JSON-LD: an ImageObject's copyrightHolder (a picture agency) never becomes the page's notice."""
    from compliance.notices import find_notices_html

    ld = '{"@type": "ImageObject", "copyrightHolder": "Lumen Stock Pictures", "copyrightYear": 2020}'
    assert find_notices_html(_page(f'<script type="application/ld+json">{ld}</script>')) == []


def test_meta_copyright():
    """<meta name="copyright"> gives holder and years; the visible page has none, so it is registration's."""
    from compliance.notices import find_notices_html, main_notice, order_notices

    found = find_notices_html(_page('<meta name="copyright" content="© 2019 Osprey Media Group. All rights reserved.">'))
    assert main_notice(found) is None
    n = order_notices(found)[0]
    assert (n.source, n.holder, n.years, n.all_rights_reserved) == ("meta", "Osprey Media Group", [2019], True)


def test_meta_dcterms_rights_holder_with_its_year_and_dc_rights():
    """Dublin Core: dcterms.rightsHolder names the holder, dcterms.dateCopyrighted its year; dc.rights a statement."""
    from compliance.notices import find_notices_html, order_notices

    head = ('<meta name="dcterms.rightsHolder" content="Sandpiper News Group">'
            '<meta name="dcterms.dateCopyrighted" content="2021">'
            '<meta name="DC.rights" content="All rights reserved">')
    found = find_notices_html(_page(head))
    assert [(n.holder, n.years, n.all_rights_reserved) for n in found] == [
        ("Sandpiper News Group", [2021], False), (None, [], True)]
    assert order_notices(found)[0].holder == "Sandpiper News Group"


def test_rel_license_is_folded_into_the_visible_notice():
    """A rel="license" link gives the page's notice its licence."""
    from compliance.notices import find_notices_html, main_notice

    html = _page('<link rel="license" href="https://creativecommons.org/licenses/by-nc/4.0/">',
                 "<p>Story.</p><footer>© 2024 Heron Light Press</footer>")
    found = find_notices_html(html)
    assert [n.source for n in found] == ["text", "rel-license"]
    main = main_notice(found, html=html)
    assert (main.holder, main.years, main.license) == ("Heron Light Press", [2024], "CC-BY-NC-4.0")


def test_footer_with_a_sign_and_no_year_gives_the_holder_and_no_year():
    """"© Fenwick Harbour Media Ltd" in a footer: the holder, no invented year; a yearless "© Ada Quill" caption
    is a photo credit."""
    from compliance.notices import main_notice, notices_in_file

    found, html = notices_in_file(DATA / "footer-no-year.html")
    main = main_notice(found, html=html)
    assert (main.holder, main.years) == ("Fenwick Harbour Media Ltd", [])
    assert [n.kind for n in found if n.holder == "Ada Quill"] == ["credit"]


def test_language_file_problems_are_all_reported_with_the_path(tmp_path):
    """A broken notice-languages file fails with every problem and the file's path, like rules/."""
    from compliance.errors import RulesError
    from compliance.notices.languages import load_languages

    bad = tmp_path / "langs.toml"
    bad.write_text('[language.xx]\nname = "X"\nrights_reserved = "not a list"\nspelling = ["?"]\n'
                   'holder_patterns = ["(no group)", "(unclosed"]\n', encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_languages(bad)
    problems = exc.value.problems
    assert len(problems) == 4 and all(str(bad) in p for p in problems)
    assert any("spelling" in p for p in problems) and any("(?P<holder>" in p for p in problems)


def test_language_phrases_match_spacing_variants():
    """A phrase's space matches none between CJK characters ("무단전재") and must start a word in Latin."""
    import re

    from compliance.notices.languages import phrase_pattern

    assert re.search(phrase_pattern("무단 전재"), "무단전재 금지")
    assert re.search(phrase_pattern("all rights reserved"), "All  rights\nreserved", re.IGNORECASE)
    assert not re.search(phrase_pattern("all rights reserved"), "overall rights reserved", re.IGNORECASE)


def test_register_a_chinese_article_stores_its_holder(cli_run, db, tmp_path):
    """`compliance register` on a Chinese page takes publisher and notice holder from 版权所有 footers."""
    page = tmp_path / "zh-article.txt"
    page.write_text((DATA / "zh-traditional.txt").read_text(encoding="utf-8"), encoding="utf-8")
    r = cli_run("register", page)
    assert r.exit_code == 0, r.output
    from compliance.registry import Registry

    reg = Registry(db)
    row = reg.db.execute("SELECT holder, years, all_rights_reserved, contact_email FROM notices").fetchone()
    assert row[0] == "台北測試日報股份有限公司" and json.loads(row[1]) == [2023] and row[2] == 1
    assert row[3] == "service@taipei-test.example"
    assert reg.db.execute("SELECT name FROM publishers").fetchone()[0] == "台北測試日報股份有限公司"


def test_notices_cli_json_has_the_documented_fields(cli_run):
    """`compliance notices --format json` gives one record per notice with the documented keys."""
    r = cli_run("notices", DATA / "footer-simple.txt", "--format", "json")
    assert r.exit_code == 0
    (row,) = json.loads(r.stdout)
    assert {"file", "text", "holder", "years", "all_rights_reserved", "restriction", "contact_email", "license",
            "start", "end"} <= set(row)
    assert row["holder"] == "Lantern Hill Media, Inc." and row["main"] is True
    text = (DATA / "footer-simple.txt").read_bytes().decode("utf-8")
    assert text[row["start"]:row["end"]].startswith("© 2017 Lantern Hill Media, Inc.")


def test_notices_cli_main_only_and_table(cli_run):
    """--main keeps the page's own notice (the footer), not the wire notice or photo credit."""
    r = cli_run("notices", DATA / "page-footer.html", "--main", "--format", "json")
    (row,) = json.loads(r.stdout)
    assert row["holder"] == "Tidewater Gazette Company" and row["license"] == "CC-BY-ND-4.0"
    r = cli_run("notices", DATA / "page-footer.html")
    assert r.exit_code == 0 and "Coastline Wire" in r.stdout and "credit" in r.stdout


def test_notices_cli_bad_file_is_one_line_and_does_not_stop_the_others(cli_run, tmp_path):
    """A missing or binary file gives a one-line warning naming it; the good file is still read."""
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    r = cli_run("notices", tmp_path / "missing.txt", binary, DATA / "footer-simple.txt", "--format", "json")
    assert r.exit_code == 0
    assert len(json.loads(r.stdout)) == 1
    assert "missing.txt" in r.stderr and "blob.txt" in r.stderr
    r = cli_run("notices", tmp_path / "missing.txt")
    assert r.exit_code == 2 and r.stderr.strip().count("\n") == 0 and "missing.txt" in r.stderr


def test_notice_extraction_quality_on_real_pages():
    """On ../shared notices-dev, holder, years and no-invented-notice rates meet the issue's floors (97/98/95 %)."""
    need_shared("data", "notices-dev.jsonl")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import notices_quality

    res = notices_quality.run()
    assert res["holder"] >= 0.97, res["misses"]
    assert res["years"] >= 0.98, res["misses"]
    assert res["no_invented"] >= 0.95, res["misses"]


def test_notice_extraction_quality_on_the_hand_labelled_html_pages():
    """On the project's own labels of ../shared/data/html footers, the same floors hold."""
    need_shared("data", "html")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import notices_quality

    res = notices_quality.run_html()
    assert res["pages"] >= 100
    assert res["holder"] >= 0.97, res["misses"]
    assert res["years"] >= 0.98, res["misses"]
    assert res["no_invented"] >= 0.95, res["misses"]


def _regen() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    for sample in SAMPLES:
        out = sample.with_name(sample.name + ".expected.json")
        out.write_text(json.dumps(_actual(sample), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print("wrote", out)


if __name__ == "__main__" and "--regen" in sys.argv:
    _regen()
