"""datasketch MinHashLSH over paragraphs, with each candidate pair aligned by difflib.

What a user would build with datasketch: one MinHash (num_perm 128) per work
paragraph over word 3-shingles, all in a MinHashLSH (Jaccard threshold 0.5);
each crawl paragraph queries it, and every candidate (document paragraph,
work paragraph) is aligned with difflib.SequenceMatcher on words: matching
blocks of 3+ words, their hull is the passage, kept when 8+ words match.
Runs in the peers' venv (see benchmarks/peers.py).
"""

from __future__ import annotations

from difflib import SequenceMatcher

from _common import Findings, done, paragraphs, parser, read_text, select_docs, shingles, words, work_ids
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
THRESHOLD = 0.5
SHINGLE = 3
MIN_BLOCK = 3
MIN_WORDS = 8


def minhash(tokens: list[str]) -> MinHash:
    m = MinHash(num_perm=NUM_PERM)
    m.update_batch([s.encode("utf-8") for s in shingles(tokens, SHINGLE)])
    return m


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    ids = work_ids(args.works)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    work_paras: dict[str, tuple[str, list[tuple[str, int, int]]]] = {}
    for path in sorted(args.works.glob("*.txt")):
        text = read_text(path)
        for i, (a, b) in enumerate(paragraphs(text)):
            toks = words(text, a, b)
            if toks:
                key = f"{path.name}#{i}"
                work_paras[key] = (ids[path.name], toks)
                lsh.insert(key, minhash([t for t, _, _ in toks]))
    found = Findings()
    for doc in select_docs(args.crawl, args.docs):
        text = read_text(doc)
        for a, b in paragraphs(text):
            dtoks = words(text, a, b)
            if not dtoks:
                continue
            dwords = [t for t, _, _ in dtoks]
            for key in lsh.query(minhash(dwords)):
                work, wtoks = work_paras[key]
                sm = SequenceMatcher(None, dwords, [t for t, _, _ in wtoks], autojunk=False)
                blocks = [m for m in sm.get_matching_blocks() if m.size >= MIN_BLOCK]
                if sum(m.size for m in blocks) < MIN_WORDS:
                    continue
                d0 = min(m.a for m in blocks)
                d1 = max(m.a + m.size for m in blocks) - 1
                w0 = min(m.b for m in blocks)
                w1 = max(m.b + m.size for m in blocks) - 1
                found.add(doc, work, dtoks[d0][1], dtoks[d1][2], wtoks[w0][1], wtoks[w1][2])
    done(found.write(args.out), num_perm=NUM_PERM, threshold=THRESHOLD, shingle_words=SHINGLE,
         min_block_words=MIN_BLOCK, min_matched_words=MIN_WORDS)


if __name__ == "__main__":
    main()
