"""Reliability of scenario runs through a real Celery worker on Redis, against PostgreSQL (no mocks).

The worker is the session's `celery_worker` (prefork, concurrency 1). These tests are few and fast.
"""

import time
from pathlib import Path

import pytest

from finance.engine import run_all
from finance.models import MonteCarloResult, ScenarioCashFlow, ScenarioRun, ScenarioSummary
from finance.services.scenarios import engine_frames, scenario_assumptions_save, scenario_run_request

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def wait_for(run, *, statuses=("succeeded", "failed"), timeout=30.0, condition=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if (condition or (lambda r: r.status in statuses))(run):
            return run
        time.sleep(0.02)
    raise AssertionError(f"run {run.pk} still {run.status} at {run.progress}% after {timeout} s")


def pool_children(worker_pid: int) -> list[int]:
    """Pids of the worker's pool processes (its direct children), from /proc (no psutil)."""
    pids = []
    for children in Path(f"/proc/{worker_pid}/task").glob("*/children"):
        pids += [int(p) for p in children.read_text().split()]
    return pids


def test_a_run_completes_through_the_worker_and_matches_the_engine(
    celery_worker, bus_stop_tender, small_assumptions, transport_official
):
    run = wait_for(scenario_run_request(tender=bus_stop_tender, actor=transport_official))
    assert run.status == ScenarioRun.Status.SUCCEEDED, run.error_message
    assert run.attempts == 1
    direct = run_all(**engine_frames(run.inputs))
    stored = {s: float(v) for s, v in ScenarioSummary.objects.filter(run=run).values_list("scenario", "npv")}
    assert stored == {
        r.scenario: pytest.approx(round(r.npv_cost, 2), abs=0.005) for r in direct.summary.itertuples()
    }
    p50 = dict(MonteCarloResult.objects.filter(run=run).values_list("scenario", "p50"))
    assert {s: float(v) for s, v in p50.items()} == {
        r.scenario: pytest.approx(r.p50, abs=0.01) for r in direct.montecarlo.itertuples()
    }


def test_killing_the_worker_child_mid_job_does_not_lose_the_run(
    celery_worker, bus_stop_tender, small_assumptions, transport_official
):
    # Many draws over a long horizon (plus the test-only progress delay of tests/finance/scenarios/conftest.py)
    # make the job last long enough to be killed while it runs.
    values = {"monte_carlo_draws": 100_000, "horizon_years": 60}
    scenario_assumptions_save(tender=bus_stop_tender, values=values, actor=transport_official)
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official)
    wait_for(run, condition=lambda r: r.status == "running" and r.progress >= 10)
    children = pool_children(celery_worker.pid)
    assert len(children) == 1
    import os
    import signal

    os.kill(children[0], signal.SIGKILL)
    run = wait_for(run, timeout=60)
    assert run.status == ScenarioRun.Status.SUCCEEDED, run.error_message
    assert run.attempts == 2  # computed again on redelivery
    assert ScenarioSummary.objects.filter(run=run).count() == 4  # stored once, whole
    assert pool_children(celery_worker.pid) != children  # the pool replaced its dead child


def test_invalid_inputs_end_failed_with_the_engine_message_and_nothing_stored(
    celery_worker, bus_stop_tender, small_assumptions, transport_official
):
    from departments.models import Asset

    Asset.objects.filter(external_ref="L-1").update(install_year=2040)
    run = wait_for(scenario_run_request(tender=bus_stop_tender, actor=transport_official))
    assert run.status == ScenarioRun.Status.FAILED
    assert "install_year is after the start year 2027 for asset lighting:L-1" in run.error_message
    assert not ScenarioCashFlow.objects.filter(run=run).exists()
    assert not ScenarioSummary.objects.filter(run=run).exists()


def test_two_requests_with_the_same_inputs_make_one_computation(
    celery_worker, bus_stop_tender, small_assumptions, transport_official, lighting_official
):
    first = scenario_run_request(tender=bus_stop_tender, actor=transport_official)
    second = scenario_run_request(tender=bus_stop_tender, actor=lighting_official)
    wait_for(first)
    third = scenario_run_request(tender=bus_stop_tender, actor=lighting_official)
    assert second.pk == first.pk  # still queued or running: the same run
    assert third.reused_from_id == first.pk and third.status == ScenarioRun.Status.SUCCEEDED
    assert ScenarioRun.objects.filter(reused_from__isnull=True).count() == 1
    first.refresh_from_db()
    assert first.attempts == 1
