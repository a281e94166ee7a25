"""The budget audit is append-only: on PostgreSQL the table itself refuses UPDATE and DELETE."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction

from finance.models import BudgetEvent
from finance.selectors.budgets import budget_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(tender, transport_line, request_contribution):
    request_contribution(tender, transport_line, "10.00")
    return BudgetEvent.objects.get(action="requested")


def test_every_request_and_decision_is_recorded_with_who_and_amounts(
    tender, transport_line, request_contribution, transport_official, finance_officer
):
    from finance.services.budgets import contribution_approve

    c = request_contribution(tender, transport_line, "10.00")
    contribution_approve(contribution=c, actor=finance_officer, comment="Good.")
    events = list(budget_events(tender=tender).order_by("id"))
    assert [(e.action, e.actor, e.amount, e.status_before, e.status_after) for e in events] == [
        ("requested", transport_official, Decimal("10.00"), "", "requested"),
        ("approved", finance_officer, Decimal("10.00"), "requested", "approved"),
    ]
    assert list(budget_events(budget_line=transport_line)) == events[::-1]


@pytest.mark.postgres
def test_database_refuses_to_update_an_event(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        BudgetEvent.objects.filter(pk=event.pk).update(comment="rewritten")
    event.refresh_from_db()
    assert event.comment == ""


@pytest.mark.postgres
def test_database_refuses_to_delete_an_event(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        BudgetEvent.objects.filter(pk=event.pk).delete()
    assert BudgetEvent.objects.filter(pk=event.pk).exists()
