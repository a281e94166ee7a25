"""Outcomes the city wants to be true, the indicators (KPIs) that track them, and measurements."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from config.append_only import append_only_triggers

from . import progress


class Outcome(models.Model):
    class Theme(models.TextChoices):
        PUBLIC_SAFETY = "public_safety", "Public safety"
        MOBILITY = "mobility", "Mobility"
        ENERGY_CLIMATE = "energy_climate", "Energy and climate"
        MAINTENANCE_COST = "maintenance_cost", "Maintenance cost"
        ACCESSIBILITY = "accessibility", "Accessibility"
        ENVIRONMENT = "environment", "Environment and green space"
        SERVICE_QUALITY = "service_quality", "Service quality"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACTIVE = "active", "Active"
        ACHIEVED = "achieved", "Achieved"
        RETIRED = "retired", "Retired"

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    theme = models.CharField(max_length=32, choices=Theme.choices)
    owner_department = models.ForeignKey(
        "departments.Department", on_delete=models.PROTECT, related_name="owned_outcomes"
    )
    contributing_departments = models.ManyToManyField(
        "departments.Department", blank=True, related_name="contributed_outcomes"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Indicator(models.Model):
    """A KPI of an outcome. Values are in `unit`; the baseline may be computed from asset data."""

    class Direction(models.TextChoices):
        HIGHER_IS_BETTER = "higher", "Higher is better"
        LOWER_IS_BETTER = "lower", "Lower is better"

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", "Monthly"
        QUARTERLY = "quarterly", "Quarterly"
        YEARLY = "yearly", "Yearly"

    class BaselineSource(models.TextChoices):
        ENTERED = "entered", "Entered"
        ASSETS = "assets", "Computed from asset data"

    class AssetMeasure(models.TextChoices):
        ENERGY_COST = "energy_cost", "Yearly energy cost"
        MAINTENANCE_COST = "maintenance_cost", "Yearly maintenance cost"
        RUNNING_COST = "running_cost", "Yearly running cost (energy + maintenance)"
        ASSET_COUNT = "asset_count", "Number of assets in service"

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(max_length=200)
    definition = models.TextField(blank=True)
    unit = models.CharField(max_length=50, help_text="e.g. 'incidents per month', 'EUR per year', '%'.")
    direction = models.CharField(max_length=8, choices=Direction.choices)
    baseline_value = models.DecimalField(max_digits=18, decimal_places=4)
    baseline_period = models.DateField(help_text="The date (period start) the baseline describes.")
    baseline_source = models.CharField(
        max_length=16, choices=BaselineSource.choices, default=BaselineSource.ENTERED
    )
    # When the baseline comes from assets: which measure, over which departments/categories.
    baseline_asset_measure = models.CharField(max_length=32, choices=AssetMeasure.choices, blank=True)
    baseline_departments = models.ManyToManyField("departments.Department", blank=True, related_name="+")
    baseline_categories = models.ManyToManyField("departments.AssetCategory", blank=True, related_name="+")
    # How a computed baseline was obtained, in words, and when (the asset register changes afterwards).
    baseline_source_note = models.CharField(max_length=500, blank=True)
    baseline_computed_at = models.DateTimeField(null=True, blank=True)
    target_value = models.DecimalField(max_digits=18, decimal_places=4)
    target_date = models.DateField()
    measurement_method = models.TextField(blank=True)
    data_source = models.CharField(max_length=200, blank=True)
    frequency = models.CharField(max_length=16, choices=Frequency.choices, default=Frequency.YEARLY)
    verified_by = models.CharField(max_length=200, blank=True, help_text="Who verifies the measurements.")
    is_retired = models.BooleanField(default=False)

    class Meta:
        ordering = ["outcome__title", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(target_value=models.F("baseline_value")),
                name="indicator_target_differs",
                violation_error_message="The target must differ from the baseline.",
            ),
            models.CheckConstraint(
                condition=Q(target_date__gt=models.F("baseline_period")),
                name="indicator_target_after_baseline",
                violation_error_message="The target date must be after the baseline period.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    def clean(self) -> None:
        """The rules a form, the CSV import and the services share (progress.check_rule is the source)."""
        errors: dict[str, list[str]] = {}
        baseline, target = self.baseline_value, self.target_value
        if baseline is not None and target is not None and self.direction:
            if target == baseline:
                errors.setdefault("target_value", []).append("The target must differ from the baseline.")
            elif self.direction == progress.HIGHER and target < baseline:
                errors.setdefault("target_value", []).append(
                    f"Higher is better, so the target must be above the baseline ({baseline.normalize():f})."
                )
            elif self.direction == progress.LOWER and target > baseline:
                errors.setdefault("target_value", []).append(
                    f"Lower is better, so the target must be below the baseline ({baseline.normalize():f})."
                )
        if self.baseline_period and self.target_date and self.target_date <= self.baseline_period:
            errors.setdefault("target_date", []).append(
                f"The target date must be after the baseline period ({self.baseline_period:%Y-%m-%d})."
            )
        if self.baseline_source == self.BaselineSource.ASSETS and not self.baseline_asset_measure:
            errors.setdefault("baseline_asset_measure", []).append(
                "Choose what to compute from the assets (energy cost, maintenance cost, running cost or count)."
            )
        if errors:
            raise ValidationError(errors)

    def progress(self, measurements=None) -> progress.Progress:
        """This indicator's progress by the one rule; pass prefetched measurements to avoid a query."""
        rows = measurements if measurements is not None else self.measurements.all()
        return progress.indicator_progress(
            baseline=self.baseline_value,
            baseline_period=self.baseline_period,
            target=self.target_value,
            target_date=self.target_date,
            direction=self.direction,
            measurements=[(m.period, m.value) for m in rows],
        )

    @property
    def accepts_measurements(self) -> bool:
        return not self.is_retired and self.outcome.status != Outcome.Status.RETIRED


class Measurement(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="measurements")
    period = models.DateField(help_text="Start of the period measured.")
    value = models.DecimalField(max_digits=18, decimal_places=4)
    source = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                name="measurement_one_per_period",
                violation_error_message="This indicator already has a measurement for that period.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.period}: {self.value}"

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        indicator = self.indicator if self.indicator_id else None
        if indicator is not None:
            if indicator.is_retired:
                errors.setdefault("indicator", []).append(
                    f"The indicator “{indicator.name}” is retired: it takes no new measurements."
                )
            elif indicator.outcome.status == Outcome.Status.RETIRED:
                errors.setdefault("indicator", []).append(
                    f"The outcome “{indicator.outcome.title}” is retired: it takes no new measurements."
                )
            if self.period and indicator.baseline_period and self.period < indicator.baseline_period:
                errors.setdefault("period", []).append(
                    f"The period is before the baseline period ({indicator.baseline_period:%Y-%m-%d}): "
                    "progress is measured from the baseline."
                )
        if self.period and self.period > datetime.date.today():
            errors.setdefault("period", []).append("The period is in the future: it cannot be measured yet.")
        if errors:
            raise ValidationError(errors)


class OutcomeEvent(models.Model):
    """Append-only history of changes to an outcome, its indicators and measurements.

    PostgreSQL refuses UPDATE, DELETE and TRUNCATE on this table (config/append_only.py). Its foreign keys
    are PROTECT: an outcome with history is retired, never deleted, and a user who acted is deactivated.
    """

    outcome = models.ForeignKey(Outcome, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=64)
    summary = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        triggers = append_only_triggers()
