"""Celery tasks of the procurement app (found by autodiscovery): the proposals' price job, the contracts' beat."""

from procurement.contracts.tasks import open_periods_and_mark_overdue
from procurement.proposals.tasks import price_proposals_job, requeue_stuck_price_jobs

__all__ = ["open_periods_and_mark_overdue", "price_proposals_job", "requeue_stuck_price_jobs"]
