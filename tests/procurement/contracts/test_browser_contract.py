"""In Chromium: the partner reports a period in the portal, an official verifies one line and rejects another,
two finance users approve the certificate, and the public page shows the deduction."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from procurement.contracts.services import contract_create, periods_open_and_mark_overdue
from tests.factories import IndicatorFactory, TenderOutcomeFactory
from tests.procurement.contracts.conftest import start_of_contract, terms
from tests.signing_in import sign_in

pytestmark = [pytest.mark.browser]


@pytest.fixture
def as_user(browser, live_server):
    contexts = []

    def _open(user, login_path="/accounts/login/"):
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        if user is None:
            return page
        return sign_in(page, user.username, login_path=login_path)

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def two_indicator_contract(signed_tender, partner, transport_official):
    first = signed_tender.targeted_outcomes.get().indicator
    committed = terms(signed_tender)  # commits 50 on the first; the second keeps the tender's target
    second = IndicatorFactory(outcome=first.outcome, name="Complaints per month", unit="complaints")
    TenderOutcomeFactory(tender=signed_tender, indicator=second, target_value=Decimal("60"))
    contract = contract_create(
        tender=signed_tender,
        organisation=partner,
        terms=committed,
        actor=transport_official,
        start_date=start_of_contract(),
    )
    periods_open_and_mark_overdue()
    return contract


def test_report_verify_reject_approve_and_publish(
    as_user,
    two_indicator_contract,
    partner_person,
    transport_official,
    finance_officer,
    second_finance_officer,
):
    contract = two_indicator_contract

    # The partner sees the period due in the portal and reports it; a bad value is explained first.
    pat = as_user(partner_person, "/partner/login/")
    pat.goto("/partner/contracts/")
    pat.get_by_role("link", name=f"{contract.reference} · period 1").click()
    pat.get_by_label("Night-time incidents at stops").fill("-4")
    pat.get_by_label("Complaints per month").fill("70")
    pat.get_by_label("Actual maintenance cost of the period").fill("150.00")
    pat.get_by_label("Actual energy cost of the period").fill("200.00")
    pat.get_by_role("button", name="Submit report").click()
    expect(pat.get_by_role("alert").first).to_contain_text("impossible")
    pat.get_by_label("Night-time incidents at stops").fill("52")
    pat.get_by_role("button", name="Submit report").click()
    expect(pat.locator(".messages")).to_contain_text("Period 1 reported")

    # An official verifies one line, rejects the other with a reason, and verifies the costs.
    tina = as_user(transport_official)
    tina.goto(f"/contracts/{contract.pk}/")
    tina.locator("li", has_text="Night-time incidents at stops").get_by_role("button", name="Verify").click()
    expect(tina.locator(".messages")).to_contain_text("Measurement verified")
    line = tina.locator("li", has_text="Complaints per month")
    line.get_by_label("Reason").fill("No complaint log was attached")
    line.get_by_role("button", name="Reject").click()
    expect(tina.locator(".messages")).to_contain_text("Measurement rejected")
    tina.get_by_role("button", name="Verify costs").click()
    expect(tina.locator(".messages")).to_contain_text("Costs verified")

    # Two finance users approve the certificate, whose page explains the deduction in words.
    fiona = as_user(finance_officer)
    fiona.goto(f"/contracts/{contract.pk}/periods/1/certificate/")
    expect(fiona.locator("tr.deduction", has_text="Complaints per month")).to_contain_text(
        "rejected: No complaint log was attached"
    )
    fiona.once("dialog", lambda dialog: dialog.accept())
    fiona.get_by_role("button", name="Approve (first of two)").click()
    expect(fiona.locator(".messages")).to_contain_text("First approval recorded")
    frank = as_user(second_finance_officer)
    frank.goto(f"/contracts/{contract.pk}/periods/1/certificate/")
    frank.once("dialog", lambda dialog: dialog.accept())
    frank.get_by_role("button", name="Approve and charge (second)").click()
    expect(frank.locator(".messages")).to_contain_text("Approved and charged")

    # Anyone sees what was promised and delivered: a = 0.5 × 0.96 + 0.5 × 0 = 0.48 → 4,480.00 paid, 520.00 off.
    public = as_user(None)
    public.goto(f"/contracts/public/{contract.tender.reference}/")
    expect(public.locator("td.deduction")).to_contain_text("520.00")
    expect(public.locator("body")).to_contain_text("4480.00")
    expect(public.locator("svg.chart")).to_be_visible()
