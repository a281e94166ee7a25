"""What someone must know or do: an in-app inbox row per person and event, mailed once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Kind(models.TextChoices):
        CONTRIBUTION_REQUESTED = "contribution_requested", _("Contribution requested from your budget")
        CONTRIBUTION_WITHDRAWN = "contribution_withdrawn", _("Contribution request withdrawn")
        APPROVAL_WAITING = "approval_waiting", _("Tender waiting for approval")
        TENDER_RETURNED = "tender_returned", _("Tender returned")
        TENDER_APPROVED = "tender_approved", _("Tender approved")
        QUESTION_ASKED = "question_asked", _("Question asked")
        QUESTION_ANSWERED = "question_answered", _("Question answered")
        SIGN_OFF_REQUESTED = "sign_off_requested", _("Sign-off requested")
        REPORT_DUE = "report_due", _("Contract report due")
        REPORT_SUBMITTED = "report_submitted", _("Contract report to verify")
        REPORT_LINE_REJECTED = "report_line_rejected", _("Contract report line rejected")
        CERTIFICATE_WAITING = "certificate_waiting", _("Payment certificate waiting for approval")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    # The event this tells about, e.g. "contribution-requested:42": one row per person and event, so an event
    # handled twice (a retried service, a re-run task) never notifies or mails anyone twice.
    event_key = models.CharField(max_length=200, verbose_name=_("event key"))
    kind = models.CharField(max_length=32, choices=Kind.choices, verbose_name=_("kind"))
    # The title and body in English, as written when the event happened (the admin shows them; rows without
    # params are shown with them). Pages and e-mails write them again from `kind` and `params` in the reader's
    # language (notifications/messages.py).
    title = models.CharField(max_length=200, verbose_name=_("title"))
    body = models.TextField(blank=True, verbose_name=_("body"))
    params = models.JSONField(default=dict, blank=True, verbose_name=_("params"))
    url = models.CharField(
        max_length=300, blank=True, help_text=_("Where to act, a path on this site."), verbose_name=_("url")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("read at"))
    emailed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("emailed at"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_key"], name="notification_once_per_event"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"]), models.Index(fields=["event_key"])]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"

    def _shown(self) -> tuple[str, str]:
        from .messages import title_and_body

        if self.params:
            try:
                title, body = title_and_body(self.kind, self.params)
            except (KeyError, TypeError, ValueError):
                pass
            else:
                return title[:200], body
        return self.title, self.body

    @property
    def shown_title(self) -> str:
        """The title in the active language (the stored English one for rows without parameters)."""
        return self._shown()[0]

    @property
    def shown_body(self) -> str:
        """The body in the active language (the stored English one for rows without parameters)."""
        return self._shown()[1]
