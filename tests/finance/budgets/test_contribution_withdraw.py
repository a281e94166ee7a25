"""A request finance has not decided yet: the lead department's official may take it back, and the money is free."""

from decimal import Decimal

import pytest
from django.urls import reverse

from finance.exceptions import BudgetPermissionDenied, InvalidContributionTransition, TenderNotOpenForBudget
from finance.models import BudgetEvent, Contribution
from finance.selectors.budgets import line_usage
from finance.services.budgets import contribution_approve, contribution_reject, contribution_withdraw
from notifications.models import Notification

pytestmark = pytest.mark.django_db
S = Contribution.Status


def test_the_lead_official_withdraws_a_waiting_request_and_the_money_is_free_again(
    tender, lighting_line, request_contribution, transport_official
):
    contribution = request_contribution(tender, lighting_line, "12000.00")
    assert line_usage(budget_line=lighting_line).available == Decimal("18000.00")

    withdrawn = contribution_withdraw(contribution=contribution, actor=transport_official)

    assert withdrawn.status == S.WITHDRAWN
    assert Contribution.objects.get(pk=contribution.pk).status == S.WITHDRAWN
    assert line_usage(budget_line=lighting_line).available == Decimal("30000.00")
    event = BudgetEvent.objects.get(contribution=contribution, action="withdrawn")
    assert (event.actor, event.status_before, event.status_after) == (
        transport_official,
        "requested",
        "withdrawn",
    )
    assert (event.available_before, event.available_after) == (Decimal("18000.00"), Decimal("30000.00"))


def test_a_request_with_the_first_of_two_approvals_can_still_be_withdrawn(
    settings, tender, lighting_line, request_contribution, transport_official, finance_officer
):
    settings.FINANCE_TWO_APPROVER_THRESHOLD = "1000.00"
    contribution = contribution_approve(
        contribution=request_contribution(tender, lighting_line, "5000.00"), actor=finance_officer
    )
    assert contribution.status == S.REQUESTED and contribution.first_approved_by == finance_officer

    assert contribution_withdraw(contribution=contribution, actor=transport_official).status == S.WITHDRAWN


@pytest.mark.parametrize(
    "who", ["lighting_official", "finance_officer", "transport_viewer", "transport_finance"]
)
def test_only_officials_of_the_lead_department_withdraw(
    who, request, tender, lighting_line, request_contribution
):
    contribution = request_contribution(tender, lighting_line, "100.00")
    with pytest.raises(BudgetPermissionDenied):
        contribution_withdraw(contribution=contribution, actor=request.getfixturevalue(who))
    assert Contribution.objects.get(pk=contribution.pk).status == S.REQUESTED
    assert not BudgetEvent.objects.filter(action="withdrawn").exists()


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_a_decided_contribution_cannot_be_withdrawn(
    decision, tender, lighting_line, request_contribution, transport_official, finance_officer
):
    contribution = request_contribution(tender, lighting_line, "100.00")
    if decision == "approve":
        contribution_approve(contribution=contribution, actor=finance_officer)
    else:
        contribution_reject(contribution=contribution, actor=finance_officer, comment="Not this year.")
    with pytest.raises(InvalidContributionTransition, match="only a request still waiting"):
        contribution_withdraw(contribution=contribution, actor=transport_official)
    assert not BudgetEvent.objects.filter(action="withdrawn").exists()


@pytest.mark.parametrize("status", ["approved", "published"])
def test_nothing_is_withdrawn_from_a_tender_no_longer_open(
    status, tender, lighting_line, request_contribution, transport_official
):
    contribution = request_contribution(tender, lighting_line, "100.00")
    tender.status = status
    tender.save()
    with pytest.raises(TenderNotOpenForBudget, match="can no longer be changed"):
        contribution_withdraw(contribution=contribution, actor=transport_official)
    assert Contribution.objects.get(pk=contribution.pk).status == S.REQUESTED


def test_the_finance_staff_told_of_the_request_are_told_it_was_withdrawn(
    tender, lighting_line, request_contribution, transport_official, lighting_finance, finance_officer
):
    contribution = request_contribution(tender, lighting_line, "2500.00")
    contribution_withdraw(contribution=contribution, actor=transport_official)
    for person in (lighting_finance, finance_officer):
        kinds = list(Notification.objects.filter(recipient=person).values_list("kind", flat=True))
        assert sorted(kinds) == ["contribution_requested", "contribution_withdrawn"]
    notice = Notification.objects.get(recipient=lighting_finance, kind="contribution_withdrawn")
    assert tender.reference in notice.title and "2,500.00" in notice.title
    assert "no longer asks" in notice.title
    assert notice.url == reverse("finance:budget-line-detail", args=[lighting_line.pk])
    assert not Notification.objects.filter(recipient=transport_official).exists()


# --- The page ---------------------------------------------------------------------------------------------------


def _budget_page(tender) -> str:
    return reverse("finance:contribution-request", kwargs={"reference": tender.reference})


def test_the_budget_page_offers_withdrawal_of_waiting_requests_to_the_lead_official_only(
    client_for,
    tender,
    lighting_line,
    request_contribution,
    transport_official,
    finance_officer,
    lighting_finance,
):
    waiting = request_contribution(tender, lighting_line, "100.00")
    decided = contribution_approve(
        contribution=request_contribution(tender, lighting_line, "200.00"), actor=finance_officer
    )
    page = client_for(transport_official).get(_budget_page(tender)).text
    assert f'data-testid="withdraw-{waiting.pk}"' in page
    assert f'data-testid="withdraw-{decided.pk}"' not in page
    assert "withdraw-" not in client_for(lighting_finance).get(_budget_page(tender)).text


def test_withdrawing_from_the_page_says_so_and_frees_the_money(
    client_for, tender, lighting_line, request_contribution, transport_official
):
    contribution = request_contribution(tender, lighting_line, "1500.00")
    client = client_for(transport_official)
    response = client.post(reverse("finance:contribution-withdraw", args=[contribution.pk]), follow=True)
    assert response.redirect_chain[-1][0] == _budget_page(tender)
    assert "Request of 1,500.00 from" in response.text and "withdrawn" in response.text
    assert Contribution.objects.get(pk=contribution.pk).status == S.WITHDRAWN
    assert f'data-testid="withdraw-{contribution.pk}"' not in response.text


def test_withdrawing_twice_shows_why_and_changes_nothing(
    client_for, tender, lighting_line, request_contribution, transport_official
):
    contribution = request_contribution(tender, lighting_line, "1500.00")
    client = client_for(transport_official)
    url = reverse("finance:contribution-withdraw", args=[contribution.pk])
    client.post(url)
    response = client.post(url, follow=True)
    assert "This contribution is already withdrawn" in response.text
    assert BudgetEvent.objects.filter(contribution=contribution, action="withdrawn").count() == 1


def test_someone_else_who_sees_the_request_is_refused_on_the_server(
    client_for, tender, lighting_line, request_contribution, lighting_finance, parks_official
):
    contribution = request_contribution(tender, lighting_line, "100.00")
    url = reverse("finance:contribution-withdraw", args=[contribution.pk])
    assert client_for(lighting_finance).post(url).status_code == 403  # sees it (their line), may not withdraw
    assert client_for(parks_official).post(url).status_code == 404  # does not even see it
    assert client_for(lighting_finance).get(url).status_code == 405
    assert Contribution.objects.get(pk=contribution.pk).status == S.REQUESTED
