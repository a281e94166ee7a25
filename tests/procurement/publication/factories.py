"""Published tenders for publication and API tests: built with factories + the publication services."""

import datetime
from decimal import Decimal

from django.db import transaction

from procurement.models import Tender
from procurement.publication.services import release_on_transition
from tests.factories import (
    AssetCategoryFactory,
    AssetFactory,
    BudgetLineFactory,
    ContributionFactory,
    DepartmentFactory,
    IndicatorFactory,
    OutcomeFactory,
    TenderAssetFactory,
    TenderFactory,
    TenderOutcomeFactory,
    UserFactory,
)


def publish(tender: Tender, actor=None):
    """What the lifecycle's publish transition does: status published, then the publication seam."""
    with transaction.atomic():
        tender.status = Tender.Status.PUBLISHED
        tender.save(update_fields=["status"])
        return release_on_transition(tender=tender, action="publish", actor=actor)


def transition(tender: Tender, action: str, status: str, actor=None):
    with transaction.atomic():
        tender.status = status
        tender.save(update_fields=["status"])
        return release_on_transition(tender=tender, action=action, actor=actor)


def approved_tender(*, lead=None, partners=(), assets_per_department=2, **fields) -> Tender:
    """An approved tender of `lead` with `partners` departments pooling budget, assets and one outcome."""
    lead = lead or DepartmentFactory(code="transport", name="Transport")
    fields.setdefault("status", Tender.Status.APPROVED)
    tender = TenderFactory(
        lead_department=lead,
        tender_period_start=datetime.date(2027, 3, 1),
        tender_period_end=datetime.date(2027, 5, 31),
        **fields,
    )
    requester = UserFactory(username=f"requester-{tender.reference}")
    decider = UserFactory(username=f"decider-{tender.reference}")
    category = AssetCategoryFactory(code="bus-shelter", name="Bus shelter", unit="shelter")
    for index, department in enumerate([lead, *partners]):
        for _ in range(assets_per_department):
            TenderAssetFactory(tender=tender, asset=AssetFactory(department=department, category=category))
        for year, budget_type, amount in ((2027, "capex", "50000.00"), (2028, "opex", "12000.50")):
            line = BudgetLineFactory(department=department, fiscal_year=year, budget_type=budget_type)
            ContributionFactory(
                tender=tender,
                budget_line=line,
                amount=Decimal(amount) + index,
                status="approved",
                requested_by=requester,
                decided_by=decider,
            )
    outcome = OutcomeFactory(owner_department=lead, title="Safer stops at night")
    indicator = IndicatorFactory(
        outcome=outcome, name="Night-time incidents at stops", unit="incidents per month"
    )
    TenderOutcomeFactory(tender=tender, indicator=indicator, target_value=Decimal("55.5"))
    return tender


def published_tender(**kwargs) -> Tender:
    tender = approved_tender(**kwargs)
    publish(tender)
    tender.refresh_from_db()
    return tender
