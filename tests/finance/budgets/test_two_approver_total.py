"""The two-approver rule counts what a tender draws from one department's lines, not each request (issue 12 §6):
two 60,000 requests on one line are a 120,000 draw, above the 100,000 threshold, and need two approvers each.
"""

from decimal import Decimal

import pytest

from finance.models import BudgetEvent, Contribution
from finance.selectors.budgets import tender_draw_from_department
from finance.services.budgets import contribution_approve, contribution_reject
from tests.factories import BudgetLineFactory

pytestmark = pytest.mark.django_db
S = Contribution.Status


@pytest.fixture(autouse=True)
def threshold(settings):
    settings.FINANCE_TWO_APPROVER_THRESHOLD = "100000.00"


@pytest.fixture
def big_transport_line(transport):
    return BudgetLineFactory(
        department=transport, fiscal_year=2027, budget_type="capex", amount=Decimal("500000.00")
    )


@pytest.fixture
def second_transport_line(transport):
    return BudgetLineFactory(
        department=transport, fiscal_year=2028, budget_type="opex", amount=Decimal("500000.00")
    )


@pytest.fixture
def big_lighting_line(lighting):
    return BudgetLineFactory(
        department=lighting, fiscal_year=2027, budget_type="capex", amount=Decimal("500000.00")
    )


def test_two_60000_requests_on_one_line_each_need_two_approvers(
    tender, big_transport_line, request_contribution, finance_officer, second_finance_officer
):
    first = request_contribution(tender, big_transport_line, "60000.00")
    second = request_contribution(tender, big_transport_line, "60000.00")
    for contribution in (first, second):
        after_one = contribution_approve(contribution=contribution, actor=finance_officer)
        assert (after_one.status, after_one.first_approved_by) == (S.REQUESTED, finance_officer)
    for contribution in (first, second):
        done = contribution_approve(contribution=contribution, actor=second_finance_officer)
        assert (done.status, done.first_approved_by, done.decided_by) == (
            S.APPROVED,
            finance_officer,
            second_finance_officer,
        )
    assert BudgetEvent.objects.filter(tender=tender, action="first_approval").count() == 2


def test_requests_on_different_lines_of_one_department_add_up(
    tender, big_transport_line, second_transport_line, request_contribution, transport_finance
):
    request_contribution(tender, big_transport_line, "50000.00")
    other = request_contribution(tender, second_transport_line, "50000.01")
    assert tender_draw_from_department(tender=tender, department_id=big_transport_line.department_id) == (
        Decimal("100000.01")
    )
    assert contribution_approve(contribution=other, actor=transport_finance).status == S.REQUESTED


def test_a_draw_exactly_at_the_threshold_needs_one_approver(
    tender, big_transport_line, request_contribution, finance_officer
):
    request_contribution(tender, big_transport_line, "40000.00")
    last = request_contribution(tender, big_transport_line, "60000.00")
    assert contribution_approve(contribution=last, actor=finance_officer).status == S.APPROVED


def test_draws_from_different_departments_are_counted_apart(
    tender, big_transport_line, big_lighting_line, request_contribution, finance_officer
):
    transport_part = request_contribution(tender, big_transport_line, "60000.00")
    lighting_part = request_contribution(tender, big_lighting_line, "60000.00")
    assert contribution_approve(contribution=transport_part, actor=finance_officer).status == S.APPROVED
    assert contribution_approve(contribution=lighting_part, actor=finance_officer).status == S.APPROVED


def test_a_request_that_brings_an_approved_draw_over_the_threshold_needs_two_approvers(
    tender, big_transport_line, request_contribution, finance_officer, second_finance_officer
):
    early = contribution_approve(
        contribution=request_contribution(tender, big_transport_line, "60000.00"), actor=finance_officer
    )
    assert early.status == S.APPROVED  # alone it was under the threshold
    late = request_contribution(tender, big_transport_line, "60000.00")
    assert contribution_approve(contribution=late, actor=second_finance_officer).status == S.REQUESTED
    assert contribution_approve(contribution=late, actor=finance_officer).status == S.APPROVED


def test_rejected_requests_do_not_count(tender, big_transport_line, request_contribution, finance_officer):
    contribution_reject(
        contribution=request_contribution(tender, big_transport_line, "60000.00"),
        actor=finance_officer,
        comment="Wrong year.",
    )
    again = request_contribution(tender, big_transport_line, "60000.00")
    assert contribution_approve(contribution=again, actor=finance_officer).status == S.APPROVED


def test_another_tender_drawing_from_the_same_line_does_not_count(
    tender, transport, transport_official, big_transport_line, request_contribution, finance_officer
):
    from tests.factories import TenderFactory

    other = TenderFactory(lead_department=transport, created_by=transport_official)
    request_contribution(other, big_transport_line, "90000.00")
    mine = request_contribution(tender, big_transport_line, "60000.00")
    assert contribution_approve(contribution=mine, actor=finance_officer).status == S.APPROVED


def test_the_queue_tells_the_approver_when_the_draw_needs_two_approvers(
    client_for, tender, big_transport_line, big_lighting_line, request_contribution, finance_officer
):
    from django.urls import reverse

    split = [request_contribution(tender, big_transport_line, "60000.00") for _ in range(2)]
    alone = request_contribution(tender, big_lighting_line, "60000.00")
    page = client_for(finance_officer).get(reverse("finance:approval-queue")).text

    def row(contribution):
        start = page.index(f'id="contribution-{contribution.pk}"')
        return page[start : page.index("</tr>", start)]

    for contribution in split:
        assert "two approvers: the tender draws 120,000.00 from Transport" in row(contribution)
    assert 'data-testid="needs-two-approvers"' not in row(alone)
