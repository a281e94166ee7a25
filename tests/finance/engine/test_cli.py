"""`python -m finance.engine assets.csv assumptions.json` prints the summary as JSON."""

import json
import subprocess
import sys
from pathlib import Path

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
