"""Reads of contracts: who sees what, the contract page in a fixed number of queries, dashboards, ledger."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, Q, QuerySet, Sum

from procurement.contracts.certificate import largest_remainder
from procurement.contracts.models import (
    Contract,
    InflationRate,
    PaymentCertificate,
    PerformancePeriod,
    PeriodReport,
    ReportMeasurement,
)
from procurement.contracts.services import report_due

LineStatus = PeriodReport.LineStatus


def _city_department_ids(user) -> set[int]:
    from procurement.selectors.tenders import user_roles

    return set(user_roles(user=user).by_department)


def contracts_for_user(*, user) -> QuerySet[Contract]:
    """City users see the contracts of tenders their department leads or pays for; finance sees all; partner
    people see their organisation's. Anyone else: none."""
    from finance.selectors.budgets import is_central_finance
    from procurement.proposals.selectors import partner_organisation_of

    qs = Contract.objects.select_related("tender", "organisation")
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    organisation = partner_organisation_of(user=user)
    if organisation is not None:
        return qs.filter(organisation=organisation)
    if is_central_finance(user=user):
        return qs
    departments = _city_department_ids(user)
    return qs.filter(
        Q(tender__lead_department_id__in=departments)
        | Q(tender__contributions__budget_line__department_id__in=departments)
    ).distinct()


def contract_page(*, contract: Contract) -> dict[str, Any]:
    """Everything the contract page shows, in a fixed number of queries whatever the number of periods."""
    periods = list(
        PerformancePeriod.objects.filter(contract=contract)
        .select_related("report", "certificate")
        .prefetch_related(
            Prefetch(
                "report__measurements",
                queryset=ReportMeasurement.objects.select_related("contract_indicator__indicator"),
            ),
            "report__documents",
        )
        .order_by("number")
    )
    rows = []
    for period in periods:
        report = getattr(period, "report", None) if _has(period, "report") else None
        certificate = period.certificate if _has(period, "certificate") else None
        rows.append(
            {
                "period": period,
                "due": report_due_for(period, contract),
                "report": report,
                "lines": list(report.measurements.all()) if report else [],
                "documents": list(report.documents.all()) if report else [],
                "certificate": certificate,
            }
        )
    certificates = [r["certificate"] for r in rows if r["certificate"] is not None]
    paid = [
        c
        for c in certificates
        if c.status in (PaymentCertificate.Status.APPROVED, PaymentCertificate.Status.PAID)
    ]
    return {
        "contract": contract,
        "indicators": list(contract.indicators.select_related("indicator").order_by("id")),
        "rows": rows,
        "paid_total": sum((c.total_payable for c in paid), Decimal("0")),
        "deductions_total": sum((c.deductions_total for c in certificates), Decimal("0")),
        "savings_total": sum((c.savings or Decimal("0") for c in certificates), Decimal("0")),
    }


def _has(obj, name: str) -> bool:
    try:
        getattr(obj, name)
    except Exception:  # noqa: BLE001 — RelatedObjectDoesNotExist of a reverse one-to-one
        return False
    return True


def report_due_for(period: PerformancePeriod, contract: Contract):
    period.contract = contract  # already loaded: no query
    return report_due(period)


def may_view(*, user, contract: Contract) -> bool:
    return contracts_for_user(user=user).filter(pk=contract.pk).exists()


# --- Dashboards ---------------------------------------------------------------------------------------------


def reports_waiting(*, user) -> QuerySet[PeriodReport]:
    """Reports of the lead department's contracts with a line still to verify (officials' dashboard)."""
    from procurement.selectors.tenders import user_roles

    roles = user_roles(user=user)
    departments = [d for d, role in roles.by_department.items() if role == "official"]
    return (
        PeriodReport.objects.filter(period__contract__tender__lead_department_id__in=departments)
        .filter(Q(cost_status=LineStatus.PENDING) | Q(measurements__status=LineStatus.PENDING))
        .exclude(period__status=PerformancePeriod.Status.CERTIFIED)
        .select_related("period__contract__tender", "period__contract__organisation")
        .distinct()
        .order_by("period__end_date")
    )


def certificates_waiting(*, user) -> QuerySet[PaymentCertificate]:
    """Certificates waiting for an approval this finance user may give (four-eyes excluded)."""
    from finance.selectors.budgets import is_finance_user, prepared_by_q

    if not is_finance_user(user=user):
        return PaymentCertificate.objects.none()
    return (
        PaymentCertificate.objects.filter(
            status__in=[PaymentCertificate.Status.DRAFT, PaymentCertificate.Status.FIRST_APPROVED]
        )
        .exclude(first_approved_by=user)
        .exclude(prepared_by_q(user=user, tender_path="period__contract__tender"))
        .select_related("period__contract__tender", "period__contract__organisation")
        .order_by("computed_at")
    )


def periods_due(*, organisation) -> QuerySet[PerformancePeriod]:
    """Open periods the partner has not reported yet (partners' dashboard)."""
    return (
        PerformancePeriod.objects.filter(
            contract__organisation=organisation, status=PerformancePeriod.Status.OPEN, report__isnull=True
        )
        .select_related("contract__tender")
        .order_by("end_date")
    )


def inflation_history() -> QuerySet[InflationRate]:
    return InflationRate.objects.select_related("entered_by").order_by("-year")


# --- Savings ledger, actual ---------------------------------------------------------------------------------


def actual_savings_ledger(*, contract: Contract) -> dict[str, Any]:
    """The city's share of measured savings per certified period, allocated to the contributing departments by
    their approved OpEx contributions of that year (largest remainder; all years' OpEx when that year has
    none), beside the chosen scenario's projection per department and year."""
    from departments.models import Department
    from finance.models import Contribution
    from finance.selectors.scenarios import savings_ledger

    tender = contract.tender
    weights_by_year: dict[int, dict[str, Decimal]] = defaultdict(dict)
    all_years: dict[str, Decimal] = defaultdict(Decimal)
    for code, year, total in (
        Contribution.objects.filter(
            tender=tender, status=Contribution.Status.APPROVED, budget_line__budget_type="opex"
        )
        .values_list("budget_line__department__code", "budget_line__fiscal_year")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        weights_by_year[year][code] = total
        all_years[code] += total
    actual: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    certificates = PaymentCertificate.objects.filter(period__contract=contract).select_related("period")
    for certificate in certificates:
        weights = weights_by_year.get(certificate.fiscal_year) or dict(all_years)
        if not weights:
            continue
        codes = sorted(weights)
        for code, amount in zip(
            codes, largest_remainder(certificate.city_savings, [weights[c] for c in codes]), strict=True
        ):
            actual[certificate.fiscal_year][code] += amount
    planned: dict[int, dict[str, Decimal]] = defaultdict(dict)
    projection = savings_ledger(tender=tender)
    if projection:
        for row in projection["rows"]:
            planned[row["year"]] = dict(row["shares"])
    codes = sorted(set(all_years) | {c for y in planned.values() for c in y})
    names = dict(Department.objects.filter(code__in=codes).values_list("code", "name"))
    years = sorted(set(actual) | set(planned))
    rows = []
    for year in years:
        for code in codes:
            plan = planned.get(year, {}).get(code)
            real = actual.get(year, {}).get(code) if year in actual else None
            if plan is None and real is None:
                continue
            rows.append(
                {
                    "year": year,
                    "code": code,
                    "department": names.get(code, code),
                    "planned": plan,
                    "actual": real,
                }
            )
    return {
        "rows": rows,
        "scenario": projection["scenario_label"] if projection else None,
        "planned_total": sum((r["planned"] or Decimal("0") for r in rows), Decimal("0")),
        "actual_total": sum((r["actual"] or Decimal("0") for r in rows), Decimal("0")),
    }


def public_contract(*, reference: str) -> Contract | None:
    """A contract is public once its tender has published releases (signature publishes the contract)."""
    return (
        Contract.objects.select_related("tender", "organisation")
        .filter(tender__reference=reference, tender__releases__isnull=False)
        .distinct()
        .first()
    )
