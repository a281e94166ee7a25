"""In Chromium: set the assumptions, run the scenarios through the real worker, watch the progress bar, then read
the comparison table and the charts."""

import os

import pytest
from playwright.sync_api import expect

# Test-only slowdown of the worker's progress reports (read by finance.services.scenarios), so that the progress
# bar is on screen long enough to be seen; set before the session's worker starts.
os.environ.setdefault("SCENARIO_PROGRESS_DELAY", "0.05")

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def test_official_sets_assumptions_runs_and_reads_the_results(
    celery_worker, page, login_as, transport_official, transport, lighting
):
    from tests.finance.scenarios.factories import make_bus_stop_tender

    tender = make_bus_stop_tender(transport=transport, lighting=lighting)
    login_as(transport_official)
    page.goto(f"/finance/tenders/{tender.reference}/scenarios/")

    # A bad value is explained in the engine's words, at once, without saving.
    page.get_by_label("Horizon").fill("80")
    page.get_by_role("button", name="Save assumptions").click()
    expect(page.get_by_role("alert").first).to_contain_text("horizon must be between 1 and 60 years (got 80)")

    page.get_by_label("Horizon").fill("30")
    page.get_by_label("First year").fill("2027")
    page.get_by_label("Monte Carlo draws").fill("100000")
    page.get_by_role("button", name="Save assumptions").click()
    expect(page.get_by_text("Assumptions saved")).to_be_visible()

    page.get_by_role("button", name="Run scenarios").click()
    # The bar is rendered only while the run is queued or running (then htmx polls it every second).
    page.locator("progress#run-progress-bar").wait_for(state="visible")

    table = page.get_by_test_id("comparison-table")
    table.wait_for(state="visible", timeout=30_000)
    for label in ("Status quo", "CapEx purchase", "OpEx service fee", "Shared savings"):
        expect(table.get_by_role("rowheader", name=label)).to_be_visible()
    expect(page.get_by_role("img", name="Cumulative cost to the city per scenario (nominal)")).to_be_visible()
    assert page.locator("svg.chart").count() >= 8
