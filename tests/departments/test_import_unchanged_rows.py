"""A re-import rewrites only the assets whose row changed: an identical row is neither counted as updated nor
written again (its stored version and updated_at stay), with both writers — the PostgreSQL merge and the
portable batched writer."""

from decimal import Decimal

import pytest
from django.db import connection

from departments import imports
from departments.imports import import_assets
from departments.models import Asset

from .conftest import csv_bytes, good_row

pytestmark = pytest.mark.django_db

YEAR = 2026


@pytest.fixture(
    params=[
        pytest.param("merge", id="postgresql-merge", marks=pytest.mark.postgres),
        pytest.param("batched", id="portable-writer"),
    ]
)
def writer(request, monkeypatch):
    if request.param == "merge":
        assert connection.vendor == "postgresql"
    elif connection.vendor == "postgresql":
        monkeypatch.setattr(imports, "_write_postgresql", imports._write_batched)
    return request.param


@pytest.fixture
def setup(transport, bus_shelter, writer):
    return transport


def run(rows):
    result = import_assets(csv_bytes(rows), name="assets.csv", current_year=YEAR)
    assert result.ok, [(e.row, e.column, e.message) for e in result.errors]
    return result


def stored_versions() -> dict[str, object]:
    """A token per asset that changes whenever its row is written: the tuple's place on PostgreSQL (a test runs
    in one transaction, so now() and xmin would not move), updated_at elsewhere."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT external_ref, ctid::text FROM {Asset._meta.db_table}")
            return dict(cursor.fetchall())
    return dict(Asset.objects.values_list("external_ref", "updated_at"))


FIRST = [
    good_row(external_ref="BS-1"),
    good_row(external_ref="BS-2", latitude="", longitude="", name="", area=""),
    good_row(external_ref="BS-3", replacement_cost="1234.5"),
]


def test_an_identical_re_import_writes_nothing_and_counts_nothing_as_updated(setup):
    run(FIRST)
    before = stored_versions()
    result = run(FIRST)
    assert (result.total_rows, result.created, result.updated) == (3, 0, 0)
    assert stored_versions() == before


def test_a_row_written_differently_but_storing_the_same_values_is_unchanged(setup):
    run(FIRST)
    before = stored_versions()
    same_values = [
        good_row(external_ref="BS-1", replacement_cost="8500", latitude="50.850300", longitude="4.35170"),
        good_row(external_ref="BS-2", latitude="", longitude="", name="", area=""),
        good_row(external_ref="BS-3", replacement_cost="1234.50"),
    ]
    assert (run(same_values).created, run(same_values).updated) == (0, 0)
    assert stored_versions() == before


def test_a_re_import_rewrites_the_changed_rows_only_and_creates_the_new_ones(setup):
    run(FIRST)
    before = stored_versions()
    result = run(
        [
            good_row(external_ref="BS-1"),
            good_row(external_ref="BS-2", latitude="50.1", longitude="4.2", name="", area=""),
            good_row(external_ref="BS-3", replacement_cost="1234.51"),
            good_row(external_ref="BS-4"),
        ]
    )
    assert (result.created, result.updated) == (1, 2)
    after = stored_versions()
    assert after["BS-1"] == before["BS-1"]
    assert after["BS-2"] != before["BS-2"] and after["BS-3"] != before["BS-3"]
    assert Asset.objects.get(external_ref="BS-2").latitude == Decimal("50.100000")
    assert Asset.objects.get(external_ref="BS-3").replacement_cost == Decimal("1234.51")
