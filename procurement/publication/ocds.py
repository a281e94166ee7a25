"""The OCDS 1.1.5 release builder: plain data about a tender in, one release (a JSON-ready dict) out.

No database access here: `procurement.publication.services.tender_snapshot` turns a tender into the plain
snapshot described by `TenderSnapshot`, and this module maps it (docs/ocds.md is the mapping, in words).
Internal workflow states (draft, submitted, approved) have no OCDS equivalent and are never emitted: the
OCDS tender status comes from the publication event, not from the tender's internal status.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from decimal import Decimal
from typing import Any, NotRequired, TypedDict

# Release tags we write, per lifecycle action of a published tender.
TAG_FOR_ACTION = {
    "publish": "tender",
    "amend": "tenderAmendment",
    "award": "award",
    "cancel": "tenderUpdate",
    # Proposals (DESIGN §12): the opening publishes bids.statistics; the signature a `contract` release.
    "open": "tenderUpdate",
    "sign": "contract",
}
# OCDS tender.status after each action (codelist tenderStatus).
TENDER_STATUS_FOR_ACTION = {
    "publish": "active",
    "amend": "active",
    "award": "complete",
    "cancel": "cancelled",
    "open": "active",
    "sign": "complete",
}
DOCUMENT_TYPE = {
    "specification": "technicalSpecifications",
    "outcome_specification": "evaluationCriteria",
    "other": "tenderNotice",
}
BUDGET_TYPE_LABEL = {"capex": "CapEx", "opex": "OpEx"}


class Department(TypedDict):
    code: str
    name: str


class BudgetLine(TypedDict):
    department_code: str
    department_name: str
    fiscal_year: int
    budget_type: str  # "capex" | "opex"
    amount: Decimal  # approved contributions of that department, year and type (currency, nominal)


class ItemGroup(TypedDict):
    category_code: str
    category_name: str
    unit: str
    department_code: str
    department_name: str
    action: str
    quantity: int


class Document(TypedDict):
    id: int
    kind: str
    title: str
    content_type: str
    uploaded_at: datetime.datetime
    # Absolute address of the public download (built by the caller from SITE_URL; the builder stays pure).
    url: str


class Target(TypedDict):
    indicator_id: int
    name: str
    unit: str
    definition: str
    outcome_title: str
    baseline_value: Decimal
    baseline_period: datetime.date
    target_value: Decimal
    target_date: datetime.date
    payment_weight: Decimal | None
    # The indicator name and outcome title in the city's other languages ({"fr": {"name": …}}); may be absent.
    translations: NotRequired[dict]
    outcome_translations: NotRequired[dict]


class Award(TypedDict):
    supplier_name: str
    value: Decimal | None
    date: datetime.date | None


class TenderSnapshot(TypedDict):
    reference: str
    title: str
    description: str
    currency: str
    procurement_method: str
    main_category: str
    contract_term_years: int
    tender_period_start: datetime.date | None
    tender_period_end: datetime.date | None
    lead_department: Department
    budget_lines: list[BudgetLine]
    item_groups: list[ItemGroup]
    documents: list[Document]
    targets: list[Target]
    award: Award | None
    # Proposals (procurement.proposals.selectors.publication_snapshot); absent in older snapshots.
    requirements: NotRequired[dict | None]
    bids: NotRequired[dict | None]
    award_bid: NotRequired[dict | None]
    contract: NotRequired[dict | None]
    # The city's main language (release `language`) and the title/description in its other languages
    # ({"fr": {"title": …, "description": …}}), published as `title_fr`, `description_nl`; absent → "en", none.
    language: NotRequired[str]
    translations: NotRequired[dict]


FINANCING_MODEL_LABEL = {
    "capex": "CapEx purchase",
    "opex_service": "OpEx service fee",
    "shared_savings": "shared savings",
}


def _requirements(tender: dict[str, Any], requirements: dict[str, Any]) -> None:
    """What the tender asks, in OCDS terms: tenderPeriod/enquiryPeriod ends, awardCriteria (rated criteria)
    with the weights in awardCriteriaDetails, electronic submission with the accepted models."""
    tender["tenderPeriod"] = {
        **tender.get("tenderPeriod", {}),
        "endDate": iso_datetime(requirements["proposal_deadline"]),
    }
    tender["enquiryPeriod"] = {"endDate": iso_datetime(requirements["clarification_deadline"])}
    parts = [
        f"price (whole-life cost to the city, engine NPV) {requirements['price_weight'].normalize():f} %"
    ]
    parts.append(f"outcome commitment {requirements['outcome_weight'].normalize():f} %")
    parts += [f"{c['name']} {c['weight'].normalize():f} %" for c in requirements["criteria"]]
    tender["awardCriteria"] = "ratedCriteria"
    tender["awardCriteriaDetails"] = (
        "Weights: " + "; ".join(parts) + ". Ties go to the lower NPV. "
        f"Standstill after the award decision: {requirements['standstill_days']} days."
    )
    tender["submissionMethod"] = ["electronicSubmission"]
    models = ", ".join(FINANCING_MODEL_LABEL.get(m, m) for m in requirements["accepted_models"])
    tender["submissionMethodDetails"] = (
        f"Proposals through the partner portal or API. Financing models accepted: {models}. "
        f"Minimum share of payments at risk on outcomes: {requirements['minimum_at_risk_share'].normalize():f}."
    )


# --- Language variants (OCDS multilingual convention: `title_fr` next to `title`) ------------------------------


def language_variants(translations: dict | None, fields: dict[str, str]) -> dict[str, str]:
    """{"title_fr": "…", "description_nl": "…"} from stored variants ({"fr": {"title": "…"}}); `fields` maps
    our field names to the OCDS ones ({"name": "title"}). An untranslated field gets no key (never "")."""
    keys: dict[str, str] = {}
    for language in sorted(translations or {}):
        texts = translations[language] or {}
        for ours, theirs in fields.items():
            if texts.get(ours):
                keys[f"{theirs}_{language}"] = texts[ours]
    return keys


def metric_description(
    *, outcome_title: str, definition: str, payment_weight: Decimal | None, language: str
) -> str:
    """A metric's description in `language`: its outcome, its definition (main language only: the definition
    is not entered per language) and its weight in the outcome-linked payment."""
    from django.utils import translation
    from django.utils.translation import gettext

    with translation.override(language):
        # Translators: the description of an indicator in a published OCDS release.
        text = gettext("Outcome: %(outcome)s.") % {"outcome": outcome_title}
        if definition:
            text += f" {definition}"
        if payment_weight is not None:
            text += " " + gettext("Weight in the outcome-linked payment: %(weight)s %%.") % {
                "weight": payment_weight
            }
    return text


# --- JSON helpers -----------------------------------------------------------------------------------------


def json_number(value: Decimal) -> int | float:
    """OCDS amounts are JSON numbers. Money stays Decimal up to here; an integral amount is written as an int
    and a cent amount as the shortest float that reads back as the same decimal (exact below 2**53 cents)."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def iso_datetime(value: datetime.datetime) -> str:
    """UTC, fixed width (always microseconds): release dates then sort correctly as strings too."""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def day_start(day: datetime.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def day_end(day: datetime.date) -> str:
    return f"{day.isoformat()}T23:59:59Z"


def canonical_json(data: Any) -> bytes:
    """Canonical JSON (sorted keys, no whitespace, UTF-8): what the content hash is computed on."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_hash(data: Any) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


def department_party_id(code: str) -> str:
    return f"department-{code}"


# --- The builder ------------------------------------------------------------------------------------------


def build_release(
    *,
    snapshot: TenderSnapshot,
    ocid: str,
    release_id: str,
    date: datetime.datetime,
    action: str,
    city_name: str,
    city_id: str = "city",
) -> dict:
    """One OCDS release for `action` (publish, amend, award, cancel) of the tender described by `snapshot`."""
    tag = TAG_FOR_ACTION[action]
    currency = snapshot["currency"]
    buyer = {"id": city_id, "name": city_name}

    parties: dict[str, dict] = {city_id: {"id": city_id, "name": city_name, "roles": ["buyer"]}}

    def add_role(party_id: str, name: str, role: str) -> dict:
        party = parties.setdefault(party_id, {"id": party_id, "name": name, "roles": []})
        if role not in party["roles"]:
            party["roles"].append(role)
        return {"id": party_id, "name": name}

    lead = snapshot["lead_department"]
    procuring_entity = add_role(department_party_id(lead["code"]), lead["name"], "procuringEntity")

    # planning.budget: the pooled budget, one breakdown line per contributing department, year and type.
    total = sum((line["amount"] for line in snapshot["budget_lines"]), Decimal("0"))
    breakdown = []
    for line in sorted(
        snapshot["budget_lines"], key=lambda x: (x["department_code"], x["fiscal_year"], x["budget_type"])
    ):
        party_id = department_party_id(line["department_code"])
        add_role(party_id, line["department_name"], "funder")
        source = add_role(party_id, line["department_name"], "sourceParty")
        year = int(line["fiscal_year"])
        breakdown.append(
            {
                "id": f"{line['department_code']}-{year}-{line['budget_type']}",
                "description": (
                    f"{line['department_name']}, fiscal year {year}, "
                    f"{BUDGET_TYPE_LABEL.get(line['budget_type'], line['budget_type'])}"
                ),
                "amount": {"amount": json_number(line["amount"]), "currency": currency},
                "period": {"startDate": f"{year}-01-01T00:00:00Z", "endDate": f"{year}-12-31T23:59:59Z"},
                "sourceParty": source,
            }
        )
    budget: dict[str, Any] = {
        "id": "pooled-budget",
        "description": "Pooled budget: the approved contributions of the participating departments.",
        "amount": {"amount": json_number(total), "currency": currency},
    }
    if breakdown:
        budget["budgetBreakdown"] = breakdown

    status = TENDER_STATUS_FOR_ACTION[action]
    tender: dict[str, Any] = {
        "id": snapshot["reference"],
        "title": snapshot["title"],
        "status": status,
        "procuringEntity": procuring_entity,
        "value": {"amount": json_number(total), "currency": currency},
        "procurementMethod": snapshot["procurement_method"],
        "mainProcurementCategory": snapshot["main_category"],
        "contractPeriod": {"durationInDays": int(snapshot["contract_term_years"]) * 365},
    }
    if snapshot["description"]:
        tender["description"] = snapshot["description"]
    main_language = snapshot.get("language", "en")
    tender.update(
        language_variants(snapshot.get("translations"), {"title": "title", "description": "description"})
    )

    items = []
    for group in sorted(
        snapshot["item_groups"], key=lambda g: (g["category_code"], g["department_code"], g["action"])
    ):
        items.append(
            {
                "id": f"{group['category_code']}-{group['department_code']}-{group['action']}",
                "description": (
                    f"{group['action'].capitalize()}: {group['category_name']} of {group['department_name']}"
                ),
                "quantity": int(group["quantity"]),
                "unit": {"name": group["unit"]},
            }
        )
    if items:
        tender["items"] = items

    period: dict[str, str] = {}
    if snapshot["tender_period_start"]:
        period["startDate"] = day_start(snapshot["tender_period_start"])
    if snapshot["tender_period_end"]:
        period["endDate"] = day_end(snapshot["tender_period_end"])
    if period:
        tender["tenderPeriod"] = period

    documents = [
        {
            "id": str(doc["id"]),
            "documentType": DOCUMENT_TYPE.get(doc["kind"], "tenderNotice"),
            "title": doc["title"],
            "url": doc["url"],
            "format": doc["content_type"],
            "datePublished": iso_datetime(doc["uploaded_at"]),
            "language": "en",
        }
        for doc in sorted(snapshot["documents"], key=lambda d: d["id"])
    ]
    if documents:
        tender["documents"] = documents

    # Metrics extension: each targeted indicator is a metric with its baseline and target as observations.
    targets = []
    for target in sorted(snapshot["targets"], key=lambda t: t["indicator_id"]):
        description = metric_description(
            outcome_title=target["outcome_title"],
            definition=target["definition"],
            payment_weight=target["payment_weight"],
            language=main_language,
        )
        # Variants: the indicator name as title_xx; the description in a language the outcome title is
        # translated into (without the definition, which has no variants).
        variants = language_variants(target.get("translations"), {"name": "title"})
        outcome_variants = target.get("outcome_translations") or {}
        for language in sorted(outcome_variants):
            outcome_title = (outcome_variants[language] or {}).get("title")
            if outcome_title:
                variants[f"description_{language}"] = metric_description(
                    outcome_title=outcome_title,
                    definition="",
                    payment_weight=target["payment_weight"],
                    language=language,
                )
        unit = {"name": target["unit"]}
        targets.append(
            {
                "id": f"indicator-{target['indicator_id']}",
                "title": target["name"],
                **variants,
                "description": description,
                "observations": [
                    {
                        "id": "baseline",
                        "measure": json_number(target["baseline_value"]),
                        "unit": unit,
                        "period": {"startDate": day_start(target["baseline_period"])},
                    },
                    {
                        "id": "target",
                        "measure": json_number(target["target_value"]),
                        "unit": unit,
                        "period": {"endDate": day_end(target["target_date"])},
                    },
                ],
            }
        )
    if targets:
        tender["targets"] = targets

    if snapshot.get("requirements"):
        _requirements(tender, snapshot["requirements"])

    release: dict[str, Any] = {
        "ocid": ocid,
        "id": release_id,
        "date": iso_datetime(date),
        "tag": [tag],
        "initiationType": "tender",
        "language": main_language,
        "buyer": buyer,
        "planning": {"budget": budget},
        "tender": tender,
    }

    bids = snapshot.get("bids")
    if bids:
        release["bids"] = {
            "statistics": [
                {
                    "id": "bids",
                    "measure": "bids",
                    "value": int(bids["count"]),
                    "date": iso_datetime(bids["date"]),
                }
            ]
        }
        if bids.get("details") is not None and action in ("award", "sign"):
            details = []
            for bid in bids["details"]:
                tenderer = add_role(f"partner-{bid['organisation_id']}", bid["organisation_name"], "tenderer")
                entry = {
                    "id": bid["id"],
                    "date": iso_datetime(bid["date"]),
                    "status": bid["status"],
                    "tenderers": [tenderer],
                }
                if bid.get("value") is not None:
                    entry["value"] = {"amount": json_number(bid["value"]), "currency": currency}
                if bid.get("rank") is not None:
                    entry["hasRank"] = True
                    entry["rank"] = int(bid["rank"])
                details.append(entry)
            release["bids"]["details"] = details

    award = snapshot["award"]
    award_bid = snapshot.get("award_bid")
    if action in ("award", "sign") and award:
        supplier_id = (
            award_bid["supplier_id"] if award_bid else f"supplier-{content_hash(award['supplier_name'])[:12]}"
        )
        supplier = add_role(supplier_id, award["supplier_name"], "supplier")
        entry: dict[str, Any] = {
            "id": f"{snapshot['reference']}-award",
            "status": "active",
            "suppliers": [supplier],
        }
        if award["value"] is not None:
            entry["value"] = {"amount": json_number(award["value"]), "currency": currency}
        if award["date"]:
            entry["date"] = day_start(award["date"])
        if award_bid:
            entry["relatedBids"] = [award_bid["bid_id"]]
        release["awards"] = [entry]
        contract = snapshot.get("contract")
        if action == "sign" and contract:
            signed: dict[str, Any] = {
                "id": f"{snapshot['reference']}-contract",
                "awardID": entry["id"],
                "status": "active",
                "dateSigned": iso_datetime(contract["signed_at"]),
            }
            if "value" in entry:
                signed["value"] = entry["value"]
            if award_bid:
                signed["relatedBids"] = [award_bid["bid_id"]]
            release["contracts"] = [signed]

    release["parties"] = list(parties.values())
    return release
