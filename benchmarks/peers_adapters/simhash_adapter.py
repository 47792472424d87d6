"""simhash.SimhashIndex over paragraphs: a near-duplicate paragraph pair is a passage.

What a user would build with the `simhash` package: one 64-bit Simhash per
work paragraph from word features (word 2-shingles passed as a list: passing
the raw string would hash character 4-grams of the text with spaces removed),
all in a SimhashIndex with k=3 bits; each crawl paragraph asks
get_near_dups, and every hit pairs the two whole paragraphs.
Runs in the peers' venv (see benchmarks/peers.py).
"""

from __future__ import annotations

import logging

from _common import Findings, done, paragraphs, parser, read_text, select_docs, shingles, words, work_ids
from simhash import Simhash, SimhashIndex

K = 3
SHINGLE = 1


def fingerprint(tokens: list[str]) -> Simhash:
    return Simhash(shingles(tokens, SHINGLE))


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    logging.getLogger("simhash").setLevel(logging.ERROR)  # it warns on every big bucket
    ids = work_ids(args.works)
    objs = []
    spans: dict[str, tuple[str, int, int]] = {}
    for path in sorted(args.works.glob("*.txt")):
        text = read_text(path)
        for i, (a, b) in enumerate(paragraphs(text)):
            toks = [t for t, _, _ in words(text, a, b)]
            if toks:
                key = f"{path.name}#{i}"
                spans[key] = (ids[path.name], a, b)
                objs.append((key, fingerprint(toks)))
    index = SimhashIndex(objs, k=K)
    found = Findings()
    for doc in select_docs(args.crawl, args.docs):
        text = read_text(doc)
        for a, b in paragraphs(text):
            toks = [t for t, _, _ in words(text, a, b)]
            if not toks:
                continue
            for key in index.get_near_dups(fingerprint(toks)):
                work, wa, wb = spans[key]
                found.add(doc, work, a, b, wa, wb)
    done(found.write(args.out), k=K, shingle_words=SHINGLE, f=64)


if __name__ == "__main__":
    main()
