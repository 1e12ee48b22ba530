"""Server-side SVG bar charts for the planner pages: no chart library, no script.

``bar_chart(bars, title=..., description=..., empty=...)`` returns markup for a horizontal
bar chart: one row per :class:`Bar`, its label above a track whose filled part is
``value / scale`` of the width (``scale`` is the bar's capacity, or the largest value when a
bar has none). Positions are percentages of the SVG's width and text keeps its pixel size, so
the same chart fits a 360 px phone and a 1280 px screen without shrinking the words.

Accessible: ``role="img"`` with ``<title>`` and ``<desc>``; every bar carries its own
``<title>`` and a text label with the figure (so colour is never the only signal: a full
bar also says so in words, and over-full bars are hatched).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from markupsafe import Markup

ROW = 60  # px per bar: the label, the bar, the figure (three lines: nothing overlaps at 360 px)
BAR = 14
_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    label: str  # what the bar is (a region, a locality)
    value: float  # used
    capacity: float | None  # the whole track; None when the row has no limit
    text: str  # the figure written beside the bar, in the page language


def fraction(bar: Bar, largest: float) -> float:
    """The filled share of the track, in [0, 1]."""
    scale = bar.capacity if bar.capacity else largest
    if not scale or scale <= 0:
        return 0.0
    return max(0.0, min(1.0, bar.value / scale))


def bar_chart(bars: list[Bar], *, title: str, description: str, empty: str) -> Markup:
    """The chart (or a sentence saying there is nothing to draw)."""
    if not bars:
        return Markup('<p class="chart-empty">{}</p>').format(empty)
    uid = next(_ids)
    largest = max((b.value for b in bars), default=0.0)
    height = ROW * len(bars) + 4
    parts = [
        Markup(
            '<svg class="chart" role="img" width="100%" height="{h}" '
            'aria-labelledby="chart-{u}-t chart-{u}-d" xmlns="http://www.w3.org/2000/svg">'
            '<title id="chart-{u}-t">{t}</title><desc id="chart-{u}-d">{d}</desc>'
            '<defs><pattern id="chart-{u}-over" width="6" height="6" '
            'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            '<rect width="6" height="6" class="chart__over"/>'
            '<line x1="0" y1="0" x2="0" y2="6" class="chart__hatch"/></pattern></defs>'
        ).format(h=height, u=uid, t=title, d=description)
    ]
    for i, bar in enumerate(bars):
        y = i * ROW
        share = fraction(bar, largest)
        over = bar.capacity is not None and bar.capacity > 0 and bar.value > bar.capacity
        fill = f"url(#chart-{uid}-over)" if over else None
        parts.append(
            Markup(
                '<g class="chart__row"><title>{label}: {text}</title>'
                '<text x="0" y="{ty}" class="chart__label">{label}</text>'
                '<rect x="0" y="{by}" width="100%" height="{bh}" rx="3" class="chart__track"/>'
                '<rect x="0" y="{by}" width="{w}%" height="{bh}" rx="3" class="chart__bar"'
                "{fill}/>"
                '<text x="0" y="{fy}" class="chart__figure">{text}</text></g>'
            ).format(
                label=bar.label,
                text=bar.text,
                ty=y + 15,
                fy=y + 52,
                by=y + 21,
                bh=BAR,
                w=f"{100 * share:.2f}",
                # An attribute, not a style: the Content-Security-Policy refuses inline styles.
                fill=Markup(' fill="{}"').format(fill) if fill else "",
            )
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)


def percent(value: float | None, capacity: float | None) -> int | None:
    if value is None or not capacity:
        return None
    return round(100 * value / capacity)
