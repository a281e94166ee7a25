"""Reads of published data. `tender_list_published` is THE definition of "published" (API, pages, tests)."""

from __future__ import annotations

import hashlib
import time
from decimal import Decimal
from functools import cache

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext as _

from procurement.models import ClarificationQuestion, Release, Tender
from procurement.publication.validation import EXTENSION_URLS

# Internal states (draft, submitted, approved) are never public, even if a release somehow existed.
PUBLIC_STATUSES = (
    Tender.Status.PUBLISHED,
    Tender.Status.AWARDED,
    Tender.Status.SIGNED,
    Tender.Status.CANCELLED,
)
OCDS_STATUS_FOR_TENDER_STATUS = {
    Tender.Status.PUBLISHED: "active",
    Tender.Status.AWARDED: "complete",
    Tender.Status.SIGNED: "complete",
    Tender.Status.CANCELLED: "cancelled",
}


def tender_list_published() -> QuerySet[Tender]:
    """Tenders the public may see: those with at least one OCDS release and a public status.

    A cancelled tender stays public if it was published before (its `tenderUpdate` release says cancelled);
    one cancelled before publication has no release and stays invisible.
    """
    return Tender.objects.filter(
        Exists(Release.objects.filter(tender=OuterRef("pk"))), status__in=PUBLIC_STATUSES
    )


def tender_list_published_with_latest() -> QuerySet[Tender]:
    """Published tenders annotated with the id of their latest release (one query, no per-row lookups)."""
    latest = Release.objects.filter(tender=OuterRef("pk")).order_by("-date", "-id").values("id")[:1]
    return (
        tender_list_published().select_related("lead_department").annotate(latest_release_id=Subquery(latest))
    )


# The published version is remembered in this process for up to this long, so that a cached API list page
# costs no query at all; a release written by this process forgets it at once, others' within this delay.
# Only the partner API uses it (its pages also carry an ETag and expire after LIST_CACHE_SECONDS); the
# public HTML pages read `public_pages_version()` fresh on every request and are never stale.
VERSION_MEMO_SECONDS = 1.0
_version_memo: tuple[float, str] | None = None
# With the memo, this process keeps its own copy of the API list pages it served under it (at most this many,
# ≈ 40 kB each), dropped whenever the memo is: a page is copied for ≤ VERSION_MEMO_SECONDS, so a hit costs
# neither the database nor a round trip to the shared cache, and is never older than the memo allows.
PAGE_COPIES = 64
_page_copies: dict[str, bytes] = {}


def published_version() -> str:
    """Changes whenever published data changes (every change appends a release): the latest release id and
    the number of releases. The count matters: two transactions may commit their releases out of id order,
    and the later commit of the smaller id leaves the largest id unchanged."""
    global _version_memo
    memo = _version_memo
    now = time.monotonic()
    if memo is not None and now - memo[0] < VERSION_MEMO_SECONDS:
        return memo[1]
    found = Release.objects.aggregate(latest=Max("id"), count=Count("id"))
    version = f"{found['latest'] or 0}.{found['count']}"
    _page_copies.clear()
    _version_memo = (now, version)
    return version


def forget_published_version() -> None:
    global _version_memo
    _version_memo = None
    _page_copies.clear()


def page_copy(key: str) -> bytes | None:
    """This process's copy of the page cached under `key` (a key that holds the published version), if any."""
    return _page_copies.get(key)


def keep_page_copy(key: str, body: bytes) -> None:
    if len(_page_copies) < PAGE_COPIES:
        _page_copies[key] = body


def public_pages_version(*, reference: str | None = None) -> str:
    """What the public HTML pages show, summed up in ONE query, read fresh on every request (no memo).

    A rendered public page is cached under this value, so it must change whenever anything the page shows
    changes: every publication, amendment, award and cancellation appends a release (the count changes even
    when transactions commit out of id order, which the largest id alone would miss; the latest release's
    content hash tells a new database from an old one that had the same ids), and the departments'
    names label the rows. With `reference`, also what the tender's page shows beside its releases: the
    tender row (`updated_at` is touched by every save), its answered questions and its chosen scenario.
    Read before rendering: under READ COMMITTED the page then shows data at least as new as the version.
    """
    from django.db import connection

    from departments.models import Department
    from finance.models import FinancingChoice

    release, department = Release._meta.db_table, Department._meta.db_table
    concat = "string_agg" if connection.vendor == "postgresql" else "group_concat"
    columns = [
        # The latest release's content hash too: a database created anew (a restored backup, a reloaded demo)
        # repeats ids and counts, while the cache may still hold pages of the old one.
        f"(SELECT CAST(id AS TEXT) || ':' || content_hash FROM {release} ORDER BY id DESC LIMIT 1)",
        f"(SELECT COUNT(*) FROM {release})",
        f"(SELECT {concat}(CAST(id AS TEXT) || ':' || code || ':' || name || ':' || kind, ',') "
        f"FROM {department})",
    ]
    params: list = []
    if reference is not None:
        tender, question = Tender._meta.db_table, ClarificationQuestion._meta.db_table
        choice = FinancingChoice._meta.db_table
        tender_id = f"(SELECT id FROM {tender} WHERE reference = %s)"
        columns += [
            f"(SELECT CAST(updated_at AS TEXT) FROM {tender} WHERE reference = %s)",
            f"(SELECT CAST(COUNT(*) AS TEXT) || ':' || COALESCE(CAST(MAX(answered_at) AS TEXT), '') "
            f"FROM {question} WHERE tender_id = {tender_id} AND answered_at IS NOT NULL)",
            f"(SELECT CAST(chosen_at AS TEXT) || ':' || CAST(run_id AS TEXT) || ':' || scenario "
            f"FROM {choice} WHERE tender_id = {tender_id})",
        ]
        params = [reference, reference, reference]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns), params)
        row = cursor.fetchone()
    return hashlib.sha256(repr(row).encode()).hexdigest()


def tender_summaries(*, tenders) -> list[dict]:
    """List rows of published tenders (annotated by `tender_list_published_with_latest`) in ONE query.

    Only the few published fields a row needs are extracted from the stored release JSON, in SQL.
    """
    from procurement.publication.ocds import iso_datetime

    ids = [tender.latest_release_id for tender in tenders]
    releases = {
        row["id"]: row
        for row in Release.objects.filter(id__in=ids).values(
            "id",
            "ocid",
            "tag",
            "date",
            title=KT("data__tender__title"),
            status=KT("data__tender__status"),
            amount=KT("data__tender__value__amount"),
            currency=KT("data__tender__value__currency"),
        )
    }
    rows = []
    for tender in tenders:
        release = releases.get(tender.latest_release_id) or {}
        amount = release.get("amount")
        rows.append(
            {
                "id": tender.reference,
                "ocid": release.get("ocid", ""),
                "title": release.get("title") or "",
                "status": release.get("status") or "",
                "lead_department": {"code": tender.lead_department.code, "name": tender.lead_department.name},
                "value": (
                    {"amount": f"{Decimal(amount):.2f}", "currency": release.get("currency") or ""}
                    if amount is not None
                    else None
                ),
                "published_at": iso_datetime(tender.published_at) if tender.published_at else None,
                "last_release_date": iso_datetime(release["date"]) if release else "",
                "last_release_tag": release.get("tag", ""),
            }
        )
    return rows


def tender_get_published(*, reference: str) -> Tender | None:
    return tender_list_published().select_related("lead_department").filter(reference=reference).first()


def release_list_published() -> QuerySet[Release]:
    """Every release of a published tender: the change feed."""
    return Release.objects.filter(tender__in=tender_list_published())


def release_list_for_tender(*, tender: Tender) -> list[Release]:
    return list(tender.releases.order_by("date", "id"))


def releases_etag(releases: list[Release] | QuerySet) -> str:
    """ETag of a set of releases: derived from their stored content hashes, no rendering needed."""
    digest = hashlib.sha256()
    for content_hash in releases:
        digest.update(content_hash.encode("ascii"))
    return digest.hexdigest()


def tender_releases_etag(*, tender: Tender) -> str | None:
    hashes = list(tender.releases.order_by("date", "id").values_list("content_hash", flat=True))
    return releases_etag(hashes) if hashes else None


def _publisher() -> dict:
    return {"name": settings.CITY_NAME}


def release_package(*, releases: list[dict], uri: str) -> dict:
    published = max((r["date"] for r in releases), default=timezone.now().isoformat())
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": published,
        "publisher": _publisher(),
        "extensions": EXTENSION_URLS,
        "releases": releases,
    }


@cache
def _merger():
    import ocdsmerge

    from procurement.publication.validation import release_schema

    return ocdsmerge.Merger(schema=release_schema())


def compiled_release(*, releases: list[dict]) -> dict:
    """Merge releases per OCDS rules (ocdsmerge with our patched schema)."""
    return _merger().create_compiled_release(sorted(releases, key=lambda r: r["date"]))


def record_package(*, tender: Tender, uri: str, releases: list[Release] | None = None) -> dict:
    """The compiled record of a tender: all its releases plus the compiled release."""
    releases = releases if releases is not None else release_list_for_tender(tender=tender)
    data = [r.data for r in releases]
    record = {"ocid": releases[0].ocid, "releases": data, "compiledRelease": compiled_release(releases=data)}
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": data[-1]["date"],
        "publisher": _publisher(),
        "extensions": EXTENSION_URLS,
        "records": [record],
    }


def latest_release(*, tender: Tender) -> Release | None:
    return tender.releases.order_by("-date", "-id").first()


def pooled_budget_by_department(*, release: dict) -> list[dict]:
    """The published pooled budget grouped by department, from a release's planning.budget breakdown.

    Reads the published JSON, not the live contributions: the page shows exactly what was published.
    """
    breakdown = release.get("planning", {}).get("budget", {}).get("budgetBreakdown", [])
    by_department: dict[str, dict] = {}
    for line in breakdown:
        party = line.get("sourceParty", {})
        entry = by_department.setdefault(
            party.get("id", ""), {"name": party.get("name", ""), "total": Decimal("0"), "lines": []}
        )
        amount = Decimal(str(line["amount"]["amount"]))
        entry["total"] += amount
        entry["lines"].append({"description": _budget_line_words(line), "amount": amount, "id": line["id"]})
    return sorted(by_department.values(), key=lambda d: (-d["total"], d["name"]))


def _budget_line_words(line: dict) -> str:
    """A published budget line in the reader's language: "Transport, fiscal year 2027, CapEx", rebuilt from the
    line's party, period and id (`{department}-{year}-{capex|opex}`); the published text when it does not parse."""
    kind = str(line.get("id", "")).rsplit("-", 1)[-1]
    year = (line.get("period", {}).get("startDate") or "")[:4]
    name = line.get("sourceParty", {}).get("name", "")
    if kind not in ("capex", "opex") or not year.isdigit() or not name:
        return line.get("description", "")
    # Translators: a line of a published pooled budget; type is CapEx or OpEx (kept as they are).
    return _("%(department)s, fiscal year %(year)s, %(type)s") % {
        "department": name,
        "year": year,
        "type": {"capex": "CapEx", "opex": "OpEx"}[kind],
    }


def plain_summary(*, release: dict) -> dict:
    """What a taxpayer asks of a published tender, answered in sentences from the published release alone:
    what the city buys, why (the outcomes promised), what it costs per year, and who pays. In the active
    language: the title, description and indicator names are the release's variants for it (`title_fr`), when
    published, else the main-language texts."""
    from django.utils.translation import gettext as _

    from config.numbers import measure
    from multilingual.translations import localized

    ocds_tender = release.get("tender", {})
    currency = ocds_tender.get("value", {}).get("currency", "")
    buys = [item.get("description", "") for item in ocds_tender.get("items", [])]
    promises = []
    for metric in ocds_tender.get("targets", []):
        observations = {o.get("id"): o for o in metric.get("observations", [])}
        baseline, target = observations.get("baseline"), observations.get("target")
        if not baseline or not target:
            continue
        unit = target.get("unit", {}).get("name", "")
        by = (target.get("period", {}).get("endDate") or "")[:10]
        words = {
            "indicator": localized(metric, "title"),
            "baseline": measure(baseline["measure"]),
            "target": measure(target["measure"]),
            "unit": unit,
            "date": by,
        }
        down = Decimal(str(target["measure"])) < Decimal(str(baseline["measure"]))
        if down and by:
            promise = _("%(indicator)s: down from %(baseline)s to %(target)s %(unit)s by %(date)s.")
        elif down:
            promise = _("%(indicator)s: down from %(baseline)s to %(target)s %(unit)s.")
        elif by:
            promise = _("%(indicator)s: up from %(baseline)s to %(target)s %(unit)s by %(date)s.")
        else:
            promise = _("%(indicator)s: up from %(baseline)s to %(target)s %(unit)s.")
        promises.append(promise % words)
    per_year: dict[int, Decimal] = {}
    per_department: dict[str, Decimal] = {}
    for line in release.get("planning", {}).get("budget", {}).get("budgetBreakdown", []):
        amount = Decimal(str(line["amount"]["amount"]))
        year = int((line.get("period", {}).get("startDate") or "0")[:4] or 0)
        per_year[year] = per_year.get(year, Decimal(0)) + amount
        name = line.get("sourceParty", {}).get("name", "")
        per_department[name] = per_department.get(name, Decimal(0)) + amount
    total = sum(per_department.values(), Decimal(0))
    payers = [
        {"name": name, "amount": amount, "share": (amount / total * 100) if total else Decimal(0)}
        for name, amount in sorted(per_department.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return {
        "currency": currency,
        "buys": buys,
        "why": localized(ocds_tender, "description"),
        "promises": promises,
        "per_year": [{"year": year, "amount": amount} for year, amount in sorted(per_year.items())],
        "payers": payers,
        "total": total,
    }


def questions_published(*, tender: Tender) -> QuerySet[ClarificationQuestion]:
    """Answered questions: published to everyone (the asking organisation is not shown)."""
    return tender.questions.filter(answered_at__isnull=False).order_by("asked_at", "id")


def questions_closed_reason(*, tender: Tender) -> str | None:
    """Why partners cannot ask questions on `tender` now, or None while they can: only while it is published
    and open, and before the clarification deadline of what it asks (if it takes proposals)."""
    from procurement.proposals.selectors import requirements_for

    if not tender_list_published().filter(pk=tender.pk, status=Tender.Status.PUBLISHED).exists():
        return _("Questions are only taken while the tender is open.")
    requirements = requirements_for(tender=tender)
    if requirements is not None and timezone.now() >= requirements.clarification_deadline:
        return _("The clarification deadline has passed: no more questions are taken.")
    return None


def questions_for_partner(*, tender: Tender, organisation) -> QuerySet[ClarificationQuestion]:
    """What a partner sees: every answered question plus its own unanswered ones."""
    from django.db.models import Q

    return tender.questions.filter(Q(answered_at__isnull=False) | Q(organisation=organisation)).order_by(
        "asked_at", "id"
    )


def user_can_answer_questions(*, user, tender: Tender) -> bool:
    """Officials of the lead department and finance staff of the central finance office answer questions."""
    if user is None or not user.is_authenticated:
        return False
    from departments.models import Department, Membership

    memberships = Membership.objects.filter(user=user)
    return (
        memberships.filter(department=tender.lead_department, role=Membership.Role.OFFICIAL).exists()
        or memberships.filter(
            department__kind=Department.Kind.CENTRAL_FINANCE, role=Membership.Role.FINANCE
        ).exists()
    )


def questions_awaiting_answer(*, user) -> QuerySet[ClarificationQuestion]:
    """Unanswered questions on published tenders this user may answer."""
    from departments.models import Department, Membership

    base = ClarificationQuestion.objects.filter(
        answered_at__isnull=True, tender__in=tender_list_published()
    ).select_related("tender", "organisation")
    if user is None or not user.is_authenticated:
        return base.none()
    if Membership.objects.filter(
        user=user, department__kind=Department.Kind.CENTRAL_FINANCE, role=Membership.Role.FINANCE
    ).exists():
        return base
    led = Membership.objects.filter(user=user, role=Membership.Role.OFFICIAL).values("department")
    return base.filter(tender__lead_department__in=led)


def chosen_scenario(*, tender: Tender) -> dict | None:
    """The chosen financing scenario's summary and the assumptions it ran on, or None."""
    from finance.models import FinancingChoice, ScenarioAssumptions, ScenarioSummary

    choice = FinancingChoice.objects.filter(tender=tender).first()
    assumptions = ScenarioAssumptions.objects.filter(tender=tender).first()
    summary = None
    if choice is not None:
        summary = ScenarioSummary.objects.filter(run_id=choice.run_id, scenario=choice.scenario).first()
    if choice is None and assumptions is None:
        return None
    return {"choice": choice, "summary": summary, "assumptions": assumptions}


ASSET_CSV_COLUMNS = [
    "department",
    "external_ref",
    "name",
    "category",
    "action",
    "area",
    "latitude",
    "longitude",
    "install_year",
    "life_years",
    "replacement_cost",
    "maintenance_cost",
    "energy_cost",
    "condition",
]


def tender_asset_rows(*, tender: Tender):
    """The bundled asset inventory of a tender, as rows for the partners' CSV (streamed, in id order)."""
    rows = tender.bundled_assets.order_by("id").values_list(
        "asset__department__code",
        "asset__external_ref",
        "asset__name",
        "asset__category__code",
        "action",
        "asset__area",
        "asset__latitude",
        "asset__longitude",
        "asset__install_year",
        "asset__life_years",
        "asset__replacement_cost",
        "asset__maintenance_cost",
        "asset__energy_cost",
        "asset__condition",
    )
    return rows.iterator(chunk_size=2000)
