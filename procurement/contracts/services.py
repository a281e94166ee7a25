"""Writes of contracts (DESIGN §13): creation at signature, periods, partner reports, review, certificates,
approval and payment, inflation. One transaction per state change, a ContractEvent for each.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.contracts import certificate as calc
from procurement.contracts.display import certificate_error_display
from procurement.contracts.exceptions import (
    CertificateRefused,
    InflationRefused,
    NotYourContract,
    ReportInvalid,
    ReportRefused,
    ReviewRefused,
)
from procurement.contracts.models import (
    Contract,
    ContractEvent,
    ContractIndicator,
    InflationRate,
    PaymentCertificate,
    PerformancePeriod,
    PeriodReport,
    ReportDocument,
    ReportMeasurement,
)
from procurement.models import PartnerOrganisation, Tender

LineStatus = PeriodReport.LineStatus
PeriodStatus = PerformancePeriod.Status
CertStatus = PaymentCertificate.Status

MAX_DOCUMENTS = 10
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_COST = Decimal("1000000000")
# Certificates are paid from the OpEx contributions of the fiscal year the period starts in (docs/decisions.md).
PAYMENT_BUDGET_TYPE = "opex"


def _event(*, contract: Contract, action: str, summary: str, actor=None, period=None) -> ContractEvent:
    return ContractEvent.objects.create(
        contract=contract,
        period=period,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        summary=summary,
    )


# --- Contract at signature ------------------------------------------------------------------------------------


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, 28))


def period_dates(
    *, start: datetime.date, term_years: int, length: str
) -> list[tuple[int, int, datetime.date, datetime.date]]:
    """(number, contract year t, first day, last day) of every period of the term."""
    step, per_year = (12, 1) if length == Contract.PeriodLength.YEARLY else (3, 4)
    rows = []
    for index in range(term_years * per_year):
        first = _add_months(start, index * step)
        following = _add_months(start, (index + 1) * step)
        rows.append((index + 1, index // per_year, first, following - datetime.timedelta(days=1)))
    return rows


def _weights(targets: list[Any]) -> list[Decimal]:
    """Payment weights in percent adding to exactly 100: the tender's weights scaled to 100 (largest remainder
    on hundredths), equal weights when the tender gave none."""
    raw = [t.payment_weight or Decimal("0") for t in targets]
    if sum(raw) <= 0:
        raw = [Decimal("1")] * len(targets)
    hundredths = calc.largest_remainder(Decimal("100"), raw)
    return hundredths


def baseline_of(*, tender: Tender) -> tuple[Decimal, Decimal, str]:
    """The bundled assets' status-quo yearly maintenance and energy (start-year prices), and where from."""
    totals = tender.bundled_assets.filter(active=True).aggregate(
        maintenance=Sum("asset__maintenance_cost"), energy=Sum("asset__energy_cost")
    )
    count = tender.bundled_assets.filter(active=True).count()
    maintenance = calc.to_money(totals["maintenance"] or Decimal("0"))
    energy = calc.to_money(totals["energy"] or Decimal("0"))
    source = (
        f"Sum of the yearly maintenance ({maintenance:,.2f}) and energy ({energy:,.2f}) cost of the {count} "
        f"bundled assets in the departments' asset inventory on {timezone.localdate():%Y-%m-%d}, frozen at "
        "signature as start-year prices."
    )
    return maintenance, energy, source


@dataclass(frozen=True)
class ContractTerms:
    """What the winning proposal committed to, in the engine's terms (DESIGN §12)."""

    financing_model: str
    financing_charge: Decimal
    operation_fee: Decimal
    savings_share: Decimal
    at_risk_share: Decimal
    committed: dict[int, Decimal]  # indicator id → committed target


def terms_from_content(content: dict[str, Any]) -> ContractTerms:
    figures = content.get("figures") or {}
    model = content["financing_model"]

    def money(name: str) -> Decimal:
        value = figures.get(name)
        return Decimal(value) if value not in (None, "") else Decimal("0")

    return ContractTerms(
        financing_model=model,
        financing_charge=money("financing_charge") if model == calc.OPEX_SERVICE else Decimal("0"),
        operation_fee=money("operation_fee")
        if model == calc.OPEX_SERVICE
        else (money("running_cost") if model == calc.CAPEX else Decimal("0")),
        savings_share=money("savings_share") if model == calc.SHARED_SAVINGS else Decimal("0"),
        at_risk_share=Decimal(content.get("at_risk_share") or "0"),
        committed={
            int(t["indicator_id"]): Decimal(t["committed_value"]) for t in content.get("targets") or []
        },
    )


def contract_create(
    *,
    tender: Tender,
    organisation: PartnerOrganisation,
    terms: ContractTerms,
    actor,
    start_date: datetime.date,
    period_length: str = Contract.PeriodLength.YEARLY,
    grace_days: int = 30,
    first_budget_year: int | None = None,
) -> Contract:
    """Freeze the contract and generate its periods. Called at signature (inside its transaction)."""
    with transaction.atomic():
        maintenance, energy, source = baseline_of(tender=tender)
        contract = Contract(
            tender=tender,
            organisation=organisation,
            reference=f"{tender.reference}-C",
            start_date=start_date,
            term_years=tender.contract_term_years,
            period_length=period_length,
            grace_days=grace_days,
            # By default the calendar year the contract starts in pays year 0 (the scenario's start year Y₀).
            first_budget_year=first_budget_year or start_date.year,
            financing_model=terms.financing_model,
            financing_charge=terms.financing_charge,
            operation_fee=terms.operation_fee,
            savings_share=terms.savings_share,
            at_risk_share=terms.at_risk_share,
            baseline_maintenance=maintenance,
            baseline_energy=energy,
            baseline_source=source,
            currency=tender.currency,
            signed_by=actor,
        )
        contract.full_clean()
        contract.save()
        targets = list(tender.targeted_outcomes.select_related("indicator").order_by("id"))
        for target, weight in zip(targets, _weights(targets), strict=True):
            ContractIndicator.objects.create(
                contract=contract,
                indicator=target.indicator,
                baseline_value=target.indicator.baseline_value,
                committed_value=terms.committed.get(target.indicator_id, target.target_value),
                weight=weight,
            )
        PerformancePeriod.objects.bulk_create(
            PerformancePeriod(contract=contract, number=n, contract_year=t, start_date=first, end_date=last)
            for n, t, first, last in period_dates(
                start=start_date, term_years=contract.term_years, length=period_length
            )
        )
        _event(
            contract=contract,
            actor=actor,
            action="created",
            summary=f"Contract {contract.reference} with {organisation.name} from {start_date:%Y-%m-%d} for "
            f"{contract.term_years} years",
        )
    return contract


def contract_create_from_award(
    *,
    decision,
    actor,
    start_date: datetime.date | None = None,
    period_length: str = Contract.PeriodLength.YEARLY,
    first_budget_year: int | None = None,
) -> Contract:
    """The contract of a signed award, from the winning proposal's version at the deadline.

    The content is read under the winner's own right to read its proposal (the sealing rule's first case), so
    this path opens nothing the sealing rule would keep closed.
    """
    from procurement.proposals.models import ProposalScore
    from procurement.proposals.selectors import latest_version, proposal_content

    proposal = decision.proposal
    score = ProposalScore.objects.filter(proposal=proposal).select_related("version").first()
    version = score.version if score is not None else latest_version(proposal=proposal)
    content = proposal_content(version=version, organisation=proposal.organisation)
    signed = timezone.localdate(decision.signed_at or timezone.now())
    if start_date is None:
        # The contract starts on the first day of the month after signature.
        start_date = _add_months(signed.replace(day=1), 1)
    return contract_create(
        tender=decision.tender,
        organisation=proposal.organisation,
        terms=terms_from_content(content),
        actor=actor,
        start_date=start_date,
        period_length=period_length,
        first_budget_year=first_budget_year,
    )


# --- Periods: opening, due dates ---------------------------------------------------------------------------


def report_due(period: PerformancePeriod) -> datetime.date:
    """The last day a report is accepted and verified: the period's end plus the contract's grace."""
    return period.end_date + datetime.timedelta(days=period.contract.grace_days)


def periods_open_and_mark_overdue(*, today: datetime.date | None = None) -> dict[str, int]:
    """What the beat task does each night: open periods that have ended (reports are due), mark those past
    their due date without a complete verification as overdue and certify them (achievement 0 where missing).
    Idempotent."""
    today = today or timezone.localdate()
    opened = overdue = certified = 0
    for period in PerformancePeriod.objects.filter(
        status=PeriodStatus.UPCOMING, end_date__lte=today, contract__status=Contract.Status.ACTIVE
    ).select_related("contract"):
        with transaction.atomic():
            if PerformancePeriod.objects.filter(pk=period.pk, status=PeriodStatus.UPCOMING).update(
                status=PeriodStatus.OPEN
            ):
                opened += 1
                _event(
                    contract=period.contract,
                    period=period,
                    action="period_opened",
                    summary=f"Period {period.number} is open for reporting until {report_due(period):%Y-%m-%d}",
                )
                from notifications.rules import on_period_opened

                on_period_opened(period=period, due=report_due(period))
    for period in PerformancePeriod.objects.filter(
        status__in=[PeriodStatus.OPEN, PeriodStatus.REPORTED, PeriodStatus.OVERDUE]
    ).select_related("contract"):
        if today <= report_due(period):
            continue
        with transaction.atomic():
            if period.status != PeriodStatus.OVERDUE:
                PerformancePeriod.objects.filter(pk=period.pk).update(status=PeriodStatus.OVERDUE)
                period.status = PeriodStatus.OVERDUE
                overdue += 1
                _event(
                    contract=period.contract,
                    period=period,
                    action="period_overdue",
                    summary=f"Period {period.number}: what was not verified by {report_due(period):%Y-%m-%d} "
                    "counts as not reported",
                )
        try:
            certificate_compute(period=period, actor=None, today=today)
            certified += 1
        except CertificateRefused:
            pass  # e.g. inflation not entered yet: tried again tomorrow, shown on the contract page
    return {"opened": opened, "overdue": overdue, "certified": certified}


# --- Partner reports ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceUpload:
    filename: str
    data: bytes
    title: str = ""


def _number(value: Any) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        raise InvalidOperation
    number = Decimal(str(value).strip())
    if not number.is_finite():
        raise InvalidOperation
    return number


def report_submit(
    *,
    period: PerformancePeriod,
    organisation: PartnerOrganisation,
    measurements: dict[int, Any],
    actual_maintenance: Any,
    actual_energy: Any,
    documents: list[EvidenceUpload] | None = None,
    note: str = "",
    user=None,
    token=None,
    today: datetime.date | None = None,
) -> PeriodReport:
    """The partner's report of one period: a value for every contract indicator (keyed by indicator id), the
    period's actual maintenance and energy cost, evidence. Every problem is listed at once; nothing is saved
    from a refused report."""
    from procurement.services.tenders import DOCUMENT_TYPES

    today = today or timezone.localdate()
    with transaction.atomic():
        # Lock the period: two submissions at once would otherwise both see "no report yet".
        period = PerformancePeriod.objects.select_for_update().select_related("contract").get(pk=period.pk)
        contract = period.contract
        if contract.organisation_id != organisation.pk:
            raise NotYourContract(_("No such contract."))
        if period.status == PeriodStatus.CERTIFIED:
            raise ReportRefused(
                _("Period %(number)s is already certified: it takes no report.") % {"number": period.number}
            )
        if period.status == PeriodStatus.UPCOMING or today < period.end_date:
            raise ReportRefused(
                _(
                    "Period %(number)s is not open yet: reports are accepted from %(date)s, when the period has "
                    "been delivered."
                )
                % {"number": period.number, "date": f"{period.end_date:%Y-%m-%d}"}
            )
        if hasattr(period, "report"):
            raise ReportRefused(_("Period %(number)s has already been reported.") % {"number": period.number})
        if today > report_due(period):
            raise ReportRefused(
                _("Period %(number)s was due by %(date)s; it counts as not reported.")
                % {"number": period.number, "date": f"{report_due(period):%Y-%m-%d}"}
            )
        errors: dict[str, list[str]] = {}

        def add(name: str, message: str) -> None:
            errors.setdefault(name, []).append(message)

        lines = list(contract.indicators.select_related("indicator"))
        known = {line.indicator_id for line in lines}
        for key in measurements:
            if key not in known:
                add(
                    "measurements",
                    _("Indicator %(indicator)s is not an indicator of this contract.") % {"indicator": key},
                )
        values: dict[int, Decimal] = {}
        for line in lines:
            indicator = line.indicator
            try:
                value = _number(measurements.get(indicator.pk))
            except (InvalidOperation, ValueError):
                add(
                    f"measurement_{indicator.pk}",
                    _("The value for “%(indicator)s” must be a number.") % {"indicator": indicator.name},
                )
                continue
            if value is None:
                add(
                    f"measurement_{indicator.pk}",
                    _("Give the measured value of “%(indicator)s”.") % {"indicator": indicator.name},
                )
                continue
            message = indicator.range_error(value, what=_("The measured value"))
            if message:
                add(f"measurement_{indicator.pk}", message)
                continue
            values[indicator.pk] = value
        costs: dict[str, Decimal] = {}
        # One sentence per cost and problem (no fragments put together): translators see whole sentences.
        cost_messages = {
            "actual_maintenance": {
                "number": _("The actual maintenance cost must be an amount, e.g. 1250.00."),
                "missing": _("Give the period's actual maintenance cost."),
                "negative": _("The actual maintenance cost cannot be negative."),
                "limit": _("The actual maintenance cost is above the limit of %(limit)s."),
            },
            "actual_energy": {
                "number": _("The actual energy cost must be an amount, e.g. 1250.00."),
                "missing": _("Give the period's actual energy cost."),
                "negative": _("The actual energy cost cannot be negative."),
                "limit": _("The actual energy cost is above the limit of %(limit)s."),
            },
        }
        for name, raw in (
            ("actual_maintenance", actual_maintenance),
            ("actual_energy", actual_energy),
        ):
            words = cost_messages[name]
            try:
                value = _number(raw)
            except (InvalidOperation, ValueError):
                add(name, words["number"])
                continue
            if value is None:
                add(name, words["missing"])
            elif value < 0:
                add(name, words["negative"])
            elif value > MAX_COST:
                add(name, words["limit"] % {"limit": f"{MAX_COST:,.0f}"})
            elif value != value.quantize(Decimal("0.01")):
                add(name, _("Amounts have at most two decimals (cents)."))
            else:
                costs[name] = value
        documents = documents or []
        if len(documents) > MAX_DOCUMENTS:
            add("documents", _("At most %(count)s evidence documents per report.") % {"count": MAX_DOCUMENTS})
        for upload in documents:
            extension = upload.filename.rsplit(".", 1)[-1].lower() if "." in upload.filename else ""
            if extension not in DOCUMENT_TYPES:
                add(
                    "documents",
                    _("“%(name)s”: allowed types are %(types)s.")
                    % {"name": upload.filename, "types": ", ".join(sorted(DOCUMENT_TYPES))},
                )
            if not upload.data:
                add("documents", _("“%(name)s” is empty.") % {"name": upload.filename})
            if len(upload.data) > MAX_DOCUMENT_BYTES:
                add(
                    "documents",
                    _("“%(name)s” is larger than %(size)s MB.")
                    % {"name": upload.filename, "size": MAX_DOCUMENT_BYTES // 1024 // 1024},
                )
        if errors:
            raise ReportInvalid(_("The report was not accepted."), errors=errors)

        report = PeriodReport(
            period=period,
            actual_maintenance=costs["actual_maintenance"],
            actual_energy=costs["actual_energy"],
            note=note[:2000],
            submitted_by=user,
            token=token,
            submitted_at=timezone.now(),
        )
        report.full_clean()
        report.save()
        ReportMeasurement.objects.bulk_create(
            ReportMeasurement(report=report, contract_indicator=line, value=values[line.indicator_id])
            for line in lines
        )
        for upload in documents:
            extension = upload.filename.rsplit(".", 1)[-1].lower()
            document = ReportDocument(
                report=report,
                title=(upload.title or upload.filename)[:200],
                original_name=upload.filename[:255],
                content_type=DOCUMENT_TYPES[extension],
                size_bytes=len(upload.data),
                sha256=hashlib.sha256(upload.data).hexdigest(),
            )
            document.file.save(upload.filename, ContentFile(upload.data), save=False)
            document.save()
        period.status = PeriodStatus.REPORTED
        period.save(update_fields=["status"])
        _event(
            contract=contract,
            period=period,
            actor=user,
            action="reported",
            summary=f"{organisation.name} reported period {period.number}",
        )
        from notifications.rules import on_report_submitted

        on_report_submitted(report=report, actor=user)
    return report


# --- City review -------------------------------------------------------------------------------------------


def may_review(*, user, contract: Contract) -> bool:
    from procurement.selectors.tenders import is_lead_official

    return is_lead_official(user=user, tender=contract.tender)


def _review_checks(
    *, report: PeriodReport, actor, verified: bool, reason: str, status: str, permitted: bool | None = None
) -> str:
    if permitted is None:
        permitted = may_review(user=actor, contract=report.period.contract)
    if not permitted:
        raise ReviewRefused(
            _(
                "Only officials of the lead department verify the costs, and officials who record the outcome's "
                "measurements verify its measurements."
            )
        )
    if report.submitted_by_id is not None and report.submitted_by_id == actor.pk:
        raise ReviewRefused(_("You entered this report; another official must verify it."))
    if report.period.status == PeriodStatus.CERTIFIED:
        raise ReviewRefused(_("The period is already certified."))
    if status != LineStatus.PENDING:
        raise ReviewRefused(_("This line has already been reviewed."))
    text = (reason or "").strip()
    if not verified and not text:
        raise ReviewRefused(
            _("Give the reason for the rejection."), errors={"reason": [_("Give the reason.")]}
        )
    return text


def measurement_review(
    *, line: ReportMeasurement, actor, verified: bool, reason: str = ""
) -> ReportMeasurement:
    """Verify (it enters the indicator's measurement history) or reject (with a reason) one measurement."""
    from outcomes.exceptions import NotAllowed
    from outcomes.services import measurement_create

    with transaction.atomic():
        line = (
            ReportMeasurement.objects.select_for_update()
            .select_related("report__period__contract__tender", "contract_indicator__indicator__outcome")
            .get(pk=line.pk)
        )
        report = line.report
        indicator = line.contract_indicator.indicator
        # A verified measurement enters the outcome's history: the outcome's own rule says who may put it there.
        from outcomes.selectors import can_record_measurements

        text = _review_checks(
            report=report,
            actor=actor,
            verified=verified,
            reason=reason,
            status=line.status,
            permitted=can_record_measurements(user=actor, outcome=indicator.outcome),
        )
        if verified:
            try:
                line.measurement = measurement_create(
                    indicator=indicator,
                    actor=actor,
                    period=report.period.start_date,
                    value=line.value,
                    source=f"Contract {report.period.contract.reference}, period {report.period.number}",
                    note=f"Reported by {report.period.contract.organisation.name}; verified.",
                )
            except NotAllowed as exc:
                raise ReviewRefused(str(exc)) from exc
            except ValidationError as exc:
                raise ReviewRefused(" ".join(exc.messages)) from exc
        line.status = LineStatus.VERIFIED if verified else LineStatus.REJECTED
        line.reason = text
        line.reviewed_by = actor
        line.reviewed_at = timezone.now()
        line.save()
        _event(
            contract=report.period.contract,
            period=report.period,
            actor=actor,
            action="measurement_verified" if verified else "measurement_rejected",
            summary=f"{indicator.name}: {line.value.normalize():f} "
            + ("verified" if verified else f"rejected — {text}"),
        )
        if not verified:
            from notifications.rules import on_report_line_rejected

            on_report_line_rejected(
                report=report, line=indicator.name, reason=text, event_key=f"measurement-rejected:{line.pk}"
            )
        _certify_when_reviewed(report=report, actor=actor)
    return line


def costs_review(*, report: PeriodReport, actor, verified: bool, reason: str = "") -> PeriodReport:
    with transaction.atomic():
        report = (
            PeriodReport.objects.select_for_update()
            .select_related("period__contract__tender")
            .get(pk=report.pk)
        )
        text = _review_checks(
            report=report, actor=actor, verified=verified, reason=reason, status=report.cost_status
        )
        report.cost_status = LineStatus.VERIFIED if verified else LineStatus.REJECTED
        report.cost_reason = text
        report.cost_reviewed_by = actor
        report.cost_reviewed_at = timezone.now()
        report.save()
        _event(
            contract=report.period.contract,
            period=report.period,
            actor=actor,
            action="costs_verified" if verified else "costs_rejected",
            summary="Actual costs " + ("verified" if verified else f"rejected — {text}"),
        )
        if not verified:
            from notifications.rules import on_report_line_rejected

            on_report_line_rejected(
                report=report, line="", reason=text, event_key=f"costs-rejected:{report.pk}"
            )
        _certify_when_reviewed(report=report, actor=actor)
    return report


def _certify_when_reviewed(*, report: PeriodReport, actor) -> None:
    """When the last line of a report is reviewed, the certificate is computed (if inflation is known)."""
    if report.cost_status == LineStatus.PENDING:
        return
    if report.measurements.filter(status=LineStatus.PENDING).exists():
        return
    try:
        with transaction.atomic():
            certificate_compute(period=report.period, actor=actor)
    except CertificateRefused:
        pass  # shown on the contract page ("waiting for inflation"); the beat task tries again


# --- Certificates ------------------------------------------------------------------------------------------


def certificate_input(
    *, period: PerformancePeriod, today: datetime.date | None = None
) -> calc.CertificateInput:
    """Rows → the pure calculation's input. Lines not verified count as missing, with the reason."""
    contract = period.contract
    report = getattr(period, "report", None) if hasattr(period, "report") else None
    lines = {}
    if report is not None:
        lines = {m.contract_indicator_id: m for m in report.measurements.all()}
    indicators = []
    for ci in contract.indicators.select_related("indicator").order_by("id"):
        line = lines.get(ci.pk)
        if line is None:
            value, why = None, "not reported"
        elif line.status == LineStatus.VERIFIED:
            value, why = line.value, ""
        elif line.status == LineStatus.REJECTED:
            value, why = None, f"rejected: {line.reason}"
        else:
            value, why = None, "not verified in time"
        ind = ci.indicator
        indicators.append(
            calc.IndicatorResult(
                name=ind.name,
                unit=ind.unit,
                weight=ci.weight,
                baseline=ci.baseline_value,
                target=ci.committed_value,
                direction=ind.direction,
                value=value,
                missing_reason=why or "not reported",
            )
        )
    start_year = contract.start_date.year
    years = range(start_year + 1, start_year + period.contract_year + 1)
    rates = {r.year: r for r in InflationRate.objects.filter(year__in=list(years))}
    missing = [y for y in years if y not in rates]
    if missing:
        raise CertificateRefused(
            _("Finance has not entered the inflation of %(years)s yet.")
            % {"years": ", ".join(str(y) for y in missing)}
        )
    costs_ok = report is not None and report.cost_status == LineStatus.VERIFIED
    fraction = Decimal("1") if contract.period_length == Contract.PeriodLength.YEARLY else Decimal("0.25")
    return calc.CertificateInput(
        model=contract.financing_model,
        contract_year=period.contract_year,
        period_fraction=fraction,
        financing_charge=contract.financing_charge,
        operation_fee=contract.operation_fee,
        savings_share=contract.savings_share,
        at_risk_share=contract.at_risk_share,
        indicators=indicators,
        inflation=[rates[y].inflation for y in years],
        energy_change=[rates[y].energy_change for y in years],
        baseline_maintenance=contract.baseline_maintenance,
        baseline_energy=contract.baseline_energy,
        actual_maintenance=report.actual_maintenance if costs_ok else None,
        actual_energy=report.actual_energy if costs_ok else None,
    )


def _line_json(line: calc.Line, kind: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "key": line.key,
        "label": line.label,
        "amount": None if line.amount is None else f"{line.amount:.2f}",
        "words": line.words,
        "indicator": line.indicator,
    }


def certificate_compute(
    *, period: PerformancePeriod, actor, today: datetime.date | None = None
) -> PaymentCertificate:
    """Compute and store the period's certificate; the period becomes certified (no more reports or reviews)."""
    with transaction.atomic():
        period = PerformancePeriod.objects.select_for_update().select_related("contract").get(pk=period.pk)
        if (
            period.status == PeriodStatus.CERTIFIED
            or PaymentCertificate.objects.filter(period=period).exists()
        ):
            raise CertificateRefused(
                _("Period %(number)s already has its certificate.") % {"number": period.number}
            )
        try:
            result = calc.compute_certificate(certificate_input(period=period, today=today))
        except calc.CertificateError as exc:
            raise CertificateRefused(certificate_error_display(str(exc))) from exc
        certificate = PaymentCertificate(
            period=period,
            achievement=result.achievement,
            service_fee=result.service_fee,
            fee_payable=result.fee_payable,
            savings=result.savings,
            savings_payable=result.savings_payable,
            city_savings=result.city_savings,
            deductions_total=result.fee_deduction + result.savings_deduction,
            total_payable=result.total_payable,
            fiscal_year=period.contract.first_budget_year + period.contract_year,
            lines=[_line_json(line, "line") for line in result.lines]
            + [_line_json(line, "deduction") for line in result.deductions]
            + [
                {"kind": "achievement", "indicator": name, "achievement": f"{a:.4f}", "words": how}
                for name, a, how in result.achievements
            ],
            computed_at=timezone.now(),
        )
        certificate.full_clean()
        certificate.save()
        period.status = PeriodStatus.CERTIFIED
        period.save(update_fields=["status"])
        _event(
            contract=period.contract,
            period=period,
            actor=actor,
            action="certificate_computed",
            summary=f"Certificate of period {period.number}: {certificate.total_payable:,.2f} payable, "
            f"deductions {certificate.deductions_total:,.2f}",
        )
        from notifications.rules import on_certificate_computed

        on_certificate_computed(certificate=certificate, actor=actor)
    return certificate


def certificate_approve(*, certificate: PaymentCertificate, actor) -> PaymentCertificate:
    """Four-eyes: a first and a second, different finance user. The second approval charges each department's
    share to its approved contributions of the year (finance service, row locks) and publishes the
    `implementation` release."""
    from finance.exceptions import FinanceError
    from finance.selectors.budgets import approval_conflict, is_finance_user
    from finance.services.payments import contributions_charge

    with transaction.atomic():
        certificate = (
            PaymentCertificate.objects.select_for_update()
            .select_related("period__contract__tender", "period__contract__organisation")
            .get(pk=certificate.pk)
        )
        contract = certificate.period.contract
        tender = contract.tender
        if not is_finance_user(user=actor):
            raise CertificateRefused(_("Only finance users approve payment certificates."))
        if certificate.status in (CertStatus.APPROVED, CertStatus.PAID):
            raise CertificateRefused(_("This certificate is already approved."))
        conflict = approval_conflict(user=actor, tender=tender)
        if conflict:
            raise CertificateRefused(conflict)
        if certificate.status == CertStatus.DRAFT:
            certificate.status = CertStatus.FIRST_APPROVED
            certificate.first_approved_by = actor
            certificate.first_approved_at = timezone.now()
            certificate.save()
            _event(
                contract=contract,
                period=certificate.period,
                actor=actor,
                action="certificate_first_approval",
                summary="First finance approval; a second, different finance user must approve",
            )
            return certificate
        if certificate.first_approved_by_id == actor.pk:
            raise CertificateRefused(
                _("You gave the first approval; a second, different finance user must approve.")
            )
        try:
            charges = contributions_charge(
                tender=tender,
                fiscal_year=certificate.fiscal_year,
                budget_type=PAYMENT_BUDGET_TYPE,
                amount=certificate.total_payable,
                reference=f"{contract.reference} certificate {certificate.period.number}",
                payee=contract.organisation.name,
                actor=actor,
            )
        except FinanceError as exc:
            raise CertificateRefused(str(exc)) from exc
        certificate.status = CertStatus.APPROVED
        certificate.approved_by = actor
        certificate.approved_at = timezone.now()
        certificate.payments = [
            {"department_id": c.department_id, "department": c.department_name, "amount": f"{c.amount:.2f}"}
            for c in charges
        ]
        certificate.save()
        _event(
            contract=contract,
            period=certificate.period,
            actor=actor,
            action="certificate_approved",
            summary=f"Approved and charged: {certificate.total_payable:,.2f} ("
            + ", ".join(f"{c.department_name} {c.amount:,.2f}" for c in charges)
            + ")",
        )
        from procurement.contracts.publication import implementation_release_append

        implementation_release_append(certificate=certificate)
    return certificate


def certificate_mark_paid(
    *, certificate: PaymentCertificate, actor, paid_on: datetime.date
) -> PaymentCertificate:
    from finance.selectors.budgets import is_finance_user

    with transaction.atomic():
        certificate = (
            PaymentCertificate.objects.select_for_update()
            .select_related("period__contract")
            .get(pk=certificate.pk)
        )
        if not is_finance_user(user=actor):
            raise CertificateRefused(_("Only finance users mark certificates paid."))
        if certificate.status != CertStatus.APPROVED:
            raise CertificateRefused(_("Only an approved certificate, not yet paid, can be marked paid."))
        if paid_on > timezone.localdate():
            raise CertificateRefused(_("The payment date cannot be in the future."))
        certificate.status = CertStatus.PAID
        certificate.paid_on = paid_on
        certificate.save()
        _event(
            contract=certificate.period.contract,
            period=certificate.period,
            actor=actor,
            action="paid",
            summary=f"Paid on {paid_on:%Y-%m-%d}",
        )
    return certificate


# --- Inflation ---------------------------------------------------------------------------------------------


def inflation_enter(
    *, year: int, inflation: Any, energy_change: Any, actor, source: str = ""
) -> InflationRate:
    from finance.selectors.budgets import is_finance_user

    if not is_finance_user(user=actor):
        raise InflationRefused(_("Only finance users enter inflation."))
    errors: dict[str, list[str]] = {}
    values = {}
    rate_messages = {
        "inflation": (
            _("The inflation must be a number, e.g. 0.021 for 2.1 %."),
            _("Give the inflation."),
        ),
        "energy_change": (
            _("The energy price change must be a number, e.g. 0.021 for 2.1 %."),
            _("Give the energy price change."),
        ),
    }
    for name, raw in (("inflation", inflation), ("energy_change", energy_change)):
        not_a_number, missing = rate_messages[name]
        try:
            value = _number(raw)
        except (InvalidOperation, ValueError):
            errors.setdefault(name, []).append(not_a_number)
            continue
        if value is None:
            errors.setdefault(name, []).append(missing)
            continue
        values[name] = value
    rate = InflationRate(year=year, source=source[:200], entered_by=actor, **values)
    if not errors:
        try:
            rate.full_clean()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                if field == "year" and InflationRate.objects.filter(year=year).exists():
                    messages = [
                        _("The inflation of %(year)s has already been entered; it is not entered twice.")
                        % {"year": year}
                    ]
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise InflationRefused(_("The inflation was not entered."), errors=errors)
    try:
        with transaction.atomic():
            rate.save()
    except IntegrityError as exc:  # entered by someone else at the same moment
        raise InflationRefused(
            _("The inflation was not entered."),
            errors={
                "year": [
                    _("The inflation of %(year)s has already been entered; it is not entered twice.")
                    % {"year": year}
                ]
            },
        ) from exc
    return rate
