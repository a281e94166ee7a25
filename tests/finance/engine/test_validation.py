"""Bad input raises one EngineError that lists every problem in plain words."""

import pandas as pd
import pytest

from finance.engine import Assumptions, EngineError, run_all

from ._examples import worked_example_assets, worked_example_catalogue


def _problems(assets, catalogue=None, assumptions=None, budgets=None):
    with pytest.raises(EngineError) as caught:
        run_all(assets, worked_example_catalogue() if catalogue is None else catalogue, assumptions, budgets)
    return caught.value.problems


def test_every_problem_is_listed_in_one_error():
    assets = worked_example_assets()
    assets.loc[0, "replacement_cost"] = -5.0
    assets.loc[1, "life_years"] = 0
    assets.loc[2, "category"] = "tram"
    assets.loc[2, "action"] = "replace"
    a = Assumptions(horizon=80, contract_term=90, discount_rate=0.5, inflation=0.9, draws=200_000)
    problems = _problems(assets, assumptions=a)
    text = "\n".join(problems)
    assert "horizon must be between 1 and 60 years (got 80)" in text
    assert "contract_term (90 years) must not be longer than the horizon (80 years)" in text
    assert "discount_rate (real discount rate) must be between 0 and 0.2 (got 0.5)" in text
    assert "inflation (inflation) must be between -0.05 and 0.2 (got 0.9)" in text
    assert "draws must be between 0 and 100,000" in text
    assert "replacement_cost is negative for asset A1" in text
    assert "life_years must be at least 1 year for asset A2" in text
    assert "category 'tram' is not in the upgrade catalogue (asset B1)" in text
    assert len(problems) == 8


def test_an_empty_asset_table_is_refused():
    problems = _problems(worked_example_assets().iloc[0:0])
    assert problems == ["the asset table is empty: there is nothing to finance"]


def test_missing_columns_and_bad_catalogue_rows_are_reported_together():
    catalogue = worked_example_catalogue()
    catalogue.loc[0, "unit_cost"] = -1.0
    catalogue.loc[1, "life_years"] = 0
    problems = _problems(worked_example_assets().drop(columns=["energy_cost"]), catalogue=catalogue)
    assert "the asset table has no column 'energy_cost'" in problems
    assert "unit_cost is negative for category streetlight" in problems
    assert "life_years must be at least 1 year for category boiler" in problems


def test_text_in_numeric_cells_duplicates_and_unknown_actions_are_reported():
    assets = worked_example_assets().astype({"maintenance_cost": object})
    assets.loc[0, "maintenance_cost"] = "fifty"
    assets.loc[1, "asset_id"] = "A1"
    assets.loc[2, "action"] = "demolish"
    assets.loc[2, "install_year"] = 2030
    problems = _problems(assets)
    assert "maintenance_cost is missing or not a number for asset A1" in problems
    assert "asset_id A1 appears more than once" in problems
    assert "action must be one of replace, upgrade, operate, maintain for asset B1" in problems
    assert "install_year is after the start year 2026 for asset B1" in problems


def test_bad_budget_rows_are_reported_with_their_row_number():
    budgets = pd.DataFrame(
        {"fiscal_year": [2026, 2027], "budget_type": ["capex", "grants"], "amount": [1.0, -2.0]}
    )
    problems = _problems(worked_example_assets(), budgets=budgets)
    assert problems == [
        "budget_type must be capex or opex in budget row 2",
        "amount is negative for budget row 2",
    ]


def test_assumptions_from_json_report_unknown_keys_and_non_numbers_at_once():
    with pytest.raises(EngineError) as caught:
        Assumptions.from_mapping({"horizon": "ten", "discount": 0.03, "inflation": "2%"})
    assert caught.value.problems == [
        "unknown assumption 'discount'",
        "horizon must be a number (got 'ten')",
        "inflation must be a number (got '2%')",
    ]


def test_valid_defaults_have_no_problems():
    assert Assumptions().problems() == []
    assert Assumptions().discount_rate == 0.035


def test_an_empty_budget_table_is_a_pooled_budget_of_nothing_yet():
    result = run_all(
        worked_example_assets(),
        worked_example_catalogue(),
        Assumptions(horizon=5, contract_term=3, draws=0),
        pd.DataFrame([]),
    )
    fit = result.budget_fit
    assert len(fit) == 4 * 5 * 2  # every scenario, year and budget type
    assert (fit["budget"] == 0).all()
    assert (fit["shortfall"] == fit["required"].clip(lower=0)).all()


def test_no_budget_table_at_all_gives_no_budget_fit():
    result = run_all(
        worked_example_assets(), worked_example_catalogue(), Assumptions(horizon=5, contract_term=3, draws=0)
    )
    assert result.budget_fit.empty


def test_an_empty_catalogue_is_fine_when_no_asset_is_upgraded():
    assets = worked_example_assets().assign(action="operate")
    result = run_all(assets, pd.DataFrame([]), Assumptions(horizon=5, contract_term=3, draws=0))
    npv = result.summary.set_index("scenario")["npv_cost"]
    assert npv["capex"] == pytest.approx(npv["status_quo"])


def test_an_empty_catalogue_names_every_category_the_upgrades_need():
    assets = worked_example_assets()
    assets.loc[2, "action"] = "replace"
    problems = _problems(assets, catalogue=pd.DataFrame([]))
    assert problems == [
        "the upgrade catalogue is empty, but assets marked replace or upgrade need category 'boiler', "
        "'streetlight' (asset A1, A2, B1)"
    ]


def test_an_asset_table_without_rows_or_columns_is_reported_as_empty():
    assert _problems(pd.DataFrame([])) == ["the asset table is empty: there is nothing to finance"]


def test_amounts_above_the_limit_are_refused_with_their_rows():
    assets = worked_example_assets()
    assets.loc[0, "replacement_cost"] = 1e300
    assets.loc[1, "maintenance_cost"] = 1e15
    assets.loc[2, "energy_cost"] = 1_000_000_000_000.01
    catalogue = worked_example_catalogue()
    catalogue.loc[0, "maintenance_cost"] = 5e12
    budgets = pd.DataFrame(
        {"fiscal_year": [2026, 2027], "budget_type": ["capex", "opex"], "amount": [1.0, 3e12]}
    )
    problems = _problems(assets, catalogue=catalogue, budgets=budgets)
    assert problems == [
        "maintenance_cost is above the limit of 1,000,000,000,000 for category streetlight",
        "replacement_cost is above the limit of 1,000,000,000,000 for asset A1",
        "maintenance_cost is above the limit of 1,000,000,000,000 for asset A2",
        "energy_cost is above the limit of 1,000,000,000,000 for asset B1",
        "amount is above the limit of 1,000,000,000,000 for budget row 2",
    ]


def test_lives_and_fiscal_years_beyond_any_plan_are_refused():
    assets = worked_example_assets().astype({"life_years": float})
    assets.loc[0, "life_years"] = 1e300
    catalogue = worked_example_catalogue()
    catalogue.loc[1, "life_years"] = 5000
    budgets = pd.DataFrame({"fiscal_year": [1e20], "budget_type": ["capex"], "amount": [1.0]})
    problems = _problems(assets, catalogue=catalogue, budgets=budgets)
    assert problems == [
        "life_years is above the limit of 1,000 for category boiler",
        "life_years is above the limit of 1,000 for asset A1",
        "fiscal_year is above the limit of 9,999 for budget row 1",
    ]


def test_totals_beyond_the_exact_cent_limit_are_refused_naming_the_largest_assets():
    from finance.engine.run import MAX_GROSS_FLOWS

    assets = worked_example_assets()
    assets.loc[2, "energy_cost"] = 9e11  # within the per-asset limit; 30 years of it are not within 1e12
    problems = _problems(assets, assumptions=Assumptions(horizon=30, contract_term=10, draws=0))
    assert len(problems) == 2
    assert problems[0].startswith(
        "the yearly cash flows are too large to be computed exactly to the cent: in absolute value over the "
        "30 years they add up to status_quo "
    )
    assert problems[0].endswith(f"(the limit is {MAX_GROSS_FLOWS:,.0f} per scenario)")
    assert problems[1] == (
        "the largest amounts are on asset B1, A1, A2: check them, or finance the assets in several tenders"
    )


def test_flows_just_inside_the_exact_cent_limit_are_computed():
    assets = worked_example_assets()
    assets.loc[2, "energy_cost"] = 2e10  # 30 years at 3% energy escalation: about 9.5e11 in all
    result = run_all(assets, worked_example_catalogue(), Assumptions(horizon=30, contract_term=10, draws=0))
    assert result.summary["whole_life_cost"].max() > 9e11


def test_catalogue_categories_are_matched_without_surrounding_blanks_and_blank_ones_reported():
    catalogue = worked_example_catalogue()
    catalogue.loc[0, "category"] = " streetlight "
    result = run_all(worked_example_assets(), catalogue, Assumptions(horizon=5, contract_term=3, draws=0))
    assert result.summary.set_index("scenario").loc["capex", "year0_capex"] == pytest.approx(3720.0)
    catalogue.loc[1, "category"] = None
    problems = _problems(worked_example_assets(), catalogue=catalogue)
    assert problems == ["category is empty in catalogue row 2"]
