"""Small input builders shared by the engine tests (no Django, no database)."""

from __future__ import annotations

import pandas as pd

from finance.engine import Assumptions


def worked_example_assets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "asset_id": ["A1", "A2", "B1"],
            "department": ["transport", "transport", "education"],
            "category": ["streetlight", "streetlight", "boiler"],
            "install_year": [2011, 2008, 2004],
            "life_years": [20, 20, 25],
            "replacement_cost": [1000.0, 1000.0, 20000.0],
            "maintenance_cost": [50.0, 50.0, 800.0],
            "energy_cost": [200.0, 200.0, 3000.0],
            "action": ["upgrade", "upgrade", "maintain"],
        }
    )


def worked_example_catalogue() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "category": ["streetlight", "boiler"],
            "unit_cost": [1500.0, 25000.0],
            "life_years": [4, 25],
            "maintenance_cost": [20.0, 500.0],
            "energy_cost": [80.0, 2000.0],
        }
    )


def worked_example_assumptions(**changes: object) -> Assumptions:
    base = Assumptions(start_year=2026, horizon=5, contract_term=3, outcome_achievement=0.9, draws=0)
    return base.with_changes(**changes)


def single_asset(
    *,
    action: str = "maintain",
    install_year: int = 2016,
    life_years: int = 15,
    replacement_cost: float = 10_000.0,
    maintenance_cost: float = 300.0,
    energy_cost: float = 700.0,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "asset_id": ["X1"],
            "department": ["transport"],
            "category": ["streetlight"],
            "install_year": [install_year],
            "life_years": [life_years],
            "replacement_cost": [replacement_cost],
            "maintenance_cost": [maintenance_cost],
            "energy_cost": [energy_cost],
            "action": [action],
        }
    )
