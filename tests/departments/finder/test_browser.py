"""In Chromium: run the finder through the real worker, open the bus-stop candidate, start a tender from it."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def test_official_finds_the_bus_stop_and_starts_a_tender_from_it(
    celery_worker, page, login_as, city, transport_official
):
    from procurement.models import Tender

    login_as(transport_official)
    page.get_by_role("link", name="Opportunities").click()

    # A bad radius is explained beside its field; nothing runs.
    page.get_by_label("Radius (metres)").fill("5")
    page.get_by_role("button", name="Find opportunities").click()
    expect(page.get_by_text("The radius must be between 10 and 2,000 metres.").first).to_be_visible()

    page.get_by_label("Radius (metres)").fill("150")
    page.get_by_role("button", name="Find opportunities").click()
    # The page follows the job (htmx polling) and reloads itself with the results.
    table = page.get_by_test_id("candidate-table")
    table.wait_for(state="visible", timeout=30_000)
    expect(page.get_by_test_id("candidate-count")).to_have_text("1")
    expect(page.get_by_role("img", name="Map of candidates 1–1 of this run")).to_be_visible()

    table.get_by_role("link", name="Route 5").click()
    expect(page.get_by_test_id("candidate-explanation")).to_contain_text(
        "4 assets of Transport, Public safety and Street lighting stand within 150 m"
    )
    page.get_by_role("button", name="Start a tender from this").click()

    expect(page).to_have_url(re.compile(r"/tenders/T-\d{4}-\d{4}/$"))
    tender = Tender.objects.get()
    expect(page).to_have_url(f"/tenders/{tender.reference}/")
    expect(
        page.get_by_text(f"Draft tender {tender.reference} started with 4 asset(s) bundled.")
    ).to_be_visible()
    assert tender.status == Tender.Status.DRAFT
    assert tender.bundled_assets.count() == 4
