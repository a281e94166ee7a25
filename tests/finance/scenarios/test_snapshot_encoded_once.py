"""A run's input snapshot is encoded once (its hash and its stored text are the same bytes) and decoded once."""

import hashlib
import json

import orjson
import pytest

from finance.models import ScenarioRun
from finance.services.scenarios import scenario_run_execute, scenario_run_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_module_calls(monkeypatch):
    """Every call of the json module's dumps/loads (what Django's JSONField uses to encode and decode)."""
    calls = []
    dumps, loads = json.dumps, json.loads

    def counting_dumps(value, *args, **kwargs):
        calls.append(("dumps", value))
        return dumps(value, *args, **kwargs)

    def counting_loads(text, *args, **kwargs):
        calls.append(("loads", text))
        return loads(text, *args, **kwargs)

    monkeypatch.setattr(json, "dumps", counting_dumps)
    monkeypatch.setattr(json, "loads", counting_loads)
    return calls


def test_the_stored_snapshot_is_the_hashed_one(bus_stop_tender, small_assumptions, transport_official):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    stored = ScenarioRun.objects.get(pk=run.pk).inputs
    # The request holds asset rows as tuples; JSON has arrays, read back as lists: the same JSON value.
    assert stored == orjson.loads(orjson.dumps(run.inputs))
    canonical = orjson.dumps(stored, option=orjson.OPT_SORT_KEYS)
    assert hashlib.sha256(canonical).hexdigest() == run.input_hash


def test_requesting_and_executing_never_encode_or_decode_the_snapshot_with_the_json_module(
    bus_stop_tender, small_assumptions, transport_official, json_module_calls
):
    run = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    run = scenario_run_execute(run.pk)
    assert run.status == ScenarioRun.Status.SUCCEEDED
    snapshots = [
        kind
        for kind, value in json_module_calls
        if (isinstance(value, dict) and "assets" in value) or (isinstance(value, str) and '"assets"' in value)
    ]
    assert snapshots == []


def test_the_same_inputs_still_reuse_the_stored_result(
    bus_stop_tender, small_assumptions, transport_official
):
    first = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    scenario_run_execute(first.pk)
    again = scenario_run_request(tender=bus_stop_tender, actor=transport_official, enqueue=False)
    assert again.reused_from_id == first.pk and again.input_hash == first.input_hash
