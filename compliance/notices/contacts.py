"""Rights contacts: the e-mail address a notice gives, or one next to it with a contact cue."""

from __future__ import annotations

from .lines import _line_bounds, _next_line, _prev_line, _split_marker_groups
from .model import Notice
from .patterns import EMAIL_RE, _CONTACT_CUE, _PERSONAL_CUE, _RIGHTS_CUE


def _attach_contacts(text: str, notices: list[Notice]) -> None:
    """Rights e-mails: in the notice, on a rights line anywhere, or next to the notice with a contact cue."""
    if not notices or "@" not in text:
        return
    rights_email = None
    for em in EMAIL_RE.finditer(text):
        la, lb = _line_bounds(text, em.start())
        line = text[la:lb]
        if len(line) < 400 and _RIGHTS_CUE.search(line) and not _PERSONAL_CUE.search(line):
            rights_email = em.group(0)
            break
    last = max((i for i, n in enumerate(notices) if n.kind == "notice"), default=-1)
    for i, n in enumerate(notices):
        if n.contact_email or n.kind == "credit":
            continue
        near = _near_email(text, n.start, n.end)
        # a rights line elsewhere on the page belongs to the page's footer notice, not to a wire notice
        n.contact_email = near or (rights_email if i == last else None)


def _near_email(text: str, start: int, end: int, lines: int = 4) -> str | None:
    cands: list[tuple[int, str]] = []
    pos = end
    for dist in range(1, lines + 1):
        nxt = _next_line(text, pos, limit=2)
        if not nxt or _split_marker_groups(text[nxt[0]:nxt[1]]):
            break  # another notice's territory
        cands.append((dist, text[nxt[0]:nxt[1]]))
        pos = nxt[1]
    pos = start
    prev_lines: list[tuple[int, str]] = []
    for dist in range(1, lines + 1):
        prv = _prev_line(text, pos, limit=2)
        if not prv or _split_marker_groups(text[prv[0]:prv[1]]):
            break
        prev_lines.append((dist, text[prv[0]:prv[1]]))
        pos = prv[0]
    ordered = sorted(cands + prev_lines, key=lambda c: c[0])
    for i, (dist, line) in enumerate(ordered):
        em = EMAIL_RE.search(line)
        if not em or len(line) > 300 or _PERSONAL_CUE.search(line):
            continue
        cue = _CONTACT_CUE.search(line[: em.start()])
        if not cue:
            # the cue may sit on the line before the address ("please e-mail to:" / address)
            before = [l for d, l in prev_lines if d == dist + 1] if any(l is line for _, l in prev_lines) else \
                [l for d, l in cands if d == dist - 1] if dist > 1 else []
            cue = any(_CONTACT_CUE.search(b) and len(b) < 200 for b in before)
        if cue:
            return em.group(0)
    return None
