"""Outcomes the city wants to be true, the indicators (KPIs) that track them, and measurements."""

from django.conf import settings
from django.db import models
from django.db.models import Q


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
                condition=~Q(target_value=models.F("baseline_value")), name="indicator_target_differs"
            ),
            models.CheckConstraint(
                condition=Q(target_date__gt=models.F("baseline_period")),
                name="indicator_target_after_baseline",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


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
            models.UniqueConstraint(fields=["indicator", "period"], name="measurement_one_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.period}: {self.value}"


class OutcomeEvent(models.Model):
    """Append-only history of changes to an outcome, its indicators and measurements."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    summary = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
