"""Reads of the outcomes app, including every rule about who may see or change what."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.translation import gettext, ngettext

from departments.models import Asset, AssetCategory, Department, Membership

from .models import Indicator, Measurement, Outcome, OutcomeEvent
from .progress import Progress

# --- Who may do what -------------------------------------------------------------------------------------------


def official_department_ids(*, user) -> set[int]:
    """Departments in which `user` is an official (the role that plans outcomes)."""
    if not user.is_authenticated:
        return set()
    return set(
        Membership.objects.filter(user=user, role=Membership.Role.OFFICIAL).values_list(
            "department_id", flat=True
        )
    )


def departments_user_may_own_outcomes_for(*, user) -> QuerySet[Department]:
    if user.is_superuser:
        return Department.objects.filter(kind=Department.Kind.SERVICE)
    return Department.objects.filter(pk__in=official_department_ids(user=user))


def can_read_outcomes(*, user) -> bool:
    """Every signed-in person of the city may read outcomes, indicators and measurements."""
    return user.is_authenticated


def can_create_outcome(*, user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(official_department_ids(user=user)))


def can_edit_outcome(*, user, outcome: Outcome) -> bool:
    """Officials of the owner department edit the outcome and its indicators."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or outcome.owner_department_id in official_department_ids(user=user)


def can_record_measurements(*, user, outcome: Outcome) -> bool:
    """Officials of the owner and of every contributing department record measurements."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    mine = official_department_ids(user=user)
    if outcome.owner_department_id in mine:
        return True
    contributing = {d.pk for d in outcome.contributing_departments.all()}
    return bool(mine & contributing)


# --- Outcomes ------------------------------------------------------------------------------------------------


def outcome_list(
    *, user, theme: str = "", department: Department | None = None, status: str = ""
) -> QuerySet[Outcome]:
    """Outcomes a signed-in user sees (all of them), filtered; department = owner or contributor."""
    if not can_read_outcomes(user=user):
        return Outcome.objects.none()
    qs = Outcome.objects.select_related("owner_department").annotate(indicator_count=Count("indicators"))
    if theme:
        qs = qs.filter(theme=theme)
    if status:
        qs = qs.filter(status=status)
    if department is not None:
        qs = qs.filter(
            Q(owner_department=department)
            | Q(
                pk__in=Outcome.contributing_departments.through.objects.filter(department=department).values(
                    "outcome_id"
                )
            )
        )
    return qs.prefetch_related("contributing_departments").order_by("title", "pk")


def outcome_get(*, pk: int) -> Outcome:
    return (
        Outcome.objects.select_related("owner_department", "created_by")
        .prefetch_related("contributing_departments")
        .get(pk=pk)
    )


def outcome_events(*, outcome: Outcome, limit: int = 50) -> QuerySet[OutcomeEvent]:
    return outcome.events.select_related("actor")[:limit]


@dataclass(frozen=True)
class IndicatorView:
    indicator: Indicator
    measurements: list[Measurement]
    progress: Progress


def indicators_with_progress(*, outcome: Outcome) -> list[IndicatorView]:
    """Each indicator of the outcome with its measurements (by period) and its progress, in two queries."""
    indicators = (
        outcome.indicators.all()
        .prefetch_related(
            Prefetch(
                "measurements", queryset=Measurement.objects.select_related("recorded_by").order_by("period")
            ),
            "baseline_departments",
            "baseline_categories",
        )
        .order_by("is_retired", "name")
    )
    result = []
    for indicator in indicators:
        rows = list(indicator.measurements.all())
        result.append(
            IndicatorView(indicator=indicator, measurements=rows, progress=indicator.progress(rows))
        )
    return result


def indicator_get(*, pk: int) -> Indicator:
    return Indicator.objects.select_related("outcome", "outcome__owner_department").get(pk=pk)


# --- Baselines computed from the asset register ---------------------------------------------------------------


@dataclass(frozen=True)
class AssetBaseline:
    value: Decimal
    asset_count: int
    note: str  # how the value was obtained, in words, shown beside the baseline


_MEASURE_FIELDS = {
    Indicator.AssetMeasure.ENERGY_COST: ["energy_cost"],
    Indicator.AssetMeasure.MAINTENANCE_COST: ["maintenance_cost"],
    Indicator.AssetMeasure.RUNNING_COST: ["energy_cost", "maintenance_cost"],
}


def asset_baseline(
    *, measure: str, departments: Iterable[Department] = (), categories: Iterable[AssetCategory] = ()
) -> AssetBaseline:
    """A baseline from the in-service assets of the chosen departments and categories (none chosen = all).

    Costs are the assets' yearly costs at start-year prices (EUR per year); a count is a number of assets.
    """
    departments, categories = list(departments), list(categories)
    assets = Asset.objects.filter(status=Asset.Status.IN_SERVICE)
    if departments:
        assets = assets.filter(department__in=departments)
    if categories:
        assets = assets.filter(category__in=categories)
    zero = Decimal("0")
    aggregates = {"n": Count("pk")}
    for field in _MEASURE_FIELDS.get(measure, []):
        aggregates[field] = Coalesce(Sum(field), zero, output_field=Asset._meta.get_field(field))
    figures = assets.aggregate(**aggregates)
    count = figures["n"]
    if measure == Indicator.AssetMeasure.ASSET_COUNT:
        value = Decimal(count)
    elif measure in _MEASURE_FIELDS:
        value = sum((Decimal(figures[f]) for f in _MEASURE_FIELDS[measure]), zero)
    else:
        raise ValueError(f"Unknown asset measure {measure!r}")
    # Stored with the indicator in English; pages show it in the reader's language (asset_baseline_note_shown).
    with translation.override("en"):
        note = asset_baseline_note(
            measure=measure, count=count, departments=departments, categories=categories
        )
    return AssetBaseline(value=value, asset_count=count, note=note[:500])


def asset_baseline_note(*, measure: str, count: int, departments, categories) -> str:
    """How a baseline was computed from the assets, in words, in the active language."""
    return gettext("%(measure)s of %(count)s in-service assets (%(departments)s; %(categories)s)") % {
        "measure": Indicator.AssetMeasure(measure).label,
        "count": count,
        "departments": ", ".join(sorted(d.name for d in departments)) or gettext("all departments"),
        "categories": ", ".join(sorted(c.name for c in categories)) or gettext("all categories"),
    }


_NOTE_COUNT = re.compile(r" of (\d+) in-service assets \(")


def asset_baseline_note_shown(indicator: Indicator) -> str:
    """The stored note of a computed baseline in the reader's language: written again from the indicator's
    measure and selection, with the number of assets the note recorded; the stored words when they cannot be."""
    note = indicator.baseline_source_note
    found = _NOTE_COUNT.search(note or "")
    if not found or indicator.baseline_asset_measure not in Indicator.AssetMeasure.values:
        return note
    return asset_baseline_note(
        measure=indicator.baseline_asset_measure,
        count=int(found.group(1)),
        departments=indicator.baseline_departments.all(),
        categories=indicator.baseline_categories.all(),
    )


def progress_summaries(*, outcomes: Iterable[Outcome]) -> dict[int, list[tuple[str, str, int]]]:
    """For a page of outcomes: per outcome, [(status, words, how many indicators)], retired indicators left out;
    `words` say the count and the status in the active language ("2 on track").

    Two queries for the whole page (indicators and their measurements), whatever its size.
    """
    from .progress import Track

    ids = [o.pk for o in outcomes]
    indicators = Indicator.objects.filter(outcome_id__in=ids, is_retired=False).prefetch_related(
        Prefetch("measurements", queryset=Measurement.objects.only("indicator_id", "period", "value"))
    )
    counts: dict[int, dict[Track, int]] = {pk: {} for pk in ids}
    for indicator in indicators:
        status = indicator.progress(list(indicator.measurements.all())).status
        counts[indicator.outcome_id][status] = counts[indicator.outcome_id].get(status, 0) + 1
    order = [Track.ON_TRACK, Track.AT_RISK, Track.OFF_TRACK, Track.NO_DATA]
    return {
        pk: [(t.value, _count_words(t.value, by_status[t]), by_status[t]) for t in order if t in by_status]
        for pk, by_status in counts.items()
    }


def _count_words(status: str, count: int) -> str:
    if status == "on-track":
        words = ngettext("%(count)s on track", "%(count)s on track", count)
    elif status == "at-risk":
        words = ngettext("%(count)s at risk", "%(count)s at risk", count)
    elif status == "off-track":
        words = ngettext("%(count)s off track", "%(count)s off track", count)
    else:
        words = ngettext("%(count)s no measurement yet", "%(count)s no measurement yet", count)
    return words % {"count": count}
