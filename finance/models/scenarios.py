"""Financing scenario assumptions, runs (Celery jobs) and their stored results."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from finance.engine import Assumptions
from finance.engine.presets import DEFAULT_PROJECT_TYPE
from finance.models.packed import PackedJSONField

MONEY = {"max_digits": 18, "decimal_places": 2}
RATE = {"max_digits": 7, "decimal_places": 4}

# One source of truth for defaults: the engine's Assumptions (documented in docs/finance.md).
ENGINE_DEFAULTS = Assumptions()


def _rate(name: str) -> Decimal:
    return Decimal(str(getattr(ENGINE_DEFAULTS, name))).quantize(Decimal("0.0001"))


class Scenario(models.TextChoices):
    STATUS_QUO = "status_quo", _("Status quo")
    CAPEX = "capex", _("CapEx purchase")
    OPEX_SERVICE = "opex_service", _("OpEx service fee")
    SHARED_SAVINGS = "shared_savings", _("Shared savings")


class ScenarioAssumptions(models.Model):
    """The assumptions of a tender's financing comparison. Rates are fractions (0.035 = 3.5 %)."""

    tender = models.OneToOneField("procurement.Tender", on_delete=models.CASCADE, related_name="assumptions")
    project_type = models.CharField(
        max_length=32, default=DEFAULT_PROJECT_TYPE, help_text=_("Optimism-bias preset.")
    )
    start_year = models.PositiveSmallIntegerField(help_text=_("First fiscal year of the horizon (t = 0)."))
    horizon_years = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Years, at most 60."),
    )
    discount_rate = models.DecimalField(
        **RATE, default=_rate("discount_rate"), help_text=_("Real, per year.")
    )
    inflation = models.DecimalField(**RATE, default=_rate("inflation"), help_text=_("Per year."))
    energy_escalation = models.DecimalField(
        **RATE, default=_rate("energy_escalation"), help_text=_("Energy price rise per year.")
    )
    optimism_bias = models.DecimalField(**RATE, default=_rate("optimism_bias"), help_text=_("CapEx uplift."))
    partner_cost_of_capital = models.DecimalField(
        **RATE, default=_rate("partner_cost_of_capital"), help_text=_("Nominal, per year.")
    )
    partner_margin = models.DecimalField(
        **RATE, default=_rate("partner_margin"), help_text=_("On operation costs.")
    )
    contract_term_years = models.PositiveSmallIntegerField(
        default=ENGINE_DEFAULTS.contract_term, help_text=_("Years, at most the horizon.")
    )
    partner_savings_share = models.DecimalField(
        **RATE, default=_rate("partner_savings_share"), help_text=_("Share of savings.")
    )
    payment_at_risk_share = models.DecimalField(
        **RATE, default=_rate("payment_at_risk_share"), help_text=_("Paid on outcomes.")
    )
    outcome_achievement = models.DecimalField(
        **RATE, default=_rate("outcome_achievement"), help_text=_("Expected, 0–1.")
    )
    monte_carlo_draws = models.PositiveIntegerField(
        default=ENGINE_DEFAULTS.draws, validators=[MaxValueValidator(100_000)]
    )
    seed = models.PositiveIntegerField(default=ENGINE_DEFAULTS.seed)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = _("scenario assumptions")


class ScenarioRun(models.Model):
    """One computation of the four scenarios for a tender, run as a Celery job.

    `inputs` is a snapshot of everything the engine saw (assets, catalogue, assumptions, pooled budget);
    `input_hash` is its sha256, so the same inputs reuse a stored result instead of recomputing. The snapshot is
    stored as the very canonical JSON bytes that were hashed, compressed (finance.models.packed).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    tender = models.ForeignKey("procurement.Tender", on_delete=models.CASCADE, related_name="scenario_runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    input_hash = models.CharField(max_length=64, db_index=True)
    inputs = PackedJSONField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("0–100 %."))
    attempts = models.PositiveSmallIntegerField(default=0)
    error_message = models.TextField(blank=True)
    reused_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True, help_text=_("Small JSON summary for quick display."))
    # Last sign of life of the job: set when its message reached the broker (empty while queued = it never
    # did), then every few seconds by the computing worker. The reaper acts on its age (see the services).
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the job was last handed to the queue or last reported running."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]


class ScenarioCashFlow(models.Model):
    """Yearly cash flow of one scenario, department and budget type (currency, nominal and discounted)."""

    run = models.ForeignKey(ScenarioRun, on_delete=models.CASCADE, related_name="cash_flows")
    scenario = models.CharField(max_length=16, choices=Scenario.choices)
    fiscal_year = models.PositiveSmallIntegerField()
    department = models.CharField(max_length=32, help_text=_("Department code."))
    budget_type = models.CharField(max_length=8)
    nominal = models.DecimalField(**MONEY)
    discounted = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["scenario", "fiscal_year", "department", "budget_type"]
        indexes = [models.Index(fields=["run", "scenario"])]


class ScenarioSummary(models.Model):
    run = models.ForeignKey(ScenarioRun, on_delete=models.CASCADE, related_name="summaries")
    scenario = models.CharField(max_length=16, choices=Scenario.choices)
    npv = models.DecimalField(**MONEY, help_text=_("NPV of costs to the city."))
    whole_life_cost = models.DecimalField(**MONEY, help_text=_("Undiscounted nominal sum."))
    savings_vs_status_quo = models.DecimalField(**MONEY)
    year0_capex = models.DecimalField(**MONEY)
    peak_yearly_cost = models.DecimalField(**MONEY)
    partner_npv = models.DecimalField(**MONEY, null=True, blank=True)
    partner_irr = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    bankable = models.BooleanField(null=True)
    break_even_share = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    budget_shortfall = models.DecimalField(**MONEY, default=0, help_text=_("Sum of yearly shortfalls."))
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "scenario"], name="scenariosummary_once_per_run")
        ]


class SensitivityResult(models.Model):
    """One bar of the tornado: NPV of a scenario with one assumption at its low and high value."""

    run = models.ForeignKey(ScenarioRun, on_delete=models.CASCADE, related_name="sensitivities")
    scenario = models.CharField(max_length=16, choices=Scenario.choices)
    parameter = models.CharField(max_length=64)
    low_value = models.FloatField()
    high_value = models.FloatField()
    npv_low = models.DecimalField(**MONEY)
    npv_high = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["id"]


class MonteCarloResult(models.Model):
    run = models.ForeignKey(ScenarioRun, on_delete=models.CASCADE, related_name="monte_carlo")
    scenario = models.CharField(max_length=16, choices=Scenario.choices)
    p10 = models.DecimalField(**MONEY)
    p50 = models.DecimalField(**MONEY)
    p90 = models.DecimalField(**MONEY)
    probability_cheapest = models.FloatField()
    histogram = models.JSONField(default=dict, blank=True, help_text=_("{edges: [...], counts: [...]}"))

    class Meta:
        ordering = ["id"]


class FinancingChoice(models.Model):
    """The financing scenario a tender has chosen; its yearly need feeds the pooled budget check."""

    tender = models.OneToOneField(
        "procurement.Tender", on_delete=models.CASCADE, related_name="financing_choice"
    )
    run = models.ForeignKey(ScenarioRun, on_delete=models.PROTECT, related_name="+")
    scenario = models.CharField(max_length=16, choices=Scenario.choices)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_at = models.DateTimeField(auto_now=True)
