"""The cache is shared by every web process when REDIS_URL is set: throttles count once for all gunicorn
workers, and the API's cached pages are rendered once. With Redis unreachable the API still answers."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from django.test import override_settings

from tests.config.test_settings import run_django

ROOT = Path(__file__).resolve().parents[2]
LIST = "/api/v1/tenders/"


def cache_settings(**env) -> list[str]:
    result = run_django(
        "config.settings.local",
        "shell",
        "-c",
        "from django.conf import settings as s; c = s.CACHES['default'];"
        "print(c['BACKEND'], c.get('LOCATION', '-'), s.REST_FRAMEWORK['NUM_PROXIES'])",
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1].split()


def test_with_redis_url_the_cache_is_redis_shared_by_every_process():
    assert cache_settings(REDIS_URL="redis://127.0.0.1:6379/9") == [
        "config.cache.ResilientRedisCache",
        "redis://127.0.0.1:6379/9",
        "0",
    ]


def test_without_redis_url_the_cache_is_this_process_memory():
    assert cache_settings(REDIS_URL="") == ["django.core.cache.backends.locmem.LocMemCache", "-", "0"]


def test_the_number_of_trusted_proxies_comes_from_the_environment():
    assert cache_settings(REDIS_URL="", API_NUM_PROXIES="2")[-1] == "2"


# --- With a real Redis ----------------------------------------------------------------------------------------

# One "web process": throttle two anonymous requests from one address and print whether each was allowed.
TWO_REQUESTS = """
import django, sys
django.setup()
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory
from procurement.api.throttles import AnonymousThrottle
request = Request(APIRequestFactory().get("/api/v1/tenders/", REMOTE_ADDR=sys.argv[1]))
print(*[AnonymousThrottle().allow_request(request, None) for _ in range(2)])
"""


def redis_url() -> str:
    return os.environ["REDIS_URL"]


def forget_keys(pattern: str) -> None:
    client = redis.Redis.from_url(redis_url())
    for key in client.scan_iter(match=pattern):
        client.delete(key)


@pytest.mark.redis
def test_two_web_processes_share_one_anonymous_count():
    address = f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(256)}"
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "API_THROTTLE_ANONYMOUS"
    }
    env |= {"DJANGO_SETTINGS_MODULE": "config.settings.local", "API_THROTTLE_ANONYMOUS": "3/day"}
    try:
        runs = [
            subprocess.run(
                [sys.executable, "-c", TWO_REQUESTS, address],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            for _ in range(2)
        ]
    finally:
        forget_keys(f"opp-cache:*{address}*")
    for run in runs:
        assert run.returncode == 0, run.stderr
    # 3 a day in all: the second process goes on counting from the first one's 2.
    assert [run.stdout.split() for run in runs] == [["True", "True"], ["True", "False"]]


def redis_cache(location: str, prefix: str) -> dict:
    """CACHES as config/settings/base.py makes them with REDIS_URL set, under a key prefix of this test."""
    return {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": location,
            "KEY_PREFIX": prefix,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.mark.redis
def test_throttle_counts_and_cached_api_pages_live_in_redis(client, transport):
    prefix = f"opp-test-{secrets.token_hex(4)}"
    try:
        with override_settings(CACHES=redis_cache(redis_url(), prefix)):
            assert client.get(LIST).status_code == 200
            keys = {k.decode() for k in redis.Redis.from_url(redis_url()).scan_iter(match=f"{prefix}:*")}
    finally:
        forget_keys(f"{prefix}:*")
    assert any(":throttle:anonymous:127.0.0.1:" in key for key in keys), keys
    assert any(":api:v1:tenders:" in key for key in keys), keys


@pytest.mark.redis
def test_a_counter_in_redis_counts_from_one_and_expires_with_its_window():
    prefix = f"opp-test-{secrets.token_hex(4)}"
    try:
        with override_settings(CACHES=redis_cache(redis_url(), prefix)):
            from django.core.cache import cache

            counts = [cache.count("throttle:test:window", timeout=5) for _ in range(3)]
            stored = cache.get("throttle:test:window")
            expires_in = redis.Redis.from_url(redis_url()).ttl(f"{prefix}:1:throttle:test:window")
    finally:
        forget_keys(f"{prefix}:*")
    assert counts == [1, 2, 3]
    assert stored == 3  # the same counter Django's own get() reads
    assert 0 < expires_in <= 5  # set when the window's first request created it


@pytest.mark.redis
def test_an_anonymous_request_is_counted_in_one_round_trip_to_redis(monkeypatch):
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from procurement.api.throttles import AnonymousThrottle

    prefix = f"opp-test-{secrets.token_hex(4)}"
    request = Request(APIRequestFactory().get(LIST, REMOTE_ADDR="10.9.8.7"))
    trips = []
    try:
        with override_settings(CACHES=redis_cache(redis_url(), prefix)):
            from django.core.cache import cache

            AnonymousThrottle().allow_request(request, None)  # the window's first request creates the counter
            pool = cache._cache._get_connection_pool(write=True)
            taken = pool.get_connection
            monkeypatch.setattr(pool, "get_connection", lambda *a, **k: trips.append(1) or taken(*a, **k))
            assert AnonymousThrottle().allow_request(request, None)
    finally:
        forget_keys(f"{prefix}:*")
    assert len(trips) == 1  # MULTI, SET NX EX, INCR, EXEC sent together (add() + incr() took three)


@pytest.mark.redis
def test_every_operation_on_the_shared_cache_reuses_one_redis_client():
    prefix = f"opp-test-{secrets.token_hex(4)}"
    try:
        with override_settings(CACHES=redis_cache(redis_url(), prefix)):
            from django.core.cache import cache

            cache.set("reused", "a value", 5)
            clients = {id(cache._cache.get_client(write=True)), id(cache._cache.get_client())}
            assert cache.get("reused") == "a value"
            assert cache.count("reused:counter", timeout=5) == 1
    finally:
        forget_keys(f"{prefix}:*")
    assert len(clients) == 1  # Django's own client builds a new one (≈ 0.2 ms) for every operation


def test_with_redis_unreachable_a_counter_lets_the_request_through(caplog):
    with override_settings(CACHES=redis_cache("redis://127.0.0.1:1/0", "opp-down")):
        from django.core.cache import cache

        assert [cache.count("throttle:test:down", timeout=5) for _ in range(2)] == [1, 1]
    assert "cache unreachable, count skipped" in caplog.text


def test_with_redis_unreachable_the_api_still_answers(client, transport, caplog):
    with override_settings(CACHES=redis_cache("redis://127.0.0.1:1/0", "opp-down")):
        codes = [client.get(LIST).status_code for _ in range(2)]
    assert codes == [200, 200]  # pages rendered anew, requests not throttled: no 500
    assert "cache unreachable" in caplog.text
