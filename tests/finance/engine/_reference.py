"""An independent, deliberately plain implementation of DESIGN §6 (and docs/finance.md) for cross-checks.

One asset at a time, one year at a time, in 60-digit decimal arithmetic: no numpy, no vectorisation, nothing
shared with finance/engine. The engine computes in float64 on department aggregates; its figures, rounded to
the cent, must equal these (up to a computation landing within float noise of a half cent).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

SCENARIOS = ("status_quo", "capex", "opex_service", "shared_savings")
PRECISION = 60


def dec(value: object) -> Decimal:
    """Exact decimal of a number as written (a float is taken by its shortest repr, i.e. as the user typed it)."""
    if isinstance(value, float):  # numpy floats too (their repr is "np.float64(…)")
        return Decimal(repr(float(value)))
    return Decimal(str(value))


@dataclass(frozen=True)
class Asset:
    department: str
    category: str
    install_year: int
    life: int
    replacement: Decimal
    maintenance: Decimal
    energy: Decimal
    upgraded: bool  # replace/upgrade (True) or operate/maintain (False)


@dataclass(frozen=True)
class Upgrade:
    unit_cost: Decimal
    life: int
    maintenance: Decimal
    energy: Decimal


@dataclass(frozen=True)
class Figures:
    npv: Decimal
    whole_life_cost: Decimal
    year0_capex: Decimal
    peak_yearly_cost: Decimal
    residual_value: Decimal
    partner_investment: Decimal | None = None  # K (OpEx service and shared savings)
    partner_npv: Decimal | None = None  # at w
    partner_flows: tuple[Decimal, ...] = ()  # years 0 … T−1, −K included in year 0
    by_department: dict[str, tuple[Decimal, ...]] | None = None  # department -> nominal flow per year
    break_even: Decimal | None = (
        None  # share s* (shared savings) or margin m* (OpEx service) making partner NPV 0
    )


def assets_from_frame(frame) -> list[Asset]:
    return [
        Asset(
            department=str(row.department),
            category=str(row.category),
            install_year=int(row.install_year),
            life=int(row.life_years),
            replacement=dec(row.replacement_cost),
            maintenance=dec(row.maintenance_cost),
            energy=dec(row.energy_cost),
            upgraded=str(row.action).strip().lower() in ("replace", "upgrade"),
        )
        for row in frame.itertuples(index=False)
    ]


def catalogue_from_frame(frame) -> dict[str, Upgrade]:
    return {
        str(row.category): Upgrade(
            unit_cost=dec(row.unit_cost),
            life=int(row.life_years),
            maintenance=dec(row.maintenance_cost),
            energy=dec(row.energy_cost),
        )
        for row in frame.itertuples(index=False)
    }


def installations(first: int, life: int, horizon: int) -> list[int]:
    """Years first, first + life, … that fall inside the horizon."""
    return list(range(first, horizon, life)) if first < horizon else []


def residual(unit_cost: Decimal, life: int, last: int, horizon: int, price_last: Decimal) -> Decimal:
    """Depreciated unit cost of the installation made in year ``last``, at year H−1 prices."""
    return unit_cost * price_last * Decimal(max(0, life - (horizon - last))) / Decimal(life)


def reference_figures(assets: list[Asset], catalogue: dict[str, Upgrade], a) -> dict[str, Figures]:
    """NPV of cost, whole-life cost, year-0 CapEx, peak yearly budget cost and residual value per scenario."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return _figures(assets, catalogue, a)


def _figures(assets: list[Asset], catalogue: dict[str, Upgrade], a) -> dict[str, Figures]:
    H, T, Y0 = int(a.horizon), int(a.contract_term), int(a.start_year)
    r, pi, e = dec(a.discount_rate), dec(a.inflation), dec(a.energy_escalation)
    b, w, m = dec(a.optimism_bias), dec(a.partner_cost_of_capital), dec(a.partner_margin)
    s, phi, ach, rho = (
        dec(a.partner_savings_share),
        dec(a.payment_at_risk_share),
        dec(a.outcome_achievement),
        dec(a.savings_realisation),
    )
    one = Decimal(1)
    rn = (one + r) * (one + pi) - one
    P = [(one + pi) ** t for t in range(H)]
    Q = [(one + e) ** t for t in range(H)]
    f = one - phi + phi * ach  # outcome scaling of every partner payment

    # city flows per scenario and year: capex, opex (budget flows) and the residual value credited in year H−1
    zero = Decimal(0)
    capex = {s_: [zero] * H for s_ in SCENARIOS}
    opex = {s_: [zero] * H for s_ in SCENARIOS}
    credit = dict.fromkeys(SCENARIOS, zero)

    # the same flows per (scenario, department) and year, residual value included (negative in year H−1)
    by_department: dict[tuple[str, str], list[Decimal]] = {}

    def add(table, scenario, t, amount, department):
        table[scenario][t] += amount
        by_department.setdefault((scenario, department), [zero] * H)[t] += amount

    def credit_residual(scenario, amount, department):
        credit[scenario] += amount
        by_department.setdefault((scenario, department), [zero] * H)[H - 1] -= amount

    # Partner investment K: the upgrades bought inside the term, at inflation-indexed prices, valued at w.
    K = zero
    K_by_department: dict[str, Decimal] = {}
    for asset in assets:
        if asset.upgraded:
            up = catalogue[asset.category]
            for t in installations(0, up.life, H):
                if t < T:
                    financed = up.unit_cost * P[t] / (one + w) ** t
                    K += financed
                    K_by_department[asset.department] = K_by_department.get(asset.department, zero) + financed
    A = K / T if w == 0 else K * w * (one + w) ** T / (((one + w) ** T - one) * (one + w))
    # the partner's yearly receipts net of its own costs, for t < T (before −K at t = 0)
    opex_partner = [A * f for _ in range(T)]
    shared_partner = [zero] * T
    operation_pv = zero  # Σ_{t<T} f·operationₜ·(1 + w)^−t: the partner NPV's slope in the margin m
    savings_pv = zero  # Σ_{t<T} f·savingsₜ·(1 + w)^−t: its slope in the share s

    for t in range(T):  # the financing fee, split by each department's share of K
        for department, financed in K_by_department.items():
            if K > 0:
                add(opex, "opex_service", t, A * f * financed / K, department)

    for asset in assets:
        install_t = asset.install_year - Y0
        first = max(0, install_t + asset.life)
        old_repl = installations(first, asset.life, H)
        old_last = old_repl[-1] if old_repl else install_t
        old_residual = residual(asset.replacement, asset.life, old_last, H, P[H - 1])
        # status quo: everyone keeps what they have
        for t in range(H):
            add(opex, "status_quo", t, asset.maintenance * P[t] + asset.energy * Q[t], asset.department)
        for t in old_repl:
            add(capex, "status_quo", t, asset.replacement * P[t], asset.department)
        credit_residual("status_quo", old_residual, asset.department)

        if not asset.upgraded:
            for scenario in ("capex", "opex_service", "shared_savings"):
                for t in old_repl:  # replacements stay the city's, in every scenario
                    add(capex, scenario, t, asset.replacement * P[t], asset.department)
                credit_residual(scenario, old_residual, asset.department)
                for t in range(H):
                    running = asset.maintenance * P[t] + asset.energy * Q[t]
                    if scenario == "opex_service" and t < T:
                        add(
                            opex, scenario, t, (one + m) * f * running, asset.department
                        )  # the partner operates it
                        opex_partner[t] += ((one + m) * f - one) * running
                        operation_pv += f * running / (one + w) ** t
                    else:
                        add(opex, scenario, t, running, asset.department)
            continue

        up = catalogue[asset.category]
        renewals = installations(0, up.life, H)
        new_residual = residual(up.unit_cost, up.life, renewals[-1], H, P[H - 1])
        # real running cost of an upgraded asset: catalogue savings achieved at the realisation rate
        real_m = asset.maintenance - rho * (asset.maintenance - up.maintenance)
        real_e = asset.energy - rho * (asset.energy - up.energy)
        for scenario in ("capex", "opex_service", "shared_savings"):
            credit_residual(scenario, new_residual, asset.department)
            for t in renewals:
                city_pays = scenario == "capex" or t >= T  # inside the term the partner financed it
                if city_pays:
                    add(capex, scenario, t, up.unit_cost * (one + b) * P[t], asset.department)
            for t in range(H):
                real_running = real_m * P[t] + real_e * Q[t]
                if scenario == "opex_service" and t < T:
                    expected = up.maintenance * P[t] + up.energy * Q[t]
                    add(opex, scenario, t, (one + m) * f * expected, asset.department)
                    opex_partner[t] += ((one + m) * f - one) * expected
                    operation_pv += f * expected / (one + w) ** t
                else:
                    add(opex, scenario, t, real_running, asset.department)
                if scenario == "shared_savings" and t < T:
                    savings = rho * (
                        (asset.maintenance - up.maintenance) * P[t] + (asset.energy - up.energy) * Q[t]
                    )
                    add(opex, scenario, t, s * f * savings, asset.department)
                    shared_partner[t] += s * f * savings
                    savings_pv += f * savings / (one + w) ** t

    out: dict[str, Figures] = {}
    for scenario in SCENARIOS:
        budget = [capex[scenario][t] + opex[scenario][t] for t in range(H)]
        total = list(budget)
        total[H - 1] -= credit[scenario]
        npv = sum((total[t] / (one + rn) ** t for t in range(H)), zero)
        partner = {"opex_service": opex_partner, "shared_savings": shared_partner}.get(scenario)
        partner_npv = (
            sum((partner[t] / (one + w) ** t for t in range(T)), zero) - K if partner is not None else None
        )
        break_even = None
        if scenario == "shared_savings" and savings_pv > 0:
            break_even = K / savings_pv  # NPV(s) = s·savings_pv − K
        if scenario == "opex_service" and operation_pv > 0:
            break_even = m - partner_npv / operation_pv  # NPV is linear in m with slope operation_pv
        out[scenario] = Figures(
            npv=npv,
            whole_life_cost=sum(total, zero),
            year0_capex=capex[scenario][0],
            peak_yearly_cost=max(budget),
            residual_value=credit[scenario],
            partner_investment=K if partner is not None else None,
            partner_npv=partner_npv,
            partner_flows=(partner[0] - K, *partner[1:]) if partner is not None else (),
            break_even=break_even,
            by_department={
                department: tuple(flows)
                for (sc, department), flows in by_department.items()
                if sc == scenario
            },
        )
    return out


def npv_at(rate: Decimal, flows: tuple[Decimal, ...]) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return sum((flow / (1 + rate) ** t for t, flow in enumerate(flows)), Decimal(0))


def cents(value: Decimal | float) -> int:
    """Whole cents, half away from zero (the engine's outputs and the reference are compared this way)."""
    return int(
        (dec(value) if isinstance(value, float) else value).quantize(Decimal("0.01"), ROUND_HALF_UP) * 100
    )
