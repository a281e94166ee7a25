"""Chromium: a refused form shows its error summary, whose links put the cursor in the field to correct."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_error_summary_links_to_the_field_and_keeps_what_was_typed(page, login_as, transport_official):
    login_as(transport_official)
    page.goto("/tenders/new/")
    page.get_by_label("Title:", exact=True).fill("Smart bus stops")
    page.get_by_label("Contract term").fill("0")
    page.get_by_role("button", name="Create draft").click()

    summary = page.get_by_role("alert").filter(has_text="Nothing was saved")
    expect(summary).to_be_visible()
    expect(page.get_by_label("Title:", exact=True)).to_have_value("Smart bus stops")
    summary.get_by_role("link", name="Contract term").click()
    expect(page.locator("#id_contract_term_years")).to_be_focused()
    expect(page.locator("#id_contract_term_years")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_contract_term_years_error")).to_be_visible()
