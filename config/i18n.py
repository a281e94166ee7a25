"""The language of a request, and the pages that exist in every language.

Which language a page is shown in, first match wins (docs/decisions.md "Language of a request"):

1. the URL's language prefix (`/fr/…`, `/nl/…`), on the public pages that have one;
2. the signed-in person's profile language (`accounts.Profile.language`), when they chose one;
3. the language cookie (the header's language switcher sets it, for everybody);
4. the browser's `Accept-Language`;
5. English (`settings.LANGUAGE_CODE`).

Public pages live under `public_language_patterns(...)`: reachable without a prefix (English by default, or the
visitor's language by 2–4) and under `/fr/`, `/nl/`. Unlike Django's `i18n_patterns(prefix_default_language=False)`,
an unprefixed URL is not forced to English: the rest of the site follows the cookie and `Accept-Language` too.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from asgiref.local import Local
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.signals import request_finished, request_started
from django.http import HttpResponseRedirect
from django.middleware.csrf import CsrfViewMiddleware
from django.middleware.locale import LocaleMiddleware
from django.urls import URLResolver, translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

# The profile's language, copied into the session when the person signs in or chooses one, so that no page
# pays a query for it.
SESSION_KEY = "profile_language"


class OptionalLanguagePrefixPattern:
    """`fr/`, `nl/` in front of a URL, or nothing: the unprefixed URL serves whatever language is active.

    Reversing gives the prefix of the active language (none for English), as Django's LocalePrefixPattern
    does with prefix_default_language=False. Not a subclass of it: Django allows that one only in the root
    URLconf, where it would force every unprefixed URL of the site to English.
    """

    def __init__(self):
        self.converters = {}

    @property
    def regex(self):
        # Only used by reverse(), whose tables Django keeps per active language.
        return re.compile(re.escape(self.language_prefix))

    @property
    def language_prefix(self) -> str:
        language = translation.get_language() or settings.LANGUAGE_CODE
        return "" if language == settings.LANGUAGE_CODE else f"{language}/"

    def check(self):
        return []

    def describe(self):
        return f"'{self}'"

    def __str__(self):
        return self.language_prefix

    def match(self, path):
        prefix = self.language_prefix
        if prefix and path.startswith(prefix):
            return path.removeprefix(prefix), (), {}
        if translation.get_language_from_path("/" + path) is None:
            return path, (), {}
        return None


def public_language_patterns(*urls) -> list[URLResolver]:
    """URL patterns reachable as they are and under every other language's prefix (`/fr/`, `/nl/`)."""
    return [URLResolver(OptionalLanguagePrefixPattern(), list(urls))]


def language_of_path(path: str) -> str:
    return translation.get_language_from_path(path) or settings.LANGUAGE_CODE


def url_in_language(url: str, language: str) -> str:
    """The same page in `language`: `/tenders/public/` -> `/fr/tenders/public/` (unchanged if it has no variant)."""
    with translation.override(language_of_path(urlsplit(url).path)):
        return translate_url(url, language)


class RequestLanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, except that an unprefixed URL follows the cookie and `Accept-Language`."""

    def process_request(self, request):
        language = translation.get_language_from_request(request, check_path=True)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if translation.get_language_from_path(request.path_info) is None:
            # Without a prefix the language came from the cookie or Accept-Language (Django adds the latter).
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


class ProfileLanguageMiddleware:
    """After authentication: a signed-in person's chosen language wins on every unprefixed URL.

    A `/fr/` or `/nl/` prefix still wins (a link to a page in another language is followed). The language
    cookie follows the profile, so that the choice stays after signing out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = None
        if translation.get_language_from_path(request.path_info) is None and hasattr(request, "session"):
            chosen = request.session.get(SESSION_KEY) or None
            if chosen in dict(settings.LANGUAGES) and request.user.is_authenticated:
                translation.activate(chosen)
                request.LANGUAGE_CODE = chosen
            else:
                chosen = None
        response = self.get_response(request)
        if chosen and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != chosen:
            set_language_cookie(response, chosen)
        return response


def set_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def remember_profile_language(sender, request, user, **kwargs) -> None:
    """On sign-in: the profile's language goes into the session (the middleware then sets the cookie)."""
    from accounts.selectors import preferred_language

    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = preferred_language(user) or ""


user_logged_in.connect(remember_profile_language, dispatch_uid="config.i18n.remember_profile_language")


# The language active before a request, restored once its response has been sent.
_before_request = Local()


def remember_language_before_request(sender, **kwargs) -> None:
    _before_request.language = translation.get_language()


def restore_language_after_request(sender, **kwargs) -> None:
    """When a response has been sent (a streamed body included), the thread gets its language back.

    The request activated the visitor's language; what runs next on the same thread (a test after a French
    request, reverse() of a public page and its prefix) must not inherit it.
    """
    language = getattr(_before_request, "language", None)
    if language:
        translation.activate(language)
    else:
        translation.deactivate()


request_started.connect(remember_language_before_request, dispatch_uid="config.i18n.remember_language")
request_finished.connect(restore_language_after_request, dispatch_uid="config.i18n.restore_language")


@csrf_exempt
@require_POST
def set_language_view(request):
    """The header's language switcher: saves a signed-in person's choice, sets the cookie, goes back.

    Back means the safe `next` (same host), in the chosen language where the page has language variants.
    CSRF is checked for signed-in people (their profile changes). An anonymous visitor's switch only sets
    their own cookie, and the cached public pages carry no CSRF token (config/pagecache.py), so it is not.
    """
    from accounts.services import set_language

    if request.user.is_authenticated:
        refused = CsrfViewMiddleware(lambda _request: None).process_view(request, None, (), {})
        if refused is not None:
            return refused

    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if language not in dict(settings.LANGUAGES):
        return HttpResponseRedirect(next_url)
    if request.user.is_authenticated:
        set_language(request.user, language)
        request.session[SESSION_KEY] = language
    response = HttpResponseRedirect(url_in_language(next_url, language))
    set_language_cookie(response, language)
    return response
