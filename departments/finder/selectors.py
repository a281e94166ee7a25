"""Reads of the opportunity finder: who may use it, which assets it scans, runs and candidates for the pages."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from departments.models import Asset, AssetCategory, Membership

from .models import FinderCandidate, FinderRun

# Roles that may run and read the finder: it proposes tenders (officials) and values them (finance).
FINDER_ROLES = (Membership.Role.OFFICIAL, Membership.Role.FINANCE)


def user_may_use_finder(*, user) -> bool:
    """Officials of any department and finance staff run the finder and read its results; others get 403."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or Membership.objects.filter(user=user, role__in=FINDER_ROLES).exists()


def official_department_ids(*, user) -> list[int]:
    """Departments where the user is an official (who may start a tender), in name order."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return list(
        Membership.objects.filter(user=user, role=Membership.Role.OFFICIAL)
        .order_by("department__name")
        .values_list("department_id", flat=True)
    )


def outcome_category_ids(*, outcome) -> set[int]:
    """The asset categories that serve an outcome (docs/decisions.md, "Opportunity finder"):

    - the categories its non-retired indicators compute their baseline from (Indicator.baseline_categories), and
    - the categories of assets bundled in tenders (not cancelled) that target one of its indicators: what the
      city has already chosen to buy for this outcome.

    The register has no other link between outcomes and asset categories; these two are read, not typed twice.
    """
    from procurement.models import Tender, TenderAsset

    from_baselines = outcome.indicators.filter(is_retired=False).values("baseline_categories")
    from_tenders = (
        TenderAsset.objects.filter(tender__targeted_outcomes__indicator__outcome=outcome)
        .exclude(tender__status=Tender.Status.CANCELLED)
        .values("asset__category_id")
    )
    return set(
        AssetCategory.objects.filter(Q(pk__in=from_baselines) | Q(pk__in=from_tenders)).values_list(
            "pk", flat=True
        )
    )


def finder_assets(*, category_ids: set[int] | None = None) -> QuerySet[Asset]:
    """The assets a run scans: in service, not already bundled in an active tender (those have been noticed),
    optionally limited to some categories."""
    assets = Asset.objects.filter(status=Asset.Status.IN_SERVICE).exclude(
        pk__in=_actively_bundled_asset_ids()
    )
    if category_ids is not None:
        assets = assets.filter(category_id__in=category_ids)
    return assets


def _actively_bundled_asset_ids():
    from procurement.models import TenderAsset

    return TenderAsset.objects.filter(active=True).values("asset_id")


@dataclass(frozen=True)
class DataCheck:
    """What a scan with given categories would see: counts, for the plain-words checks before a run."""

    assets: int
    departments: int
    department_name: str
    with_coordinates: int
    with_area: int


def finder_data_check(*, category_ids: set[int] | None = None) -> DataCheck:
    """Two small aggregate queries over the assets a run would scan."""
    from django.db.models import Count

    assets = finder_assets(category_ids=category_ids)
    counts = assets.aggregate(
        n=Count("pk"),
        departments=Count("department", distinct=True),
        located=Count("pk", filter=Q(latitude__isnull=False, longitude__isnull=False)),
        with_area=Count("pk", filter=Q(latitude__isnull=True) & ~Q(area="")),
    )
    name = ""
    if counts["departments"] == 1:
        name = assets.values_list("department__name", flat=True).first() or ""
    return DataCheck(
        assets=counts["n"],
        departments=counts["departments"],
        department_name=name,
        with_coordinates=counts["located"],
        with_area=counts["with_area"],
    )


def finder_run_list(*, limit: int = 10) -> QuerySet[FinderRun]:
    """The latest runs (every finder user sees every run: the scan is city-wide)."""
    return FinderRun.objects.select_related("outcome", "requested_by").order_by("-created_at", "-id")[:limit]


def finder_run_is_lost(*, run: FinderRun, now=None) -> bool:
    """Queued or running for longer than any scan takes (services.STALE_AFTER, past the Celery hard time limit):
    its worker was lost. A new request with the same parameters then starts a fresh run instead of reusing it."""
    from django.utils import timezone

    from .services import STALE_AFTER

    return not run.is_finished and run.created_at < (now or timezone.now()) - STALE_AFTER


def finder_run_get(*, pk: int) -> FinderRun:
    return FinderRun.objects.select_related("outcome", "requested_by").get(pk=pk)


def finder_candidates(*, run: FinderRun) -> QuerySet[FinderCandidate]:
    """A run's candidates, best first, without the (long) asset id lists: what the ranked table needs."""
    return (
        FinderCandidate.objects.filter(run=run)
        .select_related("tender")
        .defer("asset_ids", "categories")
        .order_by("rank")
    )


def finder_candidate_get(*, pk: int) -> FinderCandidate:
    return FinderCandidate.objects.select_related("run", "run__outcome", "tender").get(pk=pk)


def candidate_points(*, candidates: list[FinderCandidate]) -> dict[int, list[dict[str, Any]]]:
    """{candidate id: [asset point …]} for the map of a page of candidates, in ONE query whatever their number
    (the asset id lists are read in a second query only if they were deferred)."""
    if not candidates:
        return {}
    ids_by_candidate = dict(
        FinderCandidate.objects.filter(pk__in=[c.pk for c in candidates]).values_list("pk", "asset_ids")
    )
    owner = {asset_id: cid for cid, ids in ids_by_candidate.items() for asset_id in ids}
    rows = (
        Asset.objects.filter(pk__in=owner.keys(), latitude__isnull=False, longitude__isnull=False)
        .values("pk", "external_ref", "name", "latitude", "longitude", "department__code", "department__name")
        .order_by("pk")
    )
    out: dict[int, list[dict[str, Any]]] = {c.pk: [] for c in candidates}
    for row in rows:
        out[owner[row["pk"]]].append(
            {
                "ref": row["external_ref"],
                "name": row["name"],
                "latitude": float(row["latitude"]),
                "longitude": float(row["longitude"]),
                "department": row["department__code"],
                "department_name": row["department__name"],
            }
        )
    return out


def candidate_assets(*, candidate: FinderCandidate) -> QuerySet[Asset]:
    """The candidate's assets as they are now (some may have been retired or bundled since the run)."""
    return (
        Asset.objects.filter(pk__in=candidate.asset_ids)
        .select_related("department", "category")
        .order_by("department__name", "category__name", "external_ref")
    )


def candidate_conflicts(*, candidate: FinderCandidate) -> list[tuple[str, str]]:
    """(asset reference, tender reference) for the candidate's assets now bundled in an active tender."""
    from procurement.models import TenderAsset

    return list(
        TenderAsset.objects.filter(active=True, asset_id__in=candidate.asset_ids)
        .values_list("asset__external_ref", "tender__reference")
        .order_by("tender__reference", "asset__external_ref")
    )


def visible_tender_references(*, user, references) -> set[str]:
    """Which of these tender references the user may see (procurement's one visibility rule), in one query: the
    finder names a tender only to someone who may open it, never revealing that a draft exists."""
    from procurement.selectors.tenders import tender_list_for_user

    references = set(references)
    if not references:
        return set()
    return set(
        tender_list_for_user(user=user).filter(reference__in=references).values_list("reference", flat=True)
    )


def conflicts_for_user(*, user, conflicts: list[tuple[str, str]]) -> list[tuple[str, str | None]]:
    """(asset reference, tender reference or None when the user may not see that tender)."""
    visible = visible_tender_references(user=user, references=[t for _a, t in conflicts])
    return [(asset, tender if tender in visible else None) for asset, tender in conflicts]


def scenario_label(code: str) -> str:
    return FinderCandidate.Scenario(code).label if code in FinderCandidate.Scenario.values else code


def candidate_explanation(*, candidate: FinderCandidate, run: FinderRun) -> str:
    """The candidate in words, in the active language: who, where, when, what it costs as it is and what the best
    scenario saves. Whole sentences per case (never translated fragments glued together)."""
    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils.translation import gettext as _

    names = [d["name"] for d in candidate.departments]
    # Translators: the last two of a list of departments, e.g. "Transport, Parks and Street lighting".
    who = (
        _("%(first)s and %(last)s") % {"first": ", ".join(names[:-1]), "last": names[-1]}
        if len(names) > 1
        else "".join(names)
    )
    words = {
        "count": candidate.asset_count,
        "departments": who,
        "radius": intcomma(run.radius_m),
        "area": candidate.label,
        "year": candidate.end_of_life_first,
        "first": candidate.end_of_life_first,
        "last": candidate.end_of_life_last,
    }
    one_year = candidate.end_of_life_first == candidate.end_of_life_last
    if candidate.kind == FinderCandidate.Kind.NEARBY and candidate.label:
        if one_year:
            text = _(
                "%(count)s assets of %(departments)s stand within %(radius)s m of one another (mostly in "
                "%(area)s) and all reach the end of their life in %(year)s."
            )
        else:
            text = _(
                "%(count)s assets of %(departments)s stand within %(radius)s m of one another (mostly in "
                "%(area)s) and reach the end of their life between %(first)s and %(last)s."
            )
    elif candidate.kind == FinderCandidate.Kind.NEARBY:
        if one_year:
            text = _(
                "%(count)s assets of %(departments)s stand within %(radius)s m of one another and all reach the "
                "end of their life in %(year)s."
            )
        else:
            text = _(
                "%(count)s assets of %(departments)s stand within %(radius)s m of one another and reach the end "
                "of their life between %(first)s and %(last)s."
            )
    elif one_year:
        text = _(
            "%(count)s assets of %(departments)s are recorded in the same area, %(area)s, without coordinates "
            "and all reach the end of their life in %(year)s."
        )
    else:
        text = _(
            "%(count)s assets of %(departments)s are recorded in the same area, %(area)s, without coordinates "
            "and reach the end of their life between %(first)s and %(last)s."
        )
    status_quo = _(
        "Renewing them like for like, department by department, costs %(replacement)s in replacements; over the "
        "engine's horizon that status quo has a net present cost of %(status_quo)s."
    ) % {
        "replacement": _money(candidate.replacement_cost_due),
        "status_quo": _money(candidate.npv_status_quo),
    }
    values = {
        "scenario": scenario_label(candidate.best_scenario),
        "best": _money(candidate.best_npv),
        "amount": _money(abs(candidate.savings)),
        "synergy": f"{(run.synergy * 100).normalize():f} %",
    }
    if candidate.savings > 0:
        verdict = _(
            "Upgrading them together as one contract — best: %(scenario)s, net present cost %(best)s — saves "
            "%(amount)s against the status quo (net present value), assuming shared works and maintenance visits "
            "save %(synergy)s of the upgrade's cost and maintenance."
        )
    else:
        verdict = _(
            "Upgrading them together as one contract — best: %(scenario)s, net present cost %(best)s — costs "
            "%(amount)s more than the status quo (net present value): no saving, assuming shared works and "
            "maintenance visits save %(synergy)s of the upgrade's cost and maintenance."
        )
    return f"{text % words} {status_quo} {verdict % values}"


def _money(value: Decimal) -> str:
    from django.conf import settings

    from config.numbers import money

    return f"{settings.CITY_CURRENCY} {money(value)}"
