"""One normaliser and tokenizer for registration, scanning and notices.

Crawled copies disguise text on purpose or by accident: Cyrillic look-alike
letters, zero-width spaces inside words, curly quotes, NBSP, full-width
letters, upper-casing.  Everything that compares text goes through
:func:`tokenize`, which folds all of that away while keeping, for every token,
its exact character span in the *original* string.  Offsets are sacred: a
finding's span must select the copied characters of the file the user has.

The work is done with numpy over UTF-32 code points, so that one pass costs a
few nanoseconds per character instead of a Python object per word.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import _kernel

__all__ = [
    "Tokens",
    "tokenize",
    "token_scale",
    "normalize",
    "fold_char",
    "token_hash",
    "STOPWORDS",
    "sorted_unique",
]

# Look-alike letters from other scripts folded to Latin (upper-case forms are
# folded before case folding, so "Β" (Greek beta) becomes "b", not "β").
HOMOGLYPHS = {
    # Cyrillic lower
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "ӏ": "l", "һ": "h", "ɡ": "g", "ү": "y", "ё": "e",
    # Cyrillic upper
    "А": "a", "В": "b", "Е": "e", "К": "k", "М": "m", "Н": "h", "О": "o", "Р": "p",
    "С": "c", "Т": "t", "У": "y", "Х": "x", "Ѕ": "s", "І": "i", "Ј": "j", "Ԁ": "d",
    "Ԛ": "q", "Ԝ": "w", "Ӏ": "l", "Һ": "h", "Ү": "y", "Ё": "e",
    # Greek upper and lower
    "Α": "a", "Β": "b", "Ε": "e", "Ζ": "z", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m",
    "Ν": "n", "Ο": "o", "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x",
    "α": "a", "ε": "e", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p", "τ": "t",
    "υ": "u", "χ": "x", "ϲ": "c", "ϳ": "j",
    # Latin look-alikes outside ASCII
    "ı": "i", "ȷ": "j", "ℓ": "l",
}

# Characters that vanish: zero-width joiners/spaces, soft hyphen, BOM, word joiner.
INVISIBLE = set("\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff")

# Fold codes, one uint32 per code point (the layout compliance/_kernel.c reads):
_SEP = 0  # not part of a word
_SKIP = 0xFFFFFFFF  # remove, as if it was not there (zero-width space inside a word, accents)
_EXPAND = 0x80000000  # several letters ("ﬁ" -> "fi", "ß" -> "ss"): bits 24..27 count, 0..23 index
_SOLO = 0x40000000  # a character of a script written without spaces: one token by itself
_MARK = 0x20000000  # a combining mark that stays with the token before it (Thai vowels and tones)
_CODE = 0x001FFFFF
_MAX_EXPANSION = 4

# Scripts written without spaces between words: each character is a token (character n-grams then
# stand in for word n-grams).  Korean separates words with spaces and is tokenized by words.
_SOLO_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF), (0x19E0, 0x19FF),  # Khmer
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3040, 0x30FF), (0x31F0, 0x31FF),  # Hiragana, Katakana
    (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF),  # Han
    (0x20000, 0x3FFFF),  # Han, supplementary planes
)


def _is_solo(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _SOLO_RANGES)


def _folded(ch: str) -> tuple[str, str]:
    """(kind, letters) of one character: kind is "skip", "sep", "mark", "solo" or "word"."""
    if ch in INVISIBLE:
        return "skip", ""
    cat = unicodedata.category(ch)
    if cat == "Mc" or (cat == "Mn" and _is_solo(ord(ch))):
        return "mark", ch  # part of the syllable: "ก" + "ี" is not "ก"
    if cat == "Mn" or cat == "Me" or cat == "Cf":
        return "skip", ""
    if ch in HOMOGLYPHS:
        return "word", HOMOGLYPHS[ch]
    s = unicodedata.normalize("NFKC", ch)
    if len(s) == 1 and s in HOMOGLYPHS:
        return "word", HOMOGLYPHS[s]
    if len(s) == 1 and unicodedata.category(s) in ("Mn", "Mc"):
        return ("mark", s) if _is_solo(ord(s)) else ("skip", "")  # halfwidth dakuten, ...
    s = s.casefold()
    if len(s) == 1 and s in HOMOGLYPHS:
        return "word", HOMOGLYPHS[s]
    # Strip accents: é -> e, but keep letters that have no base (ø, ł stay).
    d = unicodedata.normalize("NFKD", s)
    base = "".join(c for c in d if not unicodedata.combining(c))
    if base:
        s = base
    letters = "".join(c for c in s if c.isalnum())
    if not letters:
        return "sep", ""
    if _is_solo(ord(letters[0])):
        return "solo", letters[0]
    # Ligatures and other expansions keep all their letters: "ﬁ" -> "fi", "ß" -> "ss".
    return "word", letters[:_MAX_EXPANSION]


def fold_char(ch: str) -> str:
    """Return the folded form of one character: '' to drop it, ' ' for a separator.

    NFKC (full-width and styled letters), homoglyphs, accents and case are all
    folded, so that "Ｃоnlеth" and "conleth" hash alike; ligatures unfold to
    their letters ("ﬁ" -> "fi").  A character of a script written without
    spaces (Han, kana, Thai) folds to itself, and is a token of its own.
    """
    kind, letters = _folded(ch)
    return " " if kind == "sep" else letters


def _entry(ch: str, expansions: list[int] | None) -> int:
    """The fold code of one character; multi-letter foldings append to *expansions* (None: first letter)."""
    kind, letters = _folded(ch)
    if kind == "skip":
        return _SKIP
    if kind == "sep":
        return _SEP
    if kind == "mark":
        return _MARK | ord(letters)
    if kind == "solo":
        return _SOLO | ord(letters)
    if len(letters) == 1 or expansions is None:
        return ord(letters[0])
    code = _EXPAND | (len(letters) << 24) | len(expansions)
    expansions.extend(ord(c) for c in letters)
    return code


@lru_cache(maxsize=4096)
def _astral(cp: int) -> int:
    """Fold code of a code point beyond the BMP (emoji, styled maths letters, rare Han): asked by the kernel."""
    return _entry(chr(cp), None)


def _table_cache_path() -> "Path | None":
    import hashlib
    import os
    from pathlib import Path

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    key = hashlib.sha256((unicodedata.unidata_version + repr(sorted(HOMOGLYPHS.items())) + repr(sorted(INVISIBLE))
                          + repr(_SOLO_RANGES) + "v2").encode()).hexdigest()[:16]
    return Path(base) / "compliance" / f"fold-{key}.npy"


@lru_cache(maxsize=1)
def _fold_tables() -> tuple[np.ndarray, np.ndarray]:
    """(fold code of every BMP code point, expansion letters), as the kernel reads them.

    Building them calls the Unicode database 65,536 times (a few tenths of a
    second), so they are cached on disk in one file, keyed by the Unicode
    version and the folding tables; a missing or unwritable cache only costs
    the rebuild.
    """
    path = _table_cache_path()
    try:
        if path is not None and path.exists():
            both = np.load(path)
            if both.dtype == np.uint32 and both.shape[0] >= 0x10000:
                return both[:0x10000].copy(), both[0x10000:].copy()
    except (OSError, ValueError):
        pass
    table, expand = _build_tables()
    try:
        import os
        import tempfile

        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npy")
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, np.concatenate([table, expand]))
        os.replace(tmp, path)
    except OSError:
        pass
    return table, expand


def _build_tables() -> tuple[np.ndarray, np.ndarray]:
    table = np.zeros(0x10000, dtype=np.uint32)
    expansions: list[int] = []
    # ASCII fast: letters and digits map to lower case, the rest separate.
    for c in range(0x80):
        ch = chr(c)
        table[c] = ord(ch.lower()) if ch.isalnum() else _SEP
    for c in range(0x80, 0x10000):
        table[c] = _SEP if 0xD800 <= c <= 0xDFFF else _entry(chr(c), expansions)
    return table, np.array(expansions, dtype=np.uint32)


# Position multipliers for the token hash (odd 64-bit constants, fixed seed so
# that hashes are stable across runs and machines: they are stored).
_RNG = np.random.Generator(np.random.PCG64(20170101))
_MULT = (_RNG.integers(0, 2**63, size=64, dtype=np.uint64) << np.uint64(1)) | np.uint64(1)


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: spreads the bits of a linear hash."""
    x = x.astype(np.uint64, copy=True)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x


@dataclass
class Tokens:
    """Words of a text: folded hashes plus exact spans in the original string."""

    text: str
    hashes: np.ndarray  # uint64, one per token
    starts: np.ndarray  # int64, original character offset of the first char
    ends: np.ndarray  # int64, original offset just past the last char
    sentence: np.ndarray  # int32, sentence number of each token
    numeric: np.ndarray  # bool, token starts with a digit
    _stop: np.ndarray | None = None

    @property
    def stop(self) -> np.ndarray:
        """Which tokens are stop words (computed once per Tokens)."""
        if self._stop is None:
            self._stop = is_stop(self.hashes)
        return self._stop

    def __len__(self) -> int:
        return int(self.hashes.shape[0])

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Character span covering tokens first..last inclusive."""
        return int(self.starts[first]), int(self.ends[last])

    def words(self, first: int, last: int) -> str:
        a, b = self.span(first, last)
        return self.text[a:b]


_EMPTY_U64 = np.zeros(0, dtype=np.uint64)
_EMPTY_I64 = np.zeros(0, dtype=np.int64)
_EMPTY_I32 = np.zeros(0, dtype=np.int32)
_EMPTY_BOOL = np.zeros(0, dtype=bool)


def tokenize(text: str) -> Tokens:
    """Split *text* into folded word tokens, keeping original offsets.

    A token is a maximal run of letters and digits after folding; invisible
    characters inside a word are skipped (``sho\\u200bw`` is one token).  In
    scripts written without spaces (Han, kana, Thai) every character, with its
    combining marks, is a token.  The loop runs in the compiled kernel, straight
    over the string's storage.
    """
    if not text:
        return Tokens(text, _EMPTY_U64, _EMPTY_I64, _EMPTY_I64, _EMPTY_I32, _EMPTY_BOOL)
    table, expand = _fold_tables()
    h, a, b, sent, num = _kernel.tokenize(text, table, expand, _MULT, _astral)
    return Tokens(text, np.frombuffer(h, dtype=np.uint64), np.frombuffer(a, dtype=np.int64),
                  np.frombuffer(b, dtype=np.int64), np.frombuffer(sent, dtype=np.int32),
                  np.frombuffer(num, dtype=np.bool_))


# Tokens per word in scripts tokenized by character: a Han or kana character is about half a word, a Thai
# (Lao, Khmer, Myanmar) letter with its marks about a third.  Thresholds counted in words are counted in
# tokens times this for a text in those scripts.
_SCALE_RANGES = (
    (3, ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x19E0, 0x19FF))),
    (2, ((0x3005, 0x3007), (0x3040, 0x30FF), (0x31F0, 0x31FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
         (0xF900, 0xFAFF), (0x20000, 0x3FFFF))),
)


_SCALED_CHAR = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for _, rr in _SCALE_RANGES for lo, hi in rr) + "]")


def token_scale(tokens: Tokens) -> int:
    """Tokens per word of a text: 1 for scripts written with spaces, 2 when most tokens are Han or kana
    characters, 3 when most are Thai, Lao, Khmer or Myanmar letters."""
    n = len(tokens)
    if n == 0 or tokens.text.isascii() or _SCALED_CHAR.search(tokens.text) is None:
        return 1
    cps = np.frombuffer(tokens.text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)[tokens.starts]
    best, best_n = 1, 0
    for scale, ranges in _SCALE_RANGES:
        k = 0
        for lo, hi in ranges:
            k += int(np.count_nonzero((cps >= lo) & (cps <= hi)))
        if k > best_n:
            best, best_n = scale, k
    return best if 2 * best_n >= n else 1


def kernel_args() -> tuple:
    """The folding arguments every kernel call takes (tables built or loaded once)."""
    table, expand = _fold_tables()
    return table, expand, _MULT, _astral


def normalize(text: str) -> tuple[str, list[int]]:
    """Return the folded text and, for each of its characters, the original offset.

    This is the character-level view of what :func:`tokenize` hashes, used
    where strings are needed (attribution search, notices).  ``offsets`` has one
    extra entry, ``len(text)``, so that an end offset maps back too.
    """
    out: list[str] = []
    offsets: list[int] = []
    for i, ch in enumerate(text):
        if ch.isascii():
            f = ch.lower() if ch.isalnum() else (ch if ch in "\n" else " ")
        else:
            f = fold_char(ch)
            if not f:
                continue
            if len(f) > 1:  # a ligature unfolds: each of its letters maps back to it
                out.append(f)
                offsets.extend([i] * len(f))
                continue
        out.append(f)
        offsets.append(i)
    offsets.append(len(text))
    return "".join(out), offsets


def token_hash(word: str) -> int:
    """Hash of one word exactly as :func:`tokenize` would hash it."""
    t = tokenize(word)
    if len(t) != 1:
        raise ValueError(f"not a single word: {word!r}")
    return int(t.hashes[0])


_STOPWORDS_TEXT = """
a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each
few for from further had has have having he her here hers herself him himself his how
i if in into is it its itself just me more most my myself no nor not now of off on
once only or other our ours ourselves out over own same she should so some such than
that the their theirs them themselves then there these they this those through to too
under until up very was we were what when where which while who whom why will with
would you your yours yourself yourselves said says say s t mr mrs ms one two new year
years last first its it's may might must shall us we'd also
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORDS_TEXT.split())


@lru_cache(maxsize=1)
def stopword_hashes() -> np.ndarray:
    """Sorted hashes of the stop words, for vectorised membership tests."""
    hs = tokenize(" ".join(sorted(STOPWORDS))).hashes
    return sorted_unique(hs)


def sorted_unique(a: np.ndarray) -> np.ndarray:
    """``np.unique`` of a 1-D array without its first-call cost (numpy 2 imports numpy.ma for it: 50 ms)."""
    s = np.sort(a)
    if s.shape[0] < 2:
        return s
    return s[np.concatenate(([True], s[1:] != s[:-1]))]


def is_stop(hashes: np.ndarray) -> np.ndarray:
    """Boolean mask: which token hashes are stop words."""
    sw = stopword_hashes()
    idx = np.searchsorted(sw, hashes)
    idx[idx >= sw.shape[0]] = 0
    return sw[idx] == hashes
