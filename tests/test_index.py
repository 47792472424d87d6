"""The seed index: cached beside the registry, rebuilt when stale; batch matching equals single matching."""

from __future__ import annotations

from conftest import RULES

from compliance.models import Document
from compliance.registry import Registry, WorkRecord
from compliance.rules import load_rules
from compliance.scan import Scanner

BODY = ("The harbour authority approved a new ferry terminal on Tuesday, after a year of consultation with "
        "residents who feared traffic on the coast road. Construction starts in spring and should take two years, "
        "the authority's chair Lena Brook said, adding that the old pier would become a public promenade.")


def _rec(i: int, text: str) -> WorkRecord:
    return WorkRecord(id=f"w{i}", text=f"Headline {i}\n\n{text}", publisher="Harbour Herald Ltd")


def test_index_cache_is_reused_and_rebuilt_when_stale(tmp_path):
    """The index is written beside the registry, loaded (memory-mapped) next time, and rebuilt after a change."""
    rules = load_rules(RULES)
    reg = Registry(tmp_path / "r.db")
    list(reg.register([_rec(1, BODY)], rules.matcher))
    Scanner(reg, rules)
    cache = tmp_path / "r.db.index"
    (key1,) = [p.name for p in cache.iterdir()]
    sc = Scanner(reg, rules)
    assert sc.index.hashes.base is not None and not sc.index.hashes.flags.owndata  # mapped from the cache file
    list(reg.register([_rec(2, "A different article about the town's new library and its reading garden. " * 4)],
                      rules.matcher))
    sc = Scanner(reg, rules)
    (key2,) = [p.name for p in cache.iterdir()]
    assert key2 != key1  # stale key replaced
    f, _ = sc.match_document(Document(text="Reposted: " + BODY, path="copy.txt"))
    assert [x.work["id"] for x in f] == ["w1"]


def test_batch_matching_equals_one_by_one(tmp_path):
    """match_documents on a batch gives exactly the findings of match_document on each page."""
    rules = load_rules(RULES)
    reg = Registry(tmp_path / "r.db")
    list(reg.register([_rec(1, BODY), _rec(2, BODY.replace("ferry", "cargo").replace("spring", "autumn"))],
                      rules.matcher))
    sc = Scanner(reg, rules)
    docs = [Document(text=t, path=f"d{i}.txt") for i, t in enumerate([
        "Nothing to see here, just a page about gardening and tomatoes in late summer.",
        "Intro line.\n\n" + BODY + "\n\nOutro line.",
        BODY.split(".")[0] + ".",  # one sentence: short copy
        "",
        "Digest: " + BODY.replace("ferry", "cargo").replace("spring", "autumn"),
    ])]
    one = [[f.to_dict() for f in sc.match_document(d)[0]] for d in docs]
    many = [[f.to_dict() for f in fs] for fs, _ in sc.match_documents(docs)]
    assert one == many
    assert [len(x) for x in many][:2] == [0, 2]  # the page copies both near-identical works
