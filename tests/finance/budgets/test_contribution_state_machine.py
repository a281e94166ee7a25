"""Contributions: requested → approved | rejected; approved → released; every move, every role."""

from decimal import Decimal

import pytest

from finance.exceptions import (
    BudgetOvercommitted,
    BudgetPermissionDenied,
    CurrencyMismatch,
    FourEyesViolation,
    InvalidAmount,
    InvalidContributionTransition,
    TenderNotOpenForBudget,
)
from finance.models import BudgetEvent, Contribution
from finance.selectors.budgets import line_usage
from finance.services.budgets import (
    contribution_approve,
    contribution_reject,
    contribution_request,
    contributions_release_for_cancelled_tender,
)
from tests.factories import BudgetLineFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Contribution.Status


def test_lead_official_requests_and_the_money_is_held(tender, transport_line, request_contribution):
    contribution = request_contribution(tender, transport_line, "12000.00")
    assert contribution.status == S.REQUESTED
    assert line_usage(budget_line=transport_line).available == Decimal("38000.00")
    event = BudgetEvent.objects.get(contribution=contribution)
    assert (event.action, event.available_before, event.available_after) == (
        "requested",
        Decimal("50000.00"),
        Decimal("38000.00"),
    )


@pytest.mark.parametrize(
    "who", ["lighting_official", "parks_official", "transport_viewer", "finance_officer"]
)
def test_only_an_official_of_the_lead_department_may_request(request, who, tender, transport_line):
    user = request.getfixturevalue(who)
    with pytest.raises(BudgetPermissionDenied):
        contribution_request(tender=tender, budget_line=transport_line, amount=Decimal("1.00"), actor=user)
    assert not Contribution.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5.00", "0.001", "abc", "NaN"])
def test_zero_negative_or_malformed_amounts_are_refused(amount, tender, transport_line, transport_official):
    with pytest.raises(InvalidAmount):
        contribution_request(
            tender=tender, budget_line=transport_line, amount=amount, actor=transport_official
        )
    assert not Contribution.objects.exists()


def test_more_than_available_is_refused_and_nothing_changes(tender, transport_line, request_contribution):
    request_contribution(tender, transport_line, "40000.00")
    with pytest.raises(BudgetOvercommitted, match="Only 10,000.00 EUR is available"):
        request_contribution(tender, transport_line, "10000.01")
    assert Contribution.objects.count() == 1
    assert BudgetEvent.objects.filter(action="requested").count() == 1


def test_exactly_the_available_amount_may_be_requested(tender, transport_line, request_contribution):
    request_contribution(tender, transport_line, "49999.99")
    request_contribution(tender, transport_line, "0.01")
    assert line_usage(budget_line=transport_line).available == Decimal("0.00")


def test_a_line_in_another_currency_is_refused(tender, transport, request_contribution):
    line = BudgetLineFactory(department=transport, currency="USD", amount=Decimal("1000.00"))
    with pytest.raises(CurrencyMismatch):
        request_contribution(tender, line, "10.00")


def test_no_request_for_a_cancelled_tender(tender, transport_line, request_contribution):
    tender.status = "cancelled"
    tender.save()
    with pytest.raises(TenderNotOpenForBudget):
        request_contribution(tender, transport_line, "10.00")


@pytest.mark.parametrize("who", ["transport_finance", "finance_officer"])
def test_finance_of_the_line_department_or_central_finance_approves(
    request, who, tender, transport_line, request_contribution
):
    contribution = request_contribution(tender, transport_line, "1000.00")
    approver = request.getfixturevalue(who)
    contribution = contribution_approve(contribution=contribution, actor=approver, comment="Fits the plan.")
    assert (contribution.status, contribution.decided_by, contribution.decision_comment) == (
        S.APPROVED,
        approver,
        "Fits the plan.",
    )
    assert line_usage(budget_line=transport_line).approved == Decimal("1000.00")


@pytest.mark.parametrize(
    "who", ["lighting_finance", "transport_official", "transport_viewer", "parks_official"]
)
def test_others_may_not_decide(request, who, tender, transport_line, request_contribution):
    contribution = request_contribution(tender, transport_line, "1000.00")
    with pytest.raises(BudgetPermissionDenied):
        contribution_approve(contribution=contribution, actor=request.getfixturevalue(who))
    with pytest.raises(BudgetPermissionDenied):
        contribution_reject(contribution=contribution, actor=request.getfixturevalue(who), comment="No.")
    contribution.refresh_from_db()
    assert contribution.status == S.REQUESTED


def test_nobody_decides_their_own_request(tender, transport, transport_line, transport_official):
    # An official who is also finance staff elsewhere (central finance) still cannot approve their own request.
    from departments.models import Department

    central = Department.objects.create(code="cf", name="Central", kind="central_finance")
    MembershipFactory(user=transport_official, department=central, role="finance")
    contribution = contribution_request(
        tender=tender, budget_line=transport_line, amount=Decimal("5.00"), actor=transport_official
    )
    with pytest.raises(FourEyesViolation):
        contribution_approve(contribution=contribution, actor=transport_official)
    with pytest.raises(FourEyesViolation):
        contribution_reject(contribution=contribution, actor=transport_official, comment="x")


def test_the_submitter_of_the_tender_cannot_approve_its_contributions(
    tender, transport_line, request_contribution, finance_officer
):
    contribution = request_contribution(tender, transport_line, "5.00")
    tender.submitted_by = finance_officer
    tender.save()
    with pytest.raises(FourEyesViolation):
        contribution_approve(contribution=contribution, actor=finance_officer)


def test_rejection_needs_a_reason_and_frees_the_money(
    tender, transport_line, request_contribution, finance_officer
):
    contribution = request_contribution(tender, transport_line, "5000.00")
    with pytest.raises(InvalidContributionTransition):
        contribution_reject(contribution=contribution, actor=finance_officer, comment=" ")
    contribution = contribution_reject(
        contribution=contribution, actor=finance_officer, comment="Not this year."
    )
    assert contribution.status == S.REJECTED
    assert line_usage(budget_line=transport_line).available == Decimal("50000.00")


@pytest.mark.parametrize("first", ["approve", "reject"])
@pytest.mark.parametrize("second", ["approve", "reject"])
def test_deciding_twice_is_refused(
    first, second, tender, transport_line, request_contribution, finance_officer
):
    contribution = request_contribution(tender, transport_line, "10.00")
    if first == "approve":
        contribution_approve(contribution=contribution, actor=finance_officer)
    else:
        contribution_reject(contribution=contribution, actor=finance_officer, comment="No.")
    events = BudgetEvent.objects.count()
    with pytest.raises(InvalidContributionTransition, match="already"):
        if second == "approve":
            contribution_approve(contribution=contribution, actor=finance_officer)
        else:
            contribution_reject(contribution=contribution, actor=finance_officer, comment="No.")
    assert BudgetEvent.objects.count() == events


def test_approving_for_a_tender_cancelled_meanwhile_is_refused(
    tender, transport_line, request_contribution, finance_officer
):
    contribution = request_contribution(tender, transport_line, "10.00")
    tender.status = "cancelled"
    tender.save()
    with pytest.raises(TenderNotOpenForBudget, match="cancelled"):
        contribution_approve(contribution=contribution, actor=finance_officer)
    contribution.refresh_from_db()
    assert contribution.status == S.REQUESTED


def test_cancelling_releases_approved_and_withdraws_requested(
    tender, transport_line, lighting_line, request_contribution, finance_officer, transport_official
):
    approved = contribution_approve(
        contribution=request_contribution(tender, transport_line, "1000.00"), actor=finance_officer
    )
    pending = request_contribution(tender, lighting_line, "2000.00")
    rejected = contribution_reject(
        contribution=request_contribution(tender, lighting_line, "3.00"), actor=finance_officer, comment="No."
    )
    contributions_release_for_cancelled_tender(tender=tender, actor=transport_official)
    statuses = {c.pk: c.status for c in Contribution.objects.all()}
    assert statuses == {approved.pk: S.RELEASED, pending.pk: S.WITHDRAWN, rejected.pk: S.REJECTED}
    assert line_usage(budget_line=transport_line).available == Decimal("50000.00")
    assert line_usage(budget_line=lighting_line).available == Decimal("30000.00")
    assert set(BudgetEvent.objects.filter(tender=tender).values_list("action", flat=True)) >= {
        "released",
        "withdrawn",
    }
    # Released money cannot be decided again.
    with pytest.raises(InvalidContributionTransition):
        contribution_approve(contribution=approved, actor=finance_officer)


class TestLargeContributionsNeedTwoApprovers:
    @pytest.fixture(autouse=True)
    def threshold(self, settings):
        settings.FINANCE_TWO_APPROVER_THRESHOLD = "1000.00"

    def test_first_approval_keeps_it_requested_second_approves(
        self, tender, transport_line, request_contribution, finance_officer, second_finance_officer
    ):
        contribution = request_contribution(tender, transport_line, "1000.01")
        contribution = contribution_approve(contribution=contribution, actor=finance_officer, comment="ok 1")
        assert (contribution.status, contribution.first_approved_by) == (S.REQUESTED, finance_officer)
        contribution = contribution_approve(
            contribution=contribution, actor=second_finance_officer, comment="ok 2"
        )
        assert (contribution.status, contribution.decided_by) == (S.APPROVED, second_finance_officer)
        actions = list(
            BudgetEvent.objects.filter(contribution=contribution)
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == ["requested", "first_approval", "approved"]

    def test_the_same_person_cannot_give_both_approvals(
        self, tender, transport_line, request_contribution, finance_officer
    ):
        contribution = request_contribution(tender, transport_line, "5000.00")
        contribution_approve(contribution=contribution, actor=finance_officer)
        with pytest.raises(FourEyesViolation, match="second"):
            contribution_approve(contribution=contribution, actor=finance_officer)
        contribution.refresh_from_db()
        assert contribution.status == S.REQUESTED

    def test_at_the_threshold_one_approver_is_enough(
        self, tender, transport_line, request_contribution, finance_officer
    ):
        contribution = contribution_approve(
            contribution=request_contribution(tender, transport_line, "1000.00"), actor=finance_officer
        )
        assert contribution.status == S.APPROVED

    def test_database_refuses_one_person_as_both_approvers(self, tender, transport_line, finance_officer):
        from django.db import IntegrityError, transaction

        requester = UserFactory()
        with pytest.raises(IntegrityError), transaction.atomic():
            Contribution.objects.create(
                tender=tender,
                budget_line=transport_line,
                amount=Decimal("5000.00"),
                requested_by=requester,
                first_approved_by=finance_officer,
                decided_by=finance_officer,
                status=S.APPROVED,
            )


def test_database_refuses_a_decider_who_is_the_requester(tender, transport_line, transport_official):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.create(
            tender=tender,
            budget_line=transport_line,
            amount=Decimal("1.00"),
            requested_by=transport_official,
            decided_by=transport_official,
        )


def test_database_refuses_a_non_positive_contribution(tender, transport_line, transport_official):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.create(
            tender=tender, budget_line=transport_line, amount=Decimal("0.00"), requested_by=transport_official
        )
