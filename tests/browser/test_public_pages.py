"""Chromium: a taxpayer reads the demo-like published tender and its pooled budget by department."""

import pytest

from tests.factories import AssetFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_page_of_demo_tender_shows_pooled_budget_by_department(
    page, transport, lighting, safety, transport_official, finance_officer
):
    from procurement import demo_publication

    for department in (transport, lighting, safety):
        AssetFactory.create_batch(2, department=department)
    demo_publication.load(log=lambda message: None)

    page.goto("/tenders/public/")
    page.get_by_role("link", name=demo_publication.DEMO_REFERENCE).click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", name="Pooled budget by department").is_visible()
    table = page.get_by_test_id("budget-by-department")
    for name, total in (
        ("Transport", "310,000.00"),
        ("Street lighting", "200,000.00"),
        ("Public safety", "60,000.00"),
    ):
        row = table.get_by_role("row", name=f"{name} total")
        assert total in row.inner_text()
    assert "570,000.00" in page.get_by_test_id("pooled-total").inner_text()
    assert page.locator("svg.chart").is_visible()
    # Answered questions are public; the unanswered one is not.
    assert page.get_by_text("Monthly police incident data").is_visible()
    assert page.get_by_text("solar-powered shelters").count() == 0
