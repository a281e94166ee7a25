"""Chromium: the city in French and in Dutch.

A visitor whose browser asks for French reads the published tenders in French (the tender's own French title),
switches the page to Dutch from the header and lands on the same tender under /nl/; an official signs in,
switches the dashboard to French and then to Dutch, and the choice follows them to the next page."""

import re
from io import StringIO

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext
from playwright.sync_api import expect

from tests.signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def said_in(language: str, english: str) -> str:
    """What the catalogue says for `english` in `language` (and it must say something else than English)."""
    with translation.override(language):
        text = gettext(english)
    assert text != english, f"{english!r} has no {language} translation"
    return text


def switch_language(page, code: str) -> None:
    """Choose the language in the header and wait until the page has come back in it."""
    switcher = page.get_by_test_id("language-switcher")
    switcher.locator("select").select_option(code)
    switcher.get_by_role("button").click()
    expect(page.locator("html")).to_have_attribute("lang", code)
    page.wait_for_load_state()


@pytest.fixture
def demo_city():
    from django.core.management import call_command

    call_command("load_demo_city", stdout=StringIO())


def test_a_french_speaking_visitor_reads_the_public_tenders_in_french_then_switches_to_dutch(
    browser, live_server, demo_city
):
    from procurement.publication.selectors import tender_list_published

    tender = tender_list_published()[0]
    title = {code: tender.translations[code]["title"] for code in ("fr", "nl")}
    context = browser.new_context(base_url=live_server.url, locale="fr-BE")
    page = context.new_page()
    try:
        page.goto("/tenders/public/")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.get_by_role("heading", level=1)).to_have_text(said_in("fr", "Published tenders"))
        hreflangs = page.locator('link[rel="alternate"][hreflang]')
        assert {hreflangs.nth(i).get_attribute("hreflang") for i in range(hreflangs.count())} >= {
            "en",
            "fr",
            "nl",
        }

        expect(page.get_by_text(title["fr"]).first).to_be_visible()
        page.get_by_role("link", name=tender.reference, exact=True).click()
        expect(page).to_have_url(re.compile(rf"/tenders/public/{tender.reference}/$"))
        expect(page.get_by_text(title["fr"]).first).to_be_visible()

        switch_language(page, "nl")
        expect(page).to_have_url(re.compile(rf"/nl/tenders/public/{tender.reference}/$"))
        expect(page.get_by_text(title["nl"]).first).to_be_visible()
        expect(page.get_by_text(title["fr"])).to_have_count(0)
        # Back to the list, still in Dutch (the cookie remembers it).
        page.goto("/tenders/public/")
        expect(page.get_by_role("heading", level=1)).to_have_text(said_in("nl", "Published tenders"))
    finally:
        context.close()


def test_an_official_switches_the_dashboard_to_french_and_dutch_and_the_choice_is_remembered(page, demo_city):
    from django.contrib.auth import get_user_model

    from accounts.models import Profile
    from departments.demo import DEMO_PASSWORD

    sign_in(page, "luc", DEMO_PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Dashboard")).to_be_visible()

    switch_language(page, "fr")
    with translation.override("fr"):
        main = pgettext("navigation", "Main")
    navigation = page.get_by_role("navigation", name=main)
    expect(navigation.get_by_role("link", name=said_in("fr", "Dashboard"))).to_be_visible()
    luc = get_user_model().objects.get(username="luc")
    assert Profile.objects.get(user=luc).language == "fr"

    # The next page, and a new visit after signing in again, are French too.
    page.get_by_role("link", name=said_in("fr", "Departments")).first.click()
    expect(page).to_have_url(re.compile(r"/departments/$"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    switch_language(page, "nl")
    expect(page.get_by_role("button", name=said_in("nl", "Sign out"))).to_be_visible()
    assert Profile.objects.get(user=luc).language == "nl"
    # A new visit: no cookie, an English browser; the login page is English, then the profile decides.
    page.context.clear_cookies()
    sign_in(page, "luc", DEMO_PASSWORD)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "nl")
