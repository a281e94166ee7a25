"""Store a scenario run's inputs snapshot with lz4 instead of pglz (PostgreSQL 14+ built with lz4; else nothing).

A 50,000-asset snapshot is ~10 MB of JSON: pglz compressing it took ~250 ms of every run request, lz4 ~160 ms
(measured on this machine; docs/decisions.md). Only rows written afterwards are compressed with lz4; reading
either kind needs nothing.
"""

from django.db import migrations


def _lz4_available(cursor) -> bool:
    cursor.execute(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    )
    row = cursor.fetchone()
    return bool(row and row[0])


def use_lz4(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if _lz4_available(cursor):
            cursor.execute("ALTER TABLE finance_scenariorun ALTER COLUMN inputs SET COMPRESSION lz4")


def use_default(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ALTER TABLE finance_scenariorun ALTER COLUMN inputs SET COMPRESSION DEFAULT")


class Migration(migrations.Migration):
    dependencies = [("finance", "0005_scenario_run_heartbeat")]

    operations = [migrations.RunPython(use_lz4, use_default)]
