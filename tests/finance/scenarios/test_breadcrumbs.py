"""The tender's budget and scenario pages lead back to the tender with one breadcrumb trail
(templates/_breadcrumbs.html): a <nav aria-label="Breadcrumb"> whose last item is the current page."""

import re

import pytest
from django.urls import reverse

from finance.services.scenarios import scenario_run_execute, scenario_run_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def succeeded_run(bus_stop_tender, small_assumptions, transport_official):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    return scenario_run_execute(run.pk)


def breadcrumb(html: str) -> str:
    found = re.search(r'<nav aria-label="Breadcrumb" class="breadcrumbs">(.*?)</nav>', html, re.S)
    assert found, "the page has no breadcrumb trail"
    return found.group(1)


def assert_leads_back_to_the_tender(html: str, tender, current: str) -> str:
    trail = breadcrumb(html)
    assert f'<a href="{reverse("procurement:tender-list")}">Tenders</a>' in trail
    assert (
        f'<a href="{reverse("procurement:tender-detail", args=[tender.reference])}">{tender.reference}</a>'
        in trail
    )
    assert f'<span aria-current="page">{current}</span>' in trail
    assert trail.count('aria-current="page"') == 1
    return trail


def test_the_budget_page_leads_back_to_the_tender(client_for, transport_official, bus_stop_tender):
    url = reverse("finance:contribution-request", kwargs={"reference": bus_stop_tender.reference})
    html = client_for(transport_official).get(url).content.decode()
    assert_leads_back_to_the_tender(html, bus_stop_tender, "Budget")


def test_the_scenario_assumptions_page_leads_back_to_the_tender(
    client_for, transport_official, bus_stop_tender
):
    url = reverse("finance:scenario-assumptions", kwargs={"reference": bus_stop_tender.reference})
    html = client_for(transport_official).get(url).content.decode()
    assert_leads_back_to_the_tender(html, bus_stop_tender, "Financing scenarios")


def test_a_run_leads_back_to_the_scenarios_and_the_tender(
    client_for, transport_official, bus_stop_tender, succeeded_run
):
    url = reverse("finance:scenario-run-detail", kwargs={"pk": succeeded_run.pk})
    html = client_for(transport_official).get(url).content.decode()
    trail = assert_leads_back_to_the_tender(html, bus_stop_tender, f"Run #{succeeded_run.pk}")
    scenarios = reverse("finance:scenario-assumptions", kwargs={"reference": bus_stop_tender.reference})
    assert f'<a href="{scenarios}">Financing scenarios</a>' in trail


def test_the_run_comparison_leads_back_to_the_tender(
    client_for, transport_official, bus_stop_tender, succeeded_run
):
    url = reverse("finance:scenario-compare", kwargs={"reference": bus_stop_tender.reference})
    html = (
        client_for(transport_official)
        .get(url, {"a": succeeded_run.pk, "b": succeeded_run.pk})
        .content.decode()
    )
    assert_leads_back_to_the_tender(html, bus_stop_tender, "Compare runs")


def test_on_the_tender_page_itself_the_reference_is_the_current_crumb(
    client_for, transport_official, bus_stop_tender
):
    bus_stop_tender.refresh_from_db()
    url = reverse("procurement:tender-detail", args=[bus_stop_tender.reference])
    html = client_for(transport_official).get(url).content.decode()
    trail = breadcrumb(html)
    assert f'<span aria-current="page">{bus_stop_tender.reference}</span>' in trail
