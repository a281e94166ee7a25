"""The one achievement / on-track rule (outcomes.progress), table-driven. No database."""

import datetime
from decimal import Decimal as D

import pytest

from outcomes.progress import (
    InvalidIndicatorRule,
    Track,
    achievement_percent,
    expected_percent,
    indicator_progress,
    track_status,
    trajectory_value,
)

JAN_2020 = datetime.date(2020, 1, 1)
JAN_2030 = datetime.date(2030, 1, 1)


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "value", "expected"),
    [
        # higher is better: 50 → 100
        ("higher", "50", "100", "50", "0.00"),
        ("higher", "50", "100", "75", "50.00"),
        ("higher", "50", "100", "100", "100.00"),
        ("higher", "50", "100", "140", "100.00"),  # beyond the target: clipped
        ("higher", "50", "100", "30", "0.00"),  # moved the wrong way: clipped
        ("higher", "-10", "10", "0", "50.00"),  # negative baselines work
        # lower is better: 100 → 60
        ("lower", "100", "60", "100", "0.00"),
        ("lower", "100", "60", "90", "25.00"),
        ("lower", "100", "60", "60", "100.00"),
        ("lower", "100", "60", "10", "100.00"),  # clipped
        ("lower", "100", "60", "120", "0.00"),  # worse than baseline: clipped
        ("lower", "3", "0", "2", "33.33"),  # rounded half up to two decimals
        ("lower", "3", "0", "1", "66.67"),
    ],
)
def test_achievement_is_direction_aware_and_clipped(direction, baseline, target, value, expected):
    result = achievement_percent(baseline=D(baseline), target=D(target), direction=direction, value=D(value))
    assert result == D(expected)
    assert isinstance(result, D)


@pytest.mark.parametrize(
    ("direction", "baseline", "target"),
    [("higher", "50", "50"), ("lower", "50", "50"), ("higher", "50", "40"), ("lower", "50", "60")],
)
def test_achievement_refuses_a_target_equal_to_or_on_the_wrong_side_of_the_baseline(
    direction, baseline, target
):
    with pytest.raises(InvalidIndicatorRule):
        achievement_percent(baseline=D(baseline), target=D(target), direction=direction, value=D("45"))


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (datetime.date(2019, 1, 1), "0.00"),  # before the baseline: clipped
        (JAN_2020, "0.00"),
        (datetime.date(2025, 1, 1), "50.01"),  # 1827 of 3653 days
        (JAN_2030, "100.00"),
        (datetime.date(2031, 1, 1), "100.00"),  # after the target date: clipped
    ],
)
def test_expected_share_follows_a_straight_line_in_days(at, expected):
    assert expected_percent(baseline_period=JAN_2020, target_date=JAN_2030, at=at) == D(expected)


@pytest.mark.parametrize(
    ("achievement", "expected", "status"),
    [
        ("50", "50", Track.ON_TRACK),
        ("60", "50", Track.ON_TRACK),  # ahead of the trajectory
        ("45", "50", Track.ON_TRACK),  # exactly 5 points behind: still on track
        ("44.99", "50", Track.AT_RISK),
        ("35", "50", Track.AT_RISK),  # exactly 15 points behind: at risk
        ("34.99", "50", Track.OFF_TRACK),
        ("0", "100", Track.OFF_TRACK),
        ("0", "0", Track.ON_TRACK),
    ],
)
def test_status_compares_achievement_with_the_trajectory(achievement, expected, status):
    assert track_status(achievement=D(achievement), expected=D(expected)) == status


def _progress(direction, baseline, target, measurements):
    return indicator_progress(
        baseline=D(baseline),
        baseline_period=JAN_2020,
        target=D(target),
        target_date=JAN_2030,
        direction=direction,
        measurements=[(d, D(v)) for d, v in measurements],
    )


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "measurements", "achievement", "expected", "status"),
    [
        # lower is better, halfway in time, 40 % of the way: at risk (10 points behind)
        ("lower", "100", "50", [(datetime.date(2025, 1, 1), "80")], "40.00", "50.01", Track.AT_RISK),
        # the LATEST period counts, whatever the order given
        (
            "lower",
            "100",
            "50",
            [(datetime.date(2025, 1, 1), "70"), (datetime.date(2022, 1, 1), "95")],
            "60.00",
            "50.01",
            Track.ON_TRACK,
        ),
        # higher is better, went the wrong way, late: off track
        ("higher", "10", "20", [(datetime.date(2028, 1, 1), "8")], "0.00", "79.99", Track.OFF_TRACK),
        # target beaten after the target date: 100 %, on track
        ("higher", "10", "20", [(datetime.date(2031, 6, 1), "25")], "100.00", "100.00", Track.ON_TRACK),
    ],
)
def test_indicator_progress_uses_the_latest_measurement(
    direction, baseline, target, measurements, achievement, expected, status
):
    progress = _progress(direction, baseline, target, measurements)
    assert progress.achievement == D(achievement)
    assert progress.expected == D(expected)
    assert progress.status == status
    assert progress.latest_period == max(d for d, _ in measurements)


def test_indicator_without_measurement_has_no_achievement_and_no_data_status():
    progress = _progress("lower", "100", "50", [])
    assert progress.achievement is None
    assert progress.expected is None
    assert progress.status == Track.NO_DATA


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "target_date"),
    [
        ("lower", "100", "100", JAN_2030),
        ("lower", "100", "120", JAN_2030),
        ("higher", "100", "80", JAN_2030),
        ("higher", "100", "120", JAN_2020),  # target date = baseline period
        ("higher", "100", "120", datetime.date(2019, 1, 1)),
        ("sideways", "100", "120", JAN_2030),
    ],
)
def test_indicator_progress_refuses_rules_that_cannot_describe_progress(
    direction, baseline, target, target_date
):
    with pytest.raises(InvalidIndicatorRule):
        indicator_progress(
            baseline=D(baseline),
            baseline_period=JAN_2020,
            target=D(target),
            target_date=target_date,
            direction=direction,
            measurements=[],
        )


def test_trajectory_value_is_the_straight_line_between_baseline_and_target():
    at = datetime.date(2025, 1, 1)
    value = trajectory_value(
        baseline=D("100"), baseline_period=JAN_2020, target=D("50"), target_date=JAN_2030, at=at
    )
    assert value == D("100") + D("-50") * D(1827) / D(3653)
