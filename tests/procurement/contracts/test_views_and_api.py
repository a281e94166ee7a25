"""Contract pages (city, portal, public), the partner report API, dashboards, ledger exports, query counts."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from procurement.contracts.models import Contract, PaymentCertificate, PeriodReport
from procurement.contracts.services import (
    certificate_approve,
    contract_create,
    costs_review,
    measurement_review,
    report_submit,
)
from procurement.models import ApiToken
from procurement.publication.tokens import token_create
from tests.factories import PartnerOrganisationFactory
from tests.procurement.contracts.conftest import start_of_contract, terms

pytestmark = pytest.mark.django_db


def report_url(contract, number=1):
    return f"/api/v1/contracts/{contract.pk}/periods/{number}/report"


def body(indicator, value="52"):
    return {
        "measurements": [{"indicator_id": indicator.pk, "value": value}],
        "actual_maintenance": "150.00",
        "actual_energy": "200.00",
        "documents": [{"filename": "meter.csv", "content_base64": "YSxiCjEsMgo="}],
    }


@pytest.fixture
def propose_key(partner):
    return token_create(organisation=partner, name="reports", scope=ApiToken.Scope.PROPOSE)[1]


# --- API ------------------------------------------------------------------------------------------------------


def test_partner_reports_a_period_through_the_api(client, contract, indicator, propose_key):
    response = client.post(
        report_url(contract),
        body(indicator),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {propose_key}",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["measurements"] == [
        {"indicator_id": indicator.pk, "value": "52", "status": "pending"}
    ]
    assert PeriodReport.objects.get().documents.count() == 1


def test_a_read_token_cannot_report(client, contract, indicator, partner):
    _, key = token_create(organisation=partner, name="reader")
    response = client.post(
        report_url(contract),
        body(indicator),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert response.status_code == 403
    assert not PeriodReport.objects.exists()


def test_another_partners_token_gets_404(client, contract, indicator):
    other = PartnerOrganisationFactory(name="Lumen Services")
    _, key = token_create(organisation=other, name="x", scope=ApiToken.Scope.PROPOSE)
    response = client.post(
        report_url(contract),
        body(indicator),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert response.status_code == 404
    assert not PeriodReport.objects.exists()


def test_out_of_range_measurement_is_400_with_the_field(client, contract, indicator, propose_key):
    response = client.post(
        report_url(contract),
        body(indicator, value="-5"),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {propose_key}",
    )
    assert response.status_code == 400
    assert "impossible" in response.json()["errors"][f"measurement_{indicator.pk}"][0]
    assert not PeriodReport.objects.exists()


def test_a_period_not_yet_open_is_409(client, contract, indicator, propose_key):
    response = client.post(
        report_url(contract, 2),
        body(indicator),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {propose_key}",
    )
    assert response.status_code == 409
    assert "not open yet" in response.json()["detail"]


def test_anonymous_cannot_report(client, contract, indicator):
    response = client.post(report_url(contract), body(indicator), content_type="application/json")
    assert response.status_code in (401, 403)


# --- Pages ----------------------------------------------------------------------------------------------------


def test_the_portal_form_reports_a_period(client, contract, indicator, partner_person):
    client.force_login(partner_person)
    page = client.get(reverse("partner_contracts:list"))
    assert "period 1" in page.content.decode()
    response = client.post(
        reverse("partner_contracts:report", args=[contract.pk, 1]),
        {f"measurement_{indicator.pk}": "52", "actual_maintenance": "150.00", "actual_energy": "200.00"},
    )
    assert response.status_code == 302
    assert PeriodReport.objects.get().submitted_by == partner_person


def test_the_portal_form_shows_every_problem(client, contract, indicator, partner_person):
    client.force_login(partner_person)
    response = client.post(
        reverse("partner_contracts:report", args=[contract.pk, 1]),
        {f"measurement_{indicator.pk}": "-1", "actual_maintenance": "x", "actual_energy": "-2"},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "impossible" in text and "must be an amount" in text and "cannot be negative" in text


def test_an_official_verifies_and_rejects_on_the_contract_page(
    client, contract, indicator, partner, transport_official
):
    report = report_submit(
        period=contract.periods.get(number=1),
        organisation=partner,
        measurements={indicator.pk: "52"},
        actual_maintenance="150.00",
        actual_energy="200.00",
    )
    client.force_login(transport_official)
    assert "Reports waiting for verification" in client.get(reverse("contracts:list")).content.decode()
    line = report.measurements.get()
    client.post(
        reverse("contracts:measurement-review", args=[contract.pk, line.pk]),
        {"decision": "reject", "reason": ""},
    )
    line.refresh_from_db()
    assert line.status == "pending"  # no reason, nothing changed
    client.post(
        reverse("contracts:measurement-review", args=[contract.pk, line.pk]),
        {"decision": "reject", "reason": "No logs"},
    )
    client.post(reverse("contracts:costs-review", args=[contract.pk, report.pk]), {"decision": "verify"})
    PaymentCertificate.objects.get()
    page = client.get(reverse("contracts:certificate", args=[contract.pk, 1])).content.decode()
    assert "rejected: No logs" in page and "→ deduction 1,000.00" in page


def test_finance_approves_twice_on_the_certificate_page(
    client_for, contract, indicator, partner, transport_official, finance_officer, second_finance_officer
):
    report = report_submit(
        period=contract.periods.get(number=1),
        organisation=partner,
        measurements={indicator.pk: "52"},
        actual_maintenance="150.00",
        actual_energy="200.00",
    )
    measurement_review(line=report.measurements.get(), actor=transport_official, verified=True)
    costs_review(report=report, actor=transport_official, verified=True)
    url = reverse("contracts:certificate-approve", args=[contract.pk, 1])
    client = client_for(finance_officer)
    assert "Certificates waiting for your approval" in client.get(reverse("contracts:list")).content.decode()
    client.post(url)
    client.post(url)  # the same person again: refused
    assert PaymentCertificate.objects.get().status == "first_approved"
    client = client_for(second_finance_officer)
    client.post(url)
    assert PaymentCertificate.objects.get().status == "approved"
    client.post(
        reverse("contracts:certificate-paid", args=[contract.pk, 1]), {"paid_on": str(datetime.date.today())}
    )
    assert PaymentCertificate.objects.get().status == "paid"


def test_an_official_of_an_unrelated_department_cannot_see_the_contract(client_for, contract, parks_official):
    assert client_for(parks_official).get(reverse("contracts:detail", args=[contract.pk])).status_code == 404


def test_another_partners_person_cannot_see_the_contract(client, contract):
    from procurement.proposals.services import partner_member_add
    from tests.factories import UserFactory

    other = PartnerOrganisationFactory(name="Lumen Services")
    person = UserFactory(username="rita")
    partner_member_add(organisation=other, user=person)
    client.force_login(person)
    assert client.get(reverse("partner_contracts:detail", args=[contract.pk])).status_code == 404
    assert client.get(reverse("partner_contracts:report", args=[contract.pk, 1])).status_code == 404


def test_inflation_page_refuses_a_second_entry_for_a_year(client_for, finance_officer):
    client = client_for(finance_officer)
    client.post(reverse("contracts:inflation"), {"year": 2030, "inflation": "0.02", "energy_change": "0.05"})
    response = client.post(
        reverse("contracts:inflation"), {"year": 2030, "inflation": "0.03", "energy_change": "0.05"}
    )
    assert "not entered twice" in response.content.decode()


def test_public_page_shows_targets_payments_and_the_deduction(
    client, contract, indicator, partner, transport_official, finance_officer, second_finance_officer
):
    report = report_submit(
        period=contract.periods.get(number=1),
        organisation=partner,
        measurements={indicator.pk: "52"},
        actual_maintenance="150.00",
        actual_energy="200.00",
    )
    measurement_review(line=report.measurements.get(), actor=transport_official, verified=True)
    costs_review(report=report, actor=transport_official, verified=True)
    certificate = PaymentCertificate.objects.get()
    certificate_approve(certificate=certificate, actor=finance_officer)
    certificate_approve(certificate=certificate, actor=second_finance_officer)
    text = client.get(reverse("contracts:public", args=[contract.tender.reference])).content.decode()
    assert "<svg" in text and "40.00" in text and "4960.00" in text and "52" in text


def test_savings_ledger_page_and_exports(
    client_for, contract, indicator, partner, transport_official, finance_officer
):
    report = report_submit(
        period=contract.periods.get(number=1),
        organisation=partner,
        measurements={indicator.pk: "52"},
        actual_maintenance="150.00",
        actual_energy="200.00",
    )
    measurement_review(line=report.measurements.get(), actor=transport_official, verified=True)
    costs_review(report=report, actor=transport_official, verified=True)
    client = client_for(finance_officer)
    page = client.get(reverse("contracts:savings", args=[contract.pk])).content.decode()
    assert "<svg" in page
    csv_text = client.get(reverse("contracts:savings-csv", args=[contract.pk])).content.decode()
    # Savings 50.00 split 6000 : 3000 → 33.33 + 16.67.
    assert "Transport,,33.33" in csv_text and "Street lighting,,16.67" in csv_text
    xlsx = client.get(reverse("contracts:savings-xlsx", args=[contract.pk]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def _queries_for_page(client, contract):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("contracts:detail", args=[contract.pk])).status_code == 200
    return len(ctx.captured_queries)


def test_contract_page_queries_do_not_grow_with_the_periods(
    client_for, signed_tender, partner, transport_official, lighting
):
    from procurement.contracts.services import periods_open_and_mark_overdue

    short = contract_create(
        tender=signed_tender,
        organisation=partner,
        terms=terms(signed_tender),
        actor=transport_official,
        start_date=start_of_contract(),
    )
    periods_open_and_mark_overdue()
    client = client_for(transport_official)
    few = _queries_for_page(client, short)
    # The same tender cannot have two contracts: a quarterly one for 30 years on a second tender.
    from tests.procurement.publication.factories import approved_tender

    other = approved_tender(lead=signed_tender.lead_department, partners=[lighting])
    other.contract_term_years = 30
    other.save()
    many = contract_create(
        tender=other,
        organisation=partner,
        terms=terms(other),
        actor=transport_official,
        start_date=datetime.date(2020, 1, 1),
        period_length=Contract.PeriodLength.QUARTERLY,
    )
    periods_open_and_mark_overdue()
    assert many.periods.count() == 120
    lots = _queries_for_page(client, many)
    assert lots <= 20 and few <= 20
    assert lots == few, (few, lots)


def test_the_menu_and_the_portal_lead_to_contracts(
    client_for, client, contract, transport_official, partner_person
):
    assert 'href="/contracts/"' in client_for(transport_official).get("/").content.decode()
    client.force_login(partner_person)
    assert 'href="/partner/contracts/"' in client.get("/partner/").content.decode()


def test_the_ledger_shows_the_chosen_scenarios_projection_beside_the_actual_savings(
    contract, indicator, partner, transport_official
):
    from finance.models import ScenarioCashFlow
    from finance.selectors.scenarios import savings_ledger
    from procurement.contracts.selectors import actual_savings_ledger
    from tests.procurement.fixtures import choose_a_scenario

    year = start_of_contract().year
    # The projection: the status quo costs 1,000.00 more than the chosen scenario in the first year.
    choice = choose_a_scenario(contract.tender, transport_official, scenario="opex_service")
    ScenarioCashFlow.objects.bulk_create(
        ScenarioCashFlow(
            run=choice.run,
            scenario=scenario,
            fiscal_year=year,
            department="transport",
            budget_type="opex",
            nominal=amount,
            discounted=amount,
        )
        for scenario, amount in (("status_quo", Decimal("3000.00")), ("opex_service", Decimal("2000.00")))
    )
    report = report_submit(
        period=contract.periods.get(number=1),
        organisation=partner,
        measurements={indicator.pk: "52"},
        actual_maintenance="150.00",
        actual_energy="200.00",
    )
    measurement_review(line=report.measurements.get(), actor=transport_official, verified=True)
    costs_review(report=report, actor=transport_official, verified=True)

    ledger = actual_savings_ledger(contract=contract)
    projection = savings_ledger(tender=contract.tender)
    planned = {(r["year"], r["code"]): r["planned"] for r in ledger["rows"] if r["planned"] is not None}
    assert planned == {
        (row["year"], code): amount for row in projection["rows"] for code, amount in row["shares"].items()
    }
    assert ledger["planned_total"] == Decimal("1000.00") == sum(planned.values())
    assert ledger["scenario"] == "OpEx service fee"
    assert ledger["actual_total"] == Decimal("50.00")  # the measured savings of the first period, as above
