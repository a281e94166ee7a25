"""Benchmark of the validated asset import and the asset list page (DESIGN §11, issue 3).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python benchmarks/asset_import.py \
        [--rows 100000] [--baseline-sample 2000] [--keep]

Creates its own database `opp_bench_import` on the server of DATABASE_URL (dropped at the end unless --keep),
migrates it, generates a CSV of --rows assets (5 departments, 6 categories) and imports it with the real
import (read + vectorised validation + COPY into a staging table + INSERT … ON CONFLICT), then imports it
again (every row matches an identical asset: nothing is rewritten), then a version of the file in which every
asset's life is one year longer (every row an update). Issue 17's baseline is a bare COPY of the same file into
an unindexed table; beside it the run measures the floor of any import that keeps the asset table as it is: the
same COPY, then one INSERT of its rows into the indexed asset table and the check of its foreign keys, with no
reading and no validation. The straightforward way, measured in the same run, is per row: parse the cells,
build an Asset, full_clean() and update_or_create() — on a sample of --baseline-sample rows (inside one
transaction, which flatters it), scaled linearly to the full file; the output says so.
Finally it times the asset list page (Django test client, whole request/response) with all the assets in the
table: median of 7 requests per variant, and its number of SQL queries.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BENCH_DB = "opp_bench_import"


def generate_csv(path: Path, rows: int, seed: int = 3, *, longer_life: int = 0) -> None:
    """`rows` assets; `longer_life` years added to every asset's life: the same assets, every row changed."""
    rng = np.random.default_rng(seed)
    departments = np.array(["transport", "lighting", "safety", "parks", "transport"])
    categories = np.array(["bus-shelter", "street-light", "cctv-camera", "bench", "traffic-signal"])
    which = rng.integers(0, 5, rows)
    areas = np.array(["Centre", "North", "South", "East", "West", "Harbour", "Route 12", "Route 7"])
    life = rng.integers(8, 41, rows)
    frame = pd.DataFrame(
        {
            "department": departments[which],
            "category": categories[which],
            "external_ref": [f"X-{i:07d}" for i in range(rows)],
            "install_year": 2025 - rng.integers(0, 45, rows),
            "life_years": life + longer_life,
            "replacement_cost": np.round(rng.uniform(300, 15000, rows), 2),
            "maintenance_cost": np.round(rng.uniform(10, 900, rows), 2),
            "energy_cost": np.round(rng.uniform(0, 900, rows), 2),
            "name": [f"Asset {i}" for i in range(rows)],
            "area": areas[rng.integers(0, len(areas), rows)],
            "latitude": np.round(50.85 + rng.uniform(-0.06, 0.06, rows), 6),
            "longitude": np.round(4.35 + rng.uniform(-0.09, 0.09, rows), 6),
            "condition": rng.integers(1, 6, rows),
            "status": "in_service",
        }
    )
    # Money with 2 decimals (float_format), coordinates with 6 (as text).
    frame["latitude"] = frame["latitude"].map("{:.6f}".format)
    frame["longitude"] = frame["longitude"].map("{:.6f}".format)
    frame.to_csv(path, index=False, float_format="%.2f")


def admin_url(url: str, database: str) -> str:
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{database}"))


def recreate_database(server_url: str, *, drop_only: bool = False) -> None:
    import psycopg

    parts = urlparse(admin_url(server_url, "postgres"))
    with psycopg.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password,
        dbname="postgres", autocommit=True,
    ) as conn:  # fmt: skip
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {BENCH_DB}")


def baseline_per_row(path: Path, sample: int) -> float:
    """Seconds per row of the straightforward import: parse, full_clean and update_or_create each row."""
    import csv

    from django.db import transaction

    from departments.models import Asset, AssetCategory, Department

    departments = {d.code: d for d in Department.objects.all()}
    categories = {c.code: c for c in AssetCategory.objects.all()}
    with path.open() as handle:
        reader = csv.DictReader(handle)
        rows = [next(reader) for _ in range(sample)]
    started = time.perf_counter()
    with transaction.atomic():
        for row in rows:
            fields = {
                "category": categories[row["category"]],
                "name": row["name"],
                "area": row["area"],
                "latitude": Decimal(row["latitude"]),
                "longitude": Decimal(row["longitude"]),
                "install_year": int(row["install_year"]),
                "life_years": int(row["life_years"]),
                "replacement_cost": Decimal(row["replacement_cost"]),
                "maintenance_cost": Decimal(row["maintenance_cost"]),
                "energy_cost": Decimal(row["energy_cost"]),
                "condition": int(row["condition"]),
                "status": row["status"],
            }
            department = departments[row["department"]]
            Asset(department=department, external_ref="B-" + row["external_ref"], **fields).full_clean(
                validate_unique=False, validate_constraints=False
            )
            Asset.objects.update_or_create(
                department=department, external_ref="B-" + row["external_ref"], defaults=fields
            )
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)  # leave the table with exactly the benchmark file's assets
    return elapsed / sample


def bare_copy_seconds(path: Path, repeat: int = 3) -> float:
    """Best time of a bare psycopg COPY of the same file into an unindexed table of the asset columns' types.

    The floor of getting these bytes into PostgreSQL: no reading into pandas, no validation, no index, no
    merge. Rolled back each time.
    """
    from django.db import connection, transaction

    data = path.read_bytes()
    best = float("inf")
    for _ in range(repeat):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                """
                CREATE TEMPORARY TABLE bare_copy (
                    department varchar(32), category varchar(32), external_ref varchar(64),
                    install_year integer, life_years integer, replacement_cost numeric(18, 2),
                    maintenance_cost numeric(18, 2), energy_cost numeric(18, 2), name varchar(200),
                    area varchar(100), latitude numeric(9, 6), longitude numeric(9, 6), condition integer,
                    status varchar(16)
                ) ON COMMIT DROP
                """
            )
            started = time.perf_counter()
            with cursor.copy("COPY bare_copy FROM STDIN (FORMAT csv, HEADER true)") as copy:
                copy.write(data)
            best = min(best, time.perf_counter() - started)
            transaction.set_rollback(True)
    return best


def indexed_table_floor_seconds(path: Path, repeat: int = 3) -> tuple[float, float]:
    """(COPY, foreign-key check) seconds, best of `repeat`: the same rows COPY'd straight into the real asset
    table, their departments and categories already turned into ids beforehand (untimed), then the check of that
    table's two foreign keys (`SET CONSTRAINTS ALL IMMEDIATE`). No reading into pandas, no validation, no
    staging table, no conflict handling. Rolled back each time.

    The floor of any import that keeps the asset table as it is — its indexes (the primary key, the unique
    reference per department and the three the asset pages search and sort by) and its foreign keys: what
    PostgreSQL itself spends writing these rows there, which no change to the import's own code can go below.
    """
    import csv
    import io

    from django.db import connection, transaction

    from departments.models import AssetCategory, Department

    departments = dict(Department.objects.values_list("code", "pk"))
    categories = dict(AssetCategory.objects.values_list("code", "pk"))
    columns = [
        "department_id", "category_id", "external_ref", "install_year", "life_years", "replacement_cost",
        "maintenance_cost", "energy_cost", "name", "area", "latitude", "longitude", "condition", "status",
        "created_at", "updated_at",
    ]  # fmt: skip
    now = "2026-01-01T00:00:00+00:00"  # the columns have no database default (Django fills them)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)  # the header: department, category, then the asset's columns in `columns` order
        for department, category, *rest in reader:
            writer.writerow([departments[department], categories[category], *rest, now, now])
    data = buffer.getvalue().encode()
    best_copy = best_check = float("inf")
    for _ in range(repeat):
        with transaction.atomic(), connection.cursor() as cursor:
            started = time.perf_counter()
            with cursor.copy(
                f"COPY departments_asset ({', '.join(columns)}) FROM STDIN (FORMAT csv)"
            ) as copy:
                copy.write(data)
            copied = time.perf_counter()
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            checked = time.perf_counter()
            best_copy, best_check = min(best_copy, copied - started), min(best_check, checked - copied)
            transaction.set_rollback(True)
    return best_copy, best_check


def time_list_page(client, url: str, repeat: int = 7) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches (templates, the database's buffers)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline-sample", type=int, default=2_000)
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the first import")
    parser.add_argument("--skip-list-page", action="store_true", help="do not time the asset list page")
    args = parser.parse_args()

    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres")
    recreate_database(server_url)
    os.environ["DATABASE_URL"] = admin_url(server_url, BENCH_DB)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from departments import demo, imports
    from departments.models import Asset

    try:
        call_command("migrate", verbosity=0)
        demo.load(log=lambda message: None)  # departments, users, 6 categories, ~5,000 demo assets
        Asset.objects.all().delete()
        with connection.cursor() as cursor:
            cursor.execute("SELECT version()")
            pg_version = cursor.fetchone()[0].split(",")[0]

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "assets.csv"
            started = time.perf_counter()
            generate_csv(path, args.rows)
            size_mb = path.stat().st_size / 1024 / 1024
            print(f"Generated {args.rows:,} rows ({size_mb:.1f} MB) in {time.perf_counter() - started:.2f} s")

            bare = bare_copy_seconds(path)
            print(f"Baseline, bare psycopg COPY of the same file (no index, no validation): {bare:.3f} s "
                  f"= {args.rows / bare:,.0f} rows/s")  # fmt: skip

            floor_copy, floor_check = indexed_table_floor_seconds(path)
            floor = floor_copy + floor_check
            print(f"Floor, the same rows COPY'd straight into the indexed asset table (ids resolved beforehand, no "
                  f"validation) {floor_copy:.3f} s + its foreign-key checks {floor_check:.3f} s = {floor:.3f} s "
                  f"= {floor / bare:.1f}× bare COPY ({floor_copy / bare:.1f}× without the foreign keys): "
                  f"≤ 4× is {'above' if floor <= 4 * bare else 'below'} this floor")  # fmt: skip

            changed = Path(folder) / "assets-changed.csv"
            generate_csv(changed, args.rows, longer_life=1)

            def timed_import(label: str, profile: bool = False, path: Path = path):
                marks = {}
                profiler = None
                if profile:
                    import cProfile

                    profiler = cProfile.Profile()
                    profiler.enable()
                started = time.perf_counter()
                with path.open("rb") as handle:
                    result = imports.import_assets(
                        handle,
                        name=path.name,
                        size=path.stat().st_size,
                        progress=lambda p: marks.setdefault(p, time.perf_counter() - started),
                    )
                total = time.perf_counter() - started
                if profiler is not None:
                    import pstats

                    profiler.disable()
                    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
                assert result.ok, result.errors[:5]
                read, validated = marks.get(20, 0), marks.get(40, 0)
                copied, merged = marks.get(60, validated), marks.get(90, total)
                print(
                    f"{label}: {total:.2f} s = {args.rows / total:,.0f} rows/s = {total / bare:.1f}× bare COPY "
                    f"(read {read:.2f} s, validate {validated - read:.2f} s, to_csv + COPY {copied - validated:.2f} s, "
                    f"merge {merged - copied:.2f} s, commit {total - merged:.2f} s) "
                    f"→ {result.created:,} created, {result.updated:,} updated, {result.unchanged:,} unchanged"
                )
                return total

            first = timed_import("Import, empty table      ", profile=args.profile)
            second = timed_import("Import again (same file)  ")
            timed_import("Every row changed        ", path=changed)
            print(f"Target ≥ 200,000 rows/s and ≤ 4× bare COPY (first import): "
                  f"{args.rows / first:,.0f} rows/s, {first / bare:.1f}× → "
                  f"{'met' if first <= 4 * bare and args.rows / first >= 200_000 else 'NOT met'}")  # fmt: skip
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE departments_asset")

            per_row = baseline_per_row(path, args.baseline_sample)
            scaled = per_row * args.rows
            print(
                f"Baseline per-row ORM (parse + full_clean + update_or_create), {args.baseline_sample:,}-row sample "
                f"scaled ×{args.rows / args.baseline_sample:,.0f}: {1 / per_row:,.0f} rows/s → ≈ {scaled:.1f} s "
                f"for {args.rows:,} rows; the import is {scaled / first:.0f}× faster (first import)"
            )

        from django.contrib.auth import get_user_model

        if args.skip_list_page:
            return
        client = Client()
        client.force_login(get_user_model().objects.get(username="victor"))
        print(f"Asset list page with {Asset.objects.count():,} assets (median of 7, whole request):")
        for label, url in [
            ("first page, default order", "/departments/assets/"),
            ("page 500", "/departments/assets/?page=500"),
            ("sorted by end of life", "/departments/assets/?sort=end_of_life"),
            ("filtered: lighting, EOL ≤ 2030, 'route'", "/departments/assets/?department=lighting&end_of_life_max=2030&q=route"),
        ]:  # fmt: skip
            median, queries = time_list_page(client, url)
            print(f"  {label:42s} {median * 1000:6.1f} ms, {queries} SQL queries")
        print(
            f"Machine: {platform.node()}, {os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
            f"Python {platform.python_version()}, pandas {pd.__version__}, {pg_version}. "
            f"Target ≤ 10 s: {'met' if first <= 10 else 'NOT met'} ({first:.2f} s; again {second:.2f} s)."
        )
    finally:
        connection.close()
        if not args.keep:
            recreate_database(server_url, drop_only=True)


if __name__ == "__main__":
    main()
