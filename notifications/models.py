"""What someone must know or do: an in-app inbox row per person and event, mailed once."""

from django.conf import settings
from django.db import models


class Notification(models.Model):
    class Kind(models.TextChoices):
        CONTRIBUTION_REQUESTED = "contribution_requested", "Contribution requested from your budget"
        APPROVAL_WAITING = "approval_waiting", "Tender waiting for approval"
        TENDER_RETURNED = "tender_returned", "Tender returned"
        TENDER_APPROVED = "tender_approved", "Tender approved"
        QUESTION_ASKED = "question_asked", "Question asked"
        QUESTION_ANSWERED = "question_answered", "Question answered"
        SIGN_OFF_REQUESTED = "sign_off_requested", "Sign-off requested"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    # The event this tells about, e.g. "contribution-requested:42": one row per person and event, so an event
    # handled twice (a retried service, a re-run task) never notifies or mails anyone twice.
    event_key = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True, help_text="Where to act, a path on this site.")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_key"], name="notification_once_per_event"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"]), models.Index(fields=["event_key"])]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"
