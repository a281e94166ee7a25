"""Server-drawn SVG maps of finder candidates: asset points and candidate outlines on projected coordinates.

No map tiles (city networks are often closed, DESIGN §10): an equirectangular projection around the points'
mean latitude, north up, with a scale bar. Every page that shows a map puts the same points in a table too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .clustering import EARTH_RADIUS_M

# Colour per department, in the order departments first appear (colour-blind-safe Okabe–Ito palette).
PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9", "#f0e442", "#000000"]


@dataclass(frozen=True)
class MapPoint:
    latitude: float
    longitude: float
    department: str  # a name, shown in the legend
    label: str = ""


@dataclass(frozen=True)
class MapCluster:
    name: str  # e.g. "1" (the rank), drawn beside the outline
    points: list[MapPoint]
    url: str = ""
    title: str = ""
    extra: dict = field(default_factory=dict)


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull (Andrew's monotone chain), counter-clockwise; fewer than 3 distinct points come back as is."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _nice_length(metres: float) -> float:
    """A round scale-bar length (1, 2 or 5 × 10ⁿ metres) not longer than ``metres``."""
    if metres <= 0:
        return 0
    power = 10 ** math.floor(math.log10(metres))
    for step in (5, 2, 1):
        if step * power <= metres:
            return step * power
    return power


def candidates_map(
    clusters: list[MapCluster], *, title: str, width: int = 640, height: int = 420, detail: bool = False
) -> SafeString:
    """Points coloured by department and one outline per cluster (its convex hull, at least a small ring so a
    cluster of co-located assets stays visible). ``detail``: a single candidate, zoomed in (hull drawn as is).
    Returns "" when no cluster has a point."""
    points = [p for c in clusters for p in c.points]
    if not points:
        return mark_safe("")
    lat0 = math.radians(sum(p.latitude for p in points) / len(points))

    def project(p: MapPoint) -> tuple[float, float]:
        return (
            EARTH_RADIUS_M * math.radians(p.longitude) * math.cos(lat0),
            EARTH_RADIUS_M * math.radians(p.latitude),
        )

    xy = [project(p) for p in points]
    xs, ys = [x for x, _ in xy], [y for _, y in xy]
    pad, legend_h = 28, 24
    span_x = max(max(xs) - min(xs), 40.0)  # metres; a lone point still gets a 40 m frame
    span_y = max(max(ys) - min(ys), 40.0)
    plot_w, plot_h = width - 2 * pad, height - 2 * pad - legend_h
    scale = min(plot_w / span_x, plot_h / span_y)  # pixels per metre, same on both axes
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def to_px(x: float, y: float) -> tuple[float, float]:
        return width / 2 + (x - cx) * scale, pad + plot_h / 2 - (y - cy) * scale

    colours: dict[str, str] = {}
    for p in points:
        colours.setdefault(p.department, PALETTE[len(colours) % len(PALETTE)])

    parts = [
        f'<svg class="chart finder-map" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#f7f8fa" stroke="#c9ced6"></rect>',
    ]
    for cluster in clusters:
        pts = [to_px(*project(p)) for p in cluster.points]
        if not pts:
            continue
        hull = _hull(pts)
        mx = sum(x for x, _ in pts) / len(pts)
        my = sum(y for _, y in pts) / len(pts)
        reach = max(math.hypot(x - mx, y - my) for x, y in pts)
        open_tag = f'<a href="{escape(cluster.url)}">' if cluster.url else ""
        close_tag = "</a>" if cluster.url else ""
        tip = f"<title>{escape(cluster.title or cluster.name)}</title>"
        if detail and len(hull) >= 3:
            outline = " ".join(f"{x:.1f},{y:.1f}" for x, y in hull)
            shape = f'<polygon points="{outline}" fill="#2f6da4" fill-opacity="0.08" stroke="#2f6da4" stroke-width="1.5"></polygon>'
        else:
            shape = (
                f'<circle cx="{mx:.1f}" cy="{my:.1f}" r="{max(reach + 6, 9):.1f}" fill="#2f6da4" '
                'fill-opacity="0.08" stroke="#2f6da4" stroke-width="1.5"></circle>'
            )
        parts.append(f'<g class="cluster">{open_tag}{tip}{shape}')
        if not detail:
            parts.append(
                f'<text x="{mx + reach + 10:.1f}" y="{my - 6:.1f}" font-size="12">{escape(cluster.name)}</text>'
            )
        parts.append(close_tag + "</g>")
    for p, (x, y) in zip(points, [to_px(*v) for v in xy], strict=True):
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{4 if detail else 3}" fill="{colours[p.department]}" '
            f'stroke="#ffffff" stroke-width="0.8"><title>{escape(p.label or p.department)}</title></circle>'
        )
    # Scale bar (bottom left) and legend (bottom).
    bar_m = _nice_length(plot_w / 4 / scale)
    bar_px = bar_m * scale
    base_y = height - legend_h - 8
    bar_label = f"{bar_m / 1000:g} km" if bar_m >= 1000 else f"{bar_m:g} m"
    parts.append(
        f'<line x1="{pad}" y1="{base_y}" x2="{pad + bar_px:.1f}" y2="{base_y}" stroke="#333" stroke-width="2"></line>'
        f'<text x="{pad}" y="{base_y - 4}" font-size="11">{bar_label}</text>'
    )
    x = pad
    for name, colour in colours.items():
        parts.append(
            f'<circle cx="{x + 5}" cy="{height - 12}" r="5" fill="{colour}"></circle>'
            f'<text x="{x + 14}" y="{height - 8}" font-size="12">{escape(name)}</text>'
        )
        x += 24 + 7 * len(name)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every interpolated text is escaped above
