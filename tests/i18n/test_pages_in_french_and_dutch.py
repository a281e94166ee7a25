"""Walking the demo city in French and in Dutch, as its people do, finds no English from our code.

A crawler signs in as each kind of person (an official, a finance officer, a viewer, a partner, the public),
follows every link and every lazily loaded panel of the site (one page per route, so a hundred assets cost
one visit), and reads each page as a person does: its text and the attributes read aloud. The city's own
content (department, asset and tender names the demo city wrote in English) is taken out first; what is left
must not be English: neither a sentence of the catalogue left untranslated (a string translated too early, at
import time) nor English that never reached the catalogue (a string not marked at all)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import Resolver404, resolve

from departments import imports as asset_imports
from finance.services import budget_import
from outcomes import services as outcome_services

pytestmark = pytest.mark.django_db

# Words English uses and French and Dutch do not: one of them in what is left of a page is English.
ENGLISH = {
    "the",
    "and",
    "with",
    "which",
    "this",
    "that",
    "these",
    "those",
    "from",
    "your",
    "you",
    "are",
    "has",
    "have",
    "been",
    "will",
    "not",
    "there",
    "their",
    "when",
    "where",
    "what",
    "who",
    "each",
    "every",
    "yet",
    "must",
    "should",
    "cannot",
    "than",
    "then",
    "before",
    "after",
    "about",
    "into",
    "only",
    "none",
    "here",
    "show",
    "save",
    "submit",
    "approve",
    "reject",
    "edit",
    "delete",
    "download",
    "upload",
    "back",
    "next",
    "previous",
    "search",
    "sign",
    "department",
    "departments",
    "tender",
    "tenders",
    "outcome",
    "outcomes",
    "proposal",
    "proposals",
    "budget lines",
    "year",
    "amount",
    "name",
    "title",
    "history",
    "payments",
    "opened",
    "awarded",
    "published",
    "draft",
    "drafts",
    "submitted",
    "view",
}
WORD = re.compile(r"[^\W\d_]+")  # whole words, accents included ("signé" is not "sign")
SKIPPED_PREFIXES = ("/admin/", "/api/", "/static/", "/accounts/logout")
# The city's content is data, not our words: what people typed or imported (names, titles, descriptions, codes).
# Only these fields count as content; text our code stored (history sentences, notifications) must be translated
# when shown, so it stays on the page and is checked.
CONTENT_FIELDS = {
    "scoring_guide",
    "description",
    "name",
    "title",
    "first_name",
    "last_name",
    "username",
    "email",
    "external_ref",
    "reference",
    "code",
    "ocid",
    "question",
    "answer",
    "unit",
    "definition",
    "theme",
    "category",
    "area",
    "filename",
    "original_name",
    "label",
    "source",
    "note",
    "comment",
    "reason",
}
# What machines read, shown as it is in every language (docs/decisions.md): the import files' column names and
# codes, taken from the importers themselves.
CANONICAL = [
    *asset_imports.ALL_COLUMNS,
    *budget_import.REQUIRED,
    *budget_import.OPTIONAL,
    *outcome_services.IMPORT_REQUIRED_COLUMNS,
    *outcome_services.IMPORT_OPTIONAL_COLUMNS,
    "in_service",
    "retired",
]


class _Page(HTMLParser):
    READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._raw = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag in (
            "script",
            "style",
            "code",
        ):  # code, not text: <code> marks codes shown as they are (OCDS tags)
            self._raw += 1
        for name in ("href", "hx-get"):
            if attributes.get(name):
                self.links.append(attributes[name])
        for name in self.READ_ATTRIBUTES:
            if attributes.get(name):
                self.texts.append(attributes[name])
        if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
            self.texts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style", "code") and self._raw:
            self._raw -= 1

    def handle_data(self, data):
        if not self._raw and data.strip():
            self.texts.append(data)


def _city_content() -> list[str]:
    """Every text value the city stored (names, titles, descriptions, people), longest first."""
    values: set[str] = set()
    for model in apps.get_models():
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField)
            and (f.name in CONTENT_FIELDS or f.name.endswith(("_method", "_source", "_name")))
        ]
        if not fields:
            continue
        for row in model.objects.values_list(*fields):
            values.update(" ".join(v.split()) for v in row if isinstance(v, str) and len(v.strip()) > 1)
    values.update(currency_names())
    return sorted(values, key=len, reverse=True)


def currency_names() -> set[str]:
    from procurement.publication.validation import currency_choices

    return {label for _, label in currency_choices()}


def _catalogue_sentences(language: str) -> set[str]:
    """The English sentences of our catalogue that read differently in ``language`` (more than one word, no
    placeholder): one of them on a page means a string was translated too early or not at all."""
    po = polib.pofile(str(Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"))
    return {
        e.msgid
        for e in po
        if " " in e.msgid and "%" not in e.msgid and "{" not in e.msgid and e.msgstr and e.msgstr != e.msgid
    }


def _route(path: str, query: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    keys = sorted({part.split("=")[0] for part in query.split("&") if part})
    return f"{match.route}?{'&'.join(keys)}"


def crawl(client: Client, start: list[str], language: str, content: list[str], sentences: set[str]) -> dict:
    """English found on each visited page, by URL."""
    seen_routes: set[str] = set()
    queue = list(start)
    found: dict[str, list[str]] = {}
    visited = 0
    while queue and visited < 400:
        url = queue.pop(0)
        parts = urlsplit(url)
        if (
            parts.scheme
            or parts.netloc
            or not parts.path.startswith("/")
            or parts.path.startswith(SKIPPED_PREFIXES)
        ):
            continue
        route = _route(parts.path, parts.query)
        if route is None or route in seen_routes:
            continue
        seen_routes.add(route)
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        visited += 1
        if response.status_code not in (200, 403) or "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        queue.extend(page.links)
        english = []
        for text in page.texts:
            plain = " ".join(text.split())
            if plain in content or plain in CANONICAL:
                continue
            if plain in sentences:
                english.append(plain)
                continue
            for value in content:
                if value in plain:
                    plain = plain.replace(value, " ")
            for column in CANONICAL:
                plain = re.sub(rf"\b{column}\b", " ", plain)
            words = {w.lower() for w in WORD.findall(plain)} & ENGLISH
            if words:
                english.append(f"{' '.join(text.split())} {sorted(words)}")
        if english:
            found[url] = english
    return found


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_demo_city_speaks_the_readers_language_on_every_page(language):
    call_command("load_demo_city", stdout=StringIO())
    content = _city_content()
    sentences = _catalogue_sentences(language)
    users = get_user_model().objects
    visits = {
        "public": (None, ["/tenders/public/", "/"]),
        "official": ("luc", ["/"]),
        "finance officer": ("fiona", ["/"]),
        "viewer": ("victor", ["/"]),
        "partner": ("pat", ["/partner/"]),
    }
    report = []
    for who, (username, start) in visits.items():
        client = Client()
        if username:
            client.force_login(users.get(username=username))
        for url, english in crawl(client, start, language, content, sentences).items():
            report.append(f"{who} {url}: " + " | ".join(sorted(set(english))[:6]))
    assert not report, f"English on {len(report)} pages in '{language}':\n" + "\n".join(report)
