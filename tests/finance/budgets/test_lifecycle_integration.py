"""The real tender lifecycle calls the budget seams: funding blocks submit/approve; cancelling releases money."""

from decimal import Decimal

import pytest

from finance.selectors.budgets import line_usage
from finance.services.budgets import contribution_approve, tender_need_set
from procurement.exceptions import TransitionBlocked
from tests.factories import AssetFactory, TenderAssetFactory, TenderOutcomeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ready_tender(tender, transport, transport_official):
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
