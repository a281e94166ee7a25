"""Browser views of financing scenarios: assumptions, runs (progress, results), comparison, choice, exports.

Thin: permissions via finance.selectors.scenarios, writes via finance.services.scenarios.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.jobs import QUEUE_UNREACHABLE
from config.numbers import money_cell
from config.spreadsheets import csv_writer, xlsx_row
from finance import charts
from finance.engine import EngineError
from finance.exceptions_scenarios import ScenarioError
from finance.forms_scenarios import ChooseScenarioForm, ScenarioAssumptionsForm
from finance.models import ScenarioRun
from finance.scenario_text import engine_problem_text
from finance.selectors import scenarios as sel
from finance.services import scenarios as svc


def _tender_for(request, reference: str, *, run: bool = False):
    """The tender, or 404 if the user may not see its financing (no leak of its existence); 403 to act."""
    from procurement.models import Tender

    tender = Tender.objects.filter(reference=reference).select_related("lead_department").first()
    if tender is None or not sel.user_may_view_scenarios(user=request.user, tender=tender):
        raise Http404(_("No such tender."))
    if run and not sel.user_may_run_scenarios(user=request.user, tender=tender):
        raise PermissionDenied(_("Only officials and finance staff of the tender's departments may do this."))
    return tender


def _run_for(request, pk: int, *, act: bool = False) -> ScenarioRun:
    # The inputs snapshot (thousands of assets) is not needed to show or export results: not loaded.
    run = get_object_or_404(
        ScenarioRun.objects.select_related("tender", "requested_by").defer("inputs"), pk=pk
    )
    _tender_for(request, run.tender.reference, run=act)
    return run


@login_required
@require_http_methods(["GET", "POST"])
def scenario_assumptions(request, reference: str):
    tender = _tender_for(request, reference)
    may_act = sel.user_may_run_scenarios(user=request.user, tender=tender)
    frozen = sel.financing_frozen_reason(tender=tender)
    may_run = may_act and not frozen  # the form is editable and the Run button offered only then
    instance = svc.scenario_assumptions_for(tender=tender)
    form = ScenarioAssumptionsForm(instance=instance)
    if request.method == "POST":
        if not may_act:
            raise PermissionDenied(
                _("Only officials and finance staff of the tender's departments may do this.")
            )
        if frozen:
            messages.error(request, frozen)
            return redirect("finance:scenario-assumptions", reference=tender.reference)
        if "apply_preset" in request.POST:
            form = ScenarioAssumptionsForm(
                ScenarioAssumptionsForm(request.POST).with_preset(), instance=instance
            )
            form.is_valid()
        else:
            form = ScenarioAssumptionsForm(request.POST, instance=instance)
            valid = form.is_valid()
            if valid and not request.POST.get("validate_only"):
                try:
                    svc.scenario_assumptions_save(tender=tender, values=form.cleaned_data, actor=request.user)
                except EngineError as exc:  # pragma: no cover — the form ran the same checks
                    for problem in exc.problems:
                        form.add_error(None, engine_problem_text(problem))
                except ScenarioError as exc:  # approved meanwhile: frozen
                    messages.error(request, str(exc))
                    return redirect("finance:scenario-assumptions", reference=tender.reference)
                else:
                    messages.success(request, _("Assumptions saved. Run the scenarios to see their effect."))
                    return redirect("finance:scenario-assumptions", reference=tender.reference)
        if request.htmx:
            # Only the error summary is swapped: replacing the form under the user's pointer would eat a click.
            return render(request, "finance/_scenario_assumptions_errors.html", {"form": form})
    page = Paginator(sel.scenario_run_list_for_tender(tender=tender), 10).get_page(request.GET.get("page"))
    context = _assumptions_context(tender, form, may_run) | {"page_obj": page, "runs": page.object_list}
    return render(request, "finance/scenario_assumptions.html", context, status=400 if form.errors else 200)


def _assumptions_context(tender, form, may_run) -> dict:
    return {
        "tender": tender,
        "form": form,
        "may_run": may_run,
        "presets": svc.optimism_bias_presets(),
        "choice": sel.financing_choice_for_tender(tender=tender),
        "frozen": sel.financing_frozen_reason(tender=tender),
    }


@login_required
@require_POST
def scenario_run_create(request, reference: str):
    tender = _tender_for(request, reference, run=True)
    try:
        run = svc.scenario_run_request(tender=tender, actor=request.user)
    except ScenarioError as exc:
        messages.error(request, str(exc))
        return redirect("finance:scenario-assumptions", reference=tender.reference)
    if run.reused_from_id:
        messages.info(request, _("Nothing changed since an earlier run: its stored result is shown."))
    elif getattr(run, "queue_unreachable", False):
        messages.warning(request, QUEUE_UNREACHABLE)
    return redirect("finance:scenario-run-detail", pk=run.pk)


def _results_context(run: ScenarioRun, user) -> dict:
    results = sel.scenario_run_results(run=run)
    labels = sel.SCENARIO_LABELS
    years = results["years"]
    cash_charts = [
        {
            "scenario": s,
            "label": labels[s],
            "svg": charts.stacked_bars(
                _("Yearly cost to the city, %(scenario)s (CapEx and OpEx, nominal)")
                % {"scenario": labels[s]},
                years,
                [r["capex"] for r in rows],
                [r["opex"] for r in rows],
            ),
            "rows": rows,
        }
        for s, rows in results["cash"].items()
    ]
    cumulative = charts.line_chart(
        _("Cumulative cost to the city per scenario (nominal)"),
        years,
        [(str(labels[s]), s, [r["cumulative"] for r in rows]) for s, rows in results["cash"].items()],
    )
    fit_charts = []
    for s, rows in results["budget_fit"].items():
        if not rows:
            continue
        by_year: dict[int, dict] = {}
        for r in rows:
            y = by_year.setdefault(
                r["fiscal_year"], {"year": r["fiscal_year"], "required": 0, "budget": 0, "balance": 0}
            )
            for k in ("required", "budget", "balance"):
                y[k] += Decimal(str(r[k]))
        table = [by_year[y] for y in sorted(by_year)]
        fit_charts.append(
            {
                "scenario": s,
                "label": labels[s],
                "svg": charts.diverging_bars(
                    _(
                        "Budget fit per year, %(scenario)s: surplus (+) or shortfall (−) against the pooled budget"
                    )
                    % {"scenario": labels[s]},
                    [r["year"] for r in table],
                    [r["balance"] for r in table],
                ),
                "rows": table,
            }
        )
    npv_by_scenario = {s.scenario: s.npv for s in results["summaries"]}
    tornado_charts = [
        {
            "scenario": s,
            "label": labels[s],
            "svg": charts.tornado(
                _("Sensitivity of the NPV of %(scenario)s to each assumption") % {"scenario": labels[s]},
                rows,
                npv_by_scenario.get(s, 0),
            ),
            "rows": rows,
        }
        for s in sel.SCENARIO_ORDER
        if (rows := results["tornado"].get(s))
    ]
    mc = results["monte_carlo"]
    mc_chart = (
        charts.range_chart(
            _("Monte Carlo: NPV of cost from P10 to P90 per scenario (mark: P50)"),
            [(str(labels[m.scenario]), m.scenario, m.p10, m.p50, m.p90) for m in mc],
        )
        if mc
        else None
    )
    choice = sel.financing_choice_for_tender(tender=run.tender)
    return results | {
        "labels": labels,
        "cash_charts": cash_charts,
        "cumulative_chart": cumulative,
        "fit_charts": fit_charts,
        "tornado_charts": tornado_charts,
        "mc_chart": mc_chart,
        "choice": choice,
        "ledger": sel.savings_ledger(tender=run.tender, run=run),
        "choose_form": ChooseScenarioForm(),
        # Choose buttons only while the financing may change (not from approval on).
        "may_run": sel.user_may_change_financing(user=user, tender=run.tender),
        "frozen": sel.financing_frozen_reason(tender=run.tender),
        "previous_run": ScenarioRun.objects.filter(
            tender=run.tender, status=ScenarioRun.Status.SUCCEEDED, created_at__lt=run.created_at
        )
        .exclude(input_hash=run.input_hash)
        .only("pk")
        .first(),
    }


@login_required
@require_GET
def scenario_run_detail(request, pk: int):
    run = _run_for(request, pk)
    duration = (
        (run.finished_at - run.started_at).total_seconds()
        if run.started_at and run.finished_at and not run.reused_from_id
        else None
    )
    context = {
        "run": run,
        "tender": run.tender,
        "finished": run.status in ("succeeded", "failed"),
        "duration": duration,
    }
    if run.status == ScenarioRun.Status.SUCCEEDED:
        context |= _results_context(run, request.user)
    return render(request, "finance/scenario_run_detail.html", context)


@login_required
@require_GET
def scenario_run_progress(request, pk: int):
    """htmx partial polled every second while the run is queued or running; reloads the page when done."""
    run = get_object_or_404(ScenarioRun.objects.defer("inputs").select_related("tender"), pk=pk)
    _tender_for(request, run.tender.reference)
    response = render(request, "finance/_scenario_run_progress.html", {"run": run})
    if run.status in (ScenarioRun.Status.SUCCEEDED, ScenarioRun.Status.FAILED) and request.htmx:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def scenario_choose(request, pk: int):
    run = _run_for(request, pk, act=True)
    form = ChooseScenarioForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the four scenarios."))
    else:
        try:
            svc.scenario_choose(run=run, scenario=form.cleaned_data["scenario"], actor=request.user)
        except ScenarioError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("%(scenario)s is the chosen financing.")
                % {"scenario": sel.SCENARIO_LABELS[form.cleaned_data["scenario"]]},
            )
    return redirect("finance:scenario-run-detail", pk=run.pk)


@login_required
@require_GET
def scenario_compare(request, reference: str):
    """What changed between two runs of a tender (default: its two latest succeeded runs)."""
    tender = _tender_for(request, reference)
    runs = ScenarioRun.objects.filter(tender=tender, status=ScenarioRun.Status.SUCCEEDED)
    ids = [request.GET.get("a"), request.GET.get("b")]
    if all(i and i.isdigit() for i in ids):
        pair = [get_object_or_404(runs, pk=int(i)) for i in ids]
        older, newer = sorted(pair, key=lambda r: (r.created_at, r.pk))
    else:
        latest = list(runs.order_by("-created_at", "-id")[:2])
        if len(latest) < 2:
            messages.info(request, _("Two succeeded runs are needed for a comparison."))
            return redirect("finance:scenario-assumptions", reference=tender.reference)
        newer, older = latest
    context = {
        "tender": tender,
        "older": older,
        "newer": newer,
        "diff": sel.scenario_run_diff(older=older, newer=newer),
        "runs": runs.defer("inputs").order_by("-created_at")[:20],
    }
    return render(request, "finance/scenario_compare.html", context)


# --- Exports: the same tables as the page, one per CSV, all in one XLSX (a sheet each) --------------------------


# Exports are for people: headers and sheet names in the reader's language. The column codes below are the
# English headers (unchanged, and what NOT_MONEY_COLUMNS and ?table= use); French and Dutch readers get words.
# Values stay values: numbers as numbers, budget types and assumption codes as codes (docs/decisions.md).
EXPORT_COLUMNS = {
    # Translators: the msgid is a column name of a CSV/XLSX export (kept as it is in English); translate it
    # into a short column header in words, e.g. "npv_cost" -> "VAN du coût".
    "scenario": pgettext_lazy("export column", "scenario"),
    "npv_cost": pgettext_lazy("export column", "npv_cost"),
    "whole_life_cost": pgettext_lazy("export column", "whole_life_cost"),
    "year0_capex": pgettext_lazy("export column", "year0_capex"),
    "savings_vs_status_quo": pgettext_lazy("export column", "savings_vs_status_quo"),
    "peak_yearly_cost": pgettext_lazy("export column", "peak_yearly_cost"),
    "partner_npv": pgettext_lazy("export column", "partner_npv"),
    "partner_irr": pgettext_lazy("export column", "partner_irr"),
    "bankable": pgettext_lazy("export column", "bankable"),
    "break_even_savings_share": pgettext_lazy("export column", "break_even_savings_share"),
    "budget_shortfall": pgettext_lazy("export column", "budget_shortfall"),
    "fiscal_year": pgettext_lazy("export column", "fiscal_year"),
    "capex": pgettext_lazy("export column", "capex"),
    "opex": pgettext_lazy("export column", "opex"),
    "total": pgettext_lazy("export column", "total"),
    "cumulative": pgettext_lazy("export column", "cumulative"),
    "department": pgettext_lazy("export column", "department"),
    "budget_type": pgettext_lazy("export column", "budget_type"),
    "required": pgettext_lazy("export column", "required"),
    "budget": pgettext_lazy("export column", "budget"),
    "balance": pgettext_lazy("export column", "balance"),
    "shortfall": pgettext_lazy("export column", "shortfall"),
    "assumption": pgettext_lazy("export column", "assumption"),
    "low_value": pgettext_lazy("export column", "low_value"),
    "high_value": pgettext_lazy("export column", "high_value"),
    "npv_low": pgettext_lazy("export column", "npv_low"),
    "npv_high": pgettext_lazy("export column", "npv_high"),
    "p10": pgettext_lazy("export column", "p10"),
    "p50": pgettext_lazy("export column", "p50"),
    "p90": pgettext_lazy("export column", "p90"),
    "probability_cheapest": pgettext_lazy("export column", "probability_cheapest"),
    "npv_from": pgettext_lazy("export column", "npv_from"),
    "npv_to": pgettext_lazy("export column", "npv_to"),
    "draws": pgettext_lazy("export column", "draws"),
    "city_saving": pgettext_lazy("export column", "city_saving"),
}
EXPORT_SHEETS = {
    # Translators: the msgid is the name of a sheet of the XLSX export; at most 31 characters, no : / ? * [ ].
    "comparison": pgettext_lazy("export sheet", "comparison"),
    "cash_flows": pgettext_lazy("export sheet", "cash_flows"),
    "departments": pgettext_lazy("export sheet", "departments"),
    "budget_fit": pgettext_lazy("export sheet", "budget_fit"),
    "sensitivity": pgettext_lazy("export sheet", "sensitivity"),
    "monte_carlo": pgettext_lazy("export sheet", "monte_carlo"),
    "monte_carlo_histogram": pgettext_lazy("export sheet", "monte_carlo_histogram"),
    "savings_ledger": pgettext_lazy("export sheet", "savings_ledger"),
}


def _header_words(header: list[str]) -> list[str]:
    """An export's header in the reader's language (a department name is a name: unchanged)."""
    return [str(EXPORT_COLUMNS.get(column, column)) for column in header]


def _sheet_title(name: str) -> str:
    title = str(EXPORT_SHEETS.get(name, name))
    return "".join(c for c in title if c not in ":/\\?*[]")[:31] or name[:31]


def _export_tables(run: ScenarioRun) -> dict[str, tuple[list[str], list[list]]]:
    r = sel.scenario_run_results(run=run)
    labels = {code: str(label) for code, label in sel.SCENARIO_LABELS.items()}
    tables: dict[str, tuple[list[str], list[list]]] = {}
    tables["comparison"] = (
        ["scenario", "npv_cost", "whole_life_cost", "year0_capex", "savings_vs_status_quo", "peak_yearly_cost",
         "partner_npv", "partner_irr", "bankable", "break_even_savings_share", "budget_shortfall"],
        [
            [labels[s.scenario], s.npv, s.whole_life_cost, s.year0_capex, s.savings_vs_status_quo,
             s.peak_yearly_cost, s.partner_npv, s.partner_irr, s.bankable, s.break_even_share, s.budget_shortfall]
            for s in r["summaries"]
        ],
    )  # fmt: skip
    tables["cash_flows"] = (
        ["scenario", "fiscal_year", "capex", "opex", "total", "cumulative"],
        [
            [labels[s], row["year"], row["capex"], row["opex"], row["total"], row["cumulative"]]
            for s, rows in r["cash"].items()
            for row in rows
        ],
    )
    tables["departments"] = (
        ["department", "scenario", "npv_cost", "whole_life_cost"],
        [
            [d["name"], labels[s], v["npv"], v["whole_life"]]
            for d in r["departments"]
            for s, v in sorted(d["by_scenario"].items(), key=lambda kv: sel.SCENARIO_ORDER.index(kv[0]))
        ],
    )
    tables["budget_fit"] = (
        ["scenario", "fiscal_year", "budget_type", "required", "budget", "balance", "shortfall"],
        [
            [
                labels[s],
                f["fiscal_year"],
                f["budget_type"],
                f["required"],
                f["budget"],
                f["balance"],
                f["shortfall"],
            ]
            for s, rows in r["budget_fit"].items()
            for f in rows
        ],
    )
    tables["sensitivity"] = (
        ["scenario", "assumption", "low_value", "high_value", "npv_low", "npv_high"],
        [
            [labels[s], t["parameter"], t["low_value"], t["high_value"], t["npv_low"], t["npv_high"]]
            for s, rows in r["tornado"].items()
            for t in rows
        ],
    )
    tables["monte_carlo"] = (
        ["scenario", "p10", "p50", "p90", "probability_cheapest"],
        [[labels[m.scenario], m.p10, m.p50, m.p90, m.probability_cheapest] for m in r["monte_carlo"]],
    )
    tables["monte_carlo_histogram"] = (
        ["scenario", "npv_from", "npv_to", "draws"],
        [
            [labels[m.scenario], start, end, count]
            for m in r["monte_carlo"]
            for start, end, count in zip(
                m.histogram.get("edges", [])[:-1],
                m.histogram.get("edges", [])[1:],
                m.histogram.get("counts", []),
                strict=False,
            )
        ],
    )
    ledger = sel.savings_ledger(tender=run.tender, run=run)
    if ledger:
        tables["savings_ledger"] = (
            ["fiscal_year", "city_saving", *[d["name"] for d in ledger["departments"]]],
            [[row["year"], row["saving"], *row["cells"]] for row in ledger["rows"]],
        )
    return tables


# Columns of the export tables that are not money (years, counts, rates as fractions, flags); every other
# number is money and is written with two decimals (config/numbers.py money_cell, docs/decisions.md).
NOT_MONEY_COLUMNS = {
    "fiscal_year",
    "draws",
    "partner_irr",
    "bankable",
    "break_even_savings_share",
    "low_value",
    "high_value",
    "probability_cheapest",
}


def _money_cells(header: list[str], rows: list[list]) -> list[list]:
    money = [column not in NOT_MONEY_COLUMNS for column in header]
    return [
        [money_cell(v) if is_money else v for v, is_money in zip(row, money, strict=False)] for row in rows
    ]


def _succeeded_run(request, pk: int) -> ScenarioRun:
    run = _run_for(request, pk)
    if run.status != ScenarioRun.Status.SUCCEEDED:
        raise Http404(_("This run has no results."))
    return run


@login_required
@require_GET
def scenario_run_export_csv(request, pk: int):
    run = _succeeded_run(request, pk)
    tables = _export_tables(run)
    name = request.GET.get("table", "comparison")
    if name not in tables:
        raise Http404(_("No such table."))
    header, rows = tables[name]
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(_header_words(header))
    writer.writerows(_money_cells(header, rows))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{run.tender.reference}-run-{run.pk}-{name}.csv"'
    return response


@login_required
@require_GET
def scenario_run_export_xlsx(request, pk: int):
    from openpyxl import Workbook

    run = _succeeded_run(request, pk)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, (header, rows) in _export_tables(run).items():
        sheet = workbook.create_sheet(title=_sheet_title(name))
        sheet.append(xlsx_row(_header_words(header)))
        for row in _money_cells(header, rows):
            # Decimal cells are written as numbers (two decimals' precision); text never as a formula.
            sheet.append(xlsx_row(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{run.tender.reference}-run-{run.pk}.xlsx"'
    return response
