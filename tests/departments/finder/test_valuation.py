"""Candidate values against the engine run on each candidate alone (no database)."""

import numpy as np
import pandas as pd
import pytest

from departments.finder.valuation import choose_best, synergy_catalogue, value_groups
from finance.engine import Assumptions, run_all

ASSUMPTIONS = Assumptions(start_year=2027, draws=0)


def catalogue() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "category": ["street-light", "bus-shelter", "cctv-camera"],
            "unit_cost": [650.0, 14_000.0, 2_800.0],
            "life_years": [20, 25, 8],
            "maintenance_cost": [15.0, 250.0, 180.0],
            "energy_cost": [25.0, 0.0, 40.0],
        }
    )


def bus_stop_assets() -> pd.DataFrame:
    """Two small candidates: a stop (shelter, two lights, a camera) and a pair of lights with a camera."""
    return pd.DataFrame(
        {
            "asset_id": ["BS-1", "SL-1", "SL-2", "CAM-1", "SL-3", "SL-4", "CAM-2"],
            "department": ["transport", "lighting", "lighting", "safety", "lighting", "lighting", "safety"],
            "category": ["bus-shelter", "street-light", "street-light", "cctv-camera"]
            + ["street-light"] * 2
            + ["cctv-camera"],
            "install_year": [2004, 2001, 2001, 2019, 2002, 2002, 2018],
            "life_years": [23, 26, 26, 9, 25, 25, 9],
            "replacement_cost": [9_000.0, 450.0, 450.0, 2_200.0, 450.0, 450.0, 2_200.0],
            "maintenance_cost": [350.0, 45.0, 45.0, 250.0, 45.0, 45.0, 250.0],
            "energy_cost": [60.0, 95.0, 95.0, 55.0, 95.0, 95.0, 55.0],
            "action": "upgrade",
            "group": [0, 0, 0, 0, 1, 1, 1],
        }
    )


def test_each_candidate_is_valued_exactly_as_the_engine_values_it_alone():
    assets = bus_stop_assets()
    values = value_groups(assets, catalogue(), assumptions=ASSUMPTIONS, synergy=0.10).set_index("group")
    for group in (0, 1):
        alone = run_all(
            assets[assets["group"] == group].drop(columns="group"),
            synergy_catalogue(catalogue(), 0.10),
            ASSUMPTIONS,
        )
        npv = alone.summary.set_index("scenario")["npv_cost"]
        partner = alone.partner.set_index("scenario")["partner_npv"]
        for scenario in ("status_quo", "capex", "opex_service", "shared_savings"):
            assert values.loc[group, f"npv_{scenario}"] == pytest.approx(npv[scenario], abs=1e-6)
        for scenario in ("opex_service", "shared_savings"):
            assert values.loc[group, f"partner_npv_{scenario}"] == pytest.approx(partner[scenario], abs=1e-6)
    assert values.loc[0, "replacement_cost_due"] == pytest.approx(9_000 + 450 + 450 + 2_200)


def test_the_bus_stop_saves_money_and_the_best_scenario_is_the_cheapest_a_partner_would_sign():
    values = value_groups(bus_stop_assets(), catalogue(), assumptions=ASSUMPTIONS).set_index("group")
    stop = values.loc[0]
    eligible = {"capex": stop["npv_capex"]}
    for scenario in ("opex_service", "shared_savings"):
        if stop[f"partner_npv_{scenario}"] >= -0.005:
            eligible[scenario] = stop[f"npv_{scenario}"]
    assert stop["best_scenario"] == min(eligible, key=eligible.get)
    assert stop["best_npv"] == pytest.approx(min(eligible.values()))
    assert stop["savings"] == pytest.approx(stop["npv_status_quo"] - stop["best_npv"])
    assert stop["savings"] > 0


def test_synergy_lowers_the_upgrade_scenarios_and_never_the_status_quo():
    without = value_groups(bus_stop_assets(), catalogue(), assumptions=ASSUMPTIONS, synergy=0.0).set_index(
        "group"
    )
    with_synergy = value_groups(
        bus_stop_assets(), catalogue(), assumptions=ASSUMPTIONS, synergy=0.2
    ).set_index("group")
    assert np.allclose(without["npv_status_quo"], with_synergy["npv_status_quo"])
    assert (with_synergy["npv_capex"] < without["npv_capex"]).all()
    assert (with_synergy["savings"] > without["savings"]).all()


def test_a_partner_scenario_the_partner_would_not_sign_is_never_best():
    table = pd.DataFrame(
        {
            "group": [0],
            "replacement_cost_due": [1.0],
            "npv_status_quo": [100.0],
            "npv_capex": [90.0],
            "npv_opex_service": [50.0],
            "npv_shared_savings": [40.0],
            "partner_npv_opex_service": [-10.0],
            "partner_npv_shared_savings": [-0.001],  # breaks even to the cent: bankable
        }
    )
    best = choose_best(table).iloc[0]
    assert best["best_scenario"] == "shared_savings"
    table["partner_npv_shared_savings"] = -1.0
    assert choose_best(table).iloc[0]["best_scenario"] == "capex"


def test_many_candidates_in_chunks_give_the_same_values_as_one_batch(monkeypatch):
    import departments.finder.valuation as valuation

    rng = np.random.default_rng(5)
    n = 300
    assets = pd.DataFrame(
        {
            "asset_id": [f"a{i}" for i in range(n)],
            "department": "x",
            "category": rng.choice(["street-light", "bus-shelter", "cctv-camera"], n),
            "install_year": rng.integers(1995, 2026, n),
            "life_years": rng.integers(5, 30, n),
            "replacement_cost": rng.uniform(300, 9000, n),
            "maintenance_cost": rng.uniform(10, 400, n),
            "energy_cost": rng.uniform(0, 100, n),
            "action": "upgrade",
            "group": rng.integers(0, 120, n),
        }
    )
    one = (
        value_groups(assets, catalogue(), assumptions=ASSUMPTIONS).sort_values("group").reset_index(drop=True)
    )
    monkeypatch.setattr(valuation, "CHUNK", 7)
    chunked = (
        value_groups(assets, catalogue(), assumptions=ASSUMPTIONS).sort_values("group").reset_index(drop=True)
    )
    pd.testing.assert_frame_equal(one, chunked)


def test_synergy_out_of_range_is_refused():
    with pytest.raises(ValueError, match="synergy"):
        value_groups(bus_stop_assets(), catalogue(), assumptions=ASSUMPTIONS, synergy=0.9)
