"""Handing jobs to the broker without turning a broker outage into a server error.

A job's state lives in our own tables and is written before the job is queued (on commit), so a message that
cannot be sent loses nothing: the caller keeps the job waiting and tells the user, and the job is queued again
later (the scenario reaper; an import's "Start it again"). The wording is shared so users meet one sentence.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator

from django.db import connection
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

# Lazy: shown in the language of the request that meets the outage.
QUEUE_UNREACHABLE = _(
    "The job queue is not reachable; your run is saved and will start automatically when it is back."
)


def send_job(task, *args) -> bool:
    """`task.delay(*args)`; False (logged) if the broker cannot be reached.

    Only broker errors are caught: Celery re-raises every connection problem while publishing as kombu's
    OperationalError (after its short publish retries, well under a second for a refused connection). Run
    inline (no broker), an error of the job itself is not a queue problem and propagates as before.
    """
    try:
        task.delay(*args)
    except BrokerError as error:
        logger.error("job queue unreachable, %s%r not sent: %s", task.name, args, error)
        return False
    return True


@contextlib.contextmanager
def job_lock(namespace: int, key: int, *, wait: float) -> Iterator[bool]:
    """Hold a PostgreSQL session advisory lock on (namespace, key) while a job computes; yields whether it was
    acquired within `wait` seconds.

    Why: a job may be delivered twice (redelivery after a worker died, or a reaper re-queuing it). A live
    computation holds the lock, so a second delivery skips; a dead worker's connection closes and the lock goes
    with it, so its redelivery may take over. The short wait covers the moment between the broker redelivering a
    killed worker's message and the server noticing its closed connection. On SQLite (embedded, one process,
    tasks inline) there is no second process to exclude.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    deadline = time.monotonic() + wait
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [namespace, key])
            acquired = bool(cursor.fetchone()[0])
            if acquired or time.monotonic() >= deadline:
                break
            time.sleep(0.1)
    try:
        yield acquired
    finally:
        if acquired:
            with contextlib.suppress(Exception), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [namespace, key])
