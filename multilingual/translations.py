"""Variants of city content in the other city languages, stored per object in one JSON field `translations`:

    {"fr": {"title": "Abribus intelligents", "description": "…"}, "nl": {"title": "Slimme bushaltes"}}

Only the city's non-main languages and the model's translatable fields appear; a missing or empty entry means
"not translated", and readers then fall back to the main-language value of the base field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from multilingual.languages import (
    active_language,
    language_name_in_reader_language,
    main_language,
    variant_languages,
)

# The translatable fields of each model and their length limit (None: a text without limit), as the base field.
TENDER_FIELDS: dict[str, int | None] = {"title": 200, "description": None}
OUTCOME_FIELDS: dict[str, int | None] = {"title": 200, "description": None}
INDICATOR_FIELDS: dict[str, int | None] = {"name": 200}


def variant_key(field: str, language: str) -> str:
    """The name of a variant, in forms, errors and OCDS alike: `title_fr` (the OCDS multilingual convention)."""
    return f"{field}_{language}"


def clean_translations(value: Mapping[str, Any] | None, *, fields: Mapping[str, int | None]) -> dict:
    """The variants as stored: only configured non-main languages and known fields, texts stripped, empty texts
    left out (not translated). Raises ValidationError keyed by `title_fr` & co (the form fields' names)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValidationError({"translations": _("The translations must be given per language.")})
    allowed = variant_languages()
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, dict[str, str]] = {}
    for language, texts in value.items():
        if language not in allowed:
            raise ValidationError(
                {
                    "translations": _(
                        "“%(language)s” is not one of the city's other languages (%(languages)s)."
                    )
                    % {"language": language, "languages": ", ".join(allowed) or "—"}
                }
            )
        if not isinstance(texts, Mapping):
            raise ValidationError({"translations": _("The translations must be given per language.")})
        for field, text in texts.items():
            if field not in fields:
                raise ValidationError(
                    {"translations": _("“%(field)s” cannot be translated.") % {"field": field}}
                )
            if text is None:
                continue
            if not isinstance(text, str):
                raise ValidationError({variant_key(field, language): _("Enter a text.")})
            text = text.strip()
            limit = fields[field]
            if limit is not None and len(text) > limit:
                errors.setdefault(variant_key(field, language), []).append(
                    # Translators: language is the name of a language, e.g. "Dutch".
                    _("%(language)s: the text is longer than %(limit)s characters.")
                    % {"language": language_name_in_reader_language(language), "limit": limit}
                )
                continue
            if text:
                cleaned.setdefault(language, {})[field] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def variant(translations: Mapping | None, field: str, language: str) -> str:
    """The stored variant of `field` in `language`, or "" when not translated."""
    return ((translations or {}).get(language) or {}).get(field) or ""


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """`field` of `obj` in `language` (default: the active one), falling back to the main-language value.

    `obj` is a model with a `translations` field, or an OCDS object (a dict) whose variants are `title_fr` keys.
    """
    language = language or active_language()
    if isinstance(obj, Mapping):
        base = obj.get(field, "")
        if language == main_language():
            return base
        return obj.get(variant_key(field, language)) or base
    base = getattr(obj, field, "")
    if language == main_language():
        return base
    return variant(getattr(obj, "translations", None), field, language) or base


def ocds_variants(translations: Mapping | None, *, fields: Mapping[str, str]) -> dict[str, str]:
    """The OCDS multilingual keys of an object's variants: {"title_fr": "…", "description_nl": "…"}.

    `fields` maps our field name to the OCDS one ({"name": "title"} for an indicator). An untranslated field
    has no key at all (never an empty string: the schema requires non-empty texts)."""
    keys: dict[str, str] = {}
    for language in variant_languages():
        for ours, theirs in fields.items():
            text = variant(translations, ours, language)
            if text:
                keys[variant_key(theirs, language)] = text
    return keys


def changed_variant_keys(old: Mapping | None, new: Mapping | None, *, fields: Mapping[str, Any]) -> list[str]:
    """The variant names (`title_fr`) whose text differs between two `translations` values, for the history."""
    return [
        variant_key(field, language)
        for language in variant_languages()
        for field in fields
        if variant(old, field, language) != variant(new, field, language)
    ]
