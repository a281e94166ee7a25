"""`{% load multilingual %}` … `{{ tender|localized:"title" }}`: the value in the active language, or the
main-language value when that language has no variant (multilingual.translations.localized)."""

from django import template

from multilingual.translations import localized as _localized

register = template.Library()


@register.filter
def localized(obj, field: str) -> str:
    if obj is None or obj == "":
        return ""
    return _localized(obj, field)
