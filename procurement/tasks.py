"""Celery tasks of the procurement app (found by autodiscovery): the proposals' price job."""

from procurement.proposals.tasks import price_proposals_job, requeue_stuck_price_jobs

__all__ = ["price_proposals_job", "requeue_stuck_price_jobs"]
