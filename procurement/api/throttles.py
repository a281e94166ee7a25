"""Anonymous visitors get a low rate, partners a higher one (per organisation). Over the rate: 429."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from procurement.api.authentication import partner_of


class _DynamicRateThrottle(SimpleRateThrottle):
    def get_rate(self):
        # Read at request time (DRF reads it at import), so a settings override applies at once.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonymousThrottle(_DynamicRateThrottle):
    scope = "anonymous"

    def get_cache_key(self, request, view):
        if partner_of(request) is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class PartnerThrottle(_DynamicRateThrottle):
    scope = "partner"

    def get_cache_key(self, request, view):
        partner = partner_of(request)
        if partner is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": partner.organisation.pk}
