"""Celery tasks of the finance app: thin wrappers around services (queue `scenarios`, see config/celery_app.py).

Reliability comes from late acknowledgement with reject-on-worker-lost (a killed worker's message is
redelivered) and from the service being idempotent (a finished run is never recomputed, a run being computed
by a live process is not computed twice).
"""

import os

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError


class ScenarioRunTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Retries exhausted or an unexpected error: the user sees a failed run with the reason. (Bad inputs never
        get here: the service ends such a run failed with the engine's own message.)

        A worker has no user and no language: the message is stored in English with its code and parameters,
        and the page translates it when a person reads it (finance.scenario_text.run_failure_lines)."""
        from finance.services.scenarios import scenario_run_mark_failed

        run_id = args[0] if args else kwargs.get("run_id")
        if run_id is not None:
            scenario_run_mark_failed(
                run_id=run_id,
                message=f"The computation stopped with an error: {exc}",
                problems=[{"code": "computation_error", "params": {"error": str(exc)}}],
            )


@shared_task(
    bind=True,
    base=ScenarioRunTask,
    acks_late=True,
    reject_on_worker_lost=True,
    # Only transient database errors are worth retrying; an EngineError is not an exception here at all.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=3,
)
def run_scenarios(self, run_id: int) -> str:
    from finance.services.scenarios import scenario_run_execute

    # Test-only slowdown, in a real worker only (tests/finance/scenarios/conftest.py sets it before it starts).
    delay = 0.0 if self.request.is_eager else float(os.environ.get("SCENARIO_PROGRESS_DELAY") or 0)
    return scenario_run_execute(run_id, progress_delay=delay).status


@shared_task(bind=True, acks_late=True)
def requeue_stuck_scenario_runs(self) -> list[int]:
    """Periodic (celery beat, see config/celery_app.py): re-queue runs stuck past their deadline."""
    from finance.services.scenarios import scenario_runs_requeue_stuck

    return scenario_runs_requeue_stuck()
