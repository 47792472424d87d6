"""The compiled kernel gives exactly what the code it replaced gave.

The kernel (compliance/_kernel.c) tokenizes, screens pages for candidate
works, computes sentence windows and aligns (document, work) pairs.  The
oracle for each is in tests/kernel_reference.py: the numpy implementations
that ran before (screening, windows, alignment) and a character loop over the
folding rules (tokenizer).  Same inputs, same outputs, to the bit: a speed
change must not move a finding.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.align import align, doc_windows
from compliance.fingerprint import simhash_window_arrays
from compliance.text import tokenize

sys.path.insert(0, str(Path(__file__).resolve().parent))
import kernel_reference as ref  # noqa: E402

from conftest import CORPUS, RULES, SHARED  # noqa: E402

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TRICKY = st.sampled_from(list("ﬁﬂﬃß\u0301\u0308\u200b\u00ad\ufeffаеорсΑΒ\U0001d400\U0001f600\x00\n\r\t .!?。！"
                              "Ａｂ’“”©ǅİ中文字テストの한국어สวัสดีครับ\u0e31\u0e48ा"))
TEXT = st.lists(st.one_of(st.characters(blacklist_categories=("Cs",)), TRICKY), max_size=200).map("".join)


def _tokens(text: str) -> list[tuple[int, int, int, int, bool]]:
    t = tokenize(text)
    return list(zip(t.hashes.tolist(), t.starts.tolist(), t.ends.tolist(), t.sentence.tolist(),
                    t.numeric.tolist()))


@FAST
@given(TEXT)
def test_tokenizer_matches_the_character_loop(text: str) -> None:
    """Hashes, spans, sentence numbers and figure flags equal the reference loop on arbitrary Unicode."""
    assert _tokens(text) == ref.tokenize_reference(text)


def test_tokenizer_on_every_corpus_file_and_every_script() -> None:
    """The sample corpus and articles in scripts without spaces tokenize as the reference loop says."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.rglob("*.txt"))]
    texts += ["北京市政府周二宣布，新的港口扩建计划将于明年开始。", "東京都は火曜日、新しい港の計画を発表した。",
              "서울시는 화요일 새로운 항구 계획을 발표했다.", "กรุงเทพมหานครประกาศแผนท่าเรือใหม่เมื่อวันอังคาร",
              "ﬁnal ﬂow, Straße and oﬃce"]
    for text in texts:
        assert _tokens(text) == ref.tokenize_reference(text)


def _corpus_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((CORPUS / "crawl").glob("*.txt"))]


def _edited(text: str, rng: random.Random) -> str:
    """A copy with words dropped and sentences shuffled: exercises clustering, extension and near windows."""
    sentences = text.replace("\n", " \n ").split(". ")
    rng.shuffle(sentences)
    words = ". ".join(sentences).split(" ")
    return " ".join(w for w in words if rng.random() > 0.08)


@pytest.mark.parametrize("hard_every", [0, 37])
def test_sentence_windows_match_the_numpy_windows(hard_every: int) -> None:
    """Window bounds and simhashes equal the numpy implementation, with and without hard cuts."""
    for text in _corpus_texts() + ["", "one", "one two", "a. b. c. d.", "x " * 700 + "."]:
        t = tokenize(text)
        hard = np.arange(hard_every, len(t), hard_every, dtype=np.int64) if hard_every else None
        for ww in (3, 12):
            got = simhash_window_arrays(t, ww, hard)
            want = ref.simhash_window_arrays(t, ww, hard)
            for a, b in zip(got, want):
                assert np.array_equal(a, b)


@pytest.fixture(scope="module")
def corpus_scanner(tmp_path_factory):
    """A registry of the sample corpus, and a Scanner on it."""
    from compliance.registry import Registry
    from compliance.rules import load_rules
    from compliance.scan import Scanner
    from compliance.sources import iter_work_records

    reg = Registry(tmp_path_factory.mktemp("kernel") / "r.db")
    rules = load_rules(RULES)
    list(reg.register([r for r in iter_work_records([CORPUS / "works"]) if not isinstance(r, Exception)],
                      rules.matcher))
    return Scanner(reg, rules)


def _reworded(text: str, rng: random.Random) -> str:
    """A copy with a third of its words swapped for others and a few added: exercises chaining of pieces."""
    pool = "fresh key major several firm stated around additionally moreover clearly within upon via".split()
    out = []
    for w in text.replace("\n\n", " \n\n ").split(" "):
        out.append(rng.choice(pool) if w.isalpha() and rng.random() < 0.33 else w)
        if rng.random() < 0.04:
            out.append(rng.choice(pool))
    return " ".join(out)


def _inserted(text: str, rng: random.Random) -> str:
    """A copy with captions, ad lines and paragraphs of the copier's own between its paragraphs."""
    inserts = ["Advertisement", "Photo: a view of the harbour from the old lighthouse on a grey morning",
               "Residents gather outside the hall before the meeting",
               "Our newsroom has followed this story for weeks and readers wrote in with questions about what it "
               "means for them, so we gathered the answers below and will keep updating this page today."]
    out = []
    for para in text.split("\n\n"):
        out.append(para)
        if rng.random() < 0.5:
            out.append(rng.choice(inserts))
    return "\n\n".join(out)


def _pages(rng: random.Random) -> list[str]:
    pages = _corpus_texts()
    works = [p.read_text(encoding="utf-8") for p in sorted((CORPUS / "works").rglob("*.txt"))]
    pages += [_edited(w, rng) for w in works]
    pages += [_reworded(w, rng) for w in works]
    pages += [_inserted(w, rng) for w in works]
    pages += [works[i][: len(works[i]) // 2] + "\n\nAn unrelated paragraph of our own.\n\n" + works[i + 1]
              for i in range(0, len(works) - 1, 2)]
    return pages


def test_screen_and_alignment_match_the_numpy_path(corpus_scanner) -> None:
    """On the sample corpus and edited copies of its works: the same candidate works, the same passages."""
    rng = random.Random(5)
    _compare(corpus_scanner, _pages(rng))


@pytest.mark.shared
@pytest.mark.slow
def test_screen_and_alignment_match_the_numpy_path_on_news_dev(tmp_path) -> None:
    """On news-dev (registered works, crawl pages with 7 kinds of copies): same candidates, same passages."""
    from conftest import need_shared

    from compliance.registry import Registry
    from compliance.rules import load_rules
    from compliance.scan import Scanner
    from compliance.sources import iter_work_records

    manifest = need_shared("data", "news-dev", "works.jsonl")
    reg = Registry(tmp_path / "r.db")
    rules = load_rules(RULES)
    list(reg.register([r for r in iter_work_records([], manifest=manifest) if not isinstance(r, Exception)],
                      rules.matcher))
    pages = [p.read_text(encoding="utf-8") for p in sorted((SHARED / "data" / "news-dev" / "crawl").glob("*.txt"))]
    _compare(Scanner(reg, rules), pages)


def _compare(scanner, pages: list[str]) -> None:
    m = scanner.matcher
    st_ = m.settings
    aligned = 0
    for start in range(0, len(pages), 16):
        batch = pages[start : start + 16]
        got = m.screen(batch)
        assert got == ref.screen_reference(m.index, st_, batch)
        for text, cands in zip(batch, got):
            doc = tokenize(text)
            dw = doc_windows(doc, st_)
            for w in cands:
                wt, ww = m.works.tokens(w), m.works.windows(w)
                assert align(doc, wt, st_, dw, ww) == ref.align(doc, wt, st_, dw, ww)
                aligned += 1
    assert aligned > 0
