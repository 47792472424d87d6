"""Throwaway in-memory evaluation used while tuning (not the product path)."""
import json, sys, time, subprocess
from pathlib import Path
import numpy as np
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from compliance.text import tokenize
from compliance.fingerprint import fingerprint_tokens
from compliance.index import SeedIndex
from compliance.matcher import Matcher
from compliance.settings import MatcherSettings

def run(setdir, out, st=MatcherSettings()):
    setdir = Path(setdir)
    works = [json.loads(l) for l in open(setdir / "works.jsonl")]
    t0 = time.time()
    toks, fps = [], []
    for i, w in enumerate(works):
        t = tokenize((setdir / w["path"]).read_bytes().decode("utf-8"))
        toks.append(t)
        fps.append(fingerprint_tokens(t, st.k, st.w, st.window_words))
    idx = SeedIndex.build(((i, f.hashes, f.positions) for i, f in enumerate(fps)), len(works), st)
    class Src:
        def tokens(self, w): return toks[w]
        def windows(self, w): return fps[w].windows
    from compliance.rules import load_rules
    rs = load_rules(Path('rules'))
    pubs={}; wp=np.array([pubs.setdefault(w['publisher'],len(pubs)) for w in works])
    m = Matcher(idx, Src(), st, rs.false_positives, work_publisher=wp, publisher_names=list(pubs))
    t1 = time.time()
    n = 0
    with open(out, "w") as fh:
        for p in sorted((setdir / "crawl").glob("*.txt")):
            text = p.read_bytes().decode("utf-8")
            n += len(text.encode())
            doc, res = m.match_text(text)
            for wm in res:
                if not wm.passages:
                    for pa,rid in wm.suppressed:
                        a, b = pa.doc_span(doc); print('SUPP', p.stem, works[wm.work]['id'], rid, pa.words, repr(doc.text[a:b][:80]), file=sys.stderr)
                    continue
                if works[wm.work]["id"] == p.stem:
                    continue
                ps = []
                for pa in wm.passages:
                    a, b = pa.doc_span(doc); c, d = pa.work_span(wm.tokens)
                    wt=wm.tokens; 
                    from compliance.fingerprint import kgram_hashes as KG

                    from compliance.falsepositives import quote_mask
                    q=quote_mask(wt,[x for r in rs.false_positives.quotes for x in r.spans(wt.text)])
                    seg=KG(wt.hashes,5)[pa.work_first:max(pa.work_first+1,pa.work_last-3)]; df=idx.df(seg); df=df[df>0]
                    dbg=dict(q=int(q[pa.work_first:pa.work_last+1].sum()), n=pa.work_last-pa.work_first+1, df=float(np.median(df)) if len(df) else 0)
                    ps.append(dict(doc_start=a, doc_end=b, work_start=c, work_end=d, method=pa.method, similarity=pa.similarity, words=pa.words, dbg=dbg))
                fh.write(json.dumps({"document": {"path": str(p)}, "work": {"id": works[wm.work]["id"]}, "passages": ps}) + "\n")
    t2 = time.time()
    print(f"register {t1-t0:.2f}s scan {t2-t1:.2f}s {n/1e6/(t2-t1):.2f} MB/s", file=sys.stderr)

if __name__ == "__main__":
    run(sys.argv[1], sys.argv[2])
