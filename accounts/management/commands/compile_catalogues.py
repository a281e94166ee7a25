"""Compile the translation catalogues (locale/<lang>/LC_MESSAGES/django.po -> .mo) without GNU gettext.

`make run` and `make test` call this, so a machine with only Python can run the site in every language.
It only compiles, as msgfmt does: fuzzy entries and empty translations are left out (Django then shows the
English source). Whether the catalogues are complete and their placeholders right is checked by the tests.
Extracting strings (`make messages`) still needs GNU gettext's xgettext: translators install it (README).
"""

from __future__ import annotations

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile every django.po of LOCALE_PATHS into the django.mo beside it (pure Python, no gettext)."
    # Like compilemessages: nothing of the project needs to be importable or valid to compile its catalogues.
    requires_system_checks = []

    def handle(self, *args, **options):
        catalogues = sorted(
            po for folder in settings.LOCALE_PATHS for po in Path(folder).glob("*/LC_MESSAGES/*.po")
        )
        if not catalogues:
            raise CommandError(f"No catalogue found under {', '.join(map(str, settings.LOCALE_PATHS))}.")
        for po_path in catalogues:
            try:
                catalogue = polib.pofile(str(po_path), check_for_duplicates=True)
            except (OSError, ValueError) as error:
                raise CommandError(f"{po_path}: {error}") from error
            catalogue.save_as_mofile(str(po_path.with_suffix(".mo")))
            self.stdout.write(f"{po_path}: {len(catalogue.translated_entries())} translated entries")
