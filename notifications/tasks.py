"""Thin tasks: mail notifications (per event on commit; a periodic sweep catches anything missed)."""

from celery import shared_task


@shared_task(bind=True, acks_late=True, max_retries=5, default_retry_delay=30)
def send_notification_emails(self, event_key: str) -> int:
    from .services import notification_emails_send

    try:
        return notification_emails_send(event_key=event_key)
    except OSError as error:  # the mail server did not answer: try again later, nothing was marked sent
        raise self.retry(exc=error) from error


@shared_task(acks_late=True)
def send_pending_notification_emails() -> int:
    from .services import notification_emails_send

    return notification_emails_send()
