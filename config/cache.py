"""The shared cache: Django's Redis backend, degrading to "no cache" while Redis cannot be reached.

The cache holds throttle counters and rendered API list pages, shared by every web process. Neither is worth a
server error: with Redis down a cached page is rendered again and a throttle lets the request through (it
counts from 1 again), instead of every API request answering 500. Only connection problems are absorbed;
anything else (a bad value, a programming error) still raises.

Two changes to Django's backend for speed (docs/benchmarks.md, "Partner API list with the production cache"):
one `redis.Redis` per connection pool instead of one per operation, and `count()`, a throttle counter in one
round trip.
"""

from __future__ import annotations

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _unreachable(operation: str, error: Exception) -> None:
    logger.warning("cache unreachable, %s skipped: %s", operation, error)


class _OneClientPerPool(RedisCacheClient):
    """Django's client builds a new `redis.Redis` for every cache operation, which registers its ≈ 170 response
    callbacks anew (≈ 0.2 ms, as much as the round trip itself); here one per connection pool is built once and
    reused. A `redis.Redis` may be shared between threads: each command takes a connection from the pool."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _OneClientPerPool

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNREACHABLE as error:
            _unreachable("get", error)
            return default

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNREACHABLE as error:
            _unreachable("add", error)
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as error:
            _unreachable("set", error)

    def count(self, key, timeout: int, version=None) -> int:
        """One more in the counter `key`, which starts at 1 and expires `timeout` seconds after it started; its
        new value. One round trip (SET NX with the expiry, then INCR, in one MULTI/EXEC), where add() then
        incr() take three (Django's incr() first asks whether the key exists). With Redis unreachable: 1."""
        key = self.make_and_validate_key(key, version=version)
        try:
            pipeline = self._cache.get_client(key, write=True).pipeline(transaction=True)
            pipeline.set(key, 0, ex=timeout, nx=True)  # integers are stored as themselves: INCR reads them
            pipeline.incr(key)
            return int(pipeline.execute()[1])
        except UNREACHABLE as error:
            _unreachable("count", error)
            return 1

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNREACHABLE as error:
            _unreachable("incr", error)
            raise ValueError(f"Key '{key}' not found (cache unreachable)") from error

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNREACHABLE as error:
            _unreachable("delete", error)
            return False
