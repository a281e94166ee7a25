"""Availability = amount − approved − requested, in Decimal to the cent; utilisation and the pooled budget."""

from decimal import Decimal

import pytest

from finance.selectors.budgets import LineUsage, budget_utilisation, line_usage, pooled_budget
from finance.services.budgets import contribution_approve, contribution_reject
from tests.factories import BudgetLineFactory

pytestmark = pytest.mark.django_db


def test_availability_is_exact_to_the_cent_where_floats_would_drift():
    # 0.1 + 0.2 != 0.3 in binary floating point; in Decimal it is exact.
    usage = LineUsage(amount=Decimal("0.30"), requested=Decimal("0.10"), approved=Decimal("0.20"))
    assert usage.available == Decimal("0.00")
    assert (
        str(
            LineUsage(
                amount=Decimal("100.00"), requested=Decimal("33.33"), approved=Decimal("33.33")
            ).available
        )
        == "33.34"
    )


def test_availability_never_shows_below_zero():
    assert (
        LineUsage(amount=Decimal("10.00"), requested=Decimal("8.00"), approved=Decimal("5.00")).available == 0
    )


def test_requests_and_approvals_hold_money_rejections_do_not(
    tender, transport_line, request_contribution, finance_officer
):
    a = request_contribution(tender, transport_line, "10000.10")
    b = request_contribution(tender, transport_line, "2500.25")
    c = request_contribution(tender, transport_line, "0.01")
    contribution_approve(contribution=a, actor=finance_officer)
    contribution_reject(contribution=c, actor=finance_officer, comment="Too small to bother.")
    usage = line_usage(budget_line=transport_line)
    assert (usage.amount, usage.approved, usage.requested, usage.available) == (
        Decimal("50000.00"),
        Decimal("10000.10"),
        Decimal("2500.25"),
        Decimal("37499.65"),
    )
    assert b.status == "requested"


def test_utilisation_per_department_and_year(
    tender, transport, transport_line, lighting_line, request_contribution, finance_officer
):
    BudgetLineFactory(department=transport, fiscal_year=2027, budget_type="capex", amount=Decimal("1000.00"))
    BudgetLineFactory(department=transport, fiscal_year=2028, budget_type="opex", amount=Decimal("7.00"))
    contribution_approve(
        contribution=request_contribution(tender, transport_line, "100.00"), actor=finance_officer
    )
    request_contribution(tender, lighting_line, "200.00")
    rows = {(r["department"], r["fiscal_year"]): r for r in budget_utilisation(user=finance_officer)}
    transport_2027 = rows[("Transport", 2027)]
    assert (transport_2027["amount"], transport_2027["approved"], transport_2027["available"]) == (
        Decimal("51000.00"),
        Decimal("100.00"),
        Decimal("50900.00"),
    )
    assert rows[("Street lighting", 2027)]["requested"] == Decimal("200.00")
    assert rows[("Transport", 2028)]["available"] == Decimal("7.00")


def test_officials_see_only_their_departments_utilisation(transport_line, lighting_line, transport_official):
    assert {r["department"] for r in budget_utilisation(user=transport_official)} == {"Transport"}


def test_pooled_budget_by_year_type_and_department_with_shares(
    tender, lighting, transport_line, lighting_line, request_contribution, finance_officer
):
    capex = BudgetLineFactory(
        department=lighting, fiscal_year=2028, budget_type="capex", amount=Decimal("9000.00")
    )
    for line, amount in [(transport_line, "3000.00"), (lighting_line, "1000.00"), (capex, "2000.00")]:
        contribution_approve(contribution=request_contribution(tender, line, amount), actor=finance_officer)
    request_contribution(tender, transport_line, "999.00")  # pending: not in the pooled budget
    pooled = pooled_budget(tender=tender)
    assert pooled["total"] == Decimal("6000.00")
    assert [
        (r["fiscal_year"], r["budget_type"], r["department"], r["amount"], r["share"]) for r in pooled["rows"]
    ] == [
        (2027, "opex", "Street lighting", Decimal("1000.00"), Decimal("16.7")),
        (2027, "opex", "Transport", Decimal("3000.00"), Decimal("50.0")),
        (2028, "capex", "Street lighting", Decimal("2000.00"), Decimal("33.3")),
    ]
    assert [(d["department"], d["share"]) for d in pooled["by_department"]] == [
        ("Street lighting", Decimal("50.0")),
        ("Transport", Decimal("50.0")),
    ]


def test_a_line_cannot_be_cut_below_what_is_promised(
    tender, transport_line, request_contribution, transport_finance
):
    from finance.exceptions import BudgetOvercommitted
    from finance.services.budgets import budget_line_set_amount

    request_contribution(tender, transport_line, "20000.00")
    with pytest.raises(BudgetOvercommitted):
        budget_line_set_amount(
            budget_line=transport_line, amount=Decimal("19999.99"), actor=transport_finance
        )
    line = budget_line_set_amount(
        budget_line=transport_line, amount=Decimal("20000.00"), actor=transport_finance
    )
    assert line_usage(budget_line=line).available == Decimal("0.00")
    assert line.events.filter(action="line_updated").count() == 1


def test_officials_cannot_change_a_line(transport_line, transport_official):
    from finance.exceptions import BudgetPermissionDenied
    from finance.services.budgets import budget_line_set_amount

    with pytest.raises(BudgetPermissionDenied):
        budget_line_set_amount(budget_line=transport_line, amount=Decimal("1.00"), actor=transport_official)
