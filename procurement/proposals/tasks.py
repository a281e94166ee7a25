"""Celery task of the evaluation: the engine's price job, on the `scenarios` queue (like scenario runs; routed
in config/celery_app.py).

Thin: the service does the work, is idempotent (a priced evaluation is never priced again) and locks the row.
"""

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError


class PriceProposalsTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Retries exhausted or an unexpected error: the lead official sees a failed job with the reason."""
        from procurement.proposals.evaluation import evaluation_mark_failed

        evaluation_id = args[0] if args else kwargs.get("evaluation_id")
        if evaluation_id is not None:
            evaluation_mark_failed(
                evaluation_id=evaluation_id, message=f"The price job stopped with an error: {exc}"
            )


@shared_task(
    bind=True,
    base=PriceProposalsTask,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=3,
)
def price_proposals_job(self, evaluation_id: int) -> str:
    from procurement.proposals.evaluation import evaluation_price

    return evaluation_price(evaluation_id).status


@shared_task(bind=True, acks_late=True)
def requeue_stuck_price_jobs(self) -> list[int]:
    """Periodic (celery beat, config/celery_app.py): re-queue price jobs stuck past their deadline."""
    from procurement.proposals.evaluation import evaluations_requeue_stuck

    return evaluations_requeue_stuck()
