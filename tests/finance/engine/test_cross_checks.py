"""The engine agrees with numpy-financial and with plain arithmetic."""

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest

from finance.engine import Assumptions, run_all
from finance.engine.metrics import annuity_due, irr, nominal_rate

from ._examples import single_asset, worked_example_assets, worked_example_catalogue

CATALOGUE = pd.DataFrame(
    {
        "category": ["streetlight"],
        "unit_cost": [4000.0],
        "life_years": [12],
        "maintenance_cost": [100.0],
        "energy_cost": [250.0],
    }
)


def _yearly(result, scenario, column="nominal"):
    cf = result.cashflows[result.cashflows["scenario"] == scenario]
    return cf.groupby("year")[column].sum().to_numpy()


def test_with_zero_inflation_and_zero_discount_npv_equals_the_plain_sum():
    a = Assumptions(
        discount_rate=0.0, inflation=0.0, energy_escalation=0.0, horizon=20, contract_term=10, draws=0
    )
    result = run_all(worked_example_assets(), worked_example_catalogue(), a)
    summary = result.summary.set_index("scenario")
    for scenario in summary.index:
        assert summary.loc[scenario, "npv_cost"] == pytest.approx(summary.loc[scenario, "whole_life_cost"])
        assert summary.loc[scenario, "npv_cost"] == pytest.approx(_yearly(result, scenario).sum(), abs=0.01)


@pytest.mark.parametrize("action", ["maintain", "upgrade"])
@pytest.mark.parametrize("scenario", ["status_quo", "capex", "opex_service", "shared_savings"])
def test_npv_agrees_with_numpy_financial_npv_on_a_single_asset(action, scenario):
    a = Assumptions(horizon=25, contract_term=12, draws=0)
    result = run_all(single_asset(action=action), CATALOGUE, a)
    # rebuild the yearly flows without rounding to compare with npf.npv at the nominal rate
    flows = result.cashflows[result.cashflows["scenario"] == scenario].groupby("year")["nominal"].sum()
    rn = float(nominal_rate(a.discount_rate, a.inflation))
    npv = result.summary.set_index("scenario").loc[scenario, "npv_cost"]
    # cash flows are in cents: allow half a cent per year
    assert npv == pytest.approx(npf.npv(rn, flows.to_numpy()), abs=0.005 * a.horizon)


def test_status_quo_of_a_single_asset_follows_the_documented_schedule():
    a = Assumptions(horizon=25, contract_term=12, draws=0)
    result = run_all(single_asset(install_year=2016, life_years=15), CATALOGUE, a)
    t = np.arange(25)
    flows = 300 * 1.02**t + 700 * 1.03**t
    flows[5] += 10_000 * 1.02**5  # 2016 + 15 = 2031 → t = 5, then every 15 years (t = 20)
    flows[20] += 10_000 * 1.02**20
    flows[24] -= 10_000 * 1.02**24 * (15 - (25 - 20)) / 15
    npv = result.summary.set_index("scenario").loc["status_quo", "npv_cost"]
    assert npv == pytest.approx(npf.npv(float(nominal_rate(0.035, 0.02)), flows), abs=1e-6)


@pytest.mark.parametrize("rate,periods,principal", [(0.07, 15, 1e6), (0.0, 10, 5000.0), (0.12, 1, 300.0)])
def test_annuity_agrees_with_numpy_financial_pmt(rate, periods, principal):
    assert annuity_due(rate, periods, principal) == pytest.approx(
        npf.pmt(rate, periods, -principal, when="begin")
    )


def test_service_fee_financing_is_the_pmt_of_the_partner_investment_scaled_by_outcomes():
    a = Assumptions(horizon=25, contract_term=12, draws=0)
    result = run_all(single_asset(action="upgrade"), CATALOGUE, a)
    partner = result.partner.set_index("scenario").loc["opex_service"]
    assert partner["partner_investment"] == pytest.approx(4000.0)  # renewal at t = 12 falls after the term
    pmt = npf.pmt(a.partner_cost_of_capital, a.contract_term, -4000.0, when="begin")
    assert partner["annuity"] == pytest.approx(pmt)
    cf = result.cashflows
    fin = cf[(cf["scenario"] == "opex_service") & (cf["component"] == "service_fee_financing")]
    paid = 1 - a.payment_at_risk_share + a.payment_at_risk_share * a.outcome_achievement
    assert fin["nominal"].head(12).tolist() == [round(pmt * paid, 2)] * 12
    assert (fin["nominal"].iloc[12:] == 0).all()


def test_partner_irr_agrees_with_numpy_financial_irr():
    flows = np.array(
        [[-1000.0, 300, 300, 300, 300], [-5000.0, 900, 1200, 1500, 2000], [-100.0, 10, 10, 10, 10]]
    )
    expected = [npf.irr(row) for row in flows]
    assert irr(flows) == pytest.approx(expected, abs=1e-9)


def test_partner_irr_in_the_result_agrees_with_numpy_financial_irr_on_the_partner_flows():
    a = Assumptions(horizon=25, contract_term=12, draws=0, partner_margin=0.15)
    result = run_all(single_asset(action="upgrade"), CATALOGUE, a)
    partner = result.partner.set_index("scenario").loc["opex_service"]
    t = np.arange(12)
    operation = 100 * 1.02**t + 250 * 1.03**t
    paid = 1 - a.payment_at_risk_share + a.payment_at_risk_share * a.outcome_achievement
    flows = partner["annuity"] * paid + (1.15 * paid - 1) * operation
    flows[0] -= 4000.0
    assert partner["partner_irr"] == pytest.approx(npf.irr(flows), abs=1e-9)
    assert partner["partner_npv"] == pytest.approx(npf.npv(a.partner_cost_of_capital, flows), abs=1e-9)


def test_with_no_margin_and_full_achievement_the_opex_partner_npv_is_zero_and_irr_is_its_cost_of_capital():
    a = Assumptions(horizon=30, contract_term=20, partner_margin=0.0, outcome_achievement=1.0, draws=0)
    result = run_all(worked_example_assets(), worked_example_catalogue(), a)
    partner = result.partner.set_index("scenario").loc["opex_service"]
    assert partner["partner_investment"] > 3000.0  # renewals inside the term are financed too
    assert partner["partner_npv"] == pytest.approx(0.0, abs=1e-8)
    assert partner["partner_irr"] == pytest.approx(a.partner_cost_of_capital, abs=1e-9)
    assert bool(partner["bankable"])
