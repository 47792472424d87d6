"""The news-real-dev pair labels kept in the project (issue 14): ids and labels only, scored by quality.py."""

import json
import re
import sys
from pathlib import Path

from conftest import ROOT, need_shared

EXTRA = ROOT / "benchmarks" / "data" / "news-real-pairs-extra.jsonl"
FIELDS = {"a", "b", "label", "band", "longest_run", "shared_quote", "note"}
BANDS = {"<12", "12-15", "16-20", "21-30", "31-45", "46-60", ">60"}


def _rows() -> list[dict]:
    return [json.loads(line) for line in EXTRA.read_text().splitlines()]


def test_extra_pairs_are_ids_and_labels():
    rows = _rows()
    assert len(rows) >= 200
    assert len({(r["a"], r["b"]) for r in rows}) == len(rows)
    for r in rows:
        assert set(r) == FIELDS
        assert r["a"].isdigit() and r["b"].isdigit() and int(r["a"]) < int(r["b"])
        assert r["label"] in {"copy", "partial", "independent"}
        assert r["band"] in BANDS and isinstance(r["longest_run"], int) and isinstance(r["shared_quote"], bool)
        assert 0 < len(r["note"]) <= 200


def test_extra_pairs_hold_no_article_text():
    """No note carries six consecutive words of either article, and no pair repeats pairs.jsonl."""
    data = need_shared("data", "news-real-dev")
    labelled = {frozenset((p["a"], p["b"])) for p in map(json.loads, (data / "pairs.jsonl").read_text().splitlines())}
    words = lambda s: re.findall(r"[a-z0-9']+", s.lower().replace("\u2019", "'"))  # noqa: E731
    for r in _rows():
        assert frozenset((r["a"], r["b"])) not in labelled
        note = words(r["note"])
        grams = {" ".join(note[i:i + 6]) for i in range(len(note) - 5)}
        for side in (r["a"], r["b"]):
            text = " ".join(words((data / "works" / f"{side}.txt").read_text()))
            assert not [g for g in grams if g in text], (r, side)


def test_quality_scores_each_label_set(tmp_path):
    """score_pairs counts a pair found in either direction, ignores self-findings, and reads several files."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import quality

    s = tmp_path / "set"
    s.mkdir()
    (s / "pairs.jsonl").write_text(json.dumps({"a": "1", "b": "2", "label": "copy"}) + "\n")
    extra = tmp_path / "extra.jsonl"
    extra.write_text("".join(json.dumps(p) + "\n" for p in [{"a": "3", "b": "4", "label": "independent", "note": "x"},
                                                            {"a": "5", "b": "6", "label": "copy", "note": "y"}]))
    findings = tmp_path / "f.jsonl"
    finding = lambda d, w: json.dumps({"document": {"path": f"crawl/{d}.txt"}, "work": {"id": w}})  # noqa: E731
    findings.write_text("\n".join([finding("2", "1"), finding("4", "3"), finding("5", "5")]) + "\n")
    assert quality.score_pairs(s, findings) == {"copy": {"pairs": 1, "flagged": 1, "share": 1.0}}
    both = quality.score_pairs(s, findings, [s / "pairs.jsonl", extra])
    assert both["copy"] == {"pairs": 2, "flagged": 1, "share": 0.5}
    assert both["independent"] == {"pairs": 1, "flagged": 1, "share": 1.0}
    misses = quality.pair_misses(findings, [extra])
    assert [m["a"] for m in misses["copy_missed"]] == ["5"] and [m["a"] for m in misses["independent_flagged"]] == ["3"]
