"""In Chromium: the lead official pools the budget in one step from the chosen scenario's need (one row
edited, one unticked), finance ticks the requests in the approval checklist and approves them at once (issue 13).
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from finance.models import Contribution
from tests.factories import BudgetLineFactory, MembershipFactory, TenderFactory, UserFactory
from tests.procurement.fixtures import choose_a_scenario

pytestmark = pytest.mark.browser
D = Decimal


def test_official_pools_in_one_step_and_finance_bulk_approves(
    page, login_as, settings, transport, lighting, transport_official, finance_officer
):
    settings.FINANCE_TWO_APPROVER_THRESHOLD = "100000.00"
    lighting_finance = UserFactory(username="lena", first_name="Lena", last_name="Lighting Finance")
    MembershipFactory(user=lighting_finance, department=lighting, role="finance")
    tender = TenderFactory(lead_department=transport, created_by=transport_official, title="Safe stops")
    choose_a_scenario(
        tender,
        transport_official,
        need={(2027, "capex"): D("150000.00"), (2027, "opex"): D("12000.00")},
        department_need={("lighting", 2027, "opex"): D("8000.00"), ("lighting", 2032, "opex"): D("8000.00")},
    )
    shelters = BudgetLineFactory(
        department=transport, fiscal_year=2027, budget_type="capex", name="Shelters", amount=D("400000.00")
    )
    stops = BudgetLineFactory(
        department=transport, fiscal_year=2027, budget_type="opex", name="Stops", amount=D("50000.00")
    )
    lamps = BudgetLineFactory(
        department=lighting, fiscal_year=2027, budget_type="opex", name="Lamps", amount=D("30000.00")
    )

    login_as(transport_official)
    page.goto(f"/finance/tenders/{tender.reference}/budget/")
    page.get_by_role("link", name="Pool the budget").click()
    rows = page.get_by_test_id("pool-rows")
    expect(rows.locator("tbody tr")).to_have_count(3)
    expect(page.get_by_test_id("missing-lines")).to_contain_text(
        "No budget line for 2032 OpEx of Street lighting"
    )
    # Ask a little less of Stops than proposed, and leave Lamps out for now.
    page.get_by_label(f"Amount from {stops}").fill("11000.00")
    page.get_by_label(f"Request from {lamps}").uncheck()
    # First a mistake: more than Shelters has; nothing is requested, the row says why.
    page.get_by_label(f"Amount from {shelters}").fill("400000.01")
    page.get_by_role("button", name="Request the ticked contributions").click()
    expect(page.get_by_test_id("pool-errors")).to_contain_text("nothing was saved")
    expect(rows.locator("tr", has_text="Shelters")).to_contain_text("Only 400,000.00 EUR is available")
    assert not Contribution.objects.exists()
    page.get_by_label(f"Amount from {shelters}").fill("150000.00")
    page.get_by_role("button", name="Request the ticked contributions").click()
    expect(page.locator(".message.success")).to_contain_text(
        "Requested 2 contribution(s), 161,000.00 EUR in all"
    )
    assert set(Contribution.objects.values_list("budget_line__name", "amount")) == {
        ("Shelters", D("150000.00")),
        ("Stops", D("11000.00")),
    }

    # Central finance: both rows ticked and approved at once; the tender draws 161,000 from Transport, so
    # both need a second approver, and the checklist says so before the click.
    login_as(finance_officer)
    page.goto("/finance/approvals/")
    expect(page.get_by_test_id("approvers-needed")).to_have_count(2)
    for c in Contribution.objects.all():
        page.get_by_test_id(f"select-{c.pk}").check()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.get_by_test_id("bulk-results")).to_contain_text(
        "0 approved · 2 wait for a second approver · 0 rejected · 0 refused"
    )

    # The second approver completes them in one step too.
    login_as(lighting_finance)  # not Transport finance: cannot decide these; its queue is empty
    page.goto("/finance/approvals/")
    expect(page.get_by_text("Nothing awaits a decision.")).to_be_visible()
    second = UserFactory(username="frank", first_name="Frank", last_name="Finance")
    MembershipFactory(user=second, department=finance_officer.memberships.get().department, role="finance")
    login_as(second)
    page.goto("/finance/approvals/")
    for c in Contribution.objects.all():
        page.get_by_test_id(f"select-{c.pk}").check()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.get_by_test_id("bulk-results")).to_contain_text("2 approved")
    assert set(Contribution.objects.values_list("status", flat=True)) == {"approved"}
