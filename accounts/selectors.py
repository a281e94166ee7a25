"""Reads about a person's own choices."""

from __future__ import annotations

from django.conf import settings

from accounts.models import Profile


def preferred_language(user) -> str | None:
    """The interface language ``user`` chose, or None when they chose none (or are anonymous).

    Used where no request tells the language: e-mails and notifications written for someone."""
    if user is None or not getattr(user, "is_authenticated", False) or user.pk is None:
        return None
    language = Profile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    return language if language in dict(settings.LANGUAGES) else None
