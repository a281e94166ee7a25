"""Proposal pricing against hand-computed NPVs on a one-asset, three-year case (DESIGN §12)."""

import numpy as np
import pandas as pd
import pytest

from finance.engine import Assumptions, EngineError
from finance.engine.proposals import (
    OFFER_COLUMNS,
    budget_shortfall,
    outcome_stretch,
    price_proposals,
    price_scores,
)

ASSETS = pd.DataFrame(
    [
        {
            "asset_id": "a1",
            "department": "transport",
            "category": "shelter",
            "install_year": 2010,
            "life_years": 20,  # replaced in 2030: outside the 3-year horizon
            "replacement_cost": 800.0,
            "maintenance_cost": 40.0,
            "energy_cost": 60.0,
            "action": "upgrade",
        }
    ]
)
CATALOGUE = pd.DataFrame(
    [
        {
            "category": "shelter",
            "unit_cost": 1000.0,
            "life_years": 20,
            "maintenance_cost": 20.0,
            "energy_cost": 10.0,
        }
    ]
)
# r = 10 % real, no inflation: rn = 10 %; a = 0.8, term 2 of a 3-year horizon.
ASSUMPTIONS = Assumptions(
    start_year=2026,
    horizon=3,
    discount_rate=0.10,
    inflation=0.0,
    energy_escalation=0.0,
    optimism_bias=0.2,
    contract_term=2,
    outcome_achievement=0.8,
    savings_realisation=1.0,
    draws=0,
)
RESIDUAL = 1000 * (20 - 3) / 20  # the upgrade installed at t = 0 keeps 17/20 of its value at the end of t = 2


def offers(*rows):
    base = dict.fromkeys(OFFER_COLUMNS, 0.0)
    return pd.DataFrame([{**base, **row} for row in rows], columns=list(OFFER_COLUMNS))


def d(t):
    return 1.1**-t


def test_capex_price_and_guaranteed_running_cost():
    result = price_proposals(
        ASSETS,
        CATALOGUE,
        ASSUMPTIONS,
        offers({"proposal_id": 1, "financing_model": "capex", "purchase_price": 1100, "running_cost": 25}),
    )
    expected = 1100 + 25 + 25 * d(1) + (25 - RESIDUAL) * d(2)
    assert result.prices.loc[0, "npv_cost"] == pytest.approx(expected, abs=1e-6)
    assert result.prices.loc[0, "partner_payments"] == pytest.approx(1100 + 2 * 25)


def test_opex_service_fee_scaled_by_the_outcome_factor():
    # φ = 0.5, a = 0.8: paid = 1 − 0.5 + 0.5 × 0.8 = 0.9. After the term the city runs the upgrade (20 + 10).
    result = price_proposals(
        ASSETS,
        CATALOGUE,
        ASSUMPTIONS,
        offers(
            {
                "proposal_id": 2,
                "financing_model": "opex_service",
                "financing_charge": 600,
                "operation_fee": 40,
                "at_risk_share": 0.5,
            }
        ),
    )
    expected = 640 * 0.9 + 640 * 0.9 * d(1) + (30 - RESIDUAL) * d(2)
    assert result.prices.loc[0, "npv_cost"] == pytest.approx(expected, abs=1e-6)


def test_shared_savings_with_a_guarantee_credit():
    # savings = (40 − 20) + (60 − 10) = 70 a year; s = 0.5, φ = 0: payment 35; guarantee 100 → credit 30.
    result = price_proposals(
        ASSETS,
        CATALOGUE,
        ASSUMPTIONS,
        offers(
            {
                "proposal_id": 3,
                "financing_model": "shared_savings",
                "savings_share": 0.5,
                "guaranteed_savings": 100,
            }
        ),
    )
    in_term = 30 + 35 - 30
    expected = in_term + in_term * d(1) + (30 - RESIDUAL) * d(2)
    assert result.prices.loc[0, "npv_cost"] == pytest.approx(expected, abs=1e-6)


def test_all_offers_in_one_call_equal_one_by_one():
    rows = [
        {"proposal_id": 1, "financing_model": "capex", "purchase_price": 1100, "running_cost": 25},
        {
            "proposal_id": 2,
            "financing_model": "opex_service",
            "financing_charge": 600,
            "operation_fee": 40,
            "at_risk_share": 0.5,
        },
        {"proposal_id": 3, "financing_model": "shared_savings", "savings_share": 0.5},
    ]
    together = price_proposals(ASSETS, CATALOGUE, ASSUMPTIONS, offers(*rows)).prices["npv_cost"].to_numpy()
    alone = [
        price_proposals(ASSETS, CATALOGUE, ASSUMPTIONS, offers(r)).prices.loc[0, "npv_cost"] for r in rows
    ]
    assert together == pytest.approx(alone)


def test_yearly_budget_flows_split_capex_and_opex():
    result = price_proposals(
        ASSETS,
        CATALOGUE,
        ASSUMPTIONS,
        offers({"proposal_id": 1, "financing_model": "capex", "purchase_price": 1100, "running_cost": 25}),
    )
    yearly = result.yearly.set_index(["fiscal_year", "budget_type"])["amount"]
    assert yearly[(2026, "capex")] == pytest.approx(1100)
    assert yearly[(2027, "capex")] == pytest.approx(0)
    assert yearly[(2028, "opex")] == pytest.approx(25)


def test_bad_offers_are_all_reported():
    with pytest.raises(EngineError) as caught:
        price_proposals(
            ASSETS,
            CATALOGUE,
            ASSUMPTIONS,
            offers({"proposal_id": 1, "financing_model": "barter", "purchase_price": -1, "at_risk_share": 2}),
        )
    text = " ".join(caught.value.problems)
    assert "financing_model" in text and "purchase_price" in text and "at_risk_share" in text


def test_price_score_is_100_times_lowest_over_own():
    assert price_scores(np.array([325.0, 650.0])) == pytest.approx([100.0, 50.0])


def test_outcome_stretch_matches_the_design_example():
    # Incidents: baseline 100, target 80, committed 70 → 0.5; lower is better.
    assert outcome_stretch(
        np.array([70.0]), np.array([80.0]), np.array([100.0]), np.array([False])
    ) == pytest.approx([0.5])
    # Clipped: committing exactly the target scores 0, beyond the baseline gap scores 1.
    assert outcome_stretch(
        np.array([80.0, 40.0]), np.array([80.0] * 2), np.array([100.0] * 2), np.array([False] * 2)
    ) == pytest.approx([0, 1])


def test_budget_shortfall_judges_only_the_budget_plan_years():
    yearly = pd.DataFrame(
        {
            "fiscal_year": [2026, 2027, 2040],
            "budget_type": ["capex", "opex", "opex"],
            "amount": [1100.0, 50.0, 9e9],
        }
    )
    budgets = pd.DataFrame(
        {"fiscal_year": [2026, 2027], "budget_type": ["capex", "opex"], "amount": [1000.0, 60.0]}
    )
    fit = budget_shortfall(yearly, budgets).set_index(["fiscal_year", "budget_type"])
    assert fit.loc[(2026, "capex"), "shortfall"] == pytest.approx(100)
    assert fit.loc[(2027, "opex"), "shortfall"] == 0
    assert 2040 not in fit.index.get_level_values(0)
