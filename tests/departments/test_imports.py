"""The validated bulk import: success, upsert, and every bad input of the issue (nothing saved)."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.test import override_settings

from departments.imports import import_assets
from departments.models import Asset

from .conftest import csv_bytes, csv_text, good_row

pytestmark = pytest.mark.django_db

YEAR = 2026


def run(rows, columns=None, **kwargs):
    return import_assets(csv_bytes(rows, columns), name="assets.csv", current_year=YEAR, **kwargs)


def errors_of(result):
    return [(e.row, e.column, e.message) for e in result.errors]


@pytest.fixture
def setup(transport, lighting, bus_shelter, street_light):
    return transport


def test_valid_file_creates_every_asset_with_exact_money(setup):
    rows = [good_row(external_ref=f"BS-{i:04d}") for i in range(3)]
    rows.append(good_row(department="lighting", category="street-light", external_ref="L-1", latitude=""))
    result = run(rows)
    assert result.ok, errors_of(result)
    assert (result.created, result.updated) == (4, 0)
    asset = Asset.objects.get(department__code="transport", external_ref="BS-0001")
    assert asset.energy_cost == Decimal("95.50")
    assert asset.end_of_life_year == 2030
    assert asset.latitude == Decimal("50.850300")
    assert Asset.objects.get(external_ref="L-1").latitude is None


def test_second_import_updates_by_department_and_reference(setup):
    run([good_row(external_ref="BS-1"), good_row(external_ref="BS-2")])
    result = run([good_row(external_ref="BS-2", replacement_cost="9000"), good_row(external_ref="BS-3")])
    assert (result.created, result.updated) == (1, 1)
    assert Asset.objects.count() == 3
    assert Asset.objects.get(external_ref="BS-2").replacement_cost == Decimal("9000.00")


def test_same_reference_in_two_departments_is_two_assets(setup):
    result = run([good_row(external_ref="X-1"), good_row(external_ref="X-1", department="lighting")])
    assert result.ok
    assert Asset.objects.filter(external_ref="X-1").count() == 2


def test_optional_columns_may_be_left_out(setup):
    columns = [
        "department",
        "category",
        "external_ref",
        "install_year",
        "life_years",
        "replacement_cost",
        "maintenance_cost",
        "energy_cost",
    ]
    result = run([good_row()], columns=columns)
    assert result.ok, errors_of(result)
    asset = Asset.objects.get()
    assert (asset.condition, asset.status, asset.name) == (3, Asset.Status.IN_SERVICE, "")


def test_wrong_types_are_reported_per_cell_with_the_file_row_number(setup):
    rows = [
        good_row(external_ref="A"),
        good_row(external_ref="B", install_year="twenty", life_years="1.5", condition="good"),
        good_row(external_ref="C", replacement_cost="lots", latitude="north"),
    ]
    result = run(rows)
    assert not result.ok
    found = {(row, column) for row, column, _ in errors_of(result)}
    assert found == {
        (3, "install_year"),
        (3, "life_years"),
        (3, "condition"),
        (4, "replacement_cost"),
        (4, "latitude"),
    }
    assert "Install year must be a whole number." in [m for _, _, m in errors_of(result)]
    assert Asset.objects.count() == 0


def test_negative_money_is_rejected_and_nothing_is_saved(setup):
    result = run([good_row(external_ref="A"), good_row(external_ref="B", maintenance_cost="-10.00")])
    assert errors_of(result) == [(3, "maintenance_cost", "Maintenance cost must not be negative.")]
    assert Asset.objects.count() == 0


def test_install_year_in_the_future_is_rejected(setup):
    result = run([good_row(install_year=str(YEAR + 1))])
    assert errors_of(result) == [
        (2, "install_year", f"Install year {YEAR + 1} is in the future (this year is {YEAR}).")
    ]


@pytest.mark.parametrize("life", ["0", "-5"])
def test_life_of_zero_or_less_is_rejected(setup, life):
    result = run([good_row(life_years=life)])
    assert [(r, c) for r, c, _ in errors_of(result)] == [(2, "life_years")]
    assert Asset.objects.count() == 0


def test_unknown_category_and_department_are_named(setup):
    result = run([good_row(department="harbour", category="ferry")])
    assert errors_of(result) == [
        (2, "department", "Unknown department 'harbour' (use the department code)."),
        (2, "category", "Unknown category 'ferry' (use the category code)."),
    ]


def test_duplicate_references_within_a_file_point_at_each_other(setup):
    result = run([good_row(external_ref="D"), good_row(external_ref="E"), good_row(external_ref="D")])
    assert [(r, c) for r, c, _ in errors_of(result)] == [(2, "external_ref"), (4, "external_ref")]
    assert "first in row 2" in result.errors[1].message
    assert Asset.objects.count() == 0


def test_empty_file_is_rejected(setup):
    result = import_assets(io.BytesIO(b""), name="assets.csv", current_year=YEAR)
    assert errors_of(result) == [(1, "", "The file is empty: expected a header row and assets.")]


def test_header_without_assets_is_rejected(setup):
    result = run([])
    assert errors_of(result) == [(2, "", "The file has a header row but no assets.")]


def test_wrong_columns_are_named(setup):
    columns = [
        "department",
        "category",
        "ref",
        "install_year",
        "life_years",
        "replacement_cost",
        "energy_cost",
    ]
    result = run([{"ref": "A"}], columns=columns)
    messages = errors_of(result)
    assert (1, "external_ref", "Required column 'external_ref' is missing from the header row.") in messages
    assert (
        1,
        "maintenance_cost",
        "Required column 'maintenance_cost' is missing from the header row.",
    ) in messages
    assert any(row == 1 and column == "ref" and "Unknown column" in m for row, column, m in messages)


@override_settings(ASSET_IMPORT_MAX_BYTES=1024)
def test_oversize_file_is_rejected_with_the_limit(setup):
    content = csv_text([good_row(external_ref=f"R-{i}") for i in range(30)]).encode()
    result = import_assets(io.BytesIO(content), name="big.csv", size=len(content), current_year=YEAR)
    assert errors_of(result) == [
        (
            0,
            "",
            f"The file is {len(content) / 1024:.1f} KB; the limit is 1.0 KB. Split it into smaller files.",
        )
    ]
    assert Asset.objects.count() == 0


@override_settings(ASSET_IMPORT_MAX_ROWS=5)
def test_too_many_rows_is_rejected_with_the_limit(setup):
    result = run([good_row(external_ref=f"R-{i}") for i in range(6)])
    assert errors_of(result) == [
        (0, "", "The file has 6 rows; the limit is 5 per import. Split it into smaller files.")
    ]


def test_department_the_importer_is_not_official_of_is_refused(setup, lighting):
    result = run([good_row(department="lighting", external_ref="L-9")], allowed_department_ids={setup.pk})
    assert errors_of(result) == [(2, "department", "You are not an official of department 'lighting'.")]


def test_one_bad_row_among_many_saves_nothing(setup):
    rows = [good_row(external_ref=f"R-{i}") for i in range(50)]
    rows[37]["condition"] = "9"
    result = run(rows)
    assert errors_of(result) == [(39, "condition", "Condition must be at most 5.")]
    assert Asset.objects.count() == 0


def test_xlsx_file_is_imported_like_csv(setup):
    book = openpyxl.Workbook()
    sheet = book.active
    row = good_row()
    sheet.append(list(row))
    sheet.append([int(v) if v.isdigit() else v for v in row.values()])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    result = import_assets(buffer, name="assets.xlsx", current_year=YEAR)
    assert result.ok, errors_of(result)
    assert Asset.objects.get().install_year == 2010


def test_file_that_is_neither_csv_nor_xlsx_is_refused(setup):
    result = import_assets(io.BytesIO(b"%PDF"), name="assets.pdf", current_year=YEAR)
    assert errors_of(result) == [(0, "", "'assets.pdf' is not a CSV or XLSX file.")]


@pytest.mark.postgres
def test_postgresql_path_copies_through_a_staging_table_and_upserts(setup, django_assert_max_num_queries):
    from django.db import connection

    assert connection.vendor == "postgresql"
    run([good_row(external_ref=f"P-{i}") for i in range(100)])
    rows = [good_row(external_ref=f"P-{i}", condition="5") for i in range(50, 150)]
    # Lookups of departments and categories, DROP/CREATE staging, COPY, one merge: no per-row queries.
    with django_assert_max_num_queries(10):
        result = run(rows)
    assert (result.created, result.updated) == (50, 50)
    assert Asset.objects.filter(condition=5).count() == 100
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('asset_import_staging')")
        assert cursor.fetchone()[0] is not None  # still inside the test's transaction: dropped on commit


def test_every_problem_is_counted_even_beyond_the_kept_list(setup, monkeypatch):
    from departments import imports

    monkeypatch.setattr(imports, "MAX_ERRORS_KEPT", 3)
    result = run([good_row(external_ref=f"R-{i}", condition="0") for i in range(5)])
    assert (len(result.errors), result.error_count) == (3, 5)
    assert [e.row for e in result.errors] == [2, 3, 4]


@pytest.mark.parametrize(
    "latitude, longitude, stored",
    [
        ("-33.8688", "151.2093", (Decimal("-33.868800"), Decimal("151.209300"))),
        ("89.9999995", "-179.9999994", (Decimal("90.000000"), Decimal("-179.999999"))),
        ("0.000001", "-0.0000004", (Decimal("0.000001"), Decimal("0.000000"))),
        ("", "", (None, None)),
    ],
)
def test_coordinates_are_stored_exactly_to_six_decimals(setup, latitude, longitude, stored):
    # The PostgreSQL writer sends coordinates as whole micro-degrees; none may move by a single unit.
    result = run([good_row(external_ref="GEO-1", latitude=latitude, longitude=longitude)])
    assert result.ok, errors_of(result)
    asset = Asset.objects.get(external_ref="GEO-1")
    assert (asset.latitude, asset.longitude) == stored
