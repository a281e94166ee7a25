"""The tender page's read of the bundle, cached under a version that every change to it moves (issue 17).

What the page shows of a bundle of thousands of assets — the bundle summary (per department: count, replacement
value, running cost) and each other department's part for its sign-off (asset → action, replacement value, and
the canonical JSON of its assets, hashed with its live contributions) — is read once and cached under
`tender_bundle_version()`, read fresh on every request (no process memo, never stale). It moves with:

- the bundle rows (`TenderAsset` of the tender): inserted, deleted or changed;
- the bundled assets: every path that writes an asset (the asset services, the import's INSERT … ON CONFLICT,
  any UPDATE);
- the tender's lead department (its own assets are no sign-off part);
- the ids and names of every department and asset category (the asset table shows them).

On PostgreSQL the database keeps it: triggers on those tables write the tender's `BundleRevision` in the same
transaction as the change (migration 0010), whoever writes, so the page reads one row instead of aggregating
its bundle. On SQLite (`make run`, no triggers) the version is computed from the bundle by ONE query: the
number and id sum of the bundle rows (rows are only inserted, with ids larger than any before, or deleted;
their asset is fixed), the largest and the exact sum of the bundled assets' `updated_at` (an import stamps
the start of its transaction, possibly older than a value written meanwhile, which the sum still catches),
and the departments' and categories' names.

Either version is read before the bundle, so what is cached under it is never older than it. The same version
keys the rendered page of the bundled-assets table (views/tenders.py, with the page number and the language).
Read live on every request: the departments' names for the summary and the sign-offs (the
participating-departments query), contributions (few rows), sign-offs.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Sum
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from procurement.models import BundleRevision, Tender, TenderAsset

# Tests salt it per test (a rolled-back database repeats ids); a change of the cached shape changes the prefix.
KEY_SALT = ""
KEY_PREFIX = "tender-bundle:v3:"
TIMEOUT = 3600


@dataclass(frozen=True)
class BundlePart:
    """One department's assets in the bundle: their number, replacement value, and `assets_json`, the canonical
    JSON of `[[asset id, action], …]` sorted by id (as DepartmentBundle.snapshot() writes it). Not a dict of
    the assets: the page reads this on every request, and unpickling 33,000 entries cost ≈ 4 ms."""

    department_id: int
    asset_count: int
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

    def fragment_key(self, name: str, *parts) -> str:
        """A cache key for something rendered from this bundle only (with `parts`: page number, language…)."""
        version = hashlib.sha256(self.version.encode()).hexdigest()
        return f"{KEY_PREFIX}{KEY_SALT}{name}:{self.tender_id}:{version}:" + ":".join(str(p) for p in parts)

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


def _names_sql(table: str) -> str:
    """Every id and name of a small table (departments, asset categories) as one text, in id order."""
    if connection.vendor == "postgresql":
        return f"(SELECT md5(string_agg(id::text || ':' || name, '|' ORDER BY id)) FROM {table})"
    return f"(SELECT group_concat(id || ':' || name, '|') FROM (SELECT id, name FROM {table} ORDER BY id))"


def tender_bundle_version(*, tender: Tender) -> str:
    """The version of the tender's bundle: on PostgreSQL its revision, kept by the database's triggers (one
    row by primary key); elsewhere computed from the bundle (`tender_bundle_version_computed`)."""
    if connection.vendor != "postgresql":
        return tender_bundle_version_computed(tender=tender)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT revision FROM {BundleRevision._meta.db_table} WHERE tender_id = %s", [tender.pk]
        )
        row = cursor.fetchone()
    # No row: nothing was ever bundled (the first bundle row writes one; the migration wrote the others).
    return f"{tender.lead_department_id}:r{row[0] if row else 0}"


def tender_bundle_version_computed(*, tender: Tender) -> str:
    """ONE query over the bundle (an index range of the tender's rows and their assets by primary key), with
    the names of the departments and asset categories (small tables) that the asset table shows."""
    asset_model = TenderAsset._meta.get_field("asset").related_model
    ta, asset = TenderAsset._meta.db_table, asset_model._meta.db_table
    departments = asset_model._meta.get_field("department").related_model._meta.db_table
    categories = asset_model._meta.get_field("category").related_model._meta.db_table
    sql = (
        f"SELECT COUNT(*), COALESCE(SUM(ta.id), 0), MAX(a.updated_at), {_stamp_sql()}, "
        f"{_names_sql(departments)}, {_names_sql(categories)} "
        f"FROM {ta} ta INNER JOIN {asset} a ON a.id = ta.asset_id WHERE ta.tender_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [tender.pk])
        count, id_sum, latest, stamps, department_names, category_names = cursor.fetchone()
    names = hashlib.sha256(f"{department_names}\n{category_names}".encode()).hexdigest()[:16]
    return f"{tender.lead_department_id}:{count}:{id_sum}:{latest}:{stamps}:{names}"


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
            asset_count=len(items),
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


def bundled_table_html(*, tender: Tender, bundle, page) -> str:
    """The page of the bundled-assets table as the tender page shows it, rendered once per bundle version
    (which covers the rows, their assets, and the names of departments and categories), page number and
    language: it shows nothing of the viewer (no form, no token), so every viewer may be served it."""
    key = bundle.fragment_key("bundled-table", tender.reference, page.number, get_language())
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "procurement/_tender_bundled_assets.html",
            {"tender": tender, "bundled": page, "removable": False, "bundled_param": "page"},
        )
        cache.set(key, html, TIMEOUT)
    return mark_safe(html)  # rendered by the template engine, which escaped every value
