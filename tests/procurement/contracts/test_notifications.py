"""Who is told what as a contract runs: a report to verify, a line rejected, a certificate to approve."""

import pytest
from django.urls import reverse
from django.utils import translation

from notifications.messages import title_and_body
from notifications.models import Notification
from procurement.contracts.services import costs_review, measurement_review, report_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def lighting_finance(lighting):
    """Finance staff of Street lighting, a participating (not the lead) department."""
    from tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username="lena", first_name="Lena", last_name="Lighting Finance")
    MembershipFactory(user=user, department=lighting, role="finance")
    return user


def _kinds(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


@pytest.fixture
def reported(first_period, partner, indicator, partner_person):
    return report_submit(
        period=first_period,
        organisation=partner,
        measurements={indicator.pk: "52"},
        actual_maintenance="150.00",
        actual_energy="200.00",
        user=partner_person,
    )


def test_an_ended_period_tells_the_partners_people_their_report_is_due(
    partner_person, signed_tender, partner, transport_official
):
    from procurement.contracts.services import contract_create, periods_open_and_mark_overdue, report_due
    from tests.procurement.contracts.conftest import start_of_contract, terms

    contract = contract_create(
        tender=signed_tender,
        organisation=partner,
        terms=terms(signed_tender),
        actor=transport_official,
        start_date=start_of_contract(),
    )
    periods_open_and_mark_overdue()  # the nightly task: the first period has ended
    periods_open_and_mark_overdue()  # run again: nobody is told twice

    notice = Notification.objects.get(recipient=partner_person, kind="report_due")
    due = report_due(contract.periods.get(number=1))
    assert notice.title == f"Period 1 of {contract.reference}: your report is due by {due:%Y-%m-%d}"
    assert notice.url == reverse("partner_contracts:report", args=[contract.pk, 1])
    assert not Notification.objects.filter(recipient=transport_official).exists()


def test_a_report_tells_the_lead_departments_officials_to_verify_it(
    second_transport_official, lighting_official, finance_officer, reported, contract, transport_official
):
    assert _kinds(transport_official) == ["report_submitted"]
    assert _kinds(second_transport_official) == ["report_submitted"]
    assert _kinds(lighting_official) == [] and _kinds(finance_officer) == []
    notice = Notification.objects.get(recipient=transport_official)
    assert notice.title == f"Bright Streets Ltd reported period 1 of {contract.reference}"
    assert notice.url == reverse("contracts:detail", args=[contract.pk])


def test_each_rejected_line_tells_the_partners_people_what_and_why(
    reported, contract, transport_official, partner_person, indicator
):
    measurement_review(
        line=reported.measurements.get(),
        actor=transport_official,
        verified=False,
        reason="Camera logs missing",
    )
    costs_review(report=reported, actor=transport_official, verified=False, reason="No invoices attached")

    rejections = Notification.objects.filter(recipient=partner_person, kind="report_line_rejected")
    assert sorted(n.title for n in rejections) == sorted(
        [
            f"{contract.reference}, period 1: “{indicator.name}” was rejected",
            f"{contract.reference}, period 1: “Actual costs” was rejected",
        ]
    )
    assert {n.body for n in rejections} == {
        "Reason given by the city: Camera logs missing",
        "Reason given by the city: No invoices attached",
    }
    assert {n.url for n in rejections} == {reverse("partner_contracts:detail", args=[contract.pk])}


def test_a_verified_line_tells_nobody(reported, transport_official, partner_person):
    measurement_review(line=reported.measurements.get(), actor=transport_official, verified=True)
    assert _kinds(partner_person) == []


def test_the_computed_certificate_tells_finance_to_approve_it(
    reported, contract, transport_official, finance_officer, transport_finance, lighting_finance
):
    measurement_review(line=reported.measurements.get(), actor=transport_official, verified=True)
    costs_review(report=reported, actor=transport_official, verified=True)

    assert _kinds(finance_officer) == ["certificate_waiting"]
    assert _kinds(transport_finance) == ["certificate_waiting"]
    assert _kinds(lighting_finance) == []  # the lead department's finance and central finance approve
    notice = Notification.objects.get(recipient=finance_officer)
    assert notice.title == f"Payment certificate of {contract.reference}, period 1, waits for approval"
    assert notice.body.startswith("4,960.00 EUR payable.")
    assert notice.url == reverse("contracts:certificate", args=[contract.pk, 1])


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_contract_notifications_read_in_french_and_dutch(language):
    params = {
        "report_due": {"contract": "C-1", "period": 1, "due": "2027-01-31"},
        "report_submitted": {"contract": "C-1", "period": 1, "partner": "Bright Streets Ltd"},
        "report_line_rejected": {"contract": "C-1", "period": 1, "line": "", "reason": "No invoices"},
        "certificate_waiting": {"contract": "C-1", "period": 1, "amount": "4960.00", "currency": "EUR"},
    }
    for kind, values in params.items():
        english = title_and_body(kind, values)
        with translation.override(language):
            translated = title_and_body(kind, values)
        assert translated[0] != english[0] and translated[1] != english[1], kind
