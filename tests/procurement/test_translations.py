"""Tender pages, refusals, the history and the API's own messages in French and Dutch (issue 18).

The browser's Accept-Language chooses the language; English stays the source (the other tests read it).
"""

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from procurement.exceptions import TransitionBlocked
from procurement.models import TenderEvent
from procurement.services.tenders import tender_transition

FR = {"HTTP_ACCEPT_LANGUAGE": "fr"}
NL = {"HTTP_ACCEPT_LANGUAGE": "nl"}


@pytest.fixture(autouse=True)
def _back_to_english():
    """A request in French must not leave French active for the next test."""
    yield
    translation.activate("en")


def url(name, tender):
    return reverse(f"procurement:{name}", args=[tender.reference])


def test_the_officials_tender_page_speaks_french(client_for, transport_official, ready_draft):
    html = client_for(transport_official).get(url("tender-detail", ready_draft), **FR).content.decode()
    assert "Étapes suivantes" in html and "Informations de base" in html and "Services participants" in html
    assert "Soumettre pour approbation" in html and "Accords des services" in html
    assert ">Brouillon</span>" in html  # the status badge
    assert "Next steps" not in html and "Submit for approval" not in html and ">Draft</span>" not in html


def test_the_officials_tender_page_speaks_dutch(client_for, transport_official, ready_draft):
    html = client_for(transport_official).get(url("tender-detail", ready_draft), **NL).content.decode()
    assert "Volgende stappen" in html and "Basisgegevens" in html and "Deelnemende diensten" in html
    assert "Ter goedkeuring indienen" in html and "Akkoorden van de diensten" in html
    assert ">Concept</span>" in html
    assert "Next steps" not in html and "Department sign-offs" not in html


@pytest.mark.parametrize(
    "headers, heading, status, english",
    [
        (FR, "Appels d'offres", "Brouillon", "Lead department"),
        (NL, "Aanbestedingen", "Concept", "Lead department"),
    ],
)
def test_the_tender_list_in_french_and_dutch(
    client_for, transport_official, draft, headers, heading, status, english
):
    html = client_for(transport_official).get(reverse("procurement:tender-list"), **headers).content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert f">{status}</span>" in html
    assert english not in html


@pytest.mark.parametrize(
    "headers, drafts_panel, waiting_panel",
    [
        (FR, "Brouillons de votre service", "Appels d'offres en attente de votre action"),
        (NL, "Concepten van uw dienst", "Aanbestedingen die op uw actie wachten"),
    ],
)
def test_the_dashboard_panels_of_an_official_in_french_and_dutch(
    client_for, transport_official, draft, headers, drafts_panel, waiting_panel
):
    html = client_for(transport_official).get("/", **headers).content.decode()
    assert drafts_panel in html and waiting_panel in html
    assert "Drafts of your department" not in html and "Nothing is waiting for you." not in html


@pytest.mark.parametrize(
    "headers, refused, problem",
    [
        (FR, "a été refusé; rien n'a été modifié.", "Regroupez au moins un équipement."),
        (NL, "werd geweigerd; er werd niets gewijzigd.", "Bundel minstens één asset."),
    ],
)
def test_a_refused_submission_lists_its_problems_in_french_and_dutch(
    client_for, transport_official, draft, headers, refused, problem
):
    response = client_for(transport_official).post(
        url("tender-transition", draft), {"action": "submit", "comment": ""}, follow=True, **headers
    )
    form = response.content.decode().split('value="submit"')[1].split("</form>")[0]
    assert refused in form and problem in form
    assert "Bundle at least one asset." not in form


def test_the_submit_pre_flight_problems_are_in_the_language_of_the_request(transport_official, draft):
    for language, expected in [
        ("fr", "Regroupez au moins un équipement."),
        ("nl", "Bundel minstens één asset."),
        ("en", "Bundle at least one asset."),
    ]:
        with translation.override(language), pytest.raises(TransitionBlocked) as caught:
            tender_transition(tender=draft, action="submit", actor=transport_official)
        assert (
            any(expected in problem for problem in caught.value.problems) or expected in caught.value.message
        )
    with translation.override("fr"), pytest.raises(TransitionBlocked) as caught:
        tender_transition(tender=draft, action="submit", actor=transport_official)
    assert (
        caught.value.message
        == f"{draft.reference} ne peut pas faire l'objet de l'action “Soumettre pour approbation”:"
    )


def test_a_refused_basics_form_in_dutch(client_for, transport_official, transport):
    response = client_for(transport_official).post(
        reverse("procurement:tender-create"),
        {
            "title": "Bus stops",
            "lead_department": transport.pk,
            "contract_term_years": "31",
            "currency": "EUR",
        },
        **NL,
    )
    errors = response.context["form"].errors
    assert "De looptijd van het contract moet tussen 1 en 30 jaar liggen." in errors["contract_term_years"]
    assert "Looptijd van het contract (jaren)" in response.content.decode()


def test_the_history_is_shown_in_french_while_its_rows_keep_what_was_written(
    client_for, transport_official, ready_draft
):
    stored = list(TenderEvent.objects.filter(tender=ready_draft).values_list("action", "comment"))
    assert ("assets_add", "5 asset(s), upgrade") in stored
    html = client_for(transport_official).get(url("tender-detail", ready_draft), **FR).content.decode()
    history = html.split('id="history"')[1].split("</section>")[0]
    assert "Équipements ajoutés" in history and "5 équipements, moderniser" in history
    assert "Résultats visés définis" in history and "2 indicateurs" in history
    assert "Street lighting a donné son accord: 2 équipements, valeur de remplacement" in history
    assert "asset(s)" not in history and "gave its sign-off" not in history
    # The rows themselves are unchanged (append-only): English, as written.
    assert list(TenderEvent.objects.filter(tender=ready_draft).values_list("action", "comment")) == stored


@pytest.mark.parametrize(
    "path, params, field, french",
    [
        (
            "/api/v1/tenders/",
            {"published_since": "yesterday"},
            "published_since",
            "Saisissez une date ISO 8601",
        ),
        ("/api/v1/releases/", {"cursor": "not-a-cursor"}, "cursor", "Curseur non valide"),
    ],
)
def test_the_api_gives_its_validation_messages_in_french(db, path, params, field, french):
    cache.clear()  # throttle counters
    response = APIClient().get(path, params, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert french in response.json()[field][0]
    assert response.headers["Content-Language"] == "fr"
