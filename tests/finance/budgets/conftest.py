"""Fixtures of the pooled-budget tests: a Transport-led draft tender and budget lines of two departments."""

from decimal import Decimal

import pytest

from tests.factories import BudgetLineFactory, MembershipFactory, TenderFactory, UserFactory


@pytest.fixture
def lighting_finance(lighting):
    """Finance staff of Street lighting."""
    user = UserFactory(username="lena", first_name="Lena", last_name="Lighting Finance")
    MembershipFactory(user=user, department=lighting, role="finance")
    return user


@pytest.fixture
def tender(transport, transport_official):
    return TenderFactory(
        lead_department=transport,
        created_by=transport_official,
        title="Smart, safe bus stops",
        currency="EUR",
    )


@pytest.fixture
def transport_line(transport):
    return BudgetLineFactory(
        department=transport, fiscal_year=2027, budget_type="opex", name="Stops", amount=Decimal("50000.00")
    )


@pytest.fixture
def lighting_line(lighting):
    return BudgetLineFactory(
        department=lighting, fiscal_year=2027, budget_type="opex", name="Lamps", amount=Decimal("30000.00")
    )


@pytest.fixture
def request_contribution(transport_official):
    """request_contribution(tender, line, amount) through the service, by the Transport official."""
    from finance.services.budgets import contribution_request

    def _request(tender, line, amount, actor=None):
        return contribution_request(
            tender=tender, budget_line=line, amount=Decimal(amount), actor=actor or transport_official
        )

    return _request
