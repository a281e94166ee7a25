"""Signing the award (the proposals' signature service) creates the contract from the winning proposal."""

from decimal import Decimal

import pytest

from procurement.contracts.models import Contract
from procurement.proposals.award import contract_sign
from tests.procurement.proposals.test_flow_services import (  # noqa: F401 — the award flow's fixtures
    awarded,
    final,
    opened,
    priced,
    three_proposals,
)

pytestmark = pytest.mark.django_db


def test_signature_creates_the_contract_from_the_winning_proposal(awarded, transport_official):  # noqa: F811
    contract_sign(tender=awarded.tender, actor=transport_official, now=awarded.standstill_ends_at)
    contract = Contract.objects.get(tender=awarded.tender)
    assert contract.organisation == awarded.proposal.organisation
    # The winner (the rival's CapEx offer) guaranteed a running cost of 40.00 with φ 0.2 and committed 40.
    assert contract.financing_model == "capex"
    assert contract.financing_charge == Decimal("0") and contract.operation_fee == Decimal("40.00")
    assert contract.at_risk_share == Decimal("0.2")
    assert contract.indicators.get().committed_value == Decimal("40")
    assert contract.periods.count() == awarded.tender.contract_term_years
    assert contract.start_date.day == 1
