"""The OCDS `implementation` release of an approved payment certificate (DESIGN §13, docs/ocds-mapping.md).

A release holds the whole implementation so far (every approved certificate of the contract), so the latest
release alone — and the compiled record — shows the whole story: transactions (payer department → payee
partner), metrics (one observation per indicator and period, metrics extension), milestones (one per period)
and the contract's status. Appended, never edited; validated offline against the shipped schema.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from procurement.contracts.models import (
    PaymentCertificate,
    PerformancePeriod,
    PeriodReport,
    ReportMeasurement,
)
from procurement.models import Release, Tender
from procurement.publication import ocds
from procurement.publication.services import ocid_for


def _supplier(tender: Tender, contract) -> dict[str, str]:
    previous = tender.releases.filter(tag="contract").order_by("-date", "-id").first()
    if previous is not None:
        for party in previous.data.get("parties", []):
            if "supplier" in party.get("roles", []):
                return {"id": party["id"], "name": party["name"]}
    return {
        "id": f"supplier-{ocds.content_hash(contract.organisation.name)[:12]}",
        "name": contract.organisation.name,
    }


def implementation_release_data(
    *, contract, ocid: str, release_id: str, date: datetime.datetime
) -> dict[str, Any]:
    tender = contract.tender
    currency = contract.currency
    city = {"id": "city", "name": settings.CITY_NAME}
    supplier = _supplier(tender, contract)
    parties: dict[str, dict[str, Any]] = {
        "city": {**city, "roles": ["buyer"]},
        supplier["id"]: {**supplier, "roles": ["supplier", "payee"]},
    }
    certificates = list(
        PaymentCertificate.objects.filter(
            period__contract=contract,
            status__in=[PaymentCertificate.Status.APPROVED, PaymentCertificate.Status.PAID],
        )
        .select_related("period")
        .order_by("period__number")
    )
    departments = {
        d.pk: d
        for d in tender.lead_department.__class__.objects.filter(
            pk__in={int(p["department_id"]) for c in certificates for p in c.payments}
        )
    }
    transactions = []
    milestones = []
    for certificate in certificates:
        period = certificate.period
        for payment in certificate.payments:
            department = departments[int(payment["department_id"])]
            party_id = ocds.department_party_id(department.code)
            party = parties.setdefault(party_id, {"id": party_id, "name": department.name, "roles": []})
            if "payer" not in party["roles"]:
                party["roles"].append("payer")
            transactions.append(
                {
                    "id": f"{contract.reference}-p{period.number}-{department.code}",
                    "source": f"{contract.reference} payment certificate {period.number}",
                    "date": ocds.iso_datetime(certificate.approved_at),
                    "value": {"amount": ocds.json_number(Decimal(payment["amount"])), "currency": currency},
                    "payer": {"id": party_id, "name": department.name},
                    "payee": supplier,
                }
            )
        milestones.append(
            {
                "id": f"{contract.reference}-period-{period.number}",
                "title": f"Performance period {period.number} ({period.start_date:%Y-%m-%d} – {period.end_date:%Y-%m-%d})",
                "type": "delivery",
                "description": (
                    f"Weighted achievement {certificate.achievement:.4f}; payable {certificate.total_payable:.2f} "
                    f"{currency} after deductions of {certificate.deductions_total:.2f}."
                ),
                "dueDate": ocds.day_end(period.end_date),
                "dateMet": ocds.iso_datetime(certificate.approved_at),
                "status": "met",
            }
        )
    lines = ReportMeasurement.objects.filter(
        report__period__certificate__in=certificates, status=PeriodReport.LineStatus.VERIFIED
    ).select_related("report__period", "contract_indicator")
    measured = {(m.contract_indicator_id, m.report.period_id): m for m in lines}
    metrics = []
    for ci in contract.indicators.select_related("indicator").order_by("id"):
        observations = []
        for certificate in certificates:
            period: PerformancePeriod = certificate.period
            observation: dict[str, Any] = {
                "id": f"{ci.indicator_id}-period-{period.number}",
                "period": {
                    "startDate": ocds.day_start(period.start_date),
                    "endDate": ocds.day_end(period.end_date),
                },
                "unit": {"name": ci.indicator.unit},
                "relatedImplementationMilestone": {
                    "id": f"{contract.reference}-period-{period.number}",
                    "title": f"Performance period {period.number}",
                },
            }
            line = measured.get((ci.pk, period.pk))
            if line is not None:
                observation["measure"] = ocds.json_number(line.value)
            else:
                observation["notes"] = "Not reported or not verified: counted as achievement 0."
            observations.append(observation)
        metric: dict[str, Any] = {"id": f"indicator-{ci.indicator_id}", "title": ci.indicator.name}
        if observations:
            metric["observations"] = observations
        metrics.append(metric)
    last_period = contract.periods.order_by("-number").first()
    finished = last_period is not None and any(c.period_id == last_period.pk for c in certificates)
    implementation: dict[str, Any] = {}
    if transactions:
        implementation["transactions"] = transactions
    if milestones:
        implementation["milestones"] = milestones
    if metrics:
        implementation["metrics"] = metrics
    paid = sum((c.total_payable for c in certificates), Decimal("0"))
    contract_entry: dict[str, Any] = {
        "id": f"{tender.reference}-contract",
        "awardID": f"{tender.reference}-award",
        "status": "terminated" if finished else "active",
        "period": {
            "startDate": ocds.day_start(contract.start_date),
            "endDate": ocds.day_end(last_period.end_date) if last_period else None,
        },
        "implementation": implementation,
    }
    if contract_entry["period"]["endDate"] is None:
        del contract_entry["period"]["endDate"]
    contract_entry["description"] = f"Paid so far on outcomes: {paid:.2f} {currency}."
    # The release repeats the whole contracting process as the signature published it (tender, planning,
    # awards, the contract), so that every reader of "the latest release" sees a complete picture, and adds
    # the implementation to the contract.
    from procurement.publication.services import tender_snapshot

    release = ocds.build_release(
        snapshot=tender_snapshot(tender=tender),
        ocid=ocid,
        release_id=release_id,
        date=date,
        action="sign",
        city_name=settings.CITY_NAME,
    )
    release["tag"] = ["implementation"]
    merged = {party["id"]: party for party in release.get("parties", [])}
    for party_id, party in parties.items():
        if party_id in merged:
            for role in party["roles"]:
                if role not in merged[party_id]["roles"]:
                    merged[party_id]["roles"].append(role)
        else:
            merged[party_id] = party
    release["parties"] = list(merged.values())
    signed = (release.get("contracts") or [{}])[0]
    release["contracts"] = [{**signed, **contract_entry}]
    return release


def implementation_release_append(*, certificate: PaymentCertificate) -> Release:
    """Append the contract's `implementation` release. Call inside the approval's transaction."""
    contract = certificate.period.contract
    tender = contract.tender
    # The same lock as every publication of the tender: release ids are numbered in order.
    Tender.objects.select_for_update().filter(pk=tender.pk).first()
    previous = tender.releases.order_by("-date", "-id").first()
    now = timezone.now()
    if previous is not None and now <= previous.date:
        now = previous.date + datetime.timedelta(microseconds=1)
    ocid = ocid_for(tender)
    data = implementation_release_data(
        contract=contract, ocid=ocid, release_id=f"{ocid}-{tender.releases.count() + 1:03d}", date=now
    )
    if settings.OCDS_VALIDATE_ON_PUBLISH:
        from procurement.publication.validation import validate_release

        validate_release(data)
    release = Release(
        tender=tender,
        ocid=ocid,
        release_id=data["id"],
        tag="implementation",
        date=now,
        data=data,
        content_hash=ocds.content_hash(data),
    )
    release.full_clean()
    release.save()
    from procurement.publication.selectors import forget_published_version

    forget_published_version()
    return release
