"""The shared import rules speak the importer's language: refusals in French and Dutch, counts in their digits."""

import pytest
from django.utils import translation

from config.tabular import Limits, check_columns, separator_message, sizes_compared


@pytest.mark.parametrize(
    "language, words",
    [
        ("fr", "La colonne obligatoire « code » manque dans la ligne d'en-tête."),
        ("nl", "Verplichte kolom 'code' ontbreekt in de kopregel."),
    ],
)
def test_a_missing_column_is_reported_in_french_and_dutch(language, words):
    with translation.override(language):
        errors = check_columns(["name"], required=["code"])

    assert [error.message for error in errors] == [words]


@pytest.mark.parametrize(
    "language, words",
    [
        ("en", "The file has 12,001 rows; the limit is 12,000 per import. Split it into smaller files."),
        (
            "nl",
            "Het bestand telt 12.001 rijen; de limiet is 12.000 per import. Splits het op in kleinere bestanden.",
        ),
    ],
)
def test_too_many_rows_are_counted_in_the_languages_digits(language, words):
    with translation.override(language):
        assert Limits(max_bytes=1000, max_rows=12_000).too_many_rows_message(12_001) == words


def test_a_decimal_comma_in_a_point_import_is_explained_in_french():
    with translation.override("fr"):
        words = separator_message("Montant", "12,50", ".", ambiguous=False)

    assert words.startswith("Montant « 12,50 » contient une virgule décimale")


def test_sizes_that_look_equal_are_given_in_bytes_in_the_languages_digits():
    with translation.override("fr"):
        size, limit = sizes_compared(20 * 1024 * 1024 + 1, 20 * 1024 * 1024)

    assert size.endswith("octets") and "Mo" in limit
