"""`{% load multilingual %}` … `{{ tender|localized:"title" }}`: the value in the active language, or the
main-language value when that language has no variant (multilingual.translations.localized)."""

from django import template
from django.utils.translation import pgettext_lazy

from multilingual.translations import localized as _localized

register = template.Library()


@register.filter
def localized(obj, field: str) -> str:
    if obj is None or obj == "":
        return ""
    return _localized(obj, field)


# OCDS codes shown to readers (tender status, procurement method): the code stays in the data and in CSS
# classes; the page shows its label in the reader's language. An unknown code is shown as it is.
OCDS_LABELS = {
    # Translators: an OCDS tender status, shown on the public tender pages.
    "planning": pgettext_lazy("tender status", "planning"),
    "planned": pgettext_lazy("tender status", "planned"),
    "active": pgettext_lazy("tender status", "active"),
    "complete": pgettext_lazy("tender status", "complete"),
    "cancelled": pgettext_lazy("tender status", "cancelled"),
    "unsuccessful": pgettext_lazy("tender status", "unsuccessful"),
    "withdrawn": pgettext_lazy("tender status", "withdrawn"),
    # Translators: an OCDS procurement method.
    "open": pgettext_lazy("procurement method", "open"),
    "selective": pgettext_lazy("procurement method", "selective"),
    "limited": pgettext_lazy("procurement method", "limited"),
    "direct": pgettext_lazy("procurement method", "direct"),
}


@register.filter
def ocds_label(code) -> str:
    return OCDS_LABELS.get(code, code)


@register.filter
def years_of_days(days) -> int:
    """A published contract period in days (OCDS `durationInDays`, 365 a year) as whole years."""
    try:
        return round(int(days) / 365)
    except (TypeError, ValueError):
        return 0


@register.simple_tag
def variants(obj, field: str) -> list[dict]:
    """The entered variants of `field` (officials' pages list them under the main-language text):
    [{"code": "fr", "name": "Français", "text": "…"}, …], in the order of CITY_LANGUAGES."""
    from multilingual.languages import language_name, variant_languages
    from multilingual.translations import variant

    items = []
    for code in variant_languages():
        text = variant(getattr(obj, "translations", None), field, code)
        if text:
            items.append({"code": code, "name": language_name(code), "text": text})
    return items
