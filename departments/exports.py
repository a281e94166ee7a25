"""Export of a (filtered) asset list as CSV (streamed) or XLSX, in the import's column layout.

The export uses the same columns as the import, so an exported file can be edited and imported back.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.db.models import QuerySet

from config.spreadsheets import csv_writer, xlsx_row

from .imports import ALL_COLUMNS

# Import column -> queryset value path.
_VALUE_PATHS = {
    "department": "department__code",
    "category": "category__code",
    "external_ref": "external_ref",
    "install_year": "install_year",
    "life_years": "life_years",
    "replacement_cost": "replacement_cost",
    "maintenance_cost": "maintenance_cost",
    "energy_cost": "energy_cost",
    "name": "name",
    "area": "area",
    "latitude": "latitude",
    "longitude": "longitude",
    "condition": "condition",
    "status": "status",
}
EXPORT_COLUMNS = [*ALL_COLUMNS, "end_of_life_year"]
# An XLSX is built in memory; beyond this many rows use CSV (streamed, no limit).
XLSX_MAX_ROWS = 200_000


def _values(queryset: QuerySet) -> Iterator[tuple]:
    paths = [_VALUE_PATHS[c] for c in ALL_COLUMNS]
    for row in queryset.values_list(*paths).iterator(chunk_size=2000):
        install_year, life_years = row[3], row[4]
        yield (*row, install_year + life_years)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(queryset: QuerySet) -> Iterator[str]:
    """Yield CSV lines one by one (for StreamingHttpResponse: memory stays flat for any size).

    Text that a spreadsheet would run as a formula is written as text (config/spreadsheets.py); importing
    such a file back keeps the leading quote in the name.
    """
    writer = csv_writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    for row in _values(queryset):
        yield writer.writerow(["" if v is None else v for v in row])


def xlsx_bytes(queryset: QuerySet) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Assets")
    sheet.append(xlsx_row(EXPORT_COLUMNS))
    for row in _values(queryset[:XLSX_MAX_ROWS]):
        # Money and coordinates as numbers in the sheet (Excel has no decimal type); the CSV keeps exact text.
        sheet.append(xlsx_row(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
