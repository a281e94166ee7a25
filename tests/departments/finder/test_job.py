"""A finder run is done by a real Celery worker (Redis) and the page follows its progress."""

import time

import pytest
from django.urls import reverse

from departments.finder import services
from departments.finder.models import FinderRun

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def wait_for(run: FinderRun, timeout: float = 60) -> FinderRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            return run
        time.sleep(0.2)
    return run


def test_the_worker_runs_the_finder_and_stores_the_candidates(
    celery_worker, city, transport_official, client
):
    run = services.finder_run_request(actor=transport_official)
    # The request returns at once; the same parameters asked again while it is queued or running reuse it.
    assert services.finder_run_request(actor=transport_official).pk == run.pk
    run = wait_for(run)
    assert run.status == FinderRun.Status.SUCCEEDED, run.error_message
    assert run.progress == 100 and run.candidate_count == 1
    assert sorted(run.candidates.get().asset_ids) == sorted(a.pk for a in city["bus_stop"])
    client.force_login(transport_official)
    page = client.get(reverse("finder:run-detail", args=[run.pk])).content.decode()
    assert "Route 5" in page


def test_a_failing_scan_on_the_worker_ends_failed_with_its_reason(celery_worker, city, transport_official):
    from departments.models import Asset

    run = services.finder_run_request(actor=transport_official, enqueue=False)
    Asset.objects.exclude(department__code="lighting").update(status=Asset.Status.RETIRED)
    services.finder_run_enqueue(run_id=run.pk)
    run = wait_for(run)
    assert run.status == FinderRun.Status.FAILED
    assert "Only one department (Street lighting)" in run.error_message
