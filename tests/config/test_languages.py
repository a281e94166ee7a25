"""Every page in the visitor's language: the URL prefix on public pages, then the person's own choice, the
cookie, the browser; public pages under /fr/ and /nl/ with hreflang links; caches that never mix languages."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Profile
from config.i18n import url_in_language
from tests.procurement.publication.factories import published_tender

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- Public pages in every language ------------------------------------------------------------------------


def test_public_pages_are_reachable_unprefixed_and_under_fr_and_nl_with_their_names_unchanged(
    anonymous, transport
):
    tender = published_tender(lead=transport)
    assert reverse("procurement:public-tender-list") == "/tenders/public/"
    detail = reverse("procurement:public-tender-detail", args=[tender.reference])
    assert detail == f"/tenders/public/{tender.reference}/"
    with translation.override("fr"):
        assert reverse("procurement:public-tender-list") == "/fr/tenders/public/"
        assert reverse("procurement:tender-list") == "/tenders/"  # city pages have no language prefix

    assert '<html lang="en">' in html(anonymous.get(detail))
    assert '<html lang="fr">' in html(anonymous.get(f"/fr{detail}"))
    assert '<html lang="nl">' in html(anonymous.get(f"/nl{detail}"))
    assert anonymous.get("/en/tenders/public/").status_code == 404
    assert anonymous.get("/fr/departments/").status_code == 404


def test_an_unprefixed_public_page_follows_the_browsers_language(anonymous):
    page = html(anonymous.get("/tenders/public/", HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9,en;q=0.5"))

    assert '<html lang="nl">' in page and "Gepubliceerde aanbestedingen" in page and "Aanmelden" in page


def test_links_on_a_french_public_page_stay_in_french(anonymous):
    page = html(anonymous.get("/fr/tenders/public/"))

    assert 'href="/fr/tenders/public/"' in page  # the public menu
    assert "Appels d&#x27;offres publiés" in page or "Appels d'offres publiés" in page


def test_every_public_page_names_its_versions_in_every_language_with_hreflang(anonymous, transport):
    tender = published_tender(lead=transport)
    path = f"/tenders/public/{tender.reference}/"

    page = html(anonymous.get(f"/nl{path}"))

    for language, href in [
        ("en", f"http://testserver{path}"),
        ("fr", f"http://testserver/fr{path}"),
        ("nl", f"http://testserver/nl{path}"),
        ("x-default", f"http://testserver{path}"),
    ]:
        assert f'<link rel="alternate" hreflang="{language}" href="{href}">' in page


def test_a_page_without_language_versions_has_no_hreflang_links(anonymous):
    assert 'hreflang="' not in html(anonymous.get(reverse("login")))


def test_the_same_page_in_another_language_keeps_its_query():
    assert url_in_language("/tenders/public/?page=2", "fr") == "/fr/tenders/public/?page=2"
    assert url_in_language("/fr/tenders/public/", "nl") == "/nl/tenders/public/"
    assert url_in_language("/nl/tenders/public/", "en") == "/tenders/public/"
    assert url_in_language("/departments/", "fr") == "/departments/"


# --- Who decides the language --------------------------------------------------------------------------------


def test_the_persons_profile_language_wins_over_the_browser_on_unprefixed_pages(transport_official):
    Profile.objects.create(user=transport_official, language="nl")
    client = Client()
    client.force_login(transport_official)

    page = html(client.get("/", HTTP_ACCEPT_LANGUAGE="fr"))

    assert '<html lang="nl">' in page and "Welkom" in page and "Afmelden" in page


def test_a_language_prefix_wins_over_the_profile_on_public_pages(transport_official):
    Profile.objects.create(user=transport_official, language="nl")
    client = Client()
    client.force_login(transport_official)

    page = html(client.get("/fr/tenders/public/"))

    assert '<html lang="fr">' in page and "Se déconnecter" in page


def test_without_a_profile_choice_the_cookie_then_the_browser_decide(client_for, transport_official):
    client = client_for(transport_official)
    assert '<html lang="fr">' in html(client.get("/", HTTP_ACCEPT_LANGUAGE="fr"))

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    assert '<html lang="nl">' in html(client.get("/", HTTP_ACCEPT_LANGUAGE="fr"))


def test_a_request_in_french_leaves_no_french_behind_for_what_runs_next(anonymous):
    html(anonymous.get("/tenders/public/", HTTP_ACCEPT_LANGUAGE="fr"))

    assert translation.get_language() == settings.LANGUAGE_CODE
    assert reverse("procurement:public-tender-list") == "/tenders/public/"


# --- The page cache and Vary ---------------------------------------------------------------------------------


def test_the_public_page_cache_keeps_one_rendering_per_language(anonymous, transport):
    published_tender(lead=transport)

    english = html(anonymous.get("/tenders/public/", HTTP_ACCEPT_LANGUAGE="en"))
    french = html(anonymous.get("/tenders/public/", HTTP_ACCEPT_LANGUAGE="fr"))
    english_again = html(anonymous.get("/tenders/public/", HTTP_ACCEPT_LANGUAGE="en"))
    dutch = html(anonymous.get("/tenders/public/", HTTP_ACCEPT_LANGUAGE="nl"))

    assert '<html lang="en">' in english and "Sign in" in english
    assert '<html lang="fr">' in french and "Se connecter" in french
    assert english_again == english
    assert '<html lang="nl">' in dutch and "Aanmelden" in dutch


def test_an_unprefixed_public_page_tells_caches_that_it_varies_by_language_and_cookie(anonymous):
    response = anonymous.get("/tenders/public/")

    vary = {value.strip() for value in response["Vary"].split(",")}
    assert {"Accept-Language", "Cookie"} <= vary
    assert response["Content-Language"] == "en"


# --- Pages of the shell in French and Dutch ------------------------------------------------------------------


@pytest.mark.parametrize(
    "language, words, not_english",
    [
        ("fr", ["Se connecter", "Nom d’utilisateur", "Mot de passe", "Aller au contenu"], "Skip to content"),
        ("nl", ["Aanmelden", "Gebruikersnaam", "Wachtwoord", "Naar de inhoud"], "Skip to content"),
    ],
)
def test_the_login_page_speaks_french_and_dutch(anonymous, language, words, not_english):
    page = html(anonymous.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=language))

    for word in words:
        assert word in page
    assert not_english not in page and ">Sign in<" not in page


@pytest.mark.parametrize(
    "language, summary",
    [
        ("fr", "Rien n'a été enregistré. Veuillez corriger ces problèmes:"),
        ("nl", "Er werd niets opgeslagen. Verbeter deze problemen:"),
    ],
)
def test_a_refused_sign_in_is_summarised_in_french_and_dutch(
    anonymous, transport_official, language, summary
):
    response = anonymous.post(
        reverse("login"), {"username": "tina", "password": "wrong"}, HTTP_ACCEPT_LANGUAGE=language
    )

    page = html(response)
    assert summary in page and "Nothing was saved" not in page


@pytest.mark.parametrize(
    "language, words",
    [
        (
            "fr",
            [
                "Bienvenue, Tina Transport",
                "Tableau de bord",
                "Boîte de réception",
                "Services",
                "Se déconnecter",
            ],
        ),
        ("nl", ["Welkom, Tina Transport", "Dashboard", "Inbox", "Diensten", "Afmelden"]),
    ],
)
def test_the_dashboard_shell_speaks_french_and_dutch(client_for, transport_official, language, words):
    page = html(client_for(transport_official).get("/", HTTP_ACCEPT_LANGUAGE=language))

    for word in words:
        assert word in page
    assert "Welcome," not in page and "Sign out" not in page


@pytest.mark.parametrize("language, title", [("fr", "Page introuvable"), ("nl", "Pagina niet gevonden")])
def test_the_not_found_page_speaks_french_and_dutch(anonymous, language, title):
    response = anonymous.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    assert title in response.content.decode() and "Page not found" not in response.content.decode()


# --- The API's own messages ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language, detail", [("fr", "Non trouvé."), ("nl", "Niet gevonden.")])
def test_the_api_answers_a_missing_tender_in_the_language_asked_for(anonymous, language, detail):
    response = anonymous.get("/api/v1/tenders/T-2099-0001/", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 404
    assert response.json() == {"detail": detail}
    assert response["Content-Language"] == language


def test_the_api_stays_unprefixed(anonymous):
    assert anonymous.get("/fr/api/v1/tenders/").status_code == 404
    with translation.override("fr"):
        assert reverse("api:tender-list") == "/api/v1/tenders/"


def test_a_request_inside_a_language_override_gives_the_override_back_afterwards(anonymous):
    with translation.override("nl"):
        html(anonymous.get("/tenders/public/", HTTP_ACCEPT_LANGUAGE="fr"))
        assert translation.get_language() == "nl"
    assert translation.get_language() == settings.LANGUAGE_CODE


@pytest.mark.parametrize(
    "language, words",
    [
        ("fr", "Sélectionnez un choix valide. bogus n’en fait pas partie."),
        ("nl", "Selecteer een geldige keuze. bogus is geen beschikbare keuze."),
    ],
)
def test_the_api_refuses_a_bad_filter_in_the_language_asked_for(anonymous, language, words):
    response = anonymous.get("/api/v1/tenders/?status=bogus", HTTP_ACCEPT_LANGUAGE=language)

    assert response.status_code == 400
    assert response.json() == {"status": [words]}
