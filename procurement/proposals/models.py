"""Partner people, what a tender asks, sealed proposals, opening, evaluation and award (DESIGN §12).

Registered under the `procurement` app (imported at the end of procurement/models.py), migrations in
procurement/migrations. Proposal content never sits in clear in a column: each version stores a MultiFernet
token (`sealed`) and only `procurement.proposals.selectors.proposal_content` opens it (the sealing rule).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from procurement.models import MONEY, PartnerOrganisation, Tender

__all__ = [
    "FinancingModel",
    "PartnerMembership",
    "TenderRequirements",
    "QualityCriterion",
    "Proposal",
    "ProposalVersion",
    "ProposalDocument",
    "ProposalOpening",
    "Evaluation",
    "Evaluator",
    "ProposalScore",
    "QualityScore",
    "AwardDecision",
]

SHARE = {"max_digits": 5, "decimal_places": 4}  # fractions 0–1 (0.2 = 20 %)
WEIGHT = {"max_digits": 5, "decimal_places": 2}  # percent
SCORE = {"max_digits": 7, "decimal_places": 3}  # 0–100


class FinancingModel(models.TextChoices):
    # Values are the engine's scenario names (finance.engine.scenarios.SCENARIOS).
    CAPEX = "capex", _("CapEx purchase")
    OPEX_SERVICE = "opex_service", _("OpEx service fee")
    SHARED_SAVINGS = "shared_savings", _("Shared savings")


class PartnerMembership(models.Model):
    """A person of a partner organisation who signs in to the partner portal (role `partner`)."""

    class Role(models.TextChoices):
        PARTNER = "partner", pgettext_lazy("partner role", "Partner")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="partner_membership",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        PartnerOrganisation, on_delete=models.CASCADE, related_name="members", verbose_name=_("organisation")
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PARTNER, verbose_name=_("role"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("partner membership")
        verbose_name_plural = _("partner memberships")
        ordering = ["organisation", "user"]

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"


class TenderRequirements(models.Model):
    """What the tender asks of proposals: deadlines, accepted models, minimum φ, award weights, standstill."""

    tender = models.OneToOneField(
        Tender, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("tender")
    )
    proposal_deadline = models.DateTimeField(
        help_text=_("End of the tender period: no proposal after it."), verbose_name=_("proposal deadline")
    )
    clarification_deadline = models.DateTimeField(
        help_text=_("Last moment for clarification questions."), verbose_name=_("clarification deadline")
    )
    accepted_models = models.JSONField(
        default=list,
        help_text=_("Financing models accepted (engine names)."),
        verbose_name=_("accepted models"),
    )
    minimum_at_risk_share = models.DecimalField(
        **SHARE,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Minimum share φ of partner payments at risk on outcomes (0–1)."),
        verbose_name=_("minimum at risk share"),
    )
    price_weight = models.DecimalField(**WEIGHT, default=Decimal("50"), verbose_name=_("price weight"))
    outcome_weight = models.DecimalField(**WEIGHT, default=Decimal("30"), verbose_name=_("outcome weight"))
    standstill_days = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
        verbose_name=_("standstill days"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("tender requirements")
        verbose_name_plural = _("tender requirements")
        verbose_name_plural = _("tender requirements")
        constraints = [
            models.CheckConstraint(
                condition=Q(clarification_deadline__lte=models.F("proposal_deadline")),
                name="requirements_clarification_before_deadline",
            ),
            models.CheckConstraint(
                condition=Q(minimum_at_risk_share__gte=0, minimum_at_risk_share__lte=1),
                name="requirements_phi_0_1",
            ),
        ]


class QualityCriterion(models.Model):
    tender = models.ForeignKey(
        Tender, on_delete=models.CASCADE, related_name="quality_criteria", verbose_name=_("tender")
    )
    name = models.CharField(max_length=200, verbose_name=_("name"))
    weight = models.DecimalField(**WEIGHT, verbose_name=_("weight"))
    scoring_guide = models.TextField(
        help_text=_("What earns 0, 5 and 10 points."), verbose_name=_("scoring guide")
    )

    class Meta:
        verbose_name = _("quality criterion")
        verbose_name_plural = _("quality criterions")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "name"], name="qualitycriterion_once_per_tender"),
            models.CheckConstraint(
                condition=Q(weight__gt=0, weight__lte=100), name="qualitycriterion_weight"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Proposal(models.Model):
    """One organisation's answer to one tender. Its content lives in versions (each kept, each sealed)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", pgettext_lazy("proposal status", "Submitted")
        WITHDRAWN = "withdrawn", pgettext_lazy("proposal status", "Withdrawn")

    tender = models.ForeignKey(
        Tender, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("tender")
    )
    organisation = models.ForeignKey(
        PartnerOrganisation,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("organisation"),
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.SUBMITTED, verbose_name=_("status")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "organisation"], name="proposal_once_per_organisation"),
        ]

    def __str__(self) -> str:
        return f"proposal {self.pk} to {self.tender_id}"


class ProposalVersion(models.Model):
    """One submission (first, replacement) or the withdrawal of a proposal. Never edited.

    `sealed` is the MultiFernet token of the canonical JSON content (empty for a withdrawal); the receipt is
    the sha256 of that canonical content and the server time it was received.
    """

    class Kind(models.TextChoices):
        SUBMIT = "submit", pgettext_lazy("proposal version kind", "Submitted")
        REPLACE = "replace", pgettext_lazy("proposal version kind", "Replaced")
        WITHDRAW = "withdraw", pgettext_lazy("proposal version kind", "Withdrawn")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="versions", verbose_name=_("proposal")
    )
    number = models.PositiveSmallIntegerField(verbose_name=_("number"))
    kind = models.CharField(max_length=16, choices=Kind.choices, verbose_name=_("kind"))
    sealed = models.BinaryField(default=b"", editable=False, verbose_name=_("sealed"))
    content_sha256 = models.CharField(max_length=64, blank=True, verbose_name=_("content sha256"))
    received_at = models.DateTimeField(verbose_name=_("received at"))
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

    class Meta:
        verbose_name = _("proposal version")
        verbose_name_plural = _("proposal versions")
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="proposalversion_number_once"),
        ]


class ProposalDocument(models.Model):
    """A document of a proposal version: its bytes sealed like the content (name and hash are in the content)."""

    version = models.ForeignKey(
        ProposalVersion, on_delete=models.PROTECT, related_name="documents", verbose_name=_("version")
    )
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))
    sealed = models.BinaryField(editable=False, verbose_name=_("sealed"))

    class Meta:
        verbose_name = _("proposal document")
        verbose_name_plural = _("proposal documents")
        ordering = ["version", "position"]


class ProposalOpening(models.Model):
    """One city user opening the box of a tender (four-eyes: two different users open it)."""

    tender = models.ForeignKey(
        Tender, on_delete=models.PROTECT, related_name="proposal_openings", verbose_name=_("tender")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    opened_at = models.DateTimeField(verbose_name=_("opened at"))

    class Meta:
        verbose_name = _("proposal opening")
        verbose_name_plural = _("proposal openings")
        ordering = ["opened_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "opened_by"], name="proposalopening_once_per_user"),
        ]


class Evaluation(models.Model):
    """The evaluation of a tender's proposals: compliance, the engine's price job, quality, totals, report."""

    class Status(models.TextChoices):
        PRICING = "pricing", pgettext_lazy("evaluation status", "Pricing (engine job queued or running)")
        SCORING = "scoring", pgettext_lazy("evaluation status", "Quality scoring")
        FINAL = "final", pgettext_lazy("evaluation status", "Final report")
        FAILED = "failed", pgettext_lazy("evaluation status", "Pricing failed")

    tender = models.OneToOneField(
        Tender, on_delete=models.PROTECT, related_name="evaluation", verbose_name=_("tender")
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PRICING, verbose_name=_("status")
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
    )
    started_at = models.DateTimeField(auto_now_add=True, verbose_name=_("started at"))
    input_hash = models.CharField(max_length=64, blank=True, verbose_name=_("input hash"))
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    error_message = models.TextField(blank=True, verbose_name=_("error message"))
    priced_at = models.DateTimeField(null=True, blank=True, verbose_name=_("priced at"))
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("finalised by"),
    )
    finalised_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finalised at"))

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")


class Evaluator(models.Model):
    """An official of the lead department named to score quality; declares no conflict before scoring."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="evaluators", verbose_name=_("evaluation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("user")
    )
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("named by"),
    )
    no_conflict_declared_at = models.DateTimeField(
        null=True, blank=True, verbose_name=_("no conflict declared at")
    )
    declaration = models.TextField(blank=True, verbose_name=_("declaration"))
    scores_submitted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("scores submitted at"))

    class Meta:
        verbose_name = _("evaluator")
        verbose_name_plural = _("evaluators")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "user"], name="evaluator_once_per_evaluation"),
        ]


class ProposalScore(models.Model):
    """The evaluation of one proposal (its version at the deadline): compliance, NPV, scores, rank."""

    evaluation = models.ForeignKey(
        Evaluation, on_delete=models.CASCADE, related_name="scores", verbose_name=_("evaluation")
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="scores", verbose_name=_("proposal")
    )
    version = models.ForeignKey(
        ProposalVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("version")
    )
    compliant = models.BooleanField(verbose_name=_("compliant"))
    compliance_problems = models.JSONField(default=list, blank=True, verbose_name=_("compliance problems"))
    npv = models.DecimalField(
        **MONEY, null=True, blank=True, help_text=_("NPV of cost to the city."), verbose_name=_("npv")
    )
    yearly_payments = models.JSONField(
        default=list,
        blank=True,
        help_text=_("[{fiscal_year, budget_type, amount}] the city pays (nominal)."),
        verbose_name=_("yearly payments"),
    )
    partner_payments = models.DecimalField(
        **MONEY,
        null=True,
        blank=True,
        help_text=_("Nominal sum paid to the partner over the term."),
        verbose_name=_("partner payments"),
    )
    price_score = models.DecimalField(**SCORE, null=True, blank=True, verbose_name=_("price score"))
    outcome_score = models.DecimalField(**SCORE, null=True, blank=True, verbose_name=_("outcome score"))
    quality_score = models.DecimalField(**SCORE, null=True, blank=True, verbose_name=_("quality score"))
    total = models.DecimalField(**SCORE, null=True, blank=True, verbose_name=_("total"))
    rank = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("rank"))

    class Meta:
        verbose_name = _("proposal score")
        verbose_name_plural = _("proposal scores")
        ordering = ["rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "proposal"], name="proposalscore_once"),
        ]


class QualityScore(models.Model):
    evaluator = models.ForeignKey(
        Evaluator, on_delete=models.PROTECT, related_name="scores", verbose_name=_("evaluator")
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposal")
    )
    criterion = models.ForeignKey(
        QualityCriterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    points = models.PositiveSmallIntegerField(validators=[MaxValueValidator(10)], verbose_name=_("points"))
    reason = models.TextField(verbose_name=_("reason"))
    scored_at = models.DateTimeField(auto_now_add=True, verbose_name=_("scored at"))

    class Meta:
        verbose_name = _("quality score")
        verbose_name_plural = _("quality scores")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluator", "proposal", "criterion"], name="qualityscore_once_per_evaluator"
            ),
            models.CheckConstraint(condition=Q(points__lte=10), name="qualityscore_0_10"),
        ]


class AwardDecision(models.Model):
    """Recommendation (lead official) → approval by finance (award release, standstill) → signature."""

    class Status(models.TextChoices):
        RECOMMENDED = "recommended", pgettext_lazy("award status", "Recommended")
        APPROVED = "approved", pgettext_lazy("award status", "Approved (standstill)")
        SIGNED = "signed", pgettext_lazy("award status", "Contract signed")
        CANCELLED = "cancelled", pgettext_lazy("award status", "Cancelled")

    tender = models.OneToOneField(
        Tender, on_delete=models.PROTECT, related_name="award_decision", verbose_name=_("tender")
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposal")
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.RECOMMENDED, verbose_name=_("status")
    )
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recommended by"),
    )
    recommended_at = models.DateTimeField(verbose_name=_("recommended at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("approved at"))
    override_reason = models.TextField(blank=True, verbose_name=_("override reason"))
    budget_shortfall = models.DecimalField(**MONEY, default=Decimal("0"), verbose_name=_("budget shortfall"))
    standstill_ends_at = models.DateTimeField(null=True, blank=True, verbose_name=_("standstill ends at"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("signed at"))

    class Meta:
        verbose_name = _("award decision")
        verbose_name_plural = _("award decisions")
