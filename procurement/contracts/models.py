"""Contracts that pay on outcomes (DESIGN §13): contract, periods, partner reports, certificates, inflation.

Registered under the `procurement` app (imported at the end of procurement/models.py); migrations in
procurement/migrations. Payments against contributions are finance rows (finance.ContributionPayment), written
only by `finance.services.payments`.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from config.append_only import append_only_triggers
from config.uploads import RandomUploadName
from procurement.models import MONEY, PartnerOrganisation, Tender

__all__ = [
    "InflationRate",
    "Contract",
    "ContractIndicator",
    "PerformancePeriod",
    "PeriodReport",
    "ReportMeasurement",
    "ReportDocument",
    "PaymentCertificate",
    "ContractEvent",
]

SHARE = {"max_digits": 5, "decimal_places": 4}  # fractions 0–1
RATE = {"max_digits": 7, "decimal_places": 4}  # yearly rates, 0.021 = 2.1 %


class InflationRate(models.Model):
    """A calendar year's actual inflation π and energy price change e, entered once by finance.

    The row for year Y is the change from Y − 1 to Y; a contract year t (calendar year Y₀ + t) is indexed by
    the rows Y₀ + 1 … Y₀ + t. One row per year: a correction is a new decision, not an edit (history).
    """

    year = models.PositiveSmallIntegerField(unique=True, validators=[MinValueValidator(2000)])
    inflation = models.DecimalField(
        **RATE, validators=[MinValueValidator(Decimal("-0.5")), MaxValueValidator(Decimal("1"))]
    )
    energy_change = models.DecimalField(
        **RATE, validators=[MinValueValidator(Decimal("-0.9")), MaxValueValidator(Decimal("5"))]
    )
    source = models.CharField(
        max_length=200, blank=True, help_text=_("e.g. the statistics office's release.")
    )
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}: π {self.inflation}, e {self.energy_change}"


class Contract(models.Model):
    """The signed contract of a tender, frozen from the winning proposal at signature."""

    class Status(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("contract status", "Active")
        COMPLETED = "completed", pgettext_lazy("contract status", "Completed")

    class PeriodLength(models.TextChoices):
        YEARLY = "yearly", pgettext_lazy("period length", "Yearly")
        QUARTERLY = "quarterly", pgettext_lazy("period length", "Quarterly")

    tender = models.OneToOneField(Tender, on_delete=models.PROTECT, related_name="contract")
    organisation = models.ForeignKey(PartnerOrganisation, on_delete=models.PROTECT, related_name="contracts")
    reference = models.CharField(max_length=48, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    start_date = models.DateField()
    term_years = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(30)])
    period_length = models.CharField(max_length=16, choices=PeriodLength.choices, default=PeriodLength.YEARLY)
    grace_days = models.PositiveSmallIntegerField(default=30, validators=[MaxValueValidator(180)])
    first_budget_year = models.PositiveSmallIntegerField(
        help_text=_(
            "The pooled budget's fiscal year that pays contract year 0; year t is paid from this + t."
        )
    )
    financing_model = models.CharField(max_length=16)
    financing_charge = models.DecimalField(**MONEY, default=Decimal("0"), help_text=_("A′ per year, flat."))
    operation_fee = models.DecimalField(
        **MONEY, default=Decimal("0"), help_text=_("O′ per year at start-year prices (CapEx: running cost).")
    )
    savings_share = models.DecimalField(**SHARE, default=Decimal("0"), help_text=_("s, the partner's share."))
    at_risk_share = models.DecimalField(**SHARE, help_text=_("φ, share of payments at risk on outcomes."))
    baseline_maintenance = models.DecimalField(**MONEY, help_text=_("Per year, start-year prices."))
    baseline_energy = models.DecimalField(**MONEY, help_text=_("Per year, start-year prices."))
    baseline_source = models.TextField(help_text=_("Where the baseline came from, in words."))
    currency = models.CharField(max_length=3, default="EUR")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(at_risk_share__gte=0, at_risk_share__lte=1), name="contract_phi_0_1"
            ),
            models.CheckConstraint(
                condition=Q(savings_share__gte=0, savings_share__lte=1), name="contract_share_0_1"
            ),
            models.CheckConstraint(
                condition=Q(baseline_maintenance__gte=0, baseline_energy__gte=0),
                name="contract_baseline_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class ContractIndicator(models.Model):
    """A committed target of the contract and its payment weight (percent; all add to 100)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="indicators")
    indicator = models.ForeignKey("outcomes.Indicator", on_delete=models.PROTECT, related_name="+")
    baseline_value = models.DecimalField(max_digits=18, decimal_places=4)
    committed_value = models.DecimalField(max_digits=18, decimal_places=4)
    weight = models.DecimalField(max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "indicator"], name="contractindicator_once"),
        ]


class PerformancePeriod(models.Model):
    class Status(models.TextChoices):
        UPCOMING = "upcoming", pgettext_lazy("period status", "Upcoming")
        OPEN = "open", pgettext_lazy("period status", "Open for reporting")
        REPORTED = "reported", pgettext_lazy("period status", "Reported")
        OVERDUE = "overdue", pgettext_lazy("period status", "Not reported in time")
        CERTIFIED = "certified", pgettext_lazy("period status", "Certified")

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="periods")
    number = models.PositiveSmallIntegerField()
    contract_year = models.PositiveSmallIntegerField(help_text=_("t: 0 is the start year."))
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPCOMING, db_index=True)

    class Meta:
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="period_number_once"),
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="period_ends_after"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract} period {self.number}"


class PeriodReport(models.Model):
    """The partner's report of a period: costs and measurements (lines), checked line by line by the city."""

    class LineStatus(models.TextChoices):
        PENDING = "pending", pgettext_lazy("report line status", "Waiting for verification")
        VERIFIED = "verified", pgettext_lazy("report line status", "Verified")
        REJECTED = "rejected", pgettext_lazy("report line status", "Rejected")

    period = models.OneToOneField(PerformancePeriod, on_delete=models.CASCADE, related_name="report")
    actual_maintenance = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    actual_energy = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    cost_status = models.CharField(max_length=16, choices=LineStatus.choices, default=LineStatus.PENDING)
    cost_reason = models.TextField(blank=True)
    cost_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cost_reviewed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.ForeignKey(
        "procurement.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(actual_maintenance__gte=0, actual_energy__gte=0), name="report_costs_not_negative"
            ),
        ]


class ReportMeasurement(models.Model):
    report = models.ForeignKey(PeriodReport, on_delete=models.CASCADE, related_name="measurements")
    contract_indicator = models.ForeignKey(ContractIndicator, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=18, decimal_places=4)
    status = models.CharField(
        max_length=16, choices=PeriodReport.LineStatus.choices, default=PeriodReport.LineStatus.PENDING
    )
    reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    measurement = models.ForeignKey(
        "outcomes.Measurement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "contract_indicator"], name="reportmeasurement_once"),
        ]


class ReportDocument(models.Model):
    report = models.ForeignKey(PeriodReport, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=RandomUploadName("contracts/evidence"))
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]


class PaymentCertificate(models.Model):
    """The certificate of a period: computed, approved by two finance users, charged, paid."""

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("certificate status", "Waiting for finance approval")
        FIRST_APPROVED = (
            "first_approved",
            pgettext_lazy("certificate status", "Approved once (needs a second finance user)"),
        )
        APPROVED = "approved", pgettext_lazy("certificate status", "Approved and charged")
        PAID = "paid", pgettext_lazy("certificate status", "Paid")

    period = models.OneToOneField(PerformancePeriod, on_delete=models.PROTECT, related_name="certificate")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    achievement = models.DecimalField(max_digits=5, decimal_places=4)
    service_fee = models.DecimalField(**MONEY)
    fee_payable = models.DecimalField(**MONEY)
    savings = models.DecimalField(**MONEY, null=True, blank=True)
    savings_payable = models.DecimalField(**MONEY)
    city_savings = models.DecimalField(**MONEY)
    deductions_total = models.DecimalField(**MONEY)
    total_payable = models.DecimalField(**MONEY)
    fiscal_year = models.PositiveSmallIntegerField()
    lines = models.JSONField(default=list, help_text=_("Every line with its words, as computed."))
    computed_at = models.DateTimeField()
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    payments = models.JSONField(default=list, blank=True, help_text=_("[{department, amount}] as charged."))

    class Meta:
        ordering = ["period"]
        constraints = [
            models.CheckConstraint(condition=Q(total_payable__gte=0), name="certificate_total_not_negative"),
            models.CheckConstraint(
                condition=Q(first_approved_by__isnull=True)
                | Q(approved_by__isnull=True)
                | ~Q(first_approved_by=models.F("approved_by")),
                name="certificate_two_different_approvers",
            ),
        ]


class ContractEvent(models.Model):
    """History of every state change of a contract, its periods, reports and certificates."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="events")
    period = models.ForeignKey(
        PerformancePeriod, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=32)
    summary = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        triggers = append_only_triggers()
