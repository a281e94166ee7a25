"""A small server-rendered SVG chart of a pooled budget: one stacked bar per fiscal year, a segment per department.

No JavaScript, no third-party files; the page puts the same figures in a table beside it (accessibility).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Colour-blind-safe palette (Okabe–Ito), cycled when there are more departments.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]


def pooled_budget_chart(*, rows: list[dict], width: int = 560, bar_height: int = 22) -> SafeString:
    """rows: [{fiscal_year, department, amount}] (EUR). Returns an <svg> element, or "" when there is nothing."""
    if not rows:
        return mark_safe("")
    years = sorted({r["fiscal_year"] for r in rows})
    departments = sorted({r["department"] for r in rows})
    colour = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(departments)}
    by_year: dict[int, list[tuple[str, Decimal]]] = {y: [] for y in years}
    for r in rows:
        by_year[r["fiscal_year"]].append((r["department"], Decimal(r["amount"])))
    largest = max(sum((a for _, a in parts), Decimal(0)) for parts in by_year.values()) or Decimal(1)
    label_w, gap, plot_w = 48, 8, width - 48 - 120
    legend_h = 18 * len(departments)
    height = max(len(years) * (bar_height + gap) + gap, legend_h + gap)
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="pooled-chart-title" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">',
        '<title id="pooled-chart-title">Approved contributions per fiscal year, by department</title>',
    ]
    for i, year in enumerate(years):
        y = gap + i * (bar_height + gap)
        parts.append(f'<text x="0" y="{y + bar_height * 0.7:.1f}">{year}</text>')
        x = Decimal(label_w)
        for name, amount in sorted(by_year[year]):
            w = Decimal(plot_w) * amount / largest
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{colour[name]}">'
                f"<title>{escape(name)} {year}: {amount:,.2f}</title></rect>"
            )
            x += w
    for i, name in enumerate(departments):
        y = gap + i * 18
        lx = width - 112
        parts.append(f'<rect x="{lx}" y="{y}" width="12" height="12" fill="{colour[name]}"/>')
        parts.append(f'<text x="{lx + 16}" y="{y + 10}">{escape(name[:16])}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text inside is escaped above
