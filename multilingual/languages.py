"""The city's languages: CITY_LANGUAGES, checked against the interface languages (LANGUAGES)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation


def check_city_languages(codes: list[str] | tuple[str, ...], languages: list[tuple[str, str]]) -> list[str]:
    """The city's language codes, in order (the first is the main language), or ImproperlyConfigured."""
    known = [code for code, _name in languages]
    cleaned = [str(code).strip().lower() for code in codes if str(code).strip()]
    if not cleaned:
        raise ImproperlyConfigured(
            "CITY_LANGUAGES is empty: give at least the city's main language, e.g. CITY_LANGUAGES=en,fr,nl."
        )
    unknown = [code for code in cleaned if code not in known]
    if unknown:
        raise ImproperlyConfigured(
            f"CITY_LANGUAGES lists {', '.join(unknown)}, which is not among the interface languages "
            f"(LANGUAGES: {', '.join(known)}). Use those codes, the first being the city's main language."
        )
    repeated = sorted({code for code in cleaned if cleaned.count(code) > 1})
    if repeated:
        raise ImproperlyConfigured(f"CITY_LANGUAGES lists {', '.join(repeated)} more than once.")
    return cleaned


def city_languages() -> list[str]:
    """Every city language, the main one first."""
    return check_city_languages(settings.CITY_LANGUAGES, settings.LANGUAGES)


def main_language() -> str:
    """The language of the base fields (Tender.title, Outcome.title, Indicator.name) and of OCDS releases."""
    return city_languages()[0]


def variant_languages() -> list[str]:
    """The other city languages: the ones a `translations` field may hold."""
    return city_languages()[1:]


def language_name(code: str) -> str:
    """The language's own name, as LANGUAGES writes it ("Français", "Nederlands")."""
    return dict(settings.LANGUAGES).get(code, code)


def language_name_in_reader_language(code: str) -> str:
    """The language's name in the active language ("Dutch", "néerlandais", "Nederlands"), for sentences."""
    try:
        return translation.get_language_info(code)["name_translated"]
    except KeyError:
        return language_name(code)


def active_language() -> str:
    """The language of the current request or `translation.override`, as a LANGUAGES code ("fr-be" → "fr")."""
    code = (translation.get_language() or settings.LANGUAGE_CODE).lower()
    known = dict(settings.LANGUAGES)
    if code in known:
        return code
    return code.split("-")[0]
