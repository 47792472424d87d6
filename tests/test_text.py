"""The normaliser and tokenizer: folding that keeps exact original offsets."""

from __future__ import annotations

from compliance.text import normalize, tokenize


def test_tokens_select_original_words():
    """Every token span slices the original text, whatever the folding did."""
    text = "The Producers’ Nathan\u00a0Lane — a sho\u200bw for Rіchard (Cyrillic і)."
    t = tokenize(text)
    words = [text[a:b] for a, b in zip(t.starts.tolist(), t.ends.tolist())]
    assert words[:4] == ["The", "Producers", "Nathan", "Lane"]
    assert "sho\u200bw" in words and "Rіchard" in words


def test_disguises_fold_to_the_same_hashes():
    """Homoglyphs, zero-width spaces, NBSP, full-width letters and case all fold away."""
    plain = tokenize("the show won for richard conleth 2005")
    disguised = tokenize("ThE sh\u200bow\u00a0wоn fоr RІCHARD ＣＯＮＬＥＴＨ ２００５")
    assert plain.hashes.tolist() == disguised.hashes.tolist()


def test_accents_and_curly_quotes_fold():
    """Accented letters fold to their base; curly apostrophes separate words like straight ones."""
    assert tokenize("café l’été").hashes.tolist() == tokenize("cafe l'ete").hashes.tolist()


def test_normalize_offsets_map_back():
    """normalize() returns an offset for every folded character, pointing into the original."""
    text = "Ａb\u200bc’d"
    folded, offsets = normalize(text)
    assert folded == "abc d"
    assert len(offsets) == len(folded) + 1
    assert [text[i] for i in offsets[:-1]] == ["Ａ", "b", "c", "’", "d"]


def test_sentences_are_numbered():
    """Sentence numbers rise after . ! ? and newlines (used for passage windows)."""
    t = tokenize("One two. Three four! Five\nsix")
    assert t.sentence.tolist() == [0, 0, 1, 1, 2, 3]


def test_empty_and_symbol_only_text():
    assert len(tokenize("")) == 0
    assert len(tokenize(" — … ©")) == 0
