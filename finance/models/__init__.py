from .budgets import BudgetLine, Contribution  # noqa: F401
from .scenarios import (  # noqa: F401
    FinancingChoice,
    MonteCarloResult,
    ScenarioAssumptions,
    ScenarioCashFlow,
    ScenarioRun,
    ScenarioSummary,
    SensitivityResult,
)
