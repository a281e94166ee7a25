"""Whole-page cache for pages everybody sees alike: only the anonymous rendering is ever cached.

A page is stored under a version that the caller reads from the database on every request (for the public
tender pages, `public_pages_version()`), so a change of what the page shows changes the key and no stale
page is ever served; old entries simply expire. Signed-in users always get a fresh rendering: the layout
shows their name, inbox and roles, and some pages offer them actions ("Amend this tender").
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

# Old versions' pages are never read again; this only bounds how long they occupy the cache.
PAGE_CACHE_SECONDS = 3600
# Part of every key. Tests set a fresh one per test: their rolled-back databases repeat ids and counts, which
# a real database never does once committed.
KEY_SALT = ""


def anonymous_cacheable(request: HttpRequest) -> bool:
    """A plain GET by an anonymous visitor with no message waiting: the page is the same for every such visitor.

    `len()` of the message storage does not mark messages as read, so a waiting message is still shown by
    the fresh rendering that such a request gets.
    """
    return (
        request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and not getattr(request, "htmx", False)
        and not len(get_messages(request))
    )


def cached_anonymous_page(
    request: HttpRequest, *, name: str, version: str, template: str, context: Callable[[], dict]
) -> HttpResponse:
    """The page rendered from `template` with `context()`, from the cache when an equal rendering is stored.

    The cached rendering carries no CSRF token: a token unmasks to the visitor's CSRF secret, which must
    never be handed to someone else (the anonymous public pages post nothing).
    """
    if not anonymous_cacheable(request):
        return HttpResponse(render_to_string(template, context(), request))
    # The language is part of the key: one address is rendered in English, French or Dutch (Accept-Language).
    language = translation.get_language() or ""
    page = hashlib.sha256(
        f"{version} {language} {request.get_host()} {request.get_full_path()}".encode()
    ).hexdigest()
    key = f"page:{KEY_SALT}{name}:{page}"
    body = cache.get(key)
    if body is None:
        body = render_to_string(template, {**context(), "csrf_token": ""}, request)
        cache.set(key, body, PAGE_CACHE_SECONDS)
    return HttpResponse(body)
