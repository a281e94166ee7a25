"""Requesting a tender's contributions in one step: one transaction, every row checked, per-row errors,
nothing saved if any row fails; each contribution is audited and notified like a single request (issue 13)."""

from decimal import Decimal

import pytest

from finance.exceptions import BatchInvalid, BudgetPermissionDenied, InvalidAmount, TenderNotOpenForBudget
from finance.models import BudgetEvent, Contribution
from finance.services.pooling import BatchRow, contributions_request_batch
from notifications.models import Notification
from tests.factories import BudgetLineFactory

pytestmark = pytest.mark.django_db
D = Decimal


def test_every_row_becomes_a_requested_contribution_audited_and_notified(
    tender,
    transport_official,
    transport_line,
    lighting_line,
    transport_finance,
    lighting_finance,
    finance_officer,
):
    created = contributions_request_batch(
        tender=tender,
        rows=[BatchRow(transport_line, "12000.00"), BatchRow(lighting_line, D("8000.00"))],
        actor=transport_official,
    )
    assert [(c.budget_line, c.amount, c.status) for c in created] == [
        (transport_line, D("12000.00"), "requested"),
        (lighting_line, D("8000.00"), "requested"),
    ]
    assert BudgetEvent.objects.filter(tender=tender, action="requested").count() == 2
    # The single request's notification rule, once per contribution: each line's finance staff (and central).
    told = {
        (n.event_key, n.recipient.username)
        for n in Notification.objects.filter(kind="contribution_requested").select_related("recipient")
    }
    assert told == {
        (f"contribution-requested:{created[0].pk}", "theo"),
        (f"contribution-requested:{created[0].pk}", "fiona"),
        (f"contribution-requested:{created[1].pk}", "lena"),
        (f"contribution-requested:{created[1].pk}", "fiona"),
    }


def test_one_bad_row_saves_nothing_and_every_bad_row_is_named(
    tender, transport_official, transport_line, lighting_line, lighting_finance
):
    with pytest.raises(BatchInvalid) as refused:
        contributions_request_batch(
            tender=tender,
            rows=[
                BatchRow(transport_line, "12000.00"),  # fine
                BatchRow(lighting_line, "30000.01"),  # 30,000.00 available
                BatchRow(transport_line, "-5"),  # not positive
                BatchRow(transport_line, "1.005"),  # sub-cent
            ],
            actor=transport_official,
        )
    errors = refused.value.errors
    assert sorted(errors) == [1, 2, 3]
    assert "Only 30,000.00 EUR is available" in errors[1]
    assert "more than zero" in errors[2] and "two decimals" in errors[3]
    assert "3 of 4 contribution(s) could not be saved; nothing was saved" in str(refused.value)
    assert not Contribution.objects.exists()
    assert not BudgetEvent.objects.filter(action="requested").exists()
    assert not Notification.objects.exists()


def test_rows_on_one_line_share_its_availability(tender, transport_official, transport_line):
    with pytest.raises(BatchInvalid) as refused:
        contributions_request_batch(
            tender=tender,
            rows=[BatchRow(transport_line, "30000.00"), BatchRow(transport_line, "20000.01")],
            actor=transport_official,
        )
    assert list(refused.value.errors) == [1]
    assert "Only 20,000.00 EUR is available" in refused.value.errors[1]
    assert not Contribution.objects.exists()


def test_a_line_in_another_currency_is_refused_on_its_row(
    tender, transport_official, transport, transport_line
):
    crowns = BudgetLineFactory(department=transport, currency="SEK")
    with pytest.raises(BatchInvalid) as refused:
        contributions_request_batch(
            tender=tender,
            rows=[BatchRow(transport_line, "100.00"), BatchRow(crowns, "100.00")],
            actor=transport_official,
        )
    assert refused.value.errors == {1: "The budget line is in SEK but the tender is in EUR."}


def test_only_officials_of_the_lead_department_request(tender, lighting_official, transport_line):
    with pytest.raises(BudgetPermissionDenied):
        contributions_request_batch(
            tender=tender, rows=[BatchRow(transport_line, "1.00")], actor=lighting_official
        )
    assert not Contribution.objects.exists()


def test_a_tender_no_longer_open_refuses_the_whole_batch(tender, transport_official, transport_line):
    tender.status = "approved"
    tender.save(update_fields=["status"])
    with pytest.raises(TenderNotOpenForBudget):
        contributions_request_batch(
            tender=tender, rows=[BatchRow(transport_line, "1.00")], actor=transport_official
        )


def test_an_empty_batch_is_refused(tender, transport_official):
    with pytest.raises(InvalidAmount):
        contributions_request_batch(tender=tender, rows=[], actor=transport_official)
