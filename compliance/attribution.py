"""What a crawled page credits, and what it says about itself.

**Attribution**: every publisher name (and the other names its policy lists,
and its brand without "Media Ltd"), holder, author, own domain and canonical
work URL in the registry, and each work's registered notice, is compiled into
one Aho-Corasick automaton over *token-id sequences* (the 32-bit folded token
hashes of :func:`compliance.text.tokenize`, like ScanCode's ``KEY_SEQUENCE``).
One pass over a document finds them all, on whole words only, whatever the
case, punctuation or look-alike letters; offsets come from the tokens, so a
record's span selects the original characters.  ``Document.text`` and
``Document.extra_text`` (footers and credits the extractor dropped) are both
searched.  A name inside a copied passage is the work's own text, not a
credit, and is left out.

**Page signals**: phrases and patterns from ``page-signal`` rules ("add to
cart", prices) that mark a page as commercial.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterable, Sequence

import ahocorasick
import numpy as np
import re2

from .models import Document
from .text import Tokens, tokenize

if TYPE_CHECKING:
    from .registry import Registry
    from .rules import PageSignal, RuleSet

__all__ = ["AttributionIndex", "Hit", "name_variants", "registry_entries", "page_signal_hits", "is_commercial", "declared_licences",
           "KINDS"]

KINDS = ("publisher", "holder", "author", "domain", "url", "notice")
_PRIORITY = {k: i for i, k in enumerate(KINDS)}
# Words a brand is written without: "Northwind Daily Media Ltd" is credited as "Northwind Daily".
_CORPORATE = {"inc", "ltd", "llc", "llp", "lp", "limited", "corp", "corporation", "co", "company", "plc", "gmbh",
              "ag", "sa", "pty", "pvt", "group", "holdings", "media", "publishing", "publications", "publishers",
              "newspapers", "communications", "network", "networks", "enterprises", "international", "digital"}


@dataclass(frozen=True)
class Hit:
    """One name found in a document."""

    kind: str
    scope: tuple[str, str]  # ("publisher", name) or ("work", id)
    start: int
    end: int
    where: str  # "text" or "extra"
    text: str

    def record(self) -> dict[str, Any]:
        """The agreed attribution record."""
        return {"kind": self.kind, "text": self.text, "start": self.start, "end": self.end, "where": self.where}


def _ids32(hashes: np.ndarray) -> tuple[int, ...]:
    return tuple((hashes & np.uint64(0xFFFFFFFF)).tolist())


def _batch_ids(names: list[str]) -> dict[str, tuple[int, ...]]:
    """Token-id sequences of many names with one tokenize call (a token's hash ignores its neighbours)."""
    if not names:
        return {}
    text = "\n".join(names)
    starts = np.zeros(len(names), dtype=np.int64)
    lengths = np.fromiter((len(n) + 1 for n in names), dtype=np.int64, count=len(names))
    np.cumsum(lengths[:-1], out=starts[1:])
    toks = tokenize(text)
    owner = np.searchsorted(starts, toks.starts, side="right") - 1
    ids32 = (toks.hashes & np.uint64(0xFFFFFFFF)).tolist()
    bounds = np.searchsorted(owner, np.arange(len(names) + 1), side="left").tolist()
    return {name: tuple(ids32[bounds[i]:bounds[i + 1]]) for i, name in enumerate(names)}


_IDS_CACHE: dict[str, tuple[int, ...]] = {}


def _cached_ids(names: list[str]) -> dict[str, tuple[int, ...]]:
    """Token-id sequences of names, each tokenized once per process (a scan builds an index per page that
    copies, over the same few publishers' and works' names again and again)."""
    missing = [n for n in names if n not in _IDS_CACHE]
    if missing:
        if len(_IDS_CACHE) > 50_000:
            _IDS_CACHE.clear()
        _IDS_CACHE.update(_batch_ids(missing))
    return {n: _IDS_CACHE[n] for n in names}


def name_variants(name: str) -> list[str]:
    """A name and the shorter forms it is credited by: without "Ltd", "Media", a leading "The"."""
    return list(_name_variants(name))


@lru_cache(maxsize=8192)
def _name_variants(name: str) -> tuple[str, ...]:
    out = [name.strip()]
    words = name.strip().rstrip(".").split()
    while len(words) > 1 and re.sub(r"[^\w]", "", words[-1].lower()) in _CORPORATE:
        words = words[:-1]
        while words and words[-1].endswith(","):
            words[-1] = words[-1].rstrip(",")
        short = " ".join(words)
        if len(words) >= 2 or (len(words) == 1 and len(words[0]) >= 4):
            out.append(short)
    for v in list(out):
        if v.lower().startswith("the ") and len(v.split()) >= 3:
            out.append(v[4:])
    seen: list[str] = []
    for v in out:
        if v and v not in seen:
            seen.append(v)
    return tuple(seen)


def _url_key(url: str) -> str:
    """A work URL as it is written in a credit: no scheme, no "www.", no trailing slash."""
    u = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url.strip(), flags=re.IGNORECASE)
    u = re.sub(r"^www\.", "", u, flags=re.IGNORECASE)
    return u.rstrip("/")


class AttributionIndex:
    """Registry names compiled into one token-sequence automaton."""

    def __init__(self, entries: Iterable[tuple[str, tuple[str, str], str]]) -> None:
        """*entries*: (kind, scope, name) triples."""
        self._auto: Any = None
        keys: dict[tuple[int, ...], set[tuple[str, tuple[str, str]]]] = {}
        entries = [e for e in entries if e[2] and e[2].strip()]
        ids = _cached_ids(list({e[2]: None for e in entries}))  # each distinct name tokenized once per process
        for kind, scope, name in entries:
            key = ids[name]
            if not key or (len(key) == 1 and len(name.strip()) < 4 and kind != "domain"):
                continue
            keys.setdefault(key, set()).add((kind, scope))
        if keys:
            auto = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_SEQUENCE)
            for key, payload in keys.items():
                auto.add_word(key, (len(key), tuple(sorted(payload))))
            auto.make_automaton()
            self._auto = auto
        self.size = len(keys)

    @classmethod
    def from_registry(cls, registry: "Registry", rules: "RuleSet | None" = None) -> "AttributionIndex":
        """Names of every publisher, holder, author, domain, work URL and notice in *registry*."""
        import json

        db = registry.db
        publishers = [(n, h, json.loads(d or "[]")) for n, h, d in
                      db.execute("SELECT name, holder, domains FROM publishers")]
        works = list(db.execute("SELECT id, author, url FROM works"))
        # each work's main notice only: a photo credit stored with a work does not credit its publisher
        notices = list(db.execute("SELECT w.id, n.holder, n.text FROM works w JOIN notices n ON n.id = w.notice_id"))
        return cls(registry_entries(publishers, works, notices, rules))

    @classmethod
    def for_work_info(cls, work: dict[str, Any], rules: "RuleSet | None" = None) -> "AttributionIndex":
        """The names of one work as :meth:`Registry.work_info` describes it (tests, single checks)."""
        return cls.for_works([work], rules)

    @classmethod
    def for_works(cls, works: Sequence[dict[str, Any]], rules: "RuleSet | None" = None) -> "AttributionIndex":
        """The names of the works a document copies (their publishers, holders, authors, URLs, notices).

        A scan builds this per document with findings: only the copied works'
        credits matter for their verdicts, and a small automaton is built in
        microseconds where one over a whole registry of 100,000 works takes
        seconds.
        """
        pubs: dict[str, tuple[str, str | None, list[str]]] = {}
        for w in works:
            pubs.setdefault(w["publisher"], (w["publisher"], w.get("holder"), list(w.get("domains") or [])))
        return cls(registry_entries(list(pubs.values()),
                                    [(w["id"], w.get("author"), w.get("url")) for w in works],
                                    [(w["id"], (w.get("notice") or {}).get("holder"), (w.get("notice") or {}).get("text"))
                                     for w in works], rules))

    def find(self, doc: Document, tokens: Tokens | None = None,
             scopes: set[tuple[str, str]] | None = None, limit: int = 10_000) -> list[Hit]:
        """Registry names in the document's text and extra text (only those of *scopes*, when given)."""
        hits: list[Hit] = []
        if self._auto is None:
            return hits
        for where, text, toks in (("text", doc.text, tokens), ("extra", doc.extra_text, None)):
            if not text:
                continue
            if toks is None or toks.text is not text:
                toks = tokenize(text)
            if len(toks) == 0:
                continue
            for end, (n, payload) in self._auto.iter(_ids32(toks.hashes)):
                first = end - n + 1
                a, b = int(toks.starts[first]), int(toks.ends[end])
                original = text[a:b]
                for kind, scope in payload:
                    if (scopes is None or scope in scopes) and _plausible(kind, original):
                        hits.append(Hit(kind, scope, a, b, where, original))
                if len(hits) >= limit:
                    return hits  # a page that names a publisher ten thousand times says nothing more
        return hits

    def for_work(self, hits: Sequence[Hit], work: dict[str, Any], passages: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Attribution records that credit *work* (its publisher, holder, author, URL, notice).

        Names inside a copied passage are the work's own words and do not count.
        """
        scopes = {("publisher", work.get("publisher")), ("work", work.get("id"))}
        spans = [(p.doc_start, p.doc_end) for p in passages]
        best: dict[tuple[str, int, int], Hit] = {}
        for h in hits:
            if h.scope not in scopes:
                continue
            if h.where == "text" and any(a <= h.start and h.end <= b for a, b in spans):
                continue
            key = (h.where, h.start, h.end)
            if key not in best or _PRIORITY[h.kind] < _PRIORITY[best[key].kind]:
                best[key] = h
        # a shorter name inside a longer one at the same place ("Northwind Daily" in "Northwind Daily Media Ltd")
        kept = sorted(best.values(), key=lambda h: (h.where != "text", h.start, -(h.end - h.start)))
        out: list[Hit] = []
        for h in kept:
            if any(o.where == h.where and o.start <= h.start and h.end <= o.end and o.kind == h.kind
                   for o in out):
                continue
            out.append(h)
        return [h.record() for h in out]


def registry_entries(publishers: Iterable[tuple[str, str | None, list[str]]],
                     works: Iterable[tuple[str, str | None, str | None]],
                     notices: Iterable[tuple[str, str | None, str | None]],
                     rules: "RuleSet | None" = None) -> list[tuple[str, tuple[str, str], str]]:
    """(kind, scope, name) entries: publishers (name, holder, domains), works (id, author, url),
    notices (work id, holder, text), plus each publisher policy's other names and domains."""
    entries: list[tuple[str, tuple[str, str], str]] = []
    for name, holder, domains in publishers:
        scope = ("publisher", name)
        entries += [("publisher", scope, v) for v in name_variants(name)]
        if holder:
            entries += [("holder", scope, v) for v in name_variants(holder)]
        for d in domains:
            entries.append(("domain", scope, d.lower().removeprefix("www.")))
        pol = rules.policy(name) if rules is not None else None
        if pol is not None and pol.publisher != "*":
            for n in pol.names:
                entries += [("publisher", scope, v) for v in name_variants(n)]
            entries += [("domain", scope, d) for d in pol.domains]
    for wid, author, url in works:
        scope = ("work", wid)
        if author:
            entries.append(("author", scope, author))
        if url:
            entries.append(("url", scope, _url_key(url)))
    for wid, holder, text in notices:
        scope = ("work", wid)
        if holder:
            entries += [("holder", scope, v) for v in name_variants(holder)]
        first = (text or "").strip().split("\n")[0]
        if len(first.split()) >= 3:
            entries.append(("notice", scope, first))
    return entries


def _plausible(kind: str, original: str) -> bool:
    """Reject matches that only look alike after folding ("northwind daily. Example" is not a domain)."""
    if kind == "domain":
        return not re.search(r"\s", original) and "." in original
    if kind == "url":
        return not re.search(r"\s", original) and "/" in original
    if kind == "notice":
        return True
    first = next((c for c in original if c.isalpha()), "")
    return bool(first) and (first.isupper() or not first.islower())


# ---------------------------------------------------------------- page signals
@lru_cache(maxsize=32)
def _signal_automaton(phrases: tuple[str, ...]) -> Any:
    auto = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_SEQUENCE)
    n = 0
    for p in phrases:
        t = tokenize(p)
        if len(t):
            auto.add_word(_ids32(t.hashes), (len(t), p))
            n += 1
    if not n:
        return None
    auto.make_automaton()
    return auto


@lru_cache(maxsize=32)
def _signal_patterns(patterns: tuple[str, ...]) -> tuple[Any, ...]:
    opts = re2.Options()
    opts.max_mem = 8 << 20
    return tuple(re2.compile(p, opts) for p in patterns)


def page_signal_hits(doc: Document, signal: "PageSignal", limit: int = 50) -> list[dict[str, Any]]:
    """Where a page shows a signal: [{"text", "start", "end", "where"}] (phrases on whole words)."""
    out: list[dict[str, Any]] = []
    auto = _signal_automaton(signal.phrases)
    pats = _signal_patterns(signal.patterns)
    for where, text in (("text", doc.text), ("extra", doc.extra_text)):
        if not text:
            continue
        if auto is not None:
            toks = tokenize(text)
            for end, (n, _) in auto.iter(_ids32(toks.hashes)):
                a, b = int(toks.starts[end - n + 1]), int(toks.ends[end])
                out.append({"text": text[a:b], "start": a, "end": b, "where": where})
                if len(out) >= limit:
                    return out
        for p in pats:
            for m in p.finditer(text):
                found = m.group(0).rstrip()
                found = found[:1] + found[1:].rstrip(".,;:!?)(]['\"") if len(found) > 1 else found
                a = m.start() + (len(found) - len(found.lstrip()))
                out.append({"text": found.strip(), "start": a, "end": a + len(found.strip()), "where": where})
                if len(out) >= limit:
                    return out
    return out


def is_commercial(doc: Document, signals: Sequence["PageSignal"]) -> tuple[bool, "PageSignal | None",
                                                                             list[dict[str, Any]]]:
    """(commercial?, the deciding signal rule, its hits) for a page."""
    for s in signals:
        if s.signal != "commercial":
            continue
        hits = page_signal_hits(doc, s, limit=max(s.min_hits, 1) + 10)
        if len(hits) >= s.min_hits:
            return True, s, hits
    return False, None, []


def declared_licences(doc: Document) -> list[str]:
    """Creative Commons licences a page states (for share-alike: does the copy carry the same licence?)."""
    from .notices import license_of

    out: list[str] = []
    for text in (doc.text, doc.extra_text):
        for m in re.finditer(r"creative\s+commons|\bcc[\s-]?(?:by|0)\b|creativecommons\.org", text or "", re.IGNORECASE):
            lic = license_of(text[m.start(): m.start() + 200])
            if lic and lic not in out:
                out.append(lic)
    return out
