"""Scenario runs survive faults: the broker down when a run is requested, a whole worker killed mid-run.

A run's heartbeat (`heartbeat_at`) tells the reaper whether its job still lives: handed to the broker, then
beating every few seconds while a worker computes it.
"""

import contextlib
import os
import signal
import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from config.jobs import QUEUE_UNREACHABLE
from finance.engine import run_all
from finance.models import ScenarioCashFlow, ScenarioRun, ScenarioSummary
from finance.services.scenarios import (
    engine_frames,
    scenario_assumptions_save,
    scenario_run_request,
    scenario_runs_requeue_stuck,
)
from procurement.models import TenderEvent


@contextlib.contextmanager
def broker_unreachable():
    """Point the Celery app at a closed port and send tasks to it (not inline), as with Redis down."""
    from config.celery_app import app

    def forget_connections():
        # The app keeps a connection pool and a producer pool for its broker URL: drop both.
        app._pool = None
        app.amqp._producer_pool = None

    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = "redis://127.0.0.1:1/0", False
    forget_connections()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        forget_connections()


def wait_for(run, *, condition, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if condition(run):
            return run
        time.sleep(0.05)
    raise AssertionError(f"run {run.pk} still {run.status} at {run.progress}% after {timeout} s")


# --- The broker is down when a run is requested -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)  # committed, so that the on-commit enqueue really runs
def test_with_the_broker_down_running_scenarios_says_so_and_the_reaper_starts_the_run_once_it_is_back(
    client_for, transport_official, bus_stop_tender, small_assumptions, settings
):
    url = reverse("finance:scenario-run-create", args=[bus_stop_tender.reference])
    with broker_unreachable():
        response = client_for(transport_official).post(url, follow=True)

    assert response.status_code == 200
    assert str(QUEUE_UNREACHABLE) in response.content.decode()
    run = ScenarioRun.objects.get(tender=bus_stop_tender)
    assert run.status == ScenarioRun.Status.QUEUED and run.heartbeat_at is None  # saved, never sent

    # Within the grace a run may just be on its way to the broker: the reaper leaves it.
    assert scenario_runs_requeue_stuck() == []
    # Later (the broker is back: tasks run inline again here), the reaper sends it and it is computed.
    later = timezone.now() + timedelta(seconds=settings.SCENARIO_RUN_ENQUEUE_GRACE + 1)
    assert scenario_runs_requeue_stuck(now=later) == [run.pk]
    run.refresh_from_db()
    assert run.status == ScenarioRun.Status.SUCCEEDED
    assert ScenarioSummary.objects.filter(run=run).count() == 4


@pytest.mark.django_db(transaction=True)
def test_the_reaper_leaves_a_run_queued_while_the_broker_is_still_down(
    bus_stop_tender, small_assumptions, transport_official, settings
):
    with broker_unreachable():
        run = scenario_run_request(tender=bus_stop_tender, actor=transport_official)
        assert run.queue_unreachable
        later = timezone.now() + timedelta(seconds=settings.SCENARIO_RUN_ENQUEUE_GRACE + 1)
        assert scenario_runs_requeue_stuck(now=later) == []  # not sent: nothing to report
    run.refresh_from_db()
    assert run.status == ScenarioRun.Status.QUEUED and run.heartbeat_at is None  # tried again next time


@pytest.mark.django_db(transaction=True)
def test_asking_again_once_the_broker_is_back_sends_the_waiting_run_at_once(
    bus_stop_tender, small_assumptions, transport_official
):
    with broker_unreachable():
        waiting = scenario_run_request(tender=bus_stop_tender, actor=transport_official)
        again = scenario_run_request(tender=bus_stop_tender, actor=transport_official)
    assert again.pk == waiting.pk and again.queue_unreachable  # one run, still not sent
    again = scenario_run_request(tender=bus_stop_tender, actor=transport_official)  # the broker is back
    assert again.pk == waiting.pk and not again.queue_unreachable
    again.refresh_from_db()
    assert again.status == ScenarioRun.Status.SUCCEEDED  # computed (inline here)


def test_a_run_handed_to_the_broker_is_not_sent_again_before_the_queued_deadline(
    bus_stop_tender, small_assumptions, transport_official, settings
):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    sent_at = timezone.now()
    ScenarioRun.objects.filter(pk=run.pk).update(heartbeat_at=sent_at)  # as the enqueue does
    soon = sent_at + timedelta(seconds=settings.SCENARIO_RUN_QUEUED_DEADLINE - 1)
    assert scenario_runs_requeue_stuck(now=soon) == []  # a long queue is not flooded with copies
    lost = sent_at + timedelta(seconds=settings.SCENARIO_RUN_QUEUED_DEADLINE + 1)
    assert scenario_runs_requeue_stuck(now=lost) == [run.pk]  # its message was lost (a flushed broker)


# --- A running run whose worker went silent ----------------------------------------------------------------


def test_a_running_run_silent_past_the_heartbeat_timeout_is_queued_again_with_a_tender_event(
    bus_stop_tender, small_assumptions, transport_official, settings
):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    beat = timezone.now()
    ScenarioRun.objects.filter(pk=run.pk).update(
        status=ScenarioRun.Status.RUNNING, started_at=beat, heartbeat_at=beat, attempts=1
    )
    timeout = settings.SCENARIO_RUN_HEARTBEAT_TIMEOUT
    assert scenario_runs_requeue_stuck(now=beat + timedelta(seconds=timeout - 1)) == []  # still beating
    assert scenario_runs_requeue_stuck(now=beat + timedelta(seconds=timeout + 1)) == [run.pk]
    run.refresh_from_db()
    assert run.status == ScenarioRun.Status.SUCCEEDED  # computed again (inline here)
    assert run.attempts == 2
    event = TenderEvent.objects.get(tender=bus_stop_tender, action="scenario_run_requeued")
    assert f"run {run.pk} queued again after attempt 1: its worker stopped reporting" in event.comment


def test_the_heartbeat_settings_recover_a_killed_worker_within_two_minutes():
    from django.conf import settings

    from config.settings import base

    assert (
        base.SCENARIO_RUN_HEARTBEAT_SECONDS * 3 <= base.SCENARIO_RUN_HEARTBEAT_TIMEOUT
    )  # a missed beat is no death
    assert base.SCENARIO_REAPER_PERIOD <= 30
    assert base.SCENARIO_RUN_HEARTBEAT_TIMEOUT + base.SCENARIO_REAPER_PERIOD <= 90  # leaves time to compute
    schedule = settings.CELERY_BEAT_SCHEDULE["requeue-stuck-scenario-runs"]
    assert schedule["task"] == "finance.tasks.requeue_stuck_scenario_runs"
    assert schedule["schedule"] == base.SCENARIO_REAPER_PERIOD


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)  # the beat is written by another connection: rows must be committed
def test_a_live_worker_keeps_its_run_beating_during_one_long_engine_call(
    bus_stop_tender, small_assumptions, transport_official, settings, monkeypatch
):
    """The beat comes from a thread: an engine call that reports no progress for long still beats."""
    from finance.services import scenarios

    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    settings.SCENARIO_RUN_HEARTBEAT_SECONDS = 0.2
    seen = []
    real_run_all = scenarios.run_all

    def slow_silent_engine(**kwargs):
        kwargs.pop("progress")
        started = ScenarioRun.objects.get(pk=run.pk).heartbeat_at
        time.sleep(1.5)  # no progress reported meanwhile
        seen.append((started, ScenarioRun.objects.get(pk=run.pk).heartbeat_at))
        return real_run_all(**kwargs)

    monkeypatch.setattr(scenarios, "run_all", slow_silent_engine)
    assert scenarios.scenario_run_execute(run.pk).status == ScenarioRun.Status.SUCCEEDED
    ((started, after),) = seen
    assert after - started >= timedelta(seconds=1)


# --- A whole worker killed mid-run, on a real worker ---------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_a_run_whose_whole_worker_is_killed_is_finished_by_another_worker_within_two_minutes(
    start_separate_worker, bus_stop_tender, small_assumptions, transport_official, settings
):
    first_worker = start_separate_worker()
    # Many draws over a long horizon (plus the test-only progress delay of tests/finance/scenarios/conftest.py)
    # make the job last long enough to be killed while it runs.
    values = {"monte_carlo_draws": 100_000, "horizon_years": 60}
    scenario_assumptions_save(tender=bus_stop_tender, values=values, actor=transport_official)
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official)
    wait_for(run, condition=lambda r: r.status == "running" and r.progress >= 10, timeout=60)

    os.killpg(first_worker.pid, signal.SIGKILL)  # the main process and its pool child, at once
    first_worker.wait()
    killed_at = time.monotonic()
    assert scenario_runs_requeue_stuck() == []  # its last beat is recent: not presumed dead yet

    second_worker = start_separate_worker()
    timeout = settings.SCENARIO_RUN_HEARTBEAT_TIMEOUT
    run.refresh_from_db()
    last_beat = run.heartbeat_at
    time.sleep(max(0.0, timeout + 0.5 - (timezone.now() - last_beat).total_seconds()))
    run.refresh_from_db()
    assert run.status == ScenarioRun.Status.RUNNING and run.heartbeat_at == last_beat  # nobody computes it

    assert scenario_runs_requeue_stuck() == [run.pk]  # what celery beat does every SCENARIO_REAPER_PERIOD
    run = wait_for(run, condition=lambda r: r.status in ("succeeded", "failed"), timeout=90)
    assert time.monotonic() - killed_at < 120
    assert second_worker.poll() is None
    assert run.status == ScenarioRun.Status.SUCCEEDED, run.error_message
    assert run.attempts == 2
    # The right numbers, stored once: the deterministic results equal the engine's own on the same inputs.
    inputs = run.inputs | {"assumptions": run.inputs["assumptions"] | {"draws": 200}}
    direct = run_all(**engine_frames(inputs))
    stored = {s: float(v) for s, v in ScenarioSummary.objects.filter(run=run).values_list("scenario", "npv")}
    assert stored == {
        r.scenario: pytest.approx(round(r.npv_cost, 2), abs=0.005) for r in direct.summary.itertuples()
    }
    flows = direct.cashflows.groupby(["scenario", "fiscal_year", "department", "budget_type"]).ngroups
    assert ScenarioCashFlow.objects.filter(run=run).count() == flows
