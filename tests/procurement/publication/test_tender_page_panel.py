import pytest
from django.urls import reverse

from procurement.publication.services import question_ask
from tests.procurement.publication.factories import approved_tender, published_tender

pytestmark = pytest.mark.django_db


def test_tender_page_shows_releases_and_lets_the_lead_official_answer(
    client_for, transport_official, partner, transport
):
    tender = published_tender(lead=transport, created_by=transport_official)
    question = question_ask(tender=tender, organisation=partner, question="Is data open?")
    html = (
        client_for(transport_official)
        .get(reverse("procurement:tender-detail", args=[tender.reference]))
        .content.decode()
    )
    assert tender.releases.get().release_id in html
    assert "Is data open?" in html
    assert reverse("procurement:question-answer", args=[question.pk]) in html


def test_tender_page_of_unpublished_tender_says_nothing_is_public(client_for, transport_official, transport):
    tender = approved_tender(lead=transport, created_by=transport_official)
    html = (
        client_for(transport_official)
        .get(reverse("procurement:tender-detail", args=[tender.reference]))
        .content.decode()
    )
    assert "Not published" in html
