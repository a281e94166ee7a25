"""The variants of city content: what the services store, and what readers see in their language."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from multilingual.translations import TENDER_FIELDS, clean_translations, localized
from procurement.models import Tender


def test_variants_are_stored_stripped_and_an_empty_text_means_not_translated():
    cleaned = clean_translations(
        {"fr": {"title": "  Abribus sûrs ", "description": ""}, "nl": {"title": "   "}},
        fields=TENDER_FIELDS,
    )
    assert cleaned == {"fr": {"title": "Abribus sûrs"}}


def test_the_main_language_is_not_a_variant():
    with pytest.raises(ValidationError) as error:
        clean_translations({"en": {"title": "Safe stops"}}, fields=TENDER_FIELDS)
    assert "is not one of the city's other languages (fr, nl)" in str(error.value)


def test_only_translatable_fields_are_taken():
    with pytest.raises(ValidationError, match="“currency” cannot be translated"):
        clean_translations({"fr": {"currency": "EUR"}}, fields=TENDER_FIELDS)


def test_a_variant_longer_than_its_base_field_is_refused_next_to_its_field():
    with pytest.raises(ValidationError) as error:
        clean_translations({"nl": {"title": "x" * 201}}, fields=TENDER_FIELDS)
    assert error.value.message_dict == {"title_nl": ["Dutch: the text is longer than 200 characters."]}


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("fr", "Néerlandais: le texte dépasse 200 caractères."),
        ("nl", "Nederlands: de tekst is langer dan 200 tekens."),
    ],
)
def test_the_refusal_reads_in_the_officials_language(language, message):
    with translation.override(language), pytest.raises(ValidationError) as error:
        clean_translations({"nl": {"title": "x" * 201}}, fields=TENDER_FIELDS)
    assert error.value.message_dict == {"title_nl": [message]}


def test_a_reader_sees_the_variant_of_their_language_or_else_the_main_language_text():
    tender = Tender(title="Safe stops", description="Lit", translations={"fr": {"title": "Arrêts sûrs"}})
    assert localized(tender, "title", "fr") == "Arrêts sûrs"
    assert localized(tender, "description", "fr") == "Lit"
    assert localized(tender, "title", "nl") == "Safe stops"
    with translation.override("fr"):
        assert localized(tender, "title") == "Arrêts sûrs"


def test_published_ocds_objects_are_read_through_their_language_keys():
    metric = {"title": "Incidents", "title_nl": "Incidenten"}
    assert localized(metric, "title", "nl") == "Incidenten"
    assert localized(metric, "title", "fr") == "Incidents"
    with translation.override("fr-be"):
        assert localized({"title": "Stops", "title_fr": "Arrêts"}, "title") == "Arrêts"
