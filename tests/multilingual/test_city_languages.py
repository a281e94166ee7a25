"""CITY_LANGUAGES: the city's languages, the first being its main one, checked against LANGUAGES at startup."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from multilingual.languages import check_city_languages, city_languages, main_language, variant_languages

LANGUAGES = [("en", "English"), ("fr", "Français"), ("nl", "Nederlands")]


def test_by_default_the_city_speaks_english_first_then_french_and_dutch():
    assert city_languages() == ["en", "fr", "nl"]
    assert main_language() == "en" and variant_languages() == ["fr", "nl"]


@override_settings(CITY_LANGUAGES=["fr", "nl"])
def test_a_brussels_style_city_has_french_as_main_language_and_dutch_as_variant():
    assert main_language() == "fr" and variant_languages() == ["nl"]


def test_a_code_outside_the_interface_languages_stops_the_start_with_a_message_naming_it():
    with pytest.raises(ImproperlyConfigured, match="CITY_LANGUAGES lists de, which is not among"):
        check_city_languages(["en", "de"], LANGUAGES)


@pytest.mark.parametrize("codes", [[], [" "]])
def test_no_language_at_all_is_refused(codes):
    with pytest.raises(ImproperlyConfigured, match="CITY_LANGUAGES is empty"):
        check_city_languages(codes, LANGUAGES)


def test_a_language_listed_twice_is_refused():
    with pytest.raises(ImproperlyConfigured, match="lists fr more than once"):
        check_city_languages(["en", "fr", "FR"], LANGUAGES)


def test_codes_are_read_leniently_as_an_environment_variable_is_typed():
    assert check_city_languages([" FR", "nl "], LANGUAGES) == ["fr", "nl"]


def test_the_app_checks_the_setting_when_django_starts():
    from django.apps import apps

    with override_settings(CITY_LANGUAGES=["xx"]), pytest.raises(ImproperlyConfigured, match="xx"):
        apps.get_app_config("multilingual").ready()
