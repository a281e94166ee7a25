"""Reads of scenario runs: who may see and run them, the results page, the chosen need, the savings ledger.

Money leaves these functions as Decimal (currency units, nominal unless a key says 'discounted'/'npv').
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from config.numbers import measure, money, percent
from departments.models import Department, Membership
from finance import charts
from finance.models import (
    FinancingChoice,
    MonteCarloResult,
    ScenarioCashFlow,
    ScenarioRun,
    ScenarioSummary,
    SensitivityResult,
)
from finance.models.scenarios import Scenario

CENT = Decimal("0.01")
SCENARIO_ORDER = [s.value for s in Scenario]
SCENARIO_LABELS = dict(Scenario.choices)


def to_money(value: Any) -> Decimal:
    """The one rounding rule at the boundary float → money: cents, banker's rounding."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_EVEN)


# --- Who may see and do what ---------------------------------------------------------------------------------


def _participates(tender) -> Q:
    """Memberships in a participating department: the lead department or one owning a bundled asset (one join,
    no separate query for the department ids)."""
    return Q(department_id=tender.lead_department_id) | Q(department__assets__tender_links__tender=tender)


_CENTRAL_FINANCE = Q(department__kind=Department.Kind.CENTRAL_FINANCE, role=Membership.Role.FINANCE)


def user_may_view_scenarios(*, user, tender) -> bool:
    """Whoever may see the tender may see its financing: the one visibility rule is procurement's."""
    from procurement.selectors.tenders import tender_visible_to

    if user is None:
        return False
    return tender_visible_to(user=user, tender=tender)


def user_may_run_scenarios(*, user, tender) -> bool:
    """Officials and finance staff of a participating department, and central finance staff (not viewers)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    acting = Q(role__in=[Membership.Role.OFFICIAL, Membership.Role.FINANCE])
    return Membership.objects.filter((_participates(tender) & acting) | _CENTRAL_FINANCE, user=user).exists()


# Financing may change only while the tender is being prepared. From approval on it is what finance approved
# (the need the pooled budget was checked against) and, once published, what partners read: frozen. A change
# after publication would be an amendment with its release, never an edit in place (docs/decisions.md).
FINANCING_OPEN_STATUSES = ("draft", "submitted")


def financing_frozen_reason(*, tender) -> str | None:
    """Why the tender's financing (assumptions, runs, chosen scenario) can no longer change; None while it can."""
    if tender.status in FINANCING_OPEN_STATUSES:
        return None
    return _(
        "The financing of %(reference)s is frozen: the tender is %(status)s. From approval on, the chosen "
        "scenario and its assumptions can no longer be changed or run again."
    ) % {"reference": tender.reference, "status": tender.get_status_display().lower()}


def user_may_change_financing(*, user, tender) -> bool:
    """May `user` edit assumptions, run scenarios and choose one for `tender` now (role and tender status)?"""
    return financing_frozen_reason(tender=tender) is None and user_may_run_scenarios(user=user, tender=tender)


def financing_panel(*, tender, user) -> dict[str, Any]:
    """The tender page's financing panel in three queries: may the user see the tender (roles, tender), and the
    latest run annotated with the chosen scenario (a choice always belongs to a run of the tender)."""
    if not user_may_view_scenarios(user=user, tender=tender):
        return {"may_view": False}
    choice = FinancingChoice.objects.filter(tender_id=tender.pk)
    latest = (
        ScenarioRun.objects.filter(tender_id=tender.pk)
        .defer("inputs", "summary")
        .annotate(
            chosen_scenario=Subquery(choice.values("scenario")[:1]),
            chosen_run_id=Subquery(choice.values("run_id")[:1]),
        )
        .first()
    )
    chosen = None
    if latest is not None and latest.chosen_scenario:
        chosen = {"scenario_label": SCENARIO_LABELS[latest.chosen_scenario], "run_id": latest.chosen_run_id}
    return {"may_view": True, "latest": latest, "chosen": chosen}


# --- Runs ------------------------------------------------------------------------------------------------------


def scenario_run_list_for_tender(*, tender) -> QuerySet[ScenarioRun]:
    return ScenarioRun.objects.filter(tender=tender).select_related("requested_by").defer("inputs")


def result_run_id(run: ScenarioRun) -> int:
    """The run whose stored rows hold this run's results (a reused run points to the one that computed)."""
    return run.reused_from_id or run.pk


def _money_words(value: Decimal) -> str:
    return money(value)  # the site's one money rule (config/numbers.py)


def scenario_recommendation(*, summaries: list[ScenarioSummary], has_budget: bool) -> dict[str, Any] | None:
    """The answer of a comparison, in plain words: the cheapest scenario (lowest NPV of cost to the city) that a
    partner would sign (bankable; the status quo and CapEx need no partner) and that fits the pooled budget in
    every year (when a pooled budget exists), and why each other scenario was not recommended."""
    if not summaries:
        return None

    def label(summary: ScenarioSummary) -> str:
        return str(SCENARIO_LABELS[summary.scenario])

    reasons: dict[str, str] = {}
    eligible = []
    for summary in summaries:
        if summary.bankable is False:
            values = {"scenario": label(summary), "npv": _money_words(summary.npv)}
            if summary.partner_irr is not None:
                values["irr"] = percent(summary.partner_irr, 1)
                reasons[summary.scenario] = (
                    _(
                        "%(scenario)s would cost the city %(npv)s, but a partner would lose money on it (return "
                        "%(irr)s), so no partner is expected to sign it."
                    )
                    % values
                )
            else:
                reasons[summary.scenario] = (
                    _(
                        "%(scenario)s would cost the city %(npv)s, but a partner would lose money on it, so no "
                        "partner is expected to sign it."
                    )
                    % values
                )
        elif has_budget and summary.scenario != Scenario.STATUS_QUO and summary.budget_shortfall > 0:
            reasons[summary.scenario] = _(
                "%(scenario)s does not fit the pooled budget: it is short by %(shortfall)s over the budget years."
            ) % {"scenario": label(summary), "shortfall": _money_words(summary.budget_shortfall)}
        else:
            eligible.append(summary)
    if not eligible:
        return {
            "scenario": None,
            "label": "",
            "headline": _(
                "No scenario can be recommended: none is both signable by a partner and affordable."
            ),
            "reasons": [reasons[s.scenario] for s in summaries if s.scenario in reasons],
        }
    best = min(eligible, key=lambda s: (s.npv, SCENARIO_ORDER.index(s.scenario)))
    for summary in eligible:
        if summary is not best:
            reasons[summary.scenario] = _(
                "%(scenario)s costs the city %(difference)s more (NPV %(npv)s)."
            ) % {
                "scenario": label(summary),
                "difference": _money_words(summary.npv - best.npv),
                "npv": _money_words(summary.npv),
            }
    values = {
        "scenario": label(best),
        "npv": _money_words(best.npv),
        "savings": _money_words(best.savings_vs_status_quo),
        "extra": _money_words(-best.savings_vs_status_quo),
    }
    if best.scenario == Scenario.STATUS_QUO:
        headline = (
            _(
                "Keep the status quo: none of the other ways of financing that a partner would sign and the "
                "budget can carry is cheaper (NPV of cost %(npv)s)."
            )
            % values
        )
    elif best.savings_vs_status_quo < 0 and has_budget:
        headline = (
            _(
                "%(scenario)s is the cheapest way that a partner would sign and fits the pooled budget in every "
                "year, but it costs the city %(extra)s more than the status quo (NPV %(npv)s)."
            )
            % values
        )
    elif best.savings_vs_status_quo < 0:
        headline = (
            _(
                "%(scenario)s is the cheapest way that a partner would sign, but it costs the city %(extra)s more "
                "than the status quo (NPV %(npv)s)."
            )
            % values
        )
    elif has_budget:
        headline = (
            _(
                "%(scenario)s is the cheapest way that a partner would sign and fits the pooled budget in every "
                "year: it costs the city %(npv)s in today's money (NPV), %(savings)s less than the status quo."
            )
            % values
        )
    else:
        headline = (
            _(
                "%(scenario)s is the cheapest way that a partner would sign: it costs the city %(npv)s in today's "
                "money (NPV), %(savings)s less than the status quo."
            )
            % values
        )
    return {
        "scenario": best.scenario,
        "label": label(best),
        "headline": headline,
        "reasons": [reasons[s.scenario] for s in summaries if s.scenario in reasons],
    }


def department_yearly_cost(*, run_id: int, scenario: str | None, names: dict[str, str]) -> dict | None:
    """What one scenario costs each department in each year of its budgets (CapEx + OpEx, nominal; the residual
    value is not a budget flow), as rows of a department × year table with totals. One query."""
    if not scenario:
        return None
    cells: dict[str, dict[int, Decimal]] = defaultdict(dict)
    years: set[int] = set()
    for row in (
        ScenarioCashFlow.objects.filter(run_id=run_id, scenario=scenario)
        .exclude(budget_type="none")
        .values("department", "fiscal_year")
        .annotate(total=Sum("nominal"))
        .order_by()
    ):
        cells[row["department"]][row["fiscal_year"]] = row["total"]
        years.add(row["fiscal_year"])
    ordered = sorted(years)
    rows = [
        {
            "name": names.get(code, code),
            "cells": [cells[code].get(year, Decimal(0)) for year in ordered],
            "total": sum(cells[code].values(), Decimal(0)),
        }
        for code in sorted(cells, key=lambda c: names.get(c, c))
    ]
    return {"scenario_label": SCENARIO_LABELS[scenario], "years": ordered, "rows": rows}


def scenario_run_results(*, run: ScenarioRun) -> dict[str, Any]:
    """Everything the results page and the exports show, in a constant number of queries (6)."""
    source = result_run_id(run)
    summaries = list(ScenarioSummary.objects.filter(run_id=source))
    order = {s: i for i, s in enumerate(SCENARIO_ORDER)}
    summaries.sort(key=lambda s: order.get(s.scenario, 99))

    yearly: dict[str, dict[int, dict[str, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    years: set[int] = set()
    for row in (
        ScenarioCashFlow.objects.filter(run_id=source)
        .exclude(budget_type="none")
        .values("scenario", "fiscal_year", "budget_type")
        .annotate(total=Sum("nominal"))
        .order_by()
    ):
        yearly[row["scenario"]][row["fiscal_year"]][row["budget_type"]] = row["total"]
        years.add(row["fiscal_year"])
    years_sorted = sorted(years)
    cash = {}
    for scenario in SCENARIO_ORDER:
        rows = []
        cumulative = Decimal(0)
        for year in years_sorted:
            capex = yearly[scenario][year].get("capex", Decimal(0))
            opex = yearly[scenario][year].get("opex", Decimal(0))
            cumulative += capex + opex
            rows.append(
                {"year": year, "capex": capex, "opex": opex, "total": capex + opex, "cumulative": cumulative}
            )
        cash[scenario] = rows

    departments: dict[str, dict[str, dict[str, Decimal]]] = defaultdict(dict)
    for row in (
        ScenarioCashFlow.objects.filter(run_id=source)
        .values("department", "scenario")
        .annotate(npv=Sum("discounted"), whole_life=Sum("nominal"))
        .order_by()
    ):
        departments[row["department"]][row["scenario"]] = {"npv": row["npv"], "whole_life": row["whole_life"]}
    names = dict(Department.objects.filter(code__in=list(departments)).values_list("code", "name"))
    department_rows = [
        {"code": code, "name": names.get(code, code), "by_scenario": departments[code]}
        for code in sorted(departments, key=lambda c: names.get(c, c))
    ]

    from finance.scenario_text import ASSUMPTION_LABELS

    npv_base = {s.scenario: s.npv for s in summaries}
    tornado: dict[str, list[dict]] = defaultdict(list)
    for sens in SensitivityResult.objects.filter(run_id=source):
        base = npv_base.get(sens.scenario, Decimal(0))
        tornado[sens.scenario].append(
            {
                "parameter": sens.parameter,
                "label": ASSUMPTION_LABELS.get(sens.parameter, sens.parameter),
                "low_value": sens.low_value,
                "high_value": sens.high_value,
                "npv_low": sens.npv_low,
                "npv_high": sens.npv_high,
                "npv_base": base,
                "swing": abs(sens.npv_high - sens.npv_low),
            }
        )
    for rows in tornado.values():
        rows.sort(key=lambda r: r["swing"], reverse=True)
    monte_carlo = sorted(
        MonteCarloResult.objects.filter(run_id=source), key=lambda m: order.get(m.scenario, 99)
    )
    budget_fit = {s.scenario: s.data.get("budget_fit", []) for s in summaries}
    has_budget = any(budget_fit.values())
    recommendation = scenario_recommendation(summaries=summaries, has_budget=has_budget)
    return {
        "recommendation": recommendation,
        "recommended_by_department": department_yearly_cost(
            run_id=source, scenario=(recommendation or {}).get("scenario"), names=names
        ),
        "source_run_id": source,
        "summaries": summaries,
        "cash": cash,
        "years": years_sorted,
        "departments": department_rows,
        "tornado": dict(tornado),
        "monte_carlo": monte_carlo,
        "monte_carlo_histogram": monte_carlo_histogram(monte_carlo),
        "budget_fit": budget_fit,
        "has_budget": has_budget,
    }


def monte_carlo_histogram(results: list[MonteCarloResult]) -> dict[str, Any] | None:
    """The stored Monte Carlo histograms (shared edges) as a chart plus its table: one row per bin with the
    count of draws of every scenario. None when there is nothing to draw (no draws, or a run stored before
    histograms were kept: the page then falls back to the P10–P90 chart). No query: works on loaded rows."""
    usable = [m for m in results if m.histogram.get("edges") and m.histogram.get("counts")]
    if not usable or len(usable) != len(results):
        return None
    edges = usable[0].histogram["edges"]
    if any(m.histogram["edges"] != edges for m in usable):
        return None  # the engine always shares edges; anything else is not comparable, so not drawn
    edges_money = [to_money(e) for e in edges]
    draws = sum(usable[0].histogram["counts"])
    series = [(SCENARIO_LABELS[m.scenario], m.scenario, m.histogram["counts"], m.p50) for m in usable]
    # drawn here so that the results dict carries the finished chart to the page and the export alike
    svg = charts.histogram_panels(
        _("Monte Carlo: distribution of the NPV of cost per scenario"),
        _(
            "Histograms of %(draws)s simulated NPVs of cost per scenario, on %(bins)s shared bins from %(low)s to "
            "%(high)s; the dashed line marks each scenario's median (P50). The same numbers are in the table "
            "below the chart."
        )
        % {
            "draws": measure(draws),
            "bins": len(edges) - 1,
            "low": money(edges_money[0]),
            "high": money(edges_money[-1]),
        },
        edges,
        series,
    )
    rows = [
        {
            "start": edges_money[j],
            "end": edges_money[j + 1],
            "counts": [m.histogram["counts"][j] for m in usable],
        }
        for j in range(len(edges) - 1)
    ]
    return {
        "svg": svg,
        "scenarios": [m.scenario for m in usable],
        "labels": [SCENARIO_LABELS[m.scenario] for m in usable],
        "rows": rows,
        "draws": draws,
    }


# The money columns of each table of a run's inputs snapshot: whole cents under `<column>_cents` in version 2,
# str(Decimal) under the plain name in version 1 (finance.services.scenarios writes them, engine_frames reads them).
SNAPSHOT_MONEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "assets": ("replacement_cost", "maintenance_cost", "energy_cost"),
    "catalogue": ("unit_cost", "maintenance_cost", "energy_cost"),
    "budgets": ("amount",),
}


def snapshot_amount(row: dict[str, Any], name: str) -> Decimal:
    """An amount of a row of a run's inputs snapshot, whichever version wrote it: whole cents under
    `<name>_cents` (version 2) or str(Decimal) under `<name>` (version 1, runs stored before issue 17)."""
    cents = row.get(f"{name}_cents")
    if cents is not None:
        return Decimal(cents).scaleb(-2)
    return Decimal(str(row[name]))


def snapshot_assets(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """The asset rows of a run's inputs snapshot as dicts, whichever version wrote it (version 2 stores rows as
    arrays under the column names of `asset_columns`)."""
    columns = snapshot.get("asset_columns")
    rows = snapshot.get("assets") or []
    if columns is None:
        return rows
    return [dict(zip(columns, row, strict=True)) for row in rows]


def _comparable_rows(snapshot: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """A snapshot's rows with money as Decimal under the plain names: the same inputs compare equal whichever
    version stored them."""
    money = SNAPSHOT_MONEY_COLUMNS.get(key, ())
    rows = snapshot_assets(snapshot) if key == "assets" else snapshot.get(key) or []
    return [
        {k: v for k, v in row.items() if not k.endswith("_cents")}
        | {name: snapshot_amount(row, name) for name in money}
        for row in rows
    ]


def scenario_run_diff(*, older: ScenarioRun, newer: ScenarioRun) -> dict[str, Any]:
    """What changed between two runs: assumptions (old → new), asset and budget counts, NPV per scenario."""
    a_old = older.inputs.get("assumptions", {})
    a_new = newer.inputs.get("assumptions", {})
    from finance.scenario_text import ASSUMPTION_LABELS

    assumption_changes = [
        {"name": ASSUMPTION_LABELS.get(key, key), "old": a_old.get(key), "new": a_new.get(key)}
        for key in sorted(set(a_old) | set(a_new))
        if a_old.get(key) != a_new.get(key)
    ]
    counts = []
    same_version = older.inputs.get("version", 1) == newer.inputs.get("version", 1)
    for key, label in (
        ("assets", _("Bundled assets")),
        ("catalogue", _("Catalogue entries")),
        ("budgets", _("Budget rows")),
    ):
        old_n, new_n = len(older.inputs.get(key) or []), len(newer.inputs.get(key) or [])
        if old_n != new_n or (
            older.inputs.get(key) != newer.inputs.get(key)
            if same_version
            else _comparable_rows(older.inputs, key) != _comparable_rows(newer.inputs, key)
        ):
            counts.append({"label": label, "old": old_n, "new": new_n})
    npv_old = dict(ScenarioSummary.objects.filter(run_id=result_run_id(older)).values_list("scenario", "npv"))
    npv_new = dict(ScenarioSummary.objects.filter(run_id=result_run_id(newer)).values_list("scenario", "npv"))
    npv_rows = []
    for scenario in SCENARIO_ORDER:
        old, new = npv_old.get(scenario), npv_new.get(scenario)
        delta = new - old if old is not None and new is not None else None
        npv_rows.append(
            {"scenario": scenario, "label": SCENARIO_LABELS[scenario], "old": old, "new": new, "delta": delta}
        )
    return {
        "assumption_changes": assumption_changes,
        "input_changes": counts,
        "npv": npv_rows,
        "same_inputs": older.input_hash == newer.input_hash,
    }


# --- The chosen scenario -------------------------------------------------------------------------------------


def financing_choice_for_tender(*, tender) -> FinancingChoice | None:
    return FinancingChoice.objects.filter(tender=tender).select_related("run").first()


def chosen_scenario_need(*, tender) -> dict[tuple[int, str], Decimal] | None:
    """The chosen scenario's yearly cost to the city by (fiscal year, budget type), or None if none is chosen.

    Budget flows only (CapEx and OpEx, nominal currency units); the residual value is not a budget flow.
    """
    choice = financing_choice_for_tender(tender=tender)
    if choice is None:
        return None
    rows = (
        ScenarioCashFlow.objects.filter(run_id=result_run_id(choice.run), scenario=choice.scenario)
        .exclude(budget_type="none")
        .values("fiscal_year", "budget_type")
        .annotate(total=Sum("nominal"))
        .order_by()
    )
    return {(r["fiscal_year"], r["budget_type"]): r["total"] for r in rows}


def _allocate_cents(total: Decimal, weights: dict[str, Decimal]) -> dict[str, Decimal]:
    """Split `total` pro rata to `weights` in whole cents that add up exactly (largest remainder)."""
    weight_sum = sum(weights.values(), Decimal(0))
    if not weights or weight_sum <= 0:
        return {}
    cents = int((total * 100).to_integral_value(rounding=ROUND_HALF_EVEN))
    raw = {k: Decimal(cents) * w / weight_sum for k, w in weights.items()}
    floors = {k: int(v.to_integral_value(rounding="ROUND_FLOOR")) for k, v in raw.items()}
    remainder = cents - sum(floors.values())
    for key in sorted(raw, key=lambda k: (raw[k] - floors[k], k), reverse=True)[:remainder]:
        floors[key] += 1
    return {k: Decimal(v) / 100 for k, v in floors.items()}


def savings_ledger(*, tender, run: ScenarioRun | None = None) -> dict[str, Any] | None:
    """The city's share of the chosen scenario's projected savings against the status quo, per department and
    year: savings of year t = status-quo budget cost − chosen-scenario budget cost (for shared savings the
    partner's share is already a cost of the chosen scenario, so what remains is the city's).

    One definition of savings everywhere: each year is shown nominal (what the budgets see) and discounted; the
    discounted years plus the difference in residual value add up to the comparison's "savings vs status quo
    (NPV)" — `reconciliation` says so with the figures (and the cents that per-row rounding moves).

    Allocated back pro rata to each department's approved contributions to the tender; with none, pro rata to
    the replacement value of the bundled assets each department owns. None if no scenario is chosen (or the
    choice belongs to another run than `run`).
    """
    choice = financing_choice_for_tender(tender=tender)
    if choice is None or (run is not None and result_run_id(choice.run) != result_run_id(run)):
        return None
    if choice.scenario == Scenario.STATUS_QUO:
        return None
    source = result_run_id(choice.run)
    nominal = defaultdict(lambda: defaultdict(Decimal))
    discounted = defaultdict(lambda: defaultdict(Decimal))
    residual = defaultdict(Decimal)
    row_count = 0
    for r in (
        ScenarioCashFlow.objects.filter(run_id=source, scenario__in=[Scenario.STATUS_QUO, choice.scenario])
        .values("scenario", "fiscal_year", "budget_type")
        .annotate(nominal=Sum("nominal"), discounted=Sum("discounted"), rows=Count("id"))
        .order_by()
    ):
        row_count += r["rows"]
        if r["budget_type"] == "none":
            # The residual value: a credit in NPV, never a budget flow.
            residual[r["scenario"]] += r["discounted"]
            continue
        nominal[r["fiscal_year"]][r["scenario"]] += r["nominal"]
        discounted[r["fiscal_year"]][r["scenario"]] += r["discounted"]

    from finance.models import Contribution

    weights = dict(
        Contribution.objects.filter(tender=tender, status=Contribution.Status.APPROVED)
        .values_list("budget_line__department__code")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    basis = _("approved contributions")
    if not weights:
        basis = _("replacement value of the bundled assets")
        inputs = ScenarioRun.objects.filter(pk=choice.run_id).values_list("inputs", flat=True).first() or {}
        asset_weights: dict[str, Decimal] = defaultdict(Decimal)
        for asset in snapshot_assets(inputs):
            asset_weights[asset["department"]] += snapshot_amount(asset, "replacement_cost")
        weights = dict(asset_weights)
    names = dict(Department.objects.filter(code__in=list(weights)).values_list("code", "name"))
    rows = []
    per_department: dict[str, Decimal] = defaultdict(Decimal)
    for year in sorted(nominal):
        saving = nominal[year][Scenario.STATUS_QUO] - nominal[year][choice.scenario]
        saving_today = discounted[year][Scenario.STATUS_QUO] - discounted[year][choice.scenario]
        shares = _allocate_cents(saving, weights)
        for code, amount in shares.items():
            per_department[code] += amount
        rows.append({"year": year, "saving": saving, "discounted": saving_today, "shares": shares})
    departments = sorted(weights, key=lambda c: names.get(c, c))
    discounted_total = sum((r["discounted"] for r in rows), Decimal(0))
    residual_difference = residual[Scenario.STATUS_QUO] - residual[choice.scenario]
    comparison = (
        ScenarioSummary.objects.filter(run_id=source, scenario=choice.scenario)
        .values_list("savings_vs_status_quo", flat=True)
        .first()
    )
    reconciled = discounted_total + residual_difference
    return {
        "scenario": choice.scenario,
        "scenario_label": SCENARIO_LABELS[choice.scenario],
        "basis": basis,
        "departments": [{"code": c, "name": names.get(c, c)} for c in departments],
        "rows": [{**r, "cells": [r["shares"].get(c, Decimal(0)) for c in departments]} for r in rows],
        "totals": [per_department[c] for c in departments],
        "total": sum((r["saving"] for r in rows), Decimal(0)),
        "discounted_total": discounted_total,
        "residual_difference": residual_difference,
        # "+ 12.00" or "− 12.00": the sign spelled as the reconciliation sentence reads it
        "residual_signed": f"+ {money(residual_difference)}"
        if residual_difference >= 0
        else f"− {money(-residual_difference)}",
        "reconciliation": {
            "ledger_npv": reconciled,
            "comparison": comparison,
            # Each stored cash flow is rounded to the cent once; the comparison is rounded once from the
            # unrounded engine figure. The two can differ by at most half a cent per stored row.
            "rounding": (comparison - reconciled) if comparison is not None else None,
            "rounding_limit": Decimal(row_count) * Decimal("0.005"),
        },
    }
