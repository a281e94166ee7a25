"""The public pages are cached for anonymous visitors, and no cached page is ever stale or someone else's."""

import pytest
from django.test import Client
from django.urls import reverse

from procurement.models import Tender
from procurement.publication.services import question_answer, question_ask, tender_amend
from tests.procurement.publication.factories import published_tender, transition

pytestmark = pytest.mark.django_db


def list_html(client) -> str:
    response = client.get(reverse("procurement:public-tender-list"))
    assert response.status_code == 200
    return response.content.decode()


def detail_html(client, tender) -> str:
    response = client.get(reverse("procurement:public-tender-detail", args=[tender.reference]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_anonymous_visit_is_served_from_the_cache_with_one_query(
    anonymous, transport, django_assert_num_queries
):
    tender = published_tender(lead=transport, title="Lit and safe stops")
    first_list, first_detail = list_html(anonymous), detail_html(anonymous, tender)
    with django_assert_num_queries(1):  # the public pages' version, nothing else
        assert list_html(anonymous) == first_list
    with django_assert_num_queries(1):
        assert detail_html(anonymous, tender) == first_detail


def test_a_publication_shows_at_once_on_the_cached_list(anonymous, transport, parks):
    published_tender(lead=transport, title="Lit and safe stops")
    assert "Greener parks" not in list_html(anonymous)
    published_tender(lead=parks, title="Greener parks")
    assert "Greener parks" in list_html(anonymous)


def test_an_amendment_shows_at_once_on_the_cached_list_and_page(anonymous, transport, transport_official):
    tender = published_tender(lead=transport, title="Lit and safe stops")
    assert "Lit and safe stops" in list_html(anonymous) and "Lit and safe stops" in detail_html(
        anonymous, tender
    )
    tender_amend(tender=tender, actor=transport_official, title="Brighter, safer stops")
    assert "Brighter, safer stops" in list_html(anonymous)
    html = detail_html(anonymous, tender)
    assert "Brighter, safer stops" in html and "tenderAmendment" in html


@pytest.mark.parametrize(
    "action, status, ocds_status",
    [("award", Tender.Status.AWARDED, "complete"), ("cancel", Tender.Status.CANCELLED, "cancelled")],
)
def test_an_award_or_a_cancellation_shows_at_once(anonymous, transport, action, status, ocds_status):
    tender = published_tender(lead=transport)
    assert f'badge {ocds_status}"' not in list_html(anonymous)
    assert f'badge {ocds_status}"' not in detail_html(anonymous, tender)
    transition(tender, action, status)
    assert f'badge {ocds_status}"' in list_html(anonymous)
    assert f'badge {ocds_status}"' in detail_html(anonymous, tender)


def test_an_answered_question_shows_at_once_on_the_cached_page(
    anonymous, transport, partner, transport_official
):
    tender = published_tender(lead=transport)
    question = question_ask(tender=tender, organisation=partner, question="Are cameras in scope?")
    assert "No answered questions yet." in detail_html(anonymous, tender)
    question_answer(question=question, answer="Yes, cameras are in scope.", actor=transport_official)
    assert "Yes, cameras are in scope." in detail_html(anonymous, tender)


def test_a_chosen_scenario_shows_at_once_on_the_cached_page(anonymous, transport):
    from decimal import Decimal

    from finance.models import FinancingChoice, ScenarioRun, ScenarioSummary

    tender = published_tender(lead=transport)
    assert "No financing scenario chosen." in detail_html(anonymous, tender)
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
    assert "777,777.00" in detail_html(anonymous, tender)


def test_a_renamed_department_shows_at_once_on_the_cached_list(anonymous, transport):
    published_tender(lead=transport)
    assert "Transport" in list_html(anonymous)
    transport.name = "Mobility and transport"
    transport.save()
    assert "Mobility and transport" in list_html(anonymous)


def test_an_official_never_gets_the_anonymous_page_nor_an_anonymous_visitor_the_officials(
    anonymous, transport, transport_official, client_for
):
    tender = published_tender(lead=transport)
    anonymous_first = detail_html(anonymous, tender)  # cached now
    assert "Amend this tender" not in anonymous_first and "Sign in" in anonymous_first
    official_html = detail_html(client_for(transport_official), tender)
    assert "Amend this tender" in official_html and 'data-testid="user-name"' in official_html
    assert "Amend this tender" not in detail_html(Client(), tender)
    assert 'data-testid="user-name"' not in list_html(Client())
    assert 'data-testid="user-name"' in list_html(client_for(transport_official))


def test_a_cached_page_carries_no_visitors_csrf_token(anonymous, transport):
    tender = published_tender(lead=transport)
    for html in (list_html(anonymous), detail_html(anonymous, tender)):
        assert '"X-CSRFToken": ""' in html
    assert "csrftoken" not in anonymous.cookies


def test_a_filtered_list_is_rendered_from_live_data(anonymous, transport, django_assert_max_num_queries):
    published_tender(lead=transport)
    url = reverse("procurement:public-tender-list")
    anonymous.get(url, {"department": "transport"})
    response = anonymous.get(url, {"department": "transport"})
    assert response.context is not None  # rendered again, not served from the cache


def test_a_visitor_with_a_waiting_message_gets_a_fresh_page_showing_it(transport, client):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest, HttpResponse

    tender = published_tender(lead=transport)
    detail_html(client, tender)  # the anonymous rendering is cached
    # A signed-out visitor is told so with a message; put one in the cookie storage the way Django does.
    request, response = HttpRequest(), HttpResponse()
    storage = CookieStorage(request)
    storage.add(constants.INFO, "You have signed out.")
    storage.update(response)
    client.cookies["messages"] = response.cookies["messages"].value
    assert "You have signed out." in detail_html(client, tender)
    assert "You have signed out." not in detail_html(Client(), tender)


def test_a_release_committed_after_one_with_a_larger_id_still_changes_the_versions(transport):
    # Two publications in flight: the one holding the smaller id commits last. The largest id alone would not
    # change, and the pages cached in between would stay stale for ever.
    from procurement.models import Release
    from procurement.publication.selectors import (
        forget_published_version,
        public_pages_version,
        published_version,
    )

    tender = published_tender(lead=transport)
    first = Release.objects.get(tender=tender)

    def release_with_id(pk: int, suffix: str) -> Release:
        return Release.objects.create(
            pk=pk, tender=tender, ocid=first.ocid, release_id=f"{first.release_id}-{suffix}", tag="tenderUpdate",
            date=first.date, data=first.data, content_hash=first.content_hash,
        )  # fmt: skip

    release_with_id(first.pk + 100, "late-id")
    forget_published_version()
    before = public_pages_version(), public_pages_version(reference=tender.reference), published_version()
    release_with_id(first.pk + 50, "early-id")  # committed after the one with the larger id
    forget_published_version()
    after = public_pages_version(), public_pages_version(reference=tender.reference), published_version()
    assert all(b != a for b, a in zip(before, after, strict=True))
