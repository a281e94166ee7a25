"""Scenario results give one answer and add up: the ledger reconciles with the comparison, and the
recommendation names the cheapest scenario a partner would sign that the budget can carry."""

from decimal import Decimal

import pytest
from django.urls import reverse

from finance.models import ScenarioSummary
from finance.selectors.scenarios import savings_ledger, scenario_recommendation
from finance.services.scenarios import scenario_choose, scenario_run_execute, scenario_run_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(bus_stop_tender, small_assumptions, transport_official):
    return scenario_run_execute(
        scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False).pk
    )


@pytest.mark.parametrize("scenario", ["capex", "opex_service", "shared_savings"])
def test_the_ledger_in_todays_money_adds_up_to_the_comparisons_savings(
    run, bus_stop_tender, finance_officer, scenario
):
    scenario_choose(run=run, scenario=scenario, actor=finance_officer)
    ledger = savings_ledger(tender=bus_stop_tender, run=run)
    comparison = ScenarioSummary.objects.get(run=run, scenario=scenario).savings_vs_status_quo
    reconciliation = ledger["reconciliation"]
    assert reconciliation["comparison"] == comparison
    assert reconciliation["ledger_npv"] == ledger["discounted_total"] + ledger["residual_difference"]
    # The same quantity, apart from the cents moved by rounding each stored yearly figure.
    assert abs(comparison - reconciliation["ledger_npv"]) <= reconciliation["rounding_limit"]
    assert (comparison >= 0) == (reconciliation["ledger_npv"] >= 0)
    assert ledger["discounted_total"] == sum(r["discounted"] for r in ledger["rows"])


def test_the_results_page_explains_how_the_ledger_reconciles(
    client_for, run, bus_stop_tender, finance_officer
):
    scenario_choose(run=run, scenario="capex", actor=finance_officer)
    html = (
        client_for(finance_officer)
        .get(reverse("finance:scenario-run-detail", args=[run.pk]))
        .content.decode()
    )
    assert 'data-testid="savings-reconciliation"' in html
    assert "the savings vs status quo of CapEx purchase in the comparison" in html
    assert 'data-testid="recommendation"' in html


def _summary(scenario, npv, *, bankable=None, irr=None, shortfall="0", savings=None):
    return ScenarioSummary(
        scenario=scenario,
        npv=Decimal(npv),
        whole_life_cost=Decimal(npv),
        savings_vs_status_quo=Decimal(savings if savings is not None else str(1_000_000 - Decimal(npv))),
        year0_capex=Decimal(0),
        peak_yearly_cost=Decimal(0),
        bankable=bankable,
        partner_irr=Decimal(irr) if irr is not None else None,
        budget_shortfall=Decimal(shortfall),
    )


def test_a_cheaper_scenario_no_partner_would_sign_is_not_recommended():
    recommendation = scenario_recommendation(
        summaries=[
            _summary("status_quo", "1000000"),
            _summary("capex", "900000"),
            _summary("opex_service", "950000", bankable=True, irr="0.07"),
            _summary("shared_savings", "800000", bankable=False, irr="-0.169"),
        ],
        has_budget=False,
    )
    assert recommendation["scenario"] == "capex"
    assert "CapEx purchase is the cheapest way that a partner would sign" in recommendation["headline"]
    assert any("partner would lose money" in r and "-16.9 %" in r for r in recommendation["reasons"])


def test_a_scenario_that_does_not_fit_the_pooled_budget_is_not_recommended():
    recommendation = scenario_recommendation(
        summaries=[
            _summary("status_quo", "1000000"),
            _summary("capex", "900000", shortfall="250000"),
            _summary("opex_service", "950000", bankable=True),
        ],
        has_budget=True,
    )
    assert recommendation["scenario"] == "opex_service"
    assert "fits the pooled budget in every year" in recommendation["headline"]
    assert any("does not fit the pooled budget" in r and "250,000.00" in r for r in recommendation["reasons"])


def test_when_nothing_beats_the_status_quo_the_answer_is_to_keep_it():
    recommendation = scenario_recommendation(
        summaries=[_summary("status_quo", "1000000"), _summary("capex", "1200000")], has_budget=False
    )
    assert recommendation["scenario"] == "status_quo"
    assert recommendation["headline"].startswith("Keep the status quo")


def test_the_recommended_scenarios_cost_per_department_and_year_is_shown_and_adds_up(
    client_for, run, finance_officer
):
    from finance.models import ScenarioCashFlow
    from finance.selectors.scenarios import scenario_run_results

    results = scenario_run_results(run=run)
    table = results["recommended_by_department"]
    scenario = results["recommendation"]["scenario"]
    budget_flows = ScenarioCashFlow.objects.filter(run=run, scenario=scenario).exclude(budget_type="none")
    assert sum(row["total"] for row in table["rows"]) == sum(f.nominal for f in budget_flows)
    assert table["years"] == sorted(set(budget_flows.values_list("fiscal_year", flat=True)))
    for row in table["rows"]:
        assert sum(row["cells"]) == row["total"]
    html = (
        client_for(finance_officer)
        .get(reverse("finance:scenario-run-detail", args=[run.pk]))
        .content.decode()
    )
    assert 'data-testid="recommended-by-department"' in html and "costs each department, year by year" in html
