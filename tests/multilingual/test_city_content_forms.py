"""Officials enter the city's content in its other languages next to the main-language text: one field per
language on the tender, outcome and indicator forms, saved by the services with the history row."""

import pytest
from django.urls import reverse

from outcomes.models import Indicator, Outcome, OutcomeEvent
from procurement.models import Tender
from tests.factories import IndicatorFactory, OutcomeFactory

pytestmark = pytest.mark.django_db

BASICS = {
    "title": "Smart, safe bus stops",
    "description": "Shelters, lights and cameras",
    "procurement_method": "open",
    "main_category": "services",
    "contract_term_years": "10",
    "tender_period_start": "2027-03-01",
    "tender_period_end": "2027-04-30",
    "currency": "EUR",
}


def test_the_tender_form_has_one_title_and_description_field_per_other_city_language(
    client_for, transport_official
):
    html = client_for(transport_official).get(reverse("procurement:tender-create")).content.decode()
    for label in (
        "Title (Français)",
        "Description (Français)",
        "Title (Nederlands)",
        "Description (Nederlands)",
    ):
        assert label in html
    assert 'name="title_fr"' in html and 'lang="nl"' in html
    assert "Title (English)" not in html  # the main language is the base field itself


def test_the_variant_labels_read_in_the_officials_language(client_for, transport_official):
    french = client_for(transport_official).get(
        reverse("procurement:tender-create"), HTTP_ACCEPT_LANGUAGE="fr"
    )
    dutch = client_for(transport_official).get(
        reverse("procurement:tender-create"), HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert "Titre (Nederlands)" in french.content.decode()
    assert "Titel (Français)" in dutch.content.decode()


def test_an_official_drafts_a_tender_with_its_french_and_dutch_titles(
    client_for, transport_official, transport
):
    client_for(transport_official).post(
        reverse("procurement:tender-create"),
        {
            **BASICS,
            "lead_department": transport.pk,
            "title_fr": "  Arrêts de bus intelligents et sûrs ",
            "title_nl": "Slimme, veilige bushaltes",
            "description_nl": "",
        },
    )
    tender = Tender.objects.get()
    assert tender.title == "Smart, safe bus stops"
    assert tender.translations == {
        "fr": {"title": "Arrêts de bus intelligents et sûrs"},
        "nl": {"title": "Slimme, veilige bushaltes"},
    }
    assert tender.events.get().comment == "Translated: title_fr, title_nl"


def test_editing_the_basics_records_which_variants_changed(client_for, transport_official, transport):
    client = client_for(transport_official)
    client.post(
        reverse("procurement:tender-create"), {**BASICS, "lead_department": transport.pk, "title_fr": "A"}
    )
    tender = Tender.objects.get()
    client.post(
        reverse("procurement:tender-edit", args=[tender.reference]),
        {**BASICS, "title_fr": "Arrêts sûrs", "description_nl": "Wachthuisjes, lampen en camera's"},
    )
    tender.refresh_from_db()
    assert tender.translations == {
        "fr": {"title": "Arrêts sûrs"},
        "nl": {"description": "Wachthuisjes, lampen en camera's"},
    }
    assert tender.events.get(action="edit").comment == "Changed: title_fr, description_nl"


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "Assurez-vous que cette valeur comporte au plus 200 caractères"),
        ("nl", "Zorg dat deze waarde niet meer dan 200 tekens bevat"),
    ],
)
def test_a_too_long_variant_is_refused_in_the_officials_language(
    client_for, transport_official, transport, language, message
):
    response = client_for(transport_official).post(
        reverse("procurement:tender-create"),
        {**BASICS, "lead_department": transport.pk, "title_nl": "x" * 201},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert not Tender.objects.exists()


def test_an_outcome_is_created_with_its_variants_and_the_history_records_them(
    client_for, transport_official, transport
):
    client_for(transport_official).post(
        reverse("outcomes:outcome-create"),
        {
            "title": "Safer bus stops at night",
            "title_fr": "Des arrêts de bus plus sûrs la nuit",
            "description_nl": "Minder incidenten aan bushaltes",
            "theme": "public_safety",
            "owner_department": transport.pk,
            "status": "proposed",
        },
    )
    outcome = Outcome.objects.get()
    variants = {
        "fr": {"title": "Des arrêts de bus plus sûrs la nuit"},
        "nl": {"description": "Minder incidenten aan bushaltes"},
    }
    assert outcome.translations == variants
    assert (
        OutcomeEvent.objects.get(outcome=outcome, action="outcome_created").data["translations"] == variants
    )


def test_changing_an_outcome_translation_is_a_recorded_change(client_for, transport_official, transport):
    outcome = OutcomeFactory(
        owner_department=transport, title="Safer stops", translations={"fr": {"title": "A"}}
    )
    client_for(transport_official).post(
        reverse("outcomes:outcome-edit", args=[outcome.pk]),
        {
            "title": "Safer stops",
            "title_fr": "Des arrêts plus sûrs",
            "theme": outcome.theme,
            "owner_department": transport.pk,
            "status": outcome.status,
        },
    )
    event = OutcomeEvent.objects.get(outcome=outcome, action="outcome_updated")
    assert event.data["translations"] == [{"fr": {"title": "A"}}, {"fr": {"title": "Des arrêts plus sûrs"}}]


def test_an_indicator_name_is_entered_per_language(client_for, transport_official, transport):
    indicator = IndicatorFactory(outcome__owner_department=transport, name="Night-time incidents")
    client = client_for(transport_official)
    page = client.get(reverse("outcomes:indicator-edit", args=[indicator.pk]), HTTP_ACCEPT_LANGUAGE="nl")
    assert "Naam (Français)" in page.content.decode()
    client.post(
        reverse("outcomes:indicator-edit", args=[indicator.pk]),
        {
            "name": indicator.name,
            "name_fr": "Incidents nocturnes",
            "name_nl": "Nachtelijke incidenten",
            "unit": indicator.unit,
            "direction": indicator.direction,
            "scale": indicator.scale,
            "baseline_source": "entered",
            "baseline_value": "100",
            "baseline_period": "2025-01-01",
            "target_value": "60",
            "target_date": "2030-12-31",
            "frequency": indicator.frequency,
        },
    )
    indicator = Indicator.objects.get(pk=indicator.pk)
    assert indicator.translations == {
        "fr": {"name": "Incidents nocturnes"},
        "nl": {"name": "Nachtelijke incidenten"},
    }
    event = OutcomeEvent.objects.get(action="indicator_updated")
    assert event.data["changes"]["translations"][1] == indicator.translations


def test_a_service_refuses_variants_in_a_language_the_city_does_not_publish(transport_official, transport):
    from django.core.exceptions import ValidationError

    from procurement.services.tenders import tender_create

    with pytest.raises(ValidationError, match="is not one of the city's other languages"):
        tender_create(
            actor=transport_official,
            lead_department=transport,
            title="Stops",
            translations={"de": {"title": "Haltestellen"}},
        )
    assert not Tender.objects.exists()


def test_the_officials_tender_page_shows_the_main_title_and_lists_the_variants(
    client_for, transport_official, transport
):
    from procurement.services.tenders import tender_create

    tender = tender_create(
        actor=transport_official,
        lead_department=transport,
        title="Smart, safe bus stops",
        translations={"nl": {"title": "Slimme, veilige bushaltes"}},
    )
    html = (
        client_for(transport_official)
        .get(reverse("procurement:tender-detail", args=[tender.reference]), HTTP_ACCEPT_LANGUAGE="fr")
        .content.decode()
    )
    assert "<h1>Smart, safe bus stops" in html
    assert '<span lang="nl">Nederlands: Slimme, veilige bushaltes</span>' in html
