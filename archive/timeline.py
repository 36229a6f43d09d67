"""A picture of time: how many documents per year, or per month when the range is short.

Why in the core: the search page draws it above the results and the author, institution and
series pages draw it too (an SVG made on the server, :mod:`archive.web.timeline`); their JSON
twins carry the same counts, so a script sees what a reader sees.  The counts are exact: every
document the search or the entity matches, not the year facet's top values.

The unit is the month when every dated document has a month and they span at most
:data:`MONTHS_UP_TO` months (a year's output reads better by month than as one bar); the year
otherwise.  Periods between the first and the last are present with a count of 0, so a gap in
time is a gap in the picture.  Undated documents are counted apart, never dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

#: Months are the unit when the dated documents span at most this many months.
MONTHS_UP_TO = 24

_YEAR = re.compile(r"^(\d{4})(?:-(\d{2}))?")


def period(date: str) -> str:
    """The part of ``date`` a timeline reads: its leading ``YYYY-MM`` or ``YYYY`` (``""``
    when it has no leading year).  An engine that counts documents per period stores this,
    so that a query's timeline is a few hundred counts, not one per distinct day."""
    m = _YEAR.match(date or "")
    return m.group(0) if m else ""


def _months_between(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def timeline(dates: Iterable[str]) -> dict[str, Any]:
    """Counts per period of ``dates`` (ISO dates; anything without a leading year is undated):
    ``{"unit": "year" | "month", "bars": [{"period", "count"}...], "undated": n, "dated": n}``."""
    return timeline_of_counts((d, 1) for d in dates)


def timeline_of_counts(counts: Iterable[tuple[str, int]]) -> dict[str, Any]:
    """:func:`timeline` of ``(date, how many documents)`` pairs (an engine that counts
    documents per distinct date; a year alone is counted by year)."""
    years: Counter[str] = Counter()
    months: Counter[str] = Counter()
    undated = 0
    month_for_all = True
    for date, n in counts:
        if n <= 0:
            continue
        m = _YEAR.match(date or "")
        if not m:
            undated += n
            continue
        years[m.group(1)] += n
        if m.group(2) and 1 <= int(m.group(2)) <= 12:
            months[f"{m.group(1)}-{m.group(2)}"] += n
        else:
            month_for_all = False
    dated = sum(years.values())
    if not dated:
        return {"unit": "year", "bars": [], "undated": undated, "dated": 0}
    if month_for_all:
        span = _months_between(min(months), max(months))
        if len(span) <= MONTHS_UP_TO:
            return {"unit": "month", "bars": [{"period": p, "count": months[p]} for p in span],
                    "undated": undated, "dated": dated}
    first, last = int(min(years)), int(max(years))
    bars = [{"period": str(y), "count": years[str(y)]} for y in range(first, last + 1)]
    return {"unit": "year", "bars": bars, "undated": undated, "dated": dated}
