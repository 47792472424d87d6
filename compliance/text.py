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

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = [
    "Tokens",
    "tokenize",
    "normalize",
    "fold_char",
    "token_hash",
    "STOPWORDS",
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

_SEP = 0  # code for "not part of a word"
_SKIP = 0xFFFFFFFF  # code for "remove, as if it was not there"


def fold_char(ch: str) -> str:
    """Return the folded form of one character: '' to drop it, ' ' for a separator.

    NFKC (full-width and styled letters), homoglyphs, accents and case are all
    folded, so that "Ｃоnlеth" and "conleth" hash alike.
    """
    if ch in INVISIBLE:
        return ""
    cat = unicodedata.category(ch)
    if cat == "Mn" or cat == "Me" or cat == "Cf":
        return ""
    if ch in HOMOGLYPHS:
        return HOMOGLYPHS[ch]
    s = unicodedata.normalize("NFKC", ch)
    if len(s) == 1 and s in HOMOGLYPHS:
        return HOMOGLYPHS[s]
    s = s.casefold()
    if len(s) == 1 and s in HOMOGLYPHS:
        return HOMOGLYPHS[s]
    # Strip accents: é -> e, but keep letters that have no base (ø, ł stay).
    d = unicodedata.normalize("NFKD", s)
    base = "".join(c for c in d if not unicodedata.combining(c))
    if base:
        s = base
    if len(s) == 1:
        return s if s.isalnum() else " "
    # Multi-character expansions (ligatures, "ß" -> "ss"): keep the letters.
    letters = "".join(c for c in s if c.isalnum())
    return letters[0] if letters else " "


def _code(folded: str) -> int:
    if folded == "":
        return _SKIP
    if folded == " ":
        return _SEP
    return ord(folded)


def _table_cache_path() -> "Path | None":
    import hashlib
    import os
    from pathlib import Path

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    key = hashlib.sha256((unicodedata.unidata_version + repr(sorted(HOMOGLYPHS.items())) + repr(sorted(INVISIBLE))
                          + "v1").encode()).hexdigest()[:16]
    return Path(base) / "compliance" / f"fold-{key}.npy"


@lru_cache(maxsize=1)
def _bmp_table() -> np.ndarray:
    """Folded code for every Basic Multilingual Plane code point.

    Building it calls the Unicode database 65,536 times (a few tenths of a
    second), so it is cached on disk, keyed by the Unicode version and the
    folding tables; a missing or unwritable cache only costs the rebuild.
    """
    path = _table_cache_path()
    try:
        if path is not None and path.exists():
            table = np.load(path)
            if table.shape == (0x10000,) and table.dtype == np.uint32:
                return table
    except (OSError, ValueError):
        pass
    table = _build_bmp_table()
    try:
        import os
        import tempfile

        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npy")
        with os.fdopen(fd, "wb") as fh:
            np.save(fh, table)
        os.replace(tmp, path)
    except OSError:
        pass
    return table


def _build_bmp_table() -> np.ndarray:
    table = np.zeros(0x10000, dtype=np.uint32)
    # ASCII fast: letters and digits map to lower case, the rest separate.
    for c in range(0x80):
        ch = chr(c)
        table[c] = ord(ch.lower()) if ch.isalnum() else _SEP
    for c in range(0x80, 0x10000):
        if 0xD800 <= c <= 0xDFFF:
            table[c] = _SEP
            continue
        table[c] = _code(fold_char(chr(c)))
    return table


def _fold_codes(cps: np.ndarray) -> np.ndarray:
    table = _bmp_table()
    big = cps >= 0x10000
    if not big.any():
        return table[cps]
    out = table[np.minimum(cps, 0xFFFF)]
    for cp in np.unique(cps[big]):
        out[cps == cp] = _code(fold_char(chr(int(cp))))
    return out


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
_SENTENCE_END = np.array([ord("."), ord("!"), ord("?"), ord("\n")], dtype=np.uint32)


def tokenize(text: str) -> Tokens:
    """Split *text* into folded word tokens, keeping original offsets.

    A token is a maximal run of letters and digits after folding; invisible
    characters inside a word are skipped (``sho\\u200bw`` is one token).
    """
    if not text:
        return Tokens(text, _EMPTY_U64, _EMPTY_I64, _EMPTY_I64, _EMPTY_I32, _EMPTY_BOOL)
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    codes = _fold_codes(cps)
    keep = codes != _SKIP
    if keep.all():
        pos = None
    else:
        pos = np.flatnonzero(keep)
        codes = codes[pos]
    word = codes != _SEP
    if not word.any():
        return Tokens(text, _EMPTY_U64, _EMPTY_I64, _EMPTY_I64, _EMPTY_I32, _EMPTY_BOOL)
    w8 = word.view(np.int8)
    edge = np.diff(w8, prepend=np.int8(0), append=np.int8(0))
    starts_c = np.flatnonzero(edge == 1)
    ends_c = np.flatnonzero(edge == -1)
    # Hash: sum over chars of code * MULT[position in token], then mix.
    widx = np.flatnonzero(word)
    lens = ends_c - starts_c
    offs_in_w = np.zeros(len(starts_c), dtype=np.int64)
    np.cumsum(lens[:-1], out=offs_in_w[1:])
    local = np.arange(widx.shape[0], dtype=np.int64) - np.repeat(offs_in_w, lens)
    contrib = codes[widx].astype(np.uint64) * _MULT[local & 63]
    hashes = _mix64(np.add.reduceat(contrib, offs_in_w) + lens.astype(np.uint64))
    if pos is None:
        starts = starts_c.astype(np.int64)
        ends = ends_c.astype(np.int64)
    else:
        starts = pos[starts_c].astype(np.int64)
        ends = pos[ends_c - 1].astype(np.int64) + 1
    # Sentence numbers: a token followed directly by . ! ? or a newline ends one.
    nxt = cps[np.minimum(ends, cps.shape[0] - 1)]
    boundary = (nxt == 46) | (nxt == 10) | (nxt == 33) | (nxt == 63)  # . newline ! ?
    boundary[-1] = False
    sentence = np.zeros(len(starts), dtype=np.int32)
    np.cumsum(boundary[:-1], out=sentence[1:])
    first = codes[starts_c]
    numeric = (first >= 48) & (first <= 57)
    return Tokens(text, hashes, starts, ends, sentence, numeric)


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
            if f == "" :
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
    return np.unique(hs)


def is_stop(hashes: np.ndarray) -> np.ndarray:
    """Boolean mask: which token hashes are stop words."""
    sw = stopword_hashes()
    idx = np.searchsorted(sw, hashes)
    idx[idx >= sw.shape[0]] = 0
    return sw[idx] == hashes
