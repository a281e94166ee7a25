"""finance 0008 turns the jsonb/JSON inputs column into compressed bytes and keeps every stored run readable."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("finance", "0007_contribution_payments")]
AFTER = [("finance", "0008_scenariorun_inputs_packed")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_a_run_stored_before_0008_reads_the_same_after_it_and_after_going_back(bus_stop_tender):
    snapshot = {"version": 1, "assets": [{"asset_id": "transport:BS-1", "replacement_cost": "1200.00"}]}
    old_apps = _migrate(BEFORE)
    try:
        OldRun = old_apps.get_model("finance", "ScenarioRun")
        old = OldRun.objects.create(tender_id=bus_stop_tender.pk, input_hash="a" * 64, inputs=snapshot)
        new_apps = _migrate(AFTER)
        from finance.models import ScenarioRun

        assert ScenarioRun.objects.get(pk=old.pk).inputs == snapshot
        NewRun = new_apps.get_model("finance", "ScenarioRun")
        packed = NewRun.objects.create(tender_id=bus_stop_tender.pk, input_hash="b" * 64, inputs=snapshot)
        old_apps = _migrate(BEFORE)
        OldRun = old_apps.get_model("finance", "ScenarioRun")
        assert OldRun.objects.get(pk=old.pk).inputs == snapshot
        assert OldRun.objects.get(pk=packed.pk).inputs == snapshot
    finally:
        _migrate(AFTER)
