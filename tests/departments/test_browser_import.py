"""In Chromium: an official uploads a CSV with one bad row, reads the problem, fixes it and sees the assets."""

import pytest
from playwright.sync_api import expect

from .conftest import csv_text, good_row

pytestmark = pytest.mark.browser


def test_official_fixes_a_rejected_import_and_sees_the_assets(
    page, login_as, transport_official, bus_shelter
):
    rows = [good_row(external_ref="BS-0001"), good_row(external_ref="BS-0002", replacement_cost="-120")]
    login_as(transport_official)

    page.goto("/departments/assets/")
    page.get_by_role("link", name="Import from CSV or XLSX").click()
    page.get_by_label("CSV or XLSX file").set_input_files(
        {"name": "shelters.csv", "mimeType": "text/csv", "buffer": csv_text(rows).encode()}
    )
    page.get_by_role("button", name="Upload and import").click()

    errors = page.get_by_test_id("import-errors")
    expect(errors).to_be_visible()
    expect(errors.locator("tbody tr")).to_have_count(1)
    for said in ("3", "replacement_cost", "must not be negative"):
        expect(errors.locator("tbody tr").first).to_contain_text(said)
    expect(page.get_by_test_id("import-status")).to_have_text("Failed")

    rows[1]["replacement_cost"] = "120"
    page.get_by_role("link", name="Upload a corrected file").click()
    page.get_by_label("CSV or XLSX file").set_input_files(
        {"name": "shelters.csv", "mimeType": "text/csv", "buffer": csv_text(rows).encode()}
    )
    page.get_by_role("button", name="Upload and import").click()
    expect(page.get_by_test_id("import-status")).to_have_text("Succeeded")
    expect(page.get_by_test_id("created-count")).to_have_text("2")

    page.get_by_role("link", name="See the assets").click()
    table = page.locator("table")
    expect(table.get_by_role("link", name="BS-0001")).to_be_visible()
    expect(table.get_by_role("link", name="BS-0002")).to_be_visible()
