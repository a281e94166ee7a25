"""The payment certificate of one performance period (DESIGN §13). Pure: no Django, Decimal only.

The service (`procurement.contracts.services.certificate_compute`) turns rows into these inputs and stores the
result; this module is the one place the arithmetic lives, tested table-driven by hand
(tests/procurement/contracts/test_certificate.py) and benchmarked (benchmarks/contracts.py).

Rounding (named, in docs/decisions.md):
- achievement aₖ: `outcomes.progress.achievement_percent` (percent, 2 decimals, half up) ÷ 100 — exact;
- weighted achievement a = Σ wₖ aₖ with wₖ = weight% ÷ 100, rounded to 4 decimals half up (ACHIEVEMENT_QUANTUM);
- index factors Π(1 + πᵢ) are kept exact (Decimal context, 28 digits) and rounded only inside money;
- every money line is rounded to cents half up (MONEY_QUANTUM) once; a payable is gross − its deduction, so the
  printed lines always add up; the deduction is split over indicators by largest remainder (to the cent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from outcomes.progress import achievement_percent

MONEY_QUANTUM = Decimal("0.01")
ACHIEVEMENT_QUANTUM = Decimal("0.0001")
ZERO = Decimal("0")
ONE = Decimal("1")
HUNDRED = Decimal("100")

OPEX_SERVICE = "opex_service"
SHARED_SAVINGS = "shared_savings"
CAPEX = "capex"


class CertificateError(ValueError):
    """Inputs that cannot make a certificate (weights not adding to 100, a missing inflation year, …)."""


def to_money(value: Decimal) -> Decimal:
    """Cents, half up: the one rounding of every money line."""
    return value.quantize(MONEY_QUANTUM, rounding=ROUND_HALF_UP)


def largest_remainder(total: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Split `total` (cents) in proportion to `weights` so the parts add to `total` exactly.

    Each part is first rounded down to the cent; the cents left over go one each to the largest remainders
    (ties: the earlier one). Works for negative totals by splitting the absolute value.
    """
    if not weights:
        return []
    whole = sum(weights, ZERO)
    if whole <= 0:
        raise CertificateError("Shares must add to more than zero.")
    sign = -1 if total < 0 else 1
    cents = int((abs(total) / MONEY_QUANTUM).to_integral_value())
    exact = [Decimal(cents) * w / whole for w in weights]
    floors = [int(x.to_integral_value(rounding=ROUND_DOWN)) for x in exact]
    left = cents - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return [sign * Decimal(c) * MONEY_QUANTUM for c in floors]


@dataclass(frozen=True)
class IndicatorResult:
    """One contract indicator in one period. `value` None = not reported, rejected or not verified in time."""

    name: str
    unit: str
    weight: Decimal  # percent of the outcome-linked payment; all add to 100
    baseline: Decimal
    target: Decimal  # the partner's committed target
    direction: str  # "higher" | "lower"
    value: Decimal | None
    missing_reason: str = "not reported"


@dataclass(frozen=True)
class CertificateInput:
    model: str  # opex_service | shared_savings | capex
    contract_year: int  # t: 0 = the start year (start-year prices)
    period_fraction: Decimal  # 1 for a yearly period, 0.25 for a quarter
    financing_charge: Decimal  # A′ per year, flat nominal (CapEx: 0)
    operation_fee: Decimal  # O′ per year at start-year prices (CapEx: the guaranteed running cost)
    savings_share: Decimal  # s (0 unless shared savings)
    at_risk_share: Decimal  # φ
    indicators: Sequence[IndicatorResult]
    inflation: Sequence[Decimal]  # π₁ … πₜ (t entries)
    energy_change: Sequence[Decimal]  # e₁ … eₜ
    baseline_maintenance: Decimal  # per year, start-year prices
    baseline_energy: Decimal
    actual_maintenance: Decimal | None  # this period; None = costs not reported/verified
    actual_energy: Decimal | None


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    amount: Decimal | None
    words: str
    indicator: str = ""


@dataclass(frozen=True)
class Certificate:
    achievement: Decimal
    achievements: tuple[tuple[str, Decimal, str], ...]  # (indicator name, aₖ 0–1, how it was found)
    price_index: Decimal
    energy_index: Decimal
    service_fee: Decimal
    fee_deduction: Decimal
    fee_payable: Decimal
    baseline_indexed: Decimal | None
    actual_cost: Decimal | None
    savings: Decimal | None
    shared_savings_gross: Decimal
    savings_deduction: Decimal
    savings_payable: Decimal
    city_savings: Decimal
    total_payable: Decimal
    lines: tuple[Line, ...] = field(default_factory=tuple)
    deductions: tuple[Line, ...] = field(default_factory=tuple)


def _product(rates: Sequence[Decimal], t: int, what: str) -> Decimal:
    if len(rates) < t:
        raise CertificateError(f"The {what} of contract year {len(rates) + 1} is missing.")
    factor = ONE
    for rate in rates[:t]:
        factor *= ONE + rate
    return factor


def _words(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def _pct(share: Decimal) -> str:
    return f"{(share * HUNDRED).normalize():f}%"


def compute_certificate(data: CertificateInput) -> Certificate:
    """The certificate of one period by DESIGN §13 (see the module docstring for rounding)."""
    if data.contract_year < 0:
        raise CertificateError("The contract year starts at 0.")
    if not ZERO <= data.at_risk_share <= ONE:
        raise CertificateError("The at-risk share is between 0 and 1.")
    if not ZERO <= data.savings_share <= ONE:
        raise CertificateError("The savings share is between 0 and 1.")
    weights = sum((i.weight for i in data.indicators), ZERO)
    if data.indicators and weights != HUNDRED:
        raise CertificateError(f"The indicator weights add to {weights.normalize():f}%, not 100%.")
    t = data.contract_year
    price_index = _product(data.inflation, t, "inflation")
    energy_index = _product(data.energy_change, t, "energy price change")
    phi = data.at_risk_share

    # Weighted achievement a = Σ wₖ aₖ; a missing measurement counts as 0 (DESIGN §13).
    achievements = []
    raw = ZERO
    for ind in data.indicators:
        if ind.value is None:
            a_k, how = ZERO, ind.missing_reason
        else:
            a_k = (
                achievement_percent(
                    baseline=ind.baseline, target=ind.target, direction=ind.direction, value=ind.value
                )
                / HUNDRED
            )
            how = f"measured {ind.value.normalize():f} {ind.unit}".rstrip()
        achievements.append((ind.name, a_k, how))
        raw += ind.weight / HUNDRED * a_k
    a = raw.quantize(ACHIEVEMENT_QUANTUM, rounding=ROUND_HALF_UP) if data.indicators else ONE
    payable_factor = ONE - phi + phi * a

    lines: list[Line] = []
    deductions: list[Line] = []
    f = data.period_fraction
    part = "" if f == ONE else f" × {f.normalize():f} of a year"

    # Service fee Fₜ = A′ + O′ × Π(1 + πᵢ); CapEx contracts pay the guaranteed running cost as O′ (A′ = 0).
    financing = to_money(data.financing_charge * f)
    operation = to_money(data.operation_fee * price_index * f)
    service_fee = financing + operation
    if data.model in (OPEX_SERVICE, CAPEX) and service_fee:
        if data.financing_charge:
            lines.append(
                Line(
                    "financing_charge",
                    "Financing charge A′",
                    financing,
                    f"flat {_words(data.financing_charge)}{part}",
                )
            )
        lines.append(
            Line(
                "operation_fee",
                "Operation fee O′ indexed",
                operation,
                f"{_words(data.operation_fee)} at start-year prices × price index {price_index:.6f}{part}",
            )
        )
        lines.append(
            Line("service_fee", "Service fee Fₜ", service_fee, "financing charge + indexed operation fee")
        )
    else:
        service_fee = ZERO
    fee_deduction = to_money(service_fee * (ONE - payable_factor))
    fee_payable = service_fee - fee_deduction

    # Savings against the frozen baseline, indexed (maintenance by prices, energy by energy prices).
    if data.actual_maintenance is None or data.actual_energy is None:
        baseline_indexed = actual_cost = savings = None
    else:
        baseline_indexed = to_money(data.baseline_maintenance * price_index * f) + to_money(
            data.baseline_energy * energy_index * f
        )
        actual_cost = to_money(data.actual_maintenance + data.actual_energy)
        savings = baseline_indexed - actual_cost
    s = data.savings_share if data.model == SHARED_SAVINGS else ZERO
    gross = to_money(s * max(ZERO, savings)) if savings is not None else ZERO
    savings_deduction = to_money(gross * (ONE - payable_factor))
    savings_payable = gross - savings_deduction
    # The city keeps what the partner is not paid of positive savings and bears all of a loss.
    city_savings = (savings - gross) if savings is not None else ZERO

    if baseline_indexed is not None:
        lines.append(
            Line(
                "baseline",
                "Savings baseline, indexed",
                baseline_indexed,
                f"maintenance {_words(data.baseline_maintenance)} × {price_index:.6f} + energy "
                f"{_words(data.baseline_energy)} × {energy_index:.6f}{part}",
            )
        )
        lines.append(
            Line("actual_cost", "Actual maintenance and energy", actual_cost, "as reported and verified")
        )
        lines.append(
            Line(
                "savings",
                "Savings",
                savings,
                "baseline − actual cost" + (" (negative: nothing is shared)" if savings < 0 else ""),
            )
        )
    else:
        lines.append(
            Line("savings", "Savings", None, "costs not reported or not verified: no savings are shared")
        )
    if data.model == SHARED_SAVINGS:
        lines.append(
            Line(
                "shared_savings",
                "Partner's share of savings",
                gross,
                f"share {_pct(s)} × max(0, savings)",
            )
        )

    # Itemised deductions: each indicator's part of (1 − a) × φ, split to the cent by largest remainder.
    total_deduction = fee_deduction + savings_deduction
    if total_deduction and data.indicators:
        shortfalls = [
            ind.weight / HUNDRED * (ONE - a_k)
            for ind, (_, a_k, _) in zip(data.indicators, achievements, strict=True)
        ]
        if sum(shortfalls, ZERO) > 0:
            parts = largest_remainder(total_deduction, shortfalls)
            base = service_fee + gross
            for ind, (name, a_k, how), amount in zip(data.indicators, achievements, parts, strict=True):
                if not amount:
                    continue
                deductions.append(
                    Line(
                        "deduction",
                        f"Deduction: {name}",
                        amount,
                        f"achievement {a_k:.2f} ({how}), weight {ind.weight.normalize():f}% × at-risk share "
                        f"{_pct(phi)} of {_words(base)} → deduction {_words(amount)}",
                        indicator=name,
                    )
                )
        else:  # a rounded to below the exact sum: keep one line so the deduction is explained
            deductions.append(
                Line("deduction", "Deduction", total_deduction, "rounding of the weighted achievement")
            )
    lines.append(
        Line(
            "achievement",
            "Weighted achievement a",
            None,
            f"a = {a:.4f}; payable share 1 − φ + φ·a = 1 − {phi.normalize():f} + {phi.normalize():f} × {a:.4f} "
            f"= {payable_factor.normalize():f}",
        )
    )
    return Certificate(
        achievement=a,
        achievements=tuple(achievements),
        price_index=price_index,
        energy_index=energy_index,
        service_fee=service_fee,
        fee_deduction=fee_deduction,
        fee_payable=fee_payable,
        baseline_indexed=baseline_indexed,
        actual_cost=actual_cost,
        savings=savings,
        shared_savings_gross=gross,
        savings_deduction=savings_deduction,
        savings_payable=savings_payable,
        city_savings=city_savings,
        total_payable=fee_payable + savings_payable,
        lines=tuple(lines),
        deductions=tuple(deductions),
    )
