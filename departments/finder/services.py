"""Writes of the opportunity finder: requesting a run, the job itself, starting a tender from a candidate.

The only place that turns querysets into the finder core's tables and its result back into rows (DESIGN §10).
A run is keyed by the sha256 of its parameters: a second request with the same parameters while one is queued
or running returns that run. Results are written in one transaction with the final status, so a run is never
half-stored; a finished run is never recomputed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db import connection, transaction
from django.db.models import F, FloatField
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.jobs import job_lock
from departments import stored_text as texts
from departments.models import Asset, AssetCategory, AuditEvent, Department
from finance.engine import Assumptions, EngineError
from finance.selectors.scenarios import to_money

from . import selectors
from .clustering import RADIUS_LIMITS_M, WINDOW_LIMITS_YEARS, ClusteringError
from .core import ASSET_TABLE_COLUMNS, FinderResult, find_candidates
from .exceptions import FinderError, FinderInputRejected, FinderNotPermitted, NothingToBundle
from .models import FinderCandidate, FinderRun
from .valuation import SYNERGY_LIMITS

logger = logging.getLogger(__name__)

# A worker that died this many times on one run gives it up (a poison input must not loop).
MAX_ATTEMPTS = 3
PROGRESS_THROTTLE = 0.2  # seconds between progress writes
LOCK_WAIT = 5.0  # seconds a delivery waits for a run's lock before concluding a live process computes it
_LOCK_NAMESPACE = 8_016  # pg advisory-lock namespace of finder runs (scenario runs use 8_001)
# A queued/running run older than this is not reused by a new request (its worker was probably lost).
STALE_AFTER = timedelta(minutes=20)


def max_stored_candidates() -> int:
    """Candidates stored per run, best first (settings.FINDER_MAX_STORED_CANDIDATES, default 2,000 — 80 pages of
    the ranked table): a city reads the top of the list; the run records how many were found in all. Storing
    every candidate of a million-asset region (≈ 230,000) would cost more than finding them."""
    return int(getattr(settings, "FINDER_MAX_STORED_CANDIDATES", 2_000))


def _audit(*, actor, action: str, obj, summary: str, data: dict | None = None) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        entity=obj.__class__.__name__,
        entity_id=str(obj.pk),
        summary=summary[:500],
        data=data or {},
    )


# --- Requesting a run ------------------------------------------------------------------------------------------


def finder_params_hash(*, radius_m: int, window_years: int, outcome_id: int | None, synergy: Decimal) -> str:
    canonical = json.dumps(
        {
            "radius_m": int(radius_m),
            "window_years": int(window_years),
            "outcome": outcome_id,
            "synergy": str(Decimal(synergy).quantize(Decimal("0.001"))),
        },
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def finder_check_request(
    *, radius_m: int, window_years: int, outcome, synergy: Decimal
) -> tuple[dict[str, list[str]], list[str]]:
    """Every problem with a request, keyed by form field ("__all__": about the data), and notes for the run.

    Parameters are checked first; the data (do the selected assets leave anything to group?) only when the
    parameters are sound, with two aggregate queries. Problems are in the active language (a request's; English
    when a run is executed, see finder_run_execute); notes are always English (stored on the run, translated
    when shown: departments/stored_text.py).
    """
    errors: dict[str, list[str]] = {}
    low, high = RADIUS_LIMITS_M
    if radius_m is None or not low <= radius_m <= high:
        errors["radius_m"] = [_(texts.FINDER_RADIUS_RANGE) % {"low": intcomma(low), "high": intcomma(high)}]
    low, high = WINDOW_LIMITS_YEARS
    if window_years is None or not low <= window_years <= high:
        errors["window_years"] = [_(texts.FINDER_WINDOW_RANGE) % {"low": low, "high": high}]
    low_s, high_s = SYNERGY_LIMITS
    if synergy is None or not Decimal(str(low_s)) <= synergy <= Decimal(str(high_s)):
        errors["synergy"] = [_(texts.FINDER_SYNERGY_RANGE) % {"low": f"{low_s:.0%}", "high": f"{high_s:.0%}"}]
    category_ids = None
    notes: list[str] = []
    if outcome is not None:
        category_ids = selectors.outcome_category_ids(outcome=outcome)
        if not category_ids:
            errors["outcome"] = [_(texts.FINDER_OUTCOME_NO_CATEGORIES) % {"outcome": outcome.title}]
        else:
            names = AssetCategory.objects.filter(pk__in=category_ids).order_by("name")
            notes.append(
                texts.NOTE_ONLY_CATEGORIES
                % {"outcome": outcome.title, "categories": ", ".join(c.name for c in names)}
            )
    if errors:
        return errors, notes
    check = selectors.finder_data_check(category_ids=category_ids)
    some = category_ids is not None  # the messages then say "of those categories"
    if check.assets == 0:
        errors["__all__"] = [
            _(texts.FINDER_NOTHING_TO_SCAN_OF_CATEGORIES if some else texts.FINDER_NOTHING_TO_SCAN)
        ]
    elif check.departments < 2:
        errors["__all__"] = [
            _(texts.FINDER_ONE_DEPARTMENT_OF_CATEGORIES if some else texts.FINDER_ONE_DEPARTMENT)
            % {"department": check.department_name}
        ]
    elif check.with_coordinates == 0 and check.with_area == 0:
        errors["__all__"] = [
            _(texts.FINDER_NOT_PLACEABLE_OF_CATEGORIES if some else texts.FINDER_NOT_PLACEABLE)
            % {"count": intcomma(check.assets)}
        ]
    elif check.with_coordinates == 0:
        notes.append(
            (texts.NOTE_AREA_ONLY_OF_CATEGORIES if some else texts.NOTE_AREA_ONLY)
            % {"count": f"{check.assets:,}"}
        )
    return errors, notes


def finder_run_request(
    *,
    actor,
    radius_m: int = 150,
    window_years: int = 3,
    outcome=None,
    synergy: Decimal = Decimal("0.100"),
    enqueue: bool = True,
) -> FinderRun:
    """Ask for a scan. Raises FinderNotPermitted, or FinderInputRejected listing every problem per field.

    Same parameters as a run still queued or running (and not stale): that run. Otherwise a queued run, sent
    to the worker once this transaction commits (inline when there is no broker).
    """
    if not selectors.user_may_use_finder(user=actor):
        raise FinderNotPermitted(_("Only officials and finance staff can run the opportunity finder."))
    synergy = Decimal(str(synergy)).quantize(Decimal("0.001"))
    errors, notes = finder_check_request(
        radius_m=radius_m, window_years=window_years, outcome=outcome, synergy=synergy
    )
    if errors:
        raise FinderInputRejected(errors)
    digest = finder_params_hash(
        radius_m=radius_m,
        window_years=window_years,
        outcome_id=outcome.pk if outcome else None,
        synergy=synergy,
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Serialise requests (two clicks, two people): the second sees the first's queued run and reuses it
            # instead of starting a second identical scan. Transaction-scoped, released at commit.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [_LOCK_NAMESPACE])
        in_flight = (
            FinderRun.objects.filter(
                params_hash=digest,
                status__in=[FinderRun.Status.QUEUED, FinderRun.Status.RUNNING],
                created_at__gte=timezone.now() - STALE_AFTER,
            )
            .order_by("-created_at")
            .first()
        )
        if in_flight is not None:
            return in_flight
        run = FinderRun(
            requested_by=actor,
            radius_m=radius_m,
            window_years=window_years,
            outcome=outcome,
            synergy=synergy,
            params_hash=digest,
            notes=notes,
        )
        run.full_clean(exclude=["requested_by"])
        run.save()
        _audit(
            actor=actor,
            action="finder.run",
            obj=run,
            summary=texts.FINDER_RUN_QUEUED % {"number": run.pk},
            data={
                "radius_m": radius_m,
                "window_years": window_years,
                "outcome": outcome.pk if outcome else None,
                "synergy": str(synergy),
            },
        )
        if enqueue:
            run_id = run.pk
            transaction.on_commit(lambda: finder_run_enqueue(run_id=run_id))
    return run


def finder_run_enqueue(*, run_id: int) -> None:
    from .tasks import run_finder

    try:
        run_finder.delay(run_id)
    except Exception as exc:  # noqa: BLE001 — a broker that cannot be reached must not leave a run queued forever
        logger.exception("could not queue finder run %s", run_id)
        finder_run_mark_failed(run_id=run_id, message=texts.FINDER_NOT_QUEUED % {"error": exc})


# --- Executing a run (called by the task) ----------------------------------------------------------------------


def _run_lock(run_id: int):
    """The run's advisory lock while it is computed (config.jobs.job_lock says why)."""
    return job_lock(_LOCK_NAMESPACE, run_id, wait=LOCK_WAIT)


def _progress_writer(run_id: int):
    state = {"pct": -1, "at": 0.0}

    def report(pct: int) -> None:
        now = time.monotonic()
        if pct > state["pct"] and (now - state["at"] >= PROGRESS_THROTTLE or pct - state["pct"] >= 25):
            FinderRun.objects.filter(pk=run_id, status=FinderRun.Status.RUNNING).update(progress=min(pct, 99))
            state.update(pct=pct, at=now)

    return report


def finder_default_assumptions() -> Assumptions:
    """The city's default assumptions: the engine's documented defaults (docs/finance.md), next year as the
    first year (a bundle found now is procured now and starts next year), no Monte Carlo draws (the finder
    ranks on the base case)."""
    return Assumptions(start_year=timezone.now().year + 1, draws=0)


def load_asset_table(*, category_ids: set[int] | None) -> pd.DataFrame:
    """The assets a run scans as the core's table (ASSET_TABLE_COLUMNS): one query, ids instead of codes
    (department and category only need to be told apart), money and coordinates as float (the engine
    projects in float64; results are rounded to cents when stored)."""
    queryset = (
        selectors.finder_assets(category_ids=category_ids)
        .annotate(
            lat=Cast("latitude", FloatField()),
            lon=Cast("longitude", FloatField()),
            replacement=Cast("replacement_cost", FloatField()),
            maintenance=Cast("maintenance_cost", FloatField()),
            energy=Cast("energy_cost", FloatField()),
        )
        .order_by()
        .values_list(
            "pk",
            "department_id",
            "category_id",
            "area",
            "lat",
            "lon",
            "install_year",
            "life_years",
            "replacement",
            "maintenance",
            "energy",
        )
    )
    columns = list(ASSET_TABLE_COLUMNS)
    if connection.vendor == "postgresql":
        table = _copy_to_frame(queryset, columns)
    else:
        table = pd.DataFrame.from_records(list(queryset), columns=columns)
    for col in ("latitude", "longitude"):
        table[col] = table[col].astype(float)  # None -> NaN
    table["area"] = table["area"].fillna("")
    table["category"] = table["category"].astype(str)
    return table


def _copy_to_frame(queryset, columns: list[str]) -> pd.DataFrame:
    """PostgreSQL: stream the query's rows as CSV with COPY and parse them with pandas, instead of building a
    Python tuple per asset through the ORM (a million assets: 3.5 s on the loaded benchmark machine)."""
    import io

    sql, params = queryset.query.sql_with_params()
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
            for block in copy:
                buffer.write(block)
    if buffer.tell() == 0:
        return pd.DataFrame(columns=columns)
    buffer.seek(0)
    return pd.read_csv(
        buffer,
        names=columns,
        header=None,
        dtype={"area": str, "category": str},
        keep_default_na=False,  # an area called "NA" stays an area
        na_values={"latitude": [""], "longitude": [""]},
    )


def load_catalogue(*, category_ids) -> pd.DataFrame:
    """The upgrade catalogue in the engine's columns, keyed by category id as text (as in load_asset_table)."""
    rows = AssetCategory.objects.filter(pk__in=category_ids).values_list(
        "pk", "upgrade_unit_cost", "upgrade_life_years", "upgrade_maintenance_cost", "upgrade_energy_cost"
    )
    return pd.DataFrame(
        [(str(pk), float(c), life, float(m), float(e)) for pk, c, life, m, e in rows],
        columns=["category", "unit_cost", "life_years", "maintenance_cost", "energy_cost"],
    )


def finder_run_execute(run_id: int) -> FinderRun:
    """Scan, value and store a queued (or abandoned running) run; idempotent and safe to run twice.

    Bad parameters or data end the run failed with a message in plain words; other errors propagate to the
    task, which marks the run failed.
    """
    with _run_lock(run_id) as acquired:
        run = FinderRun.objects.get(pk=run_id)
        if not acquired or run.is_finished:
            return run
        claimed = FinderRun.objects.filter(
            pk=run_id, status__in=[FinderRun.Status.QUEUED, FinderRun.Status.RUNNING]
        ).update(
            status=FinderRun.Status.RUNNING,
            started_at=timezone.now(),
            progress=0,
            attempts=F("attempts") + 1,
        )
        run.refresh_from_db()
        if not claimed:
            return run
        if run.attempts > MAX_ATTEMPTS:
            return finder_run_mark_failed(
                run_id=run_id,
                message=texts.FINDER_GAVE_UP % {"attempts": MAX_ATTEMPTS},
            )
        # The reasons are stored on the run in English (override(None): the source text), translated when shown.
        with translation.override(None):
            errors, _notes = finder_check_request(
                radius_m=run.radius_m, window_years=run.window_years, outcome=run.outcome, synergy=run.synergy
            )
        if errors:  # the data changed since the request (assets retired, bundled, categories removed)
            return finder_run_mark_failed(
                run_id=run_id, message="\n".join(m for ms in errors.values() for m in ms)
            )
        started = time.perf_counter()
        category_ids = selectors.outcome_category_ids(outcome=run.outcome) if run.outcome else None
        report = _progress_writer(run_id)
        table = load_asset_table(category_ids=category_ids)
        report(10)
        assumptions = finder_default_assumptions()
        try:
            result = find_candidates(
                table,
                load_catalogue(category_ids=set(table["category"].astype(int))),
                radius_m=run.radius_m,
                window_years=run.window_years,
                synergy=float(run.synergy),
                assumptions=assumptions,
                describe=max_stored_candidates(),
                progress=lambda pct: report(10 + int(pct * 0.8)),
            )
        except (ClusteringError, EngineError) as exc:
            problems = getattr(exc, "problems", None) or [str(exc)]
            return finder_run_mark_failed(run_id=run_id, message="\n".join(problems))
        duration_ms = int((time.perf_counter() - started) * 1000)
        return _store_results(
            run_id=run_id, result=result, start_year=assumptions.start_year, duration_ms=duration_ms
        )


def finder_run_mark_failed(*, run_id: int, message: str) -> FinderRun:
    """End a run as failed with a message for the user; a failed run has no candidates."""
    with transaction.atomic():
        run = FinderRun.objects.select_for_update().get(pk=run_id)
        if run.status == FinderRun.Status.SUCCEEDED:
            return run
        run.status = FinderRun.Status.FAILED
        run.error_message = message
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error_message", "finished_at"])
    return run


def _store_results(*, run_id: int, result: FinderResult, start_year: int, duration_ms: int) -> FinderRun:
    """Write the best candidates and the final status in ONE transaction: a run is never half-stored."""
    limit = max_stored_candidates()
    candidates = result.candidates.iloc[:limit] if len(result.candidates) else result.candidates
    department_names = dict(Department.objects.values_list("pk", "name"))
    department_codes = dict(Department.objects.values_list("pk", "code"))
    category_names = {str(pk): name for pk, name in AssetCategory.objects.values_list("pk", "name")}
    rows: list[FinderCandidate] = []
    if len(candidates):
        members = result.members.groupby("group")["asset_id"].apply(lambda s: sorted(int(x) for x in s))
        by_department: dict[int, list[dict]] = {}
        for group, dept, count, cost in result.by_department.itertuples(index=False, name=None):
            by_department.setdefault(int(group), []).append(
                {
                    "code": department_codes.get(int(dept), str(dept)),
                    "name": department_names.get(int(dept), str(dept)),
                    "count": int(count),
                    "replacement_cost": str(to_money(round(float(cost), 2))),
                }
            )
        by_category: dict[int, list[str]] = {}
        for group, category, _count in result.by_category.itertuples(index=False, name=None):
            by_category.setdefault(int(group), []).append(category_names.get(str(category), str(category)))
        for row in candidates.to_dict("records"):
            group = int(row["group"])
            spatial = row["kind"] == "nearby"
            rows.append(
                FinderCandidate(
                    run_id=run_id,
                    rank=int(row["rank"]),
                    kind=FinderCandidate.Kind.NEARBY if spatial else FinderCandidate.Kind.AREA,
                    label=(row.get("label") or "")[:200],
                    asset_ids=members[group],
                    asset_count=int(row["asset_count"]),
                    departments=by_department[group],
                    department_count=int(row["department_count"]),
                    categories=by_category.get(group, []),
                    end_of_life_first=int(row["end_of_life_first"]),
                    end_of_life_last=int(row["end_of_life_last"]),
                    latitude=_finite(row.get("latitude")),
                    longitude=_finite(row.get("longitude")),
                    spread_m=_finite(row.get("spread_m")),
                    replacement_cost_due=to_money(round(row["replacement_cost_due"], 2)),
                    npv_status_quo=to_money(round(row["npv_status_quo"], 2)),
                    npv_capex=to_money(round(row["npv_capex"], 2)),
                    npv_opex_service=to_money(round(row["npv_opex_service"], 2)),
                    npv_shared_savings=to_money(round(row["npv_shared_savings"], 2)),
                    opex_service_bankable=bool(row["partner_npv_opex_service"] >= -0.005),
                    shared_savings_bankable=bool(row["partner_npv_shared_savings"] >= -0.005),
                    best_scenario=row["best_scenario"],
                    best_npv=to_money(round(row["best_npv"], 2)),
                    savings=to_money(round(row["savings"], 2)),
                )
            )
    found = len(result.candidates)
    # Notes are stored in English and translated when shown (departments/stored_text.py).
    notes_extra = [texts.NOTE_BUNDLED_LEFT_OUT, texts.NOTE_DEFAULT_VALUES % {"year": start_year}]
    if result.assets_without_coordinates and result.assets_without_coordinates < result.assets_considered:
        notes_extra.append(
            texts.NOTE_WITHOUT_COORDINATES
            % {"without": f"{result.assets_without_coordinates:,}", "total": f"{result.assets_considered:,}"}
        )
    if found > len(rows):
        notes_extra.append(texts.NOTE_STORED_BEST % {"found": f"{found:,}", "stored": f"{len(rows):,}"})
    if found == 0:
        notes_extra.append(texts.NOTE_NO_CANDIDATE)
    with transaction.atomic():
        # Lock the run: if another delivery stored results meanwhile, do not store them twice.
        run = FinderRun.objects.select_for_update().get(pk=run_id)
        if run.status == FinderRun.Status.SUCCEEDED:
            return run
        FinderCandidate.objects.bulk_create(rows, batch_size=1000)
        run.status = FinderRun.Status.SUCCEEDED
        run.progress = 100
        run.start_year = start_year
        run.assets_considered = result.assets_considered
        run.assets_without_coordinates = result.assets_without_coordinates
        run.candidate_count = found
        run.stored_count = len(rows)
        run.notes = [*run.notes, *notes_extra]
        run.error_message = ""
        run.finished_at = timezone.now()
        run.duration_ms = duration_ms
        run.save()
    return run


def _finite(value) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if np.isfinite(f) else None


# --- Starting a tender from a candidate -------------------------------------------------------------------------


@dataclass(frozen=True)
class TenderStarted:
    tender: object
    added: int
    # (asset reference, tender reference) of the candidate's assets already bundled in another active tender
    already_bundled: list[tuple[str, str]]
    no_longer_in_service: int
    existing: bool = False


def finder_candidate_start_tender(*, candidate: FinderCandidate, actor) -> TenderStarted:
    """Create a draft tender bundling the candidate's assets (action: upgrade) through procurement's services.

    One active tender per asset: assets already bundled elsewhere are left out and reported, retired ones too;
    if none is left, nothing is created (NothingToBundle). The lead department is the actor's official
    department among the candidate's departments (the one with the largest replacement cost), else their first
    official department. A second click returns the tender already started (the candidate row is locked).
    """
    from procurement.models import Tender, TenderAsset
    from procurement.services.tenders import tender_assets_add, tender_create

    if not selectors.user_may_use_finder(user=actor):
        raise FinderNotPermitted(_("Only officials and finance staff can use the opportunity finder."))
    official_ids = selectors.official_department_ids(user=actor)
    if not official_ids:
        raise FinderNotPermitted(_("Only officials of a department can start a tender."))
    with transaction.atomic():
        locked = FinderCandidate.objects.select_for_update().select_related("run").get(pk=candidate.pk)
        if locked.tender_id is not None:
            tender = Tender.objects.get(pk=locked.tender_id)
            if tender.status != Tender.Status.CANCELLED:
                return TenderStarted(tender, 0, [], 0, existing=True)
        codes = [d["code"] for d in locked.departments]
        by_code = dict(Department.objects.filter(pk__in=official_ids).values_list("code", "pk"))
        lead_id = next((by_code[c] for c in codes if c in by_code), official_ids[0])
        lead = Department.objects.get(pk=lead_id)
        conflicts = selectors.candidate_conflicts(candidate=locked)
        assets = Asset.objects.filter(pk__in=locked.asset_ids)
        retired = assets.exclude(status=Asset.Status.IN_SERVICE).count()
        free = assets.filter(status=Asset.Status.IN_SERVICE).exclude(
            pk__in=TenderAsset.objects.filter(active=True).values("asset_id")
        )
        if not free.exists():
            message = _(
                "Every asset of this candidate is already in an active tender or no longer in service: "
                "there is nothing left to bundle."
            )
            if conflicts:
                message += " " + _("Already bundled: %(assets)s.") % {"assets": _conflict_words(conflicts)}
            raise NothingToBundle(message)
        run = locked.run
        # The tender's title and description are written in the language of the official who starts it.
        where = locked.label or _("candidate %(rank)s") % {"rank": locked.rank}
        names = ", ".join(d["name"] for d in locked.departments)
        tender = tender_create(
            actor=actor,
            lead_department=lead,
            title=(
                _("Integrated renewal — %(where)s (%(departments)s)") % {"where": where, "departments": names}
            )[:200],
            description=(
                _("Proposed by the opportunity finder (run %(run)s, candidate %(rank)s).")
                % {"run": run.pk, "rank": locked.rank}
                + " "
                + selectors.candidate_explanation(candidate=locked, run=run)
            ),
            contract_term_years=Assumptions().contract_term,
        )
        added = tender_assets_add(tender=tender, assets=free, actor=actor, action=TenderAsset.Action.UPGRADE)
        locked.tender = tender
        locked.save(update_fields=["tender"])
        _audit(
            actor=actor,
            action="finder.tender",
            obj=locked,
            summary=texts.FINDER_TENDER_STARTED
            % {"reference": tender.reference, "run": run.pk, "rank": locked.rank},
            data={
                "tender": tender.reference,
                "added": added,
                "already_bundled": [list(c) for c in conflicts],
                "no_longer_in_service": retired,
            },
        )
    return TenderStarted(tender, added, conflicts, retired)


def _conflict_words(conflicts: list[tuple[str, str]], limit: int = 10) -> str:
    shown = ", ".join(
        _("%(asset)s (in %(tender)s)") % {"asset": a, "tender": t} for a, t in conflicts[:limit]
    )
    if len(conflicts) > limit:
        return _("%(assets)s and %(more)s more") % {"assets": shown, "more": len(conflicts) - limit}
    return shown


__all__ = [
    "FinderError",
    "TenderStarted",
    "finder_candidate_start_tender",
    "finder_run_execute",
    "finder_run_mark_failed",
    "finder_run_request",
]
