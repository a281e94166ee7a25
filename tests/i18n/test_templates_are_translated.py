"""Every word a template shows goes through the translation machinery: no English text is left outside
``{% translate %}`` / ``{% blocktranslate %}`` in our templates, neither between tags nor in the attributes a
person reads or hears (title, alt, placeholder, aria-label, a button's value)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Attributes whose text is read or heard (screen readers), so it must be translated like the page text.
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description", "aria-roledescription"}
HOLE = " "  # where a template tag or variable stood (a space: it may stand inside an HTML tag, <li{% if %}…>)
WORD = re.compile(r"[A-Za-z]{2,}")
# Not words: file formats, standards and units that read the same in every language.
NOT_WORDS = {"CSV", "XLSX", "JSON", "OCDS", "API", "PDF", "URL", "EUR", "kWh", "CO2", "XML", "HTML", "SVG"}


def _skeleton(source: str) -> str:
    """The template with every tag and variable replaced by a hole, and translated blocks and comments
    removed: what is left is the text written literally in the template."""
    parts: list[str] = []
    skipping: str | None = None
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if skipping:
                if name == skipping:
                    skipping = None
                continue
            if name in ("blocktranslate", "blocktrans", "comment", "verbatim"):
                skipping = {"blocktranslate": "endblocktranslate", "blocktrans": "endblocktrans"}.get(
                    name, f"end{name}"
                )
            parts.append(HOLE)
        elif skipping:
            continue
        elif token.token_type == TokenType.TEXT:
            parts.append(token.contents)
        else:
            parts.append(HOLE)
    return "".join(parts)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._raw = 0  # inside <script>/<style>: code, not text

    def _check(self, text: str) -> None:
        words = [w for w in WORD.findall(text) if w not in NOT_WORDS]
        if words:
            self.found.append((self.getpos()[0], " ".join(text.split())))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._raw += 1
        attributes = dict(attrs)
        for name, value in attrs:
            readable = name in READ_ATTRIBUTES or (
                name == "value" and tag == "input" and attributes.get("type") in ("submit", "button", "reset")
            )
            if readable and value:
                self._check(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._raw:
            self._raw -= 1

    def handle_data(self, data: str) -> None:
        if not self._raw:
            self._check(data)


def untranslated_text(source: str) -> list[tuple[int, str]]:
    reader = _Reader()
    reader.feed(_skeleton(source))
    reader.close()
    return reader.found


def _our_templates() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.is_file() and p.suffix in (".html", ".txt"))


def test_the_check_finds_english_left_outside_translate_tags():
    source = (
        '{% load i18n %}<h1>{% translate "Budget lines" %}</h1><p>No tenders yet.</p>'
        '<a title="Open the tender" href="{{ url }}">{{ name }}</a>'
        "{% blocktranslate trimmed with n=count %}{{ n }} tenders{% endblocktranslate %}"
        '<input type="submit" value="Save"><input type="hidden" name="step" value="basics">'
        "{# a comment #}{% comment %}Not shown{% endcomment %}<span>— · 42 CSV</span>"
    )
    assert [text for _, text in untranslated_text(source)] == ["No tenders yet.", "Open the tender", "Save"]


@pytest.mark.parametrize("template", _our_templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_shows_text_outside_the_translation_tags(template):
    found = untranslated_text(template.read_text(encoding="utf-8"))
    assert not found, "untranslated text in templates/{}:\n{}".format(
        template.relative_to(TEMPLATES), "\n".join(f"  line {line}: {text}" for line, text in found)
    )
