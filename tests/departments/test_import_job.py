"""A large import runs as a Celery job on a real worker (Redis), and the page follows its progress."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from departments import services
from departments.models import Asset, AssetImport

from .conftest import csv_text, good_row

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_large_import_is_done_by_the_worker_with_progress_and_result(
    celery_worker, transport_official, bus_shelter, monkeypatch
):
    monkeypatch.setattr(services, "INLINE_IMPORT_MAX_ROWS", 0)  # inline vs job is decided by rows
    content = csv_text([good_row(external_ref=f"BS-{i:05d}") for i in range(2_000)]).encode()

    job = services.asset_import_start(file=SimpleUploadedFile("big.csv", content), actor=transport_official)
    assert job.status == AssetImport.Status.QUEUED  # returned before the worker finished

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (AssetImport.Status.SUCCEEDED, AssetImport.Status.FAILED):
            break
        time.sleep(0.2)
    assert job.status == AssetImport.Status.SUCCEEDED, (job.error_message, job.errors[:3])
    assert (job.created_count, job.updated_count, job.progress) == (2_000, 0, 100)
    assert Asset.objects.filter(department__code="transport").count() == 2_000
    job.file.delete(save=False)
