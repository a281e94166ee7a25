"""`python -m finance.engine assets.csv assumptions.json` prints the summary as JSON."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

from ._examples import worked_example_assets, worked_example_catalogue

ROOT = Path(__file__).resolve().parents[3]


def _run(*args):
    return subprocess.run(
        [sys.executable, "-m", "finance.engine", *map(str, args)], capture_output=True, text=True, cwd=ROOT
    )


def test_cli_prints_the_summary_of_a_small_csv_and_json(tmp_path):
    worked_example_assets().to_csv(tmp_path / "assets.csv", index=False)
    assumptions = {
        "start_year": 2026,
        "horizon": 5,
        "contract_term": 3,
        "outcome_achievement": 0.9,
        "draws": 100,
        "catalogue": worked_example_catalogue().to_dict("records"),
    }
    (tmp_path / "assumptions.json").write_text(json.dumps(assumptions))
    out = _run(tmp_path / "assets.csv", tmp_path / "assumptions.json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    npv = {row["scenario"]: row["npv_cost"] for row in data["summary"]}
    assert npv == {
        "status_quo": 22595.08,
        "capex": 25979.95,
        "opex_service": 26149.72,
        "shared_savings": 22689.48,
    }
    assert "cashflows" not in data


def test_cli_reports_every_problem_and_exits_with_status_2(tmp_path):
    assets = worked_example_assets()
    assets.loc[0, "life_years"] = 0
    assets.to_csv(tmp_path / "assets.csv", index=False)
    worked_example_catalogue().to_csv(tmp_path / "catalogue.csv", index=False)
    (tmp_path / "assumptions.json").write_text(json.dumps({"horizon": 99}))
    out = _run(
        tmp_path / "assets.csv", tmp_path / "assumptions.json", "--catalogue", tmp_path / "catalogue.csv"
    )
    assert out.returncode == 2
    assert "error: horizon must be between 1 and 60 years (got 99)" in out.stderr
    assert "error: life_years must be at least 1 year for asset A1" in out.stderr


def _write(tmp_path, assets, **assumptions):
    assets.to_csv(tmp_path / "assets.csv", index=False)
    (tmp_path / "assumptions.json").write_text(json.dumps(assumptions))
    return _run(tmp_path / "assets.csv", tmp_path / "assumptions.json", "--full")


def _decimals(value):
    text = repr(value)
    return len(text.split(".")[1]) if "." in text and "e" not in text else 0


def test_cli_prints_every_money_figure_in_whole_cents(tmp_path):
    catalogue = worked_example_catalogue().to_dict("records")
    out = _write(
        tmp_path,
        worked_example_assets(),
        horizon=5,
        contract_term=3,
        outcome_achievement=0.9,
        draws=50,
        catalogue=catalogue,
        budgets=[{"fiscal_year": 2026, "budget_type": "capex", "amount": 100.0}],
    )
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    summary = {row["scenario"]: row for row in data["summary"]}
    # 25,894.519 and 3,720.00 are money: cents, not six decimals
    assert summary["status_quo"]["peak_yearly_cost"] == 25894.52
    assert summary["capex"]["year0_capex"] == 3720.0
    for row in data["summary"]:
        for field in ("npv_cost", "whole_life_cost", "year0_capex", "peak_yearly_cost", "residual_value"):
            assert _decimals(row[field]) <= 2, (field, row[field])
    for table in ("cashflows", "budget_fit", "tornado"):
        for row in data[table]:
            for field in ("nominal", "discounted", "required", "shortfall", "npv_low", "npv_high", "swing"):
                if field in row:
                    assert _decimals(row[field]) <= 2, (table, field, row[field])
    # rates keep six decimals
    opex = next(row for row in data["partner"] if row["scenario"] == "opex_service")
    assert opex["break_even_margin"] == 0.025716


def test_cli_accepts_an_empty_budget_list_and_shows_the_whole_need_as_shortfall(tmp_path):
    out = _write(
        tmp_path,
        worked_example_assets(),
        horizon=5,
        contract_term=3,
        draws=0,
        catalogue=worked_example_catalogue().to_dict("records"),
        budgets=[],
    )
    assert out.returncode == 0, out.stderr
    fit = json.loads(out.stdout)["budget_fit"]
    assert fit, "an empty pooled budget still gives a budget fit"
    assert all(row["budget"] == 0 and row["shortfall"] == max(0.0, row["required"]) for row in fit)
    capex_2026 = next(
        r
        for r in fit
        if r["scenario"] == "capex" and r["fiscal_year"] == 2026 and r["budget_type"] == "capex"
    )
    assert capex_2026["shortfall"] == 3720.0


def test_cli_accepts_an_empty_catalogue_when_no_asset_is_upgraded(tmp_path):
    assets = worked_example_assets().assign(action="maintain")
    out = _write(tmp_path, assets, horizon=5, contract_term=3, draws=0, catalogue=[])
    assert out.returncode == 0, out.stderr
    summary = {row["scenario"]: row["npv_cost"] for row in json.loads(out.stdout)["summary"]}
    # nothing is upgraded: CapEx costs what the status quo costs
    assert summary["capex"] == summary["status_quo"]


def test_cli_names_the_missing_categories_when_the_catalogue_is_empty(tmp_path):
    out = _write(tmp_path, worked_example_assets(), horizon=5, contract_term=3, draws=0, catalogue=[])
    assert out.returncode == 2
    assert "no column" not in out.stderr
    assert (
        "error: the upgrade catalogue is empty, but assets marked replace or upgrade need category "
        "'streetlight' (asset A1, A2)"
    ) in out.stderr


def test_cli_refuses_amounts_beyond_the_limit_with_every_row_named(tmp_path):
    assets = worked_example_assets()
    assets["replacement_cost"] = assets["replacement_cost"].astype(float)
    assets.loc[0, "replacement_cost"] = 1e300
    assets.loc[2, "energy_cost"] = 1e15
    catalogue = worked_example_catalogue()
    catalogue.loc[1, "unit_cost"] = 2e12
    out = _write(
        tmp_path, assets, horizon=5, contract_term=3, draws=0, catalogue=catalogue.to_dict("records")
    )
    assert out.returncode == 2, out.stdout
    assert out.stdout == ""
    assert "error: replacement_cost is above the limit of 1,000,000,000,000 for asset A1" in out.stderr
    assert "error: energy_cost is above the limit of 1,000,000,000,000 for asset B1" in out.stderr
    assert "error: unit_cost is above the limit of 1,000,000,000,000 for category boiler" in out.stderr


def test_every_float_field_of_the_json_is_classified_and_no_money_prints_as_minus_zero():
    from finance.engine import Assumptions, run_all
    from finance.engine.run import _clean

    result = run_all(
        worked_example_assets(),
        worked_example_catalogue(),
        Assumptions(horizon=5, contract_term=3, draws=200),
        budgets=pd.DataFrame({"fiscal_year": [2026], "budget_type": ["opex"], "amount": [5000.0]}),
    )
    data = result.to_dict(include_cashflows=True)  # raises KeyError on an unclassified float field
    assert data["summary"][0]["savings_vs_status_quo"] == 0.0
    assert repr(_clean("npv_cost", -0.001)) == "0.0"
    assert repr(_clean("partner_irr", -1e-9)) == "0.0"
