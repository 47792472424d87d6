"""Every script: Chinese, Japanese, Korean and Thai articles register and are found when copied (issue 14).

The articles in tests/data/scripts/ were written for these tests (a fictional
port expansion in a fictional city): for each language, ``-a`` is the
registered work and ``-b`` a different article on the same story by another
outlet, sharing its names, figures and stock phrases.  A page copies about 600
characters of ``-a`` verbatim inside other text of the same language; the
finding must select exactly the copied characters on both sides, and the two
articles on one story must not be found in each other.
"""

from __future__ import annotations

import pytest
from conftest import ROOT, jsonl

DATA = ROOT / "tests" / "data" / "scripts"
LANGS = ["zh", "ja", "ko", "th"]
HOSTS = {
    "zh": ("本站综合报道：近期沿海多个城市相继公布基础设施投资计划，涉及港口、铁路和城市更新等多个领域。以下是相关内容摘编。",
           "编者按：本周末市区部分道路将因马拉松比赛实行临时交通管制，请市民合理安排出行。"),
    "ja": ("各地の話題をまとめてお伝えします。今週は海沿いの町で大型の公共事業に関する発表が相次ぎました。",
           "このほか、週末は市内の一部の道路でマラソン大会に伴う交通規制が行われます。お出かけの際はご注意ください。"),
    "ko": ("이번 주 지역 소식을 모아 전해 드립니다. 바닷가 도시들에서 대형 공공사업 발표가 잇따랐습니다.",
           "한편 이번 주말 시내 일부 도로에서는 마라톤 대회로 교통이 통제됩니다. 외출하실 때 참고하시기 바랍니다."),
    "th": ("สรุปข่าวท้องถิ่นประจำสัปดาห์ เมืองชายทะเลหลายแห่งประกาศโครงการลงทุนขนาดใหญ่ติดต่อกัน",
           "นอกจากนี้ ถนนบางสายในตัวเมืองจะปิดการจราจรชั่วคราวในวันเสาร์นี้เนื่องจากการแข่งขันวิ่งมาราธอน โปรดวางแผนการเดินทางล่วงหน้า"),
}


def _read(name: str) -> str:
    return (DATA / name).read_bytes().decode("utf-8")


def _copy_span(lang: str, text: str) -> tuple[int, int]:
    """About 600 characters from the start of the body, ending at a whole word (Korean) or letter with its
    marks (Thai)."""
    start = text.index("\n\n") + 2
    end = start + 600
    if lang == "ko":
        while text[end] not in " \n":
            end += 1
    import unicodedata

    while end < len(text) and unicodedata.category(text[end]) in ("Mn", "Mc"):
        end += 1
    while text[end - 1].isspace():
        end -= 1
    return start, end


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    from click.testing import CliRunner

    from compliance.cli import cli

    tmp = tmp_path_factory.mktemp("scripts")
    works, crawl = tmp / "works", tmp / "crawl"
    works.mkdir()
    crawl.mkdir()
    spans = {}
    for lang in LANGS:
        a, b = _read(f"{lang}-a.txt"), _read(f"{lang}-b.txt")
        (works / f"{lang}-a.txt").write_bytes(a.encode("utf-8"))
        (works / f"{lang}-b.txt").write_bytes(b.encode("utf-8"))
        s, e = _copy_span(lang, a)
        pre, post = HOSTS[lang]
        page = pre + "\n\n" + a[s:e] + "\n\n" + post + "\n"
        (crawl / f"{lang}-copy.txt").write_bytes(page.encode("utf-8"))
        (crawl / f"{lang}-a.txt").write_bytes(a.encode("utf-8"))
        (crawl / f"{lang}-b.txt").write_bytes(b.encode("utf-8"))
        spans[lang] = (len(pre) + 2, len(pre) + 2 + e - s, s, e)
    run = CliRunner().invoke
    base = ["--db", str(tmp / "r.db"), "--rules", str(ROOT / "rules")]
    r = run(cli, base + ["register", str(works), "--publisher", "Qingwan Harbour Daily"])
    assert r.exit_code == 0, r.output
    r = run(cli, base + ["scan", str(crawl), "--format", "jsonl", "--workers", "1"])
    assert r.exit_code == 0, r.output
    return jsonl(r.stdout), spans


@pytest.mark.parametrize("lang", LANGS)
def test_verbatim_copy_is_found_with_exact_spans(scan, lang):
    """A 600-character verbatim copy inside other text: one finding against the right work, exact spans."""
    findings, spans = scan
    mine = [f for f in findings if f["document"]["path"].endswith(f"{lang}-copy.txt")]
    assert [f["work"]["id"] for f in mine] == [f"{lang}-a"]
    (p,) = mine[0]["passages"]
    assert (p["doc_start"], p["doc_end"], p["work_start"], p["work_end"]) == spans[lang]
    assert mine[0]["verdict"] == "violation"


@pytest.mark.parametrize("lang", LANGS)
def test_articles_on_one_story_are_not_copies(scan, lang):
    """Two articles on the same story (same names, figures, phrases) are not found in each other."""
    findings, _ = scan
    for doc, other in ((f"{lang}-a", f"{lang}-b"), (f"{lang}-b", f"{lang}-a")):
        wrong = [f for f in findings if f["document"]["path"].endswith(f"/{doc}.txt") and f["work"]["id"] == other]
        assert not wrong, [(p["doc_start"], p["doc_end"]) for f in wrong for p in f["passages"]]


def test_scale_of_each_script():
    """Character-tokenized scripts count thresholds in words: two tokens a word for Han and kana, three for
    Thai; Korean is written with spaces."""
    from compliance.text import token_scale, tokenize

    assert {lang: token_scale(tokenize(_read(f"{lang}-a.txt"))) for lang in LANGS} == {"zh": 2, "ja": 2, "ko": 1,
                                                                                       "th": 3}
    assert token_scale(tokenize("An English sentence with a 中文 word.")) == 1
