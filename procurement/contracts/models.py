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

    year = models.PositiveSmallIntegerField(
        unique=True, validators=[MinValueValidator(2000)], verbose_name=_("year")
    )
    inflation = models.DecimalField(
        **RATE,
        validators=[MinValueValidator(Decimal("-0.5")), MaxValueValidator(Decimal("1"))],
        verbose_name=_("inflation"),
    )
    energy_change = models.DecimalField(
        **RATE,
        validators=[MinValueValidator(Decimal("-0.9")), MaxValueValidator(Decimal("5"))],
        verbose_name=_("energy change"),
    )
    source = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("e.g. the statistics office's release."),
        verbose_name=_("source"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    entered_at = models.DateTimeField(auto_now_add=True, verbose_name=_("entered at"))

    class Meta:
        verbose_name = _("inflation rate")
        verbose_name_plural = _("inflation rates")
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

    tender = models.OneToOneField(
        Tender, on_delete=models.PROTECT, related_name="contract", verbose_name=_("tender")
    )
    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name=_("organisation"),
    )
    reference = models.CharField(max_length=48, unique=True, verbose_name=_("reference"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.ACTIVE, verbose_name=_("status")
    )
    start_date = models.DateField(verbose_name=_("start date"))
    term_years = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(30)], verbose_name=_("term years")
    )
    period_length = models.CharField(
        max_length=16,
        choices=PeriodLength.choices,
        default=PeriodLength.YEARLY,
        verbose_name=_("period length"),
    )
    grace_days = models.PositiveSmallIntegerField(
        default=30, validators=[MaxValueValidator(180)], verbose_name=_("grace days")
    )
    first_budget_year = models.PositiveSmallIntegerField(
        help_text=_(
            "The pooled budget's fiscal year that pays contract year 0; year t is paid from this + t."
        ),
        verbose_name=_("first budget year"),
    )
    financing_model = models.CharField(max_length=16, verbose_name=_("financing model"))
    financing_charge = models.DecimalField(
        **MONEY, default=Decimal("0"), help_text=_("A′ per year, flat."), verbose_name=_("financing charge")
    )
    operation_fee = models.DecimalField(
        **MONEY,
        default=Decimal("0"),
        help_text=_("O′ per year at start-year prices (CapEx: running cost)."),
        verbose_name=_("operation fee"),
    )
    savings_share = models.DecimalField(
        **SHARE, default=Decimal("0"), help_text=_("s, the partner's share."), verbose_name=_("savings share")
    )
    at_risk_share = models.DecimalField(
        **SHARE, help_text=_("φ, share of payments at risk on outcomes."), verbose_name=_("at risk share")
    )
    baseline_maintenance = models.DecimalField(
        **MONEY, help_text=_("Per year, start-year prices."), verbose_name=_("baseline maintenance")
    )
    baseline_energy = models.DecimalField(
        **MONEY, help_text=_("Per year, start-year prices."), verbose_name=_("baseline energy")
    )
    baseline_source = models.TextField(
        help_text=_("Where the baseline came from, in words."), verbose_name=_("baseline source")
    )
    currency = models.CharField(max_length=3, default="EUR", verbose_name=_("currency"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("signed by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
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

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("contract")
    )
    indicator = models.ForeignKey(
        "outcomes.Indicator", on_delete=models.PROTECT, related_name="+", verbose_name=_("indicator")
    )
    baseline_value = models.DecimalField(max_digits=18, decimal_places=4, verbose_name=_("baseline value"))
    committed_value = models.DecimalField(max_digits=18, decimal_places=4, verbose_name=_("committed value"))
    weight = models.DecimalField(max_digits=5, decimal_places=2, verbose_name=_("weight"))

    class Meta:
        verbose_name = _("contract indicator")
        verbose_name_plural = _("contract indicators")
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

    contract = models.ForeignKey(
        Contract, on_delete=models.CASCADE, related_name="periods", verbose_name=_("contract")
    )
    number = models.PositiveSmallIntegerField(verbose_name=_("number"))
    contract_year = models.PositiveSmallIntegerField(
        help_text=_("t: 0 is the start year."), verbose_name=_("contract year")
    )
    start_date = models.DateField(verbose_name=_("start date"))
    end_date = models.DateField(verbose_name=_("end date"))
    status = models.CharField(
        max_length=16,
        choices=Status.choices,
        default=Status.UPCOMING,
        db_index=True,
        verbose_name=_("status"),
    )

    class Meta:
        verbose_name = _("performance period")
        verbose_name_plural = _("performance periods")
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

    period = models.OneToOneField(
        PerformancePeriod, on_delete=models.CASCADE, related_name="report", verbose_name=_("period")
    )
    actual_maintenance = models.DecimalField(
        **MONEY, validators=[MinValueValidator(0)], verbose_name=_("actual maintenance")
    )
    actual_energy = models.DecimalField(
        **MONEY, validators=[MinValueValidator(0)], verbose_name=_("actual energy")
    )
    cost_status = models.CharField(
        max_length=16, choices=LineStatus.choices, default=LineStatus.PENDING, verbose_name=_("cost status")
    )
    cost_reason = models.TextField(blank=True, verbose_name=_("cost reason"))
    cost_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("cost reviewed by"),
    )
    cost_reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cost reviewed at"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    token = models.ForeignKey(
        "procurement.ApiToken",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("token"),
    )
    submitted_at = models.DateTimeField(verbose_name=_("submitted at"))

    class Meta:
        verbose_name = _("period report")
        verbose_name_plural = _("period reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(actual_maintenance__gte=0, actual_energy__gte=0), name="report_costs_not_negative"
            ),
        ]


class ReportMeasurement(models.Model):
    report = models.ForeignKey(
        PeriodReport, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("report")
    )
    contract_indicator = models.ForeignKey(
        ContractIndicator, on_delete=models.PROTECT, related_name="+", verbose_name=_("contract indicator")
    )
    value = models.DecimalField(max_digits=18, decimal_places=4, verbose_name=_("value"))
    status = models.CharField(
        max_length=16,
        choices=PeriodReport.LineStatus.choices,
        default=PeriodReport.LineStatus.PENDING,
        verbose_name=_("status"),
    )
    reason = models.TextField(blank=True, verbose_name=_("reason"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reviewed at"))
    measurement = models.ForeignKey(
        "outcomes.Measurement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("measurement"),
    )

    class Meta:
        verbose_name = _("report measurement")
        verbose_name_plural = _("report measurements")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "contract_indicator"], name="reportmeasurement_once"),
        ]


class ReportDocument(models.Model):
    report = models.ForeignKey(
        PeriodReport, on_delete=models.CASCADE, related_name="documents", verbose_name=_("report")
    )
    title = models.CharField(max_length=200, verbose_name=_("title"))
    file = models.FileField(upload_to=RandomUploadName("contracts/evidence"), verbose_name=_("file"))
    original_name = models.CharField(max_length=255, verbose_name=_("original name"))
    content_type = models.CharField(max_length=100, verbose_name=_("content type"))
    size_bytes = models.PositiveIntegerField(verbose_name=_("size bytes"))
    sha256 = models.CharField(max_length=64, verbose_name=_("sha256"))

    class Meta:
        verbose_name = _("report document")
        verbose_name_plural = _("report documents")
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

    period = models.OneToOneField(
        PerformancePeriod, on_delete=models.PROTECT, related_name="certificate", verbose_name=_("period")
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True, verbose_name=_("status")
    )
    achievement = models.DecimalField(max_digits=5, decimal_places=4, verbose_name=_("achievement"))
    service_fee = models.DecimalField(**MONEY, verbose_name=_("service fee"))
    fee_payable = models.DecimalField(**MONEY, verbose_name=_("fee payable"))
    savings = models.DecimalField(**MONEY, null=True, blank=True, verbose_name=_("savings"))
    savings_payable = models.DecimalField(**MONEY, verbose_name=_("savings payable"))
    city_savings = models.DecimalField(**MONEY, verbose_name=_("city savings"))
    deductions_total = models.DecimalField(**MONEY, verbose_name=_("deductions total"))
    total_payable = models.DecimalField(**MONEY, verbose_name=_("total payable"))
    fiscal_year = models.PositiveSmallIntegerField(verbose_name=_("fiscal year"))
    lines = models.JSONField(
        default=list, help_text=_("Every line with its words, as computed."), verbose_name=_("lines")
    )
    computed_at = models.DateTimeField(verbose_name=_("computed at"))
    first_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("first approved by"),
    )
    first_approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("first approved at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("approved at"))
    paid_on = models.DateField(null=True, blank=True, verbose_name=_("paid on"))
    payments = models.JSONField(
        default=list,
        blank=True,
        help_text=_("[{department, amount}] as charged."),
        verbose_name=_("payments"),
    )

    class Meta:
        verbose_name = _("payment certificate")
        verbose_name_plural = _("payment certificates")
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

    contract = models.ForeignKey(
        Contract, on_delete=models.PROTECT, related_name="events", verbose_name=_("contract")
    )
    period = models.ForeignKey(
        PerformancePeriod,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("period"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(max_length=32, verbose_name=_("action"))
    summary = models.TextField(verbose_name=_("summary"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("contract event")
        verbose_name_plural = _("contract events")
        ordering = ["created_at", "id"]
        triggers = append_only_triggers()
