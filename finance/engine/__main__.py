"""Command line: ``python -m finance.engine assets.csv assumptions.json [--catalogue c.csv] [--budgets b.csv]``.

The JSON holds the assumptions as an object; it may also carry the upgrade catalogue under ``"catalogue"`` (a
list of rows) and pooled budgets under ``"budgets"`` (a list of rows), so one file is enough. Prints the
summary, partner metrics and Monte Carlo figures as JSON (``--full`` adds cash flows, tornado and budget fit).
Bad input prints every problem on stderr and exits with status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from .errors import EngineError
from .inputs import Assumptions
from .run import run_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m finance.engine", description=__doc__.splitlines()[0])
    parser.add_argument("assets", type=Path, help="CSV of assets")
    parser.add_argument("assumptions", type=Path, help="JSON of assumptions (may include catalogue, budgets)")
    parser.add_argument("--catalogue", type=Path, help="CSV of the upgrade catalogue")
    parser.add_argument(
        "--budgets", type=Path, help="CSV of pooled budgets (fiscal_year, budget_type, amount)"
    )
    parser.add_argument("--full", action="store_true", help="also print cash flows, tornado and budget fit")
    args = parser.parse_args(argv)
    try:
        data = json.loads(args.assumptions.read_text())
        if not isinstance(data, dict):
            raise EngineError(["the assumptions JSON must be an object"])
        catalogue_rows = data.pop("catalogue", None)
        budget_rows = data.pop("budgets", None)
        if args.catalogue is not None:
            catalogue = pd.read_csv(args.catalogue)
        elif catalogue_rows is not None:
            catalogue = pd.DataFrame(catalogue_rows)
        else:
            raise EngineError(["no upgrade catalogue: give --catalogue or a 'catalogue' list in the JSON"])
        budgets = pd.read_csv(args.budgets) if args.budgets else None
        if budgets is None and budget_rows is not None:
            budgets = pd.DataFrame(budget_rows)
        assets = pd.read_csv(args.assets, dtype={"asset_id": str, "department": str, "category": str})
        result = run_all(assets, catalogue, Assumptions.from_mapping(data), budgets)
    except EngineError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    out = result.to_dict(include_cashflows=args.full)
    if not args.full:
        out = {k: out[k] for k in ("assumptions", "summary", "partner", "montecarlo")}
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
