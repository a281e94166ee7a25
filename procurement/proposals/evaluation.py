"""Writes of the evaluation (DESIGN §12): start (compliance + the engine's price job), evaluators and their
quality scores, the final report (totals, ranking, tie-break).

The price job runs on the `scenarios` queue like scenario runs: late acknowledgement, reject on worker loss,
retries of transient database errors, idempotent (a priced evaluation is never priced again), results written
in one transaction.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import Membership
from procurement.models import Tender, TenderEvent
from procurement.proposals.exceptions import EvaluationRefused
from procurement.proposals.models import (
    Evaluation,
    Evaluator,
    ProposalScore,
    QualityCriterion,
    QualityScore,
)
from procurement.proposals.selectors import (
    all_quality_scores_in,
    box_is_open,
    proposal_contents_for_evaluation,
    requirements_for,
)
from procurement.selectors.tenders import is_lead_official

SCORE_PLACES = Decimal("0.001")
CENT = Decimal("0.01")
MAX_REASON_CHARS = 2000


def _score(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(SCORE_PLACES, rounding=ROUND_HALF_EVEN)


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_EVEN)


def _event(*, tender: Tender, actor, action: str, comment: str = "") -> None:
    TenderEvent.objects.create(tender=tender, actor=actor, action=action, comment=comment)


def _refuse(message: str) -> EvaluationRefused:
    return EvaluationRefused(message, errors={"__all__": [message]})


# --- Compliance ---------------------------------------------------------------------------------------------


def compliance_problems(*, tender: Tender, content: dict[str, Any]) -> list[str]:
    """DESIGN §12: model accepted, φ ≥ minimum, every committed target at least the tender's (as of now: an
    amendment may have changed what the tender asks after the proposal arrived).

    The sentences are stored in English (ProposalScore.compliance_problems) and translated when shown
    (`procurement.proposals.display`): keep the two in step."""
    requirements = requirements_for(tender=tender)
    problems = []
    if content.get("financing_model") not in requirements.accepted_models:
        problems.append(f"Financing model {content.get('financing_model')} is not accepted by the tender.")
    phi = Decimal(content.get("at_risk_share") or "0")
    if phi < requirements.minimum_at_risk_share:
        problems.append(f"At-risk share {phi:f} is below the minimum {requirements.minimum_at_risk_share:f}.")
    committed = {row["indicator_id"]: Decimal(row["committed_value"]) for row in content.get("targets", [])}
    for target in tender.targeted_outcomes.select_related("indicator"):
        value = committed.get(target.indicator_id)
        if value is None:
            problems.append(f"No commitment for {target.indicator.name}.")
            continue
        lower = target.indicator.direction == "lower"
        if (value > target.target_value) if lower else (value < target.target_value):
            problems.append(f"The commitment for {target.indicator.name} is worse than the tender's target.")
    return problems


# --- Start ----------------------------------------------------------------------------------------------------


def evaluation_start(
    *, tender: Tender, actor, evaluators: list | None = None, enqueue: bool = True
) -> Evaluation:
    """Start evaluating an opened box (lead official): compliance of each standing proposal now, the price job
    queued on commit, evaluators named (officials of the lead department)."""
    if not is_lead_official(user=actor, tender=tender):
        raise _refuse(_("Only officials of the lead department start the evaluation."))
    with transaction.atomic():
        locked = Tender.objects.select_for_update().get(pk=tender.pk)
        if not box_is_open(tender=locked):
            raise _refuse(_("The proposals have not been opened by two city users after the deadline."))
        if Evaluation.objects.filter(tender=locked).exists():
            raise _refuse(_("The evaluation of this tender has already started."))
        contents = proposal_contents_for_evaluation(tender=locked)
        evaluation = Evaluation.objects.create(tender=locked, started_by=actor)
        ProposalScore.objects.bulk_create(
            [
                ProposalScore(
                    evaluation=evaluation,
                    proposal_id=proposal_id,
                    version=version,
                    compliant=not (problems := compliance_problems(tender=locked, content=content)),
                    compliance_problems=problems,
                )
                for proposal_id, (version, content) in sorted(contents.items())
            ]
        )
        for user in evaluators or []:
            _evaluator_add(evaluation=evaluation, user=user, actor=actor)
        _event(tender=locked, actor=actor, action="evaluation_start", comment=f"{len(contents)} proposal(s)")
        if enqueue:
            evaluation_id = evaluation.pk
            transaction.on_commit(lambda: evaluation_enqueue(evaluation_id=evaluation_id))
    return evaluation


def evaluation_enqueue(*, evaluation_id: int) -> None:
    from procurement.proposals.tasks import price_proposals_job

    price_proposals_job.delay(evaluation_id)


def _evaluator_add(*, evaluation: Evaluation, user, actor) -> Evaluator:
    tender = evaluation.tender
    if not Membership.objects.filter(
        user=user, department_id=tender.lead_department_id, role=Membership.Role.OFFICIAL
    ).exists():
        raise _refuse(
            _("%(person)s is not an official of the lead department.")
            % {"person": user.get_full_name() or user.username}
        )
    evaluator, _created = Evaluator.objects.get_or_create(
        evaluation=evaluation, user=user, defaults={"named_by": actor}
    )
    return evaluator


def evaluator_name(*, evaluation: Evaluation, user, actor) -> Evaluator:
    """Name an evaluator (lead official), while quality scoring is not final."""
    if not is_lead_official(user=actor, tender=evaluation.tender):
        raise _refuse(_("Only officials of the lead department name evaluators."))
    with transaction.atomic():
        locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if locked.status == Evaluation.Status.FINAL:
            raise _refuse(_("The evaluation report is final."))
        evaluator = _evaluator_add(evaluation=locked, user=user, actor=actor)
        _event(tender=locked.tender, actor=actor, action="evaluator_named", comment=user.username)
    return evaluator


# --- The price job (engine) ------------------------------------------------------------------------------------


def _offers_frame(contents: dict[int, tuple[Any, dict[str, Any]]], compliant: set[int]) -> pd.DataFrame:
    from finance.engine.proposals import OFFER_COLUMNS

    rows = []
    for proposal_id in sorted(compliant):
        content = contents[proposal_id][1]
        figures = content["figures"]
        rows.append(
            {
                "proposal_id": proposal_id,
                "financing_model": content["financing_model"],
                **{name: float(figures.get(name) or 0) for name in OFFER_COLUMNS[2:-1]},
                "at_risk_share": float(content["at_risk_share"]),
            }
        )
    return pd.DataFrame.from_records(rows, columns=list(OFFER_COLUMNS))


def _outcome_scores(
    *, tender: Tender, contents: dict[int, tuple[Any, dict[str, Any]]], ids: list[int]
) -> dict[int, float]:
    """Σ weight × stretch × 100 (weights: the tender's outcome payment weights, equal when none are set)."""
    from finance.engine.proposals import outcome_stretch

    targets = list(tender.targeted_outcomes.select_related("indicator").order_by("indicator_id"))
    if not targets or not ids:
        return dict.fromkeys(ids, 0.0)
    weights = np.array([float(t.payment_weight) if t.payment_weight is not None else 1.0 for t in targets])
    weights = weights / weights.sum()
    committed = np.array(
        [
            [
                float(
                    {r["indicator_id"]: r["committed_value"] for r in contents[pid][1]["targets"]}.get(
                        t.indicator_id, t.target_value
                    )
                )
                for t in targets
            ]
            for pid in ids
        ]
    )
    stretch = outcome_stretch(
        committed,
        np.array([float(t.target_value) for t in targets]),
        np.array([float(t.indicator.baseline_value) for t in targets]),
        np.array([t.indicator.direction == "higher" for t in targets]),
    )
    return dict(zip(ids, (stretch @ weights * 100.0).tolist(), strict=True))


def evaluation_price(evaluation_id: int) -> Evaluation:
    """The job: price every compliant proposal with the engine (one batched call), score price and outcomes,
    store everything in one transaction. Idempotent: an evaluation already priced is left as it is."""
    from finance.engine import EngineError
    from finance.engine.proposals import price_proposals, price_scores
    from finance.services.scenarios import engine_frames, input_hash, scenario_inputs_snapshot

    with transaction.atomic():
        # Lock the evaluation row: a redelivered message waits here and then finds it priced.
        evaluation = Evaluation.objects.select_for_update().select_related("tender").get(pk=evaluation_id)
        if evaluation.status != Evaluation.Status.PRICING:
            return evaluation
        evaluation.attempts += 1
        tender = evaluation.tender
        contents = proposal_contents_for_evaluation(tender=tender)
        scores = {s.proposal_id: s for s in evaluation.scores.all()}
        compliant = {pid for pid, s in scores.items() if s.compliant and pid in contents}
        snapshot = scenario_inputs_snapshot(tender=tender)
        offers = _offers_frame(contents, compliant)
        evaluation.input_hash = input_hash({"inputs": snapshot, "offers": offers.to_dict("records")})
        if compliant:
            frames = engine_frames(snapshot)
            try:
                result = price_proposals(frames["assets"], frames["catalogue"], frames["assumptions"], offers)
            except EngineError as exc:
                evaluation.status = Evaluation.Status.FAILED
                evaluation.error_message = "\n".join(exc.problems)
                evaluation.save(update_fields=["status", "error_message", "attempts", "input_hash"])
                return evaluation
            prices = result.prices.set_index("proposal_id")
            price_score = dict(zip(prices.index, price_scores(prices["npv_cost"].to_numpy()), strict=True))
            yearly = defaultdict(list)
            for pid, year, btype, amount in result.yearly.itertuples(index=False, name=None):
                yearly[pid].append(
                    {"fiscal_year": int(year), "budget_type": btype, "amount": str(_money(amount))}
                )
            outcome = _outcome_scores(tender=tender, contents=contents, ids=sorted(compliant))
            for pid in compliant:
                row = scores[pid]
                row.npv = _money(prices.at[pid, "npv_cost"])
                row.partner_payments = _money(prices.at[pid, "partner_payments"])
                row.yearly_payments = yearly[pid]
                row.price_score = _score(price_score[pid])
                row.outcome_score = _score(outcome[pid])
            ProposalScore.objects.bulk_update(
                [scores[pid] for pid in compliant],
                ["npv", "partner_payments", "yearly_payments", "price_score", "outcome_score"],
            )
        evaluation.status = Evaluation.Status.SCORING
        evaluation.priced_at = timezone.now()
        evaluation.error_message = ""
        evaluation.save(update_fields=["status", "priced_at", "error_message", "attempts", "input_hash"])
        _event(tender=tender, actor=None, action="evaluation_priced", comment=f"{len(compliant)} priced")
    return evaluation


def evaluation_mark_failed(*, evaluation_id: int, message: str) -> None:
    Evaluation.objects.filter(pk=evaluation_id, status=Evaluation.Status.PRICING).update(
        status=Evaluation.Status.FAILED, error_message=message
    )


def evaluations_requeue_stuck(*, now=None) -> list[int]:
    """Re-queue price jobs still pricing past their deadline (a lost message, a vanished worker), like the
    scenario runs' reaper. Safe twice: the job locks the row and skips an evaluation that is already priced.
    Deadline: SCENARIO_RUN_RUNNING_DEADLINE (default 960 s, past the task's hard time limit)."""
    from django.conf import settings

    now = now or timezone.now()
    after = datetime.timedelta(seconds=getattr(settings, "SCENARIO_RUN_RUNNING_DEADLINE", 960))
    stuck = list(
        Evaluation.objects.filter(status=Evaluation.Status.PRICING, started_at__lt=now - after).values_list(
            "pk", flat=True
        )
    )
    for evaluation_id in stuck:
        evaluation_enqueue(evaluation_id=evaluation_id)
    return stuck


def evaluation_retry(*, evaluation: Evaluation, actor) -> Evaluation:
    """A failed price job can be queued again by the lead official (after the cause is fixed)."""
    if not is_lead_official(user=actor, tender=evaluation.tender):
        raise _refuse(_("Only officials of the lead department restart the price job."))
    with transaction.atomic():
        updated = Evaluation.objects.filter(pk=evaluation.pk, status=Evaluation.Status.FAILED).update(
            status=Evaluation.Status.PRICING, error_message=""
        )
        if not updated:
            raise _refuse(_("Only a failed price job can be restarted."))
        transaction.on_commit(lambda: evaluation_enqueue(evaluation_id=evaluation.pk))
    evaluation.refresh_from_db()
    return evaluation


# --- Quality --------------------------------------------------------------------------------------------------


def evaluator_declare(*, evaluation: Evaluation, actor, statement: str) -> Evaluator:
    """An evaluator declares no conflict of interest with any bidder (required before scoring)."""
    text = (statement or "").strip()
    if not text:
        raise _refuse(_("Write the declaration (e.g. “I have no conflict of interest with any bidder.”)."))
    with transaction.atomic():
        evaluator = Evaluator.objects.select_for_update().filter(evaluation=evaluation, user=actor).first()
        if evaluator is None:
            raise _refuse(_("You are not an evaluator of this tender."))
        if evaluator.no_conflict_declared_at is not None:
            raise _refuse(_("You have already declared."))
        evaluator.no_conflict_declared_at = timezone.now()
        evaluator.declaration = text[:MAX_REASON_CHARS]
        evaluator.save(update_fields=["no_conflict_declared_at", "declaration"])
        _event(tender=evaluation.tender, actor=actor, action="no_conflict_declared")
    return evaluator


@dataclass(frozen=True)
class ScoreInput:
    proposal_id: int
    criterion_id: int
    points: int | None
    reason: str


def quality_scores_submit(*, evaluation: Evaluation, actor, scores: list[ScoreInput]) -> list[QualityScore]:
    """An evaluator's scores: every compliant proposal × every quality criterion, 0–10 with a reason, all at
    once and once only. Every problem is listed; nothing is saved from a refused submission."""
    with transaction.atomic():
        # Lock the evaluation: finalising while someone submits must not produce a report without their scores.
        locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        evaluator = Evaluator.objects.select_for_update().filter(evaluation=locked, user=actor).first()
        if evaluator is None:
            raise _refuse(_("You are not an evaluator of this tender."))
        if locked.status == Evaluation.Status.FINAL:
            raise _refuse(_("The evaluation report is final: scores can no longer be given."))
        if evaluator.no_conflict_declared_at is None:
            raise _refuse(_("Declare that you have no conflict of interest before scoring."))
        if evaluator.scores_submitted_at is not None:
            raise _refuse(_("You have already scored; scores are given once."))
        criteria = {c.pk: c for c in QualityCriterion.objects.filter(tender=locked.tender)}
        proposals = set(locked.scores.filter(compliant=True).values_list("proposal_id", flat=True))
        errors: dict[str, list[str]] = {}
        given: dict[tuple[int, int], ScoreInput] = {}
        for item in scores:
            key = f"score-{item.proposal_id}-{item.criterion_id}"
            if item.proposal_id not in proposals or item.criterion_id not in criteria:
                errors.setdefault("__all__", []).append(
                    _("A score refers to a proposal or criterion not evaluated here.")
                )
                continue
            if item.points is None or not 0 <= item.points <= 10:
                errors.setdefault(key, []).append(_("Give 0 to 10 points."))
            if not (item.reason or "").strip():
                errors.setdefault(key, []).append(_("Give a reason for the score."))
            elif len(item.reason) > MAX_REASON_CHARS:
                errors.setdefault(key, []).append(
                    _("At most %(count)s characters.") % {"count": MAX_REASON_CHARS}
                )
            given[(item.proposal_id, item.criterion_id)] = item
        for pid in sorted(proposals):
            for cid in criteria:
                if (pid, cid) not in given:
                    errors.setdefault(f"score-{pid}-{cid}", []).append(
                        _("Score every proposal on every criterion.")
                    )
        if errors:
            raise EvaluationRefused(_("The scores were not saved."), errors=errors)
        created = QualityScore.objects.bulk_create(
            [
                QualityScore(
                    evaluator=evaluator,
                    proposal_id=item.proposal_id,
                    criterion_id=item.criterion_id,
                    points=item.points,
                    reason=item.reason.strip(),
                )
                for item in given.values()
            ]
        )
        evaluator.scores_submitted_at = timezone.now()
        evaluator.save(update_fields=["scores_submitted_at"])
        _event(tender=locked.tender, actor=actor, action="quality_scored")
    return created


# --- Final report ------------------------------------------------------------------------------------------------


def evaluation_finalise(*, evaluation: Evaluation, actor) -> Evaluation:
    """Totals and ranking (lead official): Σ weight × score / 100; ties go to the lower NPV. Final after this."""
    tender = evaluation.tender
    if not is_lead_official(user=actor, tender=tender):
        raise _refuse(_("Only officials of the lead department finalise the evaluation."))
    with transaction.atomic():
        locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
        if locked.status == Evaluation.Status.FINAL:
            raise _refuse(_("The evaluation report is already final."))
        if locked.status != Evaluation.Status.SCORING:
            raise _refuse(_("The engine has not priced the proposals yet."))
        criteria = list(QualityCriterion.objects.filter(tender=tender))
        if criteria and not all_quality_scores_in(evaluation=locked):
            raise _refuse(
                _("Every named evaluator must score before the report is final (and at least one).")
            )
        requirements = requirements_for(tender=tender)
        points: dict[tuple[int, int], list[int]] = defaultdict(list)
        for pid, cid, value in QualityScore.objects.filter(evaluator__evaluation=locked).values_list(
            "proposal_id", "criterion_id", "points"
        ):
            points[(pid, cid)].append(value)
        rows = list(locked.scores.all())
        for row in rows:
            if not row.compliant:
                continue
            quality_weighted = Decimal("0")
            quality_weight = Decimal("0")
            for criterion in criteria:
                values = points.get((row.proposal_id, criterion.pk), [])
                criterion_score = Decimal(sum(values)) / len(values) * 10 if values else Decimal("0")
                quality_weighted += criterion.weight * criterion_score
                quality_weight += criterion.weight
            row.quality_score = _score(quality_weighted / quality_weight) if quality_weight else None
            row.total = _score(
                (
                    requirements.price_weight * (row.price_score or 0)
                    + requirements.outcome_weight * (row.outcome_score or 0)
                    + quality_weighted
                )
                / 100
            )
        ranked = sorted((r for r in rows if r.compliant), key=lambda r: (-r.total, r.npv, r.pk))
        for position, row in enumerate(ranked, start=1):
            row.rank = position
        ProposalScore.objects.bulk_update(rows, ["quality_score", "total", "rank"])
        locked.status = Evaluation.Status.FINAL
        locked.finalised_by = actor
        locked.finalised_at = timezone.now()
        locked.save(update_fields=["status", "finalised_by", "finalised_at"])
        _event(tender=tender, actor=actor, action="evaluation_final", comment=f"{len(ranked)} ranked")
    return locked
