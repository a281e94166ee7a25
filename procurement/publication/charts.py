"""A tiny server-rendered SVG horizontal bar chart (no JavaScript, no third-party files)."""

from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

BAR_HEIGHT = 26
LABEL_WIDTH = 180
CHART_WIDTH = 640
VALUE_WIDTH = 130


def bar_chart(rows: list[tuple[str, Decimal]], *, title: str, currency: str = "") -> SafeString:
    """Horizontal bars, one per (label, value); pair it with an accessible table of the same figures."""
    if not rows:
        return SafeString("")
    peak = max((value for _, value in rows), default=Decimal("0")) or Decimal("1")
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = BAR_HEIGHT * len(rows) + 10
    bars = format_html_join(
        "",
        '<g><text x="0" y="{}">{}</text><rect x="{}" y="{}" width="{}" height="{}" fill="#0b5cad"></rect>'
        '<text x="{}" y="{}">{} {}</text></g>',
        (
            (
                index * BAR_HEIGHT + 18,
                label[:28],
                LABEL_WIDTH,
                index * BAR_HEIGHT + 5,
                max(1, int(span * value / peak)),
                BAR_HEIGHT - 8,
                LABEL_WIDTH + max(1, int(span * value / peak)) + 6,
                index * BAR_HEIGHT + 18,
                f"{value:,.2f}",
                currency,
            )
            for index, (label, value) in enumerate(rows)
        ),
    )
    return format_html(
        '<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {} {}" width="{}" height="{}">'
        "<title>{}</title>{}</svg>",
        title,
        CHART_WIDTH,
        height,
        CHART_WIDTH,
        height,
        title,
        bars,
    )
