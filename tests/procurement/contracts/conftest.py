"""A signed contract of Transport (lead) and Lighting, with OpEx contributions for its first two years."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from procurement.contracts.models import PerformancePeriod
from procurement.contracts.services import ContractTerms, contract_create, periods_open_and_mark_overdue
from procurement.models import Tender
from procurement.proposals.services import partner_member_add
from tests.factories import BudgetLineFactory, ContributionFactory, UserFactory
from tests.procurement.publication.factories import approved_tender, publish


def start_of_contract() -> datetime.date:
    # The first yearly period ended 11 days ago: it is open for reporting, due in 19 days.
    return timezone.localdate() - datetime.timedelta(days=376)


@pytest.fixture
def signed_tender(transport, lighting):
    tender = approved_tender(lead=transport, partners=[lighting], status=Tender.Status.DRAFT)
    publish(tender)
    Tender.objects.filter(pk=tender.pk).update(status=Tender.Status.SIGNED)
    tender.refresh_from_db()
    requester = UserFactory(username="opex-requester")
    decider = UserFactory(username="opex-decider")
    year = start_of_contract().year
    for department, amount in ((transport, "6000.00"), (lighting, "3000.00")):
        for fiscal_year in (year, year + 1):
            line = BudgetLineFactory(department=department, fiscal_year=fiscal_year, budget_type="opex")
            ContributionFactory(
                tender=tender,
                budget_line=line,
                amount=Decimal(amount),
                status="approved",
                requested_by=requester,
                decided_by=decider,
            )
    return tender


def terms(tender, **changes) -> ContractTerms:
    indicator = tender.targeted_outcomes.get().indicator
    values = {
        "financing_model": "opex_service",
        "financing_charge": Decimal("4000.00"),
        "operation_fee": Decimal("1000.00"),
        "savings_share": Decimal("0"),
        "at_risk_share": Decimal("0.2"),
        "committed": {indicator.pk: Decimal("50")},
    }
    values.update(changes)
    return ContractTerms(**values)


@pytest.fixture
def contract(signed_tender, partner, transport_official):
    made = contract_create(
        tender=signed_tender,
        organisation=partner,
        terms=terms(signed_tender),
        actor=transport_official,
        start_date=start_of_contract(),
    )
    periods_open_and_mark_overdue()
    return made


@pytest.fixture
def first_period(contract):
    return PerformancePeriod.objects.get(contract=contract, number=1)


@pytest.fixture
def partner_person(partner):
    user = UserFactory(username="pat", first_name="Pat", last_name="Partner")
    partner_member_add(organisation=partner, user=user)
    return user


@pytest.fixture
def indicator(contract):
    return contract.indicators.get().indicator
