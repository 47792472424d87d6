"""Matching: copied paragraphs and whole articles, with spans exact on both sides."""

from __future__ import annotations

from conftest import SEED, jsonl, need_shared

FILLER_A = ("Local council news: the parking plan was approved on Tuesday after a long debate about fees "
            "and the future of the old market hall, which traders want kept open at weekends.")
FILLER_B = ("In other news, the library will open late on Sundays starting next month, officials said, "
            "and the swimming pool reopens after repairs to its roof and changing rooms.")


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n\n") if p.strip()]


def test_middle_paragraphs_inside_unrelated_text(cli_run, tmp_path):
    """Three middle paragraphs of the seed inside unrelated text: one finding, exact spans, the right contact."""
    need_shared("seed", "publisher-page.txt")
    work = SEED.read_bytes().decode("utf-8")
    copied = "\n\n".join(_paragraphs(work)[4:7])
    doc = tmp_path / "copy.txt"
    doc.write_text(FILLER_A + "\n\n" + copied + "\n\n" + FILLER_B + "\n", encoding="utf-8")
    assert cli_run("register", SEED).exit_code == 0
    r = cli_run("scan", doc, "--format", "jsonl")
    assert r.exit_code == 0
    (f,) = jsonl(r.stdout)
    assert f["work"]["id"] == "publisher-page"
    (p,) = f["passages"]
    text = doc.read_bytes().decode("utf-8")
    assert text[p["doc_start"]:p["doc_end"]] == copied
    assert work[p["work_start"]:p["work_end"]] == copied
    assert p["method"] == "exact" and p["similarity"] == 1.0
    assert f["contact"] == {"holder": "Bright Mountain Media, Inc.", "email": "info@brightmountainmedia.com"}
    assert f["verdict"] == "violation"


FERRY = (
    "Ferry timetable changes\n\n"
    "The island ferry will run two extra crossings each weekday from March, the operator said on Monday, "
    "after commuters complained about crowded morning boats and long queues at the harbour gate.\n\n"
    "Operator spokesperson Mira Tanaka said the new sailings at 6.40am and 5.15pm would use the older vessel "
    "Gullwing, which has been refitted with quieter engines and a larger car deck this winter.\n\n"
    "Fares will not change before the summer season, although a review of season tickets is planned, and "
    "residents will be asked for their views at two public meetings in the community hall next month.\n\n"
    "© 2025 Example Ferry News Ltd. All rights reserved.\n"
)


def _ferry_scanner(tmp_path):
    """A scanner over a registry holding the ferry article (work id 'ferry')."""
    from compliance.registry import Registry
    from compliance.rules import load_rules
    from compliance.scan import Scanner
    from compliance.sources import record_from_text

    from conftest import RULES

    rules = load_rules(RULES)
    tmp_path.mkdir(parents=True, exist_ok=True)
    reg = Registry(tmp_path / "r.db")
    list(reg.register([record_from_text(FERRY, work_id="ferry", name="ferry.txt")], rules.matcher))
    return Scanner(reg, rules)


def test_single_paragraph_and_whole_article(tmp_path):
    """The library finds one copied paragraph and a whole copied article."""
    from compliance.models import Document

    article = FERRY
    scanner = _ferry_scanner(tmp_path)
    para = _paragraphs(article)[2]
    doc_text = FILLER_A + "\n\n" + para + "\n\n" + FILLER_B
    (f,) = scanner.match_document(Document(text=doc_text, path="one.txt"))[0]
    (p,) = f.passages
    assert doc_text[p.doc_start:p.doc_end] == para == article[p.work_start:p.work_end]
    whole = article[: article.index("©")].rstrip()
    (f,) = scanner.match_document(Document(text="Reposted:\n\n" + whole + "\n\nShare this.", path="w.txt"))[0]
    assert len(f.passages) == 1 and f.work_coverage > 0.95
    unrelated = scanner.match_document(Document(text=FILLER_A + "\n\n" + FILLER_B, path="u.txt"))[0]
    assert unrelated == []


def test_repeated_texts_match_as_each_alone(tmp_path, monkeypatch):
    """A text repeated in a batch, and again in a later batch after the memory of recent texts (made smaller
    than a batch here) dropped it, gets the matches it gets alone on a fresh scanner."""
    import compliance.matcher as matcher
    from compliance.models import Document

    monkeypatch.setattr(matcher, "RECENT_TEXTS", 2)
    paras = _paragraphs(FERRY)
    texts = [FILLER_A + "\n\n" + paras[1], FILLER_B, FILLER_A + "\n\n" + paras[1], FILLER_A + "\n\n" + paras[2],
             FERRY, FILLER_B + "\n\n" + paras[3]]
    scanner = _ferry_scanner(tmp_path / "a")

    def found(results):
        return [[(f.work["id"], [(p.doc_start, p.doc_end, p.work_start, p.work_end) for p in f.passages])
                 for f in findings] for findings, _ in results]

    batches = found(scanner.match_documents([Document(text=t, path=f"{i}.txt") for i, t in enumerate(texts)]))
    batches += found(scanner.match_documents([Document(text=t, path=f"b{i}.txt") for i, t in enumerate(texts)]))
    alone = [found([_ferry_scanner(tmp_path / str(i)).match_document(Document(text=t, path=f"{i}.txt"))])[0]
             for i, t in enumerate(texts)]
    assert batches == alone + alone
    assert sum(1 for f in alone if f) == 5  # all but FILLER_B alone
