"""The Celery application, with reliability defaults.

Job state (queued, running, progress, results) lives in our own tables, so results are ignored here.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("opp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.update(
    # A message is acknowledged only after the task finished: a worker killed mid-job does not lose it.
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    # One message at a time per process, so a long job does not hold others hostage in a prefetch buffer.
    worker_prefetch_multiplier=1,
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    task_ignore_result=True,
    # Time limits stay below the broker visibility timeout (default 3600 s), see settings.
    task_soft_time_limit=600,
    task_time_limit=900,
    broker_connection_retry_on_startup=True,
    task_default_queue="default",
    task_routes={
        "finance.tasks.*": {"queue": "scenarios"},
        # The proposals' price job is an engine computation like a scenario run: same queue, same workers.
        "procurement.proposals.tasks.*": {"queue": "scenarios"},
    },
)
app.autodiscover_tasks()
# Site-level tasks live outside the apps.
app.conf.imports = ["config.tasks"]
# The periodic tasks (celery beat) are in the settings: CELERY_BEAT_SCHEDULE (config/settings/base.py).
