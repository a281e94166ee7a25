"""The finder's job core, pure (pandas/numpy/scipy and finance.engine, no Django): group, value, rank, describe.

The service turns querysets into the ``assets`` and ``catalogue`` tables and the result back into rows; the
benchmark (benchmarks/finder.py) calls this function directly on a million generated assets.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from finance.engine import Assumptions

from .clustering import distinct_per_group, find_groups, haversine_m
from .valuation import DEFAULT_SYNERGY, value_groups

# Columns of the asset table the core reads (money in currency units at start-year prices, per year where
# it is a running cost; latitude/longitude in degrees, NaN when unknown; area "" when unknown).
ASSET_TABLE_COLUMNS = (
    "asset_id",
    "department",
    "category",
    "area",
    "latitude",
    "longitude",
    "install_year",
    "life_years",
    "replacement_cost",
    "maintenance_cost",
    "energy_cost",
)


@dataclass(frozen=True)
class FinderResult:
    """``candidates``: one row per candidate, best first (``rank`` 1 …), with the valuation columns of
    valuation.VALUE_COLUMNS plus kind, asset_count, department_count, end_of_life_first/last, and — for the
    ``described`` best ones only — label, latitude, longitude, spread_m. ``members``: (group, asset_id) of the
    described candidates. ``by_department`` / ``by_category``: their breakdowns."""

    candidates: pd.DataFrame
    members: pd.DataFrame
    by_department: pd.DataFrame
    by_category: pd.DataFrame
    assets_considered: int
    assets_without_coordinates: int
    departments_considered: int


def _area_codes(area: pd.Series) -> np.ndarray:
    """An integer per area, ignoring case and surrounding blanks; −1 for no area. String work is done on the
    distinct values only (a million assets have a few hundred areas)."""
    codes, uniques = pd.factorize(area, use_na_sentinel=True)
    clean = pd.Series(np.asarray(uniques, dtype=object)).astype(str).str.strip().str.casefold()
    merged, names = pd.factorize(clean)
    blank = np.flatnonzero(np.asarray(names, dtype=object) == "")
    lookup = np.append(merged, -1)  # code −1 (missing) -> −1
    if blank.size:
        lookup = np.where(lookup == blank[0], -1, lookup)
    return lookup[codes]


def find_candidates(
    assets: pd.DataFrame,
    catalogue: pd.DataFrame,
    *,
    radius_m: float = 150,
    window_years: int = 3,
    synergy: float = DEFAULT_SYNERGY,
    assumptions: Assumptions | None = None,
    describe: int = 2_000,
    progress: Callable[[int], None] | None = None,
) -> FinderResult:
    """Group ``assets`` (ASSET_TABLE_COLUMNS) into candidates, value each with the engine, rank them by savings
    (largest first; ties: larger replacement cost due, then first found) and describe the best ``describe``.

    ``progress`` receives integers 0 … 100. Raises clustering.ClusteringError for parameters out of range and
    finance.engine.EngineError if the engine refuses the asset data.
    """

    def report(pct: float) -> None:
        if progress is not None:
            progress(int(pct))

    assumptions = assumptions or Assumptions(draws=0)
    report(0)
    department_codes, department_names = pd.factorize(assets["department"], sort=True)
    latitude = assets["latitude"].to_numpy(dtype=float)
    longitude = assets["longitude"].to_numpy(dtype=float)
    end_of_life = (assets["install_year"].to_numpy(dtype=np.int64)) + assets["life_years"].to_numpy(
        dtype=np.int64
    )
    groups = find_groups(
        latitude=latitude,
        longitude=longitude,
        area=_area_codes(assets["area"]),
        department=department_codes,
        end_of_life=end_of_life,
        radius_m=radius_m,
        window_years=window_years,
    )
    report(40)
    members_mask = groups.label >= 0
    member_idx = np.flatnonzero(members_mask)
    group = groups.label[member_idx]
    located = np.isfinite(latitude) & np.isfinite(longitude)
    summary = {
        "assets_considered": len(assets),
        "assets_without_coordinates": int((~located).sum()),
        "departments_considered": len(department_names),
    }
    if member_idx.size == 0:
        empty = pd.DataFrame()
        return FinderResult(empty, empty, empty, empty, **summary)

    members = assets.iloc[member_idx].reset_index(drop=True)
    members["group"] = group
    values = value_groups(
        members.assign(action="upgrade"),
        catalogue,
        assumptions=assumptions,
        synergy=synergy,
        progress=lambda share: report(40 + 45 * share),
    )
    n_groups = groups.count
    eol = end_of_life[member_idx]
    first = np.full(n_groups, np.iinfo(np.int64).max)
    last = np.full(n_groups, np.iinfo(np.int64).min)
    np.minimum.at(first, group, eol)
    np.maximum.at(last, group, eol)
    departments_per_group = distinct_per_group(group, department_codes[member_idx])
    candidates = values.assign(
        kind=np.where(groups.spatial[values["group"]], "nearby", "area"),
        asset_count=np.bincount(group, minlength=n_groups)[values["group"]],
        department_count=departments_per_group[values["group"]],
        end_of_life_first=first[values["group"]],
        end_of_life_last=last[values["group"]],
    )
    order = np.lexsort(
        (
            candidates["group"].to_numpy(),
            -candidates["replacement_cost_due"].to_numpy(),
            -np.round(candidates["savings"].to_numpy(), 2),
        )
    )
    candidates = candidates.iloc[order].reset_index(drop=True)
    candidates["rank"] = np.arange(1, len(candidates) + 1)
    report(90)

    # Describe the best ones: where they are, their assets, departments and categories.
    top = candidates.iloc[:describe]
    wanted = np.zeros(n_groups, dtype=bool)
    wanted[top["group"].to_numpy()] = True
    keep = wanted[group]
    described = members.loc[keep, ["group", "asset_id", "department", "category", "area"]].copy()
    described["replacement_cost"] = members.loc[keep, "replacement_cost"].to_numpy(dtype=float)
    lat, lon = latitude[member_idx][keep], longitude[member_idx][keep]
    g = described["group"].to_numpy()
    counts = np.bincount(g, minlength=n_groups)
    ok = np.isfinite(lat)
    with np.errstate(invalid="ignore", divide="ignore"):
        centre_lat = np.bincount(g[ok], weights=lat[ok], minlength=n_groups) / counts
        centre_lon = np.bincount(g[ok], weights=lon[ok], minlength=n_groups) / counts
    spread = np.zeros(n_groups)
    if ok.any():
        distance = haversine_m(lat[ok], lon[ok], centre_lat[g[ok]], centre_lon[g[ok]])
        np.maximum.at(spread, g[ok], distance)
    areas = described.assign(area=described["area"].fillna("").astype(str).str.strip())
    areas = areas[areas["area"] != ""]
    label = (
        areas.groupby(["group", "area"])
        .size()
        .reset_index(name="n")
        .sort_values(["group", "n", "area"], ascending=[True, False, True])
    ).drop_duplicates("group")
    label_by_group = dict(zip(label["group"], label["area"], strict=True))
    tg = top["group"].to_numpy()
    spatial = top["kind"].to_numpy() == "nearby"
    candidates.loc[top.index, "label"] = [label_by_group.get(int(x), "") for x in tg]
    candidates.loc[top.index, "latitude"] = np.where(spatial, centre_lat[tg], np.nan)
    candidates.loc[top.index, "longitude"] = np.where(spatial, centre_lon[tg], np.nan)
    candidates.loc[top.index, "spread_m"] = np.where(spatial, spread[tg], np.nan)
    report(95)
    by_department = (
        described.groupby(["group", "department"])
        .agg(count=("asset_id", "size"), replacement_cost=("replacement_cost", "sum"))
        .reset_index()
        .sort_values(["group", "replacement_cost", "department"], ascending=[True, False, True])
    )
    by_category = (
        described.groupby(["group", "category"])
        .size()
        .reset_index(name="count")
        .sort_values(["group", "count", "category"], ascending=[True, False, True])
    )
    report(100)
    return FinderResult(
        candidates=candidates,
        members=described[["group", "asset_id"]].reset_index(drop=True),
        by_department=by_department.reset_index(drop=True),
        by_category=by_category.reset_index(drop=True),
        **summary,
    )
