"""Published releases in the city's languages: `language` is the main one, the others are `title_fr`-style
variants (the OCDS multilingual convention), captured at publication and validated offline."""

import pytest
from django.test import override_settings
from django.utils import translation

from outcomes.models import Indicator, Outcome
from procurement.models import Tender
from procurement.publication.services import tender_amend
from procurement.publication.validation import release_errors
from tests.procurement.publication.factories import approved_tender, publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_reset():
    """A request with Accept-Language leaves its language active in this thread: start and end in English."""
    translation.deactivate()
    yield
    translation.deactivate()


TENDER_VARIANTS = {
    "fr": {"title": "Arrêts de bus sûrs", "description": "Abribus, éclairage et caméras en un seul service."},
    "nl": {"title": "Veilige bushaltes"},
}


def _published_with_variants(lead) -> Tender:
    tender = approved_tender(lead=lead, title="Safe bus stops", translations=TENDER_VARIANTS)
    Indicator.objects.filter(name="Night-time incidents at stops").update(
        translations={
            "fr": {"name": "Incidents nocturnes aux arrêts"},
            "nl": {"name": "Nachtelijke incidenten aan haltes"},
        }
    )
    Outcome.objects.filter(title="Safer stops at night").update(
        translations={"fr": {"title": "Des arrêts plus sûrs la nuit"}}
    )
    publish(tender)
    tender.refresh_from_db()
    return tender


def test_a_release_with_variants_validates_against_the_shipped_schema(transport):
    release = _published_with_variants(transport).releases.get().data
    assert release_errors(release, strict=True) == []


def test_the_variants_are_what_was_entered_and_language_is_the_main_language(transport):
    release = _published_with_variants(transport).releases.get().data
    tender = release["tender"]
    assert release["language"] == "en"
    assert tender["title"] == "Safe bus stops"
    assert tender["title_fr"] == "Arrêts de bus sûrs" and tender["title_nl"] == "Veilige bushaltes"
    assert tender["description_fr"] == "Abribus, éclairage et caméras en un seul service."
    (metric,) = tender["targets"]
    assert metric["title"] == "Night-time incidents at stops"
    assert metric["title_fr"] == "Incidents nocturnes aux arrêts"
    assert metric["title_nl"] == "Nachtelijke incidenten aan haltes"
    # The outcome's French title stands in the French description of the metric, in French words.
    assert metric["description_fr"].startswith("Résultat: Des arrêts plus sûrs la nuit.")
    assert metric["description"].startswith("Outcome: Safer stops at night.")


def test_an_untranslated_field_has_no_variant_key_at_all(transport):
    release = _published_with_variants(transport).releases.get().data
    assert "description_nl" not in release["tender"]
    # The outcome has no Dutch title: no Dutch metric description either (not an English copy, not "").
    assert "description_nl" not in release["tender"]["targets"][0]
    assert all(
        value != "" for key, value in release["tender"].items() if key.startswith(("title_", "description_"))
    )


def test_a_tender_without_variants_publishes_as_before(transport):
    tender = approved_tender(lead=transport)
    publish(tender)
    data = tender.releases.get().data
    assert data["language"] == "en"
    assert not [key for key in data["tender"] if key.startswith(("title_", "description_"))]
    assert release_errors(data, strict=True) == []


@override_settings(CITY_LANGUAGES=["fr", "nl"])
def test_a_french_speaking_city_publishes_in_french_with_dutch_variants(transport):
    tender = approved_tender(
        lead=transport, title="Arrêts de bus sûrs", translations={"nl": {"title": "Veilige bushaltes"}}
    )
    publish(tender)
    data = tender.releases.get().data
    assert data["language"] == "fr"
    assert (
        data["tender"]["title"] == "Arrêts de bus sûrs" and data["tender"]["title_nl"] == "Veilige bushaltes"
    )
    assert data["tender"]["targets"][0]["description"].startswith("Résultat: ")
    assert release_errors(data, strict=True) == []


def test_variants_are_captured_at_publication_and_changed_only_by_an_amendment(transport, transport_official):
    tender = _published_with_variants(transport)
    first = tender.releases.get()
    # A change of the live row does not touch what was published.
    Tender.objects.filter(pk=tender.pk).update(translations={"fr": {"title": "Autre titre"}})
    first.refresh_from_db()
    assert first.data["tender"]["title_fr"] == "Arrêts de bus sûrs"

    tender.refresh_from_db()
    amendment = tender_amend(
        tender=tender,
        actor=transport_official,
        translations={"fr": {"title": "Arrêts de bus sûrs et éclairés"}, "nl": {"title": "Veilige haltes"}},
    )
    assert amendment.data["tag"] == ["tenderAmendment"]
    assert amendment.data["tender"]["title_fr"] == "Arrêts de bus sûrs et éclairés"
    assert amendment.data["tender"]["title_nl"] == "Veilige haltes"
    assert release_errors(amendment.data, strict=True) == []
    assert first.data["tender"]["title_fr"] == "Arrêts de bus sûrs"
    assert tender.events.get(action="amend").comment == "Amended: title_fr, title_nl"
