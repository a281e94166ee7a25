"""Budget pages: who sees what (404), who may act (403), forms that show every error and save nothing."""

from decimal import Decimal

import pytest
from django.urls import reverse

from finance.models import BudgetLine, Contribution
from tests.factories import BudgetLineFactory

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(anonymous):
    response = anonymous.get(reverse("finance:budget-line-list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_officials_see_only_their_departments_lines(
    client_for, transport_official, transport_line, lighting_line
):
    response = client_for(transport_official).get(reverse("finance:budget-line-list"))
    assert response.status_code == 200
    assert "Stops" in response.text and "Lamps" not in response.text
    assert "New budget line" not in response.text  # not offered to an official


def test_official_of_other_department_cannot_see_a_line(client_for, parks_official, transport_line):
    response = client_for(parks_official).get(reverse("finance:budget-line-detail", args=[transport_line.pk]))
    assert response.status_code == 404


def test_line_page_shows_availability_and_history(
    client_for, transport_official, tender, transport_line, request_contribution
):
    request_contribution(tender, transport_line, "1234.56")
    response = client_for(transport_official).get(
        reverse("finance:budget-line-detail", args=[transport_line.pk])
    )
    assert "48,765.44" in response.text
    assert "Contribution requested" in response.text


def test_finance_user_enters_a_line(client_for, transport_finance, transport):
    response = client_for(transport_finance).post(
        reverse("finance:budget-line-create"),
        {
            "department": transport.pk,
            "fiscal_year": 2028,
            "budget_type": "capex",
            "name": "Shelters",
            "amount": "250000.00",
            "currency": "eur",
            "note": "",
        },
    )
    line = BudgetLine.objects.get(name="Shelters")
    assert response.status_code == 302 and (line.amount, line.currency) == (Decimal("250000.00"), "EUR")
    assert line.events.get().action == "line_created"


def test_line_form_shows_every_error_and_saves_nothing(client_for, transport_finance, lighting):
    response = client_for(transport_finance).post(
        reverse("finance:budget-line-create"),
        {"department": lighting.pk, "fiscal_year": 1900, "budget_type": "other", "name": "X", "amount": "-1"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"department", "fiscal_year", "budget_type", "amount"} <= set(errors)
    assert not BudgetLine.objects.exists()


def test_official_may_not_enter_lines(client_for, transport_official):
    assert client_for(transport_official).get(reverse("finance:budget-line-create")).status_code == 403


def test_approval_queue_is_for_finance_staff(client_for, transport_official):
    assert client_for(transport_official).get(reverse("finance:approval-queue")).status_code == 403


def test_queue_lists_what_the_user_may_decide_with_filters(
    client_for, transport_finance, tender, transport_line, lighting_line, request_contribution
):
    request_contribution(tender, transport_line, "100.00")
    request_contribution(tender, lighting_line, "200.00")
    client = client_for(transport_finance)
    response = client.get(reverse("finance:approval-queue"))
    assert "Stops" in response.text and "Lamps" not in response.text
    assert "Stops" not in client.get(reverse("finance:approval-queue"), {"fiscal_year": 2030}).text
    assert "Stops" in client.get(reverse("finance:approval-queue"), {"tender": tender.reference}).text


def test_queue_paginates(client_for, finance_officer, tender, transport, request_contribution):
    line = BudgetLineFactory(department=transport, amount=Decimal("1000.00"))
    for _ in range(30):
        request_contribution(tender, line, "1.00")
    response = client_for(finance_officer).get(reverse("finance:approval-queue"))
    assert "Page 1 of 2" in response.text


def test_approve_in_one_click_with_htmx_returns_the_row(
    client_for, finance_officer, tender, transport_line, request_contribution
):
    c = request_contribution(tender, transport_line, "100.00")
    response = client_for(finance_officer).post(
        reverse("finance:contribution-decide", args=[c.pk]),
        {"decision": "approve", "comment": "Fine."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert f'id="contribution-{c.pk}"' in response.text and "Approved" in response.text
    c.refresh_from_db()
    assert (c.status, c.decision_comment) == ("approved", "Fine.")


def test_deciding_twice_without_javascript_shows_a_clear_error(
    client_for, finance_officer, tender, transport_line, request_contribution
):
    c = request_contribution(tender, transport_line, "100.00")
    client = client_for(finance_officer)
    url = reverse("finance:contribution-decide", args=[c.pk])
    client.post(url, {"decision": "reject", "comment": "No."})
    response = client.post(url, {"decision": "approve"}, follow=True)
    assert "already rejected" in response.text
    c.refresh_from_db()
    assert c.status == "rejected"


def test_finance_of_another_department_cannot_decide(
    client_for, lighting_finance, tender, transport_line, lighting_line, request_contribution
):
    request_contribution(tender, lighting_line, "1.00")  # makes the tender visible to Lighting
    c = request_contribution(tender, transport_line, "100.00")
    response = client_for(lighting_finance).post(
        reverse("finance:contribution-decide", args=[c.pk]), {"decision": "approve"}
    )
    assert response.status_code == 404
    c.refresh_from_db()
    assert c.status == "requested"


def test_official_requests_a_contribution_on_the_tender_budget_page(
    client_for, transport_official, tender, transport_line
):
    url = reverse("finance:contribution-request", args=[tender.reference])
    client = client_for(transport_official)
    assert "50,000.00 EUR available" in client.get(url).text
    response = client.post(url, {"budget_line": transport_line.pk, "amount": "2500.00", "comment": ""})
    assert response.status_code == 302
    assert Contribution.objects.get().amount == Decimal("2500.00")


def test_over_budget_request_shows_a_clear_error_and_saves_nothing(
    client_for, transport_official, tender, transport_line
):
    url = reverse("finance:contribution-request", args=[tender.reference])
    response = client_for(transport_official).post(
        url, {"budget_line": transport_line.pk, "amount": "50000.01"}
    )
    assert response.status_code == 400
    assert "Only 50,000.00 EUR is available" in response.text
    assert not Contribution.objects.exists()


def test_viewer_is_not_offered_the_request_form_and_cannot_post(
    client_for, transport_viewer, tender, transport_line
):
    url = reverse("finance:contribution-request", args=[tender.reference])
    client = client_for(transport_viewer)
    assert "Request a contribution" not in client.get(url).text
    assert client.post(url, {"budget_line": transport_line.pk, "amount": "1"}).status_code == 403


def test_unrelated_official_gets_404_for_a_draft_tender_budget(client_for, parks_official, tender):
    assert (
        client_for(parks_official)
        .get(reverse("finance:contribution-request", args=[tender.reference]))
        .status_code
        == 404
    )


def test_need_and_override_pages(client_for, transport_official, finance_officer, tender):
    client = client_for(transport_official)
    client.post(
        reverse("finance:tender-need", args=[tender.reference]),
        {"fiscal_year": 2027, "budget_type": "opex", "amount": "900.00"},
    )
    assert tender.budget_needs.get().amount == Decimal("900.00")
    assert (
        client.post(reverse("finance:tender-override", args=[tender.reference]), {"reason": "x"}).status_code
        == 403
    )
    tender.status = "submitted"
    tender.submitted_by = transport_official
    tender.save()
    finance = client_for(finance_officer)
    finance.post(
        reverse("finance:tender-override", args=[tender.reference]), {"reason": "Savings close the gap."}
    )
    assert tender.funding_overrides.get().decided_by == finance_officer


def test_utilisation_page(client_for, finance_officer, transport_line, lighting_line):
    response = client_for(finance_officer).get(reverse("finance:budget-utilisation"))
    assert response.status_code == 200
    assert "Transport" in response.text and "Street lighting" in response.text


def test_dashboard_shows_contributions_awaiting_the_finance_user(
    client_for, finance_officer, tender, transport_line, request_contribution
):
    request_contribution(tender, transport_line, "77.00")
    response = client_for(finance_officer).get(reverse("home"))
    assert "Contributions awaiting your decision (1)" in response.text


def test_dashboard_hides_from_the_approver_what_four_eyes_forbids(
    tender, transport_line, finance_officer, second_finance_officer, settings
):
    from finance.selectors.budgets import dashboard_panels
    from finance.services.budgets import contribution_approve, contribution_request
    from tests.factories import MembershipFactory, UserFactory

    settings.FINANCE_TWO_APPROVER_THRESHOLD = "10.00"
    official = UserFactory()
    MembershipFactory(user=official, department=tender.lead_department, role="official")
    c = contribution_request(
        tender=tender, budget_line=transport_line, amount=Decimal("50.00"), actor=official
    )
    contribution_approve(contribution=c, actor=finance_officer)
    assert dashboard_panels(user=finance_officer)[0]["count"] == 0
    assert dashboard_panels(user=second_finance_officer)[0]["count"] == 1
    assert dashboard_panels(user=official) == []


def test_tender_panel_shows_pooled_table_chart_and_events(
    rf, transport_official, tender, transport_line, request_contribution, finance_officer
):
    from django.template import Context, Template

    from finance.services.budgets import contribution_approve

    contribution_approve(
        contribution=request_contribution(tender, transport_line, "3000.00"), actor=finance_officer
    )
    html = Template("{% load finance_tags %}{% tender_budget_panel tender %}").render(
        Context({"tender": tender, "user": transport_official})
    )
    assert 'data-testid="pooled-budget-table"' in html and "<svg" in html
    assert "100.0 %" in html and "Contribution approved" in html


def test_tender_panel_query_count_does_not_grow_with_contributions(
    django_assert_max_num_queries,
    transport_official,
    tender,
    transport,
    request_contribution,
    finance_officer,
):
    from django.template import Context, Template

    from finance.services.budgets import contribution_approve

    for year in range(2027, 2033):
        line = BudgetLineFactory(department=transport, fiscal_year=year, amount=Decimal("10.00"))
        contribution_approve(contribution=request_contribution(tender, line, "5.00"), actor=finance_officer)
        request_contribution(tender, line, "1.00")
    template = Template("{% load finance_tags %}{% tender_budget_panel tender %}")
    with django_assert_max_num_queries(12):
        html = template.render(Context({"tender": tender, "user": transport_official}))
    assert html.count("<rect") >= 6


def test_queue_does_not_offer_what_four_eyes_forbids(
    client_for, finance_officer, tender, transport_line, request_contribution
):
    tender.submitted_by = finance_officer
    tender.save()
    request_contribution(tender, transport_line, "100.00")
    response = client_for(finance_officer).get(reverse("finance:approval-queue"))
    assert "Nothing awaits a decision." in response.text


def test_finance_changes_a_line_but_not_below_what_is_promised(
    client_for, transport_finance, tender, transport_line, request_contribution
):
    request_contribution(tender, transport_line, "20000.00")
    client = client_for(transport_finance)
    url = reverse("finance:budget-line-edit", args=[transport_line.pk])
    response = client.post(url, {"amount": "19999.99", "note": ""})
    assert response.status_code == 200 and "already requested or approved" in response.text
    assert client.post(url, {"amount": "60000.00", "note": "Top-up"}).status_code == 302
    transport_line.refresh_from_db()
    assert (transport_line.amount, transport_line.note) == (Decimal("60000.00"), "Top-up")


def test_officials_may_not_change_a_line(client_for, transport_official, transport_line):
    url = reverse("finance:budget-line-edit", args=[transport_line.pk])
    assert client_for(transport_official).get(url).status_code == 403
    assert (
        "Change amount"
        not in client_for(transport_official)
        .get(reverse("finance:budget-line-detail", args=[transport_line.pk]))
        .text
    )


def test_first_approval_of_a_large_contribution_via_htmx_says_a_second_is_needed(
    client_for, finance_officer, tender, transport_line, request_contribution, settings
):
    settings.FINANCE_TWO_APPROVER_THRESHOLD = "50.00"
    c = request_contribution(tender, transport_line, "100.00")
    response = client_for(finance_officer).post(
        reverse("finance:contribution-decide", args=[c.pk]), {"decision": "approve"}, HTTP_HX_REQUEST="true"
    )
    assert "awaits a second approver" in response.text and 'name="decision"' not in response.text


def test_a_refused_need_or_override_is_shown_at_its_fields_with_what_was_typed(
    client_for, transport_official, finance_officer, tender
):
    client = client_for(transport_official)
    page = client.post(
        reverse("finance:tender-need", args=[tender.reference]),
        {"fiscal_year": "1999", "budget_type": "opex", "amount": "900.00"},
        follow=True,
    ).content.decode()
    need = page.split(f'action="/finance/tenders/{tender.reference}/need/"')[1].split("</form>")[0]
    assert 'data-testid="error-summary"' in need and 'aria-invalid="true"' in need
    assert "1999" in need and "900" in need
    assert not tender.budget_needs.exists()
    tender.status = "submitted"
    tender.submitted_by = transport_official
    tender.save()
    page = (
        client_for(finance_officer)
        .post(reverse("finance:tender-override", args=[tender.reference]), {"reason": ""}, follow=True)
        .content.decode()
    )
    assert "Give the reason for the override." in page and 'aria-invalid="true"' in page
    assert not tender.funding_overrides.exists()


def test_a_refused_decision_is_shown_at_the_comment_of_that_row_with_the_typed_comment(
    client_for, finance_officer, tender, transport_line, request_contribution
):
    c = request_contribution(tender, transport_line, "100.00")
    response = client_for(finance_officer).post(
        reverse("finance:contribution-decide", args=[c.pk]),
        {"decision": "maybe", "comment": "Looks fine to me"},
        HTTP_HX_REQUEST="true",
    )
    row = response.text
    assert f'id="decision-error-{c.pk}"' in row and "Choose approve or reject." in row
    assert 'value="Looks fine to me"' in row and f'aria-describedby="decision-error-{c.pk}"' in row
    c.refresh_from_db()
    assert c.status == "requested"
