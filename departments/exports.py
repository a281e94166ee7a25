"""Export of a (filtered) asset list as CSV (streamed) or XLSX, in the import's column layout.

The export uses the same columns as the import, so an exported file can be edited and imported back: its header
row is the import's column names, which are never translated. An export for reading (`headers=export_headers()`)
has the same columns with headings in the reader's language instead; its values are the same (codes and
machine numbers).
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils.translation import gettext as _

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


def export_headers() -> list[str]:
    """The export's headings in the active language, in the order of EXPORT_COLUMNS (for people, not re-import)."""
    headings = {
        "department": _("Department (code)"),
        "category": _("Category (code)"),
        "external_ref": _("Reference"),
        "install_year": _("Install year"),
        "life_years": _("Expected life (years)"),
        "replacement_cost": _("Replacement cost"),
        "maintenance_cost": _("Maintenance cost per year"),
        "energy_cost": _("Energy cost per year"),
        "name": _("Name"),
        "area": _("Area"),
        "latitude": _("Latitude"),
        "longitude": _("Longitude"),
        "condition": _("Condition (1–5)"),
        "status": _("Status (code)"),
        "end_of_life_year": _("End-of-life year"),
    }
    return [headings[c] for c in EXPORT_COLUMNS]


def _values(queryset: QuerySet) -> Iterator[tuple]:
    paths = [_VALUE_PATHS[c] for c in ALL_COLUMNS]
    for row in queryset.values_list(*paths).iterator(chunk_size=2000):
        install_year, life_years = row[3], row[4]
        yield (*row, install_year + life_years)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(queryset: QuerySet, headers: list[str] | None = None) -> Iterator[str]:
    """Yield CSV lines one by one (for StreamingHttpResponse: memory stays flat for any size).

    Text that a spreadsheet would run as a formula is written as text (config/spreadsheets.py); importing
    such a file back keeps the leading quote in the name.
    """
    writer = csv_writer(_Echo())
    yield writer.writerow(headers or EXPORT_COLUMNS)
    for row in _values(queryset):
        yield writer.writerow(["" if v is None else v for v in row])


def xlsx_bytes(queryset: QuerySet, headers: list[str] | None = None) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Assets") if headers else "Assets")
    sheet.append(xlsx_row(headers or EXPORT_COLUMNS))
    for row in _values(queryset[:XLSX_MAX_ROWS]):
        # Money and coordinates as numbers in the sheet (Excel has no decimal type); the CSV keeps exact text.
        sheet.append(xlsx_row(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
