"""A published tender that takes proposals, three partner organisations with people and tokens."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from procurement.models import ApiToken, Tender
from procurement.proposals.models import TenderRequirements
from procurement.proposals.services import (
    CriterionInput,
    RequirementsInput,
    partner_member_add,
    tender_requirements_set,
)
from procurement.publication.tokens import token_create
from tests.factories import PartnerOrganisationFactory, UserFactory
from tests.procurement.publication.factories import approved_tender, publish

MARKER = "SEALED-MARKER-7f3a9c"


def requirements_input(**changes) -> RequirementsInput:
    now = timezone.now()
    values = {
        "proposal_deadline": now + datetime.timedelta(days=30),
        "clarification_deadline": now + datetime.timedelta(days=20),
        "accepted_models": ["capex", "opex_service", "shared_savings"],
        "minimum_at_risk_share": Decimal("0.2"),
        "price_weight": Decimal("50"),
        "outcome_weight": Decimal("30"),
        "standstill_days": 10,
        "quality_criteria": [
            CriterionInput("Service plan", Decimal("20"), "0: none, 5: plausible, 10: proven")
        ],
    }
    values.update(changes)
    return RequirementsInput(**values)


def content(model: str = "opex_service", phi: str = "0.25", **figures) -> dict:
    defaults = {
        "capex": {"purchase_price": "9000.00", "running_cost": "150.00"},
        "opex_service": {"financing_charge": "900.00", "operation_fee": "200.00"},
        "shared_savings": {"savings_share": "0.5", "guaranteed_savings": "100.00"},
    }[model]
    return {
        "financing_model": model,
        "figures": {**defaults, **figures},
        "at_risk_share": phi,
        "targets": [],  # filled by the fixture `offer`, which knows the tender's indicator
        "summary": f"Our plan {MARKER}",
    }


@pytest.fixture
def offer(open_tender):
    """offer(model, phi, committed, **figures) -> proposal content for `open_tender`."""
    indicator_id = open_tender.targeted_outcomes.get().indicator_id

    def _offer(model="opex_service", phi="0.25", committed="50", **figures):
        data = content(model, phi, **figures)
        data["targets"] = [{"indicator_id": indicator_id, "committed_value": committed}]
        return data

    return _offer


@pytest.fixture
def open_tender(transport, transport_official, finance_officer):
    """Published, proposals open for 30 days; Transport leads; 2027 CapEx and 2028 OpEx pooled budget."""
    tender = approved_tender(lead=transport, status=Tender.Status.DRAFT)
    tender.created_by = UserFactory(username="drafter")
    tender.save(update_fields=["created_by"])
    tender_requirements_set(tender=tender, data=requirements_input(), actor=transport_official)
    publish(tender)
    tender.refresh_from_db()
    return tender


def pass_deadline(tender, *, seconds_ago: int = 1):
    """Move the deadline into the past (time passing): what the server clock would see later."""
    past = timezone.now() - datetime.timedelta(seconds=seconds_ago)
    TenderRequirements.objects.filter(tender=tender).update(
        proposal_deadline=past, clarification_deadline=past
    )


@pytest.fixture
def rival(db):
    return PartnerOrganisationFactory(name="Lumen Services")


@pytest.fixture
def third_partner(db):
    return PartnerOrganisationFactory(name="Civic Capital")


@pytest.fixture
def partner_person(partner):
    user = UserFactory(username="pat", first_name="Pat", last_name="Partner")
    partner_member_add(organisation=partner, user=user)
    return user


@pytest.fixture
def rival_person(rival):
    user = UserFactory(username="rita", first_name="Rita", last_name="Rival")
    partner_member_add(organisation=rival, user=user)
    return user


@pytest.fixture
def propose_key(partner):
    _, key = token_create(organisation=partner, name="bids", scope=ApiToken.Scope.PROPOSE)
    return key


@pytest.fixture
def read_key(partner):
    _, key = token_create(organisation=partner, name="reader")
    return key
