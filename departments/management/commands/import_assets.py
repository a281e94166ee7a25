"""manage.py import_assets FILE: validate a CSV/XLSX inventory and upsert it (nothing saved if any cell is bad)."""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from config.tabular import DECIMAL_POINT, DECIMAL_SEPARATORS
from departments import imports
from departments.models import AuditEvent, Membership
from departments.selectors import departments_where_user_is


class Command(BaseCommand):
    help = (
        "Import assets from a CSV or XLSX file (columns: "
        + ", ".join(imports.ALL_COLUMNS)
        + "). Rows upsert by (department, external_ref)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--user",
            help="Import as this user: only departments where they are an official are accepted, "
            "and the audit row names them. Without it, any department (an administrator's import).",
        )
        parser.add_argument(
            "--decimal-separator",
            choices=DECIMAL_SEPARATORS,
            default=DECIMAL_POINT,
            help="The file's decimal separator (default '.'). The other mark may only group thousands in groups "
            "of three; a number that could be read either way (1,250 with '.') is refused.",
        )

    def handle(
        self, *args, file: Path, user: str | None, decimal_separator: str, verbosity: int = 1, **options
    ):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        actor, allowed = None, None
        if user:
            try:
                actor = get_user_model().objects.get(username=user)
            except get_user_model().DoesNotExist:
                raise CommandError(f"No user named {user!r}") from None
            allowed = set(
                departments_where_user_is(user=actor, role=Membership.Role.OFFICIAL).values_list(
                    "pk", flat=True
                )
            )

        def finish(result: imports.ImportResult) -> None:
            AuditEvent.objects.create(
                actor=actor,
                action="asset_import.succeed" if result.ok else "asset_import.fail",
                entity="file",
                entity_id=file.name[:64],
                summary=f"Command-line import of {file.name}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged, {result.error_count} problem(s)",
                data={
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                    "errors": result.error_count,
                },
            )

        started = time.perf_counter()
        with file.open("rb") as handle:
            result = imports.import_assets(
                handle,
                name=file.name,
                size=file.stat().st_size,
                allowed_department_ids=allowed,
                finish=finish,
                decimal=decimal_separator,
            )
        elapsed = time.perf_counter() - started
        if not result.ok:
            for error in result.errors:
                where = f"row {error.row}" if error.row else "file"
                column = f", column {error.column}" if error.column else ""
                self.stderr.write(f"{where}{column}: {error.message}")
            if result.error_count > len(result.errors):
                self.stderr.write(f"… and {result.error_count - len(result.errors):,} more problems.")
            raise CommandError(f"{result.error_count:,} problem(s) found in {file}; nothing was imported.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.total_rows:,} rows imported in {elapsed:.2f} s: "
                f"{result.created:,} created, {result.updated:,} updated, {result.unchanged:,} unchanged."
            )
        )
