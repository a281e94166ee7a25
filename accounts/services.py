"""Changes a person makes to their own choices."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Profile
from departments.models import AuditEvent


@transaction.atomic
def set_language(user, language: str) -> Profile:
    """Store the interface language ``user`` chose (one of settings.LANGUAGES, or "" for "the browser decides").

    One transaction: the profile row (created on first choice) and an audit row saying who chose what; the
    audit row is written only when the choice changes.
    """
    if language not in dict(settings.LANGUAGES) and language != "":
        raise ValidationError({"language": _("Choose one of the offered languages.")})
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    previous = profile.language
    if previous == language:
        return profile
    profile.language = language
    profile.save(update_fields=["language"])
    AuditEvent.objects.create(
        actor=user,
        action="profile.language",
        entity="Profile",
        entity_id=str(profile.pk),
        # The summary is stored as data (a code), not prose: it is shown by whoever reads the history.
        summary=f"language {previous or '-'} -> {language or '-'}",
        data={"from": previous, "to": language},
    )
    return profile
