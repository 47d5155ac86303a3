"""The dashboard's pictures: pygal SVG inlined in the page — no script, no external asset
(pygal's tooltip script is not loaded, and the config block it always writes for that
script is cut out; its namespace URIs are names, never fetched)."""

from __future__ import annotations

import re
from typing import Any

import pygal
from pygal.style import Style

from app.dashboard.labels import Lang, label
from app.dashboard.panels import QuotaBar

STYLE = Style(
    background="transparent",
    plot_background="transparent",
    font_family="system-ui, sans-serif",
    colors=("#1f5f8b", "#6ca0c8", "#e0a030", "#c0392b"),
    # Readable once the 640-wide drawing is scaled into a panel (pygal's defaults end up
    # 6–10 px high there).
    title_font_size=20,
    label_font_size=16,
    major_label_font_size=16,
    legend_font_size=16,
    value_font_size=16,
    tooltip_font_size=16,
)


SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)


def _svg(chart: Any) -> str:
    return SCRIPT.sub("", str(chart.render(is_unicode=True)))


def _options(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "style": STYLE,
        "js": [],
        "disable_xml_declaration": True,
        "width": 640,
        "height": 320,
        "legend_at_bottom": True,
        "print_values": False,
        "explicit_size": True,
    }


def _whole_numbers(chart: Any, highest: int) -> None:
    """Counts of households and flats: ticks at whole numbers only."""
    step = max(1, -(-highest // 8))
    chart.y_labels = list(range(0, max(highest, 1) + step, step))


def quota_bars(rows: list[QuotaBar], lang: Lang = Lang.sv) -> str:
    """Committed, due by today under the pacing, and delivered: three bars per landlord."""
    chart = pygal.Bar(**_options(label("quota_chart", lang)))
    chart.x_labels = [row.name for row in rows]
    chart.add(label("quota", lang), [row.quota for row in rows])
    chart.add(label("expected_to_date", lang), [row.expected_to_date for row in rows])
    chart.add(label("delivered", lang), [row.delivered for row in rows])
    _whole_numbers(chart, max((max(row.quota, row.delivered) for row in rows), default=0))
    return _svg(chart)


def waiting_histogram(histogram: dict[str, dict[str, int]], lang: Lang = Lang.sv) -> str:
    """Households waiting by months since registration, stacked by urgency band (the
    histogram's keys are already in the page's language)."""
    chart = pygal.StackedBar(**_options(label("waiting_chart", lang)))
    buckets = list(next(iter(histogram.values())).keys()) if histogram else []
    chart.x_labels = buckets
    for band, counts in histogram.items():
        chart.add(band, [counts[bucket] for bucket in buckets])
    _whole_numbers(
        chart,
        max((sum(c[b] for c in histogram.values()) for b in buckets), default=0),
    )
    return _svg(chart)
