"""Partner API tokens: the clear key is shown once, only its sha256 is stored, lookup by a short prefix."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from procurement.models import ApiToken, PartnerOrganisation

KEY_PREFIX = "opp_"
PREFIX_LENGTH = 12  # "opp_" + 8 random characters: enough to find the row, useless to authenticate
# Refresh last_used_at at most this often: a write per request would cost a query on every API call.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def token_create(
    *,
    organisation: PartnerOrganisation,
    name: str,
    expires_at: datetime.datetime | None = None,
    actor=None,
    scope: str = ApiToken.Scope.READ,
) -> tuple[ApiToken, str]:
    """Create a token; returns (token, clear key). The clear key is never stored: show it once."""
    with transaction.atomic():
        while True:
            key = KEY_PREFIX + secrets.token_urlsafe(32)
            prefix = key[:PREFIX_LENGTH]
            if not ApiToken.objects.filter(prefix=prefix).exists():
                break
        token = ApiToken(
            organisation=organisation,
            name=name,
            prefix=prefix,
            key_hash=hash_key(key),
            expires_at=expires_at,
            scope=scope,
        )
        token.full_clean()
        token.save()
    return token, key


def token_revoke(*, token: ApiToken, actor=None) -> ApiToken:
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        token.refresh_from_db()
    return token


def token_authenticate(*, key: str) -> ApiToken | None:
    """The active token for a clear key, or None (unknown, wrong, expired or revoked)."""
    if not key or not key.startswith(KEY_PREFIX) or len(key) <= PREFIX_LENGTH:
        return None
    token = ApiToken.objects.select_related("organisation").filter(prefix=key[:PREFIX_LENGTH]).first()
    # Constant-time comparison of the hashes: the prefix is public, the rest must not leak by timing.
    if token is None or not hmac.compare_digest(token.key_hash, hash_key(key)):
        return None
    now = timezone.now()
    if token.revoked_at is not None or (token.expires_at is not None and token.expires_at <= now):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
