"""Demo city, step 1: departments, demo users of every role, asset categories and assets."""

import math
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Asset, AssetCategory, Department, Membership

# Documented in README ("Demo accounts"); only ever created in demo mode.
DEMO_PASSWORD = "demo-city-2027"

DEPARTMENTS = [
    ("transport", "Transport", Department.Kind.SERVICE),
    ("lighting", "Street lighting", Department.Kind.SERVICE),
    ("safety", "Public safety", Department.Kind.SERVICE),
    ("parks", "Parks", Department.Kind.SERVICE),
    ("finance", "Central finance office", Department.Kind.CENTRAL_FINANCE),
]

# username, first name, last name, department code, role
USERS = [
    ("tina", "Tina", "Transport", "transport", Membership.Role.OFFICIAL),
    ("luc", "Luc", "Lighting", "lighting", Membership.Role.OFFICIAL),
    ("sam", "Sam", "Safety", "safety", Membership.Role.OFFICIAL),
    ("paula", "Paula", "Parks", "parks", Membership.Role.OFFICIAL),
    ("fiona", "Fiona", "Finance", "finance", Membership.Role.FINANCE),
    ("frank", "Frank", "Finance", "finance", Membership.Role.FINANCE),
    ("theo", "Theo", "Transport Finance", "transport", Membership.Role.FINANCE),
    ("victor", "Victor", "Viewer", "transport", Membership.Role.VIEWER),
]


@transaction.atomic
def load(*, log) -> None:
    departments = {}
    for code, name, kind in DEPARTMENTS:
        departments[code], _ = Department.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind}
        )
    User = get_user_model()
    for username, first, last, department, role in USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@city.example"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        Membership.objects.update_or_create(
            user=user, department=departments[department], defaults={"role": role}
        )
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "email": "admin@city.example"}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save(update_fields=["password"])
    log(f"{len(DEPARTMENTS)} departments, {len(USERS) + 1} demo users (password {DEMO_PASSWORD!r})")
    categories = load_categories()
    created = load_assets(departments=departments, categories=categories)
    log(f"{len(categories)} asset categories, {created:,} new assets ({Asset.objects.count():,} in all)")


# code, name, unit, upgrade name, upgrade unit cost, upgrade life, upgrade maintenance/yr, upgrade energy/yr
# (EUR, start-year prices; orders of magnitude from municipal price lists, rounded).
CATEGORIES = [
    (
        "bus-shelter",
        "Bus shelter",
        "shelter",
        "Solar-lit shelter with real-time display",
        "14000",
        25,
        "250",
        "0",
    ),
    (
        "street-light",
        "Street light",
        "lamp",
        "LED luminaire with dimming (replaces sodium)",
        "650",
        20,
        "15",
        "25",
    ),
    ("cctv-camera", "CCTV camera", "camera", "HD IP camera with privacy masking", "2800", 8, "180", "40"),
    ("bench", "Bench", "bench", "Recycled-material bench", "1100", 20, "30", "0"),
    ("waste-bin", "Waste bin", "bin", "Solar compacting bin with fill sensor", "4200", 10, "220", "0"),
    (
        "traffic-signal",
        "Traffic signal",
        "junction",
        "LED signal heads with adaptive control",
        "9500",
        15,
        "400",
        "150",
    ),
]

# department, category, how many, ref prefix, areas, typical life, replacement, maintenance/yr, energy/yr
ROUTES = [f"Route {n}" for n in (1, 3, 4, 7, 9, 12, 15, 21, 24, 31)]
DISTRICTS = ["Centre", "North", "South", "East", "West", "Harbour", "University", "Old Town"]
PARKS = ["City Park", "Riverside", "Botanic Garden", "Castle Hill", "Lakeside"]
FLEET = [
    ("transport", "bus-shelter", 600, "BS", ROUTES + ["Centre"], 20, 9000, 350, 60),
    ("transport", "traffic-signal", 300, "TS", DISTRICTS, 20, 8000, 600, 900),
    ("lighting", "street-light", 2400, "SL", DISTRICTS + ROUTES, 25, 450, 45, 95),
    ("safety", "cctv-camera", 400, "CAM", DISTRICTS + ["Route 12"], 8, 2200, 250, 55),
    ("parks", "bench", 700, "BE", PARKS + ["Centre"], 15, 800, 60, 0),
    ("parks", "waste-bin", 600, "WB", PARKS + DISTRICTS, 10, 350, 420, 0),
]
# Ages are relative to a fixed year so the demo data does not change from one year to the next.
DEMO_YEAR = 2025
CENTRE = (50.8467, 4.3525)


def load_categories() -> dict[str, AssetCategory]:
    categories = {}
    for code, name, unit, upgrade, cost, life, maintenance, energy in CATEGORIES:
        categories[code], _ = AssetCategory.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "upgrade_name": upgrade,
                "upgrade_unit_cost": Decimal(cost),
                "upgrade_life_years": life,
                "upgrade_maintenance_cost": Decimal(maintenance),
                "upgrade_energy_cost": Decimal(energy),
            },
        )
    return categories


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


def demo_assets(*, departments: dict, categories: dict) -> list[Asset]:
    """About 5,000 assets, the same every time (seeded), with ages spread so some are past end of life."""
    rng = random.Random(2027)
    assets = []
    for department, category, count, prefix, areas, life, replacement, maintenance, energy in FLEET:
        for n in range(1, count + 1):
            asset_life = max(3, round(life * rng.uniform(0.8, 1.2)))
            # Older networks: ages up to 1.4 × life, so about a quarter is overdue for replacement.
            age = min(DEMO_YEAR - 1960, int(rng.triangular(0, asset_life * 1.4, asset_life * 0.5)))
            area = rng.choice(areas)
            wear = age / asset_life
            condition = 5 if wear < 0.2 else 4 if wear < 0.5 else 3 if wear < 0.8 else 2 if wear < 1.1 else 1
            assets.append(
                Asset(
                    department=departments[department],
                    category=categories[category],
                    external_ref=f"{prefix}-{n:05d}",
                    name=f"{categories[category].name} {area} {n}",
                    area=area,
                    **_on_lattice(department, rng.uniform(-0.06, 0.06), rng.uniform(-0.09, 0.09)),
                    install_year=DEMO_YEAR - age,
                    life_years=asset_life,
                    replacement_cost=_money(replacement * rng.uniform(0.85, 1.15)),
                    maintenance_cost=_money(maintenance * rng.uniform(0.8, 1.2) * (1 + 0.5 * min(wear, 1.5))),
                    energy_cost=_money(energy * rng.uniform(0.9, 1.1)),
                    condition=condition,
                )
            )
    return assets


def load_assets(*, departments: dict, categories: dict) -> int:
    """Insert the demo assets that are missing; existing ones (perhaps edited in the demo) are left alone."""
    before = Asset.objects.count()
    Asset.objects.bulk_create(
        demo_assets(departments=departments, categories=categories)
        + planned_assets(departments=departments, categories=categories),
        batch_size=1000,
        ignore_conflicts=True,
    )
    return Asset.objects.count() - before


# --- Where the assets stand (so that the opportunity finder has a handful of real candidates) ------------------
#
# Positions are in metres east/north of the south-west corner of the demo extent (CENTRE ± 0.06° latitude,
# ± 0.09° longitude), converted with a local equirectangular projection. The randomly generated assets of each
# department stand on their own lattice of 800 m cells, offset by 400 m per department (transport at (0, 0),
# lighting (400, 0), safety (0, 400), parks (400, 400)) with up to ±30 m of scatter, so assets of different
# departments are at least 340 m apart: at the finder's default radius (150 m) they form no candidate. The planned
# sites below stand on the lines and in the gaps of that lattice (≥ 160 m from any random asset) and are the
# demo's opportunities: bus stops with their lights and cameras, a square, a promenade, a junction, a park gate,
# lanes recorded without coordinates, and one near miss whose assets wear out too far apart.
M_PER_DEG_LAT = 111_195.0
M_PER_DEG_LON = M_PER_DEG_LAT * math.cos(math.radians(CENTRE[0]))
SOUTH_WEST = (CENTRE[0] - 0.06, CENTRE[1] - 0.09)
LATTICE_CELL_M = 800
LATTICE_OFFSET_M = {"transport": (0, 0), "lighting": (400, 0), "safety": (0, 400), "parks": (400, 400)}
LATTICE_SCATTER_M = 60  # full width: ±30 m


def _degrees(x_m: float, y_m: float) -> dict[str, Decimal]:
    return {
        "latitude": Decimal(f"{SOUTH_WEST[0] + y_m / M_PER_DEG_LAT:.6f}"),
        "longitude": Decimal(f"{SOUTH_WEST[1] + x_m / M_PER_DEG_LON:.6f}"),
    }


def _on_lattice(department: str, d_lat: float, d_lon: float) -> dict[str, Decimal]:
    """A random draw (degrees from CENTRE) moved onto the department's lattice; the draw's place inside its cell
    gives the scatter, so no extra random numbers are drawn and the other demo figures stay the same."""
    off_x, off_y = LATTICE_OFFSET_M.get(department, (200, 200))
    out = []
    for metres, offset in (((d_lon + 0.09) * M_PER_DEG_LON, off_x), ((d_lat + 0.06) * M_PER_DEG_LAT, off_y)):
        cell, inside = divmod(metres, LATTICE_CELL_M)
        out.append(cell * LATTICE_CELL_M + offset + (inside / LATTICE_CELL_M - 0.5) * LATTICE_SCATTER_M)
    return _degrees(out[0], out[1])


# (department, category, ref prefix, typical replacement, maintenance/yr, energy/yr) per category code
PLANNED_KIND = {
    "bus-shelter": ("transport", "BS", 9000, 350, 60),
    "traffic-signal": ("transport", "TS", 8000, 600, 900),
    "street-light": ("lighting", "SL", 450, 45, 95),
    "cctv-camera": ("safety", "CAM", 2200, 250, 55),
    "bench": ("parks", "BE", 800, 60, 0),
    "waste-bin": ("parks", "WB", 350, 420, 0),
}
# site code, area, [(category, end-of-life year, life years, [(x, y) metres, or None: no coordinates])]
_ROUTE_Y = 6_600  # a lattice gap line (200 + 16 × 400)
_STOPS = [3_000 + 250 * k for k in range(6)]  # stops 250 m apart: the lights between them link neighbours
PLANNED_SITES = [
    (
        "R5",
        "Route 5",
        [
            ("bus-shelter", 2027, 23, [(x, _ROUTE_Y + 8) for x in _STOPS]),
            ("cctv-camera", 2028, 9, [(x + 5, _ROUTE_Y + 12) for x in _STOPS]),
            ("street-light", 2026, 26, [(x, _ROUTE_Y - 8) for x in range(_STOPS[0], _STOPS[-1] + 1, 50)]),
        ],
    ),
    (
        "MS",
        "Market Square",
        [
            (
                "street-light",
                2028,
                25,
                [(6_200 + dx, 6_200 + dy) for dx, dy in ((-40, 0), (40, 0), (0, -40), (0, 40))],
            ),
            ("cctv-camera", 2027, 8, [(6_190, 6_210), (6_215, 6_185)]),
            ("bench", 2029, 15, [(6_180, 6_200), (6_220, 6_200), (6_200, 6_225)]),
            ("waste-bin", 2028, 10, [(6_185, 6_185), (6_225, 6_215)]),
        ],
    ),
    (
        "HP",
        "Harbour promenade",
        [
            ("street-light", 2030, 25, [(x, 2_205) for x in range(8_000, 8_601, 40)]),
            ("bench", 2031, 15, [(x, 2_195) for x in range(8_000, 8_601, 100)]),
            ("waste-bin", 2029, 10, [(8_050, 2_195), (8_300, 2_195), (8_550, 2_195)]),
        ],
    ),
    (
        "UJ",
        "University junction",
        [
            ("traffic-signal", 2026, 20, [(9_790, 10_190), (9_810, 10_210)]),
            ("street-light", 2027, 25, [(9_770, 10_200), (9_830, 10_200), (9_800, 10_170), (9_800, 10_230)]),
            ("cctv-camera", 2028, 8, [(9_805, 10_195)]),
        ],
    ),
    (
        "PG",
        "City Park gate",
        [
            ("street-light", 2031, 25, [(2_580, 11_000), (2_620, 11_000), (2_600, 11_030)]),
            ("bench", 2032, 15, [(2_590, 10_980), (2_610, 10_980), (2_590, 11_020), (2_610, 11_020)]),
            ("waste-bin", 2030, 10, [(2_570, 10_990), (2_630, 10_990)]),
        ],
    ),
    (
        "CL",
        "Castle lanes",
        [
            ("street-light", 2027, 25, [None, None, None, None]),
            ("bench", 2028, 15, [None, None]),
            ("waste-bin", 2029, 10, [None]),
        ],
    ),
    (
        # A near miss: lights due in 2027 beside benches renewed last year (due 2039) are not one opportunity.
        "RS",
        "Riverside steps",
        [
            ("street-light", 2027, 25, [(4_590, 1_800), (4_610, 1_800), (4_600, 1_820)]),
            ("bench", 2039, 15, [(4_595, 1_790), (4_605, 1_790)]),
        ],
    ),
]


def planned_assets(*, departments: dict, categories: dict) -> list[Asset]:
    """The planned sites' assets (about 100), references like SL-R5-07, the same every time."""
    assets = []
    for site, area, groups in PLANNED_SITES:
        for category, end_of_life, life, places in groups:
            department, prefix, replacement, maintenance, energy = PLANNED_KIND[category]
            if department not in departments or category not in categories:
                continue
            install = end_of_life - life
            wear = (DEMO_YEAR - install) / life
            for n, place in enumerate(places, start=1):
                assets.append(
                    Asset(
                        department=departments[department],
                        category=categories[category],
                        external_ref=f"{prefix}-{site}-{n:02d}",
                        name=f"{categories[category].name} {area} {n}",
                        area=area,
                        **(_degrees(*place) if place is not None else {}),
                        install_year=install,
                        life_years=life,
                        replacement_cost=_money(replacement),
                        maintenance_cost=_money(maintenance * (1 + 0.5 * min(wear, 1.5))),
                        energy_cost=_money(energy),
                        condition=2 if wear >= 0.8 else 3,
                    )
                )
    return assets
