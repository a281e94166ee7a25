"""Which real services this test run has, and what to do when a test needs one that is missing.

Locally a missing service skips the test with the reason; in CI (REQUIRE_SERVICES=1) it fails it, so a
green CI run always means the test really ran against PostgreSQL, Redis, a Celery worker or Chromium.
"""

import os
import shutil
from functools import cache

import pytest

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def require(available: bool, reason: str) -> None:
    if available:
        return
    if services_required():
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1: a missing service fails the test)", pytrace=False)
    pytest.skip(reason)


def has_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


@cache
def has_redis() -> bool:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@cache
def has_chromium() -> bool:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return shutil.which(CHROMIUM_PATH) is not None or os.path.exists(CHROMIUM_PATH)
