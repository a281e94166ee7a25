"""Monte Carlo over the uncertain assumptions, on department totals only (a draw never sees per-asset data).

Distributions (docs/finance.md, "Monte Carlo"), centred on the base assumptions:

- discount rate r ~ Normal(r, 0.01) clipped to [0, 0.20]
- inflation π ~ Normal(π, 0.01) clipped to [−0.05, 0.20]
- energy escalation e ~ Normal(e, 0.02) clipped to [−0.10, 0.30]
- CapEx overrun u ~ Triangular(0, b, 2b) replaces the optimism bias b (mean b: the Green Book uplift is the
  expected overrun, the spread says it may be none or double)
- savings realisation ρ ~ Triangular(ρ − 0.3, ρ, ρ + 0.1) clipped at 0 (left-skewed: performance contracts
  under-deliver more often than they over-deliver)
- outcome achievement a ~ Triangular(a − 0.2, a, a + 0.1) clipped to [0, 1]

All other assumptions stay at their base values. Draws come from numpy's PCG64 generator seeded with
``assumptions.seed`` in a fixed order, so a run is reproducible.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .inputs import Assumptions
from .scenarios import SCENARIOS, Aggregates, parameters_from, scenario_flows, scenario_npvs

HISTOGRAM_BINS = 30
HISTOGRAM_COLUMNS = ["scenario", "bin_start", "bin_end", "count"]
CHUNK = 10_000  # draws evaluated together: bounds memory at ~(CHUNK × H × 8 bytes) per array


def triangular(rng: np.random.Generator, left: float, mode: float, right: float, size: int) -> np.ndarray:
    """Triangular draws by inverse CDF; a degenerate (zero-width) side is allowed, unlike Generator.triangular."""
    u = rng.random(size)
    if right <= left:
        return np.full(size, mode)
    width = right - left
    cut = (mode - left) / width
    lower = left + np.sqrt(u * width * (mode - left))
    upper = right - np.sqrt((1.0 - u) * width * (right - mode))
    return np.where(u < cut, lower, upper)


def draw_parameters(assumptions: Assumptions, n: int) -> dict[str, np.ndarray]:
    a = assumptions
    rng = np.random.default_rng(a.seed)
    p = parameters_from(a, n)
    # clipped to the valid ranges of the inputs (one source of truth: inputs.RATE_RANGES)
    p["discount_rate"] = np.clip(rng.normal(a.discount_rate, 0.01, n), *a.valid_range("discount_rate"))
    p["inflation"] = np.clip(rng.normal(a.inflation, 0.01, n), *a.valid_range("inflation"))
    p["energy_escalation"] = np.clip(
        rng.normal(a.energy_escalation, 0.02, n), *a.valid_range("energy_escalation")
    )
    p["optimism_bias"] = triangular(rng, 0.0, a.optimism_bias, 2.0 * a.optimism_bias, n)
    rho = a.savings_realisation
    p["savings_realisation"] = np.maximum(triangular(rng, rho - 0.3, rho, rho + 0.1, n), 0.0)
    ach = a.outcome_achievement
    p["outcome_achievement"] = np.clip(
        triangular(rng, ach - 0.2, ach, ach + 0.1, n), *a.valid_range("outcome_achievement")
    )
    return p


def simulate(
    totals: Aggregates, assumptions: Assumptions, progress: Callable[[float], None] | None = None
) -> np.ndarray:
    """NPV of cost per draw and scenario, shape (draws, 4)."""
    n = assumptions.draws
    params = draw_parameters(assumptions, n)
    out = np.empty((n, len(SCENARIOS)))
    for start in range(0, n, CHUNK):
        stop = min(n, start + CHUNK)
        chunk = {k: v[start:stop] for k, v in params.items()}
        out[start:stop] = scenario_npvs(scenario_flows(totals, chunk))
        if progress is not None:
            progress(stop / n)
    return out


def summarise(npv: np.ndarray) -> tuple[pd.DataFrame, dict[str, float]]:
    """P10/P50/P90 and mean NPV per scenario, and the probabilities that matter for the decision."""
    if npv.shape[0] == 0:
        empty = pd.DataFrame(columns=["scenario", "p10", "p50", "p90", "mean", "probability_cheapest"])
        return empty, {}
    p10, p50, p90 = np.percentile(npv, [10, 50, 90], axis=0)
    cheapest = np.bincount(np.argmin(npv, axis=1), minlength=len(SCENARIOS)) / npv.shape[0]
    table = pd.DataFrame(
        {
            "scenario": list(SCENARIOS),
            "p10": p10,
            "p50": p50,
            "p90": p90,
            "mean": npv.mean(axis=0),
            "probability_cheapest": cheapest,
        }
    )
    capex = npv[:, SCENARIOS.index("capex")]
    probabilities = {
        "draws": float(npv.shape[0]),
        **{f"probability_{s}_cheapest": float(c) for s, c in zip(SCENARIOS, cheapest, strict=True)},
        "probability_opex_service_beats_capex": float(
            np.mean(npv[:, SCENARIOS.index("opex_service")] < capex)
        ),
        "probability_shared_savings_beats_capex": float(
            np.mean(npv[:, SCENARIOS.index("shared_savings")] < capex)
        ),
    }
    return table, probabilities


def histogram(npv: np.ndarray, bins: int = HISTOGRAM_BINS) -> pd.DataFrame:
    """Counts of draws per NPV bin and scenario, on bin edges SHARED by all scenarios (so their distributions
    can be overlaid and compared bin by bin): ``bins`` equal bins from the lowest to the highest draw of any
    scenario. The last bin includes its upper edge, so each scenario's counts add up to the number of draws."""
    n, k = npv.shape
    if n == 0:
        return pd.DataFrame(columns=HISTOGRAM_COLUMNS)
    edges = np.histogram_bin_edges(npv, bins=bins, range=(float(npv.min()), float(npv.max())))
    counts = np.stack([np.histogram(npv[:, j], bins=edges)[0] for j in range(k)])  # (scenarios, bins)
    return pd.DataFrame(
        {
            "scenario": np.repeat(np.asarray(SCENARIOS, dtype=object), bins),
            "bin_start": np.tile(edges[:-1], k),
            "bin_end": np.tile(edges[1:], k),
            "count": counts.ravel().astype(np.int64),
        },
        columns=HISTOGRAM_COLUMNS,
    )
