"""Outcomes the city wants to be true, the indicators (KPIs) that track them, and measurements."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.append_only import append_only_triggers
from config.numbers import measure

from . import progress


class Outcome(models.Model):
    class Theme(models.TextChoices):
        PUBLIC_SAFETY = "public_safety", _("Public safety")
        MOBILITY = "mobility", _("Mobility")
        ENERGY_CLIMATE = "energy_climate", _("Energy and climate")
        MAINTENANCE_COST = "maintenance_cost", _("Maintenance cost")
        ACCESSIBILITY = "accessibility", _("Accessibility")
        ENVIRONMENT = "environment", _("Environment and green space")
        SERVICE_QUALITY = "service_quality", _("Service quality")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        ACHIEVED = "achieved", _("Achieved")
        RETIRED = "retired", _("Retired")

    title = models.CharField(max_length=200, verbose_name=_("title"))
    description = models.TextField(blank=True, verbose_name=_("description"))
    # Title and description in the city's other languages: {"fr": {"title": …}, …} (multilingual/).
    translations = models.JSONField(default=dict, blank=True, verbose_name=_("translations"))
    theme = models.CharField(max_length=32, choices=Theme.choices, verbose_name=_("theme"))
    owner_department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        related_name="owned_outcomes",
        verbose_name=_("owner department"),
    )
    contributing_departments = models.ManyToManyField(
        "departments.Department",
        blank=True,
        related_name="contributed_outcomes",
        verbose_name=_("contributing departments"),
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PROPOSED, verbose_name=_("status")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


def scale_for_unit(unit: str) -> str:
    """The scale a unit written in words most likely means (demo data and existing rows; a form asks)."""
    words = unit.lower()
    if "%" in words or "percent" in words:
        return "percent"
    if "eur" in words or "cost" in words or "€" in words:
        return "money"
    return "count"


def _within_scale(field: str) -> Q:
    """A database check that `field` lies in the valid range of the indicator's scale (see Indicator.Scale)."""
    return (
        Q(scale__in=["count", "money"], **{f"{field}__gte": 0})
        | Q(scale="percent", **{f"{field}__gte": 0, f"{field}__lte": 100})
        | Q(
            scale="bounded",
            **{f"{field}__gte": models.F("valid_min"), f"{field}__lte": models.F("valid_max")},
        )
    )


class Indicator(models.Model):
    """A KPI of an outcome. Values are in `unit`; the baseline may be computed from asset data."""

    class Direction(models.TextChoices):
        HIGHER_IS_BETTER = "higher", _("Higher is better")
        LOWER_IS_BETTER = "lower", _("Lower is better")

    class Frequency(models.TextChoices):
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")

    class BaselineSource(models.TextChoices):
        ENTERED = "entered", _("Entered")
        ASSETS = "assets", _("Computed from asset data")

    class Scale(models.TextChoices):
        """Which values the indicator can take at all: a value outside is a typing error, never a target."""

        COUNT = "count", _("A count or rate of things (0 or more)")
        PERCENT = "percent", _("A percentage (0 to 100)")
        MONEY = "money", _("An amount of money (0 or more)")
        BOUNDED = "bounded", _("Another measure, with the valid range entered below")

    class AssetMeasure(models.TextChoices):
        ENERGY_COST = "energy_cost", _("Yearly energy cost")
        MAINTENANCE_COST = "maintenance_cost", _("Yearly maintenance cost")
        RUNNING_COST = "running_cost", _("Yearly running cost (energy + maintenance)")
        ASSET_COUNT = "asset_count", _("Number of assets in service")

    outcome = models.ForeignKey(
        Outcome, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("outcome")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    # The name in the city's other languages: {"fr": {"name": …}, …} (multilingual/).
    translations = models.JSONField(default=dict, blank=True, verbose_name=_("translations"))
    definition = models.TextField(blank=True, verbose_name=_("definition"))
    unit = models.CharField(
        max_length=50, help_text=_("e.g. 'incidents per month', 'EUR per year', '%'."), verbose_name=_("unit")
    )
    direction = models.CharField(max_length=8, choices=Direction.choices, verbose_name=_("direction"))
    scale = models.CharField(
        max_length=8,
        choices=Scale.choices,
        default=Scale.COUNT,
        help_text=_(
            "Which values are possible: baseline, target, measurements and tender targets must lie in it."
        ),
        verbose_name=_("scale"),
    )
    valid_min = models.DecimalField(
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Only for “another measure”."),
        verbose_name=_("valid min"),
    )
    valid_max = models.DecimalField(
        max_digits=18,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Only for “another measure”."),
        verbose_name=_("valid max"),
    )
    baseline_value = models.DecimalField(max_digits=18, decimal_places=4, verbose_name=_("baseline value"))
    baseline_period = models.DateField(
        help_text=_("The date (period start) the baseline describes."), verbose_name=_("baseline period")
    )
    baseline_source = models.CharField(
        max_length=16,
        choices=BaselineSource.choices,
        default=BaselineSource.ENTERED,
        verbose_name=_("baseline source"),
    )
    # When the baseline comes from assets: which measure, over which departments/categories.
    baseline_asset_measure = models.CharField(
        max_length=32, choices=AssetMeasure.choices, blank=True, verbose_name=_("baseline asset measure")
    )
    baseline_departments = models.ManyToManyField(
        "departments.Department", blank=True, related_name="+", verbose_name=_("baseline departments")
    )
    baseline_categories = models.ManyToManyField(
        "departments.AssetCategory", blank=True, related_name="+", verbose_name=_("baseline categories")
    )
    # How a computed baseline was obtained, in words, and when (the asset register changes afterwards).
    baseline_source_note = models.CharField(
        max_length=500, blank=True, verbose_name=_("baseline source note")
    )
    baseline_computed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("baseline computed at"))
    target_value = models.DecimalField(max_digits=18, decimal_places=4, verbose_name=_("target value"))
    target_date = models.DateField(verbose_name=_("target date"))
    measurement_method = models.TextField(blank=True, verbose_name=_("measurement method"))
    data_source = models.CharField(max_length=200, blank=True, verbose_name=_("data source"))
    frequency = models.CharField(
        max_length=16, choices=Frequency.choices, default=Frequency.YEARLY, verbose_name=_("frequency")
    )
    verified_by = models.CharField(
        max_length=200,
        blank=True,
        help_text=_("Who verifies the measurements."),
        verbose_name=_("verified by"),
    )
    is_retired = models.BooleanField(default=False, verbose_name=_("is retired"))

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["outcome__title", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(target_value=models.F("baseline_value")),
                name="indicator_target_differs",
                violation_error_message=_("The target must differ from the baseline."),
            ),
            models.CheckConstraint(
                condition=Q(target_date__gt=models.F("baseline_period")),
                name="indicator_target_after_baseline",
                violation_error_message=_("The target date must be after the baseline period."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(scale="bounded", valid_min__isnull=False, valid_max__isnull=False)
                    & Q(valid_min__lt=models.F("valid_max"))
                )
                | (~Q(scale="bounded") & Q(valid_min__isnull=True, valid_max__isnull=True)),
                name="indicator_valid_range_matches_scale",
                violation_error_message=_(
                    "Enter a valid minimum below the valid maximum for “another measure” "
                    "(and none for the other scales)."
                ),
            ),
            models.CheckConstraint(
                condition=_within_scale("baseline_value"),
                name="indicator_baseline_in_valid_range",
                violation_error_message=_("The baseline is outside the indicator's valid range."),
            ),
            models.CheckConstraint(
                condition=_within_scale("target_value"),
                name="indicator_target_in_valid_range",
                violation_error_message=_("The target is outside the indicator's valid range."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"

    def valid_range(self) -> tuple[Decimal | None, Decimal | None]:
        """(lowest, highest) possible value; None = unbounded on that side."""
        if self.scale == self.Scale.PERCENT:
            return Decimal(0), Decimal(100)
        if self.scale == self.Scale.BOUNDED:
            return self.valid_min, self.valid_max
        return Decimal(0), None

    def range_error(self, value: Decimal | None, *, what: str = "The value") -> str | None:
        """A plain message, in the active language, when `value` cannot be a value of this indicator, else None.

        `what` names the figure in English ("The value", "The baseline", "The target", "The measured value"): each
        of these is a whole translated sentence; any other `what` is put in front of the sentence as given."""
        if value is None:
            return None
        low, high = self.valid_range()
        if (low is not None and value < low) or (high is not None and value > high):
            params = {"what": what, "value": measure(value), "name": self.name, "range": self.range_words()}
            sentences = {
                "The value": gettext("The value %(value)s is impossible for “%(name)s”: %(range)s."),
                "The baseline": gettext("The baseline %(value)s is impossible for “%(name)s”: %(range)s."),
                "The target": gettext("The target %(value)s is impossible for “%(name)s”: %(range)s."),
                "The measured value": gettext(
                    "The measured value %(value)s is impossible for “%(name)s”: %(range)s."
                ),
            }
            # Translators: %(what)s names the figure, e.g. "The target"; %(range)s says which values are possible.
            fallback = gettext("%(what)s %(value)s is impossible for “%(name)s”: %(range)s.")
            return sentences.get(str(what), fallback) % params
        return None

    def range_words(self) -> str:
        low, high = self.valid_range()
        if low is not None and high is not None:
            params = {"low": measure(low), "high": measure(high), "unit": self.unit}
            if self.unit:
                return gettext("it lies between %(low)s and %(high)s %(unit)s") % params
            return gettext("it lies between %(low)s and %(high)s") % params
        if low is not None:
            if self.unit:
                return gettext("it is %(low)s or more %(unit)s") % {"low": measure(low), "unit": self.unit}
            return gettext("it is %(low)s or more") % {"low": measure(low)}
        return gettext("any value")

    def clean(self) -> None:
        """The rules a form, the CSV import and the services share (progress.check_rule is the source)."""
        errors: dict[str, list[str]] = {}
        baseline, target = self.baseline_value, self.target_value
        if self.scale == self.Scale.BOUNDED:
            if self.valid_min is None:
                errors.setdefault("valid_min", []).append(
                    gettext("Enter the lowest possible value of this measure.")
                )
            if self.valid_max is None:
                errors.setdefault("valid_max", []).append(
                    gettext("Enter the highest possible value of this measure.")
                )
            if self.valid_min is not None and self.valid_max is not None and self.valid_min >= self.valid_max:
                errors.setdefault("valid_max", []).append(
                    gettext("The highest value must be above the lowest.")
                )
        else:
            # Only "another measure" has an entered range; the others' ranges are fixed by their scale.
            self.valid_min = self.valid_max = None
        if "valid_min" not in errors and "valid_max" not in errors:
            for field, value, what in (
                ("baseline_value", baseline, "The baseline"),
                ("target_value", target, "The target"),
            ):
                message = self.range_error(value, what=what)
                if message:
                    errors.setdefault(field, []).append(message)
        if baseline is not None and target is not None and self.direction:
            if target == baseline:
                errors.setdefault("target_value", []).append(
                    gettext("The target must differ from the baseline.")
                )
            elif self.direction == progress.HIGHER and target < baseline:
                errors.setdefault("target_value", []).append(
                    gettext("Higher is better, so the target must be above the baseline (%(baseline)s).")
                    % {"baseline": measure(baseline)}
                )
            elif self.direction == progress.LOWER and target > baseline:
                errors.setdefault("target_value", []).append(
                    gettext("Lower is better, so the target must be below the baseline (%(baseline)s).")
                    % {"baseline": measure(baseline)}
                )
        if self.baseline_period and self.target_date and self.target_date <= self.baseline_period:
            errors.setdefault("target_date", []).append(
                gettext("The target date must be after the baseline period (%(period)s).")
                % {"period": self.baseline_period.isoformat()}
            )
        if self.baseline_source == self.BaselineSource.ASSETS and not self.baseline_asset_measure:
            errors.setdefault("baseline_asset_measure", []).append(
                gettext(
                    "Choose what to compute from the assets (energy cost, maintenance cost, running cost or "
                    "count)."
                )
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
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("indicator")
    )
    period = models.DateField(help_text=_("Start of the period measured."), verbose_name=_("period"))
    value = models.DecimalField(max_digits=18, decimal_places=4, verbose_name=_("value"))
    source = models.CharField(max_length=200, blank=True, verbose_name=_("source"))
    note = models.TextField(blank=True, verbose_name=_("note"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(auto_now_add=True, verbose_name=_("recorded at"))

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["indicator", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period"],
                name="measurement_one_per_period",
                violation_error_message=_("This indicator already has a measurement for that period."),
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
                    gettext("The indicator “%(name)s” is retired: it takes no new measurements.")
                    % {"name": indicator.name}
                )
            elif indicator.outcome.status == Outcome.Status.RETIRED:
                errors.setdefault("indicator", []).append(
                    gettext("The outcome “%(title)s” is retired: it takes no new measurements.")
                    % {"title": indicator.outcome.title}
                )
            if self.period and indicator.baseline_period and self.period < indicator.baseline_period:
                errors.setdefault("period", []).append(
                    gettext(
                        "The period is before the baseline period (%(period)s): progress is measured from the "
                        "baseline."
                    )
                    % {"period": indicator.baseline_period.isoformat()}
                )
            message = indicator.range_error(self.value)
            if message:
                errors.setdefault("value", []).append(message)
        if self.period and self.period > datetime.date.today():
            errors.setdefault("period", []).append(
                gettext("The period is in the future: it cannot be measured yet.")
            )
        if errors:
            raise ValidationError(errors)


class OutcomeEvent(models.Model):
    """Append-only history of changes to an outcome, its indicators and measurements.

    PostgreSQL refuses UPDATE, DELETE and TRUNCATE on this table (config/append_only.py). Its foreign keys
    are PROTECT: an outcome with history is retired, never deleted, and a user who acted is deactivated.
    """

    outcome = models.ForeignKey(
        Outcome, on_delete=models.PROTECT, related_name="events", verbose_name=_("outcome")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(max_length=64, verbose_name=_("action"))
    summary = models.CharField(max_length=500, blank=True, verbose_name=_("summary"))
    data = models.JSONField(default=dict, blank=True, verbose_name=_("data"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("outcome event")
        verbose_name_plural = _("outcome events")
        ordering = ["-created_at", "-id"]
        triggers = append_only_triggers()
