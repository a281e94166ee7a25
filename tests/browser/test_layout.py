"""In Chromium, at a phone's width (390 × 844) and a laptop's (1366 × 768): no page scrolls sideways, the menu
collapses behind an accessible disclosure button on the phone, and the scenario comparison's Choose buttons are
on screen at 1366 px (they were cut off at the right edge of a scrolling table before)."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.procurement.fixtures import *  # noqa: F403 — assets in three departments, indicators, a draft

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}

OVERFLOW = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def city(
    transport,
    lighting,
    transport_official,
    finance_officer,
    draft,
    transport_assets,
    lighting_assets,
    indicators,
):
    """Content on every page: a draft with assets and targets, a submitted tender with a succeeded scenario run
    and a budget request, a published tender with a document and an answered question."""
    from django.core.files.base import ContentFile

    from departments.models import Asset
    from finance.services.scenarios import (
        scenario_assumptions_defaults,
        scenario_assumptions_save,
        scenario_run_execute,
        scenario_run_request,
    )
    from procurement.models import TenderDocument
    from procurement.publication.services import question_answer, question_ask
    from procurement.services.tenders import OutcomeTarget, tender_assets_add, tender_outcomes_set
    from tests.factories import BudgetLineFactory, ContributionFactory, PartnerOrganisationFactory
    from tests.finance.scenarios.factories import make_bus_stop_tender
    from tests.procurement.publication.factories import approved_tender, publish

    tender_assets_add(
        tender=draft,
        assets=Asset.objects.filter(pk__in=[a.pk for a in transport_assets + lighting_assets]),
        actor=transport_official,
    )
    tender_outcomes_set(
        tender=draft,
        targets=[
            OutcomeTarget(indicators[0].pk, Decimal("40"), Decimal("60")),
            OutcomeTarget(indicators[1].pk, Decimal("250"), Decimal("40")),
        ],
        actor=transport_official,
    )

    submitted = make_bus_stop_tender(transport=transport, lighting=lighting)
    values = scenario_assumptions_defaults(tender=submitted) | {"monte_carlo_draws": 500, "start_year": 2027}
    scenario_assumptions_save(tender=submitted, values=values, actor=transport_official)
    run = scenario_run_execute(
        scenario_run_request(tender=submitted, actor=transport_official, enqueue=False).pk
    )
    line = BudgetLineFactory(
        department=transport, fiscal_year=2027, budget_type="opex", amount=Decimal("250000")
    )
    ContributionFactory(
        tender=submitted, budget_line=line, amount=Decimal("123456.78"), requested_by=transport_official
    )

    published = approved_tender(lead=transport, partners=[lighting])
    TenderDocument.objects.create(
        tender=published,
        kind="specification",
        title="Technical specification of the smart bus stops",
        file=ContentFile(b"%PDF-1.7\n%%EOF", name="specification.pdf"),
        original_name="specification.pdf",
        content_type="application/pdf",
        size_bytes=14,
        sha256="0" * 64,
    )
    publish(published)
    question = question_ask(
        tender=published,
        organisation=PartnerOrganisationFactory(name="Bright Streets Ltd"),
        question="Is the maintenance of the lamps at night included in the service fee?",
    )
    question_answer(question=question, answer="Yes, between 22:00 and 06:00.", actor=transport_official)
    return {
        "draft": draft,
        "submitted": submitted,
        "run": run,
        "published": published,
        "indicators": indicators,
    }


def _pages_of(city, role: str) -> list[str]:
    draft, submitted, published = (city[k].reference for k in ("draft", "submitted", "published"))
    outcome = city["indicators"][1].outcome_id
    public = ["/tenders/public/", f"/tenders/public/{published}/"]
    if role == "anonymous":
        return ["/accounts/login/", *public]
    if role == "finance":
        return [
            "/",
            "/finance/approvals/",
            "/finance/budget-lines/",
            "/finance/budget-utilisation/",
            f"/finance/tenders/{submitted}/budget/",
            f"/tenders/{submitted}/",
            "/inbox/",
        ]
    return [
        "/",
        "/tenders/",
        f"/tenders/{draft}/",
        f"/tenders/{draft}/assets/?area=Route+12&show_bundled=1",
        f"/tenders/{draft}/outcomes/",
        f"/tenders/{draft}/documents/",
        f"/tenders/{draft}/review/",
        f"/tenders/{submitted}/",
        f"/finance/tenders/{submitted}/budget/",
        f"/finance/tenders/{submitted}/scenarios/",
        f"/finance/scenario-runs/{city['run'].pk}/",
        f"/finance/tenders/{submitted}/scenarios/compare/?a={city['run'].pk}&b={city['run'].pk}",
        "/outcomes/",
        f"/outcomes/{outcome}/",
        "/departments/assets/",
        "/departments/transport/",
        "/finder/",
        "/inbox/",
        *public,
    ]


def _sideways(page, paths: list[str], viewport: dict) -> list[str]:
    page.set_viewport_size(viewport)
    wide = []
    for path in paths:
        response = page.goto(path)
        assert response.status == 200, f"{path}: {response.status}"
        scroll_width, inner_width = page.evaluate(OVERFLOW)
        if scroll_width > inner_width:
            wide.append(f"{path} at {viewport['width']} px: {scroll_width} > {inner_width}")
    return wide


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone-390", "laptop-1366"])
def test_no_key_page_scrolls_sideways(page, login_as, city, transport_official, finance_officer, viewport):
    wide = _sideways(page, _pages_of(city, "anonymous"), viewport)
    login_as(transport_official)
    wide += _sideways(page, _pages_of(city, "official"), viewport)
    login_as(finance_officer)
    wide += _sideways(page, _pages_of(city, "finance"), viewport)
    assert wide == []


def test_on_a_phone_the_menu_collapses_behind_a_disclosure_button(page, login_as, transport_official):
    page.set_viewport_size(PHONE)
    login_as(transport_official)
    page.goto("/")
    menu = page.get_by_role("button", name="Menu")
    navigation = page.get_by_role("navigation", name="Main")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(navigation).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(navigation.get_by_role("link", name="Tenders")).to_be_visible()
    menu.click()
    expect(navigation).to_be_hidden()


def test_on_a_laptop_the_menu_is_open_without_a_button(page, login_as, transport_official):
    page.set_viewport_size(LAPTOP)
    login_as(transport_official)
    page.goto("/")
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Tenders")).to_be_visible()
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()


def test_the_choose_buttons_of_the_comparison_are_on_screen_at_1366(page, login_as, city, transport_official):
    page.set_viewport_size(LAPTOP)
    login_as(transport_official)
    page.goto(f"/finance/scenario-runs/{city['run'].pk}/")
    table = page.get_by_test_id("comparison-table")
    expect(table).to_be_visible()
    wrap = table.locator("xpath=..").bounding_box()
    buttons = table.get_by_role("button", name="Choose")
    assert buttons.count() >= 3
    for index in range(buttons.count()):
        box = buttons.nth(index).bounding_box()
        assert box is not None and box["x"] >= 0
        # Inside the viewport and not hidden beyond the right edge of the table's scrolling wrapper.
        assert box["x"] + box["width"] <= min(LAPTOP["width"], wrap["x"] + wrap["width"]), box
