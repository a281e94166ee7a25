"""Issue 12 §2: every import (assets, budget lines, measurements) stores the file's values or nothing.

Each case runs through all three importers, once on the suite's database (SQLite without DATABASE_URL) and once
marked `postgres` (it asserts it is on PostgreSQL, and skips locally without one, fails in CI).
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.db import connection

from finance.exceptions import BudgetImportInvalid
from outcomes.exceptions import MeasurementImportInvalid

pytestmark = pytest.mark.django_db

YEAR = 2026


@pytest.fixture(
    autouse=True,
    params=[
        pytest.param("suite", id="suite-db"),
        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
    ],
)
def database(request):
    if request.param == "postgresql":
        assert connection.vendor == "postgresql"
    return connection.vendor


@dataclass
class Importer:
    """One import seen the same way: its file format, a number and a text column, what it stored."""

    name: str
    header: list[str]
    number: str  # a numeric column (money or measurement value)
    text: str  # a free-text column
    row: Callable[[int], dict]  # a good row, distinct from row j for i != j
    run: Callable[[bytes, str], list[tuple[int, str, str]]]  # errors; [] when imported
    numbers: Callable[[], list[Decimal]]  # stored values of `number`, in row order
    texts: Callable[[], list[str]]

    def csv(self, rows: list[dict]) -> str:
        lines = [",".join(self.header)] + [",".join(str(r[c]) for c in self.header) for r in rows]
        return "\n".join(lines) + "\n"

    def rows(self, *values: str, **text: str) -> list[dict]:
        """One good row per value, with that value in the numeric column."""
        rows = [{**self.row(i), self.number: value} for i, value in enumerate(values)]
        for position, words in text.items():
            rows[int(position.removeprefix("row"))][self.text] = words
        return rows


def _triples(errors) -> list[tuple[int, str, str]]:
    return [(e["row"], e["column"], e["message"]) for e in errors]


def _assets(request) -> Importer:
    from departments.imports import ALL_COLUMNS, import_assets
    from departments.models import Asset
    from tests.departments.conftest import good_row
    from tests.factories import AssetCategoryFactory

    request.getfixturevalue("transport")
    AssetCategoryFactory(code="bus-shelter", name="Bus shelter", unit="shelter")

    def run(content: bytes, decimal: str) -> list[tuple[int, str, str]]:
        result = import_assets(io.BytesIO(content), name="assets.csv", current_year=YEAR, decimal=decimal)
        return [(e.row, e.column, e.message) for e in result.errors]

    stored = Asset.objects.order_by("external_ref")
    return Importer(
        name="assets",
        header=ALL_COLUMNS,
        number="replacement_cost",
        text="name",
        # Whole numbers in the other numeric columns: the same under either decimal separator.
        row=lambda i: good_row(
            external_ref=f"BS-{i:03d}", maintenance_cost="320", energy_cost="95", latitude="", longitude=""
        ),
        run=run,
        numbers=lambda: list(stored.values_list("replacement_cost", flat=True)),
        texts=lambda: list(stored.values_list("name", flat=True)),
    )


def _budget_lines(request) -> Importer:
    from finance.models import BudgetLine
    from finance.services.budget_import import budget_lines_import

    request.getfixturevalue("transport")
    actor = request.getfixturevalue("finance_officer")

    def run(content: bytes, decimal: str) -> list[tuple[int, str, str]]:
        try:
            budget_lines_import(data=content, actor=actor, decimal=decimal)
        except BudgetImportInvalid as exc:
            return _triples(exc.errors)
        return []

    stored = BudgetLine.objects.order_by("name")
    return Importer(
        name="budget lines",
        header=["department", "fiscal_year", "budget_type", "name", "amount", "currency", "note"],
        number="amount",
        text="note",
        row=lambda i: {
            "department": "transport",
            "fiscal_year": "2027",
            "budget_type": "opex",
            "name": f"Line {i:03d}",
            "amount": "100.00",
            "currency": "EUR",
            "note": "Stops",
        },
        run=run,
        numbers=lambda: list(stored.values_list("amount", flat=True)),
        texts=lambda: list(stored.values_list("note", flat=True)),
    )


def _measurements(request) -> Importer:
    from outcomes import services
    from outcomes.models import Measurement
    from tests.factories import IndicatorFactory, OutcomeFactory

    actor = request.getfixturevalue("transport_official")
    outcome = OutcomeFactory(owner_department=request.getfixturevalue("transport"), title="Safe stops")
    IndicatorFactory(outcome=outcome, name="Incidents", baseline_period=datetime.date(2023, 1, 1))

    def run(content: bytes, decimal: str) -> list[tuple[int, str, str]]:
        try:
            services.measurement_import(outcome=outcome, actor=actor, content=content, decimal=decimal)
        except MeasurementImportInvalid as exc:
            return _triples(exc.errors)
        return []

    stored = Measurement.objects.order_by("period")
    return Importer(
        name="measurements",
        header=["indicator", "period", "value", "source", "note"],
        number="value",
        text="note",
        row=lambda i: {
            "indicator": "Incidents",
            "period": datetime.date(2024, 1 + i, 1).isoformat(),
            "value": "1",
            "source": "police",
            "note": "",
        },
        run=run,
        numbers=lambda: list(stored.values_list("value", flat=True)),
        texts=lambda: list(stored.values_list("note", flat=True)),
    )


@pytest.fixture(
    params=[_assets, _budget_lines, _measurements], ids=["assets", "budget-lines", "measurements"]
)
def importer(request) -> Importer:
    return request.param(request)


def run(importer: Importer, rows: list[dict] | str | bytes, decimal: str = ".") -> list[tuple[int, str, str]]:
    content = importer.csv(rows) if isinstance(rows, list) else rows
    return importer.run(content.encode() if isinstance(content, str) else content, decimal)


# --- Decimal and thousands separators -------------------------------------------------------------------------


def test_a_decimal_comma_is_refused_with_row_and_column_when_the_file_uses_decimal_points(importer):
    errors = run(importer, importer.rows("10.00", '"12,50"'))
    assert [(row, column) for row, column, _ in errors] == [(3, importer.number)]
    assert "“12,50” has a decimal comma, but this import's decimal separator is the point" in errors[0][2]
    assert importer.numbers() == []  # not 1250.00: nothing at all


def test_a_file_with_decimal_commas_is_read_exactly_when_the_comma_is_chosen(importer):
    rows = importer.rows('"12,50"', '"1.234,50"', '"1 234,5"', "7")
    assert run(importer, rows, decimal=",") == []
    assert importer.numbers() == [Decimal("12.50"), Decimal("1234.50"), Decimal("1234.50"), Decimal("7")]


def test_thousands_separators_are_accepted_only_in_valid_unambiguous_groups(importer):
    errors = run(importer, importer.rows('"1,234.50"', '"1,250"', '"1,23.5"', '"12,345,678.00"'))
    assert [(row, column) for row, column, _ in errors] == [(3, importer.number), (4, importer.number)]
    assert "“1,250” is ambiguous" in errors[0][2] and "Write 1250" in errors[0][2]
    assert importer.numbers() == []

    assert run(importer, importer.rows('"1,234.50"', '"12,345,678.00"', "1 000")) == []
    assert importer.numbers() == [Decimal("1234.50"), Decimal("12345678.00"), Decimal("1000")]


def test_with_the_decimal_comma_a_point_is_a_thousands_separator_and_never_a_decimal(importer):
    errors = run(importer, importer.rows("12.50", "1.250", '"1,5"'), decimal=",")
    assert [(row, column) for row, column, _ in errors] == [(2, importer.number), (3, importer.number)]
    assert "“12.50” has a decimal point, but this import's decimal separator is the comma" in errors[0][2]
    assert "“1.250” is ambiguous" in errors[1][2]


# --- The shape of a CSV file ----------------------------------------------------------------------------------


def test_a_stray_quote_is_refused_instead_of_merging_two_rows(importer):
    rows = importer.rows("1", "2", "3", "4", row1='"Shelter opened', row2='closed" later')
    errors = run(importer, rows)
    assert errors and errors[0][0] == 3  # the row where the quote opens
    assert 'double quote (")' in errors[0][2]
    assert importer.numbers() == []  # before: imported, one row fewer


def test_a_cell_with_a_line_break_is_refused_even_when_quoted(importer):
    errors = run(importer, importer.rows("1", "2", "3", row1='"first line\nsecond line"'))
    assert errors == [
        (
            3,
            importer.text,
            "Row 3 runs over a line break (lines 3 to 4): a cell may not contain a line break. "
            'Probably a double quote (") is not closed, so the next line was read into this row.',
        )
    ]
    assert importer.numbers() == []


def test_every_row_with_a_cell_too_many_or_too_few_is_refused_with_its_row(importer):
    lines = importer.csv(importer.rows("1", "2", "3", "4")).splitlines()
    lines[2] += ",extra"
    lines[4] = lines[4].rsplit(",", 1)[0]
    errors = run(importer, "\n".join(lines) + "\n")
    width = len(importer.header)
    assert [(row, message.split(";")[0]) for row, _, message in errors] == [
        (3, f"Row 3 has {width + 1} cells"),
        (5, f"Row 5 has {width - 1} cells"),
    ]
    assert importer.numbers() == []


def test_a_blank_line_between_rows_is_refused_but_blank_lines_at_the_end_are_not(importer):
    lines = importer.csv(importer.rows("1", "2")).splitlines()
    errors = run(importer, "\n".join([lines[0], lines[1], "", lines[2]]) + "\n")
    assert errors == [(3, "", "Row 3 is empty (a blank line): remove it.")]
    assert run(importer, "\n".join(lines) + "\n\n\n") == []
    assert importer.numbers() == [Decimal("1"), Decimal("2")]


# --- Encodings ------------------------------------------------------------------------------------------------


def test_a_latin1_file_is_refused_naming_the_byte_and_its_line(importer):
    content = importer.csv(importer.rows("1", "2", row1="Café")).encode("latin-1")
    assert run(importer, content) == [
        (3, "", "The file is not UTF-8 (byte 0xE9 at line 3). Save it as UTF-8 (CSV UTF-8) and upload again.")
    ]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_utf16_and_utf8_with_a_byte_order_mark_are_read(importer, encoding):
    text = importer.csv(importer.rows("1", "2", row1="Café"))
    content = text.encode(encoding)
    if encoding == "utf-16-be":
        content = b"\xfe\xff" + content  # the utf-16-be codec writes no byte-order mark
    assert run(importer, content) == []
    assert "Café" in importer.texts()


def test_utf16_without_a_byte_order_mark_is_refused_not_read_as_nul_characters(importer):
    content = importer.csv(importer.rows("1")).encode("utf-16-le")
    errors = run(importer, content)
    assert errors[0][2].startswith("The file contains a NUL byte at line 1: it is not a UTF-8 text file")
    assert importer.numbers() == []
