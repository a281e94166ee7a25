"""Server-rendered SVG charts shared by every app (no JavaScript, no third-party files).

Every page that shows a chart puts the same figures in a table beside it, for accessibility.
Charts specific to one area (a tender's pooled budget, scenario results, indicator trajectories) live in
that app's charts module.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int | float
    display: str


def horizontal_bars(bars: list[Bar], *, title: str, width: int = 560, bar_height: int = 22) -> SafeString:
    """A horizontal bar chart; `title` becomes the accessible name of the SVG."""
    label_width, gap, value_width = 150, 6, 110
    plot = width - label_width - value_width
    largest = max((float(b.value) for b in bars), default=0) or 1
    height = len(bars) * (bar_height + gap) + gap
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, bar in enumerate(bars):
        y = gap + i * (bar_height + gap)
        length = max(1.0, plot * float(bar.value) / largest) if float(bar.value) > 0 else 0
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height * 0.7}" text-anchor="end">{escape(bar.label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="#2f6da4"></rect>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + bar_height * 0.7}">{escape(bar.display)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every interpolated text is escaped above
