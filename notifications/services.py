"""Writes of notifications. `notify` is called by other apps' services inside their own transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from .messages import english_title_and_body
from .models import Notification


def notify(
    *,
    event_key: str,
    kind: str,
    recipients: Iterable,
    title: str = "",
    body: str = "",
    url: str = "",
    params: dict | None = None,
) -> int:
    """Put one inbox row per recipient for this event (never twice) and mail them once the caller commits.

    With `params` (JSON-friendly), the title and body are written from `kind` and `params` (messages.py): in
    English for the stored row, in each reader's language when shown or mailed. Without, `title` and `body` are
    shown as given. Returns how many new rows were written. People without an account email still see the row.
    """
    params = params or {}
    if params:
        title, body = english_title_and_body(kind, params)
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not people:
        return 0
    existing = set(
        Notification.objects.filter(event_key=event_key, recipient_id__in=people).values_list(
            "recipient_id", flat=True
        )
    )
    rows = [
        Notification(
            recipient_id=pk,
            event_key=event_key,
            kind=kind,
            title=title[:200],
            body=body,
            params=params,
            url=url,
        )
        for pk in people
        if pk not in existing
    ]
    # ignore_conflicts: two transactions handling the same event at once still leave one row per person.
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        transaction.on_commit(lambda: _enqueue_emails(event_key))
    return len(rows)


def _enqueue_emails(event_key: str) -> None:
    from config.jobs import send_job

    from .tasks import send_notification_emails

    # Broker down: the inbox rows are there and the periodic sweep mails them once it is back.
    send_job(send_notification_emails, event_key)


def notification_emails_send(*, event_key: str | None = None) -> int:
    """Mail every notification (of one event, or all) not mailed yet. Each row is locked while it is mailed
    and marked in the same transaction, so two workers never mail the same row. Each mail is written in its
    recipient's language (their profile's, else the site's)."""
    from django.conf import settings
    from django.core.mail import send_mail

    from accounts.selectors import preferred_language

    pending = Notification.objects.filter(emailed_at__isnull=True).exclude(recipient__email="")
    if event_key is not None:
        pending = pending.filter(event_key=event_key)
    sent = 0
    for pk in list(pending.values_list("pk", flat=True)[:500]):
        with transaction.atomic():
            row = (
                Notification.objects.select_for_update(skip_locked=True)
                .select_related("recipient")
                .filter(pk=pk, emailed_at__isnull=True)
                .first()
            )
            if row is None:
                continue
            link = f"{settings.SITE_URL.rstrip('/')}{row.url}" if row.url else settings.SITE_URL
            with translation.override(preferred_language(row.recipient) or settings.LANGUAGE_CODE):
                title, body = row.shown_title, row.shown_body
            send_mail(
                subject=f"[{settings.CITY_NAME}] {title}",
                message=f"{body}\n\n{link}\n",
                from_email=None,
                recipient_list=[row.recipient.email],
            )
            row.emailed_at = timezone.now()
            row.save(update_fields=["emailed_at"])
            sent += 1
    return sent


def notification_mark_read(*, notification: Notification, actor) -> Notification:
    if notification.recipient_id != actor.pk:
        raise PermissionError(gettext("Only its recipient marks a notification read."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
