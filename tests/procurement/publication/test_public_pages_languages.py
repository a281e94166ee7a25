"""The public tender pages in the reader's language: the page's own words from the catalogues, and the city's
content (title, description, indicator names) from the release's language variants, with the main-language
text where a variant was not entered."""

from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from outcomes.models import Indicator
from tests.procurement.publication.factories import approved_tender, publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_reset():
    """A request with Accept-Language leaves its language active in this thread: start and end in English."""
    translation.deactivate()
    yield
    translation.deactivate()


def _published(lead):
    tender = approved_tender(
        lead=lead,
        title="Safe bus stops",
        description="Shelters, light and cameras as one service.",
        translations={
            "fr": {
                "title": "Arrêts de bus sûrs",
                "description": "Abribus, éclairage et caméras en un service.",
            },
            "nl": {"title": "Veilige bushaltes"},
        },
    )
    Indicator.objects.filter(name="Night-time incidents at stops").update(
        translations={"fr": {"name": "Incidents nocturnes aux arrêts"}}
    )
    publish(tender)
    tender.refresh_from_db()
    return tender


def _page(client, name, language, *args):
    return client.get(reverse(name, args=args), HTTP_ACCEPT_LANGUAGE=language).content.decode()


def test_the_list_reads_in_french_with_the_french_titles(anonymous, transport):
    _published(transport)
    html = _page(anonymous, "procurement:public-tender-list", "fr")
    assert "Appels d'offres publiés" in html and "Arrêts de bus sûrs" in html
    assert "Service pilote" in html and "en cours" in html
    # (The site's navigation is the layout's, translated with it.)
    assert "<h1>Published tenders</h1>" not in html and "Safe bus stops" not in html


def test_the_list_reads_in_dutch_with_the_dutch_titles(anonymous, transport):
    _published(transport)
    html = _page(anonymous, "procurement:public-tender-list", "nl")
    assert "Gepubliceerde aanbestedingen" in html and "Veilige bushaltes" in html
    assert "<h1>Published tenders</h1>" not in html and "Safe bus stops" not in html


def test_english_readers_see_the_main_language(anonymous, transport):
    _published(transport)
    html = _page(anonymous, "procurement:public-tender-list", "en")
    assert "Published tenders" in html and "Safe bus stops" in html and "Arrêts de bus sûrs" not in html


def test_the_tender_page_in_french_shows_french_content_and_words(anonymous, transport):
    tender = _published(transport)
    html = _page(anonymous, "procurement:public-tender-detail", "fr", tender.reference)
    assert "<h1>Arrêts de bus sûrs" in html
    assert "Abribus, éclairage et caméras en un service." in html
    assert "Incidents nocturnes aux arrêts" in html
    assert "Cet appel d'offres en termes simples" in html and "Budget mis en commun par service" in html
    assert "10 ans" in html and "exercice 2027" in html
    assert "This tender in plain words" not in html and "Night-time incidents at stops" not in html


def test_the_tender_page_in_dutch_falls_back_to_the_main_language_where_nothing_was_entered(
    anonymous, transport
):
    tender = _published(transport)
    html = _page(anonymous, "procurement:public-tender-detail", "nl", tender.reference)
    assert "<h1>Veilige bushaltes" in html and "Deze aanbesteding in eenvoudige woorden" in html
    # No Dutch description and no Dutch indicator name were entered: the English ones stand in.
    assert "Shelters, light and cameras as one service." in html
    assert "Night-time incidents at stops" in html
    assert "10 jaar" in html and "Resultaten en streefwaarden" in html


def test_the_plain_summary_promises_in_the_readers_language(anonymous, transport):
    tender = _published(transport)
    html = unescape(_page(anonymous, "procurement:public-tender-detail", "fr", tender.reference))
    # (The number is written per locale by config/numbers.py: 55.5 or 55,5.)
    assert "<li>Incidents nocturnes aux arrêts: de 100 à 55" in html
    assert "incidents per month (baisse) d'ici le 20" in html


def test_an_anonymous_page_cached_in_one_language_is_not_served_in_another(anonymous, transport):
    tender = _published(transport)
    english = _page(anonymous, "procurement:public-tender-detail", "en", tender.reference)
    french = _page(anonymous, "procurement:public-tender-detail", "fr", tender.reference)
    assert "<h1>Safe bus stops" in english and "<h1>Arrêts de bus sûrs" in french
    assert "<h1>Arrêts de bus sûrs" in _page(
        anonymous, "procurement:public-tender-detail", "fr", tender.reference
    )


def test_an_official_amends_a_translation_from_the_french_amendment_page(
    client_for, transport_official, transport
):
    tender = _published(transport)
    client = client_for(transport_official)
    url = reverse("procurement:public-tender-amend", args=[tender.reference])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Modifier l'appel d'offres publié" in page and "Titre (Nederlands)" in page
    assert 'value="Veilige bushaltes"' in page
    response = client.post(
        url,
        {
            "title": tender.title,
            "description": tender.description,
            "tender_period_start": tender.tender_period_start.isoformat(),
            "tender_period_end": tender.tender_period_end.isoformat(),
            "title_fr": "Arrêts de bus sûrs",
            "description_fr": "Abribus, éclairage et caméras en un service.",
            "title_nl": "Veilige en verlichte bushaltes",
            "comment": "Nederlandse titel verbeterd",
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 302
    latest = tender.releases.order_by("date").last()
    assert latest.tag == "tenderAmendment"
    assert latest.data["tender"]["title_nl"] == "Veilige en verlichte bushaltes"
    assert latest.data["tender"]["title_fr"] == "Arrêts de bus sûrs"


def test_an_amendment_that_changes_nothing_is_refused_in_dutch(client_for, transport_official, transport):
    tender = _published(transport)
    url = reverse("procurement:public-tender-amend", args=[tender.reference])
    response = client_for(transport_official).post(
        url,
        {
            "title": tender.title,
            "description": tender.description,
            "tender_period_start": tender.tender_period_start.isoformat(),
            "tender_period_end": tender.tender_period_end.isoformat(),
            "title_fr": "Arrêts de bus sûrs",
            "description_fr": "Abribus, éclairage et caméras en un service.",
            "title_nl": "Veilige bushaltes",
            "comment": "Niets",
        },
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert (
        "Wijzig minstens één veld: een wijziging publiceert een nieuwe OCDS-release."
        in response.content.decode()
    )
    assert tender.releases.count() == 1


def test_the_refusal_to_amend_reads_in_dutch(client_for, parks_official, transport):
    tender = _published(transport)
    url = reverse("procurement:public-tender-amend", args=[tender.reference])
    response = client_for(parks_official).get(url, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == 403
    assert "U mag deze aanbesteding niet wijzigen" in response.content.decode()
