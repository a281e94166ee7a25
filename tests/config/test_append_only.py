"""History cannot be rewritten: every history and release table is append-only, and nothing cascades into it.

On PostgreSQL the tables themselves refuse UPDATE, DELETE (one row or a bulk queryset) and TRUNCATE
(config/append_only.py). On every database, deleting what history points at is refused (PROTECT).
"""

import contextlib
import uuid
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, models, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from departments.models import AuditEvent
from finance.models import BudgetEvent, FundingOverride
from outcomes.models import Outcome, OutcomeEvent
from procurement.models import Release, Tender, TenderEvent
from tests.factories import OutcomeFactory, TenderFactory

pytestmark = pytest.mark.django_db


def _audit_event(user):
    return AuditEvent.objects.create(
        actor=user, action="asset_create", entity="asset", entity_id="1", summary="Created S-1"
    )


def _outcome_event(user):
    return OutcomeEvent.objects.create(
        outcome=OutcomeFactory(), actor=user, action="outcome_created", summary="Created"
    )


def _tender_event(user):
    return TenderEvent.objects.create(tender=TenderFactory(), actor=user, action="create", to_status="draft")


def _release(user):
    tender = TenderFactory()
    return Release.objects.create(
        tender=tender,
        ocid=f"ocds-demo01-{tender.reference}",
        release_id=f"ocds-demo01-{tender.reference}-tender-1",
        tag="tender",
        date=timezone.now(),
        data={"tag": ["tender"]},
        content_hash="0" * 64,
    )


def _budget_event(user):
    return BudgetEvent.objects.create(actor=user, action="requested", amount=Decimal("10.00"))


def _funding_override(user):
    return FundingOverride.objects.create(
        tender=TenderFactory(), reason="Council decision 12", decided_by=user
    )


# model, a factory of one stored row, and a field to try to rewrite (with the forged value)
HISTORY_TABLES = [
    pytest.param(AuditEvent, _audit_event, "summary", "forged", id="departments_auditevent"),
    pytest.param(OutcomeEvent, _outcome_event, "summary", "forged", id="outcomes_outcomeevent"),
    pytest.param(TenderEvent, _tender_event, "comment", "forged", id="procurement_tenderevent"),
    pytest.param(Release, _release, "content_hash", "f" * 64, id="procurement_release"),
    pytest.param(BudgetEvent, _budget_event, "comment", "forged", id="finance_budgetevent"),
    pytest.param(FundingOverride, _funding_override, "reason", "forged", id="finance_fundingoverride"),
]


def _truncate(model, cascade=False):
    with connection.cursor() as cursor:
        # The test's own inserts leave deferred foreign-key checks pending, and PostgreSQL refuses TRUNCATE
        # while any are: check them now so that only the table's own rules can refuse.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            f"TRUNCATE {connection.ops.quote_name(model._meta.db_table)}{' CASCADE' if cascade else ''}"
        )


def _refused(attempt):
    """Run one write in its own savepoint and return the database's refusal (None if it went through)."""
    try:
        with transaction.atomic():
            attempt()
    except DatabaseError as refusal:
        return str(refusal)
    return None


@pytest.mark.postgres
@pytest.mark.parametrize("model, make_row, field, forged", HISTORY_TABLES)
def test_database_refuses_every_rewrite_of_a_history_row(model, make_row, field, forged, transport_official):
    row = make_row(transport_official)
    table = model._meta.db_table
    original = getattr(row, field)

    def save_edited_row():
        setattr(row, field, forged)
        models.Model.save(row)  # Model.save itself: Release.save() refuses earlier, in Python

    attempts = {
        "UPDATE of the row": save_edited_row,
        "DELETE of the row": lambda: models.Model.delete(row),
        "bulk QuerySet.update()": lambda: model.objects.filter(pk=row.pk).update(**{field: forged}),
        "bulk QuerySet.delete()": lambda: model.objects.all().delete(),
        "TRUNCATE": lambda: _truncate(model),
    }
    refusals = {name: _refused(attempt) for name, attempt in attempts.items()}

    assert [name for name, refusal in refusals.items() if refusal is None] == []
    assert f"{table} is append-only: UPDATE refused" in refusals["UPDATE of the row"]
    assert f"{table} is append-only: UPDATE refused" in refusals["bulk QuerySet.update()"]
    assert f"{table} is append-only: DELETE refused" in refusals["DELETE of the row"]
    assert f"{table} is append-only: DELETE refused" in refusals["bulk QuerySet.delete()"]
    assert f"{table} is append-only: TRUNCATE refused" in refusals["TRUNCATE"]
    assert getattr(model.objects.get(pk=row.pk), field) == original
    assert model.objects.count() == 1


@pytest.mark.postgres
def test_truncating_a_tender_with_cascade_does_not_empty_its_history(transport_official):
    event = _tender_event(transport_official)

    refusal = _refused(lambda: _truncate(Tender, cascade=True))

    assert refusal and "is append-only: TRUNCATE refused" in refusal
    assert TenderEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
def test_history_still_accepts_new_rows(transport_official):
    for param in HISTORY_TABLES:
        model, make_row = param.values[0], param.values[1]
        make_row(transport_official)
        assert model.objects.count() == 1


def test_an_outcome_with_history_cannot_be_deleted_and_its_history_remains(transport_official, transport):
    from outcomes.services import outcome_create

    outcome = outcome_create(
        actor=transport_official,
        title="Safe stops",
        theme=Outcome.Theme.PUBLIC_SAFETY,
        owner_department=transport,
    )
    history = list(outcome.events.values_list("pk", "action"))

    with pytest.raises(ProtectedError):
        outcome.delete()

    assert Outcome.objects.filter(pk=outcome.pk).exists()
    assert list(OutcomeEvent.objects.filter(outcome=outcome).values_list("pk", "action")) == history
    assert history and history[0][1] == "outcome_created"


def test_a_tender_with_history_cannot_be_deleted(transport_official, transport):
    from procurement.services.tenders import tender_create

    tender = tender_create(actor=transport_official, lead_department=transport, title="Smart, safe bus stops")

    with pytest.raises(ProtectedError):
        tender.delete()

    assert TenderEvent.objects.filter(tender=tender, action="create").exists()


@pytest.mark.parametrize("make_row", [p.values[1] for p in HISTORY_TABLES if p.values[0] is not Release])
def test_a_user_who_acted_cannot_be_deleted_so_history_keeps_who_did_it(make_row, transport_official):
    row = make_row(transport_official)

    with pytest.raises(ProtectedError):
        transport_official.delete()

    row.refresh_from_db()
    user_field = "decided_by" if isinstance(row, FundingOverride) else "actor"
    assert getattr(row, f"{user_field}_id") == transport_official.pk


def test_a_release_refuses_save_and_delete_before_reaching_the_database(transport_official):
    from procurement.publication.exceptions import ReleaseImmutable

    release = _release(transport_official)
    release.tag = "tenderAmendment"

    with pytest.raises(ReleaseImmutable):
        release.save()
    with pytest.raises(ReleaseImmutable):
        release.delete()
    assert Release.objects.get(pk=release.pk).tag == "tender"


def test_protect_is_declared_on_every_foreign_key_of_a_history_table():
    history_models = [p.values[0] for p in HISTORY_TABLES]
    not_protected = [
        f"{model.__name__}.{field.name}"
        for model in history_models
        for field in model._meta.concrete_fields
        if field.is_relation and field.remote_field.on_delete is not models.PROTECT
    ]
    assert not_protected == []


# --- The application's role (README, production notes): it appends history but can neither rewrite it nor
# lift the triggers, because it owns no table and is no superuser.


@contextlib.contextmanager
def _as_application_role():
    """Run the block as a fresh role with the application's grants (DML on every table), then switch back.

    The role is created inside the test's transaction, so it disappears with its rollback; the random name keeps
    concurrent test runs on one PostgreSQL server apart. TRUNCATE is granted too, so that only the trigger can
    be what refuses it.
    """
    role = f"opp_app_test_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS")
        cursor.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO {role}"
        )
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # see _truncate
        cursor.execute(f"SET ROLE {role}")
        cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (role, False)
    try:
        yield role
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def _attacks(table: str, trigger: str) -> dict:
    """What a compromised application might try on one history table, each as one SQL script."""
    return {
        "UPDATE": f"UPDATE {table} SET id = id",
        "DELETE": f"DELETE FROM {table}",
        "TRUNCATE": f"TRUNCATE {table}",
        "DISABLE TRIGGER USER": f"ALTER TABLE {table} DISABLE TRIGGER USER",
        "DISABLE TRIGGER by name": f"ALTER TABLE {table} DISABLE TRIGGER {trigger}",
        "DROP TRIGGER": f"DROP TRIGGER {trigger} ON {table}",
        "replica session": f"SET LOCAL session_replication_role = replica; DELETE FROM {table}",
        # pgtrigger's own triggers obey this variable, which every role may set; ours do not read it.
        "pgtrigger.ignore": f"SET LOCAL pgtrigger.ignore = '{{{trigger}}}'; DELETE FROM {table}",
    }


def _expected_refusal(table: str, attack: str) -> str:
    return {
        "UPDATE": f"{table} is append-only: UPDATE refused",
        "DELETE": f"{table} is append-only: DELETE refused",
        "TRUNCATE": f"{table} is append-only: TRUNCATE refused",
        "pgtrigger.ignore": f"{table} is append-only: DELETE refused",
        "replica session": 'permission denied to set parameter "session_replication_role"',
        "DROP TRIGGER": f"must be owner of relation {table}",
    }.get(attack, f"must be owner of table {table}")


def _run_script(sql: str):
    def run():
        with connection.cursor() as cursor:
            for statement in sql.split("; "):
                cursor.execute(statement)

    return run


@pytest.mark.postgres
def test_the_application_role_appends_history_but_cannot_rewrite_it_nor_lift_the_triggers(transport_official):
    rows = {param.values[0]: param.values[1](transport_official) for param in HISTORY_TABLES}

    refusals = {}
    with _as_application_role():
        for model in rows:
            table = model._meta.db_table
            rows_trigger = model._meta.triggers[0].get_pgid(model)
            for name, sql in _attacks(connection.ops.quote_name(table), rows_trigger).items():
                refusals[table, name] = _refused(_run_script(sql))
        appended = AuditEvent.objects.create(action="asset_create", entity="asset", entity_id="2")

    assert [key for key, refusal in refusals.items() if refusal is None] == []
    for (table, name), refusal in refusals.items():
        assert _expected_refusal(table, name) in refusal, (table, name)
    assert AuditEvent.objects.filter(pk=appended.pk).exists()
    assert all(model.objects.filter(pk=row.pk).exists() for model, row in rows.items())
