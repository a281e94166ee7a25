"""Anonymous visitors get a low rate, partners a higher one (per organisation). Over the rate: 429.

Fixed-window counters (one counter increment per request) rather than DRF's sliding-window history lists, whose
cost grows with the rate (the whole list is read and written on every request).
"""

import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from procurement.api.authentication import partner_of

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """Parse a rate: "60/min" → (60 requests, 60 seconds)."""
    count, period = rate.split("/")
    return int(count), PERIODS[period[0]]


def _count(key: str, timeout: int) -> int:
    """This request's number in its window's counter. The shared Redis cache counts in one round trip
    (config/cache.py); any other cache (local memory: `make run`, the tests) by add() then incr()."""
    if hasattr(cache, "count"):
        return cache.count(key, timeout)
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr: start the window again
        cache.set(key, 1, timeout=timeout)
        return 1


class _FixedWindowThrottle(BaseThrottle):
    scope = ""

    def ident_for(self, request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request, view):
        ident = self.ident_for(request)
        # Read at request time (DRF reads rates at import), so a settings override applies at once.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        if ident is None or not rate:
            return True
        limit, period = parse_rate(rate)
        now = time.time()
        window = int(now // period)
        count = _count(f"throttle:{self.scope}:{ident}:{window}", timeout=period + 1)
        self._wait = (window + 1) * period - now
        return count <= limit

    def wait(self):
        return getattr(self, "_wait", None)


class AnonymousThrottle(_FixedWindowThrottle):
    scope = "anonymous"

    def ident_for(self, request):
        if partner_of(request) is not None:
            return None
        return self.get_ident(request)


class PartnerThrottle(_FixedWindowThrottle):
    scope = "partner"

    def ident_for(self, request):
        partner = partner_of(request)
        return None if partner is None else str(partner.organisation.pk)
