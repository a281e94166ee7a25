"""A run's inputs snapshot is stored as the compressed canonical bytes that were hashed (issue 17): the same inputs
give the same hash on every database and the same NPVs as before, runs stored as JSON before finance 0008 and
snapshots of version 1 (money as text) stay readable, and an inline job uses the request's tables only for its
own inputs."""

import hashlib
import zlib
from decimal import Decimal

import orjson
import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from finance.engine import run_all
from finance.models import ScenarioRun, ScenarioSummary
from finance.models.packed import unpack
from finance.selectors.scenarios import SNAPSHOT_MONEY_COLUMNS as MONEY
from finance.selectors.scenarios import snapshot_assets
from finance.services import scenarios as services
from finance.services.scenarios import (
    engine_frames,
    scenario_run_execute,
    scenario_run_request,
)

pytestmark = pytest.mark.django_db

# The hash decides reuse, so it must not move by accident and must not depend on the database: pinned, on SQLite
# and on PostgreSQL alike, for snapshot version 2 (asset rows as arrays, money as whole cents). Version 1 (asset
# objects, money as text) gave 109c73b9…; the NPVs, computed by the code before issue 17 on this very fixture, are
# the results and never moved.
HASH_V2 = "135339d610d9fe7e89b6c2c50db1c038f4c0045b4215fccd68be7b26d95877c7"
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


def _as_json(value):
    """A value as JSON gives it back (tuples become lists)."""
    return orjson.loads(orjson.dumps(value))


def _as_version_1(snapshot: dict) -> dict:
    """The same inputs as a version-1 snapshot wrote them: money as str(Decimal) under the plain names."""
    v1 = {k: v for k, v in snapshot.items() if k != "asset_columns"} | {"version": 1}
    tables = {
        "assets": snapshot_assets(snapshot),
        "catalogue": snapshot["catalogue"],
        "budgets": snapshot["budgets"],
    }
    for key, rows in tables.items():
        v1[key] = [
            {k: v for k, v in row.items() if not k.endswith("_cents")}
            | {name: str(Decimal(row[f"{name}_cents"]).scaleb(-2)) for name in MONEY[key]}
            for row in rows
        ]
    return v1


def test_the_same_inputs_give_the_pinned_hash_and_the_npvs_as_before(
    bus_stop_tender, small_assumptions, transport_official
):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    run = scenario_run_execute(run.pk)
    assert run.inputs["version"] == 2
    assert run.input_hash == HASH_V2
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
    # The request holds asset rows as tuples; JSON has arrays, read back as lists: the same JSON value.
    assert ScenarioRun.objects.get(pk=run.pk).inputs == _as_json(run.inputs)


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
    snapshot = _as_json(run.inputs)
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


def _give_one_asset_amounts_with_cents(tender) -> None:
    from departments.models import Asset

    bundled = Asset.objects.filter(tender_links__tender=tender)
    bundled.filter(pk=bundled.order_by("pk").values("pk")[:1]).update(
        replacement_cost=Decimal("1234.57"), maintenance_cost=Decimal("0.05"), energy_cost=Decimal("99.99")
    )


def test_the_money_of_the_snapshot_is_the_exact_number_of_cents(
    bus_stop_tender, small_assumptions, transport_official
):
    from departments.models import Asset

    _give_one_asset_amounts_with_cents(bus_stop_tender)
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    expected = {
        f"{a.department.code}:{a.external_ref}": tuple(
            int(amount * 100) for amount in (a.replacement_cost, a.maintenance_cost, a.energy_cost)
        )
        for a in Asset.objects.filter(tender_links__tender=bus_stop_tender).select_related("department")
    }
    got = {
        a["asset_id"]: (a["replacement_cost_cents"], a["maintenance_cost_cents"], a["energy_cost_cents"])
        for a in snapshot_assets(run.inputs)
    }
    assert run.inputs["asset_columns"][5:8] == [
        "replacement_cost_cents",
        "maintenance_cost_cents",
        "energy_cost_cents",
    ]
    assert got == expected
    assert all(type(v) is int for vs in got.values() for v in vs)
    assert (123457, 5, 9999) in got.values()


def test_a_version_1_snapshot_of_the_same_inputs_gives_the_very_same_engine_tables(
    bus_stop_tender, small_assumptions, transport_official
):
    _give_one_asset_amounts_with_cents(bus_stop_tender)
    snapshot = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False).inputs
    assert "1234.57" in {row["replacement_cost"] for row in _as_version_1(snapshot)["assets"]}
    v2, v1 = engine_frames(snapshot), engine_frames(_as_version_1(snapshot))
    for table in ("assets", "catalogue", "budgets"):
        if v2[table] is None:
            assert v1[table] is None
            continue
        pd.testing.assert_frame_equal(v2[table], v1[table])  # bit for bit: cents / 100 == float(text)


def test_a_version_1_run_is_computed_with_the_same_npvs_and_compares_equal_to_version_2(
    bus_stop_tender, small_assumptions, transport_official
):
    from finance.selectors.scenarios import scenario_run_diff

    newer = scenario_run_execute(
        scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False).pk
    )
    older = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    assert older.reused_from_id == newer.pk
    # Turn the reusing run into an independent run stored as version 1, as a run stored before issue 17 was.
    ScenarioRun.objects.filter(pk=older.pk).update(
        status=ScenarioRun.Status.QUEUED, reused_from=None, summary={}, progress=0, started_at=None,
        finished_at=None,
    )  # fmt: skip
    _store_as_before_0008(older.pk, _as_version_1(newer.inputs))
    services._handover.value = None
    older = scenario_run_execute(older.pk)
    assert older.status == ScenarioRun.Status.SUCCEEDED
    assert _npvs(older) == NPV_BEFORE
    diff = scenario_run_diff(older=ScenarioRun.objects.get(pk=older.pk), newer=newer)
    assert diff["input_changes"] == []


def test_the_engine_sees_the_same_tables_from_the_stored_snapshot(
    bus_stop_tender, small_assumptions, transport_official
):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    stored = ScenarioRun.objects.get(pk=run.pk).inputs
    from_stored, held = engine_frames(stored), services._handover.value[2]
    for table in ("assets", "catalogue"):
        pd.testing.assert_frame_equal(from_stored[table], held[table])
    assert run_all(**from_stored).summary.equals(run_all(**held).summary)


def test_the_asset_keys_of_a_snapshot_follow_the_engines_columns():
    from finance.engine.inputs import ASSET_COLUMNS

    assert tuple(f"{c}_cents" if c in MONEY["assets"] else c for c in ASSET_COLUMNS) == services.ASSET_KEYS
