"""Demo city step: the awarded demo tender's contract with two past periods. Idempotent; all through services.

The proposals step leaves the demo tender awarded, in its standstill. This step signs it at the end of the
standstill (the service's clock argument) with a quarterly contract that started two quarters ago — so that its
first two quarters are past and can be measured — paid from the demo budgets' first year (2027,
finance.demo_budgets.FIRST_YEAR, the only year the demo pooled OpEx for: `first_budget_year`). It then plays
both quarters as of five days after their end (the services' `today` argument): quarter 1 fully reported,
verified, approved by two finance users and paid; quarter 2 with one rejected measurement — a deduction —
approved.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from outcomes.selectors import can_record_measurements
from procurement.contracts import services
from procurement.contracts.exceptions import ContractError
from procurement.contracts.models import Contract, PaymentCertificate
from procurement.exceptions import TenderError

CITY_OFFICIALS = ["tina", "luc", "sam", "paula"]  # whoever of them may record the outcome verifies
FINANCE = ["fiona", "theo"]


def load(*, log) -> None:
    from finance.demo_budgets import FIRST_YEAR
    from procurement.proposals.models import AwardDecision

    decision = (
        AwardDecision.objects.filter(status__in=[AwardDecision.Status.APPROVED, AwardDecision.Status.SIGNED])
        .select_related("tender", "proposal__organisation")
        .order_by("id")
        .first()
    )
    if decision is None:
        log("skipped: no awarded demo tender (run procurement.proposals.demo first)")
        return
    if Contract.objects.filter(tender=decision.tender).exists():
        log(f"{decision.tender.reference} already has its contract: nothing to do")
        return
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=CITY_OFFICIALS + FINANCE + ["pat", "cora"])
    }
    if "tina" not in users or not all(name in users for name in FINANCE):
        log("skipped: demo users tina, fiona and theo are needed")
        return
    try:
        with transaction.atomic():
            _run(decision=decision, users=users, start=_two_quarters_ago(), budget_year=FIRST_YEAR, log=log)
    except (ContractError, TenderError) as reason:
        log(f"skipped: {reason}")


def _reviewer(users, outcome, reporter):
    for name in CITY_OFFICIALS:
        user = users.get(name)
        if user is not None and user != reporter and can_record_measurements(user=user, outcome=outcome):
            return user
    raise ContractError(f"no demo official records the measurements of “{outcome.title}”")


def _play_period(
    *, contract, number, users, reporter, reject: set[int], paid: bool, log
) -> PaymentCertificate:
    period = contract.periods.get(number=number)
    as_of = period.end_date + datetime.timedelta(days=5)
    if period.status == period.Status.UPCOMING:
        period.status = period.Status.OPEN  # what the beat task does once the quarter has ended
        period.save(update_fields=["status"])
    values = {}
    for line in contract.indicators.select_related("indicator"):
        # Delivered: the committed target itself (achievement 1), clipped to the indicator's range.
        low, high = line.indicator.valid_range()
        value = line.committed_value
        value = max(value, low) if low is not None else value
        value = min(value, high) if high is not None else value
        values[line.indicator_id] = f"{value.normalize():f}"
    quarter = Decimal("0.25")
    report = services.report_submit(
        period=period,
        organisation=contract.organisation,
        measurements=values,
        actual_maintenance=f"{contract.baseline_maintenance * quarter * Decimal('0.7'):.2f}",
        actual_energy=f"{contract.baseline_energy * quarter * Decimal('0.6'):.2f}",
        documents=[services.EvidenceUpload("meter-readings.csv", b"meter,kwh\nM-1,1200\n", "Meter readings")],
        note="Demo report",
        user=reporter,
        today=as_of,
    )
    for line in report.measurements.select_related("contract_indicator__indicator__outcome"):
        indicator = line.contract_indicator.indicator
        rejected = indicator.pk in reject
        services.measurement_review(
            line=line,
            actor=_reviewer(users, indicator.outcome, reporter),
            verified=not rejected,
            reason="Camera logs for March are missing; the figure cannot be checked." if rejected else "",
        )
    services.costs_review(report=report, actor=users["tina"], verified=True)
    certificate = PaymentCertificate.objects.get(period=period)
    services.certificate_approve(certificate=certificate, actor=users["fiona"])
    certificate = services.certificate_approve(certificate=certificate, actor=users["theo"])
    if paid:
        certificate = services.certificate_mark_paid(
            certificate=certificate, actor=users["fiona"], paid_on=timezone.localdate()
        )
    log(
        f"{contract.reference} period {number}: payable {certificate.total_payable:,.2f}, deductions "
        f"{certificate.deductions_total:,.2f} ({certificate.get_status_display()})"
    )
    return certificate


def _two_quarters_ago() -> datetime.date:
    today = timezone.localdate()
    quarter_start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    month = quarter_start.month - 6
    return datetime.date(quarter_start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def _run(*, decision, users, start: datetime.date, budget_year: int, log) -> None:
    from procurement.proposals.award import contract_sign

    tender = decision.tender
    if decision.status != decision.Status.SIGNED:
        contract_sign(
            tender=tender,
            actor=users["tina"],
            now=decision.standstill_ends_at,
            contract_start=start,
            period_length=Contract.PeriodLength.QUARTERLY,
            first_budget_year=budget_year,
        )
    contract = Contract.objects.get(tender=tender)
    log(f"{tender.reference}: contract {contract.reference} signed with {contract.organisation.name}")
    reporter = next(
        (u for name, u in users.items() if name in ("pat", "cora") and hasattr(u, "partner_membership")
         and u.partner_membership.organisation_id == contract.organisation_id),
        None,
    )  # fmt: skip
    _play_period(
        contract=contract, number=1, users=users, reporter=reporter, reject=set(), paid=True, log=log
    )
    first_indicator = contract.indicators.order_by("id").first()
    _play_period(
        contract=contract,
        number=2,
        users=users,
        reporter=reporter,
        reject={first_indicator.indicator_id},
        paid=False,
        log=log,
    )
