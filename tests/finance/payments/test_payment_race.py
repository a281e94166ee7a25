"""Payments against approved contributions: split to the cent, never beyond what was approved — even at once."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum

from finance.exceptions import PaymentExceedsApproved
from finance.models import ContributionPayment
from finance.services.payments import contributions_charge, split_by_largest_remainder
from tests.factories import BudgetLineFactory, ContributionFactory, TenderFactory, UserFactory

THREADS = 6


def approved(tender, department, amount, year=2030):
    line = BudgetLineFactory(department=department, fiscal_year=year, budget_type="opex")
    return ContributionFactory(
        tender=tender,
        budget_line=line,
        amount=Decimal(amount),
        status="approved",
        requested_by=UserFactory(),
        decided_by=UserFactory(),
    )


def test_split_adds_to_the_cent():
    assert split_by_largest_remainder(Decimal("100.00"), [Decimal("1")] * 3) == [
        Decimal("33.34"),
        Decimal("33.33"),
        Decimal("33.33"),
    ]


@pytest.mark.django_db
def test_a_charge_beyond_a_departments_contribution_is_refused(transport, lighting, finance_officer):
    tender = TenderFactory(lead_department=transport)
    approved(tender, transport, "600.00")
    approved(tender, lighting, "300.00")
    charged = contributions_charge(
        tender=tender,
        fiscal_year=2030,
        budget_type="opex",
        amount=Decimal("600.00"),
        reference="c1",
        payee="Bright Streets Ltd",
        actor=finance_officer,
    )
    assert [c.amount for c in charged] == [Decimal("400.00"), Decimal("200.00")]
    with pytest.raises(
        PaymentExceedsApproved, match="Transport would pay 200.01 but has 200.00 left"
    ) as refused:
        contributions_charge(
            tender=tender,
            fiscal_year=2030,
            budget_type="opex",
            amount=Decimal("300.01"),
            reference="c2",
            payee="Bright Streets Ltd",
            actor=finance_officer,
        )
    assert "Street lighting would pay 100.00 but has 100.00 left" not in str(refused.value)
    assert ContributionPayment.objects.count() == 2


@pytest.mark.django_db
def test_no_contribution_of_that_year_and_type_means_no_payment(transport, finance_officer):
    tender = TenderFactory(lead_department=transport)
    with pytest.raises(PaymentExceedsApproved, match="no approved OpEx contributions for 2031"):
        contributions_charge(
            tender=tender,
            fiscal_year=2031,
            budget_type="opex",
            amount=Decimal("1.00"),
            reference="c",
            payee="P",
            actor=finance_officer,
        )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_charges_never_pay_more_than_approved(transport, lighting, finance_officer):
    tender = TenderFactory(lead_department=transport)
    first = approved(tender, transport, "700.00")
    second = approved(tender, lighting, "350.00")
    # 1,050.00 approved; six certificates of 300.00 at once: three fit (900.00), three must be refused.
    barrier = threading.Barrier(THREADS)
    outcomes = []
    lock = threading.Lock()

    def charge(n):
        try:
            barrier.wait(timeout=30)
            contributions_charge(
                tender=tender,
                fiscal_year=2030,
                budget_type="opex",
                amount=Decimal("300.00"),
                reference=f"certificate {n}",
                payee="Bright Streets Ltd",
                actor=finance_officer,
            )
            result = "paid"
        except PaymentExceedsApproved:
            result = "refused"
        except Exception as exc:  # noqa: BLE001 — shown by the assertion below
            result = repr(exc)
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=charge, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["paid"] * 3 + ["refused"] * 3, outcomes
    for contribution in (first, second):
        paid = ContributionPayment.objects.filter(contribution=contribution).aggregate(s=Sum("amount"))["s"]
        assert paid <= contribution.amount
    assert ContributionPayment.objects.aggregate(s=Sum("amount"))["s"] == Decimal("900.00")
