"""The finder's background job: a thin wrapper around the service (queue `default`).

Late acknowledgement with reject-on-worker-lost redelivers the message of a killed worker; the service is
idempotent (a finished run is never recomputed, one being computed by a live process is skipped).
"""

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError


class FinderRunTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Retries exhausted or an unexpected error: the user sees a failed run with the reason."""
        from .services import finder_run_mark_failed

        run_id = args[0] if args else kwargs.get("run_id")
        if run_id is not None:
            from departments.stored_text import FINDER_STOPPED

            # Stored in English, translated when shown (departments/stored_text.py).
            finder_run_mark_failed(run_id=run_id, message=FINDER_STOPPED % {"error": exc})


@shared_task(
    bind=True,
    base=FinderRunTask,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=3,
)
def run_finder(self, run_id: int) -> str:
    from .services import finder_run_execute

    return finder_run_execute(run_id).status
