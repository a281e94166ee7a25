"""Budget lines of departments and the contributions they pledge to tenders (the pooled budget)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

MONEY = {"max_digits": 18, "decimal_places": 2}


class BudgetType(models.TextChoices):
    CAPEX = "capex", "CapEx"
    OPEX = "opex", "OpEx"


class BudgetLine(models.Model):
    """A department's appropriation for one fiscal year and one budget type (EUR, nominal)."""

    department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, related_name="budget_lines"
    )
    fiscal_year = models.PositiveSmallIntegerField()
    budget_type = models.CharField(max_length=8, choices=BudgetType.choices)
    name = models.CharField(max_length=200, default="General", help_text="Programme or line name.")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, default="EUR")
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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
    """A tender's request for an amount of one budget line; finance decides it."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        RELEASED = "released", "Released"

    tender = models.ForeignKey("procurement.Tender", on_delete=models.PROTECT, related_name="contributions")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="contributions")
    amount = models.DecimalField(**MONEY)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="contribution_amount_positive"),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="contribution_decider_not_requester",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} from {self.budget_line} ({self.status})"
