"""The pure engine speaks English; every problem it raises carries a code that the boundary says in French and Dutch."""

import pandas as pd
import pytest
from django.utils import translation

from finance.engine import Assumptions, EngineError, run_all
from finance.engine.proposals import price_proposals
from finance.scenario_text import ENGINE_MESSAGES, engine_problem_text
from tests.finance.engine._examples import worked_example_assets, worked_example_catalogue


def _problems(assets, catalogue=None, assumptions=None, budgets=None):
    with pytest.raises(EngineError) as caught:
        run_all(assets, worked_example_catalogue() if catalogue is None else catalogue, assumptions, budgets)
    return caught.value.problems


def _many_problems():
    """One problem of (nearly) every kind the engine knows."""
    assets = worked_example_assets().astype({"maintenance_cost": object, "life_years": float})
    assets.loc[0, "replacement_cost"] = -5.0
    assets.loc[1, "life_years"] = 0.5
    assets.loc[2, "category"] = "tram"
    assets.loc[2, "action"] = "replace"
    assets.loc[0, "maintenance_cost"] = "fifty"
    assets.loc[0, "energy_cost"] = 5e12
    a = Assumptions(horizon=80, contract_term=90, discount_rate=0.5, draws=200_000, seed=-1, start_year=1800)
    budgets = pd.DataFrame(
        {"fiscal_year": [2026, 2027], "budget_type": ["capex", "grants"], "amount": [1.0, -2.0]}
    )
    out = _problems(assets, assumptions=a, budgets=budgets)
    out += _problems(worked_example_assets().iloc[0:0])
    out += _problems(worked_example_assets().drop(columns=["energy_cost"]))
    dup = worked_example_assets()
    dup.loc[1, "asset_id"] = "A1"
    dup.loc[2, "action"] = "demolish"
    dup.loc[2, "install_year"] = 2030
    dup.loc[0, "department"] = " "
    out += _problems(dup)
    with pytest.raises(EngineError) as caught:
        Assumptions.from_mapping({"horizon": "ten", "discount": 0.03})
    out += caught.value.problems
    upgraded = worked_example_assets()
    upgraded.loc[2, "action"] = "replace"
    out += _problems(upgraded, catalogue=pd.DataFrame([]))
    offers = pd.DataFrame({"proposal_id": [1, 1], "financing_model": ["lease", "capex"]})
    with pytest.raises(EngineError) as caught:
        price_proposals(worked_example_assets(), worked_example_catalogue(), Assumptions(), offers)
    out += caught.value.problems
    return out


def test_every_engine_problem_has_a_code_with_a_sentence():
    problems = _many_problems()
    codes = {p.code for p in problems}
    assert len(codes) >= 20
    assert codes <= set(ENGINE_MESSAGES)


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_engine_problem_is_said_in_french_and_dutch(language):
    for problem in _many_problems():
        with translation.override(language):
            text = engine_problem_text(problem)
        assert text != str(problem), problem
        assert "%(" not in text and "None" not in text, text


def test_in_english_the_engine_s_own_words_are_shown_unchanged():
    with translation.override("en"):
        assert [engine_problem_text(p) for p in _many_problems()] == [str(p) for p in _many_problems()]


def test_an_engine_problem_with_numbers_and_a_list_in_french():
    assets = worked_example_assets()
    assets["install_year"] = 2030
    (problem,) = _problems(assets)
    assert problem == "install_year is after the start year 2026 for asset A1, A2, B1"
    with translation.override("fr"):
        assert engine_problem_text(problem) == (
            "L'année d'installation est postérieure à la première année 2026 pour l'équipement A1, A2, B1"
        )


def test_a_long_list_of_assets_ends_with_how_many_more_in_dutch():
    assets = pd.concat([worked_example_assets()] * 3, ignore_index=True)
    assets["asset_id"] = [f"X{i}" for i in range(len(assets))]
    assets["replacement_cost"] = -1.0
    (problem,) = _problems(assets)
    with translation.override("nl"):
        assert engine_problem_text(problem) == (
            "De waarde 'vervangingskosten' is negatief voor asset X0, X1, X2, X3, X4 en nog 4"
        )
