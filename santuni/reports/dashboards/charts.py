"""Horizontal bar charts as inline SVG, drawn on the server: no script, no chart library.

Sizes are viewBox units and the SVG is 100% wide: a chart drawn 320 units wide fills a card
on a 360 px phone at about one unit a pixel, and scales up on a desktop. Each bar has its
label above it and its value written beside it, so the chart reads without colour; the
table under it has every figure. Colours are presentation attributes (the
Content-Security-Policy forbids inline styles).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

# A phone 360 px wide shows a card about 310 px wide: close to one unit a pixel there.
WIDTH = 320
ROW = 42  # label line, bar, gap
BAR = 16
LABEL_CHARS = 42
VALUE_ROOM = 64  # room right of the longest bar for its value
BRAND, MARKED, INK = "#005a4e", "#a00000", "#1b1b1b"
MAX_BARS = 20


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | int | Decimal | None
    text: str  # the value as people read it ("1,234", "2.5", "—")
    marked: bool = False


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def bar_chart(chart_id: str, title: str, bars: list[Bar]) -> SafeString:
    """An SVG of one horizontal bar per item, longest for the largest value."""
    numbers = [float(b.value) for b in bars if isinstance(b.value, int | float | Decimal)]
    top = max([n for n in numbers if n > 0], default=0)
    scale = (WIDTH - VALUE_ROOM) / top if top else 0
    height = len(bars) * ROW + 4
    rows = []
    for i, bar in enumerate(bars):
        y = i * ROW
        value = float(bar.value) if isinstance(bar.value, int | float | Decimal) else 0
        length = max(value, 0) * scale
        if value > 0:
            length = max(length, 2)  # a small figure still shows a sliver
        rows.append(
            (
                y + 14,
                _short(bar.label),
                y + 19,
                f"{length:.1f}",
                BAR,
                MARKED if bar.marked else BRAND,
                f"{length + 4:.1f}",
                y + 32,
                bar.text,
            )
        )
    body = format_html_join(
        "",
        '<text x="0" y="{}">{}</text><rect x="0" y="{}" width="{}" height="{}" fill="{}"/>'
        '<text x="{}" y="{}" font-weight="bold">{}</text>',
        rows,
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="100%" role="img" '
        'aria-labelledby="{}" class="chart" font-family="system-ui, sans-serif" font-size="14" '
        'fill="{}"><title id="{}">{}</title>{}</svg>',
        WIDTH,
        height,
        chart_id,
        INK,
        chart_id,
        title,
        body,
    )
