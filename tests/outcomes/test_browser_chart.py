"""In Chromium: the outcome page draws each indicator's chart with its measurement points."""

import datetime
from decimal import Decimal as D

import pytest
from playwright.sync_api import expect

from tests.factories import IndicatorFactory, MeasurementFactory, OutcomeFactory

pytestmark = pytest.mark.browser


def test_detail_page_draws_the_indicator_chart_with_its_measurements(
    page, login_as, transport_viewer, transport
):
    outcome = OutcomeFactory(owner_department=transport, title="Safer bus stops at night")
    indicator = IndicatorFactory(
        outcome=outcome,
        name="Night-time incidents",
        baseline_value=D("240"),
        baseline_period=datetime.date(2022, 1, 1),
        target_value=D("150"),
        target_date=datetime.date(2028, 12, 31),
    )
    for year, value in [(2023, "231"), (2024, "214"), (2025, "196")]:
        MeasurementFactory(indicator=indicator, period=datetime.date(year, 1, 1), value=D(value))

    login_as(transport_viewer)
    page.goto(f"/outcomes/{outcome.pk}/")

    chart = page.get_by_role("img", name="Night-time incidents (incidents per month)")
    expect(chart).to_be_visible()
    points = chart.locator("circle.point.measurement")
    expect(points).to_have_count(3)
    assert [points.nth(i).get_attribute("data-value") for i in range(3)] == ["231", "214", "196"]
    box = chart.bounding_box()
    assert box["width"] > 300 and box["height"] > 150
    # A smaller value sits lower in the chart (larger y on the page).
    assert points.nth(2).bounding_box()["y"] > points.nth(0).bounding_box()["y"]
    assert chart.locator("line.trajectory").count() == 1
    assert chart.locator("polygon.point.target").count() == 1
    # achievement = (240 − 196) / (240 − 150) = 48.89 %
    expect(page.get_by_test_id("achievement")).to_have_text("48.89 %")
    # The accessible table behind the chart opens without JavaScript tricks.
    page.get_by_text("Figures of this chart as a table").click()
    expect(page.get_by_role("cell", name="196")).to_be_visible()
