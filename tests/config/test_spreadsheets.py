"""The one rule every CSV/XLSX export applies: text a spreadsheet would run is written as text."""

import io
from decimal import Decimal

import pytest

from config.spreadsheets import csv_writer, safe_cell, xlsx_row


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://evil.example","Click")', "+1+1", "-2+3", "@SUM(A1)", "\tindented", "\rreturn"],
)
def test_text_starting_with_a_formula_trigger_gets_a_leading_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Shelter 12", "", "a=b", " =not first", "'already quoted", "5-3"])
def test_other_text_is_unchanged(text):
    assert safe_cell(text) == text


@pytest.mark.parametrize("number", [Decimal("-12.50"), -3, -0.5, 0, 7, None, True])
def test_numbers_and_empty_cells_are_unchanged_even_when_negative(number):
    assert safe_cell(number) is number


def test_the_csv_writer_neutralises_every_cell_of_every_row_and_keeps_numbers_bare():
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["name", "=header"])
    writer.writerows([["=cmd|' /C calc'!A0", Decimal("-12.50")], ["@x", -3]])
    assert buffer.getvalue().splitlines() == ["name,'=header", "'=cmd|' /C calc'!A0,-12.50", "'@x,-3"]


def test_an_xlsx_row_has_decimals_as_numbers_and_formula_text_as_text():
    assert xlsx_row(["=1+1", Decimal("-4.25"), -2, "plain", None]) == ["'=1+1", -4.25, -2, "plain", None]
