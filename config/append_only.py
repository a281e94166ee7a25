"""Append-only tables: PostgreSQL refuses UPDATE, DELETE and TRUNCATE on history rows, whoever asks.

A history model declares `triggers = append_only_triggers()` in its Meta. django-pgtrigger writes the triggers
into that app's migrations and installs them on PostgreSQL only (SQLite, used by `make run`, gets none: there
the services, `Release.save()` and the admin are the guard).

Two triggers per table: a row trigger (UPDATE, DELETE — also bulk `QuerySet.update()`/`.delete()`, which do
not call `save()`) and a statement trigger (TRUNCATE, which fires no row trigger). Only the tables' owner
(`ALTER TABLE … DISABLE TRIGGER`) or a superuser can lift them; the application connects as a role that is
neither (README, production notes). The test suite's flush between transactional tests does lift them, as
the owner of the test database (tests/conftest.py).
"""

from typing import Any

import pgtrigger
from pgtrigger import compiler


class NoBypassTriggerSql(compiler.UpsertTriggerSql):
    """pgtrigger's installation SQL (its template v1) without the per-session bypass.

    pgtrigger's own template first asks `_pgtrigger_should_ignore(TG_NAME)`, which reads the session variable
    `pgtrigger.ignore` — a variable every role may set. With it the application's role could switch the
    triggers off for its own session and rewrite history; without it, only the owner or a superuser can.

    Migrations store this class's path and the hash of the rendered SQL: never edit this template once it
    is in a migration (add a new class for a new version), as pgtrigger does for its own.
    """

    def get_template(self) -> str:
        return """
            CREATE OR REPLACE FUNCTION {pgid}()
            RETURNS TRIGGER AS $$
                {declare}
                BEGIN
                    {func}
                END;
            $$ LANGUAGE plpgsql;

            DROP TRIGGER IF EXISTS {pgid} ON {table};
            CREATE {constraint} TRIGGER {pgid}
                {when} {operation} ON {table}
                {timing}
                {referencing}
                FOR EACH {level} {condition}
                EXECUTE PROCEDURE {execute};

            COMMENT ON TRIGGER {pgid} ON {table} IS '{hash}';
        """


class AppendOnly(pgtrigger.Trigger):
    """Refuse the operation with a message naming the table and the operation; no bypass."""

    when = pgtrigger.Before
    func = "RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;"

    def compile(self, model: Any) -> compiler.Trigger:
        compiled = super().compile(model)
        kwargs = {key: value for key, value in compiled.sql.kwargs.items() if key != "ignore_func_name"}
        return compiler.Trigger(name=self.name, sql=NoBypassTriggerSql(**kwargs))


def append_only_triggers() -> list[pgtrigger.Trigger]:
    """The triggers that make one table append-only (fresh instances: pgtrigger registers each per model)."""
    return [
        AppendOnly(
            name="append_only_rows",
            level=pgtrigger.Row,
            operation=pgtrigger.Update | pgtrigger.Delete,
        ),
        AppendOnly(name="append_only_truncate", level=pgtrigger.Statement, operation=pgtrigger.Truncate),
    ]
