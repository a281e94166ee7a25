"""Readiness checks of the components the application depends on."""

from django.conf import settings
from django.db import connections
from django.db.utils import Error as DatabaseError


def check_database() -> dict:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connections["default"].vendor}


def check_broker() -> dict:
    # No broker configured is the embedded default, not a failure: tasks run inline.
    if not settings.REDIS_URL:
        return {"ok": True, "mode": "inline"}
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except redis.RedisError as exc:
        return {"ok": False, "mode": "redis", "error": exc.__class__.__name__}
    return {"ok": True, "mode": "redis"}
