"""Beat task of contracts: open ended periods for reporting, mark overdue reports, certify them. Thin."""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    max_retries=5,
)
def open_periods_and_mark_overdue() -> dict:
    """Idempotent: a period is opened, marked overdue and certified at most once (status checks under locks)."""
    from procurement.contracts.services import periods_open_and_mark_overdue

    return periods_open_and_mark_overdue()
