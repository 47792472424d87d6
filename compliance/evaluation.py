"""PAN text-alignment measures (Potthast et al. 2010), for the quality gate.

A case (truth line) or a detection (passage) covers characters of the crawled
document and of the work.  Precision is the mean over detections of the share
of their characters inside cases they detect; recall is the mean over cases of
the share covered by detections; granularity is the mean number of detections
per detected case; plagdet = F1 / log2(1 + granularity).  The shared scorer
(``../shared/data/plagdet.py``) is the reference; a test checks that both agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable

__all__ = ["Case", "Scores", "score", "cases_from_findings"]

Span = tuple[int, int]


def _norm(spans: Iterable[Span]) -> list[Span]:
    out: list[Span] = []
    for a, b in sorted(s for s in spans if s[1] > s[0]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _size(spans: list[Span]) -> int:
    return sum(b - a for a, b in spans)


def _inter(x: list[Span], y: list[Span]) -> list[Span]:
    out, i, j = [], 0, 0
    while i < len(x) and j < len(y):
        a, b = max(x[i][0], y[j][0]), min(x[i][1], y[j][1])
        if a < b:
            out.append((a, b))
        if x[i][1] < y[j][1]:
            i += 1
        else:
            j += 1
    return out


@dataclass(frozen=True)
class Case:
    """A copied passage (truth) or a detection: same shape."""

    doc: str
    work: str
    doc_span: Span
    work_span: Span
    kind: str = ""

    def detects(self, other: "Case") -> bool:
        return (self.doc == other.doc and self.work == other.work
                and self.doc_span[0] < other.doc_span[1] and other.doc_span[0] < self.doc_span[1]
                and self.work_span[0] < other.work_span[1] and other.work_span[0] < self.work_span[1])

    @property
    def size(self) -> int:
        return (self.doc_span[1] - self.doc_span[0]) + (self.work_span[1] - self.work_span[0])


@dataclass
class Scores:
    precision: float
    recall: float
    granularity: float
    plagdet: float
    cases: int
    detections: int
    false_detections: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def score(cases: list[Case], detections: list[Case]) -> Scores:
    """The PAN measures of *detections* against *cases* (character level, both sides)."""
    if not cases:
        return Scores(1.0 if not detections else 0.0, 1.0, 1.0, 1.0 if not detections else 0.0, 0,
                      len(detections), len(detections))
    prec_parts = []
    false = 0
    for r in detections:
        hit = [s for s in cases if r.detects(s)]
        if not hit:
            false += 1
            prec_parts.append(0.0)
            continue
        d = _size(_inter([r.doc_span], _norm(s.doc_span for s in hit)))
        w = _size(_inter([r.work_span], _norm(s.work_span for s in hit)))
        prec_parts.append((d + w) / r.size if r.size else 0.0)
    rec_parts = []
    gran = []
    for s in cases:
        hit = [r for r in detections if r.detects(s)]
        if not hit:
            rec_parts.append(0.0)
            continue
        gran.append(len(hit))
        d = _size(_inter([s.doc_span], _norm(r.doc_span for r in hit)))
        w = _size(_inter([s.work_span], _norm(r.work_span for r in hit)))
        rec_parts.append((d + w) / s.size if s.size else 0.0)
    p = sum(prec_parts) / len(prec_parts) if prec_parts else 0.0
    r = sum(rec_parts) / len(rec_parts)
    g = sum(gran) / len(gran) if gran else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return Scores(round(p, 4), round(r, 4), round(g, 4), round(f1 / math.log2(1 + g), 4), len(cases),
                  len(detections), false)


def cases_from_findings(findings: Iterable[dict[str, Any]]) -> list[Case]:
    """Detections from finding dicts: one per passage, keyed by the document's file name."""
    from pathlib import PurePath

    out = []
    for f in findings:
        doc = PurePath(f["document"]["path"]).name
        for p in f["passages"]:
            out.append(Case(doc, f["work"]["id"], (p["doc_start"], p["doc_end"]), (p["work_start"], p["work_end"])))
    return out
