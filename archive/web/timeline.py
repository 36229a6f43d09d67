"""The timeline drawn: an SVG of :func:`archive.timeline.timeline`'s bars, made on the server.

Why an SVG from the server: no script, no external request (the CSP allows none), the same
picture in every browser and at every width (it scales with its ``viewBox``), and each bar is
a link to the search filtered to its period, so a click or a keyboard's Enter narrows the
results.  The page puts a table of the same counts beside it for screen readers
(``_timeline.html``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: The drawing's own units (the SVG scales to its box): bars in a WIDTH x BARS_HEIGHT area,
#: the period labels in a strip below.
WIDTH = 640
BARS_HEIGHT = 96
LABELS_HEIGHT = 18
#: At most this many period labels under the bars (one every few bars beyond it).
MAX_LABELS = 8


def _spoken(period: str, unit: str) -> str:
    """``2021`` → 2021 年, ``2021-03`` → 2021 年 3 月."""
    if unit == "month":
        return f"{period[:4]} 年 {int(period[5:7])} 月"
    return f"{period} 年"


def drawing(tl: dict[str, Any], href: Callable[[str], str]) -> dict[str, Any]:
    """What ``_timeline.html`` draws: bars with their geometry, labels and links."""
    bars = tl.get("bars") or []
    unit = tl.get("unit", "year")
    n = max(1, len(bars))
    step = WIDTH / n
    width = max(1.0, step * 0.8)
    peak = max((b["count"] for b in bars), default=0) or 1
    every = max(1, -(-n // MAX_LABELS))  # ceil(n / MAX_LABELS)
    out = []
    for i, bar in enumerate(bars):
        count = int(bar["count"])
        height = BARS_HEIGHT * count / peak if count else 0.0
        x = i * step + (step - width) / 2
        if unit == "month":
            label = bar["period"][:4] if (i == 0 or bar["period"].endswith("-01")) else ""
        else:
            label = bar["period"] if i % every == 0 or i == n - 1 else ""
        out.append({
            "period": bar["period"], "count": count, "spoken": _spoken(bar["period"], unit),
            "x": round(x, 2), "y": round(BARS_HEIGHT - height, 2), "w": round(width, 2),
            "h": round(height, 2), "cx": round(i * step + step / 2, 2), "label": label,
            "href": href(bar["period"]) if count else "",
        })
    return {"unit": unit, "bars": out, "undated": int(tl.get("undated") or 0),
            "width": WIDTH, "bars_height": BARS_HEIGHT, "height": BARS_HEIGHT + LABELS_HEIGHT}
