"""The page in every language: `hreflang` links for the <head>."""

from __future__ import annotations

from django import template
from django.conf import settings

from config.i18n import url_in_language

register = template.Library()


@register.simple_tag(takes_context=True)
def language_alternates(context) -> list[dict]:
    """[{"hreflang": "fr", "href": absolute URL of this page in French}, …, {"hreflang": "x-default", …}].

    Empty when the page has no language variants (its URL is the same in every language).
    """
    request = context.get("request")
    if request is None:
        return []
    path = request.get_full_path()
    links = [
        {"hreflang": code, "href": request.build_absolute_uri(url_in_language(path, code))}
        for code, _name in settings.LANGUAGES
    ]
    if len({link["href"] for link in links}) < 2:
        return []
    default = next(link["href"] for link in links if link["hreflang"] == settings.LANGUAGE_CODE)
    return [*links, {"hreflang": "x-default", "href": default}]
