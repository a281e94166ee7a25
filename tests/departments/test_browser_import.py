"""In Chromium: an official uploads a CSV with one bad row, reads the problem, fixes it and sees the assets."""

import pytest

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
    assert errors.is_visible()
    assert errors.locator("tbody tr").count() == 1
    first = errors.locator("tbody tr").first.inner_text()
    assert "3" in first and "replacement_cost" in first and "must not be negative" in first
    assert page.get_by_test_id("import-status").inner_text() == "Failed"

    rows[1]["replacement_cost"] = "120"
    page.get_by_role("link", name="Upload a corrected file").click()
    page.get_by_label("CSV or XLSX file").set_input_files(
        {"name": "shelters.csv", "mimeType": "text/csv", "buffer": csv_text(rows).encode()}
    )
    page.get_by_role("button", name="Upload and import").click()
    assert page.get_by_test_id("import-status").inner_text() == "Succeeded"
    assert page.get_by_test_id("created-count").inner_text() == "2"

    page.get_by_role("link", name="See the assets").click()
    table = page.locator("table")
    assert table.get_by_role("link", name="BS-0001").is_visible()
    assert table.get_by_role("link", name="BS-0002").is_visible()
