"""The lifecycle's seam: tender_funding_problems(tender, stage) for submit and approve, incl. the override."""

from decimal import Decimal

import pytest

from finance.exceptions import BudgetPermissionDenied
from finance.selectors.budgets import tender_funding_problems
from finance.services.budgets import (
    contribution_approve,
    contribution_reject,
    tender_funding_override,
    tender_need_set,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def need(tender, transport_official):
    tender_need_set(
        tender=tender,
        fiscal_year=2027,
        budget_type="opex",
        amount=Decimal("40000.00"),
        actor=transport_official,
    )


def test_a_tender_without_need_has_nothing_to_cover(tender):
    assert tender_funding_problems(tender=tender, stage="submit") == []
    assert tender_funding_problems(tender=tender, stage="approve") == []


def test_submit_needs_requests_covering_the_need(
    need, tender, transport_line, lighting_line, request_contribution
):
    problems = tender_funding_problems(tender=tender, stage="submit")
    assert problems == [
        "Contributions requested for 2027 OpEx cover 0.00 of the 40,000.00 needed (short by 40,000.00)."
    ]
    request_contribution(tender, transport_line, "30000.00")
    assert "short by 10,000.00" in tender_funding_problems(tender=tender, stage="submit")[0]
    request_contribution(tender, lighting_line, "10000.00")
    assert tender_funding_problems(tender=tender, stage="submit") == []


def test_approve_needs_every_contribution_decided(
    need, tender, transport_line, request_contribution, finance_officer
):
    request_contribution(tender, transport_line, "40000.00")
    assert (
        tender_funding_problems(tender=tender, stage="approve")[0]
        == "1 contribution(s) still await a finance decision."
    )


def test_approve_needs_approved_money_covering_the_need(
    need, tender, transport_line, lighting_line, request_contribution, finance_officer
):
    contribution_approve(
        contribution=request_contribution(tender, transport_line, "30000.00"), actor=finance_officer
    )
    contribution_reject(
        contribution=request_contribution(tender, lighting_line, "10000.00"),
        actor=finance_officer,
        comment="No.",
    )
    problems = tender_funding_problems(tender=tender, stage="approve")
    assert len(problems) == 1 and "short by 10,000.00" in problems[0]
    contribution_approve(
        contribution=request_contribution(tender, lighting_line, "10000.00"), actor=finance_officer
    )
    assert tender_funding_problems(tender=tender, stage="approve") == []


def test_need_is_per_year_and_type(
    tender, transport, transport_line, request_contribution, finance_officer, transport_official
):
    tender_need_set(
        tender=tender,
        fiscal_year=2027,
        budget_type="capex",
        amount=Decimal("100.00"),
        actor=transport_official,
    )
    contribution_approve(
        contribution=request_contribution(tender, transport_line, "100.00"), actor=finance_officer
    )
    # OpEx money does not cover a CapEx need.
    assert "2027 CapEx" in tender_funding_problems(tender=tender, stage="approve")[0]


def test_a_recorded_override_excuses_a_shortfall_but_not_a_pending_request(
    need, tender, transport_line, lighting_line, request_contribution, finance_officer
):
    contribution_approve(
        contribution=request_contribution(tender, transport_line, "1000.00"), actor=finance_officer
    )
    tender_funding_override(tender=tender, reason="Savings in 2028 close the gap.", actor=finance_officer)
    assert tender_funding_problems(tender=tender, stage="approve") == []
    request_contribution(tender, lighting_line, "5.00")
    assert tender_funding_problems(tender=tender, stage="approve") == [
        "1 contribution(s) still await a finance decision."
    ]


@pytest.mark.parametrize("who", ["transport_official", "transport_finance"])
def test_only_central_finance_records_an_override(request, who, tender):
    with pytest.raises(BudgetPermissionDenied):
        tender_funding_override(tender=tender, reason="Because.", actor=request.getfixturevalue(who))


def test_the_submitter_cannot_override(tender, finance_officer):
    tender.submitted_by = finance_officer
    tender.save()
    with pytest.raises(BudgetPermissionDenied):
        tender_funding_override(tender=tender, reason="Because.", actor=finance_officer)


def _choose_scenario_with_costs(tender, actor, costs):
    """A real chosen scenario: a succeeded run whose stored cash flows are `costs` {(year, type): amount}."""
    from finance.models import FinancingChoice, ScenarioCashFlow, ScenarioRun

    run = ScenarioRun.objects.create(tender=tender, input_hash="0" * 64, inputs={}, status="succeeded")
    ScenarioCashFlow.objects.bulk_create(
        ScenarioCashFlow(
            run=run,
            scenario="capex",
            fiscal_year=year,
            department="transport",
            budget_type=budget_type,
            nominal=amount,
            discounted=amount,
        )
        for (year, budget_type), amount in costs.items()
    )
    FinancingChoice.objects.create(tender=tender, run=run, scenario="capex", chosen_by=actor)


def test_the_chosen_scenario_need_wins_over_the_entered_need(
    need, tender, transport_line, transport_official
):
    _choose_scenario_with_costs(tender, transport_official, {(2027, "capex"): Decimal("5.00")})
    problems = tender_funding_problems(tender=tender, stage="submit")
    assert problems == [
        "Contributions requested for 2027 CapEx cover 0.00 of the 5.00 needed (short by 5.00)."
    ]


def test_the_scenario_need_ends_with_the_budget_plan(tender, transport_line, transport_official):
    # The only budget line is for 2027: years after it are future budgets' commitments, not yet pledgeable.
    _choose_scenario_with_costs(
        tender,
        transport_official,
        {(2027, "opex"): Decimal("7.00"), (2028, "opex"): Decimal("9.00"), (2040, "capex"): Decimal("1.00")},
    )
    assert tender_funding_problems(tender=tender, stage="submit") == [
        "Contributions requested for 2027 OpEx cover 0.00 of the 7.00 needed (short by 7.00)."
    ]


def test_other_stages_have_no_funding_rule(need, tender):
    assert tender_funding_problems(tender=tender, stage="publish") == []


def test_a_long_list_of_short_years_is_shortened(tender, transport_official):
    for year in range(2027, 2037):
        tender_need_set(
            tender=tender,
            fiscal_year=year,
            budget_type="opex",
            amount=Decimal("1.00"),
            actor=transport_official,
        )
    problems = tender_funding_problems(tender=tender, stage="submit")
    assert len(problems) == 6 and problems[-1] == "… and 5 more fiscal year(s) and type(s) short of money."
