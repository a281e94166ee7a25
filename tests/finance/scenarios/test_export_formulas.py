"""Scenario result exports never write a formula: a department called `=…` stays text in CSV and XLSX."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from finance.services.scenarios import scenario_run_execute, scenario_run_request

pytestmark = pytest.mark.django_db

TRAP = '=HYPERLINK("http://evil.example","Street lighting")'


@pytest.fixture
def run_with_a_booby_trapped_department(bus_stop_tender, small_assumptions, transport_official, lighting):
    lighting.name = TRAP
    lighting.save()
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    return scenario_run_execute(run.pk)


def test_csv_export_writes_the_department_name_as_text_and_negative_amounts_bare(
    client_for, transport_official, run_with_a_booby_trapped_department
):
    run = run_with_a_booby_trapped_department
    client = client_for(transport_official)
    url = reverse("finance:scenario-run-export-csv", kwargs={"pk": run.pk})
    departments = list(csv.reader(io.StringIO(client.get(url, {"table": "departments"}).content.decode())))
    names = {row[0] for row in departments[1:]}
    assert "'" + TRAP in names and TRAP not in names
    comparison = list(csv.reader(io.StringIO(client.get(url, {"table": "comparison"}).content.decode())))
    amounts = [cell for row in comparison[1:] for cell in row[1:]]
    assert not any(cell.startswith("'") for cell in amounts)
    assert any(cell.startswith("-") for cell in amounts), "the run has negative savings/NPVs to check"


def test_xlsx_export_has_no_formula_cell_and_keeps_numbers_as_numbers(
    client_for, transport_official, run_with_a_booby_trapped_department
):
    run = run_with_a_booby_trapped_department
    response = client_for(transport_official).get(
        reverse("finance:scenario-run-export-xlsx", kwargs={"pk": run.pk})
    )
    book = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert "'" + TRAP in {c.value for c in book["departments"]["A"]}
    negatives = [c for c in cells if isinstance(c.value, int | float) and c.value < 0]
    assert negatives and all(c.data_type == "n" for c in negatives)
