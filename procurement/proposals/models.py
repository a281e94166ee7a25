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
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_membership"
    )
    organisation = models.ForeignKey(PartnerOrganisation, on_delete=models.CASCADE, related_name="members")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.PARTNER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "user"]

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"


class TenderRequirements(models.Model):
    """What the tender asks of proposals: deadlines, accepted models, minimum φ, award weights, standstill."""

    tender = models.OneToOneField(Tender, on_delete=models.CASCADE, related_name="requirements")
    proposal_deadline = models.DateTimeField(help_text=_("End of the tender period: no proposal after it."))
    clarification_deadline = models.DateTimeField(help_text=_("Last moment for clarification questions."))
    accepted_models = models.JSONField(default=list, help_text=_("Financing models accepted (engine names)."))
    minimum_at_risk_share = models.DecimalField(
        **SHARE,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("Minimum share φ of partner payments at risk on outcomes (0–1)."),
    )
    price_weight = models.DecimalField(**WEIGHT, default=Decimal("50"))
    outcome_weight = models.DecimalField(**WEIGHT, default=Decimal("30"))
    standstill_days = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(0), MaxValueValidator(60)]
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
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
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="quality_criteria")
    name = models.CharField(max_length=200)
    weight = models.DecimalField(**WEIGHT)
    scoring_guide = models.TextField(help_text=_("What earns 0, 5 and 10 points."))

    class Meta:
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

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="proposals")
    organisation = models.ForeignKey(PartnerOrganisation, on_delete=models.PROTECT, related_name="proposals")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
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

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    sealed = models.BinaryField(default=b"", editable=False)
    content_sha256 = models.CharField(max_length=64, blank=True)
    received_at = models.DateTimeField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    token = models.ForeignKey(
        "procurement.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["proposal", "number"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "number"], name="proposalversion_number_once"),
        ]


class ProposalDocument(models.Model):
    """A document of a proposal version: its bytes sealed like the content (name and hash are in the content)."""

    version = models.ForeignKey(ProposalVersion, on_delete=models.PROTECT, related_name="documents")
    position = models.PositiveSmallIntegerField()
    sealed = models.BinaryField(editable=False)

    class Meta:
        ordering = ["version", "position"]


class ProposalOpening(models.Model):
    """One city user opening the box of a tender (four-eyes: two different users open it)."""

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="proposal_openings")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField()

    class Meta:
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

    tender = models.OneToOneField(Tender, on_delete=models.PROTECT, related_name="evaluation")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PRICING)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    input_hash = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error_message = models.TextField(blank=True)
    priced_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)


class Evaluator(models.Model):
    """An official of the lead department named to score quality; declares no conflict before scoring."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="evaluators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    no_conflict_declared_at = models.DateTimeField(null=True, blank=True)
    declaration = models.TextField(blank=True)
    scores_submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "user"], name="evaluator_once_per_evaluation"),
        ]


class ProposalScore(models.Model):
    """The evaluation of one proposal (its version at the deadline): compliance, NPV, scores, rank."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="scores")
    version = models.ForeignKey(ProposalVersion, on_delete=models.PROTECT, related_name="+")
    compliant = models.BooleanField()
    compliance_problems = models.JSONField(default=list, blank=True)
    npv = models.DecimalField(**MONEY, null=True, blank=True, help_text=_("NPV of cost to the city."))
    yearly_payments = models.JSONField(
        default=list, blank=True, help_text=_("[{fiscal_year, budget_type, amount}] the city pays (nominal).")
    )
    partner_payments = models.DecimalField(
        **MONEY, null=True, blank=True, help_text=_("Nominal sum paid to the partner over the term.")
    )
    price_score = models.DecimalField(**SCORE, null=True, blank=True)
    outcome_score = models.DecimalField(**SCORE, null=True, blank=True)
    quality_score = models.DecimalField(**SCORE, null=True, blank=True)
    total = models.DecimalField(**SCORE, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "proposal"], name="proposalscore_once"),
        ]


class QualityScore(models.Model):
    evaluator = models.ForeignKey(Evaluator, on_delete=models.PROTECT, related_name="scores")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(QualityCriterion, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveSmallIntegerField(validators=[MaxValueValidator(10)])
    reason = models.TextField()
    scored_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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

    tender = models.OneToOneField(Tender, on_delete=models.PROTECT, related_name="award_decision")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECOMMENDED)
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recommended_at = models.DateTimeField()
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    budget_shortfall = models.DecimalField(**MONEY, default=Decimal("0"))
    standstill_ends_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
