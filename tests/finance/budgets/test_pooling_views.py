"""Pages of bulk budget work: pool the budget (proposal, edit, untick, per-row errors), the approval queue's
checklist and bulk decision, and budget lines for a whole term (issue 13)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from finance.models import BudgetLine, Contribution
from tests.factories import BudgetLineFactory, TenderFactory
from tests.procurement.fixtures import choose_a_scenario

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def pooled_scenario(tender, transport_official):
    """Transport needs 12,000 OpEx in 2027; Street lighting 8,000 OpEx in 2027 and 2032 (no line for 2032)."""
    return choose_a_scenario(
        tender,
        transport_official,
        need={(2027, "opex"): D("12000.00")},
        department_need={("lighting", 2027, "opex"): D("8000.00"), ("lighting", 2032, "opex"): D("8000.00")},
    )


def pool_url(tender):
    return reverse("finance:tender-pool", args=[tender.reference])


def pool_post(rows):
    data = {"pool-TOTAL_FORMS": len(rows), "pool-INITIAL_FORMS": len(rows)}
    for i, (line, amount, include) in enumerate(rows):
        data[f"pool-{i}-budget_line"] = line.pk
        data[f"pool-{i}-amount"] = amount
        if include:
            data[f"pool-{i}-include"] = "on"
    return data


def test_the_budget_page_leads_the_lead_official_to_pooling(client_for, transport_official, tender):
    response = client_for(transport_official).get(
        reverse("finance:contribution-request", args=[tender.reference])
    )
    assert pool_url(tender) in response.text and "Pool the budget" in response.text


def test_the_pool_page_proposes_each_departments_line_and_names_years_without_lines(
    client_for, transport_official, tender, pooled_scenario, transport_line, lighting_line
):
    response = client_for(transport_official).get(pool_url(tender))
    assert response.status_code == 200
    text = response.text
    assert 'value="12000"' in text and 'value="8000"' in text  # number inputs show no padding zeros
    assert "No budget line for 2032 OpEx of Street lighting" in text
    assert reverse("finance:budget-line-term") + f"?department={lighting_line.department_id}" in text


def test_without_a_scenario_the_page_says_to_choose_one(client_for, transport_official, tender):
    response = client_for(transport_official).get(pool_url(tender))
    assert response.status_code == 200 and 'data-testid="no-scenario"' in response.text


def test_only_the_lead_official_pools(
    client_for, transport_viewer, transport_finance, parks_official, tender
):
    assert client_for(transport_viewer).get(pool_url(tender)).status_code == 403
    assert client_for(transport_finance).get(pool_url(tender)).status_code == 403
    assert client_for(parks_official).get(pool_url(tender)).status_code == 404


def test_edited_and_unticked_rows_are_requested_as_shown(
    client_for, transport_official, tender, pooled_scenario, transport_line, lighting_line
):
    response = client_for(transport_official).post(
        pool_url(tender), pool_post([(transport_line, "11000.00", True), (lighting_line, "8000.00", False)])
    )
    assert response.status_code == 302
    [contribution] = Contribution.objects.filter(tender=tender)
    assert (contribution.budget_line, contribution.amount) == (transport_line, D("11000.00"))


def test_a_refused_row_shows_its_error_and_nothing_is_requested(
    client_for, transport_official, tender, pooled_scenario, transport_line, lighting_line
):
    response = client_for(transport_official).post(
        pool_url(tender), pool_post([(transport_line, "12000.00", True), (lighting_line, "30000.01", True)])
    )
    assert response.status_code == 400
    assert "1 of 2 contribution(s) could not be saved; nothing was saved" in response.text
    assert "Only 30,000.00 EUR is available" in response.text
    assert 'id="pool-1-errors"' in response.text and 'value="30000.01"' in response.text  # kept as typed
    assert not Contribution.objects.exists()


def test_a_ticked_row_without_amount_is_named(
    client_for, transport_official, tender, pooled_scenario, transport_line
):
    response = client_for(transport_official).post(pool_url(tender), pool_post([(transport_line, "", True)]))
    assert response.status_code == 400 and "Enter the amount to request, or untick the row." in response.text
    assert not Contribution.objects.exists()


# --- The approval checklist ----------------------------------------------------------------------------------


@pytest.fixture
def queue(settings, tender, transport, lighting_line, request_contribution):
    """small: 5,000 of Street lighting (one approver); large: 120,000 of Transport (two approvers)."""
    settings.FINANCE_TWO_APPROVER_THRESHOLD = "100000.00"
    big = BudgetLineFactory(department=transport, fiscal_year=2028, budget_type="capex", amount=D("500000"))
    return {
        "small": request_contribution(tender, lighting_line, "5000.00"),
        "large": request_contribution(tender, big, "120000.00"),
    }


def test_the_queue_is_a_checklist_marking_rows_that_need_a_second_approver(
    client_for, finance_officer, queue
):
    text = client_for(finance_officer).get(reverse("finance:approval-queue")).text
    assert (
        f'data-testid="select-{queue["small"].pk}"' in text
        and f'data-testid="select-{queue["large"].pk}"' in text
    )
    assert text.count('data-testid="approvers-needed"') == 1 and "needs 2 approvers" in text
    assert "Approve selected" in text and "Reject selected" in text


def test_bulk_approve_then_the_queue_shows_each_rows_result(
    client_for, finance_officer, queue, parks_official
):
    client = client_for(finance_officer)
    other = Contribution.objects.create(
        tender=TenderFactory(),
        budget_line=BudgetLineFactory(),
        amount=D("1.00"),
        requested_by=parks_official,
    )
    response = client.post(
        reverse("finance:approval-bulk"),
        {"decision": "approve", "contribution": [queue["small"].pk, queue["large"].pk, other.pk + 1000]},
    )
    assert response.status_code == 302 and response["Location"] == reverse("finance:approval-queue")
    page = client.get(response["Location"]).text
    assert "1 approved · 1 wait for a second approver · 0 rejected · 1 refused" in page
    assert "Not found among the contributions you may see." in page
    assert Contribution.objects.get(pk=queue["small"].pk).status == "approved"
    # Shown once: a reload does not repeat the results.
    assert 'data-testid="bulk-results"' not in client.get(reverse("finance:approval-queue")).text


def test_bulk_reject_without_a_reason_decides_nothing(client_for, finance_officer, queue):
    client = client_for(finance_officer)
    response = client.post(
        reverse("finance:approval-bulk"), {"decision": "reject", "contribution": [queue["small"].pk]}
    )
    assert response.status_code == 302
    assert "Say why the selected contributions are rejected." in client.get(response["Location"]).text
    assert Contribution.objects.get(pk=queue["small"].pk).status == "requested"


def test_officials_cannot_bulk_decide(client_for, transport_official, queue):
    response = client_for(transport_official).post(
        reverse("finance:approval-bulk"), {"decision": "approve", "contribution": [queue["small"].pk]}
    )
    assert response.status_code == 403


# --- Budget lines for a term ---------------------------------------------------------------------------------


def term_data(department, **extra):
    return {
        "department": department.pk,
        "first_year": 2027,
        "last_year": 2038,
        "name": "Lamps",
        "currency": "eur",
        "capex_each_year": "",
        "opex_each_year": "120000",
        **extra,
    }


def test_finance_enters_lines_for_a_whole_term_with_one_repeated_amount(
    client_for, lighting_finance, lighting
):
    BudgetLineFactory(department=lighting, fiscal_year=2030, budget_type="opex", amount=D("1"))
    client = client_for(lighting_finance)
    response = client.post(reverse("finance:budget-line-term"), {**term_data(lighting), "action": "save"})
    assert response.status_code == 302
    assert BudgetLine.objects.filter(department=lighting, budget_type="opex").count() == 12
    page = client.get(response["Location"]).text
    assert (
        "11 budget line(s) of Street lighting created." in page
        and "kept as they were (not duplicated): 2030 OpEx" in page
    )


def test_the_year_table_lets_single_years_differ_and_names_each_bad_cell(
    client_for, lighting_finance, lighting
):
    client = client_for(lighting_finance)
    preview = client.post(
        reverse("finance:budget-line-term"), {**term_data(lighting, last_year=2029), "action": "preview"}
    )
    assert preview.status_code == 200 and 'data-testid="term-year-2029"' in preview.text
    data = {
        **term_data(lighting, last_year=2029),
        "action": "save",
        "years-TOTAL_FORMS": 3,
        "years-INITIAL_FORMS": 3,
    }
    for i, (year, capex, opex) in enumerate([(2027, "500000", "100"), (2028, "", "200"), (2029, "", "-3")]):
        data |= {f"years-{i}-fiscal_year": year, f"years-{i}-capex": capex, f"years-{i}-opex": opex}
    response = client.post(reverse("finance:budget-line-term"), data)
    assert response.status_code == 400 and not BudgetLine.objects.exists()
    data["years-2-opex"] = "300"
    response = client.post(reverse("finance:budget-line-term"), data)
    assert response.status_code == 302
    assert sorted(BudgetLine.objects.values_list("fiscal_year", "budget_type", "amount")) == [
        (2027, "capex", D("500000.00")),
        (2027, "opex", D("100.00")),
        (2028, "opex", D("200.00")),
        (2029, "opex", D("300.00")),
    ]


def test_officials_cannot_enter_lines_for_a_term(client_for, lighting_official):
    assert client_for(lighting_official).get(reverse("finance:budget-line-term")).status_code == 403
