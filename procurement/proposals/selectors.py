"""Reads of proposals. `proposal_content` is THE sealing rule (DESIGN §12): every page, export, API and service
that needs what a proposal says goes through it (or through `proposal_contents_for_evaluation`, which applies
the same rule for the evaluation job). Nothing else in the code base calls `sealing.open_sealed`.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from procurement.models import PartnerOrganisation, Tender
from procurement.proposals import sealing
from procurement.proposals.exceptions import ProposalSealed
from procurement.proposals.models import (
    AwardDecision,
    Evaluation,
    Evaluator,
    PartnerMembership,
    Proposal,
    ProposalDocument,
    ProposalOpening,
    ProposalScore,
    ProposalVersion,
    QualityScore,
    TenderRequirements,
)
from procurement.selectors.tenders import is_finance_for, is_lead_official

# Two different city users must open the box (four-eyes).
OPENERS_NEEDED = 2


# --- Partner people -------------------------------------------------------------------------------------------


def partner_organisation_of(*, user) -> PartnerOrganisation | None:
    """The partner organisation a signed-in person belongs to, or None (city staff, anonymous)."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_partner_organisation", False)
    if cached is not False:
        return cached
    membership = PartnerMembership.objects.select_related("organisation").filter(user=user).first()
    organisation = membership.organisation if membership else None
    user._partner_organisation = organisation
    return organisation


# --- What the tender asks -------------------------------------------------------------------------------------


def requirements_for(*, tender: Tender) -> TenderRequirements | None:
    return TenderRequirements.objects.filter(tender=tender).first()


def deadline_passed(*, tender: Tender, now: datetime.datetime | None = None) -> bool:
    """True from the deadline's exact instant on (a proposal received at the deadline is late)."""
    requirements = requirements_for(tender=tender)
    if requirements is None:
        return False
    return (now or timezone.now()) >= requirements.proposal_deadline


# --- The box ----------------------------------------------------------------------------------------------------


def openers(*, tender: Tender) -> QuerySet[ProposalOpening]:
    return ProposalOpening.objects.filter(tender=tender).select_related("opened_by")


def box_is_open(*, tender: Tender, now: datetime.datetime | None = None) -> bool:
    """The deadline has passed AND two different city users have opened the box."""
    if not deadline_passed(tender=tender, now=now):
        return False
    return openers(tender=tender).values("opened_by").distinct().count() >= OPENERS_NEEDED


def may_open(*, user, tender: Tender) -> bool:
    """Lead officials and finance staff of the tender may open its box (after the deadline)."""
    return is_lead_official(user=user, tender=tender) or is_finance_for(user=user, tender=tender)


def _city_reader(*, user, tender: Tender) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if may_open(user=user, tender=tender):
        return True
    return Evaluator.objects.filter(evaluation__tender=tender, user=user).exists()


def _unseal(version: ProposalVersion) -> dict[str, Any]:
    return json.loads(sealing.open_sealed(version.sealed).decode("utf-8"))


def proposal_content(
    *,
    version: ProposalVersion,
    user=None,
    organisation: PartnerOrganisation | None = None,
    now: datetime.datetime | None = None,
) -> dict[str, Any]:
    """What a proposal version says, for `user` (a city user or a partner's person) or `organisation` (a
    partner's machine token). Raises ProposalSealed unless:

    - the reader belongs to the organisation that submitted it (partners always read their own), or
    - the reader is a city user of the tender (lead official, finance, named evaluator), the deadline has
      passed and two different city users have opened the box.

    Superusers and admin pages get no exception: sealed is sealed for everyone.
    """
    proposal = version.proposal
    if organisation is None and user is not None:
        organisation = partner_organisation_of(user=user)
    if organisation is not None:
        if organisation.pk == proposal.organisation_id:
            return _unseal(version)
        raise ProposalSealed("Partners never read another organisation's proposal.")
    tender = proposal.tender
    if not box_is_open(tender=tender, now=now):
        raise ProposalSealed(
            "Proposals are sealed until the deadline has passed and two different city users have opened them."
        )
    if not _city_reader(user=user, tender=tender):
        raise ProposalSealed("Only the tender's officials, finance staff and evaluators read its proposals.")
    return _unseal(version)


def proposal_document_bytes(*, document: ProposalDocument, user=None, organisation=None) -> bytes:
    """A document's bytes, under exactly the rule of `proposal_content` (which it calls first)."""
    proposal_content(version=document.version, user=user, organisation=organisation)
    return sealing.open_sealed(document.sealed)


def proposal_contents_for_evaluation(*, tender: Tender) -> dict[int, tuple[ProposalVersion, dict[str, Any]]]:
    """proposal id -> (version, content) of every proposal standing at the deadline, for the evaluation job.

    The same rule as `proposal_content`: refused (ProposalSealed) until the box is open.
    """
    if not box_is_open(tender=tender):
        raise ProposalSealed("The proposals of this tender have not been opened.")
    return {version.proposal_id: (version, _unseal(version)) for version in standing_versions(tender=tender)}


# --- Proposals and versions ---------------------------------------------------------------------------------------


def latest_version(*, proposal: Proposal) -> ProposalVersion | None:
    return proposal.versions.order_by("-number").first()


def standing_versions(*, tender: Tender) -> list[ProposalVersion]:
    """The last version of each proposal that was not withdrawn (what the city evaluates)."""
    out = []
    for proposal in Proposal.objects.filter(tender=tender, status=Proposal.Status.SUBMITTED).select_related(
        "organisation", "tender"
    ):
        version = latest_version(proposal=proposal)
        if version is not None and version.kind != ProposalVersion.Kind.WITHDRAW:
            version.proposal = proposal
            out.append(version)
    return out


def proposal_count(*, tender: Tender) -> int:
    """Number of proposals standing (not withdrawn): what `bids.statistics` publishes after opening."""
    return Proposal.objects.filter(tender=tender, status=Proposal.Status.SUBMITTED).count()


def proposals_of_organisation(*, organisation: PartnerOrganisation) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(organisation=organisation)
        .select_related("tender")
        .prefetch_related("versions")
        .order_by("-updated_at")
    )


def proposal_of_organisation(*, tender: Tender, organisation: PartnerOrganisation) -> Proposal | None:
    return Proposal.objects.filter(tender=tender, organisation=organisation).first()


def receipt(version: ProposalVersion) -> dict[str, Any]:
    """What a partner keeps as proof: sha256 of the canonical content and the server time (never content)."""
    return {
        "proposal": version.proposal_id,
        "version": version.number,
        "kind": version.kind,
        "sha256": version.content_sha256 or None,
        "received_at": version.received_at.isoformat(),
    }


# --- City views of the proposals ------------------------------------------------------------------------------------


def proposals_for_city(*, tender: Tender, user) -> dict[str, Any]:
    """What the tender page shows city staff: before opening only counts; after opening the proposals."""
    state: dict[str, Any] = {
        "requirements": requirements_for(tender=tender),
        "deadline_passed": deadline_passed(tender=tender),
        "openers": list(openers(tender=tender)),
        "count": proposal_count(tender=tender),
        "open": box_is_open(tender=tender),
        "may_open": may_open(user=user, tender=tender),
        "proposals": [],
    }
    state["has_opened"] = any(o.opened_by_id == user.pk for o in state["openers"])
    if state["open"] and _city_reader(user=user, tender=tender):
        for version in standing_versions(tender=tender):
            state["proposals"].append(
                {
                    "proposal": version.proposal,
                    "version": version,
                    "content": proposal_content(version=version, user=user),
                }
            )
    return state


# --- Evaluation --------------------------------------------------------------------------------------------------


def evaluation_for(*, tender: Tender) -> Evaluation | None:
    return Evaluation.objects.filter(tender=tender).first()


def evaluator_for(*, evaluation: Evaluation, user) -> Evaluator | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return evaluation.evaluators.filter(user=user).first()


def all_quality_scores_in(*, evaluation: Evaluation) -> bool:
    evaluators = list(evaluation.evaluators.all())
    return bool(evaluators) and all(e.scores_submitted_at is not None for e in evaluators)


def quality_scores_visible_to(*, evaluation: Evaluation, user) -> QuerySet[QualityScore]:
    """An evaluator sees only their own scores until every evaluator has scored; then everyone sees all."""
    scores = QualityScore.objects.filter(evaluator__evaluation=evaluation).select_related(
        "evaluator__user", "criterion", "proposal__organisation"
    )
    if all_quality_scores_in(evaluation=evaluation):
        return scores
    return scores.filter(evaluator__user=user)


def ranking(*, evaluation: Evaluation) -> list[ProposalScore]:
    return list(
        ProposalScore.objects.filter(evaluation=evaluation)
        .select_related("proposal__organisation", "version")
        # Ranked first (the database's NULL order differs: PostgreSQL puts NULLs last, SQLite first).
        .order_by(F("rank").asc(nulls_last=True), F("npv").asc(nulls_last=True), "id")
    )


# --- Award -------------------------------------------------------------------------------------------------------


def award_for(*, tender: Tender) -> AwardDecision | None:
    return AwardDecision.objects.filter(tender=tender).select_related("proposal__organisation").first()


def partner_scores(*, tender: Tender, organisation: PartnerOrganisation) -> dict[str, Any] | None:
    """After the award decision (standstill started): the organisation's own scores and the winner's; before
    that, None. Never another losing bidder's."""
    award = award_for(tender=tender)
    if award is None or award.status not in (AwardDecision.Status.APPROVED, AwardDecision.Status.SIGNED):
        return None
    scores = {
        s.proposal_id: s
        for s in ProposalScore.objects.filter(
            evaluation__tender=tender, proposal__organisation=organisation
        ).select_related("proposal__organisation")
    }
    winner = (
        ProposalScore.objects.filter(evaluation__tender=tender, proposal=award.proposal)
        .select_related("proposal__organisation")
        .first()
    )
    own = next(iter(scores.values()), None)
    return {
        "award": award,
        "own": own,
        "winner": winner,
        "is_winner": own is not None and winner is not None and own.pk == winner.pk,
    }


# --- Publication ---------------------------------------------------------------------------------------------------


def publication_snapshot(*, tender: Tender) -> dict[str, Any]:
    """Plain data the OCDS builder needs about proposals: what the tender asks (always), `bids` statistics
    once the box is open, bid details and the winning bid once the award is approved, the signed contract."""
    out: dict[str, Any] = {"requirements": None, "bids": None, "award_bid": None, "contract": None}
    requirements = requirements_for(tender=tender)
    if requirements is not None:
        out["requirements"] = {
            "proposal_deadline": requirements.proposal_deadline,
            "clarification_deadline": requirements.clarification_deadline,
            "accepted_models": list(requirements.accepted_models),
            "minimum_at_risk_share": requirements.minimum_at_risk_share,
            "price_weight": requirements.price_weight,
            "outcome_weight": requirements.outcome_weight,
            "criteria": [
                {"name": c.name, "weight": c.weight} for c in tender.quality_criteria.order_by("id")
            ],
            "standstill_days": requirements.standstill_days,
        }
    opened = list(openers(tender=tender))
    if requirements is None or len({o.opened_by_id for o in opened}) < OPENERS_NEEDED:
        return out
    out["bids"] = {"count": proposal_count(tender=tender), "date": opened[-1].opened_at, "details": None}
    award = award_for(tender=tender)
    if award is None or award.status not in (AwardDecision.Status.APPROVED, AwardDecision.Status.SIGNED):
        return out
    scores = {
        s.proposal_id: s
        for s in ProposalScore.objects.filter(evaluation__tender=tender).select_related("version")
    }
    details = []
    for proposal in Proposal.objects.filter(tender=tender).select_related("organisation").order_by("id"):
        score = scores.get(proposal.pk)
        if proposal.status == Proposal.Status.WITHDRAWN:
            status = "withdrawn"
        elif score is not None and score.compliant:
            status = "valid"
        else:
            status = "disqualified"
        version = score.version if score is not None else latest_version(proposal=proposal)
        details.append(
            {
                "id": f"bid-{proposal.pk}",
                "date": version.received_at if version else proposal.created_at,
                "status": status,
                "organisation_id": proposal.organisation_id,
                "organisation_name": proposal.organisation.name,
                "value": score.partner_payments if score is not None else None,
                "rank": score.rank if score is not None else None,
            }
        )
    out["bids"]["details"] = details
    out["award_bid"] = {
        "bid_id": f"bid-{award.proposal_id}",
        "supplier_id": f"partner-{award.proposal.organisation_id}",
    }
    if award.status == AwardDecision.Status.SIGNED and award.signed_at:
        out["contract"] = {"signed_at": award.signed_at, "standstill_ends_at": award.standstill_ends_at}
    return out
