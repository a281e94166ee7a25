"""A person chooses their language in the header: signed in it is saved (with a history row), for everybody
it is remembered in the language cookie, and the switcher only ever sends people back to this site."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.models import Profile
from accounts.selectors import preferred_language
from accounts.services import set_language
from departments.models import AuditEvent

pytestmark = pytest.mark.django_db

COOKIE = settings.LANGUAGE_COOKIE_NAME


def switch(client, language, next_url="/"):
    return client.post(reverse("set-language"), {"language": language, "next": next_url})


def test_choosing_a_language_saves_it_on_the_profile_with_one_history_row(transport_official):
    set_language(transport_official, "fr")

    assert preferred_language(transport_official) == "fr"
    event = AuditEvent.objects.get(action="profile.language")
    assert event.actor == transport_official and event.data == {"from": "", "to": "fr"}


def test_choosing_the_same_language_again_writes_no_history(transport_official):
    set_language(transport_official, "nl")
    set_language(transport_official, "nl")

    assert AuditEvent.objects.filter(action="profile.language").count() == 1


@pytest.mark.parametrize(
    "language, words",
    [("fr", "Choisissez l'une des langues proposées."), ("nl", "Kies een van de aangeboden talen.")],
)
def test_a_language_that_is_not_offered_is_refused_in_the_persons_language(
    transport_official, language, words
):
    with translation.override(language), pytest.raises(ValidationError) as refused:
        set_language(transport_official, "de")

    assert refused.value.message_dict == {"language": [words]}
    assert not Profile.objects.filter(user=transport_official).exists()


def test_a_signed_in_person_switching_saves_the_profile_sets_the_cookie_and_goes_back(
    client_for, transport_official
):
    client = client_for(transport_official)

    response = switch(client, "fr", "/departments/?page=2")

    assert response.status_code == 302 and response.url == "/departments/?page=2"
    assert response.cookies[COOKIE].value == "fr"
    assert Profile.objects.get(user=transport_official).language == "fr"
    assert AuditEvent.objects.filter(action="profile.language", actor=transport_official).count() == 1
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="fr">' in page and "Se déconnecter" in page


def test_an_anonymous_visitor_switching_only_sets_the_cookie_and_lands_on_the_page_in_that_language(
    anonymous,
):
    response = switch(anonymous, "nl", reverse("procurement:public-tender-list"))

    assert response.status_code == 302 and response.url == "/nl/tenders/public/"
    assert response.cookies[COOKIE].value == "nl"
    assert not Profile.objects.exists()
    login_page = anonymous.get(reverse("login")).content.decode()
    assert '<html lang="nl">' in login_page and "Aanmelden" in login_page


def test_switching_back_to_english_on_a_french_public_page_lands_on_the_unprefixed_page(anonymous):
    response = switch(anonymous, "en", "/fr/tenders/public/?page=1")

    assert response.url == "/tenders/public/?page=1"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/path", "javascript:alert(1)"])
def test_the_switcher_never_sends_anyone_to_another_site(anonymous, next_url):
    response = switch(anonymous, "fr", next_url)

    assert response.status_code == 302 and response.url == "/"


def test_a_language_that_is_not_offered_changes_nothing(client_for, transport_official):
    client = client_for(transport_official)

    response = switch(client, "de", "/departments/")

    assert response.url == "/departments/" and COOKIE not in response.cookies
    assert not Profile.objects.filter(user=transport_official).exists()


def test_a_signed_in_persons_switch_needs_the_csrf_token(transport_official):
    client = Client(enforce_csrf_checks=True)
    client.force_login(transport_official)

    response = switch(client, "fr")

    assert response.status_code == 403
    assert not Profile.objects.filter(user=transport_official).exists()


def test_an_anonymous_switch_works_from_a_cached_public_page_that_carries_no_csrf_token(anonymous):
    client = Client(enforce_csrf_checks=True)

    response = switch(client, "fr", "/tenders/public/")

    assert response.status_code == 302 and response.cookies[COOKIE].value == "fr"


def test_the_switcher_is_a_labelled_form_that_names_each_language_in_its_own_language(anonymous):
    page = anonymous.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    assert '<label for="language-choice">Langue</label>' in page
    assert '<option value="fr" lang="fr" selected>Français</option>' in page
    assert '<option value="nl" lang="nl">Nederlands</option>' in page
    assert '<option value="en" lang="en">English</option>' in page
    assert "Changer de langue" in page


def test_signing_in_brings_the_profile_language_into_the_cookie(transport_official):
    Profile.objects.create(user=transport_official, language="nl")
    client = Client()
    client.force_login(transport_official)

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")

    assert response.cookies[COOKIE].value == "nl"
    assert "Afmelden" in response.content.decode()
