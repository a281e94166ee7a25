"""The tender page's read of the bundle, cached under a version that every change to it moves (issue 17).

What the page shows of a bundle of thousands of assets — the bundle summary (per department: count, replacement
value, running cost) and each other department's part for its sign-off (asset → action, replacement value, and
the canonical JSON of its assets, hashed with its live contributions) — is read once and cached under
`tender_bundle_version()`, ONE query read fresh on every request (no process memo, never stale):

- the bundle rows (`TenderAsset` of the tender): their number and the sum of their ids. Rows are only ever
  inserted (ids larger than any existing one) or deleted, and their asset and action are fixed at insert (no
  service, no admin changes them), so for an equal number of rows any change moves the sum;
- the bundled assets' `updated_at`: its largest value and the exact sum of all of them (in microseconds). Every
  path that writes an asset moves it: the asset services (`auto_now`), the import's INSERT … ON CONFLICT
  (`updated_at = now()`, the transaction's start: possibly older than a value written meanwhile, which the sum
  still catches) and its SQLite fallback (`bulk_create(update_conflicts=…)` with `updated_at`);
- the tender's lead department (its own assets are no sign-off part).

Not cached, read live on every request: department names (the participating-departments query), contributions
(few rows; their department, year, type and amount), sign-offs, and the page of the asset table.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Sum

from procurement.models import Tender, TenderAsset

# Tests salt it per test (a rolled-back database repeats ids); a change of the cached shape changes the prefix.
KEY_SALT = ""
KEY_PREFIX = "tender-bundle:v1:"
TIMEOUT = 3600


@dataclass(frozen=True)
class BundlePart:
    """One department's assets in the bundle: asset id → action, replacement value, and `assets_json`, the
    canonical JSON of `[[asset id, action], …]` sorted by id (as DepartmentBundle.snapshot() writes it)."""

    department_id: int
    assets: dict[int, str]
    replacement_value: Decimal
    assets_json: str


@dataclass(frozen=True)
class TenderBundle:
    """The bundle as the tender page shows it, names left out (read live)."""

    tender_id: int
    version: str
    # [{"id", "count", "replacement_value", "running_cost"}] per department of the bundled assets.
    departments: list[dict]
    # Sign-off parts of the departments other than the lead, by department id.
    parts: dict[int, BundlePart]

    @property
    def department_ids(self) -> list[int]:
        return [d["id"] for d in self.departments]

    def summary(self, names: dict[int, str]) -> dict:
        """tender_asset_summary()'s shape, departments named from `names` (id → name) and sorted by name."""
        departments = sorted(
            ({**d, "name": names.get(d["id"], "")} for d in self.departments),
            key=lambda d: (d["name"], d["id"]),
        )
        return {
            "departments": departments,
            "asset_count": sum(d["count"] for d in departments),
            "replacement_value": sum((d["replacement_value"] for d in departments), Decimal("0")),
            "running_cost": sum((d["running_cost"] for d in departments), Decimal("0")),
        }


def _stamp_sql() -> str:
    """The exact sum of the bundled assets' updated_at, in microseconds since the epoch, as SQL."""
    if connection.vendor == "postgresql":
        return "SUM(EXTRACT(EPOCH FROM a.updated_at) * 1000000)"
    # SQLite stores 'YYYY-MM-DD HH:MM:SS[.ffffff]' (UTC): whole seconds, then the microseconds if any.
    return (
        "SUM(CAST(strftime('%%s', a.updated_at) AS INTEGER) * 1000000"
        " + CAST(COALESCE(NULLIF(substr(a.updated_at, 21, 6), ''), '0') AS INTEGER))"
    )


def tender_bundle_version(*, tender: Tender) -> str:
    """ONE query over the bundle (an index range of the tender's rows and their assets by primary key)."""
    ta, asset = TenderAsset._meta.db_table, TenderAsset._meta.get_field("asset").related_model._meta.db_table
    sql = (
        f"SELECT COUNT(*), COALESCE(SUM(ta.id), 0), MAX(a.updated_at), {_stamp_sql()} "
        f"FROM {ta} ta INNER JOIN {asset} a ON a.id = ta.asset_id WHERE ta.tender_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [tender.pk])
        count, id_sum, latest, stamps = cursor.fetchone()
    return f"{tender.lead_department_id}:{count}:{id_sum}:{latest}:{stamps}"


def _read(*, tender: Tender, version: str) -> TenderBundle:
    """The two reads of the bundle: the aggregate per department, then the other departments' asset rows."""
    rows = (
        TenderAsset.objects.filter(tender=tender)
        .values("asset__department_id")
        .annotate(
            count=Count("id"),
            replacement_value=Sum("asset__replacement_cost"),
            running_cost=Sum(F("asset__maintenance_cost") + F("asset__energy_cost")),
        )
        .order_by("asset__department_id")
    )
    departments = [
        {
            "id": row["asset__department_id"],
            "count": row["count"],
            "replacement_value": row["replacement_value"] or Decimal("0"),
            "running_cost": row["running_cost"] or Decimal("0"),
        }
        for row in rows
    ]
    assets: dict[int, dict[int, str]] = {}
    values: dict[int, Decimal] = {}
    for department_id, asset_id, action, cost in (
        TenderAsset.objects.filter(tender=tender)
        .exclude(asset__department_id=tender.lead_department_id)
        .values_list("asset__department_id", "asset_id", "action", "asset__replacement_cost")
        .order_by()
    ):
        assets.setdefault(department_id, {})[asset_id] = action
        values[department_id] = values.get(department_id, Decimal("0")) + Decimal(cost or 0)
    parts = {
        department_id: BundlePart(
            department_id=department_id,
            assets=items,
            replacement_value=values[department_id],
            assets_json=json.dumps([[pk, items[pk]] for pk in sorted(items)], separators=(",", ":")),
        )
        for department_id, items in assets.items()
    }
    return TenderBundle(tender_id=tender.pk, version=version, departments=departments, parts=parts)


def tender_bundle(*, tender: Tender) -> TenderBundle:
    """The bundle of `tender`: the version query, then the cache; on a miss two reads of the bundle."""
    version = tender_bundle_version(tender=tender)
    key = f"{KEY_PREFIX}{KEY_SALT}{tender.pk}:{hashlib.sha256(version.encode()).hexdigest()}"
    bundle = cache.get(key)
    if bundle is None or bundle.version != version:
        bundle = _read(tender=tender, version=version)
        cache.set(key, bundle, TIMEOUT)
    return bundle
