"""The entry point's contract: progress, JSON-ready output, budget fit, tornado, Monte Carlo."""

import json

import numpy as np
import pandas as pd
import pytest

from finance.engine import SCENARIOS, run_all
from finance.engine.presets import OPTIMISM_BIAS_PRESETS, optimism_bias_for

from ._examples import worked_example_assets, worked_example_assumptions, worked_example_catalogue


def test_progress_runs_from_0_to_100_in_order():
    seen = []
    run_all(
        worked_example_assets(),
        worked_example_catalogue(),
        worked_example_assumptions(draws=25_000),
        progress=seen.append,
    )
    assert seen[0] == 0 and seen[-1] == 100
    assert seen == sorted(seen)
    assert all(isinstance(p, int) and 0 <= p <= 100 for p in seen)


def test_result_serialises_to_json_with_money_in_cents():
    result = run_all(
        worked_example_assets(), worked_example_catalogue(), worked_example_assumptions(draws=200)
    )
    data = json.loads(json.dumps(result.to_dict()))
    assert {"summary", "partner", "cashflows", "budget_fit", "tornado", "montecarlo", "assumptions"} <= set(
        data
    )
    npv = {row["scenario"]: row["npv_cost"] for row in data["summary"]}
    assert npv["status_quo"] == 22595.08
    assert data["partner"][1]["break_even_margin"] is None  # NaN becomes null
    assert data["partner"][0]["partner_irr"] == 0.423
    assert len(data["montecarlo"]["percentiles"]) == 4


def test_budget_fit_reports_surplus_and_shortfall_per_year_and_type():
    budgets = pd.DataFrame(
        {
            "fiscal_year": [2026, 2026, 2026, 2040],
            "budget_type": ["capex", "capex", "opex", "opex"],
            "amount": [2000.0, 2000.0, 4000.0, 1.0],  # two departments pledge CapEx in 2026
        }
    )
    result = run_all(
        worked_example_assets(), worked_example_catalogue(), worked_example_assumptions(), budgets
    )
    fit = result.budget_fit.set_index(["scenario", "fiscal_year", "budget_type"])
    capex_2026 = fit.loc[("capex", 2026, "capex")]
    assert (capex_2026["required"], capex_2026["budget"], capex_2026["balance"]) == (3720.0, 4000.0, 280.0)
    assert capex_2026["shortfall"] == 0.0
    opex_2026 = fit.loc[("status_quo", 2026, "opex")]
    assert (opex_2026["required"], opex_2026["balance"], opex_2026["shortfall"]) == (4300.0, -300.0, 300.0)
    assert fit.loc[("status_quo", 2029, "capex"), "shortfall"] == 21224.16  # no budget row: budget 0
    assert set(fit.index.get_level_values("fiscal_year")) == set(range(2026, 2031))


def test_tornado_moves_each_assumption_to_its_documented_values():
    result = run_all(worked_example_assets(), worked_example_catalogue(), worked_example_assumptions())
    tornado = result.tornado
    assert len(tornado) == 4 * 11
    row = tornado[(tornado["scenario"] == "capex") & (tornado["assumption"] == "discount_rate")].iloc[0]
    assert (row["low_value"], row["high_value"]) == pytest.approx((0.02, 0.05))
    assert row["npv_low"] > row["npv_base"] > row["npv_high"]  # costs: lower discount, higher NPV
    bias = tornado[(tornado["scenario"] == "capex") & (tornado["assumption"] == "optimism_bias")].iloc[0]
    assert bias["npv_high"] > bias["npv_low"]
    sq_bias = tornado[(tornado["scenario"] == "status_quo") & (tornado["assumption"] == "optimism_bias")]
    assert sq_bias["swing"].iloc[0] == 0.0  # the status quo buys no upgrade
    for _, group in tornado.groupby("scenario"):
        assert group["swing"].is_monotonic_decreasing


def test_monte_carlo_percentiles_are_ordered_and_probabilities_add_up():
    result = run_all(
        worked_example_assets(), worked_example_catalogue(), worked_example_assumptions(draws=2000)
    )
    mc = result.montecarlo
    assert list(mc["scenario"]) == list(SCENARIOS)
    assert (mc["p10"] <= mc["p50"]).all() and (mc["p50"] <= mc["p90"]).all()
    p = result.probabilities
    assert sum(p[f"probability_{s}_cheapest"] for s in SCENARIOS) == pytest.approx(1.0)
    assert 0 <= p["probability_opex_service_beats_capex"] <= 1
    base = result.summary.set_index("scenario")["npv_cost"]
    assert np.all(np.abs(mc.set_index("scenario")["p50"] - base) < 0.2 * base.abs())


def test_optimism_bias_presets_follow_the_green_book_table():
    assert optimism_bias_for("standard_buildings") == 0.24
    assert optimism_bias_for("non_standard_civil_engineering") == 0.66
    assert optimism_bias_for("equipment_development", "lower") == 0.10
    assert len(OPTIMISM_BIAS_PRESETS) == 6
