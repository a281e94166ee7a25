"""Chromium: a taxpayer reads the demo-like published tender and its pooled budget by department."""

import re
from io import StringIO

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_page_of_demo_tender_shows_pooled_budget_by_department(page):
    from django.core.management import call_command
    from django.db.models import Sum

    from finance.models import Contribution
    from procurement.publication.selectors import tender_list_published

    call_command("load_demo_city", stdout=StringIO())
    (tender,) = tender_list_published()
    approved = Contribution.objects.filter(tender=tender, status=Contribution.Status.APPROVED)
    by_department = {
        row["budget_line__department__name"]: row["total"]
        for row in approved.values("budget_line__department__name").annotate(total=Sum("amount")).order_by()
    }
    assert set(by_department) == {"Transport", "Street lighting", "Public safety"}

    page.goto("/tenders/public/")
    page.get_by_role("link", name=tender.reference).click()
    expect(page).to_have_url(re.compile(rf"/tenders/public/{tender.reference}/$"))

    expect(page.get_by_role("heading", name="Pooled budget by department")).to_be_visible()
    expect(page.get_by_text("No financing scenario chosen")).to_have_count(0)
    table = page.get_by_test_id("budget-by-department")
    for name, total in by_department.items():
        expect(table.get_by_role("row", name=f"{name} total")).to_contain_text(f"{total:,.2f}")
    expect(page.get_by_test_id("pooled-total")).to_contain_text(f"{sum(by_department.values()):,.2f}")
    expect(page.locator("svg.chart")).to_be_visible()
    # Answered questions are public; the unanswered one is not.
    expect(page.get_by_text("Monthly police incident data")).to_be_visible()
    expect(page.get_by_text("solar-powered shelters")).to_have_count(0)
