"""A small city for the finder tests: a bus stop (shelter, lights, camera), a lone department's row of lights
far away, and helpers to place assets a given number of metres from a point."""

from decimal import Decimal

import numpy as np
import pytest

LAT, LON = 50.8467, 4.3525
METRE_LAT = 1 / 111_195.0


def place(north_m: float = 0, east_m: float = 0) -> dict[str, Decimal]:
    return {
        "latitude": Decimal(f"{LAT + north_m * METRE_LAT:.6f}"),
        "longitude": Decimal(f"{LON + east_m * METRE_LAT / np.cos(np.radians(LAT)):.6f}"),
    }


@pytest.fixture
def categories(db):
    from tests.factories import AssetCategoryFactory

    return {
        "bus-shelter": AssetCategoryFactory(
            code="bus-shelter",
            name="Bus shelter",
            upgrade_unit_cost=Decimal("14000"),
            upgrade_life_years=25,
            upgrade_maintenance_cost=Decimal("250"),
            upgrade_energy_cost=Decimal("0"),
        ),
        "street-light": AssetCategoryFactory(
            code="street-light",
            name="Street light",
            upgrade_unit_cost=Decimal("650"),
            upgrade_life_years=20,
            upgrade_maintenance_cost=Decimal("15"),
            upgrade_energy_cost=Decimal("25"),
        ),
        "cctv-camera": AssetCategoryFactory(
            code="cctv-camera",
            name="CCTV camera",
            upgrade_unit_cost=Decimal("2800"),
            upgrade_life_years=8,
            upgrade_maintenance_cost=Decimal("180"),
            upgrade_energy_cost=Decimal("40"),
        ),
    }


@pytest.fixture
def make_asset(categories):
    from tests.factories import AssetFactory

    defaults = {
        "bus-shelter": ("BS", 2004, 23, "9000", "350", "60"),
        "street-light": ("SL", 2001, 26, "450", "45", "95"),
        "cctv-camera": ("CAM", 2019, 9, "2200", "250", "55"),
    }
    counter = {"n": 0}

    def _make(department, category, *, north_m=0, east_m=0, located=True, area="Route 5", **fields):
        prefix, install, life, repl, maint, energy = defaults[category]
        counter["n"] += 1
        values = {
            "department": department,
            "category": categories[category],
            "external_ref": f"{prefix}-{counter['n']:03d}",
            "area": area,
            "install_year": install,
            "life_years": life,
            "replacement_cost": Decimal(repl),
            "maintenance_cost": Decimal(maint),
            "energy_cost": Decimal(energy),
            **(place(north_m, east_m) if located else {}),
        }
        values.update(fields)
        return AssetFactory(**values)

    return _make


@pytest.fixture
def bus_stop(transport, lighting, safety, make_asset):
    """One stop: a shelter, two lights and a camera within 30 m, all due 2026–2028."""
    return [
        make_asset(transport, "bus-shelter"),
        make_asset(lighting, "street-light", north_m=20),
        make_asset(lighting, "street-light", north_m=-20),
        make_asset(safety, "cctv-camera", east_m=5),
    ]


@pytest.fixture
def lone_lights(lighting, make_asset):
    """Lights of one department far from anything else: never a candidate."""
    return [
        make_asset(lighting, "street-light", north_m=2_000, east_m=50 * k, area="North") for k in range(3)
    ]


@pytest.fixture
def city(bus_stop, lone_lights):
    return {"bus_stop": bus_stop, "lone_lights": lone_lights}
