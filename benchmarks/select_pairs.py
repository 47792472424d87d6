"""Select news-real-dev article pairs for hand labelling (issue 14) and print them for reading.

    python benchmarks/select_pairs.py stats                # how many pairs per band
    python benchmarks/select_pairs.py sample > benchmarks/out/sample.jsonl
    python benchmarks/select_pairs.py show A B             # shared passages in context, for reading
    python benchmarks/select_pairs.py features A B         # longest_run / band / shared_quote of one pair
    python benchmarks/select_pairs.py build                # out/labels.tsv + sample -> data/news-real-pairs-extra.jsonl

Words are normalised as in ../shared/data/news-real-dev (scripts/overlap.py):
split on whitespace, lowercase, curly quotes made straight, leading and
trailing punctuation stripped, empty tokens dropped.  Every word 8-gram is
indexed (8 rather than 12 so that shared quotations shorter than the band are
found too); a pair's common runs are chains of consecutive shared 8-grams on
one diagonal (length = chain + 7), which gives the longest common run exactly
for runs of >= 8 words.  The candidate features are cached in
benchmarks/out/pair-candidates.jsonl (about 80 s to compute on 2 cores).

A word is "quoted" when it lies between double quotation marks of its
paragraph (curly quotes by their direction, straight quotes by the character
before them; a quote running over paragraphs reopens each one with a quote
mark in news style, so every paragraph starts outside).  A shared run
counts as a shared quote when at least 80 % of its words are quoted in both
articles.

The selection is seeded and reproducible.  It prints ids and numbers only;
`show` prints article text for the reader's terminal and must never be
redirected into the repository.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import zlib
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SET = HERE.parent.parent / "shared" / "data" / "news-real-dev"
SEED = 20260714
BANDS = [(12, 15), (16, 20), (21, 30), (31, 45), (46, 60)]
QUOTE_MIN = 8
_QMAP = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u201e": '"', "\u00ab": '"',
                       "\u00bb": '"'})
_STRIP = re.compile(r"^[^\w]+|[^\w]+$")


def band_of(n: int) -> str:
    if n < 12:
        return "<12"
    for lo, hi in BANDS:
        if lo <= n <= hi:
            return f"{lo}-{hi}"
    return ">60"


def quote_mask(par: str) -> list[bool]:
    """Per character of one paragraph: inside double quotation marks?

    Curly quotes by direction, straight ones closing after a word character or
    punctuation and opening otherwise.  A quote running over paragraphs opens
    each one again with a quote mark (news style), so each paragraph starts outside.
    """
    mask, inside = [], False
    for k, ch in enumerate(par):
        if ch == "\u201c" or ch == "\u201e":
            inside = True
        elif ch == "\u201d":
            inside = False
        elif ch == '"':
            prev = par[k - 1] if k else " "
            inside = not (prev.isalnum() or prev in ".,!?;'\u2019)")
        mask.append(inside)
    return mask


class Doc:
    """Normalised words of one article with their character spans and quote flags."""

    def __init__(self, doc_id: str, text: str) -> None:
        self.id, self.text = doc_id, text
        self.words: list[str] = []
        self.spans: list[tuple[int, int]] = []
        self.quoted: list[bool] = []
        for para in re.finditer(r"[^\n]+", text):
            ptext, base = para.group(0), para.start()
            mask = quote_mask(ptext)
            for m in re.finditer(r"\S+", ptext):
                norm = _STRIP.sub("", m.group(0).lower().translate(_QMAP))
                if not norm:
                    continue
                first = next((k for k in range(m.start(), m.end()) if ptext[k].isalnum()), m.start())
                self.words.append(norm)
                self.spans.append((base + m.start(), base + m.end()))
                self.quoted.append(mask[first])

    def ngrams(self, k: int):
        w = self.words
        for i in range(len(w) - k + 1):
            yield hash(" ".join(w[i:i + k])), i


def load(set_dir: Path = SET) -> dict[str, Doc]:
    docs = {}
    for p in sorted((set_dir / "works").glob("*.txt"), key=lambda p: int(p.stem)):
        docs[p.stem] = Doc(p.stem, p.read_bytes().decode("utf-8"))
    return docs


def runs(a: Doc, b: Doc, k: int, index_b: dict | None = None) -> list[tuple[int, int, int]]:
    """Maximal common runs of >= k words as (start_a, start_b, length), longest first."""
    if index_b is None:
        index_b = defaultdict(list)
        for h, j in b.ngrams(k):
            index_b[h].append(j)
    hits = set()
    for h, i in a.ngrams(k):
        for j in index_b.get(h, ()):
            if a.words[i:i + k] == b.words[j:j + k]:
                hits.add((i, j))
    out = []
    for i, j in hits:
        if (i - 1, j - 1) in hits:
            continue
        n = 0
        while (i + n, j + n) in hits:
            n += 1
        out.append((i, j, n + k - 1))
    return sorted(out, key=lambda r: -r[2])


def quoted_share(d: Doc, start: int, n: int) -> float:
    return sum(d.quoted[start:start + n]) / n


def pair_features(a: Doc, b: Doc) -> dict:
    r8 = runs(a, b, 8)
    longest = r8[0][2] if r8 else 0
    q = [r for r in r8 if quoted_share(a, r[0], r[2]) >= 0.8 and quoted_share(b, r[1], r[2]) >= 0.8]
    nonq = [r for r in r8 if r not in q]
    # Covered words of a in runs >= 8 (overlapping repeats counted once).
    cov = set()
    for i, _, n in r8:
        cov.update(range(i, i + n))
    # Share of each article's words in shared runs outside quotation marks (the reporting they share).
    unq_a = {x for i, _, n in r8 for x in range(i, i + n) if not a.quoted[x]}
    unq_b = {x for _, j, n in r8 for x in range(j, j + n) if not b.quoted[x]}
    qbest = max(q, key=lambda r: r[2], default=None)
    return {"longest_run": longest, "band": band_of(longest), "shared_quote": bool(q),
            # which quote (a hash of its first 8 words, no text), to spread the sample over different quotes
            "quote_key": zlib.crc32(" ".join(a.words[qbest[0]:qbest[0] + 8]).encode()) if qbest else None,
            "longest_quote": max((r[2] for r in q), default=0),
            "longest_nonquote": max((r[2] for r in nonq), default=0),
            "shared_words": len(cov), "runs8": len(r8), "words_a": len(a.words), "words_b": len(b.words),
            "unquoted_share": round(max(len(unq_a) / max(1, len(a.words)), len(unq_b) / max(1, len(b.words))), 3)}


def all_pairs(docs: dict[str, Doc], k: int) -> dict[tuple[str, str], int]:
    """Pairs sharing a word k-gram -> number of shared k-gram positions (cheap filter)."""
    index: dict[int, set[str]] = defaultdict(set)
    for d in docs.values():
        for h, _ in d.ngrams(k):
            index[h].add(d.id)
    pairs: dict[tuple[str, str], int] = defaultdict(int)
    for ids in index.values():
        if len(ids) < 2:
            continue
        s = sorted(ids, key=int)
        for x in range(len(s)):
            for y in range(x + 1, len(s)):
                pairs[(s[x], s[y])] += 1
    return pairs


def labelled(set_dir: Path = SET) -> set[frozenset]:
    return {frozenset((p["a"], p["b"])) for p in map(json.loads, (set_dir / "pairs.jsonl").read_text().splitlines())}


def publishers(set_dir: Path = SET) -> dict[str, str]:
    return {w["id"]: w["publisher"] for w in map(json.loads, (set_dir / "works.jsonl").read_text().splitlines())}


def candidates(docs: dict[str, Doc]) -> list[dict]:
    """Features of every pair that shares a word 8-gram (self-pairs and labelled pairs excluded)."""
    done = labelled()
    pubs = publishers()
    out = []
    for (a, b) in sorted(all_pairs(docs, 8), key=lambda p: (int(p[0]), int(p[1]))):
        if frozenset((a, b)) in done:
            continue
        da, db = docs[a], docs[b]
        if da.text == db.text:
            continue
        f = pair_features(da, db)
        f.update(a=a, b=b, same_publisher=pubs[a] == pubs[b])
        out.append(f)
    return out


def sample(cands: list[dict], per_band: int, n_quote: int, max_per_doc: int, n_covered: int = 0) -> list[dict]:
    """Spread across the 12-60 band, then pairs sharing a quote (in or out of the band, quote-only ones first)."""
    rng = random.Random(SEED)
    uses: dict[str, int] = defaultdict(int)
    chosen: list[dict] = []
    seen: set[tuple[str, str]] = set()

    per_quote: dict[int, int] = defaultdict(int)

    def take(pool: list[dict], n: int, why: str, max_per_quote: int = 10**9) -> None:
        rng.shuffle(pool)
        same = 0
        got = 0
        for c in pool:
            if got >= n:
                break
            key = (c["a"], c["b"])
            if key in seen or uses[c["a"]] >= max_per_doc or uses[c["b"]] >= max_per_doc:
                continue
            if c["same_publisher"] and same >= max(1, n // 10):
                continue
            if c["quote_key"] is not None and per_quote[c["quote_key"]] >= max_per_quote:
                continue
            if c["quote_key"] is not None:
                per_quote[c["quote_key"]] += 1
            same += c["same_publisher"]
            seen.add(key)
            uses[c["a"]] += 1
            uses[c["b"]] += 1
            chosen.append({**c, "selected_as": why})
            got += 1

    for lo, hi in BANDS:
        pool = [c for c in cands if lo <= c["longest_run"] <= hi]
        # Within a band, half the picks where the longest run is not a quote, half anywhere.
        nonq = [c for c in pool if c["longest_nonquote"] >= lo]
        take(nonq, per_band // 2, f"band {lo}-{hi}, non-quote run")
        take(pool, per_band - per_band // 2, f"band {lo}-{hi}")
    quote = [c for c in cands if c["shared_quote"]]
    little_else = [c for c in quote if c["longest_nonquote"] < 12]
    long_quote_little_else = [c for c in little_else if c["longest_quote"] >= 20]
    take(long_quote_little_else, n_quote // 2, "shared long quote (>=20), little else", 4)
    take(little_else, n_quote // 4, "shared quote, little else", 4)
    take(quote, n_quote - n_quote // 2 - n_quote // 4, "shared quote", 4)
    # Added after the first 240 were read (labels kept only 14 copies): pairs in the band whose shared
    # unquoted runs cover >= 25 % of one article -- edited or trimmed wire copy without long runs.
    covered = [c for c in cands if 12 <= c["longest_run"] <= 60 and c.get("unquoted_share", 0) >= 0.25]
    for start in range(0, n_covered, 40):  # in rounds of 40, so a longer sample keeps the earlier picks
        take(covered, min(40, n_covered - start), "band 12-60, >=25% of one article in shared unquoted runs")
    return chosen


def show(docs: dict[str, Doc], a: str, b: str, ctx: int = 40, head: int = 60, min_run: int = 8) -> str:
    """Every shared run of >= min_run words with ctx words around it on both sides, and both beginnings."""
    da, db = docs[a], docs[b]
    pubs = publishers()
    f = pair_features(da, db)
    r8 = runs(da, db, min_run)
    cov_a = {x for i, _, n in r8 for x in range(i, i + n) if not da.quoted[x]}
    cov_b = {x for _, j, n in r8 for x in range(j, j + n) if not db.quoted[x]}
    lines = [f"=== {a} ({pubs[a]}, {len(da.words)} w)  vs  {b} ({pubs[b]}, {len(db.words)} w)  "
             + json.dumps({k: f[k] for k in ("longest_run", "longest_quote", "longest_nonquote", "shared_words")})
             + f"  unquoted shared: {len(cov_a)} w of A ({len(cov_a) / max(1, len(da.words)):.0%}), "
               f"{len(cov_b)} w of B ({len(cov_b) / max(1, len(db.words)):.0%})"]

    def beginning(d: Doc) -> str:
        end = d.spans[min(head, len(d.spans)) - 1][1] if d.spans else 0
        return " ".join(d.text[:end].split())

    lines.append(f"[{a} begins] {beginning(da)}")
    lines.append(f"[{b} begins] {beginning(db)}")

    def window(d: Doc, s: int, n: int) -> str:
        lo, hi = max(0, s - ctx), min(len(d.words), s + n + ctx)
        pre = d.text[d.spans[lo][0]:d.spans[s][0]]
        mid = d.text[d.spans[s][0]:d.spans[s + n - 1][1]]
        post = d.text[d.spans[s + n - 1][1]:d.spans[hi - 1][1]] if hi > s + n else ""
        return " ".join(pre.split()) + " <<< " + " ".join(mid.split()) + " >>> " + " ".join(post.split())

    rs = sorted(runs(da, db, min_run), key=lambda r: r[0])
    # Runs close together on both sides (gaps of <= 25 words, same order) are shown as one block.
    blocks: list[list[tuple[int, int, int]]] = []
    for r in rs:
        if blocks:
            i0, j0, n0 = blocks[-1][-1]
            if 0 <= r[0] - (i0 + n0) <= 25 and 0 <= r[1] - (j0 + n0) <= 25:
                blocks[-1].append(r)
                continue
        blocks.append([r])
    for blk in blocks:
        i, j = blk[0][0], blk[0][1]
        ni = blk[-1][0] + blk[-1][2] - i
        nj = blk[-1][1] + blk[-1][2] - j
        qa = sum(quoted_share(da, x, n) * n for x, _, n in blk) / sum(n for *_, n in blk)
        qb = sum(quoted_share(db, y, n) * n for _, y, n in blk) / sum(n for *_, n in blk)
        lines.append(f"--- runs {'+'.join(str(n) for *_, n in blk)} w at {a}:{i}/{len(da.words)} "
                     f"{b}:{j}/{len(db.words)}  quoted {qa:.0%}/{qb:.0%}")
        lines.append(f"  A: {window(da, i, ni)}")
        lines.append(f"  B: {window(db, j, nj)}")
    return "\n".join(lines)


_QUOTE_NOTE = re.compile(r"quote|tweet|statement|remarks|instagram", re.I)


def build(sample_path: Path, labels_path: Path, out: Path) -> None:
    """Write the labelled pairs (ids, label, band, longest run, shared quote, note; never article text)."""
    sample_rows = [json.loads(x) for x in sample_path.read_text().splitlines()]
    rows = []
    for line in labels_path.read_text().splitlines():
        if not line.strip():
            continue
        idx, label, note = line.split("\t", 2)
        if label not in ("copy", "partial", "independent"):
            raise SystemExit(f"bad label on line {idx}: {label}")
        c = sample_rows[int(idx)]
        a, b = sorted((c["a"], c["b"]), key=int)
        rows.append({"a": a, "b": b, "label": label, "band": c["band"], "longest_run": c["longest_run"],
                     # a shared speaker quotation (quoted in both, or a tweet/statement embedded in one), as read
                     "shared_quote": bool(c["shared_quote"] or _QUOTE_NOTE.search(note)),
                     "note": note})
    keys = [(r["a"], r["b"]) for r in rows]
    if len(set(keys)) != len(keys):
        raise SystemExit("duplicate pair")
    if set(map(frozenset, keys)) & labelled():
        raise SystemExit("a pair repeats pairs.jsonl")
    rows.sort(key=lambda r: (int(r["a"]), int(r["b"])))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    print(f"{len(rows)} pairs -> {out}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("stats")
    s = sub.add_parser("sample")
    s.add_argument("--per-band", type=int, default=32)
    s.add_argument("--quote", type=int, default=80)
    s.add_argument("--max-per-doc", type=int, default=3)
    s.add_argument("--covered", type=int, default=80)
    sh = sub.add_parser("show")
    sh.add_argument("a")
    sh.add_argument("b")
    sh.add_argument("--ctx", type=int, default=40)
    sh.add_argument("--head", type=int, default=60)
    sh.add_argument("--min-run", type=int, default=8)
    bu = sub.add_parser("build", help="join hand labels (index<TAB>label<TAB>note, by sample line) with the sample")
    bu.add_argument("--sample", default=str(HERE / "out" / "sample.jsonl"))
    bu.add_argument("--labels", default=str(HERE / "out" / "labels.tsv"))
    bu.add_argument("--out", default=str(HERE / "data" / "news-real-pairs-extra.jsonl"))
    fe = sub.add_parser("features")
    fe.add_argument("a")
    fe.add_argument("b")
    args = ap.parse_args()
    if args.cmd == "build":
        build(Path(args.sample), Path(args.labels), Path(args.out))
        return
    docs = load()
    if args.cmd == "show":
        print(show(docs, args.a, args.b, args.ctx, args.head, args.min_run))
        return
    if args.cmd == "features":
        print(json.dumps(pair_features(docs[args.a], docs[args.b])))
        return
    cache = HERE / "out" / "pair-candidates.jsonl"
    if cache.exists() and cache.stat().st_mtime > Path(__file__).stat().st_mtime:
        cands = [json.loads(x) for x in cache.read_text().splitlines()]
    else:
        cands = candidates(docs)
        cache.parent.mkdir(exist_ok=True)
        cache.write_text("".join(json.dumps(c) + "\n" for c in cands))
    if args.cmd == "stats":
        by: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for c in cands:
            v = by[c["band"]]
            v[0] += 1
            v[1] += c["shared_quote"]
            v[2] += c["shared_quote"] and c["longest_nonquote"] < 12
        print(f"{len(cands)} unlabelled pairs share a word 8-gram")
        for k in ["<12", *[f"{lo}-{hi}" for lo, hi in BANDS], ">60"]:
            print(f"  {k:>6}: {by[k][0]:5d} pairs, {by[k][1]:5d} share a quote, {by[k][2]:5d} of them little else")
        return
    for c in sample(cands, args.per_band, args.quote, args.max_per_doc, args.covered):
        print(json.dumps(c))


if __name__ == "__main__":
    sys.exit(main())
