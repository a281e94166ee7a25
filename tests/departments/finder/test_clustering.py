"""The clustering rule on hand-placed points (no database)."""

import numpy as np
import pytest

from departments.finder.clustering import (
    ClusteringError,
    find_groups,
    haversine_m,
    spatial_groups,
    window_slices,
)

LAT, LON = 50.8467, 4.3525
METRE_LAT = 1 / 111_195.0  # degrees of latitude per metre (mean Earth radius 6,371,008.8 m)


def north(metres: float) -> float:
    return LAT + metres * METRE_LAT


def east(metres: float) -> float:
    return LON + metres * METRE_LAT / np.cos(np.radians(LAT))


def groups(points, *, radius_m=150, window_years=3):
    """points: (lat, lon, department, end of life, area) → candidate labels."""
    lat, lon, dept, eol, area = (np.array(col) for col in zip(*points, strict=True))
    return find_groups(
        latitude=lat.astype(float),
        longitude=lon.astype(float),
        area=area.astype(int),
        department=dept.astype(int),
        end_of_life=eol.astype(int),
        radius_m=radius_m,
        window_years=window_years,
    )


def test_the_hand_placed_offsets_are_the_distances_they_say():
    assert haversine_m(np.array([LAT]), np.array([LON]), np.array([north(100)]), np.array([LON]))[0] == (
        pytest.approx(100, abs=0.01)
    )
    assert haversine_m(np.array([LAT]), np.array([LON]), np.array([LAT]), np.array([east(200)]))[0] == (
        pytest.approx(200, abs=0.05)
    )


def test_two_stops_100_m_apart_across_departments_join():
    result = groups([(LAT, LON, 0, 2027, -1), (north(100), LON, 1, 2028, -1)])
    assert result.count == 1
    assert list(result.label) == [0, 0]
    assert list(result.spatial) == [True]


def test_two_stops_200_m_apart_do_not_join():
    result = groups([(LAT, LON, 0, 2027, -1), (LAT, east(200), 1, 2027, -1)])
    assert result.count == 0
    assert list(result.label) == [-1, -1]


def test_the_radius_is_inclusive_and_exact_on_the_sphere():
    near = groups([(LAT, LON, 0, 2027, -1), (north(149.9), LON, 1, 2027, -1)])
    far = groups([(LAT, LON, 0, 2027, -1), (north(150.2), LON, 1, 2027, -1)])
    assert near.count == 1 and far.count == 0


def test_one_department_alone_never_forms_a_candidate():
    result = groups([(LAT, LON, 0, 2027, -1), (north(10), LON, 0, 2027, -1), (north(20), LON, 0, 2027, -1)])
    assert result.count == 0


def test_a_row_of_one_department_does_not_chain_two_stops_together():
    # Lights every 50 m link only to assets of other departments; the two stops stay two candidates.
    points = [(LAT, east(x), 1, 2027, -1) for x in range(0, 1001, 50)]
    points += [(north(5), LON, 0, 2027, -1), (north(5), east(1000), 0, 2027, -1)]
    result = groups(points)
    assert result.count == 2
    assert result.label[-1] != result.label[-2]


def test_lights_between_stops_close_enough_to_both_join_them_single_linkage():
    # Stops 250 m apart; the light half-way (125 m from each) links them into one candidate.
    points = [(LAT, LON, 0, 2027, -1), (LAT, east(250), 0, 2027, -1), (north(3), east(125), 1, 2027, -1)]
    assert groups(points).count == 1


def test_end_of_life_years_further_apart_than_the_window_do_not_join():
    assert groups([(LAT, LON, 0, 2027, -1), (north(50), LON, 1, 2031, -1)], window_years=3).count == 0
    assert groups([(LAT, LON, 0, 2027, -1), (north(50), LON, 1, 2030, -1)], window_years=3).count == 1
    assert groups([(LAT, LON, 0, 2027, -1), (north(50), LON, 1, 2027, -1)], window_years=0).count == 1


def test_a_chain_spreading_over_more_than_the_window_is_cut_greedily_from_its_earliest_year():
    # A (2020) – B (2023) – C (2026) – D (2029): each link is within 3 years but the chain spans 9.
    points = [
        (LAT, LON, 0, 2020, -1),
        (north(100), LON, 1, 2023, -1),
        (north(200), LON, 0, 2026, -1),
        (north(300), LON, 1, 2029, -1),
    ]
    result = groups(points, window_years=3)
    # Slices [2020–2023] and [2026–2029]: A+B and C+D.
    assert result.count == 2
    assert result.label[0] == result.label[1] != result.label[2] == result.label[3]


def test_window_slices_span_at_most_the_window():
    component = np.array([0, 0, 0, 0, 0, 1, 1])
    years = np.array([2020, 2025, 2028, 2021, 2023, 2030, 2040])
    slices = window_slices(component, years, 3)
    for s in np.unique(slices):
        members = years[slices == s]
        assert members.max() - members.min() <= 3
    # Greedy: 2020, 2021, 2023 | 2025, 2028 | 2030 | 2040
    assert len(np.unique(slices)) == 4


def test_assets_without_coordinates_are_grouped_by_area_across_departments():
    nan = float("nan")
    points = [
        (nan, nan, 0, 2027, 7),
        (nan, nan, 1, 2028, 7),
        (nan, nan, 0, 2027, 8),  # area 8 has one department only
        (nan, nan, 0, 2027, 8),
        (nan, nan, 1, 2027, -1),  # no area: left out
    ]
    result = groups(points)
    assert result.count == 1
    assert list(result.label) == [0, 0, -1, -1, -1]
    assert list(result.spatial) == [False]


def test_spatial_candidates_come_before_area_candidates():
    nan = float("nan")
    points = [
        (nan, nan, 0, 2027, 3),
        (nan, nan, 1, 2027, 3),
        (LAT, LON, 0, 2027, -1),
        (north(10), LON, 1, 2027, -1),
    ]
    result = groups(points)
    assert list(result.label) == [1, 1, 0, 0]
    assert list(result.spatial) == [True, False]


@pytest.mark.parametrize(("radius", "window"), [(5, 3), (2_500, 3), (150, -1), (150, 11)])
def test_parameters_out_of_range_are_refused_in_plain_words(radius, window):
    with pytest.raises(ClusteringError, match="must be between"):
        groups([(LAT, LON, 0, 2027, -1)], radius_m=radius, window_years=window)


def test_the_tree_finds_the_same_links_as_all_pairs_on_random_points():
    rng = np.random.default_rng(3)
    n = 400
    lat = LAT + rng.uniform(-0.01, 0.01, n)
    lon = LON + rng.uniform(-0.015, 0.015, n)
    dept = rng.integers(0, 3, n)
    eol = rng.integers(2025, 2029, n)  # a spread of 3 years: the window never cuts
    labels = spatial_groups(
        latitude=lat, longitude=lon, department=dept, end_of_life=eol, radius_m=150, window_years=3
    )
    # All pairs, by brute force, with the same rule (links between departments, within the window).
    d = haversine_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    linked = (d <= 150) & (dept[:, None] != dept[None, :]) & (np.abs(eol[:, None] - eol[None, :]) <= 3)
    np.fill_diagonal(linked, False)
    has_link = linked.any(axis=1)
    # Every linked point is in a candidate and every candidate point has a link (cutting aside, with one
    # window-sized spread of years no component is cut).
    assert np.array_equal(labels >= 0, has_link)
    i, j = np.nonzero(linked)
    assert np.all(labels[i] == labels[j])
