"""Chromium: a refused form shows its error summary, whose links put the cursor in the field to correct."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_error_summary_links_to_the_field_and_keeps_what_was_typed(page, login_as, transport_official):
    login_as(transport_official)
    page.goto("/tenders/new/")
    page.get_by_label("Title:", exact=True).fill("Smart bus stops")
    page.get_by_label("Contract term").fill("0")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_load_state()

    summary = page.get_by_role("alert").filter(has_text="Nothing was saved")
    assert summary.is_visible()
    assert page.get_by_label("Title:", exact=True).input_value() == "Smart bus stops"
    summary.get_by_role("link", name="Contract term").click()
    focused = page.evaluate("document.activeElement.id")
    assert focused == "id_contract_term_years"
    assert page.locator("#id_contract_term_years").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_contract_term_years_error").is_visible()
