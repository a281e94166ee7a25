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

    tender = models.OneToOneField(
        "procurement.Tender", on_delete=models.CASCADE, related_name="assumptions", verbose_name=_("tender")
    )
    project_type = models.CharField(
        max_length=32,
        default=DEFAULT_PROJECT_TYPE,
        help_text=_("Optimism-bias preset."),
        verbose_name=_("project type"),
    )
    start_year = models.PositiveSmallIntegerField(
        help_text=_("First fiscal year of the horizon (t = 0)."), verbose_name=_("start year")
    )
    horizon_years = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("Years, at most 60."),
        verbose_name=_("horizon years"),
    )
    discount_rate = models.DecimalField(
        **RATE,
        default=_rate("discount_rate"),
        help_text=_("Real, per year."),
        verbose_name=_("discount rate"),
    )
    inflation = models.DecimalField(
        **RATE, default=_rate("inflation"), help_text=_("Per year."), verbose_name=_("inflation")
    )
    energy_escalation = models.DecimalField(
        **RATE,
        default=_rate("energy_escalation"),
        help_text=_("Energy price rise per year."),
        verbose_name=_("energy escalation"),
    )
    optimism_bias = models.DecimalField(
        **RATE, default=_rate("optimism_bias"), help_text=_("CapEx uplift."), verbose_name=_("optimism bias")
    )
    partner_cost_of_capital = models.DecimalField(
        **RATE,
        default=_rate("partner_cost_of_capital"),
        help_text=_("Nominal, per year."),
        verbose_name=_("partner cost of capital"),
    )
    partner_margin = models.DecimalField(
        **RATE,
        default=_rate("partner_margin"),
        help_text=_("On operation costs."),
        verbose_name=_("partner margin"),
    )
    contract_term_years = models.PositiveSmallIntegerField(
        default=ENGINE_DEFAULTS.contract_term,
        help_text=_("Years, at most the horizon."),
        verbose_name=_("contract term years"),
    )
    partner_savings_share = models.DecimalField(
        **RATE,
        default=_rate("partner_savings_share"),
        help_text=_("Share of savings."),
        verbose_name=_("partner savings share"),
    )
    payment_at_risk_share = models.DecimalField(
        **RATE,
        default=_rate("payment_at_risk_share"),
        help_text=_("Paid on outcomes."),
        verbose_name=_("payment at risk share"),
    )
    outcome_achievement = models.DecimalField(
        **RATE,
        default=_rate("outcome_achievement"),
        help_text=_("Expected, 0–1."),
        verbose_name=_("outcome achievement"),
    )
    monte_carlo_draws = models.PositiveIntegerField(
        default=ENGINE_DEFAULTS.draws,
        validators=[MaxValueValidator(100_000)],
        verbose_name=_("monte carlo draws"),
    )
    seed = models.PositiveIntegerField(default=ENGINE_DEFAULTS.seed, verbose_name=_("seed"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("scenario assumptions")
        verbose_name_plural = _("scenario assumptions")
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

    tender = models.ForeignKey(
        "procurement.Tender", on_delete=models.CASCADE, related_name="scenario_runs", verbose_name=_("tender")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    input_hash = models.CharField(max_length=64, db_index=True, verbose_name=_("input hash"))
    inputs = PackedJSONField(verbose_name=_("inputs"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True, verbose_name=_("status")
    )
    progress = models.PositiveSmallIntegerField(
        default=0, help_text=_("0–100 %."), verbose_name=_("progress")
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    error_message = models.TextField(blank=True, verbose_name=_("error message"))
    reused_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reused from"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    summary = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("Small JSON summary for quick display."),
        verbose_name=_("summary"),
    )
    # Last sign of life of the job: set when its message reached the broker (empty while queued = it never
    # did), then every few seconds by the computing worker. The reaper acts on its age (see the services).
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the job was last handed to the queue or last reported running."),
        verbose_name=_("heartbeat at"),
    )

    class Meta:
        verbose_name = _("scenario run")
        verbose_name_plural = _("scenario runs")
        ordering = ["-created_at", "-id"]


class ScenarioCashFlow(models.Model):
    """Yearly cash flow of one scenario, department and budget type (currency, nominal and discounted)."""

    run = models.ForeignKey(
        ScenarioRun, on_delete=models.CASCADE, related_name="cash_flows", verbose_name=_("run")
    )
    scenario = models.CharField(max_length=16, choices=Scenario.choices, verbose_name=_("scenario"))
    fiscal_year = models.PositiveSmallIntegerField(verbose_name=_("fiscal year"))
    department = models.CharField(
        max_length=32, help_text=_("Department code."), verbose_name=_("department")
    )
    budget_type = models.CharField(max_length=8, verbose_name=_("budget type"))
    nominal = models.DecimalField(**MONEY, verbose_name=_("nominal"))
    discounted = models.DecimalField(**MONEY, verbose_name=_("discounted"))

    class Meta:
        verbose_name = _("scenario cash flow")
        verbose_name_plural = _("scenario cash flows")
        ordering = ["scenario", "fiscal_year", "department", "budget_type"]
        indexes = [models.Index(fields=["run", "scenario"])]


class ScenarioSummary(models.Model):
    run = models.ForeignKey(
        ScenarioRun, on_delete=models.CASCADE, related_name="summaries", verbose_name=_("run")
    )
    scenario = models.CharField(max_length=16, choices=Scenario.choices, verbose_name=_("scenario"))
    npv = models.DecimalField(**MONEY, help_text=_("NPV of costs to the city."), verbose_name=_("npv"))
    whole_life_cost = models.DecimalField(
        **MONEY, help_text=_("Undiscounted nominal sum."), verbose_name=_("whole life cost")
    )
    savings_vs_status_quo = models.DecimalField(**MONEY, verbose_name=_("savings vs status quo"))
    year0_capex = models.DecimalField(**MONEY, verbose_name=_("year0 capex"))
    peak_yearly_cost = models.DecimalField(**MONEY, verbose_name=_("peak yearly cost"))
    partner_npv = models.DecimalField(**MONEY, null=True, blank=True, verbose_name=_("partner npv"))
    partner_irr = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("partner irr")
    )
    bankable = models.BooleanField(null=True, verbose_name=_("bankable"))
    break_even_share = models.DecimalField(
        max_digits=9, decimal_places=6, null=True, blank=True, verbose_name=_("break even share")
    )
    budget_shortfall = models.DecimalField(
        **MONEY, default=0, help_text=_("Sum of yearly shortfalls."), verbose_name=_("budget shortfall")
    )
    data = models.JSONField(default=dict, blank=True, verbose_name=_("data"))

    class Meta:
        verbose_name = _("scenario summary")
        verbose_name_plural = _("scenario summarys")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "scenario"], name="scenariosummary_once_per_run")
        ]


class SensitivityResult(models.Model):
    """One bar of the tornado: NPV of a scenario with one assumption at its low and high value."""

    run = models.ForeignKey(
        ScenarioRun, on_delete=models.CASCADE, related_name="sensitivities", verbose_name=_("run")
    )
    scenario = models.CharField(max_length=16, choices=Scenario.choices, verbose_name=_("scenario"))
    parameter = models.CharField(max_length=64, verbose_name=_("parameter"))
    low_value = models.FloatField(verbose_name=_("low value"))
    high_value = models.FloatField(verbose_name=_("high value"))
    npv_low = models.DecimalField(**MONEY, verbose_name=_("npv low"))
    npv_high = models.DecimalField(**MONEY, verbose_name=_("npv high"))

    class Meta:
        verbose_name = _("sensitivity result")
        verbose_name_plural = _("sensitivity results")
        ordering = ["id"]


class MonteCarloResult(models.Model):
    run = models.ForeignKey(
        ScenarioRun, on_delete=models.CASCADE, related_name="monte_carlo", verbose_name=_("run")
    )
    scenario = models.CharField(max_length=16, choices=Scenario.choices, verbose_name=_("scenario"))
    p10 = models.DecimalField(**MONEY, verbose_name=_("p10"))
    p50 = models.DecimalField(**MONEY, verbose_name=_("p50"))
    p90 = models.DecimalField(**MONEY, verbose_name=_("p90"))
    probability_cheapest = models.FloatField(verbose_name=_("probability cheapest"))
    histogram = models.JSONField(
        default=dict, blank=True, help_text=_("{edges: [...], counts: [...]}"), verbose_name=_("histogram")
    )

    class Meta:
        verbose_name = _("monte carlo result")
        verbose_name_plural = _("monte carlo results")
        ordering = ["id"]


class FinancingChoice(models.Model):
    """The financing scenario a tender has chosen; its yearly need feeds the pooled budget check."""

    tender = models.OneToOneField(
        "procurement.Tender",
        on_delete=models.CASCADE,
        related_name="financing_choice",
        verbose_name=_("tender"),
    )
    run = models.ForeignKey(ScenarioRun, on_delete=models.PROTECT, related_name="+", verbose_name=_("run"))
    scenario = models.CharField(max_length=16, choices=Scenario.choices, verbose_name=_("scenario"))
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("chosen by"),
    )
    chosen_at = models.DateTimeField(auto_now=True, verbose_name=_("chosen at"))

    class Meta:
        verbose_name = _("financing choice")
        verbose_name_plural = _("financing choices")
