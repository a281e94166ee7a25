"""Demo city, proposals step: the published demo tender takes proposals, three partners answer it (one per
financing model), the deadline passes, two city users open the box, the engine prices, tina scores and
finalises, and finance approves the award. Only the real services are used. Idempotent (skips a tender that
already asks for proposals).

Partner people (demo mode): pat (Bright Streets Ltd) and cora (Civic Energy Partners), password as the other
demo users. The deadline is set a few seconds ahead and the step waits for it to pass: the services accept
nothing late, so the demo lives through the same clock as everyone else.
"""

from __future__ import annotations

import datetime
import time
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from procurement.models import PartnerOrganisation, Tender
from procurement.proposals.award import award_approve, award_recommend
from procurement.proposals.evaluation import (
    ScoreInput,
    evaluation_finalise,
    evaluation_start,
    evaluator_declare,
    quality_scores_submit,
)
from procurement.proposals.exceptions import AwardRefused, ProposalError
from procurement.proposals.models import QualityCriterion, TenderRequirements
from procurement.proposals.services import (
    CriterionInput,
    RequirementsInput,
    partner_member_add,
    proposal_submit,
    proposals_open,
    tender_requirements_set,
)
from procurement.publication.selectors import tender_list_published

PARTNERS = [
    ("Bright Streets Ltd", "pat", "Pat", "Partner"),
    ("Civic Energy Partners", "cora", "Cora", "Civic"),
    ("Lumen Services", None, "", ""),
]
WAIT_SECONDS = 3


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


def _partner(name, username, first, last):
    from departments.demo import DEMO_PASSWORD

    organisation, _ = PartnerOrganisation.objects.get_or_create(
        name=name, defaults={"contact_email": "bids@partner.example"}
    )
    if username and _user(username) is None:
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user(username=username, first_name=first, last_name=last)
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        partner_member_add(organisation=organisation, user=user)
    return organisation


def _figures(tender: Tender) -> dict[str, Decimal]:
    from departments.models import Asset

    totals = Asset.objects.filter(tender_links__tender=tender).aggregate(
        cost=Sum("category__upgrade_unit_cost"),
        running=Sum(F("category__upgrade_maintenance_cost") + F("category__upgrade_energy_cost")),
    )
    cost = totals["cost"] or Decimal("100000")
    running = totals["running"] or Decimal("5000")
    term = tender.contract_term_years
    rate = Decimal("0.07")
    annuity = cost * rate / (1 - (1 + rate) ** -term) / (1 + rate)
    return {
        "cost": cost.quantize(Decimal("0.01")),
        "running": running,
        "annuity": annuity.quantize(Decimal("0.01")),
    }


def load(*, log) -> None:
    tina, fiona = _user("tina"), _user("fiona")
    tender = tender_list_published().filter(status=Tender.Status.PUBLISHED).order_by("published_at").first()
    if tender is None or tina is None or fiona is None:
        log("skipped: no published demo tender (or tina/fiona missing)")
        return
    if TenderRequirements.objects.filter(tender=tender).exists():
        log(f"{tender.reference} already takes proposals: nothing to do")
        return
    try:
        with transaction.atomic():
            _run(tender=tender, tina=tina, fiona=fiona, log=log)
    except ProposalError as reason:
        log(f"skipped: {reason}")


def _run(*, tender: Tender, tina, fiona, log) -> None:
    now = timezone.now()
    deadline = now + datetime.timedelta(seconds=WAIT_SECONDS)
    asks = {
        "proposal_deadline": deadline,
        "clarification_deadline": deadline,
        "accepted_models": ["capex", "opex_service", "shared_savings"],
        "minimum_at_risk_share": Decimal("0.2"),
        "price_weight": Decimal("50"),
        "outcome_weight": Decimal("30"),
        "standstill_days": 10,
        "quality_criteria": [
            CriterionInput(
                "Service and maintenance plan", Decimal("20"), "0: none; 5: credible; 10: proven elsewhere"
            )
        ],
    }
    tender_requirements_set(tender=tender, data=RequirementsInput(**asks), actor=tina)
    organisations = [_partner(*row) for row in PARTNERS]
    figures = _figures(tender)
    targets = list(tender.targeted_outcomes.select_related("indicator"))

    def commitments(better: Decimal):
        rows = []
        for t in targets:
            gap = abs(t.target_value - t.indicator.baseline_value) * better
            value = t.target_value - gap if t.indicator.direction == "lower" else t.target_value + gap
            rows.append(
                {"indicator_id": t.indicator_id, "committed_value": f"{value.quantize(Decimal('0.01')):f}"}
            )
        return rows

    offers = [
        {
            "financing_model": "opex_service",
            "figures": {
                "financing_charge": f"{figures['annuity']:f}",
                "operation_fee": f"{figures['running'] * Decimal('1.08'):.2f}",
            },
            "at_risk_share": "0.3",
            "targets": commitments(Decimal("0.2")),
            "summary": "Shelters, lights and cameras renewed and run as one service; 30 % of the fee on outcomes.",
        },
        {
            "financing_model": "capex",
            "figures": {
                "purchase_price": f"{figures['cost'] * Decimal('1.12'):.2f}",
                "running_cost": f"{figures['running']:.2f}",
            },
            "at_risk_share": "0.2",
            "targets": commitments(Decimal("0")),
            "summary": "Turnkey purchase with a guaranteed running cost.",
        },
        {
            "financing_model": "shared_savings",
            "figures": {"savings_share": "0.6"},
            "at_risk_share": "0.2",
            "targets": commitments(Decimal("0.1")),
            "summary": "We finance everything and take 60 % of the savings.",
        },
    ]
    for organisation, offer in zip(organisations, offers, strict=True):
        proposal_submit(tender=tender, organisation=organisation, content=offer)
    # An amendment before the deadline stops accepting shared savings: that proposal becomes non-compliant.
    tender_requirements_set(
        tender=tender,
        data=RequirementsInput(**(asks | {"accepted_models": ["capex", "opex_service"]})),
        actor=tina,
    )
    log(f"{tender.reference}: 3 proposals received (OpEx, CapEx, shared savings); waiting for the deadline")
    time.sleep(max(0.0, (deadline - timezone.now()).total_seconds()) + 0.1)
    proposals_open(tender=tender, actor=tina)
    proposals_open(tender=tender, actor=fiona)
    evaluation = evaluation_start(tender=tender, actor=tina, evaluators=[tina], enqueue=False)
    from procurement.proposals.evaluation import evaluation_price

    evaluation = evaluation_price(evaluation.pk)
    criteria = list(QualityCriterion.objects.filter(tender=tender))
    evaluator_declare(
        evaluation=evaluation, actor=tina, statement="I have no conflict of interest with any bidder."
    )
    points = dict(
        zip(
            evaluation.scores.filter(compliant=True).order_by("id").values_list("proposal_id", flat=True),
            (8, 6),
            strict=False,
        )
    )
    quality_scores_submit(
        evaluation=evaluation,
        actor=tina,
        scores=[
            ScoreInput(pid, c.pk, value, "Demo: judged against the scoring guide")
            for pid, value in points.items()
            for c in criteria
        ],
    )
    evaluation_finalise(evaluation=evaluation, actor=tina)
    decision = award_recommend(tender=tender, actor=tina)
    try:
        award_approve(tender=tender, actor=fiona)
    except AwardRefused:
        award_approve(
            tender=tender,
            actor=fiona,
            override_reason="Demo: the remaining years are covered by the next budget plan.",
        )
    log(
        f"{tender.reference}: opened by tina and fiona, evaluated, awarded to {decision.proposal.organisation.name}"
    )
