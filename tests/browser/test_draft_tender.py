"""In Chromium: an official drafts a tender bundling assets of two departments, links two indicators with
weights, asks Street lighting to sign off its street lights (its official finds the request on their dashboard
and signs) and submits it; the finance officer then finds it on their dashboard."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.procurement.fixtures import *  # noqa: F403 — assets in three departments, two indicators

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fund(tender, official):
    """What the pooled-budget rule needs before a submission: a chosen scenario and an explicit need, covered by
    a request."""
    from finance.models import BudgetLine, Contribution, TenderNeed
    from tests.procurement.fixtures import choose_a_scenario

    choose_a_scenario(tender, official)
    line = BudgetLine.objects.create(
        department=tender.lead_department,
        fiscal_year=2027,
        budget_type="opex",
        name="Bus stops",
        amount=100_000,
    )
    TenderNeed.objects.create(tender=tender, fiscal_year=2027, budget_type="opex", amount=Decimal("40000.00"))
    Contribution.objects.create(
        tender=tender, budget_line=line, amount=Decimal("40000.00"), requested_by=official
    )


def test_official_drafts_and_submits_a_tender_that_finance_then_sees(
    page,
    login_as,
    transport_official,
    lighting_official,
    finance_officer,
    transport_assets,
    lighting_assets,
    safety_assets,
    indicators,
):
    from procurement.models import Tender

    login_as(transport_official)
    page.goto("/tenders/new/")
    page.get_by_label("Title:", exact=True).fill("Smart, safe bus stops")
    page.get_by_label("Contract term (years)").fill("12")
    page.get_by_label("Tender period start").fill("2027-03-01")
    page.get_by_label("Tender period end").fill("2027-05-31")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_url(re.compile(r"/tenders/T-\d{4}-\d{4}/assets/"))

    # Asset picker: all assets of route 12, across transport (shelters) and lighting (street lights).
    page.get_by_label("Area").fill("Route 12")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Add all 5 matching").click()
    page.get_by_text("5 asset(s) added").wait_for()
    expect(page.get_by_test_id("summary-departments")).to_have_text("2")
    expect(page.get_by_test_id("summary-count")).to_have_text("5")

    page.get_by_role("link", name="Continue to outcomes").click()
    page.get_by_label("Indicator 1").select_option(label=str(indicators[0]))
    page.get_by_label("Target 1").fill("40")
    page.get_by_label("Weight 1").fill("60")
    page.get_by_label("Indicator 2").select_option(label=str(indicators[1]))
    page.get_by_label("Target 2").fill("250")
    page.get_by_label("Weight 2").fill("40")
    page.get_by_role("button", name="Save outcomes and continue").click()
    page.get_by_text("2 targeted indicator(s) saved").wait_for()

    tender = Tender.objects.get(title="Smart, safe bus stops")
    _fund(tender, transport_official)

    page.get_by_role("link", name="Continue to financing and review").click()
    expect(page.locator("body")).to_contain_text("by: Street lighting.")  # its sign-off is still missing
    page.goto(f"/tenders/{tender.reference}/")
    page.get_by_role("button", name="Ask for sign-offs").click()
    page.get_by_text("Sign-off asked of Street lighting; their officials are told.").wait_for()

    login_as(lighting_official)
    page.goto("/")
    panel = page.locator("#panel-department-tenders")
    panel.get_by_text("Sign-off needed").wait_for()
    panel.get_by_role("link", name=re.compile(tender.reference)).click()
    expect(page.locator("#sign-offs")).to_contain_text("Its part: 2 assets")
    page.get_by_role("button", name="Sign off for Street lighting").click()
    page.get_by_text(f"Street lighting signed off {tender.reference}").wait_for()

    login_as(transport_official)
    page.goto(f"/tenders/{tender.reference}/review/")
    expect(page.locator("body")).to_contain_text("Everything the draft needs is there.")
    expect(page.get_by_test_id("participating")).to_contain_text("Transport")
    expect(page.get_by_test_id("participating")).to_contain_text("Street lighting")
    page.get_by_role("button", name="Submit for approval").click()
    page.get_by_text(f"{tender.reference} is now submitted").wait_for()
    expect(page.get_by_test_id("tender-status")).to_have_text("Submitted")

    login_as(finance_officer)
    page.goto("/")
    panel = page.locator("#panel-awaiting-approval")
    expect(panel.get_by_role("link", name=tender.reference)).to_be_visible()
    expect(panel).to_contain_text("Smart, safe bus stops")


def test_the_picker_selects_a_page_and_adds_what_is_free(
    page, login_as, transport_official, transport, draft, transport_assets, lighting_assets
):
    from departments.models import Asset
    from procurement.models import TenderAsset
    from procurement.services.tenders import tender_assets_add, tender_create

    other = tender_create(actor=transport_official, lead_department=transport, title="Shelters only")
    tender_assets_add(
        tender=other, assets=Asset.objects.filter(pk=transport_assets[0].pk), actor=transport_official
    )
    login_as(transport_official)
    page.goto(f"/tenders/{draft.reference}/assets/?area=Route+12")
    # Assets bundled elsewhere are hidden by default: 4 of the 5 assets of route 12 are offered.
    expect(page.get_by_test_id("match-count")).to_have_text("4")
    page.get_by_label("Also show assets already in other tenders").check()
    expect(page.get_by_test_id("match-count")).to_have_text("5")

    # "Select all on this page" ticks every pickable asset (SH-0 is in another tender: no box) and unticks them.
    select_all = page.get_by_label("Select all assets on this page")
    picks = page.get_by_role("checkbox", name=re.compile(r"^Pick "))
    expect(picks).to_have_count(4)
    select_all.check()
    for i in range(4):
        expect(picks.nth(i)).to_be_checked()
    picks.nth(0).uncheck()
    expect(select_all).not_to_be_checked()
    select_all.check()
    select_all.uncheck()
    for i in range(4):
        expect(picks.nth(i)).not_to_be_checked()

    # Adding all 5 matching adds the 4 free ones and says which one was skipped, and where it is.
    page.get_by_role("button", name="Add all 5 matching").click()
    page.get_by_text(f"4 asset(s) added to {draft.reference}").wait_for()
    expect(page.get_by_role("status")).to_contain_text(f"SH-0 (in {other.reference})")
    assert TenderAsset.objects.filter(tender=draft).count() == 4
