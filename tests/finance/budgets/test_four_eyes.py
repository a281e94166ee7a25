"""Four-eyes (issue 12 §6): whoever drafted, submitted or requested money for a tender never approves its
contributions nor the tender, whatever finance role they hold in another department.

The cast adds people with two memberships: an official of Transport (the lead department) who is also finance
staff of Street lighting or of the central finance office.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from finance.exceptions import FourEyesViolation
from finance.models import BudgetEvent, Contribution
from finance.selectors.budgets import approval_conflict, awaiting_decision_by, dashboard_panels
from finance.services.budgets import contribution_approve, contribution_reject
from procurement.exceptions import TransitionNotPermitted
from procurement.models import Tender
from procurement.selectors.tenders import dashboard_panels as tender_dashboard_panels
from procurement.services.tenders import available_actions, tender_transition
from tests.factories import MembershipFactory, TenderFactory, UserFactory

pytestmark = pytest.mark.django_db
S = Contribution.Status


@pytest.fixture
def official_and_lighting_finance(transport, lighting):
    """Olga: an official of Transport and finance staff of Street lighting."""
    user = UserFactory(username="olga", first_name="Olga", last_name="Two Hats")
    MembershipFactory(user=user, department=transport, role="official")
    MembershipFactory(user=user, department=lighting, role="finance")
    return user


@pytest.fixture
def official_and_central_finance(transport, central_finance):
    """Carl: an official of Transport and finance staff of the central finance office."""
    user = UserFactory(username="carl", first_name="Carl", last_name="Two Hats")
    MembershipFactory(user=user, department=transport, role="official")
    MembershipFactory(user=user, department=central_finance, role="finance")
    return user


@pytest.fixture
def drafted_by_olga(transport, official_and_lighting_finance):
    return TenderFactory(
        lead_department=transport, created_by=official_and_lighting_finance, title="Olga's bus stops"
    )


def _submitted(tender, by):
    Tender.objects.filter(pk=tender.pk).update(status=Tender.Status.SUBMITTED, submitted_by=by)
    tender.refresh_from_db()
    return tender


# --- Contributions -------------------------------------------------------------------------------------------


def test_the_drafter_who_is_finance_of_the_line_department_cannot_approve_its_contributions(
    drafted_by_olga, lighting_line, official_and_lighting_finance, request_contribution
):
    contribution = request_contribution(drafted_by_olga, lighting_line, "5000.00")  # asked by Tina
    with pytest.raises(FourEyesViolation, match="drafted"):
        contribution_approve(contribution=contribution, actor=official_and_lighting_finance)
    contribution.refresh_from_db()
    assert (contribution.status, contribution.first_approved_by, contribution.decided_by) == (
        S.REQUESTED,
        None,
        None,
    )
    assert not BudgetEvent.objects.filter(contribution=contribution).exclude(action="requested").exists()


def test_the_drafter_with_central_finance_cannot_approve_even_below_the_two_approver_threshold(
    transport, transport_line, official_and_central_finance, request_contribution
):
    tender = TenderFactory(lead_department=transport, created_by=official_and_central_finance)
    contribution = request_contribution(tender, transport_line, "1.00")
    with pytest.raises(FourEyesViolation, match="drafted"):
        contribution_approve(contribution=contribution, actor=official_and_central_finance)


def test_whoever_requested_one_contribution_cannot_approve_another_of_the_same_tender(
    tender, transport_line, lighting_line, official_and_lighting_finance, request_contribution
):
    request_contribution(tender, transport_line, "1000.00", actor=official_and_lighting_finance)
    asked_by_tina = request_contribution(tender, lighting_line, "2000.00")
    with pytest.raises(FourEyesViolation, match="requested contributions"):
        contribution_approve(contribution=asked_by_tina, actor=official_and_lighting_finance)
    asked_by_tina.refresh_from_db()
    assert asked_by_tina.status == S.REQUESTED


def test_the_submitter_with_a_finance_role_elsewhere_cannot_approve(
    tender, lighting_line, official_and_lighting_finance, request_contribution
):
    contribution = request_contribution(tender, lighting_line, "10.00")
    _submitted(tender, official_and_lighting_finance)
    with pytest.raises(FourEyesViolation, match="submitted"):
        contribution_approve(contribution=contribution, actor=official_and_lighting_finance)


def test_someone_who_did_not_prepare_the_tender_approves_and_the_drafter_may_still_reject(
    drafted_by_olga, lighting_line, lighting_finance, official_and_lighting_finance, request_contribution
):
    # Rejecting takes money away from one's own tender: four-eyes guards approvals, not refusals.
    approved = contribution_approve(
        contribution=request_contribution(drafted_by_olga, lighting_line, "10.00"), actor=lighting_finance
    )
    assert approved.status == S.APPROVED
    rejected = contribution_reject(
        contribution=request_contribution(drafted_by_olga, lighting_line, "20.00"),
        actor=official_and_lighting_finance,
        comment="We do not need it after all.",
    )
    assert rejected.status == S.REJECTED


def test_the_rule_says_nothing_against_an_independent_approver(
    drafted_by_olga, lighting_line, lighting_finance, official_and_lighting_finance, request_contribution
):
    contribution = request_contribution(drafted_by_olga, lighting_line, "10.00")
    assert approval_conflict(user=lighting_finance, tender=drafted_by_olga, contribution=contribution) is None
    assert approval_conflict(user=lighting_finance, tender=drafted_by_olga) is None
    assert "drafted" in approval_conflict(
        user=official_and_lighting_finance, tender=drafted_by_olga, contribution=contribution
    )


# --- The tender ----------------------------------------------------------------------------------------------


def test_whoever_requested_a_contribution_cannot_approve_the_tender(
    tender, transport_official, official_and_central_finance, transport_line, request_contribution
):
    request_contribution(tender, transport_line, "10.00", actor=official_and_central_finance)
    _submitted(tender, transport_official)
    assert "approve" not in dict(available_actions(tender=tender, actor=official_and_central_finance))
    with pytest.raises(TransitionNotPermitted, match="requested contributions"):
        tender_transition(tender=tender, action="approve", actor=official_and_central_finance)
    tender.refresh_from_db()
    assert tender.status == Tender.Status.SUBMITTED


def test_the_tender_page_offers_approve_to_an_independent_finance_user_only(
    client_for, tender, transport_official, finance_officer, official_and_central_finance, transport_line,
    request_contribution,
):  # fmt: skip
    request_contribution(tender, transport_line, "10.00", actor=official_and_central_finance)
    _submitted(tender, transport_official)
    url = reverse("procurement:tender-detail", args=[tender.reference])
    approve_button = 'name="action" value="approve"'
    assert approve_button in client_for(finance_officer).get(url).text
    assert approve_button not in client_for(official_and_central_finance).get(url).text


def test_the_home_page_does_not_list_a_submission_as_awaiting_one_of_its_requesters(
    tender, transport_official, finance_officer, official_and_central_finance, transport_line,
    request_contribution,
):  # fmt: skip
    request_contribution(tender, transport_line, "10.00", actor=official_and_central_finance)
    _submitted(tender, transport_official)

    def awaiting_approval(user):
        panel = next(
            p
            for p in tender_dashboard_panels(user=user)
            if p["template"] == "procurement/_dashboard_awaiting_approval.html"
        )
        return [t.reference for t in panel["tenders"]]

    assert awaiting_approval(finance_officer) == [tender.reference]
    assert awaiting_approval(official_and_central_finance) == []


# --- The queue and the buttons -------------------------------------------------------------------------------


def test_the_queue_and_dashboard_leave_out_what_the_drafter_may_not_approve(
    client_for, drafted_by_olga, lighting_line, lighting_finance, official_and_lighting_finance,
    request_contribution,
):  # fmt: skip
    contribution = request_contribution(drafted_by_olga, lighting_line, "10.00")
    assert list(awaiting_decision_by(user=lighting_finance)) == [contribution]
    assert list(awaiting_decision_by(user=official_and_lighting_finance)) == []
    assert dashboard_panels(user=official_and_lighting_finance)[0]["count"] == 0
    response = client_for(official_and_lighting_finance).get(reverse("finance:approval-queue"))
    assert f'id="contribution-{contribution.pk}"' not in response.text
    assert "Nothing awaits a decision." in response.text


def test_a_stale_approve_click_by_the_drafter_is_refused_and_the_row_offers_no_button(
    client_for, drafted_by_olga, lighting_line, official_and_lighting_finance, request_contribution
):
    contribution = request_contribution(drafted_by_olga, lighting_line, "10.00")
    response = client_for(official_and_lighting_finance).post(
        reverse("finance:contribution-decide", args=[contribution.pk]),
        {"decision": "approve"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "cannot approve its contributions" in response.text
    assert 'value="approve"' not in response.text
    contribution.refresh_from_db()
    assert contribution.status == S.REQUESTED


def test_the_contribution_amounts_are_unchanged_by_refused_approvals(
    drafted_by_olga, lighting_line, official_and_lighting_finance, request_contribution
):
    from finance.selectors.budgets import line_usage

    contribution = request_contribution(drafted_by_olga, lighting_line, "300.00")
    with pytest.raises(FourEyesViolation):
        contribution_approve(contribution=contribution, actor=official_and_lighting_finance)
    usage = line_usage(budget_line=lighting_line)
    assert (usage.requested, usage.approved) == (Decimal("300.00"), Decimal("0.00"))


def test_a_requester_with_central_finance_cannot_record_a_funding_override(
    tender, transport_line, finance_officer, official_and_central_finance, request_contribution
):
    from finance.exceptions import BudgetPermissionDenied
    from finance.models import FundingOverride
    from finance.selectors.budgets import can_override
    from finance.services.budgets import tender_funding_override

    request_contribution(tender, transport_line, "10.00", actor=official_and_central_finance)
    assert can_override(user=finance_officer, tender=tender)
    assert not can_override(user=official_and_central_finance, tender=tender)
    with pytest.raises(BudgetPermissionDenied, match="did not prepare"):
        tender_funding_override(tender=tender, reason="Fits next year.", actor=official_and_central_finance)
    assert not FundingOverride.objects.exists()
