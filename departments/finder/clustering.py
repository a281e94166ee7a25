"""Which assets of different departments stand together and wear out together — pure numpy/scipy, no Django.

The rule (docs/decisions.md, "Opportunity finder: the clustering rule"):

1. **Links.** Two assets are linked when they belong to *different* departments, stand within ``radius_m``
   of each other (great-circle distance, haversine on latitude/longitude, Earth radius 6,371,008.8 m) and
   their end-of-life years differ by at most ``window_years``. Same-department pairs are never links, so a
   row of street lights does not chain a whole street together and one department alone never forms a
   candidate.
2. **Components.** Linked assets form connected components (single linkage).
3. **Window.** A component whose end-of-life years spread over more than the window is cut: sorted by end of
   life, a slice starts at the earliest year and takes every asset up to that year + window; the next slice
   starts at the next year not taken (greedy, so every slice spans at most ``window_years``).
4. **Reconnect.** Within each slice only the links between its own assets are kept and components are formed
   again (cutting may have separated them). Every component of two or more assets is a candidate; as every
   link joins two departments, each candidate has assets of at least two departments.

Assets without coordinates are grouped by their ``area`` instead (case and surrounding blanks ignored):
one area is one component, cut by the same window rule; a slice with assets of at least two departments is
a candidate. Assets with neither coordinates nor an area are left out.

Never all pairs: points are projected to metres (equirectangular, scaled at the latitude farthest from the
equator so that projected distances never exceed true ones), indexed in scipy's cKDTree, and only the pairs
the tree returns within the radius are checked with the exact haversine distance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG), metres
RADIUS_LIMITS_M = (10, 2_000)
WINDOW_LIMITS_YEARS = (0, 10)


class ClusteringError(ValueError):
    """Parameters out of their stated range (plain words for the user)."""


@dataclass(frozen=True)
class Groups:
    """The result: ``label[i]`` is the candidate of point i (−1: in none); ``spatial[g]`` says whether candidate
    g was found by distance (True) or by area (False). Labels are 0 … count−1."""

    label: np.ndarray
    spatial: np.ndarray

    @property
    def count(self) -> int:
        return int(self.spatial.size)


def check_parameters(*, radius_m: float, window_years: int) -> list[str]:
    """Every problem with the parameters, in plain words (empty list = valid)."""
    problems = []
    low, high = RADIUS_LIMITS_M
    if not (np.isfinite(radius_m) and low <= radius_m <= high):
        problems.append(f"The radius must be between {low:,} and {high:,} metres (got {radius_m:g}).")
    low, high = WINDOW_LIMITS_YEARS
    if not low <= window_years <= high:
        problems.append(
            f"The end-of-life window must be between {low} and {high} years (got {window_years})."
        )
    return problems


def project(latitude: np.ndarray, longitude: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular x, y in metres. The x scale is cos of the latitude farthest from the equator in the data,
    so a projected distance is never longer than the true one (the tree's radius query misses no pair). A city
    is assumed not to straddle the ±180° meridian."""
    if latitude.size == 0:
        return latitude.astype(float), longitude.astype(float)
    lat = np.radians(latitude)
    scale = np.cos(np.max(np.abs(lat)))
    return EARTH_RADIUS_M * np.radians(longitude) * scale, EARTH_RADIUS_M * lat


def haversine_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in metres between arrays of points given in degrees."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(lon2 - lon1)
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.minimum(h, 1.0)))


def window_slices(component: np.ndarray, end_of_life: np.ndarray, window_years: int) -> np.ndarray:
    """Cut each component into slices whose end-of-life years span at most ``window_years`` (rule 3).

    Returns a slice id per point (unique across components). Points are sorted once by (component, year); then,
    in rounds, every component still holding points takes those up to its earliest remaining year + window (a
    prefix of its sorted run). The number of rounds is the largest number of slices of one component (a few),
    never the number of points; each round is a handful of O(n) array operations.
    """
    n = component.size
    slice_id = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return slice_id
    eol = end_of_life.astype(np.int64)
    order = np.lexsort((eol, component))
    comp, years = component[order], eol[order]
    next_id = 0
    while order.size:
        starts = np.r_[True, comp[1:] != comp[:-1]]
        first = np.maximum.accumulate(np.where(starts, np.arange(order.size), 0))  # index of the run's start
        taken = years <= years[first] + window_years
        run_number = np.cumsum(starts) - 1
        slice_id[order[taken]] = next_id + run_number[taken]
        next_id += int(run_number[-1]) + 1
        order, comp, years = order[~taken], comp[~taken], years[~taken]
    return slice_id


def _components(n: int, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    graph = coo_matrix((np.ones(i.size, dtype=np.int8), (i, j)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def spatial_groups(
    *,
    latitude: np.ndarray,
    longitude: np.ndarray,
    department: np.ndarray,
    end_of_life: np.ndarray,
    radius_m: float,
    window_years: int,
) -> np.ndarray:
    """Candidate label per point (−1: none) by rules 1–4; labels are 0 … k−1, by first point."""
    n = latitude.size
    if n < 2:
        return np.full(n, -1, dtype=np.int64)
    x, y = project(latitude, longitude)
    tree = cKDTree(np.column_stack([x, y]), balanced_tree=False, compact_nodes=False)
    # A hair over the radius: the projection never lengthens distances, the exact check follows.
    pairs = tree.query_pairs(radius_m * (1 + 1e-9) + 1e-6, output_type="ndarray")
    del tree
    i, j = pairs[:, 0], pairs[:, 1]
    del pairs
    eol = end_of_life.astype(np.int64)
    keep = (department[i] != department[j]) & (np.abs(eol[i] - eol[j]) <= window_years)
    i, j = i[keep], j[keep]
    keep = haversine_m(latitude[i], longitude[i], latitude[j], longitude[j]) <= radius_m
    i, j = i[keep], j[keep]
    if i.size == 0:
        return np.full(n, -1, dtype=np.int64)
    component = _components(n, i, j)
    slices = window_slices(component, eol, window_years)
    same = slices[i] == slices[j]
    i, j = i[same], j[same]
    final = _components(n, i, j)
    # Keep components of two or more points (a lone point has no link; every link spans two departments).
    sizes = np.bincount(final)
    linked = sizes[final] >= 2
    return _relabel(np.where(linked, final, -1))


def distinct_per_group(group: np.ndarray, value: np.ndarray) -> np.ndarray:
    """How many distinct ``value`` (small non-negative integers) each group 0 … max(group) holds. O(n)."""
    n_groups, n_values = int(group.max()) + 1, int(value.max()) + 1
    present = np.zeros(n_groups * n_values, dtype=bool)
    present[group.astype(np.int64) * n_values + value] = True
    return present.reshape(n_groups, n_values).sum(axis=1)


def area_groups(
    *, area: np.ndarray, department: np.ndarray, end_of_life: np.ndarray, window_years: int
) -> np.ndarray:
    """Candidate label per point (−1: none) for points without coordinates: one area (an integer code, −1 =
    no area) is one component, cut by the window rule; a slice needs points of two or more departments."""
    n = area.size
    label = np.full(n, -1, dtype=np.int64)
    has_area = area >= 0
    if has_area.sum() < 2:
        return label
    idx = np.flatnonzero(has_area)
    slices = window_slices(area[idx], end_of_life[idx], window_years)
    keep = distinct_per_group(slices, department[idx])[slices] >= 2
    label[idx[keep]] = slices[keep]
    return _relabel(label)


def _relabel(label: np.ndarray) -> np.ndarray:
    """Labels 0 … k−1 in increasing order of the old labels, −1 kept. O(n): a bincount, no sort."""
    out = np.full(label.size, -1, dtype=np.int64)
    mask = label >= 0
    if not mask.any():
        return out
    used = np.bincount(label[mask]) > 0
    new_id = np.cumsum(used) - 1
    out[mask] = new_id[label[mask]]
    return out


def find_groups(
    *,
    latitude: np.ndarray,
    longitude: np.ndarray,
    area: np.ndarray,
    department: np.ndarray,
    end_of_life: np.ndarray,
    radius_m: float = 150,
    window_years: int = 3,
) -> Groups:
    """All candidates among the points. ``latitude``/``longitude`` in degrees, NaN where unknown; ``area`` an
    integer code per point (−1: none); ``department`` an integer code; ``end_of_life`` a calendar year.

    Points with coordinates are grouped by distance, the others by area. Raises ClusteringError for
    parameters out of range.
    """
    problems = check_parameters(radius_m=radius_m, window_years=window_years)
    if problems:
        raise ClusteringError(" ".join(problems))
    latitude = np.asarray(latitude, dtype=float)
    longitude = np.asarray(longitude, dtype=float)
    n = latitude.size
    located = np.isfinite(latitude) & np.isfinite(longitude)
    label = np.full(n, -1, dtype=np.int64)
    where = np.flatnonzero(located)
    spatial = spatial_groups(
        latitude=latitude[where],
        longitude=longitude[where],
        department=np.asarray(department)[where],
        end_of_life=np.asarray(end_of_life)[where],
        radius_m=radius_m,
        window_years=window_years,
    )
    label[where] = spatial
    n_spatial = int(spatial.max()) + 1 if spatial.size and spatial.max() >= 0 else 0
    where = np.flatnonzero(~located)
    by_area = area_groups(
        area=np.asarray(area)[where],
        department=np.asarray(department)[where],
        end_of_life=np.asarray(end_of_life)[where],
        window_years=window_years,
    )
    label[where] = np.where(by_area >= 0, by_area + n_spatial, -1)
    n_area = int(by_area.max()) + 1 if by_area.size and by_area.max() >= 0 else 0
    return Groups(
        label=label,
        spatial=np.concatenate([np.ones(n_spatial, dtype=bool), np.zeros(n_area, dtype=bool)]),
    )
