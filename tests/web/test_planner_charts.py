"""The planner's server-side SVG bar charts: proportional bars, labels, accessibility, no data."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from api.allocation.charts import Bar, bar_chart, fraction

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def _bar_widths(root: ET.Element) -> list[float]:
    bars = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart__bar"]
    return [float(str(r.get("width")).rstrip("%")) for r in bars]


def test_bars_are_proportional_to_the_fill_of_their_capacity() -> None:
    chart = bar_chart(
        [
            Bar("Pavlodar", 300, 1200, "300 / 1200"),
            Bar("Kostanay", 600, 1200, "600 / 1200"),
            Bar("Akmola", 50, 100, "50 / 100"),
        ],
        title="Quota fill",
        description="persons placed against the quota",
        empty="nothing",
    )
    widths = _bar_widths(_parse(chart))
    assert widths == [25.0, 50.0, 50.0]


def test_bars_without_capacity_compare_with_the_largest_and_never_overflow() -> None:
    chart = bar_chart(
        [Bar("A", 40, None, "40"), Bar("B", 10, None, "10"), Bar("C", 30, 20, "30 / 20")],
        title="t",
        description="d",
        empty="nothing",
    )
    root = _parse(chart)
    assert _bar_widths(root) == [100.0, 25.0, 100.0]
    # The over-full bar is hatched, not only coloured differently.
    over = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "chart__bar"][2]
    assert "url(#chart-" in str(over.get("fill"))
    assert fraction(Bar("z", 5, 0, ""), 0) == 0.0


def test_every_bar_has_a_text_label_and_the_chart_a_title() -> None:
    chart = bar_chart(
        [Bar("Павлодар <облысы>", 7, 10, "7 / 10 · 70 %")],
        title="Квота",
        description="адамдар",
        empty="—",
    )
    root = _parse(chart)
    assert root.get("role") == "img"
    labelled = str(root.get("aria-labelledby")).split()
    ids = {el.get("id"): (el.text or "") for el in root.iter() if el.get("id")}
    assert [ids[i] for i in labelled] == ["Квота", "адамдар"]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["Павлодар <облысы>", "7 / 10 · 70 %"]  # escaped in the markup, parsed back
    assert "&lt;облысы&gt;" in chart
    row_title = next(g for g in root.iter(f"{SVG}g")).find(f"{SVG}title")
    assert row_title is not None and row_title.text == "Павлодар <облысы>: 7 / 10 · 70 %"


def test_no_data_is_a_sentence_not_an_empty_chart() -> None:
    chart = bar_chart([], title="t", description="d", empty="No quota to show.")
    assert "<svg" not in chart
    assert re.search(r"<p[^>]*>No quota to show\.</p>", chart)
