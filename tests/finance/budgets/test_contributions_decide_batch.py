"""Finance decides many contributions in one step: each row through contribution_approve / contribution_reject
under its own locks, with a result per row — approved, waits for a second approver, refused because … (issue 13).
"""

from decimal import Decimal

import pytest

from finance.exceptions import InvalidContributionTransition
from finance.models import Contribution
from finance.services.pooling import Outcome, contributions_decide_batch
from tests.factories import BudgetLineFactory, TenderFactory

pytestmark = pytest.mark.django_db
S = Contribution.Status


@pytest.fixture(autouse=True)
def threshold(settings):
    settings.FINANCE_TWO_APPROVER_THRESHOLD = "100000.00"


@pytest.fixture
def mixed_queue(tender, transport, lighting, transport_line, request_contribution, finance_officer):
    """small: one approver; large: the tender draws 120,000 from Transport, two approvers; drafted: a tender
    the finance officer drafted herself (four-eyes)."""
    big = BudgetLineFactory(
        department=transport, fiscal_year=2028, budget_type="capex", amount=Decimal("500000")
    )
    lamps = BudgetLineFactory(
        department=lighting, fiscal_year=2027, budget_type="opex", amount=Decimal("30000")
    )
    own_tender = TenderFactory(lead_department=transport, created_by=finance_officer)
    return {
        "small": request_contribution(tender, lamps, "5000.00"),
        "large": request_contribution(tender, big, "120000.00"),
        "drafted": request_contribution(own_tender, transport_line, "1000.00"),
    }


def outcomes(results):
    return {r.contribution.pk: (r.outcome, r.message) for r in results}


def test_bulk_approval_reports_each_row(mixed_queue, finance_officer, second_finance_officer):
    small, large, drafted = mixed_queue["small"], mixed_queue["large"], mixed_queue["drafted"]
    results = contributions_decide_batch(
        contributions=[small, large, drafted],
        decision="approve",
        actor=finance_officer,
        comment="Fits the plan.",
    )
    got = outcomes(results)
    assert got[small.pk] == (Outcome.APPROVED, "")
    assert got[large.pk] == (Outcome.FIRST_APPROVAL, "")
    assert got[drafted.pk][0] == Outcome.REFUSED
    assert got[drafted.pk][1] == (
        f"Four-eyes: the person who drafted {drafted.tender.reference} cannot approve its contributions."
    )
    for c in (small, large, drafted):
        c.refresh_from_db()
    assert (small.status, small.decided_by, small.decision_comment) == (
        S.APPROVED,
        finance_officer,
        "Fits the plan.",
    )
    assert (large.status, large.first_approved_by) == (S.REQUESTED, finance_officer)
    assert (drafted.status, drafted.decided_by) == (S.REQUESTED, None)

    # The same approver again: refused (first approver), the decided row is "already approved".
    again = outcomes(
        contributions_decide_batch(contributions=[small, large], decision="approve", actor=finance_officer)
    )
    assert again[large.pk] == (
        Outcome.REFUSED,
        "You gave the first approval; a second, different finance user must approve.",
    )
    assert again[small.pk] == (
        Outcome.REFUSED,
        "This contribution is already approved; it cannot be decided again.",
    )
    # A second finance user completes the large one and may approve the drafted one.
    last = outcomes(
        contributions_decide_batch(
            contributions=[large, drafted], decision="approve", actor=second_finance_officer
        )
    )
    assert last == {large.pk: (Outcome.APPROVED, ""), drafted.pk: (Outcome.APPROVED, "")}


def test_a_department_finance_user_is_refused_other_departments_rows(mixed_queue, transport_finance):
    got = outcomes(
        contributions_decide_batch(
            contributions=[mixed_queue["small"], mixed_queue["drafted"]],
            decision="approve",
            actor=transport_finance,
        )
    )
    assert got[mixed_queue["small"].pk] == (
        Outcome.REFUSED,
        "Only finance staff of the budget line's department or of central finance decide it.",
    )
    assert got[mixed_queue["drafted"].pk] == (Outcome.APPROVED, "")


def test_bulk_rejection_needs_a_reason_and_frees_the_money(mixed_queue, finance_officer):
    rows = [mixed_queue["small"], mixed_queue["large"]]
    with pytest.raises(InvalidContributionTransition, match="Say why"):
        contributions_decide_batch(contributions=rows, decision="reject", actor=finance_officer, comment="  ")
    assert Contribution.objects.filter(status=S.REJECTED).count() == 0
    got = outcomes(
        contributions_decide_batch(
            contributions=rows, decision="reject", actor=finance_officer, comment="Not this year."
        )
    )
    assert set(got.values()) == {(Outcome.REJECTED, "")}
    assert set(
        Contribution.objects.filter(pk__in=[c.pk for c in rows]).values_list("decision_comment", flat=True)
    ) == {"Not this year."}


def test_nothing_selected_or_an_unknown_decision_is_refused(mixed_queue, finance_officer):
    with pytest.raises(InvalidContributionTransition):
        contributions_decide_batch(contributions=[], decision="approve", actor=finance_officer)
    with pytest.raises(InvalidContributionTransition):
        contributions_decide_batch(
            contributions=[mixed_queue["small"]], decision="maybe", actor=finance_officer
        )
