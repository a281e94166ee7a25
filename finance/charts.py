"""Server-rendered SVG charts (no JavaScript, no third-party files). Each returns safe SVG markup; the page puts
an accessible table with the same numbers behind every chart (DESIGN §10, "Charts").

Values may be Decimal or float; they are drawn in float (a chart is a picture, the tables carry the cents).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from config.numbers import money

COLOURS = {
    "capex": "#1f5f99",
    "opex": "#e39b2d",
    "status_quo": "#6b7280",
    "capex_line": "#1f5f99",
    "opex_service": "#e39b2d",
    "shared_savings": "#2e8b57",
    "surplus": "#2e8b57",
    "shortfall": "#c0392b",
    "low": "#7fb3e0",
    "high": "#1f5f99",
}
SCENARIO_COLOURS = {
    "status_quo": "#6b7280",
    "capex": "#1f5f99",
    "opex_service": "#e39b2d",
    "shared_savings": "#2e8b57",
}
W, H = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 70, 10, 20, 30


def short_money(value: float) -> str:
    """1234567 -> '1.2M' (axis labels only; the suffixes are the active language's: 'M', 'Mio', 'mln')."""
    v = float(value)
    # Translators: short axis labels of charts: thousands, millions, billions (e.g. 1.2M).
    for limit, suffix in ((1e9, _("bn")), (1e6, _("M")), (1e3, _("k"))):
        if abs(v) >= limit:
            return f"{_one_decimal(v / limit)}{suffix}"
    return f"{v:.0f}"


def _one_decimal(value: float) -> str:
    """1.25 -> '1.2' (English) or '1,2' (French, Dutch): the money rule's decimal sign, one decimal."""
    text = f"{value:.1f}"
    sign = money(1.5)[1]  # "1.50" -> ".", "1,50" -> ","
    return text.replace(".", sign) if sign in ".," else text


def _svg(title: str, body: list[str], width: int = W, height: int = H) -> SafeString:
    t = escape(title)
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-label="{t}" xmlns="http://www.w3.org/2000/svg"><title>{t}</title>{"".join(body)}</svg>'
    )


def _scale(lo: float, hi: float, top: float, bottom: float):
    if hi == lo:
        hi = lo + 1
    return lambda v: bottom - (float(v) - lo) / (hi - lo) * (bottom - top)


def _y_axis(y, lo: float, hi: float, width: int = W) -> list[str]:
    out = []
    for i in range(5):
        v = lo + (hi - lo) * i / 4
        yy = y(v)
        out.append(
            f'<line x1="{LEFT}" x2="{width - RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#e4e9ef"/>'
            f'<text x="{LEFT - 6}" y="{yy + 4:.1f}" text-anchor="end">{short_money(v)}</text>'
        )
    return out


def _x_labels(years: Sequence[int], x_of, height: int = H) -> list[str]:
    step = max(1, len(years) // 10)
    return [
        f'<text x="{x_of(i):.1f}" y="{height - 10}" text-anchor="middle">{year}</text>'
        for i, year in enumerate(years)
        if i % step == 0
    ]


def _legend(items: Sequence[tuple[str, str]], width: int = W) -> list[str]:
    out, x = [], LEFT
    for label, colour in items:
        out.append(
            f'<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="13">{escape(label)}</text>'
        )
        x += 14 + 7 * len(label) + 16
    return out


def stacked_bars(title: str, years: Sequence[int], capex: Sequence, opex: Sequence) -> SafeString:
    """Yearly CapEx and OpEx stacked (cost to the city, nominal)."""
    totals = [float(c) + float(o) for c, o in zip(capex, opex, strict=True)]
    lo = min(0.0, *(float(c) for c in capex), *(float(o) for o in opex)) if years else 0.0
    hi = max(totals, default=1.0) or 1.0
    y = _scale(lo, hi, TOP, H - BOTTOM)
    n = max(len(years), 1)
    band = (W - LEFT - RIGHT) / n
    body = _y_axis(y, lo, hi)
    capex_word, opex_word = escape(_("CapEx")), escape(_("OpEx"))
    for i, (c, o) in enumerate(zip(capex, opex, strict=True)):
        x = LEFT + i * band + band * 0.1
        bw = band * 0.8
        base = y(0)
        yc = y(max(float(c), 0))
        yo = y(max(float(c), 0) + max(float(o), 0))
        body.append(
            f'<rect x="{x:.1f}" y="{yc:.1f}" width="{bw:.1f}" height="{base - yc:.1f}" fill="{COLOURS["capex"]}">'
            f"<title>{years[i]} {capex_word} {money(c)}</title></rect>"
            f'<rect x="{x:.1f}" y="{yo:.1f}" width="{bw:.1f}" height="{yc - yo:.1f}" fill="{COLOURS["opex"]}">'
            f"<title>{years[i]} {opex_word} {money(o)}</title></rect>"
        )
    body += _x_labels(years, lambda i: LEFT + i * band + band / 2)
    body += _legend([(_("CapEx"), COLOURS["capex"]), (_("OpEx"), COLOURS["opex"])])
    return _svg(title, body)


def line_chart(title: str, years: Sequence[int], lines: Sequence[tuple[str, str, Sequence]]) -> SafeString:
    """Several lines over the years: (label, scenario key for the colour, values)."""
    values = [float(v) for _, _, vs in lines for v in vs]
    lo, hi = min([0.0, *values]), max([1.0, *values])
    y = _scale(lo, hi, TOP, H - BOTTOM)
    n = max(len(years) - 1, 1)
    x_of = lambda i: LEFT + i * (W - LEFT - RIGHT) / n  # noqa: E731
    body = _y_axis(y, lo, hi)
    for label, key, vs in lines:
        points = " ".join(f"{x_of(i):.1f},{y(v):.1f}" for i, v in enumerate(vs))
        colour = SCENARIO_COLOURS.get(key, "#333")
        body.append(
            f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2">'
            f"<title>{escape(label)}</title></polyline>"
        )
    body += _x_labels(years, x_of)
    body += _legend([(label, SCENARIO_COLOURS.get(key, "#333")) for label, key, _ in lines])
    return _svg(title, body)


def diverging_bars(title: str, years: Sequence[int], balances: Sequence) -> SafeString:
    """Budget fit per year: surplus above zero (green), shortfall below (red)."""
    vals = [float(v) for v in balances]
    lo, hi = min([0.0, *vals]), max([0.0, *vals])
    if lo == hi:
        hi = 1.0
    y = _scale(lo, hi, TOP, H - BOTTOM)
    n = max(len(years), 1)
    band = (W - LEFT - RIGHT) / n
    body = _y_axis(y, lo, hi)
    zero = y(0)
    for i, v in enumerate(vals):
        x = LEFT + i * band + band * 0.1
        top, bottom = (y(v), zero) if v >= 0 else (zero, y(v))
        colour = COLOURS["surplus"] if v >= 0 else COLOURS["shortfall"]
        # Translators: tooltip of a bar of the budget fit chart, e.g. "2027 shortfall 1,200.00".
        word = _("%(year)s surplus %(amount)s") if v >= 0 else _("%(year)s shortfall %(amount)s")
        body.append(
            f'<rect x="{x:.1f}" y="{top:.1f}" width="{band * 0.8:.1f}" height="{max(bottom - top, 0.5):.1f}" '
            f'fill="{colour}"><title>{escape(word % {"year": years[i], "amount": money(abs(v))})}</title></rect>'
        )
    body.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{zero:.1f}" y2="{zero:.1f}" stroke="#333"/>')
    body += _x_labels(years, lambda i: LEFT + i * band + band / 2)
    body += _legend([(_("Surplus"), COLOURS["surplus"]), (_("Shortfall"), COLOURS["shortfall"])])
    return _svg(title, body)


def tornado(title: str, rows: Sequence[dict], base: float) -> SafeString:
    """One bar per assumption from NPV at its low value to NPV at its high value, around the base NPV.

    A row's ``label`` (the assumption as a person reads it) is drawn when given, else its ``parameter``."""
    height = TOP + 22 * max(len(rows), 1) + BOTTOM
    values = [float(base)] + [float(r[k]) for r in rows for k in ("npv_low", "npv_high")]
    lo, hi = min(values), max(values)
    if lo == hi:
        hi = lo + 1
    left = 170
    x = lambda v: left + (float(v) - lo) / (hi - lo) * (W - left - RIGHT)  # noqa: E731
    body = []
    for i, r in enumerate(rows):
        yy = TOP + i * 22
        name = str(r.get("label") or r["parameter"])
        for key, colour, end in (
            ("npv_low", COLOURS["low"], _("low")),
            ("npv_high", COLOURS["high"], _("high")),
        ):
            a, b = sorted((x(base), x(r[key])))
            body.append(
                f'<rect x="{a:.1f}" y="{yy + 3}" width="{max(b - a, 0.5):.1f}" height="14" fill="{colour}">'
                f"<title>{escape(name)} {escape(end)}: {money(r[key])}</title></rect>"
            )
        body.append(f'<text x="{left - 6}" y="{yy + 14}" text-anchor="end">{escape(name)}</text>')
    body.append(
        f'<line x1="{x(base):.1f}" x2="{x(base):.1f}" y1="{TOP - 4}" y2="{height - BOTTOM + 4}" stroke="#333"/>'
        f'<text x="{left}" y="{height - 8}">{short_money(lo)}</text>'
        f'<text x="{W - RIGHT}" y="{height - 8}" text-anchor="end">{short_money(hi)}</text>'
    )
    body += _legend([(_("Low value"), COLOURS["low"]), (_("High value"), COLOURS["high"])])
    return _svg(title, body, height=height)


def range_chart(title: str, rows: Sequence[tuple[str, str, float, float, float]]) -> SafeString:
    """Monte Carlo distribution per scenario: a bar from P10 to P90 with a mark at P50."""
    height = TOP + 30 * max(len(rows), 1) + BOTTOM
    values = [float(v) for r in rows for v in r[2:]]
    lo, hi = min(values, default=0.0), max(values, default=1.0)
    pad = (hi - lo) * 0.05 or 1.0
    lo, hi = lo - pad, hi + pad
    left = 130
    x = lambda v: left + (float(v) - lo) / (hi - lo) * (W - left - RIGHT)  # noqa: E731
    body = []
    for i, (label, key, p10, p50, p90) in enumerate(rows):
        yy = TOP + i * 30
        colour = SCENARIO_COLOURS.get(key, "#333")
        body.append(
            f'<rect x="{x(p10):.1f}" y="{yy + 6}" width="{max(x(p90) - x(p10), 0.5):.1f}" height="14" '
            f'fill="{colour}" opacity="0.6"><title>{escape(label)} P10 {money(p10)} – P90 {money(p90)}'
            f"</title></rect>"
            f'<line x1="{x(p50):.1f}" x2="{x(p50):.1f}" y1="{yy + 2}" y2="{yy + 24}" stroke="#111" stroke-width="2">'
            f"<title>{escape(label)} P50 {money(p50)}</title></line>"
            f'<text x="{left - 6}" y="{yy + 17}" text-anchor="end">{escape(label)}</text>'
        )
    body.append(
        f'<text x="{left}" y="{height - 8}">{short_money(lo)}</text>'
        f'<text x="{W - RIGHT}" y="{height - 8}" text-anchor="end">{short_money(hi)}</text>'
    )
    return _svg(title, body, height=height)


def histogram_panels(
    title: str,
    description: str,
    edges: Sequence,
    series: Sequence[tuple[str, str, Sequence[int], float]],
) -> SafeString:
    """Monte Carlo distribution: one small histogram per scenario, stacked on the SAME NPV axis and the same
    count scale (so the shapes compare at a glance), each with its P50 marked by a dashed line.

    ``edges``: n + 1 shared bin edges; ``series``: (label, scenario key for the colour, n counts, P50).
    """
    lo, hi = float(edges[0]), float(edges[-1])
    if hi == lo:
        hi = lo + 1
    left, panel, gap = 130, 56, 10
    height = TOP + len(series) * (panel + gap) + BOTTOM
    x = lambda v: left + (float(v) - lo) / (hi - lo) * (W - left - RIGHT)  # noqa: E731
    peak = max((c for _, _, counts, _ in series for c in counts), default=0) or 1
    body = [f"<desc>{escape(description)}</desc>"]
    for i, (label, key, counts, p50) in enumerate(series):
        top = TOP + i * (panel + gap)
        base = top + panel
        colour = SCENARIO_COLOURS.get(key, "#333")
        body.append(
            f'<g data-scenario="{escape(key)}">'
            f'<line x1="{left}" x2="{W - RIGHT}" y1="{base}" y2="{base}" stroke="#c9d1da"/>'
            f'<text x="{left - 6}" y="{top + panel / 2 + 4:.1f}" text-anchor="end">{escape(label)}</text>'
        )
        for j, count in enumerate(counts):
            if not count:
                continue
            x0, x1 = x(edges[j]), x(edges[j + 1])
            h = count / peak * panel
            tip = _("%(scenario)s: %(count)s draws with NPV %(low)s – %(high)s") % {
                "scenario": label,
                "count": count,
                "low": money(edges[j]),
                "high": money(edges[j + 1]),
            }
            body.append(
                f'<rect x="{x0:.1f}" y="{base - h:.1f}" width="{max(x1 - x0 - 0.5, 0.5):.1f}" '
                f'height="{h:.1f}" fill="{colour}" fill-opacity="0.7"><title>{escape(tip)}</title></rect>'
            )
        xp = x(min(max(float(p50), lo), hi))
        body.append(
            f'<line x1="{xp:.1f}" x2="{xp:.1f}" y1="{top - 2}" y2="{base + 2}" stroke="#111" stroke-width="2" '
            f'stroke-dasharray="4 2"><title>{escape(label)} P50 {money(p50)}</title></line></g>'
        )
    axis_y = height - BOTTOM + 14
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        anchor = "start" if k == 0 else "end" if k == 4 else "middle"
        body.append(f'<text x="{x(v):.1f}" y="{axis_y}" text-anchor="{anchor}">{short_money(v)}</text>')
    axis_name = escape(_("NPV of cost (dashed line: P50)"))
    body.append(
        f'<text x="{(left + W - RIGHT) / 2:.1f}" y="{height - 2}" text-anchor="middle">{axis_name}</text>'
    )
    t = escape(title)
    return mark_safe(
        f'<svg class="chart" viewBox="0 0 {W} {height}" width="{W}" height="{height}" role="img" '
        f'aria-label="{t}" data-chart="montecarlo-histogram" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{t}</title>{''.join(body)}</svg>"
    )


# --- Pooled budget of a tender: one stacked bar per fiscal year, a segment per department ----------------

# Colour-blind-safe palette (Okabe–Ito), cycled when there are more departments.
DEPARTMENT_PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def pooled_budget_chart(*, rows: list[dict], width: int = 560, bar_height: int = 22) -> SafeString:
    """rows: [{fiscal_year, department, amount}] (EUR). Returns an <svg> element, or "" when there is nothing."""
    if not rows:
        return mark_safe("")
    years = sorted({r["fiscal_year"] for r in rows})
    departments = sorted({r["department"] for r in rows})
    colour = {name: DEPARTMENT_PALETTE[i % len(DEPARTMENT_PALETTE)] for i, name in enumerate(departments)}
    by_year: dict[int, list[tuple[str, Decimal]]] = {y: [] for y in years}
    for r in rows:
        by_year[r["fiscal_year"]].append((r["department"], Decimal(r["amount"])))
    largest = max(sum((a for _, a in parts), Decimal(0)) for parts in by_year.values()) or Decimal(1)
    label_w, gap, plot_w = 48, 8, width - 48 - 120
    legend_h = 18 * len(departments)
    height = max(len(years) * (bar_height + gap) + gap, legend_h + gap)
    title = escape(_("Approved contributions per fiscal year, by department"))
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="pooled-chart-title" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="pooled-chart-title">{title}</title>',
    ]
    for i, year in enumerate(years):
        y = gap + i * (bar_height + gap)
        parts.append(f'<text x="0" y="{y + bar_height * 0.7:.1f}">{year}</text>')
        x = Decimal(label_w)
        for name, amount in sorted(by_year[year]):
            w = Decimal(plot_w) * amount / largest
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{colour[name]}">'
                f"<title>{escape(name)} {year}: {money(amount)}</title></rect>"
            )
            x += w
    for i, name in enumerate(departments):
        y = gap + i * 18
        lx = width - 112
        parts.append(f'<rect x="{lx}" y="{y}" width="12" height="12" fill="{colour[name]}"/>')
        parts.append(f'<text x="{lx + 16}" y="{y + 10}">{escape(name[:16])}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text inside is escaped above
