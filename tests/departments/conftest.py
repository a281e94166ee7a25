"""Fixtures of the departments tests: categories, a small inventory, CSV files to import."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from departments.imports import ALL_COLUMNS


@pytest.fixture
def bus_shelter(db):
    from tests.factories import AssetCategoryFactory

    return AssetCategoryFactory(code="bus-shelter", name="Bus shelter", unit="shelter")


@pytest.fixture
def street_light(db):
    from tests.factories import AssetCategoryFactory

    return AssetCategoryFactory(code="street-light", name="Street light", unit="lamp")


def good_row(**overrides) -> dict:
    row = {
        "department": "transport",
        "category": "bus-shelter",
        "external_ref": "BS-0001",
        "install_year": "2010",
        "life_years": "20",
        "replacement_cost": "8500.00",
        "maintenance_cost": "320.00",
        "energy_cost": "95.50",
        "name": "Shelter Market Square",
        "area": "Centre",
        "latitude": "50.8503",
        "longitude": "4.3517",
        "condition": "3",
        "status": "in_service",
    }
    row.update(overrides)
    return row


def csv_text(rows: list[dict], columns: list[str] | None = None) -> str:
    columns = columns or ALL_COLUMNS
    lines = [",".join(columns)]
    lines += [",".join(str(r.get(c, "")) for c in columns) for r in rows]
    return "\n".join(lines) + "\n"


def csv_upload(rows: list[dict], name: str = "assets.csv", columns: list[str] | None = None):
    return SimpleUploadedFile(name, csv_text(rows, columns).encode(), content_type="text/csv")


def csv_bytes(rows: list[dict], columns: list[str] | None = None) -> io.BytesIO:
    return io.BytesIO(csv_text(rows, columns).encode())


@pytest.fixture(autouse=True)
def uploads_in_a_temporary_folder(request, settings, tmp_path):
    """Uploaded import files go to a per-test folder, except where a separate worker process must read them."""
    if "celery_worker" not in request.fixturenames:
        settings.MEDIA_ROOT = tmp_path / "media"
