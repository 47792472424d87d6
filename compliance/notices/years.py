"""Years of a notice: ranges and lists become every year they name."""

from __future__ import annotations

import re

from .patterns import _YEAR


def expand_years(spec: str) -> list[int]:
    """Every year a notice names: '2005-2014' -> all ten; '2016, 2018' -> both; '2017-18' -> two.

    A set of years compares the same however a notice writes its range.
    """
    years: set[int] = set()
    for m in re.finditer(rf"({_YEAR})(?:\s*(?:[-–—‒]|\bto\b)\s*({_YEAR}|\d{{2}}(?!\d)))?", spec, re.IGNORECASE):
        a = int(m.group(1))
        b = m.group(2)
        if b is None:
            years.add(a)
            continue
        bi = int(b) if len(b) == 4 else (a // 100) * 100 + int(b)
        if a <= bi <= a + 150:
            years.update(range(a, bi + 1))
        else:
            years.update((a, bi) if len(b) == 4 and 1800 <= bi <= 2099 else (a,))
    return sorted(years)
