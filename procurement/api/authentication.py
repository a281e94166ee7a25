"""`Authorization: Token <key>` for partner organisations. The key is never logged nor echoed."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from procurement.models import ApiToken, PartnerOrganisation
from procurement.publication.tokens import token_authenticate


@dataclass(frozen=True)
class Partner:
    """The principal of a partner request (not a Django user: partners have no login)."""

    organisation: PartnerOrganisation
    token: ApiToken
    is_authenticated: bool = True
    is_anonymous: bool = False
    is_active: bool = True

    @property
    def pk(self) -> str:
        return f"partner-{self.organisation.pk}"

    def __str__(self) -> str:
        return self.organisation.name


class PartnerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                _("Invalid token header: use 'Authorization: Token <key>'.")
            )
        try:
            key = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        token = token_authenticate(key=key)
        if token is None:
            # Same message for unknown, expired and revoked keys; the key itself is never repeated.
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return Partner(organisation=token.organisation, token=token), token

    def authenticate_header(self, request):
        return self.keyword


def partner_of(request) -> Partner | None:
    user = getattr(request, "user", None)
    return user if isinstance(user, Partner) else None


class PartnerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "procurement.api.authentication.PartnerTokenAuthentication"
    name = "partnerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A partner organisation's token: `Token <key>`.",
        }
