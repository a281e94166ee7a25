"""The real tender lifecycle calls the budget seams: funding blocks submit/approve; cancelling releases money."""

import datetime
from decimal import Decimal

import pytest

from finance.selectors.budgets import line_usage
from finance.services.budgets import contribution_approve, tender_need_set
from procurement.exceptions import TransitionBlocked
from tests.factories import AssetFactory, TenderAssetFactory, TenderOutcomeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_tender(tender, transport, transport_official):
    from tests.procurement.fixtures import choose_a_scenario

    choose_a_scenario(tender, transport_official, need={(2027, "opex"): Decimal("1000.00")})
    type(tender).objects.filter(pk=tender.pk).update(
        tender_period_start=datetime.date(2027, 3, 1), tender_period_end=datetime.date(2027, 5, 31)
    )
    tender.refresh_from_db()
    TenderAssetFactory(tender=tender, asset=AssetFactory(department=transport))
    TenderOutcomeFactory(tender=tender)
    tender_need_set(
        tender=tender,
        fiscal_year=2027,
        budget_type="opex",
        amount=Decimal("1000.00"),
        actor=transport_official,
    )
    return tender


def test_submit_and_approve_follow_the_funding(
    ready_tender, transport_line, request_contribution, transport_official, finance_officer
):
    from procurement.services.tenders import tender_transition

    with pytest.raises(TransitionBlocked, match="short by 1,000.00"):
        tender_transition(tender=ready_tender, action="submit", actor=transport_official)
    contribution = request_contribution(ready_tender, transport_line, "1000.00")
    tender = tender_transition(tender=ready_tender, action="submit", actor=transport_official)
    assert tender.status == "submitted"
    with pytest.raises(TransitionBlocked, match="await a finance decision"):
        tender_transition(tender=tender, action="approve", actor=finance_officer)
    contribution_approve(contribution=contribution, actor=finance_officer)
    assert tender_transition(tender=tender, action="approve", actor=finance_officer).status == "approved"


def test_submit_needs_a_chosen_scenario_or_a_recorded_override(
    tender, transport, transport_official, finance_officer
):
    from finance.models import FinancingChoice
    from procurement.services.tenders import tender_transition

    TenderAssetFactory(tender=tender, asset=AssetFactory(department=transport))
    TenderOutcomeFactory(tender=tender)
    with pytest.raises(TransitionBlocked) as caught:
        tender_transition(tender=tender, action="submit", actor=transport_official)
    assert any("Choose a financing scenario" in p for p in caught.value.problems)
    assert not FinancingChoice.objects.filter(tender=tender).exists()


def test_cancelling_through_the_lifecycle_releases_the_money(
    tender, transport_line, request_contribution, transport_official, finance_officer
):
    from procurement.services.tenders import tender_transition

    contribution_approve(
        contribution=request_contribution(tender, transport_line, "700.00"), actor=finance_officer
    )
    request_contribution(tender, transport_line, "300.00")
    tender_transition(tender=tender, action="cancel", actor=transport_official, comment="Plans changed.")
    assert sorted(tender.contributions.values_list("status", flat=True)) == ["released", "withdrawn"]
    assert line_usage(budget_line=transport_line).available == Decimal("50000.00")
