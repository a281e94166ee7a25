"""Handing jobs to the broker without turning a broker outage into a server error.

A job's state lives in our own tables and is written before the job is queued (on commit), so a message that
cannot be sent loses nothing: the caller keeps the job waiting and tells the user, and the job is queued again
later (the scenario reaper; an import's "Start it again"). The wording is shared so users meet one sentence.
"""

from __future__ import annotations

import logging

from kombu.exceptions import OperationalError as BrokerError

logger = logging.getLogger(__name__)

QUEUE_UNREACHABLE = (
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
