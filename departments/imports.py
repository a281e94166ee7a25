"""Bulk import of assets from CSV or XLSX: read, validate (vectorised, pandas), then write in one transaction.

Validation never stops at the first problem: every bad cell is reported as {row, column, message}, where
`row` is the line of the file as a spreadsheet shows it (the header is row 1, the first asset row 2). If any
cell is bad nothing is written. Rows upsert by (department, external_ref). Reading, limits, the header check,
error collection and number parsing are the shared rules of config/tabular.py; what a valid asset is, and how
assets are written, is here.

Writing: on PostgreSQL the clean rows are COPYed into a temporary staging table and merged into the asset
table with one INSERT … ON CONFLICT … DO UPDATE (one transaction); elsewhere (SQLite, the embedded default)
a batched bulk_create(update_conflicts=True) does the same.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config import tabular
from config.tabular import (
    DECIMAL_POINT,
    CellError,
    ErrorCollector,
    ImportRejected,
    Limits,
    add_missing_columns,
    check_columns,
    check_rows,
    integer_column,
    money_column,
    number_text,
)
from config.tabular import (
    human_size as human_size,  # re-exported: the import page states the limit
)

from .models import Asset, AssetCategory, Department

# Limits; settings may lower them (tests do), production may raise them.
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 200_000
# What an XLSX file may unpack to: a full 200,000-row sheet written by openpyxl is about 140 MB of XML.
DEFAULT_MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
# Errors kept on one import; beyond that we only count (a file with every row wrong would otherwise
# store millions of messages). The message list says how many more there were.
MAX_ERRORS_KEPT = 5_000

REQUIRED_COLUMNS = [
    "department",
    "category",
    "external_ref",
    "install_year",
    "life_years",
    "replacement_cost",
    "maintenance_cost",
    "energy_cost",
]
OPTIONAL_COLUMNS = ["name", "area", "latitude", "longitude", "condition", "status"]
ALL_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MONEY_COLUMNS = ["replacement_cost", "maintenance_cost", "energy_cost"]
# The words naming a money column in messages (the column names themselves are never translated).
MONEY_LABELS = {
    "replacement_cost": lambda: _("Replacement cost"),
    "maintenance_cost": lambda: _("Maintenance cost"),
    "energy_cost": lambda: _("Energy cost"),
}
# What COPY writes and the merge reads, in this order.
DB_COLUMNS = [
    "department_id",
    "category_id",
    "external_ref",
    "name",
    "area",
    "latitude",
    "longitude",
    "install_year",
    "life_years",
    "replacement_cost",
    "maintenance_cost",
    "energy_cost",
    "condition",
    "status",
]


def max_bytes() -> int:
    return int(getattr(settings, "ASSET_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "ASSET_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def max_unzipped_bytes() -> int:
    return int(getattr(settings, "ASSET_IMPORT_MAX_UNZIPPED_BYTES", DEFAULT_MAX_UNZIPPED_BYTES))


def limits() -> Limits:
    """Read at call time: settings may change them (tests override them)."""
    return Limits(
        max_bytes=max_bytes(),
        max_rows=max_rows(),
        max_unzipped_bytes=max_unzipped_bytes(),
        empty=_("The file is empty: expected a header row and assets."),
        no_rows=_("The file has a header row but no assets."),
    )


def too_large_message(size: int) -> str:
    return limits().too_large_message(size)


@dataclass
class ImportResult:
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[CellError] = field(default_factory=list)
    error_count: int = 0
    department_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    @property
    def unchanged(self) -> int:
        """Rows that matched an existing asset holding the same values: left as they were (0 if refused)."""
        return self.total_rows - self.created - self.updated if self.ok else 0


Progress = Callable[[int], None]


def _noop(_: int) -> None:
    return None


def read_table(
    source: IO[bytes] | str | Path, *, name: str, size: int | None = None, decimal: str = DECIMAL_POINT
) -> pd.DataFrame:
    """Read CSV/XLSX as text cells (no type guessing: validation decides, and reports, every cell)."""
    return tabular.read_table(source, name=name, size=size, limits=limits(), decimal=decimal)


def count_rows(source: IO[bytes], *, name: str) -> int:
    """Data rows of a file, counted without parsing it; ImportRejected when an XLSX is over the limits."""
    return tabular.count_data_rows(source, name=name, limits=limits())


# --- Validation ----------------------------------------------------------------------------------------------


def validate(
    frame: pd.DataFrame,
    *,
    allowed_department_ids: set[int] | None,
    current_year: int | None = None,
    decimal: str = DECIMAL_POINT,
) -> tuple[pd.DataFrame | None, ErrorCollector]:
    """Check every cell; return (rows ready for the database, errors). Rows are None if any error.

    `decimal` is the file's decimal separator for money and coordinates (config.tabular.number_text).
    """
    errors = ErrorCollector(max_kept=MAX_ERRORS_KEPT)
    current_year = current_year or timezone.localdate().year

    errors.extend(check_columns(list(frame.columns), required=REQUIRED_COLUMNS, allowed=ALL_COLUMNS))
    if errors:
        return None, errors
    errors.extend(check_rows(frame, limits=limits()))
    if errors:
        return None, errors

    frame = add_missing_columns(frame.reset_index(drop=True), OPTIONAL_COLUMNS)
    # Every cell stripped once, here; the number rules below are told so (stripped=True).
    text = {c: frame[c].astype(str).str.strip() for c in ALL_COLUMNS}

    # Department and category by code (case-insensitive), looked up once for the whole file.
    departments = {code.lower(): pk for pk, code in Department.objects.values_list("pk", "code")}
    categories = {code.lower(): pk for pk, code in AssetCategory.objects.values_list("pk", "code")}
    department_code = text["department"].str.lower()
    department_id = department_code.map(departments)
    # Messages are in the active language (the uploader's, services.asset_import_run); column names and the
    # codes a cell must hold stay as the file writes them.
    errors.add_mask(text["department"] == "", "department", _("Department is missing."))
    unknown_department = _("Unknown department '%(code)s' (use the department code).")
    errors.add_mask(
        (text["department"] != "") & department_id.isna(),
        "department",
        lambda i: unknown_department % {"code": text["department"].iat[i]},
    )
    if allowed_department_ids is not None:
        not_official = _("You are not an official of department '%(code)s'.")
        errors.add_mask(
            department_id.notna() & ~department_id.isin(list(allowed_department_ids)),
            "department",
            lambda i: not_official % {"code": text["department"].iat[i]},
        )
    category_id = text["category"].str.lower().map(categories)
    errors.add_mask(text["category"] == "", "category", _("Category is missing."))
    unknown_category = _("Unknown category '%(code)s' (use the category code).")
    errors.add_mask(
        (text["category"] != "") & category_id.isna(),
        "category",
        lambda i: unknown_category % {"code": text["category"].iat[i]},
    )

    ref = text["external_ref"]
    errors.add_mask(ref == "", "external_ref", _("External reference is missing."))
    errors.add_mask(ref.str.len() > 64, "external_ref", _("External reference is longer than 64 characters."))
    errors.add_mask(text["name"].str.len() > 200, "name", _("Name is longer than 200 characters."))
    errors.add_mask(text["area"].str.len() > 100, "area", _("Area is longer than 100 characters."))
    # The same asset twice in one file is ambiguous (which row wins?): reject both with a pointer.
    key = department_code + "\x1f" + ref
    duplicated = (ref != "") & key.duplicated(keep=False)
    if duplicated.any():
        first_row = (pd.Series(np.arange(len(frame)) + 2, index=frame.index)).groupby(key).transform("min")
        twice = _("Reference '%(ref)s' appears more than once for this department (first in row %(row)s).")
        errors.add_mask(
            duplicated,
            "external_ref",
            lambda i: twice % {"ref": ref.iat[i], "row": first_row.iat[i]},
        )

    install_year = integer_column(
        text["install_year"],
        "install_year",
        errors,
        minimum=1800,
        maximum=32767,
        label=_("Install year"),
        decimal=decimal,
        stripped=True,
    )
    in_future = _("Install year %(year)s is in the future (this year is %(this_year)s).")
    errors.add_mask(
        install_year > current_year,
        "install_year",
        lambda i: in_future % {"year": int(install_year.iat[i]), "this_year": current_year},
    )
    life_years = integer_column(
        text["life_years"],
        "life_years",
        errors,
        minimum=1,
        maximum=200,
        label=_("Expected life (years)"),
        decimal=decimal,
        stripped=True,
    )

    for column in MONEY_COLUMNS:
        # Thousands separators in valid groups ("1,250.00") are dropped; the canonical text goes to the database.
        label = MONEY_LABELS[column]()
        text[column] = money_column(text[column], column, errors, label=label, decimal=decimal, stripped=True)

    condition_text = text["condition"].where(text["condition"] != "", "3")
    condition = integer_column(
        condition_text,
        "condition",
        errors,
        minimum=1,
        maximum=5,
        label=_("Condition"),
        decimal=decimal,
        stripped=True,
    )

    status_text = text["status"].str.lower().str.replace(" ", "_", regex=False)
    status_text = status_text.where(status_text != "", Asset.Status.IN_SERVICE)
    unknown_status = _("Unknown status '%(status)s' (use in_service or retired).")
    errors.add_mask(
        ~status_text.isin(Asset.Status.values),
        "status",
        lambda i: unknown_status % {"status": text["status"].iat[i]},
    )

    coordinates = {}
    for column, limit, label, invalid, out_of_range in (
        (
            "latitude",
            90,
            _("Latitude"),
            _("Latitude must be a number."),
            _("Latitude must be between -90 and 90."),
        ),
        (
            "longitude",
            180,
            _("Longitude"),
            _("Longitude must be a number."),
            _("Longitude must be between -180 and 180."),
        ),
    ):
        canonical = number_text(
            text[column],
            column,
            errors,
            label=label,
            decimal=decimal,
            # number_text fills {label} and {value} with str.format: braces in a translation would break it.
            invalid=invalid.replace("{", "{{").replace("}", "}}"),
            stripped=True,
        )
        number = pd.to_numeric(canonical.where(canonical.notna() & (canonical != "")), errors="coerce")
        errors.add_mask(number.abs() > limit, column, out_of_range)
        coordinates[column] = number.round(6)

    if errors:
        errors.sort(ALL_COLUMNS)  # read like the file: by row, then in the order of the columns
        return None, errors

    rows = pd.DataFrame(
        {
            "department_id": department_id.astype("int64"),
            "category_id": category_id.astype("int64"),
            "external_ref": ref,
            "name": text["name"],
            "area": text["area"],
            "latitude": coordinates["latitude"],
            "longitude": coordinates["longitude"],
            "install_year": install_year.astype("int64"),
            "life_years": life_years.astype("int64"),
            # Money stays text until the database parses it: exact decimals, never through float.
            "replacement_cost": text["replacement_cost"],
            "maintenance_cost": text["maintenance_cost"],
            "energy_cost": text["energy_cost"],
            "condition": condition.astype("int64"),
            "status": status_text,
        },
        columns=DB_COLUMNS,
    )
    return rows, errors


# --- Writing -------------------------------------------------------------------------------------------------

_UPDATED_COLUMNS = [c for c in DB_COLUMNS if c not in ("department_id", "external_ref")]
# How the merge reads a staging column that is not stored as it is.
_STAGING_SELECT = {
    "name": "COALESCE(name, '')",
    "area": "COALESCE(area, '')",
    "latitude": "latitude::numeric / 1000000",
    "longitude": "longitude::numeric / 1000000",
}


def _write_postgresql(rows: pd.DataFrame, progress: Progress) -> tuple[int, int]:
    """COPY into a temporary staging table, then one INSERT … ON CONFLICT DO UPDATE (same transaction)."""
    table = Asset._meta.db_table
    # Coordinates (already rounded to 6 decimals) travel as whole micro-degrees: exact, and written by to_csv
    # as integers instead of formatting every float with "%.6f" one value at a time; the merge divides them
    # back in numeric arithmetic (no float on the database side).
    micro = {
        column: pd.array(np.round(rows[column].to_numpy(dtype="float64") * 1_000_000), dtype="Int64")
        for column in ("latitude", "longitude")
    }
    buffer = io.StringIO()
    rows.assign(**micro).to_csv(buffer, index=False, header=False)
    staging_columns = ", ".join(DB_COLUMNS)
    with connection.cursor() as cursor:
        # ON COMMIT DROP: the staging table lives exactly as long as this transaction. The DROP covers a second
        # import inside the same outer transaction (tests run each test in one).
        cursor.execute("DROP TABLE IF EXISTS asset_import_staging")
        cursor.execute(
            """
            CREATE TEMPORARY TABLE asset_import_staging (
                department_id bigint NOT NULL, category_id bigint NOT NULL, external_ref varchar(64) NOT NULL,
                name varchar(200), area varchar(100), latitude bigint, longitude bigint,
                install_year integer NOT NULL, life_years integer NOT NULL,
                replacement_cost numeric(18, 2) NOT NULL, maintenance_cost numeric(18, 2) NOT NULL,
                energy_cost numeric(18, 2) NOT NULL, condition integer NOT NULL, status varchar(16) NOT NULL
            ) ON COMMIT DROP
            """
        )
        with cursor.copy(f"COPY asset_import_staging ({staging_columns}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
        progress(60)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _UPDATED_COLUMNS)
        stored = ", ".join(f"{table}.{c}" for c in _UPDATED_COLUMNS)
        incoming = ", ".join(f"EXCLUDED.{c}" for c in _UPDATED_COLUMNS)
        selected = ", ".join(_STAGING_SELECT.get(c, c) for c in DB_COLUMNS)
        # An existing asset whose row is identical is left alone (no new row version, no index entries, its
        # updated_at keeps the time it last changed): RETURNING then yields only created and changed assets.
        # (xmax = 0) is true for a freshly inserted row and false for one updated by ON CONFLICT.
        cursor.execute(
            f"""
            WITH merged AS (
                INSERT INTO {table} ({staging_columns}, created_at, updated_at)
                SELECT {selected}, now(), now() FROM asset_import_staging
                ON CONFLICT (department_id, external_ref) DO UPDATE SET {updates}, updated_at = now()
                WHERE ({stored}) IS DISTINCT FROM ({incoming})
                RETURNING (xmax = 0) AS inserted
            )
            SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM merged
            """
        )
        created, updated = cursor.fetchone()
    progress(90)
    return int(created), int(updated)


def _stored_form(column: str, value):
    """`value` as the asset's field stores it (decimals at their field's places), to compare file and table."""
    if value is None:
        return None
    if column.endswith("_id"):
        return int(value)
    model_field = Asset._meta.get_field(column)
    value = model_field.to_python(value)
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1).scaleb(-model_field.decimal_places))
    return value


def _write_batched(rows: pd.DataFrame, progress: Progress, batch_size: int = 2_000) -> tuple[int, int]:
    """Portable fallback: read what exists, then bulk_create(update_conflicts=True) in batches of the rows that
    are new or differ from the stored asset (an identical row is left alone, as the PostgreSQL merge does)."""
    existing = {
        (values[0], values[1]): tuple(
            _stored_form(c, v) for c, v in zip(_UPDATED_COLUMNS, values[2:], strict=True)
        )
        for values in Asset.objects.filter(
            department_id__in=rows["department_id"].unique().tolist()
        ).values_list("department_id", "external_ref", *_UPDATED_COLUMNS)
    }
    now = timezone.now()
    records, updated = [], 0
    for record in rows.replace({np.nan: None}).to_dict("records"):
        stored = existing.get((record["department_id"], record["external_ref"]))
        if stored is not None:
            if stored == tuple(_stored_form(c, record[c]) for c in _UPDATED_COLUMNS):
                continue
            updated += 1
        records.append(record)
    total = len(records)
    for start in range(0, total, batch_size):
        batch = [
            Asset(**record, created_at=now, updated_at=now) for record in records[start : start + batch_size]
        ]
        Asset.objects.bulk_create(
            batch,
            update_conflicts=True,
            unique_fields=["department", "external_ref"],
            update_fields=[*(c.removesuffix("_id") for c in _UPDATED_COLUMNS), "updated_at"],
        )
        progress(40 + int(55 * min(start + batch_size, total) / total))
    return total - updated, updated


def import_assets(
    source: IO[bytes] | str | Path,
    *,
    name: str,
    size: int | None = None,
    allowed_department_ids: set[int] | None = None,
    progress: Progress = _noop,
    current_year: int | None = None,
    finish: Callable[[ImportResult], None] = lambda result: None,
    decimal: str = DECIMAL_POINT,
) -> ImportResult:
    """Read, validate and (only if every cell is valid) upsert. Returns counts and errors.

    `allowed_department_ids`: departments the importing person may change (None: any, for the command line).
    `decimal`: the file's decimal separator ("." or ",", chosen by the person importing).
    `finish(result)` runs inside the writing transaction (record the outcome and audit with the data), or in
    its own transaction when the file was rejected. Reading and validating happen before the transaction so
    that progress written meanwhile is visible to the polling page.
    """
    result = ImportResult()
    try:
        frame = read_table(source, name=name, size=size, decimal=decimal)
    except ImportRejected as rejected:
        result.errors, result.error_count = rejected.errors, len(rejected.errors)
        with transaction.atomic():
            finish(result)
        return result
    result.total_rows = len(frame)
    progress(20)
    rows, errors = validate(
        frame, allowed_department_ids=allowed_department_ids, current_year=current_year, decimal=decimal
    )
    result.errors, result.error_count = errors.errors, errors.count
    if rows is None:
        with transaction.atomic():
            finish(result)
        return result
    progress(40)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            result.created, result.updated = _write_postgresql(rows, progress)
        else:
            result.created, result.updated = _write_batched(rows, progress)
        result.department_ids = sorted(int(d) for d in rows["department_id"].unique())
        finish(result)
    return result


def template_csv() -> str:
    """A header row and one example, offered for download on the import page."""
    example = {
        "department": "transport",
        "category": "bus-shelter",
        "external_ref": "BS-0001",
        "install_year": str(datetime.date.today().year - 12),
        "life_years": "20",
        "replacement_cost": "8500.00",
        "maintenance_cost": "320.00",
        "energy_cost": "95.00",
        "name": "Shelter Market Square",
        "area": "Centre",
        "latitude": "50.850300",
        "longitude": "4.351700",
        "condition": "3",
        "status": "in_service",
    }
    return ",".join(ALL_COLUMNS) + "\n" + ",".join(example[c] for c in ALL_COLUMNS) + "\n"
