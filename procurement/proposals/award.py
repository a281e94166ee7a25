"""Writes of the award (DESIGN §12): recommendation, finance approval with the engine's budget fit, standstill,
contract signature, cancellation with a reason until signature. The tender's own lifecycle moves (award,
sign, cancel) go through `procurement.services.tenders.tender_transition`, which writes the releases."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.numbers import money
from procurement.models import Tender, TenderEvent
from procurement.proposals.exceptions import AwardRefused
from procurement.proposals.models import AwardDecision, Evaluation, ProposalScore
from procurement.proposals.selectors import requirements_for
from procurement.selectors.tenders import is_finance_for, is_lead_official


def _refuse(message: str, field: str = "__all__") -> AwardRefused:
    return AwardRefused(message, errors={field: [message]})


def award_budget_fit(*, tender: Tender, score: ProposalScore) -> dict[str, Any]:
    """The engine's budget fit of the proposal's yearly payments against the pooled budget (approved
    contributions, per fiscal year and type, over the budget plan's years). Money as Decimal."""
    from finance.engine.proposals import budget_shortfall
    from finance.models import Contribution

    budgets = pd.DataFrame.from_records(
        [
            {"fiscal_year": year, "budget_type": btype, "amount": float(amount)}
            for year, btype, amount in Contribution.objects.filter(
                tender=tender, status=Contribution.Status.APPROVED
            ).values_list("budget_line__fiscal_year", "budget_line__budget_type", "amount")
        ],
        columns=["fiscal_year", "budget_type", "amount"],
    )
    yearly = pd.DataFrame.from_records(
        [
            {"fiscal_year": r["fiscal_year"], "budget_type": r["budget_type"], "amount": float(r["amount"])}
            for r in score.yearly_payments
        ],
        columns=["fiscal_year", "budget_type", "amount"],
    )
    fit = budget_shortfall(yearly, budgets)
    rows = [
        {
            "fiscal_year": int(r.fiscal_year),
            "budget_type": r.budget_type,
            "required": Decimal(str(r.required)).quantize(Decimal("0.01")),
            "budget": Decimal(str(r.budget)).quantize(Decimal("0.01")),
            "shortfall": Decimal(str(r.shortfall)).quantize(Decimal("0.01")),
        }
        for r in fit.itertuples(index=False)
    ]
    return {"rows": rows, "shortfall": sum((r["shortfall"] for r in rows), Decimal("0"))}


def award_recommend(*, tender: Tender, actor, comment: str = "") -> AwardDecision:
    """The lead official recommends the top-ranked compliant proposal of the final report."""
    if not is_lead_official(user=actor, tender=tender):
        raise _refuse(_("Only officials of the lead department recommend the award."))
    with transaction.atomic():
        locked = Tender.objects.select_for_update().get(pk=tender.pk)
        evaluation = Evaluation.objects.filter(tender=locked).first()
        if evaluation is None or evaluation.status != Evaluation.Status.FINAL:
            raise _refuse(_("The evaluation report is not final yet."))
        if locked.status != Tender.Status.PUBLISHED:
            raise _refuse(
                # Translators: the tender's status follows "A", e.g. "A draft tender cannot be awarded."
                _("A %(status)s tender cannot be awarded.") % {"status": locked.get_status_display().lower()}
            )
        existing = AwardDecision.objects.filter(tender=locked).first()
        if existing is not None and existing.status != AwardDecision.Status.CANCELLED:
            raise _refuse(_("An award has already been recommended."))
        top = (
            evaluation.scores.filter(compliant=True, rank=1).select_related("proposal__organisation").first()
        )
        if top is None:
            raise _refuse(_("No compliant proposal: nothing to award."))
        decision = existing or AwardDecision(tender=locked)
        decision.proposal = top.proposal
        decision.status = AwardDecision.Status.RECOMMENDED
        decision.recommended_by = actor
        decision.recommended_at = timezone.now()
        decision.save()
        TenderEvent.objects.create(
            tender=locked,
            actor=actor,
            action="award_recommend",
            comment=f"{top.proposal.organisation.name} (rank 1, total {top.total})"
            + (f": {comment}" if comment else ""),
        )
    return decision


def award_approve(*, tender: Tender, actor, override_reason: str = "") -> AwardDecision:
    """Finance approves the recommended award if the winner's yearly payments fit the pooled budget, or with a
    reasoned override. Writes the `award` release (awards[], supplier, value, bids.details) and starts the
    standstill. The person who recommended cannot approve (four-eyes)."""
    from procurement.services.tenders import tender_transition

    if not is_finance_for(user=actor, tender=tender):
        raise _refuse(_("Only finance staff of the tender approve the award."))
    reason = (override_reason or "").strip()
    with transaction.atomic():
        locked = Tender.objects.select_for_update().get(pk=tender.pk)
        decision = AwardDecision.objects.select_for_update().filter(tender=locked).first()
        if decision is None or decision.status != AwardDecision.Status.RECOMMENDED:
            raise _refuse(_("There is no recommended award to approve."))
        if decision.recommended_by_id == actor.pk:
            raise _refuse(_("Four-eyes: the person who recommended the award cannot approve it."))
        score = ProposalScore.objects.get(evaluation__tender=locked, proposal=decision.proposal)
        fit = award_budget_fit(tender=locked, score=score)
        if fit["shortfall"] > 0 and not reason:
            short = "; ".join(
                _("%(year)s %(budget_type)s: short by %(amount)s")
                % {"year": r["fiscal_year"], "budget_type": r["budget_type"], "amount": money(r["shortfall"])}
                for r in fit["rows"]
                if r["shortfall"] > 0
            )
            raise _refuse(
                _(
                    "The winner's yearly payments do not fit the pooled budget (%(shortfall)s). Get more "
                    "contributions approved, or approve with a reasoned override."
                )
                % {"shortfall": short},
                "override_reason",
            )
        now = timezone.now()
        requirements = requirements_for(tender=locked)
        decision.status = AwardDecision.Status.APPROVED
        decision.approved_by = actor
        decision.approved_at = now
        decision.override_reason = reason if fit["shortfall"] > 0 else ""
        decision.budget_shortfall = fit["shortfall"]
        decision.standstill_ends_at = now + datetime.timedelta(days=requirements.standstill_days)
        decision.save()
        tender_transition(
            tender=locked,
            action="award",
            actor=actor,
            comment=f"Award to {decision.proposal.organisation.name}"
            + (f"; budget override: {reason}" if decision.override_reason else ""),
            award_supplier_name=decision.proposal.organisation.name,
            award_value=score.partner_payments
            if score.partner_payments and score.partner_payments > 0
            else score.npv,
            award_date=timezone.localdate(now),
        )
    return decision


def contract_sign(
    *,
    tender: Tender,
    actor,
    now: datetime.datetime | None = None,
    contract_start: datetime.date | None = None,
    period_length: str = "yearly",
    first_budget_year: int | None = None,
) -> AwardDecision:
    """Sign the contract after the standstill (lead official or finance): the `contract` release."""
    from procurement.services.tenders import tender_transition

    with transaction.atomic():
        locked = Tender.objects.select_for_update().get(pk=tender.pk)
        decision = AwardDecision.objects.select_for_update().filter(tender=locked).first()
        if decision is None or decision.status != AwardDecision.Status.APPROVED:
            raise _refuse(_("There is no approved award to sign."))
        now = now or timezone.now()
        if now < decision.standstill_ends_at:
            raise _refuse(
                _("The standstill runs until %(until)s; the contract is signed after it.")
                % {"until": f"{timezone.localtime(decision.standstill_ends_at):%Y-%m-%d %H:%M}"}
            )
        decision.status = AwardDecision.Status.SIGNED
        decision.signed_by = actor
        decision.signed_at = now
        decision.save()
        tender_transition(tender=locked, action="sign", actor=actor, comment="Contract signed")
        # The contract that pays on outcomes (DESIGN §13) is frozen from the winning proposal now.
        from procurement.contracts.services import contract_create_from_award

        contract_create_from_award(
            decision=decision,
            actor=actor,
            start_date=contract_start,
            period_length=period_length,
            first_budget_year=first_budget_year,
        )
    return decision


def tender_cancel_with_reason(*, tender: Tender, actor, reason: str) -> Tender:
    """Cancel until signature, always with a reason (published as a `tenderUpdate` release)."""
    from procurement.services.tenders import tender_transition

    text = (reason or "").strip()
    if not text:
        raise _refuse(_("Give the reason for the cancellation."), "reason")
    with transaction.atomic():
        AwardDecision.objects.filter(tender=tender).exclude(status=AwardDecision.Status.SIGNED).update(
            status=AwardDecision.Status.CANCELLED
        )
        return tender_transition(tender=tender, action="cancel", actor=actor, comment=text)


def may_recommend(*, user, tender: Tender) -> bool:
    return is_lead_official(user=user, tender=tender)
