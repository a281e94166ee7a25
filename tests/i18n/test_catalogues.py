"""The French and Dutch catalogues are complete: every string our code marks is in them, translated, with the
same placeholders; and extracting the strings again from the code adds nothing (nobody marked a string and
forgot the catalogue)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.services import require

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ("fr", "nl")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdfr]|\{(\w*)\}")


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


def _key(entry: polib.POEntry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _live(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_and_none_is_fuzzy(language):
    missing = [
        entry.msgid
        for entry in _live(catalogue(language))
        if "fuzzy" in entry.flags
        or (entry.msgid_plural and not all(entry.msgstr_plural.get(i) for i in range(2)))
        or (not entry.msgid_plural and not entry.msgstr)
    ]
    assert not missing, f"{len(missing)} strings untranslated or fuzzy in {language}: {missing[:20]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    wrong = []
    for entry in _live(catalogue(language)):
        expected = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translation in translations:
            # A singular form may leave out the count ("Une ligne" for %(count)d = 1), never add or rename one.
            found = sorted(PLACEHOLDER.findall(translation))
            if not set(found) <= set(expected) or (not entry.msgid_plural and found != expected):
                wrong.append((entry.msgid, translation))
    assert not wrong, f"placeholders differ in {language}: {wrong[:10]}"


def test_the_three_catalogues_hold_the_same_strings():
    keys = {language: {_key(e) for e in _live(catalogue(language))} for language in ("en", *LANGUAGES)}
    assert keys["fr"] == keys["en"]
    assert keys["nl"] == keys["en"]


def _makemessages_ignores() -> list[str]:
    """The --ignore patterns of `make messages`, read from the Makefile (one place says what is extracted)."""
    line = next(x for x in (ROOT / "Makefile").read_text().splitlines() if x.startswith("MESSAGES_IGNORE"))
    return [f"--ignore={pattern}" for pattern in re.findall(r"--ignore '([^']+)'", line)]


def test_extracting_the_strings_again_adds_nothing(tmp_path):
    require(shutil.which("xgettext") is not None, "GNU gettext (xgettext) is not installed")
    copy = tmp_path / "repo"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "var", "__pycache__", "*.mo", "node_modules", ".*cache"
        ),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fr", "--add-location", "file", "--no-obsolete"]
        + _makemessages_ignores(),
        cwd=copy,
        check=True,
        capture_output=True,
    )
    extracted = {_key(e) for e in _live(polib.pofile(str(copy / "locale/fr/LC_MESSAGES/django.po")))}
    committed = {_key(e) for e in _live(catalogue("fr"))}
    assert not extracted - committed, (
        f"strings missing from the catalogue (run make messages): {sorted(extracted - committed)[:20]}"
    )
    assert not committed - extracted, (
        f"strings no longer in the code (run make messages): {sorted(committed - extracted)[:20]}"
    )
