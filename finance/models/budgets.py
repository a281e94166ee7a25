"""Budget lines of departments and the contributions they pledge to tenders (the pooled budget)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from config.append_only import append_only_triggers

MONEY = {"max_digits": 18, "decimal_places": 2}


class BudgetType(models.TextChoices):
    CAPEX = "capex", _("CapEx")
    OPEX = "opex", _("OpEx")


class BudgetLine(models.Model):
    """A department's appropriation for one fiscal year and one budget type (EUR, nominal)."""

    department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        related_name="budget_lines",
        verbose_name=_("department"),
    )
    fiscal_year = models.PositiveSmallIntegerField(verbose_name=_("fiscal year"))
    budget_type = models.CharField(max_length=8, choices=BudgetType.choices, verbose_name=_("budget type"))
    name = models.CharField(
        max_length=200, default="General", help_text=_("Programme or line name."), verbose_name=_("name")
    )
    amount = models.DecimalField(**MONEY, verbose_name=_("amount"))
    currency = models.CharField(max_length=3, default="EUR", verbose_name=_("currency"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["department__name", "fiscal_year", "budget_type", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "fiscal_year", "budget_type", "name"], name="budgetline_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budgetline_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.fiscal_year} {self.get_budget_type_display()} — {self.name}"


class Contribution(models.Model):
    """A tender's request for an amount of one budget line; finance decides it.

    requested → approved | rejected; approved → released (tender cancelled); requested → withdrawn (by the
    lead department's official, or the tender cancelled before a decision). Over the two-approver threshold an
    approval takes two finance users: the first is recorded in `first_approved_by` (the contribution stays
    requested), the second in `decided_by`.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("contribution status", "Requested")
        APPROVED = "approved", pgettext_lazy("contribution status", "Approved")
        REJECTED = "rejected", pgettext_lazy("contribution status", "Rejected")
        RELEASED = "released", pgettext_lazy("contribution status", "Released")
        WITHDRAWN = "withdrawn", pgettext_lazy("contribution status", "Withdrawn")

    tender = models.ForeignKey(
        "procurement.Tender", on_delete=models.PROTECT, related_name="contributions", verbose_name=_("tender")
    )
    budget_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="contributions", verbose_name=_("budget line")
    )
    amount = models.DecimalField(**MONEY, verbose_name=_("amount"))
    status = models.CharField(
        max_length=16,
        choices=Status.choices,
        default=Status.REQUESTED,
        db_index=True,
        verbose_name=_("status"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    requested_at = models.DateTimeField(auto_now_add=True, verbose_name=_("requested at"))
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("first approved by"),
    )
    first_approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("first approved at"))
    first_approval_comment = models.TextField(blank=True, verbose_name=_("first approval comment"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))
    decision_comment = models.TextField(blank=True, verbose_name=_("decision comment"))
    released_at = models.DateTimeField(null=True, blank=True, verbose_name=_("released at"))

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="contribution_amount_positive"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="contribution_decider_not_requester",
            ),
            # Four-eyes on large contributions: the first approver is neither the requester nor the second.
            models.CheckConstraint(
                condition=Q(first_approved_by__isnull=True) | ~Q(first_approved_by=F("requested_by")),
                name="contribution_first_approver_not_requester",
            ),
            models.CheckConstraint(
                condition=Q(first_approved_by__isnull=True)
                | Q(decided_by__isnull=True)
                | ~Q(first_approved_by=F("decided_by")),
                name="contribution_two_different_approvers",
            ),
        ]
        indexes = [models.Index(fields=["budget_line", "status"])]

    def __str__(self) -> str:
        # Translators: a contribution, e.g. "12500.00 from Transport 2027 OpEx — General (approved)".
        return gettext("%(amount)s from %(line)s (%(status)s)") % {
            "amount": self.amount,
            "line": self.budget_line,
            "status": str(self.get_status_display()).lower(),
        }


class TenderNeed(models.Model):
    """The money a tender needs per fiscal year and budget type, entered by hand (EUR, nominal).

    Used when no financing scenario is chosen (finance.selectors.scenarios.chosen_scenario_need is None).
    """

    tender = models.ForeignKey(
        "procurement.Tender", on_delete=models.CASCADE, related_name="budget_needs", verbose_name=_("tender")
    )
    fiscal_year = models.PositiveSmallIntegerField(verbose_name=_("fiscal year"))
    budget_type = models.CharField(max_length=8, choices=BudgetType.choices, verbose_name=_("budget type"))
    amount = models.DecimalField(**MONEY, verbose_name=_("amount"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("entered by"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("tender need")
        verbose_name_plural = _("tender needs")
        ordering = ["fiscal_year", "budget_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "fiscal_year", "budget_type"], name="tenderneed_once_per_year_type"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="tenderneed_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.tender_id} {self.fiscal_year} {self.budget_type}: {self.amount}"


class FundingOverride(models.Model):
    """A finance user's recorded, reasoned decision that a tender may be approved despite a funding shortfall.

    A recorded decision is history: PostgreSQL refuses UPDATE, DELETE and TRUNCATE (config/append_only.py).
    """

    tender = models.ForeignKey(
        "procurement.Tender",
        on_delete=models.PROTECT,
        related_name="funding_overrides",
        verbose_name=_("tender"),
    )
    reason = models.TextField(verbose_name=_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("funding override")
        verbose_name_plural = _("funding overrides")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="fundingoverride_reason_given")]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return gettext("Override on tender %(tender)s by %(person)s") % {
            "tender": self.tender_id,
            "person": self.decided_by,
        }


class BudgetEvent(models.Model):
    """Append-only audit of budgets: every request, decision, release and override (who, when, amounts).

    PostgreSQL refuses UPDATE, DELETE and TRUNCATE on this table (config/append_only.py); foreign keys are
    PROTECT so that nothing cascades into it.
    """

    class Action(models.TextChoices):
        LINE_CREATED = "line_created", _("Budget line created")
        LINE_UPDATED = "line_updated", _("Budget line updated")
        REQUESTED = "requested", _("Contribution requested")
        FIRST_APPROVAL = "first_approval", _("First approval")
        APPROVED = "approved", _("Contribution approved")
        REJECTED = "rejected", _("Contribution rejected")
        RELEASED = "released", _("Contribution released")
        WITHDRAWN = "withdrawn", _("Request withdrawn")
        NEED_SET = "need_set", _("Need entered")
        OVERRIDE = "override", _("Funding override")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=_("created at"))
    action = models.CharField(max_length=32, choices=Action.choices, verbose_name=_("action"))
    budget_line = models.ForeignKey(
        BudgetLine,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("budget line"),
    )
    contribution = models.ForeignKey(
        Contribution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("contribution"),
    )
    tender = models.ForeignKey(
        "procurement.Tender",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_events",
        verbose_name=_("tender"),
    )
    amount = models.DecimalField(
        **MONEY, null=True, blank=True, help_text=_("The contribution's amount."), verbose_name=_("amount")
    )
    available_before = models.DecimalField(**MONEY, null=True, blank=True, verbose_name=_("available before"))
    available_after = models.DecimalField(**MONEY, null=True, blank=True, verbose_name=_("available after"))
    status_before = models.CharField(max_length=16, blank=True, verbose_name=_("status before"))
    status_after = models.CharField(max_length=16, blank=True, verbose_name=_("status after"))
    comment = models.TextField(blank=True, verbose_name=_("comment"))

    class Meta:
        verbose_name = _("budget event")
        verbose_name_plural = _("budget events")
        ordering = ["-created_at", "-id"]
        triggers = append_only_triggers()

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"
