"""A task sent through Redis is executed by a real worker and its effect is visible in PostgreSQL."""

import time

import pytest

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_task_sent_through_redis_runs_on_the_worker_and_writes_to_postgres(celery_worker):
    from config.tasks import record_heartbeat
    from departments.models import AuditEvent

    record_heartbeat.delay("ci-check")

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if AuditEvent.objects.filter(action="heartbeat", entity_id="ci-check").exists():
            break
        time.sleep(0.2)
    event = AuditEvent.objects.get(action="heartbeat", entity_id="ci-check")
    assert event.data["worker_pid"] is not None
    import os

    assert event.data["worker_pid"] != os.getpid()
