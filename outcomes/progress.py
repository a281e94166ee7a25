"""The ONE rule for an indicator's progress: achievement and on-track status. Pure functions, Decimal only.

Outcome-linked payments use `achievement_percent` later, so this module has no Django import and is
tested table-driven (tests/outcomes/test_progress.py). The rule, in the city's words:

- achievement = how far the latest measurement has moved from the baseline toward the target, as a
  percentage of the whole distance, clipped to 0–100 %. Because the distance is signed (target − baseline),
  the rule is direction-aware: for "lower is better" a fall is progress, a rise is none (0 %).
- expected = where a straight line from (baseline period, baseline) to (target date, target) says we should
  be at the latest measurement's date, as a percentage of the distance (0 % at the baseline period, 100 % at
  the target date and after).
- status: on track if achievement ≥ expected − 5 points; at risk if ≥ expected − 15 points; else off track;
  "no data" while there is no measurement. Thresholds are in docs/decisions.md.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

HUNDRED = Decimal("100")
ZERO = Decimal("0")
# Points of achievement an indicator may lag its trajectory and still be on track / at risk.
ON_TRACK_TOLERANCE = Decimal("5")
AT_RISK_TOLERANCE = Decimal("15")
# Percentages are rounded once, to two decimals, half up (the same way a person rounds a payment share).
PERCENT_QUANTUM = Decimal("0.01")

HIGHER = "higher"
LOWER = "lower"


class Track(StrEnum):
    ON_TRACK = "on-track"
    AT_RISK = "at-risk"
    OFF_TRACK = "off-track"
    NO_DATA = "no-data"

    @property
    def label(self) -> str:
        return {
            Track.ON_TRACK: "On track",
            Track.AT_RISK: "At risk",
            Track.OFF_TRACK: "Off track",
            Track.NO_DATA: "No measurement yet",
        }[self]


class InvalidIndicatorRule(ValueError):
    """Baseline, target and direction that cannot describe progress (target = baseline, wrong side, dates)."""


@dataclass(frozen=True)
class Progress:
    achievement: Decimal | None  # percent 0–100, None without measurement
    expected: Decimal | None  # percent 0–100 on the straight-line trajectory at the latest measurement
    status: Track
    latest_value: Decimal | None
    latest_period: datetime.date | None


def _clip(value: Decimal) -> Decimal:
    return min(HUNDRED, max(ZERO, value))


def _percent(value: Decimal) -> Decimal:
    return _clip(value).quantize(PERCENT_QUANTUM, rounding=ROUND_HALF_UP)


def check_rule(
    *,
    baseline: Decimal,
    target: Decimal,
    direction: str,
    baseline_period: datetime.date,
    target_date: datetime.date,
) -> None:
    """Raise InvalidIndicatorRule when these figures cannot describe progress."""
    if direction not in (HIGHER, LOWER):
        raise InvalidIndicatorRule(f"Unknown direction {direction!r}.")
    if target == baseline:
        raise InvalidIndicatorRule("The target must differ from the baseline.")
    if direction == HIGHER and target < baseline:
        raise InvalidIndicatorRule("Higher is better, so the target must be above the baseline.")
    if direction == LOWER and target > baseline:
        raise InvalidIndicatorRule("Lower is better, so the target must be below the baseline.")
    if target_date <= baseline_period:
        raise InvalidIndicatorRule("The target date must be after the baseline period.")


def achievement_percent(*, baseline: Decimal, target: Decimal, direction: str, value: Decimal) -> Decimal:
    """Share of the distance baseline → target covered by `value`, in percent, clipped to 0–100."""
    if target == baseline:
        raise InvalidIndicatorRule("The target must differ from the baseline.")
    if (direction == HIGHER) != (target > baseline):
        raise InvalidIndicatorRule("The target is on the wrong side of the baseline for the direction.")
    return _percent((value - baseline) / (target - baseline) * HUNDRED)


def expected_percent(
    *, baseline_period: datetime.date, target_date: datetime.date, at: datetime.date
) -> Decimal:
    """Share of the distance the straight-line trajectory has covered at date `at`, percent, clipped 0–100."""
    total_days = (target_date - baseline_period).days
    if total_days <= 0:
        raise InvalidIndicatorRule("The target date must be after the baseline period.")
    return _percent(Decimal((at - baseline_period).days) / Decimal(total_days) * HUNDRED)


def trajectory_value(
    *,
    baseline: Decimal,
    baseline_period: datetime.date,
    target: Decimal,
    target_date: datetime.date,
    at: datetime.date,
) -> Decimal:
    """The value the straight line baseline → target passes through at `at` (not clipped; for charts)."""
    total_days = Decimal((target_date - baseline_period).days)
    return baseline + (target - baseline) * Decimal((at - baseline_period).days) / total_days


def track_status(*, achievement: Decimal, expected: Decimal) -> Track:
    gap = expected - achievement
    if gap <= ON_TRACK_TOLERANCE:
        return Track.ON_TRACK
    if gap <= AT_RISK_TOLERANCE:
        return Track.AT_RISK
    return Track.OFF_TRACK


def indicator_progress(
    *,
    baseline: Decimal,
    baseline_period: datetime.date,
    target: Decimal,
    target_date: datetime.date,
    direction: str,
    measurements: Iterable[tuple[datetime.date, Decimal]],
) -> Progress:
    """Progress of one indicator from its latest measurement (the one with the latest period)."""
    check_rule(
        baseline=baseline,
        target=target,
        direction=direction,
        baseline_period=baseline_period,
        target_date=target_date,
    )
    latest = max(measurements, key=lambda m: m[0], default=None)
    if latest is None:
        return Progress(None, None, Track.NO_DATA, None, None)
    period, value = latest
    achievement = achievement_percent(baseline=baseline, target=target, direction=direction, value=value)
    expected = expected_percent(baseline_period=baseline_period, target_date=target_date, at=period)
    return Progress(
        achievement=achievement,
        expected=expected,
        status=track_status(achievement=achievement, expected=expected),
        latest_value=value,
        latest_period=period,
    )
