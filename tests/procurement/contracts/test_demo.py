"""The demo city's contract: two past quarters, one paid, one with a rejected measurement and a deduction."""

import io

import pytest
from django.core.management import call_command

from procurement.contracts.models import Contract, PaymentCertificate, ReportMeasurement
from procurement.publication.validation import release_errors


@pytest.mark.django_db
def test_the_demo_contract_shows_payments_moving_with_outcomes():
    out = io.StringIO()
    call_command("load_demo_city", stdout=out)
    assert "procurement.contracts.demo: done" in out.getvalue(), out.getvalue()
    contract = Contract.objects.get()
    first, second = PaymentCertificate.objects.order_by("period__number")
    assert first.status == PaymentCertificate.Status.PAID and first.paid_on is not None
    # Quarter 1 delivered what was committed (within the indicators' ranges); quarter 2 lost a rejected line.
    assert second.status == PaymentCertificate.Status.APPROVED
    assert second.deductions_total > first.deductions_total
    assert ReportMeasurement.objects.filter(status="rejected").count() == 1
    assert any("rejected:" in line["words"] for line in second.lines if line["kind"] == "deduction")
    release = contract.tender.releases.order_by("-date", "-id").first()
    assert release.tag == "implementation" and release_errors(release.data) == []
    # Idempotent: a second run changes nothing.
    call_command("load_demo_city", stdout=io.StringIO())
    assert PaymentCertificate.objects.count() == 2
