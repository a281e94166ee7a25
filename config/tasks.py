"""Operational tasks of the site itself."""

import os

from celery import shared_task


@shared_task(acks_late=True)
def record_heartbeat(label: str) -> None:
    """Write an audit row from the worker: proves end to end that broker, worker and database are wired."""
    from departments.models import AuditEvent

    AuditEvent.objects.create(
        action="heartbeat", entity="worker", entity_id=label, data={"worker_pid": os.getpid()}
    )
