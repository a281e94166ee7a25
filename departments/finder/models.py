"""Opportunity finder runs and the candidates they found (stored per run, with the run's parameters).

Registered in the departments app (app_label) so that their migrations live in departments/migrations.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .clustering import RADIUS_LIMITS_M, WINDOW_LIMITS_YEARS

MONEY = {"max_digits": 18, "decimal_places": 2}


class FinderRun(models.Model):
    """One scan of every department's assets with a set of parameters; a background job with progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    radius_m = models.PositiveIntegerField(
        default=150,
        validators=[MinValueValidator(RADIUS_LIMITS_M[0]), MaxValueValidator(RADIUS_LIMITS_M[1])],
        help_text="Assets of different departments within this distance (metres) are linked.",
        verbose_name=_("radius m"),
    )
    window_years = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(WINDOW_LIMITS_YEARS[0]), MaxValueValidator(WINDOW_LIMITS_YEARS[1])],
        help_text="End-of-life years of one candidate span at most this many years.",
        verbose_name=_("window years"),
    )
    outcome = models.ForeignKey(
        "outcomes.Outcome",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("outcome"),
    )
    synergy = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default="0.100",
        validators=[MinValueValidator(0), MaxValueValidator(0.5)],
        help_text="Share of the upgrade cost and maintenance saved by shared works and visits (0.1 = 10 %).",
        verbose_name=_("synergy"),
    )
    # sha256 of the parameters: a second request with the same parameters while one runs reuses it.
    params_hash = models.CharField(max_length=64, db_index=True, verbose_name=_("params hash"))
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED, verbose_name=_("status")
    )
    progress = models.PositiveSmallIntegerField(default=0, help_text="0–100 %.", verbose_name=_("progress"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    start_year = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="First year valued.", verbose_name=_("start year")
    )
    assets_considered = models.PositiveIntegerField(default=0, verbose_name=_("assets considered"))
    assets_without_coordinates = models.PositiveIntegerField(
        default=0, verbose_name=_("assets without coordinates")
    )
    candidate_count = models.PositiveIntegerField(
        default=0, help_text="All candidates found.", verbose_name=_("candidate count")
    )
    stored_count = models.PositiveIntegerField(
        default=0, help_text="Candidates stored (the best ranked).", verbose_name=_("stored count")
    )
    notes = models.JSONField(
        default=list, blank=True, help_text="Plain-words remarks about this run.", verbose_name=_("notes")
    )
    error_message = models.TextField(blank=True, verbose_name=_("error message"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    started_at = models.DateTimeField(null=True, blank=True, verbose_name=_("started at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    duration_ms = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("duration ms"))

    class Meta:
        app_label = "departments"
        ordering = ["-created_at", "-id"]
        # Not in the admin: its field help texts are for developers and stay untranslated.
        verbose_name = _("finder run")
        verbose_name_plural = _("finder runs")
        constraints = [
            models.CheckConstraint(
                condition=Q(radius_m__gte=RADIUS_LIMITS_M[0], radius_m__lte=RADIUS_LIMITS_M[1]),
                name="finderrun_radius_in_range",
            ),
            models.CheckConstraint(
                condition=Q(window_years__lte=WINDOW_LIMITS_YEARS[1]), name="finderrun_window_in_range"
            ),
            models.CheckConstraint(
                condition=Q(synergy__gte=0, synergy__lte=0.5), name="finderrun_synergy_in_range"
            ),
        ]

    def __str__(self) -> str:
        return f"Finder run {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @property
    def synergy_percent(self):
        return self.synergy * 100


class FinderCandidate(models.Model):
    """A proposed bundle: assets of two or more departments that stand together and wear out together."""

    class Kind(models.TextChoices):
        NEARBY = "nearby", _("Within the radius")
        AREA = "area", _("Same area (no coordinates)")

    class Scenario(models.TextChoices):
        # Same codes as finance.models.scenarios.Scenario (the engine's scenario names).
        CAPEX = "capex", _("CapEx purchase")
        OPEX_SERVICE = "opex_service", _("OpEx service")
        SHARED_SAVINGS = "shared_savings", _("Shared savings")

    run = models.ForeignKey(
        FinderRun, on_delete=models.CASCADE, related_name="candidates", verbose_name=_("run")
    )
    rank = models.PositiveIntegerField(help_text="1 = largest saving.", verbose_name=_("rank"))
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    label = models.CharField(
        max_length=200, help_text="Where it is, in words (the most common area).", verbose_name=_("label")
    )
    asset_ids = models.JSONField(help_text="Primary keys of the bundled assets.", verbose_name=_("asset ids"))
    asset_count = models.PositiveIntegerField(verbose_name=_("asset count"))
    # [{"code", "name", "count", "replacement_cost"}], largest replacement cost first.
    departments = models.JSONField(verbose_name=_("departments"))
    department_count = models.PositiveSmallIntegerField(verbose_name=_("department count"))
    categories = models.JSONField(
        default=list, help_text="Category names, most frequent first.", verbose_name=_("categories")
    )
    end_of_life_first = models.PositiveSmallIntegerField(verbose_name=_("end of life first"))
    end_of_life_last = models.PositiveSmallIntegerField(verbose_name=_("end of life last"))
    latitude = models.FloatField(
        null=True, blank=True, help_text="Centre of the candidate's assets.", verbose_name=_("latitude")
    )
    longitude = models.FloatField(null=True, blank=True, verbose_name=_("longitude"))
    spread_m = models.FloatField(
        null=True,
        blank=True,
        help_text="Largest distance from the centre, metres.",
        verbose_name=_("spread m"),
    )
    replacement_cost_due = models.DecimalField(**MONEY, verbose_name=_("replacement cost due"))
    npv_status_quo = models.DecimalField(**MONEY, verbose_name=_("npv status quo"))
    npv_capex = models.DecimalField(**MONEY, verbose_name=_("npv capex"))
    npv_opex_service = models.DecimalField(**MONEY, verbose_name=_("npv opex service"))
    npv_shared_savings = models.DecimalField(**MONEY, verbose_name=_("npv shared savings"))
    opex_service_bankable = models.BooleanField(verbose_name=_("opex service bankable"))
    shared_savings_bankable = models.BooleanField(verbose_name=_("shared savings bankable"))
    best_scenario = models.CharField(max_length=16, choices=Scenario.choices, verbose_name=_("best scenario"))
    best_npv = models.DecimalField(**MONEY, verbose_name=_("best npv"))
    savings = models.DecimalField(
        **MONEY, help_text="NPV of the status quo − NPV of the best scenario.", verbose_name=_("savings")
    )
    tender = models.ForeignKey(
        "procurement.Tender",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("tender"),
    )

    class Meta:
        app_label = "departments"
        ordering = ["run", "rank"]
        verbose_name = _("finder candidate")
        verbose_name_plural = _("finder candidates")
        constraints = [
            models.UniqueConstraint(fields=["run", "rank"], name="findercandidate_rank_unique_in_run"),
        ]

    def __str__(self) -> str:
        return f"Candidate {self.rank} of run {self.run_id}: {self.label}"
