"""Financial arithmetic on arrays: discounting, annuity, IRR, cent allocation. All vectorised over a leading
batch axis so that the same code serves the base case, the tornado and the Monte Carlo."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, localcontext
from functools import lru_cache

import numpy as np

FloatArray = np.ndarray

# Batches of at most this many parameter sets (the base case, the tornado) get correctly rounded compounding
# factors, computed in decimal from the rates as written; larger ones (Monte Carlo draws) use float64 powers.
# Why: a rate such as 0.0155 is not exact in binary, and x**59 multiplies that tiny error by 59 — up to ~1e-14
# of the figure, a cent on 1e12. Draws are a distribution, reported as percentiles; they need no cents.
EXACT_BATCH = 64
_DECIMAL_DIGITS = 40


def nominal_rate(real_rate: FloatArray | float, inflation: FloatArray | float) -> FloatArray:
    """rn = (1 + r)(1 + π) − 1."""
    return (1.0 + np.asarray(real_rate, dtype=float)) * (1.0 + np.asarray(inflation, dtype=float)) - 1.0


def discount_factors(rate: FloatArray | float, horizon: int) -> FloatArray:
    """(1 + rate)^−t for t = 0 … horizon−1; year 0 undiscounted (numpy-financial's npv convention).

    ``rate`` of shape (N,) gives (N, horizon); a scalar gives (horizon,).
    """
    rate = np.asarray(rate, dtype=float)
    t = np.arange(horizon, dtype=float)
    return (1.0 + rate[..., None]) ** -t


def compound(rates: Sequence[FloatArray], horizon: int, *, inverse: bool = False) -> FloatArray:
    """Π_k (1 + rates_k)^t — or its inverse, a discount factor — for t = 0 … horizon−1, shape (N, horizon).

    ``rates`` are arrays of shape (N,) (or scalars); e.g. ``compound([r, pi], H, inverse=True)`` is the city's
    discount factor (1 + rₙ)^−t with 1 + rₙ = (1 + r)(1 + π).
    """
    arrays = np.broadcast_arrays(*[np.atleast_1d(np.asarray(r, dtype=float)) for r in rates])
    n = arrays[0].size
    if n <= EXACT_BATCH:
        rows = [_exact_powers(tuple(float(a[i]) for a in arrays), horizon, inverse) for i in range(n)]
        return np.array(rows, dtype=float).reshape(n, horizon)
    base = np.prod([1.0 + a for a in arrays], axis=0)
    t = np.arange(horizon, dtype=float)
    return base[:, None] ** (-t if inverse else t)


@lru_cache(maxsize=4096)
def _exact_powers(rates: tuple[float, ...], horizon: int, inverse: bool) -> tuple[float, ...]:
    """Correctly rounded powers of Π (1 + rate), each rate taken as the decimal it was written as (its repr)."""
    with localcontext() as ctx:
        ctx.prec = _DECIMAL_DIGITS
        base = Decimal(1)
        for rate in rates:
            base *= 1 + Decimal(repr(rate))
        if inverse:
            base = 1 / base
        out, power = [], Decimal(1)
        for _ in range(horizon):
            out.append(float(power))
            power *= base
    return tuple(out)


def annuity_due(
    rate: FloatArray | float, periods: FloatArray | int, principal: FloatArray | float
) -> FloatArray:
    """Flat payment at the *start* of each of ``periods`` years that repays ``principal`` at ``rate``.

    Equals numpy_financial.pmt(rate, periods, -principal, when='begin'); rate 0 gives principal / periods.
    """
    rate = np.asarray(rate, dtype=float)
    n = np.asarray(periods, dtype=float)
    k = np.asarray(principal, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        # (1 + w)^T − 1 via expm1/log1p: exact to a few ulps even for a rate near 0, where the plain difference
        # would lose most of its digits (w = 1e-9 gave an annuity wrong in the 7th digit).
        growth_minus_one = np.expm1(n * np.log1p(rate))
        factor = rate * (1.0 + growth_minus_one) / (growth_minus_one * (1.0 + rate))
    factor = np.where(rate == 0.0, 1.0 / n, factor)
    return k * factor


def npv_at(rates: FloatArray, flows: FloatArray) -> FloatArray:
    """NPV of each row of ``flows`` (N, T) at the matching rate (N,), year 0 undiscounted."""
    return np.sum(flows * discount_factors(rates, flows.shape[-1]), axis=-1)


def irr(flows: FloatArray, low: float = -0.99, high: float = 10.0, iterations: int = 200) -> FloatArray:
    """Internal rate of return of each row of ``flows`` (N, T), by vectorised bisection.

    Bisection on [low, high] converges for every row at once (no per-row Python loop) and is robust where
    Newton's method is not. For conventional flows (one sign change) the root is unique and equals
    numpy_financial.irr. Rows whose NPV does not change sign on the bracket get NaN ("no IRR").
    """
    flows = np.atleast_2d(np.asarray(flows, dtype=float))
    n = flows.shape[0]
    lo = np.full(n, low)
    hi = np.full(n, high)
    f_lo = npv_at(lo, flows)
    f_hi = npv_at(hi, flows)
    valid = np.sign(f_lo) * np.sign(f_hi) < 0
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        f_mid = npv_at(mid, flows)
        same = np.sign(f_mid) == np.sign(f_lo)
        lo = np.where(same, mid, lo)
        f_lo = np.where(same, f_mid, f_lo)
        hi = np.where(same, hi, mid)
    return np.where(valid, 0.5 * (lo + hi), np.nan)


def allocate_cents(values: FloatArray, groups: FloatArray) -> np.ndarray:
    """Round ``values`` to whole cents so that each group's cents add up to its rounded total.

    Largest-remainder (Hamilton) method: every value is floored to cents; the cents still missing in a group
    (rounded group total − sum of floors) go one each to the values with the largest remainders; ties are broken
    by position (stable sort), so the result is deterministic. Returns int64 cents.
    """
    values = np.asarray(values, dtype=float)
    groups = np.asarray(groups, dtype=np.int64)
    if values.size == 0:
        return np.zeros(0, dtype=np.int64)
    scaled = values * 100.0
    floors = np.floor(scaled)
    remainder = scaled - floors
    n_groups = int(groups.max()) + 1
    target = np.rint(np.bincount(groups, weights=scaled, minlength=n_groups))
    missing = (target - np.bincount(groups, weights=floors, minlength=n_groups)).astype(np.int64)
    order = np.lexsort((-remainder, groups))  # by group, then largest remainder first
    sorted_groups = groups[order]
    starts = np.searchsorted(sorted_groups, np.arange(n_groups))
    rank = np.arange(values.size) - starts[sorted_groups]
    extra = np.zeros(values.size, dtype=np.int64)
    extra[order] = (rank < missing[sorted_groups]).astype(np.int64)
    return floors.astype(np.int64) + extra
