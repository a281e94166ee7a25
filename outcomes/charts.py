"""A small server-rendered SVG line chart of one indicator: baseline → measurements → target + trajectory.

Coordinates are floats: they are pixels, not figures (the figures shown in labels and the data table are the
Decimals themselves). Every text passes through Django's escaping; no JavaScript is needed to see the chart.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from config.numbers import measure

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40
COLOURS = {"actual": "#1f5f99", "trajectory": "#8a96a3", "target": "#1e7b34", "baseline": "#555f6b"}


def _fmt(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


def _nice_scale(low: float, high: float, count: int = 5) -> tuple[float, float, list[float]]:
    """Round axis bounds and ticks at 1, 2, 2.5 or 5 × 10^k, enclosing [low, high]."""
    raw = (high - low) / (count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    ticks = [low + i * step for i in range(round((high - low) / step) + 1)]
    return low, high, ticks


def indicator_chart(
    *,
    chart_id: str,
    title: str,
    unit: str,
    baseline: tuple[datetime.date, Decimal],
    target: tuple[datetime.date, Decimal],
    measurements: Sequence[tuple[datetime.date, Decimal]],
) -> SafeString:
    """SVG markup for one indicator. `measurements` are (period, value), in any order."""
    points = sorted(measurements)
    dates = [baseline[0], target[0], *(d for d, _ in points)]
    values = [float(baseline[1]), float(target[1]), *(float(v) for _, v in points)]
    start, end = min(dates), max(dates)
    days = max((end - start).days, 1)
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or 1.0
    low, high = low - pad, high + pad
    if min(values) >= 0 > low:
        low = 0.0  # a cost or a count never goes below zero: do not draw an axis that suggests it might
    low, high, ticks = _nice_scale(low, high)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: datetime.date) -> float:
        return round(LEFT + (day - start).days / days * plot_w, 1)

    def y(value: float) -> float:
        return round(TOP + (high - value) / (high - low) * plot_h, 1)

    parts: list[str] = [
        format_html(
            '<svg class="chart indicator-chart" id="{}" data-testid="indicator-chart" viewBox="0 0 {} {}" '
            'width="{}" height="{}" role="img" aria-labelledby="{}-title {}-desc" '
            'xmlns="http://www.w3.org/2000/svg">',
            chart_id,
            WIDTH,
            HEIGHT,
            WIDTH,
            HEIGHT,
            chart_id,
            chart_id,
        ),
        format_html('<title id="{}-title">{}</title>', chart_id, title),
        format_html(
            '<desc id="{}-desc">{}</desc>',
            chart_id,
            ngettext(
                "Baseline %(baseline)s %(unit)s (%(baseline_period)s), %(count)s measurement, target %(target)s "
                "%(unit)s by %(target_date)s; the dashed line is the straight-line trajectory. The same figures "
                "are in the table below.",
                "Baseline %(baseline)s %(unit)s (%(baseline_period)s), %(count)s measurements, target %(target)s "
                "%(unit)s by %(target_date)s; the dashed line is the straight-line trajectory. The same figures "
                "are in the table below.",
                len(points),
            )
            % {
                "baseline": measure(baseline[1]),
                "unit": unit,
                "baseline_period": baseline[0].isoformat(),
                "count": len(points),
                "target": measure(target[1]),
                "target_date": target[0].isoformat(),
            },
        ),
    ]
    # Axes and gridlines.
    for tick in ticks:
        parts.append(
            format_html(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#e2e7ed" stroke-width="1"/>'
                '<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                y(tick),
                y(tick),
                LEFT - 6,
                y(tick),
                f"{tick:,.6g}" if abs(tick) < 10_000 else f"{tick:,.0f}",
            )
        )
    for year in range(start.year, end.year + 2):
        day = datetime.date(year, 1, 1)
        if start <= day <= end:
            parts.append(
                format_html(
                    '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#9aa6b5" stroke-width="1"/>'
                    '<text x="{}" y="{}" text-anchor="middle">{}</text>',
                    x(day),
                    x(day),
                    HEIGHT - BOTTOM,
                    HEIGHT - BOTTOM + 4,
                    x(day),
                    HEIGHT - BOTTOM + 16,
                    year,
                )
            )
    parts.append(
        format_html(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#9aa6b5"/>',
            LEFT,
            WIDTH - RIGHT,
            HEIGHT - BOTTOM,
            HEIGHT - BOTTOM,
        )
    )
    # Trajectory: straight line from the baseline to the target.
    parts.append(
        format_html(
            '<line class="trajectory" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="2" '
            'stroke-dasharray="6 4"/>',
            x(baseline[0]),
            y(float(baseline[1])),
            x(target[0]),
            y(float(target[1])),
            COLOURS["trajectory"],
        )
    )
    # Actual path: baseline, then each measurement in period order.
    path = [(baseline[0], baseline[1]), *points]
    parts.append(
        format_html(
            '<polyline class="actual" fill="none" stroke="{}" stroke-width="2.5" points="{}"/>',
            COLOURS["actual"],
            " ".join(f"{x(d)},{y(float(v))}" for d, v in path),
        )
    )
    parts.append(
        format_html(
            '<circle class="point baseline" cx="{}" cy="{}" r="5" fill="{}"><title>{}</title></circle>',
            x(baseline[0]),
            y(float(baseline[1])),
            COLOURS["baseline"],
            gettext("Baseline %(period)s: %(value)s %(unit)s")
            % {"period": baseline[0].isoformat(), "value": measure(baseline[1]), "unit": unit},
        )
    )
    for day, value in points:
        parts.append(
            format_html(
                '<circle class="point measurement" data-period="{}" data-value="{}" cx="{}" cy="{}" r="4.5" '
                'fill="{}"><title>{}: {} {}</title></circle>',
                day.isoformat(),
                _fmt(value),
                x(day),
                y(float(value)),
                COLOURS["actual"],
                day.isoformat(),
                measure(value),
                unit,
            )
        )
    tx, ty = x(target[0]), y(float(target[1]))
    parts.append(
        format_html(
            '<polygon class="point target" points="{},{} {},{} {},{} {},{}" fill="{}">'
            "<title>{}</title></polygon>",
            tx,
            ty - 7,
            tx + 7,
            ty,
            tx,
            ty + 7,
            tx - 7,
            ty,
            COLOURS["target"],
            gettext("Target %(date)s: %(value)s %(unit)s")
            % {"date": target[0].isoformat(), "value": measure(target[1]), "unit": unit},
        )
    )
    # Legend.
    legend_y = HEIGHT - 8
    parts.append(
        format_html(
            '<g class="legend"><line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2.5"/>'
            '<text x="{}" y="{}">{}</text>'
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="{}" stroke-width="2" stroke-dasharray="6 4"/>'
            '<text x="{}" y="{}">{}</text></g>',
            LEFT,
            LEFT + 20,
            legend_y - 4,
            legend_y - 4,
            COLOURS["actual"],
            LEFT + 24,
            legend_y,
            gettext("measured"),
            LEFT + 110,
            LEFT + 130,
            legend_y - 4,
            legend_y - 4,
            COLOURS["trajectory"],
            LEFT + 134,
            legend_y,
            gettext("trajectory to target"),
        )
    )
    parts.append("</svg>")
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 — every part above is format_html-escaped
