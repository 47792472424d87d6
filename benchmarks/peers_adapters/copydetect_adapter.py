"""copydetect's CopyDetector in text mode: crawl folder as test files, works folder as references.

What a user would run: CopyDetector(test_dirs=[crawl], ref_dirs=[works],
extensions=["txt"], disable_filtering=True) -- disable_filtering is its text
mode (no code tokenizer: character k-grams of the raw text, so its slices are
character offsets into the file) -- with noise_t/guarantee_t raised for prose,
then run().  copydetect reports, per file pair, the copied slices of each file
separately, not which slice copies which.  They are paired here through the
shared winnowed fingerprints: each document slice goes with the work slice it
shares most fingerprints with.  Every pair with a slice is reported (its
display_t is a whole-file share meant for the HTML report, and would drop
short copies in long pages).  Runs in the peers' venv (see benchmarks/peers.py).
"""

from __future__ import annotations

import logging
from collections import Counter

import numpy as np
from _common import Findings, done, parser, read_text, select_docs, work_ids
from copydetect import CopyDetector

NOISE_T = 50
GUARANTEE_T = 60


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    logging.getLogger().setLevel(logging.ERROR)
    ids = work_ids(args.works)
    docs = select_docs(args.crawl, args.docs)
    det = CopyDetector(test_dirs=[], ref_dirs=[str(args.works)], extensions=["txt"], noise_t=NOISE_T,
                       guarantee_t=GUARANTEE_T, disable_filtering=True, autoopen=False, silent=True)
    for doc in docs:
        det.add_file(str(doc), type="test")
    det.run()
    found = Findings()
    for (test_f, ref_f), (doc_slices, work_slices) in det.slice_matrix.items():
        fd, fw = det.file_data[test_f], det.file_data[ref_f]
        for raw, path in ((fd.raw_code, test_f), (fw.raw_code, ref_f)):
            if raw != read_text(path):  # copydetect reads in text mode; the scorer reads bytes
                raise SystemExit(f"{path}: copydetect's text differs from the file's bytes; offsets would be wrong")
        slices_doc, slices_work = np.asarray(doc_slices), np.asarray(work_slices)
        links: dict[int, Counter] = {}
        for h in fd.hashes & fw.hashes:
            for i in fd.hash_idx[h]:
                ds = int(np.searchsorted(slices_doc[0], i, side="right")) - 1
                for j in fw.hash_idx[h]:
                    ws = int(np.searchsorted(slices_work[0], j, side="right")) - 1
                    links.setdefault(ds, Counter())[ws] += 1
        work = ids[ref_f.rsplit("/", 1)[-1]]
        for ds, counter in links.items():
            ws = counter.most_common(1)[0][0]
            found.add(test_f, work, slices_doc[0][ds], slices_doc[1][ds], slices_work[0][ws], slices_work[1][ws])
    done(found.write(args.out), noise_t=NOISE_T, guarantee_t=GUARANTEE_T, disable_filtering=True,
         pairs_compared=len(docs) * len(det.ref_files))


if __name__ == "__main__":
    main()
