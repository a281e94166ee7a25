"""Pooling in one step: the proposal of contributions from the chosen scenario's need per department, fiscal
year and budget type, from the lines with money available (issue 13)."""

from decimal import Decimal

import pytest

from finance.selectors.pooling import chosen_scenario_need_by_department, pooling_proposal
from finance.selectors.scenarios import chosen_scenario_need
from tests.factories import BudgetLineFactory
from tests.procurement.fixtures import choose_a_scenario

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def scenario_of_two_departments(tender, transport_official, transport, lighting):
    """Transport needs 2027 CapEx 40,000 and OpEx 12,000; Lighting needs OpEx 8,000 in 2027 and 2028–2029."""
    return choose_a_scenario(
        tender,
        transport_official,
        need={(2027, "capex"): D("40000.00"), (2027, "opex"): D("12000.00")},
        department_need={
            ("lighting", 2027, "opex"): D("8000.00"),
            ("lighting", 2028, "opex"): D("8000.00"),
            ("lighting", 2029, "opex"): D("8000.00"),
        },
    )


def test_need_per_department_adds_up_to_the_scenario_need(tender, scenario_of_two_departments):
    by_department = chosen_scenario_need_by_department(tender=tender)
    assert by_department[("lighting", 2027, "opex")] == D("8000.00")
    totals: dict = {}
    for (_, year, budget_type), amount in by_department.items():
        totals[(year, budget_type)] = totals.get((year, budget_type), D(0)) + amount
    assert totals == chosen_scenario_need(tender=tender)


def test_without_a_chosen_scenario_nothing_is_proposed(tender, transport_line):
    proposal = pooling_proposal(tender=tender)
    assert not proposal.scenario_chosen and proposal.rows == []


def test_each_department_year_and_type_is_asked_of_its_own_lines(
    tender, scenario_of_two_departments, transport, lighting, transport_line, lighting_line
):
    capex = BudgetLineFactory(
        department=transport, fiscal_year=2027, budget_type="capex", name="Shelters", amount=D("100000.00")
    )
    proposal = pooling_proposal(tender=tender)
    asked = {(p.budget_line.pk, p.amount) for p in proposal.rows}
    assert asked == {
        (capex.pk, D("40000.00")),
        (transport_line.pk, D("12000.00")),  # Transport 2027 OpEx "Stops"
        (lighting_line.pk, D("8000.00")),  # Lighting 2027 OpEx "Lamps"
    }
    assert proposal.total_proposed == D("60000.00")


def test_a_need_larger_than_one_line_is_split_over_the_lines_and_the_rest_is_a_shortfall(
    tender, transport_official, transport, request_contribution
):
    choose_a_scenario(tender, transport_official, need={(2027, "opex"): D("70000.00")})
    first = BudgetLineFactory(
        department=transport, fiscal_year=2027, budget_type="opex", name="A", amount=D("30000.00")
    )
    second = BudgetLineFactory(
        department=transport, fiscal_year=2027, budget_type="opex", name="B", amount=D("25000.00")
    )
    empty = BudgetLineFactory(
        department=transport, fiscal_year=2027, budget_type="opex", name="C", amount=D("0.00")
    )
    other_tender_holds = BudgetLineFactory(
        department=transport, fiscal_year=2027, budget_type="opex", name="D", amount=D("5000.00")
    )
    from tests.factories import TenderFactory

    request_contribution(TenderFactory(lead_department=transport), other_tender_holds, "5000.00")

    proposal = pooling_proposal(tender=tender)
    assert [(p.budget_line, p.amount) for p in proposal.rows] == [
        (first, D("30000.00")),
        (second, D("25000.00")),
    ]
    assert empty not in [p.budget_line for p in proposal.rows]
    [short] = proposal.short_cells
    assert (short.label, short.shortfall) == ("2027 OpEx of Transport", D("15000.00"))


def test_what_the_tender_already_holds_is_not_asked_again(
    tender, transport_official, transport, transport_line, request_contribution
):
    choose_a_scenario(tender, transport_official, need={(2027, "opex"): D("12000.00")})
    request_contribution(tender, transport_line, "10000.00")
    [row] = pooling_proposal(tender=tender).rows
    assert (row.budget_line, row.amount, row.available) == (transport_line, D("2000.00"), D("40000.00"))
    request_contribution(tender, transport_line, "2000.00")
    proposal = pooling_proposal(tender=tender)
    assert proposal.rows == [] and [c.label for c in proposal.covered_cells] == ["2027 OpEx of Transport"]


def test_years_without_lines_are_reported_as_runs_of_years(
    tender, scenario_of_two_departments, transport, lighting_line
):
    BudgetLineFactory(department=transport, fiscal_year=2027, budget_type="opex", amount=D("50000.00"))
    labels = [m.label for m in pooling_proposal(tender=tender).missing]
    assert labels == [
        "no budget line for 2027 CapEx of Transport",
        "no budget line for 2028–2029 OpEx of Street lighting",
    ]


def test_lines_in_another_currency_are_not_proposed(tender, transport_official, transport):
    choose_a_scenario(tender, transport_official, need={(2027, "opex"): D("1000.00")})
    BudgetLineFactory(department=transport, fiscal_year=2027, budget_type="opex", currency="SEK")
    proposal = pooling_proposal(tender=tender)
    assert proposal.rows == [] and [m.label for m in proposal.missing] == [
        "no budget line for 2027 OpEx of Transport"
    ]


def test_a_year_of_savings_asks_nothing(tender, transport_official, transport, transport_line):
    choose_a_scenario(tender, transport_official, need={(2027, "opex"): D("-500.00")})
    proposal = pooling_proposal(tender=tender)
    assert proposal.rows == [] and proposal.missing == [] and proposal.cells == []


def test_the_proposal_takes_five_queries_whatever_its_size(
    tender, scenario_of_two_departments, transport_line, lighting_line, django_assert_num_queries
):
    with django_assert_num_queries(5):  # choice with its run, cash flows, departments, lines, held
        pooling_proposal(tender=tender)
