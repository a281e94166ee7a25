"""Demo city, step 1: departments, demo users of every role, asset categories and assets."""

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
                    latitude=Decimal(f"{CENTRE[0] + rng.uniform(-0.06, 0.06):.6f}"),
                    longitude=Decimal(f"{CENTRE[1] + rng.uniform(-0.09, 0.09):.6f}"),
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
        demo_assets(departments=departments, categories=categories), batch_size=1000, ignore_conflicts=True
    )
    return Asset.objects.count() - before
