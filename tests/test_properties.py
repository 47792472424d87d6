"""Property tests (Hypothesis) for the normaliser, the tokenizer, notice parsing and the finding format.

Offsets are sacred: every span a finding reports must select characters of
the original text.  These properties are checked on arbitrary Unicode
(surrogates, combining marks, ligatures, bidi and zero-width characters,
look-alike letters), with a modest number of examples so the suite stays fast.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.models import Finding, PassageMatch, finding_id
from compliance.notices import find_notices, parse_notice_line
from compliance.text import normalize, tokenize

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: text with the characters that break offset bookkeeping: ligatures, combining marks, zero-width, bidi,
#: astral characters, look-alikes, NUL, line breaks
TRICKY = st.sampled_from(list("ﬁﬂß\u0301\u0308\u200b\u200d\u00ad\ufeff\u202e\u2066аеорсΑΒ\U0001d400\U0001f600"
                              "\x00\n\r\t Ａｂ’“”©ǅİ"))
TEXT = st.lists(st.one_of(st.characters(blacklist_categories=("Cs",)), TRICKY), max_size=200).map("".join)
WORDS = st.lists(st.sampled_from(["the", "harbor", "Café", "Ｆｕｌｌ", "сopy", "word", "2025", "don’t",
                                  "naïve", "x\u200by", "fish", "flow", "office", "baffle", "waffle", "coffee",
                                  "first", "Straße"]), min_size=0, max_size=40)
LIGATURES = [("ffi", "ﬃ"), ("ffl", "ﬄ"), ("ff", "ﬀ"), ("fi", "ﬁ"), ("fl", "ﬂ"), ("st", "ﬆ")]


@FAST
@given(TEXT)
def test_normalize_offsets_map_back_to_the_original(text: str) -> None:
    """One offset per folded character plus len(text); never decreasing; the folded characters that point
    to one original character are its fold (a ligature unfolds to several: "ﬁ" -> "fi", both pointing
    at the ligature), so any folded span maps back to an original span."""
    from itertools import groupby

    from compliance.text import fold_char

    folded, offsets = normalize(text)
    assert len(offsets) == len(folded) + 1
    assert offsets[-1] == len(text)
    assert all(a <= b for a, b in zip(offsets, offsets[1:]))
    pos = 0
    for i, run in groupby(offsets[:-1]):
        n = len(list(run))
        orig = text[i]
        if orig.isascii():
            assert n == 1
            assert folded[pos] == (orig.lower() if orig.isalnum() else (orig if orig == "\n" else " "))
        else:
            assert folded[pos : pos + n] == fold_char(orig)
        pos += n


@FAST
@given(TEXT)
def test_tokens_select_original_characters(text: str) -> None:
    """Token spans are ordered, non-overlapping, inside the text, start and end on a word character, and a
    token's hash is the hash of the same characters tokenized alone."""
    t = tokenize(text)
    n = len(t)
    assert t.starts.shape == t.ends.shape == t.hashes.shape == (n,)
    prev = 0
    for a, b in zip(t.starts.tolist(), t.ends.tolist()):
        assert prev <= a < b <= len(text)
        prev = b
        piece = text[a:b]
        alone = tokenize(piece)
        assert len(alone) == 1, (piece, alone.starts, alone.ends)
    for k in range(n):
        a, b = int(t.starts[k]), int(t.ends[k])
        assert int(tokenize(text[a:b]).hashes[0]) == int(t.hashes[k])


@FAST
@given(WORDS, st.sampled_from([" ", "  ", "\n", " \u200b ", "\u00a0", ", ", " — "]))
def test_tokenizer_ignores_disguises(words: list[str], sep: str) -> None:
    """The same words joined by any separator, upper-cased, with look-alike letters swapped in or with
    ligatures for their letters ("ﬁ" for "fi", "ﬀ" for "ff", ...), hash alike, and their spans still
    select the original characters."""
    plain = tokenize(" ".join(words)).hashes.tolist()
    assert tokenize(sep.join(words)).hashes.tolist() == plain
    assert tokenize(" ".join(w.upper() for w in words)).hashes.tolist() == plain
    swapped = " ".join(words).replace("o", "о").replace("e", "е")  # Cyrillic look-alikes
    assert tokenize(swapped).hashes.tolist() == plain
    ligated = " ".join(words)
    for letters, ligature in LIGATURES:
        ligated = ligated.replace(letters, ligature)
    t, p = tokenize(ligated), tokenize(" ".join(words))
    assert t.hashes.tolist() == plain
    unligated = [ligated[a:b] for a, b in zip(t.starts.tolist(), t.ends.tolist())]
    for letters, ligature in LIGATURES:
        unligated = [w.replace(ligature, letters) for w in unligated]
    assert unligated == [p.text[a:b] for a, b in zip(p.starts.tolist(), p.ends.tolist())]


HOLDER = st.from_regex(r"[A-Z][a-z]{2,10}( [A-Z][a-z]{2,10}){0,2}( Ltd| Media| Inc\.)?", fullmatch=True)


@FAST
@given(HOLDER, st.integers(1990, 2030), st.integers(0, 5), st.booleans(), TEXT, TEXT)
def test_notice_parsing_finds_holder_years_and_span(holder: str, year: int, more: int, arr: bool, before: str,
                                                    after: str) -> None:
    """A © line with a holder and years, between arbitrary text: parsed with that holder and those years, and
    every notice found in any text has a span inside it whose characters are the notice's text."""
    line = f"© {year}{'-' + str(year + more) if more else ''} {holder}.{' All rights reserved.' if arr else ''}"
    h, years, reserved = parse_notice_line(line)
    assert h is not None and h.rstrip(".") == holder.rstrip(".")
    assert years == list(range(year, year + more + 1))
    assert reserved == arr
    text = f"{before}\n\n{line}\n\n{after}"
    notices = find_notices(text)
    assert any(n.holder and n.holder.rstrip(".") == holder.rstrip(".") for n in notices)
    for n in notices:
        if n.start is not None:
            assert 0 <= n.start < n.end <= len(text)


@FAST
@given(TEXT)
def test_notice_parsing_never_crashes_and_spans_stay_inside(text: str) -> None:
    for n in find_notices(text):
        assert 0 <= n.start <= n.end <= len(text)
        assert all(1000 <= y <= 9999 for y in n.years)


SPAN = st.tuples(st.integers(0, 10_000), st.integers(0, 500)).map(lambda t: (t[0], t[0] + t[1]))


@FAST
@given(TEXT, TEXT, st.lists(st.tuples(SPAN, SPAN, st.integers(1, 400), st.floats(0, 1)), min_size=1, max_size=5),
       st.sampled_from(["violation", "review", "permitted-excerpt", "licensed"]))
def test_finding_format_round_trips_through_json(url: str, title: str, spans: list, verdict: str) -> None:
    """A finding with any crawled strings serialises to one line of JSON and back to the same fields, with a
    stable 16-hex id from its document and work."""
    fid = finding_id("ab" * 32, title or "w")
    assert len(fid) == 16 and int(fid, 16) >= 0 and fid == finding_id("ab" * 32, title or "w")
    passages = [PassageMatch(d[0], d[1], w[0], w[1], n, round(s, 4), "exact") for d, w, n, s in spans]
    f = Finding(id=fid, document={"path": "x", "url": url, "sha256": "ab" * 32, "title": title},
                work={"id": "w", "title": title, "publisher": "P", "url": None}, passages=passages,
                copied_words=sum(p.words for p in passages), work_coverage=0.5, verdict=verdict,
                reasons=[title], contact={"holder": "H", "email": None})
    line = json.dumps(f.to_dict(), ensure_ascii=False)
    assert "\n" not in line and "\r" not in line
    back = json.loads(line)
    assert back == json.loads(json.dumps(f.to_dict()))
    assert back["document"]["url"] == url and back["work"]["title"] == title
    for p, q in zip(back["passages"], passages):
        assert p["doc_start"] <= p["doc_end"] and (p["doc_start"], p["doc_end"]) == (q.doc_start, q.doc_end)
