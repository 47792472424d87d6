"""Synthetic edits on news-dev's works: patchwriting and trimmed quotes (issue 14).

    python benchmarks/synth_edits.py                    # build benchmarks/out/news-edits, score it
    python benchmarks/synth_edits.py --build-only       # only write the set
    python benchmarks/synth_edits.py --json

Built the way ../shared/data/news-dev was (its README): the 400 works of
news-dev are registered as they are; crawl pages are host text (news-dev's
own host paragraphs: its crawl pages with every truth span cut out, so they
copy nothing) with 1-3 passages of works inserted at paragraph boundaries,
and a quarter of the pages copy nothing.  Each inserted passage has one
obfuscation type:

* ``patchwriting``: the passage's sentences stay in order, and most of them
  (80 %) are reworded the way a patchwriter does it: words swapped for
  synonyms (a thesaurus of news vocabulary written here), clauses reordered
  ("X said Y" -> "Y, X said"; a leading "When/After/If ..." clause moved to the
  end and back), filler words dropped and added.
* ``trimmed-quotes``: a passage with quoted speech whose narrative is kept and
  whose quotations are shortened: words cut at both ends of a quotation and
  from inside it (with or without an ellipsis).
* ``none``: verbatim, as a reference for the same pages.

The set is written in the common layout (works/, works.jsonl, crawl/,
truth.jsonl, ignore.jsonl) under benchmarks/out/ (never committed: it holds
news-dev's third-party text) and scored with ../shared/data/plagdet.py through
the real CLI, like benchmarks/quality.py.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = ROOT.parent / "shared" / "data"
SOURCE = DATA / "news-dev"
OUT = HERE / "out" / "news-edits"
TYPES = ["none", "patchwriting", "trimmed-quotes"]
SEED = 1401

# A thesaurus of news vocabulary (hand-written for this benchmark): each word maps to words a
# patchwriter would put in its place.  Inflected forms are listed as words of their own.
SYNONYMS = {
    "said": ["stated", "noted", "explained", "remarked", "commented"], "says": ["states", "notes", "explains"],
    "told": ["informed", "assured"], "added": ["continued", "went on to say"], "announced": ["revealed", "declared", "unveiled"],
    "reported": ["disclosed", "revealed"], "warned": ["cautioned"], "claimed": ["alleged", "asserted", "argued"],
    "believes": ["thinks", "feels"], "believe": ["think", "feel"], "thought": ["believed", "felt"],
    "big": ["large", "major", "sizeable"], "large": ["big", "sizeable", "substantial"], "huge": ["enormous", "massive", "vast"],
    "small": ["little", "modest", "minor"], "major": ["key", "significant", "leading"], "important": ["significant", "crucial", "vital"],
    "key": ["main", "central", "crucial"], "main": ["chief", "principal", "primary"], "new": ["fresh", "novel", "latest"],
    "latest": ["newest", "most recent"], "recent": ["latest", "new"], "old": ["former", "previous"], "former": ["previous", "one-time", "erstwhile"],
    "good": ["strong", "solid", "fine"], "bad": ["poor", "weak"], "poor": ["weak", "disappointing"], "strong": ["robust", "solid", "powerful"],
    "weak": ["feeble", "soft", "poor"], "high": ["elevated", "steep"], "low": ["modest", "reduced"], "hard": ["difficult", "tough"],
    "difficult": ["hard", "tough", "challenging"], "easy": ["simple", "straightforward"], "quick": ["rapid", "swift", "fast"],
    "fast": ["quick", "rapid", "swift"], "slow": ["sluggish", "gradual"], "early": ["initial", "first"], "final": ["last", "closing"],
    "first": ["initial", "opening"], "last": ["previous", "past", "final"], "next": ["following", "coming", "upcoming"],
    "many": ["numerous", "several", "a lot of"], "several": ["a number of", "various", "some"], "some": ["certain", "a few"],
    "most": ["the majority of", "nearly all"], "more": ["additional", "extra", "further"], "less": ["fewer", "a smaller amount"],
    "about": ["around", "roughly", "approximately"], "around": ["about", "roughly", "some"], "nearly": ["almost", "close to"],
    "almost": ["nearly", "close to"], "over": ["more than", "above"], "under": ["below", "less than"],
    "increase": ["rise", "growth", "jump"], "increased": ["rose", "grew", "climbed"], "rise": ["increase", "growth", "climb"],
    "rose": ["climbed", "increased", "grew"], "fell": ["dropped", "declined", "slipped"], "fall": ["drop", "decline", "slide"],
    "drop": ["fall", "decline", "dip"], "grow": ["expand", "increase"], "growth": ["expansion", "increase"], "cut": ["reduce", "trim", "lower"],
    "cuts": ["reductions", "savings"], "buy": ["purchase", "acquire"], "bought": ["purchased", "acquired"], "sell": ["offload", "sell off"],
    "sold": ["offloaded", "sold off"], "sales": ["turnover", "revenues"], "profits": ["earnings", "income"], "profit": ["earnings", "income"],
    "firm": ["company", "business"], "company": ["firm", "business", "group"], "companies": ["firms", "businesses"], "firms": ["companies", "businesses"],
    "business": ["company", "firm"], "market": ["sector", "marketplace"], "shares": ["stock", "equities"], "money": ["cash", "funds"],
    "cost": ["price", "expense"], "costs": ["expenses", "charges"], "price": ["cost", "charge"], "prices": ["costs", "charges"],
    "jobs": ["posts", "positions", "roles"], "job": ["post", "position", "role"], "workers": ["staff", "employees"], "staff": ["employees", "workers"],
    "government": ["administration", "ministers", "authorities"], "minister": ["secretary", "official"], "officials": ["authorities", "representatives"],
    "plans": ["proposals", "schemes"], "plan": ["proposal", "scheme", "strategy"], "proposals": ["plans", "suggestions"], "scheme": ["plan", "programme"],
    "law": ["legislation", "act"], "laws": ["legislation", "rules"], "rules": ["regulations", "guidelines"], "deal": ["agreement", "contract", "pact"],
    "agreement": ["deal", "accord"], "talks": ["discussions", "negotiations"], "meeting": ["session", "gathering"], "vote": ["ballot", "poll"],
    "election": ["poll", "ballot", "vote"], "party": ["group", "movement"], "leader": ["head", "chief"], "chief": ["head", "boss", "leader"],
    "boss": ["chief", "head", "manager"], "head": ["chief", "leader"], "people": ["individuals", "persons", "citizens"], "public": ["population", "people"],
    "country": ["nation", "state"], "countries": ["nations", "states"], "nation": ["country", "state"], "world": ["globe", "planet"],
    "city": ["town", "metropolis"], "area": ["region", "zone", "district"], "region": ["area", "territory"], "home": ["house", "residence"],
    "help": ["assist", "aid", "support"], "helped": ["assisted", "aided", "supported"], "support": ["backing", "help"], "backed": ["supported", "endorsed"],
    "show": ["reveal", "demonstrate", "indicate"], "shows": ["reveals", "demonstrates", "indicates"], "showed": ["revealed", "demonstrated", "indicated"],
    "found": ["discovered", "uncovered"], "find": ["discover", "uncover"], "use": ["employ", "utilise"], "used": ["employed", "utilised"],
    "using": ["employing", "utilising"], "make": ["create", "produce"], "made": ["created", "produced"], "making": ["creating", "producing"],
    "get": ["obtain", "receive", "gain"], "got": ["received", "obtained"], "give": ["provide", "offer", "hand"], "gave": ["provided", "offered", "handed"],
    "take": ["seize", "accept"], "took": ["seized", "captured"], "keep": ["retain", "maintain"], "start": ["begin", "launch"],
    "started": ["began", "launched"], "begin": ["start", "commence"], "began": ["started", "commenced"], "end": ["finish", "close", "conclusion"],
    "ended": ["finished", "concluded"], "try": ["attempt", "seek"], "tried": ["attempted", "sought"], "want": ["wish", "seek", "hope"],
    "wanted": ["wished", "sought", "hoped"], "need": ["require"], "needs": ["requires"], "needed": ["required", "necessary"],
    "expected": ["anticipated", "predicted", "forecast"], "expect": ["anticipate", "predict"], "hope": ["wish", "aim"], "aim": ["goal", "objective"],
    "win": ["victory", "triumph", "success"], "won": ["claimed", "secured", "clinched"], "beat": ["defeated", "overcame"], "lost": ["was beaten", "suffered defeat"],
    "team": ["side", "squad"], "side": ["team", "squad"], "match": ["game", "contest", "fixture"], "game": ["match", "contest"],
    "season": ["campaign"], "player": ["athlete", "competitor"], "players": ["athletes", "competitors"], "coach": ["manager", "trainer"],
    "film": ["movie", "picture"], "films": ["movies", "pictures"], "movie": ["film", "picture"], "star": ["celebrity", "actor"],
    "show's": ["programme's"], "music": ["songs", "tunes"], "album": ["record", "release"], "band": ["group"], "award": ["prize", "honour"],
    "awards": ["prizes", "honours"], "fans": ["supporters", "followers"], "audience": ["viewers", "spectators"], "viewers": ["audience", "watchers"],
    "technology": ["tech", "innovation"], "software": ["programs", "applications"], "computer": ["PC", "machine"], "computers": ["PCs", "machines"],
    "users": ["customers", "consumers"], "customers": ["clients", "consumers", "buyers"], "phone": ["handset", "mobile"], "net": ["internet", "web"],
    "online": ["on the web", "on the internet"], "website": ["site", "web page"], "system": ["network", "set-up"], "service": ["facility", "provision"],
    "problem": ["issue", "difficulty", "trouble"], "problems": ["issues", "difficulties", "troubles"], "issue": ["matter", "question", "problem"],
    "change": ["shift", "alteration"], "changes": ["alterations", "reforms"], "result": ["outcome", "consequence"], "results": ["outcomes", "figures"],
    "figures": ["numbers", "statistics", "data"], "report": ["study", "review"], "study": ["research", "report", "survey"], "research": ["study", "work"],
    "experts": ["specialists", "analysts"], "analysts": ["experts", "observers"], "critics": ["opponents", "detractors"], "group": ["body", "organisation"],
    "decision": ["ruling", "choice"], "move": ["step", "decision"], "step": ["move", "measure"], "effort": ["attempt", "bid"], "bid": ["attempt", "effort", "offer"],
    "offer": ["proposal", "bid"], "attack": ["assault", "strike"], "case": ["matter", "lawsuit"], "court": ["tribunal", "judges"], "police": ["officers", "detectives"],
    "also": ["too", "as well", "additionally"], "however": ["but", "though", "nevertheless"], "but": ["however", "yet"], "because": ["since", "as"],
    "although": ["though", "even though", "while"], "while": ["whereas", "although"], "still": ["yet", "even so"], "now": ["currently", "at present"],
    "currently": ["now", "at present"], "already": ["previously", "by now"], "often": ["frequently", "regularly"], "usually": ["normally", "typically"],
    "very": ["extremely", "highly", "really"], "really": ["truly", "genuinely"], "quite": ["fairly", "rather"], "likely": ["probable", "expected"],
    "possible": ["feasible", "likely"], "clear": ["obvious", "evident"], "top": ["leading", "best"], "best": ["finest", "top"], "biggest": ["largest", "greatest"],
    "largest": ["biggest", "greatest"], "worst": ["poorest", "weakest"], "recently": ["lately", "of late"], "later": ["subsequently", "afterwards"],
    "before": ["prior to", "ahead of"], "after": ["following", "once"], "during": ["throughout", "in the course of"], "between": ["among"],
    "against": ["versus", "opposed to"], "including": ["such as", "among them"], "within": ["inside", "in"], "across": ["throughout", "all over"],
    "number": ["amount", "total", "figure"], "level": ["rate", "degree"], "rate": ["level", "pace"], "years": ["years'", "seasons"],
    "year": ["twelve months"], "week": ["seven days"], "month": ["four weeks"], "today": ["this day"], "yesterday": ["the day before"],
    "government's": ["administration's", "ministers'"], "company's": ["firm's", "group's"], "firm's": ["company's", "group's"],
    "decided": ["chose", "opted"], "agreed": ["consented", "accepted"], "refused": ["declined", "rejected"], "rejected": ["dismissed", "turned down"],
    "allowed": ["permitted", "let"], "allow": ["permit", "let"], "stop": ["halt", "block", "prevent"], "stopped": ["halted", "blocked"],
    "face": ["confront", "meet"], "faces": ["confronts", "meets"], "faced": ["confronted", "met"], "called": ["urged", "appealed"],
    "asked": ["questioned", "requested"], "return": ["come back", "go back"], "returned": ["came back", "went back"], "left": ["departed", "quit"],
    "leave": ["quit", "depart"], "join": ["enter", "sign for"], "joined": ["entered", "signed for"], "set": ["fixed", "established"],
    "run": ["operate", "manage"], "running": ["operating", "managing"], "seen": ["viewed", "regarded"], "see": ["view", "witness"],
    "become": ["turn into", "grow into"], "became": ["turned into", "grew into"], "remain": ["stay", "continue"], "remains": ["stays", "continues"],
    "include": ["comprise", "cover"], "includes": ["comprises", "covers"], "includes.": ["covers."], "means": ["implies", "signifies"],
    "able": ["capable", "in a position"], "worth": ["valued at"], "value": ["worth"], "total": ["overall", "combined"], "major.": ["significant."],
}
SYNONYMS.update({
    "is": ["remains"], "are": ["remain"], "has": ["has now"], "have": ["have now"], "will": ["is set to", "shall"],
    "would": ["could", "might"], "could": ["might", "may"], "can": ["is able to"], "should": ["ought to", "must"],
    "which": ["that"], "that": ["which"], "this": ["the", "that"], "these": ["those", "the"], "its": ["the"], "their": ["the"],
    "in": ["within", "inside"], "on": ["upon"], "with": ["alongside", "along with"], "from": ["out of"], "by": ["through", "via"],
    "for": ["towards", "on behalf of"], "to": ["towards"], "at": ["in"], "of": ["from"], "and": ["as well as", "plus"],
    "not": ["never"], "no": ["not any"], "all": ["every one of the", "the whole of"], "each": ["every"], "both": ["the two"],
    "people's": ["citizens'"], "man": ["person", "individual"], "men": ["people"], "women": ["females"], "children": ["youngsters", "kids"],
    "time": ["period", "moment"], "times": ["occasions"], "way": ["manner", "method"], "part": ["portion", "section"],
    "place": ["spot", "venue"], "day": ["date"], "days": ["dates"], "life": ["existence"], "work": ["labour", "effort"],
    "working": ["operating", "labouring"], "worked": ["operated", "laboured"], "play": ["compete", "perform"], "played": ["competed", "performed"],
    "playing": ["competing", "performing"], "put": ["placed", "set"], "go": ["proceed", "head"], "going": ["heading", "proceeding"],
    "went": ["headed", "proceeded"], "come": ["arrive"], "came": ["arrived"], "coming": ["arriving"], "know": ["realise", "understand"],
    "known": ["recognised"], "look": ["seem", "appear"], "looking": ["seeking", "aiming"], "think": ["believe", "feel"],
    "says.": ["states."], "said.": ["stated."], "like": ["such as"], "well": ["strongly"], "top-level": ["senior"],
    "hit": ["struck", "affected"], "hits": ["strikes", "affects"], "raise": ["lift", "increase"], "raised": ["lifted", "increased"],
    "lead": ["head", "guide"], "led": ["headed", "guided"], "open": ["launch", "unveil"], "opened": ["launched", "unveiled"],
    "closed": ["shut", "ended"], "close": ["shut", "near"], "pay": ["salary", "wages"], "paid": ["handed over", "compensated"],
    "spend": ["invest", "lay out"], "spent": ["invested", "laid out"], "spending": ["expenditure", "outlay"], "rates": ["levels"],
    "economy": ["economic system"], "economic": ["financial"], "financial": ["monetary", "fiscal"], "political": ["party-political"],
    "national": ["nationwide", "countrywide"], "international": ["global", "worldwide"], "global": ["worldwide", "international"],
    "local": ["regional", "nearby"], "foreign": ["overseas", "international"], "british": ["UK"], "uk": ["British"],
    "secretary": ["minister"], "president": ["head of state"], "spokesman": ["representative", "spokesperson"],
    "director": ["head", "manager"], "executive": ["boss", "chief"], "chairman": ["chair", "head"], "manager": ["boss", "coach"],
    "described": ["called", "termed"], "suggested": ["proposed", "indicated"], "suggests": ["indicates", "implies"],
    "added:": ["continued:"], "according": ["based"], "despite": ["in spite of", "notwithstanding"], "without": ["lacking"],
    "further": ["more", "additional"], "less.": ["fewer."], "second": ["next"], "third": ["next"], "following": ["after"],
    "currently.": ["at present."], "million": ["m"], "billion": ["bn"], "per": ["a"], "percent": ["per cent"],
})
FILLERS_DROP = {"also", "very", "just", "still", "really", "currently", "already", "now", "even", "only", "quite", "then", "so", "that"}
FILLERS_ADD = ["also", "now", "in fact", "reportedly", "still", "clearly", "certainly"]
AUXILIARIES = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "could", "can", "may", "might", "should"}
SUBORDINATE = ("When", "After", "If", "Although", "While", "Because", "As", "Since", "Before", "Despite", "Following", "Once")
_SENT = re.compile(r"(?<=[.!?])[\"”’']?\s+(?=[A-Z\"“‘'(£$0-9])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_QUOTE = re.compile(r"[\"“]([^\"“”]{10,}?)[\"”]")


def _cap(word: str, like: str) -> str:
    if like[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _sentences(par: str) -> list[str]:
    out, pos = [], 0
    for m in _SENT.finditer(par):
        out.append(par[pos:m.end()].rstrip())  # closing quotation marks stay with their sentence
        pos = m.end()
    out.append(par[pos:].strip())
    return [s for s in out if s]


def _reorder_clauses(s: str, rng: random.Random) -> str:
    """Move a leading subordinate clause to the end, or "X said Y." to "Y, X said."."""
    if '"' in s or "“" in s:
        return s
    m = re.match(r"^(%s)\b([^,]{8,120}), (.{12,})([.!?])$" % "|".join(SUBORDINATE), s)
    if m and rng.random() < 0.8:
        rest = m.group(3)
        return rest[:1].upper() + rest[1:] + " " + m.group(1).lower() + m.group(2) + m.group(4)
    m = re.match(r"^([A-Z][^,]{2,60}?) (said|says|believes|warned|added|claimed|argued) (?:that )?(.{20,})([.!?])$", s)
    if m and len(m.group(1).split()) <= 7 and rng.random() < 0.8:
        body = m.group(3)
        return body[:1].upper() + body[1:] + ", " + m.group(1) + " " + m.group(2) + m.group(4)
    m = re.match(r"^(.{20,}?), (according to [^,]{4,60})([.!?])$", s)
    if m:
        return m.group(2)[:1].upper() + m.group(2)[1:] + ", " + m.group(1)[:1].lower() + m.group(1)[1:] + m.group(3)
    # swap the two halves of "A, and B" / "A, but B"
    m = re.match(r"^(.{15,}?), (and|but) (.{15,})([.!?])$", s)
    if m and rng.random() < 0.5:
        a, b = m.group(1), m.group(3)
        return b[:1].upper() + b[1:] + ", " + m.group(2) + " " + a[:1].lower() + a[1:] + m.group(4)
    return s


def patchwrite(par: str, rng: random.Random) -> str:
    """Reword most sentences of a paragraph, keeping their order."""
    out = []
    for s in _sentences(par):
        if rng.random() < 0.2:
            out.append(s)
            continue
        s = _reorder_clauses(s, rng)
        words = s.split(" ")
        new = []
        for i, w in enumerate(words):
            m = _WORD.search(w)
            if not m:
                new.append(w)
                continue
            core = m.group(0)
            low = core.lower()
            if low in FILLERS_DROP and rng.random() < 0.6 and i > 0 and w == core:
                continue
            if low in SYNONYMS and rng.random() < 0.85:
                rep = _cap(rng.choice(SYNONYMS[low]), core)
                w = w[: m.start()] + rep + w[m.end():]
            new.append(w)
            # a filler after an auxiliary verb: "are expected" -> "are now expected"
            if low in AUXILIARIES and w == core and i + 1 < len(words) and rng.random() < 0.3:
                new.append(rng.choice(FILLERS_ADD))
        if rng.random() < 0.15 and new and new[0][:1].isupper() and new[0] not in ("I", "A") and '"' not in new[0]:
            lead = rng.choice(["Meanwhile,", "Indeed,", "In addition,", "Notably,"])
            new[0] = new[0] if new[0].isupper() or new[0][1:2].isupper() else new[0][:1].lower() + new[0][1:]
            new.insert(0, lead)
        out.append(" ".join(new))
    return " ".join(out)


def trim_quotes(par: str, rng: random.Random) -> tuple[str, int]:
    """Shorten every quotation of 5+ words: words cut at its ends and from inside."""
    n = 0

    def cut(m: re.Match) -> str:
        nonlocal n
        q = m.group(1)
        words = q.split()
        if len(words) < 5:
            return m.group(0)
        n += 1
        a = rng.randint(1, max(1, len(words) // 4))
        b = len(words) - rng.randint(1, max(1, len(words) // 4))
        keep = words[a:b]
        if len(keep) >= 8 and rng.random() < 0.8:
            i = rng.randint(2, len(keep) - 5)
            j = i + rng.randint(1, min(6, len(keep) - i - 3))
            keep = keep[:i] + (["..."] if rng.random() < 0.5 else []) + keep[j:]
        text = " ".join(keep).strip(" ,;")
        open_, close = m.group(0)[0], m.group(0)[-1]
        return f"{open_}{text}{close}"

    return _QUOTE.sub(cut, par), n


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for block in text.split("\n\n"):
        s = pos + len(block) - len(block.lstrip())
        e = pos + len(block.rstrip())
        if e > s:
            out.append((s, e))
        pos += len(block) + 2
    return out


def _host_paragraphs() -> list[list[str]]:
    """news-dev's host text: every crawl page with its truth spans cut out, as lists of paragraphs."""
    truth: dict[str, list[tuple[int, int]]] = {}
    for line in (SOURCE / "truth.jsonl").read_text().splitlines():
        r = json.loads(line)
        truth.setdefault(r["doc"], []).append((r["doc_start"], r["doc_end"]))
    hosts = []
    for p in sorted((SOURCE / "crawl").glob("*.txt")):
        text = p.read_bytes().decode("utf-8")
        spans = truth.get(p.name, [])
        paras = [text[s:e] for s, e in _paragraphs(text)
                 if not any(a < e and s < b for a, b in spans)]
        paras = [x for x in paras if len(x.split()) >= 8]
        if len(paras) >= 3:
            hosts.append(paras)
    return hosts


def build(out: Path = OUT, docs: int = 160, seed: int = SEED) -> dict:
    """Write the set; returns its build info."""
    if not SOURCE.exists():
        raise SystemExit(f"{SOURCE} is absent: the generator builds on ../shared/data/news-dev")
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    (out / "works").mkdir(parents=True)
    (out / "crawl").mkdir()
    works = [json.loads(line) for line in (SOURCE / "works.jsonl").read_text().splitlines()]
    manifest = []
    texts = {}
    for w in works:
        t = (SOURCE / w["path"]).read_bytes().decode("utf-8")
        texts[w["id"]] = t
        (out / "works" / f"{w['id']}.txt").write_bytes(t.encode("utf-8"))
        manifest.append({**w, "path": f"works/{w['id']}.txt"})
    (out / "works.jsonl").write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in manifest))
    hosts = _host_paragraphs()
    rng.shuffle(hosts)
    quoted_works = [w for w in works if len(_QUOTE.findall(texts[w["id"]])) >= 2]
    truth = []
    counts = {t: 0 for t in TYPES}
    used_works: set[str] = set()
    kinds = {"negative": 0, "inserted": 0}
    for d in range(docs):
        name = f"ne-d{d + 1:04d}.txt"
        host = hosts[d % len(hosts)][:]
        if d % 4 == 3:  # a quarter of the pages copy nothing
            (out / "crawl" / name).write_bytes(("\n\n".join(host) + "\n").encode("utf-8"))
            kinds["negative"] += 1
            continue
        kinds["inserted"] += 1
        n_pass = rng.choice([1, 1, 2, 2, 3])
        slots = sorted(rng.sample(range(len(host) + 1), min(n_pass, len(host) + 1)))
        inserts: dict[int, list[tuple[str, str, int, int, str]]] = {}
        for slot in slots:
            kind = rng.choice(["patchwriting", "patchwriting", "trimmed-quotes", "trimmed-quotes", "none"])
            pool = quoted_works if kind == "trimmed-quotes" else works
            for _ in range(50):
                w = rng.choice(pool)
                if w["id"] not in used_works:
                    break
            used_works.add(w["id"])
            text = texts[w["id"]]
            paras = _paragraphs(text)[1:]  # body paragraphs (the first is the headline)
            if not paras:
                continue
            if kind == "trimmed-quotes":
                # a stretch of quoting paragraphs: quoted speech is most of what it shares
                with_q = [i for i, (s, e) in enumerate(paras) if _QUOTE.search(text[s:e])]
                i0 = rng.choice(with_q) if with_q else 0
                i1 = i0
                target = rng.randint(30, 200)
                while (i1 + 1 < len(paras) and i1 + 1 in with_q
                       and len(text[paras[i0][0]:paras[i1][1]].split()) < target):
                    i1 += 1
            else:
                i0 = rng.randrange(len(paras))
                i1 = i0
                target = rng.randint(30, 400)
                while i1 + 1 < len(paras) and len(text[paras[i0][0]:paras[i1][1]].split()) < target:
                    i1 += 1
            ws, we = paras[i0][0], paras[i1][1]
            originals = [text[s:e] for s, e in paras[i0:i1 + 1]]
            if kind == "patchwriting":
                new = [patchwrite(p, rng) for p in originals]
            elif kind == "trimmed-quotes":
                new = []
                for p in originals:
                    q, _ = trim_quotes(p, rng)
                    new.append(q)
            else:
                new = originals
            inserts.setdefault(slot, []).append(("\n\n".join(new), w["id"], ws, we, kind))
            counts[kind] += 1
        parts: list[str] = []
        pos = 0
        for i in range(len(host) + 1):
            for passage, wid, ws, we, kind in inserts.get(i, []):
                if parts:
                    pos += 2
                parts.append(passage)
                truth.append({"doc": name, "work": wid, "doc_start": pos, "doc_end": pos + len(passage),
                              "work_start": ws, "work_end": we, "obfuscation": kind})
                pos += len(passage)
            if i < len(host):
                if parts:
                    pos += 2
                parts.append(host[i])
                pos += len(host[i])
        doc = "\n\n".join(parts) + "\n"
        (out / "crawl" / name).write_bytes(doc.encode("utf-8"))
    for r in truth:  # the offsets index the page as written
        doc = (out / "crawl" / r["doc"]).read_bytes().decode("utf-8")
        assert doc[r["doc_start"]:r["doc_end"]].strip() == doc[r["doc_start"]:r["doc_end"]], r
    (out / "truth.jsonl").write_text("".join(json.dumps(r) + "\n" for r in truth))
    (out / "ignore.jsonl").write_text("")
    info = {"set": "news-edits", "seed": seed, "source": "news-dev", "works": len(works), "crawl_docs": docs,
            "kinds": kinds, "types": counts}
    (out / "build_info.json").write_text(json.dumps(info, indent=1) + "\n")
    return info


def score(setdir: Path = OUT, workers: int = 2) -> dict:
    """Register the set's works, scan its pages through the CLI, score with plagdet.py."""
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "r.db"
        findings = Path(tmp) / "f.jsonl"
        base = [sys.executable, "-m", "compliance", "--db", str(db), "--rules", str(ROOT / "rules")]
        subprocess.run(base + ["register", "--manifest", str(setdir / "works.jsonl"), "--quiet"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        with open(findings, "w") as fh:
            subprocess.run(base + ["scan", str(setdir / "crawl"), "--format", "jsonl", "--quiet", "--workers",
                                   str(workers)], check=True, stdout=fh, stderr=subprocess.DEVNULL, cwd=ROOT)
        out = subprocess.run([sys.executable, str(DATA / "plagdet.py"), str(setdir), str(findings), "--json"],
                             check=True, capture_output=True, text=True)
        return json.loads(out.stdout)


def table(rep: dict) -> str:
    o = rep["overall"]
    types = [t for t in TYPES if t in rep.get("by_type", {})]
    head = ["set", "plagdet", "precision", "recall", "granularity", *types, "negative docs flagged"]
    docs = rep.get("docs", {})
    row = ["news-edits", f"{o['plagdet']:.4f}", f"{o['precision']:.4f}", f"{o['recall']:.4f}",
           f"{o['granularity']:.4f}", *[f"{rep['by_type'][t]['plagdet']:.4f}" for t in types],
           f"{docs.get('negative_docs_flagged', 0)}/{docs.get('negative_docs', 0)}"]
    return "\n".join(["| " + " | ".join(head) + " |", "|" + "---|" * len(head), "| " + " | ".join(row) + " |"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--docs", type=int, default=160)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    info = build(args.out, args.docs, args.seed)
    if args.build_only:
        print(json.dumps(info, indent=1))
        return
    rep = score(args.out)
    if args.json:
        print(json.dumps({"build": info, "score": rep}, indent=2))
        return
    print(table(rep))
    print(f"\n{json.dumps(info['types'])}; false-positive detections {json.dumps(rep.get('false_positive_detections'))}")


if __name__ == "__main__":
    main()
