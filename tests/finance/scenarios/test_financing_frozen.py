"""Financing is frozen from approval on (issue 12 §6): once a tender is approved, published or awarded, nobody
chooses another scenario, edits the assumptions or runs the scenarios again — in the services, on the pages
(no buttons), and so the partner API keeps showing what was published.
"""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from finance.exceptions_scenarios import FinancingFrozen
from finance.models import FinancingChoice, ScenarioAssumptions, ScenarioRun
from finance.services.scenarios import (
    scenario_assumptions_save,
    scenario_choose,
    scenario_run_execute,
    scenario_run_request,
)
from procurement.models import Release, Tender, TenderEvent

pytestmark = pytest.mark.django_db

FROZEN_STATUSES = ["approved", "published", "awarded", "cancelled"]


@pytest.fixture
def chosen_run(bus_stop_tender, small_assumptions, transport_official):
    """A succeeded run of the submitted tender, with CapEx purchase chosen while it was still open."""
    run = scenario_run_execute(
        scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False).pk
    )
    scenario_choose(run=run, scenario="capex", actor=transport_official)
    return run


def _move_to(tender: Tender, status: str) -> Tender:
    Tender.objects.filter(pk=tender.pk).update(status=status)
    tender.refresh_from_db()
    return tender


def _choice(tender):
    return FinancingChoice.objects.filter(tender=tender).values_list("scenario", "run_id").get()


# --- Services ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", FROZEN_STATUSES)
def test_another_scenario_cannot_be_chosen(status, chosen_run, transport_official):
    tender = _move_to(chosen_run.tender, status)
    events = TenderEvent.objects.filter(tender=tender).count()
    with pytest.raises(FinancingFrozen, match=f"financing of {tender.reference} is frozen"):
        scenario_choose(run=chosen_run, scenario="opex_service", actor=transport_official)
    assert _choice(tender) == ("capex", chosen_run.pk)
    assert TenderEvent.objects.filter(tender=tender).count() == events


@pytest.mark.parametrize("status", FROZEN_STATUSES)
def test_assumptions_cannot_be_edited(status, chosen_run, transport_official):
    tender = _move_to(chosen_run.tender, status)
    with pytest.raises(FinancingFrozen, match="frozen"):
        scenario_assumptions_save(tender=tender, values={"discount_rate": "0.05"}, actor=transport_official)
    assert str(ScenarioAssumptions.objects.get(tender=tender).discount_rate) == "0.0350"


@pytest.mark.parametrize("status", FROZEN_STATUSES)
def test_scenarios_cannot_be_run_again(status, chosen_run, transport_official):
    tender = _move_to(chosen_run.tender, status)
    runs = ScenarioRun.objects.filter(tender=tender).count()
    with pytest.raises(FinancingFrozen):
        scenario_run_request(tender=tender, actor=transport_official, enqueue=False)
    assert ScenarioRun.objects.filter(tender=tender).count() == runs


@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_while_the_tender_is_prepared_the_choice_may_change(status, chosen_run, transport_official):
    tender = _move_to(chosen_run.tender, status)
    scenario_choose(run=chosen_run, scenario="opex_service", actor=transport_official)
    assert _choice(tender) == ("opex_service", chosen_run.pk)


# --- Pages ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["approved", "published"])
def test_the_choose_url_refuses_with_a_clear_message(status, client_for, chosen_run, transport_official):
    tender = _move_to(chosen_run.tender, status)
    client = client_for(transport_official)
    response = client.post(
        reverse("finance:scenario-choose", kwargs={"pk": chosen_run.pk}),
        {"scenario": "opex_service"},
        follow=True,
    )
    assert f"The financing of {tender.reference} is frozen" in response.text
    assert _choice(tender) == ("capex", chosen_run.pk)


@pytest.mark.parametrize("status", ["approved", "published"])
def test_the_pages_offer_no_choose_save_or_run_button(status, client_for, chosen_run, transport_official):
    tender = _move_to(chosen_run.tender, status)
    client = client_for(transport_official)
    results = client.get(reverse("finance:scenario-run-detail", kwargs={"pk": chosen_run.pk})).text
    assert "Choose</button>" not in results
    assert 'data-testid="financing-frozen"' in results
    page = client.get(reverse("finance:scenario-assumptions", kwargs={"reference": tender.reference})).text
    assert "Save assumptions" not in page and "Run scenarios</button>" not in page
    assert 'data-testid="financing-frozen"' in page


def test_the_pages_still_offer_the_buttons_while_submitted(client_for, chosen_run, transport_official):
    client = client_for(transport_official)
    results = client.get(reverse("finance:scenario-run-detail", kwargs={"pk": chosen_run.pk})).text
    assert "Choose</button>" in results and 'data-testid="financing-frozen"' not in results
    page = client.get(
        reverse("finance:scenario-assumptions", kwargs={"reference": chosen_run.tender.reference})
    ).text
    assert "Save assumptions" in page and "Run scenarios</button>" in page


@pytest.mark.parametrize("status", ["approved", "published"])
def test_posting_assumptions_or_a_run_is_refused_with_a_clear_message(
    status, client_for, chosen_run, transport_official
):
    from tests.finance.scenarios.test_scenario_views import form_data

    tender = _move_to(chosen_run.tender, status)
    client = client_for(transport_official)
    url = reverse("finance:scenario-assumptions", kwargs={"reference": tender.reference})
    response = client.post(url, form_data(discount_rate="5"), follow=True)
    assert "is frozen" in response.text
    assert str(ScenarioAssumptions.objects.get(tender=tender).discount_rate) == "0.0350"
    runs = ScenarioRun.objects.filter(tender=tender).count()
    response = client.post(
        reverse("finance:scenario-run-create", kwargs={"reference": tender.reference}), follow=True
    )
    assert "is frozen" in response.text
    assert ScenarioRun.objects.filter(tender=tender).count() == runs


# --- What partners read --------------------------------------------------------------------------------------


def test_after_publication_the_partner_api_shows_the_published_choice_unchanged(
    client_for, chosen_run, transport_official, partner
):
    from procurement.publication.tokens import token_create
    from tests.procurement.publication.factories import publish

    tender = chosen_run.tender
    Tender.objects.filter(pk=tender.pk).update(
        status="approved",
        tender_period_start=datetime.date(2027, 3, 1),
        tender_period_end=datetime.date(2027, 5, 31),
    )
    tender.refresh_from_db()
    publish(tender)
    _, key = token_create(organisation=partner, name="bids")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    url = f"/api/v1/tenders/{tender.reference}/scenario/"
    before = api.get(url).json()
    assert before["chosen_scenario"] == "capex"
    releases = Release.objects.filter(tender=tender).count()

    client = client_for(transport_official)
    client.post(
        reverse("finance:scenario-choose", kwargs={"pk": chosen_run.pk}), {"scenario": "opex_service"}
    )
    form = {"discount_rate": "5", "project_type": "standard_buildings"}
    client.post(reverse("finance:scenario-assumptions", kwargs={"reference": tender.reference}), form)

    from django.core.cache import cache

    cache.clear()  # the API may cache pages: read what is stored now
    assert api.get(url).json() == before
    assert Release.objects.filter(tender=tender).count() == releases


def test_the_admin_shows_frozen_assumptions_read_only(client, chosen_run, admin_user):
    assumptions = ScenarioAssumptions.objects.get(tender=chosen_run.tender)
    url = reverse("admin:finance_scenarioassumptions_change", args=[assumptions.pk])
    client.force_login(admin_user)
    assert 'name="_save"' in client.get(url).text
    _move_to(chosen_run.tender, "published")
    assert 'name="_save"' not in client.get(url).text
    assert client.post(url, {"discount_rate": "0.05"}).status_code == 403
    assumptions.refresh_from_db()
    assert str(assumptions.discount_rate) == "0.0350"
