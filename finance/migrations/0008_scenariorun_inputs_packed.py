"""A scenario run's inputs snapshot becomes compressed canonical JSON bytes instead of `jsonb` (issue 17).

Existing rows stay readable without rewriting them: on PostgreSQL the column becomes `bytea` holding the bytes of
each row's `jsonb::text` (one ALTER, no Python pass over megabytes of JSON), on SQLite the table is rebuilt and
each row keeps its JSON text; PackedJSONField reads plain JSON as well as compressed bytes. Their input_hash is
unchanged (it was, and is, the sha256 of the canonical JSON, which the stored text never was for old rows).

The column's storage becomes EXTERNAL on PostgreSQL: the bytes are already compressed, TOAST compressing them
again would only cost time. Reversing writes every row back as JSON (decompressing the packed ones in Python).
"""

import orjson
from django.db import migrations

import finance.models.packed


def _field(apps, packed: bool):
    from django.db import models

    field = finance.models.packed.PackedJSONField() if packed else models.JSONField()
    field.set_attributes_from_name("inputs")
    field.model = apps.get_model("finance", "ScenarioRun")
    return field


def to_packed(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE finance_scenariorun ALTER COLUMN inputs TYPE bytea "
            "USING convert_to(inputs::text, 'UTF8')"
        )
        schema_editor.execute("ALTER TABLE finance_scenariorun ALTER COLUMN inputs SET STORAGE EXTERNAL")
        return
    model = apps.get_model("finance", "ScenarioRun")
    old = model._meta.get_field("inputs")
    schema_editor.alter_field(model, old, _field(apps, packed=True))


def to_json(apps, schema_editor):
    from finance.models.packed import unpack

    connection = schema_editor.connection
    model = apps.get_model("finance", "ScenarioRun")
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, inputs FROM {table}")  # noqa: S608 — a fixed table name
        rows = cursor.fetchall()
        for pk, stored in rows:
            text = unpack(stored)
            text = text if isinstance(text, str) else text.decode("utf-8")
            orjson.loads(text)  # refuse to write anything that is not JSON
            value = text if connection.vendor != "postgresql" else text.encode("utf-8")
            cursor.execute(f"UPDATE {table} SET inputs = %s WHERE id = %s", [value, pk])  # noqa: S608
    if connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE finance_scenariorun ALTER COLUMN inputs SET STORAGE EXTENDED")
        schema_editor.execute(
            "ALTER TABLE finance_scenariorun ALTER COLUMN inputs TYPE jsonb "
            "USING convert_from(inputs, 'UTF8')::jsonb"
        )
        return
    schema_editor.alter_field(model, _field(apps, packed=True), _field(apps, packed=False))


class Migration(migrations.Migration):
    dependencies = [("finance", "0007_contribution_payments")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="scenariorun",
                    name="inputs",
                    field=finance.models.packed.PackedJSONField(),
                )
            ],
            database_operations=[migrations.RunPython(to_packed, to_json)],
        )
    ]
