"""Benchmark of the financing scenario engine (DESIGN §11).

    python benchmarks/engine.py [--assets 100000] [--draws 10000] [--loop-sample 1000]

Runs finance.engine.run_all on synthetic assets × 30 years (all four scenarios, tornado, Monte Carlo), reports
wall time and peak memory, and compares with a straightforward per-asset loop calling numpy-financial
(npf.npv, npf.pmt) on the same inputs, measured in the same run. The loop is run on a sample of assets and
scaled linearly (its cost is per asset and per parameter set); the output says so.
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from finance.engine import Assumptions, run_all  # noqa: E402
from finance.engine.metrics import nominal_rate  # noqa: E402
from finance.engine.sensitivity import TORNADO_RULES  # noqa: E402

CATEGORIES = [f"cat{i:02d}" for i in range(12)]
DEPARTMENTS = [f"dept{i:02d}" for i in range(20)]


def synthetic_inputs(n: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    life = rng.integers(8, 41, n)
    assets = pd.DataFrame(
        {
            "asset_id": [f"a{i}" for i in range(n)],
            "department": rng.choice(DEPARTMENTS, n),
            "category": rng.choice(CATEGORIES, n),
            "install_year": 2026 - rng.integers(0, 45, n),
            "life_years": life,
            "replacement_cost": rng.uniform(500, 50_000, n).round(2),
            "maintenance_cost": rng.uniform(10, 2_000, n).round(2),
            "energy_cost": rng.uniform(0, 5_000, n).round(2),
            "action": rng.choice(["replace", "upgrade", "operate", "maintain"], n, p=[0.4, 0.3, 0.2, 0.1]),
        }
    )
    catalogue = pd.DataFrame(
        {
            "category": CATEGORIES,
            "unit_cost": rng.uniform(1_000, 60_000, len(CATEGORIES)).round(2),
            "life_years": rng.integers(10, 31, len(CATEGORIES)),
            "maintenance_cost": rng.uniform(5, 1_000, len(CATEGORIES)).round(2),
            "energy_cost": rng.uniform(0, 2_500, len(CATEGORIES)).round(2),
        }
    )
    return assets, catalogue


def loop_npvs(assets: pd.DataFrame, catalogue: pd.DataFrame, a: Assumptions) -> np.ndarray:
    """The straightforward way: for each asset, build its four yearly cost streams and call npf.npv / npf.pmt.

    Returns the NPV per scenario summed over assets (status quo, CapEx, OpEx service, shared savings).
    """
    h, term = a.horizon, a.contract_term
    t = np.arange(h)
    price = (1 + a.inflation) ** t
    energy = (1 + a.energy_escalation) ** t
    rn = float(nominal_rate(a.discount_rate, a.inflation))
    paid = 1 - a.payment_at_risk_share + a.payment_at_risk_share * a.outcome_achievement
    bias = 1 + a.optimism_bias
    in_term = t < term
    cat = catalogue.set_index("category")
    total = np.zeros(4)
    for row in assets.itertuples(index=False):
        first = max(0, row.install_year + row.life_years - a.start_year)
        years = list(range(first, h, row.life_years))
        last = years[-1] if years else row.install_year - a.start_year
        keep_res = row.replacement_cost * price[-1] * max(0, row.life_years - (h - last)) / row.life_years
        running = row.maintenance_cost * price + row.energy_cost * energy
        replacements = np.zeros(h)
        replacements[years] = row.replacement_cost * price[years]
        sq = running + replacements
        sq[-1] -= keep_res
        if row.action in ("operate", "maintain"):
            capex = sq
            opex = sq.copy()
            opex[in_term] += running[in_term] * ((1 + a.partner_margin) * paid - 1)
            shared = sq
        else:
            c = cat.loc[row.category]
            new_years = list(range(0, h, int(c.life_years)))
            new_res = c.unit_cost * price[-1] * max(0, c.life_years - (h - new_years[-1])) / c.life_years
            purchases = np.zeros(h)
            purchases[new_years] = c.unit_cost * price[new_years]
            new_running = c.maintenance_cost * price + c.energy_cost * energy
            real_running = running - a.savings_realisation * (running - new_running)
            capex = real_running + purchases * bias
            capex[-1] -= new_res
            k = float(np.sum(purchases[in_term] / (1 + a.partner_cost_of_capital) ** t[in_term]))
            fee = npf.pmt(a.partner_cost_of_capital, term, -k, when="begin")
            opex = np.where(in_term, (fee + (1 + a.partner_margin) * new_running) * paid, capex)
            opex[-1] = capex[-1] if h > term else opex[-1] - new_res
            savings = a.savings_realisation * (running - new_running)
            shared = np.where(in_term, real_running + a.partner_savings_share * savings * paid, capex)
            if h == term:
                shared[-1] -= new_res
        total += [npf.npv(rn, sq), npf.npv(rn, capex), npf.npv(rn, opex), npf.npv(rn, shared)]
    return total


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return (
        f"nproc {os.cpu_count()}, CPU {cpu}, Python {platform.python_version()}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, numpy-financial {npf.__version__}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--loop-sample", type=int, default=1_000)
    args = parser.parse_args()

    a = Assumptions(horizon=30, contract_term=15, draws=args.draws)
    assets, catalogue = synthetic_inputs(args.assets)
    budgets = pd.DataFrame(
        {
            "fiscal_year": np.repeat(np.arange(2026, 2056), 2),
            "budget_type": ["capex", "opex"] * 30,
            "amount": 5e7,
        }
    )
    print(f"machine: {machine()}")
    print(f"workload: {args.assets:,} assets x {a.horizon} years, 4 scenarios, tornado, {args.draws:,} draws")

    run_all(assets.head(100), catalogue, a.with_changes(draws=10))  # warm-up (imports, caches)
    gc.collect()
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        result = run_all(assets, catalogue, a, budgets)
        timings.append(time.perf_counter() - start)
    wall = min(timings)
    gc.collect()
    tracemalloc.start()
    run_all(assets, catalogue, a, budgets)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux -> MB
    print(f"engine wall time: {wall:.3f} s (best of 3; runs: {', '.join(f'{x:.3f}' for x in timings)})")
    print(
        f"engine peak memory: {traced_peak / 2**20:.1f} MB traced by tracemalloc (numpy + Python allocations);"
    )
    print(f"  process max RSS {max_rss:.1f} MB (includes the interpreter, pandas and the input DataFrame)")

    # Deterministic part only, to compare like with like with one loop pass.
    det_timings = []
    for _ in range(3):
        start = time.perf_counter()
        run_all(assets, catalogue, a.with_changes(draws=0), budgets)
        det_timings.append(time.perf_counter() - start)
    wall_det = min(det_timings)

    sample = assets.sample(n=min(args.loop_sample, len(assets)), random_state=0)
    start = time.perf_counter()
    loop_total = loop_npvs(sample, catalogue, a)
    loop_sample_time = time.perf_counter() - start
    per_asset = loop_sample_time / len(sample)
    check = run_all(sample, catalogue, a.with_changes(draws=0)).summary["npv_cost"].to_numpy()
    agree = np.allclose(loop_total, check, rtol=1e-9, atol=0.01)
    parameter_sets = 1 + 2 * len(TORNADO_RULES) + args.draws
    loop_det = per_asset * len(assets)
    loop_full = per_asset * len(assets) * parameter_sets
    print(
        f"per-asset loop (numpy-financial npv/pmt): {loop_sample_time:.3f} s on a random sample of {len(sample):,} "
        f"assets = {per_asset * 1e6:.1f} us per asset and parameter set; loop and engine NPVs on the sample "
        f"{'agree' if agree else 'DISAGREE'} (max diff {np.max(np.abs(loop_total - check)):.2e})"
    )
    print(
        f"  scaled to {len(assets):,} assets, one parameter set (4 scenarios): {loop_det:.1f} s; "
        f"engine without Monte Carlo (validation, tables, tornado included) {wall_det:.3f} s "
        f"-> {loop_det / wall_det:.0f}x"
    )
    print(
        f"  scaled to the full workload ({parameter_sets:,} parameter sets: base + {2 * len(TORNADO_RULES)} "
        f"tornado + {args.draws:,} draws): {loop_full:,.0f} s; engine {wall:.3f} s -> {loop_full / wall:,.0f}x"
    )
    ok = wall <= 2.0 and max(traced_peak / 2**20, max_rss) <= 1024 and loop_full / wall >= 100 and agree
    print(f"targets (<= 2 s, <= 1 GB, >= 100x): {'met' if ok else 'NOT met'}")
    npv = result.summary.set_index("scenario")["npv_cost"]
    print("NPV of cost (base): " + ", ".join(f"{k} {v:,.0f}" for k, v in npv.items()))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
