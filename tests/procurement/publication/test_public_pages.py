from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.models import Tender
from tests.procurement.publication.factories import approved_tender, published_tender

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_sees_published_tenders_only(anonymous, transport):
    shown = published_tender(lead=transport, title="Lit and safe stops")
    hidden = approved_tender(lead=transport, title="Secret draft plan")
    response = anonymous.get(reverse("procurement:public-tender-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert shown.reference in html and "Lit and safe stops" in html
    assert hidden.reference not in html and "Secret draft plan" not in html
    assert "invalid name" not in html and "Published since" in html


def test_public_list_filters_and_reports_bad_filters(anonymous, transport, lighting, parks):
    both = published_tender(lead=transport, partners=[lighting])
    other = published_tender(lead=parks)
    html = anonymous.get(
        reverse("procurement:public-tender-list"), {"department": "lighting"}
    ).content.decode()
    assert both.reference in html and other.reference not in html
    response = anonymous.get(reverse("procurement:public-tender-list"), {"published_since": "soon"})
    assert response.status_code == 200
    assert "Enter an ISO 8601 date" in response.content.decode()
    assert both.reference not in response.content.decode()


@pytest.mark.parametrize("typed", ["Street lighting", "street LIGHTING", "LIGHTING", " lighting "])
def test_the_department_filter_matches_names_and_codes_in_any_case(
    anonymous, transport, lighting, parks, typed
):
    both = published_tender(lead=transport, partners=[lighting])
    other = published_tender(lead=parks)
    html = anonymous.get(reverse("procurement:public-tender-list"), {"department": typed}).content.decode()
    assert both.reference in html and other.reference not in html


def test_public_list_empty_state(anonymous, db):
    response = anonymous.get(reverse("procurement:public-tender-list"))
    assert "No published tender matches" in response.content.decode()


@pytest.mark.parametrize("status", [Tender.Status.DRAFT, Tender.Status.SUBMITTED, Tender.Status.APPROVED])
def test_unpublished_tender_page_is_a_404_like_a_missing_one(anonymous, transport, status):
    hidden = approved_tender(lead=transport, status=status)
    hidden_response = anonymous.get(reverse("procurement:public-tender-detail", args=[hidden.reference]))
    missing_response = anonymous.get(reverse("procurement:public-tender-detail", args=["T-0000-0000"]))
    assert hidden_response.status_code == missing_response.status_code == 404


def test_public_page_shows_pooled_budget_by_department_targets_and_history(anonymous, transport, lighting):
    tender = published_tender(lead=transport, partners=[lighting])
    response = anonymous.get(reverse("procurement:public-tender-detail", args=[tender.reference]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Pooled budget by department" in html
    assert "Transport total" in html and "Street lighting total" in html
    assert "62,000.50" in html and "62,002.50" in html  # each department's share
    assert "Night-time incidents at stops" in html
    assert "<svg" in html
    assert "tender" in html and "Release history" in html


def test_public_page_shows_the_chosen_scenario_summary(anonymous, transport):
    from decimal import Decimal

    from finance.models import FinancingChoice, ScenarioRun, ScenarioSummary

    tender = published_tender(lead=transport)
    run = ScenarioRun.objects.create(tender=tender, input_hash="y" * 64, inputs={}, status="succeeded")
    ScenarioSummary.objects.create(
        run=run,
        scenario="capex",
        npv=Decimal("777777.00"),
        whole_life_cost=Decimal("900000.00"),
        savings_vs_status_quo=Decimal("1.00"),
        year0_capex=Decimal("2.00"),
        peak_yearly_cost=Decimal("3.00"),
    )
    FinancingChoice.objects.create(tender=tender, run=run, scenario="capex")
    html = anonymous.get(
        reverse("procurement:public-tender-detail", args=[tender.reference])
    ).content.decode()
    assert "CapEx purchase" in html and "777,777.00" in html


def test_the_public_page_answers_what_why_cost_per_year_and_who_pays_in_plain_words(
    anonymous, transport, lighting
):
    tender = published_tender(lead=transport, partners=[lighting])
    html = anonymous.get(
        reverse("procurement:public-tender-detail", args=[tender.reference])
    ).content.decode()
    summary = html.split('data-testid="plain-summary"')[1].split("</section>")[0]
    assert "What the city buys" in summary and "Bus shelter of Transport" in summary
    assert "What it costs per year" in summary
    assert "2027: " in summary and "2028: " in summary
    assert "Who pays" in summary and "Street lighting: " in summary and "%)" in summary
    assert "Net present value" in summary and "OpEx" in summary


def test_the_plain_summary_reads_only_the_published_release():
    from procurement.publication.selectors import plain_summary

    release = {
        "tender": {
            "value": {"currency": "EUR"},
            "items": [{"description": "Replace: Street light of Street lighting"}],
            "targets": [
                {
                    "title": "Night-time incidents",
                    "observations": [
                        {"id": "baseline", "measure": 240, "unit": {"name": "incidents per year"}},
                        {
                            "id": "target",
                            "measure": 150,
                            "unit": {"name": "incidents per year"},
                            "period": {"endDate": "2028-12-31T23:59:59Z"},
                        },
                    ],
                }
            ],
        },
        "planning": {
            "budget": {
                "budgetBreakdown": [
                    {
                        "amount": {"amount": 750.5},
                        "period": {"startDate": "2027-01-01T00:00:00Z"},
                        "sourceParty": {"name": "Transport"},
                    },
                    {
                        "amount": {"amount": 250},
                        "period": {"startDate": "2027-01-01T00:00:00Z"},
                        "sourceParty": {"name": "Street lighting"},
                    },
                ]
            }
        },
    }
    summary = plain_summary(release=release)
    assert summary["promises"] == [
        "Night-time incidents: down from 240 to 150 incidents per year by 2028-12-31."
    ]
    assert summary["per_year"] == [{"year": 2027, "amount": Decimal("1000.5")}]
    assert [(p["name"], round(p["share"])) for p in summary["payers"]] == [
        ("Transport", 75),
        ("Street lighting", 25),
    ]
