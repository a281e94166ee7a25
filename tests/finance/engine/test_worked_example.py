"""docs/finance.md's worked example (3 assets, 5 years), figure by figure."""

import numpy as np
import pytest

from finance.engine import run_all

from ._examples import worked_example_assets, worked_example_assumptions, worked_example_catalogue


@pytest.fixture(scope="module")
def result():
    return run_all(worked_example_assets(), worked_example_catalogue(), worked_example_assumptions())


def _cents(value):
    return int(round(value * 100))


def test_summary_figures_match_the_documentation(result):
    expected = {
        # scenario: npv, whole-life, savings, year-0 capex, peak, residual
        "status_quo": (22595.08, 24162.44, 0.00, 0.00, 25894.52, 20836.82),
        "capex": (25979.95, 27766.85, -3384.87, 3720.00, 25568.59, 22352.22),
        "opex_service": (26149.72, 28150.21, -3554.64, 0.00, 25568.59, 22352.22),
        "shared_savings": (22689.48, 24500.31, -94.40, 0.00, 25568.59, 22352.22),
    }
    columns = [
        "npv_cost",
        "whole_life_cost",
        "savings_vs_status_quo",
        "year0_capex",
        "peak_yearly_cost",
        "residual_value",
    ]
    got = result.summary.set_index("scenario")
    for scenario, figures in expected.items():
        actual = tuple(_cents(got.loc[scenario, c]) for c in columns)
        assert actual == tuple(_cents(f) for f in figures), scenario


def test_yearly_nominal_totals_match_the_documentation(result):
    expected = {
        "status_quo": [4300.00, 4420.00, 5583.82, 25894.52, -16035.90],
        "capex": [7720.00, 4111.60, 4226.38, 25568.59, -13859.72],
        "opex_service": [5359.00, 5479.30, 5603.04, 25568.59, -13859.72],
        "shared_savings": [4147.00, 4262.72, 4381.73, 25568.59, -13859.72],
    }
    cents = result.cashflows.assign(c=lambda f: np.rint(f["nominal"] * 100).astype(int))
    yearly = cents.groupby(["scenario", "fiscal_year"])["c"].sum()
    for scenario, values in expected.items():
        assert [int(yearly[(scenario, 2026 + t)]) for t in range(5)] == [_cents(v) for v in values]


def test_step_by_step_amounts_match_the_documentation(result):
    cf = result.cashflows
    amount = cf.groupby(["scenario", "component", "year"])["nominal"].sum()
    assert amount[("status_quo", "replacement", 2)] == pytest.approx(1040.40, abs=0.001)
    assert amount[("status_quo", "replacement", 3)] == pytest.approx(21224.16, abs=0.001)
    assert amount[("capex", "upgrade", 0)] == pytest.approx(3720.00, abs=0.001)
    assert amount[("capex", "upgrade", 4)] == pytest.approx(4026.65, abs=0.001)
    assert amount[("opex_service", "service_fee_financing", 0)] == pytest.approx(1047.00, abs=0.001)
    assert amount[("opex_service", "service_fee_operation", 0)] == pytest.approx(4312.00, abs=0.001)
    assert amount[("shared_savings", "savings_payment", 0)] == pytest.approx(147.00, abs=0.001)
    assert amount[("opex_service", "upgrade", 4)] == pytest.approx(4026.65, abs=0.001)


def test_partner_figures_match_the_documentation(result):
    partner = result.partner.set_index("scenario")
    opex, shared = partner.loc["opex_service"], partner.loc["shared_savings"]
    assert _cents(opex["partner_investment"]) == 300000
    assert _cents(opex["annuity"]) == 106837
    assert _cents(opex["partner_npv"]) == 83966
    assert round(opex["partner_irr"], 4) == 0.4230
    assert bool(opex["bankable"]) is True
    assert round(opex["break_even_margin"], 6) == 0.025716
    assert _cents(shared["partner_npv"]) == -257608
    assert round(shared["partner_irr"], 4) == -0.7387
    assert bool(shared["bankable"]) is False
    assert round(shared["break_even_savings_share"], 6) == 3.538418


def test_discounted_cost_per_department_matches_the_documentation(result):
    cents = result.cashflows.assign(c=lambda f: np.rint(f["discounted"] * 100).astype(int))
    per_dept = cents.groupby(["scenario", "department"])["c"].sum()
    assert per_dept[("status_quo", "education")] == 2003003
    assert per_dept[("status_quo", "transport")] == 256507
    assert per_dept[("capex", "education")] == 2003000
    assert per_dept[("capex", "transport")] == 594995


def test_status_quo_npv_can_be_recomputed_by_hand():
    # Independent of the engine's code: the formulas of docs/finance.md written out for the three assets.
    rn = 1.035 * 1.02 - 1
    price = [1.02**t for t in range(5)]
    energy = [1.03**t for t in range(5)]
    flows = [900 * price[t] + 3400 * energy[t] for t in range(5)]
    flows[2] += 1000 * price[2]  # A2 replaced in 2028
    flows[3] += 20000 * price[3]  # B1 replaced in 2029
    flows[4] -= (850 + 18400) * price[4]  # residual value of A2 and B1
    by_hand = sum(f / (1 + rn) ** t for t, f in enumerate(flows))
    result = run_all(worked_example_assets(), worked_example_catalogue(), worked_example_assumptions())
    npv = result.summary.set_index("scenario").loc["status_quo", "npv_cost"]
    assert npv == pytest.approx(by_hand, abs=1e-6)
    assert round(by_hand, 2) == 22595.08
