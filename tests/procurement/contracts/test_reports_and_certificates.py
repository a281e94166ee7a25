"""Partner reports, the city's review, certificates, four-eyes approval, payment — through the services."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from finance.models import ContributionPayment
from outcomes.models import Measurement
from procurement.contracts.exceptions import (
    CertificateRefused,
    InflationRefused,
    NotYourContract,
    ReportInvalid,
    ReportRefused,
    ReviewRefused,
)
from procurement.contracts.models import (
    InflationRate,
    PaymentCertificate,
    PerformancePeriod,
    PeriodReport,
    ReportMeasurement,
)
from procurement.contracts.services import (
    EvidenceUpload,
    certificate_approve,
    certificate_compute,
    certificate_mark_paid,
    costs_review,
    inflation_enter,
    measurement_review,
    periods_open_and_mark_overdue,
    report_due,
    report_submit,
)
from procurement.publication.validation import release_errors
from tests.factories import PartnerOrganisationFactory

pytestmark = pytest.mark.django_db


def submit(period, partner, indicator, value="52", user=None, **changes):
    values = {
        "period": period,
        "organisation": partner,
        "measurements": {indicator.pk: value},
        "actual_maintenance": "150.00",
        "actual_energy": "200.00",
        "user": user,
    }
    values.update(changes)
    return report_submit(**values)


@pytest.fixture
def reported(first_period, partner, indicator, partner_person):
    return submit(first_period, partner, indicator, user=partner_person)


@pytest.fixture
def certified(reported, transport_official):
    line = reported.measurements.get()
    measurement_review(line=line, actor=transport_official, verified=True)
    costs_review(report=reported, actor=transport_official, verified=True)
    return PaymentCertificate.objects.get(period=reported.period)


# --- Reports ------------------------------------------------------------------------------------------------


def test_a_report_holds_one_measurement_per_indicator_and_the_costs(reported, indicator):
    assert reported.actual_maintenance == Decimal("150.00")
    assert list(reported.measurements.values_list("contract_indicator__indicator", "value")) == [
        (indicator.pk, Decimal("52.0000"))
    ]
    assert reported.period.status == PerformancePeriod.Status.REPORTED


def test_evidence_documents_are_kept_with_their_hash(first_period, partner, indicator):
    report = submit(first_period, partner, indicator, documents=[EvidenceUpload("meter.pdf", b"%PDF-1.4 x")])
    document = report.documents.get()
    assert document.original_name == "meter.pdf" and len(document.sha256) == 64


def test_a_period_not_yet_open_takes_no_report(contract, partner, indicator):
    second = contract.periods.get(number=2)
    with pytest.raises(ReportRefused, match="not open yet"):
        submit(second, partner, indicator)
    assert not PeriodReport.objects.exists()


def test_a_certified_period_takes_no_report(certified, partner, indicator):
    with pytest.raises(ReportRefused, match="already certified"):
        submit(certified.period, partner, indicator)


def test_a_period_is_reported_once(reported, partner, indicator):
    with pytest.raises(ReportRefused, match="already been reported"):
        submit(reported.period, partner, indicator)


def test_measurements_outside_the_valid_range_are_refused_with_every_problem(
    first_period, partner, indicator
):
    with pytest.raises(ReportInvalid) as refused:
        submit(first_period, partner, indicator, value="-3", actual_energy="-1", actual_maintenance="abc")
    errors = refused.value.errors
    assert "impossible" in errors[f"measurement_{indicator.pk}"][0]
    assert "cannot be negative" in errors["actual_energy"][0]
    assert "must be an amount" in errors["actual_maintenance"][0]
    assert not PeriodReport.objects.exists() and not ReportMeasurement.objects.exists()


def test_a_partner_cannot_report_for_another_partners_contract(first_period, indicator):
    other = PartnerOrganisationFactory(name="Lumen Services")
    with pytest.raises(NotYourContract):
        submit(first_period, other, indicator)
    assert not PeriodReport.objects.exists()


def test_a_report_after_the_due_date_is_refused(first_period, partner, indicator):
    late = report_due(first_period) + datetime.timedelta(days=1)
    with pytest.raises(ReportRefused, match="counts as not reported"):
        submit(first_period, partner, indicator, today=late)


# --- Review -------------------------------------------------------------------------------------------------


def test_a_verified_measurement_enters_the_indicators_history(reported, transport_official, indicator):
    line = measurement_review(line=reported.measurements.get(), actor=transport_official, verified=True)
    assert line.measurement.indicator == indicator
    assert Measurement.objects.get(indicator=indicator).value == Decimal("52")


def test_a_rejection_needs_a_reason_and_stays_out_of_the_history(reported, transport_official, indicator):
    line = reported.measurements.get()
    with pytest.raises(ReviewRefused, match="reason"):
        measurement_review(line=line, actor=transport_official, verified=False, reason=" ")
    measurement_review(line=line, actor=transport_official, verified=False, reason="Camera logs missing")
    assert not Measurement.objects.filter(indicator=indicator).exists()


def test_nobody_verifies_their_own_entry(reported, transport_official):
    # A report an official typed in on the partner's behalf (e.g. from a paper form) is verified by another.
    PeriodReport.objects.filter(pk=reported.pk).update(submitted_by=transport_official)
    report = PeriodReport.objects.get(pk=reported.pk)
    with pytest.raises(ReviewRefused, match="another official"):
        measurement_review(line=report.measurements.get(), actor=transport_official, verified=True)
    assert ReportMeasurement.objects.get().status == "pending"


def test_a_line_is_reviewed_once(reported, transport_official, second_transport_official):
    line = reported.measurements.get()
    measurement_review(line=line, actor=transport_official, verified=True)
    with pytest.raises(ReviewRefused, match="already been reviewed"):
        measurement_review(line=line, actor=second_transport_official, verified=False, reason="no")


def test_an_official_of_another_department_cannot_verify(reported, parks_official):
    with pytest.raises(ReviewRefused, match="record the outcome"):
        measurement_review(line=reported.measurements.get(), actor=parks_official, verified=True)


# --- Certificates -------------------------------------------------------------------------------------------


def test_reviewing_the_last_line_computes_the_certificate(certified):
    # Committed 50 from baseline 100; measured 52 → 96 %; a = 0.96; F = 5000; × (1 − 0.2 + 0.192) = 4960.00.
    assert certified.achievement == Decimal("0.9600")
    assert certified.service_fee == Decimal("5000.00")
    assert certified.deductions_total == Decimal("40.00")
    assert certified.total_payable == Decimal("4960.00")
    # Savings 400 − 350 = 50 are the city's (an OpEx service contract shares none).
    assert certified.savings == Decimal("50.00") and certified.city_savings == Decimal("50.00")
    assert certified.period.status == PerformancePeriod.Status.CERTIFIED
    deduction = next(line for line in certified.lines if line["kind"] == "deduction")
    assert "achievement 0.96" in deduction["words"] and "→ deduction 40.00" in deduction["words"]


def test_a_rejected_measurement_is_a_deduction_with_its_reason(reported, transport_official):
    measurement_review(
        line=reported.measurements.get(), actor=transport_official, verified=False, reason="No logs"
    )
    costs_review(report=reported, actor=transport_official, verified=True)
    certificate = PaymentCertificate.objects.get(period=reported.period)
    assert certificate.achievement == 0 and certificate.total_payable == Decimal("4000.00")
    deduction = next(line for line in certificate.lines if line["kind"] == "deduction")
    assert deduction["amount"] == "1000.00" and "rejected: No logs" in deduction["words"]


def test_an_unreported_period_is_certified_at_achievement_0_after_the_grace(first_period):
    periods_open_and_mark_overdue(today=report_due(first_period) + datetime.timedelta(days=1))
    certificate = PaymentCertificate.objects.get(period=first_period)
    assert certificate.achievement == 0 and certificate.total_payable == Decimal("4000.00")
    assert any("not reported" in line["words"] for line in certificate.lines if line["kind"] == "deduction")


def test_the_second_year_waits_for_finance_to_enter_inflation(contract, finance_officer):
    second = contract.periods.get(number=2)
    with pytest.raises(CertificateRefused, match=f"inflation of {contract.start_date.year + 1}"):
        certificate_compute(period=second, actor=None)
    inflation_enter(
        year=contract.start_date.year + 1, inflation="0.02", energy_change="0.05", actor=finance_officer
    )
    certificate = certificate_compute(period=second, actor=None)
    # Not reported: a = 0; F = 4000 + 1000 × 1.02 = 5020.00; payable 0.8 × 5020 = 4016.00.
    assert certificate.service_fee == Decimal("5020.00") and certificate.total_payable == Decimal("4016.00")


def test_inflation_is_entered_once_per_year_and_only_by_finance(finance_officer, transport_official):
    inflation_enter(year=2030, inflation="0.021", energy_change="0.04", actor=finance_officer)
    with pytest.raises(InflationRefused) as twice:
        inflation_enter(year=2030, inflation="0.03", energy_change="0.04", actor=finance_officer)
    assert "not entered twice" in twice.value.errors["year"][0]
    with pytest.raises(InflationRefused, match="Only finance"):
        inflation_enter(year=2031, inflation="0.03", energy_change="0.04", actor=transport_official)
    assert InflationRate.objects.get().inflation == Decimal("0.0210")


# --- Approval and payment ------------------------------------------------------------------------------------


def test_four_eyes_then_each_department_pays_its_share_to_the_cent(
    certified, finance_officer, second_finance_officer
):
    certificate_approve(certificate=certified, actor=finance_officer)
    assert not ContributionPayment.objects.exists()
    approved = certificate_approve(certificate=certified, actor=second_finance_officer)
    assert approved.status == PaymentCertificate.Status.APPROVED
    # 4960.00 split 6000 : 3000 → 3306.67 + 1653.33 (largest remainder), exactly the total.
    amounts = {p["department"]: p["amount"] for p in approved.payments}
    assert amounts == {"Transport": "3306.67", "Street lighting": "1653.33"}
    assert sum(ContributionPayment.objects.values_list("amount", flat=True)) == Decimal("4960.00")


def test_one_person_cannot_approve_twice(certified, finance_officer):
    certificate_approve(certificate=certified, actor=finance_officer)
    with pytest.raises(CertificateRefused, match="second, different finance user"):
        certificate_approve(certificate=certified, actor=finance_officer)


def test_an_approved_certificate_is_not_approved_again(certified, finance_officer, second_finance_officer):
    certificate_approve(certificate=certified, actor=finance_officer)
    certificate_approve(certificate=certified, actor=second_finance_officer)
    with pytest.raises(CertificateRefused, match="already approved"):
        certificate_approve(certificate=certified, actor=finance_officer)
    assert ContributionPayment.objects.count() == 2


def test_the_tenders_preparer_cannot_approve(certified, finance_officer):
    tender = certified.period.contract.tender
    tender.created_by = finance_officer
    tender.save(update_fields=["created_by"])
    with pytest.raises(CertificateRefused, match="Four-eyes"):
        certificate_approve(certificate=certified, actor=finance_officer)


def test_officials_do_not_approve(certified, transport_official):
    with pytest.raises(CertificateRefused, match="Only finance"):
        certificate_approve(certificate=certified, actor=transport_official)


def test_a_payment_beyond_the_approved_contributions_is_refused_and_nothing_is_charged(
    certified, finance_officer, second_finance_officer
):
    from finance.models import Contribution

    Contribution.objects.filter(
        tender=certified.period.contract.tender, budget_line__fiscal_year=certified.fiscal_year
    ).update(amount=Decimal("1000.00"))
    certificate_approve(certificate=certified, actor=finance_officer)
    with pytest.raises(CertificateRefused, match="exceeds what finance approved"):
        certificate_approve(certificate=certified, actor=second_finance_officer)
    certified.refresh_from_db()
    assert certified.status == PaymentCertificate.Status.FIRST_APPROVED
    assert not ContributionPayment.objects.exists()


def test_approval_appends_a_valid_implementation_release(certified, finance_officer, second_finance_officer):
    certificate_approve(certificate=certified, actor=finance_officer)
    certificate_approve(certificate=certified, actor=second_finance_officer)
    release = certified.period.contract.tender.releases.order_by("-date", "-id").first()
    assert release.tag == "implementation"
    assert release_errors(release.data, strict=True) == []
    implementation = release.data["contracts"][0]["implementation"]
    assert [t["value"]["amount"] for t in implementation["transactions"]] == [3306.67, 1653.33]
    assert implementation["metrics"][0]["observations"][0]["measure"] == 52
    assert implementation["milestones"][0]["status"] == "met"


def test_marked_paid_with_a_date(certified, finance_officer, second_finance_officer):
    with pytest.raises(CertificateRefused, match="Only an approved"):
        certificate_mark_paid(certificate=certified, actor=finance_officer, paid_on=timezone.localdate())
    certificate_approve(certificate=certified, actor=finance_officer)
    certificate_approve(certificate=certified, actor=second_finance_officer)
    paid = certificate_mark_paid(certificate=certified, actor=finance_officer, paid_on=timezone.localdate())
    assert paid.status == PaymentCertificate.Status.PAID and paid.paid_on == timezone.localdate()
