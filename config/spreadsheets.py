"""Cells of every CSV/XLSX export: text that a spreadsheet would run as a formula is written as plain text.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is read by Excel, LibreOffice and
Google Sheets as a formula (`=HYPERLINK(…)`, `=WEBSERVICE(…)`, DDE…) when the file is opened. Such a cell is
written with a leading single quote, the spreadsheets' own "this is text" mark (OWASP's advice on CSV
injection). Only text is touched: numbers (int, float, Decimal — negative ones too) stay numbers, so sums and
sorting keep working. Every export goes through `csv_writer` or `xlsx_row`; a new export must too.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """`value` unchanged unless it is text a spreadsheet would take for a formula; then `'` + text."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(row: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in row]


class _SafeWriter:
    """A `csv.writer` whose rows are neutralised first (same `writerow`/`writerows`, same return values)."""

    def __init__(self, writer) -> None:
        self._writer = writer

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow(safe_row(row))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self._writer.writerow(safe_row(row))


def csv_writer(stream, **options) -> _SafeWriter:
    """`csv.writer(stream, **options)` for exports: no cell of it can become a formula."""
    return _SafeWriter(csv.writer(stream, **options))


def xlsx_row(row: Iterable[Any]) -> list[Any]:
    """A row for openpyxl: Decimal as a number (Excel has no decimal type), text neutralised.

    openpyxl itself stores any text starting with `=` as a formula, so this matters even more than in CSV.
    """
    return [float(value) if isinstance(value, Decimal) else safe_cell(value) for value in row]
