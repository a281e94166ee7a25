"""A run's inputs snapshot is stored as the compressed canonical bytes that were hashed (issue 17), and nothing
else changes: the same inputs give the same hash and the same NPVs as before, runs stored as JSON before
finance 0008 stay readable and reusable, and an inline job uses the request's tables only for its own inputs."""

import hashlib
import zlib
from decimal import Decimal

import orjson
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.engine import run_all
from finance.models import ScenarioRun, ScenarioSummary
from finance.models.packed import unpack
from finance.services import scenarios as services
from finance.services.scenarios import (
    engine_frames,
    scenario_run_execute,
    scenario_run_request,
)

pytestmark = pytest.mark.django_db

# Computed by the code before issue 17 (jsonb snapshot, from_records frames) on this very fixture, on SQLite and
# on PostgreSQL alike: the hash decides reuse, so it must not move; the NPVs are the results.
HASH_BEFORE = "109c73b9e9a469b6764bae52be1860fb6de88d29ddaa438b1a82f7aece2b6668"
NPV_BEFORE = {
    "status_quo": Decimal("16483.59"),
    "capex": Decimal("52577.66"),
    "opex_service": Decimal("47368.88"),
    "shared_savings": Decimal("19569.86"),
}
P50_BEFORE = {
    "status_quo": Decimal("16803.68"),
    "capex": Decimal("53555.36"),
    "opex_service": Decimal("48258.40"),
    "shared_savings": Decimal("20357.41"),
}


def _raw_inputs(run_id: int):
    with connection.cursor() as cursor:
        cursor.execute("SELECT inputs FROM finance_scenariorun WHERE id = %s", [run_id])
        return cursor.fetchone()[0]


def _npvs(run) -> dict:
    return dict(ScenarioSummary.objects.filter(run=run).values_list("scenario", "npv"))


def _store_as_before_0008(run_id: int, snapshot: dict) -> None:
    """Write a run's inputs as finance 0008 leaves a row written before it: JSON text (spaces and all, as
    PostgreSQL's jsonb::text renders it), as bytes on PostgreSQL and as text on SQLite."""
    text = orjson.dumps(snapshot).decode().replace('":', '": ').replace(",", ", ")
    value = text.encode() if connection.vendor == "postgresql" else text
    with connection.cursor() as cursor:
        cursor.execute("UPDATE finance_scenariorun SET inputs = %s WHERE id = %s", [value, run_id])


def test_the_same_inputs_give_the_same_hash_and_npvs_as_before(
    bus_stop_tender, small_assumptions, transport_official
):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    run = scenario_run_execute(run.pk)
    assert run.input_hash == HASH_BEFORE
    assert _npvs(run) == NPV_BEFORE
    assert dict(run.monte_carlo.values_list("scenario", "p50")) == P50_BEFORE


def test_the_stored_bytes_are_the_hashed_canonical_json_compressed(
    bus_stop_tender, small_assumptions, transport_official
):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    stored = bytes(_raw_inputs(run.pk))
    canonical = zlib.decompress(stored)
    assert hashlib.sha256(canonical).hexdigest() == run.input_hash
    assert canonical == orjson.dumps(run.inputs, option=orjson.OPT_SORT_KEYS)
    assert len(stored) < len(canonical)
    assert ScenarioRun.objects.get(pk=run.pk).inputs == run.inputs


def test_a_job_run_by_a_worker_reads_the_stored_snapshot_and_finds_the_same_npvs(
    bus_stop_tender, small_assumptions, transport_official
):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    services._handover.value = None  # another process: nothing handed over
    with CaptureQueriesContext(connection) as queries:
        run = scenario_run_execute(run.pk)
    assert any('"inputs"' in q["sql"] and q["sql"].startswith("SELECT") for q in queries.captured_queries)
    assert _npvs(run) == NPV_BEFORE


def test_an_inline_job_uses_the_requests_tables_without_reading_the_snapshot_back(
    bus_stop_tender, small_assumptions, transport_official
):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    with CaptureQueriesContext(connection) as queries:
        run = scenario_run_execute(run.pk)
    assert not any('"inputs"' in q["sql"] and q["sql"].startswith("SELECT") for q in queries.captured_queries)
    assert _npvs(run) == NPV_BEFORE


def test_tables_handed_over_for_other_inputs_are_never_used(
    bus_stop_tender, small_assumptions, transport_official
):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    stale = engine_frames(run.inputs | {"assets": run.inputs["assets"][:1]})
    services._handover.value = (run.pk, "0" * 64, stale)  # same run id, other inputs
    run = scenario_run_execute(run.pk)
    assert _npvs(run) == NPV_BEFORE
    assert getattr(services._handover, "value", None) is None


def test_a_run_stored_as_json_before_0008_is_read_and_computed(
    bus_stop_tender, small_assumptions, transport_official
):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    snapshot = run.inputs
    _store_as_before_0008(run.pk, snapshot)
    assert ScenarioRun.objects.get(pk=run.pk).inputs == snapshot
    assert ScenarioRun.objects.filter(pk=run.pk).values_list("inputs", flat=True).get() == snapshot
    services._handover.value = None
    run = scenario_run_execute(run.pk)
    assert run.status == ScenarioRun.Status.SUCCEEDED
    assert _npvs(run) == NPV_BEFORE


def test_a_run_stored_as_json_before_0008_is_reused_by_the_same_inputs(
    bus_stop_tender, small_assumptions, transport_official
):
    first = scenario_run_execute(
        scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False).pk
    )
    _store_as_before_0008(first.pk, ScenarioRun.objects.get(pk=first.pk).inputs)
    again = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    assert again.reused_from_id == first.pk
    assert again.status == ScenarioRun.Status.SUCCEEDED


def test_both_shapes_unpack_to_json():
    snapshot = {"assets": [{"asset_id": "a:1"}], "version": 1}
    canonical = orjson.dumps(snapshot, option=orjson.OPT_SORT_KEYS)
    assert orjson.loads(unpack(zlib.compress(canonical, 1))) == snapshot
    assert orjson.loads(unpack(memoryview(canonical))) == snapshot
    assert orjson.loads(unpack(canonical.decode())) == snapshot


def test_the_money_text_of_the_snapshot_is_what_str_of_the_decimal_gives(
    bus_stop_tender, small_assumptions, transport_official
):
    from departments.models import Asset

    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    expected = {
        f"{a.department.code}:{a.external_ref}": (
            str(a.replacement_cost),
            str(a.maintenance_cost),
            str(a.energy_cost),
        )
        for a in Asset.objects.filter(tender_links__tender=bus_stop_tender).select_related("department")
    }
    got = {
        a["asset_id"]: (a["replacement_cost"], a["maintenance_cost"], a["energy_cost"])
        for a in run.inputs["assets"]
    }
    assert got == expected
    assert all(len(v.split(".")[1]) == 2 for vs in got.values() for v in vs)


def test_the_engine_sees_the_same_tables_from_the_stored_snapshot(
    bus_stop_tender, small_assumptions, transport_official
):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    stored = ScenarioRun.objects.get(pk=run.pk).inputs
    direct = run_all(**engine_frames(stored))
    held = run_all(**services._handover.value[2])
    assert direct.summary.equals(held.summary)
