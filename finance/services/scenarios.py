"""Writes of financing scenarios: assumptions, run requests, the job itself, choosing a scenario, the reaper.

This is the only place that turns querysets into the engine's DataFrames and the engine's tables back into
rows (DESIGN §10, "Pure engine"). A run is keyed by the sha256 of its canonical input snapshot, so the same
inputs are computed once; results are written in one transaction, so a run is never half-stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import BigIntegerField, F, Q, Sum
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.jobs import job_lock, send_job
from departments.models import Asset, AssetCategory
from finance.engine import Assumptions, EngineError, EngineResult, run_all
from finance.engine.presets import DEFAULT_PROJECT_TYPE, OPTIMISM_BIAS_PRESETS
from finance.exceptions_scenarios import FinancingFrozen, NothingToRun, RunNotChoosable
from finance.models import (
    Contribution,
    FinancingChoice,
    MonteCarloResult,
    ScenarioAssumptions,
    ScenarioCashFlow,
    ScenarioRun,
    ScenarioSummary,
    SensitivityResult,
)
from finance.models.packed import Packed, canonical_bytes, pack
from finance.models.scenarios import Scenario
from finance.selectors.scenarios import SNAPSHOT_MONEY_COLUMNS, financing_frozen_reason, to_money

logger = logging.getLogger(__name__)

# 2: asset rows as arrays, money as whole cents (issue 17); runs stored with version 1 stay readable.
SNAPSHOT_VERSION = 2
# A message whose worker died this many times is given up (a poison input must not loop forever).
MAX_ATTEMPTS = 3
# Progress is written at most this often (seconds): a row update per Monte Carlo chunk would be wasteful.
PROGRESS_THROTTLE = 0.2
# Seconds a delivery waits for a run's lock before concluding that a live process is computing it.
LOCK_WAIT = 5.0
# Advisory-lock namespace (first key of pg_try_advisory_lock(int, int)) for scenario runs.
_LOCK_NAMESPACE = 8_001

# Model field -> engine Assumptions field (the rest have the same name).
ENGINE_NAMES = {
    "horizon_years": "horizon",
    "contract_term_years": "contract_term",
    "monte_carlo_draws": "draws",
}
MODEL_NAMES = {v: k for k, v in ENGINE_NAMES.items()}
ASSUMPTION_FIELDS = [
    "start_year",
    "horizon_years",
    "discount_rate",
    "inflation",
    "energy_escalation",
    "optimism_bias",
    "partner_cost_of_capital",
    "partner_margin",
    "contract_term_years",
    "partner_savings_share",
    "payment_at_risk_share",
    "outcome_achievement",
    "monte_carlo_draws",
    "seed",
]


# --- Assumptions ---------------------------------------------------------------------------------------------


def scenario_assumptions_defaults(*, tender) -> dict[str, Any]:
    """Defaults for a new tender: the engine's documented defaults (one source of truth, docs/finance.md),
    the tender's contract term, and next year as the first year (a tender procured now starts next year)."""
    engine = Assumptions()
    values: dict[str, Any] = {"project_type": DEFAULT_PROJECT_TYPE}
    for name in ASSUMPTION_FIELDS:
        value = getattr(engine, ENGINE_NAMES.get(name, name))
        values[name] = Decimal(str(value)) if isinstance(value, float) else value
    values["start_year"] = timezone.now().year + 1
    values["contract_term_years"] = min(tender.contract_term_years, values["horizon_years"])
    return values


def scenario_assumptions_for(*, tender) -> ScenarioAssumptions:
    """The tender's saved assumptions, or an unsaved instance holding the defaults."""
    existing = ScenarioAssumptions.objects.filter(tender=tender).first()
    return existing or ScenarioAssumptions(tender=tender, **scenario_assumptions_defaults(tender=tender))


def engine_assumptions(values: dict[str, Any] | ScenarioAssumptions) -> Assumptions:
    """Engine Assumptions from model values (Decimal rates become floats: the engine projects in float64)."""
    if isinstance(values, ScenarioAssumptions):
        values = {name: getattr(values, name) for name in ASSUMPTION_FIELDS}
    kwargs = {}
    for name in ASSUMPTION_FIELDS:
        value = values.get(name)
        if value is None:
            continue
        kwargs[ENGINE_NAMES.get(name, name)] = float(value) if isinstance(value, Decimal) else value
    return Assumptions(**kwargs)


def assumption_problems_by_field(values: dict[str, Any]) -> dict[str, list[str]]:
    """The engine's own validation messages, keyed by the model field they are about (None: not one field).

    The browser form shows exactly the sentences the engine would raise, so a user never meets two wordings.
    """
    out: dict[str, list[str]] = {}
    for problem in engine_assumptions(values).problems():
        engine_name = problem.params.get("field") or problem.split(" ", 1)[0]
        field = MODEL_NAMES.get(engine_name, engine_name)
        out.setdefault(field if field in ASSUMPTION_FIELDS else "__all__", []).append(problem)
    return out


def _lock_tender_with_open_financing(tender_id: int):
    """Lock the tender row and refuse if its financing is frozen (approved or later).

    The lock serialises a financing change with the lifecycle (which locks the same row): an approval that
    commits first is seen here, and one that waits sees the change, so nothing changes after approval.
    """
    from procurement.models import Tender

    tender = Tender.objects.select_for_update().get(pk=tender_id)
    reason = financing_frozen_reason(tender=tender)
    if reason:
        raise FinancingFrozen(reason)
    return tender


def scenario_assumptions_save(*, tender, values: dict[str, Any], actor) -> ScenarioAssumptions:
    """Create or update a tender's assumptions (`values` may hold only the fields that change); raises
    EngineError listing every problem of the resulting assumptions (nothing saved), FinancingFrozen once the
    tender is approved."""
    with transaction.atomic():
        _lock_tender_with_open_financing(tender.pk)
        obj = ScenarioAssumptions.objects.select_for_update().filter(tender=tender).first()
        if obj is None:
            obj = ScenarioAssumptions(tender=tender, **scenario_assumptions_defaults(tender=tender))
        before = {name: str(getattr(obj, name)) for name in ["project_type", *ASSUMPTION_FIELDS]}
        for name in ["project_type", *ASSUMPTION_FIELDS]:
            if name in values:
                setattr(obj, name, values[name])
        problems = assumption_problems_by_field({name: getattr(obj, name) for name in ASSUMPTION_FIELDS})
        if problems:
            raise EngineError([p for ps in problems.values() for p in ps])
        obj.updated_by = actor
        obj.full_clean(exclude=["updated_by"])  # None when the demo loader saves them
        obj.save()
        changed = {
            name: [before[name], str(getattr(obj, name))]
            for name in before
            if before[name] != str(getattr(obj, name))
        }
        _tender_event(tender=tender, actor=actor, action="assumptions", comment=json.dumps(changed))
    return obj


def optimism_bias_presets() -> list[dict[str, Any]]:
    """Green Book presets for the form: project type, label and CapEx upper/lower uplift (fractions)."""
    from finance.scenario_text import PRESET_LABELS

    return [
        {
            "project_type": p.project_type,
            "label": PRESET_LABELS.get(p.project_type, p.description),
            "upper": Decimal(str(p.capex_upper)),
            "lower": Decimal(str(p.capex_lower)),
        }
        for p in OPTIMISM_BIAS_PRESETS.values()
    ]


def _tender_event(*, tender, actor, action: str, comment: str = "") -> None:
    """Append to the tender's history (procurement's append-only TenderEvent), so financing changes show there."""
    from procurement.models import TenderEvent

    TenderEvent.objects.create(tender=tender, actor=actor, action=action[:32], comment=comment)


# --- Inputs snapshot -------------------------------------------------------------------------------------------


def _money_cents(field: str):
    """A money column as whole cents (int). PostgreSQL multiplies its exact numeric(…, 2) and sends an integer
    (no Decimal per value: 150,000 of them at 50,000 assets). SQLite stores money as floating point, so there the
    column is read as the ORM's Decimal (quantized to the field's places) and turned into cents in Python
    (`_cents`): never by multiplying a float."""
    if connection.vendor == "postgresql":
        return Cast(F(field) * 100, BigIntegerField())
    return F(field)


def _cents(amount: Decimal) -> int:
    """Whole cents of an amount of at most two decimals (exact: Decimal arithmetic, no float)."""
    return int(to_money(amount).scaleb(2))


# The keys of a version-2 snapshot's asset rows, in the engine's ASSET_COLUMNS order (money as whole cents).
ASSET_KEYS = (
    "asset_id",
    "department",
    "category",
    "install_year",
    "life_years",
    "replacement_cost_cents",
    "maintenance_cost_cents",
    "energy_cost_cents",
    "action",
)


def _bundled_asset_rows(*, tender) -> list[tuple]:
    """The tender's bundled assets as rows of ASSET_KEYS, sorted by asset id (unique: `department:reference`)."""
    links = (
        Asset.objects.filter(tender_links__tender=tender)
        .annotate(
            repl=_money_cents("replacement_cost"),
            maint=_money_cents("maintenance_cost"),
            energy=_money_cents("energy_cost"),
        )
        .values_list(
            "department__code",
            "external_ref",
            "category__code",
            "install_year",
            "life_years",
            "repl",
            "maint",
            "energy",
            "tender_links__action",
        )
        .order_by()
    )
    if connection.vendor == "postgresql":
        # The ORM's query, read by its cursor: through values_list Django would pass each of the 150,000
        # integers through int() once more (a converter per value: ~40 ms at 50,000 assets); psycopg gives ints.
        sql, params = links.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            raw = cursor.fetchall()
    else:
        raw = [(*row[:5], _cents(row[5]), _cents(row[6]), _cents(row[7]), row[8]) for row in links]
    # Tuples (JSON arrays once encoded; lists when read back): the garbage collector stops tracking tuples of
    # plain values, while 50,000 new lists set off its collections over the whole heap (85 ms against 13 ms).
    rows = [
        (f"{dept}:{ref}", dept, cat, install, life, repl, maint, energy, action)
        for dept, ref, cat, install, life, repl, maint, energy, action in raw
    ]
    # By asset id (unique), given as the key: a sort of plain strings, several times faster than comparing rows.
    rows.sort(key=itemgetter(0))
    return rows


def scenario_inputs_snapshot(*, tender) -> dict[str, Any]:
    """Everything the engine will see, as canonical JSON-able data (money as whole cents, sorted rows).

    Version 2 (issue 17): the asset table is a list of rows (arrays) whose columns `asset_columns` names
    (ASSET_KEYS), and money is an integer number of cents under `<name>_cents`: exact like text, one vectorised
    division for the engine instead of parsing 150,000 strings, and no 50,000 dicts to build, encode (10.5 MB of
    JSON, most of it repeated keys) and decode. The small tables (catalogue, budgets) stay lists of objects.
    Version 1, in runs stored before, held asset objects and money as str(Decimal) under the plain names;
    engine_frames and the selectors (`snapshot_assets`, `snapshot_amount`) read both.
    """
    assets = _bundled_asset_rows(tender=tender)
    categories = sorted({row[2] for row in assets})
    catalogue = [
        {
            "category": code,
            "unit_cost_cents": _cents(cost),
            "life_years": life,
            "maintenance_cost_cents": _cents(maint),
            "energy_cost_cents": _cents(energy),
        }
        for code, cost, life, maint, energy in AssetCategory.objects.filter(code__in=categories)
        .values_list(
            "code",
            "upgrade_unit_cost",
            "upgrade_life_years",
            "upgrade_maintenance_cost",
            "upgrade_energy_cost",
        )
        .order_by("code")
    ]
    budgets = [
        # quantized by _cents: SQLite's SUM drops trailing zeros, and the hash must not depend on the database
        {"department": dept, "fiscal_year": year, "budget_type": btype, "amount_cents": _cents(total)}
        for dept, year, btype, total in Contribution.objects.filter(
            tender=tender, status=Contribution.Status.APPROVED
        )
        .values_list("budget_line__department__code", "budget_line__fiscal_year", "budget_line__budget_type")
        .annotate(total=Sum("amount"))
        .order_by("budget_line__department__code", "budget_line__fiscal_year", "budget_line__budget_type")
    ]
    assumptions = scenario_assumptions_for(tender=tender)
    return {
        "version": SNAPSHOT_VERSION,
        "asset_columns": list(ASSET_KEYS),
        "assets": assets,
        "catalogue": catalogue,
        "assumptions": engine_assumptions(assumptions).to_dict(),
        "project_type": assumptions.project_type,
        "budgets": budgets,
    }


def canonical_json(snapshot: dict[str, Any]) -> str:
    """The snapshot as canonical JSON (sorted keys, no spaces, UTF-8): equal inputs give equal text.

    orjson, not the json module: a 50,000-asset snapshot is ~10 MB of JSON, which the json module encodes in
    ~0.25 s (more than the engine's whole computation) and orjson in ~20 ms.
    """
    return canonical_bytes(snapshot).decode("utf-8")


def input_hash(snapshot: dict[str, Any] | str | bytes) -> str:
    """sha256 of the canonical JSON (a snapshot, or its canonical text or bytes): equal inputs, equal hashes."""
    if isinstance(snapshot, bytes):
        canonical = snapshot
    elif isinstance(snapshot, str):
        canonical = snapshot.encode("utf-8")
    else:
        canonical = canonical_bytes(snapshot)
    return hashlib.sha256(canonical).hexdigest()


def _engine_table(
    rows: list[dict], columns: tuple[str, ...], money: tuple[str, ...], version: int
) -> pd.DataFrame:
    if version < 2:
        frame = pd.DataFrame.from_records(rows, columns=list(columns))
        for col in money:
            frame[col] = frame[col].astype(float)
        return frame
    keys = [f"{c}_cents" if c in money else c for c in columns]
    return _engine_table_from_tuples(list(map(itemgetter(*keys), rows)), columns, money)


def _engine_table_from_tuples(
    rows: list[tuple], columns: tuple[str, ...], money: tuple[str, ...]
) -> pd.DataFrame:
    """A table from rows (tuples or lists) of a version-2 snapshot in `columns` order (money in whole cents)."""
    frame = pd.DataFrame.from_records(rows, columns=list(columns))
    for col in money:
        # cents / 100 is one correctly rounded division of two exact numbers: the very double that float() of
        # the amount's text gives, so version-1 and version-2 snapshots of the same inputs give the same tables.
        frame[col] = frame[col].to_numpy(dtype=np.int64) / 100
    return frame


def engine_frames(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The engine's arguments from a snapshot of either version (run_all(**engine_frames(snapshot)))."""
    from finance.engine.inputs import ASSET_COLUMNS, BUDGET_COLUMNS, CATALOGUE_COLUMNS

    version = snapshot.get("version", 1)
    money = SNAPSHOT_MONEY_COLUMNS
    if version >= 2:
        if tuple(snapshot["asset_columns"]) != ASSET_KEYS:
            raise ValueError(f"unexpected asset columns in a version {version} snapshot")
        assets = _engine_table_from_tuples(snapshot["assets"], ASSET_COLUMNS, money["assets"])
    else:
        assets = _engine_table(snapshot["assets"], ASSET_COLUMNS, money["assets"], version)
    budgets = None
    if snapshot.get("budgets"):
        budgets = _engine_table(snapshot["budgets"], BUDGET_COLUMNS, money["budgets"], version)
    return {
        "assets": assets,
        "catalogue": _engine_table(snapshot["catalogue"], CATALOGUE_COLUMNS, money["catalogue"], version),
        "assumptions": Assumptions.from_mapping(snapshot["assumptions"]),
        "budgets": budgets,
    }


# --- Requesting a run --------------------------------------------------------------------------------------------


def scenario_run_request(*, tender, actor, enqueue: bool = True) -> ScenarioRun:
    """Ask for the four scenarios of a tender with its current inputs.

    - same inputs as a run still queued or running for this tender: that run (one computation);
    - same inputs as a stored succeeded run: a new run that points to it (reused_from), succeeded at once;
    - otherwise a queued run, sent to the `scenarios` queue once this transaction commits. If the broker cannot
      be reached the run stays queued, `run.queue_unreachable` is True (for the caller to say so) and the reaper
      sends it once the broker is back.
    """
    with transaction.atomic():
        # Lock the tender row: two simultaneous requests for the same tender are serialised here, so the second
        # sees the first's queued run and does not start a second computation of the same inputs. Once the
        # tender is approved its financing is frozen: no new run.
        tender = _lock_tender_with_open_financing(tender.pk)
        snapshot = scenario_inputs_snapshot(tender=tender)
        if not snapshot["assets"]:
            raise NothingToRun(
                _("This tender bundles no assets yet: add assets before running the scenarios.")
            )
        # Encoded once: the same bytes give the hash and are what the database stores (compressed).
        canonical = canonical_bytes(snapshot)
        digest = input_hash(canonical)
        in_flight = ScenarioRun.objects.filter(
            tender=tender,
            input_hash=digest,
            status__in=[ScenarioRun.Status.QUEUED, ScenarioRun.Status.RUNNING],
        ).first()
        if in_flight is not None:
            if enqueue and in_flight.status == ScenarioRun.Status.QUEUED and in_flight.heartbeat_at is None:
                # Never reached the broker (it was down): asking again sends it now rather than at the reaper.
                transaction.on_commit(lambda: _enqueue_requested(in_flight))
            return in_flight
        # Compressed beside the rest of the request: zlib releases the GIL, so on a second core the ~40 ms of a
        # 50,000-asset snapshot overlap the lookup below and the engine tables built for an inline run.
        packed = _packed_in_background(canonical)
        computed = (
            ScenarioRun.objects.filter(
                input_hash=digest, status=ScenarioRun.Status.SUCCEEDED, reused_from__isnull=True
            )
            .defer("inputs")
            .first()
        )
        now = timezone.now()
        run = ScenarioRun(tender=tender, requested_by=actor, input_hash=digest, inputs=snapshot)
        if computed is not None:
            run.status = ScenarioRun.Status.SUCCEEDED
            run.progress = 100
            run.reused_from = computed
            run.summary = computed.summary
            run.started_at = run.finished_at = now
        # requested_by: None when asked by the command line, not a person. inputs: validating it would only
        # encode the snapshot again to prove it encodes, which canonical_bytes has just done.
        run.full_clean(exclude=["requested_by", "inputs"])
        if computed is None and (not enqueue or settings.CELERY_TASK_ALWAYS_EAGER):
            # Computed in this process next (by the caller, or by the eager task at commit): hand it the engine's
            # tables rather than have it read back and decode what is in memory here. Built before the row is
            # saved so that the compression above runs meanwhile; handed over under the saved run's id below.
            frames = engine_frames(snapshot)
        else:
            frames = None
        if connection.vendor == "postgresql":
            run.inputs = {}  # for a moment, in this transaction: the snapshot follows as binary
            run.save()
            _write_packed_inputs(run.pk, packed.result())
        else:
            run.inputs = Packed(packed.result())
            run.save()
        run.inputs = snapshot
        if frames is not None:
            _hand_over(run.pk, digest, frames)
        _tender_event(
            tender=tender,
            actor=actor,
            action="scenario_run",
            comment=f"run {run.pk}" + (f" reuses run {computed.pk}" if computed else " queued"),
        )
        if computed is None and enqueue:
            transaction.on_commit(lambda: _enqueue_requested(run))
    return run


def _packed_in_background(canonical: bytes) -> Future[bytes]:
    """pack(canonical) in a thread of its own; `.result()` waits for the compressed bytes (or re-raises).

    A new single-use executor per call, not a module-level pool: a pool created before a Celery worker forks
    its children would be unusable in them, and one thread costs ~0.1 ms beside ~40 ms of compression.
    """
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scenario-inputs-pack")
    try:
        return executor.submit(pack, canonical)
    finally:
        executor.shutdown(wait=False)  # the thread ends once its one job is done


def _write_packed_inputs(run_id: int, packed: bytes) -> None:
    """Store a run's snapshot (PostgreSQL) as a binary parameter, in the caller's transaction.

    Django's PostgreSQL cursors bind parameters on the client: a 1.4 MB bytea travels as 2.8 MB of hex text that
    the server parses again (30-50 ms measured); a psycopg cursor on the same connection sends the bytes (~6 ms).
    """
    import psycopg
    from psycopg import sql

    statement = sql.SQL("UPDATE {} SET inputs = %b WHERE id = %s").format(
        sql.Identifier(ScenarioRun._meta.db_table)
    )
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(statement, [packed, run_id], prepare=False)


# One run's engine tables, from the request that stored its inputs to the execution in the same thread.
_handover = threading.local()


def _hand_over(run_id: int, digest: str, frames: dict[str, Any]) -> None:
    """Keep the engine's tables of the run just requested for its execution in this thread (one at most).

    Never stale: the execution uses them only for the same run id AND the same input_hash (the sha256 of the
    stored bytes), and the frames, built from that very snapshot, are held by nobody else. Anything else reads
    the stored snapshot.
    """
    _handover.value = (run_id, digest, frames)


def _take_over(run_id: int) -> tuple[str, dict[str, Any]] | None:
    """The (input_hash, engine tables) handed over for this run, if any; whatever was held is let go."""
    held, _handover.value = getattr(_handover, "value", None), None
    return held[1:] if held is not None and held[0] == run_id else None


def _enqueue_requested(run: ScenarioRun) -> None:
    # After commit, so the worker finds the row; the outcome is noted on the instance the caller holds.
    run.queue_unreachable = not scenario_run_enqueue(run_id=run.pk)


def scenario_run_enqueue(*, run_id: int) -> bool:
    """Send a run to the `scenarios` queue. False if the broker cannot be reached (nothing else changes).

    A queued run's heartbeat_at records when its message reached the broker: a queued run without one was never
    sent, and the reaper sends it (scenario_runs_requeue_stuck).
    """
    from finance.tasks import run_scenarios

    if not send_job(run_scenarios, run_id):
        return False
    # Only while still queued: a worker may already have claimed it (or, inline, finished it).
    ScenarioRun.objects.filter(pk=run_id, status=ScenarioRun.Status.QUEUED).update(
        heartbeat_at=timezone.now()
    )
    return True


# --- Executing a run (called by the task) ----------------------------------------------------------------------


def _run_lock(run_id: int):
    """The run's advisory lock while it is computed (config.jobs.job_lock says why)."""
    return job_lock(_LOCK_NAMESPACE, run_id, wait=LOCK_WAIT)


def run_is_being_computed(run_id: int) -> bool:
    """True if a live process holds the run's lock (PostgreSQL only; False elsewhere)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_NAMESPACE, run_id])
        if not cursor.fetchone()[0]:
            return True
        cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_NAMESPACE, run_id])
    return False


@contextlib.contextmanager
def _heartbeat(run_id: int) -> Iterator[None]:
    """Write the run's heartbeat_at every SCENARIO_RUN_HEARTBEAT_SECONDS while the body runs.

    Why a thread: the engine reports progress unevenly (one Monte Carlo chunk may take long) and a call into it
    can last minutes; the thread beats whatever the computation does (numpy releases the GIL and Python
    switches threads every few milliseconds anyway). A whole worker killed stops beating, so the reaper knows
    within SCENARIO_RUN_HEARTBEAT_TIMEOUT. The thread has its own database connection (Django's are per
    thread) and closes it when it stops. PostgreSQL only, like the lock: on SQLite tasks run inline in the
    request, nothing reaps them, and a second connection would contend for the database's single write lock.
    """
    if connection.vendor != "postgresql":
        yield
        return
    interval = float(settings.SCENARIO_RUN_HEARTBEAT_SECONDS)
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(interval):
                try:
                    ScenarioRun.objects.filter(pk=run_id, status=ScenarioRun.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:
                    # A lost connection: drop it, the next beat reconnects. Missing beats is the very signal
                    # the reaper looks for, so nothing else is needed.
                    logger.warning("heartbeat of scenario run %s not written", run_id, exc_info=True)
                    connection.close()
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"scenario-run-{run_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)


def _progress_writer(run_id: int, delay: float = 0.0):
    """A throttled progress callback: one UPDATE at most every PROGRESS_THROTTLE seconds.

    `delay` (test-only, seconds slept per report) lets a reliability test kill a worker mid-job.
    """
    state = {"pct": -1, "at": 0.0}

    def report(pct: int) -> None:
        now = time.monotonic()
        if pct > state["pct"] and (now - state["at"] >= PROGRESS_THROTTLE or pct - state["pct"] >= 25):
            ScenarioRun.objects.filter(pk=run_id, status=ScenarioRun.Status.RUNNING).update(
                progress=min(pct, 99)
            )
            state.update(pct=pct, at=now)
        if delay:
            time.sleep(delay)

    return report


def scenario_run_execute(run_id: int, *, progress_delay: float = 0.0) -> ScenarioRun:
    """Compute a queued (or abandoned running) run and store its results; idempotent and safe to run twice.

    EngineError (bad inputs) ends the run failed with the engine's message. Other errors propagate to the task,
    which retries transient database errors and marks the run failed otherwise.
    """
    # The inputs snapshot (megabytes of JSON) is read and decoded once, only when the run is computed, and not
    # at all when the request just made in this thread handed its engine tables over.
    handed_over = _take_over(run_id)
    with _run_lock(run_id) as acquired:
        run = ScenarioRun.objects.defer("inputs").get(pk=run_id)
        if not acquired or run.status in (ScenarioRun.Status.SUCCEEDED, ScenarioRun.Status.FAILED):
            return run  # another live process computes it, or it is done: nothing to do
        # Conditional update: only a queued/running run is claimed (a finished one is never recomputed).
        claimed = ScenarioRun.objects.filter(
            pk=run_id, status__in=[ScenarioRun.Status.QUEUED, ScenarioRun.Status.RUNNING]
        ).update(
            status=ScenarioRun.Status.RUNNING,
            started_at=timezone.now(),
            heartbeat_at=timezone.now(),
            progress=0,
            attempts=F("attempts") + 1,
        )
        run = ScenarioRun.objects.defer("inputs").get(pk=run_id)
        if not claimed:
            return run
        if run.attempts > MAX_ATTEMPTS:
            return scenario_run_mark_failed(
                run_id=run_id,
                message=f"Gave up after {MAX_ATTEMPTS} attempts: the worker stopped each time it ran this job.",
                problems=[{"code": "gave_up", "params": {"attempts": MAX_ATTEMPTS}}],
            )
        with _heartbeat(run_id):
            try:
                frames = handed_over[1] if handed_over and handed_over[0] == run.input_hash else None
                if frames is None:
                    # Compressed canonical bytes, decompressed and decoded by orjson once (finance.models.packed).
                    inputs = ScenarioRun.objects.filter(pk=run_id).values_list("inputs", flat=True).get()
                    frames = engine_frames(inputs)
                result = run_all(**frames, progress=_progress_writer(run_id, progress_delay))
            except EngineError as exc:
                return scenario_run_mark_failed(
                    run_id=run_id,
                    message="\n".join(exc.problems),
                    problems=[
                        {"code": getattr(p, "code", ""), "params": getattr(p, "params", {})}
                        for p in exc.problems
                    ],
                )
            return _store_results(run_id=run_id, result=result)


def scenario_run_mark_failed(
    *, run_id: int, message: str, problems: list[dict[str, Any]] | None = None
) -> ScenarioRun:
    """End a run as failed with a message for the user; no result rows exist for a failed run.

    ``message`` is English, one problem per line (the record, also what logs and the admin show);
    ``problems`` holds each line's code and parameters in the same order, kept in ``summary["problems"]`` so
    that the page says them in the reader's language (finance.scenario_text.run_failure_lines), not in the
    language of whoever happened to run the job."""
    with transaction.atomic():
        run = ScenarioRun.objects.select_for_update().defer("inputs").get(pk=run_id)
        if run.status == ScenarioRun.Status.SUCCEEDED:
            return run
        run.status = ScenarioRun.Status.FAILED
        run.error_message = message
        run.summary = {"problems": problems} if problems else {}
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error_message", "summary", "finished_at"])
    return run


def _num(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return None if f != f else f  # NaN -> None


def _histograms_by_scenario(rows: list[dict[str, Any]]) -> dict[str, dict[str, list]]:
    """Engine histogram rows (already in cents) -> {scenario: {"edges": [n + 1 edges], "counts": [n]}}; the
    edges are the same for every scenario (the engine bins all of them alike)."""
    out: dict[str, dict[str, list]] = {}
    for row in rows:
        h = out.setdefault(row["scenario"], {"edges": [row["bin_start"]], "counts": []})
        h["edges"].append(row["bin_end"])
        h["counts"].append(int(row["count"]))
    return out


CASH_FLOW_COLUMNS = ("scenario", "fiscal_year", "department", "budget_type", "nominal", "discounted")


def _insert_cash_flows(run_id: int, rows: list[tuple]) -> None:
    """Insert a run's cash-flow rows (CASH_FLOW_COLUMNS order), in the caller's transaction.

    On PostgreSQL with COPY: a run has ~1,500 of them, which bulk_create turned into one INSERT of 10,000
    parameters built field by field (~40 ms); COPY streams the same values (~5 ms). Elsewhere bulk_create.
    """
    if connection.vendor != "postgresql":
        ScenarioCashFlow.objects.bulk_create(
            [
                ScenarioCashFlow(run_id=run_id, **dict(zip(CASH_FLOW_COLUMNS, row, strict=True)))
                for row in rows
            ],
            batch_size=2000,
        )
        return
    from psycopg import sql

    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(ScenarioCashFlow._meta.db_table),
        sql.SQL(", ").join(map(sql.Identifier, ("run_id", *CASH_FLOW_COLUMNS))),
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row((run_id, *row))


def _store_results(*, run_id: int, result: EngineResult) -> ScenarioRun:
    """Write every result table and the final status in ONE transaction: a run is never half-stored."""
    flows = (
        result.cashflows.groupby(["scenario", "fiscal_year", "department", "budget_type"], sort=True)[
            ["nominal", "discounted"]
        ]
        .sum()
        .reset_index()
    )
    partner = {row["scenario"]: row for row in result.partner.to_dict("records")}
    fit = result.budget_fit
    data = result.to_dict(include_cashflows=False)
    fit_by_scenario: dict[str, list[dict]] = {}
    for row in data["budget_fit"]:
        fit_by_scenario.setdefault(row["scenario"], []).append(
            {k: v for k, v in row.items() if k != "scenario"}
        )
    histograms = _histograms_by_scenario(data["montecarlo"].get("histogram", []))
    with transaction.atomic():
        # Lock the run: if another delivery stored results meanwhile, do not store them twice.
        run = ScenarioRun.objects.select_for_update().defer("inputs").get(pk=run_id)
        if run.status == ScenarioRun.Status.SUCCEEDED:
            return run
        _insert_cash_flows(
            run_id,
            [
                (
                    scenario,
                    int(year),
                    dept,
                    btype,
                    to_money(round(nominal, 2)),
                    to_money(round(discounted, 2)),
                )
                for scenario, year, dept, btype, nominal, discounted in flows.itertuples(
                    index=False, name=None
                )
            ],
        )
        summaries = []
        for row in data["summary"]:
            scenario = row["scenario"]
            p = partner.get(scenario, {})
            shortfall = fit.loc[fit["scenario"] == scenario, "shortfall"].sum() if len(fit) else 0.0
            irr = _num(p.get("partner_irr"))
            share = _num(p.get("break_even_savings_share"))
            summaries.append(
                ScenarioSummary(
                    run_id=run_id,
                    scenario=scenario,
                    npv=to_money(row["npv_cost"]),
                    whole_life_cost=to_money(row["whole_life_cost"]),
                    savings_vs_status_quo=to_money(row["savings_vs_status_quo"]),
                    year0_capex=to_money(row["year0_capex"]),
                    peak_yearly_cost=to_money(row["peak_yearly_cost"]),
                    partner_npv=to_money(p["partner_npv"])
                    if _num(p.get("partner_npv")) is not None
                    else None,
                    partner_irr=Decimal(str(round(irr, 6))) if irr is not None else None,
                    bankable=bool(p["bankable"]) if p else None,
                    break_even_share=Decimal(str(round(share, 6))) if share is not None else None,
                    budget_shortfall=to_money(round(float(shortfall), 2)),
                    data={
                        "capex_nominal": row["capex_nominal"],
                        "opex_nominal": row["opex_nominal"],
                        "peak_year": row["peak_year"],
                        "residual_value": row["residual_value"],
                        "partner_investment": _num(p.get("partner_investment")),
                        "annuity": _num(p.get("annuity")),
                        "break_even_margin": _num(p.get("break_even_margin")),
                        "budget_fit": fit_by_scenario.get(scenario, []),
                    },
                )
            )
        ScenarioSummary.objects.bulk_create(summaries)
        SensitivityResult.objects.bulk_create(
            [
                SensitivityResult(
                    run_id=run_id,
                    scenario=row["scenario"],
                    parameter=row["assumption"],
                    low_value=row["low_value"],
                    high_value=row["high_value"],
                    npv_low=to_money(row["npv_low"]),
                    npv_high=to_money(row["npv_high"]),
                )
                for row in data["tornado"]
            ]
        )
        MonteCarloResult.objects.bulk_create(
            [
                MonteCarloResult(
                    run_id=run_id,
                    scenario=row["scenario"],
                    p10=to_money(row["p10"]),
                    p50=to_money(row["p50"]),
                    p90=to_money(row["p90"]),
                    probability_cheapest=row["probability_cheapest"],
                    histogram=histograms.get(row["scenario"], {}) | {"mean": row["mean"]},
                )
                for row in data["montecarlo"]["percentiles"]
            ]
        )
        npv = {row["scenario"]: row["npv_cost"] for row in data["summary"]}
        run.summary = {
            "npv": npv,
            "cheapest": min(npv, key=npv.get) if npv else None,
            "probabilities": data["montecarlo"]["probabilities"],
        }
        run.status = ScenarioRun.Status.SUCCEEDED
        run.progress = 100
        run.error_message = ""
        run.finished_at = timezone.now()
        run.save(update_fields=["summary", "status", "progress", "error_message", "finished_at"])
    return run


# --- Choosing ---------------------------------------------------------------------------------------------------


def _english(text) -> str:
    """A translatable label as the English text stored in history rows (the rows outlive any reader's language)."""
    with translation.override("en"):
        return str(text)


def scenario_choose(*, run: ScenarioRun, scenario: str, actor) -> FinancingChoice:
    """Record the tender's chosen financing scenario (from a succeeded run); its yearly need feeds approval.

    Only while the tender is a draft or submitted (FinancingFrozen otherwise)."""
    if scenario not in Scenario.values:
        raise RunNotChoosable(_("%(scenario)s is not a financing scenario.") % {"scenario": repr(scenario)})
    with transaction.atomic():
        # Tender first, then run (the order every writer uses): a choice never lands after the approval.
        _lock_tender_with_open_financing(run.tender_id)
        run = ScenarioRun.objects.select_for_update().defer("inputs").get(pk=run.pk)
        if run.status != ScenarioRun.Status.SUCCEEDED:
            raise RunNotChoosable(_("Only a run that succeeded can be chosen: wait for it to finish."))
        if run.reused_from_id:
            # Record the run that holds the results (same inputs, same numbers), so that every reader of the
            # choice (pooled-budget check, publication) finds the summaries and cash flows under choice.run.
            run = ScenarioRun.objects.defer("inputs").get(pk=run.reused_from_id)
        choice = FinancingChoice.objects.select_for_update().filter(tender_id=run.tender_id).first()
        previous = f"{choice.scenario} of run {choice.run_id}" if choice else "none"
        choice = choice or FinancingChoice(tender_id=run.tender_id)
        choice.run = run
        choice.scenario = scenario
        choice.chosen_by = actor
        choice.full_clean(exclude=["chosen_by"])  # None when the demo loader chooses
        choice.save()
        _tender_event(
            tender=run.tender,
            actor=actor,
            action="financing_chosen",
            # History rows are stored in English, whoever chose (the label is translatable: fixed to English).
            comment=f"{_english(Scenario(scenario).label)} of run {run.pk} (was: {previous})",
        )
    return choice


# --- The reaper -----------------------------------------------------------------------------------------------


def scenario_runs_requeue_stuck(*, now=None) -> list[int]:
    """Send again every run whose job is lost; called by celery beat every SCENARIO_REAPER_PERIOD seconds.

    Lost means (thresholds are settings, in seconds):
    - running, and no heartbeat for SCENARIO_RUN_HEARTBEAT_TIMEOUT: its worker died or was killed whole (a
      killed pool child alone is redelivered by the broker at once). It goes back to queued, with a tender
      event, and is sent again;
    - queued, and never handed to the broker (no heartbeat_at) for SCENARIO_RUN_ENQUEUE_GRACE: the broker was
      unreachable when it was requested (the grace covers the moment between commit and sending);
    - queued, and handed to the broker more than SCENARIO_RUN_QUEUED_DEADLINE ago: its message was lost (a
      flushed broker). Sending it again stamps heartbeat_at, so a long queue gets one extra message per run and
      deadline at most, and the job ignores messages of runs already finished.
    A run whose advisory lock a live process holds is never touched (a worker whose database connection
    still lives is computing it), so a run is never computed twice at once.
    """
    now = now or timezone.now()
    silent = now - timedelta(seconds=settings.SCENARIO_RUN_HEARTBEAT_TIMEOUT)
    never_sent = now - timedelta(seconds=settings.SCENARIO_RUN_ENQUEUE_GRACE)
    lost_in_queue = now - timedelta(seconds=settings.SCENARIO_RUN_QUEUED_DEADLINE)
    silent_running = Q(status=ScenarioRun.Status.RUNNING) & (
        Q(heartbeat_at__lt=silent) | Q(heartbeat_at__isnull=True, started_at__lt=silent)
    )
    stuck = (
        ScenarioRun.objects.filter(
            silent_running
            | Q(status=ScenarioRun.Status.QUEUED, heartbeat_at__isnull=True, created_at__lt=never_sent)
            | Q(status=ScenarioRun.Status.QUEUED, heartbeat_at__lt=lost_in_queue)
        )
        .order_by("created_at", "id")
        .values_list("pk", "status")
    )
    requeued = []
    for run_id, status in stuck:
        if run_is_being_computed(run_id):
            continue
        if status == ScenarioRun.Status.RUNNING and not _requeue_silent_run(run_id, silent_running):
            continue  # it beat again meanwhile
        logger.warning("re-queuing stuck scenario run %s (was %s)", run_id, status)
        if scenario_run_enqueue(run_id=run_id):
            requeued.append(run_id)
    return requeued


def _requeue_silent_run(run_id: int, silent_running: Q) -> bool:
    """running -> queued for a run whose worker went silent; conditional, so a beat in between wins."""
    with transaction.atomic():
        run = (
            ScenarioRun.objects.select_for_update()
            .filter(silent_running, pk=run_id)
            .only("pk", "tender", "heartbeat_at", "started_at", "attempts")
            .first()
        )
        if run is None:
            return False
        last = timezone.localtime(run.heartbeat_at or run.started_at)
        ScenarioRun.objects.filter(pk=run_id).update(status=ScenarioRun.Status.QUEUED, heartbeat_at=None)
        _tender_event(
            tender=run.tender,
            actor=None,
            action="scenario_run_requeued",
            comment=f"run {run_id} queued again after attempt {run.attempts}: its worker stopped reporting "
            f"(last sign of life {last:%Y-%m-%d %H:%M:%S})",
        )
    return True
