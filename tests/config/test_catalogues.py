"""The catalogues compile without GNU gettext, and no translation can break a message's placeholders.

`make catalogues` compiles in pure Python (polib), which checks nothing: this test does what msgfmt's
--check-format did, for every translated French and Dutch entry.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE = Path(settings.BASE_DIR) / "locale"
PERCENT = re.compile(r"%\((\w+)\)[sdf]|%[sdf]")
BRACES = re.compile(r"\{(\w*)(?:[:!][^}]*)?\}")


def placeholders(text: str, flags: list[str]) -> list[str]:
    found = []
    if "python-format" in flags:
        found += sorted(PERCENT.findall(text.replace("%%", "")))
    if "python-brace-format" in flags:
        found += sorted(BRACES.findall(text.replace("{{", "").replace("}}", "")))
    return found


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_translation_keeps_the_placeholders_of_its_english_text(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    wrong = []
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            plural = set(placeholders(entry.msgid_plural, entry.flags))
            for form in entry.msgstr_plural.values():
                # a singular form may leave out the count ("one row"); it may not invent or misspell one
                if not set(placeholders(form, entry.flags)) <= plural | set(
                    placeholders(entry.msgid, entry.flags)
                ):
                    wrong.append(entry.msgid)
        elif placeholders(entry.msgstr, entry.flags) != placeholders(entry.msgid, entry.flags):
            wrong.append(entry.msgid)
    assert wrong == []


def test_the_catalogues_compile_in_pure_python_without_gettext(tmp_path, settings, monkeypatch):
    folder = tmp_path / "locale" / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalogue = polib.POFile()
    catalogue.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Plural-Forms": "nplurals=2; plural=(n > 1);",
    }
    catalogue.append(polib.POEntry(msgid="Save", msgstr="Enregistrer"))
    catalogue.append(polib.POEntry(msgid="Cancel", msgstr="Annuler", flags=["fuzzy"]))
    catalogue.save(str(folder / "django.po"))
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.setenv("PATH", str(tmp_path))  # no msgfmt anywhere

    call_command("compile_catalogues", stdout=open("/dev/null", "w"))  # noqa: SIM115

    compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(str(folder / "django.mo"))}
    assert compiled.get("Save") == "Enregistrer"
    assert "Cancel" not in compiled  # fuzzy entries are left out, as msgfmt does
