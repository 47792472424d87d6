"""Creative Commons licences named in a statement or a licence URL, as short ids."""

from __future__ import annotations

import re

from .patterns import _CC, _CC_URL


def _cc_id(parts: list[str], version: str | None) -> str:
    order = [p for p in ("BY", "NC", "ND", "SA") if p in parts]
    return "CC-" + "-".join(order or ["BY"]) + "-" + (version or "4.0")


def license_of(text: str) -> str | None:
    """Normalised Creative Commons licence named in *text* (e.g. 'CC-BY-NC-4.0', 'CC0-1.0').

    Verdicts look licences up by id in rules/licences/, so the many ways a page
    names one ("CC BY-SA 4.0", "Creative Commons Attribution", a URL) become one id.
    """
    m = _CC_URL.search(text)
    if m:
        return license_of_url(m.group(0))
    m = _CC.search(text)
    if not m:
        return None
    if m.group(0).upper() == "CC0" or (m.group("short") or "").lower() in ("zero", "0"):
        return "CC0-1.0"
    if m.group("long"):
        words = re.sub(r"[\s-]", "", m.group("long").lower())
        if "zero" in words or "cc0" in words or "publicdomain" in words:
            return "CC0-1.0"
        parts = ["BY"]
        if "noncommercial" in words:
            parts.append("NC")
        if "noderiv" in words:
            parts.append("ND")
        if "sharealike" in words:
            parts.append("SA")
        return _cc_id(parts, m.group("v1"))
    parts = [p.upper() for p in re.split(r"[\s-]", m.group("short")) if p]
    return _cc_id(parts, m.group("v2"))


def license_of_url(url: str) -> str | None:
    """Licence id of a creativecommons.org licence URL, else None.

    ``rel="license"`` links and JSON-LD ``license`` give URLs, not names.
    """
    m = _CC_URL.search(url or "")
    if not m:
        return None
    if m.group("pd"):
        return "CC0-1.0" if m.group("pd").lower() == "zero" else "PDM-1.0"
    return _cc_id([p.upper() for p in m.group("kind").split("-")], m.group("v"))
